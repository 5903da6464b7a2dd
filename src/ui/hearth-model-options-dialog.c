/* hearth-model-options-dialog.c — a model's run options on this computer:
 * each option with what it means, what applies now and where from, and its
 * measured effect when one is known
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-model-options-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-error.h"
#include "hearth-model-options-dialog.h"
#include "hearth-run-option-row.h"

struct _HearthModelOptionsDialog
{
  AdwWindow            parent_instance;

  HearthEngine        *engine;
  HearthTuning        *tuning;
  HearthProvider      *provider;
  char                *model;
  char                *digest;
  HearthRunOptionRow  *rows[HEARTH_N_RUN_OPTIONS];

  AdwWindowTitle      *window_title;
  AdwToastOverlay     *toast_overlay;
  GtkLabel            *intro_label;
  GtkLabel            *error_label;
  AdwPreferencesGroup *loading_group;
  AdwPreferencesGroup *answers_group;
};

G_DEFINE_FINAL_TYPE (HearthModelOptionsDialog, hearth_model_options_dialog, ADW_TYPE_WINDOW)

static void
show_toast (HearthModelOptionsDialog *self,
            const char               *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static char *
profile_title (HearthModelOptionsDialog *self,
               const char               *name)
{
  g_autoptr(HearthProfile) profile = hearth_tuning_get_profile (self->tuning, name, NULL);

  return g_strdup (profile != NULL ? profile->title : name);
}

/* "tuned 3 Dec" */
static char *
tuned_source (const HearthModelOptions *stored)
{
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *day = NULL;

  if (stored->updated_ms <= 0)
    return g_strdup (_("tuned"));
  when = g_date_time_new_from_unix_local (stored->updated_ms / 1000);
  day = g_date_time_format (when, "%-d %b");
  return g_strdup_printf (_("tuned %s"), day);
}

static void
load_own (HearthModelOptionsDialog *self)
{
  g_autoptr(HearthModelOptions) stored = hearth_tuning_get_model_options (self->tuning,
                                                                          self->model,
                                                                          self->digest);

  for (guint key = 0; key < HEARTH_N_RUN_OPTIONS; key++)
    {
      g_autofree char *source = NULL;
      gboolean is_set = stored != NULL && hearth_run_options_is_set (stored->options, key);

      if (is_set && (stored->tuned_keys & (G_GUINT64_CONSTANT (1) << key)) != 0)
        source = tuned_source (stored);
      hearth_run_option_row_set_own (self->rows[key], is_set,
                                     is_set ? hearth_run_options_get (stored->options, key) : 0,
                                     source);
    }
}

/* What applies without the model's own values, and what the automatic
 * choice does for now. */
static void
refresh_inherited (HearthModelOptionsDialog *self)
{
  HearthApiKind api = hearth_provider_get_api (self->provider);
  g_autoptr(HearthResolvedOptions) resolved = hearth_tuning_resolve (self->tuning, self->model,
                                                                     self->digest, api, NULL);
  g_autoptr(HearthRunOptions) profile = NULL;
  g_autofree char *title = profile_title (self, resolved->profile);
  g_autofree char *from_profile = g_strdup_printf (_("from the %s profile"), title);
  g_autofree char *intro = NULL;

  profile = hearth_tuning_get_profile_options (self->tuning, resolved->profile, NULL);
  for (guint key = 0; key < HEARTH_N_RUN_OPTIONS; key++)
    {
      const char *why = NULL;
      g_autofree char *effect = hearth_tuning_describe_effect (self->tuning, self->model, key);
      g_autoptr(GString) notes = g_string_new (NULL);
      gboolean inherited = profile != NULL && hearth_run_options_is_set (profile, key);

      hearth_run_option_row_set_inherited (self->rows[key], inherited,
                                           inherited ? hearth_run_options_get (profile, key) : 0,
                                           inherited ? from_profile : NULL);
      if (resolved->sources[key] == HEARTH_OPTION_SOURCE_AUTOMATIC)
        {
          g_autofree char *value = hearth_run_option_format_value (
            key, hearth_run_options_get (resolved->options, key));

          g_string_append_printf (notes, _("For now %s: %s"), value,
                                  resolved->automatic_reason ? resolved->automatic_reason
                                                             : _("chosen automatically"));
        }
      if (effect != NULL)
        g_string_append_printf (notes, "%s%s", notes->len > 0 ? "\n" : "", effect);
      hearth_run_option_row_set_notes (self->rows[key], notes->str);
      hearth_run_option_row_set_unsupported (
        self->rows[key], hearth_run_option_is_supported (key, api, &why) ? NULL : why);
    }

  intro = g_strdup_printf (_("Sent with every request to %s on this computer, by the chat, "
                             "hearth-cli and benchmarks alike. An option not set here comes "
                             "from the %s profile, or the server decides."),
                           self->model, title);
  gtk_label_set_text (self->intro_label, intro);
}

static void
save_clicked_cb (HearthModelOptionsDialog *self)
{
  g_autoptr(HearthRunOptions) options = hearth_run_option_rows_collect (self->rows);
  g_autoptr(GError) error = NULL;

  if (!hearth_tuning_set_model_options (self->tuning, self->model, self->digest, options,
                                        &error))
    {
      g_autofree char *text = g_strdup_printf (_("Not saved: %s"), error->message);

      /* Nothing typed is lost: the dialog stays open with every value. */
      gtk_label_set_text (self->error_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      show_toast (self, _("The options were not saved"));
      return;
    }
  gtk_window_close (GTK_WINDOW (self));
}

static void
reset_clicked_cb (HearthModelOptionsDialog *self)
{
  for (guint key = 0; key < HEARTH_N_RUN_OPTIONS; key++)
    hearth_run_option_row_clear (self->rows[key]);
  show_toast (self, _("Every option is back to the profile’s or the server’s: Save to keep it"));
}

static void
hearth_model_options_dialog_dispose (GObject *object)
{
  HearthModelOptionsDialog *self = HEARTH_MODEL_OPTIONS_DIALOG (object);

  g_clear_object (&self->tuning);
  g_clear_object (&self->provider);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (hearth_model_options_dialog_parent_class)->dispose (object);
}

static void
hearth_model_options_dialog_finalize (GObject *object)
{
  HearthModelOptionsDialog *self = HEARTH_MODEL_OPTIONS_DIALOG (object);

  g_free (self->model);
  g_free (self->digest);

  G_OBJECT_CLASS (hearth_model_options_dialog_parent_class)->finalize (object);
}

static void
hearth_model_options_dialog_class_init (HearthModelOptionsDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hearth_model_options_dialog_dispose;
  object_class->finalize = hearth_model_options_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hearthapp/Hearth/"
                                               "hearth-model-options-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, HearthModelOptionsDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, HearthModelOptionsDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HearthModelOptionsDialog, intro_label);
  gtk_widget_class_bind_template_child (widget_class, HearthModelOptionsDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, HearthModelOptionsDialog, loading_group);
  gtk_widget_class_bind_template_child (widget_class, HearthModelOptionsDialog, answers_group);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, reset_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
hearth_model_options_dialog_init (HearthModelOptionsDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  hearth_run_option_rows_populate (self->loading_group, self->answers_group, self->rows);
}

GtkWidget *
hearth_model_options_dialog_new (HearthEngine   *engine,
                                 HearthProvider *provider,
                                 const char     *model,
                                 const char     *digest)
{
  HearthModelOptionsDialog *self;

  g_return_val_if_fail (HEARTH_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (HEARTH_IS_PROVIDER (provider), NULL);
  g_return_val_if_fail (model != NULL, NULL);

  self = g_object_new (HEARTH_TYPE_MODEL_OPTIONS_DIALOG, NULL);
  self->engine = g_object_ref (engine);
  self->tuning = g_object_ref (hearth_engine_get_tuning (engine));
  self->provider = g_object_ref (provider);
  /* "tiny" and "tiny:latest" are one model to Ollama: its options are kept
   * under the name the chat and benchmarks ask for. */
  self->model = hearth_provider_canonical_model_name (provider, model);
  self->digest = digest != NULL && *digest != '\0' ? g_strdup (digest) : NULL;
  adw_window_title_set_subtitle (self->window_title, self->model);
  load_own (self);
  refresh_inherited (self);
  /* Another window or hearth-cli may change the profile or the automatic
   * choice meanwhile; what was typed here stays. */
  g_signal_connect_object (self->tuning, "changed", G_CALLBACK (refresh_inherited), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tuning, "automatic-changed", G_CALLBACK (refresh_inherited),
                           self, G_CONNECT_SWAPPED);
  return GTK_WIDGET (self);
}
