/* hearth-test-dunst.h — a real notification daemon (dunst) on a private
 * session bus of the test's own, and what it was told
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Starts a private session bus (GTestDBus; @service_dir, when given, holds
 * D-Bus service files it activates) and dunst on it. Call before anything
 * connects to the session bus. FALSE when dunst cannot run here: tests that
 * need it skip, giving hearth_test_dunst_why_not (). */
gboolean         hearth_test_dunst_start          (const char      *service_dir);
const char      *hearth_test_dunst_why_not        (void);
void             hearth_test_dunst_stop           (void);
GDBusConnection *hearth_test_dunst_bus            (void);
/* A method of org.dunstproject.cmd0, and a count dunst keeps
 * (displayedLength, waitingLength, historyLength), on any bus */
GVariant        *hearth_test_dunst_call_on        (GDBusConnection *connection,
                                                   const char      *method,
                                                   GVariant        *args,
                                                   const char      *reply_type);
guint            hearth_test_dunst_count_on       (GDBusConnection *connection,
                                                   const char      *property);
/* Notifications on screen or waiting to be shown */
guint            hearth_test_dunst_n_shown        (void);
gboolean         hearth_test_dunst_wait_shown     (guint            n,
                                                   guint            timeout_ms);
/* Closes every notification: they go to dunst's history. */
void             hearth_test_dunst_close_all      (void);
/* The history, newest first: one a{sv} per notification (summary, body,
 * urgency, id, ...) as `dunstctl history` prints them. */
GPtrArray       *hearth_test_dunst_history        (void);
/* "summary|body|urgency" (low, normal, critical) of each history entry
 * whose summary contains @needle, newest first, one a line. */
char            *hearth_test_dunst_history_text   (const char      *needle);
/* Dunst's context menu over the notifications on screen: every action
 * offered, one a line ("#Acknowledge (Title) [3,app.acknowledge-alert(int64 1)]"),
 * and the first line containing @pick (NULL: none) is chosen, which
 * invokes that action as a click would. */
char            *hearth_test_dunst_context_menu   (const char      *pick);
/* The default action of the newest notification, as a click on it. */
void             hearth_test_dunst_click          (void);

G_END_DECLS
