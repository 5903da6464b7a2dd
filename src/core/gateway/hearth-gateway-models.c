/* hearth-gateway-models.c — the gateway's endpoints besides chat: the
 * models of every served server, one model's details, what is loaded,
 * pulling and deleting, in Ollama's and OpenAI's shapes
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything goes through the user's servers (hearth_engine_get_servers ())
 * and each server's provider as the engine keeps it: the same calls
 * `hearth-cli models` makes.
 */
#define G_LOG_DOMAIN "hearth-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "hearth-error.h"
#include "hearth-gateway-models.h"
#include "hearth-json.h"

void
_hearth_gateway_server_loaded_free (ServerLoaded *entry)
{
  g_clear_object (&entry->server);
  g_clear_pointer (&entry->models, g_ptr_array_unref);
  g_free (entry);
}

ModelsOp *
_hearth_gateway_op_new (HearthGatewayCall *call)
{
  ModelsOp *op = g_new0 (ModelsOp, 1);

  op->call = call;
  return op;
}

void
_hearth_gateway_op_free (ModelsOp *op)
{
  g_free (op->asked);
  g_free (op->name);
  g_clear_object (&op->server);
  g_free (op->last_status);
  g_clear_pointer (&op->loaded, g_ptr_array_unref);
  g_free (op);
}

static HearthGateway *
op_gateway (ModelsOp *op)
{
  return op->call->gateway;
}

/* The call ends with the op: the gateway may have gone meanwhile. */
gboolean
_hearth_gateway_op_orphaned (ModelsOp *op)
{
  if (op->call->gateway != NULL)
    return FALSE;
  _hearth_gateway_call_free (op->call);
  _hearth_gateway_op_free (op);
  return TRUE;
}

void
_hearth_gateway_op_error (ModelsOp     *op,
          const GError *error)
{
  _hearth_gateway_respond_error (op->call, error);
  _hearth_gateway_op_free (op);
}

void
_hearth_gateway_op_json (ModelsOp *op,
         JsonNode *body)
{
  _hearth_gateway_respond_json (op->call, SOUP_STATUS_OK, body);
  _hearth_gateway_op_free (op);
}

/* The model a request's body names ("model", or the older "name"). */
static char *
body_model (HearthGatewayCall  *call,
            GError            **error)
{
  g_autoptr(JsonObject) body = _hearth_gateway_call_read_json (call, error);
  const char *model;

  if (body == NULL)
    return NULL;
  model = hearth_json_get_string (body, "model");
  if (model == NULL || *model == '\0')
    model = hearth_json_get_string (body, "name");
  if (model == NULL || *model == '\0')
    {
      hearth_error_set_invalid (error, _("The request to %s names no model: send "
                                "{\"model\": \"NAME\"}"), call->path);
      return NULL;
    }
  return g_strdup (model);
}

/* The listings ------------------------------------------------------------ */

/* One name a client can ask for, and where it leads. */
typedef struct
{
  char                  *name;    /* "llama3.2:3b" or "llama3.2:3b@laptop" */
  const HearthModelInfo *info;    /* NULL for "auto" */
  const char            *server;
} Listed;

static void
listed_free (Listed *listed)
{
  g_free (listed->name);
  g_free (listed);
}

static void
add_listed (GPtrArray             *names,
            char                  *name,
            const HearthModelInfo *info,
            const char            *server)
{
  Listed *listed = g_new0 (Listed, 1);

  listed->name = name;
  listed->info = info;
  listed->server = server;
  g_ptr_array_add (names, listed);
}

/* Every served server's models: each name once plainly (the first
 * server's, which answers it), then "NAME@SERVER" for each server of a
 * model several servers have, then "auto". The entries point into @lists. */
static GPtrArray *
list_names (HearthGateway *self,
            GPtrArray     *lists)
{
  g_autoptr(GHashTable) count = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *names = g_ptr_array_new_with_free_func ((GDestroyNotify) listed_free);
  const char *first_server = NULL;

  for (guint i = 0; i < lists->len; i++)
    {
      HearthServerModels *entry = g_ptr_array_index (lists, i);

      if (!_hearth_gateway_serves (self, entry->server) || entry->models == NULL)
        continue;
      for (guint j = 0; j < entry->models->len; j++)
        {
          const HearthModelInfo *info = g_ptr_array_index (entry->models, j);
          guint seen = GPOINTER_TO_UINT (g_hash_table_lookup (count, info->name));

          if (seen == 0)
            add_listed (names, g_strdup (info->name), info, hearth_server_get_name (entry->server));
          g_hash_table_insert (count, info->name, GUINT_TO_POINTER (seen + 1));
        }
    }

  for (guint i = 0; i < lists->len; i++)
    {
      HearthServerModels *entry = g_ptr_array_index (lists, i);
      const char *server = hearth_server_get_name (entry->server);

      if (!_hearth_gateway_serves (self, entry->server) || entry->models == NULL)
        continue;
      if (first_server == NULL && hearth_server_get_enabled (entry->server))
        first_server = server;
      for (guint j = 0; j < entry->models->len; j++)
        {
          const HearthModelInfo *info = g_ptr_array_index (entry->models, j);

          if (GPOINTER_TO_UINT (g_hash_table_lookup (count, info->name)) > 1)
            add_listed (names, g_strdup_printf ("%s@%s", info->name, server), info, server);
        }
    }

  if (first_server != NULL)
    add_listed (names, g_strdup ("auto"), NULL, first_server);
  return names;
}

void
_hearth_gateway_add_details (JsonBuilder           *builder,
             const HearthModelInfo *info)
{
  json_builder_set_member_name (builder, "details");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "parent_model");
  json_builder_add_string_value (builder, "");
  if (info != NULL && info->family != NULL)
    {
      json_builder_set_member_name (builder, "family");
      json_builder_add_string_value (builder, info->family);
      json_builder_set_member_name (builder, "families");
      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, info->family);
      json_builder_end_array (builder);
    }
  if (info != NULL && info->parameter_size != NULL)
    {
      json_builder_set_member_name (builder, "parameter_size");
      json_builder_add_string_value (builder, info->parameter_size);
    }
  if (info != NULL && info->quantization != NULL)
    {
      json_builder_set_member_name (builder, "quantization_level");
      json_builder_add_string_value (builder, info->quantization);
    }
  json_builder_end_object (builder);
}

static JsonNode *
build_tags (GPtrArray *names)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "models");
  json_builder_begin_array (builder);
  for (guint i = 0; i < names->len; i++)
    {
      Listed *listed = g_ptr_array_index (names, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, listed->name);
      json_builder_set_member_name (builder, "model");
      json_builder_add_string_value (builder, listed->name);
      if (listed->info != NULL && listed->info->size >= 0)
        {
          json_builder_set_member_name (builder, "size");
          json_builder_add_int_value (builder, listed->info->size);
        }
      if (listed->info != NULL && listed->info->digest != NULL)
        {
          json_builder_set_member_name (builder, "digest");
          json_builder_add_string_value (builder, listed->info->digest);
        }
      _hearth_gateway_add_details (builder, listed->info);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* OpenAI's model object. Servers do not say when a model was made:
 * "created" is 0, as OpenAI-compatible servers that do not know write. */
static void
add_openai_model (JsonBuilder *builder,
                  const char  *id,
                  const char  *server)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "object");
  json_builder_add_string_value (builder, "model");
  json_builder_set_member_name (builder, "created");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "owned_by");
  json_builder_add_string_value (builder, server);
  json_builder_end_object (builder);
}

static JsonNode *
build_openai_list (GPtrArray *names)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "object");
  json_builder_add_string_value (builder, "list");
  json_builder_set_member_name (builder, "data");
  json_builder_begin_array (builder);
  for (guint i = 0; i < names->len; i++)
    {
      Listed *listed = g_ptr_array_index (names, i);

      add_openai_model (builder, listed->name, listed->server);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
list_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ModelsOp *op = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) lists = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(JsonNode) body = NULL;
  guint answered = 0, served = 0;
  const GError *failure = NULL;

  lists = hearth_servers_list_models_finish (HEARTH_SERVERS (source), result, &error);
  if (_hearth_gateway_op_orphaned (op))
    return;
  if (lists == NULL)
    {
      _hearth_gateway_op_error (op, error);
      return;
    }

  for (guint i = 0; i < lists->len; i++)
    {
      HearthServerModels *entry = g_ptr_array_index (lists, i);

      if (!_hearth_gateway_serves (op_gateway (op), entry->server))
        continue;
      served++;
      if (entry->models != NULL)
        answered++;
      else if (failure == NULL)
        failure = entry->error;
      if (entry->models == NULL)
        g_debug ("The server %s gave no models: %s", hearth_server_get_name (entry->server),
                 entry->error != NULL ? entry->error->message : "no answer");
    }
  /* Nothing to list because no server answered: say why, not "no models". */
  if (served > 0 && answered == 0 && failure != NULL)
    {
      _hearth_gateway_op_error (op, failure);
      return;
    }

  names = list_names (op_gateway (op), lists);
  body = op->call->protocol == HEARTH_GATEWAY_OPENAI ? build_openai_list (names)
                                                     : build_tags (names);
  _hearth_gateway_op_json (op, body);
}

static void
handle_list (HearthGatewayCall *call)
{
  HearthGateway *self = call->gateway;

  hearth_servers_list_models_async (hearth_engine_get_servers (_hearth_gateway_get_engine (self)),
                                    _hearth_gateway_get_servers (self) != NULL,
                                    call->cancellable, list_cb, _hearth_gateway_op_new (call));
}

/* One model: /v1/models/ID, /api/show, /api/delete ---------------------- */

static void
find_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ModelsOp *op = user_data;
  g_autoptr(GError) error = NULL;

  op->server = _hearth_gateway_find_model_finish (HEARTH_GATEWAY (source), result,
                                                  &op->name, &error);
  if (_hearth_gateway_op_orphaned (op))
    return;
  if (op->server == NULL)
    {
      _hearth_gateway_op_error (op, error);
      return;
    }
  _hearth_gateway_call_note (op->call, op->asked, hearth_server_get_name (op->server));
  soup_message_headers_replace (soup_server_message_get_response_headers (op->call->msg),
                                "X-Hearth-Server", hearth_server_get_name (op->server));
  op->found (op);
}

/* Finds the server of @op->asked, then calls @found (or answers 404). */
static void
find_then (ModelsOp  *op,
           FoundFunc  found)
{
  op->found = found;
  _hearth_gateway_call_note (op->call, op->asked, NULL);
  _hearth_gateway_find_model_async (op->call->gateway, op->asked, op->call->cancellable,
                                    find_cb, op);
}

static void
openai_model_found (ModelsOp *op)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  add_openai_model (builder, op->asked, hearth_server_get_name (op->server));
  body = json_builder_get_root (builder);
  _hearth_gateway_op_json (op, body);
}

/* What a server cannot do, one whole sentence per feature; @kind is the
 * kind of server, NULL when not known */
static char *
describe_missing_feature (const char             *name,
                          const char             *kind,
                          HearthProviderFeatures  feature)
{
  if (feature == HEARTH_PROVIDER_CAN_SHOW)
    {
      if (kind != NULL)
        /* Translators: the server's name, then its kind (“OpenAI-compatible”) */
        return g_strdup_printf (_("The server %s (%s) cannot describe its models through its "
                                  "API"), name, kind);
      /* Translators: the server's name */
      return g_strdup_printf (_("The server %s cannot describe its models through its API"),
                              name);
    }
  if (feature == HEARTH_PROVIDER_CAN_DELETE)
    {
      if (kind != NULL)
        /* Translators: the server's name, then its kind (“OpenAI-compatible”) */
        return g_strdup_printf (_("The server %s (%s) cannot delete models through its API"),
                                name, kind);
      /* Translators: the server's name */
      return g_strdup_printf (_("The server %s cannot delete models through its API"), name);
    }
  /* HEARTH_PROVIDER_CAN_PULL */
  if (kind != NULL)
    /* Translators: the server's name, then its kind (“OpenAI-compatible”) */
    return g_strdup_printf (_("The server %s (%s) cannot download models through its API"),
                            name, kind);
  /* Translators: the server's name */
  return g_strdup_printf (_("The server %s cannot download models through its API"), name);
}

gboolean
_hearth_gateway_require_feature (ModelsOp               *op,
                                 HearthProviderFeatures  feature)
{
  HearthProvider *provider = hearth_server_get_provider (op->server);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (provider != NULL && (hearth_provider_get_features (provider) & feature) != 0)
    return TRUE;
  message = describe_missing_feature (hearth_server_get_name (op->server),
                                      provider != NULL
                                      ? hearth_provider_get_server_kind (provider) : NULL,
                                      feature);
  error = g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_NOT_SUPPORTED, message);
  _hearth_gateway_op_error (op, error);
  return FALSE;
}

/* /api/show: an Ollama server's own answer, as it gave it; another
 * server's details as far as it tells them. */
static void
show_raw_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ModelsOp *op = user_data;
  g_autoptr(GError) error = NULL;
  /* (The task's source is the provider's session, not the provider.) */
  g_autoptr(JsonNode) root =
    hearth_provider_request_json_finish (hearth_server_get_provider (op->server), result, &error);

  if (_hearth_gateway_op_orphaned (op))
    return;
  if (root == NULL)
    _hearth_gateway_op_error (op, error);
  else if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_autoptr(GError) odd = g_error_new (HEARTH_ERROR, HEARTH_ERROR_MALFORMED_STREAM,
                                           _("The server %s answered /api/show with something "
                                             "other than a JSON object"),
                                           hearth_server_get_name (op->server));
      _hearth_gateway_op_error (op, odd);
    }
  else
    _hearth_gateway_op_json (op, root);
}

static void
show_details_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ModelsOp *op = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthModelDetails) details = hearth_provider_show_finish (HEARTH_PROVIDER (source),
                                                                       result, &error);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  if (_hearth_gateway_op_orphaned (op))
    return;
  if (details == NULL)
    {
      _hearth_gateway_op_error (op, error);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "details");
  json_builder_begin_object (builder);
  if (details->format != NULL)
    hearth_json_add_string (builder, "format", details->format);
  if (details->family != NULL)
    hearth_json_add_string (builder, "family", details->family);
  if (details->parameter_size != NULL)
    hearth_json_add_string (builder, "parameter_size", details->parameter_size);
  if (details->quantization != NULL)
    hearth_json_add_string (builder, "quantization_level", details->quantization);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "model_info");
  json_builder_begin_object (builder);
  if (details->parameter_count >= 0)
    hearth_json_add_int (builder, "general.parameter_count", details->parameter_count);
  if (details->context_length >= 0)
    hearth_json_add_int (builder, "general.context_length", details->context_length);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "capabilities");
  json_builder_begin_array (builder);
  for (guint i = 0; details->capabilities != NULL && details->capabilities[i] != NULL; i++)
    json_builder_add_string_value (builder, details->capabilities[i]);
  if (details->capabilities == NULL)
    json_builder_add_string_value (builder, "completion");
  json_builder_end_array (builder);
  if (details->license != NULL)
    hearth_json_add_string (builder, "license", details->license);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  _hearth_gateway_op_json (op, body);
}

static void
show_found (ModelsOp *op)
{
  HearthProvider *provider = hearth_server_get_provider (op->server);

  if (g_strcmp0 (op->name, "auto") == 0)
    {
      g_autoptr(GError) error = NULL;

      hearth_error_set_invalid (&error, _("“auto” is not one model: the routing rules pick one "
                                "for each request; ask /api/show about a model /api/tags lists"));
      _hearth_gateway_op_error (op, error);
      return;
    }
  if (hearth_server_get_api (op->server) == HEARTH_API_OLLAMA && provider != NULL)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) request = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "model");
      json_builder_add_string_value (builder, op->name);
      json_builder_end_object (builder);
      request = json_builder_get_root (builder);
      hearth_provider_request_json_async (provider, "POST", "/api/show", request, op->name,
                                          op->call->cancellable, show_raw_cb, op);
      return;
    }
  if (!_hearth_gateway_require_feature (op, HEARTH_PROVIDER_CAN_SHOW))
    return;
  hearth_provider_show_async (provider, op->name, op->call->cancellable, show_details_cb, op);
}

static void
delete_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  ModelsOp *op = user_data;
  g_autoptr(GError) error = NULL;
  gboolean deleted = hearth_provider_delete_finish (HEARTH_PROVIDER (source), result, &error);

  if (_hearth_gateway_op_orphaned (op))
    return;
  if (!deleted)
    {
      _hearth_gateway_op_error (op, error);
      return;
    }
  g_debug ("Deleted %s on %s for %s", op->name, hearth_server_get_name (op->server),
           op->call->client);
  _hearth_gateway_respond_text (op->call, SOUP_STATUS_OK, NULL, NULL);
  _hearth_gateway_op_free (op);
}

static void
delete_found (ModelsOp *op)
{
  if (!_hearth_gateway_require_feature (op, HEARTH_PROVIDER_CAN_DELETE))
    return;
  hearth_provider_delete_async (hearth_server_get_provider (op->server), op->name,
                                op->call->cancellable, delete_cb, op);
}

static void
handle_one_model (HearthGatewayCall *call,
                  FoundFunc          found)
{
  g_autoptr(GError) error = NULL;
  ModelsOp *op;

  if (g_str_has_prefix (call->path, "/v1/models/"))
    {
      g_autofree char *escaped = g_strdup (call->path + strlen ("/v1/models/"));

      op = _hearth_gateway_op_new (call);
      op->asked = g_uri_unescape_string (escaped, NULL);
      if (op->asked == NULL)
        op->asked = g_steal_pointer (&escaped);
    }
  else
    {
      char *model = body_model (call, &error);

      if (model == NULL)
        {
          _hearth_gateway_respond_error (call, error);
          return;
        }
      op = _hearth_gateway_op_new (call);
      op->asked = model;
    }
  find_then (op, found);
}

/* Dispatch ---------------------------------------------------------------- */

void
_hearth_gateway_handle_models (HearthGatewayCall *call)
{
  const char *path = call->path;

  if (g_strcmp0 (path, "/") == 0)
    _hearth_gateway_respond_text (call, SOUP_STATUS_OK, "text/plain; charset=utf-8",
                                  "Ollama is running");
  else if (g_strcmp0 (path, "/api/version") == 0)
    _hearth_gateway_handle_version (call);
  else if (g_strcmp0 (path, "/api/tags") == 0 || g_strcmp0 (path, "/v1/models") == 0)
    handle_list (call);
  else if (g_str_has_prefix (path, "/v1/models/"))
    handle_one_model (call, openai_model_found);
  else if (g_strcmp0 (path, "/api/show") == 0)
    handle_one_model (call, show_found);
  else if (g_strcmp0 (path, "/api/delete") == 0)
    handle_one_model (call, delete_found);
  else if (g_strcmp0 (path, "/api/ps") == 0)
    _hearth_gateway_handle_ps (call);
  else if (g_strcmp0 (path, "/api/pull") == 0)
    _hearth_gateway_handle_pull (call);
  else
    {
      g_autoptr(GError) error = g_error_new (HEARTH_ERROR, HEARTH_ERROR_NOT_SUPPORTED,
                                             _("%s is not served by this gateway"), path);

      _hearth_gateway_respond_error (call, error);
    }
}
