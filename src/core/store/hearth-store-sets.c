/* hearth-store-sets.c — which answer of a set is kept (compare, ensembles):
 * messages.pick and messages.set_reason (schema 10)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-store"

#include "config.h"

#include "hearth-answer-set.h"
#include "hearth-store-private.h"
#include "hearth-store-sets.h"

static const char get_sql[] =
  "SELECT id, conversation_id, role, content, model, server, state,"
  " set_question, set_method, set_name, set_role, pick, set_reason"
  " FROM messages WHERE id = :id";

/* Every other candidate of the set first, so that exactly one is kept. */
static const char others_sql[] =
  "UPDATE messages SET pick = 0, set_reason = NULL"
  " WHERE set_question = (SELECT set_question FROM messages WHERE id = :id)"
  " AND set_role = '" HEARTH_SET_ROLE_CANDIDATE "' AND id != :id";

static const char keep_sql[] =
  "UPDATE messages SET pick = :pick, set_reason = :reason"
  " WHERE id = :id AND set_question IS NOT NULL"
  " AND set_role = '" HEARTH_SET_ROLE_CANDIDATE "'";

static gboolean
run (HearthStore  *self,
     const char   *sql,
     gint64        message_id,
     int           pick,
     const char   *reason,
     gboolean      must_change,
     GError      **error)
{
  sqlite3_stmt *stmt = hearth_store_prepare (self, sql, error);
  gboolean ok;

  if (stmt == NULL)
    return FALSE;
  hearth_sqlite_bind_int64 (stmt, ":id", message_id);
  if (sqlite3_bind_parameter_index (stmt, ":pick") > 0)
    hearth_sqlite_bind_int64 (stmt, ":pick", pick);
  if (sqlite3_bind_parameter_index (stmt, ":reason") > 0)
    hearth_sqlite_bind_text (stmt, ":reason", reason);
  ok = _hearth_store_step_done (self, stmt, error);
  if (ok && must_change && sqlite3_changes (hearth_store_get_db (self)) == 0)
    ok = _hearth_store_set_not_found (error, HEARTH_STORE_MISSING_SET_ANSWER, message_id);
  sqlite3_finalize (stmt);
  return ok;
}

gboolean
hearth_store_keep_answer (HearthStore  *self,
                          gint64        message_id,
                          int           pick,
                          const char   *reason,
                          GError      **error)
{
  g_return_val_if_fail (HEARTH_IS_STORE (self), FALSE);
  g_return_val_if_fail (pick == HEARTH_PICK_AUTO || pick == HEARTH_PICK_USER, FALSE);

  if (!_hearth_store_savepoint (self, error))
    return FALSE;
  if (!run (self, others_sql, message_id, 0, NULL, FALSE, error) ||
      !run (self, keep_sql, message_id, pick, reason, TRUE, error))
    {
      _hearth_store_release (self, FALSE, NULL);
      return FALSE;
    }
  return _hearth_store_release (self, TRUE, error);
}

HearthMessage *
hearth_store_get_set_message (HearthStore  *self,
                              gint64        message_id,
                              GError      **error)
{
  sqlite3_stmt *stmt;
  HearthMessage *message = NULL;
  int rc;

  g_return_val_if_fail (HEARTH_IS_STORE (self), NULL);

  if ((stmt = hearth_store_prepare (self, get_sql, error)) == NULL)
    return NULL;
  hearth_sqlite_bind_int64 (stmt, ":id", message_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      message = hearth_message_new (NULL, NULL);
      message->id = sqlite3_column_int64 (stmt, 0);
      message->conversation_id = sqlite3_column_int64 (stmt, 1);
      message->role = hearth_sqlite_column_text (stmt, 2);
      g_free (message->content);
      message->content = hearth_sqlite_column_text (stmt, 3);
      message->model = hearth_sqlite_column_text (stmt, 4);
      message->server = hearth_sqlite_column_text (stmt, 5);
      if (!hearth_message_state_from_string ((const char *) sqlite3_column_text (stmt, 6),
                                             &message->state))
        message->state = HEARTH_MESSAGE_FAILED;
      message->set_question = sqlite3_column_int64 (stmt, 7);
      message->set_method = hearth_sqlite_column_text (stmt, 8);
      message->set_name = hearth_sqlite_column_text (stmt, 9);
      message->set_role = hearth_sqlite_column_text (stmt, 10);
      if (sqlite3_column_type (stmt, 11) != SQLITE_NULL)
        message->pick = sqlite3_column_int (stmt, 11);
      message->set_reason = hearth_sqlite_column_text (stmt, 12);
    }
  else if (rc == SQLITE_DONE)
    _hearth_store_set_not_found (error, HEARTH_STORE_MISSING_MESSAGE, message_id);
  else
    hearth_store_set_error (self, rc, error);
  sqlite3_finalize (stmt);
  return message;
}
