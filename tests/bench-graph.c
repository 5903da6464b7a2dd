/* bench-graph.c — snapshotting the graph: 4 series × 600 samples
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run under a display (figures are printed, never asserted):
 *   GSK_RENDERER=cairo GDK_DEBUG=gl-disable xvfb-run -a -s "-screen 0 1280x800x24" \
 *     dbus-run-session -- meson test -C _build --benchmark --verbose bench-graph
 *
 * The graph sits in a 640×240 window. Each run pushes one sample per series
 * (as the Performance page would at 1 Hz) and times the widget class's
 * snapshot() into a fresh GtkSnapshot, down to the render node, as a parent's
 * gtk_widget_snapshot_child() would run it. (A GtkWidgetPaintable would
 * hand back its cached image until the next frame.) Then the same with the
 * grid cache off.
 */
#define G_LOG_DOMAIN "hearth-bench-graph"

#include "config.h"

#include <adwaita.h>
#include <math.h>

#include "hearth-bench-util.h"
#include "hearth-graph.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"

#define RUNS       200
#define CAPACITY   600
#define N_SERIES   4
#define TARGET_MS  2.0

static gint64 clock_us;
static guint  tick;

static void
push_all (HearthGraph *graph)
{
  for (guint s = 0; s < N_SERIES; s++)
    hearth_graph_push (graph, s, clock_us,
                       (60 - 12 * s) + 14 * sin (tick * 0.05 * (s + 1)) + 4 * sin (tick * 0.7 + s));
  clock_us += G_USEC_PER_SEC;
  tick++;
}

static void
measure (GtkWidget  *graph,
         const char *label)
{
  GtkWidgetClass *klass = GTK_WIDGET_GET_CLASS (graph);
  double ms[RUNS];
  guint snapshots = hearth_graph_get_n_snapshots (HEARTH_GRAPH (graph));

  for (guint i = 0; i < RUNS; i++)
    {
      GtkSnapshot *snapshot;
      GskRenderNode *node;
      gint64 start;

      push_all (HEARTH_GRAPH (graph));
      start = g_get_monotonic_time ();
      snapshot = gtk_snapshot_new ();
      klass->snapshot (graph, snapshot);
      node = gtk_snapshot_free_to_node (snapshot);
      ms[i] = (g_get_monotonic_time () - start) / 1000.0;
      g_clear_pointer (&node, gsk_render_node_unref);
    }
  if (hearth_graph_get_n_snapshots (HEARTH_GRAPH (graph)) - snapshots < RUNS)
    g_printerr ("warning: only %u of %u runs reached the widget's snapshot\n",
                hearth_graph_get_n_snapshots (HEARTH_GRAPH (graph)) - snapshots, RUNS);

  g_print ("graph-snapshot-p50%s: %.3f ms (target ≤ %.1f ms)\n",
           label, hearth_bench_percentile (ms, RUNS, 0.5), TARGET_MS);
  g_print ("graph-snapshot-p99%s: %.3f ms (target ≤ %.1f ms)\n",
           label, hearth_bench_percentile (ms, RUNS, 0.99), TARGET_MS);
}

int
main (int   argc,
      char *argv[])
{
  GtkWidget *window;
  GtkWidget *graph;

  hearth_test_init (&argc, &argv);
  gtk_init ();
  adw_init ();

  graph = hearth_graph_new (CAPACITY);
  hearth_graph_set_unit (HEARTH_GRAPH (graph), "tokens/s");
  for (guint s = 0; s < N_SERIES; s++)
    {
      g_autofree char *name = g_strdup_printf ("Series %u", s + 1);

      hearth_graph_add_series (HEARTH_GRAPH (graph), name);
    }
  clock_us = g_get_real_time ();
  for (guint i = 0; i < CAPACITY; i++)
    push_all (HEARTH_GRAPH (graph));

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 240);
  gtk_window_set_child (GTK_WINDOW (window), graph);
  gtk_window_present (GTK_WINDOW (window));
  hearth_test_spin_for (500);

  g_print ("graph: %d×%d, %u series × %u samples, %u snapshots\n",
           gtk_widget_get_width (graph), gtk_widget_get_height (graph),
           N_SERIES, CAPACITY, RUNS);
  measure (graph, "");
  hearth_graph_set_grid_cache_enabled (HEARTH_GRAPH (graph), FALSE);
  measure (graph, "-nocache");

  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
