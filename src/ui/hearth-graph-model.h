/* hearth-graph-model.h — the graph's sample rings and scales, without GTK
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gint64 time_us;
  double value;
} HearthGraphSample;

typedef struct _HearthGraphRing HearthGraphRing;

/* A fixed-capacity ring: the oldest sample is dropped once it is full. */
HearthGraphRing         *hearth_graph_ring_new        (guint                  capacity);
void                     hearth_graph_ring_free       (HearthGraphRing       *ring);
void                     hearth_graph_ring_push       (HearthGraphRing       *ring,
                                                       gint64                 time_us,
                                                       double                 value);
guint                    hearth_graph_ring_get_length (const HearthGraphRing *ring);
guint                    hearth_graph_ring_get_capacity (const HearthGraphRing *ring);
/* index 0 is the oldest sample kept */
const HearthGraphSample *hearth_graph_ring_get        (const HearthGraphRing *ring,
                                                       guint                  index);
const HearthGraphSample *hearth_graph_ring_get_last   (const HearthGraphRing *ring);
/* FALSE when empty; considers samples with time_us >= since_us only */
gboolean                 hearth_graph_ring_get_bounds (const HearthGraphRing *ring,
                                                       gint64                 since_us,
                                                       double                *min,
                                                       double                *max);
/* the index of the sample nearest in time, or -1 when empty */
int                      hearth_graph_ring_find_nearest (const HearthGraphRing *ring,
                                                       gint64                 time_us);

/* An axis from min to max in steps of 1, 2, 2.5 or 5 × 10ⁿ, covering
 * data_min..data_max with at most max_ticks + 1 lines. */
void                     hearth_graph_nice_scale      (double                 data_min,
                                                       double                 data_max,
                                                       guint                  max_ticks,
                                                       double                *axis_min,
                                                       double                *axis_max,
                                                       double                *step);

/* value → 0..1 (0 at axis_min), clamped; time → 0..1 over the window ending at end_us */
double                   hearth_graph_normalize_value (double                 value,
                                                       double                 axis_min,
                                                       double                 axis_max);
double                   hearth_graph_normalize_time  (gint64                 time_us,
                                                       gint64                 end_us,
                                                       gint64                 span_us);
/* 0..1 → pixels: y grows downwards, so 1 is the top (y = 0) */
double                   hearth_graph_value_to_y      (double                 value,
                                                       double                 axis_min,
                                                       double                 axis_max,
                                                       double                 height);
double                   hearth_graph_time_to_x       (gint64                 time_us,
                                                       gint64                 end_us,
                                                       gint64                 span_us,
                                                       double                 width);

G_END_DECLS
