/* hearth-store.c — the history store: errors, statements, conversations and messages
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <inttypes.h>
#include <sqlite3.h>

#include "hearth-sqlite.h"
#include "hearth-store.h"
#include "hearth-store-private.h"

G_DEFINE_FINAL_TYPE (HearthStore, hearth_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (hearth-store-error-quark, hearth_store_error)

/* Above this many characters a message's snippet is made by hearth_snippet(). */
#define LONG_MESSAGE_CHARS 16384
/* As in hearth-store-schema.c */
#define BUSY_TIMEOUT_MS    2000

#define CONVERSATION_COLUMNS \
  "c.id, c.title, c.created_ms, c.updated_ms," \
  " (SELECT count(*) FROM messages AS m WHERE m.conversation_id = c.id)"

#define MESSAGE_COLUMNS \
  "id, conversation_id, role, content, thinking, model, endpoint, api, state, error," \
  " done_reason, created_ms, tokens_in, tokens_out, ttft_ms, total_ms, load_ms," \
  " prompt_tokens_per_s, tokens_per_s, figures_from_server, error_class, cached, options," \
  " server, fallback_from, fallback_reason, route_rule, client," \
  " set_question, set_method, set_name, set_role, pick, set_reason," \
  " (SELECT f.rating FROM feedback AS f WHERE f.message_id = messages.id)," \
  " (SELECT f.note FROM feedback AS f WHERE f.message_id = messages.id)"

/* The one conversation that holds other programs' requests (schema 9) is
 * never listed, searched, opened, renamed or deleted as a conversation. */
#define VISIBLE "kind <> 'api'"

static const char * const statement_sql[N_STATEMENTS] = {
  [STMT_USER_VERSION] = "PRAGMA user_version",
  [STMT_CREATE_CONVERSATION] =
    "INSERT INTO conversations (title, created_ms, updated_ms) VALUES (:title, :now, :now)",
  [STMT_RENAME_CONVERSATION] =
    "UPDATE conversations SET title = :title WHERE id = :id AND " VISIBLE,
  [STMT_DELETE_CONVERSATION] = "DELETE FROM conversations WHERE id = :id AND " VISIBLE,
  [STMT_FIND_API_CONVERSATION] =
    "SELECT id FROM conversations WHERE kind = 'api' ORDER BY id LIMIT 1",
  [STMT_CREATE_API_CONVERSATION] =
    "INSERT INTO conversations (title, created_ms, updated_ms, kind)"
    " VALUES (:title, :now, :now, 'api')",
  [STMT_DELETE_MESSAGE] = "DELETE FROM messages WHERE id = :id",
  [STMT_MODEL_SPEEDS] =
    "SELECT tokens_per_s FROM messages"
    " WHERE role = 'assistant' AND state = 'complete' AND tokens_per_s > 0"
    "  AND (model = :name OR model = :tag)"
    " ORDER BY id DESC LIMIT 100",
  /* The columns _hearth_store_message_from_row reads, without the text: only the figures
   * and outcome of each request are wanted. */
  [STMT_LIST_REQUEST_ROWS] =
    "SELECT id, conversation_id, role, '', NULL, model, endpoint, api, state, error,"
    " done_reason, created_ms, tokens_in, tokens_out, ttft_ms, total_ms, load_ms,"
    " prompt_tokens_per_s, tokens_per_s, figures_from_server, error_class, cached, options,"
    " server, fallback_from, fallback_reason, route_rule, client"
    " FROM messages WHERE role = 'assistant' AND created_ms >= :since"
    "  AND (:model IS NULL OR model = :model)"
    " ORDER BY created_ms, id",
  [STMT_DELETE_MESSAGES_FROM] =
    "DELETE FROM messages WHERE conversation_id = :conversation AND id >= :id",
  [STMT_GET_CONVERSATION] =
    "SELECT " CONVERSATION_COLUMNS " FROM conversations AS c WHERE c.id = :id AND c." VISIBLE,
  [STMT_PEEK_CONVERSATION] =
    "SELECT c.id, c.title, c.created_ms, c.updated_ms, -1 FROM conversations AS c"
    " WHERE c.id = :id AND c." VISIBLE,
  [STMT_LIST_CONVERSATIONS] =
    "SELECT " CONVERSATION_COLUMNS " FROM conversations AS c WHERE c." VISIBLE
    " ORDER BY c.updated_ms DESC, c.id DESC",
  [STMT_ADD_MESSAGE] =
    "INSERT INTO messages (conversation_id, role, endpoint, api, created_ms,"
    " content, thinking, state, error, done_reason, model, tokens_in, tokens_out, ttft_ms,"
    " total_ms, load_ms, prompt_tokens_per_s, tokens_per_s, figures_from_server, error_class,"
    " cached, options, server, fallback_from, fallback_reason, route_rule, client,"
    " set_question, set_method, set_name, set_role, pick, set_reason)"
    " VALUES (:conversation_id, :role, :endpoint, :api, :created_ms,"
    " :content, :thinking, :state, :error, :done_reason, :model, :tokens_in, :tokens_out,"
    " :ttft_ms, :total_ms, :load_ms, :prompt_tokens_per_s, :tokens_per_s, :from_server,"
    " :error_class, :cached, :options, :server, :fallback_from, :fallback_reason,"
    " :route_rule, :client, :set_question, :set_method, :set_name, :set_role, :pick,"
    " :set_reason)",
  [STMT_APPEND_CHUNK] =
    "INSERT INTO message_chunks (message_id, content, thinking)"
    " VALUES (:id, :content, :thinking)",
  [STMT_UPDATE_STATUS] =
    "UPDATE messages SET state = :state, error = :error, done_reason = :done_reason,"
    " model = :model, tokens_in = :tokens_in, tokens_out = :tokens_out, ttft_ms = :ttft_ms,"
    " total_ms = :total_ms, load_ms = :load_ms, prompt_tokens_per_s = :prompt_tokens_per_s,"
    " tokens_per_s = :tokens_per_s, figures_from_server = :from_server,"
    " error_class = :error_class, cached = :cached, options = :options,"
    " endpoint = coalesce (:endpoint, endpoint), api = coalesce (:api, api), server = :server,"
    " fallback_from = :fallback_from,"
    " fallback_reason = :fallback_reason, route_rule = :route_rule"
    " WHERE id = :id",
  [STMT_DELETE_CHUNKS] = "DELETE FROM message_chunks WHERE message_id = :id",
  [STMT_LIST_CHUNKS] =
    "SELECT content, thinking FROM message_chunks WHERE message_id = :id ORDER BY id",
  [STMT_UPDATE_MESSAGE] =
    "UPDATE messages SET content = :content, thinking = :thinking, state = :state,"
    " error = :error, done_reason = :done_reason, model = :model, tokens_in = :tokens_in,"
    " tokens_out = :tokens_out, ttft_ms = :ttft_ms, total_ms = :total_ms, load_ms = :load_ms,"
    " prompt_tokens_per_s = :prompt_tokens_per_s, tokens_per_s = :tokens_per_s,"
    " figures_from_server = :from_server, error_class = :error_class, cached = :cached,"
    " options = :options, endpoint = coalesce (:endpoint, endpoint), api = coalesce (:api, api),"
    " server = :server,"
    " fallback_from = :fallback_from, fallback_reason = :fallback_reason,"
    " route_rule = :route_rule"
    " WHERE id = :id",
  /* The last :limit messages before :before_id, turned back to oldest first. */
  [STMT_LIST_MESSAGES] =
    "SELECT * FROM (SELECT " MESSAGE_COLUMNS " FROM messages"
    "  WHERE conversation_id = :conversation_id AND id < :before_id"
    "  ORDER BY id DESC LIMIT :limit)"
    " ORDER BY id ASC",
  /* Ranking every match of a common word costs hundreds of milliseconds;
   * ranking the newest 1,000 matches costs a few, and for rarer words those
   * are all of them. They are read and ranked in one pass over the index. */
  [STMT_SEARCH] =
    "WITH top (id, score) AS MATERIALIZED ("
    "  SELECT rowid, rank FROM ("
    "   SELECT rowid, rank FROM messages_fts WHERE messages_fts MATCH :query"
    "   ORDER BY rowid DESC LIMIT 1000)"
    "  ORDER BY rank, rowid DESC LIMIT :limit),"
    /* Snippets only for the rows returned, in a second pass over the same
     * range of the index. Not by looking each row up (rowid = top.id): every
     * lookup evaluates the query again, merging the whole list of a prefix
     * (ten times the cost of the search). The unary + keeps the IN a filter.
     * snippet() is quadratic in the matches of a message: long ones get
     * hearth_snippet(), which is linear (hearth-store-snippet.c). */
    " found (id, snippet) AS MATERIALIZED ("
    "  SELECT messages_fts.rowid,"
    "   CASE WHEN length (m.content) > " G_STRINGIFY (LONG_MESSAGE_CHARS)
    "    THEN hearth_snippet (messages_fts, 0, '[', ']', '…', 12)"
    "    ELSE snippet (messages_fts, 0, '[', ']', '…', 12) END"
    "  FROM messages_fts CROSS JOIN messages AS m"
    "  WHERE messages_fts MATCH :query"
    "   AND messages_fts.rowid >= (SELECT min (id) FROM top)"
    "   AND +messages_fts.rowid IN (SELECT id FROM top)"
    "   AND m.id = messages_fts.rowid)"
    " SELECT m.id, m.conversation_id, c.title, m.role, found.snippet, m.created_ms"
    " FROM top"
    " JOIN found ON found.id = top.id"
    " JOIN messages AS m ON m.id = top.id"
    " JOIN conversations AS c ON c.id = m.conversation_id"
    " WHERE c." VISIBLE
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
                          _("The history database is in use by another program (%s): "
                            "close other copies of Hearth and try again"), path);
    case HEARTH_SQLITE_FAILURE_READ_ONLY:
      return g_error_new (HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_READ_ONLY,
                          _("The history database %s cannot be written (%s): "
                            "check the permissions of %s and of its folder"),
                          path, detail, path);
    case HEARTH_SQLITE_FAILURE_CORRUPT:
      return g_error_new (HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_CORRUPT,
                          _("The history database %s is damaged (%s): move it aside to start "
                            "a new history, or restore it from a backup"), path, detail);
    case HEARTH_SQLITE_FAILURE_FULL:
      return g_error_new (HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_FULL,
                          _("The history database %s cannot grow because the disk is full: "
                            "free some space and try again"), path);
    case HEARTH_SQLITE_FAILURE_IO:
      return g_error_new (HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_FAILED,
                          _("The history database %s could not be read or written (%s): "
                            "check the disk and try again"), path, detail);
    case HEARTH_SQLITE_FAILURE_OTHER:
    default:
      return g_error_new (HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_FAILED,
                          _("The history database %s reported an error (%s): try again, "
                            "and report a bug if it keeps happening"), path, detail);
    }
}

void
hearth_store_set_error (HearthStore  *self,
                        int           rc,
                        GError      **error)
{
  if (hearth_sqlite_classify (rc) == HEARTH_SQLITE_FAILURE_FULL)
    self->after_full = TRUE;
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
  hearth_store_set_error (self, rc, error);
}

gboolean
_hearth_store_set_not_found (GError             **error,
                             HearthStoreMissing   what,
                             gint64               id)
{
  switch (what)
    {
    case HEARTH_STORE_MISSING_CONVERSATION:
      /* Translators: the number is the conversation's id */
      g_set_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND,
                   _("There is no conversation %" PRId64 " in the history: "
                     "it may have been deleted, reload the list and try again"), id);
      break;
    case HEARTH_STORE_MISSING_SET_ANSWER:
      /* Translators: the number is a message's id; a set is the answers of
       * several models to one question, side by side */
      g_set_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND,
                   _("There is no answer of a set %" PRId64 " in the history: "
                     "it may have been deleted, reload the list and try again"), id);
      break;
    case HEARTH_STORE_MISSING_MESSAGE:
    default:
      /* Translators: the number is the message's id */
      g_set_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND,
                   _("There is no message %" PRId64 " in the history: "
                     "it may have been deleted, reload the list and try again"), id);
      break;
    }
  return FALSE;
}

/* Statements, prepared once per store on first use */

HearthSqliteStatement *
_hearth_store_statement (HearthStore  *self,
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

/* Everything but the text: what a save while a reply streams rewrites. */
void
_hearth_store_bind_status (sqlite3_stmt        *stmt,
                           const HearthMessage *message)
{
  hearth_sqlite_bind_text (stmt, ":state", hearth_message_state_to_string (message->state));
  hearth_sqlite_bind_text (stmt, ":error", message->error);
  hearth_sqlite_bind_text (stmt, ":error_class", message->error_class);
  hearth_sqlite_bind_text (stmt, ":done_reason", message->done_reason);
  hearth_sqlite_bind_text (stmt, ":model", message->model);
  hearth_sqlite_bind_figures (stmt, &message->figures);
  hearth_sqlite_bind_int64 (stmt, ":cached", message->figures.cached ? 1 : 0);
  hearth_sqlite_bind_text (stmt, ":options", message->options);
  /* Where it was answered: a fallback moves a reply to another server. */
  hearth_sqlite_bind_text (stmt, ":endpoint", message->endpoint);
  hearth_sqlite_bind_text (stmt, ":api", message->api);
  hearth_sqlite_bind_text (stmt, ":server", message->server);
  hearth_sqlite_bind_text (stmt, ":fallback_from", message->fallback_from);
  hearth_sqlite_bind_text (stmt, ":fallback_reason", message->fallback_reason);
  hearth_sqlite_bind_text (stmt, ":route_rule", message->route_rule);
}

static void
bind_message_body (sqlite3_stmt        *stmt,
                   const HearthMessage *message)
{
  hearth_sqlite_bind_text (stmt, ":content", message->content != NULL ? message->content : "");
  hearth_sqlite_bind_text (stmt, ":thinking", message->thinking);
  _hearth_store_bind_status (stmt, message);
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* After a full disk the write-ahead log may have grown as far as the disk
 * allowed, and SQLite only reuses it: once a write works again (space came
 * back), it is folded into the database and truncated. Without waiting for
 * readers: a busy log is tried again after the next write. */
void
_hearth_store_shrink_log_after_full (HearthStore *self)
{
  int rc;

  if (!self->after_full || sqlite3_get_autocommit (self->db) == 0)
    return;
  sqlite3_busy_timeout (self->db, 0);
  rc = sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
  if (rc == SQLITE_OK)
    self->after_full = FALSE;
}

/**
 * hearth_store_checkpoint:
 *
 * Folds the write-ahead log into the database and truncates it, as the
 * application stops.
 */
gboolean
hearth_store_checkpoint (HearthStore  *self,
                         GError      **error)
{
  int rc;

  g_return_val_if_fail (HEARTH_IS_STORE (self), FALSE);

  if (self->read_only)
    return TRUE;
  rc = sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      store_set_error (self, rc, error);
      return FALSE;
    }
  self->after_full = FALSE;
  return TRUE;
}

/* Runs a statement that returns no rows; FALSE with @error set on failure. */
gboolean
_hearth_store_step_done (HearthStore   *self,
                         sqlite3_stmt  *stmt,
                         GError       **error)
{
  int rc = hearth_sqlite_step_done (stmt);

  if (rc == SQLITE_DONE)
    {
      _hearth_store_shrink_log_after_full (self);
      return TRUE;
    }
  store_set_error (self, rc, error);
  return FALSE;
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
  if (!_hearth_store_open_db (self, error))
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

  stmt = _hearth_store_statement (self, STMT_CREATE_CONVERSATION, error);
  if (stmt == NULL)
    return -1;
  hearth_sqlite_bind_text (stmt, ":title", title != NULL ? title : "");
  hearth_sqlite_bind_int64 (stmt, ":now", now_ms ());
  if (!_hearth_store_step_done (self, stmt, error))
    return -1;
  return sqlite3_last_insert_rowid (self->db);
}

/**
 * hearth_store_get_api_conversation:
 *
 * The one hidden conversation ("Requests from other programs") that holds
 * the records of other programs' requests: found, or made the first time.
 *
 * Returns: its id, or -1 with @error set
 */
gint64
hearth_store_get_api_conversation (HearthStore  *self,
                                   GError      **error)
{
  g_autoptr(HearthSqliteStatement) find = NULL;
  g_autoptr(HearthSqliteStatement) create = NULL;
  int rc;

  g_return_val_if_fail (HEARTH_IS_STORE (self), -1);

  if ((find = _hearth_store_statement (self, STMT_FIND_API_CONVERSATION, error)) == NULL)
    return -1;
  rc = sqlite3_step (find);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int64 (find, 0);
  if (rc != SQLITE_DONE)
    {
      store_set_error (self, rc, error);
      return -1;
    }
  g_clear_pointer (&find, hearth_sqlite_statement_release);
  if ((create = _hearth_store_statement (self, STMT_CREATE_API_CONVERSATION, error)) == NULL)
    return -1;
  /* Translators: the title of the conversation that holds the API gateway's requests */
  hearth_sqlite_bind_text (create, ":title", _("Requests from other programs"));
  hearth_sqlite_bind_int64 (create, ":now", now_ms ());
  if (!_hearth_store_step_done (self, create, error))
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
  g_autoptr(HearthSqliteStatement) stmt = _hearth_store_statement (self, id, error);

  if (stmt == NULL)
    return FALSE;
  if (title != NULL)
    hearth_sqlite_bind_text (stmt, ":title", title);
  hearth_sqlite_bind_int64 (stmt, ":id", conversation_id);
  if (!_hearth_store_step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    return _hearth_store_set_not_found (error, HEARTH_STORE_MISSING_CONVERSATION, conversation_id);
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
  g_autoptr(HearthSqliteStatement) stmt = _hearth_store_statement (self, id, error);

  if (stmt == NULL)
    return FALSE;
  if (conversation_id >= 0)
    hearth_sqlite_bind_int64 (stmt, ":conversation", conversation_id);
  hearth_sqlite_bind_int64 (stmt, ":id", message_id);
  if (!_hearth_store_step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    return _hearth_store_set_not_found (error, HEARTH_STORE_MISSING_MESSAGE, message_id);
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

static HearthConversation *
get_conversation (HearthStore  *self,
                  int           statement,
                  gint64        conversation_id,
                  GError      **error)
{
  g_autoptr(HearthSqliteStatement) stmt = NULL;
  int rc;

  stmt = _hearth_store_statement (self, statement, error);
  if (stmt == NULL)
    return NULL;
  hearth_sqlite_bind_int64 (stmt, ":id", conversation_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return conversation_from_row (stmt);
  if (rc == SQLITE_DONE)
    _hearth_store_set_not_found (error, HEARTH_STORE_MISSING_CONVERSATION, conversation_id);
  else
    store_set_error (self, rc, error);
  return NULL;
}

HearthConversation *
hearth_store_get_conversation (HearthStore  *self,
                               gint64        conversation_id,
                               GError      **error)
{
  g_return_val_if_fail (HEARTH_IS_STORE (self), NULL);

  return get_conversation (self, STMT_GET_CONVERSATION, conversation_id, error);
}

/**
 * hearth_store_peek_conversation:
 *
 * The conversation's row alone: its messages are not counted (n_messages
 * is -1), so the cost is one row whatever the conversation holds.
 */
HearthConversation *
hearth_store_peek_conversation (HearthStore  *self,
                                gint64        conversation_id,
                                GError      **error)
{
  g_return_val_if_fail (HEARTH_IS_STORE (self), NULL);

  return get_conversation (self, STMT_PEEK_CONVERSATION, conversation_id, error);
}

/* Steps @stmt to the end, collecting one item per row. */
GPtrArray *
_hearth_store_collect (HearthStore     *self,
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

  stmt = _hearth_store_statement (self, STMT_LIST_CONVERSATIONS, error);
  if (stmt == NULL)
    return NULL;
  return _hearth_store_collect (self, stmt, (RowFunc) conversation_from_row,
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

  stmt = _hearth_store_statement (self, STMT_ADD_MESSAGE, error);
  if (stmt == NULL)
    return -1;
  if (message->created_ms <= 0)
    message->created_ms = now_ms ();
  hearth_sqlite_bind_int64 (stmt, ":conversation_id", message->conversation_id);
  hearth_sqlite_bind_text (stmt, ":role", message->role);
  hearth_sqlite_bind_int64 (stmt, ":created_ms", message->created_ms);
  bind_message_body (stmt, message);
  hearth_sqlite_bind_text (stmt, ":client", message->client);
  if (message->set_question > 0)
    {
      hearth_sqlite_bind_int64 (stmt, ":set_question", message->set_question);
      hearth_sqlite_bind_int64 (stmt, ":pick", message->pick >= 0 ? message->pick : 0);
    }
  hearth_sqlite_bind_text (stmt, ":set_method", message->set_method);
  hearth_sqlite_bind_text (stmt, ":set_name", message->set_name);
  hearth_sqlite_bind_text (stmt, ":set_role", message->set_role);
  hearth_sqlite_bind_text (stmt, ":set_reason", message->set_reason);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    {
      _hearth_store_set_not_found (error, HEARTH_STORE_MISSING_CONVERSATION,
                                   message->conversation_id);
      return -1;
    }
  if (rc != SQLITE_DONE)
    {
      store_set_error (self, rc, error);
      return -1;
    }
  message->id = sqlite3_last_insert_rowid (self->db);
  _hearth_store_shrink_log_after_full (self);
  return message->id;
}

static gboolean
store_update_message (HearthStore          *self,
                      const HearthMessage  *message,
                      GError              **error)
{
  g_autoptr(HearthSqliteStatement) stmt = _hearth_store_statement (self, STMT_UPDATE_MESSAGE,
                                                                   error);

  if (stmt == NULL)
    return FALSE;
  hearth_sqlite_bind_int64 (stmt, ":id", message->id);
  bind_message_body (stmt, message);
  if (!_hearth_store_step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    return _hearth_store_set_not_found (error, HEARTH_STORE_MISSING_MESSAGE, message->id);
  return _hearth_store_forget_chunks (self, message->id, error);
}

/**
 * hearth_store_update_message:
 *
 * Replaces the content, thinking, state, error, done reason, model and
 * figures of the saved message @message->id, and indexes its text for
 * search: what a reply's last save does. While it streams,
 * hearth_store_append_message() saves what arrived at the cost of that alone.
 */
gboolean
hearth_store_update_message (HearthStore          *self,
                             const HearthMessage  *message,
                             GError              **error)
{
  gboolean ok;

  g_return_val_if_fail (HEARTH_IS_STORE (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  if (!_hearth_store_savepoint (self, error))
    return FALSE;
  ok = store_update_message (self, message, error);
  return _hearth_store_release (self, ok, error);
}

HearthMessage *
_hearth_store_message_from_row (sqlite3_stmt *stmt)
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
  message->figures.cached = sqlite3_column_int (stmt, 21) != 0;
  if (sqlite3_column_count (stmt) > 22)
    message->options = hearth_sqlite_column_text (stmt, 22);
  if (sqlite3_column_count (stmt) > 26)
    {
      message->server = hearth_sqlite_column_text (stmt, 23);
      message->fallback_from = hearth_sqlite_column_text (stmt, 24);
      message->fallback_reason = hearth_sqlite_column_text (stmt, 25);
      message->route_rule = hearth_sqlite_column_text (stmt, 26);
    }
  if (sqlite3_column_count (stmt) > 27)
    message->client = hearth_sqlite_column_text (stmt, 27);
  message->pick = -1;  /* HEARTH_PICK_NONE */
  if (sqlite3_column_count (stmt) > 35)
    {
      message->set_question = sqlite3_column_int64 (stmt, 28);
      message->set_method = hearth_sqlite_column_text (stmt, 29);
      message->set_name = hearth_sqlite_column_text (stmt, 30);
      message->set_role = hearth_sqlite_column_text (stmt, 31);
      if (sqlite3_column_type (stmt, 32) != SQLITE_NULL)
        message->pick = sqlite3_column_int (stmt, 32);
      message->set_reason = hearth_sqlite_column_text (stmt, 33);
      message->rating = sqlite3_column_int (stmt, 34);
      message->rating_note = hearth_sqlite_column_text (stmt, 35);
    }
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
  g_autoptr(GPtrArray) messages = NULL;

  g_return_val_if_fail (HEARTH_IS_STORE (self), NULL);

  stmt = _hearth_store_statement (self, STMT_LIST_MESSAGES, error);
  if (stmt == NULL)
    return NULL;
  hearth_sqlite_bind_int64 (stmt, ":conversation_id", conversation_id);
  hearth_sqlite_bind_int64 (stmt, ":before_id", before_id > 0 ? before_id : G_MAXINT64);
  hearth_sqlite_bind_int64 (stmt, ":limit", limit > 0 ? (gint64) limit : -1);
  messages = _hearth_store_collect (self, stmt, (RowFunc) _hearth_store_message_from_row,
                                    (GDestroyNotify) hearth_message_free, error);
  if (messages == NULL || !_hearth_store_add_chunks (self, messages, error))
    return NULL;
  return g_steal_pointer (&messages);
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

