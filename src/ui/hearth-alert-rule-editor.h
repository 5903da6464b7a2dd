/* hearth-alert-rule-editor.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hearth-alerts.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_ALERT_RULE_EDITOR (hearth_alert_rule_editor_get_type ())

G_DECLARE_FINAL_TYPE (HearthAlertRuleEditor, hearth_alert_rule_editor, HEARTH, ALERT_RULE_EDITOR,
                      AdwWindow)

/* @rule: (nullable): the rule to change, or NULL for a new one */
HearthAlertRuleEditor *hearth_alert_rule_editor_new  (GtkWindow             *parent,
                                                      HearthAlerts          *alerts,
                                                      const HearthAlertRule *rule);
/* What Save does: checks, stores and closes; FALSE (the input kept, the
 * problem shown beside it) when the rule cannot be stored. */
gboolean               hearth_alert_rule_editor_save (HearthAlertRuleEditor *self);

G_END_DECLS
