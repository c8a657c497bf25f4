/* mutate.c - structure-aware mutations of encoded protobuf requests:
 * bit flips, byte stores, truncation, length-field and varint corruption,
 * splicing two requests, inserting, duplicating and deleting chunks. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-harness.h"

uint64_t sh_fuzz_rand(uint64_t *state)
{
    uint64_t x = *state ? *state : 0x9E3779B97F4A7C15ull;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static size_t below(uint64_t *rng, size_t n)
{
    return n ? (size_t)(sh_fuzz_rand(rng) % n) : 0;
}

struct buf {
    uint8_t *p;
    size_t len, cap;
};

/* Replace [pos, pos+del) with ins[0..ins_len). */
static void splice_in(struct buf *b, size_t pos, size_t del, const uint8_t *ins, size_t ins_len)
{
    if (pos > b->len)
        pos = b->len;
    if (del > b->len - pos)
        del = b->len - pos;
    size_t need = b->len - del + ins_len;
    if (need > b->cap) {
        size_t cap = need * 2 + 16;
        uint8_t *p = realloc(b->p, cap);
        if (!p)
            abort();
        b->p = p;
        b->cap = cap;
    }
    memmove(b->p + pos + ins_len, b->p + pos + del, b->len - pos - del);
    if (ins_len)
        memcpy(b->p + pos, ins, ins_len);
    b->len = need;
}

static size_t put_varint(uint8_t out[10], uint64_t v)
{
    size_t n = 0;
    do {
        out[n] = (uint8_t)(v & 0x7F);
        v >>= 7;
        if (v)
            out[n] |= 0x80;
        n++;
    } while (v && n < 10);
    return n;
}

static bool get_varint(const uint8_t *p, size_t end, size_t *pos, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64 && *pos < end; shift += 7) {
        uint8_t c = p[(*pos)++];
        *v |= (uint64_t)(c & 0x7F) << shift;
        if (!(c & 0x80))
            return true;
    }
    return false;
}

struct loc {
    size_t pos, size; /* the varint (length or value) */
    bool is_len;
    uint64_t value;
};

/* Find varint values and length prefixes, descending into anything that parses. */
static size_t scan(const uint8_t *p, size_t start, size_t end, struct loc *locs, size_t n, size_t max, int depth)
{
    size_t pos = start;
    while (pos < end && n < max) {
        uint64_t key, v;
        if (!get_varint(p, end, &pos, &key) || (key >> 3) == 0)
            break;
        size_t vpos = pos;
        switch (key & 7) {
        case 0:
            if (!get_varint(p, end, &pos, &v))
                return n;
            locs[n++] = (struct loc){vpos, pos - vpos, false, v};
            break;
        case 1:
            pos += 8;
            break;
        case 5:
            pos += 4;
            break;
        case 2:
            if (!get_varint(p, end, &pos, &v) || v > end - pos)
                return n;
            locs[n++] = (struct loc){vpos, pos - vpos, true, v};
            if (depth < 4)
                n = scan(p, pos, pos + v, locs, n, max, depth + 1);
            pos += v;
            break;
        default:
            return n;
        }
    }
    return n;
}

static const uint64_t interesting[] = {
    0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF, 0x7FFFFFFF, 0x80000000ull, 0xFFFFFFFFull,
    0x7FFFFFFFFFFFFFFFull, 0x8000000000000000ull, 0xFFFFFFFFFFFFFFFFull, 4u << 20, 1u << 30,
};
#define N_INTERESTING (sizeof interesting / sizeof interesting[0])

static void mutate_once(uint64_t *rng, struct buf *b, const uint8_t *other, size_t other_len)
{
    struct loc locs[128];
    switch (below(rng, 9)) {
    case 0: /* bit flips */
        for (size_t k = 1 + below(rng, 4); k > 0 && b->len; k--)
            b->p[below(rng, b->len)] ^= (uint8_t)(1u << below(rng, 8));
        break;
    case 1: { /* store an interesting byte */
        static const uint8_t bytes[] = {0x00, 0x01, 0x7F, 0x80, 0xFF, 0xC0, 0xED, 0xF4, '%', '\''};
        if (b->len)
            b->p[below(rng, b->len)] = bytes[below(rng, sizeof bytes)];
        break;
    }
    case 2: /* truncate */
        b->len = below(rng, b->len + 1);
        break;
    case 3:   /* corrupt a length prefix */
    case 4: { /* corrupt a varint value */
        bool want_len = b->len && below(rng, 2) == 0;
        size_t n = scan(b->p, 0, b->len, locs, 0, 128, 0), pick = n, seen = 0;
        for (size_t i = 0; i < n; i++)
            if (locs[i].is_len == want_len && below(rng, ++seen) == 0)
                pick = i;
        if (pick == n)
            pick = n ? below(rng, n) : n;
        if (pick == n)
            break;
        uint64_t v = locs[pick].value;
        switch (below(rng, 4)) {
        case 0:
            v += 1 + below(rng, 4);
            break;
        case 1:
            v = v ? v - 1 - below(rng, v < 4 ? v : 4) : 0;
            break;
        default:
            v = interesting[below(rng, N_INTERESTING)];
            break;
        }
        uint8_t enc[10];
        size_t elen = put_varint(enc, v);
        splice_in(b, locs[pick].pos, locs[pick].size, enc, elen);
        break;
    }
    case 5: { /* splice: our prefix, another request's suffix */
        size_t cut = below(rng, b->len + 1), from = below(rng, other_len + 1);
        b->len = cut;
        splice_in(b, cut, 0, other + from, other_len - from);
        break;
    }
    case 6: { /* insert random bytes */
        uint8_t junk[16];
        size_t n = 1 + below(rng, sizeof junk);
        for (size_t i = 0; i < n; i++)
            junk[i] = (uint8_t)sh_fuzz_rand(rng);
        splice_in(b, below(rng, b->len + 1), 0, junk, n);
        break;
    }
    case 7: { /* duplicate a chunk (repeats fields, nests messages) */
        if (!b->len)
            break;
        size_t a = below(rng, b->len), n = 1 + below(rng, b->len - a);
        uint8_t *copy = malloc(n);
        if (!copy)
            abort();
        memcpy(copy, b->p + a, n);
        splice_in(b, below(rng, b->len + 1), 0, copy, n);
        free(copy);
        break;
    }
    default: { /* delete a chunk */
        if (!b->len)
            break;
        size_t a = below(rng, b->len);
        splice_in(b, a, 1 + below(rng, b->len - a), NULL, 0);
        break;
    }
    }
}

void sh_fuzz_mutate(uint64_t *rng, const uint8_t *in, size_t len, const uint8_t *other, size_t other_len,
                    uint8_t **out, size_t *out_len)
{
    struct buf b = {.p = malloc(len + 64), .len = len, .cap = len + 64};
    if (!b.p)
        abort();
    memcpy(b.p, in, len);
    /* Mostly one mutation, so many inputs still decode and reach the handlers. */
    for (size_t k = below(rng, 3) == 0 ? 2 + below(rng, 2) : 1; k > 0; k--)
        mutate_once(rng, &b, other, other_len);
    /* Keep the size sane: the daemon's receive cap is tested elsewhere. */
    if (b.len > (1u << 20))
        b.len = 1u << 20;
    *out = b.p;
    *out_len = b.len;
}
