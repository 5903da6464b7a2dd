/* hearth-store-snippet.c — search snippets of long messages, in time linear in their size
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * FTS5's snippet() scores a window at every match against every other match:
 * quadratic in the matches of a message (a 4 MB reply full of the word took
 * minutes). hearth_snippet() makes the same kind of snippet (the match
 * between the open and close marks, an ellipsis where the text goes on, the
 * same window length in tokens) from the best of the first few matches, and
 * tokenizes the text only up to the end of that window.
 */
#define G_LOG_DOMAIN "hearth-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hearth-store-private.h"

/* Windows tried: the first matches are where the reader looks first. */
#define MAX_CANDIDATES 64

enum
{
  MARK_OPENS  = 1 << 0,
  MARK_CLOSES = 1 << 1,
};

typedef struct
{
  const Fts5ExtensionApi *api;
  Fts5Context            *fts;
  int                     n_inst;
  int                     n_tokens;      /* the window's length */
  int                     doc_size;      /* tokens in the column */
  int                     last_candidate; /* offset of the last match tried */
  GArray                 *sentences;     /* token positions where sentences start */
} Matches;

typedef struct
{
  const char *text;
  int         len;
  int         start;          /* the window, in tokens */
  int         end;            /* one past it */
  int         position;       /* of the next token */
  int         first_byte;     /* where the window's text starts */
  int         last_byte;      /* where it ends */
  GArray     *marks;          /* (start byte, end byte, ends) of each matching token */
  const Matches *matches;
  int         next_inst;
  int         run_start;      /* the match run at or before the current token */
  int         run_end;
} Window;

static gboolean
inst_at (const Matches *m,
         int            i,
         int           *phrase,
         int           *offset)
{
  int column;

  return m->api->xInst (m->fts, i, phrase, &column, offset) == SQLITE_OK && column == 0;
}

/* FTS5's scoring of the window of n_tokens from @from: a phrase seen for
 * the first time in it is worth 1000, a repeat 1. @start, when given, is
 * the window moved to centre the matches it holds. */
static int
score_window (const Matches *m,
              int            from,
              int           *start)
{
  g_autofree guint8 *seen = g_new0 (guint8, m->api->xPhraseCount (m->fts));
  int phrase, offset, first_pos = -1, end_pos = 0, score = 0;

  for (int i = 0; i < m->n_inst && inst_at (m, i, &phrase, &offset); i++)
    {
      if (offset < from)
        continue;
      if (offset >= from + m->n_tokens)
        break;
      score += seen[phrase] ? 1 : 1000;
      seen[phrase] = 1;
      if (first_pos < 0)
        first_pos = offset;
      end_pos = offset + m->api->xPhraseSize (m->fts, phrase);
    }
  if (start == NULL)
    return score;
  *start = first_pos - (m->n_tokens - (end_pos - first_pos)) / 2;
  if (*start + m->n_tokens > m->doc_size)
    *start = m->doc_size - m->n_tokens;
  if (*start < 0)
    *start = 0;
  return score;
}

/* The sentence that holds @offset, if it starts before it: snippet() also
 * tries a window from there, worth a little more. */
static int
sentence_start_before (const Matches *m,
                       int            offset)
{
  int found = -1;

  for (guint i = 0; i < m->sentences->len; i++)
    {
      int start = g_array_index (m->sentences, int, i);

      if (start > offset)
        break;
      found = start;
    }
  return found >= 0 && found < offset ? found : -1;
}

static int
best_window_start (const Matches *m)
{
  int best_score = 0, best_start = 0;
  int phrase, offset;

  for (int i = 0; i < m->n_inst && i < MAX_CANDIDATES && inst_at (m, i, &phrase, &offset); i++)
    {
      int start = 0;
      int score = score_window (m, offset, &start);
      int sentence;

      if (score > best_score)
        {
          best_score = score;
          best_start = start;
        }
      if (m->doc_size <= m->n_tokens || (sentence = sentence_start_before (m, offset)) < 0)
        continue;
      score = score_window (m, sentence, NULL) + (sentence == 0 ? 120 : 100);
      if (score > best_score)
        {
          best_score = score;
          best_start = sentence;
        }
    }
  return best_start;
}

/* Sentences start at the first token and after a '.' or ':' that
 * whitespace follows; only those before the candidates are wanted. */
static int
sentence_token_cb (void       *user_data,
                   int         flags,
                   const char *token,
                   int         n_token,
                   int         start_byte,
                   int         end_byte)
{
  Window *w = user_data;
  Matches *m = (Matches *) w->matches;
  int position;
  int i;

  if (flags & FTS5_TOKEN_COLOCATED)
    return SQLITE_OK;
  position = w->position++;
  if (position > m->last_candidate)
    return SQLITE_DONE;
  for (i = start_byte - 1; i >= 0 && strchr (" \t\n\r", w->text[i]) != NULL; i--)
    ;
  if (position == 0 || (i != start_byte - 1 && i >= 0 && (w->text[i] == '.' || w->text[i] == ':')))
    g_array_append_val (m->sentences, position);
  return SQLITE_OK;
}

/* Whether the token at @position is in a match. Matches come in the order
 * of the text, so the search goes on from the last one; overlapping ones
 * make one run, as snippet() marks them. */
static gboolean
window_is_match (Window *w,
                 int     position)
{
  const Matches *m = w->matches;
  int phrase, offset;

  if (position <= w->run_end)
    return TRUE;
  for (; w->next_inst < m->n_inst; w->next_inst++)
    {
      if (!inst_at (m, w->next_inst, &phrase, &offset))
        continue;
      if (offset + m->api->xPhraseSize (m->fts, phrase) - 1 < position)
        continue;
      if (offset > position)
        return FALSE;
      w->run_start = offset;
      w->run_end = offset + m->api->xPhraseSize (m->fts, phrase) - 1;
      while (++w->next_inst < m->n_inst && inst_at (m, w->next_inst, &phrase, &offset) &&
             offset <= w->run_end)
        w->run_end = MAX (w->run_end, offset + m->api->xPhraseSize (m->fts, phrase) - 1);
      return TRUE;
    }
  return FALSE;
}

static int
window_token_cb (void       *user_data,
                 int         flags,
                 const char *token,
                 int         n_token,
                 int         start_byte,
                 int         end_byte)
{
  Window *w = user_data;
  int position;

  if (flags & FTS5_TOKEN_COLOCATED)
    return SQLITE_OK;
  position = w->position++;
  if (position < w->start)
    return SQLITE_OK;
  if (position >= w->end)
    return SQLITE_DONE;
  if (position == w->start && w->start > 0)
    w->first_byte = start_byte;
  w->last_byte = end_byte;
  /* (start byte, end byte, opens | closes) of each matching token */
  if (window_is_match (w, position))
    {
      int ends = (position == w->run_start || position == w->start ? MARK_OPENS : 0) |
                 (position == w->run_end || position == w->end - 1 ? MARK_CLOSES : 0);

      g_array_append_val (w->marks, start_byte);
      g_array_append_val (w->marks, end_byte);
      g_array_append_val (w->marks, ends);
    }
  return SQLITE_OK;
}

static int
mark (const Window *w,
      guint         i,
      guint         field)
{
  return g_array_index (w->marks, int, 3 * i + field);
}

/* The tokens of one run share one pair of marks. */
static void
append_highlighted (GString      *out,
                    const Window *w,
                    const char   *open,
                    const char   *close)
{
  guint n = w->marks->len / 3;
  int at = w->first_byte;

  for (guint i = 0; i < n; i++)
    {
      int start = mark (w, i, 0);
      int end = mark (w, i, 1);

      g_string_append_len (out, w->text + at, start - at);
      if (mark (w, i, 2) & MARK_OPENS)
        g_string_append (out, open);
      g_string_append_len (out, w->text + start, end - start);
      if (mark (w, i, 2) & MARK_CLOSES)
        g_string_append (out, close);
      at = end;
    }
  g_string_append_len (out, w->text + at, w->last_byte - at);
}

static int
find_sentences (Matches *m,
                Window  *w)
{
  int phrase;

  m->last_candidate = -1;
  for (int i = 0; i < m->n_inst && i < MAX_CANDIDATES; i++)
    inst_at (m, i, &phrase, &m->last_candidate);
  if (m->last_candidate < 0)
    return SQLITE_OK;
  return m->api->xTokenize (m->fts, w->text, w->len, w, sentence_token_cb);
}

/* hearth_snippet (table, column, open, close, ellipsis, tokens): as snippet(),
 * for column 0. */
static void
hearth_snippet (const Fts5ExtensionApi  *api,
                Fts5Context             *fts,
                sqlite3_context         *context,
                int                      n_args,
                sqlite3_value          **args)
{
  Matches m = { api, fts, 0, 0, 0, 0, NULL };
  Window w = { 0 };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GArray) marks = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GArray) sentences = g_array_new (FALSE, FALSE, sizeof (int));
  const char *open, *close, *ellipsis;
  int rc;

  if (n_args != 5)
    {
      sqlite3_result_error (context, "hearth_snippet: wrong number of arguments", -1);
      return;
    }
  open = (const char *) sqlite3_value_text (args[1]);
  close = (const char *) sqlite3_value_text (args[2]);
  ellipsis = (const char *) sqlite3_value_text (args[3]);
  m.n_tokens = MAX (1, sqlite3_value_int (args[4]));
  if (api->xInstCount (fts, &m.n_inst) != SQLITE_OK ||
      api->xColumnSize (fts, 0, &m.doc_size) != SQLITE_OK ||
      api->xColumnText (fts, 0, &w.text, &w.len) != SQLITE_OK || w.text == NULL)
    {
      sqlite3_result_null (context);
      return;
    }

  w.matches = &m;
  w.marks = marks;
  w.run_start = w.run_end = -1;
  m.sentences = sentences;
  rc = find_sentences (&m, &w);
  if (rc == SQLITE_OK || rc == SQLITE_DONE)
    {
      w.start = best_window_start (&m);
      w.end = w.start + m.n_tokens;
      w.position = 0;
      rc = api->xTokenize (fts, w.text, w.len, &w, window_token_cb);
    }
  if (rc != SQLITE_OK && rc != SQLITE_DONE)
    {
      sqlite3_result_error_code (context, rc);
      return;
    }
  if (w.start > 0)
    g_string_append (out, ellipsis ? ellipsis : "");
  append_highlighted (out, &w, open ? open : "", close ? close : "");
  /* As snippet() does: the rest of the text after the last token, or an ellipsis. */
  if (w.end >= m.doc_size)
    g_string_append_len (out, w.text + w.last_byte, w.len - w.last_byte);
  else
    g_string_append (out, ellipsis ? ellipsis : "");
  sqlite3_result_text (context, out->str, out->len, SQLITE_TRANSIENT);
}

static fts5_api *
fts5_api_from_db (sqlite3 *db)
{
  fts5_api *api = NULL;
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT fts5(?1)", -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_pointer (stmt, 1, (void *) &api, "fts5_api_ptr", NULL);
  sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return api;
}

/* Adds hearth_snippet() to the connection; FALSE with @error set. */
gboolean
_hearth_store_add_snippet_function (HearthStore  *self,
                                    GError      **error)
{
  fts5_api *api = fts5_api_from_db (self->db);
  int rc;

  if (api == NULL)
    {
      g_set_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_FAILED,
                   _("The history database %s cannot be searched: this SQLite has no "
                     "full-text search (FTS5)"), self->path);
      return FALSE;
    }
  rc = api->xCreateFunction (api, "hearth_snippet", NULL, hearth_snippet, NULL);
  if (rc != SQLITE_OK)
    {
      hearth_store_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}
