/* services.h - the daemon's long-lived services, as handed to RPC handlers
 * and job bodies.  Built and torn down by daemon.c in a fixed order; every
 * member outlives the RPC workers and job workers that use it. */
#ifndef SH_SERVICES_H
#define SH_SERVICES_H

#include <stdint.h>

#include "config.h"
#include "db/db.h"
#include "sh-pubsub.h"
#include "sh-rpc-server.h"

typedef struct sh_jobs sh_jobs;
typedef struct sh_scheduler sh_scheduler;
typedef struct sh_secrets sh_secrets;
typedef struct sh_webhooks sh_webhooks;
typedef struct sh_auth_limiter sh_auth_limiter;
typedef struct sh_llm_limiter sh_llm_limiter;

typedef struct sh_services {
    const sh_config *cfg;
    sh_db_env *db;
    sh_publisher *events;
    sh_rpc_server *rpc;
    sh_jobs *jobs;
    sh_scheduler *scheduler;
    sh_secrets *secrets;
    sh_webhooks *webhooks;   /* webhook delivery (webhooks/webhooks.h) */
    char *token;             /* tcp auth token; NULL when only ipc is served */
    sh_auth_limiter *auth_limiter; /* per-peer failed-auth limiter (rpc/auth.h); may be NULL */
    sh_llm_limiter *llm_limiter; /* LLM requests in flight, all workers (llm/llm.h; openai.max_concurrency) */
    int64_t started_ms;
} sh_services;

/* Per-RPC-worker state: each worker thread owns its connections. */
typedef struct sh_rpc_worker {
    sh_db *ro;  /* read-only: browsing, status */
    sh_db *rw;  /* short writes: settings, reviews, job rows */
} sh_rpc_worker;

/* Publish an event, logging (not failing) on error: events are hints. */
void sh_services_publish(sh_services *svc, sh_event *event);

#endif
