/* test-notifications.c — alerts told as desktop notifications, received by a
 * real notification daemon (dunst) on a private session bus, and their
 * buttons clicked through it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-notifications"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "hearth-alerts.h"
#include "hearth-application.h"
#include "hearth-test-dunst.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"
#include "hearth-window.h"

/* The installed Hearth takes APP_ID on the bus (the last test starts it). */
#define TEST_APP_ID APP_ID ".Test"

static HearthApplication *app;
static GPtrArray *transitions;   /* HearthAlertEvent: what the app's alerts told */
static gboolean have_dunst;

static HearthAlerts *
get_alerts (void)
{
  return hearth_engine_get_alerts (hearth_application_get_engine (app));
}

static void
on_transition (HearthAlerts     *alerts,
               HearthAlertEvent *event,
               gpointer          user_data)
{
  g_ptr_array_add (transitions, hearth_alert_event_copy (event));
}

/* A rule on one model's decode speed: only what the test observes feeds it,
 * never the machine's own load. */
static gint64
add_rule (const char          *name,
          const char          *model,
          HearthAlertSeverity  severity)
{
  g_autoptr(HearthAlertRule) rule = hearth_alert_rule_new ();
  g_autoptr(GError) error = NULL;

  rule->name = g_strdup (name);
  rule->metric = HEARTH_ALERT_METRIC_TOKENS_PER_S;
  rule->condition = HEARTH_ALERT_BELOW;
  rule->threshold = 20;
  rule->for_ms = 0;
  rule->subject = g_strdup (model);
  rule->severity = severity;
  rule->cooldown_ms = 0;
  rule->channels = HEARTH_ALERT_CHANNEL_NOTIFICATION;
  rule->enabled = TRUE;
  hearth_alerts_add_rule (get_alerts (), rule, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rule->id, >, 0);
  return rule->id;
}

static void
observe (const char *model,
         double      tokens_per_s)
{
  gint64 now = g_get_real_time () / 1000;

  hearth_alerts_observe (get_alerts (), HEARTH_ALERT_METRIC_TOKENS_PER_S, model, tokens_per_s,
                         now);
  hearth_alerts_tick (get_alerts (), now + 1);
}

typedef struct
{
  gint64           rule_id;
  HearthAlertState state;
} Wanted;

static HearthAlertEvent *
find_transition (gint64           rule_id,
                 HearthAlertState state)
{
  for (guint i = 0; i < transitions->len; i++)
    {
      HearthAlertEvent *event = transitions->pdata[i];

      if (event->rule_id == rule_id && event->state == state)
        return event;
    }
  return NULL;
}

static gboolean
transition_told (gpointer data)
{
  Wanted *wanted = data;

  return find_transition (wanted->rule_id, wanted->state) != NULL;
}

/* Returns: (transfer none): the transition, delivered */
static HearthAlertEvent *
wait_transition (gint64           rule_id,
                 HearthAlertState state)
{
  Wanted wanted = { rule_id, state };
  HearthAlertEvent *event;

  g_assert_true (hearth_test_spin_until (transition_told, &wanted, 5000));
  event = find_transition (rule_id, state);
  g_assert_true (event->deliver);
  g_assert_true (event->channels & HEARTH_ALERT_CHANNEL_NOTIFICATION);
  return event;
}

static gboolean
is_acknowledged (gpointer data)
{
  gint64 rule_id = *(gint64 *) data;
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(GError) error = NULL;

  /* Another process may have changed it: a tick looks again. */
  hearth_alerts_tick (get_alerts (), g_get_real_time () / 1000);
  active = hearth_alerts_list_active (get_alerts (), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < active->len; i++)
    {
      HearthAlertEvent *event = active->pdata[i];

      if (event->rule_id == rule_id && event->acknowledged)
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_active (gint64 rule_id)
{
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(GError) error = NULL;

  active = hearth_alerts_list_active (get_alerts (), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < active->len; i++)
    if (((HearthAlertEvent *) active->pdata[i])->rule_id == rule_id)
      return TRUE;
  return FALSE;
}

static gboolean
start (void)
{
  if (!have_dunst)
    {
      g_test_skip (hearth_test_dunst_why_not ());
      return FALSE;
    }
  hearth_test_dunst_close_all ();
  return TRUE;
}

/* 1. A firing alert: its title, body, urgency and buttons as dunst got them */
static void
test_firing (void)
{
  g_autofree char *menu = NULL;
  g_autofree char *history = NULL;
  g_autofree char *acknowledge = NULL;
  g_autofree char *expected = NULL;
  HearthAlertEvent *event;
  gint64 id;

  if (!start ())
    return;
  id = add_rule ("Slow replies", "model-a", HEARTH_ALERT_CRITICAL);
  observe ("model-a", 4.5);
  event = wait_transition (id, HEARTH_ALERT_STATE_FIRING);
  g_assert_nonnull (event->message);
  g_assert_true (hearth_test_dunst_wait_shown (1, 5000));

  menu = hearth_test_dunst_context_menu (NULL);
  g_test_message ("dunst offered:\n%s", menu);
  acknowledge = g_strdup_printf ("#Acknowledge (Slow replies — model-a) [");
  g_assert_nonnull (strstr (menu, acknowledge));
  g_clear_pointer (&acknowledge, g_free);
  acknowledge = g_strdup_printf ("app.acknowledge-alert(int64 %" G_GINT64_FORMAT ")]", id);
  g_assert_nonnull (strstr (menu, acknowledge));
  g_assert_nonnull (strstr (menu, "#Open Hearth (Slow replies — model-a) ["));
  g_assert_nonnull (strstr (menu, "app.show-performance]"));
  /* Nothing was chosen: the alert is still firing, not acknowledged. */
  g_assert_cmpint (hearth_alerts_get_worst_severity (get_alerts ()), ==, HEARTH_ALERT_CRITICAL);

  hearth_test_dunst_close_all ();
  history = hearth_test_dunst_history_text ("Slow replies");
  g_test_message ("dunst history: %s", history);
  expected = g_strdup_printf ("Slow replies — model-a|%s|critical\n", event->message);
  g_assert_cmpstr (history, ==, expected);
}

/* 2. The resolve replaces the firing notification: one on screen, not two */
static void
test_resolved_replaces (void)
{
  g_autofree char *history = NULL;
  g_autofree char *expected = NULL;
  HearthAlertEvent *resolved;
  gint64 id;

  if (!start ())
    return;
  id = add_rule ("Model slower", "model-b", HEARTH_ALERT_WARNING);
  observe ("model-b", 3);
  wait_transition (id, HEARTH_ALERT_STATE_FIRING);
  g_assert_true (hearth_test_dunst_wait_shown (1, 5000));

  /* Dunst shows it before GLib has read back the id it got: only then can a
   * second one replace it (transitions come one sample apart, not at once). */
  hearth_test_spin_for (300);
  observe ("model-b", 45);
  resolved = wait_transition (id, HEARTH_ALERT_STATE_RESOLVED);
  hearth_test_spin_for (300);
  g_assert_cmpuint (hearth_test_dunst_n_shown (), ==, 1);

  hearth_test_dunst_close_all ();
  history = hearth_test_dunst_history_text ("Model slower");
  g_test_message ("dunst history: %s", history);
  expected = g_strdup_printf ("Resolved: Model slower — model-b|%s|low\n", resolved->message);
  g_assert_cmpstr (history, ==, expected);
}

/* 3. Acknowledge, clicked in dunst, acknowledges the alert and takes the
 * notification away */
static void
test_acknowledge (void)
{
  g_autofree char *menu = NULL;
  g_autofree char *pick = NULL;
  gint64 id;

  if (!start ())
    return;
  id = add_rule ("Replies crawling", "model-c", HEARTH_ALERT_CRITICAL);
  observe ("model-c", 1);
  wait_transition (id, HEARTH_ALERT_STATE_FIRING);
  g_assert_true (hearth_test_dunst_wait_shown (1, 5000));
  g_assert_false (is_acknowledged (&id));

  pick = g_strdup_printf ("app.acknowledge-alert(int64 %" G_GINT64_FORMAT ")", id);
  menu = hearth_test_dunst_context_menu (pick);
  g_assert_nonnull (strstr (menu, pick));
  g_assert_true (hearth_test_spin_until (is_acknowledged, &id, 5000));
  g_assert_true (hearth_test_dunst_wait_shown (0, 5000));
}

/* 3b. Acknowledged elsewhere (the Alerts view, the tray, hearth-cli alerts
 * ack): the notification asking for it goes too. */
static void
test_acknowledged_elsewhere (void)
{
  g_autoptr(GError) error = NULL;
  gint64 id;

  if (!start ())
    return;
  id = add_rule ("Replies stalling", "model-g", HEARTH_ALERT_WARNING);
  observe ("model-g", 1);
  wait_transition (id, HEARTH_ALERT_STATE_FIRING);
  g_assert_true (hearth_test_dunst_wait_shown (1, 5000));
  /* GLib learns the id dunst gave it a moment after dunst shows it. */
  hearth_test_spin_for (300);

  hearth_alerts_acknowledge (get_alerts (), id, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hearth_test_dunst_wait_shown (0, 5000));
}

static gboolean
performance_shown (gpointer data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  GtkWidget *page;
  GtkWidget *stack;

  if (window == NULL || !gtk_widget_get_mapped (GTK_WIDGET (window)))
    return FALSE;
  page = hearth_window_get_page (HEARTH_WINDOW (window), "performance");
  stack = gtk_widget_get_ancestor (page, ADW_TYPE_VIEW_STACK);
  return g_strcmp0 (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (stack)),
                    "performance") == 0;
}

/* 4. A click on the notification opens Hearth on the Performance page, also
 * when no window was open */
static void
test_open_performance (void)
{
  gint64 id;

  if (!start ())
    return;
  g_assert_null (gtk_application_get_active_window (GTK_APPLICATION (app)));
  id = add_rule ("Out of tokens", "model-d", HEARTH_ALERT_WARNING);
  observe ("model-d", 2);
  wait_transition (id, HEARTH_ALERT_STATE_FIRING);
  g_assert_true (hearth_test_dunst_wait_shown (1, 5000));

  hearth_test_dunst_click ();
  g_assert_true (hearth_test_spin_until (performance_shown, NULL, 10000));
  /* the switcher's styles follow on the next frame */
  hearth_test_wait_drawn (GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (app))), 2000);
  g_free (hearth_test_save_screenshot (GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (app))),
                                       "notifications-open-performance.png"));
  gtk_window_destroy (gtk_application_get_active_window (GTK_APPLICATION (app)));
}

/* 5. app.test-alert (what hearth-cli alerts test calls): a test notification,
 * said to be one, with nothing to acknowledge */
static void
test_test_alert (void)
{
  g_autofree char *menu = NULL;
  g_autofree char *history = NULL;
  gint64 id;

  if (!start ())
    return;
  id = add_rule ("Disk nearly full", "model-e", HEARTH_ALERT_WARNING);
  g_action_group_activate_action (G_ACTION_GROUP (app), "test-alert", g_variant_new_int64 (id));
  g_assert_true (hearth_test_dunst_wait_shown (1, 5000));
  menu = hearth_test_dunst_context_menu (NULL);
  g_test_message ("dunst offered:\n%s", menu);
  g_assert_nonnull (strstr (menu, "#Open Hearth (Test: Disk nearly full"));
  g_assert_null (strstr (menu, "#Acknowledge"));
  hearth_test_dunst_close_all ();
  history = hearth_test_dunst_history_text ("Disk nearly full");
  g_assert_true (g_str_has_prefix (history, "Test: Disk nearly full"));
  /* A test is not an alert: nothing of this rule is firing. */
  g_assert_false (is_active (id));
}

static void
call_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GError **error = user_data;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result,
                                                             error);

  if (*error == NULL)
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NONE, "done");
}

static gboolean
call_finished (gpointer data)
{
  return *(GError **) data != NULL;
}

/* What GNOME Shell and the portal do with a button when the app is not
 * running: org.freedesktop.Application.ActivateAction on its name, which the
 * bus starts from its D-Bus service file. */
static void
activate_remote_action (const char *name,
                        GVariant   *target)
{
  GVariantBuilder parameters;
  g_autoptr(GError) error = NULL;

  g_variant_builder_init (&parameters, G_VARIANT_TYPE ("av"));
  if (target != NULL)
    g_variant_builder_add (&parameters, "v", target);
  g_dbus_connection_call (hearth_test_dunst_bus (), APP_ID, "/io/github/hearthapp/Hearth",
                          "org.freedesktop.Application", "ActivateAction",
                          g_variant_new ("(sava{sv})", name, &parameters, NULL), NULL,
                          G_DBUS_CALL_FLAGS_NONE, 30000, NULL, call_done, &error);
  g_assert_true (hearth_test_spin_until (call_finished, &error, 40000));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NONE);
}

/* 6. Acknowledge when Hearth was not running: the bus starts the real hearth
 * (--gapplication-service, no window), its action acknowledges the alert in
 * the shared history, and this process sees it. */
static void
test_acknowledge_not_running (void)
{
  gint64 id;

  if (!start ())
    return;
  id = add_rule ("Server gone", "model-f", HEARTH_ALERT_CRITICAL);
  observe ("model-f", 0);
  wait_transition (id, HEARTH_ALERT_STATE_FIRING);
  g_assert_false (is_acknowledged (&id));

  activate_remote_action ("acknowledge-alert", g_variant_new_int64 (id));
  g_assert_true (hearth_test_spin_until (is_acknowledged, &id, 10000));
  activate_remote_action ("quit", NULL);
}

/* The bus starts the built hearth, as an installed one would be. */
static char *
write_service_dir (void)
{
  g_autofree char *dir = hearth_test_build_tmp_path ("services", NULL);
  g_autofree char *file = g_build_filename (dir, APP_ID ".service", NULL);
  g_autofree char *exe = g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "src", "ui", "hearth",
                                           NULL);
  g_autofree char *text = g_strdup_printf ("[D-BUS Service]\nName=%s\nExec=%s "
                                           "--gapplication-service\n", APP_ID, exe);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (file, text, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *service_dir = NULL;
  int status;

  hearth_test_init (&argc, &argv);
  /* The daemon on the bus, as on a desktop other than GNOME, not GTK's own
   * backend or the portal. */
  g_setenv ("GNOTIFICATION_BACKEND", "freedesktop", TRUE);
  service_dir = write_service_dir ();
  have_dunst = hearth_test_dunst_start (service_dir);
  if (!have_dunst)
    g_printerr ("# dunst could not run (%s): the notification tests skip, they do not pass\n",
                hearth_test_dunst_why_not ());
  adw_init ();

  transitions = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_alert_event_free);
  if (have_dunst)
    {
      app = hearth_application_new ();
      g_application_set_application_id (G_APPLICATION (app), TEST_APP_ID);
      g_application_register (G_APPLICATION (app), NULL, &error);
      g_assert_no_error (error);
      g_signal_connect (get_alerts (), "transition", G_CALLBACK (on_transition), NULL);
    }

  g_test_add_func ("/notifications/firing", test_firing);
  g_test_add_func ("/notifications/resolved-replaces", test_resolved_replaces);
  g_test_add_func ("/notifications/acknowledge", test_acknowledge);
  g_test_add_func ("/notifications/acknowledged-elsewhere", test_acknowledged_elsewhere);
  g_test_add_func ("/notifications/open-performance", test_open_performance);
  g_test_add_func ("/notifications/test-alert", test_test_alert);
  g_test_add_func ("/notifications/acknowledge-not-running", test_acknowledge_not_running);
  status = g_test_run ();

  if (app != NULL)
    {
      g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
      g_application_quit (G_APPLICATION (app));
      g_clear_object (&app);
    }
  g_clear_pointer (&transitions, g_ptr_array_unref);
  hearth_test_dunst_stop ();
  return status;
}
