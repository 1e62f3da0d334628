-- Point-in-time branches: an audit branch AS OF an LSN or a timestamp sees
-- the database as it was then, whatever happened since.
CREATE TABLE ledger (id INTEGER PRIMARY KEY, entry TEXT, amount INTEGER);
INSERT INTO ledger VALUES (1, 'opening', 1000);
INSERT INTO ledger VALUES (2, 'q4 sale', 250);
-- @lsn q4_close
INSERT INTO ledger VALUES (3, 'q1 sale', 75);
UPDATE ledger SET amount = 1100 WHERE id = 1;
DELETE FROM ledger WHERE id = 2;
SELECT * FROM ledger ORDER BY id;
CREATE BRANCH audit_q4 FROM main AS OF LSN @{q4_close};
USE BRANCH audit_q4;
SELECT * FROM ledger ORDER BY id;
SELECT sum(amount) AS total FROM ledger;
USE BRANCH main;
SELECT sum(amount) AS total FROM ledger;
-- @time before_cleanup
DELETE FROM ledger;
SELECT count(*) AS n FROM ledger;
CREATE BRANCH snapshot FROM main AS OF TIMESTAMP '@{before_cleanup}';
USE BRANCH snapshot;
SELECT * FROM ledger ORDER BY id;
-- a branch of the past is a branch like any other
INSERT INTO ledger VALUES (4, 'restored', 1);
SELECT count(*) AS n FROM ledger;
USE BRANCH main;
SELECT count(*) AS n FROM ledger;
-- the audit branch did not move either
USE BRANCH audit_q4;
SELECT count(*) AS n, sum(amount) AS total FROM ledger;
-- a point in the future is refused
USE BRANCH main;
CREATE BRANCH future FROM main AS OF LSN 999999999;
