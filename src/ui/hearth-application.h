/* hearth-application.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define HEARTH_TYPE_APPLICATION (hearth_application_get_type ())

G_DECLARE_FINAL_TYPE (HearthApplication, hearth_application, HEARTH, APPLICATION, AdwApplication)

#include "hearth-engine.h"
#include "hearth-resource-history.h"
#include "hearth-sampler.h"

HearthApplication *hearth_application_new              (void);
HearthEngine      *hearth_application_get_engine       (HearthApplication *self);
void               hearth_application_start_services   (HearthApplication *self);
const GError      *hearth_application_get_store_error  (HearthApplication *self);
const char        *hearth_application_get_cache_warning (HearthApplication *self);
HearthSampler     *hearth_application_get_sampler      (HearthApplication *self);
HearthResourceHistory *
                   hearth_application_get_resource_history (HearthApplication *self);
const char        *hearth_application_get_automatic_notice (HearthApplication *self);
char              *hearth_application_describe_automatic (HearthTuning      *tuning,
                                                          const GPtrArray   *unloaded,
                                                          gboolean           can_unload_models);

G_END_DECLS
