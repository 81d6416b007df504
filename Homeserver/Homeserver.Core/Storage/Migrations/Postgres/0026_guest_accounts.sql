-- Guest accounts (kind=guest registration): limited to the endpoints the spec's guest access module lists, and only
-- able to join rooms whose m.room.guest_access is can_join. Upgrading a guest to a full account clears the flag.
ALTER TABLE users ADD COLUMN is_guest BOOLEAN NOT NULL DEFAULT FALSE;
