-- Other servers' media fetched for our users, kept as a cache: evicted least recently used first once the cache is
-- over media.remote_cache_max_size, and by the admin's purge of media not accessed since a time. Content lives in the
-- same content store as local media, under its hash.
CREATE TABLE remote_media_cache (
    origin TEXT NOT NULL,
    media_id TEXT NOT NULL,
    content_type TEXT NOT NULL,
    upload_name TEXT,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_ts BIGINT NOT NULL,
    last_access_ts BIGINT NOT NULL,
    PRIMARY KEY (origin, media_id)
);
CREATE INDEX remote_media_cache_last_access ON remote_media_cache(last_access_ts);
CREATE INDEX remote_media_cache_sha256 ON remote_media_cache(sha256);

-- Thumbnails the origin made of its media, at the sizes we offer; cached and evicted with their media's entry.
CREATE TABLE remote_media_thumbnails (
    origin TEXT NOT NULL,
    media_id TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    method TEXT NOT NULL,
    animated BOOLEAN NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_ts BIGINT NOT NULL,
    last_access_ts BIGINT NOT NULL,
    PRIMARY KEY (origin, media_id, width, height, method, animated)
);
CREATE INDEX remote_media_thumbnails_last_access ON remote_media_thumbnails(last_access_ts);
CREATE INDEX remote_media_thumbnails_sha256 ON remote_media_thumbnails(sha256);
