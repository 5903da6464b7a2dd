/* hearth-engine-sets-private.h — one set of answers as it runs, shared by
 * hearth-engine-sets.c (asking, the schedule) and hearth-engine-sets-decide.c
 * (vote, judge, first-good, what is kept)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-answer-set-private.h"
#include "hearth-engine-chat-private.h"

G_BEGIN_DECLS

typedef struct _SetRun SetRun;

typedef struct
{
  SetRun       *run;
  guint         index;
  char         *model;        /* the model asked for (the spec's MODEL) */
  char         *server_name;  /* the spec's SERVER, else the default's name, or NULL */
  HearthServer *server;       /* that server of the list, or NULL when unknown */
  HearthReply  *reply;
  ChatJob      *job;          /* until it is sent; the reply's from then on */
  int           group;        /* the first candidate of its queue on one Ollama server, or -1 */
  gboolean      sent;
  gboolean      finished;
  gulong        handler;
} Candidate;

struct _SetRun
{
  HearthEngine      *engine;        /* a reference until every request is over */
  HearthAnswerSet   *set;           /* owns the run; a reference of ours while it runs */
  HearthSetMethod    method;
  char              *judge;         /* JUDGE: "MODEL" or "MODEL@SERVER" */
  char              *question;
  HearthChatRequest *base;          /* the request as asked (the judge's options) */
  gint64             conversation_id;
  gint64             question_id;
  GPtrArray         *candidates;    /* Candidate */
  GArray            *order;         /* guint: candidates as they finished */
  HearthReply       *judge_reply;
  gulong             judge_handler;
  GArray            *judge_map;     /* guint: the judge's answer i is candidate judge_map[i] */
  guint              start_source;
  gboolean           cancelled;
  gboolean           decided;
  gboolean           provisional;   /* COMPARE: a first good answer is kept for now */
  gboolean           judging;
  gboolean           over;
};

static inline Candidate *
candidate_at (SetRun *run,
              guint   index)
{
  return g_ptr_array_index (run->candidates, index);
}

/* The answer's text when it finished well; else NULL. */
static inline const char *
answer_text (Candidate *c)
{
  const char *text;

  if (hearth_reply_get_state (c->reply) != HEARTH_REPLY_DONE)
    return NULL;
  text = hearth_reply_get_content (c->reply);
  return text != NULL && *text != '\0' ? text : NULL;
}

/* hearth-engine-sets.c */
/* A request for @spec ("MODEL" or "MODEL@SERVER") with @base's question and
 * options: its model on its server, that server or nothing. */
HearthChatRequest *_hearth_set_request_for      (const HearthChatRequest *base,
                                                 const char              *spec);
/* Every request over: decides if nothing did yet, then "finished". */
void               _hearth_set_run_check_done   (SetRun                  *run);

/* hearth-engine-sets-decide.c */
/* @c is kept (@pick), the others not, in the history. */
void               _hearth_set_run_keep         (SetRun                  *run,
                                                 Candidate               *c,
                                                 int                      pick,
                                                 const char              *reason);
/* The method decided (@winner -1: the set failed). */
void               _hearth_set_run_decide       (SetRun                  *run,
                                                 int                      winner,
                                                 const char              *reason);
/* Every candidate is over: vote, ask the judge, the longest, or fail. */
void               _hearth_set_run_decide_at_end (SetRun                 *run);

G_END_DECLS
