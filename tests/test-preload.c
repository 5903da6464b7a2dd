/* test-preload.c — preloading against the real test engine, why a model was
 * loaded (kept in the history, seen by another process), usage patterns
 * learned from a real history, and the scheduler
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "hearth-error.h"
#include "hearth-store-usage.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"
#include "hearth-tuning.h"
#include "hearth-usage-pattern.h"

#define MODEL "tiny-fixed:latest"

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} Wait;

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static GAsyncResult *
wait_for (Wait *wait)
{
  wait->loop = g_main_loop_new (NULL, FALSE);
  if (wait->result == NULL)
    g_main_loop_run (wait->loop);
  g_main_loop_unref (wait->loop);
  return wait->result;
}

/* "preloaded" as it is emitted */
typedef struct
{
  GMainLoop *loop;
  char      *model;
  char      *reason;
  guint      n;
} Preloaded;

static void
on_preloaded (HearthTuning *tuning,
              const char   *model,
              const char   *reason,
              Preloaded    *seen)
{
  g_free (seen->model);
  g_free (seen->reason);
  seen->model = g_strdup (model);
  seen->reason = g_strdup (reason);
  seen->n++;
  if (seen->loop != NULL)
    g_main_loop_quit (seen->loop);
}

static gboolean
give_up (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

/* Waits up to 60 s for one more "preloaded" than @before. */
static void
wait_preloaded (Preloaded *seen,
                guint      before)
{
  guint timeout;

  seen->loop = g_main_loop_new (NULL, FALSE);
  timeout = g_timeout_add_seconds (60, give_up, seen->loop);
  if (seen->n == before)
    g_main_loop_run (seen->loop);
  if (seen->n > before)
    g_source_remove (timeout);
  g_clear_pointer (&seen->loop, g_main_loop_unref);
  g_assert_cmpuint (seen->n, >, before);
}

static void
preloaded_clear (Preloaded *seen)
{
  g_free (seen->model);
  g_free (seen->reason);
}

static HearthProvider *
provider_for (HearthApiKind api)
{
  g_autoptr(SoupSession) session = soup_session_new ();

  return hearth_provider_new (api, hearth_test_engine_url (), session);
}

static gboolean
preload (HearthTuning   *tuning,
         HearthProvider *provider,
         const char     *model,
         double          keep_alive_s,
         const char     *reason,
         GError        **error)
{
  Wait wait = { 0 };
  gboolean ok;

  hearth_tuning_preload_async (tuning, provider, model, keep_alive_s, reason, NULL,
                               wait_cb, &wait);
  ok = hearth_tuning_preload_finish (tuning, wait_for (&wait), error);
  g_clear_object (&wait.result);
  return ok;
}

/* Seconds from now until /api/ps says the model leaves memory; asserts it
 * is loaded. */
static double
seconds_loaded (HearthProvider *provider,
                const char     *model)
{
  Wait wait = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  hearth_provider_list_loaded_async (provider, NULL, wait_cb, &wait);
  loaded = hearth_provider_list_loaded_finish (provider, wait_for (&wait), &error);
  g_clear_object (&wait.result);
  g_assert_no_error (error);
  for (guint i = 0; i < loaded->len; i++)
    {
      HearthLoadedModel *entry = g_ptr_array_index (loaded, i);
      g_autoptr(GDateTime) expires = NULL;

      if (g_strcmp0 (entry->name, model) != 0)
        continue;
      expires = g_date_time_new_from_iso8601 (entry->expires_at, NULL);
      g_assert_nonnull (expires);
      return g_date_time_difference (expires, now) / (double) G_USEC_PER_SEC;
    }
  g_assert_not_reached ();
  return 0;
}

/* What the engine saw in the options of the last request to @model. */
static JsonObject *
last_options (const char *model)
{
  g_autofree char *text = hearth_test_server_request (hearth_test_engine_server (NULL), "GET", "/_stats");
  g_autoptr(JsonNode) root = hearth_test_parse_json (text);
  JsonObject *all;

  g_assert_true (json_object_has_member (json_node_get_object (root), "last_options"));
  all = json_object_get_object_member (json_node_get_object (root), "last_options");
  g_assert_true (json_object_has_member (all, model));
  return json_object_ref (json_object_get_object_member (all, model));
}

static char *
digest_of (HearthProvider *provider,
           const char     *model)
{
  Wait wait = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = NULL;
  const HearthModelInfo *info;

  hearth_provider_list_models_async (provider, NULL, wait_cb, &wait);
  models = hearth_provider_list_models_finish (provider, wait_for (&wait), &error);
  g_clear_object (&wait.result);
  g_assert_no_error (error);
  info = hearth_model_info_find (models, model);
  g_assert_nonnull (info);
  return g_strdup (info->digest);
}

/* The model is loaded with its options (the ones a chat would send, so
 * the chat does not load it again) and kept as long as they say, or as
 * long as asked; why is noted where another HearthTuning (hearth-cli's)
 * sees it. */
static void
test_preload_ollama (void)
{
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthStore) other_store = NULL;
  g_autoptr(HearthTuning) tuning = NULL;
  g_autoptr(HearthTuning) other = NULL;
  g_autoptr(HearthProvider) provider = NULL;
  g_autoptr(HearthRunOptions) options = hearth_run_options_new ();
  g_autoptr(JsonObject) sent = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *stored = NULL;
  Preloaded seen = { 0 }, seen_other = { 0 };
  double left;

  if (!hearth_test_require_node ())
    return;
  store = hearth_test_open_store ("preload");
  tuning = hearth_tuning_new (store, NULL);
  g_signal_connect (tuning, "preloaded", G_CALLBACK (on_preloaded), &seen);
  provider = provider_for (HEARTH_API_OLLAMA);
  digest = digest_of (provider, MODEL);

  /* Tuned to 2 threads and a 1024 context, kept 10 minutes. */
  g_assert_true (hearth_run_options_parse_assignment (options, "num_ctx=1024", &error));
  g_assert_true (hearth_run_options_parse_assignment (options, "num_thread=2", &error));
  g_assert_true (hearth_run_options_parse_assignment (options, "keep_alive=10m", &error));
  g_assert_no_error (error);
  g_assert_true (hearth_tuning_set_model_options (tuning, MODEL, digest, options, &error));
  g_assert_no_error (error);

  g_assert_true (preload (tuning, provider, "tiny-fixed", 0, NULL, &error));
  g_assert_no_error (error);
  left = seconds_loaded (provider, MODEL);
  g_assert_cmpfloat (left, >, 600 - 30);
  g_assert_cmpfloat (left, <=, 600 + 1);
  sent = last_options (MODEL);
  g_assert_true (json_object_has_member (sent, "num_ctx"));
  g_assert_true (json_object_has_member (sent, "num_thread"));
  g_assert_cmpint (json_object_get_int_member (sent, "num_ctx"), ==, 1024);
  g_assert_cmpint (json_object_get_int_member (sent, "num_thread"), ==, 2);

  /* Why, here, at once; and in the history. */
  g_assert_cmpuint (seen.n, ==, 1);
  g_assert_cmpstr (seen.model, ==, MODEL);
  g_assert_cmpstr (seen.reason, ==, "preloaded by you");
  g_assert_cmpstr (hearth_tuning_get_load_reason (tuning, MODEL), ==, "preloaded by you");
  stored = hearth_test_sqlite_query_text (hearth_store_get_path (store),
                                          "SELECT reason || ' ' || keep_alive_s FROM preloads"
                                          " WHERE model = 'tiny-fixed:latest'");
  g_assert_cmpstr (stored, ==, "preloaded by you 600.0");

  /* Another HearthTuning on the same file (another process, say) learns
   * it when it asks, and is told. */
  other_store = hearth_store_open (hearth_store_get_path (store), &error);
  g_assert_no_error (error);
  other = hearth_tuning_new (other_store, NULL);
  g_signal_connect (other, "preloaded", G_CALLBACK (on_preloaded), &seen_other);
  if (hearth_tuning_get_load_reason (other, MODEL) == NULL)
    wait_preloaded (&seen_other, 0);
  g_assert_cmpstr (hearth_tuning_get_load_reason (other, MODEL), ==, "preloaded by you");
  g_assert_null (hearth_tuning_get_load_reason (other, "never-loaded:latest"));

  /* Asked for: 90 s, then for ever. */
  g_assert_true (preload (tuning, provider, MODEL, 90, "preloaded for a test", &error));
  g_assert_no_error (error);
  left = seconds_loaded (provider, MODEL);
  g_assert_cmpfloat (left, >, 90 - 30);
  g_assert_cmpfloat (left, <=, 90 + 1);
  g_assert_cmpstr (hearth_tuning_get_load_reason (tuning, MODEL), ==, "preloaded for a test");
  g_assert_true (preload (tuning, provider, MODEL, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (seconds_loaded (provider, MODEL), >, 365.0 * 24 * 3600);
  g_assert_cmpuint (seen.n, ==, 3);

  preloaded_clear (&seen);
  preloaded_clear (&seen_other);
}

/* An OpenAI-compatible server loads models itself: Hearth says so, and
 * notes nothing. A model the server does not have is named. */
static void
test_preload_refused (void)
{
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthTuning) tuning = NULL;
  g_autoptr(HearthProvider) openai = NULL;
  g_autoptr(HearthProvider) ollama = NULL;
  g_autoptr(GError) error = NULL;
  Preloaded seen = { 0 };

  if (!hearth_test_require_node ())
    return;
  store = hearth_test_open_store ("refused");
  tuning = hearth_tuning_new (store, NULL);
  g_signal_connect (tuning, "preloaded", G_CALLBACK (on_preloaded), &seen);
  openai = provider_for (HEARTH_API_OPENAI);
  ollama = provider_for (HEARTH_API_OLLAMA);

  g_assert_false (hearth_provider_get_features (openai) & HEARTH_PROVIDER_CAN_LOAD);
  g_assert_true (hearth_provider_get_features (ollama) & HEARTH_PROVIDER_CAN_LOAD);
  g_assert_false (preload (tuning, openai, MODEL, 0, NULL, &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "cannot preload"));
  g_assert_nonnull (strstr (error->message, "OpenAI-compatible"));
  g_clear_error (&error);

  g_assert_false (preload (tuning, ollama, "no-such-model", 0, NULL, &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no-such-model"));
  g_clear_error (&error);

  g_assert_cmpuint (seen.n, ==, 0);
  g_assert_null (hearth_tuning_get_load_reason (tuning, MODEL));
  g_assert_cmpint (hearth_test_sqlite_query_int (hearth_store_get_path (store),
                                                 "SELECT count(*) FROM preloads"), ==, 0);
  preloaded_clear (&seen);
}

/* ---- Usage patterns from a real history ---- */

/* Local time @weeks_back weeks before this week, on @weekday (1 Monday …
 * 7 Sunday) at @hour:@minute. */
static gint64
local_ms (guint weeks_back,
          guint weekday,
          guint hour,
          guint minute)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) day = g_date_time_add_days (now, -(int) (weeks_back * 7) +
                                                   (int) weekday - g_date_time_get_day_of_week (now));
  g_autoptr(GDateTime) at = g_date_time_new_local (g_date_time_get_year (day),
                                                   g_date_time_get_month (day),
                                                   g_date_time_get_day_of_month (day),
                                                   (int) hour, (int) minute, 0);

  return g_date_time_to_unix (at) * 1000;
}

static void
add_reply (HearthStore *store,
           gint64       conversation_id,
           const char  *model,
           gint64       created_ms,
           const char  *role)
{
  g_autoptr(HearthMessage) message = hearth_message_new (role, "text");
  g_autoptr(GError) error = NULL;

  message->conversation_id = conversation_id;
  message->model = g_strdup (model);
  message->created_ms = created_ms;
  g_assert_cmpint (hearth_store_add_message (store, message, &error), >, 0);
  g_assert_no_error (error);
}

static GPtrArray *
list_usage (HearthTuning *tuning)
{
  Wait wait = { 0 };
  g_autoptr(GError) error = NULL;
  GPtrArray *patterns;

  hearth_tuning_list_usage_async (tuning, NULL, wait_cb, &wait);
  patterns = hearth_tuning_list_usage_finish (tuning, wait_for (&wait), &error);
  g_clear_object (&wait.result);
  g_assert_no_error (error);
  g_assert_nonnull (patterns);
  return patterns;
}

static const HearthUsagePattern *
find_pattern (GPtrArray  *patterns,
              const char *model)
{
  for (guint i = 0; i < patterns->len; i++)
    if (g_strcmp0 (((HearthUsagePattern *) patterns->pdata[i])->model, model) == 0)
      return patterns->pdata[i];
  g_assert_not_reached ();
  return NULL;
}

static void
test_usage_patterns (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("usage");
  g_autoptr(HearthTuning) tuning = hearth_tuning_new (store, NULL);
  g_autoptr(GPtrArray) patterns = NULL;
  g_autoptr(GError) error = NULL;
  const HearthUsagePattern *p;
  gint64 id = hearth_store_create_conversation (store, "Usage", &error);

  g_assert_no_error (error);
  for (guint week = 1; week <= 3; week++)
    {
      /* Monday to Friday, 8:10 and 9:40: weekday mornings. */
      for (guint day = 1; day <= 5; day++)
        {
          add_reply (store, id, "morning:latest", local_ms (week, day, 8, 10), "assistant");
          add_reply (store, id, "morning:latest", local_ms (week, day, 9, 40), "assistant");
          /* The question is not a reply: it does not count. */
          add_reply (store, id, "morning:latest", local_ms (week, day, 22, 0), "user");
        }
      /* Mondays 8:50, 9:05, 9:30, 10:20 — and once on a Wednesday afternoon. */
      add_reply (store, id, "monday:latest", local_ms (week, 1, 8, 50), "assistant");
      add_reply (store, id, "monday:latest", local_ms (week, 1, 9, 5), "assistant");
      add_reply (store, id, "monday:latest", local_ms (week, 1, 9, 30), "assistant");
      add_reply (store, id, "monday:latest", local_ms (week, 1, 10, 20), "assistant");
      add_reply (store, id, "monday:latest", local_ms (week, 3, 15, 0), "assistant");
      /* Saturdays and Sundays at 10:00, 15:00 and 20:00: weekends. */
      for (guint day = 6; day <= 7; day++)
        for (guint hour = 10; hour <= 20; hour += 5)
          add_reply (store, id, "weekend:latest", local_ms (week, day, hour, 0), "assistant");
    }
  /* Every day at 19:15, two weeks: every evening. */
  for (guint week = 1; week <= 2; week++)
    for (guint day = 1; day <= 7; day++)
      add_reply (store, id, "evening:latest", local_ms (week, day, 19, 15), "assistant");
  /* Nine replies: too few to say. */
  for (guint i = 0; i < 9; i++)
    add_reply (store, id, "rare:latest", local_ms (1 + i % 3, 2, 11, 0), "assistant");
  /* Older than eight weeks: forgotten. */
  for (guint i = 0; i < 20; i++)
    add_reply (store, id, "old:latest", local_ms (10, 1 + i % 5, 9, 0), "assistant");

  patterns = list_usage (tuning);
  g_assert_cmpuint (patterns->len, ==, 5);

  p = find_pattern (patterns, "morning:latest");
  g_assert_cmpstr (p->pattern, ==, "weekday mornings");
  g_assert_cmpuint (p->n_replies, ==, 30);
  g_assert_cmpint (p->hours[0 * 24 + 8], ==, 3);    /* Monday 8:00–9:00 */
  g_assert_cmpint (p->hours[4 * 24 + 9], ==, 3);    /* Friday 9:00–10:00 */
  g_assert_cmpint (p->hours[0 * 24 + 22], ==, 0);   /* the questions */
  g_assert_true (_hearth_usage_pattern_covers (p, 2 * 24 + 7));   /* Wednesday 7:00 */
  g_assert_false (_hearth_usage_pattern_covers (p, 5 * 24 + 8));  /* Saturday 8:00 */

  p = find_pattern (patterns, "monday:latest");
  g_assert_cmpstr (p->pattern, ==, "Mondays around 9:00");
  g_assert_cmpuint (p->n_replies, ==, 15);
  g_assert_true (_hearth_usage_pattern_covers (p, 8));
  g_assert_true (_hearth_usage_pattern_covers (p, 10));
  g_assert_false (_hearth_usage_pattern_covers (p, 11));

  p = find_pattern (patterns, "weekend:latest");
  g_assert_cmpstr (p->pattern, ==, "weekends");
  g_assert_cmpuint (p->n_replies, ==, 18);

  p = find_pattern (patterns, "evening:latest");
  g_assert_cmpstr (p->pattern, ==, "every evening");
  g_assert_true (_hearth_usage_pattern_covers (p, 6 * 24 + 19));  /* Sunday 19:00 */

  p = find_pattern (patterns, "rare:latest");
  g_assert_null (p->pattern);
  g_assert_cmpuint (p->n_replies, ==, 9);
  g_assert_false (_hearth_usage_pattern_covers (p, 1 * 24 + 11));

  /* Most used first. */
  g_assert_cmpstr (((HearthUsagePattern *) patterns->pdata[0])->model, ==, "morning:latest");
  g_assert_cmpstr (((HearthUsagePattern *) patterns->pdata[4])->model, ==, "rare:latest");
}

/* Without a history there is nothing to learn from, and it says why. */
static void
test_usage_without_history (void)
{
  g_autoptr(HearthTuning) tuning = hearth_tuning_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };

  hearth_tuning_list_usage_async (tuning, NULL, wait_cb, &wait);
  g_assert_null (hearth_tuning_list_usage_finish (tuning, wait_for (&wait), &error));
  g_assert_nonnull (error);
  g_assert_cmpstr (error->message, !=, "");
  g_clear_object (&wait.result);
  g_assert_null (hearth_tuning_get_load_reason (tuning, MODEL));
}

/* ---- The scheduler ---- */

/* With "preload-learned" on, a model used at this hour of the week is
 * preloaded at start, kept until its usual hours end, and the next preload
 * is set 15 minutes before those hours come again; off, nothing is. */
/* Now, or just past the turn of the hour when that is less than
 * @margin_s away, so that the hour the test computes is the scheduler's. */
static GDateTime *
now_not_near_the_hour (guint margin_s)
{
  GDateTime *now = g_date_time_new_now_local ();
  guint left = 3600 - (guint) (g_date_time_get_minute (now) * 60 + g_date_time_get_second (now));

  if (left >= margin_s)
    return now;
  g_date_time_unref (now);
  g_usleep ((left + 1) * G_USEC_PER_SEC);
  return g_date_time_new_now_local ();
}

static void
test_scheduler (void)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthTuning) tuning = NULL;
  g_autoptr(HearthProvider) provider = NULL;
  g_autoptr(GDateTime) now = now_not_near_the_hour (120);
  g_autoptr(GDateTime) window_end = NULL;
  g_autoptr(GDateTime) next_start = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  Preloaded seen = { 0 };
  guint weekday = (guint) g_date_time_get_day_of_week (now);
  guint hour = (guint) g_date_time_get_hour (now);
  guint first = hour > 0 ? hour - 1 : 0;
  gint64 id;
  double left;

  if (!hearth_test_require_node ())
    return;
  settings = g_settings_new (APP_ID);
  store = hearth_test_open_store ("scheduler");
  tuning = hearth_tuning_new (store, settings);
  g_signal_connect (tuning, "preloaded", G_CALLBACK (on_preloaded), &seen);
  provider = provider_for (HEARTH_API_OLLAMA);

  /* Used on this weekday at this hour, three weeks running. */
  id = hearth_store_create_conversation (store, "Habit", &error);
  g_assert_no_error (error);
  for (guint week = 1; week <= 3; week++)
    for (guint minute = 0; minute < 60; minute += 15)
      add_reply (store, id, MODEL, local_ms (week, weekday, hour, minute), "assistant");

  /* Off (the default): nothing. */
  g_assert_false (g_settings_get_boolean (settings, "preload-learned"));
  hearth_tuning_start_scheduler (tuning, provider);
  g_assert_cmpint (_hearth_tuning_get_next_preload_ms (tuning), ==, 0);

  /* On: preloaded now, for the reason learned. */
  g_settings_set_boolean (settings, "preload-learned", TRUE);
  wait_preloaded (&seen, 0);
  g_assert_cmpstr (seen.model, ==, MODEL);
  {
    static const char *days[] = { "Mondays", "Tuesdays", "Wednesdays", "Thursdays",
                                  "Fridays", "Saturdays", "Sundays" };

    expected = g_strdup_printf ("preloaded: you use it %s around %u:00", days[weekday - 1], hour);
  }
  g_assert_cmpstr (seen.reason, ==, expected);
  g_assert_cmpstr (hearth_tuning_get_load_reason (tuning, MODEL), ==, expected);

  /* Kept until the usual hours end (an hour after this one), at least
   * 15 minutes. */
  window_end = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                                      g_date_time_get_day_of_month (now), (int) MIN (hour + 1, 23),
                                      0, 0);
  {
    g_autoptr(GDateTime) end = g_date_time_add_hours (window_end, 1);
    double until_end = g_date_time_difference (end, now) / (double) G_USEC_PER_SEC;

    left = seconds_loaded (provider, MODEL);
    g_assert_cmpfloat (left, >, MAX (until_end, 15 * 60) - 60);
    g_assert_cmpfloat (left, <, MAX (until_end, 15 * 60) + 60);
  }

  /* Next: a week on, 15 minutes before the usual hours start. */
  {
    g_autoptr(GDateTime) start = g_date_time_new_local (g_date_time_get_year (now),
                                                        g_date_time_get_month (now),
                                                        g_date_time_get_day_of_month (now),
                                                        (int) first, 0, 0);

    next_start = g_date_time_add_weeks (start, 1);
  }
  while (_hearth_tuning_get_next_preload_ms (tuning) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (_hearth_tuning_get_next_preload_ms (tuning), ==,
                   (g_date_time_to_unix (next_start) - 15 * 60) * 1000);

  /* Off again: nothing scheduled; stopped: nothing either. */
  g_settings_set_boolean (settings, "preload-learned", FALSE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (_hearth_tuning_get_next_preload_ms (tuning), ==, 0);
  g_settings_set_boolean (settings, "preload-learned", TRUE);
  wait_preloaded (&seen, 1);
  hearth_tuning_start_scheduler (tuning, NULL);
  g_assert_cmpint (_hearth_tuning_get_next_preload_ms (tuning), ==, 0);
  g_settings_set_boolean (settings, "preload-learned", FALSE);

  preloaded_clear (&seen);
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);
  g_test_add_func ("/preload/ollama", test_preload_ollama);
  g_test_add_func ("/preload/refused", test_preload_refused);
  g_test_add_func ("/preload/usage-patterns", test_usage_patterns);
  g_test_add_func ("/preload/usage-without-history", test_usage_without_history);
  g_test_add_func ("/preload/scheduler", test_scheduler);
  return g_test_run ();
}
