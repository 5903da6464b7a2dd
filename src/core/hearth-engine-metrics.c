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

/* Every metrics read: what it asks, and which of the workers below answers. */
typedef enum
{
  READ_REPORT,
  READ_EXPORT_ROWS,
  READ_EXPORT_GROUPS,
  READ_REQUESTS,
  READ_SUMMARY,
  READ_RESOURCES,
  READ_BENCH,
} ReadKind;

typedef struct
{
  ReadKind               kind;
  gint64                 since_ms;
  gint64                 bucket_ms;
  char                  *model;
  HearthMetricsGrouping  grouping;
  HearthMetricsFormat    format;
  int                    minute_days;
  int                    hour_days;
  GHashTable            *servers;     /* endpoint → server name, read on the main thread */
} MetricsQuery;

static void
metrics_query_free (MetricsQuery *query)
{
  g_free (query->model);
  g_clear_pointer (&query->servers, g_hash_table_unref);
  g_free (query);
}

/* The user's servers by endpoint, for the workers to name groups with
 * (the list itself lives on the main thread). */
static GHashTable *
servers_by_endpoint (HearthEngine *self)
{
  GListModel *servers = G_LIST_MODEL (hearth_engine_get_servers (self));
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < g_list_model_get_n_items (servers); i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (servers, i);

      g_hash_table_insert (names, g_strdup (hearth_server_get_endpoint (server)),
                           g_strdup (hearth_server_get_name (server)));
    }
  return names;
}

/* The retention the app keeps resource use for: what its sampler's history
 * uses, else the settings, else their defaults. */
static void
get_retention (HearthEngine *self,
               int          *minute_days,
               int          *hour_days)
{
  *minute_days = 7;
  *hour_days = 90;
  if (self->resource_history != NULL)
    {
      *minute_days = hearth_resource_history_get_minute_days (self->resource_history);
      *hour_days = hearth_resource_history_get_hour_days (self->resource_history);
    }
  else if (self->settings != NULL)
    {
      *minute_days = g_settings_get_int (self->settings, "samples-minute-days");
      *hour_days = g_settings_get_int (self->settings, "samples-hour-days");
    }
}

static GArray *
read_resources (HearthStore         *reader,
                const MetricsQuery  *query,
                GError             **error)
{
  /* a reader of its own on this thread's connection, with the app's retention */
  g_autoptr(HearthResourceHistory) history = hearth_resource_history_new (reader);

  hearth_resource_history_set_minute_days (history, query->minute_days);
  hearth_resource_history_set_hour_days (history, query->hour_days);
  return hearth_resource_history_list (history, query->since_ms, query->bucket_ms, error);
}

static HearthPerformanceReport *
read_report (HearthStore         *reader,
             const MetricsQuery  *query,
             GError             **error)
{
  g_autoptr(HearthPerformanceReport) report = g_new0 (HearthPerformanceReport, 1);

  if ((report->rows = hearth_store_list_request_rows (reader, query->since_ms, NULL, error)) == NULL
      || (report->groups = hearth_metrics_aggregate (reader, query->since_ms, NULL, error)) == NULL
      || (report->bench = hearth_bench_list_results (reader, NULL, BENCH_LIST_LIMIT, error)) == NULL
      || (query->bucket_ms > 0
          && (report->resources = read_resources (reader, query, error)) == NULL))
    return NULL;
  hearth_metrics_name_servers (report->groups, query->servers);
  return g_steal_pointer (&report);
}

static void
read_in_worker (HearthStore  *reader,
                GTask        *task,
                gpointer      task_data,
                GCancellable *cancellable)
{
  MetricsQuery *query = task_data;
  GError *error = NULL;
  gpointer answer = NULL;
  GDestroyNotify free_answer = (GDestroyNotify) g_ptr_array_unref;

  switch (query->kind)
    {
    case READ_REPORT:
      answer = read_report (reader, query, &error);
      free_answer = (GDestroyNotify) hearth_performance_report_free;
      break;
    case READ_EXPORT_ROWS:
      answer = hearth_metrics_export_rows (reader, query->since_ms, query->model, query->format,
                                           &error);
      free_answer = g_free;
      break;
    case READ_EXPORT_GROUPS:
      answer = hearth_metrics_export_named_groups (reader, query->since_ms, query->model,
                                                   query->grouping, query->format,
                                                   query->servers, &error);
      free_answer = g_free;
      break;
    case READ_REQUESTS:
      answer = hearth_store_list_request_rows (reader, query->since_ms, query->model, &error);
      break;
    case READ_SUMMARY:
      answer = hearth_metrics_aggregate_by (reader, query->since_ms, query->model,
                                            query->grouping, &error);
      if (answer != NULL)
        hearth_metrics_name_servers (answer, query->servers);
      break;
    case READ_RESOURCES:
      answer = read_resources (reader, query, &error);
      free_answer = (GDestroyNotify) g_array_unref;
      break;
    case READ_BENCH:
    default:
      answer = hearth_bench_list_results (reader, query->model, 0, &error);
      break;
    }
  if (answer == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, answer, free_answer);
}

/* Runs @request (copied) in the reader's worker; its answer returns through a task. */
static void
read_async (HearthEngine        *self,
            gpointer             source_tag,
            const MetricsQuery  *request,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  MetricsQuery *query = g_memdup2 (request, sizeof *request);

  query->model = g_strdup (request->model);
  if (query->kind == READ_REPORT || query->kind == READ_SUMMARY ||
      query->kind == READ_EXPORT_GROUPS)
    query->servers = servers_by_endpoint (self);
  get_retention (self, &query->minute_days, &query->hour_days);
  g_task_set_source_tag (task, source_tag);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_set_task_data (task, query, (GDestroyNotify) metrics_query_free);
  _hearth_engine_run_reader (self, task, read_in_worker);
}

static gpointer
finish_read (HearthEngine  *self,
             GAsyncResult  *result,
             gpointer       source_tag,
             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
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
  g_return_if_fail (HEARTH_IS_ENGINE (self));

  read_async (self, hearth_engine_performance_report_async,
              &(MetricsQuery) { .kind = READ_REPORT, .since_ms = since_ms, .bucket_ms = bucket_ms },
              cancellable, callback, user_data);
}

/* Returns: (transfer full) */
HearthPerformanceReport *
hearth_engine_performance_report_finish (HearthEngine  *self,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  return finish_read (self, result, hearth_engine_performance_report_async, error);
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
  g_return_if_fail (HEARTH_IS_ENGINE (self));

  read_async (self, hearth_engine_export_metrics_async,
              &(MetricsQuery) { .kind = READ_EXPORT_ROWS, .since_ms = since_ms,
                                .model = (char *) model, .format = format },
              cancellable, callback, user_data);
}

/* Returns: (transfer full): the export's text */
char *
hearth_engine_export_metrics_finish (HearthEngine  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return finish_read (self, result, hearth_engine_export_metrics_async, error);
}

/**
 * hearth_engine_summarize_metrics_async:
 * @model: (nullable): only this model's replies
 * @format: with @as_text, the export's format
 * @as_text: return the summary as CSV or JSON text instead of groups
 *
 * The requests of the window per model, endpoint or both: counts, success
 * rate, percentiles, median speed.
 */
void
hearth_engine_summarize_metrics_async (HearthEngine          *self,
                                       gint64                 since_ms,
                                       const char            *model,
                                       HearthMetricsGrouping  grouping,
                                       gboolean               as_text,
                                       HearthMetricsFormat    format,
                                       GCancellable          *cancellable,
                                       GAsyncReadyCallback    callback,
                                       gpointer               user_data)
{
  g_return_if_fail (HEARTH_IS_ENGINE (self));

  read_async (self, hearth_engine_summarize_metrics_async,
              &(MetricsQuery) { .kind = as_text ? READ_EXPORT_GROUPS : READ_SUMMARY,
                                .since_ms = since_ms, .model = (char *) model,
                                .grouping = grouping, .format = format },
              cancellable, callback, user_data);
}

/* Returns: (transfer full): a GPtrArray of HearthMetricsGroup, or the text */
gpointer
hearth_engine_summarize_metrics_finish (HearthEngine  *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  return finish_read (self, result, hearth_engine_summarize_metrics_async, error);
}

/* The stored requests of a window, one row each (no content), oldest first. */
void
hearth_engine_list_requests_async (HearthEngine        *self,
                                   gint64               since_ms,
                                   const char          *model,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (HEARTH_IS_ENGINE (self));

  read_async (self, hearth_engine_list_requests_async,
              &(MetricsQuery) { .kind = READ_REQUESTS, .since_ms = since_ms,
                                .model = (char *) model },
              cancellable, callback, user_data);
}

/* Returns: (transfer container) (element-type HearthMessage) */
GPtrArray *
hearth_engine_list_requests_finish (HearthEngine  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return finish_read (self, result, hearth_engine_list_requests_async, error);
}

/**
 * hearth_engine_list_resources_async:
 * @bucket_ms: the step: 60000 (minutes) or 3600000 (hours)
 *
 * The machine's stored resource use since @since_ms, with the app's retention.
 */
void
hearth_engine_list_resources_async (HearthEngine        *self,
                                    gint64               since_ms,
                                    gint64               bucket_ms,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (HEARTH_IS_ENGINE (self));

  read_async (self, hearth_engine_list_resources_async,
              &(MetricsQuery) { .kind = READ_RESOURCES, .since_ms = since_ms,
                                .bucket_ms = bucket_ms },
              cancellable, callback, user_data);
}

/* Returns: (transfer full) (element-type HearthResourceRow) */
GArray *
hearth_engine_list_resources_finish (HearthEngine  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return finish_read (self, result, hearth_engine_list_resources_async, error);
}

/* How many days resource use is kept per minute (then per hour). */
int
hearth_engine_get_minute_days (HearthEngine *self)
{
  int minute_days, hour_days;

  g_return_val_if_fail (HEARTH_IS_ENGINE (self), 7);

  get_retention (self, &minute_days, &hour_days);
  return minute_days;
}

/* The stored benchmarks, newest first. */
void
hearth_engine_list_bench_results_async (HearthEngine        *self,
                                        const char          *model,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_return_if_fail (HEARTH_IS_ENGINE (self));

  read_async (self, hearth_engine_list_bench_results_async,
              &(MetricsQuery) { .kind = READ_BENCH, .model = (char *) model },
              cancellable, callback, user_data);
}

/* Returns: (transfer container) (element-type HearthBenchResult) */
GPtrArray *
hearth_engine_list_bench_results_finish (HearthEngine  *self,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  return finish_read (self, result, hearth_engine_list_bench_results_async, error);
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
