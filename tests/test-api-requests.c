/* test-api-requests.c — another program's request (HEARTH_CONVERSATION_API)
 * leaves no conversation the user sees, no text in the history, nothing a
 * search finds; its record carries the program's name for the metrics
 * (grouped by client, in the engine and in hearth-cli); a history of
 * schema 8 upgrades to 9 with nothing lost
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Against the real test engine (tiny-fixed answers one fixed sentence),
 * the real SQLite history and the hearth-cli binary.
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "hearth-endpoint.h"
#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-metrics.h"
#include "hearth-servers.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

#define FIXED    "tiny-fixed:latest"
#define CLIENT   "ollama-js/0.5.14 (x64 linux Node.js/v20.19.0)"
#define QUESTION "Tell me about zanzibarian quokkas"

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
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) old = g_ptr_array_new_with_free_func (g_free);

  f->settings = hearth_settings_try_new ();
  g_assert_nonnull (f->settings);
  g_settings_reset (f->settings, "endpoint");
  g_settings_reset (f->settings, "api-kind");
  g_remove (conf);
  f->engine = hearth_engine_new_for_settings (f->settings, HEARTH_ENGINE_HISTORY);
  f->servers = hearth_engine_get_servers (f->engine);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (f->servers)); i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (G_LIST_MODEL (f->servers), i);

      g_ptr_array_add (old, g_strdup (hearth_server_get_name (server)));
    }
  g_assert_nonnull (hearth_servers_add (f->servers, "box", hearth_test_engine_url (),
                                        HEARTH_API_OLLAMA, FALSE, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < old->len; i++)
    {
      hearth_servers_remove (f->servers, old->pdata[i], &error);
      g_assert_no_error (error);
    }
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  hearth_engine_shutdown (f->engine);
  g_clear_object (&f->engine);
  g_clear_object (&f->settings);
}

static void
keep_result (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static HearthReply *
ask (Fixture    *f,
     const char *question,
     const char *client)
{
  g_autoptr(GError) error = NULL;
  HearthChatRequest *request = hearth_chat_request_new ();
  HearthReply *reply;

  request->model = g_strdup (FIXED);
  request->bypass_cache = TRUE;
  if (client != NULL)
    {
      request->priority = HEARTH_PRIORITY_API;
      request->client = g_strdup (client);
    }
  hearth_chat_request_add_message (request, "user", question);
  reply = hearth_engine_chat (f->engine, NULL, request,
                              client != NULL ? HEARTH_CONVERSATION_API : -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reply);
  while (!hearth_reply_is_finished (reply))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (hearth_reply_get_state (reply), ==, HEARTH_REPLY_DONE);
  return reply;
}

static GPtrArray *
list_conversations (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *list;

  hearth_engine_list_conversations_async (f->engine, NULL, keep_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  list = hearth_engine_list_conversations_finish (f->engine, result, &error);
  g_assert_no_error (error);
  return list;
}

static guint
count_matches (Fixture    *f,
               const char *text)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) matches = NULL;

  hearth_engine_search_async (f->engine, text, 0, NULL, keep_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  matches = hearth_engine_search_finish (f->engine, result, &error);
  g_assert_no_error (error);
  return matches->len;
}

static gint64
count_rows (Fixture    *f,
            const char *sql)
{
  return hearth_test_sqlite_query_int (hearth_store_get_path (hearth_engine_get_store (f->engine)),
                                       sql);
}

/* The request's figures are kept, with the program's name; nothing the
 * user would see, nothing of what it asked or was told. */
static void
test_hidden (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) before = list_conversations (f);
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(HearthReply) reply = NULL;
  g_autoptr(HearthConversation) conversation = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  HearthMessage *row = NULL;
  g_autofree char *scattered = NULL;

  reply = ask (f, QUESTION, CLIENT);
  /* The program got its answer. */
  g_assert_cmpstr (hearth_reply_get_content (reply), !=, "");
  g_assert_cmpstr (hearth_reply_get_server (reply), ==, "box");

  after = list_conversations (f);
  g_assert_cmpuint (after->len, ==, before->len);
  conversation = hearth_engine_get_conversation (f->engine,
                                                 hearth_reply_get_conversation_id (reply),
                                                 &error);
  g_assert_null (conversation);
  g_clear_error (&error);
  g_assert_cmpuint (count_matches (f, "zanzibarian"), ==, 0);
  g_assert_cmpuint (count_matches (f, "programs"), ==, 0);

  /* Neither the question nor the answer is in the history, anywhere. */
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM messages"
                                  " WHERE content LIKE '%zanzibarian%'"), ==, 0);
  scattered = g_strdup_printf ("SELECT count(*) FROM messages WHERE length (content) > 0"
                               " AND conversation_id = %" G_GINT64_FORMAT,
                               hearth_reply_get_conversation_id (reply));
  g_assert_cmpint (count_rows (f, scattered), ==, 0);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM message_chunks"), ==, 0);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM conversations WHERE kind = 'api'"), ==, 1);

  /* Its metrics row names the program, the model and the server. */
  rows = hearth_store_list_request_rows (hearth_engine_get_store (f->engine), 0, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    if (((HearthMessage *) rows->pdata[i])->id == hearth_reply_get_message_id (reply))
      row = rows->pdata[i];
  g_assert_nonnull (row);
  g_assert_cmpstr (row->client, ==, CLIENT);
  g_assert_cmpstr (row->model, ==, FIXED);
  g_assert_cmpstr (row->server, ==, "box");
  g_assert_cmpint (row->state, ==, HEARTH_MESSAGE_COMPLETE);
  g_assert_cmpint (row->figures.tokens_out, >, 0);

  /* A second request goes to the same hidden conversation. */
  g_clear_object (&reply);
  reply = ask (f, QUESTION, "curl/8.5.0");
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM conversations WHERE kind = 'api'"), ==, 1);
  g_clear_pointer (&after, g_ptr_array_unref);
  after = list_conversations (f);
  g_assert_cmpuint (after->len, ==, before->len);
}

static HearthMetricsGroup *
find_client (GPtrArray  *groups,
             const char *client)
{
  for (guint i = 0; i < groups->len; i++)
    {
      HearthMetricsGroup *group = groups->pdata[i];

      if (g_strcmp0 (group->client, client) == 0)
        return group;
    }
  return NULL;
}

/* The metrics grouped by the program that asked: the engine's and hearth-cli's. */
static void
test_metrics_by_client (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(HearthTestRun) run = NULL;
  g_autoptr(HearthReply) own = NULL;
  HearthMetricsGroup *group;

  g_object_unref (ask (f, "first question from a script", CLIENT));
  g_object_unref (ask (f, "second question from a script", CLIENT));
  own = ask (f, "the user's own question", NULL);

  hearth_engine_summarize_metrics_async (f->engine, 0, NULL, HEARTH_METRICS_BY_CLIENT, FALSE,
                                         HEARTH_METRICS_FORMAT_CSV, NULL, keep_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  groups = hearth_engine_summarize_metrics_finish (f->engine, result, &error);
  g_assert_no_error (error);
  group = find_client (groups, CLIENT);
  g_assert_nonnull (group);
  g_assert_null (group->model);
  g_assert_null (group->endpoint);
  g_assert_cmpuint (group->count, >=, 2);
  g_assert_cmpuint (group->successes, ==, group->count);
  /* Hearth's own chat is a group of its own. */
  group = find_client (groups, NULL);
  g_assert_nonnull (group);
  g_assert_cmpuint (group->count, >=, 1);

  run = hearth_test_run_cli (NULL, "metrics", "--since", "1h", "--summary", "--by", "client",
                             NULL);
  g_assert_cmpint (run->exit_code, ==, 0);
  g_assert_nonnull (strstr (run->out, CLIENT));
  g_assert_nonnull (strstr (run->out, "Hearth (its own chat)"));
  g_clear_pointer (&run, hearth_test_run_free);
  run = hearth_test_run_cli (NULL, "metrics", "--since", "1h", "--json", NULL);
  g_assert_cmpint (run->exit_code, ==, 0);
  g_assert_nonnull (strstr (run->out, "\"client\":\"" CLIENT "\""));
  g_clear_pointer (&run, hearth_test_run_free);
  run = hearth_test_run_cli (NULL, "metrics", "--by", "nobody", "--summary", NULL);
  g_assert_cmpint (run->exit_code, !=, 0);
  g_assert_nonnull (strstr (run->err, "--by takes model, endpoint or client"));
}

/* A history written before the gateway (schema 8) opens as schema 9 with
 * every conversation and message; its conversations stay visible. */
static void
test_upgrade_from_8 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = hearth_test_open_store ("from-8");
  g_autofree char *path = g_strdup (hearth_store_get_path (store));
  g_autoptr(HearthMessage) message = hearth_message_new ("user", "kept across the upgrade");
  g_autoptr(GPtrArray) conversations = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  gint64 id = hearth_store_create_conversation (store, "Before the gateway", &error);

  g_assert_no_error (error);
  message->conversation_id = id;
  hearth_store_add_message (store, message, &error);
  g_assert_no_error (error);
  g_clear_object (&store);
  hearth_test_sqlite_run (path, "ALTER TABLE conversations DROP COLUMN kind;"
                          " ALTER TABLE messages DROP COLUMN client;"
                          " DROP TABLE feedback; DROP INDEX messages_by_set;"
                          " ALTER TABLE messages DROP COLUMN set_question;"
                          " ALTER TABLE messages DROP COLUMN set_method;"
                          " ALTER TABLE messages DROP COLUMN set_name;"
                          " ALTER TABLE messages DROP COLUMN set_role;"
                          " ALTER TABLE messages DROP COLUMN pick;"
                          " ALTER TABLE messages DROP COLUMN set_reason;"
                          " PRAGMA user_version = 8");

  store = hearth_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hearth_store_get_schema_version (store), ==, 10);
  conversations = hearth_store_list_conversations (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (conversations->len, ==, 1);
  g_assert_cmpstr (((HearthConversation *) conversations->pdata[0])->title, ==,
                   "Before the gateway");
  messages = hearth_store_list_messages (store, id, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, 1);
  g_assert_cmpstr (((HearthMessage *) messages->pdata[0])->content, ==, "kept across the upgrade");
  g_assert_null (((HearthMessage *) messages->pdata[0])->client);
  g_assert_cmpint (hearth_test_sqlite_query_int (path, "SELECT count(*) FROM conversations"
                                                       " WHERE kind = 'chat'"), ==, 1);
  /* The hidden conversation comes the first time it is needed, and stays hidden. */
  g_assert_cmpint (hearth_store_get_api_conversation (store, &error), >, id);
  g_assert_no_error (error);
  g_clear_pointer (&conversations, g_ptr_array_unref);
  conversations = hearth_store_list_conversations (store, &error);
  g_assert_cmpuint (conversations->len, ==, 1);
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);
  g_test_add_func ("/api-requests/upgrade-from-8", test_upgrade_from_8);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/api-requests/hidden", test_hidden);
  ADD ("/api-requests/metrics-by-client", test_metrics_by_client);
#undef ADD
  return g_test_run ();
}
