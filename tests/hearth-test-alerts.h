/* hearth-test-alerts.h — what the alert tests share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-alerts.h"

G_BEGIN_DECLS

#define T0        G_GINT64_CONSTANT (1700000000000)   /* a fixed wall clock */
#define SECOND    G_GINT64_CONSTANT (1000)
#define MINUTE    (60 * SECOND)

/* What "transition" and "changed" told */
typedef struct
{
  GPtrArray *events;    /* HearthAlertEvent copies */
  guint      n_changed;
  GMainLoop *loop;
  HearthAlertState wait_state;
} Recorder;

Recorder         *recorder_new            (HearthAlerts         *alerts);
void              recorder_free           (Recorder             *recorder);
HearthAlertEvent *last_event              (Recorder             *recorder);
/* Runs the main loop until a transition into @state, or @seconds pass. */
gboolean          wait_for_state          (Recorder             *recorder,
                                           HearthAlertState      state,
                                           guint                 seconds);
/* A fresh history with the defaults removed, so only the test's rules judge. */
HearthAlerts     *alerts_without_defaults (const char           *name,
                                           HearthStore         **store_out);
/* A rule with no cooldown, told by notification only. */
gint64            add_rule                (HearthAlerts         *alerts,
                                           HearthAlertMetric     metric,
                                           HearthAlertCondition  condition,
                                           double                threshold,
                                           gint64                for_ms,
                                           HearthAlertSeverity   severity);
void              set_rule_field          (HearthAlerts         *alerts,
                                           gint64                rule_id,
                                           gint64                cooldown_ms,
                                           gint64                escalate_after_ms);
/* The alert history since @since_ms, read in its worker. */
GPtrArray        *read_history            (HearthAlerts         *alerts,
                                           gint64                since_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Recorder, recorder_free)

G_END_DECLS
