/* hearth-bench-store.c — benchmark results in the history database
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-bench"

#include "config.h"

#include <math.h>

#include "hearth-bench.h"
#include "hearth-sqlite.h"
#include "hearth-store-private.h"

#define RESULT_COLUMNS \
  "b.id, b.created_ms, b.model, b.digest, b.endpoint, b.api, b.options, b.hardware, b.runs," \
  " b.state, b.error, b.load_ms, b.ttft_p50_ms, b.ttft_p95_ms, b.prompt_tps_median," \
  " b.prompt_tps_min, b.prompt_tps_max, b.decode_tps_median, b.decode_tps_min," \
  " b.decode_tps_max, b.peak_cpu_percent, b.peak_mem_used, b.peak_vram_used, b.previous_id," \
  " b.change_percent, b.regression, p.created_ms, b.already_loaded, b.figures_from," \
  " p.decode_tps_median, p.decode_tps_min, p.decode_tps_max, b.server"

/* Only a complete run of the same model, options and machine compares, on
 * the same server: by name when both runs have one (a server keeps its name
 * when its address changes), else by address (runs from before the list,
 * and one-off addresses, which never compare with a cloud server's). */
static const char previous_sql[] =
  "SELECT id, created_ms, decode_tps_median, decode_tps_min, decode_tps_max FROM bench_runs"
  " WHERE state = 'complete' AND model = :model AND digest IS :digest"
  "  AND options = :options AND hardware = :hardware AND decode_tps_median > 0"
  "  AND (CASE WHEN :server IS NOT NULL AND server IS NOT NULL THEN server = :server"
  "        ELSE endpoint = :endpoint END)"
  " ORDER BY created_ms DESC, id DESC LIMIT 1";

static const char insert_sql[] =
  "INSERT INTO bench_runs (created_ms, model, digest, endpoint, api, options, hardware, runs,"
  " state, error, load_ms, ttft_p50_ms, ttft_p95_ms, prompt_tps_median, prompt_tps_min,"
  " prompt_tps_max, decode_tps_median, decode_tps_min, decode_tps_max, peak_cpu_percent,"
  " peak_mem_used, peak_vram_used, previous_id, change_percent, regression, already_loaded,"
  " figures_from, server)"
  " VALUES (:created_ms, :model, :digest, :endpoint, :api, :options, :hardware, :runs,"
  " :state, :error, :load_ms, :ttft_p50_ms, :ttft_p95_ms, :prompt_tps_median, :prompt_tps_min,"
  " :prompt_tps_max, :decode_tps_median, :decode_tps_min, :decode_tps_max, :peak_cpu_percent,"
  " :peak_mem_used, :peak_vram_used, :previous_id, :change_percent, :regression,"
  " :already_loaded, :figures_from, :server)";

static const char list_sql[] =
  "SELECT " RESULT_COLUMNS " FROM bench_runs AS b"
  " LEFT JOIN bench_runs AS p ON p.id = b.previous_id"
  " WHERE :model IS NULL OR b.model = :model"
  " ORDER BY b.created_ms DESC, b.id DESC LIMIT :limit";

static gboolean
find_previous (HearthStore        *store,
               HearthBenchResult  *result,
               GError            **error)
{
  sqlite3_stmt *stmt = hearth_store_prepare (store, previous_sql, error);
  double previous_tps;
  int rc;

  if (stmt == NULL)
    return FALSE;
  hearth_sqlite_bind_text (stmt, ":model", result->model);
  hearth_sqlite_bind_text (stmt, ":digest", result->digest);
  hearth_sqlite_bind_text (stmt, ":options", result->options);
  hearth_sqlite_bind_text (stmt, ":hardware", result->hardware);
  hearth_sqlite_bind_text (stmt, ":server", result->server);
  hearth_sqlite_bind_text (stmt, ":endpoint", result->endpoint);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      result->previous_id = sqlite3_column_int64 (stmt, 0);
      result->previous_created_ms = sqlite3_column_int64 (stmt, 1);
      previous_tps = sqlite3_column_double (stmt, 2);
      if (result->decode_tps_median > 0)
        result->change_percent = 100 * (result->decode_tps_median - previous_tps) / previous_tps;
      result->regression_threshold_percent =
        hearth_bench_regression_threshold (result, previous_tps,
                                           hearth_sqlite_column_measure (stmt, 3),
                                           hearth_sqlite_column_measure (stmt, 4));
      result->regression = result->change_percent < -result->regression_threshold_percent;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      hearth_store_set_error (store, rc, error);
      return FALSE;
    }
  return TRUE;
}

static void
bind_result (sqlite3_stmt            *stmt,
             const HearthBenchResult *r)
{
  hearth_sqlite_bind_int64 (stmt, ":created_ms", r->created_ms);
  hearth_sqlite_bind_text (stmt, ":model", r->model);
  hearth_sqlite_bind_text (stmt, ":digest", r->digest);
  hearth_sqlite_bind_text (stmt, ":endpoint", r->endpoint);
  hearth_sqlite_bind_text (stmt, ":api", r->api);
  hearth_sqlite_bind_text (stmt, ":options", r->options);
  hearth_sqlite_bind_text (stmt, ":hardware", r->hardware);
  hearth_sqlite_bind_int64 (stmt, ":runs", r->runs);
  hearth_sqlite_bind_text (stmt, ":state", hearth_bench_state_to_string (r->state));
  hearth_sqlite_bind_text (stmt, ":error", r->error);
  hearth_sqlite_bind_measure (stmt, ":load_ms", r->load_ms);
  hearth_sqlite_bind_measure (stmt, ":ttft_p50_ms", r->ttft_p50_ms);
  hearth_sqlite_bind_measure (stmt, ":ttft_p95_ms", r->ttft_p95_ms);
  hearth_sqlite_bind_measure (stmt, ":prompt_tps_median", r->prompt_tps_median);
  hearth_sqlite_bind_measure (stmt, ":prompt_tps_min", r->prompt_tps_min);
  hearth_sqlite_bind_measure (stmt, ":prompt_tps_max", r->prompt_tps_max);
  hearth_sqlite_bind_measure (stmt, ":decode_tps_median", r->decode_tps_median);
  hearth_sqlite_bind_measure (stmt, ":decode_tps_min", r->decode_tps_min);
  hearth_sqlite_bind_measure (stmt, ":decode_tps_max", r->decode_tps_max);
  hearth_sqlite_bind_measure (stmt, ":peak_cpu_percent", r->peak_cpu_percent);
  hearth_sqlite_bind_count (stmt, ":peak_mem_used", r->peak_mem_used);
  hearth_sqlite_bind_count (stmt, ":peak_vram_used", r->peak_vram_used);
  if (r->previous_id > 0)
    hearth_sqlite_bind_int64 (stmt, ":previous_id", r->previous_id);
  if (!isnan (r->change_percent))
    hearth_sqlite_bind_double (stmt, ":change_percent", r->change_percent);
  hearth_sqlite_bind_int64 (stmt, ":regression", r->regression);
  hearth_sqlite_bind_int64 (stmt, ":already_loaded", r->already_loaded);
  hearth_sqlite_bind_text (stmt, ":figures_from", r->figures_from);
  hearth_sqlite_bind_text (stmt, ":server", r->server);
}

/**
 * hearth_bench_result_save:
 *
 * Compares a complete @result with the previous complete run of the same
 * model, digest, options and hardware (change_percent, regression), stores
 * it and sets its id. Main thread only, like the store.
 */
gboolean
hearth_bench_result_save (HearthStore        *store,
                          HearthBenchResult  *result,
                          GError            **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (HEARTH_IS_STORE (store), FALSE);
  g_return_val_if_fail (result != NULL && result->model != NULL, FALSE);
  g_return_val_if_fail (result->id == 0, FALSE);

  result->previous_id = 0;
  result->previous_created_ms = -1;
  result->change_percent = NAN;
  result->regression = FALSE;
  if (result->state == HEARTH_BENCH_COMPLETE && !find_previous (store, result, error))
    return FALSE;

  if ((stmt = hearth_store_prepare (store, insert_sql, error)) == NULL)
    return FALSE;
  bind_result (stmt, result);
  rc = hearth_sqlite_step_done (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      hearth_store_set_error (store, rc, error);
      return FALSE;
    }
  result->id = sqlite3_last_insert_rowid (hearth_store_get_db (store));
  return TRUE;
}

static HearthBenchState
state_from_string (const char *text)
{
  if (g_strcmp0 (text, "complete") == 0)
    return HEARTH_BENCH_COMPLETE;
  if (g_strcmp0 (text, "cancelled") == 0)
    return HEARTH_BENCH_CANCELLED;
  return HEARTH_BENCH_FAILED;
}

static void
read_figures (sqlite3_stmt      *stmt,
              HearthBenchResult *r)
{
  r->load_ms = hearth_sqlite_column_measure (stmt, 11);
  r->ttft_p50_ms = hearth_sqlite_column_measure (stmt, 12);
  r->ttft_p95_ms = hearth_sqlite_column_measure (stmt, 13);
  r->prompt_tps_median = hearth_sqlite_column_measure (stmt, 14);
  r->prompt_tps_min = hearth_sqlite_column_measure (stmt, 15);
  r->prompt_tps_max = hearth_sqlite_column_measure (stmt, 16);
  r->decode_tps_median = hearth_sqlite_column_measure (stmt, 17);
  r->decode_tps_min = hearth_sqlite_column_measure (stmt, 18);
  r->decode_tps_max = hearth_sqlite_column_measure (stmt, 19);
  r->peak_cpu_percent = hearth_sqlite_column_measure (stmt, 20);
  r->peak_mem_used = hearth_sqlite_column_count (stmt, 21);
  r->peak_vram_used = hearth_sqlite_column_count (stmt, 22);
}

/* figures_from points at static strings, so a stored one maps back. */
static const char *
figures_from_string (const char *text)
{
  static const char * const known[] = { "server", "client", "mixed" };

  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (known); i++)
    if (g_str_equal (text, known[i]))
      return known[i];
  return NULL;
}

static HearthBenchResult *
result_from_row (sqlite3_stmt *stmt)
{
  HearthBenchResult *r = hearth_bench_result_new ();
  const char *state = (const char *) sqlite3_column_text (stmt, 9);

  r->id = sqlite3_column_int64 (stmt, 0);
  r->created_ms = sqlite3_column_int64 (stmt, 1);
  r->model = hearth_sqlite_column_text (stmt, 2);
  r->digest = hearth_sqlite_column_text (stmt, 3);
  r->endpoint = hearth_sqlite_column_text (stmt, 4);
  r->api = hearth_sqlite_column_text (stmt, 5);
  r->options = hearth_sqlite_column_text (stmt, 6);
  r->hardware = hearth_sqlite_column_text (stmt, 7);
  r->runs = sqlite3_column_int (stmt, 8);
  r->state = state_from_string (state);
  r->error = hearth_sqlite_column_text (stmt, 10);
  read_figures (stmt, r);
  r->previous_id = sqlite3_column_int64 (stmt, 23);
  if (sqlite3_column_type (stmt, 24) != SQLITE_NULL)
    r->change_percent = sqlite3_column_double (stmt, 24);
  r->regression = sqlite3_column_int (stmt, 25) != 0;
  r->previous_created_ms = hearth_sqlite_column_count (stmt, 26);
  r->already_loaded = sqlite3_column_int (stmt, 27) != 0;
  r->figures_from = figures_from_string ((const char *) sqlite3_column_text (stmt, 28));
  r->server = hearth_sqlite_column_text (stmt, 32);
  if (r->previous_id > 0 && sqlite3_column_type (stmt, 29) != SQLITE_NULL)
    r->regression_threshold_percent =
      hearth_bench_regression_threshold (r, sqlite3_column_double (stmt, 29),
                                         hearth_sqlite_column_measure (stmt, 30),
                                         hearth_sqlite_column_measure (stmt, 31));
  return r;
}

/**
 * hearth_bench_list_results:
 * @model: (nullable): only this model's runs
 * @limit: at most this many, 0 for all
 *
 * Returns: (transfer full) (element-type HearthBenchResult): the stored
 *   runs, newest first, or %NULL with @error set
 */
GPtrArray *
hearth_bench_list_results (HearthStore  *store,
                           const char   *model,
                           guint         limit,
                           GError      **error)
{
  g_autoptr(GPtrArray) results = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (HEARTH_IS_STORE (store), NULL);

  if ((stmt = hearth_store_prepare (store, list_sql, error)) == NULL)
    return NULL;
  hearth_sqlite_bind_text (stmt, ":model", model);
  hearth_sqlite_bind_int64 (stmt, ":limit", limit > 0 ? (gint64) limit : -1);
  results = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_bench_result_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (results, result_from_row (stmt));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      hearth_store_set_error (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&results);
}
