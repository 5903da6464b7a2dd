/* test-store.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE

#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hearth-store.h"
#include "hearth-test-util.h"

/* Helpers */

/* Fails if the full-text index and the messages table disagree. */
static void
assert_index_in_sync (HearthStore *store)
{
  hearth_test_sqlite_run (hearth_store_get_path (store),
                          "INSERT INTO messages_fts (messages_fts, rank) "
                          "VALUES ('integrity-check', 1)");
}

static gint64
add_message (HearthStore *store,
             gint64       conversation_id,
             const char  *role,
             const char  *content)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthMessage) message = hearth_message_new (role, content);
  gint64 id;

  message->conversation_id = conversation_id;
  id = hearth_store_add_message (store, message, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (id, ==, message->id);
  return id;
}

static gint64
create_conversation (HearthStore *store,
                     const char  *title)
{
  g_autoptr(GError) error = NULL;
  gint64 id = hearth_store_create_conversation (store, title, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static GPtrArray *
search (HearthStore *store,
        const char  *query)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *hits = hearth_store_search (store, query, 50, &error);

  g_assert_no_error (error);
  g_assert_nonnull (hits);
  return hits;
}

static void
assert_error_names_path (const GError *error,
                         const char   *path)
{
  g_assert_nonnull (error);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, path));
}

/* Opening and migrations */

static void
test_default_path (void)
{
  g_autofree char *path = hearth_store_default_path ();
  g_autofree char *expected = g_build_filename (g_getenv ("XDG_DATA_HOME"),
                                                "hearth", "hearth.db", NULL);

  g_assert_cmpstr (path, ==, expected);
}

static void
test_migrations_fresh (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = hearth_test_build_tmp_path ("fresh", "a", "b", NULL);
  g_autofree char *path = g_build_filename (dir, "hearth.db", NULL);
  g_autoptr(HearthStore) store = hearth_store_open (path, &error);
  g_autofree char *journal_mode = NULL;
  GStatBuf buf;
  const char * const names[] = { "conversations", "messages", "messages_fts",
                                 "messages_by_conversation", "messages_requests_by_time",
                                 "resource_samples", "bench_runs", "message_chunks",
                                 "alert_rules", "alert_state", "alert_events", "alert_meta",
                                 "model_options", "run_profiles", "tune_runs", "tune_trials",
                                 "preloads", "tune_runs_by_model" };

  g_assert_no_error (error);
  g_assert_cmpstr (hearth_store_get_path (store), ==, path);
  g_assert_cmpint (hearth_store_get_schema_version (store), ==, 10);
  g_assert_cmpint (g_stat (dir, &buf), ==, 0);
  g_assert_cmpint (buf.st_mode & 0777, ==, 0700);

  g_assert_cmpint (hearth_test_sqlite_query_int (path, "PRAGMA user_version"), ==, 10);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM sqlite_schema "
                                              "WHERE name = '%s'", names[i]);
      g_assert_cmpint (hearth_test_sqlite_query_int (path, sql), ==, 1);
    }
  g_assert_cmpint (hearth_test_sqlite_query_int (path, "SELECT count(*) FROM sqlite_schema "
                                        "WHERE type = 'trigger'"), ==, 7);
  journal_mode = hearth_test_sqlite_query_text (path, "PRAGMA journal_mode");
  g_assert_cmpstr (journal_mode, ==, "wal");
}

static void
test_migrations_reopen (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = hearth_test_open_store ("reopen");
  g_autofree char *path = g_strdup (hearth_store_get_path (store));
  g_autoptr(HearthStore) again = NULL;
  g_autoptr(HearthStore) third = NULL;
  g_autoptr(GPtrArray) conversations = NULL;
  gint64 id = create_conversation (store, "kept");

  add_message (store, id, "user", "still here");
  g_clear_object (&store);

  again = hearth_store_open (path, &error);
  g_assert_no_error (error);
  /* A second connection on the same file, as a worker thread would open. */
  third = hearth_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hearth_store_get_schema_version (again), ==, 10);
  conversations = hearth_store_list_conversations (third, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (conversations->len, ==, 1);
  g_assert_cmpint (((HearthConversation *) conversations->pdata[0])->n_messages, ==, 1);
  g_assert_cmpint (hearth_test_sqlite_query_int (path, "SELECT count(*) FROM sqlite_schema"), >, 5);
}

/* A history written before replies were saved in pieces (schema 2) opens,
 * keeps its messages, and a reply then streams into it as into a new one. */
static void
test_migrations_from_v2 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = hearth_test_open_store ("from-v2");
  g_autofree char *path = g_strdup (hearth_store_get_path (store));
  g_autoptr(HearthMessage) partial = hearth_message_new ("assistant", "saved the old way, ");
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  gint64 id = create_conversation (store, "Before the upgrade");

  add_message (store, id, "user", "an old question");
  partial->conversation_id = id;
  partial->state = HEARTH_MESSAGE_PARTIAL;
  hearth_store_add_message (store, partial, &error);
  g_assert_no_error (error);
  g_clear_object (&store);
  hearth_test_sqlite_run (path, "DROP TABLE message_chunks;"
                          " ALTER TABLE messages DROP COLUMN cached;"
                          " ALTER TABLE request_figures_days DROP COLUMN cache_hits;"
                          " DROP TABLE alert_state; DROP TABLE alert_events;"
                          " DROP TABLE alert_rules; DROP TABLE alert_meta; "
                          "DROP TABLE preloads; DROP TABLE tune_trials; DROP TABLE tune_runs;"
                          " DROP TABLE run_profiles; DROP TABLE model_options;"
                          " ALTER TABLE messages DROP COLUMN options;"
                          " ALTER TABLE messages DROP COLUMN server;"
                          " ALTER TABLE messages DROP COLUMN fallback_from;"
                          " ALTER TABLE messages DROP COLUMN fallback_reason;"
                          " ALTER TABLE messages DROP COLUMN route_rule;"
                          " ALTER TABLE bench_runs DROP COLUMN server;"
                          " ALTER TABLE conversations DROP COLUMN kind;"
                          " ALTER TABLE messages DROP COLUMN client;"
                          " DROP TABLE feedback; DROP INDEX messages_by_set;"
                          " ALTER TABLE messages DROP COLUMN set_question;"
                          " ALTER TABLE messages DROP COLUMN set_method;"
                          " ALTER TABLE messages DROP COLUMN set_name;"
                          " ALTER TABLE messages DROP COLUMN set_role;"
                          " ALTER TABLE messages DROP COLUMN pick;"
                          " ALTER TABLE messages DROP COLUMN set_reason;"
                          " PRAGMA user_version = 2");

  store = hearth_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hearth_store_get_schema_version (store), ==, 10);
  messages = hearth_store_list_messages (store, id, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, 2);
  g_assert_cmpstr (((HearthMessage *) messages->pdata[0])->content, ==, "an old question");
  g_assert_cmpstr (((HearthMessage *) messages->pdata[1])->content, ==, "saved the old way, ");
  g_clear_pointer (&messages, g_ptr_array_unref);

  /* Two saves while it streams, read back whole; then the end. */
  g_free (partial->content);
  partial->content = g_strdup ("then in ");
  g_assert_true (hearth_store_append_message (store, partial, &error));
  g_free (partial->content);
  partial->content = g_strdup ("pieces");
  partial->figures.tokens_out = 9;
  g_assert_true (hearth_store_append_message (store, partial, &error));
  g_assert_no_error (error);
  messages = hearth_store_list_messages (store, id, 0, 0, &error);
  g_assert_cmpstr (((HearthMessage *) messages->pdata[1])->content, ==,
                   "saved the old way, then in pieces");
  g_assert_cmpint (((HearthMessage *) messages->pdata[1])->figures.tokens_out, ==, 9);
  g_assert_cmpint (((HearthMessage *) messages->pdata[1])->state, ==, HEARTH_MESSAGE_PARTIAL);
  hits = search (store, "pieces");
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);

  g_free (partial->content);
  partial->content = g_strdup ("saved the old way, then in pieces, then whole");
  partial->state = HEARTH_MESSAGE_COMPLETE;
  g_assert_true (hearth_store_update_message (store, partial, &error));
  g_clear_pointer (&messages, g_ptr_array_unref);
  messages = hearth_store_list_messages (store, id, 0, 0, &error);
  g_assert_cmpstr (((HearthMessage *) messages->pdata[1])->content, ==,
                   "saved the old way, then in pieces, then whole");
  hits = search (store, "pieces");
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpint (hearth_test_sqlite_query_int (path, "SELECT count(*) FROM message_chunks"), ==, 0);
  assert_index_in_sync (store);

  /* A save into a message deleted meanwhile says so. */
  g_assert_true (hearth_store_delete_conversation (store, id, &error));
  g_assert_false (hearth_store_append_message (store, partial, &error));
  g_assert_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND);
}

/* A history indexed before the 4- and 5-letter prefix indexes (schema 4)
 * opens with its index built again from the messages: search finds what
 * it found, and what is written afterwards. */
static void
test_migrations_from_v4 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = hearth_test_open_store ("from-v4");
  g_autofree char *path = g_strdup (hearth_store_get_path (store));
  g_autofree char *sql = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  gint64 id = create_conversation (store, "Before the prefix index");
  gint64 round, right, warm, later;

  round = add_message (store, id, "user", "They say the world is round.");
  right = add_message (store, id, "assistant", "The world, as they measured it: round. They were right.");
  warm = add_message (store, id, "user", "Worldwide, thermal imaging shows they are warm.");
  add_message (store, id, "assistant", "Nothing to see here.");
  g_clear_object (&store);
  hearth_test_sqlite_run (path,
                          "DROP TABLE messages_fts;"
                          "CREATE VIRTUAL TABLE messages_fts USING fts5 ("
                          "  content, content = 'messages', content_rowid = 'id',"
                          "  tokenize = 'unicode61 remove_diacritics 2', prefix = '3');"
                          "INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');"
                          "DROP TABLE alert_state; DROP TABLE alert_events;"
                          "DROP TABLE alert_rules; DROP TABLE alert_meta;"
                          "DROP TABLE preloads; DROP TABLE tune_trials; DROP TABLE tune_runs;"
                          " DROP TABLE run_profiles; DROP TABLE model_options;"
                          " ALTER TABLE messages DROP COLUMN options;"
                          " ALTER TABLE messages DROP COLUMN server;"
                          " ALTER TABLE messages DROP COLUMN fallback_from;"
                          " ALTER TABLE messages DROP COLUMN fallback_reason;"
                          " ALTER TABLE messages DROP COLUMN route_rule;"
                          " ALTER TABLE bench_runs DROP COLUMN server;"
                          " ALTER TABLE conversations DROP COLUMN kind;"
                          " ALTER TABLE messages DROP COLUMN client;"
                          " DROP TABLE feedback; DROP INDEX messages_by_set;"
                          " ALTER TABLE messages DROP COLUMN set_question;"
                          " ALTER TABLE messages DROP COLUMN set_method;"
                          " ALTER TABLE messages DROP COLUMN set_name;"
                          " ALTER TABLE messages DROP COLUMN set_role;"
                          " ALTER TABLE messages DROP COLUMN pick;"
                          " ALTER TABLE messages DROP COLUMN set_reason;"
                          "PRAGMA user_version = 4");

  store = hearth_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hearth_store_get_schema_version (store), ==, 10);
  sql = hearth_test_sqlite_query_text (path, "SELECT sql FROM sqlite_schema WHERE name = 'messages_fts'");
  g_assert_nonnull (strstr (sql, "prefix = '3 4 5'"));
  assert_index_in_sync (store);

  /* "they" twice in one message ranks it first; "world" is also the start of "worldwide". */
  hits = search (store, "they");
  g_assert_cmpuint (hits->len, ==, 3);
  g_assert_cmpint (((HearthSearchHit *) hits->pdata[0])->message_id, ==, right);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (store, "world");
  g_assert_cmpuint (hits->len, ==, 3);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (store, "worl thermal");
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpint (((HearthSearchHit *) hits->pdata[0])->message_id, ==, warm);
  g_assert_nonnull (strstr (((HearthSearchHit *) hits->pdata[0])->snippet, "[thermal]"));
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (store, "round");
  g_assert_cmpuint (hits->len, ==, 2);
  g_assert_true (((HearthSearchHit *) hits->pdata[0])->message_id == round ||
                 ((HearthSearchHit *) hits->pdata[1])->message_id == round);
  g_clear_pointer (&hits, g_ptr_array_unref);

  later = add_message (store, id, "user", "Theyre writing again, worldly as ever.");
  hits = search (store, "theyr world");
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpint (((HearthSearchHit *) hits->pdata[0])->message_id, ==, later);
  assert_index_in_sync (store);
}

static void
test_migrations_too_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = hearth_test_open_store ("too-new");
  g_autofree char *path = g_strdup (hearth_store_get_path (store));
  g_autoptr(HearthStore) again = NULL;

  g_clear_object (&store);
  hearth_test_sqlite_run (path, "PRAGMA user_version = 99");

  again = hearth_store_open (path, &error);
  g_assert_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_TOO_NEW);
  g_assert_null (again);
  assert_error_names_path (error, path);
  g_assert_cmpint (hearth_test_sqlite_query_int (path, "PRAGMA user_version"), ==, 99);
}

/* Conversations */

static void
test_conversations_crud (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = hearth_test_open_store ("conversations");
  g_autoptr(HearthConversation) conversation = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(HearthMessage) message = hearth_message_new ("user", "bump");
  gint64 a = create_conversation (store, "Alpha");
  gint64 b = create_conversation (store, "Beta");
  gint64 c = create_conversation (store, NULL);

  list = hearth_store_list_conversations (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpint (((HearthConversation *) list->pdata[0])->id, ==, c);
  g_assert_cmpstr (((HearthConversation *) list->pdata[0])->title, ==, "");
  g_clear_pointer (&list, g_ptr_array_unref);

  /* A new message moves its conversation to the top. */
  message->conversation_id = a;
  message->created_ms = g_get_real_time () / 1000 + 60000;
  hearth_store_add_message (store, message, &error);
  g_assert_no_error (error);
  add_message (store, a, "assistant", "second");
  list = hearth_store_list_conversations (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((HearthConversation *) list->pdata[0])->id, ==, a);
  g_assert_cmpint (((HearthConversation *) list->pdata[0])->n_messages, ==, 2);
  g_assert_cmpint (((HearthConversation *) list->pdata[0])->updated_ms, ==, message->created_ms);
  g_assert_cmpint (((HearthConversation *) list->pdata[1])->id, ==, c);
  g_assert_cmpint (((HearthConversation *) list->pdata[2])->id, ==, b);
  g_assert_cmpint (((HearthConversation *) list->pdata[2])->n_messages, ==, 0);

  g_assert_true (hearth_store_rename_conversation (store, a, "Ålpha ✓", &error));
  g_assert_no_error (error);
  conversation = hearth_store_get_conversation (store, a, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (conversation->title, ==, "Ålpha ✓");
  g_assert_cmpint (conversation->n_messages, ==, 2);
  g_assert_cmpint (conversation->created_ms, <=, conversation->updated_ms);

  g_assert_true (hearth_store_delete_conversation (store, a, &error));
  g_assert_no_error (error);
  messages = hearth_store_list_messages (store, a, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, 0);
  g_assert_cmpint (hearth_test_sqlite_query_int (hearth_store_get_path (store),
                                  "SELECT count(*) FROM messages"), ==, 0);
  assert_index_in_sync (store);

  g_assert_null (hearth_store_get_conversation (store, a, &error));
  g_assert_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (hearth_store_rename_conversation (store, a, "x", &error));
  g_assert_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (hearth_store_delete_conversation (store, a, &error));
  g_assert_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND);
}

/* Messages */

static void
take_string (char **field,
             char  *value)
{
  g_free (*field);
  *field = value;
}

static void
fill_message (HearthMessage *message,
              int            variant)
{
  take_string (&message->content,
               g_strdup_printf ("Ünïcödé ✓ 日本語 😀 %d\nsecond line", variant));
  take_string (&message->thinking, g_strdup_printf ("thinking %d…", variant));
  take_string (&message->model, g_strdup_printf ("llama3.2:%db", variant));
  take_string (&message->endpoint, g_strdup ("http://127.0.0.1:11434"));
  take_string (&message->api, g_strdup ("ollama"));
  take_string (&message->error, g_strdup_printf ("error %d", variant));
  take_string (&message->done_reason, g_strdup ("length"));
  /* Where it was answered (schema 8): another server each variant. */
  take_string (&message->server, g_strdup_printf ("big-box-%d", variant));
  take_string (&message->fallback_from, g_strdup ("laptop"));
  take_string (&message->fallback_reason, g_strdup (variant == 1 ? "down" : "model missing"));
  take_string (&message->route_rule, g_strdup_printf ("code → qwen2.5:%db", variant));
  message->state = HEARTH_MESSAGE_CANCELLED;
  message->created_ms = 1700000000123 + variant;
  message->figures.tokens_in = 10 + variant;
  message->figures.tokens_out = 0;
  message->figures.ttft_ms = 12.5 + variant;
  message->figures.total_ms = 1000.25;
  message->figures.load_ms = 0;
  message->figures.prompt_tokens_per_s = 300.125;
  message->figures.tokens_per_s = 42.5;
  message->figures.from_server = TRUE;
}

static void
assert_messages_equal (const HearthMessage *a,
                       const HearthMessage *b)
{
  g_assert_cmpint (a->id, ==, b->id);
  g_assert_cmpint (a->conversation_id, ==, b->conversation_id);
  g_assert_cmpstr (a->role, ==, b->role);
  g_assert_cmpstr (a->content, ==, b->content);
  g_assert_cmpstr (a->thinking, ==, b->thinking);
  g_assert_cmpstr (a->model, ==, b->model);
  g_assert_cmpstr (a->endpoint, ==, b->endpoint);
  g_assert_cmpstr (a->api, ==, b->api);
  g_assert_cmpstr (a->error, ==, b->error);
  g_assert_cmpstr (a->done_reason, ==, b->done_reason);
  g_assert_cmpstr (a->server, ==, b->server);
  g_assert_cmpstr (a->fallback_from, ==, b->fallback_from);
  g_assert_cmpstr (a->fallback_reason, ==, b->fallback_reason);
  g_assert_cmpstr (a->route_rule, ==, b->route_rule);
  g_assert_cmpint (a->created_ms, ==, b->created_ms);
  g_assert_cmpint (a->state, ==, b->state);
  g_assert_cmpint (a->figures.tokens_in, ==, b->figures.tokens_in);
  g_assert_cmpint (a->figures.tokens_out, ==, b->figures.tokens_out);
  g_assert_cmpfloat (a->figures.ttft_ms, ==, b->figures.ttft_ms);
  g_assert_cmpfloat (a->figures.total_ms, ==, b->figures.total_ms);
  g_assert_cmpfloat (a->figures.load_ms, ==, b->figures.load_ms);
  g_assert_cmpfloat (a->figures.prompt_tokens_per_s, ==, b->figures.prompt_tokens_per_s);
  g_assert_cmpfloat (a->figures.tokens_per_s, ==, b->figures.tokens_per_s);
  g_assert_cmpint (a->figures.from_server, ==, b->figures.from_server);
}

static HearthMessage *
read_back (HearthStore *store,
           gint64       conversation_id,
           guint        index)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = hearth_store_list_messages (store, conversation_id, 0, 0,
                                                              &error);

  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, >, index);
  return g_ptr_array_steal_index (messages, index);
}

static void
test_messages_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = hearth_test_open_store ("messages");
  g_autoptr(HearthMessage) bare = hearth_message_new ("user", "hello");
  g_autoptr(HearthMessage) full = hearth_message_new ("assistant", NULL);
  g_autoptr(HearthMessage) update = hearth_message_new ("assistant", "replaced");
  g_autoptr(HearthMessage) back = NULL;
  gint64 conversation_id = create_conversation (store, "Messages");
  gint64 before = g_get_real_time () / 1000;

  /* Unknown figures and unset strings come back as -1 and NULL. */
  bare->conversation_id = conversation_id;
  hearth_store_add_message (store, bare, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bare->created_ms, >=, before);
  g_assert_cmpint (bare->created_ms, <=, g_get_real_time () / 1000);
  back = read_back (store, conversation_id, 0);
  assert_messages_equal (back, bare);
  g_assert_cmpint (back->figures.tokens_in, ==, -1);
  g_assert_cmpfloat (back->figures.tokens_per_s, ==, -1);
  g_assert_null (back->model);
  g_assert_cmpint (back->state, ==, HEARTH_MESSAGE_COMPLETE);
  g_clear_pointer (&back, hearth_message_free);
  g_assert_cmpint (hearth_test_sqlite_query_int (hearth_store_get_path (store),
                                  "SELECT count(*) FROM messages WHERE tokens_in IS NULL"
                                  " AND tokens_out IS NULL AND ttft_ms IS NULL"
                                  " AND total_ms IS NULL AND load_ms IS NULL"
                                  " AND prompt_tokens_per_s IS NULL AND tokens_per_s IS NULL"
                                  " AND figures_from_server = 0 AND state = 'complete'"), ==, 1);

  full->conversation_id = conversation_id;
  fill_message (full, 1);
  hearth_store_add_message (store, full, &error);
  g_assert_no_error (error);
  back = read_back (store, conversation_id, 1);
  assert_messages_equal (back, full);
  g_clear_pointer (&back, hearth_message_free);

  /* An update replaces every field it owns, back to unknown too. */
  update->id = full->id;
  update->conversation_id = conversation_id;
  update->endpoint = g_strdup (full->endpoint);
  update->api = g_strdup (full->api);
  update->created_ms = full->created_ms;
  update->state = HEARTH_MESSAGE_PARTIAL;
  update->figures.tokens_out = 7;
  g_assert_true (hearth_store_update_message (store, update, &error));
  g_assert_no_error (error);
  back = read_back (store, conversation_id, 1);
  assert_messages_equal (back, update);
  g_clear_pointer (&back, hearth_message_free);

  fill_message (update, 2);
  update->created_ms = full->created_ms;
  update->state = HEARTH_MESSAGE_FAILED;
  g_assert_true (hearth_store_update_message (store, update, &error));
  back = read_back (store, conversation_id, 1);
  assert_messages_equal (back, update);

  update->id = 999999;
  g_assert_false (hearth_store_update_message (store, update, &error));
  g_assert_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  bare->conversation_id = 424242;
  g_assert_cmpint (hearth_store_add_message (store, bare, &error), ==, -1);
  g_assert_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND);
}

static void
assert_page (GPtrArray    *page,
             const gint64 *ids,
             guint         first,
             guint         count)
{
  g_assert_cmpuint (page->len, ==, count);
  for (guint i = 0; i < count; i++)
    {
      HearthMessage *message = page->pdata[i];
      g_autofree char *expected = g_strdup_printf ("message %u", first + i);

      g_assert_cmpint (message->id, ==, ids[first + i]);
      g_assert_cmpstr (message->content, ==, expected);
    }
}

static void
test_messages_paging (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = hearth_test_open_store ("paging");
  g_autoptr(GPtrArray) page = NULL;
  gint64 conversation_id = create_conversation (store, "Long");
  gint64 other_id = create_conversation (store, "Other");
  gint64 ids[120];
  const guint expected_first[] = { 70, 20, 0 };
  const guint expected_count[] = { 50, 50, 20 };
  gint64 before_id = 0;

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *content = g_strdup_printf ("message %u", i);

      ids[i] = add_message (store, conversation_id, i % 2 ? "assistant" : "user", content);
      add_message (store, other_id, "user", "elsewhere");
    }

  for (guint p = 0; p < G_N_ELEMENTS (expected_first); p++)
    {
      page = hearth_store_list_messages (store, conversation_id, before_id, 50, &error);
      g_assert_no_error (error);
      assert_page (page, ids, expected_first[p], expected_count[p]);
      before_id = ((HearthMessage *) page->pdata[0])->id;
      g_clear_pointer (&page, g_ptr_array_unref);
    }
  page = hearth_store_list_messages (store, conversation_id, before_id, 50, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 0);
  g_clear_pointer (&page, g_ptr_array_unref);

  page = hearth_store_list_messages (store, conversation_id, -1, 0, &error);
  g_assert_no_error (error);
  assert_page (page, ids, 0, 120);
  g_clear_pointer (&page, g_ptr_array_unref);

  page = hearth_store_list_messages (store, conversation_id, ids[10], 0, &error);
  g_assert_no_error (error);
  assert_page (page, ids, 0, 10);
}

/* Search */

static HearthStore *
open_search_store (const char *name,
                   gint64     *conversation_id)
{
  HearthStore *store = hearth_test_open_store (name);

  *conversation_id = create_conversation (store, "Fruit talk");
  add_message (store, *conversation_id, "user", "Where can I buy a banana and a quantum computer?");
  add_message (store, *conversation_id, "assistant",
               "Tokenization splits text into tokens. A quantum computer is rare.");
  add_message (store, *conversation_id, "user", "Un café au lait, s'il vous plaît.");
  add_message (store, *conversation_id, "assistant", "A banana is a fruit.");
  return store;
}

static HearthSearchHit *
single_hit (HearthStore *store,
            const char  *query)
{
  g_autoptr(GPtrArray) hits = search (store, query);

  g_assert_cmpuint (hits->len, ==, 1);
  return g_ptr_array_steal_index (hits, 0);
}

static void
test_search_basic (void)
{
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthSearchHit) hit = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  gint64 conversation_id;

  store = open_search_store ("search-basic", &conversation_id);

  hit = single_hit (store, "token");
  g_assert_nonnull (strstr (hit->snippet, "[Tokenization]"));
  g_assert_nonnull (strstr (hit->snippet, "[tokens]"));
  g_assert_cmpstr (hit->role, ==, "assistant");
  g_assert_cmpstr (hit->conversation_title, ==, "Fruit talk");
  g_assert_cmpint (hit->conversation_id, ==, conversation_id);
  g_assert_cmpint (hit->created_ms, >, 0);
  g_assert_cmpint (hit->message_id, >, 0);
  g_clear_pointer (&hit, hearth_search_hit_free);

  hit = single_hit (store, "banana quantum");
  g_assert_cmpstr (hit->role, ==, "user");
  g_assert_nonnull (strstr (hit->snippet, "[banana]"));
  g_assert_nonnull (strstr (hit->snippet, "[quantum]"));
  g_assert_null (strchr (hit->snippet, '\n'));
  g_clear_pointer (&hit, hearth_search_hit_free);

  hit = single_hit (store, "CAFE");
  g_assert_nonnull (strstr (hit->snippet, "[café]"));
  g_clear_pointer (&hit, hearth_search_hit_free);
  hit = single_hit (store, "plait");
  g_clear_pointer (&hit, hearth_search_hit_free);

  hits = search (store, "banana");
  g_assert_cmpuint (hits->len, ==, 2);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (store, "banana quantum tokens");
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (store, "");
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (store, "  \t ");
  g_assert_cmpuint (hits->len, ==, 0);
}

static gint64
add_crossing (HearthStore *store,
              gint64       conversation_id,
              gint64       created_ms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthMessage) message = hearth_message_new ("user", "zebra crossing");

  message->conversation_id = conversation_id;
  message->created_ms = created_ms;
  hearth_store_add_message (store, message, &error);
  g_assert_no_error (error);
  return message->id;
}

static void
test_search_ranking (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("ranking");
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;
  gint64 conversation_id = create_conversation (store, "Zoo");
  gint64 created[3];
  gint64 best;

  add_message (store, conversation_id, "user",
               "A long message that mentions the zebra only once among very many other "
               "words about lions, tigers, giraffes, elephants and the weather today.");
  best = add_message (store, conversation_id, "assistant", "Zebra zebra zebra.");
  hits = search (store, "zebra");
  g_assert_cmpuint (hits->len, ==, 2);
  g_assert_cmpint (((HearthSearchHit *) hits->pdata[0])->message_id, ==, best);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* Equal scores: the newest first, whatever the order of insertion. */
  created[0] = add_crossing (store, conversation_id, 1500000000000);
  created[1] = add_crossing (store, conversation_id, 2000000000000);
  created[2] = add_crossing (store, conversation_id, 1000000000000);
  hits = search (store, "crossing");
  g_assert_cmpuint (hits->len, ==, 3);
  g_assert_cmpint (((HearthSearchHit *) hits->pdata[0])->message_id, ==, created[1]);
  g_assert_cmpint (((HearthSearchHit *) hits->pdata[1])->message_id, ==, created[0]);
  g_assert_cmpint (((HearthSearchHit *) hits->pdata[2])->message_id, ==, created[2]);
  g_clear_pointer (&hits, g_ptr_array_unref);

  hits = hearth_store_search (store, "zebra", 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 1);
}

static void
test_search_hostile (void)
{
  g_autoptr(HearthStore) store = NULL;
  gint64 conversation_id;
  const char * const hostile[] = {
    "\"", "*", "AND OR NOT", "(", ")", "-", ":", "NEAR(", "NEAR(banana quantum, 2)",
    "\"\"", "a\"b", "^banana", "content:banana", "{content}: banana", "'", "\\",
    "* OR *", "banana AND", "OR", "NOT banana", "+", "banana -quantum", "\xff\xfe",
    "😀", "a*b*c", "..", "rowid:1", "\"banana", "banana\"", "[banana]",
  };
  const char * const finding_banana[] = {
    "\"banana\"", "banana*", "(banana)", "-banana", "BaNaNa!", "ban", "\"banana",
  };

  store = open_search_store ("search-hostile", &conversation_id);
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr(GPtrArray) hits = search (store, hostile[i]);
      g_autofree char *escaped = g_strescape (hostile[i], NULL);

      g_test_message ("%s -> %u hits", escaped, hits->len);
    }
  for (guint i = 0; i < G_N_ELEMENTS (finding_banana); i++)
    {
      g_autoptr(GPtrArray) hits = search (store, finding_banana[i]);

      g_assert_cmpuint (hits->len, ==, 2);
    }
}

/* A reply of megabytes full of the word searched for: the search answers
 * (snippet() alone took minutes) and the snippet shows the match in its
 * words, as for a short message. */
static void
test_search_long_message (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("search-long");
  g_autoptr(GString) text = g_string_new ("Opening words before the filler. ");
  g_autoptr(HearthSearchHit) hit = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  gint64 conversation_id = create_conversation (store, "Long");
  gint64 id;

  while (text->len < 2 * 1024 * 1024)
    g_string_append (text, "lorem ipsum dolor sit amet, consectetur adipiscing elit. ");
  g_string_append (text, "The hidden zanzibar word sits here. ");
  while (text->len < 4 * 1024 * 1024)
    g_string_append (text, "lorem ipsum dolor sit amet, consectetur adipiscing elit. ");
  id = add_message (store, conversation_id, "assistant", text->str);
  add_message (store, conversation_id, "user", "a short lorem question about zanzibar");

  hits = search (store, "zanzibar");
  g_assert_cmpuint (hits->len, ==, 2);
  hit = g_ptr_array_steal_index (hits, ((HearthSearchHit *) hits->pdata[0])->message_id == id ? 0 : 1);
  g_test_message ("%s", hit->snippet);
  g_assert_cmpint (hit->message_id, ==, id);
  g_assert_cmpstr (hit->snippet, ==, "…The hidden [zanzibar] word sits here. lorem ipsum dolor sit amet, consectetur…");
  g_clear_pointer (&hit, hearth_search_hit_free);
  g_clear_pointer (&hits, g_ptr_array_unref);

  hits = search (store, "lorem ipsum");
  g_assert_cmpuint (hits->len, ==, 1);
  hit = g_ptr_array_steal_index (hits, 0);
  g_test_message ("%s", hit->snippet);
  g_assert_cmpint (hit->message_id, ==, id);
  g_assert_true (g_str_has_suffix (hit->snippet, "…"));
  g_assert_nonnull (strstr (hit->snippet, "[lorem] [ipsum] dolor sit amet"));
  g_assert_cmpuint (strlen (hit->snippet), <, 200);
}

static void
test_search_follows_changes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = hearth_test_open_store ("search-changes");
  g_autoptr(HearthMessage) message = hearth_message_new ("assistant", "original walrus");
  g_autoptr(GPtrArray) hits = NULL;
  gint64 conversation_id = create_conversation (store, "Sea");

  message->conversation_id = conversation_id;
  hearth_store_add_message (store, message, &error);
  g_assert_no_error (error);
  hits = search (store, "walrus");
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);

  g_free (message->content);
  message->content = g_strdup ("replaced narwhal");
  g_assert_true (hearth_store_update_message (store, message, &error));
  message->figures.tokens_out = 3;
  g_assert_true (hearth_store_update_message (store, message, &error));
  g_assert_no_error (error);
  assert_index_in_sync (store);
  hits = search (store, "walrus");
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (store, "narwhal");
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);

  g_assert_true (hearth_store_delete_conversation (store, conversation_id, &error));
  hits = search (store, "narwhal");
  g_assert_cmpuint (hits->len, ==, 0);
  assert_index_in_sync (store);
}

/* Failures */

static void
test_error_locked (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = hearth_test_open_store ("locked");
  g_autoptr(GPtrArray) list = NULL;
  sqlite3 *other = hearth_test_sqlite_open (hearth_store_get_path (store));
  gint64 start;
  gint64 elapsed_ms;

  create_conversation (store, "before");
  hearth_test_sqlite_exec (other, "BEGIN EXCLUSIVE;"
                   "INSERT INTO conversations (title, created_ms, updated_ms) VALUES ('x', 0, 0)");

  start = g_get_monotonic_time ();
  g_assert_cmpint (hearth_store_create_conversation (store, "blocked", &error), ==, -1);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_assert_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_LOCKED);
  assert_error_names_path (error, hearth_store_get_path (store));
  g_test_message ("gave up after %" G_GINT64_FORMAT " ms", elapsed_ms);
  g_assert_cmpint (elapsed_ms, >=, 1500);
  g_assert_cmpint (elapsed_ms, <, 10000);
  g_clear_error (&error);

  /* Readers are not blocked by a writer in WAL mode. */
  list = hearth_store_list_conversations (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);

  hearth_test_sqlite_exec (other, "ROLLBACK");
  sqlite3_close (other);
  create_conversation (store, "after");
}

/* Runs as the owner of a folder and file that lost their write permission. */
static void
read_only_child (int      fd,
                 gpointer user_data)
{
  const char *path = user_data;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autofree char *fresh = g_build_filename (dir, "new.db", NULL);
  g_autofree char *nested = g_build_filename (dir, "sub", "new.db", NULL);
  g_autofree char *found = NULL;
  HearthStore *other;

  store = hearth_store_open (path, &error);
  hearth_test_write_report (fd, "open", error);
  if (store != NULL)
    {
      list = hearth_store_list_conversations (store, &error);
      hits = list ? hearth_store_search (store, "still", 10, &error) : NULL;
      hearth_test_write_report (fd, "read", error);
      found = g_strdup_printf ("found %s %u\n", list && list->len ? ((HearthConversation *) list->pdata[0])->title : "-",
                               hits ? hits->len : 0);
      if (write (fd, found, strlen (found)) < 0)
        _exit (3);
      hearth_store_create_conversation (store, "denied", &error);
      hearth_test_write_report (fd, "write", error);
    }
  g_clear_error (&error);
  other = hearth_store_open (fresh, &error);
  hearth_test_write_report (fd, "create", error);
  g_clear_object (&other);
  g_clear_error (&error);
  other = hearth_store_open (nested, &error);
  hearth_test_write_report (fd, "mkdir", error);
  g_clear_object (&other);
}

/* A history in a folder that cannot be written is read as it is; writes
 * fail with a sentence that names the file and what to check. */
static void
test_error_read_only (void)
{
  g_autofree char *dir = hearth_test_build_tmp_path ("read-only", NULL);
  g_autofree char *path = g_build_filename (dir, "hearth.db", NULL);
  g_autofree char *output = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(HearthStore) store = hearth_test_open_store ("read-only");

  add_message (store, create_conversation (store, "kept"), "user", "still readable");
  g_clear_object (&store);

  /* Root ignores permissions, so the child becomes an ordinary user (nobody)
   * who owns the files, as a user owns their own history. */
  if (!hearth_test_hand_to_nobody (dir, path, NULL))
    return;
  g_assert_cmpint (chmod (path, 0400), ==, 0);
  g_assert_cmpint (chmod (dir, 0500), ==, 0);

  output = hearth_test_run_as_nobody (read_only_child, path);
  g_assert_cmpint (chmod (dir, 0700), ==, 0);
  if (output == NULL)
    return;
  g_test_message ("%s", output);
  lines = g_strsplit (output, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 7);
  g_assert_cmpstr (lines[0], ==, "open -1 ok");
  g_assert_cmpstr (lines[1], ==, "read -1 ok");
  g_assert_cmpstr (lines[2], ==, "found kept 1");
  hearth_test_assert_read_only_report (lines[3], "write", HEARTH_STORE_ERROR_READ_ONLY, path);
  hearth_test_assert_read_only_report (lines[4], "create", HEARTH_STORE_ERROR_READ_ONLY, dir);
  hearth_test_assert_read_only_report (lines[5], "mkdir", HEARTH_STORE_ERROR_READ_ONLY, dir);
}

static void
test_error_corrupt (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = hearth_test_build_tmp_path ("garbage.db", NULL);
  g_autoptr(GString) garbage = g_string_new (NULL);
  g_autoptr(HearthStore) store = NULL;

  for (guint i = 0; i < 2048; i++)
    g_string_append (garbage, "This is not a database. ");
  g_assert_true (g_file_set_contents (path, garbage->str, garbage->len, NULL));

  store = hearth_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_CORRUPT);
  assert_error_names_path (error, path);
  g_assert_nonnull (strstr (error->message, "damaged"));
}

/* A real history whose pages after the first were overwritten. */
static void
test_error_corrupt_pages (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = hearth_test_open_store ("damaged");
  g_autofree char *path = g_strdup (hearth_store_get_path (store));
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  gsize length;
  gint64 conversation_id = create_conversation (store, "soon damaged");

  for (guint i = 0; i < 200; i++)
    add_message (store, conversation_id, "user", "some words to fill a few pages of the file");
  g_clear_object (&store);

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  for (gsize i = 4096; i < length; i++)
    contents[i] = (char) (i * 7 + 13);
  g_assert_true (g_file_set_contents (path, contents, length, NULL));

  store = hearth_store_open (path, &error);
  if (store != NULL)
    {
      list = hearth_store_list_conversations (store, &error);
      if (list != NULL)
        hits = hearth_store_search (store, "words", 10, &error);
    }
  g_assert_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_CORRUPT);
  assert_error_names_path (error, path);
}

/* Crash safety */

static G_GNUC_NORETURN void
crash_child (int         fd,
             const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = hearth_store_open (path, &error);
  char line[128];
  gint64 conversation_id;

  if (store == NULL)
    _exit (2);
  conversation_id = hearth_store_create_conversation (store, "doomed", &error);
  if (conversation_id < 0)
    _exit (2);
  g_snprintf (line, sizeof line, "conversation %" G_GINT64_FORMAT "\n", conversation_id);
  if (write (fd, line, strlen (line)) < 0)
    _exit (3);

  for (guint i = 0; ; i++)
    {
      g_autoptr(HearthMessage) message = hearth_message_new ("assistant", NULL);

      message->conversation_id = conversation_id;
      message->content = g_strdup_printf ("streaming %u", i);
      message->state = HEARTH_MESSAGE_PARTIAL;
      if (hearth_store_add_message (store, message, &error) < 0)
        _exit (2);
      g_snprintf (line, sizeof line, "added %" G_GINT64_FORMAT " %u\n", message->id, i);
      if (write (fd, line, strlen (line)) < 0)
        _exit (3);

      g_free (message->content);
      message->content = g_strdup_printf ("finished %u", i);
      message->state = HEARTH_MESSAGE_COMPLETE;
      message->figures.tokens_out = i;
      if (!hearth_store_update_message (store, message, &error))
        _exit (2);
      g_snprintf (line, sizeof line, "updated %" G_GINT64_FORMAT " %u\n", message->id, i);
      if (write (fd, line, strlen (line)) < 0)
        _exit (3);
    }
}

static void
check_crash_report (GHashTable *by_id,
                    const char *line)
{
  gint64 id;
  guint i;
  char kind[16];
  HearthMessage *message;
  g_autofree char *started = NULL;
  g_autofree char *finished = NULL;

  if (sscanf (line, "%15s %" G_GINT64_FORMAT " %u", kind, &id, &i) != 3)
    return;
  message = g_hash_table_lookup (by_id, &id);
  g_assert_nonnull (message);
  started = g_strdup_printf ("streaming %u", i);
  finished = g_strdup_printf ("finished %u", i);
  if (g_str_equal (kind, "updated"))
    {
      g_assert_cmpstr (message->content, ==, finished);
      g_assert_cmpint (message->state, ==, HEARTH_MESSAGE_COMPLETE);
      g_assert_cmpint (message->figures.tokens_out, ==, i);
    }
  else
    {
      g_assert_true (g_str_equal (message->content, started) ||
                     g_str_equal (message->content, finished));
    }
}

static void
test_crash_safety (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = hearth_test_build_tmp_path ("crash", "hearth.db", NULL);
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GPtrArray) reports = g_ptr_array_new_with_free_func (g_free);
  gint64 conversation_id = -1;
  char line[128];
  int fds[2];
  FILE *reader;
  pid_t pid;
  int status;

  g_assert_cmpint (pipe (fds), ==, 0);
  fflush (stdout);
  fflush (stderr);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      close (fds[0]);
      crash_child (fds[1], path);
    }
  close (fds[1]);
  reader = fdopen (fds[0], "r");

  /* Kill it in the middle of its work, then keep what it had reported. */
  while (reports->len < 301 && fgets (line, sizeof line, reader) != NULL)
    g_ptr_array_add (reports, g_strdup (line));
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  while (fgets (line, sizeof line, reader) != NULL)
    g_ptr_array_add (reports, g_strdup (line));
  fclose (reader);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
  g_assert_cmpuint (reports->len, >=, 301);

  g_assert_cmpint (sscanf (reports->pdata[0], "conversation %" G_GINT64_FORMAT,
                           &conversation_id), ==, 1);
  store = hearth_store_open (path, &error);
  g_assert_no_error (error);
  messages = hearth_store_list_messages (store, conversation_id, 0, 0, &error);
  g_assert_no_error (error);
  g_test_message ("%u reports, %u messages on disk", reports->len, messages->len);
  for (guint i = 0; i < messages->len; i++)
    g_hash_table_insert (by_id, &((HearthMessage *) messages->pdata[i])->id, messages->pdata[i]);
  for (guint i = 1; i < reports->len; i++)
    check_crash_report (by_id, reports->pdata[i]);
  assert_index_in_sync (store);
}

static void
test_messages_delete_from (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = hearth_test_open_store ("delete-from");
  g_autoptr(GPtrArray) left = NULL;
  g_autoptr(GPtrArray) other_left = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  gint64 conversation_id = create_conversation (store, "Edited");
  gint64 other_id = create_conversation (store, "Untouched");
  gint64 ids[6];

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *content = g_strdup_printf ("pelican number %u", i);

      ids[i] = add_message (store, conversation_id, i % 2 ? "assistant" : "user", content);
      add_message (store, other_id, "user", "pelican elsewhere");
    }

  g_assert_true (hearth_store_delete_messages_from (store, conversation_id, ids[2], &error));
  g_assert_no_error (error);
  left = hearth_store_list_messages (store, conversation_id, 0, 0, &error);
  g_assert_cmpuint (left->len, ==, 2);
  g_assert_cmpint (((HearthMessage *) left->pdata[1])->id, ==, ids[1]);
  other_left = hearth_store_list_messages (store, other_id, 0, 0, &error);
  g_assert_cmpuint (other_left->len, ==, 6);

  /* Gone from search too. */
  hits = hearth_store_search (store, "number", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 2);

  g_assert_false (hearth_store_delete_messages_from (store, conversation_id, ids[4], &error));
  g_assert_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* One message alone. */
  g_assert_true (hearth_store_delete_message (store, ids[0], &error));
  g_assert_no_error (error);
  g_clear_pointer (&left, g_ptr_array_unref);
  left = hearth_store_list_messages (store, conversation_id, 0, 0, &error);
  g_assert_cmpuint (left->len, ==, 1);
  g_assert_cmpint (((HearthMessage *) left->pdata[0])->id, ==, ids[1]);
  g_assert_false (hearth_store_delete_message (store, ids[0], &error));
  g_assert_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND);
}

/* Bytes another program (or a damaged page) left are repaired on the way
 * out: every title, message and snippet is valid UTF-8. */
static void
test_invalid_utf8_repaired (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = hearth_test_open_store ("invalid-utf8");
  const char *path = hearth_store_get_path (store);
  g_autoptr(GPtrArray) conversations = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(HearthConversation) conversation = NULL;
  HearthMessage *message;
  HearthSearchHit *hit;
  gint64 id = create_conversation (store, "valid for now");
  g_autofree char *sql = NULL;

  add_message (store, id, "assistant", "placeholder");
  sql = g_strdup_printf ("UPDATE conversations SET title = CAST (X'4F6B20FF2074C3' AS TEXT);"
                         "UPDATE messages SET content = CAST (X'6B6977692080FE206B697769' AS TEXT),"
                         " thinking = CAST (X'C328' AS TEXT), model = CAST (X'6DFF' AS TEXT);"
                         "INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')");
  hearth_test_sqlite_run (path, sql);

  conversations = hearth_store_list_conversations (store, &error);
  g_assert_no_error (error);
  g_assert_true (g_utf8_validate (((HearthConversation *) conversations->pdata[0])->title, -1, NULL));
  g_assert_true (g_str_has_prefix (((HearthConversation *) conversations->pdata[0])->title, "Ok "));
  conversation = hearth_store_get_conversation (store, id, &error);
  g_assert_no_error (error);
  g_assert_true (g_utf8_validate (conversation->title, -1, NULL));

  messages = hearth_store_list_messages (store, id, 0, 0, &error);
  g_assert_no_error (error);
  message = messages->pdata[0];
  g_assert_true (g_utf8_validate (message->content, -1, NULL));
  g_assert_true (g_str_has_prefix (message->content, "kiwi "));
  g_assert_true (g_str_has_suffix (message->content, " kiwi"));
  g_assert_true (g_utf8_validate (message->thinking, -1, NULL));
  g_assert_true (g_utf8_validate (message->model, -1, NULL));

  hits = search (store, "kiwi");
  g_assert_cmpuint (hits->len, ==, 1);
  hit = hits->pdata[0];
  g_assert_true (g_utf8_validate (hit->snippet, -1, NULL));
  g_assert_true (g_utf8_validate (hit->conversation_title, -1, NULL));
  g_assert_nonnull (strstr (hit->snippet, "[kiwi]"));
}

int
main (int   argc,
      char *argv[])
{
  hearth_test_init (&argc, &argv);

  g_test_add_func ("/store/default-path", test_default_path);
  g_test_add_func ("/store/migrations/fresh", test_migrations_fresh);
  g_test_add_func ("/store/migrations/reopen", test_migrations_reopen);
  g_test_add_func ("/store/migrations/too-new", test_migrations_too_new);
  g_test_add_func ("/store/migrations/from-v2", test_migrations_from_v2);
  g_test_add_func ("/store/migrations/from-v4", test_migrations_from_v4);
  g_test_add_func ("/store/conversations/crud", test_conversations_crud);
  g_test_add_func ("/store/messages/round-trip", test_messages_round_trip);
  g_test_add_func ("/store/messages/paging", test_messages_paging);
  g_test_add_func ("/store/messages/delete-from", test_messages_delete_from);
  g_test_add_func ("/store/search/basic", test_search_basic);
  g_test_add_func ("/store/search/ranking", test_search_ranking);
  g_test_add_func ("/store/search/hostile", test_search_hostile);
  g_test_add_func ("/store/search/follows-changes", test_search_follows_changes);
  g_test_add_func ("/store/search/long-message", test_search_long_message);
  g_test_add_func ("/store/errors/locked", test_error_locked);
  g_test_add_func ("/store/errors/read-only", test_error_read_only);
  g_test_add_func ("/store/errors/corrupt", test_error_corrupt);
  g_test_add_func ("/store/errors/corrupt-pages", test_error_corrupt_pages);
  g_test_add_func ("/store/crash-safety", test_crash_safety);
  g_test_add_func ("/store/invalid-utf8-repaired", test_invalid_utf8_repaired);

  return g_test_run ();
}
