-- .dump writes SQL that rebuilds the tables (parents before the tables that
-- reference them), rows (exact REALs, blobs, infinities, quotes, line breaks),
-- views and indexes; read back into another branch it dumps the same.
-- .output sends output to a file; .import reads CSV into a new or existing table.
CREATE TABLE child(id INTEGER PRIMARY KEY, pid REFERENCES parent(id), note TEXT);
CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT NOT NULL, r REAL, b BLOB, "odd ""name""" INT);
CREATE INDEX pn ON parent(name);
CREATE VIEW v AS SELECT p.name, c.note FROM parent p JOIN child c ON c.pid = p.id;
INSERT INTO parent VALUES(1, 'it''s', 0.1, x'00ff', 1), (2, 'b', 1e999, NULL, NULL);
INSERT INTO parent VALUES(3, 'c', 1.0, x'', 3), (4, 'd', 123456789.123456789, 'text', -1e999);
INSERT INTO child VALUES(10, 1, 'x'), (11, 2, NULL), (12, NULL, 'line
break');
-- a text holding a NUL byte, and rows that reference each other (loadable
-- because the dump turns foreign key checks off while it is read)
INSERT INTO parent VALUES(5, CAST(X'61006227' AS TEXT), NULL, NULL, NULL);
PRAGMA foreign_keys = OFF;
CREATE TABLE emp(id INTEGER PRIMARY KEY, boss REFERENCES emp(id));
INSERT INTO emp VALUES(2, 5), (5, 2);
PRAGMA foreign_keys = ON;
.dump
.dump par%
.output dump.sql
.dump
.output
CREATE BRANCH copy FROM main;
USE BRANCH copy;
DROP VIEW v;
DROP TABLE child;
DROP TABLE emp;
DROP TABLE parent;
.read dump.sql
PRAGMA foreign_keys;
PRAGMA foreign_keys = ON;
.output dump2.sql
.dump
.output
SELECT count(*) FROM child;
SELECT * FROM emp ORDER BY id;
SELECT hex(name), typeof(name) FROM parent WHERE id = 5;
SELECT r = 123456789.123456789, typeof(b), hex(b) FROM parent WHERE id = 4;
SELECT name, note FROM v ORDER BY name;
-- CSV written by the csv mode comes back as it was
.mode csv
.output people.csv
SELECT child.id, name, note FROM child LEFT JOIN parent ON pid = parent.id ORDER BY child.id;
.output
.import --csv people.csv people
.mode list
SELECT * FROM people;
SELECT typeof(id), count(*) FROM people GROUP BY 1;
-- an existing table takes every record; short ones get NULLs, long ones are cut
CREATE TABLE nums(a INTEGER, b TEXT, c);
.headers off
.output raw.csv
SELECT '1,one,x' UNION ALL SELECT '2,"two, quoted ""twice""",y' || char(13)
  UNION ALL SELECT '3,three' UNION ALL SELECT '4,four,z,extra';
.output
.headers on
.import --csv raw.csv nums
SELECT a, typeof(a), b, c FROM nums ORDER BY a;
.import --csv --skip 2 raw.csv nums
SELECT count(*) FROM nums;
-- errors
.import --csv nosuchfile.csv nums
.import raw.csv
-- a quoted field that never ends is read to the end of the file, with a warning
.headers off
.output bad.csv
SELECT '7,"open';
.output
.headers on
.import --csv bad.csv nums
SELECT a, b, c FROM nums WHERE a = 7;
.dump a b
.output /nonexistent-dir/x
