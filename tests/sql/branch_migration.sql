-- The brief's first workflow: a schema migration tested on a branch, then merged.
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT);
INSERT INTO users VALUES (1, 'alice', 'alice@example.com'), (2, 'bob', 'bob@example.com'), (3, 'carol', 'carol@example.com');
CREATE BRANCH dev FROM main;
SHOW BRANCHES;
USE BRANCH dev;
ALTER TABLE users ADD COLUMN preferences TEXT DEFAULT '{}';
UPDATE users SET preferences = '{"theme": "dark"}' WHERE id = 1;
INSERT INTO users (id, name, email, preferences) VALUES (4, 'dave', 'dave@example.com', '{"theme": "light"}');
SELECT id, name, preferences FROM users ORDER BY id;
SELECT name, preferences ->> 'theme' AS theme FROM users ORDER BY id;
-- main is untouched: no new column, no new row
USE BRANCH main;
SELECT * FROM users ORDER BY id;
SELECT preferences FROM users;
SELECT count(*) AS n FROM users;
-- production writes go on while the migration is tested
UPDATE users SET email = 'bob@example.org' WHERE id = 2;
-- merge the migration
MERGE BRANCH dev INTO main;
SELECT * FROM users ORDER BY id;
SELECT count(*) AS with_prefs FROM users WHERE preferences IS NOT NULL;
-- the branch is not needed any more
DROP BRANCH dev;
USE BRANCH dev;
SELECT count(*) AS n FROM users;
