/* test-fallback.c — a chat through the user's servers: a server that is
 * down, fails with a 500 or lacks the model hands the request to the next
 * server of the fallback chain; a failure after the first token stays a
 * failure; cloud servers only when the user put them in the chain; the
 * breaker skips a dead server without connecting until a probe finds it
 * back; no_fallback; "auto" asks the routing rules
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Against the real test engine ("big-box": tiny-fixed), fault servers of
 * their own (one per test, so their /_stats count only that test's
 * requests) and closed ports. Servers are made through HearthServers, as
 * the Preferences page and `hearth-cli servers add` make them.
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "hearth-endpoint.h"
#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-metrics.h"
#include "hearth-routes.h"
#include "hearth-servers.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

#define SENTENCE "The sky is blue because air scatters blue light more than red light."
#define FIXED    "tiny-fixed:latest"

typedef struct
{
  GSettings     *settings;
  HearthEngine  *engine;
  HearthServers *servers;
} Fixture;

static void
keep_result (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *conf = g_build_filename (g_get_user_config_dir (), "hearth", "servers.conf",
                                            NULL);

  f->settings = hearth_settings_try_new ();
  g_assert_nonnull (f->settings);
  g_settings_reset (f->settings, "endpoint");
  g_settings_reset (f->settings, "api-kind");
  g_remove (conf);
  f->engine = hearth_engine_new_for_settings (f->settings, HEARTH_ENGINE_HISTORY);
  f->servers = hearth_engine_get_servers (f->engine);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  hearth_engine_shutdown (f->engine);
  g_clear_object (&f->engine);
  g_clear_object (&f->settings);
}

/* An address nothing listens on: a port the kernel gave and took back. */
static char *
closed_port_url (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return g_strdup_printf ("http://127.0.0.1:%u", port);
}

/* Servers "laptop" (@laptop_url, first: the default) and, when
 * @big_box_url is given, "big-box"; the chain as given. */
static void
add_servers (Fixture            *f,
             const char         *laptop_url,
             const char         *big_box_url,
             gboolean            big_box_cloud,
             const char * const *chain)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) old = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (f->servers)); i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (G_LIST_MODEL (f->servers), i);

      g_ptr_array_add (old, g_strdup (hearth_server_get_name (server)));
    }
  g_assert_nonnull (hearth_servers_add (f->servers, "laptop", laptop_url, HEARTH_API_OLLAMA,
                                        FALSE, NULL, &error));
  g_assert_no_error (error);
  if (big_box_url != NULL)
    {
      g_assert_nonnull (hearth_servers_add (f->servers, "big-box", big_box_url,
                                            HEARTH_API_OLLAMA, big_box_cloud, NULL, &error));
      g_assert_no_error (error);
    }
  /* The migrated server goes: laptop is the default. */
  for (guint i = 0; i < old->len; i++)
    {
      hearth_servers_remove (f->servers, old->pdata[i], &error);
      g_assert_no_error (error);
    }
  g_assert_cmpstr (hearth_server_get_name (hearth_servers_get_default (f->servers)), ==, "laptop");
  hearth_servers_set_fallback (f->servers, chain, &error);
  g_assert_no_error (error);
}

static void
on_finished (HearthReply *reply,
             GMainLoop   *loop)
{
  g_main_loop_quit (loop);
}

/* Asks through the user's servers (no provider) and waits for the end. */
static HearthReply *
ask_full (Fixture    *f,
          const char *model,
          const char *server,
          gboolean    no_fallback)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  HearthChatRequest *request = hearth_chat_request_new ();
  HearthReply *reply;

  request->model = g_strdup (model);
  request->server = g_strdup (server);
  request->no_fallback = no_fallback;
  request->bypass_cache = TRUE;
  hearth_chat_request_add_message (request, "user", "Why is the sky blue?");
  reply = hearth_engine_chat (f->engine, NULL, request, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reply);
  g_signal_connect (reply, "finished", G_CALLBACK (on_finished), loop);
  if (!hearth_reply_is_finished (reply))
    g_main_loop_run (loop);
  g_signal_handlers_disconnect_by_data (reply, loop);
  return reply;
}

static HearthReply *
ask (Fixture    *f,
     const char *model)
{
  return ask_full (f, model, NULL, FALSE);
}

/* The reply as the history keeps it. */
static HearthMessage *
stored_reply (Fixture     *f,
              HearthReply *reply)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = NULL;

  messages = hearth_store_list_messages (hearth_engine_get_store (f->engine),
                                         hearth_reply_get_conversation_id (reply), 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, 2);
  g_assert_cmpstr (((HearthMessage *) messages->pdata[0])->content, ==, "Why is the sky blue?");
  return g_steal_pointer (&messages->pdata[1]);
}

static void
assert_route (HearthReply *reply,
              const char  *server,
              const char  *from,
              const char  *reason,
              const char  *description)
{
  g_autofree char *text = hearth_reply_describe_route (reply);

  g_assert_cmpstr (hearth_reply_get_server (reply), ==, server);
  g_assert_cmpstr (hearth_reply_get_fallback_from (reply), ==, from);
  g_assert_cmpstr (hearth_reply_get_fallback_reason (reply), ==, reason);
  g_assert_cmpstr (text, ==, description);
}

static void
assert_stored_route (Fixture     *f,
                     HearthReply *reply,
                     const char  *server,
                     const char  *from,
                     const char  *reason)
{
  g_autoptr(HearthMessage) message = stored_reply (f, reply);

  g_assert_cmpstr (message->content, ==, hearth_reply_get_content (reply));
  g_assert_cmpstr (message->server, ==, server);
  g_assert_cmpstr (message->fallback_from, ==, from);
  g_assert_cmpstr (message->fallback_reason, ==, reason);
  g_assert_cmpstr (message->model, ==, hearth_reply_get_model (reply));
  g_assert_cmpstr (message->endpoint, ==, hearth_reply_get_endpoint (reply));
}

/* /_stats of a test server: how many requests went to @path. */
static gint64
count_requests (HearthTestServer *server,
                const char       *path)
{
  g_autofree char *body = hearth_test_server_request (server, "GET", "/_stats");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *paths;

  json_parser_load_from_data (parser, body, -1, &error);
  g_assert_no_error (error);
  paths = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                         "paths");
  return paths != NULL && json_object_has_member (paths, path)
         ? json_object_get_int_member (paths, path) : 0;
}

static gint64
chats_to (HearthTestServer *server)
{
  return count_requests (server, "/api/chat");
}

static void
probe (Fixture    *f,
       const char *name)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  hearth_servers_probe_async (f->servers, name, NULL, keep_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  hearth_servers_probe_finish (f->servers, result, &error);
  g_assert_no_error (error);
}

/* The Performance page's and `metrics --summary`'s group of @endpoint. */
static HearthMetricsGroup *
find_group (Fixture    *f,
            const char *endpoint)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) groups = NULL;

  hearth_engine_summarize_metrics_async (f->engine, 0, NULL, HEARTH_METRICS_BY_ENDPOINT, FALSE,
                                         HEARTH_METRICS_FORMAT_CSV, NULL, keep_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  groups = hearth_engine_summarize_metrics_finish (f->engine, result, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < groups->len; i++)
    {
      HearthMetricsGroup *group = g_ptr_array_index (groups, i);

      if (g_strcmp0 (group->endpoint, endpoint) == 0)
        return g_ptr_array_steal_index (groups, i);
    }
  return NULL;
}

/* laptop was switched off: big-box answers, and says why. */
static void
test_down (Fixture       *f,
           gconstpointer  data)
{
  const char *chain[] = { "laptop", "big-box", NULL };
  g_autoptr(HearthReply) reply = NULL;
  g_autofree char *laptop_url = NULL;
  HearthServer *laptop;
  HearthMetricsGroup *group;

  if (!hearth_test_require_node ())
    return;
  {
    g_autoptr(HearthTestServer) stopped = hearth_test_server_start ("fault-server.mjs", NULL);

    laptop_url = g_strdup (hearth_test_server_get_url (stopped));
  }
  add_servers (f, laptop_url, hearth_test_engine_url (), FALSE, chain);

  reply = ask (f, "tiny-fixed");
  g_assert_no_error (hearth_reply_get_error (reply));
  g_assert_cmpint (hearth_reply_get_state (reply), ==, HEARTH_REPLY_DONE);
  g_assert_cmpstr (hearth_reply_get_content (reply), ==, SENTENCE);
  g_assert_cmpstr (hearth_reply_get_model (reply), ==, FIXED);
  assert_route (reply, "big-box", "laptop", "down", "answered by big-box because laptop was down");
  assert_stored_route (f, reply, "big-box", "laptop", "down");
  g_assert_cmpstr (hearth_reply_get_endpoint (reply), ==,
                   hearth_server_get_endpoint (hearth_servers_lookup (f->servers, "big-box")));
  /* The time to the first token is big-box's: laptop's attempts came before. */
  g_assert_cmpfloat (hearth_reply_get_figures (reply)->ttft_ms, <=,
                     hearth_reply_get_figures (reply)->total_ms);

  /* laptop's health learnt it: down, one failure. */
  laptop = hearth_servers_lookup (f->servers, "laptop");
  g_assert_cmpint (hearth_server_get_state (laptop), ==, HEARTH_SERVER_STATE_DOWN);
  g_assert_cmpuint (hearth_server_get_failures (laptop), ==, 1);
  g_assert_cmpint (hearth_server_get_state (hearth_servers_lookup (f->servers, "big-box")), ==,
                   HEARTH_SERVER_STATE_UP);

  /* The metrics count the request where it was answered, by that name. */
  group = find_group (f, hearth_reply_get_endpoint (reply));
  g_assert_nonnull (group);
  g_assert_cmpstr (group->server, ==, "big-box");
  g_assert_cmpuint (group->successes, >=, 1);
  hearth_metrics_group_free (group);
}

/* A 500 before the first token: the substitute on big-box answers. */
static void
test_server_error (Fixture       *f,
                   gconstpointer  data)
{
  const char *chain[] = { "laptop", "big-box", NULL };
  g_autoptr(HearthTestServer) fault = NULL;
  g_autoptr(HearthReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  if (!hearth_test_require_node ())
    return;
  fault = hearth_test_server_start ("fault-server.mjs", NULL);
  add_servers (f, hearth_test_server_get_url (fault), hearth_test_engine_url (), FALSE, chain);
  hearth_servers_set_substitute (f->servers, "error-500", "tiny-fixed", &error);
  g_assert_no_error (error);

  reply = ask (f, "error-500");
  g_assert_no_error (hearth_reply_get_error (reply));
  g_assert_cmpstr (hearth_reply_get_content (reply), ==, SENTENCE);
  g_assert_cmpstr (hearth_reply_get_model (reply), ==, FIXED);
  assert_route (reply, "big-box", "laptop", "server error",
                "answered by big-box because laptop failed (server error)");
  assert_stored_route (f, reply, "big-box", "laptop", "server error");
  g_assert_cmpint (chats_to (fault), ==, 1);
}

/* laptop does not have the model; big-box does. */
static void
test_model_missing (Fixture       *f,
                    gconstpointer  data)
{
  const char *chain[] = { "laptop", "big-box", NULL };
  g_autoptr(HearthTestServer) fault = NULL;
  g_autoptr(HearthReply) reply = NULL;
  HearthServer *laptop;

  if (!hearth_test_require_node ())
    return;
  fault = hearth_test_server_start ("fault-server.mjs", NULL);
  add_servers (f, hearth_test_server_get_url (fault), hearth_test_engine_url (), FALSE, chain);

  reply = ask (f, "tiny-fixed");
  g_assert_no_error (hearth_reply_get_error (reply));
  g_assert_cmpstr (hearth_reply_get_content (reply), ==, SENTENCE);
  assert_route (reply, "big-box", "laptop", "model missing",
                "answered by big-box because laptop had no " FIXED);
  assert_stored_route (f, reply, "big-box", "laptop", "model missing");
  /* A missing model says nothing against laptop itself. */
  laptop = hearth_servers_lookup (f->servers, "laptop");
  g_assert_cmpuint (hearth_server_get_failures (laptop), ==, 0);
  g_assert_false (hearth_server_get_breaker_open (laptop));
}

/* Text came, then the connection dropped: never asked again elsewhere. */
static void
test_after_first_token (Fixture       *f,
                        gconstpointer  data)
{
  const char *chain[] = { "laptop", "big-box", NULL };
  g_autoptr(HearthTestServer) fault = NULL;
  g_autoptr(HearthReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthMessage) message = NULL;
  gint64 big_box_before;

  if (!hearth_test_require_node ())
    return;
  fault = hearth_test_server_start ("fault-server.mjs", NULL);
  add_servers (f, hearth_test_server_get_url (fault), hearth_test_engine_url (), FALSE, chain);
  hearth_servers_set_substitute (f->servers, "drop-mid-stream", "tiny-fixed", &error);
  g_assert_no_error (error);
  big_box_before = chats_to (hearth_test_engine_server (NULL));

  reply = ask (f, "drop-mid-stream");
  g_assert_cmpint (hearth_reply_get_state (reply), ==, HEARTH_REPLY_FAILED);
  g_assert_error (hearth_reply_get_error (reply), HEARTH_ERROR, HEARTH_ERROR_BROKEN_STREAM);
  g_assert_nonnull (strstr (hearth_reply_get_error (reply)->message,
                            "after part of the reply had arrived"));
  g_assert_true (g_str_has_prefix (hearth_reply_get_content (reply), "Partial answer"));
  assert_route (reply, "laptop", NULL, NULL, NULL);
  g_assert_cmpint (chats_to (hearth_test_engine_server (NULL)), ==, big_box_before);
  message = stored_reply (f, reply);
  g_assert_cmpint (message->state, ==, HEARTH_MESSAGE_FAILED);
  g_assert_cmpstr (message->server, ==, "laptop");
  g_assert_null (message->fallback_from);
}

/* A cloud server answers only when the user put it in the chain. */
static void
test_cloud_only_in_chain (Fixture       *f,
                          gconstpointer  data)
{
  const char *chain[] = { "laptop", NULL };
  const char *with_cloud[] = { "laptop", "big-box", NULL };
  g_autofree char *closed = closed_port_url ();
  g_autoptr(HearthReply) refused = NULL;
  g_autoptr(HearthReply) answered = NULL;
  g_autoptr(GError) error = NULL;
  gint64 big_box_before;

  if (!hearth_test_require_node ())
    return;
  /* "big-box" stands for a cloud server: marked cloud, not in the chain. */
  add_servers (f, closed, hearth_test_engine_url (), TRUE, chain);
  big_box_before = chats_to (hearth_test_engine_server (NULL));

  refused = ask (f, "tiny-fixed");
  g_assert_error (hearth_reply_get_error (refused), HEARTH_ERROR, HEARTH_ERROR_CONNECTION_REFUSED);
  g_assert_nonnull (strstr (hearth_reply_get_error (refused)->message,
                            "fallback found no other server"));
  assert_route (refused, "laptop", NULL, NULL, NULL);
  g_assert_cmpint (chats_to (hearth_test_engine_server (NULL)), ==, big_box_before);

  /* The user adds it to the chain: now it may answer. */
  hearth_servers_set_fallback (f->servers, with_cloud, &error);
  g_assert_no_error (error);
  answered = ask (f, "tiny-fixed");
  g_assert_no_error (hearth_reply_get_error (answered));
  g_assert_cmpstr (hearth_reply_get_content (answered), ==, SENTENCE);
  assert_route (answered, "big-box", "laptop", "down",
                "answered by big-box because laptop was down");
  g_assert_cmpint (chats_to (hearth_test_engine_server (NULL)), ==, big_box_before + 1);
}

/* Three failures open laptop's breaker: the next request goes straight
 * to big-box without connecting to laptop, until a probe finds it back. */
static void
test_breaker (Fixture       *f,
              gconstpointer  data)
{
  const char *chain[] = { "laptop", "big-box", NULL };
  g_autoptr(HearthTestServer) fault = NULL;
  g_autoptr(GError) error = NULL;
  HearthServer *laptop;

  if (!hearth_test_require_node ())
    return;
  fault = hearth_test_server_start ("fault-server.mjs", NULL);
  add_servers (f, hearth_test_server_get_url (fault), hearth_test_engine_url (), FALSE, chain);
  hearth_servers_set_substitute (f->servers, "error-500", "tiny-fixed", &error);
  g_assert_no_error (error);
  laptop = hearth_servers_lookup (f->servers, "laptop");

  for (guint i = 1; i <= HEARTH_SERVER_BREAKER_FAILURES; i++)
    {
      g_autoptr(HearthReply) reply = ask (f, "error-500");

      g_assert_no_error (hearth_reply_get_error (reply));
      g_assert_cmpstr (hearth_reply_get_fallback_reason (reply), ==, "server error");
      g_assert_cmpint (chats_to (fault), ==, i);
      g_assert_cmpuint (hearth_server_get_failures (laptop), ==, i);
    }
  g_assert_true (hearth_server_get_breaker_open (laptop));
  g_assert_false (hearth_server_is_available (laptop));

  {
    g_autoptr(HearthReply) skipped = ask (f, "error-500");

    g_assert_no_error (hearth_reply_get_error (skipped));
    g_assert_cmpstr (hearth_reply_get_content (skipped), ==, SENTENCE);
    assert_route (skipped, "big-box", "laptop", "skipped (down)",
                  "answered by big-box, skipped laptop (down)");
    assert_stored_route (f, skipped, "big-box", "laptop", "skipped (down)");
    /* No connection was tried. */
    g_assert_cmpint (chats_to (fault), ==, HEARTH_SERVER_BREAKER_FAILURES);
  }

  /* With nowhere else to go, the skipped server is asked all the same
   * rather than failing unasked. */
  {
    const char *alone[] = { "laptop", NULL };
    g_autoptr(HearthReply) last = NULL;

    hearth_servers_set_fallback (f->servers, alone, &error);
    g_assert_no_error (error);
    last = ask (f, "error-500");
    g_assert_cmpint (chats_to (fault), ==, HEARTH_SERVER_BREAKER_FAILURES + 1);
    g_assert_error (hearth_reply_get_error (last), HEARTH_ERROR, HEARTH_ERROR_SERVER_ERROR);
    g_assert_nonnull (strstr (hearth_reply_get_error (last)->message, "something broke"));
    assert_route (last, "laptop", NULL, NULL, NULL);
    hearth_servers_set_fallback (f->servers, chain, &error);
    g_assert_no_error (error);
  }
  g_assert_true (hearth_server_get_breaker_open (laptop));

  /* laptop answers a check: its breaker closes and it is asked again. */
  probe (f, "laptop");
  g_assert_false (hearth_server_get_breaker_open (laptop));
  {
    g_autoptr(HearthReply) again = ask (f, "error-500");

    g_assert_cmpint (chats_to (fault), ==, HEARTH_SERVER_BREAKER_FAILURES + 2);
    g_assert_cmpstr (hearth_reply_get_fallback_reason (again), ==, "server error");
    g_assert_cmpstr (hearth_reply_get_server (again), ==, "big-box");
  }
}

/* no_fallback: that server or nothing; a named server; an unknown one. */
static void
test_no_fallback_and_named (Fixture       *f,
                            gconstpointer  data)
{
  const char *chain[] = { "laptop", "big-box", NULL };
  g_autofree char *closed = closed_port_url ();
  g_autoptr(HearthReply) refused = NULL;
  g_autoptr(HearthReply) named = NULL;
  g_autoptr(HearthReply) unknown = NULL;
  g_autoptr(HearthMessage) kept = NULL;
  gint64 big_box_before;

  if (!hearth_test_require_node ())
    return;
  add_servers (f, closed, hearth_test_engine_url (), FALSE, chain);
  big_box_before = chats_to (hearth_test_engine_server (NULL));

  refused = ask_full (f, "tiny-fixed", NULL, TRUE);
  g_assert_error (hearth_reply_get_error (refused), HEARTH_ERROR, HEARTH_ERROR_CONNECTION_REFUSED);
  g_assert_null (strstr (hearth_reply_get_error (refused)->message, "fallback"));
  assert_route (refused, "laptop", NULL, NULL, NULL);
  g_assert_cmpint (chats_to (hearth_test_engine_server (NULL)), ==, big_box_before);

  /* Asked by name, big-box answers as itself. */
  named = ask_full (f, "tiny-fixed", "big-box", FALSE);
  g_assert_no_error (hearth_reply_get_error (named));
  assert_route (named, "big-box", NULL, NULL, NULL);
  assert_stored_route (f, named, "big-box", NULL, NULL);

  /* A server that is not there: a sentence, and the question is kept. */
  unknown = ask_full (f, "tiny-fixed", "nonesuch", FALSE);
  g_assert_error (hearth_reply_get_error (unknown), HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (hearth_reply_get_error (unknown)->message, "“nonesuch”"));
  g_assert_nonnull (strstr (hearth_reply_get_error (unknown)->message, "laptop, big-box"));
  kept = stored_reply (f, unknown);
  g_assert_cmpint (kept->state, ==, HEARTH_MESSAGE_FAILED);
  g_assert_nonnull (strstr (kept->error, "nonesuch"));
}

/* "auto": a rule picks the model and the server, and the reply says so. */
static void
test_auto (Fixture       *f,
           gconstpointer  data)
{
  const char *chain[] = { "laptop", "big-box", NULL };
  g_autofree char *closed = closed_port_url ();
  g_autoptr(HearthReply) reply = NULL;
  g_autoptr(HearthMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *description = NULL;

  if (!hearth_test_require_node ())
    return;
  add_servers (f, closed, hearth_test_engine_url (), FALSE, chain);
  id = hearth_routes_add (hearth_engine_get_routes (f->engine), HEARTH_ROUTE_KEYWORD, "sky",
                          "tiny-fixed", "big-box", 0, &error);
  g_assert_no_error (error);

  reply = ask (f, HEARTH_MODEL_AUTO);
  g_assert_no_error (hearth_reply_get_error (reply));
  g_assert_cmpstr (hearth_reply_get_content (reply), ==, SENTENCE);
  g_assert_cmpstr (hearth_reply_get_model (reply), ==, FIXED);
  g_assert_cmpstr (hearth_reply_get_server (reply), ==, "big-box");
  g_assert_nonnull (hearth_reply_get_route_rule (reply));
  g_assert_null (hearth_reply_get_fallback_from (reply));
  description = hearth_reply_describe_route (reply);
  g_assert_true (g_str_has_prefix (description, "chosen by rule: "));
  g_assert_nonnull (strstr (description, hearth_reply_get_route_rule (reply)));
  message = stored_reply (f, reply);
  g_assert_cmpstr (message->route_rule, ==, hearth_reply_get_route_rule (reply));
  g_assert_cmpstr (message->model, ==, FIXED);
  g_assert_cmpstr (message->server, ==, "big-box");
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/fallback/down", test_down);
  ADD ("/fallback/server-error", test_server_error);
  ADD ("/fallback/model-missing", test_model_missing);
  ADD ("/fallback/after-first-token", test_after_first_token);
  ADD ("/fallback/cloud-only-in-chain", test_cloud_only_in_chain);
  ADD ("/fallback/breaker", test_breaker);
  ADD ("/fallback/no-fallback-and-named", test_no_fallback_and_named);
  ADD ("/fallback/auto", test_auto);
#undef ADD
  return g_test_run ();
}
