-- Secrets the servers share, generated once by the first server that needs them (e.g. the key
-- that signs access tokens), so every server on one database accepts the others' tokens.
CREATE TABLE server_secrets (
  name text PRIMARY KEY,
  value bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The agent software version a node reported with each heartbeat.
ALTER TABLE heartbeats ADD COLUMN agent_version text;
