/* test-tray.c — the tray icon as a panel sees it: a real
 * org.kde.StatusNotifierWatcher on a private bus, the item's properties,
 * signals and dbusmenu menu read back and clicked over D-Bus
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <unistd.h>

#include "hearth-alert-rule.h"
#include "hearth-test-panel.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"
#include "hearth-tray.h"

#define ITEM_PATH    "/StatusNotifierItem"
#define ITEM_IFACE   "org.kde.StatusNotifierItem"
#define MENU_IFACE   "com.canonical.dbusmenu"
#define WATCHER_NAME "org.kde.StatusNotifierWatcher"
#define APP_ID       "io.github.hearthapp.Hearth.Test"
#define APP_ICON     APP_ID "-symbolic"
#define TIMEOUT_MS   5000
/* The menu cuts longer messages (the tooltip has them whole). */
#define MAX_LABEL    80

static const char watcher_xml[] =
  "<node>"
  "  <interface name='org.kde.StatusNotifierWatcher'>"
  "    <method name='RegisterStatusNotifierItem'><arg name='service' type='s'/></method>"
  "    <method name='RegisterStatusNotifierHost'><arg name='service' type='s'/></method>"
  "    <property name='RegisteredStatusNotifierItems' type='as' access='read'/>"
  "    <property name='IsStatusNotifierHostRegistered' type='b' access='read'/>"
  "    <property name='ProtocolVersion' type='i' access='read'/>"
  "    <signal name='StatusNotifierItemRegistered'><arg type='s'/></signal>"
  "  </interface>"
  "</node>";

/* Messages of the tray above debug: there must be none. */
static guint tray_messages;
/* One private bus for the program; each test has its own connections. */
static GTestDBus *test_bus;

typedef struct
{
  GDBusConnection *app_bus;     /* the application's connection */
  GDBusConnection *panel_bus;   /* the panel's: the watcher, and what reads the item */
  guint            watcher_object;
  guint            watcher_owner;
  gboolean         watcher_owned;
  GPtrArray       *registrations;  /* services given to RegisterStatusNotifierItem */
  GPtrArray       *item_signals;   /* names of the item's signals, in order */
  guint            subscriptions[2];
  guint            layout_revision;  /* the last LayoutUpdated */
  HearthTray      *tray;
  HearthTestPanel  panel;

  /* what the tray told the application */
  guint            shows;
  guint            alert_shows;   /* "show-alerts": an alert's line */
  char            *activation_token;
  guint            quits;
  gint64           acknowledged_rule;
  char            *acknowledged_subject;
  GArray          *pause_toggles;
} Fixture;

static GLogWriterOutput
count_writer (GLogLevelFlags   level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN") && fields[i].length < 0 &&
        g_str_equal (fields[i].value, "hearth-tray") && !(level & G_LOG_LEVEL_DEBUG))
      tray_messages++;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

/* Waiting on the bus */

static gboolean
spin_until (gboolean (*done) (gpointer),
            gpointer   data)
{
  return hearth_test_spin_until (done, data, TIMEOUT_MS);
}

static guint
count_signal (Fixture    *f,
              const char *name)
{
  guint n = 0;

  for (guint i = 0; i < f->item_signals->len; i++)
    n += g_str_equal (g_ptr_array_index (f->item_signals, i), name);
  return n;
}

/* Signals and replies from one connection arrive in the order they were
 * sent: once a reply is here, every signal sent before it is too. */
static void
sync_with_tray (Fixture *f)
{
  g_autoptr(GVariant) status = hearth_test_panel_item_property (&f->panel, "Status");
}

/* The watcher */

static void
watcher_method_call (GDBusConnection       *connection,
                     const char            *sender,
                     const char            *object_path,
                     const char            *interface_name,
                     const char            *method_name,
                     GVariant              *parameters,
                     GDBusMethodInvocation *invocation,
                     gpointer               user_data)
{
  Fixture *f = user_data;
  const char *service;

  g_variant_get (parameters, "(&s)", &service);
  if (g_str_equal (method_name, "RegisterStatusNotifierItem"))
    g_ptr_array_add (f->registrations, g_strdup (service));
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static GVariant *
watcher_get_property (GDBusConnection  *connection,
                      const char       *sender,
                      const char       *object_path,
                      const char       *interface_name,
                      const char       *property_name,
                      GError          **error,
                      gpointer          user_data)
{
  Fixture *f = user_data;

  if (g_str_equal (property_name, "RegisteredStatusNotifierItems"))
    return g_variant_new_strv ((const char * const *) f->registrations->pdata,
                               f->registrations->len);
  if (g_str_equal (property_name, "IsStatusNotifierHostRegistered"))
    return g_variant_new_boolean (TRUE);
  return g_variant_new_int32 (0);
}

static const GDBusInterfaceVTable watcher_vtable = {
  watcher_method_call,
  watcher_get_property,
  NULL,
};

static void
watcher_acquired (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  ((Fixture *) user_data)->watcher_owned = TRUE;
}

static void
watcher_lost (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  ((Fixture *) user_data)->watcher_owned = FALSE;
}

static gboolean
watcher_is_owned (gpointer data)
{
  return ((Fixture *) data)->watcher_owned;
}

static void
start_watcher (Fixture *f)
{
  f->watcher_owner = g_bus_own_name_on_connection (f->panel_bus, WATCHER_NAME,
                                                   G_BUS_NAME_OWNER_FLAGS_NONE,
                                                   watcher_acquired, watcher_lost, f, NULL);
  g_assert_true (spin_until (watcher_is_owned, f));
}

static gboolean
watcher_is_gone (gpointer data)
{
  return !((Fixture *) data)->watcher_owned;
}

static void
stop_watcher (Fixture *f)
{
  g_clear_handle_id (&f->watcher_owner, g_bus_unown_name);
  f->watcher_owned = FALSE;
}

/* The tray */

static void
on_item_signal (GDBusConnection *connection,
                const char      *sender,
                const char      *path,
                const char      *interface,
                const char      *signal,
                GVariant        *parameters,
                gpointer         user_data)
{
  Fixture *f = user_data;

  if (g_str_equal (signal, "NewStatus"))
    {
      const char *status;

      g_variant_get (parameters, "(&s)", &status);
      g_ptr_array_add (f->item_signals, g_strdup_printf ("NewStatus %s", status));
    }
  g_ptr_array_add (f->item_signals, g_strdup (signal));
}

static void
on_layout_updated (GDBusConnection *connection,
                   const char      *sender,
                   const char      *path,
                   const char      *interface,
                   const char      *signal,
                   GVariant        *parameters,
                   gpointer         user_data)
{
  Fixture *f = user_data;
  int parent;

  g_variant_get (parameters, "(ui)", &f->layout_revision, &parent);
  g_assert_cmpint (parent, ==, 0);
}

static void
on_show (HearthTray *tray,
         const char *activation_token,
         Fixture    *f)
{
  f->shows++;
  g_free (f->activation_token);
  f->activation_token = g_strdup (activation_token);
}

static void
on_show_alerts (HearthTray *tray,
                Fixture    *f)
{
  f->alert_shows++;
}

static void
on_quit (HearthTray *tray,
         Fixture    *f)
{
  f->quits++;
}

static void
on_acknowledge (HearthTray *tray,
                gint64      rule_id,
                const char *subject,
                Fixture    *f)
{
  f->acknowledged_rule = rule_id;
  g_free (f->acknowledged_subject);
  f->acknowledged_subject = g_strdup (subject);
}

static void
on_pause_toggled (HearthTray *tray,
                  gboolean    paused,
                  Fixture    *f)
{
  g_array_append_val (f->pause_toggles, paused);
}

static void
create_tray (Fixture *f)
{
  f->tray = hearth_tray_new (f->app_bus, APP_ID);
  f->panel.bus = f->panel_bus;
  f->panel.item = hearth_tray_get_bus_name (f->tray);
  g_signal_connect (f->tray, "show", G_CALLBACK (on_show), f);
  g_signal_connect (f->tray, "show-alerts", G_CALLBACK (on_show_alerts), f);
  g_signal_connect (f->tray, "quit", G_CALLBACK (on_quit), f);
  g_signal_connect (f->tray, "acknowledge", G_CALLBACK (on_acknowledge), f);
  g_signal_connect (f->tray, "pause-toggled", G_CALLBACK (on_pause_toggled), f);
}

static gboolean
tray_is_registered (gpointer data)
{
  return hearth_tray_is_registered (((Fixture *) data)->tray);
}

static gboolean
tray_is_unregistered (gpointer data)
{
  return !hearth_tray_is_registered (((Fixture *) data)->tray);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  static GDBusNodeInfo *watcher_info;
  g_autoptr(GError) error = NULL;
  const char *address;
  GDBusConnectionFlags flags = G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                               G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION;

  if (watcher_info == NULL)
    watcher_info = g_dbus_node_info_new_for_xml (watcher_xml, NULL);

  address = g_test_dbus_get_bus_address (test_bus);
  f->app_bus = g_dbus_connection_new_for_address_sync (address, flags, NULL, NULL, &error);
  g_assert_no_error (error);
  f->panel_bus = g_dbus_connection_new_for_address_sync (address, flags, NULL, NULL, &error);
  g_assert_no_error (error);

  f->registrations = g_ptr_array_new_with_free_func (g_free);
  f->item_signals = g_ptr_array_new_with_free_func (g_free);
  f->pause_toggles = g_array_new (FALSE, FALSE, sizeof (gboolean));
  f->acknowledged_rule = -1;
  f->watcher_object = g_dbus_connection_register_object (f->panel_bus, "/StatusNotifierWatcher",
                                                         watcher_info->interfaces[0],
                                                         &watcher_vtable, f, NULL, &error);
  g_assert_no_error (error);
  f->subscriptions[0] = g_dbus_connection_signal_subscribe (f->panel_bus, NULL, ITEM_IFACE, NULL,
                                                            ITEM_PATH, NULL,
                                                            G_DBUS_SIGNAL_FLAGS_NONE,
                                                            on_item_signal, f, NULL);
  f->subscriptions[1] = g_dbus_connection_signal_subscribe (f->panel_bus, NULL, MENU_IFACE,
                                                            "LayoutUpdated", "/MenuBar", NULL,
                                                            G_DBUS_SIGNAL_FLAGS_NONE,
                                                            on_layout_updated, f, NULL);
  tray_messages = 0;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->tray != NULL)
    g_assert_finalize_object (g_steal_pointer (&f->tray));
  stop_watcher (f);
  g_dbus_connection_unregister_object (f->panel_bus, f->watcher_object);
  for (guint i = 0; i < G_N_ELEMENTS (f->subscriptions); i++)
    g_dbus_connection_signal_unsubscribe (f->panel_bus, f->subscriptions[i]);
  g_dbus_connection_close_sync (f->app_bus, NULL, NULL);
  g_dbus_connection_close_sync (f->panel_bus, NULL, NULL);
  g_clear_object (&f->app_bus);
  g_clear_object (&f->panel_bus);
  g_ptr_array_unref (f->registrations);
  g_ptr_array_unref (f->item_signals);
  g_array_unref (f->pause_toggles);
  g_free (f->acknowledged_subject);
  g_free (f->activation_token);
  g_assert_cmpuint (tray_messages, ==, 0);
}

/* Alerts as hearth_alerts_list_active() gives them */
static HearthAlertEvent *
firing_alert (gint64               rule_id,
              const char          *subject,
              HearthAlertSeverity  severity,
              const char          *message)
{
  HearthAlertEvent *event = hearth_alert_event_new ();

  event->rule_id = rule_id;
  event->rule_name = g_strdup ("A rule");
  event->subject = g_strdup (subject);
  event->state = HEARTH_ALERT_STATE_FIRING;
  event->severity = severity;
  event->channels = HEARTH_ALERT_CHANNEL_TRAY | HEARTH_ALERT_CHANNEL_NOTIFICATION;
  event->message = g_strdup (message);
  return event;
}

static GPtrArray *
alert_list (HearthAlertEvent *first,
            ...)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_alert_event_free);
  va_list args;

  va_start (args, first);
  for (HearthAlertEvent *event = first; event != NULL; event = va_arg (args, HearthAlertEvent *))
    g_ptr_array_add (list, event);
  va_end (args);
  return list;
}

#define SLOW_MESSAGE "qwen3 replies at 12 tokens/s, 40 % under its normal 20 (tokens_per_s)"
#define HOT_MESSAGE  "The GPU is at 91 °C, above 85 °C for 30 s"

/* Registration */

static void
test_registers_with_watcher (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *prefix = g_strdup_printf ("org.kde.StatusNotifierItem-%d-", (int) getpid ());

  start_watcher (f);
  create_tray (f);
  g_assert_true (spin_until (tray_is_registered, f));

  g_assert_cmpuint (f->registrations->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->registrations, 0), ==, hearth_tray_get_bus_name (f->tray));
  g_assert_true (g_str_has_prefix (hearth_tray_get_bus_name (f->tray), prefix));
}

static void
test_watcher_restart (Fixture       *f,
                      gconstpointer  data)
{
  start_watcher (f);
  create_tray (f);
  g_assert_true (spin_until (tray_is_registered, f));

  /* The panel restarts: its watcher leaves the bus and comes back. */
  stop_watcher (f);
  g_assert_true (spin_until (watcher_is_gone, f));
  g_assert_true (spin_until (tray_is_unregistered, f));
  start_watcher (f);
  g_assert_true (spin_until (tray_is_registered, f));

  g_assert_cmpuint (f->registrations->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (f->registrations, 1), ==, hearth_tray_get_bus_name (f->tray));
}

static void
tray_name_appeared (GDBusConnection *connection,
                    const char      *name,
                    const char      *name_owner,
                    gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/* Until the panel can see the item on the bus */
static void
wait_for_tray_name (Fixture *f)
{
  gboolean appeared = FALSE;
  guint watch = g_bus_watch_name_on_connection (f->panel_bus, hearth_tray_get_bus_name (f->tray),
                                                G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                tray_name_appeared, NULL, &appeared, NULL);

  g_assert_true (spin_until (is_true, &appeared));
  g_bus_unwatch_name (watch);
}

static void
test_no_watcher (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *status = NULL;

  create_tray (f);
  wait_for_tray_name (f);

  /* Exported and answering, registered with nobody, and quiet about it */
  status = hearth_test_panel_item_string (&f->panel, "Status");
  g_assert_cmpstr (status, ==, "Active");
  g_assert_false (hearth_tray_is_registered (f->tray));
  g_assert_cmpuint (f->registrations->len, ==, 0);
  g_assert_cmpuint (tray_messages, ==, 0);

  /* A panel that starts later finds it. */
  start_watcher (f);
  g_assert_true (spin_until (tray_is_registered, f));
  g_assert_cmpuint (f->registrations->len, ==, 1);
}

static void
name_requested (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result,
                                                             NULL);

  (*(guint *) user_data)++;
}

static gboolean
all_requested (gpointer data)
{
  return *(guint *) data == 64;
}

static gboolean
tray_uses_unique_name (gpointer data)
{
  return hearth_tray_get_bus_name (((Fixture *) data)->tray)[0] == ':';
}

/* Another program (or a sandbox) holds the usual name: the item goes by its
 * connection's unique name, which watchers take as well. */
static void
test_name_taken (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *status = NULL;
  guint requested = 0;

  for (guint i = 1; i <= 64; i++)
    {
      g_autofree char *name = g_strdup_printf ("org.kde.StatusNotifierItem-%d-%u",
                                               (int) getpid (), i);

      g_dbus_connection_call (f->panel_bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                              "org.freedesktop.DBus", "RequestName",
                              g_variant_new ("(su)", name, 4 /* DO_NOT_QUEUE */), NULL,
                              G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, name_requested,
                              &requested);
    }
  g_assert_true (spin_until (all_requested, &requested));

  start_watcher (f);
  create_tray (f);
  g_assert_true (spin_until (tray_uses_unique_name, f));
  g_assert_true (spin_until (tray_is_registered, f));
  g_assert_cmpstr (hearth_tray_get_bus_name (f->tray), ==,
                   g_dbus_connection_get_unique_name (f->app_bus));
  g_assert_cmpuint (f->registrations->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->registrations, 0), ==,
                   g_dbus_connection_get_unique_name (f->app_bus));

  f->panel.item = hearth_tray_get_bus_name (f->tray);
  status = hearth_test_panel_item_string (&f->panel, "Status");
  g_assert_cmpstr (status, ==, "Active");
}

/* Properties and their signals */

static void
test_properties (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) all = NULL;
  g_autofree char *tooltip = NULL;
  const char *text;
  gboolean is_menu = TRUE;

  start_watcher (f);
  create_tray (f);
  g_assert_true (spin_until (tray_is_registered, f));

  reply = hearth_test_panel_call (&f->panel, ITEM_PATH, "org.freedesktop.DBus.Properties", "GetAll",
                      g_variant_new ("(s)", ITEM_IFACE), &error);
  g_assert_no_error (error);
  all = g_variant_get_child_value (reply, 0);
  g_assert_true (g_variant_lookup (all, "Category", "&s", &text));
  g_assert_cmpstr (text, ==, "ApplicationStatus");
  g_assert_true (g_variant_lookup (all, "Id", "&s", &text));
  g_assert_cmpstr (text, ==, APP_ID);
  g_assert_true (g_variant_lookup (all, "Title", "&s", &text));
  g_assert_cmpstr (text, ==, "Hearth");
  g_assert_true (g_variant_lookup (all, "Status", "&s", &text));
  g_assert_cmpstr (text, ==, "Active");
  g_assert_true (g_variant_lookup (all, "IconName", "&s", &text));
  g_assert_cmpstr (text, ==, APP_ICON);
  g_assert_true (g_variant_lookup (all, "Menu", "&o", &text));
  g_assert_cmpstr (text, ==, "/MenuBar");
  g_assert_true (g_variant_lookup (all, "ItemIsMenu", "b", &is_menu));
  g_assert_false (is_menu);

  tooltip = hearth_test_panel_tooltip (&f->panel);
  g_assert_cmpstr (tooltip, ==, "Nothing needs attention");

  /* A click on the icon brings the window. */
  g_clear_pointer (&reply, g_variant_unref);
  reply = hearth_test_panel_call (&f->panel, ITEM_PATH, ITEM_IFACE, "Activate", g_variant_new ("(ii)", 10, 10),
                      &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->shows, ==, 1);
  g_assert_null (f->activation_token);

  /* On Wayland the panel gives a token first, for the window to come to the
   * front; it is used once. */
  g_clear_pointer (&reply, g_variant_unref);
  reply = hearth_test_panel_call (&f->panel, ITEM_PATH, ITEM_IFACE, "ProvideXdgActivationToken",
                                  g_variant_new ("(s)", "token-from-panel"), &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);
  reply = hearth_test_panel_call (&f->panel, ITEM_PATH, ITEM_IFACE, "Activate",
                                  g_variant_new ("(ii)", 10, 10), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->shows, ==, 2);
  g_assert_cmpstr (f->activation_token, ==, "token-from-panel");
  g_clear_pointer (&reply, g_variant_unref);
  reply = hearth_test_panel_call (&f->panel, ITEM_PATH, ITEM_IFACE, "SecondaryActivate",
                                  g_variant_new ("(ii)", 10, 10), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->shows, ==, 3);
  g_assert_null (f->activation_token);
}

static void
test_alert_changes_icon (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) alerts = NULL;
  g_autofree char *status = NULL;
  g_autofree char *icon = NULL;
  g_autofree char *attention = NULL;
  g_autofree char *tooltip = NULL;
  HearthAlertEvent *hot;

  start_watcher (f);
  create_tray (f);
  g_assert_true (spin_until (tray_is_registered, f));
  sync_with_tray (f);
  g_ptr_array_set_size (f->item_signals, 0);

  hot = firing_alert (7, NULL, HEARTH_ALERT_CRITICAL, HOT_MESSAGE);
  alerts = alert_list (hot, firing_alert (8, "qwen3", HEARTH_ALERT_WARNING, SLOW_MESSAGE), NULL);
  hearth_tray_set_alerts (f->tray, alerts, FALSE);
  sync_with_tray (f);

  status = hearth_test_panel_item_string (&f->panel, "Status");
  icon = hearth_test_panel_item_string (&f->panel, "IconName");
  attention = hearth_test_panel_item_string (&f->panel, "AttentionIconName");
  tooltip = hearth_test_panel_tooltip (&f->panel);
  g_assert_cmpstr (status, ==, "NeedsAttention");
  g_assert_cmpstr (icon, ==, "dialog-error-symbolic");
  g_assert_cmpstr (attention, ==, "dialog-error-symbolic");
  g_assert_nonnull (strstr (tooltip, HOT_MESSAGE));
  g_assert_nonnull (strstr (tooltip, SLOW_MESSAGE));
  g_assert_cmpuint (count_signal (f, "NewStatus NeedsAttention"), ==, 1);
  g_assert_cmpuint (count_signal (f, "NewIcon"), ==, 1);
  g_assert_cmpuint (count_signal (f, "NewAttentionIcon"), ==, 1);
  g_assert_cmpuint (count_signal (f, "NewToolTip"), ==, 1);

  /* The same alerts again change nothing and say nothing. */
  hearth_tray_set_alerts (f->tray, alerts, FALSE);
  sync_with_tray (f);
  g_assert_cmpuint (f->item_signals->len, ==, 5);

  /* The critical one acknowledged: the warning is what is left to see. */
  hot->acknowledged = TRUE;
  hearth_tray_set_alerts (f->tray, alerts, FALSE);
  g_clear_pointer (&icon, g_free);
  g_clear_pointer (&tooltip, g_free);
  icon = hearth_test_panel_item_string (&f->panel, "IconName");
  tooltip = hearth_test_panel_tooltip (&f->panel);
  g_assert_cmpstr (icon, ==, "dialog-warning-symbolic");
  g_assert_nonnull (strstr (tooltip, "(acknowledged)"));
  g_assert_cmpuint (count_signal (f, "NewIcon"), ==, 2);

  /* Every alert acknowledged, or monitoring paused: back to normal */
  ((HearthAlertEvent *) g_ptr_array_index (alerts, 1))->acknowledged = TRUE;
  hearth_tray_set_alerts (f->tray, alerts, FALSE);
  g_clear_pointer (&status, g_free);
  g_clear_pointer (&icon, g_free);
  status = hearth_test_panel_item_string (&f->panel, "Status");
  icon = hearth_test_panel_item_string (&f->panel, "IconName");
  g_assert_cmpstr (status, ==, "Active");
  g_assert_cmpstr (icon, ==, APP_ICON);
  g_assert_cmpuint (count_signal (f, "NewStatus Active"), ==, 1);

  hot->acknowledged = FALSE;
  hearth_tray_set_alerts (f->tray, alerts, TRUE);
  g_clear_pointer (&status, g_free);
  g_clear_pointer (&tooltip, g_free);
  status = hearth_test_panel_item_string (&f->panel, "Status");
  tooltip = hearth_test_panel_tooltip (&f->panel);
  g_assert_cmpstr (status, ==, "Active");
  g_assert_true (g_str_has_prefix (tooltip, "Monitoring is paused"));
}

static void
test_only_firing_tray_alerts (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) alerts = NULL;
  g_autofree char *status = NULL;
  HearthAlertEvent *pending = firing_alert (1, NULL, HEARTH_ALERT_CRITICAL, "Pending");
  HearthAlertEvent *elsewhere = firing_alert (2, NULL, HEARTH_ALERT_CRITICAL, "Webhook only");

  pending->state = HEARTH_ALERT_STATE_PENDING;
  elsewhere->channels = HEARTH_ALERT_CHANNEL_WEBHOOK;
  alerts = alert_list (pending, elsewhere, NULL);

  create_tray (f);
  wait_for_tray_name (f);
  hearth_tray_set_alerts (f->tray, alerts, FALSE);
  status = hearth_test_panel_item_string (&f->panel, "Status");
  g_assert_cmpstr (status, ==, "Active");
}

/* The menu */

static void
test_menu (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GPtrArray) alerts = NULL;
  g_autoptr(GVariant) layout = NULL;
  g_autofree char *menu = NULL;
  guint revision, first_revision;

  start_watcher (f);
  create_tray (f);
  g_assert_true (spin_until (tray_is_registered, f));

  layout = hearth_test_panel_menu (&f->panel, &first_revision);
  menu = hearth_test_panel_describe_menu (layout);
  g_assert_cmpstr (menu, ==,
                   "Show Hearth|--|(Nothing needs attention)|--|[ ] Pause Monitoring|--|Quit");

  alerts = alert_list (firing_alert (7, NULL, HEARTH_ALERT_CRITICAL, HOT_MESSAGE),
                       firing_alert (8, "qwen3", HEARTH_ALERT_WARNING, SLOW_MESSAGE), NULL);
  hearth_tray_set_alerts (f->tray, alerts, FALSE);
  g_clear_pointer (&layout, g_variant_unref);
  g_clear_pointer (&menu, g_free);
  layout = hearth_test_panel_menu (&f->panel, &revision);
  menu = hearth_test_panel_describe_menu (layout);
  /* The message's underscore is not an access key: it is doubled. */
  g_assert_cmpstr (menu, ==,
                   "Show Hearth|--|" HOT_MESSAGE "|Acknowledge|--|"
                   "qwen3 replies at 12 tokens/s, 40 % under its normal 20 (tokens__per__s)|"
                   "Acknowledge|--|[ ] Pause Monitoring|--|Quit");
  g_assert_cmpuint (revision, >, first_revision);
  g_assert_cmpuint (f->layout_revision, ==, revision);

  /* Acknowledge under the second alert acknowledges the second alert. */
  hearth_test_panel_click (&f->panel, hearth_test_panel_find_item (layout, "Acknowledge", 1));
  g_assert_cmpint (f->acknowledged_rule, ==, 8);
  g_assert_cmpstr (f->acknowledged_subject, ==, "qwen3");
  hearth_test_panel_click (&f->panel, hearth_test_panel_find_item (layout, "Acknowledge", 0));
  g_assert_cmpint (f->acknowledged_rule, ==, 7);
  g_assert_null (f->acknowledged_subject);

  /* Acknowledged, it says so and cannot be acknowledged again. */
  ((HearthAlertEvent *) g_ptr_array_index (alerts, 0))->acknowledged = TRUE;
  hearth_tray_set_alerts (f->tray, alerts, FALSE);
  g_clear_pointer (&layout, g_variant_unref);
  g_clear_pointer (&menu, g_free);
  layout = hearth_test_panel_menu (&f->panel, &revision);
  menu = hearth_test_panel_describe_menu (layout);
  g_assert_true (g_str_has_prefix (menu, "Show Hearth|--|" HOT_MESSAGE "|(Acknowledged)|--|"));

  /* Pause is a check mark that follows the click. */
  hearth_test_panel_click (&f->panel, hearth_test_panel_find_item (layout, "Pause Monitoring", 0));
  g_assert_cmpuint (f->pause_toggles->len, ==, 1);
  g_assert_true (g_array_index (f->pause_toggles, gboolean, 0));
  g_clear_pointer (&layout, g_variant_unref);
  g_clear_pointer (&menu, g_free);
  layout = hearth_test_panel_menu (&f->panel, &first_revision);
  menu = hearth_test_panel_describe_menu (layout);
  g_assert_nonnull (strstr (menu, "[x] Pause Monitoring"));
  g_assert_cmpuint (first_revision, >, revision);
  hearth_test_panel_click (&f->panel, hearth_test_panel_find_item (layout, "Pause Monitoring", 0));
  g_assert_false (g_array_index (f->pause_toggles, gboolean, 1));

  hearth_test_panel_click (&f->panel, hearth_test_panel_find_item (layout, "Show Hearth", 0));
  g_assert_cmpuint (f->shows, ==, 1);
  hearth_test_panel_click (&f->panel, hearth_test_panel_find_item (layout, "Quit", 0));
  g_assert_cmpuint (f->quits, ==, 1);
}

static void
test_menu_bad_input (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) layout = NULL;
  g_autoptr(GVariant) value = NULL;
  guint revision;

  create_tray (f);
  wait_for_tray_name (f);
  layout = hearth_test_panel_menu (&f->panel, &revision);

  /* An item that is not there, or not any more: an error, nothing done */
  reply = hearth_test_panel_call (&f->panel, "/MenuBar", MENU_IFACE, "Event",
                      g_variant_new ("(isvu)", 4242, "clicked", g_variant_new_int32 (0), 0),
                      &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  reply = hearth_test_panel_call (&f->panel, "/MenuBar", MENU_IFACE, "GetLayout",
                      g_variant_new ("(iias)", 4242, -1, NULL), &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  /* A disabled item clicked does nothing; other events neither */
  hearth_test_panel_click (&f->panel, hearth_test_panel_find_item (layout, "Nothing needs attention", 0));
  reply = hearth_test_panel_call (&f->panel, "/MenuBar", MENU_IFACE, "Event",
                      g_variant_new ("(isvu)", hearth_test_panel_find_item (layout, "Quit", 0), "hovered",
                                     g_variant_new_int32 (0), 0),
                      &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->quits + f->shows, ==, 0);

  /* One property of one item */
  g_clear_pointer (&reply, g_variant_unref);
  reply = hearth_test_panel_call (&f->panel, "/MenuBar", MENU_IFACE, "GetProperty",
                      g_variant_new ("(is)", hearth_test_panel_find_item (layout, "Quit", 0), "label"), &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, "Quit");
}

static void
test_menu_many_alerts (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) alerts = alert_list (NULL);
  g_autoptr(GVariant) layout = NULL;
  g_autofree char *menu = NULL;
  g_autofree char *long_message = NULL;
  g_autofree char *too_long = g_strnfill (MAX_LABEL + 1, 'x');
  guint revision;

  long_message = g_strnfill (200, 'x');
  g_ptr_array_add (alerts, firing_alert (1, NULL, HEARTH_ALERT_WARNING, long_message));
  for (int i = 2; i <= 11; i++)
    {
      g_autofree char *message = g_strdup_printf ("Alert %d", i);

      g_ptr_array_add (alerts, firing_alert (i, NULL, HEARTH_ALERT_WARNING, message));
    }

  create_tray (f);
  wait_for_tray_name (f);
  hearth_tray_set_alerts (f->tray, alerts, FALSE);
  layout = hearth_test_panel_menu (&f->panel, &revision);
  menu = hearth_test_panel_describe_menu (layout);

  /* Eight shown, cut to a readable width; the rest are one item */
  g_assert_nonnull (strstr (menu, "xxx…|Acknowledge"));
  g_assert_null (strstr (menu, too_long));
  g_assert_nonnull (strstr (menu, "Alert 8|Acknowledge|3 more alerts in Hearth…|--"));
  g_assert_null (strstr (menu, "Alert 9"));
  /* ... which open the Alerts view, not just the window */
  hearth_test_panel_click (&f->panel, hearth_test_panel_find_item (layout, "3 more alerts in Hearth…", 0));
  g_assert_cmpuint (f->alert_shows, ==, 1);
  g_assert_cmpuint (f->shows, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  hearth_test_init (&argc, &argv);
  g_log_set_writer_func (count_writer, NULL, NULL);
  test_bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (test_bus);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/tray/registers-with-watcher", test_registers_with_watcher);
  ADD ("/tray/watcher-restart", test_watcher_restart);
  ADD ("/tray/no-watcher", test_no_watcher);
  ADD ("/tray/name-taken", test_name_taken);
  ADD ("/tray/properties", test_properties);
  ADD ("/tray/alert-changes-icon", test_alert_changes_icon);
  ADD ("/tray/only-firing-tray-alerts", test_only_firing_tray_alerts);
  ADD ("/tray/menu", test_menu);
  ADD ("/tray/menu-bad-input", test_menu_bad_input);
  ADD ("/tray/menu-many-alerts", test_menu_many_alerts);
#undef ADD

  status = g_test_run ();
  g_test_dbus_down (test_bus);
  g_object_unref (test_bus);
  return status;
}
