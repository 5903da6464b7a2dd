/* hearth-compare-column.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hearth-message-item.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_COMPARE_COLUMN (hearth_compare_column_get_type ())

G_DECLARE_FINAL_TYPE (HearthCompareColumn, hearth_compare_column, HEARTH, COMPARE_COLUMN, GtkWidget)

GtkWidget         *hearth_compare_column_new           (void);
/* Shows candidate @index of @set_item (NULL: nothing); @can_pick offers
 * "Use this answer" (compare). */
void               hearth_compare_column_bind          (HearthCompareColumn *self,
                                                        HearthMessageItem   *set_item,
                                                        guint                index,
                                                        gboolean             can_pick);
HearthMessageItem *hearth_compare_column_get_candidate (HearthCompareColumn *self);

G_END_DECLS
