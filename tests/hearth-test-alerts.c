/* hearth-test-alerts.c — what the alert tests share: a recorder of
 * transitions, a history without the default rules, rules made short
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hearth-test-alerts.h"
#include "hearth-error.h"
#include "hearth-test-util.h"

/* What "transition" and "changed" told */

static void
on_transition (HearthAlerts     *alerts,
               HearthAlertEvent *event,
               Recorder         *recorder)
{
  g_ptr_array_add (recorder->events, hearth_alert_event_copy (event));
  if (recorder->loop != NULL && event->state == recorder->wait_state)
    g_main_loop_quit (recorder->loop);
}

static void
on_changed (HearthAlerts *alerts,
            Recorder     *recorder)
{
  recorder->n_changed++;
}

Recorder *
recorder_new (HearthAlerts *alerts)
{
  Recorder *recorder = g_new0 (Recorder, 1);

  recorder->events = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_alert_event_free);
  g_signal_connect (alerts, "transition", G_CALLBACK (on_transition), recorder);
  g_signal_connect (alerts, "changed", G_CALLBACK (on_changed), recorder);
  return recorder;
}

void
recorder_free (Recorder *recorder)
{
  g_ptr_array_unref (recorder->events);
  g_clear_pointer (&recorder->loop, g_main_loop_unref);
  g_free (recorder);
}


HearthAlertEvent *
last_event (Recorder *recorder)
{
  g_assert_cmpuint (recorder->events->len, >, 0);
  return recorder->events->pdata[recorder->events->len - 1];
}

static gboolean
quit_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until a transition into @state, or @seconds pass. */
gboolean
wait_for_state (Recorder        *recorder,
                HearthAlertState state,
                guint            seconds)
{
  guint before = recorder->events->len;
  guint timeout;

  recorder->loop = g_main_loop_new (NULL, FALSE);
  recorder->wait_state = state;
  timeout = g_timeout_add_seconds (seconds, quit_loop, recorder->loop);
  g_main_loop_run (recorder->loop);
  g_clear_pointer (&recorder->loop, g_main_loop_unref);
  for (guint i = before; i < recorder->events->len; i++)
    if (((HearthAlertEvent *) recorder->events->pdata[i])->state == state)
      {
        g_source_remove (timeout);
        return TRUE;
      }
  return FALSE;
}

/* A fresh history with the defaults turned off, so only the test's rules judge. */
HearthAlerts *
alerts_without_defaults (const char   *name,
                         HearthStore **store_out)
{
  g_autoptr(HearthStore) store = hearth_test_open_store (name);
  g_autoptr(GPtrArray) rules = NULL;
  g_autoptr(GError) error = NULL;
  HearthAlerts *alerts = hearth_alerts_new (store);

  rules = hearth_alerts_list_rules (alerts, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rules->len; i++)
    {
      hearth_alerts_remove_rule (alerts, ((HearthAlertRule *) rules->pdata[i])->id, &error);
      g_assert_no_error (error);
    }
  if (store_out != NULL)
    *store_out = g_object_ref (store);
  return alerts;
}

gint64
add_rule (HearthAlerts         *alerts,
          HearthAlertMetric     metric,
          HearthAlertCondition  condition,
          double                threshold,
          gint64                for_ms,
          HearthAlertSeverity   severity)
{
  g_autoptr(HearthAlertRule) rule = hearth_alert_rule_new ();
  g_autoptr(GError) error = NULL;

  g_free (rule->name);
  rule->name = g_strdup ("test rule");
  rule->metric = metric;
  rule->condition = condition;
  rule->threshold = threshold;
  rule->for_ms = for_ms;
  rule->severity = severity;
  rule->cooldown_ms = 0;
  rule->channels = HEARTH_ALERT_CHANNEL_NOTIFICATION;
  rule->enabled = TRUE;
  hearth_alerts_add_rule (alerts, rule, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rule->id, >, 0);
  return rule->id;
}

void
set_rule_field (HearthAlerts *alerts,
                gint64        rule_id,
                gint64        cooldown_ms,
                gint64        escalate_after_ms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthAlertRule) rule = hearth_alerts_get_rule (alerts, rule_id, &error);

  g_assert_no_error (error);
  rule->cooldown_ms = cooldown_ms;
  rule->escalate_after_ms = escalate_after_ms;
  hearth_alerts_update_rule (alerts, rule, &error);
  g_assert_no_error (error);
}

static void
history_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GPtrArray **events = user_data;
  g_autoptr(GError) error = NULL;

  *events = hearth_alerts_list_history_finish (HEARTH_ALERTS (source), result, &error);
  g_assert_no_error (error);
}

GPtrArray *
read_history (HearthAlerts *alerts,
              gint64        since_ms)
{
  GPtrArray *events = NULL;

  hearth_alerts_list_history_async (alerts, since_ms, NULL, history_read, &events);
  while (events == NULL)
    g_main_context_iteration (NULL, TRUE);
  return events;
}

