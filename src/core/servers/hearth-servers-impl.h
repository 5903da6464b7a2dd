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
  guint         health_holds;    /* hearth_servers_hold_health () */
  GHashTable   *schedules;       /* HearthServer → Schedule */
  GHashTable   *models;          /* HearthServer → ModelsCache */

  /* Managed servers (hearth-managed*.c) */
  GHashTable   *supervisors;     /* HearthServer → HearthSupervisor */
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
char         *_hearth_server_resolve_endpoint_source (HearthServer         *self,
                                                      HearthAddressSource  *source,
                                                      GError              **error);
/* hearth-server-address.c: @url as servers.conf keeps it; @follow as for
 * _hearth_server_configure (). */
char         *_hearth_server_address_resolve  (const char           *url,
                                               HearthApiKind         api,
                                               GSettings            *follow,
                                               HearthAddressSource  *source,
                                               GError              **error);
/* What a probe found: @error NULL means it answered in @latency_ms. */
void          _hearth_server_record_probe     (HearthServer       *self,
                                               double              latency_ms,
                                               const GError       *error);
/* Whether @error means the server could not be reached (down). */
gboolean      _hearth_server_error_is_down    (const GError       *error);

/* Managed servers: configuration (saved) and the process (not saved). */
void          _hearth_server_configure_managed (HearthServer      *self,
                                                HearthManagedKind  kind,
                                                const char        *command,
                                                const char        *model_file,
                                                const char        *models_dir,
                                                gboolean           keep,
                                                gboolean           demo);
void          _hearth_server_set_keep         (HearthServer       *self,
                                               gboolean            keep);
/* @message NULL: the default sentence for a stopped server. */
void          _hearth_server_set_process      (HearthServer       *self,
                                               HearthProcessState  state,
                                               int                 pid,
                                               const char         *message);
void          _hearth_server_set_restarts     (HearthServer       *self,
                                               guint               restarts);

/* hearth-servers-store.c */
gboolean      _hearth_servers_load            (HearthServers      *self,
                                               GError            **error);
gboolean      _hearth_servers_save            (HearthServers      *self,
                                               GError            **error);
void          _hearth_servers_migrate         (HearthServers      *self);
void          _hearth_servers_watch           (HearthServers      *self);
void          _hearth_servers_emit_changed    (HearthServers      *self);
/* hearth-servers.c: HearthServers::log-line */
void          _hearth_servers_emit_log_line   (HearthServers      *self,
                                               HearthServer       *server,
                                               const char         *line);
/* Replaces the list by @servers (transfer full), keeping the objects
 * (and their health) of the servers whose name stays. */
void          _hearth_servers_replace         (HearthServers      *self,
                                               GPtrArray          *servers);

/* hearth-servers-health.c */
void          _hearth_servers_health_init     (HearthServers      *self);
void          _hearth_servers_health_clear    (HearthServers      *self);
void          _hearth_servers_forget_server   (HearthServers      *self,
                                               HearthServer       *server);

/* hearth-servers.c: saves the list as it is now (FALSE: restored) */
gboolean      _hearth_servers_commit          (HearthServers      *self,
                                               GError            **error);

/* hearth_servers_add (), and a managed server's entry (@spec, @demo);
 * @position -1: last. The demo goes when another server comes. */
HearthServer *_hearth_servers_add_entry       (HearthServers      *self,
                                               const char         *name,
                                               const char         *url,
                                               HearthApiKind       api,
                                               gboolean            cloud,
                                               const char         *preset,
                                               const HearthManagedSpec *spec,
                                               gboolean            demo,
                                               int                 position,
                                               GError            **error);

/* hearth-managed.c */
void          _hearth_servers_managed_init    (HearthServers      *self);
/* The list goes: every process this one runs and does not keep is told
 * to stop (without waiting); the supervisors go. */
void          _hearth_servers_managed_clear   (HearthServers      *self);
/* @server left the list: its process is stopped (without waiting). */
void          _hearth_servers_managed_removed (HearthServers      *self,
                                               HearthServer       *server);
/* The list was read: managed servers running elsewhere show as running. */
void          _hearth_servers_managed_sync    (HearthServers      *self);
/* A server that is not the demo was added: the demo goes. */
void          _hearth_servers_drop_demo       (HearthServers      *self);

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
