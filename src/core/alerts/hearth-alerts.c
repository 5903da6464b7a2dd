/* hearth-alerts.c — the alerting engine: rules kept in hearth.db, every
 * observation judged on the main thread, transitions stored and told
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Cost: an observation walks the enabled rules of its metric (a handful)
 * and pushes onto a ring; nothing is written unless a state changes. Each
 * observation and tick asks SQLite for PRAGMA data_version (no I/O: a
 * counter of the connection) to see whether another process changed the
 * rules or acknowledged an alert, and reads them again only then.
 */
#define G_LOG_DOMAIN "hearth-alerts"

#include "config.h"

#include <math.h>
#include <string.h>

#include "hearth-alerts-private.h"
#include "hearth-error.h"
#include "hearth-alert-channels.h"

#define MINUTE_MS          (G_GINT64_CONSTANT (60) * 1000)
#define DAY_MS             (24 * 60 * MINUTE_MS)
#define SAMPLE_VALUES      600   /* 10 min at 1 Hz, 100 min at the idle 10 s */
#define REPLY_VALUES       (HEARTH_ALERT_ANOMALY_MAX_VALUES + 14)
#define ERROR_RATE_REPLIES 10
#define SEED_REPLIES       2000
#define DEFAULT_HISTORY_DAYS 90


G_DEFINE_FINAL_TYPE (HearthAlerts, hearth_alerts, G_TYPE_OBJECT)

enum {
  TRANSITION,
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  char     *model;
  gboolean  failed;
  gboolean  cached;
  double    tokens_per_s;
  double    ttft_ms;
  gint64    time_ms;
} WaitingReply;

static void
waiting_reply_free (WaitingReply *reply)
{
  g_free (reply->model);
  g_free (reply);
}

static void
hearth_alerts_dispose (GObject *object)
{
  HearthAlerts *self = (HearthAlerts *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->version_stmt, sqlite3_finalize);
  g_clear_object (&self->store);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (hearth_alerts_parent_class)->dispose (object);
}

static void
hearth_alerts_finalize (GObject *object)
{
  HearthAlerts *self = (HearthAlerts *)object;

  g_free (self->unavailable);
  g_clear_pointer (&self->rules, g_ptr_array_unref);
  g_clear_pointer (&self->instances, g_hash_table_unref);
  g_clear_pointer (&self->series, g_hash_table_unref);
  g_clear_pointer (&self->outcomes, g_hash_table_unref);
  g_clear_pointer (&self->waiting, g_ptr_array_unref);

  G_OBJECT_CLASS (hearth_alerts_parent_class)->finalize (object);
}

static void
hearth_alerts_class_init (HearthAlertsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hearth_alerts_dispose;
  object_class->finalize = hearth_alerts_finalize;

  signals[TRANSITION] =
    g_signal_new ("transition", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, hearth_alert_event_get_type () | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
hearth_alerts_init (HearthAlerts *self)
{
  self->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_alert_rule_free);
  self->instances = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) hearth_alert_instance_free);
  self->series = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) hearth_alert_series_free);
  self->outcomes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_byte_array_unref);
  self->waiting = g_ptr_array_new_with_free_func ((GDestroyNotify) waiting_reply_free);
  self->cancellable = g_cancellable_new ();
  self->history_days = DEFAULT_HISTORY_DAYS;
  self->data_version = -1;
}

void
_hearth_alerts_emit_changed (HearthAlerts *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

void
_hearth_alerts_emit_transition (HearthAlerts     *self,
                                HearthAlertEvent *event)
{
  g_signal_emit (self, signals[TRANSITION], 0, event);
}

/* Reading the database again */

static gboolean
reload (HearthAlerts  *self,
        GError       **error)
{
  g_autoptr(GPtrArray) rules = _hearth_alerts_db_load_rules (self->store, error);

  if (rules == NULL)
    return FALSE;
  g_ptr_array_unref (self->rules);
  self->rules = g_steal_pointer (&rules);
  g_hash_table_remove_all (self->instances);
  return _hearth_alerts_db_load_state (self->store, self->instances, error);
}

/* Another connection (hearth-cli, a second window) changed the file: the
 * rules and alerts are read again, and views told. */
void
_hearth_alerts_sync (HearthAlerts *self)
{
  g_autoptr(GError) error = NULL;
  gint64 version;

  if (self->store == NULL)
    return;
  version = _hearth_alerts_db_data_version (self->store, &self->version_stmt);
  if (version == self->data_version)
    return;
  self->data_version = version;
  if (!reload (self, &error))
    {
      g_message ("Alert rules not read again: %s", error->message);
      return;
    }
  g_signal_emit (self, signals[CHANGED], 0);
}

/* Recent values */

char *
_hearth_alerts_series_key (HearthAlertMetric  metric,
                           const char        *subject)
{
  return g_strdup_printf ("%d\037%s", metric, subject ? subject : "");
}

static gboolean
is_reply_metric (HearthAlertMetric metric)
{
  return metric == HEARTH_ALERT_METRIC_TOKENS_PER_S || metric == HEARTH_ALERT_METRIC_TTFT_MS ||
         metric == HEARTH_ALERT_METRIC_ERROR_RATE;
}

static HearthAlertSeries *
get_series (HearthAlerts      *self,
            HearthAlertMetric  metric,
            const char        *subject)
{
  char *key = _hearth_alerts_series_key (metric, subject);
  HearthAlertSeries *series = g_hash_table_lookup (self->series, key);

  if (series != NULL)
    {
      g_free (key);
      return series;
    }
  series = hearth_alert_series_new (is_reply_metric (metric) ? REPLY_VALUES : SAMPLE_VALUES);
  g_hash_table_insert (self->series, key, series);
  return series;
}

/* Quiet hours */

static gboolean
is_quiet (HearthAlerts *self,
          gint64        time_ms)
{
  g_autoptr(GDateTime) when = NULL;
  int hour;

  if (self->quiet_start == self->quiet_end)
    return FALSE;
  when = g_date_time_new_from_unix_local (time_ms / 1000);
  if (when == NULL)
    return FALSE;
  hour = g_date_time_get_hour (when);
  if (self->quiet_start < self->quiet_end)
    return hour >= self->quiet_start && hour < self->quiet_end;
  return hour >= self->quiet_start || hour < self->quiet_end;
}

/* The core channels */

typedef struct
{
  GWeakRef             alerts;
  GAsyncReadyCallback  callback;
  gpointer             user_data;
} Sending;

/* Counts the webhooks in flight (hearth_alerts_is_busy), then hands the
 * result to the caller's callback, or says why it failed. */
static void
webhook_sent (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Sending *sending = user_data;
  g_autoptr(HearthAlerts) self = g_weak_ref_get (&sending->alerts);
  g_autoptr(GError) error = NULL;

  if (self != NULL)
    self->n_sending--;
  if (sending->callback != NULL)
    sending->callback (source, result, sending->user_data);
  else if (!hearth_alert_webhook_send_finish (result, &error) &&
           !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("%s", error->message);
  g_weak_ref_clear (&sending->alerts);
  g_free (sending);
}

gboolean
_hearth_alerts_has_enabled_rule (HearthAlerts      *self,
                                 HearthAlertMetric  metric)
{
  for (guint i = 0; i < self->rules->len; i++)
    {
      const HearthAlertRule *rule = self->rules->pdata[i];

      if (rule->enabled && rule->metric == metric)
        return TRUE;
    }
  return FALSE;
}

gboolean
hearth_alerts_is_busy (HearthAlerts *self)
{
  g_return_val_if_fail (HEARTH_IS_ALERTS (self), FALSE);
  return !self->seeded || self->n_sending > 0;
}

/* The log writes what is delivered and what only quiet hours held back;
 * the webhook only what is delivered. */
void
_hearth_alerts_deliver_core (HearthAlerts           *self,
                             const HearthAlertEvent *event,
                             gboolean                quiet_held,
                             GCancellable           *cancellable,
                             GAsyncReadyCallback     callback,
                             gpointer                user_data)
{
  if ((event->channels & HEARTH_ALERT_CHANNEL_LOG) && (event->deliver || quiet_held))
    hearth_alert_log_event (event);
  if (_hearth_alerts_sends_webhook (self, event))
    {
      Sending *sending = g_new0 (Sending, 1);

      g_weak_ref_init (&sending->alerts, self);
      sending->callback = callback;
      sending->user_data = user_data;
      self->n_sending++;
      hearth_alert_webhook_send_async (self->session, event,
                                       cancellable ? cancellable : self->cancellable,
                                       webhook_sent, sending);
      return;
    }
}

/* Whether _hearth_alerts_deliver_core () sends @event to a webhook (and
 * calls its callback with the webhook's result). */
gboolean
_hearth_alerts_sends_webhook (HearthAlerts           *self,
                              const HearthAlertEvent *event)
{
  return (event->channels & HEARTH_ALERT_CHANNEL_WEBHOOK) && event->deliver &&
         event->webhook_url != NULL && self->session != NULL;
}

/* Evaluating */

const HearthAlertRule *
_hearth_alerts_find_rule (HearthAlerts *self,
                          gint64        rule_id)
{
  for (guint i = 0; i < self->rules->len; i++)
    {
      const HearthAlertRule *rule = self->rules->pdata[i];

      if (rule->id == rule_id)
        return rule;
    }
  return NULL;
}

static HearthAlertInstance *
get_instance (HearthAlerts          *self,
              const HearthAlertRule *rule,
              const char            *subject)
{
  char *key = _hearth_alerts_instance_key (rule->id, subject);
  HearthAlertInstance *instance = g_hash_table_lookup (self->instances, key);

  if (instance != NULL)
    {
      g_free (key);
      return instance;
    }
  instance = hearth_alert_instance_new ();
  g_hash_table_insert (self->instances, key, instance);
  return instance;
}

static void
step (HearthAlerts               *self,
      const HearthAlertRule      *rule,
      HearthAlertInstance        *instance,
      const char                 *subject,
      const HearthAlertJudgement *judgement,
      double                      value,
      gint64                      time_ms)
{
  HearthAlertState before = instance->state;
  gint64 firing_since = instance->firing_since_ms;
  gboolean quiet_held = FALSE;
  gboolean escalation;
  gint64 firing_ms;
  g_autoptr(HearthAlertEvent) event = NULL;
  g_autoptr(GError) error = NULL;

  event = hearth_alert_step (rule, instance, subject, judgement, value, time_ms,
                             is_quiet (self, time_ms), &quiet_held);
  if (event == NULL)
    return;
  escalation = before == HEARTH_ALERT_STATE_FIRING && event->state == HEARTH_ALERT_STATE_FIRING;
  firing_ms = event->state == HEARTH_ALERT_STATE_RESOLVED ? MAX (time_ms - firing_since, 0) : 0;
  /* The rule's statistics follow this process's own transitions (another
   * process's are read again with the rules). */
  if (event->state == HEARTH_ALERT_STATE_FIRING && !escalation)
    ((HearthAlertRule *) rule)->n_fired++;
  ((HearthAlertRule *) rule)->firing_ms += firing_ms;
  if (self->store != NULL)
    {
      if (_hearth_alerts_db_record (self->store, event, instance, escalation, firing_ms, &error))
        instance->event_id = event->id;
      else
        g_message ("Alert “%s” not kept in the history: %s", event->rule_name, error->message);
      /* Our own write does not change data_version; nothing to read again. */
    }
  g_signal_emit (self, signals[TRANSITION], 0, event);
  _hearth_alerts_deliver_core (self, event, quiet_held, NULL, NULL, NULL);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* The machine's series (no subject) are looked up by metric alone: no
 * key to build on every sample. */
static HearthAlertSeries *
lookup_series (HearthAlerts      *self,
               HearthAlertMetric  metric,
               const char        *subject)
{
  if (subject == NULL)
    {
      if (self->machine[metric] == NULL)
        self->machine[metric] = get_series (self, metric, NULL);
      return self->machine[metric];
    }
  return get_series (self, metric, subject);
}

static void
observe_one (HearthAlerts      *self,
             HearthAlertMetric  metric,
             const char        *subject,
             double             value,
             gint64             time_ms)
{
  g_autoptr(GPtrArray) rules = NULL;
  HearthAlertSeries *series;

  if (!isfinite (value))
    return;
  if (subject != NULL && *subject == '\0')
    subject = NULL;
  series = lookup_series (self, metric, subject);
  /* A "transition" handler may change the rules (and so replace the
   * array): this loop keeps the one it walks. */
  rules = g_ptr_array_ref (self->rules);
  for (guint i = 0; !self->paused && i < rules->len; i++)
    {
      const HearthAlertRule *rule = rules->pdata[i];
      HearthAlertJudgement judgement;

      if (!rule->enabled || rule->metric != metric ||
          (rule->subject != NULL && g_strcmp0 (rule->subject, subject) != 0))
        continue;
      hearth_alert_judge (rule, series, value, time_ms, &judgement);
      step (self, rule, get_instance (self, rule, subject), subject, &judgement, value, time_ms);
    }
  hearth_alert_series_push (series, time_ms, value);
}

void
hearth_alerts_observe (HearthAlerts      *self,
                       HearthAlertMetric  metric,
                       const char        *subject,
                       double             value,
                       gint64             time_ms)
{
  g_return_if_fail (HEARTH_IS_ALERTS (self));
  g_return_if_fail (metric < HEARTH_ALERT_N_METRICS);

  if (!self->paused)
    _hearth_alerts_sync (self);
  observe_one (self, metric, subject, value, time_ms);
}

void
hearth_alerts_observe_sample (HearthAlerts       *self,
                              const HearthSample *sample)
{
  gint64 time_ms;

  g_return_if_fail (HEARTH_IS_ALERTS (self));
  g_return_if_fail (sample != NULL);

  time_ms = sample->time_us / 1000;
  if (!self->paused)
    _hearth_alerts_sync (self);
  /* The tick that follows (the engine's) needs not ask again: asking takes
   * a lock on the file, a system call. */
  self->synced_for_tick = TRUE;
  if (sample->cpu_percent >= 0)
    observe_one (self, HEARTH_ALERT_METRIC_CPU_PERCENT, NULL, sample->cpu_percent, time_ms);
  if (sample->mem_total > 0 && sample->mem_used >= 0)
    observe_one (self, HEARTH_ALERT_METRIC_MEMORY_PERCENT, NULL,
                           100.0 * sample->mem_used / sample->mem_total, time_ms);
  if (sample->swap_used >= 0)
    observe_one (self, HEARTH_ALERT_METRIC_SWAP_USED_MB, NULL,
                           sample->swap_used / 1e6, time_ms);
  if (sample->vram_total > 0 && sample->vram_used >= 0)
    observe_one (self, HEARTH_ALERT_METRIC_VRAM_PERCENT, NULL,
                           100.0 * sample->vram_used / sample->vram_total, time_ms);
  if (sample->gpu_temperature_c >= 0)
    observe_one (self, HEARTH_ALERT_METRIC_GPU_TEMP_C, NULL, sample->gpu_temperature_c, time_ms);
  if (sample->gpu_power_w >= 0)
    observe_one (self, HEARTH_ALERT_METRIC_GPU_POWER_W, NULL, sample->gpu_power_w, time_ms);
  if (sample->disk_free >= 0)
    observe_one (self, HEARTH_ALERT_METRIC_DISK_FREE_GB, NULL, sample->disk_free / 1e9, time_ms);
}

static void
observe_reply_now (HearthAlerts *self,
                   const char   *model,
                   gboolean      failed,
                   gboolean      cached,
                   double        tokens_per_s,
                   double        ttft_ms,
                   gint64        time_ms)
{
  GByteArray *outcomes = g_hash_table_lookup (self->outcomes, model);
  guint8 outcome = failed ? 1 : 0;
  guint n_failed = 0;

  /* A cached answer is the cache's speed, not the model's. */
  if (!failed && !cached)
    {
      if (tokens_per_s > 0)
        hearth_alerts_observe (self, HEARTH_ALERT_METRIC_TOKENS_PER_S, model, tokens_per_s, time_ms);
      if (ttft_ms >= 0)
        hearth_alerts_observe (self, HEARTH_ALERT_METRIC_TTFT_MS, model, ttft_ms, time_ms);
    }
  if (cached)
    return;
  if (outcomes == NULL)
    {
      outcomes = g_byte_array_new ();
      g_hash_table_insert (self->outcomes, g_strdup (model), outcomes);
    }
  g_byte_array_append (outcomes, &outcome, 1);
  if (outcomes->len > ERROR_RATE_REPLIES)
    g_byte_array_remove_index (outcomes, 0);
  for (guint i = 0; i < outcomes->len; i++)
    n_failed += outcomes->data[i];
  hearth_alerts_observe (self, HEARTH_ALERT_METRIC_ERROR_RATE, model,
                         100.0 * n_failed / outcomes->len, time_ms);
}

void
hearth_alerts_observe_reply (HearthAlerts *self,
                             const char   *model,
                             gboolean      failed,
                             gboolean      cached,
                             double        tokens_per_s,
                             double        ttft_ms,
                             gint64        time_ms)
{
  g_return_if_fail (HEARTH_IS_ALERTS (self));

  if (model == NULL || *model == '\0')
    return;
  if (!self->seeded)
    {
      WaitingReply *reply = g_new0 (WaitingReply, 1);

      reply->model = g_strdup (model);
      reply->failed = failed;
      reply->cached = cached;
      reply->tokens_per_s = tokens_per_s;
      reply->ttft_ms = ttft_ms;
      reply->time_ms = time_ms;
      g_ptr_array_add (self->waiting, reply);
      return;
    }
  observe_reply_now (self, model, failed, cached, tokens_per_s, ttft_ms, time_ms);
}

static void
prune (HearthAlerts *self,
       gint64        time_ms)
{
  g_autoptr(GError) error = NULL;

  if (self->store == NULL || time_ms - self->pruned_ms < 60 * MINUTE_MS)
    return;
  self->pruned_ms = time_ms;
  if (!_hearth_alerts_db_prune (self->store, time_ms - self->history_days * DAY_MS, &error))
    g_message ("Old alert history not removed: %s", error->message);
}

void
hearth_alerts_tick (HearthAlerts *self,
                    gint64        time_ms)
{
  g_autoptr(GPtrArray) due = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_return_if_fail (HEARTH_IS_ALERTS (self));

  if (self->paused)
    return;
  if (!self->synced_for_tick)
    _hearth_alerts_sync (self);
  self->synced_for_tick = FALSE;
  prune (self, time_ms);
  /* Collected first: a step may read the database again. */
  g_hash_table_iter_init (&iter, self->instances);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      HearthAlertInstance *instance = value;

      if (instance->state == HEARTH_ALERT_STATE_PENDING || instance->state == HEARTH_ALERT_STATE_FIRING)
        {
          if (due == NULL)
            due = g_ptr_array_new_with_free_func (g_free);
          g_ptr_array_add (due, g_strdup (key));
        }
    }
  for (guint i = 0; due != NULL && i < due->len; i++)
    {
      const char *k = due->pdata[i];
      HearthAlertInstance *instance = g_hash_table_lookup (self->instances, k);
      const char *subject = strchr (k, '\037') + 1;
      const HearthAlertRule *rule = _hearth_alerts_find_rule (self, g_ascii_strtoll (k, NULL, 10));

      if (instance == NULL || rule == NULL || !rule->enabled)
        continue;
      step (self, rule, instance, *subject != '\0' ? subject : NULL, NULL, instance->value, time_ms);
    }
}

void
hearth_alerts_set_paused (HearthAlerts *self,
                          gboolean      paused)
{
  g_return_if_fail (HEARTH_IS_ALERTS (self));

  if (self->paused == !!paused)
    return;
  self->paused = !!paused;
  _hearth_alerts_emit_changed (self);
}

gboolean
hearth_alerts_get_paused (HearthAlerts *self)
{
  g_return_val_if_fail (HEARTH_IS_ALERTS (self), FALSE);
  return self->paused;
}

void
hearth_alerts_set_quiet_hours (HearthAlerts *self,
                               int           start_hour,
                               int           end_hour)
{
  g_return_if_fail (HEARTH_IS_ALERTS (self));
  g_return_if_fail (start_hour >= 0 && start_hour < 24 && end_hour >= 0 && end_hour < 24);

  self->quiet_start = start_hour;
  self->quiet_end = end_hour;
}

/**
 * hearth_alerts_set_history_days:
 *
 * Transitions older than this many days are removed (hourly), as the
 * resource history's hours are (samples-hour-days, 90 by default).
 */
void
hearth_alerts_set_history_days (HearthAlerts *self,
                                int           days)
{
  g_return_if_fail (HEARTH_IS_ALERTS (self));
  g_return_if_fail (days > 0);

  self->history_days = days;
  self->pruned_ms = 0;
}

void
hearth_alerts_set_unavailable_reason (HearthAlerts *self,
                                      const char   *reason)
{
  g_return_if_fail (HEARTH_IS_ALERTS (self));
  g_free (self->unavailable);
  self->unavailable = g_strdup (reason);
}

void
hearth_alerts_set_session (HearthAlerts *self,
                           gpointer      soup_session)
{
  g_return_if_fail (HEARTH_IS_ALERTS (self));
  g_return_if_fail (soup_session == NULL || G_IS_OBJECT (soup_session));

  g_set_object ((GObject **) &self->session, soup_session);
}

/* The anomaly baselines from the stored replies */

static void
read_replies_in_worker (GTask        *task,
                        gpointer      source,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *rows = _hearth_alerts_db_read_replies (task_data, SEED_REPLIES, &error);

  if (rows == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, rows, (GDestroyNotify) g_ptr_array_unref);
}

/* Stored values come before any this process saw already. */
static void
seed_series (HearthAlerts      *self,
             HearthAlertMetric  metric,
             const char        *model,
             GArray            *points)
{
  g_autofree char *key = _hearth_alerts_series_key (metric, model);
  HearthAlertSeries *old = g_hash_table_lookup (self->series, key);
  HearthAlertSeries *series = hearth_alert_series_new (REPLY_VALUES);

  for (guint i = points->len; i > 0; i--)
    {
      const HearthAlertPoint *point = &g_array_index (points, HearthAlertPoint, i - 1);
      hearth_alert_series_push (series, point->time_ms, point->value);
    }
  for (guint i = 0; old != NULL && i < old->length; i++)
    {
      const HearthAlertPoint *point = hearth_alert_series_get (old, i);
      hearth_alert_series_push (series, point->time_ms, point->value);
    }
  g_hash_table_replace (self->series, g_steal_pointer (&key), series);
}

static void
add_point (GHashTable *by_model,
           const char *model,
           gint64      time_ms,
           double      value)
{
  GArray *points = g_hash_table_lookup (by_model, model);
  HearthAlertPoint point = { time_ms, value };

  if (points == NULL)
    {
      points = g_array_new (FALSE, FALSE, sizeof (HearthAlertPoint));
      g_hash_table_insert (by_model, g_strdup (model), points);
    }
  if (points->len < REPLY_VALUES)
    g_array_append_val (points, point);
}

static void
replies_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  HearthAlerts *self = HEARTH_ALERTS (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(GHashTable) speeds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) g_array_unref);
  g_autoptr(GHashTable) ttfts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) g_array_unref);
  g_autoptr(GPtrArray) waiting = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (rows == NULL)
    g_message ("Alerts start without the speeds of earlier replies: %s", error->message);
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      HearthAlertReplyRow *row = rows->pdata[i];

      if (row->tokens_per_s > 0)
        add_point (speeds, row->model, row->time_ms, row->tokens_per_s);
      if (row->ttft_ms >= 0)
        add_point (ttfts, row->model, row->time_ms, row->ttft_ms);
    }
  g_hash_table_iter_init (&iter, speeds);
  while (g_hash_table_iter_next (&iter, &key, &value))
    seed_series (self, HEARTH_ALERT_METRIC_TOKENS_PER_S, key, value);
  g_hash_table_iter_init (&iter, ttfts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    seed_series (self, HEARTH_ALERT_METRIC_TTFT_MS, key, value);

  self->seeded = TRUE;
  waiting = g_steal_pointer (&self->waiting);
  self->waiting = g_ptr_array_new_with_free_func ((GDestroyNotify) waiting_reply_free);
  for (guint i = 0; i < waiting->len; i++)
    {
      WaitingReply *reply = waiting->pdata[i];
      observe_reply_now (self, reply->model, reply->failed, reply->cached,
                         reply->tokens_per_s, reply->ttft_ms, reply->time_ms);
    }
}

/* Construction */

static void
use_defaults_in_memory (HearthAlerts *self)
{
  g_autoptr(GPtrArray) defaults = hearth_alert_rule_defaults ();

  for (guint i = 0; i < defaults->len; i++)
    {
      HearthAlertRule *rule = hearth_alert_rule_copy (defaults->pdata[i]);

      rule->id = i + 1;
      rule->is_default = TRUE;
      g_ptr_array_add (self->rules, rule);
    }
}

/**
 * hearth_alerts_new:
 * @store: (nullable): the history that keeps rules, alerts and transitions
 *
 * A new user's database gets the default rules once. The baselines of
 * anomaly rules start from the stored replies, read in a worker; replies
 * observed meanwhile wait for them. Without a store the default rules
 * watch, in memory, and nothing can be added.
 */
HearthAlerts *
hearth_alerts_new (HearthStore *store)
{
  HearthAlerts *self;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (store == NULL || HEARTH_IS_STORE (store), NULL);

  self = g_object_new (HEARTH_TYPE_ALERTS, NULL);
  if (store == NULL)
    {
      use_defaults_in_memory (self);
      self->seeded = TRUE;
      return self;
    }
  self->store = g_object_ref (store);
  if (!_hearth_alerts_db_ensure_defaults (store, &error))
    {
      g_message ("The default alert rules were not added: %s", error->message);
      g_clear_error (&error);
    }
  _hearth_alerts_sync (self);
  {
    g_autoptr(GTask) task = g_task_new (self, self->cancellable, replies_read, NULL);

    g_task_set_source_tag (task, hearth_alerts_new);
    g_task_set_task_data (task, g_strdup (hearth_store_get_path (store)), g_free);
    g_task_run_in_thread (task, read_replies_in_worker);
  }
  return self;
}

