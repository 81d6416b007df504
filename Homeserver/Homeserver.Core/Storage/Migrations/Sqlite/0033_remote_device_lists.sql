-- Other servers' users' device lists, kept for users sharing a room with ours: filled from their server's
-- /user/devices (a resync), then kept current by their m.device_list_update EDUs. stream_id is the owner's position
-- of the last change applied, against which the next update's prev_id is checked.
CREATE TABLE remote_device_lists (
    user_id TEXT PRIMARY KEY,
    stream_id INTEGER NOT NULL,
    master_key TEXT,
    self_signing_key TEXT
);

-- A cached user's devices; key_json is null for a device that uploaded no keys.
CREATE TABLE remote_devices (
    user_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    key_json TEXT,
    display_name TEXT,
    PRIMARY KEY (user_id, device_id)
);
