/* hearth-cache-shared.c — the tier several computers share: Redis or Valkey, in one worker thread
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-cache"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <string.h>
#include <hiredis/hiredis.h>

#include "hearth-cache-private.h"

#define KEY_PREFIX          "hearth:cache:1:"
#define CONNECT_TIMEOUT_MS  500
#define COMMAND_TIMEOUT_MS  1000
#define FIRST_RETRY_MS      1000u

typedef enum
{
  OP_CONNECT,
  OP_GET,
  OP_SET,
  OP_PING,
  OP_STOP,
} OpKind;

typedef struct
{
  OpKind              kind;
  HearthCacheShared  *shared;
  char               *key;      /* the server's key, with KEY_PREFIX */
  GBytes             *value;    /* OP_SET: what to keep; OP_GET: what came back */
  gint64              ttl_s;    /* OP_SET: EX; <= 0: none */
  GTask              *task;     /* OP_GET, OP_PING: finished on its own thread */
  gboolean            failed;
} Op;

struct _HearthCacheShared
{
  char          *url;           /* as given */
  HearthSharedAddress addr;
  char          *password;      /* from REDISCLI_AUTH, never written anywhere */
  guint          retry_ms;      /* atomic */

  GThread       *thread;
  GAsyncQueue   *queue;         /* Op */
  gboolean       stopping;      /* OP_STOP is queued */

  GMutex         lock;          /* guards what follows */
  char          *warning;
  gboolean       connected;
  guint64        store_errors;  /* stores the worker could not make, not yet counted */

  /* The worker's own. */
  redisContext  *ctx;
  gint64         retry_at_us;   /* monotonic: no connection tried before */
  guint          failures;      /* in a row: the wait doubles with each, up to retry_ms */
};

static void
op_free (Op *op)
{
  g_free (op->key);
  g_clear_pointer (&op->value, g_bytes_unref);
  g_clear_object (&op->task);
  g_free (op);
}

/* The worker's state, as the main thread reads it */

static void
set_down (HearthCacheShared *shared,
          const char        *warning)
{
  gboolean was_up;

  g_mutex_lock (&shared->lock);
  was_up = shared->warning == NULL;
  shared->connected = FALSE;
  if (was_up)
    shared->warning = g_strdup (warning);
  g_mutex_unlock (&shared->lock);
  /* Once per outage: the warning stays until the server answers again. */
  if (was_up)
    g_message ("%s", warning);
  g_clear_pointer (&shared->ctx, redisFree);
  /* Reconnect after 1 s, 2 s, 4 s… up to retry_ms. */
  shared->retry_at_us = g_get_monotonic_time () +
                        (gint64) MIN ((guint) g_atomic_int_get (&shared->retry_ms),
                                      FIRST_RETRY_MS << MIN (shared->failures, 10)) * 1000;
  shared->failures++;
}

static void
set_up (HearthCacheShared *shared)
{
  g_mutex_lock (&shared->lock);
  if (shared->warning != NULL)
    g_debug ("The shared cache at %s answers again", shared->addr.display);
  g_clear_pointer (&shared->warning, g_free);
  shared->connected = TRUE;
  g_mutex_unlock (&shared->lock);
  shared->failures = 0;
}

static void
set_unreachable (HearthCacheShared *shared,
                 const char        *reason)
{
  g_autofree char *warning =
    g_strdup_printf (_("The shared cache at %s cannot be reached (%s); answers come from this "
                       "computer's cache until it is back"), shared->addr.display, reason);

  set_down (shared, warning);
}

/* The server answered, but not as asked: a password missing or wrong. */
static void
set_refused (HearthCacheShared *shared,
             const char        *reason)
{
  g_autofree char *warning = NULL;

  if (shared->password == NULL && g_str_has_prefix (reason, "NOAUTH"))
    warning = g_strdup_printf (_("The shared cache at %s asks for a password (%s): set "
                                 "REDISCLI_AUTH in Hearth's environment; answers come from this "
                                 "computer's cache until then"), shared->addr.display, reason);
  else
    warning = g_strdup_printf (_("The shared cache at %s refused Hearth (%s)%s; answers come "
                                 "from this computer's cache until it is fixed"), shared->addr.display,
                               reason,
                               shared->password != NULL ? _(": check REDISCLI_AUTH") : "");
  set_down (shared, warning);
}

/* The worker */

static struct timeval
timeval_ms (int ms)
{
  struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

  return tv;
}

/* A command whose answer is OK, or FALSE with the tier marked down. */
static gboolean
worker_simple_command (HearthCacheShared *shared,
                       redisReply        *reply)
{
  gboolean ok = reply != NULL && reply->type != REDIS_REPLY_ERROR;

  if (reply == NULL)
    set_unreachable (shared, shared->ctx->errstr);
  else if (!ok)
    set_refused (shared, reply->str);
  if (reply != NULL)
    freeReplyObject (reply);
  return ok;
}

static gboolean
worker_connect (HearthCacheShared *shared)
{
  struct timeval tv = timeval_ms (CONNECT_TIMEOUT_MS);

  if (shared->ctx != NULL)
    return TRUE;
  if (g_get_monotonic_time () < shared->retry_at_us)
    return FALSE;
  shared->ctx = shared->addr.socket_path != NULL
                ? redisConnectUnixWithTimeout (shared->addr.socket_path, tv)
                : redisConnectWithTimeout (shared->addr.host, shared->addr.port, tv);
  if (shared->ctx == NULL)
    {
      set_unreachable (shared, g_strerror (ENOMEM));
      return FALSE;
    }
  if (shared->ctx->err != 0)
    {
      g_autofree char *reason = g_strdup (shared->ctx->errstr);

      set_unreachable (shared, reason);
      return FALSE;
    }
  redisSetTimeout (shared->ctx, timeval_ms (COMMAND_TIMEOUT_MS));
  if (shared->password != NULL &&
      !worker_simple_command (shared, redisCommand (shared->ctx, "AUTH %s", shared->password)))
    return FALSE;
  if (shared->addr.db != 0 &&
      !worker_simple_command (shared, redisCommand (shared->ctx, "SELECT %d", shared->addr.db)))
    return FALSE;
  set_up (shared);
  return TRUE;
}

/* One command, on a connection made if needed: its reply (to free), or
 * NULL with the tier marked down. */
static redisReply *
worker_command (HearthCacheShared *shared,
                Op                *op)
{
  redisReply *reply = NULL;

  if (!worker_connect (shared))
    return NULL;
  switch (op->kind)
    {
    case OP_GET:
      reply = redisCommand (shared->ctx, "GET %b", op->key, strlen (op->key));
      break;
    case OP_SET:
      if (op->ttl_s > 0)
        reply = redisCommand (shared->ctx, "SET %b %b EX %lld", op->key, strlen (op->key),
                              g_bytes_get_data (op->value, NULL), g_bytes_get_size (op->value),
                              (long long) op->ttl_s);
      else
        reply = redisCommand (shared->ctx, "SET %b %b", op->key, strlen (op->key),
                              g_bytes_get_data (op->value, NULL), g_bytes_get_size (op->value));
      break;
    case OP_PING:
      reply = redisCommand (shared->ctx, "PING");
      break;
    case OP_CONNECT:
    case OP_STOP:
    default:
      return NULL;
    }
  if (reply == NULL)
    {
      g_autofree char *reason = g_strdup (shared->ctx->errstr);

      set_unreachable (shared, reason);
      return NULL;
    }
  if (reply->type == REDIS_REPLY_ERROR)
    {
      set_refused (shared, reply->str);
      freeReplyObject (reply);
      return NULL;
    }
  set_up (shared);
  return reply;
}

/* A GET's answer, back on the cache's thread: counted, decoded, and a hit
 * kept in the local tiers. */
static HearthCacheEntry *
get_complete (HearthCache *self,
              Op          *op)
{
  HearthCacheEntry *entry = NULL;

  if (op->failed)
    self->pending.shared_errors++;
  else if (op->value != NULL)
    entry = _hearth_cache_shared_value_decode (self, op->value);
  if (entry != NULL && _hearth_cache_entry_expired (self, entry->created_ms,
                                                    g_get_real_time () / 1000))
    g_clear_pointer (&entry, hearth_cache_entry_free);
  if (entry == NULL)
    {
      if (op->value != NULL)
        g_debug ("The shared cache at %s holds a reply Hearth cannot use under %s",
                 op->shared->addr.display, op->key);
      self->pending.shared_misses++;
      return NULL;
    }
  self->pending.shared_hits++;
  _hearth_cache_add_hit (self, entry);
  _hearth_cache_store_local (self, op->key + strlen (KEY_PREFIX), hearth_cache_entry_copy (entry));
  return entry;
}

static gboolean
op_complete_in_main (gpointer user_data)
{
  Op *op = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&op->task);
  HearthCache *self = g_task_get_source_object (task);

  if (op->kind == OP_GET)
    g_task_return_pointer (task, get_complete (self, op), (GDestroyNotify) hearth_cache_entry_free);
  else if (op->failed)
    g_task_return_new_error (task, HEARTH_CACHE_ERROR, HEARTH_CACHE_ERROR_FAILED, "%s",
                             _hearth_cache_shared_warning (self) != NULL
                             ? _hearth_cache_shared_warning (self)
                             : _("The shared cache did not answer"));
  else
    g_task_return_boolean (task, TRUE);
  op_free (op);
  return G_SOURCE_REMOVE;
}

static void
worker_run (HearthCacheShared *shared,
            Op                *op)
{
  redisReply *reply = worker_command (shared, op);

  op->failed = reply == NULL;
  if (op->kind == OP_GET && reply != NULL && reply->type == REDIS_REPLY_STRING)
    op->value = g_bytes_new (reply->str, reply->len);
  if (op->kind == OP_SET && op->failed)
    {
      g_mutex_lock (&shared->lock);
      shared->store_errors++;
      g_mutex_unlock (&shared->lock);
    }
  if (reply != NULL)
    freeReplyObject (reply);
}

static gpointer
worker_main (gpointer data)
{
  HearthCacheShared *shared = data;

  for (;;)
    {
      Op *op = g_async_queue_pop (shared->queue);

      if (op->kind == OP_STOP)
        {
          op_free (op);
          break;
        }
      if (op->kind == OP_CONNECT)
        worker_connect (shared);
      else
        worker_run (shared, op);
      /* The task goes back to its thread, which drops the last references:
       * the cache is never finalized here. */
      if (op->task != NULL)
        {
          /* Never g_main_context_invoke (): it could run it here. */
          GSource *source = g_idle_source_new ();

          g_source_set_priority (source, G_PRIORITY_DEFAULT);
          g_source_set_callback (source, op_complete_in_main, op, NULL);
          g_source_set_static_name (source, "[hearth] shared cache answer");
          g_source_attach (source, g_task_get_context (op->task));
          g_source_unref (source);
        }
      else
        op_free (op);
    }
  g_clear_pointer (&shared->ctx, redisFree);
  return NULL;
}

/* Takes @key, @value and @task. */
static void
shared_push (HearthCacheShared *shared,
             OpKind             kind,
             char              *key,
             GBytes            *value,
             gint64             ttl_s,
             GTask             *task)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->shared = shared;
  op->key = key;
  op->value = value;
  op->ttl_s = ttl_s;
  op->task = task;
  g_async_queue_push (shared->queue, op);
}

static void
shared_stop (HearthCacheShared *shared)
{
  if (shared->thread == NULL || shared->stopping)
    return;
  shared->stopping = TRUE;
  shared_push (shared, OP_STOP, NULL, NULL, 0, NULL);
}

/* Waits for the worker: what was queued goes out first (a server that is
 * down answers at once: it is not tried again before its time). */
static void
shared_free (HearthCacheShared *shared)
{
  shared_stop (shared);
  if (shared->thread != NULL)
    g_thread_join (shared->thread);
  g_clear_pointer (&shared->queue, g_async_queue_unref);
  g_free (shared->url);
  _hearth_cache_shared_address_clear (&shared->addr);
  if (shared->password != NULL)
    memset (shared->password, 0, strlen (shared->password));
  g_free (shared->password);
  g_free (shared->warning);
  g_mutex_clear (&shared->lock);
  g_free (shared);
}

static guint64
shared_take_store_errors (HearthCacheShared *shared)
{
  guint64 n;

  g_mutex_lock (&shared->lock);
  n = shared->store_errors;
  shared->store_errors = 0;
  g_mutex_unlock (&shared->lock);
  return n;
}

/* Called on the cache's thread */

void
_hearth_cache_shared_harvest (HearthCache *self)
{
  if (self->shared != NULL)
    self->pending.shared_errors += shared_take_store_errors (self->shared);
  for (guint i = 0; self->retired != NULL && i < self->retired->len; i++)
    self->pending.shared_errors += shared_take_store_errors (g_ptr_array_index (self->retired, i));
}

void
_hearth_cache_shared_shutdown (HearthCache *self)
{
  if (self->shared != NULL)
    {
      if (self->retired == NULL)
        self->retired = g_ptr_array_new ();
      g_ptr_array_add (self->retired, g_steal_pointer (&self->shared));
    }
  if (self->retired == NULL)
    return;
  /* All of them finish at once, then each is waited for. */
  for (guint i = 0; i < self->retired->len; i++)
    shared_stop (g_ptr_array_index (self->retired, i));
  for (guint i = 0; i < self->retired->len; i++)
    {
      HearthCacheShared *shared = g_ptr_array_index (self->retired, i);

      if (shared->thread != NULL)
        g_thread_join (g_steal_pointer (&shared->thread));
    }
  _hearth_cache_shared_harvest (self);
  for (guint i = 0; i < self->retired->len; i++)
    shared_free (g_ptr_array_index (self->retired, i));
  g_clear_pointer (&self->retired, g_ptr_array_unref);
}

const char *
_hearth_cache_shared_warning (HearthCache *self)
{
  g_autofree char *warning = NULL;

  if (self->shared != NULL)
    {
      g_mutex_lock (&self->shared->lock);
      warning = g_strdup (self->shared->warning);
      g_mutex_unlock (&self->shared->lock);
    }
  if (g_strcmp0 (warning, self->shared_warning) != 0)
    {
      g_free (self->shared_warning);
      self->shared_warning = g_steal_pointer (&warning);
    }
  return self->shared_warning;
}

gboolean
_hearth_cache_shared_connected (HearthCache *self)
{
  gboolean connected = FALSE;

  if (self->shared != NULL)
    {
      g_mutex_lock (&self->shared->lock);
      connected = self->shared->connected;
      g_mutex_unlock (&self->shared->lock);
    }
  return connected;
}

void
_hearth_cache_set_shared_retry_ms (HearthCache *self,
                                   guint        retry_ms)
{
  g_return_if_fail (HEARTH_IS_CACHE (self));

  self->shared_retry_ms = retry_ms;
  if (self->shared != NULL)
    g_atomic_int_set (&self->shared->retry_ms, retry_ms);
}

/* Stores */

void
_hearth_cache_shared_store (HearthCache            *self,
                            const char             *key,
                            const HearthCacheEntry *entry)
{
  gint64 ttl_s = 0;
  GBytes *value;

  if (self->shared == NULL)
    return;
  /* What is left of its time to live: another computer may have made it. */
  if (self->ttl_seconds > 0)
    {
      ttl_s = self->ttl_seconds - (g_get_real_time () / 1000 - entry->created_ms) / 1000;
      if (ttl_s <= 0)
        return;
    }
  value = _hearth_cache_shared_value_encode (self, entry);
  if (value == NULL)
    return;
  shared_push (self->shared, OP_SET, g_strconcat (KEY_PREFIX, key, NULL), value, ttl_s, NULL);
}

/* Lookups */

/**
 * hearth_cache_lookup_async:
 *
 * Memory, then disk on this thread (as hearth_cache_lookup()), then the
 * shared tier in its worker. Finishes with %NULL on a miss, and with an
 * error only when @cancellable was cancelled.
 */
void
hearth_cache_lookup_async (HearthCache         *self,
                           const char          *key,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  HearthCacheEntry *entry;

  g_return_if_fail (HEARTH_IS_CACHE (self));
  g_return_if_fail (key != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_cache_lookup_async);
  entry = hearth_cache_lookup (self, key);
  if (entry != NULL || self->shared == NULL)
    {
      g_task_return_pointer (task, entry, (GDestroyNotify) hearth_cache_entry_free);
      return;
    }
  shared_push (self->shared, OP_GET, g_strconcat (KEY_PREFIX, key, NULL), NULL, 0,
               g_steal_pointer (&task));
}

/* Returns: (transfer full) (nullable): the entry, or %NULL on a miss */
HearthCacheEntry *
hearth_cache_lookup_finish (HearthCache   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * hearth_cache_ping_shared_async:
 *
 * Asks the shared tier's server for an answer (connecting if it is not,
 * unless it is waiting before its next try): what the statistics and the
 * warning say is then fresh. Fails with the warning's sentence.
 */
void
hearth_cache_ping_shared_async (HearthCache         *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HEARTH_IS_CACHE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_cache_ping_shared_async);
  if (self->shared == NULL)
    {
      g_task_return_new_error (task, HEARTH_CACHE_ERROR, HEARTH_CACHE_ERROR_FAILED,
                               _("No shared cache is set"));
      return;
    }
  shared_push (self->shared, OP_PING, NULL, NULL, 0, g_steal_pointer (&task));
}

gboolean
hearth_cache_ping_shared_finish (HearthCache   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Public API */

/**
 * hearth_cache_set_shared:
 * @url: (nullable): "redis://HOST[:PORT][/DB]" or "unix:///path"; %NULL or
 *   "" for none
 *
 * Starts (or replaces, or stops) the shared tier. Its worker connects at
 * once; a server that is down is a warning, not an error.
 *
 * Returns: %FALSE with @error set when @url cannot be used, and then the
 *   tier is as it was
 */
gboolean
hearth_cache_set_shared (HearthCache  *self,
                         const char   *url,
                         GError      **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (url != NULL ? url : ""));
  HearthCacheShared *shared;
  const char *password = g_getenv ("REDISCLI_AUTH");

  g_return_val_if_fail (HEARTH_IS_CACHE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->shared != NULL && g_str_equal (stripped, self->shared->url))
    return TRUE;
  shared = g_new0 (HearthCacheShared, 1);
  g_mutex_init (&shared->lock);
  if (*stripped != '\0' && !_hearth_cache_shared_parse_url (stripped, &shared->addr, error))
    {
      shared_free (shared);
      return FALSE;
    }
  /* The old worker finishes what it was given, without holding this thread. */
  if (self->shared != NULL)
    {
      shared_stop (self->shared);
      if (self->retired == NULL)
        self->retired = g_ptr_array_new ();
      g_ptr_array_add (self->retired, g_steal_pointer (&self->shared));
    }
  if (*stripped == '\0')
    {
      shared_free (shared);
      return TRUE;
    }
  shared->url = g_steal_pointer (&stripped);
  shared->password = password != NULL && *password != '\0' ? g_strdup (password) : NULL;
  shared->retry_ms = self->shared_retry_ms;
  shared->queue = g_async_queue_new ();
  shared->thread = g_thread_new ("hearth-cache-shared", worker_main, shared);
  shared_push (shared, OP_CONNECT, NULL, NULL, 0, NULL);
  self->shared = shared;
  return TRUE;
}

const char *
hearth_cache_get_shared_url (HearthCache *self)
{
  g_return_val_if_fail (HEARTH_IS_CACHE (self), NULL);

  return self->shared != NULL ? self->shared->url : NULL;
}
