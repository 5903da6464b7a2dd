/* hearth-model-options-dialog.h — a model's run options on this computer
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hearth-engine.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_MODEL_OPTIONS_DIALOG (hearth_model_options_dialog_get_type ())

G_DECLARE_FINAL_TYPE (HearthModelOptionsDialog, hearth_model_options_dialog, HEARTH,
                      MODEL_OPTIONS_DIALOG, AdwWindow)

/* @digest: (nullable): the model's digest when the server gives one */
GtkWidget *hearth_model_options_dialog_new (HearthEngine   *engine,
                                            HearthProvider *provider,
                                            const char     *model,
                                            const char     *digest);

G_END_DECLS
