/* hearth-cli-alerts.c — hearth-cli alerts: the rules, what is firing, the history, a test
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include <inttypes.h>

#include <math.h>

#include "hearth-alert-channels.h"
#include "hearth-alerts.h"
#include "hearth-cli-private.h"
#include "hearth-endpoint.h"
#include "hearth-error.h"

#define DEFAULT_HISTORY_WINDOW_MS (24 * 3600 * 1000)

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
  { HEARTH_ALERT_CHANNEL_WEBHOOK, "webhook" },
};

/* Text */

static const char *
condition_to_string (HearthAlertCondition condition)
{
  if ((guint) condition < G_N_ELEMENTS (condition_names))
    return condition_names[condition];
  return "?";
}

/* "notification, tray and webhook (https://host/hook?…)": the webhook's
 * address without its user, password or query, which can be secrets */
static char *
describe_channels (HearthAlertChannels  channels,
                   const char          *webhook_url)
{
  GString *text = g_string_new (NULL);
  guint n = 0, count = 0;

  for (guint i = 0; i < G_N_ELEMENTS (channel_names); i++)
    count += (channels & channel_names[i].channel) != 0;
  for (guint i = 0; i < G_N_ELEMENTS (channel_names); i++)
    {
      if (!(channels & channel_names[i].channel))
        continue;
      if (n > 0)
        /* Translators: joins the last two channels of a list: "notification, tray and log" */
        g_string_append (text, n + 1 == count ? _(" and ") : ", ");
      n++;
      g_string_append (text, channel_names[i].name);
      if (channel_names[i].channel == HEARTH_ALERT_CHANNEL_WEBHOOK && webhook_url != NULL)
        {
          g_autofree char *shown = hearth_alert_webhook_display_url (webhook_url);

          g_string_append_printf (text, " (%s)", shown);
        }
    }
  if (text->len == 0)
    g_string_append (text, _("no channel"));
  return g_string_free (text, FALSE);
}

/* Local time to the second: "2026-12-06 21:30:04" */
static char *
format_time_seconds (gint64 ms)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (ms / 1000);
  g_autoptr(GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;

  /* Translators: a date and time to the second, see g_date_time_format() */
  return local ? g_date_time_format (local, _("%Y-%m-%d %H:%M:%S")) : g_strdup ("?");
}

/* One transition, as alerts list, alerts history and monitor print it:
 * "2026-12-06 21:30:04  firing    critical  Server down: The server at … does not answer" */
void
alerts_print_event_line (const HearthAlertEvent *event,
                         gboolean                with_rule_id)
{
  g_autofree char *when = format_time_seconds (event->time_ms);
  g_autofree char *line = NULL;

  line = g_strdup_printf ("%s  %-8s  %-8s  %s%s: %s%s", when,
                          hearth_alert_state_to_string (event->state),
                          hearth_alert_severity_to_string (event->severity),
                          event->rule_name != NULL ? event->rule_name : "?",
                          event->is_test ? " (test)" : "",
                          event->message != NULL ? event->message : "",
                          event->acknowledged ? " [acknowledged]" : "");
  /* one transition, one line, whatever a name or a server's text holds */
  g_strdelimit (line, "\r\n", ' ');
  if (with_rule_id)
    g_print ("%4" G_GINT64_FORMAT "  %s\n", event->rule_id, line);
  else
    g_print ("%s\n", line);
}

/* JSON */

static void
add_boolean (JsonBuilder *builder,
             const char  *name,
             gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

static void
add_channels_json (JsonBuilder         *builder,
                   HearthAlertChannels  channels)
{
  json_builder_set_member_name (builder, "channels");
  json_builder_begin_array (builder);
  for (guint i = 0; i < G_N_ELEMENTS (channel_names); i++)
    if (channels & channel_names[i].channel)
      json_builder_add_string_value (builder, channel_names[i].name);
  json_builder_end_array (builder);
}

static void
add_rule_json (JsonBuilder     *builder,
               HearthAlertRule *rule)
{
  g_autofree char *description = hearth_alert_rule_describe (rule);

  hearth_json_add_int (builder, "id", rule->id);
  hearth_json_add_string (builder, "name", rule->name);
  hearth_json_add_string (builder, "metric", hearth_alert_metric_to_string (rule->metric));
  hearth_json_add_string (builder, "condition", condition_to_string (rule->condition));
  hearth_json_add_number (builder, "threshold", rule->threshold);
  hearth_json_add_number (builder, "min_change_percent", rule->min_change_percent);
  hearth_json_add_int (builder, "for_ms", rule->for_ms);
  hearth_json_add_string (builder, "subject", rule->subject);
  hearth_json_add_string (builder, "severity", hearth_alert_severity_to_string (rule->severity));
  hearth_json_add_int (builder, "escalate_after_ms", rule->escalate_after_ms);
  hearth_json_add_int (builder, "cooldown_ms", rule->cooldown_ms);
  add_channels_json (builder, rule->channels);
  hearth_json_add_string (builder, "webhook_url", rule->webhook_url);
  add_boolean (builder, "enabled", rule->enabled);
  add_boolean (builder, "default", rule->is_default);
  hearth_json_add_string (builder, "description", description);
  hearth_json_add_int (builder, "fired", rule->n_fired);
  hearth_json_add_int (builder, "firing_ms", rule->firing_ms);
  hearth_json_add_int (builder, "acknowledged", rule->n_acknowledged);
}

/* One transition: what alerts list, alerts history and monitor --json print. */
void
alerts_add_event_json (JsonBuilder      *builder,
                       HearthAlertEvent *event)
{
  hearth_json_add_int (builder, "id", event->id);
  hearth_json_add_int (builder, "rule_id", event->rule_id);
  hearth_json_add_string (builder, "rule", event->rule_name);
  hearth_json_add_string (builder, "metric", hearth_alert_metric_to_string (event->metric));
  hearth_json_add_string (builder, "subject", event->subject);
  hearth_json_add_string (builder, "state", hearth_alert_state_to_string (event->state));
  hearth_json_add_string (builder, "severity", hearth_alert_severity_to_string (event->severity));
  hearth_json_add_number (builder, "value", event->value);
  hearth_json_add_number (builder, "threshold", event->threshold);
  hearth_json_add_int (builder, "time_ms", event->time_ms);
  hearth_json_add_int (builder, "since_ms", event->since_ms);
  add_boolean (builder, "acknowledged", event->acknowledged);
  add_boolean (builder, "test", event->is_test);
  hearth_json_add_string (builder, "message", event->message);
}

/* A rule number, or a usage error that says what one is. */
static gboolean
parse_rule_id (const char *sub,
               const char *text,
               gint64     *id,
               int        *exit_code)
{
  g_autofree char *message = NULL;

  if (g_ascii_string_to_signed (text, 10, 1, G_MAXINT64, id, NULL))
    return TRUE;
  message = g_strdup_printf (_("alerts %s takes a rule number, 1 or more (hearth-cli alerts rules "
                               "lists them), not “%s”"), sub, text);
  *exit_code = usage_error ("alerts", message);
  return FALSE;
}

/* The rule, or a failure: a rule that is not there is "not found" (4),
 * like a conversation. */
static HearthAlertRule *
find_rule (HearthAlerts *alerts,
           gint64        rule_id,
           int          *exit_code)
{
  g_autoptr(GError) error = NULL;
  HearthAlertRule *rule = hearth_alerts_get_rule (alerts, rule_id, &error);

  if (rule != NULL)
    return rule;
  *exit_code = fail (error);
  /* the engine says it as a bad value */
  if (g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT))
    *exit_code = EXIT_NOT_FOUND;
  return NULL;
}

/* rules */

/* Two lines a rule: its number, state, severity and name (and how often
 * it fired), then what it watches and where it tells.
 *    5  on   warning   Slow llama
 *                      Decode speed below 20 tokens/s for 30s (llama3.2) → log and webhook */
static void
print_rule (HearthAlertRule *rule)
{
  g_autofree char *description = hearth_alert_rule_describe (rule);
  g_autofree char *channels = describe_channels (rule->channels, rule->webhook_url);
  g_autofree char *name = g_strdup (rule->name != NULL ? rule->name : "");
  g_autofree char *stats = NULL;
  g_autofree char *line = NULL;

  if (rule->n_fired > 0)
    {
      g_autofree char *firing = hearth_alert_format_duration (rule->firing_ms);

      /* Translators: %s is how long it fired in all: "3 min" */
      stats = g_strdup_printf (ngettext (" · fired %u time, %s in all, acknowledged %u",
                                         " · fired %u times, %s in all, acknowledged %u",
                                         rule->n_fired),
                               rule->n_fired, firing, rule->n_acknowledged);
    }
  line = g_strdup_printf ("%4" G_GINT64_FORMAT "  %-3s  %-8s  %s%s", rule->id,
                          rule->enabled ? "on" : "off",
                          hearth_alert_severity_to_string (rule->severity), name,
                          stats != NULL ? stats : "");
  g_strdelimit (line, "\r\n", ' ');
  /* a rule named by what it watches says it once */
  if (g_strcmp0 (rule->name, description) == 0)
    g_print ("%s\n%21s→ %s\n", line, "", channels);
  else
    g_print ("%s\n%21s%s → %s\n", line, "", description, channels);
}

static int
alerts_rules (HearthAlerts *alerts)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rules = hearth_alerts_list_rules (alerts, &error);

  if (rules == NULL)
    return fail (error);
  if (opt_json)
    {
      print_json_list (rules, (HearthJsonAddFunc) add_rule_json);
      return 0;
    }
  if (rules->len == 0)
    {
      g_printerr (_("hearth-cli: No alert rules. Add one with hearth-cli alerts add --metric … "
                    "--below ….\n"));
      return 0;
    }
  for (guint i = 0; i < rules->len; i++)
    print_rule (g_ptr_array_index (rules, i));
  return 0;
}

/* add */

static int
alerts_add (HearthAlerts    *alerts,
            HearthAlertRule *rule)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  g_autofree char *channels = NULL;

  if (!hearth_alerts_add_rule (alerts, rule, &error))
    return fail (error);
  if (opt_json)
    {
      print_json_object (rule, (HearthJsonAddFunc) add_rule_json);
      return 0;
    }
  description = hearth_alert_rule_describe (rule);
  channels = describe_channels (rule->channels, rule->webhook_url);
  if (g_strcmp0 (rule->name, description) == 0)
    g_print (_("Added rule %" PRId64 ": %s (%s) → %s\n"), rule->id, description,
             hearth_alert_severity_to_string (rule->severity), channels);
  else
    g_print (_("Added rule %" PRId64 ", %s: %s (%s) → %s\n"), rule->id, rule->name,
             description, hearth_alert_severity_to_string (rule->severity), channels);
  return 0;
}

/* list */

static int
alerts_list (HearthAlerts *alerts)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) active = hearth_alerts_list_active (alerts, &error);

  if (active == NULL)
    return fail (error);
  if (opt_json)
    {
      print_json_list (active, (HearthJsonAddFunc) alerts_add_event_json);
      return 0;
    }
  if (active->len == 0)
    {
      g_printerr (_("hearth-cli: No alert is firing or pending.\n"));
      return 0;
    }
  /* Translators: column headers of hearth-cli alerts list */
  g_print ("%4s  %-19s  %-8s  %-8s  %s\n", _("rule"), _("since"), _("state"), _("severity"),
           _("name: what happened"));
  for (guint i = 0; i < active->len; i++)
    alerts_print_event_line (g_ptr_array_index (active, i), TRUE);
  return 0;
}

/* history */

static int
alerts_history (HearthAlerts *alerts)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  gint64 window = alerts_get_since_ms () >= 0 ? alerts_get_since_ms ()
                                              : DEFAULT_HISTORY_WINDOW_MS;
  Cli cli = { 0 };

  hearth_alerts_list_history_async (alerts, g_get_real_time () / 1000 - window, NULL,
                                    keep_result, &cli);
  run_loop (&cli);
  events = hearth_alerts_list_history_finish (alerts, cli.result, &error);
  g_clear_object (&cli.result);
  if (events == NULL)
    return fail (error);
  if (opt_json)
    {
      print_json_list (events, (HearthJsonAddFunc) alerts_add_event_json);
      return 0;
    }
  if (events->len == 0)
    {
      g_autofree char *since = format_time (g_get_real_time () / 1000 - window);

      g_printerr (_("hearth-cli: No alert fired, resolved or was tested since %s.\n"), since);
      return 0;
    }
  /* Translators: column headers of hearth-cli alerts history */
  g_print ("%4s  %-19s  %-8s  %-8s  %s\n", _("rule"), _("time"), _("state"), _("severity"),
           _("name: what happened"));
  for (guint i = 0; i < events->len; i++)
    alerts_print_event_line (g_ptr_array_index (events, i), TRUE);
  return 0;
}

/* test */

/* "/io/github/hearthapp/Hearth", where GApplication exports its actions */
static char *
app_object_path (void)
{
  g_autofree char *path = g_strconcat ("/", APP_ID, NULL);

  g_strdelimit (path, ".", '/');
  return g_steal_pointer (&path);
}

typedef enum
{
  APP_REACHED,
  APP_NOT_RUNNING,
  APP_CANNOT,       /* no session bus, or an app without the action */
} AppAnswer;

/*
 * The notification and the tray icon are the app's: when it runs, it is
 * asked through its exported actions (org.gtk.Actions, as GDBusActionGroup
 * speaks it) to show a test of the rule. It is never started for this: a
 * test that started the app would say nothing about whether alerts reach
 * the user while it is closed.
 */
static AppAnswer
ask_app_to_test (gint64   rule_id,
                 char   **why)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) description = NULL;
  g_autoptr(GVariant) done = NULL;
  g_autofree char *path = app_object_path ();
  g_autoptr(GVariantBuilder) parameter = NULL;
  const char *type = NULL;
  gboolean enabled = FALSE;

  if (!hearth_cli_has_session_bus ())
    {
      *why = g_strdup (_("there is no desktop session here to show them in"));
      return APP_CANNOT;
    }
  if ((bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error)) == NULL)
    {
      *why = g_strdup_printf (_("the desktop session's bus cannot be reached (%s)"),
                              error->message);
      return APP_CANNOT;
    }
  description = g_dbus_connection_call_sync (bus, APP_ID, path, "org.gtk.Actions", "Describe",
                                             g_variant_new ("(s)", "test-alert"),
                                             G_VARIANT_TYPE ("((bgav))"),
                                             G_DBUS_CALL_FLAGS_NO_AUTO_START, 5000, NULL, &error);
  if (description == NULL)
    {
      if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
          g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
          g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
          g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD))
        return APP_NOT_RUNNING;
      g_dbus_error_strip_remote_error (error);
      *why = g_strdup_printf (_("the running Hearth app cannot send a test (%s); update it"),
                              error->message);
      return APP_CANNOT;
    }
  g_variant_get (description, "((b&g@av))", &enabled, &type, NULL);
  if (!enabled || g_strcmp0 (type, "x") != 0)
    {
      *why = g_strdup (_("the running Hearth app does not take test alerts now; update it"));
      return APP_CANNOT;
    }
  parameter = g_variant_builder_new (G_VARIANT_TYPE ("av"));
  g_variant_builder_add (parameter, "v", g_variant_new_int64 (rule_id));
  done = g_dbus_connection_call_sync (bus, APP_ID, path, "org.gtk.Actions", "Activate",
                                      g_variant_new ("(sava{sv})", "test-alert", parameter, NULL),
                                      NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, 5000, NULL, &error);
  if (done == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      *why = g_strdup_printf (_("the Hearth app did not take the test (%s)"), error->message);
      return APP_CANNOT;
    }
  return APP_REACHED;
}

static int
alerts_test (HearthAlerts *alerts,
             gint64        rule_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthAlertRule) rule = NULL;
  HearthAlertChannels app_channels = HEARTH_ALERT_CHANNEL_NOTIFICATION | HEARTH_ALERT_CHANNEL_TRAY;
  g_autofree char *why = NULL;
  g_autofree char *app_names = NULL;
  guint n_app_channels;
  Cli cli = { 0 };
  gboolean sent;
  int exit_code = 0;

  if ((rule = find_rule (alerts, rule_id, &exit_code)) == NULL)
    return exit_code;
  /* log and webhook are delivered here, by the engine's own channels */
  hearth_alerts_test_rule_async (alerts, rule_id, NULL, keep_result, &cli);
  run_loop (&cli);
  sent = hearth_alerts_test_rule_finish (alerts, cli.result, &error);
  g_clear_object (&cli.result);
  if (!sent)
    return fail (error);

  g_print (_("Sent a test of rule %" PRId64 ", %s:\n"), rule->id, rule->name);
  if (rule->channels & HEARTH_ALERT_CHANNEL_LOG)
    g_print (_("  log: %s\n"), output_alert_logged_to_journal ()
             ? _("written to the journal")
             : _("written to standard error (this machine has no journal)"));
  if (rule->channels & HEARTH_ALERT_CHANNEL_WEBHOOK)
    {
      g_autofree char *shown = hearth_alert_webhook_display_url (rule->webhook_url);

      g_print (_("  webhook: %s took it\n"), shown);
    }
  if (!(rule->channels & app_channels))
    return 0;

  app_names = describe_channels (rule->channels & app_channels, NULL);
  n_app_channels = ((rule->channels & HEARTH_ALERT_CHANNEL_NOTIFICATION) != 0) +
                   ((rule->channels & HEARTH_ALERT_CHANNEL_TRAY) != 0);
  switch (ask_app_to_test (rule->id, &why))
    {
    case APP_REACHED:
      g_print (_("  %s: sent to the Hearth app\n"), app_names);
      return 0;
    case APP_NOT_RUNNING:
      g_print (_("  %s: not sent, the Hearth app is not running\n"), app_names);
      /* Translators: %s is one channel ("tray") or two ("notification and tray") */
      g_printerr (ngettext ("hearth-cli: The %s channel needs the Hearth app: start it (or turn on "
                            "“Run in the background” in its Preferences), then try again.\n",
                            "hearth-cli: The %s channels need the Hearth app: start it (or turn on "
                            "“Run in the background” in its Preferences), then try again.\n",
                            n_app_channels), app_names);
      return EXIT_FAILED;
    case APP_CANNOT:
    default:
      g_print (_("  %s: not sent\n"), app_names);
      /* Translators: the first %s is one channel or two; the second says why */
      g_printerr (ngettext ("hearth-cli: The %s channel could not be tested: %s.\n",
                            "hearth-cli: The %s channels could not be tested: %s.\n",
                            n_app_channels), app_names, why);
      return EXIT_FAILED;
    }
}

/* remove, enable, disable, ack */

static int
alerts_change (HearthAlerts *alerts,
               const char   *sub,
               gint64        rule_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthAlertRule) rule = NULL;
  gboolean done;
  int exit_code = 0;

  if ((rule = find_rule (alerts, rule_id, &exit_code)) == NULL)
    return exit_code;
  if (g_str_equal (sub, "remove"))
    done = hearth_alerts_remove_rule (alerts, rule_id, &error);
  else if (g_str_equal (sub, "ack"))
    {
      g_autoptr(GPtrArray) active = hearth_alerts_list_active (alerts, &error);
      gboolean firing = FALSE;

      if (active == NULL)
        return fail (error);
      for (guint i = 0; i < active->len; i++)
        {
          HearthAlertEvent *event = g_ptr_array_index (active, i);

          firing |= event->rule_id == rule_id && event->state == HEARTH_ALERT_STATE_FIRING &&
                    !event->acknowledged;
        }
      if (!firing)
        {
          g_autofree char *name = g_strdup (rule->name);

          g_strdelimit (name, "\r\n", ' ');
          g_printerr (_("hearth-cli: Nothing of the rule “%s” is firing, so there is nothing to "
                        "acknowledge. hearth-cli alerts list shows what is firing.\n"), name);
          return EXIT_FAILED;
        }
      done = hearth_alerts_acknowledge (alerts, rule_id, NULL, &error);
    }
  else
    done = hearth_alerts_set_rule_enabled (alerts, rule_id, g_str_equal (sub, "enable"), &error);
  return done ? 0 : fail (error);
}

static gboolean
stop_waiting (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/**
 * alerts_wait_until_idle:
 * @max_seconds: how long at most: a webhook that does not answer is not
 *   worth a command that never ends
 *
 * Before a command exits: lets the alerts read their baselines (a reply
 * observed meanwhile waits for them) and send the webhooks in flight.
 */
void
alerts_wait_until_idle (HearthAlerts *alerts,
                        guint         max_seconds)
{
  gboolean late = FALSE;
  guint timeout;

  if (!hearth_alerts_is_busy (alerts))
    return;
  timeout = g_timeout_add_seconds (max_seconds, stop_waiting, &late);
  while (!late && hearth_alerts_is_busy (alerts))
    g_main_context_iteration (NULL, TRUE);
  if (late)
    g_printerr (_("hearth-cli: An alert webhook had not answered after %u s; hearth-cli did not "
                  "wait for it any longer (hearth-cli alerts history shows the alert).\n"),
                max_seconds);
  else
    g_source_remove (timeout);
}

/* The command */

#define ALERTS_USAGE _("Use alerts rules, add --metric … --above X, remove ID, enable ID, " \
                     "disable ID, list, ack ID, history or test ID")

static gboolean
alerts_args_valid (const char *sub,
                   int         argc)
{
  const char *with_id[] = { "remove", "enable", "disable", "ack", "test" };
  const char *without[] = { "rules", "add", "list", "history" };

  for (guint i = 0; i < G_N_ELEMENTS (with_id); i++)
    if (g_str_equal (sub, with_id[i]))
      return argc == 4;
  for (guint i = 0; i < G_N_ELEMENTS (without); i++)
    if (g_str_equal (sub, without[i]))
      return argc <= 3;
  return FALSE;
}

int
hearth_cli_command_alerts (int    argc,
                           char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthAlertRule) rule = NULL;
  HearthAlerts *alerts;
  const char *sub;
  int exit_code = 0;
  gint64 id = 0;

  if (!parse_options ("alerts",
                      N_("rules | add | remove ID | enable ID | disable ID | list | ack ID | "
                         "history | test ID"), alerts_entries, FALSE, &argc, &argv, &exit_code))
    return exit_code;
  sub = argc > 2 ? argv[2] : "list";
  if (!alerts_args_valid (sub, argc))
    return usage_error ("alerts", ALERTS_USAGE);
  if (!alerts_options_fit (sub, &exit_code))
    return exit_code;
  if (argc == 4 && !parse_rule_id (sub, argv[3], &id, &exit_code))
    return exit_code;
  /* a bad rule is said before the history is opened */
  if (g_str_equal (sub, "add") && (rule = alerts_rule_from_options (settings, &exit_code)) == NULL)
    return exit_code;

  if ((engine = open_engine (settings, HEARTH_ENGINE_HISTORY, &error)) == NULL)
    return fail (error);
  alerts = hearth_engine_get_alerts (engine);
  if (g_str_equal (sub, "rules"))
    return alerts_rules (alerts);
  if (g_str_equal (sub, "add"))
    return alerts_add (alerts, rule);
  if (g_str_equal (sub, "remove") || g_str_equal (sub, "enable") ||
      g_str_equal (sub, "disable") || g_str_equal (sub, "ack"))
    return alerts_change (alerts, sub, id);
  if (g_str_equal (sub, "history"))
    return alerts_history (alerts);
  if (g_str_equal (sub, "test"))
    return alerts_test (alerts, id);
  return alerts_list (alerts);
}
