-- A user's own push rules. position orders the rules of one kind, lowest first (most important).
CREATE TABLE push_rules (
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    -- JSON array; override and underride rules only.
    conditions TEXT,
    -- Content rules only.
    pattern TEXT,
    actions TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    PRIMARY KEY (user_id, kind, rule_id)
);
-- What a user changed on a server-default rule; a NULL column leaves the default's value.
CREATE TABLE push_rule_defaults (
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    enabled BIGINT,
    actions TEXT,
    PRIMARY KEY (user_id, kind, rule_id)
);
