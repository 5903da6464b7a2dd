/* hearth-engine-private.h — what the engine's files share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-engine.h"

G_BEGIN_DECLS

typedef struct _ChatJob ChatJob;
typedef struct _HearthEngineAlerts HearthEngineAlerts;

struct _HearthEngine
{
  GObject                parent_instance;

  GSettings             *settings;
  HearthStore           *store;
  GError                *store_error;
  HearthCache           *cache;
  gboolean               cache_all;
  char                  *cache_warning;
  char                  *shared_cache_warning;  /* cache-shared-url cannot be used */
  HearthSampler         *sampler;
  HearthResourceHistory *resource_history;
  SoupSession           *session;
  SoupSession           *local_session;
  GHashTable            *providers;    /* "api endpoint" → HearthProvider */
  GHashTable            *unsaved;      /* HearthReply → ChatJob: finished, not in the history */
  HearthEngineAlerts    *alerts;       /* made on first use (hearth-engine-alerts.c) */
  HearthTuning          *tuning;       /* made with the history, else on first use */
  HearthServers         *servers;      /* made on first use (hearth-engine-servers.c) */

  /* Workers read the history through one connection of their own. */
  GMutex                 reader_lock;
  HearthStore           *reader;
};

/* Runs in a worker thread with the reader connection; returns through @task. */
typedef void (*HearthReaderFunc) (HearthStore  *reader,
                                  GTask        *task,
                                  gpointer      task_data,
                                  GCancellable *cancellable);

void _hearth_engine_run_reader          (HearthEngine     *self,
                                         GTask            *task,
                                         HearthReaderFunc  func);
void _hearth_engine_emit_reply_recorded (HearthEngine     *self,
                                         HearthReply      *reply);

/* hearth-engine-alerts.c */
void     _hearth_engine_alerts_free             (HearthEngineAlerts *alerts);
void     _hearth_engine_alerts_settings_changed (HearthEngine       *self,
                                                 const char         *key);
void     _hearth_engine_alerts_observe_reply    (HearthEngine       *self,
                                                 HearthReply        *reply);
void     _hearth_engine_alerts_on_sample        (HearthEngine       *self,
                                                 const HearthSample *sample);

/* hearth-engine.c: the sampler and alerts follow the default server */
void     _hearth_engine_servers_changed         (HearthEngine       *self);

/* hearth-engine-tuning.c */
void     _hearth_engine_tuning_apply            (HearthEngine       *self,
                                                 HearthProvider     *provider,
                                                 HearthChatRequest  *request,
                                                 HearthReply        *reply);

/* hearth-engine-feedback.c: every model's record for one kind of question
 * (HearthModelRecord), read in a worker, for "auto" (hearth-routes-choose.c) */
void       _hearth_engine_model_records_async  (HearthEngine        *self,
                                                const char          *kind,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
GPtrArray *_hearth_engine_model_records_finish (HearthEngine        *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* hearth-engine-chat.c */
void     _hearth_chat_job_free          (ChatJob          *job);
gboolean _hearth_chat_job_save          (ChatJob          *job,
                                         GError          **error);
void     _hearth_engine_park            (HearthEngine     *self,
                                         HearthReply      *reply,
                                         ChatJob          *job);
gboolean _hearth_engine_save_parked     (HearthEngine     *self,
                                         HearthReply      *reply,
                                         GError          **error);
void     _hearth_engine_save_all_parked (HearthEngine     *self);

G_END_DECLS
