/* hearth-tuner.h — the automatic tuner: searches the options that change a
 * model's speed on this machine, one measured trial at a time
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each trial loads the model with one set of options (num_ctx, num_gpu,
 * num_thread, num_batch), runs a warm-up, then short measured runs of a fixed
 * prompt; it records decode and prompt tokens/s, time to first token, peak
 * RAM/VRAM (the sampler) and VRAM spill (/api/ps: size_vram < size).
 * Nothing is applied by the tuner: the result is applied by
 * hearth_tuning_apply_result() when the user accepts it.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "hearth-provider.h"
#include "hearth-run-options.h"
#include "hearth-sampler.h"

G_BEGIN_DECLS

typedef enum
{
  HEARTH_TUNE_TRIAL_MEASURED,
  HEARTH_TUNE_TRIAL_FAILED,        /* the server refused or failed: error says why */
  HEARTH_TUNE_TRIAL_SKIPPED,       /* not run: a constraint ruled it out (error says which) */
} HearthTuneTrialState;

typedef struct
{
  guint                 index;            /* 1-based, in the order run */
  HearthRunOptions     *options;          /* what was sent */
  char                 *model;            /* the variant tried (quantizations) */
  HearthTuneTrialState  state;
  char                 *error;
  double                decode_tps;       /* median of the measured runs; -1 unknown */
  double                prompt_tps;
  double                ttft_ms;
  gint64                peak_ram;         /* bytes, -1 unknown */
  gint64                peak_vram;
  gint64                size;             /* /api/ps size and size_vram; -1 unknown */
  gint64                size_vram;
  gboolean              spilled;          /* size_vram < size on a machine with a GPU */
  gboolean              best;             /* the best so far when it finished */
} HearthTuneTrial;

typedef struct
{
  char             *model;
  char             *digest;
  char             *machine;            /* hearth_tuning_machine_key () */
  char             *method;             /* "coordinate descent", said in the UI */
  gint64            started_ms;
  gint64            finished_ms;
  gint64            run_id;             /* 0 until stored */
  GPtrArray        *trials;             /* HearthTuneTrial, in the order run */
  HearthRunOptions *baseline;           /* the options before tuning (trial 1) */
  HearthRunOptions *best;               /* the winner's options */
  guint             best_index;         /* its trial */
  double            baseline_decode_tps;
  double            best_decode_tps;
  gboolean          cancelled;          /* stopped early: best of the trials run */
  char             *explanation;        /* why this one: "fastest without spilling, 4 % below the
                                           fastest (which spilled)" */
  char             *quantization_note;  /* "q4_K_M: 2.1× the speed of q8_0 here, measured", or an
                                           estimate labelled as one with its inputs, or NULL */
} HearthTuneResult;

void              hearth_tune_trial_free     (HearthTuneTrial        *trial);
HearthTuneTrial  *hearth_tune_trial_copy     (const HearthTuneTrial  *trial);
JsonNode         *hearth_tune_trial_to_json  (const HearthTuneTrial  *trial);
void              hearth_tune_result_free    (HearthTuneResult       *result);
HearthTuneResult *hearth_tune_result_copy    (const HearthTuneResult *result);
JsonNode         *hearth_tune_result_to_json (const HearthTuneResult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthTuneTrial, hearth_tune_trial_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthTuneResult, hearth_tune_result_free)

/* What the search starts from and must respect. */
typedef struct
{
  HearthRunOptions *start;            /* the model's current options (nullable) */
  guint             budget;           /* most trials; 0: the default (12) */
  guint             runs;             /* measured runs per trial after the warm-up; 0: 2 */
  gint64            min_ctx;          /* the context the user asked for, a minimum; <= 0 none */
  int               physical_cores;   /* from the hardware report; <= 0 unknown */
  int               logical_threads;
  gint64            vram_total;       /* bytes; <= 0: no GPU (num_gpu is not searched) */
  gint64            mem_available;    /* bytes; the RAM headroom is kept against it */
  int               model_layers;     /* <= 0 unknown */
  gboolean          include_variants; /* also try other installed quantizations */
} HearthTuneParams;

#define HEARTH_TUNE_DEFAULT_BUDGET 12
#define HEARTH_TUNE_SPILL_TOLERANCE 0.05  /* a spilling setting wins only if >5 % faster */

#define HEARTH_TYPE_TUNER (hearth_tuner_get_type ())

G_DECLARE_FINAL_TYPE (HearthTuner, hearth_tuner, HEARTH, TUNER, GObject)

/* @sampler: (nullable): started; measures the peaks. */
HearthTuner      *hearth_tuner_new            (HearthProvider         *provider,
                                               const char             *model,
                                               const HearthTuneParams *params,
                                               HearthSampler          *sampler);
/* Trials planned so far (grows as the search goes), and done. */
guint             hearth_tuner_get_n_planned  (HearthTuner            *self);
guint             hearth_tuner_get_n_done     (HearthTuner            *self);
/* HearthTuneTrial, in the order run (borrowed). */
GPtrArray        *hearth_tuner_get_trials     (HearthTuner            *self);
/* Cancelling keeps the trials done and finishes with the best of them
 * (result->cancelled); nothing is applied either way. */
void              hearth_tuner_run_async      (HearthTuner            *self,
                                               GCancellable           *cancellable,
                                               GAsyncReadyCallback     callback,
                                               gpointer                user_data);
HearthTuneResult *hearth_tuner_run_finish     (HearthTuner            *self,
                                               GAsyncResult           *result,
                                               GError                **error);

/* Signals:
 *   "trial-started" (guint index, HearthRunOptions *options)
 *   "trial-finished" (HearthTuneTrial *trial)
 */

/* The search itself, apart from the server: a state machine the tuner
 * drives, and tests and the benchmark drive with their own measurements.
 * next() gives the options of the next trial (a copy; NULL when the search
 * is over), report() takes its outcome (trial->options are those of next()),
 * finish() picks the winner under the constraints. */
typedef struct _HearthTuneSearch HearthTuneSearch;

HearthTuneSearch *hearth_tune_search_new          (const HearthTuneParams *params);
void              hearth_tune_search_free         (HearthTuneSearch       *search);
HearthRunOptions *hearth_tune_search_next         (HearthTuneSearch       *search);
void              hearth_tune_search_report       (HearthTuneSearch       *search,
                                                   const HearthTuneTrial  *trial);
guint             hearth_tune_search_get_n_planned (HearthTuneSearch      *search);
HearthTuneResult *hearth_tune_search_finish       (HearthTuneSearch       *search,
                                                   gboolean                cancelled);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthTuneSearch, hearth_tune_search_free)

G_END_DECLS
