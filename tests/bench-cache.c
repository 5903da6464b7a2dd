/* bench-cache.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hearth-cache.h"
#include "hearth-test-util.h"

#define N_ENTRIES        100000
#define N_LOOKUPS        20000
#define MAX_DISK_BYTES   (G_GUINT64_CONSTANT (4) << 30)
#define MAX_MEMORY_BYTES (G_GUINT64_CONSTANT (256) << 20)
#define MEMORY_P99_US    20.0
#define DISK_P99_US      1000.0

static const char * const words[] = {
  "the", "of", "and", "to", "a", "in", "is", "it", "you", "that", "for", "on", "are", "with",
  "as", "this", "be", "at", "from", "or", "by", "not", "but", "what", "some", "can", "out",
  "other", "all", "there", "when", "use", "your", "how", "each", "which", "do", "their",
  "time", "if", "will", "way", "about", "many", "then", "them", "would", "like", "so",
  "these", "make", "see", "two", "more", "first", "number", "people", "water", "call",
  "find", "new", "work", "part", "take", "place", "only", "every", "good", "give", "very",
  "through", "just", "great", "think", "help", "line", "before", "move", "right", "same",
  "model", "server", "token", "memory", "prompt", "context", "latency", "throughput",
  "quantization", "kernel", "function", "variable", "compile", "database", "query", "index",
  "thread", "network", "buffer", "stream", "parser", "gradient", "tensor", "matrix",
  "vector", "embedding", "attention", "inference", "benchmark", "cache", "recipe", "garden",
  "tomato", "bicycle", "telescope", "galaxy", "algorithm", "because", "however", "usually",
};

static const char * const code_lines[] = {
  "for (guint i = 0; i < n; i++)",
  "  total += values[i] * weight;",
  "if (error != NULL)",
  "  return FALSE;",
  "def tokenize(text):",
  "    return [w.lower() for w in text.split()]",
  "result = model.generate(prompt, max_tokens=256)",
  "print(f\"{name}: {value:.2f}\")",
  "let sum: u64 = items.iter().map(|x| x.size).sum();",
  "SELECT key, size FROM entries ORDER BY last_used_ms LIMIT 10;",
};

static const char *
pick (GRand              *rand,
      const char * const *list,
      guint               n)
{
  return list[g_rand_int_range (rand, 0, n)];
}

static void
append_sentence (GString *text,
                 GRand   *rand)
{
  guint n = g_rand_int_range (rand, 6, 20);

  for (guint i = 0; i < n; i++)
    {
      const char *word = pick (rand, words, G_N_ELEMENTS (words));

      if (i == 0)
        g_string_append_printf (text, "%c%s", g_ascii_toupper (word[0]), word + 1);
      else if (g_rand_int_range (rand, 0, 12) == 0)
        g_string_append_printf (text, " **%s**", word);
      else if (g_rand_int_range (rand, 0, 15) == 0)
        g_string_append_printf (text, " `%s`", word);
      else
        g_string_append_printf (text, " %s", word);
    }
  g_string_append (text, g_rand_int_range (rand, 0, 5) == 0 ? ", " : ". ");
}

static void
append_block (GString *text,
              GRand   *rand)
{
  switch (g_rand_int_range (rand, 0, 5))
    {
    case 0:
      g_string_append_printf (text, "## %s %s\n\n", pick (rand, words, G_N_ELEMENTS (words)),
                              pick (rand, words, G_N_ELEMENTS (words)));
      break;
    case 1:
      for (guint i = 0, n = g_rand_int_range (rand, 2, 6); i < n; i++)
        {
          g_string_append_printf (text, i % 2 ? "%u. " : "- ", i + 1);
          append_sentence (text, rand);
          g_string_append_c (text, '\n');
        }
      g_string_append_c (text, '\n');
      break;
    case 2:
      g_string_append (text, "```\n");
      for (guint i = 0, n = g_rand_int_range (rand, 2, 8); i < n; i++)
        g_string_append_printf (text, "%s\n", pick (rand, code_lines, G_N_ELEMENTS (code_lines)));
      g_string_append (text, "```\n\n");
      break;
    default:
      for (guint i = 0, n = g_rand_int_range (rand, 2, 6); i < n; i++)
        append_sentence (text, rand);
      g_string_append (text, "\n\n");
      break;
    }
}

/* 1–4 KB of markdown: paragraphs, headings, lists, code. */
static char *
make_reply (GRand *rand)
{
  gsize target = g_rand_int_range (rand, 1024, 4097);
  GString *text = g_string_sized_new (target + 512);

  while (text->len < target)
    append_block (text, rand);
  g_string_truncate (text, target);
  return g_string_free (text, FALSE);
}

static double
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (double *values,
            guint   n,
            double  fraction)
{
  qsort (values, n, sizeof (double), compare_doubles);
  return values[MIN ((guint) (fraction * n), n - 1)];
}

static char *
key_for (guint index)
{
  g_autofree char *name = g_strdup_printf ("bench-request-%u", index);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, -1);
}

static guint64
fill (HearthCache  *cache,
      char        **keys,
      GRand        *rand)
{
  guint64 raw_bytes = 0;
  double spent = 0;

  for (guint i = 0; i < N_ENTRIES; i++)
    {
      g_autoptr(HearthCacheEntry) entry = hearth_cache_entry_new ();
      double start;

      entry->content = make_reply (rand);
      entry->model = g_strdup ("llama3.2:3b-instruct-q4_K_M");
      entry->done_reason = g_strdup ("stop");
      entry->figures.total_ms = g_rand_double_range (rand, 500, 20000);
      entry->figures.tokens_out = strlen (entry->content) / 4;
      raw_bytes += strlen (entry->content);
      start = now_us ();
      hearth_cache_store (cache, keys[i], entry);
      spent += now_us () - start;
    }
  printf ("cache-insert: %.0f entries/s\n", N_ENTRIES / (spent / 1e6));
  return raw_bytes;
}

/* Times @n lookups of @keys[order[i]]; every one must hit when @present. */
static void
time_lookups (HearthCache  *cache,
              char        **keys,
              const guint  *order,
              guint         n,
              gboolean      present,
              double       *times)
{
  for (guint i = 0; i < n; i++)
    {
      HearthCacheEntry *entry;
      double start = now_us ();

      entry = hearth_cache_lookup (cache, keys[order[i]]);
      times[i] = now_us () - start;
      if ((entry != NULL) != present)
        g_error ("lookup %u: expected a %s", i, present ? "hit" : "miss");
      hearth_cache_entry_free (entry);
    }
}

static void
print_latency (const char *name,
               double     *times,
               guint       n,
               double      target_p99)
{
  double p50 = percentile (times, n, 0.50);
  double p99 = percentile (times, n, 0.99);

  printf ("%s-p50: %.1f us\n", name, p50);
  if (target_p99 > 0)
    printf ("%s-p99: %.1f us (target <= %.0f us)\n", name, p99, target_p99);
  else
    printf ("%s-p99: %.1f us\n", name, p99);
  printf ("%s-max: %.1f us\n", name, times[n - 1]);
}

static guint *
random_order (GRand *rand,
              guint  n_keys,
              guint  n)
{
  guint *all = g_new (guint, n_keys);

  for (guint i = 0; i < n_keys; i++)
    all[i] = i;
  for (guint i = n_keys - 1; i > 0; i--)
    {
      guint j = g_rand_int_range (rand, 0, i + 1);
      guint swap = all[i];

      all[i] = all[j];
      all[j] = swap;
    }
  return g_renew (guint, all, MAX (n, 1));
}

static double
file_mib (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  GStatBuf st;
  double bytes = 0;

  if (g_stat (path, &st) == 0)
    bytes += st.st_size;
  if (g_stat (wal, &st) == 0)
    bytes += st.st_size;
  return bytes / (1024.0 * 1024.0);
}

static HearthCache *
open_or_die (const char *path,
             guint64     max_memory)
{
  g_autoptr(GError) error = NULL;
  HearthCache *cache = hearth_cache_open (path, MAX_DISK_BYTES, max_memory, 0, &error);

  if (cache == NULL)
    g_error ("%s", error->message);
  return cache;
}

static void
bench_memory (HearthCache  *cache,
              char        **keys,
              GRand        *rand,
              double       *times)
{
  g_autofree guint *warm = random_order (rand, N_ENTRIES, N_LOOKUPS);
  g_autofree guint *order = g_new (guint, N_LOOKUPS);

  /* Load the set into memory, then look it up again in another order. */
  time_lookups (cache, keys, warm, N_LOOKUPS, TRUE, times);
  for (guint i = 0; i < N_LOOKUPS; i++)
    order[i] = warm[g_rand_int_range (rand, 0, N_LOOKUPS)];
  time_lookups (cache, keys, order, N_LOOKUPS, TRUE, times);
  print_latency ("cache-memory-hit", times, N_LOOKUPS, MEMORY_P99_US);
}

static void
bench_disk (const char  *path,
            char       **keys,
            GRand       *rand,
            double      *times)
{
  g_autoptr(HearthCache) cold = open_or_die (path, 0);
  g_autofree guint *order = random_order (rand, N_ENTRIES, N_LOOKUPS);
  g_autofree char **absent = g_new0 (char *, N_LOOKUPS + 1);

  time_lookups (cold, keys, order, N_LOOKUPS, TRUE, times);
  print_latency ("cache-disk-hit", times, N_LOOKUPS, DISK_P99_US);

  for (guint i = 0; i < N_LOOKUPS; i++)
    {
      absent[i] = key_for (N_ENTRIES + i);
      order[i] = i;
    }
  time_lookups (cold, absent, order, N_LOOKUPS, FALSE, times);
  printf ("cache-miss-p50: %.1f us\n", percentile (times, N_LOOKUPS, 0.50));
  for (guint i = 0; i < N_LOOKUPS; i++)
    g_free (absent[i]);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *path = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240611);
  g_autoptr(HearthCache) cache = NULL;
  g_autofree double *times = g_new (double, N_LOOKUPS);
  char **keys = g_new0 (char *, N_ENTRIES + 1);
  HearthCacheStats stats;
  guint64 raw_bytes;

  hearth_test_init (&argc, &argv);
  path = hearth_test_build_tmp_path ("bench", "cache.db", NULL);
  for (guint i = 0; i < N_ENTRIES; i++)
    keys[i] = key_for (i);

  cache = open_or_die (path, MAX_MEMORY_BYTES);
  raw_bytes = fill (cache, keys, rand);
  bench_memory (cache, keys, rand, times);
  hearth_cache_get_stats (cache, &stats);
  g_clear_object (&cache);

  bench_disk (path, keys, rand, times);
  printf ("cache-compression-ratio: %.2f\n", (double) raw_bytes / stats.bytes_on_disk);
  printf ("cache-bytes-on-disk: %.1f MiB (file %.1f MiB)\n",
          stats.bytes_on_disk / (1024.0 * 1024.0), file_mib (path));
  g_strfreev (keys);
  return 0;
}
