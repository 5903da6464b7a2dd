/* test-cache-shared.c — the cache's shared tier against a real redis-server
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test starts its own redis-server on a free loopback port (and stops
 * it); without redis-server the tests are skipped, loudly.
 */
#include <gio/gio.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <string.h>

#include "hearth-cache-private.h"
#include "hearth-engine.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

#define QUESTION   "Why is the sky blue?"
/* A server that is down is tried again this soon (instead of 1 s, 2 s…). */
#define RETRY_MS   50
#define MAX_WAITS  400

typedef struct
{
  GSubprocess *process;
  int          port;
  char        *url;
  char        *password;
} Redis;

/* Redis */

static gboolean
skip_loudly (const char *reason)
{
  g_printerr ("\n*** SKIPPED: %s ***\n\n", reason);
  g_test_skip (reason);
  return FALSE;
}

static gboolean
require_redis (void)
{
  g_autofree char *path = g_find_program_in_path ("redis-server");

  if (path == NULL)
    return skip_loudly ("redis-server is not installed (apt-get install redis-server, "
                        "or build-aux/setup.sh)");
  return TRUE;
}

static int
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static gboolean
redis_answers (Redis *redis)
{
  struct timeval tv = { 0, 200000 };
  redisContext *ctx = redisConnectWithTimeout ("127.0.0.1", redis->port, tv);
  redisReply *reply = NULL;
  gboolean ok;

  if (ctx == NULL || ctx->err != 0)
    {
      g_clear_pointer (&ctx, redisFree);
      return FALSE;
    }
  /* A server with a password answers NOAUTH: it is up all the same. */
  reply = redisCommand (ctx, "PING");
  ok = reply != NULL;
  g_clear_pointer (&reply, freeReplyObject);
  redisFree (ctx);
  return ok;
}

/* On redis->port (a free one the first time). */
static void
redis_start (Redis *redis)
{
  g_autofree char *port = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  if (redis->port == 0)
    redis->port = free_port ();
  if (redis->url == NULL)
    redis->url = g_strdup_printf ("redis://127.0.0.1:%d/3", redis->port);
  port = g_strdup_printf ("%d", redis->port);
  g_ptr_array_add (argv, (char *) "redis-server");
  g_ptr_array_add (argv, (char *) "--port");
  g_ptr_array_add (argv, port);
  g_ptr_array_add (argv, (char *) "--bind");
  g_ptr_array_add (argv, (char *) "127.0.0.1");
  g_ptr_array_add (argv, (char *) "--save");
  g_ptr_array_add (argv, (char *) "");
  g_ptr_array_add (argv, (char *) "--appendonly");
  g_ptr_array_add (argv, (char *) "no");
  if (redis->password != NULL)
    {
      g_ptr_array_add (argv, (char *) "--requirepass");
      g_ptr_array_add (argv, redis->password);
    }
  g_ptr_array_add (argv, NULL);
  redis->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                      G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  g_assert_no_error (error);
  for (guint i = 0; !redis_answers (redis); i++)
    {
      g_assert_cmpuint (i, <, MAX_WAITS);
      g_usleep (10000);
    }
}

/* Gone at once, as a crash or a pulled cable would leave it. */
static void
redis_kill (Redis *redis)
{
  if (redis->process == NULL)
    return;
  g_subprocess_send_signal (redis->process, SIGKILL);
  g_subprocess_wait (redis->process, NULL, NULL);
  g_clear_object (&redis->process);
}

static void
redis_clear (Redis *redis)
{
  redis_kill (redis);
  g_clear_pointer (&redis->url, g_free);
  g_clear_pointer (&redis->password, g_free);
}

/* Caches */

static HearthCache *
open_cache (const char *test,
            const char *name,
            const char *shared_url)
{
  g_autofree char *path = hearth_test_build_tmp_path (test, name, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;
  HearthCache *cache;

  g_mkdir_with_parents (dir, 0700);
  cache = hearth_cache_open (path, 16 << 20, 1 << 20, 3600, &error);
  g_assert_no_error (error);
  _hearth_cache_set_shared_retry_ms (cache, RETRY_MS);
  g_assert_true (hearth_cache_set_shared (cache, shared_url, &error));
  g_assert_no_error (error);
  return cache;
}

static void
ping_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  int *outcome = user_data;

  *outcome = hearth_cache_ping_shared_finish (HEARTH_CACHE (object), result, NULL) ? 1 : 0;
}

/* One round trip through the worker: what was queued before (stores) has
 * gone out when it returns. */
static gboolean
ping (HearthCache *cache)
{
  int outcome = -1;

  hearth_cache_ping_shared_async (cache, NULL, ping_cb, &outcome);
  while (outcome < 0)
    g_main_context_iteration (NULL, TRUE);
  return outcome == 1;
}

/* Pings until the server answers again (each try waits for the retry). */
static void
wait_connected (HearthCache *cache)
{
  for (guint i = 0; !ping (cache); i++)
    {
      g_assert_cmpuint (i, <, MAX_WAITS);
      g_usleep (RETRY_MS * 1000);
    }
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  HearthCacheEntry **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = hearth_cache_lookup_finish (HEARTH_CACHE (object), result, &error);
  g_assert_no_error (error);
  if (*out == NULL)
    *out = hearth_cache_entry_new ();     /* a miss: an entry without content */
}

/* NULL on a miss. */
static HearthCacheEntry *
lookup (HearthCache *cache,
        const char  *key)
{
  HearthCacheEntry *entry = NULL;

  hearth_cache_lookup_async (cache, key, NULL, lookup_cb, &entry);
  while (entry == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (entry->content == NULL)
    g_clear_pointer (&entry, hearth_cache_entry_free);
  return entry;
}

static void
store (HearthCache *cache,
       const char  *key,
       const char  *content)
{
  g_autoptr(HearthCacheEntry) entry = hearth_cache_entry_new ();

  entry->content = g_strdup (content);
  entry->thinking = g_strdup ("thought about it");
  entry->model = g_strdup ("tiny-fixed:latest");
  entry->done_reason = g_strdup ("stop");
  entry->figures.tokens_out = 12;
  entry->figures.total_ms = 840;
  hearth_cache_store (cache, key, entry);
}

static char *
key_for (const char *name)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, -1);
}

static HearthCacheStats
stats_of (HearthCache *cache)
{
  HearthCacheStats stats;

  hearth_cache_get_stats (cache, &stats);
  return stats;
}

/* Tests */

/* What one computer stored, another finds: a shared hit, with its text,
 * thinking and figures, kept in that computer's own tiers too. */
static void
test_shared_hit (void)
{
  Redis redis = { 0 };
  g_autoptr(HearthCache) a = NULL;
  g_autoptr(HearthCache) b = NULL;
  g_autofree char *key = key_for ("shared-hit");
  g_autofree char *other = key_for ("never-stored");
  g_autoptr(HearthCacheEntry) hit = NULL;
  g_autoptr(HearthCacheEntry) miss = NULL;
  g_autoptr(HearthCacheEntry) again = NULL;
  HearthCacheStats stats;

  if (!require_redis ())
    return;
  redis_start (&redis);
  a = open_cache ("shared-hit", "a.db", redis.url);
  b = open_cache ("shared-hit", "b.db", redis.url);
  g_assert_cmpstr (hearth_cache_get_shared_url (a), ==, redis.url);

  store (a, key, "Because air scatters blue light.");
  g_assert_true (ping (a));
  g_assert_null (hearth_cache_lookup (b, key));   /* not in b's own tiers */
  hit = lookup (b, key);
  g_assert_nonnull (hit);
  g_assert_cmpstr (hit->content, ==, "Because air scatters blue light.");
  g_assert_cmpstr (hit->thinking, ==, "thought about it");
  g_assert_cmpstr (hit->model, ==, "tiny-fixed:latest");
  g_assert_cmpint (hit->figures.tokens_out, ==, 12);
  g_assert_cmpfloat (hit->figures.total_ms, ==, 840);
  miss = lookup (b, other);
  g_assert_null (miss);

  stats = stats_of (b);
  g_assert_cmpuint (stats.shared_hits, ==, 1);
  g_assert_cmpuint (stats.shared_misses, ==, 1);
  g_assert_cmpuint (stats.shared_errors, ==, 0);
  g_assert_true (stats.shared_connected);
  g_assert_null (hearth_cache_get_warning (b));

  /* Now in b's own tiers: found without the shared one. */
  g_assert_true (hearth_cache_set_shared (b, NULL, NULL));
  g_assert_null (hearth_cache_get_shared_url (b));
  again = hearth_cache_lookup (b, key);
  g_assert_nonnull (again);
  g_assert_cmpstr (again->content, ==, "Because air scatters blue light.");

  /* The counts outlive the process: they are in b's file. */
  hearth_cache_flush (b);
  g_clear_object (&b);
  b = open_cache ("shared-hit", "b.db", NULL);
  stats = stats_of (b);
  g_assert_cmpuint (stats.shared_hits, ==, 1);
  g_assert_false (stats.shared_connected);
  redis_clear (&redis);
}

/* Redis killed mid-run: the local tiers still answer, the failure is
 * counted and said once; back, it is used again. */
static void
test_redis_goes_away (void)
{
  Redis redis = { 0 };
  g_autoptr(HearthCache) a = NULL;
  g_autoptr(HearthCache) b = NULL;
  g_autofree char *before = key_for ("before");
  g_autofree char *during = key_for ("during");
  g_autofree char *after = key_for ("after");
  g_autoptr(HearthCacheEntry) local = NULL;
  g_autoptr(HearthCacheEntry) gone = NULL;
  g_autoptr(HearthCacheEntry) during_local = NULL;
  g_autoptr(HearthCacheEntry) back = NULL;
  HearthCacheStats stats;
  const char *warning;

  if (!require_redis ())
    return;
  redis_start (&redis);
  a = open_cache ("goes-away", "a.db", redis.url);
  b = open_cache ("goes-away", "b.db", redis.url);
  store (a, before, "stored before");
  g_assert_true (ping (a));

  redis_kill (&redis);
  /* a answers from its own tiers; b finds nothing, and no error reaches it. */
  local = lookup (a, before);
  g_assert_nonnull (local);
  g_assert_cmpstr (local->content, ==, "stored before");
  gone = lookup (b, before);
  g_assert_null (gone);
  store (b, during, "stored while it was down");
  during_local = lookup (b, during);
  g_assert_nonnull (during_local);
  g_assert_false (ping (b));

  stats = stats_of (b);
  g_assert_cmpuint (stats.shared_errors, >=, 2);   /* the lookup and the store */
  g_assert_cmpuint (stats.shared_hits, ==, 0);
  g_assert_false (stats.shared_connected);
  warning = hearth_cache_get_warning (b);
  g_assert_nonnull (warning);
  g_assert_nonnull (strstr (warning, "cannot be reached"));
  g_assert_nonnull (strstr (warning, "this computer's cache"));

  /* Back on the same port: reconnected, the warning gone, shared again. */
  redis_start (&redis);
  wait_connected (b);
  g_assert_null (hearth_cache_get_warning (b));
  g_assert_true (stats_of (b).shared_connected);
  store (b, after, "stored after it came back");
  g_assert_true (ping (b));
  wait_connected (a);
  back = lookup (a, after);
  g_assert_nonnull (back);
  g_assert_cmpstr (back->content, ==, "stored after it came back");
  g_assert_cmpuint (stats_of (a).shared_hits, ==, 1);
  redis_clear (&redis);
}

/* A password only from REDISCLI_AUTH; an address with one is refused
 * without repeating it. */
static void
test_password (void)
{
  Redis redis = { 0 };
  g_autoptr(HearthCache) cache = NULL;
  g_autoptr(GError) error = NULL;
  const char *warning;

  g_assert_false (hearth_cache_check_shared_url ("redis://:hunter2@cache.lan:6379/0", &error));
  g_assert_error (error, HEARTH_CACHE_ERROR, HEARTH_CACHE_ERROR_FAILED);
  g_assert_null (strstr (error->message, "hunter2"));
  g_assert_nonnull (strstr (error->message, "REDISCLI_AUTH"));
  g_clear_error (&error);
  g_assert_false (hearth_cache_check_shared_url ("http://cache.lan", &error));
  g_assert_nonnull (strstr (error->message, "redis://"));
  g_clear_error (&error);
  g_assert_true (hearth_cache_check_shared_url ("", NULL));
  g_assert_true (hearth_cache_check_shared_url ("unix:///run/redis/redis.sock", NULL));

  if (!require_redis ())
    return;
  redis.password = g_strdup ("correct horse");
  redis_start (&redis);
  g_unsetenv ("REDISCLI_AUTH");
  cache = open_cache ("password", "cache.db", redis.url);
  g_assert_false (ping (cache));
  warning = hearth_cache_get_warning (cache);
  g_assert_nonnull (warning);
  g_assert_nonnull (strstr (warning, "REDISCLI_AUTH"));
  g_assert_null (strstr (warning, "correct horse"));
  g_clear_object (&cache);

  g_setenv ("REDISCLI_AUTH", "correct horse", TRUE);
  cache = open_cache ("password", "cache.db", redis.url);
  g_unsetenv ("REDISCLI_AUTH");
  g_assert_true (ping (cache));
  g_assert_null (hearth_cache_get_warning (cache));
  redis_clear (&redis);
}

/* Engines */

static void
on_finished (HearthReply *reply,
             GMainLoop   *loop)
{
  g_main_loop_quit (loop);
}

static HearthReply *
ask (HearthEngine *engine)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  HearthProvider *provider = hearth_engine_get_provider (engine, HEARTH_API_OLLAMA,
                                                         hearth_test_engine_url ());
  HearthChatRequest *request = hearth_chat_request_new ();
  HearthReply *reply;

  request->model = g_strdup ("tiny-fixed");
  request->temperature = 0;
  hearth_chat_request_add_message (request, "user", QUESTION);
  reply = hearth_engine_chat (engine, provider, request, -1, &error);
  g_assert_no_error (error);
  g_signal_connect (reply, "finished", G_CALLBACK (on_finished), loop);
  if (!hearth_reply_is_finished (reply))
    g_main_loop_run (loop);
  g_signal_handlers_disconnect_by_func (reply, on_finished, loop);
  g_assert_cmpint (hearth_reply_get_state (reply), ==, HEARTH_REPLY_DONE);
  return reply;
}

/* Two engines with their own caches, as on two computers: the second gets
 * the first's answer through Redis, marked cached; with Redis gone, each
 * still answers (from its cache or its server) and no request fails. */
static void
test_two_engines (void)
{
  Redis redis = { 0 };
  g_autoptr(HearthCache) cache_a = NULL;
  g_autoptr(HearthCache) cache_b = NULL;
  g_autoptr(HearthCache) cache_c = NULL;
  g_autoptr(HearthEngine) a = hearth_engine_new (NULL);
  g_autoptr(HearthEngine) b = hearth_engine_new (NULL);
  g_autoptr(HearthEngine) c = hearth_engine_new (NULL);
  g_autoptr(HearthReply) live = NULL;
  g_autoptr(HearthReply) shared = NULL;
  g_autoptr(HearthReply) local = NULL;
  g_autoptr(HearthReply) alone = NULL;

  if (!require_redis () || !hearth_test_require_node ())
    return;
  redis_start (&redis);
  cache_a = open_cache ("two-engines", "a.db", redis.url);
  cache_b = open_cache ("two-engines", "b.db", redis.url);
  cache_c = open_cache ("two-engines", "c.db", redis.url);
  hearth_engine_set_cache (a, cache_a, FALSE);
  hearth_engine_set_cache (b, cache_b, FALSE);
  hearth_engine_set_cache (c, cache_c, FALSE);

  live = ask (a);
  g_assert_false (hearth_reply_get_cached (live));
  g_assert_true (ping (cache_a));
  shared = ask (b);
  g_assert_true (hearth_reply_get_cached (shared));
  g_assert_cmpstr (hearth_reply_get_content (shared), ==, hearth_reply_get_content (live));
  g_assert_cmpuint (stats_of (cache_b).shared_hits, ==, 1);

  redis_kill (&redis);
  /* b kept the shared hit in its own tiers; c asks its server. */
  local = ask (b);
  g_assert_true (hearth_reply_get_cached (local));
  alone = ask (c);
  g_assert_false (hearth_reply_get_cached (alone));
  g_assert_cmpstr (hearth_reply_get_content (alone), ==, hearth_reply_get_content (live));
  g_assert_cmpuint (stats_of (cache_c).shared_errors, >=, 1);
  g_assert_nonnull (hearth_engine_get_cache_warning (c));
  redis_clear (&redis);
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);
  g_test_add_func ("/cache-shared/hit", test_shared_hit);
  g_test_add_func ("/cache-shared/redis-goes-away", test_redis_goes_away);
  g_test_add_func ("/cache-shared/password", test_password);
  g_test_add_func ("/cache-shared/two-engines", test_two_engines);
  return g_test_run ();
}
