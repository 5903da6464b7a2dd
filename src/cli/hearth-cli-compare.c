/* hearth-cli-compare.c — hearth-cli compare: one question to 2–4 models, side by side
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Thin over hearth_engine_compare () and hearth_engine_pick_answer (): the
 * schedule, the figures, what is stored and which answer is kept are the
 * engine's (hearth-answer-set.h), as the chat's compare mode shows them.
 * What ask --ensemble shares with it is here too: running a set until every
 * request is over, and its candidates as lines and as JSON.
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include <inttypes.h>

#include <sys/ioctl.h>
#include <unistd.h>

#include "hearth-cli-private.h"
#include "hearth-endpoint.h"
#include "hearth-error.h"

static char    *opt_models;
static char    *opt_system;
static gint64   opt_conversation = -1;
static gint64   opt_pick = -1;
static gboolean opt_no_cache;

static gboolean
parse_conversation (const char  *option,
                    const char  *value,
                    gpointer     data,
                    GError     **error)
{
  return parse_whole_number ("--conversation", value, 1, G_MAXINT64, &opt_conversation, error);
}

static gboolean
parse_pick (const char  *option,
            const char  *value,
            gpointer     data,
            GError     **error)
{
  return parse_whole_number ("--pick", value, 1, G_MAXINT64, &opt_pick, error);
}

static const GOptionEntry compare_entries[] = {
  { "models", 'm', 0, G_OPTION_ARG_FILENAME, &opt_models,
    N_("The models to ask, 2 to 4, separated by commas; MODEL@SERVER for a model on another "
       "server of your list (hearth-cli servers list)"), N_("A,B[,C,D]") },
  { "conversation", 'c', G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, parse_conversation,
    N_("Continue this conversation (1 or more)"), N_("ID") },
  { "system", 0, 0, G_OPTION_ARG_FILENAME, &opt_system, N_("A system prompt"), N_("TEXT") },
  { "no-cache", 0, 0, G_OPTION_ARG_NONE, &opt_no_cache,
    N_("Generate fresh answers, even for a question asked before"), NULL },
  { "pick", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, parse_pick,
    N_("Keep this answer of an earlier compare as its conversation's reply, as “Use this "
       "answer” does in the app (the message ids are printed under the answers)"),
    N_("MESSAGE_ID") },
  { NULL }
};

#define COMPARE_SUMMARY \
  _("Asks 2 to 4 models the same question at once. On a terminal each answer streams\n" \
  "as it comes, every line after its model's name; to a pipe or a file each answer\n" \
  "is printed whole as it finishes, under a line that names the model. Then, for\n" \
  "each model: its speed, the time to its first token, its server, whether it\n" \
  "waited for another model or had to be loaded first, and its message id; and\n" \
  "whether the models ran at once or one after another, and why. Keep one answer\n" \
  "as the conversation's reply with compare --pick MESSAGE_ID; rate one with\n" \
  "hearth-cli rate MESSAGE_ID up|down.\n" \
  "\n" \
  "Exit status: 0 when at least one model answered (a model that failed is named\n" \
  "in its place and on standard error); when none did, that of the first failure\n" \
  "(3 unreachable, 4 no such model, 5 a server error…).")

/* --models A,B[,C,D]: 2 to 4 names, none twice, in the order given. */
char **
parse_model_list (const char *command,
                  const char *option,
                  const char *value,
                  int        *exit_code)
{
  g_auto(GStrv) parts = g_strsplit (value, ",", -1);
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *message = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *name = g_strstrip (parts[i]);

      if (*name == '\0')
        {
          message = g_strdup_printf (_("%s has an empty name. Give the models separated by "
                                       "commas, for example %s qwen3:4b,llama3.2:3b"),
                                     option, option);
          break;
        }
      for (guint j = 0; j < models->len && message == NULL; j++)
        if (g_str_equal (g_ptr_array_index (models, j), name))
          message = g_strdup_printf (_("“%s” is named twice in %s; name each model once"),
                                     name, option);
      if (message != NULL)
        break;
      g_ptr_array_add (models, g_strdup (name));
    }
  if (message == NULL &&
      (models->len < HEARTH_ENSEMBLE_MIN_MODELS || models->len > HEARTH_ENSEMBLE_MAX_MODELS))
    message = g_strdup_printf (_("%s takes %d to %d models separated by commas, not %u"),
                               option, HEARTH_ENSEMBLE_MIN_MODELS, HEARTH_ENSEMBLE_MAX_MODELS,
                               models->len);
  if (message != NULL)
    {
      *exit_code = usage_error (command, message);
      return NULL;
    }
  g_ptr_array_add (models, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&models), FALSE);
}

/* Running a set */

typedef struct
{
  HearthAnswerSet *set;
  SetOutput        output;
  guint            index;
  char            *label;      /* the model, padded to the widest on a terminal */
  gsize            printed;    /* SET_LINES: bytes of the content shown */
  gboolean         shown;      /* SET_BLOCKS / SET_LINES: its end was shown */
  gulong           delta_id;
  gulong           finished_id;
} Column;

static HearthReply *
column_reply (Column *column)
{
  return hearth_answer_set_get_candidate (column->set, column->index);
}

const char *
reply_state_nick (HearthReply *reply)
{
  GEnumClass *klass = g_type_class_ref (HEARTH_TYPE_REPLY_STATE);
  GEnumValue *value = g_enum_get_value (klass, hearth_reply_get_state (reply));

  g_type_class_unref (klass);
  return value ? value->value_nick : NULL;
}

/* "tiny-a", or "tiny-a@laptop" when two candidates ask one model on two servers */
static char *
candidate_label (HearthAnswerSet *set,
                 guint            index)
{
  HearthReply *reply = hearth_answer_set_get_candidate (set, index);
  const char *model = hearth_reply_get_model (reply);
  const char *server = hearth_reply_get_server (reply);

  for (guint i = 0; i < hearth_answer_set_get_n_candidates (set); i++)
    if (i != index &&
        g_strcmp0 (hearth_reply_get_model (hearth_answer_set_get_candidate (set, i)), model) == 0 &&
        server != NULL)
      return g_strdup_printf ("%s@%s", model, server);
  return g_strdup (model != NULL ? model : "?");
}

/* Where it was asked: the server's name in the list, else its address */
static const char *
reply_where (HearthReply *reply)
{
  return hearth_reply_get_server (reply) != NULL ? hearth_reply_get_server (reply)
                                                 : hearth_reply_get_endpoint (reply);
}

/* The end of an answer that has no more text: why, in a few words */
static char *
describe_end (HearthReply *reply)
{
  const GError *error = hearth_reply_get_error (reply);

  if (hearth_reply_get_state (reply) == HEARTH_REPLY_CANCELLED)
    return g_strdup ("(stopped)");
  if (error != NULL)
    {
      g_autofree char *line = hearth_error_describe (error);

      return g_strdup_printf (_("(no answer: %s)"), line);
    }
  return NULL;
}

/* How many bytes of a line fit after the model's name on this terminal */
static gsize
line_room (Column *column)
{
  struct winsize size = { 0 };
  guint columns = 80;

  if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
    columns = size.ws_col;
  return MAX (30, (int) columns - (int) g_utf8_strlen (column->label, -1) - 3);
}

/* Where a line that does not fit is broken: after the last space that
 * fits, else at the last whole character that does. */
static gsize
wrap_at (const char *start,
         gsize       room)
{
  const char *end = start + room;

  for (const char *p = end; p > start; p--)
    if (*p == ' ')
      return p - start + 1;
  while (end > start && ((guchar) *end & 0xc0) == 0x80)
    end--;
  return MAX (1, end - start);
}

/* SET_LINES: every whole line not shown yet, after the model's name (a
 * long one broken where it fills the terminal, so that a paragraph
 * streams too); with @final the rest too, and how it ended when it did
 * not answer. */
static void
show_lines (Column   *column,
            gboolean  final)
{
  HearthReply *reply = column_reply (column);
  const char *content = hearth_reply_get_content (reply);
  gsize len = content != NULL ? hearth_reply_get_content_length (reply) : 0;
  gsize room = line_room (column);

  while (column->printed < len)
    {
      const char *start = content + column->printed;
      gsize left = len - column->printed;
      const char *newline = memchr (start, '\n', MIN (left, room + 1));
      gsize n = newline != NULL ? (gsize) (newline - start) : left;
      gsize skip = newline != NULL ? 1 : 0;

      if (newline == NULL && left > room)
        n = wrap_at (start, room);
      else if (newline == NULL && !final)
        break;
      output_write (OUTPUT_STDOUT, column->label, -1);
      output_write (OUTPUT_STDOUT, " │ ", -1);
      output_write (OUTPUT_STDOUT, start, n);
      output_write (OUTPUT_STDOUT, "\n", 1);
      column->printed += n + skip;
    }
  if (final && !column->shown)
    {
      g_autofree char *end = describe_end (reply);

      column->shown = TRUE;
      if (end != NULL)
        g_print ("%s │ %s\n", column->label, end);
    }
}

/* SET_BLOCKS: the whole answer under a line that names it */
static void
show_block (Column *column)
{
  HearthReply *reply = column_reply (column);
  const char *content = hearth_reply_get_content (reply);
  g_autofree char *end = describe_end (reply);
  const char *where = reply_where (reply);

  if (column->shown)
    return;
  column->shown = TRUE;
  if (where != NULL)
    g_print (_("── %s on %s ──\n"), column->label, where);
  else
    g_print ("── %s ──\n", column->label);
  if (content != NULL && *content != '\0')
    {
      gsize len = strlen (content);

      output_write (OUTPUT_STDOUT, content, len);
      if (content[len - 1] != '\n')
        output_write (OUTPUT_STDOUT, "\n", 1);
    }
  if (end != NULL)
    g_print ("%s\n", end);
  g_print ("\n");
}

static void
on_candidate_delta (HearthReply *reply,
                    const char  *content,
                    const char  *thinking,
                    Column      *column)
{
  if (column->output == SET_LINES)
    show_lines (column, FALSE);
  /* Nobody reads the rest (| head -1, a full disk): stop every answer, as Ctrl+C does. */
  if (output_failed ())
    hearth_answer_set_cancel (column->set);
}

static void
on_candidate_finished (HearthReply *reply,
                       Column      *column)
{
  if (column->output == SET_LINES)
    show_lines (column, TRUE);
  else if (column->output == SET_BLOCKS)
    show_block (column);
  if (output_failed ())
    hearth_answer_set_cancel (column->set);
}

static void
on_set_finished (HearthAnswerSet *set,
                 Cli             *cli)
{
  if (cli->loop != NULL)
    g_main_loop_quit (cli->loop);
}

static void
column_free (Column *column)
{
  HearthReply *reply = column_reply (column);

  g_clear_signal_handler (&column->delta_id, reply);
  g_clear_signal_handler (&column->finished_id, reply);
  g_free (column->label);
  g_free (column);
}

/**
 * run_answer_set:
 * @output: what is printed while it runs
 *
 * Until every request of @set is over (the judge's too); Ctrl+C cancels
 * them all (cli->interrupted says so).
 */
void
run_answer_set (Cli             *cli,
                HearthAnswerSet *set,
                SetOutput        output)
{
  g_autoptr(GPtrArray) columns = g_ptr_array_new_with_free_func ((GDestroyNotify) column_free);
  guint n = hearth_answer_set_get_n_candidates (set);
  guint width = 0;
  gulong finished_id;

  cli->set = set;
  for (guint i = 0; i < n; i++)
    {
      Column *column = g_new0 (Column, 1);

      column->set = set;
      column->output = output;
      column->index = i;
      column->label = candidate_label (set, i);
      width = MAX (width, g_utf8_strlen (column->label, -1));
      g_ptr_array_add (columns, column);
    }
  for (guint i = 0; i < n; i++)
    {
      Column *column = g_ptr_array_index (columns, i);
      HearthReply *reply = column_reply (column);

      if (output == SET_LINES)
        {
          char *padded = pad_text (column->label, width);

          g_free (column->label);
          column->label = padded;
        }
      column->delta_id = g_signal_connect (reply, "delta", G_CALLBACK (on_candidate_delta), column);
      column->finished_id = g_signal_connect (reply, "finished",
                                              G_CALLBACK (on_candidate_finished), column);
      /* an answer from the cache can be there already */
      if (hearth_reply_is_finished (reply))
        on_candidate_finished (reply, column);
    }
  finished_id = g_signal_connect (set, "finished", G_CALLBACK (on_set_finished), cli);
  if (!hearth_answer_set_is_finished (set))
    run_loop (cli);
  g_signal_handler_disconnect (set, finished_id);
  /* whatever was not shown yet (cancelled before it began) */
  for (guint i = 0; i < n; i++)
    {
      Column *column = g_ptr_array_index (columns, i);

      if (output == SET_LINES)
        show_lines (column, TRUE);
      else if (output == SET_BLOCKS)
        show_block (column);
    }
  cli->set = NULL;
}

void
add_reply_figures_json (JsonBuilder *builder,
                        HearthReply *reply)
{
  const HearthFigures *figures = hearth_reply_get_figures (reply);

  json_builder_begin_object (builder);
  hearth_json_add_double (builder, "ttft_ms", figures->ttft_ms);
  hearth_json_add_double (builder, "total_ms", figures->total_ms);
  hearth_json_add_int (builder, "tokens_in", figures->tokens_in);
  hearth_json_add_int (builder, "tokens_out", figures->tokens_out);
  hearth_json_add_double (builder, "tokens_per_s", figures->tokens_per_s);
  hearth_json_add_double (builder, "load_ms", figures->load_ms);
  hearth_json_add_string (builder, "figures_from", figures->from_server ? "server" : "client");
  json_builder_end_object (builder);
}

/* One candidate: {model, server, endpoint, content, state, error, done_reason,
 * figures, message_id, waited, cached} */
void
add_candidate_json (JsonBuilder     *builder,
                    HearthAnswerSet *set,
                    guint            index)
{
  HearthReply *reply = hearth_answer_set_get_candidate (set, index);
  const GError *error = hearth_reply_get_error (reply);
  g_autofree char *line = error != NULL ? hearth_error_describe (error) : NULL;

  json_builder_begin_object (builder);
  hearth_json_add_string (builder, "model", hearth_reply_get_model (reply));
  hearth_json_add_string (builder, "server", hearth_reply_get_server (reply));
  hearth_json_add_string (builder, "endpoint", hearth_reply_get_endpoint (reply));
  hearth_json_add_string (builder, "content", hearth_reply_get_content (reply));
  hearth_json_add_string (builder, "state", reply_state_nick (reply));
  hearth_json_add_string (builder, "error", line);
  hearth_json_add_string (builder, "done_reason", hearth_reply_get_done_reason (reply));
  json_builder_set_member_name (builder, "figures");
  add_reply_figures_json (builder, reply);
  hearth_json_add_int (builder, "message_id", hearth_reply_get_message_id (reply));
  json_builder_set_member_name (builder, "waited");
  json_builder_add_boolean_value (builder, hearth_answer_set_candidate_waited (set, index));
  json_builder_set_member_name (builder, "cached");
  json_builder_add_boolean_value (builder, hearth_reply_get_cached (reply));
  json_builder_end_object (builder);
}

/* "45 ms", "1.2 s" */
static char *
format_duration (double ms)
{
  if (ms < 1000)
    return g_strdup_printf (_("%.0f ms"), ms);
  return g_strdup_printf ("%.1f s", ms / 1000);
}

static void
append_part (GString    *text,
             const char *part)
{
  if (text->len > 0)
    g_string_append (text, ", ");
  g_string_append (text, part);
}

/* "tiny-a on laptop: 16 tokens at 152.3 tokens/s, first token after 40 ms,
 * 0.2 s in all; it waited for another model; the model was loaded first
 * (1.1 s). Message 12." */
char *
describe_candidate (HearthAnswerSet *set,
                    guint            index)
{
  HearthReply *reply = hearth_answer_set_get_candidate (set, index);
  const HearthFigures *figures = hearth_reply_get_figures (reply);
  const GError *error = hearth_reply_get_error (reply);
  g_autofree char *label = candidate_label (set, index);
  g_autoptr(GString) text = g_string_new (label);
  g_autoptr(GString) parts = g_string_new (NULL);
  const char *where = reply_where (reply);

  if (where != NULL)
    g_string_append_printf (text, _(" on %s"), where);
  g_string_append (text, ": ");
  if (hearth_reply_get_state (reply) == HEARTH_REPLY_CANCELLED)
    append_part (parts, _("stopped"));
  else if (error != NULL)
    {
      /* what went wrong, without figures of an answer that is not there */
      g_autofree char *line = hearth_error_describe (error);

      g_string_append_printf (text, _("failed: %s"), line);
      if (!g_str_has_suffix (text->str, "."))
        g_string_append_c (text, '.');
      if (hearth_reply_get_message_id (reply) > 0)
        g_string_append_printf (text, _(" Message %" PRId64 "."),
                                hearth_reply_get_message_id (reply));
      return g_string_free (g_steal_pointer (&text), FALSE);
    }
  if (figures->cached)
    append_part (parts, _("from the cache"));
  if (figures->tokens_out >= 0 && error == NULL)
    {
      g_autofree char *tokens = g_strdup_printf (ngettext ("%" PRId64 " token",
                                                           "%" PRId64 " tokens",
                                                           figures->tokens_out),
                                                 figures->tokens_out);

      append_part (parts, tokens);
      if (figures->tokens_per_s >= 0 && !figures->cached)
        g_string_append_printf (parts, _(" at %.1f tokens/s"), figures->tokens_per_s);
    }
  if (figures->ttft_ms >= 0 && error == NULL)
    {
      g_autofree char *ttft = g_strdup_printf (_("first token after %.0f ms"), figures->ttft_ms);

      append_part (parts, ttft);
    }
  if (figures->total_ms >= 0)
    {
      g_autofree char *duration = format_duration (figures->total_ms);
      g_autofree char *total = g_strdup_printf (_("%s in all"), duration);

      append_part (parts, total);
    }
  if (g_strcmp0 (hearth_reply_get_done_reason (reply), "length") == 0)
    append_part (parts, _("cut off at the length limit"));
  g_string_append (text, parts->str);
  if (hearth_answer_set_candidate_waited (set, index))
    g_string_append (text, _("; it waited for another model on its server"));
  if (figures->load_ms > 0)
    {
      g_autofree char *duration = format_duration (figures->load_ms);

      g_string_append_printf (text, _("; the model was loaded first (%s)"), duration);
    }
  if (hearth_reply_get_message_id (reply) > 0)
    g_string_append_printf (text, _(". Message %" PRId64 "."), hearth_reply_get_message_id (reply));
  else
    g_string_append (text, ".");
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/**
 * finish_answer_set:
 * @need_winner: an ensemble: without a winner, the set failed
 *
 * The exit code once @set is over, and its failures on standard error:
 * one line per candidate that did not answer, or one for the set.
 */
int
finish_answer_set (Cli             *cli,
                   HearthAnswerSet *set,
                   gboolean         need_winner)
{
  guint n = hearth_answer_set_get_n_candidates (set);
  const GError *first_error = NULL;
  const GError *save_error = NULL;
  gboolean answered = FALSE;

  if (output_failed ())
    return EXIT_OUTPUT;
  if (cli->interrupted)
    {
      g_printerr (_("hearth-cli: Interrupted. The answers so far were kept in conversation %"
                  PRId64 ".\n"), hearth_answer_set_get_conversation_id (set));
      return EXIT_INTERRUPTED;
    }
  for (guint i = 0; i < n; i++)
    {
      HearthReply *reply = hearth_answer_set_get_candidate (set, i);
      const GError *error = hearth_reply_get_error (reply);

      if (hearth_reply_get_save_error (reply) != NULL && save_error == NULL)
        save_error = hearth_reply_get_save_error (reply);
      if (hearth_reply_get_state (reply) == HEARTH_REPLY_DONE)
        answered = TRUE;
      /* first-good cancels the others once one passed: that is no failure */
      if (error == NULL || hearth_reply_get_state (reply) == HEARTH_REPLY_CANCELLED)
        continue;
      if (first_error == NULL)
        first_error = error;
      {
        g_autofree char *line = hearth_error_describe (error);
        g_autofree char *label = candidate_label (set, i);

        g_printerr (_("hearth-cli: %s did not answer: %s\n"), label, line);
      }
    }
  if (save_error != NULL)
    {
      g_printerr (_("hearth-cli: The answers were printed but not all were saved in the "
                    "history: %s. Free some space or check the history, then ask again.\n"),
                  save_error->message);
      return EXIT_DATABASE;
    }
  /* every member failed: each one said why above */
  if (need_winner && hearth_answer_set_get_winner (set) < 0 && first_error != NULL)
    return exit_code_for_error (first_error);
  if (need_winner && hearth_answer_set_get_winner (set) < 0)
    {
      g_autofree char *line = g_strdup (hearth_answer_set_get_reason (set) != NULL
                                        ? hearth_answer_set_get_reason (set) : _("No answer won"));

      g_strchomp (line);
      if (g_str_has_suffix (line, "."))
        line[strlen (line) - 1] = '\0';
      g_printerr (_("hearth-cli: %s. Each answer is in conversation %" PRId64
                  " (hearth-cli history show %" PRId64 ").\n"), line,
                  hearth_answer_set_get_conversation_id (set),
                  hearth_answer_set_get_conversation_id (set));
      return EXIT_FAILED;
    }
  if (!need_winner && !answered && first_error != NULL)
    return exit_code_for_error (first_error);
  return 0;
}

/* compare */

static void
print_compare_json (HearthAnswerSet *set)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  hearth_json_add_string (builder, "method", hearth_set_method_to_string (HEARTH_SET_COMPARE));
  json_builder_set_member_name (builder, "candidates");
  json_builder_begin_array (builder);
  for (guint i = 0; i < hearth_answer_set_get_n_candidates (set); i++)
    add_candidate_json (builder, set, i);
  json_builder_end_array (builder);
  hearth_json_add_string (builder, "schedule", hearth_answer_set_get_schedule (set));
  hearth_json_add_int (builder, "question_id", hearth_answer_set_get_question_id (set));
  hearth_json_add_int (builder, "conversation_id", hearth_answer_set_get_conversation_id (set));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  print_json (root);
}

static void
print_compare_summary (HearthAnswerSet *set)
{
  const char *schedule = hearth_answer_set_get_schedule (set);

  for (guint i = 0; i < hearth_answer_set_get_n_candidates (set); i++)
    {
      g_autofree char *line = describe_candidate (set, i);

      g_print ("%s\n", line);
    }
  if (schedule != NULL)
    g_print ("%s\n", schedule);
  g_print (_("Conversation %" PRId64 ". Keep one answer as its reply with "
             "hearth-cli compare --pick MESSAGE_ID; rate one with hearth-cli rate MESSAGE_ID "
             "up|down.\n"), hearth_answer_set_get_conversation_id (set));
}

/* A MODEL@SERVER of a server that is not in the list: exit 4, naming the list. */
static gboolean
check_servers (HearthEngine  *engine,
               char         **models,
               int           *exit_code)
{
  HearthServers *servers = hearth_engine_get_servers (engine);

  for (guint i = 0; models[i] != NULL; i++)
    {
      g_autofree char *model = NULL;
      g_autofree char *server = NULL;

      hearth_split_model_at_server (models[i], &model, &server);
      if (server != NULL && hearth_servers_lookup (servers, server) == NULL)
        {
          *exit_code = fail_unknown_server (servers, server);
          return FALSE;
        }
    }
  return TRUE;
}

static int
compare_pick (HearthEngine *engine)
{
  g_autoptr(GError) error = NULL;

  if (!hearth_engine_pick_answer (engine, opt_pick, &error))
    return fail (error);
  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      hearth_json_add_int (builder, "message_id", opt_pick);
      json_builder_set_member_name (builder, "kept");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      print_json (root);
    }
  else
    g_print (_("Kept message %" PRId64 " as its conversation's reply; the other answers "
               "stay in the history.\n"), opt_pick);
  return 0;
}

int
hearth_cli_command_compare (int    argc,
                            char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthAnswerSet) set = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) models = NULL;
  g_autofree char *prompt = NULL;
  g_autofree char *summary = NULL;
  HearthChatRequest *request;
  SetOutput output;
  Cli cli = { 0 };
  int exit_code = 0;

  for (int i = 2; i < argc && !g_str_equal (argv[i], "--"); i++)
    if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
      {
        g_print ("%s\n\n", COMPARE_SUMMARY);
        break;
      }
  if (!parse_options ("compare", N_("--models A,B[,C,D] PROMPT | -  or  --pick MESSAGE_ID"),
                      compare_entries, FALSE, &argc, &argv, &exit_code))
    return exit_code;
  if (opt_pick > 0)
    {
      if (opt_models != NULL || opt_system != NULL || opt_conversation > 0 || opt_no_cache ||
          argc > 2)
        return usage_error ("compare", _("--pick takes a message id and nothing else: "
                                         "hearth-cli compare --pick MESSAGE_ID"));
      if ((engine = open_engine (settings, HEARTH_ENGINE_HISTORY, &error)) == NULL)
        return fail (error);
      return compare_pick (engine);
    }
  if (opt_models == NULL)
    return usage_error ("compare", _("Say which models to compare: hearth-cli compare --models "
                                     "qwen3:4b,llama3.2:3b \"why is the sky blue?\""));
  if ((models = parse_model_list ("compare", "--models", opt_models, &exit_code)) == NULL)
    return exit_code;
  if (argc < 3)
    return usage_error ("compare", _("Say what to ask: hearth-cli compare --models A,B "
                                     "\"why is the sky blue?\""));
  if ((prompt = read_prompt (argc, argv, &exit_code)) == NULL)
    return exit_code;
  if (prompt_is_blank (prompt))
    return usage_error ("compare", _("The prompt is empty"));
  if ((engine = open_engine (settings, HEARTH_ENGINE_HISTORY | HEARTH_ENGINE_CACHE,
                             &error)) == NULL)
    return fail (error);
  if (!check_servers (engine, models, &exit_code))
    return exit_code;

  request = hearth_chat_request_new ();
  request->system = g_strdup (opt_system);
  request->bypass_cache = opt_no_cache;
  hearth_chat_request_add_message (request, "user", prompt);
  set = hearth_engine_compare (engine, request, (const char * const *) models, opt_conversation,
                               &error);
  if (set == NULL)
    return fail (error);

  output = opt_json ? SET_QUIET : output_is_terminal (OUTPUT_STDOUT) ? SET_LINES : SET_BLOCKS;
  run_answer_set (&cli, set, output);
  if (!cli.interrupted && !output_failed ())
    {
      if (opt_json)
        print_compare_json (set);
      else
        {
          if (output == SET_LINES)
            g_print ("\n");
          print_compare_summary (set);
        }
    }
  exit_code = finish_answer_set (&cli, set, FALSE);
  /* The alert rules judged the replies (a slow model): what they send is let finish. */
  alerts_wait_until_idle (hearth_engine_get_alerts (engine), ALERTS_EXIT_WAIT_S);
  return exit_code;
}
