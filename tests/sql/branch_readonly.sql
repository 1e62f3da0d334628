-- Read-only branches (audit snapshots) refuse every write.
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
INSERT INTO users VALUES (1, 'alice'), (2, 'bob');
CREATE BRANCH audit_2024_q4 FROM main READ ONLY COMMENT 'year-end snapshot';
USE BRANCH audit_2024_q4;
SELECT * FROM users ORDER BY id;
INSERT INTO users VALUES (3, 'mallory');
UPDATE users SET name = 'eve' WHERE id = 1;
DELETE FROM users;
CREATE TABLE notes (x);
DROP TABLE users;
SELECT * FROM users ORDER BY id;
-- main moves on; the audit branch does not
USE BRANCH main;
INSERT INTO users VALUES (3, 'carol');
USE BRANCH audit_2024_q4;
SELECT count(*) AS n FROM users;
-- nor can a merge write into it
USE BRANCH main;
MERGE BRANCH main INTO audit_2024_q4;
USE BRANCH audit_2024_q4;
SELECT count(*) AS n FROM users;
-- an existing branch can be frozen and thawed
USE BRANCH main;
CREATE BRANCH staging FROM main;
ALTER BRANCH staging SET READ ONLY;
USE BRANCH staging;
INSERT INTO users VALUES (4, 'dave');
USE BRANCH main;
ALTER BRANCH staging SET READ WRITE;
USE BRANCH staging;
INSERT INTO users VALUES (4, 'dave');
SELECT count(*) AS n FROM users;
