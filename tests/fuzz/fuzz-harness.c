/* fuzz-harness.c - see fuzz-harness.h. */
#include "fuzz-harness.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>

#include "config.h"
#include "daemon.h"
#include "sh-log.h"
#include "sh-paths.h"
#include "sh-util.h"
#include "sh-wire.h"

struct sh_fuzz_harness {
    char dir[64];
    sh_config cfg;
    sh_daemon *daemon;
    nng_socket req;
    bool req_open;
};

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

sh_status sh_fuzz_harness_create(sh_fuzz_harness **out, sh_error *err)
{
    *out = NULL;
    sh_fuzz_harness *h = calloc(1, sizeof *h);
    if (!h)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    /* Short path under /tmp: ipc socket paths must fit in sun_path. */
    snprintf(h->dir, sizeof h->dir, "/tmp/sh-fuzz-XXXXXX");
    sh_config_init(&h->cfg);
    sh_status st = SH_OK;
    if (!mkdtemp(h->dir)) {
        h->dir[0] = '\0';
        st = sh_error_set(err, SH_ERR_IO, "mkdtemp failed");
        goto fail;
    }
    char path[128], url[SH_PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/data", h->dir);
    if ((st = sh_config_set(&h->cfg, "data_dir", path, err)) != SH_OK)
        goto fail;
    snprintf(path, sizeof path, "%s/run", h->dir);
    if ((st = sh_config_set(&h->cfg, "runtime_dir", path, err)) != SH_OK ||
        (st = sh_config_set(&h->cfg, "log_level", getenv("STASHHOG_FUZZ_LOG") ? "debug" : "error", err)) != SH_OK ||
        (st = sh_config_finish(&h->cfg, err)) != SH_OK)
        goto fail;
    sh_log_set_level(h->cfg.log_level);
    if ((st = sh_daemon_create(&h->cfg, &h->daemon, err)) != SH_OK ||
        (st = sh_paths_rpc_url(h->cfg.runtime_dir, url, sizeof url, err)) != SH_OK)
        goto fail;
    int rv = nng_req0_open(&h->req);
    if (rv != 0) {
        st = sh_error_set(err, SH_ERR_NETWORK, "nng_req0_open: %s", nng_strerror(rv));
        goto fail;
    }
    h->req_open = true;
    nng_socket_set_size(h->req, NNG_OPT_RECVMAXSZ, SH_WIRE_MAX_REPLY);
    nng_socket_set_ms(h->req, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE);
    nng_socket_set_ms(h->req, NNG_OPT_RECVTIMEO, 15000);
    nng_socket_set_ms(h->req, NNG_OPT_SENDTIMEO, 15000);
    if ((rv = nng_dial(h->req, url, NULL, 0)) != 0) {
        st = sh_error_set(err, SH_ERR_NETWORK, "dial %s: %s", url, nng_strerror(rv));
        goto fail;
    }
    *out = h;
    return SH_OK;
fail:
    sh_fuzz_harness_destroy(h);
    return st;
}

void sh_fuzz_harness_destroy(sh_fuzz_harness *h)
{
    if (!h)
        return;
    if (h->req_open)
        nng_close(h->req);
    sh_daemon_destroy(h->daemon);
    sh_config_fini(&h->cfg);
    if (h->dir[0])
        nftw(h->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(h);
}

sh_status sh_fuzz_send(sh_fuzz_harness *h, const uint8_t *data, size_t len, int *status, sh_error *err)
{
    nng_msg *msg = NULL;
    *status = -1;
    int rv = nng_msg_alloc(&msg, len);
    if (rv != 0)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    if (len)
        memcpy(nng_msg_body(msg), data, len);
    if ((rv = nng_sendmsg(h->req, msg, 0)) != 0) {
        nng_msg_free(msg);
        return sh_error_set(err, SH_ERR_NETWORK, "send: %s", nng_strerror(rv));
    }
    if ((rv = nng_recvmsg(h->req, &msg, 0)) != 0)
        return sh_error_set(err, rv == NNG_ETIMEDOUT ? SH_ERR_TIMEOUT : SH_ERR_NETWORK,
                            "the daemon did not answer a %zu-byte request: %s", len, nng_strerror(rv));
    sh_reply *reply = NULL;
    sh_status st = sh_wire_decode_reply(nng_msg_body(msg), nng_msg_len(msg), &reply, err);
    nng_msg_free(msg);
    if (st != SH_OK)
        return sh_error_prefix(err, "the daemon answered garbage");
    *status = (int)reply->status;
    sh_wire_reply_free(reply);
    return SH_OK;
}

/* ---------------------------------------------------------------- seeds */

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Plausible text per field name, so seeds get past the handlers' own checks. */
static const char *sample_text(const char *name)
{
    if (!strcmp(name, "cron"))
        return "*/5 * * * *";
    if (sh_str_has_prefix(name, "date"))
        return "2024-01-02";
    if (!strcmp(name, "type") || !strcmp(name, "job_type"))
        return "sync_incremental";
    if (!strcmp(name, "key") || !strcmp(name, "keys"))
        return "stash.url";
    if (!strcmp(name, "value"))
        return "http://127.0.0.1:9/";
    if (!strcmp(name, "field") || !strcmp(name, "fields"))
        return "title";
    if (ends_with(name, "_json"))
        return "{}";
    if (!strcmp(name, "snapshot"))
        return "backup-00000000000000000000000000000000.db";
    if (!strcmp(name, "sha256"))
        return "0000000000000000000000000000000000000000000000000000000000000000";
    if (!strcmp(name, "query"))
        return "fuzz";
    return "Fuzz Name";
}

static int64_t sample_int(const char *name)
{
    if (!strcmp(name, "limit") || !strcmp(name, "count"))
        return 10;
    if (!strcmp(name, "offset"))
        return 0;
    if (!strcmp(name, "interval_s"))
        return 86400;
    return 1;
}

static void *fill_message(const ProtobufCMessageDescriptor *d, int depth);

static void fill_value(const ProtobufCFieldDescriptor *f, void *slot, int depth)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        *(int32_t *)slot = (int32_t)sample_int(f->name);
        break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        *(int64_t *)slot = sample_int(f->name);
        break;
    case PROTOBUF_C_TYPE_FLOAT:
        *(float *)slot = 0.5f;
        break;
    case PROTOBUF_C_TYPE_DOUBLE:
        *(double *)slot = 0.5;
        break;
    case PROTOBUF_C_TYPE_BOOL:
        /* Keep seeds cheap and harmless: no LLM, estimates only. */
        *(protobuf_c_boolean *)slot = strcmp(f->name, "use_llm") != 0;
        break;
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumDescriptor *e = f->descriptor;
        *(int *)slot = e->n_values ? e->values[0].value : 0;
        break;
    }
    case PROTOBUF_C_TYPE_STRING:
        *(char **)slot = strdup(sample_text(f->name));
        break;
    case PROTOBUF_C_TYPE_BYTES: {
        ProtobufCBinaryData *b = slot;
        b->data = (uint8_t *)strdup("abc");
        b->len = 3;
        break;
    }
    case PROTOBUF_C_TYPE_MESSAGE:
        *(void **)slot = fill_message(f->descriptor, depth + 1);
        break;
    default:
        break;
    }
}

static size_t slot_size(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return 8;
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(void *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    default:
        return 4;
    }
}

static void *fill_message(const ProtobufCMessageDescriptor *d, int depth)
{
    ProtobufCMessage *m = calloc(1, d->sizeof_message);
    if (!m)
        abort();
    d->message_init(m);
    char *base = (char *)m;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->type == PROTOBUF_C_TYPE_MESSAGE && depth > 3 && f->label != PROTOBUF_C_LABEL_REQUIRED)
            continue;
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            uint32_t *c = (uint32_t *)(base + f->quantifier_offset);
            if (*c)
                continue;
            *c = f->id;
        }
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = 2, sz = slot_size(f->type);
            char *arr = calloc(n, sz);
            if (!arr)
                abort();
            for (size_t k = 0; k < n; k++)
                fill_value(f, arr + k * sz, depth);
            if (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE && ends_with(f->name, "_ids"))
                ((int64_t *)arr)[1] = 2;
            *(size_t *)(base + f->quantifier_offset) = n;
            *(void **)(base + f->offset) = arr;
            continue;
        }
        if (f->label == PROTOBUF_C_LABEL_OPTIONAL && !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
            f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE)
            *(protobuf_c_boolean *)(base + f->quantifier_offset) = 1;
        fill_value(f, base + f->offset, depth);
    }
    return m;
}

sh_status sh_fuzz_seeds(sh_fuzz_seed **out, size_t *n, sh_error *err)
{
    const ProtobufCMessageDescriptor *rd = &stashhog__request__descriptor;
    sh_fuzz_seed *seeds = calloc(rd->n_fields, sizeof *seeds);
    if (!seeds)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    size_t count = 0;
    for (unsigned i = 0; i < rd->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &rd->fields[i];
        if (!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) || f->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        sh_request *req = calloc(1, sizeof *req);
        if (!req)
            abort();
        stashhog__request__init(req);
        req->protocol_version = SH_PROTOCOL_VERSION;
        req->request_id = 1000 + i;
        *(uint32_t *)((char *)req + f->quantifier_offset) = f->id;
        *(void **)((char *)req + f->offset) = fill_message(f->descriptor, 1);
        size_t len = protobuf_c_message_get_packed_size(&req->base);
        uint8_t *buf = malloc(len ? len : 1);
        if (!buf)
            abort();
        protobuf_c_message_pack(&req->base, buf);
        protobuf_c_message_free_unpacked(&req->base, NULL);
        seeds[count++] = (sh_fuzz_seed){.data = buf, .len = len, .name = f->name};
    }
    *out = seeds;
    *n = count;
    return SH_OK;
}

void sh_fuzz_seeds_free(sh_fuzz_seed *seeds, size_t n)
{
    for (size_t i = 0; seeds && i < n; i++)
        free(seeds[i].data);
    free(seeds);
}
