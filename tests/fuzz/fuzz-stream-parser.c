/* fuzz-stream-parser.c — a chat stream from a server, NDJSON or SSE
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Built three times, as fuzz-stream-ndjson, fuzz-stream-sse and
 * fuzz-stream-anthropic (FUZZ_FORMAT; Anthropic's events have no fast path,
 * so both runs there go through json-glib, cut differently). The
 * input's first byte picks how the rest is cut into reads; the rest is the
 * stream. It is parsed twice: in those reads with the fast JSON scanner, and
 * in one read with json-glib alone. The scanner promises to give a line up
 * before any side effect when it is unsure, and the cut of the reads must not
 * matter, so both runs must deliver exactly the same reply, figures and error.
 */
#include <string.h>

#include "hearth-fuzz.h"
#include "hearth-test-stream.h"

typedef HearthTestStream Result;

static void
parse (const char *data,
       gsize       len,
       gsize       read_size,
       gboolean    fast_path,
       Result     *r)
{
  g_autoptr(HearthStreamParser) parser = NULL;
  gboolean ok = TRUE;

  if (fast_path)
    g_unsetenv ("HEARTH_PARSER_NO_FAST_PATH");
  else
    g_setenv ("HEARTH_PARSER_NO_FAST_PATH", "1", TRUE);
  hearth_test_stream_init (r);
  parser = hearth_stream_parser_new (FUZZ_FORMAT, &hearth_test_stream_callbacks, r);
  for (gsize offset = 0; ok && offset < len; offset += read_size)
    ok = hearth_stream_parser_feed (parser, data + offset, MIN (read_size, len - offset),
                                    &r->error);
  if (ok)
    ok = hearth_stream_parser_finish (parser, &r->error);

  g_assert (ok == (r->error == NULL));
  g_assert_cmpuint (r->n_done, <=, 1);
  g_assert (!ok || r->n_done == 1);
  g_assert (hearth_stream_parser_is_done (parser) == (r->n_done == 1));
  /* What reaches the history, a label or a terminal is UTF-8, whatever came in. */
  g_assert_true (g_utf8_validate_len (r->content->str, r->content->len, NULL));
  g_assert_true (g_utf8_validate_len (r->thinking->str, r->thinking->len, NULL));
  g_assert_true (r->figures.model == NULL || g_utf8_validate (r->figures.model, -1, NULL));
  g_assert_true (r->error == NULL || g_utf8_validate (r->error->message, -1, NULL));
}

static void
assert_same (const Result *a,
             const Result *b)
{
  g_assert_cmpstr (a->content->str, ==, b->content->str);
  g_assert_cmpstr (a->thinking->str, ==, b->thinking->str);
  g_assert_cmpuint (a->n_deltas, ==, b->n_deltas);
  g_assert_cmpuint (a->n_done, ==, b->n_done);
  hearth_test_stream_assert_figures_equal (&a->figures, &b->figures);
  g_assert ((a->error == NULL) == (b->error == NULL));
  if (a->error != NULL)
    {
      g_assert_cmpint (a->error->code, ==, b->error->code);
      g_assert_cmpstr (a->error->message, ==, b->error->message);
    }
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  hearth_fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  Result cut = { 0 };
  Result whole = { 0 };
  gsize read_size;

  if (size == 0)
    return 0;
  /* 1 to 64 bytes per read: every split of a line, a UTF-8 character or a "\r\n". */
  read_size = 1 + data[0] % 64;
  parse ((const char *) data + 1, size - 1, read_size, TRUE, &cut);
  parse ((const char *) data + 1, size - 1, size, FALSE, &whole);
  assert_same (&cut, &whole);
  hearth_test_stream_clear (&cut);
  hearth_test_stream_clear (&whole);
  return 0;
}
