/* backup, restore, export scenes: getting data out of (and back into) the daemon.
 *
 * backup: the daemon makes a consistent snapshot (SQLite online backup),
 * we fetch it in chunks (works over tcp), check its SHA-256 and run
 * PRAGMA integrity_check on our copy before it takes the final name.
 * restore: we check the file locally, upload it in chunks, and the daemon
 * verifies and stages it; it replaces the database at the next daemon start.
 * export scenes: client-side paging through SceneList (full records, by id)
 * into JSON or CSV holding every cached field (docs/FORMATS.md), so that
 * import scenes restores exactly what was exported. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "filter-opts.h"
#include "sh-pbjson.h"
#include "sh-util.h"

#define CHUNK (1u << 20)
#define HEX_LEN (2 * crypto_hash_sha256_BYTES)

static sh_reply *call_body(sh_cli *cli, sh_request *req, int *rc)
{
    return sh_cli_call(cli, req, rc);
}

static void release_snapshot(sh_cli *cli, const char *snapshot)
{
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__BackupChunkRequest c = STASHHOG__BACKUP_CHUNK_REQUEST__INIT;
    c.snapshot = (char *)snapshot;
    c.has_release = c.release = 1;
    req.body_case = STASHHOG__REQUEST__BODY_BACKUP_CHUNK;
    req.backup_chunk = &c;
    sh_reply *r = NULL;
    sh_error err = {0};
    if (sh_rpc_client_call(cli->client, &req, &r, &err) == SH_OK)
        sh_wire_reply_free(r);
}

/* PRAGMA integrity_check on a local file; NULL when fine, else a message (static). */
static const char *local_integrity(const char *path)
{
    static char msg[256];
    sqlite3 *h = NULL;
    sqlite3_stmt *s = NULL;
    const char *res = NULL;
    if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(msg, sizeof msg, "cannot open %s: %s", path, h ? sqlite3_errmsg(h) : "?");
        sqlite3_close(h);
        return msg;
    }
    if (sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        res = (const char *)sqlite3_column_text(s, 0);
    if (!res || strcmp(res, "ok") != 0)
        snprintf(msg, sizeof msg, "%s failed the integrity check: %s", path, res ? res : sqlite3_errmsg(h));
    bool ok = res && strcmp(res, "ok") == 0;
    sqlite3_finalize(s);
    sqlite3_close(h);
    return ok ? NULL : msg;
}

static bool file_sha256(const char *path, char hex[HEX_LEN + 1], int64_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    unsigned char buf[65536];
    size_t n;
    int64_t total = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        crypto_hash_sha256_update(&st, buf, n);
        total += (int64_t)n;
    }
    bool ok = !ferror(f);
    fclose(f);
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, d);
    sodium_bin2hex(hex, HEX_LEN + 1, d, sizeof d);
    if (size)
        *size = total;
    return ok;
}

static int run_backup(sh_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"force", no_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
    bool force = false;
    int c;
    while ((c = getopt_long(argc, argv, "f", opts, NULL)) != -1) {
        if (c != 'f')
            return sh_cli_fail(cli, SH_EXIT_USAGE, "backup: bad option (see backup --help)");
        force = true;
    }
    if (optind != argc - 1)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "backup needs exactly one PATH");
    const char *path = argv[optind];
    struct stat sb;
    if (!force && stat(path, &sb) == 0)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "%s exists (use --force to replace it)", path);
    if (sodium_init() < 0)
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "libsodium failed to initialise");

    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__BackupRequest b = STASHHOG__BACKUP_REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_BACKUP;
    req.backup = &b;
    int rc = 0;
    sh_reply *reply = call_body(cli, &req, &rc);
    if (!reply)
        return rc;
    if (reply->body_case != STASHHOG__REPLY__BODY_BACKUP || !reply->backup) {
        sh_wire_reply_free(reply);
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no snapshot");
    }
    char *snapshot = strdup(reply->backup->snapshot);
    char *want_sha = strdup(reply->backup->sha256);
    int64_t size = reply->backup->size;
    int schema = reply->backup->has_schema_version ? reply->backup->schema_version : -1;
    sh_wire_reply_free(reply);

    char *tmp = sh_strdup_printf("%s.part-XXXXXX", path);
    int fd = tmp && snapshot && want_sha ? mkstemp(tmp) : -1;
    if (fd < 0) {
        rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "cannot create %s: %s", tmp ? tmp : path, strerror(errno));
        goto out;
    }
    int64_t offset = 0;
    bool eof = false;
    while (!eof) {
        sh_request cr = STASHHOG__REQUEST__INIT;
        Stashhog__BackupChunkRequest ch = STASHHOG__BACKUP_CHUNK_REQUEST__INIT;
        ch.snapshot = snapshot;
        ch.offset = offset;
        ch.has_length = 1;
        ch.length = CHUNK;
        cr.body_case = STASHHOG__REQUEST__BODY_BACKUP_CHUNK;
        cr.backup_chunk = &ch;
        sh_reply *r = call_body(cli, &cr, &rc);
        if (!r)
            goto out;
        const Stashhog__BackupChunkReply *d = r->backup_chunk;
        if (!d || (d->data.len == 0 && !d->eof) || offset + (int64_t)d->data.len > size) {
            sh_wire_reply_free(r);
            rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent a bad chunk at offset %lld", (long long)offset);
            goto out;
        }
        if (d->data.len && write(fd, d->data.data, d->data.len) != (ssize_t)d->data.len) {
            sh_wire_reply_free(r);
            rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "writing %s: %s", tmp, strerror(errno));
            goto out;
        }
        offset += (int64_t)d->data.len;
        eof = d->eof;
        sh_wire_reply_free(r);
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        fd = -1;
        rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "writing %s: %s", tmp, strerror(errno));
        goto out;
    }
    fd = -1;
    char got_sha[HEX_LEN + 1];
    int64_t got_size = 0;
    if (!file_sha256(tmp, got_sha, &got_size) || got_size != size || strcmp(got_sha, want_sha) != 0) {
        rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "the copy does not match the snapshot (size or SHA-256)");
        goto out;
    }
    const char *bad = local_integrity(tmp);
    if (bad) {
        rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "%s", bad);
        goto out;
    }
    if (rename(tmp, path) != 0) {
        rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "cannot rename to %s: %s", path, strerror(errno));
        goto out;
    }
    free(tmp);
    tmp = NULL;
    if (cli->json)
        sh_cli_print_json(cli, json_pack("{s:s,s:I,s:s,s:i,s:b}", "path", path, "size", (json_int_t)size, "sha256",
                                         want_sha, "schema_version", schema, "integrity_ok", 1));
    else if (!cli->quiet)
        fprintf(cli->out, "backup written to %s (%lld bytes, schema %d, sha256 %s, integrity ok)\n", path,
                (long long)size, schema, want_sha);
    rc = SH_EXIT_OK;
out:
    if (fd >= 0)
        close(fd);
    if (tmp)
        unlink(tmp);
    free(tmp);
    if (snapshot)
        release_snapshot(cli, snapshot);
    free(snapshot);
    free(want_sha);
    return rc;
}

static int run_restore(sh_cli *cli, int argc, char **argv)
{
    if (argc != 2)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "restore needs exactly one PATH");
    const char *path = argv[1];
    if (sodium_init() < 0)
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "libsodium failed to initialise");
    const char *bad = local_integrity(path);
    if (bad)
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "%s", bad);
    char sha[HEX_LEN + 1];
    int64_t size = 0;
    if (!file_sha256(path, sha, &size))
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "cannot read %s: %s", path, strerror(errno));
    FILE *f = fopen(path, "rb");
    if (!f)
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "cannot read %s: %s", path, strerror(errno));
    uint8_t *buf = malloc(CHUNK);
    char *upload = NULL;
    int rc = SH_EXIT_OK;
    int64_t offset = 0;
    if (!buf) {
        fclose(f);
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "out of memory");
    }
    for (;;) {
        size_t n = fread(buf, 1, CHUNK, f);
        if (ferror(f)) {
            rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "reading %s: %s", path, strerror(errno));
            break;
        }
        bool last = offset + (int64_t)n >= size;
        sh_request req = STASHHOG__REQUEST__INIT;
        Stashhog__RestoreChunkRequest r = STASHHOG__RESTORE_CHUNK_REQUEST__INIT;
        r.upload = upload;
        r.offset = offset;
        r.has_data = 1;
        r.data.data = buf;
        r.data.len = n;
        if (last) {
            r.has_finish = r.finish = 1;
            r.sha256 = sha;
        }
        req.body_case = STASHHOG__REQUEST__BODY_RESTORE_CHUNK;
        req.restore_chunk = &r;
        sh_reply *reply = call_body(cli, &req, &rc);
        if (!reply)
            break;
        const Stashhog__RestoreReply *rr = reply->restore;
        if (!rr || !rr->upload) {
            sh_wire_reply_free(reply);
            rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no upload state");
            break;
        }
        if (!upload && !(upload = strdup(rr->upload))) {
            sh_wire_reply_free(reply);
            rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "out of memory");
            break;
        }
        offset += (int64_t)n;
        if (last) {
            if (cli->json)
                sh_cli_print_json_pb(cli, &rr->base);
            else if (!cli->quiet)
                fprintf(cli->out, "%s\n", rr->message ? rr->message : "restore staged");
            rc = rr->staged ? SH_EXIT_OK : sh_cli_fail(cli, SH_EXIT_FAILURE, "the daemon did not stage the restore");
            sh_wire_reply_free(reply);
            break;
        }
        sh_wire_reply_free(reply);
    }
    fclose(f);
    free(buf);
    free(upload);
    return rc;
}

/* ---------------------------------------------------------------- export */

/* One CSV cell.  A cell starting with = + - @ (or tab, CR) is a formula to
 * spreadsheets; Stash titles and paths are untrusted, so unless --raw it
 * gets a leading ' (and so does a cell that starts with ' itself, so the
 * importer can always take exactly one off: the file round-trips). */
static void csv_field(FILE *o, const char *s, bool guard, bool last)
{
    s = s ? s : "";
    bool formula = guard && *s && strchr("=+-@\t\r'", *s);
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL || (*s && (s[0] == ' ' || s[strlen(s) - 1] == ' '));
    if (quote)
        fputc('"', o);
    if (formula)
        fputc('\'', o);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', o);
        fputc(*p, o);
    }
    if (quote)
        fputc('"', o);
    fputs(last ? "\r\n" : ",", o);
}

/* A multi-valued or structured cell: compact JSON (as in the JSON export),
 * empty when there is nothing; j is consumed. */
static void csv_json(FILE *o, json_t *j, bool guard)
{
    char *text = j && (!json_is_array(j) || json_array_size(j)) ? json_dumps(j, JSON_COMPACT) : NULL;
    csv_field(o, text, guard, false);
    free(text);
    json_decref(j);
}

static json_t *msgs_json(ProtobufCMessage **v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, sh_pb_to_json(v[i]));
    return a;
}

#define CSV_HEADER                                                                                              \
    "id,title,date,studio,performers,tags,path,organized,updated_at,code,details,urls,files,created_at,"       \
    "synced_at_ms\r\n"

static void csv_scene(FILE *o, const Stashhog__SceneRecord *s, bool guard)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", (long long)s->id);
    csv_field(o, num, false, false);
    csv_field(o, s->title, guard, false);
    csv_field(o, s->date, guard, false);
    csv_json(o, s->studio ? sh_pb_to_json(&s->studio->base) : NULL, guard);
    csv_json(o, msgs_json((ProtobufCMessage **)s->performers, s->n_performers), guard);
    csv_json(o, msgs_json((ProtobufCMessage **)s->tags, s->n_tags), guard);
    csv_field(o, s->path, guard, false);
    csv_field(o, s->has_organized ? (s->organized ? "true" : "false") : "", false, false);
    csv_field(o, s->updated_at, guard, false);
    csv_field(o, s->code, guard, false);
    csv_field(o, s->details, guard, false);
    json_t *urls = json_array();
    for (size_t i = 0; urls && i < s->n_urls; i++)
        json_array_append_new(urls, json_string(s->urls[i]));
    csv_json(o, urls, guard);
    csv_json(o, msgs_json((ProtobufCMessage **)s->files, s->n_files), guard);
    csv_field(o, s->created_at, guard, false);
    if (s->has_synced_at_ms)
        snprintf(num, sizeof num, "%lld", (long long)s->synced_at_ms);
    csv_field(o, s->has_synced_at_ms ? num : "", false, true);
}

/* One page of whole records after after_id, in id order.  Keyset paging
 * (the user's filter AND id > after_id) stays exact while a sync adds or
 * removes scenes, and costs the same at scene 100k as at scene 1. */
static sh_reply *export_page(sh_cli *cli, const Stashhog__SceneFilter *filter, int64_t after_id, int *rc)
{
    Stashhog__SceneFilter page = *filter;
    Stashhog__Condition cond = STASHHOG__CONDITION__INIT;
    Stashhog__FilterNode cond_node = STASHHOG__FILTER_NODE__INIT, all = STASHHOG__FILTER_NODE__INIT;
    Stashhog__FilterGroup group = STASHHOG__FILTER_GROUP__INIT;
    Stashhog__FilterNode *nodes[2];
    cond.field = STASHHOG__FILTER_FIELD__FIELD_ID;
    cond.op = STASHHOG__FILTER_OP__OP_GT;
    cond.value_case = STASHHOG__CONDITION__VALUE_INT;
    cond.int_ = after_id;
    cond_node.node_case = STASHHOG__FILTER_NODE__NODE_COND;
    cond_node.cond = &cond;
    group.n_nodes = 0;
    if (filter->where)
        nodes[group.n_nodes++] = filter->where;
    nodes[group.n_nodes++] = &cond_node;
    group.nodes = nodes;
    all.node_case = STASHHOG__FILTER_NODE__NODE_ALL;
    all.all = &group;
    page.where = &all;

    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__SceneListRequest sl = STASHHOG__SCENE_LIST_REQUEST__INIT;
    sl.filter = &page;
    sl.has_sort = 1;
    sl.sort = STASHHOG__SCENE_SORT__SCENE_SORT_ID;
    sl.has_limit = 1;
    sl.limit = 500;
    sl.has_full = sl.full = 1;
    req.body_case = STASHHOG__REQUEST__BODY_SCENE_LIST;
    req.scene_list = &sl;
    return sh_cli_call(cli, &req, rc);
}

static int run_export_scenes(sh_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        SH_CLI_FILTER_LONGOPTS,
        {"format", required_argument, NULL, 'F'},
        {"output", required_argument, NULL, 'o'},
        {"raw", no_argument, NULL, 'r'},
        {NULL, 0, NULL, 0},
    };
    sh_cli_filter_opts fo;
    Stashhog__SceneFilter filter;
    const char *format = "json", *output = NULL;
    bool guard = true, ok = true;
    int c;
    sh_cli_filter_opts_init(&fo);
    while (ok && (c = getopt_long(argc, argv, SH_CLI_FILTER_SHORTOPTS "F:o:r", opts, NULL)) != -1) {
        int h = sh_cli_filter_opts_handle(cli, &fo, c, optarg);
        if (h != 0) {
            ok = h > 0;
            continue;
        }
        switch (c) {
        case 'F':
            format = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case 'r':
            guard = false;
            break;
        default:
            ok = false;
            sh_cli_fail(cli, SH_EXIT_USAGE, "export scenes: bad option (see export scenes --help)");
            break;
        }
    }
    sh_cli_filter_opts_build(&fo, &filter);
    int rc = SH_EXIT_USAGE;
    bool csv = !strcmp(format, "csv");
    FILE *o = NULL;
    if (!ok)
        goto out;
    if (!csv && strcmp(format, "json") != 0) {
        rc = sh_cli_fail(cli, SH_EXIT_USAGE, "--format is json or csv");
        goto out;
    }
    if (optind != argc) {
        rc = sh_cli_fail(cli, SH_EXIT_USAGE, "export scenes takes no arguments besides options");
        goto out;
    }
    o = output ? fopen(output, "w") : cli->out;
    if (!o) {
        rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "cannot write %s: %s", output, strerror(errno));
        goto out;
    }
    fputs(csv ? CSV_HEADER : "[", o);
    int64_t after_id = 0, count = 0;
    for (;;) {
        sh_reply *reply = export_page(cli, &filter, after_id, &rc);
        if (!reply)
            goto out;
        const Stashhog__SceneListReply *page = reply->scene_list;
        size_t n = page ? page->n_records : 0;
        for (size_t i = 0; i < n; i++) {
            const Stashhog__SceneRecord *s = page->records[i];
            if (csv) {
                csv_scene(o, s, guard);
            } else {
                json_t *j = sh_pb_to_json(&s->base);
                fputs(count ? ",\n  " : "\n  ", o);
                json_dumpf(j, o, JSON_COMPACT);
                json_decref(j);
            }
            after_id = s->id;
            count++;
        }
        sh_wire_reply_free(reply);
        if (n == 0)
            break;
    }
    if (!csv)
        fputs(count ? "\n]\n" : "]\n", o);
    rc = SH_EXIT_OK;
    if (ferror(o))
        rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "writing %s: %s", output ? output : "the output", strerror(errno));
    else if (output && !cli->quiet)
        fprintf(cli->err, "exported %lld scenes to %s\n", (long long)count, output);
out:
    if (o && o != cli->out && fclose(o) != 0 && rc == SH_EXIT_OK)
        rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "writing %s: %s", output, strerror(errno));
    sh_cli_filter_opts_fini(&fo);
    return rc;
}

const sh_cli_command sh_cli_backup_commands[] = {
    {NULL, "backup", "[--force] PATH",
     "copy the daemon's database to PATH (consistent while it runs; works over tcp)",
     "  -f, --force  replace PATH if it exists\n"
     "  The copy is checked (SHA-256 and PRAGMA integrity_check) before it gets its name.\n",
     run_backup},
    {NULL, "restore", "PATH",
     "upload a backup; the daemon verifies it and swaps it in at its next start",
     "  The current database is kept beside it as <db>.pre-restore-<time>.\n"
     "  Restart stashhogd (systemctl restart stashhogd) to apply.\n",
     run_restore},
    {"export", "scenes", "[--format json|csv] [--output FILE] [FILTERS]",
     "write every cached field of the scenes as JSON or CSV (import scenes reads it back)",
     "  -F, --format json|csv   output format (default json)\n"
     "  -o, --output FILE       write to FILE instead of stdout\n"
     "  -r, --raw               CSV: do not defuse cells that start with = + - @ (or ');\n"
     "                          such a file no longer imports back exactly\n"
     "  Formats: docs/FORMATS.md. CSV lists (studio, performers, tags, urls, files) are JSON cells.\n"
     SH_CLI_FILTER_HELP,
     run_export_scenes},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
