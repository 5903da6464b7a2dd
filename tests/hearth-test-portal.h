/* hearth-test-portal.h — a Background portal of the test's own on a bus
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* org.freedesktop.portal.Desktop at /org/freedesktop/portal/desktop with
 * org.freedesktop.portal.Background, answering as xdg-desktop-portal does:
 * the request's object path, then its Response signal there. */
typedef struct
{
  GPtrArray       *requests;   /* GVariant a{sv}: the options of each RequestBackground */
  GPtrArray       *senders;    /* char *: who asked each */
  gboolean         allow;      /* the answer: background allowed, and autostart as asked */
  GDBusConnection *bus;
  guint            object_id;
} HearthTestPortal;

HearthTestPortal *hearth_test_portal_new  (GDBusConnection  *bus,
                                           gboolean          allow);
void              hearth_test_portal_free (HearthTestPortal *portal);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthTestPortal, hearth_test_portal_free)

G_END_DECLS
