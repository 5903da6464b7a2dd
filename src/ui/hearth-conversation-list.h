/* hearth-conversation-list.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hearth-engine.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_CONVERSATION_LIST (hearth_conversation_list_get_type ())

G_DECLARE_FINAL_TYPE (HearthConversationList, hearth_conversation_list, HEARTH, CONVERSATION_LIST,
                      GtkWidget)

GtkWidget    *hearth_conversation_list_new           (HearthEngine           *engine);
HearthEngine *hearth_conversation_list_get_engine    (HearthConversationList *self);
void          hearth_conversation_list_reload        (HearthConversationList *self);
void          hearth_conversation_list_select        (HearthConversationList *self,
                                                      gint64                  id);
gint64        hearth_conversation_list_get_selected  (HearthConversationList *self);
void          hearth_conversation_list_focus_search  (HearthConversationList *self);

G_END_DECLS
