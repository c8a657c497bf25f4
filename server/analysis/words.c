/* words.c - small word lists used by the matchers and the title cleaner.
 *
 * Lists are sorted and searched with bsearch; they take folded words. */
#include <stdlib.h>
#include <string.h>

#include "analysis/an-internal.h"

/* Common English words that are also performer (stage) names: a file name
 * containing "summer" or "angel" says nothing about a performer by itself.
 * Stash's Auto Tag matches them anyway, the main source of its false
 * positives.  Keep sorted. */
static const char *const stop_words[] = {
    "amber",    "angel",    "apple",   "april",   "aurora",   "autumn", "baby",    "bambi",
    "beauty",   "berry",    "bliss",   "blossom", "blue",     "bonnie", "brandy",  "breeze",
    "bunny",    "candy",    "charity", "cherry",  "cinnamon", "coco",   "cookie",  "crystal",
    "daisy",    "dawn",     "destiny", "diamond", "doll",     "dream",  "ebony",   "eden",
    "elle",     "ember",    "eve",     "faith",   "fantasy",  "flower", "ginger",  "glory",
    "gold",     "grace",    "harmony", "hazel",   "heaven",   "holly",  "honey",   "hope",
    "ivory",    "ivy",      "jade",    "jewel",   "joy",      "june",   "karma",   "kitty",
    "lady",     "liberty",  "lily",    "london",  "lotus",    "love",   "lucky",   "luna",
    "magic",    "may",      "melody",  "mercy",   "milan",    "misty",  "mocha",   "nice",
    "olive",    "paris",    "passion", "peach",   "pearl",    "pepper", "phoenix", "pink",
    "precious", "princess", "queen",   "rain",    "raven",    "rose",   "ruby",    "sage",
    "scarlet",  "serenity", "shadow",  "silver",  "sky",      "snow",   "spice",   "star",
    "storm",    "sugar",    "summer",  "sunny",   "sunshine", "sweet",  "tiny",    "trinity",
    "unique",   "velvet",   "venus",   "violet",  "willow",   "winter",
};

/* Release and encoding words removed from titles.  Keep sorted. */
static const char *const junk_words[] = {
    "1080i", "1080p",  "120fps", "1440p", "2160p", "240p", "24fps", "25fps",  "30fps",  "360p",
    "4320p", "480p",   "4k",     "50fps", "540p",  "576p", "5k",    "60fps",  "6k",     "720p",
    "8k",    "aac",    "ac3",    "av1",   "avc",   "avi",  "bdrip", "bluray", "ddp",    "divx",
    "dts",   "dvdrip", "fhd",    "flac",  "flv",   "h264", "h265",  "hd",     "hdr",    "hdr10",
    "hdrip", "hdtv",   "hevc",   "hq",    "m4v",   "mkv",  "mov",   "mp3",    "mp4",    "mpeg",
    "mpg",   "nfo",    "repack", "sd",    "sdr",   "uhd",  "vp9",   "web",    "web-dl", "webdl",
    "webm",  "webrip", "wmv",    "x264",  "x265",  "xvid", "xxx",
};

static const char *const small_words[] = {
    "a",    "an",  "and", "as", "at", "but", "by", "for", "from", "in",
    "into", "nor", "of",  "on", "or", "the", "to", "vs",  "with",
};

static const char *const list_words[] = {"and", "feat", "featuring", "ft", "with"};

typedef struct word_key {
    const char *w;
    size_t len;
} word_key;

static int cmp_word(const void *k, const void *e)
{
    const word_key *key = k;
    const char *word = *(const char *const *)e;
    size_t wl = strlen(word);
    size_t n = key->len < wl ? key->len : wl;
    int c = memcmp(key->w, word, n);
    if (c)
        return c;
    return key->len < wl ? -1 : (key->len > wl ? 1 : 0);
}

static bool in_list(const char *const *list, size_t n, const char *w, size_t len)
{
    word_key key = {w, len};
    return bsearch(&key, list, n, sizeof list[0], cmp_word) != NULL;
}

#define IN_LIST(list, w, len) in_list((list), sizeof(list) / sizeof((list)[0]), (w), (len))

bool an_is_stop_word(const char *w, size_t len)
{
    return IN_LIST(stop_words, w, len);
}

bool an_is_small_word(const char *w, size_t len)
{
    return IN_LIST(small_words, w, len);
}

bool an_is_list_word(const char *w, size_t len)
{
    return IN_LIST(list_words, w, len);
}

static bool all_digits(const char *w, size_t len)
{
    if (!len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (w[i] < '0' || w[i] > '9')
            return false;
    return true;
}

/* Count of leading digits. */
static size_t digit_run(const char *w, size_t len)
{
    size_t i = 0;
    while (i < len && w[i] >= '0' && w[i] <= '9')
        i++;
    return i;
}

bool an_is_junk_word(const char *w, size_t len)
{
    if (!len)
        return false;
    if (IN_LIST(junk_words, w, len))
        return true;
    size_t d = digit_run(w, len);
    /* 1080p60, 720p30: resolution with a frame rate */
    if (d >= 3 && d <= 4 && d + 1 < len && (w[d] == 'p' || w[d] == 'i') &&
        all_digits(w + d + 1, len - d - 1))
        return true;
    if (d >= 3 && d <= 4 && d + 1 == len && (w[d] == 'p' || w[d] == 'i'))
        return true;
    /* 1920x1080 */
    if (d >= 3 && d <= 4 && d < len && w[d] == 'x' && all_digits(w + d + 1, len - d - 1) &&
        len - d - 1 >= 3 && len - d - 1 <= 4)
        return true;
    /* 23.976fps split as 976fps, 59fps */
    if (d >= 2 && len == d + 3 && memcmp(w + d, "fps", 3) == 0)
        return true;
    /* h.264 tokenizes as "h" "264"; x264 variants with dashes */
    if ((w[0] == 'h' || w[0] == 'x') && len == 5 && w[1] == '.' && all_digits(w + 2, 3))
        return true;
    return false;
}

bool an_tok_is_list_sep(const an_tokens *t, size_t i)
{
    if (t->tok[i].flags & AN_TOK_SEP)
        return true;
    return an_is_list_word(an_tok_str(t, i), t->tok[i].len);
}
