/* settings.h - runtime settings that users change while the daemon runs
 * (Stash URL and key, LLM endpoint, ...), stored in the `settings` table.
 *
 * One table (settings.c) defines every key: type, validation, default,
 * secret flag, description.  Unknown keys and bad values are rejected with a
 * message naming the key.  Secret values are sealed with sh_secrets before
 * they reach the database and are never logged; a secret may instead come
 * from a file named by an environment variable (Docker secrets), which wins
 * over the stored value.
 *
 * Functions take the caller's own connection (RPC worker or job worker):
 * reads work on read-only connections, writes need a read-write one.  No
 * state is cached, so a change is seen by the next job that starts. */
#ifndef SH_SETTINGS_H
#define SH_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "services.h"
#include "sh-error.h"
#include "llm/llm.h"
#include "stash/stash-client.h"

typedef enum sh_setting_type {
    SH_SETTING_STRING,
    SH_SETTING_URL,    /* http:// or https://, trailing '/' removed */
    SH_SETTING_BOOL,   /* stored as "true" / "false" */
    SH_SETTING_INT,    /* within [min, max] */
    SH_SETTING_DOUBLE, /* within [min, max] */
    SH_SETTING_FILE,   /* absolute path of a readable file */
    SH_SETTING_SECRET, /* printable, no spaces; sealed at rest */
} sh_setting_type;

typedef struct sh_setting_def {
    const char *key;
    sh_setting_type type;
    const char *default_value; /* NULL = unset by default */
    double min, max;           /* INT and DOUBLE */
    const char *env_file;      /* env var naming a file that holds the value, or NULL */
    const char *description;
} sh_setting_def;

typedef enum sh_setting_source {
    SH_SETTING_UNSET = 0,
    SH_SETTING_FROM_DEFAULT,
    SH_SETTING_FROM_CONFIG, /* stashhogd config (stash_url) */
    SH_SETTING_FROM_DB,
    SH_SETTING_FROM_FILE,   /* *_FILE environment variable */
} sh_setting_source;

size_t sh_settings_count(void);
const sh_setting_def *sh_settings_at(size_t i);
const sh_setting_def *sh_settings_find(const char *key); /* NULL if unknown */
static inline bool sh_setting_is_secret(const sh_setting_def *d)
{
    return d->type == SH_SETTING_SECRET;
}

/* Check value for key and return its canonical form (caller frees).
 * SH_ERR_INVALID with "KEY: why" for unknown keys and bad values. */
sh_status sh_settings_validate(const char *key, const char *value, char **canonical,
                               sh_error *err);

/* Validate all pairs first, then store them in one transaction: either all
 * change or none.  An empty or NULL value removes the stored value (back to
 * the default). */
sh_status sh_settings_set_many(sh_db *db, sh_services *svc, const char *const *keys,
                               const char *const *values, size_t n, sh_error *err);
sh_status sh_settings_set(sh_db *db, sh_services *svc, const char *key, const char *value,
                          sh_error *err);

/* The effective value: *_FILE env > stored > config > default.  *value is
 * NULL when unset; free it with sh_secrets_free_plain (it may be a secret). */
sh_status sh_settings_get(sh_db *db, sh_services *svc, const char *key, char **value,
                          sh_setting_source *source, sh_error *err);
sh_status sh_settings_get_int(sh_db *db, sh_services *svc, const char *key, int64_t *out,
                              sh_error *err);
sh_status sh_settings_get_double(sh_db *db, sh_services *svc, const char *key, double *out,
                                 sh_error *err);
sh_status sh_settings_get_bool(sh_db *db, sh_services *svc, const char *key, bool *out,
                               sh_error *err);

/* "••••••cdef" (last four shown only for long values), "••••••" for short
 * ones.  Writes into buf. */
const char *sh_settings_mask(const char *secret, char *buf, size_t len);

/* A Stash client configuration from the current settings; the strings the
 * config points at are owned by *out.  SH_ERR_INVALID when stash.url is unset. */
typedef struct sh_settings_stash {
    sh_stash_config cfg;
    int page_size;
    char *url_;
    char *api_key_;
    char *ca_file_;
} sh_settings_stash;

sh_status sh_settings_stash_config(sh_db *db, sh_services *svc, sh_settings_stash *out,
                                   sh_error *err);
void sh_settings_stash_fini(sh_settings_stash *s);

/* An LLM client configuration from the openai.* settings, sharing the
 * daemon's concurrency limiter (resized to openai.max_concurrency). */
typedef struct sh_settings_llm {
    sh_llm_config cfg;
    double budget_usd;
    char *base_url_;
    char *api_key_;
    char *model_;
} sh_settings_llm;

sh_status sh_settings_llm_config(sh_db *db, sh_services *svc, sh_settings_llm *out, sh_error *err);
void sh_settings_llm_fini(sh_settings_llm *s);

#endif
