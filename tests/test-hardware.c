/* test-hardware.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <stdio.h>

#include "hearth-hardware.h"
#include "hearth-test-util.h"

#define KIB G_GINT64_CONSTANT (1024)
#define MIB (KIB * 1024)

/* What a fixture tree under tests/data/hardware/ must probe to. */
typedef struct
{
  const char        *tree;
  const char        *cpu_model;
  const char        *cpu_vendor;
  int                cores;
  int                threads;
  double             max_mhz;
  gint64             cache_l2;
  gint64             cache_l3;
  const char        *features;   /* space-separated, in probe order */
  const char        *arch;
  gint64             mem_total;
  gint64             mem_available;
  gint64             swap_total;
  gint64             swap_free;
  /* The first GPU; gpu_name NULL for none */
  const char        *gpu_name;
  HearthGpuVendor    gpu_vendor;
  gboolean           gpu_integrated;
  gint64             vram_total;
  const char        *gpu_driver;
  const char        *gpu_source;
  gint64             best_vram;
  const char        *models_dir;  /* NULL: the fixture leaves it to the real rule */
  HearthStorageKind  storage;
  const char        *os_name;
  const char        *kernel;
} Expected;

static const Expected fixtures[] = {
  {
    "nvidia-desktop", "AMD Ryzen 9 7950X 16-Core Processor", "AuthenticAMD", 16, 32, 5881,
    1024 * KIB, 32768 * KIB, "sse4_2 avx avx2 avx512f fma f16c", "x86_64",
    65536000 * KIB, 60123456 * KIB, 8388604 * KIB, 8388604 * KIB,
    "NVIDIA GeForce RTX 4090", HEARTH_GPU_VENDOR_NVIDIA, FALSE, 24564 * MIB,
    "nvidia 550.54.14", "nvidia-smi", 24564 * MIB,
    "/home/user/.ollama/models", HEARTH_STORAGE_NVME,
    "Fedora Linux 39 (Workstation Edition)", "6.7.5-200.fc39.x86_64",
  },
  {
    "amd-desktop", "12th Gen Intel(R) Core(TM) i7-12700K", "GenuineIntel", 12, 20, 5000,
    1280 * KIB, 25600 * KIB, "sse4_2 avx avx2 fma f16c", "x86_64",
    32778408 * KIB, 28911552 * KIB, 2097148 * KIB, 2097148 * KIB,
    "AMD GPU [1002:744c]", HEARTH_GPU_VENDOR_AMD, FALSE, G_GINT64_CONSTANT (25753026560),
    "amdgpu", "sysfs", G_GINT64_CONSTANT (25753026560),
    NULL, HEARTH_STORAGE_SSD,
    "Ubuntu 22.04.4 LTS", "6.5.0-26-generic",
  },
  {
    "intel-laptop", "12th Gen Intel(R) Core(TM) i5-1240P", "GenuineIntel", 12, 16, 4400,
    1280 * KIB, 12288 * KIB, "sse4_2 avx avx2 fma f16c", "x86_64",
    16067804 * KIB, 11234560 * KIB, 8388604 * KIB, 8123392 * KIB,
    "Intel GPU [8086:46a6]", HEARTH_GPU_VENDOR_INTEL, TRUE, -1,
    "i915", "sysfs", -1,
    NULL, HEARTH_STORAGE_NVME,
    "Fedora Linux 40 (Workstation Edition)", "6.8.9-300.fc40.x86_64",
  },
  {
    "arm-board", "ARM Cortex-A76 (Raspberry Pi 5 Model B Rev 1.0)", "ARM", 4, 4, 2400,
    512 * KIB, 2048 * KIB, "neon", "aarch64",
    8245984 * KIB, 7612340 * KIB, 204784 * KIB, 204784 * KIB,
    "Integrated GPU (v3d)", HEARTH_GPU_VENDOR_APPLE_OR_ARM, TRUE, -1,
    "v3d", "sysfs", -1,
    NULL, HEARTH_STORAGE_SSD,
    "Debian GNU/Linux 12 (bookworm)", "6.6.31+rpt-rpi-2712",
  },
  /* Captured with tests/data/hardware/capture.sh on the development VM;
   * recapturing on another machine means updating this entry. */
  {
    "this-machine", "Intel(R) Xeon(R) Processor", "GenuineIntel", 2, 2, 2599.998,
    2048 * KIB, 491520 * KIB, "sse4_2 avx avx2 avx512f fma f16c", "x86_64",
    24684084 * KIB, 23835512 * KIB, 0, 0,
    NULL, HEARTH_GPU_VENDOR_UNKNOWN, FALSE, -1, NULL, NULL, -1,
    NULL, HEARTH_STORAGE_HDD,
    "Debian GNU/Linux 12 (bookworm)", "6.18.44-fc-v669",
  },
};

static char *
fixture_root (const char *tree)
{
  return g_build_filename (g_getenv ("HEARTH_SOURCE_DIR"), "tests", "data", "hardware", tree, NULL);
}

static HearthHardware *
probe_fixture (const char *tree)
{
  g_autofree char *root = fixture_root (tree);
  g_autoptr(GError) error = NULL;
  HearthHardware *hw = hearth_hardware_probe (root, TRUE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (hw);
  return hw;
}

static void
assert_cpu (const HearthHardware *hw,
            const Expected       *want)
{
  g_autofree char *features = g_strjoinv (" ", hw->cpu_features);

  g_assert_cmpstr (hw->cpu_model, ==, want->cpu_model);
  g_assert_cmpstr (hw->cpu_vendor, ==, want->cpu_vendor);
  g_assert_cmpint (hw->cpu_cores, ==, want->cores);
  g_assert_cmpint (hw->cpu_threads, ==, want->threads);
  g_assert_cmpfloat_with_epsilon (hw->cpu_max_mhz, want->max_mhz, 0.001);
  g_assert_cmpint (hw->cache_l2, ==, want->cache_l2);
  g_assert_cmpint (hw->cache_l3, ==, want->cache_l3);
  g_assert_cmpstr (features, ==, want->features);
  g_assert_cmpstr (hw->arch, ==, want->arch);
}

static void
assert_memory (const HearthHardware *hw,
               const Expected       *want)
{
  g_assert_cmpint (hw->mem_total, ==, want->mem_total);
  g_assert_cmpint (hw->mem_available, ==, want->mem_available);
  g_assert_cmpint (hw->swap_total, ==, want->swap_total);
  g_assert_cmpint (hw->swap_free, ==, want->swap_free);
  /* Never measured for a fixture, even when asked: it is not this machine. */
  g_assert_cmpfloat (hw->mem_bandwidth_gbs, ==, -1);
}

static void
assert_gpus (const HearthHardware *hw,
             const Expected       *want)
{
  const HearthGpu *gpu;

  /* Connector entries (card0-DP-1) must not count as cards. */
  g_assert_cmpuint (hw->gpus->len, ==, want->gpu_name != NULL ? 1 : 0);
  g_assert_cmpint (hearth_hardware_best_vram (hw), ==, want->best_vram);
  if (want->gpu_name == NULL)
    return;
  gpu = g_ptr_array_index (hw->gpus, 0);
  g_assert_cmpstr (gpu->name, ==, want->gpu_name);
  g_assert_cmpint (gpu->vendor, ==, want->gpu_vendor);
  g_assert_cmpint (gpu->integrated, ==, want->gpu_integrated);
  g_assert_cmpint (gpu->vram_total, ==, want->vram_total);
  g_assert_cmpstr (gpu->driver, ==, want->gpu_driver);
  g_assert_cmpstr (gpu->source, ==, want->gpu_source);
}

static void
assert_storage_and_system (const HearthHardware *hw,
                           const Expected       *want)
{
  g_assert_nonnull (hw->models_dir);
  if (want->models_dir != NULL)
    g_assert_cmpstr (hw->models_dir, ==, want->models_dir);
  g_assert_cmpint (hw->models_free, ==, -1);
  g_assert_cmpint (hw->storage_kind, ==, want->storage);
  g_assert_cmpstr (hw->os_name, ==, want->os_name);
  g_assert_cmpstr (hw->kernel, ==, want->kernel);
  g_assert_false (hw->flatpak);
}

static void
test_fixture (gconstpointer data)
{
  const Expected *want = data;
  g_autoptr(HearthHardware) hw = probe_fixture (want->tree);

  assert_cpu (hw, want);
  assert_memory (hw, want);
  assert_gpus (hw, want);
  assert_storage_and_system (hw, want);
}

/* What only nvidia-smi knows comes from the fixture's nvidia-smi.csv. */
static void
test_nvidia_details (void)
{
  g_autoptr(HearthHardware) hw = probe_fixture ("nvidia-desktop");
  const HearthGpu *gpu = g_ptr_array_index (hw->gpus, 0);

  g_assert_cmpint (gpu->vram_used, ==, 1325 * MIB);
  g_assert_cmpstr (gpu->compute_capability, ==, "8.9");
  g_assert_cmpint (gpu->utilization, ==, 3);
  g_assert_cmpfloat (gpu->temperature_c, ==, 41);
}

static void
test_amd_sysfs_details (void)
{
  g_autoptr(HearthHardware) hw = probe_fixture ("amd-desktop");
  const HearthGpu *gpu = g_ptr_array_index (hw->gpus, 0);

  g_assert_cmpint (gpu->vram_used, ==, 512884736);
  g_assert_cmpint (gpu->utilization, ==, 2);
  g_assert_cmpfloat (gpu->temperature_c, ==, 45);
  g_assert_null (gpu->compute_capability);
}

static gint64
read_mem_total_kib (void)
{
  g_autofree char *text = NULL;
  const char *line;
  gint64 kib = -1;

  g_assert_true (g_file_get_contents ("/proc/meminfo", &text, NULL, NULL));
  line = strstr (text, "MemTotal:");
  g_assert_nonnull (line);
  g_assert_cmpint (sscanf (line, "MemTotal: %" G_GINT64_FORMAT " kB", &kib), ==, 1);
  return kib;
}

static void
test_real_machine (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthHardware) hw = hearth_hardware_probe (NULL, TRUE, &error);

  g_assert_no_error (error);
  g_assert_cmpint (hw->cpu_threads, ==, g_get_num_processors ());
  g_assert_cmpint (hw->cpu_cores, >=, 1);
  g_assert_cmpint (hw->cpu_cores, <=, hw->cpu_threads);
  g_assert_cmpint (hw->mem_total, ==, read_mem_total_kib () * 1024);
  g_assert_cmpfloat (hw->mem_bandwidth_gbs, >, 0);
  g_assert_nonnull (hw->arch);
  g_assert_nonnull (hw->kernel);
  g_assert_nonnull (hw->models_dir);
  g_assert_cmpint (hw->models_free, >=, 0);
  g_test_message ("bandwidth %.1f GB/s, %u GPU(s), storage %s", hw->mem_bandwidth_gbs,
                  hw->gpus->len, hearth_storage_kind_to_string (hw->storage_kind));
}

static void
test_real_machine_unmeasured (void)
{
  g_autoptr(HearthHardware) hw = hearth_hardware_probe ("/", FALSE, NULL);

  g_assert_nonnull (hw);
  g_assert_cmpfloat (hw->mem_bandwidth_gbs, ==, -1);
}

static void
test_json (void)
{
  g_autoptr(HearthHardware) hw = probe_fixture ("nvidia-desktop");
  g_autoptr(JsonNode) node = hearth_hardware_to_json (hw);
  JsonObject *root = json_node_get_object (node);
  JsonObject *cpu = json_object_get_object_member (root, "cpu");
  JsonObject *memory = json_object_get_object_member (root, "memory");
  JsonObject *storage = json_object_get_object_member (root, "storage");
  JsonObject *system = json_object_get_object_member (root, "system");
  JsonArray *gpus = json_object_get_array_member (root, "gpus");
  JsonObject *gpu = json_array_get_object_element (gpus, 0);

  g_assert_cmpstr (json_object_get_string_member (cpu, "model"), ==,
                   "AMD Ryzen 9 7950X 16-Core Processor");
  g_assert_cmpint (json_object_get_int_member (cpu, "cores"), ==, 16);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (cpu, "features")), ==, 6);
  g_assert_cmpint (json_object_get_int_member (memory, "total"), ==, 65536000 * KIB);
  g_assert_true (json_object_get_null_member (memory, "bandwidth_gbs"));
  g_assert_cmpint (json_array_get_length (gpus), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (gpu, "vendor"), ==, "NVIDIA");
  g_assert_cmpint (json_object_get_int_member (gpu, "vram_total"), ==, 24564 * MIB);
  g_assert_false (json_object_get_boolean_member (gpu, "integrated"));
  g_assert_cmpstr (json_object_get_string_member (storage, "kind"), ==, "NVMe");
  g_assert_true (json_object_get_null_member (storage, "models_free"));
  g_assert_cmpstr (json_object_get_string_member (system, "os"), ==,
                   "Fedora Linux 39 (Workstation Edition)");
  g_assert_false (json_object_get_boolean_member (system, "flatpak"));
}

static void
test_markdown (void)
{
  g_autoptr(HearthHardware) hw = probe_fixture ("intel-laptop");
  g_autofree char *text = hearth_hardware_to_markdown (hw);
  static const char * const sections[] = {
    "## CPU", "## Memory", "## GPUs", "## Storage", "## System",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (sections); i++)
    g_assert_nonnull (strstr (text, sections[i]));
  g_assert_nonnull (strstr (text, "i5-1240P"));
  g_assert_nonnull (strstr (text, "integrated"));
  g_assert_nonnull (strstr (text, "NVMe"));
}

static void
test_missing_cpuinfo (void)
{
  g_autofree char *root = hearth_test_build_tmp_path ("empty-root", NULL);
  g_autofree char *proc = g_build_filename (root, "proc", NULL);
  g_autofree char *cpuinfo = g_build_filename (proc, "cpuinfo", NULL);
  g_autoptr(GError) error = NULL;
  HearthHardware *hw;

  g_assert_cmpint (g_mkdir_with_parents (proc, 0700), ==, 0);
  hw = hearth_hardware_probe (root, FALSE, &error);
  g_assert_null (hw);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, root));
  g_clear_error (&error);

  /* cpuinfo alone is not enough: without meminfo there is no memory figure. */
  g_assert_true (g_file_set_contents (cpuinfo, "processor\t: 0\n", -1, NULL));
  hw = hearth_hardware_probe (root, FALSE, &error);
  g_assert_null (hw);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
on_probed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  HearthHardware **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = hearth_hardware_probe_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_probe_async (void)
{
  g_autoptr(HearthHardware) hw = NULL;

  hearth_hardware_probe_async (NULL, on_probed, &hw);
  while (hw == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (hw->cpu_threads, ==, g_get_num_processors ());
  g_assert_cmpfloat (hw->mem_bandwidth_gbs, >, 0);
}

/* The memory bandwidth is measured once and kept with the machine's
 * fingerprint: two probes give the same figure (and so the same score and
 * picks everywhere); a fresh probe (Refresh, --refresh) measures again. */
static void
test_bandwidth_kept (void)
{
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "hearth", "hardware.ini",
                                            NULL);
  g_autoptr(HearthHardware) first = NULL;
  g_autoptr(HearthHardware) second = NULL;
  g_autoptr(HearthHardware) planted = NULL;
  g_autoptr(HearthHardware) fresh = NULL;
  g_autoptr(HearthHardware) after = NULL;
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) keys = NULL;

  g_unlink (path);
  first = hearth_hardware_probe (NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (first->mem_bandwidth_gbs, >, 0);
  second = hearth_hardware_probe (NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (second->mem_bandwidth_gbs, ==, first->mem_bandwidth_gbs);

  /* What is kept is what a probe says: plant a figure no machine measures. */
  g_assert_true (g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &error));
  keys = g_key_file_get_keys (file, "bandwidth", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (keys), ==, 1);
  g_key_file_set_double (file, "bandwidth", keys[0], 1234.5);
  g_assert_true (g_key_file_save_to_file (file, path, &error));
  planted = hearth_hardware_probe (NULL, TRUE, &error);
  g_assert_cmpfloat (planted->mem_bandwidth_gbs, ==, 1234.5);

  /* Refresh measures again and keeps the new figure. */
  fresh = hearth_hardware_probe_fresh (&error);
  g_assert_no_error (error);
  g_assert_cmpfloat (fresh->mem_bandwidth_gbs, >, 0);
  g_assert_cmpfloat (fresh->mem_bandwidth_gbs, !=, 1234.5);
  after = hearth_hardware_probe (NULL, TRUE, &error);
  g_assert_cmpfloat (after->mem_bandwidth_gbs, ==, fresh->mem_bandwidth_gbs);
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);

  for (gsize i = 0; i < G_N_ELEMENTS (fixtures); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hardware/fixture/%s", fixtures[i].tree);

      g_test_add_data_func (path, &fixtures[i], test_fixture);
    }
  g_test_add_func ("/hardware/nvidia-smi-fixture", test_nvidia_details);
  g_test_add_func ("/hardware/amd-sysfs", test_amd_sysfs_details);
  g_test_add_func ("/hardware/real", test_real_machine);
  g_test_add_func ("/hardware/real-unmeasured", test_real_machine_unmeasured);
  g_test_add_func ("/hardware/json", test_json);
  g_test_add_func ("/hardware/markdown", test_markdown);
  g_test_add_func ("/hardware/missing-cpuinfo", test_missing_cpuinfo);
  g_test_add_func ("/hardware/probe-async", test_probe_async);
  g_test_add_func ("/hardware/bandwidth-kept", test_bandwidth_kept);
  return g_test_run ();
}
