/* hearth-hardware-cpu.c — the processor, memory and memory bandwidth
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-hardware"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>
#include <sys/utsname.h>

#include "hearth-hardware-private.h"

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

      if (_hearth_hardware_split_line (lines[i], &key, &value, ':'))
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

  if (_hearth_hardware_root_is_real (root) && uname (&name) == 0)
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
      char *list = _hearth_hardware_root_read (root, core);

      if (list == NULL)
        list = _hearth_hardware_root_read (root, sib);
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
      g_autofree char *type = _hearth_hardware_root_read (root, type_path);
      g_autofree char *size = _hearth_hardware_root_read (root, size_path);
      gint64 level = _hearth_hardware_root_read_int (root, level_path);

      if (type == NULL || size == NULL || g_str_equal (type, "Instruction"))
        continue;
      if (level == 2)
        hw->cache_l2 = parse_cache_size (size);
      else if (level == 3)
        hw->cache_l3 = parse_cache_size (size);
    }
}

gboolean
_hearth_hardware_probe_cpu (const char      *root,
                            HearthHardware  *hw,
                            GError         **error)
{
  g_autofree char *text = _hearth_hardware_root_read (root, "proc/cpuinfo");
  g_autofree char *root_shown = _hearth_hardware_root_path (root, "");
  CpuInfo info = { 0, };
  gint64 max_khz;

  if (text == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("No processor information at %s: is this the root of a Linux system?"),
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

  max_khz = _hearth_hardware_root_read_int (root, "sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
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

gboolean
_hearth_hardware_probe_memory (const char      *root,
                               HearthHardware  *hw,
                               GError         **error)
{
  g_autofree char *text = _hearth_hardware_root_read (root, "proc/meminfo");
  g_autofree char *root_shown = _hearth_hardware_root_path (root, "");
  g_autoptr(GHashTable) table = NULL;
  g_auto(GStrv) lines = NULL;

  if (text == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("No memory information at %s: is this the root of a Linux system?"),
                   root_shown);
      return FALSE;
    }
  table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *key, *value;

      if (_hearth_hardware_split_line (lines[i], &key, &value, ':'))
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
