/* hearth-store.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-store"

#include <errno.h>
#include <sqlite3.h>

#include "hearth-sqlite.h"
#include "hearth-store.h"
#include "hearth-store-private.h"

#define BUSY_TIMEOUT_MS   2000
#define MAX_QUERY_WORDS   32

typedef enum
{
  STMT_USER_VERSION,
  STMT_CREATE_CONVERSATION,
  STMT_RENAME_CONVERSATION,
  STMT_DELETE_CONVERSATION,
  STMT_GET_CONVERSATION,
  STMT_LIST_CONVERSATIONS,
  STMT_ADD_MESSAGE,
  STMT_UPDATE_MESSAGE,
  STMT_LIST_MESSAGES,
  STMT_SEARCH,
  STMT_DELETE_MESSAGES_FROM,
  STMT_DELETE_MESSAGE,
  STMT_MODEL_SPEEDS,
  STMT_LIST_REQUEST_ROWS,
  N_STATEMENTS
} StatementId;

struct _HearthStore
{
  GObject        parent_instance;

  char          *path;
  sqlite3       *db;
  sqlite3_stmt  *statements[N_STATEMENTS];
  int            schema_version;
};

G_DEFINE_FINAL_TYPE (HearthStore, hearth_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (hearth-store-error-quark, hearth_store_error)

/* Migrations */

typedef struct
{
  int         version;
  const char *sql;
} Migration;

static const Migration migrations[] = {
  {
    1,
    "CREATE TABLE conversations ("
    "  id          INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  title       TEXT NOT NULL DEFAULT '',"
    "  created_ms  INTEGER NOT NULL,"
    "  updated_ms  INTEGER NOT NULL"
    ");"
    "CREATE INDEX conversations_by_update ON conversations (updated_ms);"
    "CREATE TABLE messages ("
    "  id                   INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  conversation_id      INTEGER NOT NULL"
    "                       REFERENCES conversations (id) ON DELETE CASCADE,"
    "  role                 TEXT NOT NULL,"
    "  content              TEXT NOT NULL DEFAULT '',"
    "  thinking             TEXT,"
    "  model                TEXT,"
    "  endpoint             TEXT,"
    "  api                  TEXT,"
    "  state                TEXT NOT NULL DEFAULT 'complete'"
    "                       CHECK (state IN ('complete', 'partial', 'failed', 'cancelled')),"
    "  error                TEXT,"
    "  done_reason          TEXT,"
    "  created_ms           INTEGER NOT NULL,"
    "  tokens_in            INTEGER,"
    "  tokens_out           INTEGER,"
    "  ttft_ms              REAL,"
    "  total_ms             REAL,"
    "  load_ms              REAL,"
    "  prompt_tokens_per_s  REAL,"
    "  tokens_per_s         REAL,"
    "  figures_from_server  INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX messages_by_conversation ON messages (conversation_id, id);"
    /* prefix = '3': "the"* as you type would otherwise merge every term
     * that starts with it (50 ms and more over 100,000 messages). */
    "CREATE VIRTUAL TABLE messages_fts USING fts5 ("
    "  content, content = 'messages', content_rowid = 'id',"
    "  tokenize = 'unicode61 remove_diacritics 2', prefix = '3'"
    ");"
    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN"
    "  INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);"
    "END;"
    "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"
    "  INSERT INTO messages_fts (messages_fts, rowid, content)"
    "    VALUES ('delete', old.id, old.content);"
    "END;"
    /* A streaming reply is saved every few seconds; skip the reindex when
     * only its figures or state changed. */
    "CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages"
    "  WHEN old.content IS NOT new.content BEGIN"
    "  INSERT INTO messages_fts (messages_fts, rowid, content)"
    "    VALUES ('delete', old.id, old.content);"
    "  INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);"
    "END;"
    /* In the same statement as the insert, so the two cannot disagree. */
    "CREATE TRIGGER messages_touch_conversation AFTER INSERT ON messages BEGIN"
    "  UPDATE conversations SET updated_ms = max (updated_ms, new.created_ms)"
    "    WHERE id = new.conversation_id;"
    "END;"
  },
  {
    2,
    /* Request metrics over a time window read the replies by time. */
    "CREATE INDEX messages_requests_by_time ON messages (created_ms)"
    "  WHERE role = 'assistant';"
    /* What kind of failure a failed reply met, as hearth_error_get_class ()
     * names it: the outcome the metrics count. */
    "ALTER TABLE messages ADD COLUMN error_class TEXT;"
    /* The resource sampler's history: minutes (resolution_s = 60) and
     * hours (3600), averaged; *_peak keep the highest sample. */
    "CREATE TABLE resource_samples ("
    "  resolution_s        INTEGER NOT NULL,"
    "  time_ms             INTEGER NOT NULL,"
    "  n_samples           INTEGER NOT NULL,"
    "  cpu_percent         REAL,"
    "  cpu_peak            REAL,"
    "  mem_total           INTEGER,"
    "  mem_used            INTEGER,"
    "  swap_used           INTEGER,"
    "  gpu_percent         REAL,"
    "  vram_total          INTEGER,"
    "  vram_used           INTEGER,"
    "  gpu_temperature_c   REAL,"
    "  gpu_power_w         REAL,"
    "  server_cpu_percent  REAL,"
    "  server_rss          INTEGER,"
    "  PRIMARY KEY (resolution_s, time_ms)"
    ") WITHOUT ROWID;"
    /* Model benchmarks: one row per run of the prompt set. */
    "CREATE TABLE bench_runs ("
    "  id                  INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  created_ms          INTEGER NOT NULL,"
    "  model               TEXT NOT NULL,"
    "  digest              TEXT,"
    "  endpoint            TEXT NOT NULL,"
    "  api                 TEXT NOT NULL,"
    "  options             TEXT NOT NULL,"
    "  hardware            TEXT NOT NULL,"
    "  runs                INTEGER NOT NULL,"
    "  state               TEXT NOT NULL"
    "                      CHECK (state IN ('complete', 'cancelled', 'failed')),"
    "  error               TEXT,"
    "  load_ms             REAL,"
    "  ttft_p50_ms         REAL,"
    "  ttft_p95_ms         REAL,"
    "  prompt_tps_median   REAL,"
    "  prompt_tps_min      REAL,"
    "  prompt_tps_max      REAL,"
    "  decode_tps_median   REAL,"
    "  decode_tps_min      REAL,"
    "  decode_tps_max      REAL,"
    "  peak_cpu_percent    REAL,"
    "  peak_mem_used       INTEGER,"
    "  peak_vram_used      INTEGER,"
    "  previous_id         INTEGER,"
    "  change_percent      REAL,"
    "  regression          INTEGER NOT NULL DEFAULT 0,"
    "  already_loaded      INTEGER NOT NULL DEFAULT 0,"
    "  figures_from        TEXT"
    ");"
    "CREATE INDEX bench_runs_by_key ON bench_runs"
    "  (model, digest, options, hardware, created_ms);"
    /* The figures of whole past days, per model and endpoint, packed as
     * arrays of doubles (known values only): exact percentiles over months
     * of requests without reading every row again. Filled by
     * hearth-metrics.c on first use; a change to a reply of that day
     * forgets the day. Days are UTC days since the epoch. */
    "CREATE TABLE request_figures_days ("
    "  day           INTEGER NOT NULL,"
    "  model         TEXT,"
    "  endpoint      TEXT,"
    "  count         INTEGER NOT NULL,"
    "  successes     INTEGER NOT NULL,"
    "  failures      INTEGER NOT NULL,"
    "  ttft          BLOB,"
    "  total         BLOB,"
    "  speed         BLOB,"
    "  prompt_speed  BLOB,"
    "  load          BLOB"
    ");"
    "CREATE INDEX request_figures_days_by_day ON request_figures_days (day);"
    "CREATE TABLE request_figures_days_done (day INTEGER PRIMARY KEY);"
    "CREATE TRIGGER request_figures_forget_insert AFTER INSERT ON messages"
    "  WHEN new.role = 'assistant' BEGIN"
    "  DELETE FROM request_figures_days_done WHERE day = new.created_ms / 86400000;"
    "  DELETE FROM request_figures_days WHERE day = new.created_ms / 86400000;"
    "END;"
    "CREATE TRIGGER request_figures_forget_update AFTER UPDATE ON messages"
    "  WHEN old.role = 'assistant' OR new.role = 'assistant' BEGIN"
    "  DELETE FROM request_figures_days_done"
    "    WHERE day IN (old.created_ms / 86400000, new.created_ms / 86400000);"
    "  DELETE FROM request_figures_days"
    "    WHERE day IN (old.created_ms / 86400000, new.created_ms / 86400000);"
    "END;"
    "CREATE TRIGGER request_figures_forget_delete AFTER DELETE ON messages"
    "  WHEN old.role = 'assistant' BEGIN"
    "  DELETE FROM request_figures_days_done WHERE day = old.created_ms / 86400000;"
    "  DELETE FROM request_figures_days WHERE day = old.created_ms / 86400000;"
    "END;"
  },
};

#define LATEST_SCHEMA_VERSION (migrations[G_N_ELEMENTS (migrations) - 1].version)


#define CONVERSATION_COLUMNS \
  "c.id, c.title, c.created_ms, c.updated_ms," \
  " (SELECT count(*) FROM messages AS m WHERE m.conversation_id = c.id)"

#define MESSAGE_COLUMNS \
  "id, conversation_id, role, content, thinking, model, endpoint, api, state, error," \
  " done_reason, created_ms, tokens_in, tokens_out, ttft_ms, total_ms, load_ms," \
  " prompt_tokens_per_s, tokens_per_s, figures_from_server, error_class"

static const char * const statement_sql[N_STATEMENTS] = {
  [STMT_USER_VERSION] = "PRAGMA user_version",
  [STMT_CREATE_CONVERSATION] =
    "INSERT INTO conversations (title, created_ms, updated_ms) VALUES (:title, :now, :now)",
  [STMT_RENAME_CONVERSATION] = "UPDATE conversations SET title = :title WHERE id = :id",
  [STMT_DELETE_CONVERSATION] = "DELETE FROM conversations WHERE id = :id",
  [STMT_DELETE_MESSAGE] = "DELETE FROM messages WHERE id = :id",
  [STMT_MODEL_SPEEDS] =
    "SELECT tokens_per_s FROM messages"
    " WHERE role = 'assistant' AND state = 'complete' AND tokens_per_s > 0"
    "  AND (model = :name OR model = :tag)"
    " ORDER BY id DESC LIMIT 100",
  /* The columns message_from_row reads, without the text: only the figures
   * and outcome of each request are wanted. */
  [STMT_LIST_REQUEST_ROWS] =
    "SELECT id, conversation_id, role, '', NULL, model, endpoint, api, state, error,"
    " done_reason, created_ms, tokens_in, tokens_out, ttft_ms, total_ms, load_ms,"
    " prompt_tokens_per_s, tokens_per_s, figures_from_server, error_class FROM messages"
    " WHERE role = 'assistant' AND created_ms >= :since"
    "  AND (:model IS NULL OR model = :model)"
    " ORDER BY created_ms, id",
  [STMT_DELETE_MESSAGES_FROM] =
    "DELETE FROM messages WHERE conversation_id = :conversation AND id >= :id",
  [STMT_GET_CONVERSATION] =
    "SELECT " CONVERSATION_COLUMNS " FROM conversations AS c WHERE c.id = :id",
  [STMT_LIST_CONVERSATIONS] =
    "SELECT " CONVERSATION_COLUMNS " FROM conversations AS c"
    " ORDER BY c.updated_ms DESC, c.id DESC",
  [STMT_ADD_MESSAGE] =
    "INSERT INTO messages (conversation_id, role, endpoint, api, created_ms,"
    " content, thinking, state, error, done_reason, model, tokens_in, tokens_out, ttft_ms,"
    " total_ms, load_ms, prompt_tokens_per_s, tokens_per_s, figures_from_server, error_class)"
    " VALUES (:conversation_id, :role, :endpoint, :api, :created_ms,"
    " :content, :thinking, :state, :error, :done_reason, :model, :tokens_in, :tokens_out,"
    " :ttft_ms, :total_ms, :load_ms, :prompt_tokens_per_s, :tokens_per_s, :from_server,"
    " :error_class)",
  [STMT_UPDATE_MESSAGE] =
    "UPDATE messages SET content = :content, thinking = :thinking, state = :state,"
    " error = :error, done_reason = :done_reason, model = :model, tokens_in = :tokens_in,"
    " tokens_out = :tokens_out, ttft_ms = :ttft_ms, total_ms = :total_ms, load_ms = :load_ms,"
    " prompt_tokens_per_s = :prompt_tokens_per_s, tokens_per_s = :tokens_per_s,"
    " figures_from_server = :from_server, error_class = :error_class"
    " WHERE id = :id",
  /* The last :limit messages before :before_id, turned back to oldest first. */
  [STMT_LIST_MESSAGES] =
    "SELECT * FROM (SELECT " MESSAGE_COLUMNS " FROM messages"
    "  WHERE conversation_id = :conversation_id AND id < :before_id"
    "  ORDER BY id DESC LIMIT :limit)"
    " ORDER BY id ASC",
  /* Rank every match by the index alone, then build snippets only for the
   * rows that are returned: snippet() has to re-read and re-tokenize the text. */
  [STMT_SEARCH] =
    /* Ranking every match of a common word costs hundreds of milliseconds;
     * ranking the newest 1,000 matches costs a few, and for rarer words those
     * are all of them. */
    "WITH newest (id) AS ("
    "  SELECT rowid FROM messages_fts WHERE messages_fts MATCH :query"
    "  ORDER BY rowid DESC LIMIT 1000),"
    " top (id, score) AS MATERIALIZED ("
    "  SELECT rowid, rank FROM messages_fts WHERE messages_fts MATCH :query"
    "  AND rowid >= (SELECT coalesce (min (id), 0) FROM newest)"
    "  ORDER BY rank, rowid DESC LIMIT :limit)"
    " SELECT m.id, m.conversation_id, c.title, m.role,"
    "  snippet (messages_fts, 0, '[', ']', '…', 12), m.created_ms"
    " FROM top"
    " JOIN messages_fts ON messages_fts.rowid = top.id"
    " JOIN messages AS m ON m.id = top.id"
    " JOIN conversations AS c ON c.id = m.conversation_id"
    " WHERE messages_fts MATCH :query"
    " ORDER BY top.score, m.created_ms DESC, m.id DESC",
};

/* Errors */

static GError *
store_error_new (const char *path,
                 int         rc,
                 const char *detail)
{
  switch (hearth_sqlite_classify (rc))
    {
    case HEARTH_SQLITE_FAILURE_BUSY:
      return g_error_new (HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_LOCKED,
                          "The history database is in use by another program (%s): "
                          "close other copies of Hearth and try again", path);
    case HEARTH_SQLITE_FAILURE_READ_ONLY:
      return g_error_new (HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_READ_ONLY,
                          "The history database %s cannot be written (%s): "
                          "check the permissions of %s and of its folder",
                          path, detail, path);
    case HEARTH_SQLITE_FAILURE_CORRUPT:
      return g_error_new (HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_CORRUPT,
                          "The history database %s is damaged (%s): move it aside to start "
                          "a new history, or restore it from a backup", path, detail);
    case HEARTH_SQLITE_FAILURE_FULL:
      return g_error_new (HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_FAILED,
                          "The history database %s cannot grow because the disk is full: "
                          "free some space and try again", path);
    case HEARTH_SQLITE_FAILURE_IO:
      return g_error_new (HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_FAILED,
                          "The history database %s could not be read or written (%s): "
                          "check the disk and try again", path, detail);
    case HEARTH_SQLITE_FAILURE_OTHER:
    default:
      return g_error_new (HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_FAILED,
                          "The history database %s reported an error (%s): try again, "
                          "and report a bug if it keeps happening", path, detail);
    }
}

void
hearth_store_set_error (HearthStore  *self,
                        int           rc,
                        GError      **error)
{
  g_propagate_error (error,
                     store_error_new (self->path, rc, hearth_sqlite_describe (self->db, rc)));
}

sqlite3_stmt *
hearth_store_prepare (HearthStore  *self,
                      const char   *sql,
                      GError      **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (HEARTH_IS_STORE (self), NULL);

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      hearth_store_set_error (self, rc, error);
      return NULL;
    }
  return stmt;
}

gboolean
hearth_store_exec (HearthStore  *self,
                   const char   *sql,
                   GError      **error)
{
  int rc;

  g_return_val_if_fail (HEARTH_IS_STORE (self), FALSE);

  rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      hearth_store_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

sqlite3 *
hearth_store_get_db (HearthStore *self)
{
  g_return_val_if_fail (HEARTH_IS_STORE (self), NULL);

  return self->db;
}

static void
store_set_error (HearthStore  *self,
                 int           rc,
                 GError      **error)
{
  g_propagate_error (error,
                     store_error_new (self->path, rc, hearth_sqlite_describe (self->db, rc)));
}

static gboolean
store_set_not_found (GError     **error,
                     const char  *what,
                     gint64       id)
{
  g_set_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND,
               "There is no %s %" G_GINT64_FORMAT " in the history: "
               "it may have been deleted, reload the list and try again", what, id);
  return FALSE;
}

/* Statements, prepared once per store on first use */

static HearthSqliteStatement *
store_statement (HearthStore  *self,
                 StatementId   id,
                 GError      **error)
{
  HearthSqliteStatement *stmt;
  int rc;

  g_assert (id < N_STATEMENTS);

  stmt = hearth_sqlite_statement (self->db, &self->statements[id], statement_sql[id], &rc);
  if (stmt == NULL)
    store_set_error (self, rc, error);
  return stmt;
}

static void
bind_message_body (sqlite3_stmt        *stmt,
                   const HearthMessage *message)
{
  hearth_sqlite_bind_text (stmt, ":content", message->content != NULL ? message->content : "");
  hearth_sqlite_bind_text (stmt, ":thinking", message->thinking);
  hearth_sqlite_bind_text (stmt, ":state", hearth_message_state_to_string (message->state));
  hearth_sqlite_bind_text (stmt, ":error", message->error);
  hearth_sqlite_bind_text (stmt, ":error_class", message->error_class);
  hearth_sqlite_bind_text (stmt, ":done_reason", message->done_reason);
  hearth_sqlite_bind_text (stmt, ":model", message->model);
  hearth_sqlite_bind_figures (stmt, &message->figures);
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* Runs a statement that returns no rows; FALSE with @error set on failure. */
static gboolean
store_step_done (HearthStore   *self,
                 sqlite3_stmt  *stmt,
                 GError       **error)
{
  int rc = hearth_sqlite_step_done (stmt);

  if (rc == SQLITE_DONE)
    return TRUE;
  store_set_error (self, rc, error);
  return FALSE;
}

/* Opening and migrating */

static gboolean
store_read_user_version (HearthStore  *self,
                         int          *version,
                         GError      **error)
{
  g_autoptr(HearthSqliteStatement) stmt = store_statement (self, STMT_USER_VERSION, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      store_set_error (self, rc, error);
      return FALSE;
    }
  *version = sqlite3_column_int (stmt, 0);
  return TRUE;
}

static gboolean
store_check_not_too_new (HearthStore  *self,
                         int           version,
                         GError      **error)
{
  if (version <= LATEST_SCHEMA_VERSION)
    return TRUE;
  g_set_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_TOO_NEW,
               "The history database %s was written by a newer version of Hearth "
               "(schema %d, this version knows up to %d): update Hearth to open it",
               self->path, version, LATEST_SCHEMA_VERSION);
  return FALSE;
}

static gboolean
store_apply_migrations (HearthStore  *self,
                        int           from_version,
                        GError      **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (migrations); i++)
    {
      g_autofree char *set_version = NULL;

      if (migrations[i].version <= from_version)
        continue;
      if (!hearth_store_exec (self, migrations[i].sql, error))
        return FALSE;
      set_version = g_strdup_printf ("PRAGMA user_version = %d", migrations[i].version);
      if (!hearth_store_exec (self, set_version, error))
        return FALSE;
    }
  return TRUE;
}

/* Another process may migrate at the same moment: the version is read again
 * inside the write transaction, which only one of them holds. */
static gboolean
store_migrate (HearthStore  *self,
               GError      **error)
{
  int version = 0;

  if (self->schema_version == LATEST_SCHEMA_VERSION)
    return TRUE;
  if (!hearth_store_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!store_read_user_version (self, &version, error) ||
      !store_check_not_too_new (self, version, error) ||
      !store_apply_migrations (self, version, error) ||
      !hearth_store_exec (self, "COMMIT", error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  self->schema_version = LATEST_SCHEMA_VERSION;
  return TRUE;
}

static gboolean
store_make_parent (HearthStore  *self,
                   GError      **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  int saved_errno;

  if (g_mkdir_with_parents (dir, 0700) == 0)
    return TRUE;

  saved_errno = errno;
  if (saved_errno == EACCES || saved_errno == EPERM || saved_errno == EROFS)
    g_set_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_READ_ONLY,
                 "The folder of the history database %s cannot be created (%s): "
                 "check the permissions of %s", self->path, g_strerror (saved_errno), dir);
  else
    g_set_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_FAILED,
                 "The folder of the history database %s cannot be created (%s): "
                 "check the disk and try again", self->path, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
store_open_db (HearthStore  *self,
               GError      **error)
{
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
              SQLITE_OPEN_EXRESCODE;
  int rc;

  if (!store_make_parent (self, error))
    return FALSE;

  rc = sqlite3_open_v2 (self->path, &self->db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      store_set_error (self, rc, error);
      return FALSE;
    }
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  /* Reading the version is the first read of the file: a file that is not a
   * database fails here, at open time, not at the first write. */
  return store_read_user_version (self, &self->schema_version, error) &&
         store_check_not_too_new (self, self->schema_version, error) &&
         hearth_store_exec (self,
                     "PRAGMA journal_mode = WAL;"
                     "PRAGMA synchronous = NORMAL;"
                     "PRAGMA foreign_keys = ON;"
                     /* Reads map the file instead of copying every page
                      * through read (): a tenth of the time of months of
                      * metrics. Only this user's own file is mapped. */
                     "PRAGMA mmap_size = 268435456;", error) &&
         store_migrate (self, error);
}

static void
hearth_store_finalize (GObject *object)
{
  HearthStore *self = (HearthStore *)object;

  hearth_sqlite_close (&self->db, self->statements, N_STATEMENTS);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (hearth_store_parent_class)->finalize (object);
}

static void
hearth_store_class_init (HearthStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hearth_store_finalize;
}

static void
hearth_store_init (HearthStore *self)
{
}

char *
hearth_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "hearth", "hearth.db", NULL);
}

/**
 * hearth_store_open:
 *
 * Opens (creating and migrating if needed) the database at @path. The store
 * keeps one connection and must be used from one thread; a worker thread
 * opens its own store on the same path.
 *
 * Returns: (transfer full): the store, or %NULL with @error set
 */
HearthStore *
hearth_store_open (const char  *path,
                   GError     **error)
{
  g_autoptr(HearthStore) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (HEARTH_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  if (!store_open_db (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *
hearth_store_get_path (HearthStore *self)
{
  g_return_val_if_fail (HEARTH_IS_STORE (self), NULL);

  return self->path;
}

int
hearth_store_get_schema_version (HearthStore *self)
{
  g_return_val_if_fail (HEARTH_IS_STORE (self), 0);

  return self->schema_version;
}

/* Batches */

/**
 * hearth_store_begin:
 *
 * Groups the following writes in one transaction, for a bulk import: nothing
 * after it is durable until hearth_store_commit() returns.
 */
gboolean
hearth_store_begin (HearthStore  *self,
                    GError      **error)
{
  g_return_val_if_fail (HEARTH_IS_STORE (self), FALSE);

  return hearth_store_exec (self, "BEGIN IMMEDIATE", error);
}

gboolean
hearth_store_commit (HearthStore  *self,
                     GError      **error)
{
  g_return_val_if_fail (HEARTH_IS_STORE (self), FALSE);

  return hearth_store_exec (self, "COMMIT", error);
}

void
hearth_store_rollback (HearthStore *self)
{
  g_return_if_fail (HEARTH_IS_STORE (self));

  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Conversations */

gint64
hearth_store_create_conversation (HearthStore  *self,
                                  const char   *title,
                                  GError      **error)
{
  g_autoptr(HearthSqliteStatement) stmt = NULL;

  g_return_val_if_fail (HEARTH_IS_STORE (self), -1);

  stmt = store_statement (self, STMT_CREATE_CONVERSATION, error);
  if (stmt == NULL)
    return -1;
  hearth_sqlite_bind_text (stmt, ":title", title != NULL ? title : "");
  hearth_sqlite_bind_int64 (stmt, ":now", now_ms ());
  if (!store_step_done (self, stmt, error))
    return -1;
  return sqlite3_last_insert_rowid (self->db);
}

static gboolean
store_change_conversation (HearthStore  *self,
                           StatementId   id,
                           gint64        conversation_id,
                           const char   *title,
                           GError      **error)
{
  g_autoptr(HearthSqliteStatement) stmt = store_statement (self, id, error);

  if (stmt == NULL)
    return FALSE;
  if (title != NULL)
    hearth_sqlite_bind_text (stmt, ":title", title);
  hearth_sqlite_bind_int64 (stmt, ":id", conversation_id);
  if (!store_step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    return store_set_not_found (error, "conversation", conversation_id);
  return TRUE;
}

gboolean
hearth_store_rename_conversation (HearthStore  *self,
                                  gint64        conversation_id,
                                  const char   *title,
                                  GError      **error)
{
  g_return_val_if_fail (HEARTH_IS_STORE (self), FALSE);

  return store_change_conversation (self, STMT_RENAME_CONVERSATION, conversation_id,
                                    title != NULL ? title : "", error);
}

gboolean
hearth_store_delete_conversation (HearthStore  *self,
                                  gint64        conversation_id,
                                  GError      **error)
{
  g_return_val_if_fail (HEARTH_IS_STORE (self), FALSE);

  return store_change_conversation (self, STMT_DELETE_CONVERSATION, conversation_id,
                                    NULL, error);
}

/* @conversation_id < 0: the statement takes the message id alone. */
static gboolean
delete_messages (HearthStore  *self,
                 StatementId   id,
                 gint64        conversation_id,
                 gint64        message_id,
                 GError      **error)
{
  g_autoptr(HearthSqliteStatement) stmt = store_statement (self, id, error);

  if (stmt == NULL)
    return FALSE;
  if (conversation_id >= 0)
    hearth_sqlite_bind_int64 (stmt, ":conversation", conversation_id);
  hearth_sqlite_bind_int64 (stmt, ":id", message_id);
  if (!store_step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    return store_set_not_found (error, "message", message_id);
  return TRUE;
}

gboolean
hearth_store_delete_message (HearthStore  *self,
                             gint64        message_id,
                             GError      **error)
{
  g_return_val_if_fail (HEARTH_IS_STORE (self), FALSE);

  return delete_messages (self, STMT_DELETE_MESSAGE, -1, message_id, error);
}

/* Removes a message and everything after it in its conversation: what
 * "edit and resend" and "regenerate" start again from. */
gboolean
hearth_store_delete_messages_from (HearthStore  *self,
                                   gint64        conversation_id,
                                   gint64        message_id,
                                   GError      **error)
{
  g_return_val_if_fail (HEARTH_IS_STORE (self), FALSE);
  g_return_val_if_fail (conversation_id >= 0, FALSE);

  return delete_messages (self, STMT_DELETE_MESSAGES_FROM, conversation_id, message_id, error);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/**
 * hearth_store_get_measured_speed:
 * @name: the model as the server names it; @tag: another name for the same
 *   model (a quantization's tag), or %NULL
 *
 * Returns: the median decode speed of the last 100 complete replies from this
 *   model, in tokens/s; -1 when it was never measured
 */
double
hearth_store_get_measured_speed (HearthStore  *self,
                                 const char   *name,
                                 const char   *tag,
                                 GError      **error)
{
  g_autoptr(HearthSqliteStatement) stmt = NULL;
  g_autoptr(GArray) speeds = g_array_new (FALSE, FALSE, sizeof (double));
  int rc;

  g_return_val_if_fail (HEARTH_IS_STORE (self), -1);
  g_return_val_if_fail (name != NULL, -1);

  stmt = store_statement (self, STMT_MODEL_SPEEDS, error);
  if (stmt == NULL)
    return -1;
  hearth_sqlite_bind_text (stmt, ":name", name);
  hearth_sqlite_bind_text (stmt, ":tag", tag != NULL ? tag : name);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      double speed = sqlite3_column_double (stmt, 0);

      g_array_append_val (speeds, speed);
    }
  if (rc != SQLITE_DONE)
    {
      store_set_error (self, rc, error);
      return -1;
    }
  if (speeds->len == 0)
    return -1;
  g_array_sort (speeds, compare_doubles);
  return g_array_index (speeds, double, speeds->len / 2);
}

static HearthConversation *
conversation_from_row (sqlite3_stmt *stmt)
{
  HearthConversation *conversation = g_new0 (HearthConversation, 1);

  conversation->id = sqlite3_column_int64 (stmt, 0);
  conversation->title = hearth_sqlite_column_text (stmt, 1);
  conversation->created_ms = sqlite3_column_int64 (stmt, 2);
  conversation->updated_ms = sqlite3_column_int64 (stmt, 3);
  conversation->n_messages = sqlite3_column_int64 (stmt, 4);
  return conversation;
}

HearthConversation *
hearth_store_get_conversation (HearthStore  *self,
                               gint64        conversation_id,
                               GError      **error)
{
  g_autoptr(HearthSqliteStatement) stmt = NULL;
  int rc;

  g_return_val_if_fail (HEARTH_IS_STORE (self), NULL);

  stmt = store_statement (self, STMT_GET_CONVERSATION, error);
  if (stmt == NULL)
    return NULL;
  hearth_sqlite_bind_int64 (stmt, ":id", conversation_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return conversation_from_row (stmt);
  if (rc == SQLITE_DONE)
    store_set_not_found (error, "conversation", conversation_id);
  else
    store_set_error (self, rc, error);
  return NULL;
}

typedef gpointer (*RowFunc) (sqlite3_stmt *stmt);

/* Steps @stmt to the end, collecting one item per row. */
static GPtrArray *
store_collect (HearthStore     *self,
               sqlite3_stmt    *stmt,
               RowFunc          row_func,
               GDestroyNotify   free_func,
               GError         **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (free_func);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (items, row_func (stmt));
  if (rc != SQLITE_DONE)
    {
      store_set_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&items);
}

/**
 * hearth_store_list_conversations:
 *
 * Returns: (transfer container) (element-type HearthConversation): the
 *   conversations, the most recently active first
 */
GPtrArray *
hearth_store_list_conversations (HearthStore  *self,
                                 GError      **error)
{
  g_autoptr(HearthSqliteStatement) stmt = NULL;

  g_return_val_if_fail (HEARTH_IS_STORE (self), NULL);

  stmt = store_statement (self, STMT_LIST_CONVERSATIONS, error);
  if (stmt == NULL)
    return NULL;
  return store_collect (self, stmt, (RowFunc) conversation_from_row,
                        (GDestroyNotify) hearth_conversation_free, error);
}

/* Messages */

/**
 * hearth_store_add_message:
 *
 * Saves @message in its conversation (@message->conversation_id) and fills in
 * its id, and its created_ms if that was not set. Durable once it returns.
 *
 * Returns: the new message id, or -1 with @error set
 */
gint64
hearth_store_add_message (HearthStore    *self,
                          HearthMessage  *message,
                          GError        **error)
{
  g_autoptr(HearthSqliteStatement) stmt = NULL;
  int rc;

  g_return_val_if_fail (HEARTH_IS_STORE (self), -1);
  g_return_val_if_fail (message != NULL, -1);
  g_return_val_if_fail (message->role != NULL, -1);

  stmt = store_statement (self, STMT_ADD_MESSAGE, error);
  if (stmt == NULL)
    return -1;
  if (message->created_ms <= 0)
    message->created_ms = now_ms ();
  hearth_sqlite_bind_int64 (stmt, ":conversation_id", message->conversation_id);
  hearth_sqlite_bind_text (stmt, ":role", message->role);
  hearth_sqlite_bind_text (stmt, ":endpoint", message->endpoint);
  hearth_sqlite_bind_text (stmt, ":api", message->api);
  hearth_sqlite_bind_int64 (stmt, ":created_ms", message->created_ms);
  bind_message_body (stmt, message);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    {
      store_set_not_found (error, "conversation", message->conversation_id);
      return -1;
    }
  if (rc != SQLITE_DONE)
    {
      store_set_error (self, rc, error);
      return -1;
    }
  message->id = sqlite3_last_insert_rowid (self->db);
  return message->id;
}

/**
 * hearth_store_update_message:
 *
 * Replaces the content, thinking, state, error, done reason, model and
 * figures of the saved message @message->id. Cheap enough to call while a
 * reply streams.
 */
gboolean
hearth_store_update_message (HearthStore          *self,
                             const HearthMessage  *message,
                             GError              **error)
{
  g_autoptr(HearthSqliteStatement) stmt = NULL;

  g_return_val_if_fail (HEARTH_IS_STORE (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  stmt = store_statement (self, STMT_UPDATE_MESSAGE, error);
  if (stmt == NULL)
    return FALSE;
  hearth_sqlite_bind_int64 (stmt, ":id", message->id);
  bind_message_body (stmt, message);
  if (!store_step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    return store_set_not_found (error, "message", message->id);
  return TRUE;
}

static HearthMessage *
message_from_row (sqlite3_stmt *stmt)
{
  HearthMessage *message = g_new0 (HearthMessage, 1);

  message->id = sqlite3_column_int64 (stmt, 0);
  message->conversation_id = sqlite3_column_int64 (stmt, 1);
  message->role = hearth_sqlite_column_text (stmt, 2);
  message->content = hearth_sqlite_column_text (stmt, 3);
  message->thinking = hearth_sqlite_column_text (stmt, 4);
  message->model = hearth_sqlite_column_text (stmt, 5);
  message->endpoint = hearth_sqlite_column_text (stmt, 6);
  message->api = hearth_sqlite_column_text (stmt, 7);
  if (!hearth_message_state_from_string ((const char *) sqlite3_column_text (stmt, 8),
                                         &message->state))
    message->state = HEARTH_MESSAGE_FAILED;
  message->error = hearth_sqlite_column_text (stmt, 9);
  message->done_reason = hearth_sqlite_column_text (stmt, 10);
  message->created_ms = sqlite3_column_int64 (stmt, 11);
  hearth_sqlite_column_figures (stmt, 12, &message->figures);
  message->error_class = hearth_sqlite_column_text (stmt, 20);
  return message;
}

/**
 * hearth_store_list_messages:
 * @before_id: only messages with a smaller id; 0 or less for no bound
 * @limit: at most this many, the latest ones; 0 for all
 *
 * Pages a conversation backwards: pass the first id of one page as
 * @before_id of the next.
 *
 * Returns: (transfer container) (element-type HearthMessage): the messages,
 *   oldest first
 */
GPtrArray *
hearth_store_list_messages (HearthStore  *self,
                            gint64        conversation_id,
                            gint64        before_id,
                            guint         limit,
                            GError      **error)
{
  g_autoptr(HearthSqliteStatement) stmt = NULL;

  g_return_val_if_fail (HEARTH_IS_STORE (self), NULL);

  stmt = store_statement (self, STMT_LIST_MESSAGES, error);
  if (stmt == NULL)
    return NULL;
  hearth_sqlite_bind_int64 (stmt, ":conversation_id", conversation_id);
  hearth_sqlite_bind_int64 (stmt, ":before_id", before_id > 0 ? before_id : G_MAXINT64);
  hearth_sqlite_bind_int64 (stmt, ":limit", limit > 0 ? (gint64) limit : -1);
  return store_collect (self, stmt, (RowFunc) message_from_row,
                        (GDestroyNotify) hearth_message_free, error);
}

/**
 * hearth_store_list_request_rows:
 * @since_ms: only replies created at or after this unix time in milliseconds
 * @model: (nullable): only replies from this model
 *
 * Lists the assistant replies, one per request, with their outcome and
 * figures; content and thinking are left empty.
 *
 * Returns: (transfer container) (element-type HearthMessage): the replies,
 *   oldest first
 */
GPtrArray *
hearth_store_list_request_rows (HearthStore  *self,
                                gint64        since_ms,
                                const char   *model,
                                GError      **error)
{
  g_autoptr(HearthSqliteStatement) stmt = NULL;

  g_return_val_if_fail (HEARTH_IS_STORE (self), NULL);

  stmt = store_statement (self, STMT_LIST_REQUEST_ROWS, error);
  if (stmt == NULL)
    return NULL;
  hearth_sqlite_bind_int64 (stmt, ":since", since_ms);
  hearth_sqlite_bind_text (stmt, ":model", model);
  return store_collect (self, stmt, (RowFunc) message_from_row,
                        (GDestroyNotify) hearth_message_free, error);
}

/* Search */

static void
append_query_word (GString *query,
                   GString *word,
                   guint   *n_words)
{
  if (word->len == 0 || *n_words >= MAX_QUERY_WORDS)
    return;
  if ((*n_words)++ > 0)
    g_string_append (query, " AND ");
  /* Only letters and digits reach here, so the quotes cannot be broken out of.
   * One or two letters match whole words only: as prefixes they match nearly
   * everything, slowly. */
  g_string_append_printf (query, g_utf8_strlen (word->str, -1) >= 3 ? "\"%s\"*" : "\"%s\"",
                          word->str);
}

/* Free text → an FTS5 query that cannot be a syntax error: every run of
 * letters and digits becomes a quoted prefix term, and the terms are ANDed.
 * Everything else separates words, as it does for the unicode61 tokenizer. */
static char *
store_build_match_query (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  g_autoptr(GString) query = g_string_new (NULL);
  g_autoptr(GString) word = g_string_new (NULL);
  guint n_words = 0;

  for (const char *p = valid; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c != 0 && g_unichar_isalnum (c))
        {
          g_string_append_unichar (word, c);
          continue;
        }
      append_query_word (query, word, &n_words);
      g_string_truncate (word, 0);
      if (c == 0)
        break;
    }
  if (n_words == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&query), FALSE);
}

static HearthSearchHit *
search_hit_from_row (sqlite3_stmt *stmt)
{
  HearthSearchHit *hit = g_new0 (HearthSearchHit, 1);

  hit->message_id = sqlite3_column_int64 (stmt, 0);
  hit->conversation_id = sqlite3_column_int64 (stmt, 1);
  hit->conversation_title = hearth_sqlite_column_text (stmt, 2);
  hit->role = hearth_sqlite_column_text (stmt, 3);
  hit->snippet = hearth_sqlite_column_text (stmt, 4);
  /* One line in a list of results. */
  if (hit->snippet != NULL)
    g_strdelimit (hit->snippet, "\r\n\t", ' ');
  hit->created_ms = sqlite3_column_int64 (stmt, 5);
  return hit;
}

/**
 * hearth_store_search:
 * @query: what the user typed; any text is accepted
 * @limit: at most this many hits; 0 for all
 *
 * Finds messages containing every word of @query (as a word prefix, ignoring
 * case and accents), best match first. Can take a while on a long history:
 * call it in a worker thread with its own store.
 *
 * Returns: (transfer container) (element-type HearthSearchHit): the hits
 */
GPtrArray *
hearth_store_search (HearthStore  *self,
                     const char   *query,
                     guint         limit,
                     GError      **error)
{
  g_autoptr(HearthSqliteStatement) stmt = NULL;
  g_autofree char *match = NULL;

  g_return_val_if_fail (HEARTH_IS_STORE (self), NULL);

  match = store_build_match_query (query != NULL ? query : "");
  if (match == NULL)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_search_hit_free);

  stmt = store_statement (self, STMT_SEARCH, error);
  if (stmt == NULL)
    return NULL;
  hearth_sqlite_bind_text (stmt, ":query", match);
  hearth_sqlite_bind_int64 (stmt, ":limit", limit > 0 ? (gint64) limit : -1);
  return store_collect (self, stmt, (RowFunc) search_hit_from_row,
                        (GDestroyNotify) hearth_search_hit_free, error);
}

/* Records */

void
hearth_conversation_free (HearthConversation *conversation)
{
  if (conversation == NULL)
    return;
  g_free (conversation->title);
  g_free (conversation);
}

void
hearth_search_hit_free (HearthSearchHit *hit)
{
  if (hit == NULL)
    return;
  g_free (hit->conversation_title);
  g_free (hit->role);
  g_free (hit->snippet);
  g_free (hit);
}
