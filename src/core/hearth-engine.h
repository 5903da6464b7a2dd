/* hearth-engine.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "hearth-cache.h"
#include "hearth-chat-request.h"
#include "hearth-provider.h"
#include "hearth-reply.h"
#include "hearth-store.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_ENGINE (hearth_engine_get_type ())

G_DECLARE_FINAL_TYPE (HearthEngine, hearth_engine, HEARTH, ENGINE, GObject)

HearthEngine    *hearth_engine_new            (HearthStore        *store);
HearthStore     *hearth_engine_get_store      (HearthEngine       *self);
void             hearth_engine_set_cache      (HearthEngine       *self,
                                               HearthCache        *cache,
                                               gboolean            cache_all);
HearthCache     *hearth_engine_get_cache      (HearthEngine       *self);
SoupSession     *hearth_engine_get_session    (HearthEngine       *self);
void             hearth_engine_set_timeout    (HearthEngine       *self,
                                               guint               seconds);
HearthProvider  *hearth_engine_get_provider   (HearthEngine       *self,
                                               HearthApiKind       api,
                                               const char         *endpoint);
HearthProvider  *hearth_engine_get_configured_provider (HearthEngine  *self,
                                                        GSettings     *settings,
                                                        GError       **error);
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

G_END_DECLS
