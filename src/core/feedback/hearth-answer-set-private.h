/* hearth-answer-set-private.h — what the engine (hearth-engine-sets.c)
 * drives a set with; the front ends only read it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-answer-set.h"

G_BEGIN_DECLS

/* Cancels what the engine runs for the set (hearth_answer_set_cancel ()). */
typedef void (*HearthAnswerSetCancelFunc) (gpointer data);

HearthAnswerSet *_hearth_answer_set_new          (HearthSetMethod            method,
                                                  const char                *name,
                                                  gint64                     conversation_id,
                                                  gint64                     question_id);
/* The set holds a reference to @reply. */
void             _hearth_answer_set_add_candidate (HearthAnswerSet          *self,
                                                   HearthReply              *reply,
                                                   gboolean                  waited);
void             _hearth_answer_set_set_schedule (HearthAnswerSet           *self,
                                                  const char                *schedule);
void             _hearth_answer_set_set_judge_reply (HearthAnswerSet        *self,
                                                     HearthReply            *reply);
/* @data lives as long as the set (freed with @destroy). */
void             _hearth_answer_set_set_run      (HearthAnswerSet           *self,
                                                  gpointer                   data,
                                                  HearthAnswerSetCancelFunc  cancel,
                                                  GDestroyNotify             destroy);
gpointer         _hearth_answer_set_get_run      (HearthAnswerSet           *self);
/* The winner for now (compare's first good answer): "winner" notifies,
 * the set is not decided. */
void             _hearth_answer_set_set_provisional (HearthAnswerSet        *self,
                                                     int                     winner,
                                                     const char             *reason);
/* Decided (@winner -1: the set failed, @reason says why): "winner"
 * notifies and, the first time, "decided" is emitted. */
void             _hearth_answer_set_decide       (HearthAnswerSet           *self,
                                                  int                        winner,
                                                  const char                *reason);
/* The user kept @winner (hearth_engine_pick_answer ()). */
void             _hearth_answer_set_user_pick    (HearthAnswerSet           *self,
                                                  int                        winner,
                                                  const char                *reason);
gboolean         _hearth_answer_set_get_user_picked (HearthAnswerSet        *self);
/* Every request is over: "finished". */
void             _hearth_answer_set_finish       (HearthAnswerSet           *self);

G_END_DECLS
