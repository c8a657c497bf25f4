#include "rpc/rpc.h"

#include <stdlib.h>

#include "rpc/handlers.h"
#include "secrets/token.h"
#include "sh-log.h"

#define LOG "rpc"

/* One row per request type.  A request type without a row gets UNSUPPORTED. */
static const struct route {
    Stashhog__Request__BodyCase body;
    const char *name;
    sh_rpc_request_fn fn;
} routes[] = {
    {STASHHOG__REQUEST__BODY_PING, "ping", sh_rpc_ping},
    {STASHHOG__REQUEST__BODY_STATUS, "status", sh_rpc_status},
};

sh_status sh_rpc_dispatch(sh_rpc_call *call, void *services, sh_error *err)
{
    sh_services *svc = services;
    Stashhog__Request__BodyCase body = call->request->body_case;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (routes[i].body != body)
            continue;
        int64_t t0 = sh_monotonic_us();
        sh_status st = routes[i].fn(call, svc, call->worker, err);
        sh_debug(LOG, "%s from %s: %s in %lld us", routes[i].name, call->peer, sh_strerror(st),
                 (long long)(sh_monotonic_us() - t0));
        return st;
    }
    return sh_error_set(err, SH_ERR_UNSUPPORTED, "request type %d is not supported by this daemon",
                        (int)body);
}

sh_status sh_rpc_authenticate(const sh_rpc_call *call, void *services, sh_error *err)
{
    sh_services *svc = services;
    /* Local sockets are protected by file mode (0600): the peer is the owner. */
    if (call->transport == SH_RPC_TRANSPORT_IPC || call->transport == SH_RPC_TRANSPORT_INPROC)
        return SH_OK;
    if (svc->token && sh_token_equal(svc->token, call->request->auth_token))
        return SH_OK;
    sh_warn("auth", "refused request from %s: %s token", call->peer,
            sh_str_empty(call->request->auth_token) ? "missing" : "wrong");
    return sh_error_set(err, SH_ERR_UNAUTHENTICATED,
                        "authentication required: pass the daemon's token (stashhogd --show-token)");
}

void *sh_rpc_worker_init(void *services, int index)
{
    sh_services *svc = services;
    sh_rpc_worker *w = calloc(1, sizeof *w);
    sh_error err = {0};
    if (!w)
        return NULL;
    if (sh_db_open(svc->db, true, &w->ro, &err) != SH_OK || sh_db_open(svc->db, false, &w->rw, &err) != SH_OK) {
        sh_error(LOG, "rpc worker %d: %s", index, sh_error_message(&err));
        sh_rpc_worker_fini(w, services);
        return NULL;
    }
    return w;
}

void sh_rpc_worker_fini(void *worker, void *services)
{
    (void)services;
    sh_rpc_worker *w = worker;
    if (!w)
        return;
    sh_db_close(w->ro);
    sh_db_close(w->rw);
    free(w);
}
