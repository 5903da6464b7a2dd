/* hearth-application-tuning.c — the automatic choice of run options, as the
 * application lives it: a banner in every window that says what it does,
 * and, while memory is low, idle models unloaded from the server
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-application"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-application-private.h"
#include "hearth-error.h"

/* A model no reply used for this long is idle. */
#define IDLE_UNLOAD_S      (5 * 60)
/* While memory stays low, how often to look for idle models again. */
#define PRESSURE_CHECK_S   60

static gint64
idle_after_us (void)
{
  /* Tests cannot wait five minutes: HEARTH_IDLE_UNLOAD_S makes it shorter. */
  const char *env = g_getenv ("HEARTH_IDLE_UNLOAD_S");

  return (env != NULL ? g_ascii_strtoll (env, NULL, 10) : IDLE_UNLOAD_S) * G_USEC_PER_SEC;
}

static HearthProvider *
configured_provider (HearthApplication *self)
{
  return hearth_engine_get_configured_provider (self->engine, NULL, NULL);
}

static gboolean
can_unload (HearthProvider *provider)
{
  HearthProviderFeatures need = HEARTH_PROVIDER_CAN_LIST_LOADED | HEARTH_PROVIDER_CAN_UNLOAD;

  return provider != NULL && (hearth_provider_get_features (provider) & need) == need;
}

static char *
memory_notice (gboolean         can_unload_models,
               const GPtrArray *unloaded)
{
  g_autofree char *names = NULL;

  if (!can_unload_models)
    return g_strdup_printf (_("Memory is low: models run with a smaller context (at most %d "
                              "tokens)"), HEARTH_TUNING_PRESSURE_MAX_CTX);
  if (unloaded == NULL || unloaded->len == 0)
    return g_strdup (_("Memory is low: models run with a smaller context and idle ones are "
                       "unloaded"));
  names = g_strjoinv (", ", (char **) unloaded->pdata);
  return g_strdup_printf (_("Memory is low: models run with a smaller context and idle ones "
                            "are unloaded (unloaded %s)"), names);
}

static char *
battery_notice (HearthTuning *tuning)
{
  const char *reason = hearth_tuning_get_automatic_reason (tuning);

  if (reason == NULL ||
      g_strcmp0 (hearth_tuning_get_active_profile (tuning), HEARTH_PROFILE_BATTERY) != 0 ||
      g_strcmp0 (hearth_tuning_get_chosen_profile (tuning), HEARTH_PROFILE_BATTERY) == 0)
    return NULL;
  if (g_str_has_prefix (reason, "On battery"))
    return g_strdup (_("Battery profile in use: the computer is on battery"));
  return g_strdup (_("Battery profile in use: power saver is on"));
}

/**
 * hearth_application_describe_automatic:
 * @unloaded: (nullable) (element-type utf8): NULL-terminated: the idle models
 *   unloaded under this memory pressure
 * @can_unload_models: whether idle models are unloaded at all (the server can)
 *
 * What the automatic choice of run options does now, in a sentence or two,
 * for the window's banner and Preferences.
 *
 * Returns: (transfer full) (nullable): NULL when it does nothing
 */
char *
hearth_application_describe_automatic (HearthTuning    *tuning,
                                       const GPtrArray *unloaded,
                                       gboolean         can_unload_models)
{
  g_autofree char *battery = battery_notice (tuning);
  g_autofree char *memory = NULL;

  if (hearth_tuning_get_memory_pressure (tuning))
    memory = memory_notice (can_unload_models, unloaded);
  if (battery != NULL && memory != NULL)
    return g_strdup_printf ("%s. %s", battery, memory);
  if (battery != NULL)
    return g_steal_pointer (&battery);
  if (memory != NULL)
    return g_steal_pointer (&memory);
  /* Something automatic this version has no words for yet: its own. */
  return g_strdup (hearth_tuning_get_automatic_reason (tuning));
}

static void
update_notice (HearthApplication *self)
{
  HearthTuning *tuning = hearth_engine_get_tuning (self->engine);

  g_free (self->automatic_notice);
  if (self->unloaded != NULL)
    g_ptr_array_add (self->unloaded, NULL);
  self->automatic_notice = hearth_application_describe_automatic (
    tuning, self->unloaded, can_unload (configured_provider (self)));
  if (self->unloaded != NULL)
    g_ptr_array_remove_index (self->unloaded, self->unloaded->len - 1);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (HEARTH_IS_WINDOW (l->data))
      hearth_window_set_automatic_notice (l->data, self->automatic_notice);
}

static void
on_reply_recorded (HearthEngine      *engine,
                   HearthReply       *reply,
                   HearthApplication *self)
{
  const char *model = hearth_reply_get_model (reply);
  gint64 *when;

  if (model == NULL || self->model_last_used == NULL)
    return;
  when = g_new (gint64, 1);
  *when = g_get_monotonic_time ();
  g_hash_table_insert (self->model_last_used, hearth_model_name_with_tag (model), when);
}

/* A model this Hearth has not used counts from when Hearth started: one
 * hearth-cli or another app just loaded is not taken away at once. */
static gboolean
is_idle (HearthApplication       *self,
         const HearthLoadedModel *loaded)
{
  g_autofree char *name = hearth_model_name_with_tag (loaded->name);
  const gint64 *when = g_hash_table_lookup (self->model_last_used, name);
  gint64 last = when != NULL ? *when : self->started_us;

  return g_get_monotonic_time () - last >= idle_after_us ();
}

typedef struct
{
  HearthApplication *self;
  char              *model;
} Unload;

static void
unloaded_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Unload *unload = user_data;
  g_autoptr(HearthApplication) self = unload->self;
  g_autofree char *model = unload->model;
  g_autoptr(GError) error = NULL;

  g_free (unload);
  if (!hearth_provider_unload_finish (HEARTH_PROVIDER (object), result, &error))
    {
      if (!hearth_error_is_cancelled (error))
        g_message ("Could not unload %s while memory is low: %s", model, error->message);
      return;
    }
  if (self->unloaded == NULL)
    return;
  g_ptr_array_add (self->unloaded, hearth_model_display_name (model));
  update_notice (self);
}

static void
listed_loaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(HearthApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) loaded = hearth_provider_list_loaded_finish (HEARTH_PROVIDER (object),
                                                                    result, &error);

  if (loaded == NULL || self->unload_cancellable == NULL)
    return;
  for (guint i = 0; i < loaded->len; i++)
    {
      const HearthLoadedModel *model = g_ptr_array_index (loaded, i);
      Unload *unload;

      if (!is_idle (self, model))
        continue;
      unload = g_new0 (Unload, 1);
      unload->self = g_object_ref (self);
      unload->model = g_strdup (model->name);
      hearth_provider_unload_async (HEARTH_PROVIDER (object), model->name,
                                    self->unload_cancellable, unloaded_cb, unload);
    }
}

static void
unload_idle_models (HearthApplication *self)
{
  HearthProvider *provider = configured_provider (self);

  if (!can_unload (provider) || self->unload_cancellable == NULL)
    return;
  hearth_provider_list_loaded_async (provider, self->unload_cancellable, listed_loaded_cb,
                                     g_object_ref (self));
}

static gboolean
pressure_check_cb (gpointer user_data)
{
  unload_idle_models (user_data);
  return G_SOURCE_CONTINUE;
}

static void
stop_unloading (HearthApplication *self)
{
  g_clear_handle_id (&self->unload_timeout_id, g_source_remove);
  g_cancellable_cancel (self->unload_cancellable);
  g_clear_object (&self->unload_cancellable);
  g_clear_pointer (&self->unloaded, g_ptr_array_unref);
}

static void
on_automatic_changed (HearthApplication *self)
{
  gboolean pressure = hearth_tuning_get_memory_pressure (hearth_engine_get_tuning (self->engine));

  if (self->model_last_used == NULL)
    return;   /* stopped */
  if (pressure && self->unload_cancellable == NULL)
    {
      self->unload_cancellable = g_cancellable_new ();
      self->unloaded = g_ptr_array_new_with_free_func (g_free);
      self->unload_timeout_id = g_timeout_add_seconds (PRESSURE_CHECK_S, pressure_check_cb, self);
      unload_idle_models (self);
    }
  else if (!pressure)
    stop_unloading (self);
  update_notice (self);
}

void
_hearth_application_setup_tuning (HearthApplication *self)
{
  self->started_us = g_get_monotonic_time ();
  self->model_last_used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_signal_connect_object (self->engine, "reply-recorded", G_CALLBACK (on_reply_recorded), self,
                           0);
  g_signal_connect_object (hearth_engine_get_tuning (self->engine), "automatic-changed",
                           G_CALLBACK (on_automatic_changed), self, G_CONNECT_SWAPPED);
  on_automatic_changed (self);
}

void
_hearth_application_stop_tuning (HearthApplication *self)
{
  stop_unloading (self);
  g_clear_pointer (&self->model_last_used, g_hash_table_unref);
  g_clear_pointer (&self->automatic_notice, g_free);
}

/* Returns: (nullable): what the automatic choice of run options does now,
 *   for a banner */
const char *
hearth_application_get_automatic_notice (HearthApplication *self)
{
  g_return_val_if_fail (HEARTH_IS_APPLICATION (self), NULL);
  return self->automatic_notice;
}
