/* hearth-tuner-dialog.c — tuning one model: the plan, the trials as they run, the winner
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Thin over HearthTuning: the tuner comes from hearth_tuning_new_tuner (),
 * the result is applied or kept through hearth_tuning_apply_result () and
 * hearth_tuning_save_result (). Nothing is changed until the user says Apply;
 * the run is stored whatever they say, also when the window is closed.
 */
#define G_LOG_DOMAIN "hearth-tuner-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "hearth-error.h"
#include "hearth-graph.h"
#include "hearth-tuner-dialog.h"

#define GRAPH_CAPACITY 128

struct _HearthTunerDialog
{
  AdwWindow               parent_instance;

  HearthEngine           *engine;
  HearthTuning           *tuning;         /* kept to the end: a run stopped by closing is stored */
  HearthProvider         *provider;
  char                   *model;
  char                   *digest;
  HearthTuner            *tuner;
  GCancellable           *cancellable;
  GCancellable           *runs_cancellable;
  HearthTuneResult       *result;
  HearthTunerDialogState  state;
  gboolean                closing;
  gboolean                sampler_held;
  double                  last_trial_s;   /* per trial in the model's last stored run; -1 none */
  guint                   budget;
  gint64                  trial_started_us;
  gint64                  trials_us;      /* the time the finished trials took */
  guint                   n_timed;
  GPtrArray              *trial_rows;
  GtkWidget              *graph;
  guint                   series;

  AdwWindowTitle         *window_title;
  GtkScrolledWindow      *scroller;
  AdwPreferencesGroup    *plan_group;
  GtkSpinButton          *budget_spin;
  GtkWidget              *variants_row;
  GtkSwitch              *variants_switch;
  GtkWidget              *progress_box;
  GtkLabel               *status_label;
  GtkProgressBar         *progress_bar;
  GtkLabel               *estimate_label;
  GtkWidget              *result_box;
  GtkLabel               *result_heading;
  GtkLabel               *result_label;
  GtkLabel               *explanation_label;
  GtkLabel               *quantization_label;
  GtkLabel               *error_label;
  GtkWidget              *graph_group;
  GtkFrame               *graph_frame;
  GtkWidget              *trials_group;
  GtkListBox             *trials_list;
  GtkWidget              *cancel_button;
  GtkWidget              *keep_button;
  GtkWidget              *apply_button;
  GtkWidget              *start_button;
};

G_DEFINE_FINAL_TYPE (HearthTunerDialog, hearth_tuner_dialog, ADW_TYPE_WINDOW)

static HearthTuning *
tuning (HearthTunerDialog *self)
{
  return self->tuning;
}

/* Formatting */

static char *
format_duration (double seconds)
{
  if (seconds < 90)
    /* Translators: a duration in seconds */
    return g_strdup_printf (_("%.0f s"), MAX (1, round (seconds)));
  /* Translators: a duration in minutes */
  return g_strdup_printf (_("%.0f min"), round (seconds / 60));
}

/* "+30 %", "−24 %": a real minus sign */
static char *
format_percent (double percent)
{
  if (percent < 0)
    return g_strdup_printf ("−%.0f %%", fabs (percent));
  return g_strdup_printf ("+%.0f %%", percent);
}

/* "4 threads · batch 256", or what not setting anything means */
static char *
format_options (const HearthRunOptions *options)
{
  char *summary = options != NULL ? hearth_run_options_summary (options) : NULL;

  return summary != NULL ? summary : g_strdup (_("the server’s own settings"));
}

/* The keys a search on this machine goes through, in words: the GPU's layers only with a
 * GPU, the context only down to the one the model is set to (a minimum the tuner keeps). */
static char *
describe_searched (HearthTunerDialog *self)
{
  HearthTuneParams params = { 0 };
  g_autoptr(HearthResolvedOptions) resolved = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  hearth_tuning_fill_params (tuning (self), &params);
  resolved = hearth_tuning_resolve (tuning (self), self->model, self->digest,
                                    hearth_provider_get_api (self->provider), NULL);
  g_ptr_array_add (names, g_strdup (_("CPU threads")));
  g_ptr_array_add (names, g_strdup (_("batch size")));
  if (params.vram_total > 0)
    g_ptr_array_add (names, g_strdup (_("layers on the GPU")));
  if (hearth_run_options_is_set (resolved->options, HEARTH_RUN_OPTION_NUM_CTX))
    /* Translators: %d is the context length the model is set to, in tokens */
    g_ptr_array_add (names, g_strdup_printf (_("context length (never under the %d tokens set "
                                               "now)"),
                                             (int) hearth_run_options_get (resolved->options,
                                                                           HEARTH_RUN_OPTION_NUM_CTX)));
  g_ptr_array_add (names, NULL);
  return g_strjoinv (", ", (char **) names->pdata);
}

static void
update_plan (HearthTunerDialog *self)
{
  guint budget = gtk_spin_button_get_value_as_int (self->budget_spin);
  g_autofree char *searched = describe_searched (self);
  g_autofree char *timing = NULL;
  g_autofree char *text = NULL;

  if (self->last_trial_s > 0)
    {
      g_autofree char *each = format_duration (self->last_trial_s);
      g_autofree char *total = format_duration (self->last_trial_s * budget);

      /* Translators: an estimate from the model's last tuning; "about 20 s each, about 4 min" */
      timing = g_strdup_printf (_("About %s a trial, about %s in all: an estimate from your "
                                  "last tuning of this model."), each, total);
    }
  else
    timing = g_strdup (_("How long a trial takes is measured on the first one; it depends on "
                         "the model and this computer."));
  text = g_strdup_printf (g_dngettext (NULL,
                                       "Hearth changes one option at a time — %s — keeps what "
                                       "is faster and moves on to the next (coordinate "
                                       "descent), starting from what this computer’s hardware "
                                       "suggests. At most %u trial; each loads the model, warms "
                                       "it up and measures a few short replies. %s",
                                       "Hearth changes one option at a time — %s — keeps what "
                                       "is faster and moves on to the next (coordinate "
                                       "descent), starting from what this computer’s hardware "
                                       "suggests. At most %u trials; each loads the model, warms "
                                       "it up and measures a few short replies. %s",
                                       budget),
                          searched, budget, timing);
  adw_preferences_group_set_description (self->plan_group, text);
}

static void
on_budget_changed (HearthTunerDialog *self)
{
  update_plan (self);
}

/* What each state offers */

static void
set_state (HearthTunerDialog      *self,
           HearthTunerDialogState  state)
{
  gboolean finished = state == HEARTH_TUNER_DIALOG_FINISHED;
  gboolean has_winner = finished && self->result != NULL && self->result->best != NULL &&
                        self->result->best_decode_tps > 0;
  gboolean changes = has_winner &&
                     !hearth_run_options_equal (self->result->best, self->result->baseline);

  self->state = state;
  gtk_widget_set_visible (GTK_WIDGET (self->plan_group),
                          state == HEARTH_TUNER_DIALOG_READY || state == HEARTH_TUNER_DIALOG_FAILED);
  gtk_widget_set_visible (self->progress_box, state == HEARTH_TUNER_DIALOG_RUNNING);
  gtk_widget_set_visible (self->result_box, finished || state == HEARTH_TUNER_DIALOG_SETTLED);
  gtk_widget_set_visible (self->start_button,
                          state == HEARTH_TUNER_DIALOG_READY || state == HEARTH_TUNER_DIALOG_FAILED);
  gtk_widget_set_visible (self->cancel_button, state == HEARTH_TUNER_DIALOG_RUNNING);
  gtk_widget_set_visible (self->keep_button, finished);
  gtk_widget_set_visible (self->apply_button, has_winner);
  gtk_button_set_label (GTK_BUTTON (self->keep_button),
                        changes ? _("_Keep Current Options") : _("_Close"));
  /* the same options applied still gain something: a measured figure to watch against */
  gtk_widget_set_tooltip_text (self->apply_button,
                               has_winner && !changes
                               ? _("Mark these options as tuned, so Hearth says when replies get "
                                   "slower than measured here")
                               : NULL);
  gtk_button_set_label (GTK_BUTTON (self->start_button),
                        state == HEARTH_TUNER_DIALOG_FAILED ? _("_Try Again") : _("_Start"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tuner.start",
                                 state == HEARTH_TUNER_DIALOG_READY ||
                                 state == HEARTH_TUNER_DIALOG_FAILED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tuner.cancel",
                                 state == HEARTH_TUNER_DIALOG_RUNNING);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tuner.apply", has_winner);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tuner.keep", finished);
}

static void
show_error (HearthTunerDialog *self,
            const char        *what,
            const GError      *error)
{
  g_autofree char *text = hearth_error_describe (error);
  g_autofree char *line = g_strdup_printf ("%s %s", what, text);

  gtk_label_set_label (self->error_label, line);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
}

/* The table of trials */

static char *
describe_measured (const HearthTuneTrial *trial)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (trial->decode_tps >= 0)
    /* Translators: decode speed of one trial */
    g_ptr_array_add (parts, g_strdup_printf (_("%.1f tokens/s writing"), trial->decode_tps));
  if (trial->prompt_tps >= 0)
    /* Translators: prompt processing speed of one trial */
    g_ptr_array_add (parts, g_strdup_printf (_("%.0f tokens/s reading the prompt"),
                                             trial->prompt_tps));
  if (trial->ttft_ms >= 0)
    g_ptr_array_add (parts, g_strdup_printf (_("first word after %.2f s"),
                                             trial->ttft_ms / 1000.0));
  if (trial->peak_ram > 0)
    {
      g_autofree char *size = g_format_size (trial->peak_ram);

      g_ptr_array_add (parts, g_strdup_printf (_("%s memory at most"), size));
    }
  if (trial->peak_vram > 0)
    {
      g_autofree char *size = g_format_size (trial->peak_vram);

      g_ptr_array_add (parts, g_strdup_printf (_("%s video memory at most"), size));
    }
  if (trial->spilled)
    g_ptr_array_add (parts, g_strdup (_("did not fit in video memory: part ran on the CPU")));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

static char *
describe_trial (const HearthTuneTrial *trial)
{
  const char *why = trial->error != NULL && *trial->error != '\0' ? trial->error : _("no reason given");

  switch (trial->state)
    {
    case HEARTH_TUNE_TRIAL_FAILED:
      /* Translators: %s is what the server said */
      return g_strdup_printf (_("Failed: %s"), why);
    case HEARTH_TUNE_TRIAL_SKIPPED:
      /* Translators: %s is the constraint that ruled the trial out */
      return g_strdup_printf (_("Skipped: %s"), why);
    case HEARTH_TUNE_TRIAL_MEASURED:
    default:
      return describe_measured (trial);
    }
}

static GtkWidget *
trial_row_new (HearthTunerDialog     *self,
               const HearthTuneTrial *trial)
{
  g_autofree char *options = format_options (trial->options);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = describe_trial (trial);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *best = gtk_label_new (_("Best"));

  if (trial->model != NULL && g_strcmp0 (trial->model, self->model) != 0)
    /* Translators: trial number, the model variant tried, its options */
    title = g_strdup_printf (_("Trial %u · %s · %s"), trial->index, trial->model, options);
  else
    /* Translators: trial number, its options ("4 threads · batch 256") */
    title = g_strdup_printf (_("Trial %u · %s"), trial->index, options);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  if (trial->state != HEARTH_TUNE_TRIAL_MEASURED)
    gtk_widget_add_css_class (row, trial->state == HEARTH_TUNE_TRIAL_FAILED ? "error" : "dim-label");
  gtk_widget_set_valign (best, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (best, "caption-heading");
  gtk_widget_add_css_class (best, "success");
  gtk_widget_set_visible (best, FALSE);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), best);
  g_object_set_data (G_OBJECT (row), "hearth-best-label", best);
  g_object_set_data (G_OBJECT (row), "hearth-trial-index", GUINT_TO_POINTER (trial->index));
  return row;
}

/* One "Best" at a time: the trial @index, or none for 0. */
static void
mark_best (HearthTunerDialog *self,
           guint              index)
{
  for (guint i = 0; i < self->trial_rows->len; i++)
    {
      GObject *row = g_ptr_array_index (self->trial_rows, i);

      gtk_widget_set_visible (g_object_get_data (row, "hearth-best-label"),
                              GPOINTER_TO_UINT (g_object_get_data (row, "hearth-trial-index")) == index);
    }
}

static void
clear_trials (HearthTunerDialog *self)
{
  for (guint i = 0; i < self->trial_rows->len; i++)
    gtk_list_box_remove (self->trials_list, g_ptr_array_index (self->trial_rows, i));
  g_ptr_array_set_size (self->trial_rows, 0);
  hearth_graph_clear (HEARTH_GRAPH (self->graph));
}

/* Progress */

static void
update_progress (HearthTunerDialog *self,
                 guint              running)
{
  guint done = hearth_tuner_get_n_done (self->tuner);
  guint planned = hearth_tuner_get_n_planned (self->tuner);
  g_autofree char *status = NULL;
  g_autofree char *estimate = NULL;

  /* until the search has planned, the budget is what it may take */
  if (planned == 0)
    planned = self->budget;
  planned = MAX (planned, MAX (done, running));
  if (running > 0)
    /* Translators: "Trial 2 of 8" */
    status = g_strdup_printf (_("Trial %u of %u"), running, planned);
  else
    status = g_strdup (_("Finishing…"));
  gtk_label_set_label (self->status_label, status);
  gtk_progress_bar_set_fraction (self->progress_bar, planned > 0 ? (double) done / planned : 0);
  hearth_graph_set_index_axis (HEARTH_GRAPH (self->graph), MAX (planned, 1), _("Trial %u"));

  if (self->n_timed > 0)
    {
      double each_s = (double) self->trials_us / self->n_timed / G_USEC_PER_SEC;
      g_autofree char *each = format_duration (each_s);
      g_autofree char *left = format_duration (each_s * (planned - MIN (done, planned)));

      /* Translators: measured so far, then an estimate */
      estimate = g_strdup_printf (_("%s a trial so far, measured · about %s left, an estimate"),
                                  each, left);
    }
  else if (self->last_trial_s > 0)
    {
      g_autofree char *each = format_duration (self->last_trial_s);

      estimate = g_strdup_printf (_("About %s a trial, an estimate from your last tuning of "
                                    "this model"), each);
    }
  else
    estimate = g_strdup (_("Loading the model and warming it up…"));
  gtk_label_set_label (self->estimate_label, estimate);
}

static void
on_trial_started (HearthTuner       *tuner,
                  guint              index,
                  HearthRunOptions  *options,
                  HearthTunerDialog *self)
{
  self->trial_started_us = g_get_monotonic_time ();
  update_progress (self, index);
}

static void
on_trial_finished (HearthTuner           *tuner,
                   HearthTuneTrial       *trial,
                   HearthTunerDialog     *self)
{
  GtkWidget *row = trial_row_new (self, trial);

  if (self->trial_started_us > 0)
    {
      self->trials_us += g_get_monotonic_time () - self->trial_started_us;
      self->n_timed++;
      self->trial_started_us = 0;
    }
  gtk_list_box_append (self->trials_list, row);
  g_ptr_array_add (self->trial_rows, row);
  if (trial->best)
    mark_best (self, trial->index);
  if (trial->state == HEARTH_TUNE_TRIAL_MEASURED && trial->decode_tps >= 0)
    hearth_graph_push (HEARTH_GRAPH (self->graph), self->series,
                       (gint64) trial->index * G_USEC_PER_SEC, trial->decode_tps);
  gtk_widget_set_visible (self->trials_group, TRUE);
  gtk_widget_set_visible (self->graph_group, TRUE);
  update_progress (self, 0);
}

/* The outcome */

static char *
describe_winner (const HearthTuneResult *result)
{
  g_autofree char *best = format_options (result->best);

  if (result->best == NULL || result->best_decode_tps <= 0)
    return g_strdup (_("No trial could be measured, so nothing is recommended."));
  if (hearth_run_options_equal (result->best, result->baseline))
    /* Translators: the decode speed of the options in use */
    return g_strdup_printf (_("Your current options are already the fastest found: "
                              "%.1f tokens/s, measured."), result->best_decode_tps);
  if (result->baseline_decode_tps > 0)
    {
      double change = (result->best_decode_tps / result->baseline_decode_tps - 1) * 100;
      g_autofree char *percent = format_percent (change);

      /* Translators: "4 threads · batch 256: 31.2 tokens/s against 24.0 now, +30 %, measured" */
      return g_strdup_printf (_("%s: %.1f tokens/s against %.1f now, %s, measured"),
                              best, result->best_decode_tps, result->baseline_decode_tps,
                              percent);
    }
  return g_strdup_printf (_("%s: %.1f tokens/s, measured (your current options could not be "
                            "measured)"), best, result->best_decode_tps);
}

static void
show_result (HearthTunerDialog *self)
{
  const HearthTuneResult *result = self->result;
  g_autofree char *winner = describe_winner (result);
  g_autofree char *heading = NULL;
  gboolean has_note = result->quantization_note != NULL && *result->quantization_note != '\0';

  if (result->cancelled)
    heading = g_strdup_printf (g_dngettext (NULL, "Stopped early: the best of %u trial",
                                            "Stopped early: the best of %u trials",
                                            result->trials->len),
                               result->trials->len);
  else
    heading = g_strdup_printf (g_dngettext (NULL, "Finished: %u trial", "Finished: %u trials",
                                            result->trials->len),
                               result->trials->len);
  gtk_label_set_label (self->result_heading, heading);
  gtk_label_set_label (self->result_label, winner);
  gtk_label_set_label (self->explanation_label, result->explanation ? result->explanation : "");
  gtk_widget_set_visible (GTK_WIDGET (self->explanation_label),
                          result->explanation != NULL && *result->explanation != '\0');
  gtk_label_set_label (self->quantization_label, has_note ? result->quantization_note : "");
  gtk_widget_set_visible (GTK_WIDGET (self->quantization_label), has_note);
  mark_best (self, result->best != NULL ? result->best_index : 0);
  hearth_graph_set_index_axis (HEARTH_GRAPH (self->graph), MAX (result->trials->len, 1),
                               _("Trial %u"));
}

static void
release_sampler (HearthTunerDialog *self)
{
  if (self->sampler_held && self->engine != NULL)
    hearth_sampler_release (hearth_engine_get_sampler (self->engine));
  self->sampler_held = FALSE;
}

/* Stores the run as it is, without applying it: Keep, Close, or a window closed. */
static gboolean
save_run (HearthTunerDialog *self)
{
  g_autoptr(GError) error = NULL;

  if (self->result == NULL || self->result->run_id != 0)
    return TRUE;
  if (hearth_tuning_save_result (tuning (self), self->result, &error))
    return TRUE;
  if (self->closing)
    g_warning ("Could not store the tuning run of %s: %s", self->model, error->message);
  else
    show_error (self, _("The run could not be stored."), error);
  return FALSE;
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(HearthTunerDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  HearthTuneResult *outcome = hearth_tuner_run_finish (HEARTH_TUNER (object), result, &error);

  release_sampler (self);
  g_clear_object (&self->cancellable);
  if (outcome == NULL)
    {
      if (!self->closing)
        {
          show_error (self, _("Tuning stopped."), error);
          set_state (self, HEARTH_TUNER_DIALOG_FAILED);
        }
      return;
    }
  g_clear_pointer (&self->result, hearth_tune_result_free);
  self->result = outcome;
  if (self->closing)
    {
      save_run (self);
      return;
    }
  show_result (self);
  set_state (self, HEARTH_TUNER_DIALOG_FINISHED);
}

/* Actions */

static void
tuner_start (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  HearthTunerDialog *self = HEARTH_TUNER_DIALOG (widget);
  HearthSampler *sampler = hearth_engine_get_sampler (self->engine);
  guint budget = gtk_spin_button_get_value_as_int (self->budget_spin);
  gboolean variants = gtk_switch_get_active (self->variants_switch);

  if (self->state != HEARTH_TUNER_DIALOG_READY && self->state != HEARTH_TUNER_DIALOG_FAILED)
    return;
  if (sampler != NULL && !hearth_sampler_is_running (sampler))
    sampler = NULL;
  g_clear_object (&self->tuner);
  g_clear_pointer (&self->result, hearth_tune_result_free);
  clear_trials (self);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  self->trials_us = 0;
  self->n_timed = 0;
  self->budget = budget;
  self->tuner = hearth_tuning_new_tuner (tuning (self), self->provider, self->model, self->digest,
                                         budget, variants, sampler);
  g_signal_connect_object (self->tuner, "trial-started", G_CALLBACK (on_trial_started), self, 0);
  g_signal_connect_object (self->tuner, "trial-finished", G_CALLBACK (on_trial_finished), self, 0);
  if (sampler != NULL)
    {
      /* one-second samples while it runs, so the peaks are real */
      hearth_sampler_hold (sampler);
      self->sampler_held = TRUE;
    }
  self->cancellable = g_cancellable_new ();
  set_state (self, HEARTH_TUNER_DIALOG_RUNNING);
  update_progress (self, 1);
  hearth_tuner_run_async (self->tuner, self->cancellable, run_done_cb, g_object_ref (self));
}

static void
tuner_cancel (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  HearthTunerDialog *self = HEARTH_TUNER_DIALOG (widget);

  if (self->cancellable == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  gtk_label_set_label (self->status_label, _("Stopping…"));
  gtk_widget_action_set_enabled (widget, "tuner.cancel", FALSE);
}

static void
settle (HearthTunerDialog *self)
{
  set_state (self, HEARTH_TUNER_DIALOG_SETTLED);
  gtk_window_close (GTK_WINDOW (self));
}

static void
tuner_apply (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  HearthTunerDialog *self = HEARTH_TUNER_DIALOG (widget);
  g_autoptr(GError) error = NULL;

  if (self->state != HEARTH_TUNER_DIALOG_FINISHED || self->result == NULL)
    return;
  if (!hearth_tuning_apply_result (tuning (self), self->result, &error))
    {
      show_error (self, _("The options could not be applied."), error);
      return;
    }
  settle (self);
}

static void
tuner_keep (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  HearthTunerDialog *self = HEARTH_TUNER_DIALOG (widget);

  if (self->state != HEARTH_TUNER_DIALOG_FINISHED)
    return;
  if (save_run (self))
    settle (self);
}

/* A run under way is stopped, and stored with what it found, when the window goes. */
static gboolean
hearth_tuner_dialog_close_request (GtkWindow *window)
{
  HearthTunerDialog *self = HEARTH_TUNER_DIALOG (window);

  self->closing = TRUE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  else if (self->state == HEARTH_TUNER_DIALOG_FINISHED)
    save_run (self);
  return GTK_WINDOW_CLASS (hearth_tuner_dialog_parent_class)->close_request (window);
}

/* The time a trial took in the model's last run, for the estimate before this one. */
static void
runs_listed_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(HearthTunerDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) runs = hearth_tuning_list_runs_finish (HEARTH_TUNING (object), result,
                                                              &error);

  if (hearth_error_is_cancelled (error))
    return;
  g_clear_object (&self->runs_cancellable);
  for (guint i = 0; runs != NULL && i < runs->len; i++)
    {
      const HearthTuneResult *run = g_ptr_array_index (runs, i);

      if (run->trials != NULL && run->trials->len > 0 && run->finished_ms > run->started_ms)
        {
          self->last_trial_s = (run->finished_ms - run->started_ms) / 1000.0 / run->trials->len;
          break;
        }
    }
  if (runs == NULL)
    g_debug ("No earlier runs of %s: %s", self->model, error->message);
  update_plan (self);
}

/* Lifetime */

static void
hearth_tuner_dialog_dispose (GObject *object)
{
  HearthTunerDialog *self = HEARTH_TUNER_DIALOG (object);

  self->closing = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->runs_cancellable);
  release_sampler (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), HEARTH_TYPE_TUNER_DIALOG);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->runs_cancellable);
  g_clear_object (&self->tuner);
  g_clear_object (&self->provider);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->trial_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (hearth_tuner_dialog_parent_class)->dispose (object);
}

static void
hearth_tuner_dialog_finalize (GObject *object)
{
  HearthTunerDialog *self = HEARTH_TUNER_DIALOG (object);

  g_free (self->model);
  g_free (self->digest);
  g_clear_pointer (&self->result, hearth_tune_result_free);
  g_clear_object (&self->tuning);

  G_OBJECT_CLASS (hearth_tuner_dialog_parent_class)->finalize (object);
}

static void
hearth_tuner_dialog_class_init (HearthTunerDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = hearth_tuner_dialog_dispose;
  object_class->finalize = hearth_tuner_dialog_finalize;

  window_class->close_request = hearth_tuner_dialog_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hearthapp/Hearth/hearth-tuner-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, scroller);
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, plan_group);
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, budget_spin);
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, variants_row);
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, variants_switch);
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, progress_box);
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, estimate_label);
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, result_box);
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, result_heading);
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, result_label);
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, explanation_label);
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, quantization_label);
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, graph_group);
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, graph_frame);
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, trials_group);
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, trials_list);
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, keep_button);
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, apply_button);
  gtk_widget_class_bind_template_child (widget_class, HearthTunerDialog, start_button);

  gtk_widget_class_bind_template_callback (widget_class, on_budget_changed);

  gtk_widget_class_install_action (widget_class, "tuner.start", NULL, tuner_start);
  gtk_widget_class_install_action (widget_class, "tuner.cancel", NULL, tuner_cancel);
  gtk_widget_class_install_action (widget_class, "tuner.apply", NULL, tuner_apply);
  gtk_widget_class_install_action (widget_class, "tuner.keep", NULL, tuner_keep);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  g_type_ensure (HEARTH_TYPE_GRAPH);
}

static void
hearth_tuner_dialog_init (HearthTunerDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->last_trial_s = -1;
  self->trial_rows = g_ptr_array_new ();
  self->graph = hearth_graph_new (GRAPH_CAPACITY);
  self->series = hearth_graph_add_series (HEARTH_GRAPH (self->graph), _("Generation speed"));
  hearth_graph_set_unit (HEARTH_GRAPH (self->graph), _("tokens/s"));
  hearth_graph_set_title (HEARTH_GRAPH (self->graph), _("Generation speed"));
  hearth_graph_set_range (HEARTH_GRAPH (self->graph), 0, NAN);
  hearth_graph_set_index_axis (HEARTH_GRAPH (self->graph), HEARTH_TUNE_DEFAULT_BUDGET,
                               _("Trial %u"));
  gtk_widget_set_margin_top (self->graph, 6);
  gtk_widget_set_margin_bottom (self->graph, 6);
  gtk_widget_set_margin_start (self->graph, 6);
  gtk_widget_set_margin_end (self->graph, 6);
  gtk_frame_set_child (self->graph_frame, self->graph);
  gtk_spin_button_set_value (self->budget_spin, HEARTH_TUNE_DEFAULT_BUDGET);
}

GtkWidget *
hearth_tuner_dialog_new (HearthEngine   *engine,
                         HearthProvider *provider,
                         const char     *model,
                         const char     *digest)
{
  HearthTunerDialog *self;
  g_autofree char *title = NULL;

  g_return_val_if_fail (HEARTH_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (HEARTH_IS_PROVIDER (provider), NULL);
  g_return_val_if_fail (model != NULL, NULL);

  self = g_object_new (HEARTH_TYPE_TUNER_DIALOG, NULL);
  self->engine = g_object_ref (engine);
  self->tuning = g_object_ref (hearth_engine_get_tuning (engine));
  self->provider = g_object_ref (provider);
  self->model = g_strdup (model);
  self->digest = g_strdup (digest);
  /* Translators: the window title; %s is a model's name */
  title = g_strdup_printf (_("Tune %s"), model);
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, _("Tune"));
  adw_window_title_set_subtitle (self->window_title, model);
  self->runs_cancellable = g_cancellable_new ();
  hearth_tuning_list_runs_async (tuning (self), model, self->runs_cancellable, runs_listed_cb,
                                 g_object_ref (self));
  update_plan (self);
  set_state (self, HEARTH_TUNER_DIALOG_READY);
  return GTK_WIDGET (self);
}

HearthTunerDialogState
hearth_tuner_dialog_get_state (HearthTunerDialog *self)
{
  g_return_val_if_fail (HEARTH_IS_TUNER_DIALOG (self), HEARTH_TUNER_DIALOG_READY);
  return self->state;
}

const HearthTuneResult *
hearth_tuner_dialog_get_result (HearthTunerDialog *self)
{
  g_return_val_if_fail (HEARTH_IS_TUNER_DIALOG (self), NULL);
  return self->result;
}
