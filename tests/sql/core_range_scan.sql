-- Range scans by primary key and by index, with aggregates over the rows
-- they read: in autocommit (a read transaction) and inside a write
-- transaction whose own changes the scans must see; rows with long texts
-- (long type codes, values in overflow pages), rows stored before a column
-- was added, NULL rows of a LEFT JOIN, the rowid as an argument.
CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b TEXT, c REAL);
CREATE INDEX t_a ON t (a);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
INSERT INTO t SELECT i, i % 50, CASE WHEN i % 7 = 0 THEN printf('%.*c', 100 + i * 20, 'x') ELSE 'r' || i END, i * 0.5 FROM n;
SELECT sum(c), count(*), count(b), min(id), max(id) FROM t WHERE id BETWEEN 100 AND 199;
SELECT sum(length(b)), count(*) FROM t WHERE id BETWEEN 60 AND 80;
SELECT id, length(b) FROM t WHERE id > 495 ORDER BY id DESC;
SELECT count(*), sum(c), sum(id), sum(rowid) FROM t WHERE a BETWEEN 10 AND 12;
SELECT a, count(*), sum(length(b)) FROM t WHERE a BETWEEN 6 AND 7 GROUP BY a;
ALTER TABLE t ADD COLUMN d INTEGER DEFAULT 7;
INSERT INTO t (id, a, b, c, d) VALUES (501, 1, 'new', 1.0, 8);
SELECT sum(d), count(d), sum(c) FROM t WHERE id BETWEEN 495 AND 510;
BEGIN;
UPDATE t SET c = c + 1000 WHERE id BETWEEN 100 AND 109;
DELETE FROM t WHERE id BETWEEN 110 AND 119;
SELECT sum(c), count(*) FROM t WHERE id BETWEEN 100 AND 199;
SELECT count(*), sum(c) FROM t WHERE a BETWEEN 10 AND 12;
ROLLBACK;
SELECT sum(c), count(*) FROM t WHERE id BETWEEN 100 AND 199;
CREATE TABLE u (id INTEGER PRIMARY KEY, t_id INTEGER, x INTEGER);
INSERT INTO u VALUES (1, 10, 5), (2, 9999, 6), (3, 20, NULL);
SELECT count(*), count(t.c), sum(t.c), sum(u.x), max(t.id) FROM u LEFT JOIN t ON t.id = u.t_id WHERE u.id BETWEEN 1 AND 3;
