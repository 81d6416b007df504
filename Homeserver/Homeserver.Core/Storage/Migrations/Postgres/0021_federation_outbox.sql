-- Outbound federation (docs/federation.md, "Sending"). Each persisted event queues one row per destination server
-- in the transaction that persists it, so a crash loses none and a destination's queue is exactly what it still
-- needs; rows are deleted when the transaction carrying them is acknowledged (or refused for good). A transaction
-- is recorded before it is sent (pending_txn_id, and the rows marked with its txn_id), so a retry sends the same
-- PDUs and EDUs under the same ID. retry_last_ts and retry_interval hold the destination's backoff, in
-- milliseconds, 0 when it is up.
CREATE TABLE federation_destinations (
    destination TEXT PRIMARY KEY,
    retry_last_ts BIGINT NOT NULL DEFAULT 0,
    retry_interval BIGINT NOT NULL DEFAULT 0,
    last_txn_id BIGINT NOT NULL DEFAULT 0,
    pending_txn_id TEXT,
    last_success_ts BIGINT,
    last_error TEXT
);

CREATE TABLE federation_outbox_pdus (
    destination TEXT NOT NULL,
    stream_ordering BIGINT NOT NULL,
    room_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    txn_id TEXT,
    PRIMARY KEY (destination, stream_ordering)
);
CREATE INDEX federation_outbox_pdus_room ON federation_outbox_pdus (destination, room_id, stream_ordering);

CREATE TABLE federation_outbox_edus (
    edu_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    destination TEXT NOT NULL,
    edu_type TEXT NOT NULL,
    content TEXT NOT NULL,
    txn_id TEXT
);
CREATE INDEX federation_outbox_edus_destination ON federation_outbox_edus (destination, edu_id);
