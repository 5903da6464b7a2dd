/* hearth-gateway-impl.h — the gateway's own state, shared by
 * hearth-gateway.c, hearth-gateway-call.c, hearth-gateway-find.c and
 * hearth-gateway-models.c (the chat files use hearth-gateway-private.h)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-gateway-private.h"

G_BEGIN_DECLS

/* libsoup 3.2 names no 429. */
#define HEARTH_GATEWAY_TOO_MANY_REQUESTS 429

/* Bigger request bodies are refused (413). */
#define HEARTH_GATEWAY_MAX_BODY_BYTES (32 * 1024 * 1024)

struct _HearthGateway
{
  GObject             parent_instance;

  HearthEngine       *engine;       /* not a reference: the engine owns us */
  SoupServer         *server;
  char               *token;        /* nullable; never logged */
  char               *url;
  guint               port;
  gboolean            loopback;
  GError             *error;
  char              **servers;      /* nullable: every enabled server */
  HearthGatewayStats  stats;
  GHashTable         *calls;        /* HearthGatewayCall * set: in flight */
  GHashTable         *messages;     /* SoupServerMessage set (references): begun, not logged */
  HearthServers      *held_servers; /* while serving: their health is kept current */
};

/* What the log line and the figures need of each request, kept on its
 * message from the moment it starts. */
typedef struct
{
  gint64    start_us;
  char     *model;
  char     *server;
  gboolean  cached;
  gboolean  gone;          /* the client went away (or the gateway stopped) */
  gboolean  disconnected;  /* libsoup let go of its connection: write nothing */
  gboolean  logged;        /* counted and logged ("request-finished") */
} RequestInfo;

/* The message's RequestInfo, made when first asked for. */
RequestInfo *_hearth_gateway_request_info     (SoupServerMessage     *msg);
/* A whole error answer written before any call exists (401, 404, 405, 413). */
void         _hearth_gateway_respond_plain_error (SoupServerMessage  *msg,
                                                  HearthGatewayProtocol protocol,
                                                  guint               status,
                                                  const char         *type,
                                                  const char         *code,
                                                  const char         *message);
/* A whole answer that is not JSON (GET / says "Ollama is running"; a
 * delete answers nothing): @text NULL is an empty body. Ends the call. */
void         _hearth_gateway_respond_text     (HearthGatewayCall     *call,
                                               guint                  status,
                                               const char            *content_type,
                                               const char            *text);
/* Whether @header ("Bearer TOKEN") carries @expected, compared in
 * constant time. (hearth-gateway-listen.c) */
gboolean     _hearth_gateway_token_matches    (const char            *expected,
                                               const char            *header);
/* Whether the gateway serves @server: one named with set_servers (), or
 * any enabled one when none was named. */
gboolean     _hearth_gateway_serves           (HearthGateway         *self,
                                               HearthServer          *server);

G_END_DECLS
