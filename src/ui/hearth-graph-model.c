/* hearth-graph-model.c — the graph's sample rings and scales, without GTK
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-graph"

#include "config.h"

#include <math.h>

#include "hearth-graph-model.h"

struct _HearthGraphRing
{
  guint              capacity;
  guint              length;
  guint              head;      /* where the next sample goes */
  HearthGraphSample  samples[];
};

HearthGraphRing *
hearth_graph_ring_new (guint capacity)
{
  HearthGraphRing *ring;

  g_return_val_if_fail (capacity > 0, NULL);

  ring = g_malloc0 (sizeof *ring + capacity * sizeof (HearthGraphSample));
  ring->capacity = capacity;
  return ring;
}

void
hearth_graph_ring_free (HearthGraphRing *ring)
{
  g_free (ring);
}

void
hearth_graph_ring_push (HearthGraphRing *ring,
                        gint64           time_us,
                        double           value)
{
  g_return_if_fail (ring != NULL);

  ring->samples[ring->head].time_us = time_us;
  ring->samples[ring->head].value = value;
  ring->head = (ring->head + 1) % ring->capacity;
  if (ring->length < ring->capacity)
    ring->length++;
}

guint
hearth_graph_ring_get_length (const HearthGraphRing *ring)
{
  return ring->length;
}

guint
hearth_graph_ring_get_capacity (const HearthGraphRing *ring)
{
  return ring->capacity;
}

const HearthGraphSample *
hearth_graph_ring_get (const HearthGraphRing *ring,
                       guint                  index)
{
  guint start;

  g_return_val_if_fail (index < ring->length, NULL);

  start = (ring->head + ring->capacity - ring->length) % ring->capacity;
  return &ring->samples[(start + index) % ring->capacity];
}

const HearthGraphSample *
hearth_graph_ring_get_last (const HearthGraphRing *ring)
{
  if (ring->length == 0)
    return NULL;
  return hearth_graph_ring_get (ring, ring->length - 1);
}

gboolean
hearth_graph_ring_get_bounds (const HearthGraphRing *ring,
                              gint64                 since_us,
                              double                *min,
                              double                *max)
{
  gboolean found = FALSE;
  double lo = INFINITY;
  double hi = -INFINITY;

  for (guint i = 0; i < ring->length; i++)
    {
      const HearthGraphSample *s = hearth_graph_ring_get (ring, i);

      if (s->time_us < since_us || !isfinite (s->value))
        continue;
      lo = MIN (lo, s->value);
      hi = MAX (hi, s->value);
      found = TRUE;
    }
  if (found)
    {
      *min = lo;
      *max = hi;
    }
  return found;
}

int
hearth_graph_ring_find_nearest (const HearthGraphRing *ring,
                                gint64                 time_us)
{
  guint lo = 0;
  guint hi;

  if (ring->length == 0)
    return -1;

  /* samples arrive in time order: binary search for the first at or after */
  hi = ring->length;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (hearth_graph_ring_get (ring, mid)->time_us < time_us)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo == ring->length)
    return (int) ring->length - 1;
  if (lo > 0 &&
      time_us - hearth_graph_ring_get (ring, lo - 1)->time_us <
      hearth_graph_ring_get (ring, lo)->time_us - time_us)
    return (int) lo - 1;
  return (int) lo;
}

static double
nice_step (double rough)
{
  double exponent = floor (log10 (rough));
  double magnitude = pow (10, exponent);
  double fraction = rough / magnitude;

  if (fraction <= 1)
    return magnitude;
  if (fraction <= 2)
    return 2 * magnitude;
  if (fraction <= 2.5)
    return 2.5 * magnitude;
  if (fraction <= 5)
    return 5 * magnitude;
  return 10 * magnitude;
}

void
hearth_graph_nice_scale (double  data_min,
                         double  data_max,
                         guint   max_ticks,
                         double *axis_min,
                         double *axis_max,
                         double *step)
{
  double lo = MIN (data_min, data_max);
  double hi = MAX (data_min, data_max);
  double s;

  if (max_ticks == 0)
    max_ticks = 5;
  if (!isfinite (lo) || !isfinite (hi))
    lo = 0, hi = 1;

  if (hi - lo < 1e-12)
    {
      /* all equal: a band around the value, from zero when it is positive */
      double pad = fabs (hi) > 1e-12 ? fabs (hi) * 0.5 : 1;

      if (lo >= 0)
        {
          lo = 0;
          hi = hi > 0 ? hi + pad : 1;
        }
      else
        {
          lo -= pad;
          hi += pad;
        }
    }

  s = nice_step ((hi - lo) / max_ticks);
  *axis_min = floor (lo / s) * s;
  *axis_max = ceil (hi / s) * s;
  /* at most max_ticks steps; widen the step when rounding out added one */
  while ((*axis_max - *axis_min) / s > max_ticks + 0.5)
    {
      s = nice_step (s * 1.01);
      *axis_min = floor (lo / s) * s;
      *axis_max = ceil (hi / s) * s;
    }
  if (*axis_min == 0)
    *axis_min = 0; /* not -0 */
  *step = s;
}

double
hearth_graph_normalize_value (double value,
                              double axis_min,
                              double axis_max)
{
  double span = axis_max - axis_min;

  if (!(span > 0) || !isfinite (value))
    return 0;
  return CLAMP ((value - axis_min) / span, 0.0, 1.0);
}

double
hearth_graph_normalize_time (gint64 time_us,
                             gint64 end_us,
                             gint64 span_us)
{
  if (span_us <= 0)
    return 1;
  return CLAMP (1.0 - (double) (end_us - time_us) / (double) span_us, 0.0, 1.0);
}

double
hearth_graph_value_to_y (double value,
                         double axis_min,
                         double axis_max,
                         double height)
{
  return (1.0 - hearth_graph_normalize_value (value, axis_min, axis_max)) * height;
}

double
hearth_graph_time_to_x (gint64 time_us,
                        gint64 end_us,
                        gint64 span_us,
                        double width)
{
  return hearth_graph_normalize_time (time_us, end_us, span_us) * width;
}
