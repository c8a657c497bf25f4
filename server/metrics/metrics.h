/* metrics.h - the process-wide metrics registry and its Prometheus listener.
 *
 * Registry: one per process, no setup.  Any thread records into it: RPC
 * counts and Stash/webhook figures are C11 atomic counters (lock-free, so
 * hot paths never wait); series keyed by a job type live in a small fixed
 * table under a mutex taken only to record a finished job or to render.
 * Library figures (scenes cached, syncs by kind/status, LLM tokens and cost)
 * are read from the database at scrape time, so they survive restarts.
 *
 * Listener: optional (config metrics_listen = HOST:PORT, off by default).
 * libmicrohttpd runs it on one internal thread, which alone owns the
 * read-only database connection it renders from; GET /metrics answers the
 * text exposition format 0.0.4.  It never touches job or RPC threads. */
#ifndef SH_METRICS_H
#define SH_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "services.h"
#include "sh-error.h"
#include "sh-wire.h"
#include "stash/stash-client.h"

/* ---- recording (any thread, never blocks on I/O) */

/* One handled RPC; body_case is the Request oneof case. */
void sh_metrics_rpc_request(int body_case, sh_status status);
/* Events as published (daemon.c): terminal job.state events feed job
 * outcome counters and the duration histogram. */
void sh_metrics_observe_event(const sh_event *event);
/* One HTTP attempt to Stash (stash client), latency in ms. */
void sh_metrics_stash_request(int64_t latency_ms, bool ok);
/* Totals of a Stash client being retired (sync jobs, apply, rollback). */
void sh_metrics_stash_client(const sh_stash_client_stats *stats);
/* Webhook deliveries: outcome of one attempt, and events dropped on a full queue. */
void sh_metrics_webhook_attempt(bool delivered, bool gave_up, int64_t latency_ms);
void sh_metrics_webhook_dropped(void);

/* Zero every in-memory series (tests). */
void sh_metrics_reset(void);

/* ---- rendering */

/* The whole exposition text (malloc'd, caller frees).  db (read-only is
 * fine) supplies the library figures; NULL leaves them out. */
sh_status sh_metrics_render(sh_db *db, int64_t started_ms, char **out, size_t *len, sh_error *err);

/* ---- HTTP listener */

typedef struct sh_metrics_server sh_metrics_server;

/* listen: "HOST:PORT" (or "[v6]:PORT"); port 0 picks a free one. */
sh_status sh_metrics_server_create(sh_services *svc, const char *listen, sh_metrics_server **out,
                                   sh_error *err);
uint16_t sh_metrics_server_port(const sh_metrics_server *server);
void sh_metrics_server_destroy(sh_metrics_server *server);

#endif
