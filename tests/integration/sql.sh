#!/bin/sh
# SQL scenarios: each tests/sql/NAME.sql runs through the shell (list mode,
# headers on, stdin, a fresh database) and its output (stdout and stderr)
# must match tests/sql/NAME.expected.
#
#   BUILD=build sh tests/integration/sql.sh [NAME...]
#   HDB_SHELL=build/h-cli/heliosdb-nano-sqlite sh tests/integration/sql.sh core_select
#       (another shell binary, e.g. the one built on SQLite as an oracle)
#
# EXPECTED FILES
#   Lines are compared one to one, except:
#     "~ PATTERN"  matches one line by a glob (* and ?), ignoring case
#     "~~"         matches any number of lines (up to the first line that
#                  matches the next expected line), for output whose exact
#                  form is the engine's choice (e.g. the summary of a merge)
#   An error message of several lines is joined into its "Error:" line.
#
# DIRECTIVES in NAME.sql (lines of their own):
#     -- @lsn NAME    record the database's last LSN (the shell's .lsn) as NAME
#     -- @time NAME   wait a second, record the UTC time 'YYYY-MM-DD HH:MM:SS'
#                     as NAME, wait another second
#   Later "@{NAME}" in the file is replaced by the value.  A directive ends
#   the shell session: the next part starts a new one (on branch main).
#   Line numbers in error messages stay those of the file.
#
# KNOWN FAILURES: tests/sql/known_failures names scenarios that fail for a
# known, reported reason ("NAME  reason", one a line, # comments).  They
# are run and reported as "known" but do not fail the suite; one that
# passes again is reported so that the line can go.
#
# Skips (exit 0) when the shell has not been built.  Exits 1 if any other
# scenario fails, after running them all.
set -u
BUILD=${BUILD:-build}
SHELL_BIN=${HDB_SHELL:-$BUILD/heliosdb-nano}
here=$(cd "$(dirname "$0")/../sql" && pwd)

if [ ! -x "$SHELL_BIN" ]; then
    echo "integration sql: skipped: $SHELL_BIN is not built (the SQL shell needs the SQL executor)"
    exit 0
fi
case $SHELL_BIN in /*) ;; *) SHELL_BIN=$(pwd)/$SHELL_BIN ;; esac

# a scenario that hangs fails instead of stopping the suite
TIMEOUT=
command -v timeout >/dev/null 2>&1 && TIMEOUT="timeout ${HDB_SQL_TIMEOUT:-120}"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# compare EXPECTED ACTUAL: prints the first difference; status 0 if they match
compare() {
    awk -v expfile="$1" '
    function globre(g,   r, i, c) {
        r = "^"
        for (i = 1; i <= length(g); i++) {
            c = substr(g, i, 1)
            if (c == "*") r = r ".*"
            else if (c == "?") r = r "."
            else if (index("\\^$.[]|()+{}/", c)) r = r "\\" c
            else r = r c
        }
        return r "$"
    }
    function match1(e, a) {
        if (substr(e, 1, 2) == "~ ") return tolower(a) ~ globre(tolower(substr(e, 3)))
        return e == a
    }
    BEGIN { m = 0; while ((getline l < expfile) > 0) E[++m] = l }
    {   # join the continuation lines of a multi-line error message
        if (n > 0 && substr($0, 1, 2) == "  " && joining) { A[n] = A[n] " " substr($0, 3); next }
        A[++n] = $0; joining = (substr($0, 1, 6) == "Error:")
    }
    END {
        i = 1; j = 1
        while (i <= m) {
            if (E[i] == "~~") {
                i++
                if (i > m) { j = n + 1; break }
                while (j <= n && !match1(E[i], A[j])) j++
                if (j > n) { printf "expected line %d not found: %s\n", i, E[i]; exit 1 }
                continue
            }
            if (j > n) { printf "output ends; expected line %d: %s\n", i, E[i]; exit 1 }
            if (!match1(E[i], A[j])) {
                printf "output line %d differs from expected line %d\n  expected: %s\n  got:      %s\n", j, i, E[i], A[j]
                exit 1
            }
            i++; j++
        }
        if (j <= n) { printf "unexpected output from line %d: %s\n", j, A[j]; exit 1 }
    }' "$2"
}

# run_scenario NAME: runs NAME.sql in $tmp/NAME/, output in $tmp/NAME.out
run_scenario() {
    name=$1
    dir=$tmp/$name
    mkdir -p "$dir"
    src=$dir/script.sql
    cp "$here/$name.sql" "$src"
    : > "$tmp/$name.out"
    part=0
    start=1
    total=$(wc -l < "$src")
    while :; do
        # the next directive at or after line $start
        dline=$(awk -v s="$start" 'NR >= s && /^-- @(lsn|time) [A-Za-z_][A-Za-z0-9_]*[ \t\r]*$/ { print NR; exit }' "$src")
        end=${dline:-$((total + 1))}
        # lines start..end-1, after start-1 blank lines (keeps line numbers)
        awk -v s="$start" -v e="$end" 'NR < s { print ""; next } NR < e { print }' "$src" > "$dir/part$part.sql"
        (cd "$dir" && $TIMEOUT "$SHELL_BIN" -header test.db < "part$part.sql") >> "$tmp/$name.out" 2>&1
        st=$?
        [ $st -ge 124 ] && echo "(the shell ended with status $st: timeout or crash)" >> "$tmp/$name.out"
        [ -z "$dline" ] && break
        set -- $(sed -n "${dline}p" "$src")
        kind=$2 var=$3
        if [ "$kind" = "@lsn" ]; then
            val=$(cd "$dir" && "$SHELL_BIN" test.db .lsn 2>/dev/null)
        else
            sleep 1.2
            val=$(date -u '+%Y-%m-%d %H:%M:%S')
            sleep 1.2
        fi
        # substitute @{var} in the rest of the file
        sed "$((dline + 1)),\$s/@{$var}/$val/g" "$src" > "$src.new" && mv "$src.new" "$src"
        start=$((dline + 1))
        part=$((part + 1))
    done
}

if [ $# -gt 0 ]; then
    names="$*"
else
    names=$(cd "$here" && ls *.sql | sed 's/\.sql$//')
fi

# the reason a scenario is a known failure, or nothing
known_reason() {
    [ -f "$here/known_failures" ] &&
        awk -v n="$1" '$1 == n { $1 = ""; sub(/^ +/, ""); print; exit }' "$here/known_failures"
}

pass=0 fail=0 known=0 failed=""
for name in $names; do
    run_scenario "$name"
    reason=$(known_reason "$name")
    if msg=$(compare "$here/$name.expected" "$tmp/$name.out"); then
        pass=$((pass + 1))
        echo "  ok    $name${reason:+ (listed in known_failures but passes now: remove the line)}"
    elif [ -n "$reason" ]; then
        known=$((known + 1))
        echo "  known $name: $reason"
        echo "        $msg" | head -3
    else
        fail=$((fail + 1))
        failed="$failed $name"
        echo "  FAIL  $name: $msg"
    fi
    if [ -n "${VERBOSE:-}" ] && [ -n "$msg" ]; then
        echo "  --- output of $name:"
        sed 's/^/    /' "$tmp/$name.out"
    fi
done
echo "integration sql: $pass passed, $fail failed, $known known failures${failed:+ (failed:}${failed}${failed:+)}"
[ "$fail" -eq 0 ]
