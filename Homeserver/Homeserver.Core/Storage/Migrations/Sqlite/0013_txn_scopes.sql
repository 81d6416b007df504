-- A transaction ID is scoped to the device and to the request path it was sent on (spec "Transaction
-- identifiers"): the same ID on another room, event type or endpoint is a new request. The scope is the path
-- without the transaction ID. Existing rows take the path they must have come from.
CREATE TABLE client_txns_scoped (
    user_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    txn_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    created_ts INTEGER NOT NULL,
    PRIMARY KEY (user_id, device_id, scope, txn_id)
);
INSERT INTO client_txns_scoped (user_id, device_id, scope, txn_id, event_id, created_ts)
SELECT t.user_id, t.device_id,
       CASE WHEN t.txn_id LIKE 'redact:%'
            THEN 'redact/' || e.room_id || '/' || COALESCE(json_extract(e.json, '$.content.redacts'), json_extract(e.json, '$.redacts'), '')
            ELSE 'send/' || e.room_id || '/' || e.event_type END,
       CASE WHEN t.txn_id LIKE 'redact:%' THEN substr(t.txn_id, 8) ELSE t.txn_id END,
       t.event_id, t.created_ts
FROM client_txns t JOIN events e ON e.event_id = t.event_id;
DROP TABLE client_txns;
ALTER TABLE client_txns_scoped RENAME TO client_txns;
-- unsigned.transaction_id: the sending device's ID for each event it is shown.
CREATE INDEX client_txns_event ON client_txns(event_id);

CREATE TABLE to_device_txns_scoped (
    user_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    txn_id TEXT NOT NULL,
    created_ts INTEGER NOT NULL,
    PRIMARY KEY (user_id, device_id, scope, txn_id)
);
-- The event type of an earlier sendToDevice was not kept, so old IDs keep a scope no new request has.
INSERT INTO to_device_txns_scoped (user_id, device_id, scope, txn_id, created_ts)
SELECT user_id, device_id, '', txn_id, created_ts FROM to_device_txns;
DROP TABLE to_device_txns;
ALTER TABLE to_device_txns_scoped RENAME TO to_device_txns;
