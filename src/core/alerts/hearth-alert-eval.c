/* hearth-alert-eval.c — the evaluator's state machine and its sentences
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-alerts"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>

#include "hearth-alert-eval.h"

#define MINUTE_MS 60000.0

/* Series */

HearthAlertSeries *
hearth_alert_series_new (guint capacity)
{
  HearthAlertSeries *series = g_new0 (HearthAlertSeries, 1);

  series->capacity = MAX (capacity, 1);
  series->points = g_new (HearthAlertPoint, series->capacity);
  return series;
}

void
hearth_alert_series_free (HearthAlertSeries *series)
{
  if (series == NULL)
    return;
  g_free (series->points);
  g_free (series);
}

void
hearth_alert_series_push (HearthAlertSeries *series,
                          gint64             time_ms,
                          double             value)
{
  guint slot;

  if (series->length == series->capacity)
    {
      slot = series->start;
      series->start = (series->start + 1) % series->capacity;
    }
  else
    slot = (series->start + series->length++) % series->capacity;
  series->points[slot].time_ms = time_ms;
  series->points[slot].value = value;
}

const HearthAlertPoint *
hearth_alert_series_get (const HearthAlertSeries *series,
                         guint                    index)
{
  g_return_val_if_fail (index < series->length, NULL);
  return &series->points[(series->start + index) % series->capacity];
}

/* Instances */

HearthAlertInstance *
hearth_alert_instance_new (void)
{
  HearthAlertInstance *instance = g_new0 (HearthAlertInstance, 1);

  instance->state = HEARTH_ALERT_STATE_OK;
  instance->value = NAN;
  instance->baseline = NAN;
  return instance;
}

void
hearth_alert_instance_free (HearthAlertInstance *instance)
{
  if (instance == NULL)
    return;
  g_free (instance->message);
  g_free (instance);
}

/* Judging */

static gboolean
crosses (double score,
         double threshold)
{
  return threshold >= 0 ? score >= threshold : score <= threshold;
}

static void
judge_anomaly (const HearthAlertRule   *rule,
               const HearthAlertSeries *earlier,
               double                   value,
               HearthAlertJudgement    *judgement)
{
  guint n = earlier != NULL ? MIN (earlier->length, HEARTH_ALERT_ANOMALY_MAX_VALUES) : 0;
  guint first = earlier != NULL ? earlier->length - n : 0;
  double sum = 0, squares = 0, mean, sd;

  if (n < HEARTH_ALERT_ANOMALY_MIN_VALUES)
    return;
  for (guint i = first; i < earlier->length; i++)
    sum += hearth_alert_series_get (earlier, i)->value;
  mean = sum / n;
  for (guint i = first; i < earlier->length; i++)
    {
      double d = hearth_alert_series_get (earlier, i)->value - mean;
      squares += d * d;
    }
  sd = sqrt (squares / (n - 1));
  judgement->judged = TRUE;
  judgement->baseline = mean;
  if (sd > 0)
    judgement->score = (value - mean) / sd;
  else
    judgement->score = value == mean ? 0 : (value > mean ? INFINITY : -INFINITY);
  judgement->holds = crosses (judgement->score, rule->threshold);
  if (judgement->holds && rule->min_change_percent > 0)
    judgement->holds = mean != 0 && fabs (value - mean) / fabs (mean) * 100 >= rule->min_change_percent;
}

/* Least squares over the window, time in minutes from its start. */
static void
judge_trend (const HearthAlertRule   *rule,
             const HearthAlertSeries *earlier,
             double                   value,
             gint64                   time_ms,
             HearthAlertJudgement    *judgement)
{
  gint64 window = MAX (rule->for_ms, 1000);
  gint64 from = time_ms - window;
  double n = 1, sx = 0, sy = value, sxx = 0, sxy = 0, x_now = (double) window / MINUTE_MS;
  gint64 oldest = time_ms;

  sx = x_now;
  sxx = x_now * x_now;
  sxy = x_now * value;
  for (guint i = 0; earlier != NULL && i < earlier->length; i++)
    {
      const HearthAlertPoint *point = hearth_alert_series_get (earlier, i);
      double x;

      if (point->time_ms < from || point->time_ms > time_ms)
        continue;
      x = (double) (point->time_ms - from) / MINUTE_MS;
      oldest = MIN (oldest, point->time_ms);
      n++;
      sx += x;
      sy += point->value;
      sxx += x * x;
      sxy += x * point->value;
    }
  if (n < 3 || time_ms - oldest < window / 2 || n * sxx - sx * sx <= 0)
    return;
  judgement->judged = TRUE;
  judgement->score = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  judgement->baseline = judgement->score;
  judgement->holds = crosses (judgement->score, rule->threshold);
}

void
hearth_alert_judge (const HearthAlertRule   *rule,
                    const HearthAlertSeries *earlier,
                    double                   value,
                    gint64                   time_ms,
                    HearthAlertJudgement    *judgement)
{
  judgement->judged = FALSE;
  judgement->holds = FALSE;
  judgement->baseline = NAN;
  judgement->score = value;
  if (!isfinite (value))
    return;
  switch (rule->condition)
    {
    case HEARTH_ALERT_ABOVE:
      judgement->judged = TRUE;
      judgement->holds = value > rule->threshold;
      break;
    case HEARTH_ALERT_BELOW:
      judgement->judged = TRUE;
      judgement->holds = value < rule->threshold;
      break;
    case HEARTH_ALERT_ANOMALY:
      judge_anomaly (rule, earlier, value, judgement);
      break;
    case HEARTH_ALERT_TREND:
      judge_trend (rule, earlier, value, time_ms, judgement);
      break;
    default:
      break;
    }
}

/* The state machine */

static HearthAlertEvent *
enter (const HearthAlertRule *rule,
       HearthAlertInstance   *instance,
       const char            *subject,
       HearthAlertState       state,
       gint64                 time_ms)
{
  HearthAlertEvent *event = hearth_alert_event_new ();

  instance->state = state;
  instance->since_ms = time_ms;
  event->rule_id = rule->id;
  event->rule_name = g_strdup (rule->name);
  event->metric = rule->metric;
  event->subject = g_strdup (subject);
  event->state = state;
  event->severity = instance->severity;
  event->value = instance->value;
  event->threshold = rule->threshold;
  event->time_ms = time_ms;
  event->since_ms = time_ms;
  event->channels = rule->channels;
  event->webhook_url = g_strdup (rule->webhook_url);
  event->message = hearth_alert_message (rule, subject, state, instance->value, instance->baseline);
  return event;
}

/* Told to the user, unless quiet hours hold back a warning. */
static gboolean
tell (HearthAlertInstance *instance,
      gboolean             wanted,
      gboolean             quiet,
      gboolean            *quiet_held)
{
  if (!wanted)
    return FALSE;
  if (quiet && instance->severity == HEARTH_ALERT_WARNING)
    {
      *quiet_held = TRUE;
      return FALSE;
    }
  return TRUE;
}

static HearthAlertEvent *
fire (const HearthAlertRule *rule,
      HearthAlertInstance   *instance,
      const char            *subject,
      gint64                 time_ms,
      gboolean               quiet,
      gboolean              *quiet_held)
{
  gboolean cooled = instance->last_delivered_ms == 0 ||
                    time_ms - instance->last_delivered_ms >= rule->cooldown_ms;
  HearthAlertEvent *event;

  instance->severity = rule->severity;
  instance->acknowledged = FALSE;
  instance->firing_since_ms = time_ms;
  event = enter (rule, instance, subject, HEARTH_ALERT_STATE_FIRING, time_ms);
  event->deliver = tell (instance, cooled, quiet, quiet_held);
  instance->delivered = event->deliver;
  if (event->deliver)
    instance->last_delivered_ms = time_ms;
  return event;
}

static HearthAlertEvent *
escalate (const HearthAlertRule *rule,
          HearthAlertInstance   *instance,
          const char            *subject,
          gint64                 time_ms)
{
  g_autofree char *lasting = hearth_alert_format_duration (time_ms - instance->firing_since_ms);
  HearthAlertEvent *event;
  char *message;

  instance->severity = HEARTH_ALERT_CRITICAL;
  event = enter (rule, instance, subject, HEARTH_ALERT_STATE_FIRING, time_ms);
  /* Escalating keeps the firing's start: since is when it began to fire. */
  instance->since_ms = instance->firing_since_ms;
  event->since_ms = instance->firing_since_ms;
  message = g_strdup_printf ("%s, for %s now", event->message, lasting);
  g_free (event->message);
  event->message = message;
  event->deliver = !instance->acknowledged;
  if (event->deliver)
    {
      instance->delivered = TRUE;
      instance->last_delivered_ms = time_ms;
    }
  return event;
}

static gint64
hold_ms (const HearthAlertRule *rule)
{
  return rule->condition == HEARTH_ALERT_TREND ? 0 : MAX (rule->for_ms, 0);
}

HearthAlertEvent *
hearth_alert_step (const HearthAlertRule      *rule,
                   HearthAlertInstance        *instance,
                   const char                 *subject,
                   const HearthAlertJudgement *judgement,
                   double                      value,
                   gint64                      time_ms,
                   gboolean                    quiet,
                   gboolean                   *quiet_held)
{
  gboolean held_dummy;
  HearthAlertEvent *event = NULL;

  if (quiet_held == NULL)
    quiet_held = &held_dummy;
  *quiet_held = FALSE;
  if (judgement != NULL)
    {
      if (!judgement->judged)
        return NULL;
      instance->holds = judgement->holds;
      instance->value = value;
      if (isfinite (judgement->baseline))
        instance->baseline = judgement->baseline;
    }

  switch (instance->state)
    {
    case HEARTH_ALERT_STATE_OK:
    case HEARTH_ALERT_STATE_RESOLVED:
      if (!instance->holds || judgement == NULL)
        break;
      if (hold_ms (rule) == 0)
        event = fire (rule, instance, subject, time_ms, quiet, quiet_held);
      else
        {
          instance->severity = rule->severity;
          event = enter (rule, instance, subject, HEARTH_ALERT_STATE_PENDING, time_ms);
        }
      break;

    case HEARTH_ALERT_STATE_PENDING:
      if (!instance->holds)
        event = enter (rule, instance, subject, HEARTH_ALERT_STATE_OK, time_ms);
      else if (time_ms - instance->since_ms >= hold_ms (rule))
        event = fire (rule, instance, subject, time_ms, quiet, quiet_held);
      break;

    case HEARTH_ALERT_STATE_FIRING:
      if (!instance->holds)
        {
          gboolean told = instance->delivered;

          event = enter (rule, instance, subject, HEARTH_ALERT_STATE_RESOLVED, time_ms);
          event->deliver = tell (instance, told, quiet, quiet_held);
          instance->acknowledged = FALSE;
          instance->delivered = FALSE;
          instance->firing_since_ms = 0;
        }
      else if (instance->severity == HEARTH_ALERT_WARNING && rule->escalate_after_ms > 0 &&
               time_ms - instance->firing_since_ms >= rule->escalate_after_ms)
        event = escalate (rule, instance, subject, time_ms);
      break;

    default:
      break;
    }

  if (event != NULL)
    {
      event->acknowledged = instance->acknowledged;
      g_free (instance->message);
      instance->message = g_strdup (event->message);
    }
  return event;
}

/* Words */

const char *
hearth_alert_condition_to_string (HearthAlertCondition condition)
{
  switch (condition)
    {
    case HEARTH_ALERT_ABOVE: return "above";
    case HEARTH_ALERT_BELOW: return "below";
    case HEARTH_ALERT_ANOMALY: return "anomaly";
    case HEARTH_ALERT_TREND: return "trend";
    default: return "above";
    }
}

gboolean
hearth_alert_condition_from_string (const char           *text,
                                    HearthAlertCondition *condition)
{
  for (HearthAlertCondition c = HEARTH_ALERT_ABOVE; c <= HEARTH_ALERT_TREND; c++)
    if (g_strcmp0 (text, hearth_alert_condition_to_string (c)) == 0)
      {
        *condition = c;
        return TRUE;
      }
  return FALSE;
}

char *
hearth_alert_format_value (HearthAlertMetric metric,
                           double            value)
{
  if (!isfinite (value))
    return g_strdup ("unknown");
  switch (metric)
    {
    case HEARTH_ALERT_METRIC_TOKENS_PER_S:
      return g_strdup_printf ("%.1f tokens/s", value);
    case HEARTH_ALERT_METRIC_TTFT_MS:
      return fabs (value) >= 1000 ? g_strdup_printf ("%.1f s", value / 1000)
                                  : g_strdup_printf ("%.0f ms", value);
    case HEARTH_ALERT_METRIC_ERROR_RATE:
    case HEARTH_ALERT_METRIC_CPU_PERCENT:
    case HEARTH_ALERT_METRIC_MEMORY_PERCENT:
    case HEARTH_ALERT_METRIC_VRAM_PERCENT:
      return g_strdup_printf ("%.0f %%", value);
    case HEARTH_ALERT_METRIC_SWAP_USED_MB:
      return fabs (value) >= 1000 ? g_strdup_printf ("%.1f GB", value / 1000)
                                  : g_strdup_printf ("%.0f MB", value);
    case HEARTH_ALERT_METRIC_GPU_TEMP_C:
      return g_strdup_printf ("%.0f °C", value);
    case HEARTH_ALERT_METRIC_GPU_POWER_W:
      return g_strdup_printf ("%.0f W", value);
    case HEARTH_ALERT_METRIC_DISK_FREE_GB:
      return g_strdup_printf ("%.1f GB", value);
    case HEARTH_ALERT_METRIC_SERVER_UP:
    case HEARTH_ALERT_METRIC_VRAM_SPILL:
    case HEARTH_ALERT_N_METRICS:
    default:
      return g_strdup_printf ("%g", value);
    }
}

/* "Decode speed of llama3.2" or "GPU temperature" */
static char *
what (const HearthAlertRule *rule,
      const char            *subject)
{
  const char *label = hearth_alert_metric_get_label (rule->metric);

  return subject != NULL && *subject != '\0' ? g_strdup_printf ("%s of %s", label, subject)
                                             : g_strdup (label);
}

static char *
anomaly_message (const HearthAlertRule *rule,
                 const char            *subject,
                 gboolean               holds,
                 double                 value,
                 double                 baseline)
{
  g_autofree char *v = hearth_alert_format_value (rule->metric, value);
  g_autofree char *normal = hearth_alert_format_value (rule->metric, baseline);
  g_autofree char *name = what (rule, subject);
  double change = baseline != 0 && isfinite (baseline) ? (value - baseline) / fabs (baseline) * 100 : 0;
  const char *side = change < 0 ? "below" : "above";
  const char *model = subject != NULL ? subject : "The model";

  if (!holds)
    {
      if (rule->metric == HEARTH_ALERT_METRIC_TOKENS_PER_S)
        return g_strdup_printf (_("%s answers at its normal speed again (%s)"), model, v);
      return g_strdup_printf (_("%s is back to normal (%s, normally %s)"), name, v, normal);
    }
  if (rule->metric == HEARTH_ALERT_METRIC_TOKENS_PER_S)
    return g_strdup_printf (_("%s answers at %s, %.0f %% %s its normal %s"),
                            model, v, fabs (change), side, normal);
  if (rule->metric == HEARTH_ALERT_METRIC_TTFT_MS)
    return g_strdup_printf (_("%s takes %s to its first token, %.0f %% %s its normal %s"),
                            model, v, fabs (change), side, normal);
  return g_strdup_printf (_("%s is %s, %.0f %% %s its normal %s"), name, v, fabs (change), side, normal);
}

static char *
trend_message (const HearthAlertRule *rule,
               const char            *subject,
               gboolean               holds,
               double                 value,
               double                 slope)
{
  g_autofree char *name = what (rule, subject);
  g_autofree char *v = hearth_alert_format_value (rule->metric, value);
  g_autofree char *per = hearth_alert_format_value (rule->metric, fabs (slope));
  g_autofree char *window = hearth_alert_format_duration (rule->for_ms);

  if (!holds)
    return g_strdup_printf (_("%s no longer %s fast (now %s)"), name,
                            rule->threshold < 0 ? "falls" : "rises", v);
  return g_strdup_printf (_("%s %s by %s a minute over the last %s (now %s)"), name,
                          slope < 0 ? "falls" : "rises", per, window, v);
}

static char *
threshold_message (const HearthAlertRule *rule,
                   const char            *subject,
                   gboolean               holds,
                   double                 value)
{
  g_autofree char *name = what (rule, subject);
  g_autofree char *v = hearth_alert_format_value (rule->metric, value);
  g_autofree char *limit = hearth_alert_format_value (rule->metric, rule->threshold);
  g_autofree char *lasting = rule->for_ms > 0 ? hearth_alert_format_duration (rule->for_ms) : NULL;
  const char *side = rule->condition == HEARTH_ALERT_BELOW ? "below" : "above";

  if (rule->metric == HEARTH_ALERT_METRIC_SERVER_UP)
    {
      if (subject == NULL)
        return g_strdup (holds ? _("The inference server does not answer")
                               : _("The inference server answers again"));
      return g_strdup_printf (holds ? _("The server at %s does not answer")
                                    : _("The server at %s answers again"), subject);
    }
  if (rule->metric == HEARTH_ALERT_METRIC_VRAM_SPILL)
    return g_strdup_printf (holds ? _("%s runs partly on the CPU: it does not fit in the GPU's "
                                      "memory")
                                    : _("%s no longer runs partly on the CPU"),
                              subject != NULL ? subject : "A model");
  if (rule->metric == HEARTH_ALERT_METRIC_ERROR_RATE)
    return g_strdup_printf (holds ? _("%s failed %s of its last replies, %s %s")
                                  : _("%s failed %s of its last replies, back %s %s"),
                            subject != NULL ? subject : "A model", v,
                            holds ? side : (rule->condition == HEARTH_ALERT_BELOW ? "above" : "under"),
                            limit);
  if (rule->metric == HEARTH_ALERT_METRIC_DISK_FREE_GB)
    {
      if (holds)
        return g_strdup_printf (_("The models' disk has %s free, %s %s"), v,
                                rule->condition == HEARTH_ALERT_BELOW ? "under" : "over", limit);
      return g_strdup_printf (_("The models' disk has %s free again"), v);
    }
  if (!holds)
    return g_strdup_printf (_("%s is back to %s"), name, v);
  if (lasting != NULL)
    return g_strdup_printf (_("%s is %s, %s %s for %s"), name, v, side, limit, lasting);
  return g_strdup_printf (_("%s is %s, %s %s"), name, v, side, limit);
}

char *
hearth_alert_message (const HearthAlertRule *rule,
                      const char            *subject,
                      HearthAlertState       state,
                      double                 value,
                      double                 baseline)
{
  gboolean holds = state == HEARTH_ALERT_STATE_FIRING || state == HEARTH_ALERT_STATE_PENDING;

  switch (rule->condition)
    {
    case HEARTH_ALERT_ANOMALY:
      return anomaly_message (rule, subject, holds, value, baseline);
    case HEARTH_ALERT_TREND:
      return trend_message (rule, subject, holds, value, baseline);
    case HEARTH_ALERT_ABOVE:
    case HEARTH_ALERT_BELOW:
    default:
      return threshold_message (rule, subject, holds, value);
    }
}
