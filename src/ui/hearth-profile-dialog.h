/* hearth-profile-dialog.h — a profile of the user's own: a name, the built-in
 * one it is based on, and the options it changes
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hearth-engine.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_PROFILE_DIALOG (hearth_profile_dialog_get_type ())

G_DECLARE_FINAL_TYPE (HearthProfileDialog, hearth_profile_dialog, HEARTH, PROFILE_DIALOG,
                      AdwWindow)

GtkWidget *hearth_profile_dialog_new      (GtkWindow     *parent,
                                           HearthEngine  *engine);
/* "Long documents" → "long-documents": the name hearth-cli knows it by */
char      *hearth_profile_dialog_name_for (const char    *title);

G_END_DECLS
