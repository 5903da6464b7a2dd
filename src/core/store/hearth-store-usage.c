/* hearth-store-usage.c — when each model is used, and why Hearth loaded one
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-store"

#include <math.h>

#include "hearth-store-private.h"
#include "hearth-store-usage.h"

#define SLOT_MS (15 * 60 * 1000)

static const char slots_sql[] =
  "SELECT model, created_ms / 900000, count(*) FROM messages"
  " WHERE role = 'assistant' AND state != 'failed' AND model IS NOT NULL AND model != ''"
  "  AND created_ms >= :since"
  " GROUP BY model, created_ms / 900000";

static const char save_sql[] =
  "INSERT OR REPLACE INTO preloads (model, reason, keep_alive_s, loaded_ms)"
  " VALUES (:model, :reason, :keep_alive_s, :loaded_ms)";

static const char list_sql[] =
  "SELECT model, reason, keep_alive_s, loaded_ms FROM preloads ORDER BY loaded_ms DESC";

void
hearth_reply_slot_free (HearthReplySlot *slot)
{
  if (slot == NULL)
    return;
  g_free (slot->model);
  g_free (slot);
}

void
hearth_preload_row_free (HearthPreloadRow *row)
{
  if (row == NULL)
    return;
  g_free (row->model);
  g_free (row->reason);
  g_free (row);
}

/* Returns: (transfer container) (element-type HearthReplySlot) */
GPtrArray *
hearth_store_list_reply_slots (HearthStore  *self,
                               gint64        since_ms,
                               GError      **error)
{
  g_autoptr(GPtrArray) slots = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (HEARTH_IS_STORE (self), NULL);

  if ((stmt = hearth_store_prepare (self, slots_sql, error)) == NULL)
    return NULL;
  hearth_sqlite_bind_int64 (stmt, ":since", since_ms);
  slots = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_reply_slot_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      HearthReplySlot *slot = g_new0 (HearthReplySlot, 1);

      slot->model = hearth_sqlite_column_text (stmt, 0);
      slot->slot_ms = sqlite3_column_int64 (stmt, 1) * SLOT_MS;
      slot->n_replies = (guint) sqlite3_column_int64 (stmt, 2);
      g_ptr_array_add (slots, slot);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      hearth_store_set_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&slots);
}

gboolean
hearth_store_save_preload (HearthStore  *self,
                           const char   *model,
                           const char   *reason,
                           double        keep_alive_s,
                           gint64        loaded_ms,
                           GError      **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (HEARTH_IS_STORE (self), FALSE);
  g_return_val_if_fail (model != NULL && reason != NULL, FALSE);

  if ((stmt = hearth_store_prepare (self, save_sql, error)) == NULL)
    return FALSE;
  hearth_sqlite_bind_text (stmt, ":model", model);
  hearth_sqlite_bind_text (stmt, ":reason", reason);
  if (isnan (keep_alive_s))
    sqlite3_bind_null (stmt, sqlite3_bind_parameter_index (stmt, ":keep_alive_s"));
  else
    hearth_sqlite_bind_double (stmt, ":keep_alive_s", keep_alive_s);
  hearth_sqlite_bind_int64 (stmt, ":loaded_ms", loaded_ms);
  rc = hearth_sqlite_step_done (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      hearth_store_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

/* Returns: (transfer container) (element-type HearthPreloadRow): newest first */
GPtrArray *
hearth_store_list_preloads (HearthStore  *self,
                            GError      **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (HEARTH_IS_STORE (self), NULL);

  if ((stmt = hearth_store_prepare (self, list_sql, error)) == NULL)
    return NULL;
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_preload_row_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      HearthPreloadRow *row = g_new0 (HearthPreloadRow, 1);

      row->model = hearth_sqlite_column_text (stmt, 0);
      row->reason = hearth_sqlite_column_text (stmt, 1);
      row->keep_alive_s = sqlite3_column_type (stmt, 2) == SQLITE_NULL
                          ? NAN : sqlite3_column_double (stmt, 2);
      row->loaded_ms = sqlite3_column_int64 (stmt, 3);
      g_ptr_array_add (rows, row);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      hearth_store_set_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&rows);
}
