/* hearth-cache.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "hearth-chat-request.h"
#include "hearth-types.h"

G_BEGIN_DECLS

#define HEARTH_CACHE_ERROR (hearth_cache_error_quark ())

typedef enum
{
  HEARTH_CACHE_ERROR_FAILED,
  HEARTH_CACHE_ERROR_READ_ONLY,   /* the file or its folder cannot be written */
  HEARTH_CACHE_ERROR_TOO_NEW,     /* written by a newer Hearth */
  HEARTH_CACHE_ERROR_BUSY,        /* other copies of Hearth held it too long */
} HearthCacheError;

typedef struct
{
  char          *content;
  char          *thinking;      /* may be NULL */
  char          *model;
  char          *done_reason;
  HearthFigures  figures;       /* as measured when the reply was generated */
  gint64         created_ms;    /* unix time; <= 0 when storing means "now" */
} HearthCacheEntry;

typedef struct
{
  guint64 memory_hits;
  guint64 memory_misses;
  guint64 disk_hits;
  guint64 disk_misses;
  guint64 entries;              /* on disk */
  guint64 bytes_on_disk;        /* compressed payload bytes */
  guint64 bytes_served;         /* uncompressed reply bytes served from the cache, all time */
  double  time_saved_ms;        /* sum over hits of the original generation time */
  guint64 shared_hits;          /* answered by the shared tier (Redis/Valkey) */
  guint64 shared_misses;
  guint64 shared_errors;        /* lookups or stores the shared tier failed */
  gboolean shared_connected;    /* the shared tier answered its last command */
} HearthCacheStats;

#define HEARTH_TYPE_CACHE (hearth_cache_get_type ())

G_DECLARE_FINAL_TYPE (HearthCache, hearth_cache, HEARTH, CACHE, GObject)

GQuark             hearth_cache_error_quark                (void);
char              *hearth_cache_default_path               (void);
HearthCache       *hearth_cache_open                       (const char               *path,
                                                            guint64                   max_disk_bytes,
                                                            guint64                   max_memory_bytes,
                                                            gint64                    ttl_seconds,
                                                            GError                  **error);
const char        *hearth_cache_get_path                   (HearthCache              *self);
const char        *hearth_cache_get_warning                (HearthCache              *self);
void               hearth_cache_set_limits                 (HearthCache              *self,
                                                            guint64                   max_disk_bytes,
                                                            gint64                    ttl_seconds);
char              *hearth_cache_key                        (HearthApiKind             api,
                                                            const char               *endpoint,
                                                            const char               *model_digest,
                                                            const HearthChatRequest  *request);
gboolean           hearth_cache_request_is_deterministic   (const HearthChatRequest  *request);
HearthCacheEntry  *hearth_cache_lookup                     (HearthCache              *self,
                                                            const char               *key);
/* The same, with the shared tier: memory, then disk, then (in a worker,
 * never on the main loop) the shared tier; a shared hit is kept in the
 * local tiers too. A shared tier that is down answers as a miss (one
 * warning, hearth_cache_get_warning ()). Finishes with NULL for a miss. */
void               hearth_cache_lookup_async               (HearthCache              *self,
                                                            const char               *key,
                                                            GCancellable             *cancellable,
                                                            GAsyncReadyCallback       callback,
                                                            gpointer                  user_data);
HearthCacheEntry  *hearth_cache_lookup_finish              (HearthCache              *self,
                                                            GAsyncResult             *result,
                                                            GError                  **error);
void               hearth_cache_store                      (HearthCache              *self,
                                                            const char               *key,
                                                            const HearthCacheEntry   *entry);
gboolean           hearth_cache_clear                      (HearthCache              *self,
                                                            GError                  **error);
void               hearth_cache_get_stats                  (HearthCache              *self,
                                                            HearthCacheStats         *stats);
void               hearth_cache_flush                      (HearthCache              *self);

/* A tier shared by several machines, beside the local ones: Redis or
 * Valkey at @url ("redis://HOST[:PORT][/DB]", "unix:///path/redis.sock";
 * NULL or "" turns it off). The same keys, entries and time to live as
 * the disk tier, under the prefix "hearth:cache:1:"; a store reaches it
 * in a worker. A password never goes in the URL (it would land in the
 * settings): it comes from REDISCLI_AUTH, as for redis-cli. Fails only
 * on a URL it cannot read; a server that is down is a warning, and the
 * tier tries it again later. */
gboolean           hearth_cache_set_shared                 (HearthCache              *self,
                                                            const char               *url,
                                                            GError                  **error);
const char        *hearth_cache_get_shared_url             (HearthCache              *self);
/* What hearth_cache_set_shared() would say of @url, without a cache. */
gboolean           hearth_cache_check_shared_url           (const char               *url,
                                                            GError                  **error);
/* One round trip to the shared tier's server: the state (stats, warning)
 * is fresh when it finishes; fails with the warning's sentence. */
void               hearth_cache_ping_shared_async          (HearthCache              *self,
                                                            GCancellable             *cancellable,
                                                            GAsyncReadyCallback       callback,
                                                            gpointer                  user_data);
gboolean           hearth_cache_ping_shared_finish         (HearthCache              *self,
                                                            GAsyncResult             *result,
                                                            GError                  **error);

HearthCacheEntry  *hearth_cache_entry_new                  (void);
HearthCacheEntry  *hearth_cache_entry_copy                 (const HearthCacheEntry   *entry);
void               hearth_cache_entry_free                 (HearthCacheEntry         *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthCacheEntry, hearth_cache_entry_free)

G_END_DECLS
