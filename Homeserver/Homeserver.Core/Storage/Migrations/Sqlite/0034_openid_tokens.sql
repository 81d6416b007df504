-- OpenID tokens (POST /user/{userId}/openid/request_token): a third party shows one to our federation endpoint
-- /openid/userinfo to learn whose it is. Only a digest of the token is kept, as for refresh tokens.
CREATE TABLE openid_tokens (
    token_hash TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL,
    valid_until_ts INTEGER NOT NULL
);
CREATE INDEX openid_tokens_valid_until ON openid_tokens (valid_until_ts);
