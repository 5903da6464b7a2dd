/* test-metrics.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hearth-error.h"
#include "hearth-metrics.h"
#include "hearth-test-util.h"

#define NOW_MS   G_GINT64_CONSTANT (1700000000000)
#define HOUR_MS  G_GINT64_CONSTANT (3600000)

static HearthStore *
open_store (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = hearth_test_build_tmp_path (name, "hearth.db", NULL);
  HearthStore *store = hearth_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

/* Stores one request: a user message and its reply. */
static void
add_request (HearthStore        *store,
             const char         *model,
             const char         *endpoint,
             HearthMessageState  state,
             gint64              created_ms,
             double              ttft_ms,
             double              total_ms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthMessage) question = hearth_message_new ("user", "q");
  g_autoptr(HearthMessage) reply = hearth_message_new ("assistant", "a");
  gint64 conversation_id = hearth_store_create_conversation (store, "t", &error);

  g_assert_no_error (error);
  question->conversation_id = reply->conversation_id = conversation_id;
  question->created_ms = created_ms;
  hearth_store_add_message (store, question, &error);
  g_assert_no_error (error);
  reply->model = g_strdup (model);
  reply->endpoint = g_strdup (endpoint);
  reply->state = state;
  reply->created_ms = created_ms;
  reply->figures.ttft_ms = ttft_ms;
  reply->figures.total_ms = total_ms;
  reply->figures.tokens_per_s = ttft_ms > 0 ? ttft_ms / 10 : -1;
  hearth_store_add_message (store, reply, &error);
  g_assert_no_error (error);
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
  g_autoptr(HearthStore) store = open_store ("percentiles");
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
  g_autoptr(HearthStore) store = open_store ("window");
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
  g_assert_cmpfloat (group->success_rate, ==, 0.25);
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
  g_autoptr(HearthStore) store = open_store ("grouping");
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

  return g_test_run ();
}
