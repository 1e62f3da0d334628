#!/bin/sh
# The branching workflow of the product brief, end to end, through the
# heliosdb-nano shell: production data on main, a schema migration tested on
# a branch and merged, a conflicting hotfix, an audit snapshot of the past
# that refuses writes, clean-up and an integrity check.
#
#   BUILD=build sh tests/integration/demo_sql.sh [DBFILE]
#
# Prints what it does and what each step shows, then checks the facts the
# workflow promises (exit 1 if one does not hold).  Without DBFILE it works
# on a fresh database in a temporary directory.  Skips (exit 0) when the
# shell has not been built.
set -u
BUILD=${BUILD:-build}
SHELL_BIN=${HDB_SHELL:-$BUILD/heliosdb-nano}

if [ ! -x "$SHELL_BIN" ]; then
    echo "demo (SQL): skipped: $SHELL_BIN is not built (the SQL shell needs the SQL executor)"
    exit 0
fi
if [ $# -gt 0 ]; then
    db=$1
    rm -rf "$db" "$db-wal"
else
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    db=$tmp/demo.db
fi

# step TITLE: run the SQL on stdin through the shell, printing it as it runs
step() {
    printf '\n=== %s\n' "$1"
    "$SHELL_BIN" -header -column -echo "$db"
}

fails=0
check() { # check DESCRIPTION ACTUAL EXPECTED
    if [ "$2" = "$3" ]; then
        echo "  ok: $1"
    else
        echo "  FAILED: $1: got '$2', expected '$3'"
        fails=$((fails + 1))
    fi
}
q() { "$SHELL_BIN" -list "$db" "$@" 2>&1; }

echo "HeliosDB Nano: database branching, through SQL ($db)"

step "1. Production data on main" <<'EOF'
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, amount REAL);
INSERT INTO users VALUES (1, 'alice', 'alice@example.com'), (2, 'bob', 'bob@example.com'), (3, 'carol', 'carol@example.com');
INSERT INTO orders VALUES (10, 1, 120.0), (11, 2, 80.5), (12, 2, 45.25);
SELECT u.name, count(o.id) AS orders, coalesce(sum(o.amount), 0) AS spent
  FROM users u LEFT JOIN orders o ON o.user_id = u.id GROUP BY u.id ORDER BY u.id;
EOF
lsn=$("$SHELL_BIN" "$db" .lsn)
echo "(the last commit so far is LSN $lsn: the audit step branches from it)"

step "2. A branch for the migration: instant, copy-on-write" <<'EOF'
CREATE BRANCH dev FROM main COMMENT 'add user preferences';
USE BRANCH dev;
ALTER TABLE users ADD COLUMN preferences TEXT DEFAULT '{}';
UPDATE users SET preferences = '{"theme": "dark"}' WHERE id = 1;
SELECT id, name, preferences ->> 'theme' AS theme FROM users ORDER BY id;
EOF

step "3. Production goes on, unaware of the branch" <<'EOF'
SELECT * FROM users ORDER BY id;
INSERT INTO users VALUES (4, 'dave', 'dave@example.com');
SHOW BRANCHES;
EOF

step "4. The migration is merged into main" <<'EOF'
MERGE BRANCH dev INTO main;
SELECT id, name, preferences FROM users ORDER BY id;
EOF

step "5. Conflicting changes are detected; the merge writes nothing until told how" <<'EOF'
CREATE BRANCH hotfix FROM main;
UPDATE users SET email = 'bob@corp.example.com' WHERE id = 2;
USE BRANCH hotfix;
UPDATE users SET email = 'robert@example.com' WHERE id = 2;
USE BRANCH main;
MERGE BRANCH hotfix INTO main;
SELECT id, email FROM users WHERE id = 2;
MERGE BRANCH hotfix INTO main USING THEIRS;
SELECT id, email FROM users WHERE id = 2;
EOF

step "6. An audit snapshot of the past (AS OF LSN $lsn), read only" <<EOF
CREATE BRANCH audit_q4 FROM main AS OF LSN $lsn READ ONLY COMMENT 'before the migration';
USE BRANCH audit_q4;
SELECT * FROM users ORDER BY id;
INSERT INTO users VALUES (99, 'mallory', NULL);
EOF

step "7. Clean up, and check the whole file" <<'EOF'
DROP BRANCH dev;
DROP BRANCH hotfix;
.branches
.check
EOF

echo
echo "=== What the workflow promises"
check "main has the merged column" "$(q "SELECT count(*) FROM users WHERE preferences IS NOT NULL;")" 4
check "main kept its own write" "$(q "SELECT name FROM users WHERE id = 4;")" dave
check "the conflict was resolved with the branch's value" \
    "$(q "SELECT email FROM users WHERE id = 2;")" robert@example.com
check "the audit branch sees the past" \
    "$(q "USE BRANCH audit_q4;" "SELECT count(*) FROM users;")" 3
check "the audit branch refuses writes" \
    "$(q "USE BRANCH audit_q4;" "DELETE FROM users;" >/dev/null 2>&1; echo $?)" 1
check "the branches left (main, audit_q4)" "$(q .branches | wc -l | tr -d ' ')" 2
check "integrity check" "$(q .check)" ok
[ "$fails" -eq 0 ] && echo "demo (SQL): ok" || { echo "demo (SQL): $fails check(s) failed"; exit 1; }
