/* sh-pbjson.h - protobuf-c messages to JSON, by walking their descriptors.
 *
 * One converter serves every reply, so `stashhogctl --json` output always
 * matches the .proto contract: field names as in the .proto, enums by their
 * value names, absent optional fields left out, int64 as JSON integers. */
#ifndef SH_PBJSON_H
#define SH_PBJSON_H

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

/* New reference; NULL only on allocation failure. */
json_t *sh_pb_to_json(const ProtobufCMessage *msg);

#endif
