/* hearth-compare-view.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hearth-message-item.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_COMPARE_VIEW (hearth_compare_view_get_type ())

G_DECLARE_FINAL_TYPE (HearthCompareView, hearth_compare_view, HEARTH, COMPARE_VIEW, GtkWidget)

GtkWidget *hearth_compare_view_new      (void);
/* @item: a set (hearth_message_item_is_set ()), or NULL. */
void       hearth_compare_view_set_item (HearthCompareView *self,
                                         HearthMessageItem *item);

G_END_DECLS
