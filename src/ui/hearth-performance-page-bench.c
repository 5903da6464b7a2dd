/* hearth-performance-page-bench.c — the Benchmarks section: the models, a run, its results
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-performance-page"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "hearth-error.h"
#include "hearth-performance-page-private.h"
#include "hearth-server-labels.h"

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

void
_hearth_performance_page_load_models (HearthPerformancePage *self)
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

  if (bench_result->state == HEARTH_BENCH_COMPLETE
      && !hearth_engine_save_bench_result (self->engine, bench_result, &error))
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
      else if (bench_result->error != NULL)
        {
          /* the cases the server refused are named in the result's tooltip */
          toast = adw_toast_new_format (_("Benchmark of %s finished: %.1f tokens/s, with cases "
                                          "the server refused left out"),
                                        bench_result->model, bench_result->decode_tps_median);
          adw_toast_set_timeout (toast, 0);
        }
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
  HearthServer *server;
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

  /* The engine's: the model's run options, and its requests wait behind
   * the chat and other programs in the server's queue. */
  self->bench = hearth_engine_new_bench (self->engine, provider, model,
                                         HEARTH_BENCH_DEFAULT_RUNS, self->sampler);
  /* Recorded with the run, so runs on two servers read side by side. */
  server = hearth_servers_get_default (hearth_engine_get_servers (self->engine));
  if (server != NULL)
    hearth_bench_set_server (self->bench, hearth_server_get_name (server));
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

void
_hearth_performance_page_benchmark_action (GtkWidget  *widget,
                                           const char *action_name,
                                           GVariant   *parameter)
{
  hearth_performance_page_run_benchmark (HEARTH_PERFORMANCE_PAGE (widget), NULL);
}

void
_hearth_performance_page_cancel_benchmark_action (GtkWidget  *widget,
                                                  const char *action_name,
                                                  GVariant   *parameter)
{
  HearthPerformancePage *self = HEARTH_PERFORMANCE_PAGE (widget);

  if (self->bench_cancellable != NULL)
    g_cancellable_cancel (self->bench_cancellable);
}

/* Results */

/* "41.2 tokens/s (39.8–42.0)": the median and the spread of the runs */
static char *
format_spread (double median,
               double min,
               double max,
               int    digits)
{
  if (median < 0 || isnan (median))
    return g_strdup ("—");
  if (min < 0 || max < 0)
    return g_strdup_printf (_("%.*f tokens/s"), digits, median);
  return g_strdup_printf (_("%.*f tokens/s (%.*f–%.*f)"), digits, median, digits, min, digits, max);
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

/* The model, ellipsized in the middle, and the change against the last run at the end. */
static GtkLabel *
add_run_title (GtkGrid    *grid,
               int         row,
               const char *model,
               const char *change)
{
  GtkWidget *title = gtk_label_new (model);
  GtkWidget *change_label = gtk_label_new (change);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_selectable (GTK_LABEL (title), TRUE);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_add_css_class (title, "heading");
  gtk_widget_add_css_class (title, "perf-bench-run");
  gtk_label_set_xalign (GTK_LABEL (change_label), 1);
  gtk_widget_add_css_class (change_label, "numeric");
  if (row > 0)
    {
      gtk_widget_set_margin_top (title, 12);
      gtk_widget_set_margin_top (change_label, 12);
    }
  gtk_grid_attach (grid, title, 0, row, 1, 1);
  gtk_grid_attach (grid, change_label, 1, row, 1, 1);
  return GTK_LABEL (change_label);
}

static void
add_run_details (GtkGrid    *grid,
                 int         row,
                 const char *text)
{
  GtkWidget *label = _hearth_performance_page_wrapping_label (text);

  gtk_widget_add_css_class (label, "numeric");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_grid_attach (grid, label, 0, row, 2, 1);
}

void
_hearth_performance_page_fill_bench_table (HearthPerformancePage *self,
                                           GPtrArray             *results)
{
  _hearth_performance_page_grid_clear (self->bench_grid);
  gtk_stack_set_visible_child_name (self->bench_stack, results->len > 0 ? "data" : "empty");
  if (results->len == 0)
    return;

  for (guint i = 0; i < results->len; i++)
    {
      const HearthBenchResult *result = g_ptr_array_index (results, i);
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (result->created_ms / 1000);
      g_autofree char *date = g_date_time_format (when, "%x %H:%M");
      g_autofree char *runs = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u run", "%u runs",
                                                            result->runs), result->runs);
      g_autofree char *load = result->already_loaded
                              ? g_strdup (_("in memory"))
                              : _hearth_performance_page_format_ms (result->load_ms);
      g_autofree char *p50 = _hearth_performance_page_format_ms (result->ttft_p50_ms);
      g_autofree char *p95 = _hearth_performance_page_format_ms (result->ttft_p95_ms);
      g_autofree char *details = NULL;
      g_autofree char *prompt = format_spread (result->prompt_tps_median, result->prompt_tps_min,
                                               result->prompt_tps_max, 0);
      g_autofree char *decode = format_spread (result->decode_tps_median, result->decode_tps_min,
                                               result->decode_tps_max, 1);
      g_autofree char *cpu = _hearth_performance_page_format_percent (result->peak_cpu_percent);
      g_autofree char *ram = _hearth_performance_page_format_bytes (result->peak_mem_used);
      g_autofree char *vram = _hearth_performance_page_format_bytes (result->peak_vram_used);
      g_autofree char *change = NULL;
      g_autofree char *title = NULL;
      /* The server of the list it ran on, or the address of a one-off run. */
      g_autofree char *server_label =
        result->server != NULL
        ? hearth_server_label_for_name (hearth_engine_get_servers (self->engine), result->server)
        : hearth_server_label_for_endpoint (hearth_engine_get_servers (self->engine), result->api,
                                            result->endpoint);
      GtkLabel *change_label;
      int row = 2 * i;

      if (result->state != HEARTH_BENCH_COMPLETE)
        change = g_strdup (result->state == HEARTH_BENCH_CANCELLED ? _("Cancelled") : _("Failed"));
      else if (result->error != NULL)
        {
          g_autofree char *measured = format_change (result);

          /* Translators: a benchmark's change, and that some cases were refused */
          change = g_strdup_printf (_("%s · some cases left out"), measured);
        }
      else
        change = format_change (result);

      /* A run is a title and lines that wrap at any width, not nine columns. */
      details = g_strdup_printf (_("%s · %s\n"
                                   "Decode %s · prompt %s\n"
                                   "First token %s, p95 %s · load %s\n"
                                   "Peak CPU %s · RAM %s"),
                                 date, runs, decode, prompt, p50, p95, load, cpu, ram);
      if (result->peak_vram_used >= 0)
        {
          g_autofree char *with_vram = g_strdup_printf (_("%s · VRAM %s"), details, vram);

          g_free (details);
          details = g_steal_pointer (&with_vram);
        }
      /* Translators: a benchmark run's title: the model, and the server it ran on */
      title = g_strdup_printf (_("%s · %s"), result->model,
                               server_label);
      change_label = add_run_title (self->bench_grid, row, title, change);
      add_run_details (self->bench_grid, row + 1, details);
      if (result->regression)
        {
          /* The threshold the core used: its base, or more when the runs were noisy. */
          g_autofree char *tip =
            g_strdup_printf (_("Decode speed fell by more than %.0f %% against the previous run of "
                               "this model with the same options on this hardware (at least "
                               "%.0f %%, more when the runs themselves varied)"),
                             result->regression_threshold_percent,
                             hearth_bench_regression_base_percent ());

          gtk_widget_add_css_class (GTK_WIDGET (change_label), "error");
          gtk_widget_set_tooltip_text (GTK_WIDGET (change_label), tip);
        }
      if (result->error != NULL)
        gtk_widget_set_tooltip_text (GTK_WIDGET (change_label), result->error);
    }
}
