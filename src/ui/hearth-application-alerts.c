/* hearth-application-alerts.c — alerts told as desktop notifications, and the
 * app actions their buttons (and hearth-cli) use
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GNotification picks the desktop's way to show them (GNOME Shell, the
 * portal in Flatpak, org.freedesktop.Notifications elsewhere). Under GNOME
 * and in Flatpak a button works when Hearth is not running: the desktop
 * starts it over D-Bus and activates the action right after startup.
 */
#define G_LOG_DOMAIN "hearth-application-alerts"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-alerts.h"
#include "hearth-application-private.h"

static HearthAlerts *
get_alerts (HearthApplication *self)
{
  return hearth_engine_get_alerts (self->engine);
}

/* One notification per rule and subject: a resolve or an escalation replaces
 * the firing one instead of piling up; a test has its own. */
static char *
notification_id (const HearthAlertEvent *event)
{
  if (event->is_test)
    return g_strdup_printf ("alert-%" G_GINT64_FORMAT "-test", event->rule_id);
  return g_strdup_printf ("alert-%" G_GINT64_FORMAT "-%s", event->rule_id,
                          event->subject != NULL ? event->subject : "");
}

static char *
notification_title (const HearthAlertEvent *event)
{
  const char *name = event->rule_name != NULL ? event->rule_name : _("Alert");
  g_autofree char *named = NULL;

  /* "Model slower than usual — llama3.2" when the rule watches each model */
  named = event->subject != NULL && *event->subject != '\0'
            ? g_strdup_printf (_("%s — %s"), name, event->subject)
            : g_strdup (name);
  if (event->is_test)
    /* Translators: a notification sent by "Send Test" or hearth-cli alerts test */
    return g_strdup_printf (_("Test: %s"), named);
  if (event->state == HEARTH_ALERT_STATE_RESOLVED || event->state == HEARTH_ALERT_STATE_OK)
    return g_strdup_printf (_("Resolved: %s"), named);
  return g_steal_pointer (&named);
}

static GNotification *
build_notification (const HearthAlertEvent *event)
{
  gboolean firing = event->state == HEARTH_ALERT_STATE_FIRING;
  g_autofree char *title = notification_title (event);
  GNotification *notification = g_notification_new (title);

  if (event->message != NULL && *event->message != '\0')
    g_notification_set_body (notification, event->message);
  if (!firing)
    g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_LOW);
  else if (event->severity == HEARTH_ALERT_CRITICAL)
    g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_URGENT);
  else
    g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);

  g_notification_set_default_action (notification, "app.show-performance");
  g_notification_add_button (notification, _("Open Hearth"), "app.show-performance");
  /* A test is not an alert: there is nothing to silence. */
  if (firing && !event->is_test)
    g_notification_add_button_with_target (notification, _("Acknowledge"),
                                           "app.acknowledge-alert", "x", event->rule_id);
  return notification;
}

static void
withdraw_rule (HearthApplication *self,
               gint64             rule_id)
{
  GHashTableIter iter;
  gpointer id;
  gpointer value;

  g_hash_table_iter_init (&iter, self->alert_notifications);
  while (g_hash_table_iter_next (&iter, &id, &value))
    {
      if (*(gint64 *) value != rule_id)
        continue;
      g_application_withdraw_notification (G_APPLICATION (self), id);
      g_hash_table_iter_remove (&iter);
    }
}

static void
on_transition (HearthApplication      *self,
               const HearthAlertEvent *event)
{
  g_autofree char *id = notification_id (event);
  g_autoptr(GNotification) notification = NULL;
  gboolean shown = g_hash_table_contains (self->alert_notifications, id);

  if (!(event->channels & HEARTH_ALERT_CHANNEL_NOTIFICATION))
    return;
  if (!event->deliver)
    {
      /* Resolved while silenced (acknowledged, quiet hours): the firing
       * notification would be out of date. */
      if (shown && event->state != HEARTH_ALERT_STATE_FIRING)
        {
          g_application_withdraw_notification (G_APPLICATION (self), id);
          g_hash_table_remove (self->alert_notifications, id);
        }
      return;
    }
  if (event->state == HEARTH_ALERT_STATE_PENDING)
    return;

  g_debug ("Telling %s (%s) as a notification", id, hearth_alert_state_to_string (event->state));
  notification = build_notification (event);
  g_application_send_notification (G_APPLICATION (self), id, notification);
  if (event->state == HEARTH_ALERT_STATE_FIRING && !event->is_test)
    g_hash_table_insert (self->alert_notifications, g_steal_pointer (&id),
                         g_memdup2 (&event->rule_id, sizeof event->rule_id));
  else
    g_hash_table_remove (self->alert_notifications, id);
}

/* Acknowledged elsewhere (the Alerts view, the tray, hearth-cli alerts ack):
 * the notification asking for it goes. */
static void
on_alerts_changed (HearthApplication *self)
{
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(GHashTable) acknowledged = NULL;
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer rule_id;

  if (g_hash_table_size (self->alert_notifications) == 0)
    return;
  active = hearth_alerts_list_active (get_alerts (self), &error);
  if (active == NULL)
    {
      g_debug ("Could not list the active alerts: %s", error->message);
      return;
    }
  acknowledged = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < active->len; i++)
    {
      HearthAlertEvent *event = g_ptr_array_index (active, i);

      if (event->acknowledged)
        g_hash_table_add (acknowledged, &event->rule_id);
    }
  g_hash_table_iter_init (&iter, acknowledged);
  while (g_hash_table_iter_next (&iter, &rule_id, NULL))
    withdraw_rule (self, *(gint64 *) rule_id);
}

static void
show_performance (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  HearthWindow *window = _hearth_application_present_window (user_data);
  GtkWidget *page = hearth_window_get_page (window, "performance");
  GtkWidget *stack = page != NULL ? gtk_widget_get_ancestor (page, ADW_TYPE_VIEW_STACK) : NULL;

  /* The window's own view switcher follows its stack. */
  if (stack != NULL)
    adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), "performance");
}

static void
acknowledge_alert (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  HearthApplication *self = user_data;
  gint64 rule_id = g_variant_get_int64 (parameter);
  g_autoptr(GError) error = NULL;

  withdraw_rule (self, rule_id);
  /* A notification left over from an alert that has resolved since: nothing
   * to acknowledge, and nothing the person needs to hear about. */
  if (!hearth_alerts_acknowledge (get_alerts (self), rule_id, NULL, &error))
    g_message ("Alert %" G_GINT64_FORMAT " not acknowledged: %s", rule_id, error->message);
}

/* hearth-cli alerts test ID, when Hearth runs: the CLI sent the log and
 * the webhook itself; the notification and tray channels are this
 * process's. */
static void
test_alert (GSimpleAction *action,
            GVariant      *parameter,
            gpointer       user_data)
{
  HearthApplication *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!hearth_alerts_announce_test (get_alerts (self), g_variant_get_int64 (parameter), &error))
    g_message ("The test alert was not shown: %s", error->message);
}

static const GActionEntry alert_entries[] = {
  { "show-performance", show_performance },
  { "acknowledge-alert", acknowledge_alert, "x" },
  { "test-alert", test_alert, "x" },
};

void
_hearth_application_setup_alerts (HearthApplication *self)
{
  HearthAlerts *alerts = get_alerts (self);

  self->alert_notifications = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_action_map_add_action_entries (G_ACTION_MAP (self), alert_entries,
                                   G_N_ELEMENTS (alert_entries), self);
  g_signal_connect_object (alerts, "transition", G_CALLBACK (on_transition), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (alerts, "changed", G_CALLBACK (on_alerts_changed), self,
                           G_CONNECT_SWAPPED);
}
