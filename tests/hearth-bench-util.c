/* hearth-bench-util.c — figures and fixtures shared by the UI benchmarks
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "hearth-bench-util.h"

static const char * const words[] = {
  "the", "of", "and", "to", "a", "in", "is", "it", "that", "for", "on", "with", "as", "this",
  "from", "or", "by", "not", "but", "what", "some", "can", "other", "when", "use", "how",
  "each", "which", "their", "time", "if", "will", "way", "about", "many", "then", "would",
  "like", "so", "these", "long", "make", "more", "could", "number", "people", "over", "than",
  "first", "water", "been", "find", "new", "work", "part", "take", "place", "after", "back",
  "model", "server", "token", "memory", "prompt", "context", "latency", "kernel", "python",
  "function", "variable", "compile", "database", "query", "index", "thread", "network",
  "buffer", "stream", "parser", "gradient", "tensor", "matrix", "cache", "garden", "recipe",
  "café", "naïve", "résumé", "Zürich",
};

int
hearth_bench_compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Nearest rank on a sorted copy, so the caller's order is kept. */
double
hearth_bench_percentile (double *values,
                         guint   n,
                         double  fraction)
{
  g_autofree double *sorted = NULL;
  guint rank;

  if (n == 0)
    return 0;
  sorted = g_memdup2 (values, n * sizeof *values);
  qsort (sorted, n, sizeof *sorted, hearth_bench_compare_doubles);
  rank = (guint) (fraction * n + 0.999999);
  return sorted[CLAMP (rank, 1, n) - 1];
}

double
hearth_bench_median (double *values,
                     guint   n)
{
  g_autofree double *sorted = NULL;

  if (n == 0)
    return 0;
  sorted = g_memdup2 (values, n * sizeof *values);
  qsort (sorted, n, sizeof *sorted, hearth_bench_compare_doubles);
  return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

double
hearth_bench_max (const double *values,
                  guint         n)
{
  double max = 0;

  for (guint i = 0; i < n; i++)
    max = MAX (max, values[i]);
  return max;
}

guint64
hearth_bench_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmRSS:")) == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10);
}

static void
append_words (GString *out,
              GRand   *rand,
              guint    n)
{
  for (guint i = 0; i < n; i++)
    {
      const char *word = words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))];

      if (i > 0)
        g_string_append_c (out, ' ');
      if (g_rand_int_range (rand, 0, 40) == 0)
        g_string_append_printf (out, "**%s**", word);
      else
        g_string_append (out, word);
    }
}

static void
append_code_fence (GString *out,
                   GRand   *rand)
{
  guint lines = g_rand_int_range (rand, 3, 12);

  g_string_append (out, "```python\n");
  for (guint i = 0; i < lines; i++)
    g_string_append_printf (out, "%*sresult_%u = compute(%u, \"%s\")\n", (int) (i % 3) * 4, "",
                            i, g_rand_int_range (rand, 0, 1000),
                            words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
  g_string_append (out, "```\n\n");
}

/* An assistant reply of about @n_words words: paragraphs with some bold,
 * now and then a bulleted list or a fenced code block. */
char *
hearth_bench_markdown_reply (GRand *rand,
                             guint  n_words)
{
  GString *out = g_string_new (NULL);
  guint written = 0;

  while (written < n_words)
    {
      guint kind = g_rand_int_range (rand, 0, 6);
      guint n = MIN (n_words - written, (guint) g_rand_int_range (rand, 20, 70));

      if (kind == 0)
        {
          for (guint i = 0; i < 4 && written < n_words; i++, written += 8)
            {
              g_string_append (out, "- ");
              append_words (out, rand, 8);
              g_string_append_c (out, '\n');
            }
          g_string_append_c (out, '\n');
          continue;
        }
      if (kind == 1)
        append_code_fence (out, rand);
      append_words (out, rand, n);
      g_string_append (out, ".\n\n");
      written += n;
    }
  return g_string_free (out, FALSE);
}

static void
add_message (HearthStore *store,
             gint64       conversation_id,
             const char  *role,
             char        *content)
{
  g_autoptr(HearthMessage) message = hearth_message_new (role, NULL);
  g_autoptr(GError) error = NULL;

  g_free (message->content);
  message->content = content;
  message->conversation_id = conversation_id;
  if (g_str_equal (role, "assistant"))
    message->model = g_strdup ("bench:latest");
  hearth_store_add_message (store, message, &error);
  g_assert_no_error (error);
}

/* A conversation of @n_messages, user and assistant in turn, in one transaction. */
gint64
hearth_bench_fill_conversation (HearthStore *store,
                                const char  *title,
                                guint        n_messages,
                                GRand       *rand)
{
  g_autoptr(GError) error = NULL;
  gint64 id;

  g_assert_true (hearth_store_begin (store, &error));
  id = hearth_store_create_conversation (store, title, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n_messages; i++)
    {
      GString *question = g_string_new (NULL);

      if (i % 2 == 1)
        {
          add_message (store, id, "assistant",
                       hearth_bench_markdown_reply (rand, g_rand_int_range (rand, 100, 401)));
          continue;
        }
      append_words (question, rand, g_rand_int_range (rand, 5, 40));
      g_string_append_c (question, '?');
      add_message (store, id, "user", g_string_free (question, FALSE));
    }
  g_assert_true (hearth_store_commit (store, &error));
  return id;
}
