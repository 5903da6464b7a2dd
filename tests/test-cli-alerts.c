/* test-cli-alerts.c — hearth-cli alerts and monitor end to end: the real hearth-cli, the
 * real history in a temporary XDG home, the real test engine, a local webhook receiver
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>

#include "hearth-alerts.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

/* How long a step may take before the test gives up: a guard against a
 * hang, never a measure. */
#define GIVE_UP_S 90

/* hearth-cli while the main context runs (the webhook receiver and the
 * fake app live on it); @env: NULL-terminated NAME, VALUE pairs to set. */

typedef struct
{
  GAsyncResult *result;
} Pending;

static void
keep_pending (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ((Pending *) user_data)->result = g_object_ref (result);
}

static gboolean
give_up (gpointer user_data)
{
  g_error ("%s took longer than %d s", (const char *) user_data, GIVE_UP_S);
  return G_SOURCE_REMOVE;
}

static char *
cli_path (void)
{
  return g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "src", "hearth-cli", NULL);
}

static GSubprocessLauncher *
cli_launcher (GSubprocessFlags    flags,
              const char * const *env)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  /* a pair with an empty value unsets the variable */
  for (guint i = 0; env != NULL && env[i] != NULL; i += 2)
    if (*env[i + 1] == '\0')
      g_subprocess_launcher_unsetenv (launcher, env[i]);
    else
      g_subprocess_launcher_setenv (launcher, env[i], env[i + 1], TRUE);
  return launcher;
}

static HearthTestRun *
run_cli_live (const char * const *env,
              const char         *first_arg,
              ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  HearthTestRun *run = g_new0 (HearthTestRun, 1);
  Pending pending = { 0 };
  guint guard;
  va_list ap;

  g_ptr_array_add (argv, cli_path ());
  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  launcher = cli_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, env);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  guard = g_timeout_add_seconds (GIVE_UP_S, give_up, (gpointer) "hearth-cli");
  g_subprocess_communicate_utf8_async (process, NULL, NULL, keep_pending, &pending);
  while (pending.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (guard);
  g_subprocess_communicate_utf8_finish (process, pending.result, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_clear_object (&pending.result);
  run->exit_code = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process)
                                                        : 128 + g_subprocess_get_term_sig (process);
  g_test_message ("hearth-cli %s → %d\n%s%s", first_arg, run->exit_code, run->out, run->err);
  return run;
}

static gint64
rule_id_of (HearthTestRun *add)
{
  g_autoptr(JsonNode) root = NULL;
  gint64 id;

  g_assert_cmpint (add->exit_code, ==, 0);
  g_assert_cmpstr (add->err, ==, "");
  root = hearth_test_parse_json (add->out);
  id = json_object_get_int_member (json_node_get_object (root), "id");
  g_assert_cmpint (id, >, 0);
  return id;
}

/* The rules as hearth-cli alerts rules --json prints them. */
static JsonNode *
list_rules (void)
{
  g_autoptr(HearthTestRun) run = hearth_test_run_cli (NULL, "alerts", "rules", "--json", NULL);

  g_assert_cmpint (run->exit_code, ==, 0);
  return hearth_test_parse_json (run->out);
}

static JsonObject *
find_by_id (JsonArray  *array,
            const char *member,
            gint64      id)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);

      if (json_object_get_int_member (object, member) == id)
        return object;
    }
  return NULL;
}

static char *
id_text (gint64 id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, id);
}

/* The alerts of another process (the app, a monitor): this one's own
 * HearthAlerts on the same hearth.db. */
static HearthAlerts *
open_alerts (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_history ();

  return hearth_alerts_new (store);
}

static HearthAlertEvent *
find_active (HearthAlerts *alerts,
             gint64        rule_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) active = hearth_alerts_list_active (alerts, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < active->len; i++)
    {
      HearthAlertEvent *event = g_ptr_array_index (active, i);

      if (event->rule_id == rule_id)
        return hearth_alert_event_copy (event);
    }
  return NULL;
}

/* rules */

static void
test_rules_defaults (void)
{
  g_autoptr(GPtrArray) defaults = hearth_alert_rule_defaults ();
  g_autoptr(JsonNode) root = list_rules ();
  g_autoptr(HearthTestRun) text = NULL;
  JsonArray *rules = json_node_get_array (root);
  guint n_default = 0;

  g_assert_cmpuint (defaults->len, >=, 4);
  for (guint i = 0; i < json_array_get_length (rules); i++)
    if (json_object_get_boolean_member (json_array_get_object_element (rules, i), "default"))
      n_default++;
  g_assert_cmpuint (n_default, ==, defaults->len);

  /* each default, by what it watches, and named in the table */
  text = hearth_test_run_cli (NULL, "alerts", "rules", NULL);
  g_assert_cmpint (text->exit_code, ==, 0);
  for (guint i = 0; i < defaults->len; i++)
    {
      HearthAlertRule *rule = g_ptr_array_index (defaults, i);
      const char *metric = hearth_alert_metric_to_string (rule->metric);
      gboolean found = FALSE;

      for (guint j = 0; j < json_array_get_length (rules); j++)
        {
          JsonObject *o = json_array_get_object_element (rules, j);

          found |= g_strcmp0 (json_object_get_string_member (o, "metric"), metric) == 0 &&
                   g_strcmp0 (json_object_get_string_member (o, "name"), rule->name) == 0;
        }
      g_assert_true (found);
      g_assert_nonnull (strstr (text->out, rule->name));
    }
}

static void
test_add_remove (void)
{
  g_autoptr(HearthTestRun) add = NULL, plain = NULL, disable = NULL, enable = NULL;
  g_autoptr(HearthTestRun) remove = NULL, again = NULL, table = NULL;
  g_autoptr(JsonNode) before = NULL, after_add = NULL, after_disable = NULL;
  g_autoptr(JsonNode) after_enable = NULL, after_remove = NULL;
  g_autofree char *id = NULL;
  JsonObject *rule;
  JsonArray *channels;
  gint64 rule_id;

  before = list_rules ();
  add = hearth_test_run_cli (NULL, "alerts", "add", "--metric", "ttft_ms", "--above", "2500",
                             "--for", "2m", "--model", "tiny-fixed", "--severity", "critical",
                             "--cooldown", "15m", "--channel", "log", "--channel",
                             "webhook:https://example.org/hook", "--name", "Slow start",
                             "--json", NULL);
  rule_id = rule_id_of (add);
  id = id_text (rule_id);

  after_add = list_rules ();
  g_assert_cmpuint (json_array_get_length (json_node_get_array (after_add)), ==,
                    json_array_get_length (json_node_get_array (before)) + 1);
  rule = find_by_id (json_node_get_array (after_add), "id", rule_id);
  g_assert_nonnull (rule);
  g_assert_cmpstr (json_object_get_string_member (rule, "name"), ==, "Slow start");
  g_assert_cmpstr (json_object_get_string_member (rule, "metric"), ==, "ttft_ms");
  g_assert_cmpstr (json_object_get_string_member (rule, "condition"), ==, "above");
  g_assert_cmpfloat (json_object_get_double_member (rule, "threshold"), ==, 2500);
  g_assert_cmpint (json_object_get_int_member (rule, "for_ms"), ==, 120000);
  g_assert_cmpint (json_object_get_int_member (rule, "cooldown_ms"), ==, 15 * 60000);
  g_assert_cmpstr (json_object_get_string_member (rule, "subject"), ==, "tiny-fixed");
  g_assert_cmpstr (json_object_get_string_member (rule, "severity"), ==, "critical");
  g_assert_cmpstr (json_object_get_string_member (rule, "webhook_url"), ==,
                   "https://example.org/hook");
  g_assert_true (json_object_get_boolean_member (rule, "enabled"));
  g_assert_false (json_object_get_boolean_member (rule, "default"));
  channels = json_object_get_array_member (rule, "channels");
  g_assert_cmpuint (json_array_get_length (channels), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (channels, 0), ==, "log");
  g_assert_cmpstr (json_array_get_string_element (channels, 1), ==, "webhook");

  /* a falling trend and an anomaly with its minimum change, in text */
  plain = hearth_test_run_cli (NULL, "alerts", "add", "--metric", "disk_free_gb", "--trend",
                               "-2", "--for", "30m", NULL);
  g_assert_cmpint (plain->exit_code, ==, 0);
  g_assert_true (g_str_has_prefix (plain->out, "Added rule "));
  {
    g_autoptr(HearthTestRun) anomaly =
      hearth_test_run_cli (NULL, "alerts", "add", "--metric", "tokens_per_s", "--anomaly", "-2",
                           "--percent", "25", "--severity", "warning", "--escalate-after", "1h",
                           "--json", NULL);
    g_autoptr(JsonNode) root = NULL;
    JsonObject *o;

    g_assert_cmpint (anomaly->exit_code, ==, 0);
    root = hearth_test_parse_json (anomaly->out);
    o = json_node_get_object (root);
    g_assert_cmpstr (json_object_get_string_member (o, "condition"), ==, "anomaly");
    g_assert_cmpfloat (json_object_get_double_member (o, "threshold"), ==, -2);
    g_assert_cmpfloat (json_object_get_double_member (o, "min_change_percent"), ==, 25);
    g_assert_cmpint (json_object_get_int_member (o, "escalate_after_ms"), ==, 3600000);
    /* without --name, the name says what it watches */
    g_assert_nonnull (strstr (json_object_get_string_member (o, "name"),
                              hearth_alert_metric_get_label (HEARTH_ALERT_METRIC_TOKENS_PER_S)));
  }

  disable = hearth_test_run_cli (NULL, "alerts", "disable", id, NULL);
  g_assert_cmpint (disable->exit_code, ==, 0);
  after_disable = list_rules ();
  rule = find_by_id (json_node_get_array (after_disable), "id", rule_id);
  g_assert_false (json_object_get_boolean_member (rule, "enabled"));
  table = hearth_test_run_cli (NULL, "alerts", "rules", NULL);
  g_assert_nonnull (strstr (table->out, "off"));
  g_assert_nonnull (strstr (table->out, "Slow start"));

  enable = hearth_test_run_cli (NULL, "alerts", "enable", id, NULL);
  g_assert_cmpint (enable->exit_code, ==, 0);
  after_enable = list_rules ();
  rule = find_by_id (json_node_get_array (after_enable), "id", rule_id);
  g_assert_true (json_object_get_boolean_member (rule, "enabled"));

  remove = hearth_test_run_cli (NULL, "alerts", "remove", id, NULL);
  g_assert_cmpint (remove->exit_code, ==, 0);
  after_remove = list_rules ();
  g_assert_null (find_by_id (json_node_get_array (after_remove), "id", rule_id));

  /* a rule that is not there any more */
  again = hearth_test_run_cli (NULL, "alerts", "remove", id, NULL);
  g_assert_cmpint (again->exit_code, ==, 4);
  hearth_test_assert_one_line (again->err);
}

/* Bad input: one line that names what is valid, exit 2, nothing stored. */
static void
test_bad_input (void)
{
  static const struct
  {
    const char *args[12];
    const char *says;
  } cases[] = {
    { { "alerts", "add", "--metric", "tokens", "--below", "5" }, "disk_free_gb" },
    { { "alerts", "add", "--metric", "tokens_per_s", "--below", "5", "--severity", "bad" },
      "critical" },
    { { "alerts", "add", "--metric", "tokens_per_s", "--below", "5", "--for", "soon" }, "10m" },
    { { "alerts", "add", "--metric", "tokens_per_s", "--below", "5", "--cooldown", "-3m" },
      "10m" },
    { { "alerts", "add", "--metric", "tokens_per_s", "--below", "fast" }, "--below" },
    { { "alerts", "add", "--metric", "tokens_per_s" }, "--above" },
    { { "alerts", "add", "--below", "5" }, "--metric" },
    { { "alerts", "add", "--metric", "cpu_percent", "--above", "5", "--below", "1" },
      "one condition" },
    { { "alerts", "add", "--metric", "cpu_percent", "--above", "90", "--model", "x" },
      "--model" },
    { { "alerts", "add", "--metric", "cpu_percent", "--above", "90", "--percent", "5" },
      "--anomaly" },
    { { "alerts", "add", "--metric", "cpu_percent", "--anomaly", "0" }, "z-score" },
    { { "alerts", "add", "--metric", "cpu_percent", "--above", "90", "--channel", "sms" },
      "webhook:URL" },
    { { "alerts", "add", "--metric", "cpu_percent", "--above", "90", "--channel",
        "webhook:ftp://example.org/x" }, "http" },
    { { "alerts", "add", "--metric", "cpu_percent", "--above", "90", "--severity", "critical",
        "--escalate-after", "1h" }, "warning" },
    { { "alerts", "remove", "three" }, "rule number" },
    { { "alerts", "enable" }, "enable ID" },
    { { "alerts", "list", "--since", "1h" }, "history" },
    { { "alerts", "list", "--metric", "cpu_percent" }, "alerts add" },
    { { "alerts", "history", "--since", "a while" }, "30s" },
    { { "alerts", "mute", "1" }, "ack ID" },
    { { "monitor", "--interval", "0" }, "--interval" },
  };
  g_autoptr(JsonNode) before = list_rules ();
  g_autoptr(JsonNode) after = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HearthTestRun) run = hearth_test_run_cliv (NULL, cases[i].args);

      g_test_message ("%s %s → %d %s", cases[i].args[0], cases[i].args[1], run->exit_code,
                      run->err);
      g_assert_cmpint (run->exit_code, ==, 2);
      g_assert_cmpstr (run->out, ==, "");
      hearth_test_assert_one_line (run->err);
      g_assert_nonnull (strstr (run->err, cases[i].says));
    }
  after = list_rules ();
  g_assert_cmpuint (json_array_get_length (json_node_get_array (after)), ==,
                    json_array_get_length (json_node_get_array (before)));
}

/* list, ack: an alert made firing by another process */
static void
test_list_and_ack (void)
{
  g_autoptr(HearthAlerts) alerts = open_alerts ();
  g_autoptr(HearthAlertEvent) firing = NULL, acknowledged = NULL;
  g_autoptr(HearthTestRun) add = NULL, list = NULL, json = NULL, ack = NULL, after = NULL;
  g_autoptr(HearthTestRun) again = NULL;
  g_autoptr(JsonNode) active = NULL, active_after = NULL;
  g_autofree char *id = NULL;
  JsonObject *event;
  gint64 rule_id;

  add = hearth_test_run_cli (NULL, "alerts", "add", "--metric", "swap_used_mb", "--above",
                             "1000", "--for", "0s", "--severity", "critical", "--name",
                             "Swapping hard", "--channel", "log", "--json", NULL);
  rule_id = rule_id_of (add);
  id = id_text (rule_id);

  /* nothing yet */
  json = hearth_test_run_cli (NULL, "alerts", "list", "--json", NULL);
  g_assert_cmpint (json->exit_code, ==, 0);
  active = hearth_test_parse_json (json->out);
  g_assert_null (find_by_id (json_node_get_array (active), "rule_id", rule_id));
  g_clear_pointer (&active, json_node_unref);
  g_clear_pointer (&json, hearth_test_run_free);

  /* The other process sees 4 GB of swap in use. */
  hearth_alerts_observe (alerts, HEARTH_ALERT_METRIC_SWAP_USED_MB, NULL, 4096,
                         g_get_real_time () / 1000);
  firing = find_active (alerts, rule_id);
  g_assert_nonnull (firing);
  g_assert_cmpint (firing->state, ==, HEARTH_ALERT_STATE_FIRING);
  g_assert_false (firing->acknowledged);

  list = hearth_test_run_cli (NULL, "alerts", "list", NULL);
  g_assert_cmpint (list->exit_code, ==, 0);
  g_assert_nonnull (strstr (list->out, "Swapping hard"));
  g_assert_nonnull (strstr (list->out, "firing"));
  g_assert_nonnull (strstr (list->out, "critical"));
  g_assert_null (strstr (list->out, "[acknowledged]"));

  json = hearth_test_run_cli (NULL, "alerts", "list", "--json", NULL);
  active = hearth_test_parse_json (json->out);
  event = find_by_id (json_node_get_array (active), "rule_id", rule_id);
  g_assert_nonnull (event);
  g_assert_cmpstr (json_object_get_string_member (event, "state"), ==, "firing");
  g_assert_cmpstr (json_object_get_string_member (event, "metric"), ==, "swap_used_mb");
  g_assert_cmpfloat (json_object_get_double_member (event, "value"), ==, 4096);
  g_assert_cmpfloat (json_object_get_double_member (event, "threshold"), ==, 1000);
  g_assert_false (json_object_get_boolean_member (event, "acknowledged"));

  ack = hearth_test_run_cli (NULL, "alerts", "ack", id, NULL);
  g_assert_cmpint (ack->exit_code, ==, 0);
  g_assert_cmpstr (ack->err, ==, "");

  /* the other process hears of it: silenced until it resolves */
  acknowledged = find_active (alerts, rule_id);
  g_assert_nonnull (acknowledged);
  g_assert_true (acknowledged->acknowledged);

  after = hearth_test_run_cli (NULL, "alerts", "list", "--json", NULL);
  active_after = hearth_test_parse_json (after->out);
  event = find_by_id (json_node_get_array (active_after), "rule_id", rule_id);
  g_assert_true (json_object_get_boolean_member (event, "acknowledged"));

  /* back to normal: nothing left to acknowledge */
  hearth_alerts_observe (alerts, HEARTH_ALERT_METRIC_SWAP_USED_MB, NULL, 10,
                         g_get_real_time () / 1000);
  again = hearth_test_run_cli (NULL, "alerts", "ack", id, NULL);
  g_assert_cmpint (again->exit_code, !=, 0);
  g_assert_cmpint (again->exit_code, !=, 2);
  hearth_test_assert_one_line (again->err);
}

/* history --since: a day-old episode is out of the last hour, in the last day */
static void
test_history_since (void)
{
  g_autoptr(HearthAlerts) alerts = open_alerts ();
  g_autoptr(HearthTestRun) add = NULL, hour = NULL, day = NULL, text = NULL;
  g_autoptr(JsonNode) in_hour = NULL, in_day = NULL;
  gint64 now = g_get_real_time () / 1000;
  gint64 rule_id;
  guint n_hour = 0, n_day = 0;
  gboolean fired = FALSE, resolved = FALSE;

  add = hearth_test_run_cli (NULL, "alerts", "add", "--metric", "gpu_temp_c", "--above", "85",
                             "--for", "0s", "--name", "GPU hot", "--channel", "log", "--json",
                             NULL);
  rule_id = rule_id_of (add);

  /* three hours ago the GPU ran hot for ten minutes */
  hearth_alerts_observe (alerts, HEARTH_ALERT_METRIC_GPU_TEMP_C, NULL, 92, now - 3 * 3600000);
  hearth_alerts_observe (alerts, HEARTH_ALERT_METRIC_GPU_TEMP_C, NULL, 60,
                         now - 3 * 3600000 + 600000);

  hour = hearth_test_run_cli (NULL, "alerts", "history", "--since", "1h", "--json", NULL);
  g_assert_cmpint (hour->exit_code, ==, 0);
  in_hour = hearth_test_parse_json (hour->out);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (in_hour)); i++)
    {
      JsonObject *e = json_array_get_object_element (json_node_get_array (in_hour), i);

      n_hour += json_object_get_int_member (e, "rule_id") == rule_id;
    }
  g_assert_cmpuint (n_hour, ==, 0);

  day = hearth_test_run_cli (NULL, "alerts", "history", "--since", "1d", "--json", NULL);
  in_day = hearth_test_parse_json (day->out);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (in_day)); i++)
    {
      JsonObject *e = json_array_get_object_element (json_node_get_array (in_day), i);
      const char *state = json_object_get_string_member (e, "state");

      if (json_object_get_int_member (e, "rule_id") != rule_id)
        continue;
      n_day++;
      fired |= g_str_equal (state, "firing") &&
               json_object_get_int_member (e, "time_ms") == now - 3 * 3600000;
      resolved |= g_str_equal (state, "resolved");
    }
  g_assert_true (fired);
  g_assert_true (resolved);

  /* the default window, 24 h, in text: one line a transition */
  text = hearth_test_run_cli (NULL, "alerts", "history", NULL);
  g_assert_cmpint (text->exit_code, ==, 0);
  {
    g_autofree char *pattern =
      g_strdup_printf ("^ +%" G_GINT64_FORMAT "  [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:"
                       "[0-9]{2}  resolved  warning   GPU hot: .+$", rule_id);

    g_assert_true (g_regex_match_simple (pattern, text->out, G_REGEX_MULTILINE, 0));
  }
}

/* alerts test: the webhook reaches a local server; the app's channels need the app */

typedef struct
{
  GPtrArray *bodies;
} Hook;

static void
on_hook (SoupServer        *server,
         SoupServerMessage *message,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Hook *hook = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);

  g_ptr_array_add (hook->bodies, g_strndup (g_bytes_get_data (bytes, NULL),
                                            g_bytes_get_size (bytes)));
  soup_server_message_set_status (message, 200, NULL);
}

/* A local webhook receiver on the main context; its address for --channel. */
static SoupServer *
start_receiver (Hook  *hook,
                char **channel)
{
  SoupServer *server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  GSList *uris;
  g_autofree char *url = NULL;

  soup_server_add_handler (server, "/hook", on_hook, hook, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  *channel = g_strconcat ("webhook:", url, "hook", NULL);
  return server;
}

static void
on_test_alert (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  *(gint64 *) user_data = g_variant_get_int64 (parameter);
}

static void
test_alert_test (void)
{
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *channel = NULL;
  g_autofree char *id = NULL, *app_id = NULL;
  g_autoptr(HearthTestRun) add = NULL, sent = NULL, app_rule = NULL, no_app = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  Hook hook = { g_ptr_array_new_with_free_func (g_free) };
  JsonObject *o;
  gint64 rule_id;

  server = start_receiver (&hook, &channel);

  add = hearth_test_run_cli (NULL, "alerts", "add", "--metric", "vram_percent", "--above", "95",
                             "--name", "VRAM full", "--channel", channel, "--channel", "log",
                             "--json", NULL);
  rule_id = rule_id_of (add);
  id = id_text (rule_id);

  sent = run_cli_live (NULL, "alerts", "test", id, NULL);
  g_assert_cmpint (sent->exit_code, ==, 0);
  g_assert_nonnull (strstr (sent->out, "webhook"));
  g_assert_nonnull (strstr (sent->out, "log"));
  g_assert_cmpuint (hook.bodies->len, ==, 1);
  body = hearth_test_parse_json (g_ptr_array_index (hook.bodies, 0));
  o = json_node_get_object (body);
  g_assert_true (json_object_get_boolean_member (o, "test"));
  g_assert_cmpstr (json_object_get_string_member (o, "metric"), ==, "vram_percent");
  g_assert_nonnull (strstr (json_object_get_string_member (o, "rule"), "VRAM full"));

  /* notification and tray are the app's: without it, said, and not started */
  app_rule = hearth_test_run_cli (NULL, "alerts", "add", "--metric", "cpu_percent", "--above",
                                  "99", "--name", "CPU pegged", "--channel", "notification",
                                  "--channel", "tray", "--json", NULL);
  app_id = id_text (rule_id_of (app_rule));
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    {
      g_printerr ("\n*** SKIPPED: no session bus, so alerts test through the app is NOT "
                  "tested (build-aux/test-session gives one) ***\n\n");
      g_test_skip ("no session bus");
      return;
    }
  no_app = run_cli_live (NULL, "alerts", "test", app_id, NULL);
  g_assert_cmpint (no_app->exit_code, ==, 1);
  g_assert_nonnull (strstr (no_app->out, "not running"));
  hearth_test_assert_one_line (no_app->err);
  g_assert_nonnull (strstr (no_app->err, "Hearth app"));

  /* a machine without a desktop session: said, and no bus started for it */
  {
    g_autofree char *runtime = hearth_test_build_tmp_path ("no-session", NULL);
    g_autoptr(HearthTestRun) headless = NULL;

    g_mkdir_with_parents (runtime, 0700);
    headless = run_cli_live ((const char *[]) { "DBUS_SESSION_BUS_ADDRESS", "",
                                                "XDG_RUNTIME_DIR", runtime, "DISPLAY", "",
                                                NULL },
                             "alerts", "test", app_id, NULL);
    g_assert_cmpint (headless->exit_code, ==, 1);
    hearth_test_assert_one_line (headless->err);
    g_assert_nonnull (strstr (headless->err, "no desktop session"));
  }

  /* a running app: its exported action, as GApplication exports it, gets the rule */
  {
    g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
    g_autoptr(GSimpleAction) action = g_simple_action_new ("test-alert", G_VARIANT_TYPE_INT64);
    g_autoptr(HearthTestRun) with_app = NULL;
    g_autoptr(GVariant) owned = NULL;
    gint64 asked = 0;
    guint32 reply = 0;
    guint export_id;

    g_signal_connect (action, "activate", G_CALLBACK (on_test_alert), &asked);
    g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (action));
    export_id = g_dbus_connection_export_action_group (bus, "/io/github/hearthapp/Hearth",
                                                       G_ACTION_GROUP (group), &error);
    g_assert_no_error (error);
    owned = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                         "org.freedesktop.DBus", "RequestName",
                                         g_variant_new ("(su)", APP_ID, 4 /* do not queue */),
                                         G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                         NULL, &error);
    g_assert_no_error (error);
    g_variant_get (owned, "(u)", &reply);
    if (reply != 1 /* primary owner */)
      {
        g_dbus_connection_unexport_action_group (bus, export_id);
        g_printerr ("\n*** SKIPPED: %s is taken on this session bus (a real Hearth?), so "
                    "alerts test through the app is NOT tested ***\n\n", APP_ID);
        g_test_skip ("the app's name is taken");
        return;
      }
    with_app = run_cli_live (NULL, "alerts", "test", app_id, NULL);
    g_assert_cmpint (with_app->exit_code, ==, 0);
    g_assert_nonnull (strstr (with_app->out, "sent to the Hearth app"));
    while (asked == 0)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpint (asked, ==, g_ascii_strtoll (app_id, NULL, 10));

    /* monitor says that the running app watches the same rules */
    {
      g_autoptr(GSubprocessLauncher) launcher = cli_launcher (G_SUBPROCESS_FLAGS_STDERR_PIPE, NULL);
      g_autofree char *cli = cli_path ();
      g_autoptr(GSubprocess) monitor = g_subprocess_launcher_spawn (launcher, &error, cli, "monitor",
                                                                    "--interval", "1", NULL);
      g_autoptr(GDataInputStream) err = NULL;
      g_autofree char *watching = NULL;
      g_autofree char *warning = NULL;

      g_assert_no_error (error);
      err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (monitor));
      watching = g_data_input_stream_read_line_utf8 (err, NULL, NULL, &error);
      warning = g_data_input_stream_read_line_utf8 (err, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (strstr (watching, "Watching"));
      g_assert_nonnull (warning);
      g_assert_nonnull (strstr (warning, "Hearth app is running"));
      g_subprocess_send_signal (monitor, SIGTERM);
      g_subprocess_wait (monitor, NULL, &error);
      g_assert_no_error (error);
    }
    g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                 "org.freedesktop.DBus", "ReleaseName",
                                 g_variant_new ("(s)", APP_ID), NULL, G_DBUS_CALL_FLAGS_NONE,
                                 -1, NULL, NULL);
    g_dbus_connection_unexport_action_group (bus, export_id);
  }
  g_ptr_array_unref (hook.bodies);
}

/* monitor: the test engine stops, then comes back */

typedef struct
{
  GDataInputStream *lines;
  GPtrArray        *received;   /* JsonNode */
  gboolean          ended;
} Watcher;

static void read_next (Watcher *watcher);

static void
on_line (GObject      *stream,
         GAsyncResult *result,
         gpointer      user_data)
{
  Watcher *watcher = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (watcher->lines, result,
                                                                     NULL, &error);

  if (line == NULL)
    {
      watcher->ended = TRUE;
      return;
    }
  g_test_message ("monitor: %s", line);
  g_ptr_array_add (watcher->received, hearth_test_parse_json (line));
  read_next (watcher);
}

static void
read_next (Watcher *watcher)
{
  g_data_input_stream_read_line_async (watcher->lines, G_PRIORITY_DEFAULT, NULL, on_line,
                                       watcher);
}

/* Waits for a line about @rule_id entering @state. */
static void
wait_for_state (Watcher    *watcher,
                gint64      rule_id,
                const char *state,
                const char *what)
{
  guint guard = g_timeout_add_seconds (GIVE_UP_S, give_up, (gpointer) what);

  for (guint seen = 0;; )
    {
      for (; seen < watcher->received->len; seen++)
        {
          JsonObject *o = json_node_get_object (g_ptr_array_index (watcher->received, seen));

          if (json_object_get_int_member (o, "rule_id") == rule_id &&
              g_str_equal (json_object_get_string_member (o, "state"), state))
            {
              g_source_remove (guard);
              return;
            }
        }
      g_assert_false (watcher->ended);
      g_main_context_iteration (NULL, TRUE);
    }
}

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets the main context run for @seconds. */
static void
spin (guint seconds)
{
  gboolean done = FALSE;

  g_timeout_add_seconds (seconds, set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static HearthTestServer *
start_engine (const char *port,
              const char *token_delay_ms)
{
  g_autofree char *fixed = hearth_test_make_model ("fixed", "tiny-fixed");
  g_autofree char *dir = g_path_get_dirname (fixed);
  const char *args[] = { "--models", dir, "--port", port ? port : "0",
                         "--token-delay-ms", token_delay_ms ? token_delay_ms : "0", NULL };

  return hearth_test_server_start ("server.mjs", args);
}

static void
test_monitor (void)
{
  g_autoptr(HearthTestServer) engine = NULL;
  g_autoptr(HearthTestRun) add = NULL, history = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) monitor = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cli = cli_path ();
  g_autofree char *url = NULL;
  g_autofree char *port = NULL;
  g_autofree char *address = NULL;
  Watcher watcher = { NULL };
  gint64 rule_id;

  if (!hearth_test_require_node ())
    return;
  engine = start_engine (NULL, NULL);
  url = g_strdup (hearth_test_server_get_url (engine));
  port = g_strdup (strrchr (url, ':') + 1);

  /* this server only, written as a person would: host:port */
  address = g_strconcat ("127.0.0.1:", port, NULL);
  add = hearth_test_run_cli (NULL, "alerts", "add", "--metric", "server_up", "--below", "1",
                             "--for", "0s", "--severity", "critical", "--model", address,
                             "--name", "Test engine down", "--channel", "log", "--json", NULL);
  rule_id = rule_id_of (add);

  launcher = cli_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                           (const char *[]) { "OLLAMA_HOST", url, NULL });
  monitor = g_subprocess_launcher_spawn (launcher, &error, cli, "monitor", "--interval", "1",
                                         "--json", NULL);
  g_assert_no_error (error);
  watcher.lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (monitor));
  watcher.received = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  read_next (&watcher);

  /* up: a few samples go by without a word about it */
  spin (3);
  for (guint i = 0; i < watcher.received->len; i++)
    g_assert_cmpint (json_object_get_int_member (json_node_get_object (
                       g_ptr_array_index (watcher.received, i)), "rule_id"), !=, rule_id);

  g_clear_pointer (&engine, hearth_test_server_stop);
  wait_for_state (&watcher, rule_id, "firing", "the server-down alert");

  engine = start_engine (port, NULL);
  wait_for_state (&watcher, rule_id, "resolved", "the server-back resolve");

  g_subprocess_send_signal (monitor, SIGTERM);
  g_subprocess_wait (monitor, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (monitor));
  g_assert_cmpint (g_subprocess_get_exit_status (monitor), ==, 0);
  /* its output ends with it */
  while (!watcher.ended)
    g_main_context_iteration (NULL, TRUE);

  /* what it printed, it kept */
  history = hearth_test_run_cli (NULL, "alerts", "history", "--since", "1h", NULL);
  g_assert_nonnull (strstr (history->out, "Test engine down"));
  g_ptr_array_unref (watcher.received);
  g_object_unref (watcher.lines);
}

/* ask: a slow reply from the real engine fires a speed rule, and its
 * webhook is sent before ask exits, once while it keeps firing */
static void
test_ask_slow_reply (void)
{
  g_autoptr(HearthTestServer) fast = NULL, slow = NULL;
  g_autoptr(HearthTestRun) add = NULL, quick = NULL, calm = NULL, late = NULL, list = NULL;
  g_autoptr(HearthTestRun) later = NULL;
  g_autoptr(JsonNode) after_quick = NULL, after_slow = NULL, body = NULL;
  g_autoptr(SoupServer) receiver = NULL;
  g_autofree char *channel = NULL;
  Hook hook = { g_ptr_array_new_with_free_func (g_free) };
  JsonObject *event, *o;
  gint64 rule_id;

  if (!hearth_test_require_node ())
    return;
  fast = start_engine (NULL, NULL);
  /* 16 tokens, 150 ms apart: under 7 tokens/s */
  slow = start_engine (NULL, "150");
  receiver = start_receiver (&hook, &channel);

  add = hearth_test_run_cli (NULL, "alerts", "add", "--metric", "tokens_per_s", "--below", "20",
                             "--for", "0s", "--name", "Crawling", "--channel", "log",
                             "--channel", channel, "--json", NULL);
  rule_id = rule_id_of (add);

  quick = run_cli_live (NULL, "ask", "--endpoint", hearth_test_server_get_url (fast),
                        "--model", "tiny-fixed", "--no-cache", "quick?", NULL);
  g_assert_cmpint (quick->exit_code, ==, 0);
  calm = hearth_test_run_cli (NULL, "alerts", "list", "--json", NULL);
  after_quick = hearth_test_parse_json (calm->out);
  g_assert_null (find_by_id (json_node_get_array (after_quick), "rule_id", rule_id));
  g_assert_cmpuint (hook.bodies->len, ==, 0);

  late = run_cli_live (NULL, "ask", "--endpoint", hearth_test_server_get_url (slow),
                       "--model", "tiny-fixed", "--no-cache", "slow?", NULL);
  g_assert_cmpint (late->exit_code, ==, 0);
  list = hearth_test_run_cli (NULL, "alerts", "list", "--json", NULL);
  after_slow = hearth_test_parse_json (list->out);
  event = find_by_id (json_node_get_array (after_slow), "rule_id", rule_id);
  g_assert_nonnull (event);
  g_assert_cmpstr (json_object_get_string_member (event, "state"), ==, "firing");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (event, "subject"),
                                   "tiny-fixed"));
  g_assert_cmpfloat (json_object_get_double_member (event, "value"), <, 20);

  /* the webhook was there before ask returned */
  g_assert_cmpuint (hook.bodies->len, ==, 1);
  body = hearth_test_parse_json (g_ptr_array_index (hook.bodies, 0));
  o = json_node_get_object (body);
  g_assert_cmpstr (json_object_get_string_member (o, "rule"), ==, "Crawling");
  g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "firing");
  g_assert_false (json_object_get_boolean_member (o, "test"));

  /* still slow: still firing, and not told again */
  later = run_cli_live (NULL, "ask", "--endpoint", hearth_test_server_get_url (slow),
                        "--model", "tiny-fixed", "--no-cache", "still slow?", NULL);
  g_assert_cmpint (later->exit_code, ==, 0);
  g_assert_cmpuint (hook.bodies->len, ==, 1);
  g_ptr_array_unref (hook.bodies);
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);

  g_test_add_func ("/cli-alerts/rules-defaults", test_rules_defaults);
  g_test_add_func ("/cli-alerts/add-remove", test_add_remove);
  g_test_add_func ("/cli-alerts/bad-input", test_bad_input);
  g_test_add_func ("/cli-alerts/list-and-ack", test_list_and_ack);
  g_test_add_func ("/cli-alerts/history-since", test_history_since);
  g_test_add_func ("/cli-alerts/test", test_alert_test);
  g_test_add_func ("/cli-alerts/monitor", test_monitor);
  g_test_add_func ("/cli-alerts/ask-slow-reply", test_ask_slow_reply);

  return g_test_run ();
}
