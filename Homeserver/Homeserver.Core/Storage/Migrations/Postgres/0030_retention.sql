-- Media admin API: when media was last served (what deleting media by age counts), quarantine (served to nobody
-- but admins who ask for it) and protection from quarantine.
ALTER TABLE media ADD COLUMN last_access_ts BIGINT;
ALTER TABLE media ADD COLUMN quarantined_by TEXT;
ALTER TABLE media ADD COLUMN safe_from_quarantine BOOLEAN NOT NULL DEFAULT FALSE;
-- Purged history: a room's timeline starts at this stream position; older events that were kept (state, and local
-- events unless asked) are no longer part of it, as Synapse makes them outliers. Unpurged, it is below every
-- position, backfilled history (negative positions) included.
ALTER TABLE rooms ADD COLUMN history_start BIGINT NOT NULL DEFAULT -9223372036854775807;
