/* test-cache.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hearth-cache.h"
#include "hearth-test-util.h"

#define LARGE       (G_GUINT64_CONSTANT (1) << 30)
#define N_PER_PROC  500

/* Helpers */

static char *
cache_path (const char *name)
{
  return hearth_test_build_tmp_path (name, "cache.db", NULL);
}

static HearthCache *
open_cache (const char *path,
            guint64     max_disk,
            guint64     max_memory,
            gint64      ttl)
{
  g_autoptr(GError) error = NULL;
  HearthCache *cache = hearth_cache_open (path, max_disk, max_memory, ttl, &error);

  g_assert_no_error (error);
  g_assert_nonnull (cache);
  g_assert_null (hearth_cache_get_warning (cache));
  return cache;
}

static HearthCacheEntry *
make_entry (const char *content,
            double      total_ms)
{
  HearthCacheEntry *entry = hearth_cache_entry_new ();

  entry->content = g_strdup (content);
  entry->model = g_strdup ("llama3.2:1b");
  entry->done_reason = g_strdup ("stop");
  entry->figures.total_ms = total_ms;
  return entry;
}

static char *
key_for (const char *name)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, -1);
}

static void
store_text (HearthCache *cache,
            const char  *name,
            const char  *content)
{
  g_autofree char *key = key_for (name);
  g_autoptr(HearthCacheEntry) entry = make_entry (content, 1000);

  hearth_cache_store (cache, key, entry);
}

static gboolean
has (HearthCache *cache,
     const char  *name)
{
  g_autofree char *key = key_for (name);
  g_autoptr(HearthCacheEntry) entry = hearth_cache_lookup (cache, key);

  return entry != NULL;
}

/* Text that compresses about as well for every seed, so sizes are close. */
static char *
random_text (guint32 seed,
             gsize   length)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  char *text = g_malloc (length + 1);

  for (gsize i = 0; i < length; i++)
    text[i] = (char) g_rand_int_range (rand, 'a', 'z' + 1);
  text[length] = '\0';
  return text;
}

static void
assert_entry_equal (const HearthCacheEntry *a,
                    const HearthCacheEntry *b)
{
  g_assert_cmpstr (a->content, ==, b->content);
  g_assert_cmpstr (a->thinking, ==, b->thinking);
  g_assert_cmpstr (a->model, ==, b->model);
  g_assert_cmpstr (a->done_reason, ==, b->done_reason);
  g_assert_cmpint (a->created_ms, ==, b->created_ms);
  g_assert_cmpint (a->figures.tokens_in, ==, b->figures.tokens_in);
  g_assert_cmpint (a->figures.tokens_out, ==, b->figures.tokens_out);
  g_assert_cmpfloat (a->figures.ttft_ms, ==, b->figures.ttft_ms);
  g_assert_cmpfloat (a->figures.total_ms, ==, b->figures.total_ms);
  g_assert_cmpfloat (a->figures.load_ms, ==, b->figures.load_ms);
  g_assert_cmpfloat (a->figures.prompt_tokens_per_s, ==, b->figures.prompt_tokens_per_s);
  g_assert_cmpfloat (a->figures.tokens_per_s, ==, b->figures.tokens_per_s);
  g_assert_cmpint (a->figures.from_server, ==, b->figures.from_server);
}

/* Keys */

typedef struct
{
  HearthApiKind      api;
  const char        *endpoint;
  const char        *digest;
  HearthChatRequest *request;
} KeyInput;

typedef void (*Mutation) (KeyInput *input);

static void
key_input_init (KeyInput *input)
{
  HearthChatRequest *request = hearth_chat_request_new ();
  const char *stop[] = { "</s>", "User:", NULL };

  request->model = g_strdup ("llama3.2:1b");
  request->system = g_strdup ("Be brief.");
  hearth_chat_request_add_message (request, "user", "Hello");
  hearth_chat_request_add_message (request, "assistant", "Hi! How can I help?");
  hearth_chat_request_add_message (request, "user", "What is 2+2?");
  request->temperature = 0.7;
  request->top_p = 0.9;
  request->top_k = 40;
  request->seed = 42;
  request->has_seed = TRUE;
  request->num_predict = 128;
  request->num_ctx = 4096;
  request->stop = g_strdupv ((char **) stop);
  input->api = HEARTH_API_OLLAMA;
  input->endpoint = "http://127.0.0.1:11434";
  input->digest = "sha256:6a0746a1ec1aef3e7ec53868f220ff6e389f6f8ef87a01d77c96807de94ca2aa";
  input->request = request;
}

static char *
key_input_key (Mutation mutation)
{
  KeyInput input;
  char *key;

  key_input_init (&input);
  if (mutation != NULL)
    mutation (&input);
  key = hearth_cache_key (input.api, input.endpoint, input.digest, input.request);
  hearth_chat_request_free (input.request);
  return key;
}

static void
set_stop (KeyInput   *input,
          const char *first,
          ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  va_list args;

  va_start (args, first);
  for (const char *word = first; word != NULL; word = va_arg (args, const char *))
    g_strv_builder_add (builder, word);
  va_end (args);
  g_strfreev (input->request->stop);
  input->request->stop = g_strv_builder_end (builder);
}

static HearthMessage *
message_at (KeyInput *input,
            guint     index)
{
  return g_ptr_array_index (input->request->messages, index);
}

#define MUTATION(name, body) \
  static void name (KeyInput *input) { HearthChatRequest *r = input->request; (void) r; body; }

MUTATION (temp_07_parsed, r->temperature = g_ascii_strtod ("0.70", NULL))
MUTATION (temp_07, r->temperature = 0.7)
MUTATION (temp_zero, r->temperature = 0.0)
MUTATION (temp_minus_zero, r->temperature = -0.0)
MUTATION (temp_08, r->temperature = 0.8)
MUTATION (temp_unset, r->temperature = NAN)
MUTATION (stream_off, r->stream = FALSE)
MUTATION (model_name_other, g_free (r->model); r->model = g_strdup ("my-alias:latest"))
MUTATION (system_null, g_clear_pointer (&r->system, g_free))
MUTATION (system_empty, g_free (r->system); r->system = g_strdup (""))
MUTATION (system_other, g_free (r->system); r->system = g_strdup ("Be brief!"))
MUTATION (top_p_other, r->top_p = 0.95)
MUTATION (top_p_unset, r->top_p = NAN)
MUTATION (top_k_other, r->top_k = 41)
MUTATION (top_k_unset, r->top_k = -1)
MUTATION (seed_other, r->seed = 43)
MUTATION (seed_unset, r->has_seed = FALSE; r->seed = 0)
MUTATION (seed_zero, r->has_seed = TRUE; r->seed = 0)
MUTATION (num_predict_other, r->num_predict = 129)
MUTATION (num_predict_unset, r->num_predict = -1)
MUTATION (num_ctx_other, r->num_ctx = 8192)
MUTATION (num_ctx_unset, r->num_ctx = -1)
MUTATION (stop_added, set_stop (input, "</s>", "User:", "###", NULL))
MUTATION (stop_swapped, set_stop (input, "User:", "</s>", NULL))
MUTATION (stop_changed, set_stop (input, "</s>", "User;", NULL))
MUTATION (stop_joined, set_stop (input, "</s>User:", NULL))
MUTATION (stop_empty, set_stop (input, NULL))
MUTATION (stop_unset, g_clear_pointer (&r->stop, g_strfreev))
MUTATION (content_char, g_free (message_at (input, 2)->content);
          message_at (input, 2)->content = g_strdup ("What is 2+3?"))
MUTATION (role_changed, g_free (message_at (input, 0)->role);
          message_at (input, 0)->role = g_strdup ("system"))
MUTATION (order_swapped, {
  gpointer first = r->messages->pdata[0];
  r->messages->pdata[0] = r->messages->pdata[2];
  r->messages->pdata[2] = first;
})
MUTATION (message_removed, g_ptr_array_remove_index (r->messages, 2))
MUTATION (message_added, hearth_chat_request_add_message (r, "user", ""))
MUTATION (boundary_moved, g_free (message_at (input, 0)->content);
          message_at (input, 0)->content = g_strdup ("Hell");
          g_free (message_at (input, 1)->content);
          message_at (input, 1)->content = g_strdup ("oHi! How can I help?"))
MUTATION (endpoint_other, input->endpoint = "http://127.0.0.1:11435")
MUTATION (api_other, input->api = HEARTH_API_OPENAI)
MUTATION (digest_other,
          input->digest = "sha256:6a0746a1ec1aef3e7ec53868f220ff6e389f6f8ef87a01d77c96807de94ca2ab")

typedef struct
{
  const char *name;
  Mutation    a;
  Mutation    b;
} KeyPair;

static const KeyPair same_keys[] = {
  { "0.7 and 0.70", temp_07, temp_07_parsed },
  { "-0.0 and 0.0", temp_zero, temp_minus_zero },
  { "stream on and off", NULL, stream_off },
  { "model names with one digest", NULL, model_name_other },
  { "no system prompt and an empty one", system_null, system_empty },
};

static const KeyPair different_keys[] = {
  { "temperature", NULL, temp_08 },
  { "temperature unset", NULL, temp_unset },
  { "top_p", NULL, top_p_other },
  { "top_p unset", NULL, top_p_unset },
  { "top_k", NULL, top_k_other },
  { "top_k unset", NULL, top_k_unset },
  { "seed", NULL, seed_other },
  { "seed unset and seed 0", seed_unset, seed_zero },
  { "num_predict", NULL, num_predict_other },
  { "num_predict unset", NULL, num_predict_unset },
  { "num_ctx", NULL, num_ctx_other },
  { "num_ctx unset", NULL, num_ctx_unset },
  { "a stop word added", NULL, stop_added },
  { "stop words swapped", NULL, stop_swapped },
  { "a stop word changed", NULL, stop_changed },
  { "two stop words joined", NULL, stop_joined },
  { "stop empty and unset", stop_empty, stop_unset },
  { "one character of a message", NULL, content_char },
  { "a role", NULL, role_changed },
  { "message order", NULL, order_swapped },
  { "a message removed", NULL, message_removed },
  { "an empty message added", NULL, message_added },
  { "text moved between messages", NULL, boundary_moved },
  { "system prompt", NULL, system_other },
  { "system prompt removed", NULL, system_null },
  { "endpoint", NULL, endpoint_other },
  { "api", NULL, api_other },
  { "digest", NULL, digest_other },
};

static void
test_key_format (void)
{
  g_autofree char *key = key_input_key (NULL);
  g_autofree char *again = key_input_key (NULL);

  g_assert_cmpuint (strlen (key), ==, 64);
  for (const char *p = key; *p != '\0'; p++)
    g_assert_true (g_ascii_isdigit (*p) || (*p >= 'a' && *p <= 'f'));
  g_assert_cmpstr (key, ==, again);
}

static void
test_key_same (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (same_keys); i++)
    {
      g_autofree char *a = key_input_key (same_keys[i].a);
      g_autofree char *b = key_input_key (same_keys[i].b);

      g_test_message ("same: %s", same_keys[i].name);
      g_assert_cmpstr (a, ==, b);
    }
}

static void
test_key_different (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (different_keys); i++)
    {
      g_autofree char *a = key_input_key (different_keys[i].a);
      g_autofree char *b = key_input_key (different_keys[i].b);

      g_test_message ("different: %s", different_keys[i].name);
      g_assert_cmpstr (a, !=, b);
      g_hash_table_add (seen, g_steal_pointer (&b));
    }
  /* Every change gives a key of its own, not just one unlike the base. */
  g_assert_cmpuint (g_hash_table_size (seen), >=, G_N_ELEMENTS (different_keys) - 2);
}

static void
test_key_missing_digest (void)
{
  g_autoptr(HearthChatRequest) a = hearth_chat_request_new ();
  g_autoptr(HearthChatRequest) b = hearth_chat_request_new ();
  g_autofree char *key_a = NULL;
  g_autofree char *key_b = NULL;

  a->model = g_strdup ("one");
  b->model = g_strdup ("two");
  key_a = hearth_cache_key (HEARTH_API_OPENAI, "http://localhost:8080", NULL, a);
  key_b = hearth_cache_key (HEARTH_API_OPENAI, "http://localhost:8080", "", b);
  g_assert_cmpstr (key_a, !=, key_b);
}

/* Determinism */

static void
test_deterministic (void)
{
  const struct { double temperature; gboolean has_seed; gboolean expected; } cases[] = {
    { 0.0, FALSE, TRUE },
    { -0.0, FALSE, TRUE },
    { 0.8, TRUE, TRUE },
    { NAN, TRUE, TRUE },
    { 0.8, FALSE, FALSE },
    { NAN, FALSE, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HearthChatRequest) request = hearth_chat_request_new ();

      request->temperature = cases[i].temperature;
      request->has_seed = cases[i].has_seed;
      g_assert_cmpint (hearth_cache_request_is_deterministic (request), ==, cases[i].expected);
    }
}

/* Round trips */

static HearthCacheEntry *
full_entry (void)
{
  HearthCacheEntry *entry = make_entry ("# Answer\n\n- **four**\n- `2 + 2`\n\nZażółć gęślą jaźń 🔥",
                                        1234.5);

  entry->thinking = g_strdup ("The user asks for a sum.\n2 + 2 = 4.");
  entry->created_ms = g_get_real_time () / 1000 - 5000;
  entry->figures.tokens_in = 31;
  entry->figures.tokens_out = 17;
  entry->figures.ttft_ms = 85.25;
  entry->figures.load_ms = 12.5;
  entry->figures.prompt_tokens_per_s = 410.125;
  entry->figures.tokens_per_s = 42.75;
  entry->figures.from_server = TRUE;
  return entry;
}

static void
round_trip (const char             *name,
            const HearthCacheEntry *entry)
{
  g_autofree char *path = cache_path (name);
  g_autoptr(HearthCache) writer = open_cache (path, LARGE, LARGE, 0);
  g_autoptr(HearthCache) reader = open_cache (path, LARGE, LARGE, 0);
  g_autoptr(HearthCacheEntry) from_memory = NULL;
  g_autoptr(HearthCacheEntry) from_disk = NULL;
  g_autofree char *key = key_for (entry->content);
  HearthCacheStats stats;

  hearth_cache_store (writer, key, entry);
  from_memory = hearth_cache_lookup (writer, key);
  g_assert_nonnull (from_memory);
  assert_entry_equal (from_memory, entry);

  from_disk = hearth_cache_lookup (reader, key);
  g_assert_nonnull (from_disk);
  assert_entry_equal (from_disk, entry);
  hearth_cache_get_stats (reader, &stats);
  g_assert_cmpuint (stats.disk_hits, ==, 1);
}

static void
test_round_trip_full (void)
{
  g_autoptr(HearthCacheEntry) entry = full_entry ();

  round_trip ("round-trip-full", entry);
}

static void
test_round_trip_sparse (void)
{
  g_autoptr(HearthCacheEntry) entry = hearth_cache_entry_new ();

  /* No thinking, no done reason, no figures, empty content. */
  entry->content = g_strdup ("");
  entry->model = g_strdup ("m");
  entry->created_ms = 1700000000000;
  round_trip ("round-trip-sparse", entry);
}

static void
test_round_trip_replace (void)
{
  g_autofree char *path = cache_path ("replace");
  g_autoptr(HearthCache) cache = open_cache (path, LARGE, LARGE, 0);
  g_autoptr(HearthCache) cold = NULL;
  g_autoptr(HearthCacheEntry) entry = NULL;
  g_autofree char *key = key_for ("k");
  HearthCacheStats stats;

  store_text (cache, "k", "first");
  store_text (cache, "k", "second, longer reply");
  g_clear_object (&cache);
  cold = open_cache (path, LARGE, LARGE, 0);
  entry = hearth_cache_lookup (cold, key);
  g_assert_nonnull (entry);
  g_assert_cmpstr (entry->content, ==, "second, longer reply");
  hearth_cache_get_stats (cold, &stats);
  g_assert_cmpuint (stats.entries, ==, 1);
}

/* Eviction */

static guint64
memory_hits (HearthCache *cache)
{
  HearthCacheStats stats;

  hearth_cache_get_stats (cache, &stats);
  return stats.memory_hits;
}

static void
test_lru_memory (void)
{
  g_autofree char *path = cache_path ("lru-memory");
  g_autofree char *text = random_text (1, 1000);
  /* Room for three replies of 1,000 bytes and their overhead, not four. */
  g_autoptr(HearthCache) cache = open_cache (path, LARGE, 3900, 0);
  guint64 before;

  store_text (cache, "a", text);
  store_text (cache, "b", text);
  store_text (cache, "c", text);
  g_assert_true (has (cache, "a"));
  store_text (cache, "d", text);

  before = memory_hits (cache);
  g_assert_true (has (cache, "a"));
  g_assert_true (has (cache, "c"));
  g_assert_true (has (cache, "d"));
  g_assert_cmpuint (memory_hits (cache), ==, before + 3);
  /* b, the least recently used, left memory but is still on disk. */
  g_assert_true (has (cache, "b"));
  g_assert_cmpuint (memory_hits (cache), ==, before + 3);
}

static guint64
bytes_on_disk (HearthCache *cache)
{
  HearthCacheStats stats;

  hearth_cache_get_stats (cache, &stats);
  return stats.bytes_on_disk;
}

static guint64
entry_disk_size (void)
{
  g_autofree char *path = cache_path ("measure");
  g_autofree char *text = random_text (99, 2000);
  g_autoptr(HearthCache) cache = open_cache (path, LARGE, 0, 0);

  store_text (cache, "measure", text);
  return bytes_on_disk (cache);
}

static void
store_random (HearthCache *cache,
              const char  *name,
              guint32      seed)
{
  g_autofree char *text = random_text (seed, 2000);

  store_text (cache, name, text);
  /* Last uses are in milliseconds: keep them apart. */
  g_usleep (3000);
}

static void
test_lru_disk (void)
{
  g_autofree char *path = cache_path ("lru-disk");
  guint64 size = entry_disk_size ();
  /* Memory on: a hit served from memory must still count as a use on disk. */
  g_autoptr(HearthCache) cache = open_cache (path, 3 * size + size / 2, LARGE, 0);
  g_autoptr(HearthCache) cold = NULL;
  HearthCacheStats stats;

  store_random (cache, "a", 1);
  store_random (cache, "b", 2);
  store_random (cache, "c", 3);
  g_assert_true (has (cache, "a"));
  g_usleep (3000);
  store_random (cache, "d", 4);
  g_clear_object (&cache);

  cold = open_cache (path, 3 * size + size / 2, 0, 0);
  hearth_cache_get_stats (cold, &stats);
  g_assert_cmpuint (stats.entries, ==, 3);
  g_assert_cmpuint (stats.bytes_on_disk, <=, 3 * size + size / 2);
  g_assert_false (has (cold, "b"));
  g_assert_true (has (cold, "a"));
  g_assert_true (has (cold, "c"));
  g_assert_true (has (cold, "d"));

  /* A lower limit evicts at once; c is now the least recently used. */
  g_usleep (3000);
  g_assert_true (has (cold, "a"));
  g_assert_true (has (cold, "d"));
  hearth_cache_set_limits (cold, 2 * size + size / 2, 0);
  g_assert_false (has (cold, "c"));
  g_assert_true (has (cold, "a"));
  g_assert_true (has (cold, "d"));
}

/* Expiry */

static void
test_ttl (void)
{
  g_autofree char *path = cache_path ("ttl");
  g_autoptr(HearthCache) cache = open_cache (path, LARGE, LARGE, 3600);
  g_autoptr(HearthCache) cold = NULL;
  g_autoptr(HearthCacheEntry) old = make_entry ("stale", 10);
  g_autofree char *old_key = key_for ("old");
  HearthCacheStats stats;

  old->created_ms = g_get_real_time () / 1000 - 2 * 3600 * 1000;
  hearth_cache_store (cache, old_key, old);
  store_text (cache, "fresh", "fresh");
  /* Without expiry the old entry is served... */
  hearth_cache_set_limits (cache, LARGE, 0);
  g_assert_true (has (cache, "old"));
  /* ...with it, it is a miss from memory and from disk, and is deleted. */
  hearth_cache_set_limits (cache, LARGE, 3600);
  g_assert_false (has (cache, "old"));
  g_assert_true (has (cache, "fresh"));
  g_clear_object (&cache);

  cold = open_cache (path, LARGE, LARGE, 3600);
  g_assert_false (has (cold, "old"));
  g_assert_true (has (cold, "fresh"));
  hearth_cache_get_stats (cold, &stats);
  g_assert_cmpuint (stats.entries, ==, 1);
}

static void
test_ttl_sleep (void)
{
  g_autofree char *path = cache_path ("ttl-sleep");
  g_autoptr(HearthCache) cache = open_cache (path, LARGE, LARGE, 1);

  store_text (cache, "soon", "gone");
  g_assert_true (has (cache, "soon"));
  g_usleep (1200 * 1000);
  g_assert_false (has (cache, "soon"));
}

/* Statistics */

static void
test_stats (void)
{
  g_autofree char *path = cache_path ("stats");
  g_autoptr(HearthCache) cache = open_cache (path, LARGE, LARGE, 0);
  g_autoptr(HearthCache) other = NULL;
  g_autoptr(HearthCacheEntry) a = make_entry ("alpha", 1500);
  g_autoptr(HearthCacheEntry) b = make_entry ("beta", 2500);
  g_autofree char *key_a = key_for ("a");
  g_autofree char *key_b = key_for ("b");
  HearthCacheStats stats;

  b->thinking = g_strdup ("hmm");
  hearth_cache_store (cache, key_a, a);
  hearth_cache_store (cache, key_b, b);
  g_assert_true (has (cache, "a"));
  g_assert_false (has (cache, "missing"));
  g_clear_object (&cache);

  other = open_cache (path, LARGE, LARGE, 0);
  g_assert_true (has (other, "b"));
  g_assert_true (has (other, "b"));
  hearth_cache_get_stats (other, &stats);
  g_assert_cmpuint (stats.memory_hits, ==, 2);
  g_assert_cmpuint (stats.memory_misses, ==, 2);
  g_assert_cmpuint (stats.disk_hits, ==, 1);
  g_assert_cmpuint (stats.disk_misses, ==, 1);
  g_assert_cmpuint (stats.entries, ==, 2);
  g_assert_cmpuint (stats.bytes_on_disk, >, 0);
  g_assert_cmpuint (stats.bytes_served, ==, strlen ("alpha") + 2 * strlen ("betahmm"));
  g_assert_cmpfloat_with_epsilon (stats.time_saved_ms, 1500 + 2 * 2500, 1e-6);
  g_clear_object (&other);

  /* All time: the figures outlive the process that made them. */
  other = open_cache (path, LARGE, LARGE, 0);
  hearth_cache_get_stats (other, &stats);
  g_assert_cmpuint (stats.memory_hits, ==, 2);
  g_assert_cmpuint (stats.disk_hits, ==, 1);
}

static void
test_clear (void)
{
  g_autofree char *path = cache_path ("clear");
  g_autoptr(HearthCache) cache = open_cache (path, LARGE, LARGE, 0);
  g_autoptr(GError) error = NULL;
  HearthCacheStats stats;

  store_text (cache, "a", "one");
  store_text (cache, "b", "two");
  g_assert_true (hearth_cache_clear (cache, &error));
  g_assert_no_error (error);
  hearth_cache_get_stats (cache, &stats);
  g_assert_cmpuint (stats.entries, ==, 0);
  g_assert_cmpuint (stats.bytes_on_disk, ==, 0);
  g_assert_false (has (cache, "a"));
  g_assert_false (has (cache, "b"));
  store_text (cache, "c", "three");
  g_assert_true (has (cache, "c"));
}

static void
test_default_path (void)
{
  g_autofree char *path = hearth_cache_default_path ();
  g_autofree char *expected = g_build_filename (g_get_user_cache_dir (), "hearth", "cache.db",
                                                NULL);

  g_assert_cmpstr (path, ==, expected);
}

/* Damaged files */

static char *
find_aside (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *prefix = g_strconcat (base, ".corrupt-", NULL);
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_prefix (name, prefix) && !g_str_has_suffix (name, "-wal") &&
        !g_str_has_suffix (name, "-shm"))
      return g_build_filename (dir, name, NULL);
  return NULL;
}

static void
assert_set_aside (HearthCache *cache,
                  const char  *path)
{
  g_autofree char *aside = find_aside (path);
  const char *warning = hearth_cache_get_warning (cache);

  g_assert_nonnull (aside);
  g_assert_nonnull (warning);
  g_test_message ("%s", warning);
  g_assert_nonnull (strstr (warning, path));
  g_assert_nonnull (strstr (warning, aside));
  /* The rebuilt cache works. */
  store_text (cache, "after", "rebuilt");
  g_assert_true (has (cache, "after"));
}

static void
test_corrupt_garbage (void)
{
  g_autofree char *path = cache_path ("garbage");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GString) garbage = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthCache) cache = NULL;
  g_autofree char *aside = NULL;
  g_autofree char *kept = NULL;

  for (guint i = 0; i < 2048; i++)
    g_string_append (garbage, "This is not a database. ");
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, garbage->str, garbage->len, NULL));

  cache = hearth_cache_open (path, LARGE, LARGE, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cache);
  assert_set_aside (cache, path);
  aside = find_aside (path);
  g_assert_true (g_file_get_contents (aside, &kept, NULL, NULL));
  g_assert_cmpstr (kept, ==, garbage->str);
}

static void
test_corrupt_foreign (void)
{
  g_autofree char *path = cache_path ("foreign");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthCache) cache = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  hearth_test_sqlite_run (path, "CREATE TABLE entries (x); PRAGMA user_version = 1;");

  cache = hearth_cache_open (path, LARGE, LARGE, 0, &error);
  g_assert_no_error (error);
  assert_set_aside (cache, path);
}

static void
test_corrupt_pages (void)
{
  g_autofree char *path = cache_path ("damaged");
  g_autoptr(HearthCache) cache = open_cache (path, LARGE, LARGE, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *name = g_strdup_printf ("n%u", i);
      g_autofree char *text = random_text (i, 1500);

      store_text (cache, name, text);
    }
  g_clear_object (&cache);

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  for (gsize i = 4096; i < length; i++)
    contents[i] = (char) (i * 7 + 13);
  g_assert_true (g_file_set_contents (path, contents, length, NULL));

  /* Found at open or at the first read that meets a bad page: either way
   * the caller sees misses, never a failure, and the file is set aside. */
  cache = hearth_cache_open (path, LARGE, LARGE, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 200 && hearth_cache_get_warning (cache) == NULL; i++)
    {
      g_autofree char *name = g_strdup_printf ("n%u", i);

      g_assert_false (has (cache, name));
    }
  assert_set_aside (cache, path);
}

static void
scribble (const char *path,
          gsize       from)
{
  FILE *file = fopen (path, "r+b");
  long length;

  g_assert_nonnull (file);
  g_assert_cmpint (fseek (file, 0, SEEK_END), ==, 0);
  length = ftell (file);
  g_assert_cmpint (fseek (file, from, SEEK_SET), ==, 0);
  for (long i = from; i < length; i++)
    fputc ((int) ((i * 7 + 13) & 0xff), file);
  fclose (file);
}

/* Damage that appears while the file is open, in place (a rename would
 * leave the open connection on the old, intact file). */
static void
test_corrupt_in_use (void)
{
  g_autofree char *path = cache_path ("damaged-in-use");
  g_autoptr(HearthCache) cache = open_cache (path, LARGE, LARGE, 0);
  g_autoptr(HearthCache) reader = NULL;
  guint misses = 0;

  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *name = g_strdup_printf ("n%u", i);
      g_autofree char *text = random_text (i, 1500);

      store_text (cache, name, text);
    }
  g_clear_object (&cache);

  reader = open_cache (path, LARGE, 0, 0);
  scribble (path, 3 * 4096);
  for (guint i = 0; i < 200 && hearth_cache_get_warning (reader) == NULL; i++)
    {
      g_autofree char *name = g_strdup_printf ("n%u", i);

      misses += has (reader, name) ? 0 : 1;
    }
  g_assert_cmpuint (misses, >, 0);
  assert_set_aside (reader, path);
}

/* Two processes */

static void
store_many (HearthCache *cache,
            const char  *prefix)
{
  for (guint i = 0; i < N_PER_PROC; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%u", prefix, i);
      g_autofree char *text = random_text (i, 300 + i % 700);

      store_text (cache, name, text);
    }
}

static guint
count_present (HearthCache *cache,
               const char  *prefix)
{
  guint present = 0;

  for (guint i = 0; i < N_PER_PROC; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%u", prefix, i);

      present += has (cache, name) ? 1 : 0;
    }
  return present;
}

static G_GNUC_NORETURN void
writer_child (const char *path)
{
  g_autoptr(GError) error = NULL;
  HearthCache *cache = hearth_cache_open (path, LARGE, LARGE, 0, &error);

  if (cache == NULL)
    _exit (2);
  store_many (cache, "child");
  g_object_unref (cache);
  /* _exit: the parent owns the temporary directory and its clean-up. */
  _exit (0);
}

static void
test_two_processes (void)
{
  g_autofree char *path = cache_path ("shared");
  g_autoptr(HearthCache) cache = open_cache (path, LARGE, LARGE, 0);
  g_autoptr(HearthCache) cold = NULL;
  HearthCacheStats stats;
  int status;
  pid_t pid;

  fflush (stdout);
  fflush (stderr);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    writer_child (path);

  store_many (cache, "parent");
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  g_assert_cmpuint (count_present (cache, "parent"), ==, N_PER_PROC);
  g_assert_cmpuint (count_present (cache, "child"), ==, N_PER_PROC);
  g_clear_object (&cache);

  cold = open_cache (path, LARGE, 0, 0);
  g_assert_cmpuint (count_present (cold, "parent"), ==, N_PER_PROC);
  g_assert_cmpuint (count_present (cold, "child"), ==, N_PER_PROC);
  hearth_cache_get_stats (cold, &stats);
  g_assert_cmpuint (stats.entries, ==, 2 * N_PER_PROC);
}

/* A folder that cannot be written */

static void
read_only_child (int      fd,
                 gpointer user_data)
{
  const char *dir = user_data;
  const char *stages[] = { "create", "mkdir", "damaged" };
  g_autofree char *fresh = g_build_filename (dir, "cache.db", NULL);
  g_autofree char *nested = g_build_filename (dir, "sub", "cache.db", NULL);
  g_autofree char *damaged = g_build_filename (dir, "bad", "cache.db", NULL);
  const char *paths[] = { fresh, nested, damaged };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HearthCache) cache = hearth_cache_open (paths[i], LARGE, LARGE, 0, &error);

      hearth_test_write_report (fd, stages[i], error);
    }
}

static void
test_read_only (void)
{
  g_autofree char *dir = hearth_test_build_tmp_path ("read-only", NULL);
  g_autofree char *bad_dir = g_build_filename (dir, "bad", NULL);
  g_autofree char *bad_file = g_build_filename (bad_dir, "cache.db", NULL);
  g_autofree char *output = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (g_mkdir_with_parents (bad_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (bad_file, "not a database, not at all", -1, NULL));
  /* Root ignores permissions, so the child becomes an ordinary user (nobody)
   * who owns the folder, as a user owns their own cache folder. */
  if (!hearth_test_hand_to_nobody (dir, bad_dir, bad_file, NULL))
    return;
  g_assert_cmpint (chmod (bad_dir, 0500), ==, 0);
  g_assert_cmpint (chmod (dir, 0500), ==, 0);
  output = hearth_test_run_as_nobody (read_only_child, dir);
  g_assert_cmpint (chmod (dir, 0700), ==, 0);
  g_assert_cmpint (chmod (bad_dir, 0700), ==, 0);
  if (output == NULL)
    return;
  lines = g_strsplit (output, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  hearth_test_assert_read_only_report (lines[0], "create", HEARTH_CACHE_ERROR_READ_ONLY, dir);
  hearth_test_assert_read_only_report (lines[1], "mkdir", HEARTH_CACHE_ERROR_READ_ONLY, dir);
  hearth_test_assert_read_only_report (lines[2], "damaged", HEARTH_CACHE_ERROR_READ_ONLY,
                                       bad_file);
}

/* Another copy of Hearth creating the cache holds it for a moment: opening
 * waits for it. One that never lets go is contention, not damage: the error
 * says so and never advises deleting anything. */
static gpointer
release_later (gpointer data)
{
  sqlite3 *db = data;

  g_usleep (500 * 1000);
  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  return NULL;
}

static void
test_busy (void)
{
  g_autofree char *path = cache_path ("busy");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthCache) cache = NULL;
  g_autoptr(HearthCache) waited = NULL;
  GThread *thread;
  sqlite3 *db = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  /* a fresh file, still in rollback-journal mode, locked as while the schema is made */
  g_assert_cmpint (sqlite3_exec (db, "BEGIN EXCLUSIVE", NULL, NULL, NULL), ==, SQLITE_OK);
  cache = hearth_cache_open (path, LARGE, LARGE, 0, &error);
  g_assert_null (cache);
  g_assert_error (error, HEARTH_CACHE_ERROR, HEARTH_CACHE_ERROR_BUSY);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "other copies of Hearth"));
  g_assert_null (strstr (error->message, "delete"));
  g_assert_null (find_aside (path));
  g_clear_error (&error);

  thread = g_thread_new ("release", release_later, db);
  waited = hearth_cache_open (path, LARGE, LARGE, 0, &error);
  g_thread_join (thread);
  g_assert_no_error (error);
  g_assert_nonnull (waited);
  g_assert_null (hearth_cache_get_warning (waited));
  store_text (waited, "after", "the wait");
  g_assert_true (has (waited, "after"));
  sqlite3_close (db);
}

int
main (int   argc,
      char *argv[])
{
  hearth_test_init (&argc, &argv);

  g_test_add_func ("/cache/default-path", test_default_path);
  g_test_add_func ("/cache/key/format", test_key_format);
  g_test_add_func ("/cache/key/same", test_key_same);
  g_test_add_func ("/cache/key/different", test_key_different);
  g_test_add_func ("/cache/key/missing-digest", test_key_missing_digest);
  g_test_add_func ("/cache/deterministic", test_deterministic);
  g_test_add_func ("/cache/round-trip/full", test_round_trip_full);
  g_test_add_func ("/cache/round-trip/sparse", test_round_trip_sparse);
  g_test_add_func ("/cache/round-trip/replace", test_round_trip_replace);
  g_test_add_func ("/cache/lru/memory", test_lru_memory);
  g_test_add_func ("/cache/lru/disk", test_lru_disk);
  g_test_add_func ("/cache/ttl/created", test_ttl);
  g_test_add_func ("/cache/ttl/sleep", test_ttl_sleep);
  g_test_add_func ("/cache/stats", test_stats);
  g_test_add_func ("/cache/clear", test_clear);
  g_test_add_func ("/cache/corrupt/garbage", test_corrupt_garbage);
  g_test_add_func ("/cache/corrupt/foreign", test_corrupt_foreign);
  g_test_add_func ("/cache/corrupt/pages", test_corrupt_pages);
  g_test_add_func ("/cache/corrupt/in-use", test_corrupt_in_use);
  g_test_add_func ("/cache/two-processes", test_two_processes);
  g_test_add_func ("/cache/read-only", test_read_only);
  g_test_add_func ("/cache/busy", test_busy);

  return g_test_run ();
}
