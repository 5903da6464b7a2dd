/* bench-history.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hearth-store.h"
#include "hearth-bench-util.h"
#include "hearth-test-util.h"

#define N_MESSAGES        100000
#define N_CONVERSATIONS   2000
#define N_SINGLE          2000
#define N_SEARCHES        200
#define BATCH_SIZE        5000
#define SEARCH_LIMIT      50
#define N_LONG_SEARCHES   5

/* Common English first, so that a Zipf draw over the list reads like text. */
static const char * const vocabulary[] = {
  "the", "of", "and", "to", "a", "in", "is", "it", "you", "that", "he", "was", "for", "on",
  "are", "with", "as", "I", "his", "they", "be", "at", "one", "have", "this", "from", "or",
  "had", "by", "not", "word", "but", "what", "some", "we", "can", "out", "other", "were",
  "all", "there", "when", "up", "use", "your", "how", "said", "an", "each", "she", "which",
  "do", "their", "time", "if", "will", "way", "about", "many", "then", "them", "write",
  "would", "like", "so", "these", "her", "long", "make", "thing", "see", "him", "two", "has",
  "look", "more", "day", "could", "go", "come", "did", "number", "sound", "no", "most",
  "people", "my", "over", "know", "water", "than", "call", "first", "who", "may", "down",
  "side", "been", "now", "find", "any", "new", "work", "part", "take", "get", "place",
  "made", "live", "where", "after", "back", "little", "only", "round", "man", "year",
  "came", "show", "every", "good", "me", "give", "our", "under", "name", "very", "through",
  "just", "form", "sentence", "great", "think", "say", "help", "low", "line", "differ",
  "turn", "cause", "much", "mean", "before", "move", "right", "boy", "old", "too", "same",
  "tell", "does", "set", "three", "want", "air", "well", "also", "play", "small", "end",
  "put", "home", "read", "hand", "port", "large", "spell", "add", "even", "land", "here",
  "must", "big", "high", "such", "follow", "act", "why", "ask", "men", "change", "went",
  "light", "kind", "off", "need", "house", "picture", "try", "us", "again", "animal",
  "point", "mother", "world", "near", "build", "self", "earth", "father", "head", "stand",
  "own", "page", "should", "country", "found", "answer", "school", "grow", "study", "still",
  "learn", "plant", "cover", "food", "sun", "four", "between", "state", "keep", "eye",
  "never", "last", "let", "thought", "city", "tree", "cross", "farm", "hard", "start",
  "might", "story", "saw", "far", "sea", "draw", "left", "late", "run", "while", "press",
  "close", "night", "real", "life", "few", "north", "open", "seem", "together", "next",
  "white", "children", "begin", "got", "walk", "example", "ease", "paper", "group",
  "always", "music", "those", "both", "mark", "often", "letter", "until", "mile", "river",
  "car", "feet", "care", "second", "book", "carry", "took", "science", "eat", "room",
  "friend", "began", "idea", "fish", "mountain", "stop", "once", "base", "hear", "horse",
  "cut", "sure", "watch", "color", "face", "wood", "main", "enough", "plain", "girl",
  "usual", "young", "ready", "above", "ever", "red", "list", "though", "feel", "talk",
  "bird", "soon", "body", "dog", "family", "direct", "pose", "leave", "song", "measure",
  "door", "product", "black", "short", "numeral", "class", "wind", "question", "happen",
  "complete", "ship", "area", "half", "rock", "order", "fire", "south", "problem", "piece",
  "told", "knew", "pass", "since", "top", "whole", "king", "space", "heard", "best", "hour",
  "better", "true", "during", "hundred", "five", "remember", "step", "early", "hold",
  "west", "ground", "interest", "reach", "fast", "verb", "sing", "listen", "six", "table",
  "travel", "less", "morning", "ten", "simple", "several", "vowel", "toward", "war", "lay",
  "against", "pattern", "slow", "center", "love", "person", "money", "serve", "appear",
  "road", "map", "rain", "rule", "govern", "pull", "cold", "notice", "voice", "unit",
  "power", "town", "fine", "certain", "fly", "fall", "lead", "cry", "dark", "machine",
  "note", "wait", "plan", "figure", "star", "box", "noun", "field", "rest", "correct",
  "able", "pound", "done", "beauty", "drive", "stood", "contain", "front", "teach", "week",
  "final", "gave", "green", "oh", "quick", "develop", "ocean", "warm", "free", "minute",
  "strong", "special", "mind", "behind", "clear", "tail", "produce", "fact", "street",
  "inch", "multiply", "nothing", "course", "stay", "wheel", "full", "force", "blue",
  "object", "decide", "surface", "deep", "moon", "island", "foot", "system", "busy", "test",
  "record", "boat", "common", "gold", "possible", "plane", "stead", "dry", "wonder",
  "laugh", "thousand", "ago", "ran", "check", "game", "shape", "equate", "hot", "miss",
  "brought", "heat", "snow", "tire", "bring", "yes", "distant", "fill", "east", "paint",
  "language", "among", "model", "server", "token", "memory", "prompt", "context", "latency",
  "throughput", "quantization", "kernel", "python", "function", "variable", "compile",
  "database", "query", "index", "thread", "network", "socket", "buffer", "stream", "parser",
  "gradient", "tensor", "matrix", "vector", "embedding", "attention", "transformer",
  "inference", "benchmark", "profile", "cache", "regression", "histogram", "recipe",
  "garden", "tomato", "basil", "bicycle", "guitar", "violin", "telescope", "galaxy",
  "photosynthesis", "metabolism", "cathedral", "renaissance", "philosophy", "algorithm",
  "café", "naïve", "résumé", "jalapeño", "Zürich", "façade", "coöperate", "piñata",
};

typedef struct
{
  GRand  *rand;
  double *cumulative;
  guint   n_words;
} TextMaker;

static void
text_maker_init (TextMaker *maker,
                 guint32    seed)
{
  double total = 0;

  maker->rand = g_rand_new_with_seed (seed);
  maker->n_words = G_N_ELEMENTS (vocabulary);
  maker->cumulative = g_new (double, maker->n_words);
  for (guint i = 0; i < maker->n_words; i++)
    {
      total += 1.0 / (i + 2);
      maker->cumulative[i] = total;
    }
  for (guint i = 0; i < maker->n_words; i++)
    maker->cumulative[i] /= total;
}

static void
text_maker_clear (TextMaker *maker)
{
  g_clear_pointer (&maker->rand, g_rand_free);
  g_clear_pointer (&maker->cumulative, g_free);
}

static const char *
text_maker_word (TextMaker *maker)
{
  double x = g_rand_double (maker->rand);
  guint low = 0;
  guint high = maker->n_words - 1;

  while (low < high)
    {
      guint mid = (low + high) / 2;

      if (maker->cumulative[mid] < x)
        low = mid + 1;
      else
        high = mid;
    }
  return vocabulary[low];
}

/* Sentences of 4 to 20 words, the odd paragraph break. */
static char *
text_maker_message (TextMaker *maker)
{
  GString *text = g_string_new (NULL);
  guint n_words = g_rand_int_range (maker->rand, 50, 401);
  guint sentence_left = 0;

  for (guint i = 0; i < n_words; i++)
    {
      const char *word = text_maker_word (maker);

      if (sentence_left == 0)
        {
          if (i > 0)
            g_string_append (text, g_rand_int_range (maker->rand, 0, 6) == 0 ? ".\n\n" : ". ");
          sentence_left = g_rand_int_range (maker->rand, 4, 21);
          g_string_append_unichar (text, g_unichar_toupper (g_utf8_get_char (word)));
          word = g_utf8_next_char (word);
        }
      else
        {
          g_string_append_c (text, g_rand_int_range (maker->rand, 0, 12) == 0 ? ',' : ' ');
          if (text->str[text->len - 1] == ',')
            g_string_append_c (text, ' ');
        }
      g_string_append (text, word);
      sentence_left--;
    }
  g_string_append_c (text, '.');
  return g_string_free (text, FALSE);
}

static void
check (GError *error)
{
  if (error != NULL)
    {
      g_printerr ("bench-history: %s\n", error->message);
      exit (1);
    }
}

static void
add_conversations (HearthStore *store,
                   gint64      *ids)
{
  g_autoptr(GError) error = NULL;

  hearth_store_begin (store, &error);
  check (error);
  for (guint i = 0; i < N_CONVERSATIONS; i++)
    {
      g_autofree char *title = g_strdup_printf ("Conversation %u", i);

      ids[i] = hearth_store_create_conversation (store, title, &error);
      check (error);
    }
  hearth_store_commit (store, &error);
  check (error);
}

static HearthMessage *
make_message (TextMaker *maker,
              gint64    *conversation_ids,
              guint      i)
{
  HearthMessage *message = hearth_message_new (i % 2 ? "assistant" : "user", NULL);

  g_free (message->content);
  message->content = text_maker_message (maker);
  message->conversation_id = conversation_ids[(i / 2) % N_CONVERSATIONS];
  if (i % 2)
    {
      message->model = g_strdup ("llama3.2:3b");
      message->endpoint = g_strdup ("http://127.0.0.1:11434");
      message->api = g_strdup ("ollama");
      message->done_reason = g_strdup ("stop");
      message->figures.tokens_in = 100 + i % 900;
      message->figures.tokens_out = 50 + i % 400;
      message->figures.ttft_ms = 120.5;
      message->figures.tokens_per_s = 35.25;
      message->figures.from_server = TRUE;
    }
  return message;
}

/* Returns the seconds spent in the store, not in making text. */
static double
insert_batch (HearthStore *store,
              TextMaker   *maker,
              gint64      *conversation_ids,
              guint        first,
              guint        count,
              gboolean     transaction)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                               hearth_message_free);
  g_autoptr(GError) error = NULL;
  gint64 start;

  for (guint i = 0; i < count; i++)
    g_ptr_array_add (batch, make_message (maker, conversation_ids, first + i));

  start = g_get_monotonic_time ();
  if (transaction)
    hearth_store_begin (store, &error);
  check (error);
  for (guint i = 0; i < count; i++)
    {
      hearth_store_add_message (store, batch->pdata[i], &error);
      check (error);
    }
  if (transaction)
    hearth_store_commit (store, &error);
  check (error);
  return (g_get_monotonic_time () - start) / 1e6;
}

/* A streaming reply saved every ~2 s: the same message, growing. */
static double
update_streaming (HearthStore *store,
                  TextMaker   *maker,
                  gint64      *conversation_ids)
{
  g_autoptr(HearthMessage) message = make_message (maker, conversation_ids, 1);
  g_autoptr(GString) content = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  gint64 start;

  hearth_store_add_message (store, message, &error);
  check (error);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < N_SINGLE; i++)
    {
      g_string_append (content, text_maker_word (maker));
      g_string_append_c (content, ' ');
      g_free (message->content);
      message->content = g_strdup (content->str);
      message->figures.tokens_out = i;
      hearth_store_update_message (store, message, &error);
      check (error);
    }
  return (g_get_monotonic_time () - start) / 1e6;
}

static char *
make_query (TextMaker *maker,
            guint      i)
{
  const char *first = vocabulary[g_rand_int_range (maker->rand, 0, maker->n_words)];
  const char *second = text_maker_word (maker);

  switch (i % 4)
    {
    case 0:
      return g_strdup (first);
    case 1:
      /* A prefix, as typed while searching. */
      return g_utf8_substring (first, 0, MIN (g_utf8_strlen (first, -1), 4));
    case 2:
      return g_strdup_printf ("%s %s", first, second);
    default:
      return g_strdup_printf ("%s %s", first,
                              vocabulary[g_rand_int_range (maker->rand, 0, maker->n_words)]);
    }
}

/* The same rule as hearth-store-search.c: quoted words, prefixes from 3 letters. */
static char *
floor_match (const char *query)
{
  g_auto(GStrv) words = g_strsplit (query, " ", -1);
  GString *match = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    g_string_append_printf (match, g_utf8_strlen (words[i], -1) >= 3 ? "%s\"%s\"*" : "%s\"%s\"",
                            i > 0 ? " AND " : "", words[i]);
  return g_string_free (match, FALSE);
}

static double
thread_cpu_ms (void)
{
  struct timespec now;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return now.tv_sec * 1e3 + now.tv_nsec / 1e6;
}

/* The baseline, on its own connection: what the index alone costs to find
 * the newest SEARCH_LIMIT matches of the same query, with no ranking, no
 * snippets and no join. */
static double
floor_search (sqlite3    *db,
              const char *query)
{
  g_autofree char *match = floor_match (query);
  sqlite3_stmt *stmt = NULL;
  gint64 start = g_get_monotonic_time ();

  if (sqlite3_prepare_v2 (db, "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?"
                          " ORDER BY rowid DESC LIMIT " G_STRINGIFY (SEARCH_LIMIT),
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      g_printerr ("bench-history: %s\n", sqlite3_errmsg (db));
      exit (1);
    }
  sqlite3_bind_text (stmt, 1, match, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    ;
  sqlite3_finalize (stmt);
  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
run_searches (HearthStore *store,
              TextMaker   *maker)
{
  double times[N_SEARCHES], cpu[N_SEARCHES], floor_times[N_SEARCHES];
  sqlite3 *db = hearth_test_sqlite_open (hearth_store_get_path (store));
  guint total_hits = 0;

  hearth_test_sqlite_exec (db, "PRAGMA mmap_size = 268435456");
  for (guint i = 0; i < N_SEARCHES; i++)
    {
      g_autofree char *query = make_query (maker, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) hits = NULL;
      double start_cpu = thread_cpu_ms ();
      gint64 start = g_get_monotonic_time ();

      hits = hearth_store_search (store, query, SEARCH_LIMIT, &error);
      times[i] = (g_get_monotonic_time () - start) / 1000.0;
      cpu[i] = thread_cpu_ms () - start_cpu;
      check (error);
      total_hits += hits->len;
      floor_times[i] = floor_search (db, query);
    }
  sqlite3_close (db);
  qsort (times, N_SEARCHES, sizeof times[0], hearth_bench_compare_doubles);
  qsort (cpu, N_SEARCHES, sizeof cpu[0], hearth_bench_compare_doubles);
  qsort (floor_times, N_SEARCHES, sizeof floor_times[0], hearth_bench_compare_doubles);
  printf ("history-search-hits: %.1f per query\n", (double) total_hits / N_SEARCHES);
  printf ("history-search-p50: %.2f ms (baseline, the index alone finding the newest %d: %.2f ms)\n",
          hearth_bench_percentile (times, N_SEARCHES, 0.50), SEARCH_LIMIT,
          hearth_bench_percentile (floor_times, N_SEARCHES, 0.50));
  printf ("history-search-p95: %.2f ms (baseline: %.2f ms)\n",
          hearth_bench_percentile (times, N_SEARCHES, 0.95),
          hearth_bench_percentile (floor_times, N_SEARCHES, 0.95));
  printf ("history-search-p99: %.2f ms (baseline: %.2f ms)\n",
          hearth_bench_percentile (times, N_SEARCHES, 0.99),
          hearth_bench_percentile (floor_times, N_SEARCHES, 0.99));
  /* On a busy machine the clock also counts other programs' turns. */
  printf ("history-search-cpu-p50: %.2f ms, p95: %.2f ms (this thread's processor time)\n",
          hearth_bench_percentile (cpu, N_SEARCHES, 0.50),
          hearth_bench_percentile (cpu, N_SEARCHES, 0.95));
}

/* One message of @size bytes full of the word searched for, beside a
 * history of short ones: the search must not grow with its square. */
static double
search_one_long_message (const char *dir,
                         gsize       size)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("long-%" G_GSIZE_FORMAT ".db", size);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(HearthStore) store = hearth_store_open (path, &error);
  g_autoptr(HearthMessage) message = hearth_message_new ("assistant", NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  double times[N_LONG_SEARCHES];

  check (error);
  while (text->len < size)
    g_string_append (text, "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ");
  message->content = g_string_free (g_steal_pointer (&text), FALSE);
  message->conversation_id = hearth_store_create_conversation (store, "Long", &error);
  check (error);
  hearth_store_add_message (store, message, &error);
  check (error);
  for (guint i = 0; i < N_LONG_SEARCHES; i++)
    {
      g_autoptr(GPtrArray) hits = NULL;
      gint64 start = g_get_monotonic_time ();

      hits = hearth_store_search (store, "lorem", SEARCH_LIMIT, &error);
      times[i] = (g_get_monotonic_time () - start) / 1000.0;
      check (error);
    }
  qsort (times, N_LONG_SEARCHES, sizeof times[0], hearth_bench_compare_doubles);
  return hearth_bench_percentile (times, N_LONG_SEARCHES, 0.50);
}

static void
run_long_message_searches (const char *dir)
{
  /* The baseline: a message of ordinary length. */
  printf ("history-search-2kb-message: %.2f ms\n", search_one_long_message (dir, 2 * 1024));
  fflush (stdout);
  printf ("history-search-400kb-message: %.2f ms\n", search_one_long_message (dir, 400 * 1024));
  fflush (stdout);
  printf ("history-search-4mb-message: %.2f ms\n", search_one_long_message (dir, 4 * 1024 * 1024));
  fflush (stdout);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("hearth-bench-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(HearthStore) store = NULL;
  g_autofree gint64 *conversation_ids = g_new (gint64, N_CONVERSATIONS);
  TextMaker maker;
  double seconds = 0;

  check (error);
  path = g_build_filename (dir, "hearth.db", NULL);
  store = hearth_store_open (path, &error);
  check (error);
  text_maker_init (&maker, 20240601);
  add_conversations (store, conversation_ids);

  for (guint first = 0; first < N_MESSAGES; first += BATCH_SIZE)
    seconds += insert_batch (store, &maker, conversation_ids, first, BATCH_SIZE, TRUE);
  printf ("history-insert: %.0f messages/s\n", N_MESSAGES / seconds);
  fflush (stdout);

  seconds = insert_batch (store, &maker, conversation_ids, N_MESSAGES, N_SINGLE, FALSE);
  printf ("history-insert-single: %.0f messages/s\n", N_SINGLE / seconds);
  fflush (stdout);

  seconds = update_streaming (store, &maker, conversation_ids);
  printf ("history-update-streaming: %.0f updates/s\n", N_SINGLE / seconds);
  fflush (stdout);

  run_searches (store, &maker);
  run_long_message_searches (dir);

  text_maker_clear (&maker);
  g_clear_object (&store);
  if (g_getenv ("HEARTH_BENCH_KEEP") == NULL)
    hearth_test_rm_rf (dir);
  else
    printf ("kept %s\n", path);
  return 0;
}
