/* test-feedback.c — thumbs on replies, the records they add up to, the
 * JSONL export, and "auto" following the ratings, with a real history and
 * the real test engine
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gstdio.h>

#include "hearth-answer-set.h"
#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-store-feedback.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

/* Two tiny models that each answer one sentence of their own. */
#define ALPHA          "alpha:1b"
#define BETA           "beta:1b"
#define ALPHA_SENTENCE "Alpha answers first."
#define BETA_SENTENCE  "Beta answers better."

#define DAY_MS ((gint64) 24 * 60 * 60 * 1000)

static const char code_question[] =
  "Why does this crash?\n```c\nint main (void) { return *(int *) 0; }\n```";

/* Helpers */

static HearthTestServer *lab_server;

static char *
make_model (const char *model,
            const char *sentence)
{
  g_autofree char *dir = hearth_test_build_tmp_path ("models-lab", NULL);
  g_autofree char *file = g_strconcat (model, ".gguf", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *script = g_build_filename (g_getenv ("HEARTH_SOURCE_DIR"), "tests", "engine",
                                              "make-model.mjs", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (dir, 0700);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&dir);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, "node", script,
                              "--mode", "fixed", "--sentence", sentence, path, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&dir);
}

/* One test engine serving both models, started once for the program. */
static const char *
lab_url (void)
{
  if (lab_server == NULL)
    {
      g_autofree char *dir = make_model (ALPHA, ALPHA_SENTENCE);
      const char *args[] = { "--models", dir, NULL };

      g_free (make_model (BETA, BETA_SENTENCE));
      lab_server = hearth_test_server_start ("server.mjs", args);
    }
  return hearth_test_server_get_url (lab_server);
}

static char *
config_path (const char *name)
{
  return g_build_filename (g_get_user_config_dir (), "hearth", name, NULL);
}

/* An engine on a fresh history (@name.db) whose one server is "lab". */
static HearthEngine *
lab_engine (const char   *name,
            HearthStore **store)
{
  g_autofree char *routes = config_path ("routes.conf");
  g_autofree char *servers_conf = config_path ("servers.conf");
  g_autofree char *file = g_strconcat (name, ".db", NULL);
  g_autofree char *path = hearth_test_build_tmp_path (file, NULL);
  g_autoptr(GError) error = NULL;
  HearthEngine *engine;
  HearthServers *servers;

  g_unlink (routes);
  g_unlink (servers_conf);
  g_unlink (path);
  *store = hearth_store_open (path, &error);
  g_assert_no_error (error);
  engine = hearth_engine_new (*store);
  servers = hearth_engine_get_servers (engine);
  g_assert_nonnull (hearth_servers_add (servers, "lab", lab_url (), HEARTH_API_OLLAMA, FALSE,
                                        NULL, &error));
  g_assert_no_error (error);
  /* Only "lab": the migrated "local" one goes. */
  while (g_list_model_get_n_items (G_LIST_MODEL (servers)) > 1)
    {
      g_autoptr(HearthServer) first = g_list_model_get_item (G_LIST_MODEL (servers), 0);

      g_assert_cmpstr (hearth_server_get_name (first), !=, "lab");
      g_assert_true (hearth_servers_remove (servers, hearth_server_get_name (first), &error));
      g_assert_no_error (error);
    }
  return engine;
}

static void
on_finished (HearthReply *reply,
             GMainLoop   *loop)
{
  g_main_loop_quit (loop);
}

/* Asks @model on "lab" (or "auto") a new conversation's @question, and
 * waits for the whole reply. */
static HearthReply *
ask (HearthEngine *engine,
     const char   *model,
     const char   *question)
{
  g_autoptr(HearthChatRequest) request = hearth_chat_request_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  HearthReply *reply;

  request->model = g_strdup (model);
  if (g_strcmp0 (model, HEARTH_MODEL_AUTO) != 0)
    request->server = g_strdup ("lab");
  request->stream = TRUE;
  hearth_chat_request_add_message (request, "user", question);
  reply = hearth_engine_chat (engine, NULL, g_steal_pointer (&request), -1, &error);
  g_assert_no_error (error);
  g_signal_connect (reply, "finished", G_CALLBACK (on_finished), loop);
  if (!hearth_reply_is_finished (reply))
    g_main_loop_run (loop);
  g_assert_no_error (hearth_reply_get_error (reply));
  g_assert_cmpint (hearth_reply_get_state (reply), ==, HEARTH_REPLY_DONE);
  g_assert_cmpint (hearth_reply_get_message_id (reply), >, 0);
  return reply;
}

/* The history as stored, straight from the store. */
static HearthMessage *
stored_message (HearthStore *store,
                gint64       conversation_id,
                gint64       message_id)
{
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;

  messages = hearth_store_list_messages (store, conversation_id, 0, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < messages->len; i++)
    {
      HearthMessage *message = g_ptr_array_index (messages, i);

      if (message->id == message_id)
        return g_ptr_array_steal_index (messages, i);
    }
  g_assert_not_reached ();
  return NULL;
}

static void
rate_ok (HearthEngine *engine,
         gint64        message_id,
         int           rating,
         const char   *note)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hearth_engine_rate_message (engine, message_id, rating, note, &error));
  g_assert_no_error (error);
}

/* Fails with one sentence (no line break), and says @part. */
static void
rate_fails (HearthEngine *engine,
            gint64        message_id,
            int           rating,
            const char   *note,
            const char   *part)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (hearth_engine_rate_message (engine, message_id, rating, note, &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_test_message ("%s", error->message);
  g_assert_null (strchr (error->message, '\n'));
  g_assert_nonnull (strstr (error->message, part));
}

/* A message written straight to the store, as the compare code stores a
 * set's answers: @set_question 0 for an ordinary message. */
static gint64
add_message (HearthStore        *store,
             gint64              conversation_id,
             const char         *role,
             const char         *content,
             const char         *model,
             gint64              set_question,
             HearthPick          pick,
             HearthMessageState  state)
{
  g_autoptr(HearthMessage) message = hearth_message_new (role, content);
  g_autoptr(GError) error = NULL;
  gint64 id;

  message->conversation_id = conversation_id;
  message->model = g_strdup (model);
  message->state = state;
  if (set_question > 0)
    {
      message->set_question = set_question;
      message->set_method = g_strdup ("compare");
      message->set_role = g_strdup (HEARTH_SET_ROLE_CANDIDATE);
      message->pick = pick;
    }
  id = hearth_store_add_message (store, message, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static gint64
new_conversation (HearthStore *store)
{
  g_autoptr(GError) error = NULL;
  gint64 id = hearth_store_create_conversation (store, "Feedback", &error);

  g_assert_no_error (error);
  return id;
}

typedef struct
{
  GMainLoop *loop;
  GObject   *source;
  gpointer   result;
  GError    *error;
} Wait;

static void
on_stats (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = hearth_engine_feedback_stats_finish (HEARTH_ENGINE (object), result,
                                                      &wait->error);
  g_main_loop_quit (wait->loop);
}

static HearthFeedbackStats *
stats_of (HearthEngine *engine,
          gint64        since_ms)
{
  Wait wait = { g_main_loop_new (NULL, FALSE) };

  hearth_engine_feedback_stats_async (engine, since_ms, NULL, on_stats, &wait);
  g_main_loop_run (wait.loop);
  g_main_loop_unref (wait.loop);
  g_assert_no_error (wait.error);
  g_assert_nonnull (wait.result);
  return wait.result;
}

static void
on_export (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = hearth_engine_export_feedback_finish (HEARTH_ENGINE (object), result,
                                                       &wait->error);
  g_main_loop_quit (wait->loop);
}

static char *
export_of (HearthEngine         *engine,
           HearthFeedbackFormat  format,
           gint64                since_ms)
{
  Wait wait = { g_main_loop_new (NULL, FALSE) };

  hearth_engine_export_feedback_async (engine, format, since_ms, NULL, on_export, &wait);
  g_main_loop_run (wait.loop);
  g_main_loop_unref (wait.loop);
  g_assert_no_error (wait.error);
  g_assert_nonnull (wait.result);
  return wait.result;
}

static const HearthModelRecord *
find_record (HearthFeedbackStats *stats,
             const char          *model,
             const char          *kind)
{
  for (guint i = 0; i < stats->records->len; i++)
    {
      const HearthModelRecord *record = g_ptr_array_index (stats->records, i);

      if (g_strcmp0 (record->model, model) == 0 && g_strcmp0 (record->kind, kind) == 0)
        return record;
    }
  return NULL;
}

static void
assert_record (HearthFeedbackStats *stats,
               const char          *model,
               const char          *kind,
               guint                ups,
               guint                downs,
               guint                pick_wins,
               guint                pick_losses)
{
  const HearthModelRecord *record = find_record (stats, model, kind);

  g_assert_nonnull (record);
  g_test_message ("%s %s: %u up, %u down, %u pick wins, %u pick losses, rate %.2f", model, kind,
                  record->ups, record->downs, record->pick_wins, record->pick_losses,
                  record->rate);
  g_assert_cmpuint (record->ups, ==, ups);
  g_assert_cmpuint (record->downs, ==, downs);
  g_assert_cmpuint (record->pick_wins, ==, pick_wins);
  g_assert_cmpuint (record->pick_losses, ==, pick_losses);
  g_assert_cmpuint (record->wins, ==, ups + pick_wins);
  g_assert_cmpuint (record->losses, ==, downs + pick_losses);
  g_assert_cmpfloat_with_epsilon (record->rate, (double) (ups + pick_wins)
                                  / (ups + pick_wins + downs + pick_losses), 1e-9);
}

/* Each line of @jsonl, parsed: an object with exactly @keys (NULL-terminated). */
static GPtrArray *
parse_jsonl (const char         *jsonl,
             const char * const *keys)
{
  g_auto(GStrv) lines = g_strsplit (jsonl, "\n", -1);
  GPtrArray *objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  guint n_lines = g_strv_length (lines);

  /* Every line ends in a newline: the last piece is empty, no other is. */
  g_assert_cmpuint (n_lines, >=, 1);
  g_assert_cmpstr (lines[n_lines - 1], ==, "");
  for (guint i = 0; i + 1 < n_lines; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GList) members = NULL;
      JsonObject *object;

      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, &error));
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
      object = json_node_get_object (json_parser_get_root (parser));
      members = json_object_get_members (object);
      g_assert_cmpuint (g_list_length (members), ==, g_strv_length ((GStrv) keys));
      for (guint k = 0; keys[k] != NULL; k++)
        g_assert_true (json_object_has_member (object, keys[k]));
      g_ptr_array_add (objects, json_object_ref (object));
    }
  return objects;
}

static const char * const pair_keys[] = {
  "prompt", "chosen", "rejected", "chosen_model", "rejected_model", "source", "created", NULL
};
static const char * const rating_keys[] = {
  "prompt", "response", "model", "server", "rating", "note", "kind", "created", NULL
};

/* Tests */

static void
test_kinds_and_formats (void)
{
  g_autofree char *long_prompt = g_strnfill (1500, 'a');
  g_autofree char *almost_long = g_strnfill (1499, 'a');
  g_autofree char *long_code = g_strconcat (long_prompt, "\n", code_question, NULL);
  g_autoptr(GError) error = NULL;
  HearthFeedbackFormat format = HEARTH_FEEDBACK_RATINGS;

  /* The routing rules' kinds, first that holds: code, long, long conversation. */
  g_assert_cmpstr (hearth_feedback_kind_of (code_question, 0), ==, "code");
  g_assert_cmpstr (hearth_feedback_kind_of (long_code, 30), ==, "code");
  g_assert_cmpstr (hearth_feedback_kind_of (long_prompt, 30), ==, "long-prompt");
  g_assert_cmpstr (hearth_feedback_kind_of (almost_long, 0), ==, "default");
  g_assert_cmpstr (hearth_feedback_kind_of ("hi there", 20), ==, "long-conversation");
  g_assert_cmpstr (hearth_feedback_kind_of ("hi there", 19), ==, "default");
  g_assert_cmpstr (hearth_feedback_kind_of (NULL, 0), ==, "default");

  g_assert_true (hearth_feedback_format_parse ("pairs", &format, &error));
  g_assert_no_error (error);
  g_assert_cmpint (format, ==, HEARTH_FEEDBACK_PAIRS);
  g_assert_true (hearth_feedback_format_parse ("ratings", &format, &error));
  g_assert_cmpint (format, ==, HEARTH_FEEDBACK_RATINGS);
  g_assert_cmpstr (hearth_feedback_format_to_string (HEARTH_FEEDBACK_PAIRS), ==, "pairs");
  g_assert_cmpstr (hearth_feedback_format_to_string (HEARTH_FEEDBACK_RATINGS), ==, "ratings");
  g_assert_false (hearth_feedback_format_parse ("dpo", &format, &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "“dpo”"));
  g_assert_nonnull (strstr (error->message, "pairs"));
  g_assert_nonnull (strstr (error->message, "ratings"));
  g_assert_cmpint (format, ==, HEARTH_FEEDBACK_RATINGS);
}

/* Thumbs on a real reply, a note, taking it back; what cannot be rated. */
static void
test_rate (void)
{
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthReply) reply = NULL;
  g_autoptr(HearthMessage) stored = NULL;
  g_autoptr(HearthRating) rating = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *long_note = g_strnfill (HEARTH_FEEDBACK_NOTE_MAX + 1, 'n');
  g_autofree char *longest_note = NULL;
  gint64 conversation, message, question, api_conversation, api_reply;

  if (!hearth_test_require_node ())
    return;
  engine = lab_engine ("rate", &store);
  reply = ask (engine, BETA, "hi there");
  g_assert_cmpstr (hearth_reply_get_content (reply), ==, BETA_SENTENCE);
  conversation = hearth_reply_get_conversation_id (reply);
  message = hearth_reply_get_message_id (reply);

  /* Unrated: the history says so. */
  stored = stored_message (store, conversation, message);
  g_assert_cmpint (stored->rating, ==, 0);
  g_assert_null (stored->rating_note);
  g_clear_pointer (&stored, hearth_message_free);

  rate_ok (engine, message, 1, "Clear and short");
  stored = stored_message (store, conversation, message);
  g_assert_cmpint (stored->rating, ==, 1);
  g_assert_cmpstr (stored->rating_note, ==, "Clear and short");
  g_clear_pointer (&stored, hearth_message_free);
  rating = hearth_store_get_rating (store, message, &error);
  g_assert_no_error (error);
  g_assert_nonnull (rating);
  g_assert_cmpint (rating->rating, ==, 1);
  g_assert_cmpint (rating->created_ms, >, 0);

  /* Down replaces up; no note takes the old one away. */
  rate_ok (engine, message, -1, NULL);
  stored = stored_message (store, conversation, message);
  g_assert_cmpint (stored->rating, ==, -1);
  g_assert_null (stored->rating_note);
  g_clear_pointer (&stored, hearth_message_free);

  /* The longest note there may be, counted in characters, not bytes. */
  {
    GString *note = g_string_new (NULL);

    for (guint i = 0; i < HEARTH_FEEDBACK_NOTE_MAX; i++)
      g_string_append (note, "é");
    longest_note = g_string_free (note, FALSE);
  }
  rate_ok (engine, message, 1, longest_note);
  stored = stored_message (store, conversation, message);
  g_assert_cmpstr (stored->rating_note, ==, longest_note);
  g_clear_pointer (&stored, hearth_message_free);

  /* What cannot be rated: each says why, and the rating stays as it was. */
  question = message - 1;
  stored = stored_message (store, conversation, question);
  g_assert_cmpstr (stored->role, ==, "user");
  g_clear_pointer (&stored, hearth_message_free);
  rate_fails (engine, message, 1, long_note, "501 characters");
  rate_fails (engine, message, 2, NULL, "not 2");
  rate_fails (engine, message, -5, NULL, "not -5");
  rate_fails (engine, message, 1, "bad \xff byte", "not valid text");
  rate_fails (engine, message, 0, "a note with no rating", "goes with a thumbs up or down");
  rate_fails (engine, message + 1000, 1, NULL, "There is no message");
  rate_fails (engine, question, 1, NULL, "is a question, not a reply");

  api_conversation = hearth_store_get_api_conversation (store, &error);
  g_assert_no_error (error);
  api_reply = add_message (store, api_conversation, "assistant", "for another program",
                           BETA, 0, HEARTH_PICK_NONE, HEARTH_MESSAGE_COMPLETE);
  rate_fails (engine, api_reply, 1, NULL, "another program");

  stored = stored_message (store, conversation, message);
  g_assert_cmpint (stored->rating, ==, 1);
  g_assert_cmpstr (stored->rating_note, ==, longest_note);
  g_clear_pointer (&stored, hearth_message_free);

  /* Taken back: no rating, no note. */
  rate_ok (engine, message, 0, NULL);
  stored = stored_message (store, conversation, message);
  g_assert_cmpint (stored->rating, ==, 0);
  g_assert_null (stored->rating_note);
  g_clear_pointer (&rating, hearth_rating_free);
  rating = hearth_store_get_rating (store, message, &error);
  g_assert_no_error (error);
  g_assert_null (rating);
  /* Taking back what is not there is no error. */
  rate_ok (engine, message, 0, "");
}

/* The kind a rating counts under is its question's, with the context the
 * conversation really had: answers of a set that were not kept are not. */
static void
test_kind_of_rated_reply (void)
{
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthRating) rating = NULL;
  gint64 conversation, question, reply, set_question;
  g_autofree char *kind = NULL;
  g_autofree char *db = NULL;
  g_autofree char *sql = NULL;

  if (!hearth_test_require_node ())
    return;
  engine = lab_engine ("kinds", &store);
  db = g_strdup (hearth_store_get_path (store));
  conversation = new_conversation (store);

  /* 18 kept messages, then a set: its question, one kept answer, two not. */
  for (guint i = 0; i < 9; i++)
    {
      add_message (store, conversation, "user", "hi", NULL, 0, HEARTH_PICK_NONE,
                   HEARTH_MESSAGE_COMPLETE);
      add_message (store, conversation, "assistant", "hello", ALPHA, 0, HEARTH_PICK_NONE,
                   HEARTH_MESSAGE_COMPLETE);
    }
  set_question = add_message (store, conversation, "user", "which?", NULL, 0, HEARTH_PICK_NONE,
                              HEARTH_MESSAGE_COMPLETE);
  add_message (store, conversation, "assistant", "this", ALPHA, set_question, HEARTH_PICK_USER,
               HEARTH_MESSAGE_COMPLETE);
  add_message (store, conversation, "assistant", "that", BETA, set_question, HEARTH_PICK_NOT,
               HEARTH_MESSAGE_COMPLETE);
  add_message (store, conversation, "assistant", "", BETA, set_question, HEARTH_PICK_NOT,
               HEARTH_MESSAGE_FAILED);

  /* 20 kept before it (not 22): a long conversation. */
  question = add_message (store, conversation, "user", "and now?", NULL, 0, HEARTH_PICK_NONE,
                          HEARTH_MESSAGE_COMPLETE);
  reply = add_message (store, conversation, "assistant", "now this", ALPHA, 0, HEARTH_PICK_NONE,
                       HEARTH_MESSAGE_COMPLETE);
  rate_ok (engine, reply, 1, NULL);
  sql = g_strdup_printf ("SELECT kind FROM feedback WHERE message_id = %" G_GINT64_FORMAT, reply);
  kind = hearth_test_sqlite_query_text (db, sql);
  g_assert_cmpstr (kind, ==, "long-conversation");
  g_clear_pointer (&kind, g_free);
  g_clear_pointer (&sql, g_free);

  /* The answer not kept, to the set's question: 18 kept before that one. */
  rate_ok (engine, set_question + 2, -1, NULL);
  sql = g_strdup_printf ("SELECT kind FROM feedback WHERE message_id = %" G_GINT64_FORMAT,
                         set_question + 2);
  kind = hearth_test_sqlite_query_text (db, sql);
  g_assert_cmpstr (kind, ==, "default");
  g_assert_cmpint (question, >, set_question);
}

/* A history with a code question asked of three models (one failed) and
 * kept by the user, a plain question's two answers rated up and down, and
 * a rating on another program's request that never counts. */
typedef struct
{
  gint64 code_question;
  gint64 code_alpha, code_beta, code_failed;
  gint64 plain_question;
  gint64 plain_alpha, plain_beta;
} History;

static void
build_history (HearthEngine *engine,
               HearthStore  *store,
               History      *h)
{
  g_autoptr(GError) error = NULL;
  gint64 conversation = new_conversation (store);
  gint64 api_conversation, api_reply;

  h->code_question = add_message (store, conversation, "user", code_question, NULL, 0,
                                  HEARTH_PICK_NONE, HEARTH_MESSAGE_COMPLETE);
  h->code_alpha = add_message (store, conversation, "assistant", "A null pointer is read.", ALPHA,
                               h->code_question, HEARTH_PICK_USER, HEARTH_MESSAGE_COMPLETE);
  h->code_beta = add_message (store, conversation, "assistant", "It does not crash.", BETA,
                              h->code_question, HEARTH_PICK_NOT, HEARTH_MESSAGE_COMPLETE);
  h->code_failed = add_message (store, conversation, "assistant", "", "gamma:1b",
                                h->code_question, HEARTH_PICK_NOT, HEARTH_MESSAGE_FAILED);

  h->plain_question = add_message (store, conversation, "user", "Name a blue thing.", NULL, 0,
                                   HEARTH_PICK_NONE, HEARTH_MESSAGE_COMPLETE);
  h->plain_alpha = add_message (store, conversation, "assistant", "The sea.", ALPHA,
                                h->plain_question, HEARTH_PICK_AUTO, HEARTH_MESSAGE_COMPLETE);
  h->plain_beta = add_message (store, conversation, "assistant", "A carrot.", BETA,
                               h->plain_question, HEARTH_PICK_NOT, HEARTH_MESSAGE_COMPLETE);
  rate_ok (engine, h->plain_alpha, 1, "Right");
  rate_ok (engine, h->plain_beta, -1, "Carrots are orange");

  api_conversation = hearth_store_get_api_conversation (store, &error);
  g_assert_no_error (error);
  add_message (store, api_conversation, "user", "Name a blue thing.", NULL, 0, HEARTH_PICK_NONE,
               HEARTH_MESSAGE_COMPLETE);
  api_reply = add_message (store, api_conversation, "assistant", "The sky.", BETA, 0,
                           HEARTH_PICK_NONE, HEARTH_MESSAGE_COMPLETE);
  /* Past the engine's check: the store's reads must leave it out themselves. */
  g_assert_true (hearth_store_set_rating (store, api_reply, 1, NULL, &error));
  g_assert_no_error (error);
}

static void
test_stats (void)
{
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthFeedbackStats) empty = NULL;
  g_autoptr(HearthFeedbackStats) stats = NULL;
  g_autoptr(HearthFeedbackStats) later = NULL;
  History h;

  if (!hearth_test_require_node ())
    return;
  engine = lab_engine ("stats", &store);

  empty = stats_of (engine, 0);
  g_assert_cmpuint (empty->records->len, ==, 0);
  g_assert_cmpuint (empty->ratings, ==, 0);
  g_assert_cmpuint (empty->picks, ==, 0);
  g_assert_cmpuint (empty->pairs, ==, 0);

  build_history (engine, store, &h);
  stats = stats_of (engine, 0);
  g_assert_cmpuint (stats->ratings, ==, 2);
  g_assert_cmpuint (stats->picks, ==, 1);
  /* alpha over beta on code (the failed one is no pair), the sea over the carrot */
  g_assert_cmpuint (stats->pairs, ==, 2);

  /* The pick beats the one other answer with text, not the failed one. */
  assert_record (stats, ALPHA, "code", 0, 0, 1, 0);
  assert_record (stats, BETA, "code", 0, 0, 0, 1);
  g_assert_null (find_record (stats, "gamma:1b", "code"));
  g_assert_null (find_record (stats, "gamma:1b", "all"));
  assert_record (stats, ALPHA, "default", 1, 0, 0, 0);
  assert_record (stats, BETA, "default", 0, 1, 0, 0);
  assert_record (stats, ALPHA, "all", 1, 0, 1, 0);
  assert_record (stats, BETA, "all", 0, 1, 0, 1);
  /* By model, then kind, "all" last for each. */
  g_assert_cmpuint (stats->records->len, ==, 6);
  g_assert_cmpstr (((HearthModelRecord *) stats->records->pdata[0])->model, ==, ALPHA);
  g_assert_cmpstr (((HearthModelRecord *) stats->records->pdata[0])->kind, ==, "code");
  g_assert_cmpstr (((HearthModelRecord *) stats->records->pdata[2])->kind, ==, "all");
  g_assert_cmpstr (((HearthModelRecord *) stats->records->pdata[3])->model, ==, BETA);

  /* A thumbs down on top of a lost pick: both count. */
  rate_ok (engine, h.code_beta, -1, NULL);
  g_clear_pointer (&stats, hearth_feedback_stats_free);
  stats = stats_of (engine, 0);
  assert_record (stats, BETA, "code", 0, 1, 0, 1);
  assert_record (stats, BETA, "all", 0, 2, 0, 1);
  g_assert_cmpuint (stats->ratings, ==, 3);

  /* Nothing after now. */
  later = stats_of (engine, g_get_real_time () / 1000 + DAY_MS);
  g_assert_cmpuint (later->records->len, ==, 0);
  g_assert_cmpuint (later->ratings, ==, 0);
  g_assert_cmpuint (later->picks, ==, 0);
  g_assert_cmpuint (later->pairs, ==, 0);
}

static JsonObject *
find_pair (GPtrArray  *objects,
           const char *chosen)
{
  for (guint i = 0; i < objects->len; i++)
    if (g_strcmp0 (json_object_get_string_member (objects->pdata[i], "chosen"), chosen) == 0)
      return objects->pdata[i];
  return NULL;
}

static void
assert_created (JsonObject *object)
{
  g_autoptr(GDateTime) created = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  created = g_date_time_new_from_iso8601 (json_object_get_string_member (object, "created"), NULL);
  g_assert_nonnull (created);
  g_assert_cmpint (g_date_time_compare (created, now), <=, 0);
}

static void
test_export (void)
{
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *pairs = NULL;
  g_autofree char *ratings = NULL;
  g_autoptr(GPtrArray) pair_objects = NULL;
  g_autoptr(GPtrArray) rating_objects = NULL;
  JsonObject *code, *plain, *sea = NULL, *carrot = NULL;
  History h;

  if (!hearth_test_require_node ())
    return;
  engine = lab_engine ("export", &store);

  empty = export_of (engine, HEARTH_FEEDBACK_PAIRS, 0);
  g_assert_cmpstr (empty, ==, "");
  g_clear_pointer (&empty, g_free);
  empty = export_of (engine, HEARTH_FEEDBACK_RATINGS, 0);
  g_assert_cmpstr (empty, ==, "");

  build_history (engine, store, &h);
  /* Rated as well as picked: still one pair. */
  rate_ok (engine, h.code_alpha, 1, NULL);
  rate_ok (engine, h.code_beta, -1, NULL);

  pairs = export_of (engine, HEARTH_FEEDBACK_PAIRS, 0);
  g_test_message ("%s", pairs);
  pair_objects = parse_jsonl (pairs, pair_keys);
  g_assert_cmpuint (pair_objects->len, ==, 2);

  code = find_pair (pair_objects, "A null pointer is read.");
  g_assert_nonnull (code);
  g_assert_cmpstr (json_object_get_string_member (code, "prompt"), ==, code_question);
  g_assert_cmpstr (json_object_get_string_member (code, "rejected"), ==, "It does not crash.");
  g_assert_cmpstr (json_object_get_string_member (code, "chosen_model"), ==, ALPHA);
  g_assert_cmpstr (json_object_get_string_member (code, "rejected_model"), ==, BETA);
  g_assert_cmpstr (json_object_get_string_member (code, "source"), ==, "compare");
  assert_created (code);

  plain = find_pair (pair_objects, "The sea.");
  g_assert_nonnull (plain);
  g_assert_cmpstr (json_object_get_string_member (plain, "prompt"), ==, "Name a blue thing.");
  g_assert_cmpstr (json_object_get_string_member (plain, "rejected"), ==, "A carrot.");
  g_assert_cmpstr (json_object_get_string_member (plain, "chosen_model"), ==, ALPHA);
  g_assert_cmpstr (json_object_get_string_member (plain, "rejected_model"), ==, BETA);
  g_assert_cmpstr (json_object_get_string_member (plain, "source"), ==, "ratings");
  assert_created (plain);

  ratings = export_of (engine, HEARTH_FEEDBACK_RATINGS, 0);
  g_test_message ("%s", ratings);
  rating_objects = parse_jsonl (ratings, rating_keys);
  /* Four rated replies of the user's; another program's is not one. */
  g_assert_cmpuint (rating_objects->len, ==, 4);
  for (guint i = 0; i < rating_objects->len; i++)
    {
      JsonObject *object = rating_objects->pdata[i];
      const char *response = json_object_get_string_member (object, "response");

      g_assert_cmpstr (response, !=, "The sky.");
      if (g_strcmp0 (response, "The sea.") == 0)
        sea = object;
      else if (g_strcmp0 (response, "A carrot.") == 0)
        carrot = object;
      assert_created (object);
    }
  g_assert_nonnull (sea);
  g_assert_cmpstr (json_object_get_string_member (sea, "prompt"), ==, "Name a blue thing.");
  g_assert_cmpstr (json_object_get_string_member (sea, "model"), ==, ALPHA);
  g_assert_true (json_object_get_null_member (sea, "server"));
  g_assert_cmpint (json_object_get_int_member (sea, "rating"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (sea, "note"), ==, "Right");
  g_assert_cmpstr (json_object_get_string_member (sea, "kind"), ==, "default");
  g_assert_nonnull (carrot);
  g_assert_cmpint (json_object_get_int_member (carrot, "rating"), ==, -1);
  g_assert_cmpstr (json_object_get_string_member (carrot, "note"), ==, "Carrots are orange");
  for (guint i = 0; i < rating_objects->len; i++)
    if (g_strcmp0 (json_object_get_string_member (rating_objects->pdata[i], "response"),
                   "A null pointer is read.") == 0)
      {
        g_assert_cmpstr (json_object_get_string_member (rating_objects->pdata[i], "kind"), ==,
                         "code");
        g_assert_true (json_object_get_null_member (rating_objects->pdata[i], "note"));
      }
}

/* --since: what was rated or picked before it is left out. */
static void
test_export_since (void)
{
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autofree char *pairs = NULL;
  g_autofree char *ratings = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GPtrArray) pair_objects = NULL;
  g_autoptr(GPtrArray) rating_objects = NULL;
  g_autoptr(HearthFeedbackStats) stats = NULL;
  g_autofree char *db = NULL;
  gint64 now_ms = g_get_real_time () / 1000;
  gint64 since_ms = now_ms - 30 * DAY_MS;
  History h;

  if (!hearth_test_require_node ())
    return;
  engine = lab_engine ("since", &store);
  db = g_strdup (hearth_store_get_path (store));
  build_history (engine, store, &h);

  /* The compare pick and the carrot's thumbs down were 40 days ago. */
  sql = g_strdup_printf ("UPDATE messages SET created_ms = %" G_GINT64_FORMAT " WHERE id = %"
                         G_GINT64_FORMAT ";"
                         "UPDATE feedback SET created_ms = %" G_GINT64_FORMAT
                         " WHERE message_id = %" G_GINT64_FORMAT ";",
                         now_ms - 40 * DAY_MS, h.code_alpha, now_ms - 40 * DAY_MS, h.plain_beta);
  hearth_test_sqlite_run (db, sql);

  /* The up/down pair dates from its later rating: still in. */
  pairs = export_of (engine, HEARTH_FEEDBACK_PAIRS, since_ms);
  pair_objects = parse_jsonl (pairs, pair_keys);
  g_assert_cmpuint (pair_objects->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (pair_objects->pdata[0], "source"), ==,
                   "ratings");
  g_clear_pointer (&pairs, g_free);
  g_clear_pointer (&pair_objects, g_ptr_array_unref);
  pairs = export_of (engine, HEARTH_FEEDBACK_PAIRS, 0);
  pair_objects = parse_jsonl (pairs, pair_keys);
  g_assert_cmpuint (pair_objects->len, ==, 2);

  ratings = export_of (engine, HEARTH_FEEDBACK_RATINGS, since_ms);
  rating_objects = parse_jsonl (ratings, rating_keys);
  g_assert_cmpuint (rating_objects->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (rating_objects->pdata[0], "response"), ==,
                   "The sea.");

  stats = stats_of (engine, since_ms);
  g_assert_cmpuint (stats->ratings, ==, 1);
  g_assert_cmpuint (stats->picks, ==, 0);
  g_assert_cmpuint (stats->pairs, ==, 1);
  assert_record (stats, ALPHA, "all", 1, 0, 0, 0);
  g_assert_null (find_record (stats, BETA, "all"));
}

/* The switch: off by default, kept in routes.conf, kept by reset, "changed". */
static void
on_changed (HearthRoutes *routes,
            guint        *n_changed)
{
  (*n_changed)++;
}

static void
test_use_ratings_switch (void)
{
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthEngine) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = config_path ("routes.conf");
  g_autofree char *contents = NULL;
  g_autofree char *id = NULL;
  HearthRoutes *routes;
  guint n_changed = 0;

  if (!hearth_test_require_node ())
    return;
  engine = lab_engine ("switch", &store);
  routes = hearth_engine_get_routes (engine);
  g_signal_connect (routes, "changed", G_CALLBACK (on_changed), &n_changed);
  g_assert_false (hearth_routes_get_use_ratings (routes));

  g_assert_true (hearth_routes_set_use_ratings (routes, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (hearth_routes_get_use_ratings (routes));
  g_assert_cmpuint (n_changed, ==, 1);
  /* The rules are still the defaults: only the switch is written. */
  g_assert_true (hearth_routes_are_default (routes));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "[ratings]"));
  g_assert_null (strstr (contents, "[rule "));
  g_clear_pointer (&contents, g_free);

  /* The same again is no change. */
  g_assert_true (hearth_routes_set_use_ratings (routes, TRUE, &error));
  g_assert_cmpuint (n_changed, ==, 1);

  /* Another engine (another process) reads it. */
  again = hearth_engine_new (NULL);
  g_assert_true (hearth_routes_get_use_ratings (hearth_engine_get_routes (again)));
  g_assert_true (hearth_routes_are_default (hearth_engine_get_routes (again)));
  g_clear_object (&again);

  /* A rule written keeps the switch; reset drops the rules, not the switch. */
  id = hearth_routes_add (routes, HEARTH_ROUTE_KEYWORD, "sql", ALPHA, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_true (hearth_routes_get_use_ratings (routes));
  g_assert_true (hearth_routes_reset (routes, &error));
  g_assert_no_error (error);
  g_assert_true (hearth_routes_are_default (routes));
  g_assert_true (hearth_routes_get_use_ratings (routes));
  again = hearth_engine_new (NULL);
  g_assert_true (hearth_routes_get_use_ratings (hearth_engine_get_routes (again)));
  g_clear_object (&again);

  g_assert_true (hearth_routes_set_use_ratings (routes, FALSE, &error));
  g_assert_no_error (error);
  g_assert_false (hearth_routes_get_use_ratings (routes));
  again = hearth_engine_new (NULL);
  g_assert_false (hearth_routes_get_use_ratings (hearth_engine_get_routes (again)));
}

/* Asks "auto" and returns the reply, with its route rule in the history too. */
static HearthReply *
ask_auto (HearthEngine *engine,
          HearthStore  *store,
          const char   *question)
{
  HearthReply *reply = ask (engine, HEARTH_MODEL_AUTO, question);
  g_autoptr(HearthMessage) stored = stored_message (store,
                                                    hearth_reply_get_conversation_id (reply),
                                                    hearth_reply_get_message_id (reply));

  g_test_message ("%s → %s: %s", question, hearth_reply_get_model (reply),
                  hearth_reply_get_route_rule (reply));
  g_assert_cmpstr (stored->route_rule, ==, hearth_reply_get_route_rule (reply));
  g_assert_cmpstr (stored->model, ==, hearth_reply_get_model (reply));
  return reply;
}

/* Rates @n new answers of @model to plain questions. */
static void
rate_answers (HearthEngine *engine,
              const char   *model,
              guint         n,
              int           rating)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HearthReply) reply = ask (engine, model, "Say something.");

      rate_ok (engine, hearth_reply_get_message_id (reply), rating, NULL);
    }
}

/* What the one default rule ("everything else") picks. */
static void
set_default_rule (HearthRoutes *routes,
                  const char   *model)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = hearth_routes_add (routes, HEARTH_ROUTE_DEFAULT, NULL, model, NULL, -1,
                                           &error);

  g_assert_no_error (error);
  g_assert_cmpstr (id, ==, "default");
}

static void
test_auto_follows_ratings (void)
{
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code_id = NULL;
  HearthRoutes *routes;

  if (!hearth_test_require_node ())
    return;
  engine = lab_engine ("auto", &store);
  routes = hearth_engine_get_routes (engine);
  /* The rules name alpha for everything, so that only the ratings can
   * send a question to beta. */
  code_id = hearth_routes_add (routes, HEARTH_ROUTE_CODE, NULL, ALPHA, NULL, 0, &error);
  g_assert_no_error (error);
  set_default_rule (routes, ALPHA);

  /* Alpha: five thumbs down; beta: four up. */
  rate_answers (engine, ALPHA, 5, -1);
  rate_answers (engine, BETA, 4, 1);

  /* Off (the default): the rule decides, whatever the ratings. */
  {
    g_autoptr(HearthReply) reply = ask_auto (engine, store, "Tell me about the sky.");

    g_assert_cmpstr (hearth_reply_get_model (reply), ==, ALPHA);
    g_assert_cmpstr (hearth_reply_get_content (reply), ==, ALPHA_SENTENCE);
    g_assert_null (strstr (hearth_reply_get_route_rule (reply), "ratings"));
  }

  /* On, with only one model past the threshold (beta has 4): still the rule. */
  g_assert_true (hearth_routes_set_use_ratings (routes, TRUE, &error));
  g_assert_no_error (error);
  {
    g_autoptr(HearthReply) reply = ask_auto (engine, store, "Tell me about the sky.");

    g_assert_cmpstr (hearth_reply_get_model (reply), ==, ALPHA);
    g_assert_cmpstr (hearth_reply_get_route_rule (reply), ==, "everything else → "
                     ALPHA " on lab");
  }

  /* Beta's fifth: both have enough, and beta's record is the better. */
  rate_answers (engine, BETA, 1, 1);
  {
    g_autoptr(HearthReply) reply = ask_auto (engine, store, "Tell me about the sky.");

    g_assert_cmpstr (hearth_reply_get_model (reply), ==, BETA);
    g_assert_cmpstr (hearth_reply_get_server (reply), ==, "lab");
    g_assert_cmpstr (hearth_reply_get_content (reply), ==, BETA_SENTENCE);
    g_assert_cmpstr (hearth_reply_get_route_rule (reply), ==,
                     "everything else → your ratings: " BETA " won 5 of 5 plain questions "
                     "(no code, not long); " ALPHA " 0 of 5");
  }

  /* The ratings are for plain questions: a code question still follows its rule. */
  {
    g_autoptr(HearthReply) reply = ask_auto (engine, store, code_question);

    g_assert_cmpstr (hearth_reply_get_model (reply), ==, ALPHA);
    g_assert_cmpstr (hearth_reply_get_route_rule (reply), ==, "code → " ALPHA " on lab");
  }

  /* A record is beaten only by a better rate: alpha at 5 of 10 against
   * beta's 5 of 5 still loses, and when the rule picks beta it keeps it. */
  rate_answers (engine, ALPHA, 5, 1);
  {
    g_autoptr(HearthReply) reply = ask_auto (engine, store, "Tell me about the sky.");

    g_assert_cmpstr (hearth_reply_get_model (reply), ==, BETA);
    g_assert_nonnull (strstr (hearth_reply_get_route_rule (reply), ALPHA " 5 of 10"));
  }
  set_default_rule (routes, BETA);
  {
    g_autoptr(HearthReply) reply = ask_auto (engine, store, "Tell me about the sky.");

    g_assert_cmpstr (hearth_reply_get_model (reply), ==, BETA);
    g_assert_cmpstr (hearth_reply_get_route_rule (reply), ==, "everything else → "
                     BETA " on lab");
  }

  /* Off again: never. */
  set_default_rule (routes, ALPHA);
  g_assert_true (hearth_routes_set_use_ratings (routes, FALSE, &error));
  g_assert_no_error (error);
  {
    g_autoptr(HearthReply) reply = ask_auto (engine, store, "Tell me about the sky.");

    g_assert_cmpstr (hearth_reply_get_model (reply), ==, ALPHA);
    g_assert_null (strstr (hearth_reply_get_route_rule (reply), "ratings"));
  }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  hearth_test_init (&argc, &argv);

  g_test_add_func ("/feedback/kinds-and-formats", test_kinds_and_formats);
  g_test_add_func ("/feedback/rate", test_rate);
  g_test_add_func ("/feedback/kind-of-rated-reply", test_kind_of_rated_reply);
  g_test_add_func ("/feedback/stats", test_stats);
  g_test_add_func ("/feedback/export", test_export);
  g_test_add_func ("/feedback/export-since", test_export_since);
  g_test_add_func ("/feedback/use-ratings-switch", test_use_ratings_switch);
  g_test_add_func ("/feedback/auto-follows-ratings", test_auto_follows_ratings);

  status = g_test_run ();
  g_clear_pointer (&lab_server, hearth_test_server_stop);
  return status;
}
