/* test-metrics.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "hearth-error.h"
#include <sqlite3.h>

#include "hearth-metrics.h"
#include "hearth-test-util.h"

#define NOW_MS   G_GINT64_CONSTANT (1700000000000)
#define HOUR_MS  G_GINT64_CONSTANT (3600000)

#define CSV_ROWS_HEADER \
  "created_ms,model,endpoint,api,state,outcome,ttft_ms,total_ms,tokens_in,tokens_out,tokens_per_s," \
  "figures_from,error,server,client\r\n"
#define CSV_GROUPS_HEADER \
  "model,endpoint,count,successes,cache_hits,success_rate,ttft_p50_ms,ttft_p95_ms,ttft_p99_ms," \
  "total_p50_ms,total_p95_ms,total_p99_ms,median_tokens_per_s,median_prompt_tokens_per_s," \
  "median_load_ms,server,client\r\n"

/* Stores one request: a user message and @reply, which it takes. */
static void
add_reply (HearthStore   *store,
           HearthMessage *reply)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthMessage) question = hearth_message_new ("user", "q");
  g_autoptr(HearthMessage) owned = reply;
  gint64 conversation_id = hearth_store_create_conversation (store, "t", &error);

  g_assert_no_error (error);
  question->conversation_id = reply->conversation_id = conversation_id;
  question->created_ms = reply->created_ms;
  hearth_store_add_message (store, question, &error);
  g_assert_no_error (error);
  hearth_store_add_message (store, reply, &error);
  g_assert_no_error (error);
}

static HearthMessage *
reply_new (const char         *model,
           const char         *endpoint,
           HearthMessageState  state,
           gint64              created_ms)
{
  HearthMessage *reply = hearth_message_new ("assistant", "a");

  reply->model = g_strdup (model);
  reply->endpoint = g_strdup (endpoint);
  reply->state = state;
  reply->created_ms = created_ms;
  return reply;
}

static void
add_request (HearthStore        *store,
             const char         *model,
             const char         *endpoint,
             HearthMessageState  state,
             gint64              created_ms,
             double              ttft_ms,
             double              total_ms)
{
  HearthMessage *reply = reply_new (model, endpoint, state, created_ms);

  reply->figures.ttft_ms = ttft_ms;
  reply->figures.total_ms = total_ms;
  reply->figures.tokens_per_s = ttft_ms > 0 ? ttft_ms / 10 : -1;
  add_reply (store, reply);
}

static GPtrArray *
aggregate (HearthStore *store,
           gint64       since_ms,
           const char  *model)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *groups = hearth_metrics_aggregate (store, since_ms, model, &error);

  g_assert_no_error (error);
  g_assert_nonnull (groups);
  return groups;
}

static void
test_percentiles (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("percentiles");
  g_autoptr(GPtrArray) groups = NULL;
  HearthMetricsGroup *group;

  /* Shuffled, so the order of the rows cannot give the answer. */
  for (int i = 0; i < 100; i++)
    {
      int value = (i * 37) % 100 + 1;

      add_request (store, "m", "http://e", HEARTH_MESSAGE_COMPLETE,
                   NOW_MS - 1000 - i, value, 10 * value);
    }
  groups = aggregate (store, NOW_MS - HOUR_MS, NULL);
  g_assert_cmpuint (groups->len, ==, 1);
  group = g_ptr_array_index (groups, 0);
  g_assert_cmpstr (group->model, ==, "m");
  g_assert_cmpstr (group->endpoint, ==, "http://e");
  g_assert_cmpuint (group->count, ==, 100);
  g_assert_cmpfloat (group->success_rate, ==, 1.0);
  g_assert_cmpfloat (group->ttft_p50_ms, ==, 50);
  g_assert_cmpfloat (group->ttft_p95_ms, ==, 95);
  g_assert_cmpfloat (group->ttft_p99_ms, ==, 99);
  g_assert_cmpfloat (group->total_p50_ms, ==, 500);
  g_assert_cmpfloat (group->total_p99_ms, ==, 990);
  g_assert_cmpfloat (group->median_tokens_per_s, ==, 5);
}

static void
test_percentile_small (void)
{
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  double three[] = { 30, 10, 20 };

  g_assert_cmpfloat (hearth_metrics_percentile (values, 50), ==, -1);
  g_array_append_vals (values, three, 1);
  g_assert_cmpfloat (hearth_metrics_percentile (values, 99), ==, 30);
  g_array_append_vals (values, three + 1, 2);
  /* Nearest rank: ⌈0.5 × 3⌉ = 2 → 20; ⌈0.95 × 3⌉ = 3 → 30; ⌈0.1 × 3⌉ = 1 → 10. */
  g_assert_cmpfloat (hearth_metrics_percentile (values, 50), ==, 20);
  g_assert_cmpfloat (hearth_metrics_percentile (values, 95), ==, 30);
  g_assert_cmpfloat (hearth_metrics_percentile (values, 10), ==, 10);
}

static void
test_window_and_unknown (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("window");
  g_autoptr(GPtrArray) groups = NULL;
  HearthMetricsGroup *group;

  add_request (store, "m", "e", HEARTH_MESSAGE_COMPLETE, NOW_MS - 2 * HOUR_MS, 1000, 1000);
  add_request (store, "m", "e", HEARTH_MESSAGE_COMPLETE, NOW_MS - 10, 10, 100);
  add_request (store, "m", "e", HEARTH_MESSAGE_FAILED, NOW_MS - 20, -1, -1);
  add_request (store, "m", "e", HEARTH_MESSAGE_CANCELLED, NOW_MS - 30, 20, -1);
  add_request (store, "m", "e", HEARTH_MESSAGE_PARTIAL, NOW_MS - 40, -1, 300);

  groups = aggregate (store, NOW_MS - HOUR_MS, NULL);
  g_assert_cmpuint (groups->len, ==, 1);
  group = g_ptr_array_index (groups, 0);
  g_assert_cmpuint (group->count, ==, 4);
  g_assert_cmpuint (group->successes, ==, 1);
  g_assert_cmpuint (group->failures, ==, 1);
  /* over the requests that ended on their own: the cancelled one and the
   * one still streaming are not failures */
  g_assert_cmpfloat (group->success_rate, ==, 0.5);
  g_assert_cmpfloat (group->ttft_p50_ms, ==, 10);
  g_assert_cmpfloat (group->ttft_p99_ms, ==, 20);
  g_assert_cmpfloat (group->total_p50_ms, ==, 100);
  g_assert_cmpfloat (group->total_p95_ms, ==, 300);
  g_clear_pointer (&groups, g_ptr_array_unref);

  /* The window includes its first millisecond; the failed row's unknown
   * figures do not count as zeros. */
  groups = aggregate (store, NOW_MS - 20, NULL);
  group = g_ptr_array_index (groups, 0);
  g_assert_cmpuint (group->count, ==, 2);
  g_assert_cmpfloat (group->ttft_p50_ms, ==, 10);
  g_assert_cmpfloat (group->total_p99_ms, ==, 100);
  g_clear_pointer (&groups, g_ptr_array_unref);
  groups = aggregate (store, NOW_MS, NULL);
  g_assert_cmpuint (groups->len, ==, 0);
}

static void
test_grouping (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("grouping");
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  HearthMetricsGroup *group;

  add_request (store, "b", "e1", HEARTH_MESSAGE_COMPLETE, NOW_MS - 1, 5, 50);
  add_request (store, "a", "e2", HEARTH_MESSAGE_FAILED, NOW_MS - 2, -1, -1);
  add_request (store, "a", "e1", HEARTH_MESSAGE_COMPLETE, NOW_MS - 3, 7, 70);
  add_request (store, "a", "e1", HEARTH_MESSAGE_COMPLETE, NOW_MS - 4, 9, 90);

  groups = aggregate (store, 0, NULL);
  g_assert_cmpuint (groups->len, ==, 3);
  group = g_ptr_array_index (groups, 0);
  g_assert_cmpstr (group->model, ==, "a");
  g_assert_cmpstr (group->endpoint, ==, "e1");
  g_assert_cmpuint (group->count, ==, 2);
  g_assert_cmpfloat (group->ttft_p50_ms, ==, 7);
  group = g_ptr_array_index (groups, 1);
  g_assert_cmpstr (group->endpoint, ==, "e2");
  g_assert_cmpfloat (group->success_rate, ==, 0);
  g_assert_cmpfloat (group->ttft_p50_ms, ==, -1);
  g_assert_cmpfloat (group->median_tokens_per_s, ==, -1);
  group = g_ptr_array_index (groups, 2);
  g_assert_cmpstr (group->model, ==, "b");
  g_clear_pointer (&groups, g_ptr_array_unref);

  groups = aggregate (store, 0, "b");
  g_assert_cmpuint (groups->len, ==, 1);
  g_assert_cmpstr (((HearthMetricsGroup *) g_ptr_array_index (groups, 0))->model, ==, "b");

  /* The rows themselves: replies only, oldest first. */
  rows = hearth_store_list_request_rows (store, 0, "a", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 3);
  g_assert_cmpint (((HearthMessage *) g_ptr_array_index (rows, 0))->created_ms, ==, NOW_MS - 4);
  g_assert_cmpstr (((HearthMessage *) g_ptr_array_index (rows, 2))->endpoint, ==, "e2");
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static GPtrArray *
aggregate_by (HearthStore           *store,
              HearthMetricsGrouping  grouping)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *groups = hearth_metrics_aggregate_by (store, 0, NULL, grouping, &error);

  g_assert_no_error (error);
  g_assert_nonnull (groups);
  return groups;
}

/* Requests to two models at two endpoints, with speeds and load times. */
static void
add_grouping_data (HearthStore *store)
{
  static const struct
  {
    const char *model, *endpoint;
    double ttft, prompt_speed, load;
  } rows[] = {
    { "a", "e1", 10, 100, 0 }, { "a", "e1", 20, 200, 1000 }, { "a", "e2", 30, 300, 0 },
    { "b", "e1", 40, -1, -1 }, { "b", "e2", 50, 500, 2000 }, { "b", "e2", 60, 600, 3000 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      HearthMessage *reply = reply_new (rows[i].model, rows[i].endpoint,
                                        i == 3 ? HEARTH_MESSAGE_FAILED : HEARTH_MESSAGE_COMPLETE,
                                        NOW_MS - i);

      reply->figures.ttft_ms = rows[i].ttft;
      reply->figures.total_ms = 10 * rows[i].ttft;
      reply->figures.tokens_per_s = rows[i].ttft / 10;
      reply->figures.prompt_tokens_per_s = rows[i].prompt_speed;
      reply->figures.load_ms = rows[i].load;
      add_reply (store, reply);
    }
}

static void
test_grouping_by (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("grouping-by");
  g_autoptr(GPtrArray) by_model = NULL, by_endpoint = NULL, both = NULL;
  HearthMetricsGroup *group;

  add_grouping_data (store);

  by_model = aggregate_by (store, HEARTH_METRICS_BY_MODEL);
  g_assert_cmpuint (by_model->len, ==, 2);
  group = g_ptr_array_index (by_model, 0);
  g_assert_cmpstr (group->model, ==, "a");
  g_assert_null (group->endpoint);
  g_assert_cmpuint (group->count, ==, 3);
  g_assert_cmpfloat (group->success_rate, ==, 1);
  /* Nearest rank over 10, 20, 30: ⌈1.5⌉ = 2 → 20; ⌈2.85⌉ = 3 → 30. */
  g_assert_cmpfloat (group->ttft_p50_ms, ==, 20);
  g_assert_cmpfloat (group->ttft_p95_ms, ==, 30);
  g_assert_cmpfloat (group->total_p99_ms, ==, 300);
  g_assert_cmpfloat (group->median_tokens_per_s, ==, 2);
  g_assert_cmpfloat (group->median_prompt_tokens_per_s, ==, 200);
  g_assert_cmpfloat (group->median_load_ms, ==, 0);
  group = g_ptr_array_index (by_model, 1);
  g_assert_cmpstr (group->model, ==, "b");
  g_assert_cmpuint (group->successes, ==, 2);
  /* The unknown prompt speed and load time are left out, not counted as 0. */
  g_assert_cmpfloat (group->median_prompt_tokens_per_s, ==, 500);
  g_assert_cmpfloat (group->median_load_ms, ==, 2000);
  g_assert_cmpfloat (group->ttft_p50_ms, ==, 50);

  by_endpoint = aggregate_by (store, HEARTH_METRICS_BY_ENDPOINT);
  g_assert_cmpuint (by_endpoint->len, ==, 2);
  group = g_ptr_array_index (by_endpoint, 0);
  g_assert_null (group->model);
  g_assert_cmpstr (group->endpoint, ==, "e1");
  g_assert_cmpuint (group->count, ==, 3);
  g_assert_cmpuint (group->successes, ==, 2);
  g_assert_cmpfloat (group->ttft_p50_ms, ==, 20);
  g_assert_cmpfloat (group->ttft_p99_ms, ==, 40);
  g_assert_cmpfloat (group->median_prompt_tokens_per_s, ==, 100);
  g_assert_cmpfloat (group->median_load_ms, ==, 0);
  group = g_ptr_array_index (by_endpoint, 1);
  g_assert_cmpstr (group->endpoint, ==, "e2");
  g_assert_cmpfloat (group->ttft_p50_ms, ==, 50);
  g_assert_cmpfloat (group->median_prompt_tokens_per_s, ==, 500);
  g_assert_cmpfloat (group->median_load_ms, ==, 2000);

  both = aggregate_by (store, HEARTH_METRICS_BY_MODEL_AND_ENDPOINT);
  g_assert_cmpuint (both->len, ==, 4);
  group = g_ptr_array_index (both, 3);
  g_assert_cmpstr (group->model, ==, "b");
  g_assert_cmpstr (group->endpoint, ==, "e2");
  g_assert_cmpfloat (group->ttft_p50_ms, ==, 50);
  g_assert_cmpfloat (group->median_load_ms, ==, 2000);
}

/* Selection must agree with sorting: many sizes, many repeated values, and
 * arrays long enough (over 600) for the pivot to come from a sample. */
static void
test_percentile_matches_sort (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  static const double percents[] = { 1, 10, 50, 90, 95, 99, 99.9, 100 };

  for (guint n = 1; n < 30000; n = n < 300 ? n + 7 : n * 3 + 1)
    {
      g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) sorted = NULL;
      guint spread = g_rand_int_range (rand, 1, 2 * n + 2);

      for (guint i = 0; i < n; i++)
        {
          double value = g_rand_int_range (rand, 0, spread);

          g_array_append_val (values, value);
        }
      sorted = g_array_copy (values);
      g_array_sort (sorted, compare_doubles);
      for (guint i = 0; i < G_N_ELEMENTS (percents); i++)
        {
          guint rank = (guint) ceil (percents[i] / 100.0 * n - 1e-9);

          g_assert_cmpfloat (hearth_metrics_percentile (values, percents[i]), ==,
                             g_array_index (sorted, double, CLAMP (rank, 1, n) - 1));
        }
    }
}

/* p50, p95 and p99 of one group, each selected in what the one before left. */
static void
test_percentiles_random (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("percentiles-random");
  g_autoptr(GArray) ttft = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GError) error = NULL;
  HearthMetricsGroup *group;

  hearth_store_begin (store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 333; i++)
    {
      double value = g_rand_int_range (rand, 0, 120);

      add_request (store, "m", "e", HEARTH_MESSAGE_COMPLETE, NOW_MS - i, value, 1);
      g_array_append_val (ttft, value);
    }
  hearth_store_commit (store, &error);
  g_assert_no_error (error);
  g_array_sort (ttft, compare_doubles);

  groups = aggregate (store, 0, NULL);
  group = g_ptr_array_index (groups, 0);
  /* Ranks ⌈0.5 × 333⌉ = 167, ⌈0.95 × 333⌉ = 317, ⌈0.99 × 333⌉ = 330. */
  g_assert_cmpfloat (group->ttft_p50_ms, ==, g_array_index (ttft, double, 166));
  g_assert_cmpfloat (group->ttft_p95_ms, ==, g_array_index (ttft, double, 316));
  g_assert_cmpfloat (group->ttft_p99_ms, ==, g_array_index (ttft, double, 329));
}

/* A row on the first millisecond of each window counts; one before does not. */
static void
test_windows (void)
{
  static const char * const windows[] = { "5m", "1h", "24h", "7d" };
  g_autoptr(HearthStore) store = hearth_test_open_store ("windows");
  gint64 lengths[G_N_ELEMENTS (windows)];

  for (guint i = 0; i < G_N_ELEMENTS (windows); i++)
    {
      lengths[i] = hearth_metrics_parse_since (windows[i], NULL);
      add_request (store, "m", "e", HEARTH_MESSAGE_COMPLETE, NOW_MS - lengths[i], i + 1, 1);
      add_request (store, "m", "e", HEARTH_MESSAGE_COMPLETE, NOW_MS - lengths[i] - 1, 100, 1);
    }
  for (guint i = 0; i < G_N_ELEMENTS (windows); i++)
    {
      g_autoptr(GPtrArray) groups = aggregate (store, NOW_MS - lengths[i], NULL);
      HearthMetricsGroup *group = g_ptr_array_index (groups, 0);

      g_test_message ("%s", windows[i]);
      /* Inside: the rows on each shorter window's edge, their neighbours
       * just outside those, and this window's own edge row. */
      g_assert_cmpuint (group->count, ==, 2 * i + 1);
      g_assert_cmpfloat (group->ttft_p99_ms, ==, i > 0 ? 100 : 1);
    }
}

/* One well-behaved request, one whose model name and error need quoting. */
static HearthStore *
open_export_store (const char *name)
{
  HearthStore *store = hearth_test_open_store (name);
  HearthMessage *reply = reply_new ("a,\"b\"\nc", "http://e", HEARTH_MESSAGE_COMPLETE,
                                    NOW_MS - 2);

  reply->figures.ttft_ms = 12.5;
  reply->figures.total_ms = 100.25;
  reply->figures.tokens_per_s = 4.627;
  reply->figures.tokens_in = 7;
  add_reply (store, reply);
  reply = reply_new ("m", "http://e", HEARTH_MESSAGE_FAILED, NOW_MS - 1);
  reply->error = g_strdup ("boom, \"bad\"");
  reply->error_class = g_strdup ("server-error");
  add_reply (store, reply);
  return store;
}

static char *
export_rows (HearthStore         *store,
             HearthMetricsFormat  format)
{
  g_autoptr(GError) error = NULL;
  char *text = hearth_metrics_export_rows (store, 0, NULL, format, &error);

  g_assert_no_error (error);
  g_assert_nonnull (text);
  return text;
}

static char *
export_groups (HearthStore           *store,
               HearthMetricsGrouping  grouping,
               HearthMetricsFormat    format)
{
  g_autoptr(GError) error = NULL;
  char *text = hearth_metrics_export_groups (store, 0, NULL, grouping, format, &error);

  g_assert_no_error (error);
  g_assert_nonnull (text);
  return text;
}

static void
test_export_csv (void)
{
  g_autoptr(HearthStore) store = open_export_store ("export-csv");
  g_autofree char *rows = export_rows (store, HEARTH_METRICS_FORMAT_CSV);
  g_autofree char *groups = export_groups (store, HEARTH_METRICS_BY_MODEL_AND_ENDPOINT,
                                           HEARTH_METRICS_FORMAT_CSV);
  g_autofree char *by_endpoint = export_groups (store, HEARTH_METRICS_BY_ENDPOINT,
                                                HEARTH_METRICS_FORMAT_CSV);

  /* RFC 4180: quoted when there is a comma, quote or line break, quotes
   * doubled; unknown values empty. */
  g_assert_cmpstr (rows, ==,
                   CSV_ROWS_HEADER
                   "1699999999998,\"a,\"\"b\"\"\nc\",http://e,,complete,ok,12.5,100.25,7,,4.627,"
                   "client,,,\r\n"
                   "1699999999999,m,http://e,,failed,server-error,,,,,,client,"
                   "\"boom, \"\"bad\"\"\",,\r\n");
  g_assert_cmpstr (groups, ==,
                   CSV_GROUPS_HEADER
                   "\"a,\"\"b\"\"\nc\",http://e,1,1,0,1,12.5,12.5,12.5,100.25,100.25,100.25,4.627,,"
                   ",,\r\n"
                   "m,http://e,1,0,0,0,,,,,,,,,,,\r\n");
  g_assert_cmpstr (by_endpoint, ==,
                   CSV_GROUPS_HEADER
                   ",http://e,2,1,0,0.5,12.5,12.5,12.5,100.25,100.25,100.25,4.627,,,,\r\n");

  /* The endpoint of a server in the user's list is named after it. */
  {
    g_autoptr(GHashTable) servers = g_hash_table_new (g_str_hash, g_str_equal);
    g_autoptr(GError) error = NULL;
    g_autofree char *named = NULL;

    g_hash_table_insert (servers, (gpointer) "http://e", (gpointer) "laptop");
    named = hearth_metrics_export_named_groups (store, 0, NULL, HEARTH_METRICS_BY_ENDPOINT,
                                                HEARTH_METRICS_FORMAT_CSV, servers, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (named, ==,
                     CSV_GROUPS_HEADER
                     ",http://e,2,1,0,0.5,12.5,12.5,12.5,100.25,100.25,100.25,4.627,,,laptop,\r\n");
  }
}

static JsonArray *
parse_array (const char *text,
             JsonNode  **root)
{
  g_autoptr(GError) error = NULL;

  *root = json_from_string (text, &error);
  g_assert_no_error (error);
  return json_node_get_array (*root);
}

static void
test_export_json (void)
{
  g_autoptr(HearthStore) store = open_export_store ("export-json");
  g_autofree char *rows = export_rows (store, HEARTH_METRICS_FORMAT_JSON);
  g_autofree char *pretty = export_rows (store, HEARTH_METRICS_FORMAT_JSON_PRETTY);
  g_autofree char *groups = export_groups (store, HEARTH_METRICS_BY_MODEL,
                                           HEARTH_METRICS_FORMAT_JSON);
  g_autoptr(JsonNode) rows_root = NULL, pretty_root = NULL, groups_root = NULL;
  JsonArray *array = parse_array (rows, &rows_root);
  JsonObject *object;

  /* One line, figures to the microsecond and no further. */
  g_assert_true (g_str_has_suffix (rows, "}]\n"));
  g_assert_true (strchr (rows, '\n') == rows + strlen (rows) - 1);
  g_assert_nonnull (strstr (rows, "\"tokens_per_s\":4.627,"));
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  object = json_array_get_object_element (array, 0);
  g_assert_cmpstr (json_object_get_string_member (object, "model"), ==, "a,\"b\"\nc");
  g_assert_cmpint (json_object_get_int_member (object, "tokens_in"), ==, 7);
  g_assert_true (json_object_get_null_member (object, "tokens_out"));
  g_assert_true (json_object_get_null_member (object, "load_ms"));
  g_assert_true (json_object_get_null_member (object, "api"));
  object = json_array_get_object_element (array, 1);
  g_assert_cmpstr (json_object_get_string_member (object, "error"), ==, "boom, \"bad\"");
  g_assert_cmpstr (json_object_get_string_member (object, "outcome"), ==, "server-error");
  g_assert_true (json_object_get_null_member (object, "ttft_ms"));

  /* Indented for a terminal, the same values. */
  parse_array (pretty, &pretty_root);
  g_assert_true (g_str_has_prefix (pretty, "[\n  {\n    \"created_ms\": 1699999999998,\n"));
  g_assert_true (json_node_equal (rows_root, pretty_root));

  g_assert_cmpstr (groups, ==,
                   "[{\"model\":\"a,\\\"b\\\"\\nc\",\"endpoint\":null,\"count\":1,\"successes\":1,"
                   "\"cache_hits\":0,\"success_rate\":1,\"ttft_p50_ms\":12.5,\"ttft_p95_ms\":12.5,"
                   "\"ttft_p99_ms\":12.5,\"total_p50_ms\":100.25,\"total_p95_ms\":100.25,"
                   "\"total_p99_ms\":100.25,\"median_tokens_per_s\":4.627,"
                   "\"median_prompt_tokens_per_s\":null,\"median_load_ms\":null,\"server\":null,"
                   "\"client\":null},"
                   "{\"model\":\"m\",\"endpoint\":null,\"count\":1,\"successes\":0,"
                   "\"cache_hits\":0,\"success_rate\":0,\"ttft_p50_ms\":null,\"ttft_p95_ms\":null,"
                   "\"ttft_p99_ms\":null,\"total_p50_ms\":null,\"total_p95_ms\":null,"
                   "\"total_p99_ms\":null,\"median_tokens_per_s\":null,"
                   "\"median_prompt_tokens_per_s\":null,\"median_load_ms\":null,\"server\":null,"
                   "\"client\":null}]\n");
  parse_array (groups, &groups_root);
}

static void
test_export_empty (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("export-empty");
  g_autofree char *json = export_rows (store, HEARTH_METRICS_FORMAT_JSON);
  g_autofree char *pretty = export_groups (store, HEARTH_METRICS_BY_MODEL,
                                           HEARTH_METRICS_FORMAT_JSON_PRETTY);
  g_autofree char *csv = export_groups (store, HEARTH_METRICS_BY_MODEL,
                                        HEARTH_METRICS_FORMAT_CSV);

  g_assert_cmpstr (json, ==, "[]\n");
  g_assert_cmpstr (pretty, ==, "[]\n");
  g_assert_cmpstr (csv, ==, CSV_GROUPS_HEADER);
}

static void
test_parse_since (void)
{
  static const struct { const char *text; gint64 ms; } cases[] = {
    { "90s", 90 * 1000 },
    { "5m", 5 * 60 * 1000 },
    { "1h", 3600 * 1000 },
    { "24h", 24 * 3600 * 1000 },
    { "7d", G_GINT64_CONSTANT (7) * 24 * 3600 * 1000 },
    { "soon", -1 },
    { "", -1 },
    { "h", -1 },
    { "0h", -1 },
    { "-1h", -1 },
    { "+1h", -1 },
    { "1.5h", -1 },
    { "1w", -1 },
    { "1H", -1 },
    { " 1h", -1 },
    { "99999999999999999d", -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 ms = hearth_metrics_parse_since (cases[i].text, &error);

      g_test_message ("%s", cases[i].text);
      g_assert_cmpint (ms, ==, cases[i].ms);
      if (ms < 0)
        g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
      else
        g_assert_no_error (error);
    }
}

#define DAY_MS G_GINT64_CONSTANT (86400000)

static gint64
cached_days (const char *path)
{
  return hearth_test_sqlite_query_int (path, "SELECT count (*) FROM request_figures_days_done");
}

/* Whole past days are read from packed per-day figures after the first
 * query: the same exact answers, and a change to a day's replies forgets it. */
static void
test_day_cache (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("day-cache");
  g_autofree char *path = g_strdup (hearth_store_get_path (store));
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GError) error = NULL;
  gint64 today_ms = g_get_real_time () / 1000 / DAY_MS * DAY_MS;
  HearthMetricsGroup *group;
  HearthMessage *reply;
  gint64 last_id;

  /* Three days ago: ttft 10 and 20; two days ago: 30, 40, a failure;
   * today: 50 (read row by row, never cached) */
  add_request (store, "m", "e", HEARTH_MESSAGE_COMPLETE, today_ms - 3 * DAY_MS + 1000, 10, 100);
  add_request (store, "m", "e", HEARTH_MESSAGE_COMPLETE, today_ms - 3 * DAY_MS + 2000, 20, 200);
  add_request (store, "m", "e", HEARTH_MESSAGE_COMPLETE, today_ms - 2 * DAY_MS + 1000, 30, 300);
  add_request (store, "m", "e", HEARTH_MESSAGE_COMPLETE, today_ms - 2 * DAY_MS + 2000, 40, 400);
  add_request (store, "m", "e", HEARTH_MESSAGE_FAILED, today_ms - 2 * DAY_MS + 3000, -1, -1);
  add_request (store, "m", "e", HEARTH_MESSAGE_COMPLETE, today_ms + 1, 50, 500);
  g_assert_cmpint (cached_days (path), ==, 0);

  for (guint pass = 0; pass < 2; pass++)
    {
      /* the first pass fills the cache, the second reads it */
      g_clear_pointer (&groups, g_ptr_array_unref);
      groups = aggregate (store, today_ms - 4 * DAY_MS, NULL);
      g_assert_cmpuint (groups->len, ==, 1);
      group = g_ptr_array_index (groups, 0);
      g_assert_cmpuint (group->count, ==, 6);
      g_assert_cmpuint (group->successes, ==, 5);
      g_assert_cmpuint (group->failures, ==, 1);
      g_assert_cmpfloat (group->ttft_p50_ms, ==, 30);
      g_assert_cmpfloat (group->ttft_p95_ms, ==, 50);
      g_assert_cmpfloat (group->total_p50_ms, ==, 300);
      g_assert_cmpfloat (group->median_tokens_per_s, ==, 3);
      /* days -3, -2 and -1 are done (nothing before the oldest reply);
       * today never is */
      g_assert_cmpint (cached_days (path), ==, 3);
    }

  /* A window starting inside day -3 reads that day's part row by row. */
  g_clear_pointer (&groups, g_ptr_array_unref);
  groups = aggregate (store, today_ms - 3 * DAY_MS + 1500, NULL);
  group = g_ptr_array_index (groups, 0);
  g_assert_cmpuint (group->count, ==, 5);
  /* 20, 30, 40, 50: the nearest rank of 50 % is the 2nd */
  g_assert_cmpfloat (group->ttft_p50_ms, ==, 30);

  /* A reply of day -2 changes: that day is forgotten and read again. */
  last_id = hearth_test_sqlite_query_int (path, "SELECT max (id) FROM messages"
                                                " WHERE created_ms < strftime ('%s', 'now') * 1000"
                                                " - 86400000 * 2 + 86400000 / 2 AND state = 'failed'");
  g_assert_cmpint (last_id, >, 0);
  {
    g_autofree char *sql = g_strdup_printf ("UPDATE messages SET state = 'complete', ttft_ms = 60"
                                            " WHERE id = %" G_GINT64_FORMAT, last_id);

    hearth_test_sqlite_run (path, sql);
  }
  g_assert_cmpint (cached_days (path), ==, 2);
  g_clear_pointer (&groups, g_ptr_array_unref);
  groups = aggregate (store, today_ms - 4 * DAY_MS, NULL);
  group = g_ptr_array_index (groups, 0);
  g_assert_cmpuint (group->failures, ==, 0);
  g_assert_cmpfloat (group->ttft_p95_ms, ==, 60);
  g_assert_cmpint (cached_days (path), ==, 3);

  /* Deleting day -3's replies forgets day -3. */
  hearth_test_sqlite_run (path, "DELETE FROM messages WHERE ttft_ms IN (10, 20)");
  g_assert_cmpint (cached_days (path), ==, 2);
  g_clear_pointer (&groups, g_ptr_array_unref);
  groups = aggregate (store, today_ms - 4 * DAY_MS, NULL);
  group = g_ptr_array_index (groups, 0);
  g_assert_cmpuint (group->count, ==, 4);
  g_assert_cmpfloat (group->ttft_p50_ms, ==, 40);

  /* Model filters apply to cached days too. */
  reply = reply_new ("other", "e", HEARTH_MESSAGE_COMPLETE, today_ms - 2 * DAY_MS + 5000);
  reply->figures.ttft_ms = 7;
  add_reply (store, reply);
  g_clear_pointer (&groups, g_ptr_array_unref);
  groups = hearth_metrics_aggregate (store, today_ms - 4 * DAY_MS, "other", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (groups->len, ==, 1);
  group = g_ptr_array_index (groups, 0);
  g_assert_cmpuint (group->count, ==, 1);
  g_assert_cmpfloat (group->ttft_p50_ms, ==, 7);
}

/* Enough values for the selection to run on two threads: the same exact
 * nearest-rank answers. ttft of group a is 1..N in a shuffled order, of
 * group b 2, 4 … 2N; spread over past days, so the day cache serves them. */
static void
test_large_groups (void)
{
  enum { N = 110000 };
  g_autoptr(HearthStore) store = hearth_test_open_store ("large");
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GPtrArray) groups = NULL;
  g_autofree guint *order = g_new (guint, N);
  gint64 today_ms = g_get_real_time () / 1000 / DAY_MS * DAY_MS;
  sqlite3 *db = hearth_test_sqlite_open (hearth_store_get_path (store));
  sqlite3_stmt *stmt = NULL;

  for (guint i = 0; i < N; i++)
    order[i] = i + 1;
  for (guint i = N - 1; i > 0; i--)
    {
      guint j = g_rand_int_range (rand, 0, i + 1), swap = order[i];

      order[i] = order[j];
      order[j] = swap;
    }
  hearth_test_sqlite_exec (db, "BEGIN");
  hearth_test_sqlite_exec (db, "INSERT INTO conversations (title, created_ms, updated_ms)"
                               " VALUES ('large', 0, 0)");
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO messages (conversation_id, role, model,"
                                       " endpoint, state, created_ms, ttft_ms, total_ms)"
                                       " VALUES (1, 'assistant', ?1, 'e', 'complete', ?2, ?3, ?3)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  for (guint g = 0; g < 2; g++)
    for (guint i = 0; i < N; i++)
      {
        sqlite3_bind_text (stmt, 1, g == 0 ? "a" : "b", -1, SQLITE_STATIC);
        sqlite3_bind_int64 (stmt, 2, today_ms - 1 - (gint64) (i % 5) * DAY_MS);
        sqlite3_bind_double (stmt, 3, (double) order[i] * (g + 1));
        g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
        sqlite3_reset (stmt);
      }
  sqlite3_finalize (stmt);
  hearth_test_sqlite_exec (db, "COMMIT");
  sqlite3_close (db);

  for (guint pass = 0; pass < 2; pass++)
    {
      g_clear_pointer (&groups, g_ptr_array_unref);
      groups = aggregate (store, today_ms - 10 * DAY_MS, NULL);
      g_assert_cmpuint (groups->len, ==, 2);
      for (guint g = 0; g < 2; g++)
        {
          HearthMetricsGroup *group = g_ptr_array_index (groups, g);

          g_assert_cmpstr (group->model, ==, g == 0 ? "a" : "b");
          g_assert_cmpuint (group->count, ==, N);
          /* ranks ⌈0.5 N⌉, ⌈0.95 N⌉, ⌈0.99 N⌉ */
          g_assert_cmpfloat (group->ttft_p50_ms, ==, 55000.0 * (g + 1));
          g_assert_cmpfloat (group->ttft_p95_ms, ==, 104500.0 * (g + 1));
          g_assert_cmpfloat (group->ttft_p99_ms, ==, 108900.0 * (g + 1));
          g_assert_cmpfloat (group->total_p99_ms, ==, 108900.0 * (g + 1));
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  hearth_test_init (&argc, &argv);

  g_test_add_func ("/metrics/percentiles", test_percentiles);
  g_test_add_func ("/metrics/percentile-small", test_percentile_small);
  g_test_add_func ("/metrics/window-and-unknown", test_window_and_unknown);
  g_test_add_func ("/metrics/grouping", test_grouping);
  g_test_add_func ("/metrics/parse-since", test_parse_since);
  g_test_add_func ("/metrics/grouping-by", test_grouping_by);
  g_test_add_func ("/metrics/percentile-matches-sort", test_percentile_matches_sort);
  g_test_add_func ("/metrics/percentiles-random", test_percentiles_random);
  g_test_add_func ("/metrics/windows", test_windows);
  g_test_add_func ("/metrics/day-cache", test_day_cache);
  g_test_add_func ("/metrics/large-groups", test_large_groups);
  g_test_add_func ("/metrics/export-csv", test_export_csv);
  g_test_add_func ("/metrics/export-json", test_export_json);
  g_test_add_func ("/metrics/export-empty", test_export_empty);

  return g_test_run ();
}
