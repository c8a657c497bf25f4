#include "stashhog-chip-diff.h"

static void
chip_free (gpointer p)
{
  StashhogChip *c = p;
  g_free (c->name);
  g_free (c);
}

static gboolean
same_entity (const Stashhog__EntityRef *a, const Stashhog__EntityRef *b)
{
  if (a->id > 0 && b->id > 0)
    return a->id == b->id;
  g_autofree char *x = g_utf8_casefold (a->name ? a->name : "", -1);
  g_autofree char *y = g_utf8_casefold (b->name ? b->name : "", -1);
  return g_strcmp0 (x, y) == 0;
}

static gboolean
contains (Stashhog__EntityRef *const *set, gsize n, const Stashhog__EntityRef *e)
{
  for (gsize i = 0; i < n; i++)
    if (set[i] && same_entity (set[i], e))
      return TRUE;
  return FALSE;
}

static gboolean
chips_contain (GPtrArray *chips, const Stashhog__EntityRef *e)
{
  for (guint i = 0; i < chips->len; i++)
    {
      StashhogChip *c = g_ptr_array_index (chips, i);
      Stashhog__EntityRef ref = STASHHOG__ENTITY_REF__INIT;
      ref.id = c->id;
      ref.name = c->name;
      if (same_entity (&ref, e))
        return TRUE;
    }
  return FALSE;
}

static void
add_chip (GPtrArray *chips, const Stashhog__EntityRef *e, StashhogChipState state)
{
  if (chips_contain (chips, e))
    return;
  StashhogChip *c = g_new0 (StashhogChip, 1);
  c->id = e->id;
  c->name = g_strdup (e->name ? e->name : "");
  c->is_new = e->has_is_new && e->is_new;
  c->state = state;
  g_ptr_array_add (chips, c);
}

GPtrArray *
stashhog_chip_diff (Stashhog__EntityRef *const *current, gsize n_current,
                    Stashhog__EntityRef *const *proposed, gsize n_proposed)
{
  GPtrArray *chips = g_ptr_array_new_with_free_func (chip_free);

  for (gsize i = 0; i < n_current; i++)
    if (current[i])
      add_chip (chips, current[i],
                contains (proposed, n_proposed, current[i]) ? STASHHOG_CHIP_KEPT : STASHHOG_CHIP_REMOVED);
  for (gsize i = 0; i < n_proposed; i++)
    if (proposed[i] && !contains (current, n_current, proposed[i]))
      add_chip (chips, proposed[i], STASHHOG_CHIP_ADDED);
  return chips;
}

GPtrArray *
stashhog_chip_diff_for_change (const Stashhog__Change *change)
{
  g_return_val_if_fail (change != NULL, NULL);
  Stashhog__EntityRef *const *cur = change->current ? change->current->entities : NULL;
  gsize n_cur = change->current ? change->current->n_entities : 0;

  if (change->proposed && (change->proposed->n_entities > 0 || change->n_added + change->n_removed == 0))
    return stashhog_chip_diff (cur, n_cur, change->proposed->entities, change->proposed->n_entities);

  GPtrArray *chips = g_ptr_array_new_with_free_func (chip_free);
  for (gsize i = 0; i < n_cur; i++)
    if (cur[i])
      add_chip (chips, cur[i],
                contains (change->removed, change->n_removed, cur[i]) ? STASHHOG_CHIP_REMOVED
                                                                     : STASHHOG_CHIP_KEPT);
  for (gsize i = 0; i < change->n_removed; i++)
    if (change->removed[i])
      add_chip (chips, change->removed[i], STASHHOG_CHIP_REMOVED);
  for (gsize i = 0; i < change->n_added; i++)
    if (change->added[i])
      add_chip (chips, change->added[i], STASHHOG_CHIP_ADDED);
  return chips;
}
