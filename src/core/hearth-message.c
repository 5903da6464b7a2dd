/* hearth-message.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-message"

#include "hearth-message.h"

HearthMessage *
hearth_message_new (const char *role,
                    const char *content)
{
  HearthMessage *message = g_new0 (HearthMessage, 1);

  message->role = g_strdup (role);
  message->content = g_strdup (content != NULL ? content : "");
  message->state = HEARTH_MESSAGE_COMPLETE;
  message->pick = -1;  /* HEARTH_PICK_NONE: not one of a set */
  hearth_figures_init (&message->figures);
  return message;
}

void
hearth_message_free (HearthMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->role);
  g_free (message->content);
  g_free (message->thinking);
  g_free (message->model);
  g_free (message->endpoint);
  g_free (message->api);
  g_free (message->error);
  g_free (message->error_class);
  g_free (message->done_reason);
  g_free (message->options);
  g_free (message->server);
  g_free (message->fallback_from);
  g_free (message->fallback_reason);
  g_free (message->route_rule);
  g_free (message->client);
  g_free (message->set_method);
  g_free (message->set_name);
  g_free (message->set_role);
  g_free (message->set_reason);
  g_free (message->rating_note);
  g_free (message);
}

