-- Singletons among the nodes sharing this database: each background sender (push, federation, application services)
-- runs on the node holding its lease, which renews it well before expires_at; another node takes it once it expires.
-- Times are the database's clock, so the nodes' clocks need not agree.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
