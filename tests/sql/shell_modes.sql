-- The shell's output modes and settings on one small table.
CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, note TEXT);
INSERT INTO t VALUES (1, 'alice', 9.5, 'says "hi", twice'), (2, 'bob', NULL, NULL), (3, 'zoë', 10.0, '');
.mode csv
SELECT * FROM t ORDER BY id;
.mode column
SELECT * FROM t ORDER BY id;
.mode box
SELECT id, name FROM t ORDER BY id;
.mode json
SELECT * FROM t ORDER BY id;
.nullvalue NULL
.mode line
SELECT id, name, score FROM t WHERE id < 3 ORDER BY id;
.mode list
.separator ;
SELECT id, score, note FROM t ORDER BY id;
.separator |
.headers off
SELECT count(*) FROM t;
.headers on
.print printed text
.tables
.schema t
-- empty results print nothing, not even headers
SELECT * FROM t WHERE id > 100;
.mode json
SELECT * FROM t WHERE id > 100;
.mode list
.nosuchcommand
.mode nosuchmode
SELECT 'still running' AS status;
