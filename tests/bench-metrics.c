/* bench-metrics.c — request aggregates over a million stored replies
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "hearth-metrics.h"
#include "hearth-bench-util.h"
#include "hearth-test-util.h"

#define N_ROWS           1000000
#define N_CONVERSATIONS  1000
#define N_REPEATS        25
#define N_BASELINE       5
#define DAY_MS           G_GINT64_CONSTANT (86400000)
#define SPAN_MS          (90 * DAY_MS)
#define TARGET_MS        50.0

static const char * const models[] = {
  "llama3.2:3b", "llama3.1:8b", "qwen2.5:7b", "qwen2.5-coder:14b", "mistral:7b",
  "gemma2:9b", "phi3.5:3.8b", "deepseek-r1:8b", "llava:7b", "smollm2:1.7b",
  "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", "granite3-dense:8b",
};

static const char * const endpoints[] = {
  "http://127.0.0.1:11434", "http://127.0.0.1:8080", "http://gpu-box.local:11434",
};

static const struct
{
  const char *name;
  gint64      ms;
} windows[] = {
  { "5min", 5 * 60 * 1000 },
  { "1h", 3600 * 1000 },
  { "24h", DAY_MS },
  { "7d", 7 * DAY_MS },
  { "90d", SPAN_MS },
};

static void
check (GError *error)
{
  if (error != NULL)
    {
      g_printerr ("bench-metrics: %s\n", error->message);
      exit (1);
    }
}

static void
bind_figure (sqlite3_stmt *stmt,
             int           column,
             double        value)
{
  if (value < 0)
    sqlite3_bind_null (stmt, column);
  else
    sqlite3_bind_double (stmt, column, value);
}

/* One reply: most complete, a few failed (no figures) or cancelled. */
static void
bind_row (sqlite3_stmt *stmt,
          GRand        *rand,
          gint64        created_ms)
{
  guint outcome = g_rand_int_range (rand, 0, 100);
  guint model = g_rand_int_range (rand, 0, G_N_ELEMENTS (models));
  gboolean failed = outcome < 2;
  double ttft = failed ? -1 : 40 + model * 15 + 300 * pow (g_rand_double (rand), 4);
  double speed = failed ? -1 : 80.0 / (1 + model % 5) + g_rand_double_range (rand, -3, 3);

  sqlite3_bind_int64 (stmt, 1, 1 + g_rand_int_range (rand, 0, N_CONVERSATIONS));
  sqlite3_bind_text (stmt, 2, models[model], -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, endpoints[g_rand_int_range (rand, 0, G_N_ELEMENTS (endpoints))],
                     -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, failed ? "failed" : outcome < 3 ? "cancelled" : "complete", -1,
                     SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, created_ms);
  bind_figure (stmt, 6, ttft);
  bind_figure (stmt, 7, failed ? -1 : ttft + g_rand_double_range (rand, 500, 20000));
  bind_figure (stmt, 8, speed);
  bind_figure (stmt, 9, failed ? -1 : speed * 12);
  bind_figure (stmt, 10, failed ? -1 : g_rand_int_range (rand, 0, 20) != 0 ? 0 : 2500);
}

/* Straight into the file in one transaction: oldest first, as they arrive. */
static void
fill_history (const char *path,
              gint64      now_ms)
{
  sqlite3 *db = hearth_test_sqlite_open (path);
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261122);
  gint64 start = g_get_monotonic_time ();

  hearth_test_sqlite_exec (db, "BEGIN");
  for (guint i = 0; i < N_CONVERSATIONS; i++)
    hearth_test_sqlite_exec (db, "INSERT INTO conversations (title, created_ms, updated_ms)"
                                 " VALUES ('bench', 0, 0)");
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                   "INSERT INTO messages (conversation_id, role, content, model, endpoint, api,"
                   " state, created_ms, ttft_ms, total_ms, tokens_per_s, prompt_tokens_per_s,"
                   " load_ms, tokens_in, tokens_out, figures_from_server)"
                   " VALUES (?1, 'assistant', '', ?2, ?3, 'ollama', ?4, ?5, ?6, ?7, ?8, ?9,"
                   " ?10, 300, 200, 1)", -1, &stmt, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < N_ROWS; i++)
    {
      bind_row (stmt, rand, now_ms - SPAN_MS + (SPAN_MS * (i + 1)) / N_ROWS);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  hearth_test_sqlite_exec (db, "COMMIT");
  hearth_test_sqlite_exec (db, "PRAGMA wal_checkpoint (TRUNCATE)");
  sqlite3_close (db);
  printf ("metrics-fill: %d replies in %.1f s\n", N_ROWS,
          (g_get_monotonic_time () - start) / 1e6);
  fflush (stdout);
}

static guint
count_rows (GPtrArray *groups)
{
  guint n = 0;

  for (guint i = 0; i < groups->len; i++)
    n += ((HearthMetricsGroup *) g_ptr_array_index (groups, i))->count;
  return n;
}

/* Milliseconds per call of hearth_metrics_aggregate_by(), sorted. */
static void
time_aggregate (HearthStore           *store,
                gint64                 since_ms,
                HearthMetricsGrouping  grouping,
                double                *times,
                guint                 *n_rows,
                guint                 *n_groups)
{
  for (guint i = 0; i < N_REPEATS; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) groups = NULL;
      gint64 start = g_get_monotonic_time ();

      groups = hearth_metrics_aggregate_by (store, since_ms, NULL, grouping, &error);
      times[i] = (g_get_monotonic_time () - start) / 1000.0;
      check (error);
      *n_rows = count_rows (groups);
      *n_groups = groups->len;
    }
  qsort (times, N_REPEATS, sizeof times[0], hearth_bench_compare_doubles);
}

static void
run_windows (HearthStore *store,
             gint64       now_ms)
{
  double first_times[G_N_ELEMENTS (windows)];

  /* Timed apart: each window's first query, from the largest down, so the
   * 90-day one finds the day cache empty. */
  for (guint w = G_N_ELEMENTS (windows); w-- > 0;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) groups = NULL;
      gint64 start = g_get_monotonic_time ();

      groups = hearth_metrics_aggregate (store, now_ms - windows[w].ms, NULL, &error);
      first_times[w] = (g_get_monotonic_time () - start) / 1000.0;
      check (error);
    }
  printf ("metrics-day-cache: %" G_GINT64_FORMAT " days packed, %.1f MiB of figures\n",
          hearth_test_sqlite_query_int (hearth_store_get_path (store),
                                        "SELECT count (*) FROM request_figures_days_done"),
          hearth_test_sqlite_query_int (hearth_store_get_path (store),
                                        "SELECT sum (coalesce (length (ttft), 0)"
                                        " + coalesce (length (total), 0)"
                                        " + coalesce (length (speed), 0)"
                                        " + coalesce (length (prompt_speed), 0)"
                                        " + coalesce (length (load), 0))"
                                        " FROM request_figures_days") / 1048576.0);
  printf ("%-24s %9s %7s %9s %9s %9s\n", "window", "rows", "groups", "p50 ms", "p95 ms",
          "target");
  for (guint w = 0; w < G_N_ELEMENTS (windows); w++)
    {
      double times[N_REPEATS];
      guint n_rows = 0, n_groups = 0;
      double first_ms;

      time_aggregate (store, now_ms - windows[w].ms, HEARTH_METRICS_BY_MODEL_AND_ENDPOINT,
                      times, &n_rows, &n_groups);
      /* the first query of a window packs the whole past days it covers
       * that an earlier window did not (hearth-metrics.c's day cache) */
      first_ms = first_times[w];
      printf ("metrics-aggregate-%-6s %9u %7u %9.2f %9.2f %6.0f ms   first %.2f ms\n",
              windows[w].name, n_rows, n_groups, hearth_bench_percentile (times, N_REPEATS, 0.50),
              hearth_bench_percentile (times, N_REPEATS, 0.95), TARGET_MS, first_ms);
      fflush (stdout);
    }
}

static void
run_groupings (HearthStore *store,
               gint64       now_ms)
{
  static const struct { const char *name; HearthMetricsGrouping grouping; } groupings[] = {
    { "by-model", HEARTH_METRICS_BY_MODEL },
    { "by-endpoint", HEARTH_METRICS_BY_ENDPOINT },
  };

  for (guint g = 0; g < G_N_ELEMENTS (groupings); g++)
    {
      double times[N_REPEATS];
      guint n_rows = 0, n_groups = 0;

      time_aggregate (store, now_ms - 7 * DAY_MS, groupings[g].grouping, times, &n_rows,
                      &n_groups);
      printf ("metrics-aggregate-7d-%s: %u rows, %u groups, p50 %.2f ms, p95 %.2f ms\n",
              groupings[g].name, n_rows, n_groups, hearth_bench_percentile (times, N_REPEATS, 0.50),
              hearth_bench_percentile (times, N_REPEATS, 0.95));
    }
}

/* The path before: every reply as a HearthMessage, grouped with a key
 * string per row, each group's values sorted. */
static guint
old_aggregate (HearthStore *store,
               gint64       since_ms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = hearth_store_list_request_rows (store, since_ms, NULL, &error);
  g_autoptr(GHashTable) by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) g_array_unref);
  GHashTableIter iter;
  GArray *values;

  check (error);
  for (guint i = 0; i < rows->len; i++)
    {
      HearthMessage *row = g_ptr_array_index (rows, i);
      g_autofree char *key = g_strdup_printf ("%s\x1f%s", row->model, row->endpoint);

      values = g_hash_table_lookup (by_key, key);
      if (values == NULL)
        {
          values = g_array_new (FALSE, FALSE, sizeof (double));
          g_hash_table_insert (by_key, g_steal_pointer (&key), values);
        }
      if (row->figures.ttft_ms >= 0)
        g_array_append_val (values, row->figures.ttft_ms);
    }
  g_hash_table_iter_init (&iter, by_key);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &values))
    g_array_sort (values, hearth_bench_compare_doubles);
  return rows->len;
}

static void
run_baseline (HearthStore *store,
              gint64       now_ms)
{
  double times[N_BASELINE];
  guint n_rows = 0;

  for (guint i = 0; i < N_BASELINE; i++)
    {
      gint64 start = g_get_monotonic_time ();

      n_rows = old_aggregate (store, now_ms - 7 * DAY_MS);
      times[i] = (g_get_monotonic_time () - start) / 1000.0;
    }
  qsort (times, N_BASELINE, sizeof times[0], hearth_bench_compare_doubles);
  printf ("metrics-baseline-7d (list_request_rows + grouping, ttft only): %u rows, "
          "p50 %.2f ms, max %.2f ms of %d\n", n_rows, hearth_bench_percentile (times, N_BASELINE, 0.50),
          times[N_BASELINE - 1], N_BASELINE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("hearth-bench-metrics-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(HearthStore) store = NULL;
  gint64 now_ms = g_get_real_time () / 1000;

  check (error);
  path = g_build_filename (dir, "hearth.db", NULL);
  store = hearth_store_open (path, &error);
  check (error);
  g_clear_object (&store);
  fill_history (path, now_ms);

  store = hearth_store_open (path, &error);
  check (error);
  run_windows (store, now_ms);
  run_groupings (store, now_ms);
  run_baseline (store, now_ms);

  g_clear_object (&store);
  if (g_getenv ("HEARTH_BENCH_KEEP") == NULL)
    hearth_test_rm_rf (dir);
  else
    printf ("kept %s\n", path);
  return 0;
}
