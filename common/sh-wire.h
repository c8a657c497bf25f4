/* sh-wire.h - encoding and decoding of the protobuf envelopes with size caps.
 *
 * Requests, replies and events are packed straight into nng messages.  The
 * caps bound what a peer can make us allocate; the same numbers are set as
 * NNG_OPT_RECVMAXSZ on every socket so oversized frames never reach us. */
#ifndef SH_WIRE_H
#define SH_WIRE_H

#include <nng/nng.h>
#include <stddef.h>
#include <stdint.h>

#include "sh-error.h"
#include "stashhog.pb-c.h"

#define SH_WIRE_MAX_REQUEST (4u << 20)  /* 4 MiB: plan edits, imports */
#define SH_WIRE_MAX_REPLY   (64u << 20) /* 64 MiB: exports, big pages */
#define SH_WIRE_MAX_EVENT   (256u << 10)
#define SH_WIRE_MAX_TOPIC   64
/* Deepest message nesting accepted (FilterNode trees are recursive). */
#define SH_WIRE_MAX_DEPTH   100

#define SH_PROTOCOL_VERSION STASHHOG__PROTOCOL_VERSION__PROTOCOL_VERSION_CURRENT

typedef Stashhog__Request sh_request;
typedef Stashhog__Reply sh_reply;
typedef Stashhog__Event sh_event;

/* Pack any protobuf-c message into a new nng message; fails if larger than cap. */
sh_status sh_wire_pack(const ProtobufCMessage *msg, size_t cap, nng_msg **out, sh_error *err);

/* Decoders return SH_ERR_PROTOCOL for malformed input and SH_ERR_TOO_LARGE
 * above the cap.  Free results with the matching _free function. */
sh_status sh_wire_decode_request(const void *buf, size_t len, sh_request **out, sh_error *err);
sh_status sh_wire_decode_reply(const void *buf, size_t len, sh_reply **out, sh_error *err);
void sh_wire_request_free(sh_request *req);
void sh_wire_reply_free(sh_reply *reply);

/* Events travel as "<topic>\0<Event bytes>" so subscribers filter by prefix. */
sh_status sh_wire_pack_event(const sh_event *event, nng_msg **out, sh_error *err);
sh_status sh_wire_decode_event(const void *buf, size_t len, sh_event **out, sh_error *err);
void sh_wire_event_free(sh_event *event);

/* Map between sh_status and the protocol's StatusCode (same numbers, checked). */
Stashhog__StatusCode sh_status_to_wire(sh_status st);
sh_status sh_status_from_wire(Stashhog__StatusCode code);

#endif
