/* test-gateway-load.c — 64 programs streaming through the gateway at once
 * to the test engine, over a small queue (loopback only): each gets its
 * whole answer once or the documented 429, nothing else; the user's own
 * chat, asked in the middle of it, goes before the programs waiting.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-gateway-load"

#include <json-glib/json-glib.h>

#include "hearth-test-gateway.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

#define SENTENCE    "The sky is blue because air scatters blue light more than red light."
#define FIXED       "tiny-fixed:latest"
#define CLIENTS     64
#define CONCURRENCY 4
#define BOUND       16
#define CHAT_PROMPT "Hearth's own chat, asked during the load"

typedef struct
{
  HearthTestGateway *gw;
  HearthTestServer  *engine;
  SoupSession       *session;
  HearthTestStream  *streams[CLIENTS];
  guint              finished;
  HearthReply       *chat;
  guint              logged_at_chat;   /* requests the engine had seen when the chat was asked */
  guint              waiting_at_chat;
} Load;

static void
on_stream_done (HearthTestStream *stream,
                gpointer          user_data)
{
  Load *load = user_data;

  load->finished++;
}

static char *
prompt_for (guint i)
{
  return g_strdup_printf ("load client %02u: why is the sky blue?", i);
}

static guint
engine_requests (Load *load)
{
  g_autofree char *log = hearth_test_server_read_log (load->engine);
  g_autoptr(GPtrArray) prompts = hearth_test_engine_log_prompts (log, NULL);

  return prompts->len;
}

/* The user's chat, in Hearth, while the programs wait: as the chat page
 * asks (priority CHAT, a conversation of the history). */
static void
ask_chat (Load *load)
{
  g_autoptr(GError) error = NULL;
  HearthChatRequest *request = hearth_chat_request_new ();

  request->model = g_strdup (FIXED);
  request->server = g_strdup ("engine");
  request->bypass_cache = TRUE;
  g_assert_cmpint (request->priority, ==, HEARTH_PRIORITY_CHAT);
  hearth_chat_request_add_message (request, "user", CHAT_PROMPT);
  load->logged_at_chat = engine_requests (load);
  load->chat = hearth_engine_chat (load->gw->engine, NULL, request, -1, &error);
  /* Never refused, however full the queue is. */
  g_assert_no_error (error);
  g_assert_nonnull (load->chat);
}

static int
find_prompt (GPtrArray  *prompts,
             const char *prompt,
             guint      *count)
{
  int first = -1;

  *count = 0;
  for (guint i = 0; i < prompts->len; i++)
    if (g_str_equal (prompts->pdata[i], prompt))
      {
        if (first < 0)
          first = i;
        (*count)++;
      }
  return first;
}

/* A 429 as the documentation says: Retry-After in whole seconds, the
 * error in the client's own protocol. */
static void
assert_documented_429 (HearthTestStream *stream)
{
  g_autoptr(JsonNode) node = hearth_test_parse_json (stream->body->str);
  JsonObject *object = json_node_get_object (node);
  guint64 seconds = 0;

  g_assert_nonnull (stream->retry_after);
  g_assert_true (g_ascii_string_to_unsigned (stream->retry_after, 10, 1, 3600, &seconds, NULL));
  if (stream->protocol == HEARTH_TEST_PROTOCOL_OLLAMA)
    g_assert_cmpstr (json_object_get_string_member (object, "error"), !=, "");
  else
    {
      JsonObject *error = json_object_get_object_member (object, "error");

      g_assert_nonnull (error);
      g_assert_cmpstr (json_object_get_string_member (error, "message"), !=, "");
      g_assert_true (json_object_has_member (error, "type"));
    }
  g_assert_cmpuint (stream->chunks, ==, 0);
}

static void
test_load (void)
{
  Load load = { 0 };
  g_autofree char *log = NULL;
  g_autoptr(GPtrArray) prompts = NULL;
  HearthGatewayStats before, stats;
  guint completed = 0, rejected = 0, count;
  int chat_at;
  const char *args[] = { "--token-delay-ms", "10", NULL };

  if (!hearth_test_require_node ())
    return;
  load.engine = hearth_test_engine_server (args);
  load.gw = hearth_test_gateway_new ();
  hearth_test_gateway_add_server (load.gw, "engine", hearth_test_server_get_url (load.engine),
                                  CONCURRENCY, BOUND);
  hearth_test_gateway_start (load.gw);
  load.session = hearth_test_stream_session ();

  /* The model loaded first, so that the load meets a warm engine. */
  {
    g_autoptr(HearthTestStream) warm = NULL;

    warm = hearth_test_stream_start (load.session, load.gw->url, HEARTH_TEST_PROTOCOL_OLLAMA,
                                     FIXED, "warming up", -1, NULL, NULL);
    while (!warm->finished)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpuint (warm->status, ==, 200);
    g_assert_cmpstr (warm->text->str, ==, SENTENCE);
  }
  hearth_gateway_get_stats (load.gw->gateway, &before);

  for (guint i = 0; i < CLIENTS; i++)
    {
      g_autofree char *prompt = prompt_for (i);

      load.streams[i] = hearth_test_stream_start (load.session, load.gw->url,
                                                  i % 2 == 0 ? HEARTH_TEST_PROTOCOL_OLLAMA
                                                             : HEARTH_TEST_PROTOCOL_OPENAI,
                                                  FIXED, prompt, -1, on_stream_done, &load);
    }
  /* Once the queue is full of programs, the user asks in Hearth. */
  while (load.finished < CLIENTS)
    {
      g_main_context_iteration (NULL, TRUE);
      if (load.chat == NULL)
        {
          load.waiting_at_chat = hearth_test_gateway_waiting_api (load.gw, "engine", NULL);
          if (load.waiting_at_chat >= BOUND)
            ask_chat (&load);
        }
    }
  if (load.chat == NULL)
    g_error ("the queue never held %u programs' requests: nothing to put the user's chat before",
             BOUND);
  while (!hearth_reply_is_finished (load.chat))
    g_main_context_iteration (NULL, TRUE);

  /* Every program: its whole answer once, or a documented 429. */
  for (guint i = 0; i < CLIENTS; i++)
    g_test_message ("client %u: HTTP %u, %u pieces, %s%s", i, load.streams[i]->status,
                    load.streams[i]->chunks,
                    load.streams[i]->error ? load.streams[i]->error : "",
                    load.streams[i]->body->str);
  for (guint i = 0; i < CLIENTS; i++)
    {
      HearthTestStream *stream = load.streams[i];

      if (stream->status == 429)
        {
          assert_documented_429 (stream);
          rejected++;
          continue;
        }
      if (stream->status != 200 || stream->error != NULL)
        g_error ("client %u: HTTP %u, %s %s", i, stream->status,
                 stream->error ? stream->error : "", stream->body->str);
      g_assert_cmpstr (stream->text->str, ==, SENTENCE);
      g_assert_true (stream->done);
      g_assert_cmpuint (stream->after_done, ==, 0);
      g_assert_cmpstr (stream->server, ==, "engine");
      completed++;
    }
  g_test_message ("%u answered, %u told to retry later (429)", completed, rejected);
  g_assert_cmpuint (completed + rejected, ==, CLIENTS);
  /* The queue really filled (else this test proves nothing about 429s)… */
  g_assert_cmpuint (rejected, >, 0);
  /* …and every place in it was used before any program was refused. */
  g_assert_cmpuint (completed, >=, CONCURRENCY + BOUND);

  /* The engine saw each answered program once and no refused one. */
  log = hearth_test_server_read_log (load.engine);
  prompts = hearth_test_engine_log_prompts (log, NULL);
  for (guint i = 0; i < CLIENTS; i++)
    {
      g_autofree char *prompt = prompt_for (i);

      find_prompt (prompts, prompt, &count);
      g_assert_cmpuint (count, ==, load.streams[i]->status == 200 ? 1 : 0);
    }

  /* The user's chat: answered, and sent before the programs that were
   * waiting when it was asked. In their order it would have had all of
   * them before it; first in line, only the ones already running (and
   * any sent while the engine prepared it) reach the engine before it. */
  g_assert_cmpint (hearth_reply_get_state (load.chat), ==, HEARTH_REPLY_DONE);
  g_assert_cmpstr (hearth_reply_get_content (load.chat), ==, SENTENCE);
  chat_at = find_prompt (prompts, CHAT_PROMPT, &count);
  g_assert_cmpuint (count, ==, 1);
  g_test_message ("the chat was asked with %u programs waiting, %u requests seen by the engine; "
                  "it reached the engine as request %d", load.waiting_at_chat,
                  load.logged_at_chat, chat_at);
  g_assert_cmpuint (load.waiting_at_chat, >=, BOUND);
  g_assert_cmpint (chat_at - (int) load.logged_at_chat, <, (int) load.waiting_at_chat);

  /* The gateway counted what the programs saw. */
  hearth_gateway_get_stats (load.gw->gateway, &stats);
  while (stats.active > 0)   /* the last ones' ends, as the server sees them */
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (10 * 1000);
      hearth_gateway_get_stats (load.gw->gateway, &stats);
    }
  /* A client whose kept-alive connection closed under it before it read
   * an answer sends the same request again (libsoup does): the gateway
   * counts both, the client sees one answer, and the engine's log above
   * shows nothing was asked twice. So the counters hold at least what the
   * clients saw, and at most one more per client. */
  g_test_message ("the gateway counted %" G_GUINT64_FORMAT " requests, %" G_GUINT64_FORMAT
                  " refused", (guint64) (stats.requests - before.requests),
                  (guint64) (stats.rejected - before.rejected));
  g_assert_cmpuint (stats.requests - before.requests, >=, CLIENTS);
  g_assert_cmpuint (stats.requests - before.requests, <=, 2 * CLIENTS);
  g_assert_cmpuint (stats.rejected - before.rejected, >=, rejected);
  g_assert_cmpuint (stats.active, ==, 0);

  for (guint i = 0; i < CLIENTS; i++)
    hearth_test_stream_free (load.streams[i]);
  g_clear_object (&load.chat);
  g_clear_object (&load.session);
  hearth_test_gateway_free (load.gw);
}

int
main (int   argc,
      char *argv[])
{
  hearth_test_init (&argc, &argv);

  g_test_add_func ("/gateway-load/64-streaming-clients", test_load);
  return g_test_run ();
}
