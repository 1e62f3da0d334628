# tests/fuzz: libFuzzer on the SQL front end (tokenizer, parser, dump round trip).
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
