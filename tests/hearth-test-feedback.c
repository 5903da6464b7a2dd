/* hearth-test-feedback.c — a history and a test engine serving two models
 * that answer differently, for ratings, compare sets and "auto"
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>

#include "hearth-test-feedback.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

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
const char *
hearth_test_lab_url (void)
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

void
hearth_test_lab_stop (void)
{
  g_clear_pointer (&lab_server, hearth_test_server_stop);
}

char *
hearth_test_config_path (const char *name)
{
  return g_build_filename (g_get_user_config_dir (), "hearth", name, NULL);
}

HearthEngine *
hearth_test_lab_engine (const char   *name,
                        HearthStore **store)
{
  g_autofree char *routes = hearth_test_config_path ("routes.conf");
  g_autofree char *servers_conf = hearth_test_config_path ("servers.conf");
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
  g_assert_nonnull (hearth_servers_add (servers, "lab", hearth_test_lab_url (), HEARTH_API_OLLAMA,
                                        FALSE, NULL, &error));
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

HearthReply *
hearth_test_ask (HearthEngine *engine,
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

HearthMessage *
hearth_test_stored_message (HearthStore *store,
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

void
hearth_test_rate_ok (HearthEngine *engine,
                     gint64        message_id,
                     int           rating,
                     const char   *note)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hearth_engine_rate_message (engine, message_id, rating, note, &error));
  g_assert_no_error (error);
}

static gint64
add (HearthStore   *store,
     HearthMessage *message)
{
  g_autoptr(GError) error = NULL;
  gint64 id = hearth_store_add_message (store, message, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

gint64
hearth_test_say (HearthStore *store,
                 gint64       conversation_id,
                 const char  *role,
                 const char  *content,
                 const char  *model)
{
  g_autoptr(HearthMessage) message = hearth_message_new (role, content);

  message->conversation_id = conversation_id;
  message->model = g_strdup (model);
  return add (store, message);
}

gint64
hearth_test_answer (HearthStore        *store,
                    gint64              question_id,
                    const char         *content,
                    const char         *model,
                    HearthPick          pick,
                    HearthMessageState  state)
{
  g_autoptr(HearthMessage) message = hearth_message_new ("assistant", content);
  g_autofree char *sql = g_strdup_printf ("SELECT conversation_id FROM messages WHERE id = %"
                                          G_GINT64_FORMAT, question_id);

  message->conversation_id = hearth_test_sqlite_query_int (hearth_store_get_path (store), sql);
  message->model = g_strdup (model);
  message->state = state;
  message->set_question = question_id;
  message->set_method = g_strdup ("compare");
  message->set_role = g_strdup (HEARTH_SET_ROLE_CANDIDATE);
  message->pick = pick;
  return add (store, message);
}

gint64
hearth_test_new_conversation (HearthStore *store)
{
  g_autoptr(GError) error = NULL;
  gint64 id = hearth_store_create_conversation (store, "Feedback", &error);

  g_assert_no_error (error);
  return id;
}
