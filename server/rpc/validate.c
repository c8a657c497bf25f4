/* validate.c - the generic request validator (see validate.h). */
#include "rpc/validate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct walk {
    char path[256];
    size_t len;
    sh_error *err;
};

bool sh_validate_utf8(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        unsigned c = *p;
        if (c < 0x80) {
            p++;
            continue;
        }
        size_t n;
        unsigned cp;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false; /* continuation byte first, overlong lead, or > U+10FFFF */
        }
        if ((size_t)(end - p) <= n)
            return false;
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        p += n + 1;
    }
    return true;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

static sh_status fail(struct walk *w, const char *what)
{
    return sh_error_set(w->err, SH_ERR_INVALID, "invalid request: %s: %s", w->len ? w->path : "request", what);
}

/* Append ".name" or "[i]" to the path; returns the old length to restore. */
static size_t push(struct walk *w, const char *name, long index)
{
    size_t old = w->len;
    int n = index >= 0 ? snprintf(w->path + w->len, sizeof w->path - w->len, "[%ld]", index)
                       : snprintf(w->path + w->len, sizeof w->path - w->len, "%s%s", w->len ? "." : "", name);
    if (n > 0)
        w->len = w->len + (size_t)n < sizeof w->path ? w->len + (size_t)n : sizeof w->path - 1;
    return old;
}

static void pop(struct walk *w, size_t old)
{
    w->len = old;
    w->path[old] = '\0';
}

static sh_status walk_message(struct walk *w, const ProtobufCMessage *msg, int depth);

/* Entities proposed but not yet created in Stash carry no real id. */
static bool is_proposal(const ProtobufCMessage *msg)
{
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, "is_new");
    if (!f || f->type != PROTOBUF_C_TYPE_BOOL || f->label == PROTOBUF_C_LABEL_REPEATED)
        return false;
    const char *base = (const char *)msg;
    bool has = f->label == PROTOBUF_C_LABEL_REQUIRED || *(const protobuf_c_boolean *)(base + f->quantifier_offset);
    return has && *(const protobuf_c_boolean *)(base + f->offset);
}

static sh_status check_value(struct walk *w, const ProtobufCMessage *owner, const ProtobufCFieldDescriptor *f,
                             const void *value, bool is_id, int depth)
{
    int64_t id = 1;
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        id = *(const int32_t *)value;
        break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        id = *(const int64_t *)value;
        break;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        id = *(const uint32_t *)value;
        break;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        id = *(const uint64_t *)value == 0 ? 0 : 1;
        break;
    case PROTOBUF_C_TYPE_FLOAT:
        if (!isfinite(*(const float *)value))
            return fail(w, "number must be finite");
        return SH_OK;
    case PROTOBUF_C_TYPE_DOUBLE:
        if (!isfinite(*(const double *)value))
            return fail(w, "number must be finite");
        return SH_OK;
    case PROTOBUF_C_TYPE_BOOL:
        return SH_OK;
    case PROTOBUF_C_TYPE_ENUM: {
        int v = *(const int *)value;
        if (!protobuf_c_enum_descriptor_get_value(f->descriptor, v)) {
            char what[64];
            snprintf(what, sizeof what, "unknown value %d", v);
            return fail(w, what);
        }
        return SH_OK;
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(const char *const *)value;
        if (!s)
            return SH_OK;
        size_t len = strnlen(s, SH_VALIDATE_MAX_STRING + 1);
        if (len > SH_VALIDATE_MAX_STRING)
            return fail(w, "text too long");
        if (!sh_validate_utf8(s, len))
            return fail(w, "text is not valid UTF-8");
        return SH_OK;
    }
    case PROTOBUF_C_TYPE_BYTES:
        if (((const ProtobufCBinaryData *)value)->len > SH_VALIDATE_MAX_BYTES)
            return fail(w, "data too long");
        return SH_OK;
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *sub = *(const ProtobufCMessage *const *)value;
        return sub ? walk_message(w, sub, depth + 1) : SH_OK;
    }
    default:
        return fail(w, "unknown field type");
    }
    if (is_id && id <= 0 && !is_proposal(owner))
        return fail(w, "id must be positive");
    return SH_OK;
}

static size_t element_size(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        return sizeof(int32_t);
    case PROTOBUF_C_TYPE_FLOAT:
        return sizeof(float);
    case PROTOBUF_C_TYPE_ENUM:
        return sizeof(int);
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        return sizeof(int64_t);
    case PROTOBUF_C_TYPE_DOUBLE:
        return sizeof(double);
    case PROTOBUF_C_TYPE_STRING:
        return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(ProtobufCMessage *);
    default:
        return 0;
    }
}

/* Whether a singular field is set.  Pointer types (string, message) are set
 * when non-NULL; the others have a has_ flag or a oneof case. */
static bool present(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f)
{
    const char *base = (const char *)msg;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        return *(const uint32_t *)(base + f->quantifier_offset) == f->id;
    if (f->type == PROTOBUF_C_TYPE_STRING || f->type == PROTOBUF_C_TYPE_MESSAGE)
        return *(const void *const *)(base + f->offset) != NULL;
    if (f->label == PROTOBUF_C_LABEL_REQUIRED)
        return true;
    if (f->label == PROTOBUF_C_LABEL_OPTIONAL)
        return *(const protobuf_c_boolean *)(base + f->quantifier_offset);
    return true; /* proto3 implicit presence */
}

static sh_status walk_message(struct walk *w, const ProtobufCMessage *msg, int depth)
{
    if (depth > SH_VALIDATE_MAX_DEPTH)
        return fail(w, "nested too deeply");
    const ProtobufCMessageDescriptor *d = msg->descriptor;
    if (!d || d->magic != PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC)
        return fail(w, "not a message");
    const char *base = (const char *)msg;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        sh_status st = SH_OK;
        size_t old = push(w, f->name, -1);
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + f->quantifier_offset);
            const char *arr = *(const char *const *)(base + f->offset);
            size_t sz = element_size(f->type);
            bool ids = ends_with(f->name, "_ids");
            if (n > SH_VALIDATE_MAX_REPEATED)
                st = fail(w, "too many entries");
            for (size_t k = 0; st == SH_OK && arr && k < n; k++) {
                size_t o2 = push(w, NULL, (long)k);
                st = check_value(w, msg, f, arr + k * sz, ids, depth);
                if (st == SH_OK)
                    pop(w, o2);
            }
        } else if (present(msg, f)) {
            bool is_id = strcmp(f->name, "id") == 0 || ends_with(f->name, "_id");
            st = check_value(w, msg, f, base + f->offset, is_id, depth);
        }
        if (st != SH_OK)
            return st;
        pop(w, old);
    }
    return SH_OK;
}

sh_status sh_validate_message(const ProtobufCMessage *msg, sh_error *err)
{
    struct walk w = {.err = err};
    if (!msg)
        return sh_error_set(err, SH_ERR_INVALID, "invalid request: empty");
    return walk_message(&w, msg, 0);
}

sh_status sh_validate_request(const sh_request *req, sh_error *err)
{
    if (!req)
        return sh_error_set(err, SH_ERR_INVALID, "invalid request: empty");
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field(req->base.descriptor, (unsigned)req->body_case);
    if (!f || f->type != PROTOBUF_C_TYPE_MESSAGE)
        return sh_error_set(err, SH_ERR_INVALID, "invalid request: no body");
    struct walk w = {.err = err};
    size_t old = push(&w, f->name, -1);
    (void)old;
    const ProtobufCMessage *body = *(const ProtobufCMessage *const *)((const char *)req + f->offset);
    if (!body)
        return sh_error_set(err, SH_ERR_INVALID, "invalid request: %s has no content", f->name);
    sh_status st = walk_message(&w, body, 1);
    if (st == SH_OK && req->auth_token) {
        /* Tokens are 64 hex characters; anything huge is abuse, not a typo. */
        if (strnlen(req->auth_token, 1025) > 1024)
            return sh_error_set(err, SH_ERR_INVALID, "invalid request: auth token too long");
    }
    return st;
}
