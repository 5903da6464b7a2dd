/* hearth-message.h — one message of a conversation, as the history and the engine know it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "hearth-types.h"

G_BEGIN_DECLS

typedef struct
{
  gint64              id;
  gint64              conversation_id;
  char               *role;          /* "system", "user", "assistant" */
  char               *content;
  char               *thinking;
  char               *model;
  char               *endpoint;
  char               *api;           /* "ollama", "openai" or "anthropic" */
  char               *error;         /* what went wrong, for failed messages */
  char               *error_class;   /* its kind: hearth_error_get_class () */
  char               *done_reason;
  gint64              created_ms;    /* unix time in milliseconds */
  HearthMessageState  state;
  HearthFigures       figures;
  char               *options;       /* the run options sent (JSON), or NULL */
  char               *server;        /* the name of the server that answered, in the
                                      * user's list; NULL for a one-off address */
  char               *fallback_from; /* the server the request was meant for, when
                                      * another answered; else NULL */
  char               *fallback_reason; /* why it did not answer there ("down", …) */
  char               *route_rule;    /* what chose the model when it was "auto":
                                      * a sentence, e.g. "code → the most capable
                                      * model (qwen2.5:7b)"; else NULL */
  char               *client;        /* the program that asked through the gateway
                                      * (its User-Agent), or NULL for Hearth's own
                                      * chat; its text is not kept (schema 9) */
  /* Compare and ensembles (schema 10, hearth-answer-set.h): */
  gint64              set_question;  /* the question this message answers as one
                                      * of a set; 0 when it is not part of one */
  char               *set_method;    /* "compare", "vote", "judge", "first-good" */
  char               *set_name;      /* the ensemble's name, or NULL */
  char               *set_role;      /* HEARTH_SET_ROLE_CANDIDATE or _JUDGE */
  int                 pick;          /* HearthPick; HEARTH_PICK_NONE (-1) outside a set */
  char               *set_reason;    /* on the kept one: why it won; else NULL */
  /* Feedback (schema 10, hearth-feedback.h), read with the message: */
  int                 rating;        /* +1, -1, 0: none */
  char               *rating_note;   /* or NULL */
} HearthMessage;

HearthMessage *hearth_message_new  (const char    *role,
                                    const char    *content);
void           hearth_message_free (HearthMessage *message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthMessage, hearth_message_free)

G_END_DECLS
