# tests/diff: the differential tester (HeliosDB against libsqlite3).
#
#   make sqldiff                          build $(BUILD)/sqldiff and run it
#   make sqldiff SQLDIFF_FLAGS="-k 50 -n 3000"   more seeds, more statements
#
# Prints every difference (the SQL, SQLite's rows, ours, then a minimised
# form) and the totals; fails when any difference was found.

SQLDIFF_FLAGS ?= -s 1 -k 20 -n 2000
SQLDIFF_LIBS   = $(shell pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3)

.PHONY: sqldiff

$(BUILD)/sqldiff: tests/diff/diff.c include/heliosdb.h $(BUILD)/libheliosdb.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ tests/diff/diff.c $(BUILD)/libheliosdb.a $(SAN) $(SQLDIFF_LIBS) $(LIBS)

sqldiff: deps-sqlite lib $(BUILD)/sqldiff
	$(BUILD)/sqldiff $(SQLDIFF_FLAGS)
