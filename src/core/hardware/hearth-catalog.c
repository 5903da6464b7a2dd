/* hearth-catalog.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-catalog"

#include <math.h>
#include <json-glib/json-glib.h>

#include "hearth-catalog.h"
#include "hearth-core-resources.h"

#define CATALOG_RESOURCE "/io/github/hearthapp/Hearth/core/models.json"

#define GIB ((gint64) 1 << 30)

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

G_DEFINE_QUARK (hearth-catalog-error-quark, hearth_catalog_error)

/* Loading */

void
hearth_catalog_quant_free (HearthCatalogQuant *quant)
{
  if (quant == NULL)
    return;

  g_free (quant->name);
  g_free (quant->tag);
  g_free (quant);
}

void
hearth_catalog_model_free (HearthCatalogModel *model)
{
  if (model == NULL)
    return;

  g_free (model->name);
  g_free (model->family);
  g_clear_pointer (&model->quantizations, g_ptr_array_unref);
  g_strfreev (model->capabilities);
  g_free (model->license);
  g_free (model);
}

static gboolean
set_invalid (GError     **error,
             const char  *model,
             const char  *what)
{
  g_set_error (error, HEARTH_CATALOG_ERROR, HEARTH_CATALOG_ERROR_INVALID,
               "The model catalog entry “%s” has no valid %s; "
               "correct data/models.json and rebuild",
               model ? model : "(unnamed)", what);
  return FALSE;
}

static char *
dup_string_member (JsonObject *object,
                   const char *member)
{
  return g_strdup (json_object_get_string_member_with_default (object, member, NULL));
}

static HearthCatalogQuant *
parse_quant (JsonNode *node)
{
  g_autoptr(HearthCatalogQuant) quant = NULL;
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  object = json_node_get_object (node);
  quant = g_new0 (HearthCatalogQuant, 1);
  quant->name = dup_string_member (object, "name");
  quant->tag = dup_string_member (object, "tag");
  quant->size = json_object_get_int_member_with_default (object, "size", 0);
  quant->is_default = json_object_get_boolean_member_with_default (object, "default", FALSE);

  if (quant->name == NULL || quant->tag == NULL || quant->size <= 0)
    return NULL;

  return g_steal_pointer (&quant);
}

static GPtrArray *
parse_quants (JsonArray *array)
{
  g_autoptr(GPtrArray) quants = NULL;
  guint n_defaults = 0;

  quants = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_catalog_quant_free);
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      HearthCatalogQuant *quant = parse_quant (json_array_get_element (array, i));

      if (quant == NULL)
        return NULL;
      n_defaults += quant->is_default;
      g_ptr_array_add (quants, quant);
    }

  if (quants->len == 0 || n_defaults != 1)
    return NULL;

  return g_steal_pointer (&quants);
}

static char **
parse_strv (JsonArray *array)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
        g_strv_builder_add (builder, json_node_get_string (element));
    }

  return g_strv_builder_end (builder);
}

static JsonArray *
get_array_member (JsonObject *object,
                  const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static gboolean
check_model (const HearthCatalogModel  *model,
             GError                   **error)
{
  if (model->name == NULL || model->family == NULL)
    return set_invalid (error, model->name, "name or family");
  if (model->parameters <= 0 || model->layers <= 0 || model->kv_heads <= 0
      || model->head_dim <= 0 || model->context_length <= 0)
    return set_invalid (error, model->name, "architecture figures");
  if (model->quantizations == NULL)
    return set_invalid (error, model->name, "quantizations with exactly one default");
  if (model->capabilities[0] == NULL)
    return set_invalid (error, model->name, "capabilities");

  return TRUE;
}

static HearthCatalogModel *
parse_model (JsonNode  *node,
             GError   **error)
{
  g_autoptr(HearthCatalogModel) model = g_new0 (HearthCatalogModel, 1);
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      set_invalid (error, NULL, "object");
      return NULL;
    }

  object = json_node_get_object (node);
  model->name = dup_string_member (object, "name");
  model->family = dup_string_member (object, "family");
  model->license = dup_string_member (object, "license");
  model->parameters = json_object_get_double_member_with_default (object, "parameters", 0);
  model->layers = json_object_get_int_member_with_default (object, "layers", 0);
  model->kv_heads = json_object_get_int_member_with_default (object, "kv_heads", 0);
  model->head_dim = json_object_get_int_member_with_default (object, "head_dim", 0);
  model->context_length = json_object_get_int_member_with_default (object, "context_length", 0);
  model->quantizations = parse_quants (get_array_member (object, "quantizations"));
  model->capabilities = parse_strv (get_array_member (object, "capabilities"));

  if (!check_model (model, error))
    return NULL;

  return g_steal_pointer (&model);
}

GPtrArray *
hearth_catalog_load_from_bytes (GBytes  *bytes,
                                GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) catalog = NULL;
  JsonArray *models = NULL;
  JsonNode *root;
  const char *data;
  gsize size;

  g_return_val_if_fail (bytes != NULL, NULL);

  data = g_bytes_get_data (bytes, &size);
  if (!json_parser_load_from_data (parser, data, size, error))
    return NULL;

  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    models = get_array_member (json_node_get_object (root), "models");
  if (models == NULL)
    {
      set_invalid (error, "models", "list");
      return NULL;
    }

  catalog = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_catalog_model_free);
  for (guint i = 0; i < json_array_get_length (models); i++)
    {
      HearthCatalogModel *model = parse_model (json_array_get_element (models, i), error);

      if (model == NULL)
        return NULL;
      g_ptr_array_add (catalog, model);
    }

  return g_steal_pointer (&catalog);
}

GPtrArray *
hearth_catalog_load_from_file (const char  *path,
                               GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;

  bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
  return hearth_catalog_load_from_bytes (bytes, error);
}

/**
 * hearth_catalog_load:
 *
 * The catalog compiled into the library.
 *
 * Returns: (transfer full) (element-type HearthCatalogModel): the models
 */
GPtrArray *
hearth_catalog_load (GError **error)
{
  g_autoptr(GBytes) bytes = NULL;

  /* Looked up in the resource itself rather than the global registry: a
   * static library's registering constructor may be dropped by the linker,
   * and this call keeps the resource linked in. */
  bytes = g_resource_lookup_data (hearth_core_get_resource (), CATALOG_RESOURCE,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return NULL;

  return hearth_catalog_load_from_bytes (bytes, error);
}

const HearthCatalogModel *
hearth_catalog_lookup (GPtrArray  *catalog,
                       const char *name)
{
  g_return_val_if_fail (catalog != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < catalog->len; i++)
    {
      const HearthCatalogModel *model = g_ptr_array_index (catalog, i);

      if (g_str_equal (model->name, name))
        return model;
    }

  return NULL;
}

const HearthCatalogQuant *
hearth_catalog_model_get_default_quant (const HearthCatalogModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);

  for (guint i = 0; i < model->quantizations->len; i++)
    {
      const HearthCatalogQuant *quant = g_ptr_array_index (model->quantizations, i);

      if (quant->is_default)
        return quant;
    }

  g_assert_not_reached ();
}

gboolean
hearth_catalog_model_has_capability (const HearthCatalogModel *model,
                                     const char               *capability)
{
  g_return_val_if_fail (model != NULL, FALSE);

  return g_strv_contains ((const char * const *) model->capabilities, capability);
}

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
    set_estimate (fit, -1, g_strdup ("No estimate: the model does not fit in this machine’s memory"));
  else if (fit->placement == HEARTH_PLACEMENT_RUNS_ON_GPU)
    set_estimate (fit, -1, g_strdup ("No estimate: the GPU’s memory bandwidth is not measured; "
                                     "run the model once to measure its speed"));
  else if (bandwidth <= 0)
    set_estimate (fit, -1, g_strdup ("No estimate: system memory bandwidth is not measured"));
  else if (fit->placement == HEARTH_PLACEMENT_PARTLY_ON_GPU)
    /* The GPU's layers take time too, unknown without its bandwidth: an upper bound. */
    set_estimate (fit, bandwidth * BANDWIDTH_EFFICIENCY / in_ram_gb,
                  g_strdup_printf ("Estimate, at most: %.0f GB/s of measured system memory "
                                   "bandwidth over the %.1f GB of weights left in RAM, at %.0f %% "
                                   "efficiency; the GPU’s share is not counted",
                                   bandwidth, in_ram_gb, BANDWIDTH_EFFICIENCY * 100));
  else
    set_estimate (fit, bandwidth * BANDWIDTH_EFFICIENCY / in_ram_gb,
                  g_strdup_printf ("Estimate: %.0f GB/s of measured system memory bandwidth "
                                   "over %.1f GB of weights, at %.0f %% efficiency",
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
                g_strdup_printf ("Measured: %.1f tokens/s on this machine", tokens_per_s));
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
      add_reason (score, 0, "for system memory: not measured");
      return;
    }

  size = g_format_size_full (hardware->mem_total, G_FORMAT_SIZE_IEC_UNITS);
  add_reason (score, log_points ((double) hardware->mem_total, 4.0 * GIB, 128.0 * GIB, 35),
              "for %s of system memory", size);
}

static void
score_bandwidth (HearthScore          *score,
                 const HearthHardware *hardware)
{
  double bandwidth = hardware->mem_bandwidth_gbs;

  if (bandwidth <= 0)
    add_reason (score, 0, "for memory bandwidth: not measured");
  else
    add_reason (score, log_points (bandwidth, 5, 160, 20),
                "for %.0f GB/s of measured memory bandwidth", bandwidth);
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
      size = g_format_size_full (gpu->vram_total, G_FORMAT_SIZE_IEC_UNITS);
      add_reason (score, log_points ((double) gpu->vram_total, 1.0 * GIB, 32.0 * GIB, 30),
                  "for %s of VRAM on %s", size, gpu->name ? gpu->name : "the GPU");
    }
  else if (integrated != NULL)
    add_reason (score, 0, "for %s: an integrated GPU shares system memory, counted above",
                integrated->name ? integrated->name : "the GPU");
  else if (hardware->gpus != NULL && hardware->gpus->len > 0)
    add_reason (score, 0, "for GPU memory: not measured");
  else
    add_reason (score, 0, "for the GPU: none found, models run on the CPU");
}

static void
score_cores (HearthScore          *score,
             const HearthHardware *hardware)
{
  if (hardware->cpu_cores <= 0)
    add_reason (score, 0, "for CPU cores: not measured");
  else
    add_reason (score, log_points (hardware->cpu_cores, 2, 16, 10),
                "for %d physical CPU cores", hardware->cpu_cores);
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
      add_reason (score, -5, "no AVX2: llama.cpp’s fast paths need it");
      return;
    }

  add_reason (score, 3, "for AVX2");
  if (has_feature (hardware, "fma") && has_feature (hardware, "f16c"))
    add_reason (score, 1, "for FMA and F16C");
  if (has_feature (hardware, "avx512f"))
    add_reason (score, 1, "for AVX-512");
}

static void
score_features (HearthScore          *score,
                const HearthHardware *hardware)
{
  if (hardware->cpu_features == NULL || hardware->arch == NULL)
    add_reason (score, 0, "for CPU features: not measured");
  else if (g_str_equal (hardware->arch, "x86_64"))
    score_x86_features (score, hardware);
  else if (has_feature (hardware, "neon"))
    add_reason (score, 3, "for NEON");
  else
    add_reason (score, 0, "for CPU features: none that llama.cpp accelerates");
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
    add_reason (score, -score->score, "so that the score does not go below 0");

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
