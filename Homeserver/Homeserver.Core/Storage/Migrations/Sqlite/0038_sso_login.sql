-- Single sign-on (CAS). A login token is handed to the client's redirect URL after the identity provider vouched for
-- the user, and exchanged once at POST /login (m.login.token); only its digest is kept, so any node can take it.
CREATE TABLE login_tokens (
    token_hash TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL,
    valid_until_ts INTEGER NOT NULL
);
CREATE INDEX login_tokens_valid_until ON login_tokens (valid_until_ts);

-- Which identity provider user stands for which local account, recorded at the first SSO login.
CREATE TABLE user_external_ids (
    auth_provider TEXT NOT NULL,
    external_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (auth_provider, external_id)
);
CREATE INDEX user_external_ids_user ON user_external_ids (user_id);

-- The local user an m.login.sso UIA stage proved, or '' when the identity provider's user was someone else.
ALTER TABLE uia_sessions ADD COLUMN sso_user_id TEXT;
