/* hearth-cli-history.c — hearth-cli history: list, show, search, rename and delete conversations
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include <inttypes.h>

#include "hearth-cli-private.h"
#include "hearth-endpoint.h"

/* A conversation number, or a usage error that says what one is. */
static gboolean
parse_id (const char *sub,
          const char *text,
          gint64     *id,
          int        *exit_code)
{
  g_autofree char *message = NULL;

  if (g_ascii_string_to_signed (text, 10, 1, G_MAXINT64, id, NULL))
    return TRUE;
  message = g_strdup_printf (_("history %s takes a conversation number, 1 or more, not “%s”"),
                             sub, text);
  *exit_code = usage_error ("history", message);
  return FALSE;
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
history_list (HearthEngine *engine)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) conversations = NULL;
  Cli cli = { 0 };

  hearth_engine_list_conversations_async (engine, NULL, keep_result, &cli);
  run_loop (&cli);
  conversations = hearth_engine_list_conversations_finish (engine, cli.result, &error);
  g_clear_object (&cli.result);
  if (conversations == NULL)
    return fail (error);
  if (opt_json)
    {
      print_json_list (conversations, (HearthJsonAddFunc) add_conversation_json);
      return 0;
    }
  if (conversations->len == 0)
    {
      g_printerr (_("hearth-cli: No conversations yet. Start one with hearth-cli ask \"…\".\n"));
      return 0;
    }
  for (guint i = 0; i < conversations->len; i++)
    {
      HearthConversation *c = g_ptr_array_index (conversations, i);
      g_autofree char *when = format_time (c->updated_ms);

      g_print (_("%6" PRId64 "  %s  %3" PRId64 " msgs  %s\n"),
               c->id, when, c->n_messages, c->title);
    }
  return 0;
}

/* A set's answer: "kept", "kept by you", "not kept"; NULL outside a set */
static const char *
describe_pick (HearthMessage *m)
{
  if (m->set_question <= 0)
    return NULL;
  if (g_strcmp0 (m->set_role, HEARTH_SET_ROLE_JUDGE) == 0)
    return "judge";
  switch (m->pick)
    {
    case HEARTH_PICK_USER:
      return N_("kept by you");
    case HEARTH_PICK_AUTO:
      return N_("kept");
    case HEARTH_PICK_NOT:
      return N_("not kept");
    case HEARTH_PICK_NONE:
    default:
      return NULL;
    }
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
  /* one answer of a compare or an ensemble (hearth-answer-set.h), its rating */
  hearth_json_add_int (builder, "set_question", m->set_question > 0 ? m->set_question : -1);
  hearth_json_add_string (builder, "set_method", m->set_method);
  hearth_json_add_string (builder, "set_name", m->set_name);
  hearth_json_add_string (builder, "set_role", m->set_role);
  hearth_json_add_string (builder, "pick", describe_pick (m));
  hearth_json_add_string (builder, "set_reason", m->set_reason);
  json_builder_set_member_name (builder, "rating");
  if (m->rating != 0)
    json_builder_add_int_value (builder, m->rating);
  else
    json_builder_add_null_value (builder);
  hearth_json_add_string (builder, "rating_note", m->rating_note);
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
    g_print (_(" · %.1f tokens/s"), m->figures.tokens_per_s);
  /* what hearth-cli rate and compare --pick take, and what they did */
  if (assistant)
    g_print (_(" · message %" PRId64), m->id);
  if (describe_pick (m) != NULL)
    g_print (" · %s", g_str_equal (describe_pick (m), "judge") ? _("the judge's verdict")
                                                              : _(describe_pick (m)));
  if (m->rating != 0)
    g_print (_(" · rated %s"), m->rating > 0 ? "up" : "down");
  g_print ("\n%s\n", m->content ? m->content : "");
  if (m->error != NULL)
    g_print ("(%s)\n", m->error);
  g_print ("\n");
}

static int
history_show (HearthEngine *engine,
              const char   *id_text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthConversation) conversation = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  Cli cli = { 0 };
  int exit_code = 0;
  gint64 id;

  if (!parse_id ("show", id_text, &id, &exit_code))
    return exit_code;
  conversation = hearth_engine_get_conversation (engine, id, &error);
  if (conversation == NULL)
    return fail (error);
  hearth_engine_list_messages_async (engine, id, 0, 0, NULL, keep_result, &cli);
  run_loop (&cli);
  messages = hearth_engine_list_messages_finish (engine, cli.result, &error);
  g_clear_object (&cli.result);
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

/* A title-only match has no message: its role is "title", its line the title. */
static const char *
match_role (const HearthConversationMatch *match)
{
  return match->message_id != 0 ? match->role : "title";
}

static void
add_match_json (JsonBuilder             *builder,
                HearthConversationMatch *match)
{
  hearth_json_add_int (builder, "conversation_id", match->conversation->id);
  hearth_json_add_int (builder, "message_id", match->message_id != 0 ? match->message_id : -1);
  hearth_json_add_string (builder, "title", match->conversation->title);
  hearth_json_add_string (builder, "role", match_role (match));
  hearth_json_add_string (builder, "snippet", match->snippet);
  hearth_json_add_int (builder, "created_ms", match->created_ms);
}

static void
print_match (const HearthConversationMatch *match)
{
  g_autofree char *line = g_strdup (match->snippet != NULL ? match->snippet
                                                            : match->conversation->title);

  g_strdelimit (line, "\r\n", ' ');
  g_print ("%6" G_GINT64_FORMAT "  %-9s %s\n        %s\n", match->conversation->id,
           match_role (match), match->conversation->title, line);
}

static int
history_search (HearthEngine *engine,
                const char   *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) matches = NULL;
  Cli cli = { 0 };
  int exit_code = 0;

  if (!check_text (_("The search text"), query, strlen (query), &exit_code))
    return exit_code;
  hearth_engine_search_async (engine, query, 50, NULL, keep_result, &cli);
  run_loop (&cli);
  matches = hearth_engine_search_finish (engine, cli.result, &error);
  g_clear_object (&cli.result);
  if (matches == NULL)
    return fail (error);
  if (opt_json)
    {
      print_json_list (matches, (HearthJsonAddFunc) add_match_json);
      return 0;
    }
  if (matches->len == 0)
    {
      g_printerr (_("hearth-cli: Nothing in the history matches “%s”.\n"), query);
      return 0;
    }
  for (guint i = 0; i < matches->len; i++)
    print_match (g_ptr_array_index (matches, i));
  return 0;
}

static int
history_rename (HearthEngine  *engine,
                char         **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *title = g_strstrip (g_strjoinv (" ", argv + 4));
  int exit_code = 0;
  gint64 id;

  if (!parse_id ("rename", argv[3], &id, &exit_code) ||
      !check_text (_("The title"), title, strlen (title), &exit_code))
    return exit_code;
  if (*title == '\0')
    return usage_error ("history", _("The new title is empty"));
  if (!hearth_engine_rename_conversation (engine, id, title, &error))
    return fail (error);
  return 0;
}

static int
history_delete (HearthEngine *engine,
                const char   *id_text)
{
  g_autoptr(GError) error = NULL;
  int exit_code = 0;
  gint64 id;

  if (!parse_id ("delete", id_text, &id, &exit_code))
    return exit_code;
  if (!hearth_engine_delete_conversation (engine, id, &error))
    return fail (error);
  return 0;
}

#define HISTORY_USAGE _("Use history list, show ID, search TEXT, rename ID TITLE or delete ID")

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

int
hearth_cli_command_history (int    argc,
                            char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  const char *sub;
  int exit_code = 0;

  if (!parse_options ("history", N_("list | show ID | search TEXT | rename ID TITLE | delete ID"),
                      NULL, FALSE, &argc, &argv, &exit_code))
    return exit_code;
  sub = argc > 2 ? argv[2] : "list";
  if (!history_args_valid (sub, argc))
    return usage_error ("history", HISTORY_USAGE);

  if ((engine = open_engine (settings, HEARTH_ENGINE_HISTORY, &error)) == NULL)
    return fail (error);
  if (g_str_equal (sub, "show"))
    return history_show (engine, argv[3]);
  if (g_str_equal (sub, "rename"))
    return history_rename (engine, argv);
  if (g_str_equal (sub, "delete"))
    return history_delete (engine, argv[3]);
  if (g_str_equal (sub, "search"))
    {
      g_autofree char *query = g_strjoinv (" ", argv + 3);
      return history_search (engine, query);
    }
  return history_list (engine);
}
