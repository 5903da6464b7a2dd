/* test-graph.c — the graph's ring, scales and drawing
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-graph"

#include "config.h"

#include <adwaita.h>
#include <math.h>

#include "hearth-graph.h"
#include "hearth-graph-model.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"

#define SECOND ((gint64) G_USEC_PER_SEC)

static void
test_ring_wrap (void)
{
  HearthGraphRing *ring = hearth_graph_ring_new (600);

  g_assert_null (hearth_graph_ring_get_last (ring));
  for (guint i = 0; i < 610; i++)
    hearth_graph_ring_push (ring, (gint64) i * SECOND, i);

  g_assert_cmpuint (hearth_graph_ring_get_length (ring), ==, 600);
  /* the ten oldest went, the order stayed */
  g_assert_cmpfloat (hearth_graph_ring_get (ring, 0)->value, ==, 10);
  g_assert_cmpint (hearth_graph_ring_get (ring, 0)->time_us, ==, 10 * SECOND);
  for (guint i = 1; i < 600; i++)
    g_assert_cmpint (hearth_graph_ring_get (ring, i)->time_us, >, hearth_graph_ring_get (ring, i - 1)->time_us);
  g_assert_cmpfloat (hearth_graph_ring_get_last (ring)->value, ==, 609);

  g_assert_cmpint (hearth_graph_ring_find_nearest (ring, 0), ==, 0);
  g_assert_cmpint (hearth_graph_ring_find_nearest (ring, 100 * SECOND + 400000), ==, 90);
  g_assert_cmpint (hearth_graph_ring_find_nearest (ring, 100 * SECOND + 600000), ==, 91);
  g_assert_cmpint (hearth_graph_ring_find_nearest (ring, 10000 * SECOND), ==, 599);

  {
    double lo, hi;

    g_assert_true (hearth_graph_ring_get_bounds (ring, 0, &lo, &hi));
    g_assert_cmpfloat (lo, ==, 10);
    g_assert_cmpfloat (hi, ==, 609);
    g_assert_true (hearth_graph_ring_get_bounds (ring, 600 * SECOND, &lo, &hi));
    g_assert_cmpfloat (lo, ==, 600);
    g_assert_false (hearth_graph_ring_get_bounds (ring, 700 * SECOND, &lo, &hi));
  }
  hearth_graph_ring_free (ring);
}

static void
assert_scale (double data_min,
              double data_max,
              double want_min,
              double want_max,
              double want_step)
{
  double axis_min, axis_max, step;

  hearth_graph_nice_scale (data_min, data_max, 5, &axis_min, &axis_max, &step);
  g_test_message ("%g..%g → %g..%g step %g", data_min, data_max, axis_min, axis_max, step);
  g_assert_cmpfloat_with_epsilon (axis_min, want_min, 1e-9);
  g_assert_cmpfloat_with_epsilon (axis_max, want_max, 1e-9);
  g_assert_cmpfloat_with_epsilon (step, want_step, 1e-9);
  g_assert_cmpfloat (axis_min, <=, MIN (data_min, data_max));
  g_assert_cmpfloat (axis_max, >=, MAX (data_min, data_max));
  g_assert_cmpfloat ((axis_max - axis_min) / step, <=, 5.5);
}

static void
test_nice_scale (void)
{
  assert_scale (0, 97.3, 0, 100, 20);
  assert_scale (0, 1, 0, 1, 0.2);
  assert_scale (3, 7, 3, 7, 1);
  assert_scale (0.12, 0.49, 0.1, 0.5, 0.1);
  assert_scale (-42, 17, -60, 20, 20);
  assert_scale (-97.3, -3, -100, 0, 20);
  /* all equal: a band from zero, or around a negative value */
  assert_scale (50, 50, 0, 80, 20);
  assert_scale (0, 0, 0, 1, 0.2);
  assert_scale (-10, -10, -15, -5, 2.5);
  /* inverted arguments are sorted */
  assert_scale (97.3, 0, 0, 100, 20);
}

static void
test_mapping (void)
{
  /* value → y: the axis bottom at the widget bottom, the top at 0, clamped */
  g_assert_cmpfloat (hearth_graph_value_to_y (0, 0, 100, 200), ==, 200);
  g_assert_cmpfloat (hearth_graph_value_to_y (100, 0, 100, 200), ==, 0);
  g_assert_cmpfloat (hearth_graph_value_to_y (25, 0, 100, 200), ==, 150);
  g_assert_cmpfloat (hearth_graph_value_to_y (-5, 0, 100, 200), ==, 200);
  g_assert_cmpfloat (hearth_graph_value_to_y (500, 0, 100, 200), ==, 0);
  g_assert_cmpfloat (hearth_graph_value_to_y (-50, -100, 0, 200), ==, 100);
  g_assert_cmpfloat (hearth_graph_value_to_y (NAN, 0, 100, 200), ==, 200);
  /* an empty axis does not divide by zero */
  g_assert_cmpfloat (hearth_graph_value_to_y (3, 3, 3, 200), ==, 200);
  g_assert_cmpfloat (hearth_graph_normalize_value (50, 0, 100), ==, 0.5);

  /* time → x: the window ends at the right edge */
  g_assert_cmpfloat (hearth_graph_time_to_x (600 * SECOND, 600 * SECOND, 60 * SECOND, 300), ==, 300);
  g_assert_cmpfloat (hearth_graph_time_to_x (540 * SECOND, 600 * SECOND, 60 * SECOND, 300), ==, 0);
  g_assert_cmpfloat (hearth_graph_time_to_x (570 * SECOND, 600 * SECOND, 60 * SECOND, 300), ==, 150);
  g_assert_cmpfloat (hearth_graph_time_to_x (10 * SECOND, 600 * SECOND, 60 * SECOND, 300), ==, 0);
  g_assert_cmpfloat (hearth_graph_normalize_time (585 * SECOND, 600 * SECOND, 60 * SECOND), ==, 0.75);
}

/* Four series of 600 samples at 1 Hz, ending now. */
static GtkWidget *
filled_graph (void)
{
  GtkWidget *graph = hearth_graph_new (600);
  const char *names[] = { "Generation", "Prompt", "GPU", "CPU" };
  gint64 now = g_get_real_time ();

  hearth_graph_set_unit (HEARTH_GRAPH (graph), "tokens/s");
  for (guint s = 0; s < G_N_ELEMENTS (names); s++)
    g_assert_cmpuint (hearth_graph_add_series (HEARTH_GRAPH (graph), names[s]), ==, s);
  for (guint i = 0; i < 600; i++)
    for (guint s = 0; s < G_N_ELEMENTS (names); s++)
      {
        double t = i / 600.0;
        double value = (55 - 12 * s) + (14 - 2 * s) * sin (t * (2 + s) * G_PI) + 2 * sin (i * 0.3 + s);

        hearth_graph_push (HEARTH_GRAPH (graph), s, now - (gint64) (599 - i) * SECOND, value);
      }
  return graph;
}

typedef struct
{
  GtkWidget *graph;
  guint      before;
} SnapshotWait;

static gboolean
snapshotted_since (gpointer data)
{
  SnapshotWait *wait = data;

  return hearth_graph_get_n_snapshots (HEARTH_GRAPH (wait->graph)) >= wait->before + 1;
}

static gboolean
unmapped (gpointer widget)
{
  return !gtk_widget_get_mapped (widget);
}

static void
present_graph (GtkWidget  *graph,
               GtkWindow **out_window)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 640, 240);
  gtk_window_set_child (GTK_WINDOW (window), graph);
  gtk_window_present (GTK_WINDOW (window));
  hearth_test_wait_drawn (window, 2000);
  *out_window = GTK_WINDOW (window);
}

static void
close_window (GtkWindow *window,
              GtkWidget *graph)
{
  g_object_ref (graph);
  gtk_window_destroy (window);
  hearth_test_spin_until (hearth_test_only_ref, graph, 2000);
  g_assert_finalize_object (graph);
}

static void
test_render (void)
{
  GtkWidget *graph = filled_graph ();
  GtkWindow *window;
  g_autofree char *light = NULL;
  g_autofree char *dark = NULL;
  g_autofree char *hover = NULL;
  AdwStyleManager *style = adw_style_manager_get_default ();

  present_graph (graph, &window);
  g_assert_cmpuint (hearth_graph_get_n_samples (HEARTH_GRAPH (graph), 3), ==, 600);
  g_assert_cmpuint (hearth_graph_get_n_snapshots (HEARTH_GRAPH (graph)), >=, 1);
  g_assert_true (g_str_has_prefix (hearth_graph_get_summary (HEARTH_GRAPH (graph)), "Generation "));
  g_assert_nonnull (strstr (hearth_graph_get_summary (HEARTH_GRAPH (graph)), "tokens/s"));
  g_assert_true (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (graph)) == GTK_ACCESSIBLE_ROLE_IMG);

  light = hearth_test_save_screenshot (GTK_WIDGET (window), "graph-light.png");

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  dark = hearth_test_save_screenshot (GTK_WIDGET (window), "graph-dark.png");

  /* the pointer over the middle: a line and a label */
  {
    GtkEventController *motion = NULL;
    g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (graph);

    for (guint i = 0; i < g_list_model_get_n_items (controllers) && motion == NULL; i++)
      {
        g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);

        if (GTK_IS_EVENT_CONTROLLER_MOTION (c))
          motion = c;
      }
    g_assert_nonnull (motion);
    g_signal_emit_by_name (motion, "enter", gtk_widget_get_width (graph) * 0.6, 100.0);
    hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
    hover = hearth_test_save_screenshot (GTK_WIDGET (window), "graph-dark-pointer.png");
    g_signal_emit_by_name (motion, "leave");
  }

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  close_window (window, graph);
}

static void
test_empty (void)
{
  GtkWidget *graph = hearth_graph_new (60);
  GtkWindow *window;
  g_autofree char *path = NULL;

  hearth_graph_add_series (HEARTH_GRAPH (graph), "Generation");
  g_assert_cmpstr (hearth_graph_get_summary (HEARTH_GRAPH (graph)), ==, "No data yet");
  present_graph (graph, &window);
  path = hearth_test_save_screenshot (GTK_WIDGET (window), "graph-empty.png");

  /* a fixed range, a single sample, a percentage */
  hearth_graph_set_range (HEARTH_GRAPH (graph), 0, 100);
  hearth_graph_set_unit (HEARTH_GRAPH (graph), "%");
  hearth_graph_push (HEARTH_GRAPH (graph), 0, g_get_real_time (), 42);
  g_assert_cmpstr (hearth_graph_get_summary (HEARTH_GRAPH (graph)), ==, "Generation 42%");
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  close_window (window, graph);
}

/* Pixels of @graph as drawn, and how many of them are close to the accent colour. */
static guint
count_accent_pixels (GtkWidget *graph)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (graph);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guchar *pixels = NULL;
  int width = gtk_widget_get_width (graph), height = gtk_widget_get_height (graph);
  GdkRGBA accent;
  guint n = 0;

  g_assert_true (gtk_style_context_lookup_color (gtk_widget_get_style_context (graph),
                                                 "accent_bg_color", &accent));
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  gsk_renderer_realize (renderer, gtk_native_get_surface (gtk_widget_get_native (graph)), NULL);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_renderer_unrealize (renderer);
  pixels = g_malloc (width * height * 4);
  gdk_texture_download (texture, pixels, width * 4);
  for (int i = 0; i < width * height; i++)
    {
      /* BGRA, premultiplied; opaque enough and near the accent */
      const guchar *p = pixels + 4 * i;

      if (p[3] > 200 && fabs (p[2] / 255.0 - accent.red) < 0.1 &&
          fabs (p[1] / 255.0 - accent.green) < 0.1 && fabs (p[0] / 255.0 - accent.blue) < 0.1)
        n++;
    }
  return n;
}

/* One sample is a dot; the unit is written once, as the axis title; the
 * time axis has labels; several lines get a key. */
static void
test_axes_and_key (void)
{
  GtkWidget *graph = hearth_graph_new (600);
  GtkWindow *window;
  g_autofree char *drawn = NULL;
  gint64 now = g_get_real_time ();

  hearth_graph_add_series (HEARTH_GRAPH (graph), "All");
  hearth_graph_add_series (HEARTH_GRAPH (graph), "Server");
  hearth_graph_set_range (HEARTH_GRAPH (graph), 0, 100);
  hearth_graph_set_unit (HEARTH_GRAPH (graph), "%");
  hearth_graph_set_time_window (HEARTH_GRAPH (graph), 300 * SECOND);
  present_graph (graph, &window);

  hearth_graph_push (HEARTH_GRAPH (graph), 0, now, 50);
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  g_assert_cmpuint (count_accent_pixels (graph), >=, 12);   /* a dot of radius 3 */
  g_free (hearth_test_save_screenshot (GTK_WIDGET (window), "graph-one-point.png"));
  drawn = hearth_graph_get_drawn_text (HEARTH_GRAPH (graph));
  /* the unit once, no key for one line */
  g_assert_true (g_str_has_prefix (drawn, "%\n"));
  g_assert_null (strstr (drawn + 2, "%"));
  g_assert_null (strstr (drawn, "Server"));
  /* time labels, five minutes a minute apart or so: "HH:MM" */
  g_assert_nonnull (strchr (drawn + 2, ':'));

  for (guint i = 1; i < 120; i++)
    {
      hearth_graph_push (HEARTH_GRAPH (graph), 0, now + i * SECOND, 50 + i % 7);
      hearth_graph_push (HEARTH_GRAPH (graph), 1, now + i * SECOND, 10 + i % 3);
    }
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  g_free (drawn);
  drawn = hearth_graph_get_drawn_text (HEARTH_GRAPH (graph));
  g_assert_nonnull (strstr (drawn, "\nServer\n"));
  g_assert_nonnull (strstr (drawn, "\nAll\n"));
  g_free (hearth_test_save_screenshot (GTK_WIDGET (window), "graph-key.png"));
  close_window (window, graph);
}

static void
test_unmapped (void)
{
  GtkWidget *graph = filled_graph ();
  GtkWindow *window;
  guint before;
  gint64 now = g_get_real_time ();

  present_graph (graph, &window);
  before = hearth_graph_get_n_snapshots (HEARTH_GRAPH (graph));
  g_assert_cmpuint (before, >=, 1);

  /* mapped: a sample draws */
  hearth_graph_push (HEARTH_GRAPH (graph), 0, now + SECOND, 50);
  hearth_test_spin_until (snapshotted_since, &(SnapshotWait) { graph, before }, 2000);
  g_assert_cmpuint (hearth_graph_get_n_snapshots (HEARTH_GRAPH (graph)), >=, before + 1);

  gtk_widget_set_visible (graph, FALSE);
  hearth_test_spin_until (unmapped, graph, 2000);
  g_assert_false (gtk_widget_get_mapped (graph));
  before = hearth_graph_get_n_snapshots (HEARTH_GRAPH (graph));
  for (guint i = 2; i < 50; i++)
    hearth_graph_push (HEARTH_GRAPH (graph), i % 4, now + i * SECOND, i);
  hearth_test_spin_for (200);
  g_assert_cmpuint (hearth_graph_get_n_snapshots (HEARTH_GRAPH (graph)), ==, before);

  /* mapped again: one draw for all of them */
  gtk_widget_set_visible (graph, TRUE);
  hearth_test_spin_for (300);
  g_assert_cmpuint (hearth_graph_get_n_snapshots (HEARTH_GRAPH (graph)), ==, before + 1);

  close_window (window, graph);
}

int
main (int   argc,
      char *argv[])
{
  hearth_test_init (&argc, &argv);
  gtk_init ();
  adw_init ();

  g_test_add_func ("/graph/ring-wrap", test_ring_wrap);
  g_test_add_func ("/graph/nice-scale", test_nice_scale);
  g_test_add_func ("/graph/mapping", test_mapping);
  g_test_add_func ("/graph/render", test_render);
  g_test_add_func ("/graph/empty", test_empty);
  g_test_add_func ("/graph/unmapped", test_unmapped);
  g_test_add_func ("/graph/axes-and-key", test_axes_and_key);

  return g_test_run ();
}
