/* test-gateway-chat.c — the gateway's chat endpoints as a client program
 * sees them: Ollama's /api/chat and /api/generate and OpenAI's
 * /v1/chat/completions, streamed and whole, answered by whichever server
 * (an Ollama client reaching an Anthropic one), from the cache, after a
 * fallback; errors in the client's shape, before and after text; the
 * client going away cancels the request upstream; a full queue is 429
 * with Retry-After
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real gateway (hearth_engine_get_gateway () on a free loopback port)
 * in front of the real test engine (tests/engine/server.mjs: "big-box"
 * over Ollama's API, "claude" over its Anthropic stand-in) and fault
 * servers (tests/engine/fault-server.mjs), asked over HTTP with libsoup on
 * the same main loop.
 */
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "hearth-endpoint.h"
#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-gateway.h"
#include "hearth-servers.h"
#include "hearth-test-http.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

#define SENTENCE   "The sky is blue because air scatters blue light more than red light."
#define FIXED      "tiny-fixed:latest"
#define USER_AGENT "test-gateway-chat/1.0"

typedef struct
{
  GSettings     *settings;
  HearthEngine  *engine;
  HearthServers *servers;
  HearthGateway *gateway;
  SoupSession   *session;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *conf = g_build_filename (g_get_user_config_dir (), "hearth", "servers.conf",
                                            NULL);
  g_autoptr(GError) error = NULL;

  f->settings = hearth_settings_try_new ();
  g_assert_nonnull (f->settings);
  g_settings_reset (f->settings, "endpoint");
  g_settings_reset (f->settings, "api-kind");
  g_remove (conf);
  f->engine = hearth_engine_new_for_settings (f->settings,
                                              HEARTH_ENGINE_HISTORY | HEARTH_ENGINE_CACHE);
  f->servers = hearth_engine_get_servers (f->engine);
  f->gateway = hearth_engine_get_gateway (f->engine);
  g_assert_true (hearth_gateway_start (f->gateway, "127.0.0.1:0", NULL, &error));
  g_assert_no_error (error);
  f->session = soup_session_new_with_options ("user-agent", USER_AGENT, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->session);
  hearth_engine_shutdown (f->engine);
  g_clear_object (&f->engine);
  g_clear_object (&f->settings);
}

/* The user's servers, in this order (the first is the default): pairs of
 * name and URL, an API each ("anthropic:" before the URL for Anthropic's). */
static void
use_servers (Fixture    *f,
             const char *first_name,
             ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) old = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  va_list args;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (f->servers)); i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (G_LIST_MODEL (f->servers), i);

      g_ptr_array_add (old, g_strdup (hearth_server_get_name (server)));
    }
  va_start (args, first_name);
  for (const char *name = first_name; name != NULL; name = va_arg (args, const char *))
    {
      const char *url = va_arg (args, const char *);
      HearthApiKind api = HEARTH_API_OLLAMA;

      if (g_str_has_prefix (url, "anthropic:"))
        {
          api = HEARTH_API_ANTHROPIC;
          url += strlen ("anthropic:");
        }
      else if (g_str_has_prefix (url, "openai:"))
        {
          api = HEARTH_API_OPENAI;
          url += strlen ("openai:");
        }
      g_assert_nonnull (hearth_servers_add (f->servers, name, url, api, FALSE, NULL, &error));
      g_assert_no_error (error);
      g_ptr_array_add (names, (gpointer) name);
    }
  va_end (args);
  for (guint i = 0; i < old->len; i++)
    {
      hearth_servers_remove (f->servers, old->pdata[i], &error);
      g_assert_no_error (error);
    }
  g_ptr_array_add (names, NULL);
  hearth_servers_set_fallback (f->servers, (const char * const *) names->pdata, &error);
  g_assert_no_error (error);
}

/* big-box (the test engine over Ollama's API) and claude (its Anthropic stand-in). */
static void
use_test_engine (Fixture *f)
{
  g_autofree char *anthropic = g_strconcat ("anthropic:", hearth_test_engine_url (), NULL);

  use_servers (f, "big-box", hearth_test_engine_url (), "claude", anthropic, NULL);
}

/* ---- HTTP, as a client program (hearth-test-http.c) ---- */

/* POSTs @json to the gateway's @path and returns at once; the body is read
 * as it comes (call->body). */
static HearthTestCall *
start_post (Fixture     *f,
            SoupSession *session,
            const char  *path,
            const char  *json)
{
  g_autofree char *url = g_strconcat (hearth_gateway_get_url (f->gateway), path, NULL);

  return hearth_test_call_start (session, url, json);
}

static HearthTestCall *
post (Fixture    *f,
      const char *path,
      const char *json)
{
  HearthTestCall *call = start_post (f, f->session, path, json);

  hearth_test_wait_until (&call->done);
  g_assert_no_error (call->error);
  return call;
}

/* The engine's own count of chats it was asked (over either API). */
static gint64
engine_count (HearthTestServer *server,
              const char       *path)
{
  g_autofree char *text = hearth_test_server_request (server, "GET", "/_stats");
  g_autoptr(JsonNode) root = hearth_test_parse_json (text);
  JsonObject *paths = json_object_get_object_member (json_node_get_object (root), "paths");

  return paths != NULL && json_object_has_member (paths, path)
         ? json_object_get_int_member (paths, path) : 0;
}

/* What the test engine got in the last /api/chat's "options" to the fixed model. */
static JsonObject *
last_options (JsonNode **root)
{
  g_autofree char *text = hearth_test_server_request (hearth_test_engine_server (NULL), "GET",
                                                      "/_stats");
  JsonObject *options;

  *root = hearth_test_parse_json (text);
  options = json_object_get_object_member (json_node_get_object (*root), "last_options");
  g_assert_nonnull (options);
  return json_object_get_object_member (options, FIXED);
}

static void
assert_headers (HearthTestCall       *call,
                const char *server,
                const char *cache)
{
  g_assert_cmpstr (hearth_test_call_header (call, "X-Hearth-Server"), ==, server);
  g_assert_cmpstr (hearth_test_call_header (call, "X-Hearth-Cache"), ==, cache);
}

/* ---- Ollama's API ---- */

/* Streamed /api/chat: one line per piece as it comes, then the figures;
 * the client's options reach the server. */
static void
test_ollama_chat_stream (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(HearthTestCall) call = NULL;
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(JsonNode) stats = NULL;
  JsonObject *last, *options;

  if (!hearth_test_require_node ())
    return;
  use_test_engine (f);
  call = post (f, "/api/chat",
               "{\"model\": \"tiny-fixed\", \"messages\": [{\"role\": \"system\", \"content\": "
               "\"Be brief.\"}, {\"role\": \"user\", \"content\": \"Why is the sky blue?\"}], "
               "\"options\": {\"temperature\": 0.7, \"top_p\": 0.9, \"num_ctx\": 512}}");
  hearth_test_call_assert_status (call, 200);
  g_assert_true (g_str_has_prefix (hearth_test_call_header (call, "Content-Type"), "application/x-ndjson"));
  assert_headers (call, "big-box", "miss");
  g_assert_null (hearth_test_call_header (call, "X-Hearth-Fallback-From"));

  lines = hearth_test_call_ndjson (call, keep);
  /* The pieces on lines of their own as they came (pieces that came in
   * one read share a line), and the last line. */
  g_assert_cmpuint (lines->len, >=, 2);
  for (guint i = 0; i < lines->len; i++)
    {
      JsonObject *line = lines->pdata[i];
      JsonObject *message = json_object_get_object_member (line, "message");

      g_assert_cmpstr (json_object_get_string_member (line, "model"), ==, FIXED);
      g_assert_cmpstr (json_object_get_string_member (message, "role"), ==, "assistant");
      g_assert_cmpint (json_object_get_boolean_member (line, "done"), ==, i == lines->len - 1);
      g_string_append (text, json_object_get_string_member (message, "content"));
    }
  g_assert_cmpstr (text->str, ==, SENTENCE);
  last = lines->pdata[lines->len - 1];
  g_assert_cmpstr (json_object_get_string_member (last, "done_reason"), ==, "stop");
  g_assert_cmpint (json_object_get_int_member (last, "eval_count"), ==, 16);
  g_assert_cmpint (json_object_get_int_member (last, "prompt_eval_count"), >, 0);
  g_assert_cmpint (json_object_get_int_member (last, "total_duration"), >, 0);

  options = last_options (&stats);
  g_assert_cmpfloat (json_object_get_double_member (options, "temperature"), ==, 0.7);
  g_assert_cmpfloat (json_object_get_double_member (options, "top_p"), ==, 0.9);
  g_assert_cmpint (json_object_get_int_member (options, "num_ctx"), ==, 512);
}

/* The metrics rows of this test's client (its User-Agent) to big-box's fixed model. */
static guint
client_rows (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  guint n = 0;

  rows = hearth_store_list_request_rows (hearth_engine_get_store (f->engine), 0, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    {
      HearthMessage *row = rows->pdata[i];

      if (g_strcmp0 (row->client, USER_AGENT) == 0 && g_strcmp0 (row->model, FIXED) == 0 &&
          g_strcmp0 (row->server, "big-box") == 0)
        n++;
    }
  return n;
}

/* "stream": false: one object, the whole answer and its figures; the
 * metrics count it under the client's name. */
static void
test_ollama_chat_whole (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(HearthTestCall) call = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object, *message;
  guint rows_before;

  if (!hearth_test_require_node ())
    return;
  use_test_engine (f);
  rows_before = client_rows (f);
  call = post (f, "/api/chat",
               "{\"model\": \"tiny-fixed:latest\", \"stream\": false, \"messages\": "
               "[{\"role\": \"user\", \"content\": \"Tell me about the sky.\"}]}");
  hearth_test_call_assert_status (call, 200);
  g_assert_true (g_str_has_prefix (hearth_test_call_header (call, "Content-Type"), "application/json"));
  assert_headers (call, "big-box", "miss");
  root = hearth_test_parse_json (call->body->str);
  object = json_node_get_object (root);
  message = json_object_get_object_member (object, "message");
  g_assert_cmpstr (json_object_get_string_member (message, "content"), ==, SENTENCE);
  g_assert_true (json_object_get_boolean_member (object, "done"));
  g_assert_cmpstr (json_object_get_string_member (object, "done_reason"), ==, "stop");
  g_assert_cmpint (json_object_get_int_member (object, "eval_count"), ==, 16);
  while (client_rows (f) == rows_before)
    hearth_test_spin ();
  g_assert_cmpuint (client_rows (f), ==, rows_before + 1);
}

/* /api/generate: "response" pieces, a whole one, and loading a model. */
static void
test_ollama_generate (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(HearthTestCall) streamed = NULL;
  g_autoptr(HearthTestCall) whole = NULL;
  g_autoptr(HearthTestCall) load = NULL;
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  JsonObject *object;

  if (!hearth_test_require_node ())
    return;
  use_test_engine (f);
  streamed = post (f, "/api/generate",
                   "{\"model\": \"tiny-fixed\", \"prompt\": \"Why is the sea blue?\", "
                   "\"system\": \"Answer in one sentence.\"}");
  hearth_test_call_assert_status (streamed, 200);
  assert_headers (streamed, "big-box", "miss");
  lines = hearth_test_call_ndjson (streamed, keep);
  g_assert_cmpuint (lines->len, >=, 2);
  for (guint i = 0; i < lines->len; i++)
    {
      g_assert_false (json_object_has_member (lines->pdata[i], "message"));
      g_string_append (text, json_object_get_string_member (lines->pdata[i], "response"));
    }
  g_assert_cmpstr (text->str, ==, SENTENCE);
  object = lines->pdata[lines->len - 1];
  g_assert_true (json_object_get_boolean_member (object, "done"));
  g_assert_cmpint (json_object_get_int_member (object, "eval_count"), ==, 16);

  whole = post (f, "/api/generate",
                "{\"model\": \"tiny-fixed\", \"prompt\": \"Why is grass green?\", "
                "\"stream\": false, \"options\": {\"num_predict\": 4}}");
  hearth_test_call_assert_status (whole, 200);
  object = hearth_test_parse_object (whole->body->str, keep);
  g_assert_true (g_str_has_prefix (SENTENCE, json_object_get_string_member (object, "response")));
  g_assert_cmpstr (json_object_get_string_member (object, "response"), !=, SENTENCE);
  g_assert_cmpstr (json_object_get_string_member (object, "done_reason"), ==, "length");
  g_assert_cmpint (json_object_get_int_member (object, "eval_count"), ==, 4);

  /* No prompt: Ollama's way to load a model. */
  load = post (f, "/api/generate", "{\"model\": \"tiny-fixed\", \"stream\": false}");
  hearth_test_call_assert_status (load, 200);
  object = hearth_test_parse_object (load->body->str, keep);
  g_assert_cmpstr (json_object_get_string_member (object, "response"), ==, "");
  g_assert_cmpstr (json_object_get_string_member (object, "done_reason"), ==, "load");
}

/* ---- OpenAI's API ---- */

/* Streamed with include_usage: role first, the pieces, the finish reason,
 * a usage chunk, [DONE]; the client's options reach the server. */
static void
test_openai_stream (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(HearthTestCall) call = NULL;
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(JsonNode) stats = NULL;
  JsonObject *first, *usage, *last_choice, *options;
  gboolean saw_done;
  const char *id;

  if (!hearth_test_require_node ())
    return;
  use_test_engine (f);
  call = post (f, "/v1/chat/completions",
               "{\"model\": \"tiny-fixed\", \"stream\": true, "
               "\"stream_options\": {\"include_usage\": true}, \"temperature\": 0.6, "
               "\"seed\": 1234, \"messages\": [{\"role\": \"user\", \"content\": "
               "[{\"type\": \"text\", \"text\": \"Why is the sky blue, in parts?\"}]}]}");
  hearth_test_call_assert_status (call, 200);
  g_assert_true (g_str_has_prefix (hearth_test_call_header (call, "Content-Type"), "text/event-stream"));
  assert_headers (call, "big-box", "miss");

  events = hearth_test_call_sse (call, keep, &saw_done);
  g_assert_true (saw_done);
  g_assert_cmpuint (events->len, >=, 3);
  first = events->pdata[0];
  id = json_object_get_string_member (first, "id");
  g_assert_true (g_str_has_prefix (id, "chatcmpl-"));
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (
                       json_array_get_object_element (
                         json_object_get_array_member (first, "choices"), 0), "delta"), "role"),
                   ==, "assistant");
  for (guint i = 0; i < events->len - 1; i++)
    {
      JsonObject *event = events->pdata[i];
      JsonObject *choice = json_array_get_object_element (json_object_get_array_member (event, "choices"), 0);
      JsonObject *delta = json_object_get_object_member (choice, "delta");

      g_assert_cmpstr (json_object_get_string_member (event, "object"), ==, "chat.completion.chunk");
      g_assert_cmpstr (json_object_get_string_member (event, "id"), ==, id);
      g_assert_cmpstr (json_object_get_string_member (event, "model"), ==, FIXED);
      if (json_object_has_member (delta, "content"))
        g_string_append (text, json_object_get_string_member (delta, "content"));
      /* Only the last chunk with a choice finishes it. */
      g_assert_cmpint (json_object_get_null_member (choice, "finish_reason"), ==, i < events->len - 2);
    }
  g_assert_cmpstr (text->str, ==, SENTENCE);
  last_choice = json_array_get_object_element (
    json_object_get_array_member (events->pdata[events->len - 2], "choices"), 0);
  g_assert_cmpstr (json_object_get_string_member (last_choice, "finish_reason"), ==, "stop");

  /* The usage chunk: no choices, the server's counts. */
  g_assert_cmpuint (json_array_get_length (
                      json_object_get_array_member (events->pdata[events->len - 1], "choices")),
                    ==, 0);
  usage = json_object_get_object_member (events->pdata[events->len - 1], "usage");
  g_assert_nonnull (usage);
  g_assert_cmpint (json_object_get_int_member (usage, "completion_tokens"), ==, 16);
  g_assert_cmpint (json_object_get_int_member (usage, "prompt_tokens"), >, 0);
  g_assert_cmpint (json_object_get_int_member (usage, "total_tokens"), ==,
                   json_object_get_int_member (usage, "prompt_tokens") + 16);

  options = last_options (&stats);
  g_assert_cmpfloat (json_object_get_double_member (options, "temperature"), ==, 0.6);
  g_assert_cmpint (json_object_get_int_member (options, "seed"), ==, 1234);
}

/* Not streamed, cut by max_tokens: one chat.completion, "length". */
static void
test_openai_whole (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(HearthTestCall) call = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object, *choice, *usage;
  const char *content;

  if (!hearth_test_require_node ())
    return;
  use_test_engine (f);
  call = post (f, "/v1/chat/completions",
               "{\"model\": \"tiny-fixed\", \"max_tokens\": 5, \"messages\": "
               "[{\"role\": \"user\", \"content\": \"Is the sky blue?\"}]}");
  hearth_test_call_assert_status (call, 200);
  g_assert_true (g_str_has_prefix (hearth_test_call_header (call, "Content-Type"), "application/json"));
  assert_headers (call, "big-box", "miss");
  root = hearth_test_parse_json (call->body->str);
  object = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (object, "object"), ==, "chat.completion");
  g_assert_cmpstr (json_object_get_string_member (object, "model"), ==, FIXED);
  choice = json_array_get_object_element (json_object_get_array_member (object, "choices"), 0);
  content = json_object_get_string_member (json_object_get_object_member (choice, "message"),
                                           "content");
  g_assert_true (g_str_has_prefix (SENTENCE, content));
  g_assert_cmpuint (strlen (content), <, strlen (SENTENCE));
  g_assert_cmpstr (json_object_get_string_member (choice, "finish_reason"), ==, "length");
  usage = json_object_get_object_member (object, "usage");
  g_assert_cmpint (json_object_get_int_member (usage, "completion_tokens"), ==, 5);
}

/* ---- Through the engine: translation, cache, fallback ---- */

/* An Ollama client's streamed answer from @server: NDJSON lines whose
 * text is the fixed model's sentence, the last one done with "stop".
 * Returns: (transfer none): the last line (kept alive by @keep) */
static JsonObject *
assert_ollama_answer (HearthTestCall *call,
                      GPtrArray      *keep,
                      const char     *server)
{
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  JsonObject *last;

  hearth_test_call_assert_status (call, 200);
  g_assert_true (g_str_has_prefix (hearth_test_call_header (call, "Content-Type"), "application/x-ndjson"));
  assert_headers (call, server, "miss");
  lines = hearth_test_call_ndjson (call, keep);
  g_assert_cmpuint (lines->len, >=, 2);
  for (guint i = 0; i < lines->len; i++)
    g_string_append (text, json_object_get_string_member (
                             json_object_get_object_member (lines->pdata[i], "message"), "content"));
  g_assert_cmpstr (text->str, ==, SENTENCE);
  last = lines->pdata[lines->len - 1];
  g_assert_true (json_object_get_boolean_member (last, "done"));
  g_assert_cmpstr (json_object_get_string_member (last, "done_reason"), ==, "stop");
  return last;
}

/* An Ollama client, an Anthropic server: the stream is Ollama's, the
 * request went out as Anthropic's (system on top), end_turn is "stop". */
static void
test_ollama_to_anthropic (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(HearthTestCall) call = NULL;
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autofree char *stats_text = NULL;
  JsonObject *last, *anthropic, *body;

  if (!hearth_test_require_node ())
    return;
  use_test_engine (f);
  call = post (f, "/api/chat",
               "{\"model\": \"tiny-fixed@claude\", \"messages\": [{\"role\": \"system\", "
               "\"content\": \"You are terse.\"}, {\"role\": \"user\", \"content\": "
               "\"Why is the sky blue, Claude?\"}]}");
  last = assert_ollama_answer (call, keep, "claude");
  g_assert_cmpint (json_object_get_int_member (last, "eval_count"), ==, 16);

  stats_text = hearth_test_server_request (hearth_test_engine_server (NULL), "GET", "/_stats");
  anthropic = json_object_get_object_member (hearth_test_parse_object (stats_text, keep), "last_anthropic");
  g_assert_nonnull (anthropic);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (anthropic, "url"), "/v1/messages"));
  body = json_object_get_object_member (anthropic, "body");
  g_assert_cmpstr (json_object_get_string_member (body, "system"), ==, "You are terse.");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (body, "messages")), ==, 1);
}

/* How many requests the test engine has had on @path. */
static gint64
engine_path_count (GPtrArray  *keep,
                   const char *path)
{
  g_autofree char *stats_text = hearth_test_server_request (hearth_test_engine_server (NULL),
                                                            "GET", "/_stats");
  JsonObject *paths = json_object_get_object_member (hearth_test_parse_object (stats_text, keep),
                                                     "paths");

  return json_object_has_member (paths, path) ? json_object_get_int_member (paths, path) : 0;
}

/* An Ollama client, an OpenAI-compatible server: the request goes out as
 * OpenAI's /v1/chat/completions, the answer comes back as Ollama's NDJSON. */
static void
test_ollama_to_openai (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(HearthTestCall) call = NULL;
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autofree char *openai = NULL;
  gint64 before_openai, before_ollama;

  if (!hearth_test_require_node ())
    return;
  openai = g_strconcat ("openai:", hearth_test_engine_url (), NULL);
  use_servers (f, "lab", openai, NULL);
  before_openai = engine_path_count (keep, "/v1/chat/completions");
  before_ollama = engine_path_count (keep, "/api/chat");
  call = post (f, "/api/chat",
               "{\"model\": \"tiny-fixed@lab\", \"messages\": [{\"role\": \"user\", "
               "\"content\": \"Why is the sky blue, lab?\"}]}");
  assert_ollama_answer (call, keep, "lab");
  g_assert_cmpint (engine_path_count (keep, "/v1/chat/completions"), ==, before_openai + 1);
  g_assert_cmpint (engine_path_count (keep, "/api/chat"), ==, before_ollama);
}

/* The same deterministic question twice: the second never reaches the
 * server, says "hit", and streams the same text. */
static void
test_cache_hit (Fixture       *f,
                gconstpointer  data)
{
  const char *question = "{\"model\": \"tiny-fixed\", \"options\": {\"temperature\": 0}, "
                         "\"messages\": [{\"role\": \"user\", \"content\": \"Cache this, please.\"}]}";
  g_autoptr(HearthTestCall) first = NULL;
  g_autoptr(HearthTestCall) second = NULL;
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(GPtrArray) first_lines = NULL;
  g_autoptr(GPtrArray) second_lines = NULL;
  g_autoptr(GString) first_text = g_string_new (NULL);
  g_autoptr(GString) second_text = g_string_new (NULL);
  gint64 asked;

  if (!hearth_test_require_node ())
    return;
  use_test_engine (f);
  first = post (f, "/api/chat", question);
  hearth_test_call_assert_status (first, 200);
  assert_headers (first, "big-box", "miss");
  asked = engine_count (hearth_test_engine_server (NULL), "/api/chat");

  second = post (f, "/api/chat", question);
  hearth_test_call_assert_status (second, 200);
  assert_headers (second, "big-box", "hit");
  g_assert_cmpint (engine_count (hearth_test_engine_server (NULL), "/api/chat"), ==, asked);

  first_lines = hearth_test_call_ndjson (first, keep);
  second_lines = hearth_test_call_ndjson (second, keep);
  for (guint i = 0; i < first_lines->len; i++)
    g_string_append (first_text, json_object_get_string_member (
                                   json_object_get_object_member (first_lines->pdata[i], "message"),
                                   "content"));
  for (guint i = 0; i < second_lines->len; i++)
    g_string_append (second_text, json_object_get_string_member (
                                    json_object_get_object_member (second_lines->pdata[i], "message"),
                                    "content"));
  g_assert_cmpstr (first_text->str, ==, SENTENCE);
  g_assert_cmpstr (second_text->str, ==, first_text->str);
  g_assert_true (json_object_get_boolean_member (second_lines->pdata[second_lines->len - 1], "done"));
}

/* laptop (asked by name) is down: big-box answers, and the headers say so. */
static void
test_fallback (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *laptop_url = NULL;
  g_autoptr(HearthTestCall) call = NULL;
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  gboolean saw_done;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  if (!hearth_test_require_node ())
    return;
  {
    g_autoptr(HearthTestServer) stopped = hearth_test_server_start ("fault-server.mjs", NULL);

    laptop_url = g_strdup (hearth_test_server_get_url (stopped));
  }
  use_servers (f, "laptop", laptop_url, "big-box", hearth_test_engine_url (), NULL);

  call = post (f, "/v1/chat/completions",
               "{\"model\": \"tiny-fixed@laptop\", \"stream\": true, \"messages\": "
               "[{\"role\": \"user\", \"content\": \"Is laptop there?\"}]}");
  hearth_test_call_assert_status (call, 200);
  assert_headers (call, "big-box", "miss");
  g_assert_cmpstr (hearth_test_call_header (call, "X-Hearth-Fallback-From"), ==, "laptop");
  events = hearth_test_call_sse (call, keep, &saw_done);
  g_assert_true (saw_done);
  /* The pieces (as many as came), then the finish reason. */
  g_assert_cmpuint (events->len, >=, 2);
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *delta = json_object_get_object_member (
        json_array_get_object_element (json_object_get_array_member (events->pdata[i], "choices"), 0),
        "delta");

      if (json_object_has_member (delta, "content"))
        g_string_append (text, json_object_get_string_member (delta, "content"));
    }
  g_assert_cmpstr (text->str, ==, SENTENCE);
}

/* ---- Errors ---- */

/* Before any text: a status and the client's error shape. */
static void
test_unknown_model (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(HearthTestCall) ollama = NULL;
  g_autoptr(HearthTestCall) openai = NULL;
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  JsonObject *object, *error;

  if (!hearth_test_require_node ())
    return;
  use_test_engine (f);
  ollama = post (f, "/api/chat", "{\"model\": \"no-such-model\", \"messages\": "
                                 "[{\"role\": \"user\", \"content\": \"hi\"}]}");
  hearth_test_call_assert_status (ollama, 404);
  object = hearth_test_parse_object (ollama->body->str, keep);
  g_assert_nonnull (strstr (json_object_get_string_member (object, "error"), "no-such-model"));

  openai = post (f, "/v1/chat/completions", "{\"model\": \"no-such-model\", \"stream\": true, "
                                            "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
  hearth_test_call_assert_status (openai, 404);
  error = json_object_get_object_member (hearth_test_parse_object (openai->body->str, keep), "error");
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), "no-such-model"));
  g_assert_nonnull (json_object_get_string_member (error, "type"));
}

/* After text: the text, then the protocol's error, and the stream ends. */
static void
test_error_mid_stream (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(HearthTestServer) fault = NULL;
  g_autoptr(HearthTestCall) ollama = NULL;
  g_autoptr(HearthTestCall) openai = NULL;
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  gboolean saw_done;
  JsonObject *error;

  if (!hearth_test_require_node ())
    return;
  fault = hearth_test_server_start ("fault-server.mjs", NULL);
  use_servers (f, "faulty", hearth_test_server_get_url (fault), NULL);

  ollama = post (f, "/api/chat", "{\"model\": \"error-in-stream\", \"messages\": "
                                 "[{\"role\": \"user\", \"content\": \"hi\"}]}");
  hearth_test_call_assert_status (ollama, 200);
  lines = hearth_test_call_ndjson (ollama, keep);
  g_assert_cmpuint (lines->len, >=, 2);
  g_assert_nonnull (strstr (json_object_get_string_member (lines->pdata[lines->len - 1], "error"),
                            "model crashed"));
  for (guint i = 0; i < lines->len - 1; i++)
    {
      g_assert_false (json_object_get_boolean_member (lines->pdata[i], "done"));
      g_string_append (text, json_object_get_string_member (
                               json_object_get_object_member (lines->pdata[i], "message"), "content"));
    }
  g_assert_cmpstr (text->str, ==, "Before the crash");

  openai = post (f, "/v1/chat/completions", "{\"model\": \"error-in-stream\", \"stream\": true, "
                                            "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
  hearth_test_call_assert_status (openai, 200);
  events = hearth_test_call_sse (openai, keep, &saw_done);
  g_assert_false (saw_done);
  g_assert_cmpuint (events->len, >=, 2);
  error = json_object_get_object_member (events->pdata[events->len - 1], "error");
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), "model crashed"));
}

/* Whether a fault server saw the request for scenario @model closed by its client (Hearth). */
static gboolean
upstream_closed (HearthTestServer *fault,
                 const char       *model)
{
  g_autofree char *text = hearth_test_server_request (fault, "GET", "/_events");
  g_autoptr(JsonNode) root = hearth_test_parse_json (text);
  JsonArray *events = json_object_get_array_member (json_node_get_object (root), "events");

  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);

      if (g_strcmp0 (json_object_get_string_member (event, "event"), "client-closed") == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (event, "scenario", ""), model) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
wait_for_idle_gateway (Fixture *f)
{
  HearthGatewayStats stats;

  for (hearth_gateway_get_stats (f->gateway, &stats); stats.active > 0;
       hearth_gateway_get_stats (f->gateway, &stats))
    hearth_test_spin ();
}

/* Reads what came on @connection into @text until it holds @wanted. */
static void
raw_read_until (GSocketConnection *connection,
                GString           *text,
                const char        *wanted)
{
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (connection));

  while (strstr (text->str, wanted) == NULL)
    {
      g_autoptr(GError) error = NULL;
      char buffer[1024];
      gssize n;

      hearth_test_spin ();
      n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (input), buffer,
                                                    sizeof buffer, NULL, &error);
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        continue;
      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      g_string_append_len (text, buffer, n);
    }
}

/* The client hangs up after the first line: the request upstream ends. */
static void
test_disconnect (Fixture       *f,
                 gconstpointer  data)
{
  const char *body = "{\"model\": \"slow\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
  g_autoptr(HearthTestServer) fault = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *request = NULL;

  if (!hearth_test_require_node ())
    return;
  fault = hearth_test_server_start ("fault-server.mjs", NULL);
  use_servers (f, "faulty", hearth_test_server_get_url (fault), NULL);

  /* A client program of its own: it closes its socket, as one that quits does. */
  connection = g_socket_client_connect_to_host (client, "127.0.0.1",
                                                hearth_gateway_get_port (f->gateway), NULL, &error);
  g_assert_no_error (error);
  request = g_strdup_printf ("POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "User-Agent: " USER_AGENT "\r\nContent-Type: application/json\r\n"
                             "Content-Length: %zu\r\n\r\n%s", strlen (body), body);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), request,
                             strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);

  /* 200 pieces, one every 50 ms: ten seconds, were it not for the hang-up. */
  raw_read_until (connection, text, "\"done\":false");
  g_assert_true (g_str_has_prefix (text->str, "HTTP/1.1 200"));
  g_assert_false (upstream_closed (fault, "slow"));
  g_io_stream_close (G_IO_STREAM (connection), NULL, &error);
  g_assert_no_error (error);

  while (!upstream_closed (fault, "slow"))
    hearth_test_spin ();
  wait_for_idle_gateway (f);
}

/* A queue over its bound: 429 with Retry-After, in each client's shape,
 * at once (the requests ahead never end by themselves). */
static void
test_queue_full (Fixture       *f,
                 gconstpointer  data)
{
  const char *stall = "{\"model\": \"stall\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
  g_autoptr(HearthTestServer) fault = NULL;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("user-agent", USER_AGENT, NULL);
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(HearthTestCall) running = NULL;
  g_autoptr(HearthTestCall) waiting = NULL;
  g_autoptr(HearthTestCall) ollama = NULL;
  g_autoptr(HearthTestCall) openai = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  guint64 seconds;

  if (!hearth_test_require_node ())
    return;
  fault = hearth_test_server_start ("fault-server.mjs", NULL);
  use_servers (f, "faulty", hearth_test_server_get_url (fault), NULL);
  g_assert_true (hearth_servers_set_queue_limits (f->servers, "faulty", 1, 1, &error));
  g_assert_no_error (error);

  /* One sent (it stalls), then one waiting: the bound. */
  running = start_post (f, session, "/api/chat", stall);
  while (engine_count (fault, "/api/chat") < 1)
    hearth_test_spin ();
  waiting = start_post (f, session, "/api/chat", stall);
  for (;;)
    {
      g_autoptr(GPtrArray) queues = hearth_engine_list_queues (f->engine);
      guint waiting_api = 0;

      for (guint i = 0; i < queues->len; i++)
        {
          HearthQueueStatus *status = queues->pdata[i];

          if (g_strcmp0 (status->server, "faulty") == 0)
            waiting_api = status->waiting_api;
        }
      if (waiting_api == 1)
        break;
      hearth_test_spin ();
    }

  ollama = post (f, "/api/chat", stall);
  hearth_test_call_assert_status (ollama, 429);
  g_assert_cmpstr (hearth_test_call_header (ollama, "X-Hearth-Server"), ==, "faulty");
  g_assert_true (g_ascii_string_to_unsigned (hearth_test_call_header (ollama, "Retry-After"), 10, 1, 3600,
                                             &seconds, NULL));
  object = hearth_test_parse_object (ollama->body->str, keep);
  g_assert_true (JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "error")));

  openai = post (f, "/v1/chat/completions", "{\"model\": \"stall\", \"stream\": true, \"messages\": "
                                            "[{\"role\": \"user\", \"content\": \"hi\"}]}");
  hearth_test_call_assert_status (openai, 429);
  g_assert_true (g_ascii_string_to_unsigned (hearth_test_call_header (openai, "Retry-After"), 10, 1, 3600,
                                             &seconds, NULL));
  object = json_object_get_object_member (hearth_test_parse_object (openai->body->str, keep), "error");
  g_assert_nonnull (object);
  g_assert_nonnull (json_object_get_string_member (object, "message"));
  /* Neither went upstream. */
  g_assert_cmpint (engine_count (fault, "/api/chat"), ==, 1);

  /* The two ahead are let go: nothing stays in flight. */
  g_cancellable_cancel (running->cancellable);
  g_cancellable_cancel (waiting->cancellable);
  soup_session_abort (session);
  wait_for_idle_gateway (f);
  hearth_test_wait_until (&running->done);
  hearth_test_wait_until (&waiting->done);
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);
  /* The Anthropic stand-in takes any key; one from the environment keeps
   * the provider from asking the keyring. */
  g_setenv ("ANTHROPIC_API_KEY", "sk-ant-gateway-test", TRUE);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/gateway-chat/ollama/chat-stream", test_ollama_chat_stream);
  ADD ("/gateway-chat/ollama/chat-whole", test_ollama_chat_whole);
  ADD ("/gateway-chat/ollama/generate", test_ollama_generate);
  ADD ("/gateway-chat/openai/stream-usage", test_openai_stream);
  ADD ("/gateway-chat/openai/whole", test_openai_whole);
  ADD ("/gateway-chat/ollama-to-anthropic", test_ollama_to_anthropic);
  ADD ("/gateway-chat/ollama-to-openai", test_ollama_to_openai);
  ADD ("/gateway-chat/cache-hit", test_cache_hit);
  ADD ("/gateway-chat/fallback", test_fallback);
  ADD ("/gateway-chat/unknown-model", test_unknown_model);
  ADD ("/gateway-chat/error-mid-stream", test_error_mid_stream);
  ADD ("/gateway-chat/disconnect", test_disconnect);
  ADD ("/gateway-chat/queue-full", test_queue_full);
#undef ADD
  return g_test_run ();
}
