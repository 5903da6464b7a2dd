/* hearth-model-row.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hearth-provider.h"
#include "hearth-tuning.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_MODEL_ROW (hearth_model_row_get_type ())

G_DECLARE_FINAL_TYPE (HearthModelRow, hearth_model_row, HEARTH, MODEL_ROW, AdwActionRow)

GtkWidget   *hearth_model_row_new                (const HearthModelInfo    *info,
                                                  HearthProviderFeatures    features);
const char  *hearth_model_row_get_name           (HearthModelRow           *self);
gboolean     hearth_model_row_get_loaded         (HearthModelRow           *self);
void         hearth_model_row_set_loaded         (HearthModelRow           *self,
                                                  const HearthLoadedModel  *loaded);
void         hearth_model_row_set_context_length (HearthModelRow           *self,
                                                  gint64                    context_length);
const char  *hearth_model_row_get_digest         (HearthModelRow           *self);
void         hearth_model_row_set_server_allows  (HearthModelRow           *self,
                                                  const char               *why_not_tune,
                                                  const char               *why_not_preload);
void         hearth_model_row_set_load_reason    (HearthModelRow           *self,
                                                  const char               *reason);
const char  *hearth_model_row_get_load_reason    (HearthModelRow           *self);
void         hearth_model_row_set_tuning         (HearthModelRow           *self,
                                                  const HearthModelOptions *options);
gboolean     hearth_model_row_get_tuned          (HearthModelRow           *self);
void         hearth_model_row_set_regression     (HearthModelRow           *self,
                                                  const HearthTuningRegression *regression);
GtkWidget   *hearth_model_row_get_notice         (HearthModelRow           *self);

G_END_DECLS
