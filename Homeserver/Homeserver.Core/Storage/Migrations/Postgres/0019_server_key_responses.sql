-- The latest key response of each other server, as the server signed it (its own signatures only), so that we can
-- answer notary queries (/_matrix/key/v2/query) with it, adding our signature. valid_until_ts is the response's own.
CREATE TABLE server_key_responses (
    server_name TEXT NOT NULL PRIMARY KEY,
    response_json TEXT NOT NULL,
    valid_until_ts BIGINT NOT NULL,
    fetched_ts BIGINT NOT NULL
);
