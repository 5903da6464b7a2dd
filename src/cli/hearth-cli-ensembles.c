/* hearth-cli-ensembles.c — hearth-cli ensembles, and ask --ensemble: several models, one answer
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Thin over the engine's HearthEnsembles (ensembles.conf, the same list as
 * the app's model picker) and hearth_engine_ask_ensemble (): how a winner
 * is chosen, what is stored and what the reason says are the engine's.
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include <inttypes.h>

#include "hearth-cli-private.h"
#include "hearth-endpoint.h"
#include "hearth-error.h"

static char     *opt_models;
static char     *opt_method;
static char     *opt_judge;
static gboolean  opt_replace;

static const GOptionEntry ensembles_entries[] = {
  { "models", 'm', 0, G_OPTION_ARG_FILENAME, &opt_models,
    N_("add: its 2 to 4 models, separated by commas; MODEL@SERVER for a model on another "
       "server of your list"), N_("A,B[,C,D]") },
  { "method", 0, 0, G_OPTION_ARG_FILENAME, &opt_method,
    N_("add: how one answer wins: vote (the answer most others agree with), judge (a model "
       "reads them and picks one) or first-good (the fastest answer that is good)"),
    "vote|judge|first-good" },
  { "judge", 0, 0, G_OPTION_ARG_FILENAME, &opt_judge,
    N_("add, with --method judge: the model that picks (MODEL or MODEL@SERVER)"), N_("MODEL") },
  { "replace", 0, 0, G_OPTION_ARG_NONE, &opt_replace,
    N_("add: replace the ensemble of that name"), NULL },
  { NULL }
};

#define ENSEMBLES_USAGE \
  _("Use ensembles list, ensembles add NAME --models A,B[,C,D] --method vote|judge|first-good " \
  "[--judge MODEL] [--replace] or ensembles remove NAME")

/* A MODEL@SERVER whose server is not in the list: exit 4, naming the list. */
static gboolean
check_member_server (HearthEngine *engine,
                     const char   *spec,
                     int          *exit_code)
{
  HearthServers *servers = hearth_engine_get_servers (engine);
  g_autofree char *model = NULL;
  g_autofree char *server = NULL;

  if (spec == NULL)
    return TRUE;
  hearth_split_model_at_server (spec, &model, &server);
  if (server == NULL || hearth_servers_lookup (servers, server) != NULL)
    return TRUE;
  *exit_code = fail_unknown_server (servers, server);
  return FALSE;
}

/* --models, --method and --judge as an ensemble (named @name, or not), checked
 * by the engine's rules; NULL with *@exit_code set when they are not one. */
static HearthEnsemble *
ensemble_from_options (HearthEngine *engine,
                       const char   *command,
                       const char   *name,
                       const char   *models_option,
                       const char   *models_text,
                       const char   *method_text,
                       const char   *judge,
                       int          *exit_code)
{
  g_autoptr(HearthEnsemble) ensemble = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) models = NULL;
  HearthSetMethod method;

  if (models_text == NULL || method_text == NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("Say which models and how one answer wins: %s A,B,C --method vote"),
                         models_option);

      *exit_code = usage_error (command, message);
      return NULL;
    }
  if ((models = parse_model_list (command, models_option, models_text, exit_code)) == NULL)
    return NULL;
  if (!hearth_set_method_parse (method_text, &method, &error))
    {
      *exit_code = usage_error (command, error->message);
      return NULL;
    }
  if (method == HEARTH_SET_JUDGE && (judge == NULL || *judge == '\0'))
    {
      *exit_code = usage_error (command, _("--method judge needs the model that picks: "
                                           "--judge MODEL"));
      return NULL;
    }
  if (method != HEARTH_SET_JUDGE && judge != NULL)
    {
      *exit_code = usage_error (command, _("--judge goes with --method judge"));
      return NULL;
    }
  for (guint i = 0; models[i] != NULL; i++)
    if (!check_member_server (engine, models[i], exit_code))
      return NULL;
  if (!check_member_server (engine, judge, exit_code))
    return NULL;
  ensemble = hearth_ensemble_new (name, (const char * const *) models, method, judge);
  /* one without a name is checked by hearth_engine_ask_ensemble () */
  if (name != NULL && !hearth_ensemble_validate (ensemble, &error))
    {
      *exit_code = usage_error (command, error->message);
      return NULL;
    }
  return g_steal_pointer (&ensemble);
}

static int
fail_unknown_ensemble (HearthEnsembles *ensembles,
                       const char      *name)
{
  g_autoptr(GPtrArray) list = hearth_ensembles_list (ensembles);
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < list->len; i++)
    /* Translators: joins the last two names of a list: "a, b and c" */
    g_string_append_printf (names, "%s%s", i == 0 ? "" : i + 1 == list->len ? _(" and ") : ", ",
                            ((HearthEnsemble *) g_ptr_array_index (list, i))->name);
  if (list->len == 0)
    g_printerr (_("hearth-cli: There is no ensemble “%s”, nor any other. Make one with "
                  "hearth-cli ensembles add NAME --models A,B --method vote.\n"), name);
  else
    /* Translators: the second %s lists the ensembles there are: "a, b and c" */
    g_printerr (ngettext ("hearth-cli: There is no ensemble “%s”; there is %s. Use one of those "
                          "names (hearth-cli ensembles list).\n",
                          "hearth-cli: There is no ensemble “%s”; there are %s. Use one of those "
                          "names (hearth-cli ensembles list).\n", list->len),
                name, names->str);
  return EXIT_NOT_FOUND;
}

/* ensembles list */

static void
add_ensemble_json (JsonBuilder *builder,
                   gpointer     item)
{
  const HearthEnsemble *ensemble = item;
  g_autofree char *description = hearth_ensemble_describe (ensemble);

  hearth_json_add_string (builder, "name", ensemble->name);
  hearth_json_add_string (builder, "method", hearth_set_method_to_string (ensemble->method));
  json_builder_set_member_name (builder, "models");
  json_builder_begin_array (builder);
  for (guint i = 0; ensemble->models != NULL && ensemble->models[i] != NULL; i++)
    json_builder_add_string_value (builder, ensemble->models[i]);
  json_builder_end_array (builder);
  hearth_json_add_string (builder, "judge", ensemble->judge);
  hearth_json_add_string (builder, "description", description);
}

static int
ensembles_list (HearthEnsembles *ensembles)
{
  g_autoptr(GPtrArray) list = hearth_ensembles_list (ensembles);
  /* Translators: column headers of hearth-cli ensembles list: the
   * ensemble's name, how it picks an answer, and the models it asks */
  const char *name_header = C_("column header", "NAME");
  const char *method_header = C_("column header", "METHOD");
  guint width = g_utf8_strlen (name_header, -1);
  guint method_width = g_utf8_strlen (method_header, -1);

  if (opt_json)
    {
      print_json_list (list, add_ensemble_json);
      return 0;
    }
  if (list->len == 0)
    {
      g_printerr (_("hearth-cli: There are no ensembles yet. Make one with hearth-cli ensembles "
                    "add NAME --models A,B --method vote.\n"));
      return 0;
    }
  for (guint i = 0; i < list->len; i++)
    {
      const HearthEnsemble *ensemble = g_ptr_array_index (list, i);

      width = MAX (width, g_utf8_strlen (ensemble->name, -1));
      method_width = MAX (method_width,
                          strlen (hearth_set_method_to_string (ensemble->method)));
    }
  {
    g_autofree char *name = pad_text (name_header, width);
    g_autofree char *method = pad_text (method_header, method_width);

    g_print ("%s  %s  %s\n", name, method, C_("column header", "MODELS"));
  }
  for (guint i = 0; i < list->len; i++)
    {
      const HearthEnsemble *ensemble = g_ptr_array_index (list, i);
      g_autofree char *name = pad_text (ensemble->name, width);
      g_autofree char *method = pad_text (hearth_set_method_to_string (ensemble->method),
                                          method_width);
      g_autofree char *models = g_strjoinv (", ", ensemble->models);

      if (ensemble->judge != NULL)
        g_print (_("%s  %s  %s (judged by %s)\n"), name, method, models, ensemble->judge);
      else
        g_print ("%s  %s  %s\n", name, method, models);
    }
  g_print (_("\nAsk one with hearth-cli ask --ensemble NAME; the app lists them in its model "
             "picker.\n"));
  return 0;
}

static int
ensembles_add (HearthEngine    *engine,
               HearthEnsembles *ensembles,
               const char      *name)
{
  g_autoptr(HearthEnsemble) ensemble = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  gboolean existed = hearth_ensembles_lookup (ensembles, name) != NULL;
  int exit_code = 0;

  if (existed && !opt_replace)
    {
      g_printerr (_("hearth-cli: There is already an ensemble “%s”. Add --replace to replace "
                    "it, or choose another name.\n"), name);
      return EXIT_USAGE;
    }
  ensemble = ensemble_from_options (engine, "ensembles", name, "--models", opt_models,
                                    opt_method, opt_judge, &exit_code);
  if (ensemble == NULL)
    return exit_code;
  if (!hearth_ensembles_add (ensembles, ensemble, opt_replace, &error))
    return fail (error);
  description = hearth_ensemble_describe (ensemble);
  if (existed)
    /* Translators: the ensemble's name, then what it does (“asks qwen3:4b and
     * llama3.2:3b, and a vote picks the answer”) */
    g_print (_("Replaced ensemble %s: %s.\n"), name, description);
  else
    /* Translators: the ensemble's name, then what it does (“asks qwen3:4b and
     * llama3.2:3b, and a vote picks the answer”) */
    g_print (_("Added ensemble %s: %s.\n"), name, description);
  return 0;
}

int
hearth_cli_command_ensembles (int    argc,
                              char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  HearthEnsembles *ensembles;
  const char *sub;
  int exit_code = 0;

  if (!parse_options ("ensembles", N_("list | add NAME | remove NAME"), ensembles_entries, FALSE,
                      &argc, &argv, &exit_code))
    return exit_code;
  sub = argc >= 3 ? argv[2] : "list";
  if ((g_str_equal (sub, "list") && argc > 3) ||
      ((g_str_equal (sub, "add") || g_str_equal (sub, "remove")) && argc != 4) ||
      (!g_str_equal (sub, "list") && !g_str_equal (sub, "add") && !g_str_equal (sub, "remove")))
    return usage_error ("ensembles", ENSEMBLES_USAGE);
  if (!g_str_equal (sub, "add") &&
      (opt_models != NULL || opt_method != NULL || opt_judge != NULL || opt_replace))
    return usage_error ("ensembles", _("--models, --method, --judge and --replace are for "
                                       "ensembles add"));
  if ((engine = open_engine (settings, 0, &error)) == NULL)
    return fail (error);
  ensembles = hearth_engine_get_ensembles (engine);

  if (g_str_equal (sub, "list"))
    return ensembles_list (ensembles);
  if (g_str_equal (sub, "add"))
    return ensembles_add (engine, ensembles, argv[3]);
  if (hearth_ensembles_lookup (ensembles, argv[3]) == NULL)
    return fail_unknown_ensemble (ensembles, argv[3]);
  if (!hearth_ensembles_remove (ensembles, argv[3], &error))
    return fail (error);
  g_print (_("Removed ensemble %s.\n"), argv[3]);
  return 0;
}

/* ask --ensemble */

gboolean
ensemble_options_given (const EnsembleOptions *options)
{
  return options->name != NULL || options->models != NULL || options->method != NULL ||
         options->judge != NULL;
}

static void
print_ensemble_json (HearthAnswerSet *set)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  int winner = hearth_answer_set_get_winner (set);
  HearthReply *won = winner >= 0 ? hearth_answer_set_get_candidate (set, winner) : NULL;
  HearthReply *judge = hearth_answer_set_get_judge_reply (set);

  json_builder_begin_object (builder);
  /* what ask --json says of its one reply, here of the winner's */
  hearth_json_add_string (builder, "content", won ? hearth_reply_get_content (won) : NULL);
  hearth_json_add_string (builder, "model", won ? hearth_reply_get_model (won) : NULL);
  hearth_json_add_string (builder, "server", won ? hearth_reply_get_server (won) : NULL);
  hearth_json_add_int (builder, "message_id", won ? hearth_reply_get_message_id (won) : -1);
  hearth_json_add_int (builder, "conversation_id", hearth_answer_set_get_conversation_id (set));
  hearth_json_add_int (builder, "question_id", hearth_answer_set_get_question_id (set));
  hearth_json_add_string (builder, "ensemble", hearth_answer_set_get_name (set));
  hearth_json_add_string (builder, "method",
                          hearth_set_method_to_string (hearth_answer_set_get_method (set)));
  hearth_json_add_int (builder, "winner", winner);
  hearth_json_add_string (builder, "reason", hearth_answer_set_get_reason (set));
  json_builder_set_member_name (builder, "judge");
  if (judge != NULL)
    {
      const GError *error = hearth_reply_get_error (judge);
      g_autofree char *line = error != NULL ? hearth_error_describe (error) : NULL;

      json_builder_begin_object (builder);
      hearth_json_add_string (builder, "model", hearth_reply_get_model (judge));
      hearth_json_add_string (builder, "server", hearth_reply_get_server (judge));
      hearth_json_add_string (builder, "verdict", hearth_reply_get_content (judge));
      hearth_json_add_string (builder, "state", reply_state_nick (judge));
      hearth_json_add_string (builder, "error", line);
      hearth_json_add_int (builder, "message_id", hearth_reply_get_message_id (judge));
      json_builder_set_member_name (builder, "figures");
      add_reply_figures_json (builder, judge);
      json_builder_end_object (builder);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "candidates");
  json_builder_begin_array (builder);
  for (guint i = 0; i < hearth_answer_set_get_n_candidates (set); i++)
    add_candidate_json (builder, set, i);
  json_builder_end_array (builder);
  hearth_json_add_string (builder, "schedule", hearth_answer_set_get_schedule (set));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  print_json (root);
}

/* The winner's text on standard output, as ask prints its reply; which won
 * and why on standard error, as ask says where it was answered. */
static void
print_winner (HearthAnswerSet *set)
{
  int winner = hearth_answer_set_get_winner (set);
  HearthReply *won = hearth_answer_set_get_candidate (set, winner);
  const char *content = hearth_reply_get_content (won);
  const char *reason = hearth_answer_set_get_reason (set);
  gsize len = content != NULL ? strlen (content) : 0;
  g_autoptr(GString) ids = g_string_new (NULL);
  guint n = hearth_answer_set_get_n_candidates (set);

  output_write (OUTPUT_STDOUT, content != NULL ? content : "", len);
  if (len > 0 && content[len - 1] != '\n' && output_is_terminal (OUTPUT_STDOUT))
    g_print ("\n");
  for (guint i = 0; i < n; i++)
    {
      HearthReply *reply = hearth_answer_set_get_candidate (set, i);

      g_string_append_printf (ids, "%s%" G_GINT64_FORMAT " (%s)",
                              i == 0 ? "" : i + 1 == n ? " and " : ", ",
                              hearth_reply_get_message_id (reply), hearth_reply_get_model (reply));
    }
  g_printerr (_("hearth-cli: %s won (%s): %s\n"), hearth_reply_get_model (won),
              _(hearth_set_method_get_label (hearth_answer_set_get_method (set))),
              reason != NULL ? reason : "");
  if (hearth_answer_set_get_judge_reply (set) != NULL)
    g_printerr (_("hearth-cli: The judge's reasoning is message %" PRId64
                " (hearth-cli history show %" PRId64 ", or --json).\n"),
                hearth_reply_get_message_id (hearth_answer_set_get_judge_reply (set)),
                hearth_answer_set_get_conversation_id (set));
  g_printerr (_("hearth-cli: Every answer: messages %s of conversation %" PRId64 ".\n"),
              ids->str, hearth_answer_set_get_conversation_id (set));
}

int
ask_ensemble (HearthEngine          *engine,
              HearthChatRequest     *request,
              gint64                 conversation_id,
              const EnsembleOptions *options)
{
  g_autoptr(HearthChatRequest) owned = request;
  g_autoptr(HearthEnsemble) adhoc = NULL;
  g_autoptr(HearthAnswerSet) set = NULL;
  g_autoptr(GError) error = NULL;
  const HearthEnsemble *ensemble;
  Cli cli = { 0 };
  int exit_code = 0;

  if (options->name != NULL)
    {
      if (options->models != NULL || options->method != NULL || options->judge != NULL)
        return usage_error ("ask", _("--ensemble NAME has its own models and method: leave out "
                                     "--ensemble-models, --method and --judge (change it with "
                                     "hearth-cli ensembles add NAME --replace)"));
      ensemble = hearth_ensembles_lookup (hearth_engine_get_ensembles (engine), options->name);
      if (ensemble == NULL)
        return fail_unknown_ensemble (hearth_engine_get_ensembles (engine), options->name);
    }
  else
    {
      if (options->models == NULL)
        return usage_error ("ask", _("--method and --judge go with --ensemble-models A,B,C"));
      adhoc = ensemble_from_options (engine, "ask", NULL, "--ensemble-models", options->models,
                                     options->method, options->judge, &exit_code);
      if (adhoc == NULL)
        return exit_code;
      ensemble = adhoc;
    }

  set = hearth_engine_ask_ensemble (engine, g_steal_pointer (&owned), ensemble, conversation_id,
                                    &error);
  if (set == NULL)
    return fail (error);
  run_answer_set (&cli, set, SET_QUIET);
  if (!cli.interrupted && !output_failed ())
    {
      if (opt_json)
        print_ensemble_json (set);
      else if (hearth_answer_set_get_winner (set) >= 0)
        print_winner (set);
    }
  exit_code = finish_answer_set (&cli, set, TRUE);
  alerts_wait_until_idle (hearth_engine_get_alerts (engine), ALERTS_EXIT_WAIT_S);
  return exit_code;
}
