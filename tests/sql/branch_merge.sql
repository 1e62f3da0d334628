-- Changes on both sides that touch different rows or different columns merge
-- without conflict; indexes follow the merged rows; a second merge brings
-- only what changed since the first.
CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, price INTEGER, stock INTEGER);
CREATE INDEX items_name ON items (name);
INSERT INTO items VALUES (1, 'apple', 3, 10), (2, 'pear', 4, 20), (3, 'plum', 5, 30);
CREATE BRANCH feature FROM main;
-- on main: plum's price changes, apple goes
UPDATE items SET price = 6 WHERE id = 3;
DELETE FROM items WHERE id = 1;
-- on feature: plum's stock changes, pear is renamed, fig arrives
USE BRANCH feature;
UPDATE items SET stock = 99 WHERE id = 3;
UPDATE items SET name = 'green pear' WHERE id = 2;
INSERT INTO items VALUES (4, 'fig', 7, 40);
SELECT * FROM items ORDER BY id;
USE BRANCH main;
SELECT * FROM items ORDER BY id;
MERGE BRANCH feature INTO main;
SELECT * FROM items ORDER BY id;
-- the index agrees with the table
SELECT id FROM items WHERE name = 'green pear';
SELECT count(*) AS old_name FROM items WHERE name = 'pear';
SELECT id FROM items WHERE name = 'fig';
SELECT name FROM items WHERE name >= 'a' ORDER BY name;
-- the feature branch still has its own view
USE BRANCH feature;
SELECT id, name, price, stock FROM items ORDER BY id;
-- merging again brings nothing new
USE BRANCH main;
MERGE BRANCH feature INTO main;
SELECT count(*) AS n, sum(price) AS prices FROM items;
-- later changes on the branch flow in with the next merge
USE BRANCH feature;
UPDATE items SET price = 8 WHERE id = 4;
USE BRANCH main;
MERGE BRANCH feature INTO main;
SELECT id, price FROM items ORDER BY id;
