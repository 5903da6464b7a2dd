/* hearth-feedback.h — ratings, win rates, and the export for fine-tuning
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A rating is thumbs up (+1) or down (-1) on any reply of the user's
 * history, with an optional short note (≤ 500 characters), stored with the
 * message (table feedback, schema 10). A compare pick (HEARTH_PICK_USER)
 * is a win for the kept model against each other candidate of the set that
 * finished with text.
 *
 * Kinds: every rating and pick is counted under the kind of its question,
 * with the routing rules' vocabulary (hearth_route_kind_to_string ()):
 * "code" when it contains code, "long-prompt" at 1,500 characters or more,
 * "long-conversation" after 20 earlier messages, else "default"; the
 * first that holds, in that order (hearth_feedback_kind_of ()).
 *
 * A model's record for a kind: wins = ups + pick wins, losses = downs +
 * pick losses, rate = wins / (wins + losses). Routing may use them
 * (hearth_routes_set_use_ratings ()): for "auto", once at least two models
 * that can answer have HEARTH_FEEDBACK_MIN_RATINGS ratings for the
 * question's kind, the one with the best rate is asked instead of the
 * rule's choice when its rate is higher; the reply says so ("your ratings:
 * llama3.2:3b won 8 of 10 code questions").
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HEARTH_FEEDBACK_MIN_RATINGS 5
#define HEARTH_FEEDBACK_NOTE_MAX    500

/* One JSON object a line, always with exactly these keys; "created" is
 * UTC ISO 8601 with milliseconds ("2026-12-07T18:28:17.123Z"); "prompt"
 * is the question's text; "server" and "note" are null when unknown or
 * none. Replies without text are left out; only the user's own
 * conversations count (never the gateway's). */
typedef enum
{
  HEARTH_FEEDBACK_PAIRS,    /* {"prompt","chosen","rejected","chosen_model",
                             *  "rejected_model","source":"compare"|"ratings",
                             *  "created"} — what DPO trainers read: a user's
                             *  pick against each other answer of its set with
                             *  text (created: the kept answer's time), and a
                             *  reply rated up against one rated down for the
                             *  same question (created: the later rating) */
  HEARTH_FEEDBACK_RATINGS,  /* {"prompt","response","model","server","rating":1|-1,
                             *  "note","kind","created"} (created: when rated) */
} HearthFeedbackFormat;

/* "pairs", "ratings"; parse fails with a sentence naming both. */
const char     *hearth_feedback_format_to_string (HearthFeedbackFormat  format);
gboolean        hearth_feedback_format_parse     (const char            *str,
                                                  HearthFeedbackFormat  *format,
                                                  GError               **error);

/* The kind of a question (see above): "code", "long-prompt",
 * "long-conversation" or "default". */
const char     *hearth_feedback_kind_of          (const char            *question,
                                                  guint                  earlier_messages);

typedef struct
{
  gint64  message_id;
  int     rating;       /* +1, -1; 0: none */
  char   *note;         /* or NULL */
  gint64  created_ms;
} HearthRating;

void            hearth_rating_free               (HearthRating          *rating);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthRating, hearth_rating_free)

/* One model's record for one kind (or for every kind: kind "all"). */
typedef struct
{
  char   *model;
  char   *kind;
  guint   ups;
  guint   downs;
  guint   pick_wins;
  guint   pick_losses;
  guint   wins;         /* ups + pick_wins */
  guint   losses;       /* downs + pick_losses */
  double  rate;         /* wins / (wins + losses); < 0 when there are none */
} HearthModelRecord;

void            hearth_model_record_free         (HearthModelRecord     *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthModelRecord, hearth_model_record_free)

typedef struct
{
  GPtrArray *records;   /* HearthModelRecord: per model and kind, then per
                         * model for "all"; by model, then kind */
  guint      ratings;   /* thumbs given */
  guint      picks;     /* compare picks made */
  guint      pairs;     /* preference pairs an export would write */
} HearthFeedbackStats;

void            hearth_feedback_stats_free       (HearthFeedbackStats   *stats);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthFeedbackStats, hearth_feedback_stats_free)

G_END_DECLS
