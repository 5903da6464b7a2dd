/* hearth-cli-bench.c — hearth-cli bench: measure a model, and the stored runs
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include <inttypes.h>

#include <math.h>

#include "hearth-cli-private.h"
#include "hearth-endpoint.h"

static gint64 opt_runs = HEARTH_BENCH_DEFAULT_RUNS;

static gboolean
parse_runs (const char  *option,
            const char  *value,
            gpointer     data,
            GError     **error)
{
  return parse_whole_number ("--runs", value, 1, 100, &opt_runs, error);
}

static const GOptionEntry bench_entries[] = {
  { "model", 'm', 0, G_OPTION_ARG_FILENAME, &opt_model,
    N_("The model to measure (default: the default model, else the server's first); "
       "with list, only its runs"), N_("NAME") },
  { "runs", 'n', G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, parse_runs,
    N_("Runs of the prompt set after the warm-up, 1 to 100 (default 3)"), N_("N") },
  { NULL }
};

static void
on_bench_progress (HearthBench *bench,
                   guint        done,
                   guint        total,
                   const char  *label,
                   Cli         *cli)
{
  if (output_is_terminal (OUTPUT_STDERR))
    {
      output_control (OUTPUT_STDERR, "\r\033[K");
      g_printerr ("[%u/%u] %s", done, total, label);
    }
  else
    g_printerr ("hearth-cli: [%u/%u] %s\n", done, total, label);
}

static void
bench_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Cli *cli = user_data;

  cli->bench_result = hearth_bench_run_finish (HEARTH_BENCH (object), result, &cli->error);
  g_main_loop_quit (cli->loop);
}

static char *
format_figure_with_spread (double median,
                           double min,
                           double max)
{
  if (median < 0)
    return g_strdup ("unknown");
  return g_strdup_printf (_("%.1f (min %.1f, max %.1f)"), median, min, max);
}

static char *
format_peak_bytes (gint64 bytes)
{
  return bytes < 0 ? g_strdup (_("not measured")) : g_format_size (bytes);
}

static void
print_bench_comparison (const HearthBenchResult *r)
{
  g_autofree char *when = NULL;

  if (r->previous_id <= 0)
    {
      g_print (_("No earlier run of this model with these options on this machine "
                 "to compare with.\n"));
      return;
    }
  when = format_time (r->previous_created_ms);
  if (r->regression)
    {
      g_print ("\n");
      output_control (OUTPUT_STDOUT, "\033[1;31m");
      g_print (_("Regression: %.1f %% slower than run #%" PRId64 " on %s"),
               -r->change_percent, r->previous_id, when);
      output_control (OUTPUT_STDOUT, "\033[0m");
      g_print ("\n\n");
    }
  else
    g_print (_("Decode speed %+.1f %% against run #%" PRId64 " on %s.\n"),
             r->change_percent, r->previous_id, when);
  /* The threshold the core used: never a number of the CLI's own. */
  g_print (_("A regression is a fall of more than %.0f %% (at least %.0f %%, more when the runs "
             "themselves varied).\n"), r->regression_threshold_percent,
           hearth_bench_regression_base_percent ());
}

/* "seed 42, temperature 0, num_ctx 2048, num_predict 32/160/32/160, num_thread 4" */
static char *
format_bench_options (const char *options)
{
  static const char * const speed_keys[] = { "num_gpu", "num_thread", "num_batch" };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  JsonObject *o;
  JsonNode *predict;
  JsonNode *run_options;

  /* Blank text parses to no root; members of another type count as missing. */
  if (options == NULL || !json_parser_load_from_data (parser, options, -1, NULL) ||
      json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return g_strdup (options != NULL ? options : "unknown");
  o = json_node_get_object (json_parser_get_root (parser));
  g_string_append_printf (text,
                          "seed %" G_GINT64_FORMAT ", temperature %g, num_ctx %" G_GINT64_FORMAT,
                          hearth_json_get_int (o, "seed", -1),
                          hearth_json_get_number (o, "temperature", -1),
                          hearth_json_get_int (o, "num_ctx", -1));
  predict = json_object_get_member (o, "num_predict");
  if (predict != NULL && JSON_NODE_HOLDS_ARRAY (predict))
    {
      JsonArray *array = json_node_get_array (predict);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_INT64)
            g_string_append_printf (text, "%s%" G_GINT64_FORMAT, i == 0 ? ", num_predict " : "/",
                                    json_node_get_int (element));
        }
    }
  /* the model's run options that change speed, when it was sent some */
  run_options = json_object_get_member (o, "run_options");
  for (guint i = 0; run_options != NULL && JSON_NODE_HOLDS_OBJECT (run_options) &&
                    i < G_N_ELEMENTS (speed_keys); i++)
    {
      gint64 value = hearth_json_get_int (json_node_get_object (run_options), speed_keys[i], -1);

      if (value >= 0)
        g_string_append_printf (text, ", %s %" G_GINT64_FORMAT, speed_keys[i], value);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
print_bench_load (const HearthBenchResult *r)
{
  if (r->already_loaded)
    g_print (_("Load time:           none, the model was already in memory\n"));
  else if (r->load_ms >= 0)
    g_print (_("Load time:           %.1f ms\n"), r->load_ms);
  else
    g_print (_("Load time:           unknown\n"));
}

static void
print_bench_result (const HearthBenchResult *r)
{
  g_autofree char *options = format_bench_options (r->options);
  g_autofree char *prompt = format_figure_with_spread (r->prompt_tps_median, r->prompt_tps_min,
                                                        r->prompt_tps_max);
  g_autofree char *decode = format_figure_with_spread (r->decode_tps_median, r->decode_tps_min,
                                                        r->decode_tps_max);
  g_autofree char *mem = format_peak_bytes (r->peak_mem_used);
  g_autofree char *vram = format_peak_bytes (r->peak_vram_used);
  g_autofree char *cpu = r->peak_cpu_percent < 0 ? g_strdup (_("not measured"))
                         : g_strdup_printf ("%.0f %%", r->peak_cpu_percent);

  if (r->digest != NULL)
    g_print (_("Model:               %s (digest %.12s)\n"), r->model, r->digest);
  else
    g_print (_("Model:               %s\n"), r->model);
  if (r->server != NULL)
    g_print (_("Server:              %s (%s, %s)\n"), r->server, r->endpoint, r->api);
  else
    g_print (_("Server:              %s (%s)\n"), r->endpoint, r->api);
  g_print (_("Hardware:            %s\n"), r->hardware);
  g_print (_("Options:             %s\n"), options);
  g_print (_("Runs:                %u, after a warm-up\n"), r->runs);
  if (r->error != NULL)
    g_print (_("Cases left out:      %s\n"), r->error);
  print_bench_load (r);
  g_print (_("Time to first token: p50 %.1f ms, p95 %.1f ms\n"), r->ttft_p50_ms, r->ttft_p95_ms);
  g_print (_("Prompt tokens/s:     %s\n"), prompt);
  g_print (_("Decode tokens/s:     %s\n"), decode);
  g_print (_("Speeds timed by:     %s\n"), r->figures_from ? r->figures_from : "unknown");
  g_print (_("Peak CPU:            %s\n"), cpu);
  g_print (_("Peak memory used:    %s\n"), mem);
  g_print (_("Peak VRAM used:      %s\n"), vram);
  print_bench_comparison (r);
  g_print (_("Stored as benchmark run #%" PRId64 ".\n"), r->id);
}

static void
print_bench_json (const HearthBenchResult *r)
{
  g_autoptr(JsonNode) root = hearth_bench_result_to_json (r);

  print_json (root);
}

/* The sampler bench and tune measure the peaks with, started */
HearthSampler *
start_sampler (HearthProvider *provider)
{
  HearthSampler *sampler = hearth_sampler_new ("/", 600);
  const char *endpoint = hearth_provider_get_endpoint (provider);

  hearth_sampler_set_server_port (sampler, hearth_endpoint_local_port (endpoint));
  hearth_sampler_start (sampler);
  return sampler;
}

static int
bench_end (Cli                *cli,
           HearthEngine       *engine,
           HearthBenchResult  *result)
{
  g_autoptr(GError) error = NULL;

  if (cli->interrupted)
    {
      g_printerr (_("hearth-cli: Interrupted. The benchmark was cancelled and nothing was stored.\n"));
      return EXIT_INTERRUPTED;
    }
  if (result == NULL)
    return fail (cli->error);
  if (!hearth_engine_save_bench_result (engine, result, &error))
    return fail (error);
  if (opt_json)
    print_bench_json (result);
  else
    print_bench_result (result);
  return 0;
}

static int
bench_run (GSettings *settings)
{
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthSampler) sampler = NULL;
  g_autoptr(HearthBench) bench = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *stored_model = settings ? g_settings_get_string (settings, "default-model")
                                           : NULL;
  g_autoptr(HearthModelInfo) info = NULL;
  const char *model = opt_model ? opt_model : stored_model;
  HearthProvider *provider;
  Cli cli = { 0 };
  int exit_code;

  if ((provider = open_provider (settings, HEARTH_ENGINE_HISTORY, &engine, &error)) == NULL)
    return fail (error);
  /* The model as the server lists it ("tiny:latest" for "tiny"), whose run
   * options are the ones a chat sends */
  cli.cancellable = cancellable;
  if (model != NULL && *model != '\0')
    {
      if ((info = find_server_model (&cli, provider, model, &error)) == NULL)
        return cli.interrupted ? EXIT_INTERRUPTED : fail (error);
      model = info->name;
    }

  sampler = start_sampler (provider);
  /* the engine's: it sends the model's run options, as a chat would */
  bench = hearth_engine_new_bench (engine, provider, model, (guint) opt_runs, sampler);
  g_signal_connect (bench, "progress", G_CALLBACK (on_bench_progress), &cli);
  cli.cancellable = cancellable;
  hearth_bench_run_async (bench, cancellable, bench_cb, &cli);
  run_loop (&cli);
  hearth_sampler_stop (sampler);
  output_control (OUTPUT_STDERR, "\r\033[K");

  exit_code = bench_end (&cli, engine, cli.bench_result);
  g_clear_pointer (&cli.bench_result, hearth_bench_result_free);
  g_clear_error (&cli.error);
  return exit_code;
}

/* The server a run measured: its name in the list, else its address */
static const char *
bench_server (const HearthBenchResult *r)
{
  if (r->server != NULL)
    return r->server;
  return r->endpoint != NULL ? r->endpoint : "?";
}

/* The columns of bench list: which are numbers (aligned right), and their
 * least widths; a translated header may make one wider. */
enum { BENCH_COLUMNS = 12 };
static const gboolean bench_right[BENCH_COLUMNS] = { TRUE, FALSE, FALSE, FALSE, FALSE, TRUE,
                                                     TRUE, TRUE, TRUE, TRUE, TRUE, TRUE };
static const guint bench_least[BENCH_COLUMNS] = { 5, 16, 0, 20, 9, 4, 9, 8, 8, 10, 10, 9 };
static const char *bench_gap[BENCH_COLUMNS] = { "", "  ", "  ", "  ", " ", " ", " ", " ", " ",
                                                " ", " ", " " };

static void
print_bench_cells (const char *const *cells,
                   const guint       *widths,
                   const char        *tail)
{
  GString *line = g_string_new (NULL);

  for (guint i = 0; i < BENCH_COLUMNS; i++)
    {
      g_autofree char *cell = bench_right[i] ? pad_text_start (cells[i], widths[i])
                                             : pad_text (cells[i], widths[i]);

      g_string_append (line, bench_gap[i]);
      g_string_append (line, cell);
    }
  g_string_append (line, tail);
  g_print ("%s\n", line->str);
  g_string_free (line, TRUE);
}

static void
print_bench_row (const HearthBenchResult *r,
                 const guint             *widths)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, r->id);
  g_autofree char *when = format_time (r->created_ms);
  g_autofree char *runs = g_strdup_printf ("%u", r->runs);
  g_autofree char *load = format_figure (r->load_ms);
  g_autofree char *t50 = format_figure (r->ttft_p50_ms);
  g_autofree char *t95 = format_figure (r->ttft_p95_ms);
  g_autofree char *prompt = format_figure (r->prompt_tps_median);
  g_autofree char *decode = format_figure (r->decode_tps_median);
  g_autofree char *change = isnan (r->change_percent) ? g_strdup ("")
                            : g_strdup_printf ("%+.1f %%", r->change_percent);
  const char *cells[BENCH_COLUMNS] = { id, when, bench_server (r), r->model,
                                       hearth_bench_state_to_string (r->state), runs, load, t50,
                                       t95, prompt, decode, change };

  print_bench_cells (cells, widths, r->regression ? "  REGRESSION" : "");
}

static int
bench_list (GSettings *settings)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GPtrArray) results = NULL;
  /* Translators: column headers of hearth-cli bench list: the run's number,
   * when it ran, the server, the model, the run's state, how many runs, the
   * model's load time, time to first token (median, 95th percentile), prompt
   * and decode speed in tokens a second, and the change against the run
   * before */
  const char *headers[BENCH_COLUMNS] = {
    C_("column header", "run"), C_("column header", "time"), C_("column header", "server"),
    C_("column header", "model"), C_("column header", "state"), C_("column header", "runs"),
    C_("column header", "load ms"), C_("column header", "ttft p50"),
    C_("column header", "ttft p95"), C_("column header", "prompt t/s"),
    C_("column header", "decode t/s"), C_("column header", "change")
  };
  guint widths[BENCH_COLUMNS];
  Cli cli = { 0 };

  if ((engine = open_engine (settings, HEARTH_ENGINE_HISTORY, &error)) == NULL)
    return fail (error);
  hearth_engine_list_bench_results_async (engine, opt_model, NULL, keep_result, &cli);
  run_loop (&cli);
  results = hearth_engine_list_bench_results_finish (engine, cli.result, &error);
  g_clear_object (&cli.result);
  if (results == NULL)
    return fail (error);
  if (opt_json)
    {
      g_autoptr(JsonArray) array = json_array_new ();
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);

      for (guint i = 0; i < results->len; i++)
        json_array_add_element (array,
                                hearth_bench_result_to_json (g_ptr_array_index (results, i)));
      json_node_set_array (root, array);
      print_json (root);
      return 0;
    }
  for (guint i = 0; i < BENCH_COLUMNS; i++)
    widths[i] = column_width (headers[i], bench_least[i]);
  for (guint i = 0; i < results->len; i++)
    widths[2] = MAX (widths[2],
                     g_utf8_strlen (bench_server (g_ptr_array_index (results, i)), -1));
  print_bench_cells (headers, widths, "");
  for (guint i = 0; i < results->len; i++)
    print_bench_row (g_ptr_array_index (results, i), widths);
  return 0;
}

/* bench show RUN: one stored run, as bench printed it */
static int
bench_show (GSettings  *settings,
            const char *run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GPtrArray) results = NULL;
  Cli cli = { 0 };
  gint64 id;

  if (!parse_whole_number (_("bench show"), run, 1, G_MAXINT64, &id, &error))
    return usage_error ("bench", error->message);
  if ((engine = open_engine (settings, HEARTH_ENGINE_HISTORY, &error)) == NULL)
    return fail (error);
  hearth_engine_list_bench_results_async (engine, NULL, NULL, keep_result, &cli);
  run_loop (&cli);
  results = hearth_engine_list_bench_results_finish (engine, cli.result, &error);
  g_clear_object (&cli.result);
  if (results == NULL)
    return fail (error);
  for (guint i = 0; i < results->len; i++)
    {
      HearthBenchResult *r = g_ptr_array_index (results, i);

      if (r->id != id)
        continue;
      if (opt_json)
        print_bench_json (r);
      else
        {
          g_autofree char *when = format_time (r->created_ms);

          g_print (_("Run:                 #%" PRId64 ", %s, %s\n"), r->id, when,
                   hearth_bench_state_to_string (r->state));
          print_bench_result (r);
        }
      return 0;
    }
  g_printerr (_("hearth-cli: There is no benchmark run #%" PRId64 ". hearth-cli bench "
                "list shows the stored runs.\n"), id);
  return EXIT_NOT_FOUND;
}

int
hearth_cli_command_bench (int    argc,
                          char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  int exit_code = 0;

  if (!parse_options ("bench", N_("[list | show RUN]"), bench_entries, TRUE, &argc, &argv,
                      &exit_code))
    return exit_code;
  if (argc == 4 && g_str_equal (argv[2], "show"))
    return bench_show (settings, argv[3]);
  if (argc > 3 || (argc == 3 && !g_str_equal (argv[2], "list")))
    return usage_error ("bench", _("Use bench to measure a model, bench list for the stored runs "
                                   "or bench show RUN for one of them"));
  if (argc == 3)
    return bench_list (settings);
  return bench_run (settings);
}
