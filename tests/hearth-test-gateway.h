/* hearth-test-gateway.h — the gateway in this process in front of test
 * engines, and a streaming client of its two protocols (libsoup)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "hearth-engine.h"

G_BEGIN_DECLS

/* An engine on the test's own settings and servers.conf, with no server
 * but those added, and its gateway once started. */
typedef struct
{
  GSettings     *settings;
  HearthEngine  *engine;
  HearthServers *servers;
  HearthGateway *gateway;
  const char    *url;       /* the gateway's, once started */
  guint          n_added;   /* servers added by the test */
} HearthTestGateway;

HearthTestGateway *hearth_test_gateway_new        (void);
/* An Ollama server of the list (the first added is the default); its
 * queue's limits when @concurrency / @bound are not 0. */
void               hearth_test_gateway_add_server (HearthTestGateway *gw,
                                                   const char        *name,
                                                   const char        *url,
                                                   guint              concurrency,
                                                   guint              bound);
/* Listens on 127.0.0.1, a free port. */
void               hearth_test_gateway_start      (HearthTestGateway *gw);
void               hearth_test_gateway_free       (HearthTestGateway *gw);
/* Runs the main loop until *@flag is TRUE. */
void               hearth_test_gateway_wait_for   (gboolean          *flag);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthTestGateway, hearth_test_gateway_free)

/* The same queue's state now: the waiting requests from other programs
 * (HearthQueueStatus.waiting_api) and those running, of server @name. */
guint              hearth_test_gateway_waiting_api (HearthTestGateway *gw,
                                                    const char        *name,
                                                    guint             *running);

/* `hearth-cli serve --listen 127.0.0.1:PORT @args…` as a user runs it (a
 * free port), once it answers GET / ("Ollama is running"); a serve that
 * exits or does not answer within 30 s fails the test with what it said. */
typedef struct _HearthTestServe HearthTestServe;

HearthTestServe   *hearth_test_serve_start        (const char * const *args);
const char        *hearth_test_serve_get_url      (HearthTestServe    *serve);
/* SIGTERM, then what it printed (stdout and stderr, in that order). */
char              *hearth_test_serve_stop         (HearthTestServe    *serve);
void               hearth_test_serve_free         (HearthTestServe    *serve);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthTestServe, hearth_test_serve_free)

/* The prompts of the requests a test engine logged (tests/engine/server.mjs
 * --log), in the order they reached it; @n_closed (may be NULL): how many
 * connections a client closed mid-answer. */
GPtrArray         *hearth_test_engine_log_prompts (const char         *log,
                                                   guint              *n_closed);

typedef enum
{
  HEARTH_TEST_PROTOCOL_OLLAMA,   /* POST /api/chat, NDJSON */
  HEARTH_TEST_PROTOCOL_OPENAI,   /* POST /v1/chat/completions, SSE */
} HearthTestProtocol;

/* One streamed chat as a client saw it. */
typedef struct
{
  HearthTestProtocol protocol;
  char      *prompt;
  guint      status;         /* 0 until the response's headers */
  char      *retry_after;    /* the header, if any */
  char      *server;         /* X-Hearth-Server, if any */
  GString   *text;           /* the answer's text, as streamed */
  GString   *body;           /* a response other than 200: its body */
  guint      chunks;         /* pieces with text */
  gint64     eval_count;     /* tokens generated, as the last line says (Ollama's
                              * eval_count, OpenAI's usage); -1: not said */
  guint      lines;          /* every line of the stream */
  gboolean   done;           /* the protocol's last line came ({"done":true} / [DONE]) */
  guint      after_done;     /* lines after that (should be none) */
  char      *error;          /* a transport or parse error */
  gint64     sent_us;        /* g_get_monotonic_time () */
  gint64     first_us;       /* the first piece with text; 0: none */
  gint64     end_us;
  gboolean   finished;
  GCancellable *cancellable; /* hearth_test_stream_cancel () */
} HearthTestStream;

typedef void (*HearthTestStreamDone) (HearthTestStream *stream,
                                      gpointer          user_data);

/* Sends a streamed chat of @prompt to @base_url (a gateway or an engine)
 * and reads it to the end; @done (may be NULL) is called then. The
 * stream belongs to the caller (hearth_test_stream_free), who must not
 * free it before it finishes. */
HearthTestStream  *hearth_test_stream_start      (SoupSession          *session,
                                                  const char           *base_url,
                                                  HearthTestProtocol    protocol,
                                                  const char           *model,
                                                  const char           *prompt,
                                                  gint                  num_predict,
                                                  HearthTestStreamDone  done,
                                                  gpointer              user_data);
void               hearth_test_stream_free       (HearthTestStream     *stream);
/* Closes the connection, as a client that goes away does. */
void               hearth_test_stream_cancel     (HearthTestStream     *stream);
/* A session for many clients at once (no per-host connection limit). */
SoupSession       *hearth_test_stream_session    (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthTestStream, hearth_test_stream_free)

G_END_DECLS
