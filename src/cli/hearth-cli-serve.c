/* hearth-cli-serve.c — hearth-cli serve: the local API gateway, headless
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same gateway the app's "Serve the API to other programs on this
 * machine" starts (hearth_engine_get_gateway ()): Ollama's and OpenAI's
 * APIs in front of the user's servers, through the engine's cache,
 * routing, fallback, queue and metrics. It prints where clients point,
 * then one line per finished request, until Ctrl+C or SIGTERM (exit 0).
 * The enabled servers Hearth runs start with it and, unless kept, stop with
 * it; each change of their state is a line on standard error.
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include <inttypes.h>

#include <glib-unix.h>
#include <signal.h>

#include "hearth-cli-private.h"
#include "hearth-endpoint.h"

static char     *opt_listen;
static char    **opt_servers;
static char     *opt_redis;
static gboolean  opt_print_token;

static const GOptionEntry serve_entries[] = {
  { "listen", 0, 0, G_OPTION_ARG_FILENAME, &opt_listen,
    /* spelled out, not HEARTH_GATEWAY_DEFAULT_LISTEN: xgettext cannot read a macro, and the
     * msgid would end at "(default " */
    N_("Listen on HOST:PORT, [IPv6]:PORT or PORT (default 127.0.0.1:11435); any address but "
       "loopback requires a token"), N_("ADDR") },
  { "server", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_servers,
    N_("Serve only this server of your list; repeat for more (default: every enabled one)"),
    N_("NAME") },
  { "redis", 0, 0, G_OPTION_ARG_FILENAME, &opt_redis,
    N_("Share the answer cache with other machines through Redis or Valkey at "
       "redis://HOST[:PORT][/DB] (password from REDISCLI_AUTH)"), N_("URL") },
  { "print-token", 0, 0, G_OPTION_ARG_NONE, &opt_print_token,
    N_("On an address other than loopback, print the token clients must send"), NULL },
  { NULL }
};

typedef struct
{
  GMainLoop     *loop;
  HearthGateway *gateway;
  char          *listen;
  char          *host;
  char          *token;
  GError        *error;
  gboolean       output_lost;
} Serve;

static void
serve_clear (Serve *serve)
{
  g_clear_pointer (&serve->loop, g_main_loop_unref);
  g_clear_pointer (&serve->listen, g_free);
  g_clear_pointer (&serve->host, g_free);
  if (serve->token != NULL)
    memset (serve->token, 0, strlen (serve->token));
  g_clear_pointer (&serve->token, g_free);
  g_clear_error (&serve->error);
}

static gboolean
on_stop (gpointer user_data)
{
  Serve *serve = user_data;

  g_main_loop_quit (serve->loop);
  return G_SOURCE_CONTINUE;
}

/* JSON lines: one object a line, whatever the terminal */
static void
print_request_json (GDateTime                      *now,
                    const HearthGatewayRequestInfo *info)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *time = g_date_time_format_iso8601 (now);
  g_autofree char *line = NULL;

  json_builder_begin_object (builder);
  hearth_json_add_string (builder, "time", time);
  hearth_json_add_string (builder, "method", info->method);
  hearth_json_add_string (builder, "path", info->path);
  hearth_json_add_int (builder, "status", info->status);
  hearth_json_add_string (builder, "client", info->client);
  hearth_json_add_string (builder, "model", info->model);
  hearth_json_add_string (builder, "server", info->server);
  json_builder_set_member_name (builder, "cached");
  json_builder_add_boolean_value (builder, info->cached);
  hearth_json_add_double (builder, "duration_ms", info->duration_ms);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  line = hearth_json_to_string (root, FALSE);
  print_json_text (line);
  output_write (OUTPUT_STDOUT, "\n", 1);
}

/* "12:30:01 POST /api/chat 200 client="curl/8.5.0" model=llama3.2 server=local cache=miss 812 ms" */
static void
on_request_finished (HearthGateway                  *gateway,
                     const HearthGatewayRequestInfo *info,
                     Serve                          *serve)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *time = g_date_time_format (now, "%H:%M:%S");
  g_autofree char *status = info->status != 0 ? g_strdup_printf ("%u", info->status)
                                              : g_strdup ("gone");

  if (opt_json)
    print_request_json (now, info);
  else
    g_print ("%s %s %s %s client=\"%s\" model=%s server=%s cache=%s %.0f ms\n", time,
             info->method, info->path, status,
             info->client != NULL ? info->client : "unknown client",
             info->model != NULL ? info->model : "-", info->server != NULL ? info->server : "-",
             info->cached ? "hit" : "miss", info->duration_ms);
  /* A reader that went away (| head) ends the serving. */
  if (output_failed ())
    {
      serve->output_lost = TRUE;
      g_main_loop_quit (serve->loop);
    }
}

typedef void (*SayFunc) (const char *format, ...) G_GNUC_PRINTF (1, 2);

static void
print_banner (Serve         *serve,
              HearthEngine  *engine)
{
  const char *url = hearth_gateway_get_url (serve->gateway);
  g_autofree char *names = NULL;
  /* --json keeps standard output to the requests' lines */
  SayFunc say = opt_json ? g_printerr : g_print;

  if (opt_servers != NULL && opt_servers[0] != NULL)
    names = g_strjoinv (", ", opt_servers);
  else
    names = g_strdup (_("every enabled server of your list"));
  say (_("Serving the API at %s (%s)\n"), url, names);
  say (_("  Ollama clients: OLLAMA_HOST=%s\n"), url);
  say (_("  OpenAI clients: base_url %s/v1\n"), url);
  say (_("  Models: as your servers name them, MODEL@SERVER to ask one server, or auto\n"));
  if (serve->token != NULL)
    {
      say (_("  Every request needs the header: Authorization: Bearer %s\n"),
               opt_print_token ? serve->token : "TOKEN");
      if (!opt_print_token)
        say (_("  The token is in your keyring (“Hearth API gateway token”); "
                 "hearth-cli serve --print-token shows it.\n"));
    }
  if (hearth_cli_app_is_running ())
    g_printerr (_("hearth-cli: The Hearth app is running too; if it serves the API as well, "
                  "each listens on its own address.\n"));
  g_printerr (_("hearth-cli: Ctrl+C stops.\n"));
}

static void
warn_not_loopback (Serve *serve)
{
  g_printerr (_("hearth-cli: WARNING: %s is not a loopback address: other machines on the "
                "network can reach this gateway and use your servers and their API keys. "
                "Every request must carry the token (Authorization: Bearer). Listen on "
                "127.0.0.1 unless you mean it.\n"), serve->host);
}

static void
token_ready (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Serve *serve = user_data;

  serve->token = hearth_gateway_ensure_token_finish (HEARTH_GATEWAY (object), result,
                                                     &serve->error);
  g_main_loop_quit (serve->loop);
}

/* A token from the Secret Service, made on first use; never on argv. */
static gboolean
get_token (Serve *serve)
{
  hearth_gateway_ensure_token_async (serve->gateway, NULL, token_ready, serve);
  g_main_loop_run (serve->loop);
  return serve->token != NULL;
}

static void
print_summary (HearthGateway *gateway)
{
  HearthGatewayStats stats;
  g_autofree char *requests = NULL;
  g_autofree char *chats = NULL;
  g_autofree char *errors = NULL;

  hearth_gateway_get_stats (gateway, &stats);
  requests = g_strdup_printf (ngettext ("%" PRIu64 " request", "%" PRIu64 " requests",
                                        stats.requests), stats.requests);
  chats = g_strdup_printf (ngettext ("%" PRIu64 " chat", "%" PRIu64 " chats", stats.chats),
                           stats.chats);
  errors = g_strdup_printf (ngettext ("%" PRIu64 " other error", "%" PRIu64 " other errors",
                                      stats.errors), stats.errors);

  /* Translators: "Served 5 requests: 4 chats (1 from the cache), 0 refused with the queue
   * full, 1 other error." */
  g_printerr (_("hearth-cli: Served %s: %s (%" PRIu64 " from the cache), %" PRIu64
              " refused with the queue full, %s.\n"),
              requests, chats, stats.cache_hits, stats.rejected, errors);
}

static gboolean
check_servers (int *exit_code)
{
  for (guint i = 0; opt_servers != NULL && opt_servers[i] != NULL; i++)
    if (!check_text (_("The value of --server"), opt_servers[i], strlen (opt_servers[i]),
                     exit_code))
      return FALSE;
  return TRUE;
}

/* The servers Hearth runs start with serve (not waited for: each says when
 * it answers) and stop with it, unless kept. */
static ManagedWatch *
start_managed (HearthEngine *engine)
{
  HearthServers *servers = hearth_engine_get_servers (engine);
  ManagedWatch *watch = managed_watch_new (servers, NULL, TRUE, NULL, NULL);

  hearth_servers_start_managed (servers);
  return watch;
}

static void
shutdown_managed (HearthEngine *engine,
                  ManagedWatch *watch)
{
  hearth_servers_shutdown_managed (hearth_engine_get_servers (engine));
  managed_watch_free (watch);
}

static int
run (Serve        *serve,
     HearthEngine *engine)
{
  ManagedWatch *watch;
  guint sources[3];
  gulong handler;
  guint port;

  if (!hearth_gateway_parse_listen (serve->listen, &serve->host, &port, &serve->error))
    {
      g_autofree char *message = g_strdup (serve->error->message);

      /* usage_error () ends the sentence */
      if (g_str_has_suffix (g_strchomp (message), "."))
        message[strlen (message) - 1] = '\0';
      return usage_error ("serve", message);
    }
  if (opt_redis != NULL)
    {
      HearthCache *cache = hearth_engine_get_cache (engine);

      if (cache == NULL)
        {
          g_printerr (_("hearth-cli: --redis needs the answer cache, which is off. Turn on "
                        "“Reuse Answers” in Hearth's Preferences, or run without --redis.\n"));
          return EXIT_USAGE;
        }
      if (!hearth_cache_set_shared (cache, opt_redis, &serve->error))
        return fail (serve->error);
    }
  if (!hearth_gateway_set_servers (serve->gateway, (const char * const *) opt_servers,
                                   &serve->error))
    return fail (serve->error);
  if (!hearth_gateway_host_is_loopback (serve->host))
    {
      warn_not_loopback (serve);
      if (!get_token (serve))
        return fail (serve->error);
    }
  else if (opt_print_token)
    g_printerr (_("hearth-cli: %s is a loopback address: no token is asked there, so there "
                  "is none to print.\n"), serve->host);

  /* The sentence says what to do (another port, stop the other program);
   * not a usage error: the same command works once the port is free. */
  if (!hearth_gateway_start (serve->gateway, serve->listen, serve->token, &serve->error))
    {
      g_autofree char *message = g_strstrip (g_strdup (serve->error->message));

      if (g_str_has_suffix (message, "."))
        /* Translators: an error message (a whole sentence) after the program's name */
        g_printerr (_("hearth-cli: %s\n"), message);
      else
        /* Translators: an error message (a whole sentence) after the program's name */
        g_printerr (_("hearth-cli: %s.\n"), message);
      return EXIT_FAILED;
    }

  handler = g_signal_connect (serve->gateway, "request-finished",
                              G_CALLBACK (on_request_finished), serve);
  sources[0] = g_unix_signal_add (SIGINT, on_stop, serve);
  sources[1] = g_unix_signal_add (SIGTERM, on_stop, serve);
  sources[2] = g_unix_signal_add (SIGHUP, on_stop, serve);
  print_banner (serve, engine);
  watch = start_managed (engine);
  if (!output_failed ())
    g_main_loop_run (serve->loop);

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    g_source_remove (sources[i]);
  g_signal_handler_disconnect (serve->gateway, handler);
  hearth_gateway_stop (serve->gateway);
  shutdown_managed (engine, watch);
  print_summary (serve->gateway);
  return serve->output_lost ? EXIT_OUTPUT : 0;
}

/*
 * Serves Ollama's and OpenAI's APIs to other programs until Ctrl+C or
 * SIGTERM (exit 0). A port in use, an address it cannot listen on or a
 * token the keyring cannot give fail at once with the sentence that says
 * what to do.
 */
int
hearth_cli_command_serve (int    argc,
                          char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  Serve serve = { 0 };
  int exit_code = 0;

  if (!parse_options ("serve", NULL, serve_entries, FALSE, &argc, &argv, &exit_code) ||
      !check_servers (&exit_code))
    return exit_code;
  if (argc > 2)
    return usage_error ("serve", _("serve takes no arguments"));

  if ((engine = open_engine (settings, HEARTH_ENGINE_HISTORY | HEARTH_ENGINE_CACHE,
                             &error)) == NULL)
    return fail (error);
  serve.loop = g_main_loop_new (NULL, FALSE);
  serve.gateway = hearth_engine_get_gateway (engine);
  serve.listen = g_strdup (opt_listen != NULL ? opt_listen : HEARTH_GATEWAY_DEFAULT_LISTEN);
  exit_code = run (&serve, engine);
  hearth_engine_shutdown (engine);
  serve_clear (&serve);
  return exit_code;
}
