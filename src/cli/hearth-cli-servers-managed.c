/* hearth-cli-servers-managed.c — hearth-cli servers add --managed, start, stop, logs, demo
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Servers Hearth runs itself (hearth-managed.h). Thin over HearthServers:
 * the core spawns, supervises, restarts and stops the processes and keeps
 * their pid and log files; this file only asks it and prints what happens,
 * one line per change of a process's state.
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include <glib-unix.h>
#include <signal.h>

#include "hearth-cli-private.h"
#include "hearth-error.h"

static char     *opt_managed;
static char     *opt_model_file;
static char     *opt_models_dir;
static char     *opt_command;
static gboolean  opt_keep;
static gboolean  opt_force;
static gboolean  opt_detach;
static gboolean  opt_follow;
static int       opt_lines = 50;
static gboolean  opt_lines_given;

static gboolean
parse_lines (const char  *option,
             const char  *value,
             gpointer     data,
             GError     **error)
{
  gint64 lines;

  if (!parse_whole_number ("--lines", value, 1, 100000, &lines, error))
    return FALSE;
  opt_lines = lines;
  opt_lines_given = TRUE;
  return TRUE;
}

const GOptionEntry servers_managed_entries[] = {
  { "managed", 0, 0, G_OPTION_ARG_FILENAME, &opt_managed,
    N_("add: Hearth runs the server itself: ollama, llama-server or engine (the project's "
       "test engine)"), N_("KIND") },
  { "model-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_model_file,
    N_("add --managed: the GGUF file it serves (llama-server: required)"), N_("FILE") },
  { "models-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_models_dir,
    N_("add --managed: its models folder (ollama: OLLAMA_MODELS; engine: --models)"), N_("DIR") },
  { "command", 0, 0, G_OPTION_ARG_FILENAME, &opt_command,
    N_("add --managed: the program to run, with leading arguments (default: ollama or "
       "llama-server found on PATH)"), N_("CMD") },
  { "keep", 0, 0, G_OPTION_ARG_NONE, &opt_keep,
    N_("add --managed: leave it running when Hearth quits"), NULL },
  { "force", 0, 0, G_OPTION_ARG_NONE, &opt_force,
    N_("add --managed: add it even when a server of that kind already runs here"), NULL },
  { "detach", 0, 0, G_OPTION_ARG_NONE, &opt_detach,
    N_("start, demo: leave it running once it answers, instead of watching it until Ctrl+C"),
    NULL },
  { "follow", 'f', 0, G_OPTION_ARG_NONE, &opt_follow,
    N_("logs: keep printing new lines until Ctrl+C"), NULL },
  { "lines", 'n', G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, parse_lines,
    N_("logs: how many of the last lines to print (default 50)"), N_("N") },
  { NULL }
};

gboolean
servers_managed_add_wanted (void)
{
  return opt_managed != NULL;
}

/* Each option only where it means something: anything else is a usage error. */
gboolean
servers_managed_options_fit (const char *sub,
                             int        *exit_code)
{
  gboolean add = g_str_equal (sub, "add");
  gboolean start = g_str_equal (sub, "start") || g_str_equal (sub, "demo");

  if (opt_managed == NULL &&
      (opt_model_file != NULL || opt_models_dir != NULL || opt_command != NULL || opt_keep ||
       opt_force))
    *exit_code = usage_error ("servers", _("--model-file, --models-dir, --command, --keep and "
                                           "--force are for servers add NAME --managed KIND"));
  else if (opt_managed != NULL && !add)
    *exit_code = usage_error ("servers", _("--managed is for servers add"));
  else if (opt_detach && !start)
    *exit_code = usage_error ("servers", _("--detach is for servers start and servers demo"));
  else if ((opt_follow || opt_lines_given) && !g_str_equal (sub, "logs"))
    *exit_code = usage_error ("servers", _("--follow and --lines are for servers logs"));
  else
    return TRUE;
  return FALSE;
}

/* add NAME --managed KIND */

static const char *
kind_title (HearthManagedKind kind)
{
  switch (kind)
    {
    case HEARTH_MANAGED_OLLAMA:
      return _("an Ollama server");
    case HEARTH_MANAGED_LLAMA_SERVER:
      return _("a llama.cpp server (llama-server)");
    case HEARTH_MANAGED_ENGINE:
      return _("the project's engine");
    case HEARTH_MANAGED_NONE:
    default:
      return _("a server");
    }
}

/* The address of the server of @kind that runs here unlisted, or NULL. */
static char *
find_unlisted (HearthServers     *servers,
               HearthManagedKind  kind)
{
  g_autoptr(GError) error = NULL;
  Cli cli = { 0 };
  char *url;

  hearth_servers_find_unlisted_async (servers, kind, NULL, keep_result, &cli);
  run_loop (&cli);
  url = hearth_servers_find_unlisted_finish (servers, cli.result, &error);
  g_clear_object (&cli.result);
  return url;
}

/* Not a second server fighting over the port: the one there, as a command. */
static int
fail_already_running (HearthServers     *servers,
                      const char        *name,
                      HearthManagedKind  kind,
                      const GError      *error)
{
  g_autofree char *url = find_unlisted (servers, kind);

  if (url == NULL)
    return fail (error);
  g_printerr (_("hearth-cli: %s is already running at %s and is not in your list. Add it "
                "instead with hearth-cli servers add %s --url %s%s, or run another one anyway "
                "with --force.\n"), kind == HEARTH_MANAGED_OLLAMA ? _("An Ollama server")
                                                              : _("A llama.cpp server"),
              url, name, url, kind == HEARTH_MANAGED_LLAMA_SERVER ? " --api openai" : "");
  return EXIT_FAILED;
}

/* Refused when one of that kind already answers here (unless --force). */
static HearthServer *
add_managed (HearthServers            *servers,
             const char               *name,
             const HearthManagedSpec  *spec,
             GError                  **error)
{
  Cli cli = { 0 };
  HearthServer *server;

  hearth_servers_add_managed_async (servers, name, spec, NULL, keep_result, &cli);
  run_loop (&cli);
  server = hearth_servers_add_managed_finish (servers, cli.result, error);
  g_clear_object (&cli.result);
  return server;
}

static int
check_model_file (void)
{
  g_autofree char *message = NULL;

  if (opt_model_file == NULL || g_file_test (opt_model_file, G_FILE_TEST_IS_REGULAR))
    return 0;
  message = g_strdup_printf (_("The model file %s does not exist or is not a file; give the path "
                               "of a .gguf file with --model-file"), opt_model_file);
  return usage_error ("servers", message);
}

int
servers_add_managed (HearthServers *servers,
                     const char    *name)
{
  g_autoptr(GError) error = NULL;
  HearthManagedSpec spec = { 0 };
  g_autoptr(HearthServer) server = NULL;
  int exit_code;

  if (!hearth_managed_kind_from_string (opt_managed, &spec.kind) ||
      spec.kind == HEARTH_MANAGED_NONE)
    {
      g_autofree char *message = g_strdup_printf (_("--managed takes ollama, llama-server or "
                                                    "engine, not “%s”"), opt_managed);
      return usage_error ("servers", message);
    }
  if (spec.kind == HEARTH_MANAGED_LLAMA_SERVER && opt_model_file == NULL)
    return usage_error ("servers", _("llama-server serves one model file: give it with "
                                     "--model-file FILE.gguf"));
  if (spec.kind == HEARTH_MANAGED_OLLAMA && opt_model_file != NULL)
    return usage_error ("servers", _("Ollama serves the models of its folder, not one file: use "
                                     "--models-dir DIR, or --managed llama-server --model-file"));
  if ((exit_code = check_model_file ()) != 0)
    return exit_code;
  spec.command = opt_command;
  spec.model_file = opt_model_file;
  spec.models_dir = opt_models_dir;
  spec.keep = opt_keep;
  spec.force = opt_force;

  server = add_managed (servers, name, &spec, &error);
  if (server == NULL && g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_ALREADY_RUNNING))
    return fail_already_running (servers, name, spec.kind, error);
  if (server == NULL)
    return fail (error);

  g_print (_("Added the server “%s”, %s Hearth runs itself, at %s (%s) to %s.\n"), name,
           kind_title (spec.kind), hearth_server_get_url (server),
           hearth_api_kind_to_string (hearth_server_get_api (server)),
           hearth_servers_get_path (servers));
  g_print (_("It is not running yet: start it with hearth-cli servers start %s (it runs until "
             "Ctrl+C; --detach leaves it running). Hearth and hearth-cli serve start it too.\n"),
           name);
  if (hearth_server_get_keep (server))
    g_print (_("It keeps running when Hearth quits (--keep); hearth-cli servers stop %s stops "
               "it.\n"), name);
  return 0;
}

/* start, stop: only a server Hearth runs */

static HearthServer *
lookup_managed (HearthServers *servers,
                const char    *sub,
                const char    *name,
                int           *exit_code)
{
  HearthServer *server = hearth_servers_lookup (servers, name);

  if (server == NULL)
    {
      *exit_code = fail_unknown_server (servers, name);
      return NULL;
    }
  if (hearth_server_get_managed (server) != HEARTH_MANAGED_NONE)
    return server;
  if (g_str_equal (sub, "logs"))
    g_printerr (_("hearth-cli: %s is not run by Hearth, so Hearth has no log of it; look at "
                  "the logs on its own computer.\n"), name);
  else if (g_str_equal (sub, "start"))
    /* Translators: the server's name, then its address */
    g_printerr (_("hearth-cli: %s is not run by Hearth; start it on its own computer (%s).\n"),
                name, hearth_server_get_url (server));
  else
    /* Translators: the server's name, then its address */
    g_printerr (_("hearth-cli: %s is not run by Hearth; stop it on its own computer (%s).\n"),
                name, hearth_server_get_url (server));
  *exit_code = EXIT_USAGE;
  return NULL;
}

typedef struct
{
  GMainLoop     *loop;
  HearthServers *servers;
  HearthServer  *server;
  GCancellable  *cancellable;
  GAsyncResult  *result;
  gboolean       interrupted;
  gboolean       gave_up;
} Start;

static gboolean
on_start_signal (gpointer user_data)
{
  Start *start = user_data;

  start->interrupted = TRUE;
  g_cancellable_cancel (start->cancellable);
  g_main_loop_quit (start->loop);
  return G_SOURCE_CONTINUE;
}

static void
start_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Start *start = user_data;

  g_set_object (&start->result, result);
  g_main_loop_quit (start->loop);
}

/* After each line: a crash loop given up, or a reader gone, ends the watch. */
static void
on_state_printed (gpointer server,
                  gpointer user_data)
{
  Start *start = user_data;

  if (hearth_server_get_process_state (server) == HEARTH_PROCESS_FAILED)
    start->gave_up = TRUE;
  if (start->gave_up || output_failed ())
    g_main_loop_quit (start->loop);
}

static void
print_kept_or_stop (Start *start)
{
  const char *name = hearth_server_get_name (start->server);

  if (hearth_server_get_keep (start->server) &&
      hearth_server_get_process_state (start->server) != HEARTH_PROCESS_STOPPED &&
      hearth_server_get_pid (start->server) > 0)
    g_print (_("%s: left running (pid %d): it is kept when Hearth quits; hearth-cli servers "
               "stop %s stops it.\n"), name, hearth_server_get_pid (start->server), name);
  hearth_servers_shutdown_managed (start->servers);
}

static void
print_running_elsewhere (HearthServer *server)
{
  const char *name = hearth_server_get_name (server);

  g_print (_("%s is already running at %s (pid %d). hearth-cli servers stop %s stops it.\n"),
           name, hearth_server_get_url (server), hearth_server_get_pid (server), name);
}

/* Started and answering: leave it running, and say how it ends. */
static int
finish_detached (Start *start)
{
  const char *name = hearth_server_get_name (start->server);

  g_print (_("%s: running at %s (pid %d).\n"), name, hearth_server_get_url (start->server),
           hearth_server_get_pid (start->server));
  g_print (_("It keeps running after this command; stop it with hearth-cli servers stop %s. "
             "Until Hearth or hearth-cli serve runs, nothing restarts it if it dies.\n"), name);
  return 0;
}

static void
stop_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **stopped = user_data;

  *stopped = g_object_ref (result);
}

/* "broken could not start: it exited with code 3 before answering: …; see
 * hearth-cli servers logs broken." — the core's sentence, and where to look */
static int
fail_start (HearthServer *server,
            const GError *error)
{
  const char *name = hearth_server_get_name (server);
  g_autoptr(GString) text = NULL;
  g_autofree char *lowered = NULL;

  if (!g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_FAILED) &&
      !g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_TIMEOUT))
    return fail (error);
  lowered = lower_first (error->message);
  text = g_string_new (lowered);
  g_strdelimit (text->str, "\r\n", ' ');
  while (text->len > 0 && text->str[text->len - 1] == '.')
    g_string_truncate (text, text->len - 1);
  g_printerr (_("hearth-cli: %s: %s; see hearth-cli servers logs %s.\n"), name, text->str, name);
  return EXIT_FAILED;
}

/* Runs the loop until the start finishes (or Ctrl+C); the sources are the caller's. */
static gboolean
wait_started (Start   *start,
              GError **error)
{
  /* detached: it outlives this command, its keep setting as it was */
  if (opt_detach)
    hearth_servers_start_detached_async (start->servers, hearth_server_get_name (start->server),
                                         start->cancellable, start_done, start);
  else
    hearth_servers_start_async (start->servers, hearth_server_get_name (start->server),
                                start->cancellable, start_done, start);
  g_main_loop_run (start->loop);
  if (start->result == NULL && start->interrupted)
    {
      g_autoptr(GAsyncResult) stopped = NULL;

      /* Ctrl+C before it answered: stopped, which ends the start too */
      hearth_servers_stop_async (start->servers, hearth_server_get_name (start->server), NULL,
                                 stop_done, &stopped);
      while (start->result == NULL || stopped == NULL)
        g_main_context_iteration (NULL, TRUE);
    }
  while (start->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return hearth_servers_start_finish (start->servers, start->result, error);
}

static int
run_start (HearthServers *servers,
           HearthServer  *server)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  ManagedWatch *watch = NULL;
  Start start = { loop, servers, server, cancellable, NULL, FALSE, FALSE };
  const char *name = hearth_server_get_name (server);
  guint sources[3];
  gboolean started;
  int exit_code = 0;

  if (hearth_server_get_process_state (server) == HEARTH_PROCESS_RUNNING &&
      hearth_server_get_pid (server) > 0)
    {
      print_running_elsewhere (server);
      return 0;
    }
  sources[0] = g_unix_signal_add (SIGINT, on_start_signal, &start);
  sources[1] = g_unix_signal_add (SIGTERM, on_start_signal, &start);
  sources[2] = g_unix_signal_add (SIGHUP, on_start_signal, &start);
  if (!opt_detach)
    watch = managed_watch_new (servers, server, FALSE, on_state_printed, &start);

  started = wait_started (&start, &error);
  if (start.interrupted)
    {
      g_printerr (_("hearth-cli: Interrupted before %s answered; it is stopped.\n"), name);
      exit_code = EXIT_INTERRUPTED;
    }
  else if (!started && !opt_detach && start.gave_up)
    /* the line of its state (Failed) said why */
    exit_code = EXIT_FAILED;
  else if (!started)
    {
      exit_code = fail_start (server, error);
      /* still trying (a restart is due): watch on, as when it dies later */
      if (!opt_detach &&
          (hearth_server_get_process_state (server) == HEARTH_PROCESS_RESTARTING ||
           hearth_server_get_process_state (server) == HEARTH_PROCESS_STARTING))
        exit_code = 0;
    }
  else if (opt_detach)
    exit_code = finish_detached (&start);

  if (exit_code == 0 && !opt_detach && !start.gave_up && !output_failed ())
    {
      g_printerr (_("hearth-cli: Watching %s; Ctrl+C stops it.\n"), name);
      g_main_loop_run (loop);
    }
  if (start.gave_up)
    exit_code = EXIT_FAILED;
  else if (output_failed ())
    exit_code = EXIT_OUTPUT;

  /* watched still: "NAME: stopped" as it goes */
  if (!opt_detach || exit_code != 0)
    print_kept_or_stop (&start);
  managed_watch_free (watch);
  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    g_source_remove (sources[i]);
  g_clear_object (&start.result);
  return exit_code;
}

int
servers_start (HearthServers *servers,
               const char    *name)
{
  HearthServer *server;
  int exit_code = 0;

  if ((server = lookup_managed (servers, "start", name, &exit_code)) == NULL)
    return exit_code;
  return run_start (servers, server);
}

/* stop */

int
servers_stop (HearthServers *servers,
              const char    *name)
{
  g_autoptr(GError) error = NULL;
  Cli cli = { 0 };
  HearthServer *server;
  int exit_code = 0;
  int pid;
  gboolean stopped;

  if ((server = lookup_managed (servers, "stop", name, &exit_code)) == NULL)
    return exit_code;
  pid = hearth_server_get_pid (server);
  hearth_servers_stop_async (servers, name, NULL, keep_result, &cli);
  run_loop (&cli);
  stopped = hearth_servers_stop_finish (servers, cli.result, &error);
  g_clear_object (&cli.result);
  if (!stopped)
    return fail (error);
  if (pid > 0)
    g_print (_("%s: stopped (it was pid %d).\n"), name, pid);
  else
    g_print (_("%s was not running.\n"), name);
  return 0;
}

/* logs */

int
servers_logs (HearthServers *servers,
              const char    *name)
{
  HearthServer *server;
  int exit_code = 0;

  if ((server = lookup_managed (servers, "logs", name, &exit_code)) == NULL)
    return exit_code;
  return servers_print_log (server, opt_lines, opt_follow);
}

/* demo */

/* Transfer full */
static HearthServer *
find_demo (HearthServers *servers)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (servers));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (G_LIST_MODEL (servers), i);

      if (hearth_server_get_demo (server))
        return g_steal_pointer (&server);
    }
  return NULL;
}

static HearthServer *
add_demo (HearthServers  *servers,
          GError        **error)
{
  Cli cli = { 0 };
  HearthServer *server;

  /* progress, for a person waiting at a terminal */
  if (output_is_terminal (OUTPUT_STDERR))
    g_printerr (_("hearth-cli: Making the demo model (a few seconds, nothing to download)…\n"));
  hearth_servers_add_demo_async (servers, NULL, keep_result, &cli);
  run_loop (&cli);
  server = hearth_servers_add_demo_finish (servers, cli.result, error);
  g_clear_object (&cli.result);
  return server;
}

int
servers_demo (HearthServers *servers)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *why_not = NULL;
  g_autoptr(HearthServer) server = find_demo (servers);
  const char *name;

  if (server == NULL && !hearth_servers_demo_available (servers, &why_not))
    {
      g_autoptr(GString) why = g_string_new (why_not != NULL ? why_not
                                                             : _("the project's engine is not "
                                                                 "installed"));

      while (why->len > 0 && why->str[why->len - 1] == '.')
        g_string_truncate (why, why->len - 1);
      g_printerr (_("hearth-cli: The demo cannot run here: %s. For real answers, run a server: "
                    "install Ollama and add it with hearth-cli servers add NAME --managed ollama, "
                    "or add one you have with hearth-cli servers add NAME --url URL.\n"), why->str);
      return EXIT_FAILED;
    }
  if (server == NULL && (server = add_demo (servers, &error)) == NULL)
    return fail (error);
  name = hearth_server_get_name (server);
  g_print (_("The demo server “%s” serves “%s”: %s. Its answers are placeholder text, not a "
             "real model's.\n"), name, HEARTH_DEMO_MODEL, HEARTH_DEMO_LABEL);
  g_print (_("Try it: hearth-cli ask --server %s --model %s \"Hello\". It is removed as soon as "
             "you add a real server.\n"), name, HEARTH_DEMO_MODEL);
  return run_start (servers, server);
}
