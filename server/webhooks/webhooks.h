/* webhooks.h - signed JSON POSTs to configured URLs when things happen.
 *
 * Threading: one delivery thread per daemon, owning its own read-write
 * database connection and one curl handle.  sh_webhooks_notify() is called
 * by whichever thread publishes an event (job workers, RPC workers): it
 * turns the event into a small JSON payload and appends it to a bounded
 * in-memory queue under a mutex held for a few pointer moves, then signals
 * the thread.  It never does I/O and never waits for the thread; when the
 * queue is full the event is dropped (logged and counted).
 *
 * The thread drains the queue into `webhook_deliveries` rows (one per
 * matching enabled webhook) before any attempt, so a restart retries what
 * was pending.  Attempts are sequential, each bounded by a timeout; a 2xx
 * answer delivers, anything else is retried with exponential backoff
 * (retry_ms * 2^(attempt-1), at most 1 h) until max_attempts, when the row
 * is marked failed with the last error.
 *
 * Signature: X-StashHog-Signature: sha256=<hex HMAC-SHA256(secret, body)>,
 * with X-StashHog-Event, X-StashHog-Delivery and X-StashHog-Timestamp (ms).
 * Secrets are sealed with sh_secrets at rest and masked in every reply. */
#ifndef SH_WEBHOOKS_H
#define SH_WEBHOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "secrets/secretbox.h"
#include "sh-error.h"
#include "sh-util.h"
#include "sh-wire.h"

typedef struct sh_webhooks sh_webhooks;

typedef struct sh_webhooks_options {
    int max_attempts;  /* <= 0: 6 */
    int64_t retry_ms;  /* first retry delay; <= 0: 5000 */
    size_t queue_size; /* events waiting to be persisted; 0: 1024 */
    long timeout_ms;   /* one attempt; <= 0: 10000 */
} sh_webhooks_options;

/* Opens the thread's connection and starts the delivery thread. */
sh_status sh_webhooks_create(sh_db_env *env, sh_secrets *secrets, const sh_webhooks_options *opts,
                             sh_webhooks **out, sh_error *err);
/* Stops the thread (an attempt in flight is aborted and stays pending). */
void sh_webhooks_destroy(sh_webhooks *wh);

/* Non-blocking hook for every published event (wh may be NULL). */
void sh_webhooks_notify(sh_webhooks *wh, const sh_event *event);
/* Queue a "webhook.test" delivery to one webhook (enabled or not); db is
 * the caller's read-write connection.  *delivery_id is the new row. */
sh_status sh_webhooks_test(sh_webhooks *wh, sh_db *db, int64_t webhook_id, int64_t *delivery_id,
                           sh_error *err);

/* ---- pure helpers (webhook-payload.c) */

/* Event -> webhook event name ("job.finished", ...), NULL if not one. */
const char *sh_webhook_event_name(const sh_event *event);
bool sh_webhook_event_known(const char *name); /* a name above, or "*" */
/* "sha256=" + 64 hex digits + NUL. */
#define SH_WEBHOOK_SIG_LEN (7 + 64 + 1)
void sh_webhook_sign(const char *secret, const void *body, size_t len,
                     char out[SH_WEBHOOK_SIG_LEN]);
/* Does a comma-separated subscription list include name?  ("*" = all) */
bool sh_webhook_events_match(const char *list, const char *name);

/* ---- storage, for RPC handlers (webhook-store.c); replies from arena */

/* Create (in->has_id false) or update.  A missing secret on create, or
 * regenerate, makes a new one, returned in clear once (secret_generated). */
sh_status sh_webhook_save(sh_db *db, sh_secrets *secrets, const Stashhog__Webhook *in,
                          bool regenerate, sh_arena *arena, Stashhog__Webhook **out, sh_error *err);
sh_status sh_webhook_list(sh_db *db, sh_secrets *secrets, sh_arena *arena, Stashhog__Webhook ***out,
                          size_t *n, sh_error *err);
sh_status sh_webhook_delete(sh_db *db, int64_t id, sh_error *err);
sh_status sh_webhook_log(sh_db *db, int64_t webhook_id, int64_t delivery_id, int limit,
                         sh_arena *arena, Stashhog__WebhookDelivery ***out, size_t *n,
                         sh_error *err);

#endif
