/* hearth-engine-metrics.c — the performance report and the metrics export
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-engine"

#include "hearth-bench.h"
#include "hearth-catalog.h"
#include "hearth-engine-private.h"
#include "hearth-error.h"
#include "hearth-metrics.h"

#define BENCH_LIST_LIMIT 50

void
hearth_performance_report_free (HearthPerformanceReport *report)
{
  if (report == NULL)
    return;
  g_clear_pointer (&report->rows, g_ptr_array_unref);
  g_clear_pointer (&report->groups, g_ptr_array_unref);
  g_clear_pointer (&report->bench, g_ptr_array_unref);
  g_clear_pointer (&report->resources, g_array_unref);
  g_free (report);
}

typedef struct
{
  gint64 since_ms;
  gint64 bucket_ms;
  int    minute_days;
  int    hour_days;
} ReportQuery;

static gboolean
read_resources (HearthStore              *reader,
                const ReportQuery        *query,
                HearthPerformanceReport  *report,
                GError                  **error)
{
  /* a reader of its own on this thread's connection, with the app's retention */
  g_autoptr(HearthResourceHistory) history = hearth_resource_history_new (reader);

  hearth_resource_history_set_minute_days (history, query->minute_days);
  hearth_resource_history_set_hour_days (history, query->hour_days);
  report->resources = hearth_resource_history_list (history, query->since_ms, query->bucket_ms,
                                                    error);
  return report->resources != NULL;
}

static void
report_in_worker (HearthStore  *reader,
                  GTask        *task,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  ReportQuery *query = task_data;
  g_autoptr(HearthPerformanceReport) report = g_new0 (HearthPerformanceReport, 1);
  GError *error = NULL;

  if ((report->rows = hearth_store_list_request_rows (reader, query->since_ms, NULL, &error)) == NULL
      || (report->groups = hearth_metrics_aggregate (reader, query->since_ms, NULL, &error)) == NULL
      || (report->bench = hearth_bench_list_results (reader, NULL, BENCH_LIST_LIMIT, &error)) == NULL
      || (query->bucket_ms > 0 && !read_resources (reader, query, report, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&report),
                         (GDestroyNotify) hearth_performance_report_free);
}

/**
 * hearth_engine_performance_report_async:
 * @since_ms: the window's start, unix time in milliseconds
 * @bucket_ms: the resource history's step, or 0 for none (the sampler's
 *   ring in memory covers short windows)
 *
 * Everything the Performance page shows for a window: the requests, their
 * figures per model and server, the benchmarks, the stored resource use.
 */
void
hearth_engine_performance_report_async (HearthEngine        *self,
                                        gint64               since_ms,
                                        gint64               bucket_ms,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ReportQuery *query;

  g_return_if_fail (HEARTH_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_engine_performance_report_async);
  g_task_set_return_on_cancel (task, TRUE);
  query = g_new0 (ReportQuery, 1);
  query->since_ms = since_ms;
  query->bucket_ms = bucket_ms;
  query->minute_days = self->resource_history
                       ? hearth_resource_history_get_minute_days (self->resource_history) : 7;
  query->hour_days = self->resource_history
                     ? hearth_resource_history_get_hour_days (self->resource_history) : 90;
  g_task_set_task_data (task, query, g_free);
  _hearth_engine_run_reader (self, task, report_in_worker);
}

/* Returns: (transfer full) */
HearthPerformanceReport *
hearth_engine_performance_report_finish (HearthEngine  *self,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  gint64               since_ms;
  char                *model;
  HearthMetricsFormat  format;
} ExportQuery;

static void
export_query_free (ExportQuery *query)
{
  g_free (query->model);
  g_free (query);
}

static void
export_in_worker (HearthStore  *reader,
                  GTask        *task,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  ExportQuery *query = task_data;
  GError *error = NULL;
  char *text = hearth_metrics_export_rows (reader, query->since_ms, query->model, query->format,
                                           &error);

  if (text == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, text, g_free);
}

/**
 * hearth_engine_export_metrics_async:
 * @since_ms: the first reply's time, unix milliseconds (0 for all)
 * @model: (nullable): only this model's replies
 *
 * Every request of the window, one row each, as CSV or JSON.
 */
void
hearth_engine_export_metrics_async (HearthEngine        *self,
                                    gint64               since_ms,
                                    const char          *model,
                                    HearthMetricsFormat  format,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ExportQuery *query;

  g_return_if_fail (HEARTH_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_engine_export_metrics_async);
  query = g_new0 (ExportQuery, 1);
  query->since_ms = since_ms;
  query->model = g_strdup (model);
  query->format = format;
  g_task_set_task_data (task, query, (GDestroyNotify) export_query_free);
  _hearth_engine_run_reader (self, task, export_in_worker);
}

/* Returns: (transfer full): the export's text */
char *
hearth_engine_export_metrics_finish (HearthEngine  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Keeps a finished benchmark in the history; without one, nothing to keep. */
gboolean
hearth_engine_save_bench_result (HearthEngine       *self,
                                 HearthBenchResult  *result,
                                 GError            **error)
{
  g_return_val_if_fail (HEARTH_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  if (self->store == NULL)
    return TRUE;
  return hearth_bench_result_save (self->store, result, error);
}

/* Once a model has been used here, what it measured replaces the estimate. */
void
hearth_engine_apply_measurements (HearthEngine *self,
                                  GPtrArray    *recommendations)
{
  g_return_if_fail (HEARTH_IS_ENGINE (self));

  hearth_catalog_apply_measurements (recommendations, self->store);
}

/* Whether replies, benchmarks and resource use are kept: the history opened. */
gboolean
hearth_engine_has_history (HearthEngine *self)
{
  g_return_val_if_fail (HEARTH_IS_ENGINE (self), FALSE);
  return self->store != NULL;
}
