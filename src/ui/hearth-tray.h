/* hearth-tray.h — the tray icon: a StatusNotifierItem with a dbusmenu menu
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HEARTH_TYPE_TRAY (hearth_tray_get_type ())

G_DECLARE_FINAL_TYPE (HearthTray, hearth_tray, HEARTH, TRAY, GObject)

HearthTray *hearth_tray_new            (GDBusConnection *bus,
                                        const char      *app_id);
/* @active: (element-type HearthAlertEvent): hearth_alerts_list_active();
 * the firing alerts of rules with the tray channel are shown. */
void        hearth_tray_set_alerts     (HearthTray      *self,
                                        GPtrArray       *active,
                                        gboolean         paused);
gboolean    hearth_tray_is_registered  (HearthTray      *self);
/* The name the item registers under: org.kde.StatusNotifierItem-PID-N, or
 * its connection's unique name when that one is taken or cannot be owned */
const char *hearth_tray_get_bus_name   (HearthTray      *self);

/* Signals:
 *   "show" (const char *activation_token): the icon was activated or "Show
 *       Hearth" chosen; the token (nullable) lets a Wayland window to the front.
 *   "acknowledge" (gint64 rule_id, const char *subject): from an alert's
 *       Acknowledge item; @subject may be NULL.
 *   "pause-toggled" (gboolean paused): the Pause Monitoring item.
 *   "quit": the Quit item.
 * Property "registered": a StatusNotifierWatcher accepted the item.
 */

G_END_DECLS
