/* test-server-health.c — probes and their states against real servers: the
 * test engine (up), a closed port (down), a server answering 5xx, 401 or
 * slowly; latency measured, the breaker, the monitoring backoff, every
 * server's models, the next server of the fallback chain
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "hearth-endpoint.h"
#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-servers-private.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

typedef struct
{
  HearthEngine  *engine;
  HearthServers *servers;   /* the engine's */
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "hearth", "servers.conf", NULL);

  g_remove (path);
  fixture->engine = hearth_engine_new_for_settings (NULL, 0);
  hearth_engine_set_timeout (fixture->engine, 30);
  fixture->servers = hearth_engine_get_servers (fixture->engine);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  hearth_servers_stop_monitoring (fixture->servers);
  g_clear_object (&fixture->engine);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Probes @name; returns what probe_finish said. */
static gboolean
probe (Fixture     *fixture,
       const char  *name,
       GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hearth_servers_probe_async (fixture->servers, name, NULL, done_cb, &result);
  return hearth_servers_probe_finish (fixture->servers, wait_for (&result), error);
}

static HearthServer *
add (Fixture       *fixture,
     const char    *name,
     const char    *url,
     HearthApiKind  api)
{
  g_autoptr(GError) error = NULL;
  HearthServer *server = hearth_servers_add (fixture->servers, name, url, api, FALSE, NULL, &error);

  g_assert_no_error (error);
  return server;
}

/* A port nothing listens on: bound, then let go. */
static char *
closed_port_url (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return g_strdup_printf ("http://127.0.0.1:%u", port);
}

static HearthTestServer *
status_server (void)
{
  return hearth_test_server_start ("status-server.mjs", NULL);
}

static void
set_status (HearthTestServer *server,
            guint             status,
            guint             delay_ms)
{
  g_autofree char *path = g_strdup_printf ("/_set?status=%u&delay=%u", status, delay_ms);
  g_free (hearth_test_server_request (server, "POST", path));
}

/* It answered without an error: up, or "degraded" when it took more than
 * 2 s (a loaded machine can make any answer slow: the rule is checked, not
 * the time). */
static void
assert_answered (HearthServer *server)
{
  HearthServerState expected = hearth_server_get_latency_ms (server) > 2000
                               ? HEARTH_SERVER_STATE_DEGRADED : HEARTH_SERVER_STATE_UP;

  g_assert_cmpfloat (hearth_server_get_latency_ms (server), >, 0);
  g_assert_null (hearth_server_get_last_error (server));
  g_assert_cmpint (hearth_server_get_state (server), ==, expected);
  g_assert_cmpuint (hearth_server_get_failures (server), ==, 0);
  g_assert_false (hearth_server_get_breaker_open (server));
}

static void
test_up (Fixture       *fixture,
         gconstpointer  data)
{
  HearthServer *ollama;
  HearthServer *openai;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  if (!hearth_test_require_node ())
    return;
  ollama = add (fixture, "engine", hearth_test_engine_url (), HEARTH_API_OLLAMA);
  openai = add (fixture, "engine-openai", hearth_test_engine_url (), HEARTH_API_OPENAI);
  g_assert_cmpint (hearth_server_get_state (ollama), ==, HEARTH_SERVER_STATE_UNKNOWN);
  line = hearth_server_describe_state (ollama);
  g_assert_cmpstr (line, ==, "Not checked yet");
  g_clear_pointer (&line, g_free);
  g_assert_cmpfloat (hearth_server_get_latency_ms (ollama), <, 0);

  g_assert_true (probe (fixture, "engine", &error));
  g_assert_no_error (error);
  assert_answered (ollama);
  g_assert_cmpint (hearth_server_get_last_probe_ms (ollama), >, 0);
  g_assert_cmpint (hearth_server_get_state_since_ms (ollama), >, 0);
  g_assert_null (hearth_server_get_last_error (ollama));
  line = hearth_server_describe_state (ollama);
  g_assert_true (g_str_has_prefix (line, hearth_server_get_state (ollama) == HEARTH_SERVER_STATE_UP
                                         ? "Up · " : "Slow · "));
  g_assert_nonnull (strstr (line, " ms"));

  /* Every enabled server at once; the OpenAI-compatible probe lists models. */
  g_assert_true (probe (fixture, NULL, &error));
  assert_answered (openai);
  /* The settings' server ("local", 127.0.0.1:11434) was probed too. */
  g_assert_cmpint (hearth_server_get_last_probe_ms (hearth_servers_lookup (fixture->servers, "local")), >, 0);

  g_assert_false (probe (fixture, "nonesuch", &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "engine, engine-openai"));
}

static void
test_down (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *url = closed_port_url ();
  HearthServer *server = add (fixture, "gone", url, HEARTH_API_OLLAMA);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_assert_false (probe (fixture, "gone", &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_CONNECTION_REFUSED);
  g_assert_cmpint (hearth_server_get_state (server), ==, HEARTH_SERVER_STATE_DOWN);
  g_assert_nonnull (hearth_server_get_last_error (server));
  g_assert_cmpuint (hearth_server_get_failures (server), ==, 1);
  g_assert_false (hearth_server_get_breaker_open (server));
  g_assert_true (hearth_server_is_available (server));
  line = hearth_server_describe_state (server);
  g_assert_true (g_str_has_prefix (line, "Down since "));
  g_assert_nonnull (strstr (line, hearth_server_get_last_error (server)));
}

/* 5xx: down, and after HEARTH_SERVER_BREAKER_FAILURES in a row requests
 * skip it; one good probe closes the breaker. */
static void
test_breaker (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(HearthTestServer) status = NULL;
  HearthServer *server;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  if (!hearth_test_require_node ())
    return;
  status = status_server ();
  server = add (fixture, "flaky", hearth_test_server_get_url (status), HEARTH_API_OPENAI);
  set_status (status, 500, 0);
  for (guint i = 1; i <= HEARTH_SERVER_BREAKER_FAILURES; i++)
    {
      g_assert_false (hearth_server_get_breaker_open (server));
      g_assert_false (probe (fixture, "flaky", &error));
      g_assert_nonnull (error);
      g_clear_error (&error);
      g_assert_cmpint (hearth_server_get_state (server), ==, HEARTH_SERVER_STATE_DOWN);
      g_assert_cmpuint (hearth_server_get_failures (server), ==, i);
    }
  g_assert_true (hearth_server_get_breaker_open (server));
  g_assert_false (hearth_server_is_available (server));
  line = hearth_server_describe_state (server);
  g_assert_true (g_str_has_prefix (line, "Skipped until it answers again (3 failures in a row)"));

  set_status (status, 200, 0);
  g_assert_true (probe (fixture, "flaky", &error));
  g_assert_no_error (error);
  assert_answered (server);
  g_assert_true (hearth_server_is_available (server));

  /* What requests teach it: the same rule. */
  {
    g_autoptr(GError) refused = g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_CONNECTION_REFUSED, "refused");
    g_autoptr(GError) missing = g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND, "missing");

    for (guint i = 0; i < HEARTH_SERVER_BREAKER_FAILURES - 1; i++)
      _hearth_server_record_failure (server, refused);
    /* A missing model says nothing about the server. */
    _hearth_server_record_failure (server, missing);
    g_assert_false (hearth_server_get_breaker_open (server));
    _hearth_server_record_failure (server, refused);
    g_assert_true (hearth_server_get_breaker_open (server));
    _hearth_server_record_success (server, 12);
    g_assert_false (hearth_server_get_breaker_open (server));
    g_assert_cmpint (hearth_server_get_state (server), ==, HEARTH_SERVER_STATE_UP);
  }
}

/* A probe asks once: a busy server (503), which a request tries four
 * times, gets one request; the schedule is the probe's retry (each
 * attempt woke an idle Hearth). A request still tries again. */
static void
test_probe_once (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(HearthTestServer) status = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stats = NULL;
  g_autofree char *stats_after = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) models = NULL;
  HearthServer *server;

  if (!hearth_test_require_node ())
    return;
  status = status_server ();
  server = add (fixture, "busy", hearth_test_server_get_url (status), HEARTH_API_OLLAMA);
  set_status (status, 503, 0);
  g_assert_false (probe (fixture, "busy", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  stats = hearth_test_server_request (status, "GET", "/_stats");
  g_test_message ("after one probe: %s", stats);
  g_assert_nonnull (strstr (stats, "\"total\":1,"));

  _hearth_servers_get_models_async (fixture->servers, server, 0, NULL, done_cb, &result);
  models = _hearth_servers_get_models_finish (fixture->servers, wait_for (&result), &error);
  g_assert_null (models);
  g_assert_nonnull (error);
  stats_after = hearth_test_server_request (status, "GET", "/_stats");
  g_test_message ("after a request too: %s", stats_after);
  g_assert_nonnull (strstr (stats_after, "\"total\":5,"));
}

/* It answers, but refuses (401, 429) or takes more than 2 s: degraded, not down. */
static void
test_degraded (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(HearthTestServer) status = NULL;
  HearthServer *server;
  g_autoptr(GError) error = NULL;

  if (!hearth_test_require_node ())
    return;
  status = status_server ();
  server = add (fixture, "strict", hearth_test_server_get_url (status), HEARTH_API_OPENAI);
  set_status (status, 401, 0);
  g_assert_false (probe (fixture, "strict", &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
  g_assert_cmpint (hearth_server_get_state (server), ==, HEARTH_SERVER_STATE_DEGRADED);
  g_assert_cmpuint (hearth_server_get_failures (server), ==, 0);
  g_assert_true (hearth_server_is_available (server));
  g_assert_nonnull (hearth_server_get_last_error (server));

  set_status (status, 429, 0);
  g_assert_false (probe (fixture, "strict", &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_RATE_LIMITED);
  g_clear_error (&error);
  g_assert_cmpint (hearth_server_get_state (server), ==, HEARTH_SERVER_STATE_DEGRADED);

  set_status (status, 200, 0);
  g_assert_true (probe (fixture, "strict", &error));
  assert_answered (server);

  /* Slow: it answered, after more than 2 s. */
  set_status (status, 200, 2300);
  g_assert_true (probe (fixture, "strict", &error));
  g_assert_no_error (error);
  g_assert_cmpint (hearth_server_get_state (server), ==, HEARTH_SERVER_STATE_DEGRADED);
  g_assert_cmpfloat (hearth_server_get_latency_ms (server), >, 2000);
  {
    g_autofree char *line = hearth_server_describe_state (server);

    g_assert_true (g_str_has_prefix (line, "Slow · "));
  }
}

/* Monitoring: while down the next probe comes later each time (backoff);
 * the schedule closes the breaker once it answers. */
static void
test_backoff (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(HearthTestServer) status = NULL;
  HearthServer *server;
  gint64 intervals[HEARTH_SERVER_BREAKER_FAILURES + 1] = { 0 };

  if (!hearth_test_require_node ())
    return;
  status = status_server ();
  set_status (status, 503, 0);
  server = add (fixture, "watched", hearth_test_server_get_url (status), HEARTH_API_OLLAMA);
  g_assert_true (hearth_servers_set_enabled (fixture->servers, "local", FALSE, NULL));
  g_assert_cmpint (hearth_servers_get_next_probe_us (fixture->servers, server), ==, 0);
  hearth_servers_start_monitoring (fixture->servers);
  hearth_servers_start_monitoring (fixture->servers);   /* idempotent */
  for (guint k = 1; k <= G_N_ELEMENTS (intervals); k++)
    {
      gint64 due;

      while (hearth_server_get_failures (server) < k ||
             (due = hearth_servers_get_next_probe_us (fixture->servers, server)) == 0)
        g_main_context_iteration (NULL, TRUE);
      intervals[k - 1] = due - g_get_monotonic_time ();
      g_test_message ("after %u failures: next probe in %" G_GINT64_FORMAT " µs", k, intervals[k - 1]);
      if (k > 1)
        g_assert_cmpint (intervals[k - 1], >, intervals[k - 2]);
    }
  g_assert_true (hearth_server_get_breaker_open (server));

  /* Back up: the next scheduled probe finds it, and closes the breaker. */
  set_status (status, 200, 0);
  while (hearth_server_get_breaker_open (server))
    g_main_context_iteration (NULL, TRUE);
  assert_answered (server);

  hearth_servers_stop_monitoring (fixture->servers);
  g_assert_cmpint (hearth_servers_get_next_probe_us (fixture->servers, server), ==, 0);
}

/* A server that answers is not re-checked while nobody shows or needs its
 * health: an idle app is not woken. Holding the health (the gateway serving,
 * the Servers page shown) checks it now and every interval; a request that
 * fails in between starts the recovery probes on its own. */
static void
test_idle_when_up (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(HearthTestServer) status = NULL;
  HearthServer *server;
  gint64 last;

  if (!hearth_test_require_node ())
    return;
  status = status_server ();
  set_status (status, 200, 0);
  server = add (fixture, "quiet", hearth_test_server_get_url (status), HEARTH_API_OLLAMA);
  g_assert_true (hearth_servers_set_enabled (fixture->servers, "local", FALSE, NULL));
  hearth_servers_start_monitoring (fixture->servers);
  while (hearth_server_get_state (server) != HEARTH_SERVER_STATE_UP)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (hearth_servers_get_next_probe_us (fixture->servers, server), ==, 0);

  /* Held: probed again at once, then on a schedule. */
  last = hearth_server_get_last_probe_ms (server);
  hearth_servers_hold_health (fixture->servers);
  while (hearth_server_get_last_probe_ms (server) == last
         || hearth_servers_get_next_probe_us (fixture->servers, server) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (hearth_server_get_state (server), ==, HEARTH_SERVER_STATE_UP);

  /* Let go: nothing scheduled for a server that answers. */
  hearth_servers_release_health (fixture->servers);
  g_assert_cmpint (hearth_servers_get_next_probe_us (fixture->servers, server), ==, 0);

  /* It stops answering, found by a request: recovery probes start unasked. */
  set_status (status, 503, 0);
  {
    g_autoptr(GError) refused = g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_CONNECTION_REFUSED, "refused");

    _hearth_server_record_failure (server, refused);
  }
  g_assert_cmpint (hearth_server_get_state (server), ==, HEARTH_SERVER_STATE_DOWN);
  g_assert_cmpint (hearth_servers_get_next_probe_us (fixture->servers, server), !=, 0);
}

static void
test_models (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) cached = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *closed = closed_port_url ();
  g_autofree char *stats_before = NULL;
  g_autofree char *stats_after = NULL;
  HearthServer *fault;
  HearthServerModels *entry;

  if (!hearth_test_require_node ())
    return;
  g_assert_true (hearth_servers_remove (fixture->servers, "local", NULL));
  add (fixture, "engine", hearth_test_engine_url (), HEARTH_API_OLLAMA);
  fault = add (fixture, "fault", hearth_test_fault_url (), HEARTH_API_OPENAI);
  add (fixture, "gone", closed, HEARTH_API_OLLAMA);
  g_assert_true (hearth_servers_set_enabled (fixture->servers, "gone", FALSE, NULL));

  hearth_servers_list_models_async (fixture->servers, FALSE, NULL, done_cb, &result);
  all = hearth_servers_list_models_finish (fixture->servers, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 2);
  entry = g_ptr_array_index (all, 0);
  g_assert_cmpstr (hearth_server_get_name (entry->server), ==, "engine");
  g_assert_nonnull (hearth_model_info_find (entry->models, "tiny-fixed"));
  entry = g_ptr_array_index (all, 1);
  g_assert_nonnull (hearth_model_info_find (entry->models, "ok"));
  g_clear_pointer (&all, g_ptr_array_unref);
  g_clear_object (&result);

  hearth_servers_list_models_async (fixture->servers, TRUE, NULL, done_cb, &result);
  all = hearth_servers_list_models_finish (fixture->servers, wait_for (&result), &error);
  g_assert_cmpuint (all->len, ==, 3);
  entry = g_ptr_array_index (all, 2);
  g_assert_null (entry->models);
  g_assert_error (entry->error, HEARTH_ERROR, HEARTH_ERROR_CONNECTION_REFUSED);
  g_clear_object (&result);

  /* A young enough list is not asked for again. */
  g_free (hearth_test_server_request (hearth_test_fault_server (), "POST", "/_reset"));
  _hearth_servers_get_models_async (fixture->servers, fault, 0, NULL, done_cb, &result);
  models = _hearth_servers_get_models_finish (fixture->servers, wait_for (&result), &error);
  g_assert_no_error (error);
  stats_before = hearth_test_server_request (hearth_test_fault_server (), "GET", "/_stats");
  _hearth_servers_get_models_async (fixture->servers, fault, 60000, NULL, done_cb, &cached);
  again = _hearth_servers_get_models_finish (fixture->servers, wait_for (&cached), &error);
  g_assert_true (again == models);
  stats_after = hearth_test_server_request (hearth_test_fault_server (), "GET", "/_stats");
  g_assert_cmpstr (stats_before, ==, stats_after);
  g_assert_nonnull (strstr (stats_after, "\"/v1/models\":1"));
}

static HearthServerCandidate *
next_fallback (Fixture    *fixture,
               const char *model,
               GPtrArray  *tried)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  HearthServerCandidate *candidate;

  _hearth_servers_next_fallback_async (fixture->servers, model, tried, NULL, done_cb, &result);
  candidate = _hearth_servers_next_fallback_finish (fixture->servers, wait_for (&result), &error);
  g_assert_no_error (error);
  return candidate;
}

static void
test_fallback (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *closed = closed_port_url ();
  g_autoptr(GPtrArray) tried = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  HearthServerCandidate *candidate;
  HearthServer *engine;
  HearthServer *fault;
  HearthServer *gone;
  const char *chain[] = { "gone", "engine", "fault", NULL };

  if (!hearth_test_require_node ())
    return;
  engine = add (fixture, "engine", hearth_test_engine_url (), HEARTH_API_OLLAMA);
  fault = add (fixture, "fault", hearth_test_fault_url (), HEARTH_API_OPENAI);
  /* Not in the chain: never used, though it lists "ok" too. */
  add (fixture, "fault-ollama", hearth_test_fault_url (), HEARTH_API_OLLAMA);
  gone = add (fixture, "gone", closed, HEARTH_API_OLLAMA);
  g_ptr_array_add (tried, hearth_servers_lookup (fixture->servers, "local"));

  /* No chain: no fallback. */
  g_assert_null (next_fallback (fixture, "ok", tried));
  g_assert_true (hearth_servers_set_fallback (fixture->servers, chain, &error));

  /* "gone" cannot say what it has (one failure more); "engine" has no
   * "ok"; "fault" has it. */
  candidate = next_fallback (fixture, "ok", tried);
  g_assert_nonnull (candidate);
  g_assert_true (candidate->server == fault);
  g_assert_cmpstr (candidate->model, ==, "ok");
  g_assert_cmpuint (hearth_server_get_failures (gone), ==, 1);
  _hearth_server_candidate_free (candidate);

  /* Ollama's names: "tiny-fixed" is "tiny-fixed:latest" there. */
  candidate = next_fallback (fixture, "tiny-fixed", tried);
  g_assert_true (candidate->server == engine);
  _hearth_server_candidate_free (candidate);

  /* Already tried, or its breaker open: skipped. */
  g_ptr_array_add (tried, fault);
  g_assert_null (next_fallback (fixture, "ok", tried));
  g_ptr_array_remove (tried, fault);
  for (guint i = 0; i < HEARTH_SERVER_BREAKER_FAILURES; i++)
    {
      g_autoptr(GError) refused = g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_SERVER_ERROR, "500");

      _hearth_server_record_failure (fault, refused);
    }
  g_assert_null (next_fallback (fixture, "ok", tried));
  _hearth_server_record_success (fault, -1);

  /* The substitute, where the model itself is missing. */
  g_assert_null (next_fallback (fixture, "llama3.2:3b", tried));
  g_assert_true (hearth_servers_set_substitute (fixture->servers, "llama3.2:3b", "busy", &error));
  candidate = next_fallback (fixture, "llama3.2:3b", tried);
  g_assert_true (candidate->server == fault);
  g_assert_cmpstr (candidate->model, ==, "busy");
  _hearth_server_candidate_free (candidate);
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);
  /* The schedule's base: 600 ms, so the backoff runs 100, 200, 400 ms. */
  g_setenv ("HEARTH_PROBE_INTERVAL_MS", "600", TRUE);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/server-health/up", test_up);
  ADD ("/server-health/down", test_down);
  ADD ("/server-health/breaker", test_breaker);
  ADD ("/server-health/probe-once", test_probe_once);
  ADD ("/server-health/degraded", test_degraded);
  ADD ("/server-health/backoff", test_backoff);
  ADD ("/server-health/idle-when-up", test_idle_when_up);
  ADD ("/server-health/models", test_models);
  ADD ("/server-health/fallback", test_fallback);
#undef ADD
  return g_test_run ();
}
