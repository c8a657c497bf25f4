/* stats: library health figures (missing metadata, applied changes, jobs, LLM spend). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sh-util.h"

static const char *const job_status_names[] = {"queued", "running", "completed", "failed",
                                               "cancelled"};
#define N_JOB_STATUS (sizeof job_status_names / sizeof job_status_names[0])

static double pct(int64_t part, int64_t total)
{
    return total > 0 ? 100.0 * (double)part / (double)total : 0.0;
}

static void print_missing(FILE *o, const char *what, int64_t n, int64_t total)
{
    fprintf(o, "  %-18s %8lld  %5.1f%%\n", what, (long long)n, pct(n, total));
}

/* A bar of up to 40 '#' scaled to the busiest day. */
static void print_days(FILE *o, const Stashhog__StatsReply *s)
{
    int64_t max = 0;
    for (size_t i = 0; i < s->n_changes_per_day; i++)
        if (s->changes_per_day[i]->count > max)
            max = s->changes_per_day[i]->count;
    if (max == 0) {
        fprintf(o, "  none in the last %zu days\n", s->n_changes_per_day);
        return;
    }
    for (size_t i = 0; i < s->n_changes_per_day; i++) {
        const Stashhog__DayCount *d = s->changes_per_day[i];
        if (d->count == 0)
            continue;
        int bar = (int)((d->count * 40 + max - 1) / max);
        fprintf(o, "  %s %6lld  %.*s\n", d->day, (long long)d->count, bar,
                "########################################");
    }
}

static void print_jobs(FILE *o, const Stashhog__StatsReply *s)
{
    int64_t by_status[N_JOB_STATUS] = {0};
    for (size_t i = 0; i < s->n_jobs; i++)
        if ((size_t)s->jobs[i]->status < N_JOB_STATUS)
            by_status[s->jobs[i]->status] += s->jobs[i]->count;
    fprintf(o, "jobs:");
    for (size_t i = 0; i < N_JOB_STATUS; i++)
        fprintf(o, " %lld %s%s", (long long)by_status[i], job_status_names[i],
                i + 1 < N_JOB_STATUS ? "," : "\n");
    for (size_t i = 0; i < s->n_jobs; i++) {
        const Stashhog__JobCount *j = s->jobs[i];
        fprintf(o, "  %-18s %-10s %8lld\n", j->type,
                (size_t)j->status < N_JOB_STATUS ? job_status_names[j->status] : "?",
                (long long)j->count);
    }
}

static int run_stats(sh_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"days", required_argument, NULL, 'd'},
                                         {NULL, 0, NULL, 0}};
    int64_t days = 30;
    int c;
    while ((c = getopt_long(argc, argv, "d:", opts, NULL)) != -1) {
        if (!(c == 'd' && sh_cli_parse_int64(cli, "--days", optarg, &days) && days >= 1 &&
              days <= 366))
            return sh_cli_fail(cli, SH_EXIT_USAGE, "stats: bad option (--days 1..366)");
    }
    if (optind < argc)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "stats: unexpected argument '%s'", argv[optind]);
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__StatsRequest sr = STASHHOG__STATS_REQUEST__INIT;
    sr.has_days = 1;
    sr.days = (int32_t)days;
    req.body_case = STASHHOG__REQUEST__BODY_STATS;
    req.stats = &sr;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    const Stashhog__StatsReply *s = reply->stats;
    if (!s) {
        sh_wire_reply_free(reply);
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no stats");
    }
    if (cli->json) {
        sh_cli_print_json_pb(cli, &s->base);
    } else {
        FILE *o = cli->out;
        int64_t t = s->scenes_total;
        fprintf(o, "library: %lld scenes, %lld performers, %lld studios, %lld tags\n", (long long)t,
                (long long)s->performers, (long long)s->studios, (long long)s->tags);
        fprintf(o, "scenes missing:\n");
        print_missing(o, "studio", s->missing_studio, t);
        print_missing(o, "performers", s->missing_performers, t);
        print_missing(o, "tags", s->missing_tags, t);
        print_missing(o, "date", s->missing_date, t);
        print_missing(o, "title", s->missing_title, t);
        print_missing(o, "not organized", s->unorganized, t);
        fprintf(o, "changes applied: %lld in all, by day (UTC):\n",
                (long long)s->changes_applied_total);
        print_days(o, s);
        print_jobs(o, s);
        fprintf(o, "LLM: %lld prompt + %lld completion tokens, $%.4f over %lld plans\n",
                (long long)s->llm_prompt_tokens, (long long)s->llm_completion_tokens,
                s->llm_cost_usd, (long long)s->plans);
    }
    sh_wire_reply_free(reply);
    return SH_EXIT_OK;
}

const sh_cli_command sh_cli_stats_commands[] = {
    {NULL, "stats", "[--days N]",
     "library health: missing metadata, applied changes per day, jobs, LLM spend",
     "  -d, --days N   days of applied changes to show (default 30)\n", run_stats},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
