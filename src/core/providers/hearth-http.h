/* hearth-http.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "hearth-reply.h"

G_BEGIN_DECLS

/* Builds a fresh message for each attempt. */
typedef SoupMessage *(*HearthHttpBuildFunc) (gpointer user_data);

void           hearth_http_send_async       (SoupSession          *session,
                                             HearthHttpBuildFunc   build,
                                             gpointer              build_data,
                                             GDestroyNotify        build_data_destroy,
                                             const char           *endpoint,
                                             const char           *model,
                                             HearthReply          *reply,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GInputStream  *hearth_http_send_finish      (GAsyncResult         *result,
                                             SoupMessage         **message,
                                             GError              **error);
void           hearth_http_get_json_async   (SoupSession          *session,
                                             HearthHttpBuildFunc   build,
                                             gpointer              build_data,
                                             GDestroyNotify        build_data_destroy,
                                             const char           *endpoint,
                                             const char           *model,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
JsonNode      *hearth_http_get_json_finish  (GAsyncResult         *result,
                                             GError              **error);
SoupMessage   *hearth_http_new_json_message (const char           *method,
                                             const char           *url,
                                             JsonNode             *body);
JsonNode      *hearth_http_parse_json       (GBytes               *body,
                                             const char           *endpoint,
                                             GError              **error);
guint          hearth_http_parse_retry_after (const char          *value);
void           hearth_http_set_single_attempt (GCancellable       *cancellable);
GSource       *hearth_http_wait_source_new  (guint                 delay_ms,
                                             GCancellable         *cancellable,
                                             GSourceFunc           callback,
                                             gpointer              user_data);

G_END_DECLS
