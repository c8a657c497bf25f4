#include "settings/settings.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secrets/secretbox.h"
#include "sh-log.h"
#include "sh-util.h"

#define LOG "settings"

static const sh_setting_def defs[] = {
    {"stash.url", SH_SETTING_URL, NULL, 0, 0, NULL,
     "Base URL of the Stash server, e.g. http://127.0.0.1:9999 (default: stashhogd's stash_url)"},
    {"stash.api_key", SH_SETTING_SECRET, NULL, 0, 0, "STASHHOG_STASH_API_KEY_FILE",
     "Stash API key (Settings > Security in Stash); stored encrypted"},
    {"stash.verify_tls", SH_SETTING_BOOL, "true", 0, 0, NULL,
     "Verify the Stash server's TLS certificate (https only)"},
    {"stash.ca_file", SH_SETTING_FILE, NULL, 0, 0, NULL,
     "PEM file of CA certificates to verify Stash against (default: system store)"},
    {"stash.timeout_s", SH_SETTING_INT, "120", 1, 3600, NULL,
     "Timeout of one Stash request in seconds"},
    {"stash.page_size", SH_SETTING_INT, "500", 1, 1000, NULL,
     "Scenes fetched per request when syncing (1..1000)"},
    {"openai.base_url", SH_SETTING_URL, "https://api.openai.com/v1", 0, 0, NULL,
     "Base URL of the OpenAI-compatible API (ending before /chat/completions)"},
    {"openai.api_key", SH_SETTING_SECRET, NULL, 0, 0, "STASHHOG_OPENAI_API_KEY_FILE",
     "API key of the OpenAI-compatible API; stored encrypted"},
    {"openai.model", SH_SETTING_STRING, "gpt-4o-mini", 0, 0, NULL, "Model name sent to the LLM API"},
    {"openai.max_concurrency", SH_SETTING_INT, "4", 1, 64, NULL,
     "Maximum LLM requests in flight at once"},
    {"openai.budget_usd", SH_SETTING_DOUBLE, "5", 0, 1e6, NULL,
     "Spending cap of one analysis in US dollars (0 = no LLM calls)"},
};

#define N_DEFS (sizeof defs / sizeof defs[0])

size_t sh_settings_count(void)
{
    return N_DEFS;
}

const sh_setting_def *sh_settings_at(size_t i)
{
    return i < N_DEFS ? &defs[i] : NULL;
}

const sh_setting_def *sh_settings_find(const char *key)
{
    for (size_t i = 0; key && i < N_DEFS; i++)
        if (strcmp(defs[i].key, key) == 0)
            return &defs[i];
    return NULL;
}

/* ---------------------------------------------------------------- validation */

static bool has_space_or_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || *s == 0x7f)
            return true;
    return false;
}

static sh_status check_url(const sh_setting_def *d, const char *v, char **out, sh_error *err)
{
    const char *host = NULL;
    if (sh_str_has_prefix(v, "http://"))
        host = v + 7;
    else if (sh_str_has_prefix(v, "https://"))
        host = v + 8;
    if (!host || !*host || *host == '/' || *host == ':' || has_space_or_control(v))
        return sh_error_set(err, SH_ERR_INVALID, "%s: '%s' is not an http:// or https:// URL",
                            d->key, v);
    char *c = strdup(v);
    if (!c)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    size_t n = strlen(c);
    while (n > 0 && c[n - 1] == '/')
        c[--n] = '\0';
    /* People paste the GraphQL endpoint; the client appends /graphql itself. */
    if (strcmp(d->key, "stash.url") == 0 && n > 8 && strcmp(c + n - 8, "/graphql") == 0)
        c[n -= 8] = '\0';
    while (n > 0 && c[n - 1] == '/')
        c[--n] = '\0';
    *out = c;
    return SH_OK;
}

static sh_status check_bool(const sh_setting_def *d, const char *v, char **out, sh_error *err)
{
    static const char *const yes[] = {"true", "1", "yes", "on"}, *const no[] = {"false", "0", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return (*out = strdup("true")) ? SH_OK : sh_error_set(err, SH_ERR_NOMEM, NULL);
        if (strcasecmp(v, no[i]) == 0)
            return (*out = strdup("false")) ? SH_OK : sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    return sh_error_set(err, SH_ERR_INVALID, "%s: expected true or false, got '%s'", d->key, v);
}

static sh_status check_number(const sh_setting_def *d, const char *v, char **out, sh_error *err)
{
    char *end = NULL;
    errno = 0;
    if (d->type == SH_SETTING_INT) {
        long long n = strtoll(v, &end, 10);
        if (errno || end == v || *end || (double)n < d->min || (double)n > d->max)
            return sh_error_set(err, SH_ERR_INVALID, "%s: expected an integer from %.0f to %.0f, got '%s'",
                                d->key, d->min, d->max, v);
        *out = sh_strdup_printf("%lld", n);
    } else {
        double x = strtod(v, &end);
        if (errno || end == v || *end || !isfinite(x) || x < d->min || x > d->max)
            return sh_error_set(err, SH_ERR_INVALID, "%s: expected a number from %g to %g, got '%s'",
                                d->key, d->min, d->max, v);
        *out = sh_strdup_printf("%.15g", x);
    }
    return *out ? SH_OK : sh_error_set(err, SH_ERR_NOMEM, NULL);
}

sh_status sh_settings_validate(const char *key, const char *value, char **canonical, sh_error *err)
{
    *canonical = NULL;
    const sh_setting_def *d = sh_settings_find(key);
    if (!d)
        return sh_error_set(err, SH_ERR_INVALID, "%s: unknown setting (see `stashhogctl settings get`)",
                            key ? key : "(null)");
    if (!value || strlen(value) > 4096)
        return sh_error_set(err, SH_ERR_INVALID, "%s: value missing or longer than 4096 bytes", key);
    switch (d->type) {
    case SH_SETTING_URL:
        return check_url(d, value, canonical, err);
    case SH_SETTING_BOOL:
        return check_bool(d, value, canonical, err);
    case SH_SETTING_INT:
    case SH_SETTING_DOUBLE:
        return check_number(d, value, canonical, err);
    case SH_SETTING_FILE:
        if (value[0] != '/' || access(value, R_OK) != 0)
            return sh_error_set(err, SH_ERR_INVALID, "%s: '%s' is not an absolute path of a readable file",
                                key, value);
        break;
    case SH_SETTING_SECRET:
        /* It travels in an HTTP header: no spaces or control characters. */
        if (has_space_or_control(value))
            return sh_error_set(err, SH_ERR_INVALID, "%s: must not contain spaces or control characters", key);
        break;
    case SH_SETTING_STRING:
        for (const char *p = value; *p; p++)
            if (iscntrl((unsigned char)*p))
                return sh_error_set(err, SH_ERR_INVALID, "%s: must not contain control characters", key);
        break;
    }
    *canonical = strdup(value);
    return *canonical ? SH_OK : sh_error_set(err, SH_ERR_NOMEM, NULL);
}

/* ---------------------------------------------------------------- storage */

static sh_status store_one(sh_db *db, sh_services *svc, const sh_setting_def *d, const char *value,
                           sh_error *err)
{
    sqlite3_stmt *stmt = NULL;
    sh_status st;
    if (!value) {
        if ((st = sh_db_prepare(db, "DELETE FROM settings WHERE key = ?1", &stmt, err)) != SH_OK)
            return st;
        sqlite3_bind_text(stmt, 1, d->key, -1, SQLITE_STATIC);
        return sh_db_step(db, stmt, err) < 0 ? SH_ERR_DB : SH_OK;
    }
    if ((st = sh_db_prepare(db,
                            "INSERT INTO settings (key, value, sealed, updated_at) VALUES (?1, ?2, ?3, ?4) "
                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
                            "sealed = excluded.sealed, updated_at = excluded.updated_at",
                            &stmt, err)) != SH_OK)
        return st;
    sqlite3_bind_text(stmt, 1, d->key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 4, sh_now_ms());
    uint8_t *sealed = NULL;
    size_t sealed_len = 0;
    if (sh_setting_is_secret(d)) {
        if (!svc->secrets)
            return sh_error_set(err, SH_ERR_INTERNAL, "no secret store");
        if ((st = sh_secrets_seal(svc->secrets, value, strlen(value), &sealed, &sealed_len, err)) != SH_OK)
            return st;
        sqlite3_bind_null(stmt, 2);
        sqlite3_bind_blob(stmt, 3, sealed, (int)sealed_len, SQLITE_STATIC);
    } else {
        sqlite3_bind_text(stmt, 2, value, -1, SQLITE_STATIC);
        sqlite3_bind_null(stmt, 3);
    }
    st = sh_db_step(db, stmt, err) < 0 ? SH_ERR_DB : SH_OK;
    sqlite3_clear_bindings(stmt);
    free(sealed);
    return st;
}

sh_status sh_settings_set_many(sh_db *db, sh_services *svc, const char *const *keys,
                               const char *const *values, size_t n, sh_error *err)
{
    char **canon = calloc(n ? n : 1, sizeof *canon);
    if (!canon)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sh_status st = SH_OK;
    for (size_t i = 0; i < n && st == SH_OK; i++) {
        const sh_setting_def *d = sh_settings_find(keys[i]);
        if (!d) {
            st = sh_error_set(err, SH_ERR_INVALID, "%s: unknown setting (see `stashhogctl settings get`)",
                              keys[i]);
        } else if (d->env_file && !sh_str_empty(getenv(d->env_file))) {
            st = sh_error_set(err, SH_ERR_CONFLICT, "%s: comes from the file named by $%s; change that file",
                              d->key, d->env_file);
        } else if (!sh_str_empty(values[i])) {
            st = sh_settings_validate(keys[i], values[i], &canon[i], err);
        }
    }
    if (st == SH_OK && (st = sh_db_write_begin(db, err)) == SH_OK) {
        for (size_t i = 0; i < n && st == SH_OK; i++)
            st = store_one(db, svc, sh_settings_find(keys[i]), canon[i], err);
        if (st == SH_OK)
            st = sh_db_commit(db, err);
        else
            sh_db_rollback(db);
    }
    for (size_t i = 0; i < n; i++) {
        if (st == SH_OK)
            sh_info(LOG, "%s %s", keys[i], canon[i] ? "set" : "reset to default");
        sh_secrets_free_plain(canon[i]);
    }
    free(canon);
    return st;
}

sh_status sh_settings_set(sh_db *db, sh_services *svc, const char *key, const char *value, sh_error *err)
{
    return sh_settings_set_many(db, svc, &key, &value, 1, err);
}

static sh_status read_env_file(const sh_setting_def *d, const char *path, char **value, sh_error *err)
{
    char *data = NULL;
    size_t len = 0;
    sh_status st = sh_read_file(path, (size_t)64 * 1024, &data, &len, err);
    if (st != SH_OK)
        return sh_error_prefix(err, "%s (from $%s)", d->key, d->env_file);
    while (len > 0 && isspace((unsigned char)data[len - 1]))
        data[--len] = '\0';
    if (len == 0) {
        free(data);
        return sh_error_set(err, SH_ERR_INVALID, "%s: the file named by $%s is empty", d->key, d->env_file);
    }
    *value = data;
    return SH_OK;
}

sh_status sh_settings_get(sh_db *db, sh_services *svc, const char *key, char **value,
                          sh_setting_source *source, sh_error *err)
{
    *value = NULL;
    sh_setting_source src = SH_SETTING_UNSET;
    const sh_setting_def *d = sh_settings_find(key);
    if (!d)
        return sh_error_set(err, SH_ERR_INVALID, "%s: unknown setting", key ? key : "(null)");
    sh_status st = SH_OK;
    const char *env = d->env_file ? getenv(d->env_file) : NULL;
    if (!sh_str_empty(env)) {
        if ((st = read_env_file(d, env, value, err)) == SH_OK)
            src = SH_SETTING_FROM_FILE;
        goto out;
    }
    sqlite3_stmt *stmt = NULL;
    if ((st = sh_db_prepare(db, "SELECT value, sealed FROM settings WHERE key = ?1", &stmt, err)) != SH_OK)
        goto out;
    sqlite3_bind_text(stmt, 1, d->key, -1, SQLITE_STATIC);
    int rc = sh_db_step(db, stmt, err);
    if (rc < 0) {
        st = SH_ERR_DB;
    } else if (rc > 0 && sh_setting_is_secret(d) && sqlite3_column_type(stmt, 1) == SQLITE_BLOB) {
        st = svc->secrets ? sh_secrets_open(svc->secrets, sqlite3_column_blob(stmt, 1),
                                            (size_t)sqlite3_column_bytes(stmt, 1), value, err)
                          : sh_error_set(err, SH_ERR_INTERNAL, "no secret store");
        src = st == SH_OK ? SH_SETTING_FROM_DB : SH_SETTING_UNSET;
    } else if (rc > 0 && sqlite3_column_type(stmt, 0) == SQLITE_TEXT) {
        if (!(*value = strdup(sh_db_column_text(stmt, 0))))
            st = sh_error_set(err, SH_ERR_NOMEM, NULL);
        src = SH_SETTING_FROM_DB;
    }
    sqlite3_reset(stmt);
    if (st != SH_OK || *value)
        goto out;
    if (strcmp(d->key, "stash.url") == 0 && svc->cfg && !sh_str_empty(svc->cfg->stash_url)) {
        *value = strdup(svc->cfg->stash_url);
        src = SH_SETTING_FROM_CONFIG;
    } else if (d->default_value) {
        *value = strdup(d->default_value);
        src = SH_SETTING_FROM_DEFAULT;
    }
    if (src != SH_SETTING_UNSET && !*value)
        st = sh_error_set(err, SH_ERR_NOMEM, NULL);
out:
    if (source)
        *source = st == SH_OK ? src : SH_SETTING_UNSET;
    return st;
}

static sh_status get_number(sh_db *db, sh_services *svc, const char *key, double *out, sh_error *err)
{
    char *v = NULL;
    sh_status st = sh_settings_get(db, svc, key, &v, NULL, err);
    if (st != SH_OK)
        return st;
    if (!v)
        return sh_error_set(err, SH_ERR_INVALID, "%s is not set", key);
    char *end = NULL;
    *out = strtod(v, &end);
    if (end == v || *end)
        st = sh_error_set(err, SH_ERR_INVALID, "%s: stored value '%s' is not a number", key, v);
    free(v);
    return st;
}

sh_status sh_settings_get_int(sh_db *db, sh_services *svc, const char *key, int64_t *out, sh_error *err)
{
    double x = 0;
    sh_status st = get_number(db, svc, key, &x, err);
    *out = (int64_t)x;
    return st;
}

sh_status sh_settings_get_double(sh_db *db, sh_services *svc, const char *key, double *out, sh_error *err)
{
    return get_number(db, svc, key, out, err);
}

sh_status sh_settings_get_bool(sh_db *db, sh_services *svc, const char *key, bool *out, sh_error *err)
{
    char *v = NULL;
    sh_status st = sh_settings_get(db, svc, key, &v, NULL, err);
    *out = st == SH_OK && v && strcmp(v, "true") == 0;
    free(v);
    return st;
}

const char *sh_settings_mask(const char *secret, char *buf, size_t len)
{
    size_t n = secret ? strlen(secret) : 0;
    /* Only long keys show a tail: four characters of a short one say too much. */
    if (n >= 16)
        snprintf(buf, len, "••••••%s", secret + n - 4);
    else
        snprintf(buf, len, "••••••");
    return buf;
}

/* ---------------------------------------------------------------- Stash client */

sh_status sh_settings_stash_config(sh_db *db, sh_services *svc, sh_settings_stash *out, sh_error *err)
{
    memset(out, 0, sizeof *out);
    sh_stash_config_init(&out->cfg);
    bool verify = true;
    int64_t timeout_s = 120, page = 500;
    sh_status st;
    if ((st = sh_settings_get(db, svc, "stash.url", &out->url_, NULL, err)) != SH_OK ||
        (st = sh_settings_get(db, svc, "stash.api_key", &out->api_key_, NULL, err)) != SH_OK ||
        (st = sh_settings_get(db, svc, "stash.ca_file", &out->ca_file_, NULL, err)) != SH_OK ||
        (st = sh_settings_get_bool(db, svc, "stash.verify_tls", &verify, err)) != SH_OK ||
        (st = sh_settings_get_int(db, svc, "stash.timeout_s", &timeout_s, err)) != SH_OK ||
        (st = sh_settings_get_int(db, svc, "stash.page_size", &page, err)) != SH_OK)
        goto fail;
    if (!out->url_) {
        st = sh_error_set(err, SH_ERR_INVALID,
                          "stash.url is not set: run `stashhogctl settings set stash.url http://HOST:9999`");
        goto fail;
    }
    out->cfg.url = out->url_;
    out->cfg.api_key = out->api_key_;
    out->cfg.ca_file = out->ca_file_;
    out->cfg.verify_tls = verify;
    out->cfg.timeout_ms = (long)timeout_s * 1000;
    if (out->cfg.connect_timeout_ms > out->cfg.timeout_ms)
        out->cfg.connect_timeout_ms = out->cfg.timeout_ms;
    out->page_size = (int)page;
    return SH_OK;
fail:
    sh_settings_stash_fini(out);
    return st;
}

void sh_settings_stash_fini(sh_settings_stash *s)
{
    if (!s)
        return;
    free(s->url_);
    sh_secrets_free_plain(s->api_key_);
    free(s->ca_file_);
    memset(s, 0, sizeof *s);
}

/* ---------------------------------------------------------------- LLM client */

sh_status sh_settings_llm_config(sh_db *db, sh_services *svc, sh_settings_llm *out, sh_error *err)
{
    memset(out, 0, sizeof *out);
    sh_llm_config_init(&out->cfg);
    int64_t concurrency = 4;
    sh_status st;
    if ((st = sh_settings_get(db, svc, "openai.base_url", &out->base_url_, NULL, err)) != SH_OK ||
        (st = sh_settings_get(db, svc, "openai.api_key", &out->api_key_, NULL, err)) != SH_OK ||
        (st = sh_settings_get(db, svc, "openai.model", &out->model_, NULL, err)) != SH_OK ||
        (st = sh_settings_get_int(db, svc, "openai.max_concurrency", &concurrency, err)) != SH_OK ||
        (st = sh_settings_get_double(db, svc, "openai.budget_usd", &out->budget_usd, err)) != SH_OK)
        goto fail;
    if (!out->base_url_ || !out->model_) {
        st = sh_error_set(err, SH_ERR_INVALID,
                          "openai.base_url and openai.model must be set: run `stashhogctl settings set openai.base_url URL openai.model NAME`");
        goto fail;
    }
    out->cfg.base_url = out->base_url_;
    out->cfg.api_key = out->api_key_;
    out->cfg.model = out->model_;
    out->cfg.limiter = svc->llm_limiter;
    if (svc->llm_limiter)
        sh_llm_limiter_set_max(svc->llm_limiter, (int)concurrency);
    return SH_OK;
fail:
    sh_settings_llm_fini(out);
    return st;
}

void sh_settings_llm_fini(sh_settings_llm *s)
{
    if (!s)
        return;
    free(s->base_url_);
    sh_secrets_free_plain(s->api_key_);
    free(s->model_);
    memset(s, 0, sizeof *s);
}
