/* hearth-catalog-fit.c — where a model runs on this machine, how fast, and which to recommend
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-catalog"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>

#include "hearth-catalog-private.h"

/* Kept free for the system and the desktop when a model runs from RAM. */
#define SYSTEM_RESERVE (2 * GIB)

/* Runtime overhead beyond weights and KV cache (compute buffers, the GPU
 * context, scratch) = 0.5 GiB + 10 % of the weights. A rounded rule, not a
 * measurement; data/MODELS-SOURCES.md repeats it. */
#define OVERHEAD_FIXED (GIB / 2)
#define OVERHEAD_SHARE 0.10

/* Decode reads every weight once per token, so tokens/s ≈ bandwidth ÷ weights;
 * llama.cpp's CPU kernels reach roughly this share of the measured bandwidth. */
#define BANDWIDTH_EFFICIENCY 0.6

#define MIN_CONTEXT     2048
#define DEFAULT_CONTEXT 4096   /* Ollama's default below 24 GiB of VRAM */

/* Recommendations: a model must answer at least this fast from the CPU; with
 * no measured bandwidth there is no speed to compare, so CPU-only picks stop
 * at a size that runs acceptably on most machines that have the RAM for it. */
#define MIN_USABLE_TOKENS_PER_S 5.0
#define MAX_UNMEASURED_CPU_PARAMETERS 8e9
#define MIN_RECOMMENDED_PARAMETERS 1e9

/* Fit */

/* K and V, for every layer and KV head, in f16 (2 bytes): Ollama's default cache type. */
gint64
hearth_catalog_model_kv_cache_bytes (const HearthCatalogModel *model,
                                     gint64                    context)
{
  g_return_val_if_fail (model != NULL, 0);

  return 2 * (gint64) model->layers * model->kv_heads * model->head_dim * 2 * context;
}

static gint64
runtime_overhead (const HearthCatalogQuant *quant)
{
  return OVERHEAD_FIXED + (gint64) (quant->size * OVERHEAD_SHARE);
}

static gint64
memory_needed (const HearthCatalogModel *model,
               const HearthCatalogQuant *quant,
               gint64                    context)
{
  return quant->size
         + hearth_catalog_model_kv_cache_bytes (model, context)
         + runtime_overhead (quant);
}

static gint64
dedicated_vram (const HearthHardware *hardware)
{
  return MAX (hearth_hardware_best_vram (hardware), 0);
}

static gint64
ram_budget (const HearthHardware *hardware)
{
  return MAX (hardware->mem_total - SYSTEM_RESERVE, 0);
}

/* Layers are what Ollama splits between GPU and CPU (num_gpu); the overhead
 * stays on the GPU, each layer takes its share of weights and cache. */
static int
layers_in_vram (const HearthCatalogModel *model,
                const HearthCatalogQuant *quant,
                gint64                    context,
                gint64                    vram)
{
  gint64 per_layer = (quant->size + hearth_catalog_model_kv_cache_bytes (model, context))
                     / model->layers;
  gint64 room = vram - runtime_overhead (quant);

  if (room <= 0 || per_layer <= 0)
    return 0;

  return (int) MIN (room / per_layer, model->layers);
}

static void
place (HearthFit                *fit,
       const HearthCatalogModel *model,
       const HearthCatalogQuant *quant,
       gint64                    vram,
       gint64                    ram)
{
  int layers = layers_in_vram (model, quant, fit->context, vram);

  if (vram > 0 && fit->memory_needed <= vram)
    fit->placement = HEARTH_PLACEMENT_RUNS_ON_GPU;
  else if (layers > 0 && fit->memory_needed <= vram + ram)
    fit->placement = HEARTH_PLACEMENT_PARTLY_ON_GPU;
  else if (fit->memory_needed <= ram)
    fit->placement = HEARTH_PLACEMENT_CPU_ONLY;
  else
    fit->placement = HEARTH_PLACEMENT_TOO_LARGE;

  if (fit->placement == HEARTH_PLACEMENT_RUNS_ON_GPU)
    fit->gpu_fraction = 1.0;
  else if (fit->placement == HEARTH_PLACEMENT_PARTLY_ON_GPU)
    fit->gpu_fraction = (double) layers / model->layers;
}

/* A split model spans both memories, so its context may use both. */
static gint64
placement_memory (HearthPlacement placement,
                  gint64          vram,
                  gint64          ram)
{
  switch (placement)
    {
    case HEARTH_PLACEMENT_RUNS_ON_GPU:
      return vram;
    case HEARTH_PLACEMENT_PARTLY_ON_GPU:
      return vram + ram;
    case HEARTH_PLACEMENT_CPU_ONLY:
    case HEARTH_PLACEMENT_TOO_LARGE:
    default:
      return ram;
    }
}

static gint64
best_context (const HearthCatalogModel *model,
              const HearthCatalogQuant *quant,
              gint64                    memory)
{
  gint64 best = 0;

  for (gint64 context = MIN_CONTEXT; context <= model->context_length; context *= 2)
    {
      if (memory_needed (model, quant, context) > memory)
        break;
      best = context;
    }

  return best;
}

static void
set_estimate (HearthFit *fit,
              double     tokens_per_s,
              char      *basis)
{
  fit->tokens_per_s = tokens_per_s;
  g_free (fit->estimate_basis);
  fit->estimate_basis = basis;
}

static void
estimate_speed (HearthFit                *fit,
                const HearthCatalogQuant *quant,
                const HearthHardware     *hardware)
{
  double bandwidth = hardware->mem_bandwidth_gbs;
  double in_ram_gb = quant->size * (1.0 - fit->gpu_fraction) / 1e9;

  if (fit->placement == HEARTH_PLACEMENT_TOO_LARGE)
    set_estimate (fit, -1, g_strdup (_("No estimate: the model does not fit in this machine’s memory")));
  else if (fit->placement == HEARTH_PLACEMENT_RUNS_ON_GPU)
    set_estimate (fit, -1, g_strdup (_("No estimate: the GPU’s memory bandwidth is not measured; "
                                       "run the model once to measure its speed")));
  else if (bandwidth <= 0)
    set_estimate (fit, -1, g_strdup (_("No estimate: system memory bandwidth is not measured")));
  else if (fit->placement == HEARTH_PLACEMENT_PARTLY_ON_GPU)
    /* The GPU's layers take time too, unknown without its bandwidth: an upper bound. */
    set_estimate (fit, bandwidth * BANDWIDTH_EFFICIENCY / in_ram_gb,
                  g_strdup_printf (_("Estimate, at most: %.0f GB/s of measured system memory "
                                     "bandwidth over the %.1f GB of weights left in RAM, at "
                                     "%.0f %% efficiency; the GPU’s share is not counted"),
                                   bandwidth, in_ram_gb, BANDWIDTH_EFFICIENCY * 100));
  else
    set_estimate (fit, bandwidth * BANDWIDTH_EFFICIENCY / in_ram_gb,
                  g_strdup_printf (_("Estimate: %.0f GB/s of measured system memory bandwidth "
                                     "over %.1f GB of weights, at %.0f %% efficiency"),
                                   bandwidth, in_ram_gb, BANDWIDTH_EFFICIENCY * 100));
}

/**
 * hearth_catalog_fit:
 * @context: tokens of context to plan for; 0 or less for Ollama's default
 *
 * Returns: (transfer full): where @quant of @model would run on @hardware
 */
HearthFit *
hearth_catalog_fit (const HearthCatalogModel *model,
                    const HearthCatalogQuant *quant,
                    const HearthHardware     *hardware,
                    gint64                    context)
{
  HearthFit *fit;
  gint64 vram, ram;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (quant != NULL, NULL);
  g_return_val_if_fail (hardware != NULL, NULL);

  vram = dedicated_vram (hardware);
  ram = ram_budget (hardware);

  fit = g_new0 (HearthFit, 1);
  fit->context = MIN (context > 0 ? context : DEFAULT_CONTEXT, model->context_length);
  fit->memory_needed = memory_needed (model, quant, fit->context);
  place (fit, model, quant, vram, ram);
  fit->best_context = best_context (model, quant, placement_memory (fit->placement, vram, ram));
  estimate_speed (fit, quant, hardware);

  return fit;
}

/* What this machine actually did beats any estimate. */
void
hearth_fit_set_measured (HearthFit *fit,
                         double     tokens_per_s)
{
  g_return_if_fail (fit != NULL);
  g_return_if_fail (tokens_per_s > 0);

  fit->measured = TRUE;
  set_estimate (fit, tokens_per_s,
                g_strdup_printf (_("Measured: %.1f tokens/s on this machine"), tokens_per_s));
}

static HearthFit *
fit_copy (const HearthFit *fit)
{
  HearthFit *copy = g_memdup2 (fit, sizeof *fit);

  copy->estimate_basis = g_strdup (fit->estimate_basis);
  return copy;
}

void
hearth_fit_free (HearthFit *fit)
{
  if (fit == NULL)
    return;

  g_free (fit->estimate_basis);
  g_free (fit);
}

const char *
hearth_placement_to_string (HearthPlacement placement)
{
  switch (placement)
    {
    case HEARTH_PLACEMENT_RUNS_ON_GPU:
      return "runs on GPU";
    case HEARTH_PLACEMENT_PARTLY_ON_GPU:
      return "partly on GPU";
    case HEARTH_PLACEMENT_CPU_ONLY:
      return "CPU only";
    case HEARTH_PLACEMENT_TOO_LARGE:
      return "too large";
    default:
      g_return_val_if_reached (NULL);
    }
}

/* Recommendations */

static gboolean
suits_use (const HearthCatalogModel *model,
           HearthUse                 use)
{
  if (hearth_catalog_model_has_capability (model, "embedding")
      || !hearth_catalog_model_has_capability (model, "chat")
      || model->parameters < MIN_RECOMMENDED_PARAMETERS)
    return FALSE;

  switch (use)
    {
    case HEARTH_USE_CODE:
      return hearth_catalog_model_has_capability (model, "code");
    case HEARTH_USE_REASONING:
      return hearth_catalog_model_has_capability (model, "thinking");
    case HEARTH_USE_CHAT:
    default:
      return !hearth_catalog_model_has_capability (model, "code")
             && !hearth_catalog_model_has_capability (model, "thinking");
    }
}

static HearthRecommendation *
recommendation_new (const HearthCatalogModel *model,
                    const HearthCatalogQuant *quant,
                    HearthFit                *fit)
{
  HearthRecommendation *recommendation = g_new0 (HearthRecommendation, 1);

  recommendation->model = model;
  recommendation->quant = quant;
  recommendation->fit = fit;
  return recommendation;
}

/* With a GPU, only what runs on it; without, what the CPU answers fast enough. */
static gboolean
runs_well (const HearthRecommendation *candidate,
           gboolean                    on_gpu)
{
  const HearthFit *fit = candidate->fit;

  if (on_gpu)
    return fit->placement == HEARTH_PLACEMENT_RUNS_ON_GPU;
  if (fit->placement == HEARTH_PLACEMENT_TOO_LARGE)
    return FALSE;
  if (fit->tokens_per_s > 0)
    return fit->tokens_per_s >= MIN_USABLE_TOKENS_PER_S;

  return candidate->model->parameters <= MAX_UNMEASURED_CPU_PARAMETERS;
}

static GPtrArray *
filter_candidates (GPtrArray *all,
                   gboolean   on_gpu)
{
  GPtrArray *usable = g_ptr_array_new ();

  for (guint i = 0; i < all->len; i++)
    if (runs_well (g_ptr_array_index (all, i), on_gpu))
      g_ptr_array_add (usable, g_ptr_array_index (all, i));

  return usable;
}

/* The default quantization of every model for @use, placed at Ollama's default context. */
static GPtrArray *
collect_candidates (GPtrArray            *catalog,
                    const HearthHardware *hardware,
                    HearthUse             use)
{
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_recommendation_free);

  for (guint i = 0; i < catalog->len; i++)
    {
      const HearthCatalogModel *model = g_ptr_array_index (catalog, i);
      const HearthCatalogQuant *quant;

      if (!suits_use (model, use))
        continue;
      quant = hearth_catalog_model_get_default_quant (model);
      g_ptr_array_add (all, recommendation_new (model, quant,
                                                hearth_catalog_fit (model, quant, hardware, 0)));
    }

  return all;
}

/* Decode speed falls with the bytes read per token, so the smallest download is the fastest. */
static const HearthRecommendation *
pick_fast (GPtrArray *usable)
{
  const HearthRecommendation *best = NULL;

  for (guint i = 0; i < usable->len; i++)
    {
      const HearthRecommendation *candidate = g_ptr_array_index (usable, i);

      if (best == NULL || candidate->quant->size < best->quant->size)
        best = candidate;
    }

  return best;
}

static const HearthRecommendation *
pick_most_capable (GPtrArray *usable)
{
  const HearthRecommendation *best = NULL;

  for (guint i = 0; i < usable->len; i++)
    {
      const HearthRecommendation *candidate = g_ptr_array_index (usable, i);

      if (best == NULL || candidate->model->parameters > best->model->parameters
          || (candidate->model->parameters == best->model->parameters
              && candidate->quant->size < best->quant->size))
        best = candidate;
    }

  return best;
}

/* Midway between the other two on a log scale, where each step is a model size. */
static const HearthRecommendation *
pick_balanced (GPtrArray                  *usable,
               const HearthRecommendation *fast,
               const HearthRecommendation *capable)
{
  double target = (log (fast->model->parameters) + log (capable->model->parameters)) / 2;
  const HearthRecommendation *best = NULL;
  double best_distance = G_MAXDOUBLE;

  for (guint i = 0; i < usable->len; i++)
    {
      const HearthRecommendation *candidate = g_ptr_array_index (usable, i);
      double distance = fabs (log (candidate->model->parameters) - target);

      /* a third model when there is one: never the same as the other tiers */
      if (usable->len > 2 && (candidate->model == fast->model || candidate->model == capable->model))
        continue;

      if (distance < best_distance
          || (distance == best_distance
              && candidate->model->parameters > best->model->parameters))
        {
          best = candidate;
          best_distance = distance;
        }
    }

  return best;
}

static void
add_tier (GPtrArray                  *recommendations,
          HearthTier                  tier,
          const HearthRecommendation *pick)
{
  HearthRecommendation *copy = recommendation_new (pick->model, pick->quant, fit_copy (pick->fit));

  copy->tier = tier;
  g_ptr_array_add (recommendations, copy);
}

/* Why a tier names the same model as the earlier @tier, one whole sentence
 * per tier (the tiers' names are words a translation must not hold in
 * English) */
static char *
same_as_note (HearthTier tier,
              guint      n_usable)
{
  switch (tier)
    {
    case HEARTH_TIER_FAST:
      if (n_usable == 1)
        return g_strdup (_("Same as fast: it is the only model in the catalog for this use that "
                           "runs well on this machine"));
      /* Translators: “fast” is the first of the recommended models (fast,
       * balanced, most capable); %u is how many models run well */
      return g_strdup_printf (ngettext ("Same as fast: only %u model in the catalog for this use "
                                        "runs well on this machine",
                                        "Same as fast: only %u models in the catalog for this use "
                                        "run well on this machine", n_usable), n_usable);
    case HEARTH_TIER_BALANCED:
      if (n_usable == 1)
        return g_strdup (_("Same as balanced: it is the only model in the catalog for this use "
                           "that runs well on this machine"));
      /* Translators: “balanced” is the second of the recommended models
       * (fast, balanced, most capable); %u is how many models run well */
      return g_strdup_printf (ngettext ("Same as balanced: only %u model in the catalog for this "
                                        "use runs well on this machine",
                                        "Same as balanced: only %u models in the catalog for this "
                                        "use run well on this machine", n_usable), n_usable);
    case HEARTH_TIER_MOST_CAPABLE:
    default:
      if (n_usable == 1)
        return g_strdup (_("Same as most capable: it is the only model in the catalog for this "
                           "use that runs well on this machine"));
      /* Translators: “most capable” is the last of the recommended models
       * (fast, balanced, most capable); %u is how many models run well */
      return g_strdup_printf (ngettext ("Same as most capable: only %u model in the catalog for "
                                        "this use runs well on this machine",
                                        "Same as most capable: only %u models in the catalog for "
                                        "this use run well on this machine", n_usable), n_usable);
    }
}

/* A tier that names the same model as an earlier one says why: the catalog
 * has no other model for this use that runs well here. */
static void
explain_repeats (GPtrArray *recommendations,
                 guint      n_usable)
{
  for (guint i = 1; i < recommendations->len; i++)
    {
      HearthRecommendation *r = g_ptr_array_index (recommendations, i);

      for (guint j = 0; j < i && r->note == NULL; j++)
        {
          const HearthRecommendation *earlier = g_ptr_array_index (recommendations, j);

          if (earlier->model == r->model)
            r->note = same_as_note (earlier->tier, n_usable);
        }
    }
}

static GPtrArray *
usable_candidates (GPtrArray            *catalog,
                   const HearthHardware *hardware,
                   HearthUse             use,
                   GPtrArray           **all)
{
  GPtrArray *usable;

  *all = collect_candidates (catalog, hardware, use);
  usable = filter_candidates (*all, TRUE);
  if (usable->len == 0)
    {
      g_ptr_array_unref (usable);
      usable = filter_candidates (*all, FALSE);
    }

  return usable;
}

/**
 * hearth_catalog_recommend:
 *
 * Returns: (transfer full) (element-type HearthRecommendation): fast, balanced
 *   and most capable, in that order; empty when nothing runs well
 */
GPtrArray *
hearth_catalog_recommend (GPtrArray            *catalog,
                          const HearthHardware *hardware,
                          HearthUse             use)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) usable = NULL;
  GPtrArray *recommendations;
  const HearthRecommendation *fast, *capable;

  g_return_val_if_fail (catalog != NULL, NULL);
  g_return_val_if_fail (hardware != NULL, NULL);

  recommendations = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_recommendation_free);
  usable = usable_candidates (catalog, hardware, use, &all);
  /* No specialised model fits: a general one still helps. */
  if (usable->len == 0 && use != HEARTH_USE_CHAT)
    {
      g_clear_pointer (&all, g_ptr_array_unref);
      g_clear_pointer (&usable, g_ptr_array_unref);
      usable = usable_candidates (catalog, hardware, HEARTH_USE_CHAT, &all);
    }
  if (usable->len == 0)
    return recommendations;

  fast = pick_fast (usable);
  capable = pick_most_capable (usable);
  add_tier (recommendations, HEARTH_TIER_FAST, fast);
  add_tier (recommendations, HEARTH_TIER_BALANCED, pick_balanced (usable, fast, capable));
  add_tier (recommendations, HEARTH_TIER_MOST_CAPABLE, capable);
  explain_repeats (recommendations, usable->len);

  return recommendations;
}

const char *
hearth_tier_to_string (HearthTier tier)
{
  switch (tier)
    {
    case HEARTH_TIER_FAST:
      return "fast";
    case HEARTH_TIER_BALANCED:
      return "balanced";
    case HEARTH_TIER_MOST_CAPABLE:
      return "most capable";
    default:
      g_return_val_if_reached (NULL);
    }
}

void
hearth_recommendation_free (HearthRecommendation *recommendation)
{
  if (recommendation == NULL)
    return;

  hearth_fit_free (recommendation->fit);
  g_free (recommendation->note);
  g_free (recommendation);
}

/* Once a model has been used here, what it measured replaces the estimate. */
void
hearth_catalog_apply_measurements (GPtrArray   *recommendations,
                                   HearthStore *store)
{
  g_return_if_fail (recommendations != NULL);

  if (store == NULL)
    return;
  for (guint i = 0; i < recommendations->len; i++)
    {
      HearthRecommendation *r = g_ptr_array_index (recommendations, i);
      double speed = hearth_store_get_measured_speed (store, r->model->name, r->quant->tag, NULL);

      if (speed > 0)
        hearth_fit_set_measured (r->fit, speed);
    }
}
