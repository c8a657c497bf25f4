#include "stashhog-scene-model.h"

typedef struct
{
  guint index;
  GPtrArray *items; /* StashhogSceneItem*, placeholders until loaded */
  gboolean loaded;
  guint64 last_use;
} Page;

struct _StashhogSceneModel
{
  GObject parent_instance;
  guint page_size;
  guint max_pages;
  guint n_items;
  gboolean total_known;
  guint generation;
  GHashTable *pages; /* page index -> Page* */
  guint64 use_clock;
  guint fetch_count;
  char *error;
  StashhogSceneFetchFunc fetch;
  gpointer fetch_data;
  GDestroyNotify fetch_destroy;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (StashhogSceneModel, stashhog_scene_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum { PROP_0, PROP_LOADING, PROP_N_ITEMS, PROP_ERROR, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
page_free (gpointer p)
{
  Page *page = p;
  g_ptr_array_unref (page->items);
  g_free (page);
}

static void
set_error (StashhogSceneModel *self, const char *message)
{
  if (g_strcmp0 (self->error, message) == 0)
    return;
  g_free (self->error);
  self->error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
request_page (StashhogSceneModel *self, guint index, gboolean want_total)
{
  self->fetch_count++;
  if (self->fetch)
    self->fetch (self, self->generation, index * self->page_size, self->page_size, want_total,
                 self->fetch_data);
}

static guint
distance (guint a, guint b)
{
  return a > b ? a - b : b - a;
}

/* Evict the pages farthest from `keep` (least recently used on ties). */
static void
evict (StashhogSceneModel *self, guint keep)
{
  while (g_hash_table_size (self->pages) > self->max_pages)
    {
      GHashTableIter it;
      gpointer key, value;
      Page *victim = NULL;
      g_hash_table_iter_init (&it, self->pages);
      while (g_hash_table_iter_next (&it, &key, &value))
        {
          Page *p = value;
          if (p->index == keep)
            continue;
          if (!victim || distance (p->index, keep) > distance (victim->index, keep) ||
              (distance (p->index, keep) == distance (victim->index, keep) && p->last_use < victim->last_use))
            victim = p;
        }
      if (!victim)
        return;
      g_hash_table_remove (self->pages, GUINT_TO_POINTER (victim->index));
    }
}

static Page *
create_page (StashhogSceneModel *self, guint index)
{
  guint first = index * self->page_size;
  guint count = MIN (self->page_size, self->n_items - first);
  Page *page = g_new0 (Page, 1);
  page->index = index;
  page->items = g_ptr_array_new_full (count, g_object_unref);
  page->last_use = ++self->use_clock;
  for (guint i = 0; i < count; i++)
    g_ptr_array_add (page->items, stashhog_scene_item_new (first + i));
  g_hash_table_insert (self->pages, GUINT_TO_POINTER (index), page);
  return page;
}

static Page *
ensure_page (StashhogSceneModel *self, guint index)
{
  Page *page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index));
  if (page)
    {
      page->last_use = ++self->use_clock;
      return page;
    }
  page = create_page (self, index);
  request_page (self, index, FALSE);
  return page;
}

static GType
get_item_type (GListModel *model)
{
  (void) model;
  return STASHHOG_TYPE_SCENE_ITEM;
}

static guint
get_n_items (GListModel *model)
{
  return STASHHOG_SCENE_MODEL (model)->n_items;
}

static gpointer
get_item (GListModel *model, guint position)
{
  StashhogSceneModel *self = STASHHOG_SCENE_MODEL (model);
  if (position >= self->n_items)
    return NULL;
  guint index = position / self->page_size;
  guint within = position % self->page_size;
  guint last_page = (self->n_items - 1) / self->page_size;
  Page *page = ensure_page (self, index);
  gpointer item = g_object_ref (g_ptr_array_index (page->items, within));

  /* Prefetch the neighbour page near a page edge so scrolling rarely shows
   * placeholders; never beyond the cap (the current page stays resident). */
  if (self->max_pages > 2)
    {
      if (within >= self->page_size * 3 / 4 && index < last_page)
        ensure_page (self, index + 1);
      else if (within < self->page_size / 4 && index > 0)
        ensure_page (self, index - 1);
      page->last_use = ++self->use_clock;
    }
  evict (self, index);
  return item;
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
stashhog_scene_model_finalize (GObject *object)
{
  StashhogSceneModel *self = STASHHOG_SCENE_MODEL (object);
  g_hash_table_unref (self->pages);
  g_free (self->error);
  if (self->fetch_destroy)
    self->fetch_destroy (self->fetch_data);
  G_OBJECT_CLASS (stashhog_scene_model_parent_class)->finalize (object);
}

static void
stashhog_scene_model_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StashhogSceneModel *self = STASHHOG_SCENE_MODEL (object);
  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, !self->total_known);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->n_items);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stashhog_scene_model_class_init (StashhogSceneModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->finalize = stashhog_scene_model_finalize;
  object_class->get_property = stashhog_scene_model_get_property;
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, TRUE,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
stashhog_scene_model_init (StashhogSceneModel *self)
{
  self->pages = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, page_free);
}

StashhogSceneModel *
stashhog_scene_model_new (guint page_size, guint max_pages)
{
  g_return_val_if_fail (page_size > 0, NULL);
  StashhogSceneModel *self = g_object_new (STASHHOG_TYPE_SCENE_MODEL, NULL);
  self->page_size = page_size;
  self->max_pages = MAX (max_pages, 1u);
  return self;
}

void
stashhog_scene_model_set_fetcher (StashhogSceneModel *self, StashhogSceneFetchFunc fetch,
                                  gpointer user_data, GDestroyNotify destroy)
{
  g_return_if_fail (STASHHOG_IS_SCENE_MODEL (self));
  if (self->fetch_destroy)
    self->fetch_destroy (self->fetch_data);
  self->fetch = fetch;
  self->fetch_data = user_data;
  self->fetch_destroy = destroy;
}

void
stashhog_scene_model_reload (StashhogSceneModel *self)
{
  g_return_if_fail (STASHHOG_IS_SCENE_MODEL (self));
  guint old = self->n_items;
  gboolean was_known = self->total_known;

  self->generation++;
  self->n_items = 0;
  self->total_known = FALSE;
  g_hash_table_remove_all (self->pages);
  set_error (self, NULL);
  if (old > 0)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), 0, old, 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
  if (was_known)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
  request_page (self, 0, TRUE);
}

static void
fill_page (Page *page, GPtrArray *rows)
{
  for (guint i = 0; i < page->items->len && i < rows->len; i++)
    {
      StashhogSceneRow *row = g_ptr_array_index (rows, i);
      g_ptr_array_index (rows, i) = NULL; /* ownership moves to the item */
      stashhog_scene_item_set_row (g_ptr_array_index (page->items, i), row);
    }
  page->loaded = TRUE;
}

void
stashhog_scene_model_page_loaded (StashhogSceneModel *self, guint generation, guint offset,
                                  GPtrArray *rows, gint64 total)
{
  g_autoptr (GPtrArray) owned = rows;
  g_return_if_fail (STASHHOG_IS_SCENE_MODEL (self));
  g_return_if_fail (rows != NULL);

  g_ptr_array_set_free_func (owned, (GDestroyNotify) stashhog_scene_row_free);
  if (generation != self->generation)
    return;
  if (!self->total_known)
    {
      if (offset != 0)
        return; /* only the first page establishes the size */
      self->total_known = TRUE;
      self->n_items = (guint) CLAMP (total >= 0 ? total : (gint64) rows->len, 0, (gint64) G_MAXUINT);
      if (self->n_items > 0)
        fill_page (create_page (self, 0), owned);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, self->n_items);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
      return;
    }
  Page *page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (offset / self->page_size));
  if (page && !page->loaded) /* evicted meanwhile: nothing to fill */
    fill_page (page, owned);
}

void
stashhog_scene_model_page_failed (StashhogSceneModel *self, guint generation, guint offset,
                                  const GError *error)
{
  g_return_if_fail (STASHHOG_IS_SCENE_MODEL (self));
  if (generation != self->generation)
    return;
  set_error (self, error ? error->message : "failed to load scenes");
  if (!self->total_known)
    {
      /* No size yet: leave the list empty and let the page show the error. */
      self->total_known = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
      return;
    }
  /* Forget the page so the next access asks again. */
  g_hash_table_remove (self->pages, GUINT_TO_POINTER (offset / self->page_size));
}

guint
stashhog_scene_model_get_generation (StashhogSceneModel *self)
{
  g_return_val_if_fail (STASHHOG_IS_SCENE_MODEL (self), 0);
  return self->generation;
}

guint
stashhog_scene_model_get_page_size (StashhogSceneModel *self)
{
  g_return_val_if_fail (STASHHOG_IS_SCENE_MODEL (self), 0);
  return self->page_size;
}

gboolean
stashhog_scene_model_get_loading (StashhogSceneModel *self)
{
  g_return_val_if_fail (STASHHOG_IS_SCENE_MODEL (self), FALSE);
  return !self->total_known;
}

const char *
stashhog_scene_model_get_error (StashhogSceneModel *self)
{
  g_return_val_if_fail (STASHHOG_IS_SCENE_MODEL (self), NULL);
  return self->error;
}

guint
stashhog_scene_model_get_resident_pages (StashhogSceneModel *self)
{
  g_return_val_if_fail (STASHHOG_IS_SCENE_MODEL (self), 0);
  return g_hash_table_size (self->pages);
}

guint
stashhog_scene_model_get_fetch_count (StashhogSceneModel *self)
{
  g_return_val_if_fail (STASHHOG_IS_SCENE_MODEL (self), 0);
  return self->fetch_count;
}

gboolean
stashhog_scene_model_is_page_resident (StashhogSceneModel *self, guint page_index)
{
  g_return_val_if_fail (STASHHOG_IS_SCENE_MODEL (self), FALSE);
  return g_hash_table_contains (self->pages, GUINT_TO_POINTER (page_index));
}
