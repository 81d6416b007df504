-- Pushers: where a user's device wants notifications sent (a push gateway, or a Web Push subscription).
-- Deleting the device (logout, device deletion) deletes its pushers.
CREATE TABLE pushers (
    user_id TEXT NOT NULL,
    app_id TEXT NOT NULL,
    pushkey TEXT NOT NULL,
    device_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    app_display_name TEXT NOT NULL,
    device_display_name TEXT NOT NULL,
    profile_tag TEXT,
    lang TEXT NOT NULL,
    -- The pusher's data object as JSON (url, format, auth and any custom keys).
    data TEXT NOT NULL,
    pushkey_ts BIGINT NOT NULL,
    -- The stream ordering of the last event_push_actions row this pusher has handled (sent, skipped or
    -- dropped); delivery resumes after it, also after a restart.
    last_stream_ordering BIGINT NOT NULL,
    -- Web Push activation (MSC4174): pending token and when it was issued; activated once acknowledged.
    activated BOOLEAN NOT NULL,
    ack_token TEXT,
    ack_token_ts BIGINT,
    PRIMARY KEY (user_id, app_id, pushkey),
    FOREIGN KEY (user_id, device_id) REFERENCES devices(user_id, device_id) ON DELETE CASCADE
);
CREATE INDEX pushers_app_pushkey ON pushers(app_id, pushkey);
CREATE INDEX pushers_device ON pushers(user_id, device_id);
