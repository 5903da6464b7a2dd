/* hearth-servers-private.h — what the engine uses of the server list
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-servers.h"
#include "hearth-types.h"

G_BEGIN_DECLS

/* Made by the engine (hearth_engine_get_servers ()); @engine is not
 * referenced (the engine owns the list). @settings: nullable, the
 * single-server settings to migrate and follow while there is no file. */
HearthServers  *_hearth_servers_new              (HearthEngine        *engine,
                                                  GSettings           *settings);

/* What requests teach the health state (the engine's chat calls these as a
 * request starts or fails to start): a success closes the breaker; a
 * failure counts towards opening it. */
void            _hearth_server_record_success    (HearthServer        *server,
                                                  double               latency_ms);
void            _hearth_server_record_failure    (HearthServer        *server,
                                                  const GError        *error);

/* The models @server lists, at most @max_age_ms old (asked again when
 * older); a HearthModelInfo GPtrArray. */
void            _hearth_servers_get_models_async  (HearthServers       *self,
                                                   HearthServer        *server,
                                                   gint64               max_age_ms,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
GPtrArray      *_hearth_servers_get_models_finish (HearthServers       *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

typedef struct
{
  HearthServer *server;   /* a reference */
  char         *model;    /* the model to ask for there (the same or its substitute) */
} HearthServerCandidate;

void            _hearth_server_candidate_free    (HearthServerCandidate *candidate);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthServerCandidate, _hearth_server_candidate_free)

/* The next server of the fallback chain, not in @tried (HearthServer), that
 * is available and lists @model (or its substitute): NULL without an error
 * when there is none. Only servers in the chain are ever returned, so a
 * cloud server is used only when the user put it there. */
void            _hearth_servers_next_fallback_async  (HearthServers       *self,
                                                      const char          *model,
                                                      GPtrArray           *tried,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
HearthServerCandidate *
                _hearth_servers_next_fallback_finish (HearthServers       *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

G_END_DECLS
