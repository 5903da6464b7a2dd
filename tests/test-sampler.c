/* test-sampler.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <math.h>
#include <sys/statvfs.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hearth-hardware.h"
#include "hearth-resource-history.h"
#include "hearth-sampler.h"
#include "hearth-test-util.h"

#define KIB G_GINT64_CONSTANT (1024)
#define MIB (KIB * 1024)

#define MINUTE_MS G_GINT64_CONSTANT (60000)
#define HOUR_MS   (60 * MINUTE_MS)
/* 2023-11-14 22:00 UTC: on an hour. */
#define T0_MS     G_GINT64_CONSTANT (1699999200000)

static char *
fixture_root (const char *tree)
{
  return g_build_filename (g_getenv ("HEARTH_SOURCE_DIR"), "tests", "data", "hardware", tree, NULL);
}

static char *
fixture_file (const char *tree,
              const char *relative)
{
  g_autofree char *root = fixture_root (tree);
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static void
write_file (const char *root,
            const char *relative,
            const char *contents)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
write_link (const char *root,
            const char *relative,
            const char *target)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_cmpint (symlink (target, path), ==, 0);
}

/* A root under the temporary directory with a fixture's proc/stat and
 * proc/meminfo, for tests that rewrite files between samples. */
static char *
copy_fixture (const char *tree,
              const char *name)
{
  char *root = hearth_test_build_tmp_path (name, NULL);
  g_autofree char *stat = fixture_file (tree, "proc/stat");
  g_autofree char *meminfo = fixture_file (tree, "proc/meminfo");

  write_file (root, "proc/stat", stat);
  write_file (root, "proc/meminfo", meminfo);
  return root;
}

static gint64
test_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

/* CPU */

/* Adds to each cpu line of @stat: core i gets 5 × i jiffies of user and
 * system time and the rest of 100 in idle and iowait (which is not busy
 * either); the total line gets the sum. */
static char *
advance_stat (const char *stat,
              guint       n_cores)
{
  g_auto(GStrv) lines = g_strsplit (stat, "\n", -1);
  GString *out = g_string_new (NULL);

  for (guint l = 0; lines[l] != NULL; l++)
    {
      g_auto(GStrv) fields = NULL;
      guint64 add[4];
      gboolean total = g_str_has_prefix (lines[l], "cpu ");

      if (!g_str_has_prefix (lines[l], "cpu"))
        {
          g_string_append_printf (out, "%s\n", lines[l]);
          continue;
        }
      if (total)
        {
          guint64 busy = 5 * (n_cores - 1) * n_cores / 2;

          add[0] = busy / 2;
          add[1] = busy - busy / 2;
          add[2] = 95 * n_cores - busy;
          add[3] = 5 * n_cores;
        }
      else
        {
          guint core = (guint) g_ascii_strtoull (lines[l] + 3, NULL, 10);

          add[0] = 3 * core;
          add[1] = 2 * core;
          add[2] = 95 - 5 * core;
          add[3] = 5;
        }
      fields = g_strsplit_set (lines[l], " ", -1);
      g_string_append (out, fields[0]);
      for (guint i = 1, n = 0; fields[i] != NULL; i++)
        {
          guint64 value;

          if (*fields[i] == '\0')
            {
              g_string_append_c (out, ' ');
              continue;
            }
          value = g_ascii_strtoull (fields[i], NULL, 10);
          /* user, system, idle, iowait are fields 0, 2, 3, 4 */
          if (n == 0)
            value += add[0];
          else if (n == 2)
            value += add[1];
          else if (n == 3)
            value += add[2];
          else if (n == 4)
            value += add[3];
          g_string_append_printf (out, " %" G_GUINT64_FORMAT, value);
          n++;
        }
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

static void
test_cpu_fixture (void)
{
  g_autofree char *root = copy_fixture ("amd-desktop", "cpu");
  g_autoptr(HearthSampler) sampler = hearth_sampler_new (root, 10);
  g_autofree char *stat = fixture_file ("amd-desktop", "proc/stat");
  g_autofree char *advanced = NULL;
  const HearthSample *sample = hearth_sampler_sample (sampler);

  /* One reading is no rate yet. */
  g_assert_cmpuint (sample->n_cores, ==, 20);
  g_assert_cmpfloat (sample->cpu_percent, ==, -1);
  for (guint i = 0; i < sample->n_cores; i++)
    g_assert_cmpfloat (sample->core_percent[i], ==, -1);

  /* Core i: 5 × i busy out of 100; all: 950 out of 2000. */
  advanced = advance_stat (stat, 20);
  write_file (root, "proc/stat", advanced);
  sample = hearth_sampler_sample (sampler);
  g_assert_cmpuint (sample->n_cores, ==, 20);
  g_assert_cmpfloat_with_epsilon (sample->cpu_percent, 47.5, 1e-9);
  for (guint i = 0; i < sample->n_cores; i++)
    g_assert_cmpfloat_with_epsilon (sample->core_percent[i], 5.0 * i, 1e-9);

  /* Nothing more counted: no rate. */
  sample = hearth_sampler_sample (sampler);
  g_assert_cmpfloat (sample->cpu_percent, ==, -1);
}

/* Memory */

static void
test_memory_fixture (void)
{
  g_autofree char *root = fixture_root ("intel-laptop");
  g_autoptr(HearthSampler) sampler = hearth_sampler_new (root, 10);
  const HearthSample *sample = hearth_sampler_sample (sampler);

  g_assert_cmpint (sample->mem_total, ==, 16067804 * KIB);
  g_assert_cmpint (sample->mem_used, ==, (16067804 - 11234560) * KIB);
  g_assert_cmpint (sample->swap_total, ==, 8388604 * KIB);
  g_assert_cmpint (sample->swap_used, ==, (8388604 - 8123392) * KIB);
  g_assert_cmpuint (sample->n_cores, ==, 16);
  /* The integrated GPU has no memory of its own and no busy counter. */
  g_assert_cmpint (sample->vram_total, ==, -1);
  g_assert_cmpint (sample->vram_used, ==, -1);
  g_assert_cmpfloat (sample->gpu_percent, ==, -1);
  g_assert_cmpfloat (sample->gpu_power_w, ==, -1);
  g_assert_cmpint (sample->server_pid, ==, -1);
}

/* GPUs */

static void
test_gpu_amd (void)
{
  g_autofree char *root = fixture_root ("amd-desktop");
  g_autoptr(HearthSampler) sampler = hearth_sampler_new (root, 10);
  g_autoptr(HearthGpuReader) reader = hearth_gpu_reader_new (root);
  g_autoptr(GPtrArray) gpus = hearth_gpu_reader_read (reader);
  const HearthGpu *gpu = g_ptr_array_index (gpus, 0);
  const HearthSample *sample = hearth_sampler_sample (sampler);

  g_assert_cmpuint (gpus->len, ==, 1);
  g_assert_cmpstr (gpu->source, ==, "sysfs");
  g_assert_cmpfloat (gpu->power_w, ==, 23);

  g_assert_cmpfloat (sample->gpu_percent, ==, 2);
  g_assert_cmpint (sample->vram_total, ==, G_GINT64_CONSTANT (25753026560));
  g_assert_cmpint (sample->vram_used, ==, 512884736);
  g_assert_cmpfloat (sample->gpu_temperature_c, ==, 45);
  g_assert_cmpfloat (sample->gpu_power_w, ==, 23);
}

static void
test_gpu_amd_changes (void)
{
  g_autofree char *root = copy_fixture ("amd-desktop", "gpu-changes");
  g_autofree char *vendor = fixture_file ("amd-desktop", "sys/class/drm/card0/device/vendor");
  g_autoptr(HearthSampler) sampler = NULL;
  const HearthSample *sample;

  write_file (root, "sys/class/drm/card0/device/vendor", vendor);
  write_file (root, "sys/class/drm/card0/device/mem_info_vram_total", "8589934592\n");
  write_file (root, "sys/class/drm/card0/device/mem_info_vram_used", "1073741824\n");
  write_file (root, "sys/class/drm/card0/device/gpu_busy_percent", "10\n");
  write_file (root, "sys/class/drm/card0/device/hwmon/hwmon1/temp1_input", "50000\n");
  write_file (root, "sys/class/drm/card0/device/hwmon/hwmon1/power1_average", "100000000\n");
  sampler = hearth_sampler_new (root, 10);
  sample = hearth_sampler_sample (sampler);
  g_assert_cmpfloat (sample->gpu_percent, ==, 10);
  g_assert_cmpfloat (sample->gpu_power_w, ==, 100);

  /* The card is found once; its figures are read every time. */
  write_file (root, "sys/class/drm/card0/device/mem_info_vram_used", "2147483648\n");
  write_file (root, "sys/class/drm/card0/device/gpu_busy_percent", "97\n");
  write_file (root, "sys/class/drm/card0/device/hwmon/hwmon1/temp1_input", "81500\n");
  write_file (root, "sys/class/drm/card0/device/hwmon/hwmon1/power1_average", "287250000\n");
  sample = hearth_sampler_sample (sampler);
  g_assert_cmpint (sample->vram_total, ==, 8 * 1024 * MIB);
  g_assert_cmpint (sample->vram_used, ==, 2048 * MIB);
  g_assert_cmpfloat (sample->gpu_percent, ==, 97);
  g_assert_cmpfloat (sample->gpu_temperature_c, ==, 81.5);
  g_assert_cmpfloat_with_epsilon (sample->gpu_power_w, 287.25, 1e-9);
}

static void
test_gpu_nvidia (void)
{
  g_autofree char *root = fixture_root ("nvidia-desktop");
  g_autoptr(HearthSampler) sampler = hearth_sampler_new (root, 10);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthHardware) hw = hearth_hardware_probe (root, FALSE, &error);
  const HearthSample *sample = hearth_sampler_sample (sampler);
  const HearthGpu *gpu;

  /* The probe reads through the same reader. */
  g_assert_no_error (error);
  g_assert_cmpuint (hw->gpus->len, ==, 1);
  gpu = g_ptr_array_index (hw->gpus, 0);
  g_assert_cmpfloat_with_epsilon (gpu->power_w, 61.27, 1e-9);

  /* The NVIDIA card sysfs also lists is not counted twice. */
  g_assert_cmpfloat (sample->gpu_percent, ==, 3);
  g_assert_cmpint (sample->vram_total, ==, 24564 * MIB);
  g_assert_cmpint (sample->vram_used, ==, 1325 * MIB);
  g_assert_cmpfloat (sample->gpu_temperature_c, ==, 41);
  g_assert_cmpfloat_with_epsilon (sample->gpu_power_w, 61.27, 1e-9);
  g_assert_cmpint (sample->mem_total, ==, 65536000 * KIB);
  g_assert_cmpuint (sample->n_cores, ==, 32);
}

/* The server process */

#define SERVER_PORT 11435   /* 0x2CAB */

#define TCP_HEADER \
  "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt" \
  "   uid  timeout inode\n"
#define TCP_REST "0000000000000000 100 0 0 10 0\n"

static const char tcp_table[] =
  TCP_HEADER
  "   0: 0100007F:2CAB 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000"
  "  1000        0 999 1 " TCP_REST
  "   1: 0100007F:2CAB 00000000:0000 0A 00000000:00000000 00:00000000 00000000"
  "  1000        0 424242 1 " TCP_REST
  "   2: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000"
  "     0        0 777 1 " TCP_REST;

static void
write_process_stat (const char *root,
                    guint       utime,
                    guint       stime)
{
  g_autofree char *stat = g_strdup_printf ("4242 (llama server) S 1 4242 4242 0 -1 4194560 "
                                           "81234 0 12 0 %u %u 0 0 20 0 9 0 123456 "
                                           "9876543210 12345 18446744073709551615\n",
                                           utime, stime);

  write_file (root, "proc/4242/stat", stat);
}

static char *
server_fixture (void)
{
  char *root = copy_fixture ("intel-laptop", "server");

  write_file (root, "proc/net/tcp", tcp_table);
  /* A client of the port and another listener: not the server. */
  write_link (root, "proc/17/fd/3", "socket:[999]");
  write_link (root, "proc/18/fd/4", "socket:[777]");
  write_link (root, "proc/4242/fd/0", "/dev/null");
  write_link (root, "proc/4242/fd/7", "socket:[424242]");
  write_process_stat (root, 250, 50);
  write_file (root, "proc/4242/statm", "250000 12345 1000 100 0 20000 0\n");
  return root;
}

static void
test_server_fixture (void)
{
  g_autofree char *root = server_fixture ();
  g_autofree char *fd = g_build_filename (root, "proc/4242/fd/7", NULL);
  g_autoptr(HearthSampler) sampler = hearth_sampler_new (root, 10);
  const HearthSample *sample;
  gint64 before, after, wall_min, wall_max;
  double expected_min, expected_max;

  /* No port: no server. */
  sample = hearth_sampler_sample (sampler);
  g_assert_cmpint (sample->server_pid, ==, -1);
  g_assert_cmpint (sample->server_rss, ==, -1);

  /* A port nothing listens on. */
  hearth_sampler_set_server_port (sampler, 8080);
  sample = hearth_sampler_sample (sampler);
  g_assert_cmpint (sample->server_pid, ==, -1);

  hearth_sampler_set_server_port (sampler, SERVER_PORT);
  before = g_get_monotonic_time ();
  sample = hearth_sampler_sample (sampler);
  after = g_get_monotonic_time ();
  g_assert_cmpint (sample->server_pid, ==, 4242);
  g_assert_cmpint (sample->server_rss, ==, 12345 * sysconf (_SC_PAGESIZE));
  g_assert_cmpfloat (sample->server_cpu_percent, ==, -1);

  /* 150 jiffies more over the time between the two readings. */
  g_usleep (100 * 1000);
  write_process_stat (root, 350, 100);
  wall_min = g_get_monotonic_time () - after;
  sample = hearth_sampler_sample (sampler);
  wall_max = g_get_monotonic_time () - before;
  expected_max = 100.0 * 150 / sysconf (_SC_CLK_TCK) / (wall_min / 1e6);
  expected_min = 100.0 * 150 / sysconf (_SC_CLK_TCK) / (wall_max / 1e6);
  g_assert_cmpint (sample->server_pid, ==, 4242);
  g_assert_cmpfloat (sample->server_cpu_percent, >=, expected_min);
  g_assert_cmpfloat (sample->server_cpu_percent, <=, expected_max);

  /* The server went away: its socket link is gone. */
  g_assert_cmpint (g_unlink (fd), ==, 0);
  sample = hearth_sampler_sample (sampler);
  g_assert_cmpint (sample->server_pid, ==, -1);
  g_assert_cmpfloat (sample->server_cpu_percent, ==, -1);
  g_assert_cmpint (sample->server_rss, ==, -1);
}

/* Listening on IPv6 only, as a server bound to [::] is. */
static void
test_server_fixture_ipv6 (void)
{
  g_autofree char *root = copy_fixture ("arm-board", "server-ipv6");
  g_autoptr(HearthSampler) sampler = hearth_sampler_new (root, 10);
  const HearthSample *sample;

  write_file (root, "proc/net/tcp", TCP_HEADER);
  write_file (root, "proc/net/tcp6",
              TCP_HEADER
              "   0: 00000000000000000000000000000000:2CAB "
              "00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000"
              "  1000        0 515151 1 " TCP_REST);
  write_link (root, "proc/4343/fd/12", "socket:[515151]");
  write_file (root, "proc/4343/stat",
              "4343 (ollama) S 1 4343 4343 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 9 0 1 1 1 1\n");
  write_file (root, "proc/4343/statm", "1000 512 100 10 0 400 0\n");
  hearth_sampler_set_server_port (sampler, SERVER_PORT);
  sample = hearth_sampler_sample (sampler);
  g_assert_cmpint (sample->server_pid, ==, 4343);
  g_assert_cmpint (sample->server_rss, ==, 512 * sysconf (_SC_PAGESIZE));
}

/* A root with nothing to read: every figure unknown, nothing fails. */
static void
test_empty_root (void)
{
  g_autofree char *root = hearth_test_build_tmp_path ("empty-root", NULL);
  g_autoptr(HearthSampler) sampler = NULL;
  const HearthSample *sample;

  g_assert_cmpint (g_mkdir_with_parents (root, 0700), ==, 0);
  sampler = hearth_sampler_new (root, 10);
  hearth_sampler_set_server_port (sampler, SERVER_PORT);
  hearth_sampler_sample (sampler);
  sample = hearth_sampler_sample (sampler);
  g_assert_cmpuint (sample->n_cores, ==, 0);
  g_assert_cmpfloat (sample->cpu_percent, ==, -1);
  g_assert_cmpint (sample->mem_total, ==, -1);
  g_assert_cmpint (sample->mem_used, ==, -1);
  g_assert_cmpint (sample->swap_used, ==, -1);
  g_assert_cmpfloat (sample->gpu_percent, ==, -1);
  g_assert_cmpint (sample->vram_total, ==, -1);
  g_assert_cmpfloat (sample->gpu_temperature_c, ==, -1);
  g_assert_cmpint (sample->server_pid, ==, -1);
}

/* This machine */

static gint64
meminfo_kib (const char *text,
             const char *key)
{
  const char *line = strstr (text, key);

  g_assert_nonnull (line);
  return g_ascii_strtoll (line + strlen (key), NULL, 10);
}

static guint
count_proc_cores (void)
{
  g_autofree char *stat = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents ("/proc/stat", &stat, NULL, NULL));
  lines = g_strsplit (stat, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "cpu") && g_ascii_isdigit (lines[i][3]))
      n++;
  return n;
}

static void
test_this_machine (void)
{
  g_autoptr(HearthSampler) sampler = hearth_sampler_new ("/", 10);
  g_autofree char *meminfo = NULL;
  const HearthSample *sample;
  gint64 total, used;

  hearth_sampler_sample (sampler);
  g_usleep (200 * 1000);
  sample = hearth_sampler_sample (sampler);
  g_assert_true (g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL));
  total = meminfo_kib (meminfo, "MemTotal:") * KIB;
  used = total - meminfo_kib (meminfo, "MemAvailable:") * KIB;

  g_assert_cmpuint (sample->n_cores, ==, count_proc_cores ());
  g_assert_cmpfloat (sample->cpu_percent, >=, 0);
  g_assert_cmpfloat (sample->cpu_percent, <=, 100);
  for (guint i = 0; i < sample->n_cores; i++)
    {
      g_assert_cmpfloat (sample->core_percent[i], >=, 0);
      g_assert_cmpfloat (sample->core_percent[i], <=, 100);
    }
  g_assert_cmpint (sample->mem_total, ==, total);
  g_assert_cmpint (sample->mem_used, >, 0);
  g_assert_cmpint (sample->mem_used, <=, total);
  /* Read a moment apart: within 64 MiB or 2 % of memory. */
  g_assert_cmpint (ABS (sample->mem_used - used), <=, MAX (64 * MIB, total / 50));
  g_assert_cmpint (sample->swap_used, >=, 0);
  g_assert_cmpint (sample->swap_used, <=, sample->swap_total);
  g_assert_cmpint (sample->time_us, <=, g_get_real_time ());
}

static gint64
own_rss (void)
{
  g_autofree char *statm = NULL;
  g_auto(GStrv) fields = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL));
  fields = g_strsplit (statm, " ", -1);
  return g_ascii_strtoll (fields[1], NULL, 10) * sysconf (_SC_PAGESIZE);
}

static double
process_cpu_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
burn_cpu (gint64 duration_us)
{
  gint64 end = g_get_monotonic_time () + duration_us;
  volatile guint64 sink = 0;

  while (g_get_monotonic_time () < end)
    for (guint i = 0; i < 10000; i++)
      sink += i;
}

/* The test program itself listens on a loopback port and must be found. */
static void
test_server_this_machine (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(HearthSampler) sampler = hearth_sampler_new ("/", 10);
  const HearthSample *sample;
  gint64 rss, wall_before;
  double cpu_before, expected;

  g_assert_no_error (error);
  g_socket_bind (socket, address, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (socket, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  hearth_sampler_set_server_port (sampler,
                                  g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  sample = hearth_sampler_sample (sampler);
  rss = own_rss ();
  g_assert_cmpint (sample->server_pid, ==, getpid ());
  g_assert_cmpint (ABS (sample->server_rss - rss), <=, rss / 10);
  g_assert_cmpfloat (sample->server_cpu_percent, ==, -1);

  /* About one core busy for half a second. */
  cpu_before = process_cpu_s ();
  wall_before = g_get_monotonic_time ();
  burn_cpu (500 * 1000);
  sample = hearth_sampler_sample (sampler);
  expected = 100 * (process_cpu_s () - cpu_before)
             / ((g_get_monotonic_time () - wall_before) / 1e6);
  g_assert_cmpint (sample->server_pid, ==, getpid ());
  g_assert_cmpfloat (sample->server_cpu_percent, >=, expected - 25);
  g_assert_cmpfloat (sample->server_cpu_percent, <=, expected + 25);

  /* Closed: gone at the next reading. */
  g_socket_close (socket, &error);
  g_assert_no_error (error);
  sample = hearth_sampler_sample (sampler);
  g_assert_cmpint (sample->server_pid, ==, -1);
}

/* The ring */

/* The free space of the disk that holds the given folder, as df shows it
 * to this user; none without a folder, or when it is gone. */
static void
test_disk_free (void)
{
  g_autoptr(HearthSampler) sampler = hearth_sampler_new ("/", 10);
  g_autofree char *dir = hearth_test_build_tmp_path ("disk-free", NULL);
  g_autofree char *gone = g_build_filename (dir, "gone", NULL);
  struct statvfs info;
  const HearthSample *sample;
  gint64 expected;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  sample = hearth_sampler_sample (sampler);
  g_assert_cmpint (sample->disk_free, ==, -1);

  hearth_sampler_set_disk_path (sampler, dir);
  sample = hearth_sampler_sample (sampler);
  g_assert_cmpint (statvfs (dir, &info), ==, 0);
  expected = (gint64) info.f_bavail * (gint64) info.f_frsize;
  g_assert_cmpint (sample->disk_free, >, 0);
  /* Other processes write meanwhile: within 1 % of what statvfs says. */
  g_assert_cmpfloat (fabs ((double) (sample->disk_free - expected)), <=, expected * 0.01 + 1e6);

  hearth_sampler_set_disk_path (sampler, gone);
  sample = hearth_sampler_sample (sampler);
  g_assert_cmpint (sample->disk_free, ==, -1);
}

static void
test_ring (void)
{
  g_autofree char *root = fixture_root ("arm-board");
  HearthSampler *sampler = hearth_sampler_new (root, 3);
  const HearthSample *taken[5];
  double cpu;
  gint64 mem, vram;

  g_assert_cmpuint (hearth_sampler_get_n_samples (sampler), ==, 0);
  g_assert_null (hearth_sampler_get_last (sampler));
  for (guint i = 0; i < G_N_ELEMENTS (taken); i++)
    {
      taken[i] = hearth_sampler_sample (sampler);
      g_assert_true (hearth_sampler_get_last (sampler) == taken[i]);
      g_assert_cmpuint (hearth_sampler_get_n_samples (sampler), ==, MIN (i + 1, 3));
    }
  /* The two oldest were dropped. */
  for (guint i = 0; i < 3; i++)
    g_assert_true (hearth_sampler_get_sample (sampler, i) == taken[i + 2]);
  g_assert_cmpint (hearth_sampler_get_sample (sampler, 0)->time_us, <=,
                   hearth_sampler_get_sample (sampler, 2)->time_us);

  hearth_sampler_get_peaks (sampler, 0, &cpu, &mem, &vram);
  g_assert_cmpfloat (cpu, ==, -1);   /* a fixture that never changes */
  g_assert_cmpint (mem, ==, (8245984 - 7612340) * KIB);
  g_assert_cmpint (vram, ==, -1);
  hearth_sampler_get_peaks (sampler, G_MAXINT64, &cpu, &mem, &vram);
  g_assert_cmpint (mem, ==, -1);

  g_assert_finalize_object (sampler);
}

/* Periodic sampling */

typedef struct
{
  HearthSampler *sampler;
  guint          count;
  gboolean       last_matches;
} Counter;

static void
sample_cb (HearthSampler      *sampler,
           const HearthSample *sample,
           Counter            *counter)
{
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  counter->count++;
  counter->last_matches = hearth_sampler_get_last (sampler) == sample;
}

/* Runs the main context until @counter has @count samples, or for
 * @timeout_ms. */
static gboolean
wait_for_count (Counter *counter,
                guint    count,
                gint64   timeout_ms)
{
  gint64 end = test_ms () + timeout_ms;

  while (counter->count < count && test_ms () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return counter->count >= count;
}

static void
run_for (Counter *counter,
         gint64   ms)
{
  wait_for_count (counter, G_MAXUINT, ms);
}

static void
test_periodic (void)
{
  g_autofree char *root = fixture_root ("amd-desktop");
  HearthSampler *sampler = hearth_sampler_new (root, 100);
  Counter counter = { sampler, 0, FALSE };
  guint at_release;

  g_signal_connect (sampler, "sample", G_CALLBACK (sample_cb), &counter);
  hearth_sampler_set_intervals (sampler, 20, 10000);
  g_assert_cmpuint (hearth_sampler_get_interval_ms (sampler), ==, 10000);
  g_assert_false (hearth_sampler_is_running (sampler));

  /* The first sample at once, then nothing for the idle interval. */
  hearth_sampler_start (sampler);
  g_assert_true (hearth_sampler_is_running (sampler));
  g_assert_true (wait_for_count (&counter, 1, 2000));
  g_assert_true (counter.last_matches);
  run_for (&counter, 300);
  g_assert_cmpuint (counter.count, ==, 1);

  /* A hold wakes the thread: samples every 20 ms from now on. */
  hearth_sampler_hold (sampler);
  g_assert_cmpuint (hearth_sampler_get_interval_ms (sampler), ==, 20);
  g_assert_true (wait_for_count (&counter, 6, 2000));
  g_assert_true (counter.last_matches);
  g_assert_cmpuint (hearth_sampler_get_n_samples (sampler), ==, counter.count);

  /* Released: back to idle; one sample may have been under way. */
  hearth_sampler_release (sampler);
  g_assert_cmpuint (hearth_sampler_get_interval_ms (sampler), ==, 10000);
  run_for (&counter, 60);
  at_release = counter.count;
  run_for (&counter, 300);
  g_assert_cmpuint (counter.count, ==, at_release);

  /* Stopped: nothing more arrives, not even what was queued. */
  hearth_sampler_hold (sampler);
  g_assert_true (wait_for_count (&counter, at_release + 2, 2000));
  hearth_sampler_stop (sampler);
  g_assert_false (hearth_sampler_is_running (sampler));
  at_release = counter.count;
  run_for (&counter, 100);
  g_assert_cmpuint (counter.count, ==, at_release);

  /* Started again, and dropped while running: dispose joins the thread. */
  hearth_sampler_start (sampler);
  g_assert_true (wait_for_count (&counter, at_release + 3, 2000));
  g_assert_finalize_object (sampler);
  run_for (&counter, 50);
}

/* Resource history */

static HearthSample *
synthetic (gint64 time_ms,
           double cpu,
           gint64 mem_used)
{
  HearthSample *sample = hearth_sample_new (0);

  sample->time_us = time_ms * 1000;
  sample->cpu_percent = cpu;
  sample->mem_total = 16 * 1024 * MIB;
  sample->mem_used = mem_used;
  return sample;
}

static void
add (HearthResourceHistory *history,
     HearthSample          *sample)
{
  g_autoptr(HearthSample) owned = sample;
  g_autoptr(GError) error = NULL;

  g_assert_true (hearth_resource_history_add (history, owned, &error));
  g_assert_no_error (error);
}

static double
query_double (const char *path,
              const char *sql)
{
  g_autofree char *text = hearth_test_sqlite_query_text (path, sql);

  g_assert_nonnull (text);
  return g_ascii_strtod (text, NULL);
}

static void
test_history_minutes_and_hours (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("history-rows");
  g_autofree char *path = g_strdup (hearth_store_get_path (store));
  g_autoptr(HearthResourceHistory) history = hearth_resource_history_new (store);
  HearthSample *with_server = synthetic (T0_MS + 40000, 60, 300 * MIB);

  with_server->server_rss = 1000 * MIB;
  with_server->gpu_power_w = 150.5;
  add (history, synthetic (T0_MS, 10, 100 * MIB));
  add (history, synthetic (T0_MS + 20000, 20, 200 * MIB));
  add (history, with_server);
  /* Nothing is written while the minute lasts. */
  g_assert_cmpint (hearth_test_sqlite_query_int (path, "SELECT COUNT(*) FROM resource_samples"),
                   ==, 0);

  add (history, synthetic (T0_MS + MINUTE_MS + 5000, 90, 400 * MIB));
  g_assert_cmpint (hearth_test_sqlite_query_int (path,
                   "SELECT COUNT(*) FROM resource_samples WHERE resolution_s = 60"), ==, 1);
  g_assert_cmpint (hearth_test_sqlite_query_int (path,
                   "SELECT time_ms FROM resource_samples"), ==, T0_MS);
  g_assert_cmpint (hearth_test_sqlite_query_int (path,
                   "SELECT n_samples FROM resource_samples"), ==, 3);
  g_assert_cmpfloat (query_double (path, "SELECT cpu_percent FROM resource_samples"), ==, 30);
  g_assert_cmpfloat (query_double (path, "SELECT cpu_peak FROM resource_samples"), ==, 60);
  g_assert_cmpint (hearth_test_sqlite_query_int (path,
                   "SELECT mem_used FROM resource_samples"), ==, 200 * MIB);
  g_assert_cmpint (hearth_test_sqlite_query_int (path,
                   "SELECT mem_total FROM resource_samples"), ==, 16 * 1024 * MIB);
  /* Averaged over the samples that had the figure; NULL when none had. */
  g_assert_cmpint (hearth_test_sqlite_query_int (path,
                   "SELECT server_rss FROM resource_samples"), ==, 1000 * MIB);
  g_assert_cmpfloat (query_double (path, "SELECT gpu_power_w FROM resource_samples"), ==, 150.5);
  g_assert_cmpint (hearth_test_sqlite_query_int (path,
                   "SELECT gpu_percent IS NULL AND swap_used IS NULL AND vram_used IS NULL "
                   "FROM resource_samples"), ==, 1);

  /* The next hour: minute 1 written, and the hour from its minutes,
   * weighted by their samples: (30 × 3 + 90) / 4. */
  add (history, synthetic (T0_MS + HOUR_MS + 1000, 0, 0));
  g_assert_cmpint (hearth_test_sqlite_query_int (path,
                   "SELECT COUNT(*) FROM resource_samples WHERE resolution_s = 60"), ==, 2);
  g_assert_cmpint (hearth_test_sqlite_query_int (path,
                   "SELECT COUNT(*) FROM resource_samples WHERE resolution_s = 3600"), ==, 1);
  g_assert_cmpint (hearth_test_sqlite_query_int (path,
                   "SELECT time_ms FROM resource_samples WHERE resolution_s = 3600"), ==, T0_MS);
  g_assert_cmpint (hearth_test_sqlite_query_int (path,
                   "SELECT n_samples FROM resource_samples WHERE resolution_s = 3600"), ==, 4);
  g_assert_cmpfloat (query_double (path,
                     "SELECT cpu_percent FROM resource_samples WHERE resolution_s = 3600"), ==, 45);
  g_assert_cmpfloat (query_double (path,
                     "SELECT cpu_peak FROM resource_samples WHERE resolution_s = 3600"), ==, 90);
  g_assert_cmpint (hearth_test_sqlite_query_int (path,
                   "SELECT mem_used FROM resource_samples WHERE resolution_s = 3600"), ==,
                   250 * MIB);
  /* One minute of three samples had the server's memory. */
  g_assert_cmpint (hearth_test_sqlite_query_int (path,
                   "SELECT server_rss FROM resource_samples WHERE resolution_s = 3600"), ==,
                   1000 * MIB);
  g_assert_cmpint (hearth_test_sqlite_query_int (path,
                   "SELECT gpu_percent IS NULL FROM resource_samples WHERE resolution_s = 3600"),
                   ==, 1);
}

/* One sample an hour for 4 days; each writes the minute of the one
 * before and that minute's hour. */
static void
fill_days (HearthResourceHistory *history,
           guint                  hours)
{
  for (guint h = 0; h <= hours; h++)
    add (history, synthetic (T0_MS + h * HOUR_MS, h % 100, (h + 1) * MIB));
}

static void
test_history_prune (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("history-prune");
  g_autofree char *path = g_strdup (hearth_store_get_path (store));
  g_autoptr(HearthResourceHistory) history = hearth_resource_history_new (store);

  g_assert_cmpint (hearth_resource_history_get_minute_days (history), ==, 7);
  g_assert_cmpint (hearth_resource_history_get_hour_days (history), ==, 90);
  g_object_set (history, "minute-days", 1, NULL);
  hearth_resource_history_set_hour_days (history, 2);
  g_assert_cmpint (hearth_resource_history_get_minute_days (history), ==, 1);

  fill_days (history, 96);
  /* Now is T0 + 96 h: minutes from T0 + 72 h, hours from T0 + 48 h. */
  g_assert_cmpint (hearth_test_sqlite_query_int (path,
                   "SELECT COUNT(*) FROM resource_samples WHERE resolution_s = 60"), ==, 24);
  g_assert_cmpint (hearth_test_sqlite_query_int (path,
                   "SELECT MIN(time_ms) FROM resource_samples WHERE resolution_s = 60"), ==,
                   T0_MS + 72 * HOUR_MS);
  g_assert_cmpint (hearth_test_sqlite_query_int (path,
                   "SELECT COUNT(*) FROM resource_samples WHERE resolution_s = 3600"), ==, 48);
  g_assert_cmpint (hearth_test_sqlite_query_int (path,
                   "SELECT MIN(time_ms) FROM resource_samples WHERE resolution_s = 3600"), ==,
                   T0_MS + 48 * HOUR_MS);
  g_assert_cmpint (hearth_test_sqlite_query_int (path,
                   "SELECT MAX(time_ms) FROM resource_samples WHERE resolution_s = 3600"), ==,
                   T0_MS + 95 * HOUR_MS);
}

static void
test_history_list (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("history-list");
  g_autofree char *path = g_strdup (hearth_store_get_path (store));
  g_autoptr(HearthResourceHistory) history = hearth_resource_history_new (store);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rows = NULL;
  const HearthResourceRow *row;

  /* Minutes 0..5 at 0, 10, … 50 %; minute 6 only closes minute 5. */
  for (guint m = 0; m <= 6; m++)
    add (history, synthetic (T0_MS + m * MINUTE_MS, m * 10, (m + 1) * 10 * MIB));

  rows = hearth_resource_history_list (history, T0_MS, 2 * MINUTE_MS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 3);
  for (guint b = 0; b < 3; b++)
    {
      row = &g_array_index (rows, HearthResourceRow, b);
      g_assert_cmpint (row->time_ms, ==, T0_MS + b * 2 * MINUTE_MS);
      g_assert_cmpint (row->n_samples, ==, 2);
      g_assert_cmpfloat (row->cpu_percent, ==, 20 * b + 5);
      g_assert_cmpfloat (row->cpu_peak, ==, 20 * b + 10);
      g_assert_cmpint (row->mem_used, ==, (20 * b + 15) * MIB);
      g_assert_cmpfloat (row->gpu_percent, ==, -1);
      g_assert_cmpint (row->server_rss, ==, -1);
    }
  g_clear_pointer (&rows, g_array_unref);

  rows = hearth_resource_history_list (history, T0_MS + 3 * MINUTE_MS, HOUR_MS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  row = &g_array_index (rows, HearthResourceRow, 0);
  g_assert_cmpint (row->time_ms, ==, T0_MS);
  g_assert_cmpint (row->n_samples, ==, 3);
  g_assert_cmpfloat (row->cpu_percent, ==, 40);
  g_assert_cmpfloat (row->cpu_peak, ==, 50);
}

/* Quitting in the middle of a minute keeps the samples it had. */
static void
test_history_flush (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("history-flush");
  g_autofree char *path = g_strdup (hearth_store_get_path (store));
  g_autoptr(HearthResourceHistory) history = hearth_resource_history_new (store);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rows = NULL;
  const HearthResourceRow *row;

  add (history, synthetic (T0_MS + 1000, 10, 100 * MIB));
  add (history, synthetic (T0_MS + 2000, 30, 300 * MIB));
  g_assert_cmpint (hearth_test_sqlite_query_int (path, "SELECT count(*) FROM resource_samples"), ==, 0);
  g_assert_true (hearth_resource_history_flush (history, &error));
  g_assert_no_error (error);
  /* a second flush has nothing left to write */
  g_assert_true (hearth_resource_history_flush (history, &error));

  rows = hearth_resource_history_list (history, T0_MS, MINUTE_MS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  row = &g_array_index (rows, HearthResourceRow, 0);
  g_assert_cmpint (row->time_ms, ==, T0_MS);
  g_assert_cmpint (row->n_samples, ==, 2);
  g_assert_cmpfloat (row->cpu_percent, ==, 20);
  g_assert_cmpfloat (row->cpu_peak, ==, 30);
  g_assert_cmpint (row->mem_used, ==, 200 * MIB);
}

/* Hour rows where minutes were pruned, minute rows after: each hour once. */
static void
test_history_list_hours (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_store ("history-list-hours");
  g_autofree char *path = g_strdup (hearth_store_get_path (store));
  g_autoptr(HearthResourceHistory) history = hearth_resource_history_new (store);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rows = NULL;

  hearth_resource_history_set_minute_days (history, 1);
  hearth_resource_history_set_hour_days (history, 2);
  fill_days (history, 96);

  rows = hearth_resource_history_list (history, 0, HOUR_MS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 48);
  for (guint i = 0; i < rows->len; i++)
    {
      const HearthResourceRow *row = &g_array_index (rows, HearthResourceRow, i);
      guint h = 48 + i;

      g_assert_cmpint (row->time_ms, ==, T0_MS + h * HOUR_MS);
      g_assert_cmpint (row->n_samples, ==, 1);
      g_assert_cmpfloat (row->cpu_percent, ==, h % 100);
      g_assert_cmpint (row->mem_used, ==, (h + 1) * MIB);
    }
  g_clear_pointer (&rows, g_array_unref);

  /* One bucket a day. */
  rows = hearth_resource_history_list (history, T0_MS + 48 * HOUR_MS, 24 * HOUR_MS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 3);
  g_assert_cmpint (g_array_index (rows, HearthResourceRow, 0).n_samples
                   + g_array_index (rows, HearthResourceRow, 1).n_samples
                   + g_array_index (rows, HearthResourceRow, 2).n_samples, ==, 48);
}

int
main (int   argc,
      char *argv[])
{
  hearth_test_init (&argc, &argv);

  g_test_add_func ("/sampler/cpu-fixture", test_cpu_fixture);
  g_test_add_func ("/sampler/memory-fixture", test_memory_fixture);
  g_test_add_func ("/sampler/gpu-amd", test_gpu_amd);
  g_test_add_func ("/sampler/gpu-amd-changes", test_gpu_amd_changes);
  g_test_add_func ("/sampler/gpu-nvidia", test_gpu_nvidia);
  g_test_add_func ("/sampler/server-fixture", test_server_fixture);
  g_test_add_func ("/sampler/server-fixture-ipv6", test_server_fixture_ipv6);
  g_test_add_func ("/sampler/empty-root", test_empty_root);
  g_test_add_func ("/sampler/this-machine", test_this_machine);
  g_test_add_func ("/sampler/server-this-machine", test_server_this_machine);
  g_test_add_func ("/sampler/disk-free", test_disk_free);
  g_test_add_func ("/sampler/ring", test_ring);
  g_test_add_func ("/sampler/periodic", test_periodic);
  g_test_add_func ("/resource-history/minutes-and-hours", test_history_minutes_and_hours);
  g_test_add_func ("/resource-history/prune", test_history_prune);
  g_test_add_func ("/resource-history/list", test_history_list);
  g_test_add_func ("/resource-history/flush", test_history_flush);
  g_test_add_func ("/resource-history/list-hours", test_history_list_hours);

  return g_test_run ();
}
