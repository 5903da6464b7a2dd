/* test-cli-tuning.c — hearth-cli options, profile, tune and preload end to end: the real
 * hearth-cli, the real history in a temporary XDG home, the real test engine
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The settings live in a key file under the test's XDG_CONFIG_HOME, so that
 * "profile use" in one hearth-cli is seen by the next one, as dconf does on a
 * desktop.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <signal.h>

#include "hearth-test-server.h"
#include "hearth-test-util.h"
#include "hearth-tuning.h"

#define MODEL "tiny-fixed"
#define MODEL_TAGGED "tiny-fixed:latest"

/* A guard against a hang, never a measure */
#define GIVE_UP_S 120

static const char *
engine_url (void)
{
  return hearth_test_engine_url ();
}

static JsonNode *
run_json (HearthTestRun *run)
{
  g_assert_cmpint (run->exit_code, ==, 0);
  return hearth_test_parse_json (run->out);
}

/* hearth-cli options MODEL --json, against the Ollama API or @api */
static JsonNode *
options_json (const char *api)
{
  g_autoptr(HearthTestRun) run =
    hearth_test_run_cli (NULL, "options", MODEL, "--endpoint", engine_url (), "--api",
                         api != NULL ? api : "ollama", "--json", NULL);

  return run_json (run);
}

/* One key's row in options --json */
static JsonObject *
option_row (JsonNode   *root,
            const char *key)
{
  JsonArray *rows = json_object_get_array_member (json_node_get_object (root), "options");

  g_assert_cmpuint (json_array_get_length (rows), ==, HEARTH_N_RUN_OPTIONS);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);

      if (g_str_equal (json_object_get_string_member (row, "key"), key))
        return row;
    }
  g_assert_not_reached ();
}

static const char *
row_source (JsonNode   *root,
            const char *key)
{
  return json_object_get_string_member (option_row (root, key), "source");
}

static const char *
source_name (HearthOptionSource source)
{
  return hearth_option_source_to_string (source);
}

static void
assert_usage_error (HearthTestRun *run,
                    const char    *word)
{
  g_assert_cmpint (run->exit_code, ==, 2);
  g_assert_cmpstr (run->out, ==, "");
  hearth_test_assert_one_line (run->err);
  g_assert_nonnull (strstr (run->err, word));
}

static void
reset_options (void)
{
  g_autoptr(HearthTestRun) run = hearth_test_run_cli (NULL, "options", MODEL, "--endpoint",
                                                      engine_url (), "--reset", NULL);

  g_assert_cmpint (run->exit_code, ==, 0);
}

/* options: set, show, unset, reset, JSON, a bad value */
static void
test_options (void)
{
  g_autoptr(HearthTestRun) set = NULL, text = NULL, bad = NULL, unknown = NULL, unset = NULL;
  g_autoptr(JsonNode) before = NULL, after = NULL, unset_root = NULL, reset_root = NULL;
  g_autoptr(JsonNode) openai = NULL;
  JsonObject *o, *row;

  if (!hearth_test_require_node ())
    return;
  before = options_json (NULL);
  o = json_node_get_object (before);
  g_assert_cmpstr (json_object_get_string_member (o, "model"), ==, MODEL_TAGGED);
  /* kept by the digest the server lists */
  g_assert_cmpuint (strlen (json_object_get_string_member (o, "digest")), >, 0);
  g_assert_cmpstr (row_source (before, "num_thread"), !=, source_name (HEARTH_OPTION_SOURCE_MODEL));

  set = hearth_test_run_cli (NULL, "options", MODEL, "--endpoint", engine_url (),
                             "--set", "num_thread=2", "--set", "temperature=0.3", NULL);
  g_assert_cmpint (set->exit_code, ==, 0);
  g_assert_cmpstr (set->err, ==, "");
  /* the table says where each value came from */
  g_assert_nonnull (strstr (set->out, "num_thread"));
  g_assert_nonnull (strstr (set->out, "set by you"));

  /* another hearth-cli, the same options: they were stored */
  after = options_json (NULL);
  row = option_row (after, "num_thread");
  g_assert_cmpint (json_object_get_int_member (row, "value"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (row, "source"), ==,
                   source_name (HEARTH_OPTION_SOURCE_MODEL));
  g_assert_true (json_object_get_boolean_member (row, "supported"));
  row = option_row (after, "temperature");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (row, "value"), 0.3, 1e-9);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                     json_node_get_object (after), "sent"), "num_thread"), ==, 2);

  /* an OpenAI-compatible server takes no num_thread: said, not dropped */
  openai = options_json ("openai");
  row = option_row (openai, "num_thread");
  g_assert_false (json_object_get_boolean_member (row, "supported"));
  g_assert_cmpint (json_object_get_int_member (row, "value"), ==, 2);
  g_assert_cmpuint (strlen (json_object_get_string_member (row, "not_supported_reason")), >, 0);
  g_assert_false (json_object_has_member (json_object_get_object_member (
                    json_node_get_object (openai), "sent"), "num_thread"));
  text = hearth_test_run_cli (NULL, "options", MODEL, "--endpoint", engine_url (), "--api",
                              "openai", NULL);
  g_assert_cmpint (text->exit_code, ==, 0);
  g_assert_nonnull (strstr (text->out, "set by you, not sent"));
  g_assert_nonnull (strstr (text->out, "Not sent to this server:\n"));
  g_assert_nonnull (strstr (strstr (text->out, "Not sent to this server:\n"), "\n  num_thread: "));

  /* a value out of its range: one line naming the key, nothing stored */
  bad = hearth_test_run_cli (NULL, "options", MODEL, "--endpoint", engine_url (),
                             "--set", "temperature=7", NULL);
  assert_usage_error (bad, "temperature");
  unknown = hearth_test_run_cli (NULL, "options", MODEL, "--endpoint", engine_url (),
                                 "--set", "warp_speed=9", NULL);
  assert_usage_error (unknown, "warp_speed");
  g_clear_pointer (&after, json_node_unref);
  after = options_json (NULL);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (option_row (after, "temperature"),
                                                                 "value"), 0.3, 1e-9);

  /* --unset gives one key back to the profile, --reset all */
  unset = hearth_test_run_cli (NULL, "options", MODEL, "--endpoint", engine_url (), "--unset",
                               "temperature", "--json", NULL);
  unset_root = run_json (unset);
  g_assert_cmpstr (row_source (unset_root, "temperature"), !=,
                   source_name (HEARTH_OPTION_SOURCE_MODEL));
  g_assert_cmpstr (row_source (unset_root, "num_thread"), ==,
                   source_name (HEARTH_OPTION_SOURCE_MODEL));
  reset_options ();
  reset_root = options_json (NULL);
  g_assert_cmpstr (row_source (reset_root, "num_thread"), !=,
                   source_name (HEARTH_OPTION_SOURCE_MODEL));

  {
    g_autoptr(HearthTestRun) missing =
      hearth_test_run_cli (NULL, "options", "no-such-model", "--endpoint", engine_url (), NULL);

    g_assert_cmpint (missing->exit_code, ==, 4);
    hearth_test_assert_one_line (missing->err);
  }
}

static JsonObject *
find_profile (JsonNode   *list,
              const char *name)
{
  JsonArray *array = json_node_get_array (list);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *profile = json_array_get_object_element (array, i);

      if (g_str_equal (json_object_get_string_member (profile, "name"), name))
        return profile;
    }
  return NULL;
}

/* profile list, show, add, use, remove; a custom one's inheritance in options */
static void
test_profiles (void)
{
  const char *builtins[] = { "fast", "balanced", "quality", "battery" };
  g_autoptr(HearthTestRun) list = NULL, add = NULL, show = NULL, use = NULL, remove = NULL;
  g_autoptr(HearthTestRun) gone = NULL, builtin = NULL, bad_name = NULL, back = NULL;
  g_autoptr(JsonNode) list_root = NULL, show_root = NULL, options_root = NULL, fast = NULL;
  g_autoptr(JsonNode) after_list = NULL;
  g_autoptr(HearthTestRun) relist = NULL;
  JsonObject *row;
  HearthRunOptionKey inherited = HEARTH_N_RUN_OPTIONS;

  if (!hearth_test_require_node ())
    return;
  list = hearth_test_run_cli (NULL, "profile", "list", "--json", NULL);
  list_root = run_json (list);
  for (guint i = 0; i < G_N_ELEMENTS (builtins); i++)
    g_assert_nonnull (find_profile (list_root, builtins[i]));
  g_assert_true (json_object_get_boolean_member (find_profile (list_root, "balanced"), "active"));

  bad_name = hearth_test_run_cli (NULL, "profile", "add", "Long Docs", "--from", "fast", NULL);
  g_assert_cmpint (bad_name->exit_code, ==, 2);
  hearth_test_assert_one_line (bad_name->err);

  add = hearth_test_run_cli (NULL, "profile", "add", "long-docs", "--from", "fast", "--set",
                             "num_ctx=3072", "--title", "Long documents", NULL);
  g_assert_cmpint (add->exit_code, ==, 0);
  show = hearth_test_run_cli (NULL, "profile", "show", "long-docs", "--json", NULL);
  show_root = run_json (show);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (show_root), "parent"), ==,
                   "fast");

  use = hearth_test_run_cli (NULL, "profile", "use", "long-docs", NULL);
  g_assert_cmpint (use->exit_code, ==, 0);

  /* options of a model: the custom one's own value, and one it inherits from fast */
  options_root = options_json (NULL);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (options_root), "profile"),
                   ==, "long-docs");
  row = option_row (options_root, "num_ctx");
  g_assert_cmpint (json_object_get_int_member (row, "value"), ==, 3072);
  g_assert_cmpstr (json_object_get_string_member (row, "source"), ==,
                   source_name (HEARTH_OPTION_SOURCE_PROFILE));
  {
    g_autoptr(HearthTestRun) fast_show = hearth_test_run_cli (NULL, "profile", "show", "fast",
                                                              "--json", NULL);
    g_autoptr(HearthTestRun) text = hearth_test_run_cli (NULL, "profile", "show", "long-docs",
                                                         NULL);

    fast = run_json (fast_show);
    g_assert_cmpint (text->exit_code, ==, 0);
    /* a key fast sets other than num_ctx shows in the custom one, from fast */
    for (guint key = 0; key < HEARTH_N_RUN_OPTIONS && inherited == HEARTH_N_RUN_OPTIONS; key++)
      {
        JsonObject *r = option_row (options_root, hearth_run_option_key_to_string (key));

        if (key != HEARTH_RUN_OPTION_NUM_CTX && !json_object_get_null_member (r, "value") &&
            g_str_equal (json_object_get_string_member (r, "source"),
                         source_name (HEARTH_OPTION_SOURCE_PROFILE)))
          inherited = key;
      }
    g_assert_cmpint (inherited, !=, HEARTH_N_RUN_OPTIONS);
    g_assert_nonnull (strstr (text->out, hearth_run_option_key_to_string (inherited)));
    g_assert_nonnull (strstr (text->out, "fast"));
  }

  relist = hearth_test_run_cli (NULL, "profile", "list", "--json", NULL);
  after_list = run_json (relist);
  g_assert_true (json_object_get_boolean_member (find_profile (after_list, "long-docs"), "active"));
  g_assert_false (json_object_get_boolean_member (find_profile (after_list, "balanced"), "active"));

  builtin = hearth_test_run_cli (NULL, "profile", "remove", "fast", NULL);
  g_assert_cmpint (builtin->exit_code, ==, 2);
  hearth_test_assert_one_line (builtin->err);

  /* without Hearth's settings a choice would not last: said, not pretended */
  {
    g_autofree char *schemas = g_strdup (g_getenv ("GSETTINGS_SCHEMA_DIR"));
    g_autoptr(HearthTestRun) unsaved = NULL;

    g_setenv ("GSETTINGS_SCHEMA_DIR", hearth_test_get_tmpdir (), TRUE);
    unsaved = hearth_test_run_cli (NULL, "profile", "use", "fast", NULL);
    g_setenv ("GSETTINGS_SCHEMA_DIR", schemas, TRUE);
    g_assert_cmpint (unsaved->exit_code, ==, 1);
    hearth_test_assert_one_line (unsaved->err);
    g_assert_nonnull (strstr (unsaved->err, "settings"));
  }

  back = hearth_test_run_cli (NULL, "profile", "use", "balanced", NULL);
  g_assert_cmpint (back->exit_code, ==, 0);
  remove = hearth_test_run_cli (NULL, "profile", "remove", "long-docs", NULL);
  g_assert_cmpint (remove->exit_code, ==, 0);
  gone = hearth_test_run_cli (NULL, "profile", "show", "long-docs", NULL);
  g_assert_cmpint (gone->exit_code, ==, 4);
  hearth_test_assert_one_line (gone->err);
}

static JsonObject *
engine_last_options (void)
{
  g_autofree char *stats = hearth_test_server_request (hearth_test_engine_server (NULL), "GET",
                                                       "/_stats");
  g_autoptr(JsonNode) root = hearth_test_parse_json (stats);
  JsonObject *o = json_node_get_object (root);

  g_assert_true (json_object_has_member (o, "last_options"));
  o = json_object_get_object_member (o, "last_options");
  g_assert_true (json_object_has_member (o, MODEL_TAGGED));
  return json_object_ref (json_object_get_object_member (o, MODEL_TAGGED));
}

/* ask sends the model's options, and --json says which */
static void
test_ask_sends_options (void)
{
  g_autoptr(HearthTestRun) set = NULL, ask = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonObject) received = NULL;
  JsonObject *sent;

  if (!hearth_test_require_node ())
    return;
  set = hearth_test_run_cli (NULL, "options", MODEL, "--endpoint", engine_url (), "--set",
                             "num_thread=2", NULL);
  g_assert_cmpint (set->exit_code, ==, 0);
  ask = hearth_test_run_cli (NULL, "ask", "--endpoint", engine_url (), "--model", MODEL,
                             "--no-cache", "--json", "which threads?", NULL);
  root = run_json (ask);
  sent = json_object_get_object_member (json_node_get_object (root), "options");
  g_assert_nonnull (sent);
  g_assert_cmpint (json_object_get_int_member (sent, "num_thread"), ==, 2);
  /* and the engine received it */
  received = engine_last_options ();
  g_assert_cmpint (json_object_get_int_member (received, "num_thread"), ==, 2);
  reset_options ();
}

/* bench goes through the engine: it sends the model's options too */
static void
test_bench_sends_options (void)
{
  g_autoptr(HearthTestRun) set = NULL, bench = NULL;
  g_autoptr(JsonObject) received = NULL;

  if (!hearth_test_require_node ())
    return;
  set = hearth_test_run_cli (NULL, "options", MODEL, "--endpoint", engine_url (), "--set",
                             "num_batch=64", NULL);
  g_assert_cmpint (set->exit_code, ==, 0);
  bench = hearth_test_run_cli (NULL, "bench", "--endpoint", engine_url (), "--model", MODEL,
                               "--runs", "1", "--json", NULL);
  g_assert_cmpint (bench->exit_code, ==, 0);
  received = engine_last_options ();
  g_assert_cmpint (json_object_get_int_member (received, "num_batch"), ==, 64);
  reset_options ();
}

static guint
count_lines_starting (const char *text,
                      const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    n += g_str_has_prefix (lines[i], prefix);
  return n;
}

/* tune --budget 3: trials on stderr, the result on stdout; --apply, then --rollback */
static void
test_tune_apply_rollback (void)
{
  g_autoptr(HearthTestRun) tune = NULL, apply = NULL, rollback = NULL, again = NULL;
  g_autoptr(JsonNode) root = NULL, tuned = NULL, rolled = NULL;
  JsonObject *o;
  JsonArray *trials;
  g_autoptr(JsonNode) applied_root = NULL;
  JsonObject *best;

  if (!hearth_test_require_node ())
    return;
  reset_options ();
  tune = hearth_test_run_cli (NULL, "tune", MODEL, "--endpoint", engine_url (), "--budget", "3",
                              "--json", NULL);
  root = run_json (tune);
  o = json_node_get_object (root);
  trials = json_object_get_array_member (o, "trials");
  g_assert_cmpuint (json_array_get_length (trials), >=, 2);
  g_assert_cmpuint (json_array_get_length (trials), <=, 3);
  /* one line per trial as it finished */
  g_assert_cmpuint (count_lines_starting (tune->err, "trial "), ==, json_array_get_length (trials));
  g_assert_nonnull (strstr (tune->err, "tok/s"));
  g_assert_cmpint (json_object_get_int_member (o, "best_index"), >=, 1);
  g_assert_false (json_object_get_boolean_member (o, "applied"));
  g_assert_true (json_object_get_boolean_member (o, "saved"));
  g_assert_cmpint (json_object_get_int_member (o, "run_id"), >, 0);
  /* not applied: nothing tuned yet; but what the trials measured is shown
   * under the option they varied */
  {
    g_autoptr(JsonNode) untouched = options_json (NULL);
    guint n_effects = 0;

    for (guint key = 0; key < HEARTH_N_RUN_OPTIONS; key++)
      {
        JsonObject *r = option_row (untouched, hearth_run_option_key_to_string (key));

        g_assert_cmpstr (json_object_get_string_member (r, "source"), !=,
                         source_name (HEARTH_OPTION_SOURCE_TUNED));
        if (!json_object_get_null_member (r, "effect"))
          {
            g_assert_true (hearth_run_option_changes_speed (key));
            g_assert_nonnull (strstr (json_object_get_string_member (r, "effect"), "tok/s"));
            n_effects++;
          }
      }
    g_assert_cmpuint (n_effects, >, 0);
  }

  apply = hearth_test_run_cli (NULL, "tune", MODEL, "--endpoint", engine_url (), "--budget", "2",
                               "--apply", "--json", NULL);
  g_assert_cmpint (apply->exit_code, ==, 0);
  applied_root = hearth_test_parse_json (apply->out);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (applied_root), "applied"));
  /* the winner's speed options, exactly, are the model's now and marked
   * tuned (none when the server's defaults won: then only the figure the
   * watch holds the model to is kept) */
  best = json_object_get_object_member (json_node_get_object (applied_root), "best");
  g_assert_nonnull (best);
  tuned = options_json (NULL);
  for (guint key = 0; key < HEARTH_N_RUN_OPTIONS; key++)
    {
      const char *name = hearth_run_option_key_to_string (key);
      gboolean is_tuned = g_strcmp0 (row_source (tuned, name),
                                     source_name (HEARTH_OPTION_SOURCE_TUNED)) == 0;

      if (is_tuned)
        g_assert_true (hearth_run_option_changes_speed (key));
      g_assert_true (is_tuned == (hearth_run_option_changes_speed (key) &&
                                  json_object_has_member (best, name)));
    }
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (tuned), "tune_run_id"), >,
                   0);

  rollback = hearth_test_run_cli (NULL, "tune", MODEL, "--endpoint", engine_url (), "--rollback",
                                  NULL);
  g_assert_cmpint (rollback->exit_code, ==, 0);
  rolled = options_json (NULL);
  for (guint key = 0; key < HEARTH_N_RUN_OPTIONS; key++)
    g_assert_cmpstr (row_source (rolled, hearth_run_option_key_to_string (key)), !=,
                     source_name (HEARTH_OPTION_SOURCE_TUNED));

  /* nothing left to roll back: said, in one line */
  again = hearth_test_run_cli (NULL, "tune", MODEL, "--endpoint", engine_url (), "--rollback",
                               NULL);
  g_assert_cmpint (again->exit_code, !=, 0);
  hearth_test_assert_one_line (again->err);
}

/* Ctrl+C during a tuning: exit 130, the best so far reported as cancelled, nothing applied */

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *err;
  GString          *err_text;
  gboolean          signalled;
  gboolean          done;
} LiveTune;

static void read_err_line (LiveTune *live);

static void
read_err_line_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  LiveTune *live = user_data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (live->err, result, NULL, NULL);

  if (line == NULL)
    {
      live->done = TRUE;
      return;
    }
  g_string_append_printf (live->err_text, "%s\n", line);
  /* after the first trial finished */
  if (!live->signalled && g_str_has_prefix (line, "trial ") && strstr (line, "tok/s") != NULL)
    {
      g_subprocess_send_signal (live->process, SIGINT);
      live->signalled = TRUE;
    }
  read_err_line (live);
}

static void
read_err_line (LiveTune *live)
{
  g_data_input_stream_read_line_async (live->err, G_PRIORITY_DEFAULT, NULL, read_err_line_cb, live);
}

static gboolean
give_up (gpointer user_data)
{
  g_error ("%s took longer than %d s", (const char *) user_data, GIVE_UP_S);
  return G_SOURCE_REMOVE;
}

static void
test_tune_cancel (void)
{
  g_autofree char *cli = g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "src", "hearth-cli",
                                           NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(JsonNode) root = NULL, after = NULL;
  LiveTune live = { 0 };
  JsonObject *o;
  guint guard;

  if (!hearth_test_require_node ())
    return;
  reset_options ();
  live.process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                   &error, cli, "tune", MODEL, "--endpoint", engine_url (),
                                   "--budget", "12", "--apply", "--json", NULL);
  g_assert_no_error (error);
  live.err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (live.process));
  live.err_text = g_string_new (NULL);
  guard = g_timeout_add_seconds (GIVE_UP_S, give_up, (gpointer) "hearth-cli tune");
  read_err_line (&live);
  while (!live.done)
    g_main_context_iteration (NULL, TRUE);
  g_subprocess_communicate (live.process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_source_remove (guard);
  g_test_message ("tune, interrupted:\n%s", live.err_text->str);

  g_assert_true (live.signalled);
  g_assert_cmpint (g_subprocess_get_exit_status (live.process), ==, 130);
  /* the best of the trials run, said as cancelled, and stored */
  root = hearth_test_parse_json (g_bytes_get_data (out, NULL));
  o = json_node_get_object (root);
  g_assert_true (json_object_get_boolean_member (o, "cancelled"));
  g_assert_false (json_object_get_boolean_member (o, "applied"));
  g_assert_true (json_object_get_boolean_member (o, "saved"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "trials")), >=, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "trials")), <, 12);
  /* --apply did not apply a cancelled run */
  after = options_json (NULL);
  for (guint key = 0; key < HEARTH_N_RUN_OPTIONS; key++)
    g_assert_cmpstr (row_source (after, hearth_run_option_key_to_string (key)), !=,
                     source_name (HEARTH_OPTION_SOURCE_TUNED));

  g_object_unref (live.err);
  g_object_unref (live.process);
  g_string_free (live.err_text, TRUE);
}

static JsonObject *
find_loaded (JsonNode   *list,
             const char *model)
{
  JsonArray *array = json_node_get_array (list);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *loaded = json_array_get_object_element (array, i);

      if (g_str_equal (json_object_get_string_member (loaded, "name"), model))
        return loaded;
    }
  return NULL;
}

/* preload: the model is in memory, and ps says why */
static void
test_preload (void)
{
  g_autoptr(HearthTestRun) unload = NULL, preload = NULL, bad = NULL, zero = NULL;
  g_autoptr(HearthTestRun) ps_before = NULL, ps_after = NULL;
  g_autoptr(JsonNode) before = NULL, after = NULL;
  JsonObject *loaded;

  if (!hearth_test_require_node ())
    return;
  bad = hearth_test_run_cli (NULL, "preload", MODEL, "--endpoint", engine_url (), "--keep-alive",
                             "soon", NULL);
  assert_usage_error (bad, "keep_alive");
  zero = hearth_test_run_cli (NULL, "preload", MODEL, "--endpoint", engine_url (), "--keep-alive",
                              "0", NULL);
  assert_usage_error (zero, "unload");

  unload = hearth_test_run_cli (NULL, "unload", MODEL, "--endpoint", engine_url (), NULL);
  g_assert_cmpint (unload->exit_code, ==, 0);
  ps_before = hearth_test_run_cli (NULL, "ps", "--endpoint", engine_url (), "--json", NULL);
  before = run_json (ps_before);
  g_assert_null (find_loaded (before, MODEL_TAGGED));

  preload = hearth_test_run_cli (NULL, "preload", MODEL, "--endpoint", engine_url (),
                                 "--keep-alive", "30m", NULL);
  g_assert_cmpint (preload->exit_code, ==, 0);
  g_assert_nonnull (strstr (preload->out, "30m"));

  ps_after = hearth_test_run_cli (NULL, "ps", "--endpoint", engine_url (), "--json", NULL);
  after = run_json (ps_after);
  loaded = find_loaded (after, MODEL_TAGGED);
  g_assert_nonnull (loaded);
  g_assert_nonnull (strstr (json_object_get_string_member (loaded, "reason"), "preloaded"));
}

static void
test_usage (void)
{
  const char *cases[][8] = {
    { "options", NULL },
    { "options", MODEL, "--unset", "warp_speed", NULL },
    { "options", MODEL, "--set", "num_thread", NULL },
    { "tune", MODEL, "--budget", "0", NULL },
    { "tune", MODEL, "--rollback", "--apply", NULL },
    { "profile", "frobnicate", NULL },
    { "profile", "add", "docs", NULL },
    { "profile", "use", "balanced", "--from", "fast", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HearthTestRun) run = hearth_test_run_cliv (NULL, cases[i]);

      g_test_message ("%s %s", cases[i][0], cases[i][1]);
      g_assert_cmpint (run->exit_code, ==, 2);
      hearth_test_assert_one_line (run->err);
    }
}

/* The settings in a key file under the test's XDG_CONFIG_HOME, shared by
 * every hearth-cli the test runs; no automatic choice (the machine's power
 * state is not the test's). */
static void
use_keyfile_settings (void)
{
  g_autoptr(GSettings) settings = NULL;

  g_setenv ("GSETTINGS_BACKEND", "keyfile", TRUE);
  settings = g_settings_new (APP_ID);
  g_settings_set_boolean (settings, "run-profile-automatic", FALSE);
  g_settings_sync ();
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);
  use_keyfile_settings ();

  g_test_add_func ("/cli-tuning/usage", test_usage);
  g_test_add_func ("/cli-tuning/options", test_options);
  g_test_add_func ("/cli-tuning/profiles", test_profiles);
  g_test_add_func ("/cli-tuning/ask-sends-options", test_ask_sends_options);
  g_test_add_func ("/cli-tuning/bench-sends-options", test_bench_sends_options);
  g_test_add_func ("/cli-tuning/tune-apply-rollback", test_tune_apply_rollback);
  g_test_add_func ("/cli-tuning/tune-cancel", test_tune_cancel);
  g_test_add_func ("/cli-tuning/preload", test_preload);

  return g_test_run ();
}
