/* hearth-hardware.c — the probe, storage and system, and the JSON and Markdown reports
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-hardware"

#define _GNU_SOURCE

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "hearth-hardware-private.h"
#include "hearth-json.h"

/* Reading through a root
 *
 * Every file goes through @root so that tests can hand the probe a fixture
 * tree; only the real root ("/" or NULL) may ever touch live interfaces
 * (NVML, nvidia-smi, statfs, uname, the memory benchmark).
 */

gboolean
_hearth_hardware_root_is_real (const char *root)
{
  return root == NULL || g_strcmp0 (root, "/") == 0;
}

char *
_hearth_hardware_root_path (const char *root,
                            const char *relative)
{
  return g_build_filename (root != NULL ? root : "/", relative, NULL);
}

char *
_hearth_hardware_root_read (const char *root,
                            const char *relative)
{
  g_autofree char *path = _hearth_hardware_root_path (root, relative);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return g_strstrip (contents);
}

gint64
_hearth_hardware_root_read_int (const char *root,
                                const char *relative)
{
  g_autofree char *text = _hearth_hardware_root_read (root, relative);
  gint64 value;

  if (text == NULL || !g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &value, NULL))
    return -1;
  return value;
}

/* sysfs writes hex ids as "0x10de". */
gint64
_hearth_hardware_root_read_hex (const char *root,
                                const char *relative)
{
  g_autofree char *text = _hearth_hardware_root_read (root, relative);
  char *end = NULL;
  gint64 value;

  if (text == NULL)
    return -1;
  value = g_ascii_strtoll (text, &end, 16);
  return end != text ? value : -1;
}

/* "key : value" lines, as /proc/cpuinfo, /proc/meminfo and uevent write them. */
gboolean
_hearth_hardware_split_line (const char  *line,
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
  value = _hearth_hardware_root_read_int (root, rotational);
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

  if (_hearth_hardware_root_is_real (root))
    {
      g_autofree char *existing = NULL;

      hw->models_dir = default_models_dir ();
      existing = existing_ancestor (hw->models_dir);
      hw->models_free = free_space (existing);
      disk = disk_for_path (existing);
    }
  else
    {
      hw->models_dir = _hearth_hardware_root_read (root, "models-dir");
      if (hw->models_dir == NULL)
        hw->models_dir = default_models_dir ();
      hw->models_free = -1;
      disk = _hearth_hardware_root_read (root, "models-device");
    }
  hw->storage_kind = storage_kind (root, disk);
}

/* System */

static char *
os_release_name (const char *root)
{
  g_autofree char *text = _hearth_hardware_root_read (root, "etc/os-release");
  g_auto(GStrv) lines = NULL;

  if (text == NULL)
    text = _hearth_hardware_root_read (root, "usr/lib/os-release");
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
  g_autofree char *flatpak_info = _hearth_hardware_root_path (root, ".flatpak-info");

  hw->os_name = os_release_name (root);
  hw->kernel = _hearth_hardware_root_read (root, "proc/sys/kernel/osrelease");
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

/* The memory bandwidth is measured once per machine and kept in the cache
 * folder ($XDG_CACHE_HOME/hearth/hardware.ini, safe to delete), under a
 * digest of what the machine is: its processor, threads and memory. Every
 * probe then gives the same figure, so the score and the recommendations
 * of the Hardware page, the setup assistant and hearth-cli agree; Refresh
 * (hearth-cli --refresh) measures it again. */
#define BANDWIDTH_GROUP "bandwidth"

static char *
bandwidth_file (void)
{
  return g_build_filename (g_get_user_cache_dir (), "hearth", "hardware.ini", NULL);
}

static char *
bandwidth_key (const HearthHardware *hw)
{
  g_autofree char *what = g_strdup_printf ("%s|%d|%" G_GINT64_FORMAT,
                                           hw->cpu_model ? hw->cpu_model : "", hw->cpu_threads,
                                           hw->mem_total);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, what, -1);
}

/* Returns: the stored bandwidth of this machine in GB/s, or -1 */
static double
stored_bandwidth (const HearthHardware *hw)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *path = bandwidth_file ();
  g_autofree char *key = bandwidth_key (hw);
  g_autoptr(GError) error = NULL;
  double value;

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL))
    return -1;
  value = g_key_file_get_double (file, BANDWIDTH_GROUP, key, &error);
  return error == NULL && value > 0 && isfinite (value) ? value : -1;
}

/* A failure to write only means measuring again next time. */
static void
store_bandwidth (const HearthHardware *hw,
                 double                gbs)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *path = bandwidth_file ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *key = bandwidth_key (hw);
  g_autoptr(GError) error = NULL;

  if (gbs <= 0)
    return;
  g_key_file_load_from_file (file, path, G_KEY_FILE_KEEP_COMMENTS, NULL);
  g_key_file_set_double (file, BANDWIDTH_GROUP, key, gbs);
  if (g_mkdir_with_parents (dir, 0700) != 0 || !g_key_file_save_to_file (file, path, &error))
    g_debug ("The measured memory bandwidth is not kept: %s",
             error != NULL ? error->message : g_strerror (errno));
}

static HearthHardware *
probe (const char  *root,
       gboolean     measure_bandwidth,
       gboolean     fresh,
       GError     **error)
{
  g_autoptr(HearthHardware) hw = hardware_new ();

  if (!_hearth_hardware_probe_cpu (root, hw, error)
      || !_hearth_hardware_probe_memory (root, hw, error))
    return NULL;
  if (measure_bandwidth && _hearth_hardware_root_is_real (root))
    {
      hw->mem_bandwidth_gbs = fresh ? -1 : stored_bandwidth (hw);
      if (hw->mem_bandwidth_gbs <= 0)
        {
          hw->mem_bandwidth_gbs = hearth_hardware_measure_bandwidth ();
          store_bandwidth (hw, hw->mem_bandwidth_gbs);
        }
    }
  _hearth_hardware_probe_gpus (root, hw);
  probe_storage (root, hw);
  probe_system (root, hw);
  return g_steal_pointer (&hw);
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
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return probe (root, measure_bandwidth, FALSE, error);
}

/**
 * hearth_hardware_probe_fresh:
 *
 * Probes this machine as hearth_hardware_probe() does, measuring its
 * memory bandwidth again and keeping the new figure (Refresh, --refresh).
 * Blocks.
 */
HearthHardware *
hearth_hardware_probe_fresh (GError **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return probe (NULL, TRUE, TRUE, error);
}

static void
probe_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;
  HearthHardware *hw = probe (NULL, TRUE, GPOINTER_TO_INT (task_data), &error);

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

/* As hearth_hardware_probe_async(), measuring the memory bandwidth again;
 * finish with hearth_hardware_probe_finish(). */
void
hearth_hardware_reprobe_async (GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, hearth_hardware_probe_async);
  g_task_set_task_data (task, GINT_TO_POINTER (TRUE), NULL);
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
  return g_format_size (bytes);
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

  g_string_append (out, _("## CPU\n\n"));
  g_string_append_printf (out, _("- Model: %s\n"), or_unknown (hw->cpu_model));
  g_string_append_printf (out, _("- Vendor: %s\n"), or_unknown (hw->cpu_vendor));
  g_string_append_printf (out, _("- Architecture: %s\n"), or_unknown (hw->arch));
  g_string_append_printf (out, _("- Cores: %d physical, %d threads\n"), hw->cpu_cores, hw->cpu_threads);
  if (hw->cpu_max_mhz > 0)
    g_string_append_printf (out, _("- Maximum clock: %.0f MHz\n"), hw->cpu_max_mhz);
  g_string_append_printf (out, _("- Cache: L2 %s, L3 %s\n"), l2, l3);
  g_string_append_printf (out, _("- Features: %s\n\n"), features);
}

static void
markdown_memory (GString              *out,
                 const HearthHardware *hw)
{
  g_autofree char *total = format_bytes (hw->mem_total);
  g_autofree char *available = format_bytes (hw->mem_available);
  g_autofree char *swap = format_bytes (hw->swap_total);
  g_autofree char *swap_free = format_bytes (hw->swap_free);

  g_string_append (out, _("## Memory\n\n"));
  g_string_append_printf (out, _("- Total: %s (%s available)\n"), total, available);
  g_string_append_printf (out, _("- Swap: %s (%s free)\n"), swap, swap_free);
  if (hw->mem_bandwidth_gbs > 0)
    g_string_append_printf (out, _("- Read bandwidth: %.1f GB/s\n"), hw->mem_bandwidth_gbs);
  else
    g_string_append (out, _("- Read bandwidth: not measured\n"));
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
  g_string_append_printf (out, _("  - VRAM: %s\n"), gpu->integrated && gpu->vram_total < 0
                          ? _("shared with system memory") : vram);
  g_string_append_printf (out, _("  - Driver: %s\n"), or_unknown (gpu->driver));
  if (gpu->compute_capability != NULL)
    g_string_append_printf (out, _("  - Compute capability: %s\n"), gpu->compute_capability);
  if (gpu->utilization >= 0)
    g_string_append_printf (out, _("  - Utilisation: %d%%\n"), gpu->utilization);
  if (gpu->temperature_c >= 0)
    g_string_append_printf (out, _("  - Temperature: %.0f °C\n"), gpu->temperature_c);
  if (gpu->power_w >= 0)
    g_string_append_printf (out, _("  - Power: %.0f W\n"), gpu->power_w);
}

static void
markdown_rest (GString              *out,
               const HearthHardware *hw)
{
  g_autofree char *free_text = format_bytes (hw->models_free);

  g_string_append (out, _("## GPUs\n\n"));
  if (hw->gpus == NULL || hw->gpus->len == 0)
    g_string_append (out, _("- None found\n"));
  for (guint i = 0; hw->gpus != NULL && i < hw->gpus->len; i++)
    markdown_gpu (out, g_ptr_array_index (hw->gpus, i));

  g_string_append (out, _("\n## Storage\n\n"));
  g_string_append_printf (out, _("- Models directory: %s\n"), or_unknown (hw->models_dir));
  g_string_append_printf (out, _("- Free space: %s\n"), free_text);
  g_string_append_printf (out, _("- Kind: %s\n"), hearth_storage_kind_to_string (hw->storage_kind));

  g_string_append (out, _("\n## System\n\n"));
  g_string_append_printf (out, _("- OS: %s\n"), or_unknown (hw->os_name));
  g_string_append_printf (out, _("- Kernel: %s\n"), or_unknown (hw->kernel));
  g_string_append (out, hw->flatpak ? _("- Flatpak: yes\n") : _("- Flatpak: no\n"));
}

char *
hearth_hardware_to_markdown (const HearthHardware *hardware)
{
  GString *out;

  g_return_val_if_fail (hardware != NULL, NULL);

  out = g_string_new (_("# Hardware\n\n"));
  markdown_cpu (out, hardware);
  markdown_memory (out, hardware);
  markdown_rest (out, hardware);
  return g_string_free (out, FALSE);
}
