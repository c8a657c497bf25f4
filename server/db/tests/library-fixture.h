/* library-fixture.h - the small hand-made library the db tests query.
 *
 * A fresh SQLite database (migrated to the current schema) in its own temp
 * dir under $STASHHOG_TEST_SCRATCH (or /tmp), holding 3 studios, 4
 * performers, 3 tags and 8 scenes: see the table in library-fixture.c. */
#ifndef SH_TEST_LIBRARY_FIXTURE_H
#define SH_TEST_LIBRARY_FIXTURE_H

#include "test-db.h"

typedef sh_test_db sh_test_library;

/* Creates and fills the library; `tweaks` (NULL-terminated, may be NULL)
 * run after the scenes and files are in and before the full-text rows are
 * built, so they may change files.  Fails the running test on any error. */
void sh_test_library_open(sh_test_library *lib, const char *const *tweaks);
void sh_test_library_close(sh_test_library *lib);

#endif
