-- When a write that drew a stream position commits, every row of that stream that no other transaction holds (writers
-- with nothing in flight, this write's own row among them) moves up to the stream's highest committed position or
-- the one drawn, whichever is higher, in the same commit. Readers stand at the lowest row, so before this a commit
-- left readers below it until the periodic catch-up, or the waker's catch-up write, moved the idle writers along: a
-- write and a round trip on the path of every delivery with several nodes, or several writer rows on one node.
-- Locked rows are skipped, never waited for, so this cannot deadlock; a writer that wants a row locked here waits
-- only for this commit, and then draws above the position it was moved to. Two commits at once may each skip the
-- other's row; the waker's check (StreamVisibility) covers that case.
CREATE FUNCTION stream_positions_advance_idle() RETURNS trigger AS $$
DECLARE top bigint;
BEGIN
    SELECT GREATEST(NEW.position, MAX(position)) INTO top FROM stream_positions WHERE stream_name = NEW.stream_name;
    UPDATE stream_positions p SET position = top
    WHERE p.stream_name = NEW.stream_name AND p.position < top
      AND (p.stream_name, p.instance_name) IN (
          SELECT stream_name, instance_name FROM stream_positions
          WHERE stream_name = NEW.stream_name AND position < top
          FOR UPDATE SKIP LOCKED);
    RETURN NULL;
END $$ LANGUAGE plpgsql;

-- Deferred to the commit, so the idle rows are held only while it completes. Updates made by the function itself
-- (trigger depth 1) queue nothing.
CREATE CONSTRAINT TRIGGER stream_positions_advance_idle
    AFTER UPDATE OF position ON stream_positions
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (pg_trigger_depth() = 0 AND NEW.position > OLD.position)
    EXECUTE FUNCTION stream_positions_advance_idle();
