-- URL previews (GET /preview_url): each answer kept with when its page was fetched, so repeated requests and other
-- nodes answer from here, and a request's ts finds the preview as it was then.
CREATE TABLE url_previews (
    url TEXT NOT NULL,
    fetched_ts BIGINT NOT NULL,
    expires_ts BIGINT NOT NULL,
    og TEXT NOT NULL,
    PRIMARY KEY (url, fetched_ts)
);
CREATE INDEX url_previews_expires ON url_previews (expires_ts);
