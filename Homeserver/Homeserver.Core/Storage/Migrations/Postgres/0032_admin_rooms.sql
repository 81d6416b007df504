-- The admin API's rooms, moderation and federation part (docs/operations.md).

-- failure_ts: when the current run of failures began, NULL while the destination is up; the stream ordering of the
-- newest event the destination acknowledged.
ALTER TABLE federation_destinations ADD COLUMN failure_ts BIGINT;
ALTER TABLE federation_destinations ADD COLUMN last_successful_stream_ordering BIGINT;

-- Rooms an admin blocked: local users may neither join nor create them. A row may name a room this server never had.
CREATE TABLE blocked_rooms (
    room_id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL,
    blocked_ts BIGINT NOT NULL
);

-- Room deletions run in the background; their row is their status, so it survives a restart. request and result
-- are JSON (what was asked; the shutdown's outcome so far).
CREATE TABLE room_delete_tasks (
    delete_id TEXT NOT NULL PRIMARY KEY,
    room_id TEXT NOT NULL,
    status TEXT NOT NULL,
    request TEXT NOT NULL,
    result TEXT,
    error TEXT,
    created_ts BIGINT NOT NULL,
    updated_ts BIGINT NOT NULL
);
CREATE INDEX room_delete_tasks_room ON room_delete_tasks(room_id, created_ts);

-- Reports of a user (spec v1.13, POST /users/{userId}/report).
CREATE TABLE user_reports (
    report_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_user_id TEXT NOT NULL,
    reporter TEXT NOT NULL,
    reason TEXT NOT NULL,
    received_ts BIGINT NOT NULL
);

-- Each user's server notices room, and the transaction IDs of PUT /send_server_notice/{txnId}.
CREATE TABLE server_notice_rooms (
    user_id TEXT NOT NULL PRIMARY KEY,
    room_id TEXT NOT NULL
);
CREATE TABLE server_notice_txns (
    txn_id TEXT NOT NULL PRIMARY KEY,
    event_id TEXT NOT NULL,
    created_ts BIGINT NOT NULL
);
