/* cache-dump.h - test helper: the cache rendered in the shape of the fake
 * Stash's /__control/state document, so a sync can be checked for an exact
 * copy.  Both documents are normalised the same way (id lists and aliases
 * sorted, since the cache keeps them in key order). */
#ifndef SH_TEST_CACHE_DUMP_H
#define SH_TEST_CACHE_DUMP_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>

json_t *sh_test_cache_dump(sqlite3 *db);
void sh_test_state_normalize(json_t *state);
/* 0 when equal; otherwise -1 and a description of the first difference. */
int sh_test_state_compare(json_t *expected, json_t *actual, char *msg, size_t len);

#endif
