/* sh-pbjson.h - protobuf-c messages to JSON, by walking their descriptors.
 *
 * One converter serves every reply, so `stashhogctl --json` output always
 * matches the .proto contract: field names as in the .proto, enums by their
 * value names, absent optional fields left out, int64 as JSON integers. */
#ifndef SH_PBJSON_H
#define SH_PBJSON_H

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

#include "sh-error.h"

/* Nesting deeper than this is refused by sh_pb_from_json (recursive
 * messages such as FilterNode must not exhaust the stack). */
#define SH_PB_JSON_MAX_DEPTH 64

/* New reference; NULL only on allocation failure. */
json_t *sh_pb_to_json(const ProtobufCMessage *msg);

/* The inverse: a message of type desc from the JSON sh_pb_to_json writes.
 * Strict, so a stored or user-written document never loses a member
 * silently: unknown keys, type mismatches, out-of-range numbers, unknown
 * enum names, two members of one oneof and missing required fields are
 * SH_ERR_INVALID naming the key path ("where.all.nodes[1].cond.op").
 * Enums by value name or number, int64 from JSON integers, bytes from hex,
 * null = absent (not for required fields).  *out is allocated with
 * protobuf-c's default allocator: free it with
 * protobuf_c_message_free_unpacked(*out, NULL). */
sh_status sh_pb_from_json(const ProtobufCMessageDescriptor *desc, const json_t *json, ProtobufCMessage **out,
                          sh_error *err);

#endif
