/* hearth-tune-result.c — a tuner's trials and result: copied, freed, as JSON
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-tuner"

#include "config.h"

#include "hearth-json.h"
#include "hearth-tuner.h"
#include "hearth-tune-private.h"

HearthTuneTrial *
_hearth_tune_trial_new (void)
{
  HearthTuneTrial *trial = g_new0 (HearthTuneTrial, 1);

  trial->decode_tps = trial->prompt_tps = trial->ttft_ms = -1;
  trial->peak_ram = trial->peak_vram = -1;
  trial->size = trial->size_vram = -1;
  return trial;
}

void
hearth_tune_trial_free (HearthTuneTrial *trial)
{
  if (trial == NULL)
    return;
  g_clear_pointer (&trial->options, hearth_run_options_free);
  g_free (trial->model);
  g_free (trial->error);
  g_free (trial);
}

HearthTuneTrial *
hearth_tune_trial_copy (const HearthTuneTrial *trial)
{
  HearthTuneTrial *copy;

  g_return_val_if_fail (trial != NULL, NULL);

  copy = g_memdup2 (trial, sizeof *trial);
  copy->options = trial->options != NULL ? hearth_run_options_copy (trial->options) : NULL;
  copy->model = g_strdup (trial->model);
  copy->error = g_strdup (trial->error);
  return copy;
}

const char *
_hearth_tune_trial_state_to_string (HearthTuneTrialState state)
{
  switch (state)
    {
    case HEARTH_TUNE_TRIAL_MEASURED:
      return "measured";
    case HEARTH_TUNE_TRIAL_SKIPPED:
      return "skipped";
    case HEARTH_TUNE_TRIAL_FAILED:
    default:
      return "failed";
    }
}

HearthTuneTrialState
_hearth_tune_trial_state_from_string (const char *state)
{
  if (g_strcmp0 (state, "measured") == 0)
    return HEARTH_TUNE_TRIAL_MEASURED;
  if (g_strcmp0 (state, "skipped") == 0)
    return HEARTH_TUNE_TRIAL_SKIPPED;
  return HEARTH_TUNE_TRIAL_FAILED;
}

static void
add_options (JsonBuilder            *builder,
             const char             *name,
             const HearthRunOptions *options)
{
  json_builder_set_member_name (builder, name);
  if (options != NULL)
    json_builder_add_value (builder, hearth_run_options_to_json (options));
  else
    json_builder_add_null_value (builder);
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
add_trial (JsonBuilder *builder,
           gpointer     item)
{
  const HearthTuneTrial *t = item;

  hearth_json_add_int (builder, "index", t->index);
  hearth_json_add_string (builder, "model", t->model);
  add_options (builder, "options", t->options);
  hearth_json_add_string (builder, "state", _hearth_tune_trial_state_to_string (t->state));
  hearth_json_add_string (builder, "error", t->error);
  hearth_json_add_double (builder, "decode_tps", t->decode_tps);
  hearth_json_add_double (builder, "prompt_tps", t->prompt_tps);
  hearth_json_add_double (builder, "ttft_ms", t->ttft_ms);
  hearth_json_add_int (builder, "peak_ram", t->peak_ram);
  hearth_json_add_int (builder, "peak_vram", t->peak_vram);
  hearth_json_add_int (builder, "size", t->size);
  hearth_json_add_int (builder, "size_vram", t->size_vram);
  add_boolean (builder, "spilled", t->spilled);
  add_boolean (builder, "best", t->best);
}

/* Returns: (transfer full): one object; unknown figures are null */
JsonNode *
hearth_tune_trial_to_json (const HearthTuneTrial *trial)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (trial != NULL, NULL);

  json_builder_begin_object (builder);
  add_trial (builder, (gpointer) trial);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

HearthTuneResult *
_hearth_tune_result_new (void)
{
  HearthTuneResult *result = g_new0 (HearthTuneResult, 1);

  result->trials = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_tune_trial_free);
  result->baseline_decode_tps = result->best_decode_tps = -1;
  return result;
}

void
hearth_tune_result_free (HearthTuneResult *result)
{
  if (result == NULL)
    return;
  g_free (result->model);
  g_free (result->digest);
  g_free (result->machine);
  g_free (result->method);
  g_clear_pointer (&result->trials, g_ptr_array_unref);
  g_clear_pointer (&result->baseline, hearth_run_options_free);
  g_clear_pointer (&result->best, hearth_run_options_free);
  g_free (result->explanation);
  g_free (result->quantization_note);
  g_free (result);
}

HearthTuneResult *
hearth_tune_result_copy (const HearthTuneResult *result)
{
  HearthTuneResult *copy;

  g_return_val_if_fail (result != NULL, NULL);

  copy = g_memdup2 (result, sizeof *result);
  copy->model = g_strdup (result->model);
  copy->digest = g_strdup (result->digest);
  copy->machine = g_strdup (result->machine);
  copy->method = g_strdup (result->method);
  copy->trials = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_tune_trial_free);
  for (guint i = 0; result->trials != NULL && i < result->trials->len; i++)
    g_ptr_array_add (copy->trials, hearth_tune_trial_copy (g_ptr_array_index (result->trials, i)));
  copy->baseline = result->baseline != NULL ? hearth_run_options_copy (result->baseline) : NULL;
  copy->best = result->best != NULL ? hearth_run_options_copy (result->best) : NULL;
  copy->explanation = g_strdup (result->explanation);
  copy->quantization_note = g_strdup (result->quantization_note);
  return copy;
}

/* Returns: (transfer full): the result with every trial, as one object */
JsonNode *
hearth_tune_result_to_json (const HearthTuneResult *r)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (r != NULL, NULL);

  json_builder_begin_object (builder);
  hearth_json_add_int (builder, "run_id", r->run_id > 0 ? r->run_id : -1);
  hearth_json_add_string (builder, "model", r->model);
  hearth_json_add_string (builder, "digest", r->digest);
  hearth_json_add_string (builder, "machine", r->machine);
  hearth_json_add_string (builder, "method", r->method);
  hearth_json_add_int (builder, "started_ms", r->started_ms);
  hearth_json_add_int (builder, "finished_ms", r->finished_ms);
  add_boolean (builder, "cancelled", r->cancelled);
  add_options (builder, "baseline", r->baseline);
  hearth_json_add_double (builder, "baseline_decode_tps", r->baseline_decode_tps);
  add_options (builder, "best", r->best);
  hearth_json_add_int (builder, "best_index", r->best_index > 0 ? r->best_index : -1);
  hearth_json_add_double (builder, "best_decode_tps", r->best_decode_tps);
  hearth_json_add_string (builder, "explanation", r->explanation);
  hearth_json_add_string (builder, "quantization_note", r->quantization_note);
  json_builder_set_member_name (builder, "trials");
  if (r->trials != NULL)
    json_builder_add_value (builder, hearth_json_array_of_objects (r->trials, add_trial));
  else
    {
      json_builder_begin_array (builder);
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
