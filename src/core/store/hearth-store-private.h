/* hearth-store-private.h — what the store's files share, and what modules
 * that keep their own tables in the history database (resource samples,
 * benchmark runs) reach it through
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "hearth-sqlite.h"
#include "hearth-store.h"

G_BEGIN_DECLS

/* The store's connection; main thread only, like the store itself. */
sqlite3  *hearth_store_get_db    (HearthStore  *self);
/* Words a failed SQLite call as the store does, in HEARTH_STORE_ERROR. */
void      hearth_store_set_error (HearthStore  *self,
                                  int           rc,
                                  GError      **error);

/* A statement prepared for one call, to sqlite3_finalize () after; NULL
 * with @error set as the store words it. */
sqlite3_stmt *hearth_store_prepare  (HearthStore  *self,
                                     const char   *sql,
                                     GError      **error);
/* Runs @sql (no rows); FALSE with @error set. */
gboolean  hearth_store_exec         (HearthStore  *self,
                                     const char   *sql,
                                     GError      **error);

/* The rest is for the store's own files. */

typedef enum
{
  STMT_USER_VERSION,
  STMT_CREATE_CONVERSATION,
  STMT_RENAME_CONVERSATION,
  STMT_DELETE_CONVERSATION,
  STMT_GET_CONVERSATION,
  STMT_PEEK_CONVERSATION,
  STMT_LIST_CONVERSATIONS,
  STMT_ADD_MESSAGE,
  STMT_UPDATE_MESSAGE,
  STMT_LIST_MESSAGES,
  STMT_SEARCH,
  STMT_DELETE_MESSAGES_FROM,
  STMT_DELETE_MESSAGE,
  STMT_MODEL_SPEEDS,
  STMT_LIST_REQUEST_ROWS,
  STMT_APPEND_CHUNK,
  STMT_UPDATE_STATUS,
  STMT_DELETE_CHUNKS,
  STMT_LIST_CHUNKS,
  STMT_FIND_API_CONVERSATION,
  STMT_CREATE_API_CONVERSATION,
  N_STATEMENTS
} StatementId;

struct _HearthStore
{
  GObject        parent_instance;

  char          *path;
  sqlite3       *db;
  sqlite3_stmt  *statements[N_STATEMENTS];
  int            schema_version;
  gboolean       read_only;      /* opened read-only: the file or folder is not writable */
  gboolean       after_full;     /* a write met a full disk: shrink the WAL once one works */
};

typedef gpointer (*RowFunc) (sqlite3_stmt *stmt);

/* hearth-store.c */
HearthSqliteStatement *_hearth_store_statement        (HearthStore     *self,
                                                       StatementId      id,
                                                       GError         **error);
GPtrArray             *_hearth_store_collect          (HearthStore     *self,
                                                       sqlite3_stmt    *stmt,
                                                       RowFunc          row_func,
                                                       GDestroyNotify   free_func,
                                                       GError         **error);
HearthMessage         *_hearth_store_message_from_row (sqlite3_stmt    *stmt);
void                   _hearth_store_bind_status      (sqlite3_stmt    *stmt,
                                                       const HearthMessage *message);
void                   _hearth_store_shrink_log_after_full (HearthStore *self);
gboolean               _hearth_store_step_done        (HearthStore     *self,
                                                       sqlite3_stmt    *stmt,
                                                       GError         **error);
/* What an id did not name, so that each has its own sentence */
typedef enum
{
  HEARTH_STORE_MISSING_CONVERSATION,
  HEARTH_STORE_MISSING_MESSAGE,
  HEARTH_STORE_MISSING_SET_ANSWER,
} HearthStoreMissing;

gboolean               _hearth_store_set_not_found    (GError         **error,
                                                       HearthStoreMissing what,
                                                       gint64           id);

/* hearth-store-stream.c */
gboolean               _hearth_store_savepoint        (HearthStore     *self,
                                                       GError         **error);
gboolean               _hearth_store_release          (HearthStore     *self,
                                                       gboolean         ok,
                                                       GError         **error);
gboolean               _hearth_store_forget_chunks    (HearthStore     *self,
                                                       gint64           message_id,
                                                       GError         **error);
gboolean               _hearth_store_add_chunks       (HearthStore     *self,
                                                       GPtrArray       *messages,
                                                       GError         **error);

/* hearth-store-snippet.c */
gboolean               _hearth_store_add_snippet_function (HearthStore *self,
                                                           GError     **error);

/* hearth-store-schema.c */
gboolean               _hearth_store_open_db          (HearthStore     *self,
                                                       GError         **error);

G_END_DECLS
