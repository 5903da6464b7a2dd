/* test-tune-search.c — the tuner's search, driven by synthetic measurements
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test gives the search a machine and a measuring function (what a
 * server would answer for a set of options) and checks what it picks and
 * how many trials it spends, against what an exhaustive look finds.
 */
#include <math.h>
#include <string.h>

#include "hearth-tune-private.h"
#include "hearth-tuner.h"

#define GiB ((gint64) 1 << 30)

typedef void (*MeasureFunc) (const HearthRunOptions *options,
                             HearthTuneTrial        *trial,
                             gpointer                data);

static double
opt (const HearthRunOptions *options,
     HearthRunOptionKey      key,
     double                  unset)
{
  return hearth_run_options_is_set (options, key) ? hearth_run_options_get (options, key) : unset;
}

/* Runs the search to its end (or @stop_after trials, then cancels). */
static HearthTuneResult *
run_search (const HearthTuneParams *params,
            MeasureFunc             measure,
            gpointer                data,
            guint                   stop_after)
{
  g_autoptr(HearthTuneSearch) search = hearth_tune_search_new (params);
  HearthRunOptions *options;
  guint n = 0;

  while ((options = hearth_tune_search_next (search)) != NULL)
    {
      HearthTuneTrial trial = { 0 };

      g_assert_cmpuint (hearth_tune_search_get_n_planned (search), >=, n + 1);
      trial.state = HEARTH_TUNE_TRIAL_MEASURED;
      trial.decode_tps = trial.prompt_tps = trial.ttft_ms = -1;
      trial.size = trial.size_vram = trial.peak_ram = trial.peak_vram = -1;
      measure (options, &trial, data);
      hearth_tune_search_report (search, &trial);
      g_free (trial.error);
      hearth_run_options_free (options);
      if (++n == stop_after)
        return hearth_tune_search_finish (search, TRUE);
    }
  return hearth_tune_search_finish (search, FALSE);
}

static guint
n_run (const HearthTuneResult *result)
{
  guint n = 0;

  for (guint i = 0; i < result->trials->len; i++)
    n += ((HearthTuneTrial *) g_ptr_array_index (result->trials, i))->state != HEARTH_TUNE_TRIAL_SKIPPED;
  return n;
}

static const HearthTuneTrial *
fastest_measured (const HearthTuneResult *result)
{
  const HearthTuneTrial *best = NULL;

  for (guint i = 0; i < result->trials->len; i++)
    {
      const HearthTuneTrial *t = g_ptr_array_index (result->trials, i);

      if (t->state == HEARTH_TUNE_TRIAL_MEASURED && (best == NULL || t->decode_tps > best->decode_tps))
        best = t;
    }
  return best;
}

/* ---- A unimodal thread curve ---- */

typedef struct
{
  double peak;      /* threads at which decoding is fastest */
  double fail_at;   /* a thread count the server refuses; 0 none */
} ThreadCurve;

/* Decoding peaks at @peak threads (log scale), prompt speed grows with the
 * batch up to 512: what a CPU-bound model does. */
static void
thread_curve (const HearthRunOptions *options,
              HearthTuneTrial        *trial,
              gpointer                data)
{
  ThreadCurve *curve = data;
  double threads = opt (options, HEARTH_RUN_OPTION_NUM_THREAD, 1);  /* the server's default */
  double batch = opt (options, HEARTH_RUN_OPTION_NUM_BATCH, 512);
  double d = log2 (threads) - log2 (curve->peak);

  if (curve->fail_at > 0 && threads == curve->fail_at)
    {
      trial->state = HEARTH_TUNE_TRIAL_FAILED;
      trial->error = g_strdup ("server error: out of threads");
      return;
    }
  trial->decode_tps = 100 / (1 + 0.25 * d * d);
  trial->prompt_tps = 400 + 100 * log2 (MIN (batch, 512) / 64);
  trial->ttft_ms = 50;
}

static void
test_thread_curve (void)
{
  const double peaks[] = { 1, 2, 4, 8, 16 };

  for (guint i = 0; i < G_N_ELEMENTS (peaks); i++)
    {
      ThreadCurve curve = { peaks[i], 0 };
      HearthTuneParams params = { 0 };
      g_autoptr(HearthTuneResult) result = NULL;
      const HearthTuneTrial *first;

      params.physical_cores = 8;
      params.logical_threads = 16;
      result = run_search (&params, thread_curve, &curve, 0);

      g_test_message ("peak %.0f threads: %u trials; %s", peaks[i], n_run (result), result->explanation);
      g_assert_nonnull (result->best);
      g_assert_cmpfloat (opt (result->best, HEARTH_RUN_OPTION_NUM_THREAD, 1), ==, peaks[i]);
      g_assert_cmpfloat (result->best_decode_tps, ==, fastest_measured (result)->decode_tps);
      /* The prompt's speed decided the batch (decoding does not change). */
      g_assert_cmpfloat (opt (result->best, HEARTH_RUN_OPTION_NUM_BATCH, 512), >=, 512);
      /* The grid is 5 thread counts × 6 batch sizes: 30 trials. */
      g_assert_cmpuint (n_run (result), <=, 10);
      g_assert_cmpstr (result->method, ==, "coordinate descent");
      g_assert_false (result->cancelled);
      /* Trial 1 is the options the model runs with now: nothing set. */
      first = g_ptr_array_index (result->trials, 0);
      g_assert_cmpuint (first->index, ==, 1);
      g_assert_true (hearth_run_options_is_empty (first->options));
      g_assert_cmpfloat (result->baseline_decode_tps, ==, first->decode_tps);
      g_assert_nonnull (strstr (result->explanation, "Coordinate descent"));
    }
}

/* ---- Spilling ---- */

typedef struct
{
  double fits;          /* layers that fit in VRAM */
  double gain;          /* tokens/s per layer on the GPU, spilled or not */
} GpuCurve;

static void
gpu_curve (const HearthRunOptions *options,
           HearthTuneTrial        *trial,
           gpointer                data)
{
  GpuCurve *curve = data;
  double layers = opt (options, HEARTH_RUN_OPTION_NUM_GPU, 32);

  trial->decode_tps = 50 + curve->gain * layers;
  trial->prompt_tps = 500;
  trial->size = 10 * GiB;
  trial->size_vram = (gint64) (10 * GiB * MIN (layers, curve->fits) / 32);
  trial->spilled = layers > curve->fits;
}

static void
test_spill (void)
{
  HearthTuneParams params = { 0 };
  GpuCurve close = { 24, 2 };     /* 32 layers (spilled): 114 tok/s; 24: 98 — 14 % slower */
  GpuCurve near = { 24, 0.1 };    /* 32: 53.2 tok/s; 24: 52.4 — within 5 % */
  g_autoptr(HearthTuneResult) fast = NULL;
  g_autoptr(HearthTuneResult) result = NULL;
  const HearthTuneTrial *fastest;

  params.physical_cores = 4;
  params.logical_threads = 4;
  params.vram_total = 8 * GiB;
  params.mem_available = 64 * GiB;
  params.model_layers = 32;

  /* Within the tolerance: the setting that does not spill wins. */
  result = run_search (&params, gpu_curve, &near, 0);
  g_test_message ("%s", result->explanation);
  g_assert_nonnull (result->best);
  g_assert_cmpfloat (hearth_run_options_get (result->best, HEARTH_RUN_OPTION_NUM_GPU), ==, 24);
  fastest = fastest_measured (result);
  g_assert_true (fastest->spilled);
  g_assert_cmpfloat (result->best_decode_tps, <, fastest->decode_tps);
  g_assert_nonnull (strstr (result->explanation, "without spilling"));

  /* Much faster although it spills: it wins, and says so. */
  fast = run_search (&params, gpu_curve, &close, 0);
  g_test_message ("%s", fast->explanation);
  g_assert_cmpfloat (opt (fast->best, HEARTH_RUN_OPTION_NUM_GPU, 32), ==, 32);
  g_assert_nonnull (strstr (fast->explanation, "spills"));
}

/* ---- RAM headroom ---- */

static void
test_ram_headroom (void)
{
  HearthTuneParams params = { 0 };
  GpuCurve curve = { 32, -1 };    /* everything fits; fewer layers would be faster */
  g_autoptr(HearthTuneResult) result = NULL;
  gboolean skipped = FALSE;

  params.physical_cores = 4;
  params.logical_threads = 4;
  params.vram_total = 16 * GiB;
  params.model_layers = 32;
  /* 10 GiB of model on the GPU: a quarter of it back in RAM needs 2.5 GiB */
  params.mem_available = 2 * GiB;
  result = run_search (&params, gpu_curve, &curve, 0);

  for (guint i = 0; i < result->trials->len; i++)
    {
      const HearthTuneTrial *t = g_ptr_array_index (result->trials, i);

      if (t->state != HEARTH_TUNE_TRIAL_SKIPPED)
        {
          /* Nothing run with fewer layers than fit the free RAM. */
          g_assert_cmpfloat (opt (t->options, HEARTH_RUN_OPTION_NUM_GPU, 32), ==, 32);
          continue;
        }
      skipped = TRUE;
      g_assert_nonnull (t->error);
      g_assert_nonnull (strstr (t->error, "RAM"));
      g_assert_cmpfloat (t->decode_tps, <, 0);
      g_assert_false (t->best);
    }
  g_assert_true (skipped);
  g_assert_cmpfloat (opt (result->best, HEARTH_RUN_OPTION_NUM_GPU, 32), ==, 32);
}

/* ---- Budget ---- */

static void
test_budget (void)
{
  ThreadCurve curve = { 16, 0 };
  HearthTuneParams params = { 0 };
  g_autoptr(HearthTuneSearch) search = NULL;
  g_autoptr(HearthTuneResult) result = NULL;

  params.physical_cores = 8;
  params.logical_threads = 16;
  params.budget = 3;
  result = run_search (&params, thread_curve, &curve, 0);
  g_assert_cmpuint (n_run (result), ==, 3);
  g_assert_false (result->cancelled);
  /* The best of those three. */
  g_assert_cmpfloat (result->best_decode_tps, ==, fastest_measured (result)->decode_tps);
  g_assert_nonnull (strstr (result->explanation, "3 trials of a budget of 3"));

  search = hearth_tune_search_new (&params);
  g_assert_cmpuint (hearth_tune_search_get_n_planned (search), <=, 3);
}

/* ---- Failed trials ---- */

static void
test_failed_trial (void)
{
  ThreadCurve curve = { 2, 2 };   /* fastest at 2 threads, which the server refuses */
  HearthTuneParams params = { 0 };
  g_autoptr(HearthTuneResult) result = NULL;
  guint failed = 0;

  params.physical_cores = 4;
  params.logical_threads = 8;
  result = run_search (&params, thread_curve, &curve, 0);
  for (guint i = 0; i < result->trials->len; i++)
    {
      const HearthTuneTrial *t = g_ptr_array_index (result->trials, i);

      if (t->state == HEARTH_TUNE_TRIAL_FAILED)
        {
          failed++;
          g_assert_cmpstr (t->error, ==, "server error: out of threads");
          g_assert_false (t->best);
        }
    }
  g_assert_cmpuint (failed, ==, 1);
  g_assert_nonnull (result->best);
  g_assert_cmpfloat (opt (result->best, HEARTH_RUN_OPTION_NUM_THREAD, 1), !=, 2);
  g_assert_cmpfloat (result->best_decode_tps, ==, fastest_measured (result)->decode_tps);
}

static void
all_fail (const HearthRunOptions *options,
          HearthTuneTrial        *trial,
          gpointer                data)
{
  trial->state = HEARTH_TUNE_TRIAL_FAILED;
  trial->error = g_strdup ("model failed to load");
}

static void
test_nothing_measured (void)
{
  HearthTuneParams params = { 0 };
  g_autoptr(HearthTuneResult) result = NULL;

  params.physical_cores = 2;
  params.logical_threads = 2;
  params.budget = 4;
  result = run_search (&params, all_fail, NULL, 0);
  g_assert_null (result->best);
  g_assert_cmpuint (result->best_index, ==, 0);
  g_assert_nonnull (strstr (result->explanation, "model failed to load"));
}

/* ---- The context ---- */

static void
ctx_curve (const HearthRunOptions *options,
           HearthTuneTrial        *trial,
           gpointer                data)
{
  double ctx = opt (options, HEARTH_RUN_OPTION_NUM_CTX, 2048);

  /* A smaller context is a little faster. */
  trial->decode_tps = 100 - 10 * log2 (ctx / 1024);
  trial->prompt_tps = 500;
}

static void
test_min_ctx (void)
{
  HearthTuneParams params = { 0 };
  g_autoptr(HearthRunOptions) start = hearth_run_options_new ();
  g_autoptr(HearthTuneResult) result = NULL;
  g_autoptr(HearthTuneResult) raised = NULL;
  const HearthTuneTrial *first;

  params.physical_cores = 2;
  params.logical_threads = 2;
  params.min_ctx = 4096;
  hearth_run_options_set (start, HEARTH_RUN_OPTION_NUM_CTX, 16384, NULL);
  params.start = start;
  result = run_search (&params, ctx_curve, NULL, 0);
  /* Down to the user's minimum, never under it. */
  g_assert_cmpfloat (hearth_run_options_get (result->best, HEARTH_RUN_OPTION_NUM_CTX), ==, 4096);
  for (guint i = 0; i < result->trials->len; i++)
    {
      const HearthTuneTrial *t = g_ptr_array_index (result->trials, i);

      g_assert_cmpfloat (opt (t->options, HEARTH_RUN_OPTION_NUM_CTX, 0), >=, 4096);
      g_assert_cmpfloat (opt (t->options, HEARTH_RUN_OPTION_NUM_CTX, 0), <=, 16384);
    }

  /* A start below the minimum is raised to it from trial 1. */
  hearth_run_options_set (start, HEARTH_RUN_OPTION_NUM_CTX, 1024, NULL);
  raised = run_search (&params, ctx_curve, NULL, 0);
  first = g_ptr_array_index (raised->trials, 0);
  g_assert_cmpfloat (hearth_run_options_get (first->options, HEARTH_RUN_OPTION_NUM_CTX), ==, 4096);
  g_assert_cmpfloat (hearth_run_options_get (raised->best, HEARTH_RUN_OPTION_NUM_CTX), ==, 4096);
}

/* ---- Cancelled ---- */

static void
test_cancelled (void)
{
  ThreadCurve curve = { 1, 0 };
  HearthTuneParams params = { 0 };
  g_autoptr(HearthTuneResult) result = NULL;

  params.physical_cores = 8;
  params.logical_threads = 16;
  result = run_search (&params, thread_curve, &curve, 2);
  g_assert_true (result->cancelled);
  g_assert_cmpuint (n_run (result), ==, 2);
  g_assert_nonnull (result->best);
  g_assert_cmpfloat (result->best_decode_tps, ==, fastest_measured (result)->decode_tps);
  g_assert_nonnull (strstr (result->explanation, "Cancelled after 2 trials"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tune-search/thread-curve", test_thread_curve);
  g_test_add_func ("/tune-search/spill", test_spill);
  g_test_add_func ("/tune-search/ram-headroom", test_ram_headroom);
  g_test_add_func ("/tune-search/budget", test_budget);
  g_test_add_func ("/tune-search/failed-trial", test_failed_trial);
  g_test_add_func ("/tune-search/nothing-measured", test_nothing_measured);
  g_test_add_func ("/tune-search/min-ctx", test_min_ctx);
  g_test_add_func ("/tune-search/cancelled", test_cancelled);

  return g_test_run ();
}
