-- Events of a room we hold without placing them in its timeline (outliers): the state and auth chain a resident
-- server sent when we joined over federation. Lookups by event ID (auth events, state maps) find them; timeline
-- reads never do, and they have no position in the events stream nor a state of their own.
CREATE TABLE outlier_events (
    event_id TEXT NOT NULL PRIMARY KEY,
    room_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    state_key TEXT,
    sender TEXT NOT NULL,
    depth INTEGER NOT NULL,
    origin_server_ts INTEGER NOT NULL,
    json TEXT NOT NULL,
    received_ts INTEGER NOT NULL
);
CREATE INDEX outlier_events_room ON outlier_events(room_id);

-- A membership of one of our users in a room we are not in (an invite another server sent, a knock, the leave that
-- ends either): the event is an outlier, and the stripped state that came with an invite or a knock (a JSON array)
-- is what /sync shows the user about the room.
CREATE TABLE remote_memberships (
    room_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    stripped_state TEXT NOT NULL,
    PRIMARY KEY (room_id, user_id)
);
