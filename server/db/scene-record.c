#include "db/scene-record.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "db/scene-read.h"

/* ---------------------------------------------------------------- read */

/* Column text into the arena; NULL stays absent, "" stays "" (the record
 * must hand back exactly what the row holds). */
static bool col_dup(sh_arena *a, sqlite3_stmt *stmt, int col, char **out)
{
    const char *t = sh_db_column_text(stmt, col);
    *out = t ? sh_arena_strdup(a, t) : NULL;
    return !t || *out;
}

/* Column text where "" means unset, as browsing reads the scene row. */
static bool col_set(sh_arena *a, sqlite3_stmt *stmt, int col, char **out)
{
    const char *t = sh_db_column_text(stmt, col);
    *out = sh_str_empty(t) ? NULL : sh_arena_strdup(a, t);
    return sh_str_empty(t) || *out;
}

/* Grows an arena array of pointers (old blocks stay in the arena). */
static bool push_ptr(sh_arena *a, void ***v, size_t *n, size_t *cap, void *p)
{
    if (!p)
        return false;
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        void **nv = sh_arena_ptrs(a, ncap);
        if (!nv)
            return false;
        if (*n)
            memcpy(nv, *v, *n * sizeof *nv);
        *v = nv;
        *cap = ncap;
    }
    (*v)[(*n)++] = p;
    return true;
}

static sh_status step_error(sh_error *err)
{
    return err ? err->code : SH_ERR_DB;
}

static sh_status read_row(sh_db *db, sh_arena *a, Stashhog__SceneRecord *r, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db, "SELECT code, details, stash_created_at, synced_at FROM scenes WHERE id = ?1",
                                 &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, r->id);
    int rc = sh_db_step(db, s, err);
    bool ok = true;
    if (rc == 1) {
        ok = col_set(a, s, 0, &r->code) && col_set(a, s, 1, &r->details) && col_set(a, s, 2, &r->created_at);
        r->has_synced_at_ms = 1;
        r->synced_at_ms = sqlite3_column_int64(s, 3);
    }
    sqlite3_reset(s);
    if (rc < 0)
        return step_error(err);
    if (rc == 0)
        return sh_error_set(err, SH_ERR_NOT_FOUND, "scene %lld is not in the cache", (long long)r->id);
    return ok ? SH_OK : sh_error_set(err, SH_ERR_NOMEM, NULL);
}

static sh_status read_urls(sh_db *db, sh_arena *a, Stashhog__SceneRecord *r, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db, "SELECT url FROM scene_urls WHERE scene_id = ?1 ORDER BY position", &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, r->id);
    size_t cap = 0;
    int rc;
    bool ok = true;
    while (ok && (rc = sh_db_step(db, s, err)) == 1) {
        char *u = NULL;
        ok = col_dup(a, s, 0, &u) && push_ptr(a, (void ***)&r->urls, &r->n_urls, &cap, u);
    }
    sqlite3_reset(s);
    if (!ok)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    return rc < 0 ? step_error(err) : SH_OK;
}

static sh_status read_files(sh_db *db, sh_arena *a, Stashhog__SceneRecord *r, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db,
                                 "SELECT id, path, basename, size, duration, width, height, frame_rate, video_codec "
                                 "FROM scene_files WHERE scene_id = ?1 ORDER BY position, id",
                                 &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, r->id);
    size_t cap = 0;
    int rc;
    bool ok = true;
    while (ok && (rc = sh_db_step(db, s, err)) == 1) {
        Stashhog__SceneFile *f = SH_ARENA_NEW(a, Stashhog__SceneFile);
        if (!f) {
            ok = false;
            break;
        }
        stashhog__scene_file__init(f);
        f->id = sqlite3_column_int64(s, 0);
        ok = col_dup(a, s, 1, &f->path) && col_dup(a, s, 2, &f->basename) && col_dup(a, s, 8, &f->video_codec);
        if (!f->path)
            f->path = ""; /* NOT NULL in the schema; required in the message */
        if ((f->has_size = sqlite3_column_type(s, 3) != SQLITE_NULL))
            f->size = sqlite3_column_int64(s, 3);
        if ((f->has_duration = sqlite3_column_type(s, 4) != SQLITE_NULL))
            f->duration = sqlite3_column_double(s, 4);
        if ((f->has_width = sqlite3_column_type(s, 5) != SQLITE_NULL))
            f->width = sqlite3_column_int(s, 5);
        if ((f->has_height = sqlite3_column_type(s, 6) != SQLITE_NULL))
            f->height = sqlite3_column_int(s, 6);
        if ((f->has_frame_rate = sqlite3_column_type(s, 7) != SQLITE_NULL))
            f->frame_rate = sqlite3_column_double(s, 7);
        ok = ok && push_ptr(a, (void ***)&r->files, &r->n_files, &cap, f);
    }
    sqlite3_reset(s);
    if (!ok)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    return rc < 0 ? step_error(err) : SH_OK;
}

sh_status sh_scene_record_read(sh_db *db, sh_arena *a, int64_t id, Stashhog__SceneRecord **out, sh_error *err)
{
    *out = NULL;
    Stashhog__SceneSummary *sum = NULL;
    Stashhog__SceneRecord *r = SH_ARENA_NEW(a, Stashhog__SceneRecord);
    if (!r)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    /* The summary part is read exactly as browsing shows it. */
    sh_status st = sh_scene_read_summary(db, a, id, &sum, err);
    if (st != SH_OK)
        return st;
    stashhog__scene_record__init(r);
    r->id = sum->id;
    r->title = sum->title;
    r->date = sum->date;
    r->studio = sum->studio;
    r->n_performers = sum->n_performers;
    r->performers = sum->performers;
    r->n_tags = sum->n_tags;
    r->tags = sum->tags;
    r->path = sum->path;
    r->has_organized = sum->has_organized;
    r->organized = sum->organized;
    r->updated_at = sum->updated_at;
    if ((st = read_row(db, a, r, err)) != SH_OK || (st = read_urls(db, a, r, err)) != SH_OK ||
        (st = read_files(db, a, r, err)) != SH_OK)
        return st;
    *out = r;
    return SH_OK;
}

/* ---------------------------------------------------------------- check */

bool sh_scene_record_valid_date(const char *d)
{
    if (sh_str_empty(d))
        return true;
    if (strlen(d) != 10 || d[4] != '-' || d[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)d[i]))
            return false;
    int month = (d[5] - '0') * 10 + (d[6] - '0'), day = (d[8] - '0') * 10 + (d[9] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

typedef struct checker {
    char *field;
    size_t field_len;
    sh_error *err;
} checker;

static sh_status bad(checker *c, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static sh_status bad(checker *c, const char *field, const char *fmt, ...)
{
    char msg[SH_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->field && c->field_len)
        snprintf(c->field, c->field_len, "%s", field);
    return sh_error_set(c->err, SH_ERR_INVALID, "%s", msg);
}

static sh_status text(checker *c, const char *field, const char *s, size_t max)
{
    if (s && strlen(s) > max)
        return bad(c, field, "is longer than %zu bytes", max);
    return SH_OK;
}

/* Stash timestamps are opaque strings to us (compared as text), but one
 * line of printable text. */
static sh_status stamp(checker *c, const char *field, const char *s)
{
    if (!s)
        return SH_OK;
    if (strlen(s) > SH_RECORD_MAX_STAMP)
        return bad(c, field, "is longer than %d bytes", SH_RECORD_MAX_STAMP);
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20)
            return bad(c, field, "holds a control character");
    return SH_OK;
}

static sh_status ref(checker *c, const char *field, const Stashhog__EntityRef *e)
{
    if (e->id <= 0)
        return bad(c, field, "id %lld is not positive", (long long)e->id);
    return text(c, field, e->name, SH_RECORD_MAX_TEXT);
}

static sh_status refs(checker *c, const char *name, Stashhog__EntityRef *const *v, size_t n)
{
    char field[64];
    if (n > SH_RECORD_MAX_LIST)
        return bad(c, name, "has more than %d entries", SH_RECORD_MAX_LIST);
    sh_status st = SH_OK;
    for (size_t i = 0; i < n && st == SH_OK; i++) {
        snprintf(field, sizeof field, "%s[%zu]", name, i);
        st = ref(c, field, v[i]);
    }
    return st;
}

static bool nonneg(double v)
{
    return isfinite(v) && v >= 0;
}

static sh_status file(checker *c, const Stashhog__SceneRecord *r, size_t i)
{
    const Stashhog__SceneFile *f = r->files[i];
    char field[64];
    snprintf(field, sizeof field, "files[%zu]", i);
    /* id 0: a file an old summary import added, numbered by the cache. */
    if (f->id < 0)
        return bad(c, field, "id %lld is negative", (long long)f->id);
    for (size_t k = 0; f->id > 0 && k < i; k++)
        if (r->files[k]->id == f->id)
            return bad(c, field, "id %lld is also files[%zu]'s", (long long)f->id, k);
    sh_status st;
    snprintf(field, sizeof field, "files[%zu].path", i);
    if (sh_str_empty(f->path))
        return bad(c, field, "is empty");
    if ((st = text(c, field, f->path, SH_RECORD_MAX_TEXT)) != SH_OK)
        return st;
    snprintf(field, sizeof field, "files[%zu].basename", i);
    if ((st = text(c, field, f->basename, SH_RECORD_MAX_TEXT)) != SH_OK)
        return st;
    snprintf(field, sizeof field, "files[%zu].video_codec", i);
    if ((st = text(c, field, f->video_codec, SH_RECORD_MAX_STAMP)) != SH_OK)
        return st;
    snprintf(field, sizeof field, "files[%zu]", i);
    if (f->has_size && f->size < 0)
        return bad(c, field, "size %lld is negative", (long long)f->size);
    if (f->has_width && f->width < 0)
        return bad(c, field, "width %d is negative", f->width);
    if (f->has_height && f->height < 0)
        return bad(c, field, "height %d is negative", f->height);
    if (f->has_duration && !nonneg(f->duration))
        return bad(c, field, "duration is negative or not finite");
    if (f->has_frame_rate && !nonneg(f->frame_rate))
        return bad(c, field, "frame_rate is negative or not finite");
    return SH_OK;
}

sh_status sh_scene_record_check(const Stashhog__SceneRecord *r, bool full, char *field, size_t field_len,
                                sh_error *err)
{
    checker c = {field, field_len, err};
    sh_status st;
    if (field && field_len)
        field[0] = '\0';
    if (r->id <= 0)
        return bad(&c, "id", "%lld is not a positive integer", (long long)r->id);
    if (!sh_scene_record_valid_date(r->date))
        return bad(&c, "date", "'%.32s' is not YYYY-MM-DD", r->date);
    if ((st = text(&c, "title", r->title, SH_RECORD_MAX_TEXT)) != SH_OK ||
        (st = text(&c, "code", r->code, SH_RECORD_MAX_TEXT)) != SH_OK ||
        (st = text(&c, "details", r->details, SH_RECORD_MAX_DETAILS)) != SH_OK ||
        (st = text(&c, "path", r->path, SH_RECORD_MAX_TEXT)) != SH_OK ||
        (st = stamp(&c, "created_at", r->created_at)) != SH_OK ||
        (st = stamp(&c, "updated_at", r->updated_at)) != SH_OK)
        return st;
    if (r->studio && (st = ref(&c, "studio", r->studio)) != SH_OK)
        return st;
    if ((st = refs(&c, "performers", r->performers, r->n_performers)) != SH_OK ||
        (st = refs(&c, "tags", r->tags, r->n_tags)) != SH_OK)
        return st;
    if (r->n_urls > SH_RECORD_MAX_LIST)
        return bad(&c, "urls", "has more than %d entries", SH_RECORD_MAX_LIST);
    for (size_t i = 0; i < r->n_urls; i++) {
        char f[32];
        snprintf(f, sizeof f, "urls[%zu]", i);
        if (sh_str_empty(r->urls[i]))
            return bad(&c, f, "is empty");
        if ((st = text(&c, f, r->urls[i], SH_RECORD_MAX_URL)) != SH_OK)
            return st;
    }
    if (r->n_files > SH_RECORD_MAX_LIST)
        return bad(&c, "files", "has more than %d entries", SH_RECORD_MAX_LIST);
    for (size_t i = 0; i < r->n_files; i++)
        if ((st = file(&c, r, i)) != SH_OK)
            return st;
    if (r->has_synced_at_ms && r->synced_at_ms < 0)
        return bad(&c, "synced_at_ms", "%lld is negative", (long long)r->synced_at_ms);
    /* The primary path is files[0]'s: a record saying otherwise was edited
     * by hand and would import differently from what it says. */
    const char *first = r->n_files ? r->files[0]->path : NULL;
    if (full && !sh_str_empty(r->path) && (!first || strcmp(first, r->path) != 0))
        return bad(&c, "path", "'%.200s' is not files[0].path", r->path);
    if (full && sh_str_empty(r->path) && first)
        return bad(&c, "path", "is empty but the scene has files");
    return SH_OK;
}

/* ---------------------------------------------------------------- to SceneData */

static json_t *id_obj(int64_t id)
{
    return json_pack("{s:I}", "id", (json_int_t)id);
}

static int set(json_t *o, const char *key, json_t *v)
{
    return v ? json_object_set_new(o, key, v) : -1;
}

static int set_str(json_t *o, const char *key, const char *s)
{
    return s ? set(o, key, json_string(s)) : 0;
}

static json_t *file_data(const Stashhog__SceneFile *f)
{
    json_t *o = json_object();
    int bad = !o;
    if (!bad && f->id > 0)
        bad |= set(o, "id", json_integer(f->id));
    if (!bad) {
        bad |= set_str(o, "path", f->path);
        bad |= set_str(o, "basename", f->basename);
        bad |= set_str(o, "video_codec", f->video_codec);
        if (f->has_size)
            bad |= set(o, "size", json_integer(f->size));
        if (f->has_duration)
            bad |= set(o, "duration", json_real(f->duration));
        if (f->has_width)
            bad |= set(o, "width", json_integer(f->width));
        if (f->has_height)
            bad |= set(o, "height", json_integer(f->height));
        if (f->has_frame_rate)
            bad |= set(o, "frame_rate", json_real(f->frame_rate));
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *sh_scene_record_to_data(const Stashhog__SceneRecord *r)
{
    json_t *s = json_object(), *perf = json_array(), *tags = json_array(), *urls = json_array(),
           *files = json_array();
    int bad = !s || !perf || !tags || !urls || !files;
    for (size_t i = 0; !bad && i < r->n_performers; i++)
        bad |= json_array_append_new(perf, id_obj(r->performers[i]->id));
    for (size_t i = 0; !bad && i < r->n_tags; i++)
        bad |= json_array_append_new(tags, id_obj(r->tags[i]->id));
    for (size_t i = 0; !bad && i < r->n_urls; i++)
        bad |= json_array_append_new(urls, json_string(r->urls[i]));
    for (size_t i = 0; !bad && i < r->n_files; i++)
        bad |= json_array_append_new(files, file_data(r->files[i]));
    if (!bad) {
        bad |= set(s, "id", json_integer(r->id));
        bad |= set_str(s, "title", r->title);
        bad |= set_str(s, "code", r->code);
        bad |= set_str(s, "details", r->details);
        bad |= set_str(s, "date", r->date);
        bad |= set_str(s, "created_at", r->created_at);
        bad |= set_str(s, "updated_at", r->updated_at);
        bad |= set(s, "organized", json_boolean(r->has_organized && r->organized));
        if (r->studio)
            bad |= set(s, "studio", id_obj(r->studio->id));
        bad |= set(s, "performers", json_incref(perf));
        bad |= set(s, "tags", json_incref(tags));
        bad |= set(s, "urls", json_incref(urls));
        bad |= set(s, "files", json_incref(files));
    }
    json_decref(perf);
    json_decref(tags);
    json_decref(urls);
    json_decref(files);
    if (bad) {
        json_decref(s);
        return NULL;
    }
    return s;
}
