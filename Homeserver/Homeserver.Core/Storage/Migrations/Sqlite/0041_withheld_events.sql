-- Whether clients are shown an event is decided when it is stored, not at every read: another server's redaction of
-- another room's event is an event of its room (other servers build on it) that no client is shown.
ALTER TABLE events ADD COLUMN withheld INTEGER NOT NULL DEFAULT 0;

-- Other servers' redactions whose target was not held when they were stored. When the target arrives, the wait ends,
-- and a redaction of another room's event is withheld from then on.
CREATE TABLE awaited_redactions (
    event_id TEXT NOT NULL PRIMARY KEY,
    room_id TEXT NOT NULL,
    redacts TEXT NOT NULL
);
CREATE INDEX awaited_redactions_redacts ON awaited_redactions(redacts);

-- The redactions stored before: reads compared each with its target as it is now, and so does this. Room versions 11
-- and 12 hold the target in content.redacts, earlier ones at the top of the PDU.
CREATE TEMP TABLE stored_redactions AS
SELECT e.event_id, e.room_id,
       CASE WHEN r.room_version IN ('11', '12') THEN json_extract(e.json, '$.content.redacts') ELSE json_extract(e.json, '$.redacts') END AS redacts
FROM events e JOIN rooms r ON r.room_id = e.room_id
WHERE e.event_type = 'm.room.redaction';

UPDATE events SET withheld = 1 WHERE event_id IN (
    SELECT s.event_id FROM stored_redactions s
    WHERE EXISTS (SELECT 1 FROM events t WHERE t.event_id = s.redacts AND t.room_id <> s.room_id)
       OR EXISTS (SELECT 1 FROM outlier_events t WHERE t.event_id = s.redacts AND t.room_id <> s.room_id));

INSERT INTO awaited_redactions (event_id, room_id, redacts)
SELECT s.event_id, s.room_id, s.redacts FROM stored_redactions s
WHERE typeof(s.redacts) = 'text'
  AND NOT EXISTS (SELECT 1 FROM events t WHERE t.event_id = s.redacts)
  AND NOT EXISTS (SELECT 1 FROM outlier_events t WHERE t.event_id = s.redacts);

DROP TABLE stored_redactions;
