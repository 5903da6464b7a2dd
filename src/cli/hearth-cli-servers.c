/* hearth-cli-servers.c — hearth-cli servers: the user's servers, their health, the fallback chain
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Thin over the engine's HearthServers: the list, its file, the keys in the
 * keyring, the probes and the fallback chain are all the core's, exactly as
 * the app's Servers page sees them.
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include "hearth-cli-private.h"
#include "hearth-endpoint.h"
#include "hearth-error.h"
#include "hearth-secrets.h"

static char    *opt_url;
static char    *opt_kind;
static char    *opt_preset;
static gboolean opt_cloud;
static gboolean opt_key_stdin;
static gboolean opt_off;
static int      opt_concurrency = -1;
static int      opt_queue_bound = -1;

static const GOptionEntry servers_entries[] = {
  { "url", 0, 0, G_OPTION_ARG_FILENAME, &opt_url,
    N_("add: its address: host, host:port or http://host:port"), N_("URL") },
  { "api", 0, 0, G_OPTION_ARG_FILENAME, &opt_kind,
    N_("add: its API: ollama (the default), openai or anthropic"), N_("KIND") },
  { "cloud", 0, 0, G_OPTION_ARG_NONE, &opt_cloud,
    N_("add: it is a cloud service (used only when chosen or in the fallback chain)"), NULL },
  { "key-stdin", 0, 0, G_OPTION_ARG_NONE, &opt_key_stdin,
    N_("add: read its API key from standard input and keep it in the keyring"), NULL },
  { "preset", 0, 0, G_OPTION_ARG_FILENAME, &opt_preset,
    N_("add: fill in the address, API and cloud of a known service (servers presets)"), N_("ID") },
  { "off", 0, 0, G_OPTION_ARG_NONE, &opt_off,
    N_("fallback: turn the chain off; substitute MODEL: forget its substitute"), NULL },
  { "concurrency", 0, 0, G_OPTION_ARG_INT, &opt_concurrency,
    N_("limits: how many requests it is sent at once (0: the default)"), N_("N") },
  { "queue-bound", 0, 0, G_OPTION_ARG_INT, &opt_queue_bound,
    N_("limits: how many other programs' requests may wait (0: the default)"), N_("N") },
  { NULL }
};

#define SERVERS_USAGE \
  _("Use servers list, servers add NAME --url URL --api KIND, " \
  "servers add NAME --managed ollama|llama-server|engine, servers start NAME [--detach], " \
  "servers stop NAME, servers logs NAME [--follow], servers demo, servers remove NAME, " \
  "servers enable NAME, servers disable NAME, servers default NAME, servers test NAME, " \
  "servers limits NAME [--concurrency N] [--queue-bound N], " \
  "servers fallback [NAME…|--off], " \
  "servers substitute MODEL SUBSTITUTE|--off, servers substitutes or servers presets")

/* servers' own options and those of the servers Hearth runs, as one list */
static const GOptionEntry *
all_servers_entries (void)
{
  static GArray *entries;

  if (entries == NULL)
    {
      entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
      for (const GOptionEntry *e = servers_entries; e->long_name != NULL; e++)
        g_array_append_val (entries, *e);
      for (const GOptionEntry *e = servers_managed_entries; e->long_name != NULL; e++)
        g_array_append_val (entries, *e);
    }
  return (const GOptionEntry *) entries->data;
}

/* What servers and routes share */

/* "local, big-box, openai": every server's name, for a line that says which exist */
char *
list_server_names (HearthServers *servers)
{
  GString *text = g_string_new (NULL);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (servers));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (G_LIST_MODEL (servers), i);

      g_string_append_printf (text, "%s%s", i > 0 ? ", " : "", hearth_server_get_name (server));
    }
  return g_string_free (text, FALSE);
}

int
fail_unknown_server (HearthServers *servers,
                     const char    *name)
{
  g_autofree char *names = list_server_names (servers);

  if (*names == '\0')
    g_printerr (_("hearth-cli: There is no server named “%s”, and the list is empty. "
                  "Add one with hearth-cli servers add NAME --url URL --api KIND.\n"), name);
  else
    g_printerr (_("hearth-cli: There is no server named “%s”; the servers are %s. "
                  "Use one of those names.\n"), name, names);
  return EXIT_NOT_FOUND;
}

static char *
format_latency (HearthServer *server)
{
  double ms = hearth_server_get_latency_ms (server);

  if (ms < 0)
    return g_strdup ("—");
  return g_strdup_printf (_("%.0f ms"), ms);
}

/* A server's state as a person reads it; --json keeps
 * hearth_server_state_to_string (). */
static const char *
state_label (HearthServerState state)
{
  switch (state)
    {
    case HEARTH_SERVER_STATE_UP:
      /* Translators: a server's state, in hearth-cli servers list and test */
      return C_("server state", "up");
    case HEARTH_SERVER_STATE_DEGRADED:
      /* Translators: a server's state: it answers, but slowly or with errors */
      return C_("server state", "degraded");
    case HEARTH_SERVER_STATE_DOWN:
      /* Translators: a server's state: it does not answer */
      return C_("server state", "down");
    case HEARTH_SERVER_STATE_UNKNOWN:
    default:
      /* Translators: a server's state: not checked yet */
      return C_("server state", "unknown");
    }
}

/* "up", "down (skipped)", "disabled" */
static char *
format_state (HearthServer *server)
{
  const char *state = state_label (hearth_server_get_state (server));

  if (!hearth_server_get_enabled (server))
    /* Translators: a server's state: turned off in the list */
    return g_strdup (C_("server state", "disabled"));
  if (hearth_server_get_breaker_open (server))
    /* Translators: %s is a server's state (“down”); skipped means requests
     * go to other servers for a while */
    return g_strdup_printf (_("%s (skipped)"), state);
  return g_strdup (state);
}

static void
add_server_json (JsonBuilder  *builder,
                 HearthServer *server,
                 HearthServer *default_server)
{
  HearthAddressSource source = hearth_server_get_address_source (server);

  hearth_json_add_string (builder, "name", hearth_server_get_name (server));
  hearth_json_add_string (builder, "url", hearth_server_get_url (server));
  hearth_json_add_string (builder, "endpoint", hearth_server_get_endpoint (server));
  /* where the endpoint comes from: "typed", "ollama-host", "usual"… and in words */
  hearth_json_add_string (builder, "address_source",
                          hearth_address_source_to_string (source));
  hearth_json_add_string (builder, "address_from",
                          hearth_address_source_describe (source, hearth_server_get_api (server)));
  hearth_json_add_string (builder, "api", hearth_api_kind_to_string (hearth_server_get_api (server)));
  json_builder_set_member_name (builder, "cloud");
  json_builder_add_boolean_value (builder, hearth_server_get_cloud (server));
  json_builder_set_member_name (builder, "enabled");
  json_builder_add_boolean_value (builder, hearth_server_get_enabled (server));
  json_builder_set_member_name (builder, "default");
  json_builder_add_boolean_value (builder, server == default_server);
  hearth_json_add_string (builder, "preset", hearth_server_get_preset (server));
  hearth_json_add_string (builder, "state",
                          hearth_server_state_to_string (hearth_server_get_state (server)));
  hearth_json_add_double (builder, "latency_ms", hearth_server_get_latency_ms (server));
  hearth_json_add_string (builder, "last_error", hearth_server_get_last_error (server));
  hearth_json_add_int (builder, "failures", hearth_server_get_failures (server));
  json_builder_set_member_name (builder, "breaker_open");
  json_builder_add_boolean_value (builder, hearth_server_get_breaker_open (server));
  hearth_json_add_string (builder, "key_env", hearth_server_get_key_env (server));
  hearth_json_add_int (builder, "concurrency", hearth_server_get_concurrency (server));
  hearth_json_add_int (builder, "queue_bound", hearth_server_get_queue_bound (server));
  servers_add_managed_json (builder, server);
}

static HearthEngine *
open_servers_engine (HearthServers **servers,
                     int            *exit_code)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(GError) error = NULL;
  HearthEngine *engine = open_engine (settings, 0, &error);

  if (engine == NULL)
    {
      *exit_code = fail (error);
      return NULL;
    }
  *servers = hearth_engine_get_servers (engine);
  return engine;
}

/* One probe of @name (NULL: every enabled server at once), Ctrl+C cancels
 * it. Asked by name, a server that is down is an answer, in @probe_error. */
static gboolean
probe (HearthServers  *servers,
       const char     *name,
       GError        **probe_error,
       int            *exit_code)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Cli cli = { 0 };
  gboolean done;

  cli.cancellable = cancellable;
  hearth_servers_probe_async (servers, name, cancellable, keep_result, &cli);
  run_loop (&cli);
  done = hearth_servers_probe_finish (servers, cli.result, &error);
  g_clear_object (&cli.result);
  if (cli.interrupted || g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_CANCELLED))
    {
      g_printerr (_("hearth-cli: Interrupted while the servers were checked.\n"));
      *exit_code = EXIT_INTERRUPTED;
      return FALSE;
    }
  if (!done && probe_error != NULL)
    {
      g_propagate_error (probe_error, g_steal_pointer (&error));
      return TRUE;
    }
  if (!done)
    {
      *exit_code = fail (error);
      return FALSE;
    }
  return TRUE;
}

/* list */

static int
servers_list (HearthServers *servers)
{
  GListModel *list = G_LIST_MODEL (servers);
  HearthServer *default_server;
  guint n = g_list_model_get_n_items (list);
  /* Translators: column headers of hearth-cli servers list; QUEUE is
   * explained below the table */
  const char *headers[] = { C_("column header", "NAME"), C_("column header", "URL"),
                            C_("column header", "API"), C_("column header", "CLOUD"),
                            C_("column header", "ENABLED"), C_("column header", "STATE"),
                            C_("column header", "QUEUE"), C_("column header", "LATENCY") };
  g_autoptr(CliTable) table = NULL;
  gboolean said_address = FALSE;
  int exit_code = 0;

  if (n > 0 && !probe (servers, NULL, NULL, &exit_code))
    return exit_code;
  default_server = hearth_servers_get_default (servers);

  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(HearthServer) server = g_list_model_get_item (list, i);

          json_builder_begin_object (builder);
          add_server_json (builder, server, default_server);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      print_json (root);
      return 0;
    }

  if (n == 0)
    {
      g_print (_("No servers. Add one with hearth-cli servers add NAME --url URL --api KIND "
                 "(hearth-cli servers presets lists known services).\n"));
      return 0;
    }
  table = cli_table_new (G_N_ELEMENTS (headers), 0, headers[0], headers[1], headers[2],
                         headers[3], headers[4], headers[5], headers[6], headers[7]);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (list, i);
      g_autofree char *marked = g_strdup_printf ("%s%s", hearth_server_get_name (server),
                                                 server == default_server ? " *" : "");
      g_autofree char *state = format_state (server);
      g_autofree char *latency = format_latency (server);
      g_autofree char *queue = g_strdup_printf ("%u/%u", hearth_server_get_concurrency (server),
                                                hearth_server_get_queue_bound (server));

      cli_table_add (table, marked, hearth_server_get_endpoint (server),
                     hearth_api_kind_to_string (hearth_server_get_api (server)),
                     yes_no (hearth_server_get_cloud (server)),
                     yes_no (hearth_server_get_enabled (server)), state, queue, latency);
    }
  cli_table_print (table);
  g_print (_("\nQUEUE: requests sent at once / other programs' requests that may wait "
             "(hearth-cli servers limits NAME --concurrency N --queue-bound N).\n"));
  /* An address nobody typed (OLLAMA_HOST, the usual one): say where it
   * comes from, as the Servers page does. Hearth's own servers say so below. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (list, i);
      HearthAddressSource source = hearth_server_get_address_source (server);
      g_autofree char *address = NULL;

      if (source == HEARTH_ADDRESS_TYPED || source == HEARTH_ADDRESS_MANAGED)
        continue;
      address = hearth_server_describe_address (server);
      g_print (_("%sThe address of %s is %s.\n"), said_address ? "" : "\n",
               hearth_server_get_name (server), address);
      said_address = TRUE;
    }
  if (default_server != NULL)
    g_print (_("\n* the default server: requests go there unless you choose another "
               "(--server NAME).\n"));
  else
    g_print (_("\nEvery server is disabled: enable one with hearth-cli servers enable NAME.\n"));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (list, i);
      const char *error = hearth_server_get_last_error (server);

      /* a server Hearth runs that is not running: its process says why, below */
      if (hearth_server_get_managed (server) != HEARTH_MANAGED_NONE &&
          hearth_server_get_process_state (server) != HEARTH_PROCESS_RUNNING)
        continue;
      if (hearth_server_get_enabled (server) && error != NULL &&
          hearth_server_get_state (server) != HEARTH_SERVER_STATE_UP)
        g_print ("%s: %s\n", hearth_server_get_name (server), error);
    }
  servers_print_managed (servers);
  return 0;
}

/* add */

static gboolean
parse_kind (const char    *value,
            HearthApiKind *api,
            int           *exit_code)
{
  g_autofree char *message = NULL;

  if (hearth_api_kind_from_string (value, api))
    return TRUE;
  message = g_strdup_printf (_("--api takes ollama, openai or anthropic, not “%s”"), value);
  *exit_code = usage_error ("servers", message);
  return FALSE;
}

static int
fail_unknown_preset (const char *id)
{
  g_autoptr(GString) ids = g_string_new (NULL);
  g_autofree char *message = NULL;
  guint n = 0;
  const HearthServerPreset *presets = hearth_server_presets (&n);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (ids, "%s%s", i > 0 ? ", " : "", presets[i].id);
  message = g_strdup_printf (_("There is no preset “%s”; the presets are %s"), id, ids->str);
  return usage_error ("servers", message);
}

static gboolean
store_key (HearthServers *servers,
           const char    *name,
           const char    *key,
           GError       **error)
{
  Cli cli = { 0 };
  gboolean stored;

  hearth_servers_set_key_async (servers, name, key, NULL, keep_result, &cli);
  run_loop (&cli);
  stored = hearth_servers_set_key_finish (servers, cli.result, error);
  g_clear_object (&cli.result);
  return stored;
}

static void
print_added (HearthServers *servers,
             HearthServer  *server,
             gboolean       with_key)
{
  const char *name = hearth_server_get_name (server);
  const char *key_env = hearth_server_get_key_env (server);
  HearthServer *default_server = hearth_servers_get_default (servers);
  const HearthServerPreset *preset = hearth_server_get_preset (server) != NULL
                                     ? hearth_server_preset_find (hearth_server_get_preset (server))
                                     : NULL;

  g_print (_("Added the server “%s” (%s, %s) to %s.\n"), name, hearth_server_get_endpoint (server),
           hearth_api_kind_to_string (hearth_server_get_api (server)),
           hearth_servers_get_path (servers));
  if (with_key)
    g_print (_("Its API key is stored in the keyring, never in that file.\n"));
  else if (preset != NULL && preset->needs_key && key_env == NULL)
    g_print (_("It needs an API key: give it with hearth-cli key set --server %s (from standard "
               "input)%s%s.\n"), name, preset->key_env != NULL ? " or in " : "",
             preset->key_env != NULL ? preset->key_env : "");
  if (hearth_server_get_cloud (server))
    g_print (_("It is a cloud server: Hearth only sends it a question when you choose it "
               "(--server %s) or when it is in the fallback chain (hearth-cli servers fallback).\n"),
             name);
  if (default_server == server)
    g_print (_("It is the default server.\n"));
  else if (default_server != NULL)
    g_print (_("The default server is still “%s”; ask this one with --server %s.\n"),
             hearth_server_get_name (default_server), name);
  g_print (_("Check it with hearth-cli servers test %s.\n"), name);
}

static int
servers_add (HearthServers *servers,
             const char    *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;
  const HearthServerPreset *preset = NULL;
  const char *url = opt_url;
  HearthApiKind api = HEARTH_API_OLLAMA;
  gboolean cloud = opt_cloud;
  HearthServer *server;
  char *key = NULL;
  int exit_code = 0;

  if (!hearth_servers_check_name (name, &error))
    {
      fail (error);
      return EXIT_USAGE;
    }
  if (hearth_servers_lookup (servers, name) != NULL)
    {
      g_printerr (_("hearth-cli: There is already a server named “%s”. Choose another name, or "
                    "remove it first with hearth-cli servers remove %s.\n"), name, name);
      return EXIT_USAGE;
    }
  if (servers_managed_add_wanted ())
    {
      if (opt_url != NULL || opt_kind != NULL || opt_preset != NULL || opt_cloud ||
          opt_key_stdin)
        return usage_error ("servers", _("A server Hearth runs has its own address and API: "
                                         "leave out the URL, --api, --preset, --cloud and "
                                         "--key-stdin with --managed"));
      return servers_add_managed (servers, name);
    }
  if (opt_preset != NULL)
    {
      if ((preset = hearth_server_preset_find (opt_preset)) == NULL)
        return fail_unknown_preset (opt_preset);
      url = url != NULL ? url : preset->url;
      api = preset->api;
      cloud = cloud || preset->cloud;
    }
  if (opt_kind != NULL)
    {
      if (!parse_kind (opt_kind, &api, &exit_code))
        return exit_code;
    }
  /* the API, as everywhere, is ollama unless said otherwise */
  if (url == NULL)
    return usage_error ("servers", _("Say where the server is: servers add NAME --url URL "
                                     "[--api ollama|openai|anthropic], or --preset ID (servers "
                                     "presets lists them)"));
  /* "" is this computer's Ollama, as the first server of the list */
  if (*url != '\0' && (normalized = hearth_endpoint_normalize (url, api, &error)) == NULL)
    {
      fail (error);
      return EXIT_USAGE;
    }

  /* The key is read before anything changes: a bad key leaves the list as it was. */
  if (opt_key_stdin)
    {
      if ((key = read_api_key (&error)) == NULL && error != NULL)
        return fail (error);
      if (key == NULL || *key == '\0')
        {
          hearth_secrets_free (key);
          return usage_error ("servers", _("The key is empty: give it on standard input, for "
                                           "example hearth-cli servers add NAME … --key-stdin "
                                           "< key.txt"));
        }
    }

  server = hearth_servers_add (servers, name, url, api, cloud,
                               preset != NULL ? preset->id : NULL, &error);
  if (server == NULL)
    {
      hearth_secrets_free (key);
      return fail (error);
    }
  if (key != NULL)
    {
      gboolean stored = store_key (servers, name, key, &error);

      hearth_secrets_free (key);
      if (!stored)
        {
          g_autofree char *line = hearth_error_describe (error);

          /* all or nothing: the same command works again once the keyring does */
          hearth_servers_remove (servers, name, NULL);
          g_printerr (_("hearth-cli: The server “%s” was not added: its key could not be stored. "
                        "%s\n"), name, line);
          return exit_code_for_error (error);
        }
    }
  print_added (servers, server, opt_key_stdin);
  return 0;
}

/* remove, enable, disable */

static int
servers_change (HearthServers *servers,
                const char    *sub,
                const char    *name)
{
  g_autoptr(GError) error = NULL;
  HearthServer *server = hearth_servers_lookup (servers, name);
  gboolean enable = g_str_equal (sub, "enable");
  g_autofree char *endpoint = NULL;
  HearthApiKind api;

  if (server == NULL)
    return fail_unknown_server (servers, name);
  endpoint = g_strdup (hearth_server_get_endpoint (server));
  api = hearth_server_get_api (server);
  if (g_str_equal (sub, "remove"))
    {
      if (!hearth_servers_remove (servers, name, &error))
        return fail (error);
      g_print (_("Removed the server “%s”. An API key it had stays in the keyring until "
                 "hearth-cli key delete --endpoint %s --api %s.\n"), name, endpoint,
               hearth_api_kind_to_string (api));
    }
  else
    {
      if (!hearth_servers_set_enabled (servers, name, enable, &error))
        return fail (error);
      if (enable)
        g_print (_("The server “%s” is enabled.\n"), name);
      else
        g_print (_("The server “%s” is disabled: no request goes there until you enable it.\n"),
                 name);
    }
  if (hearth_servers_get_default (servers) != NULL)
    g_print (_("The default server is “%s”.\n"),
             hearth_server_get_name (hearth_servers_get_default (servers)));
  else if (g_list_model_get_n_items (G_LIST_MODEL (servers)) == 0)
    g_print (_("No server is left: add one with hearth-cli servers add NAME --url URL --api KIND.\n"));
  else
    g_print (_("Every server is disabled now: enable one with hearth-cli servers enable NAME.\n"));
  return 0;
}

/* limits: the queue in front of the server (hearth_engine_list_queues ()) */
static int
servers_limits (HearthServers *servers,
                const char    *name)
{
  g_autoptr(GError) error = NULL;
  HearthServer *server = hearth_servers_lookup (servers, name);
  guint concurrency, bound;

  if (server == NULL)
    return fail_unknown_server (servers, name);
  if (opt_concurrency < -1 || opt_queue_bound < -1)
    return usage_error ("servers", _("--concurrency and --queue-bound take a whole number from 0 "
                                     "(the default) up"));
  if (opt_concurrency >= 0 || opt_queue_bound >= 0)
    {
      /* One left out keeps what the server has now. */
      concurrency = hearth_server_get_concurrency (server);
      bound = hearth_server_get_queue_bound (server);
      if (opt_concurrency >= 0)
        concurrency = opt_concurrency;
      if (opt_queue_bound >= 0)
        bound = opt_queue_bound;
      if (!hearth_servers_set_queue_limits (servers, name, concurrency, bound, &error))
        return fail (error);
    }
  /* Translators: the first %s is the server's name; the second %u is the queue bound */
  g_print (ngettext ("“%s” is sent %u request at once; up to %u requests from other programs may "
                     "wait, more are refused (429) until there is room.\n",
                     "“%s” is sent %u requests at once; up to %u requests from other programs may "
                     "wait, more are refused (429) until there is room.\n",
                     hearth_server_get_concurrency (server)),
           name, hearth_server_get_concurrency (server), hearth_server_get_queue_bound (server));
  return 0;
}

/* default: first in the list, where requests go unless told otherwise */
static int
servers_make_default (HearthServers *servers,
                      const char    *name)
{
  g_autoptr(GError) error = NULL;
  HearthServer *server = hearth_servers_lookup (servers, name);

  if (server == NULL)
    return fail_unknown_server (servers, name);
  if (!hearth_servers_move (servers, name, 0, &error))
    return fail (error);
  if (!hearth_server_get_enabled (server))
    g_print (_("“%s” is first in the list, but disabled: enable it with hearth-cli servers "
               "enable %s to make it the default server.\n"), name, name);
  else
    g_print (_("“%s” is the default server: requests go there unless you choose another.\n"),
             name);
  return 0;
}

/* test */

/* Returns: (transfer full) (nullable): what to do, naming the server */
static char *
advice (HearthServer *server)
{
  switch (hearth_server_get_state (server))
    {
    case HEARTH_SERVER_STATE_UP:
      return NULL;
    case HEARTH_SERVER_STATE_DEGRADED:
      /* Translators: %s is the server's name, part of a command to type */
      return g_strdup_printf (_("Check its API key (hearth-cli key set --server %s) and its rate "
                                "limits; requests may still work"),
                              hearth_server_get_name (server));
    case HEARTH_SERVER_STATE_DOWN:
      return g_strdup (_("Check that the server runs and that its address is right (hearth-cli "
                         "servers list)"));
    case HEARTH_SERVER_STATE_UNKNOWN:
    default:
      return g_strdup (_("Try again; if it stays unchecked, see hearth-cli servers list"));
    }
}

/* "laptop is down: Could not connect to …": one line, with what to do */
static void
print_test_failure (HearthServers *servers,
                    HearthServer  *server,
                    const GError  *error)
{
  const char *name = hearth_server_get_name (server);
  g_auto(GStrv) chain = hearth_servers_get_fallback (servers);
  g_autoptr(GString) line = g_string_new (NULL);
  g_autofree char *what = NULL;
  g_autofree char *head = NULL;

  /* the last error says what happened and, from the core, what to do */
  if (hearth_server_get_last_error (server) != NULL)
    what = g_strdup (hearth_server_get_last_error (server));
  else if (error != NULL)
    what = hearth_error_describe (error);
  switch (hearth_server_get_state (server))
    {
    case HEARTH_SERVER_STATE_UP:
      /* Translators: %s is a server's name */
      head = g_strdup_printf (_("The server “%s” is up"), name);
      break;
    case HEARTH_SERVER_STATE_DEGRADED:
      /* Translators: %s is a server's name; it answers, but slowly or with errors */
      head = g_strdup_printf (_("The server “%s” is degraded"), name);
      break;
    case HEARTH_SERVER_STATE_DOWN:
      /* Translators: %s is a server's name; it does not answer */
      head = g_strdup_printf (_("The server “%s” is down"), name);
      break;
    case HEARTH_SERVER_STATE_UNKNOWN:
    default:
      /* Translators: %s is a server's name; its state (not the server) is
       * unknown: it could not be checked */
      head = g_strdup_printf (_("The server “%s” is unknown"), name);
      break;
    }
  if (what != NULL)
    {
      g_strdelimit (what, "\r\n", ' ');
      g_strstrip (what);
      /* Translators: the server's state (“The server “laptop” is down”),
       * then what happened, as the error says it */
      g_string_printf (line, _("%s: %s"), head, what);
    }
  else
    {
      g_autofree char *todo = advice (server);

      /* Translators: the server's state (“The server “laptop” is down”),
       * then what to do, a sentence of its own */
      g_string_printf (line, _("%s. %s"), head, todo != NULL ? todo : "");
    }
  while (line->len > 0 && line->str[line->len - 1] == '.')
    g_string_truncate (line, line->len - 1);
  if (hearth_server_get_state (server) == HEARTH_SERVER_STATE_DOWN && chain != NULL &&
      chain[0] != NULL && (chain[1] != NULL || g_strcmp0 (chain[0], name) != 0))
    g_string_append (line, _(". Until it answers, requests go to the next server of the "
                             "fallback chain"));
  /* Translators: an error message (a whole sentence) after the program's name */
  g_printerr (_("hearth-cli: %s.\n"), line->str);
}

static int
servers_test (HearthServers *servers,
              const char    *name)
{
  HearthServer *server = hearth_servers_lookup (servers, name);
  g_autoptr(GError) error = NULL;
  g_autofree char *latency = NULL;
  g_autofree char *state = NULL;
  HearthServerState result;
  int exit_code = 0;

  if (server == NULL)
    return fail_unknown_server (servers, name);
  if (!probe (servers, name, &error, &exit_code))
    return exit_code;
  result = hearth_server_get_state (server);
  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      add_server_json (builder, server, hearth_servers_get_default (servers));
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      print_json (root);
    }
  else
    {
      latency = format_latency (server);
      state = format_state (server);
      g_print (_("Server:   %s (%s, %s)\n"), name, hearth_server_get_endpoint (server),
               hearth_api_kind_to_string (hearth_server_get_api (server)));
      g_print (_("State:    %s\n"), state);
      g_print (_("Latency:  %s\n"), g_str_equal (latency, "—")
                                         /* Translators: a server's latency, not measured */
                                         ? C_("latency", "unknown") : latency);
    }
  if (result == HEARTH_SERVER_STATE_UP && error == NULL)
    return 0;
  /* down, refusing or slow: what happened and what to do, and a code that says so */
  print_test_failure (servers, server, error);
  if (error != NULL)
    return exit_code_for_error (error);
  return result == HEARTH_SERVER_STATE_DOWN ? EXIT_UNREACHABLE
         : result == HEARTH_SERVER_STATE_DEGRADED ? 0 : EXIT_FAILED;
}

static gboolean
takes_name (const char *sub)
{
  static const char * const subs[] = { "add", "remove", "enable", "disable", "test", "default",
                                       "limits", "start", "stop", "logs" };

  for (guint i = 0; i < G_N_ELEMENTS (subs); i++)
    if (g_str_equal (sub, subs[i]))
      return TRUE;
  return FALSE;
}

int
hearth_cli_command_servers (int    argc,
                            char **argv)
{
  g_autoptr(HearthEngine) engine = NULL;
  HearthServers *servers = NULL;
  const char *sub;
  int exit_code = 0;

  if (!parse_options ("servers",
                      N_("list | add NAME | remove NAME | enable NAME | disable NAME | "
                         "default NAME | test NAME | limits NAME | start NAME | stop NAME | "
                         "logs NAME | demo | fallback [NAME…] | substitute MODEL [SUBSTITUTE] | "
                         "substitutes | presets"),
                      all_servers_entries (), FALSE, &argc, &argv, &exit_code))
    return exit_code;
  sub = argc >= 3 ? argv[2] : "list";
  /* servers add NAME URL, as well as --url URL */
  if (g_str_equal (sub, "add") && argc == 5 && opt_url == NULL)
    {
      if (!check_text (_("The server's address"), argv[4], strlen (argv[4]), &exit_code))
        return exit_code;
      opt_url = g_strdup (argv[4]);
      argc = 4;
    }
  if (takes_name (sub) && argc != 4)
    {
      g_autofree char *message = g_strdup_printf (_("servers %s takes one server name: "
                                                    "hearth-cli servers %s NAME"), sub, sub);
      return usage_error ("servers", message);
    }
  if (((g_str_equal (sub, "list") || g_str_equal (sub, "substitutes") ||
        g_str_equal (sub, "presets") || g_str_equal (sub, "demo")) && argc > 3) ||
      (g_str_equal (sub, "substitute") && argc != 4 && argc != 5))
    return usage_error ("servers", SERVERS_USAGE);
  if (!takes_name (sub) && !g_str_equal (sub, "list") && !g_str_equal (sub, "fallback") &&
      !g_str_equal (sub, "substitute") && !g_str_equal (sub, "substitutes") &&
      !g_str_equal (sub, "presets") && !g_str_equal (sub, "demo"))
    return usage_error ("servers", SERVERS_USAGE);
  if (!servers_managed_options_fit (sub, &exit_code))
    return exit_code;
  if (!g_str_equal (sub, "add") &&
      (opt_url != NULL || opt_kind != NULL || opt_preset != NULL || opt_cloud || opt_key_stdin))
    return usage_error ("servers", _("--url, --api, --cloud, --key-stdin and --preset are for "
                                     "servers add"));
  if (!g_str_equal (sub, "limits") && (opt_concurrency != -1 || opt_queue_bound != -1))
    return usage_error ("servers", _("--concurrency and --queue-bound are for servers limits"));
  if (opt_off && !g_str_equal (sub, "fallback") && !g_str_equal (sub, "substitute"))
    return usage_error ("servers", _("--off is for servers fallback and servers substitute"));
  if (takes_name (sub) && !check_text (_("The server name"), argv[3], strlen (argv[3]), &exit_code))
    return exit_code;
  if (g_str_equal (sub, "presets"))
    return servers_presets ();

  if ((engine = open_servers_engine (&servers, &exit_code)) == NULL)
    return exit_code;
  if (g_str_equal (sub, "list"))
    return servers_list (servers);
  if (g_str_equal (sub, "add"))
    return servers_add (servers, argv[3]);
  if (g_str_equal (sub, "test"))
    return servers_test (servers, argv[3]);
  if (g_str_equal (sub, "fallback"))
    return servers_fallback (servers, opt_off, argc, argv);
  if (g_str_equal (sub, "substitute"))
    return servers_substitute (servers, opt_off, argc, argv);
  if (g_str_equal (sub, "substitutes"))
    return servers_substitutes (servers);
  if (g_str_equal (sub, "default"))
    return servers_make_default (servers, argv[3]);
  if (g_str_equal (sub, "limits"))
    return servers_limits (servers, argv[3]);
  if (g_str_equal (sub, "start"))
    return servers_start (servers, argv[3]);
  if (g_str_equal (sub, "stop"))
    return servers_stop (servers, argv[3]);
  if (g_str_equal (sub, "logs"))
    return servers_logs (servers, argv[3]);
  if (g_str_equal (sub, "demo"))
    return servers_demo (servers);
  return servers_change (servers, sub, argv[3]);
}
