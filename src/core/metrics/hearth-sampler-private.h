/* hearth-sampler-private.h — what the sampler's files share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-hardware.h"
#include "hearth-sampler.h"

G_BEGIN_DECLS

/* What the reading side keeps between two readings. */
typedef struct
{
  guint64  busy;
  guint64  total;
} CpuTimes;

struct _HearthSampler
{
  GObject          parent_instance;

  /* Reading: one thread at a time, under read_lock */
  GMutex           read_lock;
  char            *root;
  char            *stat_path;
  char            *meminfo_path;
  char            *buffer;
  gsize            buffer_size;
  CpuTimes        *cpu_prev;         /* [0] all cores, [1 + i] core i */
  CpuTimes        *cpu_now;
  guint            cpu_capacity;
  guint            n_cpu_prev;       /* entries in cpu_prev, 0 = none yet */
  HearthGpuReader *gpus;
  guint            server_port_read; /* the port the cached pid was found for */
  int              server_pid;
  char            *server_fd_path;   /* the fd linking to the socket */
  char            *server_link;      /* "socket:[inode]" */
  gint64           server_scan_us;   /* monotonic, last walk of /proc; 0 = never */
  guint64          server_scan_inode;  /* the socket that walk looked for */
  guint64          server_ticks;
  gint64           server_ticks_us;
  long             clock_ticks;
  long             page_size;

  /* Shared with the worker thread, under lock */
  GMutex           lock;
  GCond            cond;
  guint            port;
  char            *disk_path;
  guint            holds;
  guint            active_ms;
  guint            idle_ms;
  gboolean         stopping;

  /* Main thread */
  GThread         *thread;
  GMainContext    *context;
  guint            generation;
  HearthSample   **ring;
  guint            ring_capacity;
  guint            ring_start;
  guint            ring_length;
};

/* Reads @path whole into self->buffer (reused: files are read every
 * second); returns its length, or -1. Under read_lock. */
gssize _hearth_sampler_read_into      (HearthSampler *self,
                                       const char    *path);

/* The inference server's process (hearth-sampler-server.c), under read_lock:
 * its pid, CPU and resident memory into @sample, for the server listening
 * on @port (0: none). */
void   _hearth_sampler_read_server    (HearthSampler *self,
                                       HearthSample  *sample,
                                       guint          port);
void   _hearth_sampler_forget_server  (HearthSampler *self);

G_END_DECLS
