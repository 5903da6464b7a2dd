/* hearth-tune-search.c — the tuner's search: coordinate descent over the
 * options that change a model's speed
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Why coordinate descent. The four options act mostly one at a time:
 * num_thread sets how fast each token is computed, num_batch how fast the
 * prompt is read, num_gpu how much runs on the GPU (and whether it spills),
 * num_ctx only costs memory and speed above what the user needs. Along each
 * of them the speed rises to one peak and falls (too few threads starve,
 * too many fight over the cores), so a one-dimensional climb from a good
 * start finds that peak in two or three trials, and the four climbs in
 * turn reach what an exhaustive grid finds with a fraction of its trials.
 * Successive halving would need many cheap, shortened trials; a trial here
 * costs mostly its fixed part (loading the model with new options and a
 * warm-up), so shortening it saves little and its noise grows.
 *
 * The climb starts where the hardware report points (the physical cores,
 * every layer on the GPU, Ollama's batch of 512), steps along a ladder of
 * values (1, 2, 4 … threads plus the machine's own counts; batch 64 … 2048;
 * a quarter of the layers at a time; contexts halved down to the user's
 * minimum), first in the likelier direction, and keeps moving while a step
 * is faster. Trial 1 is always the model's current options: the baseline.
 */
#define G_LOG_DOMAIN "hearth-tuner"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>

#include "hearth-tune-private.h"
#include "hearth-tuner.h"

typedef enum
{
  AXIS_THREAD,
  AXIS_BATCH,
  AXIS_GPU,
  AXIS_CTX,
  N_AXES
} Axis;

static const HearthRunOptionKey axis_keys[N_AXES] = {
  HEARTH_RUN_OPTION_NUM_THREAD,
  HEARTH_RUN_OPTION_NUM_BATCH,
  HEARTH_RUN_OPTION_NUM_GPU,
  HEARTH_RUN_OPTION_NUM_CTX,
};

static const char *axis_names[N_AXES] = {
  "threads", "batch size", "GPU layers", "context",
};

#define DEFAULT_BATCH   512   /* Ollama's */
#define TRIED_DOWN      1
#define TRIED_UP        2

struct _HearthTuneSearch
{
  HearthTuneParams  params;
  guint             budget;
  guint             n_run;         /* trials run (measured or failed) */
  GPtrArray        *trials;        /* HearthTuneTrial, skipped ones included */
  HearthRunOptions *start;         /* trial 1's options */
  int               center;        /* index in trials of the best so far; -1 none */
  gboolean          baseline_done;
  gboolean          over;
  guint             searched;      /* a bit per axis searched */
  guint64           allowed;       /* a bit per key the server takes */

  /* The axis being climbed */
  Axis              axis;
  GArray           *ladder;        /* double, ascending */
  int               line_best;     /* index in trials of the best on this line; -1 none yet */
  int               pos;           /* its place on the ladder */
  int               first_dir;     /* the likelier direction, probed first */
  int               dir;           /* 0 probing; ±1 moving while faster */
  guint             tried;         /* TRIED_DOWN | TRIED_UP while probing */
  gboolean          anchor_done;   /* the start value measured when the center leaves the key unset */

  /* Handed out by next(), waiting for report() */
  HearthRunOptions *pending;
  int               pending_pos;   /* its place on the ladder */
  int               pending_dir;   /* 0: the anchor */
};

static const HearthTuneTrial *
trial_at (HearthTuneSearch *self,
          int               index)
{
  return index >= 0 ? g_ptr_array_index (self->trials, index) : NULL;
}

static const HearthTuneTrial *
center_trial (HearthTuneSearch *self)
{
  return trial_at (self, self->center);
}

/* What the climb steps from: the best on the current line, else the center. */
static const HearthTuneTrial *
from_trial (HearthTuneSearch *self)
{
  return self->line_best >= 0 ? trial_at (self, self->line_best) : center_trial (self);
}

gboolean
_hearth_tune_trial_better (const HearthTuneTrial *a,
                           const HearthTuneTrial *b)
{
  if (a == NULL || a->state != HEARTH_TUNE_TRIAL_MEASURED || !(a->decode_tps > 0))
    return FALSE;
  if (b == NULL || b->state != HEARTH_TUNE_TRIAL_MEASURED || !(b->decode_tps > 0))
    return TRUE;
  /* Never a setting that spills when one that does not is within the
   * tolerance: layers on the CPU make every long reply slower. */
  if (a->spilled && !b->spilled)
    return a->decode_tps > b->decode_tps * (1 + HEARTH_TUNE_SPILL_TOLERANCE);
  if (!a->spilled && b->spilled)
    return a->decode_tps >= b->decode_tps * (1 - HEARTH_TUNE_SPILL_TOLERANCE);
  if (a->decode_tps > b->decode_tps * (1 + HEARTH_TUNE_NOISE))
    return TRUE;
  if (a->decode_tps < b->decode_tps * (1 - HEARTH_TUNE_NOISE))
    return FALSE;
  /* The same decoding speed: the faster prompt wins (num_batch's effect). */
  return a->prompt_tps > 0 && a->prompt_tps > MAX (b->prompt_tps, 0) * (1 + HEARTH_TUNE_NOISE);
}

HearthTuneSearch *
hearth_tune_search_new (const HearthTuneParams *params)
{
  HearthTuneSearch *self;

  g_return_val_if_fail (params != NULL, NULL);

  self = g_new0 (HearthTuneSearch, 1);
  self->params = *params;
  self->params.start = NULL;
  self->budget = params->budget > 0 ? params->budget : HEARTH_TUNE_DEFAULT_BUDGET;
  self->trials = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_tune_trial_free);
  self->start = params->start != NULL ? hearth_run_options_copy (params->start) : hearth_run_options_new ();
  /* The context the user asked for is a minimum, from the first trial on. */
  if (params->min_ctx > 0 &&
      (!hearth_run_options_is_set (self->start, HEARTH_RUN_OPTION_NUM_CTX) ||
       hearth_run_options_get (self->start, HEARTH_RUN_OPTION_NUM_CTX) < params->min_ctx))
    hearth_run_options_set (self->start, HEARTH_RUN_OPTION_NUM_CTX, params->min_ctx, NULL);
  self->allowed = G_MAXUINT64;
  self->center = -1;
  self->line_best = -1;
  self->axis = AXIS_THREAD;
  return self;
}

void
hearth_tune_search_free (HearthTuneSearch *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->trials, g_ptr_array_unref);
  g_clear_pointer (&self->start, hearth_run_options_free);
  g_clear_pointer (&self->ladder, g_array_unref);
  g_clear_pointer (&self->pending, hearth_run_options_free);
  g_free (self);
}

void
_hearth_tune_search_allow_keys (HearthTuneSearch *self,
                                guint64           keys)
{
  self->allowed = keys;
}

GPtrArray *
_hearth_tune_search_get_trials (HearthTuneSearch *self)
{
  return self->trials;
}

/* Ladders */

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
ladder_add (GArray *ladder,
            double  value)
{
  if (!(value >= 0))
    return;
  for (guint i = 0; i < ladder->len; i++)
    if (g_array_index (ladder, double, i) == value)
      return;
  g_array_append_val (ladder, value);
}

static int
ladder_find (GArray *ladder,
             double  value)
{
  for (guint i = 0; i < ladder->len; i++)
    if (g_array_index (ladder, double, i) == value)
      return i;
  return -1;
}

static gboolean
center_has (HearthTuneSearch  *self,
            HearthRunOptionKey key)
{
  const HearthTuneTrial *c = center_trial (self);
  const HearthRunOptions *options = c != NULL ? c->options : self->start;

  return hearth_run_options_is_set (options, key);
}

static double
center_value (HearthTuneSearch  *self,
              HearthRunOptionKey key)
{
  const HearthTuneTrial *c = center_trial (self);
  const HearthRunOptions *options = c != NULL ? c->options : self->start;

  return hearth_run_options_get (options, key);
}

/* Builds the ladder of @axis and the value the climb starts from; FALSE
 * when the axis is not searched on this machine. */
static gboolean
setup_axis (HearthTuneSearch *self,
            Axis              axis,
            double           *anchor)
{
  HearthRunOptionKey key = axis_keys[axis];
  const HearthTuneParams *p = &self->params;
  gboolean has = center_has (self, key);
  double value = center_value (self, key);
  GArray *ladder = g_array_new (FALSE, FALSE, sizeof (double));
  double min, max;

  hearth_run_option_get_range (key, &min, &max);
  self->first_dir = -1;
  if (!(self->allowed & ((guint64) 1 << key)))
    goto not_searched;
  switch (axis)
    {
    case AXIS_THREAD:
      {
        int top = p->logical_threads > 0 ? p->logical_threads : p->physical_cores > 0 ? p->physical_cores : 8;

        for (int n = 1; n <= top; n *= 2)
          ladder_add (ladder, n);
        ladder_add (ladder, top);
        if (p->physical_cores > 0)
          ladder_add (ladder, p->physical_cores);
        *anchor = has ? value : p->physical_cores > 0 ? p->physical_cores : MAX (1, top / 2);
        /* Past the physical cores, threads fight over them: fewer first. */
        self->first_dir = -1;
      }
      break;

    case AXIS_BATCH:
      for (int n = 64; n <= 2048; n *= 2)
        ladder_add (ladder, n);
      *anchor = has ? value : DEFAULT_BATCH;
      /* A larger batch reads a prompt faster until memory says no. */
      self->first_dir = +1;
      break;

    case AXIS_GPU:
      if (p->vram_total <= 0 || p->model_layers <= 0)
        goto not_searched;
      for (int q = 0; q <= 4; q++)
        ladder_add (ladder, round (p->model_layers * q / 4.0));
      *anchor = has ? MIN (value, p->model_layers) : p->model_layers;
      /* From every layer on the GPU, fewer when it spills. */
      self->first_dir = -1;
      break;

    case AXIS_CTX:
      /* Larger contexts only cost speed: the climb goes down from the
       * start's, never below the user's minimum; without a minimum the
       * context is the user's and is left alone. */
      if (p->min_ctx <= 0 || !has || value <= p->min_ctx)
        goto not_searched;
      for (double c = value; c > p->min_ctx; c = floor (c / 2))
        ladder_add (ladder, c);
      ladder_add (ladder, p->min_ctx);
      *anchor = value;
      self->first_dir = -1;
      break;

    case N_AXES:
    default:
      goto not_searched;
    }

  ladder_add (ladder, *anchor);
  /* Only values the option accepts. */
  for (guint i = ladder->len; i > 0; i--)
    {
      double v = g_array_index (ladder, double, i - 1);

      if (v < min || v > max)
        g_array_remove_index (ladder, i - 1);
    }
  g_array_sort (ladder, compare_doubles);
  self->pos = ladder_find (ladder, *anchor);
  if (self->pos < 0 || ladder->len < 2)
    goto not_searched;
  g_clear_pointer (&self->ladder, g_array_unref);
  self->ladder = ladder;
  self->dir = 0;
  self->tried = 0;
  /* The center leaves the key to the server: measure the start value
   * itself first, and climb from there against known settings; the line's
   * best replaces the center only when it is better. */
  self->anchor_done = has;
  self->line_best = has ? self->center : -1;
  return TRUE;

not_searched:
  g_array_unref (ladder);
  return FALSE;
}

static void
axis_done (HearthTuneSearch *self)
{
  g_clear_pointer (&self->ladder, g_array_unref);
  self->axis++;
}

/* The next place to try on the current axis; FALSE when the climb is over. */
static gboolean
next_place (HearthTuneSearch *self,
            int              *place,
            int              *dir)
{
  int n = self->ladder->len;

  if (!self->anchor_done)
    {
      *place = self->pos;
      *dir = 0;
      return TRUE;
    }
  if (self->dir != 0)
    {
      *place = self->pos + self->dir;
      *dir = self->dir;
      return *place >= 0 && *place < n;
    }
  for (int k = 0; k < 2; k++)
    {
      int d = k == 0 ? self->first_dir : -self->first_dir;
      guint bit = d < 0 ? TRIED_DOWN : TRIED_UP;

      if (self->tried & bit)
        continue;
      if (self->pos + d < 0 || self->pos + d >= n)
        {
          self->tried |= bit;
          continue;
        }
      *place = self->pos + d;
      *dir = d;
      return TRUE;
    }
  return FALSE;
}

/* A trial at @place in direction @dir is in: move there when better. */
static void
consider (HearthTuneSearch *self,
          int               index,
          int               place,
          int               dir)
{
  const HearthTuneTrial *t = trial_at (self, index);

  if (_hearth_tune_trial_better (t, from_trial (self)) ||
      (self->line_best < 0 && _hearth_tune_trial_better (t, NULL)))
    {
      self->line_best = index;
      self->pos = place;
      if (dir != 0)
        self->dir = dir;
      if (_hearth_tune_trial_better (t, center_trial (self)))
        self->center = index;
    }
  else if (dir != 0)
    {
      if (self->dir != 0)
        self->tried = TRIED_DOWN | TRIED_UP;  /* moving, and it stopped paying */
      else
        self->tried |= dir < 0 ? TRIED_DOWN : TRIED_UP;
      self->dir = 0;
    }
  if (dir == 0)
    self->anchor_done = TRUE;
}

static int
find_same (HearthTuneSearch       *self,
           const HearthRunOptions *options)
{
  for (guint i = 0; i < self->trials->len; i++)
    {
      const HearthTuneTrial *t = g_ptr_array_index (self->trials, i);

      if (t->options != NULL && hearth_run_options_equal (t->options, options))
        return i;
    }
  return -1;
}

/* RAM a setting would take, from the nearest measured trial: what of the
 * model was not on the GPU there, plus the layers this one takes off it.
 * -1 when nothing measured says. */
static double
predict_ram (HearthTuneSearch       *self,
             const HearthRunOptions *options)
{
  const HearthTuneTrial *ref = from_trial (self);
  double ram, layers_ref, layers_new;

  if (ref == NULL || ref->size <= 0)
    return -1;
  ram = ref->size - MAX (ref->size_vram, 0);
  if (ref->size_vram > 0 && self->params.model_layers > 0 &&
      hearth_run_options_is_set (options, HEARTH_RUN_OPTION_NUM_GPU))
    {
      layers_ref = hearth_run_options_is_set (ref->options, HEARTH_RUN_OPTION_NUM_GPU)
                   ? hearth_run_options_get (ref->options, HEARTH_RUN_OPTION_NUM_GPU)
                   : self->params.model_layers;
      layers_new = hearth_run_options_get (options, HEARTH_RUN_OPTION_NUM_GPU);
      if (layers_ref > 0 && layers_new < layers_ref)
        ram += ref->size_vram * (layers_ref - MAX (layers_new, 0)) / layers_ref;
    }
  return ram;
}

static int
add_trial (HearthTuneSearch *self,
           HearthTuneTrial  *trial)
{
  trial->index = self->trials->len + 1;
  g_ptr_array_add (self->trials, trial);
  return self->trials->len - 1;
}

/* Returns: (transfer full) (nullable): the options of the next trial, NULL
 * when the search is over (the budget spent, or every climb done) */
HearthRunOptions *
hearth_tune_search_next (HearthTuneSearch *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->pending != NULL)
    return hearth_run_options_copy (self->pending);
  if (self->over || self->n_run >= self->budget)
    {
      self->over = TRUE;
      return NULL;
    }
  if (!self->baseline_done)
    {
      self->pending = hearth_run_options_copy (self->start);
      self->pending_pos = -1;
      self->pending_dir = 0;
      return hearth_run_options_copy (self->pending);
    }

  while (self->axis < N_AXES)
    {
      g_autoptr(HearthRunOptions) options = NULL;
      HearthRunOptionKey key = axis_keys[self->axis];
      const HearthTuneTrial *c;
      int place, dir, same;
      double ram;

      if (self->ladder == NULL)
        {
          double anchor = 0;

          if (!setup_axis (self, self->axis, &anchor))
            {
              self->axis++;
              continue;
            }
          self->searched |= 1u << self->axis;
        }
      if (!next_place (self, &place, &dir))
        {
          axis_done (self);
          continue;
        }

      c = from_trial (self);
      options = hearth_run_options_copy (c != NULL ? c->options : self->start);
      hearth_run_options_set (options, key, g_array_index (self->ladder, double, place), NULL);

      /* Measured already (the anchor equal to the start, say): no trial. */
      same = find_same (self, options);
      if (same >= 0)
        {
          consider (self, same, place, dir);
          continue;
        }

      ram = predict_ram (self, options);
      if (ram > 0 && self->params.mem_available > 0 && ram > self->params.mem_available)
        {
          HearthTuneTrial *skipped = _hearth_tune_trial_new ();

          skipped->options = g_steal_pointer (&options);
          skipped->state = HEARTH_TUNE_TRIAL_SKIPPED;
          skipped->error = g_strdup_printf (_("Would need about %.1f GiB of RAM; %.1f GiB is free"),
                                            ram / (1 << 30),
                                            self->params.mem_available / (double) (1 << 30));
          consider (self, add_trial (self, skipped), place, dir);
          continue;
        }

      self->pending = g_steal_pointer (&options);
      self->pending_pos = place;
      self->pending_dir = dir;
      return hearth_run_options_copy (self->pending);
    }

  self->over = TRUE;
  return NULL;
}

/* The outcome of the trial next() gave; its options are taken from there. */
void
hearth_tune_search_report (HearthTuneSearch      *self,
                           const HearthTuneTrial *trial)
{
  HearthTuneTrial *copy;
  int index;

  g_return_if_fail (self != NULL);
  g_return_if_fail (trial != NULL);
  g_return_if_fail (self->pending != NULL);

  copy = hearth_tune_trial_copy (trial);
  g_clear_pointer (&copy->options, hearth_run_options_free);
  copy->options = g_steal_pointer (&self->pending);
  if (copy->state == HEARTH_TUNE_TRIAL_SKIPPED)
    copy->state = HEARTH_TUNE_TRIAL_FAILED;
  copy->best = FALSE;
  index = add_trial (self, copy);
  self->n_run++;

  if (!self->baseline_done)
    {
      self->baseline_done = TRUE;
      if (_hearth_tune_trial_better (copy, NULL))
        self->center = index;
    }
  else
    consider (self, index, self->pending_pos, self->pending_dir);
  copy->best = self->center == index;
}

guint
hearth_tune_search_get_n_planned (HearthTuneSearch *self)
{
  guint planned;

  g_return_val_if_fail (self != NULL, 0);

  if (self->over)
    return self->n_run;
  planned = self->n_run + (self->pending != NULL ? 1 : 0);
  if (!self->baseline_done && self->pending == NULL)
    planned++;
  /* What is left of the current climb, and two steps for each axis after it. */
  if (self->ladder != NULL)
    planned += (self->anchor_done ? 0 : 1) + (self->dir != 0 ? 1 : 2 - (self->tried == TRIED_DOWN || self->tried == TRIED_UP));
  for (Axis a = self->axis + 1; a < N_AXES; a++)
    {
      if (a == AXIS_GPU && (self->params.vram_total <= 0 || self->params.model_layers <= 0))
        continue;
      if (a == AXIS_CTX && self->params.min_ctx <= 0)
        continue;
      if (!(self->allowed & ((guint64) 1 << axis_keys[a])))
        continue;
      planned += 2;
    }
  return MIN (planned, MAX (self->budget, self->n_run));
}

static char *
describe_options (const HearthRunOptions *options)
{
  char *summary = options != NULL ? hearth_run_options_summary (options) : NULL;

  return summary != NULL ? summary : g_strdup (_("the server's defaults"));
}

static void
explain (HearthTuneSearch      *self,
         HearthTuneResult      *result,
         const HearthTuneTrial *winner,
         const HearthTuneTrial *fastest)
{
  g_autoptr(GString) text = g_string_new (_("Coordinate descent: "));
  g_autofree char *what = NULL;
  guint n_axes = 0;

  for (Axis a = 0; a < N_AXES; a++)
    if (self->searched & (1u << a))
      g_string_append_printf (text, "%s%s", n_axes++ == 0 ? "" : ", then ", axis_names[a]);
  if (n_axes == 0)
    g_string_append (text, _("nothing to vary"));
  if (self->params.physical_cores > 0)
    g_string_append_printf (text, _(", from this machine's %d cores"), self->params.physical_cores);
  g_string_append_printf (text, _(", one step at a time while it got faster; %u trials of a budget of %u."),
                          self->n_run, self->budget);

  if (winner == NULL)
    {
      const HearthTuneTrial *failed = NULL;

      for (guint i = 0; i < self->trials->len && failed == NULL; i++)
        {
          const HearthTuneTrial *t = g_ptr_array_index (self->trials, i);

          if (t->state == HEARTH_TUNE_TRIAL_FAILED && t->error != NULL)
            failed = t;
        }
      if (result->cancelled && self->n_run == 0)
        g_string_append (text, _(" Cancelled before a trial finished."));
      else if (failed != NULL)
        g_string_append_printf (text, _(" No trial could be measured: %s"), failed->error);
      else
        g_string_append (text, _(" No trial could be measured."));
      result->explanation = g_string_free (g_steal_pointer (&text), FALSE);
      return;
    }

  what = describe_options (winner->options);
  g_string_append_printf (text, _(" Best: trial %u (%s), %.1f tokens/s"), winner->index, what,
                          winner->decode_tps);
  if (winner->index == 1)
    g_string_append (text, _(": your current options were already the fastest measured."));
  else if (result->baseline_decode_tps > 0)
    g_string_append_printf (text, _(", %.2f× the %.1f tokens/s of your current options."),
                            winner->decode_tps / result->baseline_decode_tps,
                            result->baseline_decode_tps);
  else
    g_string_append (text, ".");
  if (fastest != NULL && fastest != winner && fastest->spilled && !winner->spilled)
    g_string_append_printf (text, _(" Fastest without spilling to the CPU, %.0f %% below trial %u, "
                            "which spilled."),
                            (1 - winner->decode_tps / fastest->decode_tps) * 100, fastest->index);
  if (winner->spilled)
    /* xgettext:no-c-format */
    g_string_append (text, _(" It spills layers to the CPU, but is more than 5 % faster than "
                     "anything that does not."));
  if (result->cancelled)
    g_string_append_printf (text, _(" Cancelled after %u trials: the best of those."), self->n_run);
  result->explanation = g_string_free (g_steal_pointer (&text), FALSE);
}

/* Returns: (transfer full): the trials and the winner under the constraints;
 * when nothing could be measured, best is NULL and the explanation says why */
HearthTuneResult *
hearth_tune_search_finish (HearthTuneSearch *self,
                           gboolean          cancelled)
{
  HearthTuneResult *result;
  const HearthTuneTrial *winner, *fastest = NULL, *first;

  g_return_val_if_fail (self != NULL, NULL);

  self->over = TRUE;
  g_clear_pointer (&self->pending, hearth_run_options_free);
  result = _hearth_tune_result_new ();
  result->method = g_strdup ("coordinate descent");
  result->cancelled = cancelled;
  for (guint i = 0; i < self->trials->len; i++)
    g_ptr_array_add (result->trials, hearth_tune_trial_copy (g_ptr_array_index (self->trials, i)));

  first = self->trials->len > 0 ? g_ptr_array_index (self->trials, 0) : NULL;
  result->baseline = hearth_run_options_copy (first != NULL ? first->options : self->start);
  if (first != NULL && first->state == HEARTH_TUNE_TRIAL_MEASURED)
    result->baseline_decode_tps = first->decode_tps;

  /* The climb's end, checked against every trial: the rules decide, and a
   * spilling trial that won an early comparison cannot stay the winner when
   * a later one that does not spill is within the tolerance. */
  winner = center_trial (self);
  for (guint i = 0; i < self->trials->len; i++)
    {
      const HearthTuneTrial *t = g_ptr_array_index (self->trials, i);

      if (_hearth_tune_trial_better (t, winner))
        winner = t;
      if (t->state == HEARTH_TUNE_TRIAL_MEASURED &&
          (fastest == NULL || t->decode_tps > fastest->decode_tps))
        fastest = t;
    }
  if (winner != NULL && winner->state != HEARTH_TUNE_TRIAL_MEASURED)
    winner = NULL;
  if (winner != NULL)
    {
      result->best = hearth_run_options_copy (winner->options);
      result->best_index = winner->index;
      result->best_decode_tps = winner->decode_tps;
    }
  explain (self, result, winner, fastest);
  return result;
}
