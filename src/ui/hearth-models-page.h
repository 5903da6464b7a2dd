/* hearth-models-page.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hearth-engine.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_MODELS_PAGE (hearth_models_page_get_type ())

G_DECLARE_FINAL_TYPE (HearthModelsPage, hearth_models_page, HEARTH, MODELS_PAGE, GtkWidget)

void      hearth_models_page_set_engine  (HearthModelsPage  *self,
                                          HearthEngine      *engine);
void      hearth_models_page_refresh     (HearthModelsPage  *self);
gboolean  hearth_models_page_is_loaded   (HearthModelsPage  *self);
gboolean  hearth_models_page_is_polling  (HearthModelsPage  *self);

G_END_DECLS
