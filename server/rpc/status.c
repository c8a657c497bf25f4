#include <string.h>

#include "rpc/handlers.h"
#include "sh-pubsub.h"
#include "sh-util.h"

sh_status sh_rpc_ping(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)svc;
    (void)w;
    Stashhog__PingReply *r = SH_ARENA_NEW(call->arena, Stashhog__PingReply);
    if (!r)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__ping_reply__init(r);
    const Stashhog__PingRequest *req = call->request->ping;
    if (req && req->has_payload) {
        r->has_payload = 1;
        r->payload = req->payload; /* borrowed from the request, which outlives packing */
    }
    r->server_time_ms = sh_now_ms();
    call->reply->body_case = STASHHOG__REPLY__BODY_PING;
    call->reply->ping = r;
    return SH_OK;
}

static int64_t count_of(sh_db *db, const char *sql)
{
    int64_t n = 0;
    return sh_db_query_int64(db, sql, &n, NULL) == SH_OK ? n : -1;
}

sh_status sh_rpc_status(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    sh_arena *a = call->arena;
    Stashhog__StatusReply *r = SH_ARENA_NEW(a, Stashhog__StatusReply);
    if (!r)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__status_reply__init(r);
    r->version = STASHHOG_VERSION;
    r->protocol_version = SH_PROTOCOL_VERSION;
    r->uptime_s = (sh_now_ms() - svc->started_ms) / 1000;
    r->db_path = (char *)sh_db_env_path(svc->db);

    sh_status st = sh_db_read_begin(w->ro, err);
    if (st != SH_OK)
        return st;
    r->scene_count = count_of(w->ro, "SELECT count(*) FROM scenes");
    r->has_performer_count = r->has_studio_count = r->has_tag_count = 1;
    r->performer_count = count_of(w->ro, "SELECT count(*) FROM performers");
    r->studio_count = count_of(w->ro, "SELECT count(*) FROM studios");
    r->tag_count = count_of(w->ro, "SELECT count(*) FROM tags");
    r->has_schema_version = 1;
    r->schema_version = sh_db_schema_version(w->ro);
    r->has_running_jobs = r->has_queued_jobs = 1;
    r->running_jobs = (int32_t)count_of(w->ro, "SELECT count(*) FROM jobs WHERE status = 'running'");
    r->queued_jobs = (int32_t)count_of(w->ro, "SELECT count(*) FROM jobs WHERE status = 'queued'");
    sqlite3_stmt *stmt = NULL;
    if (sh_db_prepare(w->ro,
                      "SELECT finished_at FROM sync_runs WHERE status = 'completed' "
                      "ORDER BY finished_at DESC LIMIT 1",
                      &stmt, NULL) == SH_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
        r->last_sync_at = sh_arena_printf(a, "%lld", (long long)sqlite3_column_int64(stmt, 0));
    }
    if (stmt)
        sqlite3_reset(stmt);
    sh_db_commit(w->ro, NULL);

    const char *const *urls = NULL;
    size_t n = svc->rpc ? sh_rpc_server_urls(svc->rpc, &urls) : 0;
    r->n_listen_urls = n;
    r->listen_urls = (char **)urls; /* owned by the server, which outlives the call */
    n = sh_publisher_urls(svc->events, &urls);
    r->n_event_urls = n;
    r->event_urls = (char **)urls;
    /* Network event streams are sealed under a key derived from the owner
     * token; an authenticated network caller (owner or user) gets the key,
     * never the token itself. */
    if (call->transport == SH_RPC_TRANSPORT_TCP && svc->token) {
        char *key = sh_arena_alloc(call->arena, SH_EVENTS_KEY_HEX_LEN + 1);
        if (key && sh_pubsub_events_key_hex(svc->token, key, NULL) == SH_OK)
            r->events_key = key;
    }

    /* Who is asking, so clients can hide what the role may not do (rpc/auth.h). */
    if (call->user[0]) {
        r->user = call->user; /* the call outlives packing */
        r->has_role = call->role > 0;
        r->role = (Stashhog__Role)call->role;
    }

    call->reply->body_case = STASHHOG__REPLY__BODY_STATUS_INFO;
    call->reply->status_info = r;
    return SH_OK;
}
