/* webhooks.c - webhook_list/save/delete/test/log handlers (webhooks/webhooks.h). */
#include "rpc/handlers.h"
#include "webhooks/webhooks.h"

sh_status sh_rpc_webhook_list(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    Stashhog__WebhookListReply *r = SH_ARENA_NEW(call->arena, Stashhog__WebhookListReply);
    if (!r)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__webhook_list_reply__init(r);
    sh_status st =
        sh_webhook_list(w->ro, svc->secrets, call->arena, &r->webhooks, &r->n_webhooks, err);
    if (st != SH_OK)
        return st;
    call->reply->body_case = STASHHOG__REPLY__BODY_WEBHOOK_LIST;
    call->reply->webhook_list = r;
    return st;
}

sh_status sh_rpc_webhook_save(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    const Stashhog__WebhookSaveRequest *req = call->request->webhook_save;
    if (!req->webhook)
        return sh_error_set(err, SH_ERR_INVALID, "webhook_save: no webhook");
    Stashhog__Webhook *out = NULL;
    sh_status st = sh_webhook_save(w->rw, svc->secrets, req->webhook,
                                   req->has_regenerate_secret && req->regenerate_secret,
                                   call->arena, &out, err);
    if (st != SH_OK)
        return st;
    call->reply->body_case = STASHHOG__REPLY__BODY_WEBHOOK;
    call->reply->webhook = out;
    return st;
}

sh_status sh_rpc_webhook_delete(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w,
                                sh_error *err)
{
    (void)svc;
    sh_status st = sh_webhook_delete(w->rw, call->request->webhook_delete->id, err);
    return st == SH_OK ? sh_rpc_reply_empty(call, err) : st;
}

static sh_status reply_delivery(sh_rpc_call *call, sh_rpc_worker *w, int64_t id, sh_error *err)
{
    Stashhog__WebhookDelivery **v = NULL;
    size_t n = 0;
    sh_status st = sh_webhook_log(w->rw, 0, id, 1, call->arena, &v, &n, err);
    if (st != SH_OK)
        return st;
    if (n == 0)
        return sh_error_set(err, SH_ERR_NOT_FOUND, "no delivery %lld", (long long)id);
    call->reply->body_case = STASHHOG__REPLY__BODY_WEBHOOK_DELIVERY;
    call->reply->webhook_delivery = v[0];
    return SH_OK;
}

sh_status sh_rpc_webhook_test(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    int64_t id = 0;
    sh_status st =
        sh_webhooks_test(svc->webhooks, w->rw, call->request->webhook_test->id, &id, err);
    return st == SH_OK ? reply_delivery(call, w, id, err) : st;
}

sh_status sh_rpc_webhook_log(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)svc;
    const Stashhog__WebhookLogRequest *req = call->request->webhook_log;
    Stashhog__WebhookLogReply *r = SH_ARENA_NEW(call->arena, Stashhog__WebhookLogReply);
    if (!r)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__webhook_log_reply__init(r);
    sh_status st =
        sh_webhook_log(w->ro, req->has_webhook_id ? req->webhook_id : 0,
                       req->has_delivery_id ? req->delivery_id : 0, req->has_limit ? req->limit : 0,
                       call->arena, &r->deliveries, &r->n_deliveries, err);
    if (st != SH_OK)
        return st;
    call->reply->body_case = STASHHOG__REPLY__BODY_WEBHOOK_LOG;
    call->reply->webhook_log = r;
    return st;
}
