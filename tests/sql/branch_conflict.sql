-- The same row changed differently on both sides: the merge stops, lists
-- the conflict and writes nothing; USING THEIRS takes the source's side.
CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT, balance INTEGER);
INSERT INTO accounts VALUES (1, 'alice', 100), (2, 'bob', 200), (3, 'carol', 300);
CREATE BRANCH dev FROM main;
UPDATE accounts SET balance = 250 WHERE id = 2;
USE BRANCH dev;
UPDATE accounts SET balance = 275 WHERE id = 2;
UPDATE accounts SET owner = 'carol smith' WHERE id = 3;
INSERT INTO accounts VALUES (4, 'dave', 400);
USE BRANCH main;
MERGE BRANCH dev INTO main;
-- nothing was merged
SELECT * FROM accounts ORDER BY id;
-- a dry run reports without writing
MERGE BRANCH dev INTO main USING THEIRS DRY RUN;
SELECT * FROM accounts ORDER BY id;
MERGE BRANCH dev INTO main USING THEIRS;
SELECT * FROM accounts ORDER BY id;
-- the other way round: USING OURS keeps the target's value
CREATE BRANCH dev2 FROM main;
UPDATE accounts SET balance = 1 WHERE id = 1;
USE BRANCH dev2;
UPDATE accounts SET balance = 2 WHERE id = 1;
UPDATE accounts SET balance = 500 WHERE id = 4;
USE BRANCH main;
MERGE BRANCH dev2 INTO main USING OURS;
SELECT * FROM accounts ORDER BY id;
