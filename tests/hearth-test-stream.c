/* hearth-test-stream.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include "hearth-test-stream.h"

static void
on_delta (const char *content,
          const char *thinking,
          gpointer    user_data)
{
  HearthTestStream *stream = user_data;

  g_assert_true (content != NULL || thinking != NULL);
  g_assert_true (content == NULL || *content != '\0');
  g_assert_true (thinking == NULL || *thinking != '\0');
  g_assert_cmpuint (stream->n_done, ==, 0);
  if (content != NULL)
    g_string_append (stream->content, content);
  if (thinking != NULL)
    g_string_append (stream->thinking, thinking);
  stream->n_deltas++;
}

static void
on_done (const HearthServerFigures *figures,
         gpointer                   user_data)
{
  HearthTestStream *stream = user_data;

  g_assert_cmpuint (stream->n_done, ==, 0);
  hearth_server_figures_copy (&stream->figures, figures);
  stream->n_done++;
}

const HearthStreamCallbacks hearth_test_stream_callbacks = { on_delta, on_done };

void
hearth_test_stream_init (HearthTestStream *stream)
{
  *stream = (HearthTestStream) { 0 };
  stream->content = g_string_new (NULL);
  stream->thinking = g_string_new (NULL);
  hearth_server_figures_init (&stream->figures);
}

void
hearth_test_stream_clear (HearthTestStream *stream)
{
  g_string_free (stream->content, TRUE);
  g_string_free (stream->thinking, TRUE);
  hearth_server_figures_clear (&stream->figures);
  g_clear_error (&stream->error);
}

HearthTestStream *
hearth_test_stream_new (void)
{
  HearthTestStream *stream = g_new (HearthTestStream, 1);

  hearth_test_stream_init (stream);
  return stream;
}

void
hearth_test_stream_free (HearthTestStream *stream)
{
  hearth_test_stream_clear (stream);
  g_free (stream);
}

/* Equal, or both NaN; -1 stands for "missing" on both sides. */
static void
assert_same_double (double a,
                    double b)
{
  g_assert_true ((isnan (a) && isnan (b)) || a == b);
}

void
hearth_test_stream_assert_figures_equal (const HearthServerFigures *a,
                                         const HearthServerFigures *b)
{
  g_assert_cmpstr (a->done_reason, ==, b->done_reason);
  g_assert_cmpstr (a->model, ==, b->model);
  g_assert_cmpint (a->prompt_tokens, ==, b->prompt_tokens);
  g_assert_cmpint (a->completion_tokens, ==, b->completion_tokens);
  g_assert_cmpint (a->total_duration_ns, ==, b->total_duration_ns);
  g_assert_cmpint (a->load_duration_ns, ==, b->load_duration_ns);
  g_assert_cmpint (a->prompt_eval_duration_ns, ==, b->prompt_eval_duration_ns);
  g_assert_cmpint (a->eval_duration_ns, ==, b->eval_duration_ns);
  assert_same_double (a->prompt_ms, b->prompt_ms);
  assert_same_double (a->prompt_per_second, b->prompt_per_second);
  assert_same_double (a->predicted_ms, b->predicted_ms);
  assert_same_double (a->predicted_per_second, b->predicted_per_second);
}
