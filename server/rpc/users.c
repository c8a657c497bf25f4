/* users.c - user management requests (admin only, see rpc/auth.h): list,
 * create, delete, rotate and set-role.  Create and rotate return the new
 * token this once; only its hash is stored (users/users.h). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rpc/handlers.h"
#include "sh-log.h"
#include "sh-util.h"
#include "users/users.h"

static Stashhog__User *user_pb(sh_arena *a, const sh_user *u)
{
    Stashhog__User *r = SH_ARENA_NEW(a, Stashhog__User);
    if (!r)
        return NULL;
    stashhog__user__init(r);
    r->name = sh_arena_strdup(a, u->name);
    if (!r->name)
        return NULL;
    r->role = (Stashhog__Role)u->role;
    r->created_at_ms = u->created_at_ms;
    r->has_last_seen_at_ms = u->last_seen_at_ms != 0;
    r->last_seen_at_ms = u->last_seen_at_ms;
    return r;
}

/* "owner" is the daemon's token file, not a row: say how to manage it. */
static sh_status not_owner(const char *name, sh_error *err)
{
    if (name && strcasecmp(name, SH_USER_OWNER) == 0)
        return sh_error_set(err, SH_ERR_INVALID,
                            "'owner' is the daemon's own token: show it with stashhogd --show-token, "
                            "replace it with stashhogd --rotate-token; it is always admin");
    return SH_OK;
}

static sh_status reply_user(sh_rpc_call *call, const sh_user *u, sh_error *err)
{
    Stashhog__User *r = user_pb(call->arena, u);
    if (!r)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    call->reply->body_case = STASHHOG__REPLY__BODY_USER;
    call->reply->user = r;
    return SH_OK;
}

static sh_status reply_token(sh_rpc_call *call, const sh_user *u, char *token, sh_error *err)
{
    Stashhog__UserToken *r = SH_ARENA_NEW(call->arena, Stashhog__UserToken);
    if (r) {
        stashhog__user_token__init(r);
        r->user = user_pb(call->arena, u);
        r->token = sh_arena_strdup(call->arena, token);
    }
    sodium_memzero(token, SH_TOKEN_LEN + 1);
    if (!r || !r->user || !r->token)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    call->reply->body_case = STASHHOG__REPLY__BODY_USER_TOKEN;
    call->reply->user_token = r;
    return SH_OK;
}

sh_status sh_rpc_user_list(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)svc;
    sh_user *users = NULL;
    size_t n = 0;
    sh_status st = sh_users_list(w->ro, &users, &n, err);
    if (st != SH_OK)
        return st;
    Stashhog__UserListReply *r = SH_ARENA_NEW(call->arena, Stashhog__UserListReply);
    Stashhog__User **items = n ? (Stashhog__User **)sh_arena_ptrs(call->arena, n) : NULL;
    if (!r || (n && !items)) {
        st = sh_error_set(err, SH_ERR_NOMEM, NULL);
        goto out;
    }
    stashhog__user_list_reply__init(r);
    for (size_t i = 0; i < n; i++) {
        if (!(items[i] = user_pb(call->arena, &users[i]))) {
            st = sh_error_set(err, SH_ERR_NOMEM, NULL);
            goto out;
        }
    }
    r->n_users = n;
    r->users = items;
    call->reply->body_case = STASHHOG__REPLY__BODY_USER_LIST;
    call->reply->user_list = r;
out:
    free(users);
    return st;
}

sh_status sh_rpc_user_create(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)svc;
    const Stashhog__UserCreateRequest *req = call->request->user_create;
    if (!req)
        return sh_error_set(err, SH_ERR_INVALID, "user create: missing request");
    char token[SH_TOKEN_LEN + 1];
    sh_user u;
    sh_status st = sh_users_create(w->rw, req->name, (sh_role)req->role, token, &u, err);
    if (st != SH_OK)
        return st;
    sh_info("users", "%s added user %s", call->user, u.name);
    return reply_token(call, &u, token, err);
}

sh_status sh_rpc_user_delete(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)svc;
    const Stashhog__UserDeleteRequest *req = call->request->user_delete;
    if (!req)
        return sh_error_set(err, SH_ERR_INVALID, "user delete: missing request");
    sh_status st = not_owner(req->name, err);
    if (st != SH_OK || (st = sh_users_delete(w->rw, req->name, err)) != SH_OK)
        return st;
    return sh_rpc_reply_empty(call, err);
}

sh_status sh_rpc_user_rotate(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)svc;
    const Stashhog__UserRotateRequest *req = call->request->user_rotate;
    if (!req)
        return sh_error_set(err, SH_ERR_INVALID, "user rotate: missing request");
    char token[SH_TOKEN_LEN + 1];
    sh_user u;
    sh_status st = not_owner(req->name, err);
    if (st != SH_OK || (st = sh_users_rotate(w->rw, req->name, token, &u, err)) != SH_OK)
        return st;
    return reply_token(call, &u, token, err);
}

sh_status sh_rpc_user_set_role(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)svc;
    const Stashhog__UserSetRoleRequest *req = call->request->user_set_role;
    if (!req)
        return sh_error_set(err, SH_ERR_INVALID, "user set-role: missing request");
    sh_user u;
    sh_status st = not_owner(req->name, err);
    if (st != SH_OK || (st = sh_users_set_role(w->rw, req->name, (sh_role)req->role, &u, err)) != SH_OK)
        return st;
    return reply_user(call, &u, err);
}
