-- sqlite_sequence shows the AUTOINCREMENT high-water marks, and .dump carries
-- them: a table reloaded from a dump never hands out a rowid it gave before,
-- even one whose row was deleted.
CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, x);
CREATE TABLE u(id INTEGER PRIMARY KEY AUTOINCREMENT, y);
CREATE TABLE plain(id INTEGER PRIMARY KEY, z);
INSERT INTO t(x) VALUES('a'), ('b'), ('c');
DELETE FROM t WHERE id = 3;
INSERT INTO plain(z) VALUES(1);
SELECT * FROM sqlite_sequence;
-- the marks can be set, changed and removed as in SQLite
INSERT INTO sqlite_sequence VALUES('u', 100);
UPDATE sqlite_sequence SET seq = seq + 5 WHERE name = 'u';
SELECT name, seq FROM sqlite_sequence ORDER BY seq DESC;
INSERT INTO u(y) VALUES('first');
SELECT * FROM u;
DELETE FROM sqlite_sequence WHERE name = 'u';
SELECT count(*) FROM sqlite_sequence;
INSERT INTO sqlite_sequence(name, seq) SELECT 'u', 200;
-- what SQLite would store but never read is refused
INSERT INTO sqlite_sequence VALUES('plain', 5);
INSERT INTO sqlite_sequence VALUES('t', 'many');
UPDATE sqlite_sequence SET name = 'v';
INSERT INTO sqlite_sequence(seq) VALUES(1);
.dump
.output autoinc.sql
.dump
.output
CREATE BRANCH copy FROM main;
USE BRANCH copy;
DROP TABLE t;
DROP TABLE u;
DROP TABLE plain;
SELECT count(*) FROM sqlite_sequence;
.read autoinc.sql
SELECT * FROM sqlite_sequence;
INSERT INTO t(x) VALUES('d');
INSERT INTO u(y) VALUES('second');
SELECT * FROM t;
SELECT * FROM u;
-- the marks are the branch's own
USE BRANCH main;
SELECT * FROM sqlite_sequence;
