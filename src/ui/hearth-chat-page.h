/* hearth-chat-page.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hearth-engine.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_CHAT_PAGE (hearth_chat_page_get_type ())

G_DECLARE_FINAL_TYPE (HearthChatPage, hearth_chat_page, HEARTH, CHAT_PAGE, GtkWidget)

void          hearth_chat_page_set_engine          (HearthChatPage *self,
                                                    HearthEngine   *engine,
                                                    const GError   *store_error);
void          hearth_chat_page_new_chat            (HearthChatPage *self);
void          hearth_chat_page_add_toast           (HearthChatPage *self,
                                                    const char     *text);
void          hearth_chat_page_open_conversation   (HearthChatPage *self,
                                                    gint64          conversation_id);
gint64        hearth_chat_page_get_conversation_id (HearthChatPage *self);
HearthReply  *hearth_chat_page_get_current_reply   (HearthChatPage *self);
GListModel   *hearth_chat_page_get_messages        (HearthChatPage *self);
void          hearth_chat_page_set_composer_text   (HearthChatPage *self,
                                                    const char     *text);
char         *hearth_chat_page_dup_composer_text   (HearthChatPage *self);

G_END_DECLS
