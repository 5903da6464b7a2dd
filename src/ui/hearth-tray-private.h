/* hearth-tray-private.h — what the tray icon and its menu share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-alert-rule.h"
#include "hearth-tray.h"

G_BEGIN_DECLS

#define HEARTH_TRAY_MENU_PATH "/MenuBar"

/* Menu item ids: the fixed items below this, then a run of ids per alert
 * (its message, Acknowledge and the separator after it). */
#define HEARTH_TRAY_FIRST_ALERT_ITEM 100
#define HEARTH_TRAY_ITEMS_PER_ALERT  3
/* More alerts than this are one "N more…" item. */
#define HEARTH_TRAY_MAX_MENU_ALERTS  8

/* A firing alert as the tray shows it */
typedef struct
{
  gint64               rule_id;
  char                *subject;
  char                *message;
  HearthAlertSeverity  severity;
  gboolean             acknowledged;
  int                  item_id;       /* its first menu item */
} HearthTrayAlert;

typedef enum
{
  HEARTH_TRAY_MENU_NONE,
  HEARTH_TRAY_MENU_SHOW,
  HEARTH_TRAY_MENU_SHOW_ALERTS,   /* an alert's line: the Alerts view */
  HEARTH_TRAY_MENU_ACKNOWLEDGE,
  HEARTH_TRAY_MENU_PAUSE,
  HEARTH_TRAY_MENU_QUIT,
} HearthTrayMenuAction;

/* The icon of an alert of this severity, from the icon theme */
static inline const char *
hearth_tray_severity_icon (int severity)
{
  return severity == HEARTH_ALERT_CRITICAL ? "dialog-error-symbolic" : "dialog-warning-symbolic";
}

/* The com.canonical.dbusmenu object at HEARTH_TRAY_MENU_PATH */
typedef struct
{
  HearthTray      *tray;             /* unowned: the menu lives in it */
  GDBusConnection *bus;              /* unowned */
  guint            registration_id;
  guint            revision;
  GVariant        *root_props;
  GPtrArray       *items;            /* the root's children */
  GVariant        *layout;           /* the whole menu at this revision */
} HearthTrayMenu;

void     hearth_tray_menu_init      (HearthTrayMenu   *menu,
                                     HearthTray       *tray,
                                     GDBusConnection  *bus);
void     hearth_tray_menu_update    (HearthTrayMenu   *menu,
                                     GPtrArray        *alerts,
                                     gboolean          paused);
void     hearth_tray_menu_clear     (HearthTrayMenu   *menu);

GDBusInterfaceInfo *
         hearth_tray_interface_info (GDBusNodeInfo **node,
                                     const char     *xml);

/* A click on a menu item, after the click was answered */
void     hearth_tray_activate_item  (HearthTray           *self,
                                     HearthTrayMenuAction  action,
                                     gint64                rule_id,
                                     const char           *subject);

G_END_DECLS
