/* hearth-store-search.c — full-text search, and the reads over the replies' figures
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-store"

#include "hearth-store-private.h"

#define MAX_QUERY_WORDS   32

/* Requests */

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

  stmt = _hearth_store_statement (self, STMT_MODEL_SPEEDS, error);
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
      hearth_store_set_error (self, rc, error);
      return -1;
    }
  if (speeds->len == 0)
    return -1;
  g_array_sort (speeds, compare_doubles);
  return g_array_index (speeds, double, speeds->len / 2);
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

  stmt = _hearth_store_statement (self, STMT_LIST_REQUEST_ROWS, error);
  if (stmt == NULL)
    return NULL;
  hearth_sqlite_bind_int64 (stmt, ":since", since_ms);
  hearth_sqlite_bind_text (stmt, ":model", model);
  return _hearth_store_collect (self, stmt, (RowFunc) _hearth_store_message_from_row,
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

  stmt = _hearth_store_statement (self, STMT_SEARCH, error);
  if (stmt == NULL)
    return NULL;
  hearth_sqlite_bind_text (stmt, ":query", match);
  hearth_sqlite_bind_int64 (stmt, ":limit", limit > 0 ? (gint64) limit : -1);
  return _hearth_store_collect (self, stmt, (RowFunc) search_hit_from_row,
                                (GDestroyNotify) hearth_search_hit_free, error);
}

/* Records */

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
