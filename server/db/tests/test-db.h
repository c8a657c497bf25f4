/* test-db.h - a fresh, migrated SQLite database in its own temp dir for
 * daemon unit tests (cmocka): under $STASHHOG_TEST_SCRATCH when ctest sets
 * it, else /tmp.  Every helper fails the running test on error. */
#ifndef SH_TEST_DB_H
#define SH_TEST_DB_H

#include <stdint.h>

#include "db/db.h"

typedef struct sh_test_db {
    char dir[256];
    char path[300];
    sh_db_env *env;
    sh_db *db; /* read-write */
} sh_test_db;

void sh_test_db_open(sh_test_db *t);
/* Runs one or more ';'-separated statements. */
void sh_test_db_exec(sh_test_db *t, const char *sql);
/* The first column of the first row of sql as an integer (-1 if no row). */
int64_t sh_test_db_int(sh_test_db *t, const char *sql);
/* Closes the database and removes its directory with everything in it. */
void sh_test_db_close(sh_test_db *t);

#endif
