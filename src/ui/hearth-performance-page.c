/* hearth-performance-page.c — how fast the models answer, and what the machine does meanwhile
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three sections: the requests recorded in the history (tokens per second
 * and time to first token per reply, a table per model), the resource
 * sampler's CPU, memory, GPU and VRAM, and the model benchmarks. The
 * stored figures are read in a worker thread with its own connection; the
 * sampler's live samples arrive on the main thread once a second while the
 * page is mapped.
 */
#define G_LOG_DOMAIN "hearth-performance-page"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "hearth-bench.h"
#include "hearth-endpoint.h"
#include "hearth-error.h"
#include "hearth-graph.h"
#include "hearth-ollama-provider.h"
#include "hearth-performance-page.h"

#define SYSTEM_GRAPH_CAPACITY   1200
#define REQUEST_GRAPH_CAPACITY  5000
#define GRAPH_POINTS            300
#define LOADED_POLL_SECONDS     5
#define LONG_RANGE_RELOAD_S     60
#define BENCH_LIST_LIMIT        50
#define GIB                     (1024.0 * 1024.0 * 1024.0)

typedef struct
{
  GtkWidget   *box;
  GtkLabel    *value;
  GtkLabel    *caption;
  HearthGraph *graph;
} Card;

struct _HearthPerformancePage
{
  GtkWidget               parent_instance;

  /* template */
  AdwToastOverlay        *toast_overlay;
  GtkToggleButton        *range_5m;
  GtkToggleButton        *range_1h;
  GtkToggleButton        *range_24h;
  GtkToggleButton        *range_7d;
  GtkDropDown            *model_dropdown;
  GtkButton              *bench_button;
  GtkRevealer            *bench_revealer;
  GtkLabel               *bench_label;
  GtkProgressBar         *bench_progress;
  GtkStack               *requests_stack;
  GtkFlowBox             *request_cards;
  GtkGrid                *models_grid;
  GtkLabel               *system_caption;
  GtkFlowBox             *system_cards;
  GtkLabel               *loaded_label;
  GtkStack               *bench_stack;
  GtkGrid                *bench_grid;

  HearthEngine           *engine;
  GSettings              *settings;
  HearthSampler          *sampler;
  HearthResourceHistory  *history;
  gulong                  sample_handler;
  gulong                  recorded_handler;
  gboolean                holding;
  HearthPerformanceRange  range;

  Card                    tokens;
  Card                    ttft;
  Card                    cpu;
  Card                    memory;
  Card                    gpu;
  Card                    vram;
  guint                   cpu_server_series;
  guint                   memory_server_series;

  GCancellable           *refresh_cancellable;
  gboolean                loaded;
  guint                   reload_source;
  guint                   loaded_source;
  GCancellable           *loaded_cancellable;

  GtkStringList          *models;
  GCancellable           *models_cancellable;
  HearthBench            *bench;
  GCancellable           *bench_cancellable;
  GtkFileChooserNative   *chooser;
};

G_DEFINE_FINAL_TYPE (HearthPerformancePage, hearth_performance_page, GTK_TYPE_WIDGET)

static const gint64 range_spans_ms[] = {
  [HEARTH_PERFORMANCE_RANGE_5_MIN]    = 5 * 60 * 1000,
  [HEARTH_PERFORMANCE_RANGE_1_HOUR]   = 60 * 60 * 1000,
  [HEARTH_PERFORMANCE_RANGE_24_HOURS] = 24 * 60 * 60 * 1000,
  [HEARTH_PERFORMANCE_RANGE_7_DAYS]   = 7 * 24 * 60 * 60 * (gint64) 1000,
};

/* Formatting */

static char *
format_number (double value,
               int    digits)
{
  if (value < 0 || isnan (value))
    return g_strdup ("—");
  return g_strdup_printf ("%.*f", digits, value);
}

static char *
format_ms (double ms)
{
  if (ms < 0 || isnan (ms))
    return g_strdup ("—");
  if (ms >= 10000)
    return g_strdup_printf (_("%.1f s"), ms / 1000);
  if (ms >= 100)
    return g_strdup_printf (_("%.0f ms"), ms);
  return g_strdup_printf (_("%.1f ms"), ms);
}

static char *
format_bytes (gint64 bytes)
{
  if (bytes < 0)
    return g_strdup ("—");
  return g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
}

static char *
format_percent (double percent)
{
  if (percent < 0 || isnan (percent))
    return g_strdup ("—");
  return g_strdup_printf ("%.0f %%", percent);
}

/* "http://127.0.0.1:11434" → "127.0.0.1:11434" */
static char *
short_endpoint (const char *endpoint)
{
  g_autoptr(GUri) uri = endpoint != NULL ? g_uri_parse (endpoint, G_URI_FLAGS_NONE, NULL) : NULL;

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (endpoint != NULL ? endpoint : "");
  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
  return g_strdup (g_uri_get_host (uri));
}

/* Cards */

static void
card_init (Card        *card,
           GtkFlowBox  *parent,
           const char  *title,
           guint        capacity,
           const char  *unit)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *title_label = gtk_label_new (title);
  GtkWidget *value = gtk_label_new ("—");
  GtkWidget *caption = gtk_label_new (NULL);
  GtkWidget *graph = hearth_graph_new (capacity);

  gtk_widget_add_css_class (box, "card");
  /* margins rather than CSS padding: the page looks the same outside the app */
  gtk_widget_set_margin_top (header, 12);
  gtk_widget_set_margin_start (header, 12);
  gtk_widget_set_margin_end (header, 12);
  gtk_widget_set_margin_start (caption, 12);
  gtk_widget_set_margin_end (caption, 12);
  gtk_widget_set_margin_start (graph, 12);
  gtk_widget_set_margin_end (graph, 12);
  gtk_widget_set_margin_bottom (graph, 12);
  gtk_widget_add_css_class (title_label, "heading");
  gtk_label_set_xalign (GTK_LABEL (title_label), 0);
  gtk_widget_set_hexpand (title_label, TRUE);
  gtk_label_set_ellipsize (GTK_LABEL (title_label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (value, "title-3");
  gtk_widget_add_css_class (value, "numeric");
  gtk_label_set_xalign (GTK_LABEL (value), 1);
  gtk_label_set_selectable (GTK_LABEL (value), TRUE);
  gtk_widget_add_css_class (caption, "dim-label");
  gtk_widget_add_css_class (caption, "caption");
  gtk_label_set_xalign (GTK_LABEL (caption), 0);
  gtk_label_set_wrap (GTK_LABEL (caption), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (caption), PANGO_WRAP_WORD_CHAR);
  /* a long caption wraps rather than widening the card: two cards a row
   * from about 650 pixels */
  gtk_label_set_max_width_chars (GTK_LABEL (caption), 36);
  gtk_widget_set_size_request (graph, 200, 120);
  hearth_graph_set_unit (HEARTH_GRAPH (graph), unit);

  gtk_box_append (GTK_BOX (header), title_label);
  gtk_box_append (GTK_BOX (header), value);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), caption);
  gtk_box_append (GTK_BOX (box), graph);
  gtk_flow_box_append (parent, box);

  card->box = box;
  card->value = GTK_LABEL (value);
  card->caption = GTK_LABEL (caption);
  card->graph = HEARTH_GRAPH (graph);
}

static void
card_set (Card       *card,
          const char *value,
          const char *caption)
{
  gtk_label_set_label (card->value, value);
  gtk_label_set_label (card->caption, caption);
}

static void
card_set_visible (Card     *card,
                  gboolean  visible)
{
  /* the flow box wraps each child in a GtkFlowBoxChild */
  gtk_widget_set_visible (gtk_widget_get_parent (card->box), visible);
}

/* Grids as tables */

static void
grid_clear (GtkGrid *grid)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (grid))) != NULL)
    gtk_grid_remove (grid, child);
}

static GtkLabel *
grid_cell (GtkGrid    *grid,
           int         column,
           int         row,
           const char *text,
           gboolean    numeric)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), numeric ? 1 : 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  if (numeric)
    gtk_widget_add_css_class (label, "numeric");
  if (row == 0)
    {
      gtk_widget_add_css_class (label, "heading");
      gtk_widget_add_css_class (label, "dim-label");
      gtk_label_set_selectable (GTK_LABEL (label), FALSE);
    }
  if (column == 0 && row > 0)
    {
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
      gtk_label_set_width_chars (GTK_LABEL (label), 12);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 32);
      gtk_widget_set_hexpand (label, TRUE);
    }
  gtk_grid_attach (grid, label, column, row, 1, 1);
  return GTK_LABEL (label);
}

/* Loading the stored figures in a worker thread */

typedef struct
{
  char                   *path;
  HearthPerformanceRange  range;
  gint64                  since_ms;
  gint64                  bucket_ms;
  int                     minute_days;
  int                     hour_days;
  GPtrArray              *rows;        /* HearthMessage */
  GPtrArray              *groups;      /* HearthMetricsGroup */
  GArray                 *resources;   /* HearthResourceRow */
  GPtrArray              *bench;       /* HearthBenchResult */
} Refresh;

static void
refresh_free (Refresh *refresh)
{
  g_free (refresh->path);
  g_clear_pointer (&refresh->rows, g_ptr_array_unref);
  g_clear_pointer (&refresh->groups, g_ptr_array_unref);
  g_clear_pointer (&refresh->resources, g_array_unref);
  g_clear_pointer (&refresh->bench, g_ptr_array_unref);
  g_free (refresh);
}

static void
refresh_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Refresh *refresh = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = hearth_store_open (refresh->path, &error);

  if (store == NULL
      || (refresh->rows = hearth_store_list_request_rows (store, refresh->since_ms, NULL, &error)) == NULL
      || (refresh->groups = hearth_metrics_aggregate (store, refresh->since_ms, NULL, &error)) == NULL
      || (refresh->bench = hearth_bench_list_results (store, NULL, BENCH_LIST_LIMIT, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (refresh->range != HEARTH_PERFORMANCE_RANGE_5_MIN)
    {
      /* a reader of its own on this thread's connection, kept as long */
      g_autoptr(HearthResourceHistory) history = hearth_resource_history_new (store);

      hearth_resource_history_set_minute_days (history, refresh->minute_days);
      hearth_resource_history_set_hour_days (history, refresh->hour_days);
      refresh->resources = hearth_resource_history_list (history, refresh->since_ms,
                                                         refresh->bucket_ms, &error);
      if (refresh->resources == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  g_task_return_boolean (task, TRUE);
}

static void update_live_labels (HearthPerformancePage *self,
                                const HearthSample    *sample);

static void
push_resource_row (HearthPerformancePage   *self,
                   const HearthResourceRow *row,
                   guint                    n_cores)
{
  gint64 time_us = row->time_ms * 1000;

  if (row->cpu_percent >= 0)
    hearth_graph_push (self->cpu.graph, 0, time_us, row->cpu_percent);
  /* the server's share of the whole machine, on the same axis */
  if (row->server_cpu_percent >= 0 && n_cores > 0)
    hearth_graph_push (self->cpu.graph, self->cpu_server_series, time_us,
                       row->server_cpu_percent / n_cores);
  if (row->mem_used >= 0)
    hearth_graph_push (self->memory.graph, 0, time_us, row->mem_used / GIB);
  if (row->server_rss >= 0)
    hearth_graph_push (self->memory.graph, self->memory_server_series, time_us,
                       row->server_rss / GIB);
  if (row->gpu_percent >= 0)
    hearth_graph_push (self->gpu.graph, 0, time_us, row->gpu_percent);
  if (row->vram_used >= 0)
    hearth_graph_push (self->vram.graph, 0, time_us, row->vram_used / GIB);
}

static void
push_sample (HearthPerformancePage *self,
             const HearthSample    *sample)
{
  HearthResourceRow row;

  hearth_resource_row_from_sample (&row, sample);
  push_resource_row (self, &row, sample->n_cores);
}

static void
set_time_windows (HearthPerformancePage *self)
{
  gint64 span_us = range_spans_ms[self->range] * 1000;
  Card *cards[] = { &self->tokens, &self->ttft, &self->cpu, &self->memory, &self->gpu, &self->vram };

  for (guint i = 0; i < G_N_ELEMENTS (cards); i++)
    hearth_graph_set_time_window (cards[i]->graph, span_us);
}

static void
fill_system_graphs (HearthPerformancePage *self,
                    GArray                *resources)
{
  const HearthSample *last = self->sampler ? hearth_sampler_get_last (self->sampler) : NULL;
  guint n_cores = last != NULL ? last->n_cores : 0;
  gint64 since_us = g_get_real_time () - range_spans_ms[self->range] * 1000;
  gint64 newest_row_us = G_MININT64;

  hearth_graph_clear (self->cpu.graph);
  hearth_graph_clear (self->memory.graph);
  hearth_graph_clear (self->gpu.graph);
  hearth_graph_clear (self->vram.graph);

  /* Stored minutes and hours first, then the samples in memory that are
   * newer than the last stored row. */
  for (guint i = 0; resources != NULL && i < resources->len; i++)
    {
      const HearthResourceRow *row = &g_array_index (resources, HearthResourceRow, i);

      push_resource_row (self, row, n_cores);
      newest_row_us = MAX (newest_row_us, row->time_ms * 1000);
    }
  if (newest_row_us != G_MININT64)
    newest_row_us += G_USEC_PER_SEC * 60;

  for (guint i = 0; self->sampler != NULL && i < hearth_sampler_get_n_samples (self->sampler); i++)
    {
      const HearthSample *sample = hearth_sampler_get_sample (self->sampler, i);

      if (sample->time_us >= since_us && sample->time_us >= newest_row_us)
        push_sample (self, sample);
    }
  if (last != NULL)
    update_live_labels (self, last);
}

static void
fill_request_cards (HearthPerformancePage *self,
                    GPtrArray             *rows)
{
  g_autoptr(GArray) speeds = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ttfts = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *speed_text = NULL;
  g_autofree char *speed_caption = NULL;
  g_autofree char *ttft_text = NULL;
  g_autofree char *ttft_caption = NULL;
  g_autofree char *p95 = NULL;
  g_autofree char *p99 = NULL;
  guint failed = 0;

  hearth_graph_clear (self->tokens.graph);
  hearth_graph_clear (self->ttft.graph);

  for (guint i = 0; i < rows->len; i++)
    {
      const HearthMessage *row = g_ptr_array_index (rows, i);
      gint64 time_us = row->created_ms * 1000;

      if (row->state == HEARTH_MESSAGE_FAILED)
        failed++;
      if (row->figures.tokens_per_s > 0)
        {
          g_array_append_val (speeds, row->figures.tokens_per_s);
          hearth_graph_push (self->tokens.graph, 0, time_us, row->figures.tokens_per_s);
        }
      if (row->figures.ttft_ms >= 0 && row->state != HEARTH_MESSAGE_FAILED)
        {
          g_array_append_val (ttfts, row->figures.ttft_ms);
          hearth_graph_push (self->ttft.graph, 0, time_us, row->figures.ttft_ms);
        }
    }

  speed_text = speeds->len > 0
    ? g_strdup_printf (_("%.1f tokens/s"), hearth_metrics_percentile (speeds, 50))
    : g_strdup ("—");
  speed_caption = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "Median of %u reply; one point per reply",
                                                "Median of %u replies; one point per reply",
                                                speeds->len),
                                   speeds->len);
  card_set (&self->tokens, speed_text, speed_caption);

  ttft_text = format_ms (ttfts->len > 0 ? hearth_metrics_percentile (ttfts, 50) : -1);
  p95 = format_ms (ttfts->len > 0 ? hearth_metrics_percentile (ttfts, 95) : -1);
  p99 = format_ms (ttfts->len > 0 ? hearth_metrics_percentile (ttfts, 99) : -1);
  if (failed > 0)
    ttft_caption = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                 "Median · p95 %s · p99 %s · %u request failed",
                                                 "Median · p95 %s · p99 %s · %u requests failed",
                                                 failed),
                                    p95, p99, failed);
  else
    ttft_caption = g_strdup_printf (_("Median · p95 %s · p99 %s"), p95, p99);
  card_set (&self->ttft, ttft_text, ttft_caption);
}

static void
fill_models_table (HearthPerformancePage *self,
                   GPtrArray             *groups)
{
  const char *headers[] = {
    N_("Model"), N_("Server"), N_("Requests"), N_("Success"),
    N_("First token p50"), N_("p95"), N_("Tokens/s"),
  };

  grid_clear (self->models_grid);
  for (guint c = 0; c < G_N_ELEMENTS (headers); c++)
    grid_cell (self->models_grid, c, 0, _(headers[c]), c >= 2);

  for (guint i = 0; i < groups->len; i++)
    {
      const HearthMetricsGroup *group = g_ptr_array_index (groups, i);
      g_autofree char *server = short_endpoint (group->endpoint);
      g_autofree char *count = g_strdup_printf ("%u", group->count);
      g_autofree char *success = format_percent (group->success_rate * 100);
      g_autofree char *p50 = format_ms (group->ttft_p50_ms);
      g_autofree char *p95 = format_ms (group->ttft_p95_ms);
      g_autofree char *speed = format_number (group->median_tokens_per_s, 1);
      GtkLabel *success_label;
      int row = i + 1;

      grid_cell (self->models_grid, 0, row, group->model != NULL ? group->model : _("Unknown"), FALSE);
      grid_cell (self->models_grid, 1, row, server, FALSE);
      grid_cell (self->models_grid, 2, row, count, TRUE);
      success_label = grid_cell (self->models_grid, 3, row, success, TRUE);
      if (group->success_rate == 0)
        gtk_widget_add_css_class (GTK_WIDGET (success_label), "error");
      else if (group->success_rate > 0 && group->success_rate < 1)
        gtk_widget_add_css_class (GTK_WIDGET (success_label), "warning");
      grid_cell (self->models_grid, 4, row, p50, TRUE);
      grid_cell (self->models_grid, 5, row, p95, TRUE);
      grid_cell (self->models_grid, 6, row, speed, TRUE);
    }
}

/* "41.2 (39.8–42.0)": the median and the spread of the runs */
static char *
format_spread (double median,
               double min,
               double max,
               int    digits)
{
  if (median < 0 || isnan (median))
    return g_strdup ("—");
  if (min < 0 || max < 0)
    return g_strdup_printf ("%.*f", digits, median);
  return g_strdup_printf ("%.*f (%.*f–%.*f)", digits, median, digits, min, digits, max);
}

static char *
format_change (const HearthBenchResult *result)
{
  if (result->previous_id <= 0 || isnan (result->change_percent))
    return g_strdup (_("First run"));
  if (result->regression)
    return g_strdup_printf (_("%.0f %% slower"), -result->change_percent);
  if (result->change_percent >= 0.5)
    return g_strdup_printf (_("%.0f %% faster"), result->change_percent);
  if (result->change_percent <= -0.5)
    return g_strdup_printf (_("%.0f %% slower"), -result->change_percent);
  return g_strdup (_("Same speed"));
}

static void
fill_bench_table (HearthPerformancePage *self,
                  GPtrArray             *results)
{
  const char *headers[] = {
    N_("Model"), N_("Date"), N_("Runs"), N_("Load"), N_("First token p50 / p95"),
    N_("Prompt tokens/s"), N_("Decode tokens/s"), N_("Peak CPU · RAM · VRAM"), N_("Change"),
  };

  grid_clear (self->bench_grid);
  gtk_stack_set_visible_child_name (self->bench_stack, results->len > 0 ? "data" : "empty");
  if (results->len == 0)
    return;

  for (guint c = 0; c < G_N_ELEMENTS (headers); c++)
    grid_cell (self->bench_grid, c, 0, _(headers[c]), c >= 2);

  for (guint i = 0; i < results->len; i++)
    {
      const HearthBenchResult *result = g_ptr_array_index (results, i);
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (result->created_ms / 1000);
      g_autofree char *date = g_date_time_format (when, "%x %H:%M");
      g_autofree char *runs = g_strdup_printf ("%u", result->runs);
      g_autofree char *load = result->already_loaded ? g_strdup (_("in memory"))
                                                     : format_ms (result->load_ms);
      g_autofree char *p50 = format_ms (result->ttft_p50_ms);
      g_autofree char *p95 = format_ms (result->ttft_p95_ms);
      g_autofree char *ttft = g_strdup_printf ("%s / %s", p50, p95);
      g_autofree char *prompt = format_spread (result->prompt_tps_median, result->prompt_tps_min,
                                               result->prompt_tps_max, 0);
      g_autofree char *decode = format_spread (result->decode_tps_median, result->decode_tps_min,
                                               result->decode_tps_max, 1);
      g_autofree char *cpu = format_percent (result->peak_cpu_percent);
      g_autofree char *ram = format_bytes (result->peak_mem_used);
      g_autofree char *vram = format_bytes (result->peak_vram_used);
      g_autofree char *peaks = g_strdup_printf ("%s · %s · %s", cpu, ram, vram);
      g_autofree char *change = NULL;
      GtkLabel *change_label;
      int row = i + 1;

      if (result->state != HEARTH_BENCH_COMPLETE)
        change = g_strdup (result->state == HEARTH_BENCH_CANCELLED ? _("Cancelled") : _("Failed"));
      else
        change = format_change (result);

      grid_cell (self->bench_grid, 0, row, result->model, FALSE);
      grid_cell (self->bench_grid, 1, row, date, FALSE);
      grid_cell (self->bench_grid, 2, row, runs, TRUE);
      grid_cell (self->bench_grid, 3, row, load, TRUE);
      grid_cell (self->bench_grid, 4, row, ttft, TRUE);
      grid_cell (self->bench_grid, 5, row, prompt, TRUE);
      grid_cell (self->bench_grid, 6, row, decode, TRUE);
      grid_cell (self->bench_grid, 7, row, peaks, TRUE);
      change_label = grid_cell (self->bench_grid, 8, row, change, TRUE);
      if (result->regression)
        {
          gtk_widget_add_css_class (GTK_WIDGET (change_label), "error");
          gtk_widget_set_tooltip_text (GTK_WIDGET (change_label),
                                       _("Decode speed fell by more than 15 % against the previous "
                                         "run of this model with the same options on this hardware"));
        }
      if (result->error != NULL)
        gtk_widget_set_tooltip_text (GTK_WIDGET (change_label), result->error);
    }
}

static void
refresh_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  HearthPerformancePage *self;
  Refresh *refresh;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self = HEARTH_PERFORMANCE_PAGE (object);
      g_clear_object (&self->refresh_cancellable);
      self->loaded = TRUE;
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }

  self = HEARTH_PERFORMANCE_PAGE (object);
  refresh = g_task_get_task_data (G_TASK (result));
  g_clear_object (&self->refresh_cancellable);

  gtk_stack_set_visible_child_name (self->requests_stack, refresh->rows->len > 0 ? "data" : "empty");
  fill_request_cards (self, refresh->rows);
  fill_models_table (self, refresh->groups);
  fill_bench_table (self, refresh->bench);
  fill_system_graphs (self, refresh->resources);
  self->loaded = TRUE;
}

/**
 * hearth_performance_page_refresh:
 *
 * Reads the requests, resource history and benchmarks of the current range
 * again, in a worker thread.
 */
void
hearth_performance_page_refresh (HearthPerformancePage *self)
{
  g_autoptr(GTask) task = NULL;
  HearthStore *store;
  Refresh *refresh;

  g_return_if_fail (HEARTH_IS_PERFORMANCE_PAGE (self));

  set_time_windows (self);
  store = self->engine != NULL ? hearth_engine_get_store (self->engine) : NULL;
  if (store == NULL)
    {
      /* No history: the live samples are still worth showing. */
      gtk_stack_set_visible_child_name (self->requests_stack, "empty");
      fill_system_graphs (self, NULL);
      self->loaded = TRUE;
      return;
    }

  if (self->refresh_cancellable != NULL)
    g_cancellable_cancel (self->refresh_cancellable);
  g_clear_object (&self->refresh_cancellable);
  self->refresh_cancellable = g_cancellable_new ();
  self->loaded = FALSE;

  refresh = g_new0 (Refresh, 1);
  refresh->path = g_strdup (hearth_store_get_path (store));
  refresh->range = self->range;
  refresh->since_ms = g_get_real_time () / 1000 - range_spans_ms[self->range];
  refresh->bucket_ms = MAX (60 * 1000, range_spans_ms[self->range] / GRAPH_POINTS);
  refresh->minute_days = self->history != NULL ? hearth_resource_history_get_minute_days (self->history) : 7;
  refresh->hour_days = self->history != NULL ? hearth_resource_history_get_hour_days (self->history) : 90;

  task = g_task_new (self, self->refresh_cancellable, refresh_done, NULL);
  g_task_set_source_tag (task, hearth_performance_page_refresh);
  g_task_set_task_data (task, refresh, (GDestroyNotify) refresh_free);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, refresh_thread);
}

gboolean
hearth_performance_page_is_loaded (HearthPerformancePage *self)
{
  g_return_val_if_fail (HEARTH_IS_PERFORMANCE_PAGE (self), FALSE);

  return self->loaded;
}

/* Live samples */

static void
update_live_labels (HearthPerformancePage *self,
                    const HearthSample    *sample)
{
  g_autofree char *cpu = format_percent (sample->cpu_percent);
  g_autofree char *cpu_caption = NULL;
  g_autofree char *mem_used = format_bytes (sample->mem_used);
  g_autofree char *mem_total = format_bytes (sample->mem_total);
  g_autofree char *mem = g_strdup_printf (_("%s of %s"), mem_used, mem_total);
  g_autofree char *swap_used = format_bytes (sample->swap_used);
  g_autofree char *mem_caption = NULL;
  g_autofree char *caption = NULL;
  gboolean has_gpu = sample->gpu_percent >= 0 || sample->vram_used >= 0;
  double busiest = -1;

  for (guint i = 0; i < sample->n_cores; i++)
    busiest = MAX (busiest, sample->core_percent[i]);

  if (busiest >= 0)
    cpu_caption = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "All of %u core; the busiest at %.0f %%",
                                                "All %u cores; the busiest at %.0f %%",
                                                sample->n_cores),
                                   sample->n_cores, busiest);
  else
    cpu_caption = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "All of %u core", "All %u cores",
                                                sample->n_cores),
                                   sample->n_cores);
  if (sample->server_pid > 0 && sample->server_cpu_percent >= 0)
    {
      g_autofree char *more = g_strdup_printf (_("%s; the inference server %.0f %% of one core"),
                                               cpu_caption, sample->server_cpu_percent);
      g_free (cpu_caption);
      cpu_caption = g_steal_pointer (&more);
    }
  card_set (&self->cpu, cpu, cpu_caption);

  if (sample->server_rss >= 0)
    {
      g_autofree char *rss = format_bytes (sample->server_rss);
      mem_caption = g_strdup_printf (_("Swap %s used; the inference server %s"), swap_used, rss);
    }
  else
    mem_caption = g_strdup_printf (_("Swap %s used"), swap_used);
  card_set (&self->memory, mem, mem_caption);

  card_set_visible (&self->gpu, has_gpu);
  card_set_visible (&self->vram, has_gpu);
  if (has_gpu)
    {
      g_autofree char *gpu = format_percent (sample->gpu_percent);
      g_autoptr(GString) gpu_caption = g_string_new (NULL);
      g_autofree char *vram_used = format_bytes (sample->vram_used);
      g_autofree char *vram_total = format_bytes (sample->vram_total);
      g_autofree char *vram = g_strdup_printf (_("%s of %s"), vram_used, vram_total);

      if (sample->gpu_temperature_c >= 0)
        g_string_append_printf (gpu_caption, _("%.0f °C"), sample->gpu_temperature_c);
      if (sample->gpu_power_w >= 0)
        {
          if (gpu_caption->len > 0)
            g_string_append (gpu_caption, " · ");
          g_string_append_printf (gpu_caption, _("%.0f W"), sample->gpu_power_w);
        }
      if (gpu_caption->len == 0)
        g_string_append (gpu_caption, _("Utilisation of the busiest GPU"));
      card_set (&self->gpu, gpu, gpu_caption->str);
      card_set (&self->vram, vram, _("All GPUs with their own memory"));
      if (sample->vram_total > 0)
        hearth_graph_set_range (self->vram.graph, 0, sample->vram_total / GIB);
    }
  if (sample->mem_total > 0)
    hearth_graph_set_range (self->memory.graph, 0, sample->mem_total / GIB);

  if (has_gpu)
    caption = g_strdup (_("Read from /proc and the GPU driver once a second while this page is open, "
                          "every 10 seconds otherwise."));
  else
    caption = g_strdup (_("Read from /proc once a second while this page is open, every 10 seconds "
                          "otherwise. No GPU was found: Hearth reads NVIDIA cards through NVML and "
                          "AMD and Intel ones through /sys/class/drm."));
  gtk_label_set_label (self->system_caption, caption);
}

static void
on_sample (HearthSampler *sampler,
           HearthSample  *sample,
           gpointer       user_data)
{
  HearthPerformancePage *self = user_data;

  if (self->range == HEARTH_PERFORMANCE_RANGE_5_MIN)
    push_sample (self, sample);
  update_live_labels (self, sample);
}

/* Which models the server holds in memory, and where (Ollama's /api/ps) */

static void
loaded_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(HearthPerformancePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GString) text = NULL;
  gboolean spilling = FALSE;

  models = hearth_ollama_provider_ps_finish (HEARTH_OLLAMA_PROVIDER (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->loaded_cancellable);
  if (models == NULL || models->len == 0)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->loaded_label), FALSE);
      return;
    }

  text = g_string_new (NULL);
  for (guint i = 0; i < models->len; i++)
    {
      const HearthLoadedModel *model = g_ptr_array_index (models, i);
      g_autofree char *size = format_bytes (model->size);
      g_autofree char *escaped = g_markup_escape_text (model->name, -1);

      g_string_append (text, i == 0 ? _("Loaded: ") : "; ");
      if (model->size_vram <= 0)
        g_string_append_printf (text, _("<b>%s</b> (%s, on the CPU)"), escaped, size);
      else if (model->size_vram >= model->size)
        g_string_append_printf (text, _("<b>%s</b> (%s, all in VRAM)"), escaped, size);
      else
        {
          double on_cpu = 100.0 * (model->size - model->size_vram) / model->size;

          spilling = TRUE;
          g_string_append_printf (text, _("<b>%s</b> (%s, %.0f %% on the CPU: slower than all in VRAM)"),
                                  escaped, size, on_cpu);
        }
    }
  gtk_label_set_markup (self->loaded_label, text->str);
  if (spilling)
    gtk_widget_add_css_class (GTK_WIDGET (self->loaded_label), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->loaded_label), "warning");
  gtk_widget_set_visible (GTK_WIDGET (self->loaded_label), TRUE);
}

static gboolean
poll_loaded (gpointer user_data)
{
  HearthPerformancePage *self = user_data;
  HearthProvider *provider;

  if (self->engine == NULL || self->loaded_cancellable != NULL)
    return G_SOURCE_CONTINUE;
  provider = hearth_engine_get_configured_provider (self->engine, self->settings, NULL);
  if (!HEARTH_IS_OLLAMA_PROVIDER (provider))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->loaded_label), FALSE);
      return G_SOURCE_CONTINUE;
    }
  self->loaded_cancellable = g_cancellable_new ();
  hearth_ollama_provider_ps_async (HEARTH_OLLAMA_PROVIDER (provider), self->loaded_cancellable,
                                   loaded_done, g_object_ref (self));
  return G_SOURCE_CONTINUE;
}

static gboolean
reload_long_range (gpointer user_data)
{
  HearthPerformancePage *self = user_data;

  if (self->range != HEARTH_PERFORMANCE_RANGE_5_MIN && self->refresh_cancellable == NULL)
    hearth_performance_page_refresh (self);
  return G_SOURCE_CONTINUE;
}

/* Models for the benchmark */

static void
models_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(HearthPerformancePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = NULL;
  g_autofree char *preferred = NULL;
  guint selected = GTK_INVALID_LIST_POSITION;
  guint n;

  models = hearth_provider_list_models_finish (HEARTH_PROVIDER (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->models_cancellable);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->models));
  gtk_string_list_splice (self->models, 0, n, NULL);
  if (models == NULL)
    {
      g_autofree char *tooltip = g_strdup_printf (_("No model to benchmark: %s"), error->message);

      gtk_widget_set_visible (GTK_WIDGET (self->model_dropdown), FALSE);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->bench_button), tooltip);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "performance.benchmark", FALSE);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->model_dropdown), models->len > 0);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->bench_button),
                               models->len > 0
                               ? _("Measure load time, time to first token and tokens per second "
                                   "of the chosen model with a fixed set of prompts")
                               : _("No model to benchmark: the server has none installed"));
  preferred = g_settings_get_string (self->settings, "default-model");
  for (guint i = 0; i < models->len; i++)
    {
      const HearthModelInfo *info = g_ptr_array_index (models, i);

      gtk_string_list_append (self->models, info->name);
      if (g_strcmp0 (info->name, preferred) == 0)
        selected = i;
    }
  if (models->len > 0)
    gtk_drop_down_set_selected (self->model_dropdown, selected != GTK_INVALID_LIST_POSITION ? selected : 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "performance.benchmark",
                                 models->len > 0 && self->bench == NULL);
}

static void
load_models (HearthPerformancePage *self)
{
  g_autoptr(GError) error = NULL;
  HearthProvider *provider;

  if (self->engine == NULL || self->models_cancellable != NULL)
    return;
  provider = hearth_engine_get_configured_provider (self->engine, self->settings, &error);
  if (provider == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->model_dropdown), FALSE);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->bench_button), error->message);
      return;
    }
  self->models_cancellable = g_cancellable_new ();
  hearth_provider_list_models_async (provider, self->models_cancellable, models_done,
                                     g_object_ref (self));
}

/* Benchmarks */

static void
on_bench_progress (HearthBench *bench,
                   guint        done,
                   guint        total,
                   const char  *label,
                   gpointer     user_data)
{
  HearthPerformancePage *self = user_data;

  gtk_label_set_label (self->bench_label, label);
  gtk_progress_bar_set_fraction (self->bench_progress, hearth_bench_get_fraction (bench));
}

static void
bench_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(HearthPerformancePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthBenchResult) bench_result = NULL;
  HearthStore *store;
  AdwToast *toast = NULL;

  bench_result = hearth_bench_run_finish (HEARTH_BENCH (object), result, &error);
  g_signal_handlers_disconnect_by_data (object, self);
  g_clear_object (&self->bench);
  g_clear_object (&self->bench_cancellable);
  gtk_revealer_set_reveal_child (self->bench_revealer, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "performance.benchmark", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "performance.cancel-benchmark", FALSE);

  if (bench_result == NULL)
    {
      /* cancelled or failed: nothing is stored */
      if (g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_CANCELLED))
        toast = adw_toast_new (_("Benchmark cancelled; nothing was saved"));
      else
        {
          g_autofree char *message = g_strdup_printf (_("The benchmark failed: %s"), error->message);

          toast = adw_toast_new (message);
          adw_toast_set_timeout (toast, 0);
        }
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
      return;
    }

  store = hearth_engine_get_store (self->engine);
  if (bench_result->state == HEARTH_BENCH_COMPLETE && store != NULL
      && !hearth_bench_result_save (store, bench_result, &error))
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }

  switch (bench_result->state)
    {
    case HEARTH_BENCH_COMPLETE:
      if (bench_result->regression)
        toast = adw_toast_new_format (_("%s is %.0f %% slower than in its previous benchmark"),
                                      bench_result->model, -bench_result->change_percent);
      else
        toast = adw_toast_new_format (_("Benchmark of %s finished: %.1f tokens/s"),
                                      bench_result->model, bench_result->decode_tps_median);
      break;
    case HEARTH_BENCH_CANCELLED:
      toast = adw_toast_new (_("Benchmark cancelled; nothing was saved"));
      break;
    case HEARTH_BENCH_FAILED:
    default:
      toast = adw_toast_new (bench_result->error != NULL ? bench_result->error : _("The benchmark failed"));
      adw_toast_set_timeout (toast, 0);
      break;
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  hearth_performance_page_refresh (self);
}

void
hearth_performance_page_run_benchmark (HearthPerformancePage *self,
                                       const char            *model)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;
  HearthProvider *provider;
  GtkStringObject *item;

  g_return_if_fail (HEARTH_IS_PERFORMANCE_PAGE (self));

  if (self->bench != NULL || self->engine == NULL)
    return;
  if (model == NULL)
    {
      item = gtk_drop_down_get_selected_item (self->model_dropdown);
      if (item == NULL)
        return;
      model = gtk_string_object_get_string (item);
    }
  provider = hearth_engine_get_configured_provider (self->engine, self->settings, &error);
  if (provider == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }

  self->bench = hearth_bench_new (provider, model, HEARTH_BENCH_DEFAULT_RUNS, self->sampler);
  self->bench_cancellable = g_cancellable_new ();
  g_signal_connect (self->bench, "progress", G_CALLBACK (on_bench_progress), self);
  label = g_strdup_printf (_("Benchmarking %s: warming up…"), model);
  gtk_label_set_label (self->bench_label, label);
  gtk_progress_bar_set_fraction (self->bench_progress, 0);
  gtk_revealer_set_reveal_child (self->bench_revealer, TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "performance.benchmark", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "performance.cancel-benchmark", TRUE);
  hearth_bench_run_async (self->bench, self->bench_cancellable, bench_done, g_object_ref (self));
}

gboolean
hearth_performance_page_is_benchmarking (HearthPerformancePage *self)
{
  g_return_val_if_fail (HEARTH_IS_PERFORMANCE_PAGE (self), FALSE);

  return self->bench != NULL;
}

static void
benchmark_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  hearth_performance_page_run_benchmark (HEARTH_PERFORMANCE_PAGE (widget), NULL);
}

static void
cancel_benchmark_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  HearthPerformancePage *self = HEARTH_PERFORMANCE_PAGE (widget);

  if (self->bench_cancellable != NULL)
    g_cancellable_cancel (self->bench_cancellable);
}

static void
open_chat_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  GtkWidget *stack = gtk_widget_get_ancestor (widget, ADW_TYPE_VIEW_STACK);

  if (stack != NULL)
    adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), "chat");
}

/* Export */

typedef struct
{
  char                *path;
  gint64               since_ms;
  HearthMetricsFormat  format;
  GFile               *file;
} Export;

static void
export_free (Export *export)
{
  g_free (export->path);
  g_clear_object (&export->file);
  g_free (export);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Export *export = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = hearth_store_open (export->path, &error);
  g_autofree char *text = NULL;

  if (store != NULL)
    text = hearth_metrics_export_rows (store, export->since_ms, NULL, export->format, &error);
  if (text == NULL
      || !g_file_replace_contents (export->file, text, strlen (text), NULL, FALSE,
                                   G_FILE_CREATE_REPLACE_DESTINATION, NULL, cancellable, &error))
    {
      g_autofree char *name = g_file_get_parse_name (export->file);

      g_task_return_new_error (task, G_IO_ERROR, error->domain == G_IO_ERROR ? error->code : G_IO_ERROR_FAILED,
                               _("The metrics could not be saved to %s: %s"), name, error->message);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
hearth_performance_page_export_async (HearthPerformancePage *self,
                                      GFile                 *file,
                                      HearthMetricsFormat    format,
                                      GCancellable          *cancellable,
                                      GAsyncReadyCallback    callback,
                                      gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  HearthStore *store;
  Export *export;

  g_return_if_fail (HEARTH_IS_PERFORMANCE_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_performance_page_export_async);
  store = self->engine != NULL ? hearth_engine_get_store (self->engine) : NULL;
  if (store == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("There is no history to export: the history database could not be opened"));
      return;
    }
  export = g_new0 (Export, 1);
  export->path = g_strdup (hearth_store_get_path (store));
  export->since_ms = g_get_real_time () / 1000 - range_spans_ms[self->range];
  export->format = format;
  export->file = g_object_ref (file);
  g_task_set_task_data (task, export, (GDestroyNotify) export_free);
  g_task_run_in_thread (task, export_thread);
}

gboolean
hearth_performance_page_export_finish (HearthPerformancePage  *self,
                                       GAsyncResult           *result,
                                       GError                **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
export_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  HearthPerformancePage *self = HEARTH_PERFORMANCE_PAGE (object);
  g_autoptr(GError) error = NULL;
  AdwToast *toast;

  if (hearth_performance_page_export_finish (self, result, &error))
    toast = adw_toast_new (_("Metrics exported"));
  else
    {
      toast = adw_toast_new (error->message);
      adw_toast_set_timeout (toast, 0);
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
chooser_response (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  HearthPerformancePage *self = user_data;
  HearthMetricsFormat format = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "format"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      hearth_performance_page_export_async (self, file, format, NULL, export_done, NULL);
    }
  g_clear_object (&self->chooser);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  HearthPerformancePage *self = HEARTH_PERFORMANCE_PAGE (widget);
  const char *kind = g_variant_get_string (parameter, NULL);
  gboolean json = g_str_equal (kind, "json");
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *name = g_strdup_printf ("hearth-metrics-%s.%s", stamp, json ? "json" : "csv");
  GtkRoot *root = gtk_widget_get_root (widget);

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (json ? _("Export Metrics as JSON")
                                                    : _("Export Metrics as CSV"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_object_set_data (G_OBJECT (self->chooser), "format",
                     GINT_TO_POINTER (json ? HEARTH_METRICS_FORMAT_JSON : HEARTH_METRICS_FORMAT_CSV));
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* Range */

void
hearth_performance_page_set_range (HearthPerformancePage  *self,
                                   HearthPerformanceRange  range)
{
  GtkToggleButton *buttons[] = { self->range_5m, self->range_1h, self->range_24h, self->range_7d };

  g_return_if_fail (HEARTH_IS_PERFORMANCE_PAGE (self));
  g_return_if_fail (range <= HEARTH_PERFORMANCE_RANGE_7_DAYS);

  if (!gtk_toggle_button_get_active (buttons[range]))
    {
      /* toggling calls back here */
      gtk_toggle_button_set_active (buttons[range], TRUE);
      return;
    }
  if (self->range == range && self->loaded)
    return;
  self->range = range;
  hearth_performance_page_refresh (self);
}

HearthPerformanceRange
hearth_performance_page_get_range (HearthPerformancePage *self)
{
  g_return_val_if_fail (HEARTH_IS_PERFORMANCE_PAGE (self), HEARTH_PERFORMANCE_RANGE_5_MIN);

  return self->range;
}

static void
on_range_toggled (GtkToggleButton       *button,
                  HearthPerformancePage *self)
{
  GtkToggleButton *buttons[] = { self->range_5m, self->range_1h, self->range_24h, self->range_7d };

  if (!gtk_toggle_button_get_active (button))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    if (buttons[i] == button && (self->range != i || !self->loaded))
      {
        self->range = i;
        hearth_performance_page_refresh (self);
      }
}

/* Wiring */

static void
on_reply_recorded (HearthEngine *engine,
                   HearthReply  *reply,
                   gpointer      user_data)
{
  HearthPerformancePage *self = user_data;

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    hearth_performance_page_refresh (self);
  else
    self->loaded = FALSE;
}

void
hearth_performance_page_set_engine (HearthPerformancePage *self,
                                    HearthEngine          *engine)
{
  g_return_if_fail (HEARTH_IS_PERFORMANCE_PAGE (self));
  g_return_if_fail (HEARTH_IS_ENGINE (engine));

  if (self->engine != NULL)
    g_clear_signal_handler (&self->recorded_handler, self->engine);
  g_set_object (&self->engine, engine);
  self->recorded_handler = g_signal_connect (engine, "reply-recorded",
                                             G_CALLBACK (on_reply_recorded), self);
  self->loaded = FALSE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      hearth_performance_page_refresh (self);
      load_models (self);
    }
}

static void
hold_sampler (HearthPerformancePage *self,
              gboolean               hold)
{
  if (self->sampler == NULL || self->holding == hold)
    return;
  self->holding = hold;
  if (hold)
    hearth_sampler_hold (self->sampler);
  else
    hearth_sampler_release (self->sampler);
}

void
hearth_performance_page_set_sampler (HearthPerformancePage *self,
                                     HearthSampler         *sampler,
                                     HearthResourceHistory *history)
{
  g_return_if_fail (HEARTH_IS_PERFORMANCE_PAGE (self));
  g_return_if_fail (HEARTH_IS_SAMPLER (sampler));

  if (self->sampler != NULL)
    {
      hold_sampler (self, FALSE);
      g_clear_signal_handler (&self->sample_handler, self->sampler);
    }
  g_set_object (&self->sampler, sampler);
  g_set_object (&self->history, history);
  self->sample_handler = g_signal_connect (sampler, "sample", G_CALLBACK (on_sample), self);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      hold_sampler (self, TRUE);
      fill_system_graphs (self, NULL);
    }
}

static void
hearth_performance_page_map (GtkWidget *widget)
{
  HearthPerformancePage *self = HEARTH_PERFORMANCE_PAGE (widget);

  GTK_WIDGET_CLASS (hearth_performance_page_parent_class)->map (widget);

  hold_sampler (self, TRUE);
  if (!self->loaded && self->refresh_cancellable == NULL)
    hearth_performance_page_refresh (self);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->models)) == 0)
    load_models (self);
  poll_loaded (self);
  self->loaded_source = g_timeout_add_seconds (LOADED_POLL_SECONDS, poll_loaded, self);
  self->reload_source = g_timeout_add_seconds (LONG_RANGE_RELOAD_S, reload_long_range, self);
}

static void
hearth_performance_page_unmap (GtkWidget *widget)
{
  HearthPerformancePage *self = HEARTH_PERFORMANCE_PAGE (widget);

  hold_sampler (self, FALSE);
  g_clear_handle_id (&self->loaded_source, g_source_remove);
  g_clear_handle_id (&self->reload_source, g_source_remove);

  GTK_WIDGET_CLASS (hearth_performance_page_parent_class)->unmap (widget);
}

static void
hearth_performance_page_dispose (GObject *object)
{
  HearthPerformancePage *self = (HearthPerformancePage *)object;
  GCancellable **cancellables[] = {
    &self->refresh_cancellable, &self->loaded_cancellable, &self->models_cancellable,
    &self->bench_cancellable,
  };

  for (guint i = 0; i < G_N_ELEMENTS (cancellables); i++)
    if (*cancellables[i] != NULL)
      {
        g_cancellable_cancel (*cancellables[i]);
        g_clear_object (cancellables[i]);
      }
  g_clear_handle_id (&self->loaded_source, g_source_remove);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  if (self->sampler != NULL)
    {
      hold_sampler (self, FALSE);
      g_clear_signal_handler (&self->sample_handler, self->sampler);
    }
  if (self->engine != NULL)
    g_clear_signal_handler (&self->recorded_handler, self->engine);
  if (self->bench != NULL)
    g_signal_handlers_disconnect_by_data (self->bench, self);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->bench);
  g_clear_object (&self->sampler);
  g_clear_object (&self->history);
  g_clear_object (&self->engine);
  g_clear_object (&self->settings);
  g_clear_object (&self->models);

  gtk_widget_dispose_template (GTK_WIDGET (self), HEARTH_TYPE_PERFORMANCE_PAGE);

  G_OBJECT_CLASS (hearth_performance_page_parent_class)->dispose (object);
}

static void
hearth_performance_page_class_init (HearthPerformancePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hearth_performance_page_dispose;
  widget_class->map = hearth_performance_page_map;
  widget_class->unmap = hearth_performance_page_unmap;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hearthapp/Hearth/hearth-performance-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, range_5m);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, range_1h);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, range_24h);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, range_7d);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, model_dropdown);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, bench_button);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, bench_revealer);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, bench_label);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, bench_progress);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, requests_stack);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, request_cards);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, models_grid);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, system_caption);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, system_cards);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, loaded_label);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, bench_stack);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, bench_grid);

  gtk_widget_class_install_action (widget_class, "performance.benchmark", NULL, benchmark_action);
  gtk_widget_class_install_action (widget_class, "performance.cancel-benchmark", NULL,
                                   cancel_benchmark_action);
  gtk_widget_class_install_action (widget_class, "performance.open-chat", NULL, open_chat_action);
  gtk_widget_class_install_action (widget_class, "performance.export", "s", export_action);
}

static void
hearth_performance_page_init (HearthPerformancePage *self)
{
  GtkToggleButton *buttons[4];

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->models = gtk_string_list_new (NULL);
  gtk_drop_down_set_model (self->model_dropdown, G_LIST_MODEL (self->models));
  /* shown once the server has listed its models */
  gtk_widget_set_visible (GTK_WIDGET (self->model_dropdown), FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "performance.benchmark", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "performance.cancel-benchmark", FALSE);

  buttons[0] = self->range_5m;
  buttons[1] = self->range_1h;
  buttons[2] = self->range_24h;
  buttons[3] = self->range_7d;
  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    g_signal_connect (buttons[i], "toggled", G_CALLBACK (on_range_toggled), self);

  card_init (&self->tokens, self->request_cards, _("Tokens per Second"), REQUEST_GRAPH_CAPACITY,
             _("tokens/s"));
  hearth_graph_add_series (self->tokens.graph, _("Reply"));
  /* from zero: a 2 % wobble must not look like a collapse */
  hearth_graph_set_range (self->tokens.graph, 0, NAN);
  card_init (&self->ttft, self->request_cards, _("Time to First Token"), REQUEST_GRAPH_CAPACITY,
             _("ms"));
  hearth_graph_add_series (self->ttft.graph, _("Reply"));
  hearth_graph_set_series_color (self->ttft.graph, 0, HEARTH_GRAPH_COLOR_SUCCESS);
  hearth_graph_set_range (self->ttft.graph, 0, NAN);

  card_init (&self->cpu, self->system_cards, _("CPU"), SYSTEM_GRAPH_CAPACITY, "%");
  hearth_graph_add_series (self->cpu.graph, _("All"));
  self->cpu_server_series = hearth_graph_add_series (self->cpu.graph, _("Server"));
  hearth_graph_set_series_color (self->cpu.graph, self->cpu_server_series, HEARTH_GRAPH_COLOR_WARNING);
  hearth_graph_set_range (self->cpu.graph, 0, 100);
  card_init (&self->memory, self->system_cards, _("Memory"), SYSTEM_GRAPH_CAPACITY, _("GiB"));
  hearth_graph_add_series (self->memory.graph, _("Used"));
  hearth_graph_set_range (self->memory.graph, 0, NAN);
  self->memory_server_series = hearth_graph_add_series (self->memory.graph, _("Server"));
  hearth_graph_set_series_color (self->memory.graph, self->memory_server_series,
                                 HEARTH_GRAPH_COLOR_WARNING);
  card_init (&self->gpu, self->system_cards, _("GPU"), SYSTEM_GRAPH_CAPACITY, "%");
  hearth_graph_add_series (self->gpu.graph, _("GPU"));
  hearth_graph_set_series_color (self->gpu.graph, 0, HEARTH_GRAPH_COLOR_SUCCESS);
  hearth_graph_set_range (self->gpu.graph, 0, 100);
  card_init (&self->vram, self->system_cards, _("VRAM"), SYSTEM_GRAPH_CAPACITY, _("GiB"));
  hearth_graph_add_series (self->vram.graph, _("Used"));
  hearth_graph_set_range (self->vram.graph, 0, NAN);
  hearth_graph_set_series_color (self->vram.graph, 0, HEARTH_GRAPH_COLOR_SUCCESS);
  card_set_visible (&self->gpu, FALSE);
  card_set_visible (&self->vram, FALSE);
  set_time_windows (self);
}
