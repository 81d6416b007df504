-- unsigned.transaction_id looks up the sending device's IDs for the events of a page. On the event ID alone the
-- planner preferred the primary key's (user, device) prefix, which reads every transaction the device ever sent, once
-- per room of a sync: quadratic for an account that wrote much. With user and device in this index it is the one
-- that matches every condition of the lookup.
DROP INDEX client_txns_event;
CREATE INDEX client_txns_event ON client_txns(event_id, user_id, device_id);
