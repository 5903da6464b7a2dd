/* hearth-server.c — one server of the user's list, with its health
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-servers"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hearth-endpoint.h"
#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-servers-impl.h"

struct _HearthServer
{
  GObject            parent_instance;

  HearthEngine      *engine;      /* not referenced */
  char              *name;
  char              *url;
  char              *endpoint;
  HearthApiKind      api;
  gboolean           cloud;
  gboolean           enabled;
  char              *preset;
  GSettings         *follow;
  guint              concurrency;   /* 0: the default */
  guint              queue_bound;   /* 0: the default */

  HearthServerState  state;
  double             latency_ms;
  char              *last_error;
  gint64             last_probe_ms;
  gint64             state_since_ms;
  guint              failures;
  gboolean           breaker_open;

  /* Managed (hearth-managed.h): configuration… */
  HearthManagedKind  managed;
  char              *command;
  char              *model_file;
  char              *models_dir;
  gboolean           keep;
  gboolean           demo;
  /* …and the process, as this process sees it */
  HearthProcessState process_state;
  int                pid;
  guint              restarts;
  char              *process_message;
};

G_DEFINE_FINAL_TYPE (HearthServer, hearth_server, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_URL,
  PROP_ENDPOINT,
  PROP_API,
  PROP_CLOUD,
  PROP_ENABLED,
  PROP_PRESET,
  PROP_STATE,
  PROP_LATENCY_MS,
  PROP_LAST_ERROR,
  PROP_LAST_PROBE_MS,
  PROP_STATE_SINCE_MS,
  PROP_FAILURES,
  PROP_BREAKER_OPEN,
  PROP_CONCURRENCY,
  PROP_QUEUE_BOUND,
  PROP_MANAGED,
  PROP_DEMO,
  PROP_KEEP,
  PROP_COMMAND,
  PROP_MODEL_FILE,
  PROP_MODELS_DIR,
  PROP_PROCESS_STATE,
  PROP_PID,
  PROP_RESTARTS,
  PROP_PROCESS_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
hearth_server_finalize (GObject *object)
{
  HearthServer *self = (HearthServer *)object;

  g_free (self->name);
  g_free (self->url);
  g_free (self->endpoint);
  g_free (self->preset);
  g_free (self->last_error);
  g_free (self->command);
  g_free (self->model_file);
  g_free (self->models_dir);
  g_free (self->process_message);
  g_clear_object (&self->follow);

  G_OBJECT_CLASS (hearth_server_parent_class)->finalize (object);
}

static void
hearth_server_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  HearthServer *self = HEARTH_SERVER (object);

  switch (prop_id)
    {
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_URL: g_value_set_string (value, self->url); break;
    case PROP_ENDPOINT: g_value_set_string (value, hearth_server_get_endpoint (self)); break;
    case PROP_API: g_value_set_uint (value, self->api); break;
    case PROP_CLOUD: g_value_set_boolean (value, self->cloud); break;
    case PROP_ENABLED: g_value_set_boolean (value, self->enabled); break;
    case PROP_PRESET: g_value_set_string (value, self->preset); break;
    case PROP_STATE: g_value_set_uint (value, self->state); break;
    case PROP_LATENCY_MS: g_value_set_double (value, self->latency_ms); break;
    case PROP_LAST_ERROR: g_value_set_string (value, self->last_error); break;
    case PROP_LAST_PROBE_MS: g_value_set_int64 (value, self->last_probe_ms); break;
    case PROP_STATE_SINCE_MS: g_value_set_int64 (value, self->state_since_ms); break;
    case PROP_FAILURES: g_value_set_uint (value, self->failures); break;
    case PROP_BREAKER_OPEN: g_value_set_boolean (value, self->breaker_open); break;
    case PROP_CONCURRENCY: g_value_set_uint (value, hearth_server_get_concurrency (self)); break;
    case PROP_QUEUE_BOUND: g_value_set_uint (value, hearth_server_get_queue_bound (self)); break;
    case PROP_MANAGED: g_value_set_uint (value, self->managed); break;
    case PROP_DEMO: g_value_set_boolean (value, self->demo); break;
    case PROP_KEEP: g_value_set_boolean (value, self->keep); break;
    case PROP_COMMAND: g_value_set_string (value, self->command); break;
    case PROP_MODEL_FILE: g_value_set_string (value, self->model_file); break;
    case PROP_MODELS_DIR: g_value_set_string (value, self->models_dir); break;
    case PROP_PROCESS_STATE: g_value_set_uint (value, self->process_state); break;
    case PROP_PID: g_value_set_int (value, self->pid); break;
    case PROP_RESTARTS: g_value_set_uint (value, self->restarts); break;
    case PROP_PROCESS_MESSAGE: g_value_set_string (value, hearth_server_get_process_message (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hearth_server_class_init (HearthServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = hearth_server_finalize;
  object_class->get_property = hearth_server_get_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_URL] = g_param_spec_string ("url", NULL, NULL, NULL, flags);
  properties[PROP_ENDPOINT] = g_param_spec_string ("endpoint", NULL, NULL, NULL, flags);
  properties[PROP_API] = g_param_spec_uint ("api", NULL, NULL, 0, HEARTH_API_ANTHROPIC,
                                            HEARTH_API_OLLAMA, flags);
  properties[PROP_CLOUD] = g_param_spec_boolean ("cloud", NULL, NULL, FALSE, flags);
  properties[PROP_ENABLED] = g_param_spec_boolean ("enabled", NULL, NULL, TRUE, flags);
  properties[PROP_PRESET] = g_param_spec_string ("preset", NULL, NULL, NULL, flags);
  properties[PROP_STATE] = g_param_spec_uint ("state", NULL, NULL, 0, HEARTH_SERVER_STATE_DOWN,
                                              HEARTH_SERVER_STATE_UNKNOWN, flags);
  properties[PROP_LATENCY_MS] = g_param_spec_double ("latency-ms", NULL, NULL, -1, G_MAXDOUBLE,
                                                     -1, flags);
  properties[PROP_LAST_ERROR] = g_param_spec_string ("last-error", NULL, NULL, NULL, flags);
  properties[PROP_LAST_PROBE_MS] = g_param_spec_int64 ("last-probe-ms", NULL, NULL, 0, G_MAXINT64,
                                                       0, flags);
  properties[PROP_STATE_SINCE_MS] = g_param_spec_int64 ("state-since-ms", NULL, NULL, 0, G_MAXINT64,
                                                        0, flags);
  properties[PROP_FAILURES] = g_param_spec_uint ("failures", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_BREAKER_OPEN] = g_param_spec_boolean ("breaker-open", NULL, NULL, FALSE, flags);
  properties[PROP_CONCURRENCY] = g_param_spec_uint ("concurrency", NULL, NULL, 1, G_MAXUINT,
                                                    HEARTH_SERVER_LOCAL_CONCURRENCY, flags);
  properties[PROP_QUEUE_BOUND] = g_param_spec_uint ("queue-bound", NULL, NULL, 0, G_MAXUINT,
                                                    HEARTH_SERVER_LOCAL_QUEUE_BOUND, flags);
  properties[PROP_MANAGED] = g_param_spec_uint ("managed", NULL, NULL, 0, HEARTH_MANAGED_ENGINE,
                                                HEARTH_MANAGED_NONE, flags);
  properties[PROP_DEMO] = g_param_spec_boolean ("demo", NULL, NULL, FALSE, flags);
  properties[PROP_KEEP] = g_param_spec_boolean ("keep", NULL, NULL, FALSE, flags);
  properties[PROP_COMMAND] = g_param_spec_string ("command", NULL, NULL, NULL, flags);
  properties[PROP_MODEL_FILE] = g_param_spec_string ("model-file", NULL, NULL, NULL, flags);
  properties[PROP_MODELS_DIR] = g_param_spec_string ("models-dir", NULL, NULL, NULL, flags);
  properties[PROP_PROCESS_STATE] = g_param_spec_uint ("process-state", NULL, NULL, 0,
                                                      HEARTH_PROCESS_FAILED,
                                                      HEARTH_PROCESS_STOPPED, flags);
  properties[PROP_PID] = g_param_spec_int ("pid", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_RESTARTS] = g_param_spec_uint ("restarts", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_PROCESS_MESSAGE] = g_param_spec_string ("process-message", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hearth_server_init (HearthServer *self)
{
  self->url = g_strdup ("");
  self->endpoint = g_strdup (HEARTH_DEFAULT_ENDPOINT);
  self->enabled = TRUE;
  self->latency_ms = -1;
}

HearthServer *
_hearth_server_new (HearthEngine *engine,
                    const char   *name)
{
  HearthServer *self = g_object_new (HEARTH_TYPE_SERVER, NULL);

  self->engine = engine;
  self->name = g_strdup (name);
  return self;
}

void
_hearth_server_set_engine (HearthServer *self,
                           HearthEngine *engine)
{
  self->engine = engine;
}

void
_hearth_server_set_name (HearthServer *self,
                         const char   *name)
{
  if (hearth_set_str (&self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

char *
_hearth_server_resolve_endpoint_source (HearthServer         *self,
                                        HearthAddressSource  *source,
                                        GError              **error)
{
  /* "": this computer's Ollama, wherever OLLAMA_HOST says it listens;
   * migrating: the rule of the single-server Hearth, to the letter. */
  return _hearth_server_address_resolve (self->url, self->api, self->follow, source, error);
}

char *
_hearth_server_resolve_endpoint (HearthServer  *self,
                                 GError       **error)
{
  return _hearth_server_resolve_endpoint_source (self, NULL, error);
}

/* The address may follow OLLAMA_HOST or the settings: read it again. */
static void
refresh_endpoint (HearthServer *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *endpoint = _hearth_server_resolve_endpoint (self, &error);

  /* A bad OLLAMA_HOST: requests fail saying so (the engine resolves it
   * again); the address shown stays a real one. */
  if (endpoint == NULL)
    return;
  if (g_strcmp0 (endpoint, self->endpoint) != 0)
    {
      g_free (self->endpoint);
      self->endpoint = g_steal_pointer (&endpoint);
    }
}

void
_hearth_server_configure (HearthServer  *self,
                          const char    *url,
                          HearthApiKind  api,
                          gboolean       cloud,
                          gboolean       enabled,
                          const char    *preset,
                          GSettings     *follow)
{
  GObject *object = G_OBJECT (self);
  g_autofree char *old_endpoint = g_strdup (self->endpoint);

  g_object_freeze_notify (object);
  g_set_object (&self->follow, follow);
  if (hearth_set_str (&self->url, url ? url : ""))
    g_object_notify_by_pspec (object, properties[PROP_URL]);
  if (self->api != api)
    {
      self->api = api;
      g_object_notify_by_pspec (object, properties[PROP_API]);
    }
  if (self->cloud != cloud)
    {
      self->cloud = cloud;
      g_object_notify_by_pspec (object, properties[PROP_CLOUD]);
    }
  _hearth_server_set_enabled (self, enabled);
  if (hearth_set_str (&self->preset, preset && *preset ? preset : NULL))
    g_object_notify_by_pspec (object, properties[PROP_PRESET]);
  refresh_endpoint (self);
  if (g_strcmp0 (old_endpoint, self->endpoint) != 0)
    g_object_notify_by_pspec (object, properties[PROP_ENDPOINT]);
  g_object_thaw_notify (object);
}

void
_hearth_server_set_enabled (HearthServer *self,
                            gboolean      enabled)
{
  if (self->enabled == !!enabled)
    return;
  self->enabled = !!enabled;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
  /* "Not running — … turn on “Start with Hearth”" follows it. */
  if (self->managed != HEARTH_MANAGED_NONE && self->process_message == NULL)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROCESS_MESSAGE]);
}

const char *
hearth_server_get_name (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), NULL);
  return self->name;
}

const char *
hearth_server_get_url (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), NULL);
  return self->url;
}

const char *
hearth_server_get_endpoint (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), NULL);
  if (self->follow != NULL || self->url[0] == '\0')
    refresh_endpoint (self);
  return self->endpoint;
}

HearthApiKind
hearth_server_get_api (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), HEARTH_API_OLLAMA);
  return self->api;
}

gboolean
hearth_server_get_cloud (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), FALSE);
  return self->cloud;
}

guint
hearth_server_get_concurrency (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), HEARTH_SERVER_LOCAL_CONCURRENCY);
  if (self->concurrency > 0)
    return self->concurrency;
  return self->cloud ? HEARTH_SERVER_CLOUD_CONCURRENCY : HEARTH_SERVER_LOCAL_CONCURRENCY;
}

guint
hearth_server_get_queue_bound (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), HEARTH_SERVER_LOCAL_QUEUE_BOUND);
  if (self->queue_bound > 0)
    return self->queue_bound;
  return self->cloud ? HEARTH_SERVER_CLOUD_QUEUE_BOUND : HEARTH_SERVER_LOCAL_QUEUE_BOUND;
}

void
_hearth_server_get_queue_limits (HearthServer *self,
                                 guint        *concurrency,
                                 guint        *bound)
{
  *concurrency = self->concurrency;
  *bound = self->queue_bound;
}

void
_hearth_server_set_queue_limits (HearthServer *self,
                                 guint         concurrency,
                                 guint         bound)
{
  GObject *object = G_OBJECT (self);

  g_object_freeze_notify (object);
  if (self->concurrency != concurrency)
    {
      self->concurrency = concurrency;
      g_object_notify_by_pspec (object, properties[PROP_CONCURRENCY]);
    }
  if (self->queue_bound != bound)
    {
      self->queue_bound = bound;
      g_object_notify_by_pspec (object, properties[PROP_QUEUE_BOUND]);
    }
  g_object_thaw_notify (object);
}

gboolean
hearth_server_get_enabled (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), FALSE);
  return self->enabled;
}

const char *
hearth_server_get_preset (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), NULL);
  return self->preset;
}

/* As hearth-provider.c reads the environment: HEARTH_API_KEY first, then
 * the variable of the server's own ecosystem. */
const char *
hearth_server_get_key_env (HearthServer *self)
{
  const char *ecosystem = NULL;

  g_return_val_if_fail (HEARTH_IS_SERVER (self), NULL);

  if (g_strcmp0 (g_getenv ("HEARTH_API_KEY"), "") > 0)
    return "HEARTH_API_KEY";
  if (self->api == HEARTH_API_OPENAI)
    ecosystem = "OPENAI_API_KEY";
  else if (self->api == HEARTH_API_ANTHROPIC)
    ecosystem = "ANTHROPIC_API_KEY";
  if (ecosystem != NULL && g_strcmp0 (g_getenv (ecosystem), "") > 0)
    return ecosystem;
  return NULL;
}

/* Returns: (transfer none) (nullable): NULL only once the engine is gone */
HearthProvider *
hearth_server_get_provider (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), NULL);
  if (self->engine == NULL)
    return NULL;
  return hearth_engine_get_provider (self->engine, self->api, hearth_server_get_endpoint (self));
}

HearthServerState
hearth_server_get_state (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), HEARTH_SERVER_STATE_UNKNOWN);
  return self->state;
}

double
hearth_server_get_latency_ms (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), -1);
  return self->latency_ms;
}

const char *
hearth_server_get_last_error (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), NULL);
  return self->last_error;
}

gint64
hearth_server_get_last_probe_ms (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), 0);
  return self->last_probe_ms;
}

gint64
hearth_server_get_state_since_ms (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), 0);
  return self->state_since_ms;
}

guint
hearth_server_get_failures (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), 0);
  return self->failures;
}

gboolean
hearth_server_get_breaker_open (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), FALSE);
  return self->breaker_open;
}

gboolean
hearth_server_is_available (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), FALSE);
  return self->enabled && !self->breaker_open;
}

const char *
hearth_server_state_to_string (HearthServerState state)
{
  switch (state)
    {
    case HEARTH_SERVER_STATE_UP:
      return "up";
    case HEARTH_SERVER_STATE_DEGRADED:
      return "degraded";
    case HEARTH_SERVER_STATE_DOWN:
      return "down";
    case HEARTH_SERVER_STATE_UNKNOWN:
    default:
      return "unknown";
    }
}

/* Health */

static void
set_state (HearthServer      *self,
           HearthServerState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  self->state_since_ms = g_get_real_time () / 1000;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE_SINCE_MS]);
}

static void
set_failures (HearthServer *self,
              guint         failures)
{
  gboolean open = failures >= HEARTH_SERVER_BREAKER_FAILURES;

  if (self->failures != failures)
    {
      self->failures = failures;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILURES]);
    }
  /* Only a success closes it (a probe, half-open): see record_probe. */
  if (open && !self->breaker_open)
    {
      self->breaker_open = TRUE;
      g_debug ("Server %s skipped until it answers again (%u failures in a row)",
                 self->name, failures);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BREAKER_OPEN]);
    }
  else if (failures == 0 && self->breaker_open)
    {
      self->breaker_open = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BREAKER_OPEN]);
    }
}

static void
set_last_error (HearthServer *self,
                const GError *error)
{
  g_autofree char *text = error != NULL ? hearth_error_describe (error) : NULL;

  if (hearth_set_str (&self->last_error, text))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

static void
set_latency (HearthServer *self,
             double        latency_ms)
{
  if (latency_ms < 0 || self->latency_ms == latency_ms)
    return;
  self->latency_ms = latency_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LATENCY_MS]);
}

/* It answered, but refused (401/403) or asked to slow down (429). */
static gboolean
error_is_refusal (const GError *error)
{
  return g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_UNAUTHORIZED) ||
         g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_RATE_LIMITED) ||
         g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_KEY);
}

gboolean
_hearth_server_error_is_down (const GError *error)
{
  static const HearthErrorCode down[] = {
    HEARTH_ERROR_CONNECTION_REFUSED, HEARTH_ERROR_HOST_NOT_FOUND, HEARTH_ERROR_TIMEOUT,
    HEARTH_ERROR_TLS, HEARTH_ERROR_SERVER_BUSY, HEARTH_ERROR_SERVER_ERROR,
    HEARTH_ERROR_BROKEN_STREAM, HEARTH_ERROR_MALFORMED_STREAM, HEARTH_ERROR_FAILED,
  };

  if (error == NULL || error->domain != HEARTH_ERROR)
    return error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  for (guint i = 0; i < G_N_ELEMENTS (down); i++)
    if (error->code == (int) down[i])
      return TRUE;
  return FALSE;
}

/**
 * _hearth_server_record_success:
 * @latency_ms: how long it took to answer, or negative when not measured
 *
 * A request started: the server is up, and its breaker closes.
 */
void
_hearth_server_record_success (HearthServer *server,
                               double        latency_ms)
{
  g_return_if_fail (HEARTH_IS_SERVER (server));

  g_object_freeze_notify (G_OBJECT (server));
  set_failures (server, 0);
  set_last_error (server, NULL);
  /* A long first token is the model's time, not a slow server: only
   * probes say "degraded" for slowness. */
  set_state (server, HEARTH_SERVER_STATE_UP);
  g_object_thaw_notify (G_OBJECT (server));
}

/**
 * _hearth_server_record_failure:
 * @error: why a request could not start there
 *
 * Unreachable, timed out or 5xx: the server is down, one more failure in
 * a row (the breaker opens at HEARTH_SERVER_BREAKER_FAILURES). A refusal
 * (401/403/429) leaves it degraded; a missing model or a cancelled
 * request says nothing about the server.
 */
void
_hearth_server_record_failure (HearthServer *server,
                               const GError *error)
{
  g_return_if_fail (HEARTH_IS_SERVER (server));
  g_return_if_fail (error != NULL);

  g_object_freeze_notify (G_OBJECT (server));
  if (error_is_refusal (error))
    {
      set_last_error (server, error);
      set_state (server, HEARTH_SERVER_STATE_DEGRADED);
    }
  else if (_hearth_server_error_is_down (error))
    {
      set_last_error (server, error);
      set_state (server, HEARTH_SERVER_STATE_DOWN);
      set_failures (server, server->failures + 1);
    }
  g_object_thaw_notify (G_OBJECT (server));
}

void
_hearth_server_record_probe (HearthServer *self,
                             double        latency_ms,
                             const GError *error)
{
  g_object_freeze_notify (G_OBJECT (self));
  self->last_probe_ms = g_get_real_time () / 1000;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_PROBE_MS]);
  if (error == NULL || error_is_refusal (error))
    {
      /* It answered: half-open → closed. */
      set_latency (self, latency_ms);
      set_failures (self, 0);
      set_last_error (self, error);
      set_state (self, error != NULL || latency_ms > HEARTH_SERVER_SLOW_MS
                       ? HEARTH_SERVER_STATE_DEGRADED : HEARTH_SERVER_STATE_UP);
    }
  else
    {
      _hearth_server_record_failure (self, error);
      /* Anything else it answered (a 404: not the API it was said to
       * speak) is no use either. */
      if (!_hearth_server_error_is_down (error))
        {
          set_last_error (self, error);
          set_state (self, HEARTH_SERVER_STATE_DOWN);
          set_failures (self, self->failures + 1);
        }
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static char *
format_since (gint64 unix_ms)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (unix_ms / 1000);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (time == NULL)
    return g_strdup ("");
  if (g_date_time_get_day_of_year (time) == g_date_time_get_day_of_year (now) &&
      g_date_time_get_year (time) == g_date_time_get_year (now))
    /* Translators: a time today, see g_date_time_format() */
    return g_date_time_format (time, _("%H:%M"));
  /* Translators: a date and time, "Dec 7, 14:02", see g_date_time_format() */
  return g_date_time_format (time, _("%b %-d, %H:%M"));
}

/**
 * hearth_server_describe_state:
 *
 * Returns: (transfer full): one line on the server's health, for a list or
 *   `hearth-cli servers`: "Up · 12 ms", "Down since 14:02 — …"
 */
char *
hearth_server_describe_state (HearthServer *self)
{
  g_autofree char *since = NULL;
  g_autofree char *latency = NULL;

  g_return_val_if_fail (HEARTH_IS_SERVER (self), NULL);

  if (!self->enabled)
    return g_strdup ("Disabled");
  if (self->breaker_open)
    return g_strdup_printf (_("Skipped until it answers again (%u failures in a row)%s%s"),
                            self->failures, self->last_error ? " — " : "",
                            self->last_error ? self->last_error : "");
  since = format_since (self->state_since_ms);
  if (self->latency_ms >= 0)
    latency = g_strdup_printf (_(" · %.0f ms"), self->latency_ms);
  switch (self->state)
    {
    case HEARTH_SERVER_STATE_UP:
      return g_strdup_printf ("Up%s", latency ? latency : "");
    case HEARTH_SERVER_STATE_DEGRADED:
      if (self->last_error != NULL)
        return g_strdup_printf (_("Answers, but not well since %s — %s"), since, self->last_error);
      return g_strdup_printf (_("Slow%s (more than %.0f s to answer)"), latency ? latency : "",
                              HEARTH_SERVER_SLOW_MS / 1000);
    case HEARTH_SERVER_STATE_DOWN:
      return g_strdup_printf (_("Down since %s%s%s"), since, self->last_error ? " — " : "",
                              self->last_error ? self->last_error : "");
    case HEARTH_SERVER_STATE_UNKNOWN:
    default:
      return g_strdup (_("Not checked yet"));
    }
}

/* Managed servers (hearth-managed.h) */

void
_hearth_server_configure_managed (HearthServer      *self,
                                  HearthManagedKind  kind,
                                  const char        *command,
                                  const char        *model_file,
                                  const char        *models_dir,
                                  gboolean           keep,
                                  gboolean           demo)
{
  GObject *object = G_OBJECT (self);

  g_object_freeze_notify (object);
  if (self->managed != kind)
    {
      self->managed = kind;
      g_object_notify_by_pspec (object, properties[PROP_MANAGED]);
      g_object_notify_by_pspec (object, properties[PROP_PROCESS_MESSAGE]);
    }
  if (hearth_set_str (&self->command, command && *command ? command : NULL))
    g_object_notify_by_pspec (object, properties[PROP_COMMAND]);
  if (hearth_set_str (&self->model_file, model_file && *model_file ? model_file : NULL))
    g_object_notify_by_pspec (object, properties[PROP_MODEL_FILE]);
  if (hearth_set_str (&self->models_dir, models_dir && *models_dir ? models_dir : NULL))
    g_object_notify_by_pspec (object, properties[PROP_MODELS_DIR]);
  _hearth_server_set_keep (self, keep);
  if (self->demo != !!demo)
    {
      self->demo = !!demo;
      g_object_notify_by_pspec (object, properties[PROP_DEMO]);
    }
  g_object_thaw_notify (object);
}

void
_hearth_server_set_keep (HearthServer *self,
                         gboolean      keep)
{
  if (self->keep == !!keep)
    return;
  self->keep = !!keep;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEEP]);
}

void
_hearth_server_set_process (HearthServer       *self,
                            HearthProcessState  state,
                            int                 pid,
                            const char         *message)
{
  GObject *object = G_OBJECT (self);

  g_object_freeze_notify (object);
  if (self->process_state != state)
    {
      self->process_state = state;
      g_object_notify_by_pspec (object, properties[PROP_PROCESS_STATE]);
    }
  if (self->pid != pid)
    {
      self->pid = pid;
      g_object_notify_by_pspec (object, properties[PROP_PID]);
    }
  if (hearth_set_str (&self->process_message, message))
    g_object_notify_by_pspec (object, properties[PROP_PROCESS_MESSAGE]);
  g_object_thaw_notify (object);
}

void
_hearth_server_set_restarts (HearthServer *self,
                             guint         restarts)
{
  if (self->restarts == restarts)
    return;
  self->restarts = restarts;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESTARTS]);
}

HearthManagedKind
hearth_server_get_managed (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), HEARTH_MANAGED_NONE);
  return self->managed;
}

gboolean
hearth_server_get_demo (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), FALSE);
  return self->demo;
}

gboolean
hearth_server_get_keep (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), FALSE);
  return self->keep;
}

const char *
hearth_server_get_command (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), NULL);
  return self->command;
}

const char *
hearth_server_get_model_file (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), NULL);
  return self->model_file;
}

const char *
hearth_server_get_models_dir (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), NULL);
  return self->models_dir;
}

HearthProcessState
hearth_server_get_process_state (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), HEARTH_PROCESS_STOPPED);
  return self->process_state;
}

int
hearth_server_get_pid (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), 0);
  return self->pid;
}

guint
hearth_server_get_restarts (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), 0);
  return self->restarts;
}

/**
 * hearth_server_get_process_message:
 *
 * Returns: (nullable): one sentence on the process; NULL for a server
 *   Hearth does not run
 */
const char *
hearth_server_get_process_message (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), NULL);
  if (self->managed == HEARTH_MANAGED_NONE)
    return NULL;
  if (self->process_message != NULL)
    return self->process_message;
  return self->enabled ? _("Not running — Start it")
                       : _("Not running — Start it, or turn on “Start with Hearth”");
}

char *
hearth_server_get_log_path (HearthServer *self)
{
  g_autofree char *file = NULL;

  g_return_val_if_fail (HEARTH_IS_SERVER (self), NULL);
  file = g_strconcat (self->name, ".log", NULL);
  return g_build_filename (g_get_user_state_dir (), "hearth", "logs", file, NULL);
}
