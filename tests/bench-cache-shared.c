/* bench-cache-shared.c — a hit from the shared tier (Redis) beside a hit from the local disk
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One run, one machine: a redis-server on loopback, started here on a free
 * port. Both columns are hits on the same entries (markdown replies of a
 * few hundred words), timed from the call to the answer on the main loop:
 * - disk: hearth_cache_lookup() on a cache with no memory tier;
 * - shared: hearth_cache_lookup_async() on a cache whose own tiers are
 *   empty, so every answer comes from Redis (and is then kept on disk,
 *   which is part of what it costs).
 * Loopback is the best case for the shared tier: a LAN adds its round trip.
 */
#include <gio/gio.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "hearth-bench-util.h"
#include "hearth-cache.h"
#include "hearth-test-util.h"

#define N_ENTRIES  2000
#define SKIP       77

static double
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
free_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, NULL);

  g_socket_listener_close (listener);
  return port;
}

static gboolean
redis_answers (int port)
{
  struct timeval tv = { 0, 200000 };
  redisContext *ctx = redisConnectWithTimeout ("127.0.0.1", port, tv);
  redisReply *reply = ctx != NULL && ctx->err == 0 ? redisCommand (ctx, "PING") : NULL;
  gboolean ok = reply != NULL;

  g_clear_pointer (&reply, freeReplyObject);
  g_clear_pointer (&ctx, redisFree);
  return ok;
}

static HearthCache *
open_cache (const char *name,
            guint64     max_memory)
{
  g_autofree char *path = hearth_test_build_tmp_path ("bench-cache-shared", name, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;
  HearthCache *cache;

  g_mkdir_with_parents (dir, 0700);
  cache = hearth_cache_open (path, G_GUINT64_CONSTANT (1) << 30, max_memory, 0, &error);
  g_assert_no_error (error);
  return cache;
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  HearthCacheEntry **out = user_data;

  *out = hearth_cache_lookup_finish (HEARTH_CACHE (object), result, NULL);
  if (*out == NULL)
    *out = hearth_cache_entry_new ();
}

static void
pinged_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(int *) user_data = hearth_cache_ping_shared_finish (HEARTH_CACHE (object), result, NULL);
}

static gboolean
ping (HearthCache *cache)
{
  int outcome = -1;

  hearth_cache_ping_shared_async (cache, NULL, pinged_cb, &outcome);
  while (outcome < 0)
    g_main_context_iteration (NULL, TRUE);
  return outcome == 1;
}

static void
print_row (const char *name,
           double     *times,
           guint       n)
{
  printf ("%-26s %9.1f %9.1f %9.1f\n", name,
          hearth_bench_percentile (times, n, 0.50),
          hearth_bench_percentile (times, n, 0.90),
          hearth_bench_percentile (times, n, 0.99));
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *server = g_find_program_in_path ("redis-server");
  g_autofree char *port_text = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) redis = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthCache) writer = NULL;
  g_autoptr(HearthCache) disk = NULL;
  g_autoptr(HearthCache) shared = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (15);
  g_autofree double *disk_us = g_new (double, N_ENTRIES);
  g_autofree double *shared_us = g_new (double, N_ENTRIES);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  HearthCacheStats stats;
  guint misses = 0;
  int port;

  hearth_test_init (&argc, &argv);
  if (server == NULL)
    {
      g_printerr ("*** SKIPPED: redis-server is not installed (apt-get install redis-server) ***\n");
      return SKIP;
    }
  port = free_port ();
  port_text = g_strdup_printf ("%d", port);
  redis = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, server, "--port", port_text,
                            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", NULL);
  g_assert_no_error (error);
  for (guint i = 0; !redis_answers (port); i++)
    {
      g_assert_cmpuint (i, <, 500);
      g_usleep (10000);
    }
  url = g_strdup_printf ("redis://127.0.0.1:%d/0", port);

  /* One computer answers N_ENTRIES questions: on its disk and in Redis. */
  writer = open_cache ("writer.db", 0);
  g_assert_true (hearth_cache_set_shared (writer, url, NULL));
  for (guint i = 0; i < N_ENTRIES; i++)
    {
      g_autoptr(HearthCacheEntry) entry = hearth_cache_entry_new ();
      g_autofree char *name = g_strdup_printf ("question %u", i);

      entry->content = hearth_bench_markdown_reply (rand, g_rand_int_range (rand, 100, 600));
      entry->model = g_strdup ("llama3.2:3b");
      entry->done_reason = g_strdup ("stop");
      entry->figures.total_ms = g_rand_double_range (rand, 500, 8000);
      g_ptr_array_add (keys, g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, -1));
      hearth_cache_store (writer, g_ptr_array_index (keys, i), entry);
    }
  g_assert_true (ping (writer));
  g_clear_object (&writer);

  /* The same computer again, memory tier off: every hit from its disk. */
  disk = open_cache ("writer.db", 0);
  for (guint i = 0; i < N_ENTRIES; i++)
    {
      double start = now_us ();
      g_autoptr(HearthCacheEntry) entry = hearth_cache_lookup (disk, g_ptr_array_index (keys, i));

      disk_us[i] = now_us () - start;
      misses += entry == NULL;
    }

  /* Another computer, its own tiers empty: every hit from Redis. */
  shared = open_cache ("other.db", 0);
  g_assert_true (hearth_cache_set_shared (shared, url, NULL));
  g_assert_true (ping (shared));
  for (guint i = 0; i < N_ENTRIES; i++)
    {
      HearthCacheEntry *entry = NULL;
      double start = now_us ();

      hearth_cache_lookup_async (shared, g_ptr_array_index (keys, i), NULL, done_cb, &entry);
      while (entry == NULL)
        g_main_context_iteration (NULL, TRUE);
      shared_us[i] = now_us () - start;
      misses += entry->content == NULL;
      hearth_cache_entry_free (entry);
    }
  hearth_cache_get_stats (shared, &stats);

  printf ("%u hits each, markdown replies of 100 to 600 words; redis-server on loopback\n",
          N_ENTRIES);
  printf ("%-26s %9s %9s %9s\n", "hit from (us)", "p50", "p90", "p99");
  print_row ("local disk (baseline)", disk_us, N_ENTRIES);
  print_row ("shared tier (Redis)", shared_us, N_ENTRIES);
  printf ("shared hits counted: %" G_GUINT64_FORMAT ", errors: %" G_GUINT64_FORMAT
          ", lookups that missed: %u\n", stats.shared_hits, stats.shared_errors, misses);

  g_clear_object (&shared);
  g_clear_object (&disk);
  g_subprocess_send_signal (redis, SIGTERM);
  g_subprocess_wait (redis, NULL, NULL);
  return misses == 0 ? 0 : 1;
}
