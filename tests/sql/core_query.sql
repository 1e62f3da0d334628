-- Core SQL: joins, grouping, subqueries, indexes, views, CTEs.
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, region TEXT);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), amount REAL, status TEXT);
CREATE INDEX orders_customer ON orders (customer_id);
CREATE INDEX orders_status_amount ON orders (status, amount);
INSERT INTO customers VALUES (1, 'Acme', 'eu'), (2, 'Globex', 'us'), (3, 'Initech', 'us'), (4, 'Umbrella', NULL);
INSERT INTO orders VALUES
  (10, 1, 120.0, 'paid'), (11, 1, 80.5, 'paid'), (12, 2, 300.0, 'open'),
  (13, 2, 45.25, 'paid'), (14, 3, 10.0, 'cancelled'), (15, NULL, 99.0, 'open');
-- inner join
SELECT c.name, o.id, o.amount FROM customers c JOIN orders o ON o.customer_id = c.id ORDER BY o.id;
-- left join keeps customers without orders
SELECT c.name, count(o.id) AS orders FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id ORDER BY c.name;
-- group by, having, aggregates
SELECT status, count(*) AS n, sum(amount) AS total, min(amount) AS lo, max(amount) AS hi, round(avg(amount), 2) AS mean
  FROM orders GROUP BY status HAVING count(*) >= 1 ORDER BY status;
SELECT region, count(*) AS customers FROM customers GROUP BY region ORDER BY region;
-- subqueries: IN, EXISTS, scalar, correlated
SELECT name FROM customers WHERE id IN (SELECT customer_id FROM orders WHERE status = 'paid') ORDER BY name;
SELECT name FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id) ORDER BY name;
SELECT name, (SELECT sum(amount) FROM orders o WHERE o.customer_id = c.id) AS spent FROM customers c ORDER BY spent DESC, name;
SELECT id, amount FROM orders WHERE amount > (SELECT avg(amount) FROM orders) ORDER BY id;
-- index lookups and ranges give the same answers as scans
SELECT id FROM orders WHERE customer_id = 2 ORDER BY id;
SELECT id, amount FROM orders WHERE status = 'paid' AND amount BETWEEN 50 AND 150 ORDER BY amount;
SELECT count(*) AS n FROM orders WHERE status > 'o';
-- DISTINCT, LIMIT/OFFSET, compound selects
SELECT DISTINCT status FROM orders ORDER BY status;
SELECT id FROM orders ORDER BY amount DESC LIMIT 2 OFFSET 1;
SELECT name FROM customers WHERE region = 'us' UNION SELECT 'extra' ORDER BY 1;
SELECT customer_id FROM orders WHERE status = 'paid' INTERSECT SELECT id FROM customers WHERE region = 'eu';
-- views and common table expressions
CREATE VIEW paid_totals AS SELECT customer_id, sum(amount) AS total FROM orders WHERE status = 'paid' GROUP BY customer_id;
SELECT c.name, p.total FROM paid_totals p JOIN customers c ON c.id = p.customer_id ORDER BY p.total DESC;
WITH big AS (SELECT * FROM orders WHERE amount >= 100) SELECT count(*) AS big_orders, sum(amount) AS total FROM big;
-- unique index enforcement
CREATE UNIQUE INDEX customers_name ON customers (name);
INSERT INTO customers VALUES (5, 'Acme', 'eu');
SELECT count(*) AS customers FROM customers;
DROP INDEX customers_name;
INSERT INTO customers VALUES (5, 'Acme', 'eu');
SELECT count(*) AS customers FROM customers;
