#!/bin/sh
# The demo and the embedding example run end to end on a fresh directory,
# and the file they leave passes the integrity check.
set -eu
BUILD=${BUILD:-build}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out=$("$BUILD/examples/demo" "$dir/demo.db")
echo "$out" | grep -q "dev   cust:000042 = .*gold" || { echo "demo: branch write not visible"; exit 1; }
echo "$out" | grep -q "main  cust:000042 = .*basic" || { echo "demo: main changed"; exit 1; }
echo "$out" | grep -q "integrity check: ok" || { echo "demo: integrity check failed"; echo "$out"; exit 1; }
"$BUILD/examples/embed" "$dir/embed.db" | grep -q "mode = fast"
# A second run finds the branch already there and still works.
"$BUILD/examples/embed" "$dir/embed.db" | grep -q "mode = fast"
echo "integration demo: ok"
