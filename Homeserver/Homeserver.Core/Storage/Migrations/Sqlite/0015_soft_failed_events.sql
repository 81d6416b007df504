-- Events allowed by their own auth events and the state before them, but not by the room's current state
-- (spec "Soft failure"): kept out of the timeline, so no read serves them and no event builds on them.
CREATE TABLE soft_failed_events (
    event_id TEXT PRIMARY KEY,
    room_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    json TEXT NOT NULL,
    received_ts INTEGER NOT NULL
);
