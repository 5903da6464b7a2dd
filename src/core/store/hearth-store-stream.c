/* hearth-store-stream.c — a reply saved while it streams, at the cost of what arrived
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Rewriting a growing reply every second, and indexing it again for search,
 * costs the square of its length: an endless stream crawled within seconds.
 * Each save instead adds the text that arrived since the last one as a row
 * of message_chunks; the last save writes the whole text once (and indexes
 * it once) and drops the rows. A reader appends the rows of a reply still
 * streaming, or cut short by a crash, so no saved text is ever lost.
 */
#define G_LOG_DOMAIN "hearth-store"

#include "hearth-store-private.h"

/* One save, whole or not at all: a savepoint nests inside a caller's
 * transaction (hearth_store_begin) where BEGIN would fail. */
gboolean
_hearth_store_savepoint (HearthStore  *self,
                         GError      **error)
{
  return hearth_store_exec (self, "SAVEPOINT hearth_save", error);
}

gboolean
_hearth_store_release (HearthStore  *self,
                       gboolean      ok,
                       GError      **error)
{
  if (!ok)
    {
      sqlite3_exec (self->db, "ROLLBACK TO hearth_save; RELEASE hearth_save", NULL, NULL, NULL);
      return FALSE;
    }
  if (hearth_store_exec (self, "RELEASE hearth_save", error))
    {
      _hearth_store_shrink_log_after_full (self);
      return TRUE;
    }
  sqlite3_exec (self->db, "ROLLBACK TO hearth_save; RELEASE hearth_save", NULL, NULL, NULL);
  return FALSE;
}

gboolean
_hearth_store_forget_chunks (HearthStore  *self,
                             gint64        message_id,
                             GError      **error)
{
  g_autoptr(HearthSqliteStatement) stmt = _hearth_store_statement (self, STMT_DELETE_CHUNKS,
                                                                   error);

  if (stmt == NULL)
    return FALSE;
  hearth_sqlite_bind_int64 (stmt, ":id", message_id);
  return _hearth_store_step_done (self, stmt, error);
}

static gboolean
append_chunk (HearthStore          *self,
              const HearthMessage  *message,
              GError              **error)
{
  g_autoptr(HearthSqliteStatement) stmt = _hearth_store_statement (self, STMT_APPEND_CHUNK,
                                                                   error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  hearth_sqlite_bind_int64 (stmt, ":id", message->id);
  hearth_sqlite_bind_text (stmt, ":content", message->content ? message->content : "");
  hearth_sqlite_bind_text (stmt, ":thinking", message->thinking ? message->thinking : "");
  rc = hearth_sqlite_step_done (stmt);
  /* The message, or its whole conversation, was deleted meanwhile. */
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    return _hearth_store_set_not_found (error, HEARTH_STORE_MISSING_MESSAGE, message->id);
  if (rc != SQLITE_DONE)
    {
      hearth_store_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
update_status (HearthStore          *self,
               const HearthMessage  *message,
               GError              **error)
{
  g_autoptr(HearthSqliteStatement) stmt = _hearth_store_statement (self, STMT_UPDATE_STATUS,
                                                                   error);

  if (stmt == NULL)
    return FALSE;
  hearth_sqlite_bind_int64 (stmt, ":id", message->id);
  _hearth_store_bind_status (stmt, message);
  if (!_hearth_store_step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    return _hearth_store_set_not_found (error, HEARTH_STORE_MISSING_MESSAGE, message->id);
  return TRUE;
}

/**
 * hearth_store_append_message:
 * @message: the saved message @message->id, with only the text that arrived
 *   since its last save in content and thinking
 *
 * Adds that text to the message and replaces its state, error, done reason,
 * model and figures, without rewriting what was saved before or indexing
 * it: what a streaming reply's saves call. hearth_store_update_message()
 * writes the whole text when the reply ends.
 */
gboolean
hearth_store_append_message (HearthStore          *self,
                             const HearthMessage  *message,
                             GError              **error)
{
  gboolean has_text;
  gboolean ok;

  g_return_val_if_fail (HEARTH_IS_STORE (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  has_text = (message->content != NULL && *message->content != '\0') ||
             (message->thinking != NULL && *message->thinking != '\0');
  if (!_hearth_store_savepoint (self, error))
    return FALSE;
  ok = (!has_text || append_chunk (self, message, error)) && update_status (self, message, error);
  return _hearth_store_release (self, ok, error);
}

static gboolean
add_chunks_to (HearthStore    *self,
               HearthMessage  *message,
               GError        **error)
{
  g_autoptr(HearthSqliteStatement) stmt = _hearth_store_statement (self, STMT_LIST_CHUNKS, error);
  g_autoptr(GString) content = NULL;
  g_autoptr(GString) thinking = NULL;
  int rc;

  if (stmt == NULL)
    return FALSE;
  hearth_sqlite_bind_int64 (stmt, ":id", message->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autofree char *more = hearth_sqlite_column_text (stmt, 0);
      g_autofree char *more_thinking = hearth_sqlite_column_text (stmt, 1);

      if (content == NULL)
        {
          content = g_string_new (message->content);
          thinking = g_string_new (message->thinking);
        }
      g_string_append (content, more);
      g_string_append (thinking, more_thinking);
    }
  if (rc != SQLITE_DONE)
    {
      hearth_store_set_error (self, rc, error);
      return FALSE;
    }
  if (content == NULL)
    return TRUE;
  g_free (message->content);
  message->content = g_string_free (g_steal_pointer (&content), FALSE);
  g_free (message->thinking);
  message->thinking = thinking->len ? g_string_free (g_steal_pointer (&thinking), FALSE) : NULL;
  return TRUE;
}

/* Only a reply still streaming, or cut short, has chunks. */
gboolean
_hearth_store_add_chunks (HearthStore  *self,
                          GPtrArray    *messages,
                          GError      **error)
{
  for (guint i = 0; i < messages->len; i++)
    {
      HearthMessage *message = g_ptr_array_index (messages, i);

      if (message->state == HEARTH_MESSAGE_PARTIAL && !add_chunks_to (self, message, error))
        return FALSE;
    }
  return TRUE;
}
