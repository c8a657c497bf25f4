/* index.c - the entity index: copies of the entities plus hash dictionaries
 * from folded names and aliases (spaced and with spaces removed) to
 * posting chains.  Built once, then read concurrently without locks. */
#include <stdlib.h>
#include <string.h>

#include "analysis/an-internal.h"

static uint32_t hash_bytes(const char *s, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

uint32_t an_dict_get(const an_dict *d, const char *key, size_t len)
{
    if (!d->n_slots)
        return AN_NONE;
    uint32_t h = hash_bytes(key, len);
    uint32_t mask = d->n_slots - 1;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t slot = d->slots[i];
        if (!slot)
            return AN_NONE;
        const an_dict_key *k = &d->keys[slot - 1];
        if (k->hash == h && k->len == len && memcmp(k->s, key, len) == 0)
            return k->head;
    }
}

static bool dict_grow(an_dict *d)
{
    uint32_t n = d->n_slots ? d->n_slots * 2 : 64;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return false;
    for (uint32_t k = 0; k < d->n_keys; k++) {
        uint32_t i = d->keys[k].hash & (n - 1);
        while (slots[i])
            i = (i + 1) & (n - 1);
        slots[i] = k + 1;
    }
    free(d->slots);
    d->slots = slots;
    d->n_slots = n;
    return true;
}

/* Finds or inserts key; returns its key record or NULL on OOM. */
static an_dict_key *dict_upsert(an_dict *d, sh_arena *arena, const char *key, size_t len)
{
    if ((d->n_keys + 1) * 2 > d->n_slots && !dict_grow(d))
        return NULL;
    uint32_t h = hash_bytes(key, len);
    uint32_t mask = d->n_slots - 1;
    uint32_t i = h & mask;
    for (; d->slots[i]; i = (i + 1) & mask) {
        an_dict_key *k = &d->keys[d->slots[i] - 1];
        if (k->hash == h && k->len == len && memcmp(k->s, key, len) == 0)
            return k;
    }
    if (d->n_keys == d->cap_keys) {
        uint32_t cap = d->cap_keys ? d->cap_keys * 2 : 64;
        an_dict_key *keys = realloc(d->keys, cap * sizeof *keys);
        if (!keys)
            return NULL;
        d->keys = keys;
        d->cap_keys = cap;
    }
    char *copy = sh_arena_strndup(arena, key, len);
    if (!copy)
        return NULL;
    an_dict_key *k = &d->keys[d->n_keys++];
    *k = (an_dict_key){copy, (uint32_t)len, h, AN_NONE};
    d->slots[i] = d->n_keys;
    return k;
}

static void dict_free(an_dict *d)
{
    free(d->slots);
    free(d->keys);
    memset(d, 0, sizeof *d);
}

static bool add_posting(an_kind *k, an_dict_key *key, uint32_t entity, int32_t alias, unsigned ntok)
{
    /* grow first: `link` below may point into the array */
    if (k->n_post == k->cap_post || !k->post) {
        uint32_t cap = k->cap_post ? k->cap_post * 2 : 256;
        an_posting *p = realloc(k->post, cap * sizeof *p);
        if (!p)
            return false;
        memset(p + k->cap_post, 0, (cap - k->cap_post) * sizeof *p);
        k->post = p;
        k->cap_post = cap;
    }
    uint32_t *link = &key->head;
    while (*link != AN_NONE) {
        if (k->post[*link].entity == entity)
            return true; /* an alias equal to the name adds nothing */
        link = &k->post[*link].next;
    }
    k->post[k->n_post] = (an_posting){entity, alias, (uint8_t)(ntok > 255 ? 255 : ntok), AN_NONE};
    *link = k->n_post++;
    return true;
}

/* Adds the name or an alias of entity e under its spaced and compact keys. */
static bool add_key(sh_an_index *idx, an_kind *k, an_tokens *tk, char *compact, const char *text,
                    uint32_t e, int32_t alias)
{
    if (!compact || !an_tokenize(text, strlen(text), 0, tk))
        return false;
    if (tk->n == 0)
        return true; /* nothing matchable, e.g. "???" */
    an_dict_key *key = dict_upsert(&k->spaced, idx->arena, tk->text, tk->text_len);
    if (!key || !add_posting(k, key, e, alias, (unsigned)tk->n))
        return false;
    size_t clen = 0;
    for (size_t i = 0; i < tk->n; i++) {
        memcpy(compact + clen, an_tok_str(tk, i), tk->tok[i].len);
        clen += tk->tok[i].len;
    }
    key = dict_upsert(&k->compact, idx->arena, compact, clen);
    if (!key || !add_posting(k, key, e, alias, (unsigned)tk->n))
        return false;
    if (tk->n <= AN_MAX_KEY_TOKENS && tk->n > k->max_tokens)
        k->max_tokens = (unsigned)tk->n;
    return true;
}

static int cmp_id_slot(const void *a, const void *b)
{
    const an_id_slot *x = a, *y = b;
    return x->id < y->id ? -1 : (x->id > y->id ? 1 : 0);
}

static sh_status build_kind(sh_an_index *idx, an_kind *k, const sh_an_entity *src, size_t n,
                            const char *what, sh_error *err)
{
    if (n && !src)
        return sh_error_set(err, SH_ERR_INVALID, "%s: NULL array", what);
    k->ents = sh_arena_alloc(idx->arena, (n ? n : 1) * sizeof *k->ents);
    k->by_id = malloc((n ? n : 1) * sizeof *k->by_id);
    if (!k->ents || !k->by_id)
        return sh_error_set(err, SH_ERR_NOMEM, "%s: out of memory", what);
    for (size_t i = 0; i < n; i++) {
        const sh_an_entity *s = &src[i];
        if (s->id <= 0 || !s->name || !s->name[0])
            return sh_error_set(err, SH_ERR_INVALID, "%s #%zu: needs an id > 0 and a name", what,
                                i);
        if (s->n_aliases && !s->aliases)
            return sh_error_set(err, SH_ERR_INVALID, "%s %lld: NULL aliases", what,
                                (long long)s->id);
        sh_an_entity *d = &k->ents[i];
        *d = *s;
        d->name = sh_arena_strdup(idx->arena, s->name);
        d->disambiguation = sh_arena_strdup(idx->arena, s->disambiguation);
        char **aliases = (char **)sh_arena_ptrs(idx->arena, s->n_aliases);
        if (!d->name || !aliases)
            return sh_error_set(err, SH_ERR_NOMEM, "%s: out of memory", what);
        size_t na = 0;
        for (size_t a = 0; a < s->n_aliases; a++) {
            if (!s->aliases[a] || !s->aliases[a][0])
                continue;
            if (!(aliases[na++] = sh_arena_strdup(idx->arena, s->aliases[a])))
                return sh_error_set(err, SH_ERR_NOMEM, "%s: out of memory", what);
        }
        d->aliases = (const char *const *)aliases;
        d->n_aliases = na;
        k->by_id[i] = (an_id_slot){s->id, (uint32_t)i};
    }
    k->n = n;
    qsort(k->by_id, n, sizeof *k->by_id, cmp_id_slot);
    for (size_t i = 1; i < n; i++)
        if (k->by_id[i].id == k->by_id[i - 1].id)
            return sh_error_set(err, SH_ERR_INVALID, "%s: duplicate id %lld", what,
                                (long long)k->by_id[i].id);

    sh_status st = SH_OK;
    an_tokens tk;
    an_tokens_init(&tk);
    char *compact = NULL;
    size_t compact_cap = 0;
    for (size_t i = 0; i < n && st == SH_OK; i++) {
        const sh_an_entity *e = &k->ents[i];
        for (int32_t a = -1; a < (int32_t)e->n_aliases; a++) {
            const char *text = a < 0 ? e->name : e->aliases[a];
            size_t need = 3 * strlen(text) + 2;
            if (need > compact_cap) {
                char *p = realloc(compact, need);
                if (!p) {
                    st = sh_error_set(err, SH_ERR_NOMEM, "%s: out of memory", what);
                    break;
                }
                compact = p;
                compact_cap = need;
            }
            if (!add_key(idx, k, &tk, compact, text, (uint32_t)i, a)) {
                st = sh_error_set(err, SH_ERR_NOMEM, "%s: out of memory", what);
                break;
            }
        }
    }
    free(compact);
    an_tokens_free(&tk);
    return st;
}

sh_status sh_an_index_create(const sh_an_entity *studios, size_t n_studios,
                             const sh_an_entity *performers, size_t n_performers,
                             const sh_an_entity *tags, size_t n_tags, sh_an_index **out,
                             sh_error *err)
{
    if (!out)
        return sh_error_set(err, SH_ERR_INVALID, "sh_an_index_create: out is NULL");
    *out = NULL;
    sh_an_index *idx = calloc(1, sizeof *idx);
    if (!idx || !(idx->arena = sh_arena_create())) {
        free(idx);
        return sh_error_set(err, SH_ERR_NOMEM, "analysis index: out of memory");
    }
    sh_status st = build_kind(idx, &idx->kinds[SH_AN_STUDIO], studios, n_studios, "studio", err);
    if (st == SH_OK)
        st = build_kind(idx, &idx->kinds[SH_AN_PERFORMER], performers, n_performers, "performer",
                        err);
    if (st == SH_OK)
        st = build_kind(idx, &idx->kinds[SH_AN_TAG], tags, n_tags, "tag", err);
    if (st != SH_OK) {
        sh_an_index_destroy(idx);
        return st;
    }
    *out = idx;
    return SH_OK;
}

void sh_an_index_destroy(sh_an_index *index)
{
    if (!index)
        return;
    for (int i = 0; i < SH_AN_KIND_COUNT_; i++) {
        an_kind *k = &index->kinds[i];
        dict_free(&k->spaced);
        dict_free(&k->compact);
        free(k->post);
        free(k->by_id);
    }
    sh_arena_destroy(index->arena);
    free(index);
}

static const an_kind *kind_of(const sh_an_index *index, sh_an_kind kind)
{
    if (!index || (unsigned)kind >= SH_AN_KIND_COUNT_)
        return NULL;
    return &index->kinds[kind];
}

size_t sh_an_index_count(const sh_an_index *index, sh_an_kind kind)
{
    const an_kind *k = kind_of(index, kind);
    return k ? k->n : 0;
}

uint32_t an_kind_find_id(const an_kind *k, int64_t id)
{
    size_t lo = 0, hi = k->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k->by_id[mid].id == id)
            return k->by_id[mid].idx;
        if (k->by_id[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return AN_NONE;
}

const sh_an_entity *sh_an_index_get(const sh_an_index *index, sh_an_kind kind, int64_t id)
{
    const an_kind *k = kind_of(index, kind);
    if (!k)
        return NULL;
    uint32_t i = an_kind_find_id(k, id);
    return i == AN_NONE ? NULL : &k->ents[i];
}

an_resolve_result an_resolve(const an_kind *k, uint32_t head, const an_posting **out)
{
    const an_posting *first = &k->post[head];
    *out = first;
    for (uint32_t p = first->next; p != AN_NONE; p = k->post[p].next)
        if (k->post[p].entity != first->entity)
            return AN_RES_AMBIGUOUS;
    return k->ents[first->entity].ignore_auto_tag ? AN_RES_IGNORED : AN_RES_UNIQUE;
}

const char *an_posting_text(const an_kind *k, const an_posting *p)
{
    const sh_an_entity *e = &k->ents[p->entity];
    return p->alias < 0 ? e->name : e->aliases[p->alias];
}

sh_status sh_an_index_lookup(const sh_an_index *index, sh_an_kind kind, const char *name,
                             const sh_an_entity **out)
{
    const an_kind *k = kind_of(index, kind);
    if (out)
        *out = NULL;
    if (!k || !name)
        return SH_ERR_INVALID;
    an_tokens tk;
    an_tokens_init(&tk);
    if (!an_tokenize(name, strlen(name), 0, &tk)) {
        an_tokens_free(&tk);
        return SH_ERR_NOMEM;
    }
    uint32_t head = tk.n ? an_dict_get(&k->spaced, tk.text, tk.text_len) : AN_NONE;
    if (head == AN_NONE && tk.n) {
        /* compact form: drop the spaces in place */
        size_t w = 0;
        for (size_t r = 0; r < tk.text_len; r++)
            if (tk.text[r] != ' ')
                tk.text[w++] = tk.text[r];
        head = an_dict_get(&k->compact, tk.text, w);
    }
    an_tokens_free(&tk);
    if (head == AN_NONE)
        return SH_ERR_NOT_FOUND;
    const an_posting *p;
    an_resolve_result r = an_resolve(k, head, &p);
    if (out)
        *out = &k->ents[p->entity];
    return r == AN_RES_AMBIGUOUS ? SH_ERR_CONFLICT : SH_OK;
}

bool sh_an_index_studio_is_ancestor(const sh_an_index *index, int64_t ancestor_id,
                                    int64_t studio_id)
{
    const an_kind *k = kind_of(index, SH_AN_STUDIO);
    if (!k || ancestor_id <= 0)
        return false;
    uint32_t i = an_kind_find_id(k, studio_id);
    /* bounded walk: a parent cycle in bad data must not hang us */
    for (int depth = 0; i != AN_NONE && depth < 64; depth++) {
        int64_t parent = k->ents[i].parent_id;
        if (parent <= 0)
            return false;
        if (parent == ancestor_id)
            return true;
        i = an_kind_find_id(k, parent);
    }
    return false;
}
