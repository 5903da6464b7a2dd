/* hearth-server-dialog.h — adding a server (from a preset) or editing one
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hearth-engine.h"
#include "hearth-server.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_SERVER_DIALOG (hearth_server_dialog_get_type ())

G_DECLARE_FINAL_TYPE (HearthServerDialog, hearth_server_dialog, HEARTH, SERVER_DIALOG, AdwWindow)

/* @server: the one to edit, or NULL to add one */
GtkWidget *hearth_server_dialog_new (GtkWindow    *parent,
                                     HearthEngine *engine,
                                     HearthServer *server);

G_END_DECLS
