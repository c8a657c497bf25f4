#include "stashhog-word-diff.h"

#include <string.h>

/* Above this many LCS cells the diff degrades to remove-all/add-all of the
 * differing middle: plan texts are short, this only guards pathological input. */
#define MAX_CELLS ((guint64) 4 << 20)

static void
segment_free (gpointer p)
{
  StashhogDiffSegment *s = p;
  g_free (s->text);
  g_free (s);
}

typedef enum { TOKEN_SPACE, TOKEN_WORD, TOKEN_OTHER } TokenClass;

static TokenClass
token_class (gunichar c)
{
  if (g_unichar_isspace (c))
    return TOKEN_SPACE;
  /* Marks stay with their letter; an apostrophe inside a word ("don't") too. */
  if (g_unichar_isalnum (c) || g_unichar_ismark (c) || c == '\'' || c == 0x2019)
    return TOKEN_WORD;
  return TOKEN_OTHER;
}

GPtrArray *
stashhog_word_diff_tokenize (const char *text)
{
  GPtrArray *tokens = g_ptr_array_new_with_free_func (g_free);
  const char *p = text ? text : "";

  while (*p)
    {
      const char *start = p;
      gunichar first = g_utf8_get_char_validated (p, -1);
      TokenClass cls = first == (gunichar) -1 || first == (gunichar) -2 ? TOKEN_WORD : token_class (first);

      /* Punctuation and markup are one token per character, so "<p>Zoë"
       * against "Zoë" keeps the word and removes only the tag. */
      if (cls == TOKEN_OTHER)
        {
          p = g_utf8_next_char (p);
          g_ptr_array_add (tokens, g_strndup (start, (gsize) (p - start)));
          continue;
        }
      while (*p)
        {
          gunichar c = g_utf8_get_char_validated (p, -1);
          if (c == (gunichar) -1 || c == (gunichar) -2)
            {
              p++; /* invalid byte: keep it with the current token */
              continue;
            }
          if (token_class (c) != cls)
            break;
          p = g_utf8_next_char (p);
        }
      g_ptr_array_add (tokens, g_strndup (start, (gsize) (p - start)));
    }
  return tokens;
}

static gboolean
is_space (const char *token)
{
  return g_unichar_isspace (g_utf8_get_char_validated (token, -1));
}

static void
emit (GPtrArray *out, StashhogDiffOp op, const char *text)
{
  if (!text || !*text)
    return;
  if (out->len > 0)
    {
      StashhogDiffSegment *last = g_ptr_array_index (out, out->len - 1);
      if (last->op == op)
        {
          char *joined = g_strconcat (last->text, text, NULL);
          g_free (last->text);
          last->text = joined;
          return;
        }
    }
  StashhogDiffSegment *s = g_new0 (StashhogDiffSegment, 1);
  s->op = op;
  s->text = g_strdup (text);
  g_ptr_array_add (out, s);
}

/* Emit pending removals then additions, so a replaced word reads "old new". */
static void
flush (GPtrArray *out, GString *removed, GString *added)
{
  emit (out, STASHHOG_DIFF_REMOVED, removed->str);
  emit (out, STASHHOG_DIFF_ADDED, added->str);
  g_string_truncate (removed, 0);
  g_string_truncate (added, 0);
}

GPtrArray *
stashhog_word_diff (const char *old_text, const char *new_text)
{
  g_autoptr (GPtrArray) a = stashhog_word_diff_tokenize (old_text);
  g_autoptr (GPtrArray) b = stashhog_word_diff_tokenize (new_text);
  GPtrArray *out = g_ptr_array_new_with_free_func (segment_free);
  g_autoptr (GString) removed = g_string_new (NULL);
  g_autoptr (GString) added = g_string_new (NULL);
  guint pre = 0, suf = 0;

  while (pre < a->len && pre < b->len &&
         strcmp (g_ptr_array_index (a, pre), g_ptr_array_index (b, pre)) == 0)
    emit (out, STASHHOG_DIFF_KEPT, g_ptr_array_index (a, pre++));
  while (suf < a->len - pre && suf < b->len - pre &&
         strcmp (g_ptr_array_index (a, a->len - 1 - suf), g_ptr_array_index (b, b->len - 1 - suf)) == 0)
    suf++;

  guint n = a->len - pre - suf, m = b->len - pre - suf;
  if ((guint64) (n + 1) * (guint64) (m + 1) > MAX_CELLS)
    {
      for (guint i = 0; i < n; i++)
        g_string_append (removed, g_ptr_array_index (a, pre + i));
      for (guint j = 0; j < m; j++)
        g_string_append (added, g_ptr_array_index (b, pre + j));
      flush (out, removed, added);
    }
  else if (n + m > 0)
    {
      /* lcs[i][j] = LCS length of a[pre+i..] and b[pre+j..] (suffix table). */
      guint *lcs = g_new0 (guint, (gsize) (n + 1) * (gsize) (m + 1));
#define L(i, j) lcs[(gsize) (i) * ((gsize) m + 1) + (j)]
      for (guint i = n; i-- > 0;)
        for (guint j = m; j-- > 0;)
          {
            if (strcmp (g_ptr_array_index (a, pre + i), g_ptr_array_index (b, pre + j)) == 0)
              L (i, j) = L (i + 1, j + 1) + 1;
            else
              L (i, j) = MAX (L (i + 1, j), L (i, j + 1));
          }
      /* A common whitespace run between two changes is not worth showing as
       * kept ("-a b-+c d+" reads better than "-a-+c+ -b-+d+"): hold it in
       * `ws` until the next token decides. */
      g_autoptr (GString) ws = g_string_new (NULL);
      guint i = 0, j = 0;
      while (i < n || j < m)
        {
          const char *ta = i < n ? g_ptr_array_index (a, pre + i) : NULL;
          const char *tb = j < m ? g_ptr_array_index (b, pre + j) : NULL;
          gboolean change_pending = removed->len > 0 || added->len > 0;
          if (ta && tb && strcmp (ta, tb) == 0)
            {
              if (change_pending && is_space (ta))
                g_string_append (ws, ta);
              else
                {
                  flush (out, removed, added);
                  emit (out, STASHHOG_DIFF_KEPT, ws->str);
                  g_string_truncate (ws, 0);
                  emit (out, STASHHOG_DIFF_KEPT, ta);
                }
              i++, j++;
              continue;
            }
          if (ws->len)
            {
              g_string_append (removed, ws->str);
              g_string_append (added, ws->str);
              g_string_truncate (ws, 0);
            }
          if (tb && (!ta || L (i, j + 1) >= L (i + 1, j)))
            g_string_append (added, g_ptr_array_index (b, pre + j++));
          else
            g_string_append (removed, g_ptr_array_index (a, pre + i++));
        }
#undef L
      g_free (lcs);
      flush (out, removed, added);
      emit (out, STASHHOG_DIFF_KEPT, ws->str);
    }

  for (guint k = a->len - suf; k < a->len; k++)
    emit (out, STASHHOG_DIFF_KEPT, g_ptr_array_index (a, k));
  return out;
}

char *
stashhog_word_diff_markup (GPtrArray *segments)
{
  GString *s = g_string_new (NULL);

  g_return_val_if_fail (segments != NULL, g_string_free (s, FALSE));
  for (guint i = 0; i < segments->len; i++)
    {
      StashhogDiffSegment *seg = g_ptr_array_index (segments, i);
      g_autofree char *esc = g_markup_escape_text (seg->text, -1);
      switch (seg->op)
        {
        case STASHHOG_DIFF_KEPT:
          g_string_append (s, esc);
          break;
        case STASHHOG_DIFF_REMOVED:
          g_string_append_printf (s, "<span strikethrough=\"true\" foreground=\"#e01b24\" "
                                     "background=\"#e01b24\" bgalpha=\"15%%\">%s</span>", esc);
          break;
        case STASHHOG_DIFF_ADDED:
          g_string_append_printf (s, "<span foreground=\"#26a269\" background=\"#2ec27e\" bgalpha=\"15%%\">%s</span>",
                                  esc);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  return g_string_free (s, FALSE);
}
