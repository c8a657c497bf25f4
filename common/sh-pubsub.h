/* sh-pubsub.h - the event stream: a publisher in the daemon, subscribers in clients.
 *
 * Threading: sh_publisher_publish() may be called from any thread (nng pub
 * sockets are thread-safe); it never blocks, and slow subscribers lose
 * messages rather than slowing the daemon (pub/sub semantics).  That is why
 * clients treat events as hints and fetch authoritative state by RPC.
 *
 * A subscriber is used either synchronously (sh_subscriber_recv, the CLI) or
 * with a callback running on an nng thread (sh_subscriber_start, the GUI). */
#ifndef SH_PUBSUB_H
#define SH_PUBSUB_H

#include <stddef.h>

#include "sh-error.h"
#include "sh-wire.h"

typedef struct sh_publisher sh_publisher;

sh_status sh_publisher_create(const char *const *urls, size_t n_urls, sh_publisher **out,
                              sh_error *err);
void sh_publisher_destroy(sh_publisher *pub);
/* Fills event->seq and event->time_ms, then sends. */
sh_status sh_publisher_publish(sh_publisher *pub, sh_event *event, sh_error *err);
size_t sh_publisher_urls(const sh_publisher *pub, const char *const **urls);
uint64_t sh_publisher_sent(const sh_publisher *pub);

typedef struct sh_subscriber sh_subscriber;

/* topics: NULL or empty subscribes to everything; else each is a prefix ("job."). */
sh_status sh_subscriber_create(const char *url, const char *const *topics, size_t n_topics,
                               sh_subscriber **out, sh_error *err);
void sh_subscriber_destroy(sh_subscriber *sub);
/* Waits up to timeout_ms (-1 = forever); SH_ERR_TIMEOUT when nothing came. */
sh_status sh_subscriber_recv(sh_subscriber *sub, int timeout_ms, sh_event **event, sh_error *err);

/* Callback mode: `fn` runs on an nng thread for each event (it owns it). */
typedef void (*sh_event_fn)(sh_event *event, void *user_data);
sh_status sh_subscriber_start(sh_subscriber *sub, sh_event_fn fn, void *user_data, sh_error *err);

#endif
