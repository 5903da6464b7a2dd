/* test-catalog.c — the model catalog, fit estimates, hardware score and recommendations
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>

#include "hearth-catalog.h"
#include "hearth-test-util.h"

#define GIB ((gint64) 1 << 30)

static GPtrArray *
load_catalog (void)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *catalog = hearth_catalog_load (&error);

  g_assert_no_error (error);
  g_assert_nonnull (catalog);
  return catalog;
}

static HearthHardware *
machine_new (gint64      mem_total,
             double      bandwidth_gbs,
             int         cores,
             const char *arch,
             const char *features)
{
  HearthHardware *hardware = g_new0 (HearthHardware, 1);

  hardware->mem_total = mem_total;
  hardware->mem_available = mem_total / 2;
  hardware->mem_bandwidth_gbs = bandwidth_gbs;
  hardware->cpu_cores = cores;
  hardware->cpu_threads = cores * 2;
  hardware->arch = g_strdup (arch);
  hardware->cpu_features = features ? g_strsplit (features, " ", -1) : NULL;
  hardware->gpus = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_gpu_free);
  return hardware;
}

static void
machine_add_gpu (HearthHardware  *hardware,
                 const char      *name,
                 HearthGpuVendor  vendor,
                 gboolean         integrated,
                 gint64           vram_total)
{
  HearthGpu *gpu = g_new0 (HearthGpu, 1);

  gpu->name = g_strdup (name);
  gpu->vendor = vendor;
  gpu->integrated = integrated;
  gpu->vram_total = vram_total;
  gpu->vram_used = -1;
  g_ptr_array_add (hardware->gpus, gpu);
}

static HearthHardware *
desktop_new (void)
{
  HearthHardware *hardware = machine_new (64 * GIB, 80, 16, "x86_64", "sse4_2 avx avx2 avx512f fma f16c");

  machine_add_gpu (hardware, "NVIDIA GeForce RTX 4090", HEARTH_GPU_VENDOR_NVIDIA, FALSE, 24 * GIB);
  return hardware;
}

static HearthHardware *
laptop_new (void)
{
  HearthHardware *hardware = machine_new (16 * GIB, 25, 4, "x86_64", "sse4_2 avx avx2 fma f16c");

  machine_add_gpu (hardware, "Intel UHD Graphics 620", HEARTH_GPU_VENDOR_INTEL, TRUE, -1);
  return hardware;
}

static HearthFit *
fit_default (GPtrArray            *catalog,
             const char           *name,
             const HearthHardware *hardware,
             gint64                context)
{
  const HearthCatalogModel *model = hearth_catalog_lookup (catalog, name);

  g_assert_nonnull (model);
  return hearth_catalog_fit (model, hearth_catalog_model_get_default_quant (model), hardware, context);
}

static void
test_catalog_contents (void)
{
  g_autoptr(GPtrArray) catalog = load_catalog ();
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) families = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpuint (catalog->len, >=, 30);
  for (guint i = 0; i < catalog->len; i++)
    {
      const HearthCatalogModel *model = g_ptr_array_index (catalog, i);
      const HearthCatalogQuant *quant = hearth_catalog_model_get_default_quant (model);
      g_autofree char *base = g_strndup (model->name, strcspn (model->name, ":"));

      g_assert_true (g_hash_table_add (names, model->name));
      g_hash_table_add (families, model->family);
      g_assert_cmpfloat (model->parameters, >, 1e8);
      g_assert_cmpint (model->layers, >, 0);
      g_assert_cmpint (model->kv_heads, >, 0);
      g_assert_cmpint (model->head_dim, >, 0);
      g_assert_cmpint (model->context_length, >=, 2048);
      g_assert_nonnull (model->license);
      g_assert_nonnull (quant);
      g_assert_cmpint (quant->size, >, 0);
      g_assert_true (g_str_has_prefix (quant->tag, base));
    }
  g_assert_cmpuint (g_hash_table_size (families), >=, 8);
  g_assert_true (hearth_catalog_model_has_capability (hearth_catalog_lookup (catalog, "nomic-embed-text:v1.5"),
                                                      "embedding"));
  g_assert_true (hearth_catalog_model_has_capability (hearth_catalog_lookup (catalog, "llava:7b"), "vision"));
}

static void
test_catalog_invalid (void)
{
  const char *json = "{\"models\": [{\"name\": \"x:1b\"}]}";
  g_autoptr(GBytes) bytes = g_bytes_new_static (json, strlen (json));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) catalog = hearth_catalog_load_from_bytes (bytes, &error);

  g_assert_error (error, HEARTH_CATALOG_ERROR, HEARTH_CATALOG_ERROR_INVALID);
  g_assert_null (catalog);
}

static void
test_kv_cache (void)
{
  g_autoptr(GPtrArray) catalog = load_catalog ();
  const HearthCatalogModel *model = hearth_catalog_lookup (catalog, "llama3.1:8b");

  /* 2 (K, V) × 32 layers × 8 KV heads × 128 × 2 bytes × 8192 tokens */
  g_assert_cmpint (hearth_catalog_model_kv_cache_bytes (model, 8192), ==, GIB);
}

static void
test_fit_8gb_gpu (void)
{
  g_autoptr(GPtrArray) catalog = load_catalog ();
  g_autoptr(HearthHardware) hardware = machine_new (32 * GIB, 50, 8, "x86_64", "avx2 fma f16c");
  g_autoptr(HearthFit) fit = NULL;
  const HearthCatalogModel *model = hearth_catalog_lookup (catalog, "llama3.1:8b");
  const HearthCatalogQuant *quant = hearth_catalog_model_get_default_quant (model);

  machine_add_gpu (hardware, "NVIDIA GeForce RTX 3070", HEARTH_GPU_VENDOR_NVIDIA, FALSE, 8 * GIB);
  g_assert_cmpstr (quant->name, ==, "Q4_K_M");
  fit = hearth_catalog_fit (model, quant, hardware, 8192);
  g_assert_cmpint (fit->placement, ==, HEARTH_PLACEMENT_RUNS_ON_GPU);
  g_assert_cmpfloat (fit->gpu_fraction, ==, 1.0);
  g_assert_cmpint (fit->memory_needed, <=, 8 * GIB);
  g_assert_cmpint (fit->best_context, >=, 8192);
  g_assert_cmpint (fit->memory_needed, >, quant->size + GIB);
  /* No GPU bandwidth is measured, so no figure is made up. */
  g_assert_cmpfloat (fit->tokens_per_s, <, 0);
  g_assert_nonnull (strstr (fit->estimate_basis, "estimate"));

  hearth_fit_set_measured (fit, 71.5);
  g_assert_true (fit->measured);
  g_assert_cmpfloat (fit->tokens_per_s, ==, 71.5);
  g_assert_nonnull (strstr (fit->estimate_basis, "Measured"));
}

static void
test_fit_70b (void)
{
  g_autoptr(GPtrArray) catalog = load_catalog ();
  g_autoptr(HearthHardware) desktop = desktop_new ();
  g_autoptr(HearthHardware) tiny = machine_new (2 * GIB, 3, 4, "aarch64", "neon");
  g_autoptr(HearthFit) on_desktop = fit_default (catalog, "llama3.1:70b", desktop, 0);
  g_autoptr(HearthFit) on_tiny = fit_default (catalog, "llama3.1:70b", tiny, 0);

  g_assert_cmpint (on_desktop->placement, !=, HEARTH_PLACEMENT_RUNS_ON_GPU);
  g_assert_cmpint (on_desktop->placement, ==, HEARTH_PLACEMENT_PARTLY_ON_GPU);
  g_assert_cmpfloat (on_desktop->gpu_fraction, >, 0);
  g_assert_cmpfloat (on_desktop->gpu_fraction, <, 1);
  g_assert_nonnull (strstr (on_desktop->estimate_basis, "Estimate"));

  g_assert_cmpint (on_tiny->placement, ==, HEARTH_PLACEMENT_TOO_LARGE);
  g_assert_cmpint (on_tiny->best_context, ==, 0);
  g_assert_cmpfloat (on_tiny->tokens_per_s, <, 0);
}

static void
test_fit_integrated_gpu (void)
{
  g_autoptr(GPtrArray) catalog = load_catalog ();
  g_autoptr(HearthHardware) laptop = laptop_new ();
  g_autoptr(HearthFit) fit = fit_default (catalog, "llama3.2:3b", laptop, 0);

  /* Shared memory is not VRAM: the model runs from RAM at RAM's speed. */
  g_assert_cmpint (fit->placement, ==, HEARTH_PLACEMENT_CPU_ONLY);
  g_assert_cmpfloat (fit->gpu_fraction, ==, 0);
  g_assert_cmpfloat_with_epsilon (fit->tokens_per_s, 25 * 0.6 / 2.0, 0.01);
  g_assert_nonnull (strstr (fit->estimate_basis, "Estimate"));
  g_assert_cmpint (fit->best_context, ==, 65536);
}

static void
assert_small_models (GPtrArray *recommendations)
{
  g_assert_cmpuint (recommendations->len, ==, 3);
  for (guint i = 0; i < recommendations->len; i++)
    {
      const HearthRecommendation *recommendation = g_ptr_array_index (recommendations, i);

      g_assert_cmpint (recommendation->tier, ==, i);
      g_assert_cmpfloat (recommendation->model->parameters, >=, 1e9);
      g_assert_cmpfloat (recommendation->model->parameters, <, 4e9);
      g_assert_cmpint (recommendation->fit->placement, !=, HEARTH_PLACEMENT_TOO_LARGE);
    }
}

static void
test_recommend_small_machines (void)
{
  g_autoptr(GPtrArray) catalog = load_catalog ();
  g_autoptr(HearthHardware) laptop_4gb = machine_new (16 * GIB, 30, 4, "x86_64", "avx2 fma f16c");
  g_autoptr(HearthHardware) laptop = laptop_new ();
  g_autoptr(GPtrArray) on_4gb = NULL;
  g_autoptr(GPtrArray) on_laptop = NULL;
  const HearthRecommendation *fast;

  machine_add_gpu (laptop_4gb, "NVIDIA GeForce GTX 1650", HEARTH_GPU_VENDOR_NVIDIA, FALSE, 4 * GIB);
  on_4gb = hearth_catalog_recommend (catalog, laptop_4gb, HEARTH_USE_CHAT);
  assert_small_models (on_4gb);
  for (guint i = 0; i < on_4gb->len; i++)
    g_assert_cmpint (((HearthRecommendation *) g_ptr_array_index (on_4gb, i))->fit->placement,
                     ==, HEARTH_PLACEMENT_RUNS_ON_GPU);

  on_laptop = hearth_catalog_recommend (catalog, laptop, HEARTH_USE_CHAT);
  assert_small_models (on_laptop);
  fast = g_ptr_array_index (on_laptop, HEARTH_TIER_FAST);
  g_assert_cmpint (fast->fit->placement, ==, HEARTH_PLACEMENT_CPU_ONLY);
  g_assert_cmpfloat (fast->fit->tokens_per_s, >=, 5);
}

static void
test_recommend_uses (void)
{
  g_autoptr(GPtrArray) catalog = load_catalog ();
  g_autoptr(HearthHardware) desktop = desktop_new ();
  HearthUse uses[] = { HEARTH_USE_CHAT, HEARTH_USE_CODE, HEARTH_USE_REASONING };

  for (guint u = 0; u < G_N_ELEMENTS (uses); u++)
    {
      g_autoptr(GPtrArray) recommendations = hearth_catalog_recommend (catalog, desktop, uses[u]);
      const HearthRecommendation *capable;

      g_assert_cmpuint (recommendations->len, ==, 3);
      for (guint i = 0; i < recommendations->len; i++)
        {
          const HearthRecommendation *recommendation = g_ptr_array_index (recommendations, i);

          g_assert_false (hearth_catalog_model_has_capability (recommendation->model, "embedding"));
          g_assert_cmpint (recommendation->fit->placement, ==, HEARTH_PLACEMENT_RUNS_ON_GPU);
          if (uses[u] == HEARTH_USE_CODE)
            g_assert_cmpstr (recommendation->model->family, ==, "qwen2.5-coder");
          if (uses[u] == HEARTH_USE_REASONING)
            g_assert_true (hearth_catalog_model_has_capability (recommendation->model, "thinking"));
        }
      capable = g_ptr_array_index (recommendations, HEARTH_TIER_MOST_CAPABLE);
      g_assert_cmpfloat (capable->model->parameters, >=, 2e10);
    }
}

/* The families people pull today load with their sources' figures, and the
 * entries checked against those sources say when. */
static void
test_catalog_new_families (void)
{
  g_autoptr(GPtrArray) catalog = load_catalog ();
  const char *added[] = { "qwen3:0.6b", "qwen3:1.7b", "qwen3:4b", "qwen3:8b", "qwen3:14b",
                          "qwen3:30b", "qwen3:32b",
                          "gpt-oss:20b", "gpt-oss:120b" };
  guint n_checked = 0;

  for (guint i = 0; i < G_N_ELEMENTS (added); i++)
    {
      const HearthCatalogModel *model = hearth_catalog_lookup (catalog, added[i]);

      g_assert_nonnull (model);
      g_assert_nonnull (model->checked);
      g_assert_true (hearth_catalog_model_has_capability (model, "thinking"));
    }
  for (guint i = 0; i < catalog->len; i++)
    {
      const HearthCatalogModel *model = g_ptr_array_index (catalog, i);
      int year, month, day;

      if (model->checked == NULL)
        continue;
      n_checked++;
      g_assert_cmpint (sscanf (model->checked, "%d-%d-%d", &year, &month, &day), ==, 3);
      g_assert_true (g_date_valid_dmy (day, month, year));
    }
  g_assert_cmpuint (n_checked, >=, G_N_ELEMENTS (added));
  /* A Mixture-of-Experts model is sized by everything it downloads. */
  g_assert_cmpint (hearth_catalog_model_get_default_quant (hearth_catalog_lookup (catalog, "qwen3:30b"))->size,
                   >, hearth_catalog_model_get_default_quant (hearth_catalog_lookup (catalog, "qwen3:8b"))->size);
}

static void
test_catalog_checked_date (void)
{
  const char *good = "{\"models\": [{\"name\": \"x:1b\", \"family\": \"x\", \"parameters\": 1e9,"
                     " \"layers\": 16, \"kv_heads\": 8, \"head_dim\": 64, \"context_length\": 8192,"
                     " \"quantizations\": [{\"name\": \"Q4_K_M\", \"size\": 700000000, \"tag\": \"x:1b\","
                     " \"default\": true}], \"capabilities\": [\"chat\"], \"checked\": \"2026-02-28\"}]}";
  g_autoptr(GString) bad = g_string_new (good);
  g_autoptr(GBytes) good_bytes = g_bytes_new_static (good, strlen (good));
  g_autoptr(GBytes) bad_bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) catalog = hearth_catalog_load_from_bytes (good_bytes, &error);
  g_autoptr(GPtrArray) refused = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (((HearthCatalogModel *) g_ptr_array_index (catalog, 0))->checked, ==, "2026-02-28");

  /* No 30 February: a mistyped date is refused, with a sentence that names the entry. */
  g_string_replace (bad, "2026-02-28", "2026-02-30", 1);
  bad_bytes = g_bytes_new (bad->str, bad->len);
  refused = hearth_catalog_load_from_bytes (bad_bytes, &error);
  g_assert_error (error, HEARTH_CATALOG_ERROR, HEARTH_CATALOG_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "x:1b"));
  g_assert_null (refused);
}

/* Whatever the machine, each use's tiers fit in its memory and are three
 * different models, or say why one repeats. */
static void
assert_sensible (GPtrArray            *catalog,
                 const HearthHardware *hardware,
                 gint64                vram,
                 HearthUse             use)
{
  g_autoptr(GPtrArray) picks = hearth_catalog_recommend (catalog, hardware, use);
  gint64 ram = hardware->mem_total - 2 * GIB;

  g_assert_cmpuint (picks->len, ==, 3);
  for (guint i = 0; i < picks->len; i++)
    {
      const HearthRecommendation *pick = g_ptr_array_index (picks, i);

      g_assert_cmpint (pick->tier, ==, i);
      switch (pick->fit->placement)
        {
        case HEARTH_PLACEMENT_RUNS_ON_GPU:
          g_assert_cmpint (pick->fit->memory_needed, <=, vram);
          break;
        case HEARTH_PLACEMENT_PARTLY_ON_GPU:
          g_assert_cmpint (pick->fit->memory_needed, <=, vram + ram);
          break;
        case HEARTH_PLACEMENT_CPU_ONLY:
          g_assert_cmpint (pick->fit->memory_needed, <=, ram);
          break;
        case HEARTH_PLACEMENT_TOO_LARGE:
        default:
          g_assert_not_reached ();
        }
      for (guint j = 0; j < i; j++)
        {
          const HearthRecommendation *earlier = g_ptr_array_index (picks, j);

          if (g_str_equal (earlier->quant->tag, pick->quant->tag))
            g_assert_nonnull (pick->note);
        }
    }
  /* Fast is never larger than most capable. */
  g_assert_cmpfloat (((HearthRecommendation *) g_ptr_array_index (picks, HEARTH_TIER_FAST))->model->parameters,
                     <=, ((HearthRecommendation *) g_ptr_array_index (picks, HEARTH_TIER_MOST_CAPABLE))->model->parameters);
}

static void
test_recommend_profiles (void)
{
  g_autoptr(GPtrArray) catalog = load_catalog ();
  g_autoptr(HearthHardware) laptop = laptop_new ();
  g_autoptr(HearthHardware) desktop = desktop_new ();
  g_autoptr(HearthHardware) gpu_8gb = machine_new (32 * GIB, 50, 8, "x86_64", "avx2 fma f16c");
  g_autoptr(HearthHardware) workstation = machine_new (128 * GIB, 120, 32, "x86_64", "avx2 fma f16c avx512f");
  HearthUse uses[] = { HEARTH_USE_CHAT, HEARTH_USE_CODE, HEARTH_USE_REASONING };
  g_autoptr(GPtrArray) reasoning = NULL;
  const HearthRecommendation *capable;

  machine_add_gpu (gpu_8gb, "NVIDIA GeForce RTX 3070", HEARTH_GPU_VENDOR_NVIDIA, FALSE, 8 * GIB);
  machine_add_gpu (workstation, "NVIDIA RTX 6000 Ada", HEARTH_GPU_VENDOR_NVIDIA, FALSE, 48 * GIB);
  for (guint u = 0; u < G_N_ELEMENTS (uses); u++)
    {
      assert_sensible (catalog, laptop, 0, uses[u]);
      assert_sensible (catalog, gpu_8gb, 8 * GIB, uses[u]);
      assert_sensible (catalog, desktop, 24 * GIB, uses[u]);
      assert_sensible (catalog, workstation, 48 * GIB, uses[u]);
    }

  /* 48 GB of VRAM holds a model larger than 24 GB does, for reasoning too. */
  reasoning = hearth_catalog_recommend (catalog, workstation, HEARTH_USE_REASONING);
  capable = g_ptr_array_index (reasoning, HEARTH_TIER_MOST_CAPABLE);
  g_assert_cmpint (capable->fit->placement, ==, HEARTH_PLACEMENT_RUNS_ON_GPU);
  g_assert_cmpint (capable->quant->size, >, 20 * GIB);
}

static int
sum_reasons (const HearthScore *score,
             gboolean          *says_not_measured)
{
  int sum = 0;

  for (guint i = 0; i < score->reasons->len; i++)
    {
      const HearthScoreReason *reason = g_ptr_array_index (score->reasons, i);

      sum += reason->points;
      if (strstr (reason->text, "not measured"))
        *says_not_measured = TRUE;
    }

  return sum;
}

static void
test_score (void)
{
  g_autoptr(HearthHardware) desktop = desktop_new ();
  g_autoptr(HearthHardware) laptop = laptop_new ();
  g_autoptr(HearthHardware) board = machine_new (4 * GIB, -1, 4, "aarch64", "neon");
  g_autoptr(HearthHardware) old = machine_new (2 * GIB, -1, 2, "x86_64", "sse4_2");
  g_autoptr(HearthScore) desktop_score = hearth_hardware_score (desktop);
  g_autoptr(HearthScore) laptop_score = hearth_hardware_score (laptop);
  g_autoptr(HearthScore) board_score = hearth_hardware_score (board);
  g_autoptr(HearthScore) old_score = hearth_hardware_score (old);
  gboolean not_measured = FALSE;

  g_assert_cmpint (desktop_score->score, >, laptop_score->score);
  g_assert_cmpint (laptop_score->score, >, board_score->score);
  g_assert_cmpint (desktop_score->score, <=, 100);
  g_assert_cmpint (old_score->score, ==, 0);

  g_assert_cmpint (sum_reasons (desktop_score, &not_measured), ==, desktop_score->score);
  g_assert_false (not_measured);
  g_assert_cmpint (sum_reasons (laptop_score, &not_measured), ==, laptop_score->score);
  g_assert_cmpint (sum_reasons (old_score, &not_measured), ==, old_score->score);
  g_assert_cmpint (sum_reasons (board_score, &not_measured), ==, board_score->score);
  g_assert_true (not_measured);
}

/* A model used here: its measured speed replaces the estimate. */
static void
test_catalog_measured_replaces_estimate (void)
{
  g_autofree char *path = hearth_test_build_tmp_path ("measured.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = hearth_store_open (path, &error);
  g_autoptr(GPtrArray) catalog = hearth_catalog_load (&error);
  g_autoptr(HearthHardware) hw = NULL;
  g_autoptr(GPtrArray) picks = NULL;
  HearthRecommendation *first;
  gint64 conversation;
  const double speeds[] = { 30.0, 10.0, 20.0 };

  g_assert_no_error (error);
  hw = laptop_new ();
  picks = hearth_catalog_recommend (catalog, hw, HEARTH_USE_CHAT);
  g_assert_cmpuint (picks->len, >, 0);
  first = g_ptr_array_index (picks, 0);
  g_assert_false (first->fit->measured);

  conversation = hearth_store_create_conversation (store, "speed", &error);
  for (guint i = 0; i < G_N_ELEMENTS (speeds); i++)
    {
      g_autoptr(HearthMessage) m = hearth_message_new ("assistant", "answer");

      m->conversation_id = conversation;
      m->model = g_strdup (first->quant->tag);
      m->state = HEARTH_MESSAGE_COMPLETE;
      m->figures.tokens_per_s = speeds[i];
      hearth_store_add_message (store, m, &error);
      g_assert_no_error (error);
    }
  hearth_catalog_apply_measurements (picks, store);
  g_assert_true (first->fit->measured);
  g_assert_cmpfloat (first->fit->tokens_per_s, ==, 20.0);
  g_assert_nonnull (strstr (first->fit->estimate_basis, "Measured"));
}

/* A 24 GiB machine without a discrete GPU asking for code: three tiers name
 * three different models when the catalog has that many that run well, and
 * a tier that repeats another's model says why. */
static void
test_catalog_distinct_tiers (void)
{
  g_autoptr(GPtrArray) catalog = load_catalog ();
  const double bandwidths[] = { 20, 40, 60, 90, 200 };
  gboolean saw_three = FALSE;

  for (guint b = 0; b < G_N_ELEMENTS (bandwidths); b++)
    for (HearthUse use = HEARTH_USE_CHAT; use <= HEARTH_USE_REASONING; use++)
      {
        g_autoptr(HearthHardware) hw = machine_new (24 * GIB, bandwidths[b], 8, "x86_64",
                                                    "sse4_2 avx avx2 fma f16c");
        g_autoptr(GPtrArray) picks = hearth_catalog_recommend (catalog, hw, use);
        g_autoptr(GHashTable) models = g_hash_table_new (NULL, NULL);

        g_assert_cmpuint (picks->len, ==, 3);
        for (guint i = 0; i < picks->len; i++)
          {
            HearthRecommendation *r = g_ptr_array_index (picks, i);
            gboolean repeat = g_hash_table_contains (models, r->model);

            g_test_message ("%.0f GB/s, use %d: %s %s%s%s", bandwidths[b], use,
                            hearth_tier_to_string (r->tier), r->model->name,
                            r->note ? " — " : "", r->note ? r->note : "");
            /* a repeated model, and only a repeated one, carries its reason */
            g_assert_cmpint (repeat, ==, r->note != NULL);
            g_hash_table_add (models, (gpointer) r->model);
          }
        saw_three |= g_hash_table_size (models) == 3;
      }
  g_assert_true (saw_three);
}

int
main (int   argc,
      char *argv[])
{
  hearth_test_init (&argc, &argv);

  g_test_add_func ("/catalog/contents", test_catalog_contents);
  g_test_add_func ("/catalog/distinct-tiers", test_catalog_distinct_tiers);
  g_test_add_func ("/catalog/invalid", test_catalog_invalid);
  g_test_add_func ("/catalog/checked-date", test_catalog_checked_date);
  g_test_add_func ("/catalog/new-families", test_catalog_new_families);
  g_test_add_func ("/catalog/kv-cache", test_kv_cache);
  g_test_add_func ("/catalog/fit/8gb-gpu", test_fit_8gb_gpu);
  g_test_add_func ("/catalog/fit/70b", test_fit_70b);
  g_test_add_func ("/catalog/fit/integrated-gpu", test_fit_integrated_gpu);
  g_test_add_func ("/catalog/recommend/small-machines", test_recommend_small_machines);
  g_test_add_func ("/catalog/recommend/uses", test_recommend_uses);
  g_test_add_func ("/catalog/recommend/profiles", test_recommend_profiles);
  g_test_add_func ("/catalog/score", test_score);

  g_test_add_func ("/catalog/measured-replaces-estimate", test_catalog_measured_replaces_estimate);
  return g_test_run ();
}
