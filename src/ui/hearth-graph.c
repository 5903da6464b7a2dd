/* hearth-graph.c — a live line chart of up to four series
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

G_DEFINE_FINAL_TYPE (HearthGraph, hearth_graph, GTK_TYPE_WIDGET)

/* How long the figures an assistive technology is given may lag: a sample a
 * second on each of several graphs must not become a stream of announcements. */
#define A11Y_INTERVAL_US G_USEC_PER_SEC

/* Returns: (transfer full): "last 5 minutes", the window the graph shows. */
static char *
describe_window (HearthGraph *self)
{
  guint64 seconds = (guint64) (self->span_us / G_USEC_PER_SEC);

  if (self->index_last > 0)
    /* Translators: what a graph of a tuner's trials shows, read by a screen reader */
    return g_strdup_printf (ngettext ("%u trial", "%u trials", self->index_last),
                            self->index_last);
  if (seconds >= 86400 && seconds % 86400 == 0)
    /* Translators: the time a graph shows, read by a screen reader */
    return g_strdup_printf (ngettext ("last %u day", "last %u days", (gulong) (seconds / 86400)),
                            (guint) (seconds / 86400));
  if (seconds >= 3600 && seconds % 3600 == 0)
    /* Translators: the time a graph shows, read by a screen reader */
    return g_strdup_printf (ngettext ("last %u hour", "last %u hours", (gulong) (seconds / 3600)),
                            (guint) (seconds / 3600));
  if (seconds >= 60)
    /* Translators: the time a graph shows, read by a screen reader */
    return g_strdup_printf (ngettext ("last %u minute", "last %u minutes", (gulong) (seconds / 60)),
                            (guint) (seconds / 60));
  /* Translators: the time a graph shows, read by a screen reader */
  return g_strdup_printf (ngettext ("last %u second", "last %u seconds", (gulong) seconds),
                          (guint) seconds);
}

/* Returns: (transfer full): the graph's text alternative, every figure it
 * shows: "CPU, last 5 minutes: All now 12%, lowest 3%, highest 40%; …". */
static char *
build_description (HearthGraph *self)
{
  GString *text = g_string_new (NULL);
  g_autofree char *window = describe_window (self);
  gint64 end_us = G_MININT64;
  guint n_described = 0;

  for (guint i = 0; i < self->n_series; i++)
    {
      const HearthGraphSample *last = hearth_graph_ring_get_last (self->series[i].ring);

      if (last != NULL)
        end_us = MAX (end_us, last->time_us);
    }
  if (self->title != NULL)
    g_string_append_printf (text, "%s, ", self->title);
  g_string_append_printf (text, "%s: ", window);
  for (guint i = 0; i < self->n_series; i++)
    {
      const HearthGraphSample *last = hearth_graph_ring_get_last (self->series[i].ring);
      g_autofree char *now = NULL;
      g_autofree char *lowest = NULL;
      g_autofree char *highest = NULL;
      double min, max;

      if (last == NULL
          || !hearth_graph_ring_get_bounds (self->series[i].ring, end_us - self->span_us,
                                            &min, &max))
        continue;
      now = _hearth_graph_format_value (self, last->value);
      lowest = _hearth_graph_format_value (self, min);
      highest = _hearth_graph_format_value (self, max);
      if (n_described++ > 0)
        g_string_append (text, "; ");
      /* Translators: one line of a graph, read by a screen reader:
       * "Server now 12%, lowest 3%, highest 40%" */
      g_string_append_printf (text, _("%s now %s, lowest %s, highest %s"),
                              self->series[i].name, now, lowest, highest);
    }
  if (n_described == 0)
    g_string_append (text, _("No data yet"));
  return g_string_free (text, FALSE);
}

static void
update_accessible (HearthGraph *self)
{
  g_clear_handle_id (&self->a11y_source, g_source_remove);
  self->a11y_updated_us = g_get_monotonic_time ();
  g_free (self->description);
  self->description = build_description (self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  self->title != NULL ? self->title : self->summary,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->description,
                                  -1);
}

static gboolean
on_a11y_timeout (gpointer data)
{
  HearthGraph *self = data;

  self->a11y_source = 0;
  update_accessible (self);
  return G_SOURCE_REMOVE;
}

/* Now if the last update is a second old, else once it is. */
static void
queue_accessible (HearthGraph *self)
{
  gint64 since = g_get_monotonic_time () - self->a11y_updated_us;

  if (self->a11y_source != 0)
    return;
  if (since >= A11Y_INTERVAL_US)
    update_accessible (self);
  else
    self->a11y_source = g_timeout_add ((guint) ((A11Y_INTERVAL_US - since) / 1000) + 1,
                                       on_a11y_timeout, self);
}

static void
update_summary (HearthGraph *self)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < self->n_series; i++)
    {
      const HearthGraphSample *last = hearth_graph_ring_get_last (self->series[i].ring);
      g_autofree char *value = NULL;

      if (last == NULL)
        continue;
      value = _hearth_graph_format_value (self, last->value);
      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append_printf (text, "%s %s", self->series[i].name, value);
    }
  if (text->len == 0)
    g_string_append (text, _("No data yet"));

  g_free (self->summary);
  self->summary = g_string_free (text, FALSE);
  queue_accessible (self);
}

static void
invalidate (HearthGraph *self)
{
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_widget_queue_draw (GTK_WIDGET (self));
  else
    self->dirty = TRUE;
}


static void
hearth_graph_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 120 : 110;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 300 : 180;
}

static void
hearth_graph_size_allocate (GtkWidget *widget,
                            int        width,
                            int        height,
                            int        baseline)
{
  HearthGraph *self = HEARTH_GRAPH (widget);

  if (width != self->grid_width || height != self->grid_height)
    _hearth_graph_drop_grid (self);
}

static void
hearth_graph_map (GtkWidget *widget)
{
  HearthGraph *self = HEARTH_GRAPH (widget);

  GTK_WIDGET_CLASS (hearth_graph_parent_class)->map (widget);
  if (self->dirty)
    gtk_widget_queue_draw (widget);
}

static void
hearth_graph_css_changed (GtkWidget         *widget,
                          GtkCssStyleChange *change)
{
  HearthGraph *self = HEARTH_GRAPH (widget);

  GTK_WIDGET_CLASS (hearth_graph_parent_class)->css_changed (widget, change);
  /* colours and fonts may have changed: dark style, accent, text scale */
  _hearth_graph_drop_grid (self);
  invalidate (self);
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           HearthGraph              *self)
{
  self->pointer_x = x;
  self->pointer_inside = TRUE;
  invalidate (self);
}

static void
on_leave (GtkEventControllerMotion *controller,
          HearthGraph              *self)
{
  self->pointer_inside = FALSE;
  invalidate (self);
}

static void
hearth_graph_dispose (GObject *object)
{
  HearthGraph *self = HEARTH_GRAPH (object);

  g_clear_handle_id (&self->a11y_source, g_source_remove);

  G_OBJECT_CLASS (hearth_graph_parent_class)->dispose (object);
}

static void
hearth_graph_finalize (GObject *object)
{
  HearthGraph *self = HEARTH_GRAPH (object);

  for (guint i = 0; i < self->n_series; i++)
    {
      g_free (self->series[i].name);
      hearth_graph_ring_free (self->series[i].ring);
    }
  _hearth_graph_drop_grid (self);
  g_free (self->unit);
  g_free (self->index_format);
  g_free (self->summary);
  g_free (self->title);
  g_free (self->description);
  g_ptr_array_unref (self->drawn_text);

  G_OBJECT_CLASS (hearth_graph_parent_class)->finalize (object);
}

static void
hearth_graph_class_init (HearthGraphClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hearth_graph_dispose;
  object_class->finalize = hearth_graph_finalize;
  widget_class->snapshot = _hearth_graph_snapshot;
  widget_class->measure = hearth_graph_measure;
  widget_class->size_allocate = hearth_graph_size_allocate;
  widget_class->map = hearth_graph_map;
  widget_class->css_changed = hearth_graph_css_changed;

  gtk_widget_class_set_css_name (widget_class, "graph");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
hearth_graph_init (HearthGraph *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->range_min = NAN;
  self->range_max = NAN;
  self->threshold = NAN;
  self->grid_cache_enabled = TRUE;
  self->drawn_text = g_ptr_array_new_with_free_func (g_free);

  g_signal_connect (motion, "enter", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  update_summary (self);
}

GtkWidget *
hearth_graph_new (guint capacity)
{
  HearthGraph *self;

  g_return_val_if_fail (capacity > 0, NULL);

  self = g_object_new (HEARTH_TYPE_GRAPH, NULL);
  self->capacity = capacity;
  self->span_us = (gint64) capacity * G_USEC_PER_SEC;
  return GTK_WIDGET (self);
}

guint
hearth_graph_add_series (HearthGraph *self,
                         const char  *name)
{
  Series *series;

  g_return_val_if_fail (HEARTH_IS_GRAPH (self), 0);
  g_return_val_if_fail (self->n_series < HEARTH_GRAPH_MAX_SERIES, 0);

  series = &self->series[self->n_series];
  series->name = g_strdup (name != NULL ? name : "");
  series->ring = hearth_graph_ring_new (self->capacity);
  series->color = (HearthGraphColor) self->n_series;
  return self->n_series++;
}

void
hearth_graph_set_series_color (HearthGraph      *self,
                               guint             series,
                               HearthGraphColor  color)
{
  g_return_if_fail (HEARTH_IS_GRAPH (self));
  g_return_if_fail (series < self->n_series);
  g_return_if_fail (color <= HEARTH_GRAPH_COLOR_ERROR);

  if (self->series[series].color == color)
    return;
  self->series[series].color = color;
  invalidate (self);
}

void
hearth_graph_push (HearthGraph *self,
                   guint        series,
                   gint64       time_us,
                   double       value)
{
  g_return_if_fail (HEARTH_IS_GRAPH (self));
  g_return_if_fail (series < self->n_series);

  hearth_graph_ring_push (self->series[series].ring, time_us, value);
  update_summary (self);
  invalidate (self);
}

/* Drops every sample, keeping the series, for a new time range. */
void
hearth_graph_clear (HearthGraph *self)
{
  g_return_if_fail (HEARTH_IS_GRAPH (self));

  for (guint i = 0; i < self->n_series; i++)
    {
      hearth_graph_ring_free (self->series[i].ring);
      self->series[i].ring = hearth_graph_ring_new (self->capacity);
    }
  _hearth_graph_drop_grid (self);
  update_summary (self);
  invalidate (self);
}

void
hearth_graph_set_range (HearthGraph *self,
                        double       min,
                        double       max)
{
  g_return_if_fail (HEARTH_IS_GRAPH (self));

  self->range_min = min;
  self->range_max = max;
  invalidate (self);
}

/* @value: NAN for none */
void
hearth_graph_set_threshold (HearthGraph *self,
                            double       value)
{
  g_return_if_fail (HEARTH_IS_GRAPH (self));

  self->threshold = value;
  invalidate (self);
}

void
hearth_graph_set_time_window (HearthGraph *self,
                              gint64       span_us)
{
  g_return_if_fail (HEARTH_IS_GRAPH (self));
  g_return_if_fail (span_us > 0);

  if (self->span_us == span_us)
    return;
  self->span_us = span_us;
  queue_accessible (self);
  invalidate (self);
}

void
hearth_graph_set_index_axis (HearthGraph *self,
                             guint        last,
                             const char  *pointer_format)
{
  g_return_if_fail (HEARTH_IS_GRAPH (self));
  g_return_if_fail (last > 0);

  self->index_last = last;
  g_free (self->index_format);
  self->index_format = g_strdup (pointer_format);
  /* each index in the middle of its own slot: 1 … last between 0.5 and last + 0.5 */
  self->span_us = (gint64) last * G_USEC_PER_SEC;
  queue_accessible (self);
  _hearth_graph_drop_grid (self);
  invalidate (self);
}

void
hearth_graph_set_unit (HearthGraph *self,
                       const char  *unit)
{
  g_return_if_fail (HEARTH_IS_GRAPH (self));

  if (g_strcmp0 (self->unit, unit) == 0)
    return;
  g_free (self->unit);
  self->unit = g_strdup (unit);
  _hearth_graph_drop_grid (self);
  update_summary (self);
  invalidate (self);
}

/* @title: what the graph shows ("CPU"), its accessible name; NULL names it
 * by its latest figures instead */
void
hearth_graph_set_title (HearthGraph *self,
                        const char  *title)
{
  g_return_if_fail (HEARTH_IS_GRAPH (self));

  if (g_strcmp0 (self->title, title) == 0)
    return;
  g_free (self->title);
  self->title = g_strdup (title);
  update_accessible (self);
}

/* The text alternative assistive technologies were last given (at most a
 * second behind the samples). */
const char *
hearth_graph_get_description (HearthGraph *self)
{
  g_return_val_if_fail (HEARTH_IS_GRAPH (self), NULL);

  return self->description;
}

const char *
hearth_graph_get_summary (HearthGraph *self)
{
  g_return_val_if_fail (HEARTH_IS_GRAPH (self), NULL);

  return self->summary;
}

guint
hearth_graph_get_n_snapshots (HearthGraph *self)
{
  g_return_val_if_fail (HEARTH_IS_GRAPH (self), 0);

  return self->n_snapshots;
}

guint
hearth_graph_get_n_samples (HearthGraph *self,
                            guint        series)
{
  g_return_val_if_fail (HEARTH_IS_GRAPH (self), 0);
  g_return_val_if_fail (series < self->n_series, 0);

  return hearth_graph_ring_get_length (self->series[series].ring);
}

/* Returns: (transfer full): the texts the last snapshot drew outside the
 * cached grid (unit, legend, time labels), newline-separated. */
char *
hearth_graph_get_drawn_text (HearthGraph *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (HEARTH_IS_GRAPH (self), NULL);

  for (guint i = 0; i < self->drawn_text->len; i++)
    g_string_append_printf (text, "%s\n", (char *) g_ptr_array_index (self->drawn_text, i));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

void
hearth_graph_set_grid_cache_enabled (HearthGraph *self,
                                     gboolean     enabled)
{
  g_return_if_fail (HEARTH_IS_GRAPH (self));

  self->grid_cache_enabled = !!enabled;
  if (!enabled)
    _hearth_graph_drop_grid (self);
}
