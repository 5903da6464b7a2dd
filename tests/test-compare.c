/* test-compare.c — one question asked of several models (compare and
 * ensembles) against the real test engine (fixed models that each answer
 * their own sentence) and the fault server: the schedule on one server
 * and on two, a member failing while the others finish, "Use this answer"
 * changing what the next question carries, vote, judge and first-good
 * choosing as they should, a repeated deterministic ensemble served by the
 * cache, and every request counted
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * "laptop" and "big-box" are two servers of the list on the one test
 * engine (two names, two queues); "faulty" is the fault server.
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "hearth-endpoint.h"
#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

#define PARIS         "Paris."
#define PARIS_TOO     "paris"
#define LYON          "Lyon."
#define LONG_ANSWER   "The capital of France is Paris, a large city on the river Seine."
#define JUDGE_TWO     "Answer 2 is the best because it names the right city."
#define JUDGE_GARBAGE "They are all lovely answers."
#define REFUSAL       "I can't help with that."
#define QUESTION      "What is the capital of France?"

typedef struct
{
  GSettings     *settings;
  HearthEngine  *engine;
  HearthServers *servers;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *conf = g_build_filename (g_get_user_config_dir (), "hearth", "servers.conf",
                                            NULL);
  g_autoptr(GPtrArray) old = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  f->settings = hearth_settings_try_new ();
  g_assert_nonnull (f->settings);
  g_remove (conf);
  f->engine = hearth_engine_new_for_settings (f->settings,
                                              HEARTH_ENGINE_HISTORY | HEARTH_ENGINE_CACHE);
  f->servers = hearth_engine_get_servers (f->engine);
  if (!hearth_test_require_node ())
    return;
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (f->servers)); i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (G_LIST_MODEL (f->servers), i);

      g_ptr_array_add (old, g_strdup (hearth_server_get_name (server)));
    }
  g_assert_nonnull (hearth_servers_add (f->servers, "laptop", hearth_test_engine_url (),
                                        HEARTH_API_OLLAMA, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (hearth_servers_add (f->servers, "big-box", hearth_test_engine_url (),
                                        HEARTH_API_OLLAMA, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (hearth_servers_add (f->servers, "faulty", hearth_test_fault_url (),
                                        HEARTH_API_OLLAMA, FALSE, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < old->len; i++)
    {
      hearth_servers_remove (f->servers, old->pdata[i], &error);
      g_assert_no_error (error);
    }
  g_assert_cmpstr (hearth_server_get_name (hearth_servers_get_default (f->servers)), ==, "laptop");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  hearth_engine_shutdown (f->engine);
  g_clear_object (&f->engine);
  g_clear_object (&f->settings);
}

static HearthChatRequest *
question_request (const char *text)
{
  HearthChatRequest *request = hearth_chat_request_new ();

  hearth_chat_request_add_message (request, "user", text);
  return request;
}

static gboolean
give_up (gpointer user_data)
{
  g_error ("the set did not finish in time");
  return G_SOURCE_REMOVE;
}

static void
quit_loop (gpointer   object,
           GMainLoop *loop)
{
  g_main_loop_quit (loop);
}

static void
wait_finished (HearthAnswerSet *set)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  guint timeout;

  if (hearth_answer_set_is_finished (set))
    return;
  g_signal_connect (set, "finished", G_CALLBACK (quit_loop), loop);
  timeout = g_timeout_add_seconds (120, give_up, NULL);
  g_main_loop_run (loop);
  g_source_remove (timeout);
  g_signal_handlers_disconnect_by_data (set, loop);
  g_assert_true (hearth_answer_set_is_finished (set));
}

static HearthAnswerSet *
compare (Fixture            *f,
         const char         *question,
         const char * const *models,
         gint64              conversation_id)
{
  g_autoptr(GError) error = NULL;
  HearthAnswerSet *set = hearth_engine_compare (f->engine, question_request (question), models,
                                                conversation_id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (set);
  g_assert_cmpuint (hearth_answer_set_get_n_candidates (set), ==, g_strv_length ((char **) models));
  wait_finished (set);
  return set;
}

static HearthAnswerSet *
ask_ensemble (Fixture            *f,
              const char         *question,
              const char * const *models,
              HearthSetMethod     method,
              const char         *judge,
              gint64              conversation_id)
{
  g_autoptr(HearthEnsemble) ensemble = hearth_ensemble_new (NULL, models, method, judge);
  g_autoptr(GError) error = NULL;
  HearthAnswerSet *set = hearth_engine_ask_ensemble (f->engine, question_request (question),
                                                     ensemble, conversation_id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (set);
  wait_finished (set);
  return set;
}

static HearthReply *
candidate (HearthAnswerSet *set,
           guint            index)
{
  return hearth_answer_set_get_candidate (set, index);
}

static void
assert_answered (HearthAnswerSet *set,
                 guint            index,
                 const char      *content,
                 const char      *server)
{
  HearthReply *reply = candidate (set, index);

  g_assert_no_error (hearth_reply_get_error (reply));
  g_assert_cmpint (hearth_reply_get_state (reply), ==, HEARTH_REPLY_DONE);
  g_assert_cmpstr (hearth_reply_get_content (reply), ==, content);
  g_assert_cmpstr (hearth_reply_get_server (reply), ==, server);
}

/* The conversation as the history keeps it. */
static GPtrArray *
stored (Fixture *f,
        gint64   conversation_id)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *messages = hearth_store_list_messages (hearth_engine_get_store (f->engine),
                                                    conversation_id, 0, 0, &error);

  g_assert_no_error (error);
  return messages;
}

static HearthMessage *
stored_message (GPtrArray *messages,
                gint64     id)
{
  for (guint i = 0; i < messages->len; i++)
    if (((HearthMessage *) messages->pdata[i])->id == id)
      return messages->pdata[i];
  g_error ("message %" G_GINT64_FORMAT " is not in the history", id);
  return NULL;
}

static HearthMessage *
stored_candidate (GPtrArray       *messages,
                  HearthAnswerSet *set,
                  guint            index)
{
  return stored_message (messages, hearth_reply_get_message_id (candidate (set, index)));
}

/* The test engine's log: the request lines whose last message is @prompt. */
static GPtrArray *
engine_requests (const char *prompt)
{
  g_autofree char *log = hearth_test_server_read_log (hearth_test_engine_server (NULL));
  g_auto(GStrv) lines = g_strsplit (log, "\n", -1);
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = NULL;
      JsonObject *object;

      if (*lines[i] == '\0')
        continue;
      node = json_from_string (lines[i], NULL);
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        continue;
      object = json_node_get_object (node);
      if (g_strcmp0 (json_object_get_string_member_with_default (object, "event", ""), "request") == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (object, "path", ""), "/api/chat") == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (object, "prompt", ""), prompt) == 0)
        g_ptr_array_add (found, g_steal_pointer (&node));
    }
  return found;
}

/* What a logged request carried before its question, "role: text" joined by " | ". */
static char *
earlier_of (JsonNode *request)
{
  g_autoptr(GString) text = g_string_new (NULL);
  JsonObject *object = json_node_get_object (request);
  JsonArray *earlier;

  if (!json_object_has_member (object, "earlier"))
    return g_strdup ("");
  earlier = json_object_get_array_member (object, "earlier");
  for (guint i = 0; i < json_array_get_length (earlier); i++)
    g_string_append_printf (text, "%s%s", i > 0 ? " | " : "",
                            json_array_get_string_element (earlier, i));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The context of the one request that asked @prompt. */
static char *
context_sent (const char *prompt)
{
  g_autoptr(GPtrArray) requests = engine_requests (prompt);

  g_assert_cmpuint (requests->len, ==, 1);
  return earlier_of (requests->pdata[0]);
}

/* Asks tiny-fixed @prompt in @conversation_id and waits. */
static void
follow_up (Fixture    *f,
           gint64      conversation_id,
           const char *prompt)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthReply) reply = NULL;
  HearthChatRequest *request = question_request (prompt);

  request->model = g_strdup ("tiny-fixed");
  reply = hearth_engine_chat (f->engine, NULL, request, conversation_id, &error);
  g_assert_no_error (error);
  g_signal_connect (reply, "finished", G_CALLBACK (quit_loop), loop);
  if (!hearth_reply_is_finished (reply))
    g_main_loop_run (loop);
  g_assert_cmpint (hearth_reply_get_state (reply), ==, HEARTH_REPLY_DONE);
}

static void
keep_result (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* The metrics' rows (one per request) of @conversation_id. */
static guint
count_requests (Fixture *f,
                gint64   conversation_id,
                guint   *cached)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  hearth_engine_list_requests_async (f->engine, 0, NULL, NULL, keep_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  rows = hearth_engine_list_requests_finish (f->engine, result, &error);
  g_assert_no_error (error);
  if (cached != NULL)
    *cached = 0;
  for (guint i = 0; i < rows->len; i++)
    {
      HearthMessage *row = rows->pdata[i];

      if (row->conversation_id != conversation_id)
        continue;
      n++;
      if (cached != NULL && row->figures.cached)
        (*cached)++;
    }
  return n;
}

/* Compare */

static void
test_compare_two_servers (Fixture       *f,
                          gconstpointer  data)
{
  const char *models[] = { "say-paris@laptop", "say-lyon@big-box", NULL };
  g_autoptr(HearthAnswerSet) set = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  HearthMessage *question, *first, *second;
  int winner;

  if (!hearth_test_require_node ())
    return;
  set = compare (f, QUESTION " (two servers)", models, -1);
  g_assert_cmpstr (hearth_answer_set_get_schedule (set), ==,
                   "At once: each model is on its own server.");
  g_assert_false (hearth_answer_set_candidate_waited (set, 0));
  g_assert_false (hearth_answer_set_candidate_waited (set, 1));
  g_assert_cmpint (hearth_answer_set_get_method (set), ==, HEARTH_SET_COMPARE);
  g_assert_null (hearth_answer_set_get_name (set));
  assert_answered (set, 0, PARIS, "laptop");
  assert_answered (set, 1, LYON, "big-box");
  g_assert_cmpstr (hearth_reply_get_model (candidate (set, 0)), ==, "say-paris:latest");

  /* Compare never decides by itself: the first answer is kept for now. */
  g_assert_false (hearth_answer_set_is_decided (set));
  winner = hearth_answer_set_get_winner (set);
  g_assert_true (winner == 0 || winner == 1);
  g_assert_nonnull (hearth_answer_set_get_reason (set));

  /* The question once, each answer a message of the set. */
  messages = stored (f, hearth_answer_set_get_conversation_id (set));
  g_assert_cmpuint (messages->len, ==, 3);
  question = messages->pdata[0];
  g_assert_cmpstr (question->role, ==, "user");
  g_assert_cmpint (question->id, ==, hearth_answer_set_get_question_id (set));
  g_assert_cmpint (question->pick, ==, HEARTH_PICK_NONE);
  first = stored_candidate (messages, set, 0);
  second = stored_candidate (messages, set, 1);
  g_assert_cmpstr (first->content, ==, PARIS);
  g_assert_cmpstr (second->content, ==, LYON);
  for (guint i = 1; i < messages->len; i++)
    {
      HearthMessage *message = messages->pdata[i];

      g_assert_cmpint (message->set_question, ==, question->id);
      g_assert_cmpstr (message->set_method, ==, "compare");
      g_assert_cmpstr (message->set_role, ==, HEARTH_SET_ROLE_CANDIDATE);
      g_assert_null (message->set_name);
    }
  g_assert_cmpint (stored_candidate (messages, set, winner)->pick, ==, HEARTH_PICK_AUTO);
  g_assert_cmpint (stored_candidate (messages, set, 1 - winner)->pick, ==, HEARTH_PICK_NOT);
  g_assert_cmpstr (stored_candidate (messages, set, winner)->set_reason, ==,
                   hearth_answer_set_get_reason (set));

  /* Each answer is a request of the metrics. */
  g_assert_cmpuint (count_requests (f, hearth_answer_set_get_conversation_id (set), NULL), ==, 2);
}

static void
test_compare_one_server (Fixture       *f,
                         gconstpointer  data)
{
  const char *one_server[] = { "say-paris", "say-lyon", NULL };
  const char *mixed[] = { "say-paris", "say-lyon@laptop", "tiny-fixed@big-box", NULL };
  g_autoptr(HearthAnswerSet) set = NULL;
  g_autoptr(HearthAnswerSet) mixed_set = NULL;
  g_autoptr(GPtrArray) paris = NULL;
  g_autoptr(GPtrArray) lyon = NULL;
  const char *schedule;

  if (!hearth_test_require_node ())
    return;
  set = compare (f, "One server, one model at a time?", one_server, -1);
  g_assert_true (g_str_has_prefix (hearth_answer_set_get_schedule (set),
                                   "One after another on laptop: an Ollama server keeps one model "
                                   "in memory at a time"));
  g_assert_false (hearth_answer_set_candidate_waited (set, 0));
  g_assert_true (hearth_answer_set_candidate_waited (set, 1));
  assert_answered (set, 0, PARIS, "laptop");
  assert_answered (set, 1, LYON, "laptop");
  /* The one that waited went second, and the first finished first. */
  g_assert_cmpint (hearth_answer_set_get_winner (set), ==, 0);
  paris = engine_requests ("One server, one model at a time?");
  g_assert_cmpuint (paris->len, ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (paris->pdata[0]), "model"),
                   ==, "say-paris:latest");

  /* Two on laptop one after another, big-box's at the same time. */
  mixed_set = compare (f, "A mixed schedule?", mixed, -1);
  schedule = hearth_answer_set_get_schedule (mixed_set);
  g_assert_nonnull (strstr (schedule, "say-paris then say-lyon on laptop"));
  g_assert_nonnull (strstr (schedule, "At the same time: tiny-fixed on big-box."));
  g_assert_false (hearth_answer_set_candidate_waited (mixed_set, 0));
  g_assert_true (hearth_answer_set_candidate_waited (mixed_set, 1));
  g_assert_false (hearth_answer_set_candidate_waited (mixed_set, 2));
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (hearth_reply_get_state (candidate (mixed_set, i)), ==, HEARTH_REPLY_DONE);
  lyon = engine_requests ("A mixed schedule?");
  g_assert_cmpuint (lyon->len, ==, 3);
}

/* One member fails (before and during its answer): the others still finish. */
static void
test_compare_member_fails (Fixture       *f,
                           gconstpointer  data)
{
  const char *models[] = { "say-paris@laptop", "error-500@faulty", "drop-mid-stream@faulty", NULL };
  g_autoptr(HearthAnswerSet) set = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  HearthMessage *failed, *dropped;

  if (!hearth_test_require_node ())
    return;
  set = compare (f, "Does one failure stop the others?", models, -1);
  assert_answered (set, 0, PARIS, "laptop");
  /* Each failure is on its own reply, where it happened: no fallback. */
  g_assert_cmpint (hearth_reply_get_state (candidate (set, 1)), ==, HEARTH_REPLY_FAILED);
  g_assert_nonnull (strstr (hearth_reply_get_error (candidate (set, 1))->message,
                            "something broke"));
  g_assert_cmpstr (hearth_reply_get_server (candidate (set, 1)), ==, "faulty");
  g_assert_null (hearth_reply_get_fallback_from (candidate (set, 1)));
  g_assert_cmpint (hearth_reply_get_state (candidate (set, 2)), ==, HEARTH_REPLY_FAILED);
  g_assert_cmpstr (hearth_reply_get_content (candidate (set, 2)), ==, "Partial answer that stops");
  /* The two on faulty went one after another; the failure did not stop the second. */
  g_assert_true (hearth_answer_set_candidate_waited (set, 2));

  g_assert_cmpint (hearth_answer_set_get_winner (set), ==, 0);
  messages = stored (f, hearth_answer_set_get_conversation_id (set));
  g_assert_cmpuint (messages->len, ==, 4);
  failed = stored_candidate (messages, set, 1);
  g_assert_cmpint (failed->state, ==, HEARTH_MESSAGE_FAILED);
  g_assert_nonnull (strstr (failed->error, "something broke"));
  g_assert_cmpint (failed->pick, ==, HEARTH_PICK_NOT);
  dropped = stored_candidate (messages, set, 2);
  g_assert_cmpint (dropped->state, ==, HEARTH_MESSAGE_FAILED);
  g_assert_cmpint (stored_candidate (messages, set, 0)->pick, ==, HEARTH_PICK_AUTO);
  g_assert_cmpuint (count_requests (f, hearth_answer_set_get_conversation_id (set), NULL), ==, 3);
}

static void
test_compare_all_fail (Fixture       *f,
                       gconstpointer  data)
{
  const char *models[] = { "error-500@faulty", "no-such-model@laptop", NULL };
  g_autoptr(HearthAnswerSet) set = NULL;

  if (!hearth_test_require_node ())
    return;
  set = compare (f, "Can anyone answer?", models, -1);
  g_assert_cmpint (hearth_reply_get_state (candidate (set, 0)), ==, HEARTH_REPLY_FAILED);
  g_assert_cmpint (hearth_reply_get_state (candidate (set, 1)), ==, HEARTH_REPLY_FAILED);
  g_assert_error (hearth_reply_get_error (candidate (set, 1)), HEARTH_ERROR,
                  HEARTH_ERROR_MODEL_NOT_FOUND);
  g_assert_true (hearth_answer_set_is_decided (set));
  g_assert_cmpint (hearth_answer_set_get_winner (set), ==, -1);
  g_assert_cmpstr (hearth_answer_set_get_reason (set), ==,
                   "Every model failed: each one's error is under its answer");
}

static void
on_finished_cancel (HearthReply     *reply,
                    HearthAnswerSet *set)
{
  hearth_answer_set_cancel (set);
}

/* Stopping a set stops what still runs and keeps what finished. */
static void
test_compare_cancel (Fixture       *f,
                     gconstpointer  data)
{
  const char *models[] = { "slow@faulty", "say-paris@laptop", NULL };
  g_autoptr(HearthAnswerSet) at_once = NULL;
  g_autoptr(HearthAnswerSet) later = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;

  if (!hearth_test_require_node ())
    return;
  /* Before anything was sent: every answer ends as cancelled, and is kept so. */
  at_once = hearth_engine_compare (f->engine, question_request ("Stopped at once?"), models, -1,
                                   &error);
  g_assert_no_error (error);
  hearth_answer_set_cancel (at_once);
  wait_finished (at_once);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpint (hearth_reply_get_state (candidate (at_once, i)), ==, HEARTH_REPLY_CANCELLED);
  g_assert_true (hearth_answer_set_is_decided (at_once));
  g_assert_cmpint (hearth_answer_set_get_winner (at_once), ==, -1);
  g_assert_cmpstr (hearth_answer_set_get_reason (at_once), ==,
                   "Stopped before an answer could be kept");
  messages = stored (f, hearth_answer_set_get_conversation_id (at_once));
  g_assert_cmpuint (messages->len, ==, 3);
  g_assert_cmpint (stored_candidate (messages, at_once, 0)->state, ==, HEARTH_MESSAGE_CANCELLED);

  /* Once one answered: the slow one stops, the answer stays kept. */
  later = hearth_engine_compare (f->engine, question_request ("Stopped after one?"), models, -1,
                                 &error);
  g_assert_no_error (error);
  g_signal_connect_object (candidate (later, 1), "finished", G_CALLBACK (on_finished_cancel),
                           later, G_CONNECT_AFTER);
  wait_finished (later);
  assert_answered (later, 1, PARIS, "laptop");
  g_assert_cmpint (hearth_reply_get_state (candidate (later, 0)), ==, HEARTH_REPLY_CANCELLED);
  g_assert_cmpint (hearth_answer_set_get_winner (later), ==, 1);
  g_assert_false (hearth_answer_set_is_decided (later));
}

/* Bad input: a sentence, and nothing stored. */
static void
test_compare_refused (Fixture       *f,
                      gconstpointer  data)
{
  const char *one[] = { "say-paris", NULL };
  const char *five[] = { "a", "b", "c", "d", "e", NULL };
  const char *twice[] = { "say-paris", "say-lyon", "say-paris", NULL };
  const char *fine[] = { "say-paris", "say-lyon", NULL };
  const char * const *bad[] = { one, five, twice };
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GError) error = NULL;

  before = hearth_store_list_conversations (hearth_engine_get_store (f->engine), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_null (hearth_engine_compare (f->engine, question_request ("Refused?"), bad[i], -1,
                                            &error));
      g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
      g_assert_null (strchr (error->message, '\n'));
      g_clear_error (&error);
    }
  g_assert_null (hearth_engine_compare (f->engine, question_request ("Refused?"), fine,
                                        HEARTH_CONVERSATION_API, &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  after = hearth_store_list_conversations (hearth_engine_get_store (f->engine), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (after->len, ==, before->len);
}

/* "Use this answer": the kept one is what the next question carries. */
static void
test_pick_changes_context (Fixture       *f,
                           gconstpointer  data)
{
  const char *models[] = { "say-paris@laptop", "say-long@big-box", NULL };
  g_autoptr(HearthAnswerSet) set = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *context = NULL;
  g_autofree char *expected = NULL;
  const char *question = "Which answer will the next question see?";
  gint64 conversation, paris_id, long_id;

  if (!hearth_test_require_node ())
    return;
  set = compare (f, question, models, -1);
  conversation = hearth_answer_set_get_conversation_id (set);
  paris_id = hearth_reply_get_message_id (candidate (set, 0));
  long_id = hearth_reply_get_message_id (candidate (set, 1));

  g_assert_true (hearth_engine_pick_answer (f->engine, long_id, &error));
  g_assert_no_error (error);
  /* The set still shown says so. */
  g_assert_true (hearth_answer_set_is_decided (set));
  g_assert_cmpint (hearth_answer_set_get_winner (set), ==, 1);
  g_assert_cmpstr (hearth_answer_set_get_reason (set), ==, "You chose this answer");
  messages = stored (f, conversation);
  g_assert_cmpint (stored_message (messages, long_id)->pick, ==, HEARTH_PICK_USER);
  g_assert_cmpint (stored_message (messages, paris_id)->pick, ==, HEARTH_PICK_NOT);

  follow_up (f, conversation, "Follow-up one?");
  context = context_sent ("Follow-up one?");
  expected = g_strdup_printf ("user: %s | assistant: %s", question, LONG_ANSWER);
  g_assert_cmpstr (context, ==, expected);

  /* The other one after all. */
  g_assert_true (hearth_engine_pick_answer (f->engine, paris_id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (hearth_answer_set_get_winner (set), ==, 0);
  follow_up (f, conversation, "Follow-up two?");
  g_clear_pointer (&context, g_free);
  g_clear_pointer (&expected, g_free);
  context = context_sent ("Follow-up two?");
  expected = g_strdup_printf ("user: %s | assistant: %s | user: Follow-up one? | assistant: "
                              "The sky is blue because air scatters blue light more than red "
                              "light.", question, PARIS);
  g_assert_cmpstr (context, ==, expected);

  /* Only a candidate that finished can be kept. */
  g_assert_false (hearth_engine_pick_answer (f->engine, hearth_answer_set_get_question_id (set),
                                             &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "not one of several answers"));
  g_clear_error (&error);
  g_assert_false (hearth_engine_pick_answer (f->engine, 999999, &error));
  g_assert_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Regenerating from the set's first answer answers the question again. */
  g_assert_true (hearth_engine_delete_messages_from (f->engine, conversation, paris_id, &error));
  g_assert_no_error (error);
  g_clear_pointer (&messages, g_ptr_array_unref);
  messages = stored (f, conversation);
  g_assert_cmpuint (messages->len, ==, 1);
}

static void
test_pick_failed_refused (Fixture       *f,
                          gconstpointer  data)
{
  const char *models[] = { "say-paris@laptop", "error-500@faulty", NULL };
  g_autoptr(HearthAnswerSet) set = NULL;
  g_autoptr(GError) error = NULL;

  if (!hearth_test_require_node ())
    return;
  set = compare (f, "Can a failed answer be kept?", models, -1);
  g_assert_false (hearth_engine_pick_answer (f->engine,
                                             hearth_reply_get_message_id (candidate (set, 1)),
                                             &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "did not finish"));
  g_assert_cmpint (hearth_answer_set_get_winner (set), ==, 0);
}

/* Ensembles */

static void
test_vote (Fixture       *f,
           gconstpointer  data)
{
  const char *models[] = { "say-lyon@laptop", "say-paris@big-box", "say-paris-too@laptop", NULL };
  g_autoptr(HearthEnsemble) capitals = hearth_ensemble_new ("capitals", models, HEARTH_SET_VOTE,
                                                            NULL);
  HearthEnsembles *ensembles = hearth_engine_get_ensembles (f->engine);
  g_autoptr(HearthAnswerSet) set = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  int winner;

  if (!hearth_test_require_node ())
    return;
  /* A named ensemble, as the model picker and hearth-cli ask --ensemble find it. */
  g_assert_true (hearth_ensembles_add (ensembles, capitals, TRUE, &error));
  g_assert_no_error (error);
  set = hearth_engine_ask_ensemble (f->engine, question_request ("Vote on the capital?"),
                                    hearth_ensembles_lookup (ensembles, "ensemble:capitals"), -1,
                                    &error);
  g_assert_no_error (error);
  wait_finished (set);
  g_assert_cmpstr (hearth_answer_set_get_name (set), ==, "capitals");
  g_assert_true (hearth_answer_set_is_decided (set));
  winner = hearth_answer_set_get_winner (set);
  /* "Paris." and "paris" agree; "Lyon." stands alone. */
  g_assert_true (winner == 1 || winner == 2);
  g_assert_cmpstr (hearth_answer_set_get_reason (set), ==, "2 of 3 answers agree");
  messages = stored (f, hearth_answer_set_get_conversation_id (set));
  for (guint i = 0; i < 3; i++)
    {
      HearthMessage *message = stored_candidate (messages, set, i);

      g_assert_cmpstr (message->set_method, ==, "vote");
      g_assert_cmpstr (message->set_name, ==, "capitals");
      g_assert_cmpint (message->pick, ==, (int) i == winner ? HEARTH_PICK_AUTO : HEARTH_PICK_NOT);
    }
  g_assert_cmpstr (stored_candidate (messages, set, winner)->set_reason, ==, "2 of 3 answers agree");
}

/* A model that failed is counted apart: it did not disagree. */
static void
test_vote_member_fails (Fixture       *f,
                        gconstpointer  data)
{
  const char *models[] = { "say-paris@laptop", "error-500@faulty", "say-paris-too@big-box", NULL };
  g_autoptr(HearthAnswerSet) set = NULL;
  int winner;

  if (!hearth_test_require_node ())
    return;
  set = ask_ensemble (f, "Vote with a failure?", models, HEARTH_SET_VOTE, NULL, -1);
  winner = hearth_answer_set_get_winner (set);
  g_assert_true (winner == 0 || winner == 2);
  g_assert_cmpstr (hearth_answer_set_get_reason (set), ==,
                   "2 of 2 answers agree; 1 of 3 models failed");
  g_assert_cmpint (hearth_reply_get_state (candidate (set, 1)), ==, HEARTH_REPLY_FAILED);
}

static void
test_judge (Fixture       *f,
            gconstpointer  data)
{
  const char *models[] = { "say-paris@laptop", "say-lyon@big-box", NULL };
  g_autoptr(HearthAnswerSet) set = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autofree char *context = NULL;
  HearthReply *judge;
  HearthMessage *verdict;
  gint64 conversation;

  if (!hearth_test_require_node ())
    return;
  set = ask_ensemble (f, "Judge the capital?", models, HEARTH_SET_JUDGE, "judge-two@laptop", -1);
  judge = hearth_answer_set_get_judge_reply (set);
  g_assert_nonnull (judge);
  g_assert_cmpstr (hearth_reply_get_content (judge), ==, JUDGE_TWO);
  /* "Answer 2" is the second candidate, even though the first is right. */
  g_assert_cmpint (hearth_answer_set_get_winner (set), ==, 1);
  g_assert_cmpstr (hearth_answer_set_get_reason (set), ==,
                   "The judge (judge-two:latest) picked say-lyon’s answer");

  conversation = hearth_answer_set_get_conversation_id (set);
  messages = stored (f, conversation);
  g_assert_cmpuint (messages->len, ==, 4);
  verdict = stored_message (messages, hearth_reply_get_message_id (judge));
  g_assert_cmpstr (verdict->set_role, ==, HEARTH_SET_ROLE_JUDGE);
  g_assert_cmpint (verdict->pick, ==, HEARTH_PICK_NOT);
  g_assert_cmpstr (verdict->content, ==, JUDGE_TWO);
  /* Every request counted: both answers and the judge's. */
  g_assert_cmpuint (count_requests (f, conversation, NULL), ==, 3);

  /* The next question carries the kept answer, not the others nor the verdict. */
  follow_up (f, conversation, "After the judge?");
  context = context_sent ("After the judge?");
  g_assert_cmpstr (context, ==, "user: Judge the capital? | assistant: " LYON);

  /* A set asked in the conversation carries it too, to every model. */
  {
    const char *again[] = { "say-paris@laptop", "tiny-fixed@big-box", NULL };
    g_autoptr(HearthAnswerSet) next = compare (f, "Compare after the judge?", again, conversation);
    g_autoptr(GPtrArray) requests = engine_requests ("Compare after the judge?");

    g_assert_cmpint (hearth_answer_set_get_conversation_id (next), ==, conversation);
    g_assert_cmpuint (requests->len, ==, 2);
    for (guint i = 0; i < requests->len; i++)
      {
        g_autofree char *sent = earlier_of (requests->pdata[i]);

        g_assert_cmpstr (sent, ==, "user: Judge the capital? | assistant: " LYON " | user: After "
                                   "the judge? | assistant: The sky is blue because air scatters "
                                   "blue light more than red light.");
      }
  }
}

static void
test_judge_garbage (Fixture       *f,
                    gconstpointer  data)
{
  const char *models[] = { "say-paris@laptop", "say-lyon@big-box", "say-paris-too@big-box", NULL };
  g_autoptr(HearthAnswerSet) set = NULL;
  int winner;

  if (!hearth_test_require_node ())
    return;
  set = ask_ensemble (f, "Judge with no verdict?", models, HEARTH_SET_JUDGE,
                      "judge-garbage@laptop", -1);
  g_assert_cmpstr (hearth_reply_get_content (hearth_answer_set_get_judge_reply (set)), ==,
                   JUDGE_GARBAGE);
  winner = hearth_answer_set_get_winner (set);
  g_assert_true (winner == 0 || winner == 2);
  g_assert_cmpstr (hearth_answer_set_get_reason (set), ==,
                   "The judge (judge-garbage:latest) named no answer, so the majority decided: "
                   "2 of 3 answers agree");
}

static void
test_first_good (Fixture       *f,
                 gconstpointer  data)
{
  /* One server: the refusal comes first, then the good answer. */
  const char *refused[] = { "refuser@laptop", "say-paris@laptop", NULL };
  const char *slow[] = { "say-paris@laptop", "slow@faulty", NULL };
  const char *none[] = { "refuser@laptop", "error-500@faulty", NULL };
  g_autoptr(HearthAnswerSet) set = NULL;
  g_autoptr(HearthAnswerSet) slow_set = NULL;
  g_autoptr(HearthAnswerSet) none_set = NULL;
  g_autoptr(GPtrArray) messages = NULL;

  if (!hearth_test_require_node ())
    return;
  /* A refusal does not pass, even when it came first. */
  set = ask_ensemble (f, "First good, with a refusal?", refused, HEARTH_SET_FIRST_GOOD, NULL, -1);
  g_assert_cmpint (hearth_answer_set_get_winner (set), ==, 1);
  g_assert_cmpstr (hearth_answer_set_get_reason (set), ==,
                   "say-paris gave the first answer that passed the check (not empty, finished, "
                   "not a refusal)");
  g_assert_cmpstr (hearth_reply_get_content (candidate (set, 0)), ==, REFUSAL);
  g_assert_true (hearth_answer_set_candidate_waited (set, 1));

  /* The first good answer stops the one still streaming. */
  slow_set = ask_ensemble (f, "First good, with a slow one?", slow, HEARTH_SET_FIRST_GOOD, NULL,
                           -1);
  g_assert_cmpint (hearth_answer_set_get_winner (slow_set), ==, 0);
  g_assert_cmpint (hearth_reply_get_state (candidate (slow_set, 1)), ==, HEARTH_REPLY_CANCELLED);
  messages = stored (f, hearth_answer_set_get_conversation_id (slow_set));
  g_assert_cmpint (stored_candidate (messages, slow_set, 1)->state, ==, HEARTH_MESSAGE_CANCELLED);

  /* None passes: the longest that finished, and the reason says so. */
  none_set = ask_ensemble (f, "First good, none good?", none, HEARTH_SET_FIRST_GOOD, NULL, -1);
  g_assert_cmpint (hearth_answer_set_get_winner (none_set), ==, 0);
  g_assert_true (g_str_has_prefix (hearth_answer_set_get_reason (none_set),
                                   "No answer passed the check"));
}

/* Deterministic members: the same question again is the cache's. */
static void
test_cache (Fixture       *f,
            gconstpointer  data)
{
  const char *models[] = { "say-paris@laptop", "say-lyon@big-box", NULL };
  g_autoptr(HearthAnswerSet) first = NULL;
  g_autoptr(HearthAnswerSet) again = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *stats = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *options;
  guint cached = 0;

  if (!hearth_test_require_node ())
    return;
  first = ask_ensemble (f, "Cached ensemble?", models, HEARTH_SET_VOTE, NULL, -1);
  g_assert_false (hearth_reply_get_cached (candidate (first, 0)));
  /* Sent with temperature 0 and seed 0, as the request set neither. */
  stats = hearth_test_server_request (hearth_test_engine_server (NULL), "GET", "/_stats");
  node = hearth_test_parse_json (stats);
  options = json_object_get_object_member (json_object_get_object_member (json_node_get_object (node),
                                                                         "last_options"),
                                           "say-lyon:latest");
  g_assert_nonnull (options);
  g_assert_cmpfloat (json_object_get_double_member (options, "temperature"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (options, "seed"), ==, 0);

  again = ask_ensemble (f, "Cached ensemble?", models, HEARTH_SET_VOTE, NULL, -1);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_true (hearth_reply_get_cached (candidate (again, i)));
      g_assert_cmpint (hearth_reply_get_state (candidate (again, i)), ==, HEARTH_REPLY_DONE);
    }
  assert_answered (again, 0, PARIS, "laptop");
  assert_answered (again, 1, LYON, "big-box");
  g_assert_true (hearth_answer_set_is_decided (again));
  /* The engine was asked once per model; both times are counted. */
  requests = engine_requests ("Cached ensemble?");
  g_assert_cmpuint (requests->len, ==, 2);
  g_assert_cmpuint (count_requests (f, hearth_answer_set_get_conversation_id (again), &cached), ==, 2);
  g_assert_cmpuint (cached, ==, 2);
  g_assert_cmpuint (count_requests (f, hearth_answer_set_get_conversation_id (first), &cached), ==, 2);
  g_assert_cmpuint (cached, ==, 0);
}

static void
add (const char *path,
     void      (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *node = g_find_program_in_path ("node");

  hearth_test_init (&argc, &argv);
  /* Made before the engine starts, so that it serves them. */
  if (node != NULL)
    {
      g_free (hearth_test_make_fixed_model ("say-paris", PARIS));
      g_free (hearth_test_make_fixed_model ("say-paris-too", PARIS_TOO));
      g_free (hearth_test_make_fixed_model ("say-lyon", LYON));
      g_free (hearth_test_make_fixed_model ("say-long", LONG_ANSWER));
      g_free (hearth_test_make_fixed_model ("judge-two", JUDGE_TWO));
      g_free (hearth_test_make_fixed_model ("judge-garbage", JUDGE_GARBAGE));
      g_free (hearth_test_make_fixed_model ("refuser", REFUSAL));
    }

  add ("/compare/two-servers", test_compare_two_servers);
  add ("/compare/one-server", test_compare_one_server);
  add ("/compare/member-fails", test_compare_member_fails);
  add ("/compare/all-fail", test_compare_all_fail);
  add ("/compare/refused", test_compare_refused);
  add ("/compare/cancel", test_compare_cancel);
  add ("/compare/pick-changes-context", test_pick_changes_context);
  add ("/compare/pick-failed-refused", test_pick_failed_refused);
  add ("/ensemble/vote", test_vote);
  add ("/ensemble/vote-member-fails", test_vote_member_fails);
  add ("/ensemble/judge", test_judge);
  add ("/ensemble/judge-garbage", test_judge_garbage);
  add ("/ensemble/first-good", test_first_good);
  add ("/ensemble/cache", test_cache);

  return g_test_run ();
}
