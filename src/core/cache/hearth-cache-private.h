/* hearth-cache-private.h — what the response cache's files share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>
#include <zstd.h>

#include "hearth-cache.h"
#include "hearth-sqlite.h"

G_BEGIN_DECLS

typedef enum
{
  STMT_USER_VERSION,
  STMT_CHECK,
  STMT_BEGIN,
  STMT_COMMIT,
  STMT_ROLLBACK,
  STMT_GET,
  STMT_DELETE,
  STMT_DELETE_ROWID,
  STMT_UPSERT,
  STMT_TOTAL_SIZE,
  STMT_OLDEST,
  STMT_TOUCH,
  STMT_ADD_STATS,
  STMT_READ_STATS,
  STMT_CLEAR,
  N_STATEMENTS
} StatementId;

typedef struct
{
  guint64 memory_hits;
  guint64 memory_misses;
  guint64 disk_hits;
  guint64 disk_misses;
  guint64 bytes_served;
  double  time_saved_ms;
  guint64 shared_hits;
  guint64 shared_misses;
  guint64 shared_errors;
} Counters;

/* hearth-cache-shared.c: the shared tier's worker and its state. */
typedef struct _HearthCacheShared HearthCacheShared;

/* Where the shared tier's server is (hearth-cache-shared-value.c). */
typedef struct
{
  char *display;        /* redis://HOST:PORT[/DB] or unix:///path, for sentences: no password */
  char *host;           /* NULL for a socket */
  char *socket_path;
  int   port;
  int   db;
} HearthSharedAddress;

struct _HearthCache
{
  GObject        parent_instance;

  char          *path;
  char          *warning;
  sqlite3       *db;
  sqlite3_stmt  *statements[N_STATEMENTS];
  gboolean       needs_recovery;

  guint64        max_disk_bytes;
  guint64        max_memory_bytes;
  gint64         ttl_seconds;

  GHashTable    *memory;        /* key → MemoryNode */
  GQueue         lru;
  guint64        memory_bytes;

  Counters       pending;       /* not yet added to the stats table */
  GHashTable    *touches;       /* key → gint64 *: last use not yet on disk */
  gint64         last_flush_ms;

  ZSTD_CCtx     *cctx;
  ZSTD_DCtx     *dctx;

  HearthCacheShared *shared;    /* NULL: no shared tier */
  GPtrArray     *retired;       /* HearthCacheShared: replaced, stopping; joined at finalize */
  char          *shared_warning;/* the last warning of the shared tier, as handed out */
  char          *both_warnings; /* the file's and the shared tier's, as handed out */
  guint          shared_retry_ms;
};

/* hearth-cache.c */
gboolean          _hearth_cache_entry_expired     (HearthCache             *self,
                                                   gint64                   created_ms,
                                                   gint64                   now);

void              _hearth_cache_store_local       (HearthCache             *self,
                                                   const char              *key,
                                                   HearthCacheEntry        *entry);
void              _hearth_cache_add_hit           (HearthCache             *self,
                                                   const HearthCacheEntry  *entry);

/* hearth-cache-shared.c */
void              _hearth_cache_shared_shutdown   (HearthCache             *self);
void              _hearth_cache_shared_store      (HearthCache             *self,
                                                   const char              *key,
                                                   const HearthCacheEntry  *entry);
void              _hearth_cache_shared_harvest    (HearthCache             *self);
const char       *_hearth_cache_shared_warning    (HearthCache             *self);
gboolean          _hearth_cache_shared_connected  (HearthCache             *self);
/* The longest a server that is down is left alone before the next try
 * (30 s; the wait starts at 1 s and doubles); tests shorten it. */
void              _hearth_cache_set_shared_retry_ms (HearthCache           *self,
                                                   guint                    retry_ms);

/* hearth-cache-shared-value.c */
gboolean          _hearth_cache_shared_parse_url  (const char              *url,
                                                   HearthSharedAddress     *addr,
                                                   GError                 **error);
void              _hearth_cache_shared_address_clear (HearthSharedAddress  *addr);
GBytes           *_hearth_cache_shared_value_encode (HearthCache           *self,
                                                   const HearthCacheEntry  *entry);
/* NULL when @value is not an entry of ours. */
HearthCacheEntry *_hearth_cache_shared_value_decode (HearthCache           *self,
                                                   GBytes                  *value);

/* hearth-cache-db.c */
gboolean          _hearth_cache_open_db           (HearthCache             *self,
                                                   GError                 **error);
void              _hearth_cache_close_db          (HearthCache             *self);
void              _hearth_cache_recover_if_needed (HearthCache             *self);
gboolean          _hearth_cache_rc_means_damage   (int                      rc);
void              _hearth_cache_note_failure      (HearthCache             *self,
                                                   int                      rc,
                                                   const char              *what);
int               _hearth_cache_run               (HearthCache             *self,
                                                   StatementId              id);
int               _hearth_cache_begin             (HearthCache             *self);
int               _hearth_cache_commit            (HearthCache             *self,
                                                   int                      rc);
int               _hearth_cache_write_pending     (HearthCache             *self);
void              _hearth_cache_pending_written   (HearthCache             *self,
                                                   gint64                   now);
void              _hearth_cache_flush_pending     (HearthCache             *self,
                                                   gint64                   now);
GBytes           *_hearth_cache_payload_compress  (HearthCache             *self,
                                                   const HearthCacheEntry  *entry);
gboolean          _hearth_cache_payload_decompress (HearthCache            *self,
                                                   const void              *data,
                                                   gsize                    len,
                                                   HearthCacheEntry        *entry);
int               _hearth_cache_disk_delete       (HearthCache             *self,
                                                   const char              *key);
HearthCacheEntry *_hearth_cache_disk_read         (HearthCache             *self,
                                                   const char              *key,
                                                   gint64                   now,
                                                   gboolean                *stale);
int               _hearth_cache_disk_upsert       (HearthCache             *self,
                                                   const char              *key,
                                                   const HearthCacheEntry  *entry,
                                                   GBytes                  *payload,
                                                   gint64                   now);
int               _hearth_cache_disk_evict        (HearthCache             *self);
void              _hearth_cache_stats_read_disk   (HearthCache             *self,
                                                   HearthCacheStats        *stats);

G_END_DECLS
