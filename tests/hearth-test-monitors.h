/* hearth-test-monitors.h — power-profile and memory monitors a test drives:
 * the GIO interfaces (GPowerProfileMonitor, GMemoryMonitor) with nothing
 * behind them, for hearth_tuning_set_monitors ()
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HEARTH_TYPE_TEST_POWER_MONITOR (hearth_test_power_monitor_get_type ())
G_DECLARE_FINAL_TYPE (HearthTestPowerMonitor, hearth_test_power_monitor, HEARTH, TEST_POWER_MONITOR, GObject)

/* Sets "power-saver-enabled" and notifies it, as the portal's monitor does. */
void hearth_test_power_monitor_set (HearthTestPowerMonitor *self,
                                    gboolean                power_saver);

/* Emit "low-memory-warning" on it with g_signal_emit_by_name (). */
#define HEARTH_TYPE_TEST_MEMORY_MONITOR (hearth_test_memory_monitor_get_type ())
G_DECLARE_FINAL_TYPE (HearthTestMemoryMonitor, hearth_test_memory_monitor, HEARTH, TEST_MEMORY_MONITOR, GObject)

G_END_DECLS
