/* hearth-tuner-dialog.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hearth-engine.h"

G_BEGIN_DECLS

typedef enum
{
  HEARTH_TUNER_DIALOG_READY,      /* the plan, the budget, Start */
  HEARTH_TUNER_DIALOG_RUNNING,
  HEARTH_TUNER_DIALOG_FINISHED,   /* a result to apply or keep (also when stopped early) */
  HEARTH_TUNER_DIALOG_FAILED,     /* the run could not be done: the dialog says why */
  HEARTH_TUNER_DIALOG_SETTLED,    /* applied or kept; the run is stored either way */
} HearthTunerDialogState;

#define HEARTH_TYPE_TUNER_DIALOG (hearth_tuner_dialog_get_type ())

G_DECLARE_FINAL_TYPE (HearthTunerDialog, hearth_tuner_dialog, HEARTH, TUNER_DIALOG, AdwWindow)

GtkWidget              *hearth_tuner_dialog_new        (HearthEngine      *engine,
                                                        HearthProvider    *provider,
                                                        const char        *model,
                                                        const char        *digest);
HearthTunerDialogState  hearth_tuner_dialog_get_state  (HearthTunerDialog *self);
/* The run's result once finished, else NULL (borrowed). */
const HearthTuneResult *hearth_tuner_dialog_get_result (HearthTunerDialog *self);

G_END_DECLS
