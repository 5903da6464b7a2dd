/* hearth-servers-health.c — probes, the monitoring schedule, every
 * server's models, the next server of the fallback chain
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-servers"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hearth-error.h"
#include "hearth-http.h"
#include "hearth-servers-impl.h"

#define DEFAULT_INTERVAL_MS   60000   /* while up */
#define PROBE_TIMEOUT_MS      10000

typedef struct
{
  HearthServers *servers;     /* not referenced: the schedule goes with the list */
  HearthServer  *server;      /* not referenced: idem, and with the server */
  guint          source_id;
  gint64         due_us;
  guint          backoff_ms;  /* 0 while up */
  gboolean       probing;
  gboolean       recording;   /* probe_finish () reschedules itself */
  gulong         notify_ids[2];
} Schedule;


static void
schedule_free (Schedule *schedule)
{
  g_clear_handle_id (&schedule->source_id, g_source_remove);
  for (guint i = 0; i < G_N_ELEMENTS (schedule->notify_ids); i++)
    g_clear_signal_handler (&schedule->notify_ids[i], schedule->server);
  g_free (schedule);
}


static guint
base_interval_ms (void)
{
  const char *env = g_getenv ("HEARTH_PROBE_INTERVAL_MS");
  guint64 value;

  if (env != NULL && g_ascii_string_to_unsigned (env, 10, 10, G_MAXUINT / 10, &value, NULL))
    return value;
  return DEFAULT_INTERVAL_MS;
}

static void sync_schedules (HearthServers *self);

static void
list_changed_cb (HearthServers *self)
{
  if (self->monitoring)
    sync_schedules (self);
}

void
_hearth_servers_health_init (HearthServers *self)
{
  self->schedules = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) schedule_free);
  self->models = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) _hearth_models_cache_free);
  g_signal_connect (self, "changed", G_CALLBACK (list_changed_cb), NULL);
}

void
_hearth_servers_health_clear (HearthServers *self)
{
  self->monitoring = FALSE;
  g_clear_pointer (&self->schedules, g_hash_table_unref);
  g_clear_pointer (&self->models, g_hash_table_unref);
}

void
_hearth_servers_forget_server (HearthServers *self,
                               HearthServer  *server)
{
  if (self->schedules != NULL)
    g_hash_table_remove (self->schedules, server);
  if (self->models != NULL)
    g_hash_table_remove (self->models, server);
}


/* Probes */

typedef struct
{
  HearthServer   *server;
  HearthProvider *provider;
  GCancellable   *cancellable;
  GCancellable   *caller_cancellable;   /* nullable */
  gulong          caller_id;
  GCancellable   *list_cancellable;
  gulong          list_id;
  guint           timeout_id;
  gboolean        timed_out;
  gint64          start_us;
} Probe;

static void
probe_free (Probe *probe)
{
  g_clear_handle_id (&probe->timeout_id, g_source_remove);
  if (probe->caller_cancellable != NULL)
    g_cancellable_disconnect (probe->caller_cancellable, probe->caller_id);
  g_cancellable_disconnect (probe->list_cancellable, probe->list_id);
  g_clear_object (&probe->caller_cancellable);
  g_clear_object (&probe->list_cancellable);
  g_clear_object (&probe->server);
  g_clear_object (&probe->provider);
  g_clear_object (&probe->cancellable);
  g_free (probe);
}

static void reschedule (HearthServers *self,
                        HearthServer  *server);

static void
probe_finish (GTask  *task,
              GError *error)
{
  HearthServers *self = g_task_get_source_object (task);
  Probe *probe = g_task_get_task_data (task);
  double latency_ms = (g_get_monotonic_time () - probe->start_us) / 1000.0;
  Schedule *schedule;

  g_clear_handle_id (&probe->timeout_id, g_source_remove);
  if (self->schedules != NULL && (schedule = g_hash_table_lookup (self->schedules, probe->server)))
    schedule->probing = FALSE;
  if (error != NULL && probe->timed_out)
    {
      g_clear_error (&error);
      error = g_error_new (HEARTH_ERROR, HEARTH_ERROR_TIMEOUT,
                           _("%s did not answer within %d s"), hearth_server_get_endpoint (probe->server),
                           PROBE_TIMEOUT_MS / 1000);
    }
  /* Cancelled (by the caller, or the list going away) says nothing
   * about the server. */
  if (g_task_return_error_if_cancelled (task))
    {
      g_clear_error (&error);
      return;
    }
  if (error != NULL && (g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_CANCELLED) ||
                        g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)))
    {
      g_task_return_error (task, error);
      return;
    }
  if (self->schedules != NULL && (schedule = g_hash_table_lookup (self->schedules, probe->server)))
    schedule->recording = TRUE;
  _hearth_server_record_probe (probe->server, latency_ms, error);
  if (self->schedules != NULL && (schedule = g_hash_table_lookup (self->schedules, probe->server)))
    schedule->recording = FALSE;
  reschedule (self, probe->server);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
probe_answered_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HearthProvider *provider = HEARTH_PROVIDER (object);
  Probe *probe = g_task_get_task_data (task);
  GError *error = NULL;

  if (hearth_server_get_api (probe->server) == HEARTH_API_OLLAMA)
    g_free (hearth_provider_version_finish (provider, result, &error));
  else
    {
      g_autoptr(GPtrArray) models = hearth_provider_list_models_finish (provider, result, &error);

      if (models != NULL)
        _hearth_servers_cache_models (g_task_get_source_object (task), probe->server, models);
    }
  probe_finish (task, error);
}

static gboolean
probe_timeout_cb (gpointer user_data)
{
  Probe *probe = user_data;

  probe->timeout_id = 0;
  probe->timed_out = TRUE;
  g_cancellable_cancel (probe->cancellable);
  return G_SOURCE_REMOVE;
}

static void
probe_key_loaded_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  Probe *probe = g_task_get_task_data (task);

  hearth_provider_load_api_key_finish (probe->provider, result);
  /* The timer starts once the key is at hand: the keyring's time is not
   * the server's. The cheapest call each API has. */
  probe->start_us = g_get_monotonic_time ();
  probe->timeout_id = g_timeout_add (PROBE_TIMEOUT_MS, probe_timeout_cb, probe);
  if (hearth_server_get_api (probe->server) == HEARTH_API_OLLAMA)
    hearth_provider_version_async (probe->provider, probe->cancellable, probe_answered_cb, task);
  else
    hearth_provider_list_models_async (probe->provider, probe->cancellable, probe_answered_cb, task);
}

static void
cancelled_cb (GCancellable *cancellable,
              GCancellable *probe_cancellable)
{
  g_cancellable_cancel (probe_cancellable);
}

static void
probe_server (HearthServers       *self,
              HearthServer        *server,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Probe *probe = g_new0 (Probe, 1);
  Schedule *schedule;

  g_task_set_source_tag (task, probe_server);
  probe->server = g_object_ref (server);
  probe->cancellable = g_cancellable_new ();
  /* one connection a probe: the schedule is the retry */
  hearth_http_set_single_attempt (probe->cancellable);
  g_task_set_task_data (task, probe, (GDestroyNotify) probe_free);
  /* Cancelled by the caller, or by the list going away. */
  if (cancellable != NULL)
    {
      probe->caller_cancellable = g_object_ref (cancellable);
      probe->caller_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb),
                                                g_object_ref (probe->cancellable), g_object_unref);
    }
  probe->list_cancellable = g_object_ref (self->cancellable);
  probe->list_id = g_cancellable_connect (self->cancellable, G_CALLBACK (cancelled_cb),
                                          g_object_ref (probe->cancellable), g_object_unref);
  if (self->schedules != NULL && (schedule = g_hash_table_lookup (self->schedules, server)))
    schedule->probing = TRUE;
  probe->provider = hearth_server_get_provider (server);
  if (probe->provider == NULL)
    {
      g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_CANCELLED, _("Hearth is closing"));
      g_object_unref (task);
      return;
    }
  g_object_ref (probe->provider);
  hearth_provider_load_api_key_async (probe->provider, probe->cancellable, probe_key_loaded_cb, task);
}

typedef struct
{
  guint   pending;
  GError *error;   /* of the one server asked for by name */
} ProbeAll;

static void
probe_all_free (ProbeAll *all)
{
  g_clear_error (&all->error);
  g_free (all);
}

static void
probe_one_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ProbeAll *all = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error) && all->error == NULL)
    all->error = g_steal_pointer (&error);
  if (--all->pending > 0)
    return;
  /* By name: how it went; for all of them, that they were asked. */
  if (all->error != NULL && (g_object_get_data (G_OBJECT (task), "one") != NULL ||
                             g_error_matches (all->error, HEARTH_ERROR, HEARTH_ERROR_CANCELLED)))
    g_task_return_error (task, g_steal_pointer (&all->error));
  else if (!g_task_return_error_if_cancelled (task))
    g_task_return_boolean (task, TRUE);
}

/**
 * hearth_servers_probe_async:
 * @name: (nullable): the server to probe, or %NULL for every enabled one
 *
 * Asking for one server by name, the result is an error when it is down
 * (or refuses: a 401 says so), as hearth-cli servers test reports it; for
 * every server, TRUE once all have answered (their states say how).
 */
void
hearth_servers_probe_async (HearthServers       *self,
                            const char          *name,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GTask) task = NULL;
  ProbeAll *all = g_new0 (ProbeAll, 1);
  g_autoptr(GError) error = NULL;

  g_return_if_fail (HEARTH_IS_SERVERS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_servers_probe_async);
  g_task_set_task_data (task, all, (GDestroyNotify) probe_all_free);
  if (name != NULL)
    {
      HearthServer *server = hearth_servers_lookup (self, name);

      if (server == NULL)
        {
          g_autoptr(GString) names = g_string_new (NULL);

          for (guint i = 0; i < self->servers->len; i++)
            g_string_append_printf (names, "%s%s", i ? ", " : "",
                                    hearth_server_get_name (g_ptr_array_index (self->servers, i)));
          g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                                   _("There is no server called “%s”: the servers are %s"),
                                   name, names->len ? names->str : "none yet");
          return;
        }
      g_object_set_data (G_OBJECT (task), "one", GINT_TO_POINTER (1));
      g_ptr_array_add (targets, g_object_ref (server));
    }
  else
    {
      for (guint i = 0; i < self->servers->len; i++)
        if (hearth_server_get_enabled (g_ptr_array_index (self->servers, i)))
          g_ptr_array_add (targets, g_object_ref (g_ptr_array_index (self->servers, i)));
    }
  if (targets->len == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  all->pending = targets->len;
  for (guint i = 0; i < targets->len; i++)
    probe_server (self, g_ptr_array_index (targets, i), cancellable, probe_one_done_cb,
                  g_object_ref (task));
}

gboolean
hearth_servers_probe_finish (HearthServers  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Monitoring */

static void
scheduled_probe_done_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  /* The state says how it went; reschedule () ran in probe_finish (). */
  g_task_propagate_boolean (G_TASK (result), NULL);
}

static gboolean
probe_due_cb (gpointer user_data)
{
  Schedule *schedule = user_data;

  schedule->source_id = 0;
  schedule->due_us = 0;
  if (!schedule->probing)
    probe_server (schedule->servers, schedule->server, NULL, scheduled_probe_done_cb, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
needs_recovery (HearthServer *server)
{
  return hearth_server_get_state (server) == HEARTH_SERVER_STATE_DOWN
         || hearth_server_get_breaker_open (server);
}

/* The timers, and why each runs:
 * - a server down or with its breaker open (a probe or a request failed):
 *   1/6 of the base interval doubling up to 5 times it (10 s, 20 s, … 5 min
 *   for the 60 s default), until it answers, so the picker, the fallback
 *   chain and Send see it come back without the user asking;
 * - a server that answers: every base interval, only while the health is
 *   held (the gateway serves other programs, which must not wait on a dead
 *   server; a page shows the servers' state). Otherwise nothing: the next
 *   request finds out, and a failure starts the first kind. */
static void
reschedule (HearthServers *self,
            HearthServer  *server)
{
  Schedule *schedule;
  guint base = base_interval_ms ();
  guint interval;

  if (self->schedules == NULL || !self->monitoring ||
      (schedule = g_hash_table_lookup (self->schedules, server)) == NULL)
    return;
  g_clear_handle_id (&schedule->source_id, g_source_remove);
  if (needs_recovery (server))
    {
      schedule->backoff_ms = schedule->backoff_ms == 0 ? MAX (base / 6, 1)
                                                       : MIN (schedule->backoff_ms * 2, base * 5);
      interval = schedule->backoff_ms;
    }
  else if (self->health_holds > 0)
    {
      schedule->backoff_ms = 0;
      interval = base;
    }
  else
    {
      schedule->backoff_ms = 0;
      schedule->due_us = 0;
      return;
    }
  schedule->due_us = g_get_monotonic_time () + (gint64) interval * 1000;
  schedule->source_id = g_timeout_add (interval, probe_due_cb, schedule);
}

/* A request failed (or answered) between probes: a server now down gets
 * its recovery probes; one back up drops them. probe_finish () reschedules
 * after recording, once. */
static void
state_changed_cb (HearthServer *server,
                  GParamSpec   *pspec,
                  gpointer      user_data)
{
  Schedule *schedule = user_data;

  if (schedule->recording || schedule->probing)
    return;
  if (needs_recovery (server) ? schedule->source_id == 0 : schedule->backoff_ms != 0)
    reschedule (schedule->servers, server);
}

static void
sync_schedules (HearthServers *self)
{
  GHashTableIter iter;
  HearthServer *server;

  if (self->schedules == NULL)
    return;
  g_hash_table_iter_init (&iter, self->schedules);
  while (g_hash_table_iter_next (&iter, (gpointer *) &server, NULL))
    if (!g_ptr_array_find (self->servers, server, NULL) || !hearth_server_get_enabled (server))
      g_hash_table_iter_remove (&iter);
  for (guint i = 0; i < self->servers->len; i++)
    {
      Schedule *schedule;

      server = g_ptr_array_index (self->servers, i);
      if (!hearth_server_get_enabled (server) || g_hash_table_contains (self->schedules, server))
        continue;
      schedule = g_new0 (Schedule, 1);
      schedule->servers = self;
      schedule->server = server;
      schedule->notify_ids[0] = g_signal_connect (server, "notify::state",
                                                  G_CALLBACK (state_changed_cb), schedule);
      schedule->notify_ids[1] = g_signal_connect (server, "notify::breaker-open",
                                                  G_CALLBACK (state_changed_cb), schedule);
      g_hash_table_insert (self->schedules, server, schedule);
      /* A new server is probed at once. */
      schedule->due_us = g_get_monotonic_time ();
      schedule->source_id = g_idle_add (probe_due_cb, schedule);
    }
}

void
hearth_servers_start_monitoring (HearthServers *self)
{
  g_return_if_fail (HEARTH_IS_SERVERS (self));

  if (self->monitoring)
    return;
  self->monitoring = TRUE;
  sync_schedules (self);
}

void
hearth_servers_hold_health (HearthServers *self)
{
  GHashTableIter iter;
  Schedule *schedule;

  g_return_if_fail (HEARTH_IS_SERVERS (self));

  if (self->health_holds++ > 0 || self->schedules == NULL || !self->monitoring)
    return;
  /* What the holder shows is as of now: servers not re-checked while
   * nobody held are probed at once, then every interval. */
  g_hash_table_iter_init (&iter, self->schedules);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &schedule))
    if (schedule->source_id == 0 && !schedule->probing)
      {
        schedule->due_us = g_get_monotonic_time ();
        schedule->source_id = g_idle_add (probe_due_cb, schedule);
      }
}

void
hearth_servers_release_health (HearthServers *self)
{
  GHashTableIter iter;
  HearthServer *server;

  g_return_if_fail (HEARTH_IS_SERVERS (self));
  g_return_if_fail (self->health_holds > 0);

  if (--self->health_holds > 0 || self->schedules == NULL)
    return;
  g_hash_table_iter_init (&iter, self->schedules);
  while (g_hash_table_iter_next (&iter, (gpointer *) &server, NULL))
    if (!needs_recovery (server))
      reschedule (self, server);
}

void
hearth_servers_stop_monitoring (HearthServers *self)
{
  g_return_if_fail (HEARTH_IS_SERVERS (self));

  self->monitoring = FALSE;
  if (self->schedules != NULL)
    g_hash_table_remove_all (self->schedules);
}

gint64
hearth_servers_get_next_probe_us (HearthServers *self,
                                  HearthServer  *server)
{
  Schedule *schedule;

  g_return_val_if_fail (HEARTH_IS_SERVERS (self), 0);

  if (self->schedules == NULL || (schedule = g_hash_table_lookup (self->schedules, server)) == NULL)
    return 0;
  return schedule->due_us;
}
