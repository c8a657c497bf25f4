#include "daemon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jobs/jobs.h"
#include "plans/plans.h"
#include "llm/llm.h"
#include "rpc/auth.h"
#include "rpc/backup.h"
#include "rpc/rpc.h"
#include "schedule/scheduler.h"
#include "secrets/secretbox.h"
#include "secrets/token.h"
#include "services.h"
#include "sh-log.h"
#include "sh-util.h"
#include "stash/stash-client.h"
#include "sync/sync.h"
#include "metrics/metrics.h"
#include "webhooks/webhooks.h"

#define LOG "daemon"

struct sh_daemon {
    sh_services svc;
    char **rpc_urls;
    size_t n_rpc_urls;
    char **event_urls;
    size_t n_event_urls;
    sh_metrics_server *metrics; /* NULL unless metrics_listen is set */
};

void sh_services_publish(sh_services *svc, sh_event *event)
{
    sh_error err = {0};
    if (svc->events && sh_publisher_publish(svc->events, event, &err) != SH_OK)
        sh_debug(LOG, "event %s not published: %s", event->topic, sh_error_message(&err));
    /* Both only count or enqueue: never block the publishing thread. */
    sh_metrics_observe_event(event);
    sh_webhooks_notify(svc->webhooks, event);
}

static bool is_loopback_url(const char *url)
{
    const char *host = strstr(url, "://");
    if (!host)
        return false;
    host += 3;
    return sh_str_has_prefix(host, "127.") || sh_str_has_prefix(host, "localhost:") ||
           sh_str_has_prefix(host, "[::1]:");
}

static sh_status add_url(char ***list, size_t *n, const char *url, sh_error *err)
{
    char **grown = realloc(*list, (*n + 1) * sizeof **list);
    if (!grown)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    *list = grown;
    if (!(grown[*n] = strdup(url)))
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    (*n)++;
    return SH_OK;
}

static sh_status collect_urls(sh_daemon *d, const sh_config *cfg, sh_error *err)
{
    sh_status st = SH_OK;
    if (cfg->ipc) {
        char rpc[SH_PATH_MAX + 16], ev[SH_PATH_MAX + 16];
        if ((st = sh_mkdir_p(cfg->runtime_dir, 0700, err)) != SH_OK ||
            (st = sh_paths_rpc_url(cfg->runtime_dir, rpc, sizeof rpc, err)) != SH_OK ||
            (st = sh_paths_events_url(cfg->runtime_dir, ev, sizeof ev, err)) != SH_OK ||
            (st = add_url(&d->rpc_urls, &d->n_rpc_urls, rpc, err)) != SH_OK ||
            (st = add_url(&d->event_urls, &d->n_event_urls, ev, err)) != SH_OK)
            return st;
    }
    for (size_t i = 0; i < cfg->n_listen && st == SH_OK; i++)
        st = add_url(&d->rpc_urls, &d->n_rpc_urls, cfg->listen[i], err);
    for (size_t i = 0; i < cfg->n_events_listen && st == SH_OK; i++)
        st = add_url(&d->event_urls, &d->n_event_urls, cfg->events_listen[i], err);
    return st;
}

static sh_status setup_token(sh_daemon *d, const sh_config *cfg, sh_error *err)
{
    if (cfg->n_listen == 0)
        return SH_OK;
    char token[SH_TOKEN_LEN + 1];
    sh_status st = sh_token_load_or_create(cfg->token_file, false, token, err);
    if (st != SH_OK) {
        /* A network listener without a token would be open to anyone. */
        for (size_t i = 0; i < cfg->n_listen; i++)
            if (!is_loopback_url(cfg->listen[i]))
                return sh_error_prefix(err, "refusing to listen on %s without a token", cfg->listen[i]);
        sh_warn("auth", "no token (%s); tcp clients on loopback will be refused",
                sh_error_message(err));
        return SH_OK;
    }
    d->svc.token = strdup(token);
    return d->svc.token ? SH_OK : sh_error_set(err, SH_ERR_NOMEM, NULL);
}

sh_status sh_daemon_token(const sh_config *cfg, bool rotate, char *out, size_t out_len,
                          sh_error *err)
{
    char token[SH_TOKEN_LEN + 1];
    sh_status st = sh_mkdir_p(cfg->data_dir, 0700, err);
    if (st == SH_OK)
        st = sh_token_load_or_create(cfg->token_file, rotate, token, err);
    if (st == SH_OK)
        sh_strlcpy(out, token, out_len);
    return st;
}

sh_status sh_daemon_create(const sh_config *cfg, sh_daemon **out, sh_error *err)
{
    *out = NULL;
    sh_daemon *d = calloc(1, sizeof *d);
    if (!d)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sh_services *svc = &d->svc;
    svc->cfg = cfg;
    svc->started_ms = sh_now_ms();
    sh_status st = sh_mkdir_p(cfg->data_dir, 0700, err);
    if (st != SH_OK)
        goto fail;
    umask(077); /* database, WAL and sockets: owner only */
    if ((st = collect_urls(d, cfg, err)) != SH_OK)
        goto fail;
    if ((st = setup_token(d, cfg, err)) != SH_OK)
        goto fail;
    /* A restore staged over RPC takes effect here, before anything opens the DB. */
    if ((st = sh_backup_apply_pending(cfg->data_dir, cfg->db_path, NULL, err)) != SH_OK)
        goto fail;
    if (cfg->n_listen > 0 && (st = sh_auth_limiter_create(NULL, &svc->auth_limiter, err)) != SH_OK)
        goto fail;
    if ((st = sh_db_env_create(cfg->db_path, &svc->db, err)) != SH_OK)
        goto fail;
    sh_info(LOG, "database %s", cfg->db_path);
    /* Secret settings are sealed under a key kept beside, not inside, the DB. */
    char key_path[SH_PATH_MAX + 16];
    snprintf(key_path, sizeof key_path, "%s/secret.key", cfg->data_dir);
    if ((st = sh_secrets_create(key_path, &svc->secrets, err)) != SH_OK ||
        (st = sh_stash_global_init(err)) != SH_OK)
        goto fail;
    /* One bound for every job worker's LLM client; settings may change it. */
    if ((st = sh_llm_limiter_create(2, &svc->llm_limiter, err)) != SH_OK)
        goto fail;
    /* Network event URLs get sealed events (key from the token), see sh-pubsub.h. */
    sh_publisher_options po = {
        .urls = (const char *const *)d->event_urls,
        .n_urls = d->n_event_urls,
        .token = svc->token,
        .tls_cert_key_file = cfg->tls_cert_key_file,
        .tls_ca_file = cfg->tls_ca_file,
    };
    if ((st = sh_publisher_create_opts(&po, &svc->events, err)) != SH_OK)
        goto fail;
    /* Webhooks before jobs, so the first job events already reach them. */
    sh_webhooks_options wo = {.max_attempts = cfg->webhook_max_attempts, .retry_ms = cfg->webhook_retry_ms};
    if ((st = sh_webhooks_create(svc->db, svc->secrets, &wo, &svc->webhooks, err)) != SH_OK)
        goto fail;
    /* Jobs: create, register every module's types, then start (recovers
     * jobs a crash left running).  The scheduler needs the started queue. */
    if ((st = sh_jobs_create(svc, &svc->jobs, err)) != SH_OK)
        goto fail;
    if (cfg->enable_debug_jobs && (st = sh_jobs_register_debug(svc->jobs, err)) != SH_OK)
        goto fail;
    if ((st = sh_sync_register_jobs(svc->jobs, err)) != SH_OK)
        goto fail;
    if ((st = sh_plans_register_jobs(svc->jobs, err)) != SH_OK)
        goto fail;
    if ((st = sh_jobs_start(svc->jobs, err)) != SH_OK)
        goto fail;
    if ((st = sh_scheduler_create(svc, svc->jobs, NULL, &svc->scheduler, err)) != SH_OK ||
        (st = sh_scheduler_start(svc->scheduler, err)) != SH_OK)
        goto fail;
    sh_rpc_server_config rc = {
        .urls = (const char *const *)d->rpc_urls,
        .n_urls = d->n_rpc_urls,
        .n_workers = cfg->rpc_workers,
        .handler = sh_rpc_dispatch,
        .auth = sh_rpc_authenticate,
        .user = svc,
        .worker_init = sh_rpc_worker_init,
        .worker_fini = sh_rpc_worker_fini,
        .tls_cert_key_file = cfg->tls_cert_key_file,
        .tls_ca_file = cfg->tls_ca_file,
    };
    if ((st = sh_rpc_server_create(&rc, &svc->rpc, err)) != SH_OK)
        goto fail;
    if (cfg->metrics_listen && (st = sh_metrics_server_create(svc, cfg->metrics_listen, &d->metrics, err)) != SH_OK)
        goto fail;
    sh_info(LOG, "stashhogd %s ready", STASHHOG_VERSION);
    *out = d;
    return SH_OK;
fail:
    sh_daemon_destroy(d);
    return st;
}

static void destroy_publisher(void *pub)
{
    sh_publisher_destroy(pub);
}

void sh_daemon_destroy(sh_daemon *d)
{
    if (!d)
        return;
    sh_services *svc = &d->svc;
    sh_metrics_server_destroy(d->metrics);
    sh_rpc_server_stop(svc->rpc);
    /* No handler runs now: stop scheduling, then jobs (running ones are
     * cancelled and re-queued or failed as interrupted). */
    sh_scheduler_destroy(svc->scheduler);
    sh_jobs_destroy(svc->jobs);
    sh_llm_limiter_destroy(svc->llm_limiter);
    sh_rpc_server_destroy(svc->rpc);
    /* After jobs and handlers: their last events are recorded for the next start. */
    sh_webhooks_destroy(svc->webhooks);
    /* Bounded like the rpc socket's close: once libnng 1.5.2 has wedged its
     * reaper (a pipe closed mid-frame), every later nng_close() waits forever,
     * and SIGTERM must still end the daemon. */
    if (svc->events && !sh_run_bounded(destroy_publisher, svc->events, 3000))
        sh_warn(LOG, "closing the event sockets did not finish; leaving them to process exit");
    sh_db_env_destroy(svc->db);
    sh_auth_limiter_destroy(svc->auth_limiter);
    sh_secrets_destroy(svc->secrets);
    sh_stash_global_cleanup();
    for (size_t i = 0; i < d->n_rpc_urls; i++)
        free(d->rpc_urls[i]);
    for (size_t i = 0; i < d->n_event_urls; i++)
        free(d->event_urls[i]);
    free(d->rpc_urls);
    free(d->event_urls);
    free(svc->token);
    free(d);
    sh_info(LOG, "stopped");
}
