/* webhook-store.c - webhook rows and the delivery log (callers' connections). */
#include <ctype.h>
#include <stdio.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "settings/settings.h"
#include "sh-log.h"
#include "webhooks/webhooks-internal.h"

#define LOG "webhooks"

static sh_status check_url(const char *url, sh_error *err)
{
    if (!url || !(sh_str_has_prefix(url, "http://") || sh_str_has_prefix(url, "https://")))
        return sh_error_set(err, SH_ERR_INVALID, "webhook url must start with http:// or https://");
    size_t len = strlen(url);
    if (len > SH_WEBHOOK_MAX_URL || len < 9)
        return sh_error_set(err, SH_ERR_INVALID, "webhook url has a bad length");
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return sh_error_set(err, SH_ERR_INVALID,
                                "webhook url must not contain spaces or control characters");
    return SH_OK;
}

/* Scheme and host only, for logs: hook URLs often carry a token in the
 * path or query (chat services) or credentials before the host. */
static const char *url_host(const char *url, char *buf, size_t len)
{
    const char *p = strstr(url, "://");
    const char *host = p ? p + 3 : url;
    size_t n = strcspn(host, "/?#");
    const char *at = memchr(host, '@', n);
    if (at) {
        n -= (size_t)(at + 1 - host);
        host = at + 1;
    }
    snprintf(buf, len, "%.*s%.*s/...", p ? (int)(p + 3 - url) : 0, url, (int)n, host);
    return buf;
}

static sh_status check_secret(const char *s, sh_error *err)
{
    size_t len = strlen(s);
    if (len < 8 || len > 256)
        return sh_error_set(err, SH_ERR_INVALID, "webhook secret must be 8 to 256 characters");
    for (const char *p = s; *p; p++)
        if (!isgraph((unsigned char)*p))
            return sh_error_set(err, SH_ERR_INVALID,
                                "webhook secret must be printable, without spaces");
    return SH_OK;
}

/* Events -> canonical "a,b,c" (arena), "*" when empty. */
static sh_status join_events(const Stashhog__Webhook *in, sh_arena *a, char **out, sh_error *err)
{
    size_t total = 2;
    for (size_t i = 0; i < in->n_events; i++) {
        if (!sh_webhook_event_known(in->events[i]))
            return sh_error_set(
                err, SH_ERR_INVALID,
                "unknown webhook event '%s' (job.finished, job.failed, job.cancelled, "
                "plan.created, "
                "plan.applied, plan.rolled_back, plan.failed, sync.finished, webhook.test, *)",
                in->events[i]);
        total += strlen(in->events[i]) + 1;
    }
    char *s = sh_arena_alloc(a, total);
    if (!s)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    size_t used = 0;
    for (size_t i = 0; i < in->n_events; i++)
        used += (size_t)snprintf(s + used, total - used, "%s%s", i ? "," : "", in->events[i]);
    if (used == 0)
        snprintf(s, total, "*");
    *out = s;
    return SH_OK;
}

static char **split_events(sh_arena *a, const char *list, size_t *n)
{
    *n = 0;
    size_t cap = 1;
    for (const char *p = list; *p; p++)
        cap += *p == ',';
    char **v = (char **)sh_arena_ptrs(a, cap);
    char *copy = sh_arena_strdup(a, list);
    if (!v || !copy)
        return NULL;
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t && *n < cap; t = strtok_r(NULL, ",", &save))
        v[(*n)++] = t;
    return v;
}

static sh_status seal(sh_secrets *secrets, const char *plain, uint8_t **sealed, size_t *len,
                      sh_error *err)
{
    return sh_secrets_seal(secrets, plain, strlen(plain), sealed, len, err);
}

/* One webhook row as a reply message.  clear: the secret to show as is. */
static sh_status load_one(sh_db *db, sh_secrets *secrets, int64_t id, const char *clear,
                          sh_arena *a, Stashhog__Webhook **out, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st =
        sh_db_prepare(db,
                      "SELECT w.id, w.url, w.events, w.secret_sealed, w.enabled, w.description, "
                      "w.created_at, d.last_attempt_at, d.status, d.error, d.http_status "
                      "FROM webhooks w LEFT JOIN webhook_deliveries d ON d.id = "
                      "(SELECT max(id) FROM webhook_deliveries WHERE webhook_id = w.id "
                      "AND status != 'pending') WHERE w.id = ?",
                      &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, id);
    int rc = sh_db_step(db, s, err);
    if (rc <= 0) {
        sqlite3_reset(s);
        return rc < 0 ? (err ? err->code : SH_ERR_DB)
                      : sh_error_set(err, SH_ERR_NOT_FOUND, "no webhook %lld", (long long)id);
    }
    Stashhog__Webhook *w = SH_ARENA_NEW(a, Stashhog__Webhook);
    if (!w) {
        sqlite3_reset(s);
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    stashhog__webhook__init(w);
    w->has_id = w->has_enabled = w->has_created_at_ms = 1;
    w->id = sqlite3_column_int64(s, 0);
    w->url = sh_arena_strdup(a, sh_db_column_text(s, 1));
    w->events = split_events(a, sh_db_column_text(s, 2), &w->n_events);
    w->enabled = sqlite3_column_int(s, 4) != 0;
    if (sqlite3_column_type(s, 5) != SQLITE_NULL)
        w->description = sh_arena_strdup(a, sh_db_column_text(s, 5));
    w->created_at_ms = sqlite3_column_int64(s, 6);
    if (sqlite3_column_type(s, 7) != SQLITE_NULL) {
        w->has_last_delivery_ms = 1;
        w->last_delivery_ms = sqlite3_column_int64(s, 7);
        const char *status = sh_db_column_text(s, 8);
        w->last_status = strcmp(status, "delivered") == 0
                             ? sh_arena_strdup(a, status)
                             : sh_arena_printf(a, "%s: %s", status, sh_db_column_text(s, 9));
    }
    if (clear) {
        w->secret = sh_arena_strdup(a, clear);
        w->has_secret_generated = 1;
        w->secret_generated = 1;
    } else {
        char *plain = NULL;
        char masked[64];
        if (sh_secrets_open(secrets, sqlite3_column_blob(s, 3), (size_t)sqlite3_column_bytes(s, 3),
                            &plain, NULL) == SH_OK)
            w->secret = sh_arena_strdup(a, sh_settings_mask(plain, masked, sizeof masked));
        else
            w->secret = sh_arena_strdup(a, "(unreadable: sealed under another key)");
        sh_secrets_free_plain(plain);
    }
    sqlite3_reset(s);
    if (!w->url || !w->events || !w->secret)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    *out = w;
    return SH_OK;
}

sh_status sh_webhook_save(sh_db *db, sh_secrets *secrets, const Stashhog__Webhook *in,
                          bool regenerate, sh_arena *arena, Stashhog__Webhook **out, sh_error *err)
{
    char *events = NULL;
    char generated[65] = "";
    uint8_t *sealed = NULL;
    size_t sealed_len = 0;
    sh_status st;
    if ((st = check_url(in->url, err)) != SH_OK ||
        (st = join_events(in, arena, &events, err)) != SH_OK)
        return st;
    bool has_secret = !sh_str_empty(in->secret);
    if (has_secret && (st = check_secret(in->secret, err)) != SH_OK)
        return st;
    if (!has_secret && (regenerate || !in->has_id)) {
        unsigned char raw[32];
        randombytes_buf(raw, sizeof raw);
        sodium_bin2hex(generated, sizeof generated, raw, sizeof raw);
        sodium_memzero(raw, sizeof raw);
    }
    const char *secret = has_secret ? in->secret : generated[0] ? generated : NULL;
    if (secret && (st = seal(secrets, secret, &sealed, &sealed_len, err)) != SH_OK)
        goto out;
    if ((st = sh_db_write_begin(db, err)) != SH_OK)
        goto out;
    sqlite3_stmt *s = NULL;
    int64_t now = sh_now_ms(), id = in->id;
    if (!in->has_id) {
        st = sh_db_prepare(
            db,
            "INSERT INTO webhooks (url, events, secret_sealed, enabled, description, created_at, "
            "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            &s, err);
    } else {
        st = sh_db_prepare(
            db,
            "UPDATE webhooks SET url = ?1, events = ?2, secret_sealed = coalesce(?3, "
            "secret_sealed), "
            "enabled = ?4, description = coalesce(?5, description), updated_at = ?6 WHERE id = ?7",
            &s, err);
    }
    if (st == SH_OK) {
        sqlite3_bind_text(s, 1, in->url, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, events, -1, SQLITE_STATIC);
        if (sealed)
            sqlite3_bind_blob(s, 3, sealed, (int)sealed_len, SQLITE_STATIC);
        else
            sqlite3_bind_null(s, 3);
        sqlite3_bind_int(s, 4, in->has_enabled ? in->enabled : 1);
        sh_db_bind_text(s, 5, in->description);
        sqlite3_bind_int64(s, 6, now);
        if (in->has_id)
            sqlite3_bind_int64(s, 7, id);
        if (sh_db_step(db, s, err) < 0)
            st = err ? err->code : SH_ERR_DB;
        else if (in->has_id && sqlite3_changes(sh_db_handle(db)) == 0)
            st = sh_error_set(err, SH_ERR_NOT_FOUND, "no webhook %lld", (long long)id);
        else if (!in->has_id)
            id = sqlite3_last_insert_rowid(sh_db_handle(db));
        sqlite3_reset(s);
    }
    st = sh_db_finish(db, st, err);
    if (st == SH_OK) {
        char host[256];
        sh_info(LOG, "webhook %lld %s: %s", (long long)id, in->has_id ? "updated" : "added",
                url_host(in->url, host, sizeof host));
        st = load_one(db, secrets, id, generated[0] ? generated : NULL, arena, out, err);
    }
out:
    sodium_memzero(generated, sizeof generated);
    free(sealed);
    return st;
}

sh_status sh_webhook_list(sh_db *db, sh_secrets *secrets, sh_arena *arena, Stashhog__Webhook ***out,
                          size_t *n, sh_error *err)
{
    *out = NULL;
    *n = 0;
    int64_t count = 0;
    sh_status st = sh_db_read_begin(db, err);
    if (st != SH_OK)
        return st;
    if ((st = sh_db_query_int64(db, "SELECT count(*) FROM webhooks", &count, err)) != SH_OK)
        goto out;
    Stashhog__Webhook **v = (Stashhog__Webhook **)sh_arena_ptrs(arena, (size_t)count + 1);
    sqlite3_stmt *s = NULL;
    if (!v) {
        st = sh_error_set(err, SH_ERR_NOMEM, NULL);
        goto out;
    }
    if ((st = sh_db_prepare(db, "SELECT id FROM webhooks ORDER BY id", &s, err)) != SH_OK)
        goto out;
    int64_t ids[256];
    size_t k = 0;
    while (k < (size_t)count && k < 256 && sqlite3_step(s) == SQLITE_ROW)
        ids[k++] = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    for (size_t i = 0; i < k && st == SH_OK; i++)
        if ((st = load_one(db, secrets, ids[i], NULL, arena, &v[*n], err)) == SH_OK)
            (*n)++;
    *out = v;
out:
    sh_db_commit(db, NULL);
    return st;
}

sh_status sh_webhook_delete(sh_db *db, int64_t id, sh_error *err)
{
    sh_status st = sh_db_write_begin(db, err);
    if (st != SH_OK)
        return st;
    sqlite3_stmt *s = NULL;
    /* Deliveries go with it (also ON DELETE CASCADE; explicit for clarity). */
    if ((st = sh_db_prepare(db, "DELETE FROM webhook_deliveries WHERE webhook_id = ?", &s, err)) ==
        SH_OK) {
        sqlite3_bind_int64(s, 1, id);
        if (sh_db_step(db, s, err) < 0)
            st = err ? err->code : SH_ERR_DB;
        sqlite3_reset(s);
    }
    if (st == SH_OK &&
        (st = sh_db_prepare(db, "DELETE FROM webhooks WHERE id = ?", &s, err)) == SH_OK) {
        sqlite3_bind_int64(s, 1, id);
        if (sh_db_step(db, s, err) < 0)
            st = err ? err->code : SH_ERR_DB;
        else if (sqlite3_changes(sh_db_handle(db)) == 0)
            st = sh_error_set(err, SH_ERR_NOT_FOUND, "no webhook %lld", (long long)id);
        sqlite3_reset(s);
    }
    if (st != SH_OK) {
        sh_db_rollback(db);
        return st;
    }
    sh_info(LOG, "webhook %lld removed", (long long)id);
    return sh_db_commit(db, err);
}

sh_status sh_webhook_log(sh_db *db, int64_t webhook_id, int64_t delivery_id, int limit,
                         sh_arena *arena, Stashhog__WebhookDelivery ***out, size_t *n,
                         sh_error *err)
{
    *out = NULL;
    *n = 0;
    if (limit <= 0)
        limit = 50;
    if (limit > 1000)
        limit = 1000;
    Stashhog__WebhookDelivery **v =
        (Stashhog__WebhookDelivery **)sh_arena_ptrs(arena, (size_t)limit);
    if (!v)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(
        db,
        "SELECT d.id, d.webhook_id, d.event, d.status, d.attempts, d.http_status, d.error, "
        "d.created_at, d.last_attempt_at, d.next_attempt_at, d.delivered_at, w.url "
        "FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "
        "WHERE (?1 = 0 OR d.webhook_id = ?1) AND (?2 = 0 OR d.id = ?2) "
        "ORDER BY d.id DESC LIMIT ?3",
        &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, webhook_id);
    sqlite3_bind_int64(s, 2, delivery_id);
    sqlite3_bind_int(s, 3, limit);
    int rc;
    while ((rc = sh_db_step(db, s, err)) > 0 && *n < (size_t)limit) {
        Stashhog__WebhookDelivery *d = SH_ARENA_NEW(arena, Stashhog__WebhookDelivery);
        if (!d) {
            rc = -1;
            sh_error_set(err, SH_ERR_NOMEM, NULL);
            break;
        }
        stashhog__webhook_delivery__init(d);
        d->id = sqlite3_column_int64(s, 0);
        d->webhook_id = sqlite3_column_int64(s, 1);
        d->event = sh_arena_strdup(arena, sh_db_column_text(s, 2));
        const char *status = sh_db_column_text(s, 3);
        d->status =
            strcmp(status, "delivered") == 0 ? STASHHOG__WEBHOOK_DELIVERY_STATUS__DELIVERY_DELIVERED
            : strcmp(status, "failed") == 0  ? STASHHOG__WEBHOOK_DELIVERY_STATUS__DELIVERY_FAILED
                                             : STASHHOG__WEBHOOK_DELIVERY_STATUS__DELIVERY_PENDING;
        d->has_attempts = d->has_http_status = d->has_created_at_ms = 1;
        d->attempts = sqlite3_column_int(s, 4);
        d->http_status = sqlite3_column_int(s, 5);
        if (sqlite3_column_type(s, 6) != SQLITE_NULL)
            d->error = sh_arena_strdup(arena, sh_db_column_text(s, 6));
        d->created_at_ms = sqlite3_column_int64(s, 7);
        if ((d->has_last_attempt_ms = sqlite3_column_type(s, 8) != SQLITE_NULL))
            d->last_attempt_ms = sqlite3_column_int64(s, 8);
        if ((d->has_next_attempt_ms =
                 d->status == STASHHOG__WEBHOOK_DELIVERY_STATUS__DELIVERY_PENDING))
            d->next_attempt_ms = sqlite3_column_int64(s, 9);
        if ((d->has_delivered_at_ms = sqlite3_column_type(s, 10) != SQLITE_NULL))
            d->delivered_at_ms = sqlite3_column_int64(s, 10);
        d->url = sh_arena_strdup(arena, sh_db_column_text(s, 11));
        v[(*n)++] = d;
    }
    sqlite3_reset(s);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;
    *out = v;
    return SH_OK;
}

sh_status sh_webhook_insert_deliveries(sh_db *db, const char *name, int64_t time_ms,
                                       const char *data_json, int64_t only_id, size_t *n_out,
                                       int64_t *last_id, sh_error *err)
{
    if (n_out)
        *n_out = 0;
    sh_status st = sh_db_write_begin(db, err);
    if (st != SH_OK)
        return st;
    sqlite3_stmt *sel = NULL, *ins = NULL, *upd = NULL;
    int64_t ids[256];
    size_t k = 0;
    if ((st = sh_db_prepare(db,
                            "SELECT id, events FROM webhooks WHERE (?1 > 0 AND id = ?1) OR (?1 = 0 "
                            "AND enabled = 1) "
                            "ORDER BY id",
                            &sel, err)) != SH_OK)
        goto fail;
    sqlite3_bind_int64(sel, 1, only_id);
    while (k < 256 && sqlite3_step(sel) == SQLITE_ROW)
        if (only_id > 0 || sh_webhook_events_match(sh_db_column_text(sel, 1), name))
            ids[k++] = sqlite3_column_int64(sel, 0);
    sqlite3_reset(sel);
    if (only_id > 0 && k == 0) {
        st = sh_error_set(err, SH_ERR_NOT_FOUND, "no webhook %lld", (long long)only_id);
        goto fail;
    }
    if ((st = sh_db_prepare(db,
                            "INSERT INTO webhook_deliveries (webhook_id, event, body, created_at, "
                            "next_attempt_at) "
                            "VALUES (?, ?, '', ?, ?)",
                            &ins, err)) != SH_OK ||
        (st = sh_db_prepare(db, "UPDATE webhook_deliveries SET body = ? WHERE id = ?", &upd,
                            err)) != SH_OK)
        goto fail;
    for (size_t i = 0; i < k; i++) {
        sqlite3_bind_int64(ins, 1, ids[i]);
        sqlite3_bind_text(ins, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 3, time_ms);
        sqlite3_bind_int64(ins, 4, time_ms);
        int rc = sh_db_step(db, ins, err);
        sqlite3_reset(ins);
        if (rc < 0) {
            st = err ? err->code : SH_ERR_DB;
            goto fail;
        }
        int64_t did = sqlite3_last_insert_rowid(sh_db_handle(db));
        char *body = sh_webhook_body(name, did, ids[i], time_ms, data_json);
        if (!body) {
            st = sh_error_set(err, SH_ERR_NOMEM, NULL);
            goto fail;
        }
        sqlite3_bind_text(upd, 1, body, -1, free);
        sqlite3_bind_int64(upd, 2, did);
        rc = sh_db_step(db, upd, err);
        sqlite3_reset(upd);
        sqlite3_clear_bindings(upd);
        if (rc < 0) {
            st = err ? err->code : SH_ERR_DB;
            goto fail;
        }
        if (last_id)
            *last_id = did;
    }
    if ((st = sh_db_commit(db, err)) == SH_OK && n_out)
        *n_out = k;
    return st;
fail:
    sh_db_rollback(db);
    return st;
}
