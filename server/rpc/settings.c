/* settings.c - SettingsGet, SettingsSet, TestConnection.  Secret values
 * leave the daemon only masked. */
#include <string.h>

#include "rpc/handlers.h"
#include "secrets/secretbox.h"
#include "settings/settings.h"
#include "sh-log.h"
#include "sh-util.h"
#include "stash/stash-client.h"

static sh_status describe(sh_arena *a, sh_db *db, sh_services *svc, const sh_setting_def *d,
                          Stashhog__Setting **out, sh_error *err)
{
    Stashhog__Setting *s = SH_ARENA_NEW(a, Stashhog__Setting);
    if (!s)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__setting__init(s);
    char *value = NULL;
    sh_setting_source src = SH_SETTING_UNSET;
    sh_status st = sh_settings_get(db, svc, d->key, &value, &src, err);
    if (st != SH_OK)
        return st;
    s->key = (char *)d->key;
    s->description = (char *)d->description;
    s->has_secret = s->has_is_set = 1;
    s->secret = sh_setting_is_secret(d);
    s->is_set = src == SH_SETTING_FROM_DB || src == SH_SETTING_FROM_FILE || src == SH_SETTING_FROM_CONFIG;
    if (value) {
        char masked[64];
        s->value = sh_arena_strdup(a, s->secret ? sh_settings_mask(value, masked, sizeof masked) : value);
    }
    sh_secrets_free_plain(value);
    if (value && !s->value)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    *out = s;
    return SH_OK;
}

static sh_status reply_settings(sh_rpc_call *call, sh_db *db, sh_services *svc, char **keys, size_t n_keys,
                                sh_error *err)
{
    sh_arena *a = call->arena;
    size_t n = n_keys ? n_keys : sh_settings_count();
    Stashhog__SettingsReply *r = SH_ARENA_NEW(a, Stashhog__SettingsReply);
    Stashhog__Setting **list = (Stashhog__Setting **)sh_arena_ptrs(a, n ? n : 1);
    if (!r || !list)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__settings_reply__init(r);
    for (size_t i = 0; i < n; i++) {
        const char *key = n_keys && keys ? keys[i] : NULL;
        const sh_setting_def *d = n_keys ? sh_settings_find(key) : sh_settings_at(i);
        if (!d)
            return sh_error_set(err, SH_ERR_INVALID, "%s: unknown setting", key ? key : "(null)");
        sh_status st = describe(a, db, svc, d, &list[i], err);
        if (st != SH_OK)
            return st;
    }
    r->n_settings = n;
    r->settings = list;
    call->reply->body_case = STASHHOG__REPLY__BODY_SETTINGS;
    call->reply->settings = r;
    return SH_OK;
}

sh_status sh_rpc_settings_get(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    const Stashhog__SettingsGetRequest *req = call->request->settings_get;
    return reply_settings(call, w->ro, svc, req ? req->keys : NULL, req ? req->n_keys : 0, err);
}

sh_status sh_rpc_settings_set(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    const Stashhog__SettingsSetRequest *req = call->request->settings_set;
    if (!req || req->n_settings == 0)
        return sh_error_set(err, SH_ERR_INVALID, "no settings given");
    size_t n = req->n_settings;
    const char **keys = (const char **)sh_arena_ptrs(call->arena, n);
    const char **values = (const char **)sh_arena_ptrs(call->arena, n);
    char **reply_keys = (char **)sh_arena_ptrs(call->arena, n);
    if (!keys || !values || !reply_keys)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    for (size_t i = 0; i < n; i++) {
        keys[i] = req->settings[i]->key;
        values[i] = req->settings[i]->value; /* NULL or "": back to the default */
        reply_keys[i] = req->settings[i]->key;
    }
    sh_status st = sh_settings_set_many(w->rw, svc, keys, values, n, err);
    if (st != SH_OK)
        return st;
    return reply_settings(call, w->rw, svc, reply_keys, n, err);
}

static sh_status test_stash(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    sh_arena *a = call->arena;
    Stashhog__TestConnectionReply *r = SH_ARENA_NEW(a, Stashhog__TestConnectionReply);
    if (!r)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__test_connection_reply__init(r);
    sh_settings_stash ss;
    sh_status st = sh_settings_stash_config(w->ro, svc, &ss, err);
    if (st != SH_OK)
        return st;
    /* An interactive check: fail fast rather than retry for minutes. */
    ss.cfg.max_retries = 0;
    if (ss.cfg.timeout_ms > 15000)
        ss.cfg.timeout_ms = 15000;
    if (ss.cfg.connect_timeout_ms > 5000)
        ss.cfg.connect_timeout_ms = 5000;
    sh_stash_client *client = NULL;
    sh_stash_probe p;
    sh_error perr = {0};
    memset(&p, 0, sizeof p);
    if ((st = sh_stash_client_create(&ss.cfg, &client, err)) != SH_OK) {
        sh_settings_stash_fini(&ss);
        return st;
    }
    sh_status pst = sh_stash_test_connection(client, &p, &perr);
    sh_stash_client_destroy(client);
    r->reachable = p.reachable;
    r->authenticated = p.authenticated;
    if (p.version[0])
        r->server_version = sh_arena_strdup(a, p.version);
    if (p.system_status[0])
        r->system_status = sh_arena_strdup(a, p.system_status);
#define COUNT(f)                     \
    if (p.f >= 0) {                  \
        r->has_##f = 1;              \
        r->f = p.f;                  \
    }
    COUNT(scene_count)
    COUNT(performer_count)
    COUNT(studio_count)
    COUNT(tag_count)
    COUNT(latency_ms)
#undef COUNT
    if (pst == SH_OK)
        r->message = sh_arena_printf(a, "connected to Stash %s at %s", p.version[0] ? p.version : "(unknown version)",
                                     ss.cfg.url);
    else
        r->message = sh_arena_printf(a, "%s: %s", ss.cfg.url, sh_error_message(&perr));
    sh_info("settings", "Stash connection test: %s", r->message);
    sh_settings_stash_fini(&ss);
    call->reply->body_case = STASHHOG__REPLY__BODY_TEST_CONNECTION;
    call->reply->test_connection = r;
    return SH_OK;
}

/* GET {base_url}/models: reachability, auth and whether the model exists, at no token cost. */
static sh_status test_llm(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    sh_arena *a = call->arena;
    sh_settings_llm sl;
    sh_status st = sh_settings_llm_config(w->rw, svc, &sl, err);
    if (st != SH_OK)
        return st;
    Stashhog__TestConnectionReply *r = SH_ARENA_NEW(a, Stashhog__TestConnectionReply);
    if (!r) {
        sh_settings_llm_fini(&sl);
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    stashhog__test_connection_reply__init(r);
    sh_llm_client *client = NULL;
    sh_llm_probe p = {0};
    sh_error perr = {0};
    sh_status pst = sh_llm_client_create(&sl.cfg, &client, &perr);
    if (pst == SH_OK)
        pst = sh_llm_test_connection(client, &p, &perr);
    sh_llm_client_destroy(client);
    r->reachable = p.reachable;
    r->authenticated = p.authenticated;
    r->model = sh_arena_strdup(a, sl.model_);
    if (p.latency_ms >= 0) {
        r->has_latency_ms = 1;
        r->latency_ms = p.latency_ms;
    }
    if (pst == SH_OK)
        r->message = sh_arena_printf(a, "connected to %s; model %s is available (%zu models offered)", sl.base_url_,
                                     sl.model_, p.n_models);
    else
        r->message = sh_arena_printf(a, "%s: %s", sl.base_url_, sh_error_message(&perr));
    sh_info("settings", "LLM connection test: %s", r->message);
    sh_settings_llm_fini(&sl);
    call->reply->body_case = STASHHOG__REPLY__BODY_TEST_CONNECTION;
    call->reply->test_connection = r;
    return SH_OK;
}

sh_status sh_rpc_test_connection(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    const Stashhog__TestConnectionRequest *req = call->request->test_connection;
    if (req && req->has_target && req->target == STASHHOG__CONNECTION_TARGET__CONNECTION_TARGET_LLM)
        return test_llm(call, svc, w, err);
    return test_stash(call, svc, w, err);
}
