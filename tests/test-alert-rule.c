/* test-alert-rule.c — alert rules as people write and read them
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <json-glib/json-glib.h>
#include <math.h>

#include "hearth-alert-rule.h"
#include "hearth-test-util.h"

static void
test_durations (void)
{
  static const struct { const char *text; gint64 ms; const char *back; } cases[] = {
    { "30s", 30000, "30s" },
    { "10m", 600000, "10m" },
    { "2h", 7200000, "2h" },
    { "1d", 86400000, "1d" },
    { "500ms", 500, "500ms" },
    { "1h30m", 5400000, "1h30m" },
    { "45", 45000, "45s" },
    { "90s", 90000, "1m30s" },
    { "0", 0, "0s" },
  };
  static const char *bad[] = { "", "m", "10x", "-5s", "1.5h", "10 m", "s10", "999999999999" };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *back = NULL;
      gint64 ms = -1;

      g_assert_true (hearth_alert_parse_duration (cases[i].text, &ms, &error));
      g_assert_no_error (error);
      g_assert_cmpint (ms, ==, cases[i].ms);
      back = hearth_alert_format_duration (ms);
      g_assert_cmpstr (back, ==, cases[i].back);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 ms = 7;

      g_assert_false (hearth_alert_parse_duration (bad[i], &ms, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      /* The message says what is expected. */
      g_assert_nonnull (strstr (error->message, "30s"));
      g_assert_cmpint (ms, ==, 7);
    }
}

static void
test_names (void)
{
  HearthAlertSeverity severity;

  for (guint i = 0; i < HEARTH_ALERT_N_METRICS; i++)
    {
      HearthAlertMetric metric = HEARTH_ALERT_N_METRICS;

      g_assert_true (hearth_alert_metric_from_string (hearth_alert_metric_to_string (i), &metric));
      g_assert_cmpint (metric, ==, i);
      g_assert_cmpstr (hearth_alert_metric_get_label (i), !=, "");
    }
  g_assert_false (hearth_alert_metric_from_string ("tokens", NULL));
  g_assert_cmpstr (hearth_alert_metric_get_unit (HEARTH_ALERT_METRIC_TOKENS_PER_S), ==, "tokens/s");
  g_assert_true (hearth_alert_metric_is_per_model (HEARTH_ALERT_METRIC_TTFT_MS));
  g_assert_false (hearth_alert_metric_is_per_model (HEARTH_ALERT_METRIC_CPU_PERCENT));
  g_assert_cmpstr (hearth_alert_state_to_string (HEARTH_ALERT_STATE_FIRING), ==, "firing");

  g_assert_true (hearth_alert_severity_from_string ("critical", &severity));
  g_assert_cmpint (severity, ==, HEARTH_ALERT_CRITICAL);
  g_assert_false (hearth_alert_severity_from_string ("fatal", &severity));
}

static void
test_describe (void)
{
  g_autoptr(HearthAlertRule) rule = hearth_alert_rule_new ();
  g_autoptr(HearthAlertRule) copy = NULL;
  g_autofree char *text = NULL;
  g_autofree char *anomaly = NULL;
  g_autofree char *trend = NULL;

  rule->name = g_strdup ("Slow");
  rule->metric = HEARTH_ALERT_METRIC_TOKENS_PER_S;
  rule->condition = HEARTH_ALERT_BELOW;
  rule->threshold = 20;
  rule->for_ms = 30000;
  rule->subject = g_strdup ("llama3.2");
  text = hearth_alert_rule_describe (rule);
  g_assert_cmpstr (text, ==, "Decode speed below 20 tokens/s for 30s (llama3.2)");

  copy = hearth_alert_rule_copy (rule);
  g_clear_pointer (&rule->subject, g_free);
  g_assert_cmpstr (copy->subject, ==, "llama3.2");

  copy->condition = HEARTH_ALERT_ANOMALY;
  copy->threshold = -2;
  copy->min_change_percent = 30;
  copy->for_ms = 0;
  anomaly = hearth_alert_rule_describe (copy);
  g_assert_cmpstr (anomaly, ==, "Decode speed 30 % below its normal (2 standard deviations) (llama3.2)");

  rule->metric = HEARTH_ALERT_METRIC_GPU_TEMP_C;
  rule->condition = HEARTH_ALERT_TREND;
  rule->threshold = 1.5;
  rule->for_ms = 600000;
  trend = hearth_alert_rule_describe (rule);
  g_assert_cmpstr (trend, ==, "GPU temperature rising 1.5 °C a minute over 10m");
}

static void
test_defaults (void)
{
  g_autoptr(GPtrArray) rules = hearth_alert_rule_defaults ();
  gboolean seen[HEARTH_ALERT_N_METRICS] = { FALSE, };

  g_assert_cmpuint (rules->len, ==, 4);
  for (guint i = 0; i < rules->len; i++)
    {
      HearthAlertRule *rule = g_ptr_array_index (rules, i);
      g_autofree char *text = hearth_alert_rule_describe (rule);

      g_assert_true (rule->is_default);
      g_assert_true (rule->enabled);
      g_assert_nonnull (rule->name);
      g_assert_cmpstr (text, !=, "");
      seen[rule->metric] = TRUE;
    }
  g_assert_true (seen[HEARTH_ALERT_METRIC_SERVER_UP]);
  g_assert_true (seen[HEARTH_ALERT_METRIC_VRAM_SPILL]);
  g_assert_true (seen[HEARTH_ALERT_METRIC_TOKENS_PER_S]);
  g_assert_true (seen[HEARTH_ALERT_METRIC_DISK_FREE_GB]);
}

static void
test_json (void)
{
  g_autoptr(HearthAlertEvent) event = hearth_alert_event_new ();
  g_autoptr(HearthAlertEvent) unseen = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json2 = NULL;
  JsonObject *object;

  event->rule_id = 3;
  event->rule_name = g_strdup ("Server \"down\"");
  event->metric = HEARTH_ALERT_METRIC_SERVER_UP;
  event->subject = g_strdup ("http://127.0.0.1:11434");
  event->state = HEARTH_ALERT_STATE_FIRING;
  event->severity = HEARTH_ALERT_CRITICAL;
  event->value = 0;
  event->threshold = 1;
  event->time_ms = G_GINT64_CONSTANT (1796593204123);
  event->message = g_strdup ("The server does not answer");
  json = hearth_alert_event_to_json (event);

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (object, "rule"), ==, "Server \"down\"");
  g_assert_cmpint (json_object_get_int_member (object, "rule_id"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (object, "metric"), ==, "server_up");
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "firing");
  g_assert_cmpstr (json_object_get_string_member (object, "severity"), ==, "critical");
  g_assert_cmpfloat (json_object_get_double_member (object, "value"), ==, 0);
  g_assert_cmpfloat (json_object_get_double_member (object, "threshold"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (object, "time"), ==, "2026-12-06T21:40:04.123Z");
  g_assert_cmpstr (json_object_get_string_member (object, "host"), ==, g_get_host_name ());
  g_assert_false (json_object_get_boolean_member (object, "test"));

  /* A value never seen is null, not NaN (which is not JSON). */
  unseen = hearth_alert_event_copy (event);
  unseen->value = NAN;
  json2 = hearth_alert_event_to_json (unseen);
  g_assert_true (json_parser_load_from_data (parser, json2, -1, &error));
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_get_null_member (object, "value"));
}

int
main (int argc, char *argv[])
{
  hearth_test_init (&argc, &argv);

  g_test_add_func ("/alert-rule/durations", test_durations);
  g_test_add_func ("/alert-rule/names", test_names);
  g_test_add_func ("/alert-rule/describe", test_describe);
  g_test_add_func ("/alert-rule/defaults", test_defaults);
  g_test_add_func ("/alert-rule/json", test_json);
  return g_test_run ();
}
