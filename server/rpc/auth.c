/* auth.c - the daemon's auth hook and the per-peer failure limiter.
 * Design and threading: see auth.h. */
#include "rpc/auth.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/rpc.h"
#include "secrets/token.h"
#include "users/users.h"
#include "sh-log.h"
#include "sh-util.h"

#define LOG "auth"

struct peer {
    char key[64];
    bool in_use;
    int failures;           /* within the current window */
    int blocks;             /* how often this peer was blocked; grows the period */
    int64_t window_start_ms;
    int64_t blocked_until_ms;
    int64_t last_seen_ms;
};

struct sh_auth_limiter {
    sh_auth_limiter_config cfg;
    pthread_mutex_t lock;
    struct peer *peers;
    size_t count;
};

static int64_t default_now(void *user)
{
    (void)user;
    return sh_monotonic_ms();
}

sh_status sh_auth_limiter_create(const sh_auth_limiter_config *cfg, sh_auth_limiter **out,
                                 sh_error *err)
{
    *out = NULL;
    sh_auth_limiter *lim = calloc(1, sizeof *lim);
    if (!lim)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    if (cfg)
        lim->cfg = *cfg;
    if (lim->cfg.max_failures <= 0)
        lim->cfg.max_failures = 5;
    if (lim->cfg.window_ms <= 0)
        lim->cfg.window_ms = 60000;
    if (lim->cfg.base_block_ms <= 0)
        lim->cfg.base_block_ms = 30000;
    if (lim->cfg.max_block_ms < lim->cfg.base_block_ms)
        lim->cfg.max_block_ms = lim->cfg.base_block_ms > 3600000 ? lim->cfg.base_block_ms : 3600000;
    if (lim->cfg.capacity == 0)
        lim->cfg.capacity = 1024;
    if (!lim->cfg.now_ms)
        lim->cfg.now_ms = default_now;
    lim->peers = calloc(lim->cfg.capacity, sizeof *lim->peers);
    if (!lim->peers) {
        free(lim);
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    pthread_mutex_init(&lim->lock, NULL);
    *out = lim;
    return SH_OK;
}

void sh_auth_limiter_destroy(sh_auth_limiter *lim)
{
    if (!lim)
        return;
    pthread_mutex_destroy(&lim->lock);
    free(lim->peers);
    free(lim);
}

void sh_auth_peer_key(const char *peer, char *out, size_t out_len)
{
    char host[64];
    const char *p = peer ? peer : "";
    if (*p == '[') {
        const char *end = strchr(p, ']');
        size_t n = end ? (size_t)(end - p - 1) : strlen(p + 1);
        snprintf(host, sizeof host, "%.*s", (int)(n < sizeof host ? n : sizeof host - 1), p + 1);
        struct in6_addr a6;
        if (inet_pton(AF_INET6, host, &a6) == 1) {
            if (IN6_IS_ADDR_V4MAPPED(&a6)) {
                inet_ntop(AF_INET, &a6.s6_addr[12], out, (socklen_t)out_len);
                return;
            }
            /* One host usually owns a whole /64: count it as one peer. */
            memset(&a6.s6_addr[8], 0, 8);
            char buf[INET6_ADDRSTRLEN];
            inet_ntop(AF_INET6, &a6, buf, sizeof buf);
            snprintf(out, out_len, "%s/64", buf);
            return;
        }
        sh_strlcpy(out, host, out_len);
        return;
    }
    const char *colon = strrchr(p, ':');
    size_t n = colon ? (size_t)(colon - p) : strlen(p);
    snprintf(out, out_len, "%.*s", (int)(n < 63 ? n : 63), p);
}

static struct peer *find(sh_auth_limiter *lim, const char *key)
{
    for (size_t i = 0; i < lim->cfg.capacity; i++)
        if (lim->peers[i].in_use && strcmp(lim->peers[i].key, key) == 0)
            return &lim->peers[i];
    return NULL;
}

/* A free slot, or the least valuable one to forget: not blocked and seen
 * longest ago; if every peer is blocked, the block that ends first. */
static struct peer *claim(sh_auth_limiter *lim, const char *key, int64_t now)
{
    struct peer *victim = NULL, *soonest = NULL;
    for (size_t i = 0; i < lim->cfg.capacity; i++) {
        struct peer *p = &lim->peers[i];
        if (!p->in_use) {
            victim = p;
            break;
        }
        if (p->blocked_until_ms <= now) {
            if (!victim || p->last_seen_ms < victim->last_seen_ms)
                victim = p;
        } else if (!soonest || p->blocked_until_ms < soonest->blocked_until_ms) {
            soonest = p;
        }
    }
    if (!victim)
        victim = soonest ? soonest : &lim->peers[0]; /* capacity >= 1 */
    if (!victim->in_use)
        lim->count++;
    memset(victim, 0, sizeof *victim);
    victim->in_use = true;
    sh_strlcpy(victim->key, key, sizeof victim->key);
    victim->window_start_ms = now;
    return victim;
}

sh_status sh_auth_limiter_check(sh_auth_limiter *lim, const char *peer, sh_error *err)
{
    char key[64];
    sh_auth_peer_key(peer, key, sizeof key);
    pthread_mutex_lock(&lim->lock);
    int64_t now = lim->cfg.now_ms(lim->cfg.clock_user);
    struct peer *p = find(lim, key);
    int64_t wait_ms = p && p->blocked_until_ms > now ? p->blocked_until_ms - now : 0;
    pthread_mutex_unlock(&lim->lock);
    if (wait_ms > 0)
        return sh_error_set(err, SH_ERR_RATE_LIMITED,
                            "too many failed authentication attempts from %s; try again in %lld s", key,
                            (long long)((wait_ms + 999) / 1000));
    return SH_OK;
}

void sh_auth_limiter_record(sh_auth_limiter *lim, const char *peer, bool success)
{
    char key[64];
    sh_auth_peer_key(peer, key, sizeof key);
    pthread_mutex_lock(&lim->lock);
    int64_t now = lim->cfg.now_ms(lim->cfg.clock_user);
    struct peer *p = find(lim, key);
    if (success) {
        if (p) {
            p->in_use = false;
            lim->count--;
        }
        pthread_mutex_unlock(&lim->lock);
        return;
    }
    if (!p)
        p = claim(lim, key, now);
    p->last_seen_ms = now;
    /* A peer that behaved for a long while starts over at the short block. */
    if (p->blocks > 0 && now - p->blocked_until_ms > lim->cfg.max_block_ms)
        p->blocks = 0;
    if (now - p->window_start_ms > lim->cfg.window_ms) {
        p->window_start_ms = now;
        p->failures = 0;
    }
    p->failures++;
    int failures = p->failures;
    int64_t block_ms = 0;
    if (p->failures >= lim->cfg.max_failures) {
        block_ms = lim->cfg.base_block_ms;
        for (int i = 0; i < p->blocks && block_ms < lim->cfg.max_block_ms; i++)
            block_ms *= 2;
        if (block_ms > lim->cfg.max_block_ms)
            block_ms = lim->cfg.max_block_ms;
        p->blocks++;
        p->blocked_until_ms = now + block_ms;
        p->failures = 0;
        p->window_start_ms = now;
    }
    pthread_mutex_unlock(&lim->lock);
    if (block_ms > 0)
        sh_warn(LOG, "refusing %s for %lld s after %d failed authentication attempts", key,
                (long long)(block_ms / 1000), failures);
}

size_t sh_auth_limiter_count(sh_auth_limiter *lim)
{
    pthread_mutex_lock(&lim->lock);
    size_t n = lim->count;
    pthread_mutex_unlock(&lim->lock);
    return n;
}

static void set_identity(sh_rpc_call *call, const char *user, sh_role role)
{
    sh_strlcpy(call->user, user, sizeof call->user);
    call->role = (int)role;
}

sh_status sh_rpc_authenticate(sh_rpc_call *call, void *services, sh_error *err)
{
    sh_services *svc = services;
    sh_rpc_worker *w = call->worker;
    /* Local sockets are protected by file mode (0600): the peer is the owner. */
    if (call->transport == SH_RPC_TRANSPORT_IPC || call->transport == SH_RPC_TRANSPORT_INPROC) {
        set_identity(call, SH_USER_OWNER, SH_ROLE_ADMIN);
        return SH_OK;
    }
    sh_status st = SH_OK;
    /* A blocked peer is refused before its token is even looked at: a right
     * guess during the block must not be distinguishable from a wrong one. */
    if (svc->auth_limiter && (st = sh_auth_limiter_check(svc->auth_limiter, call->peer, err)) != SH_OK) {
        sh_debug(LOG, "refused request from %s: blocked", call->peer);
        return st;
    }
    const char *given = call->request->auth_token;
    bool owner = svc->token && sh_token_equal(svc->token, given);
    sh_user user = {0};
    bool is_user = false;
    if (!owner && !sh_str_empty(given) && w && w->ro) {
        sh_error lerr = {0};
        sh_status lst = sh_users_authenticate(w->ro, given, &user, &lerr);
        if (lst != SH_OK && lst != SH_ERR_NOT_FOUND) {
            /* Not the caller's fault: neither a failure nor a success. */
            sh_error(LOG, "cannot check a token from %s: %s", call->peer, sh_error_message(&lerr));
            return sh_error_set(err, SH_ERR_UNAVAILABLE, "cannot check the token right now; try again");
        }
        is_user = lst == SH_OK;
    }
    bool ok = owner || is_user;
    if (svc->auth_limiter)
        sh_auth_limiter_record(svc->auth_limiter, call->peer, ok);
    if (!ok) {
        sh_warn(LOG, "refused request from %s: %s token", call->peer, sh_str_empty(given) ? "missing" : "wrong");
        return sh_error_set(err, SH_ERR_UNAUTHENTICATED,
                            "authentication required: pass the daemon's token (stashhogd --show-token) "
                            "or a user token (stashhogctl users add)");
    }
    if (owner) {
        set_identity(call, SH_USER_OWNER, SH_ROLE_ADMIN);
        return SH_OK;
    }
    set_identity(call, user.name, user.role);
    sh_error terr = {0};
    if (w->rw && sh_users_touch(w->rw, &user, sh_now_ms(), &terr) != SH_OK)
        sh_debug(LOG, "cannot record that %s was seen: %s", user.name, sh_error_message(&terr));
    return SH_OK;
}

sh_status sh_auth_require(sh_role have, sh_role need, const char *what, sh_error *err)
{
    if (need == SH_ROLE_UNSET)
        need = SH_ROLE_ADMIN; /* nobody classified it: the safe default */
    if (have >= need)
        return SH_OK;
    return sh_error_set(err, SH_ERR_PERMISSION, "%s needs the %s role; you are %s", what, sh_role_name(need),
                        have == SH_ROLE_UNSET ? "not signed in" : sh_role_name(have));
}

/* Look up one text column of a row by id; false when there is none. */
static bool lookup_text(sh_db *db, const char *sql, int64_t id, char *out, size_t len)
{
    sqlite3_stmt *s = NULL;
    if (sh_db_prepare(db, sql, &s, NULL) != SH_OK)
        return false;
    sqlite3_bind_int64(s, 1, id);
    bool found = sh_db_step(db, s, NULL) == 1;
    if (found)
        sh_strlcpy(out, sh_db_column_text(s, 0), len);
    sqlite3_reset(s);
    return found;
}

static sh_role job_role(sh_db *db, int64_t job_id, sh_role route_role)
{
    char type[64];
    /* An unknown job is left to the handler, which answers "not found". */
    if (!db || !lookup_text(db, "SELECT type FROM jobs WHERE id = ?1", job_id, type, sizeof type))
        return route_role;
    if (strcmp(type, "analyze") == 0 || strncmp(type, "sync_", 5) == 0)
        return route_role;
    return SH_ROLE_ADMIN;
}

static sh_role plan_role(sh_db *db, int64_t plan_id, sh_role route_role)
{
    char status[32];
    if (!db || !lookup_text(db, "SELECT status FROM plans WHERE id = ?1", plan_id, status, sizeof status))
        return route_role;
    /* Past review, a plan is history of what was written to Stash. */
    if (strcmp(status, "draft") == 0 || strcmp(status, "reviewing") == 0)
        return route_role;
    return SH_ROLE_ADMIN;
}

sh_role sh_auth_needed_role(const sh_request *req, sh_role route_role, sh_db *db)
{
    if (route_role == SH_ROLE_UNSET || route_role >= SH_ROLE_ADMIN)
        return SH_ROLE_ADMIN;
    switch (req->body_case) {
    case STASHHOG__REQUEST__BODY_JOB_CANCEL:
        return req->job_cancel ? job_role(db, req->job_cancel->id, route_role) : route_role;
    case STASHHOG__REQUEST__BODY_JOB_RETRY:
        return req->job_retry ? job_role(db, req->job_retry->id, route_role) : route_role;
    case STASHHOG__REQUEST__BODY_PLAN_REVIEW:
        return req->plan_review ? plan_role(db, req->plan_review->plan_id, route_role) : route_role;
    case STASHHOG__REQUEST__BODY_PLAN_EDIT:
        return req->plan_edit ? plan_role(db, req->plan_edit->plan_id, route_role) : route_role;
    case STASHHOG__REQUEST__BODY_PLAN_DELETE:
        return req->plan_delete ? plan_role(db, req->plan_delete->plan_id, route_role) : route_role;
    default:
        return route_role;
    }
}

sh_status sh_auth_authorize(const sh_rpc_call *call, sh_db *db, sh_role route_role, const char *route_name,
                            sh_error *err)
{
    sh_role have = (sh_role)call->role;
    /* Admins pass without the lookups below. */
    if (have >= SH_ROLE_ADMIN)
        return SH_OK;
    sh_role need = sh_auth_needed_role(call->request, route_role, db);
    char what[64];
    sh_strlcpy(what, route_name ? route_name : "this request", sizeof what);
    for (char *p = what; *p; p++)
        if (*p == '_')
            *p = ' ';
    sh_status st = sh_auth_require(have, need, what, err);
    if (st != SH_OK)
        sh_info(LOG, "refused %s from %s (%s, %s)", route_name ? route_name : "request", call->peer,
                call->user[0] ? call->user : "anonymous", sh_role_name(have));
    return st;
}
