/* hearth-error.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HEARTH_ERROR (hearth_error_quark ())

/* error->message says what happened; hearth_error_get_action() what to do. */
typedef enum
{
  HEARTH_ERROR_FAILED,
  HEARTH_ERROR_INVALID_ARGUMENT,    /* a bad endpoint URL, option or request */
  HEARTH_ERROR_CONNECTION_REFUSED,
  HEARTH_ERROR_HOST_NOT_FOUND,
  HEARTH_ERROR_TIMEOUT,
  HEARTH_ERROR_TLS,
  HEARTH_ERROR_UNAUTHORIZED,        /* 401 / 403 */
  HEARTH_ERROR_MODEL_NOT_FOUND,
  HEARTH_ERROR_RATE_LIMITED,        /* 429 */
  HEARTH_ERROR_SERVER_BUSY,         /* 503 */
  HEARTH_ERROR_SERVER_ERROR,        /* other 4xx/5xx, or an error object inside the stream */
  HEARTH_ERROR_BROKEN_STREAM,       /* the connection ended before the reply did */
  HEARTH_ERROR_MALFORMED_STREAM,    /* a line that is not what the protocol says */
  HEARTH_ERROR_CANCELLED,
  HEARTH_ERROR_NO_MODEL,            /* the server has no model to answer with */
  HEARTH_ERROR_KEYRING_UNAVAILABLE, /* no Secret Service on the session bus */
  HEARTH_ERROR_KEYRING_LOCKED,      /* locked, and the unlock prompt was dismissed */
  HEARTH_ERROR_NOT_SUPPORTED,       /* the server's API has no such operation */
  HEARTH_ERROR_INVALID_KEY,         /* an API key no HTTP header can carry */
  HEARTH_ERROR_WEBHOOK,             /* an alert webhook was not delivered; the message
                                     * says what happened and what to do */
  HEARTH_ERROR_QUEUE_FULL,          /* a server's queue is over its bound: try again
                                     * later (hearth_engine_get_retry_after ()) */
  HEARTH_ERROR_ALREADY_RUNNING,     /* a server of that kind already answers on this
                                     * computer (hearth_servers_add_managed ()) */
} HearthErrorCode;

GQuark       hearth_error_quark          (void);
const char  *hearth_error_get_action     (const GError *error);
const char  *hearth_error_get_class      (const GError *error);
char        *hearth_error_describe       (const GError *error);
/* Sets @error to HEARTH_ERROR_INVALID_ARGUMENT with the sentence; returns FALSE. */
gboolean     hearth_error_set_invalid    (GError      **error,
                                          const char   *format,
                                          ...) G_GNUC_PRINTF (2, 3);
int          hearth_error_exit_code      (const GError *error);
gboolean     hearth_error_is_retryable   (const GError *error);
gboolean     hearth_error_is_unreachable (const GError *error);
gboolean     hearth_error_is_client_error (const GError *error);
gboolean     hearth_error_is_cancelled   (const GError *error);
gboolean     hearth_error_is_not_supported (const GError *error);
GError      *hearth_error_from_http      (guint         status,
                                          const char   *body,
                                          const char   *endpoint,
                                          const char   *model);
GError      *hearth_error_from_io        (const GError *io_error,
                                          const char   *endpoint);
GError      *hearth_error_from_server_message (const char *message,
                                               const char *model);

G_END_DECLS
