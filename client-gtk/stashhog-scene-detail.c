#include "stashhog-scene-detail.h"

#include "stashhog-format.h"
#include "stashhog-gtk-private.h"

struct _StashhogSceneDetail
{
  GtkWidget parent_instance;
  StashhogClient *client;
  GCancellable *cancellable;
  gint64 scene_id;

  GtkStack *stack;
  AdwStatusPage *none_page;
  GtkBox *content;
};

G_DEFINE_FINAL_TYPE (StashhogSceneDetail, stashhog_scene_detail, GTK_TYPE_WIDGET)

static void
add_field (StashhogSceneDetail *self, const char *label, const char *value)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *heading = gtk_label_new (label);
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "caption-heading");
  gtk_widget_add_css_class (heading, "dim-label");
  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (box), stashhog_value_label (value));
  gtk_box_append (self->content, box);
}

static void
add_file (StashhogSceneDetail *self, const Stashhog__SceneFile *f)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *path = stashhog_value_label (f->path);
  g_autoptr (GString) facts = g_string_new (NULL);
  g_autofree char *size = f->has_size ? stashhog_format_size (f->size) : g_strdup ("");
  g_autofree char *dur = f->has_duration ? stashhog_format_duration (f->duration) : g_strdup ("");

  gtk_widget_add_css_class (path, "monospace");
  gtk_box_append (GTK_BOX (box), path);
  if (*size)
    g_string_append (facts, size);
  if (*dur)
    g_string_append_printf (facts, "%s%s", facts->len ? " · " : "", dur);
  if (f->has_width && f->has_height)
    g_string_append_printf (facts, "%s%d×%d", facts->len ? " · " : "", f->width, f->height);
  if (f->video_codec && *f->video_codec)
    g_string_append_printf (facts, "%s%s", facts->len ? " · " : "", f->video_codec);
  if (f->has_frame_rate && f->frame_rate > 0)
    g_string_append_printf (facts, "%s%.2f fps", facts->len ? " · " : "", f->frame_rate);
  if (facts->len)
    {
      GtkWidget *l = stashhog_value_label (facts->str);
      gtk_widget_add_css_class (l, "dim-label");
      gtk_widget_add_css_class (l, "caption");
      gtk_box_append (GTK_BOX (box), l);
    }
  gtk_box_append (self->content, box);
}

static void
render (StashhogSceneDetail *self, const Stashhog__SceneDetail *d)
{
  const Stashhog__SceneSummary *s = d->summary;
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, s->id);
  g_autofree char *performers = stashhog_format_entity_names (s->performers, s->n_performers);
  g_autofree char *tags = stashhog_format_entity_names (s->tags, s->n_tags);
  g_autofree char *urls = stashhog_format_join (d->urls, d->n_urls, "\n");
  g_autofree char *synced = d->has_synced_at_ms ? stashhog_format_time_ms (d->synced_at_ms) : NULL;

  stashhog_clear_children (GTK_WIDGET (self->content));
  GtkWidget *title = stashhog_value_label (s->title && *s->title ? s->title : "(untitled)");
  gtk_widget_add_css_class (title, "title-3");
  gtk_box_append (self->content, title);
  add_field (self, "ID", id);
  add_field (self, "Date", s->date);
  add_field (self, "Studio", s->studio ? s->studio->name : NULL);
  add_field (self, "Studio code", d->code);
  add_field (self, "Performers", performers);
  add_field (self, "Tags", tags);
  add_field (self, "Organized", s->has_organized && s->organized ? "Yes" : "No");
  add_field (self, "Details", d->details);
  add_field (self, "URLs", urls);
  add_field (self, "Created", d->created_at);
  add_field (self, "Updated", s->updated_at);
  add_field (self, "Synced", synced);

  GtkWidget *files = gtk_label_new (d->n_files == 1 ? "File" : "Files");
  gtk_label_set_xalign (GTK_LABEL (files), 0);
  gtk_widget_add_css_class (files, "heading");
  gtk_box_append (self->content, files);
  for (size_t i = 0; i < d->n_files; i++)
    add_file (self, d->files[i]);
  if (d->n_files == 0 && s->path)
    add_field (self, "Path", s->path);
  gtk_stack_set_visible_child_name (self->stack, "scene");
}

static void
on_scene (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);
  StashhogSceneDetail *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* a newer selection replaced this one; self may be gone */
  self = STASHHOG_SCENE_DETAIL (user_data);
  if (reply && reply->body_case == STASHHOG__REPLY__BODY_SCENE && reply->scene->summary)
    {
      render (self, reply->scene);
      return;
    }
  adw_status_page_set_icon_name (self->none_page, "dialog-warning-symbolic");
  adw_status_page_set_title (self->none_page, "Cannot Load the Scene");
  adw_status_page_set_description (self->none_page, error ? error->message : "unexpected reply");
  gtk_stack_set_visible_child_name (self->stack, "none");
}

void
stashhog_scene_detail_show (StashhogSceneDetail *self, gint64 scene_id)
{
  Stashhog__SceneGetRequest get = STASHHOG__SCENE_GET_REQUEST__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;

  g_return_if_fail (STASHHOG_IS_SCENE_DETAIL (self));
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->scene_id = scene_id;
  if (scene_id <= 0 || !self->client)
    {
      adw_status_page_set_icon_name (self->none_page, "view-reveal-symbolic");
      adw_status_page_set_title (self->none_page, "No Scene Selected");
      adw_status_page_set_description (self->none_page, "Select one scene to see all its fields and files.");
      gtk_stack_set_visible_child_name (self->stack, "none");
      return;
    }
  self->cancellable = g_cancellable_new ();
  get.id = scene_id;
  req.body_case = STASHHOG__REQUEST__BODY_SCENE_GET;
  req.scene_get = &get;
  gtk_stack_set_visible_child_name (self->stack, "loading");
  stashhog_client_call_async (self->client, &req, self->cancellable, on_scene, self);
}

static void
stashhog_scene_detail_dispose (GObject *object)
{
  StashhogSceneDetail *self = STASHHOG_SCENE_DETAIL (object);
  /* Cancelling makes the pending callback return before touching self. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  gtk_widget_dispose_template (GTK_WIDGET (self), STASHHOG_TYPE_SCENE_DETAIL);
  G_OBJECT_CLASS (stashhog_scene_detail_parent_class)->dispose (object);
}

static void
stashhog_scene_detail_class_init (StashhogSceneDetailClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  G_OBJECT_CLASS (klass)->dispose = stashhog_scene_detail_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/stashhog/StashHog/stashhog-scene-detail.ui");
  gtk_widget_class_bind_template_child (widget_class, StashhogSceneDetail, stack);
  gtk_widget_class_bind_template_child (widget_class, StashhogSceneDetail, none_page);
  gtk_widget_class_bind_template_child (widget_class, StashhogSceneDetail, content);
}

static void
stashhog_scene_detail_init (StashhogSceneDetail *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
stashhog_scene_detail_set_client (StashhogSceneDetail *self, StashhogClient *client)
{
  g_return_if_fail (STASHHOG_IS_SCENE_DETAIL (self));
  g_set_object (&self->client, client);
}

gint64
stashhog_scene_detail_get_scene_id (StashhogSceneDetail *self)
{
  g_return_val_if_fail (STASHHOG_IS_SCENE_DETAIL (self), 0);
  return self->scene_id;
}
