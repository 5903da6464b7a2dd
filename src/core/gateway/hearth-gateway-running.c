/* hearth-gateway-running.c — the gateway's endpoints about what the
 * servers run: the models loaded (/api/ps), the version (/api/version)
 * and downloads (/api/pull, its progress streamed as Ollama streams it)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "hearth-error.h"
#include "hearth-gateway-models.h"
#include "hearth-json.h"

/* /api/ps ----------------------------------------------------------------- */

static JsonNode *
build_ps (ModelsOp *op)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "models");
  json_builder_begin_array (builder);
  for (guint i = 0; i < op->loaded->len; i++)
    {
      ServerLoaded *entry = g_ptr_array_index (op->loaded, i);
      const char *server = hearth_server_get_name (entry->server);

      for (guint j = 0; entry->models != NULL && j < entry->models->len; j++)
        {
          HearthLoadedModel *model = g_ptr_array_index (entry->models, j);
          g_autofree char *name = NULL;

          /* As /api/tags names it: plainly for the first server that has
           * it loaded, with "@SERVER" after. */
          if (g_hash_table_contains (seen, model->name))
            name = g_strdup_printf ("%s@%s", model->name, server);
          else
            {
              name = g_strdup (model->name);
              g_hash_table_add (seen, model->name);
            }
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, name);
          json_builder_set_member_name (builder, "model");
          json_builder_add_string_value (builder, name);
          if (model->size >= 0)
            {
              json_builder_set_member_name (builder, "size");
              json_builder_add_int_value (builder, model->size);
            }
          if (model->digest != NULL)
            {
              json_builder_set_member_name (builder, "digest");
              json_builder_add_string_value (builder, model->digest);
            }
          _hearth_gateway_add_details (builder, NULL);
          if (model->expires_at != NULL)
            {
              json_builder_set_member_name (builder, "expires_at");
              json_builder_add_string_value (builder, model->expires_at);
            }
          if (model->size_vram >= 0)
            {
              json_builder_set_member_name (builder, "size_vram");
              json_builder_add_int_value (builder, model->size_vram);
            }
          if (model->context_length >= 0)
            {
              json_builder_set_member_name (builder, "context_length");
              json_builder_add_int_value (builder, model->context_length);
            }
          json_builder_end_object (builder);
        }
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

typedef struct
{
  ModelsOp     *op;
  ServerLoaded *entry;
} LoadedWait;

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  LoadedWait *wait = user_data;
  ModelsOp *op = wait->op;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = NULL;

  wait->entry->models = hearth_provider_list_loaded_finish (HEARTH_PROVIDER (source), result,
                                                            &error);
  if (wait->entry->models == NULL)
    g_debug ("The server %s did not say what it has loaded: %s",
             hearth_server_get_name (wait->entry->server), error->message);
  g_free (wait);
  if (--op->pending > 0)
    return;
  if (_hearth_gateway_op_orphaned (op))
    return;
  body = build_ps (op);
  _hearth_gateway_op_json (op, body);
}

void
_hearth_gateway_handle_ps (HearthGatewayCall *call)
{
  HearthGateway *self = call->gateway;
  GListModel *list = G_LIST_MODEL (hearth_engine_get_servers (_hearth_gateway_get_engine (self)));
  g_autoptr(JsonNode) body = NULL;
  ModelsOp *op = _hearth_gateway_op_new (call);

  op->loaded = g_ptr_array_new_with_free_func ((GDestroyNotify) _hearth_gateway_server_loaded_free);
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (list, i);
      HearthProvider *provider = hearth_server_get_provider (server);
      ServerLoaded *entry;

      if (!_hearth_gateway_serves (self, server) || !hearth_server_get_enabled (server)
          || provider == NULL
          || (hearth_provider_get_features (provider) & HEARTH_PROVIDER_CAN_LIST_LOADED) == 0)
        continue;
      entry = g_new0 (ServerLoaded, 1);
      entry->server = g_object_ref (server);
      g_ptr_array_add (op->loaded, entry);
    }

  /* Each is asked at once; the answer waits for the last. */
  op->pending = op->loaded->len + 1;
  for (guint i = 0; i < op->loaded->len; i++)
    {
      LoadedWait *wait = g_new0 (LoadedWait, 1);

      wait->op = op;
      wait->entry = g_ptr_array_index (op->loaded, i);
      hearth_provider_list_loaded_async (hearth_server_get_provider (wait->entry->server),
                                         call->cancellable, loaded_cb, wait);
    }
  if (--op->pending > 0)
    return;
  body = build_ps (op);
  _hearth_gateway_op_json (op, body);
}

/* /api/version ------------------------------------------------------------ */

static void
respond_version (ModelsOp   *op,
                 const char *version)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, version);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  _hearth_gateway_op_json (op, body);
}

static void
version_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  ModelsOp *op = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = hearth_provider_version_finish (HEARTH_PROVIDER (source), result,
                                                             &error);

  if (_hearth_gateway_op_orphaned (op))
    return;
  if (version == NULL)
    g_debug ("The server %s did not give its version: %s",
             hearth_server_get_name (op->server), error->message);
  respond_version (op, version != NULL ? version : PACKAGE_VERSION);
}

/* The version of the first served Ollama server (clients compare it to
 * know what the API can do), else Hearth's own. */
void
_hearth_gateway_handle_version (HearthGatewayCall *call)
{
  HearthGateway *self = call->gateway;
  GListModel *list = G_LIST_MODEL (hearth_engine_get_servers (_hearth_gateway_get_engine (self)));
  ModelsOp *op = _hearth_gateway_op_new (call);

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (list, i);
      HearthProvider *provider = hearth_server_get_provider (server);

      if (_hearth_gateway_serves (self, server) && hearth_server_get_enabled (server)
          && hearth_server_get_api (server) == HEARTH_API_OLLAMA && provider != NULL
          && (hearth_provider_get_features (provider) & HEARTH_PROVIDER_CAN_VERSION) != 0)
        {
          op->server = g_object_ref (server);
          hearth_provider_version_async (provider, call->cancellable, version_cb, op);
          return;
        }
    }
  respond_version (op, PACKAGE_VERSION);
}

/* /api/pull --------------------------------------------------------------- */

static void
pull_write (ModelsOp   *op,
            JsonNode   *line)
{
  g_autofree char *text = hearth_json_to_string (line, FALSE);
  g_autofree char *with_newline = g_strconcat (text, "\n", NULL);

  _hearth_gateway_call_write (op->call, with_newline, -1);
}

static void
pull_begin (ModelsOp *op)
{
  if (op->began)
    return;
  op->began = TRUE;
  soup_message_headers_replace (soup_server_message_get_response_headers (op->call->msg),
                                "X-Hearth-Server", hearth_server_get_name (op->server));
  _hearth_gateway_call_begin_stream (op->call, "application/x-ndjson", NULL);
}

static void
pull_progress (const char *status,
               gint64      completed,
               gint64      total,
               gpointer    user_data)
{
  ModelsOp *op = user_data;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) line = NULL;

  if (!op->stream || op->call->gateway == NULL || status == NULL || *status == '\0')
    return;
  /* The engine sums every layer's bytes: one line per change. */
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, status);
  if (total > 0)
    {
      json_builder_set_member_name (builder, "total");
      json_builder_add_int_value (builder, total);
      json_builder_set_member_name (builder, "completed");
      json_builder_add_int_value (builder, CLAMP (completed, 0, total));
    }
  json_builder_end_object (builder);
  line = json_builder_get_root (builder);

  g_free (op->last_status);
  op->last_status = g_strdup (status);
  pull_begin (op);
  pull_write (op, line);
}

static JsonNode *
status_line (const char *member,
             const char *value)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, value);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
pull_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ModelsOp *op = user_data;
  g_autoptr(GError) error = NULL;
  gboolean pulled = hearth_provider_pull_finish (HEARTH_PROVIDER (source), result, &error);
  g_autoptr(JsonNode) line = NULL;

  if (_hearth_gateway_op_orphaned (op))
    return;
  if (!op->began)
    {
      if (pulled)
        {
          line = status_line ("status", "success");
          _hearth_gateway_op_json (op, line);
        }
      else
        _hearth_gateway_op_error (op, error);
      return;
    }

  /* Once streaming, Ollama keeps 200 and says what failed on a last line. */
  if (!pulled)
    line = status_line ("error", error->message);
  else if (g_strcmp0 (op->last_status, "success") != 0)
    line = status_line ("status", "success");
  if (line != NULL)
    pull_write (op, line);
  _hearth_gateway_call_finish (op->call);
  _hearth_gateway_op_free (op);
}

/* The server to pull to: "NAME@SERVER", else the first served server that
 * can pull. */
static HearthServer *
pull_server (HearthGateway  *self,
             char          **name,
             GError        **error)
{
  HearthServers *servers = hearth_engine_get_servers (_hearth_gateway_get_engine (self));
  GListModel *list = G_LIST_MODEL (servers);
  g_autofree char *model = NULL;
  g_autofree char *server_name = NULL;

  hearth_split_model_at_server (*name, &model, &server_name);
  if (server_name != NULL)
    {
      HearthServer *server = hearth_servers_lookup (servers, server_name);

      if (server == NULL || !_hearth_gateway_serves (self, server))
        {
          g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND,
                       _("“%s” asks for the server %s, which this gateway does not serve"),
                       *name, server_name);
          return NULL;
        }
      g_free (*name);
      *name = g_steal_pointer (&model);
      return g_object_ref (server);
    }

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (list, i);
      HearthProvider *provider = hearth_server_get_provider (server);

      if (_hearth_gateway_serves (self, server) && hearth_server_get_enabled (server)
          && provider != NULL
          && (hearth_provider_get_features (provider) & HEARTH_PROVIDER_CAN_PULL) != 0)
        return g_steal_pointer (&server);
    }
  g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_NOT_SUPPORTED,
               _("None of the servers this gateway serves can download models (only Ollama "
                 "servers can): pull with `ollama pull` on the server itself"));
  return NULL;
}

void
_hearth_gateway_handle_pull (HearthGatewayCall *call)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = _hearth_gateway_call_read_json (call, &error);
  const char *model;
  ModelsOp *op;

  if (body == NULL)
    {
      _hearth_gateway_respond_error (call, error);
      return;
    }
  model = hearth_json_get_string (body, "model");
  if (model == NULL || *model == '\0')
    model = hearth_json_get_string (body, "name");
  if (model == NULL || *model == '\0')
    {
      g_autoptr(GError) invalid = NULL;

      hearth_error_set_invalid (&invalid, _("The request to /api/pull names no model: send "
                                "{\"model\": \"NAME\"}"));
      _hearth_gateway_respond_error (call, invalid);
      return;
    }

  op = _hearth_gateway_op_new (call);
  op->asked = g_strdup (model);
  op->name = g_strdup (model);
  op->stream = hearth_json_get_boolean (body, "stream", TRUE);
  _hearth_gateway_call_note (call, op->asked, NULL);
  op->server = pull_server (call->gateway, &op->name, &error);
  if (op->server == NULL)
    {
      _hearth_gateway_op_error (op, error);
      return;
    }
  if (!_hearth_gateway_require_feature (op, HEARTH_PROVIDER_CAN_PULL))
    return;
  _hearth_gateway_call_note (call, NULL, hearth_server_get_name (op->server));
  g_debug ("Pulling %s on %s for %s", op->name, hearth_server_get_name (op->server),
           call->client);
  hearth_provider_pull_async (hearth_server_get_provider (op->server), op->name,
                              pull_progress, op, call->cancellable, pull_cb, op);
}
