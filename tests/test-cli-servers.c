/* test-cli-servers.c — hearth-cli servers, routes and --server end to end: the real
 * hearth-cli, servers.conf and the history in a temporary XDG home, the real
 * keyring of the test session, the real test engine and a port nobody listens on
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "hearth-endpoint.h"
#include "hearth-error.h"
#include "hearth-secrets.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

#define MODEL "tiny-fixed"

static char *gone_url;   /* a loopback port that refuses connections */

/* A port that was free a moment ago: bound, then closed, so nothing answers. */
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

static char *
config_path (const char *name)
{
  return hearth_test_build_tmp_path ("config", "hearth", name, NULL);
}

/* Back to no servers.conf and no routes.conf: the list made from the defaults. */
static void
reset_config (void)
{
  g_autofree char *servers = config_path ("servers.conf");
  g_autofree char *routes = config_path ("routes.conf");

  g_remove (servers);
  g_remove (routes);
}

static char *
read_config (const char *name)
{
  g_autofree char *path = config_path (name);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

/* Whether the config file @name holds @text. */
static gboolean
config_holds (const char *name,
              const char *text)
{
  g_autofree char *contents = read_config (name);

  return strstr (contents, text) != NULL;
}

static JsonNode *
run_json (HearthTestRun *run)
{
  if (run->exit_code != 0)
    g_test_message ("exit %d: %s", run->exit_code, run->err);
  g_assert_cmpint (run->exit_code, ==, 0);
  return hearth_test_parse_json (run->out);
}

static void
assert_error (HearthTestRun *run,
              int            exit_code,
              const char    *word)
{
  g_test_message ("exit %d: %s", run->exit_code, run->err);
  g_assert_cmpint (run->exit_code, ==, exit_code);
  g_assert_cmpstr (run->out, ==, "");
  hearth_test_assert_one_line (run->err);
  if (word != NULL)
    g_assert_nonnull (strstr (run->err, word));
}

static void
add_server (const char *name,
            const char *url,
            const char *api)
{
  g_autoptr(HearthTestRun) run = hearth_test_run_cli (NULL, "servers", "add", name, "--url", url,
                                                      "--api", api, NULL);

  g_test_message ("servers add %s: exit %d, %s%s", name, run->exit_code, run->out, run->err);
  g_assert_cmpint (run->exit_code, ==, 0);
  g_assert_cmpstr (run->err, ==, "");
}

/* servers list --json, the server called @name in it (or NULL) */
static JsonObject *
find_server (JsonNode   *list,
             const char *name)
{
  JsonArray *array = json_node_get_array (list);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *server = json_array_get_object_element (array, i);

      if (g_str_equal (json_object_get_string_member (server, "name"), name))
        return server;
    }
  return NULL;
}

static JsonNode *
list_servers (void)
{
  g_autoptr(HearthTestRun) run = hearth_test_run_cli (NULL, "servers", "list", "--json", NULL);

  return run_json (run);
}

/* The line of the table that starts with @name */
static char *
table_line (const char *table,
            const char *name)
{
  g_auto(GStrv) lines = g_strsplit (table, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], name) && lines[i][strlen (name)] == ' ')
      return g_strdup (lines[i]);
  return NULL;
}

/* list, add, remove, enable, disable and their errors */
static void
test_list_add_remove (void)
{
  g_autoptr(JsonNode) first = NULL, added = NULL, disabled = NULL, removed = NULL;
  g_autoptr(HearthTestRun) table = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *engine_line = NULL;
  g_autofree char *gone_line = NULL;
  JsonObject *engine, *gone;

  if (!hearth_test_require_node ())
    return;
  reset_config ();

  /* before servers.conf: the one server of the old settings, this computer's */
  first = list_servers ();
  g_assert_cmpuint (json_array_get_length (json_node_get_array (first)), ==, 1);
  g_assert_true (json_object_get_boolean_member (
                   json_array_get_object_element (json_node_get_array (first), 0), "default"));

  {
    g_autoptr(HearthTestRun) run =
      hearth_test_run_cli (NULL, "servers", "add", "gone", "--url", gone_url, "--api", "ollama",
                           NULL);
    g_autofree char *path = config_path ("servers.conf");

    g_assert_cmpint (run->exit_code, ==, 0);
    /* where it was saved */
    g_assert_nonnull (strstr (run->out, path));
    g_assert_nonnull (strstr (run->out, "“gone”"));
  }
  add_server ("engine", hearth_test_engine_url (), "ollama");
  conf = read_config ("servers.conf");
  g_assert_nonnull (strstr (conf, "engine"));
  g_assert_nonnull (strstr (conf, "gone"));

  /* every enabled server probed before printing */
  added = list_servers ();
  engine = find_server (added, "engine");
  gone = find_server (added, "gone");
  g_assert_nonnull (engine);
  g_assert_nonnull (gone);
  g_assert_cmpstr (json_object_get_string_member (engine, "state"), ==, "up");
  g_assert_cmpfloat (json_object_get_double_member (engine, "latency_ms"), >=, 0);
  g_assert_cmpstr (json_object_get_string_member (engine, "api"), ==, "ollama");
  g_assert_false (json_object_get_boolean_member (engine, "cloud"));
  g_assert_true (json_object_get_boolean_member (engine, "enabled"));
  g_assert_cmpstr (json_object_get_string_member (gone, "state"), ==, "down");
  g_assert_nonnull (json_object_get_string_member (gone, "last_error"));

  table = hearth_test_run_cli (NULL, "servers", "list", NULL);
  g_assert_cmpint (table->exit_code, ==, 0);
  g_test_message ("%s", table->out);
  g_assert_true (g_str_has_prefix (table->out, "NAME"));
  for (guint i = 0; i < 7; i++)
    {
      const char *columns[] = { "NAME", "URL", "API", "CLOUD", "ENABLED", "STATE", "LATENCY" };

      g_assert_nonnull (strstr (table->out, columns[i]));
    }
  engine_line = table_line (table->out, "engine");
  gone_line = table_line (table->out, "gone");
  g_assert_nonnull (engine_line);
  g_assert_nonnull (strstr (engine_line, " up "));
  g_assert_nonnull (strstr (engine_line, " ms"));
  g_assert_nonnull (strstr (gone_line, " down"));
  /* the default (the first enabled) is marked, the others not */
  g_assert_null (strstr (engine_line, "engine *"));
  g_assert_nonnull (strstr (table->out, "* the default server"));

  /* errors: one line, what to do, nothing changed */
  {
    g_autoptr(HearthTestRun) duplicate =
      hearth_test_run_cli (NULL, "servers", "add", "engine", "--url", gone_url, "--api",
                           "ollama", NULL);
    g_autoptr(HearthTestRun) bad_name =
      hearth_test_run_cli (NULL, "servers", "add", "Big Box", "--url", gone_url, "--api",
                           "ollama", NULL);
    g_autoptr(HearthTestRun) bad_url =
      hearth_test_run_cli (NULL, "servers", "add", "broken", "--url", "http://", "--api",
                           "ollama", NULL);
    g_autoptr(HearthTestRun) bad_api =
      hearth_test_run_cli (NULL, "servers", "add", "broken", "--url", gone_url, "--api", "grpc",
                           NULL);
    g_autoptr(HearthTestRun) no_url =
      hearth_test_run_cli (NULL, "servers", "add", "broken", "--api", "openai", NULL);
    g_autoptr(HearthTestRun) bad_preset =
      hearth_test_run_cli (NULL, "servers", "add", "broken", "--preset", "skynet", NULL);
    g_autoptr(HearthTestRun) unknown =
      hearth_test_run_cli (NULL, "servers", "remove", "nope", NULL);
    g_autoptr(HearthTestRun) unknown_test =
      hearth_test_run_cli (NULL, "servers", "test", "nope", NULL);
    g_autoptr(HearthTestRun) no_name = hearth_test_run_cli (NULL, "servers", "enable", NULL);
    g_autoptr(HearthTestRun) not_a_command = hearth_test_run_cli (NULL, "servers", "frob", NULL);
    g_autofree char *after = NULL;

    assert_error (duplicate, 2, "already a server named “engine”");
    assert_error (bad_name, 2, "Big Box");
    assert_error (bad_url, 2, "http://");
    assert_error (bad_api, 2, "ollama, openai or anthropic");
    assert_error (no_url, 2, "--url");
    assert_error (bad_preset, 2, "openai");
    /* an unknown name lists the names there are */
    assert_error (unknown, 4, "nope");
    g_assert_nonnull (strstr (unknown->err, "engine"));
    g_assert_nonnull (strstr (unknown->err, "gone"));
    assert_error (unknown_test, 4, "engine");
    assert_error (no_name, 2, "servers enable NAME");
    assert_error (not_a_command, 2, "servers list");
    after = read_config ("servers.conf");
    g_assert_cmpstr (after, ==, conf);
  }

  /* servers add NAME URL: the API is ollama unless said */
  {
    g_autoptr(HearthTestRun) run = hearth_test_run_cli (NULL, "servers", "add", "plain",
                                                        gone_url, NULL);
    g_autoptr(HearthTestRun) drop = NULL;
    g_autoptr(JsonNode) list = NULL;
    JsonObject *plain;

    g_assert_cmpint (run->exit_code, ==, 0);
    list = list_servers ();
    plain = find_server (list, "plain");
    g_assert_nonnull (plain);
    g_assert_cmpstr (json_object_get_string_member (plain, "api"), ==, "ollama");
    drop = hearth_test_run_cli (NULL, "servers", "remove", "plain", NULL);
    g_assert_cmpint (drop->exit_code, ==, 0);
    g_clear_pointer (&conf, g_free);
    conf = read_config ("servers.conf");
  }

  /* disable: kept, not asked; enable: back */
  {
    g_autoptr(HearthTestRun) off = hearth_test_run_cli (NULL, "servers", "disable", "engine", NULL);
    g_autoptr(HearthTestRun) models = NULL;
    g_autoptr(HearthTestRun) on = NULL;
    g_autoptr(JsonNode) enabled = NULL;

    g_assert_cmpint (off->exit_code, ==, 0);
    g_assert_nonnull (strstr (off->out, "disabled"));
    disabled = list_servers ();
    g_assert_false (json_object_get_boolean_member (find_server (disabled, "engine"), "enabled"));
    models = hearth_test_run_cli (NULL, "models", "--server", "engine", NULL);
    assert_error (models, 2, "disabled");
    on = hearth_test_run_cli (NULL, "servers", "enable", "engine", NULL);
    g_assert_cmpint (on->exit_code, ==, 0);
    enabled = list_servers ();
    g_assert_true (json_object_get_boolean_member (find_server (enabled, "engine"), "enabled"));
  }

  {
    g_autoptr(HearthTestRun) run = hearth_test_run_cli (NULL, "servers", "remove", "gone", NULL);
    g_autofree char *left = NULL;

    g_assert_cmpint (run->exit_code, ==, 0);
    removed = list_servers ();
    g_assert_null (find_server (removed, "gone"));
    g_assert_nonnull (find_server (removed, "engine"));
    left = read_config ("servers.conf");
    g_assert_null (strstr (left, "gone"));
  }
}

/* A store is what needs an unlocked keyring. */
static gboolean
require_secret_service (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  const char *probe = "http://127.0.0.1:9/hearth-test-cli-servers";

  if (hearth_secrets_store_sync (probe, "probe", NULL, &error) &&
      hearth_secrets_delete_sync (probe, NULL, &error))
    return TRUE;
  reason = g_strdup_printf ("No Secret Service to test against (%s); run the suite with "
                            "build-aux/test, which starts gnome-keyring", error->message);
  g_test_skip (reason);
  return FALSE;
}

static gboolean
file_holds (const char *path,
            const char *text)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return FALSE;
  return memmem (contents, len, text, strlen (text)) != NULL;
}

/* --key-stdin: into the real keyring, nowhere else */
static void
test_key_stdin (void)
{
  g_autofree char *key = g_strdup_printf ("sk-hearth-test-%08x%08x", g_random_int (),
                                          g_random_int ());
  g_autofree char *stdin_text = g_strdup_printf ("%s\n", key);
  g_autofree char *stored = NULL;
  g_autofree char *conf_path = config_path ("servers.conf");
  g_autofree char *db_path = hearth_test_build_tmp_path ("data", "hearth", "hearth.db", NULL);
  g_autoptr(HearthTestRun) run = NULL, status = NULL, empty = NULL, removed = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "servers", "add", "cloudy", "--preset", "openai", "--key-stdin", NULL };
  JsonObject *cloudy;
  const char *endpoint;

  if (!require_secret_service ())
    return;
  reset_config ();

  /* an empty key: refused, and the server not added */
  empty = hearth_test_run_cliv ("\n", argv);
  assert_error (empty, 2, "empty");
  g_assert_false (config_holds ("servers.conf", "cloudy"));

  run = hearth_test_run_cliv (stdin_text, argv);
  g_test_message ("%s%s", run->out, run->err);
  g_assert_cmpint (run->exit_code, ==, 0);
  g_assert_cmpstr (run->err, ==, "");
  g_assert_nonnull (strstr (run->out, "keyring"));
  /* a cloud server is only used when chosen or in the fallback chain, and it says so */
  g_assert_nonnull (strstr (run->out, "cloud server"));
  g_assert_nonnull (strstr (run->out, "fallback chain"));

  /* the preset filled in the address, the API and cloud */
  list = list_servers ();
  cloudy = find_server (list, "cloudy");
  g_assert_nonnull (cloudy);
  g_assert_cmpstr (json_object_get_string_member (cloudy, "api"), ==, "openai");
  g_assert_true (json_object_get_boolean_member (cloudy, "cloud"));
  g_assert_cmpstr (json_object_get_string_member (cloudy, "preset"), ==, "openai");
  endpoint = json_object_get_string_member (cloudy, "endpoint");
  g_assert_nonnull (strstr (endpoint, "api.openai.com"));

  /* in the keyring, under the server's address */
  stored = hearth_secrets_lookup_sync (endpoint, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored, ==, key);
  status = hearth_test_run_cli (NULL, "key", "status", "--server", "cloudy", NULL);
  g_assert_cmpint (status->exit_code, ==, 0);
  g_assert_nonnull (strstr (status->out, "is stored in the keyring"));

  /* and nowhere else: not the file, the history, the output, the command line */
  g_assert_true (g_file_test (conf_path, G_FILE_TEST_EXISTS));
  g_assert_false (file_holds (conf_path, key));
  g_assert_false (file_holds (db_path, key));
  g_assert_null (strstr (run->out, key));
  g_assert_null (strstr (run->err, key));
  {
    g_autoptr(HearthTestRun) shown = hearth_test_run_cli (NULL, "servers", "list", "--json", NULL);

    g_assert_null (strstr (shown->out, key));
    g_assert_null (strstr (shown->err, key));
  }
  for (guint i = 0; argv[i] != NULL; i++)
    g_assert_null (strstr (argv[i], key));

  /* removing the server says how to forget its key, and that works */
  removed = hearth_test_run_cli (NULL, "servers", "remove", "cloudy", NULL);
  g_assert_cmpint (removed->exit_code, ==, 0);
  g_assert_nonnull (strstr (removed->out, "hearth-cli key delete --endpoint"));
  {
    g_autoptr(HearthTestRun) forget = hearth_test_run_cli (NULL, "key", "delete", "--endpoint",
                                                           endpoint, "--api", "openai", NULL);
    char *left;

    g_assert_cmpint (forget->exit_code, ==, 0);
    left = hearth_secrets_lookup_sync (endpoint, NULL, &error);
    g_assert_no_error (error);
    g_assert_null (left);
  }
}

/* servers test: the state, the latency; down is an error with what to do */
static void
test_servers_test (void)
{
  g_autoptr(HearthTestRun) up = NULL, down = NULL, down_json = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (!hearth_test_require_node ())
    return;
  reset_config ();
  add_server ("engine", hearth_test_engine_url (), "ollama");
  add_server ("gone", gone_url, "ollama");

  up = hearth_test_run_cli (NULL, "servers", "test", "engine", NULL);
  g_test_message ("%s%s", up->out, up->err);
  g_assert_cmpint (up->exit_code, ==, 0);
  g_assert_cmpstr (up->err, ==, "");
  g_assert_nonnull (strstr (up->out, "State:    up\n"));
  g_assert_nonnull (strstr (up->out, " ms\n"));

  down = hearth_test_run_cli (NULL, "servers", "test", "gone", NULL);
  g_test_message ("%s%s", down->out, down->err);
  g_assert_cmpint (down->exit_code, ==, 3);
  g_assert_nonnull (strstr (down->out, "State:    down"));
  hearth_test_assert_one_line (down->err);
  g_assert_nonnull (strstr (down->err, "“gone” is down"));
  /* what happened, and what to do: the core's words */
  g_assert_nonnull (strstr (down->err, "Could not connect"));

  down_json = hearth_test_run_cli (NULL, "servers", "test", "gone", "--json", NULL);
  g_assert_cmpint (down_json->exit_code, ==, 3);
  root = hearth_test_parse_json (down_json->out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "state"), ==,
                   "down");
}

/* the fallback chain and the substitutes: set, shown, cleared */
static void
test_fallback_and_substitutes (void)
{
  g_autoptr(HearthTestRun) off = NULL, set = NULL, shown = NULL, unknown = NULL, cleared = NULL;
  g_autoptr(HearthTestRun) sub = NULL, subs = NULL, unsub = NULL, bad = NULL;
  g_autoptr(JsonNode) chain = NULL, empty = NULL, listed = NULL, none = NULL;
  JsonArray *array;

  if (!hearth_test_require_node ())
    return;
  reset_config ();
  add_server ("engine", hearth_test_engine_url (), "ollama");
  add_server ("gone", gone_url, "ollama");

  off = hearth_test_run_cli (NULL, "servers", "fallback", NULL);
  g_assert_cmpint (off->exit_code, ==, 0);
  g_assert_nonnull (strstr (off->out, "off"));

  set = hearth_test_run_cli (NULL, "servers", "fallback", "gone", "engine", NULL);
  g_assert_cmpint (set->exit_code, ==, 0);
  g_assert_nonnull (strstr (set->out, "gone → engine"));
  shown = hearth_test_run_cli (NULL, "servers", "fallback", "--json", NULL);
  chain = run_json (shown);
  array = json_node_get_array (chain);
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (array, 0), ==, "gone");
  g_assert_cmpstr (json_array_get_string_element (array, 1), ==, "engine");
  g_assert_true (config_holds ("servers.conf", "gone"));

  unknown = hearth_test_run_cli (NULL, "servers", "fallback", "engine", "nope", NULL);
  assert_error (unknown, 4, "nope");
  {
    g_autoptr(HearthTestRun) again = hearth_test_run_cli (NULL, "servers", "fallback", "--json",
                                                          NULL);
    g_autoptr(JsonNode) same = run_json (again);

    g_assert_cmpuint (json_array_get_length (json_node_get_array (same)), ==, 2);
  }

  cleared = hearth_test_run_cli (NULL, "servers", "fallback", "--off", "--json", NULL);
  empty = run_json (cleared);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (empty)), ==, 0);

  sub = hearth_test_run_cli (NULL, "servers", "substitute", "llama3.2:3b", "gpt-4o-mini", NULL);
  g_assert_cmpint (sub->exit_code, ==, 0);
  g_assert_nonnull (strstr (sub->out, "gpt-4o-mini"));
  subs = hearth_test_run_cli (NULL, "servers", "substitutes", "--json", NULL);
  listed = run_json (subs);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (listed)), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_node_get_array (listed), 0),
                     "substitute"), ==, "gpt-4o-mini");
  bad = hearth_test_run_cli (NULL, "servers", "substitute", "llama3.2:3b", NULL);
  assert_error (bad, 2, "--off");
  unsub = hearth_test_run_cli (NULL, "servers", "substitute", "llama3.2:3b", "--off", NULL);
  g_assert_cmpint (unsub->exit_code, ==, 0);
  {
    g_autoptr(HearthTestRun) again = hearth_test_run_cli (NULL, "servers", "substitutes",
                                                          "--json", NULL);

    none = run_json (again);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (none)), ==, 0);
  }
}

/* Where an address comes from, as the Servers page says it: OLLAMA_HOST,
 * this computer's usual address, or typed in; and a list written to
 * servers.conf keeps following OLLAMA_HOST. */
static void
test_address_source (void)
{
  g_autoptr(JsonNode) from_env = NULL, usual = NULL, after_add = NULL;
  g_autoptr(HearthTestRun) table = NULL;
  g_autofree char *said = NULL;
  JsonObject *local;

  if (!hearth_test_require_node ())
    return;
  reset_config ();
  /* OLLAMA_HOST as people write it: host and port */
  g_setenv ("OLLAMA_HOST", gone_url + strlen ("http://"), TRUE);
  from_env = list_servers ();
  local = json_array_get_object_element (json_node_get_array (from_env), 0);
  g_assert_cmpstr (json_object_get_string_member (local, "url"), ==, "");
  g_assert_cmpstr (json_object_get_string_member (local, "endpoint"), ==, gone_url);
  g_assert_cmpstr (json_object_get_string_member (local, "address_source"), ==, "ollama-host");
  g_assert_cmpstr (json_object_get_string_member (local, "address_from"), ==,
                   "from OLLAMA_HOST");

  /* the table says it too, beside the address */
  table = hearth_test_run_cli (NULL, "servers", "list", NULL);
  g_test_message ("%s", table->out);
  g_assert_cmpint (table->exit_code, ==, 0);
  said = g_strdup_printf ("The address of %s is %s (from OLLAMA_HOST).",
                          json_object_get_string_member (local, "name"), gone_url);
  g_assert_nonnull (strstr (table->out, said));

  /* adding a server writes servers.conf: this computer's Ollama still follows
   * OLLAMA_HOST, the one added is typed in */
  add_server ("engine", hearth_test_engine_url (), "ollama");
  g_assert_false (config_holds ("servers.conf", gone_url + strlen ("http://")));
  after_add = list_servers ();
  local = json_array_get_object_element (json_node_get_array (after_add), 0);
  g_assert_cmpstr (json_object_get_string_member (local, "address_source"), ==, "ollama-host");
  g_assert_cmpstr (json_object_get_string_member (find_server (after_add, "engine"),
                                                  "address_source"), ==, "typed");
  g_clear_pointer (&table, hearth_test_run_free);
  table = hearth_test_run_cli (NULL, "servers", "list", NULL);
  g_assert_null (strstr (table->out, "The address of engine"));

  /* without OLLAMA_HOST: the usual address, said so */
  g_unsetenv ("OLLAMA_HOST");
  usual = list_servers ();
  local = json_array_get_object_element (json_node_get_array (usual), 0);
  g_assert_cmpstr (json_object_get_string_member (local, "endpoint"), ==,
                   HEARTH_DEFAULT_ENDPOINT);
  g_assert_cmpstr (json_object_get_string_member (local, "address_source"), ==, "usual");
  g_assert_cmpstr (json_object_get_string_member (local, "address_from"), ==,
                   "this computer’s usual address for Ollama");
  reset_config ();
}

static void
test_presets (void)
{
  g_autoptr(HearthTestRun) table = hearth_test_run_cli (NULL, "servers", "presets", NULL);
  g_autoptr(HearthTestRun) json = hearth_test_run_cli (NULL, "servers", "presets", "--json", NULL);
  g_autoptr(JsonNode) root = run_json (json);
  gboolean anthropic = FALSE;
  JsonArray *array = json_node_get_array (root);

  g_assert_cmpint (table->exit_code, ==, 0);
  g_assert_nonnull (strstr (table->out, "openai"));
  g_assert_cmpuint (json_array_get_length (array), >=, 8);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *preset = json_array_get_object_element (array, i);

      if (g_str_equal (json_object_get_string_member (preset, "id"), "anthropic"))
        {
          anthropic = TRUE;
          g_assert_cmpstr (json_object_get_string_member (preset, "api"), ==, "anthropic");
          g_assert_true (json_object_get_boolean_member (preset, "cloud"));
        }
    }
  g_assert_true (anthropic);
}

/* routes: list, add, remove, reset */
static void
test_routes (void)
{
  g_autoptr(HearthTestRun) list = NULL, added = NULL, after = NULL, removed = NULL, reset = NULL;
  g_autoptr(HearthTestRun) table = NULL, unknown = NULL, bad_kind = NULL, no_value = NULL;
  g_autoptr(HearthTestRun) bad_server = NULL, final = NULL;
  g_autoptr(JsonNode) defaults = NULL, with_rule = NULL, back = NULL;
  JsonArray *rules;
  g_autofree char *id = NULL;
  guint n_defaults;

  reset_config ();
  list = hearth_test_run_cli (NULL, "routes", "list", "--json", NULL);
  defaults = run_json (list);
  rules = json_node_get_array (defaults);
  n_defaults = json_array_get_length (rules);
  g_assert_cmpuint (n_defaults, >=, 1);
  for (guint i = 0; i < n_defaults; i++)
    {
      JsonObject *rule = json_array_get_object_element (rules, i);
      const char *model = json_object_get_string_member (rule, "model");

      g_assert_true (json_object_get_boolean_member (rule, "default"));
      g_assert_cmpuint (strlen (json_object_get_string_member (rule, "rule")), >, 0);
      /* a tier says what it resolves to now, or why nothing */
      if (model[0] == '@')
        g_assert_true (!json_object_get_null_member (rule, "resolves_to") ||
                       !json_object_get_null_member (rule, "resolve_error"));
    }

  added = hearth_test_run_cli (NULL, "routes", "add", "--kind", "keyword", "--value", "pirate",
                               "--model", "@fast", "--position", "1", NULL);
  g_test_message ("%s%s", added->out, added->err);
  g_assert_cmpint (added->exit_code, ==, 0);
  g_assert_true (g_str_has_prefix (added->out, "Added rule "));
  g_assert_nonnull (strstr (added->out, "number 1 of"));
  after = hearth_test_run_cli (NULL, "routes", "list", "--json", NULL);
  with_rule = run_json (after);
  rules = json_node_get_array (with_rule);
  g_assert_cmpuint (json_array_get_length (rules), ==, n_defaults + 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rules, 0),
                                                  "value"), ==, "pirate");
  g_assert_false (json_object_get_boolean_member (json_array_get_object_element (rules, 0),
                                                  "default"));
  id = g_strdup (json_object_get_string_member (json_array_get_object_element (rules, 0), "id"));
  g_assert_true (config_holds ("routes.conf", "pirate"));

  table = hearth_test_run_cli (NULL, "routes", NULL);
  g_assert_cmpint (table->exit_code, ==, 0);
  g_assert_true (g_str_has_prefix (table->out, "ID"));
  g_assert_nonnull (strstr (table->out, id));
  g_assert_nonnull (strstr (table->out, "pirate"));

  unknown = hearth_test_run_cli (NULL, "routes", "remove", "r999", NULL);
  assert_error (unknown, 4, id);
  bad_kind = hearth_test_run_cli (NULL, "routes", "add", "--kind", "mood", "--model", "@fast",
                                  NULL);
  assert_error (bad_kind, 2, "long-prompt");
  no_value = hearth_test_run_cli (NULL, "routes", "add", "--kind", "long-prompt", "--model",
                                  "@capable", NULL);
  assert_error (no_value, 2, "--value N");
  bad_server = hearth_test_run_cli (NULL, "routes", "add", "--kind", "code", "--model",
                                    "@capable", "--server", "nope", NULL);
  assert_error (bad_server, 4, "nope");

  removed = hearth_test_run_cli (NULL, "routes", "remove", id, NULL);
  g_assert_cmpint (removed->exit_code, ==, 0);
  reset = hearth_test_run_cli (NULL, "routes", "reset", NULL);
  g_assert_cmpint (reset->exit_code, ==, 0);
  final = hearth_test_run_cli (NULL, "routes", "list", "--json", NULL);
  back = run_json (final);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (back)), ==, n_defaults);
  g_assert_true (json_object_get_boolean_member (
                   json_array_get_object_element (json_node_get_array (back), 0), "default"));
}

static gboolean
models_list_model (const char *json,
                   const char *model)
{
  g_autoptr(JsonNode) root = hearth_test_parse_json (json);
  JsonArray *array = json_node_get_array (root);

  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_str_has_prefix (json_object_get_string_member (json_array_get_object_element (array, i),
                                                         "name"), model))
      return TRUE;
  return FALSE;
}

/* --server NAME picks the server for a command; the default is the first enabled */
static void
test_server_option (void)
{
  g_autoptr(HearthTestRun) named = NULL, down = NULL, unknown = NULL, both = NULL;
  g_autoptr(HearthTestRun) by_default = NULL, after = NULL, disable = NULL;

  if (!hearth_test_require_node ())
    return;
  reset_config ();
  add_server ("gone", gone_url, "ollama");
  add_server ("engine", hearth_test_engine_url (), "ollama");
  {
    /* the migrated server of this computer goes: "gone" is the default */
    g_autoptr(HearthTestRun) run = hearth_test_run_cli (NULL, "servers", "remove", "local", NULL);

    g_assert_cmpint (run->exit_code, ==, 0);
  }

  named = hearth_test_run_cli (NULL, "models", "--server", "engine", "--json", NULL);
  g_assert_cmpint (named->exit_code, ==, 0);
  g_assert_true (models_list_model (named->out, MODEL));

  by_default = hearth_test_run_cli (NULL, "models", NULL);
  assert_error (by_default, 3, NULL);
  down = hearth_test_run_cli (NULL, "models", "--server", "gone", NULL);
  assert_error (down, 3, NULL);
  unknown = hearth_test_run_cli (NULL, "models", "--server", "nope", NULL);
  assert_error (unknown, 2, "engine");
  both = hearth_test_run_cli (NULL, "models", "--server", "engine", "--endpoint", gone_url, NULL);
  assert_error (both, 2, "not both");

  disable = hearth_test_run_cli (NULL, "servers", "disable", "gone", NULL);
  g_assert_cmpint (disable->exit_code, ==, 0);
  after = hearth_test_run_cli (NULL, "models", "--json", NULL);
  g_assert_cmpint (after->exit_code, ==, 0);
  g_assert_true (models_list_model (after->out, MODEL));
}

static JsonObject *
ask_json (JsonNode   **root,
          const char  *first_arg,
          ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(HearthTestRun) run = NULL;
  va_list ap;

  g_ptr_array_add (args, (gpointer) "ask");
  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, (gpointer) "--json");
  g_ptr_array_add (args, (gpointer) "--no-cache");
  g_ptr_array_add (args, (gpointer) "Say hello.");
  g_ptr_array_add (args, NULL);
  run = hearth_test_run_cliv (NULL, (const char * const *) args->pdata);
  g_test_message ("exit %d: %s", run->exit_code, run->err);
  *root = run_json (run);
  return json_node_get_object (*root);
}

/* ask --server goes there; --json says where and why */
static void
test_ask_server (void)
{
  g_autoptr(JsonNode) named = NULL, endpoint = NULL;
  g_autoptr(HearthTestRun) unknown = NULL, plain = NULL;
  JsonObject *o;

  if (!hearth_test_require_node ())
    return;
  reset_config ();
  add_server ("gone", gone_url, "ollama");
  add_server ("engine", hearth_test_engine_url (), "ollama");

  o = ask_json (&named, "--server", "engine", "--model", MODEL, NULL);
  g_assert_cmpuint (strlen (json_object_get_string_member (o, "content")), >, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "server"), ==, "engine");
  g_assert_true (json_object_has_member (o, "fallback_from"));
  g_assert_true (json_object_get_null_member (o, "fallback_from"));
  g_assert_true (json_object_get_null_member (o, "fallback_reason"));
  g_assert_true (json_object_get_null_member (o, "route_rule"));

  /* "auto": the routing rules pick the model, and the reply says which rule */
  {
    g_autoptr(JsonNode) routed = NULL;
    g_autoptr(HearthTestRun) plain_auto = NULL;

    o = ask_json (&routed, "--server", "engine", "--model", "auto", NULL);
    g_assert_cmpuint (strlen (json_object_get_string_member (o, "content")), >, 0);
    g_assert_true (g_str_has_prefix (json_object_get_string_member (o, "model"), MODEL));
    g_assert_cmpstr (json_object_get_string_member (o, "server"), ==, "engine");
    g_assert_nonnull (json_object_get_string_member (o, "route_rule"));
    g_assert_true (json_object_get_null_member (o, "fallback_from"));
    plain_auto = hearth_test_run_cli (NULL, "ask", "--server", "engine", "--model", "auto",
                                      "--no-cache", "Say hello.", NULL);
    g_test_message ("exit %d: %s", plain_auto->exit_code, plain_auto->err);
    g_assert_cmpint (plain_auto->exit_code, ==, 0);
    g_assert_true (g_str_has_prefix (plain_auto->err, "hearth-cli: "));
    g_assert_nonnull (strstr (plain_auto->err, MODEL));
  }

  /* --endpoint: that address and nothing else */
  o = ask_json (&endpoint, "--endpoint", hearth_test_engine_url (), "--model", MODEL, NULL);
  g_assert_true (json_object_has_member (o, "server"));
  g_assert_true (json_object_get_null_member (o, "fallback_from"));

  /* no fallback chain: the default server is down, and that is the answer */
  plain = hearth_test_run_cli (NULL, "ask", "--model", MODEL, "--no-cache", "Say hello.", NULL);
  g_test_message ("exit %d: %s", plain->exit_code, plain->err);
  g_assert_cmpint (plain->exit_code, ==, 3);
  hearth_test_assert_one_line (plain->err);

  unknown = hearth_test_run_cli (NULL, "ask", "--server", "nope", "Say hello.", NULL);
  assert_error (unknown, 2, "gone, engine");
}

/* The first server a closed port, the second the real test engine: the
 * question is answered there, and the reply says why. */
static void
test_ask_fallback (void)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(HearthTestRun) set = NULL, plain = NULL;
  JsonObject *o;

  if (!hearth_test_require_node ())
    return;
  reset_config ();
  add_server ("gone", gone_url, "ollama");
  add_server ("engine", hearth_test_engine_url (), "ollama");
  set = hearth_test_run_cli (NULL, "servers", "fallback", "engine", NULL);
  g_assert_cmpint (set->exit_code, ==, 0);
  {
    g_autoptr(HearthTestRun) run = hearth_test_run_cli (NULL, "servers", "remove", "local", NULL);

    g_assert_cmpint (run->exit_code, ==, 0);
  }

  o = ask_json (&root, "--model", MODEL, NULL);
  g_assert_cmpuint (strlen (json_object_get_string_member (o, "content")), >, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "server"), ==, "engine");
  g_assert_cmpstr (json_object_get_string_member (o, "fallback_from"), ==, "gone");
  g_assert_cmpstr (json_object_get_string_member (o, "fallback_reason"), ==, "down");

  /* the plain output says it on standard error, the reply alone on standard output */
  plain = hearth_test_run_cli (NULL, "ask", "--model", MODEL, "--no-cache", "Say hello.", NULL);
  g_test_message ("exit %d: %s", plain->exit_code, plain->err);
  g_assert_cmpint (plain->exit_code, ==, 0);
  g_assert_cmpuint (strlen (plain->out), >, 0);
  g_assert_nonnull (strstr (plain->err, "answered by engine"));
  g_assert_nonnull (strstr (plain->err, "gone"));
  g_assert_null (strstr (plain->out, "answered by"));
}

/* bench records the server: a listed server by name, a one-off address without */
static void
test_bench_server (void)
{
  g_autoptr(HearthTestRun) named = NULL, one_off = NULL, list = NULL, table = NULL, show = NULL;
  g_autoptr(JsonNode) runs = NULL, named_root = NULL, one_off_root = NULL;
  g_autofree char *named_line = NULL;
  g_autofree char *named_id = NULL;
  JsonArray *array;
  gint64 named_run, one_off_run;
  gboolean saw_named = FALSE, saw_one_off = FALSE;

  if (!hearth_test_require_node ())
    return;
  reset_config ();
  add_server ("engine", hearth_test_engine_url (), "ollama");

  named = hearth_test_run_cli (NULL, "bench", "--server", "engine", "--model", MODEL, "--runs",
                               "1", "--json", NULL);
  named_root = run_json (named);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (named_root), "server"),
                   ==, "engine");
  named_run = json_object_get_int_member (json_node_get_object (named_root), "id");
  /* the same test engine through its OpenAI API: an address not in the list */
  one_off = hearth_test_run_cli (NULL, "bench", "--endpoint", hearth_test_engine_url (), "--api",
                                 "openai", "--model", MODEL, "--runs", "1", "--json", NULL);
  one_off_root = run_json (one_off);
  g_assert_true (json_object_get_null_member (json_node_get_object (one_off_root), "server"));
  one_off_run = json_object_get_int_member (json_node_get_object (one_off_root), "id");

  list = hearth_test_run_cli (NULL, "bench", "list", "--json", NULL);
  runs = run_json (list);
  array = json_node_get_array (runs);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *run = json_array_get_object_element (array, i);
      gint64 id = json_object_get_int_member (run, "id");

      g_assert_nonnull (json_object_get_string_member (run, "endpoint"));
      if (id == named_run)
        {
          saw_named = TRUE;
          g_assert_cmpstr (json_object_get_string_member (run, "server"), ==, "engine");
        }
      else if (id == one_off_run)
        {
          saw_one_off = TRUE;
          g_assert_true (json_object_get_null_member (run, "server"));
        }
    }
  g_assert_true (saw_named && saw_one_off);

  /* the table tells the two apart: the name, or the address */
  table = hearth_test_run_cli (NULL, "bench", "list", NULL);
  g_assert_cmpint (table->exit_code, ==, 0);
  g_test_message ("%s", table->out);
  g_assert_nonnull (strstr (table->out, "server"));
  named_id = g_strdup_printf ("\n%5" G_GINT64_FORMAT "  ", named_run);
  g_assert_nonnull (strstr (table->out, named_id));
  named_line = g_strndup (strstr (table->out, named_id) + 1,
                          strcspn (strstr (table->out, named_id) + 1, "\n"));
  g_assert_nonnull (strstr (named_line, " engine "));

  {
    g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, named_run);

    show = hearth_test_run_cli (NULL, "bench", "show", id, NULL);
  }
  g_assert_cmpint (show->exit_code, ==, 0);
  g_assert_nonnull (strstr (show->out, "Server:              engine ("));
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);
  g_setenv ("HEARTH_BENCH_SCALE", "0.25", TRUE);
  gone_url = closed_port_url ();

  g_test_add_func ("/cli-servers/list-add-remove", test_list_add_remove);
  g_test_add_func ("/cli-servers/key-stdin", test_key_stdin);
  g_test_add_func ("/cli-servers/test", test_servers_test);
  g_test_add_func ("/cli-servers/fallback-substitutes", test_fallback_and_substitutes);
  g_test_add_func ("/cli-servers/address-source", test_address_source);
  g_test_add_func ("/cli-servers/presets", test_presets);
  g_test_add_func ("/cli-servers/routes", test_routes);
  g_test_add_func ("/cli-servers/server-option", test_server_option);
  g_test_add_func ("/cli-servers/ask-server", test_ask_server);
  g_test_add_func ("/cli-servers/ask-fallback", test_ask_fallback);
  g_test_add_func ("/cli-servers/bench-server", test_bench_server);

  return g_test_run ();
}
