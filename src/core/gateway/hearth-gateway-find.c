/* hearth-gateway-find.c — which served server has the model a client
 * names ("MODEL@SERVER" for one server, "auto" for the routing rules)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "hearth-error.h"
#include "hearth-gateway-impl.h"

/* Whether @server is one the gateway serves: a named one, or any enabled
 * one when none was named. */
gboolean
_hearth_gateway_serves (HearthGateway *self,
                        HearthServer  *server)
{
  if (self->servers != NULL)
    return g_strv_contains ((const char * const *) self->servers,
                            hearth_server_get_name (server));
  return hearth_server_get_enabled (server);
}

/* Finding a model's server ------------------------------------------------ */

typedef struct
{
  char *name;       /* the model as the server would list it */
  char *server;     /* the server asked for with "@", or NULL */
} FindData;

static void
find_data_free (FindData *data)
{
  g_free (data->name);
  g_free (data->server);
  g_free (data);
}

static char *
served_names (HearthGateway *self)
{
  GListModel *model = G_LIST_MODEL (hearth_engine_get_servers (self->engine));
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (model, i);

      if (_hearth_gateway_serves (self, server))
        g_string_append_printf (names, "%s%s", names->len > 0 ? ", " : "",
                                hearth_server_get_name (server));
    }
  return names->len > 0 ? g_string_free (g_steal_pointer (&names), FALSE) : NULL;
}

typedef struct
{
  HearthServer *server;
  char         *model;
} FindResult;

static void
find_result_free (FindResult *result)
{
  g_clear_object (&result->server);
  g_free (result->model);
  g_free (result);
}

static void
find_models_cb (GObject      *source,
                GAsyncResult *res,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HearthGateway *self = g_task_get_source_object (task);
  FindData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) lists = NULL;
  g_autoptr(GString) looked = g_string_new (NULL);
  g_autoptr(GString) failed = g_string_new (NULL);

  lists = hearth_servers_list_models_finish (HEARTH_SERVERS (source), res, &error);
  if (lists == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  for (guint i = 0; i < lists->len; i++)
    {
      HearthServerModels *entry = g_ptr_array_index (lists, i);
      const char *name = hearth_server_get_name (entry->server);
      const HearthModelInfo *info;
      FindResult *result;

      if (!_hearth_gateway_serves (self, entry->server))
        continue;
      if (data->server != NULL && g_strcmp0 (name, data->server) != 0)
        continue;

      g_string_append_printf (looked, "%s%s", looked->len > 0 ? ", " : "", name);
      if (entry->models == NULL)
        {
          g_string_append_printf (failed, "%s%s (%s)", failed->len > 0 ? "; " : "", name,
                                  entry->error != NULL ? entry->error->message : "no answer");
          /* Asked by name: the request itself will say what is wrong there. */
          if (data->server == NULL)
            continue;
          result = g_new0 (FindResult, 1);
          result->server = g_object_ref (entry->server);
          result->model = g_strdup (data->name);
          g_task_return_pointer (task, result, (GDestroyNotify) find_result_free);
          return;
        }
      info = hearth_model_info_find (entry->models, data->name);
      if (info == NULL)
        continue;
      result = g_new0 (FindResult, 1);
      result->server = g_object_ref (entry->server);
      result->model = g_strdup (info->name);
      g_task_return_pointer (task, result, (GDestroyNotify) find_result_free);
      return;
    }

  if (data->server != NULL)
    g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND,
                             _("The server %s has no model “%s”: /api/tags or /v1/models "
                               "lists the models there are"), data->server, data->name);
  else
    g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND,
                             _("No server has the model “%s” (looked on %s%s%s): /api/tags "
                               "or /v1/models lists the models there are"), data->name,
                             looked->len > 0 ? looked->str : "no server",
                             failed->len > 0 ? "; not answering: " : "",
                             failed->len > 0 ? failed->str : "");
}

void
_hearth_gateway_find_model_async (HearthGateway       *self,
                                  const char          *model,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  HearthServers *servers;
  FindData *data;

  g_return_if_fail (HEARTH_IS_GATEWAY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, _hearth_gateway_find_model_async);
  servers = hearth_engine_get_servers (self->engine);

  data = g_new0 (FindData, 1);
  /* The one rule for MODEL@SERVER (compare and ensembles follow it too). */
  hearth_split_model_at_server (model != NULL ? model : "", &data->name, &data->server);
  g_task_set_task_data (task, data, (GDestroyNotify) find_data_free);

  if (data->server != NULL)
    {
      HearthServer *server = hearth_servers_lookup (servers, data->server);

      if (server == NULL || !_hearth_gateway_serves (self, server))
        {
          g_autofree char *names = served_names (self);

          g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND,
                                   _("“%s” asks for the server %s, which this gateway does not "
                                     "serve; it serves: %s"), model, data->server,
                                   names != NULL ? names : "no server");
          return;
        }
    }

  /* "auto" (or no model): the routing rules pick, from the default server. */
  if (*data->name == '\0' || g_strcmp0 (data->name, "auto") == 0)
    {
      HearthServer *server = NULL;
      GListModel *list = G_LIST_MODEL (servers);
      FindResult *result;

      if (data->server != NULL)
        server = hearth_servers_lookup (servers, data->server);
      for (guint i = 0; server == NULL && i < g_list_model_get_n_items (list); i++)
        {
          g_autoptr(HearthServer) item = g_list_model_get_item (list, i);

          if (_hearth_gateway_serves (self, item) && hearth_server_get_enabled (item))
            server = item;
        }
      if (server == NULL)
        {
          g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND,
                                   _("There is no enabled server to answer “auto”: enable one "
                                     "in Hearth's Servers"));
          return;
        }
      result = g_new0 (FindResult, 1);
      result->server = g_object_ref (server);
      result->model = g_strdup ("auto");
      g_task_return_pointer (task, result, (GDestroyNotify) find_result_free);
      return;
    }

  hearth_servers_list_models_async (servers, self->servers != NULL, cancellable,
                                    find_models_cb, g_steal_pointer (&task));
}

HearthServer *
_hearth_gateway_find_model_finish (HearthGateway  *self,
                                   GAsyncResult   *result,
                                   char          **model_out,
                                   GError        **error)
{
  FindResult *found;
  HearthServer *server;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  found = g_task_propagate_pointer (G_TASK (result), error);
  if (found == NULL)
    return NULL;
  server = g_steal_pointer (&found->server);
  if (model_out != NULL)
    *model_out = g_steal_pointer (&found->model);
  find_result_free (found);
  return server;
}
