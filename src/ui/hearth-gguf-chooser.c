/* hearth-gguf-chooser.c — "Open a GGUF File" for llama.cpp's server
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-gguf-chooser"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-gguf-chooser.h"

static void
response_cb (GtkNativeDialog *chooser,
             int              response,
             GObject         *owner)
{
  HearthGgufChosen chosen = g_object_get_data (G_OBJECT (chooser), "hearth-chosen");
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  path = file != NULL ? g_file_get_path (file) : NULL;
  gtk_native_dialog_destroy (chooser);
  chosen (owner, path);
}

GtkNativeDialog *
hearth_gguf_chooser_show (GtkWindow        *parent,
                          GObject          *owner,
                          HearthGgufChosen  chosen)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  g_return_val_if_fail (G_IS_OBJECT (owner), NULL);
  g_return_val_if_fail (chosen != NULL, NULL);

  chooser = gtk_file_chooser_native_new (_("Open a GGUF File"), parent,
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("GGUF models"));
  gtk_file_filter_add_pattern (filter, "*.gguf");
  gtk_file_filter_add_pattern (filter, "*.GGUF");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_object_set_data (G_OBJECT (chooser), "hearth-chosen", chosen);
  g_signal_connect_object (chooser, "response", G_CALLBACK (response_cb), owner, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
  return GTK_NATIVE_DIALOG (chooser);
}
