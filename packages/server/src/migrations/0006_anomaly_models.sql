-- Anomaly models, versioned per node: each training (automatic, or later by an operator) stores a
-- new version with its training window and the metrics measured on held-out data. One version per
-- node is active: the one the engine monitors with; activating an older one is the rollback.
-- `model` holds the model-file serialization (@heimdall/intel serializeModel) as bytes, so a
-- stored model is read with the same format and version checks as a file; `plan_key` names the
-- frequency plan it was learned on (a retuned node does not reuse it).
CREATE TABLE anomaly_models (
  id uuid PRIMARY KEY,
  node_id uuid NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
  version integer NOT NULL,
  format_version integer NOT NULL,
  model bytea NOT NULL,
  plan_key text NOT NULL,
  training_from timestamptz NOT NULL,
  training_to timestamptz NOT NULL,
  metrics jsonb NOT NULL,
  active boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  UNIQUE (node_id, version)
);
CREATE UNIQUE INDEX anomaly_models_active_idx ON anomaly_models (node_id) WHERE active;
