/* test-server-keys.c — a server's API key through HearthServers, in the
 * real keyring of the test session (build-aux/test-session): sent at once,
 * known to be there, forgotten on request, and never written anywhere
 * else: not servers.conf, the history, the settings (a key-file backend
 * here, so they are a file to search), nor the log.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE   /* memmem */
#include <string.h>

#include <gio/gio.h>

#include "hearth-endpoint.h"
#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-secrets.h"
#include "hearth-servers.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

static GString *captured_log;

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") || g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      {
        if (fields[i].length < 0)
          g_string_append (captured_log, fields[i].value);
        else
          g_string_append_len (captured_log, fields[i].value, fields[i].length);
        g_string_append_c (captured_log, '\n');
      }
  return g_log_writer_default (level, fields, n_fields, user_data);
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

static gboolean
set_key (HearthServers  *servers,
         const char     *name,
         const char     *key,
         GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hearth_servers_set_key_async (servers, name, key, NULL, done_cb, &result);
  return hearth_servers_set_key_finish (servers, wait_for (&result), error);
}

static gboolean
has_key (HearthServers  *servers,
         const char     *name,
         GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hearth_servers_has_key_async (servers, name, NULL, done_cb, &result);
  return hearth_servers_has_key_finish (servers, wait_for (&result), error);
}

static gboolean
probe (HearthServers *servers,
       const char    *name)
{
  g_autoptr(GAsyncResult) result = NULL;

  hearth_servers_probe_async (servers, name, NULL, done_cb, &result);
  return hearth_servers_probe_finish (servers, wait_for (&result), NULL);
}

static gboolean
require_secret_service (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  const char *endpoint = "http://127.0.0.1:9/hearth-test-server-keys";

  if (hearth_secrets_store_sync (endpoint, "probe", NULL, &error) &&
      hearth_secrets_delete_sync (endpoint, NULL, &error))
    return TRUE;
  reason = g_strdup_printf ("No Secret Service to test against (%s); run the suite "
                            "with build-aux/test, which starts gnome-keyring", error->message);
  g_test_skip (reason);
  return FALSE;
}

/* Every file under @dir holding @needle, as "path" lines. */
static void
find_in_files (const char *dir,
               const char *needle,
               GString    *found,
               guint      *n_files)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length;

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        find_in_files (path, needle, found, n_files);
      else if (g_file_get_contents (path, &contents, &length, NULL))
        {
          (*n_files)++;
          if (memmem (contents, length, needle, strlen (needle)) != NULL)
            g_string_append_printf (found, "%s\n", path);
        }
    }
}

static void
assert_stats_authorized (HearthTestServer *status,
                         gboolean          authorized)
{
  g_autofree char *stats = hearth_test_server_request (status, "GET", "/_stats");

  g_assert_nonnull (strstr (stats, authorized ? "\"authorized\":true" : "\"authorized\":false"));
}

static void
test_key (void)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthTestServer) status = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) found = g_string_new (NULL);
  g_autofree char *key = g_strdup_printf ("hk-test-%08x%08x", g_random_int (), g_random_int ());
  g_autofree char *settings_file = g_build_filename (g_get_user_config_dir (), "glib-2.0", "settings",
                                                     "keyfile", NULL);
  g_autofree char *db = NULL;
  HearthServers *servers;
  HearthServer *fault;
  HearthReply *reply;
  HearthChatRequest *request;
  guint n_files = 0;

  if (!hearth_test_require_node () || !require_secret_service ())
    return;
  g_assert_nonnull (settings);
  engine = hearth_engine_new_for_settings (settings, HEARTH_ENGINE_HISTORY);
  g_assert_nonnull (hearth_engine_get_store (engine));
  servers = hearth_engine_get_servers (engine);
  status = hearth_test_server_start ("status-server.mjs", NULL);
  /* The settings are written too (the key-file backend: a real file). */
  g_settings_set_string (settings, "endpoint", hearth_test_server_get_url (status));
  g_settings_set_string (settings, "api-kind", "openai");
  g_settings_sync ();

  g_assert_nonnull (hearth_servers_add (servers, "cloud", hearth_test_server_get_url (status),
                                        HEARTH_API_OPENAI, TRUE, NULL, &error));
  fault = hearth_servers_add (servers, "fault", hearth_test_fault_url (), HEARTH_API_OPENAI, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (has_key (servers, "cloud", &error));
  g_assert_no_error (error);

  /* No key: the server is asked without one. */
  g_assert_true (probe (servers, "cloud"));
  assert_stats_authorized (status, FALSE);

  g_assert_true (set_key (servers, "cloud", key, &error));
  g_assert_no_error (error);
  g_assert_true (set_key (servers, "fault", key, &error));
  g_assert_true (has_key (servers, "cloud", &error));
  g_assert_no_error (error);
  /* The provider has it at once: the next request carries it. */
  g_assert_true (probe (servers, "cloud"));
  assert_stats_authorized (status, TRUE);

  /* A conversation through the keyed server lands in the history. */
  request = hearth_chat_request_new ();
  request->model = g_strdup ("ok");
  hearth_chat_request_add_message (request, "user", "hello");
  reply = hearth_engine_chat (engine, hearth_server_get_provider (fault), request, -1, &error);
  g_assert_no_error (error);
  while (!hearth_reply_is_finished (reply))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (hearth_reply_get_state (reply), ==, HEARTH_REPLY_DONE);
  g_object_unref (reply);

  /* Bad keys are refused with a sentence, and nothing changes. */
  g_assert_false (set_key (servers, "cloud", "two\nlines", &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_KEY);
  g_clear_error (&error);
  g_assert_false (set_key (servers, "nonesuch", key, &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (has_key (servers, "cloud", &error));

  /* Nowhere but the keyring: every file Hearth wrote, and the log. */
  hearth_engine_shutdown (engine);
  g_settings_sync ();
  g_assert_true (g_file_test (hearth_servers_get_path (servers), G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (settings_file, G_FILE_TEST_EXISTS));
  db = hearth_store_default_path ();
  g_assert_true (g_file_test (db, G_FILE_TEST_EXISTS));
  g_assert_cmpint (hearth_test_sqlite_query_int (db, "SELECT count(*) FROM messages"), >=, 2);
  find_in_files (hearth_test_get_tmpdir (), key, found, &n_files);
  g_test_message ("searched %u files for the key", n_files);
  g_assert_cmpuint (n_files, >=, 3);
  g_assert_cmpstr (found->str, ==, "");
  g_assert_null (strstr (captured_log->str, key));
  g_assert_nonnull (strstr (captured_log->str, "hearth"));   /* the capture works */

  /* Forgotten: gone from the keyring, and no longer sent. */
  g_assert_true (set_key (servers, "cloud", NULL, &error));
  g_assert_no_error (error);
  g_assert_false (has_key (servers, "cloud", &error));
  g_assert_no_error (error);
  g_assert_true (probe (servers, "cloud"));
  assert_stats_authorized (status, FALSE);
  /* Forgetting twice is no failure. */
  g_assert_true (set_key (servers, "cloud", "", &error));
  g_assert_true (set_key (servers, "fault", NULL, &error));
}

/* Which environment variable gives a server its key, as the provider reads them. */
static void
test_key_env (void)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(HearthEngine) engine = hearth_engine_new_for_settings (settings, 0);
  HearthServers *servers = hearth_engine_get_servers (engine);
  HearthServer *openai;
  HearthServer *anthropic;
  HearthServer *ollama;
  g_autoptr(GError) error = NULL;

  openai = hearth_servers_add (servers, "o", "https://api.openai.com/v1", HEARTH_API_OPENAI, TRUE, NULL, &error);
  ollama = hearth_servers_add (servers, "l", "", HEARTH_API_OLLAMA, FALSE, NULL, &error);
  anthropic = hearth_servers_add (servers, "a", "https://api.anthropic.com", HEARTH_API_ANTHROPIC, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_unsetenv ("HEARTH_API_KEY");
  g_unsetenv ("OPENAI_API_KEY");
  g_unsetenv ("ANTHROPIC_API_KEY");
  g_assert_null (hearth_server_get_key_env (openai));
  g_setenv ("OPENAI_API_KEY", "x", TRUE);
  g_setenv ("ANTHROPIC_API_KEY", "y", TRUE);
  g_assert_cmpstr (hearth_server_get_key_env (openai), ==, "OPENAI_API_KEY");
  g_assert_cmpstr (hearth_server_get_key_env (anthropic), ==, "ANTHROPIC_API_KEY");
  g_assert_null (hearth_server_get_key_env (ollama));
  g_setenv ("HEARTH_API_KEY", "z", TRUE);
  g_assert_cmpstr (hearth_server_get_key_env (openai), ==, "HEARTH_API_KEY");
  g_assert_cmpstr (hearth_server_get_key_env (ollama), ==, "HEARTH_API_KEY");
  g_unsetenv ("HEARTH_API_KEY");
  g_unsetenv ("OPENAI_API_KEY");
  g_unsetenv ("ANTHROPIC_API_KEY");
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);
  /* Settings in a file under the test's XDG_CONFIG_HOME, to be searched. */
  g_setenv ("GSETTINGS_BACKEND", "keyfile", TRUE);
  captured_log = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);

  g_test_add_func ("/server-keys/key", test_key);
  g_test_add_func ("/server-keys/key-env", test_key_env);
  return g_test_run ();
}
