/* hearth-cli-models.c — hearth-cli models, pull, show, ps, unload and rm: the server's models
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include <math.h>

#include "hearth-cli-private.h"
#include "hearth-endpoint.h"

/* Starts one question to the server about @model (NULL for none). */
typedef void (*ModelCall) (HearthProvider      *provider,
                           const char          *model,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data);

/* Why Hearth loaded each model, as the history says (the app or another
 * hearth-cli may have preloaded it): read once before ps prints. What cannot
 * be read only leaves the reasons out. */
static void
read_load_reasons (Cli *cli)
{
  HearthTuning *tuning = hearth_engine_get_tuning (cli->engine);
  g_autoptr(GPtrArray) patterns = NULL;

  hearth_tuning_list_usage_async (tuning, cli->cancellable, keep_result, cli);
  run_loop (cli);
  patterns = hearth_tuning_list_usage_finish (tuning, cli->result, NULL);
  g_clear_object (&cli->result);
}

/**
 * run_model_command:
 * @parameter: "MODEL" for a command that names one, or %NULL for none
 * @missing: the usage error when the arguments do not fit
 *
 * What models, show, ps, unload and rm share: the server options, the
 * server, and one call whose @callback prints and quits.
 */
static int
run_model_command (const char           *command,
                   const char           *parameter,
                   const char           *missing,
                   int                   argc,
                   char                **argv,
                   ModelCall             call,
                   GAsyncReadyCallback   callback)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  HearthProvider *provider;
  Cli cli = { 0 };
  int exit_code = 0;

  if (!parse_options (command, parameter, NULL, TRUE, &argc, &argv, &exit_code))
    return exit_code;
  if (parameter != NULL ? argc != 3 : argc > 2)
    return usage_error (command, _(missing));
  if (parameter != NULL && !check_text (_("The model name"), argv[2], strlen (argv[2]), &exit_code))
    return exit_code;
  /* ps says why Hearth loaded a model, which the history keeps */
  provider = g_str_equal (command, "ps") ? open_provider_maybe_history (settings, &engine, &error)
                                         : open_provider (settings, 0, &engine, &error);
  if (provider == NULL)
    return fail (error);

  cli.json = opt_json;
  cli.engine = engine;
  cli.cancellable = g_cancellable_new ();
  if (g_str_equal (command, "ps") && hearth_engine_has_history (engine))
    read_load_reasons (&cli);
  call (provider, parameter != NULL ? argv[2] : NULL, cli.cancellable, callback, &cli);
  run_loop (&cli);
  g_clear_object (&cli.cancellable);
  return cli.exit_code;
}

/* How a list from the server prints: JSON, a table, or a line when it is empty. */
typedef struct
{
  HearthJsonAddFunc   add_json;
  const char         *empty;
  CliTable         *(*new_table) (void);
  GFunc               add_row;   /* (item, the CliTable) */
} ModelTable;

/* The callback's end: quits the loop and prints @items, or fails with @error. */
static void
print_table (Cli              *cli,
             GPtrArray        *items,
             const GError     *error,
             const ModelTable *table)
{
  g_main_loop_quit (cli->loop);
  if (items == NULL)
    cli->exit_code = fail (error);
  else if (cli->json)
    print_json_list (items, table->add_json);
  else if (items->len == 0)
    /* Translators: an error message (a whole sentence) after the program's name */
    g_printerr (_("hearth-cli: %s\n"), _(table->empty));
  else
    {
      g_autoptr(CliTable) printed = table->new_table ();

      g_ptr_array_foreach (items, table->add_row, printed);
      cli_table_print (printed);
    }
}

/* models */

static void
add_model_json (JsonBuilder     *builder,
                HearthModelInfo *info)
{
  hearth_json_add_string (builder, "name", info->name);
  hearth_json_add_int (builder, "size", info->size);
  hearth_json_add_string (builder, "parameter_size", info->parameter_size);
  hearth_json_add_string (builder, "quantization", info->quantization);
  hearth_json_add_string (builder, "family", info->family);
  hearth_json_add_string (builder, "digest", info->digest);
}

static CliTable *
new_model_table (void)
{
  /* Translators: column headers of hearth-cli models: the model's name, its
   * size on disk, how many parameters it has, how they are quantized */
  return cli_table_new (4, 1 << 1 | 1 << 2, C_("column header", "NAME"),
                        C_("column header", "SIZE"), C_("column header", "PARAMETERS"),
                        C_("column header", "QUANTIZATION"));
}

static void
add_model_row (HearthModelInfo *info,
               CliTable        *table)
{
  g_autofree char *size = info->size >= 0 ? g_format_size (info->size) : NULL;

  cli_table_add (table, info->name, size, info->parameter_size, info->quantization);
}

static const ModelTable model_table = {
  (HearthJsonAddFunc) add_model_json,
  N_("The server has no models. Pull one with hearth-cli pull MODEL."),
  new_model_table,
  (GFunc) add_model_row,
};

static void
models_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = hearth_provider_list_models_finish (HEARTH_PROVIDER (object),
                                                                    result, &error);

  print_table (user_data, models, error, &model_table);
}

static void
list_models (HearthProvider      *provider,
             const char          *model,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  hearth_provider_list_models_async (provider, cancellable, callback, user_data);
}

int
hearth_cli_command_models (int    argc,
                           char **argv)
{
  return run_model_command ("models", NULL, N_("models takes no arguments"), argc, argv,
                            list_models, models_cb);
}

/* pull */

static char *
format_eta (double seconds)
{
  guint s = (guint) seconds;

  if (s >= 3600)
    return g_strdup_printf ("%u:%02u:%02u", s / 3600, (s / 60) % 60, s % 60);
  return g_strdup_printf ("%u:%02u", s / 60, s % 60);
}

static void
on_pull_progress (const char *status,
                  gint64      completed,
                  gint64      total,
                  gpointer    user_data)
{
  Cli *cli = user_data;
  gint64 now = g_get_monotonic_time ();
  gboolean tty = output_is_terminal (OUTPUT_STDERR);
  double elapsed = (now - cli->pull_started_us) / 1e6;
  double speed = elapsed > 0 ? completed / elapsed : 0;
  g_autofree char *done = g_format_size (completed);
  g_autofree char *all = total > 0 ? g_format_size (total) : g_strdup ("?");
  g_autofree char *rate = g_format_size ((guint64) speed);
  g_autofree char *eta = NULL;

  if (g_str_has_prefix (status, "pulling ") && !g_str_equal (status, "pulling manifest") && total > 0)
    {
      /* At most four lines a second, and one per status on a pipe. */
      if (now - cli->last_report_us < 250000 && completed < total)
        return;
      if (!tty && now - cli->last_report_us < 1000000 && completed < total)
        return;
      cli->last_report_us = now;
      eta = speed > 0 ? format_eta ((total - completed) / speed) : g_strdup ("?");
      output_control (OUTPUT_STDERR, "\r\033[K");
      g_printerr (_("pulling %5.1f%%  %s / %s  %s/s  ETA %s%s"), 100.0 * completed / total, done,
                  all, rate, eta, tty ? "" : "\n");
      return;
    }
  if (g_strcmp0 (cli->last_status, status) == 0)
    return;
  hearth_set_str (&cli->last_status, status);
  if (cli->last_report_us)
    output_control (OUTPUT_STDERR, "\r\033[K");
  g_printerr ("%s\n", status);
}

static void
pull_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;

  g_main_loop_quit (cli->loop);
  if (hearth_provider_pull_finish (HEARTH_PROVIDER (object), result, &error))
    return;
  if (cli->interrupted)
    {
      g_printerr (_("\nhearth-cli: Interrupted. Pull the model again to resume.\n"));
      cli->exit_code = EXIT_INTERRUPTED;
      return;
    }
  cli->exit_code = fail (error);
}

int
hearth_cli_command_pull (int    argc,
                         char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  HearthProvider *provider;
  Cli cli = { 0 };
  int exit_code = 0;

  if (!parse_options ("pull", N_("MODEL"), NULL, TRUE, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 3)
    return usage_error ("pull", _("Name one model to pull, for example llama3.2:1b"));
  if (!check_text (_("The model name"), argv[2], strlen (argv[2]), &exit_code))
    return exit_code;
  if ((provider = open_provider (settings, 0, &engine, &error)) == NULL)
    return fail (error);
  if (!(hearth_provider_get_features (provider) & HEARTH_PROVIDER_CAN_PULL))
    return usage_error ("pull", _("Only Ollama servers can pull models: use --api ollama"));

  cli.cancellable = g_cancellable_new ();
  cli.pull_started_us = g_get_monotonic_time ();
  hearth_provider_pull_async (provider, argv[2], on_pull_progress, &cli, cli.cancellable,
                              pull_cb, &cli);
  run_loop (&cli);
  g_clear_object (&cli.cancellable);
  g_free (cli.last_status);
  return cli.exit_code;
}

/* show */

/* What the server did not say */
static const char *
unknown (void)
{
  /* Translators: a value hearth-cli show and ps print when the server did
   * not say (a model's family, context length, when it unloads…) */
  return C_("model detail", "unknown");
}

static char *
format_parameters (const HearthModelDetails *details)
{
  if (details->parameter_size != NULL && details->parameter_count > 0)
    return g_strdup_printf ("%s (%" G_GINT64_FORMAT ")", details->parameter_size,
                            details->parameter_count);
  if (details->parameter_size != NULL)
    return g_strdup (details->parameter_size);
  if (details->parameter_count > 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT, details->parameter_count);
  return g_strdup (unknown ());
}

static void
print_details (const HearthModelDetails *details)
{
  g_autofree char *parameters = format_parameters (details);
  g_autofree char *context = details->context_length > 0
                             ? g_strdup_printf ("%" G_GINT64_FORMAT, details->context_length)
                             : g_strdup (unknown ());
  g_autofree char *capabilities = details->capabilities == NULL ? g_strdup (unknown ())
                                  : details->capabilities[0] == NULL
                                  /* Translators: hearth-cli show: a model with no capabilities */
                                  ? g_strdup (C_("capabilities", "none"))
                                  : g_strjoinv (", ", details->capabilities);

  /* Translators: the labels of hearth-cli show, before the model's
   * details; they are lined up */
  g_autoptr(CliTable) table = cli_table_new (2, 0, _("Name:"),
                                             details->name ? details->name : unknown ());

  cli_table_add (table, _("Family:"), details->family ? details->family : unknown ());
  cli_table_add (table, _("Parameters:"), parameters);
  cli_table_add (table, _("Quantization:"),
                 details->quantization ? details->quantization : unknown ());
  cli_table_add (table, _("Format:"), details->format ? details->format : unknown ());
  cli_table_add (table, _("Context length:"), context);
  cli_table_add (table, _("Capabilities:"), capabilities);
  cli_table_print (table);
}

static void
add_details_json (JsonBuilder        *builder,
                  HearthModelDetails *details)
{
  hearth_json_add_string (builder, "name", details->name);
  hearth_json_add_string (builder, "family", details->family);
  hearth_json_add_string (builder, "parameter_size", details->parameter_size);
  hearth_json_add_int (builder, "parameter_count", details->parameter_count);
  hearth_json_add_string (builder, "quantization", details->quantization);
  hearth_json_add_string (builder, "format", details->format);
  hearth_json_add_int (builder, "context_length", details->context_length);
  json_builder_set_member_name (builder, "capabilities");
  if (details->capabilities == NULL)
    json_builder_add_null_value (builder);
  else
    {
      json_builder_begin_array (builder);
      for (guint i = 0; details->capabilities[i] != NULL; i++)
        json_builder_add_string_value (builder, details->capabilities[i]);
      json_builder_end_array (builder);
    }
  hearth_json_add_string (builder, "license", details->license);
}

static void
show_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthModelDetails) details = hearth_provider_show_finish (HEARTH_PROVIDER (object),
                                                                       result, &error);

  g_main_loop_quit (cli->loop);
  if (details == NULL)
    cli->exit_code = fail (error);
  else if (cli->json)
    print_json_object (details, (HearthJsonAddFunc) add_details_json);
  else
    print_details (details);
}

int
hearth_cli_command_show (int    argc,
                         char **argv)
{
  return run_model_command ("show", N_("MODEL"),
                            N_("Name one model to show, for example llama3.2:1b"),
                            argc, argv, hearth_provider_show_async, show_cb);
}

/* ps */

static char *
format_expiry (const char *expires_at)
{
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (expires_at == NULL)
    return g_strdup (unknown ());
  if ((when = g_date_time_new_from_iso8601 (expires_at, NULL)) == NULL)
    return g_strdup (expires_at);
  local = g_date_time_to_local (when);
  /* Translators: a date and time in a table, see g_date_time_format() */
  return g_date_time_format (local, _("%Y-%m-%d %H:%M"));
}

static char *
format_loaded_size (gint64 size)
{
  return size >= 0 ? g_format_size (size) : g_strdup (unknown ());
}

/* Why Hearth loaded it ("preloaded by you"), or NULL: ps's callbacks know
 * no Cli, so the engine is kept here for the one command that runs. */
static HearthEngine *ps_engine;

static const char *
load_reason (const HearthLoadedModel *model)
{
  if (ps_engine == NULL)
    return NULL;
  return hearth_tuning_get_load_reason (hearth_engine_get_tuning (ps_engine), model->name);
}

static void
add_loaded_json (JsonBuilder       *builder,
                 HearthLoadedModel *model)
{
  double percent = hearth_loaded_model_vram_percent (model);

  hearth_json_add_string (builder, "name", model->name);
  hearth_json_add_int (builder, "size", model->size);
  hearth_json_add_int (builder, "size_vram", model->size_vram);
  hearth_json_add_double (builder, "vram_percent", isnan (percent) ? -1 : percent);
  hearth_json_add_int (builder, "context_length", model->context_length);
  hearth_json_add_string (builder, "expires_at", model->expires_at);
  hearth_json_add_string (builder, "reason", load_reason (model));
}

static CliTable *
new_loaded_table (void)
{
  /* Translators: column headers of hearth-cli ps: the model's name, the
   * memory it takes, how much of it is on the graphics card, that share,
   * when the server unloads it, and why it was loaded */
  return cli_table_new (6, 1 << 1 | 1 << 2 | 1 << 3, C_("column header", "NAME"),
                        C_("column header", "SIZE"), C_("column header", "VRAM"),
                        C_("column header", "IN VRAM"), C_("column header", "EXPIRES"),
                        C_("column header", "WHY LOADED"));
}

static void
add_loaded_row (const HearthLoadedModel *model,
                CliTable                *table)
{
  double percent = hearth_loaded_model_vram_percent (model);
  g_autofree char *size = format_loaded_size (model->size);
  g_autofree char *vram = format_loaded_size (model->size_vram);
  g_autofree char *share = isnan (percent) ? g_strdup (unknown ()) : g_strdup_printf ("%.0f%%", percent);
  g_autofree char *expires = format_expiry (model->expires_at);

  cli_table_add (table, model->name, size, vram, share, expires, load_reason (model));
}

static const ModelTable loaded_table = {
  (HearthJsonAddFunc) add_loaded_json,
  N_("No model is loaded."),
  new_loaded_table,
  (GFunc) add_loaded_row,
};

static void
ps_cb (GObject      *object,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) loaded = hearth_provider_list_loaded_finish (HEARTH_PROVIDER (object),
                                                                    result, &error);

  ps_engine = ((Cli *) user_data)->engine;
  print_table (user_data, loaded, error, &loaded_table);
  ps_engine = NULL;
}

static void
list_loaded (HearthProvider      *provider,
             const char          *model,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  hearth_provider_list_loaded_async (provider, cancellable, callback, user_data);
}

int
hearth_cli_command_ps (int    argc,
                       char **argv)
{
  return run_model_command ("ps", NULL,
                            N_("ps takes no arguments"), argc, argv, list_loaded, ps_cb);
}

/* unload and rm: quiet when done, like the history's delete */

static void
unload_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;

  g_main_loop_quit (cli->loop);
  if (!hearth_provider_unload_finish (HEARTH_PROVIDER (object), result, &error))
    cli->exit_code = fail (error);
}

int
hearth_cli_command_unload (int    argc,
                           char **argv)
{
  return run_model_command ("unload", N_("MODEL"),
                            N_("Name one model to unload, for example llama3.2:1b"),
                            argc, argv, hearth_provider_unload_async, unload_cb);
}

static void
rm_cb (GObject      *object,
       GAsyncResult *result,
       gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;

  g_main_loop_quit (cli->loop);
  if (!hearth_provider_delete_finish (HEARTH_PROVIDER (object), result, &error))
    cli->exit_code = fail (error);
}

int
hearth_cli_command_rm (int    argc,
                       char **argv)
{
  return run_model_command ("rm", N_("MODEL"),
                            N_("Name one model to delete, for example llama3.2:1b"),
                            argc, argv, hearth_provider_delete_async, rm_cb);
}
