/* Word-level diff: LCS over word/whitespace tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "stashhog-word-diff.h"

/* Render as "=kept -removed- +added+" for compact assertions. */
static char *
render (const char *a, const char *b)
{
  g_autoptr (GPtrArray) segs = stashhog_word_diff (a, b);
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < segs->len; i++)
    {
      StashhogDiffSegment *seg = g_ptr_array_index (segs, i);
      const char *mark = seg->op == STASHHOG_DIFF_KEPT ? "=" : seg->op == STASHHOG_DIFF_REMOVED ? "-" : "+";
      g_string_append_printf (s, "%s%s%s", mark, seg->text, seg->op == STASHHOG_DIFF_KEPT ? "" : mark);
    }
  return g_string_free (s, FALSE);
}

/* Old text = kept + removed, new text = kept + added, always. */
static void
assert_reconstructs (const char *a, const char *b)
{
  g_autoptr (GPtrArray) segs = stashhog_word_diff (a, b);
  g_autoptr (GString) old_s = g_string_new (NULL);
  g_autoptr (GString) new_s = g_string_new (NULL);
  for (guint i = 0; i < segs->len; i++)
    {
      StashhogDiffSegment *seg = g_ptr_array_index (segs, i);
      assert_true (seg->text[0] != '\0');
      if (i > 0)
        assert_int_not_equal (seg->op, ((StashhogDiffSegment *) g_ptr_array_index (segs, i - 1))->op);
      if (seg->op != STASHHOG_DIFF_ADDED)
        g_string_append (old_s, seg->text);
      if (seg->op != STASHHOG_DIFF_REMOVED)
        g_string_append (new_s, seg->text);
    }
  assert_string_equal (old_s->str, a ? a : "");
  assert_string_equal (new_s->str, b ? b : "");
}

static void
test_empty (void **state)
{
  (void) state;
  g_autofree char *r1 = render ("", "");
  g_autofree char *r2 = render (NULL, NULL);
  g_autofree char *r3 = render ("", "New Title");
  g_autofree char *r4 = render ("Old Title", NULL);
  assert_string_equal (r1, "");
  assert_string_equal (r2, "");
  assert_string_equal (r3, "+New Title+");
  assert_string_equal (r4, "-Old Title-");
  assert_reconstructs (NULL, "x");
}

static void
test_identical (void **state)
{
  (void) state;
  g_autofree char *r = render ("Same words here", "Same words here");
  assert_string_equal (r, "=Same words here");
}

static void
test_all_changed (void **state)
{
  (void) state;
  g_autofree char *r = render ("alpha beta", "gamma delta");
  assert_string_equal (r, "-alpha beta-+gamma delta+");
  assert_reconstructs ("alpha beta", "gamma delta");
}

static void
test_word_change (void **state)
{
  (void) state;
  g_autofree char *r1 = render ("The quick brown fox", "The slow brown fox");
  g_autofree char *r2 = render ("scene 01 final", "Scene 01 final cut");
  g_autofree char *r3 = render ("a b c d", "a c d e");
  assert_string_equal (r1, "=The -quick-+slow+= brown fox");
  assert_string_equal (r2, "-scene-+Scene+= 01 final+ cut+");
  assert_string_equal (r3, "=a -b -=c d+ e+");
  assert_reconstructs ("a b c d", "a c d e");
  assert_reconstructs ("  leading and trailing  ", "leading  and\ttrailing");
}

static void
test_unicode (void **state)
{
  (void) state;
  g_autofree char *r1 = render ("Café au lait", "Café crème");
  g_autofree char *r2 = render ("日本語\u3000タイトル", "日本語\u3000題名");
  assert_string_equal (r1, "=Café -au lait-+crème+");
  /* U+3000 IDEOGRAPHIC SPACE is whitespace: the words are compared apart. */
  assert_string_equal (r2, "=日本語\u3000-タイトル-+題名+");
  assert_reconstructs ("Ünïcödé 🐗 text", "Ünïcödé 🐷 text");
  g_autofree char *r3 = render ("Ünïcödé 🐗 text", "Ünïcödé 🐷 text");
  assert_string_equal (r3, "=Ünïcödé -🐗-+🐷+= text");
}

/* Markup and punctuation are compared apart from the words they touch. */
static void
test_punctuation (void **state)
{
  (void) state;
  const char *old_t = "<p>Zoë &amp; friends spend a <b>sweet</b> weekend.</p>";
  const char *new_t = "Zoë & friends spend a sweet weekend.";
  g_autofree char *r1 = render (old_t, new_t);
  assert_string_equal (r1, "-<p>-=Zoë &-amp;-= friends spend a -<b>-=sweet-</b>-= weekend.-</p>-");
  assert_reconstructs (old_t, new_t);
  g_autofree char *r2 = render ("don't stop", "don't stop!");
  assert_string_equal (r2, "=don't stop+!+");
  g_autoptr (GPtrArray) t = stashhog_word_diff_tokenize ("a,b");
  assert_int_equal (t->len, 3);
  assert_string_equal (g_ptr_array_index (t, 1), ",");
}

static void
test_invalid_utf8 (void **state)
{
  (void) state;
  assert_reconstructs ("bad \xff\xfe bytes", "bad bytes");
}

static void
test_tokenize (void **state)
{
  (void) state;
  g_autoptr (GPtrArray) t = stashhog_word_diff_tokenize ("  two words\n");
  assert_int_equal (t->len, 5);
  assert_string_equal (g_ptr_array_index (t, 0), "  ");
  assert_string_equal (g_ptr_array_index (t, 1), "two");
  assert_string_equal (g_ptr_array_index (t, 2), " ");
  assert_string_equal (g_ptr_array_index (t, 3), "words");
  g_autoptr (GPtrArray) t2 = stashhog_word_diff_tokenize ("x\n");
  assert_int_equal (t2->len, 2);
}

static void
test_large_fallback (void **state)
{
  (void) state;
  g_autoptr (GString) a = g_string_new ("start ");
  g_autoptr (GString) b = g_string_new ("start ");
  for (int i = 0; i < 3000; i++)
    {
      g_string_append_printf (a, "a%d ", i);
      g_string_append_printf (b, "b%d ", i);
    }
  g_string_append (a, "end");
  g_string_append (b, "end");
  g_autoptr (GPtrArray) segs = stashhog_word_diff (a->str, b->str);
  assert_int_equal (segs->len, 4); /* kept prefix, removed, added, kept suffix */
  assert_reconstructs (a->str, b->str);
}

static void
test_markup (void **state)
{
  (void) state;
  g_autoptr (GPtrArray) segs = stashhog_word_diff ("a <b>", "a &c");
  g_autofree char *m = stashhog_word_diff_markup (segs);
  assert_non_null (strstr (m, "strikethrough=\"true\""));
  assert_non_null (strstr (m, "&lt;b&gt;"));
  assert_non_null (strstr (m, "&amp;c"));
  assert_null (strstr (m, "<b>"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_empty),      cmocka_unit_test (test_identical),
    cmocka_unit_test (test_all_changed), cmocka_unit_test (test_word_change),
    cmocka_unit_test (test_unicode),    cmocka_unit_test (test_invalid_utf8),
    cmocka_unit_test (test_tokenize),    cmocka_unit_test (test_punctuation),   cmocka_unit_test (test_large_fallback),
    cmocka_unit_test (test_markup),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
