/* test-stream-parser.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "hearth-error.h"
#include "hearth-stream-parser.h"
#include "hearth-test-stream.h"
#include "hearth-test-util.h"

#define OLLAMA HEARTH_STREAM_FORMAT_OLLAMA_NDJSON
#define OPENAI HEARTH_STREAM_FORMAT_OPENAI_SSE
#define NO_ERROR (-1)
#define MiB (1024 * 1024)

/* One Ollama line; one OpenAI event with a content delta. */
#define LINE(text, done) "{\"message\":{\"content\":\"" text "\"},\"done\":" done "}"
#define DELTA(text)      "data: {\"choices\":[{\"delta\":{\"content\":\"" text "\"}}]}\n\n"

/* What a parser delivered for one stream. */
typedef HearthTestStream Result;

#define result_new hearth_test_stream_new
#define callbacks  hearth_test_stream_callbacks

static HearthStreamParser *
parser_new (HearthStreamFormat  format,
            Result             *result)
{
  return hearth_stream_parser_new (format, &callbacks, result);
}

/* After a failure, every later call fails the same way and delivers nothing. */
static void
assert_stays_failed (HearthStreamParser *parser,
                     Result             *result)
{
  g_autoptr(GError) again = NULL;
  g_autoptr(GError) at_finish = NULL;
  guint n_deltas = result->n_deltas;
  const char *more = "{\"message\":{\"content\":\"more\"},\"done\":true}\n"
                     "data: {\"choices\":[{\"delta\":{\"content\":\"more\"}}]}\n\ndata: [DONE]\n\n";

  g_assert_false (hearth_stream_parser_feed (parser, more, strlen (more), &again));
  g_assert_error (again, result->error->domain, result->error->code);
  g_assert_false (hearth_stream_parser_finish (parser, &at_finish));
  g_assert_error (at_finish, result->error->domain, result->error->code);
  g_assert_cmpuint (result->n_deltas, ==, n_deltas);
  g_assert_cmpuint (result->n_done, ==, 0);
}

/* Feeds @data in pieces of @step bytes, or (step 0) in two pieces cut at @split. */
static Result *
parse_stream (HearthStreamFormat  format,
              const char         *data,
              gsize               len,
              gsize               step,
              gsize               split)
{
  Result *result = result_new ();
  g_autoptr(HearthStreamParser) parser = parser_new (format, result);
  gsize pos = 0;

  while (result->error == NULL && (pos < len || pos == 0))
    {
      gsize n = step > 0 ? MIN (step, len - pos) : (pos < split ? split - pos : len - pos);

      if (!hearth_stream_parser_feed (parser, data + pos, n, &result->error))
        g_assert_nonnull (result->error);
      pos += n;
      if (len == 0)
        break;
    }
  if (result->error == NULL && hearth_stream_parser_finish (parser, &result->error))
    {
      g_assert_no_error (result->error);
      g_assert_true (hearth_stream_parser_is_done (parser));
      g_assert_cmpuint (result->n_done, ==, 1);
    }
  if (result->error != NULL)
    assert_stays_failed (parser, result);
  return result;
}

static Result *
parse_string (HearthStreamFormat  format,
              const char         *data)
{
  return parse_stream (format, data, strlen (data), 0, 0);
}

static void
assert_same_result (const Result *a,
                    const Result *b)
{
  g_assert_cmpstr (a->content->str, ==, b->content->str);
  g_assert_cmpstr (a->thinking->str, ==, b->thinking->str);
  g_assert_cmpuint (a->n_deltas, ==, b->n_deltas);
  g_assert_cmpuint (a->n_done, ==, b->n_done);
  hearth_test_stream_assert_figures_equal (&a->figures, &b->figures);
  if (a->error == NULL)
    g_assert_no_error (b->error);
  else
    g_assert_error (b->error, a->error->domain, a->error->code);
}

/* Recorded streams */

typedef struct
{
  const char          *file;
  HearthStreamFormat   format;
  const char          *content;
  const char          *thinking;
  guint                n_deltas;
  int                  error_code;
  HearthServerFigures  figures;
} StreamCase;

#define NO_FIGURES { NULL, NULL, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1 }

static const StreamCase stream_cases[] = {
  {
    "ollama-chat.ndjson", OLLAMA,
    "Bonjour ! Voici un café ☕ et un emoji 🔥 été 😀\n\nIl a dit « \"oui\"\xc2\xa0». 你好\t\\fin",
    "", 12, NO_ERROR,
    { (char *) "stop", (char *) "llama3.2:latest", 26, 12,
      4883583458, 1334875, 342546000, 453559900, -1, -1, -1, -1 },
  },
  {
    "ollama-thinking.ndjson", OLLAMA,
    "2 + 2 = **4**", "Okay, the user wants 2+2. That is 4.", 8, NO_ERROR,
    { (char *) "stop", (char *) "qwen3:8b", 18, 9,
      1203444000, -1, 51000000, 987000000, -1, -1, -1, -1 },
  },
  {
    "ollama-nostream.json", OLLAMA,
    "Paris is the capital of France.\nIt has about 2.1 million inhabitants.", "", 1, NO_ERROR,
    { (char *) "length", (char *) "gemma3:4b", -1, 17,
      2100000000, -1, -1, -1, -1, -1, -1, -1 },
  },
  {
    "ollama-error.ndjson", OLLAMA,
    "Once upon a", "", 3, HEARTH_ERROR_SERVER_ERROR, NO_FIGURES,
  },
  {
    "ollama-broken.ndjson", OLLAMA,
    "Half an answ", "", 3, HEARTH_ERROR_BROKEN_STREAM, NO_FIGURES,
  },
  {
    "openai-chat.sse", OPENAI,
    "The answer is 42… naïve ✓", "", 6, NO_ERROR,
    { (char *) "stop", (char *) "llama3.2", 31, 7, -1, -1, -1, -1, -1, -1, -1, -1 },
  },
  {
    "llamacpp-timings.sse", OPENAI,
    "Hello! How can I help?", "Let me think.", 5, NO_ERROR,
    { (char *) "stop", (char *) "gpt-3.5-turbo", 14, 9, -1, -1, -1, -1,
      23.5, 595.74, 181.25, 49.66 },
  },
  {
    "lmstudio-reasoning.sse", OPENAI,
    "Yes.", "Short question.", 3, NO_ERROR,
    { (char *) "length", (char *) "qwen3-4b", -1, -1, -1, -1, -1, -1, -1, -1, -1, -1 },
  },
  {
    "openai-error.sse", OPENAI,
    "Sure, here", "", 2, HEARTH_ERROR_SERVER_ERROR, NO_FIGURES,
  },
};

static char *
load_stream (const char *name,
             gsize      *len)
{
  const char *srcdir = g_getenv ("HEARTH_SOURCE_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  if (srcdir != NULL)
    path = g_build_filename (srcdir, "tests", "data", "streams", name, NULL);
  else
    path = g_test_build_filename (G_TEST_DIST, "data", "streams", name, NULL);
  g_file_get_contents (path, &contents, len, &error);
  g_assert_no_error (error);
  return contents;
}

/* CRLF files become LF and LF files CRLF: both must read the same. */
static char *
swap_line_endings (const char *data,
                   gsize       len,
                   gsize      *out_len)
{
  gboolean crlf = g_strstr_len (data, len, "\r\n") != NULL;
  GString *out = g_string_sized_new (len * 2);

  for (gsize i = 0; i < len; i++)
    {
      if (crlf && data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
        continue;
      if (!crlf && data[i] == '\n')
        g_string_append_c (out, '\r');
      g_string_append_c (out, data[i]);
    }
  *out_len = out->len;
  return g_string_free (out, FALSE);
}

static void
assert_expected (const Result     *result,
                 const StreamCase *c)
{
  g_assert_cmpstr (result->content->str, ==, c->content);
  g_assert_cmpstr (result->thinking->str, ==, c->thinking);
  g_assert_cmpuint (result->n_deltas, ==, c->n_deltas);
  g_assert_cmpuint (result->n_done, ==, c->error_code == NO_ERROR ? 1 : 0);
  hearth_test_stream_assert_figures_equal (&result->figures, &c->figures);
  if (c->error_code == NO_ERROR)
    g_assert_no_error (result->error);
  else
    g_assert_error (result->error, HEARTH_ERROR, c->error_code);
}

static void
check_every_split (const StreamCase *c,
                   const char       *data,
                   gsize             len)
{
  g_autoptr(HearthTestStream) whole = parse_stream (c->format, data, len, 0, len);
  g_autoptr(HearthTestStream) bytes = parse_stream (c->format, data, len, 1, 0);

  assert_expected (whole, c);
  assert_same_result (whole, bytes);
  for (gsize split = 0; split <= len; split++)
    {
      g_autoptr(HearthTestStream) pieces = parse_stream (c->format, data, len, 0, split);

      assert_same_result (whole, pieces);
    }
}

static void
test_recorded (gconstpointer data)
{
  const StreamCase *c = data;
  gsize len;
  gsize swapped_len;
  g_autofree char *contents = load_stream (c->file, &len);
  g_autofree char *swapped = swap_line_endings (contents, len, &swapped_len);

  check_every_split (c, contents, len);
  check_every_split (c, swapped, swapped_len);
}

/* Chunking */

static void
test_delta_per_complete_line (void)
{
  const char *line = "{\"message\":{\"content\":\"🔥 hot\"},\"done\":false}\n";
  const char *fire = strstr (line, "🔥");
  gsize cut = fire - line + 2;
  g_autoptr(HearthTestStream) result = result_new ();
  g_autoptr(HearthStreamParser) parser = parser_new (OLLAMA, result);
  g_autoptr(GError) error = NULL;

  g_assert_true (hearth_stream_parser_feed (parser, line, cut, &error));
  g_assert_cmpuint (result->n_deltas, ==, 0);
  g_assert_true (hearth_stream_parser_feed (parser, line + cut, strlen (line) - cut - 1, &error));
  g_assert_cmpuint (result->n_deltas, ==, 0);
  g_assert_true (hearth_stream_parser_feed (parser, "\n", 1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result->n_deltas, ==, 1);
  g_assert_cmpstr (result->content->str, ==, "🔥 hot");
  g_assert_false (hearth_stream_parser_is_done (parser));
}

static void
test_blank_lines (void)
{
  g_autoptr(HearthTestStream) result = parse_string (OLLAMA,
                                           "\n\r\n  \n" LINE ("a", "false") "\r\n"
                                           "\n\t\n" LINE ("", "true") "\n\n");

  g_assert_no_error (result->error);
  g_assert_cmpstr (result->content->str, ==, "a");
  g_assert_cmpuint (result->n_done, ==, 1);
}

static void
test_byte_order_mark (void)
{
  g_autoptr(HearthTestStream) ollama = parse_string (OLLAMA, "\xef\xbb\xbf{\"message\":{\"content\":\"x\"},"
                                                   "\"done\":true}");
  g_autoptr(HearthTestStream) openai = parse_string (OPENAI, "\xef\xbb\xbf" "data: [DONE]\n\n");

  g_assert_no_error (ollama->error);
  g_assert_cmpstr (ollama->content->str, ==, "x");
  g_assert_no_error (openai->error);
}

/* Figures */

static void
test_missing_figures (void)
{
  g_autoptr(HearthTestStream) result = parse_string (OLLAMA, "{\"done\":true}\n");
  const HearthServerFigures none = NO_FIGURES;

  g_assert_no_error (result->error);
  g_assert_cmpuint (result->n_deltas, ==, 0);
  hearth_test_stream_assert_figures_equal (&result->figures, &none);
}

#define CHUNK(body) "data: {\"object\":\"chat.completion.chunk\",\"choices\":" body "}\n\n"
#define TIMINGS "\"timings\":{\"prompt_n\":5,\"prompt_ms\":10.5,\"prompt_per_second\":476.2," \
                "\"predicted_n\":3,\"predicted_ms\":60,\"predicted_per_second\":50}"
#define USAGE   "\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":30,\"total_tokens\":80}"
#define STOP    "[{\"delta\":{},\"finish_reason\":\"stop\"}]"

static void
test_usage_and_timings (void)
{
  g_autoptr(HearthTestStream) timings_first = parse_string (OPENAI,
                                                  CHUNK (STOP "," TIMINGS)
                                                  CHUNK ("[]," USAGE)
                                                  "data: [DONE]\n\n");
  g_autoptr(HearthTestStream) usage_first = parse_string (OPENAI,
                                                CHUNK ("[]," USAGE)
                                                CHUNK (STOP "," TIMINGS)
                                                "data: [DONE]\n\n");
  g_autoptr(HearthTestStream) no_usage = parse_string (OPENAI,
                                             CHUNK (STOP "," TIMINGS)
                                             "data: [DONE]\n\n");

  for (guint i = 0; i < 2; i++)
    {
      const Result *result = i == 0 ? timings_first : usage_first;

      g_assert_no_error (result->error);
      g_assert_cmpint (result->figures.prompt_tokens, ==, 50);
      g_assert_cmpint (result->figures.completion_tokens, ==, 30);
      g_assert_cmpfloat (result->figures.prompt_ms, ==, 10.5);
      g_assert_cmpfloat (result->figures.predicted_per_second, ==, 50);
    }
  g_assert_cmpint (no_usage->figures.prompt_tokens, ==, 5);
  g_assert_cmpint (no_usage->figures.completion_tokens, ==, 3);
  g_assert_cmpfloat (no_usage->figures.prompt_per_second, ==, 476.2);
  g_assert_cmpfloat (no_usage->figures.predicted_ms, ==, 60);
  g_assert_cmpstr (no_usage->figures.done_reason, ==, "stop");
}

static void
feed_string (HearthStreamParser *parser,
             const char         *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hearth_stream_parser_feed (parser, text, strlen (text), &error));
  g_assert_no_error (error);
}

/* The usage chunk follows the finish chunk: done waits for [DONE]. */
static void
test_usage_after_finish (void)
{
  g_autoptr(HearthTestStream) result = result_new ();
  g_autoptr(HearthStreamParser) parser = parser_new (OPENAI, result);
  g_autoptr(GError) error = NULL;

  feed_string (parser, CHUNK ("[{\"delta\":{\"content\":\"hi\"},\"finish_reason\":\"length\"}]"));
  g_assert_cmpuint (result->n_done, ==, 0);
  g_assert_false (hearth_stream_parser_is_done (parser));
  feed_string (parser, CHUNK ("[]," USAGE));
  feed_string (parser, "data: [DONE]");
  g_assert_cmpuint (result->n_done, ==, 0);
  feed_string (parser, "\r\n");
  g_assert_cmpuint (result->n_done, ==, 1);
  g_assert_true (hearth_stream_parser_is_done (parser));
  g_assert_cmpstr (result->figures.done_reason, ==, "length");
  g_assert_cmpint (result->figures.completion_tokens, ==, 30);
  g_assert_true (hearth_stream_parser_finish (parser, &error));
  g_assert_true (hearth_stream_parser_finish (parser, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result->n_done, ==, 1);
}

static void
test_finish_reason_without_done_marker (void)
{
  g_autoptr(HearthTestStream) with_blank = parse_string (OPENAI,
                                               CHUNK ("[{\"delta\":{\"content\":\"a\"}}]")
                                               CHUNK ("[{\"delta\":{},\"finish_reason\":\"stop\"}]")
                                               CHUNK ("[]," USAGE));
  g_autoptr(HearthTestStream) without = parse_string (OPENAI,
                                            CHUNK ("[{\"delta\":{\"content\":\"a\"}}]")
                                            CHUNK ("[{\"delta\":{\"content\":\"b\"}}]"));

  g_assert_no_error (with_blank->error);
  g_assert_cmpuint (with_blank->n_done, ==, 1);
  g_assert_cmpint (with_blank->figures.prompt_tokens, ==, 50);
  g_assert_error (without->error, HEARTH_ERROR, HEARTH_ERROR_BROKEN_STREAM);
  g_assert_cmpstr (without->content->str, ==, "ab");
}

/* SSE framing */

static void
test_sse_fields (void)
{
  g_autoptr(HearthTestStream) result = parse_string (OPENAI,
                                           ":comment\nevent: message\nid: 7\nretry: 10\nfoo: bar\n"
                                           "data:{\"choices\":[{\"delta\":{\"role\":\"assistant\","
                                           "\"content\":null}}]}\n\n"
                                           ": keep-alive\n\n\n"
                                           "event: delta\n"
                                           "data:  {\"choices\":[{\"delta\":"
                                           "{\"content\":\" x\"}}]}\n\n"
                                           DELTA ("y")
                                           "data: [DONE]\n\n");

  g_assert_no_error (result->error);
  g_assert_cmpstr (result->content->str, ==, " xy");
  g_assert_cmpuint (result->n_deltas, ==, 2);
  g_assert_cmpuint (result->n_done, ==, 1);
}

static void
test_sse_multiline_event (void)
{
  g_autoptr(HearthTestStream) result = parse_string (OPENAI,
                                           "data: {\"choices\":\ndata: [{\"delta\":\n"
                                           "data: {\"content\":\"joined\"}}]}\n\n"
                                           "data: [DONE]\n\n");

  g_assert_no_error (result->error);
  g_assert_cmpstr (result->content->str, ==, "joined");
}

/* After done */

static void
test_after_done_ignored (void)
{
  g_autoptr(HearthTestStream) ollama = parse_string (OLLAMA,
                                           LINE ("end", "true") "\ngarbage\n"
                                           LINE ("x", "false") "\n{\"error\":\"late\"}\n");
  g_autoptr(HearthTestStream) openai = parse_string (OPENAI,
                                           "data: [DONE]\n\ndata: garbage\n\n"
                                           CHUNK ("[{\"delta\":{\"content\":\"x\"}}]"));

  g_assert_no_error (ollama->error);
  g_assert_cmpstr (ollama->content->str, ==, "end");
  g_assert_cmpuint (ollama->n_done, ==, 1);
  g_assert_no_error (openai->error);
  g_assert_cmpuint (openai->n_deltas, ==, 0);
}

/* Failures */

static void
test_empty_stream (void)
{
  const char *nothing[] = { "", "\n\n", ": keep-alive\n\n", "\r\n" };

  for (guint i = 0; i < G_N_ELEMENTS (nothing); i++)
    {
      g_autoptr(HearthTestStream) ollama = parse_string (OLLAMA, nothing[i]);
      g_autoptr(HearthTestStream) openai = parse_string (OPENAI, nothing[i]);

      g_assert_error (openai->error, HEARTH_ERROR, HEARTH_ERROR_BROKEN_STREAM);
      if (i != 2)
        g_assert_error (ollama->error, HEARTH_ERROR, HEARTH_ERROR_BROKEN_STREAM);
      else
        g_assert_error (ollama->error, HEARTH_ERROR, HEARTH_ERROR_MALFORMED_STREAM);
    }
}

static void
test_server_errors (void)
{
  const struct
  {
    HearthStreamFormat  format;
    const char         *text;
    int                 code;
  } cases[] = {
    { OLLAMA, "{\"error\":\"model crashed\"}\n", HEARTH_ERROR_SERVER_ERROR },
    { OLLAMA, "{\"error\":\"model \\\"x\\\" not found, try pulling it first\"}",
      HEARTH_ERROR_MODEL_NOT_FOUND },
    { OPENAI, "data: {\"error\":{\"message\":\"The model `x` does not exist\","
              "\"type\":\"invalid_request_error\",\"code\":\"model_not_found\"}}\n\n",
      HEARTH_ERROR_MODEL_NOT_FOUND },
    { OPENAI, "data: {\"error\":{\"message\":\"boom\"}}", HEARTH_ERROR_SERVER_ERROR },
    { OPENAI, "event: error\ndata: overloaded\n\n", HEARTH_ERROR_SERVER_ERROR },
    { OPENAI, "event: error\ndata: {\"message\":\"overloaded\"}\n\n", HEARTH_ERROR_SERVER_ERROR },
    { OPENAI, "error: {\"code\":400,\"message\":\"the request exceeds the available context size\","
              "\"type\":\"exceed_context_size_error\"}\n\n", HEARTH_ERROR_SERVER_ERROR },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HearthTestStream) result = parse_string (cases[i].format, cases[i].text);

      g_assert_error (result->error, HEARTH_ERROR, cases[i].code);
    }
}

static void
test_server_error_message (void)
{
  g_autoptr(HearthTestStream) result = parse_string (OPENAI,
                                           "event: error\ndata: {\"message\":\"overloaded\"}\n\n");

  g_autoptr(HearthTestStream) llamacpp = parse_string (OPENAI, DELTA ("kept") "error: {\"code\":500,"
                                                    "\"message\":\"slot crashed\"}\n\n");

  g_assert_nonnull (strstr (result->error->message, "overloaded"));
  g_assert_error (llamacpp->error, HEARTH_ERROR, HEARTH_ERROR_SERVER_ERROR);
  g_assert_nonnull (strstr (llamacpp->error->message, "slot crashed"));
  g_assert_cmpstr (llamacpp->content->str, ==, "kept");
}

static void
test_malformed (void)
{
  const struct
  {
    HearthStreamFormat  format;
    const char         *line;
  } cases[] = {
    { OLLAMA, "not json" },
    { OLLAMA, "[1,2]" },
    { OLLAMA, "\"text\"" },
    { OLLAMA, "{\"foo\":1}" },
    { OLLAMA, "{\"message\":\"hi\",\"done\":false}" },
    { OLLAMA, "{\"message\":{\"content\":5},\"done\":false}" },
    { OLLAMA, "{\"message\":{\"content\":\"a\"},\"done\":\"yes\"}" },
    { OLLAMA, "{\"message\":{\"content\":\"\xff\"},\"done\":false}" },
    { OLLAMA, "data: {\"choices\":[]}" },
    { OPENAI, "data: hello" },
    { OPENAI, "data: [1]" },
    { OPENAI, "data: {\"object\":\"chat.completion.chunk\"}" },
    { OPENAI, "data: {\"choices\":{}}" },
    { OPENAI, "data: {\"choices\":[5]}" },
    { OPENAI, "data: {\"choices\":[{\"delta\":\"x\"}]}" },
    { OPENAI, "data: {\"choices\":[{\"delta\":{\"content\":[1]}}]}" },
    { OPENAI, "data: {\"usage\":7}" },
    { OPENAI, "{\"message\":{\"content\":\"ndjson\"},\"done\":false}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *good = cases[i].format == OLLAMA
                         ? "{\"message\":{\"content\":\"ok\"},\"done\":false}\n"
                         : "data: {\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}\n\n";
      g_autofree char *text = g_strconcat (good, cases[i].line, "\n\n", good, NULL);
      g_autofree char *escaped = g_strescape (cases[i].line, NULL);
      g_autoptr(HearthTestStream) result = parse_string (cases[i].format, text);

      g_test_message ("case %u: %s", i, escaped);
      g_assert_error (result->error, HEARTH_ERROR, HEARTH_ERROR_MALFORMED_STREAM);
      g_assert_cmpstr (result->content->str, ==, "ok");
    }
}

/* A NUL in a reply would cut every C string made from it short: it
 * arrives as U+FFFD, visibly, and the text after it is kept. An escaped
 * backslash before "u0000" is text, not a NUL. */
static void
test_nul_in_reply (void)
{
  g_autoptr(HearthTestStream) ollama = parse_string (OLLAMA, "{\"message\":{\"content\":\"before\\u0000after\"},"
                                                   "\"done\":false}\n{\"done\":true}\n");
  g_autoptr(HearthTestStream) openai = parse_string (OPENAI, DELTA ("before\\u0000after") "data: [DONE]\n\n");
  g_autoptr(HearthTestStream) literal = parse_string (OLLAMA, "{\"message\":{\"content\":\"a\\\\u0000b\"},"
                                                    "\"done\":false}\n{\"done\":true}\n");

  g_assert_no_error (ollama->error);
  g_assert_cmpstr (ollama->content->str, ==, "before\xef\xbf\xbd" "after");
  g_assert_no_error (openai->error);
  g_assert_cmpstr (openai->content->str, ==, "before\xef\xbf\xbd" "after");
  g_assert_no_error (literal->error);
  g_assert_cmpstr (literal->content->str, ==, "a\\u0000b");
}

static void
test_malformed_quote (void)
{
  GString *line = g_string_new ("\x01\\\x1b");
  g_autoptr(HearthTestStream) result = NULL;
  const char *open;
  const char *close;

  while (line->len < 60)
    g_string_append_c (line, 'a');
  g_string_append (line, "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB\n");
  result = parse_string (OLLAMA, line->str);
  g_string_free (line, TRUE);

  g_assert_error (result->error, HEARTH_ERROR, HEARTH_ERROR_MALFORMED_STREAM);
  g_assert_true (g_utf8_validate (result->error->message, -1, NULL));
  open = strstr (result->error->message, "“\\x01\\x5c\\x1baaa");
  close = strstr (result->error->message, "a…”");
  g_assert_nonnull (open);
  g_assert_nonnull (close);
  g_assert_null (strchr (result->error->message, 'B'));
  g_assert_null (strchr (result->error->message, '\x01'));
}

static void
test_broken_stream (void)
{
  g_autoptr(HearthTestStream) result = parse_string (OLLAMA,
                                           "{\"message\":{\"content\":\"cut\"},\"done\":false}\n"
                                           "{\"message\":{\"content\":\" of");

  g_assert_error (result->error, HEARTH_ERROR, HEARTH_ERROR_MALFORMED_STREAM);
  g_assert_cmpstr (result->content->str, ==, "cut");
}

/* Size */

static void
test_line_limit (void)
{
  g_autofree char *block = g_malloc (MiB);
  g_autoptr(HearthTestStream) result = result_new ();
  g_autoptr(HearthStreamParser) parser = parser_new (OLLAMA, result);
  g_autoptr(GError) error = NULL;
  guint i;

  memset (block, 'a', MiB);
  feed_string (parser, "{\"message\":{\"content\":\"");
  for (i = 0; i < 17 && hearth_stream_parser_feed (parser, block, MiB, &error); i++)
    ;
  g_assert_cmpuint (i, ==, 15);
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_MALFORMED_STREAM);
}

static void
test_line_limit_in_one_feed (void)
{
  for (guint f = 0; f < 2; f++)
    {
      GString *text = g_string_new (f == 0 ? "{\"x\":\"" : "data: \"");
      g_autoptr(HearthTestStream) result = result_new ();
      g_autoptr(HearthStreamParser) parser = parser_new (f == 0 ? OLLAMA : OPENAI, result);
      g_autoptr(GError) error = NULL;

      /* For SSE, the event joined from its data: lines is what grows too big. */
      while (text->len <= (f == 0 ? 16 : 30) * MiB)
        g_string_append (text, f == 0 ? "aaaaaaaaaaaaaaaa" : "aaaaaaa\ndata: ");
      g_string_append (text, "\"}\n");
      g_assert_false (hearth_stream_parser_feed (parser, text->str, text->len, &error));
      g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_MALFORMED_STREAM);
      g_string_free (text, TRUE);
    }
}

static void
test_long_reply (void)
{
  GString *text = g_string_new (NULL);
  g_autofree char *word = g_strnfill (996, 'w');
  g_autofree char *big = g_strnfill (15 * MiB, 'w');
  g_autofree char *one_line = NULL;
  g_autoptr(HearthTestStream) many = NULL;
  g_autoptr(HearthTestStream) single = NULL;

  for (guint i = 0; i < 4000; i++)
    g_string_append_printf (text, "{\"message\":{\"content\":\"%s%04u\"},\"done\":false}\n",
                            word, i);
  g_string_append (text, "{\"done\":true}\n");
  many = parse_stream (OLLAMA, text->str, text->len, 4096, 0);
  g_string_free (text, TRUE);
  g_assert_no_error (many->error);
  g_assert_cmpuint (many->content->len, ==, 4000000);
  g_assert_cmpuint (many->n_deltas, ==, 4000);

  one_line = g_strdup_printf ("{\"message\":{\"content\":\"%s\"},\"done\":true}", big);
  single = parse_stream (OLLAMA, one_line, strlen (one_line), MiB, 0);
  g_assert_no_error (single->error);
  g_assert_cmpuint (single->content->len, ==, 15 * MiB);
}

/* Each feed must search only the new bytes: rescanning the pending line would make
 * this quadratic (hours instead of milliseconds). */
static void
test_long_line_byte_by_byte (void)
{
  g_autofree char *word = g_strnfill (4 * MiB, 'w');
  g_autofree char *line = g_strdup_printf ("{\"message\":{\"content\":\"%s\"},\"done\":true}\n",
                                           word);
  g_autoptr(HearthTestStream) result = parse_stream (OLLAMA, line, strlen (line), 1, 0);

  g_assert_no_error (result->error);
  g_assert_cmpuint (result->content->len, ==, 4 * MiB);
}

/* Fast path against json-glib */

/* Parses @data once with the fast path and once with json-glib alone; both must
 * deliver the same, down to the words of an error. */
static void
assert_same_as_json_glib (HearthStreamFormat  format,
                          const char         *data,
                          gsize               len)
{
  g_autoptr(HearthTestStream) fast = NULL;
  g_autoptr(HearthTestStream) slow = NULL;
  g_autofree char *escaped = g_strescape (data, NULL);

  fast = parse_stream (format, data, len, 0, len);
  g_setenv ("HEARTH_PARSER_NO_FAST_PATH", "1", TRUE);
  slow = parse_stream (format, data, len, 0, len);
  g_unsetenv ("HEARTH_PARSER_NO_FAST_PATH");

  if (g_test_verbose ())
    g_test_message ("%s", escaped);
  assert_same_result (slow, fast);
  if (slow->error != NULL)
    g_assert_cmpstr (slow->error->message, ==, fast->error->message);
}

static void
assert_line_same_as_json_glib (HearthStreamFormat  format,
                               const char         *line)
{
  g_autofree char *text = NULL;

  if (format == OLLAMA)
    text = g_strconcat (LINE ("a", "false") "\n", line, "\n" LINE ("z", "true") "\n", NULL);
  else
    text = g_strconcat (DELTA ("a") "data: ", line, "\n\n" DELTA ("z") "data: [DONE]\n\n", NULL);
  assert_same_as_json_glib (format, text, strlen (text));
}

static const char * const tricky_ollama[] = {
  /* Escapes and Unicode */
  "{\"message\":{\"content\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"},\"done\":false}",
  "{\"message\":{\"content\":\"\\u00e9\\u00E9 \\ud83d\\ude00 \\uD83D\\uDE00 \\u20ac\"},\"done\":false}",
  "{\"message\":{\"content\":\"caf\xc3\xa9 \xf0\x9f\x94\xa5 \xe4\xbd\xa0\"},\"done\":false}",
  "{\"message\":{\"content\":\"\\ud83d\"},\"done\":false}",
  "{\"message\":{\"content\":\"\\ude00\"},\"done\":false}",
  "{\"message\":{\"content\":\"\\ud83d\\u0041\"},\"done\":false}",
  "{\"message\":{\"content\":\"\\ud83dx\"},\"done\":false}",
  "{\"message\":{\"content\":\"a\\u0000b\"},\"done\":false}",
  "{\"message\":{\"content\":\"a\\\\u0000b\"},\"done\":false}",
  "{\"message\":{\"content\":\"\\u0001\\u001f\\u007f\"},\"done\":false}",
  "{\"message\":{\"content\":\"\\x41\"},\"done\":false}",
  "{\"message\":{\"content\":\"\\u12\"},\"done\":false}",
  "{\"message\":{\"content\":\"\\u12g4\"},\"done\":false}",
  "{\"message\":{\"content\":\"\\'\"},\"done\":false}",
  "{\"message\":{\"content\":\"tab\there\"},\"done\":false}",
  "{\"message\":{\"content\":\"\x7f\"},\"done\":false}",
  "{\"message\":{\"content\":\"\xc3\"},\"done\":false}",
  "{\"message\":{\"content\":\"\xc0\xaf\"},\"done\":false}",
  "{\"message\":{\"content\":\"\xed\xa0\x80\"},\"done\":false}",
  "{\"message\":{\"content\":\"\xf4\x90\x80\x80\"},\"done\":false}",
  "{\"message\":{\"content\":\"x\"},\"done\":false,\"caf\xc3\xa9\":\"\xc3\"}",
  "{\"message\":{\"content\":\"x\"},\"done\":false,\"k\\u0065y\":1}",
  "{\"m\\u0065ssage\":{\"content\":\"x\"},\"done\":false}",
  "{\"message\":{\"content\":\"x\"},\"done\":false,\"\":1}",
  /* Numbers */
  "{\"done\":true,\"total_duration\":1e3,\"load_duration\":-0,\"eval_count\":1.5,"
  "\"eval_duration\":1E+2,\"prompt_eval_count\":-7,\"prompt_eval_duration\":2.5e-1}",
  "{\"done\":true,\"total_duration\":9223372036854775807,\"eval_count\":123456789012345678}",
  "{\"done\":true,\"total_duration\":9223372036854775808,\"eval_count\":-9223372036854775808}",
  "{\"done\":true,\"total_duration\":99999999999999999999999,\"big\":1e400}",
  "{\"done\":true,\"total_duration\":0.1,\"eval_count\":1.5e18,\"max\":1.7976931348623157e308,"
  "\"load_duration\":5e-324,\"eval_duration\":123456789.123456789}",
  "{\"done\":true,\"total_duration\":01}",
  "{\"done\":true,\"total_duration\":1.}",
  "{\"done\":true,\"total_duration\":.5}",
  "{\"done\":true,\"total_duration\":+1}",
  "{\"done\":true,\"total_duration\":1e}",
  "{\"done\":true,\"total_duration\":0x10}",
  "{\"done\":true,\"total_duration\":-}",
  "{\"done\":true,\"total_duration\":\"12\",\"eval_count\":null,\"load_duration\":true,"
  "\"eval_duration\":[1],\"prompt_eval_count\":{\"n\":1}}",
  /* Unknown members, nested */
  "{\"details\":{\"a\":[1,{\"b\":[[],{}]},\"c\",null,true,false,-1.5e3],\"d\":{}},"
  "\"message\":{\"role\":\"assistant\",\"content\":\"x\",\"images\":[\"\\u00e9\"],"
  "\"tool_calls\":[{\"function\":{\"name\":\"f\",\"arguments\":{\"x\":1}}}]},\"done\":false}",
  "{\"message\":{\"content\":\"x\"},\"done\":false,\"deep\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
  "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
  "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
  /* Whitespace */
  " \t{ \"message\" : { \"content\" : \"x\" } , \"done\" : false } \t",
  "{\r\"message\"\r:{\"content\":\"x\"},\"done\":false}",
  "{\"message\":{\"content\":\"x\"},\"done\":false}\f",
  "{\"message\":{\"content\":\"x\"},\"done\":false}\v",
  "{\"message\":{\"content\":\"x\"},\"done\":false} {}",
  "{\"message\":{\"content\":\"x\"},\"done\":false},",
  "{\"message\":{\"content\":\"x\"},\"done\":false,}",
  "{\"message\":{\"content\":\"x\",},\"done\":false}",
  "{\"message\":{\"content\":\"x\"},\"done\":false /* c */}",
  "{\"message\":{\"content\":\"x\"},\"done\":false // c",
  "{'message':{'content':'x'},'done':false}",
  "{message:{content:\"x\"},done:false}",
  /* Duplicates and odd types */
  "{\"message\":{\"content\":\"a\",\"content\":\"b\"},\"done\":false}",
  "{\"message\":{\"content\":\"a\"},\"done\":false,\"done\":true}",
  "{\"model\":\"a\",\"model\":\"b\",\"done\":true}",
  "{\"x\":1,\"x\":2,\"message\":{\"content\":\"a\"},\"done\":false}",
  "{\"message\":{\"content\":null,\"thinking\":\"t\"},\"done\":false}",
  "{\"message\":{\"content\":\"\",\"thinking\":\"\"},\"done\":false}",
  "{\"message\":null,\"done\":false}",
  "{\"message\":null}",
  "{\"message\":{},\"done\":null}",
  "{\"message\":{\"content\":false},\"done\":false}",
  "{\"message\":[],\"done\":false}",
  "{\"message\":{\"content\":\"x\"},\"done\":TRUE}",
  "{\"message\":{\"content\":\"x\"},\"done\":tru}",
  "{\"message\":{\"content\":\"x\"},\"done\":nul}",
  "{\"message\":{\"content\":\"x\"},\"done\":false,\"model\":5}",
  "{\"message\":{\"content\":\"x\"},\"done\":true,\"done_reason\":[\"stop\"]}",
  /* Errors */
  "{\"error\":null,\"message\":{\"content\":\"x\"},\"done\":false}",
  "{\"error\":\"boom\",\"message\":{\"content\":\"x\"},\"done\":false}",
  "{\"error\":{\"message\":\"gone\"},\"done\":false}",
  "{\"error\":{\"code\":3},\"done\":false}",
  "{\"error\":\"a\",\"error\":null}",
  "{\"message\":{\"content\":\"x\"",
  "{\"message\":{\"content\":\"x\"},\"done\":false",
  "{\"message\":{\"content\":\"x},\"done\":false}",
  "{",
  "}",
  "[]",
  "null",
  "{}",
};

static const char * const tricky_openai[] = {
  "{\"choices\":[{\"delta\":{\"content\":\"\\u00e9\\ud83d\\ude00\\n\"}}]}",
  "{\"choices\":[{\"delta\":{\"content\":\"a\"}},{\"delta\":{\"content\":5}},7]}",
  "{\"choices\":[{\"delta\":{\"reasoning_content\":\"r\",\"reasoning\":\"s\"}}]}",
  "{\"choices\":[{\"delta\":{\"reasoning_content\":null,\"reasoning\":\"s\"}}]}",
  "{\"choices\":[{\"delta\":{\"content\":\"a\",\"content\":\"b\"}}]}",
  "{\"choices\":[{\"delta\":null,\"finish_reason\":\"stop\"}]}",
  "{\"choices\":[{\"finish_reason\":\"length\"}]}",
  "{\"choices\":[{\"delta\":{},\"finish_reason\":7}]}",
  "{\"choices\":[{\"delta\":{},\"finish_reason\":\"a\",\"finish_reason\":\"b\"}]}",
  "{\"choices\":[null]}",
  "{\"choices\":[[]]}",
  "{\"choices\":[\"x\"]}",
  "{\"choices\":null}",
  "{\"choices\":[],\"choices\":[]}",
  "{\"choices\":[],\"usage\":null}",
  "{\"choices\":[],\"usage\":{\"prompt_tokens\":1.9,\"completion_tokens\":\"2\"}}",
  "{\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4},\"timings\":null}",
  "{\"usage\":null,\"timings\":null}",
  "{\"timings\":{\"prompt_ms\":1e2,\"predicted_per_second\":-0.0,\"prompt_n\":2.7,"
  "\"predicted_n\":-1,\"prompt_per_second\":null}}",
  "{\"timings\":[]}",
  "{\"model\":\"m\\u00e9\",\"choices\":[{\"index\":0,\"logprobs\":{\"content\":[{\"t\":[1,2]}]},"
  "\"delta\":{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"x\"}],\"content\":\"c\"}}]}",
  "{\"error\":null,\"choices\":[{\"delta\":{\"content\":\"c\"}}]}",
  "{\"error\":{\"message\":\"nope\",\"code\":\"model_not_found\"}}",
  "{\"error\":\"plain\",\"choices\":[]}",
  " { \"choices\" : [ { \"delta\" : { \"content\" : \"w\" } } ] } ",
  "{\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\r",
  "{\"choices\":[{\"delta\":{\"content\":\"x\"}}]",
  "{\"choices\":[{\"delta\":{\"content\":\"x\"}}]}}",
  "{\"choices\":[{\"delta\":{\"content\":\"x\"}},]}",
};

static void
test_fast_path_tricky (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (tricky_ollama); i++)
    assert_line_same_as_json_glib (OLLAMA, tricky_ollama[i]);
  for (guint i = 0; i < G_N_ELEMENTS (tricky_openai); i++)
    assert_line_same_as_json_glib (OPENAI, tricky_openai[i]);
}

/* Multi-line SSE events join with "\n", which is whitespace inside JSON. */
static void
test_fast_path_multiline_event (void)
{
  const char *event = "data: {\"choices\":\ndata: [{\"delta\":\ndata: {\"content\":\"j\"}}]}\n\n"
                      "data: {\"choices\":[{\"delta\":{\"content\":\"a\ndata: b\"}}]}\n\n"
                      "data: [DONE]\n\n";

  assert_same_as_json_glib (OPENAI, event, strlen (event));
}

/* Random damage to recorded streams: the fast path must never accept what json-glib
 * reads differently. */
static void
test_fast_path_mutations (void)
{
  const char *files[] = { "ollama-chat.ndjson", "ollama-thinking.ndjson", "openai-chat.sse",
                          "llamacpp-timings.sse", "lmstudio-reasoning.sse" };
  static const char alphabet[] = "{}[]\":,\\ \t\r-+.eE0159tfnul/ubx\x01\x7f\xc3\xa9\xed\xf0";
  GRand *rand = g_rand_new_with_seed (20250314);
  guint n_runs = g_test_slow () ? 20000 : 1500;

  for (guint run = 0; run < n_runs; run++)
    {
      const char *file = files[run % G_N_ELEMENTS (files)];
      HearthStreamFormat format = g_str_has_suffix (file, ".sse") ? OPENAI : OLLAMA;
      gsize len;
      g_autofree char *contents = load_stream (file, &len);
      GString *text = g_string_new_len (contents, len);
      guint n_edits = g_rand_int_range (rand, 1, 4);

      for (guint e = 0; e < n_edits && text->len > 0; e++)
        {
          gsize pos = g_rand_int_range (rand, 0, text->len);
          char c = alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];

          switch (g_rand_int_range (rand, 0, 3))
            {
            case 0:
              text->str[pos] = c;
              break;
            case 1:
              g_string_insert_c (text, pos, c);
              break;
            default:
              g_string_erase (text, pos, 1);
              break;
            }
        }
      assert_same_as_json_glib (format, text->str, text->len);
      g_string_free (text, TRUE);
    }
  g_rand_free (rand);
}

int
main (int   argc,
      char *argv[])
{
  hearth_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (stream_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/stream-parser/recorded/%s",
                                               stream_cases[i].file);

      g_test_add_data_func (path, &stream_cases[i], test_recorded);
    }
  g_test_add_func ("/stream-parser/chunking/per-complete-line", test_delta_per_complete_line);
  g_test_add_func ("/stream-parser/chunking/blank-lines", test_blank_lines);
  g_test_add_func ("/stream-parser/chunking/byte-order-mark", test_byte_order_mark);
  g_test_add_func ("/stream-parser/figures/missing", test_missing_figures);
  g_test_add_func ("/stream-parser/figures/usage-and-timings", test_usage_and_timings);
  g_test_add_func ("/stream-parser/figures/usage-after-finish", test_usage_after_finish);
  g_test_add_func ("/stream-parser/done/finish-reason-without-marker",
                   test_finish_reason_without_done_marker);
  g_test_add_func ("/stream-parser/done/later-data-ignored", test_after_done_ignored);
  g_test_add_func ("/stream-parser/sse/fields", test_sse_fields);
  g_test_add_func ("/stream-parser/sse/multiline-event", test_sse_multiline_event);
  g_test_add_func ("/stream-parser/errors/empty-stream", test_empty_stream);
  g_test_add_func ("/stream-parser/errors/server", test_server_errors);
  g_test_add_func ("/stream-parser/errors/server-message", test_server_error_message);
  g_test_add_func ("/stream-parser/errors/malformed", test_malformed);
  g_test_add_func ("/stream-parser/errors/malformed-quote", test_malformed_quote);
  g_test_add_func ("/stream-parser/text/nul", test_nul_in_reply);
  g_test_add_func ("/stream-parser/errors/unterminated-line", test_broken_stream);
  g_test_add_func ("/stream-parser/size/line-limit", test_line_limit);
  g_test_add_func ("/stream-parser/size/line-limit-in-one-feed", test_line_limit_in_one_feed);
  g_test_add_func ("/stream-parser/size/long-reply", test_long_reply);
  g_test_add_func ("/stream-parser/size/long-line-byte-by-byte", test_long_line_byte_by_byte);
  g_test_add_func ("/stream-parser/fast-path/tricky", test_fast_path_tricky);
  g_test_add_func ("/stream-parser/fast-path/multiline-event", test_fast_path_multiline_event);
  g_test_add_func ("/stream-parser/fast-path/mutations", test_fast_path_mutations);

  return g_test_run ();
}
