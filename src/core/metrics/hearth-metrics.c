/* hearth-metrics.c — request figures per model and endpoint over a window
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-metrics"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "hearth-error.h"
#include "hearth-metrics.h"
#include "hearth-metrics-private.h"

static GArray *
doubles_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (double));
}

static Accumulator *
accumulator_new (const GroupKey *key)
{
  Accumulator *acc = g_new0 (Accumulator, 1);

  acc->key.model = g_strdup (key->model);
  acc->key.endpoint = g_strdup (key->endpoint);
  acc->key.client = g_strdup (key->client);
  acc->key.day = key->day;
  acc->group = g_new0 (HearthMetricsGroup, 1);
  acc->group->model = g_strdup (key->model);
  acc->group->endpoint = g_strdup (key->endpoint);
  acc->group->client = g_strdup (key->client);
  acc->ttft = doubles_new ();
  acc->total = doubles_new ();
  acc->speed = doubles_new ();
  acc->prompt_speed = doubles_new ();
  acc->load = doubles_new ();
  return acc;
}

static void
accumulator_free (Accumulator *acc)
{
  g_clear_pointer (&acc->group, hearth_metrics_group_free);
  g_free (acc->key.model);
  g_free (acc->key.endpoint);
  g_free (acc->key.client);
  g_array_unref (acc->ttft);
  g_array_unref (acc->total);
  g_array_unref (acc->speed);
  g_array_unref (acc->prompt_speed);
  g_array_unref (acc->load);
  g_free (acc);
}

/* Unknown figures are negative and left out; a speed of 0 is not a speed. */
static void
append_if (GArray   *values,
           double    value,
           gboolean  known)
{
  if (known)
    g_array_append_val (values, value);
}

void
_hearth_metrics_accumulator_add (Accumulator  *acc,
                                 sqlite3_stmt *stmt)
{
  double speed = sqlite3_column_double (stmt, COLUMN_SPEED);
  double prompt_speed = sqlite3_column_double (stmt, COLUMN_PROMPT_SPEED);
  double ttft = sqlite3_column_double (stmt, COLUMN_TTFT);
  double total = sqlite3_column_double (stmt, COLUMN_TOTAL);
  double load = sqlite3_column_double (stmt, COLUMN_LOAD);

  if (sqlite3_column_int (stmt, COLUMN_CACHED) != 0)
    {
      acc->group->cache_hits++;
      return;
    }
  acc->group->count++;
  acc->group->successes += sqlite3_column_int (stmt, COLUMN_COMPLETE);
  acc->group->failures += sqlite3_column_int (stmt, COLUMN_FAILED);
  append_if (acc->ttft, ttft, ttft >= 0);
  append_if (acc->total, total, total >= 0);
  append_if (acc->speed, speed, speed > 0);
  append_if (acc->prompt_speed, prompt_speed, prompt_speed > 0);
  append_if (acc->load, load, load >= 0);
}

static inline void
swap_values (double *values,
             gssize  i,
             gssize  j)
{
  double swap = values[i];

  values[i] = values[j];
  values[j] = swap;
}

/* Floyd and Rivest's selection: afterwards values[k] is the value sorting
 * would put there, with nothing larger before it and nothing smaller after.
 * A pivot chosen from a sample close to rank k leaves a short second pass,
 * about 1.5 n comparisons in all, where sorting a million values takes
 * about 80 ms. */
static void
select_range (double *values,
              gssize  left,
              gssize  right,
              gssize  k)
{
  while (right > left)
    {
      double pivot;
      gssize i, j;

      if (right - left > 600)
        {
          double n = right - left + 1, rank = k - left + 1, z = log (n);
          double sample = 0.5 * exp (2 * z / 3);
          double deviation = 0.5 * sqrt (z * sample * (n - sample) / n) *
                             (rank < n / 2 ? -1 : 1);

          select_range (values, MAX (left, (gssize) (k - rank * sample / n + deviation)),
                        MIN (right, (gssize) (k + (n - rank) * sample / n + deviation)), k);
        }
      pivot = values[k];
      i = left;
      j = right;
      swap_values (values, left, k);
      if (values[right] > pivot)
        swap_values (values, right, left);
      while (i < j)
        {
          swap_values (values, i++, j--);
          while (values[i] < pivot)
            i++;
          while (values[j] > pivot)
            j--;
        }
      if (values[left] == pivot)
        swap_values (values, left, j);
      else
        swap_values (values, ++j, right);
      if (j <= k)
        left = j + 1;
      if (k <= j)
        right = j - 1;
    }
}

static double
select_nth (double *values,
            gssize  n,
            gssize  k)
{
  select_range (values, 0, n - 1, k);
  return values[k];
}

/* The index of the nearest-rank percentile: rank ⌈percent/100 × n⌉. */
static gsize
percentile_index (gsize  n,
                  double percent)
{
  gsize rank = (gsize) ceil (percent / 100.0 * n - 1e-9);

  return CLAMP (rank, 1, n) - 1;
}

/**
 * hearth_metrics_percentile:
 * @values: (element-type double): the known values; reordered in place
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
  g_return_val_if_fail (values != NULL, -1);
  g_return_val_if_fail (percent > 0 && percent <= 100, -1);

  if (values->len == 0)
    return -1;
  return select_nth ((double *) (gpointer) values->data, values->len,
                     percentile_index (values->len, percent));
}

/* p50, p95 and p99 of @values: each selection only searches the part above
 * the one before. */
static void
percentiles_50_95_99 (GArray *values,
                      double *p50,
                      double *p95,
                      double *p99)
{
  double *data = (double *) (gpointer) values->data;
  double *out[] = { p50, p95, p99 };
  double percents[] = { 50, 95, 99 };
  gsize from = 0;

  for (guint i = 0; i < G_N_ELEMENTS (percents); i++)
    {
      gsize k = values->len > 0 ? percentile_index (values->len, percents[i]) : 0;

      *out[i] = values->len > 0 ? select_nth (data + from, values->len - from, k - from) : -1;
      from = k;
    }
}

static HearthMetricsGroup *
accumulator_finish (Accumulator *acc)
{
  HearthMetricsGroup *group = g_steal_pointer (&acc->group);

  /* A reply still streaming, or stopped by the person who asked, is
   * neither: the rate is over the requests that ended on their own. */
  group->success_rate = group->successes + group->failures > 0
    ? (double) group->successes / (group->successes + group->failures) : -1;
  percentiles_50_95_99 (acc->ttft, &group->ttft_p50_ms, &group->ttft_p95_ms,
                        &group->ttft_p99_ms);
  percentiles_50_95_99 (acc->total, &group->total_p50_ms, &group->total_p95_ms,
                        &group->total_p99_ms);
  group->median_tokens_per_s = hearth_metrics_percentile (acc->speed, 50);
  group->median_prompt_tokens_per_s = hearth_metrics_percentile (acc->prompt_speed, 50);
  group->median_load_ms = hearth_metrics_percentile (acc->load, 50);
  return group;
}

static int
compare_groups (gconstpointer a,
                gconstpointer b)
{
  const HearthMetricsGroup *x = *(HearthMetricsGroup * const *) a;
  const HearthMetricsGroup *y = *(HearthMetricsGroup * const *) b;
  int by_model = g_strcmp0 (x->model, y->model);
  int by_endpoint = g_strcmp0 (x->endpoint, y->endpoint);

  /* Hearth's own chat (no client) first, then the programs by name. */
  return by_model != 0 ? by_model : by_endpoint != 0 ? by_endpoint
                                                     : g_strcmp0 (x->client, y->client);
}

static guint
group_key_hash (gconstpointer data)
{
  const GroupKey *key = data;

  return (((key->model != NULL ? g_str_hash (key->model) : 0) * 31 +
           (key->endpoint != NULL ? g_str_hash (key->endpoint) : 0)) * 31 +
          (key->client != NULL ? g_str_hash (key->client) : 0)) * 31 + (guint) key->day;
}

static gboolean
group_key_equal (gconstpointer a,
                 gconstpointer b)
{
  const GroupKey *x = a, *y = b;

  return x->day == y->day && g_strcmp0 (x->model, y->model) == 0 &&
         g_strcmp0 (x->endpoint, y->endpoint) == 0 && g_strcmp0 (x->client, y->client) == 0;
}

/* The accumulator for the current row, made on its first row. The key
 * points into the row, so a row that joins a known group copies nothing. */
Accumulator *
_hearth_metrics_lookup_accumulator (GHashTable            *by_key,
                                    sqlite3_stmt          *stmt,
                                    HearthMetricsGrouping  grouping,
                                    gint64                 day)
{
  GroupKey key = { NULL, NULL, NULL, day };
  Accumulator *acc;

  if (grouping == HEARTH_METRICS_BY_CLIENT)
    key.client = (char *) sqlite3_column_text (stmt, COLUMN_CLIENT);
  else
    {
      if (grouping != HEARTH_METRICS_BY_ENDPOINT)
        key.model = (char *) sqlite3_column_text (stmt, COLUMN_MODEL);
      if (grouping != HEARTH_METRICS_BY_MODEL)
        key.endpoint = (char *) sqlite3_column_text (stmt, COLUMN_ENDPOINT);
    }
  acc = g_hash_table_lookup (by_key, &key);
  if (acc == NULL)
    {
      acc = accumulator_new (&key);
      g_hash_table_insert (by_key, &acc->key, acc);
    }
  return acc;
}

/* Accumulators by their key, freed with the table. */
GHashTable *
_hearth_metrics_accumulators_new (void)
{
  return g_hash_table_new_full (group_key_hash, group_key_equal, NULL,
                                (GDestroyNotify) accumulator_free);
}

typedef struct
{
  GPtrArray *accumulators;
  GPtrArray *groups;      /* same length, filled in */
  guint      first;       /* this worker's share: first, first + 2, … */
} FinishShare;

static gpointer
finish_share (gpointer data)
{
  FinishShare *share = data;

  for (guint i = share->first; i < share->accumulators->len; i += 2)
    share->groups->pdata[i] = accumulator_finish (g_ptr_array_index (share->accumulators, i));
  return NULL;
}

static gsize
accumulator_size (const Accumulator *acc)
{
  return acc->ttft->len + acc->total->len + acc->speed->len + acc->prompt_speed->len +
         acc->load->len;
}

/* Selection is most of the work over months of requests: with more than a
 * core and enough values, two threads take every other group. */
#define PARALLEL_FINISH_VALUES 200000

static GPtrArray *
finish_groups (GHashTable *by_key)
{
  GPtrArray *groups = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_metrics_group_free);
  g_autoptr(GPtrArray) accumulators = g_ptr_array_new ();
  FinishShare shares[2];
  GHashTableIter iter;
  Accumulator *acc;
  gsize n_values = 0;
  GThread *helper = NULL;

  g_hash_table_iter_init (&iter, by_key);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &acc))
    {
      g_ptr_array_add (accumulators, acc);
      n_values += accumulator_size (acc);
    }
  g_ptr_array_set_size (groups, accumulators->len);
  for (guint i = 0; i < G_N_ELEMENTS (shares); i++)
    shares[i] = (FinishShare) { accumulators, groups, i };
  if (n_values > PARALLEL_FINISH_VALUES && accumulators->len > 1 && g_get_num_processors () > 1)
    helper = g_thread_try_new ("hearth-metrics", finish_share, &shares[1], NULL);
  finish_share (&shares[0]);
  if (helper != NULL)
    g_thread_join (helper);
  else
    {
      shares[1].first = 1;
      finish_share (&shares[1]);
    }
  g_ptr_array_sort (groups, compare_groups);
  return groups;
}

GPtrArray *
hearth_metrics_aggregate_by (HearthStore            *store,
                             gint64                  since_ms,
                             const char             *model,
                             HearthMetricsGrouping   grouping,
                             GError                **error)
{
  g_autoptr(GHashTable) by_key = NULL;
  gint64 today = g_get_real_time () / 1000 / DAY_MS;
  gint64 first_day, oldest_ms;
  int rc;

  g_return_val_if_fail (HEARTH_IS_STORE (store), NULL);
  g_return_val_if_fail (grouping <= HEARTH_METRICS_BY_CLIENT, NULL);

  by_key = _hearth_metrics_accumulators_new ();

  /* Whole past days come from the day cache; the part of a day at the
   * start of the window and today are read row by row. */
  rc = _hearth_metrics_oldest_request_ms (store, &oldest_ms);
  if (rc != SQLITE_OK)
    {
      hearth_store_set_error (store, rc, error);
      return NULL;
    }
  first_day = MAX ((since_ms + DAY_MS - 1) / DAY_MS, oldest_ms / DAY_MS);
  /* The day cache does not know the client: by client, every row is read. */
  if (grouping == HEARTH_METRICS_BY_CLIENT || oldest_ms < 0 || first_day >= today ||
      !_hearth_metrics_cache_days (store, first_day, today))
    rc = _hearth_metrics_accumulate_rows (store, since_ms, G_MAXINT64, model, grouping, by_key);
  else if ((rc = _hearth_metrics_accumulate_rows (store, since_ms, first_day * DAY_MS, model,
                                                  grouping, by_key)) == SQLITE_DONE
           && (rc = _hearth_metrics_accumulate_cached (store, first_day, today, model, grouping,
                                                       by_key)) == SQLITE_DONE)
    rc = _hearth_metrics_accumulate_rows (store, today * DAY_MS, G_MAXINT64, model, grouping,
                                          by_key);
  if (rc != SQLITE_DONE)
    {
      hearth_store_set_error (store, rc, error);
      return NULL;
    }
  return finish_groups (by_key);
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
  return hearth_metrics_aggregate_by (store, since_ms, model,
                                      HEARTH_METRICS_BY_MODEL_AND_ENDPOINT, error);
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
               _("“%s” is not a time window. Give a number and a unit, for example 90s, 5m, "
                 "1h, 24h or 7d"), text != NULL ? text : "");
  return -1;
}

void
hearth_metrics_group_free (HearthMetricsGroup *group)
{
  if (group == NULL)
    return;
  g_free (group->model);
  g_free (group->endpoint);
  g_free (group->server);
  g_free (group->client);
  g_free (group);
}

/**
 * hearth_metrics_name_servers:
 * @groups: (element-type HearthMetricsGroup)
 * @servers: (nullable): endpoint → the name of its server in the user's list
 *
 * One server is one endpoint: a group of an endpoint is that server's, and
 * is shown by its name (a removed server's requests keep their address).
 */
void
hearth_metrics_name_servers (GPtrArray  *groups,
                             GHashTable *servers)
{
  for (guint i = 0; servers != NULL && i < groups->len; i++)
    {
      HearthMetricsGroup *group = g_ptr_array_index (groups, i);

      g_free (group->server);
      group->server = group->endpoint != NULL
                      ? g_strdup (g_hash_table_lookup (servers, group->endpoint)) : NULL;
    }
}
