/* hearth-sampler-server.c — the inference server's process: which one
 * listens on the server's port, and its CPU and memory
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-sampler"

#define _GNU_SOURCE

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hearth-sampler-private.h"

/* Walking every process's file descriptors costs milliseconds; it is done
 * at most this often, and never twice for the same listening socket. */
#define SERVER_RESCAN_US  (10 * G_USEC_PER_SEC)
#define MAX_INODES        8

/* The server process
 *
 * proc/net/tcp and tcp6 name the inode of the socket listening on the
 * port; the process holding it has a proc/<pid>/fd/N linking to
 * "socket:[inode]". Once found, one readlink per reading confirms it.
 */

static guint
listening_inodes (HearthSampler *self,
                  guint          port,
                  guint64       *inodes)
{
  static const char * const tables[] = { "proc/net/tcp", "proc/net/tcp6" };
  guint n = 0;

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autofree char *path = g_build_filename (self->root, tables[t], NULL);
      char *line;

      if (_hearth_sampler_read_into (self, path) <= 0)
        continue;
      line = strchr (self->buffer, '\n');
      while (line != NULL && n < MAX_INODES)
        {
          unsigned int local_port, state;
          unsigned long inode;

          line++;
          /* sl: local:port remote:port st tx:rx tr:when retrnsmt uid timeout inode */
          if (sscanf (line, " %*u: %*[0-9A-Fa-f]:%X %*[0-9A-Fa-f]:%*X %X %*X:%*X %*X:%*X %*X"
                      " %*u %*u %lu", &local_port, &state, &inode) == 3
              && local_port == port && state == 0x0A && inode != 0)
            inodes[n++] = inode;
          line = strchr (line, '\n');
        }
    }
  return n;
}

static gboolean
link_is_socket (const char    *path,
                const guint64 *inodes,
                guint          n_inodes,
                guint64       *found)
{
  char target[64];
  ssize_t length = readlink (path, target, sizeof target - 1);
  unsigned long inode;

  if (length <= 0)
    return FALSE;
  target[length] = '\0';
  if (sscanf (target, "socket:[%lu]", &inode) != 1)
    return FALSE;
  for (guint i = 0; i < n_inodes; i++)
    if (inodes[i] == inode)
      {
        *found = inode;
        return TRUE;
      }
  return FALSE;
}

static void
server_set (HearthSampler *self,
            int            pid,
            const char    *fd_path,
            guint64        inode)
{
  self->server_pid = pid;
  g_clear_pointer (&self->server_fd_path, g_free);
  g_clear_pointer (&self->server_link, g_free);
  self->server_ticks_us = 0;
  if (pid <= 0)
    return;
  self->server_fd_path = g_strdup (fd_path);
  self->server_link = g_strdup_printf ("socket:[%" G_GUINT64_FORMAT "]", inode);
}

static gboolean
process_holds_socket (HearthSampler *self,
                      const char    *pid_name,
                      const guint64 *inodes,
                      guint          n_inodes)
{
  g_autofree char *fd_dir = g_build_filename (self->root, "proc", pid_name, "fd", NULL);
  DIR *dir = opendir (fd_dir);
  struct dirent *entry;
  gboolean found = FALSE;

  while (dir != NULL && !found && (entry = readdir (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      guint64 inode;

      if (entry->d_name[0] == '.')
        continue;
      path = g_build_filename (fd_dir, entry->d_name, NULL);
      if (link_is_socket (path, inodes, n_inodes, &inode))
        {
          server_set (self, atoi (pid_name), path, inode);
          /* Found: a later walk for the same socket is worth doing. */
          self->server_scan_inode = 0;
          found = TRUE;
        }
    }
  if (dir != NULL)
    closedir (dir);
  return found;
}

static void
find_server (HearthSampler *self,
             guint          port)
{
  g_autofree char *proc = g_build_filename (self->root, "proc", NULL);
  guint64 inodes[MAX_INODES];
  guint n_inodes = listening_inodes (self, port, inodes);
  DIR *dir;
  struct dirent *entry;

  self->server_scan_us = g_get_monotonic_time ();
  /* Nothing listens, or the walk already failed for this socket (it
   * belongs to another user, whose fds are not ours to read). */
  if (n_inodes == 0 || inodes[0] == self->server_scan_inode)
    return;
  self->server_scan_inode = inodes[0];
  dir = opendir (proc);
  while (dir != NULL && (entry = readdir (dir)) != NULL)
    if (g_ascii_isdigit (entry->d_name[0])
        && process_holds_socket (self, entry->d_name, inodes, n_inodes))
      break;
  if (dir != NULL)
    closedir (dir);
}

static gboolean
server_still_there (HearthSampler *self)
{
  char target[64];
  ssize_t length;

  if (self->server_pid <= 0)
    return FALSE;
  length = readlink (self->server_fd_path, target, sizeof target - 1);
  if (length <= 0)
    return FALSE;
  target[length] = '\0';
  return g_str_equal (target, self->server_link);
}

static void
read_server_cpu (HearthSampler *self,
                 HearthSample  *sample)
{
  char path[64];
  g_autofree char *full = NULL;
  unsigned long utime, stime;
  const char *fields;
  gint64 now = g_get_monotonic_time ();

  g_snprintf (path, sizeof path, "proc/%d/stat", self->server_pid);
  full = g_build_filename (self->root, path, NULL);
  if (_hearth_sampler_read_into (self, full) <= 0 || (fields = strrchr (self->buffer, ')')) == NULL)
    return;
  /* After the name: state, then fields 4..13, then utime and stime. */
  if (sscanf (fields + 1, " %*c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %lu %lu",
              &utime, &stime) != 2)
    return;
  if (self->server_ticks_us > 0 && now > self->server_ticks_us
      && utime + stime >= self->server_ticks)
    sample->server_cpu_percent = 100.0 * (utime + stime - self->server_ticks) / self->clock_ticks
                                 / ((now - self->server_ticks_us) / (double) G_USEC_PER_SEC);
  self->server_ticks = utime + stime;
  self->server_ticks_us = now;
}

static void
read_server_rss (HearthSampler *self,
                 HearthSample  *sample)
{
  char path[64];
  g_autofree char *full = NULL;
  unsigned long size, resident;

  g_snprintf (path, sizeof path, "proc/%d/statm", self->server_pid);
  full = g_build_filename (self->root, path, NULL);
  if (_hearth_sampler_read_into (self, full) > 0 && sscanf (self->buffer, "%lu %lu", &size, &resident) == 2)
    sample->server_rss = (gint64) resident * self->page_size;
}

void
_hearth_sampler_read_server (HearthSampler *self,
             HearthSample  *sample,
             guint          port)
{
  if (port != self->server_port_read)
    {
      server_set (self, 0, NULL, 0);
      self->server_port_read = port;
      self->server_scan_us = 0;
      self->server_scan_inode = 0;
    }
  if (port == 0)
    return;
  if (!server_still_there (self))
    {
      server_set (self, 0, NULL, 0);
      if (self->server_scan_us == 0
          || g_get_monotonic_time () - self->server_scan_us >= SERVER_RESCAN_US)
        find_server (self, port);
    }
  if (self->server_pid <= 0)
    return;
  sample->server_pid = self->server_pid;
  read_server_cpu (self, sample);
  read_server_rss (self, sample);
}

void
_hearth_sampler_forget_server (HearthSampler *self)
{
  server_set (self, 0, NULL, 0);
}
