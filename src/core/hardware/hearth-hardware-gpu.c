/* hearth-hardware-gpu.c — the GPUs, through NVML, nvidia-smi and sysfs, and the GPU reader
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-hardware"

#include <dlfcn.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "hearth-hardware-private.h"

#define GIB (G_GINT64_CONSTANT (1) << 30)

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
  g_autofree char *link_path = _hearth_hardware_root_path (root, link);
  g_autofree char *target = g_file_read_link (link_path, NULL);
  g_autofree char *uevent_path = g_build_filename (device, "uevent", NULL);
  g_autofree char *uevent = NULL;
  g_auto(GStrv) lines = NULL;

  if (target != NULL)
    return g_path_get_basename (target);
  uevent = _hearth_hardware_root_read (root, uevent_path);
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
  g_autofree char *product = _hearth_hardware_root_read (root, product_path);
  gint64 pci_device = _hearth_hardware_root_read_hex (root, device_path);
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
  g_autofree char *path = _hearth_hardware_root_path (root, relative);

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
  g_autofree char *hwmon_path = _hearth_hardware_root_path (root, hwmon);
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
  gint64 pci_vendor = _hearth_hardware_root_read_hex (root, vendor_path);
  DrmCard *card = g_new0 (DrmCard, 1);
  HearthGpu *gpu = card->gpu = gpu_new ("sysfs");

  gpu->driver = drm_driver (root, device);
  gpu->vendor = vendor_from_pci (pci_vendor, gpu->driver);
  gpu->name = drm_name (root, device, gpu->vendor, pci_vendor, gpu->driver);
  gpu->vram_total = _hearth_hardware_root_read_int (root, total_path);
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
  g_autofree char *path = _hearth_hardware_root_path (root, "sys/class/drm");
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
  reader->real = _hearth_hardware_root_is_real (root);
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
      g_autofree char *csv = _hearth_hardware_root_read (reader->root, "nvidia-smi.csv");

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

void
_hearth_hardware_probe_gpus (const char     *root,
                             HearthHardware *hw)
{
  g_autoptr(HearthGpuReader) reader = hearth_gpu_reader_new (root);

  hw->gpus = hearth_gpu_reader_read (reader);
}
