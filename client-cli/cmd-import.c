/* plans import, import scenes: files that `plans export` / `export scenes`
 * wrote, sent to the daemon, which parses and validates them (so a remote
 * daemon works and every check lives in one place).
 *
 * Scene files may be larger than one request: the client splits them into
 * batches of whole rows (a JSON array of at most --batch elements, or the
 * CSV header plus at most --batch records, split outside quotes), each its
 * own request and transaction. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sh-util.h"

/* The daemon refuses bytes fields above 2 MiB (server/rpc/validate.h). */
#define MAX_CONTENT (2u << 20)
#define BATCH_BYTES (MAX_CONTENT - (64u << 10))
#define MAX_FILE (1u << 30)

static bool detect_json(const char *s, size_t len)
{
    size_t i = len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i < len && (s[i] == '[' || s[i] == '{');
}

static bool parse_format(const char *text, int *format)
{
    if (strcmp(text, "json") == 0)
        *format = STASHHOG__EXPORT_FORMAT__EXPORT_JSON;
    else if (strcmp(text, "csv") == 0)
        *format = STASHHOG__EXPORT_FORMAT__EXPORT_CSV;
    else
        return false;
    return true;
}

/* --format, else the extension, else the content. */
static int format_of(int given, const char *path, const char *data, size_t len)
{
    if (given >= 0)
        return given;
    const char *dot = strrchr(path, '.');
    if (dot && strcasecmp(dot, ".csv") == 0)
        return STASHHOG__EXPORT_FORMAT__EXPORT_CSV;
    if (dot && strcasecmp(dot, ".json") == 0)
        return STASHHOG__EXPORT_FORMAT__EXPORT_JSON;
    return detect_json(data, len) ? STASHHOG__EXPORT_FORMAT__EXPORT_JSON : STASHHOG__EXPORT_FORMAT__EXPORT_CSV;
}

/* ---------------------------------------------------------------- plans */

static int run_plans_import(sh_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"name", required_argument, NULL, 'n'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"skip-missing", no_argument, NULL, 's'},
                                         {NULL, 0, NULL, 0}};
    Stashhog__PlanImportRequest x = STASHHOG__PLAN_IMPORT_REQUEST__INIT;
    int format = -1, c;
    while ((c = getopt_long(argc, argv, "n:f:s", opts, NULL)) != -1) {
        if (c == 'n') {
            x.name = optarg;
        } else if (c == 's') {
            x.has_skip_missing = x.skip_missing = 1;
        } else if (c != 'f' || !parse_format(optarg, &format)) {
            return sh_cli_fail(cli, SH_EXIT_USAGE, "plans import FILE [--name N] [--format json|csv] [--skip-missing]");
        }
    }
    if (optind != argc - 1)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "plans import takes one FILE");
    const char *path = argv[optind];
    char *data = NULL;
    size_t len = 0;
    sh_error err = {0};
    if (sh_read_file(path, MAX_CONTENT, &data, &len, &err) != SH_OK)
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "%s: %s (plan files are at most %u bytes)", path,
                           sh_error_message(&err), MAX_CONTENT);
    x.has_format = 1;
    x.format = (Stashhog__ExportFormat)format_of(format, path, data, len);
    x.content.data = (uint8_t *)data;
    x.content.len = len;
    sh_request req = STASHHOG__REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_PLAN_IMPORT;
    req.plan_import = &x;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    free(data);
    if (!reply)
        return rc;
    const Stashhog__PlanSummary *s = reply->plan_summary;
    rc = SH_EXIT_OK;
    if (!s)
        rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no plan");
    else if (cli->json)
        sh_cli_print_json_pb(cli, &s->base);
    else if (!cli->quiet)
        fprintf(cli->out, "imported plan %lld '%s': %lld changes (%lld rejected) on %lld scenes\n", (long long)s->id,
                s->name, (long long)s->change_count, (long long)s->rejected, (long long)s->scene_count);
    sh_wire_reply_free(reply);
    return rc;
}

/* ---------------------------------------------------------------- scenes */

typedef struct scene_totals {
    int64_t scenes, entities;
    json_t *warnings;
} scene_totals;

static int send_scenes(sh_cli *cli, const char *content, size_t len, int format, const char *what,
                       scene_totals *t)
{
    Stashhog__SceneImportRequest x = STASHHOG__SCENE_IMPORT_REQUEST__INIT;
    x.content.data = (uint8_t *)content;
    x.content.len = len;
    x.has_format = 1;
    x.format = (Stashhog__ExportFormat)format;
    sh_request req = STASHHOG__REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_SCENE_IMPORT;
    req.scene_import = &x;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply) {
        if (what && t->scenes)
            fprintf(cli->err, "%s failed; %lld scenes were imported before it\n", what, (long long)t->scenes);
        else if (what)
            fprintf(cli->err, "%s failed\n", what);
        return rc;
    }
    const Stashhog__SceneImportReply *r = reply->scene_import;
    if (r) {
        t->scenes += r->scenes;
        t->entities += r->entities_created;
        for (size_t i = 0; i < r->n_warnings; i++)
            json_array_append_new(t->warnings, json_string(r->warnings[i]));
    }
    sh_wire_reply_free(reply);
    return r ? SH_EXIT_OK : sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no import result");
}

static const char *skip_json_space(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

static int json_line_of(const char *data, const char *p)
{
    int line = 1;
    for (; data < p; data++)
        line += *data == '\n';
    return line;
}

/* Sends the rows gathered in part (rows first.. of the file) and empties it. */
static int send_json_part(sh_cli *cli, json_t *part, size_t first, scene_totals *t)
{
    size_t n = json_array_size(part);
    char *text = json_dumps(part, JSON_COMPACT);
    if (!text)
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "out of memory");
    char what[96];
    snprintf(what, sizeof what, "the batch of rows [%zu..%zu] (indexes in the message count from %zu)", first,
             first + (n ? n - 1 : 0), first);
    int rc = send_scenes(cli, text, strlen(text), STASHHOG__EXPORT_FORMAT__EXPORT_JSON, what, t);
    free(text);
    json_array_clear(part);
    return rc;
}

/* The array is parsed one row at a time, so memory holds one batch of rows
 * rather than the parse tree of a whole 100,000-scene file. */
static int import_json_batches(sh_cli *cli, const char *data, size_t len, size_t batch, scene_totals *t)
{
    const char *p = data, *end = data + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    p = skip_json_space(p, end);
    if (p == end || *p != '[')
        return sh_cli_fail(cli, SH_EXIT_USAGE, "JSON: expected an array of scenes (as export scenes writes)");
    p = skip_json_space(p + 1, end);
    bool closed = p < end && *p == ']';
    if (closed)
        p++;
    json_t *part = json_array();
    if (!part)
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "out of memory");
    int rc = SH_EXIT_OK;
    size_t index = 0, first = 0, part_bytes = 0;
    while (rc == SH_EXIT_OK && !closed) {
        json_error_t jerr;
        json_t *row = json_loadb(p, (size_t)(end - p), JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &jerr);
        if (!row) {
            rc = sh_cli_fail(cli, SH_EXIT_USAGE, "JSON line %d column %d: %s", json_line_of(data, p) + jerr.line - 1,
                             jerr.column, jerr.text);
            break;
        }
        size_t used = (size_t)jerr.position; /* bytes of this row, with JSON_DISABLE_EOF_CHECK */
        if (used > MAX_CONTENT) {
            json_decref(row);
            rc = sh_cli_fail(cli, SH_EXIT_USAGE, "row [%zu] is larger than %u bytes", index, MAX_CONTENT);
            break;
        }
        /* Full by count, or by size: the request must stay under the cap. */
        if (json_array_size(part) == batch || (json_array_size(part) && part_bytes + used > BATCH_BYTES)) {
            if ((rc = send_json_part(cli, part, first, t)) != SH_EXIT_OK) {
                json_decref(row);
                break;
            }
            first = index;
            part_bytes = 0;
        }
        json_array_append_new(part, row);
        part_bytes += used;
        index++;
        p = skip_json_space(p + used, end);
        if (p < end && *p == ',')
            p = skip_json_space(p + 1, end);
        else if (p < end && *p == ']')
            closed = true, p++;
        else
            rc = sh_cli_fail(cli, SH_EXIT_USAGE, "JSON line %d: expected ',' or ']' after row [%zu]",
                             json_line_of(data, p), index - 1);
    }
    if (rc == SH_EXIT_OK && skip_json_space(p, end) != end)
        rc = sh_cli_fail(cli, SH_EXIT_USAGE, "JSON line %d: text after the array of scenes", json_line_of(data, p));
    /* An empty array still makes one request: the daemon reports on it. */
    if (rc == SH_EXIT_OK && (json_array_size(part) || index == 0))
        rc = send_json_part(cli, part, first, t);
    json_decref(part);
    return rc;
}

/* End of the CSV record starting at p (just past its line break). */
static const char *csv_record_end(const char *p, const char *end, size_t *lines)
{
    bool quoted = false;
    for (; p < end; p++) {
        if (*p == '"')
            quoted = !quoted; /* a doubled quote toggles twice */
        else if (*p == '\n') {
            ++*lines;
            if (!quoted)
                return p + 1;
        }
    }
    return end;
}

static int import_csv_batches(sh_cli *cli, const char *data, size_t len, size_t batch, scene_totals *t)
{
    const char *end = data + len;
    size_t lines = 0;
    const char *body = csv_record_end(data, end, &lines);
    size_t header_len = (size_t)(body - data);
    char *buf = malloc(MAX_CONTENT);
    if (!buf)
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "out of memory");
    int rc = SH_EXIT_OK;
    const char *p = body;
    do {
        size_t start_line = lines + 1, rows = 0;
        memcpy(buf, data, header_len);
        size_t used = header_len;
        while (p < end && rows < batch) {
            size_t l = lines;
            const char *next = csv_record_end(p, end, &l);
            size_t n = (size_t)(next - p);
            if (used + n > BATCH_BYTES && rows > 0)
                break;
            if (used + n > MAX_CONTENT) {
                rc = sh_cli_fail(cli, SH_EXIT_USAGE, "CSV line %zu: record larger than %u bytes", lines + 1,
                                 MAX_CONTENT);
                break;
            }
            memcpy(buf + used, p, n);
            used += n;
            lines = l;
            p = next;
            rows++;
        }
        if (rc != SH_EXIT_OK)
            break;
        char what[96];
        snprintf(what, sizeof what, "the batch from line %zu (lines in the message count from there, header = 1)",
                 start_line);
        rc = send_scenes(cli, buf, used, STASHHOG__EXPORT_FORMAT__EXPORT_CSV, start_line > 2 ? what : NULL, t);
    } while (rc == SH_EXIT_OK && p < end);
    free(buf);
    return rc;
}

static int run_import_scenes(sh_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"batch", required_argument, NULL, 'b'},
                                         {NULL, 0, NULL, 0}};
    int format = -1, c;
    int64_t batch = 1000;
    while ((c = getopt_long(argc, argv, "f:b:", opts, NULL)) != -1) {
        if (c == 'b') {
            if (!sh_cli_parse_int64(cli, "--batch", optarg, &batch))
                return SH_EXIT_USAGE;
            if (batch < 1 || batch > 5000)
                return sh_cli_fail(cli, SH_EXIT_USAGE, "--batch is 1 to 5000 rows");
        } else if (c != 'f' || !parse_format(optarg, &format)) {
            return sh_cli_fail(cli, SH_EXIT_USAGE, "import scenes FILE [--format json|csv] [--batch N]");
        }
    }
    if (optind != argc - 1)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "import scenes takes one FILE");
    const char *path = argv[optind];
    char *data = NULL;
    size_t len = 0;
    sh_error err = {0};
    if (sh_read_file(path, MAX_FILE, &data, &len, &err) != SH_OK)
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "%s: %s", path, sh_error_message(&err));
    if (len == 0 || memchr(data, '\0', len)) {
        free(data);
        return sh_cli_fail(cli, SH_EXIT_USAGE, "%s: empty or not a text file", path);
    }
    scene_totals t = {0, 0, json_array()};
    int rc = format_of(format, path, data, len) == STASHHOG__EXPORT_FORMAT__EXPORT_JSON
                 ? import_json_batches(cli, data, len, (size_t)batch, &t)
                 : import_csv_batches(cli, data, len, (size_t)batch, &t);
    free(data);
    if (rc == SH_EXIT_OK) {
        if (cli->json) {
            sh_cli_print_json(cli, json_pack("{s:I, s:I, s:O}", "scenes", (json_int_t)t.scenes, "entities_created",
                                             (json_int_t)t.entities, "warnings", t.warnings));
        } else {
            size_t i;
            json_t *w;
            json_array_foreach(t.warnings, i, w) fprintf(cli->err, "warning: %s\n", json_string_value(w));
            if (!cli->quiet)
                fprintf(cli->out, "imported %lld scenes (%lld entities added to the cache)\n", (long long)t.scenes,
                        (long long)t.entities);
        }
    }
    json_decref(t.warnings);
    return rc;
}

const sh_cli_command sh_cli_import_commands[] = {
    {"plans", "import", "[--name N] [--format json|csv] [--skip-missing] FILE",
     "a new draft plan from a plans export file",
     "  -n, --name N        the new plan's name (default: the exported name + \" (imported)\")\n"
     "  -f, --format F      json or csv (default: from the extension, else the content)\n"
     "  -s, --skip-missing  drop changes of scenes the cache lacks (default: refuse)\n"
     "  Statuses restart at pending (rejected changes stay rejected). Needs the admin role.\n",
     run_plans_import},
    {"import", "scenes", "[--format json|csv] [--batch N] FILE",
     "load an export scenes file into the scene cache",
     "  -f, --format F  json or csv (default: from the extension, else the content)\n"
     "  -b, --batch N   rows per request (default 1000)\n"
     "  Files written by this version (JSON or CSV) carry every cached field and add the\n"
     "  studios/performers/tags they name. Older summary-only files update only their own\n"
     "  fields; old CSV links only entities already cached (by name) and warns about the\n"
     "  rest. Formats: docs/FORMATS.md. Needs the admin role.\n",
     run_import_scenes},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
