/* hearth-pull-progress.h — a download's progress, in the same words everywhere
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void hearth_pull_progress_show (GtkProgressBar *bar,
                                GtkLabel       *label,
                                gint64          started_us,
                                gint64         *first_bytes,
                                const char     *status,
                                gint64          completed,
                                gint64          total);

G_END_DECLS
