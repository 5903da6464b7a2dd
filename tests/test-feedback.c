/* test-feedback.c — thumbs on replies, the records they add up to and the
 * JSONL export, with a real history and the real test engine
 * (test-feedback-routing.c: "auto" following them)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "hearth-error.h"
#include "hearth-store-feedback.h"
#include "hearth-test-feedback.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

#define DAY_MS ((gint64) 24 * 60 * 60 * 1000)

static const char code_question[] =
  "Why does this crash?\n```c\nint main (void) { return *(int *) 0; }\n```";

/* Helpers */

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
  engine = hearth_test_lab_engine ("rate", &store);
  reply = hearth_test_ask (engine, BETA, "hi there");
  g_assert_cmpstr (hearth_reply_get_content (reply), ==, BETA_SENTENCE);
  conversation = hearth_reply_get_conversation_id (reply);
  message = hearth_reply_get_message_id (reply);

  /* Unrated: the history says so. */
  stored = hearth_test_stored_message (store, conversation, message);
  g_assert_cmpint (stored->rating, ==, 0);
  g_assert_null (stored->rating_note);
  g_clear_pointer (&stored, hearth_message_free);

  hearth_test_rate_ok (engine, message, 1, "Clear and short");
  stored = hearth_test_stored_message (store, conversation, message);
  g_assert_cmpint (stored->rating, ==, 1);
  g_assert_cmpstr (stored->rating_note, ==, "Clear and short");
  g_clear_pointer (&stored, hearth_message_free);
  rating = hearth_store_get_rating (store, message, &error);
  g_assert_no_error (error);
  g_assert_nonnull (rating);
  g_assert_cmpint (rating->rating, ==, 1);
  g_assert_cmpint (rating->created_ms, >, 0);

  /* Down replaces up; no note takes the old one away. */
  hearth_test_rate_ok (engine, message, -1, NULL);
  stored = hearth_test_stored_message (store, conversation, message);
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
  hearth_test_rate_ok (engine, message, 1, longest_note);
  stored = hearth_test_stored_message (store, conversation, message);
  g_assert_cmpstr (stored->rating_note, ==, longest_note);
  g_clear_pointer (&stored, hearth_message_free);

  /* What cannot be rated: each says why, and the rating stays as it was. */
  question = message - 1;
  stored = hearth_test_stored_message (store, conversation, question);
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
  api_reply = hearth_test_say (store, api_conversation, "assistant", "for another program",
                               BETA);
  rate_fails (engine, api_reply, 1, NULL, "another program");

  stored = hearth_test_stored_message (store, conversation, message);
  g_assert_cmpint (stored->rating, ==, 1);
  g_assert_cmpstr (stored->rating_note, ==, longest_note);
  g_clear_pointer (&stored, hearth_message_free);

  /* Taken back: no rating, no note. */
  hearth_test_rate_ok (engine, message, 0, NULL);
  stored = hearth_test_stored_message (store, conversation, message);
  g_assert_cmpint (stored->rating, ==, 0);
  g_assert_null (stored->rating_note);
  g_clear_pointer (&rating, hearth_rating_free);
  rating = hearth_store_get_rating (store, message, &error);
  g_assert_no_error (error);
  g_assert_null (rating);
  /* Taking back what is not there is no error. */
  hearth_test_rate_ok (engine, message, 0, "");
}

/* The kind a rating counts under is its question's, with the context the
 * conversation really had: answers of a set that were not kept are not. */
static void
test_kind_of_rated_reply (void)
{
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  gint64 conversation, question, reply, set_question, not_kept;
  g_autofree char *kind = NULL;
  g_autofree char *db = NULL;
  g_autofree char *sql = NULL;

  if (!hearth_test_require_node ())
    return;
  engine = hearth_test_lab_engine ("kinds", &store);
  db = g_strdup (hearth_store_get_path (store));
  conversation = hearth_test_new_conversation (store);

  /* 18 kept messages, then a set: its question, one kept answer, two not. */
  for (guint i = 0; i < 9; i++)
    {
      hearth_test_say (store, conversation, "user", "hi", NULL);
      hearth_test_say (store, conversation, "assistant", "hello", ALPHA);
    }
  set_question = hearth_test_say (store, conversation, "user", "which?", NULL);
  hearth_test_answer (store, set_question, "this", ALPHA, HEARTH_PICK_USER,
                      HEARTH_MESSAGE_COMPLETE);
  not_kept = hearth_test_answer (store, set_question, "that", BETA, HEARTH_PICK_NOT,
                                 HEARTH_MESSAGE_COMPLETE);
  hearth_test_answer (store, set_question, "", BETA, HEARTH_PICK_NOT, HEARTH_MESSAGE_FAILED);

  /* 20 kept before it (not 22): a long conversation. */
  question = hearth_test_say (store, conversation, "user", "and now?", NULL);
  reply = hearth_test_say (store, conversation, "assistant", "now this", ALPHA);
  hearth_test_rate_ok (engine, reply, 1, NULL);
  sql = g_strdup_printf ("SELECT kind FROM feedback WHERE message_id = %" G_GINT64_FORMAT, reply);
  kind = hearth_test_sqlite_query_text (db, sql);
  g_assert_cmpstr (kind, ==, "long-conversation");
  g_clear_pointer (&kind, g_free);
  g_clear_pointer (&sql, g_free);

  /* The answer not kept, to the set's question: 18 kept before that one. */
  hearth_test_rate_ok (engine, not_kept, -1, NULL);
  sql = g_strdup_printf ("SELECT kind FROM feedback WHERE message_id = %" G_GINT64_FORMAT,
                         not_kept);
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
  gint64 conversation = hearth_test_new_conversation (store);
  gint64 api_conversation, api_reply;

  h->code_question = hearth_test_say (store, conversation, "user", code_question, NULL);
  h->code_alpha = hearth_test_answer (store, h->code_question, "A null pointer is read.", ALPHA,
                                      HEARTH_PICK_USER, HEARTH_MESSAGE_COMPLETE);
  h->code_beta = hearth_test_answer (store, h->code_question, "It does not crash.", BETA,
                                     HEARTH_PICK_NOT, HEARTH_MESSAGE_COMPLETE);
  h->code_failed = hearth_test_answer (store, h->code_question, "", "gamma:1b",
                                       HEARTH_PICK_NOT, HEARTH_MESSAGE_FAILED);

  h->plain_question = hearth_test_say (store, conversation, "user", "Name a blue thing.", NULL);
  h->plain_alpha = hearth_test_answer (store, h->plain_question, "The sea.", ALPHA,
                                       HEARTH_PICK_AUTO, HEARTH_MESSAGE_COMPLETE);
  h->plain_beta = hearth_test_answer (store, h->plain_question, "A carrot.", BETA,
                                      HEARTH_PICK_NOT, HEARTH_MESSAGE_COMPLETE);
  hearth_test_rate_ok (engine, h->plain_alpha, 1, "Right");
  hearth_test_rate_ok (engine, h->plain_beta, -1, "Carrots are orange");

  api_conversation = hearth_store_get_api_conversation (store, &error);
  g_assert_no_error (error);
  hearth_test_say (store, api_conversation, "user", "Name a blue thing.", NULL);
  api_reply = hearth_test_say (store, api_conversation, "assistant", "The sky.", BETA);
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
  engine = hearth_test_lab_engine ("stats", &store);

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
  hearth_test_rate_ok (engine, h.code_beta, -1, NULL);
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
  engine = hearth_test_lab_engine ("export", &store);

  empty = export_of (engine, HEARTH_FEEDBACK_PAIRS, 0);
  g_assert_cmpstr (empty, ==, "");
  g_clear_pointer (&empty, g_free);
  empty = export_of (engine, HEARTH_FEEDBACK_RATINGS, 0);
  g_assert_cmpstr (empty, ==, "");

  build_history (engine, store, &h);
  /* Rated as well as picked: still one pair. */
  hearth_test_rate_ok (engine, h.code_alpha, 1, NULL);
  hearth_test_rate_ok (engine, h.code_beta, -1, NULL);

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
  engine = hearth_test_lab_engine ("since", &store);
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

  status = g_test_run ();
  hearth_test_lab_stop ();
  return status;
}
