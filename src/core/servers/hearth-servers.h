/* hearth-servers.h — the user's servers: the list, keys, health, fallback
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One engine-owned object (hearth_engine_get_servers ()) that the GUI and
 * hearth-cli both use. The list is kept in $XDG_CONFIG_HOME/hearth/servers.conf
 * (a GKeyFile: configuration every command can read, even when the history
 * cannot open), and followed when another process changes it. Keys live in
 * the Secret Service only, one item per server endpoint (hearth-secrets.h).
 *
 * Before the file exists, the list is one server made from the settings the
 * single-server Hearth had ("endpoint", "api-kind"; OLLAMA_HOST; the default):
 * it follows those settings as they change, until the first change to the
 * list writes the file (the migration; nothing is lost).
 */
#pragma once

#include <gio/gio.h>

#include "hearth-model.h"
#include "hearth-server.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_SERVERS (hearth_servers_get_type ())

/* A GListModel of HearthServer in the user's order; "items-changed" when
 * servers are added, removed or moved, "changed" (no arguments) after any
 * change to the list, the fallback chain or the substitutes. */
G_DECLARE_FINAL_TYPE (HearthServers, hearth_servers, HEARTH, SERVERS, GObject)

/* Server names: 1–32 characters of [a-z0-9._-], starting with a letter or
 * digit ("laptop", "big-box", "openai"). */
gboolean        hearth_servers_check_name       (const char          *name,
                                                 GError             **error);
/* The path of servers.conf (it may not exist yet). */
const char     *hearth_servers_get_path         (HearthServers       *self);
/* Transfer none; NULL when no server has that name. */
HearthServer   *hearth_servers_lookup           (HearthServers       *self,
                                                 const char          *name);
/* The first enabled server, or NULL when every server is disabled. */
HearthServer   *hearth_servers_get_default      (HearthServers       *self);
/* The server of the list at this normalized endpoint (and API), or NULL. */
HearthServer   *hearth_servers_find_endpoint    (HearthServers       *self,
                                                 HearthApiKind        api,
                                                 const char          *endpoint);

/* Changes to the list, saved at once (FALSE with a sentence when the name
 * is taken or invalid, the URL cannot be used, or the file cannot be
 * written — the list is then unchanged). @url is normalized as
 * hearth_endpoint_normalize () does; "" only for the Ollama on this computer. */
HearthServer   *hearth_servers_add              (HearthServers       *self,
                                                 const char          *name,
                                                 const char          *url,
                                                 HearthApiKind        api,
                                                 gboolean             cloud,
                                                 const char          *preset,
                                                 GError             **error);
gboolean        hearth_servers_edit             (HearthServers       *self,
                                                 const char          *name,
                                                 const char          *new_name,
                                                 const char          *url,
                                                 HearthApiKind        api,
                                                 gboolean             cloud,
                                                 GError             **error);
/* Removing a server also drops it from the fallback chain; the last
 * server can be removed (Hearth then says there is no server). */
gboolean        hearth_servers_remove           (HearthServers       *self,
                                                 const char          *name,
                                                 GError             **error);
/* 0 keeps the default (see hearth_server_get_concurrency ()). */
gboolean        hearth_servers_set_queue_limits (HearthServers       *self,
                                                 const char          *name,
                                                 guint                concurrency,
                                                 guint                bound,
                                                 GError             **error);
gboolean        hearth_servers_set_enabled      (HearthServers       *self,
                                                 const char          *name,
                                                 gboolean             enabled,
                                                 GError             **error);
/* Moves @name to @position (0 = first, the default server). */
gboolean        hearth_servers_move             (HearthServers       *self,
                                                 const char          *name,
                                                 guint                position,
                                                 GError             **error);

/* Keys: stored in the Secret Service under the server's endpoint (NULL or
 * "" forgets it); the server's provider takes the new key at once. */
void            hearth_servers_set_key_async    (HearthServers       *self,
                                                 const char          *name,
                                                 const char          *key,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean        hearth_servers_set_key_finish   (HearthServers       *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
/* Whether the keyring holds a key for it (the key itself is never returned). */
void            hearth_servers_has_key_async    (HearthServers       *self,
                                                 const char          *name,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean        hearth_servers_has_key_finish   (HearthServers       *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* The fallback chain: server names in the user's order; empty = off. When
 * a request cannot start on its server (unreachable, 5xx before the first
 * token, the model missing there, or its breaker open), it goes to the next
 * server of the chain that is available and has the same model or the
 * model's substitute. A cloud server is only ever used when it is in the
 * chain. A failure after the first token is never retried elsewhere. */
char          **hearth_servers_get_fallback     (HearthServers       *self);
gboolean        hearth_servers_set_fallback     (HearthServers       *self,
                                                 const char * const  *names,
                                                 GError             **error);

typedef struct
{
  char *model;          /* "llama3.2:3b" */
  char *substitute;     /* what to ask for elsewhere: "gpt-4o-mini" */
} HearthSubstitute;

void            hearth_substitute_free          (HearthSubstitute    *substitute);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthSubstitute, hearth_substitute_free)

/* Of HearthSubstitute, sorted by model. */
GPtrArray      *hearth_servers_list_substitutes (HearthServers       *self);
/* The substitute for @model, or NULL. */
const char     *hearth_servers_get_substitute   (HearthServers       *self,
                                                 const char          *model);
/* @substitute NULL or "" removes it. */
gboolean        hearth_servers_set_substitute   (HearthServers       *self,
                                                 const char          *model,
                                                 const char          *substitute,
                                                 GError             **error);

/* Health. A probe is the cheapest call each API has (Ollama: GET
 * /api/version; OpenAI-compatible and Anthropic: GET /v1/models), timed;
 * it sets the server's state, latency and last error, and closes its
 * breaker when it succeeds. @name NULL probes every enabled server at once. */
void            hearth_servers_probe_async      (HearthServers       *self,
                                                 const char          *name,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean        hearth_servers_probe_finish     (HearthServers       *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
/* Probes enabled servers on a schedule (the app does this; the CLI probes
 * once): each at once, then, while down or its breaker is open (a probe or
 * a request failed), backing off 10 s → 20 s → … → 5 min until it answers.
 * A server that answers is probed again every 60 s only while someone holds
 * the health (hearth_servers_hold_health): an idle app is not woken to
 * re-check servers that work. Idempotent. HEARTH_PROBE_INTERVAL_MS
 * overrides the 60 s (tests). */
void            hearth_servers_start_monitoring (HearthServers       *self);
void            hearth_servers_stop_monitoring  (HearthServers       *self);
/* Something shows or needs every server's health as it is now (the gateway
 * serving other programs, a page showing the servers): servers that answer
 * are probed every minute too, starting now. Counted; release each hold. */
void            hearth_servers_hold_health      (HearthServers       *self);
void            hearth_servers_release_health   (HearthServers       *self);
/* When the next scheduled probe of @server is due (monotonic µs), or 0. */
gint64          hearth_servers_get_next_probe_us (HearthServers      *self,
                                                  HearthServer       *server);

/* The models of every enabled server (or every server), asked at once. */
typedef struct
{
  HearthServer *server;   /* a reference */
  GPtrArray    *models;   /* HearthModelInfo; NULL when the server failed */
  GError       *error;    /* why it failed, or NULL */
} HearthServerModels;

void            hearth_server_models_free       (HearthServerModels  *models);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthServerModels, hearth_server_models_free)

void            hearth_servers_list_models_async  (HearthServers       *self,
                                                   gboolean             include_disabled,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
/* Of HearthServerModels, in the list's order. */
GPtrArray      *hearth_servers_list_models_finish (HearthServers       *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

G_END_DECLS

/* Servers Hearth runs itself (needs HearthServers above). */
#include "hearth-managed.h"
