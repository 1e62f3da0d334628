#!/bin/sh
# kill -9 at random moments: every acknowledged commit survives, whole.
set -eu
BUILD=${BUILD:-build}
"$BUILD/crash-torture" --cycles "${CRASH_CYCLES_SHORT:-200}"
