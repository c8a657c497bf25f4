/* Browsing: SceneList, SceneGet, EntityList.  Read-only handlers on the
 * worker's read-only connection; a list's total and its page are read in one
 * read transaction so they agree even while a sync writes.  SceneList with
 * full set pages whole SceneRecords instead of summaries (export scenes). */
#include "db/scene-query.h"
#include "db/scene-read.h"
#include "db/scene-record.h"
#include "rpc/handlers.h"
#include "sh-util.h"

sh_status sh_rpc_scene_list(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)svc;
    const Stashhog__SceneListRequest *req = call->request->scene_list;
    if (!req)
        return sh_error_set(err, SH_ERR_INVALID, "scene_list: empty request");
    if (req->has_limit && req->limit < 0)
        return sh_error_set(err, SH_ERR_INVALID, "scene_list: negative limit");
    if (req->has_offset && req->offset < 0)
        return sh_error_set(err, SH_ERR_INVALID, "scene_list: negative offset");
    sh_status st = sh_scene_filter_validate(req->filter, err);
    if (st != SH_OK)
        return st;
    int64_t limit = req->has_limit ? req->limit : SH_BROWSE_DEFAULT_PAGE;
    if (limit > SH_BROWSE_MAX_PAGE)
        limit = SH_BROWSE_MAX_PAGE; /* clients page for more (reply->offset tells where this one began) */
    bool full = req->has_full && req->full;
    if (full && limit > SH_RECORD_MAX_PAGE)
        limit = SH_RECORD_MAX_PAGE; /* records carry files and urls: keep one reply a few MiB */
    int64_t offset = req->has_offset ? req->offset : 0;
    sh_scene_order order = {.sort = req->has_sort ? req->sort : STASHHOG__SCENE_SORT__SCENE_SORT_ID,
                            .descending = req->has_descending && req->descending};

    sh_arena *a = call->arena;
    Stashhog__SceneListReply *r = SH_ARENA_NEW(a, Stashhog__SceneListReply);
    void **rows = sh_arena_ptrs(a, (size_t)(limit ? limit : 1));
    if (!r || !rows)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__scene_list_reply__init(r);
    if (full)
        r->records = (Stashhog__SceneRecord **)rows;
    else
        r->scenes = (Stashhog__SceneSummary **)rows;
    r->has_offset = 1;
    r->offset = offset;

    sh_scene_cursor *cur = NULL;
    int64_t *ids = sh_arena_alloc(a, (size_t)(limit ? limit : 1) * sizeof *ids);
    size_t n = 0;
    int rc = 0;
    if (!ids)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    if ((st = sh_db_read_begin(w->ro, err)) != SH_OK)
        return st;
    if ((st = sh_scene_cursor_open(w->ro, req->filter, &order, offset, limit, &cur, err)) != SH_OK)
        goto out;
    /* Collect the page's ids first so the cursor's statement is finished
     * before the row readers run their own statements. */
    while (n < (size_t)limit && (rc = sh_scene_cursor_next(cur, &ids[n], err)) == 1)
        n++;
    sh_scene_cursor_close(cur);
    cur = NULL;
    if (rc < 0) {
        st = err ? err->code : SH_ERR_DB;
        goto out;
    }
    if (req->has_with_total && req->with_total) {
        /* A short page that starts inside the result ends it: the total is
         * known without counting (the same snapshot). */
        r->has_total = 1;
        if (n < (size_t)limit && (n > 0 || offset == 0))
            r->total = offset + (int64_t)n;
        else if ((st = sh_scene_query_count(w->ro, req->filter, &r->total, err)) != SH_OK)
            goto out;
    }
    for (size_t i = 0; i < n; i++) {
        st = full ? sh_scene_record_read(w->ro, a, ids[i], (Stashhog__SceneRecord **)&rows[i], err)
                  : sh_scene_read_summary(w->ro, a, ids[i], (Stashhog__SceneSummary **)&rows[i], err);
        if (st != SH_OK)
            goto out;
    }
    if (full)
        r->n_records = n;
    else
        r->n_scenes = n;
out:
    sh_scene_cursor_close(cur);
    st = sh_db_finish(w->ro, st, err);
    if (st != SH_OK)
        return st;
    call->reply->body_case = STASHHOG__REPLY__BODY_SCENE_LIST;
    call->reply->scene_list = r;
    return SH_OK;
}

sh_status sh_rpc_scene_get(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)svc;
    const Stashhog__SceneGetRequest *req = call->request->scene_get;
    if (!req || req->id <= 0)
        return sh_error_set(err, SH_ERR_INVALID, "scene_get: a positive scene id is required");
    Stashhog__SceneDetail *d = NULL;
    sh_status st = sh_db_read_begin(w->ro, err);
    if (st != SH_OK)
        return st;
    st = sh_scene_read_detail(w->ro, call->arena, req->id, &d, err);
    st = sh_db_finish(w->ro, st, err);
    if (st != SH_OK)
        return st;
    call->reply->body_case = STASHHOG__REPLY__BODY_SCENE;
    call->reply->scene = d;
    return SH_OK;
}

sh_status sh_rpc_entity_list(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)svc;
    const Stashhog__EntityListRequest *req = call->request->entity_list;
    if (!req)
        return sh_error_set(err, SH_ERR_INVALID, "entity_list: empty request");
    Stashhog__EntityListReply *r = NULL;
    sh_status st = sh_db_read_begin(w->ro, err);
    if (st != SH_OK)
        return st;
    st = sh_entity_read_list(w->ro, call->arena, req, &r, err);
    st = sh_db_finish(w->ro, st, err);
    if (st != SH_OK)
        return st;
    call->reply->body_case = STASHHOG__REPLY__BODY_ENTITY_LIST;
    call->reply->entity_list = r;
    return SH_OK;
}
