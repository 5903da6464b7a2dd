/* test-anthropic.c — Anthropic's Messages API: the provider against the test
 * engine's stand-in (tests/engine/server.mjs, /v1/messages on the real tiny
 * model, started with --anthropic-key) and the fault server's Anthropic
 * scenarios; keys from the environment and from the real keyring of the test
 * session.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <json-glib/json-glib.h>

#include "hearth-anthropic-provider.h"
#include "hearth-endpoint.h"
#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-secrets.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

#define SENTENCE "The sky is blue because air scatters blue light more than red light."
/* The fixed model's answer, in tokens (tests/engine/README.md). */
#define SENTENCE_TOKENS 16
#define KEY "sk-ant-test-Zq8vW2"

/* The stand-in, requiring KEY as x-api-key; 20 ms per token, so that a
 * reply arrives in pieces even when this busy machine batches reads.
 * Returns: (transfer none) */
static HearthTestServer *
stand_in (void)
{
  const char *args[] = { "--anthropic-key", KEY, "--token-delay-ms", "20", NULL };

  return hearth_test_engine_server (args);
}

static void
clear_key_environment (void)
{
  g_unsetenv ("HEARTH_API_KEY");
  g_unsetenv ("ANTHROPIC_API_KEY");
  g_unsetenv ("OPENAI_API_KEY");
}

static JsonObject *
get_json (HearthTestServer *server,
          const char       *method,
          const char       *path,
          JsonNode        **root)
{
  g_autofree char *text = hearth_test_server_request (server, method, path);

  *root = hearth_test_parse_json (text);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (*root));
  return json_node_get_object (*root);
}

/* What the stand-in recorded of the last Anthropic request: its headers
 * (the key's value left out), URL and body. */
static JsonObject *
last_request (HearthTestServer *server,
              JsonNode        **root)
{
  JsonObject *stats = get_json (server, "GET", "/_stats", root);

  g_assert_true (json_object_has_member (stats, "last_anthropic"));
  return json_object_get_object_member (stats, "last_anthropic");
}

/* Replies */

typedef struct
{
  GMainLoop *loop;
  GString   *text;
  guint      n_deltas;
} Watch;

static void
on_delta (HearthReply *reply,
          const char  *content,
          const char  *thinking,
          Watch       *watch)
{
  if (content != NULL)
    {
      watch->n_deltas++;
      g_string_append (watch->text, content);
    }
}

static void
on_finished (HearthReply *reply,
             Watch       *watch)
{
  g_main_loop_quit (watch->loop);
}

static HearthChatRequest *
request_for (const char *model,
             const char *prompt)
{
  HearthChatRequest *request = hearth_chat_request_new ();

  request->model = g_strdup (model);
  request->bypass_cache = TRUE;
  hearth_chat_request_add_message (request, "user", prompt);
  return request;
}

/* Sends @request (taken) to the Anthropic server at @url through a fresh
 * engine, so that the key is looked up anew, and waits for the end. */
static HearthReply *
ask (const char        *url,
     HearthChatRequest *request,
     guint             *n_deltas)
{
  g_autoptr(HearthEngine) engine = hearth_engine_new (NULL);
  g_autoptr(GError) error = NULL;
  HearthProvider *provider = hearth_engine_get_provider (engine, HEARTH_API_ANTHROPIC, url);
  HearthReply *reply;
  Watch watch = { g_main_loop_new (NULL, FALSE), g_string_new (NULL), 0 };

  g_assert_cmpint (hearth_provider_get_api (provider), ==, HEARTH_API_ANTHROPIC);
  reply = hearth_engine_chat (engine, provider, request, -1, &error);
  g_assert_no_error (error);
  g_signal_connect (reply, "delta", G_CALLBACK (on_delta), &watch);
  g_signal_connect (reply, "finished", G_CALLBACK (on_finished), &watch);
  if (!hearth_reply_is_finished (reply))
    g_main_loop_run (watch.loop);
  /* What the signals carried is the reply. */
  g_assert_cmpstr (watch.text->str, ==, hearth_reply_get_content (reply));
  if (n_deltas != NULL)
    *n_deltas = watch.n_deltas;
  g_main_loop_unref (watch.loop);
  g_string_free (watch.text, TRUE);
  return reply;
}

static void
assert_failed (HearthReply     *reply,
               HearthErrorCode  code,
               const char      *says)
{
  const GError *error = hearth_reply_get_error (reply);
  g_autofree char *line = NULL;

  g_assert_cmpint (hearth_reply_get_state (reply), ==, HEARTH_REPLY_FAILED);
  g_assert_error (error, HEARTH_ERROR, code);
  if (says != NULL && strstr (error->message, says) == NULL)
    g_error ("“%s” does not say “%s”", error->message, says);
  /* What happened, then what to do, on one line. */
  line = hearth_error_describe (error);
  g_assert_cmpuint (strlen (line), >, strlen (error->message) + 10);
}

/* Streaming against the real model */

static void
test_stream (void)
{
  HearthTestServer *server;
  HearthChatRequest *request;
  g_autoptr(HearthReply) reply = NULL;
  g_autoptr(HearthReply) bare = NULL;
  g_autoptr(JsonNode) root = NULL;
  const HearthFigures *figures;
  const HearthServerFigures *server_figures;
  JsonObject *last;
  JsonObject *body;
  JsonObject *headers;
  JsonArray *messages;
  gint64 prompt_tokens;
  guint n_deltas = 0;

  if (!hearth_test_require_node ())
    return;
  server = stand_in ();
  clear_key_environment ();
  g_setenv ("ANTHROPIC_API_KEY", KEY, TRUE);

  /* A system prompt, a system message among the others, and two user
   * messages in a row: the API wants one top-level system and turns that
   * alternate (the stand-in refuses anything else, as the API does). */
  request = hearth_chat_request_new ();
  request->model = g_strdup ("tiny-fixed");
  request->system = g_strdup ("Answer briefly.");
  request->num_predict = 100;
  request->bypass_cache = TRUE;
  hearth_chat_request_add_message (request, "system", "Be kind.");
  hearth_chat_request_add_message (request, "user", "Why is the sky blue?");
  hearth_chat_request_add_message (request, "user", "In one sentence.");
  reply = ask (hearth_test_server_get_url (server), request, &n_deltas);

  g_assert_no_error (hearth_reply_get_error (reply));
  g_assert_cmpint (hearth_reply_get_state (reply), ==, HEARTH_REPLY_DONE);
  g_assert_cmpstr (hearth_reply_get_content (reply), ==, SENTENCE);
  /* It came in pieces, not at the end. */
  g_assert_cmpuint (n_deltas, >, 1);
  g_assert_cmpstr (hearth_reply_get_done_reason (reply), ==, "stop");
  g_assert_cmpint (hearth_reply_get_api (reply), ==, HEARTH_API_ANTHROPIC);

  /* The counts are the usage events': output_tokens of message_delta,
   * input_tokens of message_start. Anthropic gives no durations: the times
   * are measured here, and the speed is not the server's. */
  server_figures = hearth_reply_get_server_figures (reply);
  g_assert_cmpint (server_figures->completion_tokens, ==, SENTENCE_TOKENS);
  g_assert_cmpint (server_figures->prompt_tokens, >, 0);
  g_assert_cmpstr (server_figures->model, ==, "tiny-fixed:latest");
  g_assert_cmpint (server_figures->eval_duration_ns, <, 0);
  figures = hearth_reply_get_figures (reply);
  g_assert_cmpint (figures->tokens_out, ==, SENTENCE_TOKENS);
  g_assert_cmpint (figures->tokens_in, ==, server_figures->prompt_tokens);
  g_assert_false (figures->from_server);
  g_assert_cmpfloat (figures->ttft_ms, >, 0);
  g_assert_cmpfloat (figures->total_ms, >=, figures->ttft_ms);
  prompt_tokens = server_figures->prompt_tokens;

  last = last_request (server, &root);
  g_assert_cmpstr (json_object_get_string_member (last, "api_key"), ==, "matched");
  g_assert_false (json_object_get_boolean_member (last, "authorization"));
  g_assert_cmpstr (json_object_get_string_member (last, "url"), ==, "/v1/messages");
  headers = json_object_get_object_member (last, "headers");
  g_assert_cmpstr (json_object_get_string_member (headers, "anthropic-version"), ==, "2023-06-01");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (headers, "content-type"),
                                   "application/json"));
  body = json_object_get_object_member (last, "body");
  g_assert_cmpstr (json_object_get_string_member (body, "system"), ==,
                   "Answer briefly.\n\nBe kind.");
  g_assert_cmpint (json_object_get_int_member (body, "max_tokens"), ==, 100);
  g_assert_true (json_object_get_boolean_member (body, "stream"));
  g_assert_false (json_object_has_member (body, "seed"));
  messages = json_object_get_array_member (body, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 0),
                                                  "role"), ==, "user");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 0),
                                                  "content"), ==,
                   "Why is the sky blue?\n\nIn one sentence.");
  g_clear_pointer (&root, json_node_unref);

  /* The system prompt was read by the model: without it the prompt is shorter. */
  bare = ask (hearth_test_server_get_url (server),
              request_for ("tiny-fixed", "Why is the sky blue?\n\nIn one sentence."), NULL);
  g_assert_cmpint (hearth_reply_get_state (bare), ==, HEARTH_REPLY_DONE);
  g_assert_cmpint (hearth_reply_get_server_figures (bare)->prompt_tokens, <, prompt_tokens);
  last = last_request (server, &root);
  body = json_object_get_object_member (last, "body");
  g_assert_false (json_object_has_member (body, "system"));
  /* No limit asked for: the API still needs one. */
  g_assert_cmpint (json_object_get_int_member (body, "max_tokens"), ==,
                   HEARTH_ANTHROPIC_DEFAULT_MAX_TOKENS);
  g_unsetenv ("ANTHROPIC_API_KEY");
}

/* max_tokens reached: stop_reason max_tokens is a cut-off answer, "length". */
static void
test_max_tokens (void)
{
  HearthTestServer *server;
  HearthChatRequest *request;
  g_autoptr(HearthReply) reply = NULL;

  if (!hearth_test_require_node ())
    return;
  server = stand_in ();
  clear_key_environment ();
  g_setenv ("ANTHROPIC_API_KEY", KEY, TRUE);

  request = request_for ("tiny-fixed", "hi");
  request->num_predict = 4;
  request->temperature = 1.7;   /* more than the API allows: sent as 1 */
  reply = ask (hearth_test_server_get_url (server), request, NULL);

  g_assert_cmpint (hearth_reply_get_state (reply), ==, HEARTH_REPLY_DONE);
  g_assert_cmpstr (hearth_reply_get_content (reply), ==, "The sky is blue");
  g_assert_cmpstr (hearth_reply_get_done_reason (reply), ==, "length");
  g_assert_cmpint (hearth_reply_get_figures (reply)->tokens_out, ==, 4);
  g_unsetenv ("ANTHROPIC_API_KEY");
}

/* Keys */

static void
assert_key_sent (HearthTestServer *server,
                 const char       *expected)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *last = last_request (server, &root);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *all = NULL;

  g_assert_cmpstr (json_object_get_string_member (last, "api_key"), ==, expected);
  /* Never in the URL, never as a bearer token. */
  g_assert_null (strstr (json_object_get_string_member (last, "url"), KEY));
  g_assert_false (json_object_get_boolean_member (last, "authorization"));
  json_generator_set_root (generator, root);
  all = json_generator_to_data (generator, NULL);
  g_assert_null (strstr (all, KEY));
}

static void
test_key_environment (void)
{
  HearthTestServer *server;
  g_autoptr(HearthReply) first = NULL;
  g_autoptr(HearthReply) second = NULL;
  g_autoptr(HearthReply) openai_only = NULL;

  if (!hearth_test_require_node ())
    return;
  server = stand_in ();

  /* HEARTH_API_KEY comes first, then ANTHROPIC_API_KEY. */
  clear_key_environment ();
  g_setenv ("HEARTH_API_KEY", KEY, TRUE);
  g_setenv ("ANTHROPIC_API_KEY", "sk-ant-wrong", TRUE);
  first = ask (hearth_test_server_get_url (server), request_for ("tiny-fixed", "hi"), NULL);
  g_assert_cmpint (hearth_reply_get_state (first), ==, HEARTH_REPLY_DONE);
  assert_key_sent (server, "matched");

  clear_key_environment ();
  g_setenv ("ANTHROPIC_API_KEY", KEY, TRUE);
  second = ask (hearth_test_server_get_url (server), request_for ("tiny-fixed", "hi"), NULL);
  g_assert_cmpint (hearth_reply_get_state (second), ==, HEARTH_REPLY_DONE);
  assert_key_sent (server, "matched");

  /* OpenAI's variable is OpenAI's: it never goes to Anthropic. */
  clear_key_environment ();
  g_setenv ("OPENAI_API_KEY", KEY, TRUE);
  openai_only = ask (hearth_test_server_get_url (server), request_for ("tiny-fixed", "hi"), NULL);
  assert_failed (openai_only, HEARTH_ERROR_UNAUTHORIZED, "401");
  clear_key_environment ();
}

/* A store is what needs an unlocked keyring (as in test-secrets.c). */
static gboolean
require_secret_service (const char *endpoint)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;

  if (hearth_secrets_store_sync (endpoint, "probe", NULL, &error) &&
      hearth_secrets_delete_sync (endpoint, NULL, &error))
    return TRUE;
  reason = g_strdup_printf ("No Secret Service to test against (%s); run the suite "
                            "with build-aux/test, which starts gnome-keyring", error->message);
  g_printerr ("\n*** SKIPPED: %s ***\n\n", reason);
  g_test_skip (reason);
  return FALSE;
}

static void
test_key_keyring (void)
{
  HearthTestServer *server;
  const char *url;
  g_autoptr(HearthReply) reply = NULL;
  g_autoptr(HearthReply) models_reply = NULL;
  g_autoptr(GError) error = NULL;

  if (!hearth_test_require_node ())
    return;
  server = stand_in ();
  url = hearth_test_server_get_url (server);
  if (!require_secret_service (url))
    return;
  clear_key_environment ();

  g_assert_true (hearth_secrets_store_sync (url, KEY, NULL, &error));
  g_assert_no_error (error);
  reply = ask (url, request_for ("tiny-fixed", "hi"), NULL);
  g_assert_no_error (hearth_reply_get_error (reply));
  g_assert_cmpstr (hearth_reply_get_content (reply), ==, SENTENCE);
  assert_key_sent (server, "matched");

  g_assert_true (hearth_secrets_delete_sync (url, NULL, &error));
  g_assert_no_error (error);
}

/* No key at all: refused, and the sentence says what to do. */
static void
test_no_key (void)
{
  HearthTestServer *server;
  g_autoptr(HearthReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  if (!hearth_test_require_node ())
    return;
  server = stand_in ();
  clear_key_environment ();
  /* In case a keyring test above left one (it deletes its key). */
  hearth_secrets_delete_sync (hearth_test_server_get_url (server), NULL, NULL);

  reply = ask (hearth_test_server_get_url (server), request_for ("tiny-fixed", "hi"), NULL);
  assert_failed (reply, HEARTH_ERROR_UNAUTHORIZED, "invalid x-api-key");
  g_assert_cmpstr (hearth_reply_get_content (reply), ==, "");
  line = hearth_error_describe (hearth_reply_get_error (reply));
  g_assert_nonnull (strstr (line, "Check the API key"));
  g_assert_cmpint (hearth_error_exit_code (hearth_reply_get_error (reply)), ==, 6);
  assert_key_sent (server, "missing");
}

/* Models */

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
  if (wait->result == NULL)
    g_main_loop_run (wait->loop);
  g_main_loop_unref (wait->loop);
  return wait->result;
}

static void
test_models (void)
{
  HearthTestServer *server;
  g_autoptr(HearthEngine) engine = hearth_engine_new (NULL);
  HearthProvider *provider;
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) root = NULL;
  const HearthModelInfo *info;
  JsonObject *last;
  Wait wait = { 0 };

  if (!hearth_test_require_node ())
    return;
  server = stand_in ();
  clear_key_environment ();
  g_setenv ("ANTHROPIC_API_KEY", KEY, TRUE);

  provider = hearth_engine_get_provider (engine, HEARTH_API_ANTHROPIC,
                                         hearth_test_server_get_url (server));
  hearth_provider_list_models_async (provider, NULL, wait_cb, &wait);
  result = wait_for (&wait);
  models = hearth_provider_list_models_finish (provider, result, &error);
  g_assert_no_error (error);
  info = hearth_model_info_find (models, "tiny-fixed:latest");
  g_assert_nonnull (info);
  /* The display name is shown where a local model shows its family. */
  g_assert_cmpstr (info->family, ==, "Tiny Fixed");
  g_assert_cmpint (info->size, ==, -1);

  /* Anthropic's shape was asked for (the stand-in answers it only to
   * anthropic-version), with the key. */
  last = last_request (server, &root);
  g_assert_cmpstr (json_object_get_string_member (last, "method"), ==, "GET");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (last, "url"), "/v1/models"));
  g_assert_cmpstr (json_object_get_string_member (last, "api_key"), ==, "matched");
  g_unsetenv ("ANTHROPIC_API_KEY");
}

/* What the API cannot do says so, naming Anthropic. */
static void
test_unsupported (void)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(HearthProvider) provider =
    hearth_provider_new (HEARTH_API_ANTHROPIC, "http://127.0.0.1:9", session);
  struct { const char *what; int op; } ops[] = {
    { "show", 0 }, { "pull", 1 }, { "delete", 2 }, { "loaded", 3 }, { "unload", 4 },
    { "version", 5 }, { "load", 6 },
  };

  g_assert_cmpint (hearth_provider_get_api (provider), ==, HEARTH_API_ANTHROPIC);
  g_assert_cmpstr (hearth_provider_get_server_kind (provider), ==, "Anthropic");
  g_assert_cmpint (hearth_provider_get_features (provider), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      Wait wait = { 0 };
      gboolean ok = FALSE;

      switch (ops[i].op)
        {
        case 0: hearth_provider_show_async (provider, "m", NULL, wait_cb, &wait); break;
        case 1: hearth_provider_pull_async (provider, "m", NULL, NULL, NULL, wait_cb, &wait); break;
        case 2: hearth_provider_delete_async (provider, "m", NULL, wait_cb, &wait); break;
        case 3: hearth_provider_list_loaded_async (provider, NULL, wait_cb, &wait); break;
        case 4: hearth_provider_unload_async (provider, "m", NULL, wait_cb, &wait); break;
        case 5: hearth_provider_version_async (provider, NULL, wait_cb, &wait); break;
        case 6: hearth_provider_load_async (provider, "m", NULL, -1, NULL, wait_cb, &wait); break;
        default: g_assert_not_reached ();
        }
      result = wait_for (&wait);
      switch (ops[i].op)
        {
        case 0: ok = hearth_provider_show_finish (provider, result, &error) != NULL; break;
        case 1: ok = hearth_provider_pull_finish (provider, result, &error); break;
        case 2: ok = hearth_provider_delete_finish (provider, result, &error); break;
        case 3: ok = hearth_provider_list_loaded_finish (provider, result, &error) != NULL; break;
        case 4: ok = hearth_provider_unload_finish (provider, result, &error); break;
        case 5: ok = hearth_provider_version_finish (provider, result, &error) != NULL; break;
        case 6: ok = hearth_provider_load_finish (provider, result, &error); break;
        default: g_assert_not_reached ();
        }
      g_test_message ("%s: %s", ops[i].what, error ? error->message : "(no error)");
      g_assert_false (ok);
      g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_NOT_SUPPORTED);
      g_assert_nonnull (strstr (error->message, "Anthropic"));
      g_assert_true (g_str_has_prefix (error->message, "This server cannot "));
    }
}

/* Failures, from the fault server */

typedef struct
{
  const char      *model;
  const char      *key;       /* ANTHROPIC_API_KEY, or NULL */
  HearthErrorCode  code;      /* -1: it works */
  const char      *says;      /* in the error message, or the whole reply when it works */
  const char      *kept;      /* the text the reply keeps when it fails */
} FaultCase;

static const FaultCase fault_cases[] = {
  /* An error event after HTTP 200 and some text: the text stays. */
  { "error-in-stream", NULL, HEARTH_ERROR_SERVER_BUSY, "model crashed", "Before the crash" },
  { "error-500", NULL, HEARTH_ERROR_SERVER_ERROR, "something broke", "" },
  { "auth", NULL, HEARTH_ERROR_UNAUTHORIZED, "invalid x-api-key", "" },
  { "auth", "sekrit", -1, "Hello from the fault server.", NULL },
  /* 429 with Retry-After: 1, then an answer; 529 overloaded, then an answer. */
  { "rate-limit", NULL, -1, "Hello from the fault server.", NULL },
  { "busy", NULL, -1, "Hello from the fault server.", NULL },
  { "rate-limit-always", NULL, HEARTH_ERROR_RATE_LIMITED, "429", "" },
  { "drop-mid-stream", NULL, HEARTH_ERROR_BROKEN_STREAM, NULL, "Partial answer that stops" },
  { "malformed", NULL, HEARTH_ERROR_MALFORMED_STREAM, "this is not json", "Good start" },
  { "split-utf8", NULL, -1, "héllo wörld — 日本語 🙂", NULL },
  { "no-such-model", NULL, HEARTH_ERROR_MODEL_NOT_FOUND, "no-such-model", "" },
};

static void
test_fault (gconstpointer data)
{
  const FaultCase *c = data;
  g_autoptr(HearthReply) reply = NULL;

  if (!hearth_test_require_node ())
    return;
  clear_key_environment ();
  if (c->key != NULL)
    g_setenv ("ANTHROPIC_API_KEY", c->key, TRUE);
  /* The once-only scenarios (rate-limit, busy) start afresh. */
  g_free (hearth_test_server_request (hearth_test_fault_server (), "POST", "/_reset"));

  reply = ask (hearth_test_fault_url (), request_for (c->model, "hi"), NULL);
  if ((int) c->code == -1)
    {
      g_assert_no_error (hearth_reply_get_error (reply));
      g_assert_cmpstr (hearth_reply_get_content (reply), ==, c->says);
      g_assert_cmpstr (hearth_reply_get_done_reason (reply), ==, "stop");
    }
  else
    {
      assert_failed (reply, c->code, c->says);
      g_assert_cmpstr (hearth_reply_get_content (reply), ==, c->kept);
    }
  clear_key_environment ();
}

/* Thinking blocks are the reply's thinking; their signature is not text. */
static void
test_fault_thinking (void)
{
  g_autoptr(HearthReply) reply = NULL;

  if (!hearth_test_require_node ())
    return;
  clear_key_environment ();
  reply = ask (hearth_test_fault_url (), request_for ("thinking", "hi"), NULL);
  g_assert_no_error (hearth_reply_get_error (reply));
  g_assert_cmpstr (hearth_reply_get_thinking (reply), ==,
                   "The user asks why the sky is blue; recall Rayleigh scattering.");
  g_assert_cmpstr (hearth_reply_get_content (reply), ==, "Short wavelengths scatter more.");
  g_assert_cmpint (hearth_reply_get_server_figures (reply)->completion_tokens, ==, 8);
  g_assert_cmpint (hearth_reply_get_server_figures (reply)->prompt_tokens, ==, 5);
}

/* Addresses and HTTP errors */

static void
test_endpoint (void)
{
  const struct { const char *in; const char *out; } cases[] = {
    { "api.anthropic.com", "https://api.anthropic.com:443" },
    { "https://api.anthropic.com/v1", "https://api.anthropic.com:443" },
    { "https://api.anthropic.com/v1/", "https://api.anthropic.com:443" },
    { "https://gateway.example/anthropic/v1", "https://gateway.example:443/anthropic" },
    /* A stand-in or proxy on this computer is plain http. */
    { "127.0.0.1:8080", "http://127.0.0.1:8080" },
    { "localhost:8080/v1", "http://localhost:8080" },
  };
  g_autofree char *fallback = NULL;
  g_autofree char *explicit = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = hearth_endpoint_normalize (cases[i].in, HEARTH_API_ANTHROPIC, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (url, ==, cases[i].out);
    }

  /* OLLAMA_HOST is Ollama's; with nothing set, Anthropic's own address. */
  g_setenv ("OLLAMA_HOST", "envhost:1111", TRUE);
  fallback = hearth_endpoint_resolve (NULL, HEARTH_API_ANTHROPIC, NULL, NULL);
  explicit = hearth_endpoint_resolve ("https://api.anthropic.com/v1", HEARTH_API_ANTHROPIC,
                                      NULL, NULL);
  g_unsetenv ("OLLAMA_HOST");
  g_assert_cmpstr (fallback, ==, "https://api.anthropic.com:443");
  g_assert_cmpstr (explicit, ==, fallback);
}

static void
test_http_errors (void)
{
  const struct { guint status; const char *type; const char *message; const char *model;
                 HearthErrorCode code; } cases[] = {
    { 401, "authentication_error", "invalid x-api-key", NULL, HEARTH_ERROR_UNAUTHORIZED },
    { 403, "permission_error", "not allowed", "m", HEARTH_ERROR_UNAUTHORIZED },
    { 404, "not_found_error", "model: claude-nope", "claude-nope", HEARTH_ERROR_MODEL_NOT_FOUND },
    { 404, "not_found_error", "Not found", NULL, HEARTH_ERROR_SERVER_ERROR },
    { 429, "rate_limit_error", "slow down", "m", HEARTH_ERROR_RATE_LIMITED },
    { 529, "overloaded_error", "Overloaded", "m", HEARTH_ERROR_SERVER_BUSY },
    { 500, "api_error", "Internal server error", "m", HEARTH_ERROR_SERVER_ERROR },
    { 400, "invalid_request_error", "max_tokens: Field required", "m", HEARTH_ERROR_SERVER_ERROR },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"type\":\"error\",\"error\":{\"type\":\"%s\","
                                               "\"message\":\"%s\"}}",
                                               cases[i].type, cases[i].message);
      g_autoptr(GError) error = hearth_error_from_http (cases[i].status, body,
                                                        "https://api.anthropic.com:443",
                                                        cases[i].model);
      g_autofree char *line = hearth_error_describe (error);

      g_assert_error (error, HEARTH_ERROR, cases[i].code);
      /* The server's own words are kept (a 429 or an unknown path says
       * what it is instead), and what to do follows. */
      if (cases[i].code != HEARTH_ERROR_RATE_LIMITED &&
          !(cases[i].status == 404 && cases[i].code == HEARTH_ERROR_SERVER_ERROR))
        g_assert_nonnull (strstr (error->message, cases[i].message));
      g_assert_cmpuint (strlen (line), >, strlen (error->message) + 10);
    }
}

/* The run options the API takes, and why not the others. */
static void
test_run_options (void)
{
  const char *why = NULL;

  g_assert_true (hearth_run_option_is_supported (HEARTH_RUN_OPTION_TEMPERATURE,
                                                 HEARTH_API_ANTHROPIC, NULL));
  g_assert_true (hearth_run_option_is_supported (HEARTH_RUN_OPTION_TOP_K,
                                                 HEARTH_API_ANTHROPIC, NULL));
  g_assert_true (hearth_run_option_is_supported (HEARTH_RUN_OPTION_NUM_PREDICT,
                                                 HEARTH_API_ANTHROPIC, NULL));
  g_assert_false (hearth_run_option_is_supported (HEARTH_RUN_OPTION_SEED,
                                                  HEARTH_API_ANTHROPIC, &why));
  g_assert_nonnull (strstr (why, "Anthropic"));
  g_assert_false (hearth_run_option_is_supported (HEARTH_RUN_OPTION_NUM_CTX,
                                                  HEARTH_API_ANTHROPIC, &why));
  g_assert_nonnull (strstr (why, "Anthropic"));
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);

  g_test_add_func ("/anthropic/stream", test_stream);
  g_test_add_func ("/anthropic/max-tokens", test_max_tokens);
  g_test_add_func ("/anthropic/key/environment", test_key_environment);
  g_test_add_func ("/anthropic/key/keyring", test_key_keyring);
  g_test_add_func ("/anthropic/key/none", test_no_key);
  g_test_add_func ("/anthropic/models", test_models);
  g_test_add_func ("/anthropic/unsupported", test_unsupported);
  for (guint i = 0; i < G_N_ELEMENTS (fault_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/anthropic/fault/%s%s", fault_cases[i].model,
                                               fault_cases[i].key ? "-with-key" : "");

      g_test_add_data_func (path, &fault_cases[i], test_fault);
    }
  g_test_add_func ("/anthropic/fault/thinking", test_fault_thinking);
  g_test_add_func ("/anthropic/endpoint", test_endpoint);
  g_test_add_func ("/anthropic/http-errors", test_http_errors);
  g_test_add_func ("/anthropic/run-options", test_run_options);
  return g_test_run ();
}
