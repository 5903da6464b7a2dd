/* test-stream-parser-anthropic.c — Anthropic's Messages API events, as the
 * stream parser reads them whichever way the bytes are cut
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "hearth-error.h"
#include "hearth-stream-parser.h"
#include "hearth-test-stream.h"
#include "hearth-test-util.h"

#define ANTHROPIC HEARTH_STREAM_FORMAT_ANTHROPIC_SSE
#define NO_ERROR  (-1)

#define EVENT(name, data) "event: " name "\ndata: " data "\n\n"
#define START(input) \
  EVENT ("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\"," \
         "\"type\":\"message\",\"role\":\"assistant\",\"content\":[]," \
         "\"model\":\"claude-test\",\"stop_reason\":null,\"stop_sequence\":null," \
         "\"usage\":{\"input_tokens\":" input ",\"output_tokens\":1}}}")
#define BLOCK_START(index) \
  EVENT ("content_block_start", "{\"type\":\"content_block_start\",\"index\":" index "," \
         "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
#define THINKING_START(index) \
  EVENT ("content_block_start", "{\"type\":\"content_block_start\",\"index\":" index "," \
         "\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}")
#define TEXT(index, text) \
  EVENT ("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":" index "," \
         "\"delta\":{\"type\":\"text_delta\",\"text\":\"" text "\"}}")
#define THINK(index, text) \
  EVENT ("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":" index "," \
         "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"" text "\"}}")
#define BLOCK_STOP(index) \
  EVENT ("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" index "}")
#define PING EVENT ("ping", "{\"type\": \"ping\"}")
#define MESSAGE_DELTA(reason, output) \
  EVENT ("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" reason "\"," \
         "\"stop_sequence\":null},\"usage\":{\"output_tokens\":" output "}}")
#define STOP EVENT ("message_stop", "{\"type\":\"message_stop\"}")

/* A whole reply as the API streams it: "Hello, wörld!" in three pieces. */
static const char reply_stream[] =
  START ("25")
  BLOCK_START ("0")
  PING
  TEXT ("0", "Hello")
  TEXT ("0", ", wörld")
  TEXT ("0", "!")
  BLOCK_STOP ("0")
  MESSAGE_DELTA ("end_turn", "15")
  STOP;

typedef HearthTestStream Result;

/* Feeds @data in pieces of @step bytes (0: all at once), then finishes. */
static Result *
parse (const char *data,
       gsize       len,
       gsize       step)
{
  Result *result = hearth_test_stream_new ();
  g_autoptr(HearthStreamParser) parser =
    hearth_stream_parser_new (ANTHROPIC, &hearth_test_stream_callbacks, result);
  gsize pos = 0;

  if (step == 0)
    step = MAX (len, 1);
  while (result->error == NULL && pos < len)
    {
      gsize n = MIN (step, len - pos);

      if (!hearth_stream_parser_feed (parser, data + pos, n, &result->error))
        g_assert_nonnull (result->error);
      pos += n;
    }
  if (result->error == NULL && hearth_stream_parser_finish (parser, &result->error))
    {
      g_assert_true (hearth_stream_parser_is_done (parser));
      g_assert_cmpuint (result->n_done, ==, 1);
    }
  if (result->error != NULL)
    {
      g_autoptr(GError) again = NULL;

      /* A failure is final: nothing more is delivered. */
      g_assert_cmpuint (result->n_done, ==, 0);
      g_assert_false (hearth_stream_parser_feed (parser, TEXT ("0", "more"),
                                                 strlen (TEXT ("0", "more")), &again));
      g_assert_error (again, result->error->domain, result->error->code);
    }
  return result;
}

static Result *
parse_string (const char *data)
{
  return parse (data, strlen (data), 0);
}

static void
assert_reply (Result *result)
{
  g_assert_no_error (result->error);
  g_assert_cmpstr (result->content->str, ==, "Hello, wörld!");
  g_assert_cmpstr (result->thinking->str, ==, "");
  g_assert_cmpuint (result->n_done, ==, 1);
  g_assert_cmpstr (result->figures.done_reason, ==, "stop");
  g_assert_cmpstr (result->figures.model, ==, "claude-test");
  g_assert_cmpint (result->figures.prompt_tokens, ==, 25);
  g_assert_cmpint (result->figures.completion_tokens, ==, 15);
  /* The API gives no durations. */
  g_assert_cmpint (result->figures.eval_duration_ns, ==, -1);
  g_assert_cmpint (result->figures.total_duration_ns, ==, -1);
}

static void
test_reply (void)
{
  g_autoptr(HearthTestStream) result = parse_string (reply_stream);

  assert_reply (result);
  g_assert_cmpuint (result->n_deltas, ==, 3);
}

/* Every cut of the bytes gives the same reply: events, lines, JSON and the
 * two bytes of "ö" split across reads. */
static void
test_every_split (void)
{
  gsize len = strlen (reply_stream);

  for (gsize step = 1; step <= 64; step++)
    {
      g_autoptr(HearthTestStream) result = parse (reply_stream, len, step);

      assert_reply (result);
    }
  /* And cut in two at every byte. */
  for (gsize cut = 1; cut < len; cut++)
    {
      g_autoptr(HearthTestStream) result = hearth_test_stream_new ();
      g_autoptr(HearthStreamParser) parser =
        hearth_stream_parser_new (ANTHROPIC, &hearth_test_stream_callbacks, result);

      g_assert_true (hearth_stream_parser_feed (parser, reply_stream, cut, &result->error));
      g_assert_true (hearth_stream_parser_feed (parser, reply_stream + cut, len - cut,
                                                &result->error));
      g_assert_true (hearth_stream_parser_finish (parser, &result->error));
      assert_reply (result);
    }
}

/* CRLF line ends, as some proxies send them. */
static void
test_crlf (void)
{
  g_autofree char *crlf = NULL;
  g_auto(GStrv) lines = g_strsplit (reply_stream, "\n", -1);
  g_autoptr(HearthTestStream) result = NULL;
  g_autoptr(HearthTestStream) bytewise = NULL;

  crlf = g_strjoinv ("\r\n", lines);
  result = parse_string (crlf);
  assert_reply (result);
  bytewise = parse (crlf, strlen (crlf), 1);
  assert_reply (bytewise);
}

/* Multi-byte characters split across reads, and one in \u escapes (a
 * surrogate pair). */
static void
test_utf8 (void)
{
  const char *stream = START ("3") BLOCK_START ("0")
                       TEXT ("0", "日本語 🙂") TEXT ("0", " \\ud83d\\ude42")
                       BLOCK_STOP ("0") MESSAGE_DELTA ("end_turn", "4") STOP;
  gsize len = strlen (stream);

  for (gsize step = 1; step <= 7; step++)
    {
      g_autoptr(HearthTestStream) result = parse (stream, len, step);

      g_assert_no_error (result->error);
      g_assert_cmpstr (result->content->str, ==, "日本語 🙂 🙂");
      g_assert_cmpuint (result->n_deltas, ==, 2);
    }
}

static void
test_thinking_and_ignored_deltas (void)
{
  const char *stream =
    START ("10")
    THINKING_START ("0")
    THINK ("0", "Rayleigh ")
    THINK ("0", "scattering.")
    EVENT ("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
           "\"delta\":{\"type\":\"signature_delta\",\"signature\":\"EqQBCgIYAhIM\"}}")
    BLOCK_STOP ("0")
    BLOCK_START ("1")
    TEXT ("1", "Blue.")
    BLOCK_STOP ("1")
    EVENT ("content_block_start", "{\"type\":\"content_block_start\",\"index\":2,"
           "\"content_block\":{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"f\",\"input\":{}}}")
    EVENT ("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":2,"
           "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"a\\\": 1}\"}}")
    BLOCK_STOP ("2")
    /* An event type added after this was written. */
    EVENT ("message_annotation", "{\"type\":\"message_annotation\",\"note\":\"x\"}")
    MESSAGE_DELTA ("tool_use", "30")
    STOP;
  g_autoptr(HearthTestStream) result = parse_string (stream);

  g_assert_no_error (result->error);
  g_assert_cmpstr (result->thinking->str, ==, "Rayleigh scattering.");
  g_assert_cmpstr (result->content->str, ==, "Blue.");
  g_assert_cmpstr (result->figures.done_reason, ==, "tool_use");
  g_assert_cmpint (result->figures.completion_tokens, ==, 30);
}

/* A block may open with text already in it. */
static void
test_text_in_block_start (void)
{
  const char *stream =
    START ("1")
    EVENT ("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
           "\"content_block\":{\"type\":\"text\",\"text\":\"Pre\"}}")
    TEXT ("0", "fix")
    MESSAGE_DELTA ("end_turn", "2") STOP;
  g_autoptr(HearthTestStream) result = parse_string (stream);

  g_assert_no_error (result->error);
  g_assert_cmpstr (result->content->str, ==, "Prefix");
}

static void
test_stop_reasons (void)
{
  const struct { const char *reason; const char *expected; } cases[] = {
    { "end_turn", "stop" }, { "stop_sequence", "stop" }, { "max_tokens", "length" },
    { "refusal", "refusal" }, { "pause_turn", "pause_turn" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *stream =
        g_strdup_printf (START ("1") BLOCK_START ("0") TEXT ("0", "x")
                         "event: message_delta\ndata: {\"type\":\"message_delta\","
                         "\"delta\":{\"stop_reason\":\"%s\"},\"usage\":{\"output_tokens\":1}}\n\n"
                         STOP, cases[i].reason);
      g_autoptr(HearthTestStream) result = parse_string (stream);

      g_assert_no_error (result->error);
      g_assert_cmpstr (result->figures.done_reason, ==, cases[i].expected);
    }
}

/* The events name themselves in their data; `event:` lines are optional,
 * and so are comments and pings anywhere. */
static void
test_without_event_lines (void)
{
  const char *stream =
    ": keep-alive\n"
    "data: {\"type\":\"message_start\",\"message\":{\"model\":\"m\",\"usage\":{\"input_tokens\":2}}}\n\n"
    "data: {\"type\":\"ping\"}\n\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"ok\"}}\n\n"
    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":1}}\n\n"
    "data: {\"type\":\"message_stop\"}\n\n";
  g_autoptr(HearthTestStream) result = parse_string (stream);

  g_assert_no_error (result->error);
  g_assert_cmpstr (result->content->str, ==, "ok");
  g_assert_cmpint (result->figures.prompt_tokens, ==, 2);
}

/* The prompt cache's tokens are part of the prompt. */
static void
test_cached_prompt_tokens (void)
{
  const char *stream =
    EVENT ("message_start", "{\"type\":\"message_start\",\"message\":{\"model\":\"m\",\"usage\":"
           "{\"input_tokens\":5,\"cache_creation_input_tokens\":100,"
           "\"cache_read_input_tokens\":1000,\"output_tokens\":1}}}")
    TEXT ("0", "x") MESSAGE_DELTA ("end_turn", "7") STOP;
  g_autoptr(HearthTestStream) result = parse_string (stream);

  g_assert_no_error (result->error);
  g_assert_cmpint (result->figures.prompt_tokens, ==, 1105);
  g_assert_cmpint (result->figures.completion_tokens, ==, 7);
}

/* `event: error` after HTTP 200 fails the reply with the server's words;
 * overloaded_error is "busy", anything else a server error. */
static void
test_error_events (void)
{
  const struct { const char *data; int code; const char *says; } cases[] = {
    { "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}",
      HEARTH_ERROR_SERVER_BUSY, "Overloaded" },
    { "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal server error\"}}",
      HEARTH_ERROR_SERVER_ERROR, "Internal server error" },
    { "{\"type\":\"error\",\"error\":\"plain words\"}", HEARTH_ERROR_SERVER_ERROR, "plain words" },
    { "not json at all", HEARTH_ERROR_SERVER_ERROR, "not json at all" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *stream =
        g_strdup_printf (START ("1") BLOCK_START ("0") TEXT ("0", "Before ") TEXT ("0", "it")
                         "event: error\ndata: %s\n\n", cases[i].data);
      g_autoptr(HearthTestStream) result = parse_string (stream);

      g_assert_error (result->error, HEARTH_ERROR, cases[i].code);
      g_assert_nonnull (strstr (result->error->message, cases[i].says));
      /* What came before stays. */
      g_assert_cmpstr (result->content->str, ==, "Before it");
    }

  /* The data's type is enough, without an `event: error` line. */
  {
    g_autoptr(HearthTestStream) result =
      parse_string (START ("1") "data: {\"type\":\"error\",\"error\":{\"type\":"
                    "\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n");

    g_assert_error (result->error, HEARTH_ERROR, HEARTH_ERROR_SERVER_BUSY);
  }
}

static void
test_malformed (void)
{
  const struct { const char *stream; const char *kept; } cases[] = {
    { START ("1") TEXT ("0", "Good ") "event: content_block_delta\ndata: {this is not json\n\n",
      "Good " },
    { START ("1") EVENT ("content_block_delta", "[1, 2]"), "" },
    { START ("1") EVENT ("content_block_delta", "{\"type\":\"content_block_delta\"}"), "" },
    { START ("1") EVENT ("content_block_delta", "{\"type\":\"content_block_delta\","
                         "\"delta\":{\"type\":\"text_delta\",\"text\":42}}"), "" },
    { EVENT ("message_start", "{\"type\":\"message_start\",\"message\":\"no\"}"), "" },
    { START ("1") EVENT ("message_delta", "{\"type\":\"message_delta\",\"delta\":"
                         "{\"stop_reason\":7}}"), "" },
    /* Neither an `event:` line nor a type: no event at all. */
    { START ("1") "data: {\"no\":\"type\"}\n\n", "" },
    /* Bare JSON lines: the API kind is wrong (an Ollama server). */
    { "{\"message\":{\"content\":\"hi\"},\"done\":true}\n", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HearthTestStream) result = parse_string (cases[i].stream);

      g_assert_error (result->error, HEARTH_ERROR, HEARTH_ERROR_MALFORMED_STREAM);
      g_assert_true (g_utf8_validate (result->error->message, -1, NULL));
      g_assert_cmpstr (result->content->str, ==, cases[i].kept);
    }
}

/* The connection ends before message_stop: a broken stream, unless the
 * stop reason had already come. An OpenAI [DONE] means nothing here. */
static void
test_end_of_stream (void)
{
  g_autoptr(HearthTestStream) cut = parse_string (START ("1") BLOCK_START ("0") TEXT ("0", "Part"));
  g_autoptr(HearthTestStream) done_marker =
    parse_string (START ("1") TEXT ("0", "Part") "data: [DONE]\n\n");
  g_autoptr(HearthTestStream) stopped =
    parse_string (START ("1") TEXT ("0", "All") MESSAGE_DELTA ("end_turn", "1"));
  g_autoptr(HearthTestStream) empty = parse_string ("");

  g_assert_error (cut->error, HEARTH_ERROR, HEARTH_ERROR_BROKEN_STREAM);
  g_assert_cmpstr (cut->content->str, ==, "Part");
  g_assert_error (done_marker->error, HEARTH_ERROR, HEARTH_ERROR_MALFORMED_STREAM);
  g_assert_no_error (stopped->error);
  g_assert_cmpstr (stopped->content->str, ==, "All");
  g_assert_cmpuint (stopped->n_done, ==, 1);
  g_assert_error (empty->error, HEARTH_ERROR, HEARTH_ERROR_BROKEN_STREAM);
}

/* After message_stop nothing more counts. */
static void
test_after_stop_ignored (void)
{
  g_autofree char *stream = g_strconcat (reply_stream, TEXT ("0", "late"),
                                         "event: error\ndata: {}\n\n", NULL);
  g_autoptr(HearthTestStream) result = parse_string (stream);

  assert_reply (result);
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);
  g_test_add_func ("/stream-parser/anthropic/reply", test_reply);
  g_test_add_func ("/stream-parser/anthropic/every-split", test_every_split);
  g_test_add_func ("/stream-parser/anthropic/crlf", test_crlf);
  g_test_add_func ("/stream-parser/anthropic/utf8", test_utf8);
  g_test_add_func ("/stream-parser/anthropic/thinking", test_thinking_and_ignored_deltas);
  g_test_add_func ("/stream-parser/anthropic/block-start-text", test_text_in_block_start);
  g_test_add_func ("/stream-parser/anthropic/stop-reasons", test_stop_reasons);
  g_test_add_func ("/stream-parser/anthropic/no-event-lines", test_without_event_lines);
  g_test_add_func ("/stream-parser/anthropic/cached-prompt", test_cached_prompt_tokens);
  g_test_add_func ("/stream-parser/anthropic/errors", test_error_events);
  g_test_add_func ("/stream-parser/anthropic/malformed", test_malformed);
  g_test_add_func ("/stream-parser/anthropic/end-of-stream", test_end_of_stream);
  g_test_add_func ("/stream-parser/anthropic/after-stop", test_after_stop_ignored);
  return g_test_run ();
}
