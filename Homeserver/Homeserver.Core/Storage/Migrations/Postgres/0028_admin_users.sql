-- Synapse's admin API for users: the account flags it reads and sets, the third-party IDs an admin gives an account,
-- per-user rate-limit overrides, and registration tokens kept in the database (beside the config's).
ALTER TABLE users ADD COLUMN user_type TEXT;
ALTER TABLE users ADD COLUMN is_erased BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN is_shadow_banned BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN is_suspended BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE user_threepids (
    user_id TEXT NOT NULL,
    medium TEXT NOT NULL,
    address TEXT NOT NULL,
    validated_at BIGINT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, medium, address)
);
CREATE INDEX user_threepids_address ON user_threepids (medium, address);

CREATE TABLE ratelimit_overrides (
    user_id TEXT NOT NULL PRIMARY KEY,
    messages_per_second BIGINT NOT NULL,
    burst_count BIGINT NOT NULL
);

-- uses_allowed NULL is unlimited; pending counts registrations that passed the token stage but have not finished.
CREATE TABLE registration_tokens (
    token TEXT NOT NULL PRIMARY KEY,
    uses_allowed BIGINT,
    pending BIGINT NOT NULL DEFAULT 0,
    completed BIGINT NOT NULL DEFAULT 0,
    expiry_time BIGINT
);

-- The database token a registration's UIA session holds a pending use of.
ALTER TABLE uia_sessions ADD COLUMN registration_token TEXT;
