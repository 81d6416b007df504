-- The answer given to each transaction another server pushed (PUT /_matrix/federation/v1/send/{txnId}), so that a
-- retry of the same transaction, even after a restart, gets the same answer and applies nothing twice. Rows older
-- than a day are deleted: a sender retries within minutes, not days.
CREATE TABLE received_transactions (
    origin TEXT NOT NULL,
    txn_id TEXT NOT NULL,
    response_json TEXT NOT NULL,
    received_ts INTEGER NOT NULL,
    PRIMARY KEY (origin, txn_id)
);
CREATE INDEX received_transactions_ts ON received_transactions (received_ts);

-- Events from other servers that the authorisation rules refused (spec "Rejection"): not in the timeline or the
-- state, but remembered, so an event naming one of them as an auth event is rejected too and a retry is not
-- checked again. Events dropped for a bad signature or format are not recorded: their ID proves nothing.
CREATE TABLE rejected_events (
    event_id TEXT PRIMARY KEY,
    room_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    json TEXT NOT NULL,
    received_ts INTEGER NOT NULL
);
