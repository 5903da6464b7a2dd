/* hearth-cli-ask.c — hearth-cli ask: one question, the answer streamed
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include <inttypes.h>

#include <math.h>
#include <unistd.h>

#include "hearth-cli-private.h"
#include "hearth-endpoint.h"
#include "hearth-error.h"

static char   *opt_system;
static gint64  opt_conversation = -1;
static double  opt_temperature = NAN;
static gint64  opt_seed = G_MININT64;
static gboolean opt_no_cache;
static char    *opt_redis;
static EnsembleOptions ensemble;

static gboolean
parse_conversation (const char  *option,
                    const char  *value,
                    gpointer     data,
                    GError     **error)
{
  return parse_whole_number ("--conversation", value, 1, G_MAXINT64, &opt_conversation, error);
}

static gboolean
parse_temperature (const char  *option,
                   const char  *value,
                   gpointer     data,
                   GError     **error)
{
  return parse_decimal_number ("--temperature", value, 0, 2, &opt_temperature, error);
}

/* Not negative, and within every server's int: llama.cpp reads -1 and
 * 4294967295 as "random", which would cache an answer that is not. */
static gboolean
parse_seed (const char  *option,
            const char  *value,
            gpointer     data,
            GError     **error)
{
  return parse_whole_number ("--seed", value, 0, G_MAXINT32, &opt_seed, error);
}

static const GOptionEntry ask_entries[] = {
  { "model", 'm', 0, G_OPTION_ARG_FILENAME, &opt_model,
    N_("The model to ask; auto lets the routing rules pick (hearth-cli routes list)"), N_("NAME") },
  { "system", 0, 0, G_OPTION_ARG_FILENAME, &opt_system, N_("A system prompt"), N_("TEXT") },
  { "conversation", 'c', G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, parse_conversation,
    N_("Continue this conversation (1 or more)"), N_("ID") },
  { "temperature", 't', G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, parse_temperature,
    N_("Sampling temperature, 0 to 2"), N_("T") },
  { "seed", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, parse_seed,
    N_("Sampling seed, 0 to 2147483647"), N_("N") },
  { "no-cache", 0, 0, G_OPTION_ARG_NONE, &opt_no_cache,
    N_("Generate a fresh answer, even for a question asked before"), NULL },
  { "redis", 0, 0, G_OPTION_ARG_FILENAME, &opt_redis,
    N_("Share the answer cache through this Redis or Valkey server, "
       "redis://HOST[:PORT][/DB] (password from REDISCLI_AUTH)"), N_("URL") },
  { "ensemble", 0, 0, G_OPTION_ARG_FILENAME, &ensemble.name,
    N_("Ask a named ensemble (hearth-cli ensembles list) and print the answer that won"),
    N_("NAME") },
  { "ensemble-models", 0, 0, G_OPTION_ARG_FILENAME, &ensemble.models,
    N_("Ask these 2 to 4 models (MODEL or MODEL@SERVER, separated by commas) as an "
       "ensemble, with --method"), N_("A,B[,C,D]") },
  { "method", 0, 0, G_OPTION_ARG_FILENAME, &ensemble.method,
    N_("With --ensemble-models: how one answer wins: vote (most agree), judge (--judge "
       "picks) or first-good (the fastest good one)"), "vote|judge|first-good" },
  { "judge", 0, 0, G_OPTION_ARG_FILENAME, &ensemble.judge,
    N_("With --method judge: the model that reads the answers and picks one"), N_("MODEL") },
  { NULL }
};

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
  output_write (OUTPUT_STDOUT, content, len);
  cli->wrote_text = TRUE;
  cli->ended_with_newline = len > 0 && content[len - 1] == '\n';
  /* Nobody can read the rest (| head -1 has gone, the disk is full): stop
   * as Ctrl+C does, keeping what arrived, and let main say why. */
  if (output_failed ())
    hearth_reply_cancel (reply);
}

static void
on_ask_finished (HearthReply *reply,
                 Cli         *cli)
{
  g_main_loop_quit (cli->loop);
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
  /* where it was answered and why: null when there is nothing to say */
  hearth_json_add_string (builder, "server", hearth_reply_get_server (reply));
  hearth_json_add_string (builder, "fallback_from", hearth_reply_get_fallback_from (reply));
  hearth_json_add_string (builder, "fallback_reason", hearth_reply_get_fallback_reason (reply));
  hearth_json_add_string (builder, "route_rule", hearth_reply_get_route_rule (reply));
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
  /* what the request went out with: the profile, the model's own and the
   * automatic options, as the engine resolved them */
  json_builder_set_member_name (builder, "options");
  if (hearth_reply_get_options (reply) != NULL)
    json_builder_add_value (builder, hearth_run_options_to_json (hearth_reply_get_options (reply)));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "cached");
  json_builder_add_boolean_value (builder, hearth_reply_get_cached (reply));
  if (hearth_reply_get_cached (reply))
    hearth_json_add_double (builder, "time_saved_ms", hearth_reply_get_time_saved_ms (reply));
  if (error != NULL)
    {
      g_autofree char *line = hearth_error_describe (error);
      hearth_json_add_string (builder, "error", line);
    }
  json_builder_set_member_name (builder, "saved");
  json_builder_add_boolean_value (builder, hearth_reply_get_save_error (reply) == NULL);
  if (hearth_reply_get_save_error (reply) != NULL)
    hearth_json_add_string (builder, "save_error", hearth_reply_get_save_error (reply)->message);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  print_json (root);
}

/* Returns: the prompt (argv[2] on, or standard input for "-"), or %NULL with
 * *@exit_code set when it cannot be read or is not text (see check_text()) */
char *
read_prompt (int      argc,
             char   **argv,
             int     *exit_code)
{
  g_autoptr(GIOChannel) channel = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gsize len;

  if (argc == 3 && g_str_equal (argv[2], "-"))
    {
      channel = g_io_channel_unix_new (STDIN_FILENO);
      g_io_channel_set_encoding (channel, NULL, NULL);
      if (g_io_channel_read_to_end (channel, &text, &len, &error) != G_IO_STATUS_NORMAL)
        {
          *exit_code = fail (error);
          return NULL;
        }
      return check_text (_("The prompt on standard input"), text, len, exit_code)
             ? g_steal_pointer (&text) : NULL;
    }
  text = g_strjoinv (" ", argv + 2);
  return check_text (_("The prompt"), text, strlen (text), exit_code)
         ? g_steal_pointer (&text) : NULL;
}

gboolean
prompt_is_blank (const char *prompt)
{
  for (const char *p = prompt; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

static HearthChatRequest *
build_request (char       *prompt,
               GSettings  *settings,
               const char *server)
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
  request->server = g_strdup (server);
  hearth_chat_request_add_message (request, "user", prompt);
  return request;
}

/* Why the history does not hold what was printed, and what to do. */
static char *
describe_not_saved (const GError *save_error)
{
  g_autofree char *reason = NULL;

  if (g_error_matches (save_error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_FULL))
    return g_strdup (_("the disk is full. Free some space and ask again; until then the text "
                       "printed above is the only copy"));
  if (g_error_matches (save_error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND))
    return g_strdup (_("its conversation was deleted while it arrived. The text printed above "
                       "is the only copy"));
  reason = g_strdup (save_error->message);
  g_strdelimit (reason, "\r\n", ' ');
  while (g_str_has_suffix (reason, "."))
    reason[strlen (reason) - 1] = '\0';
  return g_strdup_printf (_("%s. The text printed above is the only copy"), reason);
}

/* One line, whatever else went wrong: the reply is not in the history. */
static int
fail_not_saved (Cli *cli)
{
  const GError *error = hearth_reply_get_error (cli->reply);
  g_autofree char *why = describe_not_saved (hearth_reply_get_save_error (cli->reply));

  if (cli->interrupted)
    g_printerr (_("hearth-cli: Interrupted, and the reply so far was not saved: %s.\n"), why);
  else if (error != NULL)
    g_printerr (_("hearth-cli: %s; what arrived was not saved: %s.\n"), error->message, why);
  else
    g_printerr (_("hearth-cli: The reply was not saved in the history: %s.\n"), why);
  return cli->interrupted ? EXIT_INTERRUPTED : EXIT_DATABASE;
}

static int
finish_ask (Cli *cli)
{
  HearthReply *reply = cli->reply;
  const GError *error = hearth_reply_get_error (reply);

  if (output_failed ())
    return EXIT_OUTPUT;
  if (!cli->json && cli->wrote_text && !cli->ended_with_newline &&
      output_is_terminal (OUTPUT_STDOUT))
    g_print ("\n");
  if (cli->json)
    print_reply_json (reply);
  if (hearth_reply_get_save_error (reply) != NULL)
    return fail_not_saved (cli);
  if (error == NULL)
    {
      g_autofree char *route = cli->json ? NULL : hearth_reply_describe_route (reply);

      /* "answered by big-box because laptop was down": not the reply, so not on stdout */
      if (route != NULL)
        /* Translators: an error message (a whole sentence) after the program's name */
        g_printerr (_("hearth-cli: %s\n"), route);
      return 0;
    }
  if (cli->interrupted)
    {
      g_printerr (_("hearth-cli: Interrupted. The reply so far was kept in conversation %"
                  PRId64 ".\n"), hearth_reply_get_conversation_id (reply));
      return EXIT_INTERRUPTED;
    }
  return fail (error);
}

/* --redis: the engine's cache gets that shared tier, instead of the settings' one. */
static gboolean
use_shared_cache (HearthEngine *engine,
                  const char   *url,
                  int          *exit_code)
{
  HearthCache *cache = hearth_engine_get_cache (engine);
  g_autoptr(GError) error = NULL;

  if (cache == NULL)
    {
      g_printerr (_("hearth-cli: --redis needs the answer cache, which is off. Turn on "
                    "“Reuse Answers” in Hearth's Preferences, or run without --redis.\n"));
      *exit_code = EXIT_USAGE;
      return FALSE;
    }
  if (!hearth_cache_set_shared (cache, url, &error))
    {
      *exit_code = usage_error ("ask", error->message);
      return FALSE;
    }
  return TRUE;
}

int
hearth_cli_command_ask (int    argc,
                        char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prompt = NULL;
  HearthProvider *provider = NULL;
  const char *server;
  Cli cli = { 0 };
  int exit_code = 0;

  if (!parse_options ("ask", N_("PROMPT | -"), ask_entries, TRUE, &argc, &argv, &exit_code))
    return exit_code;
  if (argc < 3)
    return usage_error ("ask", _("Say what to ask: hearth-cli ask \"why is the sky blue?\""));
  if ((prompt = read_prompt (argc, argv, &exit_code)) == NULL)
    return exit_code;
  if (prompt_is_blank (prompt))
    return usage_error ("ask", _("The prompt is empty"));
  if (ensemble_options_given (&ensemble))
    {
      if (get_opt_server () != NULL || get_opt_endpoint () != NULL || get_opt_api () != NULL ||
          opt_model != NULL || opt_redis != NULL)
        return usage_error ("ask", _("An ensemble names its own models and servers "
                                     "(MODEL@SERVER): leave out --model, --server, --endpoint, "
                                     "--api and --redis"));
      if ((engine = open_engine (settings, HEARTH_ENGINE_HISTORY | HEARTH_ENGINE_CACHE,
                                 &error)) == NULL)
        return fail (error);
      return ask_ensemble (engine, build_request (prompt, settings, NULL), opt_conversation,
                           &ensemble);
    }
  server = get_opt_server ();
  if (server == NULL && (get_opt_endpoint () != NULL || get_opt_api () != NULL))
    {
      /* one address given: that provider and nothing else, no fallback */
      if ((provider = open_provider (settings, HEARTH_ENGINE_HISTORY | HEARTH_ENGINE_CACHE,
                                     &engine, &error)) == NULL)
        return fail (error);
    }
  else
    {
      /* the user's servers: the engine routes ("auto"), skips a server that
       * is down and falls back along the chain */
      if ((engine = open_engine (settings, HEARTH_ENGINE_HISTORY | HEARTH_ENGINE_CACHE,
                                 &error)) == NULL)
        return fail (error);
      if (server != NULL &&
          hearth_engine_resolve_server (engine, server, NULL, NULL, &error) == NULL)
        return fail (error);
    }

  if (opt_redis != NULL && !use_shared_cache (engine, opt_redis, &exit_code))
    return exit_code;

  cli.json = opt_json;
  cli.reply = hearth_engine_chat (engine, provider, build_request (prompt, settings, server),
                                  opt_conversation, &error);
  if (cli.reply == NULL)
    return fail (error);

  g_signal_connect (cli.reply, "delta", G_CALLBACK (on_ask_delta), &cli);
  g_signal_connect (cli.reply, "finished", G_CALLBACK (on_ask_finished), &cli);
  if (!hearth_reply_is_finished (cli.reply))
    run_loop (&cli);

  exit_code = finish_ask (&cli);
  g_clear_object (&cli.reply);
  /* The alert rules judged the reply (a slow model): what they send is let finish. */
  alerts_wait_until_idle (hearth_engine_get_alerts (engine), ALERTS_EXIT_WAIT_S);
  return exit_code;
}
