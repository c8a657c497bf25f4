/* Roles: the route table gives every request type the documented minimum
 * role; every role is refused exactly what it may not do (table-driven over
 * request types); cancel/retry and plan edits are raised to admin by their
 * target; and the auth hook maps local sockets, the owner token and user
 * tokens to identities, still rate-limiting failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "db/db.h"
#include "rpc/auth.h"
#include "rpc/rpc.h"
#include "sh-util.h"
#include "users/users.h"

#define V SH_ROLE_VIEWER
#define R SH_ROLE_REVIEWER
#define A SH_ROLE_ADMIN

/* The policy, as documented in rpc/auth.h and proto's Role enum. */
static const struct expect {
    Stashhog__Request__BodyCase body;
    sh_role role;
} expected[] = {
    {STASHHOG__REQUEST__BODY_PING, V},
    {STASHHOG__REQUEST__BODY_STATUS, V},
    {STASHHOG__REQUEST__BODY_STATS, V},
    {STASHHOG__REQUEST__BODY_SETTINGS_GET, A},
    {STASHHOG__REQUEST__BODY_SETTINGS_SET, A},
    {STASHHOG__REQUEST__BODY_TEST_CONNECTION, A},
    {STASHHOG__REQUEST__BODY_SYNC_START, R},
    {STASHHOG__REQUEST__BODY_SYNC_HISTORY, V},
    {STASHHOG__REQUEST__BODY_SCENE_LIST, V},
    {STASHHOG__REQUEST__BODY_SCENE_GET, V},
    {STASHHOG__REQUEST__BODY_ENTITY_LIST, V},
    {STASHHOG__REQUEST__BODY_JOB_LIST, V},
    {STASHHOG__REQUEST__BODY_JOB_GET, V},
    {STASHHOG__REQUEST__BODY_JOB_CANCEL, R},
    {STASHHOG__REQUEST__BODY_JOB_RETRY, R},
    {STASHHOG__REQUEST__BODY_SCHEDULE_LIST, V},
    {STASHHOG__REQUEST__BODY_SCHEDULE_SAVE, A},
    {STASHHOG__REQUEST__BODY_SCHEDULE_DELETE, A},
    {STASHHOG__REQUEST__BODY_SCHEDULE_RUN, A},
    {STASHHOG__REQUEST__BODY_SCHEDULE_HISTORY, V},
    {STASHHOG__REQUEST__BODY_CRON_PREVIEW, V},
    {STASHHOG__REQUEST__BODY_ANALYZE, R},
    {STASHHOG__REQUEST__BODY_PLAN_LIST, V},
    {STASHHOG__REQUEST__BODY_PLAN_GET, V},
    {STASHHOG__REQUEST__BODY_PLAN_REVIEW, R},
    {STASHHOG__REQUEST__BODY_PLAN_EDIT, R},
    {STASHHOG__REQUEST__BODY_PLAN_APPLY, A},
    {STASHHOG__REQUEST__BODY_PLAN_ROLLBACK, A},
    {STASHHOG__REQUEST__BODY_PLAN_DELETE, R},
    {STASHHOG__REQUEST__BODY_PLAN_EXPORT, V},
    {STASHHOG__REQUEST__BODY_BACKUP, A},
    {STASHHOG__REQUEST__BODY_BACKUP_CHUNK, A},
    {STASHHOG__REQUEST__BODY_RESTORE_CHUNK, A},
    {STASHHOG__REQUEST__BODY_PLAN_IMPORT, A},
    {STASHHOG__REQUEST__BODY_SCENE_IMPORT, A},
    {STASHHOG__REQUEST__BODY_WEBHOOK_LIST, A},
    {STASHHOG__REQUEST__BODY_WEBHOOK_SAVE, A},
    {STASHHOG__REQUEST__BODY_WEBHOOK_DELETE, A},
    {STASHHOG__REQUEST__BODY_WEBHOOK_TEST, A},
    {STASHHOG__REQUEST__BODY_WEBHOOK_LOG, A},
    {STASHHOG__REQUEST__BODY_FILTER_LIST, V},
    {STASHHOG__REQUEST__BODY_FILTER_GET, V},
    {STASHHOG__REQUEST__BODY_FILTER_SAVE, R},
    {STASHHOG__REQUEST__BODY_FILTER_DELETE, R},
    {STASHHOG__REQUEST__BODY_USER_LIST, A},
    {STASHHOG__REQUEST__BODY_USER_CREATE, A},
    {STASHHOG__REQUEST__BODY_USER_DELETE, A},
    {STASHHOG__REQUEST__BODY_USER_ROTATE, A},
    {STASHHOG__REQUEST__BODY_USER_SET_ROLE, A},
};
#define N_EXPECTED (sizeof expected / sizeof expected[0])

/* ---------------------------------------------------------------- route table */

static void test_route_table_matches_policy(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_EXPECTED; i++) {
        const char *name = NULL;
        sh_role got = sh_rpc_route_role((int)expected[i].body, &name);
        if (got != expected[i].role)
            fail_msg("request type %d (%s): route role %d, policy says %d", (int)expected[i].body,
                     name ? name : "no route", (int)got, (int)expected[i].role);
    }
}

/* Every request type with a route names a role explicitly, and every type the
 * proto defines is covered by the policy above (a new request type must be
 * classified here and in dispatch.c). */
static void test_every_request_type_classified(void **state)
{
    (void)state;
    const ProtobufCMessageDescriptor *d = &stashhog__request__descriptor;
    size_t n_body = 0;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
            continue;
        n_body++;
        const char *name = NULL;
        sh_role got = sh_rpc_route_role((int)f->id, &name);
        if (name && got == SH_ROLE_UNSET)
            fail_msg("route %s names no minimum role", name);
        bool listed = false;
        for (size_t k = 0; k < N_EXPECTED; k++)
            listed = listed || (int)expected[k].body == (int)f->id;
        if (!listed)
            fail_msg("request %s (%u) is not in the role policy of this test", f->name, f->id);
    }
    assert_int_equal(n_body, N_EXPECTED);
    assert_int_equal(sh_rpc_route_role(9999, NULL), SH_ROLE_UNSET);
}

/* ---------------------------------------------------------------- each role refused */

static void test_each_role_refused_what_it_may_not(void **state)
{
    (void)state;
    static const sh_role roles[] = {SH_ROLE_UNSET, V, R, A};
    int refused[4] = {0};
    for (size_t r = 0; r < 4; r++) {
        for (size_t i = 0; i < N_EXPECTED; i++) {
            const char *name = NULL;
            sh_role route = sh_rpc_route_role((int)expected[i].body, &name);
            sh_request req = STASHHOG__REQUEST__INIT;
            req.body_case = expected[i].body;
            sh_rpc_call call = {.request = &req, .role = (int)roles[r]};
            snprintf(call.user, sizeof call.user, "u%zu", r);
            snprintf(call.peer, sizeof call.peer, "127.0.0.1:1");
            sh_error err = {0};
            sh_status st = sh_auth_authorize(&call, NULL, route, name, &err);
            bool allowed = roles[r] >= expected[i].role;
            if (allowed != (st == SH_OK))
                fail_msg("%s as %s: got %s", name, sh_role_name(roles[r]), sh_strerror(st));
            if (!allowed) {
                refused[r]++;
                assert_int_equal(st, SH_ERR_PERMISSION);
                assert_non_null(strstr(err.message, sh_role_name(expected[i].role)));
            }
        }
    }
    /* Sanity on the shape: nobody-signed-in gets nothing, admin everything. */
    assert_int_equal(refused[0], (int)N_EXPECTED);
    assert_true(refused[1] > refused[2]);
    assert_true(refused[2] > 0);
    assert_int_equal(refused[3], 0);

    sh_error err = {0};
    assert_int_equal(sh_auth_require(R, A, "plan apply", &err), SH_ERR_PERMISSION);
    assert_string_equal(err.message, "plan apply needs the admin role; you are reviewer");
    /* A route nobody classified is admin-only. */
    assert_int_equal(sh_auth_require(R, SH_ROLE_UNSET, "x", &err), SH_ERR_PERMISSION);
    assert_int_equal(sh_auth_require(A, SH_ROLE_UNSET, "x", NULL), SH_OK);
}

/* ---------------------------------------------------------------- DB fixture */

struct fixture {
    char dir[512];
    char path[600];
    sh_db_env *env;
    sh_rpc_worker w;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    const char *base = getenv("STASHHOG_TEST_SCRATCH");
    if (!base)
        base = "/tmp";
    assert_int_equal(sh_mkdir_p(base, 0700, NULL), SH_OK);
    snprintf(f->dir, sizeof f->dir, "%s/roles-XXXXXX", base);
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/test.db", f->dir);
    sh_error err = {0};
    assert_int_equal(sh_db_env_create(f->path, &f->env, &err), SH_OK);
    assert_int_equal(sh_db_open(f->env, false, &f->w.rw, &err), SH_OK);
    assert_int_equal(sh_db_open(f->env, true, &f->w.ro, &err), SH_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    sh_db_close(f->w.ro);
    sh_db_close(f->w.rw);
    sh_db_env_destroy(f->env);
    char p[700];
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, suffixes[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static void exec_sql(struct fixture *f, const char *sql)
{
    sh_error err = {0};
    if (sh_db_exec(f->w.rw, sql, &err) != SH_OK)
        fail_msg("%s: %s", sql, err.message);
}

static sh_status try_as(struct fixture *f, sh_role role, sh_request *req, sh_error *err)
{
    const char *name = NULL;
    sh_role route = sh_rpc_route_role((int)req->body_case, &name);
    sh_rpc_call call = {.request = req, .role = (int)role, .worker = &f->w};
    sh_strlcpy(call.user, "tester", sizeof call.user);
    return sh_auth_authorize(&call, f->w.ro, route, name, err);
}

static void test_target_raises_role(void **state)
{
    struct fixture *f = *state;
    exec_sql(f, "INSERT INTO jobs (id, type, status, created_at, updated_at) VALUES "
                "(1, 'analyze', 'running', 0, 0), (2, 'sync_full', 'failed', 0, 0),"
                "(3, 'apply_plan', 'running', 0, 0), (4, 'rollback_plan', 'failed', 0, 0),"
                "(5, 'something_new', 'queued', 0, 0)");
    exec_sql(f, "INSERT INTO plans (id, name, status, created_at, updated_at) VALUES "
                "(1, 'd', 'draft', 0, 0), (2, 'r', 'reviewing', 0, 0), (3, 'a', 'applied', 0, 0),"
                "(4, 'x', 'rolled_back', 0, 0)");
    static const struct {
        int64_t id;
        bool reviewer_ok;
    } jobs[] = {{1, true}, {2, true}, {3, false}, {4, false}, {5, false}, {999, true}};
    for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; i++) {
        Stashhog__JobCancelRequest c = STASHHOG__JOB_CANCEL_REQUEST__INIT;
        Stashhog__JobRetryRequest r = STASHHOG__JOB_RETRY_REQUEST__INIT;
        c.id = r.id = jobs[i].id;
        sh_request cancel = STASHHOG__REQUEST__INIT, retry = STASHHOG__REQUEST__INIT;
        cancel.body_case = STASHHOG__REQUEST__BODY_JOB_CANCEL;
        cancel.job_cancel = &c;
        retry.body_case = STASHHOG__REQUEST__BODY_JOB_RETRY;
        retry.job_retry = &r;
        sh_error err = {0};
        sh_status want = jobs[i].reviewer_ok ? SH_OK : SH_ERR_PERMISSION;
        assert_int_equal(try_as(f, R, &cancel, &err), want);
        assert_int_equal(try_as(f, R, &retry, &err), want);
        assert_int_equal(try_as(f, V, &cancel, &err), SH_ERR_PERMISSION);
        assert_int_equal(try_as(f, A, &cancel, &err), SH_OK);
        assert_int_equal(try_as(f, A, &retry, &err), SH_OK);
    }
    static const struct {
        int64_t id;
        bool reviewer_ok;
    } plans[] = {{1, true}, {2, true}, {3, false}, {4, false}, {999, true}};
    for (size_t i = 0; i < sizeof plans / sizeof plans[0]; i++) {
        Stashhog__PlanDeleteRequest d = STASHHOG__PLAN_DELETE_REQUEST__INIT;
        Stashhog__PlanReviewRequest rv = STASHHOG__PLAN_REVIEW_REQUEST__INIT;
        Stashhog__PlanEditRequest e = STASHHOG__PLAN_EDIT_REQUEST__INIT;
        d.plan_id = rv.plan_id = e.plan_id = plans[i].id;
        sh_request del = STASHHOG__REQUEST__INIT, rev = STASHHOG__REQUEST__INIT, ed = STASHHOG__REQUEST__INIT;
        del.body_case = STASHHOG__REQUEST__BODY_PLAN_DELETE;
        del.plan_delete = &d;
        rev.body_case = STASHHOG__REQUEST__BODY_PLAN_REVIEW;
        rev.plan_review = &rv;
        ed.body_case = STASHHOG__REQUEST__BODY_PLAN_EDIT;
        ed.plan_edit = &e;
        sh_error err = {0};
        sh_status want = plans[i].reviewer_ok ? SH_OK : SH_ERR_PERMISSION;
        assert_int_equal(try_as(f, R, &del, &err), want);
        assert_int_equal(try_as(f, R, &rev, &err), want);
        assert_int_equal(try_as(f, R, &ed, &err), want);
        if (want != SH_OK)
            assert_string_equal(err.message, "plan edit needs the admin role; you are reviewer");
        assert_int_equal(try_as(f, V, &rev, &err), SH_ERR_PERMISSION);
        assert_int_equal(try_as(f, A, &del, &err), SH_OK);
    }
}

/* ---------------------------------------------------------------- the auth hook */

static sh_status authenticate(struct fixture *f, sh_services *svc, sh_rpc_transport t, const char *peer,
                              const char *token, sh_rpc_call *call, sh_error *err)
{
    static sh_request req;
    sh_request init = STASHHOG__REQUEST__INIT;
    req = init;
    req.body_case = STASHHOG__REQUEST__BODY_PING;
    req.auth_token = (char *)token;
    memset(call, 0, sizeof *call);
    call->request = &req;
    call->transport = t;
    call->worker = &f->w;
    sh_strlcpy(call->peer, peer, sizeof call->peer);
    return sh_rpc_authenticate(call, svc, err);
}

static void test_auth_hook_identities(void **state)
{
    struct fixture *f = *state;
    sh_error err = {0};
    char owner_tok[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    sh_services svc = {.token = owner_tok};
    assert_int_equal(sh_auth_limiter_create(NULL, &svc.auth_limiter, &err), SH_OK);
    char tok_v[SH_TOKEN_LEN + 1], tok_r[SH_TOKEN_LEN + 1], tok_new[SH_TOKEN_LEN + 1];
    sh_user u;
    assert_int_equal(sh_users_create(f->w.rw, "vera", SH_ROLE_VIEWER, tok_v, &u, &err), SH_OK);
    assert_int_equal(sh_users_create(f->w.rw, "rex", SH_ROLE_REVIEWER, tok_r, &u, &err), SH_OK);

    sh_rpc_call call;
    /* Local sockets: the owner, admin, no token needed. */
    assert_int_equal(authenticate(f, &svc, SH_RPC_TRANSPORT_IPC, "ipc", NULL, &call, &err), SH_OK);
    assert_string_equal(call.user, "owner");
    assert_int_equal(call.role, SH_ROLE_ADMIN);
    /* tcp: owner token, user tokens. */
    assert_int_equal(authenticate(f, &svc, SH_RPC_TRANSPORT_TCP, "10.0.0.1:5", owner_tok, &call, &err), SH_OK);
    assert_string_equal(call.user, "owner");
    assert_int_equal(call.role, SH_ROLE_ADMIN);
    assert_int_equal(authenticate(f, &svc, SH_RPC_TRANSPORT_TCP, "10.0.0.1:5", tok_v, &call, &err), SH_OK);
    assert_string_equal(call.user, "vera");
    assert_int_equal(call.role, SH_ROLE_VIEWER);
    assert_int_equal(authenticate(f, &svc, SH_RPC_TRANSPORT_TCP, "10.0.0.1:6", tok_r, &call, &err), SH_OK);
    assert_string_equal(call.user, "rex");
    assert_int_equal(call.role, SH_ROLE_REVIEWER);
    /* The successful request was recorded as seen. */
    assert_int_equal(sh_users_get(f->w.ro, "rex", &u, &err), SH_OK);
    assert_true(u.last_seen_at_ms > 0);
    /* No token / wrong token over tcp. */
    assert_int_equal(authenticate(f, &svc, SH_RPC_TRANSPORT_TCP, "10.0.0.2:5", NULL, &call, &err),
                     SH_ERR_UNAUTHENTICATED);
    assert_int_equal(call.role, SH_ROLE_UNSET);
    /* Rotation kills the old token at once. */
    assert_int_equal(sh_users_rotate(f->w.rw, "rex", tok_new, &u, &err), SH_OK);
    assert_int_equal(authenticate(f, &svc, SH_RPC_TRANSPORT_TCP, "10.0.0.3:5", tok_r, &call, &err),
                     SH_ERR_UNAUTHENTICATED);
    assert_int_equal(authenticate(f, &svc, SH_RPC_TRANSPORT_TCP, "10.0.0.3:5", tok_new, &call, &err), SH_OK);
    assert_string_equal(call.user, "rex");

    /* Failures are rate-limited per peer: after five, even a valid user
     * token is refused from that address; another address is unaffected. */
    for (int i = 0; i < 5; i++)
        assert_int_equal(authenticate(f, &svc, SH_RPC_TRANSPORT_TCP, "10.0.0.9:7", "guess", &call, &err),
                         SH_ERR_UNAUTHENTICATED);
    assert_int_equal(authenticate(f, &svc, SH_RPC_TRANSPORT_TCP, "10.0.0.9:8", tok_v, &call, &err),
                     SH_ERR_RATE_LIMITED);
    assert_int_equal(authenticate(f, &svc, SH_RPC_TRANSPORT_TCP, "10.0.0.9:8", owner_tok, &call, &err),
                     SH_ERR_RATE_LIMITED);
    assert_int_equal(authenticate(f, &svc, SH_RPC_TRANSPORT_TCP, "10.0.0.10:8", tok_v, &call, &err), SH_OK);
    sh_auth_limiter_destroy(svc.auth_limiter);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_route_table_matches_policy),
        cmocka_unit_test(test_every_request_type_classified),
        cmocka_unit_test(test_each_role_refused_what_it_may_not),
        cmocka_unit_test_setup_teardown(test_target_raises_role, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth_hook_identities, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
