/* test-gateway.c — the API gateway as another program sees it: the models
 * of every served server (one test engine registered as "laptop" and
 * "big-box"), named plainly and as MODEL@SERVER, in Ollama's and OpenAI's
 * shapes; show, ps, version, pull and delete; errors in each protocol's
 * shape; the token on a non-loopback address (kept in the real keyring);
 * a port in use; stop freeing the port; the figures and the log line
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The client is libsoup's SoupSession, as any HTTP client would ask.
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-gateway.h"
#include "hearth-servers.h"
#include "hearth-endpoint.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

#define FIXED "tiny-fixed:latest"

typedef struct
{
  GSettings     *settings;
  HearthEngine  *engine;
  HearthGateway *gateway;
  SoupSession   *session;
  GPtrArray     *log;        /* "METHOD PATH STATUS client model server", one per request */
  guint          changed;
} Fixture;

typedef struct
{
  guint               status;
  char               *body;
  SoupMessageHeaders *headers;
  JsonNode           *json;
} Answer;

static void
answer_free (Answer *answer)
{
  g_free (answer->body);
  g_clear_pointer (&answer->headers, soup_message_headers_unref);
  g_clear_pointer (&answer->json, json_node_unref);
  g_free (answer);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Answer, answer_free)

static void
on_request_finished (HearthGateway                  *gateway,
                     const HearthGatewayRequestInfo *info,
                     Fixture                        *f)
{
  g_ptr_array_add (f->log, g_strdup_printf ("%s %s %u %s %s %s", info->method, info->path,
                                            info->status, info->client,
                                            info->model != NULL ? info->model : "-",
                                            info->server != NULL ? info->server : "-"));
}

static void
on_changed (HearthGateway *gateway,
            Fixture       *f)
{
  f->changed++;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *conf = g_build_filename (g_get_user_config_dir (), "hearth", "servers.conf",
                                            NULL);
  g_autoptr(GPtrArray) old = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  HearthServers *servers;
  const char *url;

  if (!hearth_test_require_node ())
    return;
  url = hearth_test_server_get_url (hearth_test_engine_with_pull_source ());

  f->settings = hearth_settings_try_new ();
  g_assert_nonnull (f->settings);
  g_remove (conf);
  f->engine = hearth_engine_new_for_settings (f->settings, 0);
  servers = hearth_engine_get_servers (f->engine);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (servers)); i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (G_LIST_MODEL (servers), i);

      g_ptr_array_add (old, g_strdup (hearth_server_get_name (server)));
    }
  /* One engine, two names: every model is on both servers. */
  g_assert_nonnull (hearth_servers_add (servers, "laptop", url, HEARTH_API_OLLAMA, FALSE, NULL,
                                        &error));
  g_assert_no_error (error);
  g_assert_nonnull (hearth_servers_add (servers, "big-box", url, HEARTH_API_OLLAMA, FALSE, NULL,
                                        &error));
  g_assert_no_error (error);
  for (guint i = 0; i < old->len; i++)
    {
      hearth_servers_remove (servers, old->pdata[i], &error);
      g_assert_no_error (error);
    }

  f->gateway = hearth_engine_get_gateway (f->engine);
  g_assert_true (hearth_engine_get_gateway (f->engine) == f->gateway);
  f->log = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->gateway, "request-finished", G_CALLBACK (on_request_finished), f);
  g_signal_connect (f->gateway, "changed", G_CALLBACK (on_changed), f);
  f->session = soup_session_new_with_options ("user-agent", "test-gateway/1.0", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->engine == NULL)
    return;
  hearth_engine_shutdown (f->engine);
  /* The engine's shutdown stops the gateway. */
  g_assert_false (hearth_gateway_get_running (f->gateway));
  g_signal_handlers_disconnect_by_data (f->gateway, f);
  g_clear_object (&f->session);
  g_clear_object (&f->engine);
  g_clear_object (&f->settings);
  g_clear_pointer (&f->log, g_ptr_array_unref);
}

static void
start_loopback (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hearth_gateway_start (f->gateway, "127.0.0.1:0", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hearth_gateway_get_running (f->gateway));
  g_assert_true (hearth_gateway_get_loopback (f->gateway));
  g_assert_cmpuint (hearth_gateway_get_port (f->gateway), >, 0);
  g_assert_null (hearth_gateway_get_error (f->gateway));
}

static void
keep_result (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* One request to @url + @path, answered in full; the gateway runs on this
 * thread's main loop meanwhile. */
static Answer *
request_at (Fixture    *f,
            const char *url,
            const char *method,
            const char *path,
            const char *body,
            const char *authorization)
{
  g_autofree char *uri = g_strconcat (url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  Answer *answer = g_new0 (Answer, 1);
  const char *type;

  g_assert_nonnull (msg);
  if (body != NULL)
    {
      g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", request);
    }
  if (authorization != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                  authorization);
  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, keep_result,
                                    &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  bytes = soup_session_send_and_read_finish (f->session, result, &error);
  g_assert_no_error (error);

  answer->status = soup_message_get_status (msg);
  answer->body = g_bytes_get_size (bytes) > 0
                 ? g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes))
                 : g_strdup ("");
  answer->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  type = soup_message_headers_get_content_type (answer->headers, NULL);
  if (g_strcmp0 (type, "application/json") == 0)
    {
      answer->json = json_from_string (answer->body, &error);
      g_assert_no_error (error);
    }
  return answer;
}

static Answer *
request (Fixture    *f,
         const char *method,
         const char *path,
         const char *body)
{
  return request_at (f, hearth_gateway_get_url (f->gateway), method, path, body, NULL);
}

static JsonObject *
answer_object (Answer *answer)
{
  g_assert_nonnull (answer->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (answer->json));
  return json_node_get_object (answer->json);
}

/* The names in /api/tags (Ollama) or /v1/models (OpenAI), in order. */
static GPtrArray *
listed_names (Answer *answer,
              gboolean openai)
{
  JsonObject *root = answer_object (answer);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  JsonArray *array;

  g_assert_cmpuint (answer->status, ==, 200);
  if (openai)
    g_assert_cmpstr (json_object_get_string_member (root, "object"), ==, "list");
  array = json_object_get_array_member (root, openai ? "data" : "models");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *model = json_array_get_object_element (array, i);

      if (openai)
        {
          g_assert_cmpstr (json_object_get_string_member (model, "object"), ==, "model");
          g_assert_true (json_object_has_member (model, "owned_by"));
        }
      else
        {
          g_assert_cmpstr (json_object_get_string_member (model, "model"), ==,
                           json_object_get_string_member (model, "name"));
          g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (model, "details")));
        }
      g_ptr_array_add (names, g_strdup (json_object_get_string_member (model,
                                                                        openai ? "id" : "name")));
    }
  return names;
}

static guint
count_name (GPtrArray  *names,
            const char *name)
{
  guint n = 0;

  for (guint i = 0; i < names->len; i++)
    n += g_strcmp0 (names->pdata[i], name) == 0;
  return n;
}

/* An error in Ollama's shape: {"error": "…"}; the sentence returned. */
static const char *
ollama_error (Answer *answer,
              guint   status)
{
  JsonObject *root = answer_object (answer);

  g_assert_cmpuint (answer->status, ==, status);
  g_assert_true (JSON_NODE_HOLDS_VALUE (json_object_get_member (root, "error")));
  return json_object_get_string_member (root, "error");
}

/* An error in OpenAI's shape: {"error": {"message", "type", "code"}}. */
static JsonObject *
openai_error (Answer *answer,
              guint   status)
{
  JsonObject *root = answer_object (answer);
  JsonObject *error;

  g_assert_cmpuint (answer->status, ==, status);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "error")));
  error = json_object_get_object_member (root, "error");
  g_assert_nonnull (json_object_get_string_member (error, "message"));
  g_assert_nonnull (json_object_get_string_member (error, "type"));
  return error;
}

/* Tests ------------------------------------------------------------------ */

static void
test_probe_and_version (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(Answer) root = NULL;
  g_autoptr(Answer) head = NULL;
  g_autoptr(Answer) version = NULL;
  g_autoptr(Answer) direct = NULL;

  if (f->engine == NULL)
    return;
  start_loopback (f);

  /* What Ollama clients probe before anything else. */
  root = request (f, "GET", "/", NULL);
  g_assert_cmpuint (root->status, ==, 200);
  g_assert_cmpstr (root->body, ==, "Ollama is running");
  head = request (f, "HEAD", "/", NULL);
  g_assert_cmpuint (head->status, ==, 200);
  g_assert_cmpstr (head->body, ==, "");

  /* The version of the server behind it, as clients compare it. */
  version = request (f, "GET", "/api/version", NULL);
  g_assert_cmpuint (version->status, ==, 200);
  direct = request_at (f, hearth_test_engine_url (), "GET", "/api/version", NULL, NULL);
  g_assert_cmpstr (json_object_get_string_member (answer_object (version), "version"), ==,
                   json_object_get_string_member (answer_object (direct), "version"));
}

static void
test_tags_and_models (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(Answer) tags = NULL;
  g_autoptr(Answer) models = NULL;
  g_autoptr(Answer) direct = NULL;
  g_autoptr(Answer) one = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GPtrArray) engine_names = NULL;
  g_autoptr(GError) error = NULL;

  if (f->engine == NULL)
    return;
  start_loopback (f);

  tags = request (f, "GET", "/api/tags", NULL);
  names = listed_names (tags, FALSE);
  direct = request_at (f, hearth_test_engine_url (), "GET", "/api/tags", NULL, NULL);
  engine_names = listed_names (direct, FALSE);
  g_assert_cmpuint (engine_names->len, >, 0);
  g_assert_cmpuint (count_name (engine_names, FIXED), ==, 1);

  /* Each of the engine's models once plainly, and once on each server by
   * name, since both servers have it; then "auto". */
  g_assert_cmpuint (names->len, ==, engine_names->len * 3 + 1);
  for (guint i = 0; i < engine_names->len; i++)
    {
      g_autofree char *on_laptop = g_strdup_printf ("%s@laptop", (char *) engine_names->pdata[i]);
      g_autofree char *on_big_box = g_strdup_printf ("%s@big-box", (char *) engine_names->pdata[i]);

      g_assert_cmpuint (count_name (names, engine_names->pdata[i]), ==, 1);
      g_assert_cmpuint (count_name (names, on_laptop), ==, 1);
      g_assert_cmpuint (count_name (names, on_big_box), ==, 1);
    }
  g_assert_cmpuint (count_name (names, "auto"), ==, 1);

  /* The same names in OpenAI's list. */
  models = request (f, "GET", "/v1/models", NULL);
  ids = listed_names (models, TRUE);
  g_assert_cmpuint (ids->len, ==, names->len);
  for (guint i = 0; i < names->len; i++)
    g_assert_cmpstr (ids->pdata[i], ==, names->pdata[i]);

  one = request (f, "GET", "/v1/models/" FIXED "@big-box", NULL);
  g_assert_cmpuint (one->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (answer_object (one), "id"), ==,
                   FIXED "@big-box");
  g_assert_cmpstr (json_object_get_string_member (answer_object (one), "owned_by"), ==,
                   "big-box");

  /* Served servers only: with --server big-box, no "@laptop" names. */
  {
    const char *only[] = { "big-box", NULL };
    const char *nobody[] = { "nowhere", NULL };
    g_autoptr(Answer) again = NULL;
    g_autoptr(GPtrArray) fewer = NULL;

    g_assert_false (hearth_gateway_set_servers (f->gateway, nobody, &error));
    g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "laptop"));
    g_clear_error (&error);
    g_assert_true (hearth_gateway_set_servers (f->gateway, only, &error));
    g_assert_no_error (error);
    again = request (f, "GET", "/api/tags", NULL);
    fewer = listed_names (again, FALSE);
    g_assert_cmpuint (fewer->len, ==, engine_names->len + 1);
    g_assert_cmpuint (count_name (fewer, FIXED), ==, 1);
    g_assert_cmpuint (count_name (fewer, FIXED "@laptop"), ==, 0);
  }
}

static void
test_show (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(Answer) show = NULL;
  g_autoptr(Answer) on_big_box = NULL;
  JsonObject *root;

  if (f->engine == NULL)
    return;
  start_loopback (f);

  /* The first server that has it answers, and says so. */
  show = request (f, "POST", "/api/show", "{\"model\": \"tiny-fixed\"}");
  g_assert_cmpuint (show->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_one (show->headers, "X-Hearth-Server"), ==, "laptop");
  root = answer_object (show);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "details")));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "model_info")));
  g_assert_cmpuint (strlen (json_object_get_string_member (root, "template")), >, 0);
  g_assert_nonnull (json_object_get_string_member (json_object_get_object_member (root, "details"),
                                                   "family"));

  on_big_box = request (f, "POST", "/api/show", "{\"name\": \"" FIXED "@big-box\"}");
  g_assert_cmpuint (on_big_box->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_one (on_big_box->headers, "X-Hearth-Server"), ==,
                   "big-box");
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(Answer) show = NULL;
  g_autoptr(Answer) on_nowhere = NULL;
  g_autoptr(Answer) model = NULL;
  g_autoptr(Answer) not_json = NULL;
  g_autoptr(Answer) no_path = NULL;
  g_autoptr(Answer) no_path_openai = NULL;
  g_autoptr(Answer) wrong_method = NULL;
  g_autoptr(Answer) delete = NULL;
  JsonObject *error;

  if (f->engine == NULL)
    return;
  start_loopback (f);

  /* An unknown model: 404 in each protocol's shape, saying where to look. */
  show = request (f, "POST", "/api/show", "{\"model\": \"no-such-model\"}");
  g_assert_nonnull (strstr (ollama_error (show, 404), "no-such-model"));
  model = request (f, "GET", "/v1/models/no-such-model", NULL);
  error = openai_error (model, 404);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "model_not_found");
  g_assert_cmpstr (json_object_get_string_member (error, "type"), ==, "invalid_request_error");
  g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), "no-such-model"));
  on_nowhere = request (f, "POST", "/api/show", "{\"model\": \"" FIXED "@nowhere\"}");
  g_assert_nonnull (strstr (ollama_error (on_nowhere, 404), "nowhere"));
  delete = request (f, "DELETE", "/api/delete", "{\"model\": \"no-such-model\"}");
  ollama_error (delete, 404);

  /* A body that is not JSON, a path there is not, a method a path does
   * not take: each a 4xx in the client's protocol, never a hang. */
  not_json = request (f, "POST", "/api/show", "{model: tiny");
  g_assert_nonnull (strstr (ollama_error (not_json, 400), "JSON"));
  no_path = request (f, "GET", "/api/nothing", NULL);
  ollama_error (no_path, 404);
  no_path_openai = request (f, "GET", "/v1/nothing", NULL);
  openai_error (no_path_openai, 404);
  wrong_method = request (f, "GET", "/api/show", NULL);
  ollama_error (wrong_method, 405);
  g_assert_cmpstr (soup_message_headers_get_one (wrong_method->headers, "Allow"), ==, "POST");
}

static void
wait_finished (HearthReply *reply)
{
  while (!hearth_reply_is_finished (reply))
    g_main_context_iteration (NULL, TRUE);
}

static void
test_ps (Fixture       *f,
         gconstpointer  data)
{
  g_autoptr(Answer) ps = NULL;
  g_autoptr(HearthReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  HearthChatRequest *chat = hearth_chat_request_new ();
  JsonArray *models;
  gboolean plain = FALSE, on_big_box = FALSE;

  if (f->engine == NULL)
    {
      hearth_chat_request_free (chat);
      return;
    }
  start_loopback (f);

  /* A chat loads the model on the engine both servers name. */
  chat->model = g_strdup (FIXED);
  chat->bypass_cache = TRUE;
  hearth_chat_request_add_message (chat, "user", "Why is the sky blue?");
  reply = hearth_engine_chat (f->engine, NULL, chat, -1, &error);
  g_assert_no_error (error);
  wait_finished (reply);
  g_assert_null (hearth_reply_get_error (reply));

  ps = request (f, "GET", "/api/ps", NULL);
  g_assert_cmpuint (ps->status, ==, 200);
  models = json_object_get_array_member (answer_object (ps), "models");
  for (guint i = 0; i < json_array_get_length (models); i++)
    {
      JsonObject *model = json_array_get_object_element (models, i);
      const char *name = json_object_get_string_member (model, "name");

      plain |= g_strcmp0 (name, FIXED) == 0;
      on_big_box |= g_strcmp0 (name, FIXED "@big-box") == 0;
      if (g_strcmp0 (name, FIXED) == 0)
        g_assert_cmpint (json_object_get_int_member (model, "size"), >, 0);
    }
  g_assert_true (plain);
  g_assert_true (on_big_box);
}

static void
test_pull_and_delete (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(Answer) pull = NULL;
  g_autoptr(Answer) tags = NULL;
  g_autoptr(Answer) delete = NULL;
  g_autoptr(Answer) again = NULL;
  g_autoptr(Answer) after = NULL;
  g_autoptr(Answer) missing = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) names_after = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) statuses = g_ptr_array_new_with_free_func (g_free);
  gint64 completed = 0, total = 0;

  if (f->engine == NULL)
    return;
  start_loopback (f);

  /* Streamed progress in Ollama's NDJSON, to "success". */
  pull = request (f, "POST", "/api/pull", "{\"model\": \"tiny-pulled\"}");
  g_assert_cmpuint (pull->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (pull->headers, NULL), ==,
                   "application/x-ndjson");
  g_assert_cmpstr (soup_message_headers_get_one (pull->headers, "X-Hearth-Server"), ==, "laptop");
  lines = g_strsplit (pull->body, "\n", -1);
  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      g_autoptr(JsonNode) node = json_from_string (lines[i], NULL);
      JsonObject *line;

      g_assert_nonnull (node);
      line = json_node_get_object (node);
      g_assert_false (json_object_has_member (line, "error"));
      g_ptr_array_add (statuses, g_strdup (json_object_get_string_member (line, "status")));
      if (json_object_has_member (line, "completed"))
        {
          /* Progress only moves forward. */
          g_assert_cmpint (json_object_get_int_member (line, "completed"), >=, completed);
          completed = json_object_get_int_member (line, "completed");
          total = json_object_get_int_member (line, "total");
        }
    }
  g_assert_cmpuint (statuses->len, >, 2);
  g_assert_cmpstr (statuses->pdata[0], ==, "pulling manifest");
  g_assert_cmpstr (statuses->pdata[statuses->len - 1], ==, "success");
  g_assert_cmpint (total, >, 0);
  g_assert_cmpint (completed, ==, total);

  tags = request (f, "GET", "/api/tags", NULL);
  names = listed_names (tags, FALSE);
  g_assert_cmpuint (count_name (names, "tiny-pulled:latest"), ==, 1);

  /* Pulled again without streaming: one answer. */
  again = request (f, "POST", "/api/pull", "{\"model\": \"tiny-pulled\", \"stream\": false}");
  g_assert_cmpuint (again->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (answer_object (again), "status"), ==, "success");

  /* A model no one can pull: the error on the stream's last line. */
  missing = request (f, "POST", "/api/pull", "{\"model\": \"no-such-model\"}");
  g_assert_cmpuint (missing->status, ==, 200);
  g_assert_nonnull (strstr (missing->body, "{\"error\":"));

  delete = request (f, "DELETE", "/api/delete", "{\"model\": \"tiny-pulled\"}");
  g_assert_cmpuint (delete->status, ==, 200);
  after = request (f, "GET", "/api/tags", NULL);
  names_after = listed_names (after, FALSE);
  g_assert_cmpuint (count_name (names_after, "tiny-pulled:latest"), ==, 0);
  g_assert_cmpuint (count_name (names_after, FIXED), ==, 1);
}


static void
set_true (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* Stopping with a request in flight: the client's connection ends, the
 * request upstream is cancelled, the log still has the request (status
 * 0: nobody was answered), and the gateway can start again. */
static void
test_stop_in_flight (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *uri = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Answer) tags = NULL;
  g_autoptr(GPtrArray) names = NULL;
  HearthGatewayStats stats;
  const char *pull = "{\"model\": \"tiny-pulled\"}";

  if (f->engine == NULL)
    return;
  start_loopback (f);

  uri = g_strconcat (hearth_gateway_get_url (f->gateway), "/api/pull", NULL);
  msg = soup_message_new ("POST", uri);
  body = g_bytes_new_static (pull, strlen (pull));
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, keep_result,
                                    &result);
  /* Until the download is under way. */
  do
    {
      g_main_context_iteration (NULL, TRUE);
      hearth_gateway_get_stats (f->gateway, &stats);
    }
  while (result == NULL && stats.active == 0);
  g_assert_null (result);
  /* A moment more, for the download to begin upstream (it takes a
   * second there); nothing is asserted of the time. */
  {
    gboolean waited = FALSE;

    g_timeout_add_once (300, set_true, &waited);
    while (!waited)
      g_main_context_iteration (NULL, TRUE);
  }
  hearth_gateway_stop (f->gateway);
  g_assert_false (hearth_gateway_get_running (f->gateway));
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  got = soup_session_send_and_read_finish (f->session, result, &error);
  /* Cut short: an error, or a body that never says "success". */
  if (got != NULL)
    g_assert_null (g_strstr_len (g_bytes_get_data (got, NULL), g_bytes_get_size (got),
                                 "success"));
  g_assert_cmpuint (f->log->len, ==, 1);
  g_assert_true (g_str_has_prefix (f->log->pdata[0], "POST /api/pull 0 "));

  /* The pull was cancelled upstream: the model never arrived. */
  start_loopback (f);
  tags = request (f, "GET", "/api/tags", NULL);
  names = listed_names (tags, FALSE);
  g_assert_cmpuint (count_name (names, "tiny-pulled:latest"), ==, 0);
}

/* The token --------------------------------------------------------------- */

static void
keep_token (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static char *
ensure_token (Fixture  *f,
              GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hearth_gateway_ensure_token_async (f->gateway, NULL, keep_token, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return hearth_gateway_ensure_token_finish (f->gateway, result, error);
}

static void
reset_token (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  hearth_gateway_reset_token_async (f->gateway, NULL, keep_token, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (hearth_gateway_reset_token_finish (f->gateway, result, &error));
  g_assert_no_error (error);
}

static void
test_token (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *same = NULL;
  g_autofree char *renewed = NULL;
  g_autofree char *bearer = NULL;
  g_autofree char *loopback_url = NULL;
  g_autoptr(Answer) without = NULL;
  g_autoptr(Answer) wrong = NULL;
  g_autoptr(Answer) with = NULL;
  g_autoptr(Answer) openai_without = NULL;

  if (f->engine == NULL)
    return;

  token = ensure_token (f, &error);
  if (g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_KEYRING_UNAVAILABLE))
    {
      g_autofree char *reason = g_strdup_printf ("No Secret Service to keep the token in (%s); "
                                                 "run the suite with build-aux/test, which "
                                                 "starts gnome-keyring", error->message);
      g_test_skip (reason);
      return;
    }
  g_assert_no_error (error);
  /* 32 random bytes, base64url: 43 characters a header carries as they are. */
  g_assert_cmpuint (strlen (token), ==, 43);
  g_assert_null (strpbrk (token, "+/= "));
  same = ensure_token (f, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (same, ==, token);

  /* Every network: refused without a token, saying why. */
  g_assert_false (hearth_gateway_start (f->gateway, "0.0.0.0:0", NULL, &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "token"));
  g_assert_false (hearth_gateway_get_running (f->gateway));
  g_assert_nonnull (hearth_gateway_get_error (f->gateway));
  g_clear_error (&error);

  g_assert_true (hearth_gateway_start (f->gateway, "0.0.0.0:0", token, &error));
  g_assert_no_error (error);
  g_assert_null (hearth_gateway_get_error (f->gateway));
  g_assert_false (hearth_gateway_get_loopback (f->gateway));
  loopback_url = g_strdup_printf ("http://127.0.0.1:%u", hearth_gateway_get_port (f->gateway));

  without = request_at (f, loopback_url, "GET", "/api/tags", NULL, NULL);
  g_assert_nonnull (strstr (ollama_error (without, 401), "Authorization: Bearer"));
  g_assert_nonnull (soup_message_headers_get_one (without->headers, "WWW-Authenticate"));
  openai_without = request_at (f, loopback_url, "GET", "/v1/models", NULL, NULL);
  openai_error (openai_without, 401);
  wrong = request_at (f, loopback_url, "GET", "/api/tags", NULL, "Bearer not-the-token");
  ollama_error (wrong, 401);
  /* The answer never carries the token. */
  g_assert_null (strstr (wrong->body, token));

  bearer = g_strdup_printf ("Bearer %s", token);
  with = request_at (f, loopback_url, "GET", "/api/tags", NULL, bearer);
  g_assert_cmpuint (with->status, ==, 200);
  g_assert_nonnull (json_object_get_array_member (answer_object (with), "models"));

  /* Reset: the next token is another one. */
  reset_token (f);
  renewed = ensure_token (f, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (renewed, !=, token);
  reset_token (f);
}

/* Listening --------------------------------------------------------------- */

static void
test_port_in_use (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GSocketListener) after = g_socket_listener_new ();
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *port_text = NULL;
  guint16 port;
  guint gateway_port;

  if (f->engine == NULL)
    return;

  /* Another program has the port. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);
  g_clear_object (&listener);
  listener = g_socket_listener_new ();
  address = g_inet_socket_address_new_from_string ("127.0.0.1", port);
  g_assert_true (g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, NULL, &error));
  g_assert_no_error (error);

  listen = g_strdup_printf ("127.0.0.1:%u", port);
  port_text = g_strdup_printf ("%u", port);
  g_assert_false (hearth_gateway_start (f->gateway, listen, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, port_text));
  g_assert_nonnull (strstr (error->message, "Another program"));
  g_assert_false (hearth_gateway_get_running (f->gateway));
  g_assert_nonnull (hearth_gateway_get_error (f->gateway));
  g_assert_cmpstr (hearth_gateway_get_error (f->gateway)->message, ==, error->message);
  g_assert_null (hearth_gateway_get_url (f->gateway));
  g_clear_error (&error);

  /* Once it is free, the gateway gets it; stopping gives it back. */
  g_socket_listener_close (listener);
  g_assert_true (hearth_gateway_start (f->gateway, listen, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (hearth_gateway_get_error (f->gateway));
  gateway_port = hearth_gateway_get_port (f->gateway);
  g_assert_cmpuint (gateway_port, ==, port);
  {
    g_autoptr(Answer) probe = request (f, "GET", "/", NULL);

    g_assert_cmpuint (probe->status, ==, 200);
  }
  hearth_gateway_stop (f->gateway);
  g_assert_false (hearth_gateway_get_running (f->gateway));
  g_assert_null (hearth_gateway_get_url (f->gateway));
  g_clear_object (&address);
  address = g_inet_socket_address_new_from_string ("127.0.0.1", gateway_port);
  g_assert_true (g_socket_listener_add_address (after, address, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, NULL, &error));
  g_assert_no_error (error);
  g_socket_listener_close (after);
}

static void
test_parse_listen (void)
{
  struct { const char *listen; const char *host; guint port; } good[] = {
    { "127.0.0.1:11435", "127.0.0.1", 11435 },
    { ":8080", "127.0.0.1", 8080 },
    { "9000", "127.0.0.1", 9000 },
    { "[::1]:0", "::1", 0 },
    { "0.0.0.0:11435", "0.0.0.0", 11435 },
    { "localhost:1", "localhost", 1 },
  };
  const char *bad[] = { "", "127.0.0.1:", "127.0.0.1:70000", "::1:80", "[::1]80",
                        "example.org:80", "127.0.0.1:port" };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *host = NULL;
      g_autoptr(GError) error = NULL;
      guint port = 1234;

      g_assert_true (hearth_gateway_parse_listen (good[i].listen, &host, &port, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (host, ==, good[i].host);
      g_assert_cmpuint (port, ==, good[i].port);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *host = NULL;
      g_autoptr(GError) error = NULL;
      guint port;

      g_assert_false (hearth_gateway_parse_listen (bad[i], &host, &port, &error));
      g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
      g_assert_null (host);
    }
  g_assert_true (hearth_gateway_host_is_loopback ("127.0.0.1"));
  g_assert_true (hearth_gateway_host_is_loopback ("127.5.0.1"));
  g_assert_true (hearth_gateway_host_is_loopback ("::1"));
  g_assert_true (hearth_gateway_host_is_loopback ("localhost"));
  g_assert_false (hearth_gateway_host_is_loopback ("0.0.0.0"));
  g_assert_false (hearth_gateway_host_is_loopback ("192.168.1.2"));
  g_assert_false (hearth_gateway_host_is_loopback (NULL));
}

/* The figures and the log line ------------------------------------------- */

static void
test_stats_and_log (Fixture       *f,
                    gconstpointer  data)
{
  HearthGatewayStats stats;
  guint changed_before;

  if (f->engine == NULL)
    return;
  start_loopback (f);
  changed_before = f->changed;

  {
    g_autoptr(Answer) ok = request (f, "POST", "/api/show", "{\"model\": \"" FIXED "@big-box\"}");
    g_autoptr(Answer) missing = request (f, "POST", "/api/show", "{\"model\": \"nope\"}");
    g_autoptr(Answer) tags = request (f, "GET", "/api/tags", NULL);

    g_assert_cmpuint (ok->status, ==, 200);
    g_assert_cmpuint (missing->status, ==, 404);
    g_assert_cmpuint (tags->status, ==, 200);
  }

  hearth_gateway_get_stats (f->gateway, &stats);
  g_assert_cmpuint (stats.requests, ==, 3);
  g_assert_cmpuint (stats.errors, ==, 1);
  g_assert_cmpuint (stats.chats, ==, 0);
  g_assert_cmpuint (stats.rejected, ==, 0);
  g_assert_cmpuint (stats.active, ==, 0);
  /* A request's start and end each tell the app's status row. */
  g_assert_cmpuint (f->changed - changed_before, >=, 6);

  g_assert_cmpuint (f->log->len, ==, 3);
  g_assert_cmpstr (f->log->pdata[0], ==,
                   "POST /api/show 200 test-gateway/1.0 " FIXED "@big-box big-box");
  g_assert_cmpstr (f->log->pdata[1], ==, "POST /api/show 404 test-gateway/1.0 nope -");
  g_assert_cmpstr (f->log->pdata[2], ==, "GET /api/tags 200 test-gateway/1.0 - -");

  /* A restart counts from nothing. */
  hearth_gateway_stop (f->gateway);
  start_loopback (f);
  hearth_gateway_get_stats (f->gateway, &stats);
  g_assert_cmpuint (stats.requests, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);
  g_test_add_func ("/gateway/parse-listen", test_parse_listen);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/gateway/probe-and-version", test_probe_and_version);
  ADD ("/gateway/tags-and-models", test_tags_and_models);
  ADD ("/gateway/show", test_show);
  ADD ("/gateway/errors", test_errors);
  ADD ("/gateway/ps", test_ps);
  ADD ("/gateway/pull-and-delete", test_pull_and_delete);
  ADD ("/gateway/stop-in-flight", test_stop_in_flight);
  ADD ("/gateway/token", test_token);
  ADD ("/gateway/port-in-use", test_port_in_use);
  ADD ("/gateway/stats-and-log", test_stats_and_log);
#undef ADD
  return g_test_run ();
}
