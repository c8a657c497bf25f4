/* fs-json.c - the model rendered as Stash renders it: ids as strings, unset
 * text fields as "" (Stash's Go models hold plain strings), date and
 * studio as null, file sizes as numbers (Int64). */
#include "fs-internal.h"

#include <stdio.h>

static json_t *id_str(int64_t id)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "%lld", (long long)id);
    return json_string(buf);
}

static json_t *id_obj(int64_t id)
{
    return json_pack("{s:o}", "id", id_str(id));
}

static json_t *id_objs(const fs_idlist *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, id_obj(l->v[i]));
    return a;
}

static json_t *str_array(const fs_strlist *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, json_string(l->v[i]));
    return a;
}

static json_t *nullable_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *file_json(const fs_file *f)
{
    return json_pack("{s:o,s:s,s:s,s:I,s:f,s:i,s:i,s:f,s:s}", "id", id_str(f->id), "path",
                     f->path, "basename", f->basename, "size", (json_int_t)f->size, "duration",
                     f->duration, "width", f->width, "height", f->height, "frame_rate",
                     f->frame_rate, "video_codec", f->video_codec);
}

json_t *fs_scene_json(const fs_scene *s)
{
    json_t *files = json_array();
    for (size_t i = 0; i < s->n_files; i++)
        json_array_append_new(files, file_json(&s->files[i]));
    return json_pack("{s:o,s:s,s:s,s:s,s:o,s:o,s:b,s:s,s:s,s:o,s:o,s:o,s:o}", "id",
                     id_str(s->id), "title", s->title, "code", s->code, "details", s->details,
                     "date", nullable_str(s->date), "urls", str_array(&s->urls), "organized",
                     s->organized, "created_at", s->created_at, "updated_at", s->updated_at,
                     "studio", s->studio_id ? id_obj(s->studio_id) : json_null(), "performers",
                     id_objs(&s->performers), "tags", id_objs(&s->tags), "files", files);
}

json_t *fs_entity_json(const fs_entity *e)
{
    json_t *o = json_pack("{s:o,s:s,s:b,s:s,s:s}", "id", id_str(e->id), "name", e->name,
                          "ignore_auto_tag", e->ignore_auto_tag, "created_at", e->created_at,
                          "updated_at", e->updated_at);
    switch (e->kind) {
    case FS_PERFORMER:
        json_object_set_new(o, "alias_list", str_array(&e->aliases));
        json_object_set_new(o, "disambiguation", json_string(e->disambiguation));
        json_object_set_new(o, "gender", nullable_str(e->gender));
        break;
    case FS_STUDIO:
        json_object_set_new(o, "aliases", str_array(&e->aliases));
        json_object_set_new(o, "parent_studio", e->parent_id ? id_obj(e->parent_id) : json_null());
        break;
    case FS_TAG:
    default:
        json_object_set_new(o, "aliases", str_array(&e->aliases));
        break;
    }
    return o;
}

json_t *fs_truth_json(const fs_library *lib)
{
    json_t *scenes = json_array();
    for (int64_t id = 1; id <= lib->scenes.max_id; id++) {
        const fs_scene *s = fs_table_get(&lib->scenes, id);
        if (!s)
            continue;
        json_t *perf = json_array();
        for (size_t i = 0; i < s->truth.performers.n; i++)
            json_array_append_new(perf, id_str(s->truth.performers.v[i]));
        json_array_append_new(
            scenes, json_pack("{s:o,s:s,s:o,s:o,s:o,s:o,s:o}", "id", id_str(id), "path",
                              fs_scene_path(s), "studio_id",
                              s->truth.studio_id ? id_str(s->truth.studio_id) : json_null(),
                              "performer_ids", perf, "date", nullable_str(s->truth.date),
                              "title", nullable_str(s->truth.title), "code",
                              nullable_str(s->truth.code)));
    }
    return json_pack("{s:o}", "scenes", scenes);
}

json_t *fs_state_json(const fs_library *lib)
{
    static const char *const keys[FS_KIND_COUNT] = {"performers", "studios", "tags"};
    json_t *scenes = json_array();
    for (int64_t id = 1; id <= lib->scenes.max_id; id++) {
        const fs_scene *s = fs_table_get(&lib->scenes, id);
        if (s)
            json_array_append_new(scenes, fs_scene_json(s));
    }
    json_t *doc = json_pack("{s:o}", "scenes", scenes);
    for (int k = 0; k < FS_KIND_COUNT; k++) {
        json_t *a = json_array();
        for (int64_t id = 1; id <= lib->entities[k].max_id; id++) {
            const fs_entity *e = fs_table_get(&lib->entities[k], id);
            if (e)
                json_array_append_new(a, fs_entity_json(e));
        }
        json_object_set_new(doc, keys[k], a);
    }
    return doc;
}
