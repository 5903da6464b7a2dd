/* hearth-cli.c — the headless Hearth: same engine, no GTK
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include "hearth-bench.h"
#include "hearth-endpoint.h"
#include "hearth-engine.h"
#include "hearth-catalog.h"
#include "hearth-error.h"
#include "hearth-json.h"
#include "hearth-metrics.h"
#include "hearth-ollama-provider.h"
#include "hearth-resource-history.h"
#include "hearth-secrets.h"

#define EXIT_USAGE       2
#define EXIT_INTERRUPTED 130

typedef struct
{
  GMainLoop   *loop;
  HearthReply *reply;
  GCancellable *cancellable;
  gboolean     interrupted;
  gboolean     json;
  gboolean     wrote_text;
  gboolean     ended_with_newline;
  int          exit_code;
  /* pull */
  gint64       pull_started_us;
  gint64       last_report_us;
  gint64       last_completed;
  char        *last_status;
  /* bench */
  HearthBenchResult *bench_result;
  GError      *error;
} Cli;

static char   *opt_use;
static char   *opt_endpoint;
static char   *opt_api;
static char   *opt_model;
static char   *opt_system;
static gint64  opt_conversation = -1;
static double  opt_temperature = NAN;
static gint64  opt_seed = G_MININT64;
static gboolean opt_json;
static gboolean opt_no_cache;
static int     opt_timeout = 300;
static char   *opt_since;
static gboolean opt_csv;
static char   *opt_by;
static gboolean opt_summary;

static const GOptionEntry server_entries[] = {
  { "endpoint", 0, 0, G_OPTION_ARG_STRING, &opt_endpoint,
    N_("The server: host, host:port or http://host:port"), "URL" },
  { "api", 0, 0, G_OPTION_ARG_STRING, &opt_api,
    N_("The server's API: ollama or openai"), "KIND" },
  { "timeout", 0, 0, G_OPTION_ARG_INT, &opt_timeout,
    N_("Give up when the server is silent this long (default 300)"), "SECONDS" },
  { NULL }
};

static const GOptionEntry json_entries[] = {
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, N_("Print JSON"), NULL },
  { NULL }
};

static const GOptionEntry ask_entries[] = {
  { "model", 'm', 0, G_OPTION_ARG_STRING, &opt_model, N_("The model to ask"), "NAME" },
  { "system", 0, 0, G_OPTION_ARG_STRING, &opt_system, N_("A system prompt"), "TEXT" },
  { "conversation", 'c', 0, G_OPTION_ARG_INT64, &opt_conversation,
    N_("Continue this conversation"), "ID" },
  { "temperature", 't', 0, G_OPTION_ARG_DOUBLE, &opt_temperature,
    N_("Sampling temperature"), "T" },
  { "seed", 0, 0, G_OPTION_ARG_INT64, &opt_seed, N_("Sampling seed"), "N" },
  { "no-cache", 0, 0, G_OPTION_ARG_NONE, &opt_no_cache,
    N_("Generate a fresh answer, even for a question asked before"), NULL },
  { NULL }
};

/* Every failure ends here: one line, what happened and what to do. */
static int
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
      g_printerr ("hearth-cli: %s.\n", text);
      return 1;
    }
  g_printerr ("hearth-cli: %s\n", line);
  return hearth_error_exit_code (error);
}

static int
usage_error (const char *command,
             const char *message)
{
  g_printerr ("hearth-cli: %s. Run “hearth-cli %s --help” for usage.\n", message, command);
  return EXIT_USAGE;
}

static gboolean
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

  g_option_context_set_help_enabled (context, TRUE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (server)
    g_option_context_add_main_entries (context, server_entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, json_entries, GETTEXT_PACKAGE);
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
  if (opt_timeout <= 0)
    {
      *exit_code = usage_error (command, "--timeout needs a number of seconds above 0");
      return FALSE;
    }
  return TRUE;
}

static gboolean
resolve_server (GSettings      *settings,
                HearthApiKind  *api,
                char          **endpoint,
                GError        **error)
{
  g_autofree char *stored_api = settings ? g_settings_get_string (settings, "api-kind") : NULL;
  const char *api_name = opt_api ? opt_api : stored_api;

  *api = HEARTH_API_OLLAMA;
  if (api_name != NULL && *api_name != '\0' && !hearth_api_kind_from_string (api_name, api))
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   "“%s” is not an API Hearth speaks: use ollama or openai", api_name);
      return FALSE;
    }
  *endpoint = hearth_endpoint_resolve (opt_endpoint, *api, settings, error);
  return *endpoint != NULL;
}

/* A broken cache never stops a question: Hearth answers without it. */
static void
attach_cache (HearthEngine *engine,
              GSettings    *settings)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthCache) cache = NULL;
  g_autofree char *path = NULL;
  guint64 max_mb = settings ? g_settings_get_int (settings, "cache-max-mb") : 256;
  gint64 ttl_days = settings ? g_settings_get_int (settings, "cache-ttl-days") : 30;

  if (settings != NULL && !g_settings_get_boolean (settings, "cache-enabled"))
    return;
  path = hearth_cache_default_path ();
  cache = hearth_cache_open (path, max_mb * 1024 * 1024, 32 * 1024 * 1024,
                             ttl_days * 24 * 3600, &error);
  if (cache == NULL)
    {
      g_printerr ("hearth-cli: %s. Answering without the cache.\n", error->message);
      return;
    }
  if (hearth_cache_get_warning (cache) != NULL)
    g_printerr ("hearth-cli: %s\n", hearth_cache_get_warning (cache));
  hearth_engine_set_cache (engine, cache,
                           settings && g_settings_get_boolean (settings, "cache-all-requests"));
}

static HearthEngine *
new_engine (gboolean   with_store,
            GError   **error)
{
  g_autoptr(HearthStore) store = NULL;
  HearthEngine *engine;

  if (with_store)
    {
      g_autofree char *path = hearth_store_default_path ();

      store = hearth_store_open (path, error);
      if (store == NULL)
        return NULL;
    }
  engine = hearth_engine_new (store);
  hearth_engine_set_timeout (engine, opt_timeout);
  return engine;
}

/* The keyring's key for this endpoint. No Secret Service at all is the normal
 * state of a headless machine: silent. Anything else is said, once. */
static char *
lookup_stored_key (const char *endpoint)
{
  g_autoptr(GError) error = NULL;
  char *key = hearth_secrets_lookup_sync (endpoint, NULL, &error);

  if (error != NULL && !g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_KEYRING_UNAVAILABLE))
    {
      g_autofree char *line = hearth_error_describe (error);

      g_printerr ("hearth-cli: %s\n", line);
    }
  return key;
}

/* API keys come from the environment or the Secret Service, never argv. */
static void
apply_api_key (HearthProvider *provider,
               const char     *endpoint)
{
  const char *key = g_getenv ("HEARTH_API_KEY");
  char *stored = NULL;

  if ((key == NULL || *key == '\0') && hearth_provider_get_api (provider) == HEARTH_API_OPENAI)
    key = g_getenv ("OPENAI_API_KEY");
  if (key == NULL || *key == '\0')
    key = stored = lookup_stored_key (endpoint);
  if (key != NULL && *key != '\0')
    hearth_provider_set_api_key (provider, key);
  hearth_secrets_free (stored);
}

/* The server a command talks to: options, environment, settings, defaults. */
static HearthProvider *
open_provider (GSettings      *settings,
               gboolean        with_store,
               HearthEngine  **engine,
               GError        **error)
{
  g_autofree char *endpoint = NULL;
  HearthProvider *provider;
  HearthApiKind api;

  if (!resolve_server (settings, &api, &endpoint, error))
    return NULL;
  if ((*engine = new_engine (with_store, error)) == NULL)
    return NULL;
  provider = hearth_engine_get_provider (*engine, api, endpoint);
  apply_api_key (provider, endpoint);
  return provider;
}

static gboolean
on_interrupt (gpointer user_data)
{
  Cli *cli = user_data;

  cli->interrupted = TRUE;
  if (cli->reply != NULL)
    hearth_reply_cancel (cli->reply);
  if (cli->cancellable != NULL)
    g_cancellable_cancel (cli->cancellable);
  return G_SOURCE_CONTINUE;
}

/* Until the command's callback quits; Ctrl+C cancels what is under way. */
static void
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

/* ask */

static void
on_ask_delta (HearthReply *reply,
              const char  *content,
              const char  *thinking,
              Cli         *cli)
{
  gsize len;

  if (cli->json || content == NULL)
    return;
  len = strlen (content);
  fwrite (content, 1, len, stdout);
  fflush (stdout);
  cli->wrote_text = TRUE;
  cli->ended_with_newline = len > 0 && content[len - 1] == '\n';
}

static void
on_ask_finished (HearthReply *reply,
                 Cli         *cli)
{
  g_main_loop_quit (cli->loop);
}

static void
print_json (JsonNode *root)
{
  g_autofree char *text = hearth_json_to_string (root, isatty (STDOUT_FILENO));

  g_print ("%s\n", text);
}

/* Prints @items as a JSON array of objects, each filled in by @add_item. */
static void
print_json_list (GPtrArray         *items,
                 HearthJsonAddFunc  add_item)
{
  g_autoptr(JsonNode) root = hearth_json_array_of_objects (items, add_item);

  print_json (root);
}

static const char *
reply_state_name (HearthReply *reply)
{
  GEnumClass *klass = g_type_class_ref (HEARTH_TYPE_REPLY_STATE);
  GEnumValue *value = g_enum_get_value (klass, hearth_reply_get_state (reply));

  g_type_class_unref (klass);
  return value ? value->value_nick : NULL;
}

static void
print_reply_json (HearthReply *reply)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  const HearthFigures *figures = hearth_reply_get_figures (reply);
  const GError *error = hearth_reply_get_error (reply);
  const char *thinking = hearth_reply_get_thinking (reply);

  json_builder_begin_object (builder);
  hearth_json_add_string (builder, "content", hearth_reply_get_content (reply));
  if (thinking != NULL && *thinking != '\0')
    hearth_json_add_string (builder, "thinking", thinking);
  hearth_json_add_string (builder, "model", hearth_reply_get_model (reply));
  hearth_json_add_string (builder, "endpoint", hearth_reply_get_endpoint (reply));
  hearth_json_add_string (builder, "api", hearth_api_kind_to_string (hearth_reply_get_api (reply)));
  hearth_json_add_int (builder, "conversation_id", hearth_reply_get_conversation_id (reply));
  hearth_json_add_int (builder, "message_id", hearth_reply_get_message_id (reply));
  hearth_json_add_double (builder, "ttft_ms", figures->ttft_ms);
  hearth_json_add_double (builder, "total_ms", figures->total_ms);
  hearth_json_add_int (builder, "tokens_in", figures->tokens_in);
  hearth_json_add_int (builder, "tokens_out", figures->tokens_out);
  hearth_json_add_double (builder, "tokens_per_s", figures->tokens_per_s);
  hearth_json_add_double (builder, "load_ms", figures->load_ms);
  hearth_json_add_string (builder, "done_reason", hearth_reply_get_done_reason (reply));
  hearth_json_add_string (builder, "figures_from", figures->from_server ? "server" : "client");
  hearth_json_add_string (builder, "state", reply_state_name (reply));
  json_builder_set_member_name (builder, "cached");
  json_builder_add_boolean_value (builder, hearth_reply_get_cached (reply));
  if (hearth_reply_get_cached (reply))
    hearth_json_add_double (builder, "time_saved_ms", hearth_reply_get_time_saved_ms (reply));
  if (error != NULL)
    {
      g_autofree char *line = hearth_error_describe (error);
      hearth_json_add_string (builder, "error", line);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  print_json (root);
}

static char *
read_prompt (int      argc,
             char   **argv,
             GError **error)
{
  g_autoptr(GIOChannel) channel = NULL;
  char *text = NULL;
  gsize len;

  if (argc == 3 && g_str_equal (argv[2], "-"))
    {
      channel = g_io_channel_unix_new (STDIN_FILENO);
      g_io_channel_set_encoding (channel, NULL, NULL);
      if (g_io_channel_read_to_end (channel, &text, &len, error) != G_IO_STATUS_NORMAL)
        return NULL;
      return text;
    }
  return g_strjoinv (" ", argv + 2);
}

static gboolean
prompt_is_blank (const char *prompt)
{
  for (const char *p = prompt; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

static HearthChatRequest *
build_request (char      *prompt,
               GSettings *settings)
{
  HearthChatRequest *request = hearth_chat_request_new ();
  g_autofree char *stored_model = settings ? g_settings_get_string (settings, "default-model")
                                           : NULL;

  request->model = g_strdup (opt_model ? opt_model
                             : (stored_model && *stored_model ? stored_model : NULL));
  request->system = g_strdup (opt_system);
  request->temperature = opt_temperature;
  if (opt_seed != G_MININT64)
    {
      request->has_seed = TRUE;
      request->seed = opt_seed;
    }
  request->bypass_cache = opt_no_cache;
  hearth_chat_request_add_message (request, "user", prompt);
  return request;
}

static int
finish_ask (Cli *cli)
{
  HearthReply *reply = cli->reply;
  const GError *error = hearth_reply_get_error (reply);

  if (!cli->json && cli->wrote_text && !cli->ended_with_newline && isatty (STDOUT_FILENO))
    g_print ("\n");
  if (cli->json)
    print_reply_json (reply);
  if (error == NULL)
    return 0;
  if (cli->interrupted)
    {
      g_printerr ("hearth-cli: Interrupted. The reply so far was kept in conversation %"
                  G_GINT64_FORMAT ".\n", hearth_reply_get_conversation_id (reply));
      return EXIT_INTERRUPTED;
    }
  return fail (error);
}

static int
command_ask (int    argc,
             char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prompt = NULL;
  HearthProvider *provider;
  Cli cli = { 0 };
  int exit_code = 0;

  if (!parse_options ("ask", "PROMPT | -", ask_entries, TRUE, &argc, &argv, &exit_code))
    return exit_code;
  if (argc < 3)
    return usage_error ("ask", "Say what to ask: hearth-cli ask \"why is the sky blue?\"");
  if ((prompt = read_prompt (argc, argv, &error)) == NULL)
    return fail (error);
  if (prompt_is_blank (prompt))
    return usage_error ("ask", "The prompt is empty");
  if ((provider = open_provider (settings, TRUE, &engine, &error)) == NULL)
    return fail (error);
  attach_cache (engine, settings);

  cli.json = opt_json;
  cli.reply = hearth_engine_chat (engine, provider, build_request (prompt, settings),
                                  opt_conversation, &error);
  if (cli.reply == NULL)
    return fail (error);

  g_signal_connect (cli.reply, "delta", G_CALLBACK (on_ask_delta), &cli);
  g_signal_connect (cli.reply, "finished", G_CALLBACK (on_ask_finished), &cli);
  if (!hearth_reply_is_finished (cli.reply))
    run_loop (&cli);

  exit_code = finish_ask (&cli);
  g_clear_object (&cli.reply);
  return exit_code;
}

/* models */

static void
add_model_json (JsonBuilder     *builder,
                HearthModelInfo *info)
{
  hearth_json_add_string (builder, "name", info->name);
  hearth_json_add_int (builder, "size", info->size);
  hearth_json_add_string (builder, "parameter_size", info->parameter_size);
  hearth_json_add_string (builder, "quantization", info->quantization);
  hearth_json_add_string (builder, "family", info->family);
  hearth_json_add_string (builder, "digest", info->digest);
}

static void
models_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = hearth_provider_list_models_finish (HEARTH_PROVIDER (object),
                                                                    result, &error);

  g_main_loop_quit (cli->loop);
  if (models == NULL)
    {
      cli->exit_code = fail (error);
      return;
    }

  if (cli->json)
    {
      print_json_list (models, (HearthJsonAddFunc) add_model_json);
      return;
    }

  if (models->len == 0)
    {
      g_printerr ("hearth-cli: The server has no models. Pull one with hearth-cli pull MODEL.\n");
      return;
    }
  g_print ("%-40s %10s %11s %s\n", "NAME", "SIZE", "PARAMETERS", "QUANTIZATION");
  for (guint i = 0; i < models->len; i++)
    {
      HearthModelInfo *info = g_ptr_array_index (models, i);
      g_autofree char *size = info->size >= 0 ? g_format_size (info->size) : g_strdup ("—");

      g_print ("%-40s %10s %11s %s\n", info->name, size,
               info->parameter_size ? info->parameter_size : "—",
               info->quantization ? info->quantization : "—");
    }
}

static int
command_models (int    argc,
                char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  HearthProvider *provider;
  Cli cli = { 0 };
  int exit_code = 0;

  if (!parse_options ("models", NULL, NULL, TRUE, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 2)
    return usage_error ("models", "models takes no arguments");
  if ((provider = open_provider (settings, FALSE, &engine, &error)) == NULL)
    return fail (error);

  cli.json = opt_json;
  cli.cancellable = g_cancellable_new ();
  hearth_provider_list_models_async (provider, cli.cancellable, models_cb, &cli);
  run_loop (&cli);
  g_clear_object (&cli.cancellable);
  return cli.exit_code;
}

/* pull */

static char *
format_eta (double seconds)
{
  guint s = (guint) seconds;

  if (s >= 3600)
    return g_strdup_printf ("%u:%02u:%02u", s / 3600, (s / 60) % 60, s % 60);
  return g_strdup_printf ("%u:%02u", s / 60, s % 60);
}

static void
on_pull_progress (const char *status,
                  gint64      completed,
                  gint64      total,
                  gpointer    user_data)
{
  Cli *cli = user_data;
  gint64 now = g_get_monotonic_time ();
  gboolean tty = isatty (STDERR_FILENO);
  double elapsed = (now - cli->pull_started_us) / 1e6;
  double speed = elapsed > 0 ? completed / elapsed : 0;
  g_autofree char *done = g_format_size (completed);
  g_autofree char *all = total > 0 ? g_format_size (total) : g_strdup ("?");
  g_autofree char *rate = g_format_size ((guint64) speed);
  g_autofree char *eta = NULL;

  if (g_str_has_prefix (status, "pulling ") && !g_str_equal (status, "pulling manifest") && total > 0)
    {
      /* At most four lines a second, and one per status on a pipe. */
      if (now - cli->last_report_us < 250000 && completed < total)
        return;
      if (!tty && now - cli->last_report_us < 1000000 && completed < total)
        return;
      cli->last_report_us = now;
      eta = speed > 0 ? format_eta ((total - completed) / speed) : g_strdup ("?");
      g_printerr ("%spulling %5.1f%%  %s / %s  %s/s  ETA %s%s", tty ? "\r\033[K" : "",
                  100.0 * completed / total, done, all, rate, eta, tty ? "" : "\n");
      return;
    }
  if (g_strcmp0 (cli->last_status, status) == 0)
    return;
  hearth_set_str (&cli->last_status, status);
  g_printerr ("%s%s\n", tty && cli->last_report_us ? "\r\033[K" : "", status);
}

static void
pull_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;

  g_main_loop_quit (cli->loop);
  if (hearth_ollama_provider_pull_finish (HEARTH_OLLAMA_PROVIDER (object), result, &error))
    return;
  if (cli->interrupted)
    {
      g_printerr ("\nhearth-cli: Interrupted. Pull the model again to resume.\n");
      cli->exit_code = EXIT_INTERRUPTED;
      return;
    }
  cli->exit_code = fail (error);
}

static int
command_pull (int    argc,
              char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  HearthProvider *provider;
  Cli cli = { 0 };
  int exit_code = 0;

  if (!parse_options ("pull", "MODEL", NULL, TRUE, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 3)
    return usage_error ("pull", "Name one model to pull, for example llama3.2:1b");
  if ((provider = open_provider (settings, FALSE, &engine, &error)) == NULL)
    return fail (error);
  if (!HEARTH_IS_OLLAMA_PROVIDER (provider))
    return usage_error ("pull", "Only Ollama servers can pull models: use --api ollama");

  cli.cancellable = g_cancellable_new ();
  cli.pull_started_us = g_get_monotonic_time ();
  hearth_ollama_provider_pull_async (HEARTH_OLLAMA_PROVIDER (provider), argv[2],
                                     on_pull_progress, &cli, cli.cancellable, pull_cb, &cli);
  run_loop (&cli);
  g_clear_object (&cli.cancellable);
  g_free (cli.last_status);
  return cli.exit_code;
}

/* history */

static gboolean
parse_id (const char *text,
          gint64     *id)
{
  return g_ascii_string_to_signed (text, 10, 1, G_MAXINT64, id, NULL);
}


static char *
format_time (gint64 ms)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (ms / 1000);
  g_autoptr(GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;

  return local ? g_date_time_format (local, "%Y-%m-%d %H:%M") : g_strdup ("?");
}

static void
add_conversation_json (JsonBuilder        *builder,
                       HearthConversation *c)
{
  hearth_json_add_int (builder, "id", c->id);
  hearth_json_add_string (builder, "title", c->title);
  hearth_json_add_int (builder, "created_ms", c->created_ms);
  hearth_json_add_int (builder, "updated_ms", c->updated_ms);
  hearth_json_add_int (builder, "messages", c->n_messages);
}

static int
history_list (HearthStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) conversations = hearth_store_list_conversations (store, &error);

  if (conversations == NULL)
    return fail (error);
  if (opt_json)
    {
      print_json_list (conversations, (HearthJsonAddFunc) add_conversation_json);
      return 0;
    }
  if (conversations->len == 0)
    {
      g_printerr ("hearth-cli: No conversations yet. Start one with hearth-cli ask \"…\".\n");
      return 0;
    }
  for (guint i = 0; i < conversations->len; i++)
    {
      HearthConversation *c = g_ptr_array_index (conversations, i);
      g_autofree char *when = format_time (c->updated_ms);

      g_print ("%6" G_GINT64_FORMAT "  %s  %3" G_GINT64_FORMAT " msgs  %s\n",
               c->id, when, c->n_messages, c->title);
    }
  return 0;
}

static void
add_message_json (JsonBuilder   *builder,
                  HearthMessage *m)
{
  json_builder_begin_object (builder);
  hearth_json_add_int (builder, "id", m->id);
  hearth_json_add_string (builder, "role", m->role);
  hearth_json_add_string (builder, "content", m->content);
  if (m->thinking != NULL && *m->thinking != '\0')
    hearth_json_add_string (builder, "thinking", m->thinking);
  hearth_json_add_string (builder, "model", m->model);
  hearth_json_add_string (builder, "endpoint", m->endpoint);
  hearth_json_add_string (builder, "api", m->api);
  hearth_json_add_string (builder, "state", hearth_message_state_to_string (m->state));
  hearth_json_add_string (builder, "error", m->error);
  hearth_json_add_string (builder, "done_reason", m->done_reason);
  hearth_json_add_int (builder, "created_ms", m->created_ms);
  hearth_json_add_double (builder, "ttft_ms", m->figures.ttft_ms);
  hearth_json_add_double (builder, "total_ms", m->figures.total_ms);
  hearth_json_add_int (builder, "tokens_in", m->figures.tokens_in);
  hearth_json_add_int (builder, "tokens_out", m->figures.tokens_out);
  hearth_json_add_double (builder, "tokens_per_s", m->figures.tokens_per_s);
  json_builder_end_object (builder);
}

static void
print_message (HearthMessage *m)
{
  g_autofree char *when = format_time (m->created_ms);
  gboolean assistant = g_strcmp0 (m->role, "assistant") == 0;

  g_print ("── %s%s%s%s · %s", assistant ? "Assistant" : "You",
           assistant && m->model ? " (" : "", assistant && m->model ? m->model : "",
           assistant && m->model ? ")" : "", when);
  if (m->state != HEARTH_MESSAGE_COMPLETE)
    g_print (" · %s", hearth_message_state_to_string (m->state));
  if (assistant && m->figures.tokens_per_s > 0)
    g_print (" · %.1f tokens/s", m->figures.tokens_per_s);
  g_print ("\n%s\n", m->content ? m->content : "");
  if (m->error != NULL)
    g_print ("(%s)\n", m->error);
  g_print ("\n");
}

static int
history_show (HearthStore *store,
              const char  *id_text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthConversation) conversation = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  gint64 id;

  if (!parse_id (id_text, &id))
    return usage_error ("history", "history show needs a conversation number");
  conversation = hearth_store_get_conversation (store, id, &error);
  if (conversation == NULL)
    return fail (error);
  messages = hearth_store_list_messages (store, id, 0, 0, &error);
  if (messages == NULL)
    return fail (error);

  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      hearth_json_add_int (builder, "id", conversation->id);
      hearth_json_add_string (builder, "title", conversation->title);
      hearth_json_add_int (builder, "created_ms", conversation->created_ms);
      json_builder_set_member_name (builder, "messages");
      json_builder_begin_array (builder);
      for (guint i = 0; i < messages->len; i++)
        add_message_json (builder, g_ptr_array_index (messages, i));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      print_json (root);
      return 0;
    }
  g_print ("%s\n\n", conversation->title);
  for (guint i = 0; i < messages->len; i++)
    print_message (g_ptr_array_index (messages, i));
  return 0;
}

static void
add_hit_json (JsonBuilder     *builder,
              HearthSearchHit *hit)
{
  hearth_json_add_int (builder, "conversation_id", hit->conversation_id);
  hearth_json_add_int (builder, "message_id", hit->message_id);
  hearth_json_add_string (builder, "title", hit->conversation_title);
  hearth_json_add_string (builder, "role", hit->role);
  hearth_json_add_string (builder, "snippet", hit->snippet);
  hearth_json_add_int (builder, "created_ms", hit->created_ms);
}

static int
history_search (HearthStore *store,
                const char  *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = hearth_store_search (store, query, 50, &error);

  if (hits == NULL)
    return fail (error);
  if (opt_json)
    {
      print_json_list (hits, (HearthJsonAddFunc) add_hit_json);
      return 0;
    }
  if (hits->len == 0)
    {
      g_printerr ("hearth-cli: Nothing in the history matches “%s”.\n", query);
      return 0;
    }
  for (guint i = 0; i < hits->len; i++)
    {
      HearthSearchHit *hit = g_ptr_array_index (hits, i);
      g_autofree char *snippet = g_strdup (hit->snippet);

      g_strdelimit (snippet, "\r\n", ' ');
      g_print ("%6" G_GINT64_FORMAT "  %-9s %s\n        %s\n", hit->conversation_id, hit->role,
               hit->conversation_title, snippet);
    }
  return 0;
}

static int
history_rename (HearthStore  *store,
                char        **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *title = g_strstrip (g_strjoinv (" ", argv + 4));
  gint64 id;

  if (!parse_id (argv[3], &id))
    return usage_error ("history", "history rename needs a conversation number");
  if (*title == '\0')
    return usage_error ("history", "The new title is empty");
  if (!hearth_store_rename_conversation (store, id, title, &error))
    return fail (error);
  return 0;
}

static int
history_delete (HearthStore *store,
                const char  *id_text)
{
  g_autoptr(GError) error = NULL;
  gint64 id;

  if (!parse_id (id_text, &id))
    return usage_error ("history", "history delete needs a conversation number");
  if (!hearth_store_delete_conversation (store, id, &error))
    return fail (error);
  return 0;
}

#define HISTORY_USAGE "Use history list, show ID, search TEXT, rename ID TITLE or delete ID"

static gboolean
history_args_valid (const char *sub,
                    int         argc)
{
  if (g_str_equal (sub, "list"))
    return argc <= 3;
  if (g_str_equal (sub, "show") || g_str_equal (sub, "delete"))
    return argc == 4;
  if (g_str_equal (sub, "search"))
    return argc >= 4;
  if (g_str_equal (sub, "rename"))
    return argc >= 5;
  return FALSE;
}

static int
command_history (int    argc,
                 char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = NULL;
  g_autofree char *path = NULL;
  const char *sub;
  int exit_code = 0;

  if (!parse_options ("history", "list | show ID | search TEXT | rename ID TITLE | delete ID",
                      NULL, FALSE, &argc, &argv, &exit_code))
    return exit_code;
  sub = argc > 2 ? argv[2] : "list";
  if (!history_args_valid (sub, argc))
    return usage_error ("history", HISTORY_USAGE);

  path = hearth_store_default_path ();
  if ((store = hearth_store_open (path, &error)) == NULL)
    return fail (error);
  if (g_str_equal (sub, "show"))
    return history_show (store, argv[3]);
  if (g_str_equal (sub, "rename"))
    return history_rename (store, argv);
  if (g_str_equal (sub, "delete"))
    return history_delete (store, argv[3]);
  if (g_str_equal (sub, "search"))
    {
      g_autofree char *query = g_strjoinv (" ", argv + 3);
      return history_search (store, query);
    }
  return history_list (store);
}

/* metrics */

static const GOptionEntry metrics_entries[] = {
  { "since", 0, 0, G_OPTION_ARG_STRING, &opt_since,
    N_("Requests in this window: 90s, 5m, 1h, 24h, 7d… (default 1h)"), "WINDOW" },
  { "model", 'm', 0, G_OPTION_ARG_STRING, &opt_model, N_("Only requests to this model"), "NAME" },
  { "csv", 0, 0, G_OPTION_ARG_NONE, &opt_csv, N_("Print CSV"), NULL },
  { "summary", 0, 0, G_OPTION_ARG_NONE, &opt_summary,
    N_("Print counts, success rate and percentiles per model and endpoint"), NULL },
  { "by", 0, 0, G_OPTION_ARG_STRING, &opt_by,
    N_("With --summary: one line per model, per endpoint, or per both (default)"),
    "model|endpoint" },
  { NULL }
};

static gboolean
parse_grouping (const char            *text,
                HearthMetricsGrouping *grouping)
{
  if (text == NULL)
    *grouping = HEARTH_METRICS_BY_MODEL_AND_ENDPOINT;
  else if (g_str_equal (text, "model"))
    *grouping = HEARTH_METRICS_BY_MODEL;
  else if (g_str_equal (text, "endpoint"))
    *grouping = HEARTH_METRICS_BY_ENDPOINT;
  else
    return FALSE;
  return TRUE;
}

static const char *
figures_source (const HearthMessage *m)
{
  return m->figures.from_server ? "server" : "client";
}

/* An unknown figure prints as an empty field. */
static char *
format_figure (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (value < 0)
    return g_strdup ("");
  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.1f", value));
}

static char *
format_count (gint64 value)
{
  return value < 0 ? g_strdup ("") : g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

static void
print_request_line (HearthMessage *m)
{
  g_autofree char *when = format_time (m->created_ms);
  g_autofree char *ttft = format_figure (m->figures.ttft_ms);
  g_autofree char *total = format_figure (m->figures.total_ms);
  g_autofree char *tokens = format_count (m->figures.tokens_out);
  g_autofree char *speed = format_figure (m->figures.tokens_per_s);

  g_print ("%s  %-20s %-26s %-9s %8s %9s %6s %8s  %s\n", when,
           m->model ? m->model : "?", m->endpoint ? m->endpoint : "?",
           hearth_message_state_to_string (m->state), ttft, total, tokens, speed,
           figures_source (m));
}

/* --csv and --json print what the Performance page exports, byte for byte. */
static HearthMetricsFormat
metrics_format (void)
{
  if (opt_csv)
    return HEARTH_METRICS_FORMAT_CSV;
  return isatty (STDOUT_FILENO) ? HEARTH_METRICS_FORMAT_JSON_PRETTY : HEARTH_METRICS_FORMAT_JSON;
}

static int
print_export (const char   *text,
              const GError *error)
{
  if (text == NULL)
    return fail (error);
  fputs (text, stdout);
  return 0;
}

static int
metrics_rows (HearthStore *store,
              gint64       since_ms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *text = NULL;

  if (opt_json || opt_csv)
    {
      text = hearth_metrics_export_rows (store, since_ms, opt_model, metrics_format (), &error);
      return print_export (text, error);
    }
  if ((rows = hearth_store_list_request_rows (store, since_ms, opt_model, &error)) == NULL)
    return fail (error);
  g_print ("%-16s  %-20s %-26s %-9s %8s %9s %6s %8s  %s\n", "time", "model", "endpoint",
           "outcome", "ttft ms", "total ms", "tokens", "tokens/s", "figures from");
  for (guint i = 0; i < rows->len; i++)
    print_request_line (g_ptr_array_index (rows, i));
  return 0;
}

/* NULL is an unknown model or endpoint, or under --by all of them. */
static const char *
group_label (const char *name,
             gboolean    grouped)
{
  return name != NULL ? name : grouped ? "?" : "(all)";
}

static void
print_group_line (HearthMetricsGroup    *g,
                  HearthMetricsGrouping  grouping)
{
  g_autofree char *t50 = format_figure (g->ttft_p50_ms);
  g_autofree char *t95 = format_figure (g->ttft_p95_ms);
  g_autofree char *t99 = format_figure (g->ttft_p99_ms);
  g_autofree char *a50 = format_figure (g->total_p50_ms);
  g_autofree char *a95 = format_figure (g->total_p95_ms);
  g_autofree char *a99 = format_figure (g->total_p99_ms);
  g_autofree char *speed = format_figure (g->median_tokens_per_s);
  /* none ended yet (all still streaming or stopped): no rate */
  g_autofree char *success = g->success_rate >= 0 ? g_strdup_printf ("%.1f%%", 100 * g->success_rate)
                                                  : g_strdup ("-");

  g_print ("%-20s %-26s %6u %8s  %s / %s / %s  %s / %s / %s  %s\n",
           group_label (g->model, grouping != HEARTH_METRICS_BY_ENDPOINT),
           group_label (g->endpoint, grouping != HEARTH_METRICS_BY_MODEL), g->count,
           success, t50, t95, t99, a50, a95, a99, speed);
}

static int
metrics_summary (HearthStore           *store,
                 gint64                 since_ms,
                 HearthMetricsGrouping  grouping)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autofree char *text = NULL;

  if (opt_json || opt_csv)
    {
      text = hearth_metrics_export_groups (store, since_ms, opt_model, grouping,
                                           metrics_format (), &error);
      return print_export (text, error);
    }
  groups = hearth_metrics_aggregate_by (store, since_ms, opt_model, grouping, &error);
  if (groups == NULL)
    return fail (error);
  g_print ("%-20s %-26s %6s %8s  %s  %s  %s\n", "model", "endpoint", "count", "success",
           "ttft ms p50 / p95 / p99", "total ms p50 / p95 / p99", "tokens/s");
  for (guint i = 0; i < groups->len; i++)
    print_group_line (g_ptr_array_index (groups, i), grouping);
  return 0;
}

static int
command_metrics (int    argc,
                 char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = NULL;
  g_autofree char *path = NULL;
  HearthMetricsGrouping grouping;
  gint64 window;
  int exit_code = 0;

  if (!parse_options ("metrics", NULL, metrics_entries, FALSE, &argc, &argv, &exit_code))
    return exit_code;
  if (!parse_grouping (opt_by, &grouping))
    return usage_error ("metrics", "--by takes model or endpoint");
  if (opt_by != NULL && !opt_summary)
    return usage_error ("metrics", "--by groups the summary: add --summary");
  if (argc > 2)
    return usage_error ("metrics", "metrics takes no arguments");
  if (opt_csv && opt_json)
    return usage_error ("metrics", "--csv and --json cannot go together: choose one");
  window = hearth_metrics_parse_since (opt_since != NULL ? opt_since : "1h", &error);
  if (window < 0)
    return usage_error ("metrics", error->message);

  path = hearth_store_default_path ();
  if ((store = hearth_store_open (path, &error)) == NULL)
    return fail (error);
  if (opt_summary)
    return metrics_summary (store, g_get_real_time () / 1000 - window, grouping);
  return metrics_rows (store, g_get_real_time () / 1000 - window);
}

/* resources */

static gboolean opt_now;

static const GOptionEntry resources_entries[] = {
  { "since", 0, 0, G_OPTION_ARG_STRING, &opt_since,
    N_("Use in this window: 5m, 1h, 24h, 7d, 90d… (default 1h)"), "WINDOW" },
  { "now", 0, 0, G_OPTION_ARG_NONE, &opt_now,
    N_("Read this machine now, over one second, instead of the stored history"), NULL },
  { NULL }
};

/* The unit a person reads; -1 is unknown. */
static char *
format_resource_bytes (gint64 bytes)
{
  if (bytes < 0)
    return g_strdup ("-");
  return g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
}

static char *
format_resource_percent (double percent)
{
  if (percent < 0)
    return g_strdup ("-");
  return g_strdup_printf ("%.1f%%", percent);
}

static void
add_resource_json (JsonBuilder             *builder,
                   const HearthResourceRow *row)
{
  json_builder_begin_object (builder);
  hearth_json_add_int (builder, "time_ms", row->time_ms);
  hearth_json_add_int (builder, "samples", row->n_samples);
  hearth_json_add_double (builder, "cpu_percent", row->cpu_percent);
  hearth_json_add_double (builder, "cpu_peak", row->cpu_peak);
  hearth_json_add_int (builder, "mem_total", row->mem_total);
  hearth_json_add_int (builder, "mem_used", row->mem_used);
  hearth_json_add_int (builder, "swap_used", row->swap_used);
  hearth_json_add_double (builder, "gpu_percent", row->gpu_percent);
  hearth_json_add_int (builder, "vram_total", row->vram_total);
  hearth_json_add_int (builder, "vram_used", row->vram_used);
  hearth_json_add_double (builder, "gpu_temperature_c", row->gpu_temperature_c);
  hearth_json_add_double (builder, "gpu_power_w", row->gpu_power_w);
  hearth_json_add_double (builder, "server_cpu_percent", row->server_cpu_percent);
  hearth_json_add_int (builder, "server_rss", row->server_rss);
  json_builder_end_object (builder);
}

static void
print_resource_line (const HearthResourceRow *row)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (row->time_ms / 1000);
  g_autofree char *time = g_date_time_format (when, "%Y-%m-%d %H:%M");
  g_autofree char *cpu = format_resource_percent (row->cpu_percent);
  g_autofree char *peak = format_resource_percent (row->cpu_peak);
  g_autofree char *mem = format_resource_bytes (row->mem_used);
  g_autofree char *swap = format_resource_bytes (row->swap_used);
  g_autofree char *gpu = format_resource_percent (row->gpu_percent);
  g_autofree char *vram = format_resource_bytes (row->vram_used);
  g_autofree char *server_cpu = format_resource_percent (row->server_cpu_percent);
  g_autofree char *server_rss = format_resource_bytes (row->server_rss);

  g_print ("%-16s %7" G_GINT64_FORMAT " %7s %7s %11s %11s %6s %11s %10s %11s\n", time,
           row->n_samples, cpu, peak, mem, swap, gpu, vram, server_cpu, server_rss);
}

/* One reading of this machine: CPU needs two, a second apart. */
static int
resources_now (void)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(HearthSampler) sampler = hearth_sampler_new ("/", 2);
  g_autofree char *endpoint = NULL;
  HearthResourceRow row;
  const HearthSample *sample;
  HearthApiKind api;

  if (resolve_server (settings, &api, &endpoint, NULL))
    hearth_sampler_set_server_port (sampler, hearth_endpoint_local_port (endpoint));
  hearth_sampler_sample (sampler);
  g_usleep (G_USEC_PER_SEC);
  sample = hearth_sampler_sample (sampler);

  hearth_resource_row_from_sample (&row, sample);
  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      add_resource_json (builder, &row);
      root = json_builder_get_root (builder);
      print_json (root);
      return 0;
    }
  {
    g_autofree char *mem = format_resource_bytes (row.mem_used);
    g_autofree char *mem_total = format_resource_bytes (row.mem_total);
    g_autofree char *swap = format_resource_bytes (row.swap_used);

    g_print ("CPU:           %.1f%% of %u cores\n", row.cpu_percent, sample->n_cores);
    g_print ("Memory used:   %s of %s; swap %s\n", mem, mem_total, swap);
  }
  if (row.gpu_percent >= 0 || row.vram_used >= 0)
    {
      g_autofree char *vram = format_resource_bytes (row.vram_used);
      g_autofree char *vram_total = format_resource_bytes (row.vram_total);

      g_print ("GPU:           %.0f%% busy", row.gpu_percent);
      if (row.gpu_temperature_c >= 0)
        g_print (", %.0f °C", row.gpu_temperature_c);
      if (row.gpu_power_w >= 0)
        g_print (", %.0f W", row.gpu_power_w);
      g_print ("\nVRAM used:     %s of %s\n", vram, vram_total);
    }
  else
    g_print ("GPU:           none found (NVML, nvidia-smi and /sys/class/drm were read)\n");
  if (sample->server_pid > 0)
    {
      g_autofree char *rss = format_resource_bytes (row.server_rss);

      g_print ("Server:        process %d, %.1f%% of one core, %s resident\n",
               sample->server_pid, row.server_cpu_percent, rss);
    }
  else
    g_print ("Server:        not found on this machine%s\n",
             endpoint != NULL ? " (or run by another user)" : "");
  return 0;
}

static int
command_resources (int    argc,
                   char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthResourceHistory) history = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GArray) rows = NULL;
  g_autofree char *path = NULL;
  gint64 window, bucket_ms;
  int exit_code = 0;

  if (!parse_options ("resources", NULL, resources_entries, TRUE, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 2)
    return usage_error ("resources", "resources takes no arguments");
  if (opt_now)
    return resources_now ();
  window = hearth_metrics_parse_since (opt_since != NULL ? opt_since : "1h", &error);
  if (window < 0)
    return usage_error ("resources", error->message);

  path = hearth_store_default_path ();
  if ((store = hearth_store_open (path, &error)) == NULL)
    return fail (error);
  history = hearth_resource_history_new (store);
  if ((settings = hearth_settings_try_new ()) != NULL)
    {
      hearth_resource_history_set_minute_days (history,
                                               g_settings_get_int (settings, "samples-minute-days"));
      hearth_resource_history_set_hour_days (history,
                                             g_settings_get_int (settings, "samples-hour-days"));
    }
  /* minutes while they are kept, hours beyond */
  bucket_ms = window <= (gint64) hearth_resource_history_get_minute_days (history) * 24 * 3600 * 1000
              ? 60 * 1000 : 3600 * 1000;
  rows = hearth_resource_history_list (history, g_get_real_time () / 1000 - window, bucket_ms,
                                       &error);
  if (rows == NULL)
    return fail (error);

  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < rows->len; i++)
        add_resource_json (builder, &g_array_index (rows, HearthResourceRow, i));
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      print_json (root);
      return 0;
    }
  if (rows->len == 0)
    {
      g_print ("No resource samples in this window: Hearth keeps them while the app runs "
               "(every 10 s, every second on its Performance page).\n");
      return 0;
    }
  g_print ("%-16s %7s %7s %7s %11s %11s %6s %11s %10s %11s\n", "time", "samples", "cpu",
           "peak", "memory", "swap", "gpu", "vram", "server cpu", "server rss");
  for (guint i = 0; i < rows->len; i++)
    print_resource_line (&g_array_index (rows, HearthResourceRow, i));
  return 0;
}

/* bench */

static int opt_runs = HEARTH_BENCH_DEFAULT_RUNS;

static const GOptionEntry bench_entries[] = {
  { "model", 'm', 0, G_OPTION_ARG_STRING, &opt_model,
    N_("The model to measure (default: the default model, else the server's first); "
       "with list, only its runs"), "NAME" },
  { "runs", 'n', 0, G_OPTION_ARG_INT, &opt_runs,
    N_("Runs of the prompt set after the warm-up (default 3)"), "N" },
  { NULL }
};

static void
on_bench_progress (HearthBench *bench,
                   guint        done,
                   guint        total,
                   const char  *label,
                   Cli         *cli)
{
  if (isatty (STDERR_FILENO))
    g_printerr ("\r\033[K[%u/%u] %s", done, total, label);
  else
    g_printerr ("hearth-cli: [%u/%u] %s\n", done, total, label);
}

static void
bench_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Cli *cli = user_data;

  cli->bench_result = hearth_bench_run_finish (HEARTH_BENCH (object), result, &cli->error);
  g_main_loop_quit (cli->loop);
}

static char *
format_figure_with_spread (double median,
                           double min,
                           double max)
{
  if (median < 0)
    return g_strdup ("unknown");
  return g_strdup_printf ("%.1f (min %.1f, max %.1f)", median, min, max);
}

static char *
format_peak_bytes (gint64 bytes)
{
  return bytes < 0 ? g_strdup ("not measured") : g_format_size (bytes);
}

static void
print_bench_comparison (const HearthBenchResult *r)
{
  g_autofree char *when = NULL;

  if (r->previous_id <= 0)
    {
      g_print ("No earlier run of this model with these options on this machine "
               "to compare with.\n");
      return;
    }
  when = format_time (r->previous_created_ms);
  if (r->regression)
    g_print ("\n%sRegression: %.1f %% slower than run #%" G_GINT64_FORMAT " on %s%s\n\n",
             isatty (STDOUT_FILENO) ? "\033[1;31m" : "", -r->change_percent, r->previous_id,
             when, isatty (STDOUT_FILENO) ? "\033[0m" : "");
  else
    g_print ("Decode speed %+.1f %% against run #%" G_GINT64_FORMAT " on %s.\n",
             r->change_percent, r->previous_id, when);
}

/* "seed 42, temperature 0, num_ctx 2048, num_predict 32/160/32/160" */
static char *
format_bench_options (const char *options)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  JsonObject *o;
  JsonArray *predict;

  if (!json_parser_load_from_data (parser, options, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return g_strdup (options);
  o = json_node_get_object (json_parser_get_root (parser));
  g_string_append_printf (text,
                          "seed %" G_GINT64_FORMAT ", temperature %g, num_ctx %" G_GINT64_FORMAT,
                          json_object_get_int_member_with_default (o, "seed", -1),
                          json_object_get_double_member_with_default (o, "temperature", -1),
                          json_object_get_int_member_with_default (o, "num_ctx", -1));
  predict = json_object_get_array_member (o, "num_predict");
  for (guint i = 0; predict != NULL && i < json_array_get_length (predict); i++)
    g_string_append_printf (text, "%s%" G_GINT64_FORMAT, i == 0 ? ", num_predict " : "/",
                            json_array_get_int_element (predict, i));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
print_bench_load (const HearthBenchResult *r)
{
  if (r->already_loaded)
    g_print ("Load time:           none, the model was already in memory\n");
  else if (r->load_ms >= 0)
    g_print ("Load time:           %.1f ms\n", r->load_ms);
  else
    g_print ("Load time:           unknown\n");
}

static void
print_bench_result (const HearthBenchResult *r)
{
  g_autofree char *options = format_bench_options (r->options);
  g_autofree char *prompt = format_figure_with_spread (r->prompt_tps_median, r->prompt_tps_min,
                                                        r->prompt_tps_max);
  g_autofree char *decode = format_figure_with_spread (r->decode_tps_median, r->decode_tps_min,
                                                        r->decode_tps_max);
  g_autofree char *mem = format_peak_bytes (r->peak_mem_used);
  g_autofree char *vram = format_peak_bytes (r->peak_vram_used);
  g_autofree char *cpu = r->peak_cpu_percent < 0 ? g_strdup ("not measured")
                         : g_strdup_printf ("%.0f %%", r->peak_cpu_percent);

  if (r->digest != NULL)
    g_print ("Model:               %s (digest %.12s)\n", r->model, r->digest);
  else
    g_print ("Model:               %s\n", r->model);
  g_print ("Server:              %s (%s)\n", r->endpoint, r->api);
  g_print ("Hardware:            %s\n", r->hardware);
  g_print ("Options:             %s\n", options);
  g_print ("Runs:                %u, after a warm-up\n", r->runs);
  print_bench_load (r);
  g_print ("Time to first token: p50 %.1f ms, p95 %.1f ms\n", r->ttft_p50_ms, r->ttft_p95_ms);
  g_print ("Prompt tokens/s:     %s\n", prompt);
  g_print ("Decode tokens/s:     %s\n", decode);
  g_print ("Speeds timed by:     %s\n", r->figures_from ? r->figures_from : "unknown");
  g_print ("Peak CPU:            %s\n", cpu);
  g_print ("Peak memory used:    %s\n", mem);
  g_print ("Peak VRAM used:      %s\n", vram);
  print_bench_comparison (r);
  g_print ("Stored as benchmark run #%" G_GINT64_FORMAT ".\n", r->id);
}

static void
print_bench_json (const HearthBenchResult *r)
{
  g_autoptr(JsonNode) root = hearth_bench_result_to_json (r);

  print_json (root);
}

static HearthSampler *
start_sampler (HearthProvider *provider)
{
  HearthSampler *sampler = hearth_sampler_new ("/", 600);
  const char *endpoint = hearth_provider_get_endpoint (provider);

  hearth_sampler_set_server_port (sampler, hearth_endpoint_local_port (endpoint));
  hearth_sampler_start (sampler);
  return sampler;
}

static int
bench_end (Cli                *cli,
           HearthStore        *store,
           HearthBenchResult  *result)
{
  g_autoptr(GError) error = NULL;

  if (cli->interrupted)
    {
      g_printerr ("hearth-cli: Interrupted. The benchmark was cancelled and nothing was stored.\n");
      return EXIT_INTERRUPTED;
    }
  if (result == NULL)
    return fail (cli->error);
  if (!hearth_bench_result_save (store, result, &error))
    return fail (error);
  if (opt_json)
    print_bench_json (result);
  else
    print_bench_result (result);
  return 0;
}

static int
bench_run (GSettings *settings)
{
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthSampler) sampler = NULL;
  g_autoptr(HearthBench) bench = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *stored_model = settings ? g_settings_get_string (settings, "default-model")
                                           : NULL;
  const char *model = opt_model ? opt_model : stored_model;
  HearthProvider *provider;
  Cli cli = { 0 };
  int exit_code;

  if ((provider = open_provider (settings, TRUE, &engine, &error)) == NULL)
    return fail (error);

  sampler = start_sampler (provider);
  bench = hearth_bench_new (provider, model, opt_runs, sampler);
  g_signal_connect (bench, "progress", G_CALLBACK (on_bench_progress), &cli);
  cli.cancellable = cancellable;
  hearth_bench_run_async (bench, cancellable, bench_cb, &cli);
  run_loop (&cli);
  hearth_sampler_stop (sampler);
  if (isatty (STDERR_FILENO))
    g_printerr ("\r\033[K");

  exit_code = bench_end (&cli, hearth_engine_get_store (engine), cli.bench_result);
  g_clear_pointer (&cli.bench_result, hearth_bench_result_free);
  g_clear_error (&cli.error);
  return exit_code;
}

static void
print_bench_row (const HearthBenchResult *r)
{
  g_autofree char *when = format_time (r->created_ms);
  g_autofree char *load = format_figure (r->load_ms);
  g_autofree char *t50 = format_figure (r->ttft_p50_ms);
  g_autofree char *t95 = format_figure (r->ttft_p95_ms);
  g_autofree char *prompt = format_figure (r->prompt_tps_median);
  g_autofree char *decode = format_figure (r->decode_tps_median);
  g_autofree char *change = isnan (r->change_percent) ? g_strdup ("")
                            : g_strdup_printf ("%+.1f %%", r->change_percent);

  g_print ("%5" G_GINT64_FORMAT "  %s  %-20s %-9s %4u %9s %8s %8s %10s %10s %9s%s\n", r->id, when,
           r->model, hearth_bench_state_to_string (r->state), r->runs, load, t50, t95, prompt,
           decode, change, r->regression ? "  REGRESSION" : "");
}

static int
bench_list (GSettings *settings)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *path = hearth_store_default_path ();

  if ((store = hearth_store_open (path, &error)) == NULL ||
      (results = hearth_bench_list_results (store, opt_model, 0, &error)) == NULL)
    return fail (error);
  if (opt_json)
    {
      g_autoptr(JsonArray) array = json_array_new ();
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);

      for (guint i = 0; i < results->len; i++)
        json_array_add_element (array,
                                hearth_bench_result_to_json (g_ptr_array_index (results, i)));
      json_node_set_array (root, array);
      print_json (root);
      return 0;
    }
  g_print ("%5s  %-16s  %-20s %-9s %4s %9s %8s %8s %10s %10s %9s\n", "run", "time", "model",
           "state", "runs", "load ms", "ttft p50", "ttft p95", "prompt t/s", "decode t/s",
           "change");
  for (guint i = 0; i < results->len; i++)
    print_bench_row (g_ptr_array_index (results, i));
  return 0;
}

static int
command_bench (int    argc,
               char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  int exit_code = 0;

  if (!parse_options ("bench", "[list]", bench_entries, TRUE, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 3 || (argc == 3 && !g_str_equal (argv[2], "list")))
    return usage_error ("bench", "Use bench to measure a model, or bench list for the stored runs");
  if (opt_runs < 1 || opt_runs > 100)
    return usage_error ("bench", "--runs takes a number from 1 to 100");
  if (argc == 3)
    return bench_list (settings);
  return bench_run (settings);
}

/* hardware */

static void
add_score_json (JsonBuilder       *builder,
                const HearthScore *score)
{
  json_builder_set_member_name (builder, "score");
  json_builder_begin_object (builder);
  hearth_json_add_int (builder, "value", score->score);
  json_builder_set_member_name (builder, "reasons");
  json_builder_begin_array (builder);
  for (guint i = 0; i < score->reasons->len; i++)
    {
      const HearthScoreReason *reason = g_ptr_array_index (score->reasons, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "points");
      json_builder_add_int_value (builder, reason->points);
      hearth_json_add_string (builder, "text", reason->text);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static int
command_hardware (int    argc,
                  char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthHardware) hardware = NULL;
  g_autoptr(HearthScore) score = NULL;
  int exit_code = 0;

  if (!parse_options ("hardware", NULL, NULL, FALSE, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 2)
    return usage_error ("hardware", "hardware takes no arguments");
  if ((hardware = hearth_hardware_probe (NULL, TRUE, &error)) == NULL)
    return fail (error);
  score = hearth_hardware_score (hardware);

  if (opt_json)
    {
      g_autoptr(JsonNode) root = hearth_hardware_to_json (hardware);
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) score_node = NULL;

      json_builder_begin_object (builder);
      add_score_json (builder, score);
      json_builder_end_object (builder);
      score_node = json_builder_get_root (builder);
      json_object_set_member (json_node_get_object (root), "score",
                              json_node_ref (json_object_get_member (json_node_get_object (score_node),
                                                                     "score")));
      print_json (root);
      return 0;
    }
  {
    g_autofree char *report = hearth_hardware_to_markdown (hardware);

    g_print ("%s\n## Score: %d / 100\n\n", report, score->score);
    for (guint i = 0; i < score->reasons->len; i++)
      g_print ("- %s\n", ((HearthScoreReason *) g_ptr_array_index (score->reasons, i))->text);
  }
  return 0;
}

static const GOptionEntry recommend_entries[] = {
  { "use", 0, 0, G_OPTION_ARG_STRING, &opt_use,
    N_("What the model is for: chat, code or reasoning"), "USE" },
  { NULL }
};

static void
add_recommendation_json (JsonBuilder          *builder,
                         HearthRecommendation *r)
{
  hearth_json_add_string (builder, "tier", hearth_tier_to_string (r->tier));
  hearth_json_add_string (builder, "model", r->model->name);
  hearth_json_add_string (builder, "tag", r->quant->tag);
  hearth_json_add_string (builder, "quantization", r->quant->name);
  hearth_json_add_int (builder, "download_size", r->quant->size);
  hearth_json_add_string (builder, "placement", hearth_placement_to_string (r->fit->placement));
  hearth_json_add_int (builder, "memory_needed", r->fit->memory_needed);
  hearth_json_add_int (builder, "best_context", r->fit->best_context);
  hearth_json_add_double (builder, "tokens_per_s", r->fit->tokens_per_s);
  json_builder_set_member_name (builder, "tokens_per_s_measured");
  json_builder_add_boolean_value (builder, r->fit->measured);
  hearth_json_add_string (builder, "estimate_basis", r->fit->estimate_basis);
}

static void
print_recommendation (HearthRecommendation *r)
{
  g_autofree char *size = g_format_size (r->quant->size);
  g_autofree char *needed = g_format_size (r->fit->memory_needed);
  g_autofree char *speed = r->fit->measured
                           ? g_strdup_printf ("%.1f tokens/s (measured)", r->fit->tokens_per_s)
                           : r->fit->tokens_per_s > 0
                           ? g_strdup_printf ("~%.0f tokens/s (estimate)", r->fit->tokens_per_s)
                           : g_strdup ("no speed estimate");

  g_print ("%-13s %-34s %s download, needs %s, %s, %s\n", hearth_tier_to_string (r->tier),
           r->quant->tag, size, needed, hearth_placement_to_string (r->fit->placement), speed);
  g_print ("%-13s %s\n", "", r->fit->estimate_basis);
}

static int
command_recommend (int    argc,
                   char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthHardware) hardware = NULL;
  g_autoptr(GPtrArray) catalog = NULL;
  g_autoptr(GPtrArray) picks = NULL;
  HearthUse use = HEARTH_USE_CHAT;
  int exit_code = 0;

  if (!parse_options ("recommend", NULL, recommend_entries, FALSE, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 2)
    return usage_error ("recommend", "recommend takes no arguments");
  if (opt_use == NULL || g_str_equal (opt_use, "chat"))
    use = HEARTH_USE_CHAT;
  else if (g_str_equal (opt_use, "code"))
    use = HEARTH_USE_CODE;
  else if (g_str_equal (opt_use, "reasoning"))
    use = HEARTH_USE_REASONING;
  else
    return usage_error ("recommend", "--use takes chat, code or reasoning");

  if ((hardware = hearth_hardware_probe (NULL, TRUE, &error)) == NULL ||
      (catalog = hearth_catalog_load (&error)) == NULL)
    return fail (error);
  picks = hearth_catalog_recommend (catalog, hardware, use);
  {
    /* What this machine measured beats an estimate; no history, no matter. */
    g_autofree char *path = hearth_store_default_path ();
    g_autoptr(HearthStore) store = g_file_test (path, G_FILE_TEST_EXISTS)
                                   ? hearth_store_open (path, NULL) : NULL;

    hearth_catalog_apply_measurements (picks, store);
  }
  if (opt_json)
    {
      print_json_list (picks, (HearthJsonAddFunc) add_recommendation_json);
      return 0;
    }
  if (picks->len == 0)
    {
      g_printerr ("hearth-cli: No model in the catalog runs well on this machine. "
                  "Free some memory or use a server on another machine.\n");
      return 0;
    }
  for (guint i = 0; i < picks->len; i++)
    print_recommendation (g_ptr_array_index (picks, i));
  return 0;
}

/* cache */

static int
cache_stats (HearthCache *cache)
{
  HearthCacheStats stats;
  guint64 hits, lookups;
  g_autofree char *on_disk = NULL;
  g_autofree char *served = NULL;

  hearth_cache_get_stats (cache, &stats);
  hits = stats.memory_hits + stats.disk_hits;
  /* A disk lookup happens only after a memory miss. */
  lookups = hits + stats.disk_misses;
  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      hearth_json_add_int (builder, "entries", stats.entries);
      hearth_json_add_int (builder, "bytes_on_disk", stats.bytes_on_disk);
      hearth_json_add_int (builder, "memory_hits", stats.memory_hits);
      hearth_json_add_int (builder, "memory_misses", stats.memory_misses);
      hearth_json_add_int (builder, "disk_hits", stats.disk_hits);
      hearth_json_add_int (builder, "disk_misses", stats.disk_misses);
      hearth_json_add_double (builder, "hit_rate", lookups ? (double) hits / lookups : -1);
      hearth_json_add_int (builder, "bytes_served", stats.bytes_served);
      hearth_json_add_double (builder, "time_saved_ms", stats.time_saved_ms);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      print_json (root);
      return 0;
    }
  on_disk = g_format_size (stats.bytes_on_disk);
  served = g_format_size (stats.bytes_served);
  g_print ("Entries:     %" G_GUINT64_FORMAT " (%s compressed)\n", stats.entries, on_disk);
  if (lookups > 0)
    g_print ("Hit rate:    %.1f %% (%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " lookups)\n",
             100.0 * hits / lookups, hits, lookups);
  else
    g_print ("Hit rate:    no lookups yet\n");
  g_print ("Hits:        %" G_GUINT64_FORMAT " from memory, %" G_GUINT64_FORMAT " from disk\n",
           stats.memory_hits, stats.disk_hits);
  g_print ("Served:      %s of answers, %.1f s of generation saved\n", served,
           stats.time_saved_ms / 1000);
  return 0;
}

static int
command_cache (int    argc,
               char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthCache) cache = NULL;
  g_autofree char *path = NULL;
  const char *sub;
  int exit_code = 0;

  if (!parse_options ("cache", "stats | clear", NULL, FALSE, &argc, &argv, &exit_code))
    return exit_code;
  sub = argc > 2 ? argv[2] : "stats";
  if (argc > 3 || (!g_str_equal (sub, "stats") && !g_str_equal (sub, "clear")))
    return usage_error ("cache", "Use cache stats or cache clear");

  path = hearth_cache_default_path ();
  if ((cache = hearth_cache_open (path, G_MAXUINT64, 0, 0, &error)) == NULL)
    return fail (error);
  if (hearth_cache_get_warning (cache) != NULL)
    g_printerr ("hearth-cli: %s\n", hearth_cache_get_warning (cache));
  if (g_str_equal (sub, "clear"))
    return hearth_cache_clear (cache, &error) ? 0 : fail (error);
  return cache_stats (cache);
}

/* key */

/* One line from standard input, without echo on a terminal. */
static char *
read_key_line (GError **error)
{
  g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  g_autoptr(GDataInputStream) data = g_data_input_stream_new (in);
  gboolean tty = isatty (STDIN_FILENO);
  struct termios saved;
  char *line;

  if (tty && tcgetattr (STDIN_FILENO, &saved) == 0)
    {
      struct termios quiet = saved;

      quiet.c_lflag &= ~ECHO;
      g_printerr ("API key: ");
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  else
    tty = FALSE;
  line = g_data_input_stream_read_line (data, NULL, NULL, error);
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      g_printerr ("\n");
    }
  if (line != NULL)
    g_strstrip (line);
  return line;
}

static int
key_set (const char *endpoint)
{
  g_autoptr(GError) error = NULL;
  char *key = read_key_line (&error);
  gboolean stored;

  if (key == NULL && error != NULL)
    return fail (error);
  if (key == NULL || *key == '\0')
    {
      hearth_secrets_free (key);
      return usage_error ("key", "The key is empty: give it on standard input, for example "
                                 "hearth-cli key set < key.txt");
    }
  stored = hearth_secrets_store_sync (endpoint, key, NULL, &error);
  hearth_secrets_free (key);
  if (!stored)
    return fail (error);
  g_print ("The API key for %s is stored in the keyring.\n", endpoint);
  return 0;
}

static int
key_delete (const char *endpoint)
{
  g_autoptr(GError) error = NULL;

  if (hearth_secrets_delete_sync (endpoint, NULL, &error))
    g_print ("The API key for %s was removed from the keyring.\n", endpoint);
  else if (error == NULL)
    g_print ("No API key for %s was stored.\n", endpoint);
  else
    return fail (error);
  return 0;
}

static int
key_status (const char *endpoint)
{
  g_autoptr(GError) error = NULL;
  char *key = hearth_secrets_lookup_sync (endpoint, NULL, &error);

  if (error != NULL)
    return fail (error);
  if (key != NULL)
    g_print ("An API key for %s is stored in the keyring.\n", endpoint);
  else
    g_print ("No API key for %s is stored.\n", endpoint);
  hearth_secrets_free (key);
  return 0;
}

static int
command_key (int    argc,
             char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *endpoint = NULL;
  HearthApiKind api;
  const char *sub;
  int exit_code = 0;

  if (!parse_options ("key", "set | delete | status", NULL, TRUE, &argc, &argv, &exit_code))
    return exit_code;
  sub = argc == 3 ? argv[2] : "";
  if (!g_str_equal (sub, "set") && !g_str_equal (sub, "delete") && !g_str_equal (sub, "status"))
    return usage_error ("key", "Use key set, key delete or key status; the key itself goes "
                               "on standard input, never on the command line");
  if (!resolve_server (settings, &api, &endpoint, &error))
    return fail (error);
  if (g_str_equal (sub, "set"))
    return key_set (endpoint);
  if (g_str_equal (sub, "delete"))
    return key_delete (endpoint);
  return key_status (endpoint);
}

static void
print_usage (FILE *out)
{
  fprintf (out,
           "Usage:\n"
           "  hearth-cli ask [--endpoint URL] [--api ollama|openai] [--model NAME] [--system TEXT]\n"
           "                 [--conversation ID] [--temperature T] [--seed N] [--no-cache] [--json]\n"
           "                 [PROMPT | -]\n"
           "  hearth-cli models [--endpoint URL] [--api ollama|openai] [--json]\n"
           "  hearth-cli pull MODEL [--endpoint URL]\n"
           "  hearth-cli key set | delete | status [--endpoint URL] [--api ollama|openai]\n"
           "  hearth-cli history list [--json] | show ID [--json] | search TEXT [--json]\n"
           "                     | rename ID TITLE | delete ID\n"
           "  hearth-cli metrics [--since 1h] [--model NAME] [--csv | --json] [--summary]\n"
           "  hearth-cli resources [--since 1h] [--json] | resources --now [--json]\n"
           "  hearth-cli cache stats [--json] | clear\n"
           "  hearth-cli hardware [--json]\n"
           "  hearth-cli recommend [--use chat|code|reasoning] [--json]\n"
           "  hearth-cli bench [--model NAME] [--runs N] [--endpoint URL] [--api ollama|openai]\n"
           "                   [--json]\n"
           "  hearth-cli bench list [--model NAME] [--json]\n"
           "\n"
           "Run “hearth-cli COMMAND --help” for a command's options.\n");
}

int
main (int    argc,
      char **argv)
{
  const char *command;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("hearth-cli");

  if (argc < 2)
    {
      print_usage (stderr);
      return EXIT_USAGE;
    }
  command = argv[1];
  if (g_str_equal (command, "ask"))
    return command_ask (argc, argv);
  if (g_str_equal (command, "models"))
    return command_models (argc, argv);
  if (g_str_equal (command, "pull"))
    return command_pull (argc, argv);
  if (g_str_equal (command, "key"))
    return command_key (argc, argv);
  if (g_str_equal (command, "history"))
    return command_history (argc, argv);
  if (g_str_equal (command, "metrics"))
    return command_metrics (argc, argv);
  if (g_str_equal (command, "cache"))
    return command_cache (argc, argv);
  if (g_str_equal (command, "hardware"))
    return command_hardware (argc, argv);
  if (g_str_equal (command, "recommend"))
    return command_recommend (argc, argv);
  if (g_str_equal (command, "bench"))
    return command_bench (argc, argv);
  if (g_str_equal (command, "resources"))
    return command_resources (argc, argv);
  if (g_str_equal (command, "--help") || g_str_equal (command, "-h") ||
      g_str_equal (command, "help"))
    {
      print_usage (stdout);
      return 0;
    }
  if (g_str_equal (command, "--version"))
    {
      g_print ("hearth-cli %s\n", PACKAGE_VERSION);
      return 0;
    }
  g_printerr ("hearth-cli: “%s” is not a command. Run hearth-cli --help for the commands.\n",
              command);
  return EXIT_USAGE;
}
