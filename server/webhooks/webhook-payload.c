/* webhook-payload.c - event names, payload bodies and signatures (pure). */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sh-pbjson.h"
#include "webhooks/webhooks-internal.h"

static const char *const known_events[] = {"job.finished", "job.failed",    "job.cancelled",
                                           "plan.created", "plan.applied",  "plan.rolled_back",
                                           "plan.failed",  "sync.finished", "webhook.test"};

bool sh_webhook_event_known(const char *name)
{
    if (!name)
        return false;
    if (strcmp(name, "*") == 0)
        return true;
    for (size_t i = 0; i < sizeof known_events / sizeof known_events[0]; i++)
        if (strcmp(known_events[i], name) == 0)
            return true;
    return false;
}

static const char *plan_event(const Stashhog__PlanChanged *pc)
{
    if (!pc->has_status)
        return NULL;
    switch (pc->status) {
    case STASHHOG__PLAN_STATUS__PLAN_DRAFT:
        /* Analysis publishes DRAFT once when the plan is complete; other
         * DRAFT notices (cancelled analysis) are not a new plan. */
        return pc->what && strncmp(pc->what, "analyzed", 8) == 0 ? "plan.created" : NULL;
    case STASHHOG__PLAN_STATUS__PLAN_APPLIED:
    case STASHHOG__PLAN_STATUS__PLAN_PARTIALLY_APPLIED:
        return "plan.applied";
    case STASHHOG__PLAN_STATUS__PLAN_ROLLED_BACK:
        return "plan.rolled_back";
    case STASHHOG__PLAN_STATUS__PLAN_FAILED:
        return "plan.failed";
    default:
        return NULL;
    }
}

const char *sh_webhook_event_name(const sh_event *event)
{
    if (!event)
        return NULL;
    switch (event->payload_case) {
    case STASHHOG__EVENT__PAYLOAD_JOB_STATE:
        if (!event->job_state || !event->job_state->job)
            return NULL;
        switch (event->job_state->job->status) {
        case STASHHOG__JOB_STATUS__JOB_STATUS_COMPLETED:
            return "job.finished";
        case STASHHOG__JOB_STATUS__JOB_STATUS_FAILED:
            return "job.failed";
        case STASHHOG__JOB_STATUS__JOB_STATUS_CANCELLED:
            return "job.cancelled";
        default:
            return NULL;
        }
    case STASHHOG__EVENT__PAYLOAD_SYNC_FINISHED:
        return event->sync_finished ? "sync.finished" : NULL;
    case STASHHOG__EVENT__PAYLOAD_PLAN_CHANGED:
        return event->plan_changed ? plan_event(event->plan_changed) : NULL;
    default:
        return NULL;
    }
}

char *sh_webhook_event_data(const sh_event *event)
{
    const ProtobufCMessage *msg = NULL;
    switch (event->payload_case) {
    case STASHHOG__EVENT__PAYLOAD_JOB_STATE:
        msg = &event->job_state->job->base; /* the job itself: receivers rarely want "previous" */
        break;
    case STASHHOG__EVENT__PAYLOAD_SYNC_FINISHED:
        msg = event->sync_finished->run ? &event->sync_finished->run->base : NULL;
        break;
    case STASHHOG__EVENT__PAYLOAD_PLAN_CHANGED:
        msg = &event->plan_changed->base;
        break;
    default:
        break;
    }
    json_t *j = msg ? sh_pb_to_json(msg) : json_object();
    if (!j)
        return NULL;
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    return text;
}

char *sh_webhook_body(const char *name, int64_t delivery_id, int64_t webhook_id, int64_t time_ms,
                      const char *data_json)
{
    /* name is one of known_events (plain ASCII) and data_json is already
     * JSON, so formatting is exact. */
    return sh_strdup_printf(
        "{\"event\":\"%s\",\"delivery\":%lld,\"webhook\":%lld,\"time_ms\":%lld,\"data\":%s}", name,
        (long long)delivery_id, (long long)webhook_id, (long long)time_ms,
        data_json && *data_json ? data_json : "{}");
}

void sh_webhook_sign(const char *secret, const void *body, size_t len, char out[SH_WEBHOOK_SIG_LEN])
{
    /* The streaming API takes a key of any length (standard HMAC), so a
     * receiver can verify with any HMAC-SHA256 implementation. */
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    char hex[2 * sizeof mac + 1];
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    snprintf(out, SH_WEBHOOK_SIG_LEN, "sha256=%s", hex);
    sodium_memzero(&st, sizeof st);
}

bool sh_webhook_events_match(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if ((len == 1 && *p == '*') || (len == n && strncmp(p, name, n) == 0))
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}
