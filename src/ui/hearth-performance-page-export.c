/* hearth-performance-page-export.c — Export as CSV or JSON, and its file chooser
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-performance-page"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-export-file.h"
#include "hearth-performance-page-private.h"

/* Export */

static void
export_read (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GFile *file = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  char *text = hearth_engine_export_metrics_finish (HEARTH_ENGINE (object), result, &error);

  if (text == NULL)
    hearth_export_file_fail (task, file, _("The metrics"), error);
  else
    hearth_export_file_write (task, file, text, _("The metrics"));
}

void
hearth_performance_page_export_async (HearthPerformancePage *self,
                                      GFile                 *file,
                                      HearthMetricsFormat    format,
                                      GCancellable          *cancellable,
                                      GAsyncReadyCallback    callback,
                                      gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HEARTH_IS_PERFORMANCE_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_performance_page_export_async);
  if (self->engine == NULL || !hearth_engine_has_history (self->engine))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("There is no history to export: the history database could not be opened"));
      return;
    }
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  hearth_engine_export_metrics_async (self->engine,
                                      g_get_real_time () / 1000
                                      - _hearth_performance_page_range_span_ms (self->range),
                                      NULL, format, cancellable, export_read,
                                      g_object_ref (task));
}

gboolean
hearth_performance_page_export_finish (HearthPerformancePage  *self,
                                       GAsyncResult           *result,
                                       GError                **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_int (G_TASK (result), error) >= 0;
}

static void
export_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  HearthPerformancePage *self = HEARTH_PERFORMANCE_PAGE (object);
  g_autoptr(GError) error = NULL;
  AdwToast *toast;

  if (hearth_performance_page_export_finish (self, result, &error))
    toast = adw_toast_new (_("Metrics exported"));
  else
    {
      toast = adw_toast_new (error->message);
      adw_toast_set_timeout (toast, 0);
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
chooser_response (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  HearthPerformancePage *self = user_data;
  HearthMetricsFormat format = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "format"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      hearth_performance_page_export_async (self, file, format, NULL, export_done, NULL);
    }
  g_clear_object (&self->chooser);
}

void
_hearth_performance_page_export_action (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *parameter)
{
  HearthPerformancePage *self = HEARTH_PERFORMANCE_PAGE (widget);
  const char *kind = g_variant_get_string (parameter, NULL);
  gboolean json = g_str_equal (kind, "json");
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *name = g_strdup_printf ("hearth-metrics-%s.%s", stamp, json ? "json" : "csv");
  GtkRoot *root = gtk_widget_get_root (widget);

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (json ? _("Export Metrics as JSON")
                                                    : _("Export Metrics as CSV"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_object_set_data (G_OBJECT (self->chooser), "format",
                     GINT_TO_POINTER (json ? HEARTH_METRICS_FORMAT_JSON : HEARTH_METRICS_FORMAT_CSV));
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}
