# tests/slt: the sqllogictest runner, and SQLite builds of it and of the shell.
#
#   make slt          build $(BUILD)/slt (HeliosDB) and run every *.test under
#                     $(HDB_SLT_DIR); fails when the pass rate (records) is below
#                     the ratchet in tests/slt/min_pass_rate
#   make slt-sqlite   the same runner built against libsqlite3: must pass 100%
#                     of tests/slt/selftest.test (the runner's own rules) and
#                     of the files (proves the runner, not the engine)
#   make shell-sqlite the shell built against libsqlite3 ($(BUILD)/heliosdb-nano-sqlite)
#
# The runner and the shell reach the engine through src/cli/backend.h, which
# maps the SQL calls onto libsqlite3 when HDB_BACKEND_SQLITE is defined.

HDB_SLT_DIR   ?= ../shared/sqllogictest
SLT_FILES      = $(shell find $(HDB_SLT_DIR) -name '*.test' 2>/dev/null | sort)
SLT_MIN_RATE   = $(shell cat tests/slt/min_pass_rate 2>/dev/null || echo 100)
SLT_FLAGS     ?=
SLT_SRC        = tests/slt/slt.c tests/slt/md5.c
SLT_DEPS       = $(SLT_SRC) tests/slt/md5.h src/cli/backend.h include/heliosdb.h
SQLITE_LIBS    = $(shell pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3)

# The shell's sources (the top-level Makefile builds $(BUILD)/heliosdb-nano
# from them against the library).
SHELL_STAGE_SRC = $(wildcard src/cli/*.c)

.PHONY: slt-sqlite shell-sqlite deps-sqlite

deps-sqlite:
	$(call need_pkgs,libsqlite3-dev sqlite3)

$(BUILD)/slt: $(SLT_DEPS) $(BUILD)/libheliosdb.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $(SLT_SRC) $(BUILD)/libheliosdb.a $(SAN) $(LIBS)

$(BUILD)/slt-sqlite: $(SLT_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -DHDB_BACKEND_SQLITE -o $@ $(SLT_SRC) $(SAN) $(SQLITE_LIBS) -lm

slt: deps lib $(BUILD)/slt
	@if [ ! -d "$(HDB_SLT_DIR)" ]; then \
	  echo "slt: SKIPPED: no sqllogictest directory at $(HDB_SLT_DIR) (set HDB_SLT_DIR)"; exit 0; fi; \
	test -n "$(SLT_FILES)" || { echo "slt: no *.test files under $(HDB_SLT_DIR)" >&2; exit 1; }; \
	echo "slt: $(words $(SLT_FILES)) files from $(HDB_SLT_DIR); required pass rate $(SLT_MIN_RATE)%"; \
	$(BUILD)/slt --min-rate $(SLT_MIN_RATE) $(SLT_FLAGS) $(SLT_FILES)

slt-sqlite: deps-sqlite $(BUILD)/slt-sqlite
	@test -n "$(SLT_FILES)" || { echo "slt: no *.test files under $(HDB_SLT_DIR)" >&2; exit 1; }
	@$(BUILD)/slt-sqlite $(SLT_FLAGS) tests/slt/selftest.test
	@$(BUILD)/slt-sqlite --min-rate 100 $(SLT_FLAGS) $(SLT_FILES)

$(BUILD)/heliosdb-nano-sqlite: $(SHELL_STAGE_SRC) $(wildcard src/cli/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -DHDB_BACKEND_SQLITE -o $@ $(SHELL_STAGE_SRC) $(SAN) $(SQLITE_LIBS) -lm

shell-sqlite: deps-sqlite $(BUILD)/heliosdb-nano-sqlite

