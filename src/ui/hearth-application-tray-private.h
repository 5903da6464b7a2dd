/* hearth-application-tray-private.h — the tray icon of the application
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-application.h"
#include "hearth-tray.h"

G_BEGIN_DECLS

/* From startup: the tray icon on the application's session bus, following
 * the engine's alerts, until the application shuts down. */
void        hearth_application_setup_tray (HearthApplication *app);
/* Returns: (transfer none) (nullable): none without a session bus */
HearthTray *hearth_application_get_tray   (HearthApplication *app);

G_END_DECLS
