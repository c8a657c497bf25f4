#include "sh-wire.h"

#include <stdbool.h>
#include <string.h>

#include "sh-log.h"

_Static_assert((int)SH_ERR_UNAVAILABLE == (int)STASHHOG__STATUS_CODE__STATUS_UNAVAILABLE,
               "sh_status and StatusCode must stay in step");

sh_status sh_wire_pack(const ProtobufCMessage *msg, size_t cap, nng_msg **out, sh_error *err)
{
    *out = NULL;
    size_t size = protobuf_c_message_get_packed_size(msg);
    if (size > cap)
        return sh_error_set(err, SH_ERR_TOO_LARGE, "message of %zu bytes exceeds the %zu byte cap",
                            size, cap);
    nng_msg *m = NULL;
    int rv = nng_msg_alloc(&m, size);
    if (rv != 0)
        return sh_error_set(err, SH_ERR_NOMEM, "nng_msg_alloc: %s", nng_strerror(rv));
    size_t packed = protobuf_c_message_pack(msg, nng_msg_body(m));
    if (packed != size) {
        nng_msg_free(m);
        return sh_error_set(err, SH_ERR_INTERNAL, "packed %zu bytes, expected %zu", packed, size);
    }
    *out = m;
    return SH_OK;
}

static bool read_varint(const uint8_t *buf, size_t end, size_t *pos, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && *pos < end; shift += 7) {
        uint8_t b = buf[(*pos)++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

/* protobuf-c's unpacker recurses once per nested message, and the contract
 * has recursive messages (FilterNode): a hostile frame nested tens of
 * thousands deep would overflow a worker's stack inside the unpacker.  So
 * walk the wire format first, iteratively, descending only into fields the
 * descriptor says are messages, and refuse nesting deeper than the cap.
 * Malformed framing is left for the unpacker to reject. */
static sh_status check_depth(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len,
                             sh_error *err)
{
    struct frame {
        const ProtobufCMessageDescriptor *desc;
        size_t end;
    } stack[SH_WIRE_MAX_DEPTH + 1];
    int top = 0;
    size_t pos = 0;
    stack[0] = (struct frame){desc, len};
    while (top >= 0) {
        if (pos >= stack[top].end) {
            top--;
            continue;
        }
        uint64_t key = 0, n = 0;
        if (!read_varint(buf, stack[top].end, &pos, &key))
            return SH_OK;
        switch (key & 7) {
        case 0:
            if (!read_varint(buf, stack[top].end, &pos, &n))
                return SH_OK;
            break;
        case 1:
            pos += 8;
            break;
        case 5:
            pos += 4;
            break;
        case 2: {
            if (!read_varint(buf, stack[top].end, &pos, &n) || n > stack[top].end - pos)
                return SH_OK;
            const ProtobufCFieldDescriptor *f =
                protobuf_c_message_descriptor_get_field(stack[top].desc, (unsigned)(key >> 3));
            if (f && f->type == PROTOBUF_C_TYPE_MESSAGE) {
                if (top + 1 > SH_WIRE_MAX_DEPTH)
                    return sh_error_set(err, SH_ERR_INVALID, "%s nests messages deeper than %d levels",
                                        desc->short_name, SH_WIRE_MAX_DEPTH);
                stack[++top] = (struct frame){f->descriptor, pos + (size_t)n};
            } else {
                pos += (size_t)n;
            }
            break;
        }
        default:
            return SH_OK; /* groups and junk: the unpacker rejects them */
        }
    }
    return SH_OK;
}

static sh_status decode(const ProtobufCMessageDescriptor *desc, const void *buf, size_t len,
                        size_t cap, ProtobufCMessage **out, sh_error *err)
{
    *out = NULL;
    if (len > cap)
        return sh_error_set(err, SH_ERR_TOO_LARGE, "%s of %zu bytes exceeds the %zu byte cap",
                            desc->short_name, len, cap);
    sh_status st = check_depth(desc, buf, len, err);
    if (st != SH_OK)
        return st;
    ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, len, buf);
    if (!m)
        return sh_error_set(err, SH_ERR_PROTOCOL, "malformed %s (%zu bytes)", desc->short_name, len);
    *out = m;
    return SH_OK;
}

sh_status sh_wire_decode_request(const void *buf, size_t len, sh_request **out, sh_error *err)
{
    return decode(&stashhog__request__descriptor, buf, len, SH_WIRE_MAX_REQUEST,
                  (ProtobufCMessage **)out, err);
}

sh_status sh_wire_decode_reply(const void *buf, size_t len, sh_reply **out, sh_error *err)
{
    return decode(&stashhog__reply__descriptor, buf, len, SH_WIRE_MAX_REPLY,
                  (ProtobufCMessage **)out, err);
}

void sh_wire_request_free(sh_request *req)
{
    if (req)
        stashhog__request__free_unpacked(req, NULL);
}

void sh_wire_reply_free(sh_reply *reply)
{
    if (reply)
        stashhog__reply__free_unpacked(reply, NULL);
}

sh_status sh_wire_pack_event(const sh_event *event, nng_msg **out, sh_error *err)
{
    *out = NULL;
    size_t tlen = event->topic ? strlen(event->topic) : 0;
    if (tlen == 0 || tlen > SH_WIRE_MAX_TOPIC || memchr(event->topic, '\0', tlen))
        return sh_error_set(err, SH_ERR_INVALID, "event topic must be 1..%d bytes", SH_WIRE_MAX_TOPIC);
    size_t size = protobuf_c_message_get_packed_size(&event->base);
    if (size + tlen + 1 > SH_WIRE_MAX_EVENT)
        return sh_error_set(err, SH_ERR_TOO_LARGE, "event of %zu bytes exceeds the cap", size);
    nng_msg *m = NULL;
    int rv = nng_msg_alloc(&m, tlen + 1 + size);
    if (rv != 0)
        return sh_error_set(err, SH_ERR_NOMEM, "nng_msg_alloc: %s", nng_strerror(rv));
    unsigned char *body = nng_msg_body(m);
    memcpy(body, event->topic, tlen);
    body[tlen] = '\0';
    protobuf_c_message_pack(&event->base, body + tlen + 1);
    *out = m;
    return SH_OK;
}

sh_status sh_wire_decode_event(const void *buf, size_t len, sh_event **out, sh_error *err)
{
    *out = NULL;
    const unsigned char *p = buf;
    size_t scan = len < SH_WIRE_MAX_TOPIC + 1 ? len : SH_WIRE_MAX_TOPIC + 1;
    const unsigned char *nul = memchr(p, '\0', scan);
    if (!nul)
        return sh_error_set(err, SH_ERR_PROTOCOL, "event without topic separator");
    size_t off = (size_t)(nul - p) + 1;
    return decode(&stashhog__event__descriptor, p + off, len - off, SH_WIRE_MAX_EVENT,
                  (ProtobufCMessage **)out, err);
}

void sh_wire_event_free(sh_event *event)
{
    if (event)
        stashhog__event__free_unpacked(event, NULL);
}

Stashhog__StatusCode sh_status_to_wire(sh_status st)
{
    if ((unsigned)st >= SH_STATUS_COUNT_)
        return STASHHOG__STATUS_CODE__STATUS_INTERNAL;
    return (Stashhog__StatusCode)st;
}

sh_status sh_status_from_wire(Stashhog__StatusCode code)
{
    if ((unsigned)code >= SH_STATUS_COUNT_)
        return SH_ERR_PROTOCOL;
    return (sh_status)code;
}
