/* test-alerts-engine.c — the alerting engine end to end: the engine's
 * sampler and replies, the real test engine stopping and coming back, a
 * fake Ollama spilling, hearth-cli ask, and a webhook received
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <libsoup/soup.h>
#include <string.h>

#include "hearth-alerts.h"
#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-test-alerts.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

/* End to end: the engine's sampler ticks, the server stops and comes back */

static void
test_server_down_and_back (void)
{
  g_autofree char *model = NULL;
  g_autofree char *models = NULL;
  g_autofree char *port = NULL;
  g_autofree char *url = NULL;
  g_autoptr(HearthTestServer) server = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(Recorder) rec = NULL;
  g_autoptr(GPtrArray) rules = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) history = NULL;
  HearthAlerts *alerts;
  HearthAlertEvent *down;
  const char *args[] = { "--models", NULL, "--port", NULL, NULL };

  if (!hearth_test_require_node ())
    return;
  model = hearth_test_make_model ("fixed", "tiny-fixed");
  models = g_path_get_dirname (model);
  args[1] = models;
  args[2] = NULL;
  server = hearth_test_server_start ("server.mjs", args);
  url = g_strdup (hearth_test_server_get_url (server));
  port = g_strdup (strrchr (url, ':') + 1);
  g_setenv ("OLLAMA_HOST", url, TRUE);

  engine = hearth_engine_new_for_settings (NULL, HEARTH_ENGINE_HISTORY | HEARTH_ENGINE_SAMPLER);
  hearth_sampler_set_intervals (hearth_engine_get_sampler (engine), 250, 250);
  alerts = hearth_engine_get_alerts (engine);
  rec = recorder_new (alerts);
  /* The default "Server down" waits 30 s; this one a second. */
  rules = hearth_alerts_list_rules (alerts, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rules->len; i++)
    {
      HearthAlertRule *rule = rules->pdata[i];

      if (rule->metric != HEARTH_ALERT_METRIC_SERVER_UP)
        continue;
      rule->for_ms = SECOND;
      hearth_alerts_update_rule (alerts, rule, &error);
      g_assert_no_error (error);
    }

  /* Up: a few ticks, nothing fires. */
  g_assert_false (wait_for_state (rec, HEARTH_ALERT_STATE_FIRING, 2));

  hearth_test_server_stop (g_steal_pointer (&server));
  g_assert_true (wait_for_state (rec, HEARTH_ALERT_STATE_FIRING, 30));
  down = last_event (rec);
  g_assert_cmpint (down->metric, ==, HEARTH_ALERT_METRIC_SERVER_UP);
  g_assert_cmpint (down->severity, ==, HEARTH_ALERT_CRITICAL);
  g_assert_true (down->deliver);
  g_assert_nonnull (strstr (down->message, "does not answer"));
  g_assert_nonnull (strstr (down->message, port));
  g_assert_cmpuint (hearth_alerts_get_n_firing (alerts), ==, 1);

  args[2] = "--port";
  args[3] = port;
  server = hearth_test_server_start ("server.mjs", args);
  g_assert_cmpstr (hearth_test_server_get_url (server), ==, url);
  g_assert_true (wait_for_state (rec, HEARTH_ALERT_STATE_RESOLVED, 45));
  g_assert_nonnull (strstr (last_event (rec)->message, "answers again"));
  g_assert_cmpuint (hearth_alerts_get_n_firing (alerts), ==, 0);

  /* Both kept in the history. */
  history = read_history (alerts, 0);
  g_assert_cmpuint (history->len, >=, 2);
  g_assert_cmpint (((HearthAlertEvent *) history->pdata[0])->state, ==, HEARTH_ALERT_STATE_RESOLVED);
  hearth_engine_shutdown (engine);
  g_unsetenv ("OLLAMA_HOST");
}

/* hearth-cli ask records its reply through the engine like the app: a
 * reply far slower than the model's stored normal fires the default
 * "slower than its normal" rule in the command's own process. */
static void
test_cli_ask_judged (void)
{
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthAlerts) alerts = NULL;
  g_autoptr(HearthTestRun) run = NULL;
  g_autofree char *model = NULL;
  g_autofree char *message = NULL;
  const char *path;

  if (!hearth_test_require_node ())
    return;
  store = hearth_test_open_history ();
  path = hearth_store_get_path (store);
  /* The defaults, as the first run gives them. */
  alerts = hearth_alerts_new (store);
  run = hearth_test_run_cli (NULL, "ask", "--endpoint", hearth_test_engine_url (),
                             "--model", "tiny-fixed", "--no-cache", "how fast are you?", NULL);
  g_assert_cmpint (run->exit_code, ==, 0);
  g_assert_cmpint (hearth_test_sqlite_query_int (path, "SELECT count(*) FROM alert_events"
                                                       " WHERE metric = 'tokens_per_s'"), ==, 0);
  model = hearth_test_sqlite_query_text (path, "SELECT model FROM messages WHERE role = 'assistant'"
                                               " ORDER BY id DESC LIMIT 1");
  g_assert_nonnull (model);
  /* Its normal, as if it had answered twelve times at 100,000 tokens/s. */
  for (int i = 0; i < 12; i++)
    {
      g_autofree char *sql = g_strdup_printf (
        "INSERT INTO messages (conversation_id, role, content, model, state, created_ms,"
        " tokens_per_s, cached) SELECT max (id), 'assistant', 'fast', '%s', 'complete', %d,"
        " %d, 0 FROM conversations", model, i, 100000 + i);
      hearth_test_sqlite_run (path, sql);
    }

  g_clear_pointer (&run, hearth_test_run_free);
  run = hearth_test_run_cli (NULL, "ask", "--endpoint", hearth_test_engine_url (),
                             "--model", "tiny-fixed", "--no-cache", "and now?", NULL);
  g_assert_cmpint (run->exit_code, ==, 0);
  g_assert_cmpint (hearth_test_sqlite_query_int (path, "SELECT count(*) FROM alert_events"
                                                       " WHERE metric = 'tokens_per_s'"
                                                       " AND state = 'firing'"), ==, 1);
  message = hearth_test_sqlite_query_text (path, "SELECT message FROM alert_events"
                                                 " WHERE metric = 'tokens_per_s'");
  g_assert_true (g_str_has_prefix (message, model));
  g_assert_nonnull (strstr (message, " % below its normal "));
}

/* A webhook receiver on loopback: the bodies it got. */
static void
hook_handle (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  GPtrArray *bodies = user_data;
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));

  g_ptr_array_add (bodies, g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)));
  soup_server_message_set_status (msg, 200, NULL);
}

static void
spin_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
}

static void
wait_bodies (GPtrArray *bodies,
             guint      n)
{
  gint64 end = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  while (bodies->len < n && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
}

static void
chat_once (HearthEngine   *engine,
           HearthProvider *provider)
{
  g_autoptr(GError) error = NULL;
  HearthChatRequest *request = hearth_chat_request_new ();
  g_autoptr(HearthReply) reply = NULL;

  request->model = g_strdup ("tiny-fixed");
  hearth_chat_request_add_message (request, "user", "how fast are you?");
  reply = hearth_engine_chat (engine, provider, request, -1, &error);
  g_assert_no_error (error);
  g_object_ref (reply);
  while (!hearth_reply_is_finished (reply))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (hearth_reply_get_state (reply), ==, HEARTH_REPLY_DONE);
}

static void
tested (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hearth_alerts_test_rule_finish (HEARTH_ALERTS (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* A slow reply of the real test engine, recorded by the engine, reaches a
 * webhook once; firing again within the cooldown reaches it no more. */
static void
test_slow_reply_webhook (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthAlerts) setup = NULL;   /* removes the defaults */
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GPtrArray) bodies = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(HearthAlertRule) rule = hearth_alert_rule_new ();
  g_autoptr(Recorder) rec = NULL;
  g_autofree char *url = NULL;
  HearthProvider *provider;
  HearthAlerts *alerts;
  GSList *uris;
  gboolean done = FALSE;

  if (!hearth_test_require_node ())
    return;
  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, hook_handle, bodies, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d/api/webhook/hearth", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  setup = alerts_without_defaults ("slow-webhook", &store);
  engine = hearth_engine_new (store);
  alerts = hearth_engine_get_alerts (engine);
  rec = recorder_new (alerts);
  g_free (rule->name);
  rule->name = g_strdup ("Slower than normal");
  rule->metric = HEARTH_ALERT_METRIC_TOKENS_PER_S;
  rule->condition = HEARTH_ALERT_ANOMALY;
  rule->threshold = -2;
  rule->min_change_percent = 30;
  rule->cooldown_ms = 10 * MINUTE;
  rule->channels = HEARTH_ALERT_CHANNEL_WEBHOOK | HEARTH_ALERT_CHANNEL_LOG;
  rule->webhook_url = g_strdup (url);
  hearth_alerts_add_rule (alerts, rule, &error);
  g_assert_no_error (error);

  provider = hearth_engine_get_provider (engine, HEARTH_API_OLLAMA, hearth_test_engine_url ());
  while (hearth_alerts_is_busy (alerts))
    g_main_context_iteration (NULL, TRUE);
  /* A first reply: too few values to judge; it gives the model's name. */
  chat_once (engine, provider);
  g_assert_cmpuint (rec->events->len, ==, 0);
  {
    g_autoptr(GArray) seen = hearth_alerts_get_recent_values (alerts, HEARTH_ALERT_METRIC_TOKENS_PER_S,
                                                              NULL, 0);
    g_assert_cmpuint (seen->len, ==, 1);
    g_assert_cmpfloat (g_array_index (seen, HearthAlertPoint, 0).value, >, 0);
  }
  /* Its normal, as if it had been answering at 100,000 tokens/s. */
  for (guint i = 0; i < 12; i++)
    hearth_alerts_observe (alerts, HEARTH_ALERT_METRIC_TOKENS_PER_S, "tiny-fixed:latest",
                           100000 + i, g_get_real_time () / 1000);

  chat_once (engine, provider);
  g_assert_cmpuint (rec->events->len, ==, 1);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_FIRING);
  g_assert_true (last_event (rec)->deliver);
  wait_bodies (bodies, 1);
  g_assert_cmpuint (bodies->len, ==, 1);
  g_assert_nonnull (strstr (bodies->pdata[0], "\"state\":\"firing\""));
  g_assert_nonnull (strstr (bodies->pdata[0], "below its normal"));

  /* Back to normal, then slow again within the cooldown: stored, not sent. */
  hearth_alerts_observe (alerts, HEARTH_ALERT_METRIC_TOKENS_PER_S, "tiny-fixed:latest",
                         100000, g_get_real_time () / 1000);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_RESOLVED);
  wait_bodies (bodies, 2);
  g_assert_cmpuint (bodies->len, ==, 2);   /* the resolve of what was told */
  chat_once (engine, provider);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_FIRING);
  g_assert_false (last_event (rec)->deliver);
  spin_ms (1500);
  g_assert_cmpuint (bodies->len, ==, 2);

  /* "alerts test": through the webhook, marked as a test. */
  hearth_alerts_test_rule_async (alerts, rule->id, NULL, tested, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (bodies->len, ==, 3);
  g_assert_nonnull (strstr (bodies->pdata[2], "\"test\":true"));
  g_assert_true (last_event (rec)->is_test);
}

/* A server that says it is Ollama, with one model half in video memory
 * until told otherwise. */
static void
ollama_handle (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  gboolean *loaded = user_data;
  const char *body = "{\"version\":\"0.5.7\"}";

  if (g_str_equal (path, "/api/ps"))
    body = *loaded ? "{\"models\":[{\"name\":\"big:70b\",\"model\":\"big:70b\","
                     "\"size\":40000000000,\"size_vram\":22000000000,\"digest\":\"d\","
                     "\"expires_at\":\"2030-01-01T00:00:00Z\"}]}"
                   : "{\"models\":[]}";
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

/* The engine asks Ollama what it has loaded on its sampler's tick: a model
 * partly on the CPU fires the default rule, and resolves once unloaded. */
static void
test_vram_spill (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(Recorder) rec = NULL;
  g_autoptr(GPtrArray) rules = NULL;
  g_autofree char *url = NULL;
  gboolean loaded = TRUE;
  HearthAlerts *alerts;
  GSList *uris;

  soup_server_add_handler (server, NULL, ollama_handle, &loaded, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_setenv ("OLLAMA_HOST", url, TRUE);

  engine = hearth_engine_new_for_settings (NULL, HEARTH_ENGINE_HISTORY | HEARTH_ENGINE_SAMPLER);
  hearth_sampler_set_intervals (hearth_engine_get_sampler (engine), 250, 250);
  alerts = hearth_engine_get_alerts (engine);
  rec = recorder_new (alerts);
  rules = hearth_alerts_list_rules (alerts, &error);
  for (guint i = 0; i < rules->len; i++)
    {
      HearthAlertRule *rule = rules->pdata[i];

      if (rule->metric != HEARTH_ALERT_METRIC_VRAM_SPILL)
        continue;
      rule->for_ms = 0;
      hearth_alerts_update_rule (alerts, rule, &error);
      g_assert_no_error (error);
    }

  g_assert_true (wait_for_state (rec, HEARTH_ALERT_STATE_FIRING, 15));
  g_assert_cmpint (last_event (rec)->metric, ==, HEARTH_ALERT_METRIC_VRAM_SPILL);
  g_assert_cmpstr (last_event (rec)->subject, ==, "big:70b");
  g_assert_cmpstr (last_event (rec)->message, ==,
                   "big:70b runs partly on the CPU: it does not fit in the GPU's memory");
  loaded = FALSE;
  g_assert_true (wait_for_state (rec, HEARTH_ALERT_STATE_RESOLVED, 15));
  g_assert_cmpstr (last_event (rec)->subject, ==, "big:70b");
  /* The server answered all along. */
  for (guint i = 0; i < rec->events->len; i++)
    g_assert_cmpint (((HearthAlertEvent *) rec->events->pdata[i])->metric, !=,
                     HEARTH_ALERT_METRIC_SERVER_UP);
  hearth_engine_shutdown (engine);
  g_unsetenv ("OLLAMA_HOST");
}

/* A first run with no server anywhere: the server Hearth only guessed
 * (127.0.0.1:11434, nothing set) is not "down" while the setup assistant is
 * unfinished; a server the user named is judged at once. */
static void
test_first_run_no_server (void)
{
  g_autofree char *dir = g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "data", NULL);
  g_autoptr(GSettingsSchemaSource) source = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(Recorder) rec = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) any = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *closed = NULL;
  HearthAlerts *alerts;

  g_unsetenv ("OLLAMA_HOST");
  source = g_settings_schema_source_new_from_directory (dir, NULL, FALSE, &error);
  g_assert_no_error (error);
  schema = g_settings_schema_source_lookup (source, "io.github.hearthapp.Hearth", FALSE);
  g_assert_nonnull (schema);
  settings = g_settings_new_full (schema, backend, NULL);
  g_assert_false (g_settings_get_boolean (settings, "setup-done"));

  engine = hearth_engine_new_for_settings (settings, HEARTH_ENGINE_HISTORY | HEARTH_ENGINE_SAMPLER);
  hearth_sampler_set_intervals (hearth_engine_get_sampler (engine), 250, 250);
  alerts = hearth_engine_get_alerts (engine);
  rec = recorder_new (alerts);

  /* Probed (nothing answers at the guessed address here), and not judged */
  {
    gint64 until = g_get_monotonic_time () + 6 * G_USEC_PER_SEC;

    /* six seconds of samples and probes */
    while (g_get_monotonic_time () < until)
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (10 * 1000);
  }
  for (guint i = 0; i < rec->events->len; i++)
    g_assert_cmpint (((HearthAlertEvent *) rec->events->pdata[i])->metric, !=,
                     HEARTH_ALERT_METRIC_SERVER_UP);

  /* A port nobody listens on, named in Preferences: its silence counts. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  closed = g_strdup_printf ("http://127.0.0.1:%u",
                            g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_settings_set_string (settings, "endpoint", closed);
  g_assert_true (wait_for_state (rec, HEARTH_ALERT_STATE_PENDING, 30));
  g_assert_cmpint (last_event (rec)->metric, ==, HEARTH_ALERT_METRIC_SERVER_UP);
  g_assert_nonnull (strstr (last_event (rec)->message, closed + strlen ("http://")));
  hearth_engine_shutdown (engine);
}

/* The quiet hours the settings give reach the engine's alerts, and follow
 * the settings as they change. */
static void
test_quiet_hours_setting (void)
{
  g_autofree char *dir = g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "data", NULL);
  g_autoptr(GSettingsSchemaSource) source = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(Recorder) rec = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  HearthAlertMetric cpu = HEARTH_ALERT_METRIC_CPU_PERCENT;
  int hour = g_date_time_get_hour (now);
  gint64 time_ms = g_date_time_to_unix (now) * 1000;
  HearthAlerts *alerts;

  source = g_settings_schema_source_new_from_directory (dir, NULL, FALSE, &error);
  g_assert_no_error (error);
  schema = g_settings_schema_source_lookup (source, "io.github.hearthapp.Hearth", FALSE);
  g_assert_nonnull (schema);
  settings = g_settings_new_full (schema, backend, NULL);
  g_settings_set_int (settings, "alerts-quiet-start", hour);
  g_settings_set_int (settings, "alerts-quiet-end", (hour + 1) % 24);

  engine = hearth_engine_new_for_settings (settings, HEARTH_ENGINE_HISTORY);
  alerts = hearth_engine_get_alerts (engine);
  rec = recorder_new (alerts);
  add_rule (alerts, cpu, HEARTH_ALERT_ABOVE, 90, 0, HEARTH_ALERT_WARNING);
  hearth_alerts_observe (alerts, cpu, NULL, 99, time_ms);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_FIRING);
  g_assert_false (last_event (rec)->deliver);
  hearth_alerts_observe (alerts, cpu, NULL, 10, time_ms + 1);

  /* Equal hours: none. */
  g_settings_set_int (settings, "alerts-quiet-end", hour);
  hearth_alerts_observe (alerts, cpu, NULL, 99, time_ms + 2);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_FIRING);
  g_assert_true (last_event (rec)->deliver);
}

int
main (int   argc,
      char *argv[])
{
  hearth_test_init (&argc, &argv);

  g_test_add_func ("/alerts/server-down-and-back", test_server_down_and_back);
  g_test_add_func ("/alerts/cli-ask-judged", test_cli_ask_judged);
  g_test_add_func ("/alerts/slow-reply-webhook", test_slow_reply_webhook);
  g_test_add_func ("/alerts/vram-spill", test_vram_spill);
  g_test_add_func ("/alerts/quiet-hours-setting", test_quiet_hours_setting);
  g_test_add_func ("/alerts/first-run-no-server", test_first_run_no_server);

  return g_test_run ();
}
