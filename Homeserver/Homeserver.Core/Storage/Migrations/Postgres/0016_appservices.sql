-- Where each application service's transactions stand (spec "Pushing events"). Events are delivered in stream order
-- from events_position; a transaction in flight is recorded before it is sent (pending_txn_id, up to
-- pending_position), so after a failure or a restart the same transaction ID is sent again with the same events.
CREATE TABLE appservice_states (
    as_id TEXT PRIMARY KEY,
    events_position BIGINT NOT NULL,
    last_txn_id BIGINT NOT NULL,
    pending_txn_id BIGINT,
    pending_position BIGINT,
    pending_event_ids TEXT,
    last_success_ts BIGINT,
    last_failure_ts BIGINT,
    last_error TEXT
);
