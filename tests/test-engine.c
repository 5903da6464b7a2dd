/* test-engine.c — HearthEngine and the providers in-process, against the real servers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <json-glib/json-glib.h>

#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-metrics.h"
#include "hearth-store-private.h"
#include <glib/gstdio.h>
#include "hearth-test-server.h"
#include "hearth-test-util.h"

#define SENTENCE "The sky is blue because air scatters blue light more than red light."

typedef struct
{
  GMainLoop *loop;
  GString   *text;
  guint      n_deltas;
  GArray    *states;
} Watch;

static void
on_delta (HearthReply *reply,
          const char  *content,
          const char  *thinking,
          Watch       *watch)
{
  watch->n_deltas++;
  if (content != NULL)
    g_string_append (watch->text, content);
}

static void
on_state (HearthReply *reply,
          GParamSpec  *pspec,
          Watch       *watch)
{
  HearthReplyState state = hearth_reply_get_state (reply);

  g_array_append_val (watch->states, state);
}

static void
on_finished (HearthReply *reply,
             Watch       *watch)
{
  g_main_loop_quit (watch->loop);
}

static Watch *
watch_new (HearthReply *reply)
{
  Watch *watch = g_new0 (Watch, 1);

  watch->loop = g_main_loop_new (NULL, FALSE);
  watch->text = g_string_new (NULL);
  watch->states = g_array_new (FALSE, FALSE, sizeof (HearthReplyState));
  g_signal_connect (reply, "delta", G_CALLBACK (on_delta), watch);
  g_signal_connect (reply, "notify::state", G_CALLBACK (on_state), watch);
  g_signal_connect (reply, "finished", G_CALLBACK (on_finished), watch);
  return watch;
}

static void
watch_run (Watch       *watch,
           HearthReply *reply)
{
  if (!hearth_reply_is_finished (reply))
    g_main_loop_run (watch->loop);
}

static void
watch_free (Watch *watch)
{
  g_main_loop_unref (watch->loop);
  g_string_free (watch->text, TRUE);
  g_array_unref (watch->states);
  g_free (watch);
}

static HearthChatRequest *
request_for (const char *model,
             const char *prompt)
{
  HearthChatRequest *request = hearth_chat_request_new ();

  request->model = g_strdup (model);
  hearth_chat_request_add_message (request, "user", prompt);
  return request;
}

static HearthReply *
chat (HearthEngine  *engine,
      HearthApiKind  api,
      const char    *url,
      const char    *model,
      Watch        **watch)
{
  g_autoptr(GError) error = NULL;
  HearthProvider *provider = hearth_engine_get_provider (engine, api, url);
  HearthReply *reply = hearth_engine_chat (engine, provider, request_for (model, "hi"), -1, &error);

  g_assert_no_error (error);
  *watch = watch_new (reply);
  return reply;
}

static void
test_stream_in_process (gconstpointer data)
{
  HearthApiKind api = GPOINTER_TO_INT (data);
  g_autoptr(HearthEngine) engine = hearth_engine_new (NULL);
  g_autoptr(HearthReply) reply = NULL;
  const HearthFigures *figures;
  Watch *watch;

  if (!hearth_test_require_node ())
    return;
  reply = chat (engine, api, hearth_test_engine_url (), "tiny-fixed", &watch);
  g_assert_cmpint (hearth_reply_get_state (reply), ==, HEARTH_REPLY_WAITING);
  watch_run (watch, reply);

  g_assert_cmpint (hearth_reply_get_state (reply), ==, HEARTH_REPLY_DONE);
  g_assert_cmpstr (hearth_reply_get_content (reply), ==, SENTENCE);
  /* What the signals carried adds up to the reply, batch by batch. */
  g_assert_cmpstr (watch->text->str, ==, SENTENCE);
  g_assert_cmpuint (watch->n_deltas, >=, 1);
  g_assert_cmpuint (watch->states->len, ==, 2);
  g_assert_cmpint (g_array_index (watch->states, HearthReplyState, 0), ==, HEARTH_REPLY_STREAMING);
  g_assert_cmpint (g_array_index (watch->states, HearthReplyState, 1), ==, HEARTH_REPLY_DONE);
  g_assert_cmpint (hearth_reply_get_conversation_id (reply), ==, -1);
  g_assert_cmpuint (hearth_reply_get_attempts (reply), ==, 1);

  figures = hearth_reply_get_figures (reply);
  g_assert_true (figures->from_server);
  g_assert_cmpint (figures->tokens_out, >, 5);
  g_assert_cmpint (figures->tokens_in, >, 0);
  g_assert_cmpfloat (figures->ttft_ms, >, 0);
  g_assert_cmpfloat (figures->total_ms, >=, figures->ttft_ms);
  g_assert_cmpfloat (figures->tokens_per_s, >, 0);
  watch_free (watch);
}

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} Wait;

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static GAsyncResult *
wait_for (Wait *wait)
{
  wait->loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (wait->loop);
  g_main_loop_unref (wait->loop);
  return wait->result;
}

static void
test_ollama_endpoints (void)
{
  g_autoptr(HearthEngine) engine = hearth_engine_new (NULL);
  HearthProvider *ollama;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthReply) reply = NULL;
  g_autofree char *version = NULL;
  g_autoptr(HearthModelDetails) show = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GPtrArray) models = NULL;
  Wait w1 = { 0 }, w2 = { 0 }, w3 = { 0 }, w4 = { 0 }, w5 = { 0 }, w6 = { 0 };
  Watch *watch;

  if (!hearth_test_require_node ())
    return;
  ollama = hearth_engine_get_provider (engine, HEARTH_API_OLLAMA, hearth_test_engine_url ());

  hearth_provider_version_async (ollama, NULL, wait_cb, &w1);
  version = hearth_provider_version_finish (ollama, wait_for (&w1), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (version, !=, "");

  hearth_provider_show_async (ollama, "tiny-fixed", NULL, wait_cb, &w2);
  show = hearth_provider_show_finish (ollama, wait_for (&w2), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (show->name, ==, "tiny-fixed");
  g_assert_cmpint (show->context_length, >, 0);
  g_assert_cmpint (show->parameter_count, >, 0);
  g_assert_nonnull (show->capabilities);
  g_assert_true (g_strv_contains ((const char * const *) show->capabilities, "completion"));

  /* A model that was just used is in memory. */
  reply = chat (engine, HEARTH_API_OLLAMA, hearth_test_engine_url (), "tiny-fixed", &watch);
  watch_run (watch, reply);
  watch_free (watch);
  hearth_provider_list_loaded_async (ollama, NULL, wait_cb, &w3);
  loaded = hearth_provider_list_loaded_finish (ollama, wait_for (&w3), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->len, >=, 1);
  g_assert_true (g_str_has_prefix (((HearthLoadedModel *) loaded->pdata[0])->name, "tiny-fixed"));
  g_assert_cmpint (((HearthLoadedModel *) loaded->pdata[0])->size, >, 0);

  hearth_provider_show_async (ollama, "missing-model", NULL, wait_cb, &w4);
  g_assert_null (hearth_provider_show_finish (ollama, wait_for (&w4), &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND);
  g_clear_error (&error);

  hearth_provider_delete_async (ollama, "missing-model", NULL, wait_cb, &w5);
  g_assert_false (hearth_provider_delete_finish (ollama, wait_for (&w5), &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND);
  g_clear_error (&error);

  hearth_provider_list_models_async (ollama, NULL, wait_cb, &w6);
  models = hearth_provider_list_models_finish (ollama, wait_for (&w6), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (models->len, >=, 1);

  g_clear_object (&w1.result); g_clear_object (&w2.result); g_clear_object (&w3.result);
  g_clear_object (&w4.result); g_clear_object (&w5.result); g_clear_object (&w6.result);
}

static gboolean
cancel_cb (gpointer user_data)
{
  hearth_reply_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel_keeps_text (void)
{
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthReply) reply = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autofree char *path = hearth_test_build_tmp_path ("cancel.db", NULL);
  HearthMessage *stored;
  Watch *watch;

  if (!hearth_test_require_node ())
    return;
  store = hearth_store_open (path, NULL);
  engine = hearth_engine_new (store);
  reply = chat (engine, HEARTH_API_OLLAMA, hearth_test_fault_url (), "slow", &watch);
  g_timeout_add (600, cancel_cb, reply);
  watch_run (watch, reply);

  g_assert_cmpint (hearth_reply_get_state (reply), ==, HEARTH_REPLY_CANCELLED);
  g_assert_error ((GError *) hearth_reply_get_error (reply), HEARTH_ERROR, HEARTH_ERROR_CANCELLED);
  g_assert_cmpuint (hearth_reply_get_content_length (reply), >, 0);
  g_assert_cmpstr (watch->text->str, ==, hearth_reply_get_content (reply));

  messages = hearth_store_list_messages (store, hearth_reply_get_conversation_id (reply), 0, 0, NULL);
  stored = g_ptr_array_index (messages, messages->len - 1);
  g_assert_cmpint (stored->state, ==, HEARTH_MESSAGE_CANCELLED);
  g_assert_cmpstr (stored->content, ==, hearth_reply_get_content (reply));
  watch_free (watch);
}

/* While a reply streams, the history already holds most of it. */
static gboolean
check_saved_cb (gpointer user_data)
{
  HearthReply *reply = user_data;
  g_autofree char *path = hearth_test_build_tmp_path ("saving.db", NULL);
  g_autoptr(HearthStore) reader = hearth_store_open (path, NULL);
  g_autoptr(GPtrArray) messages = hearth_store_list_messages (reader,
                                                              hearth_reply_get_conversation_id (reply),
                                                              0, 0, NULL);
  HearthMessage *stored = g_ptr_array_index (messages, messages->len - 1);

  g_assert_false (hearth_reply_is_finished (reply));
  g_assert_cmpint (stored->state, ==, HEARTH_MESSAGE_PARTIAL);
  g_assert_cmpuint (strlen (stored->content), >, 0);
  g_assert_true (g_str_has_prefix (hearth_reply_get_content (reply), stored->content));
  hearth_reply_cancel (reply);
  return G_SOURCE_REMOVE;
}

static void
test_saved_while_streaming (void)
{
  g_autofree char *path = hearth_test_build_tmp_path ("saving.db", NULL);
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthReply) reply = NULL;
  Watch *watch;

  if (!hearth_test_require_node ())
    return;
  store = hearth_store_open (path, NULL);
  engine = hearth_engine_new (store);
  reply = chat (engine, HEARTH_API_OLLAMA, hearth_test_fault_url (), "slow", &watch);
  g_timeout_add (2500, check_saved_cb, reply);
  watch_run (watch, reply);
  g_assert_cmpint (hearth_reply_get_state (reply), ==, HEARTH_REPLY_CANCELLED);
  watch_free (watch);
}

static gboolean
quit_loop_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

/* Runs the main loop (the reply streams, the engine saves) for @ms. */
static void
run_for (guint ms)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  g_timeout_add (ms, quit_loop_cb, loop);
  g_main_loop_run (loop);
}

static gsize
stored_length (HearthStore *store,
               HearthReply *reply)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = hearth_store_list_messages (store,
                                                              hearth_reply_get_conversation_id (reply),
                                                              0, 0, &error);
  HearthMessage *stored;

  g_assert_no_error (error);
  stored = g_ptr_array_index (messages, messages->len - 1);
  g_assert_true (g_str_has_prefix (hearth_reply_get_content (reply), stored->content));
  return strlen (stored->content);
}

/* Pages written to the database since @db last truncated its log. */
static gint64
pages_written (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  gint64 frames;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA wal_checkpoint (PASSIVE)", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  frames = sqlite3_column_int64 (stmt, 1);
  sqlite3_finalize (stmt);
  return frames;
}

/* A reply that goes on and on: each save writes what arrived since the last
 * one, not the megabytes before it again, and search indexes the text once,
 * when the reply ends; until then a reader (or a crash) still finds it all. */
static void
test_saves_cost_what_arrived (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("endless");
  g_autoptr(HearthEngine) engine = hearth_engine_new (store);
  g_autoptr(HearthReply) reply = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  gsize before, after;
  gint64 pages;
  Watch *watch;

  if (!hearth_test_require_node ())
    return;
  reply = chat (engine, HEARTH_API_OLLAMA, hearth_test_fault_url (), "endless", &watch);
  run_for (3000);
  g_assert_false (hearth_reply_is_finished (reply));
  g_assert_cmpuint (hearth_reply_get_content_length (reply), >=, 2 * 1024 * 1024);

  db = hearth_test_sqlite_open (hearth_store_get_path (store));
  hearth_test_sqlite_exec (db, "PRAGMA wal_checkpoint (TRUNCATE)");
  before = stored_length (store, reply);
  run_for (2500);
  pages = pages_written (db);
  after = stored_length (store, reply);
  g_test_message ("%" G_GSIZE_FORMAT " bytes stored, %" G_GSIZE_FORMAT " more in 2.5 s, "
                  "%" G_GINT64_FORMAT " pages written", before, after - before, pages);
  g_assert_cmpuint (before, >=, 2 * 1024 * 1024);
  g_assert_cmpuint (after, >, before);
  /* Two or three saves of a few hundred bytes each: a few pages each, where
   * rewriting the reply took over 500 (and its index as many again). */
  g_assert_cmpint (pages, <, 60);

  /* Not in the index while it streams; in it once it ends. */
  hits = hearth_store_search (store, "play", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);

  hearth_reply_cancel (reply);
  watch_run (watch, reply);
  g_assert_cmpuint (stored_length (store, reply), ==, hearth_reply_get_content_length (reply));
  g_assert_null (hearth_reply_get_save_error (reply));
  hits = hearth_store_search (store, "play", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpint (hearth_test_sqlite_query_int (hearth_store_get_path (store),
                                                 "SELECT count(*) FROM message_chunks"), ==, 0);
  sqlite3_close (db);
  watch_free (watch);
}

static void
on_save_error_changed (HearthReply *reply,
                       GParamSpec  *pspec,
                       GMainLoop   *loop)
{
  if (hearth_reply_get_save_error (reply) == NULL)
    g_main_loop_quit (loop);
}

/* The disk fills while a reply arrives: the reply says it was not saved (a
 * front end tells the user), keeps its text, and is saved once space comes
 * back; the write-ahead log is then given back too. The full disk is the
 * database's page limit, which SQLite reports as a full disk (SQLITE_FULL). */
static void
test_not_saved_until_space_returns (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("full");
  g_autoptr(HearthEngine) engine = hearth_engine_new (store);
  g_autoptr(HearthReply) reply = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *limit = NULL;
  g_autofree char *wal = g_strconcat (hearth_store_get_path (store), "-wal", NULL);
  const GError *save_error;
  GStatBuf buf;
  Watch *watch;

  if (!hearth_test_require_node ())
    return;
  limit = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT,
                           hearth_test_sqlite_query_int (hearth_store_get_path (store),
                                                         "PRAGMA page_count") + 8);
  hearth_test_sqlite_exec (hearth_store_get_db (store), limit);
  reply = chat (engine, HEARTH_API_OLLAMA, hearth_test_fault_url (), "huge", &watch);
  watch_run (watch, reply);

  g_assert_cmpint (hearth_reply_get_state (reply), ==, HEARTH_REPLY_DONE);
  g_assert_cmpuint (hearth_reply_get_content_length (reply), ==, 4 * 1024 * 1024);
  save_error = hearth_reply_get_save_error (reply);
  g_assert_error ((GError *) save_error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_FULL);
  g_assert_cmpuint (stored_length (store, reply), <, hearth_reply_get_content_length (reply));

  /* Space comes back: the engine's next try saves it, without being asked. */
  hearth_test_sqlite_exec (hearth_store_get_db (store), "PRAGMA max_page_count = 1000000");
  g_signal_connect (reply, "notify::save-error", G_CALLBACK (on_save_error_changed), loop);
  g_main_loop_run (loop);
  g_assert_null (hearth_reply_get_save_error (reply));
  g_assert_cmpuint (stored_length (store, reply), ==, hearth_reply_get_content_length (reply));
  g_assert_cmpint (g_stat (wal, &buf), ==, 0);
  g_assert_cmpint (buf.st_size, ==, 0);
  g_assert_true (hearth_engine_save_reply (engine, reply, NULL));
  watch_free (watch);
}

static void
test_retries (void)
{
  g_autoptr(HearthEngine) engine = hearth_engine_new (NULL);
  g_autoptr(HearthReply) limited = NULL;
  g_autoptr(HearthReply) dropped = NULL;
  g_autofree char *reset = NULL;
  Watch *watch;

  if (!hearth_test_require_node ())
    return;
  reset = hearth_test_server_request (hearth_test_fault_server (), "POST", "/_reset");
  limited = chat (engine, HEARTH_API_OLLAMA, hearth_test_fault_url (), "rate-limit", &watch);
  watch_run (watch, limited);
  g_assert_cmpint (hearth_reply_get_state (limited), ==, HEARTH_REPLY_DONE);
  g_assert_cmpuint (hearth_reply_get_attempts (limited), ==, 2);
  watch_free (watch);

  /* Text had arrived: never retried, never duplicated. */
  dropped = chat (engine, HEARTH_API_OLLAMA, hearth_test_fault_url (), "drop-mid-stream", &watch);
  watch_run (watch, dropped);
  g_assert_cmpint (hearth_reply_get_state (dropped), ==, HEARTH_REPLY_FAILED);
  g_assert_cmpuint (hearth_reply_get_attempts (dropped), ==, 1);
  g_assert_error ((GError *) hearth_reply_get_error (dropped), HEARTH_ERROR,
                  HEARTH_ERROR_BROKEN_STREAM);
  g_assert_cmpuint (hearth_reply_get_content_length (dropped), >, 0);
  watch_free (watch);
}

static void
test_refused_backs_off (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(HearthEngine) engine = hearth_engine_new (NULL);
  g_autoptr(HearthReply) reply = NULL;
  g_autofree char *url = NULL;
  gint64 start;
  Watch *watch;

  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  url = g_strdup_printf ("http://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  start = g_get_monotonic_time ();
  reply = chat (engine, HEARTH_API_OPENAI, url, "m", &watch);
  watch_run (watch, reply);
  g_assert_error ((GError *) hearth_reply_get_error (reply), HEARTH_ERROR,
                  HEARTH_ERROR_CONNECTION_REFUSED);
  g_assert_cmpuint (hearth_reply_get_attempts (reply), ==, 3);
  /* Two waits: 250 ms and 500 ms, each at least 75 % of that. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, (gint64) (0.75 * 750 * 1000));
  watch_free (watch);
}

static void
test_cancel_during_backoff (void)
{
  g_autoptr(HearthEngine) engine = hearth_engine_new (NULL);
  g_autoptr(HearthReply) reply = NULL;
  g_autofree char *reset = NULL;
  gint64 start;
  Watch *watch;

  if (!hearth_test_require_node ())
    return;
  reset = hearth_test_server_request (hearth_test_fault_server (), "POST", "/_reset");
  start = g_get_monotonic_time ();
  reply = chat (engine, HEARTH_API_OLLAMA, hearth_test_fault_url (), "rate-limit-always", &watch);
  g_timeout_add (300, cancel_cb, reply);
  watch_run (watch, reply);
  g_assert_cmpint (hearth_reply_get_state (reply), ==, HEARTH_REPLY_CANCELLED);
  /* Retry-After is 1 s; cancelling does not wait for it. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 900 * 1000);
  watch_free (watch);
}

/* Retry after a failure: the failed reply goes, the question stays, a new answer comes. */
static void
test_regenerate (void)
{
  g_autofree char *path = hearth_test_build_tmp_path ("regenerate.db", NULL);
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthReply) failed = NULL;
  g_autoptr(HearthReply) again = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  HearthChatRequest *options;
  Watch *watch;

  if (!hearth_test_require_node ())
    return;
  store = hearth_store_open (path, NULL);
  engine = hearth_engine_new (store);
  failed = chat (engine, HEARTH_API_OLLAMA, hearth_test_fault_url (), "drop-mid-stream", &watch);
  watch_run (watch, failed);
  watch_free (watch);
  g_assert_cmpint (hearth_reply_get_state (failed), ==, HEARTH_REPLY_FAILED);
  g_assert_cmpint (hearth_reply_get_question_id (failed), >, 0);
  {
    g_autoptr(GPtrArray) rows = hearth_store_list_request_rows (store, 0, NULL, &error);
    const HearthMessage *row;

    g_assert_no_error (error);
    g_assert_cmpuint (rows->len, ==, 1);
    row = g_ptr_array_index (rows, 0);
    g_assert_cmpint (row->state, ==, HEARTH_MESSAGE_FAILED);
    g_assert_cmpstr (row->error_class, ==, "broken-stream");
  }

  g_assert_true (hearth_store_delete_messages_from (store, hearth_reply_get_conversation_id (failed),
                                                    hearth_reply_get_message_id (failed), &error));
  options = hearth_chat_request_new ();
  options->model = g_strdup ("tiny-fixed");
  again = hearth_engine_regenerate (engine,
                                    hearth_engine_get_provider (engine, HEARTH_API_OLLAMA, hearth_test_engine_url ()),
                                    options, hearth_reply_get_conversation_id (failed), &error);
  g_assert_no_error (error);
  watch = watch_new (again);
  watch_run (watch, again);
  watch_free (watch);

  g_assert_cmpint (hearth_reply_get_state (again), ==, HEARTH_REPLY_DONE);
  g_assert_cmpstr (hearth_reply_get_content (again), ==, SENTENCE);
  g_assert_cmpint (hearth_reply_get_question_id (again), ==, hearth_reply_get_question_id (failed));
  messages = hearth_store_list_messages (store, hearth_reply_get_conversation_id (failed), 0, 0, NULL);
  g_assert_cmpuint (messages->len, ==, 2);
  g_assert_cmpstr (((HearthMessage *) messages->pdata[1])->content, ==, SENTENCE);

  /* Nothing left to answer: a clear refusal, nothing sent. */
  options = hearth_chat_request_new ();
  g_assert_true (hearth_store_delete_messages_from (store, hearth_reply_get_conversation_id (failed),
                                                    hearth_reply_get_question_id (failed), NULL));
  g_assert_null (hearth_engine_regenerate (engine,
                                           hearth_engine_get_provider (engine, HEARTH_API_OLLAMA,
                                                                       hearth_test_engine_url ()),
                                           options, hearth_reply_get_conversation_id (failed),
                                           &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
}

/* "tiny-fixed" and "tiny-fixed:latest" are one model in the history and
 * the cache: the second, deterministic question is answered from it. */
static void
test_one_model_name (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("one-model-name");
  g_autofree char *cache_path = hearth_test_build_tmp_path ("one-model-name", "cache.db", NULL);
  g_autoptr(HearthCache) cache = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  const char *names[] = { "tiny-fixed", "tiny-fixed:latest" };
  HearthReply *replies[2];

  if (!hearth_test_require_node ())
    return;
  cache = hearth_cache_open (cache_path, 1 << 20, 1 << 20, 3600, &error);
  g_assert_no_error (error);
  engine = hearth_engine_new (store);
  hearth_engine_set_cache (engine, cache, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      HearthProvider *provider = hearth_engine_get_provider (engine, HEARTH_API_OLLAMA,
                                                             hearth_test_engine_url ());
      HearthChatRequest *request = request_for (names[i], "hi");
      g_autoptr(GPtrArray) messages = NULL;
      Watch *watch;

      request->temperature = 0;
      replies[i] = hearth_engine_chat (engine, provider, request, -1, &error);
      g_assert_no_error (error);
      watch = watch_new (replies[i]);
      watch_run (watch, replies[i]);
      watch_free (watch);
      g_assert_cmpint (hearth_reply_get_state (replies[i]), ==, HEARTH_REPLY_DONE);
      messages = hearth_store_list_messages (store, hearth_reply_get_conversation_id (replies[i]),
                                             0, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (messages->len, ==, 2);
      g_assert_cmpstr (((HearthMessage *) messages->pdata[0])->model, ==, "tiny-fixed:latest");
      g_assert_cmpstr (((HearthMessage *) messages->pdata[1])->model, ==, "tiny-fixed:latest");
    }
  g_assert_false (hearth_reply_get_cached (replies[0]));
  g_assert_true (hearth_reply_get_cached (replies[1]));
  g_assert_cmpstr (hearth_reply_get_content (replies[1]), ==, hearth_reply_get_content (replies[0]));

  /* One live and one cached ask: the metrics hold one request to the
   * model (its speed, its percentiles) and one cache hit, never two
   * identical rows. */
  {
    g_autoptr(GPtrArray) groups = hearth_metrics_aggregate_by (store, 0, NULL,
                                                               HEARTH_METRICS_BY_MODEL, &error);
    g_autoptr(GPtrArray) rows = hearth_store_list_request_rows (store, 0, NULL, &error);
    const HearthMetricsGroup *group;
    const HearthFigures *live = hearth_reply_get_figures (replies[0]);
    const HearthFigures *hit = hearth_reply_get_figures (replies[1]);

    g_assert_no_error (error);
    g_assert_cmpuint (groups->len, ==, 1);
    group = g_ptr_array_index (groups, 0);
    g_assert_cmpuint (group->count, ==, 1);
    g_assert_cmpuint (group->cache_hits, ==, 1);
    g_assert_cmpuint (group->successes, ==, 1);
    g_assert_cmpfloat (group->median_tokens_per_s, ==, live->tokens_per_s);
    g_assert_cmpfloat (group->ttft_p99_ms, ==, live->ttft_ms);
    /* the cache hit's own figures: its time, no speed of the model */
    g_assert_true (hit->cached);
    g_assert_false (live->cached);
    g_assert_cmpfloat (hit->tokens_per_s, <, 0);
    g_assert_cmpfloat (hit->total_ms, >=, 0);
    g_assert_cmpfloat (hit->total_ms, !=, live->total_ms);
    g_assert_cmpuint (rows->len, ==, 2);
    g_assert_false (((HearthMessage *) rows->pdata[0])->figures.cached);
    g_assert_true (((HearthMessage *) rows->pdata[1])->figures.cached);
    g_assert_cmpfloat (((HearthMessage *) rows->pdata[1])->figures.tokens_per_s, <, 0);
  }
  g_object_unref (replies[0]);
  g_object_unref (replies[1]);
}

/* Unload frees a loaded model now; an OpenAI-compatible server says what
 * it cannot do instead of pretending. */
static void
test_unload_and_not_supported (void)
{
  g_autoptr(HearthEngine) engine = hearth_engine_new (NULL);
  g_autoptr(HearthReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  HearthProvider *ollama;
  HearthProvider *openai;
  gboolean still_loaded = FALSE;
  Wait w1 = { 0 }, w2 = { 0 }, w3 = { 0 }, w4 = { 0 };
  Watch *watch;

  if (!hearth_test_require_node ())
    return;
  ollama = hearth_engine_get_provider (engine, HEARTH_API_OLLAMA, hearth_test_engine_url ());
  openai = hearth_engine_get_provider (engine, HEARTH_API_OPENAI, hearth_test_engine_url ());
  reply = chat (engine, HEARTH_API_OLLAMA, hearth_test_engine_url (), "tiny-fixed", &watch);
  watch_run (watch, reply);
  watch_free (watch);

  hearth_provider_unload_async (ollama, "tiny-fixed", NULL, wait_cb, &w1);
  g_assert_true (hearth_provider_unload_finish (ollama, wait_for (&w1), &error));
  g_assert_no_error (error);
  hearth_provider_list_loaded_async (ollama, NULL, wait_cb, &w2);
  loaded = hearth_provider_list_loaded_finish (ollama, wait_for (&w2), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < loaded->len; i++)
    still_loaded |= g_str_has_prefix (((HearthLoadedModel *) loaded->pdata[i])->name, "tiny-fixed");
  g_assert_false (still_loaded);

  g_assert_cmpint (hearth_provider_get_features (ollama), ==,
                   HEARTH_PROVIDER_CAN_SHOW | HEARTH_PROVIDER_CAN_PULL | HEARTH_PROVIDER_CAN_DELETE |
                   HEARTH_PROVIDER_CAN_LIST_LOADED | HEARTH_PROVIDER_CAN_UNLOAD |
                   HEARTH_PROVIDER_CAN_VERSION | HEARTH_PROVIDER_CAN_LOAD);
  g_assert_cmpint (hearth_provider_get_features (openai), ==, 0);
  hearth_provider_unload_async (openai, "tiny-fixed", NULL, wait_cb, &w3);
  g_assert_false (hearth_provider_unload_finish (openai, wait_for (&w3), &error));
  g_assert_true (hearth_error_is_not_supported (error));
  g_assert_nonnull (strstr (error->message, "OpenAI-compatible"));
  g_clear_error (&error);
  hearth_provider_pull_async (openai, "tiny-fixed", NULL, NULL, NULL, wait_cb, &w4);
  g_assert_false (hearth_provider_pull_finish (openai, wait_for (&w4), &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_NOT_SUPPORTED);

  g_clear_object (&w1.result); g_clear_object (&w2.result);
  g_clear_object (&w3.result); g_clear_object (&w4.result);
}

/* The same rule for every front end: explicit, then settings; an API Hearth
 * does not speak is an error, never a silent Ollama. */
static void
test_resolve_provider (void)
{
  g_autoptr(HearthEngine) engine = hearth_engine_new_for_settings (NULL, 0);
  g_autoptr(GError) error = NULL;
  HearthProvider *provider;

  provider = hearth_engine_resolve_provider (engine, "127.0.0.1:9", "openai", &error);
  g_assert_no_error (error);
  g_assert_cmpint (hearth_provider_get_api (provider), ==, HEARTH_API_OPENAI);
  g_assert_cmpstr (hearth_provider_get_endpoint (provider), ==, "http://127.0.0.1:9");
  g_assert_cmpstr (hearth_provider_get_server_kind (provider), ==, "OpenAI-compatible");

  g_assert_null (hearth_engine_resolve_provider (engine, NULL, "gemini", &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "gemini"));
}

static void
search_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

/* One ranking: text hits first, then conversations whose title matches. */
static void
test_search_ranking (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("search-ranking");
  g_autoptr(HearthEngine) engine = hearth_engine_new (store);
  g_autoptr(HearthMessage) a = hearth_message_new ("user", "Tell me about volcanoes");
  g_autoptr(HearthMessage) b = hearth_message_new ("user", "Something else entirely");
  g_autoptr(GPtrArray) matches = NULL;
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };
  HearthConversationMatch *first, *second;

  a->conversation_id = hearth_store_create_conversation (store, "Geology", &error);
  b->conversation_id = hearth_store_create_conversation (store, "Volcano trip", &error);
  g_assert_no_error (error);
  hearth_store_add_message (store, a, &error);
  hearth_store_add_message (store, b, &error);
  g_assert_no_error (error);

  wait.loop = g_main_loop_new (NULL, FALSE);
  hearth_engine_search_async (engine, "volcano", 0, NULL, search_cb, &wait);
  g_main_loop_run (wait.loop);
  matches = hearth_engine_search_finish (engine, wait.result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (matches->len, ==, 2);
  first = matches->pdata[0];
  second = matches->pdata[1];
  g_assert_cmpint (first->conversation->id, ==, a->conversation_id);
  g_assert_cmpint (first->message_id, ==, a->id);
  g_assert_nonnull (first->snippet);
  g_assert_cmpint (second->conversation->id, ==, b->conversation_id);
  g_assert_cmpstr (second->conversation->title, ==, "Volcano trip");
  g_assert_cmpint (second->message_id, ==, 0);
  g_assert_null (second->snippet);
  g_main_loop_unref (wait.loop);
  g_clear_object (&wait.result);
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);
  g_test_add_data_func ("/engine/ollama/stream", GINT_TO_POINTER (HEARTH_API_OLLAMA),
                        test_stream_in_process);
  g_test_add_data_func ("/engine/openai/stream", GINT_TO_POINTER (HEARTH_API_OPENAI),
                        test_stream_in_process);
  g_test_add_func ("/engine/ollama/endpoints", test_ollama_endpoints);
  g_test_add_func ("/engine/cancel-keeps-text", test_cancel_keeps_text);
  g_test_add_func ("/engine/saved-while-streaming", test_saved_while_streaming);
  g_test_add_func ("/engine/saves-cost-what-arrived", test_saves_cost_what_arrived);
  g_test_add_func ("/engine/not-saved-until-space-returns", test_not_saved_until_space_returns);
  g_test_add_func ("/engine/retries", test_retries);
  g_test_add_func ("/engine/refused-backs-off", test_refused_backs_off);
  g_test_add_func ("/engine/cancel-during-backoff", test_cancel_during_backoff);
  g_test_add_func ("/engine/regenerate", test_regenerate);
  g_test_add_func ("/engine/one-model-name", test_one_model_name);
  g_test_add_func ("/engine/unload-and-not-supported", test_unload_and_not_supported);
  g_test_add_func ("/engine/resolve-provider", test_resolve_provider);
  g_test_add_func ("/engine/search-ranking", test_search_ranking);
  return g_test_run ();
}
