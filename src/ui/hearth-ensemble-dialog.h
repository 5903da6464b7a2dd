/* hearth-ensemble-dialog.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hearth-engine.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_ENSEMBLE_DIALOG (hearth_ensemble_dialog_get_type ())

G_DECLARE_FINAL_TYPE (HearthEnsembleDialog, hearth_ensemble_dialog, HEARTH, ENSEMBLE_DIALOG,
                      AdwWindow)

GtkWidget *hearth_ensemble_dialog_new (GtkWindow            *parent,
                                       HearthEngine         *engine,
                                       const HearthEnsemble *ensemble);

G_END_DECLS
