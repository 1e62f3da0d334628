-- Recursive common table expressions: a counter and a tree walk.
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5) SELECT group_concat(x, ',') AS xs FROM n;
CREATE TABLE org (id INTEGER PRIMARY KEY, name TEXT, manager_id INTEGER);
INSERT INTO org VALUES (1, 'ceo', NULL), (2, 'cto', 1), (3, 'dev lead', 2), (4, 'dev', 3), (5, 'cfo', 1);
WITH RECURSIVE chain(id, name, depth) AS (
  SELECT id, name, 0 FROM org WHERE id = 4
  UNION ALL
  SELECT o.id, o.name, c.depth + 1 FROM org o JOIN chain c ON o.id = (SELECT manager_id FROM org WHERE id = c.id)
)
SELECT depth, name FROM chain ORDER BY depth;
