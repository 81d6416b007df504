-- Third-party IDs a user proves by mail (spec "Adding Account Administrative Contact Information"): a validation
-- session per requestToken, holding only a digest of the token mailed; the session is spent once by the account or
-- registration it validated. failed_attempts counts wrong tokens, so a session cannot be guessed at without end.
CREATE TABLE threepid_validation_sessions (
    session_id TEXT NOT NULL PRIMARY KEY,
    medium TEXT NOT NULL,
    address TEXT NOT NULL,
    client_secret TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    send_attempt BIGINT NOT NULL,
    created_ts BIGINT NOT NULL,
    validated_ts BIGINT,
    failed_attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX threepid_validation_sessions_secret ON threepid_validation_sessions (client_secret, medium, address);
CREATE INDEX threepid_validation_sessions_created ON threepid_validation_sessions (created_ts);

-- Which identity servers this server bound an account's third-party IDs at, to unbind them there later.
CREATE TABLE user_threepid_id_servers (
    user_id TEXT NOT NULL,
    medium TEXT NOT NULL,
    address TEXT NOT NULL,
    id_server TEXT NOT NULL,
    PRIMARY KEY (user_id, medium, address, id_server)
);

-- The validation session a registration's UIA session completed m.login.email.identity with.
ALTER TABLE uia_sessions ADD COLUMN threepid_session TEXT;
