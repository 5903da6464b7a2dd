/* hearth-application-tray.c — the tray icon, following the engine's alerts
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The icon shows what hearth_alerts_list_active() says and turns its menu
 * into engine calls: Acknowledge, Pause Monitoring; Show Hearth and Quit
 * are the application's own.
 */
#define G_LOG_DOMAIN "hearth-application"

#include "config.h"

#include "hearth-alerts.h"
#include "hearth-application-private.h"
#include "hearth-application-tray-private.h"

#define TRAY_KEY "hearth-tray"

typedef struct
{
  GApplication *app;      /* unowned: it owns this */
  HearthAlerts *alerts;
  HearthTray   *tray;
} TrayLink;

static void
tray_link_free (TrayLink *link)
{
  g_signal_handlers_disconnect_by_data (link->alerts, link);
  g_signal_handlers_disconnect_by_data (link->tray, link);
  g_clear_object (&link->tray);
  g_clear_object (&link->alerts);
  g_free (link);
}

static void
refresh (TrayLink *link)
{
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(GError) error = NULL;

  active = hearth_alerts_list_active (link->alerts, &error);
  if (active == NULL)
    g_debug ("The tray icon shows no alerts: %s", error->message);
  hearth_tray_set_alerts (link->tray, active, hearth_alerts_get_paused (link->alerts));
}

static void
on_show (HearthTray *tray,
         const char *activation_token,
         TrayLink   *link)
{
  GtkWindow *window;

  g_application_activate (link->app);
  window = gtk_application_get_active_window (GTK_APPLICATION (link->app));
  if (window != NULL && activation_token != NULL)
    gtk_window_set_startup_id (window, activation_token);
}

static void
on_show_alerts (HearthTray *tray,
                TrayLink   *link)
{
  hearth_window_show_alerts (_hearth_application_present_window (HEARTH_APPLICATION (link->app)));
}

static void
on_acknowledge (HearthTray *tray,
                gint64      rule_id,
                const char *subject,
                TrayLink   *link)
{
  g_autoptr(GError) error = NULL;

  /* It may have resolved since the menu was drawn: nothing to do then. */
  if (!hearth_alerts_acknowledge (link->alerts, rule_id, subject, &error))
    g_debug ("Acknowledge from the tray: %s", error->message);
  refresh (link);
}

static void
on_pause_toggled (HearthTray *tray,
                  gboolean    paused,
                  TrayLink   *link)
{
  hearth_alerts_set_paused (link->alerts, paused);
  refresh (link);
}

static void
on_quit (HearthTray *tray,
         TrayLink   *link)
{
  g_action_group_activate_action (G_ACTION_GROUP (link->app), "quit", NULL);
}

/* The icon leaves the panel with the application, not with its last reference. */
static void
on_shutdown (GApplication *app)
{
  g_object_set_data (G_OBJECT (app), TRAY_KEY, NULL);
}

void
hearth_application_setup_tray (HearthApplication *app)
{
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (app));
  HearthEngine *engine = hearth_application_get_engine (app);
  TrayLink *link;

  g_return_if_fail (HEARTH_IS_APPLICATION (app));

  /* Without a session bus there is no panel to show an icon. */
  if (bus == NULL || engine == NULL)
    return;

  link = g_new0 (TrayLink, 1);
  link->app = G_APPLICATION (app);
  link->alerts = g_object_ref (hearth_engine_get_alerts (engine));
  link->tray = hearth_tray_new (bus, APP_ID);
  g_signal_connect_swapped (link->alerts, "changed", G_CALLBACK (refresh), link);
  g_signal_connect_swapped (link->alerts, "transition", G_CALLBACK (refresh), link);
  g_signal_connect (link->tray, "show", G_CALLBACK (on_show), link);
  g_signal_connect (link->tray, "show-alerts", G_CALLBACK (on_show_alerts), link);
  g_signal_connect (link->tray, "acknowledge", G_CALLBACK (on_acknowledge), link);
  g_signal_connect (link->tray, "pause-toggled", G_CALLBACK (on_pause_toggled), link);
  g_signal_connect (link->tray, "quit", G_CALLBACK (on_quit), link);
  refresh (link);

  g_object_set_data_full (G_OBJECT (app), TRAY_KEY, link, (GDestroyNotify) tray_link_free);
  g_signal_connect (app, "shutdown", G_CALLBACK (on_shutdown), NULL);
}

HearthTray *
hearth_application_get_tray (HearthApplication *app)
{
  TrayLink *link;

  g_return_val_if_fail (HEARTH_IS_APPLICATION (app), NULL);

  link = g_object_get_data (G_OBJECT (app), TRAY_KEY);
  return link != NULL ? link->tray : NULL;
}
