/* hearth-engine-alerts.c — the engine feeds its HearthAlerts: the sampler's
 * samples, every recorded reply, and on each sample a cheap look at the
 * server (is it up, does a loaded model spill out of the GPU)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Idle cost: on each sample (every 10 s when nobody watches) the rules of
 * the sample's metrics are judged in memory, and only while an enabled
 * server_up or vram_spill rule exists one GET /api/version (and /api/ps
 * for Ollama) to the configured server, at most every 5 s (every sample
 * at the idle 10 s); while it is down the probe backs off from 2 s to
 * every 30 s. The disk's free space is read by the sampler, on its
 * own thread.
 */
#define G_LOG_DOMAIN "hearth-engine"

#include "hearth-alerts-private.h"
#include "hearth-engine-private.h"
#include "hearth-error.h"

/* The alerts' own look at the server rides on the sampler's tick (every
 * 10 s, see hearth-sampler.c), and only while an enabled rule needs it:
 * "Server down" (a default) must see 30 s of silence, "Model spilling out
 * of video memory" (a default) lists the loaded models. No timer of its own;
 * backing off to 30 s while the server does not answer. */
#define PROBE_TIMEOUT_S   10
#define PROBE_BACKOFF_MAX (G_GINT64_CONSTANT (30) * 1000)
#define PROBE_EVERY_MS    (G_GINT64_CONSTANT (5) * 1000)   /* at most, while it answers */
/* A server Hearth only guessed, that has never answered, alerts nobody
 * (see server_is_expected ()): looking for it every 30 s would wake an idle
 * Hearth, on a machine without a server, for nothing. Once in 5 minutes
 * notices one started since; the health monitor's own recovery probes keep
 * the picker and Send current meanwhile. */
#define PROBE_UNEXPECTED_MS (G_GINT64_CONSTANT (5) * 60 * 1000)

struct _HearthEngineAlerts
{
  HearthAlerts   *alerts;
  GCancellable   *cancellable;
  gboolean        probing;
  gint64          next_probe_ms;     /* monotonic; 0 = at the next sample */
  gint64          backoff_ms;
  GHashTable     *spilled;           /* models last seen partly on the CPU */
  char           *answered;          /* the endpoint that has answered a probe */
  char           *deferred;          /* the endpoint put off by PROBE_UNEXPECTED_MS */
};

static gint64
monotonic_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

void
_hearth_engine_alerts_free (HearthEngineAlerts *watch)
{
  if (watch == NULL)
    return;
  g_cancellable_cancel (watch->cancellable);
  g_clear_object (&watch->cancellable);
  g_clear_object (&watch->alerts);
  g_clear_pointer (&watch->spilled, g_hash_table_unref);
  g_free (watch->deferred);
  g_clear_pointer (&watch->answered, g_free);
  g_free (watch);
}

/* Settings: quiet hours, how long the history is kept, the disk watched */

static void
apply_alert_settings (HearthEngine *self)
{
  GSettings *settings = self->settings;
  g_autoptr(GSettingsSchema) schema = NULL;

  if (self->alerts == NULL || settings == NULL)
    return;
  g_object_get (settings, "settings-schema", &schema, NULL);
  if (schema != NULL && g_settings_schema_has_key (schema, "alerts-quiet-start"))
    hearth_alerts_set_quiet_hours (self->alerts->alerts,
                                   g_settings_get_int (settings, "alerts-quiet-start"),
                                   g_settings_get_int (settings, "alerts-quiet-end"));
  if (schema != NULL && g_settings_schema_has_key (schema, "samples-hour-days"))
    hearth_alerts_set_history_days (self->alerts->alerts,
                                    g_settings_get_int (settings, "samples-hour-days"));
}

/* The disk of the server's models, else of Hearth's own data. */
static void
apply_disk_path (HearthEngine *self)
{
  g_autofree char *dir = NULL;

  if (self->sampler == NULL)
    return;
  dir = hearth_engine_get_server_models_dir (self, NULL);
  hearth_sampler_set_disk_path (self->sampler, dir != NULL ? dir : g_get_user_data_dir ());
}

void
_hearth_engine_alerts_settings_changed (HearthEngine *self,
                                        const char   *key)
{
  if (g_str_has_prefix (key, "alerts-") || g_str_equal (key, "samples-hour-days"))
    apply_alert_settings (self);
  else if (g_str_equal (key, "endpoint") || g_str_equal (key, "api-kind"))
    {
      apply_disk_path (self);
      if (self->alerts != NULL)
        {
          self->alerts->next_probe_ms = 0;
          self->alerts->backoff_ms = 0;
        }
    }
}

/**
 * hearth_engine_get_alerts:
 *
 * The engine's alerting: rules, alerts and their history in hearth.db
 * (without a history, the default rules in memory, and calls that keep
 * rules say why they cannot).
 *
 * Returns: (transfer none): never %NULL
 */
HearthAlerts *
hearth_engine_get_alerts (HearthEngine *self)
{
  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);

  if (self->alerts == NULL)
    {
      self->alerts = g_new0 (HearthEngineAlerts, 1);
      self->alerts->alerts = hearth_alerts_new (self->store);
      self->alerts->cancellable = g_cancellable_new ();
      self->alerts->spilled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      hearth_alerts_set_session (self->alerts->alerts, self->session);
      if (self->store == NULL && self->store_error != NULL)
        hearth_alerts_set_unavailable_reason (self->alerts->alerts, self->store_error->message);
      apply_alert_settings (self);
      apply_disk_path (self);
    }
  return self->alerts->alerts;
}

/* Replies: the GUI's and hearth-cli ask's both end in reply-recorded. */
void
_hearth_engine_alerts_observe_reply (HearthEngine *self,
                                     HearthReply  *reply)
{
  const HearthFigures *figures = hearth_reply_get_figures (reply);
  HearthReplyState state = hearth_reply_get_state (reply);

  if (state == HEARTH_REPLY_CANCELLED)
    return;
  hearth_alerts_observe_reply (hearth_engine_get_alerts (self),
                               hearth_reply_get_model (reply),
                               state == HEARTH_REPLY_FAILED,
                               hearth_reply_get_cached (reply),
                               figures->tokens_per_s, figures->ttft_ms, now_ms ());
  /* The tuning watch: live replies only, with the options they went out with. */
  if (state == HEARTH_REPLY_DONE && !hearth_reply_get_cached (reply))
    hearth_tuning_observe_reply (hearth_engine_get_tuning (self), hearth_reply_get_model (reply),
                                 NULL, hearth_reply_get_options (reply), figures->tokens_per_s);
}

/* The server probe */

/* A probe does not keep the engine: the engine's dispose cancels it, and
 * a cancelled probe that did not time out touches nothing. */
typedef struct
{
  HearthEngine   *engine;
  HearthProvider *provider;
  guint           timeout_id;
  GCancellable   *cancellable;
  gboolean        timed_out;
  gboolean        spill;
} Probe;

static gboolean
probe_orphaned (Probe *probe)
{
  return g_cancellable_is_cancelled (probe->cancellable) && !probe->timed_out;
}

static void
probe_free (Probe *probe)
{
  g_clear_handle_id (&probe->timeout_id, g_source_remove);
  g_clear_object (&probe->cancellable);
  g_clear_object (&probe->provider);
  g_free (probe);
}

static gboolean
probe_timed_out (gpointer user_data)
{
  Probe *probe = user_data;

  probe->timeout_id = 0;
  probe->timed_out = TRUE;
  g_cancellable_cancel (probe->cancellable);
  return G_SOURCE_REMOVE;
}

static void
loaded_listed (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Probe *probe = user_data;
  HearthEngine *self = probe->engine;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) loaded = hearth_provider_list_loaded_finish (HEARTH_PROVIDER (source), result, &error);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key;
  gint64 time_ms = now_ms ();

  if (probe_orphaned (probe))
    {
      probe_free (probe);
      return;
    }
  if (self->alerts != NULL && loaded != NULL)
    {
      HearthEngineAlerts *watch = self->alerts;

      for (guint i = 0; i < loaded->len; i++)
        {
          HearthLoadedModel *model = loaded->pdata[i];
          /* Partly in video memory: a machine without a GPU (size_vram 0)
           * runs every model on the CPU, which is no spill. */
          gboolean spills = model->size_vram > 0 && model->size_vram < model->size;

          g_hash_table_add (seen, model->name);
          hearth_alerts_observe (watch->alerts, HEARTH_ALERT_METRIC_VRAM_SPILL, model->name,
                                 spills ? 1 : 0, time_ms);
          if (spills)
            g_hash_table_add (watch->spilled, g_strdup (model->name));
        }
      /* A model that spilled and is gone from memory spills no more. */
      g_hash_table_iter_init (&iter, watch->spilled);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!g_hash_table_contains (seen, key))
          {
            hearth_alerts_observe (watch->alerts, HEARTH_ALERT_METRIC_VRAM_SPILL, key, 0, time_ms);
            g_hash_table_iter_remove (&iter);
          }
    }
  if (self->alerts != NULL)
    self->alerts->probing = FALSE;
  probe_free (probe);
}

/* A first run on a machine with no server yet is not a server that died:
 * a server Hearth only guessed (no address in the settings or OLLAMA_HOST)
 * is judged once it has answered, or once the setup assistant is finished
 * (it already says when none was found). A server the user named is
 * judged from the start. */
static gboolean
server_is_expected (HearthEngine *self,
                    const char   *endpoint)
{
  g_autofree char *named = NULL;

  if (g_strcmp0 (self->alerts->answered, endpoint) == 0 || self->settings == NULL ||
      g_getenv ("OLLAMA_HOST") != NULL)
    return TRUE;
  named = g_settings_get_string (self->settings, "endpoint");
  return *named != '\0' || g_settings_get_boolean (self->settings, "setup-done");
}

static void
version_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Probe *probe = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = hearth_provider_version_finish (HEARTH_PROVIDER (source), result, &error);
  /* A server that answers "not supported" answers. */
  gboolean up = version != NULL || g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_NOT_SUPPORTED);
  HearthEngineAlerts *watch;
  const char *endpoint;

  if (probe_orphaned (probe))
    {
      probe_free (probe);
      return;
    }
  watch = probe->engine->alerts;
  endpoint = hearth_provider_get_endpoint (probe->provider);
  if (up && g_strcmp0 (watch->answered, endpoint) != 0)
    {
      g_free (watch->answered);
      watch->answered = g_strdup (endpoint);
    }
  if (server_is_expected (probe->engine, endpoint))
    hearth_alerts_observe (watch->alerts, HEARTH_ALERT_METRIC_SERVER_UP, endpoint, up ? 1 : 0,
                           now_ms ());
  if (up || server_is_expected (probe->engine, endpoint))
    g_clear_pointer (&watch->deferred, g_free);
  if (up)
    {
      watch->backoff_ms = 0;
      watch->next_probe_ms = monotonic_ms () + PROBE_EVERY_MS;
    }
  else if (!server_is_expected (probe->engine, endpoint))
    {
      watch->backoff_ms = 0;
      watch->next_probe_ms = monotonic_ms () + PROBE_UNEXPECTED_MS;
      g_free (watch->deferred);
      watch->deferred = g_strdup (endpoint);
    }
  else
    {
      watch->backoff_ms = CLAMP (watch->backoff_ms * 2, 2000, PROBE_BACKOFF_MAX);
      watch->next_probe_ms = monotonic_ms () + watch->backoff_ms;
    }
  if (up && probe->spill &&
      (hearth_provider_get_features (probe->provider) & HEARTH_PROVIDER_CAN_LIST_LOADED))
    {
      g_clear_handle_id (&probe->timeout_id, g_source_remove);
      probe->timeout_id = g_timeout_add_seconds (PROBE_TIMEOUT_S, probe_timed_out, probe);
      hearth_provider_list_loaded_async (probe->provider, probe->cancellable, loaded_listed, probe);
      return;
    }
  watch->probing = FALSE;
  probe_free (probe);
}

static void
probe_server (HearthEngine *self)
{
  HearthEngineAlerts *watch = self->alerts;
  gboolean up_rule, spill_rule;
  HearthProvider *provider;
  Probe *probe;

  if (watch->probing || hearth_alerts_get_paused (watch->alerts) ||
      (monotonic_ms () < watch->next_probe_ms && watch->deferred == NULL))
    return;
  up_rule = _hearth_alerts_has_enabled_rule (watch->alerts, HEARTH_ALERT_METRIC_SERVER_UP);
  spill_rule = _hearth_alerts_has_enabled_rule (watch->alerts, HEARTH_ALERT_METRIC_VRAM_SPILL);
  if (!up_rule && !spill_rule)
    return;
  provider = hearth_engine_resolve_provider (self, NULL, NULL, NULL);
  if (provider == NULL)
    return;
  /* Put off while unexpected: looked at again at once when the user names
   * a server, finishes the setup assistant, or another server is chosen. */
  if (monotonic_ms () < watch->next_probe_ms &&
      g_strcmp0 (watch->deferred, hearth_provider_get_endpoint (provider)) == 0 &&
      !server_is_expected (self, watch->deferred))
    return;
  probe = g_new0 (Probe, 1);
  probe->engine = self;
  probe->provider = g_object_ref (provider);
  probe->spill = spill_rule;
  /* Its own cancellable, tied to the engine's: a timeout cancels one probe. */
  probe->cancellable = g_cancellable_new ();
  g_signal_connect_object (watch->cancellable, "cancelled",
                           G_CALLBACK (g_cancellable_cancel), probe->cancellable, G_CONNECT_SWAPPED);
  probe->timeout_id = g_timeout_add_seconds (PROBE_TIMEOUT_S, probe_timed_out, probe);
  watch->probing = TRUE;
  hearth_provider_version_async (provider, probe->cancellable, version_read, probe);
}

/* Each sample: the machine's metrics, the time passing, the server. */
void
_hearth_engine_alerts_on_sample (HearthEngine       *self,
                                 const HearthSample *sample)
{
  HearthAlerts *alerts = hearth_engine_get_alerts (self);

  hearth_alerts_observe_sample (alerts, sample);
  hearth_alerts_tick (alerts, sample->time_us / 1000);
  probe_server (self);
}
