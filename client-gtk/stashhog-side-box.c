#include "stashhog-side-box.h"

struct _StashhogSideBox
{
  GtkWidget parent_instance;
  GtkWidget *content;
  GtkWidget *actions;
  int spacing;
  int min_content_width;
  gboolean stacked;
};

G_DEFINE_FINAL_TYPE (StashhogSideBox, stashhog_side_box, GTK_TYPE_WIDGET)

static int
actions_width (StashhogSideBox *self)
{
  int nat = 0;
  gtk_widget_measure (self->actions, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &nat, NULL, NULL);
  return nat;
}

/* Beside when the content keeps its own minimum and min_content_width. */
static gboolean
fits_beside (StashhogSideBox *self, int width)
{
  int content_min = 0;
  if (width < 0)
    return TRUE;
  gtk_widget_measure (self->content, GTK_ORIENTATION_HORIZONTAL, -1, &content_min, NULL, NULL, NULL);
  return width - actions_width (self) - self->spacing >= MAX (content_min, self->min_content_width);
}

static int
height_for (GtkWidget *child, int width, int *nat)
{
  int min = 0;
  gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, width, &min, nat, NULL, NULL);
  return min;
}

static void
stashhog_side_box_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum, int *natural,
                           int *minimum_baseline, int *natural_baseline)
{
  StashhogSideBox *self = STASHHOG_SIDE_BOX (widget);
  int cmin = 0, cnat = 0, amin = 0, anat = 0;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      gtk_widget_measure (self->content, orientation, -1, &cmin, &cnat, NULL, NULL);
      gtk_widget_measure (self->actions, orientation, -1, &amin, &anat, NULL, NULL);
      *minimum = MAX (cmin, amin);
      *natural = MAX (cnat + self->spacing + anat, *minimum);
    }
  else if (fits_beside (self, for_size))
    {
      int cw = for_size < 0 ? -1 : for_size - actions_width (self) - self->spacing;
      cmin = height_for (self->content, cw, &cnat);
      amin = height_for (self->actions, -1, &anat);
      *minimum = MAX (cmin, amin);
      *natural = MAX (cnat, anat);
    }
  else
    {
      cmin = height_for (self->content, for_size, &cnat);
      amin = height_for (self->actions, -1, &anat);
      *minimum = cmin + self->spacing + amin;
      *natural = cnat + self->spacing + anat;
    }
  *minimum_baseline = *natural_baseline = -1;
}

static void
stashhog_side_box_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  StashhogSideBox *self = STASHHOG_SIDE_BOX (widget);
  int aw = MIN (actions_width (self), width);
  (void) baseline;

  self->stacked = !fits_beside (self, width);
  if (!self->stacked)
    {
      gtk_widget_allocate (self->content, width - aw - self->spacing, height, -1, NULL);
      gtk_widget_allocate (self->actions, aw, height, -1,
                           gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT ((float) (width - aw), 0)));
      return;
    }
  int ch = height_for (self->content, width, NULL);
  int ah = MAX (height - ch - self->spacing, 0);
  gtk_widget_allocate (self->content, width, ch, -1, NULL);
  gtk_widget_allocate (self->actions, aw, ah, -1,
                       gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT ((float) (width - aw),
                                                                            (float) (ch + self->spacing))));
}

static GtkSizeRequestMode
stashhog_side_box_get_request_mode (GtkWidget *widget)
{
  (void) widget;
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
stashhog_side_box_dispose (GObject *object)
{
  StashhogSideBox *self = STASHHOG_SIDE_BOX (object);
  g_clear_pointer (&self->content, gtk_widget_unparent);
  g_clear_pointer (&self->actions, gtk_widget_unparent);
  G_OBJECT_CLASS (stashhog_side_box_parent_class)->dispose (object);
}

static void
stashhog_side_box_class_init (StashhogSideBoxClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  G_OBJECT_CLASS (klass)->dispose = stashhog_side_box_dispose;
  widget_class->measure = stashhog_side_box_measure;
  widget_class->size_allocate = stashhog_side_box_size_allocate;
  widget_class->get_request_mode = stashhog_side_box_get_request_mode;
}

static void
stashhog_side_box_init (StashhogSideBox *self)
{
  (void) self;
}

GtkWidget *
stashhog_side_box_new (GtkWidget *content, GtkWidget *actions, int spacing, int min_content_width)
{
  g_return_val_if_fail (GTK_IS_WIDGET (content) && GTK_IS_WIDGET (actions), NULL);
  StashhogSideBox *self = g_object_new (STASHHOG_TYPE_SIDE_BOX, NULL);
  self->spacing = spacing;
  self->min_content_width = min_content_width;
  self->content = content;
  self->actions = actions;
  gtk_widget_set_parent (content, GTK_WIDGET (self));
  gtk_widget_set_parent (actions, GTK_WIDGET (self));
  return GTK_WIDGET (self);
}

gboolean
stashhog_side_box_get_stacked (StashhogSideBox *self)
{
  g_return_val_if_fail (STASHHOG_IS_SIDE_BOX (self), FALSE);
  return self->stacked;
}
