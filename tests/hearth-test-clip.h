/* hearth-test-clip.h — finds labels a user would see cut off
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Walks every mapped GtkLabel under @root and appends a line to @report for
 * each one that is clipped: a label that neither ellipsizes nor wraps
 * narrower than its text, any label lower than its lines, or a label cut by
 * the edge of the window or of an ancestor that clips what overflows it
 * (labels scrolled partly or wholly out of a scrolled window are not cut:
 * scrolling shows them). Returns: how many were. */
guint hearth_test_find_clipped_labels (GtkWidget *root,
                                       GString   *report);

G_END_DECLS
