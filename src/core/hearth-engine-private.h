/* hearth-engine-private.h — what the engine's files share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-engine.h"

G_BEGIN_DECLS

struct _HearthEngine
{
  GObject                parent_instance;

  GSettings             *settings;
  HearthStore           *store;
  GError                *store_error;
  HearthCache           *cache;
  gboolean               cache_all;
  char                  *cache_warning;
  HearthSampler         *sampler;
  HearthResourceHistory *resource_history;
  SoupSession           *session;
  SoupSession           *local_session;
  GHashTable            *providers;    /* "api endpoint" → HearthProvider */

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

G_END_DECLS
