/* test-performance-page.c — the Performance page shows measured requests, live samples and benchmarks
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-performance-page"

#include "config.h"

#include <adwaita.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "hearth-bench.h"
#include "hearth-graph.h"
#include "hearth-performance-page.h"
#include "hearth-reply-private.h"
#include "hearth-test-server.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"

static GSettings *settings;
static guint store_serial;

typedef struct
{
  GtkWindow             *window;
  HearthPerformancePage *page;
  HearthEngine          *engine;
  HearthStore           *store;
  HearthSampler         *sampler;
  HearthResourceHistory *history;
} Fixture;

static void
assert_text_has (const char *text,
                 const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("“%s” not on the page:\n%s", needle, text);
}

static void
assert_text_lacks (const char *text,
                   const char *needle)
{
  if (strstr (text, needle) != NULL)
    g_error ("“%s” on the page, but should not be:\n%s", needle, text);
}

static gboolean
page_is_loaded (gpointer data)
{
  return hearth_performance_page_is_loaded (HEARTH_PERFORMANCE_PAGE (data));
}

typedef struct
{
  GtkWidget *window;
  int        width;
} WidthWait;

static gboolean
no_wider_than (gpointer data)
{
  WidthWait *wait = data;

  return gtk_widget_get_width (wait->window) <= wait->width;
}

static gboolean
is_benchmarking (gpointer page)
{
  return hearth_performance_page_is_benchmarking (page);
}

/* The page's graphs move with every sample, so it is never still for long:
 * its waits for a drawn page last no longer than the fixed ones they
 * replaced. */
static void
wait_loaded (Fixture *fixture)
{
  hearth_test_spin_for (20);
  g_assert_true (hearth_test_spin_until (page_is_loaded, fixture->page, 10000));
  hearth_test_wait_drawn (GTK_WIDGET (fixture->page), 50);
}

static void
fixture_open (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("perf-%u", ++store_serial);
  g_autofree char *path = hearth_test_build_tmp_path (name, "hearth.db", NULL);

  fixture->store = hearth_store_open (path, &error);
  g_assert_no_error (error);
  fixture->engine = hearth_engine_new (fixture->store);
  fixture->sampler = hearth_sampler_new ("/", 600);
  hearth_sampler_set_intervals (fixture->sampler, 100, 100);
  fixture->history = hearth_resource_history_new (fixture->store);
  hearth_sampler_start (fixture->sampler);
}

static void
fixture_show (Fixture *fixture)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = g_object_new (HEARTH_TYPE_PERFORMANCE_PAGE, NULL);

  hearth_performance_page_set_engine (HEARTH_PERFORMANCE_PAGE (page), fixture->engine);
  hearth_performance_page_set_sampler (HEARTH_PERFORMANCE_PAGE (page), fixture->sampler,
                                       fixture->history);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 1100);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  fixture->window = GTK_WINDOW (window);
  fixture->page = HEARTH_PERFORMANCE_PAGE (page);
  wait_loaded (fixture);
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
fixture_close (Fixture *fixture)
{
  gpointer page = fixture->page;
  gint64 start = g_get_monotonic_time ();

  /* Requests in flight hold the page until their cancellation comes back. */
  g_object_add_weak_pointer (G_OBJECT (page), &page);
  gtk_window_destroy (fixture->window);
  g_assert_true (hearth_test_spin_until (is_null, &page, 2000));
  g_test_message ("page finalized %.0f ms after its window closed",
                  (g_get_monotonic_time () - start) / 1000.0);
  hearth_sampler_stop (fixture->sampler);
  g_clear_object (&fixture->history);
  g_assert_finalize_object (fixture->sampler);
  g_assert_finalize_object (fixture->engine);
  g_assert_finalize_object (fixture->store);
}

/* A recorded reply, as the engine stores one. */
static void
add_reply (HearthStore *store,
           const char  *model,
           gint64       age_ms,
           double       ttft_ms,
           double       tokens_per_s,
           gboolean     failed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthMessage) message = hearth_message_new ("assistant", "an answer");
  gint64 conversation = hearth_store_create_conversation (store, "measured", &error);

  g_assert_no_error (error);
  message->conversation_id = conversation;
  message->model = g_strdup (model);
  message->endpoint = g_strdup ("http://127.0.0.1:11434");
  message->api = g_strdup ("ollama");
  message->created_ms = g_get_real_time () / 1000 - age_ms;
  message->state = failed ? HEARTH_MESSAGE_FAILED : HEARTH_MESSAGE_COMPLETE;
  message->figures.ttft_ms = ttft_ms;
  message->figures.total_ms = ttft_ms + 1000;
  message->figures.tokens_per_s = failed ? -1 : tokens_per_s;
  message->figures.tokens_out = failed ? -1 : 40;
  hearth_store_add_message (store, message, &error);
  g_assert_no_error (error);
}

static gboolean
cpu_has_samples (gpointer data)
{
  g_autofree char *text = hearth_test_visible_text (GTK_WIDGET (data));

  return strstr (text, "All 2 cores") != NULL || strstr (text, "cores; the busiest") != NULL
         || strstr (text, "core; the busiest") != NULL;
}

/* The graph whose summary (what a screen reader says) starts with @prefix. */
static gboolean
is_graph_starting (GtkWidget *widget,
                   gpointer   prefix)
{
  return HEARTH_IS_GRAPH (widget) &&
         g_str_has_prefix (hearth_graph_get_summary (HEARTH_GRAPH (widget)), prefix);
}

static GtkWidget *
find_graph_with_series (GtkWidget  *widget,
                        const char *prefix)
{
  return hearth_test_find_widget (widget, is_graph_starting, (gpointer) prefix);
}

static gboolean
is_toggle_labelled (GtkWidget *widget,
                    gpointer   label)
{
  return GTK_IS_TOGGLE_BUTTON (widget) &&
         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static const char *
range_tooltip (Fixture    *fixture,
               const char *label)
{
  GtkWidget *button = hearth_test_find_widget (GTK_WIDGET (fixture->page), is_toggle_labelled,
                                               (gpointer) label);

  g_assert_nonnull (button);
  return gtk_widget_get_tooltip_text (button);
}

/* No request yet: the page says how to get some, and the system graphs
 * still fill from the sampler. */
static void
test_performance_empty (void)
{
  Fixture fixture = { 0, };
  g_autofree char *text = NULL;
  g_autofree char *shot = NULL;
  GtkWidget *graph;

  fixture_open (&fixture);
  fixture_show (&fixture);
  g_assert_true (hearth_test_spin_until (cpu_has_samples, fixture.page, 5000));
  hearth_test_wait_drawn (GTK_WIDGET (fixture.page), 400);

  text = hearth_test_visible_text (GTK_WIDGET (fixture.page));
  assert_text_has (text, "No Requests in This Range");
  assert_text_has (text, "Send a prompt in Chat");
  assert_text_has (text, "run a benchmark below");
  assert_text_has (text, "No benchmarks yet");
  assert_text_has (text, "CPU");
  assert_text_has (text, "Memory");
  assert_text_has (text, " %");
  /* plain words about where the figures come from, no file paths */
  assert_text_has (text, "Measured from the system's own counters");
  assert_text_lacks (text, "/proc");
  assert_text_lacks (text, "NVML");
  assert_text_lacks (text, "/sys/class/drm");
  /* the ranges say what the sampler and the history really do: this
   * fixture's sampler takes a sample every 100 ms, shown or not */
  assert_text_has (range_tooltip (&fixture, "5 min"),
                   "a sample every 100 ms while this page is shown, every 100 ms otherwise");
  assert_text_has (range_tooltip (&fixture, "7 d"), "a point per 34 min");
  hearth_sampler_set_intervals (fixture.sampler, 1000, 10000);
  hearth_performance_page_refresh (fixture.page);
  assert_text_has (range_tooltip (&fixture, "5 min"),
                   "a sample every 1 s while this page is shown, every 10 s otherwise");
  hearth_sampler_set_intervals (fixture.sampler, 100, 100);

  /* The CPU graph (series "All" and "Server") got the sampler's samples. */
  graph = find_graph_with_series (GTK_WIDGET (fixture.page), "All ");
  g_assert_nonnull (graph);
  g_assert_cmpuint (hearth_graph_get_n_samples (HEARTH_GRAPH (graph), 0), >, 0);
  shot = hearth_test_save_screenshot (GTK_WIDGET (fixture.window), "performance-empty.png");
  g_test_message ("screenshot: %s", shot);
  fixture_close (&fixture);
}

static guint
count_grid_rows (GtkWidget  *page,
                 const char *css_class)
{
  GtkWidget *grid = hearth_test_find_with_class (page, GTK_TYPE_GRID, css_class);
  guint rows = 0;

  g_assert_nonnull (grid);
  for (GtkWidget *child = gtk_widget_get_first_child (grid); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int column, row;

      gtk_grid_query_child (GTK_GRID (grid), child, &column, &row, NULL, NULL);
      if (column == 0)
        rows++;
    }
  return rows;
}

static void
scroll_to_system (Fixture *fixture)
{
  GtkWidget *scroller = hearth_test_find_descendant (GTK_WIDGET (fixture->page),
                                                     GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

  gtk_adjustment_set_value (adjustment, 380);
  hearth_test_wait_drawn (scroller, 100);
}

/* A table too wide for the page folds (a row a title and a line of its
 * figures): the window still narrows to a phone's 360 pixels (its
 * width-request). */
static gboolean
is_mapped_with_class (GtkWidget *widget,
                      gpointer   css_class)
{
  return gtk_widget_has_css_class (widget, css_class) && gtk_widget_get_mapped (widget);
}

static guint
count_with_class (GtkWidget  *widget,
                  const char *css_class)
{
  return hearth_test_count_widgets (widget, is_mapped_with_class, (gpointer) css_class);
}

/* At @width, every label in the @css_class widget gets the width it asks
 * for: nothing is cut off or scrolled away. */
static void
assert_nothing_clipped (GtkWindow  *window,
                        const char *css_class,
                        int         width)
{
  GtkWidget *table = hearth_test_find_with_class (GTK_WIDGET (window), GTK_TYPE_WIDGET, css_class);
  int old_width, old_height;

  g_assert_nonnull (table);
  gtk_window_get_default_size (window, &old_width, &old_height);
  gtk_window_set_default_size (window, width, old_height);
  hearth_test_spin_until (no_wider_than, &(WidthWait) { GTK_WIDGET (window), width }, 2000);
  hearth_test_wait_drawn (GTK_WIDGET (window), 300);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, width);
  for (GtkWidget *c = gtk_widget_get_first_child (table); c; c = gtk_widget_get_next_sibling (c))
    {
      int minimum;

      gtk_widget_measure (c, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
      g_assert_cmpint (gtk_widget_get_width (c), >=, minimum);
      g_assert_cmpint (gtk_widget_get_width (c), <=, gtk_widget_get_width (table));
    }
  /* only the page scrolls, and only up and down */
  g_assert_cmpint (gtk_widget_get_width (table), <=, gtk_widget_get_width (GTK_WIDGET (window)));
  gtk_window_set_default_size (window, old_width, old_height);
  hearth_test_wait_drawn (GTK_WIDGET (window), 300);
}

static void
assert_fits_narrow_window (GtkWidget *page)
{
  int minimum;

  gtk_widget_measure (page, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  g_assert_cmpint (minimum, <=, 360);
}

/* At a phone's width the table per model is a model a line with its
 * figures under it, none cut off; wide, the table again. */
static void
assert_table_folds (Fixture *fixture)
{
  GtkWidget *table = hearth_test_find_with_class (GTK_WIDGET (fixture->page), GTK_TYPE_GRID,
                                                  "perf-models-table");
  g_autofree char *text = NULL;
  int old_width, old_height;

  g_assert_true (gtk_widget_get_mapped (table));
  gtk_window_get_default_size (fixture->window, &old_width, &old_height);
  gtk_window_set_default_size (fixture->window, 380, old_height);
  hearth_test_spin_until (no_wider_than, &(WidthWait) { GTK_WIDGET (fixture->window), 380 }, 2000);
  hearth_test_wait_drawn (GTK_WIDGET (fixture->window), 300);
  g_assert_false (gtk_widget_get_mapped (table));
  text = hearth_test_visible_text (GTK_WIDGET (fixture->page));
  assert_text_has (text, "gamma:3b");
  assert_text_has (text, "2 requests");
  assert_text_has (text, "50 % answered");
  assert_text_has (text, "1 request ·");
  g_free (hearth_test_save_screenshot (GTK_WIDGET (fixture->window), "performance-folded.png"));
  gtk_window_set_default_size (fixture->window, old_width, old_height);
  hearth_test_spin_until ((gboolean (*) (gpointer)) gtk_widget_get_mapped, table, 2000);
  g_assert_true (gtk_widget_get_mapped (table));
}

static gboolean
page_shows_delta (gpointer data)
{
  g_autofree char *text = NULL;

  if (!hearth_performance_page_is_loaded (HEARTH_PERFORMANCE_PAGE (data)))
    return FALSE;
  text = hearth_test_visible_text (GTK_WIDGET (data));
  return strstr (text, "delta:2b") != NULL;
}

/* Known replies: the cards show their medians, the table one row per
 * model, and the range decides which replies count. */
static void
test_performance_requests (void)
{
  Fixture fixture = { 0, };
  g_autofree char *text = NULL;
  g_autofree char *shot = NULL;

  fixture_open (&fixture);
  /* in the last 5 minutes: tokens/s 10, 20, 30 → median 20.0; TTFT 100, 200, 300 */
  add_reply (fixture.store, "alpha:1b", 60 * 1000, 100, 10, FALSE);
  add_reply (fixture.store, "alpha:1b", 50 * 1000, 200, 20, FALSE);
  add_reply (fixture.store, "beta:7b", 40 * 1000, 300, 30, FALSE);
  add_reply (fixture.store, "beta:7b", 30 * 1000, 400, 0, TRUE);
  /* half an hour ago: only in the 1 hour range */
  add_reply (fixture.store, "gamma:3b", 30 * 60 * 1000, 900, 90, FALSE);
  fixture_show (&fixture);

  text = hearth_test_visible_text (GTK_WIDGET (fixture.page));
  assert_text_has (text, "20.0 tokens/s");
  assert_text_has (text, "Median of 3 replies");
  assert_text_has (text, "200 ms");
  assert_text_has (text, "1 request failed");
  assert_text_has (text, "alpha:1b");
  assert_text_has (text, "beta:7b");
  assert_text_has (text, "50 %");
  assert_text_lacks (text, "gamma:3b");
  assert_text_lacks (text, "No Requests in This Range");
  g_assert_cmpuint (count_grid_rows (GTK_WIDGET (fixture.page), "perf-models-table"), ==, 3);
  assert_fits_narrow_window (GTK_WIDGET (fixture.page));
  shot = hearth_test_save_screenshot (GTK_WIDGET (fixture.window), "performance-requests.png");
  g_test_message ("screenshot: %s", shot);

  hearth_performance_page_set_range (fixture.page, HEARTH_PERFORMANCE_RANGE_1_HOUR);
  wait_loaded (&fixture);
  g_clear_pointer (&text, g_free);
  text = hearth_test_visible_text (GTK_WIDGET (fixture.page));
  assert_text_has (text, "gamma:3b");
  assert_text_has (text, "Median of 4 replies");
  /* 10, 20, 30, 90 → nearest-rank median 20 */
  assert_text_has (text, "20.0 tokens/s");
  g_assert_cmpuint (count_grid_rows (GTK_WIDGET (fixture.page), "perf-models-table"), ==, 4);
  assert_table_folds (&fixture);
  g_clear_pointer (&shot, g_free);
  shot = hearth_test_save_screenshot (GTK_WIDGET (fixture.window), "performance-1h.png");
  g_test_message ("screenshot: %s", shot);

  /* A new reply recorded by the engine shows without a manual refresh:
   * the page listens to HearthEngine::reply-recorded. */
  add_reply (fixture.store, "delta:2b", 1000, 50, 60, FALSE);
  {
    g_autoptr(HearthReply) reply = hearth_reply_new ("http://127.0.0.1:11434", HEARTH_API_OLLAMA);

    g_signal_emit_by_name (fixture.engine, "reply-recorded", reply);
  }
  g_assert_true (hearth_test_spin_until (page_shows_delta, fixture.page, 10000));
  fixture_close (&fixture);
}

typedef struct
{
  gboolean done;
  gboolean ok;
  GError  *error;
} ExportWait;

static void
export_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  ExportWait *wait = user_data;

  wait->ok = hearth_performance_page_export_finish (HEARTH_PERFORMANCE_PAGE (object), result,
                                                    &wait->error);
  wait->done = TRUE;
}

static gboolean
export_is_done (gpointer data)
{
  return ((ExportWait *) data)->done;
}

/* Export writes what hearth-cli metrics --csv / --json prints. */
static void
test_performance_export (void)
{
  Fixture fixture = { 0, };
  g_autofree char *csv_path = hearth_test_build_tmp_path ("metrics.csv", NULL);
  g_autofree char *json_path = hearth_test_build_tmp_path ("metrics.json", NULL);
  g_autoptr(GFile) csv_file = g_file_new_for_path (csv_path);
  g_autoptr(GFile) json_file = g_file_new_for_path (json_path);
  g_autofree char *csv = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) bad = g_file_new_for_path ("/proc/hearth-cannot-write-here.csv");
  ExportWait wait = { 0, };
  g_auto(GStrv) lines = NULL;

  fixture_open (&fixture);
  add_reply (fixture.store, "alpha,\"quoted\":1b", 60 * 1000, 100, 10, FALSE);
  add_reply (fixture.store, "beta:7b", 40 * 1000, 300, 30, FALSE);
  fixture_show (&fixture);

  hearth_performance_page_export_async (fixture.page, csv_file, HEARTH_METRICS_FORMAT_CSV, NULL,
                                        export_done, &wait);
  g_assert_true (hearth_test_spin_until (export_is_done, &wait, 5000));
  g_assert_no_error (wait.error);
  g_assert_true (wait.ok);
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  expected = hearth_metrics_export_rows (fixture.store, g_get_real_time () / 1000 - 5 * 60 * 1000,
                                         NULL, HEARTH_METRICS_FORMAT_CSV, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (csv, ==, expected);
  lines = g_strsplit (g_strchomp (csv), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_nonnull (strstr (csv, "\"alpha,\"\"quoted\"\":1b\""));

  memset (&wait, 0, sizeof wait);
  hearth_performance_page_export_async (fixture.page, json_file, HEARTH_METRICS_FORMAT_JSON, NULL,
                                        export_done, &wait);
  g_assert_true (hearth_test_spin_until (export_is_done, &wait, 5000));
  g_assert_no_error (wait.error);
  g_assert_true (json_parser_load_from_file (parser, json_path, &error));
  g_assert_no_error (error);

  /* A file that cannot be written: a clear error, no crash. */
  memset (&wait, 0, sizeof wait);
  hearth_performance_page_export_async (fixture.page, bad, HEARTH_METRICS_FORMAT_CSV, NULL,
                                        export_done, &wait);
  g_assert_true (hearth_test_spin_until (export_is_done, &wait, 5000));
  g_assert_false (wait.ok);
  g_assert_nonnull (wait.error);
  g_assert_nonnull (strstr (wait.error->message, "could not be saved"));
  g_clear_error (&wait.error);
  fixture_close (&fixture);
}

static HearthBenchResult *
stored_result (const char *model,
               double      decode_tps,
               gint64      age_ms)
{
  HearthBenchResult *result = hearth_bench_result_new ();

  result->created_ms = g_get_real_time () / 1000 - age_ms;
  result->model = g_strdup (model);
  result->digest = g_strdup ("sha256:0123");
  result->endpoint = g_strdup ("http://127.0.0.1:11434");
  result->api = g_strdup ("ollama");
  result->options = g_strdup ("{\"seed\":42}");
  result->hardware = g_strdup ("test machine");
  result->runs = 3;
  result->state = HEARTH_BENCH_COMPLETE;
  result->load_ms = 1234;
  result->ttft_p50_ms = 80;
  result->ttft_p95_ms = 120;
  result->prompt_tps_median = 400;
  result->prompt_tps_min = 380;
  result->prompt_tps_max = 420;
  result->decode_tps_median = decode_tps;
  result->decode_tps_min = decode_tps - 1;
  result->decode_tps_max = decode_tps + 1;
  result->peak_cpu_percent = 90;
  result->peak_mem_used = (gint64) 6 << 30;
  result->peak_vram_used = -1;
  return result;
}

/* Stored benchmarks are listed newest first; a run more than 15 % slower
 * than the previous one is marked. */
static void
test_performance_bench_table (void)
{
  Fixture fixture = { 0, };
  g_autoptr(HearthBenchResult) first = stored_result ("alpha:1b", 50, 3600 * 1000);
  g_autoptr(HearthBenchResult) second = stored_result ("alpha:1b", 40, 1000);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *shot = NULL;
  GtkWidget *flagged;

  fixture_open (&fixture);
  g_assert_true (hearth_bench_result_save (fixture.store, first, &error));
  g_assert_no_error (error);
  g_assert_true (hearth_bench_result_save (fixture.store, second, &error));
  g_assert_no_error (error);
  g_assert_true (second->regression);
  fixture_show (&fixture);

  text = hearth_test_visible_text (GTK_WIDGET (fixture.page));
  assert_text_has (text, "20 % slower");
  assert_text_has (text, "First run");
  /* Every figure of a run is there and nothing is cut off: two lines per
   * run that wrap, at 1280 px and at 360. */
  assert_text_has (text, "Decode 40.0 tokens/s (39.0–41.0)");
  assert_text_has (text, "Peak CPU 90 % · RAM ");
  assert_text_lacks (text, "No benchmarks yet");
  flagged = hearth_test_find_with_class (GTK_WIDGET (fixture.page), GTK_TYPE_LABEL, "error");
  g_assert_nonnull (flagged);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (flagged)), ==, "20 % slower");
  g_assert_cmpuint (count_with_class (GTK_WIDGET (fixture.page), "perf-bench-run"), ==, 2);
  assert_fits_narrow_window (GTK_WIDGET (fixture.page));
  assert_nothing_clipped (fixture.window, "perf-bench-table", 1280);
  assert_nothing_clipped (fixture.window, "perf-bench-table", 360);
  shot = hearth_test_save_screenshot (GTK_WIDGET (fixture.window), "performance-benchmarks.png");
  hearth_test_save_wide_and_narrow (fixture.window, "performance", FALSE);
  hearth_test_save_wide_and_narrow (fixture.window, "performance-end", TRUE);
  g_test_message ("screenshot: %s", shot);
  fixture_close (&fixture);
}

static gboolean
gpu_card_shown (gpointer data)
{
  g_autofree char *text = hearth_test_visible_text (GTK_WIDGET (data));

  return strstr (text, "VRAM") != NULL;
}

/* On a machine with a GPU (the AMD desktop fixture tree), the GPU and VRAM
 * cards show what its driver reports: 2 % busy, 45 °C, 23 W,
 * 512.9 MB of 25.8 GB (SI, as everywhere). Without one they stay hidden (the other tests). */
static void
test_performance_gpu (void)
{
  Fixture fixture = { 0, };
  g_autofree char *root = g_build_filename (g_getenv ("HEARTH_SOURCE_DIR"), "tests", "data",
                                            "hardware", "amd-desktop", NULL);
  g_autofree char *text = NULL;
  g_autofree char *shot = NULL;

  fixture_open (&fixture);
  hearth_sampler_stop (fixture.sampler);
  g_clear_object (&fixture.sampler);
  fixture.sampler = hearth_sampler_new (root, 600);
  hearth_sampler_set_intervals (fixture.sampler, 100, 100);
  hearth_sampler_start (fixture.sampler);
  fixture_show (&fixture);
  g_assert_true (hearth_test_spin_until (gpu_card_shown, fixture.page, 5000));
  hearth_test_wait_drawn (GTK_WIDGET (fixture.page), 300);

  text = hearth_test_visible_text (GTK_WIDGET (fixture.page));
  assert_text_has (text, "GPU");
  assert_text_has (text, "2 %");
  assert_text_has (text, "45 °C · 23 W");
  /* g_format_size () keeps the number and its unit together with a no-break space */
  assert_text_has (text, "512.9\u00a0MB of 25.8\u00a0GB");
  assert_text_lacks (text, "No GPU was found");
  scroll_to_system (&fixture);
  shot = hearth_test_save_screenshot (GTK_WIDGET (fixture.window), "performance-gpu.png");
  g_test_message ("screenshot: %s", shot);
  fixture_close (&fixture);
}

static gboolean
bench_finished (gpointer data)
{
  return !hearth_performance_page_is_benchmarking (HEARTH_PERFORMANCE_PAGE (data));
}

static gboolean
bench_enabled (gpointer data)
{
  GtkWidget *button = hearth_test_find_with_class (GTK_WIDGET (data), GTK_TYPE_BUTTON,
                                                   "suggested-action");

  return button != NULL && gtk_widget_get_sensitive (button);
}

/* The Benchmark button against the real engine: progress, a stored run in
 * the table; Cancel stores nothing. */
static void
test_performance_bench_run (void)
{
  Fixture fixture = { 0, };
  g_autofree char *text = NULL;
  g_autofree char *shot = NULL;
  g_autofree char *db = NULL;
  const char *args[] = { "--token-delay-ms", "5", NULL };
  GtkWidget *revealer;

  if (!hearth_test_require_node ())
    return;
  hearth_test_engine_server (args);
  g_settings_set_string (settings, "endpoint", hearth_test_engine_url ());
  g_settings_set_string (settings, "api-kind", "ollama");
  g_settings_set_string (settings, "default-model", "tiny-fixed");
  g_setenv ("HEARTH_BENCH_SCALE", "0.25", TRUE);

  fixture_open (&fixture);
  fixture_show (&fixture);
  g_assert_true (hearth_test_spin_until (bench_enabled, fixture.page, 10000));
  /* with the server's models listed in the picker, the page still fits 360 px */
  assert_fits_narrow_window (GTK_WIDGET (fixture.page));

  /* Cancel right after the start: nothing stored. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.page), "performance.benchmark", NULL));
  hearth_test_spin_until (is_benchmarking, fixture.page, 2000);
  g_assert_true (hearth_performance_page_is_benchmarking (fixture.page));
  revealer = hearth_test_find_descendant (GTK_WIDGET (fixture.page), GTK_TYPE_REVEALER);
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.page), "performance.cancel-benchmark", NULL));
  g_assert_true (hearth_test_spin_until (bench_finished, fixture.page, 30000));
  db = g_strdup (hearth_store_get_path (fixture.store));
  g_assert_cmpint (hearth_test_sqlite_query_int (db, "SELECT count(*) FROM bench_runs"), ==, 0);

  /* A whole run. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.page), "performance.benchmark", NULL));
  hearth_test_spin_for (300);
  g_clear_pointer (&shot, g_free);
  shot = hearth_test_save_screenshot (GTK_WIDGET (fixture.window), "performance-benchmarking.png");
  g_test_message ("screenshot: %s", shot);
  g_assert_true (hearth_test_spin_until (bench_finished, fixture.page, 120000));
  wait_loaded (&fixture);
  g_assert_cmpint (hearth_test_sqlite_query_int (db, "SELECT count(*) FROM bench_runs"
                                                     " WHERE state = 'complete'"), ==, 1);
  text = hearth_test_visible_text (GTK_WIDGET (fixture.page));
  assert_text_has (text, "tiny-fixed");
  assert_text_has (text, "First run");
  /* the benchmark's requests are not chat history */
  g_assert_cmpint (hearth_test_sqlite_query_int (db, "SELECT count(*) FROM messages"), ==, 0);
  g_clear_pointer (&shot, g_free);
  shot = hearth_test_save_screenshot (GTK_WIDGET (fixture.window), "performance-benchmarked.png");
  g_test_message ("screenshot: %s", shot);
  g_unsetenv ("HEARTH_BENCH_SCALE");
  fixture_close (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  hearth_test_init (&argc, &argv);
  g_unsetenv ("OLLAMA_HOST");
  gtk_init ();
  adw_init ();
  settings = g_settings_new (APP_ID);
  /* Nothing listens here: the tests that need a server start the engine. */
  g_settings_set_string (settings, "endpoint", "http://127.0.0.1:9");

  g_test_add_func ("/performance-page/empty", test_performance_empty);
  g_test_add_func ("/performance-page/requests", test_performance_requests);
  g_test_add_func ("/performance-page/export", test_performance_export);
  g_test_add_func ("/performance-page/bench-table", test_performance_bench_table);
  g_test_add_func ("/performance-page/gpu", test_performance_gpu);
  g_test_add_func ("/performance-page/bench-run", test_performance_bench_run);

  ret = g_test_run ();
  g_clear_object (&settings);
  return ret;
}
