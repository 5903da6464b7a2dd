/* hearth-provider.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "hearth-chat-request.h"
#include "hearth-model.h"
#include "hearth-reply.h"
#include "hearth-stream-parser.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_PROVIDER (hearth_provider_get_type ())

G_DECLARE_DERIVABLE_TYPE (HearthProvider, hearth_provider, HEARTH, PROVIDER, GObject)

/* What a server can do besides chat and listing its models. */
typedef enum
{
  HEARTH_PROVIDER_CAN_SHOW        = 1 << 0,
  HEARTH_PROVIDER_CAN_PULL        = 1 << 1,
  HEARTH_PROVIDER_CAN_DELETE      = 1 << 2,
  HEARTH_PROVIDER_CAN_LIST_LOADED = 1 << 3,
  HEARTH_PROVIDER_CAN_UNLOAD      = 1 << 4,
  HEARTH_PROVIDER_CAN_VERSION     = 1 << 5,
  HEARTH_PROVIDER_CAN_LOAD        = 1 << 6,
} HearthProviderFeatures;

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
  char              *(*canonical_model_name) (HearthProvider          *self,
                                              const char              *name);

  /* Each returns through a GTask: a HearthModelDetails, a GPtrArray of
   * HearthLoadedModel, a version string, or a boolean. A class that leaves
   * one NULL answers HEARTH_ERROR_NOT_SUPPORTED. */
  void               (*show_async)           (HearthProvider          *self,
                                              GTask                   *task,
                                              const char              *model);
  void               (*pull_async)           (HearthProvider          *self,
                                              GTask                   *task,
                                              const char              *model,
                                              HearthPullProgress       progress,
                                              gpointer                 progress_data);
  void               (*delete_async)         (HearthProvider          *self,
                                              GTask                   *task,
                                              const char              *model);
  void               (*list_loaded_async)    (HearthProvider          *self,
                                              GTask                   *task);
  void               (*unload_async)         (HearthProvider          *self,
                                              GTask                   *task,
                                              const char              *model);
  void               (*version_async)        (HearthProvider          *self,
                                              GTask                   *task);
  /* Loads @model ahead of a request (hearth_provider_load_async ()). */
  void               (*load_async)           (HearthProvider          *self,
                                              GTask                   *task,
                                              const char              *model,
                                              const HearthRunOptions  *options,
                                              double                   keep_alive_s);

  const char          *server_kind;          /* "Ollama", "OpenAI-compatible server" */

  /* Puts @api_key (NULL: none is known) and whatever else the API wants on
   * every request into @headers. The default sends "Authorization: Bearer
   * KEY" when there is a key; Anthropic's sends x-api-key and
   * anthropic-version. The key goes in a header, never in the URL. */
  void               (*add_headers)          (HearthProvider          *self,
                                              SoupMessageHeaders      *headers,
                                              const char              *api_key);
};

HearthProvider  *hearth_provider_new                (HearthApiKind         api,
                                                     const char           *endpoint,
                                                     SoupSession          *session);
HearthApiKind    hearth_provider_get_api            (HearthProvider       *self);
const char      *hearth_provider_get_server_kind    (HearthProvider       *self);
HearthProviderFeatures
                 hearth_provider_get_features       (HearthProvider       *self);
char            *hearth_provider_canonical_model_name (HearthProvider     *self,
                                                       const char         *name);
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
/* Called instead of failing @reply when the request fails before its first
 * token (not when it was cancelled): the callee either sends @reply on
 * elsewhere (hearth_provider_chat_full () on another provider) or fails it
 * (hearth_reply_fail ()). @error is the provider's error, as it would have
 * failed the reply. */
typedef void (*HearthChatStartFailed) (HearthReply  *reply,
                                       const GError *error,
                                       gpointer      user_data);
void             hearth_provider_chat_full          (HearthProvider       *self,
                                                     const HearthChatRequest *request,
                                                     HearthReply          *reply,
                                                     HearthChatStartFailed on_start_failed,
                                                     gpointer              user_data);
/* How a benchmark or the tuner (@owner) sends its requests: through
 * @func (the engine's queue, at background priority) instead of straight
 * to the provider. @func sends @request (borrowed until @reply finishes). */
typedef void (*HearthChatSendFunc) (HearthProvider          *provider,
                                    const HearthChatRequest *request,
                                    HearthReply             *reply,
                                    gpointer                 user_data);
void             hearth_chat_sender_set             (GObject              *owner,
                                                     HearthChatSendFunc    func,
                                                     gpointer              user_data,
                                                     GDestroyNotify        destroy);
/* @to sends as @from does. */
void             hearth_chat_sender_copy            (GObject              *from,
                                                     GObject              *to);
/* Sends as @owner was told, or hearth_provider_chat () when it was not. */
void             hearth_chat_sender_send            (GObject              *owner,
                                                     HearthProvider       *provider,
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

void             hearth_provider_show_async         (HearthProvider       *self,
                                                     const char           *model,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
HearthModelDetails *
                 hearth_provider_show_finish        (HearthProvider       *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
void             hearth_provider_pull_async         (HearthProvider       *self,
                                                     const char           *model,
                                                     HearthPullProgress    progress,
                                                     gpointer              progress_data,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean         hearth_provider_pull_finish        (HearthProvider       *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
void             hearth_provider_delete_async       (HearthProvider       *self,
                                                     const char           *model,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean         hearth_provider_delete_finish      (HearthProvider       *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
void             hearth_provider_list_loaded_async  (HearthProvider       *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
GPtrArray       *hearth_provider_list_loaded_finish (HearthProvider       *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
void             hearth_provider_unload_async       (HearthProvider       *self,
                                                     const char           *model,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean         hearth_provider_unload_finish      (HearthProvider       *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
void             hearth_provider_version_async      (HearthProvider       *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
char            *hearth_provider_version_finish     (HearthProvider       *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
/* Loads @model into memory now, with the load options of @options
 * (context, GPU layers, threads, batch; nullable), and keeps it there
 * @keep_alive_s seconds (negative: until the server stops; NAN: the
 * server's own default). An OpenAI-compatible server loads models itself:
 * HEARTH_ERROR_NOT_SUPPORTED, saying so. (hearth-provider-load.c) */
void             hearth_provider_load_async         (HearthProvider       *self,
                                                     const char           *model,
                                                     const HearthRunOptions *options,
                                                     double                keep_alive_s,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean         hearth_provider_load_finish        (HearthProvider       *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

G_END_DECLS
