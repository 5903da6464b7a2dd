/* hearth-alerts-page.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hearth-alert-rule-editor.h"
#include "hearth-engine.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_ALERTS_PAGE (hearth_alerts_page_get_type ())

G_DECLARE_FINAL_TYPE (HearthAlertsPage, hearth_alerts_page, HEARTH, ALERTS_PAGE, GtkWidget)

void                   hearth_alerts_page_set_engine         (HearthAlertsPage *self,
                                                              HearthEngine     *engine);
/* For tests: the rule editor the page has open, the toast of the newest
 * removal that can still be undone, whether the history it last asked for
 * has arrived. */
HearthAlertRuleEditor *hearth_alerts_page_get_editor         (HearthAlertsPage *self);
AdwToast              *hearth_alerts_page_get_undo_toast     (HearthAlertsPage *self);
gboolean               hearth_alerts_page_is_history_loaded  (HearthAlertsPage *self);

G_END_DECLS
