/* hearth-metrics-days.c — reading the requests: row by row, and past days from the day cache
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-metrics"

#include "hearth-metrics-private.h"

/* The packed figures of whole past days (see migration 2 in hearth-store-schema.c):
 * the same first two columns as REQUEST_FIGURES_SQL. */
#define CACHED_DAYS_SQL \
  "SELECT model, endpoint, count, successes, failures, ttft, total, speed, prompt_speed," \
  " load, cache_hits FROM request_figures_days WHERE day >= ?1 AND day < ?2" \
  " AND (?3 IS NULL OR model = ?3)"

enum
{
  CACHED_MODEL,
  CACHED_ENDPOINT,
  CACHED_COUNT,
  CACHED_SUCCESSES,
  CACHED_FAILURES,
  CACHED_FIRST_FIGURES,   /* ttft, total, speed, prompt_speed, load */
  CACHED_CACHE_HITS = CACHED_FIRST_FIGURES + 5,
};

/* Statements are prepared per call: preparing costs microseconds, and a
 * cached statement would have to be finalized before the store closes its
 * connection. */

/* Steps @stmt to the end, adding each row to its group. */
static int
accumulate (sqlite3_stmt          *stmt,
            HearthMetricsGrouping  grouping,
            GHashTable            *by_key)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Accumulator *acc = _hearth_metrics_lookup_accumulator (by_key, stmt, grouping, 0);

      _hearth_metrics_accumulator_add (acc, stmt);
    }
  return rc;
}

/* Adds every reply made in [from_ms, to_ms) to its group. */
int
_hearth_metrics_accumulate_rows (HearthStore            *store,
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
int
_hearth_metrics_oldest_request_ms (HearthStore *store,
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
      acc = _hearth_metrics_lookup_accumulator (by_key, stmt, grouping, 0);
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
int
_hearth_metrics_accumulate_cached (HearthStore            *store,
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
      Accumulator *acc = _hearth_metrics_lookup_accumulator (by_key, stmt, grouping, 0);

      acc->group->count += sqlite3_column_int (stmt, CACHED_COUNT);
      acc->group->successes += sqlite3_column_int (stmt, CACHED_SUCCESSES);
      acc->group->failures += sqlite3_column_int (stmt, CACHED_FAILURES);
      acc->group->cache_hits += sqlite3_column_int (stmt, CACHED_CACHE_HITS);
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
  g_autoptr(GHashTable) by_key = _hearth_metrics_accumulators_new ();
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
    {
      acc = _hearth_metrics_lookup_accumulator (by_key, stmt,
                                                HEARTH_METRICS_BY_MODEL_AND_ENDPOINT,
                                                sqlite3_column_int64 (stmt, COLUMN_DAY));
      _hearth_metrics_accumulator_add (acc, stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return rc;

  rc = sqlite3_prepare_v2 (db, "INSERT INTO request_figures_days (day, model, endpoint, count,"
                           " successes, failures, ttft, total, speed, prompt_speed, load,"
                           " cache_hits) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &stmt, NULL);
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
      sqlite3_bind_int (stmt, 12, acc->group->cache_hits);
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
gboolean
_hearth_metrics_cache_days (HearthStore *store,
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

