/* test-tuning.c — HearthTuning on a real history: each model's options per
 * machine, seen by another process, the layering and where each value came
 * from, custom profiles, the automatic choice, and what a chat sends
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The chats go to a small Ollama-speaking SoupServer in this process that
 * keeps each request's body, so the test reads exactly what was sent.
 */
#include <math.h>
#include <string.h>

#include <libsoup/soup.h>

#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-test-monitors.h"
#include "hearth-test-util.h"
#include "hearth-tuning-private.h"

/* ---- Monitors the test drives ---- */

/* ---- Helpers ---- */

static HearthRunOptions *
options_of (const char *first_assignment,
            ...)
{
  HearthRunOptions *options = hearth_run_options_new ();
  g_autoptr(GError) error = NULL;
  va_list args;

  va_start (args, first_assignment);
  for (const char *a = first_assignment; a != NULL; a = va_arg (args, const char *))
    {
      hearth_run_options_parse_assignment (options, a, &error);
      g_assert_no_error (error);
    }
  va_end (args);
  return options;
}

/* A tuning that follows no real monitor (the machine's power state must not
 * change the test's outcome). */
static HearthTuning *
quiet_tuning (HearthStore *store,
              GSettings   *settings)
{
  HearthTuning *tuning = hearth_tuning_new (store, settings);

  hearth_tuning_set_monitors (tuning, NULL, NULL);
  hearth_tuning_set_on_battery (tuning, FALSE);
  return tuning;
}

static void
count_signal (gpointer  instance,
              guint    *count)
{
  (*count)++;
}

static void
set_model (HearthTuning *tuning,
           const char   *model,
           const char   *digest,
           HearthRunOptions *options)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hearth_tuning_set_model_options (tuning, model, digest, options, &error));
  g_assert_no_error (error);
  hearth_run_options_free (options);
}

static double
value_of (const HearthRunOptions *options,
          HearthRunOptionKey      key)
{
  g_assert_true (hearth_run_options_is_set (options, key));
  return hearth_run_options_get (options, key);
}

/* ---- The options store ---- */

/* Options are kept per model, per digest and per machine: a row written on
 * another computer (a copied database) is not this machine's. */
static void
test_store_per_model_and_machine (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("per-model");
  g_autofree char *path = g_strdup (hearth_store_get_path (store));
  g_autoptr(HearthTuning) tuning = quiet_tuning (store, NULL);
  g_autoptr(HearthTuning) reopened = NULL;
  g_autoptr(HearthStore) again = NULL;
  g_autoptr(HearthTuning) without = quiet_tuning (NULL, NULL);
  g_autoptr(HearthModelOptions) d1 = NULL;
  g_autoptr(HearthModelOptions) d2 = NULL;
  g_autoptr(HearthModelOptions) other = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(HearthRunOptions) some = options_of ("num_ctx=4096", NULL);
  const char *machine = hearth_tuning_machine_key (tuning);

  g_assert_cmpuint (strlen (machine), ==, 12);
  for (const char *p = machine; *p; p++)
    g_assert_true (g_ascii_isxdigit (*p));

  set_model (tuning, "tiny:latest", "d1", options_of ("num_thread=3", NULL));
  set_model (tuning, "tiny:latest", "d2", options_of ("num_thread=5", "keep_alive=30m", NULL));
  d1 = hearth_tuning_get_model_options (tuning, "tiny:latest", "d1");
  d2 = hearth_tuning_get_model_options (tuning, "tiny:latest", "d2");
  g_assert_cmpfloat (value_of (d1->options, HEARTH_RUN_OPTION_NUM_THREAD), ==, 3);
  g_assert_cmpfloat (value_of (d2->options, HEARTH_RUN_OPTION_NUM_THREAD), ==, 5);
  g_assert_cmpstr (d2->digest, ==, "d2");
  g_assert_null (hearth_tuning_get_model_options (tuning, "small:latest", NULL));
  sql = g_strdup_printf ("SELECT count(*) FROM model_options WHERE machine = '%s'", machine);
  g_assert_cmpint (hearth_test_sqlite_query_int (path, sql), ==, 2);
  g_assert_cmpint (hearth_test_sqlite_query_int (path, "SELECT count(*) FROM model_options"
                                                       " WHERE options LIKE '%\"keep_alive\":\"30m\"%'"), ==, 1);

  /* Another computer's row, in the same file */
  hearth_test_sqlite_run (path, "INSERT INTO model_options (model, digest, machine, options, updated_ms)"
                                " VALUES ('tiny:latest', 'd3', 'elsewhere', '{\"num_thread\":64}', 1)");
  again = hearth_store_open (path, &error);
  g_assert_no_error (error);
  reopened = quiet_tuning (again, NULL);
  list = hearth_tuning_list_model_options (reopened);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((HearthModelOptions *) list->pdata[0])->digest, ==, "d1");
  other = hearth_tuning_get_model_options (reopened, "tiny:latest", "d3");
  g_assert_null (other);

  /* Reset removes the row; an empty set does too */
  g_assert_true (hearth_tuning_reset_model_options (tuning, "tiny:latest", "d1", &error));
  g_assert_no_error (error);
  g_assert_null (hearth_tuning_get_model_options (tuning, "tiny:latest", "d1"));
  set_model (tuning, "tiny:latest", "d2", hearth_run_options_new ());
  g_assert_cmpint (hearth_test_sqlite_query_int (path, sql), ==, 0);

  /* Bad input and no history: a clear message */
  g_assert_false (hearth_tuning_set_model_options (tuning, "", NULL, some, &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (hearth_tuning_set_model_options (without, "tiny:latest", NULL, some, &error));
  g_assert_nonnull (strstr (error->message, "no history"));
  g_assert_nonnull (_hearth_tuning_get_unavailable_reason (without));
  g_assert_null (_hearth_tuning_get_store (without));
}

/* hearth-cli sets a model's options: the app's HearthTuning, on its own
 * connection, sees them and says so ("changed"); the same for profiles. */
static void
test_other_process (void)
{
  g_autoptr(HearthStore) app_store = hearth_test_open_store ("other-process");
  g_autoptr(HearthStore) cli_store = NULL;
  g_autoptr(HearthTuning) app = quiet_tuning (app_store, NULL);
  g_autoptr(HearthTuning) cli = NULL;
  g_autoptr(HearthModelOptions) seen = NULL;
  g_autoptr(HearthProfile) profile = hearth_profile_new ("long-docs", HEARTH_PROFILE_QUALITY);
  g_autoptr(HearthProfile) seen_profile = NULL;
  g_autoptr(GError) error = NULL;
  guint changed = 0;

  /* The app reads its options in a worker at start. */
  while (!app->loaded)
    g_main_context_iteration (NULL, TRUE);
  g_signal_connect (app, "changed", G_CALLBACK (count_signal), &changed);
  g_assert_null (hearth_tuning_get_model_options (app, "tiny:latest", NULL));

  cli_store = hearth_store_open (hearth_store_get_path (app_store), &error);
  g_assert_no_error (error);
  cli = quiet_tuning (cli_store, NULL);
  set_model (cli, "tiny:latest", NULL, options_of ("num_ctx=8192", NULL));
  hearth_run_options_set (profile->options, HEARTH_RUN_OPTION_NUM_CTX, 16384, NULL);
  g_assert_true (hearth_tuning_save_profile (cli, profile, &error));
  g_assert_no_error (error);

  seen = hearth_tuning_get_model_options (app, "tiny:latest", NULL);
  g_assert_nonnull (seen);
  g_assert_cmpfloat (value_of (seen->options, HEARTH_RUN_OPTION_NUM_CTX), ==, 8192);
  g_assert_cmpuint (changed, ==, 1);
  seen_profile = hearth_tuning_get_profile (app, "long-docs", &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (value_of (seen_profile->options, HEARTH_RUN_OPTION_NUM_CTX), ==, 16384);
  /* nothing new: not read again, not told again */
  g_clear_pointer (&seen, hearth_model_options_free);
  seen = hearth_tuning_get_model_options (app, "tiny:latest", NULL);
  g_assert_cmpuint (changed, ==, 1);
}

static gboolean
give_up (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* The app looks nothing up: it still hears of hearth-cli's change, from the
 * database file changing, not from a timer (test-ui-idle and bench-startup
 * check that nothing wakes an idle app). */
static void
test_other_process_notified (void)
{
  g_autoptr(HearthStore) app_store = hearth_test_open_store ("other-process-notified");
  g_autoptr(HearthStore) cli_store = NULL;
  g_autoptr(HearthTuning) app = quiet_tuning (app_store, NULL);
  g_autoptr(HearthTuning) cli = NULL;
  g_autoptr(GError) error = NULL;
  gboolean timed_out = FALSE;
  guint changed = 0;
  guint timeout_id;

  while (!app->loaded)
    g_main_context_iteration (NULL, TRUE);
  g_signal_connect (app, "changed", G_CALLBACK (count_signal), &changed);

  cli_store = hearth_store_open (hearth_store_get_path (app_store), &error);
  g_assert_no_error (error);
  cli = quiet_tuning (cli_store, NULL);
  set_model (cli, "tiny:latest", NULL, options_of ("num_ctx=8192", NULL));

  /* A generous bound so a stuck test fails rather than hangs. */
  timeout_id = g_timeout_add_seconds (30, give_up, &timed_out);
  while (changed == 0 && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout_id);
  g_assert_false (timed_out);
  g_assert_cmpuint (changed, ==, 1);
}

/* ---- Resolving ---- */

static void
test_layering (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("layering");
  g_autoptr(HearthTuning) tuning = quiet_tuning (store, NULL);
  g_autoptr(HearthModelOptions) mo = NULL;
  g_autoptr(HearthResolvedOptions) r = NULL;
  g_autoptr(HearthResolvedOptions) openai = NULL;
  g_autoptr(HearthResolvedOptions) changed = NULL;
  g_autoptr(HearthRunOptions) request = options_of ("temperature=0.2", NULL);
  g_autoptr(GError) error = NULL;
  gboolean threads_listed = FALSE;

  set_model (tuning, "tiny:latest", NULL, options_of ("num_thread=3", "temperature=0.5", NULL));
  /* A tuning applied num_batch (tune-tuner's path) */
  mo = hearth_tuning_get_model_options (tuning, "tiny:latest", NULL);
  hearth_run_options_set (mo->options, HEARTH_RUN_OPTION_NUM_BATCH, 256, NULL);
  mo->tuned_keys = G_GUINT64_CONSTANT (1) << HEARTH_RUN_OPTION_NUM_BATCH;
  mo->tune_run_id = 7;
  mo->tuned_decode_tps = 42;
  g_assert_true (_hearth_tuning_store_model_options (tuning, mo, &error));
  g_assert_no_error (error);

  r = hearth_tuning_resolve (tuning, "tiny:latest", NULL, HEARTH_API_OLLAMA, request);
  g_assert_cmpstr (r->profile, ==, HEARTH_PROFILE_BALANCED);
  g_assert_null (r->automatic_reason);
  g_assert_cmpuint (r->unsupported->len, ==, 0);
  /* Balanced leaves the context to the server */
  g_assert_false (hearth_run_options_is_set (r->options, HEARTH_RUN_OPTION_NUM_CTX));
  g_assert_cmpint (r->sources[HEARTH_RUN_OPTION_NUM_CTX], ==, HEARTH_OPTION_SOURCE_NONE);
  g_assert_cmpfloat (value_of (r->options, HEARTH_RUN_OPTION_NUM_THREAD), ==, 3);
  g_assert_cmpint (r->sources[HEARTH_RUN_OPTION_NUM_THREAD], ==, HEARTH_OPTION_SOURCE_MODEL);
  g_assert_cmpfloat (value_of (r->options, HEARTH_RUN_OPTION_NUM_BATCH), ==, 256);
  g_assert_cmpint (r->sources[HEARTH_RUN_OPTION_NUM_BATCH], ==, HEARTH_OPTION_SOURCE_TUNED);
  g_assert_cmpfloat (value_of (r->options, HEARTH_RUN_OPTION_TEMPERATURE), ==, 0.2);
  g_assert_cmpint (r->sources[HEARTH_RUN_OPTION_TEMPERATURE], ==, HEARTH_OPTION_SOURCE_REQUEST);
  g_assert_false (hearth_run_options_is_set (r->options, HEARTH_RUN_OPTION_TOP_K));
  g_assert_cmpint (r->sources[HEARTH_RUN_OPTION_TOP_K], ==, HEARTH_OPTION_SOURCE_NONE);
  g_assert_cmpstr (hearth_option_source_to_string (HEARTH_OPTION_SOURCE_TUNED), ==, "tuned");

  /* An OpenAI-compatible server: only what it takes, and why not the rest */
  openai = hearth_tuning_resolve (tuning, "tiny:latest", NULL, HEARTH_API_OPENAI, request);
  g_assert_false (hearth_run_options_is_set (openai->options, HEARTH_RUN_OPTION_NUM_THREAD));
  g_assert_false (hearth_run_options_is_set (openai->options, HEARTH_RUN_OPTION_NUM_CTX));
  g_assert_cmpfloat (value_of (openai->options, HEARTH_RUN_OPTION_TEMPERATURE), ==, 0.2);
  g_assert_cmpuint (openai->unsupported->len, ==, 2);  /* num_thread, num_batch */
  for (guint i = 0; i < openai->unsupported->len; i++)
    threads_listed |= g_str_equal (openai->unsupported->pdata[i],
                                   "num_thread: an OpenAI-compatible server sets its own threads");
  g_assert_true (threads_listed);

  /* The user changes the tuned key: it is theirs now */
  hearth_run_options_set (mo->options, HEARTH_RUN_OPTION_NUM_BATCH, 512, NULL);
  g_assert_true (hearth_tuning_set_model_options (tuning, "tiny:latest", NULL, mo->options, &error));
  g_assert_no_error (error);
  changed = hearth_tuning_resolve (tuning, "tiny:latest", NULL, HEARTH_API_OLLAMA, NULL);
  g_assert_cmpint (changed->sources[HEARTH_RUN_OPTION_NUM_BATCH], ==, HEARTH_OPTION_SOURCE_MODEL);
  g_assert_cmpint (changed->sources[HEARTH_RUN_OPTION_TEMPERATURE], ==, HEARTH_OPTION_SOURCE_MODEL);
  g_clear_pointer (&mo, hearth_model_options_free);
  mo = hearth_tuning_get_model_options (tuning, "tiny:latest", NULL);
  /* Rollback's options and the run stay */
  g_assert_cmpint (mo->tune_run_id, ==, 7);
  g_assert_cmpfloat (mo->tuned_decode_tps, ==, 42);
  g_assert_cmpuint (mo->tuned_keys, ==, 0);
}

/* ---- Profiles ---- */

/* A string setting's value, freed after the comparison. */
static void
assert_setting (GSettings  *settings,
                const char *key,
                const char *expected)
{
  g_autofree char *value = g_settings_get_string (settings, key);

  g_assert_cmpstr (value, ==, expected);
}

static void
test_custom_profiles (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("profiles");
  g_autoptr(GSettings) settings = g_settings_new ("io.github.hearthapp.Hearth");
  g_autoptr(HearthTuning) tuning = quiet_tuning (store, settings);
  g_autoptr(HearthProfile) mine = hearth_profile_new ("long-docs", HEARTH_PROFILE_QUALITY);
  g_autoptr(HearthProfile) bad = NULL;
  g_autoptr(HearthRunOptions) effective = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(HearthResolvedOptions) r = NULL;
  g_autoptr(GError) error = NULL;
  guint changed = 0;

  g_signal_connect (tuning, "changed", G_CALLBACK (count_signal), &changed);
  g_assert_cmpstr (hearth_tuning_get_chosen_profile (tuning), ==, HEARTH_PROFILE_BALANCED);

  hearth_run_options_set (mine->options, HEARTH_RUN_OPTION_NUM_CTX, 16384, NULL);
  g_assert_true (hearth_tuning_save_profile (tuning, mine, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 1);
  effective = hearth_tuning_get_profile_options (tuning, "long-docs", &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (value_of (effective, HEARTH_RUN_OPTION_NUM_CTX), ==, 16384);
  /* Quality's temperature, inherited */
  g_assert_cmpfloat (value_of (effective, HEARTH_RUN_OPTION_TEMPERATURE), ==, 0.7);

  all = hearth_tuning_list_profiles (tuning);
  g_assert_cmpuint (all->len, ==, 5);
  g_assert_cmpstr (((HearthProfile *) all->pdata[0])->name, ==, HEARTH_PROFILE_FAST);
  g_assert_cmpstr (((HearthProfile *) all->pdata[4])->name, ==, "long-docs");
  g_assert_cmpstr (((HearthProfile *) all->pdata[4])->title, ==, "Long docs");

  /* Used: the setting says so, and requests go out with it */
  g_assert_true (hearth_tuning_use_profile (tuning, "long-docs", &error));
  g_assert_no_error (error);
  assert_setting (settings, "run-profile", "long-docs");
  g_assert_cmpstr (hearth_tuning_get_active_profile (tuning), ==, "long-docs");
  r = hearth_tuning_resolve (tuning, "tiny:latest", NULL, HEARTH_API_OLLAMA, NULL);
  g_assert_cmpfloat (value_of (r->options, HEARTH_RUN_OPTION_NUM_CTX), ==, 16384);
  g_assert_cmpint (r->sources[HEARTH_RUN_OPTION_NUM_CTX], ==, HEARTH_OPTION_SOURCE_PROFILE);
  g_assert_cmpstr (r->profile, ==, "long-docs");

  /* What cannot be done says why */
  bad = hearth_profile_new ("fast", HEARTH_PROFILE_BALANCED);
  g_assert_false (hearth_tuning_save_profile (tuning, bad, &error));
  g_assert_nonnull (strstr (error->message, "built-in"));
  g_clear_error (&error);
  g_free (bad->name);
  bad->name = g_strdup ("mine-too");
  g_free (bad->parent);
  bad->parent = g_strdup ("long-docs");
  g_assert_false (hearth_tuning_save_profile (tuning, bad, &error));
  g_assert_nonnull (strstr (error->message, "starts from a built-in"));
  g_clear_error (&error);
  g_assert_false (hearth_tuning_use_profile (tuning, "nope", &error));
  g_assert_nonnull (strstr (error->message, "fast, balanced, quality, battery, long-docs"));
  g_clear_error (&error);
  g_assert_false (hearth_tuning_remove_profile (tuning, HEARTH_PROFILE_FAST, &error));
  g_assert_nonnull (strstr (error->message, "cannot be removed"));
  g_clear_error (&error);

  /* Removing the one in use goes back to Balanced */
  g_assert_true (hearth_tuning_remove_profile (tuning, "long-docs", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (hearth_tuning_get_chosen_profile (tuning), ==, HEARTH_PROFILE_BALANCED);
  assert_setting (settings, "run-profile", HEARTH_PROFILE_BALANCED);
  g_assert_cmpint (hearth_test_sqlite_query_int (hearth_store_get_path (store),
                                                 "SELECT count(*) FROM run_profiles"), ==, 0);
}

/* ---- The automatic choice ---- */

static void
test_automatic (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("automatic");
  g_autoptr(GSettings) settings = g_settings_new ("io.github.hearthapp.Hearth");
  g_autoptr(HearthTuning) tuning = quiet_tuning (store, settings);
  g_autoptr(HearthTestPowerMonitor) power = g_object_new (HEARTH_TYPE_TEST_POWER_MONITOR, NULL);
  g_autoptr(HearthTestMemoryMonitor) memory = g_object_new (HEARTH_TYPE_TEST_MEMORY_MONITOR, NULL);
  g_autoptr(HearthProfile) battery = hearth_tuning_get_profile (tuning, HEARTH_PROFILE_BATTERY, NULL);
  HearthResolvedOptions *r;
  guint automatic = 0;

  g_settings_set_boolean (settings, "run-profile-automatic", TRUE);
  set_model (tuning, "tiny:latest", NULL, options_of ("num_thread=7", "num_ctx=8192", NULL));
  hearth_tuning_set_monitors (tuning, G_POWER_PROFILE_MONITOR (power), G_MEMORY_MONITOR (memory));
  g_signal_connect (tuning, "automatic-changed", G_CALLBACK (count_signal), &automatic);
  g_assert_null (hearth_tuning_get_automatic_reason (tuning));

  /* Power saver: the Battery profile, its threads over the model's own */
  hearth_test_power_monitor_set (power, TRUE);
  g_assert_cmpuint (automatic, ==, 1);
  g_assert_cmpstr (hearth_tuning_get_active_profile (tuning), ==, HEARTH_PROFILE_BATTERY);
  g_assert_cmpstr (hearth_tuning_get_chosen_profile (tuning), ==, HEARTH_PROFILE_BALANCED);
  g_assert_cmpstr (hearth_tuning_get_automatic_reason (tuning), ==, "Power saver is on: Battery profile");
  r = hearth_tuning_resolve (tuning, "tiny:latest", NULL, HEARTH_API_OLLAMA, NULL);
  g_assert_cmpstr (r->profile, ==, HEARTH_PROFILE_BATTERY);
  g_assert_cmpstr (r->automatic_reason, ==, "Power saver is on: Battery profile");
  g_assert_cmpfloat (value_of (r->options, HEARTH_RUN_OPTION_NUM_THREAD), ==,
                     value_of (battery->options, HEARTH_RUN_OPTION_NUM_THREAD));
  g_assert_cmpint (r->sources[HEARTH_RUN_OPTION_NUM_THREAD], ==, HEARTH_OPTION_SOURCE_AUTOMATIC);
  g_assert_cmpfloat (value_of (r->options, HEARTH_RUN_OPTION_NUM_BATCH), ==, 128);
  g_assert_cmpfloat (value_of (r->options, HEARTH_RUN_OPTION_KEEP_ALIVE), ==, 60);
  /* the context is the model's own: battery limits threads, not memory */
  g_assert_cmpfloat (value_of (r->options, HEARTH_RUN_OPTION_NUM_CTX), ==, 8192);
  g_assert_cmpint (r->sources[HEARTH_RUN_OPTION_NUM_CTX], ==, HEARTH_OPTION_SOURCE_MODEL);
  hearth_resolved_options_free (r);

  hearth_test_power_monitor_set (power, FALSE);
  g_assert_cmpuint (automatic, ==, 2);
  g_assert_null (hearth_tuning_get_automatic_reason (tuning));
  g_assert_cmpstr (hearth_tuning_get_active_profile (tuning), ==, HEARTH_PROFILE_BALANCED);

  /* Low memory: the context is limited for a while */
  g_signal_emit_by_name (memory, "low-memory-warning", G_MEMORY_MONITOR_WARNING_LEVEL_LOW);
  g_assert_cmpuint (automatic, ==, 3);
  g_assert_true (hearth_tuning_get_memory_pressure (tuning));
  r = hearth_tuning_resolve (tuning, "tiny:latest", NULL, HEARTH_API_OLLAMA, NULL);
  g_assert_cmpfloat (value_of (r->options, HEARTH_RUN_OPTION_NUM_CTX), ==, HEARTH_TUNING_PRESSURE_MAX_CTX);
  g_assert_cmpint (r->sources[HEARTH_RUN_OPTION_NUM_CTX], ==, HEARTH_OPTION_SOURCE_AUTOMATIC);
  g_assert_cmpfloat (value_of (r->options, HEARTH_RUN_OPTION_NUM_THREAD), ==, 7);
  hearth_resolved_options_free (r);

  /* On battery too */
  hearth_tuning_set_on_battery (tuning, TRUE);
  g_assert_cmpuint (automatic, ==, 4);
  g_assert_cmpstr (hearth_tuning_get_automatic_reason (tuning), ==,
                   "On battery: Battery profile; Memory is low: context limited to 2048");

  /* The user turned the automatic choice off: their profile, their context */
  g_settings_set_boolean (settings, "run-profile-automatic", FALSE);
  g_assert_cmpuint (automatic, ==, 5);
  g_assert_null (hearth_tuning_get_automatic_reason (tuning));
  g_assert_false (hearth_tuning_get_memory_pressure (tuning));
  g_assert_cmpstr (hearth_tuning_get_active_profile (tuning), ==, HEARTH_PROFILE_BALANCED);
  r = hearth_tuning_resolve (tuning, "tiny:latest", NULL, HEARTH_API_OLLAMA, NULL);
  g_assert_cmpfloat (value_of (r->options, HEARTH_RUN_OPTION_NUM_CTX), ==, 8192);
  g_assert_cmpfloat (value_of (r->options, HEARTH_RUN_OPTION_NUM_THREAD), ==, 7);
  hearth_resolved_options_free (r);
  g_settings_set_boolean (settings, "run-profile-automatic", TRUE);
}

/* ---- What a chat sends ---- */

typedef struct
{
  SoupServer *server;
  char       *url;
  GPtrArray  *bodies;     /* of char *: each chat request's body, in order */
} FakeServer;

static void
fake_handler (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  FakeServer *fake = user_data;
  SoupMessageBody *request = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (request);
  const char *body;

  if (g_str_equal (path, "/api/tags"))
    {
      body = "{\"models\":[{\"name\":\"tiny:latest\",\"model\":\"tiny:latest\",\"digest\":\"d1\","
             "\"size\":1000,\"details\":{}}]}";
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, body, strlen (body));
      return;
    }
  g_ptr_array_add (fake->bodies, g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)));
  if (g_str_equal (path, "/api/chat"))
    body = "{\"model\":\"tiny:latest\",\"message\":{\"role\":\"assistant\",\"content\":\"Blue.\"},\"done\":false}\n"
           "{\"model\":\"tiny:latest\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,"
           "\"done_reason\":\"stop\",\"prompt_eval_count\":5,\"prompt_eval_duration\":1000000,"
           "\"eval_count\":2,\"eval_duration\":2000000,\"total_duration\":5000000}\n";
  else
    body = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Blue.\"}}]}\n\n"
           "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
           "data: [DONE]\n\n";
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, g_str_equal (path, "/api/chat") ? "application/x-ndjson"
                                                                          : "text/event-stream",
                                    SOUP_MEMORY_STATIC, body, strlen (body));
}

static FakeServer *
fake_server_new (void)
{
  FakeServer *fake = g_new0 (FakeServer, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;

  fake->bodies = g_ptr_array_new_with_free_func (g_free);
  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->server, NULL, fake_handler, fake, NULL);
  soup_server_listen_local (fake->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fake->server);
  fake->url = g_uri_to_string (uris->data);
  if (g_str_has_suffix (fake->url, "/"))
    fake->url[strlen (fake->url) - 1] = '\0';
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  return fake;
}

static void
fake_server_free (FakeServer *fake)
{
  soup_server_disconnect (fake->server);
  g_object_unref (fake->server);
  g_free (fake->url);
  g_ptr_array_unref (fake->bodies);
  g_free (fake);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeServer, fake_server_free)

static JsonObject *
last_body (FakeServer *fake,
           JsonNode  **keep)
{
  g_assert_cmpuint (fake->bodies->len, >, 0);
  g_test_message ("sent: %s", (char *) g_ptr_array_index (fake->bodies, fake->bodies->len - 1));
  *keep = hearth_test_parse_json (g_ptr_array_index (fake->bodies, fake->bodies->len - 1));
  return json_node_get_object (*keep);
}

static HearthReply *
ask (HearthEngine   *engine,
     HearthProvider *provider,
     const char     *prompt,
     double          temperature)
{
  HearthChatRequest *request = hearth_chat_request_new ();
  g_autoptr(GError) error = NULL;
  HearthReply *reply;

  request->model = g_strdup ("tiny:latest");
  request->temperature = temperature;
  hearth_chat_request_add_message (request, "user", prompt);
  reply = hearth_engine_chat (engine, provider, request, -1, &error);
  g_assert_no_error (error);
  while (!hearth_reply_is_finished (reply))
    g_main_context_iteration (NULL, TRUE);
  return reply;
}

/* The model's options go out with every chat (keep_alive at the top, the
 * rest in "options"), the request's own temperature wins, and the reply
 * and its message in the history say what was sent. */
static void
test_chat_sends_options (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(HearthStore) store = hearth_test_open_store ("chat-options");
  g_autoptr(HearthEngine) engine = hearth_engine_new (store);
  HearthTuning *tuning = hearth_engine_get_tuning (engine);
  g_autoptr(HearthReply) reply = NULL;
  g_autoptr(HearthReply) openai_reply = NULL;
  g_autoptr(JsonNode) keep = NULL;
  g_autoptr(JsonNode) openai_keep = NULL;
  g_autoptr(JsonNode) stored = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *openai_url = NULL;
  JsonObject *body, *options, *openai_body;
  const HearthRunOptions *sent;

  hearth_tuning_set_monitors (tuning, NULL, NULL);
  hearth_tuning_set_on_battery (tuning, FALSE);
  set_model (tuning, "tiny:latest", NULL,
             options_of ("num_thread=3", "num_ctx=1024", "num_gpu=0", "num_batch=64",
                         "keep_alive=30m", "temperature=0.9", "repeat_penalty=1.2", NULL));

  reply = ask (engine, hearth_engine_get_provider (engine, HEARTH_API_OLLAMA, fake->url),
               "Why is the sky blue?", 0.2);
  g_assert_cmpint (hearth_reply_get_state (reply), ==, HEARTH_REPLY_DONE);
  body = last_body (fake, &keep);
  options = json_object_get_object_member (body, "options");
  g_assert_cmpint (json_object_get_int_member (options, "num_thread"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (options, "num_ctx"), ==, 1024);
  g_assert_cmpint (json_object_get_int_member (options, "num_gpu"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (options, "num_batch"), ==, 64);
  g_assert_cmpfloat (json_object_get_double_member (options, "repeat_penalty"), ==, 1.2);
  g_assert_cmpfloat (json_object_get_double_member (options, "temperature"), ==, 0.2);
  g_assert_false (json_object_has_member (options, "keep_alive"));
  g_assert_cmpstr (json_object_get_string_member (body, "keep_alive"), ==, "30m");

  sent = hearth_reply_get_options (reply);
  g_assert_nonnull (sent);
  g_assert_cmpfloat (value_of (sent, HEARTH_RUN_OPTION_NUM_THREAD), ==, 3);
  g_assert_cmpfloat (value_of (sent, HEARTH_RUN_OPTION_TEMPERATURE), ==, 0.2);
  messages = hearth_store_list_messages (store, hearth_reply_get_conversation_id (reply), 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, 2);
  g_assert_null (((HearthMessage *) messages->pdata[0])->options);
  stored = hearth_test_parse_json (((HearthMessage *) messages->pdata[1])->options);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (stored), "num_thread"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (stored), "keep_alive"), ==, "30m");

  /* An OpenAI-compatible server gets only what it takes */
  openai_url = g_strdup_printf ("%s/v1", fake->url);
  openai_reply = ask (engine, hearth_engine_get_provider (engine, HEARTH_API_OPENAI, openai_url),
                      "Why is the sea blue?", NAN);
  openai_body = last_body (fake, &openai_keep);
  g_assert_cmpfloat (json_object_get_double_member (openai_body, "temperature"), ==, 0.9);
  g_assert_false (json_object_has_member (openai_body, "options"));
  g_assert_false (json_object_has_member (openai_body, "num_thread"));
  g_assert_false (json_object_has_member (openai_body, "keep_alive"));
  g_assert_false (json_object_has_member (openai_body, "repeat_penalty"));
  g_assert_false (hearth_run_options_is_set (hearth_reply_get_options (openai_reply),
                                             HEARTH_RUN_OPTION_NUM_THREAD));
}

/* A cached answer stays valid when only the speed changes (threads), and
 * is not used when the answer could change (the context). */
static void
test_cache_ignores_speed (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(HearthStore) store = hearth_test_open_store ("cache-options");
  g_autofree char *cache_path = hearth_test_build_tmp_path ("cache-options", "cache.db", NULL);
  g_autoptr(HearthCache) cache = NULL;
  g_autoptr(HearthEngine) engine = hearth_engine_new (store);
  HearthTuning *tuning = hearth_engine_get_tuning (engine);
  HearthProvider *provider;
  g_autoptr(GError) error = NULL;
  HearthReply *reply;

  cache = hearth_cache_open (cache_path, 1 << 20, 1 << 20, 3600, &error);
  g_assert_no_error (error);
  hearth_engine_set_cache (engine, cache, FALSE);
  hearth_tuning_set_monitors (tuning, NULL, NULL);
  hearth_tuning_set_on_battery (tuning, FALSE);
  provider = hearth_engine_get_provider (engine, HEARTH_API_OLLAMA, fake->url);

  set_model (tuning, "tiny:latest", NULL, options_of ("num_thread=2", NULL));
  reply = ask (engine, provider, "Name a colour.", 0);
  g_assert_false (hearth_reply_get_cached (reply));
  g_object_unref (reply);
  g_assert_cmpuint (fake->bodies->len, ==, 1);

  set_model (tuning, "tiny:latest", NULL, options_of ("num_thread=5", "num_batch=32", "keep_alive=0", NULL));
  reply = ask (engine, provider, "Name a colour.", 0);
  g_assert_true (hearth_reply_get_cached (reply));
  g_object_unref (reply);
  g_assert_cmpuint (fake->bodies->len, ==, 1);

  set_model (tuning, "tiny:latest", NULL, options_of ("num_thread=5", "num_ctx=512", NULL));
  reply = ask (engine, provider, "Name a colour.", 0);
  g_assert_false (hearth_reply_get_cached (reply));
  g_object_unref (reply);
  g_assert_cmpuint (fake->bodies->len, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  hearth_test_init (&argc, &argv);

  g_test_add_func ("/tuning/store-per-model-and-machine", test_store_per_model_and_machine);
  g_test_add_func ("/tuning/other-process", test_other_process);
  g_test_add_func ("/tuning/other-process-notified", test_other_process_notified);
  g_test_add_func ("/tuning/layering", test_layering);
  g_test_add_func ("/tuning/custom-profiles", test_custom_profiles);
  g_test_add_func ("/tuning/automatic", test_automatic);
  g_test_add_func ("/tuning/chat-sends-options", test_chat_sends_options);
  g_test_add_func ("/tuning/cache-ignores-speed", test_cache_ignores_speed);

  return g_test_run ();
}
