#include "stashhog-change-row.h"

#include "stashhog-chip-diff.h"
#include "stashhog-format.h"
#include "stashhog-side-box.h"
#include "stashhog-word-diff.h"

struct _StashhogChangeRow
{
  GtkListBoxRow parent_instance;
  gint64 id;
  gint64 scene_id;
  char *field;
  double confidence;
  Stashhog__ChangeStatus status;
  GtkLabel *status_label;
  GtkLabel *error_label;
  GtkWidget *accept_button;
  GtkWidget *reject_button;
};

G_DEFINE_FINAL_TYPE (StashhogChangeRow, stashhog_change_row, GTK_TYPE_LIST_BOX_ROW)

static GtkWidget *
label_new (const char *text, const char *css)
{
  GtkWidget *l = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (l), 0);
  if (css)
    gtk_widget_add_css_class (l, css);
  return l;
}

static GtkWidget *
text_diff (const Stashhog__Change *c)
{
  const char *old_text = c->current && c->current->text ? c->current->text : "";
  const char *new_text = c->proposed && c->proposed->text ? c->proposed->text : "";
  g_autoptr (GPtrArray) segs = stashhog_word_diff (old_text, new_text);
  g_autofree char *markup = stashhog_word_diff_markup (segs);
  GtkWidget *l = gtk_label_new (NULL);
  gtk_label_set_markup (GTK_LABEL (l), *markup ? markup : "<i>empty</i>");
  gtk_label_set_wrap (GTK_LABEL (l), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (l), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_label_set_selectable (GTK_LABEL (l), TRUE);
  return l;
}

static GtkWidget *
chips (const Stashhog__Change *c)
{
  g_autoptr (GPtrArray) list = stashhog_chip_diff_for_change (c);
  GtkWidget *flow = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 12);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (flow), 4);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (flow), 4);
  /* Chips keep their natural width instead of sharing the row's. */
  gtk_widget_set_halign (flow, GTK_ALIGN_START);
  gtk_widget_set_can_focus (flow, FALSE);
  for (guint i = 0; i < list->len; i++)
    {
      StashhogChip *chip = g_ptr_array_index (list, i);
      const char *prefix = chip->state == STASHHOG_CHIP_ADDED ? "+ " : chip->state == STASHHOG_CHIP_REMOVED ? "− " : "";
      g_autofree char *text = g_strdup_printf ("%s%s%s", prefix, chip->name, chip->is_new ? " (new)" : "");
      GtkWidget *l = label_new (text, "chip");
      gtk_widget_add_css_class (l, chip->state == STASHHOG_CHIP_ADDED     ? "added"
                                   : chip->state == STASHHOG_CHIP_REMOVED ? "removed"
                                                                          : "kept");
      gtk_widget_set_tooltip_text (l, chip->state == STASHHOG_CHIP_ADDED     ? "added"
                                      : chip->state == STASHHOG_CHIP_REMOVED ? "removed"
                                                                             : "kept");
      gtk_widget_set_halign (l, GTK_ALIGN_START);
      gtk_flow_box_append (GTK_FLOW_BOX (flow), l);
    }
  if (list->len == 0)
    gtk_flow_box_append (GTK_FLOW_BOX (flow), label_new ("(none)", "dim-label"));
  return flow;
}

static GtkWidget *
old_to_new (const Stashhog__Change *c)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  g_autofree char *old_v = stashhog_format_field_value (c->current);
  g_autofree char *new_v = stashhog_format_field_value (c->proposed);
  if (c->proposed && c->proposed->entity && c->proposed->entity->has_is_new && c->proposed->entity->is_new)
    {
      char *tmp = g_strconcat (new_v, " (new)", NULL);
      g_free (new_v);
      new_v = tmp;
    }
  /* Nothing to strike through when the field was empty. */
  gboolean old_empty = !c->current || (c->current->has_is_null && c->current->is_null) || g_str_equal (old_v, "—");
  gtk_box_append (GTK_BOX (box), old_empty ? label_new ("none", "dim-label") : label_new (old_v, "old-value"));
  gtk_box_append (GTK_BOX (box), label_new ("→", "dim-label"));
  gtk_box_append (GTK_BOX (box), label_new (new_v, "new-value"));
  return box;
}

static GtkWidget *
review_button (const char *icon, const char *tooltip, const char *action, gint64 id)
{
  GtkWidget *b = gtk_button_new_from_icon_name (icon);
  gtk_widget_set_tooltip_text (b, tooltip);
  gtk_widget_set_valign (b, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (b, "flat");
  gtk_widget_add_css_class (b, "circular");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (b), action);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (b), "x", id);
  return b;
}

static GtkWidget *
field_menu (const char *field)
{
  g_autoptr (GMenu) menu = g_menu_new ();
  g_autofree char *accept = g_strdup_printf ("Accept All “%s” Changes", stashhog_format_field_label (field));
  g_autofree char *reject = g_strdup_printf ("Reject All “%s” Changes", stashhog_format_field_label (field));
  g_autoptr (GMenuItem) a = g_menu_item_new (accept, NULL);
  g_autoptr (GMenuItem) r = g_menu_item_new (reject, NULL);
  g_menu_item_set_action_and_target_value (a, "plan.accept-field", g_variant_new_string (field));
  g_menu_item_set_action_and_target_value (r, "plan.reject-field", g_variant_new_string (field));
  g_menu_append_item (menu, a);
  g_menu_append_item (menu, r);
  GtkWidget *button = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "view-more-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, "Review every change of this field");
  return button;
}

static void
build (StashhogChangeRow *self, const Stashhog__Change *c)
{
  GtkWidget *actions = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *outer;
  GtkWidget *main = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *body;

  gtk_widget_set_hexpand (main, TRUE);
  gtk_widget_add_css_class (main, "change-body");

  gtk_box_append (GTK_BOX (top), label_new (stashhog_format_field_label (c->field), "heading"));
  if (c->has_confidence)
    {
      g_autofree char *conf = stashhog_format_confidence (c->confidence);
      GtkWidget *l = label_new (conf, "confidence");
      gtk_widget_set_tooltip_text (l, "Confidence");
      gtk_box_append (GTK_BOX (top), l);
    }
  if (c->analyzer && *c->analyzer)
    gtk_box_append (GTK_BOX (top), label_new (c->analyzer, "dim-label"));
  self->status_label = GTK_LABEL (label_new (NULL, "caption"));
  gtk_widget_set_hexpand (GTK_WIDGET (self->status_label), TRUE);
  gtk_label_set_xalign (self->status_label, 1);
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (self->status_label));
  gtk_box_append (GTK_BOX (main), top);

  switch (stashhog_format_field_kind (c->field))
    {
    case STASHHOG_FIELD_TEXT: body = text_diff (c); break;
    case STASHHOG_FIELD_SET: body = chips (c); break;
    case STASHHOG_FIELD_SINGLE:
    default: body = old_to_new (c); break;
    }
  gtk_box_append (GTK_BOX (main), body);
  if (c->reason && *c->reason)
    {
      GtkWidget *reason = label_new (c->reason, "dim-label");
      gtk_widget_add_css_class (reason, "caption");
      gtk_label_set_wrap (GTK_LABEL (reason), TRUE);
      gtk_box_append (GTK_BOX (main), reason);
    }
  /* Apply failures and conflicts arrive later: the label is always there. */
  self->error_label = GTK_LABEL (label_new (NULL, "error"));
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_box_append (GTK_BOX (main), GTK_WIDGET (self->error_label));
  self->accept_button = review_button ("object-select-symbolic", "Accept (a)", "plan.accept-change", c->id);
  self->reject_button = review_button ("window-close-symbolic", "Reject (r)", "plan.reject-change", c->id);
  gtk_box_append (GTK_BOX (actions), self->accept_button);
  gtk_box_append (GTK_BOX (actions), self->reject_button);
  gtk_box_append (GTK_BOX (actions), field_menu (c->field));
  /* Phone width: the buttons go below the diff rather than squeeze it. */
  outer = stashhog_side_box_new (main, actions, 12, 260);
  gtk_widget_set_margin_start (outer, 12);
  gtk_widget_set_margin_end (outer, 6);
  gtk_widget_set_margin_top (outer, 8);
  gtk_widget_set_margin_bottom (outer, 8);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (self), outer);
}

GtkWidget *
stashhog_change_row_new_scene_header (const Stashhog__Change *c)
{
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *box;
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  g_autofree char *title = g_strdup_printf ("%s  #%" G_GINT64_FORMAT,
                                            c->scene_title && *c->scene_title ? c->scene_title : "(untitled)",
                                            c->scene_id);
  GtkWidget *t = gtk_label_new (title);
  GtkWidget *p = gtk_label_new (c->scene_path ? c->scene_path : "");
  gtk_label_set_xalign (GTK_LABEL (t), 0);
  gtk_label_set_ellipsize (GTK_LABEL (t), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (t, "heading");
  gtk_label_set_xalign (GTK_LABEL (p), 0);
  gtk_label_set_ellipsize (GTK_LABEL (p), PANGO_ELLIPSIZE_START);
  gtk_widget_add_css_class (p, "dim-label");
  gtk_widget_add_css_class (p, "caption");
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_box_append (GTK_BOX (labels), t);
  gtk_box_append (GTK_BOX (labels), p);
  GtkWidget *accept = gtk_button_new_with_label ("Accept Scene");
  GtkWidget *reject = gtk_button_new_with_label ("Reject Scene");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (accept), "plan.accept-scene");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (accept), "x", c->scene_id);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (reject), "plan.reject-scene");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (reject), "x", c->scene_id);
  gtk_widget_add_css_class (accept, "flat");
  gtk_widget_add_css_class (reject, "flat");
  gtk_widget_set_valign (accept, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (reject, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (buttons), accept);
  gtk_box_append (GTK_BOX (buttons), reject);
  /* Phone width: the scene's title keeps the line, its buttons go below. */
  box = stashhog_side_box_new (labels, buttons, 6, 200);
  gtk_widget_add_css_class (box, "scene-header");
  return box;
}

void
stashhog_change_row_set_status (StashhogChangeRow *self, Stashhog__ChangeStatus status)
{
  g_return_if_fail (STASHHOG_IS_CHANGE_ROW (self));
  static const char *const classes[] = { "success", "error", "warning", "accent" };
  GtkWidget *l = GTK_WIDGET (self->status_label);
  self->status = status;
  gtk_label_set_text (self->status_label, stashhog_format_change_status (status));
  for (gsize i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (l, classes[i]);
  switch (status)
    {
    case STASHHOG__CHANGE_STATUS__CHANGE_ACCEPTED:
    case STASHHOG__CHANGE_STATUS__CHANGE_APPLIED: gtk_widget_add_css_class (l, "success"); break;
    case STASHHOG__CHANGE_STATUS__CHANGE_REJECTED:
    case STASHHOG__CHANGE_STATUS__CHANGE_FAILED: gtk_widget_add_css_class (l, "error"); break;
    case STASHHOG__CHANGE_STATUS__CHANGE_CONFLICT: gtk_widget_add_css_class (l, "warning"); break;
    default: gtk_widget_add_css_class (l, "accent"); break;
    }
  if (status == STASHHOG__CHANGE_STATUS__CHANGE_CONFLICT)
    gtk_widget_add_css_class (GTK_WIDGET (self), "conflict");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "conflict");
  if (status == STASHHOG__CHANGE_STATUS__CHANGE_REJECTED)
    gtk_widget_add_css_class (GTK_WIDGET (self), "rejected");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "rejected");
  /* Applied or rolled-back changes are history: no more review. */
  gboolean reviewable = status <= STASHHOG__CHANGE_STATUS__CHANGE_REJECTED ||
                        status == STASHHOG__CHANGE_STATUS__CHANGE_CONFLICT;
  gtk_widget_set_sensitive (self->accept_button, reviewable && status != STASHHOG__CHANGE_STATUS__CHANGE_ACCEPTED);
  gtk_widget_set_sensitive (self->reject_button, reviewable && status != STASHHOG__CHANGE_STATUS__CHANGE_REJECTED);
}

void
stashhog_change_row_set_current (StashhogChangeRow *self, gboolean current)
{
  g_return_if_fail (STASHHOG_IS_CHANGE_ROW (self));
  if (current)
    gtk_widget_add_css_class (GTK_WIDGET (self), "current");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "current");
}

static void
stashhog_change_row_finalize (GObject *object)
{
  g_free (STASHHOG_CHANGE_ROW (object)->field);
  G_OBJECT_CLASS (stashhog_change_row_parent_class)->finalize (object);
}

static void
stashhog_change_row_class_init (StashhogChangeRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = stashhog_change_row_finalize;
}

static void
stashhog_change_row_init (StashhogChangeRow *self)
{
  gtk_widget_add_css_class (GTK_WIDGET (self), "change-row");
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), FALSE);
}

StashhogChangeRow *
stashhog_change_row_new (const Stashhog__Change *change)
{
  g_return_val_if_fail (change != NULL, NULL);
  StashhogChangeRow *self = g_object_new (STASHHOG_TYPE_CHANGE_ROW, NULL);
  self->id = change->id;
  self->scene_id = change->scene_id;
  self->field = g_strdup (change->field);
  self->confidence = change->has_confidence ? change->confidence : -1;
  build (self, change);
  stashhog_change_row_update (self, change);
  return self;
}

void
stashhog_change_row_update (StashhogChangeRow *self, const Stashhog__Change *change)
{
  g_return_if_fail (STASHHOG_IS_CHANGE_ROW (self));
  g_return_if_fail (change != NULL && change->id == self->id);
  gboolean has_error = change->error && *change->error;
  gtk_label_set_text (self->error_label, has_error ? change->error : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), has_error);
  stashhog_change_row_set_status (self, change->status);
}

gint64
stashhog_change_row_get_change_id (StashhogChangeRow *self)
{
  g_return_val_if_fail (STASHHOG_IS_CHANGE_ROW (self), 0);
  return self->id;
}

gint64
stashhog_change_row_get_scene_id (StashhogChangeRow *self)
{
  g_return_val_if_fail (STASHHOG_IS_CHANGE_ROW (self), 0);
  return self->scene_id;
}

const char *
stashhog_change_row_get_field (StashhogChangeRow *self)
{
  g_return_val_if_fail (STASHHOG_IS_CHANGE_ROW (self), NULL);
  return self->field;
}

double
stashhog_change_row_get_confidence (StashhogChangeRow *self)
{
  g_return_val_if_fail (STASHHOG_IS_CHANGE_ROW (self), -1);
  return self->confidence;
}

Stashhog__ChangeStatus
stashhog_change_row_get_status (StashhogChangeRow *self)
{
  g_return_val_if_fail (STASHHOG_IS_CHANGE_ROW (self), STASHHOG__CHANGE_STATUS__CHANGE_PENDING);
  return self->status;
}
