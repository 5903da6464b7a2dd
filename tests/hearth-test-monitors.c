/* hearth-test-monitors.c — power-profile and memory monitors a test drives
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hearth-test-monitors.h"

struct _HearthTestPowerMonitor
{
  GObject  parent_instance;
  gboolean power_saver;
};

struct _HearthTestMemoryMonitor
{
  GObject parent_instance;
};

static gboolean
initable_init (GInitable     *initable,
               GCancellable  *cancellable,
               GError       **error)
{
  return TRUE;
}

static void
initable_iface_init (GInitableIface *iface)
{
  iface->init = initable_init;
}

static void
power_iface_init (GPowerProfileMonitorInterface *iface)
{
}

G_DEFINE_FINAL_TYPE_WITH_CODE (HearthTestPowerMonitor, hearth_test_power_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_POWER_PROFILE_MONITOR, power_iface_init))

static void
hearth_test_power_monitor_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  g_value_set_boolean (value, HEARTH_TEST_POWER_MONITOR (object)->power_saver);
}

static void
hearth_test_power_monitor_class_init (HearthTestPowerMonitorClass *klass)
{
  G_OBJECT_CLASS (klass)->get_property = hearth_test_power_monitor_get_property;
  g_object_class_override_property (G_OBJECT_CLASS (klass), 1, "power-saver-enabled");
}

static void
hearth_test_power_monitor_init (HearthTestPowerMonitor *self)
{
}

void
hearth_test_power_monitor_set (HearthTestPowerMonitor *self,
                               gboolean                power_saver)
{
  self->power_saver = power_saver;
  g_object_notify (G_OBJECT (self), "power-saver-enabled");
}

static void
memory_iface_init (GMemoryMonitorInterface *iface)
{
}

G_DEFINE_FINAL_TYPE_WITH_CODE (HearthTestMemoryMonitor, hearth_test_memory_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_MEMORY_MONITOR, memory_iface_init))

static void
hearth_test_memory_monitor_class_init (HearthTestMemoryMonitorClass *klass)
{
}

static void
hearth_test_memory_monitor_init (HearthTestMemoryMonitor *self)
{
}
