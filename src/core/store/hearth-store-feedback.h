/* hearth-store-feedback.h — ratings, compare picks and the pairs they make,
 * as the history keeps them (table feedback, messages.set_* and .pick)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only the user's own history counts (conversations of kind 'chat', never
 * the gateway's hidden one). A reply's question is the set's question for
 * an answer of a set, else the last user message before it.
 */
#pragma once

#include "hearth-feedback.h"
#include "hearth-store.h"

G_BEGIN_DECLS

/* One preference pair: @prompt answered well (@chosen) and worse (@rejected). */
typedef struct
{
  gint64       chosen_id;
  gint64       rejected_id;
  char        *prompt;
  char        *chosen;
  char        *rejected;
  char        *chosen_model;
  char        *rejected_model;
  const char  *source;       /* "compare" (a user's pick) or "ratings" (up against down) */
  gint64       created_ms;   /* the pick's reply, or the later of the two ratings */
} HearthFeedbackPair;

/* One rated reply with its question. */
typedef struct
{
  gint64  message_id;
  char   *prompt;
  char   *response;
  char   *model;
  char   *server;            /* or NULL */
  int     rating;            /* +1 or -1 */
  char   *note;              /* or NULL */
  char   *kind;
  gint64  created_ms;        /* when it was rated */
  gint64  question_id;       /* 0 when no question came before it */
} HearthRatedReply;

void       hearth_feedback_pair_free       (HearthFeedbackPair *pair);
void       hearth_rated_reply_free         (HearthRatedReply   *reply);

/* What a rating needs to know of @message_id: its role and set role
 * (NULL outside a set) and whether it is in the user's history. FALSE
 * with HEARTH_STORE_ERROR_NOT_FOUND when there is no such message. */
gboolean   hearth_store_describe_message   (HearthStore   *self,
                                            gint64         message_id,
                                            char         **role,
                                            char         **set_role,
                                            gboolean      *in_history,
                                            GError       **error);
/* Rates @message_id (+1 or -1) with @note (NULL or "": none), counted
 * under its question's kind, computed now (hearth_feedback_kind_of ());
 * 0 takes the rating back. The caller checks the message (above). */
gboolean   hearth_store_set_rating         (HearthStore   *self,
                                            gint64         message_id,
                                            int            rating,
                                            const char    *note,
                                            GError       **error);
/* @message_id's rating, or NULL (no error) when it has none. */
HearthRating *
           hearth_store_get_rating         (HearthStore   *self,
                                            gint64         message_id,
                                            GError       **error);

/* HearthModelRecord: for @kind only (its records, by model), or with @kind
 * NULL per model and kind then per model for "all" (by model, then kind,
 * "all" last). Ratings given and picks made since @since_ms count. */
GPtrArray *hearth_store_list_model_records (HearthStore   *self,
                                            const char    *kind,
                                            gint64         since_ms,
                                            GError       **error);
/* Every model's records, the thumbs given, the picks made and the pairs an
 * export would write, since @since_ms. */
HearthFeedbackStats *
           hearth_store_feedback_stats     (HearthStore   *self,
                                            gint64         since_ms,
                                            GError       **error);
/* HearthFeedbackPair, oldest first: a user's compare pick against each
 * other candidate of its set that finished with text (dated by the kept
 * answer), and every reply rated up against every reply to the same
 * question rated down (dated by the later rating; a pair a pick already
 * gave is not repeated). Replies without text are left out. */
GPtrArray *hearth_store_list_feedback_pairs (HearthStore  *self,
                                             gint64        since_ms,
                                             GError      **error);
/* HearthRatedReply, oldest rating first; replies without text are left out. */
GPtrArray *hearth_store_list_rated_replies (HearthStore   *self,
                                            gint64         since_ms,
                                            GError       **error);

G_END_DECLS
