-- Simplified sliding sync (MSC4186): a client's connections, one per (user, device, conn_id), and the positions
-- handed out on each. A position holds what the connection has sent of each room, so a client that lost a response
-- retries its last position and gets a correct answer, and connections outlive a restart.
CREATE TABLE sliding_sync_connections (
    connection_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    conn_id TEXT NOT NULL,
    created_ts BIGINT NOT NULL,
    last_used_ts BIGINT NOT NULL,
    UNIQUE (user_id, device_id, conn_id)
);
CREATE INDEX sliding_sync_connections_last_used ON sliding_sync_connections(last_used_ts);
CREATE TABLE sliding_sync_positions (
    position_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    connection_id BIGINT NOT NULL REFERENCES sliding_sync_connections(connection_id) ON DELETE CASCADE,
    rooms TEXT NOT NULL
);
CREATE INDEX sliding_sync_positions_connection ON sliding_sync_positions(connection_id);
