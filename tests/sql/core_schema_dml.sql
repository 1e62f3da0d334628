-- Core SQL: tables, inserts, updates, deletes, defaults, constraints.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT UNIQUE,
    plan TEXT NOT NULL DEFAULT 'basic',
    credits INTEGER DEFAULT 0 CHECK (credits >= 0)
);
INSERT INTO users (id, name, email) VALUES (1, 'alice', 'alice@example.com');
INSERT INTO users (id, name, email, plan, credits) VALUES (2, 'bob', 'bob@example.com', 'pro', 50);
INSERT INTO users (name, email) VALUES ('carol', 'carol@example.com');
SELECT * FROM users ORDER BY id;
-- constraint violations leave the table as it was
INSERT INTO users (id, name) VALUES (1, 'dup');
INSERT INTO users (id, name, email) VALUES (10, 'eve', 'alice@example.com');
INSERT INTO users (id, email) VALUES (11, 'x@example.com');
UPDATE users SET credits = -5 WHERE id = 2;
SELECT count(*) AS n, sum(credits) AS credits FROM users;
UPDATE users SET plan = 'pro', credits = credits + 10 WHERE name = 'alice';
DELETE FROM users WHERE id = 3;
SELECT id, name, plan, credits FROM users ORDER BY id;
SELECT changes() AS changed;
-- NULL handling
INSERT INTO users (id, name, email) VALUES (4, 'dave', NULL);
SELECT name, email IS NULL AS no_email, coalesce(email, '-') AS shown FROM users ORDER BY name;
-- expressions and types
SELECT 7 / 2 AS idiv, 7.0 / 2 AS fdiv, 7 % 3 AS modulo, 'a' || 'b' AS cat, typeof(1.5) AS t, length('héllo') AS len;
SELECT upper(name) AS u, substr(email, 1, 3) AS s FROM users WHERE id = 1;
SELECT CASE WHEN credits > 20 THEN 'high' WHEN credits > 0 THEN 'low' ELSE 'none' END AS level, name FROM users ORDER BY id;
-- transactions
BEGIN;
INSERT INTO users (id, name) VALUES (5, 'frank');
ROLLBACK;
SELECT count(*) AS after_rollback FROM users;
BEGIN;
INSERT INTO users (id, name) VALUES (5, 'frank');
COMMIT;
SELECT count(*) AS after_commit FROM users;
-- DROP TABLE
CREATE TABLE scratch (x);
INSERT INTO scratch VALUES (1), (2);
DROP TABLE scratch;
SELECT * FROM scratch;
SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;
