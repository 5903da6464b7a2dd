/* test-queue.c — the queue in front of each server: the user's chat goes
 * before other programs, which go before benchmarks and tuning; other
 * programs past the bound are refused at once (HEARTH_ERROR_QUEUE_FULL)
 * while the chat is still let in; a cancelled request leaves the queue
 * without reaching the server; the retry-after estimate comes from
 * measured requests
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Against the real test engine (tiny-fixed), through one server "box"
 * made with HearthServers and told to take one request at a time, so the
 * order the server is sent them is the order they start to stream. Every
 * request is made before the main loop runs again, so nothing here
 * depends on how fast the engine answers.
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "hearth-endpoint.h"
#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-servers.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

#define FIXED "tiny-fixed:latest"

typedef struct
{
  GSettings     *settings;
  HearthEngine  *engine;
  HearthServers *servers;
  GPtrArray     *started;   /* the labels of the requests, in the order they streamed */
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
  f->started = g_ptr_array_new_with_free_func (g_free);

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
  g_clear_pointer (&f->started, g_ptr_array_unref);
}

/* /_stats of the test engine: how many chats it was sent. */
static gint64
chats_sent (void)
{
  g_autofree char *body = hearth_test_server_request (hearth_test_engine_server (NULL), "GET",
                                                      "/_stats");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *paths;

  json_parser_load_from_data (parser, body, -1, &error);
  g_assert_no_error (error);
  paths = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                         "paths");
  return paths != NULL && json_object_has_member (paths, "/api/chat")
         ? json_object_get_int_member (paths, "/api/chat") : 0;
}

static void
on_first_delta (HearthReply *reply,
                const char  *content,
                const char  *thinking,
                Fixture     *f)
{
  g_signal_handlers_disconnect_by_func (reply, on_first_delta, f);
  g_ptr_array_add (f->started, g_strdup (g_object_get_data (G_OBJECT (reply), "label")));
}

/* Sends without waiting: @priority's request, to the default server. */
static HearthReply *
send_request (Fixture        *f,
              const char     *label,
              HearthPriority  priority)
{
  g_autoptr(GError) error = NULL;
  HearthChatRequest *request = hearth_chat_request_new ();
  HearthReply *reply;

  request->model = g_strdup (FIXED);
  request->bypass_cache = TRUE;
  request->priority = priority;
  if (priority == HEARTH_PRIORITY_API)
    request->client = g_strdup ("test-queue/1.0");
  hearth_chat_request_add_message (request, "user", label);
  reply = hearth_engine_chat (f->engine, NULL, request,
                              priority == HEARTH_PRIORITY_API ? HEARTH_CONVERSATION_API : -1,
                              &error);
  g_assert_no_error (error);
  g_assert_nonnull (reply);
  g_object_set_data_full (G_OBJECT (reply), "label", g_strdup (label), g_free);
  g_signal_connect (reply, "delta", G_CALLBACK (on_first_delta), f);
  return reply;
}

static void
wait_finished (HearthReply *reply)
{
  while (!hearth_reply_is_finished (reply))
    g_main_context_iteration (NULL, TRUE);
}

/* The queue of "box" as hearth_engine_list_queues () gives it. */
static HearthQueueStatus *
local_queue (Fixture *f)
{
  g_autoptr(GPtrArray) queues = hearth_engine_list_queues (f->engine);

  for (guint i = 0; i < queues->len; i++)
    {
      HearthQueueStatus *status = g_ptr_array_index (queues, i);

      if (g_strcmp0 (status->server, "box") == 0)
        return g_ptr_array_steal_index (queues, i);
    }
  g_assert_not_reached ();
}

static void
set_limits (Fixture *f,
            guint    concurrency,
            guint    bound)
{
  g_autoptr(GError) error = NULL;
  HearthServer *server = hearth_servers_lookup (f->servers, "box");

  g_assert_true (hearth_servers_set_queue_limits (f->servers, "box", concurrency, bound,
                                                  &error));
  g_assert_no_error (error);
  g_assert_cmpuint (hearth_server_get_concurrency (server), ==, concurrency);
  g_assert_cmpuint (hearth_server_get_queue_bound (server), ==, bound);
}

/* servers.conf keeps the limits; 0 gives back the defaults. */
static void
test_limits (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *conf = g_build_filename (g_get_user_config_dir (), "hearth", "servers.conf",
                                            NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  HearthServer *server = hearth_servers_lookup (f->servers, "box");

  /* A server on this computer: two at once, 32 other programs' requests waiting. */
  g_assert_cmpuint (hearth_server_get_concurrency (server), ==, 2);
  g_assert_cmpuint (hearth_server_get_queue_bound (server), ==, 32);
  set_limits (f, 3, 5);
  g_assert_true (g_file_get_contents (conf, &text, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (text, "Concurrency=3"));
  g_assert_nonnull (strstr (text, "QueueBound=5"));
  g_assert_true (hearth_servers_set_queue_limits (f->servers, "box", 0, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (hearth_server_get_concurrency (server), ==, 2);
  g_assert_cmpuint (hearth_server_get_queue_bound (server), ==, 32);
  g_assert_false (hearth_servers_set_queue_limits (f->servers, "nowhere", 1, 1, &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
}

/* hearth-cli servers limits sets them, servers list shows them. */
static void
test_limits_cli (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(HearthTestRun) run = NULL;

  run = hearth_test_run_cli (NULL, "servers", "limits", "box", "--concurrency", "3", NULL);
  g_assert_cmpint (run->exit_code, ==, 0);
  g_assert_nonnull (strstr (run->out, "“box” is sent 3 requests at once; up to 32 requests"));
  g_clear_pointer (&run, hearth_test_run_free);
  run = hearth_test_run_cli (NULL, "servers", "list", NULL);
  g_assert_cmpint (run->exit_code, ==, 0);
  g_assert_nonnull (strstr (run->out, "QUEUE"));
  g_assert_nonnull (strstr (run->out, " 3/32 "));
  g_clear_pointer (&run, hearth_test_run_free);
  run = hearth_test_run_cli (NULL, "servers", "limits", "box", "--queue-bound", "-4", NULL);
  g_assert_cmpint (run->exit_code, !=, 0);
  hearth_test_assert_one_line (run->err);
  g_assert_nonnull (strstr (run->err, "whole number"));
  g_clear_pointer (&run, hearth_test_run_free);
  run = hearth_test_run_cli (NULL, "servers", "list", "--concurrency", "2", NULL);
  g_assert_cmpint (run->exit_code, !=, 0);
  g_assert_nonnull (strstr (run->err, "are for servers limits"));
}

/* One at a time: the chat first, then the other program, then the
 * benchmark, whatever the order they came in. */
static void
test_priority (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(HearthReply) first = NULL;
  g_autoptr(HearthReply) background = NULL;
  g_autoptr(HearthReply) api = NULL;
  g_autoptr(HearthReply) chat = NULL;
  g_autoptr(HearthQueueStatus) status = NULL;
  HearthReply *all[4];

  set_limits (f, 1, 8);
  first = send_request (f, "first", HEARTH_PRIORITY_CHAT);
  background = send_request (f, "background", HEARTH_PRIORITY_BACKGROUND);
  api = send_request (f, "api", HEARTH_PRIORITY_API);
  chat = send_request (f, "chat", HEARTH_PRIORITY_CHAT);

  status = local_queue (f);
  g_assert_cmpuint (status->concurrency, ==, 1);
  g_assert_cmpuint (status->bound, ==, 8);
  g_assert_cmpuint (status->running, ==, 1);
  g_assert_cmpuint (status->waiting, ==, 3);
  g_assert_cmpuint (status->waiting_api, ==, 1);
  /* Each waiting reply says how many go before it. */
  g_assert_cmpuint (hearth_reply_get_queue_ahead (chat), ==, 0);
  g_assert_cmpuint (hearth_reply_get_queue_ahead (api), ==, 1);
  g_assert_cmpuint (hearth_reply_get_queue_ahead (background), ==, 2);

  all[0] = first, all[1] = background, all[2] = api, all[3] = chat;
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      wait_finished (all[i]);
      g_assert_cmpint (hearth_reply_get_state (all[i]), ==, HEARTH_REPLY_DONE);
      g_assert_cmpuint (hearth_reply_get_queue_ahead (all[i]), ==, 0);
    }
  g_assert_cmpuint (f->started->len, ==, 4);
  g_assert_cmpstr (f->started->pdata[0], ==, "first");
  g_assert_cmpstr (f->started->pdata[1], ==, "chat");
  g_assert_cmpstr (f->started->pdata[2], ==, "api");
  g_assert_cmpstr (f->started->pdata[3], ==, "background");
  g_clear_pointer (&status, hearth_queue_status_free);
  status = local_queue (f);
  g_assert_cmpuint (status->running, ==, 0);
  g_assert_cmpuint (status->waiting, ==, 0);
}

/* Past the bound, another program's request (or a benchmark) is refused
 * at once, never left hanging; the user's chat is still let in. */
static void
test_bound (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(HearthReply) first = NULL;
  g_autoptr(HearthReply) api1 = NULL;
  g_autoptr(HearthReply) api2 = NULL;
  g_autoptr(HearthReply) refused = NULL;
  g_autoptr(HearthReply) refused_background = NULL;
  g_autoptr(HearthReply) chat = NULL;
  g_autoptr(HearthQueueStatus) status = NULL;
  const GError *error;

  set_limits (f, 1, 2);
  first = send_request (f, "first", HEARTH_PRIORITY_CHAT);
  api1 = send_request (f, "api one", HEARTH_PRIORITY_API);
  api2 = send_request (f, "api two", HEARTH_PRIORITY_API);
  refused = send_request (f, "api three", HEARTH_PRIORITY_API);
  refused_background = send_request (f, "a benchmark", HEARTH_PRIORITY_BACKGROUND);
  chat = send_request (f, "chat", HEARTH_PRIORITY_CHAT);

  status = local_queue (f);
  g_assert_cmpuint (status->waiting, ==, 3);
  g_assert_cmpuint (status->waiting_api, ==, 2);

  /* Refused before the one that runs is done. */
  while (!hearth_reply_is_finished (refused) || !hearth_reply_is_finished (refused_background))
    g_main_context_iteration (NULL, TRUE);
  error = hearth_reply_get_error (refused);
  g_assert_error ((GError *) error, HEARTH_ERROR, HEARTH_ERROR_QUEUE_FULL);
  g_assert_nonnull (strstr (error->message, "“box” is busy"));
  g_assert_nonnull (strstr (error->message, "Try again in"));
  g_assert_cmpstr (hearth_error_get_class (error), ==, "queue-full");
  g_assert_error ((GError *) hearth_reply_get_error (refused_background), HEARTH_ERROR,
                  HEARTH_ERROR_QUEUE_FULL);

  /* The others are all answered, the chat before the programs. */
  wait_finished (first);
  wait_finished (api1);
  wait_finished (api2);
  wait_finished (chat);
  g_assert_cmpint (hearth_reply_get_state (first), ==, HEARTH_REPLY_DONE);
  g_assert_cmpint (hearth_reply_get_state (api1), ==, HEARTH_REPLY_DONE);
  g_assert_cmpint (hearth_reply_get_state (api2), ==, HEARTH_REPLY_DONE);
  g_assert_cmpint (hearth_reply_get_state (chat), ==, HEARTH_REPLY_DONE);
  g_assert_cmpuint (f->started->len, ==, 4);
  g_assert_cmpstr (f->started->pdata[1], ==, "chat");
}

/* A cancelled request that waits leaves the queue at once and never
 * reaches the server; the one behind it moves up. */
static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(HearthReply) first = NULL;
  g_autoptr(HearthReply) cancelled = NULL;
  g_autoptr(HearthReply) behind = NULL;
  g_autoptr(HearthQueueStatus) status = NULL;
  gint64 before = chats_sent ();

  set_limits (f, 1, 8);
  first = send_request (f, "first", HEARTH_PRIORITY_CHAT);
  cancelled = send_request (f, "cancelled", HEARTH_PRIORITY_API);
  behind = send_request (f, "behind", HEARTH_PRIORITY_API);
  g_assert_cmpuint (hearth_reply_get_queue_ahead (behind), ==, 1);

  hearth_reply_cancel (cancelled);
  while (!hearth_reply_is_finished (cancelled))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (hearth_reply_get_state (cancelled), ==, HEARTH_REPLY_CANCELLED);
  /* Nothing else ran meanwhile: only one main loop pass. */
  if (!hearth_reply_is_finished (first))
    {
      status = local_queue (f);
      g_assert_cmpuint (status->waiting, ==, 1);
      g_assert_cmpuint (hearth_reply_get_queue_ahead (behind), ==, 0);
    }

  wait_finished (first);
  wait_finished (behind);
  g_assert_cmpint (hearth_reply_get_state (behind), ==, HEARTH_REPLY_DONE);
  g_assert_cmpuint (f->started->len, ==, 2);
  g_assert_cmpstr (f->started->pdata[1], ==, "behind");
  /* Two reached the engine, not three. */
  g_assert_cmpint (chats_sent () - before, ==, 2);
}

/* The seconds a refused program is told to wait come from measured
 * requests: none before the first one ends, more the more wait. */
static void
test_retry_after (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(HearthReply) first = NULL;
  g_autoptr(HearthQueueStatus) status = NULL;
  g_autoptr(GPtrArray) waiting = g_ptr_array_new_with_free_func (g_object_unref);
  guint empty, full;

  set_limits (f, 1, 4);
  /* No request yet: no queue, the least wait. */
  g_assert_cmpuint (hearth_engine_get_retry_after (f->engine, "box"), ==, 1);
  g_assert_cmpuint (hearth_engine_get_retry_after (f->engine, "nowhere"), ==, 1);

  first = send_request (f, "first", HEARTH_PRIORITY_CHAT);
  status = local_queue (f);
  g_assert_cmpfloat (status->mean_ms, <, 0);
  wait_finished (first);
  g_clear_pointer (&status, hearth_queue_status_free);
  status = local_queue (f);
  g_assert_cmpfloat (status->mean_ms, >, 0);

  empty = hearth_engine_get_retry_after (f->engine, NULL);
  g_assert_cmpuint (empty, >, 0);
  g_assert_cmpuint (empty, ==, hearth_engine_get_retry_after (f->engine, "box"));
  g_ptr_array_add (waiting, send_request (f, "running", HEARTH_PRIORITY_CHAT));
  for (guint i = 0; i < 4; i++)
    g_ptr_array_add (waiting, send_request (f, "chat", HEARTH_PRIORITY_CHAT));
  for (guint i = 0; i < 4; i++)
    g_ptr_array_add (waiting, send_request (f, "api", HEARTH_PRIORITY_API));
  full = hearth_engine_get_retry_after (f->engine, "box");
  g_assert_cmpuint (full, >=, empty);
  for (guint i = 0; i < waiting->len; i++)
    hearth_reply_cancel (waiting->pdata[i]);
  for (guint i = 0; i < waiting->len; i++)
    wait_finished (waiting->pdata[i]);
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/queue/limits", test_limits);
  ADD ("/queue/limits-cli", test_limits_cli);
  ADD ("/queue/priority", test_priority);
  ADD ("/queue/bound", test_bound);
  ADD ("/queue/cancel", test_cancel);
  ADD ("/queue/retry-after", test_retry_after);
#undef ADD
  return g_test_run ();
}
