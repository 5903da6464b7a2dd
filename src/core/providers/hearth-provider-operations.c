/* hearth-provider-operations.c — what a server does besides chat and
 * listing its models: show, pull, delete, the loaded models, unload, version
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-provider"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hearth-error.h"
#include "hearth-provider-private.h"

/* The operations a server may or may not have. */
typedef enum
{
  OP_SHOW,
  OP_PULL,
  OP_DELETE,
  OP_LIST_LOADED,
  OP_UNLOAD,
  OP_VERSION,
} OperationKind;

static const HearthProviderFeatures operation_features[] = {
  [OP_SHOW]        = HEARTH_PROVIDER_CAN_SHOW,
  [OP_PULL]        = HEARTH_PROVIDER_CAN_PULL,
  [OP_DELETE]      = HEARTH_PROVIDER_CAN_DELETE,
  [OP_LIST_LOADED] = HEARTH_PROVIDER_CAN_LIST_LOADED,
  [OP_UNLOAD]      = HEARTH_PROVIDER_CAN_UNLOAD,
  [OP_VERSION]     = HEARTH_PROVIDER_CAN_VERSION,
};

/* What @self cannot do, one whole sentence per operation */
static void
return_not_supported (GTask          *task,
                      HearthProvider *self,
                      OperationKind   kind)
{
  const char *endpoint = hearth_provider_get_endpoint (self);
  const char *api = hearth_provider_get_server_kind (self);
  g_autofree char *message = NULL;

  switch (kind)
    {
    case OP_SHOW:
      /* Translators: the server's address, then the kind of API it speaks:
       * “OpenAI-compatible” */
      message = g_strdup_printf (_("This server cannot show a model's details: %s speaks the %s "
                                   "API"), endpoint, api);
      break;
    case OP_PULL:
      /* Translators: the server's address, then the kind of API it speaks */
      message = g_strdup_printf (_("This server cannot download models: %s speaks the %s API"),
                                 endpoint, api);
      break;
    case OP_DELETE:
      /* Translators: the server's address, then the kind of API it speaks */
      message = g_strdup_printf (_("This server cannot delete models: %s speaks the %s API"),
                                 endpoint, api);
      break;
    case OP_LIST_LOADED:
      /* Translators: the server's address, then the kind of API it speaks */
      message = g_strdup_printf (_("This server cannot list the models in memory: %s speaks the "
                                   "%s API"), endpoint, api);
      break;
    case OP_UNLOAD:
      /* Translators: the server's address, then the kind of API it speaks */
      message = g_strdup_printf (_("This server cannot unload models: %s speaks the %s API"),
                                 endpoint, api);
      break;
    case OP_VERSION:
    default:
      /* Translators: the server's address, then the kind of API it speaks */
      message = g_strdup_printf (_("This server cannot tell its version: %s speaks the %s API"),
                                 endpoint, api);
      break;
    }
  g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_NOT_SUPPORTED, "%s", message);
}

typedef struct
{
  OperationKind       kind;
  GTask              *task;
  char               *model;
  HearthPullProgress  progress;
  gpointer            progress_data;
} Operation;

static void
operation_run (gpointer source,
               gpointer user_data)
{
  Operation *op = user_data;
  HearthProvider *self = source;
  HearthProviderClass *klass = HEARTH_PROVIDER_GET_CLASS (self);

  switch (op->kind)
    {
    case OP_SHOW:
      klass->show_async (self, op->task, op->model);
      break;
    case OP_PULL:
      klass->pull_async (self, op->task, op->model, op->progress, op->progress_data);
      break;
    case OP_DELETE:
      klass->delete_async (self, op->task, op->model);
      break;
    case OP_LIST_LOADED:
      klass->list_loaded_async (self, op->task);
      break;
    case OP_UNLOAD:
      klass->unload_async (self, op->task, op->model);
      break;
    case OP_VERSION:
    default:
      klass->version_async (self, op->task);
      break;
    }
  g_free (op->model);
  g_free (op);
}

static void
operation_key_failed (gpointer      user_data,
                      const GError *error)
{
  Operation *op = user_data;

  g_task_return_error (op->task, g_error_copy (error));
  g_object_unref (op->task);
  g_free (op->model);
  g_free (op);
}

/* The class's function returns through the task, once the key is known;
 * a server without the operation says so at once. */
static void
operation_start (HearthProvider      *self,
                 OperationKind        kind,
                 gpointer             source_tag,
                 const char          *model,
                 HearthPullProgress   progress,
                 gpointer             progress_data,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Operation *op;

  g_task_set_source_tag (task, source_tag);
  if (!(hearth_provider_get_features (self) & operation_features[kind]))
    {
      return_not_supported (task, self, kind);
      g_object_unref (task);
      return;
    }
  op = g_new0 (Operation, 1);
  op->kind = kind;
  op->task = task;
  op->model = g_strdup (model);
  op->progress = progress;
  op->progress_data = progress_data;
  _hearth_provider_with_api_key (self, operation_run, operation_key_failed, op);
}

void
hearth_provider_show_async (HearthProvider      *self,
                            const char          *model,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (HEARTH_IS_PROVIDER (self));
  g_return_if_fail (model != NULL);

  operation_start (self, OP_SHOW, hearth_provider_show_async, model, NULL, NULL,
                   cancellable, callback, user_data);
}

/* Returns: (transfer full): the model's figures */
HearthModelDetails *
hearth_provider_show_finish (HearthProvider  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* @progress is called on the main thread until the task returns. */
void
hearth_provider_pull_async (HearthProvider      *self,
                            const char          *model,
                            HearthPullProgress   progress,
                            gpointer             progress_data,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (HEARTH_IS_PROVIDER (self));
  g_return_if_fail (model != NULL);

  operation_start (self, OP_PULL, hearth_provider_pull_async, model, progress, progress_data,
                   cancellable, callback, user_data);
}

gboolean
hearth_provider_pull_finish (HearthProvider  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
hearth_provider_delete_async (HearthProvider      *self,
                              const char          *model,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (HEARTH_IS_PROVIDER (self));
  g_return_if_fail (model != NULL);

  operation_start (self, OP_DELETE, hearth_provider_delete_async, model, NULL, NULL,
                   cancellable, callback, user_data);
}

gboolean
hearth_provider_delete_finish (HearthProvider  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
hearth_provider_list_loaded_async (HearthProvider      *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (HEARTH_IS_PROVIDER (self));

  operation_start (self, OP_LIST_LOADED, hearth_provider_list_loaded_async, NULL, NULL, NULL,
                   cancellable, callback, user_data);
}

/* Returns: (transfer container) (element-type HearthLoadedModel) */
GPtrArray *
hearth_provider_list_loaded_finish (HearthProvider  *self,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
hearth_provider_unload_async (HearthProvider      *self,
                              const char          *model,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (HEARTH_IS_PROVIDER (self));
  g_return_if_fail (model != NULL);

  operation_start (self, OP_UNLOAD, hearth_provider_unload_async, model, NULL, NULL,
                   cancellable, callback, user_data);
}

gboolean
hearth_provider_unload_finish (HearthProvider  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
hearth_provider_version_async (HearthProvider      *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (HEARTH_IS_PROVIDER (self));

  operation_start (self, OP_VERSION, hearth_provider_version_async, NULL, NULL, NULL,
                   cancellable, callback, user_data);
}

/* Returns: (transfer full): the server's version, as it writes it */
char *
hearth_provider_version_finish (HearthProvider  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
