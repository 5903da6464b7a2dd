/* hearth-servers-impl.h — what the files of HearthServer and HearthServers share
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only src/core/servers/hearth-server*.c and hearth-servers*.c include this.
 */
#pragma once

#include "hearth-servers-private.h"

G_BEGIN_DECLS

/* A probe or request slower than this leaves the server "degraded". */
#define HEARTH_SERVER_SLOW_MS 2000.0

/* The queue's defaults (hearth_server_get_concurrency ()). */
#define HEARTH_SERVER_LOCAL_CONCURRENCY  2
#define HEARTH_SERVER_LOCAL_QUEUE_BOUND  32
#define HEARTH_SERVER_CLOUD_CONCURRENCY  8
#define HEARTH_SERVER_CLOUD_QUEUE_BOUND  64

struct _HearthServers
{
  GObject       parent_instance;

  HearthEngine *engine;          /* not referenced: the engine owns the list */
  GSettings    *settings;        /* the single-server settings (migration) */
  char         *path;            /* servers.conf */
  GPtrArray    *servers;         /* HearthServer, in the user's order */
  gboolean      saved;           /* the list comes from the file (else: migration) */
  char        **fallback;        /* server names */
  GHashTable   *substitutes;     /* model → substitute */
  GFileMonitor *monitor;
  char         *last_contents;   /* what the file held when last read or written */
  GCancellable *cancellable;     /* cancelled when the list goes */

  /* Health (hearth-servers-health.c) */
  gboolean      monitoring;
  GHashTable   *schedules;       /* HearthServer → Schedule */
  GHashTable   *models;          /* HearthServer → ModelsCache */
};

/* hearth-server.c */
HearthServer *_hearth_server_new              (HearthEngine       *engine,
                                               const char         *name);
void          _hearth_server_set_engine       (HearthServer       *self,
                                               HearthEngine       *engine);
void          _hearth_server_set_name         (HearthServer       *self,
                                               const char         *name);
/* @follow: while migrating, the settings whose "endpoint" decides the
 * address as it always did (OLLAMA_HOST > endpoint > the default). */
void          _hearth_server_configure        (HearthServer       *self,
                                               const char         *url,
                                               HearthApiKind       api,
                                               gboolean            cloud,
                                               gboolean            enabled,
                                               const char         *preset,
                                               GSettings          *follow);
void          _hearth_server_set_enabled      (HearthServer       *self,
                                               gboolean            enabled);
/* What servers.conf says (0: the default). */
void          _hearth_server_get_queue_limits (HearthServer       *self,
                                               guint              *concurrency,
                                               guint              *bound);
void          _hearth_server_set_queue_limits (HearthServer       *self,
                                               guint               concurrency,
                                               guint               bound);
/* The address requests go to now, or NULL with why (a bad OLLAMA_HOST). */
char         *_hearth_server_resolve_endpoint (HearthServer       *self,
                                               GError            **error);
/* What a probe found: @error NULL means it answered in @latency_ms. */
void          _hearth_server_record_probe     (HearthServer       *self,
                                               double              latency_ms,
                                               const GError       *error);
/* Whether @error means the server could not be reached (down). */
gboolean      _hearth_server_error_is_down    (const GError       *error);

/* hearth-servers-store.c */
gboolean      _hearth_servers_load            (HearthServers      *self,
                                               GError            **error);
gboolean      _hearth_servers_save            (HearthServers      *self,
                                               GError            **error);
void          _hearth_servers_migrate         (HearthServers      *self);
void          _hearth_servers_watch           (HearthServers      *self);
void          _hearth_servers_emit_changed    (HearthServers      *self);
/* Replaces the list by @servers (transfer full), keeping the objects
 * (and their health) of the servers whose name stays. */
void          _hearth_servers_replace         (HearthServers      *self,
                                               GPtrArray          *servers);

/* hearth-servers-health.c */
void          _hearth_servers_health_init     (HearthServers      *self);
void          _hearth_servers_health_clear    (HearthServers      *self);
void          _hearth_servers_forget_server   (HearthServers      *self,
                                               HearthServer       *server);

/* hearth-servers-keys.c: the key follows a server to its new address */
void          _hearth_servers_move_key        (HearthServers      *self,
                                               HearthServer       *server,
                                               const char         *from,
                                               const char         *to);

/* hearth-servers-models.c */
typedef struct
{
  GPtrArray *models;     /* HearthModelInfo */
  gint64     time_us;    /* monotonic */
} HearthModelsCache;

void          _hearth_models_cache_free       (HearthModelsCache  *cache);
void          _hearth_servers_cache_models    (HearthServers      *self,
                                               HearthServer       *server,
                                               GPtrArray          *models);

G_END_DECLS
