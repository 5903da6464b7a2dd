/* hearth-answer-set.h — one question asked of 2–4 models at once
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What hearth_engine_compare () and hearth_engine_ask_ensemble () return:
 * the question is stored once, then each model's answer streams as an
 * ordinary HearthReply (its own figures, server, fallback, cache, queue;
 * every one counted in the metrics). Each candidate is a message of the
 * conversation with HearthMessage.set_question = the question's id,
 * .set_method and .pick (hearth-message.h); only the picked one is the
 * conversation's reply (the next question's context); the others stay in
 * the history, shown with it.
 *
 * Scheduling: candidates on different servers, or on an OpenAI-compatible
 * or cloud server, run at once (each through its server's queue); several
 * models on one Ollama server run one after another, because Ollama keeps
 * one model in memory at a time on most machines and two at once would
 * each wait for the other's load. hearth_answer_set_get_schedule () says
 * which, and why, in a sentence for under the answers.
 *
 * When it decides (signal "decided", then "finished" once every request,
 * the judge's too, is over):
 *  COMPARE    never by itself: the first answer that finishes well is the
 *             conversation's reply for now (pick AUTO) until the user keeps
 *             one (hearth_engine_pick_answer (): pick USER, a win for it
 *             against each other good answer, the feedback's pairs).
 *  VOTE       once all are finished: the largest group of equal answers
 *             (hearth-ensembles.h); a tie goes to the group whose first
 *             member finished first; reason "2 of 3 answers agree".
 *  JUDGE      once all are finished: the judge model is asked (a stored
 *             message of the set, HEARTH_SET_ROLE_JUDGE, never a
 *             candidate) to name the best by number; its whole answer is
 *             the reasoning (shown on demand); a verdict that names no
 *             candidate falls back to VOTE and says so.
 *  FIRST_GOOD as soon as one answer passes the check; the others are
 *             cancelled (stored as cancelled); when none passes, the
 *             longest finished one, and the reason says none passed.
 * When every candidate fails the set fails: the winner stays -1 and the
 * reason says why (each candidate's own error is on its reply).
 */
#pragma once

#include <gio/gio.h>

#include "hearth-ensembles.h"
#include "hearth-reply.h"

G_BEGIN_DECLS

/* HearthMessage.pick for a message of a set (other messages: NONE). */
typedef enum
{
  HEARTH_PICK_NONE = -1,   /* not part of a set */
  HEARTH_PICK_NOT  = 0,    /* a candidate not kept (nor the judge's verdict) */
  HEARTH_PICK_AUTO = 1,    /* kept by the method (or compare's first, for now) */
  HEARTH_PICK_USER = 2,    /* kept by the user ("Use this answer") */
} HearthPick;

/* HearthMessage.set_role: "candidate" (every answer) or "judge". */
#define HEARTH_SET_ROLE_CANDIDATE "candidate"
#define HEARTH_SET_ROLE_JUDGE     "judge"

#define HEARTH_TYPE_ANSWER_SET (hearth_answer_set_get_type ())

/* Signals: "decided" (no arguments; the winner and reason are set, or the
 * set failed), "finished" (no arguments; every request is over). Property
 * "winner" notifies too. Emitted on the thread that made the set. */
G_DECLARE_FINAL_TYPE (HearthAnswerSet, hearth_answer_set, HEARTH, ANSWER_SET, GObject)

HearthSetMethod  hearth_answer_set_get_method       (HearthAnswerSet *self);
/* The ensemble's name, or NULL for a compare or ad-hoc ensemble. */
const char      *hearth_answer_set_get_name         (HearthAnswerSet *self);
guint            hearth_answer_set_get_n_candidates (HearthAnswerSet *self);
/* transfer none: streams as a chat reply does; its model and server are
 * the candidate's ("MODEL@SERVER" split). */
HearthReply     *hearth_answer_set_get_candidate    (HearthAnswerSet *self,
                                                     guint            index);
/* TRUE when this candidate waited for another one on the same server
 * before it was sent (the schedule), so its load time is its own. */
gboolean         hearth_answer_set_candidate_waited (HearthAnswerSet *self,
                                                     guint            index);
/* The judge's reply once it was asked, else NULL. */
HearthReply     *hearth_answer_set_get_judge_reply  (HearthAnswerSet *self);
/* "At once: each model is on its own server." / "One after another on
 * laptop: an Ollama server keeps one model in memory at a time, so …" /
 * a mix of both. Known from the start. */
const char      *hearth_answer_set_get_schedule     (HearthAnswerSet *self);
/* -1 until decided (and when the set failed). */
int              hearth_answer_set_get_winner       (HearthAnswerSet *self);
/* Why the winner won, or why there is none: a sentence; NULL until decided. */
const char      *hearth_answer_set_get_reason       (HearthAnswerSet *self);
gboolean         hearth_answer_set_is_decided       (HearthAnswerSet *self);
gboolean         hearth_answer_set_is_finished      (HearthAnswerSet *self);
gint64           hearth_answer_set_get_conversation_id (HearthAnswerSet *self);
gint64           hearth_answer_set_get_question_id  (HearthAnswerSet *self);
/* Cancels every request still running (the judge's too). */
void             hearth_answer_set_cancel           (HearthAnswerSet *self);

/* The methods' rules, for the engine and its tests (no I/O). */

/* VOTE over @answers (NULL-terminated; a failed answer is passed as "",
 * and an answer without text is never counted): the index of the winner
 * in @answers and, in @votes, how many agree with it (itself included);
 * -1 when none has text. Two answers agree when their normalised texts
 * are equal; two long ones (more than 12 words each) also when their
 * longest common run of words, in order, covers 80% of both. Ties: the
 * lowest index (the caller orders answers by when they finished). */
int              hearth_vote_choose                 (const char * const *answers,
                                                     guint              *votes);
/* The text an answer is compared by: lower case, runs of white space as
 * one space, surrounding white space and punctuation (. ! ? , ; :) gone. */
char            *hearth_vote_normalize              (const char         *answer);
/* FIRST_GOOD's check: non-empty, @done_reason not "length", not a refusal
 * ("I can't help with that", "I'm sorry, but I cannot", "As an AI…" at the
 * start). */
gboolean         hearth_answer_is_good              (const char         *answer,
                                                     const char         *done_reason);
/* JUDGE: the prompt the judge model is sent for @question and @answers
 * (numbered from 1), and its verdict read back: the candidate's index
 * (0-based) or -1 when it names none (the first number from 1 to n that
 * stands alone in the answer: "2", "Answer 2", "#2 is best"). */
char            *hearth_judge_prompt                (const char         *question,
                                                     const char * const *answers);
int              hearth_judge_read_verdict          (const char         *verdict,
                                                     guint               n_answers);

G_END_DECLS
