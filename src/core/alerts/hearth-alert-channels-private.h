/* hearth-alert-channels-private.h — knobs for tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The time one webhook try may take; 0 restores the default (10 s). Tests
 * use it so that a silent server does not make them wait. */
void  hearth_alert_webhook_set_timeout_for_testing (guint timeout_ms);
/* Divides the waits between tries (1 s, 4 s) by @divisor; 0 or 1 restores
 * them. A Retry-After the service asks for is kept. */
void  hearth_alert_webhook_set_retry_divisor_for_testing (guint divisor);

G_END_DECLS
