/* hearth-gateway-chat.h — what the chat endpoints share: one request from
 * another program on its way through the engine (hearth-gateway-chat.c),
 * read and written in Ollama's shapes (hearth-gateway-ollama.c) or
 * OpenAI's (hearth-gateway-openai.c)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-chat-request.h"
#include "hearth-gateway-private.h"
#include "hearth-reply.h"

G_BEGIN_DECLS

typedef struct _HearthGatewayChat HearthGatewayChat;

/* How one protocol writes a reply. */
typedef struct
{
  const char *content_type;     /* of a stream */
  /* A piece of the answer (either may be NULL), streamed. */
  void      (*write_delta) (HearthGatewayChat *chat,
                            const char        *content,
                            const char        *thinking);
  /* The end of a stream: the final line or chunks. */
  void      (*write_end)   (HearthGatewayChat *chat);
  /* A failure after text was streamed: the protocol's error line. */
  void      (*write_error) (HearthGatewayChat *chat,
                            const GError      *error);
  /* The whole answer, not streamed. */
  JsonNode *(*build_whole) (HearthGatewayChat *chat);
} HearthGatewayChatWriter;

struct _HearthGatewayChat
{
  HearthGatewayCall             *call;
  const HearthGatewayChatWriter *writer;
  HearthChatRequest             *request;        /* until it is sent */
  HearthReply                   *reply;
  char                          *asked_model;    /* as the client named it */
  char                          *id;             /* OpenAI's "chatcmpl-…" */
  gint64                         created;        /* unix seconds */
  gboolean                       stream;
  gboolean                       generate;       /* Ollama's /api/generate */
  gboolean                       include_usage;  /* OpenAI's stream_options */
  gboolean                       load_only;      /* /api/generate with no prompt */
  double                         keep_alive_s;   /* NAN: none asked */
  char                          *server;         /* the server it was sent to */
  gboolean                       started;        /* the stream's headers are out */
  GString                       *pending;        /* text before the headers went out */
  GString                       *pending_thinking;
  guint                          start_id;       /* the idle that sends them */
  gboolean                       sent_role;      /* OpenAI: the first chunk had it */
  gulong                         delta_id;
  gulong                         finished_id;
  gulong                         cancelled_id;
};

/* hearth-gateway-ollama.c: /api/chat and /api/generate */
extern const HearthGatewayChatWriter _hearth_gateway_ollama_writer;
gboolean     _hearth_gateway_ollama_parse   (HearthGatewayChat *chat,
                                             JsonObject        *body,
                                             GError           **error);
/* {"model","created_at","response":"","done":true,"done_reason":"load"} */
JsonNode    *_hearth_gateway_ollama_loaded  (HearthGatewayChat *chat,
                                             const char        *done_reason);

/* hearth-gateway-openai.c: /v1/chat/completions */
extern const HearthGatewayChatWriter _hearth_gateway_openai_writer;
gboolean     _hearth_gateway_openai_parse   (HearthGatewayChat *chat,
                                             JsonObject        *body,
                                             GError           **error);

/* hearth-gateway-chat.c: what both write */
/* The model the reply names: the one that answered, else the one asked. */
const char  *_hearth_gateway_chat_model     (HearthGatewayChat *chat);
/* "stop" or "length", in the words both protocols use (Anthropic's
 * "end_turn" and "max_tokens" translated). */
const char  *_hearth_gateway_chat_done_reason (HearthGatewayChat *chat);
/* The counts the server gave (or the cache kept), -1 when unknown. */
gint64       _hearth_gateway_chat_prompt_tokens (HearthGatewayChat *chat);
gint64       _hearth_gateway_chat_output_tokens (HearthGatewayChat *chat);
/* Writes @node as one line of JSON (with @prefix before it and @suffix after). */
void         _hearth_gateway_chat_write_json  (HearthGatewayChat *chat,
                                               const char        *prefix,
                                               JsonNode          *node,
                                               const char        *suffix);
/* A 400 sentence; returns FALSE. */
gboolean     _hearth_gateway_chat_bad_request (GError           **error,
                                               const char        *format,
                                               ...) G_GNUC_PRINTF (2, 3);
/* Reads a number member into the request's options (Ollama's "options"
 * and OpenAI's top-level members alike): a 400 naming it when it is not
 * a number in range. */
gboolean     _hearth_gateway_chat_take_option (HearthChatRequest *request,
                                               const char        *name,
                                               JsonNode          *value,
                                               GError           **error);
/* A message's text: a string, or OpenAI's [{type:"text", text}] parts. */
gboolean     _hearth_gateway_chat_add_message (HearthChatRequest *request,
                                               JsonObject        *message,
                                               GError           **error);
/* Every message of @array, with at least one that is not the system's. */
gboolean     _hearth_gateway_chat_add_messages (HearthChatRequest *request,
                                                JsonArray         *array,
                                                GError           **error);

G_END_DECLS
