/*
** check_run.c — the main() of every Check suite: run it in Check's normal
** mode, print its summary line, and exit 0 only if every test passed.
*/
#include <check.h>
#include <stdlib.h>
#include "test_util.h"

int tu_run(struct Suite *s)
{
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
