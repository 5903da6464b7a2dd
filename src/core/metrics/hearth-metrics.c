/* hearth-metrics.c — request figures per model and endpoint over a window,
 * and their CSV and JSON export
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-metrics"

#include <math.h>
#include <string.h>

#include "hearth-error.h"
#include "hearth-json.h"
#include "hearth-metrics.h"
#include "hearth-store-private.h"

/* Only the columns the figures need, none of the message text; the time
 * range walks messages_requests_by_time (EXPLAIN QUERY PLAN: SEARCH messages
 * USING INDEX messages_requests_by_time (created_ms>?)). Unknown figures
 * are NULL in the table and -1 here, as everywhere else. */
#define REQUEST_FIGURES_SQL \
  "SELECT model, endpoint, state = 'complete', state = 'failed', coalesce (ttft_ms, -1)," \
  " coalesce (total_ms, -1), coalesce (tokens_per_s, -1)," \
  " coalesce (prompt_tokens_per_s, -1), coalesce (load_ms, -1), created_ms / 86400000" \
  " FROM messages WHERE role = 'assistant' AND created_ms >= ?1 AND created_ms < ?3" \
  " AND (?2 IS NULL OR model = ?2)"

#define DAY_MS G_GINT64_CONSTANT (86400000)

/* The packed figures of whole past days (see migration 2 in hearth-store.c):
 * the same first two columns as REQUEST_FIGURES_SQL. */
#define CACHED_DAYS_SQL \
  "SELECT model, endpoint, count, successes, failures, ttft, total, speed, prompt_speed," \
  " load FROM request_figures_days WHERE day >= ?1 AND day < ?2" \
  " AND (?3 IS NULL OR model = ?3)"

enum
{
  COLUMN_MODEL,
  COLUMN_ENDPOINT,
  COLUMN_COMPLETE,
  COLUMN_FAILED,
  COLUMN_TTFT,
  COLUMN_TOTAL,
  COLUMN_SPEED,
  COLUMN_PROMPT_SPEED,
  COLUMN_LOAD,
  COLUMN_DAY,
};

enum
{
  CACHED_MODEL,
  CACHED_ENDPOINT,
  CACHED_COUNT,
  CACHED_SUCCESSES,
  CACHED_FAILURES,
  CACHED_FIRST_FIGURES,   /* ttft, total, speed, prompt_speed, load */
};

/* What a group is told apart by; NULL where the grouping ignores it. */
typedef struct
{
  char   *model;
  char   *endpoint;
  gint64  day;        /* only while filling the day cache; 0 otherwise */
} GroupKey;

typedef struct
{
  GroupKey            key;
  HearthMetricsGroup *group;
  GArray             *ttft;
  GArray             *total;
  GArray             *speed;
  GArray             *prompt_speed;
  GArray             *load;
  gsize               reserve[5];   /* values about to come, per array */
} Accumulator;

static GArray *
doubles_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (double));
}

static Accumulator *
accumulator_new (const char *model,
                 const char *endpoint,
                 gint64      day)
{
  Accumulator *acc = g_new0 (Accumulator, 1);

  acc->key.model = g_strdup (model);
  acc->key.endpoint = g_strdup (endpoint);
  acc->key.day = day;
  acc->group = g_new0 (HearthMetricsGroup, 1);
  acc->group->model = g_strdup (model);
  acc->group->endpoint = g_strdup (endpoint);
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

static void
accumulator_add (Accumulator  *acc,
                 sqlite3_stmt *stmt)
{
  double speed = sqlite3_column_double (stmt, COLUMN_SPEED);
  double prompt_speed = sqlite3_column_double (stmt, COLUMN_PROMPT_SPEED);
  double ttft = sqlite3_column_double (stmt, COLUMN_TTFT);
  double total = sqlite3_column_double (stmt, COLUMN_TOTAL);
  double load = sqlite3_column_double (stmt, COLUMN_LOAD);

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

  return by_model != 0 ? by_model : g_strcmp0 (x->endpoint, y->endpoint);
}

static guint
group_key_hash (gconstpointer data)
{
  const GroupKey *key = data;

  return ((key->model != NULL ? g_str_hash (key->model) : 0) * 31 +
          (key->endpoint != NULL ? g_str_hash (key->endpoint) : 0)) * 31 + (guint) key->day;
}

static gboolean
group_key_equal (gconstpointer a,
                 gconstpointer b)
{
  const GroupKey *x = a, *y = b;

  return x->day == y->day && g_strcmp0 (x->model, y->model) == 0 &&
         g_strcmp0 (x->endpoint, y->endpoint) == 0;
}

/* The accumulator for the current row, made on its first row. The key
 * points into the row, so a row that joins a known group copies nothing. */
static Accumulator *
lookup_accumulator (GHashTable            *by_key,
                    sqlite3_stmt          *stmt,
                    HearthMetricsGrouping  grouping,
                    gint64                 day)
{
  GroupKey key = { NULL, NULL, day };
  Accumulator *acc;

  if (grouping != HEARTH_METRICS_BY_ENDPOINT)
    key.model = (char *) sqlite3_column_text (stmt, COLUMN_MODEL);
  if (grouping != HEARTH_METRICS_BY_MODEL)
    key.endpoint = (char *) sqlite3_column_text (stmt, COLUMN_ENDPOINT);
  acc = g_hash_table_lookup (by_key, &key);
  if (acc == NULL)
    {
      acc = accumulator_new (key.model, key.endpoint, day);
      g_hash_table_insert (by_key, &acc->key, acc);
    }
  return acc;
}

/* Steps @stmt to the end, adding each row to its group. */
static int
accumulate (sqlite3_stmt          *stmt,
            HearthMetricsGrouping  grouping,
            GHashTable            *by_key)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    accumulator_add (lookup_accumulator (by_key, stmt, grouping, 0), stmt);
  return rc;
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

/* Reading rows and cached days */

/* Statements are prepared per call: preparing costs microseconds, and a
 * cached statement would have to be finalized before the store closes its
 * connection. */

/* Adds every reply made in [from_ms, to_ms) to its group. */
static int
accumulate_rows (HearthStore            *store,
                 gint64                  from_ms,
                 gint64                  to_ms,
                 const char             *model,
                 HearthMetricsGrouping   grouping,
                 GHashTable             *by_key)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (hearth_store_get_db (store), REQUEST_FIGURES_SQL, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    return rc;
  sqlite3_bind_int64 (stmt, 1, from_ms);
  sqlite3_bind_text (stmt, 2, model, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, to_ms);
  rc = accumulate (stmt, grouping, by_key);
  sqlite3_finalize (stmt);
  return rc;
}

/* The oldest reply's time, or -1 when there is none. */
static int
oldest_request_ms (HearthStore *store,
                   gint64      *oldest_ms)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (hearth_store_get_db (store),
                               "SELECT min (created_ms) FROM messages WHERE role = 'assistant'",
                               -1, &stmt, NULL);

  *oldest_ms = -1;
  if (rc != SQLITE_OK)
    return rc;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    *oldest_ms = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static void
append_blob (GArray       *values,
             sqlite3_stmt *stmt,
             int           column)
{
  const void *blob = sqlite3_column_blob (stmt, column);
  int bytes = sqlite3_column_bytes (stmt, column);

  if (blob != NULL && bytes > 0)
    g_array_append_vals (values, blob, bytes / sizeof (double));
}

/* Makes room for what the cached days will add: the arrays grow once, not
 * by doubling through tens of megabytes. length () of a blob is read from
 * the record header, without the blob. */
#define CACHED_SIZES_SQL \
  "SELECT model, endpoint, length (ttft), length (total), length (speed)," \
  " length (prompt_speed), length (load) FROM request_figures_days" \
  " WHERE day >= ?1 AND day < ?2 AND (?3 IS NULL OR model = ?3)"

static void
reserve (GArray *values,
         gsize   more)
{
  guint len = values->len;

  g_array_set_size (values, len + more);
  g_array_set_size (values, len);
}

static int
reserve_cached (HearthStore            *store,
                gint64                  first_day,
                gint64                  end_day,
                const char             *model,
                HearthMetricsGrouping   grouping,
                GHashTable             *by_key)
{
  sqlite3_stmt *stmt = NULL;
  GHashTableIter iter;
  Accumulator *acc;
  int rc = sqlite3_prepare_v2 (hearth_store_get_db (store), CACHED_SIZES_SQL, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    return rc;
  sqlite3_bind_int64 (stmt, 1, first_day);
  sqlite3_bind_int64 (stmt, 2, end_day);
  sqlite3_bind_text (stmt, 3, model, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      acc = lookup_accumulator (by_key, stmt, grouping, 0);
      for (guint i = 0; i < G_N_ELEMENTS (acc->reserve); i++)
        acc->reserve[i] += sqlite3_column_int64 (stmt, 2 + i) / sizeof (double);
    }
  sqlite3_finalize (stmt);
  g_hash_table_iter_init (&iter, by_key);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &acc))
    {
      GArray *arrays[] = { acc->ttft, acc->total, acc->speed, acc->prompt_speed, acc->load };

      for (guint i = 0; i < G_N_ELEMENTS (arrays); i++)
        {
          reserve (arrays[i], acc->reserve[i]);
          acc->reserve[i] = 0;
        }
    }
  return rc;
}

/* Adds the cached days [first_day, end_day) to their groups. */
static int
accumulate_cached (HearthStore            *store,
                   gint64                  first_day,
                   gint64                  end_day,
                   const char             *model,
                   HearthMetricsGrouping   grouping,
                   GHashTable             *by_key)
{
  sqlite3_stmt *stmt = NULL;
  int rc = reserve_cached (store, first_day, end_day, model, grouping, by_key);

  if (rc != SQLITE_DONE)
    return rc;
  rc = sqlite3_prepare_v2 (hearth_store_get_db (store), CACHED_DAYS_SQL, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rc;
  sqlite3_bind_int64 (stmt, 1, first_day);
  sqlite3_bind_int64 (stmt, 2, end_day);
  sqlite3_bind_text (stmt, 3, model, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Accumulator *acc = lookup_accumulator (by_key, stmt, grouping, 0);

      acc->group->count += sqlite3_column_int (stmt, CACHED_COUNT);
      acc->group->successes += sqlite3_column_int (stmt, CACHED_SUCCESSES);
      acc->group->failures += sqlite3_column_int (stmt, CACHED_FAILURES);
      append_blob (acc->ttft, stmt, CACHED_FIRST_FIGURES);
      append_blob (acc->total, stmt, CACHED_FIRST_FIGURES + 1);
      append_blob (acc->speed, stmt, CACHED_FIRST_FIGURES + 2);
      append_blob (acc->prompt_speed, stmt, CACHED_FIRST_FIGURES + 3);
      append_blob (acc->load, stmt, CACHED_FIRST_FIGURES + 4);
    }
  sqlite3_finalize (stmt);
  return rc;
}

static void
bind_blob (sqlite3_stmt *stmt,
           int           index,
           GArray       *values)
{
  if (values->len > 0)
    sqlite3_bind_blob (stmt, index, values->data, values->len * sizeof (double), SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, index);
}

/* Packs the replies of the days [first_day, end_day) per day, model and
 * endpoint, and marks those days done. */
static int
fill_days (HearthStore *store,
           gint64       first_day,
           gint64       end_day)
{
  sqlite3 *db = hearth_store_get_db (store);
  g_autoptr(GHashTable) by_key = g_hash_table_new_full (group_key_hash, group_key_equal, NULL,
                                                        (GDestroyNotify) accumulator_free);
  sqlite3_stmt *stmt = NULL;
  GHashTableIter iter;
  Accumulator *acc;
  int rc = sqlite3_prepare_v2 (db, REQUEST_FIGURES_SQL, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    return rc;
  sqlite3_bind_int64 (stmt, 1, first_day * DAY_MS);
  sqlite3_bind_null (stmt, 2);
  sqlite3_bind_int64 (stmt, 3, end_day * DAY_MS);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    accumulator_add (lookup_accumulator (by_key, stmt, HEARTH_METRICS_BY_MODEL_AND_ENDPOINT,
                                         sqlite3_column_int64 (stmt, COLUMN_DAY)),
                     stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return rc;

  rc = sqlite3_prepare_v2 (db, "INSERT INTO request_figures_days (day, model, endpoint, count,"
                           " successes, failures, ttft, total, speed, prompt_speed, load)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rc;
  g_hash_table_iter_init (&iter, by_key);
  while (rc == SQLITE_OK && g_hash_table_iter_next (&iter, NULL, (gpointer *) &acc))
    {
      sqlite3_bind_int64 (stmt, 1, acc->key.day);
      sqlite3_bind_text (stmt, 2, acc->key.model, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, acc->key.endpoint, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 4, acc->group->count);
      sqlite3_bind_int (stmt, 5, acc->group->successes);
      sqlite3_bind_int (stmt, 6, acc->group->failures);
      bind_blob (stmt, 7, acc->ttft);
      bind_blob (stmt, 8, acc->total);
      bind_blob (stmt, 9, acc->speed);
      bind_blob (stmt, 10, acc->prompt_speed);
      bind_blob (stmt, 11, acc->load);
      rc = sqlite3_step (stmt) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode (db);
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_OK)
    return rc;

  rc = sqlite3_prepare_v2 (db, "INSERT OR IGNORE INTO request_figures_days_done (day) VALUES (?)",
                           -1, &stmt, NULL);
  for (gint64 day = first_day; rc == SQLITE_OK && day < end_day; day++)
    {
      sqlite3_bind_int64 (stmt, 1, day);
      rc = sqlite3_step (stmt) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode (db);
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  return rc;
}

/* Makes sure the days [first_day, end_day) are in the day cache. FALSE
 * when they cannot be (a read-only database, a transaction already open,
 * another writer holding on): the caller reads the rows instead. */
static gboolean
cache_days (HearthStore *store,
            gint64       first_day,
            gint64       end_day)
{
  sqlite3 *db = hearth_store_get_db (store);
  g_autoptr(GArray) done = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 expected = first_day;
  int rc;

  if (sqlite3_db_readonly (db, "main") == 1 || !sqlite3_get_autocommit (db))
    return FALSE;
  /* All there already: no write lock needed. */
  if (sqlite3_prepare_v2 (db, "SELECT count (*) FROM request_figures_days_done"
                          " WHERE day >= ? AND day < ?", -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, first_day);
  sqlite3_bind_int64 (stmt, 2, end_day);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_int64 (stmt, 0) == end_day - first_day)
    {
      sqlite3_finalize (stmt);
      return TRUE;
    }
  sqlite3_finalize (stmt);

  if (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    return FALSE;
  /* The days done, read to the end before anything is written; then each
   * run of days between them is filled in one pass over its rows. */
  done = g_array_new (FALSE, FALSE, sizeof (gint64));
  rc = sqlite3_prepare_v2 (db, "SELECT day FROM request_figures_days_done"
                           " WHERE day >= ? AND day < ? ORDER BY day", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, first_day);
      sqlite3_bind_int64 (stmt, 2, end_day);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 day = sqlite3_column_int64 (stmt, 0);

          g_array_append_val (done, day);
        }
      sqlite3_finalize (stmt);
    }
  g_array_append_val (done, end_day);
  for (guint i = 0; rc == SQLITE_DONE && i < done->len; i++)
    {
      gint64 done_day = g_array_index (done, gint64, i);

      if (done_day > expected && fill_days (store, expected, done_day) != SQLITE_OK)
        rc = SQLITE_ERROR;
      expected = done_day + 1;
    }
  if (rc != SQLITE_DONE || sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return TRUE;
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
  g_return_val_if_fail (grouping <= HEARTH_METRICS_BY_ENDPOINT, NULL);

  by_key = g_hash_table_new_full (group_key_hash, group_key_equal, NULL,
                                  (GDestroyNotify) accumulator_free);

  /* Whole past days come from the day cache; the part of a day at the
   * start of the window and today are read row by row. */
  rc = oldest_request_ms (store, &oldest_ms);
  if (rc != SQLITE_OK)
    {
      hearth_store_set_error (store, rc, error);
      return NULL;
    }
  first_day = MAX ((since_ms + DAY_MS - 1) / DAY_MS, oldest_ms / DAY_MS);
  if (oldest_ms < 0 || first_day >= today || !cache_days (store, first_day, today))
    rc = accumulate_rows (store, since_ms, G_MAXINT64, model, grouping, by_key);
  else if ((rc = accumulate_rows (store, since_ms, first_day * DAY_MS, model, grouping,
                                  by_key)) == SQLITE_DONE
           && (rc = accumulate_cached (store, first_day, today, model, grouping,
                                       by_key)) == SQLITE_DONE)
    rc = accumulate_rows (store, today * DAY_MS, G_MAXINT64, model, grouping, by_key);
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

/* Export */

/* An array of flat objects, written as hearth-cli writes all its JSON. */
static char *
format_json (JsonNode *root,
             gboolean  pretty)
{
  g_autofree char *text = hearth_json_to_string (root, pretty);

  return g_strconcat (text, "\n", NULL);
}

static char *
export_json (GPtrArray         *items,
             HearthJsonAddFunc  add_item,
             gboolean           pretty)
{
  g_autoptr(JsonNode) root = hearth_json_array_of_objects (items, add_item);

  return format_json (root, pretty);
}

/* One CSV record (RFC 4180): fields with a comma, quote or line break are
 * quoted, quotes inside doubled; NULL is an empty field. */
static void
append_csv_record (GString            *out,
                   const char * const *fields,
                   guint               n_fields)
{
  for (guint i = 0; i < n_fields; i++)
    {
      const char *field = fields[i] != NULL ? fields[i] : "";

      if (i > 0)
        g_string_append_c (out, ',');
      if (strpbrk (field, ",\"\r\n") == NULL)
        {
          g_string_append (out, field);
          continue;
        }
      g_string_append_c (out, '"');
      for (const char *p = field; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  g_string_append (out, "\r\n");
}

typedef void (*AppendCsvFunc) (GString  *out,
                               gpointer  item);

/* What one kind of item looks like in each format. */
typedef struct
{
  const char * const *header;
  guint               n_columns;
  AppendCsvFunc       append_csv;
  HearthJsonAddFunc   add_json;
} ExportShape;

static char *
export_items (GPtrArray           *items,
              HearthMetricsFormat  format,
              const ExportShape   *shape)
{
  GString *out;

  if (format != HEARTH_METRICS_FORMAT_CSV)
    return export_json (items, shape->add_json, format == HEARTH_METRICS_FORMAT_JSON_PRETTY);
  out = g_string_new (NULL);
  append_csv_record (out, shape->header, shape->n_columns);
  for (guint i = 0; i < items->len; i++)
    shape->append_csv (out, g_ptr_array_index (items, i));
  return g_string_free (out, FALSE);
}

/* An unknown figure is an empty field. */
static char *
csv_figure (double value)
{
  g_autoptr(GString) out = g_string_new (NULL);

  if (value >= 0)
    hearth_json_append_figure (out, value);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
csv_count (gint64 value)
{
  return value < 0 ? g_strdup ("") : g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

static const char *
figures_source (const HearthMessage *m)
{
  return m->figures.from_server ? "server" : "client";
}

/* "ok", the kind of failure ("timeout", "model-not-found"…), or what
 * became of a reply that did not end on its own ("cancelled", "partial"). */
static const char *
outcome (const HearthMessage *m)
{
  switch (m->state)
    {
    case HEARTH_MESSAGE_COMPLETE:
      return "ok";
    case HEARTH_MESSAGE_FAILED:
      /* replies stored before failures were classed say only that */
      return m->error_class != NULL ? m->error_class : "failed";
    case HEARTH_MESSAGE_CANCELLED:
    case HEARTH_MESSAGE_PARTIAL:
    default:
      return hearth_message_state_to_string (m->state);
    }
}

static void
add_row_json (JsonBuilder   *builder,
              HearthMessage *m)
{
  hearth_json_add_int (builder, "created_ms", m->created_ms);
  hearth_json_add_string (builder, "model", m->model);
  hearth_json_add_string (builder, "endpoint", m->endpoint);
  hearth_json_add_string (builder, "api", m->api);
  hearth_json_add_string (builder, "state", hearth_message_state_to_string (m->state));
  hearth_json_add_string (builder, "outcome", outcome (m));
  hearth_json_add_string (builder, "error", m->error);
  hearth_json_add_double (builder, "ttft_ms", m->figures.ttft_ms);
  hearth_json_add_double (builder, "total_ms", m->figures.total_ms);
  hearth_json_add_double (builder, "load_ms", m->figures.load_ms);
  hearth_json_add_int (builder, "tokens_in", m->figures.tokens_in);
  hearth_json_add_int (builder, "tokens_out", m->figures.tokens_out);
  hearth_json_add_double (builder, "prompt_tokens_per_s", m->figures.prompt_tokens_per_s);
  hearth_json_add_double (builder, "tokens_per_s", m->figures.tokens_per_s);
  hearth_json_add_string (builder, "figures_from", figures_source (m));
}

static void
append_row_csv (GString       *out,
                HearthMessage *m)
{
  g_autofree char *created = csv_count (m->created_ms);
  g_autofree char *ttft = csv_figure (m->figures.ttft_ms);
  g_autofree char *total = csv_figure (m->figures.total_ms);
  g_autofree char *tokens_in = csv_count (m->figures.tokens_in);
  g_autofree char *tokens_out = csv_count (m->figures.tokens_out);
  g_autofree char *speed = csv_figure (m->figures.tokens_per_s);
  const char *fields[] = {
    created, m->model, m->endpoint, m->api, hearth_message_state_to_string (m->state),
    outcome (m), ttft,
    total, tokens_in, tokens_out, speed, figures_source (m), m->error,
  };

  append_csv_record (out, fields, G_N_ELEMENTS (fields));
}

static const char * const row_columns[] = {
  "created_ms", "model", "endpoint", "api", "state", "outcome", "ttft_ms", "total_ms", "tokens_in",
  "tokens_out", "tokens_per_s", "figures_from", "error",
};

/**
 * hearth_metrics_export_rows:
 * @since_ms: only requests made at or after this unix time in milliseconds
 * @model: (nullable): only requests to this model
 *
 * The stored requests, oldest first, as `hearth-cli metrics --csv` and
 * `--json` print them; unknown values are empty in CSV and null in JSON.
 *
 * Returns: (transfer full): the text, ending with a line break; %NULL with
 *   @error set when the store cannot be read
 */
char *
hearth_metrics_export_rows (HearthStore          *store,
                            gint64                since_ms,
                            const char           *model,
                            HearthMetricsFormat   format,
                            GError              **error)
{
  g_autoptr(GPtrArray) rows = NULL;

  g_return_val_if_fail (HEARTH_IS_STORE (store), NULL);
  g_return_val_if_fail (format <= HEARTH_METRICS_FORMAT_JSON_PRETTY, NULL);

  rows = hearth_store_list_request_rows (store, since_ms, model, error);
  if (rows == NULL)
    return NULL;
  return export_items (rows, format, &(ExportShape) {
                         row_columns, G_N_ELEMENTS (row_columns),
                         (AppendCsvFunc) append_row_csv, (HearthJsonAddFunc) add_row_json,
                       });
}

/* The figures of a group, by name, in the order both formats give them. */
static const struct
{
  const char *name;
  gsize       offset;
} group_figures[] = {
  { "success_rate", G_STRUCT_OFFSET (HearthMetricsGroup, success_rate) },
  { "ttft_p50_ms", G_STRUCT_OFFSET (HearthMetricsGroup, ttft_p50_ms) },
  { "ttft_p95_ms", G_STRUCT_OFFSET (HearthMetricsGroup, ttft_p95_ms) },
  { "ttft_p99_ms", G_STRUCT_OFFSET (HearthMetricsGroup, ttft_p99_ms) },
  { "total_p50_ms", G_STRUCT_OFFSET (HearthMetricsGroup, total_p50_ms) },
  { "total_p95_ms", G_STRUCT_OFFSET (HearthMetricsGroup, total_p95_ms) },
  { "total_p99_ms", G_STRUCT_OFFSET (HearthMetricsGroup, total_p99_ms) },
  { "median_tokens_per_s", G_STRUCT_OFFSET (HearthMetricsGroup, median_tokens_per_s) },
  { "median_prompt_tokens_per_s",
    G_STRUCT_OFFSET (HearthMetricsGroup, median_prompt_tokens_per_s) },
  { "median_load_ms", G_STRUCT_OFFSET (HearthMetricsGroup, median_load_ms) },
};

#define GROUP_FIGURE(group, i) G_STRUCT_MEMBER (double, group, group_figures[i].offset)

static void
add_group_json (JsonBuilder        *builder,
                HearthMetricsGroup *group)
{
  hearth_json_add_string (builder, "model", group->model);
  hearth_json_add_string (builder, "endpoint", group->endpoint);
  hearth_json_add_int (builder, "count", group->count);
  hearth_json_add_int (builder, "successes", group->successes);
  for (guint i = 0; i < G_N_ELEMENTS (group_figures); i++)
    hearth_json_add_double (builder, group_figures[i].name, GROUP_FIGURE (group, i));
}

static void
append_group_csv (GString            *out,
                  HearthMetricsGroup *group)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (fields, g_strdup (group->model));
  g_ptr_array_add (fields, g_strdup (group->endpoint));
  g_ptr_array_add (fields, csv_count (group->count));
  g_ptr_array_add (fields, csv_count (group->successes));
  for (guint i = 0; i < G_N_ELEMENTS (group_figures); i++)
    g_ptr_array_add (fields, csv_figure (GROUP_FIGURE (group, i)));
  append_csv_record (out, (const char * const *) fields->pdata, fields->len);
}

/**
 * hearth_metrics_export_groups:
 * @since_ms: only requests made at or after this unix time in milliseconds
 * @model: (nullable): only requests to this model
 *
 * The figures of hearth_metrics_aggregate_by() as `hearth-cli metrics
 * --summary` prints them; unknown values are empty in CSV and null in JSON.
 *
 * Returns: (transfer full): the text, ending with a line break; %NULL with
 *   @error set when the store cannot be read
 */
char *
hearth_metrics_export_groups (HearthStore            *store,
                              gint64                  since_ms,
                              const char             *model,
                              HearthMetricsGrouping   grouping,
                              HearthMetricsFormat     format,
                              GError                **error)
{
  const char *columns[4 + G_N_ELEMENTS (group_figures)] = {
    "model", "endpoint", "count", "successes",
  };
  g_autoptr(GPtrArray) groups = NULL;

  g_return_val_if_fail (HEARTH_IS_STORE (store), NULL);
  g_return_val_if_fail (format <= HEARTH_METRICS_FORMAT_JSON_PRETTY, NULL);

  groups = hearth_metrics_aggregate_by (store, since_ms, model, grouping, error);
  if (groups == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (group_figures); i++)
    columns[4 + i] = group_figures[i].name;
  return export_items (groups, format, &(ExportShape) {
                         columns, G_N_ELEMENTS (columns),
                         (AppendCsvFunc) append_group_csv, (HearthJsonAddFunc) add_group_json,
                       });
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
