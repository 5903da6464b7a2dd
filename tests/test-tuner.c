/* test-tuner.c — the tuner against the real test engine; applying,
 * rolling back, and the watch on real use
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The test engine runs each request with the num_thread, num_batch and
 * num_ctx it is sent (node-llama-cpp) and says in /_stats what each model
 * last received, so these tests check both what the tuner measured and
 * what really went out. HEARTH_BENCH_SCALE=0.25 keeps each measured
 * request to 8 tokens.
 */
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"
#include "hearth-tuner.h"
#include "hearth-tuning.h"

#define MODEL       "tiny-random"
#define MODEL_FULL  "tiny-random:latest"
#define FIXED_FULL  "tiny-fixed:latest"
#define NOISE       0.03

static const char *
engine_url (void)
{
  static gboolean prepared;

  if (!prepared)
    {
      g_autofree char *random = hearth_test_make_model ("random", MODEL);

      prepared = TRUE;
    }
  return hearth_test_engine_url ();
}

/* What the engine last received for @model: num_thread, -1 when not sent. */
static double
engine_last (const char *model,
             const char *key)
{
  g_autofree char *text = hearth_test_server_request (hearth_test_engine_server (NULL), "GET", "/_stats");
  g_autoptr(JsonNode) root = hearth_test_parse_json (text);
  JsonObject *last = json_object_get_object_member (json_node_get_object (root), "last_options");
  JsonObject *options;

  if (!json_object_has_member (last, model))
    return -2;
  options = json_object_get_object_member (last, model);
  return json_object_has_member (options, key) ? json_object_get_double_member (options, key) : -1;
}

static double
get_or (const HearthRunOptions *options,
        HearthRunOptionKey      key,
        double                  unset)
{
  return options != NULL && hearth_run_options_is_set (options, key)
         ? hearth_run_options_get (options, key) : unset;
}

/* ---- Running a tuner ---- */

typedef struct
{
  GMainLoop        *loop;
  HearthTuneResult *result;
  GError           *error;
  guint             started;
  guint             finished;
  GArray           *sent_threads;      /* double: what the engine received per trial run */
  GArray           *trial_threads;     /* double: what the trial said */
  GCancellable     *cancellable;
  guint             cancel_at_start;   /* cancel while trial N runs; 0 never */
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->loop, g_main_loop_unref);
  g_clear_pointer (&run->result, hearth_tune_result_free);
  g_clear_error (&run->error);
  g_clear_pointer (&run->sent_threads, g_array_unref);
  g_clear_pointer (&run->trial_threads, g_array_unref);
  g_clear_object (&run->cancellable);
}

static gboolean
cancel_idle (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
on_trial_started (HearthTuner      *tuner,
                  guint             index,
                  HearthRunOptions *options,
                  Run              *run)
{
  run->started++;
  g_assert_cmpuint (index, >=, run->started);
  g_assert_nonnull (options);
  /* From the main loop, once the trial's warm-up request is on its way. */
  if (index == run->cancel_at_start)
    g_idle_add_full (G_PRIORITY_DEFAULT, cancel_idle, g_object_ref (run->cancellable), g_object_unref);
}

static void
on_trial_finished (HearthTuner     *tuner,
                   HearthTuneTrial *trial,
                   Run             *run)
{
  double sent, wanted;

  run->finished++;
  g_test_message ("trial %u: %s threads %.0f batch %.0f → %.1f tok/s (prompt %.1f)%s%s",
                  trial->index, trial->model,
                  get_or (trial->options, HEARTH_RUN_OPTION_NUM_THREAD, -1),
                  get_or (trial->options, HEARTH_RUN_OPTION_NUM_BATCH, -1),
                  trial->decode_tps, trial->prompt_tps, trial->best ? " best so far" : "",
                  trial->error != NULL ? trial->error : "");
  if (trial->state == HEARTH_TUNE_TRIAL_SKIPPED)
    return;
  /* What the engine really ran this trial with. */
  sent = engine_last (trial->model, "num_thread");
  wanted = get_or (trial->options, HEARTH_RUN_OPTION_NUM_THREAD, -1);
  g_array_append_val (run->sent_threads, sent);
  g_array_append_val (run->trial_threads, wanted);
  g_assert_cmpuint (hearth_tuner_get_n_done (tuner), ==, run->finished);
  g_assert_cmpuint (hearth_tuner_get_n_planned (tuner), >=, run->finished);
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Run *run = user_data;

  run->result = hearth_tuner_run_finish (HEARTH_TUNER (object), result, &run->error);
  g_main_loop_quit (run->loop);
}

static void
run_tuner (HearthTuner *tuner,
           Run         *run)
{
  run->loop = g_main_loop_new (NULL, FALSE);
  run->sent_threads = g_array_new (FALSE, FALSE, sizeof (double));
  run->trial_threads = g_array_new (FALSE, FALSE, sizeof (double));
  if (run->cancellable == NULL)
    run->cancellable = g_cancellable_new ();
  g_signal_connect (tuner, "trial-started", G_CALLBACK (on_trial_started), run);
  g_signal_connect (tuner, "trial-finished", G_CALLBACK (on_trial_finished), run);
  hearth_tuner_run_async (tuner, run->cancellable, run_cb, run);
  g_main_loop_run (run->loop);
  g_signal_handlers_disconnect_by_data (tuner, run);
}

static const HearthTuneTrial *
fastest (const HearthTuneResult *result)
{
  const HearthTuneTrial *best = NULL;

  for (guint i = 0; i < result->trials->len; i++)
    {
      const HearthTuneTrial *t = g_ptr_array_index (result->trials, i);

      if (t->state == HEARTH_TUNE_TRIAL_MEASURED && g_strcmp0 (t->model, result->model) == 0 &&
          (best == NULL || t->decode_tps > best->decode_tps))
        best = t;
    }
  return best;
}

static void
assert_engine_received_each (Run *run)
{
  g_assert_cmpuint (run->sent_threads->len, ==, run->trial_threads->len);
  for (guint i = 0; i < run->sent_threads->len; i++)
    g_assert_cmpfloat (g_array_index (run->sent_threads, double, i), ==,
                       g_array_index (run->trial_threads, double, i));
}

/* ---- The tuner picks what it measured ---- */

static void
test_measured_best (void)
{
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthTuner) tuner = NULL;
  HearthTuneParams params = { 0 };
  HearthProvider *provider;
  const HearthTuneTrial *winner, *top;
  gboolean tried_threads[3] = { FALSE };
  Run run = { 0 };

  if (!hearth_test_require_node ())
    return;
  engine = hearth_engine_new (NULL);
  provider = hearth_engine_get_provider (engine, HEARTH_API_OLLAMA, engine_url ());
  params.physical_cores = params.logical_threads = MIN (g_get_num_processors (), 2);
  params.budget = 5;
  params.runs = 2;
  tuner = hearth_tuner_new (provider, MODEL, &params, NULL);
  run_tuner (tuner, &run);

  g_assert_no_error (run.error);
  g_assert_nonnull (run.result);
  g_test_message ("%s", run.result->explanation);
  g_assert_false (run.result->cancelled);
  g_assert_cmpstr (run.result->model, ==, MODEL_FULL);
  g_assert_cmpstr (run.result->method, ==, "coordinate descent");
  g_assert_cmpuint (run.result->trials->len, ==, run.finished);
  g_assert_cmpuint (run.finished, >=, 2);
  g_assert_cmpuint (run.finished, <=, 5);
  g_assert_cmpuint (run.started, ==, run.finished);
  /* The engine ran every trial with the threads it said. */
  assert_engine_received_each (&run);

  /* The winner is the fastest it measured (within the noise it allows). */
  g_assert_nonnull (run.result->best);
  winner = g_ptr_array_index (run.result->trials, run.result->best_index - 1);
  top = fastest (run.result);
  g_assert_true (hearth_run_options_equal (winner->options, run.result->best));
  g_assert_cmpfloat (run.result->best_decode_tps, ==, winner->decode_tps);
  g_assert_cmpfloat (winner->decode_tps, >=, top->decode_tps * (1 - NOISE));
  g_assert_cmpint (run.result->finished_ms, >=, run.result->started_ms);

  /* Both thread counts of this machine were measured (the engine's default is one). */
  for (guint i = 0; i < run.result->trials->len; i++)
    {
      const HearthTuneTrial *t = g_ptr_array_index (run.result->trials, i);
      int threads = (int) get_or (t->options, HEARTH_RUN_OPTION_NUM_THREAD, 1);

      if (t->state == HEARTH_TUNE_TRIAL_MEASURED && threads >= 1 && threads <= 2)
        tried_threads[threads] = TRUE;
    }
  if (params.physical_cores == 2)
    g_assert_true (tried_threads[1] && tried_threads[2]);
  run_clear (&run);
}

/* An OpenAI-compatible server sets its own threads, batch and context:
 * the tuner measures what there is and says there was nothing to vary. */
static void
test_openai (void)
{
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthTuner) tuner = NULL;
  HearthTuneParams params = { 0 };
  HearthProvider *provider;
  Run run = { 0 };

  if (!hearth_test_require_node ())
    return;
  engine = hearth_engine_new (NULL);
  provider = hearth_engine_get_provider (engine, HEARTH_API_OPENAI, engine_url ());
  params.physical_cores = params.logical_threads = 2;
  params.min_ctx = 1024;
  tuner = hearth_tuner_new (provider, MODEL, &params, NULL);
  run_tuner (tuner, &run);
  g_assert_no_error (run.error);
  g_assert_cmpuint (run.result->trials->len, ==, 1);
  g_assert_nonnull (run.result->best);
  g_assert_nonnull (strstr (run.result->explanation, "nothing to vary"));
  run_clear (&run);
}

/* ---- Cancel ---- */

static void
test_cancel (void)
{
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthTuner) tuner = NULL;
  g_autoptr(HearthModelOptions) options = NULL;
  HearthTuning *tuning;
  HearthProvider *provider;
  Run run = { 0 };

  if (!hearth_test_require_node ())
    return;
  store = hearth_test_open_store ("tuner-cancel");
  engine = hearth_engine_new (store);
  tuning = hearth_engine_get_tuning (engine);
  provider = hearth_engine_get_provider (engine, HEARTH_API_OLLAMA, engine_url ());
  tuner = hearth_tuning_new_tuner (tuning, provider, MODEL, NULL, 8, FALSE, NULL);
  /* While trial 3's requests are on their way. */
  run.cancel_at_start = 3;
  run_tuner (tuner, &run);

  g_assert_no_error (run.error);
  g_assert_nonnull (run.result);
  g_assert_true (run.result->cancelled);
  /* The two trials done, not the one cut short. */
  g_assert_cmpuint (run.result->trials->len, ==, 2);
  g_assert_cmpuint (run.started, ==, 3);
  g_assert_cmpuint (run.finished, ==, 2);
  g_assert_nonnull (run.result->best);
  g_assert_cmpfloat (run.result->best_decode_tps, ==, fastest (run.result)->decode_tps);
  g_assert_nonnull (strstr (run.result->explanation, "Cancelled after 2 trials"));
  /* Nothing applied. */
  options = hearth_tuning_get_model_options (tuning, MODEL_FULL, NULL);
  g_assert_null (options);
  run_clear (&run);
}

/* ---- Apply, send, roll back ---- */

typedef struct
{
  GMainLoop *loop;
  GPtrArray *runs;
  GError    *error;
} ListWait;

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  ListWait *wait = user_data;

  wait->runs = hearth_tuning_list_runs_finish (HEARTH_TUNING (object), result, &wait->error);
  g_main_loop_quit (wait->loop);
}

static void
finished_cb (HearthReply *reply,
             GMainLoop   *loop)
{
  g_main_loop_quit (loop);
}

/* One chat through the engine, as the GUI and hearth-cli ask. */
static void
chat (HearthEngine   *engine,
      HearthProvider *provider,
      const char     *model)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(HearthReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  HearthChatRequest *request = hearth_chat_request_new ();

  request->model = g_strdup (model);
  request->num_predict = 4;
  hearth_chat_request_add_message (request, "user", "hi");
  reply = hearth_engine_chat (engine, provider, request, -1, &error);
  g_assert_no_error (error);
  if (!hearth_reply_is_finished (reply))
    {
      g_signal_connect (reply, "finished", G_CALLBACK (finished_cb), loop);
      g_main_loop_run (loop);
    }
  g_assert_cmpint (hearth_reply_get_state (reply), ==, HEARTH_REPLY_DONE);
}

static void
test_apply_rollback (void)
{
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthTuner) tuner = NULL;
  g_autoptr(HearthModelOptions) applied = NULL;
  g_autoptr(HearthModelOptions) back = NULL;
  g_autoptr(HearthRunOptions) mine = hearth_run_options_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *effect = NULL;
  ListWait wait = { 0 };
  HearthTuning *tuning;
  HearthProvider *provider;
  const HearthTuneResult *stored;
  double threads;
  Run run = { 0 };

  if (!hearth_test_require_node ())
    return;
  store = hearth_test_open_store ("tuner-apply");
  engine = hearth_engine_new (store);
  tuning = hearth_engine_get_tuning (engine);
  provider = hearth_engine_get_provider (engine, HEARTH_API_OLLAMA, engine_url ());

  /* The user's own setting first: what Rollback must bring back. */
  hearth_run_options_set (mine, HEARTH_RUN_OPTION_NUM_THREAD, 1, NULL);
  hearth_run_options_set (mine, HEARTH_RUN_OPTION_TEMPERATURE, 0.5, NULL);
  g_assert_true (hearth_tuning_set_model_options (tuning, MODEL_FULL, NULL, mine, &error));
  g_assert_no_error (error);

  /* Nothing tuned yet: nothing to roll back, said so. */
  g_assert_false (hearth_tuning_rollback (tuning, MODEL_FULL, NULL, &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "nothing to roll back"));
  g_clear_error (&error);

  tuner = hearth_tuning_new_tuner (tuning, provider, MODEL, NULL, 3, FALSE, NULL);
  run_tuner (tuner, &run);
  g_assert_no_error (run.error);
  assert_engine_received_each (&run);
  /* Trial 1 is what the model ran with: the user's one thread. */
  g_assert_cmpfloat (get_or (run.result->baseline, HEARTH_RUN_OPTION_NUM_THREAD, -1), ==, 1);
  g_assert_nonnull (run.result->best);
  threads = get_or (run.result->best, HEARTH_RUN_OPTION_NUM_THREAD, -1);
  g_assert_cmpfloat (threads, >=, 1);

  g_assert_true (hearth_tuning_apply_result (tuning, run.result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (run.result->run_id, >, 0);
  applied = hearth_tuning_get_model_options (tuning, MODEL_FULL, NULL);
  g_assert_nonnull (applied);
  g_assert_cmpfloat (get_or (applied->options, HEARTH_RUN_OPTION_NUM_THREAD, -1), ==, threads);
  g_assert_cmpfloat (get_or (applied->options, HEARTH_RUN_OPTION_TEMPERATURE, -1), ==, 0.5);
  g_assert_true (applied->tuned_keys & (1u << HEARTH_RUN_OPTION_NUM_THREAD));
  g_assert_false (applied->tuned_keys & (1u << HEARTH_RUN_OPTION_TEMPERATURE));
  g_assert_cmpint (applied->tune_run_id, ==, run.result->run_id);
  g_assert_cmpfloat (applied->tuned_decode_tps, ==, run.result->best_decode_tps);
  g_assert_true (hearth_run_options_equal (applied->previous, mine));

  /* The next chat goes out with the tuned options. */
  chat (engine, provider, MODEL_FULL);
  g_assert_cmpfloat (engine_last (MODEL_FULL, "num_thread"), ==, threads);

  /* The run is kept, every trial with it. */
  wait.loop = g_main_loop_new (NULL, FALSE);
  hearth_tuning_list_runs_async (tuning, MODEL_FULL, NULL, list_cb, &wait);
  g_main_loop_run (wait.loop);
  g_assert_no_error (wait.error);
  g_assert_cmpuint (wait.runs->len, ==, 1);
  stored = g_ptr_array_index (wait.runs, 0);
  g_assert_cmpint (stored->run_id, ==, run.result->run_id);
  g_assert_cmpuint (stored->trials->len, ==, run.result->trials->len);
  g_assert_cmpstr (stored->explanation, ==, run.result->explanation);
  g_assert_true (hearth_run_options_equal (stored->best, run.result->best));
  g_assert_cmpfloat (fabs (stored->best_decode_tps - run.result->best_decode_tps), <, 1e-6);
  effect = hearth_tuning_describe_effect (tuning, MODEL_FULL, HEARTH_RUN_OPTION_NUM_THREAD);
  g_test_message ("effect: %s", effect != NULL ? effect : "(none)");
  if (effect != NULL)
    g_assert_nonnull (strstr (effect, "tok/s, measured"));

  /* Rollback: the user's options again, and the next chat sends them. */
  g_assert_true (hearth_tuning_rollback (tuning, MODEL_FULL, NULL, &error));
  g_assert_no_error (error);
  back = hearth_tuning_get_model_options (tuning, MODEL_FULL, NULL);
  g_assert_nonnull (back);
  g_assert_true (hearth_run_options_equal (back->options, mine));
  g_assert_cmpuint (back->tuned_keys, ==, 0);
  g_assert_null (back->previous);
  chat (engine, provider, MODEL_FULL);
  g_assert_cmpfloat (engine_last (MODEL_FULL, "num_thread"), ==, 1);
  /* Only once. */
  g_assert_false (hearth_tuning_rollback (tuning, MODEL_FULL, NULL, &error));
  g_assert_nonnull (strstr (error->message, "nothing to roll back"));

  g_main_loop_unref (wait.loop);
  g_ptr_array_unref (wait.runs);
  run_clear (&run);
}

/* ---- The watch ---- */

static HearthTuneResult *
synthetic_result (const char *model,
                  double      threads,
                  double      decode_tps)
{
  HearthTuneSearch *search;
  HearthTuneParams params = { 0 };
  HearthTuneResult *result;
  HearthTuneTrial trial = { 0 };
  g_autoptr(HearthRunOptions) start = hearth_run_options_new ();
  HearthRunOptions *options;

  /* One trial, as if measured: the search makes the result. */
  hearth_run_options_set (start, HEARTH_RUN_OPTION_NUM_THREAD, threads, NULL);
  params.start = start;
  params.budget = 1;
  search = hearth_tune_search_new (&params);
  options = hearth_tune_search_next (search);
  trial.state = HEARTH_TUNE_TRIAL_MEASURED;
  trial.decode_tps = decode_tps;
  trial.prompt_tps = trial.ttft_ms = -1;
  trial.size = trial.size_vram = trial.peak_ram = trial.peak_vram = -1;
  hearth_tune_search_report (search, &trial);
  result = hearth_tune_search_finish (search, FALSE);
  result->model = g_strdup (model);
  hearth_run_options_free (options);
  hearth_tune_search_free (search);
  return result;
}

static void
on_regression (HearthTuning           *tuning,
               HearthTuningRegression *regression,
               GPtrArray              *seen)
{
  HearthTuningRegression *copy = g_memdup2 (regression, sizeof *regression);

  copy->model = g_strdup (regression->model);
  g_ptr_array_add (seen, copy);
}

static void
observe (HearthTuning *tuning,
         const char   *model,
         double        threads,
         double        tps,
         guint         n)
{
  g_autoptr(HearthRunOptions) sent = hearth_run_options_new ();

  hearth_run_options_set (sent, HEARTH_RUN_OPTION_NUM_THREAD, threads, NULL);
  hearth_run_options_set (sent, HEARTH_RUN_OPTION_TEMPERATURE, 0.7, NULL);
  for (guint i = 0; i < n; i++)
    hearth_tuning_observe_reply (tuning, model, NULL, sent, tps);
}

static void
test_watch (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("tuner-watch");
  g_autoptr(GSettings) settings = g_settings_new ("io.github.hearthapp.Hearth");
  g_autoptr(HearthTuning) tuning = hearth_tuning_new (store, settings);
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_tuning_regression_free);
  g_autoptr(HearthTuneResult) result = synthetic_result ("watched:latest", 4, 100);
  g_autoptr(HearthTuneResult) other = synthetic_result ("rolled:latest", 4, 100);
  g_autoptr(HearthTuningRegression) found = NULL;
  g_autoptr(HearthModelOptions) back = NULL;
  g_autoptr(GError) error = NULL;
  const HearthTuningRegression *r;

  g_signal_connect (tuning, "regression", G_CALLBACK (on_regression), seen);
  g_assert_true (hearth_tuning_apply_result (tuning, result, &error));
  g_assert_no_error (error);

  /* Replies sent without the tuned threads say nothing about the tuning. */
  observe (tuning, "watched:latest", 2, 10, 30);
  g_assert_cmpuint (seen->len, ==, 0);
  /* 10 % slower is within what the watch lets go. */
  observe (tuning, "watched:latest", 4, 90, 25);
  g_assert_cmpuint (seen->len, ==, 0);
  g_assert_null (hearth_tuning_get_regression (tuning, "watched:latest"));

  /* 20 % slower: once the last 20 replies' median is (the lower middle:
   * half of them at 80), and only once. */
  observe (tuning, "watched:latest", 4, 80, 9);
  g_assert_cmpuint (seen->len, ==, 0);   /* 11 of the 20 are still at 90 */
  observe (tuning, "watched:latest", 4, 80, 1);
  g_assert_cmpuint (seen->len, ==, 1);
  observe (tuning, "watched:latest", 4, 80, 10);
  g_assert_cmpuint (seen->len, ==, 1);
  r = g_ptr_array_index (seen, 0);
  g_assert_cmpstr (r->model, ==, "watched:latest");
  g_assert_cmpfloat (r->tuned_decode_tps, ==, 100);
  g_assert_cmpfloat (r->median_decode_tps, ==, 80);
  g_assert_cmpuint (r->n_replies, ==, HEARTH_TUNING_WATCH_REPLIES);
  g_assert_cmpfloat (fabs (r->drop_percent - 20), <, 1e-9);
  g_assert_false (r->rolled_back);
  found = hearth_tuning_get_regression (tuning, "watched");
  g_assert_nonnull (found);
  g_assert_cmpfloat (found->median_decode_tps, ==, 80);
  /* Offered, not done: the tuning stays. */
  back = hearth_tuning_get_model_options (tuning, "watched:latest", NULL);
  g_assert_cmpint (back->tune_run_id, ==, result->run_id);
  g_clear_pointer (&back, hearth_model_options_free);

  /* With the setting on, it rolls back and says so. */
  g_settings_set_boolean (settings, "tuning-auto-rollback", TRUE);
  g_assert_true (hearth_tuning_apply_result (tuning, other, &error));
  observe (tuning, "rolled:latest", 4, 50, HEARTH_TUNING_WATCH_REPLIES);
  g_assert_cmpuint (seen->len, ==, 2);
  r = g_ptr_array_index (seen, 1);
  g_assert_cmpstr (r->model, ==, "rolled:latest");
  g_assert_true (r->rolled_back);
  back = hearth_tuning_get_model_options (tuning, "rolled:latest", NULL);
  g_assert_true (back == NULL || back->tune_run_id == 0);
  g_settings_set_boolean (settings, "tuning-auto-rollback", FALSE);
}

/* The engine watches the replies it records: 20 real chats with the tuned
 * options, against a tuned figure no tiny model reaches. */
static void
test_watch_end_to_end (void)
{
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_tuning_regression_free);
  g_autoptr(HearthTuneResult) result = NULL;
  g_autoptr(GError) error = NULL;
  HearthTuning *tuning;
  HearthProvider *provider;

  if (!hearth_test_require_node ())
    return;
  store = hearth_test_open_store ("tuner-watch-e2e");
  engine = hearth_engine_new (store);
  tuning = hearth_engine_get_tuning (engine);
  provider = hearth_engine_get_provider (engine, HEARTH_API_OLLAMA, engine_url ());
  result = synthetic_result (FIXED_FULL, 1, 1e7);
  g_assert_true (hearth_tuning_apply_result (tuning, result, &error));
  g_assert_no_error (error);
  g_signal_connect (tuning, "regression", G_CALLBACK (on_regression), seen);

  for (guint i = 0; i < HEARTH_TUNING_WATCH_REPLIES - 1; i++)
    chat (engine, provider, FIXED_FULL);
  g_assert_cmpuint (seen->len, ==, 0);
  g_assert_cmpfloat (engine_last (FIXED_FULL, "num_thread"), ==, 1);
  chat (engine, provider, FIXED_FULL);
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpfloat (((HearthTuningRegression *) g_ptr_array_index (seen, 0))->median_decode_tps, >, 0);
}

/* ---- Other quantizations ---- */

static void
make_f16_variant (const char *name)
{
  g_autofree char *dir = hearth_test_build_tmp_path ("models", NULL);
  g_autofree char *file = g_strconcat (name, ".gguf", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *script = g_build_filename (g_getenv ("HEARTH_SOURCE_DIR"), "tests", "engine",
                                              "make-model.mjs", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (dir, 0700);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, "node", script,
                              "--mode", "random", "--type", "f16", path, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
}

static void
test_variants (void)
{
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthTuner) tuner = NULL;
  g_autoptr(HearthTuner) alone = NULL;
  HearthTuneParams params = { 0 };
  HearthProvider *provider;
  const HearthTuneTrial *last;
  Run run = { 0 };
  Run single = { 0 };

  if (!hearth_test_require_node ())
    return;
  engine = hearth_engine_new (NULL);
  provider = hearth_engine_get_provider (engine, HEARTH_API_OLLAMA, engine_url ());
  make_f16_variant ("tiny-random:f16");
  params.physical_cores = params.logical_threads = 1;
  params.budget = 2;
  params.include_variants = TRUE;
  tuner = hearth_tuner_new (provider, MODEL, &params, NULL);
  run_tuner (tuner, &run);
  g_assert_no_error (run.error);
  g_test_message ("%s", run.result->quantization_note);

  /* The winner's options, tried on the other quantization, measured. */
  last = g_ptr_array_index (run.result->trials, run.result->trials->len - 1);
  g_assert_cmpstr (last->model, ==, "tiny-random:f16");
  g_assert_cmpint (last->state, ==, HEARTH_TUNE_TRIAL_MEASURED);
  g_assert_true (hearth_run_options_equal (last->options, run.result->best));
  g_assert_cmpuint (last->index, ==, run.result->trials->len);
  assert_engine_received_each (&run);
  g_assert_nonnull (run.result->quantization_note);
  g_assert_nonnull (strstr (run.result->quantization_note, "f16: "));
  g_assert_nonnull (strstr (run.result->quantization_note, "the speed of f32 here, measured"));
  /* The winner is still of the model tuned. */
  g_assert_cmpstr (((HearthTuneTrial *) g_ptr_array_index (run.result->trials, run.result->best_index - 1))->model,
                   ==, MODEL_FULL);

  /* With nothing else installed: an estimate, labelled as one, with its inputs. */
  alone = hearth_tuner_new (provider, "tiny-fixed", &params, NULL);
  run_tuner (alone, &single);
  g_assert_no_error (single.error);
  g_test_message ("%s", single.result->quantization_note);
  g_assert_nonnull (single.result->quantization_note);
  g_assert_nonnull (strstr (single.result->quantization_note, "an estimate, not measured"));
  g_assert_nonnull (strstr (single.result->quantization_note, "bits per weight"));
  run_clear (&run);
  run_clear (&single);
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);
  g_setenv ("HEARTH_BENCH_SCALE", "0.25", TRUE);

  g_test_add_func ("/tuner/measured-best", test_measured_best);
  g_test_add_func ("/tuner/openai", test_openai);
  g_test_add_func ("/tuner/cancel", test_cancel);

  g_test_add_func ("/tuner/apply-rollback", test_apply_rollback);

  g_test_add_func ("/tuner/watch", test_watch);

  g_test_add_func ("/tuner/watch-end-to-end", test_watch_end_to_end);

  g_test_add_func ("/tuner/variants", test_variants);

  return g_test_run ();
}
