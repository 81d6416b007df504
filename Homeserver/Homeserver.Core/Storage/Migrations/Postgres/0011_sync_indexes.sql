-- Incremental sync finds the rooms whose receipts moved with one range read of the receipt stream.
CREATE INDEX receipts_stream_id ON receipts(stream_id);
