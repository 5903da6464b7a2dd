/* hearth-alert-channels.h — the channels that live in core: the journal and
 * webhooks. (Notifications and the tray icon are the app's, in src/ui.)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "hearth-alert-rule.h"

G_BEGIN_DECLS

/* Writes the event to the log as one structured record: MESSAGE, PRIORITY
 * (firing: 3 critical, 4 warning; other states 5; a test 6),
 * HEARTH_ALERT_RULE, _RULE_ID, _METRIC, _STATE, _SEVERITY, _VALUE (when
 * one was seen), _THRESHOLD, _SUBJECT (when there is one), _TEST=1 for a
 * test; it reaches the journal under systemd. */
void      hearth_alert_log_event             (const HearthAlertEvent *event);

/* POSTs hearth_alert_event_to_json (@event) to event->webhook_url as
 * application/json with a User-Agent "Hearth/VERSION": 10 s timeout per
 * try, up to 3 tries (1 s, then 4 s apart) on a connection error, a
 * timeout or a 5xx/429 answer; a 4xx other than 429 is not retried. Never
 * blocks the caller; the error says what the last try got, e.g.
 * "The webhook at http://…/hook answered 500 Internal Server Error three
 * times". */
void      hearth_alert_webhook_send_async    (SoupSession            *session,
                                              const HearthAlertEvent *event,
                                              GCancellable           *cancellable,
                                              GAsyncReadyCallback     callback,
                                              gpointer                user_data);
gboolean  hearth_alert_webhook_send_finish   (GAsyncResult           *result,
                                              GError                **error);
/* A webhook URL a rule can keep: http or https with a host. */
gboolean  hearth_alert_webhook_check_url     (const char             *url,
                                              GError                **error);
/* The URL as messages, logs and lists may show it: without user, password,
 * query or fragment ("https://host/hook?…"). */
char     *hearth_alert_webhook_display_url   (const char             *url);

G_END_DECLS
