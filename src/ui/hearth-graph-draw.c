/* hearth-graph-draw.c — how a HearthGraph draws itself: the grid, the lines,
 * the labels and the pointer (hearth-graph.c keeps its state)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Drawn in the Sysprof manner: values are normalised to 0..1 by
 * hearth-graph-model.c, lines go through cairo, and the grid with its labels
 * is kept as a render node until the size, the axis or the style changes.
 */
#define G_LOG_DOMAIN "hearth-graph"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "hearth-graph-private.h"

static const char * const color_names[] = {
  [HEARTH_GRAPH_COLOR_ACCENT]  = "accent_bg_color",
  [HEARTH_GRAPH_COLOR_SUCCESS] = "success_bg_color",
  [HEARTH_GRAPH_COLOR_WARNING] = "warning_bg_color",
  [HEARTH_GRAPH_COLOR_ERROR]   = "error_bg_color",
};

static const GdkRGBA fallback_colors[] = {
  [HEARTH_GRAPH_COLOR_ACCENT]  = { 0.208, 0.518, 0.894, 1 },
  [HEARTH_GRAPH_COLOR_SUCCESS] = { 0.149, 0.635, 0.412, 1 },
  [HEARTH_GRAPH_COLOR_WARNING] = { 0.804, 0.576, 0.035, 1 },
  [HEARTH_GRAPH_COLOR_ERROR]   = { 0.753, 0.110, 0.157, 1 },
};

static void
lookup_color (HearthGraph      *self,
              HearthGraphColor  color,
              GdkRGBA          *rgba)
{
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));

  if (!gtk_style_context_lookup_color (context, color_names[color], rgba))
    *rgba = fallback_colors[color];
}

static void
foreground_color (HearthGraph *self,
                  double       alpha,
                  GdkRGBA     *rgba)
{
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), rgba);
  rgba->alpha *= alpha;
}

static gboolean
has_samples (HearthGraph *self)
{
  for (guint i = 0; i < self->n_series; i++)
    if (hearth_graph_ring_get_length (self->series[i].ring) > 0)
      return TRUE;
  return FALSE;
}

/* The newest sample's time: the right edge of the window. */
static gint64
end_time (HearthGraph *self)
{
  gint64 end = G_MININT64;

  if (self->index_last > 0)
    return (gint64) self->index_last * G_USEC_PER_SEC + G_USEC_PER_SEC / 2;
  for (guint i = 0; i < self->n_series; i++)
    {
      const HearthGraphSample *last = hearth_graph_ring_get_last (self->series[i].ring);

      if (last != NULL)
        end = MAX (end, last->time_us);
    }
  return end;
}

static void
compute_axis (HearthGraph *self,
              gint64       end_us,
              double      *axis_min,
              double      *axis_max,
              double      *step)
{
  double lo = INFINITY;
  double hi = -INFINITY;

  for (guint i = 0; i < self->n_series; i++)
    {
      double s_lo, s_hi;

      if (hearth_graph_ring_get_bounds (self->series[i].ring, end_us - self->span_us, &s_lo, &s_hi))
        {
          lo = MIN (lo, s_lo);
          hi = MAX (hi, s_hi);
        }
    }
  if (isfinite (self->threshold))
    {
      lo = MIN (lo, self->threshold);
      hi = MAX (hi, self->threshold);
    }
  if (!isnan (self->range_min))
    lo = self->range_min;
  if (!isnan (self->range_max))
    hi = self->range_max;
  if (!isfinite (lo))
    lo = MIN (0, hi);
  if (!isfinite (hi))
    hi = lo + 1;

  hearth_graph_nice_scale (lo, hi, MAX_TICKS, axis_min, axis_max, step);
  /* a fixed range is kept exactly, not rounded out */
  if (!isnan (self->range_min))
    *axis_min = self->range_min;
  if (!isnan (self->range_max))
    *axis_max = self->range_max;
}

char *
_hearth_graph_format_value (HearthGraph *self,
                            double       value)
{
  const char *unit = self->unit != NULL ? self->unit : "";
  const char *space = (unit[0] == '\0' || g_str_equal (unit, "%")) ? "" : " ";
  int digits = fabs (value) >= 100 || value == floor (value) ? 0 : 1;

  return g_strdup_printf ("%.*f%s%s", digits, value, space, unit);
}

/* A tick's number: the unit is written once, as the axis title. */
static char *
format_tick (double value)
{
  int digits = fabs (value) >= 100 || value == floor (value) ? 0 : 1;

  return g_strdup_printf ("%.*f", digits, value);
}

static void
note_text (HearthGraph *self,
           const char  *text)
{
  g_ptr_array_add (self->drawn_text, g_strdup (text));
}

void
_hearth_graph_drop_grid (HearthGraph *self)
{
  g_clear_pointer (&self->grid_node, gsk_render_node_unref);
}

static void
draw_label (cairo_t        *cr,
            PangoLayout    *layout,
            const GdkRGBA  *color,
            double          x,
            double          y)
{
  gdk_cairo_set_source_rgba (cr, color);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
}

static GskRenderNode *
build_grid (HearthGraph *self,
            int          width,
            int          height,
            double       axis_min,
            double       axis_max,
            double       step)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  double plot_height = height - PAD_TOP - PAD_BOTTOM;
  GdkRGBA line_color, label_color;
  cairo_t *cr;
  guint n_lines = (guint) round ((axis_max - axis_min) / step);

  foreground_color (self, 0.12, &line_color);
  foreground_color (self, 0.55, &label_color);
  pango_layout_set_attributes (layout, NULL);
  {
    PangoAttrList *attrs = pango_attr_list_new ();

    pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
    pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
    pango_layout_set_attributes (layout, attrs);
    pango_attr_list_unref (attrs);
  }

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_set_line_width (cr, 1.0);

  for (guint i = 0; i <= n_lines && n_lines <= 64; i++)
    {
      double value = axis_min + i * step;
      double y = PAD_TOP + round (hearth_graph_value_to_y (value, axis_min, axis_max, plot_height)) + 0.5;
      g_autofree char *text = format_tick (value);
      int text_height;

      gdk_cairo_set_source_rgba (cr, &line_color);
      cairo_move_to (cr, 0, y);
      cairo_line_to (cr, width, y);
      cairo_stroke (cr);

      pango_layout_set_text (layout, text, -1);
      pango_layout_get_pixel_size (layout, NULL, &text_height);
      /* every label above its line: never two in one gap */
      draw_label (cr, layout, &label_color, LABEL_PAD, y - text_height - 1);
    }

  cairo_destroy (cr);
  g_object_unref (layout);
  return gtk_snapshot_free_to_node (snapshot);
}

/* Counted points are few and each one matters (a trial): each gets a dot. */
static void
draw_dots (HearthGraph           *self,
           cairo_t               *cr,
           const HearthGraphRing *ring,
           gint64                 end_us,
           double                 axis_min,
           double                 axis_max,
           double                 width,
           double                 plot_height)
{
  for (guint i = 0; i < hearth_graph_ring_get_length (ring); i++)
    {
      const HearthGraphSample *s = hearth_graph_ring_get (ring, i);
      double x = hearth_graph_time_to_x (s->time_us, end_us, self->span_us, width);
      double y = PAD_TOP + hearth_graph_value_to_y (s->value, axis_min, axis_max, plot_height);

      cairo_new_path (cr);
      cairo_arc (cr, x, y, DOT_RADIUS, 0, 2 * G_PI);
      cairo_fill (cr);
    }
}

static void
draw_series (HearthGraph   *self,
             cairo_t       *cr,
             guint          index,
             gint64         end_us,
             double         axis_min,
             double         axis_max,
             double         width,
             double         plot_height,
             gboolean       fill)
{
  const HearthGraphRing *ring = self->series[index].ring;
  guint length = hearth_graph_ring_get_length (ring);
  gint64 start_us = end_us - self->span_us;
  double first_x = 0, last_x = 0, last_y = 0;
  gboolean started = FALSE;
  GdkRGBA color;

  lookup_color (self, self->series[index].color, &color);

  cairo_new_path (cr);
  for (guint i = 0; i < length; i++)
    {
      const HearthGraphSample *s = hearth_graph_ring_get (ring, i);
      double x, y;

      if (s->time_us < start_us)
        continue;
      x = hearth_graph_time_to_x (s->time_us, end_us, self->span_us, width);
      y = PAD_TOP + hearth_graph_value_to_y (s->value, axis_min, axis_max, plot_height);
      if (!started)
        {
          cairo_move_to (cr, x, y);
          first_x = x;
          started = TRUE;
        }
      else
        cairo_line_to (cr, x, y);
      last_x = x;
      last_y = y;
    }
  if (!started)
    return;

  /* one point is no line: a dot shows it */
  if (first_x == last_x && !fill)
    {
      cairo_new_path (cr);
      cairo_arc (cr, last_x, last_y, DOT_RADIUS, 0, 2 * G_PI);
      gdk_cairo_set_source_rgba (cr, &color);
      cairo_fill (cr);
      return;
    }

  if (fill)
    {
      cairo_line_to (cr, last_x, PAD_TOP + plot_height);
      cairo_line_to (cr, first_x, PAD_TOP + plot_height);
      cairo_close_path (cr);
      cairo_set_source_rgba (cr, color.red, color.green, color.blue, color.alpha * FILL_ALPHA);
      cairo_fill (cr);
      return;
    }

  gdk_cairo_set_source_rgba (cr, &color);
  cairo_stroke (cr);
  if (self->index_last > 0)
    draw_dots (self, cr, ring, end_us, axis_min, axis_max, width, plot_height);
}

static void
draw_pointer (HearthGraph *self,
              cairo_t     *cr,
              gint64       end_us,
              double       axis_min,
              double       axis_max,
              double       width,
              double       height,
              double       plot_height)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *clock = NULL;
  PangoLayout *layout;
  GdkRGBA line_color, fg, bg;
  gint64 pointer_us;
  gint64 sample_us = 0;
  gssize first_end = -1;
  double x = 0;
  int text_width, text_height;
  double box_x, box_y;

  pointer_us = end_us - (gint64) ((1.0 - self->pointer_x / width) * self->span_us);

  for (guint i = 0; i < self->n_series; i++)
    {
      const HearthGraphRing *ring = self->series[i].ring;
      int nearest = hearth_graph_ring_find_nearest (ring, pointer_us);
      const HearthGraphSample *s;
      g_autofree char *value = NULL;

      if (nearest < 0)
        continue;
      s = hearth_graph_ring_get (ring, nearest);
      if (s->time_us < end_us - self->span_us)
        continue;
      value = _hearth_graph_format_value (self, s->value);
      if (text->len == 0)
        {
          sample_us = s->time_us;
          x = hearth_graph_time_to_x (s->time_us, end_us, self->span_us, width);
        }
      else
        g_string_append_c (text, '\n');
      if (self->n_series > 1)
        g_string_append_printf (text, "%s ", self->series[i].name);
      g_string_append (text, value);
      if (first_end < 0)
        first_end = text->len;
    }
  if (text->len == 0)
    return;

  if (self->index_last > 0)
    {
      g_autofree char *format = g_strdup (self->index_format ? self->index_format : "%u");

      /* the format comes from the program, never from data */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
      clock = g_strdup_printf (format, (guint) (sample_us / G_USEC_PER_SEC));
#pragma GCC diagnostic pop
    }
  else
    {
      when = g_date_time_new_from_unix_local (sample_us / G_USEC_PER_SEC);
      clock = g_date_time_format (when, "%H:%M:%S");
    }
  /* the time goes on the first line: "12.4 tokens/s · 14:02:31" */
  g_string_insert (text, first_end, " · ");
  g_string_insert (text, first_end + strlen (" · "), clock);

  foreground_color (self, 0.45, &line_color);
  x = round (x) + 0.5;
  cairo_set_line_width (cr, 1.0);
  gdk_cairo_set_source_rgba (cr, &line_color);
  cairo_move_to (cr, x, PAD_TOP);
  cairo_line_to (cr, x, PAD_TOP + plot_height);
  cairo_stroke (cr);

  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text->str);
  pango_layout_get_pixel_size (layout, &text_width, &text_height);
  box_x = x + 6;
  if (box_x + text_width + 2 * LABEL_PAD > width)
    box_x = x - 6 - text_width - 2 * LABEL_PAD;
  box_x = MAX (0, box_x);
  box_y = PAD_TOP + 2;
  if (box_y + text_height + 2 * LABEL_PAD > height)
    box_y = 0;

  foreground_color (self, 1.0, &fg);
  bg = fg;
  /* an inverted, slightly translucent bubble reads on both styles */
  bg.alpha = 0.85;
  cairo_new_path (cr);
  {
    double w = text_width + 2 * LABEL_PAD, h = text_height + 2 * LABEL_PAD, r = 4;

    cairo_arc (cr, box_x + w - r, box_y + r, r, -G_PI / 2, 0);
    cairo_arc (cr, box_x + w - r, box_y + h - r, r, 0, G_PI / 2);
    cairo_arc (cr, box_x + r, box_y + h - r, r, G_PI / 2, G_PI);
    cairo_arc (cr, box_x + r, box_y + r, r, G_PI, 3 * G_PI / 2);
    cairo_close_path (cr);
  }
  gdk_cairo_set_source_rgba (cr, &bg);
  cairo_fill (cr);

  /* text in the background colour: the inverse of the foreground */
  fg.red = 1 - fg.red;
  fg.green = 1 - fg.green;
  fg.blue = 1 - fg.blue;
  fg.alpha = 1;
  draw_label (cr, layout, &fg, box_x + LABEL_PAD, box_y + LABEL_PAD);
  g_object_unref (layout);
}

static PangoLayout *
small_layout (HearthGraph *self,
              const char  *text)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  return layout;
}

static gboolean
series_shown (HearthGraph *self,
              guint        index,
              gint64       end_us)
{
  const HearthGraphSample *last = hearth_graph_ring_get_last (self->series[index].ring);

  return last != NULL && last->time_us >= end_us - self->span_us;
}

/* The unit at the left, once; at the right, a key to the lines when there
 * are several. */
static void
draw_header (HearthGraph *self,
             cairo_t     *cr,
             gint64       end_us,
             double       width)
{
  GdkRGBA dim;
  double x = width;
  guint n_shown = 0;

  foreground_color (self, 0.55, &dim);
  if (self->unit != NULL && self->unit[0] != '\0')
    {
      PangoLayout *layout = small_layout (self, self->unit);

      draw_label (cr, layout, &dim, LABEL_PAD, 0);
      note_text (self, self->unit);
      g_object_unref (layout);
    }
  for (guint i = 0; i < self->n_series; i++)
    n_shown += series_shown (self, i, end_us);
  if (n_shown < 2)
    return;
  for (guint i = self->n_series; i > 0; i--)
    {
      PangoLayout *layout;
      GdkRGBA color;
      int text_width, text_height;

      if (!series_shown (self, i - 1, end_us))
        continue;
      layout = small_layout (self, self->series[i - 1].name);
      pango_layout_get_pixel_size (layout, &text_width, &text_height);
      x -= text_width;
      draw_label (cr, layout, &dim, x, 0);
      lookup_color (self, self->series[i - 1].color, &color);
      gdk_cairo_set_source_rgba (cr, &color);
      cairo_rectangle (cr, x - 14, text_height / 2.0 - 4, 10, 8);
      cairo_fill (cr);
      x -= 14 + 12;
      note_text (self, self->series[i - 1].name);
      g_object_unref (layout);
    }
}

/* Steps for the time axis, in seconds: the first that leaves room. */
static const gint64 time_steps_s[] = {
  10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 3 * 3600, 6 * 3600, 12 * 3600, 86400,
  2 * 86400,
};

static void
draw_time_labels (HearthGraph *self,
                  cairo_t     *cr,
                  gint64       end_us,
                  double       width,
                  double       height)
{
  PangoLayout *layout = small_layout (self, self->span_us > (gint64) 86400 * G_USEC_PER_SEC ? "Wed"
                                                                                    : "00:00");
  gint64 span_s = self->span_us / G_USEC_PER_SEC;
  gint64 step_s = time_steps_s[G_N_ELEMENTS (time_steps_s) - 1];
  int label_width, label_height;
  GdkRGBA dim;

  pango_layout_get_pixel_size (layout, &label_width, &label_height);
  for (guint i = 0; i < G_N_ELEMENTS (time_steps_s); i++)
    if (width * time_steps_s[i] / MAX (1, span_s) >= label_width * 2.5)
      {
        step_s = time_steps_s[i];
        break;
      }
  foreground_color (self, 0.55, &dim);
  {
    g_autoptr(GDateTime) end = g_date_time_new_from_unix_local (end_us / G_USEC_PER_SEC);
    /* ticks on whole local hours and days, not UTC ones */
    gint64 offset_s = end ? g_date_time_get_utc_offset (end) / G_USEC_PER_SEC : 0;
    gint64 first = (end_us / G_USEC_PER_SEC + offset_s) / step_s * step_s - offset_s;

    for (gint64 t = first; t * G_USEC_PER_SEC >= end_us - self->span_us; t -= step_s)
      {
        g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (t);
        g_autofree char *text = when ? g_date_time_format (when, step_s >= 86400 ? "%a" : "%H:%M")
                                     : NULL;
        double x = hearth_graph_time_to_x (t * G_USEC_PER_SEC, end_us, self->span_us, width);
        int text_width;

        if (text == NULL)
          continue;
        pango_layout_set_text (layout, text, -1);
        pango_layout_get_pixel_size (layout, &text_width, NULL);
        if (x - text_width / 2.0 < 0 || x + text_width / 2.0 > width)
          continue;
        draw_label (cr, layout, &dim, x - text_width / 2.0, height - label_height);
        note_text (self, text);
      }
  }
  g_object_unref (layout);
}

/* 1, 2, 3 … under their points, every second or fifth one when they crowd. */
static void
draw_index_labels (HearthGraph *self,
                   cairo_t     *cr,
                   gint64       end_us,
                   double       width,
                   double       height)
{
  static const guint steps[] = { 1, 2, 5, 10, 20, 50, 100 };
  g_autofree char *widest = g_strdup_printf ("%u", self->index_last);
  PangoLayout *layout = small_layout (self, widest);
  guint step = steps[G_N_ELEMENTS (steps) - 1];
  int label_width, label_height;
  GdkRGBA dim;

  pango_layout_get_pixel_size (layout, &label_width, &label_height);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (width * steps[i] / self->index_last >= label_width * 2.5)
      {
        step = steps[i];
        break;
      }
  foreground_color (self, 0.55, &dim);
  for (guint n = 1; n <= self->index_last; n += step)
    {
      g_autofree char *text = g_strdup_printf ("%u", n);
      double x = hearth_graph_time_to_x ((gint64) n * G_USEC_PER_SEC, end_us, self->span_us,
                                         width);
      int text_width;

      pango_layout_set_text (layout, text, -1);
      pango_layout_get_pixel_size (layout, &text_width, NULL);
      draw_label (cr, layout, &dim, x - text_width / 2.0, height - label_height);
      note_text (self, text);
    }
  g_object_unref (layout);
}

static void
draw_empty (HearthGraph *self,
            GtkSnapshot *snapshot,
            int          width,
            int          height)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), _("No data yet"));
  GdkRGBA color;
  int text_width, text_height;

  foreground_color (self, 0.55, &color);
  pango_layout_get_pixel_size (layout, &text_width, &text_height);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((width - text_width) / 2.0,
                                                          (height - text_height) / 2.0));
  gtk_snapshot_append_layout (snapshot, layout, &color);
  gtk_snapshot_restore (snapshot);
  g_object_unref (layout);
}

/* A limit the values are held against (an alert's threshold), labelled at the right. */
static void
draw_threshold (HearthGraph *self,
                cairo_t     *cr,
                double       axis_min,
                double       axis_max,
                double       width,
                double       plot_height)
{
  static const double dash[] = { 6.0, 4.0 };
  g_autofree char *value = _hearth_graph_format_value (self, self->threshold);
  PangoLayout *layout = small_layout (self, value);
  double y = PAD_TOP + round (hearth_graph_value_to_y (self->threshold, axis_min, axis_max,
                                                       plot_height)) + 0.5;
  GdkRGBA color;
  int text_width, text_height;

  lookup_color (self, HEARTH_GRAPH_COLOR_ERROR, &color);
  gdk_cairo_set_source_rgba (cr, &color);
  cairo_save (cr);
  cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
  cairo_move_to (cr, 0, y);
  cairo_line_to (cr, width, y);
  cairo_stroke (cr);
  cairo_restore (cr);
  pango_layout_get_pixel_size (layout, &text_width, &text_height);
  draw_label (cr, layout, &color, width - text_width - LABEL_PAD, y - text_height - 1);
  note_text (self, value);
  g_object_unref (layout);
}

void
_hearth_graph_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  HearthGraph *self = HEARTH_GRAPH (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double plot_height = height - PAD_TOP - PAD_BOTTOM;
  double axis_min, axis_max, step;
  gint64 end_us;
  cairo_t *cr;

  self->n_snapshots++;
  self->dirty = FALSE;
  g_ptr_array_set_size (self->drawn_text, 0);

  if (width <= 0 || plot_height <= 0)
    return;

  if (!has_samples (self))
    {
      draw_empty (self, snapshot, width, height);
      return;
    }

  end_us = end_time (self);
  compute_axis (self, end_us, &axis_min, &axis_max, &step);

  if (self->grid_node == NULL ||
      self->grid_width != width || self->grid_height != height ||
      self->grid_min != axis_min || self->grid_max != axis_max || self->grid_step != step)
    {
      _hearth_graph_drop_grid (self);
      self->grid_node = build_grid (self, width, height, axis_min, axis_max, step);
      self->grid_width = width;
      self->grid_height = height;
      self->grid_min = axis_min;
      self->grid_max = axis_max;
      self->grid_step = step;
    }
  if (self->grid_node != NULL)
    gtk_snapshot_append_node (snapshot, self->grid_node);
  if (!self->grid_cache_enabled)
    _hearth_graph_drop_grid (self);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_set_line_width (cr, LINE_WIDTH);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  /* the fill under the first series, then the lines, the first on top */
  draw_series (self, cr, 0, end_us, axis_min, axis_max, width, plot_height, TRUE);
  for (guint i = self->n_series; i > 0; i--)
    draw_series (self, cr, i - 1, end_us, axis_min, axis_max, width, plot_height, FALSE);
  if (isfinite (self->threshold))
    draw_threshold (self, cr, axis_min, axis_max, width, plot_height);
  draw_header (self, cr, end_us, width);
  if (self->index_last > 0)
    draw_index_labels (self, cr, end_us, width, height);
  else
    draw_time_labels (self, cr, end_us, width, height);
  if (self->pointer_inside)
    draw_pointer (self, cr, end_us, axis_min, axis_max, width, height, plot_height);
  cairo_destroy (cr);
}
