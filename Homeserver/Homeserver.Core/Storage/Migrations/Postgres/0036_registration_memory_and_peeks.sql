-- A registration's UIA session remembers the first request's parameters (without the password), a hash of its
-- password and, once done, the user it registered, so later stages need only the session and a repeated request
-- answers with the same user, as in Synapse.
ALTER TABLE uia_sessions ADD COLUMN client_params TEXT;
ALTER TABLE uia_sessions ADD COLUMN password_hash TEXT;
ALTER TABLE uia_sessions ADD COLUMN registered_user_id TEXT;

-- Peeks (MSC2753): a device following a world-readable room it is not in; its sync shows the room under rooms.peek.
-- A peek takes a position of the account_data stream, a per-user stream, so a sync tells a peek begun since its token.
CREATE TABLE room_peeks (
    user_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    room_id TEXT NOT NULL,
    stream_id BIGINT NOT NULL,
    PRIMARY KEY (user_id, device_id, room_id)
);
CREATE INDEX room_peeks_room ON room_peeks (room_id);
