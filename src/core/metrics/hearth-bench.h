/* hearth-bench.h — a model benchmark: a warm-up, then N runs of a fixed prompt set
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "hearth-provider.h"
#include "hearth-sampler.h"
#include "hearth-store.h"

G_BEGIN_DECLS

typedef enum
{
  HEARTH_BENCH_COMPLETE,
  HEARTH_BENCH_CANCELLED,
  HEARTH_BENCH_FAILED,
} HearthBenchState;

/* One benchmark. Figures are medians over the measured requests; a negative
 * figure (or NAN for change_percent) means "not known". */
typedef struct
{
  gint64            id;                  /* 0 until saved */
  gint64            created_ms;
  char             *model;
  char             *digest;              /* NULL on OpenAI-compatible servers */
  char             *endpoint;
  char             *server;              /* the name of the server of the user's list at
                                            endpoint (and api), or NULL for a one-off address */
  char             *api;
  char             *options;             /* JSON text: seed, temperature, num_ctx, num_predict */
  char             *hardware;            /* "CPU · N threads · N GiB RAM · GPU, GPU" */
  guint             runs;                /* runs measured to the end */
  HearthBenchState  state;
  char             *error;               /* one line: why it failed; for a complete run,
                                            the cases the server refused, or NULL */
  double            load_ms;             /* from the warm-up; 0: it was in memory */
  gboolean          already_loaded;      /* load_ms == 0 */
  double            ttft_p50_ms;
  double            ttft_p95_ms;
  double            prompt_tps_median;
  double            prompt_tps_min;
  double            prompt_tps_max;
  double            decode_tps_median;
  double            decode_tps_min;
  double            decode_tps_max;
  const char       *figures_from;        /* "server", "client", "mixed"; NULL when not kept */
  double            peak_cpu_percent;
  gint64            peak_mem_used;       /* bytes */
  gint64            peak_vram_used;      /* bytes */
  gint64            previous_id;         /* 0: no earlier run to compare with */
  gint64            previous_created_ms;
  double            change_percent;      /* decode tokens/s against the previous run */
  gboolean          regression;          /* slower by more than regression_threshold_percent */
  double            regression_threshold_percent; /* the larger of the base threshold and
                                                     2 × the two runs' combined spread */
} HearthBenchResult;

#define HEARTH_BENCH_DEFAULT_RUNS       3
#define HEARTH_BENCH_REGRESSION_PERCENT 15.0

double              hearth_bench_regression_base_percent (void);
double              hearth_bench_regression_threshold (const HearthBenchResult *result,
                                                       double              previous_median,
                                                       double              previous_min,
                                                       double              previous_max);
HearthBenchResult  *hearth_bench_result_new         (void);
void                hearth_bench_result_free        (HearthBenchResult  *result);
HearthBenchResult  *hearth_bench_result_copy        (const HearthBenchResult *result);
JsonNode           *hearth_bench_result_to_json     (const HearthBenchResult *result);
const char         *hearth_bench_state_to_string    (HearthBenchState    state);
gboolean            hearth_bench_result_save        (HearthStore        *store,
                                                     HearthBenchResult  *result,
                                                     GError            **error);
GPtrArray          *hearth_bench_list_results       (HearthStore        *store,
                                                     const char         *model,
                                                     guint               limit,
                                                     GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthBenchResult, hearth_bench_result_free)

#define HEARTH_TYPE_BENCH (hearth_bench_get_type ())

G_DECLARE_FINAL_TYPE (HearthBench, hearth_bench, HEARTH, BENCH, GObject)

/* @model: (nullable): the model to measure; %NULL for the server's first
 * @runs: runs after the warm-up; 0 for HEARTH_BENCH_DEFAULT_RUNS
 * @sampler: (nullable): measures the peaks while the benchmark runs; it must
 * be started, the benchmark holds it at the 1 s interval.
 *
 * HEARTH_BENCH_SCALE (test suites only) multiplies every num_predict and
 * shortens the long prompt by the same factor (0 < scale <= 1); the options
 * JSON records the values actually sent, so scaled runs never compare with
 * full ones. */
HearthBench        *hearth_bench_new                (HearthProvider     *provider,
                                                     const char         *model,
                                                     guint               runs,
                                                     HearthSampler      *sampler);
/* The run options every request of the benchmark sends (recorded in the
 * result's options JSON); call before running. */
void                hearth_bench_set_options        (HearthBench        *self,
                                                     const HearthRunOptions *options);
/* The name of the server of the user's list it measures (the result's
 * server), or NULL for a one-off address; call before running. */
void                hearth_bench_set_server         (HearthBench        *self,
                                                     const char         *server);
double              hearth_bench_get_fraction       (HearthBench        *self);
void                hearth_bench_run_async          (HearthBench        *self,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
HearthBenchResult  *hearth_bench_run_finish         (HearthBench        *self,
                                                     GAsyncResult       *result,
                                                     GError            **error);
const HearthBenchResult *
                    hearth_bench_get_result         (HearthBench        *self);

G_END_DECLS
