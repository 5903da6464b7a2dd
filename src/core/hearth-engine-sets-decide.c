/* hearth-engine-sets-decide.c — how a set of answers becomes one: vote,
 * the judge (a request of its own, stored with the set, never kept),
 * first-good's fallback to the longest, and what the history keeps
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "hearth-engine-sets-private.h"
#include "hearth-error.h"
#include "hearth-reply-private.h"
#include "hearth-store-sets.h"

void
_hearth_set_run_keep (SetRun     *run,
                      Candidate  *c,
                      int         pick,
                      const char *reason)
{
  HearthStore *store = run->engine ? hearth_engine_get_store (run->engine) : NULL;
  g_autoptr(GError) error = NULL;

  if (store == NULL || hearth_reply_get_message_id (c->reply) <= 0)
    return;
  if (!hearth_store_keep_answer (store, hearth_reply_get_message_id (c->reply), pick, reason,
                                 &error))
    g_message ("Which answer is kept could not be saved: %s", error->message);
}

void
_hearth_set_run_decide (SetRun     *run,
                        int         winner,
                        const char *reason)
{
  run->decided = TRUE;
  /* The user's own choice stands. */
  if (_hearth_answer_set_get_user_picked (run->set))
    return;
  if (winner >= 0)
    _hearth_set_run_keep (run, candidate_at (run, winner), HEARTH_PICK_AUTO, reason);
  _hearth_answer_set_decide (run->set, winner, reason);
}

static void
fail_set (SetRun *run)
{
  _hearth_set_run_decide (run, -1, run->cancelled ? _("Stopped before an answer could be kept")
                                   : _("Every model failed: each one's error is under its answer"));
}

static guint
count_answered (SetRun *run)
{
  guint n = 0;

  for (guint i = 0; i < run->candidates->len; i++)
    n += answer_text (candidate_at (run, i)) != NULL;
  return n;
}

/* @prefix: why the vote decides (after a judge that could not), or NULL. */
static void
decide_by_vote (SetRun     *run,
                const char *prefix)
{
  g_autoptr(GPtrArray) answers = g_ptr_array_new ();
  g_autofree char *core = NULL;
  g_autofree char *reason = NULL;
  guint votes = 0;
  guint answered;
  int best;

  /* In the order they finished: a tie goes to the first. */
  for (guint i = 0; i < run->order->len; i++)
    {
      const char *text = answer_text (candidate_at (run, g_array_index (run->order, guint, i)));

      g_ptr_array_add (answers, (gpointer) (text != NULL ? text : ""));
    }
  g_ptr_array_add (answers, NULL);
  best = hearth_vote_choose ((const char * const *) answers->pdata, &votes);
  if (best < 0)
    {
      fail_set (run);
      return;
    }
  answered = count_answered (run);
  if (answered == 1)
    core = g_strdup (_("only one model answered"));
  else if (votes >= 2 && answered == run->candidates->len)
    /* Translators: how many answers agree, of how many; the plural
     * follows the second number */
    core = g_strdup_printf (ngettext ("%u of %u answer agree", "%u of %u answers agree",
                                      answered),
                            votes, answered);
  else if (votes >= 2)
    /* A failed model did not disagree: it is counted apart. */
    /* Translators: how many answers agree, of how many; then how many
     * models failed, of how many asked; the plural follows the last number */
    core = g_strdup_printf (ngettext ("%u of %u answers agree; %u of %u model failed",
                                      "%u of %u answers agree; %u of %u models failed",
                                      run->candidates->len),
                            votes, answered, run->candidates->len - answered,
                            run->candidates->len);
  else
    core = g_strdup (_("no two answers agree, so the first to finish is kept"));
  reason = g_strdup_printf ("%s%s", prefix != NULL ? prefix : "", core);
  if (prefix == NULL)
    reason[0] = g_ascii_toupper (reason[0]);
  _hearth_set_run_decide (run, g_array_index (run->order, guint, best), reason);
}

static void
on_judge_finished (HearthReply *reply,
                   SetRun      *run)
{
  g_autoptr(HearthAnswerSet) set = g_object_ref (run->set);
  const char *judge_model = hearth_reply_get_model (reply);
  g_autofree char *prefix = NULL;

  g_signal_handler_disconnect (reply, run->judge_handler);
  run->judge_handler = 0;
  run->judging = FALSE;
  if (hearth_reply_get_state (reply) == HEARTH_REPLY_DONE)
    {
      int verdict = hearth_judge_read_verdict (hearth_reply_get_content (reply),
                                               run->judge_map->len);

      if (verdict >= 0)
        {
          Candidate *c = candidate_at (run, g_array_index (run->judge_map, guint, verdict));
          g_autofree char *reason = g_strdup_printf (_("The judge (%s) picked %s’s answer"),
                                                     judge_model, c->model);

          _hearth_set_run_decide (run, c->index, reason);
          _hearth_set_run_check_done (run);
          return;
        }
      prefix = g_strdup_printf (_("The judge (%s) named no answer, so the majority decided: "),
                                judge_model);
    }
  else if (hearth_reply_get_state (reply) == HEARTH_REPLY_CANCELLED)
    prefix = g_strdup (_("The judge was stopped, so the majority decided: "));
  else
    {
      const GError *error = hearth_reply_get_error (reply);

      prefix = g_strdup_printf (_("The judge (%s) did not answer (%s), so the majority decided: "),
                                judge_model, error ? error->message : _("no reason given"));
    }
  decide_by_vote (run, prefix);
  _hearth_set_run_check_done (run);
}

/* The judge reads the answers that have text, numbered from 1 in the
 * candidates' order, and is stored as a message of the set (never kept). */
static void
ask_judge (SetRun *run)
{
  g_autoptr(GPtrArray) answers = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *prompt = NULL;
  HearthChatRequest *request;
  HearthMessage set_fields = { 0 };
  ChatJob *job;

  run->judge_map = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < run->candidates->len; i++)
    {
      const char *text = answer_text (candidate_at (run, i));

      if (text == NULL)
        continue;
      g_ptr_array_add (answers, (gpointer) text);
      g_array_append_val (run->judge_map, i);
    }
  g_ptr_array_add (answers, NULL);
  prompt = hearth_judge_prompt (run->question, (const char * const *) answers->pdata);

  request = _hearth_set_request_for (run->base, run->judge);
  g_ptr_array_set_size (request->messages, 0);
  g_clear_pointer (&request->system, g_free);
  hearth_chat_request_add_message (request, "user", prompt);
  job = _hearth_chat_job_new (run->engine, NULL, request);
  set_fields.set_question = run->question_id;
  set_fields.set_method = (char *) hearth_set_method_to_string (run->method);
  set_fields.set_name = (char *) hearth_answer_set_get_name (run->set);
  set_fields.set_role = (char *) HEARTH_SET_ROLE_JUDGE;
  set_fields.pick = HEARTH_PICK_NOT;
  if (!_hearth_chat_job_add_set_record (job, run->conversation_id, run->question_id, 0,
                                        &set_fields, &error))
    {
      g_autofree char *prefix = g_strdup_printf (_("The judge could not be asked (%s), so the "
                                                   "majority decided: "), error->message);

      _hearth_chat_job_free (job);
      decide_by_vote (run, prefix);
      return;
    }
  run->judge_reply = g_object_ref (job->reply);
  _hearth_answer_set_set_judge_reply (run->set, run->judge_reply);
  _hearth_chat_job_watch (job);
  run->judge_handler = g_signal_connect (run->judge_reply, "finished",
                                         G_CALLBACK (on_judge_finished), run);
  run->judging = TRUE;
  _hearth_chat_job_go (job);
}

/* Every candidate is over and the method has not decided yet. */
void
_hearth_set_run_decide_at_end (SetRun *run)
{
  guint answered = count_answered (run);

  if (run->method == HEARTH_SET_COMPARE)
    {
      /* Compare never decides by itself: only when nothing answered. */
      if (!run->provisional)
        fail_set (run);
      return;
    }
  if (answered == 0 || run->cancelled)
    {
      fail_set (run);
      return;
    }
  switch (run->method)
    {
    case HEARTH_SET_VOTE:
      decide_by_vote (run, NULL);
      break;
    case HEARTH_SET_JUDGE:
      if (answered >= 2)
        ask_judge (run);
      else
        decide_by_vote (run, _("There was nothing to judge: "));
      break;
    case HEARTH_SET_FIRST_GOOD:
      {
        int longest = -1;
        gsize longest_len = 0;

        /* None passed the check: the longest that finished with text. */
        for (guint i = 0; i < run->candidates->len; i++)
          {
            const char *text = answer_text (candidate_at (run, i));

            if (text != NULL && strlen (text) > longest_len)
              {
                longest = i;
                longest_len = strlen (text);
              }
          }
        _hearth_set_run_decide (run, longest, _("No answer passed the check (not empty, finished, not a refusal), "
                              "so the longest one is kept"));
      }
      break;
    case HEARTH_SET_COMPARE:
    default:
      g_assert_not_reached ();
    }
}
