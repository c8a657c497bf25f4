/* stashhog-word-diff.h - word-level diff of two texts (LCS over tokens).
 *
 * Texts are split into runs of word characters, runs of whitespace and
 * single punctuation / markup characters, so concatenating the KEPT+REMOVED segments gives back the old
 * text and KEPT+ADDED the new one.  Displayless: used by the plan view and
 * tested on its own. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  STASHHOG_DIFF_KEPT,
  STASHHOG_DIFF_REMOVED,
  STASHHOG_DIFF_ADDED,
} StashhogDiffOp;

typedef struct {
  StashhogDiffOp op;
  char *text;
} StashhogDiffSegment;

/* Returns a GPtrArray of StashhogDiffSegment* (adjacent segments of the same
 * op merged; removals before additions at each change).  NULL texts count as
 * empty.  Inputs whose token product is above a limit fall back to one
 * removal plus one addition around the common prefix and suffix. */
GPtrArray *stashhog_word_diff (const char *old_text, const char *new_text);

/* Pango markup for the segments: removed struck through in red, added in green. */
char *stashhog_word_diff_markup (GPtrArray *segments);

/* Split into word / whitespace / punctuation tokens (exposed for tests). */
GPtrArray *stashhog_word_diff_tokenize (const char *text);

G_END_DECLS
