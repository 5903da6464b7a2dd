/* hearth-test-panel.h — reading and clicking a tray icon as a panel does
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every call is answered while the main loop runs: the tray answers on the
 * test's own loop, so a blocking call would wait for itself.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  GDBusConnection *bus;    /* the panel's own connection */
  const char      *item;   /* the item's bus name */
} HearthTestPanel;

GVariant *hearth_test_panel_call          (const HearthTestPanel *panel,
                                           const char            *path,
                                           const char            *interface,
                                           const char            *method,
                                           GVariant              *parameters,
                                           GError               **error);
GVariant *hearth_test_panel_item_property (const HearthTestPanel *panel,
                                           const char            *name);
char     *hearth_test_panel_item_string   (const HearthTestPanel *panel,
                                           const char            *name);
/* The tooltip's text; its title must be "Hearth" */
char     *hearth_test_panel_tooltip       (const HearthTestPanel *panel);
/* The whole menu: GetLayout from the root */
GVariant *hearth_test_panel_menu          (const HearthTestPanel *panel,
                                           guint                 *revision);
/* The root's children as "label|label|..." (separators "--", a check mark
 * item "[x] label" or "[ ] label", a disabled item "(label)") */
char     *hearth_test_panel_describe_menu (GVariant              *menu);
/* The id of the @nth item (from 0) labelled @label */
int       hearth_test_panel_find_item     (GVariant              *menu,
                                           const char            *label,
                                           guint                  nth);
void      hearth_test_panel_click         (const HearthTestPanel *panel,
                                           int                    id);

G_END_DECLS
