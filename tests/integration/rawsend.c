/* sh-rawsend: send raw bytes to a daemon's RPC socket, for hostile-input tests.
 *
 *   sh-rawsend URL garbage        random non-protobuf bytes
 *   sh-rawsend URL oversize N     N zero bytes (beyond the daemon's cap)
 *   sh-rawsend URL empty-body     a valid envelope with no request body
 *
 * Prints the reply's status name ("protocol", "invalid_argument", ...) or
 * "dropped" when the daemon closed the connection without answering. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>

#include "sh-wire.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: sh-rawsend URL garbage|oversize N|empty-body\n");
        return 2;
    }
    nng_socket s;
    nng_dialer d;
    /* One connection only: after the daemon drops us, a redial racing our
     * exit would hang up mid-handshake, which makes libnng 1.5.2's listener
     * stop accepting (the daemon's guard re-opens it, but nng leaks the old
     * one, which fails ASan runs at exit).  rpc-stall-test covers that; here
     * the redial is put far off (nng picks a random delay below the minimum)
     * and the dialer closed as soon as the connection is lost. */
    if (nng_req0_open(&s) != 0 || nng_socket_set_ms(s, NNG_OPT_RECONNMINT, 600000) != 0 ||
        nng_socket_set_ms(s, NNG_OPT_RECONNMAXT, 600000) != 0 || nng_dial(s, argv[1], &d, 0) != 0) {
        fprintf(stderr, "sh-rawsend: cannot connect to %s\n", argv[1]);
        return 1;
    }
    nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, 3000);
    nng_socket_set_ms(s, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE);
    nng_msg *msg = NULL;
    int rc = 0;
    if (!strcmp(argv[2], "garbage")) {
        static const char junk[] = "\xff\xfe\x00garbage\x0a\x7f";
        rc = nng_send(s, (void *)junk, sizeof junk, 0);
    } else if (!strcmp(argv[2], "oversize") && argc > 3) {
        size_t n = strtoul(argv[3], NULL, 10);
        void *buf = calloc(1, n);
        rc = buf ? nng_send(s, buf, n, 0) : NNG_ENOMEM;
        free(buf);
    } else if (!strcmp(argv[2], "empty-body")) {
        sh_request req = STASHHOG__REQUEST__INIT;
        req.protocol_version = SH_PROTOCOL_VERSION;
        req.request_id = 1;
        if (sh_wire_pack(&req.base, SH_WIRE_MAX_REQUEST, &msg, NULL) != SH_OK)
            return 1;
        rc = nng_sendmsg(s, msg, 0);
    } else {
        fprintf(stderr, "sh-rawsend: unknown mode %s\n", argv[2]);
        return 2;
    }
    /* No nng_close() anywhere below: process exit closes the connection.
     * When the daemon drops us mid-send (oversize), libnng 1.5.2 closes our
     * pipe while its writer is between two partial writes, and nng_close()
     * then waits forever for that pipe (seen: about 1 run in 100).  The
     * result is printed and flushed first so a caller never loses it. */
    if (rc != 0 || nng_recvmsg(s, &msg, 0) != 0) {
        nng_dialer_close(d);
        printf("dropped\n");
        fflush(stdout);
        return 0;
    }
    sh_reply *reply = NULL;
    if (sh_wire_decode_reply(nng_msg_body(msg), nng_msg_len(msg), &reply, NULL) != SH_OK) {
        printf("undecodable-reply\n");
        rc = 1;
    } else {
        printf("%s\n", sh_status_name(sh_status_from_wire(reply->status)));
        sh_wire_reply_free(reply);
    }
    nng_msg_free(msg);
    fflush(stdout);
    return rc;
}
