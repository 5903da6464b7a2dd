/* fuzz-catalog.c — a model catalog file (data/models.json's format)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What loads is then used as the Hardware page and `hearth-cli recommend`
 * use it: every quantization fitted to a machine with a GPU and to one
 * without, at the default and at the largest context, and a recommendation
 * for every use.
 */
#include "hearth-catalog.h"
#include "hearth-fuzz.h"

#define GIB ((gint64) 1 << 30)

static HearthHardware *machines[2];

static HearthHardware *
machine_new (gint64 vram)
{
  HearthHardware *hw = g_new0 (HearthHardware, 1);

  hw->cpu_cores = 8;
  hw->cpu_threads = 16;
  hw->mem_total = 32 * GIB;
  hw->mem_available = 24 * GIB;
  hw->mem_bandwidth_gbs = 60;
  hw->gpus = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_gpu_free);
  if (vram > 0)
    {
      HearthGpu *gpu = g_new0 (HearthGpu, 1);

      gpu->name = g_strdup ("Test GPU");
      gpu->vendor = HEARTH_GPU_VENDOR_NVIDIA;
      gpu->vram_total = vram;
      gpu->vram_used = -1;
      gpu->utilization = -1;
      gpu->temperature_c = -1;
      gpu->power_w = -1;
      g_ptr_array_add (hw->gpus, gpu);
    }
  return hw;
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  hearth_fuzz_init ();
  machines[0] = machine_new (8 * GIB);
  machines[1] = machine_new (0);
  return 0;
}

static void
fit_model (const HearthCatalogModel *model,
           const HearthHardware     *hw)
{
  for (guint i = 0; i < model->quantizations->len; i++)
    {
      const HearthCatalogQuant *quant = g_ptr_array_index (model->quantizations, i);
      g_autoptr(HearthFit) fit = hearth_catalog_fit (model, quant, hw, 0);
      g_autoptr(HearthFit) largest = hearth_catalog_fit (model, quant, hw, model->context_length);

      g_assert_cmpint (fit->context, <=, model->context_length);
      g_assert_cmpint (fit->best_context, <=, model->context_length);
      g_assert_true (fit->gpu_fraction >= 0 && fit->gpu_fraction <= 1);
      g_assert_nonnull (hearth_placement_to_string (largest->placement));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) catalog = hearth_catalog_load_from_bytes (bytes, &error);

  g_assert ((catalog == NULL) == (error != NULL));
  if (catalog == NULL)
    return 0;
  for (guint i = 0; i < catalog->len; i++)
    {
      const HearthCatalogModel *model = g_ptr_array_index (catalog, i);

      g_assert_nonnull (hearth_catalog_lookup (catalog, model->name));
      g_assert_true (hearth_catalog_model_get_default_quant (model)->is_default);
      hearth_catalog_model_has_capability (model, "chat");
      for (guint m = 0; m < G_N_ELEMENTS (machines); m++)
        fit_model (model, machines[m]);
    }
  for (guint m = 0; m < G_N_ELEMENTS (machines); m++)
    for (HearthUse use = HEARTH_USE_CHAT; use <= HEARTH_USE_REASONING; use++)
      {
        g_autoptr(GPtrArray) picks = hearth_catalog_recommend (catalog, machines[m], use);

        g_assert_cmpuint (picks->len, <=, 3);
      }
  return 0;
}
