# tests/fuzz: libFuzzer on the SQL front end (tokenizer, parser, dump round trip),
# and on the whole executor (fuzz-exec, below).
#
#   make fuzz                  build, seed the corpus if it is new, fuzz FUZZ_SECONDS
#   make fuzz FUZZ_SECONDS=60  a shorter run
#
# The corpus lives in $(BUILD)/fuzz-corpus and grows from run to run.  It is
# seeded once from the SQL of the sqllogictest files (every FUZZ_SEED_STEP-th
# distinct statement), plus statements the corpus lacks (branch statements,
# DDL, upserts, CTEs).  A dictionary of the keywords and operators is made
# from src/sql/token.h.  Crashes and failed checks are written as
# $(BUILD)/fuzz/crash-* (and oom-*, timeout-*); turn each into a case of
# test_fuzz_regressions in tests/check_sql_parse.c.

FUZZ_SECONDS   ?= 600
FUZZ_CC        ?= clang
FUZZ_MAX_LEN   ?= 4096
FUZZ_SEED_STEP ?= 8
FUZZ_FLAGS     ?=
FUZZ_SLT_DIR   ?= $(or $(HDB_SLT_DIR),../shared/sqllogictest)

FUZZ_BIN    = $(BUILD)/fuzz/fuzz_parse
FUZZ_DICT   = $(BUILD)/fuzz/sql.dict
FUZZ_CORPUS = $(BUILD)/fuzz-corpus
FUZZ_SRC    = tests/fuzz/fuzz_parse.c src/sql/token.c $(wildcard src/sql/parse*.c src/sql/ast*.c) \
              pager/mem.c pager/buf.c

$(FUZZ_BIN): $(FUZZ_SRC) $(wildcard src/sql/*.h) pager/mem.h pager/buf.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c11 -D_DEFAULT_SOURCE -g -O1 -fno-omit-frame-pointer \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	  -I. -Iinclude -o $@ $(FUZZ_SRC) -lm

# Keywords from the X-macro table, then the operators.
$(FUZZ_DICT): src/sql/token.h
	@mkdir -p $(dir $@)
	@grep -o 'X([A-Z_][A-Z_]*' $< | sed 's/^X(\(.*\)$$/"\1"/' > $@
	@for op in '||' '->' '->>' '<<' '>>' '<>' '!=' '==' '<=' '>=' "''" 'X'"'"'00'"'" \
	  '?1' ':a' '@a' '$$a' '/*' '*/' '--' '0x' '1e' '(' ')' ','; do \
	  printf '"%s"\n' "$$op" | sed 's/\\/\\\\/g' >> $@; done

# Records of the sqllogictest files: the SQL of `statement` and `query`
# records (up to a blank line or ----), one file per distinct text.
define FUZZ_SEED_AWK
/^#/ { next }
/^[ \t\r]*$$/ { if (state == 1) emit(); state = 0; next }
state == 2 { next }
state == 1 { if ($$0 == "----") { emit(); state = 2 } else sql = sql (sql == "" ? "" : "\n") $$0; next }
/^(statement|query) / { state = 1; sql = ""; next }
function emit() {
  if (sql == "" || (sql in seen)) return
  seen[sql] = 1
  if (++n % step) return
  f = out "/slt-" n
  printf "%s", sql > f
  close(f)
}
endef
export FUZZ_SEED_AWK

FUZZ_EXTRA_SEEDS = \
  "CREATE BRANCH feature/x-1.2 FROM main AS OF LSN 42 READ ONLY COMMENT 'c'" \
  "CREATE BRANCH audit AS OF TIMESTAMP '2024-12-31'; USE BRANCH audit" \
  "MERGE BRANCH dev INTO main USING THEIRS DRY RUN; DROP BRANCH IF EXISTS dev" \
  "ALTER BRANCH dev SET READ ONLY; SHOW BRANCHES; SHOW HISTORY FOR BRANCH dev; CHECKPOINT" \
  "WITH RECURSIVE c(x) AS (VALUES(1) UNION ALL SELECT x+1 FROM c WHERE x<9) SELECT * FROM c" \
  "INSERT INTO t(a,b) VALUES(?,:b) ON CONFLICT(a) DO UPDATE SET b=excluded.b RETURNING *" \
  "CREATE TABLE t(a INTEGER PRIMARY KEY AUTOINCREMENT, b VARCHAR(10) NOT NULL DEFAULT -1 CHECK(b<>''), c REFERENCES u(id) ON DELETE CASCADE, UNIQUE(b,c)) WITHOUT ROWID" \
  "SELECT CASE WHEN a IS NOT DISTINCT FROM b THEN CAST(x AS REAL) END, x->>'\$$.k' FROM t NATURAL LEFT JOIN u WHERE a BETWEEN 1 AND 2 AND b NOT LIKE 'x%' ESCAPE '!' GROUP BY 1 HAVING count(DISTINCT c) FILTER (WHERE c>0) ORDER BY 1 DESC NULLS LAST LIMIT 1,2" \
  "UPDATE OR FAIL t SET (a,b)=(SELECT 1,2) FROM u WHERE t.k=u.k; DELETE FROM t INDEXED BY i WHERE a IN (SELECT b FROM u)" \
  "BEGIN IMMEDIATE; SAVEPOINT s; RELEASE s; ROLLBACK TO s; COMMIT; PRAGMA main.cache_size=-2000; EXPLAIN QUERY PLAN SELECT 1" \
  "CREATE UNIQUE INDEX IF NOT EXISTS i ON t(a COLLATE nocase DESC, lower(b)) WHERE a>0; CREATE VIEW v(a) AS SELECT 1; ALTER TABLE t RENAME COLUMN a TO b"

$(FUZZ_CORPUS)/.seeded:
	@mkdir -p $(FUZZ_CORPUS)
	@if [ -d "$(FUZZ_SLT_DIR)" ]; then \
	  find "$(FUZZ_SLT_DIR)" -name '*.test' | sort | while read -r f; do cat "$$f"; echo; done | \
	    awk -v out="$(FUZZ_CORPUS)" -v step=$(FUZZ_SEED_STEP) "$$FUZZ_SEED_AWK"; \
	else echo "fuzz: no sqllogictest files at $(FUZZ_SLT_DIR); seeding with the built-in statements only"; fi
	@i=0; for s in $(FUZZ_EXTRA_SEEDS); do i=$$((i + 1)); printf '%s' "$$s" > $(FUZZ_CORPUS)/extra-$$i; done
	@echo "fuzz: seeded $(FUZZ_CORPUS) with $$(ls $(FUZZ_CORPUS) | wc -l) inputs"
	@touch $@

fuzz: $(FUZZ_BIN) $(FUZZ_DICT) $(FUZZ_CORPUS)/.seeded
	$(FUZZ_BIN) -max_len=$(FUZZ_MAX_LEN) -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	  -rss_limit_mb=2048 -dict=$(FUZZ_DICT) -artifact_prefix=$(BUILD)/fuzz/ \
	  -print_final_stats=1 $(FUZZ_FLAGS) $(FUZZ_CORPUS)

# ---------------------------------------------------------------------------
# fuzz-exec: libFuzzer on the whole SQL executor (tests/fuzz/fuzz_exec.c).
#
#   make fuzz-exec                    build, seed the corpus if it is new, fuzz FUZZ_SECONDS
#   make fuzz-exec FUZZ_SECONDS=60    a shorter run
#   make fuzz-exec-branches           the same, on a corpus of branch statements with DML
#   make fuzz-exec-build              only build $(BUILD)/fuzz/fuzz_exec
#
# Every library source is compiled again with the fuzzer's coverage and the
# sanitizers into $(FUZZ_EXEC_OBJ) (its own directory: these objects must
# not mix with the normal build's).  Each input runs against a fresh
# database with a fixed schema (see the header of fuzz_exec.c); the corpus
# in $(BUILD)/fuzz-exec-corpus is seeded once from windows of consecutive
# sqllogictest records (a table's CREATE and INSERTs with the queries that
# follow them), the scripts of tests/sql/*.sql, the built-in statements of
# `make fuzz`, and statements mixing branches with DML.  Crashes, leaks,
# failed integrity checks and timeouts land in $(BUILD)/fuzz-exec/; turn
# each into a case of test_fuzz_exec_regressions in tests/check_sql_exec.c.
# A single
# allocation over 512 MiB counts as a failure (zeroblob(1e9) and the like
# are legal SQL but would only slow the search down).  To go on past
# failures: FUZZ_FLAGS="-fork=1 -ignore_crashes=1 -ignore_ooms=1".  To
# replay one input with its statements and results printed:
#   FUZZ_EXEC_VERBOSE=1 $(BUILD)/fuzz/fuzz_exec crash-...

FUZZ_EXEC_BIN    = $(BUILD)/fuzz/fuzz_exec
FUZZ_EXEC_OBJ    = $(BUILD)/fuzz-exec/obj
FUZZ_EXEC_CORPUS = $(BUILD)/fuzz-exec-corpus
FUZZ_EXEC_WINDOW ?= 4
FUZZ_EXEC_FLAGS  = -std=c11 -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -g -O1 -fno-omit-frame-pointer \
                   -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
                   -I. -Iinclude
FUZZ_EXEC_LIBOBJ = $(LIB_SRC:%.c=$(FUZZ_EXEC_OBJ)/%.o)

$(FUZZ_EXEC_OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_EXEC_FLAGS) -MMD -MP -c $< -o $@

$(FUZZ_EXEC_BIN): tests/fuzz/fuzz_exec.c $(FUZZ_EXEC_LIBOBJ) include/heliosdb.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_EXEC_FLAGS) -fsanitize=fuzzer -o $@ tests/fuzz/fuzz_exec.c \
	  $(FUZZ_EXEC_LIBOBJ) $(LIBS)

-include $(FUZZ_EXEC_LIBOBJ:.o=.d)

# Windows of FUZZ_EXEC_WINDOW consecutive records of one file, one input
# each; a file of more than 300 records gives about 300 windows.
define FUZZ_EXEC_SEED_AWK
{ sub(/\r$$/, "") }
/^#/ { next }
/^[ \t\r]*$$/ { if (state == 1) keep(); state = 0; next }
state == 2 { next }
state == 1 { if ($$0 == "----") { keep(); state = 2 } else sql = sql (sql == "" ? "" : "\n") $$0; next }
/^(statement|query) / { state = 1; sql = ""; next }
function keep() { if (sql != "") rec[++n] = sql }
END {
  if (state == 1) keep()
  step = int(n / (300 * win)); if (step < 1) step = 1
  for (i = 1; i <= n; i += win * step) {
    s = ""
    for (j = i; j < i + win && j <= n; j++) s = s rec[j] ";\n"
    f = out "/" tag "-" i
    printf "%s", s > f
    close(f)
  }
}
endef
export FUZZ_EXEC_SEED_AWK

FUZZ_EXEC_BRANCH_SEEDS = \
  "CREATE BRANCH b1 FROM main; USE BRANCH b1; INSERT INTO p VALUES(7,'seven',7); DELETE FROM c WHERE a=1; USE BRANCH main; UPDATE p SET v=9 WHERE id=2; MERGE BRANCH b1 INTO main; SELECT * FROM pv" \
  "USE BRANCH dev; DELETE FROM p WHERE id=1; CREATE INDEX cx ON c(x); USE BRANCH main; INSERT INTO c VALUES(9,'q',1,NULL,NULL); MERGE BRANCH dev INTO main USING THEIRS; DROP BRANCH dev" \
  "BEGIN; INSERT INTO t1 VALUES(1,2,3,4,5); CREATE BRANCH x FROM main; COMMIT; USE BRANCH x; UPDATE t1 SET a=a+1; USE BRANCH main; MERGE BRANCH x INTO main DRY RUN; SHOW BRANCHES" \
  "USE BRANCH dev; ALTER TABLE p ADD COLUMN w TEXT DEFAULT 'w'; INSERT OR REPLACE INTO p(id,name) VALUES(2,'TWO'); USE BRANCH main; DROP TABLE c; MERGE BRANCH dev INTO main USING OURS; SELECT * FROM p" \
  "CREATE BRANCH a AS OF LSN 1; USE BRANCH a; SELECT * FROM sqlite_master; INSERT INTO kv VALUES('z',1) ON CONFLICT(k) DO UPDATE SET v=excluded.v; USE BRANCH main; MERGE BRANCH a INTO dev; DROP BRANCH a" \
  "ALTER BRANCH dev SET READ ONLY; USE BRANCH dev; DELETE FROM p; USE BRANCH main; SHOW HISTORY FOR BRANCH dev; CHECKPOINT; DROP BRANCH dev" \
  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n) INSERT INTO t1(a) SELECT i FROM n LIMIT 50; USE BRANCH dev; REPLACE INTO t1 SELECT * FROM t1; USE BRANCH main; MERGE BRANCH dev INTO main" \
  "SELECT * FROM t1, t1 AS x, t1 AS y, tab0, c, p WHERE t1.a < x.b; WITH RECURSIVE r(x) AS (SELECT 1 UNION SELECT x+1 FROM r) SELECT count(*) FROM r" \
  "INSERT INTO ai(v) VALUES('c'); UPDATE sqlite_sequence SET seq = seq + 10 WHERE name = 'ai'; USE BRANCH dev; DELETE FROM sqlite_sequence; INSERT INTO ai(v) VALUES('d'); USE BRANCH main; MERGE BRANCH dev INTO main; SELECT * FROM sqlite_sequence; INSERT INTO sqlite_sequence SELECT name, seq * 2 FROM sqlite_sequence RETURNING *"

$(FUZZ_EXEC_CORPUS)/.seeded:
	@mkdir -p $(FUZZ_EXEC_CORPUS)
	@if [ -d "$(FUZZ_SLT_DIR)" ]; then \
	  find "$(FUZZ_SLT_DIR)" -name '*.test' | sort | while read -r f; do \
	    tag=slt-$$(echo "$$f" | md5sum | cut -c1-8); \
	    awk -v out="$(FUZZ_EXEC_CORPUS)" -v tag=$$tag -v win=$(FUZZ_EXEC_WINDOW) "$$FUZZ_EXEC_SEED_AWK" "$$f"; \
	  done; \
	else echo "fuzz-exec: no sqllogictest files at $(FUZZ_SLT_DIR)"; fi
	@for f in tests/sql/*.sql; do cp "$$f" $(FUZZ_EXEC_CORPUS)/sql-$$(basename $$f .sql); done
	@i=0; for s in $(FUZZ_EXTRA_SEEDS) $(FUZZ_EXEC_BRANCH_SEEDS); do i=$$((i + 1)); \
	  printf '%s' "$$s" > $(FUZZ_EXEC_CORPUS)/extra-$$i; done
	@echo "fuzz-exec: seeded $(FUZZ_EXEC_CORPUS) with $$(ls $(FUZZ_EXEC_CORPUS) | wc -l) inputs"
	@touch $@

.PHONY: fuzz-exec fuzz-exec-build
fuzz-exec-build: $(FUZZ_EXEC_BIN)

fuzz-exec: $(FUZZ_EXEC_BIN) $(FUZZ_DICT) $(FUZZ_EXEC_CORPUS)/.seeded
	@mkdir -p $(BUILD)/fuzz-exec
	$(FUZZ_EXEC_BIN) -max_len=$(FUZZ_MAX_LEN) -max_total_time=$(FUZZ_SECONDS) -timeout=20 \
	  -rss_limit_mb=2048 -malloc_limit_mb=512 -dict=$(FUZZ_DICT) -artifact_prefix=$(BUILD)/fuzz-exec/ \
	  -print_final_stats=1 $(FUZZ_FLAGS) $(FUZZ_EXEC_CORPUS)

# The same target pointed at branches: a corpus of its own, seeded only with
# statements that mix CREATE/USE/MERGE/DROP BRANCH with DML and DDL (the
# branch seeds above and tests/sql/branch_*.sql), so the mutations stay
# around branch statements.
FUZZ_EXEC_BRANCH_CORPUS = $(BUILD)/fuzz-exec-branch-corpus

$(FUZZ_EXEC_BRANCH_CORPUS)/.seeded:
	@mkdir -p $(FUZZ_EXEC_BRANCH_CORPUS)
	@for f in tests/sql/branch_*.sql; do cp "$$f" $(FUZZ_EXEC_BRANCH_CORPUS)/sql-$$(basename $$f .sql); done
	@i=0; for s in $(FUZZ_EXEC_BRANCH_SEEDS); do i=$$((i + 1)); \
	  printf '%s' "$$s" > $(FUZZ_EXEC_BRANCH_CORPUS)/branch-$$i; done
	@echo "fuzz-exec: seeded $(FUZZ_EXEC_BRANCH_CORPUS) with $$(ls $(FUZZ_EXEC_BRANCH_CORPUS) | wc -l) inputs"
	@touch $@

.PHONY: fuzz-exec-branches
fuzz-exec-branches: $(FUZZ_EXEC_BIN) $(FUZZ_DICT) $(FUZZ_EXEC_BRANCH_CORPUS)/.seeded
	@mkdir -p $(BUILD)/fuzz-exec
	$(FUZZ_EXEC_BIN) -max_len=$(FUZZ_MAX_LEN) -max_total_time=$(FUZZ_SECONDS) -timeout=20 \
	  -rss_limit_mb=2048 -malloc_limit_mb=512 -dict=$(FUZZ_DICT) -artifact_prefix=$(BUILD)/fuzz-exec/ \
	  -print_final_stats=1 $(FUZZ_FLAGS) $(FUZZ_EXEC_BRANCH_CORPUS)
