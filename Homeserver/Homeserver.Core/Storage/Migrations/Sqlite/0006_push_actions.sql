-- What push-rule evaluation decided for each recipient of each event that notifies or highlights. Written in
-- the event's persisting transaction, so it is also the durable queue push delivery works through.
CREATE TABLE event_push_actions (
    user_id TEXT NOT NULL,
    room_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    stream_ordering INTEGER NOT NULL,
    -- 'main' for events outside threads, else the thread's root event ID.
    thread_id TEXT NOT NULL,
    notif INTEGER NOT NULL,
    highlight INTEGER NOT NULL,
    -- The rule's actions as JSON, for /notifications and the pushed tweaks.
    actions TEXT NOT NULL,
    ts INTEGER NOT NULL,
    PRIMARY KEY (user_id, event_id)
);
CREATE INDEX event_push_actions_room ON event_push_actions(user_id, room_id, stream_ordering);
CREATE INDEX event_push_actions_stream ON event_push_actions(user_id, stream_ordering);
