/* hearth-tuner.c — the automatic tuner: runs the search's trials against a
 * server, one measured trial at a time, on the main context
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A trial sends the model one set of options: a warm-up request (which
 * loads it with them), then /api/ps for what it takes in memory and on the
 * GPU, then `runs` measured requests of the same short prompt (seed 42,
 * temperature 0, a few dozen tokens), as the benchmark does; the figures
 * are the medians of those. Nothing is applied: the result goes to
 * hearth_tuning_apply_result () when the user accepts it.
 */
#define G_LOG_DOMAIN "hearth-tuner"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>

#include "hearth-bench-private.h"
#include "hearth-error.h"
#include "hearth-metrics.h"
#include "hearth-reply-private.h"
#include "hearth-tune-private.h"
#include "hearth-tuner.h"

#define SEED               42
#define NUM_PREDICT        32
#define MAX_FAILED_IN_ROW  3
#define PROMPT \
  "Tuning run. The sun is bright over the quiet valley and the river runs under the old " \
  "bridge to the ocean. Tell what happens next in a few sentences."

struct _HearthTuner
{
  GObject           parent_instance;

  HearthProvider   *provider;
  char             *model;
  HearthTuneParams  params;
  HearthSampler    *sampler;
  guint             runs;
  gint64            num_predict;

  HearthTuneSearch *search;
  GPtrArray        *trials;          /* HearthTuneTrial shown, in order */
  guint             n_done;
  char             *name;            /* the server's name of the model */
  char             *digest;
  char             *quantization;
  GPtrArray        *variants;        /* HearthModelInfo of other quantizations */
  guint             next_variant;
  HearthTuneResult *result;          /* once the search is over (the variants after) */
  guint             failed_in_row;

  /* While running */
  GTask            *task;
  gulong            cancel_id;
  gboolean          holding;
  gint64            started_ms;
  HearthTuneTrial  *current;
  guint             request_no;      /* 0: the warm-up */
  HearthChatRequest *request;
  HearthReply      *reply;
  GArray           *decode;
  GArray           *prompt;
  GArray           *ttft;
  gint64            trial_started_us;
};

G_DEFINE_FINAL_TYPE (HearthTuner, hearth_tuner, G_TYPE_OBJECT)

enum {
  TRIAL_STARTED,
  TRIAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
hearth_tuner_dispose (GObject *object)
{
  HearthTuner *self = (HearthTuner *)object;

  g_assert (self->task == NULL);

  g_clear_object (&self->provider);
  g_clear_object (&self->sampler);

  G_OBJECT_CLASS (hearth_tuner_parent_class)->dispose (object);
}

static void
hearth_tuner_finalize (GObject *object)
{
  HearthTuner *self = (HearthTuner *)object;

  g_free (self->model);
  g_free (self->name);
  g_free (self->digest);
  g_free (self->quantization);
  g_clear_pointer (&self->params.start, hearth_run_options_free);
  g_clear_pointer (&self->search, hearth_tune_search_free);
  g_clear_pointer (&self->trials, g_ptr_array_unref);
  g_clear_pointer (&self->variants, g_ptr_array_unref);
  g_clear_pointer (&self->result, hearth_tune_result_free);

  G_OBJECT_CLASS (hearth_tuner_parent_class)->finalize (object);
}

static void
hearth_tuner_class_init (HearthTunerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hearth_tuner_dispose;
  object_class->finalize = hearth_tuner_finalize;

  /**
   * HearthTuner::trial-started:
   * @index: the trial's number, 1-based
   * @options: (type gpointer): the HearthRunOptions it sends (borrowed)
   */
  signals[TRIAL_STARTED] =
    g_signal_new ("trial-started",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_POINTER);

  /**
   * HearthTuner::trial-finished:
   * @trial: (type gpointer): the HearthTuneTrial, measured, failed or
   *   skipped (borrowed; hearth_tuner_get_trials () keeps it)
   */
  signals[TRIAL_FINISHED] =
    g_signal_new ("trial-finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
hearth_tuner_init (HearthTuner *self)
{
  /* The test suites' scale, as the benchmark's. */
  self->num_predict = MAX (4, (gint64) round (NUM_PREDICT * _hearth_bench_scale ()));
  self->trials = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_tune_trial_free);
}

HearthTuner *
hearth_tuner_new (HearthProvider         *provider,
                  const char             *model,
                  const HearthTuneParams *params,
                  HearthSampler          *sampler)
{
  HearthTuner *self;
  guint64 keys = 0;

  g_return_val_if_fail (HEARTH_IS_PROVIDER (provider), NULL);
  g_return_val_if_fail (model != NULL && *model != '\0', NULL);
  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (sampler == NULL || HEARTH_IS_SAMPLER (sampler), NULL);

  self = g_object_new (HEARTH_TYPE_TUNER, NULL);
  self->provider = g_object_ref (provider);
  self->model = g_strdup (model);
  self->params = *params;
  self->params.start = params->start != NULL ? hearth_run_options_copy (params->start) : NULL;
  self->runs = params->runs > 0 ? params->runs : 2;
  self->sampler = sampler != NULL ? g_object_ref (sampler) : NULL;
  self->search = hearth_tune_search_new (&self->params);
  /* An OpenAI-compatible server sets its own threads: nothing to vary there. */
  for (HearthRunOptionKey key = 0; key < HEARTH_N_RUN_OPTIONS; key++)
    if (hearth_run_option_is_supported (key, hearth_provider_get_api (provider), NULL))
      keys |= (guint64) 1 << key;
  _hearth_tune_search_allow_keys (self->search, keys);
  return self;
}

guint
hearth_tuner_get_n_planned (HearthTuner *self)
{
  g_return_val_if_fail (HEARTH_IS_TUNER (self), 0);

  return hearth_tune_search_get_n_planned (self->search) +
         (self->variants != NULL ? self->variants->len : 0);
}

guint
hearth_tuner_get_n_done (HearthTuner *self)
{
  g_return_val_if_fail (HEARTH_IS_TUNER (self), 0);

  return self->n_done;
}

GPtrArray *
hearth_tuner_get_trials (HearthTuner *self)
{
  g_return_val_if_fail (HEARTH_IS_TUNER (self), NULL);

  return self->trials;
}

/* Quantizations */

/* Bits per weight of the common GGUF types, as llama.cpp's quantize tool
 * lists them; what a token's decoding reads from memory scales with it. */
static const struct {
  const char *name;
  double      bits;
} quant_bits[] = {
  { "F32", 32 }, { "F16", 16 }, { "BF16", 16 }, { "Q8_0", 8.5 }, { "Q6_K", 6.56 },
  { "Q5_K_M", 5.69 }, { "Q5_K_S", 5.54 }, { "Q5_0", 5.5 }, { "Q5_1", 6.0 },
  { "Q4_K_M", 4.85 }, { "Q4_K_S", 4.58 }, { "Q4_0", 4.5 }, { "Q4_1", 5.0 },
  { "Q3_K_M", 3.91 }, { "Q3_K_S", 3.5 }, { "Q2_K", 3.35 },
};

static double
bits_per_weight (const char *quantization)
{
  for (guint i = 0; quantization != NULL && i < G_N_ELEMENTS (quant_bits); i++)
    if (g_ascii_strcasecmp (quant_bits[i].name, quantization) == 0)
      return quant_bits[i].bits;
  return -1;
}

static char *
base_name (const char *name)
{
  const char *colon = strrchr (name, ':');

  return colon != NULL ? g_strndup (name, colon - name) : g_strdup (name);
}

static char *
quant_label (const char *quantization)
{
  return g_ascii_strdown (quantization != NULL ? quantization : "unknown", -1);
}

/* "q4_K_M" as Ollama's tags write it */
static char *
quant_tag (const char *quantization)
{
  g_autofree char *label = quant_label (quantization);

  if (label[0] == 'q' && strlen (label) > 3)
    for (char *p = label + 3; *p; p++)
      *p = g_ascii_toupper (*p);
  return g_steal_pointer (&label);
}

static char *
estimate_note (const char *quantization)
{
  double bits = bits_per_weight (quantization);
  double target = bits_per_weight ("Q4_K_M");
  g_autofree char *ours = quant_tag (quantization);

  if (bits < 0 || bits <= target * 1.15)
    return NULL;
  return g_strdup_printf (_("q4_K_M: about %.1f× the speed of %s here — an estimate, not measured "
                            "(no other quantization is installed): decoding reads every weight for "
                            "each token, and q4_K_M stores %.2f bits per weight against %.2f"),
                          bits / target, ours, target, bits);
}

static void
note_variants (HearthTuner *self)
{
  g_autoptr(GString) note = NULL;
  HearthTuneResult *r = self->result;

  for (guint i = 0; i < self->trials->len; i++)
    {
      const HearthTuneTrial *t = g_ptr_array_index (self->trials, i);
      const HearthModelInfo *info = NULL;
      g_autofree char *theirs = NULL;
      g_autofree char *ours = NULL;

      if (g_strcmp0 (t->model, self->name) == 0 || t->state != HEARTH_TUNE_TRIAL_MEASURED ||
          !(r->best_decode_tps > 0))
        continue;
      for (guint k = 0; k < self->variants->len && info == NULL; k++)
        if (g_strcmp0 (((HearthModelInfo *) g_ptr_array_index (self->variants, k))->name, t->model) == 0)
          info = g_ptr_array_index (self->variants, k);
      theirs = quant_tag (info != NULL ? info->quantization : NULL);
      ours = quant_tag (self->quantization);
      if (note == NULL)
        note = g_string_new (NULL);
      else
        g_string_append (note, "; ");
      g_string_append_printf (note, _("%s: %.1f× the speed of %s here, measured (%s, %.1f against %.1f tokens/s)"),
                              theirs, t->decode_tps / r->best_decode_tps, ours, t->model,
                              t->decode_tps, r->best_decode_tps);
    }
  g_free (r->quantization_note);
  if (note != NULL)
    r->quantization_note = g_string_free (g_steal_pointer (&note), FALSE);
  else if (self->variants->len == 0)
    r->quantization_note = estimate_note (self->quantization);
  else
    r->quantization_note = NULL;
}

/* Running */

static void
clear_trial_state (HearthTuner *self)
{
  g_clear_object (&self->reply);
  g_clear_pointer (&self->request, hearth_chat_request_free);
  g_clear_pointer (&self->current, hearth_tune_trial_free);
  g_clear_pointer (&self->decode, g_array_unref);
  g_clear_pointer (&self->prompt, g_array_unref);
  g_clear_pointer (&self->ttft, g_array_unref);
}

static void
finish (HearthTuner *self,
        GError      *error)
{
  GTask *task = self->task;
  GCancellable *cancellable = g_task_get_cancellable (task);
  gboolean cancelled = g_cancellable_is_cancelled (cancellable);

  if (self->reply != NULL && !hearth_reply_is_finished (self->reply))
    {
      g_signal_handlers_disconnect_by_data (self->reply, self);
      hearth_reply_cancel (self->reply);
    }
  clear_trial_state (self);
  if (self->cancel_id != 0)
    g_signal_handler_disconnect (cancellable, self->cancel_id);
  self->cancel_id = 0;
  if (self->holding)
    hearth_sampler_release (self->sampler);
  self->holding = FALSE;
  self->task = NULL;

  if (error != NULL && self->n_done == 0 && !cancelled)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_clear_error (&error);
  if (self->result == NULL)
    self->result = hearth_tune_search_finish (self->search, cancelled);
  else
    self->result->cancelled |= cancelled;
  if (self->variants != NULL && self->result->best != NULL)
    note_variants (self);
  hearth_set_str (&self->result->model, self->name != NULL ? self->name : self->model);
  hearth_set_str (&self->result->digest, self->digest);
  self->result->started_ms = self->started_ms;
  self->result->finished_ms = g_get_real_time () / 1000;
  /* Every trial shown, the other quantizations' included. */
  g_ptr_array_set_size (self->result->trials, 0);
  for (guint i = 0; i < self->trials->len; i++)
    g_ptr_array_add (self->result->trials, hearth_tune_trial_copy (g_ptr_array_index (self->trials, i)));
  g_task_return_pointer (task, hearth_tune_result_copy (self->result),
                         (GDestroyNotify) hearth_tune_result_free);
  g_object_unref (task);
}

static void next_trial (HearthTuner *self);
static void send_request (HearthTuner *self);

/* Shows a trial done (or skipped): kept, numbered, announced. */
static void
publish (HearthTuner     *self,
         HearthTuneTrial *trial)
{
  g_ptr_array_add (self->trials, trial);
  if (trial->state != HEARTH_TUNE_TRIAL_SKIPPED)
    self->n_done++;
  g_signal_emit (self, signals[TRIAL_FINISHED], 0, trial);
}

/* Skipped trials the search decided on its own, not shown yet. */
static void
publish_skipped (HearthTuner *self)
{
  GPtrArray *searched = _hearth_tune_search_get_trials (self->search);

  while (self->result == NULL && self->trials->len < searched->len)
    publish (self, hearth_tune_trial_copy (g_ptr_array_index (searched, self->trials->len)));
}

static void
trial_done (HearthTuner *self)
{
  HearthTuneTrial *trial = g_steal_pointer (&self->current);
  gboolean variant = self->result != NULL;

  if (trial->state == HEARTH_TUNE_TRIAL_MEASURED)
    {
      trial->decode_tps = self->decode->len > 0 ? hearth_metrics_percentile (self->decode, 50) : -1;
      trial->prompt_tps = self->prompt->len > 0 ? hearth_metrics_percentile (self->prompt, 50) : -1;
      trial->ttft_ms = self->ttft->len > 0 ? hearth_metrics_percentile (self->ttft, 50) : -1;
      if (!(trial->decode_tps > 0))
        {
          trial->state = HEARTH_TUNE_TRIAL_FAILED;
          trial->error = g_strdup (_("The server reported no decoding speed"));
        }
    }
  if (self->sampler != NULL)
    {
      double cpu;

      hearth_sampler_get_peaks (self->sampler, self->trial_started_us, &cpu,
                                &trial->peak_ram, &trial->peak_vram);
    }
  self->failed_in_row = trial->state == HEARTH_TUNE_TRIAL_FAILED ? self->failed_in_row + 1 : 0;
  clear_trial_state (self);

  if (!variant)
    {
      GPtrArray *searched = _hearth_tune_search_get_trials (self->search);

      hearth_tune_search_report (self->search, trial);
      hearth_tune_trial_free (trial);
      /* The search's copy: numbered, and marked when it is the best so far. */
      trial = hearth_tune_trial_copy (g_ptr_array_index (searched, searched->len - 1));
      hearth_set_str (&trial->model, self->name);
    }
  else
    trial->index = self->trials->len + 1;
  publish (self, trial);
  next_trial (self);
}

static void
fail_trial (HearthTuner  *self,
            const GError *error)
{
  self->current->state = HEARTH_TUNE_TRIAL_FAILED;
  hearth_set_str (&self->current->error, error != NULL ? error->message : _("The request failed"));
  trial_done (self);
}

static void
ps_cb (GObject      *object,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr(HearthTuner) self = user_data;
  g_autoptr(GPtrArray) loaded = NULL;

  loaded = hearth_provider_list_loaded_finish (HEARTH_PROVIDER (object), result, NULL);
  if (self->task == NULL || self->current == NULL)
    return;
  for (guint i = 0; loaded != NULL && i < loaded->len; i++)
    {
      const HearthLoadedModel *m = g_ptr_array_index (loaded, i);

      if (g_strcmp0 (m->name, self->current->model) != 0)
        continue;
      self->current->size = m->size;
      self->current->size_vram = m->size_vram;
      /* Layers on the CPU, on a machine with a GPU to hold them. */
      self->current->spilled = self->params.vram_total > 0 && m->size > 0 &&
                               m->size_vram >= 0 && m->size_vram < m->size;
    }
  if (g_cancellable_is_cancelled (g_task_get_cancellable (self->task)))
    {
      finish (self, NULL);
      return;
    }
  self->request_no = 1;
  send_request (self);
}

static void
on_reply_finished (HearthReply *reply,
                   HearthTuner *self)
{
  g_autoptr(HearthReply) hold = g_object_ref (reply);
  const HearthFigures *f;

  g_signal_handlers_disconnect_by_data (reply, self);
  if (g_cancellable_is_cancelled (g_task_get_cancellable (self->task)) ||
      hearth_reply_get_state (reply) == HEARTH_REPLY_CANCELLED)
    {
      finish (self, NULL);
      return;
    }
  if (hearth_reply_get_state (reply) != HEARTH_REPLY_DONE)
    {
      fail_trial (self, hearth_reply_get_error (reply));
      return;
    }

  f = hearth_reply_get_figures (reply);
  if (self->request_no == 0)
    {
      /* Loaded with these options now: what it takes, where. */
      if (hearth_provider_get_features (self->provider) & HEARTH_PROVIDER_CAN_LIST_LOADED)
        {
          hearth_provider_list_loaded_async (self->provider, g_task_get_cancellable (self->task),
                                             ps_cb, g_object_ref (self));
          return;
        }
    }
  else
    {
      double prompt_tps = _hearth_bench_prompt_tps (f);

      if (f->tokens_per_s > 0)
        g_array_append_val (self->decode, f->tokens_per_s);
      if (prompt_tps > 0)
        g_array_append_val (self->prompt, prompt_tps);
      if (f->ttft_ms >= 0)
        g_array_append_val (self->ttft, f->ttft_ms);
      if (self->request_no >= self->runs)
        {
          trial_done (self);
          return;
        }
    }
  self->request_no++;
  send_request (self);
}

static void
send_request (HearthTuner *self)
{
  HearthChatRequest *request = hearth_chat_request_new ();

  g_clear_object (&self->reply);
  g_clear_pointer (&self->request, hearth_chat_request_free);
  request->model = g_strdup (self->current->model);
  request->temperature = 0;
  request->has_seed = TRUE;
  request->seed = SEED;
  request->num_predict = self->num_predict;
  request->stream = TRUE;
  request->bypass_cache = TRUE;
  request->options = hearth_run_options_copy (self->current->options);
  hearth_chat_request_add_message (request, "user", PROMPT);
  /* Kept until the reply finishes: the provider borrows it. */
  self->request = request;
  self->reply = hearth_reply_new (hearth_provider_get_endpoint (self->provider),
                                  hearth_provider_get_api (self->provider));
  hearth_reply_set_model (self->reply, request->model);
  g_signal_connect (self->reply, "finished", G_CALLBACK (on_reply_finished), self);
  hearth_chat_sender_send (G_OBJECT (self), self->provider, self->request, self->reply);
}

static void
start_trial (HearthTuner      *self,
             const char       *model,
             HearthRunOptions *options)
{
  self->current = _hearth_tune_trial_new ();
  self->current->index = self->trials->len + 1;
  self->current->model = g_strdup (model);
  self->current->options = options;
  self->current->state = HEARTH_TUNE_TRIAL_MEASURED;
  self->decode = g_array_new (FALSE, FALSE, sizeof (double));
  self->prompt = g_array_new (FALSE, FALSE, sizeof (double));
  self->ttft = g_array_new (FALSE, FALSE, sizeof (double));
  self->request_no = 0;
  self->trial_started_us = g_get_real_time ();
  g_signal_emit (self, signals[TRIAL_STARTED], 0, self->current->index, self->current->options);
  /* A handler may have cancelled. */
  if (g_cancellable_is_cancelled (g_task_get_cancellable (self->task)))
    {
      finish (self, NULL);
      return;
    }
  send_request (self);
}

static void
next_trial (HearthTuner *self)
{
  HearthRunOptions *options;

  if (g_cancellable_is_cancelled (g_task_get_cancellable (self->task)))
    {
      finish (self, NULL);
      return;
    }
  if (self->result == NULL)
    {
      /* A server that fails every request: stop asking. */
      options = self->failed_in_row < MAX_FAILED_IN_ROW ? hearth_tune_search_next (self->search) : NULL;
      publish_skipped (self);
      if (options != NULL)
        {
          start_trial (self, self->name, options);
          return;
        }
      self->result = hearth_tune_search_finish (self->search, FALSE);
    }
  /* The other quantizations, with the winner's options. */
  if (self->variants != NULL && self->result->best != NULL &&
      self->next_variant < self->variants->len)
    {
      const HearthModelInfo *info = g_ptr_array_index (self->variants, self->next_variant++);

      start_trial (self, info->name, hearth_run_options_copy (self->result->best));
      return;
    }
  finish (self, NULL);
}

static void
on_cancelled (GCancellable *cancellable,
              HearthTuner  *self)
{
  if (self->reply != NULL && !hearth_reply_is_finished (self->reply))
    hearth_reply_cancel (self->reply);
}

static void
models_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(HearthTuner) self = user_data;
  g_autoptr(GPtrArray) models = NULL;
  g_autofree char *base = NULL;
  GError *error = NULL;
  const HearthModelInfo *info;
  GCancellable *cancellable = g_task_get_cancellable (self->task);

  models = hearth_provider_list_models_finish (HEARTH_PROVIDER (object), result, &error);
  if (models == NULL)
    {
      finish (self, error);
      return;
    }
  info = hearth_model_info_find (models, self->model);
  if (info == NULL)
    {
      finish (self, g_error_new (HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND,
                                 _("The model “%s” is not installed on the server"), self->model));
      return;
    }
  self->name = g_strdup (info->name);
  self->digest = g_strdup (info->digest);
  self->quantization = g_strdup (info->quantization);
  if (self->params.include_variants)
    {
      self->variants = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_model_info_free);
      base = base_name (info->name);
      for (guint i = 0; i < models->len; i++)
        {
          const HearthModelInfo *other = g_ptr_array_index (models, i);
          g_autofree char *other_base = base_name (other->name);
          HearthModelInfo *copy;

          if (g_strcmp0 (other->name, info->name) == 0 || g_strcmp0 (other_base, base) != 0 ||
              other->quantization == NULL ||
              g_ascii_strcasecmp (other->quantization, info->quantization ? info->quantization : "") == 0)
            continue;
          copy = g_new0 (HearthModelInfo, 1);
          copy->name = g_strdup (other->name);
          copy->digest = g_strdup (other->digest);
          copy->quantization = g_strdup (other->quantization);
          copy->size = other->size;
          g_ptr_array_add (self->variants, copy);
        }
    }
  if (self->sampler != NULL)
    {
      hearth_sampler_hold (self->sampler);
      self->holding = TRUE;
    }
  if (cancellable != NULL)
    self->cancel_id = g_signal_connect (cancellable, "cancelled", G_CALLBACK (on_cancelled), self);
  next_trial (self);
}

/**
 * hearth_tuner_run_async:
 *
 * Runs the search once. Cancelling finishes with the best of the trials
 * done (result->cancelled), not with an error; an error only when not one
 * trial could run (the server is gone, the model is not installed).
 */
void
hearth_tuner_run_async (HearthTuner         *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (HEARTH_IS_TUNER (self));
  g_return_if_fail (self->task == NULL);
  g_return_if_fail (self->result == NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* The task holds the tuner alive until it ends. */
  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, hearth_tuner_run_async);
  g_task_set_check_cancellable (self->task, FALSE);
  self->started_ms = g_get_real_time () / 1000;
  hearth_provider_list_models_async (self->provider, cancellable, models_cb, g_object_ref (self));
}

HearthTuneResult *
hearth_tuner_run_finish (HearthTuner   *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (HEARTH_IS_TUNER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
