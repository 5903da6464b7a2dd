/* hearth-hardware.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-hardware"

#define _GNU_SOURCE

#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "hearth-hardware.h"
#include "hearth-json.h"

#define GIB (G_GINT64_CONSTANT (1) << 30)

/* Reading through a root
 *
 * Every file goes through @root so that tests can hand the probe a fixture
 * tree; only the real root ("/" or NULL) may ever touch live interfaces
 * (NVML, nvidia-smi, statfs, uname, the memory benchmark).
 */

static gboolean
root_is_real (const char *root)
{
  return root == NULL || g_strcmp0 (root, "/") == 0;
}

static char *
root_path (const char *root,
           const char *relative)
{
  return g_build_filename (root != NULL ? root : "/", relative, NULL);
}

static char *
root_read (const char *root,
           const char *relative)
{
  g_autofree char *path = root_path (root, relative);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return g_strstrip (contents);
}

static gint64
root_read_int (const char *root,
               const char *relative)
{
  g_autofree char *text = root_read (root, relative);
  gint64 value;

  if (text == NULL || !g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &value, NULL))
    return -1;
  return value;
}

/* sysfs writes hex ids as "0x10de". */
static gint64
root_read_hex (const char *root,
               const char *relative)
{
  g_autofree char *text = root_read (root, relative);
  char *end = NULL;
  gint64 value;

  if (text == NULL)
    return -1;
  value = g_ascii_strtoll (text, &end, 16);
  return end != text ? value : -1;
}

/* "key : value" lines, as /proc/cpuinfo, /proc/meminfo and uevent write them. */
static gboolean
split_line (const char  *line,
            char       **key,
            char       **value,
            char         separator)
{
  const char *sep = strchr (line, separator);

  if (sep == NULL)
    return FALSE;
  *key = g_strstrip (g_strndup (line, sep - line));
  *value = g_strstrip (g_strdup (sep + 1));
  return TRUE;
}

/* CPU */

typedef struct
{
  int         threads;
  GHashTable *core_pairs;   /* "physical:core" */
  char       *physical_id;
  char       *model_name;
  char       *vendor_id;
  char       *flags;
  char       *features;     /* ARM */
  char       *implementer;
  char       *part;
  char       *arm_arch;
  char       *hardware;
  char       *board;
  double      max_mhz;
} CpuInfo;

static void
cpu_info_clear (CpuInfo *info)
{
  g_clear_pointer (&info->core_pairs, g_hash_table_unref);
  g_free (info->physical_id);
  g_free (info->model_name);
  g_free (info->vendor_id);
  g_free (info->flags);
  g_free (info->features);
  g_free (info->implementer);
  g_free (info->part);
  g_free (info->arm_arch);
  g_free (info->hardware);
  g_free (info->board);
}

/* Keeps the first value seen: every processor block repeats the same lines. */
static void
take_first (char **slot,
            char **value)
{
  if (*slot == NULL)
    *slot = g_steal_pointer (value);
}

static void
cpu_info_add (CpuInfo    *info,
              const char *key,
              char       *value)
{
  if (g_str_equal (key, "processor"))
    info->threads++;
  else if (g_str_equal (key, "physical id"))
    {
      g_free (info->physical_id);
      info->physical_id = g_steal_pointer (&value);
    }
  else if (g_str_equal (key, "core id") && info->physical_id != NULL)
    g_hash_table_add (info->core_pairs, g_strdup_printf ("%s:%s", info->physical_id, value));
  else if (g_str_equal (key, "cpu MHz"))
    info->max_mhz = MAX (info->max_mhz, g_ascii_strtod (value, NULL));
  else if (g_str_equal (key, "model name"))
    take_first (&info->model_name, &value);
  else if (g_str_equal (key, "vendor_id"))
    take_first (&info->vendor_id, &value);
  else if (g_str_equal (key, "flags"))
    take_first (&info->flags, &value);
  else if (g_str_equal (key, "Features"))
    take_first (&info->features, &value);
  else if (g_str_equal (key, "CPU implementer"))
    take_first (&info->implementer, &value);
  else if (g_str_equal (key, "CPU part"))
    take_first (&info->part, &value);
  else if (g_str_equal (key, "CPU architecture"))
    take_first (&info->arm_arch, &value);
  else if (g_str_equal (key, "Hardware"))
    take_first (&info->hardware, &value);
  else if (g_str_equal (key, "Model"))
    take_first (&info->board, &value);
  g_free (value);
}

static void
cpu_info_parse (CpuInfo    *info,
                const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  info->core_pairs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  info->max_mhz = -1;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *key = NULL;
      char *value = NULL;

      if (split_line (lines[i], &key, &value, ':'))
        cpu_info_add (info, key, value);
    }
}

typedef struct
{
  guint       id;
  const char *name;
} IdName;

static const IdName arm_implementers[] = {
  { 0x41, "ARM" }, { 0x42, "Broadcom" }, { 0x48, "HiSilicon" }, { 0x4e, "NVIDIA" },
  { 0x51, "Qualcomm" }, { 0x61, "Apple" }, { 0xc0, "Ampere" },
};

/* ARM Ltd. designs only; other implementers get their part number. */
static const IdName arm_parts[] = {
  { 0xd03, "Cortex-A53" }, { 0xd04, "Cortex-A35" }, { 0xd05, "Cortex-A55" },
  { 0xd07, "Cortex-A57" }, { 0xd08, "Cortex-A72" }, { 0xd09, "Cortex-A73" },
  { 0xd0a, "Cortex-A75" }, { 0xd0b, "Cortex-A76" }, { 0xd0c, "Neoverse-N1" },
  { 0xd0d, "Cortex-A77" }, { 0xd40, "Neoverse-V1" }, { 0xd41, "Cortex-A78" },
  { 0xd44, "Cortex-X1" }, { 0xd49, "Neoverse-N2" }, { 0xd4f, "Neoverse-V2" },
};

static const char *
id_name_lookup (const IdName *table,
                gsize         n,
                const char   *hex)
{
  guint64 id;

  if (hex == NULL || !g_ascii_string_to_unsigned (hex + (g_str_has_prefix (hex, "0x") ? 2 : 0),
                                                  16, 0, G_MAXUINT, &id, NULL))
    return NULL;
  for (gsize i = 0; i < n; i++)
    if (table[i].id == id)
      return table[i].name;
  return NULL;
}

/* ARM cpuinfo has no "model name": build one from implementer and part,
 * and name the board when the kernel reports it (Raspberry Pi does). */
static char *
arm_model_name (const CpuInfo *info)
{
  const char *vendor = id_name_lookup (arm_implementers, G_N_ELEMENTS (arm_implementers),
                                       info->implementer);
  const char *part = NULL;
  g_autofree char *core = NULL;

  if (g_strcmp0 (vendor, "ARM") == 0)
    part = id_name_lookup (arm_parts, G_N_ELEMENTS (arm_parts), info->part);
  if (part != NULL)
    core = g_strdup_printf ("%s %s", vendor, part);
  else if (info->part != NULL)
    core = g_strdup_printf ("%s part %s", vendor != NULL ? vendor : "ARM", info->part);
  else
    core = g_strdup (info->hardware != NULL ? info->hardware : "ARM processor");

  if (info->board != NULL)
    return g_strdup_printf ("%s (%s)", core, info->board);
  return g_steal_pointer (&core);
}

static char **
cpu_features (const CpuInfo *info)
{
  static const char * const x86[] = { "sse4_2", "avx", "avx2", "avx512f", "fma", "f16c" };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) flags = NULL;

  if (info->flags != NULL)
    {
      flags = g_strsplit (info->flags, " ", -1);
      for (gsize i = 0; i < G_N_ELEMENTS (x86); i++)
        if (g_strv_contains ((const char * const *) flags, x86[i]))
          g_strv_builder_add (builder, x86[i]);
    }
  else if (info->features != NULL)
    {
      flags = g_strsplit (info->features, " ", -1);
      if (g_strv_contains ((const char * const *) flags, "asimd"))
        g_strv_builder_add (builder, "neon");
    }
  return g_strv_builder_end (builder);
}

static char *
cpu_arch (const char    *root,
          const CpuInfo *info)
{
  struct utsname name;

  if (root_is_real (root) && uname (&name) == 0)
    return g_strdup (name.machine);
  if (info->vendor_id != NULL)
    return g_strdup ("x86_64");
  if (info->implementer != NULL)
    return g_strdup (g_strcmp0 (info->arm_arch, "7") == 0 ? "armv7l" : "aarch64");
  return NULL;
}

/* ARM cpuinfo carries no core ids; the topology lists the threads that share
 * each core, so the number of distinct lists is the number of cores. */
static int
count_cores_from_topology (const char *root,
                           int         threads)
{
  g_autoptr(GHashTable) lists = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (int i = 0; i < threads; i++)
    {
      g_autofree char *core = g_strdup_printf ("sys/devices/system/cpu/cpu%d/topology/core_cpus_list", i);
      g_autofree char *sib = g_strdup_printf ("sys/devices/system/cpu/cpu%d/topology/thread_siblings_list", i);
      char *list = root_read (root, core);

      if (list == NULL)
        list = root_read (root, sib);
      if (list != NULL)
        g_hash_table_add (lists, list);
    }
  return g_hash_table_size (lists) > 0 ? (int) g_hash_table_size (lists) : -1;
}

/* Cache sizes read like "2048K" or "32M". */
static gint64
parse_cache_size (const char *text)
{
  char *end = NULL;
  gint64 value = g_ascii_strtoll (text, &end, 10);

  if (end == text)
    return -1;
  if (*end == 'K')
    return value * 1024;
  if (*end == 'M')
    return value * 1024 * 1024;
  return value;
}

static void
probe_caches (const char     *root,
              HearthHardware *hw)
{
  for (int i = 0; i < 8; i++)
    {
      g_autofree char *dir = g_strdup_printf ("sys/devices/system/cpu/cpu0/cache/index%d", i);
      g_autofree char *level_path = g_build_filename (dir, "level", NULL);
      g_autofree char *type_path = g_build_filename (dir, "type", NULL);
      g_autofree char *size_path = g_build_filename (dir, "size", NULL);
      g_autofree char *type = root_read (root, type_path);
      g_autofree char *size = root_read (root, size_path);
      gint64 level = root_read_int (root, level_path);

      if (type == NULL || size == NULL || g_str_equal (type, "Instruction"))
        continue;
      if (level == 2)
        hw->cache_l2 = parse_cache_size (size);
      else if (level == 3)
        hw->cache_l3 = parse_cache_size (size);
    }
}

static gboolean
probe_cpu (const char      *root,
           HearthHardware  *hw,
           GError         **error)
{
  g_autofree char *text = root_read (root, "proc/cpuinfo");
  g_autofree char *root_shown = root_path (root, "");
  CpuInfo info = { 0, };
  gint64 max_khz;

  if (text == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "No processor information at %s: is this the root of a Linux system?",
                   root_shown);
      return FALSE;
    }
  cpu_info_parse (&info, text);

  hw->cpu_threads = info.threads > 0 ? info.threads : -1;
  if (g_hash_table_size (info.core_pairs) > 0)
    hw->cpu_cores = g_hash_table_size (info.core_pairs);
  else
    hw->cpu_cores = count_cores_from_topology (root, info.threads);

  if (info.model_name != NULL)
    hw->cpu_model = g_strdup (info.model_name);
  else if (info.implementer != NULL)
    hw->cpu_model = arm_model_name (&info);
  if (info.vendor_id != NULL)
    hw->cpu_vendor = g_strdup (info.vendor_id);
  else if (info.implementer != NULL)
    hw->cpu_vendor = g_strdup (id_name_lookup (arm_implementers, G_N_ELEMENTS (arm_implementers),
                                               info.implementer));

  max_khz = root_read_int (root, "sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
  hw->cpu_max_mhz = max_khz > 0 ? max_khz / 1000.0 : info.max_mhz;
  hw->cpu_features = cpu_features (&info);
  hw->arch = cpu_arch (root, &info);
  probe_caches (root, hw);

  cpu_info_clear (&info);
  return TRUE;
}

/* Memory */

static gint64
meminfo_bytes (GHashTable *table,
               const char *key)
{
  const char *value = g_hash_table_lookup (table, key);

  /* Every size in /proc/meminfo is in kibibytes, whatever "kB" says. */
  return value != NULL ? g_ascii_strtoll (value, NULL, 10) * 1024 : -1;
}

static gboolean
probe_memory (const char      *root,
              HearthHardware  *hw,
              GError         **error)
{
  g_autofree char *text = root_read (root, "proc/meminfo");
  g_autofree char *root_shown = root_path (root, "");
  g_autoptr(GHashTable) table = NULL;
  g_auto(GStrv) lines = NULL;

  if (text == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "No memory information at %s: is this the root of a Linux system?",
                   root_shown);
      return FALSE;
    }
  table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *key, *value;

      if (split_line (lines[i], &key, &value, ':'))
        g_hash_table_replace (table, key, value);
    }
  hw->mem_total = meminfo_bytes (table, "MemTotal");
  hw->mem_available = meminfo_bytes (table, "MemAvailable");
  hw->swap_total = meminfo_bytes (table, "SwapTotal");
  hw->swap_free = meminfo_bytes (table, "SwapFree");
  return TRUE;
}

/* Memory bandwidth
 *
 * What limits token generation on a CPU is how fast the weights stream from
 * RAM, so a plain sequential read is the figure that matters. The buffer is
 * several times a desktop CPU's last-level cache, so mostly RAM serves it.
 */

#define BANDWIDTH_BUFFER_BYTES (96 * 1024 * 1024)
#define BANDWIDTH_WINDOW_USEC  (100 * 1000)

double
hearth_hardware_measure_bandwidth (void)
{
  g_autofree guint8 *buffer = g_try_malloc (BANDWIDTH_BUFFER_BYTES);
  volatile gboolean found = FALSE;
  gint64 start, elapsed;
  guint passes = 0;

  if (buffer == NULL)
    return -1;
  /* Writing every page first keeps page faults out of the timing. */
  memset (buffer, 0, BANDWIDTH_BUFFER_BYTES);

  /* libc's memchr is a vectorised sequential read whatever our own
   * optimisation level, and a byte that is never there makes it read the
   * whole buffer; using its result keeps the compiler from dropping it. */
  start = g_get_monotonic_time ();
  do
    {
      found |= memchr (buffer, 0xff, BANDWIDTH_BUFFER_BYTES) != NULL;
      passes++;
      elapsed = g_get_monotonic_time () - start;
    }
  while (elapsed < BANDWIDTH_WINDOW_USEC);

  if (found)
    return -1;
  return (double) passes * BANDWIDTH_BUFFER_BYTES / (elapsed / (double) G_USEC_PER_SEC) / 1e9;
}

/* GPUs */

static HearthGpu *
gpu_new (const char *source)
{
  HearthGpu *gpu = g_new0 (HearthGpu, 1);

  gpu->vram_total = -1;
  gpu->vram_used = -1;
  gpu->utilization = -1;
  gpu->temperature_c = -1;
  gpu->power_w = -1;
  gpu->source = g_strdup (source);
  return gpu;
}

static HearthGpu *
gpu_copy (const HearthGpu *gpu)
{
  HearthGpu *copy = g_memdup2 (gpu, sizeof *gpu);

  copy->name = g_strdup (gpu->name);
  copy->driver = g_strdup (gpu->driver);
  copy->compute_capability = g_strdup (gpu->compute_capability);
  copy->source = g_strdup (gpu->source);
  return copy;
}

void
hearth_gpu_free (HearthGpu *gpu)
{
  if (gpu == NULL)
    return;
  g_free (gpu->name);
  g_free (gpu->driver);
  g_free (gpu->compute_capability);
  g_free (gpu->source);
  g_free (gpu);
}

/* NVML, declared here because no NVML headers are installed where Hearth
 * builds; these are the stable v2 entry points of libnvidia-ml.so.1. */
typedef void *NvmlDevice;
typedef struct { unsigned long long total, free, used; } NvmlMemory;
typedef struct { unsigned int gpu, memory; } NvmlUtilization;

typedef struct
{
  int (*init) (void);
  int (*shutdown) (void);
  int (*get_count) (unsigned int *count);
  int (*get_handle) (unsigned int index, NvmlDevice *device);
  int (*get_name) (NvmlDevice device, char *name, unsigned int length);
  int (*get_memory) (NvmlDevice device, NvmlMemory *memory);
  int (*get_driver) (char *version, unsigned int length);
  int (*get_compute) (NvmlDevice device, int *major, int *minor);
  int (*get_utilization) (NvmlDevice device, NvmlUtilization *utilization);
  int (*get_temperature) (NvmlDevice device, int sensor, unsigned int *temperature);
  int (*get_power) (NvmlDevice device, unsigned int *milliwatts);
} Nvml;

static gboolean
nvml_load (void  *library,
           Nvml  *nvml)
{
  /* dlsym hands back object pointers; POSIX guarantees the cast. */
#define NVML_SYMBOL(field, symbol) \
  nvml->field = (__typeof__ (nvml->field)) dlsym (library, symbol)
  NVML_SYMBOL (init, "nvmlInit_v2");
  NVML_SYMBOL (shutdown, "nvmlShutdown");
  NVML_SYMBOL (get_count, "nvmlDeviceGetCount_v2");
  NVML_SYMBOL (get_handle, "nvmlDeviceGetHandleByIndex_v2");
  NVML_SYMBOL (get_name, "nvmlDeviceGetName");
  NVML_SYMBOL (get_memory, "nvmlDeviceGetMemoryInfo");
  NVML_SYMBOL (get_driver, "nvmlSystemGetDriverVersion");
  NVML_SYMBOL (get_compute, "nvmlDeviceGetCudaComputeCapability");
  NVML_SYMBOL (get_utilization, "nvmlDeviceGetUtilizationRates");
  NVML_SYMBOL (get_temperature, "nvmlDeviceGetTemperature");
  NVML_SYMBOL (get_power, "nvmlDeviceGetPowerUsage");
#undef NVML_SYMBOL
  return nvml->init && nvml->shutdown && nvml->get_count && nvml->get_handle
         && nvml->get_name && nvml->get_memory && nvml->get_driver;
}

static HearthGpu *
nvml_gpu (const Nvml *nvml,
          NvmlDevice  device,
          const char *driver)
{
  HearthGpu *gpu = gpu_new ("nvml");
  char name[96] = "";
  NvmlMemory memory;
  NvmlUtilization utilization;
  unsigned int temperature, milliwatts;
  int major, minor;

  gpu->vendor = HEARTH_GPU_VENDOR_NVIDIA;
  if (nvml->get_name (device, name, sizeof name) == 0)
    gpu->name = g_strdup (name);
  if (nvml->get_memory (device, &memory) == 0)
    {
      gpu->vram_total = memory.total;
      gpu->vram_used = memory.used;
    }
  gpu->driver = g_strdup (driver);
  if (nvml->get_compute && nvml->get_compute (device, &major, &minor) == 0)
    gpu->compute_capability = g_strdup_printf ("%d.%d", major, minor);
  if (nvml->get_utilization && nvml->get_utilization (device, &utilization) == 0)
    gpu->utilization = utilization.gpu;
  /* Sensor 0 is NVML_TEMPERATURE_GPU. */
  if (nvml->get_temperature && nvml->get_temperature (device, 0, &temperature) == 0)
    gpu->temperature_c = temperature;
  if (nvml->get_power && nvml->get_power (device, &milliwatts) == 0)
    gpu->power_w = milliwatts / 1000.0;
  return gpu;
}

/* nvidia-smi reports "[N/A]" for what a card does not support. */
static gint64
smi_int (const char *field)
{
  gint64 value;

  if (!g_ascii_string_to_signed (field, 10, 0, G_MAXINT64, &value, NULL))
    return -1;
  return value;
}

static double
smi_double (const char *field)
{
  char *end = NULL;
  double value;

  if (field == NULL)
    return -1;
  value = g_ascii_strtod (field, &end);
  return end != field && *end == '\0' && value >= 0 ? value : -1;
}

/* One CSV line: name, memory.total, memory.used (MiB), driver_version,
 * compute_cap, utilization.gpu (%), temperature.gpu (°C) and, when the
 * query asked for it, power.draw (W). */
static HearthGpu *
smi_parse_line (const char *line)
{
  g_auto(GStrv) fields = g_strsplit (line, ",", -1);
  HearthGpu *gpu;

  if (g_strv_length (fields) < 7)
    return NULL;
  for (guint i = 0; fields[i] != NULL; i++)
    g_strstrip (fields[i]);

  gpu = gpu_new ("nvidia-smi");
  gpu->vendor = HEARTH_GPU_VENDOR_NVIDIA;
  gpu->name = g_strdup (fields[0]);
  gpu->vram_total = smi_int (fields[1]) >= 0 ? smi_int (fields[1]) * 1024 * 1024 : -1;
  gpu->vram_used = smi_int (fields[2]) >= 0 ? smi_int (fields[2]) * 1024 * 1024 : -1;
  gpu->driver = g_strdup_printf ("nvidia %s", fields[3]);
  if (smi_int (fields[4]) >= 0 || strchr (fields[4], '.') != NULL)
    gpu->compute_capability = g_strdup (fields[4]);
  gpu->utilization = smi_int (fields[5]);
  gpu->temperature_c = smi_int (fields[6]);
  gpu->power_w = smi_double (fields[7]);
  return gpu;
}

static void
smi_parse (const char *output,
           GPtrArray  *gpus)
{
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      HearthGpu *gpu = smi_parse_line (lines[i]);

      if (gpu != NULL)
        g_ptr_array_add (gpus, gpu);
    }
}

/* nvidia-smi can hang on a wedged driver; coreutils' timeout bounds it
 * without needing a main loop in the caller's worker thread. */
static void
run_nvidia_smi (const char *smi,
                const char *timeout,
                GPtrArray  *gpus)
{
  g_autofree char *output = NULL;
  int status;
  const char *argv[] = {
    timeout, "5", smi,
    "--query-gpu=name,memory.total,memory.used,driver_version,compute_cap,"
    "utilization.gpu,temperature.gpu,power.draw",
    "--format=csv,noheader,nounits", NULL
  };

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                     &output, NULL, &status, NULL)
      || !g_spawn_check_wait_status (status, NULL))
    return;
  smi_parse (output, gpus);
}

/* The sysfs view of a card: what the kernel driver exports under
 * sys/class/drm/cardN/device/. */

static char *
drm_driver (const char *root,
            const char *device)
{
  g_autofree char *link = g_build_filename (device, "driver", NULL);
  g_autofree char *link_path = root_path (root, link);
  g_autofree char *target = g_file_read_link (link_path, NULL);
  g_autofree char *uevent_path = g_build_filename (device, "uevent", NULL);
  g_autofree char *uevent = NULL;
  g_auto(GStrv) lines = NULL;

  if (target != NULL)
    return g_path_get_basename (target);
  uevent = root_read (root, uevent_path);
  if (uevent == NULL)
    return NULL;
  lines = g_strsplit (uevent, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "DRIVER="))
      return g_strdup (lines[i] + strlen ("DRIVER="));
  return NULL;
}

static HearthGpuVendor
vendor_from_pci (gint64      pci_vendor,
                 const char *driver)
{
  static const char * const soc_drivers[] = {
    "v3d", "vc4", "panfrost", "lima", "msm", "asahi", "etnaviv", "mali", NULL
  };

  switch (pci_vendor)
    {
    case 0x10de:
      return HEARTH_GPU_VENDOR_NVIDIA;
    case 0x1002:
      return HEARTH_GPU_VENDOR_AMD;
    case 0x8086:
      return HEARTH_GPU_VENDOR_INTEL;
    default:
      break;
    }
  if (driver != NULL && g_strv_contains (soc_drivers, driver))
    return HEARTH_GPU_VENDOR_APPLE_OR_ARM;
  return HEARTH_GPU_VENDOR_UNKNOWN;
}

static char *
drm_name (const char      *root,
          const char      *device,
          HearthGpuVendor  vendor,
          gint64           pci_vendor,
          const char      *driver)
{
  g_autofree char *product_path = g_build_filename (device, "product_name", NULL);
  g_autofree char *device_path = g_build_filename (device, "device", NULL);
  g_autofree char *product = root_read (root, product_path);
  gint64 pci_device = root_read_hex (root, device_path);
  const char *vendor_name = hearth_gpu_vendor_to_string (vendor);

  if (product != NULL && *product != '\0')
    return g_steal_pointer (&product);
  if (pci_vendor >= 0 && pci_device >= 0)
    return g_strdup_printf ("%s GPU [%04x:%04x]", vendor_name,
                            (guint) pci_vendor, (guint) pci_device);
  /* System-on-chip GPUs have no PCI ids; their driver is what names them. */
  return g_strdup_printf ("%s GPU (%s)",
                          vendor == HEARTH_GPU_VENDOR_APPLE_OR_ARM ? "Integrated" : vendor_name,
                          driver != NULL ? driver : "unknown driver");
}

/* Read every second by the sampler: open and read into the stack, no
 * allocation. */
static gint64
read_small_int (const char *path)
{
  char buffer[64];
  ssize_t n;
  int fd;
  gint64 value;

  if (path == NULL || (fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
    return -1;
  n = read (fd, buffer, sizeof buffer - 1);
  close (fd);
  if (n <= 0)
    return -1;
  buffer[n] = '\0';
  g_strchomp (buffer);
  if (!g_ascii_string_to_signed (buffer, 10, G_MININT64, G_MAXINT64, &value, NULL))
    return -1;
  return value;
}

/* A card as found once: what does not change, and where the figures that
 * do are read. */
typedef struct
{
  HearthGpu *gpu;
  char      *busy_path;
  char      *vram_used_path;
  char      *temperature_path;   /* millidegrees */
  char      *power_path;         /* microwatts */
} DrmCard;

static void
drm_card_free (DrmCard *card)
{
  hearth_gpu_free (card->gpu);
  g_free (card->busy_path);
  g_free (card->vram_used_path);
  g_free (card->temperature_path);
  g_free (card->power_path);
  g_free (card);
}

static char *
existing_file (const char *root,
               const char *directory,
               const char *file)
{
  g_autofree char *relative = g_build_filename (directory, file, NULL);
  g_autofree char *path = root_path (root, relative);

  return g_file_test (path, G_FILE_TEST_EXISTS) ? g_steal_pointer (&path) : NULL;
}

/* The card's hwmon directory: the first with a temperature or a power
 * reading. Older amdgpu reports power1_average, newer power1_input. */
static void
drm_card_find_hwmon (DrmCard    *card,
                     const char *root,
                     const char *device)
{
  g_autofree char *hwmon = g_build_filename (device, "hwmon", NULL);
  g_autofree char *hwmon_path = root_path (root, hwmon);
  g_autoptr(GDir) dir = g_dir_open (hwmon_path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *directory = g_build_filename (hwmon, name, NULL);

      card->temperature_path = existing_file (root, directory, "temp1_input");
      card->power_path = existing_file (root, directory, "power1_average");
      if (card->power_path == NULL)
        card->power_path = existing_file (root, directory, "power1_input");
      if (card->temperature_path != NULL || card->power_path != NULL)
        return;
    }
}

static DrmCard *
drm_card_new (const char *root,
              const char *name)
{
  g_autofree char *device = g_build_filename ("sys/class/drm", name, "device", NULL);
  g_autofree char *vendor_path = g_build_filename (device, "vendor", NULL);
  g_autofree char *total_path = g_build_filename (device, "mem_info_vram_total", NULL);
  gint64 pci_vendor = root_read_hex (root, vendor_path);
  DrmCard *card = g_new0 (DrmCard, 1);
  HearthGpu *gpu = card->gpu = gpu_new ("sysfs");

  gpu->driver = drm_driver (root, device);
  gpu->vendor = vendor_from_pci (pci_vendor, gpu->driver);
  gpu->name = drm_name (root, device, gpu->vendor, pci_vendor, gpu->driver);
  gpu->vram_total = root_read_int (root, total_path);
  card->busy_path = existing_file (root, device, "gpu_busy_percent");
  card->vram_used_path = existing_file (root, device, "mem_info_vram_used");
  drm_card_find_hwmon (card, root, device);

  /* An APU's VRAM is a carve-out of system memory, set small in firmware. */
  if (gpu->vendor == HEARTH_GPU_VENDOR_INTEL)
    gpu->integrated = gpu->vram_total < 0;
  else if (gpu->vendor == HEARTH_GPU_VENDOR_AMD)
    gpu->integrated = gpu->vram_total >= 0 && gpu->vram_total < GIB;
  else if (gpu->vendor == HEARTH_GPU_VENDOR_APPLE_OR_ARM)
    gpu->integrated = TRUE;
  return card;
}

static HearthGpu *
drm_card_read (const DrmCard *card)
{
  HearthGpu *gpu = gpu_copy (card->gpu);
  gint64 millidegrees = read_small_int (card->temperature_path);
  gint64 microwatts = read_small_int (card->power_path);

  gpu->vram_used = read_small_int (card->vram_used_path);
  gpu->utilization = read_small_int (card->busy_path);
  gpu->temperature_c = millidegrees >= 0 ? millidegrees / 1000.0 : -1;
  gpu->power_w = microwatts >= 0 ? microwatts / 1e6 : -1;
  return gpu;
}

/* cardN only: "card0-DP-1" and the like are connectors, not devices. */
static gboolean
is_card_entry (const char *name)
{
  return g_str_has_prefix (name, "card") && name[4] != '\0'
         && strchr (name, '-') == NULL;
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static GPtrArray *
drm_cards (const char *root)
{
  g_autofree char *path = root_path (root, "sys/class/drm");
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *cards = g_ptr_array_new_with_free_func ((GDestroyNotify) drm_card_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (is_card_entry (name))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (cards, drm_card_new (root, g_ptr_array_index (names, i)));
  return cards;
}

/* The GPU reader
 *
 * Keeps what is costly to find between reads: NVML stays loaded and
 * initialised, the DRM cards and their files are found once, and
 * nvidia-smi (only asked when NVML is missing) runs at most every
 * SMI_INTERVAL_US, its last answer standing in between.
 *
 * A fixture tree stands in for NVML and nvidia-smi with a file
 * "nvidia-smi.csv" at its root, holding what
 * `nvidia-smi --query-gpu=name,memory.total,memory.used,driver_version,
 * compute_cap,utilization.gpu,temperature.gpu[,power.draw]
 * --format=csv,noheader,nounits` printed on the machine it describes.
 */

#define SMI_INTERVAL_US (10 * G_USEC_PER_SEC)

struct _HearthGpuReader
{
  char      *root;
  gboolean   real;
  void      *nvml_library;
  Nvml       nvml;
  gboolean   nvml_ready;
  char      *nvml_driver;
  char      *smi;
  char      *timeout;
  GPtrArray *smi_gpus;       /* the last answer of nvidia-smi */
  gint64     smi_read_us;    /* monotonic; 0 = never */
  GPtrArray *cards;          /* of DrmCard; NULL until the first read */
};

static void
reader_open_nvml (HearthGpuReader *reader)
{
  char version[80] = "";

  reader->nvml_library = dlopen ("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (reader->nvml_library == NULL)
    return;
  if (!nvml_load (reader->nvml_library, &reader->nvml) || reader->nvml.init () != 0)
    {
      g_clear_pointer (&reader->nvml_library, dlclose);
      return;
    }
  reader->nvml_ready = TRUE;
  if (reader->nvml.get_driver (version, sizeof version) == 0)
    reader->nvml_driver = g_strdup_printf ("nvidia %s", version);
}

/**
 * hearth_gpu_reader_new:
 * @root: (nullable): the file system root to read, or %NULL for this machine
 *
 * On the real root, loads and initialises NVML when it is installed.
 *
 * Returns: (transfer full): a reader for hearth_gpu_reader_read()
 */
HearthGpuReader *
hearth_gpu_reader_new (const char *root)
{
  HearthGpuReader *reader = g_new0 (HearthGpuReader, 1);

  reader->root = g_strdup (root != NULL ? root : "/");
  reader->real = root_is_real (root);
  if (reader->real)
    {
      reader_open_nvml (reader);
      reader->smi = g_find_program_in_path ("nvidia-smi");
      reader->timeout = g_find_program_in_path ("timeout");
    }
  return reader;
}

static void
reader_read_nvml (HearthGpuReader *reader,
                  GPtrArray       *gpus)
{
  unsigned int count = 0;

  if (!reader->nvml_ready || reader->nvml.get_count (&count) != 0)
    return;
  for (unsigned int i = 0; i < count; i++)
    {
      NvmlDevice device;

      if (reader->nvml.get_handle (i, &device) == 0)
        g_ptr_array_add (gpus, nvml_gpu (&reader->nvml, device, reader->nvml_driver));
    }
}

static void
reader_read_smi (HearthGpuReader *reader,
                 GPtrArray       *gpus)
{
  gint64 now = g_get_monotonic_time ();

  if (reader->smi == NULL || reader->timeout == NULL)
    return;
  if (reader->smi_gpus == NULL || now - reader->smi_read_us >= SMI_INTERVAL_US)
    {
      g_clear_pointer (&reader->smi_gpus, g_ptr_array_unref);
      reader->smi_gpus = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_gpu_free);
      run_nvidia_smi (reader->smi, reader->timeout, reader->smi_gpus);
      reader->smi_read_us = now;
    }
  for (guint i = 0; i < reader->smi_gpus->len; i++)
    g_ptr_array_add (gpus, gpu_copy (g_ptr_array_index (reader->smi_gpus, i)));
}

/**
 * hearth_gpu_reader_read:
 * @reader: a reader
 *
 * Blocks for as long as NVML or sysfs take (microseconds), or nvidia-smi
 * when it has to run. One thread at a time.
 *
 * Returns: (transfer full) (element-type HearthGpu): the GPUs and their
 *   current figures
 */
GPtrArray *
hearth_gpu_reader_read (HearthGpuReader *reader)
{
  GPtrArray *gpus = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_gpu_free);
  gboolean have_nvidia;

  g_return_val_if_fail (reader != NULL, gpus);

  if (reader->real)
    {
      reader_read_nvml (reader, gpus);
      if (gpus->len == 0)
        reader_read_smi (reader, gpus);
    }
  else
    {
      g_autofree char *csv = root_read (reader->root, "nvidia-smi.csv");

      if (csv != NULL)
        smi_parse (csv, gpus);
    }

  if (reader->cards == NULL)
    reader->cards = drm_cards (reader->root);
  /* NVIDIA cards NVML already described would otherwise appear twice. */
  have_nvidia = gpus->len > 0;
  for (guint i = 0; i < reader->cards->len; i++)
    {
      const DrmCard *card = g_ptr_array_index (reader->cards, i);

      if (!(have_nvidia && card->gpu->vendor == HEARTH_GPU_VENDOR_NVIDIA))
        g_ptr_array_add (gpus, drm_card_read (card));
    }
  return gpus;
}

void
hearth_gpu_reader_free (HearthGpuReader *reader)
{
  if (reader == NULL)
    return;
  if (reader->nvml_ready)
    reader->nvml.shutdown ();
  g_clear_pointer (&reader->nvml_library, dlclose);
  g_free (reader->nvml_driver);
  g_free (reader->smi);
  g_free (reader->timeout);
  g_clear_pointer (&reader->smi_gpus, g_ptr_array_unref);
  g_clear_pointer (&reader->cards, g_ptr_array_unref);
  g_free (reader->root);
  g_free (reader);
}

static void
probe_gpus (const char     *root,
            HearthHardware *hw)
{
  g_autoptr(HearthGpuReader) reader = hearth_gpu_reader_new (root);

  hw->gpus = hearth_gpu_reader_read (reader);
}

/* Storage */

static char *
default_models_dir (void)
{
  const char *env = g_getenv ("OLLAMA_MODELS");
  g_autofree char *ollama = g_build_filename (g_get_home_dir (), ".ollama", "models", NULL);

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  if (g_file_test (ollama, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&ollama);
  return g_build_filename (g_get_user_data_dir (), "hearth", "models", NULL);
}

/* The models directory may not exist yet; its file system is that of the
 * nearest ancestor that does. */
static char *
existing_ancestor (const char *path)
{
  g_autofree char *current = g_strdup (path);

  while (!g_file_test (current, G_FILE_TEST_EXISTS))
    {
      char *parent = g_path_get_dirname (current);

      if (g_str_equal (parent, current))
        {
          g_free (parent);
          break;
        }
      g_free (current);
      current = parent;
    }
  return g_steal_pointer (&current);
}

static gint64
free_space (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInfo) info = g_file_query_filesystem_info (file,
                                                             G_FILE_ATTRIBUTE_FILESYSTEM_FREE,
                                                             NULL, NULL);

  if (info == NULL || !g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE))
    return -1;
  return g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
}

/* st_dev names the partition; sysfs links it into its disk's directory,
 * whose queue/rotational tells spinning disks from flash. Overlay and
 * network file systems have no block device and stay unknown. */
static char *
disk_for_path (const char *path)
{
  struct stat st;
  g_autofree char *link = NULL;
  g_autofree char *target = NULL;
  g_autofree char *partition = NULL;

  if (stat (path, &st) != 0)
    return NULL;
  link = g_strdup_printf ("/sys/dev/block/%u:%u", major (st.st_dev), minor (st.st_dev));
  target = realpath (link, NULL);
  if (target == NULL)
    return NULL;
  partition = g_build_filename (target, "partition", NULL);
  if (g_file_test (partition, G_FILE_TEST_EXISTS))
    {
      g_autofree char *parent = g_path_get_dirname (target);

      return g_path_get_basename (parent);
    }
  return g_path_get_basename (target);
}

static HearthStorageKind
storage_kind (const char *root,
              const char *disk)
{
  g_autofree char *rotational = NULL;
  gint64 value;

  if (disk == NULL)
    return HEARTH_STORAGE_UNKNOWN;
  if (g_str_has_prefix (disk, "nvme"))
    return HEARTH_STORAGE_NVME;
  rotational = g_build_filename ("sys/block", disk, "queue/rotational", NULL);
  value = root_read_int (root, rotational);
  if (value == 0)
    return HEARTH_STORAGE_SSD;
  if (value == 1)
    return HEARTH_STORAGE_HDD;
  return HEARTH_STORAGE_UNKNOWN;
}

/* A fixture names its models directory and the disk under it in the files
 * "models-dir" and "models-device" at its root. */
static void
probe_storage (const char     *root,
               HearthHardware *hw)
{
  g_autofree char *disk = NULL;

  if (root_is_real (root))
    {
      g_autofree char *existing = NULL;

      hw->models_dir = default_models_dir ();
      existing = existing_ancestor (hw->models_dir);
      hw->models_free = free_space (existing);
      disk = disk_for_path (existing);
    }
  else
    {
      hw->models_dir = root_read (root, "models-dir");
      if (hw->models_dir == NULL)
        hw->models_dir = default_models_dir ();
      hw->models_free = -1;
      disk = root_read (root, "models-device");
    }
  hw->storage_kind = storage_kind (root, disk);
}

/* System */

static char *
os_release_name (const char *root)
{
  g_autofree char *text = root_read (root, "etc/os-release");
  g_auto(GStrv) lines = NULL;

  if (text == NULL)
    text = root_read (root, "usr/lib/os-release");
  if (text == NULL)
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "PRETTY_NAME="))
      return g_shell_unquote (lines[i] + strlen ("PRETTY_NAME="), NULL);
  return NULL;
}

static void
probe_system (const char     *root,
              HearthHardware *hw)
{
  g_autofree char *flatpak_info = root_path (root, ".flatpak-info");

  hw->os_name = os_release_name (root);
  hw->kernel = root_read (root, "proc/sys/kernel/osrelease");
  hw->flatpak = g_file_test (flatpak_info, G_FILE_TEST_EXISTS);
}

/* Probe */

static HearthHardware *
hardware_new (void)
{
  HearthHardware *hw = g_new0 (HearthHardware, 1);

  hw->cpu_cores = hw->cpu_threads = -1;
  hw->cpu_max_mhz = -1;
  hw->cache_l2 = hw->cache_l3 = -1;
  hw->mem_total = hw->mem_available = hw->swap_total = hw->swap_free = -1;
  hw->mem_bandwidth_gbs = -1;
  hw->models_free = -1;
  return hw;
}

/**
 * hearth_hardware_probe:
 * @root: (nullable): the file system root to read, or %NULL for this machine
 * @measure_bandwidth: whether to run the ~100 ms memory benchmark (real root only)
 * @error: return location for an error
 *
 * Blocks: reads files, may load NVML or run nvidia-smi. Call it from a
 * worker thread, or use hearth_hardware_probe_async().
 *
 * Returns: (transfer full): what the machine has, or %NULL when @root
 *   has no /proc/cpuinfo or /proc/meminfo
 */
HearthHardware *
hearth_hardware_probe (const char  *root,
                       gboolean     measure_bandwidth,
                       GError     **error)
{
  g_autoptr(HearthHardware) hw = hardware_new ();

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!probe_cpu (root, hw, error) || !probe_memory (root, hw, error))
    return NULL;
  if (measure_bandwidth && root_is_real (root))
    hw->mem_bandwidth_gbs = hearth_hardware_measure_bandwidth ();
  probe_gpus (root, hw);
  probe_storage (root, hw);
  probe_system (root, hw);
  return g_steal_pointer (&hw);
}

static void
probe_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;
  HearthHardware *hw = hearth_hardware_probe (NULL, TRUE, &error);

  if (hw == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, hw, (GDestroyNotify) hearth_hardware_free);
}

void
hearth_hardware_probe_async (GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, hearth_hardware_probe_async);
  g_task_run_in_thread (task, probe_thread);
}

HearthHardware *
hearth_hardware_probe_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hearth_hardware_probe_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gint64
hearth_hardware_best_vram (const HearthHardware *hardware)
{
  gint64 best = -1;

  g_return_val_if_fail (hardware != NULL, -1);

  for (guint i = 0; hardware->gpus != NULL && i < hardware->gpus->len; i++)
    {
      const HearthGpu *gpu = g_ptr_array_index (hardware->gpus, i);

      if (!gpu->integrated)
        best = MAX (best, gpu->vram_total);
    }
  return best;
}

void
hearth_hardware_free (HearthHardware *hardware)
{
  if (hardware == NULL)
    return;
  g_free (hardware->cpu_model);
  g_free (hardware->cpu_vendor);
  g_strfreev (hardware->cpu_features);
  g_free (hardware->arch);
  g_clear_pointer (&hardware->gpus, g_ptr_array_unref);
  g_free (hardware->models_dir);
  g_free (hardware->os_name);
  g_free (hardware->kernel);
  g_free (hardware);
}

const char *
hearth_gpu_vendor_to_string (HearthGpuVendor vendor)
{
  switch (vendor)
    {
    case HEARTH_GPU_VENDOR_NVIDIA:
      return "NVIDIA";
    case HEARTH_GPU_VENDOR_AMD:
      return "AMD";
    case HEARTH_GPU_VENDOR_INTEL:
      return "Intel";
    case HEARTH_GPU_VENDOR_APPLE_OR_ARM:
      return "Apple/ARM";
    case HEARTH_GPU_VENDOR_UNKNOWN:
    default:
      return "Unknown";
    }
}

const char *
hearth_storage_kind_to_string (HearthStorageKind kind)
{
  switch (kind)
    {
    case HEARTH_STORAGE_NVME:
      return "NVMe";
    case HEARTH_STORAGE_SSD:
      return "SSD";
    case HEARTH_STORAGE_HDD:
      return "HDD";
    case HEARTH_STORAGE_UNKNOWN:
    default:
      return "Unknown";
    }
}

/* JSON: every field always present, null where unknown, so consumers can
 * rely on the shape. */

static void
json_add_cpu (JsonBuilder          *builder,
              const HearthHardware *hw)
{
  json_builder_set_member_name (builder, "cpu");
  json_builder_begin_object (builder);
  hearth_json_add_string (builder, "model", hw->cpu_model);
  hearth_json_add_string (builder, "vendor", hw->cpu_vendor);
  hearth_json_add_int (builder, "cores", hw->cpu_cores);
  hearth_json_add_int (builder, "threads", hw->cpu_threads);
  hearth_json_add_double (builder, "max_mhz", hw->cpu_max_mhz);
  hearth_json_add_int (builder, "cache_l2", hw->cache_l2);
  hearth_json_add_int (builder, "cache_l3", hw->cache_l3);
  json_builder_set_member_name (builder, "features");
  json_builder_begin_array (builder);
  for (guint i = 0; hw->cpu_features != NULL && hw->cpu_features[i] != NULL; i++)
    json_builder_add_string_value (builder, hw->cpu_features[i]);
  json_builder_end_array (builder);
  hearth_json_add_string (builder, "arch", hw->arch);
  json_builder_end_object (builder);
}

static void
json_add_memory (JsonBuilder          *builder,
                 const HearthHardware *hw)
{
  json_builder_set_member_name (builder, "memory");
  json_builder_begin_object (builder);
  hearth_json_add_int (builder, "total", hw->mem_total);
  hearth_json_add_int (builder, "available", hw->mem_available);
  hearth_json_add_int (builder, "swap_total", hw->swap_total);
  hearth_json_add_int (builder, "swap_free", hw->swap_free);
  hearth_json_add_double (builder, "bandwidth_gbs", hw->mem_bandwidth_gbs);
  json_builder_end_object (builder);
}

static void
json_add_gpu (JsonBuilder     *builder,
              const HearthGpu *gpu)
{
  json_builder_begin_object (builder);
  hearth_json_add_string (builder, "name", gpu->name);
  hearth_json_add_string (builder, "vendor", hearth_gpu_vendor_to_string (gpu->vendor));
  json_builder_set_member_name (builder, "integrated");
  json_builder_add_boolean_value (builder, gpu->integrated);
  hearth_json_add_int (builder, "vram_total", gpu->vram_total);
  hearth_json_add_int (builder, "vram_used", gpu->vram_used);
  hearth_json_add_string (builder, "driver", gpu->driver);
  hearth_json_add_string (builder, "compute_capability", gpu->compute_capability);
  hearth_json_add_int (builder, "utilization", gpu->utilization);
  hearth_json_add_double (builder, "temperature_c", gpu->temperature_c);
  hearth_json_add_double (builder, "power_w", gpu->power_w);
  hearth_json_add_string (builder, "source", gpu->source);
  json_builder_end_object (builder);
}

static void
json_add_rest (JsonBuilder          *builder,
               const HearthHardware *hw)
{
  json_builder_set_member_name (builder, "gpus");
  json_builder_begin_array (builder);
  for (guint i = 0; hw->gpus != NULL && i < hw->gpus->len; i++)
    json_add_gpu (builder, g_ptr_array_index (hw->gpus, i));
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "storage");
  json_builder_begin_object (builder);
  hearth_json_add_string (builder, "models_dir", hw->models_dir);
  hearth_json_add_int (builder, "models_free", hw->models_free);
  hearth_json_add_string (builder, "kind", hw->storage_kind == HEARTH_STORAGE_UNKNOWN
                   ? NULL : hearth_storage_kind_to_string (hw->storage_kind));
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "system");
  json_builder_begin_object (builder);
  hearth_json_add_string (builder, "os", hw->os_name);
  hearth_json_add_string (builder, "kernel", hw->kernel);
  json_builder_set_member_name (builder, "flatpak");
  json_builder_add_boolean_value (builder, hw->flatpak);
  json_builder_end_object (builder);
}

JsonNode *
hearth_hardware_to_json (const HearthHardware *hardware)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (hardware != NULL, NULL);

  json_builder_begin_object (builder);
  json_add_cpu (builder, hardware);
  json_add_memory (builder, hardware);
  json_add_rest (builder, hardware);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* Markdown */

static char *
format_bytes (gint64 bytes)
{
  if (bytes < 0)
    return g_strdup ("unknown");
  return g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
}

static const char *
or_unknown (const char *text)
{
  return text != NULL ? text : "unknown";
}

static void
markdown_cpu (GString              *out,
              const HearthHardware *hw)
{
  g_autofree char *l2 = format_bytes (hw->cache_l2);
  g_autofree char *l3 = format_bytes (hw->cache_l3);
  g_autofree char *features = hw->cpu_features != NULL && hw->cpu_features[0] != NULL
                              ? g_strjoinv (", ", hw->cpu_features) : g_strdup ("none");

  g_string_append (out, "## CPU\n\n");
  g_string_append_printf (out, "- Model: %s\n", or_unknown (hw->cpu_model));
  g_string_append_printf (out, "- Vendor: %s\n", or_unknown (hw->cpu_vendor));
  g_string_append_printf (out, "- Architecture: %s\n", or_unknown (hw->arch));
  g_string_append_printf (out, "- Cores: %d physical, %d threads\n", hw->cpu_cores, hw->cpu_threads);
  if (hw->cpu_max_mhz > 0)
    g_string_append_printf (out, "- Maximum clock: %.0f MHz\n", hw->cpu_max_mhz);
  g_string_append_printf (out, "- Cache: L2 %s, L3 %s\n", l2, l3);
  g_string_append_printf (out, "- Features: %s\n\n", features);
}

static void
markdown_memory (GString              *out,
                 const HearthHardware *hw)
{
  g_autofree char *total = format_bytes (hw->mem_total);
  g_autofree char *available = format_bytes (hw->mem_available);
  g_autofree char *swap = format_bytes (hw->swap_total);
  g_autofree char *swap_free = format_bytes (hw->swap_free);

  g_string_append (out, "## Memory\n\n");
  g_string_append_printf (out, "- Total: %s (%s available)\n", total, available);
  g_string_append_printf (out, "- Swap: %s (%s free)\n", swap, swap_free);
  if (hw->mem_bandwidth_gbs > 0)
    g_string_append_printf (out, "- Read bandwidth: %.1f GB/s\n", hw->mem_bandwidth_gbs);
  else
    g_string_append (out, "- Read bandwidth: not measured\n");
  g_string_append (out, "\n");
}

static void
markdown_gpu (GString         *out,
              const HearthGpu *gpu)
{
  g_autofree char *vram = format_bytes (gpu->vram_total);

  g_string_append_printf (out, "- **%s** (%s, %s)\n", or_unknown (gpu->name),
                          hearth_gpu_vendor_to_string (gpu->vendor),
                          gpu->integrated ? "integrated" : "discrete");
  g_string_append_printf (out, "  - VRAM: %s\n", gpu->integrated && gpu->vram_total < 0
                          ? "shared with system memory" : vram);
  g_string_append_printf (out, "  - Driver: %s\n", or_unknown (gpu->driver));
  if (gpu->compute_capability != NULL)
    g_string_append_printf (out, "  - Compute capability: %s\n", gpu->compute_capability);
  if (gpu->utilization >= 0)
    g_string_append_printf (out, "  - Utilisation: %d%%\n", gpu->utilization);
  if (gpu->temperature_c >= 0)
    g_string_append_printf (out, "  - Temperature: %.0f °C\n", gpu->temperature_c);
  if (gpu->power_w >= 0)
    g_string_append_printf (out, "  - Power: %.0f W\n", gpu->power_w);
}

static void
markdown_rest (GString              *out,
               const HearthHardware *hw)
{
  g_autofree char *free_text = format_bytes (hw->models_free);

  g_string_append (out, "## GPUs\n\n");
  if (hw->gpus == NULL || hw->gpus->len == 0)
    g_string_append (out, "- None found\n");
  for (guint i = 0; hw->gpus != NULL && i < hw->gpus->len; i++)
    markdown_gpu (out, g_ptr_array_index (hw->gpus, i));

  g_string_append (out, "\n## Storage\n\n");
  g_string_append_printf (out, "- Models directory: %s\n", or_unknown (hw->models_dir));
  g_string_append_printf (out, "- Free space: %s\n", free_text);
  g_string_append_printf (out, "- Kind: %s\n", hearth_storage_kind_to_string (hw->storage_kind));

  g_string_append (out, "\n## System\n\n");
  g_string_append_printf (out, "- OS: %s\n", or_unknown (hw->os_name));
  g_string_append_printf (out, "- Kernel: %s\n", or_unknown (hw->kernel));
  g_string_append_printf (out, "- Flatpak: %s\n", hw->flatpak ? "yes" : "no");
}

char *
hearth_hardware_to_markdown (const HearthHardware *hardware)
{
  GString *out;

  g_return_val_if_fail (hardware != NULL, NULL);

  out = g_string_new ("# Hardware\n\n");
  markdown_cpu (out, hardware);
  markdown_memory (out, hardware);
  markdown_rest (out, hardware);
  return g_string_free (out, FALSE);
}
