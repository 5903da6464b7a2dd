/* hearth-bench-hardware.c — the machine a benchmark measures on, as text that
 * compares equal between runs on the same hardware
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-bench"

#include "config.h"

#include "hearth-bench-private.h"
#include "hearth-hardware.h"

/* Hardware: read once per process, off the main thread */

G_LOCK_DEFINE_STATIC (fingerprint);
static char *fingerprint;

static char *
hardware_fingerprint (const HearthHardware *hw)
{
  g_autoptr(GString) text = g_string_new (hw->cpu_model ? hw->cpu_model : "unknown CPU");

  g_string_append_printf (text, " · %d threads", hw->cpu_threads);
  if (hw->mem_total > 0)
    g_string_append_printf (text, " · %.0f GiB RAM", hw->mem_total / (double) (1 << 30));
  for (guint i = 0; hw->gpus != NULL && i < hw->gpus->len; i++)
    {
      const HearthGpu *gpu = g_ptr_array_index (hw->gpus, i);

      g_string_append_printf (text, "%s%s", i == 0 ? " · " : ", ",
                              gpu->name ? gpu->name : "unknown GPU");
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* A GTaskThreadFunc: returns the fingerprint (a string) or the probe's error. */
void
_hearth_bench_fingerprint_thread (GTask        *task,
                                  gpointer      source_object,
                                  gpointer      task_data,
                                  GCancellable *cancellable)
{
  g_autoptr(HearthHardware) hardware = NULL;
  GError *error = NULL;

  G_LOCK (fingerprint);
  if (fingerprint == NULL)
    {
      hardware = hearth_hardware_probe ("/", FALSE, &error);
      if (hardware != NULL)
        fingerprint = hardware_fingerprint (hardware);
    }
  if (fingerprint != NULL)
    g_task_return_pointer (task, g_strdup (fingerprint), g_free);
  else
    g_task_return_error (task, error);
  G_UNLOCK (fingerprint);
}
