-- Accounts
CREATE TABLE users (
    user_id TEXT NOT NULL PRIMARY KEY,
    localpart TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    is_deactivated BOOLEAN NOT NULL DEFAULT FALSE,
    displayname TEXT,
    avatar_url TEXT,
    created_ts BIGINT NOT NULL,
    last_active_ts BIGINT
);

CREATE TABLE devices (
    user_id TEXT NOT NULL REFERENCES users(user_id),
    device_id TEXT NOT NULL,
    display_name TEXT,
    created_ts BIGINT NOT NULL,
    last_seen_ts BIGINT,
    last_seen_ip TEXT,
    last_seen_user_agent TEXT,
    PRIMARY KEY (user_id, device_id)
);

-- One row per live access token; the JWT carries session_id, so deleting the row revokes the token.
CREATE TABLE access_sessions (
    session_id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    created_ts BIGINT NOT NULL,
    expires_ts BIGINT,
    refresh_token_hash TEXT UNIQUE,
    refresh_expires_ts BIGINT,
    FOREIGN KEY (user_id, device_id) REFERENCES devices(user_id, device_id)
);
CREATE INDEX access_sessions_device ON access_sessions(user_id, device_id);

CREATE TABLE uia_sessions (
    session_id TEXT NOT NULL PRIMARY KEY,
    operation_hash TEXT NOT NULL,
    user_id TEXT,
    completed_stages TEXT NOT NULL,
    created_ts BIGINT NOT NULL
);

CREATE TABLE account_data (
    user_id TEXT NOT NULL,
    room_id TEXT NOT NULL,
    data_type TEXT NOT NULL,
    content TEXT NOT NULL,
    stream_id BIGINT NOT NULL,
    PRIMARY KEY (user_id, room_id, data_type)
);

CREATE TABLE user_filters (
    user_id TEXT NOT NULL,
    filter_id BIGINT NOT NULL,
    filter_json TEXT NOT NULL,
    PRIMARY KEY (user_id, filter_id)
);

-- Rooms and their timeline
CREATE TABLE rooms (
    room_id TEXT NOT NULL PRIMARY KEY,
    room_version TEXT NOT NULL,
    creator TEXT NOT NULL,
    name TEXT,
    is_public BOOLEAN NOT NULL DEFAULT FALSE,
    created_ts BIGINT NOT NULL
);

CREATE TABLE events (
    stream_ordering BIGINT NOT NULL PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    room_id TEXT NOT NULL REFERENCES rooms(room_id),
    event_type TEXT NOT NULL,
    state_key TEXT,
    sender TEXT NOT NULL,
    depth BIGINT NOT NULL,
    origin_server_ts BIGINT NOT NULL,
    body TEXT,
    media_url TEXT,
    json TEXT NOT NULL
);
CREATE INDEX events_room_stream ON events(room_id, stream_ordering);

CREATE TABLE room_memberships (
    room_id TEXT NOT NULL REFERENCES rooms(room_id),
    user_id TEXT NOT NULL,
    membership TEXT NOT NULL,
    event_id TEXT NOT NULL,
    stream_ordering BIGINT NOT NULL,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX room_memberships_user ON room_memberships(user_id, membership);

-- Position of each stream (timeline, account data, ...) per writer node.
CREATE TABLE stream_positions (
    stream_name TEXT NOT NULL,
    instance_name TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (stream_name, instance_name)
);
