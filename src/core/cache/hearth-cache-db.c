/* hearth-cache-db.c — the SQLite file: schema, statements, zstd payloads, opening and rows
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-cache"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#include "hearth-cache-private.h"

/* Twenty copies of hearth-cli starting at once on a fresh profile queue
 * for the file while the first creates it; they wait, up to this long. */
#define BUSY_TIMEOUT_MS        5000
#define SCHEMA_VERSION         1
#define COMPRESSION_LEVEL      3
#define MAX_PAYLOAD_BYTES      (256 * 1024 * 1024)
#define NO_THINKING            G_MAXUINT64

static const char schema_sql[] =
  "CREATE TABLE entries ("
  "  key                  TEXT NOT NULL UNIQUE,"
  "  model                TEXT NOT NULL DEFAULT '',"
  "  done_reason          TEXT,"
  "  payload              BLOB NOT NULL,"   /* zstd: lengths, content, thinking */
  "  size                 INTEGER NOT NULL,"
  "  tokens_in            INTEGER,"
  "  tokens_out           INTEGER,"
  "  ttft_ms              REAL,"
  "  total_ms             REAL,"
  "  load_ms              REAL,"
  "  prompt_tokens_per_s  REAL,"
  "  tokens_per_s         REAL,"
  "  figures_from_server  INTEGER NOT NULL DEFAULT 0,"
  "  created_ms           INTEGER NOT NULL,"
  "  last_used_ms         INTEGER NOT NULL"
  ");"
  "CREATE INDEX entries_by_use ON entries (last_used_ms);"
  /* Kept by triggers in the same statement as the change, so two processes
   * writing at once cannot make it drift, and eviction never sums the table. */
  "CREATE TABLE meta ("
  "  id          INTEGER PRIMARY KEY CHECK (id = 1),"
  "  entries     INTEGER NOT NULL,"
  "  total_size  INTEGER NOT NULL"
  ");"
  "INSERT INTO meta (id, entries, total_size) VALUES (1, 0, 0);"
  "CREATE TRIGGER entries_insert AFTER INSERT ON entries BEGIN"
  "  UPDATE meta SET entries = entries + 1, total_size = total_size + new.size;"
  "END;"
  "CREATE TRIGGER entries_delete AFTER DELETE ON entries BEGIN"
  "  UPDATE meta SET entries = entries - 1, total_size = total_size - old.size;"
  "END;"
  "CREATE TRIGGER entries_resize AFTER UPDATE OF size ON entries BEGIN"
  "  UPDATE meta SET total_size = total_size - old.size + new.size;"
  "END;"
  "CREATE TABLE stats ("
  "  id             INTEGER PRIMARY KEY CHECK (id = 1),"
  "  memory_hits    INTEGER NOT NULL DEFAULT 0,"
  "  memory_misses  INTEGER NOT NULL DEFAULT 0,"
  "  disk_hits      INTEGER NOT NULL DEFAULT 0,"
  "  disk_misses    INTEGER NOT NULL DEFAULT 0,"
  "  bytes_served   INTEGER NOT NULL DEFAULT 0,"
  "  time_saved_ms  REAL NOT NULL DEFAULT 0"
  ");"
  "INSERT INTO stats (id) VALUES (1);"
  "PRAGMA user_version = 1;";

#define ENTRY_COLUMNS \
  "rowid, model, done_reason, payload, tokens_in, tokens_out, ttft_ms, total_ms, load_ms," \
  " prompt_tokens_per_s, tokens_per_s, figures_from_server, created_ms"

/* COL_TOKENS_IN to COL_FROM_SERVER: in the order hearth_sqlite_column_figures() reads. */
enum
{
  COL_ROWID, COL_MODEL, COL_DONE_REASON, COL_PAYLOAD, COL_TOKENS_IN, COL_TOKENS_OUT,
  COL_TTFT_MS, COL_TOTAL_MS, COL_LOAD_MS, COL_PROMPT_TOKENS_PER_S, COL_TOKENS_PER_S,
  COL_FROM_SERVER, COL_CREATED_MS,
};

static const char * const statement_sql[N_STATEMENTS] = {
  [STMT_USER_VERSION] = "PRAGMA user_version",
  /* Touches every table and the index: the quick test that the file is ours
   * and readable, where PRAGMA quick_check would read all of it. */
  [STMT_CHECK] =
    "SELECT (SELECT total_size FROM meta WHERE id = 1),"
    " (SELECT memory_hits FROM stats WHERE id = 1),"
    " (SELECT length (key) FROM entries ORDER BY last_used_ms DESC LIMIT 1)",
  [STMT_BEGIN] = "BEGIN IMMEDIATE",
  [STMT_COMMIT] = "COMMIT",
  [STMT_ROLLBACK] = "ROLLBACK",
  [STMT_GET] = "SELECT " ENTRY_COLUMNS " FROM entries WHERE key = :key",
  [STMT_DELETE] = "DELETE FROM entries WHERE key = :key",
  [STMT_DELETE_ROWID] = "DELETE FROM entries WHERE rowid = :rowid",
  [STMT_UPSERT] =
    "INSERT INTO entries (key, model, done_reason, payload, size, tokens_in, tokens_out,"
    " ttft_ms, total_ms, load_ms, prompt_tokens_per_s, tokens_per_s, figures_from_server,"
    " created_ms, last_used_ms)"
    " VALUES (:key, :model, :done_reason, :payload, :size, :tokens_in, :tokens_out,"
    " :ttft_ms, :total_ms, :load_ms, :prompt_tokens_per_s, :tokens_per_s, :from_server,"
    " :created_ms, :now)"
    " ON CONFLICT (key) DO UPDATE SET model = excluded.model,"
    " done_reason = excluded.done_reason, payload = excluded.payload, size = excluded.size,"
    " tokens_in = excluded.tokens_in, tokens_out = excluded.tokens_out,"
    " ttft_ms = excluded.ttft_ms, total_ms = excluded.total_ms, load_ms = excluded.load_ms,"
    " prompt_tokens_per_s = excluded.prompt_tokens_per_s,"
    " tokens_per_s = excluded.tokens_per_s, figures_from_server = excluded.figures_from_server,"
    " created_ms = excluded.created_ms, last_used_ms = excluded.last_used_ms",
  [STMT_TOTAL_SIZE] = "SELECT total_size FROM meta WHERE id = 1",
  [STMT_OLDEST] = "SELECT rowid, size FROM entries ORDER BY last_used_ms, rowid",
  [STMT_TOUCH] =
    "UPDATE entries SET last_used_ms = max (last_used_ms, :used_ms) WHERE key = :key",
  [STMT_ADD_STATS] =
    "UPDATE stats SET memory_hits = memory_hits + :memory_hits,"
    " memory_misses = memory_misses + :memory_misses, disk_hits = disk_hits + :disk_hits,"
    " disk_misses = disk_misses + :disk_misses, bytes_served = bytes_served + :bytes_served,"
    " time_saved_ms = time_saved_ms + :time_saved_ms WHERE id = 1",
  [STMT_READ_STATS] =
    "SELECT s.memory_hits, s.memory_misses, s.disk_hits, s.disk_misses, s.bytes_served,"
    " s.time_saved_ms, m.entries, m.total_size FROM stats AS s, meta AS m",
  [STMT_CLEAR] = "DELETE FROM entries",
};

/* Payload: two little-endian 64-bit lengths (thinking's is NO_THINKING when
 * there is none), content, thinking; compressed as one zstd frame. */

GBytes *
_hearth_cache_payload_compress (HearthCache            *self,
                                const HearthCacheEntry *entry)
{
  gsize content_len = strlen (entry->content != NULL ? entry->content : "");
  gsize thinking_len = entry->thinking != NULL ? strlen (entry->thinking) : 0;
  guint64 header[2];
  g_autofree char *raw = g_malloc (sizeof header + content_len + thinking_len);
  gsize raw_len = sizeof header + content_len + thinking_len;
  gsize bound = ZSTD_compressBound (raw_len);
  g_autofree char *out = g_malloc (bound);
  gsize out_len;

  header[0] = GUINT64_TO_LE (content_len);
  header[1] = GUINT64_TO_LE (entry->thinking != NULL ? thinking_len : NO_THINKING);
  memcpy (raw, header, sizeof header);
  if (content_len > 0)
    memcpy (raw + sizeof header, entry->content, content_len);
  if (thinking_len > 0)
    memcpy (raw + sizeof header + content_len, entry->thinking, thinking_len);

  out_len = ZSTD_compressCCtx (self->cctx, out, bound, raw, raw_len, COMPRESSION_LEVEL);
  if (ZSTD_isError (out_len))
    {
      g_debug ("Cannot compress a reply for %s: %s", self->path, ZSTD_getErrorName (out_len));
      return NULL;
    }
  return g_bytes_new_take (g_realloc (g_steal_pointer (&out), out_len), out_len);
}

static gboolean
payload_split (const char        *raw,
               gsize              raw_len,
               HearthCacheEntry  *entry)
{
  guint64 header[2];
  guint64 content_len;
  guint64 thinking_len;

  if (raw_len < sizeof header)
    return FALSE;
  memcpy (header, raw, sizeof header);
  content_len = GUINT64_FROM_LE (header[0]);
  thinking_len = GUINT64_FROM_LE (header[1]);
  raw += sizeof header;
  raw_len -= sizeof header;
  if (content_len > raw_len ||
      (thinking_len != NO_THINKING && thinking_len != raw_len - content_len) ||
      (thinking_len == NO_THINKING && content_len != raw_len))
    return FALSE;
  entry->content = g_strndup (raw, content_len);
  if (thinking_len != NO_THINKING)
    entry->thinking = g_strndup (raw + content_len, thinking_len);
  return TRUE;
}

/* Fills @entry's content and thinking from a stored payload; FALSE when it is
 * not one (damaged, truncated or from elsewhere). */
gboolean
_hearth_cache_payload_decompress (HearthCache      *self,
                                  const void       *data,
                                  gsize             len,
                                  HearthCacheEntry *entry)
{
  unsigned long long raw_len = ZSTD_getFrameContentSize (data, len);
  g_autofree char *raw = NULL;
  gsize got;

  if (raw_len == ZSTD_CONTENTSIZE_ERROR || raw_len == ZSTD_CONTENTSIZE_UNKNOWN ||
      raw_len > MAX_PAYLOAD_BYTES)
    return FALSE;
  raw = g_malloc (raw_len + 1);
  got = ZSTD_decompressDCtx (self->dctx, raw, raw_len, data, len);
  if (ZSTD_isError (got) || got != raw_len)
    return FALSE;
  return payload_split (raw, raw_len, entry);
}

/* SQLite plumbing */

void
_hearth_cache_close_db (HearthCache *self)
{
  hearth_sqlite_close (&self->db, self->statements, N_STATEMENTS);
}

gboolean
_hearth_cache_rc_means_damage (int rc)
{
  return hearth_sqlite_classify (rc) == HEARTH_SQLITE_FAILURE_CORRUPT;
}

/* Never fails the caller: logs, and asks for the file to be rebuilt (after
 * every borrowed statement is handed back) if it is damaged. */
void
_hearth_cache_note_failure (HearthCache *self,
                            int          rc,
                            const char  *what)
{
  g_debug ("Response cache %s: cannot %s: %s", self->path, what,
           hearth_sqlite_describe (self->db, rc));
  if (_hearth_cache_rc_means_damage (rc))
    self->needs_recovery = TRUE;
}

static HearthSqliteStatement *
cache_statement (HearthCache *self,
                 StatementId  id,
                 int         *rc)
{
  g_assert (id < N_STATEMENTS);

  return hearth_sqlite_statement (self->db, &self->statements[id], statement_sql[id], rc);
}

/* Runs a statement that returns no rows, or only the first one. */
int
_hearth_cache_run (HearthCache *self,
                   StatementId  id)
{
  int rc;
  g_autoptr(HearthSqliteStatement) stmt = cache_statement (self, id, &rc);

  if (stmt == NULL)
    return rc;
  return hearth_sqlite_step_done (stmt);
}

int
_hearth_cache_begin (HearthCache *self)
{
  return _hearth_cache_run (self, STMT_BEGIN);
}

int
_hearth_cache_commit (HearthCache *self,
                      int          rc)
{
  if (rc == SQLITE_DONE || rc == SQLITE_OK)
    rc = _hearth_cache_run (self, STMT_COMMIT);
  if (rc != SQLITE_DONE && self->db != NULL && !sqlite3_get_autocommit (self->db))
    _hearth_cache_run (self, STMT_ROLLBACK);
  return rc;
}

/* Pending counters and last uses, written in one go */

static int
flush_counters (HearthCache *self)
{
  int rc;
  g_autoptr(HearthSqliteStatement) stmt = cache_statement (self, STMT_ADD_STATS, &rc);

  if (stmt == NULL)
    return rc;
  hearth_sqlite_bind_int64 (stmt, ":memory_hits", self->pending.memory_hits);
  hearth_sqlite_bind_int64 (stmt, ":memory_misses", self->pending.memory_misses);
  hearth_sqlite_bind_int64 (stmt, ":disk_hits", self->pending.disk_hits);
  hearth_sqlite_bind_int64 (stmt, ":disk_misses", self->pending.disk_misses);
  hearth_sqlite_bind_int64 (stmt, ":bytes_served", self->pending.bytes_served);
  hearth_sqlite_bind_double (stmt, ":time_saved_ms", self->pending.time_saved_ms);
  return hearth_sqlite_step_done (stmt);
}

/* The shared tier's counts live in a table of their own, made the first
 * time there is one to keep: a file without it reads as zeros, and an
 * older Hearth never looks at it. Not a cached statement: at most one
 * write a second, and the table may not exist when the file opens. */
static int
flush_shared_counters (HearthCache *self)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (self->pending.shared_hits == 0 && self->pending.shared_misses == 0 &&
      self->pending.shared_errors == 0)
    return SQLITE_DONE;
  rc = sqlite3_exec (self->db,
                     "CREATE TABLE IF NOT EXISTS shared_stats ("
                     "  id      INTEGER PRIMARY KEY CHECK (id = 1),"
                     "  hits    INTEGER NOT NULL DEFAULT 0,"
                     "  misses  INTEGER NOT NULL DEFAULT 0,"
                     "  errors  INTEGER NOT NULL DEFAULT 0)", NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (self->db,
                             "INSERT INTO shared_stats (id, hits, misses, errors)"
                             " VALUES (1, :hits, :misses, :errors) ON CONFLICT (id) DO UPDATE"
                             " SET hits = hits + excluded.hits, misses = misses + excluded.misses,"
                             " errors = errors + excluded.errors", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rc;
  hearth_sqlite_bind_int64 (stmt, ":hits", self->pending.shared_hits);
  hearth_sqlite_bind_int64 (stmt, ":misses", self->pending.shared_misses);
  hearth_sqlite_bind_int64 (stmt, ":errors", self->pending.shared_errors);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return rc;
}

static int
flush_touches (HearthCache *self)
{
  GHashTableIter iter;
  gpointer key, value;
  int rc;
  g_autoptr(HearthSqliteStatement) stmt = cache_statement (self, STMT_TOUCH, &rc);

  if (stmt == NULL)
    return rc;
  g_hash_table_iter_init (&iter, self->touches);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      hearth_sqlite_bind_text (stmt, ":key", key);
      hearth_sqlite_bind_int64 (stmt, ":used_ms", *(gint64 *) value);
      rc = hearth_sqlite_step_done (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return rc;
    }
  return SQLITE_DONE;
}

/* Inside a write transaction; on success the pending state is cleared. */
int
_hearth_cache_write_pending (HearthCache *self)
{
  int rc = flush_counters (self);

  if (rc == SQLITE_DONE)
    rc = flush_shared_counters (self);
  if (rc == SQLITE_DONE)
    rc = flush_touches (self);
  return rc;
}

void
_hearth_cache_pending_written (HearthCache *self,
                               gint64       now)
{
  memset (&self->pending, 0, sizeof self->pending);
  g_hash_table_remove_all (self->touches);
  self->last_flush_ms = now;
}

void
_hearth_cache_flush_pending (HearthCache *self,
                             gint64       now)
{
  int rc;

  /* Without a file (it could not be rebuilt) there is nowhere to keep them. */
  if (self->db == NULL)
    {
      _hearth_cache_pending_written (self, now);
      return;
    }
  rc = _hearth_cache_begin (self);
  if (rc == SQLITE_DONE)
    rc = _hearth_cache_write_pending (self);
  rc = _hearth_cache_commit (self, rc);
  if (rc == SQLITE_DONE)
    _hearth_cache_pending_written (self, now);
  else
    _hearth_cache_note_failure (self, rc, "save its statistics");
}

/* Opening */

static gboolean
cache_make_parent (HearthCache  *self,
                   GError      **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  int saved_errno;

  if (g_mkdir_with_parents (dir, 0700) == 0)
    return TRUE;
  saved_errno = errno;
  g_set_error (error, HEARTH_CACHE_ERROR,
               saved_errno == EACCES || saved_errno == EPERM || saved_errno == EROFS
                 ? HEARTH_CACHE_ERROR_READ_ONLY : HEARTH_CACHE_ERROR_FAILED,
               _("The folder of the response cache %s cannot be created (%s): "
                 "check the permissions of %s; Hearth answers without a cache until then"),
               self->path, g_strerror (saved_errno), dir);
  return FALSE;
}

static void
cache_set_open_error (HearthCache  *self,
                      int           rc,
                      const char   *detail,
                      GError      **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);

  /* Contention is nobody's fault and nothing to delete. */
  if (hearth_sqlite_classify (rc) == HEARTH_SQLITE_FAILURE_BUSY)
    g_set_error (error, HEARTH_CACHE_ERROR, HEARTH_CACHE_ERROR_BUSY,
                 _("The response cache %s stayed busy for %d s: other copies of Hearth are "
                   "using it; this answer is not cached, the next one tries again"),
                 self->path, BUSY_TIMEOUT_MS / 1000);
  /* An authorizer's refusal, too, is for the permissions to fix. */
  else if (hearth_sqlite_classify (rc) == HEARTH_SQLITE_FAILURE_READ_ONLY ||
      (rc & 0xff) == SQLITE_AUTH)
    g_set_error (error, HEARTH_CACHE_ERROR, HEARTH_CACHE_ERROR_READ_ONLY,
                 _("The response cache %s cannot be written (%s): check the permissions "
                   "of %s and of its folder %s; Hearth answers without a cache until then"),
                 self->path, detail, self->path, dir);
  else
    g_set_error (error, HEARTH_CACHE_ERROR, HEARTH_CACHE_ERROR_FAILED,
                 _("The response cache %s cannot be opened (%s): delete it to start an "
                   "empty cache; Hearth answers without a cache until then"),
                 self->path, detail);
}

/* The first column of the first row; SQLITE_DONE on success. */
static int
cache_query_int64 (HearthCache *self,
                   StatementId  id,
                   gint64      *value)
{
  int rc;
  g_autoptr(HearthSqliteStatement) stmt = cache_statement (self, id, &rc);

  if (stmt == NULL)
    return rc;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *value = sqlite3_column_int64 (stmt, 0);
  return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

static int
cache_read_version (HearthCache *self,
                    int         *version)
{
  gint64 value = 0;
  int rc = cache_query_int64 (self, STMT_USER_VERSION, &value);

  *version = (int) value;
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Another process may create the schema at the same moment: the version is
 * read again inside the write transaction, which only one of them holds. */
static int
cache_create_schema (HearthCache *self)
{
  int version = 0;
  int rc = _hearth_cache_begin (self);

  if (rc == SQLITE_DONE)
    rc = cache_read_version (self, &version);
  if (rc == SQLITE_OK && version == 0)
    rc = sqlite3_exec (self->db, schema_sql, NULL, NULL, NULL);
  return _hearth_cache_commit (self, rc);
}

static int
cache_check_tables (HearthCache *self)
{
  int rc;
  g_autoptr(HearthSqliteStatement) stmt = cache_statement (self, STMT_CHECK, &rc);

  if (stmt == NULL)
    return rc;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return rc;
  /* The one-row tables must hold their row. */
  if (sqlite3_column_type (stmt, 0) == SQLITE_NULL || sqlite3_column_type (stmt, 1) == SQLITE_NULL)
    return SQLITE_CORRUPT;
  return SQLITE_OK;
}

static gboolean
cache_too_new (HearthCache  *self,
               int           version,
               GError      **error)
{
  if (version <= SCHEMA_VERSION)
    return FALSE;
  g_set_error (error, HEARTH_CACHE_ERROR, HEARTH_CACHE_ERROR_TOO_NEW,
               _("The response cache %s was written by a newer version of Hearth "
                 "(schema %d, this version knows up to %d): update Hearth, or delete the "
                 "file to start an empty cache"), self->path, version, SCHEMA_VERSION);
  return TRUE;
}

/* Steps after the file is open; returns the first failure's code. */
static int
cache_prepare_db (HearthCache  *self,
                  GError      **error)
{
  int version = 0;
  int rc;

  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
  /* The first read of the file: one that is not a database fails here. */
  rc = cache_read_version (self, &version);
  if (rc != SQLITE_OK)
    return rc;
  if (cache_too_new (self, version, error))
    return SQLITE_ERROR;
  rc = sqlite3_exec (self->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
                     NULL, NULL, NULL);
  if (rc == SQLITE_OK && version < SCHEMA_VERSION)
    rc = cache_create_schema (self);
  if (rc == SQLITE_OK || rc == SQLITE_DONE)
    rc = cache_check_tables (self);
  return rc;
}

/* Opens the file and checks it quickly; on failure @rc says why and the
 * connection is closed. A file with foreign tables counts as damaged. */
static gboolean
cache_try_open (HearthCache  *self,
                int          *rc,
                GError      **error)
{
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
              SQLITE_OPEN_EXRESCODE;
  GError *local_error = NULL;

  *rc = sqlite3_open_v2 (self->path, &self->db, flags, NULL);
  if (*rc == SQLITE_OK)
    *rc = cache_prepare_db (self, &local_error);
  if (*rc == SQLITE_OK)
    return TRUE;
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      _hearth_cache_close_db (self);
      return FALSE;
    }
  cache_set_open_error (self, *rc, hearth_sqlite_describe (self->db, *rc), error);
  if ((*rc & 0xff) == SQLITE_ERROR)
    *rc = SQLITE_CORRUPT;
  _hearth_cache_close_db (self);
  return FALSE;
}

static gboolean
rename_if_present (const char  *from,
                   const char  *to,
                   GError     **error)
{
  int saved_errno;

  if (g_rename (from, to) == 0 || errno == ENOENT)
    return TRUE;
  saved_errno = errno;
  g_set_error (error, HEARTH_CACHE_ERROR,
               saved_errno == EACCES || saved_errno == EPERM || saved_errno == EROFS
                 ? HEARTH_CACHE_ERROR_READ_ONLY : HEARTH_CACHE_ERROR_FAILED,
               _("The response cache %s is damaged and cannot be moved aside (%s): check "
                 "the permissions of its folder, or delete it to start an empty cache"),
               from, g_strerror (saved_errno));
  return FALSE;
}

/* Keeps the damaged file (and its WAL, which may hold the newest pages) for
 * whoever wants to look, and says where it went in the warning
 * (hearth_cache_get_warning()): the caller shows it, so it is not logged too. */
static gboolean
cache_set_aside (HearthCache  *self,
                 GError      **error)
{
  g_autofree char *aside = g_strdup_printf ("%s.corrupt-%" G_GINT64_FORMAT, self->path,
                                            g_get_real_time () / G_USEC_PER_SEC);
  static const char * const suffixes[] = { "-wal", "-shm" };

  if (!rename_if_present (self->path, aside, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (self->path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (aside, suffixes[i], NULL);

      if (!rename_if_present (from, to, error))
        return FALSE;
    }
  g_free (self->warning);
  self->warning = g_strdup_printf (_("The response cache %s was damaged, so Hearth moved it "
                                     "aside to %s and started an empty one."), self->path, aside);
  return TRUE;
}

gboolean
_hearth_cache_open_db (HearthCache  *self,
                       GError      **error)
{
  g_autoptr(GError) first_error = NULL;
  int rc;

  if (!cache_make_parent (self, error))
    return FALSE;
  if (cache_try_open (self, &rc, &first_error))
    return TRUE;
  if (!_hearth_cache_rc_means_damage (rc))
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }
  g_debug ("%s", first_error->message);
  return cache_set_aside (self, error) && cache_try_open (self, &rc, error);
}

/* After SQLITE_CORRUPT or NOTADB in use: the same as at open. The memory
 * tier stays, it holds good copies. */
void
_hearth_cache_recover_if_needed (HearthCache *self)
{
  g_autoptr(GError) error = NULL;
  int rc;

  if (!self->needs_recovery)
    return;
  self->needs_recovery = FALSE;
  _hearth_cache_close_db (self);
  if (!cache_set_aside (self, &error) || !cache_try_open (self, &rc, &error))
    g_debug ("Response cache: continuing with memory only: %s", error->message);
  else
    /* Found in use, after whoever opened the cache showed its warning. */
    g_message ("%s", self->warning);
}

/* Disk tier: the rows */

int
_hearth_cache_disk_delete (HearthCache *self,
                           const char  *key)
{
  int rc;
  g_autoptr(HearthSqliteStatement) stmt = cache_statement (self, STMT_DELETE, &rc);

  if (stmt == NULL)
    return rc;
  hearth_sqlite_bind_text (stmt, ":key", key);
  return hearth_sqlite_step_done (stmt);
}

static HearthCacheEntry *
disk_entry_from_row (HearthCache  *self,
                     sqlite3_stmt *stmt)
{
  g_autoptr(HearthCacheEntry) entry = hearth_cache_entry_new ();

  if (!_hearth_cache_payload_decompress (self, sqlite3_column_blob (stmt, COL_PAYLOAD),
                                         sqlite3_column_bytes (stmt, COL_PAYLOAD), entry))
    return NULL;
  entry->model = hearth_sqlite_column_text (stmt, COL_MODEL);
  entry->done_reason = hearth_sqlite_column_text (stmt, COL_DONE_REASON);
  entry->created_ms = sqlite3_column_int64 (stmt, COL_CREATED_MS);
  hearth_sqlite_column_figures (stmt, COL_TOKENS_IN, &entry->figures);
  if (entry->model == NULL)
    entry->model = g_strdup ("");
  return g_steal_pointer (&entry);
}

/* @stale is set when a row exists but cannot be served (expired, damaged). */
HearthCacheEntry *
_hearth_cache_disk_read (HearthCache *self,
                         const char  *key,
                         gint64       now,
                         gboolean    *stale)
{
  int rc;
  g_autoptr(HearthSqliteStatement) stmt = cache_statement (self, STMT_GET, &rc);
  HearthCacheEntry *entry;

  *stale = FALSE;
  if (stmt == NULL)
    {
      _hearth_cache_note_failure (self, rc, "read a reply");
      return NULL;
    }
  hearth_sqlite_bind_text (stmt, ":key", key);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc != SQLITE_DONE)
        _hearth_cache_note_failure (self, rc, "read a reply");
      return NULL;
    }
  *stale = _hearth_cache_entry_expired (self, sqlite3_column_int64 (stmt, COL_CREATED_MS), now);
  if (*stale)
    return NULL;
  entry = disk_entry_from_row (self, stmt);
  if (entry == NULL)
    g_debug ("Response cache %s: dropping a reply that cannot be decompressed", self->path);
  *stale = entry == NULL;
  return entry;
}

int
_hearth_cache_disk_upsert (HearthCache            *self,
                           const char             *key,
                           const HearthCacheEntry *entry,
                           GBytes                 *payload,
                           gint64                  now)
{
  int rc;
  g_autoptr(HearthSqliteStatement) stmt = cache_statement (self, STMT_UPSERT, &rc);

  if (stmt == NULL)
    return rc;
  hearth_sqlite_bind_text (stmt, ":key", key);
  hearth_sqlite_bind_text (stmt, ":model", entry->model);
  hearth_sqlite_bind_text (stmt, ":done_reason", entry->done_reason);
  sqlite3_bind_blob (stmt, sqlite3_bind_parameter_index (stmt, ":payload"),
                     g_bytes_get_data (payload, NULL), g_bytes_get_size (payload),
                     SQLITE_STATIC);
  hearth_sqlite_bind_int64 (stmt, ":size", g_bytes_get_size (payload));
  hearth_sqlite_bind_figures (stmt, &entry->figures);
  hearth_sqlite_bind_int64 (stmt, ":created_ms", entry->created_ms);
  hearth_sqlite_bind_int64 (stmt, ":now", now);
  return hearth_sqlite_step_done (stmt);
}

/* The least recently used rows whose sizes add up to @excess: walks the
 * last_used_ms index only as far as needed. */
static int
disk_collect_oldest (HearthCache *self,
                     gint64       excess,
                     GArray      *rowids)
{
  int rc;
  g_autoptr(HearthSqliteStatement) stmt = cache_statement (self, STMT_OLDEST, &rc);
  gint64 freed = 0;

  if (stmt == NULL)
    return rc;
  while (freed < excess && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 rowid = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (rowids, rowid);
      freed += sqlite3_column_int64 (stmt, 1);
    }
  return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

static int
disk_delete_rowids (HearthCache *self,
                    GArray      *rowids)
{
  int rc;
  g_autoptr(HearthSqliteStatement) stmt = cache_statement (self, STMT_DELETE_ROWID, &rc);

  if (stmt == NULL)
    return rc;
  for (guint i = 0; i < rowids->len; i++)
    {
      hearth_sqlite_bind_int64 (stmt, ":rowid", g_array_index (rowids, gint64, i));
      rc = hearth_sqlite_step_done (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return rc;
    }
  return SQLITE_DONE;
}

/* Inside a write transaction. */
int
_hearth_cache_disk_evict (HearthCache *self)
{
  g_autoptr(GArray) rowids = NULL;
  gint64 total = 0;
  int rc = cache_query_int64 (self, STMT_TOTAL_SIZE, &total);

  if (rc != SQLITE_DONE || total <= 0 || (guint64) total <= self->max_disk_bytes)
    return rc;
  rowids = g_array_new (FALSE, FALSE, sizeof (gint64));
  rc = disk_collect_oldest (self, total - (gint64) self->max_disk_bytes, rowids);
  if (rc == SQLITE_DONE)
    rc = disk_delete_rowids (self, rowids);
  return rc;
}

/* No table yet: nothing counted yet. */
static void
stats_read_shared (HearthCache      *self,
                   HearthCacheStats *stats)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, "SELECT hits, misses, errors FROM shared_stats WHERE id = 1",
                          -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    {
      stats->shared_hits = sqlite3_column_int64 (stmt, 0);
      stats->shared_misses = sqlite3_column_int64 (stmt, 1);
      stats->shared_errors = sqlite3_column_int64 (stmt, 2);
    }
  sqlite3_finalize (stmt);
}

void
_hearth_cache_stats_read_disk (HearthCache      *self,
                               HearthCacheStats *stats)
{
  int rc;
  g_autoptr(HearthSqliteStatement) stmt = cache_statement (self, STMT_READ_STATS, &rc);

  if (stmt == NULL || (rc = sqlite3_step (stmt)) != SQLITE_ROW)
    {
      _hearth_cache_note_failure (self, rc, "read its statistics");
      return;
    }
  stats->memory_hits = sqlite3_column_int64 (stmt, 0);
  stats->memory_misses = sqlite3_column_int64 (stmt, 1);
  stats->disk_hits = sqlite3_column_int64 (stmt, 2);
  stats->disk_misses = sqlite3_column_int64 (stmt, 3);
  stats->bytes_served = sqlite3_column_int64 (stmt, 4);
  stats->time_saved_ms = sqlite3_column_double (stmt, 5);
  stats->entries = sqlite3_column_int64 (stmt, 6);
  stats->bytes_on_disk = sqlite3_column_int64 (stmt, 7);
  stats_read_shared (self, stats);
}
