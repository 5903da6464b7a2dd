/* hearth-bench-result.c — a benchmark's result: made, copied, freed, as JSON
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-bench"

#include "config.h"

#include <math.h>

#include "hearth-bench.h"
#include "hearth-json.h"

/* Results */

HearthBenchResult *
hearth_bench_result_new (void)
{
  HearthBenchResult *result = g_new0 (HearthBenchResult, 1);

  result->state = HEARTH_BENCH_FAILED;
  result->load_ms = -1;
  result->ttft_p50_ms = result->ttft_p95_ms = -1;
  result->prompt_tps_median = result->prompt_tps_min = result->prompt_tps_max = -1;
  result->decode_tps_median = result->decode_tps_min = result->decode_tps_max = -1;
  result->peak_cpu_percent = -1;
  result->peak_mem_used = result->peak_vram_used = -1;
  result->previous_created_ms = -1;
  result->change_percent = NAN;
  result->regression_threshold_percent = HEARTH_BENCH_REGRESSION_PERCENT;
  return result;
}

void
hearth_bench_result_free (HearthBenchResult *result)
{
  if (result == NULL)
    return;
  g_free (result->model);
  g_free (result->digest);
  g_free (result->endpoint);
  g_free (result->server);
  g_free (result->api);
  g_free (result->options);
  g_free (result->hardware);
  g_free (result->error);
  g_free (result);
}

HearthBenchResult *
hearth_bench_result_copy (const HearthBenchResult *result)
{
  HearthBenchResult *copy = g_memdup2 (result, sizeof *result);

  copy->model = g_strdup (result->model);
  copy->digest = g_strdup (result->digest);
  copy->endpoint = g_strdup (result->endpoint);
  copy->server = g_strdup (result->server);
  copy->api = g_strdup (result->api);
  copy->options = g_strdup (result->options);
  copy->hardware = g_strdup (result->hardware);
  copy->error = g_strdup (result->error);
  return copy;
}

const char *
hearth_bench_state_to_string (HearthBenchState state)
{
  switch (state)
    {
    case HEARTH_BENCH_COMPLETE:
      return "complete";
    case HEARTH_BENCH_CANCELLED:
      return "cancelled";
    case HEARTH_BENCH_FAILED:
    default:
      return "failed";
    }
}

static void
add_optional_double (JsonBuilder *builder,
                     const char  *name,
                     double       value)
{
  json_builder_set_member_name (builder, name);
  if (isnan (value))
    json_builder_add_null_value (builder);
  else
    json_builder_add_double_value (builder, value);
}

static void
add_boolean (JsonBuilder *builder,
             const char  *name,
             gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

static void
add_options (JsonBuilder *builder,
             const char  *options)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  json_builder_set_member_name (builder, "options");
  /* Blank text parses, to no root at all. */
  if (options != NULL && json_parser_load_from_data (parser, options, -1, NULL) &&
      json_parser_get_root (parser) != NULL)
    json_builder_add_value (builder, json_node_copy (json_parser_get_root (parser)));
  else
    json_builder_add_null_value (builder);
}

static void
add_figures_json (JsonBuilder             *builder,
                  const HearthBenchResult *r)
{
  hearth_json_add_double (builder, "load_ms", r->load_ms);
  add_boolean (builder, "already_loaded", r->already_loaded);
  hearth_json_add_double (builder, "ttft_p50_ms", r->ttft_p50_ms);
  hearth_json_add_double (builder, "ttft_p95_ms", r->ttft_p95_ms);
  hearth_json_add_double (builder, "prompt_tps_median", r->prompt_tps_median);
  hearth_json_add_double (builder, "prompt_tps_min", r->prompt_tps_min);
  hearth_json_add_double (builder, "prompt_tps_max", r->prompt_tps_max);
  hearth_json_add_double (builder, "decode_tps_median", r->decode_tps_median);
  hearth_json_add_double (builder, "decode_tps_min", r->decode_tps_min);
  hearth_json_add_double (builder, "decode_tps_max", r->decode_tps_max);
  hearth_json_add_string (builder, "figures_from", r->figures_from);
  hearth_json_add_double (builder, "peak_cpu_percent", r->peak_cpu_percent);
  hearth_json_add_int (builder, "peak_mem_used", r->peak_mem_used);
  hearth_json_add_int (builder, "peak_vram_used", r->peak_vram_used);
}

/* Returns: (transfer full): the result as one JSON object; unknown figures are null */
JsonNode *
hearth_bench_result_to_json (const HearthBenchResult *r)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (r != NULL, NULL);

  json_builder_begin_object (builder);
  hearth_json_add_int (builder, "id", r->id > 0 ? r->id : -1);
  hearth_json_add_int (builder, "created_ms", r->created_ms);
  hearth_json_add_string (builder, "model", r->model);
  hearth_json_add_string (builder, "digest", r->digest);
  hearth_json_add_string (builder, "server", r->server);
  hearth_json_add_string (builder, "endpoint", r->endpoint);
  hearth_json_add_string (builder, "api", r->api);
  add_options (builder, r->options);
  hearth_json_add_string (builder, "hardware", r->hardware);
  hearth_json_add_int (builder, "runs", r->runs);
  hearth_json_add_string (builder, "state", hearth_bench_state_to_string (r->state));
  hearth_json_add_string (builder, "error", r->error);
  add_figures_json (builder, r);
  hearth_json_add_int (builder, "previous_id", r->previous_id > 0 ? r->previous_id : -1);
  hearth_json_add_int (builder, "previous_created_ms",
                       r->previous_id > 0 ? r->previous_created_ms : -1);
  add_optional_double (builder, "change_percent", r->change_percent);
  add_boolean (builder, "regression", r->regression);
  add_optional_double (builder, "regression_threshold_percent", r->regression_threshold_percent);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/**
 * hearth_bench_regression_base_percent:
 *
 * Returns: the smallest fall in decode speed that counts as a regression,
 *   in percent, whatever the runs' spread
 */
double
hearth_bench_regression_base_percent (void)
{
  return HEARTH_BENCH_REGRESSION_PERCENT;
}

/* Half the range a run measured over its repeats, in percent of its median;
 * 0 when it is not known. */
static double
half_spread_percent (double median,
                     double min,
                     double max)
{
  if (median <= 0 || min <= 0 || max < min)
    return 0;
  return 100 * (max - min) / (2 * median);
}

/**
 * hearth_bench_regression_threshold:
 * @result: the new run (its decode median, min and max)
 * @previous_median: the earlier run's decode median, tokens/s
 * @previous_min: its slowest repeat, or -1 when not known
 * @previous_max: its fastest repeat, or -1
 *
 * A run is only a regression when it fell by more than the noise the two
 * runs measured themselves: the larger of the base threshold and twice
 * their combined spread (the root of the sum of the squares of each run's
 * half range, in percent of its median).
 *
 * Returns: the threshold in percent
 */
double
hearth_bench_regression_threshold (const HearthBenchResult *result,
                                   double                   previous_median,
                                   double                   previous_min,
                                   double                   previous_max)
{
  double a = half_spread_percent (result->decode_tps_median, result->decode_tps_min,
                                  result->decode_tps_max);
  double b = half_spread_percent (previous_median, previous_min, previous_max);

  return MAX (HEARTH_BENCH_REGRESSION_PERCENT, 2 * sqrt (a * a + b * b));
}
