-- Unread counts are summed in every sync of every room: with the counted columns in the index they are read
-- from it alone, without a table lookup per unread notification. It replaces the narrower index it extends.
CREATE INDEX event_push_actions_room_counts ON event_push_actions(user_id, room_id, stream_ordering, thread_id, notif, highlight);
DROP INDEX event_push_actions_room;
