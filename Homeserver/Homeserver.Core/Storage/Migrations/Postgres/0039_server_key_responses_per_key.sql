-- Key responses kept per key ID rather than per server, as Synapse keeps them: each of a server's keys keeps the
-- latest response that carried it, so a later answer lacking an old key (a server that forgot it, or a spurious
-- answer) cannot make the notary forget that key. The old per-server cache is dropped; responses are fetched again.
DROP TABLE server_key_responses;
CREATE TABLE server_key_responses (
    server_name TEXT NOT NULL,
    key_id TEXT NOT NULL,
    response_json TEXT NOT NULL,
    valid_until_ts BIGINT NOT NULL,
    fetched_ts BIGINT NOT NULL,
    PRIMARY KEY (server_name, key_id)
);
