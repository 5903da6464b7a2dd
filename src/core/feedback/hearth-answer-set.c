/* hearth-answer-set.c — one question asked of 2–4 models: what the front
 * ends read (the candidates as replies, the schedule, the winner and why)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine (hearth-engine-sets.c) runs the requests and decides; this
 * object only holds what it found and says so with its signals.
 */
#define G_LOG_DOMAIN "hearth-engine"

#include "config.h"

#include "hearth-answer-set-private.h"

struct _HearthAnswerSet
{
  GObject                    parent_instance;

  HearthSetMethod            method;
  char                      *name;
  gint64                     conversation_id;
  gint64                     question_id;
  GPtrArray                 *candidates;   /* HearthReply */
  GArray                    *waited;       /* gboolean, one per candidate */
  HearthReply               *judge_reply;
  char                      *schedule;
  int                        winner;
  char                      *reason;
  gboolean                   decided;
  gboolean                   finished;
  gboolean                   user_picked;

  gpointer                   run;
  HearthAnswerSetCancelFunc  cancel;
  GDestroyNotify             run_destroy;
};

enum
{
  PROP_0,
  PROP_WINNER,
  N_PROPS
};

enum
{
  DECIDED,
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HearthAnswerSet, hearth_answer_set, G_TYPE_OBJECT)

static void
hearth_answer_set_finalize (GObject *object)
{
  HearthAnswerSet *self = HEARTH_ANSWER_SET (object);

  if (self->run_destroy != NULL && self->run != NULL)
    self->run_destroy (self->run);
  g_free (self->name);
  g_clear_pointer (&self->candidates, g_ptr_array_unref);
  g_clear_pointer (&self->waited, g_array_unref);
  g_clear_object (&self->judge_reply);
  g_free (self->schedule);
  g_free (self->reason);

  G_OBJECT_CLASS (hearth_answer_set_parent_class)->finalize (object);
}

static void
hearth_answer_set_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  HearthAnswerSet *self = HEARTH_ANSWER_SET (object);

  switch (prop_id)
    {
    case PROP_WINNER:
      g_value_set_int (value, self->winner);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hearth_answer_set_class_init (HearthAnswerSetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hearth_answer_set_finalize;
  object_class->get_property = hearth_answer_set_get_property;

  /**
   * HearthAnswerSet:winner:
   *
   * The kept candidate's index, -1 while there is none.
   */
  properties[PROP_WINNER] =
    g_param_spec_int ("winner", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[DECIDED] = g_signal_new ("decided", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
hearth_answer_set_init (HearthAnswerSet *self)
{
  self->candidates = g_ptr_array_new_with_free_func (g_object_unref);
  self->waited = g_array_new (FALSE, TRUE, sizeof (gboolean));
  self->winner = -1;
}

/* What the engine drives */

HearthAnswerSet *
_hearth_answer_set_new (HearthSetMethod  method,
                        const char      *name,
                        gint64           conversation_id,
                        gint64           question_id)
{
  HearthAnswerSet *self = g_object_new (HEARTH_TYPE_ANSWER_SET, NULL);

  self->method = method;
  self->name = g_strdup (name);
  self->conversation_id = conversation_id;
  self->question_id = question_id;
  return self;
}

void
_hearth_answer_set_add_candidate (HearthAnswerSet *self,
                                  HearthReply     *reply,
                                  gboolean         waited)
{
  g_ptr_array_add (self->candidates, g_object_ref (reply));
  g_array_append_val (self->waited, waited);
}

void
_hearth_answer_set_set_schedule (HearthAnswerSet *self,
                                 const char      *schedule)
{
  hearth_set_str (&self->schedule, schedule);
}

void
_hearth_answer_set_set_judge_reply (HearthAnswerSet *self,
                                    HearthReply     *reply)
{
  g_set_object (&self->judge_reply, reply);
}

void
_hearth_answer_set_set_run (HearthAnswerSet           *self,
                            gpointer                   data,
                            HearthAnswerSetCancelFunc  cancel,
                            GDestroyNotify             destroy)
{
  self->run = data;
  self->cancel = cancel;
  self->run_destroy = destroy;
}

gpointer
_hearth_answer_set_get_run (HearthAnswerSet *self)
{
  return self->run;
}

static void
set_winner (HearthAnswerSet *self,
            int              winner,
            const char      *reason)
{
  gboolean changed = self->winner != winner;

  self->winner = winner;
  hearth_set_str (&self->reason, reason);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINNER]);
}

void
_hearth_answer_set_set_provisional (HearthAnswerSet *self,
                                    int              winner,
                                    const char      *reason)
{
  if (self->decided)
    return;
  set_winner (self, winner, reason);
}

void
_hearth_answer_set_decide (HearthAnswerSet *self,
                           int              winner,
                           const char      *reason)
{
  /* The user's choice stands over what a method finds later. */
  if (self->user_picked)
    return;
  set_winner (self, winner, reason);
  if (self->decided)
    return;
  self->decided = TRUE;
  g_signal_emit (self, signals[DECIDED], 0);
}

void
_hearth_answer_set_user_pick (HearthAnswerSet *self,
                              int              winner,
                              const char      *reason)
{
  gboolean was_decided = self->decided;

  self->user_picked = TRUE;
  self->decided = TRUE;
  set_winner (self, winner, reason);
  if (!was_decided)
    g_signal_emit (self, signals[DECIDED], 0);
}

gboolean
_hearth_answer_set_get_user_picked (HearthAnswerSet *self)
{
  return self->user_picked;
}

void
_hearth_answer_set_finish (HearthAnswerSet *self)
{
  if (self->finished)
    return;
  self->finished = TRUE;
  g_signal_emit (self, signals[FINISHED], 0);
}

/* What the front ends read */

HearthSetMethod
hearth_answer_set_get_method (HearthAnswerSet *self)
{
  g_return_val_if_fail (HEARTH_IS_ANSWER_SET (self), HEARTH_SET_COMPARE);

  return self->method;
}

const char *
hearth_answer_set_get_name (HearthAnswerSet *self)
{
  g_return_val_if_fail (HEARTH_IS_ANSWER_SET (self), NULL);

  return self->name;
}

guint
hearth_answer_set_get_n_candidates (HearthAnswerSet *self)
{
  g_return_val_if_fail (HEARTH_IS_ANSWER_SET (self), 0);

  return self->candidates->len;
}

HearthReply *
hearth_answer_set_get_candidate (HearthAnswerSet *self,
                                 guint            index)
{
  g_return_val_if_fail (HEARTH_IS_ANSWER_SET (self), NULL);
  g_return_val_if_fail (index < self->candidates->len, NULL);

  return g_ptr_array_index (self->candidates, index);
}

gboolean
hearth_answer_set_candidate_waited (HearthAnswerSet *self,
                                    guint            index)
{
  g_return_val_if_fail (HEARTH_IS_ANSWER_SET (self), FALSE);
  g_return_val_if_fail (index < self->waited->len, FALSE);

  return g_array_index (self->waited, gboolean, index);
}

HearthReply *
hearth_answer_set_get_judge_reply (HearthAnswerSet *self)
{
  g_return_val_if_fail (HEARTH_IS_ANSWER_SET (self), NULL);

  return self->judge_reply;
}

const char *
hearth_answer_set_get_schedule (HearthAnswerSet *self)
{
  g_return_val_if_fail (HEARTH_IS_ANSWER_SET (self), NULL);

  return self->schedule;
}

int
hearth_answer_set_get_winner (HearthAnswerSet *self)
{
  g_return_val_if_fail (HEARTH_IS_ANSWER_SET (self), -1);

  return self->winner;
}

const char *
hearth_answer_set_get_reason (HearthAnswerSet *self)
{
  g_return_val_if_fail (HEARTH_IS_ANSWER_SET (self), NULL);

  return self->reason;
}

gboolean
hearth_answer_set_is_decided (HearthAnswerSet *self)
{
  g_return_val_if_fail (HEARTH_IS_ANSWER_SET (self), FALSE);

  return self->decided;
}

gboolean
hearth_answer_set_is_finished (HearthAnswerSet *self)
{
  g_return_val_if_fail (HEARTH_IS_ANSWER_SET (self), FALSE);

  return self->finished;
}

gint64
hearth_answer_set_get_conversation_id (HearthAnswerSet *self)
{
  g_return_val_if_fail (HEARTH_IS_ANSWER_SET (self), -1);

  return self->conversation_id;
}

gint64
hearth_answer_set_get_question_id (HearthAnswerSet *self)
{
  g_return_val_if_fail (HEARTH_IS_ANSWER_SET (self), 0);

  return self->question_id;
}

void
hearth_answer_set_cancel (HearthAnswerSet *self)
{
  g_return_if_fail (HEARTH_IS_ANSWER_SET (self));

  if (!self->finished && self->cancel != NULL)
    self->cancel (self->run);
}
