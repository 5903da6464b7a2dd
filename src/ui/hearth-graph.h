/* hearth-graph.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define HEARTH_GRAPH_MAX_SERIES 4

typedef enum
{
  HEARTH_GRAPH_COLOR_ACCENT,
  HEARTH_GRAPH_COLOR_SUCCESS,
  HEARTH_GRAPH_COLOR_WARNING,
  HEARTH_GRAPH_COLOR_ERROR,
} HearthGraphColor;

#define HEARTH_TYPE_GRAPH (hearth_graph_get_type ())

G_DECLARE_FINAL_TYPE (HearthGraph, hearth_graph, HEARTH, GRAPH, GtkWidget)

GtkWidget  *hearth_graph_new                    (guint             capacity);
guint       hearth_graph_add_series             (HearthGraph      *self,
                                                 const char       *name);
void        hearth_graph_set_series_color       (HearthGraph      *self,
                                                 guint             series,
                                                 HearthGraphColor  color);
void        hearth_graph_push                   (HearthGraph      *self,
                                                 guint             series,
                                                 gint64            time_us,
                                                 double            value);
void        hearth_graph_clear                  (HearthGraph      *self);
void        hearth_graph_set_range              (HearthGraph      *self,
                                                 double            min,
                                                 double            max);
void        hearth_graph_set_threshold          (HearthGraph      *self,
                                                 double            value);
void        hearth_graph_set_time_window        (HearthGraph      *self,
                                                 gint64            span_us);
void        hearth_graph_set_unit               (HearthGraph      *self,
                                                 const char       *unit);
void        hearth_graph_set_title              (HearthGraph      *self,
                                                 const char       *title);
const char *hearth_graph_get_summary            (HearthGraph      *self);
const char *hearth_graph_get_description        (HearthGraph      *self);
/* Counts instead of times on the x axis (a tuner's trials): push sample n at
 * time_us = n * G_USEC_PER_SEC; the axis shows 1 … @last, every point gets a
 * dot, and the pointer says @pointer_format ("Trial %u") instead of a clock. */
void        hearth_graph_set_index_axis         (HearthGraph      *self,
                                                 guint             last,
                                                 const char       *pointer_format);

/* For tests and benchmarks. */
guint       hearth_graph_get_n_snapshots        (HearthGraph      *self);
guint       hearth_graph_get_n_samples          (HearthGraph      *self,
                                                 guint             series);
char       *hearth_graph_get_drawn_text         (HearthGraph      *self);
void        hearth_graph_set_grid_cache_enabled (HearthGraph      *self,
                                                 gboolean          enabled);

G_END_DECLS
