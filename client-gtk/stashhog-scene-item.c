#include "stashhog-scene-item.h"

#include "stashhog-format.h"

struct _StashhogSceneItem
{
  GObject parent_instance;
  guint position;
  StashhogSceneRow *row;
};

G_DEFINE_FINAL_TYPE (StashhogSceneItem, stashhog_scene_item, G_TYPE_OBJECT)

enum { PROP_0, PROP_LOADED, N_PROPS };
static GParamSpec *properties[N_PROPS];

StashhogSceneRow *
stashhog_scene_row_new_from_summary (const Stashhog__SceneSummary *s)
{
  g_return_val_if_fail (s != NULL, NULL);
  StashhogSceneRow *row = g_new0 (StashhogSceneRow, 1);
  row->id = s->id;
  row->title = g_strdup (s->title ? s->title : "");
  row->studio = g_strdup (s->studio && s->studio->name ? s->studio->name : "");
  row->studio_id = s->studio ? s->studio->id : 0;
  row->performers = stashhog_format_entity_names (s->performers, s->n_performers);
  row->tags = stashhog_format_entity_names (s->tags, s->n_tags);
  row->date = g_strdup (s->date ? s->date : "");
  row->path = g_strdup (s->path ? s->path : "");
  row->organized = s->has_organized && s->organized;
  return row;
}

void
stashhog_scene_row_free (StashhogSceneRow *row)
{
  if (!row)
    return;
  g_free (row->title);
  g_free (row->studio);
  g_free (row->performers);
  g_free (row->tags);
  g_free (row->date);
  g_free (row->path);
  g_free (row);
}

static void
stashhog_scene_item_finalize (GObject *object)
{
  StashhogSceneItem *self = STASHHOG_SCENE_ITEM (object);
  stashhog_scene_row_free (self->row);
  G_OBJECT_CLASS (stashhog_scene_item_parent_class)->finalize (object);
}

static void
stashhog_scene_item_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StashhogSceneItem *self = STASHHOG_SCENE_ITEM (object);
  switch (prop_id)
    {
    case PROP_LOADED:
      g_value_set_boolean (value, self->row != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stashhog_scene_item_class_init (StashhogSceneItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->finalize = stashhog_scene_item_finalize;
  object_class->get_property = stashhog_scene_item_get_property;
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
stashhog_scene_item_init (StashhogSceneItem *self)
{
  (void) self;
}

StashhogSceneItem *
stashhog_scene_item_new (guint position)
{
  StashhogSceneItem *self = g_object_new (STASHHOG_TYPE_SCENE_ITEM, NULL);
  self->position = position;
  return self;
}

guint
stashhog_scene_item_get_position (StashhogSceneItem *self)
{
  g_return_val_if_fail (STASHHOG_IS_SCENE_ITEM (self), 0);
  return self->position;
}

gboolean
stashhog_scene_item_get_loaded (StashhogSceneItem *self)
{
  g_return_val_if_fail (STASHHOG_IS_SCENE_ITEM (self), FALSE);
  return self->row != NULL;
}

const StashhogSceneRow *
stashhog_scene_item_get_row (StashhogSceneItem *self)
{
  g_return_val_if_fail (STASHHOG_IS_SCENE_ITEM (self), NULL);
  return self->row;
}

gint64
stashhog_scene_item_get_id (StashhogSceneItem *self)
{
  g_return_val_if_fail (STASHHOG_IS_SCENE_ITEM (self), 0);
  return self->row ? self->row->id : 0;
}

void
stashhog_scene_item_set_row (StashhogSceneItem *self, StashhogSceneRow *row)
{
  g_return_if_fail (STASHHOG_IS_SCENE_ITEM (self));
  stashhog_scene_row_free (self->row);
  self->row = row;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
}
