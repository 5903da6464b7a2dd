/* hearth-managed-log.c — a managed server's files: its log (followed,
 * emitted line by line, cut in half past 1 MiB), its pid file and its lock
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * NAME.pid (pid and port) says a process runs; NAME.lock is held (flock)
 * by the one Hearth process that supervises it, so that when it dies only
 * one restarts it. Both are in $XDG_RUNTIME_DIR/hearth/managed.
 */
#define G_LOG_DOMAIN "hearth-managed"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hearth-error.h"
#include "hearth-managed-private.h"

/* Paths */

char *
_hearth_managed_runtime_path (const char *name,
              const char *suffix)
{
  const char *env = g_getenv ("XDG_RUNTIME_DIR");
  const char *base = env != NULL && *env != '\0' ? env : g_get_user_runtime_dir ();
  g_autofree char *file = name != NULL ? g_strconcat (name, suffix, NULL) : NULL;

  return g_build_filename (base, "hearth", "managed", file, NULL);
}

gboolean
_hearth_managed_pid_alive (int pid)
{
  return pid > 0 && (kill (pid, 0) == 0 || errno == EPERM);
}

/* Gone: exited (a zombie of ours counts as gone; it is not reaped here,
 * GLib does that), or no such process. */
gboolean
_hearth_managed_pid_gone (int pid)
{
  siginfo_t info;

  memset (&info, 0, sizeof info);
  if (waitid (P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0)
    return info.si_pid == pid;
  return !_hearth_managed_pid_alive (pid);
}

int
_hearth_managed_read_pid_file (const char *name,
                               guint      *port)
{
  g_autofree char *path = _hearth_managed_runtime_path (name, ".pid");
  g_autofree char *contents = NULL;
  guint64 pid = 0, value = 0;
  g_auto(GStrv) words = NULL;

  if (port != NULL)
    *port = 0;
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  words = g_strsplit (g_strstrip (contents), " ", 3);
  if (words[0] == NULL || !g_ascii_string_to_unsigned (words[0], 10, 1, G_MAXINT, &pid, NULL))
    return 0;
  if (port != NULL && words[1] != NULL && g_ascii_string_to_unsigned (words[1], 10, 1, 65535, &value, NULL))
    *port = value;
  return _hearth_managed_pid_alive (pid) ? (int) pid : 0;
}

void
_hearth_supervisor_write_pid_file (HearthSupervisor *sup,
                guint             port)
{
  g_autofree char *dir = _hearth_managed_runtime_path (NULL, NULL);
  g_autofree char *path = _hearth_managed_runtime_path (sup->name, ".pid");
  g_autofree char *contents = g_strdup_printf ("%d %u\n", sup->pid, port);
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (dir, 0700);
  if (!g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_message ("Other Hearth processes will not see that %s runs: %s", sup->name, error->message);
}

/* Only the supervisor (the lock's holder) removes it, and only its own. */
void
_hearth_supervisor_remove_pid_file (HearthSupervisor *sup,
                 int               pid)
{
  g_autofree char *path = _hearth_managed_runtime_path (sup->name, ".pid");
  g_autofree char *contents = NULL;
  int named;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;
  named = atoi (contents);
  if (pid == 0 || named == pid || !_hearth_managed_pid_alive (named))
    g_unlink (path);
}

gboolean
_hearth_supervisor_pid_file_exists (HearthSupervisor *sup)
{
  g_autofree char *path = _hearth_managed_runtime_path (sup->name, ".pid");

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

gboolean
_hearth_supervisor_take_lock (HearthSupervisor *sup)
{
  g_autofree char *dir = _hearth_managed_runtime_path (NULL, NULL);
  g_autofree char *path = _hearth_managed_runtime_path (sup->name, ".lock");
  int fd;

  if (sup->lock_fd >= 0)
    return TRUE;
  g_mkdir_with_parents (dir, 0700);
  fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return TRUE;   /* no lock to be had: this process supervises alone */
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      close (fd);
      return FALSE;
    }
  sup->lock_fd = fd;
  return TRUE;
}

void
_hearth_supervisor_drop_lock (HearthSupervisor *sup)
{
  if (sup->lock_fd >= 0)
    close (sup->lock_fd);
  sup->lock_fd = -1;
}

/* The log */

static void
log_changed_cb (GFileMonitor      *monitor,
                GFile             *file,
                GFile             *other,
                GFileMonitorEvent  event,
                HearthSupervisor  *sup)
{
  _hearth_supervisor_read_log (sup);
}

gboolean
_hearth_supervisor_open_log (HearthSupervisor  *sup,
          GError           **error)
{
  g_autofree char *path = hearth_server_get_log_path (sup->server);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GFile) file = NULL;
  struct stat st;

  if (sup->log_fd >= 0)
    return TRUE;
  g_mkdir_with_parents (dir, 0700);
  sup->log_fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (sup->log_fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_FAILED,
                   _("Its log %s could not be opened: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  /* Lines from now on: the file's older lines are not news. */
  sup->log_offset = fstat (sup->log_fd, &st) == 0 ? st.st_size : 0;
  g_string_truncate (sup->partial, 0);
  file = g_file_new_for_path (path);
  sup->log_monitor = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, NULL);
  if (sup->log_monitor != NULL)
    {
      g_file_monitor_set_rate_limit (sup->log_monitor, 100);
      g_signal_connect (sup->log_monitor, "changed", G_CALLBACK (log_changed_cb), sup);
    }
  return TRUE;
}

void
_hearth_supervisor_close_log (HearthSupervisor *sup)
{
  if (sup->log_monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (sup->log_monitor, sup);
      g_file_monitor_cancel (sup->log_monitor);
      g_clear_object (&sup->log_monitor);
    }
  if (sup->log_fd >= 0)
    close (sup->log_fd);
  sup->log_fd = -1;
}

void
_hearth_supervisor_log (HearthSupervisor *sup,
                        const char       *format,
                        ...)
{
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  g_autofree char *stamp = NULL;
  g_autoptr(GDateTime) now = NULL;
  va_list args;

  if (sup->log_fd < 0 && !_hearth_supervisor_open_log (sup, NULL))
    return;
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  now = g_date_time_new_now_local ();
  stamp = g_date_time_format (now, "%F %T");
  line = g_strdup_printf ("[hearth] %s %s\n", stamp, text);
  if (write (sup->log_fd, line, strlen (line)) < 0)
    g_debug ("%s: its log could not be written: %s", sup->name, g_strerror (errno));
  _hearth_supervisor_read_log (sup);
}

/* Past 1 MiB, the newer half is kept (from a line's start). Lines the
 * process writes between the read and the truncation are lost. */
static void
rotate_log (HearthSupervisor *sup,
            const char       *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  const char *keep, *nl;
  gsize kept;
  int fd;

  if (!g_file_get_contents (path, &data, &len, NULL) || len <= HEARTH_MANAGED_LOG_MAX)
    return;
  nl = memchr (data + len / 2, '\n', len - len / 2);
  keep = nl != NULL ? nl + 1 : data + len / 2;
  kept = data + len - keep;
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  if (pwrite (fd, keep, kept, 0) == (ssize_t) kept && ftruncate (fd, kept) == 0)
    sup->log_offset = kept;
  close (fd);
}

static void
add_line (HearthSupervisor *sup,
          const char       *line)
{
  g_queue_push_tail (&sup->tail, g_strdup (line));
  while (sup->tail.length > HEARTH_MANAGED_TAIL_LINES)
    g_free (g_queue_pop_head (&sup->tail));
  if (sup->servers != NULL)
    _hearth_servers_emit_log_line (sup->servers, sup->server, line);
}

void
_hearth_supervisor_read_log (HearthSupervisor *sup)
{
  g_autofree char *path = hearth_server_get_log_path (sup->server);
  char buffer[16384];
  struct stat st;
  ssize_t n;
  int fd;

  if (sup->servers == NULL)
    return;
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  if (fstat (fd, &st) == 0 && st.st_size < sup->log_offset)
    sup->log_offset = st.st_size;   /* cut by another process: from here on */
  while ((n = pread (fd, buffer, sizeof buffer, sup->log_offset)) > 0)
    {
      char *start, *nl;

      sup->log_offset += n;
      g_string_append_len (sup->partial, buffer, n);
      start = sup->partial->str;
      while ((nl = memchr (start, '\n', sup->partial->str + sup->partial->len - start)) != NULL)
        {
          *nl = '\0';
          if (nl > start && nl[-1] == '\r')
            nl[-1] = '\0';
          add_line (sup, start);
          start = nl + 1;
        }
      g_string_erase (sup->partial, 0, start - sup->partial->str);
    }
  close (fd);
  if (sup->log_offset > HEARTH_MANAGED_LOG_MAX)
    rotate_log (sup, path);
}

char *
_hearth_supervisor_tail_text (HearthSupervisor *sup)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint skip = sup->tail.length > 4 ? sup->tail.length - 4 : 0;
  guint i = 0;

  for (GList *l = sup->tail.head; l != NULL; l = l->next, i++)
    if (i >= skip && !g_str_has_prefix (l->data, "[hearth]"))
      g_string_append_printf (text, "%s%s", text->len > 0 ? " / " : "", (char *) l->data);
  if (text->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&text), FALSE);
}

void
_hearth_supervisor_set_state (HearthSupervisor   *sup,
                              HearthProcessState  state,
                              const char         *message)
{
  _hearth_server_set_process (sup->server, state, sup->pid, message);
}
