/* hearth-gguf-chooser.h — "Open a GGUF File" for llama.cpp's server
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* @path: the file chosen, or NULL when cancelled */
typedef void (*HearthGgufChosen) (gpointer    owner,
                                  const char *path);

/* Shows the file chooser (GtkFileChooserNative: GtkFileDialog is GTK 4.10)
 * over @parent, filtered to .gguf files; @chosen is called once, unless
 * @owner is gone by then. Transfer full: keep it until @chosen is called
 * (gtk_native_dialog_destroy () it if @owner goes first). */
GtkNativeDialog *hearth_gguf_chooser_show (GtkWindow        *parent,
                                           GObject          *owner,
                                           HearthGgufChosen  chosen);

G_END_DECLS
