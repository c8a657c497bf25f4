#include "stashhog-bar-chart.h"

#include "stashhog-dashboard-model.h"

#define AXIS_W 40.0  /* room for the axis labels on the left */
#define LABEL_H 18.0 /* room for the day labels below */

typedef struct
{
  char *day;
  gint64 count;
} Bar;

struct _StashhogBarChart
{
  GtkWidget parent_instance;
  GArray *bars; /* Bar */
  gint64 axis_max;
};

G_DEFINE_FINAL_TYPE (StashhogBarChart, stashhog_bar_chart, GTK_TYPE_WIDGET)

static void
bar_clear (gpointer p)
{
  g_free (((Bar *) p)->day);
}

static void
set_color (cairo_t *cr, const GdkRGBA *c, double alpha)
{
  cairo_set_source_rgba (cr, c->red, c->green, c->blue, c->alpha * alpha);
}

/* Text centred vertically on y, aligned on x, kept inside [0, max_x]. */
static void
draw_text (cairo_t *cr, PangoLayout *layout, const char *text, double x, double y, double xalign, double max_x)
{
  int w, h;
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, CLAMP (x - w * xalign, 0, MAX (0, max_x - w)), y - h / 2.0);
  pango_cairo_show_layout (cr, layout);
}

static void
stashhog_bar_chart_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  StashhogBarChart *self = STASHHOG_BAR_CHART (widget);
  double w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  double plot_w = w - AXIS_W, plot_h = h - LABEL_H - 8;
  GdkRGBA fg, accent;

  if (plot_w <= 10 || plot_h <= 10)
    return;
  GtkStyleContext *style = gtk_widget_get_style_context (widget);
  gtk_style_context_get_color (style, &fg);
  if (!gtk_style_context_lookup_color (style, "accent_bg_color", &accent))
    gdk_rgba_parse (&accent, "#3584e4");

  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (widget, NULL);
  PangoFontDescription *font = pango_font_description_from_string ("Sans 8");
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);

  /* Grid lines at 0, half and the top of the axis, labelled on the left. */
  cairo_set_line_width (cr, 1);
  for (int i = 0; i <= 2; i++)
    {
      double y = 4 + plot_h - plot_h * i / 2.0;
      g_autofree char *label = g_strdup_printf ("%" G_GINT64_FORMAT, self->axis_max * i / 2);
      set_color (cr, &fg, 0.12);
      cairo_move_to (cr, AXIS_W, floor (y) + 0.5);
      cairo_line_to (cr, w, floor (y) + 0.5);
      cairo_stroke (cr);
      set_color (cr, &fg, 0.55);
      draw_text (cr, layout, label, AXIS_W - 6, y, 1.0, w);
    }

  guint n = self->bars->len;
  if (n > 0)
    {
      double slot = plot_w / n, bar_w = MAX (slot * 0.7, 1.0);
      /* Label about six days so they never overlap, and always the last. */
      guint every = MAX (1u, (guint) ceil (n / MAX (1.0, plot_w / 60.0)));
      for (guint i = 0; i < n; i++)
        {
          const Bar *b = &g_array_index (self->bars, Bar, i);
          double bh = stashhog_chart_bar_height (b->count, self->axis_max, plot_h);
          double x = AXIS_W + slot * i + (slot - bar_w) / 2;
          set_color (cr, &accent, 1.0);
          cairo_rectangle (cr, x, 4 + plot_h - bh, bar_w, bh);
          cairo_fill (cr);
          if ((n - 1 - i) % every == 0)
            {
              g_autofree char *day = stashhog_chart_day_label (b->day);
              set_color (cr, &fg, 0.55);
              draw_text (cr, layout, day, x + bar_w / 2, h - LABEL_H / 2, 0.5, w);
            }
        }
    }
  cairo_destroy (cr);
}

static void
stashhog_bar_chart_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                            int *natural, int *minimum_baseline, int *natural_baseline)
{
  (void) widget, (void) for_size;
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 160 : 120;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 480 : 160;
  *minimum_baseline = *natural_baseline = -1;
}

static void
stashhog_bar_chart_finalize (GObject *object)
{
  g_array_unref (STASHHOG_BAR_CHART (object)->bars);
  G_OBJECT_CLASS (stashhog_bar_chart_parent_class)->finalize (object);
}

static void
stashhog_bar_chart_class_init (StashhogBarChartClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  G_OBJECT_CLASS (klass)->finalize = stashhog_bar_chart_finalize;
  widget_class->snapshot = stashhog_bar_chart_snapshot;
  widget_class->measure = stashhog_bar_chart_measure;
  gtk_widget_class_set_css_name (widget_class, "barchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
stashhog_bar_chart_init (StashhogBarChart *self)
{
  self->bars = g_array_new (FALSE, TRUE, sizeof (Bar));
  g_array_set_clear_func (self->bars, bar_clear);
  self->axis_max = 1;
}

GtkWidget *
stashhog_bar_chart_new (void)
{
  return g_object_new (STASHHOG_TYPE_BAR_CHART, NULL);
}

void
stashhog_bar_chart_set_days (StashhogBarChart *self, Stashhog__DayCount *const *days, gsize n_days)
{
  gint64 max = 0, total = 0;
  g_return_if_fail (STASHHOG_IS_BAR_CHART (self));
  g_array_set_size (self->bars, 0);
  for (gsize i = 0; i < n_days; i++)
    {
      Bar b = { g_strdup (days[i]->day), days[i]->count };
      g_array_append_val (self->bars, b);
      max = MAX (max, b.count);
      total += MAX (b.count, 0);
    }
  self->axis_max = stashhog_chart_nice_max (max);
  /* Screen readers get the gist the picture shows. */
  g_autofree char *desc = g_strdup_printf ("%" G_GINT64_FORMAT " changes applied in the last %zu days, at most %"
                                           G_GINT64_FORMAT " on one day", total, n_days, max);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, desc, -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), desc);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gint64
stashhog_bar_chart_get_axis_max (StashhogBarChart *self)
{
  g_return_val_if_fail (STASHHOG_IS_BAR_CHART (self), 0);
  return self->axis_max;
}

guint
stashhog_bar_chart_get_n_bars (StashhogBarChart *self)
{
  g_return_val_if_fail (STASHHOG_IS_BAR_CHART (self), 0);
  return self->bars->len;
}
