/* hearth-sqlite.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-sqlite"

#include <math.h>

#include "hearth-sqlite.h"

void
hearth_sqlite_statement_release (HearthSqliteStatement *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

/* By primary code: extended codes (SQLITE_OPEN_EXRESCODE) keep it in the low byte. */
HearthSqliteFailure
hearth_sqlite_classify (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return HEARTH_SQLITE_FAILURE_BUSY;
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      return HEARTH_SQLITE_FAILURE_READ_ONLY;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return HEARTH_SQLITE_FAILURE_CORRUPT;
    case SQLITE_FULL:
      return HEARTH_SQLITE_FAILURE_FULL;
    case SQLITE_IOERR:
      return HEARTH_SQLITE_FAILURE_IO;
    default:
      return HEARTH_SQLITE_FAILURE_OTHER;
    }
}

/* The connection's own message says more than the code, when there is one. */
const char *
hearth_sqlite_describe (sqlite3 *db,
                        int      rc)
{
  return db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);
}

/**
 * hearth_sqlite_statement:
 * @slot: where the prepared statement is kept, for the life of @db
 * @rc: (out): SQLITE_OK, or why there is no statement
 *
 * Prepares @sql on first use, as a persistent statement.
 *
 * Returns: (transfer none) (nullable): the statement, or %NULL when @db is
 *   %NULL (SQLITE_MISUSE) or @sql cannot be prepared
 */
HearthSqliteStatement *
hearth_sqlite_statement (sqlite3       *db,
                         sqlite3_stmt **slot,
                         const char    *sql,
                         int           *rc)
{
  *rc = SQLITE_OK;
  if (db == NULL)
    {
      *rc = SQLITE_MISUSE;
      return NULL;
    }
  if (*slot == NULL)
    *rc = sqlite3_prepare_v3 (db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL);
  return *rc == SQLITE_OK ? *slot : NULL;
}

/* Runs a statement that returns no rows, or only the first one: SQLITE_DONE
 * on success. */
int
hearth_sqlite_step_done (sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

void
hearth_sqlite_close (sqlite3      **db,
                     sqlite3_stmt **statements,
                     guint          n_statements)
{
  for (guint i = 0; i < n_statements; i++)
    g_clear_pointer (&statements[i], sqlite3_finalize);
  g_clear_pointer (db, sqlite3_close);
}

static int
parameter_index (sqlite3_stmt *stmt,
                 const char   *name)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  g_assert (index > 0);
  return index;
}

void
hearth_sqlite_bind_text (sqlite3_stmt *stmt,
                         const char   *name,
                         const char   *value)
{
  sqlite3_bind_text (stmt, parameter_index (stmt, name), value, -1, SQLITE_STATIC);
}

void
hearth_sqlite_bind_int64 (sqlite3_stmt *stmt,
                          const char   *name,
                          gint64        value)
{
  sqlite3_bind_int64 (stmt, parameter_index (stmt, name), value);
}

void
hearth_sqlite_bind_double (sqlite3_stmt *stmt,
                           const char   *name,
                           double        value)
{
  sqlite3_bind_double (stmt, parameter_index (stmt, name), value);
}

/* Figures: negative means unknown, stored as NULL (a parameter left
 * unbound). */
void
hearth_sqlite_bind_count (sqlite3_stmt *stmt,
                          const char   *name,
                          gint64        value)
{
  if (value >= 0)
    hearth_sqlite_bind_int64 (stmt, name, value);
}

void
hearth_sqlite_bind_measure (sqlite3_stmt *stmt,
                            const char   *name,
                            double        value)
{
  int index = parameter_index (stmt, name);

  if (value >= 0 && isfinite (value))
    sqlite3_bind_double (stmt, index, value);
}

/* The parameters :tokens_in … :tokens_per_s and :from_server, as both the
 * history and the response cache name them. */
void
hearth_sqlite_bind_figures (sqlite3_stmt        *stmt,
                            const HearthFigures *figures)
{
  hearth_sqlite_bind_count (stmt, ":tokens_in", figures->tokens_in);
  hearth_sqlite_bind_count (stmt, ":tokens_out", figures->tokens_out);
  hearth_sqlite_bind_measure (stmt, ":ttft_ms", figures->ttft_ms);
  hearth_sqlite_bind_measure (stmt, ":total_ms", figures->total_ms);
  hearth_sqlite_bind_measure (stmt, ":load_ms", figures->load_ms);
  hearth_sqlite_bind_measure (stmt, ":prompt_tokens_per_s", figures->prompt_tokens_per_s);
  hearth_sqlite_bind_measure (stmt, ":tokens_per_s", figures->tokens_per_s);
  hearth_sqlite_bind_int64 (stmt, ":from_server", figures->from_server ? 1 : 0);
}

/* Text in the file may be anything another program or a damaged page wrote;
 * callers (labels, JSON) get valid UTF-8, with U+FFFD for what was not. */
char *
hearth_sqlite_column_text (sqlite3_stmt *stmt,
                           int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);
  int len = sqlite3_column_bytes (stmt, column);

  if (text == NULL)
    return NULL;
  if (g_utf8_validate_len (text, len, NULL))
    return g_strndup (text, len);
  return g_utf8_make_valid (text, len);
}

/* NULL, an unknown figure, reads back as -1. */
gint64
hearth_sqlite_column_count (sqlite3_stmt *stmt,
                            int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return -1;
  return sqlite3_column_int64 (stmt, column);
}

double
hearth_sqlite_column_measure (sqlite3_stmt *stmt,
                              int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return -1;
  return sqlite3_column_double (stmt, column);
}

/* Eight columns from @first_column: tokens_in, tokens_out, ttft_ms, total_ms,
 * load_ms, prompt_tokens_per_s, tokens_per_s, figures_from_server. */
void
hearth_sqlite_column_figures (sqlite3_stmt  *stmt,
                              int            first_column,
                              HearthFigures *figures)
{
  figures->tokens_in = hearth_sqlite_column_count (stmt, first_column);
  figures->tokens_out = hearth_sqlite_column_count (stmt, first_column + 1);
  figures->ttft_ms = hearth_sqlite_column_measure (stmt, first_column + 2);
  figures->total_ms = hearth_sqlite_column_measure (stmt, first_column + 3);
  figures->load_ms = hearth_sqlite_column_measure (stmt, first_column + 4);
  figures->prompt_tokens_per_s = hearth_sqlite_column_measure (stmt, first_column + 5);
  figures->tokens_per_s = hearth_sqlite_column_measure (stmt, first_column + 6);
  figures->from_server = sqlite3_column_int (stmt, first_column + 7) != 0;
}
