/* llm-cache.c - answers remembered in table llm_cache, so analyzing the
 * same scene again (same model, inputs, fields and prompt version) costs no
 * request.  The key is the SHA-256 (libsodium) of those inputs; the value is
 * the model's answer for that one scene, re-validated when read.  Uses the
 * caller's connection; no state of its own. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm/llm-internal.h"

sh_status sh_llm_cache_key(const char *model, const sh_llm_scene_input *scene,
                           const sh_llm_request_opts *opts, char key[SH_LLM_CACHE_KEY_LEN],
                           sh_error *err)
{
    unsigned fields = sh_llm_fields_normalize(opts ? opts->fields : 0);
    bool allow_new = opts && opts->allow_new_entities;
    json_t *s = sh_llm_scene_json(scene, fields);
    char *text = s ? json_dumps(s, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(s);
    if (!text)
        return sh_error_set(err, SH_ERR_NOMEM, "cannot encode the scene for the cache key");
    char head[160];
    snprintf(head, sizeof head, "stashhog-llm v%d\n%s\nfields=%u new=%d\n", SH_LLM_PROMPT_VERSION,
             model ? model : "", fields, allow_new ? 1 : 0);
    crypto_hash_sha256_state st;
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)head, strlen(head));
    crypto_hash_sha256_update(&st, (const unsigned char *)text, strlen(text));
    crypto_hash_sha256_final(&st, digest);
    free(text);
    sodium_bin2hex(key, SH_LLM_CACHE_KEY_LEN, digest, sizeof digest);
    return SH_OK;
}

sh_status sh_llm_cache_get(sh_db *db, const char *key, char **response, int64_t *prompt_tokens,
                           int64_t *completion_tokens, sh_error *err)
{
    *response = NULL;
    sqlite3_stmt *st = NULL;
    sh_status rc = sh_db_prepare(
        db, "SELECT response, prompt_tokens, completion_tokens FROM llm_cache WHERE key = ?1", &st,
        err);
    if (rc != SH_OK)
        return rc;
    sh_db_bind_text(st, 1, key);
    int r = sh_db_step(db, st, err);
    if (r < 0)
        rc = err ? err->code : SH_ERR_DB;
    else if (r == 0)
        rc = sh_error_set(err, SH_ERR_NOT_FOUND, "not cached");
    else if (!(*response = strdup(sh_db_column_text(st, 0))))
        rc = sh_error_set(err, SH_ERR_NOMEM, "out of memory");
    else {
        if (prompt_tokens)
            *prompt_tokens = sqlite3_column_int64(st, 1);
        if (completion_tokens)
            *completion_tokens = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    return rc;
}

sh_status sh_llm_cache_put(sh_db *db, const char *key, const char *model, const char *response,
                           int64_t prompt_tokens, int64_t completion_tokens, bool in_txn,
                           sh_error *err)
{
    sqlite3_stmt *st = NULL;
    sh_status rc;
    if (!in_txn && (rc = sh_db_write_begin(db, err)) != SH_OK)
        return rc;
    rc = sh_db_prepare(db,
                       "INSERT OR REPLACE INTO llm_cache (key, model, response, prompt_tokens, "
                       "completion_tokens, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                       &st, err);
    if (rc == SH_OK) {
        sh_db_bind_text(st, 1, key);
        sh_db_bind_text(st, 2, model);
        sh_db_bind_text(st, 3, response);
        sqlite3_bind_int64(st, 4, prompt_tokens);
        sqlite3_bind_int64(st, 5, completion_tokens);
        sqlite3_bind_int64(st, 6, sh_now_ms());
        if (sh_db_step(db, st, err) < 0)
            rc = err ? err->code : SH_ERR_DB;
        sqlite3_reset(st);
    }
    if (in_txn)
        return rc;
    if (rc != SH_OK) {
        sh_db_rollback(db);
        return rc;
    }
    return sh_db_commit(db, err);
}

sh_status sh_llm_cache_prune(sh_db *db, int64_t before_ms, int64_t *deleted, sh_error *err)
{
    sqlite3_stmt *st = NULL;
    sh_status rc = sh_db_write_begin(db, err);
    if (rc != SH_OK)
        return rc;
    rc = sh_db_prepare(db, "DELETE FROM llm_cache WHERE ?1 = 0 OR created_at < ?1", &st, err);
    if (rc == SH_OK) {
        sqlite3_bind_int64(st, 1, before_ms);
        if (sh_db_step(db, st, err) < 0)
            rc = err ? err->code : SH_ERR_DB;
        else if (deleted)
            *deleted = sqlite3_changes(sh_db_handle(db));
        sqlite3_reset(st);
    }
    if (rc != SH_OK) {
        sh_db_rollback(db);
        return rc;
    }
    return sh_db_commit(db, err);
}
