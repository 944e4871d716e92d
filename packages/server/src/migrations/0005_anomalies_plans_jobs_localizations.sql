-- Anomalies as operators triage them: severity, a sentence of explanation, every node that saw the
-- event (one anomaly seen at several nodes is one row), and who acknowledged it with a comment.
-- `acknowledged_by` (from 0001) keeps the user's id; the username is kept beside it so the log
-- still reads after the user is deleted.
ALTER TABLE anomalies ADD COLUMN severity text NOT NULL DEFAULT 'low' CHECK (severity IN ('low', 'medium', 'high'));
ALTER TABLE anomalies ADD COLUMN explanation text NOT NULL DEFAULT '';
ALTER TABLE anomalies ADD COLUMN node_ids uuid[] NOT NULL DEFAULT '{}';
ALTER TABLE anomalies ADD COLUMN acknowledged_by_name text;
ALTER TABLE anomalies ADD COLUMN ack_comment text;
CREATE INDEX anomalies_id_idx ON anomalies (id);
CREATE INDEX anomalies_node_ids_idx ON anomalies USING gin (node_ids);

-- Scan plans: list newest first, find the plans that target a group.
CREATE INDEX scan_plans_created_idx ON scan_plans (created_at DESC, id DESC);
CREATE INDEX scan_plans_groups_idx ON scan_plans USING gin (target_groups);

-- The scan plan each node says it runs (what rollouts compare with the desired plan).
CREATE TABLE node_scan_plans (
  node_id uuid PRIMARY KEY REFERENCES nodes (id) ON DELETE CASCADE,
  reported jsonb NOT NULL,
  reported_at timestamptz NOT NULL
);

-- Jobs: list newest first.
CREATE INDEX jobs_created_idx ON jobs (created_at DESC, id DESC);

-- Localization requests and their fixes. One `localization-capture` job per node (job_ids, in
-- node_ids order); the fix columns stay null until status is `completed`.
CREATE TABLE localizations (
  id uuid PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('capturing', 'solving', 'completed', 'failed')),
  requested_method text NOT NULL DEFAULT 'auto' CHECK (requested_method IN ('auto', 'tdoa', 'power')),
  method text CHECK (method IN ('tdoa', 'power')),
  lat double precision,
  lon double precision,
  ellipse jsonb,
  gdop double precision,
  quality text,
  confidence double precision,
  freq_hz double precision NOT NULL,
  bandwidth_hz double precision NOT NULL,
  capture_time timestamptz NOT NULL,
  duration_ms integer NOT NULL,
  deadline timestamptz NOT NULL,
  node_ids uuid[] NOT NULL,
  job_ids uuid[] NOT NULL,
  used_node_ids uuid[] NOT NULL DEFAULT '{}',
  detection_id uuid,
  anomaly_id uuid,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  error text
);
CREATE INDEX localizations_created_idx ON localizations (created_at DESC, id DESC);
CREATE INDEX localizations_open_idx ON localizations (deadline) WHERE status = 'capturing';

-- The IQ each node captured for a localization (cf32, at most 8 MiB), with the node's position and
-- clock source as they were at upload: the fix must not move when a node is edited later.
CREATE TABLE localization_snippets (
  job_id uuid PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
  localization_id uuid NOT NULL REFERENCES localizations (id) ON DELETE CASCADE,
  node_id uuid NOT NULL,
  sample_rate_hz double precision NOT NULL,
  center_hz double precision NOT NULL,
  capture_time_ns bigint NOT NULL,
  latitude double precision NOT NULL,
  longitude double precision NOT NULL,
  altitude_m double precision NOT NULL DEFAULT 0,
  clock_source text NOT NULL DEFAULT 'unknown',
  data bytea NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX localization_snippets_loc_idx ON localization_snippets (localization_id);
-- Sampled noise does not compress: spare PostgreSQL the attempt.
ALTER TABLE localization_snippets ALTER COLUMN data SET STORAGE EXTERNAL;
