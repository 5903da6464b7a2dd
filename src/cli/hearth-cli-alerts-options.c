/* hearth-cli-alerts-options.c — hearth-cli alerts' options: a rule from the command line
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include <math.h>

#include "hearth-alert-channels.h"
#include "hearth-cli-private.h"
#include "hearth-endpoint.h"

/* What a trend rule looks at when --for is not given. */
#define DEFAULT_TREND_WINDOW_MS (10 * 60 * 1000)

static const char * const condition_names[] = {
  [HEARTH_ALERT_ABOVE] = "above",
  [HEARTH_ALERT_BELOW] = "below",
  [HEARTH_ALERT_ANOMALY] = "anomaly",
  [HEARTH_ALERT_TREND] = "trend",
};

static const struct
{
  HearthAlertChannels channel;
  const char         *name;
} channel_names[] = {
  { HEARTH_ALERT_CHANNEL_NOTIFICATION, "notification" },
  { HEARTH_ALERT_CHANNEL_TRAY, "tray" },
  { HEARTH_ALERT_CHANNEL_LOG, "log" },
};

/* alerts add: what was given; -1 (or FALSE) is not given */
static gboolean              have_metric;
static HearthAlertMetric     opt_metric;
static guint                 n_conditions;
static HearthAlertCondition  opt_condition;
static double                opt_threshold;
static gint64                opt_for_ms = -1;
static gboolean              have_severity;
static HearthAlertSeverity   opt_severity;
static gint64                opt_cooldown_ms = -1;
static gint64                opt_escalate_ms = -1;
static double                opt_percent = -1;
static char                **opt_channels;
static char                 *opt_name;
/* alerts history */
static gint64                opt_since_ms = -1;

/* "tokens_per_s, ttft_ms, … or disk_free_gb" */
static char *
list_metrics (void)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < HEARTH_ALERT_N_METRICS; i++)
    {
      if (i > 0 && i + 1 == HEARTH_ALERT_N_METRICS)
        /* Translators: joins the last two of a list of choices, with spaces
         * around: “tokens_per_s, ttft_ms or disk_free_gb” */
        g_string_append (names, _(" or "));
      else if (i > 0)
        g_string_append (names, ", ");
      g_string_append (names, hearth_alert_metric_to_string (i));
    }
  return g_string_free (names, FALSE);
}

static gboolean
parse_metric (const char  *option,
              const char  *value,
              gpointer     data,
              GError     **error)
{
  g_autofree char *names = NULL;

  if (hearth_alert_metric_from_string (value, &opt_metric))
    {
      have_metric = TRUE;
      return TRUE;
    }
  names = list_metrics ();
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("--metric takes %s, not “%s”"), names, value);
  return FALSE;
}

/* --above, --below, --anomaly, --trend: the condition and its number */
static gboolean
parse_condition (const char  *option,
                 const char  *value,
                 gpointer     data,
                 GError     **error)
{
  const char *name = option + strspn (option, "-");
  char *end = NULL;

  n_conditions++;
  for (guint i = 0; i < G_N_ELEMENTS (condition_names); i++)
    if (g_str_equal (name, condition_names[i]))
      opt_condition = i;
  opt_threshold = g_ascii_strtod (value, &end);
  if (*value == '\0' || *end != '\0' || !isfinite (opt_threshold) ||
      fabs (opt_threshold) > (opt_condition == HEARTH_ALERT_ANOMALY ? 100 : 1e15))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   opt_condition == HEARTH_ALERT_ANOMALY
                   ? _("%s takes a z-score from -100 to 100, such as -2, not “%s”")
                   : _("%s takes a number, such as 20 or 0.5, not “%s”"), option, value);
      return FALSE;
    }
  if (opt_threshold == 0 && (opt_condition == HEARTH_ALERT_ANOMALY ||
                             opt_condition == HEARTH_ALERT_TREND))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   opt_condition == HEARTH_ALERT_ANOMALY
                   ? _("--anomaly takes a z-score other than 0: 2 fires when a value is 2 standard "
                       "deviations above its normal, -2 below")
                   : _("--trend takes a slope per minute other than 0: 5 fires when the value "
                       "rises by 5 a minute or faster, -5 when it falls that fast"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_duration_value (const char  *option,
                      const char  *value,
                      gint64      *ms,
                      GError     **error)
{
  g_autoptr(GError) local = NULL;

  if (hearth_alert_parse_duration (value, ms, &local) && *ms >= 0)
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("%s takes a duration such as 30s, 10m, 2h or 1d, not “%s”"), option, value);
  return FALSE;
}

static gboolean
parse_duration_option (const char  *option,
                       const char  *value,
                       gpointer     data,
                       GError     **error)
{
  const char *name = option + strspn (option, "-");
  gint64 *ms = g_str_equal (name, "for") ? &opt_for_ms
               : g_str_equal (name, "cooldown") ? &opt_cooldown_ms
               : g_str_equal (name, "since") ? &opt_since_ms
               : &opt_escalate_ms;

  return parse_duration_value (option, value, ms, error);
}

static gboolean
parse_severity (const char  *option,
                const char  *value,
                gpointer     data,
                GError     **error)
{
  if (hearth_alert_severity_from_string (value, &opt_severity))
    {
      have_severity = TRUE;
      return TRUE;
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("--severity takes warning or critical, not “%s”"), value);
  return FALSE;
}

static gboolean
parse_percent (const char  *option,
               const char  *value,
               gpointer     data,
               GError     **error)
{
  return parse_decimal_number ("--percent", value, 0, 10000, &opt_percent, error);
}

const GOptionEntry alerts_entries[] = {
  { "metric", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, parse_metric,
    N_("add: what to watch: tokens_per_s, ttft_ms, error_rate, server_up, cpu_percent, "
       "memory_percent, swap_used_mb, vram_percent, vram_spill, gpu_temp_c, gpu_power_w, "
       "disk_free_gb"), N_("METRIC") },
  { "above", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, parse_condition,
    N_("add: fire when the value is above X"), N_("X") },
  { "below", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, parse_condition,
    N_("add: fire when the value is below X"), N_("X") },
  { "anomaly", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, parse_condition,
    N_("add: fire when the value is Z standard deviations from its own recent normal "
       "(-2: well below); judged once there are 10 earlier values"), N_("Z") },
  { "trend", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, parse_condition,
    N_("add: fire when the value changes this much per minute over --for (-5: falls by 5 a "
       "minute)"), N_("SLOPE") },
  { "for", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, parse_duration_option,
    N_("add: how long it must hold before it fires (30s, 10m, 2h, 1d); for --trend the "
       "window (default 10m)"), N_("DURATION") },
  { "model", 'm', 0, G_OPTION_ARG_FILENAME, &opt_model,
    N_("add: only this model (for server_up, this server's address); default: each one"),
    N_("NAME") },
  { "severity", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, parse_severity,
    N_("add: warning (the default) or critical"), N_("SEVERITY") },
  { "cooldown", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, parse_duration_option,
    N_("add: tell a repeat of the alert only after this long (default 10m)"), N_("DURATION") },
  { "channel", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_channels,
    N_("add: where to tell, once for each: notification, tray, log or webhook:URL "
       "(default: notification, tray and log)"), N_("CHANNEL") },
  { "name", 0, 0, G_OPTION_ARG_FILENAME, &opt_name,
    N_("add: the rule's name (default: what it watches)"), N_("TEXT") },
  { "percent", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, parse_percent,
    N_("add: with --anomaly, also ask the value to be this many percent from its normal"),
    N_("P") },
  { "escalate-after", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, parse_duration_option,
    N_("add: a warning firing this long becomes critical"), N_("DURATION") },
  { "since", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, parse_duration_option,
    N_("history: transitions in this window (default 24h)"), N_("DURATION") },
  { NULL }
};

/* --channel notification|tray|log|webhook:URL, as often as wanted */
static gboolean
parse_channels (HearthAlertRule *rule,
                int             *exit_code)
{
  HearthAlertChannels channels = 0;

  for (guint i = 0; opt_channels != NULL && opt_channels[i] != NULL; i++)
    {
      const char *value = opt_channels[i];
      gboolean known = FALSE;

      if (!check_text (_("The value of --channel"), value, strlen (value), exit_code))
        return FALSE;
      if (g_str_has_prefix (value, "webhook:"))
        {
          g_autoptr(GError) error = NULL;
          const char *url = value + strlen ("webhook:");

          if (channels & HEARTH_ALERT_CHANNEL_WEBHOOK)
            {
              *exit_code = usage_error ("alerts", _("A rule has one webhook: give "
                                        "--channel webhook:URL once"));
              return FALSE;
            }
          if (!hearth_alert_webhook_check_url (url, &error))
            {
              g_autofree char *message = g_strdup (error->message);

              if (g_str_has_suffix (message, "."))
                message[strlen (message) - 1] = '\0';
              *exit_code = usage_error ("alerts", message);
              return FALSE;
            }
          channels |= HEARTH_ALERT_CHANNEL_WEBHOOK;
          g_free (rule->webhook_url);
          rule->webhook_url = g_strdup (url);
          continue;
        }
      for (guint j = 0; j < G_N_ELEMENTS (channel_names); j++)
        if (g_str_equal (value, channel_names[j].name))
          {
            channels |= channel_names[j].channel;
            known = TRUE;
          }
      if (!known)
        {
          g_autofree char *message =
            g_str_equal (value, "webhook")
            ? g_strdup (_("A webhook channel needs its address, as in --channel webhook:https://example.org/hook"))
            : g_strdup_printf (_("--channel takes notification, tray, log or webhook:URL, "
                                 "not “%s”"), value);

          *exit_code = usage_error ("alerts", message);
          return FALSE;
        }
    }
  if (channels != 0)
    rule->channels = channels;
  else if (rule->channels == 0)
    rule->channels = HEARTH_ALERT_CHANNEL_NOTIFICATION | HEARTH_ALERT_CHANNEL_TRAY |
                     HEARTH_ALERT_CHANNEL_LOG;
  return TRUE;
}

/* The options of alerts add, checked against each other. */
HearthAlertRule *
alerts_rule_from_options (GSettings *settings,
                          int       *exit_code)
{
  g_autoptr(HearthAlertRule) rule = hearth_alert_rule_new ();
  const char *metric;

  if (!have_metric)
    {
      g_autofree char *names = list_metrics ();
      g_autofree char *message = g_strdup_printf (_("alerts add needs --metric: %s"), names);

      *exit_code = usage_error ("alerts", message);
      return NULL;
    }
  metric = hearth_alert_metric_to_string (opt_metric);
  if (n_conditions != 1)
    {
      *exit_code = usage_error ("alerts", n_conditions == 0
                                ? _("alerts add needs a condition: --above X, --below X, "
                                    "--anomaly Z or --trend SLOPE")
                                : _("Give one condition: --above, --below, --anomaly or --trend"));
      return NULL;
    }
  rule->metric = opt_metric;
  rule->condition = opt_condition;
  rule->threshold = opt_threshold;
  rule->enabled = TRUE;

  if (opt_for_ms >= 0)
    rule->for_ms = opt_for_ms;
  else if (opt_condition == HEARTH_ALERT_TREND)
    rule->for_ms = DEFAULT_TREND_WINDOW_MS;
  if (opt_condition == HEARTH_ALERT_TREND && rule->for_ms == 0)
    {
      *exit_code = usage_error ("alerts", _("A trend needs a window to measure its slope over: "
                                "--for 10m, for example"));
      return NULL;
    }

  if (opt_percent >= 0)
    {
      if (opt_condition != HEARTH_ALERT_ANOMALY)
        {
          *exit_code = usage_error ("alerts", _("--percent is the smallest change an anomaly "
                                    "needs: it goes with --anomaly"));
          return NULL;
        }
      rule->min_change_percent = opt_percent;
    }

  if (opt_model != NULL)
    {
      if (!check_text (_("The value of --model"), opt_model, strlen (opt_model), exit_code))
        return NULL;
      if (!hearth_alert_metric_is_per_model (opt_metric) &&
          opt_metric != HEARTH_ALERT_METRIC_SERVER_UP)
        {
          g_autofree char *message =
            g_strdup_printf (_("%s is measured for the whole machine, not for a model: "
                               "drop --model"), metric);

          *exit_code = usage_error ("alerts", message);
          return NULL;
        }
      if (opt_metric == HEARTH_ALERT_METRIC_SERVER_UP)
        {
          /* the server's address as the engine writes it: "localhost:11434"
           * is http://localhost:11434 */
          g_autoptr(GError) error = NULL;
          HearthApiKind api = HEARTH_API_OLLAMA;

          hearth_resolve_api_kind (NULL, settings, &api, NULL);
          rule->subject = hearth_endpoint_normalize (opt_model, api, &error);
          if (rule->subject == NULL)
            {
              *exit_code = usage_error ("alerts", error->message);
              return NULL;
            }
        }
      else
        rule->subject = g_strdup (opt_model);
    }

  if (have_severity)
    rule->severity = opt_severity;
  if (opt_escalate_ms >= 0)
    {
      if (rule->severity == HEARTH_ALERT_CRITICAL)
        {
          *exit_code = usage_error ("alerts", _("--escalate-after turns a warning into a critical "
                                    "alert: it goes with --severity warning"));
          return NULL;
        }
      rule->escalate_after_ms = opt_escalate_ms;
    }
  if (opt_cooldown_ms >= 0)
    rule->cooldown_ms = opt_cooldown_ms;
  if (!parse_channels (rule, exit_code))
    return NULL;

  if (opt_name != NULL)
    {
      g_autofree char *name = g_strstrip (g_strdup (opt_name));

      if (*name == '\0')
        {
          *exit_code = usage_error ("alerts", _("The rule's name is empty"));
          return NULL;
        }
      rule->name = g_steal_pointer (&name);
    }
  else
    rule->name = hearth_alert_rule_describe (rule);
  return g_steal_pointer (&rule);
}

/* An option given to a subcommand it does nothing for is a mistake to say. */
gboolean
alerts_options_fit (const char *sub,
                    int        *exit_code)
{
  gboolean add_options = have_metric || n_conditions > 0 || opt_for_ms >= 0 || have_severity ||
                         opt_cooldown_ms >= 0 || opt_escalate_ms >= 0 || opt_percent >= 0 ||
                         opt_channels != NULL || opt_name != NULL || opt_model != NULL;

  if (add_options && !g_str_equal (sub, "add"))
    {
      *exit_code = usage_error ("alerts", _("--metric, the conditions and the other rule options "
                                "go with alerts add"));
      return FALSE;
    }
  if (opt_since_ms >= 0 && !g_str_equal (sub, "history"))
    {
      *exit_code = usage_error ("alerts", _("--since goes with alerts history"));
      return FALSE;
    }
  return TRUE;
}

/* --since of alerts history, or -1 */
gint64
alerts_get_since_ms (void)
{
  return opt_since_ms;
}
