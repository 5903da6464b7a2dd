/* hearth-store-feedback.c — ratings, compare picks, the records they add up
 * to and the pairs they make
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-store"

#include "hearth-answer-set.h"
#include "hearth-store-feedback.h"
#include "hearth-store-private.h"

/* Only the user's own conversations: the gateway's hidden one is other
 * programs' requests, never the user's judgement. */
#define IN_HISTORY "(SELECT c.kind FROM conversations AS c WHERE c.id = m.conversation_id) = 'chat'"

/* A reply's question: its set's, else the last user message before it. */
#define QUESTION_OF(m) \
  "coalesce (" m ".set_question, (SELECT max (q.id) FROM messages AS q" \
  " WHERE q.conversation_id = " m ".conversation_id AND q.role = 'user' AND q.id < " m ".id))"

/* The messages before a question that are the conversation's context: not
 * the answers of a set that were not kept, nor a judge's verdict. */
#define EARLIER_OF(q) \
  "(SELECT count (*) FROM messages AS e WHERE e.conversation_id = " q ".conversation_id" \
  " AND e.id < " q ".id AND (e.pick IS NULL OR e.pick > 0))"

static const char describe_sql[] =
  "SELECT m.role, m.set_role, " IN_HISTORY " FROM messages AS m WHERE m.id = :id";

static const char question_sql[] =
  "SELECT q.content, " EARLIER_OF ("q") " FROM messages AS m"
  " JOIN messages AS q ON q.id = " QUESTION_OF ("m") " WHERE m.id = :id";

static const char rate_sql[] =
  "INSERT INTO feedback (message_id, rating, note, kind, created_ms)"
  " VALUES (:id, :rating, :note, :kind, :created_ms)"
  " ON CONFLICT (message_id) DO UPDATE SET rating = excluded.rating, note = excluded.note,"
  " kind = excluded.kind, created_ms = excluded.created_ms";

static const char unrate_sql[] =
  "DELETE FROM feedback WHERE message_id = :id";

static const char get_rating_sql[] =
  "SELECT rating, note, created_ms FROM feedback WHERE message_id = :id";

/* Thumbs per model and kind. */
static const char thumbs_sql[] =
  "SELECT m.model, f.kind, sum (f.rating > 0), sum (f.rating < 0)"
  " FROM feedback AS f JOIN messages AS m ON m.id = f.message_id"
  " WHERE " IN_HISTORY " AND f.created_ms >= :since AND m.model IS NOT NULL AND m.model != ''"
  "  AND (:kind IS NULL OR f.kind = :kind)"
  " GROUP BY m.model, f.kind";

#define CANDIDATE "'" HEARTH_SET_ROLE_CANDIDATE "'"
/* Kept by the user ("Use this answer"): pick 2, HEARTH_PICK_USER. Only
 * a set's answers have a set_question: the partial index messages_by_set
 * finds them without reading the whole history. */
#define PICKED "m.set_question IS NOT NULL AND m.pick = 2 AND m.set_role = " CANDIDATE
G_STATIC_ASSERT (HEARTH_PICK_USER == 2);

/* A user's pick against each other candidate of its set that finished
 * with text: one win for the kept model, one loss for the other. */
#define PICK_JOINS \
  " FROM messages AS m" \
  " JOIN messages AS o ON o.set_question = m.set_question AND o.id != m.id" \
  " JOIN messages AS q ON q.id = m.set_question" \
  " WHERE " PICKED " AND " IN_HISTORY \
  "  AND o.set_role = " CANDIDATE " AND o.state = 'complete' AND o.content != ''" \
  "  AND m.created_ms >= :since"

static const char picks_sql[] =
  "SELECT m.model, o.model, q.id, q.content, " EARLIER_OF ("q") PICK_JOINS;

static const char counts_sql[] =
  "SELECT (SELECT count (*) FROM feedback AS f JOIN messages AS m ON m.id = f.message_id"
  "        WHERE " IN_HISTORY " AND f.created_ms >= :since),"
  "       (SELECT count (*) FROM messages AS m"
  "        WHERE " PICKED " AND " IN_HISTORY
  "         AND m.created_ms >= :since)";

static const char compare_pairs_sql[] =
  "SELECT m.id, o.id, q.content, m.content, o.content, m.model, o.model, m.created_ms"
  PICK_JOINS " AND m.content != ''"
  " ORDER BY m.created_ms, m.id, o.id";

static const char rated_sql[] =
  "SELECT m.id, m.content, m.model, m.server, f.rating, f.note, f.kind, f.created_ms,"
  " " QUESTION_OF ("m") ","
  " (SELECT q.content FROM messages AS q WHERE q.id = " QUESTION_OF ("m") ")"
  " FROM feedback AS f JOIN messages AS m ON m.id = f.message_id"
  " WHERE " IN_HISTORY " AND m.content != '' AND f.created_ms >= :since"
  " ORDER BY f.created_ms, m.id";

void
hearth_feedback_pair_free (HearthFeedbackPair *pair)
{
  if (pair == NULL)
    return;
  g_free (pair->prompt);
  g_free (pair->chosen);
  g_free (pair->rejected);
  g_free (pair->chosen_model);
  g_free (pair->rejected_model);
  g_free (pair);
}

void
hearth_rated_reply_free (HearthRatedReply *reply)
{
  if (reply == NULL)
    return;
  g_free (reply->prompt);
  g_free (reply->response);
  g_free (reply->model);
  g_free (reply->server);
  g_free (reply->note);
  g_free (reply->kind);
  g_free (reply);
}

/* Ends @stmt: TRUE when it ran to the end, else @error as the store words it. */
static gboolean
finish (HearthStore   *self,
        sqlite3_stmt  *stmt,
        int            rc,
        GError       **error)
{
  sqlite3_finalize (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  hearth_store_set_error (self, rc, error);
  return FALSE;
}

/* Rating */

gboolean
hearth_store_describe_message (HearthStore  *self,
                               gint64        message_id,
                               char        **role,
                               char        **set_role,
                               gboolean     *in_history,
                               GError      **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (HEARTH_IS_STORE (self), FALSE);

  if ((stmt = hearth_store_prepare (self, describe_sql, error)) == NULL)
    return FALSE;
  hearth_sqlite_bind_int64 (stmt, ":id", message_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (!finish (self, stmt, rc, error))
        return FALSE;
      return _hearth_store_set_not_found (error, HEARTH_STORE_MISSING_MESSAGE, message_id);
    }
  if (role != NULL)
    *role = hearth_sqlite_column_text (stmt, 0);
  if (set_role != NULL)
    *set_role = hearth_sqlite_column_text (stmt, 1);
  if (in_history != NULL)
    *in_history = sqlite3_column_int (stmt, 2) != 0;
  sqlite3_finalize (stmt);
  return TRUE;
}

/* The kind of @message_id's question as "auto" would have routed it; a
 * reply with no question before it counts as "default". */
static char *
kind_of_reply (HearthStore  *self,
               gint64        message_id,
               GError      **error)
{
  g_autofree char *question = NULL;
  guint earlier = 0;
  sqlite3_stmt *stmt;
  int rc;

  if ((stmt = hearth_store_prepare (self, question_sql, error)) == NULL)
    return NULL;
  hearth_sqlite_bind_int64 (stmt, ":id", message_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      question = hearth_sqlite_column_text (stmt, 0);
      earlier = (guint) sqlite3_column_int64 (stmt, 1);
      rc = sqlite3_step (stmt);
    }
  if (!finish (self, stmt, rc, error))
    return NULL;
  return g_strdup (hearth_feedback_kind_of (question, earlier));
}

gboolean
hearth_store_set_rating (HearthStore  *self,
                         gint64        message_id,
                         int           rating,
                         const char   *note,
                         GError      **error)
{
  g_autofree char *kind = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (HEARTH_IS_STORE (self), FALSE);
  g_return_val_if_fail (rating >= -1 && rating <= 1, FALSE);

  if (rating == 0)
    {
      if ((stmt = hearth_store_prepare (self, unrate_sql, error)) == NULL)
        return FALSE;
      hearth_sqlite_bind_int64 (stmt, ":id", message_id);
      return finish (self, stmt, hearth_sqlite_step_done (stmt), error);
    }

  if ((kind = kind_of_reply (self, message_id, error)) == NULL)
    return FALSE;
  if ((stmt = hearth_store_prepare (self, rate_sql, error)) == NULL)
    return FALSE;
  hearth_sqlite_bind_int64 (stmt, ":id", message_id);
  hearth_sqlite_bind_int64 (stmt, ":rating", rating);
  hearth_sqlite_bind_text (stmt, ":note", note != NULL && *note != '\0' ? note : NULL);
  hearth_sqlite_bind_text (stmt, ":kind", kind);
  hearth_sqlite_bind_int64 (stmt, ":created_ms", g_get_real_time () / 1000);
  rc = hearth_sqlite_step_done (stmt);
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    {
      sqlite3_finalize (stmt);
      return _hearth_store_set_not_found (error, HEARTH_STORE_MISSING_MESSAGE, message_id);
    }
  return finish (self, stmt, rc, error);
}

HearthRating *
hearth_store_get_rating (HearthStore  *self,
                         gint64        message_id,
                         GError      **error)
{
  g_autoptr(HearthRating) rating = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (HEARTH_IS_STORE (self), NULL);

  if ((stmt = hearth_store_prepare (self, get_rating_sql, error)) == NULL)
    return NULL;
  hearth_sqlite_bind_int64 (stmt, ":id", message_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      rating = g_new0 (HearthRating, 1);
      rating->message_id = message_id;
      rating->rating = sqlite3_column_int (stmt, 0);
      rating->note = hearth_sqlite_column_text (stmt, 1);
      rating->created_ms = sqlite3_column_int64 (stmt, 2);
      rc = sqlite3_step (stmt);
    }
  if (!finish (self, stmt, rc, error))
    return NULL;
  return g_steal_pointer (&rating);
}

/* Records */

static HearthModelRecord *
record_for (GHashTable *records,
            const char *model,
            const char *kind)
{
  g_autofree char *key = g_strdup_printf ("%s\n%s", model, kind);
  HearthModelRecord *record = g_hash_table_lookup (records, key);

  if (record == NULL)
    {
      record = g_new0 (HearthModelRecord, 1);
      record->model = g_strdup (model);
      record->kind = g_strdup (kind);
      g_hash_table_insert (records, g_steal_pointer (&key), record);
    }
  return record;
}

static gboolean
add_thumbs (HearthStore  *self,
            GHashTable   *records,
            const char   *kind,
            gint64        since_ms,
            GError      **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if ((stmt = hearth_store_prepare (self, thumbs_sql, error)) == NULL)
    return FALSE;
  hearth_sqlite_bind_int64 (stmt, ":since", since_ms);
  hearth_sqlite_bind_text (stmt, ":kind", kind);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      HearthModelRecord *record = record_for (records,
                                              (const char *) sqlite3_column_text (stmt, 0),
                                              (const char *) sqlite3_column_text (stmt, 1));

      record->ups += (guint) sqlite3_column_int64 (stmt, 2);
      record->downs += (guint) sqlite3_column_int64 (stmt, 3);
    }
  return finish (self, stmt, rc, error);
}

/* Picks have no row of their own: their kind is their question's, worked
 * out here by the same rule a rating's is (once per question). */
static gboolean
add_picks (HearthStore  *self,
           GHashTable   *records,
           const char   *kind,
           gint64        since_ms,
           GError      **error)
{
  g_autoptr(GHashTable) kinds = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  sqlite3_stmt *stmt;
  int rc;

  if ((stmt = hearth_store_prepare (self, picks_sql, error)) == NULL)
    return FALSE;
  hearth_sqlite_bind_int64 (stmt, ":since", since_ms);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *winner = (const char *) sqlite3_column_text (stmt, 0);
      const char *loser = (const char *) sqlite3_column_text (stmt, 1);
      gint64 question_id = sqlite3_column_int64 (stmt, 2);
      const char *question_kind = g_hash_table_lookup (kinds, &question_id);

      if (question_kind == NULL)
        {
          question_kind = hearth_feedback_kind_of ((const char *) sqlite3_column_text (stmt, 3),
                                                   (guint) sqlite3_column_int64 (stmt, 4));
          g_hash_table_insert (kinds, g_memdup2 (&question_id, sizeof question_id),
                               (gpointer) question_kind);
        }
      if (kind != NULL && g_strcmp0 (kind, question_kind) != 0)
        continue;
      if (winner != NULL && *winner != '\0')
        record_for (records, winner, question_kind)->pick_wins++;
      if (loser != NULL && *loser != '\0')
        record_for (records, loser, question_kind)->pick_losses++;
    }
  return finish (self, stmt, rc, error);
}

static void
record_add_up (HearthModelRecord *record)
{
  record->wins = record->ups + record->pick_wins;
  record->losses = record->downs + record->pick_losses;
  record->rate = record->wins + record->losses > 0
                 ? (double) record->wins / (record->wins + record->losses) : -1;
}

/* By model, then kind, with a model's "all" after its kinds. */
static int
compare_records (gconstpointer a,
                 gconstpointer b)
{
  const HearthModelRecord *ra = *(HearthModelRecord * const *) a;
  const HearthModelRecord *rb = *(HearthModelRecord * const *) b;
  gboolean a_all = g_str_equal (ra->kind, "all"), b_all = g_str_equal (rb->kind, "all");
  int by_model = g_strcmp0 (ra->model, rb->model);

  if (by_model != 0)
    return by_model;
  if (a_all != b_all)
    return a_all ? 1 : -1;
  return g_strcmp0 (ra->kind, rb->kind);
}

/* Moves every record of @records (emptied) to @list, added up. */
static void
move_records (GHashTable *records,
              GPtrArray  *list)
{
  GHashTableIter iter;
  HearthModelRecord *record;
  char *key;

  g_hash_table_iter_init (&iter, records);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, (gpointer *) &record))
    {
      /* Stealing takes the key too: the record is kept, the key is not. */
      g_hash_table_iter_steal (&iter);
      g_free (key);
      record_add_up (record);
      g_ptr_array_add (list, record);
    }
}

GPtrArray *
hearth_store_list_model_records (HearthStore  *self,
                                 const char   *kind,
                                 gint64        since_ms,
                                 GError      **error)
{
  g_autoptr(GHashTable) records = NULL;
  g_autoptr(GHashTable) totals = NULL;
  g_autoptr(GPtrArray) list = NULL;
  GHashTableIter iter;
  HearthModelRecord *record;

  g_return_val_if_fail (HEARTH_IS_STORE (self), NULL);

  records = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) hearth_model_record_free);
  if (!add_thumbs (self, records, kind, since_ms, error)
      || !add_picks (self, records, kind, since_ms, error))
    return NULL;

  totals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                  (GDestroyNotify) hearth_model_record_free);
  g_hash_table_iter_init (&iter, records);
  while (kind == NULL && g_hash_table_iter_next (&iter, NULL, (gpointer *) &record))
    {
      HearthModelRecord *all = record_for (totals, record->model, "all");

      all->ups += record->ups;
      all->downs += record->downs;
      all->pick_wins += record->pick_wins;
      all->pick_losses += record->pick_losses;
    }
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_model_record_free);
  move_records (records, list);
  move_records (totals, list);
  g_ptr_array_sort (list, compare_records);
  return g_steal_pointer (&list);
}

/* Rated replies and pairs */

static GPtrArray *
list_rated (HearthStore  *self,
            gint64        since_ms,
            GError      **error)
{
  g_autoptr(GPtrArray) replies = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if ((stmt = hearth_store_prepare (self, rated_sql, error)) == NULL)
    return NULL;
  hearth_sqlite_bind_int64 (stmt, ":since", since_ms);
  replies = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_rated_reply_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      HearthRatedReply *reply = g_new0 (HearthRatedReply, 1);

      reply->message_id = sqlite3_column_int64 (stmt, 0);
      reply->response = hearth_sqlite_column_text (stmt, 1);
      reply->model = hearth_sqlite_column_text (stmt, 2);
      reply->server = hearth_sqlite_column_text (stmt, 3);
      reply->rating = sqlite3_column_int (stmt, 4) > 0 ? 1 : -1;
      reply->note = hearth_sqlite_column_text (stmt, 5);
      reply->kind = hearth_sqlite_column_text (stmt, 6);
      reply->created_ms = sqlite3_column_int64 (stmt, 7);
      reply->question_id = sqlite3_column_int64 (stmt, 8);
      reply->prompt = hearth_sqlite_column_text (stmt, 9);
      if (reply->prompt == NULL)
        reply->prompt = g_strdup ("");
      g_ptr_array_add (replies, reply);
    }
  if (!finish (self, stmt, rc, error))
    return NULL;
  return g_steal_pointer (&replies);
}

/* Returns: (transfer container) (element-type HearthRatedReply) */
GPtrArray *
hearth_store_list_rated_replies (HearthStore  *self,
                                 gint64        since_ms,
                                 GError      **error)
{
  g_return_val_if_fail (HEARTH_IS_STORE (self), NULL);

  return list_rated (self, since_ms, error);
}

static HearthFeedbackPair *
pair_new (gint64      chosen_id,
          gint64      rejected_id,
          const char *source,
          gint64      created_ms)
{
  HearthFeedbackPair *pair = g_new0 (HearthFeedbackPair, 1);

  pair->chosen_id = chosen_id;
  pair->rejected_id = rejected_id;
  pair->source = source;
  pair->created_ms = created_ms;
  return pair;
}

static gboolean
add_compare_pairs (HearthStore  *self,
                   GPtrArray    *pairs,
                   gint64        since_ms,
                   GError      **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if ((stmt = hearth_store_prepare (self, compare_pairs_sql, error)) == NULL)
    return FALSE;
  hearth_sqlite_bind_int64 (stmt, ":since", since_ms);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      HearthFeedbackPair *pair = pair_new (sqlite3_column_int64 (stmt, 0),
                                           sqlite3_column_int64 (stmt, 1), "compare",
                                           sqlite3_column_int64 (stmt, 7));

      pair->prompt = hearth_sqlite_column_text (stmt, 2);
      pair->chosen = hearth_sqlite_column_text (stmt, 3);
      pair->rejected = hearth_sqlite_column_text (stmt, 4);
      pair->chosen_model = hearth_sqlite_column_text (stmt, 5);
      pair->rejected_model = hearth_sqlite_column_text (stmt, 6);
      g_ptr_array_add (pairs, pair);
    }
  return finish (self, stmt, rc, error);
}

static char *
pair_key (gint64 chosen_id,
          gint64 rejected_id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT " %" G_GINT64_FORMAT, chosen_id, rejected_id);
}

/* Every reply rated up against every other reply to the same question
 * rated down; the pair dates from the later of the two ratings. */
static gboolean
add_rating_pairs (HearthStore  *self,
                  GPtrArray    *pairs,
                  gint64        since_ms,
                  GError      **error)
{
  g_autoptr(GPtrArray) rated = list_rated (self, 0, error);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) downs = NULL;

  if (rated == NULL)
    return FALSE;
  for (guint i = 0; i < pairs->len; i++)
    {
      HearthFeedbackPair *pair = g_ptr_array_index (pairs, i);

      g_hash_table_add (seen, pair_key (pair->chosen_id, pair->rejected_id));
    }

  /* The downs by question, so that each up meets only its own question's. */
  downs = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                 (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < rated->len; i++)
    {
      HearthRatedReply *down = g_ptr_array_index (rated, i);
      GPtrArray *list;

      if (down->rating >= 0 || down->question_id <= 0)
        continue;
      if ((list = g_hash_table_lookup (downs, &down->question_id)) == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (downs, &down->question_id, list);
        }
      g_ptr_array_add (list, down);
    }

  for (guint i = 0; i < rated->len; i++)
    {
      HearthRatedReply *up = g_ptr_array_index (rated, i);
      GPtrArray *list;

      if (up->rating <= 0 || (list = g_hash_table_lookup (downs, &up->question_id)) == NULL)
        continue;
      for (guint j = 0; j < list->len; j++)
        {
          HearthRatedReply *down = g_ptr_array_index (list, j);
          gint64 created_ms = MAX (up->created_ms, down->created_ms);
          HearthFeedbackPair *pair;

          if (created_ms < since_ms
              || !g_hash_table_add (seen, pair_key (up->message_id, down->message_id)))
            continue;
          pair = pair_new (up->message_id, down->message_id, "ratings", created_ms);
          pair->prompt = g_strdup (up->prompt);
          pair->chosen = g_strdup (up->response);
          pair->rejected = g_strdup (down->response);
          pair->chosen_model = g_strdup (up->model);
          pair->rejected_model = g_strdup (down->model);
          g_ptr_array_add (pairs, pair);
        }
    }
  return TRUE;
}

static int
compare_pairs (gconstpointer a,
               gconstpointer b)
{
  const HearthFeedbackPair *pa = *(HearthFeedbackPair * const *) a;
  const HearthFeedbackPair *pb = *(HearthFeedbackPair * const *) b;

  if (pa->created_ms != pb->created_ms)
    return pa->created_ms < pb->created_ms ? -1 : 1;
  if (pa->chosen_id != pb->chosen_id)
    return pa->chosen_id < pb->chosen_id ? -1 : 1;
  if (pa->rejected_id != pb->rejected_id)
    return pa->rejected_id < pb->rejected_id ? -1 : 1;
  return 0;
}

/* Returns: (transfer container) (element-type HearthFeedbackPair) */
GPtrArray *
hearth_store_list_feedback_pairs (HearthStore  *self,
                                  gint64        since_ms,
                                  GError      **error)
{
  g_autoptr(GPtrArray) pairs = NULL;

  g_return_val_if_fail (HEARTH_IS_STORE (self), NULL);

  pairs = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_feedback_pair_free);
  if (!add_compare_pairs (self, pairs, since_ms, error)
      || !add_rating_pairs (self, pairs, since_ms, error))
    return NULL;
  g_ptr_array_sort (pairs, compare_pairs);
  return g_steal_pointer (&pairs);
}

/* Stats */

HearthFeedbackStats *
hearth_store_feedback_stats (HearthStore  *self,
                             gint64        since_ms,
                             GError      **error)
{
  g_autoptr(HearthFeedbackStats) stats = g_new0 (HearthFeedbackStats, 1);
  g_autoptr(GPtrArray) pairs = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (HEARTH_IS_STORE (self), NULL);

  if ((stats->records = hearth_store_list_model_records (self, NULL, since_ms, error)) == NULL)
    return NULL;
  if ((stmt = hearth_store_prepare (self, counts_sql, error)) == NULL)
    return NULL;
  hearth_sqlite_bind_int64 (stmt, ":since", since_ms);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      stats->ratings = (guint) sqlite3_column_int64 (stmt, 0);
      stats->picks = (guint) sqlite3_column_int64 (stmt, 1);
      rc = sqlite3_step (stmt);
    }
  if (!finish (self, stmt, rc, error))
    return NULL;
  if ((pairs = hearth_store_list_feedback_pairs (self, since_ms, error)) == NULL)
    return NULL;
  stats->pairs = pairs->len;
  return g_steal_pointer (&stats);
}
