/* hearth-sqlite.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "hearth-types.h"

G_BEGIN_DECLS

/* What a failed call means to the person using Hearth; each module words it
 * in its own error domain. */
typedef enum
{
  HEARTH_SQLITE_FAILURE_OTHER,
  HEARTH_SQLITE_FAILURE_BUSY,
  HEARTH_SQLITE_FAILURE_READ_ONLY,
  HEARTH_SQLITE_FAILURE_CORRUPT,
  HEARTH_SQLITE_FAILURE_FULL,
  HEARTH_SQLITE_FAILURE_IO,
} HearthSqliteFailure;

/* A statement borrowed from a module's array of prepared statements;
 * g_autoptr() hands it back reset, so a finished read never keeps the WAL
 * snapshot open. */
typedef sqlite3_stmt HearthSqliteStatement;

void                 hearth_sqlite_statement_release  (HearthSqliteStatement  *stmt);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthSqliteStatement, hearth_sqlite_statement_release)

HearthSqliteFailure  hearth_sqlite_classify           (int                     rc);
const char          *hearth_sqlite_describe           (sqlite3                *db,
                                                       int                     rc);

HearthSqliteStatement *
                     hearth_sqlite_statement          (sqlite3                *db,
                                                       sqlite3_stmt          **slot,
                                                       const char             *sql,
                                                       int                    *rc);
int                  hearth_sqlite_step_done          (sqlite3_stmt           *stmt);
void                 hearth_sqlite_close              (sqlite3               **db,
                                                       sqlite3_stmt          **statements,
                                                       guint                   n_statements);

void                 hearth_sqlite_bind_text          (sqlite3_stmt           *stmt,
                                                       const char             *name,
                                                       const char             *value);
void                 hearth_sqlite_bind_int64         (sqlite3_stmt           *stmt,
                                                       const char             *name,
                                                       gint64                  value);
void                 hearth_sqlite_bind_double        (sqlite3_stmt           *stmt,
                                                       const char             *name,
                                                       double                  value);
/* Figures: a negative (or not finite) value is unknown, NULL in the table,
 * and NULL reads back as -1. */
void                 hearth_sqlite_bind_count         (sqlite3_stmt           *stmt,
                                                       const char             *name,
                                                       gint64                  value);
void                 hearth_sqlite_bind_measure       (sqlite3_stmt           *stmt,
                                                       const char             *name,
                                                       double                  value);
gint64               hearth_sqlite_column_count       (sqlite3_stmt           *stmt,
                                                       int                     column);
double               hearth_sqlite_column_measure     (sqlite3_stmt           *stmt,
                                                       int                     column);
void                 hearth_sqlite_bind_figures       (sqlite3_stmt           *stmt,
                                                       const HearthFigures    *figures);

char                *hearth_sqlite_column_text        (sqlite3_stmt           *stmt,
                                                       int                     column);
void                 hearth_sqlite_column_figures     (sqlite3_stmt           *stmt,
                                                       int                     first_column,
                                                       HearthFigures          *figures);

G_END_DECLS
