/* webhooks.c - the event queue and the delivery thread (design: webhooks.h). */
#include "webhooks/webhooks.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics/metrics.h"
#include "sh-log.h"
#include "webhooks/webhooks-internal.h"

#define LOG          "webhooks"
#define BATCH        16
#define MAX_RETRY_MS (3600 * 1000LL)
#define IDLE_WAIT_MS (60 * 1000LL)

struct item {
    const char *name; /* static string from sh_webhook_event_name */
    int64_t time_ms;
    char *data; /* JSON of the payload */
};

struct sh_webhooks {
    sh_secrets *secrets;
    sh_webhooks_options o;
    pthread_mutex_t mu; /* ring, count, stop, wake */
    pthread_cond_t cv;
    struct item *ring;
    size_t head, count;
    bool stop, wake;
    atomic_bool stopping; /* read by curl's progress callback */
    pthread_t thread;
    bool started;
    /* Owned by the delivery thread once it runs. */
    sh_db *db;
    CURL *curl;
    int64_t next_due_ms; /* wall clock; INT64_MAX = nothing pending */
};

/* ---- producer side (any thread) */

void sh_webhooks_notify(sh_webhooks *wh, const sh_event *event)
{
    if (!wh)
        return;
    const char *name = sh_webhook_event_name(event);
    if (!name)
        return;
    char *data = sh_webhook_event_data(event);
    if (!data)
        return;
    struct item it = {name, event->time_ms > 0 ? event->time_ms : sh_now_ms(), data};
    pthread_mutex_lock(&wh->mu);
    bool queued = !wh->stop && wh->count < wh->o.queue_size;
    if (queued) {
        wh->ring[(wh->head + wh->count) % wh->o.queue_size] = it;
        wh->count++;
        pthread_cond_signal(&wh->cv);
    }
    pthread_mutex_unlock(&wh->mu);
    if (!queued) {
        sh_warn(LOG, "queue full: %s event dropped", name);
        sh_metrics_webhook_dropped();
        free(data);
    }
}

static void wake(sh_webhooks *wh)
{
    pthread_mutex_lock(&wh->mu);
    wh->wake = true;
    pthread_cond_signal(&wh->cv);
    pthread_mutex_unlock(&wh->mu);
}

sh_status sh_webhooks_test(sh_webhooks *wh, sh_db *db, int64_t webhook_id, int64_t *delivery_id,
                           sh_error *err)
{
    *delivery_id = 0;
    char *data =
        sh_strdup_printf("{\"message\":\"test delivery from stashhogd %s\"}", STASHHOG_VERSION);
    if (!data)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sh_status st = sh_webhook_insert_deliveries(db, "webhook.test", sh_now_ms(), data, webhook_id,
                                                NULL, delivery_id, err);
    free(data);
    if (st == SH_OK && wh)
        wake(wh);
    return st;
}

/* ---- delivery thread */

static void persist(sh_webhooks *wh, struct item *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sh_error err = {0};
        size_t rows = 0;
        if (sh_webhook_insert_deliveries(wh->db, items[i].name, items[i].time_ms, items[i].data, 0,
                                         &rows, NULL, &err) != SH_OK)
            sh_warn(LOG, "%s event not recorded: %s", items[i].name, sh_error_message(&err));
        free(items[i].data);
    }
}

static int progress_cb(void *p, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt;
    (void)dn;
    (void)ut;
    (void)un;
    return atomic_load(&((sh_webhooks *)p)->stopping) ? 1 : 0;
}

static size_t discard_cb(char *ptr, size_t size, size_t n, void *user)
{
    (void)ptr;
    (void)user;
    return size * n;
}

struct attempt {
    int64_t id, webhook_id, created_at;
    int attempts;
    char event[32];
    char *body;
    char *url;
    char *secret;
};

/* One POST.  Returns the HTTP status (0 if none) and fills errbuf on failure. */
static long post(sh_webhooks *wh, const struct attempt *a, char *errbuf, size_t errlen,
                 bool *aborted)
{
    char sig[SH_WEBHOOK_SIG_LEN];
    sh_webhook_sign(a->secret, a->body, strlen(a->body), sig);
    char h_sig[128], h_event[96], h_id[64], h_ts[64];
    snprintf(h_sig, sizeof h_sig, "X-StashHog-Signature: %s", sig);
    snprintf(h_event, sizeof h_event, "X-StashHog-Event: %s", a->event);
    snprintf(h_id, sizeof h_id, "X-StashHog-Delivery: %lld", (long long)a->id);
    snprintf(h_ts, sizeof h_ts, "X-StashHog-Timestamp: %lld", (long long)sh_now_ms());
    struct curl_slist *hdrs = NULL, *tmp;
    const char *lines[] = {"Content-Type: application/json", h_sig, h_event, h_id, h_ts, "Expect:"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        if (!(tmp = curl_slist_append(hdrs, lines[i]))) {
            curl_slist_free_all(hdrs);
            snprintf(errbuf, errlen, "out of memory");
            return 0;
        }
        hdrs = tmp;
    }
    CURL *c = wh->curl;
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, a->url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, a->body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(a->body));
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    CURLcode rc = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(hdrs);
    *aborted = rc == CURLE_ABORTED_BY_CALLBACK;
    if (rc != CURLE_OK)
        snprintf(errbuf, errlen, "%s", cerr[0] ? cerr : curl_easy_strerror(rc));
    else if (code < 200 || code > 299)
        snprintf(errbuf, errlen, "HTTP %ld", code);
    return rc == CURLE_OK ? code : 0;
}

static void record(sh_webhooks *wh, const struct attempt *a, long code, const char *error)
{
    int64_t now = sh_now_ms();
    int attempts = a->attempts + 1;
    bool ok = error[0] == '\0';
    bool gave_up = !ok && attempts >= wh->o.max_attempts;
    int64_t delay = wh->o.retry_ms;
    for (int i = 1; i < attempts && delay < MAX_RETRY_MS; i++)
        delay *= 2;
    if (delay > MAX_RETRY_MS)
        delay = MAX_RETRY_MS;
    sh_metrics_webhook_attempt(ok, gave_up, now - a->created_at);
    sh_error err = {0};
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_write_begin(wh->db, &err);
    if (st == SH_OK &&
        (st = sh_db_prepare(
             wh->db,
             "UPDATE webhook_deliveries SET status = ?2, attempts = ?3, http_status = ?4, error = "
             "?5, "
             "last_attempt_at = ?6, next_attempt_at = ?7, delivered_at = ?8 WHERE id = ?1",
             &s, &err)) == SH_OK) {
        sqlite3_bind_int64(s, 1, a->id);
        sqlite3_bind_text(s, 2,
                          ok        ? "delivered"
                          : gave_up ? "failed"
                                    : "pending",
                          -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 3, attempts);
        sqlite3_bind_int(s, 4, (int)code);
        sh_db_bind_text_or_null(s, 5, error);
        sqlite3_bind_int64(s, 6, now);
        sqlite3_bind_int64(s, 7, ok || gave_up ? now : now + delay);
        if (ok)
            sqlite3_bind_int64(s, 8, now);
        if (sh_db_step(wh->db, s, &err) < 0)
            st = err.code;
        sqlite3_reset(s);
    }
    if (st == SH_OK)
        st = sh_db_commit(wh->db, &err);
    else
        sh_db_rollback(wh->db);
    if (st != SH_OK)
        sh_warn(LOG, "delivery %lld: result not saved: %s", (long long)a->id,
                sh_error_message(&err));
    if (gave_up)
        sh_warn(LOG, "delivery %lld (%s, webhook %lld) failed after %d attempts: %s",
                (long long)a->id, a->event, (long long)a->webhook_id, attempts, error);
    else if (!ok)
        sh_info(LOG, "delivery %lld (%s) attempt %d failed: %s; retry in %lld ms", (long long)a->id,
                a->event, attempts, error, (long long)delay);
    else
        sh_debug(LOG, "delivery %lld (%s) delivered", (long long)a->id, a->event);
}

static void free_attempt(struct attempt *a)
{
    free(a->body);
    free(a->url);
    sh_secrets_free_plain(a->secret);
    memset(a, 0, sizeof *a);
}

/* Load up to BATCH due deliveries; returns how many. */
static size_t load_due(sh_webhooks *wh, struct attempt *out)
{
    sqlite3_stmt *s = NULL;
    sh_error err = {0};
    size_t n = 0;
    if (sh_db_prepare(
            wh->db,
            "SELECT d.id, d.webhook_id, d.event, d.body, d.attempts, d.created_at, w.url, "
            "w.secret_sealed FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "
            "WHERE d.status = 'pending' AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at, "
            "d.id "
            "LIMIT 16",
            &s, &err) != SH_OK) {
        sh_warn(LOG, "cannot read deliveries: %s", sh_error_message(&err));
        return 0;
    }
    sqlite3_bind_int64(s, 1, sh_now_ms());
    while (n < BATCH && sqlite3_step(s) == SQLITE_ROW) {
        struct attempt *a = &out[n];
        memset(a, 0, sizeof *a);
        a->id = sqlite3_column_int64(s, 0);
        a->webhook_id = sqlite3_column_int64(s, 1);
        sh_strlcpy(a->event, sh_db_column_text(s, 2), sizeof a->event);
        a->body = strdup(sh_db_column_text(s, 3));
        a->attempts = sqlite3_column_int(s, 4);
        a->created_at = sqlite3_column_int64(s, 5);
        a->url = strdup(sh_db_column_text(s, 6));
        if (!a->body || !a->url ||
            sh_secrets_open(wh->secrets, sqlite3_column_blob(s, 7),
                            (size_t)sqlite3_column_bytes(s, 7), &a->secret, &err) != SH_OK) {
            sh_warn(LOG, "delivery %lld skipped: %s", (long long)a->id,
                    a->body && a->url ? sh_error_message(&err) : "out of memory");
            free_attempt(a);
            continue;
        }
        n++;
    }
    sqlite3_reset(s);
    return n;
}

static void deliver_due(sh_webhooks *wh)
{
    struct attempt batch[BATCH];
    size_t n;
    while (!atomic_load(&wh->stopping) && (n = load_due(wh, batch)) > 0) {
        for (size_t i = 0; i < n; i++) {
            char error[256] = "";
            bool aborted = false;
            long code =
                atomic_load(&wh->stopping) ? 0 : post(wh, &batch[i], error, sizeof error, &aborted);
            /* Shutting down: the attempt stays pending for the next start. */
            if (!atomic_load(&wh->stopping) && !aborted)
                record(wh, &batch[i], code, error);
            free_attempt(&batch[i]);
        }
    }
    int64_t next = INT64_MAX;
    if (sh_db_query_int64(wh->db,
                          "SELECT coalesce(min(next_attempt_at), 9223372036854775807) "
                          "FROM webhook_deliveries WHERE status = 'pending'",
                          &next, NULL) != SH_OK)
        next = sh_now_ms() + 1000; /* look again soon */
    wh->next_due_ms = next;
}

static void *thread_main(void *arg)
{
    sh_webhooks *wh = arg;
    struct item *items = malloc(wh->o.queue_size * sizeof *items);
    deliver_due(wh); /* what a previous run left pending */
    pthread_mutex_lock(&wh->mu);
    for (;;) {
        while (!wh->stop && wh->count == 0 && !wh->wake) {
            int64_t wait =
                wh->next_due_ms == INT64_MAX ? IDLE_WAIT_MS : wh->next_due_ms - sh_now_ms();
            if (wait <= 0)
                break;
            if (wait > IDLE_WAIT_MS)
                wait = IDLE_WAIT_MS;
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            ts.tv_sec += (time_t)(wait / 1000);
            ts.tv_nsec += (long)(wait % 1000) * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            if (pthread_cond_timedwait(&wh->cv, &wh->mu, &ts) != 0 && wh->next_due_ms == INT64_MAX)
                wh->next_due_ms = 0; /* idle timeout: re-read the table now and then */
        }
        size_t n = 0;
        while (items && wh->count > 0) {
            items[n++] = wh->ring[wh->head];
            wh->head = (wh->head + 1) % wh->o.queue_size;
            wh->count--;
        }
        bool stop = wh->stop;
        wh->wake = false;
        pthread_mutex_unlock(&wh->mu);
        /* Events that arrive at shutdown are still recorded: the next start delivers them. */
        persist(wh, items, n);
        if (stop)
            break;
        deliver_due(wh);
        pthread_mutex_lock(&wh->mu);
    }
    free(items);
    return NULL;
}

sh_status sh_webhooks_create(sh_db_env *env, sh_secrets *secrets, const sh_webhooks_options *opts,
                             sh_webhooks **out, sh_error *err)
{
    *out = NULL;
    sh_webhooks *wh = calloc(1, sizeof *wh);
    if (!wh)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    wh->secrets = secrets;
    if (opts)
        wh->o = *opts;
    if (wh->o.max_attempts <= 0)
        wh->o.max_attempts = 6;
    if (wh->o.retry_ms <= 0)
        wh->o.retry_ms = 5000;
    if (wh->o.queue_size == 0)
        wh->o.queue_size = 1024;
    if (wh->o.timeout_ms <= 0)
        wh->o.timeout_ms = 10000;
    wh->next_due_ms = 0;
    atomic_init(&wh->stopping, false);
    pthread_mutex_init(&wh->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&wh->cv, &ca);
    pthread_condattr_destroy(&ca);
    sh_status st = SH_OK;
    if (!(wh->ring = calloc(wh->o.queue_size, sizeof *wh->ring)) ||
        !(wh->curl = curl_easy_init())) {
        st = sh_error_set(err, SH_ERR_NOMEM, NULL);
        goto fail;
    }
    if ((st = sh_db_open(env, false, &wh->db, err)) != SH_OK)
        goto fail;
    CURL *c = wh->curl;
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, wh->o.timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     wh->o.timeout_ms < 5000 ? wh->o.timeout_ms : 5000L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "stashhogd/" STASHHOG_VERSION " (webhooks)");
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, wh);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_cb);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
    if (pthread_create(&wh->thread, NULL, thread_main, wh) != 0) {
        st = sh_error_set(err, SH_ERR_INTERNAL, "cannot start the webhook thread");
        goto fail;
    }
    wh->started = true;
    *out = wh;
    return SH_OK;
fail:
    sh_webhooks_destroy(wh);
    return st;
}

void sh_webhooks_destroy(sh_webhooks *wh)
{
    if (!wh)
        return;
    if (wh->started) {
        atomic_store(&wh->stopping, true);
        pthread_mutex_lock(&wh->mu);
        wh->stop = true;
        pthread_cond_signal(&wh->cv);
        pthread_mutex_unlock(&wh->mu);
        pthread_join(wh->thread, NULL);
    }
    /* Anything still queued (thread never started) is lost, with its memory freed. */
    for (size_t i = 0; wh->ring && i < wh->count; i++)
        free(wh->ring[(wh->head + i) % wh->o.queue_size].data);
    free(wh->ring);
    if (wh->curl)
        curl_easy_cleanup(wh->curl);
    sh_db_close(wh->db);
    pthread_cond_destroy(&wh->cv);
    pthread_mutex_destroy(&wh->mu);
    free(wh);
}
