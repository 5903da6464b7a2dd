/* hearth-alert-rule.c — what an alert watches, and what it said
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-alerts"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "hearth-alert-rule.h"
#include "hearth-json.h"

typedef struct
{
  const char *name;
  const char *label;
  const char *unit;
  gboolean    per_model;
} MetricInfo;

static const MetricInfo metrics[HEARTH_ALERT_N_METRICS] = {
  [HEARTH_ALERT_METRIC_TOKENS_PER_S]   = { "tokens_per_s", N_("Decode speed"), N_("tokens/s"), TRUE },
  [HEARTH_ALERT_METRIC_TTFT_MS]        = { "ttft_ms", N_("Time to first token"), N_("ms"), TRUE },
  [HEARTH_ALERT_METRIC_ERROR_RATE]     = { "error_rate", N_("Failed replies"), "%", TRUE },
  [HEARTH_ALERT_METRIC_SERVER_UP]      = { "server_up", N_("Server answering"), "", FALSE },
  [HEARTH_ALERT_METRIC_CPU_PERCENT]    = { "cpu_percent", N_("CPU use"), "%", FALSE },
  [HEARTH_ALERT_METRIC_MEMORY_PERCENT] = { "memory_percent", N_("Memory use"), "%", FALSE },
  [HEARTH_ALERT_METRIC_SWAP_USED_MB]   = { "swap_used_mb", N_("Swap used"), N_("MB"), FALSE },
  [HEARTH_ALERT_METRIC_VRAM_PERCENT]   = { "vram_percent", N_("Video memory use"), "%", FALSE },
  [HEARTH_ALERT_METRIC_VRAM_SPILL]     = { "vram_spill", N_("Model partly on the CPU"), "", TRUE },
  [HEARTH_ALERT_METRIC_GPU_TEMP_C]     = { "gpu_temp_c", N_("GPU temperature"), N_("°C"), FALSE },
  [HEARTH_ALERT_METRIC_GPU_POWER_W]    = { "gpu_power_w", N_("GPU power"), N_("W"), FALSE },
  [HEARTH_ALERT_METRIC_DISK_FREE_GB]   = { "disk_free_gb", N_("Free space for models"), N_("GB"), FALSE },
};

static const char *states[] = { "ok", "pending", "firing", "resolved" };
static const char *severities[] = { "warning", "critical" };

/* Rules */

HearthAlertRule *
hearth_alert_rule_new (void)
{
  HearthAlertRule *rule = g_new0 (HearthAlertRule, 1);

  rule->condition = HEARTH_ALERT_ABOVE;
  rule->severity = HEARTH_ALERT_WARNING;
  rule->cooldown_ms = 10 * 60 * 1000;
  rule->channels = HEARTH_ALERT_CHANNEL_NOTIFICATION | HEARTH_ALERT_CHANNEL_TRAY |
                   HEARTH_ALERT_CHANNEL_LOG;
  rule->enabled = TRUE;
  return rule;
}

HearthAlertRule *
hearth_alert_rule_copy (const HearthAlertRule *rule)
{
  HearthAlertRule *copy;

  g_return_val_if_fail (rule != NULL, NULL);

  copy = g_memdup2 (rule, sizeof *rule);
  copy->name = g_strdup (rule->name);
  copy->subject = g_strdup (rule->subject);
  copy->webhook_url = g_strdup (rule->webhook_url);
  return copy;
}

void
hearth_alert_rule_free (HearthAlertRule *rule)
{
  if (rule == NULL)
    return;
  g_free (rule->name);
  g_free (rule->subject);
  g_free (rule->webhook_url);
  g_free (rule);
}

G_DEFINE_BOXED_TYPE (HearthAlertRule, hearth_alert_rule, hearth_alert_rule_copy, hearth_alert_rule_free)

/* "20", "0.5", "1.25": a threshold as a person writes it */
static char *
format_number (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (fabs (value) >= 100 || value == floor (value))
    return g_strdup_printf ("%.0f", value);
  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.3g", value));
}

static char *
with_unit (HearthAlertMetric metric,
           double            value)
{
  g_autofree char *number = format_number (value);
  const char *unit = hearth_alert_metric_get_unit (metric);

  if (*unit == '\0')
    return g_steal_pointer (&number);
  if (g_str_equal (unit, "%"))
    return g_strdup_printf ("%s %%", number);
  return g_strdup_printf ("%s %s", number, unit);
}

/**
 * hearth_alert_rule_describe:
 *
 * Returns: the rule in one line a person reads: "Decode speed below 20
 *   tokens/s for 30s (llama3.2)".
 */
char *
hearth_alert_rule_describe (const HearthAlertRule *rule)
{
  const char *label;
  g_autofree char *what = NULL;
  g_autofree char *value = NULL;
  g_autofree char *duration = NULL;
  g_autofree char *suffix = NULL;

  g_return_val_if_fail (rule != NULL, NULL);

  label = hearth_alert_metric_get_label (rule->metric);
  duration = hearth_alert_format_duration (rule->for_ms);
  switch (rule->condition)
    {
    case HEARTH_ALERT_ABOVE:
    case HEARTH_ALERT_BELOW:
      /* On/off metrics read better as words. */
      if (rule->metric == HEARTH_ALERT_METRIC_SERVER_UP)
        what = g_strdup (rule->condition == HEARTH_ALERT_BELOW && rule->threshold <= 1
                         ? _("Server not answering") : _("Server answering"));
      else if (rule->metric == HEARTH_ALERT_METRIC_VRAM_SPILL)
        what = g_strdup (rule->condition == HEARTH_ALERT_ABOVE && rule->threshold < 1
                         ? _("Model partly on the CPU") : _("Model all in video memory"));
      else
        {
          value = with_unit (rule->metric, rule->threshold);
          what = g_strdup_printf (rule->condition == HEARTH_ALERT_ABOVE
                                  /* Translators: "CPU use above 90 %" */
                                  ? _("%s above %s") : _("%s below %s"),
                                  label, value);
        }
      break;

    case HEARTH_ALERT_ANOMALY:
      {
        g_autofree char *z = format_number (fabs (rule->threshold));

        if (rule->min_change_percent > 0)
          {
            g_autofree char *percent = format_number (rule->min_change_percent);

            what = g_strdup_printf (rule->threshold < 0
                                    /* Translators: "Decode speed 30 % below its normal (2 standard deviations)" */
                                    ? _("%s %s %% below its normal (%s standard deviations)")
                                    : _("%s %s %% above its normal (%s standard deviations)"),
                                    label, percent, z);
          }
        else
          what = g_strdup_printf (rule->threshold < 0
                                  ? _("%s %s standard deviations below its normal")
                                  : _("%s %s standard deviations above its normal"),
                                  label, z);
      }
      break;

    case HEARTH_ALERT_TREND:
      value = with_unit (rule->metric, fabs (rule->threshold));
      what = g_strdup_printf (rule->threshold < 0
                              /* Translators: "GPU temperature falling 2 °C a minute" */
                              ? _("%s falling %s a minute") : _("%s rising %s a minute"),
                              label, value);
      break;

    default:
      g_return_val_if_reached (NULL);
    }

  if (rule->condition == HEARTH_ALERT_TREND)
    suffix = g_strdup_printf (_(" over %s"), duration);
  else if (rule->for_ms > 0)
    suffix = g_strdup_printf (_(" for %s"), duration);
  else
    suffix = g_strdup ("");

  if (rule->subject != NULL && *rule->subject != '\0')
    return g_strdup_printf ("%s%s (%s)", what, suffix, rule->subject);
  return g_strdup_printf ("%s%s", what, suffix);
}

static HearthAlertRule *
default_rule (const char           *name,
              HearthAlertMetric     metric,
              HearthAlertCondition  condition,
              double                threshold,
              gint64                for_ms,
              HearthAlertSeverity   severity,
              gint64                cooldown_ms)
{
  HearthAlertRule *rule = hearth_alert_rule_new ();

  rule->name = g_strdup (name);
  rule->metric = metric;
  rule->condition = condition;
  rule->threshold = threshold;
  rule->for_ms = for_ms;
  rule->severity = severity;
  rule->cooldown_ms = cooldown_ms;
  rule->is_default = TRUE;
  return rule;
}

/**
 * hearth_alert_rule_defaults:
 *
 * Returns: (transfer full) (element-type HearthAlertRule): the rules a new
 *   user gets, each easy to change or turn off
 */
GPtrArray *
hearth_alert_rule_defaults (void)
{
  GPtrArray *rules = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_alert_rule_free);
  HearthAlertRule *rule;

  g_ptr_array_add (rules, default_rule (_("Server down"),
                                        HEARTH_ALERT_METRIC_SERVER_UP, HEARTH_ALERT_BELOW, 1,
                                        30 * 1000, HEARTH_ALERT_CRITICAL, 10 * 60 * 1000));
  g_ptr_array_add (rules, default_rule (_("Model spilling out of video memory"),
                                        HEARTH_ALERT_METRIC_VRAM_SPILL, HEARTH_ALERT_ABOVE, 0.5,
                                        60 * 1000, HEARTH_ALERT_WARNING, 60 * 60 * 1000));
  rule = default_rule (_("Model slower than its normal"),
                       HEARTH_ALERT_METRIC_TOKENS_PER_S, HEARTH_ALERT_ANOMALY, -2,
                       0, HEARTH_ALERT_WARNING, 30 * 60 * 1000);
  rule->min_change_percent = 30;
  g_ptr_array_add (rules, rule);
  g_ptr_array_add (rules, default_rule (_("Little space left for models"),
                                        HEARTH_ALERT_METRIC_DISK_FREE_GB, HEARTH_ALERT_BELOW, 5,
                                        5 * 60 * 1000, HEARTH_ALERT_WARNING, 6 * 60 * 60 * 1000));
  return rules;
}

/* Events */

HearthAlertEvent *
hearth_alert_event_new (void)
{
  HearthAlertEvent *event = g_new0 (HearthAlertEvent, 1);

  event->value = NAN;
  return event;
}

HearthAlertEvent *
hearth_alert_event_copy (const HearthAlertEvent *event)
{
  HearthAlertEvent *copy;

  g_return_val_if_fail (event != NULL, NULL);

  copy = g_memdup2 (event, sizeof *event);
  copy->rule_name = g_strdup (event->rule_name);
  copy->subject = g_strdup (event->subject);
  copy->webhook_url = g_strdup (event->webhook_url);
  copy->message = g_strdup (event->message);
  return copy;
}

void
hearth_alert_event_free (HearthAlertEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->rule_name);
  g_free (event->subject);
  g_free (event->webhook_url);
  g_free (event->message);
  g_free (event);
}

G_DEFINE_BOXED_TYPE (HearthAlertEvent, hearth_alert_event, hearth_alert_event_copy, hearth_alert_event_free)

/**
 * hearth_alert_event_to_json:
 *
 * Returns: the webhook body: {"rule", "rule_id", "metric", "subject",
 *   "value", "threshold", "state", "severity", "time", "host", "message",
 *   "acknowledged", "test"}
 */
char *
hearth_alert_event_to_json (const HearthAlertEvent *event)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *iso = NULL;

  g_return_val_if_fail (event != NULL, NULL);

  time = g_date_time_new_from_unix_utc (event->time_ms / 1000);
  if (time != NULL)
    {
      g_autofree char *seconds = g_date_time_format (time, "%Y-%m-%dT%H:%M:%S");

      iso = g_strdup_printf ("%s.%03dZ", seconds, (int) (event->time_ms % 1000));
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "rule");
  json_builder_add_string_value (builder, event->rule_name ? event->rule_name : "");
  json_builder_set_member_name (builder, "rule_id");
  json_builder_add_int_value (builder, event->rule_id);
  json_builder_set_member_name (builder, "metric");
  json_builder_add_string_value (builder, hearth_alert_metric_to_string (event->metric));
  json_builder_set_member_name (builder, "subject");
  if (event->subject != NULL)
    json_builder_add_string_value (builder, event->subject);
  else
    json_builder_add_null_value (builder);
  hearth_json_add_number (builder, "value", event->value);
  hearth_json_add_number (builder, "threshold", event->threshold);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, hearth_alert_state_to_string (event->state));
  json_builder_set_member_name (builder, "severity");
  json_builder_add_string_value (builder, hearth_alert_severity_to_string (event->severity));
  json_builder_set_member_name (builder, "time");
  if (iso != NULL)
    json_builder_add_string_value (builder, iso);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "host");
  json_builder_add_string_value (builder, g_get_host_name ());
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, event->message ? event->message : "");
  json_builder_set_member_name (builder, "acknowledged");
  json_builder_add_boolean_value (builder, event->acknowledged);
  json_builder_set_member_name (builder, "test");
  json_builder_add_boolean_value (builder, event->is_test);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* Names */

const char *
hearth_alert_metric_to_string (HearthAlertMetric metric)
{
  g_return_val_if_fail (metric < HEARTH_ALERT_N_METRICS, NULL);
  return metrics[metric].name;
}

gboolean
hearth_alert_metric_from_string (const char        *text,
                                 HearthAlertMetric *metric)
{
  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < HEARTH_ALERT_N_METRICS; i++)
    if (g_str_equal (text, metrics[i].name))
      {
        if (metric != NULL)
          *metric = i;
        return TRUE;
      }
  return FALSE;
}

const char *
hearth_alert_metric_get_label (HearthAlertMetric metric)
{
  g_return_val_if_fail (metric < HEARTH_ALERT_N_METRICS, NULL);
  return _(metrics[metric].label);
}

const char *
hearth_alert_metric_get_unit (HearthAlertMetric metric)
{
  g_return_val_if_fail (metric < HEARTH_ALERT_N_METRICS, NULL);
  return *metrics[metric].unit ? _(metrics[metric].unit) : "";
}

gboolean
hearth_alert_metric_is_per_model (HearthAlertMetric metric)
{
  g_return_val_if_fail (metric < HEARTH_ALERT_N_METRICS, FALSE);
  return metrics[metric].per_model;
}

const char *
hearth_alert_state_to_string (HearthAlertState state)
{
  g_return_val_if_fail (state < G_N_ELEMENTS (states), NULL);
  return states[state];
}

const char *
hearth_alert_severity_to_string (HearthAlertSeverity severity)
{
  g_return_val_if_fail (severity < G_N_ELEMENTS (severities), NULL);
  return severities[severity];
}

gboolean
hearth_alert_severity_from_string (const char          *text,
                                   HearthAlertSeverity *severity)
{
  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (severities); i++)
    if (g_str_equal (text, severities[i]))
      {
        if (severity != NULL)
          *severity = i;
        return TRUE;
      }
  return FALSE;
}

/* Durations */

static const struct
{
  const char *suffix;
  gint64      ms;
} units[] = {
  { "d", 24 * 3600 * 1000 },
  { "h", 3600 * 1000 },
  { "m", 60 * 1000 },
  { "s", 1000 },
  { "ms", 1 },
};

/**
 * hearth_alert_parse_duration:
 * @text: "30s", "10m", "2h", "1d", "500ms", "1h30m", or a bare number of seconds
 *
 * Returns: whether @text was a duration; the error says what is expected
 */
gboolean
hearth_alert_parse_duration (const char  *text,
                             gint64      *ms,
                             GError     **error)
{
  const char *p = text;
  gint64 total = 0;

  g_return_val_if_fail (ms != NULL, FALSE);

  if (text == NULL || *text == '\0')
    goto invalid;

  /* A bare number is seconds. */
  if (text[strspn (text, "0123456789")] == '\0')
    {
      if (strlen (text) > 9)
        goto invalid;
      *ms = (gint64) g_ascii_strtoull (text, NULL, 10) * 1000;
      return TRUE;
    }

  while (*p != '\0')
    {
      char *end = NULL;
      guint64 number;
      gboolean matched = FALSE;

      if (!g_ascii_isdigit (*p))
        goto invalid;
      number = g_ascii_strtoull (p, &end, 10);
      if (end == p || number > G_MAXINT32)
        goto invalid;
      p = end;
      /* "ms" before "m" */
      for (int i = G_N_ELEMENTS (units) - 1; i >= 0; i--)
        {
          gsize len = strlen (units[i].suffix);

          if (strncmp (p, units[i].suffix, len) == 0 &&
              (p[len] == '\0' || g_ascii_isdigit (p[len])))
            {
              total += (gint64) number * units[i].ms;
              p += len;
              matched = TRUE;
              break;
            }
        }
      if (!matched || total > (gint64) 366 * 24 * 3600 * 1000)
        goto invalid;
    }
  *ms = total;
  return TRUE;

invalid:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("“%s” is not a duration: write it like 30s, 10m, 2h or 1d"),
               text ? text : "");
  return FALSE;
}

/**
 * hearth_alert_format_duration:
 *
 * Returns: the shortest exact form hearth_alert_parse_duration() reads
 *   back: "30s", "10m", "1h30m", "0s"
 */
char *
hearth_alert_format_duration (gint64 ms)
{
  GString *text = g_string_new (NULL);

  if (ms <= 0)
    return g_string_free (g_string_append (text, "0s"), FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (ms >= units[i].ms)
      {
        g_string_append_printf (text, "%" G_GINT64_FORMAT "%s", ms / units[i].ms, units[i].suffix);
        ms %= units[i].ms;
      }
  return g_string_free (text, FALSE);
}
