/* hearth-window.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hearth-application.h"

G_BEGIN_DECLS

/* When main() started, for the start-up benchmark. */
extern gint64 hearth_main_started_us;

#define HEARTH_TYPE_WINDOW (hearth_window_get_type ())

G_DECLARE_FINAL_TYPE (HearthWindow, hearth_window, HEARTH, WINDOW, AdwApplicationWindow)

HearthWindow *hearth_window_new                (HearthApplication *application);
void          hearth_window_new_chat           (HearthWindow      *self);
gboolean      hearth_window_save_png           (HearthWindow      *self,
                                                const char        *path,
                                                GError           **error);
void          hearth_window_show_conversation  (HearthWindow      *self,
                                                gint64             conversation_id);
GtkWidget    *hearth_window_get_page           (HearthWindow      *self,
                                                const char        *name);
void          hearth_window_show_alerts        (HearthWindow      *self);
void          hearth_window_set_automatic_notice (HearthWindow    *self,
                                                  const char      *text);

G_END_DECLS
