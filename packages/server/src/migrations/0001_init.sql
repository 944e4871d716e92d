-- Heimdall schema, version 1. Runs unchanged on PGlite and PostgreSQL (with or without TimescaleDB).
-- Time-series tables (heartbeats, detections, anomalies, spectrum_tiles, audit_log) have their time
-- column in the primary key so TimescaleDB can make them hypertables (see database/timescale.ts).

-- Receiver nodes. `status` (online/offline) is derived from last_heartbeat_at when read, so it can
-- never disagree with the heartbeats. The ingest counters are updated once per committed batch.
CREATE TABLE nodes (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  latitude double precision CHECK (latitude BETWEEN -90 AND 90),
  longitude double precision CHECK (longitude BETWEEN -180 AND 180),
  altitude_m double precision,
  capabilities jsonb NOT NULL DEFAULT '{}'::jsonb,
  groups text[] NOT NULL DEFAULT '{}',
  tags text[] NOT NULL DEFAULT '{}',
  last_heartbeat_at timestamptz,
  -- frames (all message kinds) stored, duplicates dropped, sequence gaps seen
  frames_received bigint NOT NULL DEFAULT 0,
  duplicates bigint NOT NULL DEFAULT 0,
  sequence_gaps bigint NOT NULL DEFAULT 0,
  -- every sequence below this one is stored (what the ingest acks after a restart)
  next_sequence bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE UNIQUE INDEX nodes_name_key ON nodes (name);
CREATE INDEX nodes_groups_idx ON nodes USING gin (groups);
CREATE INDEX nodes_tags_idx ON nodes USING gin (tags);

-- Health reports from nodes.
CREATE TABLE heartbeats (
  node_id uuid NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
  time timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  cpu_percent real,
  memory_used_bytes bigint,
  memory_total_bytes bigint,
  disk_free_bytes bigint,
  temperature_c real,
  sample_drops bigint,
  clock_source text,
  clock_offset_ms double precision,
  PRIMARY KEY (node_id, time)
);

-- One frequency axis of one node: spectrum frames with the same centre, rate, FFT size and bin
-- count form one band; tiles belong to a band.
CREATE TABLE spectrum_bands (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  node_id uuid NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
  center_hz double precision NOT NULL,
  sample_rate_hz double precision NOT NULL,
  fft_size integer NOT NULL,
  bin_count integer NOT NULL,
  first_at timestamptz NOT NULL,
  last_at timestamptz NOT NULL,
  UNIQUE (node_id, center_hz, sample_rate_hz, fft_size, bin_count)
);

-- Compressed spectrum history (format: @heimdall/protocol tile-codec.ts, deflated). Zoom 0 rows
-- are frames; a row at zoom z aggregates 4^z frames (max-hold and mean planes).
CREATE TABLE spectrum_tiles (
  id bigint GENERATED ALWAYS AS IDENTITY,
  band_id bigint NOT NULL REFERENCES spectrum_bands (id) ON DELETE CASCADE,
  zoom smallint NOT NULL CHECK (zoom >= 0),
  t_start timestamptz NOT NULL,
  t_end timestamptz NOT NULL,
  row_count integer NOT NULL,
  frame_count integer NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (band_id, zoom, t_start, id)
);
-- Tiles are deflated already: spare PostgreSQL a second compression attempt on every write.
ALTER TABLE spectrum_tiles ALTER COLUMN data SET STORAGE EXTERNAL;

-- Signals detected by nodes (or by the server).
CREATE TABLE detections (
  id uuid NOT NULL,
  node_id uuid NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
  start_time timestamptz NOT NULL,
  end_time timestamptz NOT NULL,
  freq_low_hz double precision NOT NULL,
  freq_high_hz double precision NOT NULL,
  snr_db real NOT NULL,
  power_dbfs real NOT NULL,
  class text NOT NULL DEFAULT 'unknown',
  sequence bigint,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (start_time, id),
  CHECK (end_time >= start_time),
  CHECK (freq_high_hz >= freq_low_hz)
);
CREATE INDEX detections_node_time_idx ON detections (node_id, start_time DESC, id DESC);
CREATE INDEX detections_class_time_idx ON detections (class, start_time DESC, id DESC);

-- Departures from what is normal for a node, band and hour.
CREATE TABLE anomalies (
  id uuid NOT NULL,
  node_id uuid REFERENCES nodes (id) ON DELETE CASCADE,
  time timestamptz NOT NULL,
  end_time timestamptz,
  freq_low_hz double precision,
  freq_high_hz double precision,
  kind text NOT NULL,
  score real NOT NULL,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  acknowledged_at timestamptz,
  acknowledged_by uuid,
  PRIMARY KEY (time, id)
);
CREATE INDEX anomalies_node_time_idx ON anomalies (node_id, time DESC);

-- Operator accounts.
CREATE TABLE users (
  id uuid PRIMARY KEY,
  username text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
  created_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);

-- Scan, recording and localization work for nodes.
CREATE TABLE jobs (
  id uuid PRIMARY KEY,
  kind text NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'assigned', 'running', 'succeeded', 'failed', 'cancelled')),
  node_id uuid REFERENCES nodes (id) ON DELETE SET NULL,
  params jsonb NOT NULL DEFAULT '{}'::jsonb,
  result jsonb,
  error text,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz
);
CREATE INDEX jobs_status_idx ON jobs (status, created_at);
CREATE INDEX jobs_node_idx ON jobs (node_id, created_at DESC);

-- Versioned scan plans rolled out to node groups.
CREATE TABLE scan_plans (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  version integer NOT NULL DEFAULT 1,
  spec jsonb NOT NULL,
  target_groups text[] NOT NULL DEFAULT '{}',
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (name, version)
);

-- API keys: only a hash of the secret is stored. A node key writes its own node's data only.
CREATE TABLE api_keys (
  id uuid PRIMARY KEY,
  key_hash text NOT NULL UNIQUE,
  prefix text NOT NULL,
  name text NOT NULL,
  node_id uuid REFERENCES nodes (id) ON DELETE CASCADE,
  user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  CHECK ((node_id IS NULL) <> (user_id IS NULL))
);

-- One-time tokens an operator creates to enroll a node; only a hash is stored.
CREATE TABLE enrollment_tokens (
  id uuid PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  node_name text,
  groups text[] NOT NULL DEFAULT '{}',
  tags text[] NOT NULL DEFAULT '{}',
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  node_id uuid REFERENCES nodes (id) ON DELETE SET NULL
);

-- Who did what, for security review.
CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY,
  time timestamptz NOT NULL DEFAULT now(),
  actor_type text NOT NULL CHECK (actor_type IN ('user', 'node', 'system')),
  actor_id text,
  action text NOT NULL,
  target text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (time, id)
);
