/* test-server.h - what the project's fake servers (fake Stash, fake LLM)
 * share: starting a libmicrohttpd daemon on a loopback literal with port 0,
 * the loopback check that guards their control APIs, a constant-time key
 * comparison, and the small command-line helpers of their executables.
 *
 * Threading: the daemon runs a thread per connection (MHD's own threads);
 * these helpers keep no state of their own. */
#ifndef SH_TEST_SERVER_H
#define SH_TEST_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

/* Starts an MHD daemon on bind (an IPv4 or IPv6 literal; NULL or "" means
 * 127.0.0.1) and port (0 = any free port), a thread per connection.  On
 * success *bound_port is the real port; on failure returns NULL with a
 * message in err. */
struct MHD_Daemon *th_http_start(const char *bind, uint16_t port, MHD_AccessHandlerCallback on_request,
                                 void *request_cls, MHD_RequestCompletedCallback on_completed,
                                 void *completed_cls, uint16_t *bound_port, char *err, size_t errlen);

/* True when the peer is on a loopback address (127/8, ::1, ::ffff:127/104). */
bool th_peer_is_loopback(struct MHD_Connection *conn);

/* Compares a configured key with a presented one in time that depends only
 * on the configured key, so a client cannot probe it byte by byte. */
bool th_key_matches(const char *want, const char *got);

/* A decimal in 0..max (no sign, no junk); 0 on success, -1 otherwise. */
int th_parse_u64(const char *s, unsigned long long max, unsigned long long *out);

/* Writes "PORT\n" to path atomically (temp file + rename), so a test that
 * polls for the file never reads half of it.  0 on success, -1 otherwise. */
int th_write_port_file(const char *path, unsigned port);

#endif
