-- Application services' positions in the streams besides events (receipts, presence, to-device, device lists) as a
-- JSON object, and what the transaction in flight carries besides its events: its ephemeral, to-device and device
-- fields as sent (pending_extra), the positions it moves to (pending_stream_positions) and the to-device messages it
-- delivers, which leave the inbox only once the service has taken it (pending_to_device, their stream IDs).
ALTER TABLE appservice_states ADD COLUMN stream_positions TEXT;
ALTER TABLE appservice_states ADD COLUMN pending_stream_positions TEXT;
ALTER TABLE appservice_states ADD COLUMN pending_extra TEXT;
ALTER TABLE appservice_states ADD COLUMN pending_to_device TEXT;
