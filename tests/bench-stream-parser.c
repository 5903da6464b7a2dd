/* bench-stream-parser.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "hearth-stream-parser.h"

#define N_TOKENS 10000
#define N_RUNS   100

static const char * const words[] = {
  " the", " model", " answered", " quickly", ",", " and", " café", " 🔥", "\\n", " token",
};

/* Lines as Ollama writes them, one token each, plus the final figures. */
static GPtrArray *
make_stream (void)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < N_TOKENS; i++)
    g_ptr_array_add (lines,
                     g_strdup_printf ("{\"model\":\"llama3.2:latest\","
                                      "\"created_at\":\"2025-03-14T09:26:53.%09uZ\","
                                      "\"message\":{\"role\":\"assistant\",\"content\":\"%s\"},"
                                      "\"done\":false}\n",
                                      i * 20000, words[i % G_N_ELEMENTS (words)]));
  g_ptr_array_add (lines,
                   g_strdup ("{\"model\":\"llama3.2:latest\","
                             "\"created_at\":\"2025-03-14T09:27:03Z\","
                             "\"message\":{\"role\":\"assistant\",\"content\":\"\"},"
                             "\"done_reason\":\"stop\",\"done\":true,\"total_duration\":4883583458,"
                             "\"load_duration\":1334875,\"prompt_eval_count\":26,"
                             "\"prompt_eval_duration\":342546000,\"eval_count\":10000,"
                             "\"eval_duration\":4535599000}\n"));
  return lines;
}

static void
on_delta (const char *content,
          const char *thinking,
          gpointer    user_data)
{
  gsize *n_bytes = user_data;

  *n_bytes += content != NULL ? strlen (content) : 0;
}

static void
on_done (const HearthServerFigures *figures,
         gpointer                   user_data)
{
}

/* Feeds one line per call, as tokens arrive from the network. */
static gsize
parse_once (GPtrArray *lines)
{
  const HearthStreamCallbacks callbacks = { on_delta, on_done };
  gsize n_bytes = 0;
  g_autoptr(HearthStreamParser) parser = NULL;
  g_autoptr(GError) error = NULL;

  parser = hearth_stream_parser_new (HEARTH_STREAM_FORMAT_OLLAMA_NDJSON, &callbacks, &n_bytes);
  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = g_ptr_array_index (lines, i);

      if (!hearth_stream_parser_feed (parser, line, strlen (line), &error))
        g_error ("%s", error->message);
    }
  if (!hearth_stream_parser_finish (parser, &error))
    g_error ("%s", error->message);
  return n_bytes;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) lines = make_stream ();
  gsize n_bytes = parse_once (lines);
  gint64 start;
  gint64 elapsed_us;

  start = g_get_monotonic_time ();
  for (guint run = 0; run < N_RUNS; run++)
    g_assert_cmpuint (parse_once (lines), ==, n_bytes);
  elapsed_us = g_get_monotonic_time () - start;

  g_print ("stream-parser: %.0f ns/token\n",
           elapsed_us * 1000.0 / ((double) N_TOKENS * N_RUNS));
  return 0;
}
