/* test-alerts-page.c — the Alerts page: what fires, acknowledging it, the rules and their editor, the history
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-alerts-page"

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "hearth-alerts.h"
#include "hearth-alerts-page.h"
#include "hearth-application.h"
#include "hearth-graph.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"
#include "hearth-window.h"

static guint store_serial;

typedef struct
{
  GtkWindow        *window;
  HearthAlertsPage *page;
  HearthEngine     *engine;
  HearthStore      *store;
  HearthAlerts     *alerts;
} Fixture;

static void
assert_text_has (const char *text,
                 const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("“%s” not on the page:\n%s", needle, text);
}

static void
assert_text_lacks (const char *text,
                   const char *needle)
{
  if (strstr (text, needle) != NULL)
    g_error ("“%s” on the page, but should not be:\n%s", needle, text);
}

static void
fixture_open (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("alerts-%u", ++store_serial);
  g_autofree char *path = hearth_test_build_tmp_path (name, "hearth.db", NULL);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = g_object_new (HEARTH_TYPE_ALERTS_PAGE, NULL);

  fixture->store = hearth_store_open (path, &error);
  g_assert_no_error (error);
  fixture->engine = hearth_engine_new (fixture->store);
  fixture->alerts = hearth_engine_get_alerts (fixture->engine);
  hearth_alerts_page_set_engine (HEARTH_ALERTS_PAGE (page), fixture->engine);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 1000);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  fixture->window = GTK_WINDOW (window);
  fixture->page = HEARTH_ALERTS_PAGE (page);
  hearth_test_wait_drawn (window, 2000);
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
fixture_close (Fixture *fixture)
{
  gpointer page = fixture->page;

  g_object_add_weak_pointer (G_OBJECT (page), &page);
  gtk_window_destroy (fixture->window);
  g_assert_true (hearth_test_spin_until (is_null, &page, 2000));
  g_assert_finalize_object (fixture->engine);
  g_assert_finalize_object (fixture->store);
}

/* A rule that fires at once above @threshold, as a user would add it. */
static HearthAlertRule *
add_rule (HearthAlerts      *alerts,
          const char        *name,
          HearthAlertMetric  metric,
          double             threshold,
          HearthAlertSeverity severity)
{
  g_autoptr(GError) error = NULL;
  HearthAlertRule *rule = hearth_alert_rule_new ();

  rule->name = g_strdup (name);
  rule->metric = metric;
  rule->condition = HEARTH_ALERT_ABOVE;
  rule->threshold = threshold;
  rule->for_ms = 0;
  rule->severity = severity;
  rule->channels = HEARTH_ALERT_CHANNEL_LOG;
  g_assert_true (hearth_alerts_add_rule (alerts, rule, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rule->id, >, 0);
  return rule;
}

/* Values from a minute ago up to now, the last one @last. */
static void
feed (HearthAlerts      *alerts,
      HearthAlertMetric  metric,
      double             first,
      double             last)
{
  gint64 now_ms = g_get_real_time () / 1000;

  for (int i = 0; i <= 12; i++)
    hearth_alerts_observe (alerts, metric, NULL, first + (last - first) * i / 12.0,
                           now_ms - (12 - i) * 5000);
  hearth_alerts_tick (alerts, now_ms);
}

static gboolean
has_title (GtkWidget *widget,
           gpointer   title)
{
  return ADW_IS_PREFERENCES_ROW (widget)
         && gtk_widget_get_visible (widget)
         && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

static GtkWidget *
find_row (gpointer    root,
          const char *title)
{
  GtkWidget *row = hearth_test_find_widget (GTK_WIDGET (root), has_title, (gpointer) title);

  if (row == NULL)
    {
      g_autofree char *text = hearth_test_visible_text (GTK_WIDGET (root));

      g_error ("No row “%s” in:\n%s", title, text);
    }
  return row;
}

static gboolean
is_button_labelled (GtkWidget *widget,
                    gpointer   label)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_visible (widget)
         && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

/* What the page shows once what was just done is drawn (its refresh runs
 * on an idle). */
static char *
page_text (Fixture *fixture)
{
  hearth_test_wait_drawn (GTK_WIDGET (fixture->page), 2000);
  return hearth_test_visible_text (GTK_WIDGET (fixture->page));
}

typedef struct
{
  GtkWidget  *widget;
  const char *needle;
} TextWait;

static gboolean
shows_text (gpointer data)
{
  TextWait *wait = data;
  g_autofree char *text = hearth_test_visible_text (wait->widget);

  return strstr (text, wait->needle) != NULL;
}

/* The page refreshes on an idle after HearthAlerts changed: under load
 * that can take more than a fixed wait. */
static char *
wait_for_text (Fixture    *fixture,
               const char *needle)
{
  TextWait wait = { GTK_WIDGET (fixture->page), needle };

  hearth_test_spin_until (shows_text, &wait, 5000);
  return page_text (fixture);
}

static void
test_alerts_empty (void)
{
  Fixture fixture = { 0 };
  g_autofree char *text = NULL;

  fixture_open (&fixture);
  text = page_text (&fixture);
  assert_text_has (text, "All Quiet");
  assert_text_lacks (text, "Acknowledge");
  assert_text_has (text, "Rules");
  assert_text_has (text, "History");
  hearth_test_save_wide_and_narrow (fixture.window, "alerts-empty", FALSE);
  fixture_close (&fixture);
}

static gboolean
first_active_row_is (Fixture    *fixture,
                     const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) active = hearth_alerts_list_active (fixture->alerts, &error);
  HearthAlertEvent *first;

  g_assert_no_error (error);
  g_assert_cmpuint (active->len, >, 0);
  first = g_ptr_array_index (active, 0);
  return g_strcmp0 (first->message, message) == 0;
}

static gboolean
first_acknowledged (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) active = hearth_alerts_list_active (fixture->alerts, &error);

  g_assert_no_error (error);
  return active->len > 0 && ((HearthAlertEvent *) g_ptr_array_index (active, 0))->acknowledged;
}

static void
test_alerts_firing_and_acknowledge (void)
{
  Fixture fixture = { 0 };
  g_autoptr(HearthAlertRule) hot = NULL;
  g_autoptr(HearthAlertRule) memory = NULL;
  g_autoptr(HearthAlertRule) busy = NULL;
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *after = NULL;
  g_autofree char *message = NULL;
  HearthAlertEvent *event;
  GtkWidget *row, *button;

  fixture_open (&fixture);
  hot = add_rule (fixture.alerts, "GPU too hot", HEARTH_ALERT_METRIC_GPU_TEMP_C, 80,
                  HEARTH_ALERT_CRITICAL);
  memory = add_rule (fixture.alerts, "Memory nearly full", HEARTH_ALERT_METRIC_MEMORY_PERCENT, 90,
                     HEARTH_ALERT_WARNING);
  busy = add_rule (fixture.alerts, "CPU busy for long", HEARTH_ALERT_METRIC_CPU_PERCENT, 90,
                   HEARTH_ALERT_CRITICAL);
  busy->for_ms = 10 * 60 * 1000;
  g_assert_true (hearth_alerts_update_rule (fixture.alerts, busy, &error));
  g_assert_no_error (error);
  /* pending first in time, then the two that fire at once */
  hearth_alerts_observe (fixture.alerts, HEARTH_ALERT_METRIC_CPU_PERCENT, NULL, 99,
                         g_get_real_time () / 1000 - 90 * 1000);
  feed (fixture.alerts, HEARTH_ALERT_METRIC_MEMORY_PERCENT, 70, 95);
  feed (fixture.alerts, HEARTH_ALERT_METRIC_GPU_TEMP_C, 60, 92);
  active = hearth_alerts_list_active (fixture.alerts, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (active->len, ==, 3);
  g_assert_cmpint (((HearthAlertEvent *) g_ptr_array_index (active, 2))->state, ==,
                   HEARTH_ALERT_STATE_PENDING);
  event = g_ptr_array_index (active, 0);
  g_assert_cmpint (event->state, ==, HEARTH_ALERT_STATE_FIRING);
  g_assert_cmpint (event->rule_id, ==, hot->id);
  g_assert_nonnull (event->message);
  message = g_strdup (event->message);

  /* the critical one first, by its message; the calm state is gone */
  text = wait_for_text (&fixture, "Pending for");
  assert_text_lacks (text, "All Quiet");
  row = find_row (fixture.page, event->message);
  g_assert_true (strstr (text, event->message)
                 < strstr (text, ((HearthAlertEvent *) g_ptr_array_index (active, 1))->message));
  assert_text_has (text, "Critical · Firing for");
  /* the pending one last, saying how long it must last */
  g_assert_true (strstr (text, "Critical · Pending for 1 min of 10 min") != NULL);
  g_assert_true (strstr (text, "Warning · Firing for") < strstr (text, "Pending for"));
  hearth_test_save_wide_and_narrow (fixture.window, "alerts-firing", FALSE);

  button = hearth_test_find_widget (row, is_button_labelled, (gpointer) "_Acknowledge");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (hearth_test_spin_until (first_acknowledged, &fixture, 5000));
  g_assert_true (first_active_row_is (&fixture, message));
  g_clear_pointer (&active, g_ptr_array_unref);
  active = hearth_alerts_list_active (fixture.alerts, &error);
  g_assert_no_error (error);
  g_assert_true (((HearthAlertEvent *) g_ptr_array_index (active, 0))->acknowledged);
  g_assert_false (((HearthAlertEvent *) g_ptr_array_index (active, 1))->acknowledged);
  g_assert_false (((HearthAlertEvent *) g_ptr_array_index (active, 2))->acknowledged);

  after = wait_for_text (&fixture, "Acknowledged: silent until it resolves");
  assert_text_has (after, "Acknowledged: silent until it resolves");
  row = find_row (fixture.page, message);
  g_assert_null (hearth_test_find_widget (row, is_button_labelled, (gpointer) "_Acknowledge"));
  fixture_close (&fixture);
}

static GtkWidget *
find_switch (GtkWidget *row)
{
  return hearth_test_find_descendant (row, GTK_TYPE_SWITCH);
}

typedef struct
{
  Fixture *fixture;
  gint64   id;
} RuleWait;

static gboolean
rule_disabled (gpointer data)
{
  RuleWait *wait = data;
  g_autoptr(HearthAlertRule) stored = hearth_alerts_get_rule (wait->fixture->alerts, wait->id, NULL);

  return stored != NULL && !stored->enabled;
}

static gboolean
rule_threshold_is_minus_3 (gpointer data)
{
  RuleWait *wait = data;
  g_autoptr(HearthAlertRule) stored = hearth_alerts_get_rule (wait->fixture->alerts, wait->id, NULL);

  return stored != NULL && stored->threshold == -3;
}

static void
test_alerts_disable (void)
{
  Fixture fixture = { 0 };
  g_autoptr(HearthAlertRule) rule = NULL;
  g_autoptr(HearthAlertRule) stored = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *toggle;

  fixture_open (&fixture);
  rule = add_rule (fixture.alerts, "CPU busy", HEARTH_ALERT_METRIC_CPU_PERCENT, 95,
                   HEARTH_ALERT_WARNING);
  g_free (wait_for_text (&fixture, "CPU busy"));
  toggle = find_switch (find_row (fixture.page, "CPU busy"));
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (toggle)));
  gtk_switch_set_active (GTK_SWITCH (toggle), FALSE);
  g_assert_true (hearth_test_spin_until (rule_disabled, &(RuleWait) { &fixture, rule->id }, 5000));
  /* the refresh that follows has run */
  hearth_test_wait_drawn (GTK_WIDGET (fixture.page), 2000);
  stored = hearth_alerts_get_rule (fixture.alerts, rule->id, &error);
  g_assert_no_error (error);
  g_assert_false (stored->enabled);
  /* and the page still shows it off after the refresh that followed */
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (find_switch (find_row (fixture.page,
                                                                           "CPU busy")))));
  fixture_close (&fixture);
}

static HearthAlertRuleEditor *
open_editor (Fixture *fixture)
{
  HearthAlertRuleEditor *editor;

  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "alerts.add-rule", NULL);
  editor = hearth_alerts_page_get_editor (fixture->page);
  g_assert_nonnull (editor);
  hearth_test_wait_drawn (GTK_WIDGET (editor), 2000);
  return editor;
}

static void
set_text (HearthAlertRuleEditor *editor,
          const char            *row_title,
          const char            *text)
{
  gtk_editable_set_text (GTK_EDITABLE (find_row (editor, row_title)), text);
}

static HearthAlertRule *
find_stored (Fixture    *fixture,
             const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rules = hearth_alerts_list_rules (fixture->alerts, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < rules->len; i++)
    {
      HearthAlertRule *rule = g_ptr_array_index (rules, i);

      if (g_strcmp0 (rule->name, name) == 0)
        return hearth_alert_rule_copy (rule);
    }
  return NULL;
}

static gboolean
threshold_not_drawn (gpointer graph)
{
  g_autofree char *drawn = hearth_graph_get_drawn_text (HEARTH_GRAPH (graph));

  return strstr (drawn, "75 °C\n") == NULL;
}

static void
test_alerts_editor_add (void)
{
  Fixture fixture = { 0 };
  g_autoptr(HearthAlertRule) stored = NULL;
  gpointer editor;
  GtkWidget *graph;
  g_autofree char *text = NULL;
  g_autofree char *drawn = NULL;

  fixture_open (&fixture);
  feed (fixture.alerts, HEARTH_ALERT_METRIC_GPU_TEMP_C, 55, 71);
  editor = open_editor (&fixture);
  set_text (editor, "Name", "GPU warm");
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_row (editor, "Metric")),
                              HEARTH_ALERT_METRIC_GPU_TEMP_C);
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_row (editor, "Condition")), HEARTH_ALERT_ABOVE);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (hearth_test_find_descendant (find_row (editor,
                                                                                   "Threshold"),
                                                                         GTK_TYPE_SPIN_BUTTON)),
                             75);
  set_text (editor, "For (30s, 5m, 1h)", "30s");
  hearth_test_wait_for_text (GTK_WIDGET (editor), "13 values in the last hour", 5000);
  hearth_test_wait_drawn (GTK_WIDGET (editor), 2000);

  /* the metric's recent values are there beside the threshold, measured */
  graph = hearth_test_find_descendant (GTK_WIDGET (editor), HEARTH_TYPE_GRAPH);
  g_assert_nonnull (graph);
  g_assert_cmpuint (hearth_graph_get_n_samples (HEARTH_GRAPH (graph), 0), ==, 13);
  text = hearth_test_visible_text (GTK_WIDGET (editor));
  assert_text_has (text, "13 values in the last hour: lowest 55 °C");
  assert_text_has (text, "highest 71 °C");
  hearth_test_save_wide_and_narrow (GTK_WINDOW (editor), "alerts-editor", FALSE);
  /* the threshold is drawn over the values; a z-score is not on their scale */
  drawn = hearth_graph_get_drawn_text (HEARTH_GRAPH (graph));
  assert_text_has (drawn, "75 °C\n");
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_row (editor, "Condition")), HEARTH_ALERT_ANOMALY);
  hearth_test_spin_until (threshold_not_drawn, graph, 5000);
  hearth_test_wait_for_text (GTK_WIDGET (editor), "standard deviations (z-score)", 5000);
  g_free (drawn);
  drawn = hearth_graph_get_drawn_text (HEARTH_GRAPH (graph));
  assert_text_lacks (drawn, "75 °C\n");
  g_free (text);
  text = hearth_test_visible_text (GTK_WIDGET (editor));
  assert_text_has (text, "only once it has 10 earlier values");
  assert_text_has (text, "standard deviations (z-score)");
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_row (editor, "Condition")), HEARTH_ALERT_ABOVE);

  g_object_add_weak_pointer (G_OBJECT (editor), &editor);
  g_assert_true (hearth_alert_rule_editor_save (editor));
  g_assert_true (hearth_test_spin_until (is_null, &editor, 2000));
  stored = find_stored (&fixture, "GPU warm");
  g_assert_nonnull (stored);
  g_assert_cmpint (stored->metric, ==, HEARTH_ALERT_METRIC_GPU_TEMP_C);
  g_assert_cmpint (stored->condition, ==, HEARTH_ALERT_ABOVE);
  g_assert_cmpfloat (stored->threshold, ==, 75);
  g_assert_cmpint (stored->for_ms, ==, 30000);
  g_assert_true (stored->enabled);
  g_free (text);
  text = wait_for_text (&fixture, "GPU warm");
  assert_text_has (text, "GPU warm");
  fixture_close (&fixture);
}

/* A default rule opens as it is, and changing it keeps it the same rule. */
static void
test_alerts_editor_edit (void)
{
  Fixture fixture = { 0 };
  g_autoptr(HearthAlertRule) before = NULL;
  g_autoptr(HearthAlertRule) after = NULL;
  g_autoptr(GError) error = NULL;
  HearthAlertRuleEditor *editor;
  GtkSpinButton *threshold;
  g_autofree char *text = NULL;

  fixture_open (&fixture);
  before = find_stored (&fixture, "Model slower than its normal");
  g_assert_nonnull (before);
  g_assert_true (before->is_default);
  gtk_widget_activate_action (GTK_WIDGET (fixture.page), "alerts.edit-rule", "x", before->id);
  editor = hearth_alerts_page_get_editor (fixture.page);
  g_assert_nonnull (editor);
  hearth_test_wait_drawn (GTK_WIDGET (editor), 2000);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_row (editor, "Name"))), ==,
                   "Model slower than its normal");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (find_row (editor, "Condition"))),
                    ==, HEARTH_ALERT_ANOMALY);
  threshold = GTK_SPIN_BUTTON (hearth_test_find_descendant (find_row (editor, "Threshold"),
                                                            GTK_TYPE_SPIN_BUTTON));
  g_assert_cmpfloat (gtk_spin_button_get_value (threshold), ==, before->threshold);
  text = hearth_test_visible_text (GTK_WIDGET (editor));
  assert_text_has (text, "Change Rule");
  assert_text_has (text, "And at least this far from its normal");
  hearth_test_save_wide_and_narrow (GTK_WINDOW (editor), "alerts-editor-anomaly", FALSE);

  gtk_spin_button_set_value (threshold, -3);
  g_assert_true (hearth_alert_rule_editor_save (editor));
  hearth_test_spin_until (rule_threshold_is_minus_3, &(RuleWait) { &fixture, before->id }, 5000);
  after = hearth_alerts_get_rule (fixture.alerts, before->id, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (after->threshold, ==, -3);
  g_assert_cmpfloat (after->min_change_percent, ==, before->min_change_percent);
  g_assert_cmpint (after->condition, ==, HEARTH_ALERT_ANOMALY);
  g_assert_cmpint (after->metric, ==, before->metric);
  g_assert_cmpint (after->cooldown_ms, ==, before->cooldown_ms);
  fixture_close (&fixture);
}

static gboolean
shows_url_row (gpointer editor)
{
  return hearth_test_find_widget (GTK_WIDGET (editor), has_title, (gpointer) "Webhook URL") != NULL;
}

static gboolean
stored_exists (gpointer data)
{
  gpointer *fixture_and_name = data;
  g_autoptr(HearthAlertRule) stored = find_stored (fixture_and_name[0], fixture_and_name[1]);

  return stored != NULL;
}

static gboolean
stored_gone (gpointer data)
{
  return !stored_exists (data);
}

static void
test_alerts_editor_bad_input (void)
{
  Fixture fixture = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  HearthAlertRuleEditor *editor;
  GtkWidget *url_row;
  g_autofree char *text = NULL;

  fixture_open (&fixture);
  before = hearth_alerts_list_rules (fixture.alerts, &error);
  g_assert_no_error (error);
  editor = open_editor (&fixture);
  set_text (editor, "Name", "To my phone");
  gtk_switch_set_active (GTK_SWITCH (find_switch (find_row (editor, "Webhook"))), TRUE);
  hearth_test_spin_until (shows_url_row, editor, 5000);
  url_row = find_row (editor, "Webhook URL");
  gtk_editable_set_text (GTK_EDITABLE (url_row), "ntfy.sh/my-topic");
  set_text (editor, "For (30s, 5m, 1h)", "a while");

  g_assert_false (hearth_alert_rule_editor_save (editor));
  hearth_test_wait_for_text (GTK_WIDGET (editor), "a webhook URL starts with http:// or https://",
                             5000);
  hearth_test_wait_drawn (GTK_WIDGET (editor), 2000);
  text = hearth_test_visible_text (GTK_WIDGET (editor));
  assert_text_has (text, "a webhook URL starts with http:// or https://");
  assert_text_has (text, "For (30s, 5m, 1h): ");
  g_assert_true (gtk_widget_has_css_class (url_row, "error"));
  /* what was typed is kept, and nothing was stored */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (url_row)), ==, "ntfy.sh/my-topic");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_row (editor, "Name"))), ==,
                   "To my phone");
  after = hearth_alerts_list_rules (fixture.alerts, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (after->len, ==, before->len);
  hearth_test_save_wide_and_narrow (GTK_WINDOW (editor), "alerts-editor-error", FALSE);
  hearth_test_save_wide_and_narrow (GTK_WINDOW (editor), "alerts-editor-channels", TRUE);

  /* corrected, it saves */
  gtk_editable_set_text (GTK_EDITABLE (url_row), "https://ntfy.sh/my-topic");
  set_text (editor, "For (30s, 5m, 1h)", "2m");
  g_assert_true (hearth_alert_rule_editor_save (editor));
  hearth_test_spin_until (stored_exists, (gpointer[]) { &fixture, (gpointer) "To my phone" }, 5000);
  {
    g_autoptr(HearthAlertRule) stored = find_stored (&fixture, "To my phone");

    g_assert_nonnull (stored);
    g_assert_cmpstr (stored->webhook_url, ==, "https://ntfy.sh/my-topic");
    g_assert_true (stored->channels & HEARTH_ALERT_CHANNEL_WEBHOOK);
    g_assert_cmpint (stored->for_ms, ==, 120000);
  }
  fixture_close (&fixture);
}

static gboolean
has_undo_toast (gpointer page)
{
  return hearth_alerts_page_get_undo_toast (page) != NULL;
}

static void
test_alerts_remove_and_undo (void)
{
  Fixture fixture = { 0 };
  g_autoptr(HearthAlertRule) rule = NULL;
  g_autoptr(HearthAlertRule) kept = NULL;
  g_autoptr(HearthAlertRule) gone = NULL;
  AdwToast *toast;
  g_autofree char *text = NULL;

  fixture_open (&fixture);
  rule = add_rule (fixture.alerts, "Swap in use", HEARTH_ALERT_METRIC_SWAP_USED_MB, 500,
                   HEARTH_ALERT_WARNING);
  g_free (wait_for_text (&fixture, "Swap in use"));

  /* Undo: the rule stays */
  gtk_widget_activate_action (GTK_WIDGET (fixture.page), "alerts.remove-rule", "x", rule->id);
  text = page_text (&fixture);
  assert_text_lacks (text, "Swap in use\n");
  toast = hearth_alerts_page_get_undo_toast (fixture.page);
  g_assert_nonnull (toast);
  g_signal_emit_by_name (toast, "button-clicked");
  adw_toast_dismiss (toast);
  /* nothing can be waited for that shows it stays: what the dismissal does
   * runs on the main loop, so everything pending runs */
  hearth_test_wait_drawn (GTK_WIDGET (fixture.page), 2000);
  kept = find_stored (&fixture, "Swap in use");
  g_assert_nonnull (kept);
  g_free (text);
  text = wait_for_text (&fixture, "Swap in use");
  assert_text_has (text, "Swap in use");

  /* no Undo: it goes when the toast does */
  gtk_widget_activate_action (GTK_WIDGET (fixture.page), "alerts.remove-rule", "x", rule->id);
  hearth_test_spin_until (has_undo_toast, fixture.page, 5000);
  toast = hearth_alerts_page_get_undo_toast (fixture.page);
  adw_toast_dismiss (toast);
  hearth_test_spin_until (stored_gone, (gpointer[]) { &fixture, (gpointer) "Swap in use" }, 5000);
  gone = find_stored (&fixture, "Swap in use");
  g_assert_null (gone);
  fixture_close (&fixture);
}

static gboolean
history_loaded (gpointer data)
{
  return hearth_alerts_page_is_history_loaded (data);
}

static void
test_alerts_history (void)
{
  Fixture fixture = { 0 };
  g_autoptr(HearthAlertRule) rule = NULL;
  g_autofree char *text = NULL;
  const char *fired, *resolved;
  GtkWidget *week;

  fixture_open (&fixture);
  rule = add_rule (fixture.alerts, "VRAM full", HEARTH_ALERT_METRIC_VRAM_PERCENT, 90,
                   HEARTH_ALERT_WARNING);
  feed (fixture.alerts, HEARTH_ALERT_METRIC_VRAM_PERCENT, 80, 97);
  hearth_alerts_observe (fixture.alerts, HEARTH_ALERT_METRIC_VRAM_PERCENT, NULL, 40,
                         g_get_real_time () / 1000 + 1000);
  hearth_test_wait_for_text (GTK_WIDGET (fixture.page), "Resolved · VRAM full", 5000);
  g_assert_true (hearth_test_spin_until (history_loaded, fixture.page, 5000));
  text = page_text (&fixture);
  fired = strstr (text, "Firing · Warning · VRAM full");
  resolved = strstr (text, "Resolved · VRAM full");
  g_assert_nonnull (fired);
  g_assert_nonnull (resolved);
  /* newest first */
  g_assert_true (resolved < fired);
  g_free (text);
  text = wait_for_text (&fixture, "All Quiet");
  assert_text_has (text, "All Quiet");
  hearth_test_save_wide_and_narrow (fixture.window, "alerts-history", TRUE);

  /* the last 7 days are read again, and hold the same two */
  week = hearth_test_find_widget (GTK_WIDGET (fixture.page), is_button_labelled, (gpointer) "7 Days");
  g_assert_nonnull (week);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (week), TRUE);
  g_assert_false (hearth_alerts_page_is_history_loaded (fixture.page));
  g_assert_true (hearth_test_spin_until (history_loaded, fixture.page, 5000));
  g_free (text);
  text = page_text (&fixture);
  assert_text_has (text, "Resolved · VRAM full");
  assert_text_has (text, "Firing · Warning · VRAM full");
  fixture_close (&fixture);
}

static gboolean
badge_is_one (gpointer stack_page)
{
  return adw_view_stack_page_get_badge_number (stack_page) == 1;
}

static gboolean
asks_no_attention (gpointer stack_page)
{
  return !adw_view_stack_page_get_needs_attention (stack_page);
}

/* The window: the Alerts page's badge counts firing alerts before the page is built. */
static void
test_alerts_window_badge (void)
{
  HearthApplication *app = HEARTH_APPLICATION (g_application_get_default ());
  HearthAlerts *alerts;
  HearthWindow *window;
  AdwViewStack *stack;
  AdwViewStackPage *stack_page;
  g_autoptr(HearthAlertRule) rule = NULL;
  g_autoptr(GError) error = NULL;

  /* Only this test's rule judges: a default one (the server nobody runs
   * here) could fire on a slow run before the window opens. */
  alerts = hearth_engine_get_alerts (hearth_application_get_engine (app));
  {
    g_autoptr(GPtrArray) rules = hearth_alerts_list_rules (alerts, &error);

    g_assert_no_error (error);
    for (guint i = 0; i < rules->len; i++)
      {
        hearth_alerts_set_rule_enabled (alerts, ((HearthAlertRule *) rules->pdata[i])->id, FALSE,
                                        &error);
        g_assert_no_error (error);
      }
  }
  g_application_activate (G_APPLICATION (app));
  window = HEARTH_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  stack = ADW_VIEW_STACK (hearth_test_find_descendant (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK));
  stack_page = adw_view_stack_get_page (stack, adw_view_stack_get_child_by_name (stack, "alerts"));
  g_assert_nonnull (stack_page);
  g_assert_cmpuint (adw_view_stack_page_get_badge_number (stack_page), ==, 0);
  g_assert_false (adw_view_stack_page_get_needs_attention (stack_page));

  rule = add_rule (alerts, "Server slow", HEARTH_ALERT_METRIC_TTFT_MS, 2000, HEARTH_ALERT_WARNING);
  feed (alerts, HEARTH_ALERT_METRIC_TTFT_MS, 500, 4000);
  hearth_test_spin_until (badge_is_one, stack_page, 5000);
  g_assert_cmpuint (adw_view_stack_page_get_badge_number (stack_page), ==, 1);
  g_assert_true (adw_view_stack_page_get_needs_attention (stack_page));

  hearth_window_show_alerts (window);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "alerts");
  g_assert_true (HEARTH_IS_ALERTS_PAGE (hearth_window_get_page (window, "alerts")));
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  hearth_test_save_wide_and_narrow (GTK_WINDOW (window), "alerts-window", FALSE);

  /* acknowledged, it still counts as firing but asks for no attention */
  g_assert_true (hearth_alerts_acknowledge (alerts, rule->id, NULL, &error));
  g_assert_no_error (error);
  hearth_test_spin_until (asks_no_attention, stack_page, 5000);
  g_assert_cmpuint (adw_view_stack_page_get_badge_number (stack_page), ==, 1);
  g_assert_false (adw_view_stack_page_get_needs_attention (stack_page));

  g_object_ref (window);
  gtk_window_close (GTK_WINDOW (window));
  hearth_test_spin_until (hearth_test_only_ref, window, 2000);
  g_assert_finalize_object (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(HearthApplication) app = NULL;
  g_autoptr(GError) error = NULL;

  hearth_test_init (&argc, &argv);
  gtk_init ();
  adw_init ();

  app = hearth_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/alerts-page/empty", test_alerts_empty);
  g_test_add_func ("/alerts-page/firing-and-acknowledge", test_alerts_firing_and_acknowledge);
  g_test_add_func ("/alerts-page/disable", test_alerts_disable);
  g_test_add_func ("/alerts-page/editor-add", test_alerts_editor_add);
  g_test_add_func ("/alerts-page/editor-edit", test_alerts_editor_edit);
  g_test_add_func ("/alerts-page/editor-bad-input", test_alerts_editor_bad_input);
  g_test_add_func ("/alerts-page/remove-and-undo", test_alerts_remove_and_undo);
  g_test_add_func ("/alerts-page/history", test_alerts_history);
  g_test_add_func ("/alerts-page/window-badge", test_alerts_window_badge);

  return g_test_run ();
}
