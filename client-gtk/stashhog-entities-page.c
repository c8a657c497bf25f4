#include "stashhog-entities-page.h"

#include "stashhog-format.h"
#include "stashhog-gtk-private.h"

#define ENTITY_LIMIT 500

typedef struct
{
  gint64 id;
  char *name;
} Entry;

struct _StashhogEntitiesPage
{
  GtkWidget parent_instance;
  StashhogClient *client;
  Stashhog__EntityKind kind;
  GArray *entries; /* Entry, row order */
  guint serial;

  GtkToggleButton *performers_button;
  GtkToggleButton *studios_button;
  GtkToggleButton *tags_button;
  GtkSearchEntry *search_entry;
  GtkLabel *count_label;
  GtkWidget *toolbar;
  GtkStack *stack;
  GtkListBox *list;
  AdwStatusPage *empty_page;
};

G_DEFINE_FINAL_TYPE (StashhogEntitiesPage, stashhog_entities_page, GTK_TYPE_WIDGET)

enum { SIG_SHOW_SCENES, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
entry_clear (gpointer p)
{
  g_free (((Entry *) p)->name);
}

typedef struct
{
  StashhogEntitiesPage *self;
  guint serial;
} ListData;

static GtkWidget *
entity_row (const Stashhog__Entity *e)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = g_markup_escape_text (e->name, -1);
  g_autofree char *aliases = stashhog_format_join (e->aliases, e->n_aliases, ", ");
  g_autoptr (GString) sub = g_string_new (NULL);
  if (e->disambiguation && *e->disambiguation)
    g_string_append_printf (sub, "(%s) ", e->disambiguation);
  if (e->parent && e->parent->name)
    g_string_append_printf (sub, "part of %s ", e->parent->name);
  if (*aliases)
    g_string_append_printf (sub, "aka %s", aliases);
  g_autofree char *subtitle = g_markup_escape_text (sub->str, -1);
  g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT " scene%s", e->scene_count,
                                            e->scene_count == 1 ? "" : "s");
  GtkWidget *count_label = gtk_label_new (count);
  gtk_widget_add_css_class (count_label, "dim-label");
  gtk_widget_add_css_class (count_label, "numeric");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), count_label);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, "Show the scenes");
  return row;
}

static void
on_entities (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ListData *ld = user_data;
  g_autoptr (StashhogEntitiesPage) self = ld->self;
  guint serial = ld->serial;
  g_autoptr (GError) error = NULL;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);

  g_free (ld);
  if (serial != self->serial)
    return;
  stashhog_clear_children (GTK_WIDGET (self->list));
  g_array_set_size (self->entries, 0);
  if (!reply || reply->body_case != STASHHOG__REPLY__BODY_ENTITY_LIST)
    {
      adw_status_page_set_icon_name (self->empty_page, "dialog-warning-symbolic");
      adw_status_page_set_title (self->empty_page, "Cannot List");
      adw_status_page_set_description (self->empty_page, error ? error->message : "unexpected reply");
      gtk_stack_set_visible_child_name (self->stack, "empty");
      gtk_label_set_text (self->count_label, "");
      return;
    }
  for (size_t i = 0; i < reply->entity_list->n_entities; i++)
    {
      const Stashhog__Entity *e = reply->entity_list->entities[i];
      Entry entry = { e->id, g_strdup (e->name) };
      g_array_append_val (self->entries, entry);
      gtk_list_box_append (self->list, entity_row (e));
    }
  gint64 total = reply->entity_list->has_total ? reply->entity_list->total : (gint64) self->entries->len;
  g_autofree char *count = total > (gint64) self->entries->len
                               ? g_strdup_printf ("%u of %" G_GINT64_FORMAT, self->entries->len, total)
                               : g_strdup_printf ("%" G_GINT64_FORMAT, total);
  gtk_label_set_text (self->count_label, count);
  adw_status_page_set_icon_name (self->empty_page, "system-users-symbolic");
  adw_status_page_set_title (self->empty_page, "Nothing Found");
  adw_status_page_set_description (self->empty_page, NULL);
  gtk_stack_set_visible_child_name (self->stack, self->entries->len ? "list" : "empty");
}

void
stashhog_entities_page_refresh (StashhogEntitiesPage *self)
{
  Stashhog__EntityListRequest list = STASHHOG__ENTITY_LIST_REQUEST__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;
  const char *query = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  g_return_if_fail (STASHHOG_IS_ENTITIES_PAGE (self));
  self->serial++;
  if (!self->client)
    return;
  list.kind = self->kind;
  if (query && *query)
    list.query = (char *) query;
  list.has_limit = TRUE;
  list.limit = ENTITY_LIMIT;
  req.body_case = STASHHOG__REQUEST__BODY_ENTITY_LIST;
  req.entity_list = &list;
  ListData *ld = g_new0 (ListData, 1);
  ld->self = g_object_ref (self);
  ld->serial = self->serial;
  stashhog_client_call_async (self->client, &req, NULL, on_entities, ld);
}

void
stashhog_entities_page_activate (StashhogEntitiesPage *self, guint index)
{
  g_return_if_fail (STASHHOG_IS_ENTITIES_PAGE (self));
  if (index >= self->entries->len)
    return;
  Entry *e = &g_array_index (self->entries, Entry, index);
  g_signal_emit (self, signals[SIG_SHOW_SCENES], 0, (int) self->kind, e->id, e->name);
}

static void
on_row_activated (GtkListBox *box, GtkListBoxRow *row, gpointer user_data)
{
  (void) box;
  stashhog_entities_page_activate (STASHHOG_ENTITIES_PAGE (user_data), (guint) gtk_list_box_row_get_index (row));
}

static void
on_kind_toggled (GtkToggleButton *button, gpointer user_data)
{
  StashhogEntitiesPage *self = user_data;
  if (!gtk_toggle_button_get_active (button))
    return;
  self->kind = button == self->studios_button ? STASHHOG__ENTITY_KIND__ENTITY_STUDIO
               : button == self->tags_button  ? STASHHOG__ENTITY_KIND__ENTITY_TAG
                                              : STASHHOG__ENTITY_KIND__ENTITY_PERFORMER;
  stashhog_entities_page_refresh (self);
}

static void
stashhog_entities_page_dispose (GObject *object)
{
  StashhogEntitiesPage *self = STASHHOG_ENTITIES_PAGE (object);
  g_clear_object (&self->client);
  g_clear_pointer (&self->entries, g_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), STASHHOG_TYPE_ENTITIES_PAGE);
  G_OBJECT_CLASS (stashhog_entities_page_parent_class)->dispose (object);
}

static void
stashhog_entities_page_class_init (StashhogEntitiesPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  G_OBJECT_CLASS (klass)->dispose = stashhog_entities_page_dispose;
  signals[SIG_SHOW_SCENES] = g_signal_new ("show-scenes", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                           NULL, NULL, G_TYPE_NONE, 3, G_TYPE_INT, G_TYPE_INT64, G_TYPE_STRING);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/stashhog/StashHog/stashhog-entities-page.ui");
  gtk_widget_class_bind_template_child (widget_class, StashhogEntitiesPage, performers_button);
  gtk_widget_class_bind_template_child (widget_class, StashhogEntitiesPage, studios_button);
  gtk_widget_class_bind_template_child (widget_class, StashhogEntitiesPage, tags_button);
  gtk_widget_class_bind_template_child (widget_class, StashhogEntitiesPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, StashhogEntitiesPage, toolbar);
  gtk_widget_class_bind_template_child (widget_class, StashhogEntitiesPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, StashhogEntitiesPage, stack);
  gtk_widget_class_bind_template_child (widget_class, StashhogEntitiesPage, list);
  gtk_widget_class_bind_template_child (widget_class, StashhogEntitiesPage, empty_page);
}

static void
stashhog_entities_page_init (StashhogEntitiesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  g_array_set_clear_func (self->entries, entry_clear);
  g_signal_connect (self->list, "row-activated", G_CALLBACK (on_row_activated), self);
  g_signal_connect (self->performers_button, "toggled", G_CALLBACK (on_kind_toggled), self);
  g_signal_connect (self->studios_button, "toggled", G_CALLBACK (on_kind_toggled), self);
  g_signal_connect (self->tags_button, "toggled", G_CALLBACK (on_kind_toggled), self);
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (stashhog_entities_page_refresh), self);
}

void
stashhog_entities_page_set_client (StashhogEntitiesPage *self, StashhogClient *client)
{
  g_return_if_fail (STASHHOG_IS_ENTITIES_PAGE (self));
  g_set_object (&self->client, client);
}

void
stashhog_entities_page_set_kind (StashhogEntitiesPage *self, Stashhog__EntityKind kind)
{
  g_return_if_fail (STASHHOG_IS_ENTITIES_PAGE (self));
  gtk_toggle_button_set_active (kind == STASHHOG__ENTITY_KIND__ENTITY_STUDIO ? self->studios_button
                                : kind == STASHHOG__ENTITY_KIND__ENTITY_TAG  ? self->tags_button
                                                                             : self->performers_button,
                                TRUE);
}

guint
stashhog_entities_page_get_n_entities (StashhogEntitiesPage *self)
{
  g_return_val_if_fail (STASHHOG_IS_ENTITIES_PAGE (self), 0);
  return self->entries->len;
}

void
stashhog_entities_page_set_narrow (StashhogEntitiesPage *self, gboolean narrow)
{
  g_return_if_fail (STASHHOG_IS_ENTITIES_PAGE (self));
  /* The kind switcher above the search entry instead of beside it. */
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->toolbar),
                                  narrow ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL);
}
