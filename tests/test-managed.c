/* test-managed.c — servers Hearth runs: the project's engine started through
 * the same code as ollama and llama-server, by the command the test gives;
 * up, killed and restarted, a crash loop given up, stopped, kept or not at
 * quit, a taken port, seen by a second Hearth, bad additions; the demo
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-reply.h"
#include "hearth-servers-private.h"
#include "hearth-test-alerts.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

typedef struct
{
  HearthEngine  *engine;
  HearthServers *servers;   /* the engine's */
  GPtrArray     *lines;     /* "log-line"s */
} Fixture;

static void
log_line_cb (HearthServers *servers,
             HearthServer  *server,
             const char    *line,
             Fixture       *fixture)
{
  g_ptr_array_add (fixture->lines, g_strdup_printf ("%s: %s", hearth_server_get_name (server), line));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "hearth", "servers.conf", NULL);

  g_remove (path);
  /* data: with the history (the alert rules live there) */
  fixture->engine = hearth_engine_new_for_settings (NULL, data != NULL ? HEARTH_ENGINE_HISTORY : 0);
  hearth_engine_set_timeout (fixture->engine, 30);
  fixture->servers = hearth_engine_get_servers (fixture->engine);
  fixture->lines = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (fixture->servers, "log-line", G_CALLBACK (log_line_cb), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_signal_handlers_disconnect_by_data (fixture->servers, fixture);
  g_clear_object (&fixture->engine);
  g_ptr_array_unref (fixture->lines);
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the loop until @server's process is in @state (a bound of 90 s so
 * a broken build fails instead of hanging; no time is asserted). */
static void
wait_state (HearthServer       *server,
            HearthProcessState  state)
{
  gboolean late = FALSE;
  guint id = g_timeout_add_seconds (90, timeout_cb, &late);

  while (hearth_server_get_process_state (server) != state && !late)
    g_main_context_iteration (NULL, TRUE);
  if (!late)
    g_source_remove (id);
  if (hearth_server_get_process_state (server) != state)
    g_error ("%s: still %s (%s), not %s", hearth_server_get_name (server),
             hearth_process_state_to_string (hearth_server_get_process_state (server)),
             hearth_server_get_process_message (server), hearth_process_state_to_string (state));
}

static gboolean
start (Fixture     *fixture,
       const char  *name,
       GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hearth_servers_start_async (fixture->servers, name, NULL, done_cb, &result);
  return hearth_servers_start_finish (fixture->servers, wait_for (&result), error);
}

static void
stop (HearthServers *servers,
      const char    *name)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  hearth_servers_stop_async (servers, name, NULL, done_cb, &result);
  g_assert_true (hearth_servers_stop_finish (servers, wait_for (&result), &error));
  g_assert_no_error (error);
}

/* Exited (a zombie not reaped yet counts) or no such process. */
static gboolean
pid_gone (int pid)
{
  siginfo_t info;

  memset (&info, 0, sizeof info);
  if (waitid (P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0)
    return info.si_pid == pid;
  return kill (pid, 0) != 0 && errno == ESRCH;
}

static void
wait_pid_gone (int pid)
{
  for (guint i = 0; i < 500 && !pid_gone (pid); i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20000);
    }
  g_assert_true (pid_gone (pid));
}

static char *
pid_file (const char *name)
{
  g_autofree char *file = g_strconcat (name, ".pid", NULL);

  return g_build_filename (g_getenv ("XDG_RUNTIME_DIR"), "hearth", "managed", file, NULL);
}

static char *
engine_command (void)
{
  g_autofree char *script = g_build_filename (g_getenv ("HEARTH_SOURCE_DIR"), "tests", "engine",
                                              "server.mjs", NULL);
  g_autofree char *quoted = g_shell_quote (script);

  return g_strconcat ("node ", quoted, NULL);
}

static char *
models_dir (void)
{
  g_autofree char *model = hearth_test_make_model ("fixed", "tiny-fixed");

  return g_path_get_dirname (model);
}

/* An engine server, added as the CLI and the GUI add one. */
static HearthServer *
add_engine (Fixture    *fixture,
            const char *name,
            gboolean    keep)
{
  g_autofree char *command = engine_command ();
  g_autofree char *dir = models_dir ();
  HearthManagedSpec spec = { .kind = HEARTH_MANAGED_ENGINE, .command = command,
                             .models_dir = dir, .keep = keep };
  g_autoptr(GError) error = NULL;
  HearthServer *server = hearth_servers_add_managed (fixture->servers, name, &spec, &error);

  g_assert_no_error (error);
  g_assert_nonnull (server);
  return server;
}

static gboolean
lists_model (HearthServer *server,
             const char   *model)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GError) error = NULL;
  HearthProvider *provider = hearth_server_get_provider (server);

  /* GET /api/tags */
  hearth_provider_list_models_async (provider, NULL, done_cb, &result);
  models = hearth_provider_list_models_finish (provider, wait_for (&result), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < models->len; i++)
    if (g_str_has_prefix (((HearthModelInfo *) g_ptr_array_index (models, i))->name, model))
      return TRUE;
  return FALSE;
}

static guint
count (const char *haystack,
       const char *needle)
{
  guint n = 0;

  for (const char *p = haystack; (p = strstr (p, needle)) != NULL; p += strlen (needle))
    n++;
  return n;
}

static char *
read_log (HearthServer *server)
{
  g_autofree char *path = hearth_server_get_log_path (server);
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

static void
test_supervise (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *log = NULL;
  HearthServer *server;
  int pid;

  if (!hearth_test_require_node ())
    return;
  server = add_engine (fixture, "eng", FALSE);
  g_assert_cmpint (hearth_server_get_managed (server), ==, HEARTH_MANAGED_ENGINE);
  g_assert_cmpint (hearth_server_get_process_state (server), ==, HEARTH_PROCESS_STOPPED);
  g_assert_true (g_str_has_prefix (hearth_server_get_url (server), "http://127.0.0.1:"));
  url = g_strdup (hearth_server_get_url (server));

  /* Started: it answers, and lists the model of its folder. */
  g_assert_true (start (fixture, "eng", &error));
  g_assert_no_error (error);
  g_assert_cmpint (hearth_server_get_process_state (server), ==, HEARTH_PROCESS_RUNNING);
  pid = hearth_server_get_pid (server);
  g_assert_cmpint (pid, >, 0);
  g_assert_cmpstr (hearth_server_get_url (server), ==, url);
  g_assert_true (lists_model (server, "tiny-fixed"));
  g_assert_true (g_str_has_prefix (hearth_server_get_process_message (server), "Running · pid"));
  /* Other Hearth processes find it: its pid and port. */
  {
    g_autofree char *path = pid_file ("eng");
    g_autofree char *contents = NULL;
    g_autofree char *expected = g_strdup_printf ("%d %s\n", pid, strrchr (url, ':') + 1);

    g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, expected);
  }

  /* Killed: restarted at the same address. */
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  wait_state (server, HEARTH_PROCESS_RESTARTING);
  g_assert_nonnull (strstr (hearth_server_get_process_message (server), "signal 9"));
  wait_state (server, HEARTH_PROCESS_RUNNING);
  g_assert_cmpuint (hearth_server_get_restarts (server), ==, 1);
  g_assert_cmpint (hearth_server_get_pid (server), !=, pid);
  g_assert_cmpstr (hearth_server_get_url (server), ==, url);
  g_assert_true (lists_model (server, "tiny-fixed"));
  g_assert_nonnull (strstr (hearth_server_get_process_message (server), "restarted once"));
  /* Both runs wrote the log, and "log-line" carried it. */
  log = read_log (server);
  g_assert_cmpuint (count (log, "listening on http://127.0.0.1:"), ==, 2);
  {
    guint heard = 0;

    for (guint i = 0; i < fixture->lines->len; i++)
      if (strstr (g_ptr_array_index (fixture->lines, i), "eng: listening on http://127.0.0.1:"))
        heard++;
    g_assert_cmpuint (heard, ==, 2);
  }

  /* Past 1 MiB the log keeps its newer half, and what came last is told. */
  {
    g_autofree char *path = hearth_server_get_log_path (server);
    g_autoptr(GString) lines = g_string_new (NULL);
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(GFileOutputStream) out = g_file_append_to (file, G_FILE_CREATE_NONE, NULL, &error);
    gboolean heard = FALSE;
    struct stat st;

    g_assert_no_error (error);
    for (guint i = 0; lines->len < 1200 * 1024; i++)
      g_string_append_printf (lines, "filler line %u of a chatty server\n", i);
    g_string_append (lines, "the last line before the cut\n");
    g_assert_true (g_output_stream_write_all (G_OUTPUT_STREAM (out), lines->str, lines->len, NULL,
                                              NULL, &error));
    g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error));
    for (guint i = 0; i < 3000 && !heard; i++)
      {
        g_main_context_iteration (NULL, FALSE);
        g_usleep (10000);
        heard = fixture->lines->len > 0 &&
                g_str_equal (g_ptr_array_index (fixture->lines, fixture->lines->len - 1),
                             "eng: the last line before the cut");
      }
    g_assert_true (heard);
    g_assert_cmpint (g_stat (path, &st), ==, 0);
    g_assert_cmpint (st.st_size, <=, 1024 * 1024);
    g_free (log);
    log = read_log (server);
    g_assert_null (strstr (log, "filler line 0 of"));
    g_assert_nonnull (strstr (log, "the last line before the cut\n"));
    g_assert_true (g_str_has_prefix (log, "filler line "));
  }

  /* Its files go by its name: not renamed while it runs. */
  g_assert_false (hearth_servers_edit (fixture->servers, "eng", "eng2", hearth_server_get_url (server),
                                       HEARTH_API_OLLAMA, FALSE, &error));
  g_assert_nonnull (strstr (error->message, "stop it"));
  g_clear_error (&error);

  /* Stopped: gone, and not restarted. */
  pid = hearth_server_get_pid (server);
  stop (fixture->servers, "eng");
  g_assert_cmpint (hearth_server_get_process_state (server), ==, HEARTH_PROCESS_STOPPED);
  g_assert_cmpint (hearth_server_get_pid (server), ==, 0);
  wait_pid_gone (pid);
  g_assert_cmpstr (hearth_server_get_process_message (server), ==, "Stopped");
  {
    g_autofree char *path = pid_file ("eng");

    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  }
}

/* Answers, then exits with code 3 a moment later: every time. */
static char *
crashy_command (void)
{
  g_autofree char *script = hearth_test_build_tmp_path ("crashy.mjs", NULL);
  g_autofree char *quoted = g_shell_quote (script);

  g_assert_true (g_file_set_contents (script,
    "import http from 'node:http';\n"
    "const port = Number(process.argv[process.argv.indexOf('--port') + 1]);\n"
    "http.createServer((q, r) => { r.setHeader('content-type', 'application/json');\n"
    "  r.end('{\"version\":\"0.0.0-crashy\"}'); })\n"
    "  .listen(port, '127.0.0.1', () => { console.log('crashy up'); setTimeout(() => process.exit(3), 300); });\n",
    -1, NULL));
  return g_strconcat ("node ", quoted, NULL);
}

static void
test_crash_loop (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *command = crashy_command ();
  HearthManagedSpec spec = { .kind = HEARTH_MANAGED_ENGINE, .command = command };
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  g_autoptr(Recorder) rec = NULL;
  g_autoptr(GPtrArray) rules = NULL;
  HearthAlerts *alerts = hearth_engine_get_alerts (fixture->engine);
  HearthServer *server;
  HearthAlertEvent *event = NULL;

  if (!hearth_test_require_node ())
    return;
  /* "Server down" judged at once, not after its default 30 s. */
  rules = hearth_alerts_list_rules (alerts, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rules->len; i++)
    {
      HearthAlertRule *rule = rules->pdata[i];

      if (rule->metric != HEARTH_ALERT_METRIC_SERVER_UP)
        continue;
      rule->for_ms = 0;
      hearth_alerts_update_rule (alerts, rule, &error);
      g_assert_no_error (error);
    }
  rec = recorder_new (alerts);
  server = hearth_servers_add_managed (fixture->servers, "crashy", &spec, &error);
  g_assert_no_error (error);
  g_assert_true (start (fixture, "crashy", &error));
  g_assert_no_error (error);

  wait_state (server, HEARTH_PROCESS_FAILED);
  g_assert_cmpuint (hearth_server_get_restarts (server), ==, HEARTH_MANAGED_MAX_RESTARTS);
  g_assert_nonnull (strstr (hearth_server_get_process_message (server), "not restarted"));
  g_assert_nonnull (strstr (hearth_server_get_process_message (server), "exited with code 3"));
  g_assert_cmpint (hearth_server_get_pid (server), ==, 0);
  {
    g_autofree char *path = pid_file ("crashy");

    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  }
  log = read_log (server);
  g_assert_cmpuint (count (log, "crashy up"), ==, HEARTH_MANAGED_MAX_RESTARTS + 1);

  /* The alerts engine heard its endpoint go down: "Server down" fires for it. */
  for (guint i = 0; i < 100 && event == NULL; i++)
    {
      for (guint j = 0; j < rec->events->len; j++)
        {
          HearthAlertEvent *e = rec->events->pdata[j];

          if (e->metric == HEARTH_ALERT_METRIC_SERVER_UP && e->state == HEARTH_ALERT_STATE_FIRING &&
              g_strcmp0 (e->subject, hearth_server_get_endpoint (server)) == 0)
            event = e;
        }
      if (event == NULL)
        wait_for_state (rec, HEARTH_ALERT_STATE_FIRING, 1);
    }
  g_assert_nonnull (event);

  /* Given up: nothing starts it again on its own. */
  {
    gboolean late = FALSE;

    g_timeout_add (1500, timeout_cb, &late);
    while (!late)
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_cmpint (hearth_server_get_process_state (server), ==, HEARTH_PROCESS_FAILED);
  g_free (log);
  log = read_log (server);
  g_assert_cmpuint (count (log, "crashy up"), ==, HEARTH_MANAGED_MAX_RESTARTS + 1);
}

/* A first start that exits before answering is not retried. */
static void
test_exits_at_once (Fixture       *fixture,
                    gconstpointer  data)
{
  HearthManagedSpec spec = { .kind = HEARTH_MANAGED_ENGINE, .command = "sh -c 'echo no model here; exit 3'" };
  g_autoptr(GError) error = NULL;
  HearthServer *server = hearth_servers_add_managed (fixture->servers, "broken", &spec, &error);

  g_assert_no_error (error);
  g_assert_false (start (fixture, "broken", &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "exited with code 3"));
  g_assert_nonnull (strstr (error->message, "no model here"));
  g_assert_cmpint (hearth_server_get_process_state (server), ==, HEARTH_PROCESS_FAILED);
  g_assert_cmpuint (hearth_server_get_restarts (server), ==, 0);
}

static void
test_shutdown (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  HearthServer *unkept, *kept;
  int unkept_pid, kept_pid;

  if (!hearth_test_require_node ())
    return;
  unkept = add_engine (fixture, "unkept", FALSE);
  kept = add_engine (fixture, "kept", TRUE);
  g_assert_true (start (fixture, "unkept", &error));
  g_assert_true (start (fixture, "kept", &error));
  g_assert_no_error (error);
  unkept_pid = hearth_server_get_pid (unkept);
  kept_pid = hearth_server_get_pid (kept);

  hearth_servers_shutdown_managed (fixture->servers);
  g_assert_true (pid_gone (unkept_pid));
  g_assert_cmpint (hearth_server_get_process_state (unkept), ==, HEARTH_PROCESS_STOPPED);
  g_assert_cmpint (hearth_server_get_pid (unkept), ==, 0);
  g_assert_false (pid_gone (kept_pid));
  g_assert_true (lists_model (kept, "tiny-fixed"));

  stop (fixture->servers, "kept");
  wait_pid_gone (kept_pid);
}

static void
test_taken_port (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *saved = NULL;
  HearthServer *server;
  guint port;

  if (!hearth_test_require_node ())
    return;
  server = add_engine (fixture, "porty", FALSE);
  uri = g_uri_parse (hearth_server_get_url (server), G_URI_FLAGS_NONE, NULL);
  port = g_uri_get_port (uri);
  g_assert_true (g_socket_listener_add_inet_port (listener, port, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (start (fixture, "porty", &error));
  g_assert_no_error (error);
  g_clear_pointer (&uri, g_uri_unref);
  uri = g_uri_parse (hearth_server_get_url (server), G_URI_FLAGS_NONE, NULL);
  g_assert_cmpint (g_uri_get_port (uri), !=, port);
  g_assert_true (lists_model (server, "tiny-fixed"));
  /* Saved */
  g_assert_true (g_key_file_load_from_file (file, hearth_servers_get_path (fixture->servers),
                                            G_KEY_FILE_NONE, NULL));
  saved = g_key_file_get_string (file, "server porty", "url", NULL);
  g_assert_cmpstr (saved, ==, hearth_server_get_url (server));
  stop (fixture->servers, "porty");
}

/* Another Hearth (a second engine, as another process would be) finds it
 * through its pid file: no second process; stopping it there stops it. */
static void
test_adopt (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthEngine) other = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  HearthServers *servers;
  HearthServer *server, *seen;
  int pid;

  if (!hearth_test_require_node ())
    return;
  server = add_engine (fixture, "shared", FALSE);
  g_assert_true (start (fixture, "shared", &error));
  pid = hearth_server_get_pid (server);

  other = hearth_engine_new_for_settings (NULL, 0);
  servers = hearth_engine_get_servers (other);
  seen = hearth_servers_lookup (servers, "shared");
  g_assert_nonnull (seen);
  g_assert_cmpint (hearth_server_get_process_state (seen), ==, HEARTH_PROCESS_RUNNING);
  g_assert_cmpint (hearth_server_get_pid (seen), ==, pid);

  hearth_servers_start_async (servers, "shared", NULL, done_cb, &result);
  g_assert_true (hearth_servers_start_finish (servers, wait_for (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpint (hearth_server_get_pid (seen), ==, pid);
  g_assert_cmpint (hearth_server_get_pid (server), ==, pid);

  stop (servers, "shared");
  g_assert_cmpint (hearth_server_get_process_state (seen), ==, HEARTH_PROCESS_STOPPED);
  /* The one that started it sees a stop, not a crash. */
  wait_state (server, HEARTH_PROCESS_STOPPED);
  g_assert_cmpuint (hearth_server_get_restarts (server), ==, 0);
  wait_pid_gone (pid);
}

/* A kept server outlives the Hearth that started it; the next one adopts
 * it and, its first supervisor gone, restarts it when it dies. */
static void
test_adopt_restart (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthEngine) other = NULL;
  HearthServers *servers;
  HearthServer *server;
  g_autofree char *url = NULL;
  int pid;

  if (!hearth_test_require_node ())
    return;
  server = add_engine (fixture, "lasting", TRUE);
  g_assert_true (start (fixture, "lasting", &error));
  g_assert_no_error (error);
  pid = hearth_server_get_pid (server);
  url = g_strdup (hearth_server_get_url (server));
  /* The first Hearth quits. */
  hearth_servers_shutdown_managed (fixture->servers);
  g_assert_false (pid_gone (pid));

  other = hearth_engine_new_for_settings (NULL, 0);
  servers = hearth_engine_get_servers (other);
  server = hearth_servers_lookup (servers, "lasting");
  g_assert_cmpint (hearth_server_get_process_state (server), ==, HEARTH_PROCESS_RUNNING);
  g_assert_cmpint (hearth_server_get_pid (server), ==, pid);

  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  wait_state (server, HEARTH_PROCESS_RESTARTING);
  wait_state (server, HEARTH_PROCESS_RUNNING);
  g_assert_cmpint (hearth_server_get_pid (server), !=, pid);
  g_assert_cmpstr (hearth_server_get_url (server), ==, url);
  g_assert_true (lists_model (server, "tiny-fixed"));
  pid = hearth_server_get_pid (server);
  stop (servers, "lasting");
  wait_pid_gone (pid);
}

static void
test_add_errors (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *not_gguf = hearth_test_build_tmp_path ("not-a-model.gguf", NULL);
  g_autoptr(GError) error = NULL;
  HearthManagedSpec spec = { .kind = HEARTH_MANAGED_OLLAMA, .command = "no-such-program-for-hearth serve" };
  guint n = g_list_model_get_n_items (G_LIST_MODEL (fixture->servers));

  g_assert_null (hearth_servers_add_managed (fixture->servers, "a", &spec, &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "no-such-program-for-hearth"));
  g_clear_error (&error);

  spec = (HearthManagedSpec) { .kind = HEARTH_MANAGED_LLAMA_SERVER, .command = "sh" };
  g_assert_null (hearth_servers_add_managed (fixture->servers, "b", &spec, &error));
  g_assert_nonnull (strstr (error->message, ".gguf"));
  g_clear_error (&error);

  spec.model_file = "/nonexistent/model.gguf";
  g_assert_null (hearth_servers_add_managed (fixture->servers, "b", &spec, &error));
  g_assert_nonnull (strstr (error->message, "/nonexistent/model.gguf"));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (not_gguf, "hello, not a model\n", -1, NULL));
  spec.model_file = not_gguf;
  g_assert_null (hearth_servers_add_managed (fixture->servers, "b", &spec, &error));
  g_assert_nonnull (strstr (error->message, "is not a GGUF model file"));
  g_clear_error (&error);

  /* Nothing was added. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->servers)), ==, n);
}

/* An Ollama that already answers on this computer and is not in the
 * list: found, and adding one Hearth would run is refused with its address. */
static void
test_already_running (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;
  HearthManagedSpec spec = { .kind = HEARTH_MANAGED_OLLAMA, .command = "sh" };
  const char *url;

  if (!hearth_test_require_node ())
    return;
  url = hearth_test_engine_url ();
  g_setenv ("OLLAMA_HOST", url, TRUE);
  /* The settings' "this computer's Ollama" would list it: an empty list. */
  while (g_list_model_get_n_items (G_LIST_MODEL (fixture->servers)) > 0)
    {
      g_autoptr(HearthServer) first = g_list_model_get_item (G_LIST_MODEL (fixture->servers), 0);

      g_assert_true (hearth_servers_remove (fixture->servers, hearth_server_get_name (first), &error));
    }
  hearth_servers_find_unlisted_async (fixture->servers, HEARTH_MANAGED_OLLAMA, NULL, done_cb, &result);
  found = hearth_servers_find_unlisted_finish (fixture->servers, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, url);

  g_clear_object (&result);
  hearth_servers_add_managed_async (fixture->servers, "mine", &spec, NULL, done_cb, &result);
  g_assert_null (hearth_servers_add_managed_finish (fixture->servers, wait_for (&result), &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_ALREADY_RUNNING);
  g_assert_nonnull (strstr (error->message, url));
  g_assert_null (hearth_servers_lookup (fixture->servers, "mine"));
  g_clear_error (&error);

  /* Forced: added all the same (on a port of its own). */
  spec.force = TRUE;
  g_clear_object (&result);
  hearth_servers_add_managed_async (fixture->servers, "mine", &spec, NULL, done_cb, &result);
  g_object_unref (hearth_servers_add_managed_finish (fixture->servers, wait_for (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_nonnull (hearth_servers_lookup (fixture->servers, "mine"));

  /* In the list: not "unlisted" any more. */
  g_assert_nonnull (hearth_servers_add (fixture->servers, "system", url, HEARTH_API_OLLAMA, FALSE,
                                        NULL, &error));
  g_assert_no_error (error);
  hearth_servers_find_unlisted_async (fixture->servers, HEARTH_MANAGED_OLLAMA, NULL, done_cb, &result);
  g_free (found);
  found = hearth_servers_find_unlisted_finish (fixture->servers, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_null (found);
  g_unsetenv ("OLLAMA_HOST");
}

/* servers.conf: the keys round-trip; a kind this Hearth does not know
 * leaves the entry, as a server the user runs. */
static void
test_store (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthEngine) other = NULL;
  g_autofree char *command = NULL;
  g_autofree char *kind = NULL;
  HearthServers *servers;
  HearthServer *server;

  add_engine (fixture, "kept-one", TRUE);
  g_assert_true (hearth_servers_set_keep (fixture->servers, "kept-one", FALSE, &error));
  g_assert_true (hearth_servers_set_keep (fixture->servers, "kept-one", TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (g_key_file_load_from_file (file, hearth_servers_get_path (fixture->servers),
                                            G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  kind = g_key_file_get_string (file, "server kept-one", "managed", NULL);
  g_assert_cmpstr (kind, ==, "engine");
  g_assert_true (g_key_file_get_boolean (file, "server kept-one", "keep", NULL));
  command = g_key_file_get_string (file, "server kept-one", "command", NULL);
  g_assert_nonnull (strstr (command, "server.mjs"));

  g_key_file_set_string (file, "server odd", "url", "http://127.0.0.1:9");
  g_key_file_set_string (file, "server odd", "api", "ollama");
  g_key_file_set_string (file, "server odd", "managed", "docker");
  g_assert_true (g_key_file_save_to_file (file, hearth_servers_get_path (fixture->servers), &error));
  g_assert_no_error (error);

  other = hearth_engine_new_for_settings (NULL, 0);
  servers = hearth_engine_get_servers (other);
  server = hearth_servers_lookup (servers, "kept-one");
  g_assert_nonnull (server);
  g_assert_cmpint (hearth_server_get_managed (server), ==, HEARTH_MANAGED_ENGINE);
  g_assert_true (hearth_server_get_keep (server));
  g_assert_cmpstr (hearth_server_get_command (server), ==, command);
  server = hearth_servers_lookup (servers, "odd");
  g_assert_nonnull (server);
  g_assert_cmpint (hearth_server_get_managed (server), ==, HEARTH_MANAGED_NONE);
  g_assert_null (hearth_server_get_process_message (server));
}

static void
test_demo (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *script = g_build_filename (g_getenv ("HEARTH_SOURCE_DIR"), "tests", "engine",
                                              "server.mjs", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthServer) demo = NULL;
  g_autoptr(HearthReply) reply = NULL;
  g_autofree char *why = NULL;
  HearthChatRequest *request;
  int pid;

  if (!hearth_test_require_node ())
    return;
  g_setenv ("HEARTH_DEMO_ENGINE", "/nonexistent/server.mjs", TRUE);
  g_assert_false (hearth_servers_demo_available (fixture->servers, &why));
  g_assert_nonnull (strstr (why, "/nonexistent/server.mjs"));
  g_setenv ("HEARTH_DEMO_ENGINE", script, TRUE);
  g_assert_true (hearth_servers_demo_available (fixture->servers, NULL));

  /* A fresh profile: the settings' guess at an Ollama gives way. */
  hearth_servers_add_demo_async (fixture->servers, NULL, done_cb, &result);
  demo = hearth_servers_add_demo_finish (fixture->servers, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hearth_server_get_name (demo), ==, "demo");
  g_assert_true (hearth_server_get_demo (demo));
  g_assert_nonnull (strstr (hearth_server_get_command (demo), script));
  g_assert_true (hearth_servers_get_default (fixture->servers) == demo);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->servers)), ==, 1);
  g_assert_true (start (fixture, "demo", &error));
  g_assert_no_error (error);

  /* It answers a chat, as the demo model, with its placeholder. */
  request = hearth_chat_request_new ();
  request->model = g_strdup (HEARTH_DEMO_MODEL);
  hearth_chat_request_add_message (request, "user", "hello");
  reply = hearth_engine_chat (fixture->engine, hearth_server_get_provider (demo), request, -1, &error);
  g_assert_no_error (error);
  while (!hearth_reply_is_finished (reply))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (hearth_reply_get_state (reply), ==, HEARTH_REPLY_DONE);
  g_assert_nonnull (strstr (hearth_reply_get_content (reply), "placeholder answer"));
  g_assert_nonnull (strstr (hearth_reply_get_content (reply), "Ollama"));

  /* Only for a Hearth without servers: a real one makes it go. */
  pid = hearth_server_get_pid (demo);
  g_assert_nonnull (hearth_servers_add (fixture->servers, "real", "http://127.0.0.1:9", HEARTH_API_OLLAMA,
                                        FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (hearth_servers_lookup (fixture->servers, "demo"));
  wait_pid_gone (pid);
  g_clear_object (&result);
  hearth_servers_add_demo_async (fixture->servers, NULL, done_cb, &result);
  g_assert_null (hearth_servers_add_demo_finish (fixture->servers, wait_for (&result), &error));
  g_assert_nonnull (strstr (error->message, "real"));
  g_unsetenv ("HEARTH_DEMO_ENGINE");
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *runtime = NULL;

  hearth_test_init (&argc, &argv);
  /* Pid files of this test's own; restarts after 100, 200, 400 … ms. */
  runtime = hearth_test_build_tmp_path ("runtime", NULL);
  g_mkdir_with_parents (runtime, 0700);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_setenv ("HEARTH_MANAGED_BACKOFF_MS", "100", TRUE);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/managed/supervise", test_supervise);
  g_test_add ("/managed/crash-loop", Fixture, GINT_TO_POINTER (1), fixture_set_up, test_crash_loop,
              fixture_tear_down);
  ADD ("/managed/exits-at-once", test_exits_at_once);
  ADD ("/managed/shutdown", test_shutdown);
  ADD ("/managed/taken-port", test_taken_port);
  ADD ("/managed/adopt", test_adopt);
  ADD ("/managed/adopt-restart", test_adopt_restart);
  ADD ("/managed/add-errors", test_add_errors);
  ADD ("/managed/store", test_store);
  ADD ("/managed/already-running", test_already_running);
  ADD ("/managed/demo", test_demo);
#undef ADD
  return g_test_run ();
}
