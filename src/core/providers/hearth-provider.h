/* hearth-provider.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "hearth-chat-request.h"
#include "hearth-reply.h"
#include "hearth-stream-parser.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_PROVIDER (hearth_provider_get_type ())

G_DECLARE_DERIVABLE_TYPE (HearthProvider, hearth_provider, HEARTH, PROVIDER, GObject)

struct _HearthProviderClass
{
  GObjectClass parent_class;

  HearthStreamFormat   chat_format;

  SoupMessage       *(*build_chat_message)   (HearthProvider          *self,
                                              const HearthChatRequest *request);
  const char        *(*get_models_path)      (HearthProvider          *self);
  GPtrArray         *(*parse_models)         (HearthProvider          *self,
                                              JsonNode                *root,
                                              GError                 **error);
};

HearthProvider  *hearth_provider_new                (HearthApiKind         api,
                                                     const char           *endpoint,
                                                     SoupSession          *session);
HearthApiKind    hearth_provider_get_api            (HearthProvider       *self);
const char      *hearth_provider_get_endpoint       (HearthProvider       *self);
SoupSession     *hearth_provider_get_session        (HearthProvider       *self);
void             hearth_provider_set_api_key        (HearthProvider       *self,
                                                     const char           *api_key);
void             hearth_provider_load_api_key_async (HearthProvider       *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
void             hearth_provider_load_api_key_finish (HearthProvider      *self,
                                                      GAsyncResult        *result);
char            *hearth_provider_build_url          (HearthProvider       *self,
                                                     const char           *path);
SoupMessage     *hearth_provider_new_message        (HearthProvider       *self,
                                                     const char           *method,
                                                     const char           *path,
                                                     JsonNode             *body);
void             hearth_provider_chat               (HearthProvider       *self,
                                                     const HearthChatRequest *request,
                                                     HearthReply          *reply);
void             hearth_provider_list_models_async  (HearthProvider       *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
GPtrArray       *hearth_provider_list_models_finish (HearthProvider       *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
void             hearth_provider_request_json_async (HearthProvider       *self,
                                                     const char           *method,
                                                     const char           *path,
                                                     JsonNode             *body,
                                                     const char           *model,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
JsonNode        *hearth_provider_request_json_finish (HearthProvider      *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

G_END_DECLS
