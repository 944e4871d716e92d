-- Sequences a node's ingest stored above next_sequence (after a gap), sorted, at most a few
-- thousand: with next_sequence they are the whole dedupe state, written in the same transaction as
-- the batch's tiles and detections, so a resend after a restart or a failed commit is stored once.
ALTER TABLE nodes ADD COLUMN accepted_above bigint[] NOT NULL DEFAULT '{}';
