/* hearth-metrics.c — request figures per model and endpoint over a window
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-metrics"

#include <math.h>
#include <string.h>

#include "hearth-error.h"
#include "hearth-metrics.h"

typedef struct
{
  HearthMetricsGroup *group;
  GArray             *ttft;
  GArray             *total;
  GArray             *speed;
} Accumulator;

static Accumulator *
accumulator_new (const HearthMessage *row)
{
  Accumulator *acc = g_new0 (Accumulator, 1);

  acc->group = g_new0 (HearthMetricsGroup, 1);
  acc->group->model = g_strdup (row->model);
  acc->group->endpoint = g_strdup (row->endpoint);
  acc->ttft = g_array_new (FALSE, FALSE, sizeof (double));
  acc->total = g_array_new (FALSE, FALSE, sizeof (double));
  acc->speed = g_array_new (FALSE, FALSE, sizeof (double));
  return acc;
}

static void
accumulator_free (Accumulator *acc)
{
  g_clear_pointer (&acc->group, hearth_metrics_group_free);
  g_array_unref (acc->ttft);
  g_array_unref (acc->total);
  g_array_unref (acc->speed);
  g_free (acc);
}

/* Unknown figures are stored as negative values and left out. */
static void
append_known (GArray *values,
              double  value)
{
  if (value >= 0)
    g_array_append_val (values, value);
}

static void
accumulator_add (Accumulator         *acc,
                 const HearthMessage *row)
{
  acc->group->count++;
  if (row->state == HEARTH_MESSAGE_COMPLETE)
    acc->group->successes++;
  append_known (acc->ttft, row->figures.ttft_ms);
  append_known (acc->total, row->figures.total_ms);
  if (row->figures.tokens_per_s > 0)
    g_array_append_val (acc->speed, row->figures.tokens_per_s);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/**
 * hearth_metrics_percentile:
 * @values: (element-type double): the known values; sorted in place
 * @percent: 0 < @percent <= 100
 *
 * The nearest-rank percentile: the smallest value with at least @percent %
 * of the values at or below it, i.e. the value at rank ⌈percent/100 × n⌉
 * of the sorted values. Always one of the values, never interpolated.
 *
 * Returns: the percentile, or -1 when @values is empty
 */
double
hearth_metrics_percentile (GArray *values,
                           double  percent)
{
  gsize rank;

  g_return_val_if_fail (values != NULL, -1);
  g_return_val_if_fail (percent > 0 && percent <= 100, -1);

  if (values->len == 0)
    return -1;
  g_array_sort (values, compare_doubles);
  rank = (gsize) ceil (percent / 100.0 * values->len - 1e-9);
  rank = CLAMP (rank, 1, values->len);
  return g_array_index (values, double, rank - 1);
}

static HearthMetricsGroup *
accumulator_finish (Accumulator *acc)
{
  HearthMetricsGroup *group = acc->group;

  group->success_rate = (double) group->successes / group->count;
  group->ttft_p50_ms = hearth_metrics_percentile (acc->ttft, 50);
  group->ttft_p95_ms = hearth_metrics_percentile (acc->ttft, 95);
  group->ttft_p99_ms = hearth_metrics_percentile (acc->ttft, 99);
  group->total_p50_ms = hearth_metrics_percentile (acc->total, 50);
  group->total_p95_ms = hearth_metrics_percentile (acc->total, 95);
  group->total_p99_ms = hearth_metrics_percentile (acc->total, 99);
  group->median_tokens_per_s = hearth_metrics_percentile (acc->speed, 50);
  acc->group = NULL;
  return group;
}

static int
compare_groups (gconstpointer a,
                gconstpointer b)
{
  const HearthMetricsGroup *x = *(HearthMetricsGroup * const *) a;
  const HearthMetricsGroup *y = *(HearthMetricsGroup * const *) b;
  int by_model = g_strcmp0 (x->model, y->model);

  return by_model != 0 ? by_model : g_strcmp0 (x->endpoint, y->endpoint);
}

/* Groups @rows by model and endpoint, in the order each pair first appears. */
static GPtrArray *
group_rows (GPtrArray *rows)
{
  g_autoptr(GHashTable) by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *accumulators = g_ptr_array_new_with_free_func ((GDestroyNotify) accumulator_free);

  for (guint i = 0; i < rows->len; i++)
    {
      HearthMessage *row = g_ptr_array_index (rows, i);
      g_autofree char *key = g_strdup_printf ("%s\x1f%s", row->model ? row->model : "",
                                   row->endpoint ? row->endpoint : "");
      Accumulator *acc = g_hash_table_lookup (by_key, key);

      if (acc == NULL)
        {
          acc = accumulator_new (row);
          g_ptr_array_add (accumulators, acc);
          g_hash_table_insert (by_key, g_steal_pointer (&key), acc);
        }
      accumulator_add (acc, row);
    }
  return accumulators;
}

/**
 * hearth_metrics_aggregate:
 * @since_ms: only requests made at or after this unix time in milliseconds
 * @model: (nullable): only requests to this model
 *
 * Returns: (transfer container) (element-type HearthMetricsGroup): one group
 *   per model and endpoint, sorted by model then endpoint; %NULL with @error
 *   set when the store cannot be read
 */
GPtrArray *
hearth_metrics_aggregate (HearthStore  *store,
                          gint64        since_ms,
                          const char   *model,
                          GError      **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) accumulators = NULL;
  GPtrArray *groups;

  g_return_val_if_fail (HEARTH_IS_STORE (store), NULL);

  rows = hearth_store_list_request_rows (store, since_ms, model, error);
  if (rows == NULL)
    return NULL;
  accumulators = group_rows (rows);
  groups = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_metrics_group_free);
  for (guint i = 0; i < accumulators->len; i++)
    g_ptr_array_add (groups, accumulator_finish (g_ptr_array_index (accumulators, i)));
  g_ptr_array_sort (groups, compare_groups);
  return groups;
}

/**
 * hearth_metrics_parse_since:
 * @text: a window: a whole number and a unit, s, m, h or d ("90s", "5m",
 *   "1h", "24h", "7d")
 *
 * Returns: the length of the window in milliseconds; subtract it from now
 *   for since_ms. -1 with @error set (%HEARTH_ERROR_INVALID_ARGUMENT) when
 *   @text is not a window.
 */
gint64
hearth_metrics_parse_since (const char  *text,
                            GError     **error)
{
  static const struct { char unit; gint64 ms; } units[] = {
    { 's', 1000 }, { 'm', 60 * 1000 }, { 'h', 3600 * 1000 }, { 'd', 24 * 3600 * 1000 },
  };
  gsize len = text != NULL ? strlen (text) : 0;

  for (guint i = 0; len >= 2 && i < G_N_ELEMENTS (units); i++)
    {
      g_autofree char *number = NULL;
      guint64 n;

      if (text[len - 1] != units[i].unit)
        continue;
      number = g_strndup (text, len - 1);
      if (g_ascii_isdigit (number[0]) &&
          g_ascii_string_to_unsigned (number, 10, 1, G_MAXINT64 / units[i].ms, &n, NULL))
        return (gint64) n * units[i].ms;
    }
  g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
               "“%s” is not a time window. Give a number and a unit, for example 90s, 5m, "
               "1h, 24h or 7d", text != NULL ? text : "");
  return -1;
}

void
hearth_metrics_group_free (HearthMetricsGroup *group)
{
  if (group == NULL)
    return;
  g_free (group->model);
  g_free (group->endpoint);
  g_free (group);
}
