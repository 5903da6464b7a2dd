/* hearth-alert-eval.h — the evaluator: one rule, one subject, one value at
 * a time; pure (no I/O, no clock), so a synthetic series replays exactly
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each (rule, subject) is an instance that moves ok → pending → firing →
 * resolved (and pending → ok when the condition stops before for_ms).
 *
 * - for_ms: how long the condition must hold; 0 fires at the first value.
 *   A trend rule's for_ms is its window, so it fires as soon as the slope
 *   over the window crosses the threshold.
 * - cooldown: a firing within cooldown_ms of the last delivered one is
 *   stored and emitted with deliver = FALSE.
 * - escalation: a warning firing for escalate_after_ms becomes critical:
 *   a transition of its own (state firing, severity critical), delivered
 *   unless acknowledged.
 * - acknowledgement: nothing more is delivered for the instance until it
 *   resolves; resolving clears it.
 * - quiet hours: a warning's transitions get deliver = FALSE (so neither a
 *   notification nor a webhook), and *quiet_held = TRUE tells the caller it
 *   was only quiet hours: the log channel still writes it, the tray shows
 *   it through the firing state. Critical alerts are delivered.
 * - a resolve is delivered when the firing it ends was.
 * - anomaly: the z-score of a value against the subject's own earlier
 *   values (at most HEARTH_ALERT_ANOMALY_MAX_VALUES of the newest); before
 *   HEARTH_ALERT_ANOMALY_MIN_VALUES of them nothing is judged and the
 *   instance does not move.
 * - trend: the least-squares slope per minute of the values in the last
 *   for_ms (with the new one); judged once they span half the window.
 */
#pragma once

#include "hearth-alert-rule.h"
#include "hearth-alerts.h"

G_BEGIN_DECLS

/* The recent values of one metric for one subject, oldest first. */
typedef struct
{
  HearthAlertPoint *points;
  guint             start;
  guint             length;
  guint             capacity;
} HearthAlertSeries;

HearthAlertSeries *hearth_alert_series_new   (guint                    capacity);
void               hearth_alert_series_free  (HearthAlertSeries       *series);
void               hearth_alert_series_push  (HearthAlertSeries       *series,
                                              gint64                   time_ms,
                                              double                   value);
const HearthAlertPoint *
                   hearth_alert_series_get   (const HearthAlertSeries *series,
                                              guint                    index);

typedef struct
{
  HearthAlertState    state;
  HearthAlertSeverity severity;          /* the current one (after escalation) */
  gint64              since_ms;          /* the current state began */
  gint64              firing_since_ms;   /* 0 unless firing */
  gboolean            acknowledged;
  gint64              last_delivered_ms; /* last firing told to the user; 0 never */
  gboolean            delivered;         /* the current firing was told */
  gboolean            holds;             /* the condition held at the last value */
  double              value;             /* the last value judged (NAN: none) */
  double              baseline;          /* anomaly: the normal; trend: the slope */
  gint64              event_id;          /* the stored transition that began the state */
  char               *message;           /* its sentence */
} HearthAlertInstance;

HearthAlertInstance *hearth_alert_instance_new  (void);
void                 hearth_alert_instance_free (HearthAlertInstance *instance);

typedef struct
{
  gboolean judged;     /* enough values to judge (anomaly warm-up, trend span) */
  gboolean holds;      /* the condition holds */
  double   baseline;   /* anomaly: the mean of the earlier values; trend: slope per minute */
  double   score;      /* anomaly: z; trend: slope per minute; else the value */
} HearthAlertJudgement;

/* Judges @value at @time_ms against @rule; @earlier: the subject's values
 * before this one (may be NULL: none). */
void               hearth_alert_judge        (const HearthAlertRule   *rule,
                                              const HearthAlertSeries *earlier,
                                              double                   value,
                                              gint64                   time_ms,
                                              HearthAlertJudgement    *judgement);

/* Moves @instance with a new judgement (or, @judgement NULL, with the
 * passing of time: pending → firing, escalation). Returns the transition
 * (transfer full), or NULL when the state did not change. @quiet: @time_ms
 * is inside quiet hours. */
HearthAlertEvent  *hearth_alert_step         (const HearthAlertRule      *rule,
                                              HearthAlertInstance        *instance,
                                              const char                 *subject,
                                              const HearthAlertJudgement *judgement,
                                              double                      value,
                                              gint64                      time_ms,
                                              gboolean                    quiet,
                                              gboolean                   *quiet_held);

/* The sentence of a transition, e.g. "llama3.2 answers at 12.1 tokens/s,
 * 31 % below its normal 17.6 tokens/s". */
char              *hearth_alert_message      (const HearthAlertRule      *rule,
                                              const char                 *subject,
                                              HearthAlertState            state,
                                              double                      value,
                                              double                      baseline);
/* A value in the metric's unit: "12.1 tokens/s", "2.3 s", "91 °C", "3.2 GB" */
char              *hearth_alert_format_value (HearthAlertMetric           metric,
                                              double                      value);

const char        *hearth_alert_condition_to_string   (HearthAlertCondition condition);
gboolean           hearth_alert_condition_from_string (const char          *text,
                                                       HearthAlertCondition *condition);

G_END_DECLS
