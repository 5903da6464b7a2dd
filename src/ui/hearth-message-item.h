/* hearth-message-item.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "hearth-reply.h"
#include "hearth-servers.h"
#include "hearth-store.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_MESSAGE_ITEM (hearth_message_item_get_type ())

G_DECLARE_FINAL_TYPE (HearthMessageItem, hearth_message_item, HEARTH, MESSAGE_ITEM, GObject)

HearthMessageItem   *hearth_message_item_new            (const HearthMessage *message);
HearthMessageItem   *hearth_message_item_new_for_reply  (HearthReply         *reply);
const HearthMessage *hearth_message_item_get_message    (HearthMessageItem   *self);
HearthReply         *hearth_message_item_get_reply      (HearthMessageItem   *self);
gint64               hearth_message_item_get_id         (HearthMessageItem   *self);
gboolean             hearth_message_item_is_assistant   (HearthMessageItem   *self);
gboolean             hearth_message_item_is_streaming   (HearthMessageItem   *self);
char                *hearth_message_item_dup_figures    (HearthMessageItem   *self);
gboolean             hearth_message_item_get_cached     (HearthMessageItem   *self);
double               hearth_message_item_get_time_saved_ms (HearthMessageItem *self);
const GError        *hearth_message_item_get_save_error (HearthMessageItem   *self);
void                 hearth_message_item_set_servers    (HearthMessageItem   *self,
                                                         HearthServers       *servers);
char                *hearth_message_item_dup_route      (HearthMessageItem   *self);
char                *hearth_message_item_dup_model_label (HearthMessageItem  *self);

G_END_DECLS
