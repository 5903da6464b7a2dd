/* hearth-ollama-provider.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-ollama"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>

#include "hearth-error.h"
#include "hearth-json.h"
#include "hearth-http.h"
#include "hearth-json.h"
#include "hearth-ollama-provider-private.h"

struct _HearthOllamaProvider
{
  HearthProvider parent_instance;
};

G_DEFINE_FINAL_TYPE (HearthOllamaProvider, hearth_ollama_provider, HEARTH_TYPE_PROVIDER)

/* Every option but keep_alive goes in "options", as Ollama takes them. */
static void
add_options (JsonBuilder             *builder,
             const HearthChatRequest *request)
{
  json_builder_set_member_name (builder, "options");
  json_builder_begin_object (builder);
  for (guint i = 0; i < HEARTH_N_RUN_OPTIONS; i++)
    {
      gboolean is_set;
      double value = hearth_chat_request_get_option (request, i, &is_set);

      if (!is_set || i == HEARTH_RUN_OPTION_KEEP_ALIVE)
        continue;
      json_builder_set_member_name (builder, hearth_run_option_key_to_string (i));
      if (hearth_run_option_is_integer (i))
        json_builder_add_int_value (builder, (gint64) value);
      else
        json_builder_add_double_value (builder, value);
    }
  if (request->stop != NULL)
    {
      json_builder_set_member_name (builder, "stop");
      json_builder_begin_array (builder);
      for (guint i = 0; request->stop[i] != NULL; i++)
        json_builder_add_string_value (builder, request->stop[i]);
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
}

/* keep_alive is a member of the request itself: "30m", -1 (forever), 0. */
static void
add_keep_alive (JsonBuilder             *builder,
                const HearthChatRequest *request)
{
  g_autoptr(HearthRunOptions) only = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  if (!hearth_run_options_is_set (request->options, HEARTH_RUN_OPTION_KEEP_ALIVE))
    return;
  only = hearth_run_options_new ();
  hearth_run_options_set (only, HEARTH_RUN_OPTION_KEEP_ALIVE,
                          hearth_run_options_get (request->options, HEARTH_RUN_OPTION_KEEP_ALIVE), NULL);
  node = hearth_run_options_to_json (only);
  object = json_node_get_object (node);
  json_builder_set_member_name (builder, "keep_alive");
  json_builder_add_value (builder, json_node_copy (json_object_get_member (object, "keep_alive")));
}

JsonNode *
hearth_ollama_build_chat_body (const HearthChatRequest *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, request->model);
  hearth_chat_request_write_messages (request, builder);
  add_options (builder, request);
  add_keep_alive (builder, request);
  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, request->stream);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static SoupMessage *
hearth_ollama_provider_build_chat_message (HearthProvider          *provider,
                                           const HearthChatRequest *request)
{
  g_autoptr(JsonNode) body = hearth_ollama_build_chat_body (request);

  return hearth_provider_new_message (provider, "POST", "/api/chat", body);
}

static const char *
hearth_ollama_provider_get_models_path (HearthProvider *provider)
{
  return "/api/tags";
}

static HearthModelInfo *
parse_model (JsonObject *object)
{
  HearthModelInfo *info = g_new0 (HearthModelInfo, 1);
  JsonObject *details = NULL;

  if (json_object_has_member (object, "details") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "details")))
    details = json_object_get_object_member (object, "details");

  info->name = g_strdup (hearth_json_get_string (object, "name"));
  info->digest = g_strdup (hearth_json_get_string (object, "digest"));
  info->size = hearth_json_get_int (object, "size", -1);
  if (details != NULL)
    {
      info->family = g_strdup (hearth_json_get_string (details, "family"));
      info->parameter_size =
        g_strdup (hearth_json_get_string (details, "parameter_size"));
      info->quantization =
        g_strdup (hearth_json_get_string (details, "quantization_level"));
    }
  return info;
}

static GPtrArray *
hearth_ollama_provider_parse_models (HearthProvider  *provider,
                                     JsonNode        *root,
                                     GError         **error)
{
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_model_info_free);
  JsonArray *array;

  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "models") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (root), "models")))
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_MALFORMED_STREAM,
                   _("The server at %s did not answer like Ollama (no model list)"),
                   hearth_provider_get_endpoint (provider));
      return NULL;
    }

  array = json_object_get_array_member (json_node_get_object (root), "models");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_OBJECT (node) &&
          hearth_json_get_string (json_node_get_object (node), "name") != NULL)
        g_ptr_array_add (models, parse_model (json_node_get_object (node)));
    }
  return g_steal_pointer (&models);
}

static char *
hearth_ollama_provider_canonical_model_name (HearthProvider *provider,
                                             const char     *name)
{
  return hearth_model_name_with_tag (name);
}

static void hearth_ollama_provider_show_async        (HearthProvider *provider,
                                                      GTask          *task,
                                                      const char     *model);
static void hearth_ollama_provider_pull_async        (HearthProvider     *provider,
                                                      GTask              *task,
                                                      const char         *model,
                                                      HearthPullProgress  progress,
                                                      gpointer            progress_data);
static void hearth_ollama_provider_delete_async      (HearthProvider *provider,
                                                      GTask          *task,
                                                      const char     *model);
static void hearth_ollama_provider_list_loaded_async (HearthProvider *provider,
                                                      GTask          *task);
static void hearth_ollama_provider_unload_async      (HearthProvider *provider,
                                                      GTask          *task,
                                                      const char     *model);
static void hearth_ollama_provider_version_async     (HearthProvider *provider,
                                                      GTask          *task);
static void hearth_ollama_provider_load_async        (HearthProvider         *provider,
                                                      GTask                  *task,
                                                      const char             *model,
                                                      const HearthRunOptions *options,
                                                      double                  keep_alive_s);

static void
hearth_ollama_provider_class_init (HearthOllamaProviderClass *klass)
{
  HearthProviderClass *provider_class = HEARTH_PROVIDER_CLASS (klass);

  provider_class->chat_format = HEARTH_STREAM_FORMAT_OLLAMA_NDJSON;
  provider_class->build_chat_message = hearth_ollama_provider_build_chat_message;
  provider_class->get_models_path = hearth_ollama_provider_get_models_path;
  provider_class->parse_models = hearth_ollama_provider_parse_models;
  provider_class->canonical_model_name = hearth_ollama_provider_canonical_model_name;
  provider_class->show_async = hearth_ollama_provider_show_async;
  provider_class->pull_async = hearth_ollama_provider_pull_async;
  provider_class->delete_async = hearth_ollama_provider_delete_async;
  provider_class->list_loaded_async = hearth_ollama_provider_list_loaded_async;
  provider_class->unload_async = hearth_ollama_provider_unload_async;
  provider_class->version_async = hearth_ollama_provider_version_async;
  provider_class->load_async = hearth_ollama_provider_load_async;
  provider_class->server_kind = "Ollama";
}

static void
hearth_ollama_provider_init (HearthOllamaProvider *self)
{
}

/* Pull: NDJSON progress lines, one layer per digest, layers interleaved. */

HearthOllamaPull *
_hearth_ollama_pull_new (const char         *model,
                         HearthPullProgress  progress,
                         gpointer            progress_data)
{
  HearthOllamaPull *data = g_new0 (HearthOllamaPull, 1);

  data->model = g_strdup (model);
  data->progress = progress;
  data->progress_data = progress_data;
  data->layers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return data;
}

void
_hearth_ollama_pull_free (HearthOllamaPull *data)
{
  g_free (data->model);
  g_clear_object (&data->lines);
  g_hash_table_unref (data->layers);
  g_free (data);
}
static void
report_progress (HearthOllamaPull *data,
                 const char       *status)
{
  GHashTableIter iter;
  gint64 *layer;
  gint64 completed = 0;
  gint64 total = 0;

  g_hash_table_iter_init (&iter, data->layers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &layer))
    {
      completed += layer[0];
      total += layer[1];
    }
  if (data->progress != NULL)
    data->progress (status, completed, total > 0 ? total : -1, data->progress_data);
}

/* One line of /api/pull's answer, without its newline. */
gboolean
_hearth_ollama_pull_line (HearthOllamaPull  *data,
                          const char        *line,
                          GError           **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  const char *status;
  const char *digest;

  if (*line == '\0')
    return TRUE;
  /* Blank text or a lone comment parses, to no root at all. */
  if (!hearth_json_parser_load (parser, line, -1, NULL) ||
      json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_MALFORMED_STREAM,
                   _("The server sent download progress that could not be read"));
      return FALSE;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  if (json_object_has_member (object, "error"))
    {
      const char *message = hearth_json_get_string (object, "error");

      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_SERVER_ERROR,
                   _("Downloading “%s” failed: %s"), data->model, message ? message : "unknown "
                                                                                      "error");
      return FALSE;
    }

  status = hearth_json_get_string (object, "status");
  if (status == NULL)
    status = "";
  digest = hearth_json_get_string (object, "digest");
  if (digest != NULL)
    {
      gint64 *layer = g_hash_table_lookup (data->layers, digest);

      if (layer == NULL)
        {
          layer = g_new0 (gint64, 2);
          g_hash_table_insert (data->layers, g_strdup (digest), layer);
        }
      layer[0] = MAX (layer[0], hearth_json_get_int (object, "completed", 0));
      layer[1] = MAX (layer[1], hearth_json_get_int (object, "total", 0));
    }
  if (g_str_equal (status, "success"))
    data->success = TRUE;
  report_progress (data, status);
  return TRUE;
}

static void
pull_read_line_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HearthOllamaPull *data = g_task_get_task_data (task);
  HearthProvider *provider = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize len;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, &len,
                                                    &error);
  if (error != NULL)
    {
      g_task_return_error (task, hearth_error_from_io (error,
                                                       hearth_provider_get_endpoint (provider)));
      return;
    }
  if (line == NULL)
    {
      if (data->success)
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_BROKEN_STREAM,
                                 _("The download of “%s” stopped before it finished"), data->model);
      return;
    }
  g_strchomp (line);
  if (!_hearth_ollama_pull_line (data, line, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_data_input_stream_read_line_async (data->lines, G_PRIORITY_DEFAULT,
                                       g_task_get_cancellable (task), pull_read_line_cb,
                                       g_object_ref (task));
}

static void
pull_send_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HearthOllamaPull *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GInputStream) stream = hearth_http_send_finish (result, NULL, &error);

  if (stream == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data->lines = g_data_input_stream_new (stream);
  g_data_input_stream_set_newline_type (data->lines, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  g_data_input_stream_read_line_async (data->lines, G_PRIORITY_DEFAULT,
                                       g_task_get_cancellable (task), pull_read_line_cb,
                                       g_object_ref (task));
}

static SoupMessage *
build_pull_message (gpointer user_data)
{
  GTask *task = user_data;
  HearthOllamaPull *data = g_task_get_task_data (task);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, data->model);
  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  return hearth_provider_new_message (g_task_get_source_object (task), "POST", "/api/pull", body);
}

static void
hearth_ollama_provider_pull_async (HearthProvider     *provider,
                                   GTask              *task,
                                   const char         *model,
                                   HearthPullProgress  progress,
                                   gpointer            progress_data)
{
  HearthOllamaPull *data = _hearth_ollama_pull_new (model, progress, progress_data);

  g_task_set_task_data (task, data, (GDestroyNotify) _hearth_ollama_pull_free);
  hearth_http_send_async (hearth_provider_get_session (provider), build_pull_message,
                          g_object_ref (task), g_object_unref,
                          hearth_provider_get_endpoint (provider), model, NULL,
                          g_task_get_cancellable (task), pull_send_cb, task);
}

/* The smaller endpoints: one JSON request each. */

static JsonNode *
model_body (const char *model,
            gboolean    unload)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, model);
  if (unload)
    {
      /* Ollama's way to free a model now: an empty chat that keeps it 0 s. */
      json_builder_set_member_name (builder, "messages");
      json_builder_begin_array (builder);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "keep_alive");
      json_builder_add_int_value (builder, 0);
      json_builder_set_member_name (builder, "stream");
      json_builder_add_boolean_value (builder, FALSE);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static JsonObject *
expect_object (HearthProvider  *provider,
               JsonNode        *root,
               GError         **error)
{
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    return json_node_get_object (root);
  g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_MALFORMED_STREAM,
               _("The server at %s did not answer like Ollama"),
               hearth_provider_get_endpoint (provider));
  return NULL;
}

/* What each endpoint's answer becomes; FALSE with @error set when it is not that. */
typedef gboolean (*ParseAnswer) (HearthProvider  *provider,
                                 GTask           *task,
                                 JsonObject      *answer,
                                 GError         **error);

static void
json_request_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HearthProvider *provider = g_task_get_source_object (task);
  ParseAnswer parse = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(JsonNode) root = hearth_provider_request_json_finish (provider, result, &error);
  JsonObject *answer;

  if (root == NULL || (answer = expect_object (provider, root, &error)) == NULL ||
      !parse (provider, task, answer, &error))
    g_task_return_error (task, error);
}

static void
request_object (HearthProvider *provider,
                GTask          *task,
                const char     *method,
                const char     *path,
                JsonNode       *body,
                const char     *model,
                ParseAnswer     parse)
{
  g_task_set_task_data (task, parse, NULL);
  hearth_provider_request_json_async (provider, method, path, body, model,
                                      g_task_get_cancellable (task), json_request_cb, task);
}

static gboolean
parse_version (HearthProvider  *provider,
               GTask           *task,
               JsonObject      *answer,
               GError         **error)
{
  const char *version = hearth_json_get_string (answer, "version");

  if (version == NULL)
    return expect_object (provider, NULL, error) != NULL;
  g_task_return_pointer (task, g_strdup (version), g_free);
  return TRUE;
}

static void
hearth_ollama_provider_version_async (HearthProvider *provider,
                                      GTask          *task)
{
  request_object (provider, task, "GET", "/api/version", NULL, NULL, parse_version);
}

static JsonObject *
object_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* model_info keys are "<architecture>.context_length" and so on. */
static gint64
model_info_int (JsonObject *info,
                const char *suffix)
{
  g_autoptr(GList) members = info ? json_object_get_members (info) : NULL;

  for (const GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (info, l->data);

      if (g_str_has_suffix (l->data, suffix) && JSON_NODE_HOLDS_VALUE (node) &&
          json_node_get_value_type (node) == G_TYPE_INT64)
        return json_node_get_int (node);
    }
  return -1;
}

static char **
string_array (JsonObject *object,
              const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
        g_strv_builder_add (builder, json_node_get_string (element));
    }
  return g_strv_builder_end (builder);
}

/* What /api/show says about @model; what it does not say stays unknown. */
HearthModelDetails *
_hearth_ollama_parse_show (JsonObject *answer,
                           const char *model)
{
  HearthModelDetails *details = hearth_model_details_new ();
  JsonObject *about = object_member (answer, "details");
  JsonObject *info = object_member (answer, "model_info");

  details->name = g_strdup (model);
  details->family = g_strdup (hearth_json_get_string (about, "family"));
  details->parameter_size = g_strdup (hearth_json_get_string (about, "parameter_size"));
  details->quantization = g_strdup (hearth_json_get_string (about, "quantization_level"));
  details->format = g_strdup (hearth_json_get_string (about, "format"));
  details->parameter_count = model_info_int (info, "general.parameter_count");
  details->context_length = model_info_int (info, ".context_length");
  details->capabilities = string_array (answer, "capabilities");
  details->license = g_strdup (hearth_json_get_string (answer, "license"));
  if (details->license != NULL && *details->license == '\0')
    g_clear_pointer (&details->license, g_free);
  return details;
}

static gboolean
parse_show (HearthProvider  *provider,
            GTask           *task,
            JsonObject      *answer,
            GError         **error)
{
  g_task_return_pointer (task,
                         _hearth_ollama_parse_show (answer,
                                                    g_object_get_data (G_OBJECT (task), "model")),
                         (GDestroyNotify) hearth_model_details_free);
  return TRUE;
}

static void
hearth_ollama_provider_show_async (HearthProvider *provider,
                                   GTask          *task,
                                   const char     *model)
{
  g_autoptr(JsonNode) body = model_body (model, FALSE);

  g_object_set_data_full (G_OBJECT (task), "model", g_strdup (model), g_free);
  request_object (provider, task, "POST", "/api/show", body, model, parse_show);
}

static HearthLoadedModel *
parse_loaded_model (JsonObject *object)
{
  HearthLoadedModel *model = g_new0 (HearthLoadedModel, 1);

  model->name = g_strdup (hearth_json_get_string (object, "name"));
  model->digest = g_strdup (hearth_json_get_string (object, "digest"));
  model->expires_at = g_strdup (hearth_json_get_string (object, "expires_at"));
  model->size = hearth_json_get_int (object, "size", -1);
  model->size_vram = hearth_json_get_int (object, "size_vram", -1);
  model->context_length = hearth_json_get_int (object, "context_length", -1);
  return model;
}

/* The models in /api/ps's answer, or NULL when it has no list of them. */
GPtrArray *
_hearth_ollama_parse_loaded (JsonObject *answer)
{
  JsonNode *models = json_object_get_member (answer, "models");
  GPtrArray *loaded;
  JsonArray *array;

  if (models == NULL || !JSON_NODE_HOLDS_ARRAY (models))
    return NULL;
  loaded = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_loaded_model_free);
  array = json_node_get_array (models);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_OBJECT (node) && hearth_json_get_string (json_node_get_object (node), "name"))
        g_ptr_array_add (loaded, parse_loaded_model (json_node_get_object (node)));
    }
  return loaded;
}

static gboolean
parse_loaded (HearthProvider  *provider,
              GTask           *task,
              JsonObject      *answer,
              GError         **error)
{
  GPtrArray *loaded = _hearth_ollama_parse_loaded (answer);

  if (loaded == NULL)
    return expect_object (provider, NULL, error) != NULL;
  g_task_return_pointer (task, loaded, (GDestroyNotify) g_ptr_array_unref);
  return TRUE;
}

static void
hearth_ollama_provider_list_loaded_async (HearthProvider *provider,
                                          GTask          *task)
{
  request_object (provider, task, "GET", "/api/ps", NULL, NULL, parse_loaded);
}

static gboolean
parse_unload (HearthProvider  *provider,
              GTask           *task,
              JsonObject      *answer,
              GError         **error)
{
  g_task_return_boolean (task, TRUE);
  return TRUE;
}

static void
hearth_ollama_provider_unload_async (HearthProvider *provider,
                                     GTask          *task,
                                     const char     *model)
{
  g_autoptr(JsonNode) body = model_body (model, TRUE);

  request_object (provider, task, "POST", "/api/chat", body, model, parse_unload);
}

/* Ollama's way to load a model now: a chat without messages. The options
 * that decide how it is loaded go with it (a request with others would
 * load it again); keep_alive in seconds, negative for ever. */
JsonNode *
_hearth_ollama_build_load_body (const char             *model,
                                const HearthRunOptions *options,
                                double                  keep_alive_s)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, model);
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "options");
  json_builder_begin_object (builder);
  for (HearthRunOptionKey key = 0; options != NULL && key < HEARTH_N_RUN_OPTIONS; key++)
    {
      if (!hearth_run_option_changes_speed (key) || !hearth_run_options_is_set (options, key))
        continue;
      json_builder_set_member_name (builder, hearth_run_option_key_to_string (key));
      json_builder_add_int_value (builder, (gint64) hearth_run_options_get (options, key));
    }
  json_builder_end_object (builder);
  if (!isnan (keep_alive_s))
    {
      json_builder_set_member_name (builder, "keep_alive");
      if (keep_alive_s < 0)
        json_builder_add_int_value (builder, -1);
      else if (keep_alive_s == floor (keep_alive_s))
        json_builder_add_int_value (builder, (gint64) keep_alive_s);
      else
        json_builder_add_double_value (builder, keep_alive_s);
    }
  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
parse_load (HearthProvider  *provider,
            GTask           *task,
            JsonObject      *answer,
            GError         **error)
{
  const char *failure = hearth_json_get_string (answer, "error");

  if (failure != NULL)
    {
      g_propagate_error (error, hearth_error_from_server_message (failure,
                                                                  g_object_get_data (G_OBJECT (task),
                                                                                     "model")));
      return FALSE;
    }
  g_task_return_boolean (task, TRUE);
  return TRUE;
}

static void
hearth_ollama_provider_load_async (HearthProvider         *provider,
                                   GTask                  *task,
                                   const char             *model,
                                   const HearthRunOptions *options,
                                   double                  keep_alive_s)
{
  g_autoptr(JsonNode) body = _hearth_ollama_build_load_body (model, options, keep_alive_s);

  g_object_set_data_full (G_OBJECT (task), "model", g_strdup (model), g_free);
  request_object (provider, task, "POST", "/api/chat", body, model, parse_load);
}

static void
delete_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(JsonNode) root = hearth_provider_request_json_finish (g_task_get_source_object (task),
                                                                  result, &error);

  /* Ollama answers an empty 200; that is not JSON, and it is success. */
  if (root == NULL && !g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_MALFORMED_STREAM))
    g_task_return_error (task, error);
  else
    {
      g_clear_error (&error);
      g_task_return_boolean (task, TRUE);
    }
}

static void
hearth_ollama_provider_delete_async (HearthProvider *provider,
                                     GTask          *task,
                                     const char     *model)
{
  g_autoptr(JsonNode) body = model_body (model, FALSE);

  hearth_provider_request_json_async (provider, "DELETE", "/api/delete", body, model,
                                      g_task_get_cancellable (task), delete_cb, task);
}
