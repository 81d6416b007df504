-- A transaction ID is scoped to the device and to the request path it was sent on (spec "Transaction
-- identifiers"): the same ID on another room, event type or endpoint is a new request. The scope is the path
-- without the transaction ID. Existing rows take the path they must have come from.
ALTER TABLE client_txns DROP CONSTRAINT client_txns_pkey;
ALTER TABLE client_txns ADD COLUMN scope TEXT NOT NULL DEFAULT '';
UPDATE client_txns t SET
    scope = CASE WHEN t.txn_id LIKE 'redact:%'
                 THEN 'redact/' || e.room_id || '/' || COALESCE(e.json::json -> 'content' ->> 'redacts', e.json::json ->> 'redacts', '')
                 ELSE 'send/' || e.room_id || '/' || e.event_type END,
    txn_id = CASE WHEN t.txn_id LIKE 'redact:%' THEN substr(t.txn_id, 8) ELSE t.txn_id END
FROM events e WHERE e.event_id = t.event_id;
ALTER TABLE client_txns ALTER COLUMN scope DROP DEFAULT;
ALTER TABLE client_txns ADD PRIMARY KEY (user_id, device_id, scope, txn_id);
-- unsigned.transaction_id: the sending device's ID for each event it is shown.
CREATE INDEX client_txns_event ON client_txns(event_id);

-- The event type of an earlier sendToDevice was not kept, so old IDs keep a scope no new request has.
ALTER TABLE to_device_txns DROP CONSTRAINT to_device_txns_pkey;
ALTER TABLE to_device_txns ADD COLUMN scope TEXT NOT NULL DEFAULT '';
ALTER TABLE to_device_txns ALTER COLUMN scope DROP DEFAULT;
ALTER TABLE to_device_txns ADD PRIMARY KEY (user_id, device_id, scope, txn_id);
