/* hearth-sampler.c — CPU, memory, GPU and inference-server use over time
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-sampler"

#define _GNU_SOURCE

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "hearth-sampler-private.h"

#define DEFAULT_ACTIVE_MS 1000
/* The one timer that runs while Hearth is idle and hidden, on purpose: each
 * tick (a sample read in the sampler's thread, handed to the main thread)
 * is what the alert rules on the machine's resources evaluate (a new user
 * already has one, "Little space left for models"; CPU, memory, swap, VRAM,
 * GPU temperature and power can be added), what the "Server down" rule's
 * probe rides on, and what the Performance page's per-minute and per-hour
 * history is made of, so a graph of the last day has no hole where the
 * window was closed. One wake-up every 10 s; every second only while a page
 * holds the sampler to draw it live. */
#define DEFAULT_IDLE_MS   10000

G_DEFINE_FINAL_TYPE (HearthSampler, hearth_sampler, G_TYPE_OBJECT)

enum {
  SAMPLE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Samples */

/**
 * hearth_sample_new:
 * @n_cores: how many per-core figures the sample has room for
 *
 * Returns: (transfer full): a sample taken now, every figure unknown (-1)
 */
HearthSample *
hearth_sample_new (guint n_cores)
{
  HearthSample *sample = g_new0 (HearthSample, 1);

  sample->time_us = g_get_real_time ();
  sample->cpu_percent = -1;
  sample->n_cores = n_cores;
  sample->core_percent = g_new (double, MAX (n_cores, 1));
  for (guint i = 0; i < n_cores; i++)
    sample->core_percent[i] = -1;
  sample->mem_total = sample->mem_used = -1;
  sample->swap_total = sample->swap_used = -1;
  sample->gpu_percent = -1;
  sample->vram_total = sample->vram_used = -1;
  sample->gpu_temperature_c = -1;
  sample->gpu_power_w = -1;
  sample->server_pid = -1;
  sample->server_cpu_percent = -1;
  sample->server_rss = -1;
  sample->disk_free = -1;
  return sample;
}

void
hearth_sample_free (HearthSample *sample)
{
  if (sample == NULL)
    return;
  g_free (sample->core_percent);
  g_free (sample);
}

/* Files: read every second, so into one reused buffer with open and read
 * rather than an allocation per file. */

gssize
_hearth_sampler_read_into (HearthSampler *self,
           const char    *path)
{
  gsize length = 0;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return -1;
  for (;;)
    {
      gssize n;

      if (length + 1 >= self->buffer_size)
        {
          self->buffer_size *= 2;
          self->buffer = g_realloc (self->buffer, self->buffer_size);
        }
      n = read (fd, self->buffer + length, self->buffer_size - length - 1);
      if (n <= 0)
        break;
      length += n;
    }
  close (fd);
  self->buffer[length] = '\0';
  return length;
}

/* CPU: /proc/stat's "cpu" and "cpuN" lines count jiffies in user, nice,
 * system, idle, iowait, irq, softirq and steal (guest time is already in
 * user). */

static gboolean
parse_cpu_line (const char *line,
                CpuTimes   *times)
{
  guint64 field[8] = { 0, };
  const char *p = line;
  char *end;

  while (*p != ' ' && *p != '\0')
    p++;
  for (guint i = 0; i < G_N_ELEMENTS (field); i++)
    {
      field[i] = g_ascii_strtoull (p, &end, 10);
      if (end == p)
        {
          if (i < 4)
            return FALSE;
          break;
        }
      p = end;
    }
  times->total = 0;
  for (guint i = 0; i < G_N_ELEMENTS (field); i++)
    times->total += field[i];
  times->busy = times->total - field[3] - field[4];
  return TRUE;
}

static guint
count_cpu_lines (const char *text)
{
  guint n = 0;

  for (const char *line = text; line != NULL && g_str_has_prefix (line, "cpu"); n++)
    {
      line = strchr (line, '\n');
      if (line != NULL)
        line++;
    }
  return n;
}

/* Returns the number of entries: [0] all cores, then one per core. */
static guint
parse_stat (char     *text,
            CpuTimes *times,
            guint     n_max)
{
  guint n = 0;

  for (char *line = text; line != NULL && g_str_has_prefix (line, "cpu") && n < n_max;)
    {
      char *next = strchr (line, '\n');

      if (next != NULL)
        *next++ = '\0';
      if (parse_cpu_line (line, &times[n]))
        n++;
      line = next;
    }
  return n;
}

static double
busy_percent (const CpuTimes *before,
              const CpuTimes *after)
{
  guint64 total, busy;

  if (after->total <= before->total || after->busy < before->busy)
    return -1;
  total = after->total - before->total;
  busy = after->busy - before->busy;
  return CLAMP (100.0 * busy / total, 0, 100);
}

static HearthSample *
read_cpu (HearthSampler *self)
{
  gssize length = _hearth_sampler_read_into (self, self->stat_path);
  guint n_lines = length > 0 ? count_cpu_lines (self->buffer) : 0;
  HearthSample *sample;
  CpuTimes *swap;
  guint n;

  if (n_lines > self->cpu_capacity)
    {
      self->cpu_prev = g_renew (CpuTimes, self->cpu_prev, n_lines);
      self->cpu_now = g_renew (CpuTimes, self->cpu_now, n_lines);
      self->cpu_capacity = n_lines;
      self->n_cpu_prev = 0;
    }
  n = n_lines > 0 ? parse_stat (self->buffer, self->cpu_now, n_lines) : 0;
  sample = hearth_sample_new (n > 0 ? n - 1 : 0);

  /* A CPU going on- or offline changes the lines: start over. */
  if (n > 0 && n == self->n_cpu_prev)
    {
      sample->cpu_percent = busy_percent (&self->cpu_prev[0], &self->cpu_now[0]);
      for (guint i = 1; i < n; i++)
        sample->core_percent[i - 1] = busy_percent (&self->cpu_prev[i], &self->cpu_now[i]);
    }
  swap = self->cpu_prev;
  self->cpu_prev = self->cpu_now;
  self->cpu_now = swap;
  self->n_cpu_prev = n;
  return sample;
}

/* Memory */

static gint64
meminfo_value (const char *text,
               const char *key)
{
  const char *line = strstr (text, key);

  while (line != NULL && line != text && line[-1] != '\n')
    line = strstr (line + 1, key);
  if (line == NULL)
    return -1;
  return g_ascii_strtoll (line + strlen (key), NULL, 10) * 1024;
}

static void
read_memory (HearthSampler *self,
             HearthSample  *sample)
{
  gint64 available, swap_free;

  if (_hearth_sampler_read_into (self, self->meminfo_path) <= 0)
    return;
  sample->mem_total = meminfo_value (self->buffer, "MemTotal:");
  available = meminfo_value (self->buffer, "MemAvailable:");
  sample->swap_total = meminfo_value (self->buffer, "SwapTotal:");
  swap_free = meminfo_value (self->buffer, "SwapFree:");
  if (sample->mem_total >= 0 && available >= 0)
    sample->mem_used = sample->mem_total - available;
  if (sample->swap_total >= 0 && swap_free >= 0)
    sample->swap_used = sample->swap_total - swap_free;
}

/* GPUs: the busiest and hottest card, power summed over all cards and
 * memory over those that have their own (an APU's is system memory). */
static void
read_gpus (HearthSampler *self,
           HearthSample  *sample)
{
  g_autoptr(GPtrArray) gpus = hearth_gpu_reader_read (self->gpus);

  for (guint i = 0; i < gpus->len; i++)
    {
      const HearthGpu *gpu = g_ptr_array_index (gpus, i);

      if (gpu->utilization >= 0)
        sample->gpu_percent = MAX (sample->gpu_percent, gpu->utilization);
      if (gpu->temperature_c >= 0)
        sample->gpu_temperature_c = MAX (sample->gpu_temperature_c, gpu->temperature_c);
      if (gpu->power_w >= 0)
        sample->gpu_power_w = MAX (sample->gpu_power_w, 0) + gpu->power_w;
      if (!gpu->integrated && gpu->vram_total >= 0)
        sample->vram_total = MAX (sample->vram_total, 0) + gpu->vram_total;
      if (!gpu->integrated && gpu->vram_used >= 0)
        sample->vram_used = MAX (sample->vram_used, 0) + gpu->vram_used;
    }
}

/* One statvfs (a few microseconds): free to this user, not to root. */
static void
read_disk (HearthSample *sample,
           const char   *path)
{
  struct statvfs info;

  if (path != NULL && statvfs (path, &info) == 0)
    sample->disk_free = (gint64) info.f_bavail * (gint64) info.f_frsize;
}

static HearthSample *
take_sample (HearthSampler *self)
{
  HearthSample *sample;
  g_autofree char *disk_path = NULL;
  guint port;

  g_mutex_lock (&self->lock);
  port = self->port;
  disk_path = g_strdup (self->disk_path);
  g_mutex_unlock (&self->lock);

  g_mutex_lock (&self->read_lock);
  sample = read_cpu (self);
  read_memory (self, sample);
  read_gpus (self, sample);
  _hearth_sampler_read_server (self, sample, port);
  read_disk (sample, disk_path);
  g_mutex_unlock (&self->read_lock);
  return sample;
}

/* The ring */

static const HearthSample *
ring_push (HearthSampler *self,
           HearthSample  *sample)
{
  guint slot;

  if (self->ring_length == self->ring_capacity)
    {
      slot = self->ring_start;
      hearth_sample_free (self->ring[slot]);
      self->ring_start = (self->ring_start + 1) % self->ring_capacity;
    }
  else
    {
      slot = (self->ring_start + self->ring_length) % self->ring_capacity;
      self->ring_length++;
    }
  self->ring[slot] = sample;
  return sample;
}

/* Periodic sampling */

typedef struct
{
  GWeakRef      sampler;
  HearthSample *sample;
  guint         generation;
} Delivery;

static void
delivery_free (Delivery *delivery)
{
  g_weak_ref_clear (&delivery->sampler);
  hearth_sample_free (delivery->sample);
  g_free (delivery);
}

static gboolean
deliver_cb (gpointer user_data)
{
  Delivery *delivery = user_data;
  g_autoptr(HearthSampler) self = g_weak_ref_get (&delivery->sampler);
  const HearthSample *sample;

  /* Read before stop (): dropped. */
  if (self == NULL || self->thread == NULL || delivery->generation != self->generation)
    return G_SOURCE_REMOVE;
  sample = ring_push (self, g_steal_pointer (&delivery->sample));
  g_signal_emit (self, signals[SAMPLE], 0, sample);
  return G_SOURCE_REMOVE;
}

/* Not g_main_context_invoke (): it would call back in this thread
 * whenever the main context happens not to be running. */
static void
deliver (HearthSampler *self,
         HearthSample  *sample)
{
  g_autoptr(GSource) source = g_idle_source_new ();
  Delivery *delivery = g_new0 (Delivery, 1);

  g_weak_ref_init (&delivery->sampler, self);
  delivery->sample = sample;
  delivery->generation = self->generation;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, deliver_cb, delivery, (GDestroyNotify) delivery_free);
  g_source_set_static_name (source, "[hearth] sampler delivery");
  g_source_attach (source, self->context);
}

static gint64
interval_us_locked (HearthSampler *self)
{
  return (gint64) (self->holds > 0 ? self->active_ms : self->idle_ms) * 1000;
}

/* self->context and self->generation do not change while this runs:
 * stop () joins the thread before it touches them. */
static gpointer
sampler_thread (gpointer data)
{
  HearthSampler *self = data;

  g_mutex_lock (&self->lock);
  while (!self->stopping)
    {
      gint64 started = g_get_monotonic_time ();

      g_mutex_unlock (&self->lock);
      deliver (self, take_sample (self));
      g_mutex_lock (&self->lock);
      /* Recomputed on every wake-up, so hold () and release () take effect
       * at once. */
      while (!self->stopping && g_get_monotonic_time () < started + interval_us_locked (self))
        g_cond_wait_until (&self->cond, &self->lock, started + interval_us_locked (self));
    }
  g_mutex_unlock (&self->lock);
  return NULL;
}

/* GObject */

static void
hearth_sampler_dispose (GObject *object)
{
  HearthSampler *self = HEARTH_SAMPLER (object);

  hearth_sampler_stop (self);

  G_OBJECT_CLASS (hearth_sampler_parent_class)->dispose (object);
}

static void
hearth_sampler_finalize (GObject *object)
{
  HearthSampler *self = HEARTH_SAMPLER (object);

  for (guint i = 0; i < self->ring_length; i++)
    hearth_sample_free (self->ring[(self->ring_start + i) % self->ring_capacity]);
  g_free (self->ring);
  g_clear_pointer (&self->gpus, hearth_gpu_reader_free);
  _hearth_sampler_forget_server (self);
  g_free (self->cpu_prev);
  g_free (self->cpu_now);
  g_free (self->buffer);
  g_free (self->root);
  g_free (self->disk_path);
  g_free (self->stat_path);
  g_free (self->meminfo_path);
  g_mutex_clear (&self->read_lock);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (hearth_sampler_parent_class)->finalize (object);
}

static void
hearth_sampler_class_init (HearthSamplerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hearth_sampler_dispose;
  object_class->finalize = hearth_sampler_finalize;

  /**
   * HearthSampler::sample:
   * @sampler: the sampler
   * @sample: (type gpointer): the HearthSample just pushed onto the ring,
   *   owned by the ring
   */
  signals[SAMPLE] = g_signal_new ("sample",
                                  G_TYPE_FROM_CLASS (klass),
                                  G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL,
                                  g_cclosure_marshal_VOID__POINTER,
                                  G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
hearth_sampler_init (HearthSampler *self)
{
  g_mutex_init (&self->read_lock);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->active_ms = DEFAULT_ACTIVE_MS;
  self->idle_ms = DEFAULT_IDLE_MS;
  self->buffer_size = 16 * 1024;
  self->buffer = g_malloc (self->buffer_size);
  self->clock_ticks = sysconf (_SC_CLK_TCK);
  self->page_size = sysconf (_SC_PAGESIZE);
}

/**
 * hearth_sampler_new:
 * @root: (nullable): "/" or %NULL for this machine, or a fixture tree
 * @ring_capacity: how many samples the ring keeps, at least 1
 *
 * On this machine, loads NVML when it is installed.
 *
 * Returns: (transfer full): a new sampler, not running
 */
HearthSampler *
hearth_sampler_new (const char *root,
                    guint       ring_capacity)
{
  HearthSampler *self;

  g_return_val_if_fail (ring_capacity > 0, NULL);

  self = g_object_new (HEARTH_TYPE_SAMPLER, NULL);
  self->root = g_strdup (root != NULL ? root : "/");
  self->stat_path = g_build_filename (self->root, "proc", "stat", NULL);
  self->meminfo_path = g_build_filename (self->root, "proc", "meminfo", NULL);
  self->gpus = hearth_gpu_reader_new (self->root);
  self->ring_capacity = ring_capacity;
  self->ring = g_new0 (HearthSample *, ring_capacity);
  return self;
}

const HearthSample *
hearth_sampler_sample (HearthSampler *self)
{
  g_return_val_if_fail (HEARTH_IS_SAMPLER (self), NULL);

  return ring_push (self, take_sample (self));
}

void
hearth_sampler_set_server_port (HearthSampler *self,
                                guint          port)
{
  g_return_if_fail (HEARTH_IS_SAMPLER (self));
  g_return_if_fail (port <= G_MAXUINT16);

  g_mutex_lock (&self->lock);
  self->port = port;
  g_mutex_unlock (&self->lock);
}

void
hearth_sampler_set_disk_path (HearthSampler *self,
                              const char    *path)
{
  g_return_if_fail (HEARTH_IS_SAMPLER (self));

  g_mutex_lock (&self->lock);
  g_free (self->disk_path);
  self->disk_path = g_strdup (path);
  g_mutex_unlock (&self->lock);
}

guint
hearth_sampler_get_n_samples (HearthSampler *self)
{
  g_return_val_if_fail (HEARTH_IS_SAMPLER (self), 0);

  return self->ring_length;
}

const HearthSample *
hearth_sampler_get_sample (HearthSampler *self,
                           guint          index)
{
  g_return_val_if_fail (HEARTH_IS_SAMPLER (self), NULL);
  g_return_val_if_fail (index < self->ring_length, NULL);

  return self->ring[(self->ring_start + index) % self->ring_capacity];
}

const HearthSample *
hearth_sampler_get_last (HearthSampler *self)
{
  g_return_val_if_fail (HEARTH_IS_SAMPLER (self), NULL);

  if (self->ring_length == 0)
    return NULL;
  return hearth_sampler_get_sample (self, self->ring_length - 1);
}

void
hearth_sampler_start (HearthSampler *self)
{
  g_return_if_fail (HEARTH_IS_SAMPLER (self));

  if (self->thread != NULL)
    return;
  self->context = g_main_context_ref_thread_default ();
  self->stopping = FALSE;
  self->thread = g_thread_new ("hearth-sampler", sampler_thread, self);
}

void
hearth_sampler_stop (HearthSampler *self)
{
  g_return_if_fail (HEARTH_IS_SAMPLER (self));

  if (self->thread == NULL)
    return;
  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  g_clear_pointer (&self->thread, g_thread_join);
  /* Deliveries still queued on the context find another generation. */
  self->generation++;
  g_clear_pointer (&self->context, g_main_context_unref);
}

gboolean
hearth_sampler_is_running (HearthSampler *self)
{
  g_return_val_if_fail (HEARTH_IS_SAMPLER (self), FALSE);

  return self->thread != NULL;
}

void
hearth_sampler_hold (HearthSampler *self)
{
  g_return_if_fail (HEARTH_IS_SAMPLER (self));

  g_mutex_lock (&self->lock);
  self->holds++;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
hearth_sampler_release (HearthSampler *self)
{
  g_return_if_fail (HEARTH_IS_SAMPLER (self));

  g_mutex_lock (&self->lock);
  if (self->holds == 0)
    g_critical ("hearth_sampler_release () without a hold");
  else
    self->holds--;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}

guint
hearth_sampler_get_interval_ms (HearthSampler *self)
{
  guint interval;

  g_return_val_if_fail (HEARTH_IS_SAMPLER (self), 0);

  g_mutex_lock (&self->lock);
  interval = (guint) (interval_us_locked (self) / 1000);
  g_mutex_unlock (&self->lock);
  return interval;
}

/* What set_intervals () set: while held (a page shows the samples) and otherwise. */
void
hearth_sampler_get_intervals (HearthSampler *self,
                              guint         *active_ms,
                              guint         *idle_ms)
{
  g_return_if_fail (HEARTH_IS_SAMPLER (self));

  g_mutex_lock (&self->lock);
  *active_ms = self->active_ms;
  *idle_ms = self->idle_ms;
  g_mutex_unlock (&self->lock);
}

void
hearth_sampler_set_intervals (HearthSampler *self,
                              guint          active_ms,
                              guint          idle_ms)
{
  g_return_if_fail (HEARTH_IS_SAMPLER (self));
  g_return_if_fail (active_ms > 0 && idle_ms > 0);

  g_mutex_lock (&self->lock);
  self->active_ms = active_ms;
  self->idle_ms = idle_ms;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}

static void
peak_double (double *peak,
             double  value)
{
  if (peak != NULL && value >= 0)
    *peak = MAX (*peak, value);
}

static void
peak_int (gint64 *peak,
          gint64  value)
{
  if (peak != NULL && value >= 0)
    *peak = MAX (*peak, value);
}

void
hearth_sampler_get_peaks (HearthSampler *self,
                          gint64         since_us,
                          double        *cpu_percent,
                          gint64        *mem_used,
                          gint64        *vram_used)
{
  g_return_if_fail (HEARTH_IS_SAMPLER (self));

  if (cpu_percent != NULL)
    *cpu_percent = -1;
  if (mem_used != NULL)
    *mem_used = -1;
  if (vram_used != NULL)
    *vram_used = -1;
  for (guint i = 0; i < self->ring_length; i++)
    {
      const HearthSample *sample = hearth_sampler_get_sample (self, i);

      if (sample->time_us < since_us)
        continue;
      peak_double (cpu_percent, sample->cpu_percent);
      peak_int (mem_used, sample->mem_used);
      peak_int (vram_used, sample->vram_used);
    }
}
