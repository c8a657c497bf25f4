/* import.c - PlanImport and SceneImport handlers: the daemon parses the
 * uploaded file (so a remote daemon works) on the worker's read-write
 * connection.  Both need the admin role (dispatch.c). */
#include <string.h>

#include "db/scene-import.h"
#include "plans/plan-import.h"
#include "plans/plans.h"
#include "rpc/handlers.h"
#include "sh-log.h"

#define LOG "rpc"

static sh_import_format format_of(protobuf_c_boolean has, Stashhog__ExportFormat f)
{
    if (!has)
        return SH_IMPORT_DETECT;
    return f == STASHHOG__EXPORT_FORMAT__EXPORT_CSV ? SH_IMPORT_CSV : SH_IMPORT_JSON;
}

static sh_status check_content(const ProtobufCBinaryData *c, sh_error *err)
{
    if (!c->data || c->len == 0)
        return sh_error_set(err, SH_ERR_INVALID, "the file is empty");
    if (memchr(c->data, '\0', c->len))
        return sh_error_set(err, SH_ERR_INVALID, "the file holds a NUL byte (not a JSON or CSV export)");
    return SH_OK;
}

sh_status sh_rpc_plan_import(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    const Stashhog__PlanImportRequest *req = call->request->plan_import;
    if (!req)
        return sh_error_set(err, SH_ERR_INVALID, "content missing");
    sh_status st = check_content(&req->content, err);
    if (st != SH_OK)
        return st;
    sh_plan_import_opts opts = {.name = req->name,
                                .format = format_of(req->has_format, req->format),
                                .skip_missing = req->has_skip_missing && req->skip_missing};
    int64_t plan_id = 0, skipped = 0;
    st = sh_plan_import(w->rw, svc, (const char *)req->content.data, req->content.len, &opts, &plan_id, &skipped,
                        err);
    if (st != SH_OK)
        return st;
    sh_info(LOG, "plan %lld imported by %s (%lld changes skipped)", (long long)plan_id, call->peer,
            (long long)skipped);
    Stashhog__PlanSummary *summary = NULL;
    if ((st = sh_plan_summary(w->rw, call->arena, plan_id, &summary, err)) != SH_OK)
        return st;
    call->reply->body_case = STASHHOG__REPLY__BODY_PLAN_SUMMARY;
    call->reply->plan_summary = summary;
    return SH_OK;
}

sh_status sh_rpc_scene_import(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)svc;
    const Stashhog__SceneImportRequest *req = call->request->scene_import;
    if (!req)
        return sh_error_set(err, SH_ERR_INVALID, "content missing");
    sh_status st = check_content(&req->content, err);
    if (st != SH_OK)
        return st;
    sh_scene_import_result res;
    st = sh_scene_import(w->rw, (const char *)req->content.data, req->content.len,
                         format_of(req->has_format, req->format), &res, err);
    Stashhog__SceneImportReply *r = st == SH_OK ? SH_ARENA_NEW(call->arena, Stashhog__SceneImportReply) : NULL;
    if (st == SH_OK && !r)
        st = sh_error_set(err, SH_ERR_NOMEM, NULL);
    if (st == SH_OK && r) {
        stashhog__scene_import_reply__init(r);
        r->scenes = res.scenes;
        r->has_entities_created = 1;
        r->entities_created = res.entities_created;
        size_t n = json_array_size(res.warnings);
        r->warnings = n ? sh_arena_alloc(call->arena, n * sizeof *r->warnings) : NULL;
        for (size_t i = 0; r->warnings && i < n; i++) {
            if ((r->warnings[i] = sh_arena_strdup(call->arena, json_string_value(json_array_get(res.warnings, i)))))
                r->n_warnings++;
        }
        sh_info(LOG, "%lld scenes imported by %s (%lld entities created)", (long long)res.scenes, call->peer,
                (long long)res.entities_created);
        call->reply->body_case = STASHHOG__REPLY__BODY_SCENE_IMPORT;
        call->reply->scene_import = r;
    }
    sh_scene_import_result_fini(&res);
    return st;
}
