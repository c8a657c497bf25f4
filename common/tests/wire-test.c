/* Envelope round trips, size caps and malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sh-error.h"
#include "sh-paths.h"
#include "sh-wire.h"

static void test_request_round_trip(void **state)
{
    (void)state;
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__PingRequest ping = STASHHOG__PING_REQUEST__INIT;
    uint8_t payload[] = {1, 2, 3, 0, 255};
    ping.has_payload = 1;
    ping.payload.data = payload;
    ping.payload.len = sizeof payload;
    req.protocol_version = SH_PROTOCOL_VERSION;
    req.request_id = 0x1234567890ull;
    req.auth_token = "secret";
    req.body_case = STASHHOG__REQUEST__BODY_PING;
    req.ping = &ping;

    nng_msg *msg = NULL;
    assert_int_equal(sh_wire_pack(&req.base, SH_WIRE_MAX_REQUEST, &msg, NULL), SH_OK);
    sh_request *out = NULL;
    assert_int_equal(sh_wire_decode_request(nng_msg_body(msg), nng_msg_len(msg), &out, NULL), SH_OK);
    assert_int_equal(out->request_id, 0x1234567890ull);
    assert_int_equal(out->protocol_version, SH_PROTOCOL_VERSION);
    assert_string_equal(out->auth_token, "secret");
    assert_int_equal(out->body_case, STASHHOG__REQUEST__BODY_PING);
    assert_int_equal(out->ping->payload.len, sizeof payload);
    assert_memory_equal(out->ping->payload.data, payload, sizeof payload);
    sh_wire_request_free(out);
    nng_msg_free(msg);
}

static void test_reply_round_trip_with_error(void **state)
{
    (void)state;
    sh_reply reply = STASHHOG__REPLY__INIT;
    reply.request_id = 7;
    reply.status = sh_status_to_wire(SH_ERR_NOT_FOUND);
    reply.error_message = "scene 5 not found";
    nng_msg *msg = NULL;
    assert_int_equal(sh_wire_pack(&reply.base, SH_WIRE_MAX_REPLY, &msg, NULL), SH_OK);
    sh_reply *out = NULL;
    assert_int_equal(sh_wire_decode_reply(nng_msg_body(msg), nng_msg_len(msg), &out, NULL), SH_OK);
    assert_int_equal(sh_status_from_wire(out->status), SH_ERR_NOT_FOUND);
    assert_string_equal(out->error_message, "scene 5 not found");
    assert_int_equal(out->body_case, STASHHOG__REPLY__BODY__NOT_SET);
    sh_wire_reply_free(out);
    nng_msg_free(msg);
}

static void test_pack_cap(void **state)
{
    (void)state;
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__PingRequest ping = STASHHOG__PING_REQUEST__INIT;
    size_t big = SH_WIRE_MAX_REQUEST + 10;
    uint8_t *payload = calloc(1, big);
    assert_non_null(payload);
    ping.has_payload = 1;
    ping.payload.data = payload;
    ping.payload.len = big;
    req.protocol_version = SH_PROTOCOL_VERSION;
    req.body_case = STASHHOG__REQUEST__BODY_PING;
    req.ping = &ping;
    nng_msg *msg = NULL;
    sh_error err = {0};
    assert_int_equal(sh_wire_pack(&req.base, SH_WIRE_MAX_REQUEST, &msg, &err), SH_ERR_TOO_LARGE);
    assert_null(msg);
    assert_non_null(strstr(err.message, "cap"));
    /* Decoding refuses oversized input before parsing it. */
    sh_request *out = NULL;
    assert_int_equal(sh_wire_decode_request(payload, big, &out, NULL), SH_ERR_TOO_LARGE);
    assert_null(out);
    free(payload);
}

static void test_malformed(void **state)
{
    (void)state;
    static const uint8_t garbage[][8] = {
        {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, /* bad varint */
        {0x0a, 0x7f, 0x01, 0x02, 0, 0, 0, 0},             /* length beyond buffer */
        {0x08, 0x01, 0, 0, 0, 0, 0, 0},                   /* missing required request_id */
    };
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
        sh_request *out = NULL;
        sh_error err = {0};
        assert_int_equal(sh_wire_decode_request(garbage[i], sizeof garbage[i], &out, &err), SH_ERR_PROTOCOL);
        assert_null(out);
        assert_non_null(strstr(err.message, "malformed"));
    }
    sh_request *out = NULL;
    assert_int_equal(sh_wire_decode_request("", 0, &out, NULL), SH_ERR_PROTOCOL);
}

/* A request whose FilterNode tree nests `levels` deep: not(not(not(...))).
 * Built back to front so each level just prepends its tag and length. */
static size_t put_varint_back(uint8_t *buf, size_t pos, uint64_t v)
{
    uint8_t tmp[10];
    size_t k = 0;
    do {
        tmp[k++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    pos -= k;
    memcpy(buf + pos, tmp, k);
    return pos;
}

static uint8_t *nested_request(int levels, size_t *len)
{
    size_t cap = (size_t)levels * 8 + 64;
    uint8_t *buf = calloc(1, cap);
    size_t pos = cap;
    for (int i = 0; i < levels; i++) {
        pos = put_varint_back(buf, pos, cap - pos);
        buf[--pos] = (3 << 3) | 2; /* FilterNode.not */
    }
    pos = put_varint_back(buf, pos, cap - pos);
    buf[--pos] = (13 << 3) | 2; /* SceneFilter.where */
    pos = put_varint_back(buf, pos, cap - pos);
    buf[--pos] = (1 << 3) | 2; /* SceneListRequest.filter */
    pos = put_varint_back(buf, pos, cap - pos);
    pos = put_varint_back(buf, pos, (40 << 3) | 2); /* Request.scene_list */
    static const uint8_t head[] = {0x08, 1, 0x10, 7}; /* protocol_version 1, request_id 7 */
    pos -= sizeof head;
    memcpy(buf + pos, head, sizeof head);
    *len = cap - pos;
    memmove(buf, buf + pos, *len);
    return buf;
}

static void test_nesting_depth_cap(void **state)
{
    (void)state;
    size_t len = 0;
    sh_request *req = NULL;
    sh_error err = {0};
    /* Shallow trees decode; one deep enough to smash a stack is refused before unpacking. */
    uint8_t *ok = nested_request(20, &len);
    assert_int_equal(sh_wire_decode_request(ok, len, &req, &err), SH_OK);
    assert_non_null(req->scene_list->filter->where);
    sh_wire_request_free(req);
    free(ok);
    uint8_t *deep = nested_request(200000, &len);
    assert_int_equal(sh_wire_decode_request(deep, len, &req, &err), SH_ERR_INVALID);
    assert_null(req);
    assert_non_null(strstr(err.message, "deeper than"));
    free(deep);
}

static void test_event_framing(void **state)
{
    (void)state;
    sh_event ev = STASHHOG__EVENT__INIT;
    Stashhog__LogLine line = STASHHOG__LOG_LINE__INIT;
    line.level = STASHHOG__LOG_LEVEL__LOG_WARNING;
    line.module = "sync";
    line.message = "slow page";
    ev.seq = 3;
    ev.time_ms = 99;
    ev.topic = "log.warning";
    ev.payload_case = STASHHOG__EVENT__PAYLOAD_LOG;
    ev.log = &line;
    nng_msg *msg = NULL;
    assert_int_equal(sh_wire_pack_event(&ev, &msg, NULL), SH_OK);
    assert_memory_equal(nng_msg_body(msg), "log.warning\0", 12);
    sh_event *out = NULL;
    assert_int_equal(sh_wire_decode_event(nng_msg_body(msg), nng_msg_len(msg), &out, NULL), SH_OK);
    assert_string_equal(out->topic, "log.warning");
    assert_string_equal(out->log->message, "slow page");
    sh_wire_event_free(out);
    nng_msg_free(msg);

    assert_int_equal(sh_wire_decode_event("no-separator-here", 17, &out, NULL), SH_ERR_PROTOCOL);
    ev.topic = "";
    assert_int_equal(sh_wire_pack_event(&ev, &msg, NULL), SH_ERR_INVALID);
}

static void test_status_mapping(void **state)
{
    (void)state;
    for (int s = 0; s < SH_STATUS_COUNT_; s++) {
        assert_int_equal(sh_status_from_wire(sh_status_to_wire((sh_status)s)), s);
        assert_non_null(sh_strerror((sh_status)s));
        assert_string_not_equal(sh_status_name((sh_status)s), "unknown");
    }
    assert_int_equal(sh_status_from_wire((Stashhog__StatusCode)999), SH_ERR_PROTOCOL);
    sh_error err;
    assert_int_equal(sh_error_set(&err, SH_ERR_INVALID, "key %s", "x"), SH_ERR_INVALID);
    sh_error_prefix(&err, "settings");
    assert_string_equal(err.message, "settings: key x");
}

static void test_pick_event_url(void **state)
{
    (void)state;
    const char *const adv[] = {"ipc:///run/x/ev.sock", "tcp://0.0.0.0:7411", "tcp://10.0.0.5:7511",
                               "tls+tcp://host.lan:7413"};
    char *u = sh_paths_pick_event_url("ipc:///run/x/rpc.sock", adv, 4);
    assert_string_equal(u, "ipc:///run/x/ev.sock");
    free(u);
    u = sh_paths_pick_event_url("tcp://nas.local:7410", adv, 4); /* wildcard: our host, its port */
    assert_string_equal(u, "tcp://nas.local:7411");
    free(u);
    u = sh_paths_pick_event_url("tcp://10.0.0.5:7510", adv, 4); /* same host advertised: taken as is */
    assert_string_equal(u, "tcp://10.0.0.5:7511");
    free(u);
    u = sh_paths_pick_event_url("tls+tcp://nas.local:7412", adv, 4);
    assert_string_equal(u, "tls+tcp://nas.local:7413");
    free(u);
    assert_null(sh_paths_pick_event_url("ws://x:1", adv, 4));
    assert_null(sh_paths_pick_event_url("tcp://nas:1", adv, 0));
    assert_null(sh_paths_pick_event_url(NULL, adv, 4));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_round_trip), cmocka_unit_test(test_reply_round_trip_with_error),
        cmocka_unit_test(test_pack_cap),           cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_event_framing),      cmocka_unit_test(test_status_mapping),
        cmocka_unit_test(test_pick_event_url),     cmocka_unit_test(test_nesting_depth_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
