/* validate.h - one generic check of every decoded request, before dispatch.
 *
 * sh_validate_message() walks any protobuf-c message by its descriptor and
 * refuses what no handler should ever see: strings that are not UTF-8 or
 * longer than SH_VALIDATE_MAX_STRING, bytes longer than SH_VALIDATE_MAX_BYTES,
 * repeated fields with more than SH_VALIDATE_MAX_REPEATED entries, enum
 * values the schema does not define, ids <= 0 (fields named `id`, `*_id`
 * and every element of `*_ids`), NaN or infinite doubles, and nesting deeper
 * than SH_VALIDATE_MAX_DEPTH.  The error names the offending field
 * ("scene_list.filter.tag_ids[3]: id must be positive").  Checks that need
 * meaning (date formats, cron syntax, ranges) stay in the handlers.
 *
 * Pure function: no state, safe from any thread. */
#ifndef SH_RPC_VALIDATE_H
#define SH_RPC_VALIDATE_H

#include <protobuf-c/protobuf-c.h>

#include "sh-error.h"
#include "sh-wire.h"

#define SH_VALIDATE_MAX_STRING   (64u << 10)
#define SH_VALIDATE_MAX_BYTES    (2u << 20)
#define SH_VALIDATE_MAX_REPEATED 10000u
#define SH_VALIDATE_MAX_DEPTH 72 /* FilterNode trees; the wire layer caps nesting at SH_WIRE_MAX_DEPTH */

/* SH_OK or SH_ERR_INVALID with the field path in the message. */
sh_status sh_validate_message(const ProtobufCMessage *msg, sh_error *err);
/* The request body (the envelope's own fields are the server's business). */
sh_status sh_validate_request(const sh_request *req, sh_error *err);

/* Exposed for tests: strict UTF-8 (no overlongs, surrogates or > U+10FFFF). */
bool sh_validate_utf8(const char *s, size_t len);

#endif
