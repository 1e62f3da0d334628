-- Creating, naming, switching and dropping branches; tables created on a
-- branch exist only there until merged.
CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);
INSERT INTO t VALUES (1, 'main-1');
CREATE BRANCH dev;
CREATE BRANCH dev FROM main;
CREATE BRANCH IF NOT EXISTS dev FROM main;
CREATE BRANCH feature/login-2 FROM dev;
USE BRANCH feature/login-2;
CREATE TABLE sessions (id INTEGER PRIMARY KEY, user_id INTEGER);
INSERT INTO sessions VALUES (1, 1);
INSERT INTO t VALUES (2, 'feature-2');
.tables
USE BRANCH dev;
.tables
SELECT * FROM sessions;
SELECT * FROM t ORDER BY id;
.branch main
SELECT * FROM t ORDER BY id;
DROP BRANCH main;
USE BRANCH nosuch;
DROP BRANCH nosuch;
DROP BRANCH IF EXISTS nosuch;
USE BRANCH dev;
DROP BRANCH dev;
USE BRANCH main;
MERGE BRANCH feature/login-2 INTO main;
.tables
SELECT * FROM t ORDER BY id;
SELECT * FROM sessions;
DROP BRANCH "feature/login-2";
DROP BRANCH dev;
.branches
.check
