/* hearth-managed-process.c — a managed server's process: spawn, log, pid
 * file, readiness, exits, restarts, adoption, stop
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The process writes its stdout and stderr straight into its log file
 * (opened O_APPEND): a kept process outlives the Hearth that started it,
 * and a pipe to a process that is gone would kill it (SIGPIPE) or lose
 * its lines. Every Hearth process that looks after it follows the file
 * (a file monitor) and emits its new lines as "log-line".
 *
 * NAME.pid (pid and port) says a process runs; NAME.lock is held (flock)
 * by the one Hearth process that supervises it, so that when it dies only
 * one restarts it: an adopter that sees it die restarts it only when it
 * can take the lock (its supervisor is gone).
 */
#define G_LOG_DOMAIN "hearth-managed"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hearth-alerts.h"
#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-managed-private.h"

static void tell_alerts (HearthSupervisor *sup);

/* Ports */

static guint
url_port (HearthServer *server)
{
  g_autoptr(GUri) uri = g_uri_parse (hearth_server_get_url (server), G_URI_FLAGS_NONE, NULL);

  return uri != NULL && g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : 0;
}

/* As a server binds it (SO_REUSEADDR): a port something listens on is taken. */
static gboolean
port_is_free (guint port)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);

  return socket != NULL && g_socket_bind (socket, address, TRUE, NULL);
}

guint
_hearth_managed_free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  if (socket == NULL || !g_socket_bind (socket, address, FALSE, NULL) ||
      (bound = g_socket_get_local_address (socket, NULL)) == NULL)
    return 0;
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* The url's port, or (taken) another free one, saved. */
static guint
choose_port (HearthSupervisor  *sup,
             GError           **error)
{
  HearthServer *server = sup->server;
  guint port = url_port (server);
  guint old = port;
  g_autofree char *url = NULL;

  if (port > 0 && port_is_free (port))
    return port;
  port = _hearth_managed_free_port ();
  if (port == 0)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_FAILED,
                   _("No free port could be found on 127.0.0.1 to start it on"));
      return 0;
    }
  url = _hearth_managed_url (hearth_server_get_managed (server), port);
  _hearth_server_configure (server, url, hearth_server_get_api (server),
                            hearth_server_get_cloud (server), hearth_server_get_enabled (server),
                            hearth_server_get_preset (server), NULL);
  if (sup->servers != NULL)
    {
      g_autoptr(GError) save_error = NULL;

      if (!_hearth_servers_commit (sup->servers, &save_error))
        g_message ("%s: %s", sup->name, save_error->message);
    }
  _hearth_supervisor_log (sup,
                          _("port %u is taken by another program: using %u (saved)"), old, port);
  return port;
}

/* The command line */

static gboolean
build_argv (HearthSupervisor  *sup,
            guint              port,
            GPtrArray         *argv,
            GError           **error)
{
  HearthServer *server = sup->server;
  HearthManagedKind kind = hearth_server_get_managed (server);
  const char *command = hearth_server_get_command (server);
  g_auto(GStrv) words = NULL;
  g_autofree char *program = hearth_managed_find_program (kind, command, error);
  g_autofree char *script = NULL;

  if (program == NULL)
    return FALSE;
  if (command != NULL)
    {
      if (!g_shell_parse_argv (command, NULL, &words, NULL))
        return FALSE;   /* find_program said so already */
    }
  else if (kind == HEARTH_MANAGED_ENGINE)
    {
      script = _hearth_managed_engine_script ();
      words = g_new0 (char *, 3);
      words[0] = g_strdup ("node");
      words[1] = g_strdup (script);
    }
  else
    words = g_strsplit (hearth_managed_kind_to_string (kind), " ", 0);
  g_ptr_array_add (argv, g_steal_pointer (&program));
  for (guint i = 1; words[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (words[i]));
  switch (kind)
    {
    case HEARTH_MANAGED_OLLAMA:
      g_ptr_array_add (argv, g_strdup ("serve"));
      break;
    case HEARTH_MANAGED_LLAMA_SERVER:
      g_ptr_array_add (argv, g_strdup ("--host"));
      g_ptr_array_add (argv, g_strdup ("127.0.0.1"));
      g_ptr_array_add (argv, g_strdup ("--port"));
      g_ptr_array_add (argv, g_strdup_printf ("%u", port));
      g_ptr_array_add (argv, g_strdup ("--model"));
      g_ptr_array_add (argv, g_strdup (hearth_server_get_model_file (server)));
      g_ptr_array_add (argv, g_strdup ("--parallel"));
      g_ptr_array_add (argv, g_strdup_printf ("%u", hearth_server_get_concurrency (server)));
      break;
    case HEARTH_MANAGED_ENGINE:
      {
        const char *model_file = hearth_server_get_model_file (server);
        g_autofree char *dir = g_strdup (hearth_server_get_models_dir (server));

        g_ptr_array_add (argv, g_strdup ("--port"));
        g_ptr_array_add (argv, g_strdup_printf ("%u", port));
        if (dir == NULL && model_file != NULL)
          {
            g_autofree char *folder = g_strconcat (sup->name, "-models", NULL);

            dir = g_build_filename (g_get_user_state_dir (), "hearth", "managed", folder, NULL);
          }
        if (model_file != NULL)
          {
            g_autofree char *base = g_path_get_basename (model_file);
            g_autofree char *link = g_build_filename (dir, base, NULL);

            g_mkdir_with_parents (dir, 0700);
            if (!g_file_test (link, G_FILE_TEST_EXISTS))
              {
                g_unlink (link);   /* a dangling link */
                if (symlink (model_file, link) != 0)
                  g_message ("%s: %s could not be linked into %s: %s", sup->name, model_file,
                             dir, g_strerror (errno));
              }
          }
        if (dir != NULL)
          {
            g_ptr_array_add (argv, g_strdup ("--models"));
            g_ptr_array_add (argv, g_steal_pointer (&dir));
          }
      }
      break;
    case HEARTH_MANAGED_NONE:
    default:
      g_assert_not_reached ();
    }
  g_ptr_array_add (argv, NULL);
  return TRUE;
}

/* Unkept: it dies with the thread that started it (the main thread). */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  if (getppid () == 1)
    raise (SIGTERM);
}

/* Kept: its own session, so a terminal's Ctrl+C does not reach it. */
static void
own_session (gpointer user_data)
{
  setsid ();
}

/* Readiness */

typedef struct
{
  HearthSupervisor *sup;   /* a reference */
  guint             generation;
} Call;

static Call *
call_new (HearthSupervisor *sup)
{
  Call *call = g_new0 (Call, 1);

  call->sup = g_rc_box_acquire (sup);
  call->generation = sup->generation;
  return call;
}

static void
call_free (Call *call)
{
  _hearth_supervisor_unref (call->sup);
  g_free (call);
}

static gboolean
call_is_stale (Call *call)
{
  return call->sup->servers == NULL || call->generation != call->sup->generation;
}

static char *
running_message (HearthSupervisor *sup)
{
  guint restarts = hearth_server_get_restarts (sup->server);

  if (restarts == 0)
    return g_strdup_printf (_("Running · pid %d"), sup->pid);
  if (restarts == 1)
    return g_strdup_printf (_("Running · pid %d · restarted once"), sup->pid);
  if (restarts == 2)
    return g_strdup_printf (_("Running · pid %d · restarted twice"), sup->pid);
  return g_strdup_printf (_("Running · pid %d · restarted %u times"), sup->pid, restarts);
}

static void
stop_readiness (HearthSupervisor *sup)
{
  g_clear_handle_id (&sup->ready_id, g_source_remove);
  if (sup->probe_cancellable != NULL)
    g_cancellable_cancel (sup->probe_cancellable);
  g_clear_object (&sup->probe_cancellable);
}

static void
probe_answered_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Call *call = user_data;
  HearthSupervisor *sup = call->sup;
  HearthProvider *provider = HEARTH_PROVIDER (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  double latency_ms;

  if (hearth_server_get_api (sup->server) == HEARTH_API_OLLAMA)
    g_free (hearth_provider_version_finish (provider, result, &error));
  else
    {
      g_autoptr(GPtrArray) models = hearth_provider_list_models_finish (provider, result, &error);
    }
  if (call_is_stale (call) || sup->ready_id == 0 ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_CANCELLED))
    {
      call_free (call);
      return;
    }
  g_clear_object (&sup->probe_cancellable);
  if (error != NULL && _hearth_server_error_is_down (error))
    {
      call_free (call);
      return;   /* not yet: the next tick asks again */
    }
  /* It answered (a refusal is an answer too). */
  latency_ms = (g_get_monotonic_time () - sup->probe_start_us) / 1000.0;
  g_clear_handle_id (&sup->ready_id, g_source_remove);
  _hearth_server_record_probe (sup->server, latency_ms, error);
  message = running_message (sup);
  _hearth_supervisor_set_state (sup, HEARTH_PROCESS_RUNNING, message);
  _hearth_supervisor_log (sup, _("it answers at %s"), hearth_server_get_endpoint (sup->server));
  if (sup->alerted)
    tell_alerts (sup);
  _hearth_supervisor_finish_starts (sup, NULL);
  call_free (call);
}

static gboolean
ready_tick_cb (gpointer user_data)
{
  HearthSupervisor *sup = user_data;
  HearthProvider *provider;

  _hearth_supervisor_read_log (sup);
  if (g_get_monotonic_time () > sup->ready_deadline_us)
    {
      g_autofree char *tail = _hearth_supervisor_tail_text (sup);
      g_autoptr(GError) error = NULL;

      sup->ready_id = 0;
      stop_readiness (sup);
      error = g_error_new (HEARTH_ERROR, HEARTH_ERROR_TIMEOUT,
                           _("It did not answer within %d s, so it was stopped%s%s"),
                           HEARTH_MANAGED_READY_MAX_S, tail ? ": " : _(" (its log is empty)"),
                           tail ? tail : "");
      _hearth_supervisor_set_state (sup, HEARTH_PROCESS_FAILED, error->message);
      _hearth_supervisor_finish_starts (sup, error);
      sup->stopping = TRUE;
      if (sup->process != NULL)
        g_subprocess_send_signal (sup->process, SIGTERM);
      return G_SOURCE_REMOVE;
    }
  if (sup->probe_cancellable != NULL)
    return G_SOURCE_CONTINUE;   /* the last one has not answered yet */
  provider = hearth_server_get_provider (sup->server);
  if (provider == NULL)
    return G_SOURCE_CONTINUE;
  sup->probe_cancellable = g_cancellable_new ();
  sup->probe_start_us = g_get_monotonic_time ();
  if (hearth_server_get_api (sup->server) == HEARTH_API_OLLAMA)
    hearth_provider_version_async (provider, sup->probe_cancellable, probe_answered_cb, call_new (sup));
  else
    hearth_provider_list_models_async (provider, sup->probe_cancellable, probe_answered_cb,
                                       call_new (sup));
  return G_SOURCE_CONTINUE;
}

/* Exits */

static guint
backoff_base_ms (void)
{
  const char *env = g_getenv ("HEARTH_MANAGED_BACKOFF_MS");
  guint64 value;

  if (env != NULL && g_ascii_string_to_unsigned (env, 10, 1, 30000, &value, NULL))
    return value;
  return 1000;
}

static char *
describe_exit (GSubprocess *process)
{
  if (g_subprocess_get_if_exited (process))
    return g_strdup_printf (_("it exited with code %d"), g_subprocess_get_exit_status (process));
  if (g_subprocess_get_if_signaled (process))
    {
      int sig = g_subprocess_get_term_sig (process);

      return g_strdup_printf (_("it was killed by signal %d (%s)"), sig, g_strsignal (sig));
    }
  return g_strdup (_("it ended"));
}

static gboolean
exit_is_stop (GSubprocess *process)
{
  if (g_subprocess_get_if_exited (process))
    return g_subprocess_get_exit_status (process) == 0;
  if (g_subprocess_get_if_signaled (process))
    return g_subprocess_get_term_sig (process) == SIGTERM ||
           g_subprocess_get_term_sig (process) == SIGINT;
  return FALSE;
}

static void
give_up (HearthSupervisor *sup,
         const char       *message)
{
  g_autoptr(GError) error = g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_FAILED, message);

  sup->pid = 0;
  _hearth_supervisor_remove_pid_file (sup, 0);
  _hearth_supervisor_drop_lock (sup);
  _hearth_supervisor_log (sup, "%s", message);
  _hearth_supervisor_set_state (sup, HEARTH_PROCESS_FAILED, message);
  _hearth_supervisor_finish_starts (sup, error);
  _hearth_supervisor_finish_stops (sup);
}

static gboolean
restart_cb (gpointer user_data)
{
  HearthSupervisor *sup = user_data;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_monotonic_time ();

  sup->restart_id = 0;
  g_array_append_val (sup->restart_times, now);
  _hearth_server_set_restarts (sup->server, hearth_server_get_restarts (sup->server) + 1);
  sup->restarting = TRUE;
  if (!_hearth_supervisor_spawn (sup, &error))
    give_up (sup, error->message);
  return G_SOURCE_REMOVE;
}

/* The alerts engine hears of a crash loop given up as of a server that
 * does not answer (the server_up rule of its endpoint), again and again
 * while it stays failed, so a rule's "for" can run out; and that it
 * answers once it runs again. */
static void
tell_alerts (HearthSupervisor *sup)
{
  gboolean up = hearth_server_get_process_state (sup->server) == HEARTH_PROCESS_RUNNING;

  if (sup->servers == NULL || sup->servers->engine == NULL)
    return;
  sup->alerted = !up;
  hearth_alerts_observe (hearth_engine_get_alerts (sup->servers->engine),
                         HEARTH_ALERT_METRIC_SERVER_UP, hearth_server_get_endpoint (sup->server),
                         up ? 1 : 0, g_get_real_time () / 1000);
}

static gboolean
alert_cb (gpointer user_data)
{
  HearthSupervisor *sup = user_data;

  if (hearth_server_get_process_state (sup->server) != HEARTH_PROCESS_FAILED)
    {
      sup->alert_id = 0;
      return G_SOURCE_REMOVE;
    }
  tell_alerts (sup);
  return G_SOURCE_CONTINUE;
}

/* It died on its own: started again after a backoff, unless it did so
 * HEARTH_MANAGED_MAX_RESTARTS times within a minute already. */
static void
crashed (HearthSupervisor *sup,
         const char       *how)
{
  gint64 now = g_get_monotonic_time ();
  g_autofree char *message = NULL;
  guint delay_ms;

  while (sup->restart_times->len > 0 &&
         g_array_index (sup->restart_times, gint64, 0) < now - 60 * G_USEC_PER_SEC)
    g_array_remove_index (sup->restart_times, 0);
  sup->pid = 0;
  if (sup->restart_times->len >= HEARTH_MANAGED_MAX_RESTARTS)
    {
      message = g_strdup_printf (_("Crashed %u times in a minute — not restarted; see its log (last: %s)"),
                                 sup->restart_times->len + 1, how);
      give_up (sup, message);
      tell_alerts (sup);
      g_clear_handle_id (&sup->alert_id, g_source_remove);
      sup->alert_id = g_timeout_add (HEARTH_MANAGED_ALERT_MS, alert_cb, sup);
      return;
    }
  delay_ms = MIN (backoff_base_ms () << sup->restart_times->len, 30000);
  if (delay_ms >= 1000)
    message = g_strdup_printf (_("Restarting in %u s — %s"), (delay_ms + 500) / 1000, how);
  else
    message = g_strdup_printf (_("Restarting in %.1f s — %s"), delay_ms / 1000.0, how);
  _hearth_supervisor_log (sup, "%s", message);
  _hearth_supervisor_set_state (sup, HEARTH_PROCESS_RESTARTING, message);
  sup->restart_id = g_timeout_add (delay_ms, restart_cb, sup);
}

static void
exited_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Call *call = user_data;
  HearthSupervisor *sup = call->sup;
  GSubprocess *process = G_SUBPROCESS (object);
  HearthProcessState before;
  g_autofree char *how = NULL;
  g_autofree char *tail = NULL;
  g_autofree char *message = NULL;
  int pid;

  g_subprocess_wait_finish (process, result, NULL);
  if (call_is_stale (call) || sup->process != process)
    {
      call_free (call);
      return;
    }
  call_free (call);
  pid = sup->pid;
  how = describe_exit (process);
  stop_readiness (sup);
  g_clear_handle_id (&sup->kill_id, g_source_remove);
  before = hearth_server_get_process_state (sup->server);
  _hearth_supervisor_log (sup, "pid %d ended: %s", pid, how);
  tail = _hearth_supervisor_tail_text (sup);
  g_clear_object (&sup->process);

  /* Asked to stop (here, by another process, by the system): a stop; an
   * exit with code 0 before it answered is a start that failed. */
  if (sup->stopping || (exit_is_stop (process) &&
                        (before != HEARTH_PROCESS_STARTING || g_subprocess_get_if_signaled (process))))
    {
      sup->pid = 0;
      _hearth_supervisor_remove_pid_file (sup, pid);
      _hearth_supervisor_drop_lock (sup);
      if (before != HEARTH_PROCESS_FAILED)
        {
          g_autoptr(GError) error = g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_CANCELLED,
                                                         _("It was stopped before it answered"));

          message = sup->stopping ? g_strdup ("Stopped")
                                  : g_strdup_printf (_("Stopped — %s"), how);
          _hearth_supervisor_set_state (sup, HEARTH_PROCESS_STOPPED, message);
          _hearth_supervisor_finish_starts (sup, error);
        }
      _hearth_supervisor_finish_stops (sup);
      return;
    }
  if (before == HEARTH_PROCESS_STARTING && !sup->restarting)
    {
      message = g_strdup_printf (_("It could not start — %s before answering%s%s"), how,
                                 tail ? ": " : _(" (its log is empty)"), tail ? tail : "");
      give_up (sup, message);
      return;
    }
  crashed (sup, how);
}

/* Spawning */

gboolean
_hearth_supervisor_spawn (HearthSupervisor  *sup,
                          GError           **error)
{
  HearthServer *server = sup->server;
  HearthManagedKind kind = hearth_server_get_managed (server);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *line = NULL;
  gboolean keep = hearth_server_get_keep (server) || sup->detached;
  const char *identifier;
  guint port;
  int fd;

  if (!_hearth_supervisor_take_lock (sup))
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_ALREADY_RUNNING,
                   _("Another Hearth process looks after %s and is restarting it: "
                     "try again in a moment"), sup->name);
      return FALSE;
    }
  if (!_hearth_supervisor_open_log (sup, error) || (port = choose_port (sup, error)) == 0 ||
      !build_argv (sup, port, argv, error))
    {
      _hearth_supervisor_drop_lock (sup);
      return FALSE;
    }
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  fd = dup (sup->log_fd);
  if (fd >= 0)
    g_subprocess_launcher_take_stdout_fd (launcher, fd);
  if (kind == HEARTH_MANAGED_OLLAMA)
    {
      g_autofree char *host = g_strdup_printf ("127.0.0.1:%u", port);
      g_autofree char *parallel = g_strdup_printf ("%u", hearth_server_get_concurrency (server));

      g_subprocess_launcher_setenv (launcher, "OLLAMA_HOST", host, TRUE);
      g_subprocess_launcher_setenv (launcher, "OLLAMA_NUM_PARALLEL", parallel, TRUE);
      if (hearth_server_get_models_dir (server) != NULL)
        g_subprocess_launcher_setenv (launcher, "OLLAMA_MODELS",
                                      hearth_server_get_models_dir (server), TRUE);
    }
  g_subprocess_launcher_set_child_setup (launcher, keep ? own_session : die_with_parent, NULL, NULL);
  line = g_strjoinv (" ", (char **) argv->pdata);
  sup->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
  if (sup->process == NULL)
    {
      g_prefix_error (error, _("%s could not be started: "), (char *) argv->pdata[0]);
      _hearth_supervisor_log (sup, _("%s could not be started: %s"), line, (*error)->message);
      _hearth_supervisor_drop_lock (sup);
      return FALSE;
    }
  /* NULL when it has already exited (and been reaped): its exit is next. */
  identifier = g_subprocess_get_identifier (sup->process);
  sup->pid = identifier != NULL ? atoi (identifier) : 0;
  sup->generation++;
  sup->spawned_kept = keep;
  sup->adopted = FALSE;
  sup->stopping = FALSE;
  if (sup->pid > 0)
    _hearth_supervisor_write_pid_file (sup, port);
  _hearth_supervisor_log (sup, "started %s (pid %d%s)", line, sup->pid,
                          keep ? _(", kept running after Hearth quits") : "");
  {
    g_autofree char *message = sup->pid > 0 ? g_strdup_printf (_("Starting · pid %d"), sup->pid)
                                            : g_strdup ("Starting");

    _hearth_supervisor_set_state (sup, HEARTH_PROCESS_STARTING, message);
  }
  g_subprocess_wait_async (sup->process, NULL, exited_cb, call_new (sup));
  sup->ready_deadline_us = g_get_monotonic_time () + HEARTH_MANAGED_READY_MAX_S * G_USEC_PER_SEC;
  sup->ready_id = g_timeout_add (HEARTH_MANAGED_READY_MS, ready_tick_cb, sup);
  return TRUE;
}

/* Adopted: another process's, watched */

static gboolean
watch_cb (gpointer user_data)
{
  HearthSupervisor *sup = user_data;
  int pid;

  if (_hearth_managed_pid_alive (sup->pid))
    return G_SOURCE_CONTINUE;
  _hearth_supervisor_read_log (sup);
  /* Restarted by the process that supervises it? */
  if ((pid = _hearth_managed_read_pid_file (sup->name, NULL)) > 0)
    {
      g_autofree char *message = NULL;

      sup->pid = pid;
      message = g_strdup_printf (_("Running · pid %d"), pid);
      _hearth_supervisor_set_state (sup, HEARTH_PROCESS_RUNNING, message);
      _hearth_supervisor_finish_starts (sup, NULL);
      return G_SOURCE_CONTINUE;
    }
  if (!_hearth_supervisor_take_lock (sup))
    {
      sup->pid = 0;
      _hearth_supervisor_set_state (sup, HEARTH_PROCESS_RESTARTING,
                                    _("Restarting — another Hearth process looks after it"));
      return G_SOURCE_CONTINUE;
    }
  /* Its supervisor is gone: this process takes over. */
  sup->watch_id = 0;
  sup->adopted = FALSE;
  if (_hearth_supervisor_pid_file_exists (sup))
    {
      _hearth_supervisor_log (sup, _("pid %d is gone without being stopped"), sup->pid);
      sup->restarting = TRUE;
      crashed (sup, _("it ended without being stopped"));
    }
  else
    {
      g_autoptr(GError) error = g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_CANCELLED,
                                                     _("It was stopped by another Hearth process"));

      sup->pid = 0;
      _hearth_supervisor_drop_lock (sup);
      _hearth_supervisor_set_state (sup, HEARTH_PROCESS_STOPPED, "Stopped");
      _hearth_supervisor_finish_starts (sup, error);
    }
  return G_SOURCE_REMOVE;
}

void
_hearth_supervisor_adopt (HearthSupervisor *sup,
                          int               pid)
{
  g_autofree char *message = g_strdup_printf (_("Running · pid %d"), pid);

  sup->adopted = TRUE;
  sup->pid = pid;
  sup->stopping = FALSE;
  _hearth_supervisor_open_log (sup, NULL);
  _hearth_supervisor_set_state (sup, HEARTH_PROCESS_RUNNING, message);
  g_clear_handle_id (&sup->watch_id, g_source_remove);
  sup->watch_id = g_timeout_add (HEARTH_MANAGED_WATCH_MS, watch_cb, sup);
}

/* Stopping */

static gboolean
kill_cb (gpointer user_data)
{
  HearthSupervisor *sup = user_data;

  sup->kill_id = 0;
  if (sup->process != NULL)
    {
      _hearth_supervisor_log (sup, _("pid %d did not stop within %d s: killed (SIGKILL)"),
                              sup->pid, HEARTH_MANAGED_STOP_WAIT_MS / 1000);
      g_subprocess_force_exit (sup->process);
    }
  return G_SOURCE_REMOVE;
}

static gboolean
stop_poll_cb (gpointer user_data)
{
  HearthSupervisor *sup = user_data;

  if (!_hearth_managed_pid_gone (sup->pid))
    {
      if (g_get_monotonic_time () > sup->kill_deadline_us)
        {
          kill (sup->pid, SIGKILL);
          sup->kill_deadline_us = G_MAXINT64;
        }
      return G_SOURCE_CONTINUE;
    }
  sup->watch_id = 0;
  sup->kill_deadline_us = 0;
  _hearth_supervisor_log (sup, "pid %d stopped", sup->pid);
  _hearth_supervisor_remove_pid_file (sup, sup->pid);
  sup->pid = 0;
  sup->adopted = FALSE;
  _hearth_supervisor_drop_lock (sup);
  _hearth_supervisor_set_state (sup, HEARTH_PROCESS_STOPPED, "Stopped");
  _hearth_supervisor_finish_stops (sup);
  return G_SOURCE_REMOVE;
}

void
_hearth_supervisor_stop (HearthSupervisor *sup)
{
  sup->stopping = TRUE;
  g_clear_handle_id (&sup->restart_id, g_source_remove);
  stop_readiness (sup);
  if (sup->process != NULL)
    {
      if (sup->kill_id == 0)
        {
          _hearth_supervisor_log (sup, _("stopping pid %d (SIGTERM)"), sup->pid);
          g_subprocess_send_signal (sup->process, SIGTERM);
          sup->kill_id = g_timeout_add (HEARTH_MANAGED_STOP_WAIT_MS, kill_cb, sup);
        }
      return;   /* exited_cb finishes */
    }
  if (sup->pid > 0)
    {
      if (sup->kill_deadline_us == 0)
        {
          _hearth_supervisor_log (sup, _("stopping pid %d (SIGTERM)"), sup->pid);
          kill (sup->pid, SIGTERM);
          g_clear_handle_id (&sup->watch_id, g_source_remove);
          sup->kill_deadline_us = g_get_monotonic_time () + HEARTH_MANAGED_STOP_WAIT_MS * 1000;
          sup->watch_id = g_timeout_add (100, stop_poll_cb, sup);
        }
      return;   /* stop_poll_cb finishes */
    }
  /* Nothing runs (restarting, failed or stopped). */
  g_clear_handle_id (&sup->watch_id, g_source_remove);
  if (sup->lock_fd >= 0)
    _hearth_supervisor_remove_pid_file (sup, 0);
  _hearth_supervisor_drop_lock (sup);
  _hearth_supervisor_set_state (sup, HEARTH_PROCESS_STOPPED, "Stopped");
  _hearth_supervisor_finish_stops (sup);
}

gboolean
_hearth_supervisor_wait_gone (HearthSupervisor *sup,
                              gint64            deadline_us)
{
  while (sup->pid > 0 && !_hearth_managed_pid_gone (sup->pid))
    {
      if (g_get_monotonic_time () > deadline_us)
        return FALSE;
      g_usleep (20000);
    }
  return TRUE;
}

/* The list goes, or Hearth quits: ours not kept are told to stop (not
 * waited for here); kept ones and adopted ones are let go. */
void
_hearth_supervisor_release (HearthSupervisor *sup,
                            gboolean          terminate)
{
  gboolean ours = sup->process != NULL;

  g_clear_handle_id (&sup->restart_id, g_source_remove);
  g_clear_handle_id (&sup->watch_id, g_source_remove);
  g_clear_handle_id (&sup->kill_id, g_source_remove);
  g_clear_handle_id (&sup->alert_id, g_source_remove);
  sup->kill_deadline_us = 0;
  stop_readiness (sup);
  if (ours && terminate && !hearth_server_get_keep (sup->server) && !sup->detached)
    {
      sup->stopping = TRUE;
      _hearth_supervisor_log (sup, _("stopping pid %d (SIGTERM): it is not kept"), sup->pid);
      g_subprocess_send_signal (sup->process, SIGTERM);
      _hearth_supervisor_remove_pid_file (sup, sup->pid);
      sup->pid = 0;
      _hearth_supervisor_set_state (sup, HEARTH_PROCESS_STOPPED, "Stopped");
    }
  else if (ours)
    _hearth_supervisor_log (sup, _("pid %d is kept running without this Hearth process"), sup->pid);
  /* Its exit is no longer this process's business. */
  sup->generation++;
  g_clear_object (&sup->process);
  sup->adopted = FALSE;
  _hearth_supervisor_drop_lock (sup);
  _hearth_supervisor_close_log (sup);
}

void
_hearth_supervisor_free_process (HearthSupervisor *sup)
{
  g_autoptr(GError) error = g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_CANCELLED,
                                                 _("Hearth is closing"));

  _hearth_supervisor_release (sup, TRUE);
  _hearth_supervisor_finish_starts (sup, error);
  _hearth_supervisor_finish_stops (sup);
  g_string_free (sup->partial, TRUE);
  g_queue_clear_full (&sup->tail, g_free);
  g_array_unref (sup->restart_times);
  g_free (sup->name);
  g_clear_object (&sup->server);
}
