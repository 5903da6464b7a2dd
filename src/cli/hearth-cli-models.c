/* hearth-cli-models.c — hearth-cli models and pull: what the server has, and getting more
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include <unistd.h>

#include "hearth-cli-private.h"
#include "hearth-endpoint.h"

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

static void
models_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = hearth_provider_list_models_finish (HEARTH_PROVIDER (object),
                                                                    result, &error);

  g_main_loop_quit (cli->loop);
  if (models == NULL)
    {
      cli->exit_code = fail (error);
      return;
    }

  if (cli->json)
    {
      print_json_list (models, (HearthJsonAddFunc) add_model_json);
      return;
    }

  if (models->len == 0)
    {
      g_printerr ("hearth-cli: The server has no models. Pull one with hearth-cli pull MODEL.\n");
      return;
    }
  g_print ("%-40s %10s %11s %s\n", "NAME", "SIZE", "PARAMETERS", "QUANTIZATION");
  for (guint i = 0; i < models->len; i++)
    {
      HearthModelInfo *info = g_ptr_array_index (models, i);
      g_autofree char *size = info->size >= 0 ? g_format_size (info->size) : g_strdup ("—");

      g_print ("%-40s %10s %11s %s\n", info->name, size,
               info->parameter_size ? info->parameter_size : "—",
               info->quantization ? info->quantization : "—");
    }
}

int
hearth_cli_command_models (int    argc,
                           char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  HearthProvider *provider;
  Cli cli = { 0 };
  int exit_code = 0;

  if (!parse_options ("models", NULL, NULL, TRUE, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 2)
    return usage_error ("models", "models takes no arguments");
  if ((provider = open_provider (settings, 0, &engine, &error)) == NULL)
    return fail (error);

  cli.json = opt_json;
  cli.cancellable = g_cancellable_new ();
  hearth_provider_list_models_async (provider, cli.cancellable, models_cb, &cli);
  run_loop (&cli);
  g_clear_object (&cli.cancellable);
  return cli.exit_code;
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
  gboolean tty = isatty (STDERR_FILENO);
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
      g_printerr ("%spulling %5.1f%%  %s / %s  %s/s  ETA %s%s", tty ? "\r\033[K" : "",
                  100.0 * completed / total, done, all, rate, eta, tty ? "" : "\n");
      return;
    }
  if (g_strcmp0 (cli->last_status, status) == 0)
    return;
  hearth_set_str (&cli->last_status, status);
  g_printerr ("%s%s\n", tty && cli->last_report_us ? "\r\033[K" : "", status);
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
      g_printerr ("\nhearth-cli: Interrupted. Pull the model again to resume.\n");
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

  if (!parse_options ("pull", "MODEL", NULL, TRUE, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 3)
    return usage_error ("pull", "Name one model to pull, for example llama3.2:1b");
  if ((provider = open_provider (settings, 0, &engine, &error)) == NULL)
    return fail (error);
  if (!(hearth_provider_get_features (provider) & HEARTH_PROVIDER_CAN_PULL))
    return usage_error ("pull", "Only Ollama servers can pull models: use --api ollama");

  cli.cancellable = g_cancellable_new ();
  cli.pull_started_us = g_get_monotonic_time ();
  hearth_provider_pull_async (provider, argv[2], on_pull_progress, &cli, cli.cancellable,
                              pull_cb, &cli);
  run_loop (&cli);
  g_clear_object (&cli.cancellable);
  g_free (cli.last_status);
  return cli.exit_code;
}
