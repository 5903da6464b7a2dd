/* hearth-models-page-tuning.c — the Models page's tuning: options, Tune, Roll Back, Preload,
 * what the tuner measured, why a model is loaded, and the watch's "slower than when tuned"
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything goes through the engine's HearthTuning; the rows only show it.
 */
#define G_LOG_DOMAIN "hearth-models-page"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-error.h"
#include "hearth-model-options-dialog.h"
#include "hearth-models-page-private.h"
#include "hearth-tuner-dialog.h"

static HearthTuning *
tuning (HearthModelsPage *self)
{
  return hearth_engine_get_tuning (self->engine);
}

static void
toast_text (HearthModelsPage *self,
            const char       *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static const char *
digest_of (HearthModelsPage *self,
           const char       *model)
{
  HearthModelRow *row = _hearth_models_page_find_row (self, model);

  return row != NULL ? hearth_model_row_get_digest (row) : NULL;
}

/* Only Ollama takes the options the tuner tries, and loads a model when asked to. */
static gboolean
is_ollama (HearthModelsPage *self)
{
  return self->provider != NULL && hearth_provider_get_api (self->provider) == HEARTH_API_OLLAMA;
}

/* The watch's notice goes right under its model's row, in the same list. */
static void
place_notice (HearthModelRow *row)
{
  GtkWidget *notice = hearth_model_row_get_notice (row);
  GtkWidget *list = gtk_widget_get_parent (GTK_WIDGET (row));

  if (notice == NULL)
    return;
  if (!gtk_widget_get_visible (GTK_WIDGET (row)))
    gtk_widget_set_visible (notice, FALSE);
  if (gtk_widget_get_parent (notice) != NULL || !GTK_IS_LIST_BOX (list))
    return;
  gtk_list_box_insert (GTK_LIST_BOX (list), notice,
                       gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row)) + 1);
}

static void
update_row (HearthModelsPage *self,
            HearthModelRow   *row)
{
  const char *name = hearth_model_row_get_name (row);
  g_autoptr(HearthModelOptions) options = hearth_tuning_get_model_options (tuning (self), name,
                                                                          hearth_model_row_get_digest (row));
  g_autoptr(HearthTuningRegression) regression = hearth_tuning_get_regression (tuning (self), name);

  hearth_model_row_set_tuning (row, options);
  hearth_model_row_set_regression (row, regression);
  hearth_model_row_set_load_reason (row, hearth_tuning_get_load_reason (tuning (self), name));
  if (is_ollama (self))
    hearth_model_row_set_server_allows (row, NULL, NULL);
  else
    hearth_model_row_set_server_allows (row,
                                        _("This server sets its own threads and batch size: "
                                          "only Ollama takes the options the tuner tries"),
                                        _("Only an Ollama server can be asked to load a model "
                                          "ahead of time"));
  place_notice (row);
}

void
_hearth_models_page_update_tuning (HearthModelsPage *self)
{
  if (self->engine == NULL)
    return;
  for (guint i = 0; i < self->rows->len; i++)
    update_row (self, g_ptr_array_index (self->rows, i));
}

/* The notices live in the group's list beside the rows: they go with them. */
void
_hearth_models_page_remove_notices (HearthModelsPage *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *notice = hearth_model_row_get_notice (g_ptr_array_index (self->rows, i));

      if (notice != NULL && gtk_widget_get_parent (notice) != NULL)
        gtk_list_box_remove (GTK_LIST_BOX (gtk_widget_get_parent (notice)), notice);
    }
}

static void
on_tuning_changed (HearthTuning     *tuning_,
                   HearthModelsPage *self)
{
  _hearth_models_page_update_tuning (self);
}

static void
on_regression (HearthTuning           *tuning_,
               HearthTuningRegression *regression,
               HearthModelsPage       *self)
{
  _hearth_models_page_update_tuning (self);
}

static void
on_preloaded (HearthTuning     *tuning_,
              const char       *model,
              const char       *reason,
              HearthModelsPage *self)
{
  _hearth_models_page_refresh_loaded (self);
}

void
_hearth_models_page_watch_tuning (HearthModelsPage *self)
{
  HearthTuning *t = tuning (self);

  g_signal_connect_object (t, "changed", G_CALLBACK (on_tuning_changed), self, 0);
  g_signal_connect_object (t, "regression", G_CALLBACK (on_regression), self, 0);
  g_signal_connect_object (t, "preloaded", G_CALLBACK (on_preloaded), self, 0);
}

/* Actions */

/* The options dialog and the tuner's are made alike: for one model of this server. */
typedef GtkWidget *(*ModelDialogNew) (HearthEngine   *engine,
                                      HearthProvider *provider,
                                      const char     *model,
                                      const char     *digest);

static void
present_for_model (HearthModelsPage *self,
                   GVariant         *parameter,
                   ModelDialogNew    dialog_new)
{
  const char *name = g_variant_get_string (parameter, NULL);
  GtkWidget *dialog = dialog_new (self->engine, self->provider, name, digest_of (self, name));
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_IS_WINDOW (root) ? GTK_WINDOW (root)
                                                                          : NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
models_options (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  HearthModelsPage *self = HEARTH_MODELS_PAGE (widget);

  if (self->provider != NULL && self->engine != NULL)
    present_for_model (self, parameter, hearth_model_options_dialog_new);
}

static void
models_tune (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  HearthModelsPage *self = HEARTH_MODELS_PAGE (widget);

  if (self->engine != NULL && is_ollama (self))
    present_for_model (self, parameter, hearth_tuner_dialog_new);
}

static void
models_rollback (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  HearthModelsPage *self = HEARTH_MODELS_PAGE (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (self->engine == NULL)
    return;
  if (!hearth_tuning_rollback (tuning (self), name, digest_of (self, name), &error))
    {
      _hearth_models_page_toast_error (self, error);
      return;
    }
  /* Translators: %s is a model's name */
  text = g_strdup_printf (_("%s runs with its options from before the tuning again"), name);
  toast_text (self, text);
}

static void
preloaded_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(HearthModelsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!hearth_tuning_preload_finish (HEARTH_TUNING (object), result, &error))
    {
      if (!hearth_error_is_cancelled (error))
        _hearth_models_page_toast_error (self, error);
      return;
    }
  _hearth_models_page_refresh_loaded (self);
}

static void
models_preload (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  HearthModelsPage *self = HEARTH_MODELS_PAGE (widget);
  const char *name = g_variant_get_string (parameter, NULL);

  if (self->engine == NULL || !is_ollama (self))
    return;
  /* Translators: why a model is in memory, shown under it in the Models view */
  hearth_tuning_preload_async (tuning (self), self->provider, name, 0, _("preloaded by you"),
                               self->preload_cancellable, preloaded_cb, g_object_ref (self));
}

void
_hearth_models_page_class_init_tuning (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "models.options", "s", models_options);
  gtk_widget_class_install_action (widget_class, "models.tune", "s", models_tune);
  gtk_widget_class_install_action (widget_class, "models.rollback", "s", models_rollback);
  gtk_widget_class_install_action (widget_class, "models.preload", "s", models_preload);
}
