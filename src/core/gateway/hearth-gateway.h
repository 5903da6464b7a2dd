/* hearth-gateway.h — the local API gateway: Ollama's and OpenAI's APIs,
 * served to other programs, through the engine (cache, routing, fallback,
 * queue, metrics, alerts)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One object, owned by the engine (hearth_engine_get_gateway ()), that
 * `hearth-cli serve` and the app's setting ("Serve the API to other
 * programs on this machine") both start. It is a SoupServer on the main
 * loop: every request becomes one engine call, never a page's or a
 * command's own code.
 *
 * Endpoints: Ollama's /api/chat, /api/generate, /api/tags, /api/show,
 * /api/ps, /api/version, /api/pull, /api/delete (and HEAD / and GET /,
 * "Ollama is running", which clients probe); OpenAI's /v1/chat/completions
 * (streamed or not, stream_options.include_usage) and /v1/models. A stream
 * is forwarded as it arrives, in the client's protocol, whatever protocol
 * the server that answers speaks.
 *
 * Models: a client names a model as its server lists it ("llama3.2:3b");
 * the first enabled server (in the list's order, among those the gateway
 * serves) that has it answers. "MODEL@SERVER" asks one server by name;
 * "auto" lets the routing rules pick. /api/tags and /v1/models list every
 * served server's models, each name once (the first server's); a model
 * several servers have also once per server as "MODEL@SERVER"; then
 * "auto".
 *
 * Each response carries X-Hearth-Server (the server that answered),
 * X-Hearth-Cache ("hit" or "miss") and, after a fallback,
 * X-Hearth-Fallback-From; a stream's headers are sent with its first
 * token, once the answering server is known.
 *
 * Errors are in the client's protocol: Ollama's {"error": "…"}, OpenAI's
 * {"error": {"message", "type", "code"}}; a full queue is 429 with
 * Retry-After (seconds); an unknown model 404; a server that is down 502;
 * a missing or wrong token 401.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The address `hearth-cli serve` and the app listen on unless told. */
#define HEARTH_GATEWAY_DEFAULT_LISTEN "127.0.0.1:11435"

#define HEARTH_TYPE_GATEWAY (hearth_gateway_get_type ())

G_DECLARE_FINAL_TYPE (HearthGateway, hearth_gateway, HEARTH, GATEWAY, GObject)

/* Signals:
 * "changed" (no arguments): it started or stopped, or a request began or
 *   ended (the stats changed). Properties "running", "url", "error".
 * "request-finished" (const HearthGatewayRequestInfo *info): one line of
 *   `hearth-cli serve`'s log, after each request. */
typedef struct
{
  const char *method;       /* "POST" */
  const char *path;         /* "/api/chat" */
  guint       status;       /* the HTTP status answered (0: the client went away) */
  const char *client;       /* its User-Agent, or "unknown client" */
  const char *model;        /* nullable */
  const char *server;       /* the server that answered, nullable */
  gboolean    cached;
  double      duration_ms;
} HearthGatewayRequestInfo;


/* What it has served since it started (the app's Preferences row and
 * `hearth-cli serve`'s status line show it). */
typedef struct
{
  guint64 requests;         /* every request answered, errors included */
  guint64 chats;            /* chat and generate requests */
  guint64 cache_hits;       /* of those, answered from the cache */
  guint64 rejected;         /* 429s: a queue over its bound */
  guint64 errors;           /* other 4xx/5xx answers */
  guint   active;           /* requests in flight now */
} HearthGatewayStats;

/* Parses "HOST:PORT", "[V6]:PORT", ":PORT" or "PORT" (host: 127.0.0.1);
 * port 0 picks a free one. A clear sentence on error. */
gboolean         hearth_gateway_parse_listen      (const char          *listen,
                                                   char               **host,
                                                   guint               *port,
                                                   GError             **error);
/* TRUE for 127.0.0.0/8, ::1 and "localhost". */
gboolean         hearth_gateway_host_is_loopback  (const char          *host);

/* Serve only these servers of the user's list (NULL or empty: every
 * enabled one). Unknown names fail with the sentence naming the servers
 * there are. Takes effect for the next request. */
gboolean         hearth_gateway_set_servers       (HearthGateway       *self,
                                                   const char * const  *servers,
                                                   GError             **error);

/* Listens on @listen (NULL: HEARTH_GATEWAY_DEFAULT_LISTEN). On a loopback
 * address @token may be NULL (none asked); on any other address a token
 * is required (else HEARTH_ERROR_INVALID_ARGUMENT saying why), and every
 * request must carry `Authorization: Bearer TOKEN`. A port already in use
 * fails with a sentence that names it and what to do. Restarting with
 * other arguments stops the old listener first. */
gboolean         hearth_gateway_start             (HearthGateway       *self,
                                                   const char          *listen,
                                                   const char          *token,
                                                   GError             **error);
/* Stops listening; requests in flight are cancelled (and so upstream). */
void             hearth_gateway_stop              (HearthGateway       *self);
gboolean         hearth_gateway_get_running       (HearthGateway       *self);
/* Why the last start failed (a port in use, a token missing), or NULL
 * while running or after a stop. */
const GError    *hearth_gateway_get_error         (HearthGateway       *self);
/* "http://127.0.0.1:11435" while running (the port it got), else NULL. */
const char      *hearth_gateway_get_url           (HearthGateway       *self);
guint            hearth_gateway_get_port          (HearthGateway       *self);
/* Whether it listens on loopback only (meaningful while running). */
gboolean         hearth_gateway_get_loopback      (HearthGateway       *self);
void             hearth_gateway_get_stats         (HearthGateway       *self,
                                                   HearthGatewayStats  *stats);

/* The token for a non-loopback address, kept in the Secret Service
 * ("Hearth API gateway token"): the existing one, or a new random one
 * (32 bytes, base64url) stored first. Never logged. */
void             hearth_gateway_ensure_token_async  (HearthGateway       *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
char            *hearth_gateway_ensure_token_finish (HearthGateway       *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
/* Forgets the token (a new one is made next time). */
void             hearth_gateway_reset_token_async   (HearthGateway       *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean         hearth_gateway_reset_token_finish  (HearthGateway       *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

G_END_DECLS
