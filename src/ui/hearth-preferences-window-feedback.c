/* hearth-preferences-window-feedback.c — Preferences: your ratings, what they steer, and their export
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-preferences-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "hearth-error.h"
#include "hearth-model.h"
#include "hearth-export-file.h"
#include "hearth-preferences-window-private.h"

/* The kinds of question ratings are counted under (hearth-feedback.h). */
static const char *
kind_label (const char *kind)
{
  if (g_strcmp0 (kind, "code") == 0)
    return _("questions with code");
  if (g_strcmp0 (kind, "long-prompt") == 0)
    return _("long questions");
  if (g_strcmp0 (kind, "long-conversation") == 0)
    return _("long conversations");
  return _("other questions");
}

/* "Won 8 of 10 (80 %): 5 of 6 questions with code, 3 of 4 other questions" */
static char *
describe_record (const HearthModelRecord *all,
                 GPtrArray               *records)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint total = all->wins + all->losses;
  gboolean first = TRUE;

  g_string_append_printf (text, _("Won %u of %u"), all->wins, total);
  for (guint i = 0; i < records->len; i++)
    {
      const HearthModelRecord *r = g_ptr_array_index (records, i);

      if (g_strcmp0 (r->model, all->model) != 0 || g_strcmp0 (r->kind, "all") == 0 ||
          r->wins + r->losses == 0)
        continue;
      g_string_append (text, first ? _(": ") : ", ");
      /* Translators: wins of ratings for one kind of question, e.g. "5 of 6 questions with code" */
      g_string_append_printf (text, _("%u of %u %s"), r->wins, r->wins + r->losses,
                              kind_label (r->kind));
      first = FALSE;
    }
  /* Where the record comes from, only what there is. */
  if (all->ups > 0)
    g_string_append_printf (text, g_dngettext (NULL, " · %u thumbs up", " · %u thumbs up",
                                               all->ups), all->ups);
  if (all->downs > 0)
    g_string_append_printf (text, g_dngettext (NULL, " · %u thumbs down", " · %u thumbs down",
                                               all->downs), all->downs);
  if (all->pick_wins > 0)
    g_string_append_printf (text, g_dngettext (NULL, " · kept %u time when compared",
                                               " · kept %u times when compared", all->pick_wins),
                            all->pick_wins);
  if (all->pick_losses > 0)
    g_string_append_printf (text, g_dngettext (NULL, " · not kept %u time when compared",
                                               " · not kept %u times when compared",
                                               all->pick_losses), all->pick_losses);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
clear_rating_rows (HearthPreferencesWindow *self)
{
  for (guint i = 0; i < self->rating_rows->len; i++)
    adw_preferences_group_remove (self->ratings_group, g_ptr_array_index (self->rating_rows, i));
  g_ptr_array_set_size (self->rating_rows, 0);
}

static void
add_rating_row (HearthPreferencesWindow *self,
                GtkWidget               *row)
{
  adw_preferences_group_add (self->ratings_group, row);
  g_ptr_array_add (self->rating_rows, row);
}

static void
show_stats (HearthPreferencesWindow   *self,
            const HearthFeedbackStats *stats)
{
  g_autofree char *summary = NULL;

  clear_rating_rows (self);
  summary = g_strdup_printf (_("Thumbs: %u · compare picks: %u · preference pairs to export: %u"),
                             stats->ratings, stats->picks, stats->pairs);
  adw_action_row_set_subtitle (self->ratings_summary_row, summary);
  for (guint i = 0; i < stats->records->len; i++)
    {
      const HearthModelRecord *r = g_ptr_array_index (stats->records, i);
      g_autofree char *subtitle = NULL;
      g_autofree char *rate = NULL;
      g_autofree char *title = NULL;
      GtkWidget *row, *label;

      if (g_strcmp0 (r->kind, "all") != 0 || r->wins + r->losses == 0)
        continue;
      row = adw_action_row_new ();
      title = hearth_model_display_name (r->model);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      subtitle = describe_record (r, stats->records);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
      rate = g_strdup_printf (_("%.0f %%"), r->rate * 100);
      label = gtk_label_new (rate);
      gtk_widget_add_css_class (label, "numeric");
      gtk_widget_set_tooltip_text (label, _("Win rate: wins out of every rating and compare pick"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
      add_rating_row (self, row);
    }
  if (self->rating_rows->len == 0)
    add_rating_row (self, _hearth_preferences_window_empty_row (
                            _("No ratings yet: rate replies with the thumbs under them, or keep "
                              "one answer when you compare models")));
}

static void
stats_read_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  HearthPreferencesWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthFeedbackStats) stats = NULL;

  stats = hearth_engine_feedback_stats_finish (HEARTH_ENGINE (object), result, &error);
  /* Cancelled means the window may be gone: dispose cancels. */
  if (hearth_error_is_cancelled (error))
    return;
  if (stats == NULL)
    {
      adw_action_row_set_subtitle (self->ratings_summary_row, error->message);
      return;
    }
  show_stats (self, stats);
}

void
_hearth_preferences_window_refresh_feedback (HearthPreferencesWindow *self)
{
  if (!hearth_engine_has_history (self->engine))
    {
      adw_action_row_set_subtitle (self->ratings_summary_row,
                                   _("History is off: ratings are kept with the history"));
      return;
    }
  hearth_engine_feedback_stats_async (self->engine, 0, self->feedback_cancellable, stats_read_cb,
                                      self);
}

/* Let ratings steer Auto */

static void
sync_use_ratings (HearthPreferencesWindow *self)
{
  self->syncing = TRUE;
  gtk_switch_set_active (self->use_ratings_switch, hearth_routes_get_use_ratings (self->routes));
  self->syncing = FALSE;
}

static void
use_ratings_changed_cb (GtkSwitch               *toggle,
                        GParamSpec              *pspec,
                        HearthPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (self->syncing)
    return;
  if (!hearth_routes_set_use_ratings (self->routes, gtk_switch_get_active (toggle), &error))
    {
      _hearth_preferences_window_show_error (self, _("Could not change how Auto chooses"), error);
      sync_use_ratings (self);
    }
}

/* Export */

static void
export_read_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GFile *file = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  char *text = hearth_engine_export_feedback_finish (HEARTH_ENGINE (object), result, &error);

  if (text == NULL)
    hearth_export_file_fail (task, file, _("The ratings"), error);
  else
    hearth_export_file_write (task, file, text, _("The ratings"));
}

/* Writes the ratings (@format) as JSON Lines to @file; finishes with the
 * number of lines written. */
void
hearth_preferences_window_export_feedback_async (HearthPreferencesWindow *self,
                                                 HearthFeedbackFormat     format,
                                                 GFile                   *file,
                                                 GCancellable            *cancellable,
                                                 GAsyncReadyCallback      callback,
                                                 gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HEARTH_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_preferences_window_export_feedback_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  hearth_engine_export_feedback_async (self->engine, format, 0, cancellable, export_read_cb,
                                       g_steal_pointer (&task));
}

/* Returns: the lines written, or -1 with @error set */
int
hearth_preferences_window_export_feedback_finish (HearthPreferencesWindow  *self,
                                                  GAsyncResult             *result,
                                                  GError                  **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);

  return g_task_propagate_int (G_TASK (result), error);
}

static void
export_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (object);
  g_autoptr(GError) error = NULL;
  int lines = hearth_preferences_window_export_feedback_finish (self, result, &error);
  g_autofree char *text = NULL;
  AdwToast *toast;

  if (hearth_error_is_cancelled (error))
    return;
  if (lines < 0)
    {
      toast = adw_toast_new (error->message);
      adw_toast_set_timeout (toast, 0);
    }
  else if (lines == 0)
    toast = adw_toast_new (_("Nothing to export yet: the file is empty"));
  else
    {
      text = g_strdup_printf (g_dngettext (NULL, "Exported %d line", "Exported %d lines", lines),
                              lines);
      toast = adw_toast_new (text);
    }
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
}

static void
export_chosen_cb (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  HearthPreferencesWindow *self = user_data;
  HearthFeedbackFormat format = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog),
                                                                    "hearth-format"));
  g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

  g_object_unref (dialog);
  if (response != GTK_RESPONSE_ACCEPT || file == NULL)
    return;
  hearth_preferences_window_export_feedback_async (self, format, file, self->feedback_cancellable,
                                                   export_done_cb, NULL);
}

static void
export_feedback (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (widget);
  HearthFeedbackFormat format;
  GtkFileChooserNative *dialog;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *name = NULL;

  if (!hearth_feedback_format_parse (g_variant_get_string (parameter, NULL), &format, NULL))
    return;
  dialog = gtk_file_chooser_native_new (format == HEARTH_FEEDBACK_PAIRS
                                        ? _("Export Preference Pairs") : _("Export Rated Replies"),
                                        GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Export"), _("_Cancel"));
  now = g_date_time_new_now_local ();
  stamp = g_date_time_format (now, "%Y-%m-%d");
  name = g_strdup_printf ("hearth-%s-%s.jsonl", hearth_feedback_format_to_string (format), stamp);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_object_set_data (G_OBJECT (dialog), "hearth-format", GINT_TO_POINTER (format));
  g_signal_connect_object (dialog, "response", G_CALLBACK (export_chosen_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* The group */

static GtkWidget *
build_export_row (void)
{
  GtkWidget *row = adw_action_row_new ();
  GMenu *menu = g_menu_new ();
  GtkWidget *button = gtk_menu_button_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Export for Fine-Tuning"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               _("JSON Lines: preference pairs (prompt, chosen, rejected) from "
                                 "your compare picks and ratings, as DPO trainers read them; "
                                 "or each rated reply"));
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  g_menu_append (menu, _("Preference Pairs…"), "feedback.export::pairs");
  g_menu_append (menu, _("Rated Replies…"), "feedback.export::ratings");
  gtk_menu_button_set_label (GTK_MENU_BUTTON (button), _("Export…"));
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  g_object_unref (menu);
  return row;
}

static GtkWidget *
build_use_ratings_row (HearthPreferencesWindow *self)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *subtitle = NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Let Ratings Steer Auto"));
  subtitle = g_strdup_printf (_("“Auto” asks the model with the better record for that kind of "
                                "question, once two models that can answer have at least %d "
                                "ratings each for it"), HEARTH_FEEDBACK_MIN_RATINGS);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  self->use_ratings_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->use_ratings_switch), GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (self->use_ratings_switch));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row),
                                         GTK_WIDGET (self->use_ratings_switch));
  return row;
}

static void
on_visible_page (HearthPreferencesWindow *self,
                 GParamSpec              *pspec,
                 gpointer                 user_data)
{
  if (g_strcmp0 (adw_preferences_window_get_visible_page_name (ADW_PREFERENCES_WINDOW (self)),
                 "answers") == 0 && self->feedback_cancellable != NULL)
    _hearth_preferences_window_refresh_feedback (self);
}

void
_hearth_preferences_window_bind_feedback (HearthPreferencesWindow *self,
                                          AdwPreferencesPage      *page)
{
  AdwPreferencesGroup *steer = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());

  self->feedback_cancellable = g_cancellable_new ();
  self->rating_rows = g_ptr_array_new ();
  self->ratings_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->ratings_group, _("Ratings"));
  adw_preferences_group_set_description (self->ratings_group,
                                         _("How often each model’s answers won: thumbs up and "
                                           "answers kept when comparing, against thumbs down and "
                                           "answers not kept"));
  self->ratings_summary_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->ratings_summary_row), _("So Far"));
  adw_action_row_set_subtitle (self->ratings_summary_row, _("Reading the history…"));
  adw_preferences_group_add (self->ratings_group, GTK_WIDGET (self->ratings_summary_row));
  adw_preferences_page_add (page, self->ratings_group);

  adw_preferences_group_add (steer, build_use_ratings_row (self));
  adw_preferences_group_add (steer, build_export_row ());
  adw_preferences_page_add (page, steer);

  sync_use_ratings (self);
  g_signal_connect_object (self->use_ratings_switch, "notify::active",
                           G_CALLBACK (use_ratings_changed_cb), self, 0);
  g_signal_connect_object (self->routes, "changed", G_CALLBACK (sync_use_ratings), self,
                           G_CONNECT_SWAPPED);
  /* Ratings given while the window is open count when the page is shown again. */
  g_signal_connect (self, "notify::visible-page", G_CALLBACK (on_visible_page), NULL);
  _hearth_preferences_window_refresh_feedback (self);
}

void
_hearth_preferences_window_dispose_feedback (HearthPreferencesWindow *self)
{
  g_cancellable_cancel (self->feedback_cancellable);
  g_clear_object (&self->feedback_cancellable);
  g_clear_pointer (&self->rating_rows, g_ptr_array_unref);
}

void
_hearth_preferences_window_class_feedback_init (HearthPreferencesWindowClass *klass)
{
  gtk_widget_class_install_action (GTK_WIDGET_CLASS (klass), "feedback.export", "s",
                                   export_feedback);
}
