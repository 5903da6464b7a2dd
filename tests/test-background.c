/* test-background.c — "Run in the background": Hearth run as main() runs it,
 * its window closed, still watching (an alert is still told), brought back,
 * and quit; without the setting, closing the window quits
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-background"

#include "config.h"

#include <adwaita.h>

#include "hearth-alerts.h"
#include "hearth-application.h"
#include "hearth-test-dunst.h"
#include "hearth-test-portal.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"
#include "hearth-window.h"

#define NOTICE "Hearth is still running"

static HearthApplication *app;
static GSettings *settings;
static gboolean have_dunst;
static guint steps_done;

typedef void (*Step) (void);

/* Running the application */

static gboolean
no_window (gpointer data)
{
  return gtk_application_get_windows (GTK_APPLICATION (app)) == NULL;
}

static gboolean
window_mapped (gpointer data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  return window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window));
}

static void
close_window (void)
{
  g_assert_true (hearth_test_spin_until (window_mapped, NULL, 5000));
  gtk_window_close (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_true (hearth_test_spin_until (no_window, NULL, 5000));
}

static const Step *script;
static guint script_source;

/* Each step runs from the application's own main loop, a second after the
 * one before: if Hearth quit in between, g_application_run() has returned
 * and the rest never runs. */
static gboolean
run_next_step (gpointer data)
{
  script_source = 0;
  script[steps_done] ();
  steps_done++;
  if (script[steps_done] != NULL)
    script_source = g_timeout_add (1000, run_next_step, NULL);
  return G_SOURCE_REMOVE;
}

static void
on_first_activate (GApplication *application)
{
  g_signal_handlers_disconnect_by_func (application, on_first_activate, NULL);
  script_source = g_timeout_add (300, run_next_step, NULL);
}

static gboolean
give_up (gpointer data)
{
  *(gboolean *) data = TRUE;
  g_application_quit (G_APPLICATION (app));
  return G_SOURCE_REMOVE;
}

/* Runs Hearth as main() does and @steps in it; returns whether it stopped by
 * itself (FALSE: it was still running after @timeout_ms and was stopped). */
static gboolean
run_app (const char  *suffix,
         const Step  *steps,
         guint        timeout_ms)
{
  g_autofree char *id = g_strconcat (APP_ID ".Background", suffix, NULL);
  gboolean timed_out = FALSE;
  guint timeout_id;
  int status;

  script = steps;
  steps_done = 0;
  app = hearth_application_new ();
  g_application_set_application_id (G_APPLICATION (app), id);
  g_signal_connect_after (app, "activate", G_CALLBACK (on_first_activate), NULL);
  timeout_id = g_timeout_add (timeout_ms, give_up, &timed_out);
  status = g_application_run (G_APPLICATION (app), 0, NULL);
  if (!timed_out)
    g_source_remove (timeout_id);
  g_clear_handle_id (&script_source, g_source_remove);
  g_assert_cmpint (status, ==, 0);
  g_clear_object (&app);
  return !timed_out;
}

static HearthAlerts *
get_alerts (void)
{
  return hearth_engine_get_alerts (hearth_application_get_engine (app));
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p != '\0'; p++)
    n += *p == '\n';
  return n;
}

/* With the setting on */

static GtkWidget *
find_row (GtkWidget  *root,
          const char *title)
{
  GtkWidget *child;

  if (ADW_IS_PREFERENCES_ROW (root) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return root;
  for (child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWindow *
preferences_window (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (ADW_IS_PREFERENCES_WINDOW (l->data))
      return l->data;
  return NULL;
}

static gboolean
file_exists (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static gboolean
file_gone (gpointer path)
{
  return !g_file_test (path, G_FILE_TEST_EXISTS);
}

static gboolean
setting_on (gpointer key)
{
  return g_settings_get_boolean (settings, key);
}

static char *
autostart_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "autostart", APP_ID ".desktop", NULL);
}

/* The person turns it on in Preferences, and Start at Login with it. */
static void
on_turn_on_in_preferences (void)
{
  g_autofree char *autostart = autostart_path ();
  g_autofree char *contents = NULL;
  GtkWindow *preferences;
  GtkWidget *background_row;
  GtkWidget *login_row;
  GtkSpinButton *quiet_start;

  g_assert_true (hearth_test_spin_until (window_mapped, NULL, 5000));
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  preferences = preferences_window ();
  g_assert_nonnull (preferences);
  g_assert_true (hearth_test_spin_until ((gboolean (*) (gpointer)) gtk_widget_get_mapped,
                                         preferences, 5000));
  background_row = find_row (GTK_WIDGET (preferences), "Run in the Background");
  login_row = find_row (GTK_WIDGET (preferences), "Start at Login");
  g_assert_nonnull (background_row);
  g_assert_nonnull (login_row);
  g_assert_false (gtk_widget_get_sensitive (login_row));

  /* The switch moves (an animation), then the setting follows. */
  gtk_widget_activate (background_row);
  g_assert_true (hearth_test_spin_until (setting_on, (gpointer) "run-in-background", 5000));
  g_assert_true (gtk_widget_get_sensitive (login_row));
  gtk_widget_activate (login_row);
  g_assert_true (hearth_test_spin_until (setting_on, (gpointer) "autostart", 5000));
  g_assert_true (hearth_test_spin_until (file_exists, autostart, 5000));
  g_file_get_contents (autostart, &contents, NULL, NULL);
  g_assert_nonnull (strstr (contents, "\nExec=hearth --gapplication-service\n"));

  /* Quiet hours read and typed as on a clock; nonsense changes nothing. */
  quiet_start = GTK_SPIN_BUTTON (hearth_test_find_descendant (find_row (GTK_WIDGET (preferences),
                                                                        "From"),
                                                              GTK_TYPE_SPIN_BUTTON));
  gtk_editable_set_text (GTK_EDITABLE (quiet_start), "22:00");
  gtk_spin_button_update (quiet_start);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (quiet_start)), ==, "22:00");
  g_assert_cmpfloat (gtk_spin_button_get_value (quiet_start), ==, 22);
  g_assert_cmpint (g_settings_get_int (settings, "alerts-quiet-start"), ==, 22);
  gtk_editable_set_text (GTK_EDITABLE (quiet_start), "25 o'clock");
  gtk_spin_button_update (quiet_start);
  g_assert_cmpint (g_settings_get_int (settings, "alerts-quiet-start"), ==, 22);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (quiet_start)), ==, "22:00");

  /* The page scrolls to what has the focus: these groups, wide and narrow. */
  gtk_widget_grab_focus (find_row (GTK_WIDGET (preferences), "Until"));
  hearth_test_save_wide_and_narrow (preferences, "preferences-background", FALSE);
  gtk_window_destroy (preferences);
  /* No quiet hours for the warning told below, whatever the hour now */
  g_settings_reset (settings, "alerts-quiet-start");
}

static void
on_close_window (void)
{
  close_window ();
}

static void
on_still_running (void)
{
  HearthSampler *sampler = hearth_application_get_sampler (app);
  g_autoptr(HearthAlertRule) rule = hearth_alert_rule_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *notice = NULL;
  g_autofree char *told = NULL;
  gint64 now = g_get_real_time () / 1000;
  guint active_ms;
  guint idle_ms;

  g_assert_true (g_application_get_is_registered (G_APPLICATION (app)));
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));

  /* Said once, when the window went */
  g_assert_true (hearth_test_dunst_wait_shown (1, 5000));
  hearth_test_dunst_close_all ();
  notice = hearth_test_dunst_history_text (NOTICE);
  g_test_message ("notice: %s", notice);
  g_assert_cmpuint (count_lines (notice), ==, 1);
  g_assert_nonnull (strstr (notice, "Quit"));

  /* Monitoring goes on, at the sampler's idle rate */
  g_assert_nonnull (sampler);
  g_assert_true (hearth_sampler_is_running (sampler));
  hearth_sampler_get_intervals (sampler, &active_ms, &idle_ms);
  g_assert_cmpuint (hearth_sampler_get_interval_ms (sampler), ==, idle_ms);

  /* ... and an alert that fires now is still told */
  rule->name = g_strdup ("Slow while closed");
  rule->metric = HEARTH_ALERT_METRIC_TOKENS_PER_S;
  rule->condition = HEARTH_ALERT_BELOW;
  rule->threshold = 20;
  rule->subject = g_strdup ("bg-model");
  rule->severity = HEARTH_ALERT_WARNING;
  rule->channels = HEARTH_ALERT_CHANNEL_NOTIFICATION;
  rule->enabled = TRUE;
  hearth_alerts_add_rule (get_alerts (), rule, &error);
  g_assert_no_error (error);
  hearth_alerts_observe (get_alerts (), HEARTH_ALERT_METRIC_TOKENS_PER_S, "bg-model", 2, now);
  hearth_alerts_tick (get_alerts (), now + 1);
  g_assert_true (hearth_test_dunst_wait_shown (1, 5000));
  hearth_test_dunst_close_all ();
  told = hearth_test_dunst_history_text ("Slow while closed");
  g_assert_true (g_str_has_prefix (told, "Slow while closed — bg-model|"));
}

static void
on_activate_again (void)
{
  /* The launcher, the tray's Show Hearth or a notification activate it. */
  g_application_activate (G_APPLICATION (app));
  g_assert_true (hearth_test_spin_until (window_mapped, NULL, 5000));
  close_window ();
}

static void
on_notice_not_repeated (void)
{
  g_autofree char *notice = NULL;

  g_assert_true (g_application_get_is_registered (G_APPLICATION (app)));
  hearth_test_spin_for (300);
  hearth_test_dunst_close_all ();
  notice = hearth_test_dunst_history_text (NOTICE);
  g_assert_cmpuint (count_lines (notice), ==, 1);
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
}

static void
test_background_on (void)
{
  static const Step steps[] = {
    on_turn_on_in_preferences, on_close_window, on_still_running, on_activate_again,
    on_notice_not_repeated, NULL
  };

  if (!have_dunst)
    {
      g_test_skip (hearth_test_dunst_why_not ());
      return;
    }
  g_settings_reset (settings, "run-in-background");
  g_settings_reset (settings, "autostart");
  g_settings_set_boolean (settings, "background-notice-shown", FALSE);
  /* app.quit ends it; the time limit is only a guard. */
  g_assert_true (run_app ("On", steps, 30000));
  g_assert_cmpuint (steps_done, ==, G_N_ELEMENTS (steps) - 1);
}

/* Turned off while in the background: Hearth goes. */

static void
on_turn_off (void)
{
  g_autofree char *autostart = autostart_path ();

  g_assert_true (g_application_get_is_registered (G_APPLICATION (app)));
  g_assert_true (g_file_test (autostart, G_FILE_TEST_EXISTS));
  g_settings_set_boolean (settings, "run-in-background", FALSE);
}

static void
on_should_have_quit (void)
{
  g_assert_not_reached ();
}

static void
on_start_at_login (void)
{
  g_autofree char *autostart = autostart_path ();

  g_settings_set_boolean (settings, "autostart", TRUE);
  g_assert_true (hearth_test_spin_until (file_exists, autostart, 5000));
  close_window ();
}

static void
test_background_turned_off (void)
{
  static const Step steps[] = { on_start_at_login, on_turn_off, on_should_have_quit, NULL };
  g_autofree char *autostart = autostart_path ();

  g_settings_set_boolean (settings, "run-in-background", TRUE);
  g_settings_set_boolean (settings, "autostart", FALSE);
  /* Said already: nothing needs a notification daemon here. */
  g_settings_set_boolean (settings, "background-notice-shown", TRUE);
  g_assert_true (run_app ("TurnedOff", steps, 20000));
  g_assert_cmpuint (steps_done, ==, 2);
  /* Not started at login either, now */
  g_assert_true (file_gone (autostart));
}

/* Off (the default): closing the window quits, without a word */

static void
test_background_off (void)
{
  static const Step steps[] = { on_close_window, on_should_have_quit, NULL };

  g_settings_reset (settings, "run-in-background");
  g_settings_set_boolean (settings, "background-notice-shown", FALSE);
  g_assert_true (run_app ("Off", steps, 20000));
  g_assert_cmpuint (steps_done, ==, 1);
  g_assert_false (g_settings_get_boolean (settings, "background-notice-shown"));
}

/* Inside Flatpak: the Background portal is asked, and its answer kept.
 * A portal of the test's own answers on the private bus. */

typedef struct
{
  HearthTestPortal *portal;
  guint             wanted;     /* requests waited for */
} Waiting;

static gboolean
n_requests_is (gpointer data)
{
  Waiting *waiting = data;

  return waiting->portal->requests->len == waiting->wanted;
}

static void
wait_requests (HearthTestPortal *portal,
               guint             n)
{
  Waiting waiting = { portal, n };

  g_assert_true (hearth_test_spin_until (n_requests_is, &waiting, 5000));
}

static gboolean
setting_off (gpointer key)
{
  return !g_settings_get_boolean (settings, key);
}

static void
test_background_portal (void)
{
  g_autofree char *flatpak_info = hearth_test_build_tmp_path ("flatpak-info", NULL);
  g_autofree char *autostart = autostart_path ();
  GDBusConnection *bus = hearth_test_dunst_bus ();
  g_autoptr(HearthTestPortal) portal = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  const char **commandline = NULL;
  gboolean autostart_asked = TRUE;

  g_settings_reset (settings, "run-in-background");
  g_settings_reset (settings, "autostart");
  g_file_set_contents (flatpak_info, "[Application]\nname=" APP_ID "\n", -1, &error);
  g_assert_no_error (error);
  g_setenv ("HEARTH_FLATPAK_INFO", flatpak_info, TRUE);
  portal = hearth_test_portal_new (bus, FALSE);
  app = hearth_application_new ();
  g_application_set_application_id (G_APPLICATION (app), APP_ID ".BackgroundPortal");
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  /* Refused: the switch goes back off, rather than promise what the sandbox
   * will not allow. */
  g_settings_set_boolean (settings, "run-in-background", TRUE);
  wait_requests (portal, 1);
  g_assert_true (g_variant_lookup (portal->requests->pdata[0], "reason", "s", &reason));
  g_assert_nonnull (strstr (reason, "alerts"));
  g_assert_true (g_variant_lookup (portal->requests->pdata[0], "autostart", "b", &autostart_asked));
  g_assert_false (autostart_asked);
  g_assert_true (g_variant_lookup (portal->requests->pdata[0], "commandline", "^a&s", &commandline));
  g_assert_cmpstr (commandline[1], ==, "--gapplication-service");
  g_free (commandline);
  g_assert_true (hearth_test_spin_until (setting_off, (gpointer) "run-in-background", 5000));

  /* Allowed, with Start at Login: the portal starts it, no desktop file */
  portal->allow = TRUE;
  g_settings_set_boolean (settings, "run-in-background", TRUE);
  wait_requests (portal, 2);
  g_settings_set_boolean (settings, "autostart", TRUE);
  wait_requests (portal, 3);
  g_assert_true (g_variant_lookup (portal->requests->pdata[2], "autostart", "b", &autostart_asked));
  g_assert_true (autostart_asked);
  hearth_test_spin_for (300);
  g_assert_true (g_settings_get_boolean (settings, "run-in-background"));
  g_assert_false (g_file_test (autostart, G_FILE_TEST_EXISTS));

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  g_clear_object (&app);
  g_unsetenv ("HEARTH_FLATPAK_INFO");
  g_settings_reset (settings, "run-in-background");
  g_settings_reset (settings, "autostart");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  hearth_test_init (&argc, &argv);
  g_setenv ("GNOTIFICATION_BACKEND", "freedesktop", TRUE);
  have_dunst = hearth_test_dunst_start (NULL);
  if (!have_dunst)
    g_printerr ("# dunst could not run (%s): the background test that needs it skips\n",
                hearth_test_dunst_why_not ());
  adw_init ();
  settings = g_settings_new (APP_ID);

  g_test_add_func ("/background/off", test_background_off);
  g_test_add_func ("/background/on", test_background_on);
  g_test_add_func ("/background/turned-off", test_background_turned_off);
  g_test_add_func ("/background/portal", test_background_portal);
  status = g_test_run ();

  g_clear_object (&settings);
  hearth_test_dunst_stop ();
  return status;
}
