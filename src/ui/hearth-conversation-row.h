/* hearth-conversation-row.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define HEARTH_TYPE_CONVERSATION_ROW (hearth_conversation_row_get_type ())

G_DECLARE_FINAL_TYPE (HearthConversationRow, hearth_conversation_row, HEARTH, CONVERSATION_ROW,
                      GtkWidget)

GtkWidget   *hearth_conversation_row_new                  (void);
gint64       hearth_conversation_row_get_conversation_id  (HearthConversationRow *self);
void         hearth_conversation_row_set_conversation_id  (HearthConversationRow *self,
                                                           gint64                 id);
const char  *hearth_conversation_row_get_header           (HearthConversationRow *self);
void         hearth_conversation_row_set_header           (HearthConversationRow *self,
                                                           const char            *header);
const char  *hearth_conversation_row_get_title            (HearthConversationRow *self);
void         hearth_conversation_row_set_title            (HearthConversationRow *self,
                                                           const char            *title);
const char  *hearth_conversation_row_get_title_tooltip    (HearthConversationRow *self);
const char  *hearth_conversation_row_get_subtitle_markup  (HearthConversationRow *self);
void         hearth_conversation_row_set_subtitle_markup  (HearthConversationRow *self,
                                                           const char            *markup);

G_END_DECLS
