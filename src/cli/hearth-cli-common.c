/* hearth-cli-common.c — what the commands share: options, failures, server, loop, JSON
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include <inttypes.h>

#include <glib-unix.h>
#include <math.h>
#include <unistd.h>

#include "hearth-cli-private.h"
#include "hearth-endpoint.h"
#include "hearth-error.h"
#include "hearth-secrets.h"

static char    *opt_server;
static char    *opt_endpoint;
static char    *opt_api;
static int      opt_timeout = 300;
static gboolean opt_raw;
static gboolean opt_help;

char           *opt_model;
gboolean        opt_json;

static gboolean
parse_timeout (const char  *option,
               const char  *value,
               gpointer     data,
               GError     **error)
{
  gint64 seconds;

  if (!parse_whole_number ("--timeout", value, 1, 24 * 3600, &seconds, error))
    return FALSE;
  opt_timeout = seconds;
  return TRUE;
}

/* Text options are G_OPTION_ARG_FILENAME, bytes as given: GOption would
 * convert them from the locale's charset and fail without naming the option
 * (or, in the C locale, refuse all but ASCII). check_options() wants UTF-8. */
static const GOptionEntry server_entries[] = {
  { "server", 0, 0, G_OPTION_ARG_FILENAME, &opt_server,
    N_("A server of your list, by name (hearth-cli servers list)"), N_("NAME") },
  { "endpoint", 0, 0, G_OPTION_ARG_FILENAME, &opt_endpoint,
    N_("The server: host, host:port or http://host:port"), N_("URL") },
  { "api", 0, 0, G_OPTION_ARG_FILENAME, &opt_api,
    N_("The server's API: ollama, openai or anthropic"), N_("KIND") },
  { "timeout", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, parse_timeout,
    N_("Give up when the server is silent this long: 1 to 86400 (default 300)"), N_("SECONDS") },
  { NULL }
};

static const GOptionEntry output_entries[] = {
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, N_("Print JSON"), NULL },
  { "raw", 0, 0, G_OPTION_ARG_NONE, &opt_raw,
    N_("Print text byte for byte, control characters too, even to a terminal"), NULL },
  { "help", 'h', 0, G_OPTION_ARG_NONE, &opt_help, N_("Show the options"), NULL },
  { NULL }
};

static int
exit_code_for (const GError *error)
{
  if (error->domain == HEARTH_ERROR)
    return hearth_error_exit_code (error);
  if (g_error_matches (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND))
    return EXIT_NOT_FOUND;
  if (error->domain == HEARTH_STORE_ERROR || error->domain == HEARTH_CACHE_ERROR)
    return EXIT_DATABASE;
  return EXIT_FAILED;
}

int
exit_code_for_error (const GError *error)
{
  return exit_code_for (error);
}

/* Every failure ends here: one line, what happened and what to do. */
int
fail (const GError *error)
{
  g_autofree char *line = hearth_error_describe (error);

  if (error->domain != HEARTH_ERROR)
    {
      g_autofree char *text = g_strdup (error->message);
      gsize len = strlen (text);

      while (len > 0 && (text[len - 1] == '.' || text[len - 1] == '\n'))
        text[--len] = '\0';
      g_strdelimit (text, "\r\n", ' ');
      /* Translators: an error message (a whole sentence) after the program's name */
      g_printerr (_("hearth-cli: %s.\n"), text);
    }
  else
    /* Translators: an error message (a whole sentence) after the program's name */
    g_printerr (_("hearth-cli: %s\n"), line);
  return exit_code_for (error);
}

int
usage_error (const char *command,
             const char *message)
{
  g_printerr (_("hearth-cli: %s. Run “hearth-cli %s --help” for usage.\n"), message, command);
  return EXIT_USAGE;
}

/**
 * check_text:
 * @what: the text's name at the start of a sentence: "The prompt"
 *
 * What goes to a server or into the history is UTF-8 without NUL: a server
 * would refuse it after the question was stored, and C strings would cut it
 * short without a word. Anything else is refused before it is sent or kept.
 */
gboolean
check_text (const char *what,
            const char *text,
            gsize       len,
            int        *exit_code)
{
  const char *nul = memchr (text, '\0', len);
  const char *end = NULL;

  if (nul != NULL)
    g_printerr (_("hearth-cli: %s holds a NUL byte (byte %zu), so it is not text. "
                  "Remove it and try again.\n"), what, (gsize) (nul - text) + 1);
  else if (!g_utf8_validate_len (text, len, &end))
    g_printerr (_("hearth-cli: %s is not valid UTF-8 (byte %zu). Convert it to "
                  "UTF-8 (for example with iconv) and try again.\n"), what, (gsize) (end - text) + 1);
  else
    return TRUE;
  *exit_code = EXIT_USAGE;
  return FALSE;
}

static gboolean
check_options (const GOptionEntry *entries,
               int                *exit_code)
{
  for (const GOptionEntry *e = entries; e != NULL && e->long_name != NULL; e++)
    {
      const char *value = e->arg == G_OPTION_ARG_FILENAME ? *(char **) e->arg_data : NULL;
      g_autofree char *what = NULL;

      if (value == NULL)
        continue;
      what = g_strdup_printf (_("The value of --%s"), e->long_name);
      if (!check_text (what, value, strlen (value), exit_code))
        return FALSE;
    }
  return TRUE;
}

/* A number option's value, in its range: GOption alone takes "nan" and any
 * value at all. */
gboolean
parse_whole_number (const char  *option,
                    const char  *value,
                    gint64       min,
                    gint64       max,
                    gint64      *number,
                    GError     **error)
{
  if (g_ascii_string_to_signed (value, 10, min, max, number, NULL))
    return TRUE;
  if (max == G_MAXINT64)
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 _("%s takes a whole number, %" PRId64 " or more, not “%s”"),
                 option, min, value);
  else
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 _("%s takes a whole number from %" PRId64 " to %" PRId64
                 ", not “%s”"), option, min, max, value);
  return FALSE;
}

gboolean
parse_decimal_number (const char  *option,
                      const char  *value,
                      double       min,
                      double       max,
                      double      *number,
                      GError     **error)
{
  char low[G_ASCII_DTOSTR_BUF_SIZE];
  char high[G_ASCII_DTOSTR_BUF_SIZE];
  char *end = NULL;
  double parsed = g_ascii_strtod (value, &end);

  if (*value != '\0' && *end == '\0' && isfinite (parsed) && parsed >= min && parsed <= max)
    {
      *number = parsed;
      return TRUE;
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("%s takes a number from %s to %s, not “%s”"), option,
               g_ascii_dtostr (low, sizeof low, min), g_ascii_dtostr (high, sizeof high, max),
               value);
  return FALSE;
}

gboolean
parse_options (const char          *command,
               const char          *parameter,
               const GOptionEntry  *entries,
               gboolean             server,
               int                 *argc,
               char              ***argv,
               int                 *exit_code)
{
  g_autoptr(GOptionContext) context = g_option_context_new (parameter);
  g_autoptr(GError) error = NULL;

  /* --help is ours, printed like any output instead of GOption's exit(0). */
  g_option_context_set_help_enabled (context, FALSE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (server)
    g_option_context_add_main_entries (context, server_entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, output_entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_autofree char *message = g_strdup (error->message);

      g_strchomp (message);
      if (g_str_has_suffix (message, "."))
        message[strlen (message) - 1] = '\0';
      *exit_code = usage_error (command, message);
      return FALSE;
    }
  output_set_raw (opt_raw);
  if (opt_help)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_print ("%s", help);
      *exit_code = 0;
      return FALSE;
    }
  return check_options (entries, exit_code) &&
         (!server || check_options (server_entries, exit_code));
}

/* The server's API and address, by the engine's one rule: --server NAME,
 * else --endpoint URL, else the default server of the list. */
gboolean
resolve_server (GSettings      *settings,
                HearthApiKind  *api,
                char          **endpoint,
                GError        **error)
{
  g_autoptr(HearthEngine) engine = hearth_engine_new_for_settings (settings, 0);
  HearthProvider *provider = hearth_engine_resolve_server (engine, opt_server, opt_endpoint,
                                                           opt_api, error);

  if (provider == NULL)
    return FALSE;
  *api = hearth_provider_get_api (provider);
  *endpoint = g_strdup (hearth_provider_get_endpoint (provider));
  return TRUE;
}

/* --server NAME, or NULL */
const char *
get_opt_server (void)
{
  return opt_server;
}

/* --api KIND, or NULL */
const char *
get_opt_api (void)
{
  return opt_api;
}

/* --endpoint URL, or NULL */
const char *
get_opt_endpoint (void)
{
  return opt_endpoint;
}

/**
 * open_engine:
 * @flags: what the command needs: the history, the cache
 *
 * The engine the GUI also uses, with the same settings. A command that
 * needs the history fails without it; a broken cache is only said.
 */
static HearthEngine *
open_engine_full (GSettings          *settings,
                  HearthEngineFlags   flags,
                  gboolean            history_optional,
                  GError            **error)
{
  g_autoptr(HearthEngine) engine = hearth_engine_new_for_settings (settings, flags);

  if ((flags & HEARTH_ENGINE_HISTORY) && !history_optional && !hearth_engine_has_history (engine))
    {
      g_propagate_error (error, g_error_copy (hearth_engine_get_store_error (engine)));
      return NULL;
    }
  if (hearth_engine_get_cache_warning (engine) != NULL)
    /* Translators: an error message (a whole sentence) after the program's name */
    g_printerr (_("hearth-cli: %s\n"), hearth_engine_get_cache_warning (engine));
  hearth_engine_set_timeout (engine, opt_timeout);
  return g_steal_pointer (&engine);
}

HearthEngine *
open_engine (GSettings          *settings,
             HearthEngineFlags   flags,
             GError            **error)
{
  return open_engine_full (settings, flags, FALSE, error);
}

/* The server a command talks to: --server NAME, else --endpoint URL (with
 * --api), else the default server of the list (hearth_engine_resolve_server());
 * its key from the environment or the keyring, never argv. */
HearthProvider *
open_provider (GSettings          *settings,
               HearthEngineFlags   flags,
               HearthEngine      **engine,
               GError            **error)
{
  if ((*engine = open_engine (settings, flags, error)) == NULL)
    return NULL;
  return hearth_engine_resolve_server (*engine, opt_server, opt_endpoint, opt_api, error);
}

/* As open_provider(), with the history when it opens and without it when it
 * does not: for a command that only adds what the history knows (ps's
 * reasons a model is loaded). */
HearthProvider *
open_provider_maybe_history (GSettings     *settings,
                             HearthEngine **engine,
                             GError       **error)
{
  if ((*engine = open_engine_full (settings, HEARTH_ENGINE_HISTORY, TRUE, error)) == NULL)
    return NULL;
  return hearth_engine_resolve_server (*engine, opt_server, opt_endpoint, opt_api, error);
}

static gboolean
on_interrupt (gpointer user_data)
{
  Cli *cli = user_data;

  cli->interrupted = TRUE;
  if (cli->reply != NULL)
    hearth_reply_cancel (cli->reply);
  /* every answer of a compare or an ensemble, and its judge */
  if (cli->set != NULL)
    hearth_answer_set_cancel (cli->set);
  if (cli->cancellable != NULL)
    g_cancellable_cancel (cli->cancellable);
  return G_SOURCE_CONTINUE;
}

/* Until the command's callback quits; Ctrl+C cancels what is under way. */
void
run_loop (Cli *cli)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  guint sources[] = {
    g_unix_signal_add (SIGINT, on_interrupt, cli),
    g_unix_signal_add (SIGTERM, on_interrupt, cli),
    g_unix_signal_add (SIGHUP, on_interrupt, cli),
  };

  cli->loop = loop;
  g_main_loop_run (loop);
  cli->loop = NULL;
  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    g_source_remove (sources[i]);
}

/* The callback of an engine call run with run_loop(): its _finish comes after. */
void
keep_result (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Cli *cli = user_data;

  g_set_object (&cli->result, result);
  g_main_loop_quit (cli->loop);
}

/* JSON is UTF-8 whatever the history holds: a byte that is not becomes U+FFFD. */
void
print_json_text (const char *text)
{
  g_autofree char *valid = g_utf8_validate (text, -1, NULL) ? NULL : g_utf8_make_valid (text, -1);

  output_write (OUTPUT_STDOUT, valid != NULL ? valid : text, -1);
}

void
print_json (JsonNode *root)
{
  g_autofree char *text = hearth_json_to_string (root, output_is_terminal (OUTPUT_STDOUT));

  print_json_text (text);
  output_write (OUTPUT_STDOUT, "\n", 1);
}

/* Prints @items as a JSON array of objects, each filled in by @add_item. */
void
print_json_list (GPtrArray         *items,
                 HearthJsonAddFunc  add_item)
{
  g_autoptr(JsonNode) root = hearth_json_array_of_objects (items, add_item);

  print_json (root);
}

/* Prints @item as one JSON object, filled in by @add_item. */
void
print_json_object (gpointer           item,
                   HearthJsonAddFunc  add_item)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  add_item (builder, item);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  print_json (root);
}

char *
format_time (gint64 ms)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (ms / 1000);
  g_autoptr(GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;

  /* Translators: a date and time in a table, see g_date_time_format() */
  return local ? g_date_time_format (local, _("%Y-%m-%d %H:%M")) : g_strdup ("?");
}

/* An unknown figure prints as an empty field. */
char *
format_figure (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (value < 0)
    return g_strdup ("");
  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.1f", value));
}

/* A session bus that is there: never one started for this (GLib would
 * autolaunch one under X11 without DBUS_SESSION_BUS_ADDRESS). */
gboolean
hearth_cli_has_session_bus (void)
{
  g_autofree char *socket = NULL;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") != NULL)
    return TRUE;
  socket = g_build_filename (g_get_user_runtime_dir (), "bus", NULL);
  return g_file_test (socket, G_FILE_TEST_EXISTS);
}

/* Whether the Hearth app runs in this desktop session (it owns its name) */
gboolean
hearth_cli_app_is_running (void)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  if (!hearth_cli_has_session_bus () ||
      (bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL)) == NULL)
    return FALSE;
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", APP_ID), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, 2000, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}
