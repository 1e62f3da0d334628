-- Found by fuzz_exec (index consistency check), minimised.  OPEN: the fix
-- belongs in the row-level merge (src/sql/exec_merge.c).
--
-- An index created on the target branch after the fork is not maintained
-- for the rows the merge brings from the source: the engine copies a row
-- changed on one side only key by key, with the source's index entries,
-- and the source has no such index.  After the merge the index misses the
-- new row (and keeps entries of rows the source deleted or changed), so
-- the query below returns nothing although the row is in the table.
-- Expected: 2|b.  Got: no row; fuzz_exec reports
--   "branch main: index items_name of items has 1 entries for 2 rows".
CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT);
INSERT INTO items VALUES(1, 'a');
CREATE BRANCH f FROM main;
CREATE INDEX items_name ON items(name);
USE BRANCH f;
INSERT INTO items VALUES(2, 'b');
USE BRANCH main;
MERGE BRANCH f INTO main;
SELECT * FROM items WHERE name = 'b';
