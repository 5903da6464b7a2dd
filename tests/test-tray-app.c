/* test-tray-app.c — the application's tray icon follows the engine's
 * alerts, and its menu acts on them, read and clicked over the session bus
 * as a panel would
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "hearth-alerts.h"
#include "hearth-application-tray-private.h"
#include "hearth-test-panel.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"
#include "hearth-window.h"

#define MODEL "tray-test-model"

static HearthApplication *app;

typedef struct
{
  HearthTestPanel  panel;
  const char      *status;
} StatusWait;

static gboolean
status_is (gpointer data)
{
  StatusWait *wait = data;
  g_autofree char *status = hearth_test_panel_item_string (&wait->panel, "Status");

  return g_str_equal (status, wait->status);
}

/* The icon asks for attention from a signal of the engine, on the next turn
 * of the loop at most. */
static void
wait_for_status (const HearthTestPanel *panel,
                 const char            *status)
{
  StatusWait wait = { *panel, status };

  g_assert_true (hearth_test_spin_until (status_is, &wait, 5000));
}

static gint64
add_slow_model_rule (HearthAlerts *alerts)
{
  g_autoptr(HearthAlertRule) rule = hearth_alert_rule_new ();
  g_autoptr(GError) error = NULL;

  rule->name = g_strdup ("Slow test model");
  rule->metric = HEARTH_ALERT_METRIC_TOKENS_PER_S;
  rule->condition = HEARTH_ALERT_BELOW;
  rule->threshold = 20;
  rule->for_ms = 30 * 1000;
  rule->subject = g_strdup (MODEL);
  rule->severity = HEARTH_ALERT_CRITICAL;
  rule->channels = HEARTH_ALERT_CHANNEL_TRAY;
  rule->enabled = TRUE;
  hearth_alerts_add_rule (alerts, rule, &error);
  g_assert_no_error (error);
  return rule->id;
}

static char *
firing_message (HearthAlerts *alerts,
                gint64        rule_id,
                gboolean     *acknowledged)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) active = hearth_alerts_list_active (alerts, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < active->len; i++)
    {
      HearthAlertEvent *event = g_ptr_array_index (active, i);

      if (event->rule_id == rule_id && event->state == HEARTH_ALERT_STATE_FIRING)
        {
          *acknowledged = event->acknowledged;
          return g_strdup (event->message);
        }
    }
  return NULL;
}

static void
test_tray_follows_alerts (void)
{
  HearthAlerts *alerts = hearth_engine_get_alerts (hearth_application_get_engine (app));
  HearthTray *tray = hearth_application_get_tray (app);
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) menu = NULL;
  g_autofree char *address = NULL;
  g_autofree char *message = NULL;
  g_autofree char *tooltip = NULL;
  g_autofree char *icon = NULL;
  g_autofree char *described = NULL;
  HearthTestPanel panel;
  GtkWindow *window;
  GtkWidget *stack;
  gboolean acknowledged = TRUE;
  gint64 now = g_get_real_time () / 1000;
  gint64 rule_id;
  guint revision;

  g_assert_nonnull (tray);
  address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  bus = g_dbus_connection_new_for_address_sync (address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);
  g_assert_no_error (error);
  panel.bus = bus;
  panel.item = hearth_tray_get_bus_name (tray);
  wait_for_status (&panel, "Active");

  /* A model slower than the rule allows for 30 s: the alert fires. */
  rule_id = add_slow_model_rule (alerts);
  hearth_alerts_observe (alerts, HEARTH_ALERT_METRIC_TOKENS_PER_S, MODEL, 5, now);
  hearth_alerts_tick (alerts, now + 31 * 1000);
  message = firing_message (alerts, rule_id, &acknowledged);
  g_assert_nonnull (message);
  g_assert_false (acknowledged);

  wait_for_status (&panel, "NeedsAttention");
  icon = hearth_test_panel_item_string (&panel, "IconName");
  tooltip = hearth_test_panel_tooltip (&panel);
  g_assert_cmpstr (icon, ==, "dialog-error-symbolic");
  g_assert_nonnull (strstr (tooltip, message));

  /* Acknowledge in the menu acknowledges it in the engine. */
  menu = hearth_test_panel_menu (&panel, &revision);
  described = hearth_test_panel_describe_menu (menu);
  g_assert_nonnull (strstr (described, "|Acknowledge|"));
  hearth_test_panel_click (&panel, hearth_test_panel_find_item (menu, "Acknowledge", 0));
  wait_for_status (&panel, "Active");
  g_clear_pointer (&message, g_free);
  message = firing_message (alerts, rule_id, &acknowledged);
  g_assert_true (acknowledged);

  /* Pause Monitoring pauses the engine's alerts, and resumes them. */
  hearth_test_panel_click (&panel, hearth_test_panel_find_item (menu, "Pause Monitoring", 0));
  g_assert_true (hearth_alerts_get_paused (alerts));
  g_clear_pointer (&menu, g_variant_unref);
  g_clear_pointer (&described, g_free);
  menu = hearth_test_panel_menu (&panel, &revision);
  described = hearth_test_panel_describe_menu (menu);
  g_assert_nonnull (strstr (described, "[x] Pause Monitoring"));
  hearth_test_panel_click (&panel, hearth_test_panel_find_item (menu, "Pause Monitoring", 0));
  g_assert_false (hearth_alerts_get_paused (alerts));

  /* The alert's own line opens Hearth on the Alerts view. */
  g_assert_null (gtk_application_get_active_window (GTK_APPLICATION (app)));
  hearth_test_panel_click (&panel, hearth_test_panel_find_item (menu, message, 0));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_nonnull (window);
  stack = gtk_widget_get_ancestor (hearth_window_get_page (HEARTH_WINDOW (window), "alerts"),
                                   ADW_TYPE_VIEW_STACK);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (stack)), ==, "alerts");
  gtk_window_destroy (window);
  hearth_test_spin_for (100);

  /* Show Hearth opens the window; Quit closes it. */
  g_assert_null (gtk_application_get_active_window (GTK_APPLICATION (app)));
  hearth_test_panel_click (&panel, hearth_test_panel_find_item (menu, "Show Hearth", 0));
  g_assert_nonnull (gtk_application_get_active_window (GTK_APPLICATION (app)));
  hearth_test_panel_click (&panel, hearth_test_panel_find_item (menu, "Quit", 0));
  hearth_test_spin_for (100);
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));

  hearth_alerts_remove_rule (alerts, rule_id, &error);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  hearth_test_init (&argc, &argv);
  if (!gtk_init_check ())
    {
      g_test_skip ("No display");
      return 77;
    }
  adw_init ();

  app = hearth_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/tray-app/follows-alerts", test_tray_follows_alerts);
  status = g_test_run ();

  g_clear_object (&app);
  return status;
}
