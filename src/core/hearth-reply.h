/* hearth-reply.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hearth-run-options.h"
#include "hearth-types.h"

G_BEGIN_DECLS

typedef enum
{
  HEARTH_REPLY_WAITING,
  HEARTH_REPLY_STREAMING,
  HEARTH_REPLY_DONE,
  HEARTH_REPLY_FAILED,
  HEARTH_REPLY_CANCELLED,
} HearthReplyState;

#define HEARTH_TYPE_REPLY_STATE (hearth_reply_state_get_type ())
#define HEARTH_TYPE_REPLY (hearth_reply_get_type ())

G_DECLARE_FINAL_TYPE (HearthReply, hearth_reply, HEARTH, REPLY, GObject)

GType                       hearth_reply_state_get_type         (void) G_GNUC_CONST;
HearthReplyState            hearth_reply_get_state              (HearthReply *self);
gboolean                    hearth_reply_is_finished            (HearthReply *self);
const char                 *hearth_reply_get_content            (HearthReply *self);
gsize                       hearth_reply_get_content_length     (HearthReply *self);
const char                 *hearth_reply_get_thinking           (HearthReply *self);
const char                 *hearth_reply_get_model              (HearthReply *self);
const char                 *hearth_reply_get_endpoint           (HearthReply *self);
/* The server of the user's list that answered (its name), or NULL for a
 * one-off address. It changes when the request falls back ("notify::server"). */
const char                 *hearth_reply_get_server             (HearthReply *self);
/* When another server answered: the one the request was meant for, and why
 * it did not answer there ("down", "server error", "model missing",
 * "skipped (down)", as a short phrase); else NULL. */
const char                 *hearth_reply_get_fallback_from      (HearthReply *self);
const char                 *hearth_reply_get_fallback_reason    (HearthReply *self);
/* What chose the model when it was "auto" (a sentence), or NULL. */
const char                 *hearth_reply_get_route_rule         (HearthReply *self);
/* "answered by big-box because laptop was down", "chosen by rule: code →
 * qwen2.5:7b"; NULL when there is nothing to say. For the line under a reply. */
char                       *hearth_reply_describe_route         (HearthReply *self);
/* The same sentence from a stored message's fields (HearthMessage.server,
 * .fallback_from, .fallback_reason, .route_rule); @wanted_model: the model
 * asked for at @fallback_from ("had no llama3.2:3b"), or NULL. */
char                       *hearth_describe_route               (const char  *server,
                                                                 const char  *fallback_from,
                                                                 const char  *fallback_reason,
                                                                 const char  *route_rule,
                                                                 const char  *wanted_model);
HearthApiKind               hearth_reply_get_api                (HearthReply *self);
const char                 *hearth_reply_get_done_reason        (HearthReply *self);
const GError               *hearth_reply_get_error              (HearthReply *self);
const GError               *hearth_reply_get_save_error         (HearthReply *self);
gsize                       hearth_reply_get_thinking_length    (HearthReply *self);
const HearthFigures        *hearth_reply_get_figures            (HearthReply *self);
const HearthServerFigures  *hearth_reply_get_server_figures     (HearthReply *self);
gint64                      hearth_reply_get_conversation_id    (HearthReply *self);
gint64                      hearth_reply_get_message_id         (HearthReply *self);
gint64                      hearth_reply_get_question_id        (HearthReply *self);
guint                       hearth_reply_get_attempts           (HearthReply *self);
gboolean                    hearth_reply_get_cached             (HearthReply *self);
/* The run options the request went out with (those its server takes), or NULL. */
const HearthRunOptions     *hearth_reply_get_options            (HearthReply *self);
double                      hearth_reply_get_time_saved_ms      (HearthReply *self);
/* While it waits in the server's queue (state WAITING): how many requests
 * go before it; 0 once sent. Property "queue-ahead". */
guint                       hearth_reply_get_queue_ahead        (HearthReply *self);
GCancellable               *hearth_reply_get_cancellable        (HearthReply *self);
void                        hearth_reply_cancel                 (HearthReply *self);

G_END_DECLS
