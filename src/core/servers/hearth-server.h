/* hearth-server.h — one server of the user's list, with its health
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hearth-provider.h"
#include "hearth-types.h"

G_BEGIN_DECLS

typedef enum
{
  HEARTH_SERVER_STATE_UNKNOWN,   /* not probed yet */
  HEARTH_SERVER_STATE_UP,        /* the last probe or request worked */
  HEARTH_SERVER_STATE_DEGRADED,  /* it answers, but slowly (probe > 2 s) or refuses
                                  * (401/403/429): requests may still work */
  HEARTH_SERVER_STATE_DOWN,      /* unreachable, timed out, or 5xx */
} HearthServerState;

/* Where the address a server's requests go to comes from. */
typedef enum
{
  HEARTH_ADDRESS_TYPED,        /* the address in servers.conf, as the user gave it */
  HEARTH_ADDRESS_OLLAMA_HOST,  /* url= empty (this computer's Ollama) and OLLAMA_HOST set */
  HEARTH_ADDRESS_SETTINGS,     /* no servers.conf yet: the settings' "endpoint" */
  HEARTH_ADDRESS_USUAL,        /* url= empty, no OLLAMA_HOST: http://127.0.0.1:11434 */
  HEARTH_ADDRESS_MANAGED,      /* a server Hearth runs: the port Hearth chose */
} HearthAddressSource;

/* A preset in the "Add Server" list: the usual address filled in. */
typedef struct
{
  const char    *id;            /* "ollama", "openai", "anthropic", "groq", "openrouter",
                                 * "lmstudio", "llamacpp", "vllm" */
  const char    *title;         /* "OpenAI", "LM Studio", … */
  const char    *name;          /* a suggested server name: "openai", "lm-studio" */
  const char    *url;
  HearthApiKind  api;
  gboolean       cloud;
  gboolean       needs_key;
  const char    *key_env;       /* the environment variable its ecosystem reads, or NULL */
  const char    *description;   /* one line for the list */
} HearthServerPreset;

const HearthServerPreset *hearth_server_presets        (guint              *n_presets);
const HearthServerPreset *hearth_server_preset_find    (const char         *id);

#define HEARTH_TYPE_SERVER (hearth_server_get_type ())

G_DECLARE_FINAL_TYPE (HearthServer, hearth_server, HEARTH, SERVER, GObject)

/* Configuration (read-only here: change it through HearthServers, which
 * saves it). Properties: "name", "url", "endpoint", "api", "cloud",
 * "enabled", "preset"; and the health ones below, which notify as they
 * change (bind the server list and the model picker to them). */
const char        *hearth_server_get_name          (HearthServer *self);
/* As the user gave it; "" for "this computer's Ollama" (OLLAMA_HOST when
 * set, else http://127.0.0.1:11434), the first entry's default. */
const char        *hearth_server_get_url           (HearthServer *self);
/* The normalized address requests go to (never ""). */
const char        *hearth_server_get_endpoint      (HearthServer *self);
HearthApiKind      hearth_server_get_api           (HearthServer *self);
gboolean           hearth_server_get_cloud         (HearthServer *self);
gboolean           hearth_server_get_enabled       (HearthServer *self);
const char        *hearth_server_get_preset        (HearthServer *self);   /* nullable */
/* The environment variable that gives this server its key right now
 * (HEARTH_API_KEY, OPENAI_API_KEY, ANTHROPIC_API_KEY), or NULL. */
const char        *hearth_server_get_key_env       (HearthServer *self);
/* The provider that talks to it (owned by the engine; transfer none). */
HearthProvider    *hearth_server_get_provider      (HearthServer *self);

/* The queue in front of it (hearth_engine_list_queues ()): how many
 * requests it is sent at once, and how many other programs' requests may
 * wait (servers.conf keys Concurrency= and QueueBound=; defaults: 2 and
 * 32 for a server on this computer or the local network, 8 and 64 for a
 * cloud provider). Properties "concurrency", "queue-bound". */
guint              hearth_server_get_concurrency   (HearthServer *self);
guint              hearth_server_get_queue_bound   (HearthServer *self);

/* Health: properties "state", "latency-ms", "last-error", "breaker-open". */
HearthServerState  hearth_server_get_state         (HearthServer *self);
double             hearth_server_get_latency_ms    (HearthServer *self);  /* < 0: unknown */
const char        *hearth_server_get_last_error    (HearthServer *self);  /* nullable */
gint64             hearth_server_get_last_probe_ms (HearthServer *self);  /* unix ms, 0: never */
gint64             hearth_server_get_state_since_ms (HearthServer *self); /* unix ms, 0: never */
guint              hearth_server_get_failures      (HearthServer *self);  /* in a row */
/* The circuit breaker: open after HEARTH_SERVER_BREAKER_FAILURES failures
 * in a row; requests then skip this server until a probe succeeds. */
#define HEARTH_SERVER_BREAKER_FAILURES 3
gboolean           hearth_server_get_breaker_open  (HearthServer *self);
/* TRUE when a request may go to it: enabled and the breaker closed. */
gboolean           hearth_server_is_available      (HearthServer *self);

/* The address and its source: one rule for the Servers page, the server
 * dialog and hearth-cli (hearth-server-address.c). OLLAMA_HOST is read
 * again on each call. */
HearthAddressSource hearth_server_get_address_source (HearthServer *self);
/* "http://10.1.2.3:4567 (from OLLAMA_HOST)"; an address typed in, alone. */
char              *hearth_server_describe_address  (HearthServer *self);
/* What @url ("" for this computer's Ollama) stands for now, for a server
 * not saved yet; NULL with why for a bad address or OLLAMA_HOST. */
char              *hearth_server_address_for       (const char           *url,
                                                    HearthApiKind         api,
                                                    HearthAddressSource  *source,
                                                    GError              **error);
/* "typed", "ollama-host", "settings", "usual", "managed" (hearth-cli --json) */
const char        *hearth_address_source_to_string (HearthAddressSource  source);
/* "from OLLAMA_HOST", "this computer’s usual address for Ollama", "typed in"… */
const char        *hearth_address_source_describe  (HearthAddressSource  source,
                                                    HearthApiKind        api);
char              *hearth_address_describe         (const char          *address,
                                                    HearthAddressSource  source,
                                                    HearthApiKind        api);

const char        *hearth_server_state_to_string   (HearthServerState state); /* "up", … */
/* "Up · 12 ms", "Down since 14:02 — Could not connect to …", "Not checked yet",
 * "Skipped until it answers again (3 failures in a row)". */
char              *hearth_server_describe_state    (HearthServer *self);

G_END_DECLS
