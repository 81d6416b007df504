-- The prev events of a room's timeline events that the timeline does not hold: where backfilling from other
-- servers goes on. successor_ordering is the stream position of the (first) event naming it, so only the
-- extremities at the start of the timeline are backfilled (events fetched there take positions below every other);
-- attempts and next_attempt_ts back off an extremity no server would give.
CREATE TABLE room_backward_extremities (
    room_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    successor_ordering BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_ts BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (room_id, event_id)
);

-- The rooms joined before this table: the prev events their timelines lack.
INSERT INTO room_backward_extremities (room_id, event_id, successor_ordering)
SELECT e.room_id, g.prev_event_id, MIN(e.stream_ordering)
FROM event_edges g JOIN events e ON e.event_id = g.event_id
WHERE NOT EXISTS (SELECT 1 FROM events p WHERE p.event_id = g.prev_event_id)
GROUP BY e.room_id, g.prev_event_id;
