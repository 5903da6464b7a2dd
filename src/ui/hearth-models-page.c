/* hearth-models-page.c — the models on the configured server: in memory, pull, unload, delete
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-models-page"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-error.h"
#include "hearth-model-row.h"
#include "hearth-models-page-private.h"
#include "hearth-pull-progress.h"
#include "hearth-server-labels.h"

#define POLL_SECONDS 5

G_DEFINE_FINAL_TYPE (HearthModelsPage, hearth_models_page, GTK_TYPE_WIDGET)

static void list_models    (HearthModelsPage *self);

void
_hearth_models_page_toast_error (HearthModelsPage *self,
                                 const GError     *error)
{
  g_autofree char *text = hearth_error_describe (error);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static gboolean
has (HearthModelsPage       *self,
     HearthProviderFeatures  feature)
{
  return (self->features & feature) != 0;
}

/* A spinner that spins unseen still costs a frame clock: only while loading and mapped. */
static void
update_spinner (HearthModelsPage *self)
{
  gboolean loading = g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "loading") == 0;

  gtk_spinner_set_spinning (self->spinner, loading && gtk_widget_get_mapped (GTK_WIDGET (self)));
}

static void
set_state (HearthModelsPage *self,
           const char       *state)
{
  gtk_stack_set_visible_child_name (self->stack, state);
  update_spinner (self);
}

static void
show_error (HearthModelsPage *self,
            const GError     *error)
{
  g_autofree char *text = hearth_error_describe (error);

  adw_status_page_set_title (self->error_status, hearth_error_is_unreachable (error)
                                                 ? _("Cannot Reach the Server")
                                                 : _("Cannot List Models"));
  adw_status_page_set_description (self->error_status, text);
  set_state (self, "unreachable");
}

HearthModelRow *
_hearth_models_page_find_row (HearthModelsPage *self,
                              const char       *name)
{
  g_autofree char *wanted = hearth_model_name_with_tag (name);

  for (guint i = 0; i < self->rows->len; i++)
    {
      HearthModelRow *row = g_ptr_array_index (self->rows, i);
      g_autofree char *candidate = hearth_model_name_with_tag (hearth_model_row_get_name (row));

      if (g_strcmp0 (candidate, wanted) == 0)
        return row;
    }
  return NULL;
}

static void
update_empty (HearthModelsPage *self)
{
  gboolean any = FALSE;

  for (guint i = 0; i < self->rows->len && !any; i++)
    any = gtk_widget_get_visible (g_ptr_array_index (self->rows, i));
  gtk_widget_set_visible (GTK_WIDGET (self->installed_group), any);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_status), !any);
  _hearth_models_page_update_tuning (self);
}

/* What the server can do decides what the page offers; nothing is offered to fail. */
static void
update_features (HearthModelsPage *self)
{
  gboolean manages = has (self, HEARTH_PROVIDER_CAN_PULL | HEARTH_PROVIDER_CAN_DELETE |
                                HEARTH_PROVIDER_CAN_UNLOAD);
  g_autofree char *notice = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->pull_group), has (self, HEARTH_PROVIDER_CAN_PULL));
  gtk_widget_set_visible (GTK_WIDGET (self->notice_label), !manages);
  if (!manages)
    {
      /* Translators: %s is the kind of server, e.g. "OpenAI-compatible" */
      notice = g_strdup_printf (_("This %s server cannot download, delete or unload models."),
                                hearth_provider_get_server_kind (self->provider));
      gtk_label_set_label (self->notice_label, notice);
    }
  adw_status_page_set_description (self->empty_status,
                                   has (self, HEARTH_PROVIDER_CAN_PULL)
                                   ? _("Download one above by its name, for example llama3.2:3b")
                                   : _("This server offers no models"));
}

static void
clear_rows (HearthModelsPage *self)
{
  _hearth_models_page_remove_notices (self);
  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->installed_group, g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);
}

/* Loaded models */

static void
loaded_listed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(HearthModelsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) loaded = hearth_provider_list_loaded_finish (HEARTH_PROVIDER (object),
                                                                    result, &error);

  if (hearth_error_is_cancelled (error))
    return;
  g_clear_object (&self->loaded_cancellable);
  if (loaded == NULL)
    {
      g_debug ("Could not list the loaded models: %s", error->message);
      return;
    }
  for (guint i = 0; i < self->rows->len; i++)
    hearth_model_row_set_loaded (g_ptr_array_index (self->rows, i), NULL);
  for (guint i = 0; i < loaded->len; i++)
    {
      const HearthLoadedModel *model = g_ptr_array_index (loaded, i);
      HearthModelRow *row = _hearth_models_page_find_row (self, model->name);

      if (row != NULL)
        hearth_model_row_set_loaded (row, model);
    }
  _hearth_models_page_update_tuning (self);
}

void
_hearth_models_page_refresh_loaded (HearthModelsPage *self)
{
  if (!self->listed || !has (self, HEARTH_PROVIDER_CAN_LIST_LOADED) ||
      self->loaded_cancellable != NULL)
    return;
  self->loaded_cancellable = g_cancellable_new ();
  hearth_provider_list_loaded_async (self->provider, self->loaded_cancellable,
                                     loaded_listed_cb, g_object_ref (self));
}

static gboolean
poll_cb (gpointer user_data)
{
  _hearth_models_page_refresh_loaded (user_data);
  return G_SOURCE_CONTINUE;
}

/* Only a page someone looks at asks the server what is in memory. */
static void
update_polling (HearthModelsPage *self)
{
  gboolean wanted = gtk_widget_get_mapped (GTK_WIDGET (self)) && self->listed &&
                    has (self, HEARTH_PROVIDER_CAN_LIST_LOADED);

  if (wanted && self->poll_id == 0)
    {
      self->poll_id = g_timeout_add_seconds (POLL_SECONDS, poll_cb, self);
      _hearth_models_page_refresh_loaded (self);
    }
  else if (!wanted)
    {
      g_clear_handle_id (&self->poll_id, g_source_remove);
      g_cancellable_cancel (self->loaded_cancellable);
      g_clear_object (&self->loaded_cancellable);
    }
}

/* Details, fetched row by row after the list so the context length shows without a click */

static void show_next (HearthModelsPage *self);

static void
shown_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(HearthModelsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  HearthModelDetails *details = hearth_provider_show_finish (HEARTH_PROVIDER (object), result,
                                                             &error);
  HearthModelRow *row;

  if (hearth_error_is_cancelled (error))
    return;
  row = self->show_index < self->rows->len ? g_ptr_array_index (self->rows, self->show_index)
                                           : NULL;
  self->show_index++;
  if (details != NULL && row != NULL)
    {
      hearth_model_row_set_context_length (row, details->context_length);
      g_hash_table_replace (self->details, g_strdup (hearth_model_row_get_name (row)), details);
    }
  else if (details != NULL)
    hearth_model_details_free (details);
  else
    g_debug ("No details for a model: %s", error->message);
  show_next (self);
}

static void
show_next (HearthModelsPage *self)
{
  HearthModelRow *row;

  if (!has (self, HEARTH_PROVIDER_CAN_SHOW) || self->show_index >= self->rows->len)
    return;
  row = g_ptr_array_index (self->rows, self->show_index);
  hearth_provider_show_async (self->provider, hearth_model_row_get_name (row), self->cancellable,
                              shown_cb, g_object_ref (self));
}

/* The list */

static void
add_rows (HearthModelsPage *self,
          GPtrArray        *models)
{
  HearthServer *server = _hearth_models_page_get_server (self);

  for (guint i = 0; i < models->len; i++)
    {
      const HearthModelInfo *info = g_ptr_array_index (models, i);
      GtkWidget *row = hearth_model_row_new (info, self->features);
      const HearthModelDetails *details = g_hash_table_lookup (self->details, info->name);

      /* never to be taken for a real model */
      if (hearth_model_is_demo (server, info->name))
        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(HEARTH_DEMO_LABEL));

      if (details != NULL)
        hearth_model_row_set_context_length (HEARTH_MODEL_ROW (row), details->context_length);
      for (guint j = 0; j < self->pending->len; j++)
        {
          PendingDelete *pending = g_ptr_array_index (self->pending, j);

          if (g_strcmp0 (pending->name, info->name) == 0)
            gtk_widget_set_visible (row, FALSE);
        }
      adw_preferences_group_add (self->installed_group, row);
      g_ptr_array_add (self->rows, row);
    }
}

static void
models_listed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(HearthModelsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = hearth_provider_list_models_finish (HEARTH_PROVIDER (object),
                                                                    result, &error);

  if (hearth_error_is_cancelled (error))
    return;
  if (models == NULL)
    {
      show_error (self, error);
      return;
    }
  clear_rows (self);
  add_rows (self, models);
  _hearth_models_page_update_tuning (self);
  self->listed = TRUE;
  self->show_index = 0;
  update_features (self);
  update_empty (self);
  set_state (self, "models");
  show_next (self);
  update_polling (self);
  _hearth_models_page_refresh_loaded (self);
}

static void
list_models (HearthModelsPage *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_cancellable_cancel (self->loaded_cancellable);
  g_clear_object (&self->loaded_cancellable);
  hearth_provider_list_models_async (self->provider, self->cancellable, models_listed_cb,
                                     g_object_ref (self));
}

/* The server the settings name, asked afresh: after a change of server, or Retry. */
static void
reconnect (HearthModelsPage *self)
{
  g_autoptr(GError) error = NULL;
  HearthProvider *provider;

  self->stale = FALSE;
  self->listed = FALSE;
  update_polling (self);
  g_hash_table_remove_all (self->details);
  clear_rows (self);
  set_state (self, "loading");
  provider = _hearth_models_page_get_provider (self, &error);
  if (provider != self->provider && self->pull_cancellable != NULL)
    g_cancellable_cancel (self->pull_cancellable);
  g_set_object (&self->provider, provider);
  if (provider == NULL)
    {
      g_cancellable_cancel (self->cancellable);
      show_error (self, error);
      return;
    }
  self->features = hearth_provider_get_features (provider);
  list_models (self);
}

static void
on_server_setting_changed (GSettings        *settings,
                           const char       *key,
                           HearthModelsPage *self)
{
  if (self->engine != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    reconnect (self);
  else
    self->stale = TRUE;
}

/* Pull */

static void
on_pull_progress (const char *status,
                  gint64      completed,
                  gint64      total,
                  gpointer    user_data)
{
  HearthModelsPage *self = user_data;

  hearth_pull_progress_show (self->progress_bar, self->progress_label, self->pull_started_us,
                             &self->pull_first_bytes, status, completed, total);
}

static void
set_pulling (HearthModelsPage *self,
             gboolean          pulling)
{
  gtk_editable_set_editable (GTK_EDITABLE (self->pull_entry), !pulling);
  gtk_widget_set_visible (self->cancel_button, pulling);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "models.cancel-pull", pulling);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "models.pull",
                                 !pulling && gtk_entry_get_text_length (self->pull_entry) > 0);
}

static void
pulled_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(HearthModelsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->pull_cancellable);
  if (!hearth_provider_pull_finish (HEARTH_PROVIDER (object), result, &error))
    {
      g_autofree char *text = hearth_error_describe (error);

      gtk_widget_set_visible (self->progress_box, FALSE);
      gtk_label_set_label (self->pull_error_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->pull_error_label),
                              !hearth_error_is_cancelled (error));
    }
  else
    {
      gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
      gtk_label_set_label (self->progress_label, _("100 % · ready to use"));
      gtk_editable_set_text (GTK_EDITABLE (self->pull_entry), "");
      if (HEARTH_PROVIDER (object) == self->provider)
        list_models (self);
    }
  set_pulling (self, FALSE);
}

static void
models_pull (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  HearthModelsPage *self = HEARTH_MODELS_PAGE (widget);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->pull_entry));
  g_autofree char *name = g_strstrip (g_strdup (text));

  if (*name == '\0' || self->provider == NULL || self->pull_cancellable != NULL)
    return;
  self->pull_cancellable = g_cancellable_new ();
  self->pull_started_us = g_get_monotonic_time ();
  self->pull_first_bytes = -1;
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_label (self->progress_label, _("Starting…"));
  gtk_widget_set_visible (self->progress_box, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->pull_error_label), FALSE);
  set_pulling (self, TRUE);
  hearth_provider_pull_async (self->provider, name, on_pull_progress, self,
                              self->pull_cancellable, pulled_cb, g_object_ref (self));
}

static void
models_cancel_pull (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  HearthModelsPage *self = HEARTH_MODELS_PAGE (widget);

  g_cancellable_cancel (self->pull_cancellable);
}

static void
on_pull_entry_activate (GtkEntry         *entry,
                        HearthModelsPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "models.pull", NULL);
}

static void
on_pull_entry_changed (GtkEntry         *entry,
                       HearthModelsPage *self)
{
  set_pulling (self, self->pull_cancellable != NULL);
}

/* Unload */

static void
unloaded_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(HearthModelsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!hearth_provider_unload_finish (HEARTH_PROVIDER (object), result, &error))
    {
      if (!hearth_error_is_cancelled (error))
        _hearth_models_page_toast_error (self, error);
      return;
    }
  g_cancellable_cancel (self->loaded_cancellable);
  g_clear_object (&self->loaded_cancellable);
  _hearth_models_page_refresh_loaded (self);
}

static void
models_unload (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  HearthModelsPage *self = HEARTH_MODELS_PAGE (widget);

  if (self->provider == NULL || !has (self, HEARTH_PROVIDER_CAN_UNLOAD))
    return;
  hearth_provider_unload_async (self->provider, g_variant_get_string (parameter, NULL),
                                self->cancellable, unloaded_cb, g_object_ref (self));
}

/* Delete, with an honest Undo: nothing reaches the server until the toast goes */

static void
pending_delete_free (PendingDelete *pending)
{
  g_signal_handlers_disconnect_by_data (pending->toast, pending);
  g_clear_object (&pending->provider);
  g_clear_object (&pending->toast);
  g_free (pending->name);
  g_free (pending);
}

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(HearthModelsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!hearth_provider_delete_finish (HEARTH_PROVIDER (object), result, &error))
    {
      if (!hearth_error_is_cancelled (error))
        _hearth_models_page_toast_error (self, error);
    }
  if (HEARTH_PROVIDER (object) == self->provider && gtk_widget_get_mapped (GTK_WIDGET (self)))
    list_models (self);
  else
    self->stale = TRUE;
}

/* The page went with a delete still pending: the user asked for it and did not undo it. */
static void
deleted_after_dispose_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = user_data;

  if (!hearth_provider_delete_finish (HEARTH_PROVIDER (object), result, &error))
    g_warning ("Could not delete %s: %s", name, error->message);
  if (g_application_get_default () != NULL)
    g_application_release (g_application_get_default ());
}

static void
on_delete_toast_dismissed (AdwToast      *toast,
                           PendingDelete *pending)
{
  HearthModelsPage *self = pending->self;
  HearthModelRow *row = _hearth_models_page_find_row (self, pending->name);

  /* Looked up again: the list may have been rebuilt while the toast was up. */
  if (pending->undone && row != NULL)
    gtk_widget_set_visible (GTK_WIDGET (row), TRUE);
  else if (!pending->undone)
    hearth_provider_delete_async (pending->provider, pending->name, NULL, deleted_cb,
                                  g_object_ref (self));
  update_empty (self);
  g_ptr_array_remove (self->pending, pending);
}

static void
on_delete_toast_undo (AdwToast      *toast,
                      PendingDelete *pending)
{
  pending->undone = TRUE;
}

static void
delete_later (HearthModelsPage *self,
              const char       *name)
{
  HearthModelRow *row = _hearth_models_page_find_row (self, name);
  PendingDelete *pending;
  g_autofree char *title = NULL;

  if (row == NULL)
    return;
  pending = g_new0 (PendingDelete, 1);
  pending->self = self;
  pending->provider = g_object_ref (self->provider);
  pending->name = g_strdup (name);
  /* Translators: %s is a model's name */
  title = g_strdup_printf (_("%s will be deleted"), name);
  pending->toast = adw_toast_new (title);
  adw_toast_set_button_label (pending->toast, _("_Undo"));
  adw_toast_set_priority (pending->toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect (pending->toast, "button-clicked", G_CALLBACK (on_delete_toast_undo), pending);
  g_signal_connect (pending->toast, "dismissed", G_CALLBACK (on_delete_toast_dismissed), pending);
  g_ptr_array_add (self->pending, pending);
  gtk_widget_set_visible (GTK_WIDGET (row), FALSE);
  update_empty (self);
  adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (pending->toast));
}

static void
on_delete_response (AdwMessageDialog *dialog,
                    const char       *response,
                    HearthModelsPage *self)
{
  const char *name = g_object_get_data (G_OBJECT (dialog), "model");

  if (g_strcmp0 (response, "delete") == 0)
    delete_later (self, name);
}

static void
models_delete (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  HearthModelsPage *self = HEARTH_MODELS_PAGE (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  GtkWidget *dialog;

  if (self->provider == NULL || !has (self, HEARTH_PROVIDER_CAN_DELETE))
    return;
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), NULL, NULL);
  adw_message_dialog_format_heading (ADW_MESSAGE_DIALOG (dialog), _("Delete %s?"), name);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog),
                               _("Its files are removed from the server. Using it again means "
                                 "downloading it again."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "model", g_strdup (name), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Details */

static char *
format_parameters (const HearthModelDetails *details)
{
  g_autofree char *count = NULL;

  if (details->parameter_count >= 1000000000)
    count = g_strdup_printf (_("%.1f billion"), details->parameter_count / 1e9);
  else if (details->parameter_count >= 1000000)
    count = g_strdup_printf (_("%.1f million"), details->parameter_count / 1e6);
  else if (details->parameter_count > 0)
    count = g_strdup_printf ("%" G_GINT64_FORMAT, details->parameter_count);
  if (details->parameter_size != NULL && count != NULL)
    return g_strdup_printf ("%s (%s)", details->parameter_size, count);
  return g_strdup (details->parameter_size ? details->parameter_size : count);
}

static char *
format_context (const HearthModelDetails *details)
{
  if (details->context_length <= 0)
    return NULL;
  return g_strdup_printf (g_dngettext (NULL, "%d token", "%d tokens",
                                       details->context_length),
                          (int) MIN (details->context_length, G_MAXINT));
}

static void
add_detail (GtkListBox *list,
            const char *title,
            const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value && *value ? value : _("Unknown"));
  gtk_list_box_append (list, row);
}

static GtkWidget *
details_list (const HearthModelDetails *details)
{
  GtkListBox *list = GTK_LIST_BOX (gtk_list_box_new ());
  g_autofree char *parameters = format_parameters (details);
  g_autofree char *context = format_context (details);
  g_autofree char *capabilities = details->capabilities
                                  ? g_strjoinv (", ", details->capabilities) : NULL;

  gtk_list_box_set_selection_mode (list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (list), "boxed-list");
  add_detail (list, _("Family"), details->family);
  add_detail (list, _("Parameters"), parameters);
  add_detail (list, _("Quantization"), details->quantization);
  add_detail (list, _("Format"), details->format);
  add_detail (list, _("Context Length"), context);
  add_detail (list, _("Capabilities"), capabilities);
  add_detail (list, _("License"), details->license && *details->license
                                  ? _("Included with the model") : _("None given"));
  return GTK_WIDGET (list);
}

static void
present_details (HearthModelsPage         *self,
                 const char               *name,
                 const HearthModelDetails *details)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                              name, NULL);

  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), details_list (details));
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
details_shown_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(HearthModelsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  HearthModelDetails *details = hearth_provider_show_finish (HEARTH_PROVIDER (object), result,
                                                             &error);

  if (details == NULL)
    {
      if (!hearth_error_is_cancelled (error))
        _hearth_models_page_toast_error (self, error);
      return;
    }
  g_hash_table_replace (self->details, g_strdup (details->name), details);
  present_details (self, details->name, details);
}

static void
models_details (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  HearthModelsPage *self = HEARTH_MODELS_PAGE (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  const HearthModelDetails *details = g_hash_table_lookup (self->details, name);

  if (self->provider == NULL || !has (self, HEARTH_PROVIDER_CAN_SHOW))
    return;
  if (details != NULL)
    present_details (self, name, details);
  else
    hearth_provider_show_async (self->provider, name, self->cancellable, details_shown_cb,
                                g_object_ref (self));
}

static void
models_refresh (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  hearth_models_page_refresh (HEARTH_MODELS_PAGE (widget));
}

/* Lifetime */

static void
hearth_models_page_map (GtkWidget *widget)
{
  HearthModelsPage *self = HEARTH_MODELS_PAGE (widget);

  GTK_WIDGET_CLASS (hearth_models_page_parent_class)->map (widget);
  if (self->stale && self->engine != NULL)
    reconnect (self);
  update_polling (self);
  update_spinner (self);
}

static void
hearth_models_page_unmap (GtkWidget *widget)
{
  HearthModelsPage *self = HEARTH_MODELS_PAGE (widget);

  GTK_WIDGET_CLASS (hearth_models_page_parent_class)->unmap (widget);
  update_polling (self);
  update_spinner (self);
}

/* Deletes still pending when the page goes (the window closed before the toast did) are
 * carried out, not dropped: the user confirmed them and did not undo. The application is
 * held until the server has answered, so quitting does not cut them off. */
static void
settle_pending_deletes (HearthModelsPage *self)
{
  for (guint i = 0; i < self->pending->len; i++)
    {
      PendingDelete *pending = g_ptr_array_index (self->pending, i);

      if (pending->undone)
        continue;
      if (g_application_get_default () != NULL)
        g_application_hold (g_application_get_default ());
      hearth_provider_delete_async (pending->provider, pending->name, NULL,
                                    deleted_after_dispose_cb, g_strdup (pending->name));
    }
  g_ptr_array_set_size (self->pending, 0);
}

static void
hearth_models_page_dispose (GObject *object)
{
  HearthModelsPage *self = HEARTH_MODELS_PAGE (object);

  g_clear_handle_id (&self->poll_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->loaded_cancellable);
  g_cancellable_cancel (self->pull_cancellable);
  g_cancellable_cancel (self->preload_cancellable);
  if (self->pending != NULL)
    settle_pending_deletes (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), HEARTH_TYPE_MODELS_PAGE);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->loaded_cancellable);
  g_clear_object (&self->pull_cancellable);
  g_clear_object (&self->preload_cancellable);
  g_clear_object (&self->provider);
  g_clear_pointer (&self->server_name, g_free);
  g_clear_object (&self->engine);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->details, g_hash_table_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->pending, g_ptr_array_unref);

  G_OBJECT_CLASS (hearth_models_page_parent_class)->dispose (object);
}

static void
hearth_models_page_class_init (HearthModelsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hearth_models_page_dispose;

  widget_class->map = hearth_models_page_map;
  widget_class->unmap = hearth_models_page_unmap;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hearthapp/Hearth/hearth-models-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HearthModelsPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HearthModelsPage, server_bar);
  gtk_widget_class_bind_template_child (widget_class, HearthModelsPage, server_dropdown);
  gtk_widget_class_bind_template_child (widget_class, HearthModelsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, HearthModelsPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, HearthModelsPage, error_status);
  gtk_widget_class_bind_template_child (widget_class, HearthModelsPage, pull_group);
  gtk_widget_class_bind_template_child (widget_class, HearthModelsPage, pull_entry);
  gtk_widget_class_bind_template_child (widget_class, HearthModelsPage, progress_box);
  gtk_widget_class_bind_template_child (widget_class, HearthModelsPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, HearthModelsPage, progress_label);
  gtk_widget_class_bind_template_child (widget_class, HearthModelsPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, HearthModelsPage, pull_error_label);
  gtk_widget_class_bind_template_child (widget_class, HearthModelsPage, notice_label);
  gtk_widget_class_bind_template_child (widget_class, HearthModelsPage, installed_group);
  gtk_widget_class_bind_template_child (widget_class, HearthModelsPage, empty_status);

  gtk_widget_class_bind_template_callback (widget_class, on_pull_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_pull_entry_changed);

  gtk_widget_class_install_action (widget_class, "models.refresh", NULL, models_refresh);
  gtk_widget_class_install_action (widget_class, "models.pull", NULL, models_pull);
  gtk_widget_class_install_action (widget_class, "models.cancel-pull", NULL, models_cancel_pull);
  gtk_widget_class_install_action (widget_class, "models.unload", "s", models_unload);
  gtk_widget_class_install_action (widget_class, "models.delete", "s", models_delete);
  gtk_widget_class_install_action (widget_class, "models.details", "s", models_details);
  _hearth_models_page_class_init_tuning (widget_class);

  g_type_ensure (HEARTH_TYPE_MODEL_ROW);
}

static void
hearth_models_page_init (HearthModelsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->details = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) hearth_model_details_free);
  self->rows = g_ptr_array_new ();
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_delete_free);
  self->preload_cancellable = g_cancellable_new ();
  self->stale = TRUE;

  g_signal_connect_object (self->settings, "changed::endpoint",
                           G_CALLBACK (on_server_setting_changed), self, 0);
  g_signal_connect_object (self->settings, "changed::api-kind",
                           G_CALLBACK (on_server_setting_changed), self, 0);
  set_pulling (self, FALSE);
  set_state (self, "loading");
}

/* The list is asked for on the first visit, not at start-up. */
void
hearth_models_page_set_engine (HearthModelsPage *self,
                               HearthEngine     *engine)
{
  g_return_if_fail (HEARTH_IS_MODELS_PAGE (self));
  g_return_if_fail (HEARTH_IS_ENGINE (engine));

  if (!g_set_object (&self->engine, engine))
    return;
  _hearth_models_page_watch_tuning (self);
  _hearth_models_page_watch_servers (self);
  self->stale = TRUE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    reconnect (self);
}

void
hearth_models_page_refresh (HearthModelsPage *self)
{
  g_return_if_fail (HEARTH_IS_MODELS_PAGE (self));

  if (self->engine != NULL)
    reconnect (self);
}

gboolean
hearth_models_page_is_loaded (HearthModelsPage *self)
{
  g_return_val_if_fail (HEARTH_IS_MODELS_PAGE (self), FALSE);
  return self->listed || g_strcmp0 (gtk_stack_get_visible_child_name (self->stack),
                                    "unreachable") == 0;
}

gboolean
hearth_models_page_is_polling (HearthModelsPage *self)
{
  g_return_val_if_fail (HEARTH_IS_MODELS_PAGE (self), FALSE);
  return self->poll_id != 0;
}
