/* hearth-provider-load.c — loading a model ahead of use (preloading)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-provider"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hearth-error.h"
#include "hearth-provider.h"

/**
 * hearth_provider_load_async:
 * @options: (nullable): the model's run options; the ones that decide how
 *   it is loaded are sent, so a later request with the same ones does not
 *   load it again
 * @keep_alive_s: seconds to keep it in memory; negative: until the server
 *   stops; NAN: the server's default
 *
 * Loads @model now, so the first reply does not wait for it. The answer
 * comes once the model is in memory.
 */
void
hearth_provider_load_async (HearthProvider         *self,
                            const char             *model,
                            const HearthRunOptions *options,
                            double                  keep_alive_s,
                            GCancellable           *cancellable,
                            GAsyncReadyCallback     callback,
                            gpointer                user_data)
{
  HearthProviderClass *klass;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HEARTH_IS_PROVIDER (self));
  g_return_if_fail (model != NULL);

  klass = HEARTH_PROVIDER_GET_CLASS (self);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_provider_load_async);

  if (klass->load_async == NULL)
    {
      g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_NOT_SUPPORTED,
                               _("This server cannot preload models: %s speaks the %s API, "
                                 "which loads a model itself when a request needs it"),
                               hearth_provider_get_endpoint (self),
                               hearth_provider_get_server_kind (self));
      return;
    }
  if (*model == '\0')
    {
      g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                               _("Which model to preload? The name is empty"));
      return;
    }
  if (keep_alive_s == 0)
    {
      g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                               _("A model kept in memory 0 seconds is unloaded, not preloaded"));
      return;
    }
  klass->load_async (self, g_steal_pointer (&task), model, options, keep_alive_s);
}

gboolean
hearth_provider_load_finish (HearthProvider  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
