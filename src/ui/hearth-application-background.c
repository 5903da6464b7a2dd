/* hearth-application-background.c — Hearth keeps running after its window is
 * closed ("run-in-background"), and can start at login ("autostart")
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Running on is one g_application_hold (): the engine, its sampler (at its
 * idle rate once no page holds it) and the alerts carry on; activating the
 * app brings a window back; app.quit releases the hold and quits. Inside
 * Flatpak the Background portal is asked for permission (and for autostart);
 * outside, autostart is a desktop file in ~/.config/autostart.
 */
#define G_LOG_DOMAIN "hearth-application-background"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-application-private.h"
#include "hearth-autostart.h"

#define BACKGROUND_NOTIFICATION_ID "background"

/* Flatpak sets FLATPAK_ID in the sandbox and mounts /.flatpak-info there.
 * HEARTH_FLATPAK_INFO: another file to look for, so the portal's side can
 * be tested outside a sandbox. */
static gboolean
in_flatpak (void)
{
  const char *info = g_getenv ("HEARTH_FLATPAK_INFO");
  const char *id = g_getenv ("FLATPAK_ID");

  return (id != NULL && *id != '\0') ||
         g_file_test (info != NULL ? info : "/.flatpak-info", G_FILE_TEST_EXISTS);
}

/* Serving the API keeps Hearth running too: closing the window would cut
 * off the programs that use it. */
static gboolean
wants_background (HearthApplication *self)
{
  return !self->quitting && (g_settings_get_boolean (self->settings, "run-in-background") ||
                             g_settings_get_boolean (self->settings, "serve-api"));
}

static void
update_hold (HearthApplication *self)
{
  gboolean wanted = wants_background (self);

  if (wanted == self->background_held)
    return;
  self->background_held = wanted;
  /* Released without a window, Hearth quits: that is turning it off. */
  if (wanted)
    g_application_hold (G_APPLICATION (self));
  else
    g_application_release (G_APPLICATION (self));
}

/* Autostart outside Flatpak: the desktop file the session starts at login. */

static void
write_autostart_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GApplication) application = user_data;
  g_autoptr(GError) error = NULL;

  if (!hearth_autostart_set_finish (result, &error))
    g_message ("Start at login not changed: %s", error->message);
  g_application_release (application);
}

static void
update_autostart_file (HearthApplication *self)
{
  gboolean wanted = g_settings_get_boolean (self->settings, "run-in-background") &&
                    g_settings_get_boolean (self->settings, "autostart");

  /* Turning the setting off may be what ends Hearth: the file goes first. */
  g_application_hold (G_APPLICATION (self));
  hearth_autostart_set_async (wanted, NULL, write_autostart_cb, g_object_ref (self));
}

/* Inside Flatpak: org.freedesktop.portal.Background */

typedef struct
{
  HearthApplication *self;      /* weak */
  GDBusConnection   *bus;
  guint              response_id;
} PortalRequest;

static void
portal_request_free (PortalRequest *request)
{
  if (request->response_id != 0)
    g_dbus_connection_signal_unsubscribe (request->bus, request->response_id);
  g_clear_weak_pointer (&request->self);
  g_clear_object (&request->bus);
  g_free (request);
}

static void
on_portal_response (GDBusConnection *bus,
                    const char      *sender,
                    const char      *path,
                    const char      *interface,
                    const char      *signal,
                    GVariant        *parameters,
                    gpointer         user_data)
{
  PortalRequest *request = user_data;
  g_autoptr(GVariant) results = NULL;
  gboolean background = FALSE;
  guint32 response = 2;

  g_variant_get (parameters, "(u@a{sv})", &response, &results);
  g_variant_lookup (results, "background", "b", &background);
  if (request->self != NULL && (response != 0 || !background))
    {
      /* Refused: the switch goes back off rather than promise what the
       * sandbox will not allow. */
      g_message ("Running in the background was not allowed (portal response %u)", response);
      g_settings_set_boolean (request->self->settings, "run-in-background", FALSE);
    }
  g_dbus_connection_signal_unsubscribe (bus, request->response_id);
  request->response_id = 0;
  portal_request_free (request);
}

static void
request_background_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  PortalRequest *request = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      g_message ("Could not ask the Background portal: %s", error->message);
      portal_request_free (request);
    }
  /* else on_portal_response() frees it */
}

static void
request_background (HearthApplication *self)
{
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (self));
  g_autofree char *token = g_strdup_printf ("hearth%u", g_random_int ());
  g_autofree char *sender = NULL;
  g_autofree char *handle = NULL;
  const char *commandline[] = { "hearth", "--gapplication-service", NULL };
  GVariantBuilder options;
  PortalRequest *request;

  if (bus == NULL)
    return;
  /* The request's object path is known before the call, so the answer
   * cannot arrive before we listen for it. */
  sender = g_strdelimit (g_strdup (g_dbus_connection_get_unique_name (bus) + 1), ".", '_');
  handle = g_strdup_printf ("/org/freedesktop/portal/desktop/request/%s/%s", sender, token);
  request = g_new0 (PortalRequest, 1);
  g_set_weak_pointer (&request->self, self);
  request->bus = g_object_ref (bus);
  request->response_id = g_dbus_connection_signal_subscribe (bus, "org.freedesktop.portal.Desktop",
                                                             "org.freedesktop.portal.Request",
                                                             "Response", handle, NULL,
                                                             G_DBUS_SIGNAL_FLAGS_NO_MATCH_RULE,
                                                             on_portal_response, request, NULL);
  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "handle_token", g_variant_new_string (token));
  g_variant_builder_add (&options, "{sv}", "reason",
                         g_variant_new_string (_("Hearth keeps watching your models and your "
                                                 "computer after its window is closed, to tell "
                                                 "you about alerts.")));
  g_variant_builder_add (&options, "{sv}", "autostart",
                         g_variant_new_boolean (g_settings_get_boolean (self->settings,
                                                                        "autostart")));
  g_variant_builder_add (&options, "{sv}", "commandline", g_variant_new_strv (commandline, -1));
  g_dbus_connection_call (bus, "org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
                          "org.freedesktop.portal.Background", "RequestBackground",
                          g_variant_new ("(sa{sv})", "", &options), G_VARIANT_TYPE ("(o)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, request_background_cb, request);
}

/* The person's choices, applied */

static void
run_in_background_changed (HearthApplication *self)
{
  update_hold (self);
  if (in_flatpak ())
    {
      if (g_settings_get_boolean (self->settings, "run-in-background"))
        request_background (self);
    }
  else
    update_autostart_file (self);
}

static void
autostart_changed (HearthApplication *self)
{
  if (!g_settings_get_boolean (self->settings, "run-in-background"))
    return;
  if (in_flatpak ())
    request_background (self);
  else
    update_autostart_file (self);
}

static gboolean
has_main_window (GtkApplication *application)
{
  for (GList *l = gtk_application_get_windows (application); l != NULL; l = l->next)
    if (HEARTH_IS_WINDOW (l->data))
      return TRUE;
  return FALSE;
}

/* The first time the last window closes and Hearth stays, it says so, and
 * how to stop it; never again after that. */
static void
on_window_removed (HearthApplication *self)
{
  g_autoptr(GNotification) notification = NULL;

  if (!self->background_held || self->quitting || has_main_window (GTK_APPLICATION (self)) ||
      g_settings_get_boolean (self->settings, "background-notice-shown"))
    return;
  notification = g_notification_new (_("Hearth is still running"));
  if (g_settings_get_boolean (self->settings, "run-in-background"))
    g_notification_set_body (notification,
                             _("It keeps watching for alerts in the background. To stop it, open "
                               "Hearth and choose Quit in its menu (Ctrl+Q), or turn off “Run "
                               "in the Background” in Preferences."));
  else
    g_notification_set_body (notification,
                             _("It keeps serving the API to other programs. To stop it, open "
                               "Hearth and choose Quit in its menu (Ctrl+Q), or turn off “Serve "
                               "the API” in Preferences."));
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_LOW);
  g_notification_set_default_action (notification, "app.activate");
  g_application_send_notification (G_APPLICATION (self), BACKGROUND_NOTIFICATION_ID,
                                   notification);
  g_settings_set_boolean (self->settings, "background-notice-shown", TRUE);
}

static void
activate_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  g_application_activate (user_data);
}

static const GActionEntry background_entries[] = {
  { "activate", activate_action },
};

void
_hearth_application_setup_background (HearthApplication *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), background_entries,
                                   G_N_ELEMENTS (background_entries), self);
  g_signal_connect_object (self->settings, "changed::run-in-background",
                           G_CALLBACK (run_in_background_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::serve-api",
                           G_CALLBACK (update_hold), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::autostart",
                           G_CALLBACK (autostart_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "window-removed", G_CALLBACK (on_window_removed), NULL);
  update_hold (self);
  /* The portal keeps its answer, so asking again at each start costs no
   * dialog; it tells us when the permission was taken back in Settings
   * meanwhile, and keeps the autostart entry's command line current. */
  if (in_flatpak () && g_settings_get_boolean (self->settings, "run-in-background"))
    request_background (self);
}

/* app.quit and shutdown: the hold goes, whatever the setting says. */
void
_hearth_application_stop_background (HearthApplication *self)
{
  self->quitting = TRUE;
  update_hold (self);
}
