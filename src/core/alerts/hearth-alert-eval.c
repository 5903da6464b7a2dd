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
  /* Translators: an alert that has fired long enough to turn critical. The
   * first %s is the alert's message, a whole sentence such as “CPU use is
   * 96 %, above 90 %”; the second how long it has fired, such as “5m”. */
  message = g_strdup_printf (_("%s, for %s now"), event->message, lasting);
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
    /* Translators: a measured value that is not known, in sentences such
     * as “CPU use is unknown, above 90 %” */
    return g_strdup (_("unknown"));
  switch (metric)
    {
    case HEARTH_ALERT_METRIC_TOKENS_PER_S:
      /* Translators: a model's decode speed, in tokens a second */
      return g_strdup_printf (_("%.1f tokens/s"), value);
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

  if (subject == NULL || *subject == '\0')
    return g_strdup (label);
  /* Translators: what an alert measures, and of which model or server: the
   * first %s is the measure (“Decode speed”, “Error rate”), the second a
   * model's name or a server's address, as in “Decode speed of llama3.2” */
  return g_strdup_printf (_("%s of %s"), label, subject);
}

static gboolean
named (const char *subject)
{
  return subject != NULL && *subject != '\0';
}

/* Each variant is a whole sentence of its own (slower or faster, a named
 * model or none), so that a translation never holds an English word. */
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
  double percent = fabs (change);
  gboolean below = change < 0;

  if (!holds)
    {
      if (rule->metric == HEARTH_ALERT_METRIC_TOKENS_PER_S && named (subject))
        /* Translators: %s is a model's name, then its speed now (“17.6 tokens/s”) */
        return g_strdup_printf (_("%s answers at its normal speed again (%s)"), subject, v);
      if (rule->metric == HEARTH_ALERT_METRIC_TOKENS_PER_S)
        /* Translators: %s is the model's speed now (“17.6 tokens/s”) */
        return g_strdup_printf (_("The model answers at its normal speed again (%s)"), v);
      /* Translators: the first %s is what is measured (“Decode speed of
       * llama3.2”), then its value now and its normal value */
      return g_strdup_printf (_("%s is back to normal (%s, normally %s)"), name, v, normal);
    }

  if (rule->metric == HEARTH_ALERT_METRIC_TOKENS_PER_S)
    {
      if (named (subject) && below)
        /* Translators: a model's name, its speed now, how many percent slower
         * that is, and its normal speed: “llama3.2 answers at 12.1 tokens/s,
         * 31 % below its normal 17.6 tokens/s” */
        return g_strdup_printf (_("%s answers at %s, %.0f %% below its normal %s"),
                                subject, v, percent, normal);
      if (named (subject))
        /* Translators: a model's name, its speed now, how many percent faster
         * that is, and its normal speed */
        return g_strdup_printf (_("%s answers at %s, %.0f %% above its normal %s"),
                                subject, v, percent, normal);
      if (below)
        /* Translators: the model's speed now, how many percent slower that
         * is, and its normal speed */
        return g_strdup_printf (_("The model answers at %s, %.0f %% below its normal %s"),
                                v, percent, normal);
      /* Translators: the model's speed now, how many percent faster that is,
       * and its normal speed */
      return g_strdup_printf (_("The model answers at %s, %.0f %% above its normal %s"),
                              v, percent, normal);
    }

  if (rule->metric == HEARTH_ALERT_METRIC_TTFT_MS)
    {
      if (named (subject) && below)
        /* Translators: a model's name, its time to the first token now (“850
         * ms”), how many percent shorter that is, and its normal time */
        return g_strdup_printf (_("%s takes %s to its first token, %.0f %% below its normal %s"),
                                subject, v, percent, normal);
      if (named (subject))
        /* Translators: a model's name, its time to the first token now (“2.1
         * s”), how many percent longer that is, and its normal time */
        return g_strdup_printf (_("%s takes %s to its first token, %.0f %% above its normal %s"),
                                subject, v, percent, normal);
      if (below)
        /* Translators: the model's time to the first token now, how many
         * percent shorter that is, and its normal time */
        return g_strdup_printf (_("The model takes %s to its first token, %.0f %% below its "
                                  "normal %s"),
                                v, percent, normal);
      /* Translators: the model's time to the first token now, how many
       * percent longer that is, and its normal time */
      return g_strdup_printf (_("The model takes %s to its first token, %.0f %% above its "
                                "normal %s"),
                              v, percent, normal);
    }

  if (below)
    /* Translators: what is measured (“GPU temperature”, “Decode speed of
     * llama3.2”), its value now, how many percent lower that is, and its
     * normal value */
    return g_strdup_printf (_("%s is %s, %.0f %% below its normal %s"), name, v, percent, normal);
  /* Translators: what is measured (“GPU temperature”, “Decode speed of
   * llama3.2”), its value now, how many percent higher that is, and its
   * normal value */
  return g_strdup_printf (_("%s is %s, %.0f %% above its normal %s"), name, v, percent, normal);
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

  if (!holds && rule->threshold < 0)
    /* Translators: what is measured (“Free disk space”), then its value now */
    return g_strdup_printf (_("%s no longer falls fast (now %s)"), name, v);
  if (!holds)
    /* Translators: what is measured (“GPU temperature”), then its value now */
    return g_strdup_printf (_("%s no longer rises fast (now %s)"), name, v);
  if (slope < 0)
    /* Translators: what is measured (“Free disk space”), by how much it
     * falls each minute (“1.2 GB”), over how long (“10m”), its value now */
    return g_strdup_printf (_("%s falls by %s a minute over the last %s (now %s)"),
                            name, per, window, v);
  /* Translators: what is measured (“GPU temperature”), by how much it rises
   * each minute (“3 °C”), over how long (“10m”), its value now */
  return g_strdup_printf (_("%s rises by %s a minute over the last %s (now %s)"),
                          name, per, window, v);
}

/* A model's share of failed replies, as one whole sentence per side and
 * whether the model has a name. */
static char *
error_rate_message (const HearthAlertRule *rule,
                    const char            *subject,
                    gboolean               holds,
                    const char            *v,
                    const char            *limit)
{
  gboolean below = rule->condition == HEARTH_ALERT_BELOW;

  if (named (subject))
    {
      if (holds && below)
        /* Translators: a model's name, its share of failed replies (“67 %”),
         * and the limit it fell below */
        return g_strdup_printf (_("%s failed %s of its last replies, below %s"), subject, v, limit);
      if (holds)
        /* Translators: a model's name, its share of failed replies (“67 %”),
         * and the limit it went above */
        return g_strdup_printf (_("%s failed %s of its last replies, above %s"), subject, v, limit);
      if (below)
        /* Translators: a model's name, its share of failed replies (“50 %”),
         * and the limit it is back above */
        return g_strdup_printf (_("%s failed %s of its last replies, back above %s"),
                                subject, v, limit);
      /* Translators: a model's name, its share of failed replies (“50 %”),
       * and the limit it is back under */
      return g_strdup_printf (_("%s failed %s of its last replies, back under %s"),
                              subject, v, limit);
    }
  if (holds && below)
    /* Translators: a share of failed replies (“67 %”), and the limit it fell below */
    return g_strdup_printf (_("A model failed %s of its last replies, below %s"), v, limit);
  if (holds)
    /* Translators: a share of failed replies (“67 %”), and the limit it went above */
    return g_strdup_printf (_("A model failed %s of its last replies, above %s"), v, limit);
  if (below)
    /* Translators: a share of failed replies (“50 %”), and the limit it is back above */
    return g_strdup_printf (_("A model failed %s of its last replies, back above %s"), v, limit);
  /* Translators: a share of failed replies (“50 %”), and the limit it is back under */
  return g_strdup_printf (_("A model failed %s of its last replies, back under %s"), v, limit);
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
  gboolean below = rule->condition == HEARTH_ALERT_BELOW;

  if (rule->metric == HEARTH_ALERT_METRIC_SERVER_UP)
    {
      if (subject == NULL)
        return g_strdup (holds ? _("The inference server does not answer")
                               : _("The inference server answers again"));
      return g_strdup_printf (holds ? _("The server at %s does not answer")
                                    : _("The server at %s answers again"), subject);
    }
  if (rule->metric == HEARTH_ALERT_METRIC_VRAM_SPILL)
    {
      if (subject == NULL)
        return g_strdup (holds ? _("A model runs partly on the CPU: it does not fit in the GPU's "
                                   "memory")
                               : _("A model no longer runs partly on the CPU"));
      /* Translators: %s is a model's name */
      return g_strdup_printf (holds ? _("%s runs partly on the CPU: it does not fit in the GPU's "
                                        "memory")
                                    : _("%s no longer runs partly on the CPU"),
                              subject);
    }
  if (rule->metric == HEARTH_ALERT_METRIC_ERROR_RATE)
    return error_rate_message (rule, subject != NULL ? subject : "", holds, v, limit);
  if (rule->metric == HEARTH_ALERT_METRIC_DISK_FREE_GB)
    {
      if (!holds)
        /* Translators: %s is the free space (“12.5 GB”) */
        return g_strdup_printf (_("The models' disk has %s free again"), v);
      if (below)
        /* Translators: the free space now (“3.2 GB”), and the limit it is under */
        return g_strdup_printf (_("The models' disk has %s free, under %s"), v, limit);
      /* Translators: the free space now (“80.0 GB”), and the limit it is over */
      return g_strdup_printf (_("The models' disk has %s free, over %s"), v, limit);
    }
  if (!holds)
    /* Translators: what is measured (“CPU use”, “Decode speed of llama3.2”),
     * then its value now */
    return g_strdup_printf (_("%s is back to %s"), name, v);
  if (lasting != NULL && below)
    /* Translators: what is measured (“Decode speed of llama3.2”), its value
     * now, the limit it is below, and for how long (“30s”) */
    return g_strdup_printf (_("%s is %s, below %s for %s"), name, v, limit, lasting);
  if (lasting != NULL)
    /* Translators: what is measured (“CPU use”), its value now, the limit
     * it is above, and for how long (“30s”) */
    return g_strdup_printf (_("%s is %s, above %s for %s"), name, v, limit, lasting);
  if (below)
    /* Translators: what is measured (“Decode speed of llama3.2”), its value
     * now, and the limit it is below */
    return g_strdup_printf (_("%s is %s, below %s"), name, v, limit);
  /* Translators: what is measured (“CPU use”), its value now, and the limit
   * it is above */
  return g_strdup_printf (_("%s is %s, above %s"), name, v, limit);
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
