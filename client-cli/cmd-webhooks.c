/* webhooks list|add|remove|test|log: signed POSTs to URLs on daemon events. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "sh-util.h"

static void format_time(int64_t ms, char *buf, size_t len)
{
    if (ms <= 0) {
        sh_strlcpy(buf, "-", len);
        return;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

static const char *status_name(Stashhog__WebhookDeliveryStatus s)
{
    switch (s) {
    case STASHHOG__WEBHOOK_DELIVERY_STATUS__DELIVERY_DELIVERED:
        return "delivered";
    case STASHHOG__WEBHOOK_DELIVERY_STATUS__DELIVERY_FAILED:
        return "failed";
    default:
        return "pending";
    }
}

/* Runs getopt with no options (so optind is set) and takes exactly one positive ID. */
static bool take_id(sh_cli *cli, int argc, char **argv, const char *what, int64_t *id)
{
    static const struct option none[] = {{NULL, 0, NULL, 0}};
    while (getopt_long(argc, argv, "", none, NULL) != -1) {
        sh_cli_fail(cli, SH_EXIT_USAGE, "webhooks %s: unknown option", what);
        return false;
    }
    if (optind != argc - 1) {
        sh_cli_fail(cli, SH_EXIT_USAGE, "webhooks %s: expected one webhook ID", what);
        return false;
    }
    if (!sh_cli_parse_int64(cli, "ID", argv[optind], id))
        return false;
    if (*id <= 0) {
        sh_cli_fail(cli, SH_EXIT_USAGE, "webhooks %s: ID must be positive", what);
        return false;
    }
    return true;
}

static void print_hook(sh_cli *cli, const Stashhog__Webhook *w)
{
    FILE *o = cli->out;
    char when[32];
    format_time(w->has_last_delivery_ms ? w->last_delivery_ms : 0, when, sizeof when);
    fprintf(o, "%-4lld %-8s %s\n", (long long)w->id, w->enabled ? "enabled" : "disabled", w->url);
    fprintf(o, "     events: ");
    for (size_t i = 0; i < w->n_events; i++)
        fprintf(o, "%s%s", i ? "," : "", w->events[i]);
    fprintf(o, "\n     secret: %s\n", w->secret ? w->secret : "-");
    if (w->description)
        fprintf(o, "     description: %s\n", w->description);
    fprintf(o, "     last delivery: %s%s%s\n", when, w->last_status ? " " : "",
            w->last_status ? w->last_status : "");
}

static int run_list(sh_cli *cli, int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "webhooks list takes no arguments");
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__WebhookListRequest lr = STASHHOG__WEBHOOK_LIST_REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_WEBHOOK_LIST;
    req.webhook_list = &lr;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    const Stashhog__WebhookListReply *l = reply->webhook_list;
    if (!l) {
        sh_wire_reply_free(reply);
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no webhook list");
    }
    if (cli->json)
        sh_cli_print_json_pb(cli, &l->base);
    else if (l->n_webhooks == 0)
        fprintf(cli->out, "no webhooks (add one with: webhooks add --url URL --events EVENTS)\n");
    for (size_t i = 0; !cli->json && i < l->n_webhooks; i++)
        print_hook(cli, l->webhooks[i]);
    sh_wire_reply_free(reply);
    return SH_EXIT_OK;
}

/* "a,b , c" -> a list of trimmed names in buf. */
static size_t split_events(char *buf, char **out, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, ", ", &save); t && n < max; t = strtok_r(NULL, ", ", &save))
        out[n++] = t;
    return n;
}

static int run_add(sh_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"url", required_argument, NULL, 'u'},    {"events", required_argument, NULL, 'e'},
        {"secret", required_argument, NULL, 's'}, {"description", required_argument, NULL, 'd'},
        {"disabled", no_argument, NULL, 'D'},     {NULL, 0, NULL, 0}};
    Stashhog__Webhook w = STASHHOG__WEBHOOK__INIT;
    char events_buf[1024] = "";
    char *events[32];
    bool disabled = false;
    int c;
    while ((c = getopt_long(argc, argv, "u:e:s:d:", opts, NULL)) != -1) {
        switch (c) {
        case 'u':
            w.url = optarg;
            break;
        case 'e':
            if (sh_strlcpy(events_buf, optarg, sizeof events_buf) != 0)
                return sh_cli_fail(cli, SH_EXIT_USAGE, "webhooks add: --events too long");
            break;
        case 's':
            w.secret = optarg;
            break;
        case 'd':
            w.description = optarg;
            break;
        case 'D':
            disabled = true;
            break;
        default:
            return sh_cli_fail(cli, SH_EXIT_USAGE,
                               "webhooks add: bad option (see webhooks add --help)");
        }
    }
    if (optind != argc)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "webhooks add: unexpected argument '%s'",
                           argv[optind]);
    if (!w.url)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "webhooks add: --url is required");
    w.n_events = split_events(events_buf, events, sizeof events / sizeof events[0]);
    w.events = events;
    w.has_enabled = 1;
    w.enabled = !disabled;
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__WebhookSaveRequest sr = STASHHOG__WEBHOOK_SAVE_REQUEST__INIT;
    sr.webhook = &w;
    req.body_case = STASHHOG__REQUEST__BODY_WEBHOOK_SAVE;
    req.webhook_save = &sr;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    const Stashhog__Webhook *out = reply->webhook;
    if (!out) {
        sh_wire_reply_free(reply);
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no webhook");
    }
    if (cli->json) {
        sh_cli_print_json_pb(cli, &out->base);
    } else {
        fprintf(cli->out, "webhook %lld added\n", (long long)out->id);
        if (out->secret_generated)
            fprintf(cli->out,
                    "secret: %s\n(shown once: the daemon stores it sealed and shows it masked)\n",
                    out->secret);
    }
    sh_wire_reply_free(reply);
    return SH_EXIT_OK;
}

static int run_remove(sh_cli *cli, int argc, char **argv)
{
    int64_t id = 0;
    if (!take_id(cli, argc, argv, "remove", &id))
        return SH_EXIT_USAGE;
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__WebhookDeleteRequest dr = STASHHOG__WEBHOOK_DELETE_REQUEST__INIT;
    dr.id = id;
    req.body_case = STASHHOG__REQUEST__BODY_WEBHOOK_DELETE;
    req.webhook_delete = &dr;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    if (cli->json)
        sh_cli_print_json(cli, json_pack("{s:I,s:b}", "id", (json_int_t)id, "removed", 1));
    else
        fprintf(cli->out, "webhook %lld removed\n", (long long)id);
    sh_wire_reply_free(reply);
    return SH_EXIT_OK;
}

static void print_delivery(sh_cli *cli, const Stashhog__WebhookDelivery *d)
{
    char when[32];
    format_time(d->created_at_ms, when, sizeof when);
    fprintf(cli->out, "%-6lld hook %-4lld %-19s %-16s %-9s attempts %d", (long long)d->id,
            (long long)d->webhook_id, when, d->event, status_name(d->status), d->attempts);
    if (d->http_status)
        fprintf(cli->out, "  HTTP %d", d->http_status);
    if (d->error && d->status != STASHHOG__WEBHOOK_DELIVERY_STATUS__DELIVERY_DELIVERED)
        fprintf(cli->out, "  (%s)", d->error);
    if (d->status == STASHHOG__WEBHOOK_DELIVERY_STATUS__DELIVERY_DELIVERED &&
        d->has_delivered_at_ms)
        fprintf(cli->out, "  in %lld ms", (long long)(d->delivered_at_ms - d->created_at_ms));
    fputc('\n', cli->out);
}

static sh_reply *fetch_log(sh_cli *cli, int64_t hook, int64_t delivery, int limit, int *rc)
{
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__WebhookLogRequest lr = STASHHOG__WEBHOOK_LOG_REQUEST__INIT;
    lr.has_webhook_id = hook > 0;
    lr.webhook_id = hook;
    lr.has_delivery_id = delivery > 0;
    lr.delivery_id = delivery;
    lr.has_limit = limit > 0;
    lr.limit = limit;
    req.body_case = STASHHOG__REQUEST__BODY_WEBHOOK_LOG;
    req.webhook_log = &lr;
    sh_reply *reply = sh_cli_call(cli, &req, rc);
    if (reply && !reply->webhook_log) {
        sh_wire_reply_free(reply);
        *rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no delivery log");
        return NULL;
    }
    return reply;
}

static int run_test(sh_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"no-wait", no_argument, NULL, 'n'},
                                         {"timeout", required_argument, NULL, 't'},
                                         {NULL, 0, NULL, 0}};
    bool wait = true;
    int64_t timeout_s = 30, id = 0;
    int c;
    optind = 0; /* GNU: restart scanning in permute mode, so options may follow the ID */
    while ((c = getopt_long(argc, argv, "nt:", opts, NULL)) != -1) {
        if (c == 'n')
            wait = false;
        else if (!(c == 't' && sh_cli_parse_int64(cli, "--timeout", optarg, &timeout_s) &&
                   timeout_s > 0))
            return sh_cli_fail(cli, SH_EXIT_USAGE,
                               "webhooks test: bad option (see webhooks test --help)");
    }
    if (optind != argc - 1 || !sh_cli_parse_int64(cli, "ID", argv[optind], &id) || id <= 0)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "webhooks test: expected one webhook ID");
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__WebhookTestRequest tr = STASHHOG__WEBHOOK_TEST_REQUEST__INIT;
    tr.id = id;
    req.body_case = STASHHOG__REQUEST__BODY_WEBHOOK_TEST;
    req.webhook_test = &tr;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    if (!reply->webhook_delivery) {
        sh_wire_reply_free(reply);
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no delivery");
    }
    const Stashhog__WebhookDelivery *d = reply->webhook_delivery;
    /* The first attempt decides what we report; retries continue in the daemon. */
    for (int64_t end = sh_monotonic_ms() + timeout_s * 1000;
         wait && d->attempts == 0 && sh_monotonic_ms() < end;) {
        sh_sleep_ms(50);
        sh_reply *next = fetch_log(cli, 0, d->id, 1, &rc);
        if (!next) {
            sh_wire_reply_free(reply);
            return rc;
        }
        if (next->webhook_log->n_deliveries == 0) {
            rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "delivery %lld disappeared (webhook removed?)",
                             (long long)d->id);
            sh_wire_reply_free(next);
            sh_wire_reply_free(reply);
            return rc;
        }
        sh_wire_reply_free(reply);
        reply = next;
        d = next->webhook_log->deliveries[0];
    }
    bool ok = d->status == STASHHOG__WEBHOOK_DELIVERY_STATUS__DELIVERY_DELIVERED;
    if (cli->json)
        sh_cli_print_json_pb(cli, &d->base);
    else if (!wait)
        fprintf(cli->out, "test delivery %lld queued\n", (long long)d->id);
    else if (d->attempts == 0)
        fprintf(cli->out, "test delivery %lld still pending after %llds\n", (long long)d->id,
                (long long)timeout_s);
    else
        print_delivery(cli, d);
    rc = !wait || ok ? SH_EXIT_OK : SH_EXIT_FAILURE;
    sh_wire_reply_free(reply);
    return rc;
}

static int run_log(sh_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"limit", required_argument, NULL, 'n'},
                                         {NULL, 0, NULL, 0}};
    int64_t limit = 50, hook = 0;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
        if (!(c == 'n' && sh_cli_parse_int64(cli, "--limit", optarg, &limit) && limit > 0 &&
              limit <= 1000))
            return sh_cli_fail(cli, SH_EXIT_USAGE,
                               "webhooks log: bad option (see webhooks log --help)");
    }
    if (optind < argc - 1)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "webhooks log: at most one webhook ID");
    if (optind == argc - 1 && (!sh_cli_parse_int64(cli, "ID", argv[optind], &hook) || hook <= 0))
        return sh_cli_fail(cli, SH_EXIT_USAGE, "webhooks log: ID must be positive");
    int rc = 0;
    sh_reply *reply = fetch_log(cli, hook, 0, (int)limit, &rc);
    if (!reply)
        return rc;
    const Stashhog__WebhookLogReply *l = reply->webhook_log;
    if (cli->json)
        sh_cli_print_json_pb(cli, &l->base);
    else if (l->n_deliveries == 0)
        fprintf(cli->out, "no deliveries\n");
    for (size_t i = 0; !cli->json && i < l->n_deliveries; i++)
        print_delivery(cli, l->deliveries[i]);
    sh_wire_reply_free(reply);
    return SH_EXIT_OK;
}

const sh_cli_command sh_cli_webhooks_commands[] = {
    {"webhooks", "list", NULL, "webhooks with their events and last delivery (secrets masked)",
     NULL, run_list},
    {"webhooks", "add", "--url URL [--events E1,E2] [--secret S] [--description D] [--disabled]",
     "add a webhook; without --secret one is generated and shown once",
     "  -u, --url URL        http:// or https:// endpoint that receives JSON POSTs\n"
     "  -e, --events LIST    job.finished, job.failed, job.cancelled, plan.created, plan.applied,\n"
     "                       plan.rolled_back, plan.failed, sync.finished, webhook.test, or * "
     "(default)\n"
     "  -s, --secret S       HMAC-SHA256 key (8-256 printable characters)\n"
     "  -d, --description D  a note for yourself\n"
     "      --disabled       add it switched off\n",
     run_add},
    {"webhooks", "remove", "ID", "remove a webhook and its delivery log", NULL, run_remove},
    {"webhooks", "test", "[--no-wait] [--timeout S] ID",
     "send a signed webhook.test delivery and report the answer",
     "  -n, --no-wait      return once queued\n"
     "  -t, --timeout S    wait at most S seconds for the first attempt (default 30)\n",
     run_test},
    {"webhooks", "log", "[--limit N] [ID]",
     "recent deliveries, newest first (all webhooks, or one)",
     "  -n, --limit N   at most N deliveries (default 50)\n", run_log},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
