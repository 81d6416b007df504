-- Media repository metadata. File contents live in the content store, named by their SHA-256,
-- so identical uploads share one file; a file is deleted with its last referencing row.
CREATE TABLE media (
    media_id TEXT NOT NULL PRIMARY KEY,
    uploader TEXT NOT NULL,
    content_type TEXT,
    upload_name TEXT,
    size_bytes BIGINT,
    sha256 TEXT,
    created_ts BIGINT NOT NULL,
    uploaded_ts BIGINT,
    expires_ts BIGINT
);
CREATE INDEX media_uploader ON media(uploader);
CREATE INDEX media_sha256 ON media(sha256);

CREATE TABLE media_thumbnails (
    media_id TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    method TEXT NOT NULL,
    animated BOOLEAN NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (media_id, width, height, method, animated)
);
CREATE INDEX media_thumbnails_sha256 ON media_thumbnails(sha256);
