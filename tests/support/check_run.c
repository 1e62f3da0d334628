/*
** check_run.c — helpers that need Check: the main() of every suite (run
** it in Check's normal mode, print its summary line, exit 0 only if every
** test passed), opening a test database with sync off, and collecting the
** rows of a statement as text.
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "heliosdb.h"
#include "test_util.h"

int tu_run(struct Suite *s)
{
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

struct hdb *tu_open_nosync(const char *dir, const char *name)
{
    char path[512];
    hdb_options o;
    hdb *db = NULL;
    hdb_options_init(&o);
    o.sync = HDB_SYNC_OFF;
    tu_path(path, sizeof path, dir, name);
    ck_assert_int_eq(hdb_open(path, &o, &db), HDB_OK);
    return db;
}

int tu_collect(void *ctx, int ncol, const char *const *vals, const char *const *names)
{
    char *b = ctx;
    size_t n = strlen(b);
    (void)names;
    for (int i = 0; i < ncol && n < TU_ROWS_MAX; i++)
        n += (size_t)snprintf(b + n, TU_ROWS_MAX - n, "%s%s", i ? "|" : "", vals[i] ? vals[i] : "NULL");
    if (n < TU_ROWS_MAX)
        snprintf(b + n, TU_ROWS_MAX - n, "\n");
    ck_assert_msg(strlen(b) + 1 < TU_ROWS_MAX, "tu_collect: more rows than the buffer holds");
    return 0;
}
