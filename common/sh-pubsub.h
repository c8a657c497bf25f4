/* sh-pubsub.h - the event stream: a publisher in the daemon, subscribers in clients.
 *
 * Threading: sh_publisher_publish() may be called from any thread (nng pub
 * sockets are thread-safe); it never blocks, and slow subscribers lose
 * messages rather than slowing the daemon (pub/sub semantics).  That is why
 * clients treat events as hints and fetch authoritative state by RPC.
 *
 * A subscriber is used either synchronously (sh_subscriber_recv, the CLI) or
 * with a callback running on an nng thread (sh_subscriber_start, the GUI).
 *
 * Sealing: a pub socket cannot tell who subscribes, so over the network the
 * events themselves are protected.  The publisher keeps two pub sockets: one
 * for local URLs (ipc://, inproc://) sending clear frames, and one for
 * tcp:// and tls+tcp:// URLs sending every event sealed with libsodium's
 * crypto_secretbox under a key derived from the daemon's token (BLAKE2b of
 * the token, then crypto_kdf subkey 1, context "SHevents"), with a fresh
 * random nonce per message.  A sealed frame is
 *     "<topic>\0" 0xA5 nonce[24] secretbox("<topic>\0<Event bytes>")
 * so the topic stays clear for prefix filtering, and the sealed copy of the
 * topic must match it.  A subscriber given the token opens sealed frames
 * (and, on a network URL, refuses clear ones); without the token it reads
 * nothing from a sealed stream. */
#ifndef SH_PUBSUB_H
#define SH_PUBSUB_H

#include <stddef.h>

#include "sh-error.h"
#include "sh-wire.h"

typedef struct sh_publisher sh_publisher;

typedef struct sh_publisher_options {
    const char *const *urls;
    size_t n_urls;
    const char *token;             /* required when a URL is tcp:// or tls+tcp:// */
    const char *tls_cert_key_file; /* tls+tcp:// listeners: PEM certificate + key */
    const char *tls_ca_file;       /* tls+tcp://: require client certificates from this CA */
} sh_publisher_options;

sh_status sh_publisher_create_opts(const sh_publisher_options *opts, sh_publisher **out, sh_error *err);
/* Local URLs only (no token): sh_publisher_create_opts with just the URLs. */
sh_status sh_publisher_create(const char *const *urls, size_t n_urls, sh_publisher **out,
                              sh_error *err);
void sh_publisher_destroy(sh_publisher *pub);
/* Fills event->seq and event->time_ms, then sends. */
sh_status sh_publisher_publish(sh_publisher *pub, sh_event *event, sh_error *err);
size_t sh_publisher_urls(const sh_publisher *pub, const char *const **urls);
uint64_t sh_publisher_sent(const sh_publisher *pub);

typedef struct sh_subscriber sh_subscriber;

typedef struct sh_subscriber_options {
    const char *const *topics;     /* NULL or empty: everything; else prefixes ("job.") */
    size_t n_topics;
    const char *token;             /* opens sealed events (tcp:// and tls+tcp:// streams) */
    const char *events_key;        /* or: the hex key from StatusReply.events_key (wins over token) */
    const char *tls_ca_file;       /* tls+tcp:// */
    const char *tls_cert_key_file;
    const char *tls_server_name;
} sh_subscriber_options;

/* The hex event key derived from the owner token, as the daemon hands it to
 * authenticated network callers in StatusReply.events_key. */
#define SH_EVENTS_KEY_HEX_LEN 64
sh_status sh_pubsub_events_key_hex(const char *token, char out[SH_EVENTS_KEY_HEX_LEN + 1], sh_error *err);

sh_status sh_subscriber_create_opts(const char *url, const sh_subscriber_options *opts,
                                    sh_subscriber **out, sh_error *err);
/* topics: NULL or empty subscribes to everything; else each is a prefix ("job.").
 * No token: reads clear (local) streams only. */
sh_status sh_subscriber_create(const char *url, const char *const *topics, size_t n_topics,
                               sh_subscriber **out, sh_error *err);
/* Frames dropped because they were sealed without our key, or clear where a
 * sealed one was required (tests, diagnostics). */
uint64_t sh_subscriber_rejected(const sh_subscriber *sub);
/* Never blocks on a live connection: see "parked" in sh-pubsub.c. */
void sh_subscriber_destroy(sh_subscriber *sub);
/* Sockets of destroyed subscribers still waiting for the daemon to drop
 * their connection (tests, diagnostics). */
size_t sh_subscriber_parked_count(void);
/* Waits up to timeout_ms (-1 = forever); SH_ERR_TIMEOUT when nothing came. */
sh_status sh_subscriber_recv(sh_subscriber *sub, int timeout_ms, sh_event **event, sh_error *err);

/* Callback mode: `fn` runs on an nng thread for each event (it owns it). */
typedef void (*sh_event_fn)(sh_event *event, void *user_data);
sh_status sh_subscriber_start(sh_subscriber *sub, sh_event_fn fn, void *user_data, sh_error *err);

#endif
