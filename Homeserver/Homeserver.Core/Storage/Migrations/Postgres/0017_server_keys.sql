-- Other servers' signing keys, as fetched from them or from a notary, each signature checked. A current key
-- (verify_keys) has no expired_ts and verifies what is dated up to valid_until_ts; an old key (old_verify_keys)
-- verifies events dated before its expired_ts.
CREATE TABLE server_keys (
    server_name TEXT NOT NULL,
    key_id TEXT NOT NULL,
    public_key TEXT NOT NULL,
    valid_until_ts BIGINT NOT NULL,
    expired_ts BIGINT,
    fetched_ts BIGINT NOT NULL,
    PRIMARY KEY (server_name, key_id)
);
