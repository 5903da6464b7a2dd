/* hearth-engine-queue.c — the queue in front of each server: how many
 * requests it is sent at once, who goes next, and who is told to come back
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One queue per server of the user's list (by name), or per address for a
 * one-off provider, kept on the engine. A server is sent at most its
 * concurrency at once; the next to go is the oldest waiting of the highest
 * priority (the user's chat, other programs, then benchmarks and tuning).
 * Another program's request that finds the bound of them already waiting
 * is refused at once (HEARTH_ERROR_QUEUE_FULL), with the seconds after
 * which there is likely room; the user's own never is.
 */
#define G_LOG_DOMAIN "hearth-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>

#include "hearth-endpoint.h"
#include "hearth-engine-private.h"
#include "hearth-engine-queue.h"
#include "hearth-error.h"
#include "hearth-reply-private.h"
#include "hearth-servers-private.h"

#define QUEUES_KEY "hearth-engine-queues"
/* The mean time of a request is of the last this many. */
#define N_RECENT 16
/* A one-off provider's defaults (hearth_server_get_concurrency ()). */
#define LOCAL_CONCURRENCY 2
#define LOCAL_BOUND       32
#define CLOUD_CONCURRENCY 8
#define CLOUD_BOUND       64

#define N_PRIORITIES (HEARTH_PRIORITY_BACKGROUND + 1)

typedef struct
{
  char   *key;                     /* the server's name, or "api endpoint" */
  char   *label;                   /* the server's name, or the endpoint */
  char   *endpoint;                /* a one-off's address (for its defaults) */
  GQueue  waiting[N_PRIORITIES];   /* HearthQueueTicket, oldest first */
  guint   running;
  double  recent_ms[N_RECENT];
  guint   n_recent;
  guint   next_recent;
} Queue;

typedef struct
{
  HearthEngine *engine;            /* not referenced: the queues are its data */
  GHashTable   *queues;            /* key → Queue */
} Queues;

typedef enum
{
  TICKET_WAITING,
  TICKET_RUNNING,
  TICKET_DONE,
} TicketState;

struct _HearthQueueTicket
{
  HearthEngine         *engine;    /* a reference: the queue lives as long */
  Queue                *queue;
  HearthPriority        priority;
  HearthReply          *reply;     /* a reference: says its place while it waits */
  TicketState           state;
  gint64                started_us;
  GSource              *cancel_source;
  guint                 idle_id;
  GError               *error;     /* refused: given to @ready from the main loop */
  HearthQueueReadyFunc  ready;
  gpointer              user_data;
};

static void
queue_free (Queue *queue)
{
  g_free (queue->key);
  g_free (queue->label);
  g_free (queue->endpoint);
  for (guint i = 0; i < N_PRIORITIES; i++)
    g_queue_clear (&queue->waiting[i]);
  g_free (queue);
}

static void
queues_free (Queues *queues)
{
  g_hash_table_unref (queues->queues);
  g_free (queues);
}

static Queues *
get_queues (HearthEngine *engine)
{
  Queues *queues = g_object_get_data (G_OBJECT (engine), QUEUES_KEY);

  if (queues == NULL)
    {
      queues = g_new0 (Queues, 1);
      queues->engine = engine;
      queues->queues = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                              (GDestroyNotify) queue_free);
      g_object_set_data_full (G_OBJECT (engine), QUEUES_KEY, queues,
                              (GDestroyNotify) queues_free);
    }
  return queues;
}

static HearthServer *
queue_server (HearthEngine *engine,
              Queue        *queue)
{
  if (queue->endpoint != NULL)
    return NULL;
  return hearth_servers_lookup (hearth_engine_get_servers (engine), queue->key);
}

/* As the server says now (servers.conf may have changed). */
static void
queue_limits (HearthEngine *engine,
              Queue        *queue,
              guint        *concurrency,
              guint        *bound)
{
  HearthServer *server = queue_server (engine, queue);
  gboolean local;

  if (server != NULL)
    {
      *concurrency = MAX (hearth_server_get_concurrency (server), 1);
      *bound = hearth_server_get_queue_bound (server);
      return;
    }
  local = queue->endpoint == NULL || hearth_endpoint_is_loopback (queue->endpoint);
  *concurrency = local ? LOCAL_CONCURRENCY : CLOUD_CONCURRENCY;
  *bound = local ? LOCAL_BOUND : CLOUD_BOUND;
}

static Queue *
find_queue (HearthEngine   *engine,
            HearthServer   *server,
            HearthProvider *provider,
            gboolean        create)
{
  Queues *queues = get_queues (engine);
  g_autofree char *key = NULL;
  Queue *queue;

  if (server != NULL)
    key = g_strdup (hearth_server_get_name (server));
  else if (provider != NULL)
    key = g_strdup_printf ("%s %s", hearth_api_kind_to_string (hearth_provider_get_api (provider)),
                           hearth_provider_get_endpoint (provider));
  else
    return NULL;
  queue = g_hash_table_lookup (queues->queues, key);
  if (queue != NULL || !create)
    return queue;
  queue = g_new0 (Queue, 1);
  queue->key = g_steal_pointer (&key);
  if (server != NULL)
    queue->label = g_strdup (queue->key);
  else
    {
      queue->label = g_strdup (hearth_provider_get_endpoint (provider));
      queue->endpoint = g_strdup (hearth_provider_get_endpoint (provider));
    }
  for (guint i = 0; i < N_PRIORITIES; i++)
    g_queue_init (&queue->waiting[i]);
  g_hash_table_insert (queues->queues, queue->key, queue);
  return queue;
}

static guint
n_waiting (Queue *queue)
{
  guint n = 0;

  for (guint i = 0; i < N_PRIORITIES; i++)
    n += queue->waiting[i].length;
  return n;
}

/* Those that the bound counts: other programs', benchmarks and tuning. */
static guint
n_refusable (Queue *queue)
{
  return queue->waiting[HEARTH_PRIORITY_API].length +
         queue->waiting[HEARTH_PRIORITY_BACKGROUND].length;
}

static double
mean_ms (Queue *queue)
{
  double sum = 0;

  if (queue->n_recent == 0)
    return -1;
  for (guint i = 0; i < queue->n_recent; i++)
    sum += queue->recent_ms[i];
  return sum / queue->n_recent;
}

/* Seconds until another program's request likely finds room: the
 * requests that go before room opens, at the mean time of the last ones
 * (1 s each until one finished), shared by the concurrency. */
static guint
queue_retry_after (HearthEngine *engine,
                   Queue        *queue)
{
  guint concurrency, bound, before;
  double mean = mean_ms (queue);
  double seconds;

  queue_limits (engine, queue, &concurrency, &bound);
  before = queue->waiting[HEARTH_PRIORITY_CHAT].length + 1;
  if (n_refusable (queue) >= bound)
    before += n_refusable (queue) - bound;
  seconds = (mean > 0 ? mean / 1000.0 : 1.0) * before / concurrency;
  return (guint) MAX (1.0, ceil (seconds));
}

static gboolean
ready_idle_cb (gpointer user_data)
{
  HearthQueueTicket *ticket = user_data;
  g_autoptr(GError) error = g_steal_pointer (&ticket->error);

  ticket->idle_id = 0;
  /* The callback may free the ticket: nothing after it. */
  ticket->ready (ticket, error, ticket->user_data);
  return G_SOURCE_REMOVE;
}

static void
clear_cancel_source (HearthQueueTicket *ticket)
{
  if (ticket->cancel_source == NULL)
    return;
  g_source_destroy (ticket->cancel_source);
  g_clear_pointer (&ticket->cancel_source, g_source_unref);
}

/* Each waiting reply says how many go before it. */
static void
queue_tell_places (Queue *queue)
{
  guint ahead = 0;

  for (guint i = 0; i < N_PRIORITIES; i++)
    for (GList *l = queue->waiting[i].head; l != NULL; l = l->next)
      {
        HearthQueueTicket *ticket = l->data;

        hearth_reply_set_queue_ahead (ticket->reply, ahead++);
      }
}

/* Sends the next ones while the server has room. */
static void
queue_dispatch (HearthEngine *engine,
                Queue        *queue)
{
  guint concurrency, bound;

  queue_limits (engine, queue, &concurrency, &bound);
  while (queue->running < concurrency)
    {
      HearthQueueTicket *next = NULL;

      for (guint i = 0; i < N_PRIORITIES && next == NULL; i++)
        next = g_queue_pop_head (&queue->waiting[i]);
      if (next == NULL)
        break;
      clear_cancel_source (next);
      next->state = TICKET_RUNNING;
      next->started_us = g_get_monotonic_time ();
      queue->running++;
      hearth_reply_set_queue_ahead (next->reply, 0);
      next->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT, ready_idle_cb, next, NULL);
    }
  queue_tell_places (queue);
}

static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  HearthQueueTicket *ticket = user_data;
  Queue *queue = ticket->queue;

  if (ticket->state != TICKET_WAITING)
    return G_SOURCE_REMOVE;
  g_queue_remove (&queue->waiting[ticket->priority], ticket);
  ticket->state = TICKET_DONE;
  clear_cancel_source (ticket);
  hearth_reply_set_queue_ahead (ticket->reply, 0);
  queue_tell_places (queue);
  ticket->error = g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_CANCELLED, _("Cancelled"));
  ready_idle_cb (ticket);
  return G_SOURCE_REMOVE;
}

HearthQueueTicket *
_hearth_engine_queue_enter (HearthEngine          *engine,
                            HearthServer          *server,
                            HearthProvider        *provider,
                            HearthPriority         priority,
                            HearthReply           *reply,
                            HearthQueueReadyFunc   ready,
                            gpointer               user_data)
{
  HearthQueueTicket *ticket = g_new0 (HearthQueueTicket, 1);
  Queue *queue = find_queue (engine, server, provider, TRUE);
  guint concurrency, bound;

  ticket->engine = g_object_ref (engine);
  ticket->reply = g_object_ref (reply);
  ticket->queue = queue;
  ticket->priority = CLAMP (priority, HEARTH_PRIORITY_CHAT, HEARTH_PRIORITY_BACKGROUND);
  ticket->ready = ready;
  ticket->user_data = user_data;

  /* No server to wait for (every server off): the send says why. */
  if (queue == NULL)
    {
      ticket->state = TICKET_DONE;
      return ticket;
    }

  queue_limits (engine, queue, &concurrency, &bound);
  if (queue->running < concurrency && n_waiting (queue) == 0)
    {
      ticket->state = TICKET_RUNNING;
      ticket->started_us = g_get_monotonic_time ();
      queue->running++;
      return ticket;
    }
  if (ticket->priority != HEARTH_PRIORITY_CHAT && n_refusable (queue) >= bound)
    {
      guint seconds = queue_retry_after (engine, queue);

      ticket->state = TICKET_DONE;
      ticket->error = g_error_new (HEARTH_ERROR, HEARTH_ERROR_QUEUE_FULL,
                                   _("The server “%s” is busy: %u requests from other programs "
                                     "and benchmarks are waiting. Try again in about %u s"),
                                   queue->label, n_refusable (queue), seconds);
      ticket->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT, ready_idle_cb, ticket, NULL);
      return ticket;
    }
  ticket->state = TICKET_WAITING;
  g_queue_push_tail (&queue->waiting[ticket->priority], ticket);
  ticket->cancel_source = g_cancellable_source_new (hearth_reply_get_cancellable (reply));
  g_source_set_callback (ticket->cancel_source, G_SOURCE_FUNC (cancelled_cb), ticket, NULL);
  g_source_attach (ticket->cancel_source, NULL);
  /* Room may have come with a larger concurrency. */
  queue_dispatch (engine, queue);
  return ticket;
}

gboolean
_hearth_queue_ticket_is_running (HearthQueueTicket *ticket)
{
  return (ticket->state == TICKET_RUNNING || ticket->queue == NULL) && ticket->idle_id == 0;
}

void
_hearth_queue_ticket_free (HearthQueueTicket *ticket)
{
  Queue *queue;
  HearthEngine *engine;

  if (ticket == NULL)
    return;
  queue = ticket->queue;
  engine = ticket->engine;
  g_clear_handle_id (&ticket->idle_id, g_source_remove);
  clear_cancel_source (ticket);
  g_clear_error (&ticket->error);
  if (queue == NULL)
    ;
  else if (ticket->state == TICKET_WAITING)
    {
      g_queue_remove (&queue->waiting[ticket->priority], ticket);
      hearth_reply_set_queue_ahead (ticket->reply, 0);
    }
  else if (ticket->state == TICKET_RUNNING)
    {
      /* Measured: the time a request that was answered held its slot. */
      if (hearth_reply_get_state (ticket->reply) == HEARTH_REPLY_DONE)
        {
          queue->recent_ms[queue->next_recent] =
            (g_get_monotonic_time () - ticket->started_us) / 1000.0;
          queue->next_recent = (queue->next_recent + 1) % N_RECENT;
          queue->n_recent = MIN (queue->n_recent + 1, N_RECENT);
        }
      queue->running--;
    }
  ticket->state = TICKET_DONE;
  if (queue != NULL)
    queue_dispatch (engine, queue);
  g_object_unref (ticket->reply);
  g_free (ticket);
  g_object_unref (engine);
}

/* The engine's API */

void
hearth_queue_status_free (HearthQueueStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->server);
  g_free (status);
}

static gint
compare_status (gconstpointer a,
                gconstpointer b)
{
  const HearthQueueStatus *sa = *(HearthQueueStatus * const *) a;
  const HearthQueueStatus *sb = *(HearthQueueStatus * const *) b;

  return g_strcmp0 (sa->server, sb->server);
}

/**
 * hearth_engine_list_queues:
 *
 * Returns: (transfer full) (element-type HearthQueueStatus): one per
 *   server that has had a request, by name
 */
GPtrArray *
hearth_engine_list_queues (HearthEngine *self)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_queue_status_free);
  GHashTableIter iter;
  Queue *queue;

  g_return_val_if_fail (HEARTH_IS_ENGINE (self), list);

  g_hash_table_iter_init (&iter, get_queues (self)->queues);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &queue))
    {
      HearthQueueStatus *status = g_new0 (HearthQueueStatus, 1);

      status->server = g_strdup (queue->label);
      status->running = queue->running;
      status->waiting = n_waiting (queue);
      status->waiting_api = queue->waiting[HEARTH_PRIORITY_API].length;
      queue_limits (self, queue, &status->concurrency, &status->bound);
      status->mean_ms = mean_ms (queue);
      g_ptr_array_add (list, status);
    }
  g_ptr_array_sort (list, compare_status);
  return list;
}

/**
 * hearth_engine_get_retry_after:
 * @server: (nullable): a server's name; %NULL: the default server
 *
 * An estimate, not a promise: the requests that must finish before
 * another program's request finds room (the chat's waiting ones, then
 * those over the bound), each taking the mean time the server's last 16
 * answered requests held their slot (1 s before any was measured),
 * shared by its concurrency, rounded up.
 *
 * Returns: the seconds a refused request should wait (at least 1)
 */
guint
hearth_engine_get_retry_after (HearthEngine *self,
                               const char   *server)
{
  HearthServers *servers;
  HearthServer *found;
  Queue *queue;

  g_return_val_if_fail (HEARTH_IS_ENGINE (self), 1);

  servers = hearth_engine_get_servers (self);
  found = server != NULL && *server != '\0' ? hearth_servers_lookup (servers, server)
                                            : hearth_servers_get_default (servers);
  if (found == NULL)
    return 1;
  queue = find_queue (self, found, NULL, FALSE);
  return queue != NULL ? queue_retry_after (self, queue) : 1;
}

/* Benchmarks and the tuner */

typedef struct
{
  HearthQueueTicket *ticket;
  HearthProvider    *provider;
  const HearthChatRequest *request;  /* borrowed, as the provider borrows it */
  HearthReply       *reply;
} BackgroundSend;

static void
background_send_free (BackgroundSend *send)
{
  g_clear_pointer (&send->ticket, _hearth_queue_ticket_free);
  g_clear_object (&send->provider);
  g_clear_object (&send->reply);
  g_free (send);
}

static void
background_finished_cb (HearthReply *reply,
                        gpointer     user_data)
{
  BackgroundSend *send = user_data;

  g_signal_handlers_disconnect_by_data (reply, send);
  background_send_free (send);
}

static void
background_ready_cb (HearthQueueTicket *ticket,
                     const GError      *error,
                     gpointer           user_data)
{
  BackgroundSend *send = user_data;

  if (error != NULL)
    {
      /* Finishing frees @send. */
      hearth_reply_fail (send->reply, error);
      return;
    }
  hearth_provider_chat (send->provider, send->request, send->reply);
}

void
_hearth_engine_queue_send_background (HearthProvider          *provider,
                                      const HearthChatRequest *request,
                                      HearthReply       *reply,
                                      gpointer           user_data)
{
  g_autoptr(HearthEngine) engine = g_weak_ref_get (user_data);
  BackgroundSend *send;
  HearthServer *server;

  if (engine == NULL)
    {
      hearth_provider_chat (provider, request, reply);
      return;
    }
  send = g_new0 (BackgroundSend, 1);
  send->provider = g_object_ref (provider);
  send->request = request;
  send->reply = g_object_ref (reply);
  server = hearth_servers_find_endpoint (hearth_engine_get_servers (engine),
                                         hearth_provider_get_api (provider),
                                         hearth_provider_get_endpoint (provider));
  g_signal_connect (reply, "finished", G_CALLBACK (background_finished_cb), send);
  send->ticket = _hearth_engine_queue_enter (engine, server, provider, HEARTH_PRIORITY_BACKGROUND,
                                             reply, background_ready_cb, send);
  if (_hearth_queue_ticket_is_running (send->ticket))
    hearth_provider_chat (provider, request, reply);
}

gpointer
_hearth_engine_queue_sender_data (HearthEngine *engine)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, engine);
  return ref;
}

void
_hearth_engine_queue_sender_data_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}
