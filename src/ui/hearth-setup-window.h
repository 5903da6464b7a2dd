/* hearth-setup-window.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hearth-engine.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_SETUP_WINDOW (hearth_setup_window_get_type ())

G_DECLARE_FINAL_TYPE (HearthSetupWindow, hearth_setup_window, HEARTH, SETUP_WINDOW, AdwWindow)

GtkWidget   *hearth_setup_window_new             (GtkWindow          *parent,
                                                  HearthEngine       *engine);
void         hearth_setup_window_set_candidates  (HearthSetupWindow  *self,
                                                  const char * const *urls);
void         hearth_setup_window_choose_model    (HearthSetupWindow  *self,
                                                  const char         *name);
const char  *hearth_setup_window_get_page        (HearthSetupWindow  *self);

G_END_DECLS
