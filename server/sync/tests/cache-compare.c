/* sh-cache-compare DB STATE.json: exit 0 when the cache in DB is an exact
 * copy of the fake Stash state document (GET /__control/state); otherwise
 * print the first difference and exit 1.  Used by integration tests. */
#include <stdio.h>

#include "cache-dump.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: sh-cache-compare DB STATE.json\n");
        return 2;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "cannot open %s\n", argv[1]);
        sqlite3_close(db);
        return 2;
    }
    json_error_t jerr;
    json_t *state = json_load_file(argv[2], 0, &jerr);
    if (!state) {
        fprintf(stderr, "%s: %s\n", argv[2], jerr.text);
        sqlite3_close(db);
        return 2;
    }
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL); /* one snapshot */
    json_t *cache = sh_test_cache_dump(db);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sh_test_state_normalize(state);
    char msg[2048];
    int rc = sh_test_state_compare(state, cache, msg, sizeof msg);
    printf("%s\n", msg);
    json_decref(state);
    json_decref(cache);
    sqlite3_close(db);
    return rc == 0 ? 0 : 1;
}
