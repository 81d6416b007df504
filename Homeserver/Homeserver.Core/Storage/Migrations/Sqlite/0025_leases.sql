-- The same table as on PostgreSQL, so the schemas stay alike; a SQLite database has one node, which holds every
-- lease without asking (Cluster/Leases).
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
