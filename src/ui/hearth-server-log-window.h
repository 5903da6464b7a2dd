/* hearth-server-log-window.h — what a server Hearth runs has written, followed live
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hearth-servers.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_SERVER_LOG_WINDOW (hearth_server_log_window_get_type ())

G_DECLARE_FINAL_TYPE (HearthServerLogWindow, hearth_server_log_window, HEARTH, SERVER_LOG_WINDOW,
                      AdwWindow)

GtkWidget  *hearth_server_log_window_new        (GtkWindow             *parent,
                                                 HearthServers         *servers,
                                                 HearthServer          *server);
/* The lines shown (for tests). */
guint       hearth_server_log_window_get_n_lines (HearthServerLogWindow *self);
gboolean    hearth_server_log_window_is_loaded  (HearthServerLogWindow *self);

G_END_DECLS
