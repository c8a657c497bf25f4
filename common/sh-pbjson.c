#include "sh-pbjson.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *scalar_to_json(const ProtobufCFieldDescriptor *f, const void *p)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        return json_integer(*(const int32_t *)p);
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        return json_integer(*(const uint32_t *)p);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        return json_integer(*(const int64_t *)p);
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        return json_integer((json_int_t) * (const uint64_t *)p);
    case PROTOBUF_C_TYPE_FLOAT:
        return json_real(*(const float *)p);
    case PROTOBUF_C_TYPE_DOUBLE:
        return json_real(*(const double *)p);
    case PROTOBUF_C_TYPE_BOOL:
        return json_boolean(*(const protobuf_c_boolean *)p);
    case PROTOBUF_C_TYPE_ENUM: {
        int v = *(const int *)p;
        const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(f->descriptor, v);
        return ev ? json_string(ev->name) : json_integer(v);
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)p;
        return s ? json_string(s) : json_null();
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *b = p;
        static const char hex[] = "0123456789abcdef";
        char *buf = malloc(b->len * 2 + 1);
        if (!buf)
            return NULL;
        for (size_t i = 0; i < b->len; i++) {
            buf[2 * i] = hex[b->data[i] >> 4];
            buf[2 * i + 1] = hex[b->data[i] & 15];
        }
        buf[b->len * 2] = '\0';
        json_t *j = json_string(buf);
        free(buf);
        return j;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *m = *(ProtobufCMessage *const *)p;
        return m ? sh_pb_to_json(m) : json_null();
    }
    }
    return json_null();
}

static size_t element_size(ProtobufCType type)
{
    switch (type) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return 8;
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_ENUM:
        return sizeof(int);
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(void *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    default:
        return 4;
    }
}

static int field_present(const ProtobufCFieldDescriptor *f, const char *base)
{
    const void *p = base + f->offset;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        return *(const uint32_t *)(base + f->quantifier_offset) == f->id;
    if (f->label == PROTOBUF_C_LABEL_REQUIRED)
        return 1;
    if (f->type == PROTOBUF_C_TYPE_STRING || f->type == PROTOBUF_C_TYPE_MESSAGE)
        return *(void *const *)p != NULL;
    if (f->label == PROTOBUF_C_LABEL_OPTIONAL)
        return *(const protobuf_c_boolean *)(base + f->quantifier_offset);
    return 1;
}

json_t *sh_pb_to_json(const ProtobufCMessage *msg)
{
    json_t *obj = json_object();
    if (!obj)
        return NULL;
    const ProtobufCMessageDescriptor *d = msg->descriptor;
    const char *base = (const char *)msg;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + f->quantifier_offset);
            const char *arr = *(char *const *)(base + f->offset);
            json_t *list = json_array();
            size_t es = element_size(f->type);
            for (size_t k = 0; k < n && list; k++)
                json_array_append_new(list, scalar_to_json(f, arr + k * es));
            json_object_set_new(obj, f->name, list);
            continue;
        }
        if (!field_present(f, base))
            continue;
        json_object_set_new(obj, f->name, scalar_to_json(f, base + f->offset));
    }
    return obj;
}

/* ------------------------------------------------------------ JSON -> pb */

/* The key path of the value being read, for error messages. */
typedef struct jpath {
    char text[256];
    size_t len;
} jpath;

static size_t jpath_add(jpath *p, int n)
{
    size_t saved = p->len;
    if (n > 0)
        p->len = p->len + (size_t)n < sizeof p->text ? p->len + (size_t)n : sizeof p->text - 1;
    return saved;
}

/* Appends ".key" (or "key" at the top); returns the length to restore. */
static size_t jpath_key(jpath *p, const char *key)
{
    return jpath_add(p, snprintf(p->text + p->len, sizeof p->text - p->len, "%s%s", p->len ? "." : "", key));
}

static size_t jpath_index(jpath *p, size_t index)
{
    return jpath_add(p, snprintf(p->text + p->len, sizeof p->text - p->len, "[%zu]", index));
}

static void jpath_pop(jpath *p, size_t saved)
{
    p->len = saved;
    p->text[saved] = '\0';
}

static const char *jpath_str(const jpath *p)
{
    return p->len ? p->text : "(top level)";
}

static sh_status message_from_json(const ProtobufCMessageDescriptor *desc, const json_t *json, int depth,
                                   jpath *path, ProtobufCMessage **out, sh_error *err);

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static sh_status int_in(const json_t *j, json_int_t lo, json_int_t hi, json_int_t *v, const jpath *path,
                        sh_error *err)
{
    if (!json_is_integer(j))
        return sh_error_set(err, SH_ERR_INVALID, "%s: expected an integer", jpath_str(path));
    *v = json_integer_value(j);
    if (*v < lo || *v > hi)
        return sh_error_set(err, SH_ERR_INVALID, "%s: %lld is out of range", jpath_str(path), (long long)*v);
    return SH_OK;
}

/* One value of field f into p (a struct member or an array element).
 * On failure nothing was allocated into p. */
static sh_status value_from_json(const ProtobufCFieldDescriptor *f, const json_t *j, int depth, jpath *path,
                                 void *p, sh_error *err)
{
    json_int_t v = 0;
    sh_status st = SH_OK;
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        if ((st = int_in(j, INT32_MIN, INT32_MAX, &v, path, err)) == SH_OK)
            *(int32_t *)p = (int32_t)v;
        return st;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        if ((st = int_in(j, 0, UINT32_MAX, &v, path, err)) == SH_OK)
            *(uint32_t *)p = (uint32_t)v;
        return st;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        if ((st = int_in(j, INT64_MIN, INT64_MAX, &v, path, err)) == SH_OK)
            *(int64_t *)p = (int64_t)v;
        return st;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        /* sh_pb_to_json writes values above INT64_MAX as negative integers;
         * reading them back the same way keeps the round trip exact. */
        if ((st = int_in(j, INT64_MIN, INT64_MAX, &v, path, err)) == SH_OK)
            *(uint64_t *)p = (uint64_t)v;
        return st;
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_DOUBLE:
        if (!json_is_number(j))
            return sh_error_set(err, SH_ERR_INVALID, "%s: expected a number", jpath_str(path));
        if (f->type == PROTOBUF_C_TYPE_FLOAT)
            *(float *)p = (float)json_number_value(j);
        else
            *(double *)p = json_number_value(j);
        return SH_OK;
    case PROTOBUF_C_TYPE_BOOL:
        if (!json_is_boolean(j))
            return sh_error_set(err, SH_ERR_INVALID, "%s: expected true or false", jpath_str(path));
        *(protobuf_c_boolean *)p = json_is_true(j);
        return SH_OK;
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumDescriptor *ed = f->descriptor;
        const ProtobufCEnumValue *ev = NULL;
        if (json_is_string(j))
            ev = protobuf_c_enum_descriptor_get_value_by_name(ed, json_string_value(j));
        else if (json_is_integer(j) && json_integer_value(j) >= INT_MIN && json_integer_value(j) <= INT_MAX)
            ev = protobuf_c_enum_descriptor_get_value(ed, (int)json_integer_value(j));
        else
            return sh_error_set(err, SH_ERR_INVALID, "%s: expected a %s name", jpath_str(path), ed->name);
        if (!ev)
            return sh_error_set(err, SH_ERR_INVALID, "%s: not a %s value", jpath_str(path), ed->name);
        *(int *)p = ev->value;
        return SH_OK;
    }
    case PROTOBUF_C_TYPE_STRING: {
        if (!json_is_string(j))
            return sh_error_set(err, SH_ERR_INVALID, "%s: expected a string", jpath_str(path));
        char *s = strdup(json_string_value(j));
        if (!s)
            return sh_error_set(err, SH_ERR_NOMEM, NULL);
        *(char **)p = s;
        return SH_OK;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const char *hex = json_string_value(j);
        size_t n = hex ? strlen(hex) : 0;
        if (!hex || n % 2)
            return sh_error_set(err, SH_ERR_INVALID, "%s: expected an even-length hex string", jpath_str(path));
        uint8_t *data = n ? malloc(n / 2) : NULL;
        if (n && !data)
            return sh_error_set(err, SH_ERR_NOMEM, NULL);
        for (size_t i = 0; i < n / 2; i++) {
            int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                free(data);
                return sh_error_set(err, SH_ERR_INVALID, "%s: not a hex string", jpath_str(path));
            }
            data[i] = (uint8_t)(hi << 4 | lo);
        }
        ProtobufCBinaryData *b = p;
        b->data = data;
        b->len = n / 2;
        return SH_OK;
    }
    case PROTOBUF_C_TYPE_MESSAGE:
        return message_from_json(f->descriptor, j, depth + 1, path, (ProtobufCMessage **)p, err);
    }
    return sh_error_set(err, SH_ERR_INVALID, "%s: unsupported field type", jpath_str(path));
}

static sh_status repeated_from_json(const ProtobufCFieldDescriptor *f, const json_t *j, int depth, jpath *path,
                                    char *base, sh_error *err)
{
    if (!json_is_array(j))
        return sh_error_set(err, SH_ERR_INVALID, "%s: expected a list", jpath_str(path));
    size_t n = json_array_size(j), es = element_size(f->type);
    if (n == 0)
        return SH_OK;
    char *arr = calloc(n, es);
    if (!arr)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    /* The message owns the array at once and counts only filled elements,
     * so freeing it after a failure half-way is exact. */
    *(char **)(base + f->offset) = arr;
    size_t *count = (size_t *)(base + f->quantifier_offset);
    for (size_t i = 0; i < n; i++) {
        size_t saved = jpath_index(path, i);
        sh_status st = value_from_json(f, json_array_get(j, i), depth, path, arr + i * es, err);
        jpath_pop(path, saved);
        if (st != SH_OK)
            return st;
        (*count)++;
    }
    return SH_OK;
}

static sh_status field_from_json(const ProtobufCFieldDescriptor *f, const json_t *j, int depth, jpath *path,
                                 char *base, sh_error *err)
{
    if (f->label == PROTOBUF_C_LABEL_REPEATED)
        return repeated_from_json(f, j, depth, path, base, err);
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        uint32_t *which = (uint32_t *)(base + f->quantifier_offset);
        if (*which != 0)
            return sh_error_set(err, SH_ERR_INVALID, "%s: only one member of the oneof may be set",
                                jpath_str(path));
    }
    /* Strings keep their default pointer until the new value is in place. */
    sh_status st = value_from_json(f, j, depth, path, base + f->offset, err);
    if (st != SH_OK)
        return st;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        *(uint32_t *)(base + f->quantifier_offset) = f->id;
    else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type != PROTOBUF_C_TYPE_STRING &&
             f->type != PROTOBUF_C_TYPE_MESSAGE)
        *(protobuf_c_boolean *)(base + f->quantifier_offset) = 1;
    return SH_OK;
}

static sh_status message_from_json(const ProtobufCMessageDescriptor *desc, const json_t *json, int depth,
                                   jpath *path, ProtobufCMessage **out, sh_error *err)
{
    if (depth > SH_PB_JSON_MAX_DEPTH)
        return sh_error_set(err, SH_ERR_INVALID, "%s: nested deeper than %d levels", jpath_str(path),
                            SH_PB_JSON_MAX_DEPTH);
    if (!json_is_object(json))
        return sh_error_set(err, SH_ERR_INVALID, "%s: expected an object", jpath_str(path));
    const char *key;
    const json_t *value;
    json_object_foreach ((json_t *)json, key, value) {
        if (!protobuf_c_message_descriptor_get_field_by_name(desc, key)) {
            size_t saved = jpath_key(path, key);
            sh_error_set(err, SH_ERR_INVALID, "%s: unknown key (not a field of %s)", jpath_str(path), desc->name);
            jpath_pop(path, saved);
            return SH_ERR_INVALID;
        }
    }
    ProtobufCMessage *m = malloc(desc->sizeof_message);
    if (!m)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    desc->message_init(m);
    sh_status st = SH_OK;
    for (unsigned i = 0; st == SH_OK && i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        const json_t *j = json_object_get(json, f->name);
        size_t saved = jpath_key(path, f->name);
        if (!j || json_is_null(j)) {
            if (f->label == PROTOBUF_C_LABEL_REQUIRED)
                st = sh_error_set(err, SH_ERR_INVALID, "%s: required", jpath_str(path));
        } else {
            st = field_from_json(f, j, depth, path, (char *)m, err);
        }
        jpath_pop(path, saved);
    }
    if (st != SH_OK) {
        protobuf_c_message_free_unpacked(m, NULL);
        return st;
    }
    *out = m;
    return SH_OK;
}

sh_status sh_pb_from_json(const ProtobufCMessageDescriptor *desc, const json_t *json, ProtobufCMessage **out,
                          sh_error *err)
{
    jpath path = {.len = 0};
    path.text[0] = '\0';
    *out = NULL;
    if (!desc)
        return sh_error_set(err, SH_ERR_INVALID, "no message type");
    return message_from_json(desc, json, 0, &path, out, err);
}
