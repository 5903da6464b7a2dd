/* hearth-catalog-score.c — how well this machine runs models, as points with their reasons
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-catalog"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>

#include "hearth-catalog-private.h"

/* Score
 *
 * 0–100 from measured inputs only; each part grows by log2 because every
 * doubling of memory or bandwidth opens the next model size:
 *   memory for models   35  (4 GiB → 0, 128 GiB → 35)
 *   memory bandwidth    20  (5 GB/s → 0, 160 GB/s → 20)
 *   dedicated VRAM      30  (1 GiB → 0, 32 GiB → 30)
 *   physical cores      10  (2 → 0, 16 → 10)
 *   ISA features         5  (AVX2 +3, FMA and F16C +1, AVX-512 +1; NEON +3;
 *                            −5 on x86 without AVX2)
 * Unknown inputs give 0 points and a reason saying so. */

/* An integrated GPU has no VRAM of its own: models on it live in system RAM. */
static const HearthGpu *
best_dedicated_gpu (const HearthHardware *hardware)
{
  const HearthGpu *best = NULL;

  for (guint i = 0; hardware->gpus != NULL && i < hardware->gpus->len; i++)
    {
      const HearthGpu *gpu = g_ptr_array_index (hardware->gpus, i);

      if (!gpu->integrated && gpu->vram_total > 0
          && (best == NULL || gpu->vram_total > best->vram_total))
        best = gpu;
    }

  return best;
}

static int
log_points (double value,
            double zero_at,
            double full_at,
            int    max_points)
{
  double points;

  if (value <= zero_at)
    return 0;

  points = max_points * log2 (value / zero_at) / log2 (full_at / zero_at);
  return (int) CLAMP (lround (points), 0, max_points);
}

static void hearth_score_reason_free (HearthScoreReason *reason);

G_GNUC_PRINTF (3, 4)
static void
add_reason (HearthScore *score,
            int          points,
            const char  *format,
            ...)
{
  HearthScoreReason *reason = g_new0 (HearthScoreReason, 1);
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  reason->points = points;
  /* A true minus sign: the UI shows these as they are. */
  reason->text = g_strdup_printf ("%s%d %s", points < 0 ? "−" : "+", ABS (points), text);
  g_ptr_array_add (score->reasons, reason);
  score->score += points;
}

static void
score_memory (HearthScore          *score,
              const HearthHardware *hardware)
{
  g_autofree char *size = NULL;

  if (hardware->mem_total <= 0)
    {
      add_reason (score, 0, _("for system memory: not measured"));
      return;
    }

  size = g_format_size (hardware->mem_total);
  add_reason (score, log_points ((double) hardware->mem_total, 4.0 * GIB, 128.0 * GIB, 35),
              _("for %s of system memory"), size);
}

static void
score_bandwidth (HearthScore          *score,
                 const HearthHardware *hardware)
{
  double bandwidth = hardware->mem_bandwidth_gbs;

  if (bandwidth <= 0)
    add_reason (score, 0, _("for memory bandwidth: not measured"));
  else
    add_reason (score, log_points (bandwidth, 5, 160, 20),
                _("for %.0f GB/s of measured memory bandwidth"), bandwidth);
}

static const HearthGpu *
first_integrated_gpu (const HearthHardware *hardware)
{
  for (guint i = 0; hardware->gpus != NULL && i < hardware->gpus->len; i++)
    {
      const HearthGpu *gpu = g_ptr_array_index (hardware->gpus, i);

      if (gpu->integrated)
        return gpu;
    }

  return NULL;
}

static void
score_gpu (HearthScore          *score,
           const HearthHardware *hardware)
{
  const HearthGpu *gpu = best_dedicated_gpu (hardware);
  const HearthGpu *integrated = first_integrated_gpu (hardware);
  g_autofree char *size = NULL;

  if (gpu != NULL)
    {
      size = g_format_size (gpu->vram_total);
      add_reason (score, log_points ((double) gpu->vram_total, 1.0 * GIB, 32.0 * GIB, 30),
                  _("for %s of VRAM on %s"), size, gpu->name ? gpu->name : _("the GPU"));
    }
  else if (integrated != NULL)
    add_reason (score, 0, _("for %s: an integrated GPU shares system memory, counted above"),
                integrated->name ? integrated->name : "the GPU");
  else if (hardware->gpus != NULL && hardware->gpus->len > 0)
    add_reason (score, 0, _("for GPU memory: not measured"));
  else
    add_reason (score, 0, _("for the GPU: none found, models run on the CPU"));
}

static void
score_cores (HearthScore          *score,
             const HearthHardware *hardware)
{
  if (hardware->cpu_cores <= 0)
    add_reason (score, 0, _("for CPU cores: not measured"));
  else
    add_reason (score, log_points (hardware->cpu_cores, 2, 16, 10),
                _("for %d physical CPU cores"), hardware->cpu_cores);
}

static gboolean
has_feature (const HearthHardware *hardware,
             const char           *feature)
{
  return g_strv_contains ((const char * const *) hardware->cpu_features, feature);
}

static void
score_x86_features (HearthScore          *score,
                    const HearthHardware *hardware)
{
  if (!has_feature (hardware, "avx2"))
    {
      add_reason (score, -5, _("no AVX2: llama.cpp’s fast paths need it"));
      return;
    }

  /* Translators: a line of the hardware score, shown after its points as
   * in “+3 for AVX2”; AVX2 is a set of processor instructions */
  add_reason (score, 3, _("for AVX2"));
  if (has_feature (hardware, "fma") && has_feature (hardware, "f16c"))
    add_reason (score, 1, _("for FMA and F16C"));
  if (has_feature (hardware, "avx512f"))
    add_reason (score, 1, _("for AVX-512"));
}

static void
score_features (HearthScore          *score,
                const HearthHardware *hardware)
{
  if (hardware->cpu_features == NULL || hardware->arch == NULL)
    add_reason (score, 0, _("for CPU features: not measured"));
  else if (g_str_equal (hardware->arch, "x86_64"))
    score_x86_features (score, hardware);
  else if (has_feature (hardware, "neon"))
    add_reason (score, 3, _("for NEON"));
  else
    add_reason (score, 0, _("for CPU features: none that llama.cpp accelerates"));
}

/**
 * hearth_hardware_score:
 *
 * Returns: (transfer full): the score and the reasons whose points add up to it
 */
HearthScore *
hearth_hardware_score (const HearthHardware *hardware)
{
  HearthScore *score;

  g_return_val_if_fail (hardware != NULL, NULL);

  score = g_new0 (HearthScore, 1);
  score->reasons = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_score_reason_free);
  score_memory (score, hardware);
  score_bandwidth (score, hardware);
  score_gpu (score, hardware);
  score_cores (score, hardware);
  score_features (score, hardware);

  /* Only the missing-AVX2 penalty can push a bare machine below 0. */
  if (score->score < 0)
    add_reason (score, -score->score, _("so that the score does not go below 0"));

  return score;
}

static void
hearth_score_reason_free (HearthScoreReason *reason)
{
  g_free (reason->text);
  g_free (reason);
}

void
hearth_score_free (HearthScore *score)
{
  if (score == NULL)
    return;

  g_ptr_array_unref (score->reasons);
  g_free (score);
}
