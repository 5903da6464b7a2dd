/* hearth-engine.c — the one door: what it owns, and the rules both front ends follow
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hearth-endpoint.h"
#include "hearth-engine-private.h"
#include "hearth-error.h"

#define DEFAULT_TIMEOUT  300

G_DEFINE_FINAL_TYPE (HearthEngine, hearth_engine, G_TYPE_OBJECT)

enum {
  REPLY_RECORDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
hearth_engine_dispose (GObject *object)
{
  HearthEngine *self = (HearthEngine *)object;

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  if (self->sampler != NULL)
    g_signal_handlers_disconnect_by_data (self->sampler, self);
  g_clear_pointer (&self->alerts, _hearth_engine_alerts_free);
  /* Probes in flight hold the list: it lets go of the engine now. */
  if (self->servers != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->servers, self);
      g_object_run_dispose (G_OBJECT (self->servers));
    }
  g_clear_object (&self->servers);
  g_clear_object (&self->tuning);
  g_clear_pointer (&self->unsaved, g_hash_table_unref);
  g_clear_pointer (&self->providers, g_hash_table_unref);
  g_clear_object (&self->session);
  g_clear_object (&self->local_session);
  g_clear_object (&self->resource_history);
  g_clear_object (&self->sampler);
  g_clear_object (&self->store);
  g_clear_object (&self->cache);
  g_clear_object (&self->settings);
  g_mutex_lock (&self->reader_lock);
  g_clear_object (&self->reader);
  g_mutex_unlock (&self->reader_lock);

  G_OBJECT_CLASS (hearth_engine_parent_class)->dispose (object);
}

static void
hearth_engine_finalize (GObject *object)
{
  HearthEngine *self = (HearthEngine *)object;

  g_clear_error (&self->store_error);
  g_free (self->cache_warning);
  g_free (self->shared_cache_warning);
  g_mutex_clear (&self->reader_lock);

  G_OBJECT_CLASS (hearth_engine_parent_class)->finalize (object);
}

static void
hearth_engine_class_init (HearthEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hearth_engine_dispose;
  object_class->finalize = hearth_engine_finalize;

  /**
   * HearthEngine::reply-recorded:
   * @reply: the finished reply
   *
   * A reply finished (done, failed or cancelled) and its figures are in
   * the history: what the Performance page listens to.
   */
  signals[REPLY_RECORDED] =
    g_signal_new ("reply-recorded",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, HEARTH_TYPE_REPLY);
}

static void
hearth_engine_init (HearthEngine *self)
{
  g_autofree char *user_agent = g_strdup_printf ("Hearth/%s", PACKAGE_VERSION);

  g_mutex_init (&self->reader_lock);
  self->session = soup_session_new_with_options ("timeout", DEFAULT_TIMEOUT,
                                                 "user-agent", user_agent,
                                                 NULL);
  /* No proxy ever applies to this machine, and asking the proxy resolver
   * costs a thread hop (about a millisecond) before every local request. */
  self->local_session = soup_session_new_with_options ("timeout", DEFAULT_TIMEOUT,
                                                       "user-agent", user_agent,
                                                       "proxy-resolver", NULL,
                                                       NULL);
  self->providers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->unsaved = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) _hearth_chat_job_free);
}

void
_hearth_engine_emit_reply_recorded (HearthEngine *self,
                                    HearthReply  *reply)
{
  _hearth_engine_alerts_observe_reply (self, reply);
  g_signal_emit (self, signals[REPLY_RECORDED], 0, reply);
}

/**
 * hearth_engine_new:
 * @store: (nullable): the history, or %NULL to keep none
 *
 * An engine with no settings: the defaults and the environment decide.
 */
HearthEngine *
hearth_engine_new (HearthStore *store)
{
  HearthEngine *self;

  g_return_val_if_fail (store == NULL || HEARTH_IS_STORE (store), NULL);

  self = g_object_new (HEARTH_TYPE_ENGINE, NULL);
  self->store = store ? g_object_ref (store) : NULL;
  return self;
}

/* Settings: the cache, the sampler's server and the retention follow them. */

/* The tier several computers share (cache-shared-url): an address that
 * cannot be used is said in the cache's warning, and the local tiers go on. */
static void
apply_shared_cache (HearthEngine *self)
{
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;

  if (self->cache == NULL || self->settings == NULL)
    return;
  url = g_settings_get_string (self->settings, "cache-shared-url");
  g_clear_pointer (&self->shared_cache_warning, g_free);
  if (!hearth_cache_set_shared (self->cache, url, &error))
    self->shared_cache_warning = g_strdup_printf (_("%s. Answering from this computer's cache only."),
                                                  error->message);
}

/* A cache that cannot open is left out: Hearth answers without it. */
static void
apply_cache_settings (HearthEngine *self)
{
  GSettings *settings = self->settings;
  /* Without the settings schema (a CLI run from the build): its defaults. */
  guint64 max_bytes = (guint64) (settings ? g_settings_get_int (settings, "cache-max-mb") : 256) << 20;
  gint64 ttl = (gint64) (settings ? g_settings_get_int (settings, "cache-ttl-days") : 30) * 24 * 3600;
  gboolean all = settings != NULL && g_settings_get_boolean (settings, "cache-all-requests");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(HearthCache) opened = NULL;

  if (settings != NULL && !g_settings_get_boolean (settings, "cache-enabled"))
    {
      hearth_engine_set_cache (self, NULL, FALSE);
      return;
    }
  if (self->cache != NULL)
    {
      hearth_cache_set_limits (self->cache, max_bytes, ttl);
      self->cache_all = all;
      apply_shared_cache (self);
      return;
    }
  path = hearth_cache_default_path ();
  opened = hearth_cache_open (path, max_bytes, 32 << 20, ttl, &error);
  g_clear_pointer (&self->cache_warning, g_free);
  if (opened == NULL)
    {
      self->cache_warning = g_strdup_printf (_("%s. Answering without the cache."), error->message);
      return;
    }
  self->cache_warning = g_strdup (hearth_cache_get_warning (opened));
  hearth_engine_set_cache (self, opened, all);
  apply_shared_cache (self);
}

/* The sampler watches the inference server's process when the configured
 * server runs on this machine. */
static void
apply_sampler_port (HearthEngine *self)
{
  HearthProvider *provider;

  if (self->sampler == NULL)
    return;
  provider = hearth_engine_resolve_provider (self, NULL, NULL, NULL);
  hearth_sampler_set_server_port (self->sampler,
                                  provider != NULL
                                  ? hearth_endpoint_local_port (hearth_provider_get_endpoint (provider))
                                  : 0);
}

static void
apply_retention (HearthEngine *self)
{
  if (self->resource_history == NULL || self->settings == NULL)
    return;
  hearth_resource_history_set_minute_days (self->resource_history,
                                           g_settings_get_int (self->settings, "samples-minute-days"));
  hearth_resource_history_set_hour_days (self->resource_history,
                                         g_settings_get_int (self->settings, "samples-hour-days"));
}

static void
on_settings_changed (HearthEngine *self,
                     const char   *key)
{
  if (g_str_has_prefix (key, "cache-"))
    apply_cache_settings (self);
  else if (g_str_equal (key, "endpoint") || g_str_equal (key, "api-kind"))
    apply_sampler_port (self);
  else if (g_str_has_prefix (key, "samples-"))
    apply_retention (self);
  _hearth_engine_alerts_settings_changed (self, key);
}

/* The list of servers changed (here, in another process, or the settings
 * it follows): the sampler and the alerts follow the default server. */
void
_hearth_engine_servers_changed (HearthEngine *self)
{
  apply_sampler_port (self);
  _hearth_engine_alerts_settings_changed (self, "endpoint");
}

static void
on_sample (HearthSampler *sampler,
           HearthSample  *sample,
           HearthEngine  *self)
{
  g_autoptr(GError) error = NULL;

  /* A failed write (a full disk) loses a minute of graph, not the app. */
  if (self->resource_history != NULL
      && !hearth_resource_history_add (self->resource_history, sample, &error))
    g_message ("Resource samples not kept: %s", error->message);
  _hearth_engine_alerts_on_sample (self, sample);
}

static void
open_history (HearthEngine *self)
{
  g_autofree char *path = hearth_store_default_path ();

  /* Without its history Hearth still chats, and says why nothing is kept. */
  self->store = hearth_store_open (path, &self->store_error);
  if (self->store == NULL)
    g_debug ("History unavailable: %s", self->store_error->message);
}

/* CPU, memory and GPU use, every 10 s in the background and every second
 * while someone watches; kept per minute and hour. */
static void
start_sampler (HearthEngine *self)
{
  self->sampler = hearth_sampler_new ("/", 600);
  if (self->store != NULL)
    self->resource_history = hearth_resource_history_new (self->store);
  apply_sampler_port (self);
  apply_retention (self);
  _hearth_engine_alerts_settings_changed (self, "endpoint");
  g_signal_connect (self->sampler, "sample", G_CALLBACK (on_sample), self);
  hearth_sampler_start (self->sampler);
}

/**
 * hearth_engine_new_for_settings:
 * @settings: (nullable): the app's settings; %NULL for the defaults
 * @flags: what to open: the history, the cache, the sampler
 *
 * The engine both front ends use: it opens the history at its default
 * path, the response cache as the settings say, and samples the machine,
 * and follows the settings as they change. What could not open is said by
 * hearth_engine_get_store_error() and hearth_engine_get_cache_warning().
 */
HearthEngine *
hearth_engine_new_for_settings (GSettings         *settings,
                                HearthEngineFlags  flags)
{
  HearthEngine *self;

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (HEARTH_TYPE_ENGINE, NULL);
  self->settings = settings ? g_object_ref (settings) : NULL;
  if (flags & HEARTH_ENGINE_HISTORY)
    open_history (self);
  if (flags & HEARTH_ENGINE_CACHE)
    apply_cache_settings (self);
  if (self->settings != NULL)
    g_signal_connect_swapped (self->settings, "changed", G_CALLBACK (on_settings_changed), self);
  /* Alerts from the start: the anomaly baselines are read while a first
   * reply streams, and the sampler's first sample reads the right disk. */
  if (flags & (HEARTH_ENGINE_HISTORY | HEARTH_ENGINE_SAMPLER))
    hearth_engine_get_alerts (self);
  /* The run options are read in a worker while the window opens. */
  if (flags & HEARTH_ENGINE_HISTORY)
    hearth_engine_get_tuning (self);
  if (flags & HEARTH_ENGINE_SAMPLER)
    start_sampler (self);
  return self;
}

/**
 * hearth_engine_shutdown:
 *
 * Stops sampling and writes the samples of the minute in progress. Windows
 * may outlive the main loop, so this is called when the application stops,
 * not when the engine is freed.
 */
void
hearth_engine_shutdown (HearthEngine *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (HEARTH_IS_ENGINE (self));

  /* The API gateway (made on first use: hearth-gateway.c) stops serving;
   * its requests in flight are cancelled. */
  if (g_object_get_data (G_OBJECT (self), "hearth-gateway") != NULL)
    hearth_gateway_stop (hearth_engine_get_gateway (self));
  if (self->sampler != NULL)
    hearth_sampler_stop (self->sampler);
  if (self->resource_history != NULL
      && !hearth_resource_history_flush (self->resource_history, &error))
    g_message ("The last minute of resource samples was not kept: %s", error->message);
  if (self->cache != NULL)
    hearth_cache_flush (self->cache);
  _hearth_engine_save_all_parked (self);
  g_clear_error (&error);
  /* A log that grew while the disk was full is given back. */
  if (self->store != NULL && !hearth_store_checkpoint (self->store, &error))
    g_debug ("The history's log was not folded in: %s", error->message);
}

HearthStore *
hearth_engine_get_store (HearthEngine *self)
{
  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);
  return self->store;
}

/* Returns: (nullable): why the history could not be opened */
const GError *
hearth_engine_get_store_error (HearthEngine *self)
{
  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);
  return self->store_error;
}

/* Returns: (nullable): what went wrong with the response cache, in a
 * sentence: opening it, its shared tier's address, or (as it is now) its
 * file or its shared tier's server */
const char *
hearth_engine_get_cache_warning (HearthEngine *self)
{
  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);
  if (self->cache_warning == NULL && self->shared_cache_warning != NULL)
    return self->shared_cache_warning;
  if (self->cache_warning == NULL && self->cache != NULL)
    return hearth_cache_get_warning (self->cache);
  return self->cache_warning;
}

/* Returns: (nullable) (transfer none) */
GSettings *
hearth_engine_get_settings (HearthEngine *self)
{
  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);
  return self->settings;
}

/* Returns: (nullable) (transfer none): the machine's sampler, when it runs */
HearthSampler *
hearth_engine_get_sampler (HearthEngine *self)
{
  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);
  return self->sampler;
}

/* Returns: (nullable) (transfer none): the kept resource samples */
HearthResourceHistory *
hearth_engine_get_resource_history (HearthEngine *self)
{
  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);
  return self->resource_history;
}

SoupSession *
hearth_engine_get_session (HearthEngine *self)
{
  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);
  return self->session;
}

/* How long the server may stay silent (connecting, or between two reads). */
void
hearth_engine_set_timeout (HearthEngine *self,
                           guint         seconds)
{
  g_return_if_fail (HEARTH_IS_ENGINE (self));
  g_object_set (self->session, "timeout", seconds, NULL);
  g_object_set (self->local_session, "timeout", seconds, NULL);
}

/**
 * hearth_engine_set_cache:
 * @cache: (nullable): answers to identical questions, or %NULL for none
 * @cache_all: serve every request from it, not only deterministic ones
 */
void
hearth_engine_set_cache (HearthEngine *self,
                         HearthCache  *cache,
                         gboolean      cache_all)
{
  g_return_if_fail (HEARTH_IS_ENGINE (self));
  g_return_if_fail (cache == NULL || HEARTH_IS_CACHE (cache));

  g_set_object (&self->cache, cache);
  self->cache_all = cache_all;
}

/* Returns: (nullable) (transfer none) */
HearthCache *
hearth_engine_get_cache (HearthEngine *self)
{
  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);
  return self->cache;
}

/* Servers */

HearthProvider *
hearth_engine_get_provider (HearthEngine  *self,
                            HearthApiKind  api,
                            const char    *endpoint)
{
  g_autofree char *key = NULL;
  HearthProvider *provider;

  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);
  g_return_val_if_fail (endpoint != NULL, NULL);

  key = g_strdup_printf ("%s %s", hearth_api_kind_to_string (api), endpoint);
  provider = g_hash_table_lookup (self->providers, key);
  if (provider == NULL)
    {
      SoupSession *session = hearth_endpoint_is_loopback (endpoint) ? self->local_session
                                                                    : self->session;

      provider = hearth_provider_new (api, endpoint, session);
      g_hash_table_insert (self->providers, g_steal_pointer (&key), provider);
    }
  return provider;
}

/**
 * hearth_resolve_api_kind:
 * @explicit_api: (nullable): what the user said (--api), or %NULL
 * @settings: (nullable): the app's settings
 *
 * The API a request speaks: the explicit one, else the setting, else
 * Ollama's. A name Hearth does not know is an error, from wherever it came.
 */
gboolean
hearth_resolve_api_kind (const char     *explicit_api,
                         GSettings      *settings,
                         HearthApiKind  *api,
                         GError        **error)
{
  g_autofree char *stored = NULL;
  const char *name = explicit_api;

  *api = HEARTH_API_OLLAMA;
  if ((name == NULL || *name == '\0') && settings != NULL)
    name = stored = g_settings_get_string (settings, "api-kind");
  if (name == NULL || *name == '\0')
    return TRUE;
  if (hearth_api_kind_from_string (name, api))
    return TRUE;
  g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
               _("“%s” is not an API Hearth speaks: use ollama or openai"), name);
  return FALSE;
}

/**
 * hearth_engine_get_server_models_dir:
 * @settings: (nullable): the settings to read the server from, or the engine's
 *
 * Where the configured server keeps its models. Ollama's API does not say,
 * so this is the well-known folder of a local Ollama (OLLAMA_MODELS, else
 * ~/.ollama/models, else the system service's), and only when the server
 * runs on this machine and that folder exists.
 *
 * Returns: (transfer full) (nullable): the folder, or %NULL when unknown
 */
char *
hearth_engine_get_server_models_dir (HearthEngine *self,
                                     GSettings    *settings)
{
  HearthProvider *provider;
  const char *env = g_getenv ("OLLAMA_MODELS");
  g_autofree char *home = g_build_filename (g_get_home_dir (), ".ollama", "models", NULL);
  const char *candidates[] = { env, home, "/usr/share/ollama/.ollama/models" };

  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);

  provider = hearth_engine_get_configured_provider (self, settings, NULL);
  if (provider == NULL || hearth_provider_get_api (provider) != HEARTH_API_OLLAMA ||
      !hearth_endpoint_is_loopback (hearth_provider_get_endpoint (provider)))
    return NULL;
  /* OLLAMA_MODELS, when set, is the only answer: the server reads it too */
  for (guint i = env != NULL && *env != '\0' ? 0 : 1;
       i < (env != NULL && *env != '\0' ? 1 : G_N_ELEMENTS (candidates)); i++)
    if (g_file_test (candidates[i], G_FILE_TEST_IS_DIR))
      return g_strdup (candidates[i]);
  return NULL;
}

/**
 * hearth_engine_resolve_model:
 * @model: (nullable): an explicit model name, or %NULL
 *
 * Returns: (transfer full) (nullable): the model to ask: the explicit one,
 *   else the default model of the settings; %NULL lets the server's first
 *   model answer
 */
char *
hearth_engine_resolve_model (HearthEngine *self,
                             const char   *model)
{
  g_autofree char *stored = NULL;

  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);

  if (model != NULL && *model != '\0')
    return g_strdup (model);
  if (self->settings != NULL)
    stored = g_settings_get_string (self->settings, "default-model");
  return stored != NULL && *stored != '\0' ? g_steal_pointer (&stored) : NULL;
}

/* Workers */

static void
reader_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  HearthEngine *self = source_object;
  HearthReaderFunc func = g_object_get_data (G_OBJECT (task), "hearth-reader-func");
  g_autoptr(GError) error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  g_mutex_lock (&self->reader_lock);
  if (self->reader == NULL && self->store != NULL)
    self->reader = hearth_store_open (hearth_store_get_path (self->store), &error);
  if (self->reader == NULL)
    g_task_return_error (task, error ? g_steal_pointer (&error)
                                     : g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_FAILED,
                                                            _("There is no history")));
  else
    func (self->reader, task, task_data, cancellable);
  g_mutex_unlock (&self->reader_lock);
}

/**
 * _hearth_engine_run_reader:
 * @task: the engine's task to return through; its task data goes to @func
 *
 * Runs @func in a worker thread with a connection of its own to the
 * history, one worker at a time, so the main thread never waits on a read.
 */
void
_hearth_engine_run_reader (HearthEngine     *self,
                           GTask            *task,
                           HearthReaderFunc  func)
{
  if (self->store == NULL)
    {
      g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_FAILED,
                               _("The history is not available"));
      return;
    }
  g_return_if_fail (g_task_get_source_object (task) == self);

  g_object_set_data (G_OBJECT (task), "hearth-reader-func", func);
  g_task_run_in_thread (task, reader_thread);
}
