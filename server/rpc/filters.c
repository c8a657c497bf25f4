/* Saved filters: list, save, get, delete.  Reads use the worker's read-only
 * connection inside a read transaction; writes go through saved-filters.c on
 * the read-write one (it takes the write transaction).  Using a saved filter
 * needs no handler: SceneFilter.saved is resolved by the scene query
 * compiler wherever a filter runs. */
#include "db/saved-filters.h"
#include "rpc/handlers.h"
#include "sh-util.h"

sh_status sh_rpc_filter_list(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)svc;
    Stashhog__FilterListReply *r = SH_ARENA_NEW(call->arena, Stashhog__FilterListReply);
    if (!r)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__filter_list_reply__init(r);
    sh_status st = sh_db_read_begin(w->ro, err);
    if (st != SH_OK)
        return st;
    st = sh_saved_filter_list(w->ro, call->arena, &r->filters, &r->n_filters, err);
    st = sh_db_finish(w->ro, st, err);
    if (st != SH_OK)
        return st;
    call->reply->body_case = STASHHOG__REPLY__BODY_FILTER_LIST;
    call->reply->filter_list = r;
    return SH_OK;
}

sh_status sh_rpc_filter_get(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)svc;
    const Stashhog__FilterGetRequest *req = call->request->filter_get;
    if (!req || !req->name)
        return sh_error_set(err, SH_ERR_INVALID, "filter_get: a name is required");
    Stashhog__SavedFilter *sf = NULL;
    sh_status st = sh_db_read_begin(w->ro, err);
    if (st != SH_OK)
        return st;
    st = sh_saved_filter_get(w->ro, call->arena, req->name, &sf, err);
    st = sh_db_finish(w->ro, st, err);
    if (st != SH_OK)
        return st;
    call->reply->body_case = STASHHOG__REPLY__BODY_SAVED_FILTER;
    call->reply->saved_filter = sf;
    return SH_OK;
}

sh_status sh_rpc_filter_save(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)svc;
    const Stashhog__FilterSaveRequest *req = call->request->filter_save;
    if (!req || !req->filter)
        return sh_error_set(err, SH_ERR_INVALID, "filter_save: a filter is required");
    sh_status st = sh_saved_filter_save(w->rw, req->filter, req->has_replace && req->replace, err);
    if (st != SH_OK)
        return st;
    /* Reply with the stored form (timestamps included). */
    Stashhog__SavedFilter *sf = NULL;
    if ((st = sh_saved_filter_get(w->rw, call->arena, req->filter->name, &sf, err)) != SH_OK)
        return st;
    call->reply->body_case = STASHHOG__REPLY__BODY_SAVED_FILTER;
    call->reply->saved_filter = sf;
    return SH_OK;
}

sh_status sh_rpc_filter_delete(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)svc;
    const Stashhog__FilterDeleteRequest *req = call->request->filter_delete;
    if (!req || !req->name)
        return sh_error_set(err, SH_ERR_INVALID, "filter_delete: a name is required");
    sh_status st = sh_saved_filter_delete(w->rw, req->name, err);
    return st == SH_OK ? sh_rpc_reply_empty(call, err) : st;
}
