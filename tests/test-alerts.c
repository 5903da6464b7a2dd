/* test-alerts.c — the alerting engine's state machine on synthetic series,
 * and what hearth.db keeps between processes
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "hearth-alerts.h"
#include "hearth-error.h"
#include "hearth-test-alerts.h"
#include "hearth-test-util.h"

/* The state machine */

static void
test_for_duration (void)
{
  g_autoptr(HearthAlerts) alerts = alerts_without_defaults ("for-duration", NULL);
  g_autoptr(Recorder) rec = recorder_new (alerts);
  HearthAlertMetric cpu = HEARTH_ALERT_METRIC_CPU_PERCENT;

  add_rule (alerts, cpu, HEARTH_ALERT_ABOVE, 90, 30 * SECOND, HEARTH_ALERT_WARNING);

  hearth_alerts_observe (alerts, cpu, NULL, 95, T0);
  g_assert_cmpuint (rec->events->len, ==, 1);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_PENDING);
  g_assert_false (last_event (rec)->deliver);
  /* A dip before 30 s: back to ok, and the count starts again. */
  hearth_alerts_observe (alerts, cpu, NULL, 50, T0 + 10 * SECOND);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_OK);
  hearth_alerts_observe (alerts, cpu, NULL, 96, T0 + 20 * SECOND);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_PENDING);
  hearth_alerts_tick (alerts, T0 + 45 * SECOND);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_PENDING);
  g_assert_cmpuint (hearth_alerts_get_n_firing (alerts), ==, 0);
  /* 30 s after it began to hold: firing, by the tick alone. */
  hearth_alerts_tick (alerts, T0 + 50 * SECOND);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_FIRING);
  g_assert_true (last_event (rec)->deliver);
  g_assert_cmpfloat (last_event (rec)->value, ==, 96);
  g_assert_cmpstr (last_event (rec)->message, ==, "CPU use is 96 %, above 90 % for 30s");
  g_assert_cmpuint (hearth_alerts_get_n_firing (alerts), ==, 1);
  g_assert_cmpint (hearth_alerts_get_worst_severity (alerts), ==, HEARTH_ALERT_WARNING);

  hearth_alerts_observe (alerts, cpu, NULL, 40, T0 + 60 * SECOND);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_RESOLVED);
  g_assert_true (last_event (rec)->deliver);
  g_assert_cmpuint (hearth_alerts_get_n_firing (alerts), ==, 0);
  g_assert_cmpuint (rec->events->len, ==, 5);
}

static void
test_fires_at_once (void)
{
  g_autoptr(HearthAlerts) alerts = alerts_without_defaults ("at-once", NULL);
  g_autoptr(Recorder) rec = recorder_new (alerts);

  add_rule (alerts, HEARTH_ALERT_METRIC_DISK_FREE_GB, HEARTH_ALERT_BELOW, 5, 0, HEARTH_ALERT_WARNING);
  hearth_alerts_observe (alerts, HEARTH_ALERT_METRIC_DISK_FREE_GB, NULL, 12, T0);
  g_assert_cmpuint (rec->events->len, ==, 0);
  hearth_alerts_observe (alerts, HEARTH_ALERT_METRIC_DISK_FREE_GB, NULL, 3.24, T0 + SECOND);
  g_assert_cmpuint (rec->events->len, ==, 1);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_FIRING);
  g_assert_cmpstr (last_event (rec)->message, ==, "The models' disk has 3.2 GB free, under 5.0 GB");
}

static void
test_cooldown (void)
{
  g_autoptr(HearthAlerts) alerts = alerts_without_defaults ("cooldown", NULL);
  g_autoptr(Recorder) rec = recorder_new (alerts);
  HearthAlertMetric temp = HEARTH_ALERT_METRIC_GPU_TEMP_C;
  gint64 id = add_rule (alerts, temp, HEARTH_ALERT_ABOVE, 85, 0, HEARTH_ALERT_WARNING);

  set_rule_field (alerts, id, 10 * MINUTE, 0);
  hearth_alerts_observe (alerts, temp, NULL, 90, T0);
  g_assert_true (last_event (rec)->deliver);
  hearth_alerts_observe (alerts, temp, NULL, 70, T0 + MINUTE);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_RESOLVED);
  /* Again within the cooldown: kept, not told, and neither is its end. */
  hearth_alerts_observe (alerts, temp, NULL, 91, T0 + 2 * MINUTE);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_FIRING);
  g_assert_false (last_event (rec)->deliver);
  hearth_alerts_observe (alerts, temp, NULL, 70, T0 + 3 * MINUTE);
  g_assert_false (last_event (rec)->deliver);
  /* After it: told again. */
  hearth_alerts_observe (alerts, temp, NULL, 92, T0 + 11 * MINUTE);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_FIRING);
  g_assert_true (last_event (rec)->deliver);
}

static void
test_escalation_and_ack (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthAlerts) alerts = alerts_without_defaults ("escalation", NULL);
  g_autoptr(Recorder) rec = recorder_new (alerts);
  HearthAlertMetric vram = HEARTH_ALERT_METRIC_VRAM_PERCENT;
  gint64 id = add_rule (alerts, vram, HEARTH_ALERT_ABOVE, 95, 0, HEARTH_ALERT_WARNING);
  g_autoptr(GPtrArray) active = NULL;

  set_rule_field (alerts, id, 0, 5 * MINUTE);
  /* Nothing firing: nothing to acknowledge, and it says so. */
  g_assert_false (hearth_alerts_acknowledge (alerts, id, NULL, &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "nothing firing"));
  g_clear_error (&error);

  hearth_alerts_observe (alerts, vram, NULL, 97, T0);
  hearth_alerts_tick (alerts, T0 + 4 * MINUTE);
  g_assert_cmpuint (rec->events->len, ==, 1);
  hearth_alerts_tick (alerts, T0 + 5 * MINUTE);
  g_assert_cmpuint (rec->events->len, ==, 2);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_FIRING);
  g_assert_cmpint (last_event (rec)->severity, ==, HEARTH_ALERT_CRITICAL);
  g_assert_true (last_event (rec)->deliver);
  g_assert_nonnull (strstr (last_event (rec)->message, "for 5m now"));
  g_assert_cmpint (hearth_alerts_get_worst_severity (alerts), ==, HEARTH_ALERT_CRITICAL);

  /* Acknowledged: still firing, silent, and the tray's worst is none. */
  g_assert_true (hearth_alerts_acknowledge (alerts, id, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (hearth_alerts_get_n_firing (alerts), ==, 1);
  g_assert_cmpint (hearth_alerts_get_worst_severity (alerts), ==, -1);
  active = hearth_alerts_list_active (alerts, &error);
  g_assert_cmpuint (active->len, ==, 1);
  g_assert_true (((HearthAlertEvent *) active->pdata[0])->acknowledged);

  /* It resolves; the next firing is told again. */
  hearth_alerts_observe (alerts, vram, NULL, 50, T0 + 6 * MINUTE);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_RESOLVED);

  /* The rule's statistics count what this process saw at once: one firing
   * (its escalation is not a second), acknowledged, 6 minutes firing. */
  {
    g_autoptr(HearthAlertRule) rule = hearth_alerts_get_rule (alerts, id, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (rule->n_fired, ==, 1);
    g_assert_cmpuint (rule->n_acknowledged, ==, 1);
    g_assert_cmpint (rule->firing_ms, ==, 6 * MINUTE);
  }
  hearth_alerts_observe (alerts, vram, NULL, 99, T0 + 7 * MINUTE);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_FIRING);
  g_assert_cmpint (last_event (rec)->severity, ==, HEARTH_ALERT_WARNING);
  g_assert_false (last_event (rec)->acknowledged);
  g_assert_true (last_event (rec)->deliver);
}

/* An acknowledged warning that escalates stays silent. */
static void
test_ack_silences_escalation (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthAlerts) alerts = alerts_without_defaults ("ack-escalation", NULL);
  g_autoptr(Recorder) rec = recorder_new (alerts);
  HearthAlertMetric swap = HEARTH_ALERT_METRIC_SWAP_USED_MB;
  gint64 id = add_rule (alerts, swap, HEARTH_ALERT_ABOVE, 1000, 0, HEARTH_ALERT_WARNING);

  set_rule_field (alerts, id, 0, MINUTE);
  hearth_alerts_observe (alerts, swap, NULL, 2500, T0);
  g_assert_true (hearth_alerts_acknowledge (alerts, id, NULL, &error));
  hearth_alerts_tick (alerts, T0 + 2 * MINUTE);
  g_assert_cmpint (last_event (rec)->severity, ==, HEARTH_ALERT_CRITICAL);
  g_assert_false (last_event (rec)->deliver);
  g_assert_cmpstr (rec->events->len > 0 ? ((HearthAlertEvent *) rec->events->pdata[0])->message : NULL,
                   ==, "Swap used is 2.5 GB, above 1.0 GB");
}

static int
local_hour (gint64 time_ms)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (time_ms / 1000);

  return g_date_time_get_hour (when);
}

static void
test_quiet_hours (void)
{
  g_autoptr(HearthAlerts) alerts = alerts_without_defaults ("quiet", NULL);
  g_autoptr(Recorder) rec = recorder_new (alerts);
  HearthAlertMetric cpu = HEARTH_ALERT_METRIC_CPU_PERCENT;
  HearthAlertMetric power = HEARTH_ALERT_METRIC_GPU_POWER_W;
  int hour = local_hour (T0);

  add_rule (alerts, cpu, HEARTH_ALERT_ABOVE, 90, 0, HEARTH_ALERT_WARNING);
  add_rule (alerts, power, HEARTH_ALERT_ABOVE, 300, 0, HEARTH_ALERT_CRITICAL);
  /* Quiet from this hour to the next, across midnight when it must. */
  hearth_alerts_set_quiet_hours (alerts, hour, (hour + 1) % 24);
  hearth_alerts_observe (alerts, cpu, NULL, 99, T0);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_FIRING);
  g_assert_false (last_event (rec)->deliver);
  /* A critical alert is told in quiet hours. */
  hearth_alerts_observe (alerts, power, NULL, 350, T0);
  g_assert_cmpint (last_event (rec)->severity, ==, HEARTH_ALERT_CRITICAL);
  g_assert_true (last_event (rec)->deliver);
  hearth_alerts_observe (alerts, cpu, NULL, 10, T0 + SECOND);

  /* Outside them, the warning is told. */
  hearth_alerts_set_quiet_hours (alerts, (hour + 1) % 24, (hour + 3) % 24);
  hearth_alerts_observe (alerts, cpu, NULL, 99, T0 + 2 * SECOND);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_FIRING);
  g_assert_true (last_event (rec)->deliver);
  /* Equal hours: none. */
  hearth_alerts_observe (alerts, cpu, NULL, 10, T0 + 3 * SECOND);
  hearth_alerts_set_quiet_hours (alerts, hour, hour);
  hearth_alerts_observe (alerts, cpu, NULL, 99, T0 + 4 * SECOND);
  g_assert_true (last_event (rec)->deliver);
}

static void
feed_normal (HearthAlerts *alerts,
             const char   *model,
             guint         n)
{
  for (guint i = 0; i < n; i++)
    hearth_alerts_observe (alerts, HEARTH_ALERT_METRIC_TOKENS_PER_S, model,
                           i % 2 ? 17.5 : 17.7, T0 + i * MINUTE);
}

/* A model 30 % slower than its own normal, judged only after ten replies. */
static void
test_anomaly_warm_up (void)
{
  g_autoptr(HearthAlerts) alerts = alerts_without_defaults ("anomaly", NULL);
  g_autoptr(Recorder) rec = recorder_new (alerts);
  g_autoptr(HearthAlertRule) rule = hearth_alert_rule_new ();
  g_autoptr(GError) error = NULL;

  g_free (rule->name);
  rule->name = g_strdup ("Slower than normal");
  rule->metric = HEARTH_ALERT_METRIC_TOKENS_PER_S;
  rule->condition = HEARTH_ALERT_ANOMALY;
  rule->threshold = -2;
  rule->min_change_percent = 30;
  rule->enabled = TRUE;
  hearth_alerts_add_rule (alerts, rule, &error);
  g_assert_no_error (error);

  /* Nine earlier replies are not enough to judge. */
  feed_normal (alerts, "young", HEARTH_ALERT_ANOMALY_MIN_VALUES - 1);
  hearth_alerts_observe (alerts, HEARTH_ALERT_METRIC_TOKENS_PER_S, "young", 12.1, T0 + 20 * MINUTE);
  g_assert_cmpuint (rec->events->len, ==, 0);

  /* Ten are; each model against its own. */
  feed_normal (alerts, "llama3.2", HEARTH_ALERT_ANOMALY_MIN_VALUES);
  g_assert_cmpuint (rec->events->len, ==, 0);
  hearth_alerts_observe (alerts, HEARTH_ALERT_METRIC_TOKENS_PER_S, "llama3.2", 12.1, T0 + 20 * MINUTE);
  g_assert_cmpuint (rec->events->len, ==, 1);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_FIRING);
  g_assert_cmpstr (last_event (rec)->subject, ==, "llama3.2");
  g_assert_cmpstr (last_event (rec)->message, ==,
                   "llama3.2 answers at 12.1 tokens/s, 31 % below its normal 17.6 tokens/s");

  /* 20 % slower is far in z but under the 30 % asked: it resolves. */
  hearth_alerts_observe (alerts, HEARTH_ALERT_METRIC_TOKENS_PER_S, "llama3.2", 14.5, T0 + 21 * MINUTE);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_RESOLVED);
}

/* The baseline starts from the live replies kept in hearth.db: a new
 * process judges its first reply; cached replies are no speed. */
static void
test_anomaly_seeded (void)
{
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthAlerts) first = alerts_without_defaults ("seeded", &store);
  g_autoptr(HearthAlertRule) rule = hearth_alert_rule_new ();
  g_autoptr(HearthAlerts) alerts = NULL;
  g_autoptr(Recorder) rec = NULL;
  g_autoptr(GError) error = NULL;
  const char *path = hearth_store_get_path (store);

  g_free (rule->name);
  rule->name = g_strdup ("Slower than normal");
  rule->metric = HEARTH_ALERT_METRIC_TOKENS_PER_S;
  rule->condition = HEARTH_ALERT_ANOMALY;
  rule->threshold = -2;
  rule->min_change_percent = 30;
  rule->enabled = TRUE;
  hearth_alerts_add_rule (first, rule, &error);
  g_assert_no_error (error);
  g_clear_object (&first);

  hearth_test_sqlite_run (path, "INSERT INTO conversations (id, title, created_ms, updated_ms)"
                                " VALUES (1, 'x', 0, 0)");
  for (int i = 0; i < 12; i++)
    {
      g_autofree char *sql = g_strdup_printf (
        "INSERT INTO messages (conversation_id, role, content, model, state, created_ms,"
        " tokens_per_s, ttft_ms, cached) VALUES (1, 'assistant', 'a', 'seeded', 'complete', %d,"
        " %s, 200, 0)", i, i % 2 ? "17.5" : "17.7");
      hearth_test_sqlite_run (path, sql);
    }
  /* A cached answer at cache speed and a failed one are not the baseline. */
  hearth_test_sqlite_run (path, "INSERT INTO messages (conversation_id, role, content, model, state,"
                                " created_ms, tokens_per_s, cached) VALUES"
                                " (1, 'assistant', 'c', 'seeded', 'complete', 20, 5000, 1),"
                                " (1, 'assistant', 'f', 'seeded', 'failed', 21, 1, 0)");

  alerts = hearth_alerts_new (store);
  rec = recorder_new (alerts);
  /* A cached reply, slow or fast, judges nothing. */
  hearth_alerts_observe_reply (alerts, "seeded", FALSE, TRUE, 1.0, 1, T0);
  hearth_alerts_observe_reply (alerts, "seeded", FALSE, FALSE, 12.1, 300, T0 + SECOND);
  g_assert_true (wait_for_state (rec, HEARTH_ALERT_STATE_FIRING, 10));
  g_assert_cmpstr (last_event (rec)->message, ==,
                   "seeded answers at 12.1 tokens/s, 31 % below its normal 17.6 tokens/s");
  g_assert_cmpuint (rec->events->len, ==, 1);
}

/* error_rate: the share of a model's last ten replies that failed;
 * cached answers and other models do not count. */
static void
test_error_rate (void)
{
  g_autoptr(HearthAlerts) alerts = alerts_without_defaults ("error-rate", NULL);
  g_autoptr(Recorder) rec = recorder_new (alerts);

  add_rule (alerts, HEARTH_ALERT_METRIC_ERROR_RATE, HEARTH_ALERT_ABOVE, 50, 0, HEARTH_ALERT_WARNING);
  while (hearth_alerts_is_busy (alerts))
    g_main_context_iteration (NULL, TRUE);
  hearth_alerts_observe_reply (alerts, "m", FALSE, FALSE, 20, 100, T0);
  hearth_alerts_observe_reply (alerts, "m", TRUE, FALSE, -1, -1, T0 + 1);
  hearth_alerts_observe_reply (alerts, "other", TRUE, FALSE, -1, -1, T0 + 2);
  hearth_alerts_observe_reply (alerts, "m", FALSE, TRUE, 9000, 1, T0 + 3);
  g_assert_cmpuint (rec->events->len, ==, 1);
  g_assert_cmpstr (last_event (rec)->subject, ==, "other");
  hearth_alerts_observe_reply (alerts, "m", TRUE, FALSE, -1, -1, T0 + 4);
  g_assert_cmpuint (rec->events->len, ==, 2);
  g_assert_cmpstr (last_event (rec)->subject, ==, "m");
  g_assert_cmpstr (last_event (rec)->message, ==, "m failed 67 % of its last replies, above 50 %");
  for (guint i = 0; i < 10; i++)
    hearth_alerts_observe_reply (alerts, "m", FALSE, FALSE, 20, 100, T0 + 5 + i);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_RESOLVED);
  g_assert_cmpfloat (last_event (rec)->value, <=, 50);
  g_assert_cmpstr (last_event (rec)->message, ==, "m failed 50 % of its last replies, back under 50 %");
}

static void
test_trend (void)
{
  g_autoptr(HearthAlerts) alerts = alerts_without_defaults ("trend", NULL);
  g_autoptr(Recorder) rec = recorder_new (alerts);
  HearthAlertMetric temp = HEARTH_ALERT_METRIC_GPU_TEMP_C;
  gint64 t;

  /* Rising more than 1 °C a minute over 10 minutes. */
  add_rule (alerts, temp, HEARTH_ALERT_TREND, 1, 10 * MINUTE, HEARTH_ALERT_WARNING);
  /* Flat, then a slow rise of 0.5 °C a minute: nothing. */
  for (t = 0; t <= 20 * MINUTE; t += 30 * SECOND)
    hearth_alerts_observe (alerts, temp, NULL, t < 10 * MINUTE ? 60 : 60 + 0.5 * (t - 10 * MINUTE) / MINUTE,
                           T0 + t);
  g_assert_cmpuint (rec->events->len, ==, 0);
  /* Then 3 °C a minute: it fires before the window is full of it. */
  for (; t <= 30 * MINUTE && rec->events->len == 0; t += 30 * SECOND)
    hearth_alerts_observe (alerts, temp, NULL, 65 + 3.0 * (t - 20 * MINUTE) / MINUTE, T0 + t);
  g_assert_cmpuint (rec->events->len, ==, 1);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_FIRING);
  g_assert_cmpint (t, <, 30 * MINUTE);
  g_assert_nonnull (strstr (last_event (rec)->message, "rises by"));
  /* Flat again: the slope falls back and it resolves. */
  for (guint i = 0; i < 40 && last_event (rec)->state == HEARTH_ALERT_STATE_FIRING; i++, t += 30 * SECOND)
    hearth_alerts_observe (alerts, temp, NULL, 80, T0 + t);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_RESOLVED);
}

/* Persistence: two processes on one file */

static void
test_two_processes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthAlerts) gui = alerts_without_defaults ("two-processes", &store);
  g_autoptr(HearthStore) other_store = hearth_store_open (hearth_store_get_path (store), &error);
  g_autoptr(HearthAlerts) cli = NULL;
  g_autoptr(Recorder) rec = recorder_new (gui);
  g_autoptr(GPtrArray) rules = NULL;
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(HearthAlertRule) rule = NULL;
  HearthAlertMetric cpu = HEARTH_ALERT_METRIC_CPU_PERCENT;
  gint64 id;
  guint changed;

  g_assert_no_error (error);
  cli = hearth_alerts_new (other_store);
  /* A rule added by the command line is judged by the app. */
  id = add_rule (cli, cpu, HEARTH_ALERT_ABOVE, 90, 0, HEARTH_ALERT_CRITICAL);
  hearth_alerts_observe (gui, cpu, NULL, 97, T0);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_FIRING);
  g_assert_cmpint (last_event (rec)->rule_id, ==, id);

  /* The app's alert is firing for the command line too. */
  active = hearth_alerts_list_active (cli, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (active->len, ==, 1);
  g_assert_cmpint (((HearthAlertEvent *) active->pdata[0])->state, ==, HEARTH_ALERT_STATE_FIRING);
  g_assert_cmpstr (((HearthAlertEvent *) active->pdata[0])->message, ==, "CPU use is 97 %, above 90 %");

  /* hearth-cli alerts ack: the app hears of it at its next sample. */
  changed = rec->n_changed;
  g_assert_true (hearth_alerts_acknowledge (cli, id, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (hearth_alerts_get_worst_severity (gui), ==, -1);
  hearth_alerts_tick (gui, T0 + SECOND);
  g_assert_cmpuint (rec->n_changed, >, changed);
  /* Still firing, not told again while it lasts. */
  hearth_alerts_observe (gui, cpu, NULL, 98, T0 + 2 * SECOND);
  g_assert_cmpint (last_event (rec)->state, ==, HEARTH_ALERT_STATE_FIRING);
  g_assert_cmpuint (hearth_alerts_get_n_firing (gui), ==, 1);

  /* Its statistics: fired once, acknowledged once, some time firing. */
  hearth_alerts_observe (gui, cpu, NULL, 20, T0 + 62 * SECOND);
  rule = hearth_alerts_get_rule (cli, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rule->n_fired, ==, 1);
  g_assert_cmpuint (rule->n_acknowledged, ==, 1);
  g_assert_cmpint (rule->firing_ms, ==, 62 * SECOND);

  /* A rule removed by one is gone for the other. */
  hearth_alerts_remove_rule (cli, id, &error);
  g_assert_no_error (error);
  rules = hearth_alerts_list_rules (gui, &error);
  g_assert_cmpuint (rules->len, ==, 0);
}

static void
test_history (void)
{
  g_autoptr(HearthAlerts) alerts = alerts_without_defaults ("history", NULL);
  g_autoptr(GPtrArray) events = NULL;
  HearthAlertMetric cpu = HEARTH_ALERT_METRIC_CPU_PERCENT;

  add_rule (alerts, cpu, HEARTH_ALERT_ABOVE, 90, 0, HEARTH_ALERT_WARNING);
  hearth_alerts_observe (alerts, cpu, NULL, 95, T0);
  hearth_alerts_observe (alerts, cpu, NULL, 15, T0 + MINUTE);
  events = read_history (alerts, T0);
  g_assert_cmpuint (events->len, ==, 2);
  /* Newest first. */
  g_assert_cmpint (((HearthAlertEvent *) events->pdata[0])->state, ==, HEARTH_ALERT_STATE_RESOLVED);
  g_assert_cmpstr (((HearthAlertEvent *) events->pdata[0])->message, ==, "CPU use is back to 15 %");
  g_assert_cmpint (((HearthAlertEvent *) events->pdata[1])->state, ==, HEARTH_ALERT_STATE_FIRING);
  g_clear_pointer (&events, g_ptr_array_unref);
  events = read_history (alerts, T0 + 30 * SECOND);
  g_assert_cmpuint (events->len, ==, 1);

  /* Kept a day: older transitions go at the next tick, except the one
   * that began the state each alert is in. */
  hearth_alerts_set_history_days (alerts, 1);
  hearth_alerts_tick (alerts, T0 + 2 * 24 * 60 * MINUTE);
  g_clear_pointer (&events, g_ptr_array_unref);
  events = read_history (alerts, 0);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpint (((HearthAlertEvent *) events->pdata[0])->state, ==, HEARTH_ALERT_STATE_RESOLVED);
}

static void
test_defaults_once (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = hearth_test_open_store ("defaults");
  g_autoptr(HearthAlerts) alerts = hearth_alerts_new (store);
  g_autoptr(GPtrArray) rules = hearth_alerts_list_rules (alerts, &error);
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) expected = hearth_alert_rule_defaults ();
  g_autoptr(HearthAlerts) second = NULL;
  gint64 removed;

  g_assert_no_error (error);
  g_assert_cmpuint (rules->len, ==, expected->len);
  for (guint i = 0; i < rules->len; i++)
    {
      HearthAlertRule *rule = rules->pdata[i];

      g_assert_true (rule->is_default);
      g_assert_cmpstr (rule->name, ==, ((HearthAlertRule *) expected->pdata[i])->name);
      g_assert_cmpint (rule->metric, ==, ((HearthAlertRule *) expected->pdata[i])->metric);
    }
  removed = ((HearthAlertRule *) rules->pdata[0])->id;
  hearth_alerts_remove_rule (alerts, removed, &error);
  g_assert_no_error (error);
  g_clear_object (&alerts);

  /* The next run does not give it back. */
  second = hearth_alerts_new (store);
  again = hearth_alerts_list_rules (second, &error);
  g_assert_cmpuint (again->len, ==, expected->len - 1);
  for (guint i = 0; i < again->len; i++)
    g_assert_cmpint (((HearthAlertRule *) again->pdata[i])->id, !=, removed);
}

static void
test_bad_rules (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthAlerts) alerts = alerts_without_defaults ("bad-rules", NULL);
  g_autoptr(HearthAlerts) memory = hearth_alerts_new (NULL);
  g_autoptr(HearthAlertRule) rule = hearth_alert_rule_new ();
  g_autoptr(GPtrArray) rules = NULL;

  g_free (rule->name);
  rule->name = g_strdup ("Tell Home Assistant");
  rule->metric = HEARTH_ALERT_METRIC_SERVER_UP;
  rule->condition = HEARTH_ALERT_BELOW;
  rule->threshold = 1;
  rule->channels = HEARTH_ALERT_CHANNEL_WEBHOOK;
  rule->webhook_url = g_strdup ("ftp://example.org/hook");
  g_assert_false (hearth_alerts_add_rule (alerts, rule, &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "starts with http:// or https://"));
  g_clear_error (&error);
  g_free (rule->webhook_url);
  rule->webhook_url = NULL;
  g_assert_false (hearth_alerts_add_rule (alerts, rule, &error));
  g_assert_nonnull (strstr (error->message, "No webhook URL was given"));
  g_clear_error (&error);
  rules = hearth_alerts_list_rules (alerts, &error);
  g_assert_cmpuint (rules->len, ==, 0);

  /* Without a history: the defaults watch, nothing can be added, and why. */
  g_clear_pointer (&rules, g_ptr_array_unref);
  rules = hearth_alerts_list_rules (memory, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rules->len, >, 0);
  rule->channels = HEARTH_ALERT_CHANNEL_LOG;
  hearth_alerts_set_unavailable_reason (memory, "The disk is full");
  g_assert_false (hearth_alerts_add_rule (memory, rule, &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "Alert rules are kept in the history, which is not available: The disk is full");
  g_clear_error (&error);
  g_assert_false (hearth_alerts_remove_rule (memory, 1, &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_FAILED);
}

int
main (int   argc,
      char *argv[])
{
  hearth_test_init (&argc, &argv);

  g_test_add_func ("/alerts/for-duration", test_for_duration);
  g_test_add_func ("/alerts/fires-at-once", test_fires_at_once);
  g_test_add_func ("/alerts/cooldown", test_cooldown);
  g_test_add_func ("/alerts/escalation-and-ack", test_escalation_and_ack);
  g_test_add_func ("/alerts/ack-silences-escalation", test_ack_silences_escalation);
  g_test_add_func ("/alerts/quiet-hours", test_quiet_hours);
  g_test_add_func ("/alerts/anomaly-warm-up", test_anomaly_warm_up);
  g_test_add_func ("/alerts/anomaly-seeded", test_anomaly_seeded);
  g_test_add_func ("/alerts/trend", test_trend);
  g_test_add_func ("/alerts/error-rate", test_error_rate);
  g_test_add_func ("/alerts/two-processes", test_two_processes);
  g_test_add_func ("/alerts/history", test_history);
  g_test_add_func ("/alerts/defaults-once", test_defaults_once);
  g_test_add_func ("/alerts/bad-rules", test_bad_rules);

  return g_test_run ();
}
