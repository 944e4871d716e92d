-- What agents report about their receiver and their store-and-forward spool with each heartbeat
-- (all nullable: older agents send none of it). Counters are per heartbeat interval.
ALTER TABLE heartbeats ADD COLUMN receiver_state text;
ALTER TABLE heartbeats ADD COLUMN receiver_message text;
ALTER TABLE heartbeats ADD COLUMN overruns bigint;
ALTER TABLE heartbeats ADD COLUMN spool_frames bigint;
ALTER TABLE heartbeats ADD COLUMN spool_bytes bigint;
ALTER TABLE heartbeats ADD COLUMN spool_dropped bigint;
