/* hearth-cli-metrics.c — hearth-cli metrics and resources: requests and machine use over time
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include "hearth-cli-private.h"
#include "hearth-endpoint.h"
#include "hearth-metrics.h"
#include "hearth-resource-history.h"

static char    *opt_since;
static gboolean opt_csv;
static char    *opt_by;
static gboolean opt_summary;

/* metrics */

static const GOptionEntry metrics_entries[] = {
  { "since", 0, 0, G_OPTION_ARG_FILENAME, &opt_since,
    N_("Requests in this window: 90s, 5m, 1h, 24h, 7d… (default 1h)"), N_("WINDOW") },
  { "model", 'm', 0, G_OPTION_ARG_FILENAME, &opt_model, N_("Only requests to this model"), N_("NAME") },
  { "csv", 0, 0, G_OPTION_ARG_NONE, &opt_csv, N_("Print CSV"), NULL },
  { "summary", 0, 0, G_OPTION_ARG_NONE, &opt_summary,
    N_("Print counts, success rate and percentiles per model and endpoint"), NULL },
  { "by", 0, 0, G_OPTION_ARG_FILENAME, &opt_by,
    N_("With --summary: one line per model, per endpoint, per both (default), or per "
       "program that asked through the gateway"),
    "model|endpoint|client" },
  { NULL }
};

static gboolean
parse_grouping (const char            *text,
                HearthMetricsGrouping *grouping)
{
  if (text == NULL)
    *grouping = HEARTH_METRICS_BY_MODEL_AND_ENDPOINT;
  else if (g_str_equal (text, "model"))
    *grouping = HEARTH_METRICS_BY_MODEL;
  else if (g_str_equal (text, "endpoint"))
    *grouping = HEARTH_METRICS_BY_ENDPOINT;
  else if (g_str_equal (text, "client"))
    *grouping = HEARTH_METRICS_BY_CLIENT;
  else
    return FALSE;
  return TRUE;
}

static const char *
figures_source (const HearthMessage *m)
{
  return m->figures.from_server ? "server" : "client";
}

static char *
format_count (gint64 value)
{
  return value < 0 ? g_strdup ("") : g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

static void
print_request_line (HearthMessage *m)
{
  g_autofree char *when = format_time (m->created_ms);
  g_autofree char *ttft = format_figure (m->figures.ttft_ms);
  g_autofree char *total = format_figure (m->figures.total_ms);
  g_autofree char *tokens = format_count (m->figures.tokens_out);
  g_autofree char *speed = format_figure (m->figures.tokens_per_s);

  g_print ("%s  %-20s %-26s %-9s %8s %9s %6s %8s  %s\n", when,
           m->model ? m->model : "?", m->endpoint ? m->endpoint : "?",
           m->figures.cached && m->state == HEARTH_MESSAGE_COMPLETE
           ? "cached" : hearth_message_state_to_string (m->state), ttft, total, tokens, speed,
           figures_source (m));
}

/* --csv and --json print what the Performance page exports, byte for byte. */
static HearthMetricsFormat
metrics_format (void)
{
  if (opt_csv)
    return HEARTH_METRICS_FORMAT_CSV;
  return output_is_terminal (OUTPUT_STDOUT) ? HEARTH_METRICS_FORMAT_JSON_PRETTY
                                            : HEARTH_METRICS_FORMAT_JSON;
}

static int
print_export (const char   *text,
              const GError *error)
{
  if (text == NULL)
    return fail (error);
  if (opt_csv)
    output_write (OUTPUT_STDOUT, text, -1);
  else
    print_json_text (text);
  return 0;
}

/* What the Performance page's export button writes. */
static int
metrics_export (HearthEngine *engine,
                gint64        since_ms)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  Cli cli = { 0 };

  hearth_engine_export_metrics_async (engine, since_ms, opt_model, metrics_format (), NULL,
                                      keep_result, &cli);
  run_loop (&cli);
  text = hearth_engine_export_metrics_finish (engine, cli.result, &error);
  g_clear_object (&cli.result);
  return print_export (text, error);
}

static int
metrics_rows (HearthEngine *engine,
              gint64        since_ms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  Cli cli = { 0 };

  if (opt_json || opt_csv)
    return metrics_export (engine, since_ms);
  hearth_engine_list_requests_async (engine, since_ms, opt_model, NULL, keep_result, &cli);
  run_loop (&cli);
  rows = hearth_engine_list_requests_finish (engine, cli.result, &error);
  g_clear_object (&cli.result);
  if (rows == NULL)
    return fail (error);
  g_print ("%-16s  %-20s %-26s %-9s %8s %9s %6s %8s  %s\n", "time", "model", "endpoint",
           "outcome", "ttft ms", "total ms", "tokens", "tokens/s", "figures from");
  for (guint i = 0; i < rows->len; i++)
    print_request_line (g_ptr_array_index (rows, i));
  return 0;
}

/* NULL is an unknown model or endpoint, or under --by all of them. */
static const char *
group_label (const char *name,
             gboolean    grouped)
{
  return name != NULL ? name : grouped ? "?" : "(all)";
}

static void
print_group_line (HearthMetricsGroup    *g,
                  HearthMetricsGrouping  grouping)
{
  g_autofree char *t50 = format_figure (g->ttft_p50_ms);
  g_autofree char *t95 = format_figure (g->ttft_p95_ms);
  g_autofree char *t99 = format_figure (g->ttft_p99_ms);
  g_autofree char *a50 = format_figure (g->total_p50_ms);
  g_autofree char *a95 = format_figure (g->total_p95_ms);
  g_autofree char *a99 = format_figure (g->total_p99_ms);
  g_autofree char *speed = format_figure (g->median_tokens_per_s);
  /* none ended yet (all still streaming or stopped): no rate */
  g_autofree char *success = g->success_rate >= 0 ? g_strdup_printf ("%.1f%%", 100 * g->success_rate)
                                                  : g_strdup ("-");

  if (grouping == HEARTH_METRICS_BY_CLIENT)
    {
      /* No client: Hearth's own chat. */
      g_print ("%-47s %6u %6u %8s  %s / %s / %s  %s / %s / %s  %s\n",
               g->client != NULL ? g->client : _("Hearth (its own chat)"), g->count,
               g->cache_hits, success, t50, t95, t99, a50, a95, a99, speed);
      return;
    }
  g_print ("%-20s %-26s %6u %6u %8s  %s / %s / %s  %s / %s / %s  %s\n",
           group_label (g->model, grouping != HEARTH_METRICS_BY_ENDPOINT),
           /* a server of the user's list by its name, else its address */
           group_label (g->server ? g->server : g->endpoint, grouping != HEARTH_METRICS_BY_MODEL),
           g->count,
           g->cache_hits, success, t50, t95, t99, a50, a95, a99, speed);
}

static int
metrics_summary (HearthEngine          *engine,
                 gint64                 since_ms,
                 HearthMetricsGrouping  grouping)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autofree char *text = NULL;
  gboolean as_text = opt_json || opt_csv;
  gpointer answer;
  Cli cli = { 0 };

  hearth_engine_summarize_metrics_async (engine, since_ms, opt_model, grouping, as_text,
                                         metrics_format (), NULL, keep_result, &cli);
  run_loop (&cli);
  answer = hearth_engine_summarize_metrics_finish (engine, cli.result, &error);
  g_clear_object (&cli.result);
  if (as_text)
    {
      text = answer;
      return print_export (text, error);
    }
  groups = answer;
  if (groups == NULL)
    return fail (error);
  if (grouping == HEARTH_METRICS_BY_CLIENT)
    /* Translators: the column headers of hearth-cli metrics --summary --by client */
    g_print ("%-47s %6s %6s %8s  %s  %s  %s\n", _("client (the program that asked)"), _("count"),
             _("cached"), _("success"), _("ttft ms p50 / p95 / p99"), _("total ms p50 / p95 / p99"),
             _("tokens/s"));
  else
    g_print ("%-20s %-26s %6s %6s %8s  %s  %s  %s\n", _("model"), _("endpoint"), _("count"),
             _("cached"), _("success"), _("ttft ms p50 / p95 / p99"), _("total ms p50 / p95 / p99"),
             _("tokens/s"));
  for (guint i = 0; i < groups->len; i++)
    print_group_line (g_ptr_array_index (groups, i), grouping);
  return 0;
}

int
hearth_cli_command_metrics (int    argc,
                            char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  HearthMetricsGrouping grouping;
  gint64 window;
  int exit_code = 0;

  if (!parse_options ("metrics", NULL, metrics_entries, FALSE, &argc, &argv, &exit_code))
    return exit_code;
  if (!parse_grouping (opt_by, &grouping))
    return usage_error ("metrics", _("--by takes model, endpoint or client"));
  if (opt_by != NULL && !opt_summary)
    return usage_error ("metrics", _("--by groups the summary: add --summary"));
  if (argc > 2)
    return usage_error ("metrics", _("metrics takes no arguments"));
  if (opt_csv && opt_json)
    return usage_error ("metrics", _("--csv and --json cannot go together: choose one"));
  window = hearth_metrics_parse_since (opt_since != NULL ? opt_since : "1h", &error);
  if (window < 0)
    return usage_error ("metrics", error->message);

  if ((engine = open_engine (settings, HEARTH_ENGINE_HISTORY, &error)) == NULL)
    return fail (error);
  if (opt_summary)
    return metrics_summary (engine, g_get_real_time () / 1000 - window, grouping);
  return metrics_rows (engine, g_get_real_time () / 1000 - window);
}

/* resources */

static gboolean opt_now;

static const GOptionEntry resources_entries[] = {
  { "since", 0, 0, G_OPTION_ARG_FILENAME, &opt_since,
    N_("Use in this window: 5m, 1h, 24h, 7d, 90d… (default 1h)"), N_("WINDOW") },
  { "now", 0, 0, G_OPTION_ARG_NONE, &opt_now,
    N_("Read this machine now, over one second, instead of the stored history"), NULL },
  { NULL }
};

/* The unit a person reads; -1 is unknown. */
static char *
format_resource_bytes (gint64 bytes)
{
  if (bytes < 0)
    return g_strdup ("-");
  return g_format_size (bytes);
}

static char *
format_resource_percent (double percent)
{
  if (percent < 0)
    return g_strdup ("-");
  return g_strdup_printf ("%.1f%%", percent);
}

static void
add_resource_json (JsonBuilder             *builder,
                   const HearthResourceRow *row)
{
  json_builder_begin_object (builder);
  hearth_json_add_int (builder, "time_ms", row->time_ms);
  hearth_json_add_int (builder, "samples", row->n_samples);
  hearth_json_add_double (builder, "cpu_percent", row->cpu_percent);
  hearth_json_add_double (builder, "cpu_peak", row->cpu_peak);
  hearth_json_add_int (builder, "mem_total", row->mem_total);
  hearth_json_add_int (builder, "mem_used", row->mem_used);
  hearth_json_add_int (builder, "swap_used", row->swap_used);
  hearth_json_add_double (builder, "gpu_percent", row->gpu_percent);
  hearth_json_add_int (builder, "vram_total", row->vram_total);
  hearth_json_add_int (builder, "vram_used", row->vram_used);
  hearth_json_add_double (builder, "gpu_temperature_c", row->gpu_temperature_c);
  hearth_json_add_double (builder, "gpu_power_w", row->gpu_power_w);
  hearth_json_add_double (builder, "server_cpu_percent", row->server_cpu_percent);
  hearth_json_add_int (builder, "server_rss", row->server_rss);
  json_builder_end_object (builder);
}

static void
print_resource_line (const HearthResourceRow *row)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (row->time_ms / 1000);
  /* Translators: a date and time in a table, see g_date_time_format() */
  g_autofree char *time = g_date_time_format (when, _("%Y-%m-%d %H:%M"));
  g_autofree char *cpu = format_resource_percent (row->cpu_percent);
  g_autofree char *peak = format_resource_percent (row->cpu_peak);
  g_autofree char *mem = format_resource_bytes (row->mem_used);
  g_autofree char *swap = format_resource_bytes (row->swap_used);
  g_autofree char *gpu = format_resource_percent (row->gpu_percent);
  g_autofree char *vram = format_resource_bytes (row->vram_used);
  g_autofree char *server_cpu = format_resource_percent (row->server_cpu_percent);
  g_autofree char *server_rss = format_resource_bytes (row->server_rss);

  g_print ("%-16s %7" G_GINT64_FORMAT " %7s %7s %11s %11s %6s %11s %10s %11s\n", time,
           row->n_samples, cpu, peak, mem, swap, gpu, vram, server_cpu, server_rss);
}

/* One reading of this machine: CPU needs two, a second apart. */
static int
resources_now (void)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(HearthSampler) sampler = hearth_sampler_new ("/", 2);
  g_autofree char *endpoint = NULL;
  HearthResourceRow row;
  const HearthSample *sample;
  HearthApiKind api;

  if (resolve_server (settings, &api, &endpoint, NULL))
    hearth_sampler_set_server_port (sampler, hearth_endpoint_local_port (endpoint));
  hearth_sampler_sample (sampler);
  g_usleep (G_USEC_PER_SEC);
  sample = hearth_sampler_sample (sampler);

  hearth_resource_row_from_sample (&row, sample);
  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      add_resource_json (builder, &row);
      root = json_builder_get_root (builder);
      print_json (root);
      return 0;
    }
  {
    g_autofree char *mem = format_resource_bytes (row.mem_used);
    g_autofree char *mem_total = format_resource_bytes (row.mem_total);
    g_autofree char *swap = format_resource_bytes (row.swap_used);

    g_print (_("CPU:           %.1f%% of %u cores\n"), row.cpu_percent, sample->n_cores);
    g_print (_("Memory used:   %s of %s; swap %s\n"), mem, mem_total, swap);
  }
  if (row.gpu_percent >= 0 || row.vram_used >= 0)
    {
      g_autofree char *vram = format_resource_bytes (row.vram_used);
      g_autofree char *vram_total = format_resource_bytes (row.vram_total);

      g_print (_("GPU:           %.0f%% busy"), row.gpu_percent);
      if (row.gpu_temperature_c >= 0)
        g_print (", %.0f °C", row.gpu_temperature_c);
      if (row.gpu_power_w >= 0)
        g_print (", %.0f W", row.gpu_power_w);
      g_print (_("\nVRAM used:     %s of %s\n"), vram, vram_total);
    }
  else
    g_print (_("GPU:           none found (NVML, nvidia-smi and /sys/class/drm were read)\n"));
  if (sample->server_pid > 0)
    {
      g_autofree char *rss = format_resource_bytes (row.server_rss);

      g_print (_("Server:        process %d, %.1f%% of one core, %s resident\n"),
               sample->server_pid, row.server_cpu_percent, rss);
    }
  else
    g_print (_("Server:        not found on this machine%s\n"),
             endpoint != NULL ? _(" (or run by another user)") : "");
  return 0;
}

int
hearth_cli_command_resources (int    argc,
                              char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GArray) rows = NULL;
  gint64 window, bucket_ms;
  int exit_code = 0;
  Cli cli = { 0 };

  if (!parse_options ("resources", NULL, resources_entries, TRUE, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 2)
    return usage_error ("resources", _("resources takes no arguments"));
  if (opt_now)
    return resources_now ();
  window = hearth_metrics_parse_since (opt_since != NULL ? opt_since : "1h", &error);
  if (window < 0)
    return usage_error ("resources", error->message);

  if ((engine = open_engine (settings, HEARTH_ENGINE_HISTORY, &error)) == NULL)
    return fail (error);
  /* minutes while they are kept, hours beyond */
  bucket_ms = window <= (gint64) hearth_engine_get_minute_days (engine) * 24 * 3600 * 1000
              ? 60 * 1000 : 3600 * 1000;
  hearth_engine_list_resources_async (engine, g_get_real_time () / 1000 - window, bucket_ms,
                                      NULL, keep_result, &cli);
  run_loop (&cli);
  rows = hearth_engine_list_resources_finish (engine, cli.result, &error);
  g_clear_object (&cli.result);
  if (rows == NULL)
    return fail (error);

  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < rows->len; i++)
        add_resource_json (builder, &g_array_index (rows, HearthResourceRow, i));
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      print_json (root);
      return 0;
    }
  if (rows->len == 0)
    {
      g_print (_("No resource samples in this window: Hearth keeps them while the app runs "
                 "(every 10 s, every second on its Performance page).\n"));
      return 0;
    }
  g_print ("%-16s %7s %7s %7s %11s %11s %6s %11s %10s %11s\n", "time", "samples", "cpu",
           "peak", "memory", "swap", "gpu", "vram", "server cpu", "server rss");
  for (guint i = 0; i < rows->len; i++)
    print_resource_line (&g_array_index (rows, HearthResourceRow, i));
  return 0;
}
