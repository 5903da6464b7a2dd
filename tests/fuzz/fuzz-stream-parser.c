/* fuzz-stream-parser.c — a chat stream from a server, NDJSON or SSE
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Built twice, as fuzz-stream-ndjson and fuzz-stream-sse (FUZZ_FORMAT). The
 * input's first byte picks how the rest is cut into reads; the rest is the
 * stream. It is parsed twice: in those reads with the fast JSON scanner, and
 * in one read with json-glib alone. The scanner promises to give a line up
 * before any side effect when it is unsure, and the cut of the reads must not
 * matter, so both runs must deliver exactly the same reply, figures and error.
 */
#include <math.h>
#include <string.h>

#include "hearth-fuzz.h"
#include "hearth-stream-parser.h"

typedef struct
{
  GString             *content;
  GString             *thinking;
  guint                n_deltas;
  guint                n_done;
  HearthServerFigures  figures;
  GError              *error;
} Result;

static void
delta_cb (const char *content,
          const char *thinking,
          gpointer    user_data)
{
  Result *r = user_data;

  g_assert (content != NULL || thinking != NULL);
  g_assert (content == NULL || *content != '\0');
  g_assert (thinking == NULL || *thinking != '\0');
  g_assert_cmpuint (r->n_done, ==, 0);
  if (content != NULL)
    g_string_append (r->content, content);
  if (thinking != NULL)
    g_string_append (r->thinking, thinking);
  r->n_deltas++;
}

static void
done_cb (const HearthServerFigures *figures,
         gpointer                   user_data)
{
  Result *r = user_data;

  r->n_done++;
  hearth_server_figures_copy (&r->figures, figures);
}

static void
parse (const char *data,
       gsize       len,
       gsize       read_size,
       gboolean    fast_path,
       Result     *r)
{
  static const HearthStreamCallbacks callbacks = { delta_cb, done_cb };
  g_autoptr(HearthStreamParser) parser = NULL;
  gboolean ok = TRUE;

  if (fast_path)
    g_unsetenv ("HEARTH_PARSER_NO_FAST_PATH");
  else
    g_setenv ("HEARTH_PARSER_NO_FAST_PATH", "1", TRUE);
  parser = hearth_stream_parser_new (FUZZ_FORMAT, &callbacks, r);

  r->content = g_string_new (NULL);
  r->thinking = g_string_new (NULL);
  hearth_server_figures_init (&r->figures);
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
result_clear (Result *r)
{
  g_string_free (r->content, TRUE);
  g_string_free (r->thinking, TRUE);
  hearth_server_figures_clear (&r->figures);
  g_clear_error (&r->error);
}

/* Equal, or both NaN; -1 stands for "missing" on both paths. */
static void
assert_same_double (double a,
                    double b)
{
  g_assert_true ((isnan (a) && isnan (b)) || a == b);
}

static void
assert_same (const Result *a,
             const Result *b)
{
  g_assert_cmpstr (a->content->str, ==, b->content->str);
  g_assert_cmpstr (a->thinking->str, ==, b->thinking->str);
  g_assert_cmpuint (a->n_deltas, ==, b->n_deltas);
  g_assert_cmpuint (a->n_done, ==, b->n_done);
  g_assert_cmpstr (a->figures.model, ==, b->figures.model);
  g_assert_cmpstr (a->figures.done_reason, ==, b->figures.done_reason);
  g_assert_cmpint (a->figures.prompt_tokens, ==, b->figures.prompt_tokens);
  g_assert_cmpint (a->figures.completion_tokens, ==, b->figures.completion_tokens);
  g_assert_cmpint (a->figures.total_duration_ns, ==, b->figures.total_duration_ns);
  g_assert_cmpint (a->figures.load_duration_ns, ==, b->figures.load_duration_ns);
  g_assert_cmpint (a->figures.prompt_eval_duration_ns, ==, b->figures.prompt_eval_duration_ns);
  g_assert_cmpint (a->figures.eval_duration_ns, ==, b->figures.eval_duration_ns);
  assert_same_double (a->figures.prompt_ms, b->figures.prompt_ms);
  assert_same_double (a->figures.prompt_per_second, b->figures.prompt_per_second);
  assert_same_double (a->figures.predicted_ms, b->figures.predicted_ms);
  assert_same_double (a->figures.predicted_per_second, b->figures.predicted_per_second);
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
  result_clear (&cut);
  result_clear (&whole);
  return 0;
}
