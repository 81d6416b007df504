-- PostgreSQL moves idle writers' stream positions along at each commit here. A SQLite database has one writer, whose
-- row is always the highest: nothing changes.
SELECT 1;
