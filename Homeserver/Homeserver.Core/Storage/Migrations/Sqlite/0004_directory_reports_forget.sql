-- Content reports (events and, with event_id NULL, whole rooms) and rooms users have forgotten.

CREATE TABLE event_reports (
    report_id INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id TEXT NOT NULL,
    event_id TEXT,
    reporter TEXT NOT NULL,
    reason TEXT,
    score INTEGER,
    received_ts INTEGER NOT NULL
);
CREATE INDEX event_reports_room ON event_reports(room_id, received_ts);

-- event_id is the membership event (leave or ban) that was forgotten: a later membership event
-- (re-invite, re-join) replaces it in room_memberships, which un-forgets the room without a write here.
CREATE TABLE room_forgotten (
    user_id TEXT NOT NULL,
    room_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    forgotten_ts INTEGER NOT NULL,
    PRIMARY KEY (user_id, room_id)
);
