/* analyze, plans list|show|accept|reject|reset|edit|apply|rollback|delete|export.
 *
 * `plans show` prints a readable diff per scene: on a terminal removed
 * values are red and struck through, added ones green; --json prints the
 * PlanDetail (all pages merged into one document). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "filter-opts.h"
#include "progress.h"
#include "sh-pbjson.h"
#include "sh-util.h"

#define PAGE 1000

static bool parse_id_arg(sh_cli *cli, int argc, char **argv, const char *cmd, int64_t *id)
{
    if (optind != argc - 1) {
        sh_cli_fail(cli, SH_EXIT_USAGE, "%s takes one plan id", cmd);
        return false;
    }
    return sh_cli_parse_int64(cli, "plan id", argv[optind], id) && *id > 0;
}

static const char *const plan_status_names[] = {"draft",   "reviewing",   "applying", "applied",
                                                "partially applied", "rolled back", "failed"};
static const char *const change_status_names[] = {"pending", "accepted", "rejected",   "applied",
                                                  "failed",  "conflict", "rolled back"};

static const char *plan_status(int s)
{
    return s >= 0 && s < 7 ? plan_status_names[s] : "?";
}

static const char *change_status(int s)
{
    return s >= 0 && s < 7 ? change_status_names[s] : "?";
}

/* ------------------------------------------------------------- analyze */

static int run_analyze(sh_cli *cli, int argc, char **argv)
{
    enum { O_FIELDS = 256, O_LLM, O_MIN, O_NEW, O_INCL, O_NAME, O_EST, O_BUDGET, O_ANALYZER };
    static const struct option opts[] = {
        SH_CLI_FILTER_LONGOPTS,
        {"fields", required_argument, NULL, O_FIELDS},  {"llm", no_argument, NULL, O_LLM},
        {"min-confidence", required_argument, NULL, O_MIN}, {"allow-new", no_argument, NULL, O_NEW},
        {"include-organized", no_argument, NULL, O_INCL}, {"name", required_argument, NULL, O_NAME},
        {"estimate", no_argument, NULL, O_EST},         {"budget", required_argument, NULL, O_BUDGET},
        {"analyzer", required_argument, NULL, O_ANALYZER},
        {"wait", no_argument, NULL, 'w'},               {NULL, 0, NULL, 0},
    };
    sh_cli_filter_opts fo;
    Stashhog__SceneFilter f;
    Stashhog__AnalyzeOptions o = STASHHOG__ANALYZE_OPTIONS__INIT;
    Stashhog__AnalyzeRequest r = STASHHOG__ANALYZE_REQUEST__INIT;
    char *fields_copy = NULL, *fields[8];
    size_t n_fields = 0;
    char *analyzers[16];
    size_t n_analyzers = 0;
    bool wait = false;
    int rc = SH_EXIT_USAGE, c;
    sh_cli_filter_opts_init(&fo);
    while ((c = getopt_long(argc, argv, SH_CLI_FILTER_SHORTOPTS "w", opts, NULL)) != -1) {
        int h = sh_cli_filter_opts_handle(cli, &fo, c, optarg);
        if (h < 0)
            goto out;
        if (h > 0)
            continue;
        bool ok = true;
        switch (c) {
        case O_FIELDS: {
            free(fields_copy);
            fields_copy = strdup(optarg);
            n_fields = 0;
            char *save = NULL;
            for (char *tok = fields_copy ? strtok_r(fields_copy, ",", &save) : NULL; tok && n_fields < 8;
                 tok = strtok_r(NULL, ",", &save))
                fields[n_fields++] = tok;
            break;
        }
        case O_LLM: o.has_use_llm = o.use_llm = 1; break;
        case O_MIN:
            ok = sh_cli_parse_double(cli, "--min-confidence", optarg, &o.min_confidence);
            o.has_min_confidence = 1;
            break;
        case O_BUDGET:
            ok = sh_cli_parse_double(cli, "--budget", optarg, &o.budget_usd);
            o.has_budget_usd = 1;
            break;
        case O_NEW: o.has_allow_new_entities = o.allow_new_entities = 1; break;
        case O_INCL: o.has_include_organized = o.include_organized = 1; break;
        case O_NAME: r.name = optarg; break;
        case O_EST: o.has_estimate_only = o.estimate_only = 1; break;
        case O_ANALYZER:
            if (n_analyzers < sizeof analyzers / sizeof analyzers[0])
                analyzers[n_analyzers++] = optarg;
            else {
                sh_cli_fail(cli, SH_EXIT_USAGE, "analyze: at most 16 --analyzer options");
                ok = false;
            }
            break;
        case 'w': wait = true; break;
        default: sh_cli_fail(cli, SH_EXIT_USAGE, "analyze: bad option (see analyze --help)"); ok = false;
        }
        if (!ok)
            goto out;
    }
    if (optind < argc) {
        sh_cli_fail(cli, SH_EXIT_USAGE, "analyze: unexpected argument '%s'", argv[optind]);
        goto out;
    }
    sh_cli_filter_opts_build(&fo, &f);
    o.fields = fields, o.n_fields = n_fields;
    o.analyzers = analyzers, o.n_analyzers = n_analyzers;
    r.filter = &f;
    r.options = &o;
    sh_request req = STASHHOG__REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_ANALYZE;
    req.analyze = &r;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        goto out;
    if (o.estimate_only) {
        const Stashhog__AnalyzeEstimate *e = reply->analyze_estimate;
        if (!e) {
            rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no estimate");
        } else if (cli->json) {
            sh_cli_print_json_pb(cli, &e->base);
            rc = SH_EXIT_OK;
        } else {
            fprintf(cli->out, "%lld scenes to analyze\n", (long long)e->scenes);
            if (e->has_llm_requests)
                fprintf(cli->out,
                        "LLM (%s): %lld requests, ~%lld prompt + %lld completion tokens, ~$%.4f"
                        " (%lld scenes cached: free); budget $%.2f\n",
                        e->model ? e->model : "?", (long long)e->llm_requests, (long long)e->prompt_tokens,
                        (long long)e->completion_tokens, e->cost_usd, (long long)e->cached_scenes, e->budget_usd);
            rc = SH_EXIT_OK;
        }
    } else {
        if (reply->job && !cli->json && !cli->quiet)
            fprintf(wait ? cli->err : cli->out, "plan %lld\n", (long long)reply->job->plan_id);
        rc = sh_cli_print_job_started(cli, reply, wait);
    }
    sh_wire_reply_free(reply);
out:
    sh_cli_filter_opts_fini(&fo);
    free(fields_copy);
    return rc;
}

/* ---------------------------------------------------------------- list */

static int run_list(sh_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"limit", required_argument, NULL, 'n'}, {NULL, 0, NULL, 0}};
    Stashhog__PlanListRequest r = STASHHOG__PLAN_LIST_REQUEST__INIT;
    int c;
    while ((c = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
        int64_t v = 0;
        if (c != 'n' || !sh_cli_parse_int64(cli, "--limit", optarg, &v) || v <= 0 || v > 1000)
            return sh_cli_fail(cli, SH_EXIT_USAGE, "plans list [--limit N]");
        r.has_limit = 1;
        r.limit = (int32_t)v;
    }
    sh_request req = STASHHOG__REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_PLAN_LIST;
    req.plan_list = &r;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    const Stashhog__PlanListReply *l = reply->plan_list;
    if (cli->json && l) {
        sh_cli_print_json_pb(cli, &l->base);
    } else if (l) {
        fprintf(cli->out, "%5s  %-17s  %7s  %7s  %8s  %7s  %9s  %-16s  %s\n", "ID", "STATUS", "CHANGES", "PENDING",
                "ACCEPTED", "APPLIED", "CONFLICTS", "CREATED", "NAME");
        for (size_t i = 0; i < l->n_plans; i++) {
            const Stashhog__PlanSummary *p = l->plans[i];
            char when[32] = "-";
            time_t t = (time_t)(p->created_at_ms / 1000);
            struct tm tm;
            if (p->has_created_at_ms && localtime_r(&t, &tm))
                strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
            fprintf(cli->out, "%5lld  %-17s  %7lld  %7lld  %8lld  %7lld  %9lld  %-16s  %s\n", (long long)p->id,
                    plan_status(p->status), (long long)p->change_count, (long long)p->pending, (long long)p->accepted,
                    (long long)p->applied, (long long)p->conflicts, when, p->name);
        }
    }
    sh_wire_reply_free(reply);
    return l ? SH_EXIT_OK : sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no plan list");
}

/* ---------------------------------------------------------------- show */

#define RED "\033[31;9m"
#define GREEN "\033[32m"
#define DIM "\033[2m"
#define RESET "\033[0m"

static void put(sh_cli *cli, const char *color, const char *prefix, const char *text)
{
    if (cli->out_is_tty)
        fprintf(cli->out, "%s%s%s", color, text, RESET);
    else
        fprintf(cli->out, "%s%s", prefix, text);
}

static void show_value(sh_cli *cli, const Stashhog__FieldValue *v, const char *color, const char *prefix)
{
    if (!v || (v->has_is_null && v->is_null) || (!v->text && !v->entity && !v->n_entities)) {
        put(cli, DIM, "", "(none)");
        return;
    }
    if (v->text) {
        char *q = sh_strdup_printf("\"%s\"", v->text);
        put(cli, color, prefix, q ? q : v->text);
        free(q);
    } else if (v->entity) {
        char *s = sh_strdup_printf("%s%s", v->entity->name, v->entity->is_new ? " (new)" : "");
        put(cli, color, prefix, s ? s : v->entity->name);
        free(s);
    }
}

static bool ref_in(Stashhog__EntityRef **refs, size_t n, const Stashhog__EntityRef *r)
{
    for (size_t i = 0; i < n; i++)
        if (refs[i]->id == r->id && (r->id > 0 || strcmp(refs[i]->name, r->name) == 0))
            return true;
    return false;
}

static void show_change(sh_cli *cli, const Stashhog__Change *c)
{
    fprintf(cli->out, "  #%-6lld %-10s %-9s %.2f  ", (long long)c->id, c->field, change_status(c->status),
            c->confidence);
    if (c->n_added || c->n_removed || (c->current && c->current->n_entities)) {
        /* Set field: unchanged members plain, removed struck, added green. */
        size_t shown = 0;
        for (size_t i = 0; c->current && i < c->current->n_entities; i++) {
            const Stashhog__EntityRef *r = c->current->entities[i];
            fputs(shown++ ? ", " : "", cli->out);
            if (ref_in(c->removed, c->n_removed, r))
                put(cli, RED, "-", r->name);
            else
                fputs(r->name, cli->out);
        }
        for (size_t i = 0; i < c->n_added; i++) {
            fputs(shown++ ? ", " : "", cli->out);
            char *s = sh_strdup_printf("%s%s", c->added[i]->name, c->added[i]->is_new ? " (new)" : "");
            put(cli, GREEN, "+", s ? s : c->added[i]->name);
            free(s);
        }
    } else {
        show_value(cli, c->current, RED, "-");
        fputs(" -> ", cli->out);
        show_value(cli, c->proposed, GREEN, "+");
    }
    fputc('\n', cli->out);
    if (c->reason || c->analyzer)
        fprintf(cli->out, "           %s%s%s%s\n", c->analyzer ? c->analyzer : "", c->reason ? ": " : "",
                c->reason ? c->reason : "", "");
    if (c->error)
        fprintf(cli->out, "           error: %s\n", c->error);
}

static void show_summary(sh_cli *cli, const Stashhog__PlanSummary *p)
{
    fprintf(cli->out, "Plan %lld: %s [%s]\n", (long long)p->id, p->name, plan_status(p->status));
    fprintf(cli->out,
            "  %lld scenes analyzed, %lld changes: %lld pending, %lld accepted, %lld rejected, %lld applied,"
            " %lld failed, %lld conflicts\n",
            (long long)p->scene_count, (long long)p->change_count, (long long)p->pending, (long long)p->accepted,
            (long long)p->rejected, (long long)p->applied, (long long)p->failed, (long long)p->conflicts);
    if (p->prompt_tokens || p->completion_tokens)
        fprintf(cli->out, "  LLM: %lld prompt + %lld completion tokens, $%.4f\n", (long long)p->prompt_tokens,
                (long long)p->completion_tokens, p->cost_usd);
}

static int run_show(sh_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"status", required_argument, NULL, 'S'},
                                         {"field", required_argument, NULL, 'f'},
                                         {"limit", required_argument, NULL, 'n'},
                                         {NULL, 0, NULL, 0}};
    Stashhog__PlanGetRequest g = STASHHOG__PLAN_GET_REQUEST__INIT;
    int64_t limit = -1;
    int c;
    while ((c = getopt_long(argc, argv, "S:f:n:", opts, NULL)) != -1) {
        bool ok = true;
        if (c == 'S') {
            static const char *const names[] = {"pending", "accepted", "rejected", "applied", "failed", "conflict",
                                                "rolled_back"};
            ok = false;
            for (int k = 0; k < 7; k++)
                if (strcmp(optarg, names[k]) == 0) {
                    g.has_status = 1;
                    g.status = (Stashhog__ChangeStatus)k;
                    ok = true;
                }
        } else if (c == 'f') {
            g.field = optarg;
        } else if (c == 'n') {
            ok = sh_cli_parse_int64(cli, "--limit", optarg, &limit) && limit >= 0;
        } else {
            ok = false;
        }
        if (!ok)
            return sh_cli_fail(cli, SH_EXIT_USAGE, "plans show [--status S] [--field F] [--limit N] ID");
    }
    if (!parse_id_arg(cli, argc, argv, "plans show", &g.id))
        return SH_EXIT_USAGE;
    json_t *all = cli->json ? json_array() : NULL;
    json_t *summary = NULL;
    int64_t offset = 0, last_scene = 0;
    int rc = SH_EXIT_OK;
    for (;;) {
        g.has_limit = g.has_offset = 1;
        g.limit = (int32_t)(limit >= 0 && limit - offset < PAGE ? limit - offset : PAGE);
        g.offset = offset;
        sh_request req = STASHHOG__REQUEST__INIT;
        req.body_case = STASHHOG__REQUEST__BODY_PLAN_GET;
        req.plan_get = &g;
        sh_reply *reply = sh_cli_call(cli, &req, &rc);
        if (!reply)
            break;
        const Stashhog__PlanDetail *d = reply->plan;
        if (!d || !d->summary) {
            sh_wire_reply_free(reply);
            rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no plan");
            break;
        }
        if (offset == 0) {
            if (cli->json)
                summary = sh_pb_to_json(&d->summary->base);
            else
                show_summary(cli, d->summary);
        }
        for (size_t i = 0; i < d->n_changes; i++) {
            const Stashhog__Change *ch = d->changes[i];
            if (cli->json) {
                json_array_append_new(all, sh_pb_to_json(&ch->base));
                continue;
            }
            if (ch->scene_id != last_scene) {
                fprintf(cli->out, "\nScene %lld  %s\n", (long long)ch->scene_id,
                        ch->scene_title && *ch->scene_title ? ch->scene_title : "");
                if (ch->scene_path)
                    fprintf(cli->out, "  %s\n", ch->scene_path);
                last_scene = ch->scene_id;
            }
            show_change(cli, ch);
        }
        size_t n = d->n_changes;
        int64_t total = d->total_changes;
        sh_wire_reply_free(reply);
        offset += (int64_t)n;
        if (n < (size_t)g.limit || offset >= total || (limit >= 0 && offset >= limit) || g.limit == 0)
            break;
    }
    if (cli->json && rc == SH_EXIT_OK)
        sh_cli_print_json(cli, json_pack("{s:o,s:o,s:I}", "summary", summary ? summary : json_null(), "changes",
                                         json_incref(all), "total_changes", (json_int_t)json_array_size(all)));
    json_decref(all);
    return rc;
}

/* -------------------------------------------------------------- review */

static int review(sh_cli *cli, int argc, char **argv, Stashhog__ReviewAction action)
{
    enum { O_ALL = 256, O_MIN, O_MAX };
    static const struct option opts[] = {{"all", no_argument, NULL, O_ALL},
                                         {"change", required_argument, NULL, 'c'},
                                         {"field", required_argument, NULL, 'f'},
                                         {"scene", required_argument, NULL, 's'},
                                         {"min-confidence", required_argument, NULL, O_MIN},
                                         {"max-confidence", required_argument, NULL, O_MAX},
                                         {NULL, 0, NULL, 0}};
    Stashhog__PlanReviewRequest r = STASHHOG__PLAN_REVIEW_REQUEST__INIT;
    sh_cli_idlist changes = {0}, scenes = {0};
    int rc = SH_EXIT_USAGE, c;
    while ((c = getopt_long(argc, argv, "c:f:s:", opts, NULL)) != -1) {
        bool ok = true;
        switch (c) {
        case O_ALL: r.has_all = r.all = 1; break;
        case 'c': ok = sh_cli_idlist_add(cli, &changes, "--change", optarg); break;
        case 's': ok = sh_cli_idlist_add(cli, &scenes, "--scene", optarg); break;
        case 'f': r.field = optarg; break;
        case O_MIN:
            r.has_min_confidence = 1;
            ok = sh_cli_parse_double(cli, "--min-confidence", optarg, &r.min_confidence);
            break;
        case O_MAX:
            r.has_max_confidence = 1;
            ok = sh_cli_parse_double(cli, "--max-confidence", optarg, &r.max_confidence);
            break;
        default: ok = false; sh_cli_fail(cli, SH_EXIT_USAGE, "%s: bad option (see --help)", argv[0]);
        }
        if (!ok)
            goto out;
    }
    if (!parse_id_arg(cli, argc, argv, argv[0], &r.plan_id))
        goto out;
    r.action = action;
    r.change_ids = changes.v, r.n_change_ids = changes.n;
    r.scene_ids = scenes.v, r.n_scene_ids = scenes.n;
    sh_request req = STASHHOG__REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_PLAN_REVIEW;
    req.plan_review = &r;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (reply) {
        if (cli->json && reply->plan_review)
            sh_cli_print_json_pb(cli, &reply->plan_review->base);
        else if (reply->plan_review && !cli->quiet)
            fprintf(cli->out, "%lld changes %s\n", (long long)reply->plan_review->updated,
                    action == STASHHOG__REVIEW_ACTION__REVIEW_ACCEPT   ? "accepted"
                    : action == STASHHOG__REVIEW_ACTION__REVIEW_REJECT ? "rejected"
                                                                        : "reset to pending");
        rc = SH_EXIT_OK;
        sh_wire_reply_free(reply);
    }
out:
    free(changes.v);
    free(scenes.v);
    return rc;
}

static int run_accept(sh_cli *cli, int argc, char **argv)
{
    return review(cli, argc, argv, STASHHOG__REVIEW_ACTION__REVIEW_ACCEPT);
}

static int run_reject(sh_cli *cli, int argc, char **argv)
{
    return review(cli, argc, argv, STASHHOG__REVIEW_ACTION__REVIEW_REJECT);
}

static int run_reset(sh_cli *cli, int argc, char **argv)
{
    return review(cli, argc, argv, STASHHOG__REVIEW_ACTION__REVIEW_RESET);
}

/* ---------------------------------------------------------------- edit */

static int run_edit(sh_cli *cli, int argc, char **argv)
{
    enum { O_NULL = 256 };
    static const struct option opts[] = {{"change", required_argument, NULL, 'c'},
                                         {"value", required_argument, NULL, 'v'},
                                         {"null", no_argument, NULL, O_NULL},
                                         {NULL, 0, NULL, 0}};
    Stashhog__PlanEditRequest e = STASHHOG__PLAN_EDIT_REQUEST__INIT;
    Stashhog__FieldValue v = STASHHOG__FIELD_VALUE__INIT;
    int c;
    while ((c = getopt_long(argc, argv, "c:v:", opts, NULL)) != -1) {
        if (c == 'c') {
            if (!sh_cli_parse_int64(cli, "--change", optarg, &e.change_id))
                return SH_EXIT_USAGE;
        } else if (c == 'v') {
            v.text = optarg;
        } else if (c == O_NULL) {
            v.has_is_null = v.is_null = 1;
        } else {
            return sh_cli_fail(cli, SH_EXIT_USAGE, "plans edit ID --change C (--value V | --null)");
        }
    }
    if (!parse_id_arg(cli, argc, argv, "plans edit", &e.plan_id))
        return SH_EXIT_USAGE;
    if (e.change_id <= 0 || (!v.text && !v.is_null))
        return sh_cli_fail(cli, SH_EXIT_USAGE, "plans edit ID --change C (--value V | --null)");
    e.value = &v;
    sh_request req = STASHHOG__REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_PLAN_EDIT;
    req.plan_edit = &e;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    if (cli->json && reply->plan)
        sh_cli_print_json_pb(cli, &reply->plan->base);
    else if (!cli->quiet)
        fprintf(cli->out, "change %lld edited and accepted\n", (long long)e.change_id);
    sh_wire_reply_free(reply);
    return SH_EXIT_OK;
}

/* ------------------------------------------------------- apply/rollback */

static int run_apply(sh_cli *cli, int argc, char **argv)
{
    enum { O_ORG = 256, O_TAG };
    static const struct option opts[] = {{"mark-organized", no_argument, NULL, O_ORG},
                                         {"add-tag", required_argument, NULL, O_TAG},
                                         {"wait", no_argument, NULL, 'w'},
                                         {NULL, 0, NULL, 0}};
    Stashhog__PlanApplyRequest a = STASHHOG__PLAN_APPLY_REQUEST__INIT;
    bool wait = false;
    int c;
    while ((c = getopt_long(argc, argv, "w", opts, NULL)) != -1) {
        if (c == O_ORG)
            a.has_mark_organized = a.mark_organized = 1;
        else if (c == O_TAG)
            a.add_tag = optarg;
        else if (c == 'w')
            wait = true;
        else
            return sh_cli_fail(cli, SH_EXIT_USAGE, "plans apply [--mark-organized] [--add-tag NAME] [--wait] ID");
    }
    if (!parse_id_arg(cli, argc, argv, "plans apply", &a.plan_id))
        return SH_EXIT_USAGE;
    sh_request req = STASHHOG__REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_PLAN_APPLY;
    req.plan_apply = &a;
    return sh_cli_call_job(cli, &req, wait);
}

/* After `rollback --wait`: what became of the studios, performers and tags
 * the apply created (the job's one-line message is cut at 256 bytes). */
static void print_rollback_entities(sh_cli *cli, int64_t job_id)
{
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__JobGetRequest g = STASHHOG__JOB_GET_REQUEST__INIT;
    g.id = job_id;
    req.body_case = STASHHOG__REQUEST__BODY_JOB_GET;
    req.job_get = &g;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    json_t *res = reply && reply->job_detail && reply->job_detail->result_json
                      ? json_loads(reply->job_detail->result_json, 0, NULL)
                      : NULL;
    if (res) {
        fprintf(cli->out, "created entities: %lld deleted, %lld kept\n",
                (long long)json_integer_value(json_object_get(res, "entities_deleted")),
                (long long)json_integer_value(json_object_get(res, "entities_kept")));
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(res, "entities"), i, e) {
            const char *outcome = json_string_value(json_object_get(e, "outcome"));
            const char *reason = json_string_value(json_object_get(e, "reason"));
            fprintf(cli->out, "  %s %s '%s'%s%s\n", outcome ? outcome : "?",
                    json_string_value(json_object_get(e, "kind")) ?: "",
                    json_string_value(json_object_get(e, "name")) ?: "", reason ? ": " : "", reason ? reason : "");
        }
    }
    json_decref(res);
    if (reply)
        sh_wire_reply_free(reply);
}

static int run_rollback(sh_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"wait", no_argument, NULL, 'w'}, {NULL, 0, NULL, 0}};
    Stashhog__PlanRollbackRequest r = STASHHOG__PLAN_ROLLBACK_REQUEST__INIT;
    bool wait = false;
    int c;
    while ((c = getopt_long(argc, argv, "w", opts, NULL)) != -1) {
        if (c != 'w')
            return sh_cli_fail(cli, SH_EXIT_USAGE, "plans rollback [--wait] ID");
        wait = true;
    }
    if (!parse_id_arg(cli, argc, argv, "plans rollback", &r.plan_id))
        return SH_EXIT_USAGE;
    sh_request req = STASHHOG__REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_PLAN_ROLLBACK;
    req.plan_rollback = &r;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    int64_t job = reply->body_case == STASHHOG__REPLY__BODY_JOB && reply->job ? reply->job->id : 0;
    rc = sh_cli_print_job_started(cli, reply, wait);
    sh_wire_reply_free(reply);
    if (wait && rc == SH_EXIT_OK && job > 0 && !cli->json && !cli->quiet)
        print_rollback_entities(cli, job);
    return rc;
}

static int run_delete(sh_cli *cli, int argc, char **argv)
{
    Stashhog__PlanDeleteRequest d = STASHHOG__PLAN_DELETE_REQUEST__INIT;
    optind = 1;
    if (!parse_id_arg(cli, argc, argv, "plans delete", &d.plan_id))
        return SH_EXIT_USAGE;
    sh_request req = STASHHOG__REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_PLAN_DELETE;
    req.plan_delete = &d;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    if (cli->json)
        sh_cli_print_json(cli, json_pack("{s:I,s:b}", "plan_id", (json_int_t)d.plan_id, "deleted", 1));
    else if (!cli->quiet)
        fprintf(cli->out, "plan %lld deleted\n", (long long)d.plan_id);
    sh_wire_reply_free(reply);
    return SH_EXIT_OK;
}

static int run_export(sh_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"output", required_argument, NULL, 'o'},
                                         {NULL, 0, NULL, 0}};
    Stashhog__PlanExportRequest x = STASHHOG__PLAN_EXPORT_REQUEST__INIT;
    const char *path = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "f:o:", opts, NULL)) != -1) {
        if (c == 'f' && (strcmp(optarg, "json") == 0 || strcmp(optarg, "csv") == 0)) {
            x.has_format = 1;
            x.format = strcmp(optarg, "csv") == 0 ? STASHHOG__EXPORT_FORMAT__EXPORT_CSV
                                                  : STASHHOG__EXPORT_FORMAT__EXPORT_JSON;
        } else if (c == 'o') {
            path = optarg;
        } else {
            return sh_cli_fail(cli, SH_EXIT_USAGE, "plans export ID [--format json|csv] [-o FILE]");
        }
    }
    if (!parse_id_arg(cli, argc, argv, "plans export", &x.plan_id))
        return SH_EXIT_USAGE;
    sh_request req = STASHHOG__REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_PLAN_EXPORT;
    req.plan_export = &x;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    rc = SH_EXIT_OK;
    const char *content = reply->plan_export ? reply->plan_export->content : NULL;
    if (!content) {
        rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no export");
    } else if (path) {
        sh_error err = {0};
        if (sh_write_file_atomic(path, content, strlen(content), 0644, &err) != SH_OK)
            rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "%s", sh_error_message(&err));
        else if (!cli->quiet && !cli->json)
            fprintf(cli->err, "wrote %s\n", path);
    } else {
        fputs(content, cli->out);
        if (*content && content[strlen(content) - 1] != '\n')
            fputc('\n', cli->out);
    }
    sh_wire_reply_free(reply);
    return rc;
}


#define REVIEW_HELP                                                                                  \
    "      --all                every change still under review\n"                                 \
    "  -c, --change ID[,ID]     these changes\n"                                                    \
    "  -f, --field F            changes of one field (studio, performers, tags, title, date, code, details)\n" \
    "  -s, --scene ID[,ID]      changes of these scenes\n"                                          \
    "      --min-confidence X   changes at least this confident; --max-confidence X: at most\n"

const sh_cli_command sh_cli_plans_commands[] = {
    {NULL, "analyze", "[filters] [--fields LIST] [--llm] [--min-confidence X] [--allow-new] [--include-organized] "
                      "[--analyzer NAME]... [--name N] [--budget USD] [--estimate] [--wait]",
     "analyze scenes and make a reviewable plan of proposed changes",
     SH_CLI_FILTER_HELP
     "      --fields LIST         only these fields (comma-separated; default all)\n"
     "      --analyzer NAME       run only this analyzer (repeatable): studio, performers, date, title, code,\n"
     "                            details, tech-tags, or a plugin from the daemon's plugins_dir\n"
     "      --llm                 also ask the LLM (openai.* settings); --budget USD caps the cost\n"
     "      --min-confidence X    drop proposals below X (0..1)\n"
     "      --allow-new           propose studios/performers/tags Stash does not have yet\n"
     "      --include-organized   also analyze scenes marked organized\n"
     "      --estimate            print the scene count and LLM cost estimate; run nothing\n"
     "      --name N              the plan's name\n" SH_CLI_WAIT_HELP
     "  From a schedule: schedules create --type analyze --param filter=SAVED-NAME (or a SceneFilter\n"
     "  JSON object) [--param name=N] [--param fields=a,b] [--param use_llm=true] ...\n",
     run_analyze},
    {"plans", "list", "[--limit N]", "plans with their status and change counts",
     "  -n, --limit N  at most N plans (newest first)\n", run_list},
    {"plans", "show", "[--status S] [--field F] [--limit N] ID", "a plan's changes as a diff per scene",
     "  -S, --status S  only changes with this status (pending, accepted, ...)\n"
     "  -f, --field F   only changes of one field\n",
     run_show},
    {"plans", "accept", "[selectors] ID", "accept changes", REVIEW_HELP, run_accept},
    {"plans", "reject", "[selectors] ID", "reject changes", REVIEW_HELP, run_reject},
    {"plans", "reset", "[selectors] ID", "put changes back to pending", REVIEW_HELP, run_reset},
    {"plans", "edit", "ID --change C (--value V | --null)", "replace a proposed value (and accept it)",
     "  -v, --value V  text, a date, a studio id or name, or comma-separated performer/tag ids or names\n"
     "      --null     propose clearing the field\n",
     run_edit},
    {"plans", "apply", "[--mark-organized] [--add-tag NAME] [--wait] ID", "write the accepted changes to Stash",
     "      --mark-organized  also mark the changed scenes organized\n"
     "      --add-tag NAME    also add this tag to the changed scenes (created if missing)\n" SH_CLI_WAIT_HELP,
     run_apply},
    {"plans", "rollback", "[--wait] ID", "restore what an applied plan changed", SH_CLI_WAIT_HELP, run_rollback},
    {"plans", "delete", "ID", "delete a plan and its changes", NULL, run_delete},
    {"plans", "export", "[--format json|csv] [-o FILE] ID", "a plan as JSON or CSV",
     "  -f, --format F  json (default) or csv\n  -o, --output F  write to a file instead of stdout\n", run_export},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
