/* hearth-cache.c — the cache object, its memory tier, lookup, store and limits
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-cache"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "hearth-cache-private.h"

/* Memory hits are counted in the process and written with the next disk
 * access, or after this long: a write per memory hit would cost more than
 * the hit itself. */
#define FLUSH_INTERVAL_MS      1000
#define MAX_PENDING_TOUCHES    1024
/* What a memory entry costs besides its strings: node, entry, hash slot. */
#define MEMORY_ENTRY_OVERHEAD  (sizeof (MemoryNode) + sizeof (HearthCacheEntry) + 64)
/* A shared tier that is down is left alone this long before the next try. */
#define SHARED_RETRY_MS        30000

typedef struct
{
  GList              link;      /* in HearthCache.lru, most recently used first */
  char              *key;
  HearthCacheEntry  *entry;
  gsize              cost;
} MemoryNode;

G_DEFINE_FINAL_TYPE (HearthCache, hearth_cache, G_TYPE_OBJECT)

G_DEFINE_QUARK (hearth-cache-error-quark, hearth_cache_error)

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* Entries */

HearthCacheEntry *
hearth_cache_entry_new (void)
{
  HearthCacheEntry *entry = g_new0 (HearthCacheEntry, 1);

  hearth_figures_init (&entry->figures);
  return entry;
}

HearthCacheEntry *
hearth_cache_entry_copy (const HearthCacheEntry *entry)
{
  HearthCacheEntry *copy = g_new (HearthCacheEntry, 1);

  *copy = *entry;
  copy->content = g_strdup (entry->content != NULL ? entry->content : "");
  copy->thinking = g_strdup (entry->thinking);
  copy->model = g_strdup (entry->model != NULL ? entry->model : "");
  copy->done_reason = g_strdup (entry->done_reason);
  return copy;
}

void
hearth_cache_entry_free (HearthCacheEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->content);
  g_free (entry->thinking);
  g_free (entry->model);
  g_free (entry->done_reason);
  g_free (entry);
}

static gsize
entry_reply_bytes (const HearthCacheEntry *entry)
{
  return strlen (entry->content) + (entry->thinking != NULL ? strlen (entry->thinking) : 0);
}

gboolean
_hearth_cache_entry_expired (HearthCache *self,
                             gint64       created_ms,
                             gint64       now)
{
  return self->ttl_seconds > 0 && created_ms < now - self->ttl_seconds * 1000;
}

static void
counters_add_hit (Counters               *counters,
                  const HearthCacheEntry *entry)
{
  counters->bytes_served += entry_reply_bytes (entry);
  if (entry->figures.total_ms > 0 && isfinite (entry->figures.total_ms))
    counters->time_saved_ms += entry->figures.total_ms;
}

void
_hearth_cache_add_hit (HearthCache            *self,
                       const HearthCacheEntry *entry)
{
  counters_add_hit (&self->pending, entry);
}

/* Memory tier: a hash table for finding, a list for the order of use. */

static void
memory_node_free (MemoryNode *node)
{
  g_free (node->key);
  hearth_cache_entry_free (node->entry);
  g_free (node);
}

static void
memory_remove (HearthCache *self,
               MemoryNode  *node)
{
  g_queue_unlink (&self->lru, &node->link);
  self->memory_bytes -= node->cost;
  g_hash_table_remove (self->memory, node->key);
}

static void
memory_trim (HearthCache *self,
             guint64      limit)
{
  while (self->memory_bytes > limit && self->lru.tail != NULL)
    memory_remove (self, self->lru.tail->data);
}

static gsize
memory_cost (const char             *key,
             const HearthCacheEntry *entry)
{
  return strlen (key) + entry_reply_bytes (entry) + strlen (entry->model) +
         (entry->done_reason != NULL ? strlen (entry->done_reason) : 0) +
         MEMORY_ENTRY_OVERHEAD;
}

/* Takes @entry, whose strings are never NULL but thinking and done_reason. */
static void
memory_insert (HearthCache      *self,
               const char       *key,
               HearthCacheEntry *entry)
{
  MemoryNode *node;
  gsize cost = memory_cost (key, entry);

  node = g_hash_table_lookup (self->memory, key);
  if (node != NULL)
    memory_remove (self, node);
  if (cost > self->max_memory_bytes)
    {
      hearth_cache_entry_free (entry);
      return;
    }
  node = g_new0 (MemoryNode, 1);
  node->link.data = node;
  node->key = g_strdup (key);
  node->entry = entry;
  node->cost = cost;
  g_hash_table_insert (self->memory, node->key, node);
  g_queue_push_head_link (&self->lru, &node->link);
  self->memory_bytes += cost;
  memory_trim (self, self->max_memory_bytes);
}

static void
touch_later (HearthCache *self,
             const char  *key,
             gint64       used_ms)
{
  gint64 *stamp = g_new (gint64, 1);

  *stamp = used_ms;
  g_hash_table_replace (self->touches, g_strdup (key), stamp);
}

/* A hit, or NULL when the key is absent or expired (and then dropped). */
static const HearthCacheEntry *
memory_lookup (HearthCache *self,
               const char  *key,
               gint64       now)
{
  MemoryNode *node = g_hash_table_lookup (self->memory, key);

  if (node == NULL)
    return NULL;
  if (_hearth_cache_entry_expired (self, node->entry->created_ms, now))
    {
      memory_remove (self, node);
      return NULL;
    }
  g_queue_unlink (&self->lru, &node->link);
  g_queue_push_head_link (&self->lru, &node->link);
  touch_later (self, key, now);
  return node->entry;
}

/* GObject */

static void
hearth_cache_dispose (GObject *object)
{
  HearthCache *self = (HearthCache *)object;

  /* The worker's last stores go out (or fail) before its counts are written. */
  _hearth_cache_shared_shutdown (self);
  hearth_cache_flush (self);

  G_OBJECT_CLASS (hearth_cache_parent_class)->dispose (object);
}

static void
hearth_cache_finalize (GObject *object)
{
  HearthCache *self = (HearthCache *)object;

  _hearth_cache_close_db (self);
  /* The list links live inside the nodes, which the table frees. */
  g_clear_pointer (&self->memory, g_hash_table_unref);
  g_queue_init (&self->lru);
  g_clear_pointer (&self->touches, g_hash_table_unref);
  g_clear_pointer (&self->cctx, ZSTD_freeCCtx);
  g_clear_pointer (&self->dctx, ZSTD_freeDCtx);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->warning, g_free);
  g_clear_pointer (&self->shared_warning, g_free);
  g_clear_pointer (&self->both_warnings, g_free);

  G_OBJECT_CLASS (hearth_cache_parent_class)->finalize (object);
}

static void
hearth_cache_class_init (HearthCacheClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hearth_cache_dispose;
  object_class->finalize = hearth_cache_finalize;
}

static void
hearth_cache_init (HearthCache *self)
{
  self->memory = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) memory_node_free);
  self->touches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_queue_init (&self->lru);
  self->cctx = ZSTD_createCCtx ();
  self->dctx = ZSTD_createDCtx ();
  self->last_flush_ms = now_ms ();
  self->shared_retry_ms = SHARED_RETRY_MS;
}

char *
hearth_cache_default_path (void)
{
  return g_build_filename (g_get_user_cache_dir (), "hearth", "cache.db", NULL);
}

/**
 * hearth_cache_open:
 * @max_disk_bytes: compressed payload bytes kept in the file
 * @max_memory_bytes: bytes kept in this process's memory tier (0: none)
 * @ttl_seconds: age after which an entry is a miss; <= 0: no expiry
 *
 * Opens the cache at @path, creating it if needed. A damaged file is moved
 * aside and replaced (see hearth_cache_get_warning()). The cache keeps one
 * connection and must be used from one thread.
 *
 * Returns: (transfer full): the cache, or %NULL with @error set
 */
HearthCache *
hearth_cache_open (const char  *path,
                   guint64      max_disk_bytes,
                   guint64      max_memory_bytes,
                   gint64       ttl_seconds,
                   GError     **error)
{
  g_autoptr(HearthCache) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (HEARTH_TYPE_CACHE, NULL);
  self->path = g_strdup (path);
  self->max_disk_bytes = max_disk_bytes;
  self->max_memory_bytes = max_memory_bytes;
  self->ttl_seconds = ttl_seconds;
  if (!_hearth_cache_open_db (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *
hearth_cache_get_path (HearthCache *self)
{
  g_return_val_if_fail (HEARTH_IS_CACHE (self), NULL);

  return self->path;
}

/* The file's warning, the shared tier's, or both; the string stays valid
 * until the next call. */
const char *
hearth_cache_get_warning (HearthCache *self)
{
  const char *shared;
  g_autofree char *both = NULL;

  g_return_val_if_fail (HEARTH_IS_CACHE (self), NULL);

  shared = _hearth_cache_shared_warning (self);
  if (shared == NULL || self->warning == NULL)
    return shared != NULL ? shared : self->warning;
  both = g_strdup_printf ("%s %s", self->warning, shared);
  if (g_strcmp0 (both, self->both_warnings) != 0)
    {
      g_free (self->both_warnings);
      self->both_warnings = g_steal_pointer (&both);
    }
  return self->both_warnings;
}

/* Lookup and store */

/* The counters of this lookup, the last use of a hit, the deletion of a
 * stale row: one write transaction. */
static void
disk_record_lookup (HearthCache *self,
                    const char  *stale_key,
                    gint64       now)
{
  int rc;

  if (self->db == NULL)
    return;
  rc = _hearth_cache_begin (self);
  if (rc == SQLITE_DONE && stale_key != NULL)
    rc = _hearth_cache_disk_delete (self, stale_key);
  if (rc == SQLITE_DONE)
    rc = _hearth_cache_write_pending (self);
  rc = _hearth_cache_commit (self, rc);
  if (rc == SQLITE_DONE)
    _hearth_cache_pending_written (self, now);
  else
    _hearth_cache_note_failure (self, rc, "record a lookup");
}

static HearthCacheEntry *
cache_lookup_disk (HearthCache *self,
                   const char  *key,
                   gint64       now)
{
  HearthCacheEntry *entry = NULL;
  gboolean stale = FALSE;

  if (self->db != NULL)
    entry = _hearth_cache_disk_read (self, key, now, &stale);
  if (entry == NULL)
    {
      self->pending.disk_misses++;
      disk_record_lookup (self, stale ? key : NULL, now);
      return NULL;
    }
  self->pending.disk_hits++;
  counters_add_hit (&self->pending, entry);
  touch_later (self, key, now);
  disk_record_lookup (self, NULL, now);
  memory_insert (self, key, hearth_cache_entry_copy (entry));
  return entry;
}

static HearthCacheEntry *
cache_lookup (HearthCache *self,
              const char  *key)
{
  gint64 now = now_ms ();
  const HearthCacheEntry *hit = memory_lookup (self, key, now);

  if (hit != NULL)
    {
      self->pending.memory_hits++;
      counters_add_hit (&self->pending, hit);
      if (now - self->last_flush_ms >= FLUSH_INTERVAL_MS ||
          g_hash_table_size (self->touches) >= MAX_PENDING_TOUCHES)
        _hearth_cache_flush_pending (self, now);
      return hearth_cache_entry_copy (hit);
    }
  self->pending.memory_misses++;
  return cache_lookup_disk (self, key, now);
}

/**
 * hearth_cache_lookup:
 *
 * Looks in memory, then on disk. Never fails: an error is logged (debug)
 * and counted as a miss.
 *
 * Returns: (transfer full) (nullable): a copy of the entry, or %NULL on a miss
 */
HearthCacheEntry *
hearth_cache_lookup (HearthCache *self,
                     const char  *key)
{
  HearthCacheEntry *entry;

  g_return_val_if_fail (HEARTH_IS_CACHE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  entry = cache_lookup (self, key);
  _hearth_cache_recover_if_needed (self);
  return entry;
}

static void
disk_store (HearthCache            *self,
            const char             *key,
            const HearthCacheEntry *entry,
            gint64                  now)
{
  g_autoptr(GBytes) payload = _hearth_cache_payload_compress (self, entry);
  int rc;

  if (payload == NULL || self->db == NULL)
    return;
  /* Pending last uses go first, so eviction sees them. */
  rc = _hearth_cache_begin (self);
  if (rc == SQLITE_DONE)
    rc = _hearth_cache_write_pending (self);
  if (rc == SQLITE_DONE)
    rc = _hearth_cache_disk_upsert (self, key, entry, payload, now);
  if (rc == SQLITE_DONE)
    rc = _hearth_cache_disk_evict (self);
  rc = _hearth_cache_commit (self, rc);
  if (rc == SQLITE_DONE)
    _hearth_cache_pending_written (self, now);
  else
    _hearth_cache_note_failure (self, rc, "store a reply");
}

/* Takes @entry, a copy (hearth_cache_entry_copy()) with its creation time. */
void
_hearth_cache_store_local (HearthCache      *self,
                           const char       *key,
                           HearthCacheEntry *entry)
{
  disk_store (self, key, entry, now_ms ());
  memory_insert (self, key, entry);
  _hearth_cache_recover_if_needed (self);
}

/**
 * hearth_cache_store:
 *
 * Keeps @entry under @key in memory and on disk, replacing what was there,
 * and sends it to the shared tier, if any, without waiting for it.
 * Never fails: an error is logged (debug) and the entry is not kept on disk.
 */
void
hearth_cache_store (HearthCache            *self,
                    const char             *key,
                    const HearthCacheEntry *entry)
{
  HearthCacheEntry *copy;

  g_return_if_fail (HEARTH_IS_CACHE (self));
  g_return_if_fail (key != NULL);
  g_return_if_fail (entry != NULL);

  copy = hearth_cache_entry_copy (entry);
  if (copy->created_ms <= 0)
    copy->created_ms = now_ms ();
  _hearth_cache_shared_store (self, key, copy);
  _hearth_cache_store_local (self, key, copy);
}

void
hearth_cache_set_limits (HearthCache *self,
                         guint64      max_disk_bytes,
                         gint64       ttl_seconds)
{
  int rc;

  g_return_if_fail (HEARTH_IS_CACHE (self));

  self->max_disk_bytes = max_disk_bytes;
  self->ttl_seconds = ttl_seconds;
  if (self->db == NULL)
    return;
  rc = _hearth_cache_begin (self);
  if (rc == SQLITE_DONE)
    rc = _hearth_cache_disk_evict (self);
  rc = _hearth_cache_commit (self, rc);
  if (rc != SQLITE_DONE)
    _hearth_cache_note_failure (self, rc, "apply a smaller size limit");
  _hearth_cache_recover_if_needed (self);
}

/**
 * hearth_cache_clear:
 *
 * Removes every entry, in memory and on disk. The all-time statistics stay.
 */
gboolean
hearth_cache_clear (HearthCache  *self,
                    GError      **error)
{
  int rc;

  g_return_val_if_fail (HEARTH_IS_CACHE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memory_trim (self, 0);
  g_hash_table_remove_all (self->touches);
  rc = _hearth_cache_run (self, STMT_CLEAR);
  if (rc == SQLITE_DONE)
    return TRUE;
  g_set_error (error, HEARTH_CACHE_ERROR, HEARTH_CACHE_ERROR_FAILED,
               _("The response cache %s could not be cleared (%s): close other copies of "
                 "Hearth and try again, or delete the file"),
               self->path, self->db != NULL ? sqlite3_errmsg (self->db) : "not open");
  if (_hearth_cache_rc_means_damage (rc))
    self->needs_recovery = TRUE;
  _hearth_cache_recover_if_needed (self);
  return FALSE;
}

/**
 * hearth_cache_flush:
 *
 * Writes the statistics and last uses this process holds back (memory hits
 * are written at most once a second). Done on dispose too.
 */
void
hearth_cache_flush (HearthCache *self)
{
  g_return_if_fail (HEARTH_IS_CACHE (self));

  _hearth_cache_shared_harvest (self);
  if (self->pending.memory_hits == 0 && self->pending.memory_misses == 0 &&
      self->pending.disk_hits == 0 && self->pending.disk_misses == 0 &&
      self->pending.shared_hits == 0 && self->pending.shared_misses == 0 &&
      self->pending.shared_errors == 0 && g_hash_table_size (self->touches) == 0)
    return;
  _hearth_cache_flush_pending (self, now_ms ());
  _hearth_cache_recover_if_needed (self);
}

static void
stats_add_pending (HearthCache      *self,
                   HearthCacheStats *stats)
{
  stats->memory_hits += self->pending.memory_hits;
  stats->memory_misses += self->pending.memory_misses;
  stats->disk_hits += self->pending.disk_hits;
  stats->disk_misses += self->pending.disk_misses;
  stats->bytes_served += self->pending.bytes_served;
  stats->time_saved_ms += self->pending.time_saved_ms;
  stats->shared_hits += self->pending.shared_hits;
  stats->shared_misses += self->pending.shared_misses;
  stats->shared_errors += self->pending.shared_errors;
}

/* All-time figures from the file (every process that used it), plus what
 * this process has not written yet. */
void
hearth_cache_get_stats (HearthCache      *self,
                        HearthCacheStats *stats)
{
  g_return_if_fail (HEARTH_IS_CACHE (self));
  g_return_if_fail (stats != NULL);

  memset (stats, 0, sizeof *stats);
  hearth_cache_flush (self);
  if (self->db != NULL)
    _hearth_cache_stats_read_disk (self, stats);
  stats_add_pending (self, stats);
  stats->shared_connected = _hearth_cache_shared_connected (self);
  _hearth_cache_recover_if_needed (self);
}
