/* hearth-graph-private.h — what hearth-graph.c and its drawing share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hearth-graph.h"
#include "hearth-graph-model.h"

G_BEGIN_DECLS

#define MAX_TICKS     4
#define HEADER        16.0   /* the unit (the axis title) and the legend */
#define PAD_TOP       (HEADER + 16.0)   /* and room for the top line's label above it */
#define PAD_BOTTOM    18.0   /* the time labels */
#define DOT_RADIUS    3.0
#define LINE_WIDTH    1.5
#define FILL_ALPHA    0.18
#define LABEL_PAD     4.0

typedef struct
{
  char             *name;
  HearthGraphRing  *ring;
  HearthGraphColor  color;
} Series;

struct _HearthGraph
{
  GtkWidget      parent_instance;

  Series         series[HEARTH_GRAPH_MAX_SERIES];
  guint          n_series;
  guint          capacity;

  double         range_min;
  double         range_max;
  double         threshold;    /* a dashed line, NAN for none */
  gint64         span_us;
  char          *unit;
  guint          index_last;    /* > 0: an index axis 1 … index_last */
  char          *index_format;  /* "Trial %u" */
  char          *summary;
  /* what assistive technologies get: the title as the name, the figures
   * (now, lowest, highest over the shown window) as the description, given
   * at most once a second */
  char          *title;
  char          *description;
  gint64         a11y_updated_us;
  guint          a11y_source;

  /* the cached grid, and what it was drawn for */
  GskRenderNode *grid_node;
  int            grid_width;
  int            grid_height;
  double         grid_min;
  double         grid_max;
  double         grid_step;
  gboolean       grid_cache_enabled;

  GPtrArray     *drawn_text;   /* what the last snapshot wrote, for tests */

  double         pointer_x;
  gboolean       pointer_inside;
  gboolean       dirty;
  guint          n_snapshots;
};

/* hearth-graph-draw.c */
char *_hearth_graph_format_value (HearthGraph *self,
                                  double       value);
void  _hearth_graph_drop_grid    (HearthGraph *self);
void  _hearth_graph_snapshot     (GtkWidget   *widget,
                                  GtkSnapshot *snapshot);

G_END_DECLS
