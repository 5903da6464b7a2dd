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
  char               *api;           /* "ollama" or "openai" */
  char               *error;         /* what went wrong, for failed messages */
  char               *error_class;   /* its kind: hearth_error_get_class () */
  char               *done_reason;
  gint64              created_ms;    /* unix time in milliseconds */
  HearthMessageState  state;
  HearthFigures       figures;
  char               *options;       /* the run options sent (JSON), or NULL */
} HearthMessage;

HearthMessage *hearth_message_new  (const char    *role,
                                    const char    *content);
void           hearth_message_free (HearthMessage *message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthMessage, hearth_message_free)

G_END_DECLS
