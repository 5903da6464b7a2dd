/* hearth-autostart.h — starting Hearth at login, outside Flatpak
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* ~/.config/autostart/APP_ID.desktop */
char     *hearth_autostart_path       (void);
/* Writes the desktop file the session starts at login (Hearth registered
 * and watching, without a window), or removes it; in a worker. */
void      hearth_autostart_set_async  (gboolean              wanted,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
gboolean  hearth_autostart_set_finish (GAsyncResult         *result,
                                       GError              **error);

G_END_DECLS
