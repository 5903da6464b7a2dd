/* hearth-reply-private.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What providers and the engine use to drive a reply; the UI and CLI only read.
 */
#pragma once

#include "hearth-reply.h"

G_BEGIN_DECLS

HearthReply  *hearth_reply_new               (const char                *endpoint,
                                              HearthApiKind              api);
void          hearth_reply_set_model         (HearthReply               *self,
                                              const char                *model);
/* Where the request goes now: a fallback calls this again before it sends
 * to the next server (the reply's timings restart with the new attempt). */
void          hearth_reply_set_server        (HearthReply               *self,
                                              const char                *server,
                                              const char                *endpoint,
                                              HearthApiKind              api);
void          hearth_reply_set_fallback      (HearthReply               *self,
                                              const char                *from,
                                              const char                *reason);
void          hearth_reply_set_route_rule    (HearthReply               *self,
                                              const char                *rule);
void          hearth_reply_set_ids           (HearthReply               *self,
                                              gint64                     conversation_id,
                                              gint64                     question_id,
                                              gint64                     message_id);
void          hearth_reply_set_options       (HearthReply               *self,
                                              const HearthRunOptions    *options);
double        hearth_reply_get_headers_ms    (HearthReply               *self);
void          hearth_reply_set_queue_ahead   (HearthReply               *self,
                                              guint                      ahead);
void          hearth_reply_mark_sent         (HearthReply               *self);
void          hearth_reply_mark_headers      (HearthReply               *self);
void          hearth_reply_add_attempt       (HearthReply               *self);
void          hearth_reply_append            (HearthReply               *self,
                                              const char                *content,
                                              const char                *thinking);
void          hearth_reply_flush             (HearthReply               *self);
gboolean      hearth_reply_has_text          (HearthReply               *self);
void          hearth_reply_complete          (HearthReply               *self,
                                              const HearthServerFigures *server);
void          hearth_reply_fail              (HearthReply               *self,
                                              const GError              *error);
void          hearth_reply_set_save_error    (HearthReply               *self,
                                              const GError              *error);
void          hearth_reply_complete_from_cache (HearthReply             *self,
                                                const char              *content,
                                                const char              *thinking,
                                                const char              *model,
                                                const char              *done_reason,
                                                const HearthFigures     *figures);

G_END_DECLS
