/* hearth-tuning-preload.c — preloading: a model loaded before it is asked
 * for, why it was (the preloads table, so the app knows what the CLI did),
 * when each model is used (from the history), and the scheduler that
 * preloads a model shortly before its usual hours
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-tuning"

#include <math.h>
#include <glib/gi18n.h>

#include "hearth-error.h"
#include "hearth-store-usage.h"
#include "hearth-tuning-private.h"
#include "hearth-usage-pattern.h"

/* Ollama keeps a model 5 minutes after a request unless told otherwise
 * (OLLAMA_KEEP_ALIVE may change that; Hearth cannot see it): a reason
 * stored without a keep-alive is forgotten after that. */
#define SERVER_KEEP_ALIVE_S     (5 * 60)
/* How long before a usual hour the scheduler preloads. */
#define LEAD_S                  (15 * 60)
/* Reasons are re-read from the table (another process may have preloaded)
 * when asked for and older than this. */
#define REFRESH_US              (10 * G_USEC_PER_SEC)

typedef struct
{
  char   *reason;
  double  keep_alive_s;       /* NAN: the server's default; negative: for ever */
  gint64  loaded_ms;
} LoadReason;

typedef struct
{
  HearthTuning   *tuning;      /* not owned: the state lives on it */
  char           *path;        /* the history's file; NULL without one */
  GHashTable     *reasons;     /* model → LoadReason */
  gint64          refreshed_us;
  gboolean        refreshing;
  GMutex          reader_lock;
  HearthStore    *reader;      /* the workers' own connection */

  /* The scheduler */
  HearthProvider *provider;
  GSettings      *settings;    /* the tuning's, while the scheduler follows it */
  gulong          setting_id;
  GCancellable   *cancellable;
  guint           timer_id;
  gint64          next_ms;     /* the next preload, unix ms; 0 none */
} Preload;

static void
load_reason_free (LoadReason *reason)
{
  g_free (reason->reason);
  g_free (reason);
}

static void
scheduler_stop (Preload *p)
{
  if (p->cancellable != NULL)
    g_cancellable_cancel (p->cancellable);
  g_clear_object (&p->cancellable);
  g_clear_handle_id (&p->timer_id, g_source_remove);
  p->next_ms = 0;
}

static void
preload_free (Preload *p)
{
  scheduler_stop (p);
  if (p->setting_id != 0)
    g_clear_signal_handler (&p->setting_id, p->settings);
  g_clear_object (&p->settings);
  g_clear_object (&p->provider);
  g_clear_object (&p->reader);
  g_mutex_clear (&p->reader_lock);
  g_hash_table_unref (p->reasons);
  g_free (p->path);
  g_free (p);
}

static Preload *
preload_get (HearthTuning *self)
{
  Preload *p = g_object_get_data (G_OBJECT (self), "hearth-tuning-preload");
  HearthStore *store;

  if (p != NULL)
    return p;
  p = g_new0 (Preload, 1);
  p->tuning = self;
  p->reasons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) load_reason_free);
  g_mutex_init (&p->reader_lock);
  store = _hearth_tuning_get_store (self);
  if (store != NULL)
    p->path = g_strdup (hearth_store_get_path (store));
  g_object_set_data_full (G_OBJECT (self), "hearth-tuning-preload", p,
                          (GDestroyNotify) preload_free);
  return p;
}

static gboolean
reason_is_current (const LoadReason *reason,
                   gint64            now_ms)
{
  double keep = isnan (reason->keep_alive_s) ? SERVER_KEEP_ALIVE_S : reason->keep_alive_s;

  return keep < 0 || now_ms < reason->loaded_ms + (gint64) (keep * 1000);
}

/* Remembers why @model was loaded; TRUE when that is news. */
static gboolean
remember (Preload    *p,
          const char *model,
          const char *reason,
          double      keep_alive_s,
          gint64      loaded_ms)
{
  LoadReason *known = g_hash_table_lookup (p->reasons, model);
  LoadReason *entry;
  gboolean news;

  if (known != NULL && known->loaded_ms >= loaded_ms)
    return FALSE;
  news = known == NULL || g_strcmp0 (known->reason, reason) != 0 ||
         !reason_is_current (known, g_get_real_time () / 1000);
  entry = g_new0 (LoadReason, 1);
  entry->reason = g_strdup (reason);
  entry->keep_alive_s = keep_alive_s;
  entry->loaded_ms = loaded_ms;
  g_hash_table_replace (p->reasons, g_strdup (model), entry);
  return news;
}

/* ---- Reading the history in a worker ---- */

typedef struct
{
  Preload   *state;
  gboolean   usage;            /* the usage patterns too, not only the reasons */
  GPtrArray *preloads;         /* HearthPreloadRow */
  GPtrArray *patterns;         /* HearthUsagePattern */
} HistoryRead;

static void
history_read_free (HistoryRead *read)
{
  g_clear_pointer (&read->preloads, g_ptr_array_unref);
  g_clear_pointer (&read->patterns, g_ptr_array_unref);
  g_free (read);
}

static void
read_in_worker (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  HistoryRead *read = task_data;
  Preload *p = read->state;
  GError *error = NULL;

  g_mutex_lock (&p->reader_lock);
  if (p->reader == NULL)
    p->reader = hearth_store_open (p->path, &error);
  if (p->reader != NULL)
    read->preloads = hearth_store_list_preloads (p->reader, &error);
  if (read->preloads != NULL && read->usage)
    {
      gint64 since_ms = g_get_real_time () / 1000 - (gint64) HEARTH_USAGE_WEEKS * 7 * 24 * 3600 * 1000;
      g_autoptr(GPtrArray) slots = hearth_store_list_reply_slots (p->reader, since_ms, &error);
      g_autoptr(GTimeZone) tz = g_time_zone_new_local ();

      if (slots != NULL)
        read->patterns = _hearth_usage_patterns_build (slots, tz);
    }
  g_mutex_unlock (&p->reader_lock);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Reads the preloads table (and with @usage the patterns) in a worker;
 * @callback gets the task, whose data is the HistoryRead. */
static void
read_history (HearthTuning        *self,
              gboolean             usage,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  Preload *p = preload_get (self);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  HistoryRead *read = g_new0 (HistoryRead, 1);

  read->state = p;
  read->usage = usage;
  g_task_set_source_tag (task, read_history);
  g_task_set_task_data (task, read, (GDestroyNotify) history_read_free);
  if (p->path == NULL)
    {
      const char *why = _hearth_tuning_get_unavailable_reason (self);

      g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_FAILED, "%s",
                               why != NULL ? why : _("The history is not available"));
      return;
    }
  g_task_run_in_thread (task, read_in_worker);
}

/* On the main thread: the reasons read join the ones known; each one that
 * is news (another process preloaded) is announced. */
static void
apply_preloads (HearthTuning *self,
                GPtrArray    *rows)
{
  Preload *p = preload_get (self);
  gint64 now_ms = g_get_real_time () / 1000;

  p->refreshed_us = g_get_monotonic_time ();
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      HearthPreloadRow *row = g_ptr_array_index (rows, i);
      LoadReason probe = { row->reason, row->keep_alive_s, row->loaded_ms };

      if (row->model != NULL && row->reason != NULL && reason_is_current (&probe, now_ms) &&
          remember (p, row->model, row->reason, row->keep_alive_s, row->loaded_ms))
        g_signal_emit_by_name (self, "preloaded", row->model, row->reason);
    }
}

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  HearthTuning *self = HEARTH_TUNING (object);
  Preload *p = preload_get (self);
  HistoryRead *read = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  p->refreshing = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_debug ("Could not read why models were loaded: %s", error->message);
      p->refreshed_us = g_get_monotonic_time ();
      return;
    }
  apply_preloads (self, read->preloads);
}

/**
 * hearth_tuning_get_load_reason:
 *
 * Why Hearth (the app or hearth-cli) loaded @model, while the keep-alive it
 * was loaded with lasts. Answers from memory; when that is more than a few
 * seconds old it is re-read from the history in a worker, and a reason
 * found there is announced with "preloaded".
 *
 * Returns: (nullable): "preloaded: you use it weekday mornings", or NULL
 */
const char *
hearth_tuning_get_load_reason (HearthTuning *self,
                               const char   *model)
{
  Preload *p;
  LoadReason *reason;

  g_return_val_if_fail (HEARTH_IS_TUNING (self), NULL);
  g_return_val_if_fail (model != NULL, NULL);

  p = preload_get (self);
  if (p->path != NULL && !p->refreshing &&
      (p->refreshed_us == 0 || g_get_monotonic_time () - p->refreshed_us > REFRESH_US))
    {
      p->refreshing = TRUE;
      read_history (self, FALSE, NULL, refresh_cb, NULL);
    }
  reason = g_hash_table_lookup (p->reasons, model);
  if (reason == NULL)
    return NULL;
  if (!reason_is_current (reason, g_get_real_time () / 1000))
    {
      g_hash_table_remove (p->reasons, model);
      return NULL;
    }
  return reason->reason;
}

/* ---- Usage patterns ---- */

static void
usage_read_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HistoryRead *read = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  apply_preloads (HEARTH_TUNING (object), read->preloads);
  g_task_return_pointer (task, g_steal_pointer (&read->patterns),
                         (GDestroyNotify) g_ptr_array_unref);
}

/**
 * hearth_tuning_list_usage_async:
 *
 * When each model is used, from the assistant replies of the last
 * HEARTH_USAGE_WEEKS weeks, at their local hour of the week, read in a
 * worker with a connection of its own. The rule that puts it in words is
 * in hearth-usage-pattern.c.
 */
void
hearth_tuning_list_usage_async (HearthTuning        *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (HEARTH_IS_TUNING (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_tuning_list_usage_async);
  read_history (self, TRUE, cancellable, usage_read_cb, task);
}

/* Returns: (transfer container) (element-type HearthUsagePattern): most used first */
GPtrArray *
hearth_tuning_list_usage_finish (HearthTuning  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Preloading ---- */

typedef struct
{
  HearthProvider *provider;
  char           *model;
  double          keep_alive_s;     /* as asked: -1 for ever, 0 the resolved one */
  double          fallback_s;       /* when 0 was asked and none is resolved: NAN, the server's */
  char           *reason;
  double          sent_keep_alive_s;
} PreloadJob;

static void
preload_job_free (PreloadJob *job)
{
  g_clear_object (&job->provider);
  g_free (job->model);
  g_free (job->reason);
  g_free (job);
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HearthTuning *self = g_task_get_source_object (task);
  PreloadJob *job = g_task_get_task_data (task);
  HearthStore *store = _hearth_tuning_get_store (self);
  gint64 now_ms = g_get_real_time () / 1000;
  GError *error = NULL;

  if (!hearth_provider_load_finish (HEARTH_PROVIDER (object), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* The model is loaded: a reason that cannot be kept is only not shared. */
  if (store != NULL &&
      !hearth_store_save_preload (store, job->model, job->reason, job->sent_keep_alive_s,
                                  now_ms, &error))
    {
      g_message ("Preloaded %s, but could not note why in the history: %s",
                 job->model, error->message);
      g_clear_error (&error);
    }
  remember (preload_get (self), job->model, job->reason, job->sent_keep_alive_s, now_ms);
  g_signal_emit_by_name (self, "preloaded", job->model, job->reason);
  g_task_return_boolean (task, TRUE);
}

/* The keep-alive to send: NAN for the server's default. */
static gboolean
choose_keep_alive (const PreloadJob       *job,
                   const HearthRunOptions *resolved,
                   double                 *keep_alive_s,
                   GError                **error)
{
  if (job->keep_alive_s < 0)
    *keep_alive_s = -1;
  else if (job->keep_alive_s > 0)
    *keep_alive_s = job->keep_alive_s;
  else if (!hearth_run_options_is_set (resolved, HEARTH_RUN_OPTION_KEEP_ALIVE))
    *keep_alive_s = job->fallback_s;
  else if ((*keep_alive_s = hearth_run_options_get (resolved, HEARTH_RUN_OPTION_KEEP_ALIVE)) == 0)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("%s is set to unload at once after each request (keep_alive 0): "
                     "preload it with a keep-alive, or change its options"), job->model);
      return FALSE;
    }
  return TRUE;
}

static void
models_listed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HearthTuning *self = g_task_get_source_object (task);
  PreloadJob *job = g_task_get_task_data (task);
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(HearthResolvedOptions) resolved = NULL;
  const HearthModelInfo *info;
  GError *error = NULL;

  models = hearth_provider_list_models_finish (HEARTH_PROVIDER (object), result, &error);
  if (models == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* Options are kept by the model's digest where the server gives one. */
  info = hearth_model_info_find (models, job->model);
  if (info == NULL)
    {
      g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND,
                               _("The model “%s” is not installed on the server"), job->model);
      return;
    }
  resolved = hearth_tuning_resolve (self, job->model, info->digest,
                                    hearth_provider_get_api (job->provider), NULL);
  if (!choose_keep_alive (job, resolved->options, &job->sent_keep_alive_s, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  hearth_provider_load_async (job->provider, job->model, resolved->options,
                              job->sent_keep_alive_s, g_task_get_cancellable (task),
                              loaded_cb, g_object_ref (task));
}

static void
preload_start (HearthTuning        *self,
               HearthProvider      *provider,
               const char          *model,
               double               keep_alive_s,
               double               fallback_s,
               const char          *reason,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  PreloadJob *job = g_new0 (PreloadJob, 1);

  g_task_set_source_tag (task, hearth_tuning_preload_async);
  g_task_set_task_data (task, job, (GDestroyNotify) preload_job_free);
  job->provider = g_object_ref (provider);
  job->model = hearth_provider_canonical_model_name (provider, model);
  job->keep_alive_s = keep_alive_s;
  job->fallback_s = fallback_s;
  job->reason = g_strdup (reason != NULL && *reason != '\0' ? reason : _("preloaded by you"));

  if (job->model == NULL || *job->model == '\0')
    {
      g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                               _("Which model to preload? The name is empty"));
      return;
    }
  /* A server that cannot load ahead says so before anything is asked. */
  if (!(hearth_provider_get_features (provider) & HEARTH_PROVIDER_CAN_LOAD))
    {
      hearth_provider_load_async (provider, job->model, NULL, NAN, cancellable,
                                  loaded_cb, g_steal_pointer (&task));
      return;
    }
  hearth_provider_list_models_async (provider, cancellable, models_listed_cb,
                                     g_steal_pointer (&task));
}

/**
 * hearth_tuning_preload_async:
 * @keep_alive_s: seconds to keep it loaded; -1 for ever; 0 the model's
 *   resolved keep_alive (or the server's default when none is set)
 * @reason: (nullable): why, for the Models view ("preloaded by you")
 *
 * Loads @model with its resolved options (the context, GPU layers,
 * threads and batch a chat would use, so the chat does not load it
 * again), then notes why in the history's preloads table (where the app
 * sees what hearth-cli preloaded) and emits "preloaded".
 */
void
hearth_tuning_preload_async (HearthTuning        *self,
                             HearthProvider      *provider,
                             const char          *model,
                             double               keep_alive_s,
                             const char          *reason,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (HEARTH_IS_TUNING (self));
  g_return_if_fail (HEARTH_IS_PROVIDER (provider));
  g_return_if_fail (model != NULL);

  preload_start (self, provider, model, keep_alive_s, NAN, reason,
                 cancellable, callback, user_data);
}

gboolean
hearth_tuning_preload_finish (HearthTuning  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- The scheduler ---- */

static void scheduler_run (Preload *p);

static gboolean
learning_on (HearthTuning *self)
{
  return self->settings != NULL &&
         g_settings_get_boolean (self->settings, "preload-learned");
}

static GDateTime *
hour_start (GDateTime *time)
{
  return g_date_time_new (g_date_time_get_timezone (time), g_date_time_get_year (time),
                          g_date_time_get_month (time), g_date_time_get_day_of_month (time),
                          g_date_time_get_hour (time), 0, 0);
}

static gboolean
any_covers (GPtrArray *patterns,
            guint      hour_of_week)
{
  for (guint i = 0; i < patterns->len; i++)
    if (_hearth_usage_pattern_covers (g_ptr_array_index (patterns, i), hour_of_week))
      return TRUE;
  return FALSE;
}

/* Seconds from @now until the end of the usual hours @pattern has from
 * @from on: the keep-alive of a model preloaded for them. */
static double
until_usual_hours_end (const HearthUsagePattern *pattern,
                       GDateTime                *now,
                       GDateTime                *from)
{
  g_autoptr(GDateTime) end = hour_start (from);

  for (guint k = 0; k < HEARTH_USAGE_HOURS &&
       _hearth_usage_pattern_covers (pattern, _hearth_usage_hour_of_week (end)); k++)
    {
      GDateTime *next = g_date_time_add_hours (end, 1);

      g_date_time_unref (end);
      end = next;
    }
  return MAX ((double) LEAD_S, g_date_time_difference (end, now) / (double) G_USEC_PER_SEC);
}

/* When the next usual hours of any model start, less LEAD_S; 0 none. */
static gint64
next_preload_ms (GPtrArray *patterns,
                 GDateTime *now)
{
  g_autoptr(GDateTime) hour = hour_start (now);
  gint64 now_ms = g_date_time_to_unix (now) * 1000;

  for (guint k = 1; k <= HEARTH_USAGE_HOURS + 1; k++)
    {
      g_autoptr(GDateTime) start = g_date_time_add_hours (hour, (int) k);
      g_autoptr(GDateTime) before = g_date_time_add_hours (start, -1);
      gint64 at_ms = (g_date_time_to_unix (start) - LEAD_S) * 1000;

      if (at_ms > now_ms &&
          any_covers (patterns, _hearth_usage_hour_of_week (start)) &&
          !any_covers (patterns, _hearth_usage_hour_of_week (before)))
        return at_ms;
    }
  return 0;
}

static void
scheduled_preload_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!hearth_tuning_preload_finish (HEARTH_TUNING (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      !hearth_error_is_cancelled (error))
    g_message ("Could not preload a model: %s", error->message);
}

static gboolean
timer_cb (gpointer user_data)
{
  Preload *p = user_data;

  p->timer_id = 0;
  scheduler_run (p);
  return G_SOURCE_REMOVE;
}

static void
scheduler_usage_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  HearthTuning *self = HEARTH_TUNING (object);
  Preload *p = preload_get (self);
  HistoryRead *read = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) soon = NULL;
  guint now_hour, soon_hour;
  gint64 delay_ms;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Cannot learn when models are used: %s", error->message);
      return;
    }
  apply_preloads (self, read->preloads);
  if (p->provider == NULL || read->patterns == NULL)
    return;

  /* The models whose usual hours are now, or start within LEAD_S. */
  now = g_date_time_new_now_local ();
  soon = g_date_time_add_seconds (now, LEAD_S);
  now_hour = _hearth_usage_hour_of_week (now);
  soon_hour = _hearth_usage_hour_of_week (soon);
  for (guint i = 0; i < read->patterns->len; i++)
    {
      const HearthUsagePattern *pattern = g_ptr_array_index (read->patterns, i);
      gboolean covers_now = _hearth_usage_pattern_covers (pattern, now_hour);
      g_autofree char *reason = NULL;

      if (!covers_now && !_hearth_usage_pattern_covers (pattern, soon_hour))
        continue;
      /* Translators: "preloaded: you use it weekday mornings" */
      reason = g_strdup_printf (_("preloaded: you use it %s"), pattern->pattern);
      preload_start (self, p->provider, pattern->model, 0,
                     until_usual_hours_end (pattern, now, covers_now ? now : soon), reason,
                     p->cancellable, scheduled_preload_cb, NULL);
    }

  p->next_ms = next_preload_ms (read->patterns, now);
  if (p->next_ms == 0)
    return;
  delay_ms = p->next_ms - g_date_time_to_unix (now) * 1000;
  p->timer_id = g_timeout_add_seconds ((guint) MAX (1, (delay_ms + 999) / 1000), timer_cb, p);
}

static void
scheduler_run (Preload *p)
{
  scheduler_stop (p);
  if (p->provider == NULL || !learning_on (p->tuning))
    return;
  p->cancellable = g_cancellable_new ();
  read_history (p->tuning, TRUE, p->cancellable, scheduler_usage_cb, NULL);
}

static void
setting_changed_cb (GSettings  *settings,
                    const char *key,
                    gpointer    user_data)
{
  scheduler_run (user_data);
}

/**
 * hearth_tuning_start_scheduler:
 * @provider: (nullable): the server to preload on; NULL stops
 *
 * With GSettings "preload-learned" on, preloads now the models whose usual
 * hours (hearth_tuning_list_usage_async ()) are now or start within 15
 * minutes, and again 15 minutes before the next usual hours, each with
 * the reason "preloaded: you use it …". Follows the setting: off, nothing
 * is scheduled; on again, it starts over.
 */
void
hearth_tuning_start_scheduler (HearthTuning   *self,
                               HearthProvider *provider)
{
  Preload *p;

  g_return_if_fail (HEARTH_IS_TUNING (self));
  g_return_if_fail (provider == NULL || HEARTH_IS_PROVIDER (provider));

  p = preload_get (self);
  g_set_object (&p->provider, provider);
  if (provider != NULL && p->setting_id == 0 && self->settings != NULL)
    {
      p->settings = g_object_ref (self->settings);
      p->setting_id = g_signal_connect (p->settings, "changed::preload-learned",
                                        G_CALLBACK (setting_changed_cb), p);
    }
  else if (provider == NULL && p->setting_id != 0)
    {
      g_clear_signal_handler (&p->setting_id, p->settings);
      g_clear_object (&p->settings);
    }
  scheduler_run (p);
}

/* For tests: when the scheduler preloads next (unix ms), 0 when nothing is
 * scheduled. */
gint64
_hearth_tuning_get_next_preload_ms (HearthTuning *self)
{
  g_return_val_if_fail (HEARTH_IS_TUNING (self), 0);

  return preload_get (self)->next_ms;
}
