/* hearth-managed-private.h — what the files of managed servers share
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only src/core/servers/hearth-managed*.c include this. One supervisor per
 * managed server this process has started, adopted or looked at
 * (HearthServers.supervisors, keyed by the HearthServer).
 */
#pragma once

#include "hearth-servers-impl.h"

G_BEGIN_DECLS

/* How often an adopted process (another Hearth process's, or one left
 * running) is checked, and how long a stop waits before SIGKILL. */
#define HEARTH_MANAGED_WATCH_MS      2000
#define HEARTH_MANAGED_STOP_WAIT_MS  5000
#define HEARTH_MANAGED_READY_MS      200
#define HEARTH_MANAGED_READY_MAX_S   60
#define HEARTH_MANAGED_LOG_MAX       (1024 * 1024)
#define HEARTH_MANAGED_TAIL_LINES    12
#define HEARTH_MANAGED_ALERT_MS      5000

typedef struct
{
  HearthServers      *servers;       /* not referenced; NULL once the list is gone */
  HearthServer       *server;        /* a reference */
  char               *name;          /* of the pid, lock and log files (as started) */

  /* The process */
  GSubprocess        *process;       /* ours, or NULL */
  int                 pid;           /* ours or adopted; 0: none */
  gboolean            adopted;       /* another process's (or one left running): watched */
  gboolean            spawned_kept;  /* started in its own session, without PDEATHSIG */
  guint               generation;    /* of the current process: stale callbacks see a newer one */
  int                 lock_fd;       /* held while this process supervises it; -1 */
  gboolean            stopping;      /* asked to stop: its exit is not a crash */
  gboolean            restarting;    /* the current process is a restart, not started by hand */

  guint               ready_id;      /* readiness probes */
  gint64              ready_deadline_us;
  gint64              probe_start_us;
  GCancellable       *probe_cancellable;
  guint               restart_id;
  guint               watch_id;      /* adopted: is it alive? stopping: is it gone? */
  gint64              kill_deadline_us;
  guint               kill_id;
  GArray             *restart_times; /* gint64, monotonic µs, of the last minute's restarts */
  guint               alert_id;      /* given up: the alerts engine hears "down" until it runs */
  gboolean            alerted;

  GList              *start_tasks;   /* GTask: finished once it answers (or cannot) */
  GList              *stop_tasks;    /* GTask: finished once it is gone */

  /* Its log: the process writes it (O_APPEND), this process reads it */
  int                 log_fd;        /* O_APPEND, for Hearth's own lines; -1 */
  GFileMonitor       *log_monitor;
  goffset             log_offset;
  GString            *partial;
  GQueue              tail;          /* the last lines (char *) */
} HearthSupervisor;

/* hearth-managed.c */
HearthSupervisor *_hearth_supervisor_ensure     (HearthServers     *servers,
                                                 HearthServer      *server);
void              _hearth_supervisor_finish_starts (HearthSupervisor *sup,
                                                    const GError     *error);
void              _hearth_supervisor_finish_stops  (HearthSupervisor *sup);
/* For an engine server: `node <engine>/server.mjs` (nullable). */
char             *_hearth_managed_engine_script   (void);

void              _hearth_supervisor_unref       (HearthSupervisor  *sup);
/* http://127.0.0.1:PORT (and /v1 for llama-server) */
char             *_hearth_managed_url            (HearthManagedKind  kind,
                                                  guint              port);

/* hearth-managed-log.c */
/* $XDG_RUNTIME_DIR/hearth/managed/NAME+SUFFIX (the folder: NULL, NULL) */
char             *_hearth_managed_runtime_path   (const char        *name,
                                                  const char        *suffix);
gboolean          _hearth_managed_pid_alive      (int                pid);
/* Exited (a zombie of ours not reaped yet counts) or no such process. */
gboolean          _hearth_managed_pid_gone       (int                pid);
void              _hearth_supervisor_write_pid_file (HearthSupervisor *sup,
                                                     guint             port);
/* Removed when it names @pid (0: any), or a process that is gone. */
void              _hearth_supervisor_remove_pid_file (HearthSupervisor *sup,
                                                      int               pid);
gboolean          _hearth_supervisor_pid_file_exists (HearthSupervisor *sup);
/* FALSE: another Hearth process supervises it. */
gboolean          _hearth_supervisor_take_lock   (HearthSupervisor  *sup);
void              _hearth_supervisor_drop_lock   (HearthSupervisor  *sup);
/* Opens the log for Hearth's own lines and follows it from its end. */
gboolean          _hearth_supervisor_open_log    (HearthSupervisor  *sup,
                                                  GError           **error);
void              _hearth_supervisor_close_log   (HearthSupervisor  *sup);

/* hearth-managed-process.c */
guint             _hearth_managed_free_port      (void);
gboolean          _hearth_supervisor_spawn       (HearthSupervisor  *sup,
                                                  GError           **error);
/* The pid file: a live process's pid (0: none or dead) and port. */
int               _hearth_managed_read_pid_file  (const char        *name,
                                                  guint             *port);
void              _hearth_supervisor_adopt       (HearthSupervisor  *sup,
                                                  int                pid);
/* SIGTERM (SIGKILL after 5 s); the stop tasks finish once it is gone. */
void              _hearth_supervisor_stop        (HearthSupervisor  *sup);
/* The list goes, or this process quits: ours not kept get SIGTERM (and,
 * @wait_us > 0, are waited for up to then), the kept ones are let go. */
void              _hearth_supervisor_release     (HearthSupervisor  *sup,
                                                  gboolean           terminate);
gboolean          _hearth_supervisor_wait_gone   (HearthSupervisor  *sup,
                                                  gint64             deadline_us);
void              _hearth_supervisor_free_process (HearthSupervisor *sup);
void              _hearth_supervisor_log         (HearthSupervisor  *sup,
                                                  const char        *format,
                                                  ...) G_GNUC_PRINTF (2, 3);
void              _hearth_supervisor_read_log    (HearthSupervisor  *sup);
/* The last lines of the log, joined with " / " (nullable). */
char             *_hearth_supervisor_tail_text   (HearthSupervisor  *sup);
void              _hearth_supervisor_set_state   (HearthSupervisor  *sup,
                                                  HearthProcessState state,
                                                  const char        *message);

G_END_DECLS
