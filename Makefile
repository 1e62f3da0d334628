# HeliosDB Nano — build, test, benchmark.
#
#   make            the libraries (build/libheliosdb.a, .so), the shell and examples
#   make demo       install what is missing, build, run the branching workflow
#   make test       install what is missing, build, run every test (unit, ASan, valgrind,
#                   integration, crash, SQL conformance)
#   make asan       the unit tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make tsan       the API suite (with reader threads) under ThreadSanitizer
#   make bench      benchmarks against SQLite and LMDB (ratios)
#   make crash      the long crash-torture run
#   make slt        the sqllogictest files (pass-rate ratchet: tests/slt/min_pass_rate)
#   make fuzz       libFuzzer on the SQL front end (FUZZ_SECONDS=600)
#   make static     statically linked programs
#   make install    PREFIX=/usr/local
#   make NO_SQL=1   the key-value library only (no SQL layer)
#
# Objects go under $(BUILD) (default build/); nothing is written elsewhere.

CC      ?= cc
BUILD   ?= build
PREFIX  ?= /usr/local
OPT     ?= -O2
SAN     ?=
EXTRA_CFLAGS ?=

# Debian package names for what we need, checked and (as root) installed.
PKGS_BUILD = liblz4-dev libxxhash-dev pkg-config
PKGS_TEST  = check valgrind
PKGS_BENCH = liblmdb-dev libsqlite3-dev

WARN    = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-unused-parameter -Wno-sign-compare
CFLAGS_ALL = -std=c11 -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -g $(OPT) $(WARN) -fPIC \
             -I. -Iinclude $(SAN) $(EXTRA_CFLAGS)
LIBS    = -llz4 -lxxhash -lpthread -lm
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lrt -lm -lpthread)

ifdef NO_SQL
CFLAGS_ALL += -DHDB_NO_SQL
SQL_SRC =
else
SQL_SRC = $(wildcard src/sql/*.c)
endif

LIB_SRC  = $(wildcard pager/*.c) $(wildcard wal/*.c) $(wildcard btree/*.c) $(wildcard src/*.c) $(SQL_SRC)
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
SUP_SRC  = $(wildcard tests/support/*.c)
SUP_OBJ  = $(SUP_SRC:%.c=$(BUILD)/obj/%.o)
CLI_SRC  = $(wildcard src/cli/*.c)
CLI_OBJ  = $(CLI_SRC:%.c=$(BUILD)/obj/%.o)

UNIT_SRC = $(wildcard tests/check_*.c)
ifdef NO_SQL
UNIT_SRC := $(filter-out tests/check_sql%,$(UNIT_SRC))
endif
UNIT_BIN = $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%)

EXAMPLES = $(BUILD)/examples/demo $(BUILD)/examples/embed
SHELL_BIN = $(if $(NO_SQL),,$(if $(CLI_SRC),$(BUILD)/heliosdb-nano,))

.PHONY: all lib deps deps-test deps-bench test unit asan tsan valgrind integration bench crash fuzz \
        static install clean demo slt

all: deps lib $(SHELL_BIN) $(EXAMPLES)

lib: $(BUILD)/libheliosdb.a $(BUILD)/libheliosdb.so

# ---------------------------------------------------------------------------
# Dependencies: check for each package; as root on Debian, install what is missing.
define need_pkgs
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing:$$missing"; \
	    (apt-get install -y $$missing >/dev/null 2>&1 || \
	     (apt-get update >/dev/null 2>&1 && apt-get install -y $$missing >/dev/null)) || \
	     { echo "could not install:$$missing" >&2; exit 1; }; \
	  elif ! command -v dpkg >/dev/null 2>&1; then \
	    echo "note: not a Debian system; make sure these are installed:$$missing" >&2; \
	  else \
	    echo "missing Debian packages:$$missing (run as root, or: sudo apt-get install$$missing)" >&2; exit 1; \
	  fi; \
	fi
endef

deps:
	$(call need_pkgs,$(PKGS_BUILD))
deps-test: deps
	$(call need_pkgs,$(PKGS_TEST))
deps-bench: deps
	$(call need_pkgs,$(PKGS_BENCH))

# ---------------------------------------------------------------------------
# Library
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/libheliosdb.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libheliosdb.so: $(LIB_OBJ)
	$(CC) -shared -o $@ $^ $(SAN) $(LIBS)

$(BUILD)/heliosdb-nano: $(CLI_OBJ) $(BUILD)/libheliosdb.a
	$(CC) -o $@ $(CLI_OBJ) $(BUILD)/libheliosdb.a $(SAN) $(LIBS)

$(BUILD)/examples/%: src/examples/%.c $(BUILD)/libheliosdb.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(BUILD)/libheliosdb.a $(SAN) $(LIBS)

# ---------------------------------------------------------------------------
# Tests
$(BUILD)/tests/%: tests/%.c $(SUP_OBJ) $(BUILD)/libheliosdb.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests -o $@ $< $(SUP_OBJ) $(BUILD)/libheliosdb.a $(SAN) $(CHECK_LIBS) $(LIBS)

unit: deps-test lib $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

asan:
	$(MAKE) --no-print-directory BUILD=build/asan OPT=-O1 \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" unit

# The API suite (with its reader threads), the pager's parallel reads and
# the merges that count on a second thread, under ThreadSanitizer.
tsan:
	$(MAKE) --no-print-directory BUILD=build/tsan OPT=-O1 SAN="-fsanitize=thread" \
	  lib build/tsan/tests/check_api build/tsan/tests/check_merge build/tsan/tests/check_pager
	CK_FORK=no HDB_TEST_OPS=20000 TSAN_OPTIONS=halt_on_error=1 build/tsan/tests/check_api
	CK_FORK=no CK_RUN_CASE=threads TSAN_OPTIONS=halt_on_error=1 build/tsan/tests/check_pager
	CK_FORK=no CK_RUN_CASE=counted TSAN_OPTIONS=halt_on_error=1 build/tsan/tests/check_merge

valgrind: deps-test lib $(BUILD)/tests/check_api
	CK_FORK=no HDB_TEST_OPS=4000 HDB_TEST_NO_THREADS=1 valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	  --quiet $(BUILD)/tests/check_api

INTEG = $(wildcard tests/integration/*.sh)
integration: all $(UNIT_BIN)
	@set -e; for s in $(INTEG); do echo "== $$s"; BUILD=$(BUILD) sh $$s; done

test: deps-test all unit
	@echo "== $$(date +%T) asan"; $(MAKE) --no-print-directory asan
	@echo "== $$(date +%T) valgrind"; $(MAKE) --no-print-directory valgrind
	@echo "== $$(date +%T) tsan"; $(MAKE) --no-print-directory tsan
	@echo "== $$(date +%T) integration"; $(MAKE) --no-print-directory integration
	@echo "== $$(date +%T) sqllogictest"; $(MAKE) --no-print-directory slt
	@echo "make test: all passed ($$(date +%T))"

# ---------------------------------------------------------------------------
demo: all
	$(BUILD)/examples/demo $(BUILD)/demo.db
	BUILD=$(BUILD) sh tests/integration/demo_sql.sh $(BUILD)/demo-sql.db

bench: deps-bench
	$(MAKE) --no-print-directory BUILD=build/bench OPT="-O2 -DNDEBUG" all
	$(MAKE) --no-print-directory -C bench BUILD=../build/bench run

static: deps
	$(MAKE) --no-print-directory BUILD=build/static all
	$(CC) -static -o build/static/embed-static src/examples/embed.c -I. -Iinclude \
	  build/static/libheliosdb.a $(LIBS)
	@file build/static/embed-static

install: lib
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 644 include/heliosdb.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(BUILD)/libheliosdb.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libheliosdb.so $(DESTDIR)$(PREFIX)/lib/
	$(if $(SHELL_BIN),install -m 755 $(SHELL_BIN) $(DESTDIR)$(PREFIX)/bin/)
	printf 'prefix=%s\nlibdir=$${prefix}/lib\nincludedir=$${prefix}/include\n\nName: heliosdb\nDescription: HeliosDB Nano, an embeddable SQL database with branches\nVersion: 0.1.0\nRequires.private: liblz4 libxxhash\nLibs: -L$${libdir} -lheliosdb\nLibs.private: -llz4 -lxxhash -lpthread -lm\nCflags: -I$${includedir}\n' \
	  '$(PREFIX)' > $(DESTDIR)$(PREFIX)/lib/pkgconfig/heliosdb.pc

clean:
	rm -rf build

# Sub-directories with programs of their own (tests/slt, tests/crash, tests/fuzz, ...)
# contribute rules through a fragment named <dir>/module.mk.
-include $(wildcard tests/*/module.mk)

-include $(LIB_OBJ:.o=.d) $(SUP_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
