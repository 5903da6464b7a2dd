/* hearth-engine.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "hearth-alerts.h"
#include "hearth-answer-set.h"
#include "hearth-bench.h"
#include "hearth-cache.h"
#include "hearth-gateway.h"
#include "hearth-chat-request.h"
#include "hearth-ensembles.h"
#include "hearth-feedback.h"
#include "hearth-metrics.h"
#include "hearth-provider.h"
#include "hearth-reply.h"
#include "hearth-resource-history.h"
#include "hearth-routes.h"
#include "hearth-sampler.h"
#include "hearth-servers.h"
#include "hearth-store.h"
#include "hearth-tuning.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_ENGINE (hearth_engine_get_type ())

G_DECLARE_FINAL_TYPE (HearthEngine, hearth_engine, HEARTH, ENGINE, GObject)

typedef enum
{
  HEARTH_ENGINE_HISTORY = 1 << 0,   /* open hearth.db */
  HEARTH_ENGINE_CACHE   = 1 << 1,   /* open the response cache as the settings say */
  HEARTH_ENGINE_SAMPLER = 1 << 2,   /* sample the machine and keep its resource use */
} HearthEngineFlags;

/* A conversation that matches a search: by its text (a snippet) or its title. */
typedef struct
{
  HearthConversation *conversation;
  gint64              message_id;    /* 0 when only the title matched */
  char               *role;          /* of the matching message, or NULL */
  char               *snippet;       /* the match between [ and ], or NULL */
  gint64              created_ms;    /* the matching message's time, or -1 */
} HearthConversationMatch;

/* hearth_engine_chat ()'s conversation for a request from another program
 * (the gateway): its messages are its own, nothing is read from or added
 * to the history the user sees; the reply's figures, model, server and
 * client are recorded (not its text) for the metrics and the alerts. */
#define HEARTH_CONVERSATION_API ((gint64) -2)

/* A server's queue, as it is now (hearth_engine_list_queues ()). */
typedef struct
{
  char   *server;          /* the server's name, or its address for a one-off */
  guint   running;         /* requests sent and not finished */
  guint   waiting;         /* requests waiting for their turn, every priority */
  guint   waiting_api;     /* of those, from other programs */
  guint   concurrency;     /* how many it sends at once */
  guint   bound;           /* how many programs' requests may wait; more get 429 */
  double  mean_ms;         /* a finished request's mean time lately; < 0: none yet */
} HearthQueueStatus;

void             hearth_queue_status_free     (HearthQueueStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthQueueStatus, hearth_queue_status_free)

/* What the Performance page shows for a window. */
typedef struct
{
  GPtrArray *rows;        /* HearthMessage: one per request, oldest first */
  GPtrArray *groups;      /* HearthMetricsGroup: per model and server */
  GPtrArray *bench;       /* HearthBenchResult: the newest benchmarks */
  GArray    *resources;   /* HearthResourceRow, or NULL when not asked for */
} HearthPerformanceReport;

void             hearth_performance_report_free (HearthPerformanceReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthPerformanceReport, hearth_performance_report_free)

void             hearth_conversation_match_free (HearthConversationMatch *match);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthConversationMatch, hearth_conversation_match_free)

HearthEngine    *hearth_engine_new            (HearthStore        *store);
HearthEngine    *hearth_engine_new_for_settings (GSettings        *settings,
                                                 HearthEngineFlags flags);
void             hearth_engine_shutdown       (HearthEngine       *self);
HearthStore     *hearth_engine_get_store      (HearthEngine       *self);
gboolean         hearth_engine_has_history    (HearthEngine       *self);
const GError    *hearth_engine_get_store_error (HearthEngine      *self);
GSettings       *hearth_engine_get_settings   (HearthEngine       *self);
HearthSampler   *hearth_engine_get_sampler    (HearthEngine       *self);
HearthResourceHistory *
                 hearth_engine_get_resource_history (HearthEngine *self);
/* The alerting engine (rules, alerts, their history): never NULL. */
HearthAlerts    *hearth_engine_get_alerts     (HearthEngine       *self);
/* The user's servers (list, keys, health, fallback chain): never NULL. */
HearthServers   *hearth_engine_get_servers    (HearthEngine       *self);
/* The routing rules behind the "auto" model: never NULL. */
HearthRoutes    *hearth_engine_get_routes     (HearthEngine       *self);
/* The local API gateway (not listening until started): never NULL. */
HearthGateway   *hearth_engine_get_gateway    (HearthEngine       *self);
/* The queue: every request to a server waits for its turn there. A server
 * sends at most its concurrency at once (hearth_server_get_concurrency ());
 * the next to go is the oldest of the highest priority waiting (the user's
 * chat, then other programs, then benchmarks and tuning). Another
 * program's request that finds hearth_server_get_queue_bound () of them
 * already waiting fails at once with HEARTH_ERROR_QUEUE_FULL; the user's
 * own never does. Cancelling a reply takes it out of the queue, or
 * cancels it upstream once sent. Of HearthQueueStatus, one per server
 * that has had a request. */
GPtrArray       *hearth_engine_list_queues    (HearthEngine       *self);
/* Seconds after which a request to @server (a name; NULL: the default) is
 * likely to find room: from the requests waiting and the mean time of the
 * last ones (at least 1). What a 429's Retry-After says. */
guint            hearth_engine_get_retry_after (HearthEngine      *self,
                                                const char        *server);
/* The tuning engine (run options, profiles, tuner, preloading): never NULL. */
HearthTuning    *hearth_engine_get_tuning     (HearthEngine       *self);
/* A benchmark of @model that sends the model's resolved run options, as a
 * chat would (the Performance page and hearth-cli bench use this). */
HearthBench     *hearth_engine_new_bench      (HearthEngine       *self,
                                               HearthProvider     *provider,
                                               const char         *model,
                                               guint               runs,
                                               HearthSampler      *sampler);
void             hearth_engine_set_cache      (HearthEngine       *self,
                                               HearthCache        *cache,
                                               gboolean            cache_all);
HearthCache     *hearth_engine_get_cache      (HearthEngine       *self);
const char      *hearth_engine_get_cache_warning (HearthEngine    *self);
SoupSession     *hearth_engine_get_session    (HearthEngine       *self);
void             hearth_engine_set_timeout    (HearthEngine       *self,
                                               guint               seconds);

gboolean         hearth_resolve_api_kind      (const char         *explicit_api,
                                               GSettings          *settings,
                                               HearthApiKind      *api,
                                               GError            **error);
HearthProvider  *hearth_engine_get_provider   (HearthEngine       *self,
                                               HearthApiKind       api,
                                               const char         *endpoint);
HearthProvider  *hearth_engine_resolve_provider (HearthEngine     *self,
                                                 const char       *endpoint,
                                                 const char       *api,
                                                 GError          **error);
/* The default server's provider (the first enabled server of the list);
 * fails with a sentence when every server is disabled or removed.
 * @settings is ignored once the list is saved (kept for the migration). */
HearthProvider  *hearth_engine_get_configured_provider (HearthEngine  *self,
                                                        GSettings     *settings,
                                                        GError       **error);
/* The provider for a command's --server NAME, else --endpoint URL (with
 * --api), else the default server: one rule for both front ends. Fails
 * with a sentence naming the servers there are when NAME is unknown, or
 * saying it is disabled. */
HearthProvider  *hearth_engine_resolve_server (HearthEngine       *self,
                                               const char         *server,
                                               const char         *endpoint,
                                               const char         *api,
                                               GError            **error);
char            *hearth_engine_get_server_models_dir   (HearthEngine  *self,
                                                        GSettings     *settings);
char            *hearth_engine_resolve_model  (HearthEngine       *self,
                                               const char         *model);

/* @provider: a server to ask and nothing else (a one-off --endpoint, a
 * benchmark), or NULL to go through the user's servers: the request's
 * server (or the default), its model or, for "auto", the routing rules'
 * choice; a server whose breaker is open is skipped and a request that
 * cannot start falls back along the chain (hearth-servers.h). The reply
 * says where it was answered and why (hearth_reply_describe_route ()).
 * @conversation_id: the conversation to continue, -1 for a new one, or
 * HEARTH_CONVERSATION_API for another program's request (see above). The
 * request waits for its turn in the server's queue (its priority). */
HearthReply     *hearth_engine_chat           (HearthEngine       *self,
                                               HearthProvider     *provider,
                                               HearthChatRequest  *request,
                                               gint64              conversation_id,
                                               GError            **error);
HearthReply     *hearth_engine_regenerate     (HearthEngine       *self,
                                               HearthProvider     *provider,
                                               HearthChatRequest  *request,
                                               gint64              conversation_id,
                                               GError            **error);

gboolean         hearth_engine_save_reply     (HearthEngine       *self,
                                               HearthReply        *reply,
                                               GError            **error);

/* Compare, ensembles and feedback (src/core/feedback) */

/* The named ensembles (ensembles.conf): never NULL. */
HearthEnsembles *hearth_engine_get_ensembles  (HearthEngine       *self);
/* Asks @models (2–4 of "MODEL" or "MODEL@SERVER", no one twice) the
 * request's question, as hearth_engine_chat () would ask one (the history
 * of @conversation_id as context, the cache, the queue, fallback off: a
 * candidate is its model on its server or fails in its column); the
 * request's model and server are ignored. @request is taken (transfer
 * full, as hearth_engine_chat () takes it), also when this fails. Fails at
 * once, storing nothing, when @models is not 2–4 distinct names. */
HearthAnswerSet *hearth_engine_compare        (HearthEngine       *self,
                                               HearthChatRequest  *request,
                                               const char * const *models,
                                               gint64              conversation_id,
                                               GError            **error);
/* The same for an ensemble (named or not), which then decides by its
 * method. A request with no temperature set is sent with temperature 0 and
 * seed 0 to every member (and the judge), so that a repeated question is
 * served by the cache where the members are deterministic. */
HearthAnswerSet *hearth_engine_ask_ensemble   (HearthEngine       *self,
                                               HearthChatRequest  *request,
                                               const HearthEnsemble *ensemble,
                                               gint64              conversation_id,
                                               GError            **error);
/* "Use this answer": @message_id (a candidate of a set that finished with
 * text) becomes its conversation's reply, kept by the user (a compare win
 * for its model); the set's other candidates are no longer kept. Fails
 * with a sentence for a message that is not a candidate or failed. */
gboolean         hearth_engine_pick_answer    (HearthEngine       *self,
                                               gint64              message_id,
                                               GError            **error);
/* Thumbs up (+1) or down (-1), or 0 to take the rating back, with an
 * optional @note (≤ HEARTH_FEEDBACK_NOTE_MAX characters; longer fails).
 * Only a reply of the user's history can be rated ("assistant", not the
 * gateway's hidden conversation); fails with a sentence otherwise. */
gboolean         hearth_engine_rate_message   (HearthEngine       *self,
                                               gint64              message_id,
                                               int                 rating,
                                               const char         *note,
                                               GError            **error);
/* @since_ms: 0 for all time. Reads in a worker. */
void             hearth_engine_feedback_stats_async   (HearthEngine        *self,
                                                       gint64               since_ms,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
HearthFeedbackStats *
                 hearth_engine_feedback_stats_finish  (HearthEngine        *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
/* JSONL (one object a line, hearth-feedback.h), "" when there is nothing
 * to export. Reads in a worker. */
void             hearth_engine_export_feedback_async  (HearthEngine        *self,
                                                       HearthFeedbackFormat format,
                                                       gint64               since_ms,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
char            *hearth_engine_export_feedback_finish (HearthEngine        *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* The history, for pages and commands: reads run in a worker. */
void             hearth_engine_list_messages_async  (HearthEngine        *self,
                                                     gint64               conversation_id,
                                                     gint64               before_id,
                                                     guint                limit,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GPtrArray       *hearth_engine_list_messages_finish (HearthEngine        *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
void             hearth_engine_list_conversations_async  (HearthEngine        *self,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
GPtrArray       *hearth_engine_list_conversations_finish (HearthEngine        *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);
void             hearth_engine_search_async   (HearthEngine        *self,
                                               const char          *text,
                                               guint                limit,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
GPtrArray       *hearth_engine_search_finish  (HearthEngine        *self,
                                               GAsyncResult        *result,
                                               GError             **error);
HearthConversation *
                 hearth_engine_get_conversation (HearthEngine      *self,
                                                 gint64             conversation_id,
                                                 GError           **error);
gboolean         hearth_engine_rename_conversation (HearthEngine   *self,
                                                    gint64          conversation_id,
                                                    const char     *title,
                                                    GError        **error);
gboolean         hearth_engine_delete_conversation (HearthEngine   *self,
                                                    gint64          conversation_id,
                                                    GError        **error);
gboolean         hearth_engine_delete_message (HearthEngine       *self,
                                               gint64              message_id,
                                               GError            **error);
gboolean         hearth_engine_delete_messages_from (HearthEngine *self,
                                                     gint64        conversation_id,
                                                     gint64        message_id,
                                                     GError      **error);

/* Metrics */
void             hearth_engine_performance_report_async  (HearthEngine        *self,
                                                          gint64               since_ms,
                                                          gint64               bucket_ms,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
HearthPerformanceReport *
                 hearth_engine_performance_report_finish (HearthEngine        *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);
void             hearth_engine_export_metrics_async  (HearthEngine        *self,
                                                      gint64               since_ms,
                                                      const char          *model,
                                                      HearthMetricsFormat  format,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
char            *hearth_engine_export_metrics_finish (HearthEngine        *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
void             hearth_engine_summarize_metrics_async  (HearthEngine          *self,
                                                         gint64                 since_ms,
                                                         const char            *model,
                                                         HearthMetricsGrouping  grouping,
                                                         gboolean               as_text,
                                                         HearthMetricsFormat    format,
                                                         GCancellable          *cancellable,
                                                         GAsyncReadyCallback    callback,
                                                         gpointer               user_data);
gpointer         hearth_engine_summarize_metrics_finish (HearthEngine          *self,
                                                         GAsyncResult          *result,
                                                         GError               **error);
void             hearth_engine_list_requests_async   (HearthEngine        *self,
                                                      gint64               since_ms,
                                                      const char          *model,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
GPtrArray       *hearth_engine_list_requests_finish  (HearthEngine        *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
void             hearth_engine_list_resources_async  (HearthEngine        *self,
                                                      gint64               since_ms,
                                                      gint64               bucket_ms,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
GArray          *hearth_engine_list_resources_finish (HearthEngine        *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
int              hearth_engine_get_minute_days       (HearthEngine        *self);
void             hearth_engine_list_bench_results_async  (HearthEngine        *self,
                                                          const char          *model,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
GPtrArray       *hearth_engine_list_bench_results_finish (HearthEngine        *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);
gboolean         hearth_engine_save_bench_result     (HearthEngine        *self,
                                                      HearthBenchResult   *result,
                                                      GError             **error);
void             hearth_engine_apply_measurements    (HearthEngine        *self,
                                                      GPtrArray           *recommendations);

G_END_DECLS
