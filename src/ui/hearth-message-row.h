/* hearth-message-row.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hearth-message-item.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_MESSAGE_ROW (hearth_message_row_get_type ())

G_DECLARE_FINAL_TYPE (HearthMessageRow, hearth_message_row, HEARTH, MESSAGE_ROW, GtkWidget)

GtkWidget          *hearth_message_row_new        (void);
void                hearth_message_row_set_item   (HearthMessageRow  *self,
                                                   HearthMessageItem *item,
                                                   gboolean           is_last);
HearthMessageItem  *hearth_message_row_get_item   (HearthMessageRow  *self);

G_END_DECLS
