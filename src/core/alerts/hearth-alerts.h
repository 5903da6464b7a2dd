/* hearth-alerts.h — the alerting engine: rules, their evaluation, the alert
 * history and the channels that live in core (log, webhook)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine owns one HearthAlerts (hearth_engine_get_alerts()); the GUI and
 * the CLI both use it, so a rule added by one is seen by the other. Rules,
 * the current state of every alert (firing, pending, acknowledged) and every
 * transition live in hearth.db, so another process (hearth-cli alerts list,
 * alerts ack) reads and changes the same alerts; each process re-reads them
 * when the database changed under it.
 */
#pragma once

#include <gio/gio.h>

#include "hearth-alert-rule.h"
#include "hearth-sampler.h"
#include "hearth-store.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_ALERTS (hearth_alerts_get_type ())

G_DECLARE_FINAL_TYPE (HearthAlerts, hearth_alerts, HEARTH, ALERTS, GObject)

/* @store: (nullable): without a history nothing is kept between runs and
 * rules cannot be added (the calls fail with a message that says why). */
HearthAlerts *hearth_alerts_new               (HearthStore       *store);

/* Feeding: every observation is evaluated at once, on the caller's thread
 * (the main thread); transitions are stored and emitted as "transition".
 * @time_ms: wall clock (g_get_real_time () / 1000), given so tests can
 * replay a series. */
void          hearth_alerts_observe           (HearthAlerts      *self,
                                               HearthAlertMetric  metric,
                                               const char        *subject,
                                               double             value,
                                               gint64             time_ms);
/* cpu, memory, swap, vram, gpu temperature and power, disk from one sample */
void          hearth_alerts_observe_sample    (HearthAlerts      *self,
                                               const HearthSample *sample);
/* A finished reply: tokens_per_s and ttft_ms (live replies only, cached ones
 * are not a speed), error_rate. @failed: it ended in an error. */
void          hearth_alerts_observe_reply     (HearthAlerts      *self,
                                               const char        *model,
                                               gboolean           failed,
                                               gboolean           cached,
                                               double             tokens_per_s,
                                               double             ttft_ms,
                                               gint64             time_ms);
/* Pending alerts become firing when their time has come even without a new
 * value; called on every sample. */
void          hearth_alerts_tick              (HearthAlerts      *self,
                                               gint64             time_ms);

/* Monitoring can be paused (the tray's "Pause monitoring"): nothing is
 * evaluated or told until it is resumed. */
void          hearth_alerts_set_paused        (HearthAlerts      *self,
                                               gboolean           paused);
gboolean      hearth_alerts_get_paused        (HearthAlerts      *self);

/* Quiet hours, in local time (start == end: none). Warnings are not told to
 * the notification and webhook channels in them; critical alerts are. */
void          hearth_alerts_set_quiet_hours   (HearthAlerts      *self,
                                               int                start_hour,
                                               int                end_hour);

/* Transitions older than this are removed from the history, as the
 * resource history's hours are (samples-hour-days; 90 by default). */
void          hearth_alerts_set_history_days  (HearthAlerts      *self,
                                               int                days);
/* Without a store: why (the history's error), said by the calls that
 * cannot keep a rule. */
void          hearth_alerts_set_unavailable_reason (HearthAlerts *self,
                                                    const char   *reason);

/* Rules. Reads return copies (HearthAlertRule, free with
 * hearth_alert_rule_free), with their statistics filled in. */
GPtrArray    *hearth_alerts_list_rules        (HearthAlerts      *self,
                                               GError           **error);
HearthAlertRule *
              hearth_alerts_get_rule          (HearthAlerts      *self,
                                               gint64             rule_id,
                                               GError           **error);
/* Checks the rule (a webhook channel needs an http(s) URL, a name, ...)
 * and stores it; sets rule->id. */
gboolean      hearth_alerts_add_rule          (HearthAlerts      *self,
                                               HearthAlertRule   *rule,
                                               GError           **error);
gboolean      hearth_alerts_update_rule       (HearthAlerts      *self,
                                               const HearthAlertRule *rule,
                                               GError           **error);
gboolean      hearth_alerts_remove_rule       (HearthAlerts      *self,
                                               gint64             rule_id,
                                               GError           **error);
gboolean      hearth_alerts_set_rule_enabled  (HearthAlerts      *self,
                                               gint64             rule_id,
                                               gboolean           enabled,
                                               GError           **error);

/* Alerts now firing or pending (HearthAlertEvent: the transition that
 * started the current state), firing first, critical before warning. */
GPtrArray    *hearth_alerts_list_active       (HearthAlerts      *self,
                                               GError           **error);
guint         hearth_alerts_get_n_firing      (HearthAlerts      *self);
/* The highest severity firing and not acknowledged, or -1 */
int           hearth_alerts_get_worst_severity (HearthAlerts     *self);
/* Acknowledges every firing alert of the rule (@subject NULL: all its
 * subjects): silenced until it resolves. Fails when none is firing. */
gboolean      hearth_alerts_acknowledge       (HearthAlerts      *self,
                                               gint64             rule_id,
                                               const char        *subject,
                                               GError           **error);

/* The alert history (HearthAlertEvent, newest first), read in a worker. */
void          hearth_alerts_list_history_async  (HearthAlerts        *self,
                                                 gint64               since_ms,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
GPtrArray    *hearth_alerts_list_history_finish (HearthAlerts        *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* The values this process has seen for a metric and subject (NULL: the
 * machine, or every subject) at or after @since_ms, oldest first, for the
 * rule editor: a GArray of HearthAlertPoint. */
typedef struct
{
  gint64 time_ms;
  double value;
} HearthAlertPoint;

GArray       *hearth_alerts_get_recent_values (HearthAlerts      *self,
                                               HearthAlertMetric  metric,
                                               const char        *subject,
                                               gint64             since_ms);

/* Sends a test event (is_test, state firing) through the rule's channels:
 * "transition" is emitted with it and the core channels (log, webhook)
 * deliver it. @callback runs when the webhook answered or gave up. */
void          hearth_alerts_test_rule_async   (HearthAlerts        *self,
                                               gint64               rule_id,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean      hearth_alerts_test_rule_finish  (HearthAlerts        *self,
                                               GAsyncResult        *result,
                                               GError             **error);
/* Only "transition" with the test event, for this process's own channels
 * (the app's notification and tray): hearth-cli alerts test sent the log
 * and webhook itself before asking the app. */
gboolean      hearth_alerts_announce_test     (HearthAlerts        *self,
                                               gint64               rule_id,
                                               GError             **error);

/* The core channels: the log (the journal, through g_log_structured) and
 * webhooks (an HTTP POST of hearth_alert_event_to_json(), 10 s timeout, 3
 * tries with backoff, never blocking anything else). On by default;
 * "transition" listeners deliver the other channels (notification, tray). */
void          hearth_alerts_set_session       (HearthAlerts      *self,
                                               gpointer           soup_session);

/* TRUE while the anomaly baselines are still being read (replies observed
 * meanwhile wait for them) or a webhook is still being sent: a command that
 * is about to exit (hearth-cli ask) iterates the main context until FALSE. */
gboolean      hearth_alerts_is_busy           (HearthAlerts      *self);

/* Signals:
 *   "transition" (HearthAlertEvent *event): a state changed (or a test);
 *       listeners deliver event->channels when event->deliver.
 *   "changed": rules or the set of active alerts changed (also when another
 *       process changed them), for views to refresh.
 */

G_END_DECLS
