-- Several writer instances (nodes) share one database. Positions come from one sequence per stream, so two
-- writers never draw the same one; each writer's row in stream_positions is the highest position it has
-- committed, locked from the moment it draws until its transaction ends, so its own positions commit in order.
DO $$
DECLARE s text;
BEGIN
    FOREACH s IN ARRAY ARRAY['events', 'account_data', 'receipts', 'presence', 'to_device', 'device_lists',
                             'state_groups', 'e2e_one_time_keys', 'room_key_backup_versions'] LOOP
        EXECUTE format('CREATE SEQUENCE stream_seq_%s', s);
        PERFORM setval(format('stream_seq_%s', s),
                       COALESCE((SELECT MAX(position) FROM stream_positions WHERE stream_name = s), 0) + 1, false);
    END LOOP;
END $$;

-- The lock is taken before the number is drawn, so a writer's later draw is always the higher one. A writer's
-- first row starts at the stream's highest committed position: it has nothing in flight below that.
CREATE FUNCTION stream_next_position(stream text, instance text) RETURNS bigint AS $$
DECLARE drawn bigint;
BEGIN
    PERFORM 1 FROM stream_positions WHERE stream_name = stream AND instance_name = instance FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO stream_positions (stream_name, instance_name, position)
        VALUES (stream, instance, COALESCE((SELECT MAX(position) FROM stream_positions WHERE stream_name = stream), 0))
        ON CONFLICT DO NOTHING;
        PERFORM 1 FROM stream_positions WHERE stream_name = stream AND instance_name = instance FOR UPDATE;
    END IF;
    drawn := nextval(format('stream_seq_%s', stream));
    UPDATE stream_positions SET position = drawn WHERE stream_name = stream AND instance_name = instance;
    RETURN drawn;
END $$ LANGUAGE plpgsql;
