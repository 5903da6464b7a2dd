/* hearth-engine-chat-private.h — one chat request, as hearth-engine-chat.c
 * (store, stream, save) and hearth-engine-route.c (which server answers) share it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-engine-private.h"
#include "hearth-engine-queue.h"
#include "hearth-server.h"

G_BEGIN_DECLS

typedef struct _ChatRoute ChatRoute;

struct _ChatJob
{
  HearthEngine      *engine;        /* a reference, except while parked */
  HearthProvider    *provider;      /* where it is sent now; NULL until a server is found */
  HearthServer      *server;        /* that server of the user's list, or NULL */
  ChatRoute         *route;         /* through the user's servers (no provider given) */
  HearthChatRequest *request;
  HearthReply       *reply;
  HearthMessage     *record;
  char              *cache_key;
  guint              save_source;
  guint              retry_source;
  gboolean           dirty;
  gboolean           parked;        /* finished, unsaved, held by the engine */
  gsize              saved_content; /* bytes of the reply's text in the history */
  gsize              saved_thinking;
  guint              failures;      /* saves failed in a row */
  gint64             next_save_us;
  gint64             history_before;   /* > 0: read the conversation before sending */
  HearthQueueTicket *ticket;        /* its place or slot in the server's queue */
  gboolean           api;           /* another program's request: no text is kept */
};

/* hearth-engine-chat.c: sends to job->provider once the server's queue
 * lets it (asks its models first when the model is unnamed or a cached
 * answer may do); called again for each attempt (a fallback). */
void       _hearth_chat_job_send          (ChatJob            *job);
/* Gives back the job's slot (or place) in its server's queue. */
void       _hearth_chat_job_leave_queue   (ChatJob            *job);
/* Puts @provider's (and @server's) name on the job and its reply. */
void       _hearth_chat_job_set_provider  (ChatJob            *job,
                                           HearthProvider     *provider,
                                           HearthServer       *server);

/* hearth-engine-chat.c, for a set of answers (hearth-engine-sets.c) */
/* @provider: the one server to ask, or NULL for the user's servers. */
ChatJob   *_hearth_chat_job_new           (HearthEngine       *engine,
                                           HearthProvider     *provider,
                                           HearthChatRequest  *request);
gint64     _hearth_chat_store_question    (HearthEngine       *engine,
                                           HearthMessage      *user_record,
                                           gint64             *conversation_id,
                                           gboolean           *continued,
                                           GError            **error);
gboolean   _hearth_chat_job_add_set_record (ChatJob            *job,
                                            gint64              conversation_id,
                                            gint64              question_id,
                                            gint64              history_before,
                                            const HearthMessage *set,
                                            GError            **error);
/* Connects the job to its reply (it is the reply's from then on), then
 * sends it: a job that is watched but never sent is ended with
 * hearth_reply_fail (). */
void       _hearth_chat_job_watch         (ChatJob            *job);
void       _hearth_chat_job_go            (ChatJob            *job);

/* hearth-engine-route.c */
/* Before the job exists: the request's server (or the default one), its
 * provider in @provider (NULL when there is none: the reply then fails
 * with the sentence, after the question is stored). */
ChatRoute *_hearth_chat_route_new         (HearthEngine       *engine,
                                           HearthChatRequest  *request,
                                           HearthProvider    **provider,
                                           HearthServer      **server);
void       _hearth_chat_route_free        (ChatRoute          *route);
/* Picks the model for "auto", skips a server whose breaker is open, sends. */
void       _hearth_chat_route_begin       (ChatJob            *job);
/* The hook of hearth_provider_chat_full (), and of a model list that failed. */
void       _hearth_chat_route_start_failed (HearthReply       *reply,
                                            const GError      *error,
                                            gpointer           user_data);
/* The reply's first text came, or it finished: what the server's health learns. */
void       _hearth_chat_route_answered    (ChatJob            *job);
/* Whether @model is "auto" (the routing rules pick). */
gboolean   _hearth_chat_route_is_auto     (const char         *model);

G_END_DECLS
