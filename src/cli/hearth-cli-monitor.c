/* hearth-cli-monitor.c — hearth-cli monitor: the sampler and the alert rules, headless
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include <inttypes.h>

#include <glib-unix.h>
#include <signal.h>

#include "hearth-alerts.h"
#include "hearth-cli-private.h"
#include "hearth-endpoint.h"

/* The sampler's idle interval, which the app uses in the background too. */
#define DEFAULT_INTERVAL_S 10

static gint64 opt_interval_s = DEFAULT_INTERVAL_S;

static gboolean
parse_interval (const char  *option,
                const char  *value,
                gpointer     data,
                GError     **error)
{
  return parse_whole_number ("--interval", value, 1, 3600, &opt_interval_s, error);
}

static const GOptionEntry monitor_entries[] = {
  { "interval", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, parse_interval,
    N_("Sample the machine and the server every SECONDS, 1 to 3600 (default 10)"), N_("SECONDS") },
  { NULL }
};

typedef struct
{
  GMainLoop *loop;
  gboolean   output_lost;
} Monitor;

static void
on_transition (HearthAlerts     *alerts,
               HearthAlertEvent *event,
               Monitor          *monitor)
{
  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *line = NULL;

      json_builder_begin_object (builder);
      alerts_add_event_json (builder, event);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      /* JSON lines: one object a line, whatever the terminal */
      line = hearth_json_to_string (root, FALSE);
      print_json_text (line);
      output_write (OUTPUT_STDOUT, "\n", 1);
    }
  else
    alerts_print_event_line (event, FALSE);
  /* A reader that went away (| head -1) ends the watch. */
  if (output_failed ())
    {
      monitor->output_lost = TRUE;
      g_main_loop_quit (monitor->loop);
    }
}

static gboolean
on_stop (gpointer user_data)
{
  Monitor *monitor = user_data;

  g_main_loop_quit (monitor->loop);
  return G_SOURCE_CONTINUE;
}

static guint
count_enabled_rules (HearthAlerts *alerts,
                     GError      **error)
{
  g_autoptr(GPtrArray) rules = hearth_alerts_list_rules (alerts, error);
  guint n = 0;

  for (guint i = 0; rules != NULL && i < rules->len; i++)
    if (((HearthAlertRule *) g_ptr_array_index (rules, i))->enabled)
      n++;
  return n;
}

/*
 * The same sampler and evaluator as the app, without a window: for a machine
 * with no desktop session (a home server with the GPU). The engine samples
 * the machine, keeps its resource use, evaluates every enabled rule, stores
 * each transition in the alert history and delivers the log and webhook
 * channels; each transition is also printed here. Until Ctrl+C or SIGTERM,
 * which end it normally (exit 0).
 */
int
hearth_cli_command_monitor (int    argc,
                            char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  HearthAlerts *alerts;
  HearthSampler *sampler;
  Monitor monitor = { 0 };
  guint n_rules, n_firing;
  gulong handler;
  guint sources[3];
  int exit_code = 0;

  if (!parse_options ("monitor", NULL, monitor_entries, FALSE, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 2)
    return usage_error ("monitor", _("monitor takes no arguments"));

  if ((engine = open_engine (settings, HEARTH_ENGINE_HISTORY | HEARTH_ENGINE_SAMPLER,
                             &error)) == NULL)
    return fail (error);
  alerts = hearth_engine_get_alerts (engine);
  n_rules = count_enabled_rules (alerts, &error);
  if (error != NULL)
    return fail (error);
  sampler = hearth_engine_get_sampler (engine);
  if (sampler != NULL)
    hearth_sampler_set_intervals (sampler, opt_interval_s * 1000, opt_interval_s * 1000);

  loop = g_main_loop_new (NULL, FALSE);
  monitor.loop = loop;
  handler = g_signal_connect (alerts, "transition", G_CALLBACK (on_transition), &monitor);
  sources[0] = g_unix_signal_add (SIGINT, on_stop, &monitor);
  sources[1] = g_unix_signal_add (SIGTERM, on_stop, &monitor);
  sources[2] = g_unix_signal_add (SIGHUP, on_stop, &monitor);

  n_firing = hearth_alerts_get_n_firing (alerts);
  /* Translators: the last %s is empty or "; alerts already firing: hearth-cli alerts list" */
  g_printerr (ngettext ("hearth-cli: Watching %u rule, sampling every %" PRId64 " s%s. "
                        "Ctrl+C stops.\n",
                        "hearth-cli: Watching %u rules, sampling every %" PRId64 " s%s. "
                        "Ctrl+C stops.\n", n_rules),
              n_rules, opt_interval_s,
              n_firing > 0 ? _("; alerts already firing: hearth-cli alerts list") : "");
  /* Both would judge the same machine and tell the same alert twice. */
  if (hearth_cli_app_is_running ())
    g_printerr (_("hearth-cli: The Hearth app is running in this session and watches the same "
                  "rules: you may hear of an alert from both. Quit the app, or turn off "
                  "the rule's channels in one of them.\n"));
  g_main_loop_run (loop);

  g_signal_handler_disconnect (alerts, handler);
  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    g_source_remove (sources[i]);
  hearth_engine_shutdown (engine);
  /* a transition told just before the stop still reaches its webhook */
  alerts_wait_until_idle (alerts, ALERTS_EXIT_WAIT_S);
  return monitor.output_lost ? EXIT_OUTPUT : 0;
}
