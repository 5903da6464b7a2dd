/* hearth-sampler.h — CPU, memory, GPU and inference-server use over time
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* One reading. Every figure is read from /proc, /sys or NVML; -1 when it
 * could not be (no GPU, no server on this machine, first reading of a
 * counter that needs two). */
typedef struct
{
  gint64   time_us;            /* g_get_real_time () when read */
  double   cpu_percent;        /* all cores, 0..100 */
  guint    n_cores;
  double  *core_percent;       /* n_cores values, 0..100 (or -1) */
  gint64   mem_total;          /* bytes */
  gint64   mem_used;           /* MemTotal - MemAvailable */
  gint64   swap_total;
  gint64   swap_used;
  double   gpu_percent;        /* busiest GPU, 0..100 */
  gint64   vram_total;         /* all GPUs with own memory, summed */
  gint64   vram_used;
  double   gpu_temperature_c;  /* hottest GPU */
  double   gpu_power_w;        /* all GPUs, summed */
  int      server_pid;         /* the process listening on the server's port */
  double   server_cpu_percent; /* of one core: 200 = two cores busy */
  gint64   server_rss;         /* bytes */
  gint64   disk_free;          /* bytes free to this user on the disk of the
                                * disk path (hearth_sampler_set_disk_path) */
} HearthSample;

HearthSample *hearth_sample_new  (guint               n_cores);
void          hearth_sample_free (HearthSample       *sample);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthSample, hearth_sample_free)

#define HEARTH_TYPE_SAMPLER (hearth_sampler_get_type ())

G_DECLARE_FINAL_TYPE (HearthSampler, hearth_sampler, HEARTH, SAMPLER, GObject)

/* @root: "/" for this machine, or a fixture tree laid out like it
 * (proc/stat, proc/meminfo, proc/net/tcp, proc/<pid>/..., sys/class/drm,
 * nvidia-smi.csv). @ring_capacity: samples kept in memory (600 = 10 min
 * at 1 Hz). */
HearthSampler      *hearth_sampler_new               (const char     *root,
                                                      guint           ring_capacity);

/* Synchronous: reads everything once, pushes the sample onto the ring and
 * returns it (owned by the ring). Safe to call from a worker thread as
 * long as one thread at a time does. */
const HearthSample *hearth_sampler_sample            (HearthSampler  *self);

/* The local port of the inference server (0 = none or not on this
 * machine); the process listening on it is looked up in /proc. */
void                hearth_sampler_set_server_port   (HearthSampler  *self,
                                                      guint           port);

/* A file or folder whose disk's free space each sample reads (statvfs, on
 * the sampler's thread); NULL for none. */
void                hearth_sampler_set_disk_path     (HearthSampler  *self,
                                                      const char     *path);

/* The ring: index 0 is the oldest sample kept. */
guint               hearth_sampler_get_n_samples     (HearthSampler  *self);
const HearthSample *hearth_sampler_get_sample        (HearthSampler  *self,
                                                      guint           index);
const HearthSample *hearth_sampler_get_last          (HearthSampler  *self);

/* Periodic sampling on a worker thread; "sample" (HearthSample *) is
 * emitted on the thread-default main context of the caller of start().
 * While at least one hold is taken the interval is 1 s, otherwise the
 * idle interval (10 s). */
void                hearth_sampler_start             (HearthSampler  *self);
void                hearth_sampler_stop              (HearthSampler  *self);
gboolean            hearth_sampler_is_running        (HearthSampler  *self);
void                hearth_sampler_hold              (HearthSampler  *self);
void                hearth_sampler_release           (HearthSampler  *self);
guint               hearth_sampler_get_interval_ms   (HearthSampler  *self);
void                hearth_sampler_get_intervals     (HearthSampler  *self,
                                                      guint          *active_ms,
                                                      guint          *idle_ms);
void                hearth_sampler_set_intervals     (HearthSampler  *self,
                                                      guint           active_ms,
                                                      guint           idle_ms);

/* Peak values over samples taken at or after @since_us (for benchmarks);
 * each is -1 when no sample had it. */
void                hearth_sampler_get_peaks         (HearthSampler  *self,
                                                      gint64          since_us,
                                                      double         *cpu_percent,
                                                      gint64         *mem_used,
                                                      gint64         *vram_used);

G_END_DECLS
