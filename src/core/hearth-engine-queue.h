/* hearth-engine-queue.h — the queue in front of each server, as the engine's files use it
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rules are hearth_engine_list_queues ()'s (hearth-engine.h).
 */
#pragma once

#include "hearth-engine.h"

G_BEGIN_DECLS

typedef struct _HearthQueueTicket HearthQueueTicket;

/* The request's turn came (@error NULL: send it now), or it never will:
 * cancelled while waiting, or refused because the queue is full. Called
 * from the main loop, never from inside _hearth_engine_queue_enter (). */
typedef void (*HearthQueueReadyFunc) (HearthQueueTicket *ticket,
                                      const GError      *error,
                                      gpointer           user_data);

/* A place in the queue of @server (a server of the user's list), or of
 * @provider's address when @server is NULL. When a slot is free and no
 * one waits, the ticket is running at once (_hearth_queue_ticket_is_running
 * ()) and @ready is never called: send now. Cancelling @reply while it
 * waits takes it out of the queue; while it waits, @reply says how many
 * go before it (hearth_reply_get_queue_ahead ()). */
HearthQueueTicket *_hearth_engine_queue_enter     (HearthEngine          *engine,
                                                   HearthServer          *server,
                                                   HearthProvider        *provider,
                                                   HearthPriority         priority,
                                                   HearthReply           *reply,
                                                   HearthQueueReadyFunc   ready,
                                                   gpointer               user_data);
gboolean           _hearth_queue_ticket_is_running (HearthQueueTicket    *ticket);
/* Leaves the queue: gives back the slot (the next one goes) or the place. */
void               _hearth_queue_ticket_free       (HearthQueueTicket    *ticket);

/* The hook benchmarks and the tuner send through (HearthChatSendFunc):
 * @user_data is from _hearth_engine_queue_sender_data (). */
void               _hearth_engine_queue_send_background (HearthProvider          *provider,
                                                         const HearthChatRequest *request,
                                                         HearthReply       *reply,
                                                         gpointer           user_data);
gpointer           _hearth_engine_queue_sender_data     (HearthEngine      *engine);
void               _hearth_engine_queue_sender_data_free (gpointer          data);

G_END_DECLS
