-- PostgreSQL gains one position sequence per stream here, for several writer instances. A SQLite database has
-- one writer (the data directory lock), which draws one past the stream's highest position: nothing changes.
SELECT 1;
