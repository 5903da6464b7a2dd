/* hearth-tuning-monitors.c — the automatic choice: the Battery profile on
 * battery (UPower's OnBattery, on the system bus) or in power-saver mode
 * (GPowerProfileMonitor), a smaller context for a while after memory ran
 * low (GMemoryMonitor)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Idle cost: none; the monitors and UPower tell us when something changes.
 * Without a system bus (a container, the tests) there is no UPower and the
 * machine counts as on mains power.
 */
#define G_LOG_DOMAIN "hearth-tuning"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hearth-tuning-private.h"

#define UPOWER_NAME      "org.freedesktop.UPower"
#define UPOWER_PATH      "/org/freedesktop/UPower"
#define UPOWER_INTERFACE "org.freedesktop.UPower"

static gboolean
automatic_enabled (HearthTuning *self)
{
  return self->settings == NULL || g_settings_get_boolean (self->settings, "run-profile-automatic");
}

gboolean
_hearth_tuning_battery_in_force (HearthTuning *self)
{
  return automatic_enabled (self) && (self->on_battery || self->power_saver);
}

gboolean
hearth_tuning_get_memory_pressure (HearthTuning *self)
{
  g_return_val_if_fail (HEARTH_IS_TUNING (self), FALSE);
  return automatic_enabled (self) && self->memory_pressure;
}

const char *
hearth_tuning_get_automatic_reason (HearthTuning *self)
{
  g_return_val_if_fail (HEARTH_IS_TUNING (self), NULL);
  return self->automatic_reason;
}

void
_hearth_tuning_update_automatic (HearthTuning *self)
{
  GString *reason = g_string_new (NULL);
  char *text;

  if (_hearth_tuning_battery_in_force (self))
    g_string_append (reason, self->on_battery ? "On battery: Battery profile"
                                              : "Power saver is on: Battery profile");
  if (hearth_tuning_get_memory_pressure (self))
    g_string_append_printf (reason, _("%sMemory is low: context limited to %d"),
                            reason->len ? "; " : "", HEARTH_TUNING_PRESSURE_MAX_CTX);
  text = g_string_free (reason, reason->len == 0);
  if (g_strcmp0 (text, self->automatic_reason) == 0)
    {
      g_free (text);
      return;
    }
  g_free (self->automatic_reason);
  self->automatic_reason = text;
  g_signal_emit_by_name (self, "automatic-changed");
  /* The profile in force and every resolved option may have changed. */
  _hearth_tuning_emit_changed (self);
}

/* Power-saver mode */

static void
on_power_saver (GPowerProfileMonitor *power,
                GParamSpec           *pspec,
                HearthTuning         *self)
{
  self->power_saver = g_power_profile_monitor_get_power_saver_enabled (power);
  _hearth_tuning_update_automatic (self);
}

/* Low memory: a smaller context for HEARTH_TUNING_PRESSURE_SECONDS after the
 * last warning. */

static gboolean
pressure_over (gpointer user_data)
{
  HearthTuning *self = user_data;

  self->pressure_id = 0;
  self->memory_pressure = FALSE;
  _hearth_tuning_update_automatic (self);
  return G_SOURCE_REMOVE;
}

static void
on_low_memory (GMemoryMonitor                *memory,
               GMemoryMonitorWarningLevel     level,
               HearthTuning                  *self)
{
  g_clear_handle_id (&self->pressure_id, g_source_remove);
  self->pressure_id = g_timeout_add_seconds (HEARTH_TUNING_PRESSURE_SECONDS, pressure_over, self);
  self->memory_pressure = TRUE;
  _hearth_tuning_update_automatic (self);
}

void
hearth_tuning_set_monitors (HearthTuning         *self,
                            GPowerProfileMonitor *power,
                            GMemoryMonitor       *memory)
{
  g_return_if_fail (HEARTH_IS_TUNING (self));
  g_return_if_fail (power == NULL || G_IS_POWER_PROFILE_MONITOR (power));
  g_return_if_fail (memory == NULL || G_IS_MEMORY_MONITOR (memory));

  if (self->power != NULL)
    g_signal_handlers_disconnect_by_data (self->power, self);
  if (self->memory != NULL)
    g_signal_handlers_disconnect_by_data (self->memory, self);
  g_set_object (&self->power, power);
  g_set_object (&self->memory, memory);
  self->power_saver = FALSE;
  if (power != NULL)
    {
      g_signal_connect (power, "notify::power-saver-enabled", G_CALLBACK (on_power_saver), self);
      self->power_saver = g_power_profile_monitor_get_power_saver_enabled (power);
    }
  if (memory != NULL)
    g_signal_connect (memory, "low-memory-warning", G_CALLBACK (on_low_memory), self);
  g_clear_handle_id (&self->pressure_id, g_source_remove);
  self->memory_pressure = FALSE;
  _hearth_tuning_update_automatic (self);
}

static void
apply_on_battery (HearthTuning *self,
                  gboolean      on_battery)
{
  if (self->on_battery == on_battery)
    return;
  self->on_battery = on_battery;
  _hearth_tuning_update_automatic (self);
}

/* Tests (and anyone who knows better) decide; UPower is no longer asked. */
void
hearth_tuning_set_on_battery (HearthTuning *self,
                              gboolean      on_battery)
{
  g_return_if_fail (HEARTH_IS_TUNING (self));

  if (self->system_bus != NULL && self->upower_watch != 0)
    g_dbus_connection_signal_unsubscribe (self->system_bus, self->upower_watch);
  self->upower_watch = 0;
  g_clear_object (&self->system_bus);
  g_cancellable_cancel (self->bus_cancellable);
  apply_on_battery (self, on_battery);
}

/* UPower */

static void
got_on_battery (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  g_autoptr(GVariant) value = NULL;
  HearthTuning *self = user_data;

  if (reply == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("UPower not asked: %s", error->message);
      return;
    }
  g_variant_get (reply, "(v)", &value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    apply_on_battery (self, g_variant_get_boolean (value));
}

static void
on_upower_changed (GDBusConnection *connection,
                   const char      *sender,
                   const char      *path,
                   const char      *interface,
                   const char      *signal,
                   GVariant        *parameters,
                   gpointer         user_data)
{
  HearthTuning *self = user_data;
  g_autoptr(GVariant) changed = NULL;
  const char *iface = NULL;
  gboolean on_battery;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sa{sv}as)")))
    return;
  g_variant_get (parameters, "(&s@a{sv}@as)", &iface, &changed, NULL);
  if (g_strcmp0 (iface, UPOWER_INTERFACE) == 0
      && g_variant_lookup (changed, "OnBattery", "b", &on_battery))
    apply_on_battery (self, on_battery);
}

static void
got_system_bus (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);
  HearthTuning *self;

  if (bus == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No system bus, so no UPower: %s", error->message);
      g_object_unref (user_data);
      return;
    }
  self = user_data;
  if (g_cancellable_is_cancelled (self->bus_cancellable) || self->system_bus != NULL)
    {
      g_object_unref (bus);
      g_object_unref (self);
      return;
    }
  self->system_bus = bus;
  self->upower_watch = g_dbus_connection_signal_subscribe (bus, UPOWER_NAME,
                                                           "org.freedesktop.DBus.Properties",
                                                           "PropertiesChanged", UPOWER_PATH,
                                                           UPOWER_INTERFACE, G_DBUS_SIGNAL_FLAGS_NONE,
                                                           on_upower_changed, self, NULL);
  g_dbus_connection_call (bus, UPOWER_NAME, UPOWER_PATH, "org.freedesktop.DBus.Properties", "Get",
                          g_variant_new ("(ss)", UPOWER_INTERFACE, "OnBattery"),
                          G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, 5000,
                          self->bus_cancellable, got_on_battery, self);
  g_object_unref (self);
}

void
_hearth_tuning_monitors_start (HearthTuning *self)
{
  g_autoptr(GPowerProfileMonitor) power = g_power_profile_monitor_dup_default ();
  g_autoptr(GMemoryMonitor) memory = g_memory_monitor_dup_default ();

  hearth_tuning_set_monitors (self, power, memory);
  self->bus_cancellable = g_cancellable_new ();
  g_bus_get (G_BUS_TYPE_SYSTEM, self->bus_cancellable, got_system_bus, g_object_ref (self));
}

void
_hearth_tuning_monitors_stop (HearthTuning *self)
{
  g_cancellable_cancel (self->bus_cancellable);
  g_clear_object (&self->bus_cancellable);
  if (self->power != NULL)
    g_signal_handlers_disconnect_by_data (self->power, self);
  if (self->memory != NULL)
    g_signal_handlers_disconnect_by_data (self->memory, self);
  g_clear_object (&self->power);
  g_clear_object (&self->memory);
  g_clear_handle_id (&self->pressure_id, g_source_remove);
  if (self->system_bus != NULL && self->upower_watch != 0)
    g_dbus_connection_signal_unsubscribe (self->system_bus, self->upower_watch);
  self->upower_watch = 0;
  g_clear_object (&self->system_bus);
}
