/* hearth-export-file.h — an export's text written to the file the user chose
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Writes @text (taken) to @file off the main thread, then returns on @task
 * the number of lines written (g_task_propagate_int ()), or an error
 * "@what could not be saved to FILE: REASON". */
void hearth_export_file_write  (GTask        *task,
                                GFile        *file,
                                char         *text,
                                const char   *what);
/* Returns on @task the same sentence for @error (reading the export failed). */
void hearth_export_file_fail   (GTask        *task,
                                GFile        *file,
                                const char   *what,
                                const GError *error);

G_END_DECLS
