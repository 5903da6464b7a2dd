/* hearth-hardware-page.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hearth-engine.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_HARDWARE_PAGE (hearth_hardware_page_get_type ())

G_DECLARE_FINAL_TYPE (HearthHardwarePage, hearth_hardware_page, HEARTH, HARDWARE_PAGE, GtkWidget)

void      hearth_hardware_page_set_engine  (HearthHardwarePage  *self,
                                            HearthEngine        *engine);
void      hearth_hardware_page_refresh     (HearthHardwarePage  *self);
gboolean  hearth_hardware_page_is_probed   (HearthHardwarePage  *self);
gboolean  hearth_hardware_page_export      (HearthHardwarePage  *self,
                                            GFile               *file,
                                            GError             **error);
void      hearth_hardware_page_install     (HearthHardwarePage  *self,
                                            const char          *tag);

G_END_DECLS
