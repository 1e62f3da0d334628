-- Rows fetched by key in read transactions: a table joined to itself at
-- three levels (one kept lookup serves every level), a join of six tables
-- (more tables than a statement keeps lookups for), index scans that fetch
-- their rows, and scalar subqueries that fetch by key per row.
CREATE TABLE t(id INTEGER PRIMARY KEY, x INTEGER, s TEXT);
CREATE INDEX t_x ON t(x);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<3000) INSERT INTO t SELECT i, (i*7919)%3000+1, 'row' || i || substr('abcdefghijklmnopqrstuvwxyz', 1 + i%26) FROM c;
CREATE TABLE a(id INTEGER PRIMARY KEY, v TEXT);
CREATE TABLE b(id INTEGER PRIMARY KEY, v TEXT);
CREATE TABLE c2(id INTEGER PRIMARY KEY, v TEXT);
CREATE TABLE d(id INTEGER PRIMARY KEY, v TEXT);
CREATE TABLE e(id INTEGER PRIMARY KEY, v TEXT);
INSERT INTO a SELECT id, 'a' || s FROM t; INSERT INTO b SELECT id, 'b' || s FROM t; INSERT INTO c2 SELECT id, 'c' || s FROM t;
INSERT INTO d SELECT id, 'd' || s FROM t; INSERT INTO e SELECT id, 'e' || s FROM t;
SELECT count(*), sum(length(t1.s || t2.s || t3.s)), max(t3.s) FROM t t1 JOIN t t2 ON t2.id = t1.x JOIN t t3 ON t3.id = t2.x WHERE t1.id BETWEEN 100 AND 400;
SELECT t1.id, t2.s, t3.s FROM t t1 JOIN t t2 ON t2.id = t1.x JOIN t t3 ON t3.id = t2.x WHERE t1.id % 500 = 0 ORDER BY 1;
SELECT count(*), group_concat(a.v || b.v || c2.v || d.v || e.v || t.s, '') = group_concat(a.v || b.v || c2.v || d.v || e.v || t.s, '') FROM t JOIN a ON a.id = t.x JOIN b ON b.id = a.id JOIN c2 ON c2.id = t.x JOIN d ON d.id = t.id JOIN e ON e.id = t.x WHERE t.id < 700;
SELECT sum(length(a.v)+length(e.v)+length(d.v)) FROM t JOIN a ON a.id = t.x JOIN b ON b.id = t.id JOIN c2 ON c2.id = t.x JOIN d ON d.id = b.id JOIN e ON e.id = c2.id;
SELECT t.id, t.s FROM t WHERE x BETWEEN 10 AND 20 ORDER BY x, id;
SELECT (SELECT s FROM t u WHERE u.id = t.x), (SELECT v FROM a WHERE a.id = t.id) FROM t WHERE id IN (5, 50, 500, 2999);
-- Index scans fetch rows by the rowid bytes that end each index key:
-- rowids of every key encoding (the int64 ends, negative, zero, 2^22 on
-- both sides, beyond 2^53).
CREATE TABLE r(id INTEGER PRIMARY KEY, a, b);
CREATE INDEX r_a ON r(a);
INSERT INTO r VALUES (-9223372036854775808, 1, 'min'), (-1, 1, 'neg'), (0, 1, 'zero'), (1, 1, 'one'), (9007199254740993, 1, 'big'), (9223372036854775807, 1, 'max'), (4194304, 1, 'b22'), (4194303, 1, 'b22m');
SELECT id, b FROM r WHERE a = 1 ORDER BY id;
SELECT count(*), group_concat(b) FROM r WHERE a BETWEEN 0 AND 2;
