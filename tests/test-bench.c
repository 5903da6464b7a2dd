/* test-bench.c — model benchmarks against the real test engine, slowed to a known pace
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine sleeps TOKEN_DELAY_MS before each token, so the decode speed a
 * benchmark reports can be at most a little over 1000 / TOKEN_DELAY_MS. The
 * tiny model's own time per token (~2 ms, more on a machine busy with other
 * tests, as in the sanitizer phase) comes on top, and the engine honestly
 * counts it: so a speed up to 20 % under the pace is right, one over it by
 * more than 5 % is not. HEARTH_BENCH_SCALE=0.25 shortens the prompt
 * set (8 and 40 tokens per answer, 2 parts of long prompt) to keep the
 * program under a minute; the options recorded say so.
 */
#include <json-glib/json-glib.h>
#include <math.h>
#include <signal.h>

#include "hearth-bench.h"
#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

#define TOKEN_DELAY_MS "30"
#define PACE           (1000.0 / 30)
#define RANDOM_MODEL   "tiny-random"
#define SHORT_MODEL    "tiny-short-context"
#define SHORT_CONTEXT  256

static HearthTestServer *
get_engine (void)
{
  static gboolean prepared;

  if (!prepared)
    {
      g_autofree char *random = hearth_test_make_model ("random", RANDOM_MODEL);
      g_autofree char *short_context = hearth_test_make_model_with_context ("random", SHORT_MODEL,
                                                                            SHORT_CONTEXT);
      const char *args[] = { "--token-delay-ms", TOKEN_DELAY_MS, NULL };

      hearth_test_engine_server (args);
      prepared = TRUE;
    }
  return hearth_test_engine_server (NULL);
}

static const char *
engine_url (void)
{
  return hearth_test_server_get_url (get_engine ());
}

static guint
count_rows (const char *where)
{
  /* Opening the history creates it. */
  g_autoptr(HearthStore) store = hearth_test_open_history ();
  g_autofree char *path = hearth_store_default_path ();
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM bench_runs WHERE %s", where);

  return hearth_test_sqlite_query_int (path, sql);
}

/* Running a benchmark in-process */

typedef struct
{
  GMainLoop         *loop;
  HearthBenchResult *result;
  GError            *error;
  GCancellable      *cancellable;
  guint              cancel_at;     /* cancel while this request streams; 0 never */
  gboolean           cancel_now;    /* cancel from the first "progress" */
  guint              n_progress;
  guint              last_done;
  guint              total;
  gint64             cancelled_us;
} Wait;

static gboolean
cancel_cb (gpointer user_data)
{
  Wait *wait = user_data;

  wait->cancelled_us = g_get_monotonic_time ();
  g_cancellable_cancel (wait->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_progress (HearthBench *bench,
             guint        done,
             guint        total,
             const char  *label,
             Wait        *wait)
{
  g_assert_cmpuint (done, <=, total);
  g_assert_cmpuint (done, >=, wait->last_done);
  g_assert_nonnull (label);
  if (done > 0 && done < total)
    g_assert_true (g_str_has_prefix (label, "Run "));
  wait->n_progress++;
  wait->last_done = done;
  wait->total = total;
  if (wait->cancel_at != 0 && done == wait->cancel_at)
    g_timeout_add (300, cancel_cb, wait);
  if (wait->cancel_now)
    cancel_cb (wait);
}

static void
bench_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = hearth_bench_run_finish (HEARTH_BENCH (object), result, &wait->error);
  g_main_loop_quit (wait->loop);
}

static void
run_bench (HearthBench *bench,
           Wait        *wait)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  wait->loop = loop;
  wait->cancellable = g_cancellable_new ();
  g_signal_connect (bench, "progress", G_CALLBACK (on_progress), wait);
  hearth_bench_run_async (bench, wait->cancellable, bench_done_cb, wait);
  g_main_loop_run (loop);
  wait->loop = NULL;
  g_clear_object (&wait->cancellable);
}

static void
wait_clear (Wait *wait)
{
  g_clear_pointer (&wait->result, hearth_bench_result_free);
  g_clear_error (&wait->error);
}

static void
assert_pace (double tokens_per_s)
{
  g_test_message ("decode %.2f tokens/s, pace %.2f", tokens_per_s, PACE);
  g_assert_cmpfloat (tokens_per_s, <=, 1.05 * PACE);
  g_assert_cmpfloat (tokens_per_s, >=, 0.80 * PACE);
}

static void
assert_complete (const HearthBenchResult *r,
                 HearthApiKind            api,
                 guint                    runs)
{
  g_autoptr(JsonNode) options = hearth_test_parse_json (r->options);
  JsonObject *o = json_node_get_object (options);

  g_assert_cmpint (r->state, ==, HEARTH_BENCH_COMPLETE);
  g_assert_null (r->error);
  g_assert_cmpuint (r->runs, ==, runs);
  g_assert_true (g_str_has_prefix (r->model, RANDOM_MODEL));
  g_assert_cmpstr (r->api, ==, hearth_api_kind_to_string (api));
  if (api == HEARTH_API_OLLAMA)
    g_assert_cmpuint (strlen (r->digest), ==, 64);
  else
    g_assert_null (r->digest);
  g_assert_true (r->hardware != NULL && strstr (r->hardware, "threads") != NULL);
  g_assert_cmpint (json_object_get_int_member (o, "seed"), ==, 42);
  g_assert_cmpfloat (json_object_get_double_member (o, "temperature"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (o, "num_ctx"), ==, 2048);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "num_predict")), ==, 4);

  g_assert_cmpfloat (r->load_ms, >=, 0);
  g_assert_true (r->already_loaded == (r->load_ms == 0));
  g_assert_cmpfloat (r->ttft_p50_ms, >, 0);
  g_assert_cmpfloat (r->ttft_p50_ms, <=, r->ttft_p95_ms);
  g_assert_cmpfloat (r->prompt_tps_min, >, 0);
  g_assert_cmpfloat (r->prompt_tps_min, <=, r->prompt_tps_median);
  g_assert_cmpfloat (r->prompt_tps_median, <=, r->prompt_tps_max);
  g_assert_cmpfloat (r->decode_tps_min, <=, r->decode_tps_median);
  g_assert_cmpfloat (r->decode_tps_median, <=, r->decode_tps_max);
  assert_pace (r->decode_tps_median);
  g_assert_cmpstr (r->figures_from, ==, "server");
}

/* The figures match the pace; a second run compares with the first; nothing
 * went into the chat history. */
static void
test_pace (gconstpointer data)
{
  HearthApiKind api = GPOINTER_TO_INT (data);
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthSampler) sampler = NULL;
  g_autoptr(HearthBench) bench = NULL;
  g_autoptr(GPtrArray) conversations = NULL;
  g_autoptr(GError) error = NULL;
  Wait first = { 0 };
  Wait second = { 0 };
  HearthProvider *provider;

  if (!hearth_test_require_node ())
    return;
  store = hearth_test_open_history ();
  engine = hearth_engine_new (store);
  provider = hearth_engine_get_provider (engine, api, hearth_test_server_get_url (get_engine ()));
  sampler = hearth_sampler_new ("/", 60);
  hearth_sampler_start (sampler);

  bench = hearth_bench_new (provider, RANDOM_MODEL, 2, sampler);
  run_bench (bench, &first);
  g_assert_no_error (first.error);
  assert_complete (first.result, api, 2);
  g_assert_cmpuint (first.total, ==, 1 + 2 * 4);
  g_assert_cmpuint (first.last_done, ==, first.total);
  g_assert_cmpfloat (hearth_bench_get_fraction (bench), ==, 1);
  g_assert_cmpint (hearth_bench_get_result (bench)->state, ==, HEARTH_BENCH_COMPLETE);
  g_assert_cmpfloat (first.result->peak_cpu_percent, >=, 0);
  g_assert_cmpint (first.result->peak_mem_used, >, 0);

  g_assert_true (hearth_bench_result_save (store, first.result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (first.result->id, >, 0);

  /* Stored runs compare only with themselves, whatever ran before. */
  g_clear_object (&bench);
  bench = hearth_bench_new (provider, RANDOM_MODEL, 1, NULL);
  run_bench (bench, &second);
  g_assert_no_error (second.error);
  assert_complete (second.result, api, 1);
  g_assert_true (second.result->already_loaded);
  g_assert_cmpfloat (second.result->peak_cpu_percent, <, 0);
  g_assert_true (hearth_bench_result_save (store, second.result, &error));
  g_assert_cmpint (second.result->previous_id, ==, first.result->id);
  g_assert_cmpfloat (fabs (second.result->change_percent), <, HEARTH_BENCH_REGRESSION_PERCENT);
  g_assert_false (second.result->regression);

  /* What was measured comes back from the history as it was. */
  {
    g_autoptr(GPtrArray) stored = hearth_bench_list_results (store, NULL, 1, &error);
    const HearthBenchResult *newest;

    g_assert_no_error (error);
    g_assert_cmpuint (stored->len, ==, 1);
    newest = g_ptr_array_index (stored, 0);
    g_assert_cmpint (newest->id, ==, second.result->id);
    g_assert_true (newest->already_loaded);
    g_assert_cmpstr (newest->figures_from, ==, second.result->figures_from);
  }

  conversations = hearth_store_list_conversations (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (conversations->len, ==, 0);
  hearth_sampler_stop (sampler);
  wait_clear (&first);
  wait_clear (&second);
}

/* Cancelled while a request streams: it stops at once, as cancelled. */
static void
test_cancel (void)
{
  g_autoptr(HearthEngine) engine = hearth_engine_new (NULL);
  g_autoptr(HearthBench) bench = NULL;
  const HearthBenchResult *partial;
  Wait wait = { .cancel_at = 2 };
  HearthProvider *provider;

  if (!hearth_test_require_node ())
    return;
  provider = hearth_engine_get_provider (engine, HEARTH_API_OLLAMA,
                                         hearth_test_server_get_url (get_engine ()));
  bench = hearth_bench_new (provider, RANDOM_MODEL, 3, NULL);
  run_bench (bench, &wait);

  g_assert_null (wait.result);
  g_assert_error (wait.error, HEARTH_ERROR, HEARTH_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - wait.cancelled_us, <, G_USEC_PER_SEC / 2);
  partial = hearth_bench_get_result (bench);
  g_assert_cmpint (partial->state, ==, HEARTH_BENCH_CANCELLED);
  g_assert_cmpuint (partial->runs, ==, 0);
  g_assert_cmpuint (wait.last_done, ==, 2);
  wait_clear (&wait);
}

/* No model named: the server's first, like a chat. Cancelled from the
 * first "progress", before any request is sent. */
static void
test_first_model (void)
{
  g_autoptr(HearthEngine) engine = hearth_engine_new (NULL);
  g_autoptr(HearthBench) bench = NULL;
  const HearthBenchResult *partial;
  Wait wait = { .cancel_now = TRUE };

  if (!hearth_test_require_node ())
    return;
  bench = hearth_bench_new (hearth_engine_get_provider (engine, HEARTH_API_OLLAMA, engine_url ()),
                            NULL, 0, NULL);
  run_bench (bench, &wait);
  g_assert_error (wait.error, HEARTH_ERROR, HEARTH_ERROR_CANCELLED);
  g_assert_cmpuint (wait.n_progress, ==, 1);
  g_assert_cmpuint (wait.total, ==, 1 + HEARTH_BENCH_DEFAULT_RUNS * 4);
  partial = hearth_bench_get_result (bench);
  g_assert_cmpint (partial->state, ==, HEARTH_BENCH_CANCELLED);
  g_assert_true (g_str_has_prefix (partial->model, "tiny-"));
  wait_clear (&wait);
}

/* No such model, no such server: said clearly, before anything is measured. */
static void
test_errors (void)
{
  g_autoptr(HearthEngine) engine = hearth_engine_new (NULL);
  g_autoptr(HearthBench) unknown = NULL;
  g_autoptr(HearthBench) unreachable = NULL;
  g_autofree char *line = NULL;
  Wait missing = { 0 };
  Wait refused = { 0 };
  HearthProvider *provider;

  if (!hearth_test_require_node ())
    return;
  provider = hearth_engine_get_provider (engine, HEARTH_API_OLLAMA,
                                         hearth_test_server_get_url (get_engine ()));
  unknown = hearth_bench_new (provider, "no-such-model", 1, NULL);
  run_bench (unknown, &missing);
  g_assert_null (missing.result);
  g_assert_error (missing.error, HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND);
  g_assert_nonnull (strstr (missing.error->message, "no-such-model"));
  g_assert_cmpint (hearth_bench_get_result (unknown)->state, ==, HEARTH_BENCH_FAILED);
  g_assert_cmpuint (missing.n_progress, ==, 0);

  unreachable = hearth_bench_new (hearth_engine_get_provider (engine, HEARTH_API_OLLAMA,
                                                              "http://127.0.0.1:9"),
                                  RANDOM_MODEL, 1, NULL);
  run_bench (unreachable, &refused);
  g_assert_error (refused.error, HEARTH_ERROR, HEARTH_ERROR_CONNECTION_REFUSED);
  line = g_strdup (hearth_bench_get_result (unreachable)->error);
  g_assert_nonnull (strstr (line, "127.0.0.1:9"));
  wait_clear (&missing);
  wait_clear (&refused);
}

/* A model trained for 256 tokens. Where the server tells its context
 * (Ollama's show), the long prompt is cut to fit it and num_ctx says 256;
 * where it cannot (the OpenAI API), the long cases it refuses are named and
 * left out, and the others still measure the model. */
static void
test_small_context (void)
{
  g_autoptr(HearthEngine) engine = hearth_engine_new (NULL);
  g_autoptr(HearthBench) sized = NULL;
  g_autoptr(HearthBench) refused = NULL;
  g_autoptr(JsonNode) options = NULL;
  JsonObject *o;
  Wait ollama = { 0 };
  Wait openai = { 0 };

  if (!hearth_test_require_node ())
    return;
  sized = hearth_bench_new (hearth_engine_get_provider (engine, HEARTH_API_OLLAMA, engine_url ()),
                            SHORT_MODEL, 1, NULL);
  run_bench (sized, &ollama);
  g_assert_no_error (ollama.error);
  g_assert_cmpint (ollama.result->state, ==, HEARTH_BENCH_COMPLETE);
  g_assert_null (ollama.result->error);
  options = hearth_test_parse_json (ollama.result->options);
  o = json_node_get_object (options);
  g_test_message ("options: %s", ollama.result->options);
  g_assert_cmpint (json_object_get_int_member (o, "num_ctx"), ==, SHORT_CONTEXT);
  g_assert_cmpint (json_object_get_int_member (o, "long_prompt_parts"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (o, "long_prompt_bytes"), >, 100);
  g_assert_cmpfloat (ollama.result->prompt_tps_median, >, 0);
  /* the pace itself is test_pace's: one run here, too few requests to hold it */
  g_assert_cmpfloat (ollama.result->decode_tps_median, >, 0);

  refused = hearth_bench_new (hearth_engine_get_provider (engine, HEARTH_API_OPENAI, engine_url ()),
                              SHORT_MODEL, 1, NULL);
  run_bench (refused, &openai);
  g_assert_no_error (openai.error);
  g_assert_cmpint (openai.result->state, ==, HEARTH_BENCH_COMPLETE);
  g_assert_cmpuint (openai.result->runs, ==, 1);
  g_assert_nonnull (openai.result->error);
  g_test_message ("left out: %s; from %s; decode %f..%f; ttft %f", openai.result->error, openai.result->figures_from, openai.result->decode_tps_min, openai.result->decode_tps_max, openai.result->ttft_p50_ms);
  g_assert_nonnull (strstr (openai.result->error, "long prompt, short answer"));
  g_assert_nonnull (strstr (openai.result->error, "long prompt, long answer"));
  g_assert_nonnull (strstr (openai.result->error, "context is 256"));
  g_assert_null (strstr (openai.result->error, "short prompt"));
  /* prompt speed comes from the long prompts only: none was measured */
  g_assert_cmpfloat (openai.result->prompt_tps_median, <, 0);
  g_assert_cmpfloat (openai.result->decode_tps_median, >, 0);
  wait_clear (&ollama);
  wait_clear (&openai);
}

/* Regression flagging on stored rows */

static HearthBenchResult *
synthetic (const char       *hardware,
           const char       *options,
           double            decode_tps,
           HearthBenchState  state)
{
  static gint64 clock_ms = 1700000000000;
  HearthBenchResult *r = hearth_bench_result_new ();

  r->created_ms = clock_ms += 60000;
  r->model = g_strdup ("synthetic:7b");
  r->digest = g_strdup ("0123abcd");
  r->endpoint = g_strdup ("http://127.0.0.1:11434");
  r->api = g_strdup ("ollama");
  r->options = g_strdup (options);
  r->hardware = g_strdup (hardware);
  r->runs = 3;
  r->state = state;
  r->decode_tps_median = r->decode_tps_min = r->decode_tps_max = decode_tps;
  return r;
}

static HearthBenchResult *
save_synthetic (HearthStore      *store,
                const char       *hardware,
                const char       *options,
                double            decode_tps,
                HearthBenchState  state)
{
  g_autoptr(GError) error = NULL;
  HearthBenchResult *r = synthetic (hardware, options, decode_tps, state);

  g_assert_true (hearth_bench_result_save (store, r, &error));
  g_assert_no_error (error);
  g_assert_cmpint (r->id, >, 0);
  return r;
}

static void
test_regression (void)
{
  g_autofree char *path = hearth_test_build_tmp_path ("regression.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = hearth_store_open (path, &error);
  g_autoptr(HearthBenchResult) base = NULL;
  g_autoptr(HearthBenchResult) slow = NULL;
  g_autoptr(HearthBenchResult) slower = NULL;
  g_autoptr(HearthBenchResult) cancelled = NULL;
  g_autoptr(HearthBenchResult) after_cancel = NULL;
  g_autoptr(HearthBenchResult) other_machine = NULL;
  g_autoptr(HearthBenchResult) other_options = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) none = NULL;

  g_assert_no_error (error);
  base = save_synthetic (store, "cpu A", "{\"seed\":42}", 100, HEARTH_BENCH_COMPLETE);
  g_assert_cmpint (base->previous_id, ==, 0);
  g_assert_true (isnan (base->change_percent));

  /* 16 % slower: flagged. */
  slow = save_synthetic (store, "cpu A", "{\"seed\":42}", 84, HEARTH_BENCH_COMPLETE);
  g_assert_cmpint (slow->previous_id, ==, base->id);
  g_assert_cmpfloat (fabs (slow->change_percent + 16), <, 1e-9);
  g_assert_true (slow->regression);

  /* 10 % slower than the run before it: not. */
  slower = save_synthetic (store, "cpu A", "{\"seed\":42}", 75.6, HEARTH_BENCH_COMPLETE);
  g_assert_cmpint (slower->previous_id, ==, slow->id);
  g_assert_cmpfloat (fabs (slower->change_percent + 10), <, 1e-9);
  g_assert_false (slower->regression);

  /* A cancelled run is never the one to compare with. */
  cancelled = save_synthetic (store, "cpu A", "{\"seed\":42}", 500, HEARTH_BENCH_CANCELLED);
  g_assert_cmpint (cancelled->previous_id, ==, 0);
  after_cancel = save_synthetic (store, "cpu A", "{\"seed\":42}", 75.6, HEARTH_BENCH_COMPLETE);
  g_assert_cmpint (after_cancel->previous_id, ==, slower->id);
  g_assert_false (after_cancel->regression);

  /* Another machine or other options: nothing to compare with. */
  other_machine = save_synthetic (store, "cpu B", "{\"seed\":42}", 10, HEARTH_BENCH_COMPLETE);
  g_assert_cmpint (other_machine->previous_id, ==, 0);
  g_assert_false (other_machine->regression);
  other_options = save_synthetic (store, "cpu A", "{\"seed\":43}", 10, HEARTH_BENCH_COMPLETE);
  g_assert_cmpint (other_options->previous_id, ==, 0);
  g_assert_false (other_options->regression);

  listed = hearth_bench_list_results (store, "synthetic:7b", 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 3);
  g_assert_cmpint (((HearthBenchResult *) listed->pdata[0])->id, ==, other_options->id);
  g_assert_cmpint (((HearthBenchResult *) listed->pdata[2])->id, ==, after_cancel->id);
  g_assert_cmpint (((HearthBenchResult *) listed->pdata[2])->previous_created_ms, ==,
                   slower->created_ms);
  g_assert_cmpfloat (((HearthBenchResult *) listed->pdata[2])->change_percent, ==,
                     after_cancel->change_percent);
  none = hearth_bench_list_results (store, "other", 0, &error);
  g_assert_cmpuint (none->len, ==, 0);
}

/* Runs that varied a lot between their own repeats: a 20 % fall is within
 * their spread and is not flagged; a fall far beyond it is. The threshold
 * is the core's, also on the listed runs the page and the CLI show. */
static void
test_regression_noise (void)
{
  g_autofree char *path = hearth_test_build_tmp_path ("regression-noise.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = hearth_store_open (path, &error);
  g_autoptr(HearthBenchResult) base = synthetic ("cpu N", "{}", 100, HEARTH_BENCH_COMPLETE);
  g_autoptr(HearthBenchResult) noisy = synthetic ("cpu N", "{}", 80, HEARTH_BENCH_COMPLETE);
  g_autoptr(HearthBenchResult) drop = synthetic ("cpu N", "{}", 30, HEARTH_BENCH_COMPLETE);
  g_autoptr(GPtrArray) listed = NULL;
  const HearthBenchResult *listed_noisy;

  g_assert_no_error (error);
  /* each run's repeats spread ±15 % around its median */
  base->decode_tps_min = 85;
  base->decode_tps_max = 115;
  g_assert_true (hearth_bench_result_save (store, base, &error));
  noisy->decode_tps_min = 68;
  noisy->decode_tps_max = 92;
  g_assert_true (hearth_bench_result_save (store, noisy, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (fabs (noisy->change_percent + 20), <, 1e-9);
  /* 2 × √(15² + 15²) ≈ 42 %: well above the base threshold */
  g_assert_cmpfloat (noisy->regression_threshold_percent, >, hearth_bench_regression_base_percent ());
  g_assert_cmpfloat (fabs (noisy->regression_threshold_percent - 2 * sqrt (2 * 15 * 15)), <, 1e-6);
  g_assert_false (noisy->regression);

  drop->decode_tps_min = 29;
  drop->decode_tps_max = 31;
  g_assert_true (hearth_bench_result_save (store, drop, &error));
  g_assert_cmpfloat (drop->change_percent, <, -drop->regression_threshold_percent);
  g_assert_true (drop->regression);

  listed = hearth_bench_list_results (store, "synthetic:7b", 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 3);
  listed_noisy = listed->pdata[1];
  g_assert_cmpint (listed_noisy->id, ==, noisy->id);
  g_assert_cmpfloat (fabs (listed_noisy->regression_threshold_percent -
                           noisy->regression_threshold_percent), <, 1e-9);
  g_assert_false (listed_noisy->regression);
}

/* hearth-cli bench */

static JsonObject *
bench_json (JsonNode **root)
{
  g_autoptr(HearthTestRun) run = hearth_test_run_cli (NULL, "bench", "--endpoint", engine_url (),
                                                      "--model", RANDOM_MODEL, "--runs", "1",
                                                      "--json", NULL);

  g_assert_cmpint (run->exit_code, ==, 0);
  g_assert_nonnull (strstr (run->err, "Run 1 of 1 · long prompt, long answer"));
  *root = hearth_test_parse_json (run->out);
  return json_node_get_object (*root);
}

static void
test_cli (void)
{
  g_autoptr(JsonNode) first_root = NULL;
  g_autoptr(JsonNode) list_root = NULL;
  g_autoptr(JsonNode) none_root = NULL;
  g_autoptr(HearthTestRun) text = NULL;
  g_autoptr(HearthTestRun) list = NULL;
  g_autoptr(HearthTestRun) table = NULL;
  g_autoptr(HearthTestRun) none = NULL;
  g_autoptr(HearthTestRun) missing = NULL;
  g_autofree char *path = hearth_store_default_path ();
  g_autofree char *copy = NULL;
  g_autofree char *expected = NULL;
  JsonObject *first;
  JsonArray *rows;
  gint64 first_id;
  guint before;

  if (!hearth_test_require_node ())
    return;
  before = count_rows ("1");
  first = bench_json (&first_root);
  first_id = json_object_get_int_member (first, "id");
  g_assert_cmpint (first_id, >, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "state"), ==, "complete");
  g_assert_cmpint (json_object_get_int_member (first, "runs"), ==, 1);
  assert_pace (json_object_get_double_member (first, "decode_tps_median"));
  g_assert_cmpfloat (json_object_get_double_member (first, "ttft_p50_ms"), <=,
                     json_object_get_double_member (first, "ttft_p95_ms"));
  g_assert_true (json_object_has_member (first, "already_loaded"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (first, "options"),
                                               "seed"), ==, 42);

  /* A stored run twice as fast as this machine: the next run is a regression. */
  copy = g_strdup_printf ("INSERT INTO bench_runs (created_ms, model, digest, endpoint, api,"
                          " options, hardware, runs, state, decode_tps_median)"
                          " SELECT created_ms + 1, model, digest, endpoint, api, options, hardware,"
                          " runs, state, decode_tps_median * 2 FROM bench_runs WHERE id = %"
                          G_GINT64_FORMAT, first_id);
  hearth_test_sqlite_run (path, copy);
  text = hearth_test_run_cli (NULL, "bench", "--endpoint", engine_url (), "--model", RANDOM_MODEL,
                              "--runs", "1", NULL);
  g_assert_cmpint (text->exit_code, ==, 0);
  g_assert_nonnull (strstr (text->out, "Decode tokens/s:"));
  g_assert_nonnull (strstr (text->out, "Time to first token: p50 "));
  expected = g_strdup_printf ("slower than run #%" G_GINT64_FORMAT " on ", first_id + 1);
  g_assert_nonnull (strstr (text->out, "Regression: "));
  g_assert_nonnull (strstr (text->out, expected));

  list = hearth_test_run_cli (NULL, "bench", "list", "--json", NULL);
  g_assert_cmpint (list->exit_code, ==, 0);
  list_root = hearth_test_parse_json (list->out);
  rows = json_node_get_array (list_root);
  g_assert_cmpuint (json_array_get_length (rows), ==, before + 3);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (rows, 0),
                                               "previous_id"), ==, first_id + 1);
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (rows, 0),
                                                 "regression"));
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (rows, 2), "id"),
                   ==, first_id);
  for (guint i = 1; i < json_array_get_length (rows); i++)
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (rows, i - 1),
                                                 "created_ms"), >=,
                     json_object_get_int_member (json_array_get_object_element (rows, i),
                                                 "created_ms"));

  table = hearth_test_run_cli (NULL, "bench", "list", NULL);
  g_assert_cmpint (table->exit_code, ==, 0);
  g_assert_nonnull (strstr (table->out, "REGRESSION"));
  none = hearth_test_run_cli (NULL, "bench", "list", "--model", "nothing", "--json", NULL);
  none_root = hearth_test_parse_json (none->out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (none_root)), ==, 0);

  /* An unknown model: one line, and nothing stored. */
  missing = hearth_test_run_cli (NULL, "bench", "--endpoint", engine_url (), "--model",
                                 "no-such-model", NULL);
  g_assert_cmpint (missing->exit_code, !=, 0);
  hearth_test_assert_one_line (missing->err);
  g_assert_nonnull (strstr (missing->err, "no-such-model"));
  g_assert_cmpuint (count_rows ("1"), ==, before + 3);
}

/* A benchmark made by the engine sends the model's run options with every
 * request and records them, so runs with other options never compare. */
static void
test_run_options (void)
{
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthBench) bench = NULL;
  g_autoptr(HearthRunOptions) options = hearth_run_options_new ();
  g_autoptr(JsonNode) recorded = NULL;
  g_autoptr(GError) error = NULL;
  HearthTuning *tuning;
  HearthProvider *provider;
  JsonObject *o, *run_options;
  Wait wait = { 0 };

  if (!hearth_test_require_node ())
    return;
  store = hearth_test_open_history ();
  engine = hearth_engine_new (store);
  tuning = hearth_engine_get_tuning (engine);
  hearth_tuning_set_monitors (tuning, NULL, NULL);
  hearth_tuning_set_on_battery (tuning, FALSE);
  hearth_run_options_parse_assignment (options, "num_thread=2", &error);
  hearth_run_options_parse_assignment (options, "num_batch=64", &error);
  g_assert_no_error (error);
  g_assert_true (hearth_tuning_set_model_options (tuning, RANDOM_MODEL ":latest", NULL, options, &error));
  g_assert_no_error (error);
  provider = hearth_engine_get_provider (engine, HEARTH_API_OLLAMA,
                                         hearth_test_server_get_url (get_engine ()));

  /* asked by the short name, as the CLI and the page do */
  bench = hearth_engine_new_bench (engine, provider, RANDOM_MODEL, 1, NULL);
  run_bench (bench, &wait);
  g_assert_no_error (wait.error);
  g_assert_cmpint (wait.result->state, ==, HEARTH_BENCH_COMPLETE);
  recorded = hearth_test_parse_json (wait.result->options);
  o = json_node_get_object (recorded);
  run_options = json_object_get_object_member (o, "run_options");
  g_assert_nonnull (run_options);
  g_assert_cmpint (json_object_get_int_member (run_options, "num_thread"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (run_options, "num_batch"), ==, 64);
  /* the Balanced profile sets no context: the benchmark's own is sent */
  g_assert_false (json_object_has_member (run_options, "num_ctx"));
  g_assert_cmpint (json_object_get_int_member (o, "num_ctx"), ==, 2048);
  g_assert_cmpint (json_object_get_int_member (o, "seed"), ==, 42);
  wait_clear (&wait);
  /* the history is the one hearth-cli bench reads next: leave the model as it was */
  g_assert_true (hearth_tuning_reset_model_options (tuning, RANDOM_MODEL ":latest", NULL, &error));
  g_assert_no_error (error);
}

/* Ctrl+C: exit 130, nothing stored. */

static gboolean
interrupt_cb (gpointer user_data)
{
  g_subprocess_send_signal (G_SUBPROCESS (user_data), SIGINT);
  return G_SOURCE_REMOVE;
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  g_main_loop_quit (user_data);
}

static void
test_cli_interrupt (void)
{
  g_autofree char *cli = g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "src", "hearth-cli",
                                          NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  guint before;

  if (!hearth_test_require_node ())
    return;
  before = count_rows ("1");
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              &error, cli, "bench", "--endpoint", engine_url (), "--model",
                              RANDOM_MODEL, "--runs", "3", NULL);
  g_assert_no_error (error);
  g_timeout_add (1500, interrupt_cb, process);
  g_subprocess_wait_async (process, NULL, wait_cb, loop);
  g_main_loop_run (loop);

  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 130);
  g_assert_cmpuint (count_rows ("1"), ==, before);
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);
  g_setenv ("HEARTH_BENCH_SCALE", "0.25", TRUE);

  g_test_add_data_func ("/bench/ollama/pace", GINT_TO_POINTER (HEARTH_API_OLLAMA), test_pace);
  g_test_add_data_func ("/bench/openai/pace", GINT_TO_POINTER (HEARTH_API_OPENAI), test_pace);
  g_test_add_func ("/bench/cancel", test_cancel);
  g_test_add_func ("/bench/first-model", test_first_model);
  g_test_add_func ("/bench/errors", test_errors);
  g_test_add_func ("/bench/small-context", test_small_context);
  g_test_add_func ("/bench/regression", test_regression);
  g_test_add_func ("/bench/regression-noise", test_regression_noise);
  g_test_add_func ("/bench/run-options", test_run_options);
  g_test_add_func ("/bench/cli", test_cli);
  g_test_add_func ("/bench/cli-interrupt", test_cli_interrupt);

  return g_test_run ();
}
