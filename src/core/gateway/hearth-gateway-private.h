/* hearth-gateway-private.h — what the gateway's files share: the server
 * and its plumbing (hearth-gateway.c), the listing and model endpoints
 * (hearth-gateway-models.c), and the chat endpoints in each protocol
 * (hearth-gateway-chat.c, hearth-gateway-ollama.c, hearth-gateway-openai.c)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "hearth-engine.h"
#include "hearth-gateway.h"

G_BEGIN_DECLS

typedef enum
{
  HEARTH_GATEWAY_OLLAMA,    /* /api/… */
  HEARTH_GATEWAY_OPENAI,    /* /v1/… */
} HearthGatewayProtocol;

/* One client request in flight: the message is paused while the engine
 * works, and unpaused as each piece of the answer is written. */
typedef struct
{
  HearthGateway          *gateway;      /* not a reference */
  SoupServerMessage      *msg;          /* a reference */
  HearthGatewayProtocol   protocol;
  char                   *path;
  char                   *client;       /* the User-Agent, or "unknown client" */
  GCancellable           *cancellable;  /* cancelled when the client goes away */
  gulong                  disconnect_id;
  gboolean                finished;     /* the response is complete */
} HearthGatewayCall;

/* hearth-gateway.c */
/* Owned by the engine (hearth_engine_get_gateway () makes it, keeps it
 * with g_object_set_data_full and stops it at hearth_engine_shutdown ()).
 * @engine is not referenced. */
HearthGateway     *_hearth_gateway_new            (HearthEngine           *engine);
HearthEngine      *_hearth_gateway_get_engine     (HearthGateway          *self);
/* The names given to hearth_gateway_set_servers (), or NULL for all. */
const char * const *_hearth_gateway_get_servers   (HearthGateway          *self);
/* The server that has @model among those served ("MODEL@SERVER" names
 * one), and the model's name there in @model_out; NULL with a 404
 * sentence when none has it. "auto" and "" give the default server. Asks
 * the servers' model lists (cached by HearthServers) asynchronously. */
void               _hearth_gateway_find_model_async  (HearthGateway       *self,
                                                      const char          *model,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
HearthServer      *_hearth_gateway_find_model_finish (HearthGateway       *self,
                                                      GAsyncResult        *result,
                                                      char               **model_out,
                                                      GError             **error);
/* Pauses msg; the call ends with one of the respond functions or, for a
 * stream, _hearth_gateway_call_finish (). */
HearthGatewayCall *_hearth_gateway_call_new       (HearthGateway          *self,
                                                   SoupServerMessage      *msg,
                                                   HearthGatewayProtocol   protocol,
                                                   const char             *path);
void               _hearth_gateway_call_free      (HearthGatewayCall      *call);
/* The request's body as JSON (an object), or a 400 sentence. */
JsonObject        *_hearth_gateway_call_read_json (HearthGatewayCall      *call,
                                                   GError                **error);
/* Whole responses: JSON with @status, or the error in the call's protocol
 * (status from the error: hearth_gateway_status_for_error ()). Both end
 * the call (unpause and free it). */
void               _hearth_gateway_respond_json   (HearthGatewayCall      *call,
                                                   guint                   status,
                                                   JsonNode               *body);
void               _hearth_gateway_respond_error  (HearthGatewayCall      *call,
                                                   const GError           *error);
/* A stream: sets the status, the content type (application/x-ndjson for
 * Ollama, text/event-stream for OpenAI) and the X-Hearth-* headers of
 * @reply (may be NULL), chunked; then append pieces as they come. */
void               _hearth_gateway_call_begin_stream (HearthGatewayCall   *call,
                                                      const char          *content_type,
                                                      HearthReply         *reply);
void               _hearth_gateway_call_write     (HearthGatewayCall      *call,
                                                   const char             *data,
                                                   gssize                  length);
void               _hearth_gateway_call_finish    (HearthGatewayCall      *call);
/* What the log line ("request-finished") says of the call: the model
 * asked for and the server that answers (either may be NULL: kept as it
 * was). _hearth_gateway_set_reply_headers () notes the reply's own. */
void               _hearth_gateway_call_note      (HearthGatewayCall      *call,
                                                   const char             *model,
                                                   const char             *server);
/* Sets X-Hearth-Server, X-Hearth-Cache, X-Hearth-Fallback-From from @reply
 * (and notes its model, server and whether it came from the cache). */
void               _hearth_gateway_set_reply_headers (HearthGatewayCall   *call,
                                                      HearthReply         *reply);
/* 400 bad request, 401, 404 model, 429 queue full, 501 not supported,
 * 502 server down or failing, 504 timeout, 499-as-nothing cancelled. */
guint              _hearth_gateway_status_for_error (const GError         *error);
/* Counts one finished request in the stats. The server's plumbing calls
 * it for every request as it ends (chat by its path, cached from the
 * reply whose headers were set): handlers never need to. */
void               _hearth_gateway_count          (HearthGateway          *self,
                                                   guint                   status,
                                                   gboolean                chat,
                                                   gboolean                cached);

/* hearth-gateway-models.c: /api/tags, /api/show, /api/ps, /api/version,
 * /api/pull, /api/delete, /v1/models (and /v1/models/ID) */
void               _hearth_gateway_handle_models  (HearthGatewayCall      *call);

/* hearth-gateway-chat.c: /api/chat, /api/generate, /v1/chat/completions —
 * parse the client's request into a HearthChatRequest (priority API,
 * client = the User-Agent), hearth_engine_chat (engine, NULL, request,
 * HEARTH_CONVERSATION_API), write the reply in the client's protocol. */
void               _hearth_gateway_handle_chat    (HearthGatewayCall      *call);

G_END_DECLS
