/* hearth-alerts-rules.c — what views and commands ask of HearthAlerts: the
 * rules, the active alerts, acknowledging, the history, a test
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-alerts"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "hearth-alerts-private.h"
#include "hearth-error.h"
#include "hearth-alert-channels.h"

static gboolean
can_keep (HearthAlerts  *self,
          GError       **error)
{
  if (self->store != NULL)
    return TRUE;
  if (self->unavailable != NULL)
    g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_FAILED,
                 _("Alert rules are kept in the history, which is not available: %s"),
                 self->unavailable);
  else
    g_set_error_literal (error, HEARTH_ERROR, HEARTH_ERROR_FAILED,
                         _("Alert rules are kept in the history, which is not available: "
                           "only the default rules watch, until Hearth can open its history"));
  return FALSE;
}


static gboolean
check_rule (const HearthAlertRule  *rule,
            GError                **error)
{
  if (error != NULL && *error != NULL)
    return FALSE;
  if (rule->name == NULL || strspn (rule->name, " \t\n") == strlen (rule->name))
    return hearth_error_set_invalid (error, _("An alert rule needs a name"));
  if ((guint) rule->metric >= HEARTH_ALERT_N_METRICS)
    return hearth_error_set_invalid (error, _("The alert rule “%s” watches no metric Hearth knows"), rule->name);
  if (!isfinite (rule->threshold) || !isfinite (rule->min_change_percent))
    return hearth_error_set_invalid (error, _("The threshold of the alert rule “%s” is not a number"), rule->name);
  if (rule->for_ms < 0 || rule->cooldown_ms < 0 || rule->escalate_after_ms < 0)
    return hearth_error_set_invalid (error, _("The durations of the alert rule “%s” cannot be negative"), rule->name);
  if (rule->condition == HEARTH_ALERT_ANOMALY && rule->threshold == 0)
    return hearth_error_set_invalid (error, _("An anomaly rule needs a z-score other than 0: -2 for “two standard "
                           "deviations below normal”, 2 for above"));
  if (rule->condition == HEARTH_ALERT_TREND && rule->for_ms <= 0)
    return hearth_error_set_invalid (error,
                                     _("A trend rule needs a window (--for), for example 10m"));
  if (rule->channels & HEARTH_ALERT_CHANNEL_WEBHOOK)
    return hearth_alert_webhook_check_url (rule->webhook_url, error);
  return TRUE;
}

/* Rules */

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* Adds the time each rule is firing now to what its resolved alerts fired. */
static HearthAlertRule *
rule_with_stats (HearthAlerts          *self,
                 const HearthAlertRule *rule)
{
  HearthAlertRule *copy = hearth_alert_rule_copy (rule);
  g_autofree char *prefix = g_strdup_printf ("%" G_GINT64_FORMAT "\037", rule->id);
  GHashTableIter iter;
  gpointer key, value;

  copy->n_fired = rule->n_fired;
  copy->firing_ms = rule->firing_ms;
  copy->n_acknowledged = rule->n_acknowledged;
  g_hash_table_iter_init (&iter, self->instances);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      HearthAlertInstance *instance = value;

      if (instance->state == HEARTH_ALERT_STATE_FIRING && g_str_has_prefix (key, prefix))
        copy->firing_ms += MAX (now_ms () - instance->firing_since_ms, 0);
    }
  return copy;
}

GPtrArray *
hearth_alerts_list_rules (HearthAlerts  *self,
                          GError       **error)
{
  GPtrArray *rules;

  g_return_val_if_fail (HEARTH_IS_ALERTS (self), NULL);

  _hearth_alerts_sync (self);
  rules = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_alert_rule_free);
  for (guint i = 0; i < self->rules->len; i++)
    g_ptr_array_add (rules, rule_with_stats (self, self->rules->pdata[i]));
  return rules;
}

static gboolean
no_rule (GError **error,
         gint64   rule_id)
{
  g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
               _("There is no alert rule %" PRId64 ": “hearth-cli alerts rules” lists them"),
               rule_id);
  return FALSE;
}

HearthAlertRule *
hearth_alerts_get_rule (HearthAlerts  *self,
                        gint64         rule_id,
                        GError       **error)
{
  const HearthAlertRule *rule;

  g_return_val_if_fail (HEARTH_IS_ALERTS (self), NULL);

  _hearth_alerts_sync (self);
  rule = _hearth_alerts_find_rule (self, rule_id);
  if (rule == NULL)
    {
      no_rule (error, rule_id);
      return NULL;
    }
  return rule_with_stats (self, rule);
}

/* Our own writes leave data_version as it is: read back at once. */
static gboolean
reread (HearthAlerts  *self,
        gboolean       ok)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rules = NULL;

  if (!ok)
    return FALSE;
  rules = _hearth_alerts_db_load_rules (self->store, &error);
  if (rules != NULL)
    {
      g_ptr_array_unref (self->rules);
      self->rules = g_steal_pointer (&rules);
    }
  else
    g_message ("Alert rules not read again: %s", error->message);
  _hearth_alerts_emit_changed (self);
  return TRUE;
}

static void
forget_instances (HearthAlerts *self,
                  gint64        rule_id)
{
  g_autofree char *prefix = g_strdup_printf ("%" G_GINT64_FORMAT "\037", rule_id);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->instances);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_str_has_prefix (key, prefix))
      g_hash_table_iter_remove (&iter);
}

gboolean
hearth_alerts_add_rule (HearthAlerts     *self,
                        HearthAlertRule  *rule,
                        GError          **error)
{
  g_return_val_if_fail (HEARTH_IS_ALERTS (self), FALSE);
  g_return_val_if_fail (rule != NULL, FALSE);

  if (!can_keep (self, error) || !check_rule (rule, error))
    return FALSE;
  _hearth_alerts_sync (self);
  return reread (self, _hearth_alerts_db_insert_rule (self->store, rule, error));
}

gboolean
hearth_alerts_update_rule (HearthAlerts           *self,
                           const HearthAlertRule  *rule,
                           GError                **error)
{
  g_return_val_if_fail (HEARTH_IS_ALERTS (self), FALSE);
  g_return_val_if_fail (rule != NULL, FALSE);

  if (!can_keep (self, error) || !check_rule (rule, error))
    return FALSE;
  _hearth_alerts_sync (self);
  if (!_hearth_alerts_db_update_rule (self->store, rule, error))
    return FALSE;
  forget_instances (self, rule->id);
  return reread (self, TRUE);
}

gboolean
hearth_alerts_remove_rule (HearthAlerts  *self,
                           gint64         rule_id,
                           GError       **error)
{
  g_return_val_if_fail (HEARTH_IS_ALERTS (self), FALSE);

  if (!can_keep (self, error))
    return FALSE;
  _hearth_alerts_sync (self);
  if (!_hearth_alerts_db_delete_rule (self->store, rule_id, error))
    return FALSE;
  forget_instances (self, rule_id);
  return reread (self, TRUE);
}

gboolean
hearth_alerts_set_rule_enabled (HearthAlerts  *self,
                                gint64         rule_id,
                                gboolean       enabled,
                                GError       **error)
{
  g_return_val_if_fail (HEARTH_IS_ALERTS (self), FALSE);

  if (!can_keep (self, error))
    return FALSE;
  _hearth_alerts_sync (self);
  if (!_hearth_alerts_db_set_enabled (self->store, rule_id, enabled, error))
    return FALSE;
  if (!enabled)
    forget_instances (self, rule_id);
  return reread (self, TRUE);
}

/* Active alerts */

static HearthAlertEvent *
active_event (const HearthAlertRule     *rule,
              const char                *key,
              const HearthAlertInstance *instance)
{
  HearthAlertEvent *event = hearth_alert_event_new ();
  const char *subject = strchr (key, '\037') + 1;

  event->id = instance->event_id;
  event->rule_id = rule->id;
  event->rule_name = g_strdup (rule->name);
  event->metric = rule->metric;
  event->subject = *subject != '\0' ? g_strdup (subject) : NULL;
  event->state = instance->state;
  event->severity = instance->severity;
  event->value = instance->value;
  event->threshold = rule->threshold;
  event->time_ms = instance->since_ms;
  event->since_ms = instance->since_ms;
  event->acknowledged = instance->acknowledged;
  event->deliver = instance->delivered;
  event->channels = rule->channels;
  event->webhook_url = g_strdup (rule->webhook_url);
  event->message = g_strdup (instance->message);
  return event;
}

static int
compare_active (gconstpointer a,
                gconstpointer b)
{
  const HearthAlertEvent *x = *(HearthAlertEvent **) a;
  const HearthAlertEvent *y = *(HearthAlertEvent **) b;

  if (x->state != y->state)
    return x->state == HEARTH_ALERT_STATE_FIRING ? -1 : 1;
  if (x->severity != y->severity)
    return x->severity == HEARTH_ALERT_CRITICAL ? -1 : 1;
  return x->since_ms < y->since_ms ? -1 : x->since_ms > y->since_ms;
}

GPtrArray *
hearth_alerts_list_active (HearthAlerts  *self,
                           GError       **error)
{
  GPtrArray *active;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (HEARTH_IS_ALERTS (self), NULL);

  _hearth_alerts_sync (self);
  active = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_alert_event_free);
  g_hash_table_iter_init (&iter, self->instances);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      HearthAlertInstance *instance = value;
      const HearthAlertRule *rule;

      if (instance->state != HEARTH_ALERT_STATE_FIRING && instance->state != HEARTH_ALERT_STATE_PENDING)
        continue;
      rule = _hearth_alerts_find_rule (self, g_ascii_strtoll (key, NULL, 10));
      if (rule != NULL && rule->enabled)
        g_ptr_array_add (active, active_event (rule, key, instance));
    }
  g_ptr_array_sort (active, compare_active);
  return active;
}

guint
hearth_alerts_get_n_firing (HearthAlerts *self)
{
  g_autoptr(GPtrArray) active = NULL;
  guint n = 0;

  g_return_val_if_fail (HEARTH_IS_ALERTS (self), 0);

  active = hearth_alerts_list_active (self, NULL);
  for (guint i = 0; i < active->len; i++)
    if (((HearthAlertEvent *) active->pdata[i])->state == HEARTH_ALERT_STATE_FIRING)
      n++;
  return n;
}

int
hearth_alerts_get_worst_severity (HearthAlerts *self)
{
  g_autoptr(GPtrArray) active = NULL;
  int worst = -1;

  g_return_val_if_fail (HEARTH_IS_ALERTS (self), -1);

  active = hearth_alerts_list_active (self, NULL);
  for (guint i = 0; i < active->len; i++)
    {
      HearthAlertEvent *event = active->pdata[i];

      if (event->state == HEARTH_ALERT_STATE_FIRING && !event->acknowledged)
        worst = MAX (worst, (int) event->severity);
    }
  return worst;
}

gboolean
hearth_alerts_acknowledge (HearthAlerts  *self,
                           gint64         rule_id,
                           const char    *subject,
                           GError       **error)
{
  const HearthAlertRule *rule;
  GHashTableIter iter;
  gpointer key, value;
  int n = 0;

  g_return_val_if_fail (HEARTH_IS_ALERTS (self), FALSE);

  _hearth_alerts_sync (self);
  rule = _hearth_alerts_find_rule (self, rule_id);
  if (rule == NULL)
    return no_rule (error, rule_id);
  if (subject != NULL && *subject == '\0')
    subject = NULL;
  if (self->store != NULL)
    {
      n = _hearth_alerts_db_acknowledge (self->store, rule_id, subject, error);
      if (n < 0)
        return FALSE;
    }
  g_hash_table_iter_init (&iter, self->instances);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      HearthAlertInstance *instance = value;
      const char *s = strchr (key, '\037') + 1;

      if (g_ascii_strtoll (key, NULL, 10) != rule_id || instance->state != HEARTH_ALERT_STATE_FIRING ||
          instance->acknowledged || (subject != NULL && g_strcmp0 (s, subject) != 0))
        continue;
      instance->acknowledged = TRUE;
      ((HearthAlertRule *) rule)->n_acknowledged++;
      if (self->store == NULL)
        n++;
    }
  if (n == 0)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("The alert rule “%s” has nothing firing to acknowledge"), rule->name);
      return FALSE;
    }
  _hearth_alerts_emit_changed (self);
  return TRUE;
}

/* History */

static void
read_history_in_worker (GTask        *task,
                        gpointer      source,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  char *path = g_object_get_data (G_OBJECT (task), "hearth-path");
  gint64 since_ms = *(gint64 *) task_data;
  GError *error = NULL;
  GPtrArray *events = _hearth_alerts_db_read_history (path, since_ms, &error);

  if (events == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, events, (GDestroyNotify) g_ptr_array_unref);
}

void
hearth_alerts_list_history_async (HearthAlerts        *self,
                                  gint64               since_ms,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (HEARTH_IS_ALERTS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_alerts_list_history_async);
  if (!can_keep (self, &error))
    {
      g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_FAILED,
                               _("No alert history is kept: the history is not available"));
      return;
    }
  g_task_set_task_data (task, g_memdup2 (&since_ms, sizeof since_ms), g_free);
  g_object_set_data_full (G_OBJECT (task), "hearth-path",
                          g_strdup (hearth_store_get_path (self->store)), g_free);
  g_task_run_in_thread (task, read_history_in_worker);
}

/* Returns: (transfer container) (element-type HearthAlertEvent): newest first */
GPtrArray *
hearth_alerts_list_history_finish (HearthAlerts  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Recent values */

static int
compare_points (gconstpointer a,
                gconstpointer b)
{
  const HearthAlertPoint *x = a, *y = b;

  return x->time_ms < y->time_ms ? -1 : x->time_ms > y->time_ms;
}

static void
append_series (GArray                  *points,
               const HearthAlertSeries *series,
               gint64                   since_ms)
{
  for (guint i = 0; i < series->length; i++)
    {
      const HearthAlertPoint *point = hearth_alert_series_get (series, i);

      if (point->time_ms >= since_ms)
        g_array_append_vals (points, point, 1);
    }
}

GArray *
hearth_alerts_get_recent_values (HearthAlerts      *self,
                                 HearthAlertMetric  metric,
                                 const char        *subject,
                                 gint64             since_ms)
{
  GArray *points = g_array_new (FALSE, FALSE, sizeof (HearthAlertPoint));
  g_autofree char *key = NULL;
  g_autofree char *prefix = NULL;
  HearthAlertSeries *series;
  GHashTableIter iter;
  gpointer k, value;

  g_return_val_if_fail (HEARTH_IS_ALERTS (self), points);

  key = _hearth_alerts_series_key (metric, subject);
  series = g_hash_table_lookup (self->series, key);
  if (series != NULL)
    {
      append_series (points, series, since_ms);
      return points;
    }
  if (subject != NULL)
    return points;
  /* Every subject of a per-model or per-server metric, by time. */
  prefix = _hearth_alerts_series_key (metric, NULL);
  g_hash_table_iter_init (&iter, self->series);
  while (g_hash_table_iter_next (&iter, &k, &value))
    if (g_str_has_prefix (k, prefix))
      append_series (points, value, since_ms);
  g_array_sort (points, compare_points);
  return points;
}

/* A test through the rule's channels */

static void
test_delivered (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (hearth_alert_webhook_send_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* The test event of a rule: firing, its latest value, its channels. */
static HearthAlertEvent *
new_test_event (HearthAlerts  *self,
                gint64         rule_id,
                GError       **error)
{
  g_autoptr(HearthAlertEvent) event = NULL;
  g_autofree char *key = NULL;
  const HearthAlertRule *rule;
  HearthAlertSeries *series;

  _hearth_alerts_sync (self);
  rule = _hearth_alerts_find_rule (self, rule_id);
  if (rule == NULL)
    {
      no_rule (error, rule_id);
      return NULL;
    }
  event = hearth_alert_event_new ();
  event->rule_id = rule->id;
  event->rule_name = g_strdup (rule->name);
  event->metric = rule->metric;
  event->subject = g_strdup (rule->subject);
  event->state = HEARTH_ALERT_STATE_FIRING;
  event->severity = rule->severity;
  key = _hearth_alerts_series_key (rule->metric, rule->subject);
  series = g_hash_table_lookup (self->series, key);
  event->value = series != NULL && series->length > 0
                 ? hearth_alert_series_get (series, series->length - 1)->value : NAN;
  event->threshold = rule->threshold;
  event->time_ms = event->since_ms = now_ms ();
  event->is_test = TRUE;
  event->deliver = TRUE;
  event->channels = rule->channels;
  event->webhook_url = g_strdup (rule->webhook_url);
  event->message = g_strdup_printf (_("A test of the alert rule “%s”: its alerts reach you like this"),
                                    rule->name);
  return g_steal_pointer (&event);
}

/**
 * hearth_alerts_announce_test:
 *
 * Emits "transition" with a test event of the rule for this process's own
 * channels (the app's notification and tray) without the core ones: what
 * the app does when hearth-cli alerts test, which sent the log and webhook
 * itself, asks it to.
 */
gboolean
hearth_alerts_announce_test (HearthAlerts  *self,
                             gint64         rule_id,
                             GError       **error)
{
  g_autoptr(HearthAlertEvent) event = NULL;

  g_return_val_if_fail (HEARTH_IS_ALERTS (self), FALSE);

  event = new_test_event (self, rule_id, error);
  if (event == NULL)
    return FALSE;
  _hearth_alerts_emit_transition (self, event);
  return TRUE;
}

void
hearth_alerts_test_rule_async (HearthAlerts        *self,
                               gint64               rule_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(HearthAlertEvent) event = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (HEARTH_IS_ALERTS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_alerts_test_rule_async);
  event = new_test_event (self, rule_id, &error);
  if (event == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  _hearth_alerts_emit_transition (self, event);
  if (_hearth_alerts_sends_webhook (self, event))
    _hearth_alerts_deliver_core (self, event, FALSE, cancellable, test_delivered,
                                 g_steal_pointer (&task));
  else
    {
      _hearth_alerts_deliver_core (self, event, FALSE, NULL, NULL, NULL);
      g_task_return_boolean (task, TRUE);
    }
}

gboolean
hearth_alerts_test_rule_finish (HearthAlerts  *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
