/* hearth-cli-tune.c — hearth-cli tune and preload: find the fastest options for a model on
 * this machine, undo them, load a model ahead of use
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tuner is the engine's (hearth_tuning_new_tuner): the same search, trials
 * and stored runs as the app's tuner dialog. Trials are told on standard error
 * as they finish; the result goes to standard output.
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include <inttypes.h>

#include "hearth-cli-private.h"
#include "hearth-endpoint.h"
#include "hearth-error.h"

static gint64   opt_budget;
static gboolean opt_variants;
static gboolean opt_apply;
static gint64   opt_apply_run;
static gboolean opt_rollback;
static char    *opt_keep_alive;

static gboolean
parse_budget (const char  *option,
              const char  *value,
              gpointer     data,
              GError     **error)
{
  return parse_whole_number ("--budget", value, 1, 100, &opt_budget, error);
}

static gboolean
parse_apply_run (const char  *option,
                 const char  *value,
                 gpointer     data,
                 GError     **error)
{
  return parse_whole_number ("--apply-run", value, 1, G_MAXINT64, &opt_apply_run, error);
}

static const GOptionEntry tune_entries[] = {
  { "budget", 'b', G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, parse_budget,
    N_("The most trials to run, 1 to 100 (default 12)"), N_("TRIALS") },
  { "variants", 0, 0, G_OPTION_ARG_NONE, &opt_variants,
    N_("Also try the model's other installed quantizations"), NULL },
  { "apply", 0, 0, G_OPTION_ARG_NONE, &opt_apply,
    N_("Use the best options for this model from now on (the ones before are kept for "
       "--rollback)"), NULL },
  { "apply-run", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, parse_apply_run,
    N_("Apply the best options of an earlier tuning run of this model, without tuning again"),
    N_("RUN") },
  { "rollback", 0, 0, G_OPTION_ARG_NONE, &opt_rollback,
    N_("Go back to the options the model had before its last applied tuning"), NULL },
  { NULL }
};

static const GOptionEntry preload_entries[] = {
  { "keep-alive", 'k', 0, G_OPTION_ARG_FILENAME, &opt_keep_alive,
    N_("How long the model stays in memory after its last use: 90s, 30m, 2h, forever "
       "(default: the model's keep_alive option, else the server's)"), N_("DURATION") },
  { NULL }
};

/* tune: the trials as they finish */

typedef struct
{
  Cli         *cli;
  HearthTuner *tuner;
  const char  *model;
  gboolean     line_open;   /* a "measuring…" line on the terminal waits for its end */
} TuneProgress;

/* "num_thread=2 num_batch=256", with the variant's name when it is another model */
static char *
describe_trial_options (const HearthTuneTrial *trial,
                        const char            *model)
{
  g_autofree char *options = format_speed_options (trial->options);

  if (trial->model != NULL && g_strcmp0 (trial->model, model) != 0)
    return g_strdup_printf ("%s %s", trial->model, options);
  return g_steal_pointer (&options);
}

static void
on_trial_started (HearthTuner      *tuner,
                  guint             index,
                  HearthRunOptions *options,
                  TuneProgress     *progress)
{
  g_autofree char *text = NULL;

  if (!output_is_terminal (OUTPUT_STDERR))
    return;
  text = format_speed_options (options);
  output_control (OUTPUT_STDERR, "\r\033[K");
  g_printerr (_("trial %u/%u  %s  measuring…"), index, hearth_tuner_get_n_planned (tuner), text);
  progress->line_open = TRUE;
}

/* "trial 3/12  num_thread=2 num_batch=256  21.4 tok/s  ttft 120 ms" */
static void
on_trial_finished (HearthTuner     *tuner,
                   HearthTuneTrial *trial,
                   TuneProgress    *progress)
{
  g_autofree char *options = describe_trial_options (trial, progress->model);
  g_autoptr(GString) line = g_string_new (NULL);

  g_string_append_printf (line, _("trial %u/%u  %s  "), trial->index,
                          MAX (hearth_tuner_get_n_planned (tuner), trial->index), options);
  switch (trial->state)
    {
    case HEARTH_TUNE_TRIAL_MEASURED:
      if (trial->decode_tps >= 0)
        g_string_append_printf (line, _("%.1f tok/s"), trial->decode_tps);
      else
        g_string_append (line, _("speed unknown"));
      if (trial->ttft_ms >= 0)
        g_string_append_printf (line, _("  ttft %.0f ms"), trial->ttft_ms);
      if (trial->spilled)
        g_string_append (line, _("  spills to the CPU"));
      if (trial->best)
        g_string_append (line, _("  best so far"));
      break;
    case HEARTH_TUNE_TRIAL_FAILED:
      g_string_append_printf (line,
                              _("failed: %s"), trial->error != NULL ? trial->error : "unknown");
      break;
    case HEARTH_TUNE_TRIAL_SKIPPED:
    default:
      g_string_append_printf (line, _("skipped: %s"), trial->error != NULL ? trial->error : "");
      break;
    }
  g_strdelimit (line->str, "\r\n", ' ');
  if (progress->line_open)
    output_control (OUTPUT_STDERR, "\r\033[K");
  progress->line_open = FALSE;
  g_printerr ("%s\n", line->str);
}

/* tune: the result */

static const char *
trial_note (const HearthTuneTrial *trial)
{
  if (trial->state == HEARTH_TUNE_TRIAL_FAILED)
    return "failed";
  if (trial->state == HEARTH_TUNE_TRIAL_SKIPPED)
    return "skipped";
  if (trial->spilled)
    return "spills";
  return "";
}

/* "2.0 GB" right-aligned in @width characters (g_format_size() puts a
 * no-break space, two bytes, between the figure and the unit) */
static char *
format_bytes (gint64 bytes,
              guint  width)
{
  g_autofree char *text = bytes < 0 ? g_strdup ("") : g_format_size (bytes);
  glong len = g_utf8_strlen (text, -1);

  return g_strdup_printf ("%*s%s", (int) MAX ((glong) width - len, 0), "", text);
}

static void
print_trials (const HearthTuneResult *result)
{
  g_print ("%5s  %-40s %10s %10s %8s %10s %10s  %s\n", "TRIAL", "OPTIONS", "DECODE t/s",
           "PROMPT t/s", "TTFT ms", "PEAK RAM", "PEAK VRAM", "NOTE");
  for (guint i = 0; result->trials != NULL && i < result->trials->len; i++)
    {
      const HearthTuneTrial *trial = g_ptr_array_index (result->trials, i);
      g_autofree char *options = describe_trial_options (trial, result->model);
      g_autofree char *decode = format_figure (trial->decode_tps);
      g_autofree char *prompt = format_figure (trial->prompt_tps);
      g_autofree char *ttft = format_figure (trial->ttft_ms);
      g_autofree char *ram = format_bytes (trial->peak_ram, 10);
      g_autofree char *vram = format_bytes (trial->peak_vram, 10);
      const char *note = trial->index == result->best_index ? "best" : trial_note (trial);

      g_autofree char *row = g_strdup_printf ("%5u  %-40s %10s %10s %8s %s %s  %s",
                                              trial->index, options, decode, prompt, ttft, ram,
                                              vram, note);

      g_print ("%s\n", g_strchomp (row));
    }
}

static const HearthTuneTrial *
find_trial (const HearthTuneResult *result,
            guint                   index)
{
  for (guint i = 0; result->trials != NULL && i < result->trials->len; i++)
    {
      const HearthTuneTrial *trial = g_ptr_array_index (result->trials, i);

      if (trial->index == index)
        return trial;
    }
  return NULL;
}

static void
print_result_text (const HearthTuneResult *result,
                   gboolean                applied,
                   gboolean                saved)
{
  const HearthTuneTrial *best = find_trial (result, result->best_index);
  g_autofree char *baseline = format_speed_options (result->baseline);
  g_autofree char *winner = format_speed_options (result->best);
  guint n_trials = result->trials != NULL ? result->trials->len : 0;

  print_trials (result);
  g_print ("\n");
  g_print (_("Model:         %s\n"), result->model);
  /* Translators: the first %s is the search method; the last is empty or
   * ", cancelled before the end" */
  g_print (ngettext ("Search:        %s, %u trial%s\n", "Search:        %s, %u trials%s\n", n_trials),
           result->method != NULL ? result->method : "?", n_trials,
           result->cancelled ? _(", cancelled before the end") : "");
  if (result->baseline_decode_tps >= 0)
    g_print (_("Before:        %s  %.1f tok/s\n"), baseline, result->baseline_decode_tps);
  else
    g_print (_("Before:        %s\n"), baseline);
  if (best == NULL || result->best_decode_tps < 0)
    g_print (_("Best:          none measured\n"));
  else if (result->best != NULL && result->baseline != NULL &&
           hearth_run_options_equal (result->best, result->baseline))
    g_print (_("Best:          trial %u, the options it has  %.1f tok/s\n"), result->best_index,
             result->best_decode_tps);
  else if (result->baseline_decode_tps > 0)
    g_print (_("Best:          trial %u, %s  %.1f tok/s (%+.0f %% decode speed, measured)\n"),
             result->best_index, winner, result->best_decode_tps,
             100.0 * (result->best_decode_tps / result->baseline_decode_tps - 1));
  else
    g_print (_("Best:          trial %u, %s  %.1f tok/s\n"), result->best_index, winner,
             result->best_decode_tps);
  if (result->explanation != NULL)
    g_print (_("Why:           %s\n"), result->explanation);
  if (result->quantization_note != NULL)
    g_print (_("Quantization:  %s\n"), result->quantization_note);
  if (saved)
    g_print (_("Stored as tuning run #%" PRId64 ".\n"), result->run_id);

  if (result->cancelled)
    g_print (_("Cancelled: this is the best of the trials run, and nothing was applied.\n"));
  else if (applied)
    g_print (_("Applied: %s now runs with %s. hearth-cli tune %s --rollback undoes it.\n"),
             result->model, winner, result->model);
  else if (best != NULL && result->best != NULL && result->baseline != NULL &&
           hearth_run_options_equal (result->best, result->baseline))
    g_print (_("Nothing to apply: the options it has were the fastest measured.\n"));
  else if (best != NULL && saved)
    g_print (_("Not applied. Apply it with hearth-cli tune %s --apply-run %" PRId64
             ".\n"), result->model, result->run_id);
}

static void
print_result_json (const HearthTuneResult *result,
                   gboolean                applied,
                   gboolean                saved)
{
  g_autoptr(JsonNode) root = hearth_tune_result_to_json (result);

  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);

      json_object_set_boolean_member (object, "applied", applied);
      json_object_set_boolean_member (object, "saved", saved);
      if (saved)
        json_object_set_int_member (object, "run_id", result->run_id);
    }
  print_json (root);
}

static int
tune_run (HearthEngine          *engine,
          HearthProvider        *provider,
          const HearthModelInfo *info,
          Cli                   *cli)
{
  HearthTuning *tuning = hearth_engine_get_tuning (engine);
  g_autoptr(HearthSampler) sampler = start_sampler (provider);
  g_autoptr(HearthTuner) tuner = NULL;
  g_autoptr(HearthTuneResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) save_error = NULL;
  TuneProgress progress = { cli, NULL, info->name, FALSE };
  gboolean saved, applied = FALSE;

  tuner = hearth_tuning_new_tuner (tuning, provider, info->name, info->digest, (guint) opt_budget,
                                   opt_variants, sampler);
  progress.tuner = tuner;
  g_signal_connect (tuner, "trial-started", G_CALLBACK (on_trial_started), &progress);
  g_signal_connect (tuner, "trial-finished", G_CALLBACK (on_trial_finished), &progress);
  hearth_tuner_run_async (tuner, cli->cancellable, keep_result, cli);
  run_loop (cli);
  hearth_sampler_stop (sampler);
  if (progress.line_open)
    output_control (OUTPUT_STDERR, "\r\033[K");

  result = hearth_tuner_run_finish (tuner, cli->result, &error);
  g_clear_object (&cli->result);
  if (result == NULL)
    {
      if (cli->interrupted)
        {
          g_printerr (_("hearth-cli: Interrupted before a trial finished. Nothing was applied "
                        "or stored.\n"));
          return EXIT_INTERRUPTED;
        }
      return fail (error);
    }

  /* The run is kept either way: the app's tuner dialog lists it too. */
  saved = hearth_tuning_save_result (tuning, result, &save_error);
  if (saved && opt_apply && !result->cancelled)
    applied = hearth_tuning_apply_result (tuning, result, &save_error);
  if (opt_json)
    print_result_json (result, applied, saved);
  else
    print_result_text (result, applied, saved);
  if (output_failed ())
    return EXIT_OUTPUT;
  if (save_error != NULL)
    return fail (save_error);
  if (result->cancelled)
    {
      g_printerr (_("hearth-cli: Interrupted. The trials run so far were stored; nothing was "
                    "applied.\n"));
      return EXIT_INTERRUPTED;
    }
  return 0;
}

/* --apply-run: an earlier run's winner */

static int
tune_apply_run (HearthEngine          *engine,
                const HearthModelInfo *info,
                Cli                   *cli)
{
  HearthTuning *tuning = hearth_engine_get_tuning (engine);
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GError) error = NULL;
  HearthTuneResult *run = NULL;

  hearth_tuning_list_runs_async (tuning, info->name, cli->cancellable, keep_result, cli);
  run_loop (cli);
  runs = hearth_tuning_list_runs_finish (tuning, cli->result, &error);
  g_clear_object (&cli->result);
  if (runs == NULL)
    return cli->interrupted ? EXIT_INTERRUPTED : fail (error);
  for (guint i = 0; i < runs->len && run == NULL; i++)
    if (((HearthTuneResult *) g_ptr_array_index (runs, i))->run_id == opt_apply_run)
      run = g_ptr_array_index (runs, i);
  if (run == NULL)
    {
      g_printerr (_("hearth-cli: %s has no tuning run #%" PRId64 " on this machine. "
                    "Run hearth-cli tune %s to make one.\n"), info->name, opt_apply_run, info->name);
      return EXIT_NOT_FOUND;
    }
  if (!hearth_tuning_apply_result (tuning, run, &error))
    return fail (error);
  if (opt_json)
    print_result_json (run, TRUE, TRUE);
  else
    {
      g_autofree char *winner = format_speed_options (run->best);

      g_print (_("Applied: %s now runs with %s (tuning run #%" PRId64 "). "
                 "hearth-cli tune %s --rollback undoes it.\n"), info->name, winner, run->run_id,
               info->name);
    }
  return 0;
}

/* --rollback */

static int
tune_rollback (HearthEngine          *engine,
               const HearthModelInfo *info)
{
  HearthTuning *tuning = hearth_engine_get_tuning (engine);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthModelOptions) now = NULL;
  g_autofree char *options = NULL;

  if (!hearth_tuning_rollback (tuning, info->name, info->digest, &error))
    return fail (error);
  now = hearth_tuning_get_model_options (tuning, info->name, info->digest);
  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(HearthRunOptions) empty = hearth_run_options_new ();

      json_builder_begin_object (builder);
      hearth_json_add_string (builder, "model", info->name);
      json_builder_set_member_name (builder, "rolled_back");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_set_member_name (builder, "options");
      json_builder_add_value (builder,
                              hearth_run_options_to_json (now != NULL ? now->options : empty));
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      print_json (root);
      return 0;
    }
  if (now == NULL || hearth_run_options_is_empty (now->options))
    g_print (_("Rolled back: %s has no options of its own again; the profile's apply.\n"),
             info->name);
  else
    {
      options = format_speed_options (now->options);
      g_print (_("Rolled back: %s runs with its options from before the tuning again (%s).\n"),
               info->name, options);
    }
  return 0;
}

static gboolean
tune_options_fit (int *exit_code)
{
  if (opt_rollback && (opt_apply || opt_apply_run > 0 || opt_budget > 0 || opt_variants))
    {
      *exit_code = usage_error ("tune", _("--rollback goes alone: it tunes nothing"));
      return FALSE;
    }
  if (opt_apply_run > 0 && (opt_apply || opt_budget > 0 || opt_variants))
    {
      *exit_code = usage_error ("tune", _("--apply-run goes alone: it applies a stored run"));
      return FALSE;
    }
  return TRUE;
}

int
hearth_cli_command_tune (int    argc,
                         char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthModelInfo) info = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  HearthProvider *provider;
  Cli cli = { 0 };
  int exit_code = 0;

  if (!parse_options ("tune", N_("MODEL"), tune_entries, TRUE, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 3)
    return usage_error ("tune",
                        _("Name one model to tune, for example hearth-cli tune llama3.2:1b"));
  if (!check_text (_("The model name"), argv[2], strlen (argv[2]), &exit_code) ||
      !tune_options_fit (&exit_code))
    return exit_code;
  if ((provider = open_provider (settings, HEARTH_ENGINE_HISTORY, &engine, &error)) == NULL)
    return fail (error);

  cli.cancellable = cancellable;
  if ((info = find_server_model (&cli, provider, argv[2], &error)) == NULL)
    return cli.interrupted ? EXIT_INTERRUPTED : fail (error);
  if (opt_rollback)
    return tune_rollback (engine, info);
  if (opt_apply_run > 0)
    return tune_apply_run (engine, info, &cli);
  return tune_run (engine, provider, info, &cli);
}

/* preload */

/* --keep-alive by the options' own parser ("30m", "forever"); -1 forever,
 * 0 when not given (the model's resolved keep_alive) */
static gboolean
parse_keep_alive (double *seconds,
                  int    *exit_code)
{
  g_autoptr(HearthRunOptions) options = hearth_run_options_new ();
  g_autofree char *assignment = NULL;
  g_autoptr(GError) error = NULL;

  *seconds = 0;
  if (opt_keep_alive == NULL)
    return TRUE;
  assignment = g_strdup_printf ("keep_alive=%s", opt_keep_alive);
  if (!hearth_run_options_parse_assignment (options, assignment, &error))
    {
      fail (error);
      *exit_code = EXIT_USAGE;
      return FALSE;
    }
  *seconds = hearth_run_options_get (options, HEARTH_RUN_OPTION_KEEP_ALIVE);
  if (*seconds == 0)
    {
      *exit_code = usage_error ("preload", _("--keep-alive 0 would unload the model at once: "
                                "use hearth-cli unload MODEL for that"));
      return FALSE;
    }
  if (*seconds < 0)
    *seconds = -1;
  return TRUE;
}

/* "for 30m after its last use", or what the server decides */
static char *
describe_keep_alive (HearthTuning          *tuning,
                     HearthProvider        *provider,
                     const HearthModelInfo *info,
                     double                 seconds)
{
  g_autoptr(HearthResolvedOptions) resolved = NULL;
  g_autofree char *value = NULL;

  if (seconds == 0)
    {
      resolved = hearth_tuning_resolve (tuning, info->name, info->digest,
                                        hearth_provider_get_api (provider), NULL);
      if (!hearth_run_options_is_set (resolved->options, HEARTH_RUN_OPTION_KEEP_ALIVE))
        return g_strdup (_("as long as the server keeps models by default"));
      seconds = hearth_run_options_get (resolved->options, HEARTH_RUN_OPTION_KEEP_ALIVE);
    }
  if (seconds < 0)
    return g_strdup (_("until the server stops or you unload it"));
  value = hearth_run_option_format_value (HEARTH_RUN_OPTION_KEEP_ALIVE, seconds);
  return g_strdup_printf (_("for %s after its last use"), value);
}

int
hearth_cli_command_preload (int    argc,
                            char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthModelInfo) info = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *stays = NULL;
  HearthProvider *provider;
  HearthTuning *tuning;
  Cli cli = { 0 };
  double keep_alive_s;
  gint64 started_us;
  double load_s;
  int exit_code = 0;

  if (!parse_options ("preload", N_("MODEL"), preload_entries, TRUE, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 3)
    return usage_error ("preload", _("Name one model to load, for example "
                        "hearth-cli preload llama3.2:1b"));
  if (!check_text (_("The model name"), argv[2], strlen (argv[2]), &exit_code) ||
      !parse_keep_alive (&keep_alive_s, &exit_code))
    return exit_code;
  if ((provider = open_provider (settings, HEARTH_ENGINE_HISTORY, &engine, &error)) == NULL)
    return fail (error);

  cli.cancellable = cancellable;
  if ((info = find_server_model (&cli, provider, argv[2], &error)) == NULL)
    return cli.interrupted ? EXIT_INTERRUPTED : fail (error);
  tuning = hearth_engine_get_tuning (engine);
  started_us = g_get_monotonic_time ();
  hearth_tuning_preload_async (tuning, provider, info->name, keep_alive_s, _("preloaded by you"),
                               cancellable, keep_result, &cli);
  run_loop (&cli);
  load_s = (g_get_monotonic_time () - started_us) / 1e6;
  if (!hearth_tuning_preload_finish (tuning, cli.result, &error))
    {
      g_clear_object (&cli.result);
      if (cli.interrupted)
        {
          g_printerr (_("hearth-cli: Interrupted. The model may still be loading on the server.\n"));
          return EXIT_INTERRUPTED;
        }
      return fail (error);
    }
  g_clear_object (&cli.result);

  stays = describe_keep_alive (tuning, provider, info, keep_alive_s);
  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      hearth_json_add_string (builder, "model", info->name);
      json_builder_set_member_name (builder, "loaded");
      json_builder_add_boolean_value (builder, TRUE);
      hearth_json_add_double (builder, "seconds", load_s);
      hearth_json_add_number (builder, "keep_alive_s", keep_alive_s);
      hearth_json_add_string (builder, "stays", stays);
      hearth_json_add_string (builder, "reason", hearth_tuning_get_load_reason (tuning, info->name));
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      print_json (root);
    }
  else
    g_print (_("Loaded %s in %.1f s; it stays in memory %s.\n"), info->name, load_s, stays);
  return 0;
}
