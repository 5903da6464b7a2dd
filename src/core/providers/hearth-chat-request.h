/* hearth-chat-request.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "hearth-run-options.h"
#include "hearth-store.h"

G_BEGIN_DECLS

/* Who is waiting for a request, in the order a server's queue serves
 * them (hearth-engine.h, "The queue"). */
typedef enum
{
  HEARTH_PRIORITY_CHAT = 0,     /* the user, in Hearth's own chat (the default) */
  HEARTH_PRIORITY_API,          /* another program, through the gateway */
  HEARTH_PRIORITY_BACKGROUND,   /* benchmarks, tuning, preloading */
} HearthPriority;

/* What one chat request says; numbers left unset are not sent. */
typedef struct
{
  char      *model;         /* NULL/"": the server's first; HEARTH_MODEL_AUTO ("auto"):
                             * the routing rules pick (hearth-routes.h) */
  char      *server;        /* the name of a server of the user's list to ask, or
                             * NULL for the default one (hearth_engine_chat () with
                             * no provider); fallback may answer elsewhere */
  gboolean   no_fallback;   /* TRUE: this server or nothing (benchmarks, tuning) */
  char      *system;
  GPtrArray *messages;      /* of HearthMessage: role + content */
  double     temperature;   /* NAN: unset */
  double     top_p;         /* NAN: unset */
  gint64     top_k;         /* < 0: unset */
  gint64     seed;
  gboolean   has_seed;
  gint64     num_predict;   /* < 0: unset */
  gint64     num_ctx;       /* < 0: unset */
  char     **stop;          /* NULL: unset */
  gboolean   stream;
  gboolean   bypass_cache;  /* a fresh answer, whatever the cache holds */
  /* The model's run options (profile, its own, automatic limits), set by the
   * engine from hearth_tuning_resolve (); the fields above win over them.
   * Providers send what their API takes (num_thread, keep_alive, … to
   * Ollama; temperature, top_p, seed, max_tokens to OpenAI-compatible ones). */
  HearthRunOptions *options; /* NULL: none */
  HearthPriority priority;  /* its place in the server's queue */
  char      *client;        /* another program's name (its User-Agent) when it
                             * came through the gateway; NULL for Hearth's own */
} HearthChatRequest;

HearthChatRequest  *hearth_chat_request_new          (void);
/* What the request sends for @key: its own field, else its options. */
double              hearth_chat_request_get_option   (const HearthChatRequest *request,
                                                      HearthRunOptionKey       key,
                                                      gboolean                *is_set);
HearthRunOptions   *hearth_chat_request_get_own_options (const HearthChatRequest *request);
void                hearth_chat_request_free         (HearthChatRequest *request);
void                hearth_chat_request_add_message  (HearthChatRequest *request,
                                                      const char        *role,
                                                      const char        *content);
void                hearth_chat_request_write_messages (const HearthChatRequest *request,
                                                        JsonBuilder             *builder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthChatRequest, hearth_chat_request_free)

typedef struct
{
  char   *name;
  char   *digest;
  char   *family;
  char   *parameter_size;
  char   *quantization;
  gint64  size;             /* bytes; -1 unknown */
} HearthModelInfo;

void                hearth_model_info_free           (HearthModelInfo   *info);
const HearthModelInfo *
                    hearth_model_info_find           (GPtrArray         *models,
                                                      const char        *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthModelInfo, hearth_model_info_free)

G_END_DECLS
