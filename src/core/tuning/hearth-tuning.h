/* hearth-tuning.h — the tuning engine: each model's run options on this
 * machine, profiles and their automatic choice, the tuner's runs, the watch
 * on real use after tuning, and preloading
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine owns one HearthTuning (hearth_engine_get_tuning ()); the GUI and
 * the CLI both use it. Options are kept in hearth.db per model — by its
 * digest where the server gives one, else by its name — and per machine
 * (hearth_tuning_machine_key ()), so a database copied to another computer
 * does not carry tuned threads over. They are read into memory when the
 * engine opens its history (in a worker) and re-read when another process
 * changed them; lookups never touch the disk.
 *
 * The options sent with a request are layered, each over the one before:
 *   1. the active profile (a custom one over its built-in parent),
 *   2. the model's own options (set by the user or applied from a tuning),
 *   3. the automatic limits in force: on battery or in power-saver mode the
 *      Battery profile's num_thread/num_batch/keep_alive; under memory
 *      pressure a context of at most HEARTH_TUNING_PRESSURE_MAX_CTX,
 *   4. what the request itself says (a temperature typed for one ask).
 * hearth_tuning_resolve () gives the result and, per key, where it came from.
 */
#pragma once

#include <gio/gio.h>

#include "hearth-profile.h"
#include "hearth-provider.h"
#include "hearth-run-options.h"
#include "hearth-store.h"
#include "hearth-tuner.h"

G_BEGIN_DECLS

#define HEARTH_TUNING_PRESSURE_MAX_CTX      2048
#define HEARTH_TUNING_WATCH_REPLIES         20    /* the regression watch's window */
#define HEARTH_TUNING_WATCH_DROP_PERCENT    15.0  /* median below the tuned figure by more */

typedef enum
{
  HEARTH_OPTION_SOURCE_NONE,       /* not set: the server's default */
  HEARTH_OPTION_SOURCE_PROFILE,    /* the active profile (or its parent) */
  HEARTH_OPTION_SOURCE_MODEL,      /* set by the user for this model */
  HEARTH_OPTION_SOURCE_TUNED,      /* applied from a tuning run */
  HEARTH_OPTION_SOURCE_AUTOMATIC,  /* battery or memory pressure */
  HEARTH_OPTION_SOURCE_REQUEST,    /* the request's own value */
} HearthOptionSource;

/* A model's stored options. */
typedef struct
{
  char             *model;           /* "llama3.2:latest" */
  char             *digest;          /* NULL when the server gives none */
  HearthRunOptions *options;         /* what the user set or accepted */
  guint64           tuned_keys;      /* bit (1 << key) for each key from a tuning */
  gint64            tune_run_id;     /* the run applied; 0 none */
  double            tuned_decode_tps; /* what that run measured; -1 none */
  HearthRunOptions *previous;        /* before the tuning was applied, for Rollback; NULL none */
  gint64            updated_ms;
} HearthModelOptions;

/* The options a request to a model goes out with. */
typedef struct
{
  HearthRunOptions  *options;                         /* the merged result */
  HearthOptionSource sources[HEARTH_N_RUN_OPTIONS];
  char              *profile;                         /* the profile in force ("battery") */
  char              *automatic_reason;                /* "On battery: Battery profile",
                                                         "Memory is low: context limited to 2048";
                                                         NULL when nothing automatic applies */
  GPtrArray         *unsupported;                     /* char *: "num_thread: an OpenAI-compatible
                                                         server sets its own threads" — set but
                                                         not sent to this kind of server */
} HearthResolvedOptions;

/* What the regression watch found for a tuned model. */
typedef struct
{
  char   *model;
  double  tuned_decode_tps;     /* what the tuner measured */
  double  median_decode_tps;    /* of the last HEARTH_TUNING_WATCH_REPLIES replies with those options */
  guint   n_replies;
  double  drop_percent;         /* (tuned - median) / tuned × 100 */
  gboolean rolled_back;         /* done automatically (the setting was on) */
} HearthTuningRegression;

/* Why a model is in memory, when Hearth loaded it. */
typedef struct
{
  char   *model;
  char   *pattern;              /* "weekday mornings", "every evening", NULL: none yet */
  int     hours[24 * 7];        /* replies per hour of the week (Monday 00:00 first, local time) */
  guint   n_replies;            /* replies the pattern is learned from */
} HearthUsagePattern;

void hearth_model_options_free       (HearthModelOptions     *options);
HearthModelOptions *hearth_model_options_copy (const HearthModelOptions *options);
void hearth_resolved_options_free    (HearthResolvedOptions  *resolved);
void hearth_tuning_regression_free   (HearthTuningRegression *regression);
void hearth_usage_pattern_free       (HearthUsagePattern     *pattern);
const char *hearth_option_source_to_string (HearthOptionSource source); /* "profile", "tuned", … */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthModelOptions, hearth_model_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthResolvedOptions, hearth_resolved_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthTuningRegression, hearth_tuning_regression_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthUsagePattern, hearth_usage_pattern_free)

#define HEARTH_TYPE_TUNING (hearth_tuning_get_type ())

G_DECLARE_FINAL_TYPE (HearthTuning, hearth_tuning, HEARTH, TUNING, GObject)

/* @store: (nullable): without a history nothing is kept (calls that would
 * store fail with a message that says why). @settings: the app's GSettings
 * (active profile, automatic choice, watch and preload switches). */
HearthTuning *hearth_tuning_new              (HearthStore   *store,
                                              GSettings     *settings);
/* A short stable key of this machine (CPU model, threads, RAM, GPUs). */
const char   *hearth_tuning_machine_key      (HearthTuning  *self);
/* Physical cores, threads, VRAM, free memory, for the tuner's start and the
 * profiles (read once, cheaply; no bandwidth measurement). */
void          hearth_tuning_fill_params      (HearthTuning     *self,
                                              HearthTuneParams *params);

/* ---- A model's options ---- */
/* NULL when none is stored for @model (@digest: nullable). */
HearthModelOptions *hearth_tuning_get_model_options (HearthTuning  *self,
                                                     const char    *model,
                                                     const char    *digest);
/* HearthModelOptions of every model with options on this machine. */
GPtrArray    *hearth_tuning_list_model_options (HearthTuning       *self);
/* Replaces the model's options (an empty set removes them); the keys
 * changed lose their "tuned" mark. */
gboolean      hearth_tuning_set_model_options (HearthTuning        *self,
                                               const char          *model,
                                               const char          *digest,
                                               const HearthRunOptions *options,
                                               GError             **error);
gboolean      hearth_tuning_reset_model_options (HearthTuning      *self,
                                                 const char        *model,
                                                 const char        *digest,
                                                 GError           **error);
/* The layered options for a request to @model on a server of kind @api;
 * @request_options (nullable): the request's own values. Never NULL. */
HearthResolvedOptions *hearth_tuning_resolve  (HearthTuning        *self,
                                               const char          *model,
                                               const char          *digest,
                                               HearthApiKind        api,
                                               const HearthRunOptions *request_options);
/* A measured effect to show next to an option in the editor ("4 threads:
 * 38 tok/s, 1 thread: 21 tok/s, measured 3 Dec"), from the model's tuning
 * trials; NULL when none is known. */
char         *hearth_tuning_describe_effect   (HearthTuning        *self,
                                               const char          *model,
                                               HearthRunOptionKey   key);

/* ---- Profiles ---- */
GPtrArray    *hearth_tuning_list_profiles    (HearthTuning        *self);   /* HearthProfile: built-ins first */
HearthProfile *hearth_tuning_get_profile     (HearthTuning        *self,
                                              const char          *name,
                                              GError             **error);
/* A profile's options with its parent's under them. */
HearthRunOptions *hearth_tuning_get_profile_options (HearthTuning *self,
                                                     const char   *name,
                                                     GError      **error);
gboolean      hearth_tuning_save_profile     (HearthTuning        *self,
                                              const HearthProfile *profile,
                                              GError             **error);   /* custom ones only */
gboolean      hearth_tuning_remove_profile   (HearthTuning        *self,
                                              const char          *name,
                                              GError             **error);
/* The profile the user chose (GSettings "run-profile"). */
const char   *hearth_tuning_get_chosen_profile (HearthTuning      *self);
gboolean      hearth_tuning_use_profile      (HearthTuning        *self,
                                              const char          *name,
                                              GError             **error);
/* The one in force: the chosen one, or Battery while the automatic choice
 * (GSettings "run-profile-automatic") says so. */
const char   *hearth_tuning_get_active_profile (HearthTuning      *self);
/* NULL, or what the automatic choice did and why, for a banner. */
const char   *hearth_tuning_get_automatic_reason (HearthTuning    *self);
/* The monitors the automatic choice follows: by default GIO's
 * (g_power_profile_monitor_dup_default, g_memory_monitor_dup_default, and
 * UPower's OnBattery on the system bus); tests give their own objects
 * implementing GPowerProfileMonitor / GMemoryMonitor (either nullable). */
void          hearth_tuning_set_monitors     (HearthTuning        *self,
                                              GPowerProfileMonitor *power,
                                              GMemoryMonitor      *memory);
/* Whether memory ran low (GMemoryMonitor's low-memory-warning) in the last
 * 5 minutes, with the automatic choice on: contexts are limited then, and
 * the app may unload idle models through its provider. */
gboolean      hearth_tuning_get_memory_pressure (HearthTuning     *self);
/* For tests and the UPower watch: whether the machine runs on battery. */
void          hearth_tuning_set_on_battery   (HearthTuning        *self,
                                              gboolean             on_battery);

/* ---- Tuning runs ---- */
/* A tuner for @model with the params this machine gives, starting from its
 * resolved options; @budget 0: the default. */
HearthTuner  *hearth_tuning_new_tuner        (HearthTuning        *self,
                                              HearthProvider      *provider,
                                              const char          *model,
                                              const char          *digest,
                                              guint                budget,
                                              gboolean             include_variants,
                                              HearthSampler       *sampler);
/* Stores the run (every trial), whatever is done with it. */
gboolean      hearth_tuning_save_result      (HearthTuning        *self,
                                              HearthTuneResult    *result,
                                              GError             **error);
/* The user accepted: the winner's speed options become the model's (marked
 * tuned), the options before are kept for Rollback. Saves the run if not yet. */
gboolean      hearth_tuning_apply_result     (HearthTuning        *self,
                                              HearthTuneResult    *result,
                                              GError             **error);
/* Back to the options before the last applied tuning; fails with a clear
 * message when there is nothing to roll back. */
gboolean      hearth_tuning_rollback         (HearthTuning        *self,
                                              const char          *model,
                                              const char          *digest,
                                              GError             **error);
/* The stored runs of a model, newest first (HearthTuneResult), in a worker. */
void          hearth_tuning_list_runs_async  (HearthTuning        *self,
                                              const char          *model,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GPtrArray    *hearth_tuning_list_runs_finish (HearthTuning        *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* ---- The watch on real use ---- */
/* Every finished live reply (the engine calls it; cached ones are no speed).
 * @options: what was sent. */
void          hearth_tuning_observe_reply    (HearthTuning        *self,
                                              const char          *model,
                                              const char          *digest,
                                              const HearthRunOptions *options,
                                              double               decode_tps);
/* The regression found for @model, NULL when none. */
HearthTuningRegression *hearth_tuning_get_regression (HearthTuning *self,
                                                      const char   *model);

/* ---- Preloading ---- */
/* Loads @model with its resolved options and keep_alive (@keep_alive_s: -1
 * forever, 0 use the resolved one) and remembers why ("preloaded by you"). */
void          hearth_tuning_preload_async    (HearthTuning        *self,
                                              HearthProvider      *provider,
                                              const char          *model,
                                              double               keep_alive_s,
                                              const char          *reason,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean      hearth_tuning_preload_finish   (HearthTuning        *self,
                                              GAsyncResult        *result,
                                              GError             **error);
/* When each model is used, learned from the history, in a worker
 * (HearthUsagePattern, most used first). */
void          hearth_tuning_list_usage_async (HearthTuning        *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GPtrArray    *hearth_tuning_list_usage_finish (HearthTuning       *self,
                                               GAsyncResult       *result,
                                               GError            **error);
/* With GSettings "preload-learned" on: at start and shortly (15 min) before
 * a model's usual hour, preloads it through @provider (nullable: stop). */
void          hearth_tuning_start_scheduler  (HearthTuning        *self,
                                              HearthProvider      *provider);
/* Why Hearth loaded @model ("preloaded: you use it weekday mornings"),
 * NULL when it did not. */
const char   *hearth_tuning_get_load_reason  (HearthTuning        *self,
                                              const char          *model);

/* Signals:
 *   "changed": options, profiles or the active profile changed (also from
 *       another process), for views to refresh.
 *   "automatic-changed": the automatic choice started or stopped
 *       (hearth_tuning_get_automatic_reason ()).
 *   "regression" (HearthTuningRegression *): the watch found a tuned model
 *       slower than tuned (once per run applied).
 *   "preloaded" (const char *model, const char *reason)
 */

G_END_DECLS
