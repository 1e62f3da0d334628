-- A merge that stops on conflicts says which: the table, the row's key and
-- both sides' values, so that the user can decide.
CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT, balance INTEGER);
INSERT INTO accounts VALUES (1, 'alice', 100), (2, 'bob', 200);
CREATE BRANCH dev FROM main;
UPDATE accounts SET balance = 250 WHERE id = 2;
USE BRANCH dev;
UPDATE accounts SET balance = 275 WHERE id = 2;
USE BRANCH main;
MERGE BRANCH dev INTO main;
