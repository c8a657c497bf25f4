#include "stashhog-filter-box.h"

#include "sh-filter-expr.h"
#include "stashhog-gtk-private.h"

struct _StashhogFilterBox
{
  GtkWidget parent_instance;
  StashhogClient *client;
  StashhogFilterBaseFunc base_func;
  gpointer base_data;
  GCancellable *cancellable; /* cancels replies in flight at dispose */

  /* The active advanced filter: where (owned by arena) or saved, or neither. */
  sh_arena *arena;
  Stashhog__FilterNode *where;
  char *expression;
  char *saved;
  char *error;
  GStrv names;

  GtkEntry *expr_entry;
  GtkLabel *error_label;
  GtkListBox *saved_list;
  GtkEntry *name_entry;
  GtkButton *save_button;
};

G_DEFINE_FINAL_TYPE (StashhogFilterBox, stashhog_filter_box, GTK_TYPE_WIDGET)

enum { SIGNAL_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
show_error (StashhogFilterBox *self, const char *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  if (message)
    gtk_widget_add_css_class (GTK_WIDGET (self->expr_entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->expr_entry), "error");
}

static void
drop_where (StashhogFilterBox *self)
{
  g_clear_pointer (&self->arena, sh_arena_destroy);
  self->where = NULL;
  g_clear_pointer (&self->expression, g_free);
}

gboolean
stashhog_filter_box_apply_expression (StashhogFilterBox *self, const char *text)
{
  g_return_val_if_fail (STASHHOG_IS_FILTER_BOX (self), FALSE);
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->expr_entry)), text) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->expr_entry), text ? text : "");
  if (!text || !*text)
    {
      show_error (self, NULL);
      if (self->where)
        {
          drop_where (self);
          g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
        }
      return TRUE;
    }

  sh_arena *arena = sh_arena_create ();
  sh_filter_expr_error e = { 0 };
  Stashhog__FilterNode *node = arena ? sh_filter_expr_parse (text, arena, &e) : NULL;
  if (!node)
    {
      g_autofree char *msg = arena ? g_strdup_printf ("Column %d: %s", e.column, e.message)
                                   : g_strdup ("Out of memory");
      if (arena)
        sh_arena_destroy (arena);
      show_error (self, msg);
      /* Put the cursor where the parser stopped. */
      if (e.column > 0)
        gtk_editable_set_position (GTK_EDITABLE (self->expr_entry),
                                   (int) g_utf8_pointer_to_offset (text, text + MIN ((size_t) e.column - 1,
                                                                                      strlen (text))));
      return FALSE;
    }
  show_error (self, NULL);
  drop_where (self);
  self->arena = arena;
  self->where = node;
  self->expression = g_strdup (text);
  g_clear_pointer (&self->saved, g_free); /* one advanced filter at a time */
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return TRUE;
}

void
stashhog_filter_box_select_saved (StashhogFilterBox *self, const char *name)
{
  g_return_if_fail (STASHHOG_IS_FILTER_BOX (self));
  drop_where (self);
  show_error (self, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->expr_entry), "");
  g_free (self->saved);
  self->saved = name && *name ? g_strdup (name) : NULL;
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

void
stashhog_filter_box_clear (StashhogFilterBox *self)
{
  g_return_if_fail (STASHHOG_IS_FILTER_BOX (self));
  gboolean was = self->where || self->saved;
  drop_where (self);
  g_clear_pointer (&self->saved, g_free);
  show_error (self, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->expr_entry), "");
  if (was)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

void
stashhog_filter_box_fill (StashhogFilterBox *self, Stashhog__SceneFilter *filter)
{
  g_return_if_fail (STASHHOG_IS_FILTER_BOX (self));
  filter->where = self->where;
  filter->saved = self->saved;
}

const char *
stashhog_filter_box_get_saved (StashhogFilterBox *self)
{
  g_return_val_if_fail (STASHHOG_IS_FILTER_BOX (self), NULL);
  return self->saved;
}

const char *
stashhog_filter_box_get_expression (StashhogFilterBox *self)
{
  g_return_val_if_fail (STASHHOG_IS_FILTER_BOX (self), NULL);
  return self->expression;
}

const char *
stashhog_filter_box_get_error (StashhogFilterBox *self)
{
  g_return_val_if_fail (STASHHOG_IS_FILTER_BOX (self), NULL);
  return self->error;
}

const char *const *
stashhog_filter_box_get_saved_names (StashhogFilterBox *self)
{
  g_return_val_if_fail (STASHHOG_IS_FILTER_BOX (self), NULL);
  return (const char *const *) self->names;
}

/* ---------------------------------------------------------------- saved list */

static void
on_row_delete (GtkButton *button, gpointer user_data)
{
  stashhog_filter_box_delete (STASHHOG_FILTER_BOX (user_data), g_object_get_data (G_OBJECT (button), "name"));
}

static void
on_row_activated (GtkListBox *list, GtkListBoxRow *row, gpointer user_data)
{
  (void) list;
  stashhog_filter_box_select_saved (STASHHOG_FILTER_BOX (user_data), g_object_get_data (G_OBJECT (row), "name"));
}

static void
on_list_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  StashhogFilterBox *self = STASHHOG_FILTER_BOX (user_data);
  if (!reply || reply->body_case != STASHHOG__REPLY__BODY_FILTER_LIST)
    {
      g_warning ("cannot list saved filters: %s", error ? error->message : "unexpected reply");
      return;
    }
  stashhog_clear_children (GTK_WIDGET (self->saved_list));
  GPtrArray *names = g_ptr_array_new ();
  for (size_t i = 0; i < reply->filter_list->n_filters; i++)
    {
      const Stashhog__SavedFilter *f = reply->filter_list->filters[i];
      GtkWidget *row = gtk_list_box_row_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *label = gtk_label_new (f->name);
      GtkWidget *del = gtk_button_new_from_icon_name ("user-trash-symbolic");
      gtk_widget_set_hexpand (label, TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_widget_set_margin_start (box, 8);
      gtk_widget_set_tooltip_text (row, f->expression ? f->expression : f->name);
      gtk_widget_set_tooltip_text (del, "Delete this saved filter");
      gtk_widget_add_css_class (del, "flat");
      g_object_set_data_full (G_OBJECT (row), "name", g_strdup (f->name), g_free);
      g_object_set_data_full (G_OBJECT (del), "name", g_strdup (f->name), g_free);
      g_signal_connect (del, "clicked", G_CALLBACK (on_row_delete), self);
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (GTK_BOX (box), del);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
      gtk_list_box_append (self->saved_list, row);
      g_ptr_array_add (names, g_strdup (f->name));
    }
  g_ptr_array_add (names, NULL);
  g_strfreev (self->names);
  self->names = (GStrv) g_ptr_array_free (names, FALSE);
}

void
stashhog_filter_box_refresh (StashhogFilterBox *self)
{
  Stashhog__FilterListRequest list = STASHHOG__FILTER_LIST_REQUEST__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;
  g_return_if_fail (STASHHOG_IS_FILTER_BOX (self));
  if (!self->client)
    return;
  req.body_case = STASHHOG__REQUEST__BODY_FILTER_LIST;
  req.filter_list = &list;
  stashhog_client_call_async (self->client, &req, self->cancellable, on_list_reply, self);
}

/* Save and delete replies: a toast, then the list again. */
static void
on_change_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  StashhogFilterBox *self = STASHHOG_FILTER_BOX (user_data);
  if (!reply)
    stashhog_toast_error (GTK_WIDGET (self), "Cannot change saved filters", error);
  else if (reply->body_case == STASHHOG__REPLY__BODY_SAVED_FILTER)
    stashhog_toast (GTK_WIDGET (self), "Saved filter “%s”", reply->saved_filter->name);
  stashhog_filter_box_refresh (self);
}

void
stashhog_filter_box_save (StashhogFilterBox *self, const char *name)
{
  Stashhog__FilterSaveRequest save = STASHHOG__FILTER_SAVE_REQUEST__INIT;
  Stashhog__SavedFilter saved = STASHHOG__SAVED_FILTER__INIT;
  Stashhog__SceneFilter filter = STASHHOG__SCENE_FILTER__INIT;
  Stashhog__MissingField missing[16];
  sh_request req = STASHHOG__REQUEST__INIT;
  g_return_if_fail (STASHHOG_IS_FILTER_BOX (self));

  if (!self->client)
    return;
  if (!name || !*name)
    {
      stashhog_toast (GTK_WIDGET (self), "Give the filter a name first");
      return;
    }
  if (self->base_func)
    self->base_func (self->base_data, &filter, missing);
  filter.where = self->where;
  filter.saved = NULL; /* a saved filter is stored resolved, not as a reference */
  saved.name = (char *) name;
  saved.filter = &filter;
  saved.expression = self->expression;
  save.filter = &saved;
  save.has_replace = TRUE;
  save.replace = TRUE;
  req.body_case = STASHHOG__REQUEST__BODY_FILTER_SAVE;
  req.filter_save = &save;
  stashhog_client_call_async (self->client, &req, self->cancellable, on_change_reply, self);
}

void
stashhog_filter_box_delete (StashhogFilterBox *self, const char *name)
{
  Stashhog__FilterDeleteRequest del = STASHHOG__FILTER_DELETE_REQUEST__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;
  g_return_if_fail (STASHHOG_IS_FILTER_BOX (self));
  if (!self->client || !name)
    return;
  if (g_strcmp0 (self->saved, name) == 0)
    stashhog_filter_box_clear (self);
  del.name = (char *) name;
  req.body_case = STASHHOG__REQUEST__BODY_FILTER_DELETE;
  req.filter_delete = &del;
  stashhog_client_call_async (self->client, &req, self->cancellable, on_change_reply, self);
}

/* ---------------------------------------------------------------- object */

static void
on_expr_activate (GtkEntry *entry, gpointer user_data)
{
  stashhog_filter_box_apply_expression (STASHHOG_FILTER_BOX (user_data),
                                        gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
on_expr_icon (GtkEntry *entry, GtkEntryIconPosition pos, gpointer user_data)
{
  (void) pos;
  on_expr_activate (entry, user_data);
}

static void
on_save_clicked (GtkButton *button, gpointer user_data)
{
  StashhogFilterBox *self = STASHHOG_FILTER_BOX (user_data);
  (void) button;
  stashhog_filter_box_save (self, gtk_editable_get_text (GTK_EDITABLE (self->name_entry)));
}

void
stashhog_filter_box_set_client (StashhogFilterBox *self, StashhogClient *client)
{
  g_return_if_fail (STASHHOG_IS_FILTER_BOX (self));
  g_set_object (&self->client, client);
  stashhog_filter_box_refresh (self);
}

void
stashhog_filter_box_set_base_func (StashhogFilterBox *self, StashhogFilterBaseFunc func, gpointer user_data)
{
  g_return_if_fail (STASHHOG_IS_FILTER_BOX (self));
  self->base_func = func;
  self->base_data = user_data;
}

static void
stashhog_filter_box_dispose (GObject *object)
{
  StashhogFilterBox *self = STASHHOG_FILTER_BOX (object);
  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), STASHHOG_TYPE_FILTER_BOX);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (stashhog_filter_box_parent_class)->dispose (object);
}

static void
stashhog_filter_box_finalize (GObject *object)
{
  StashhogFilterBox *self = STASHHOG_FILTER_BOX (object);
  drop_where (self);
  g_free (self->saved);
  g_free (self->error);
  g_strfreev (self->names);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (stashhog_filter_box_parent_class)->finalize (object);
}

static void
stashhog_filter_box_class_init (StashhogFilterBoxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stashhog_filter_box_dispose;
  object_class->finalize = stashhog_filter_box_finalize;
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                          NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/stashhog/StashHog/stashhog-filter-box.ui");
  gtk_widget_class_bind_template_child (widget_class, StashhogFilterBox, expr_entry);
  gtk_widget_class_bind_template_child (widget_class, StashhogFilterBox, error_label);
  gtk_widget_class_bind_template_child (widget_class, StashhogFilterBox, saved_list);
  gtk_widget_class_bind_template_child (widget_class, StashhogFilterBox, name_entry);
  gtk_widget_class_bind_template_child (widget_class, StashhogFilterBox, save_button);
}

static void
stashhog_filter_box_init (StashhogFilterBox *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->names = g_new0 (char *, 1);
  g_signal_connect (self->expr_entry, "activate", G_CALLBACK (on_expr_activate), self);
  g_signal_connect (self->expr_entry, "icon-release", G_CALLBACK (on_expr_icon), self);
  g_signal_connect (self->saved_list, "row-activated", G_CALLBACK (on_row_activated), self);
  g_signal_connect (self->save_button, "clicked", G_CALLBACK (on_save_clicked), self);
  /* Shown when the Filters popover opens: list what other clients saved. */
  g_signal_connect (self, "map", G_CALLBACK (stashhog_filter_box_refresh), NULL);
}
