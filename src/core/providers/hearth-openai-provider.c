/* hearth-openai-provider.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-openai"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>

#include "hearth-error.h"
#include "hearth-json.h"
#include "hearth-openai-provider.h"
#include "hearth-provider-private.h"

struct _HearthOpenaiProvider
{
  HearthProvider parent_instance;
};

G_DEFINE_FINAL_TYPE (HearthOpenaiProvider, hearth_openai_provider, HEARTH_TYPE_PROVIDER)

static void
add_sampling (JsonBuilder             *builder,
              const HearthChatRequest *request)
{
  gboolean is_set;
  double value;

  value = hearth_chat_request_get_option (request, HEARTH_RUN_OPTION_TEMPERATURE, &is_set);
  if (is_set)
    {
      json_builder_set_member_name (builder, "temperature");
      json_builder_add_double_value (builder, value);
    }
  value = hearth_chat_request_get_option (request, HEARTH_RUN_OPTION_TOP_P, &is_set);
  if (is_set)
    {
      json_builder_set_member_name (builder, "top_p");
      json_builder_add_double_value (builder, value);
    }
  /* Not in OpenAI's API, but llama.cpp's server and vLLM take it: sent
   * when the request itself asks, never from run options. */
  if (request->top_k >= 0)
    {
      json_builder_set_member_name (builder, "top_k");
      json_builder_add_int_value (builder, request->top_k);
    }
  value = hearth_chat_request_get_option (request, HEARTH_RUN_OPTION_SEED, &is_set);
  if (is_set)
    {
      json_builder_set_member_name (builder, "seed");
      json_builder_add_int_value (builder, (gint64) value);
    }
  value = hearth_chat_request_get_option (request, HEARTH_RUN_OPTION_NUM_PREDICT, &is_set);
  if (is_set && value >= 0)
    {
      json_builder_set_member_name (builder, "max_tokens");
      json_builder_add_int_value (builder, (gint64) value);
    }
  if (request->stop != NULL)
    {
      json_builder_set_member_name (builder, "stop");
      json_builder_begin_array (builder);
      for (guint i = 0; request->stop[i] != NULL; i++)
        json_builder_add_string_value (builder, request->stop[i]);
      json_builder_end_array (builder);
    }
}

JsonNode *
hearth_openai_build_chat_body (const HearthChatRequest *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, request->model);
  hearth_chat_request_write_messages (request, builder);
  add_sampling (builder, request);
  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);
  /* Without this vLLM and others send no token counts when streaming. */
  json_builder_set_member_name (builder, "stream_options");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "include_usage");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static SoupMessage *
hearth_openai_provider_build_chat_message (HearthProvider          *provider,
                                           const HearthChatRequest *request)
{
  g_autoptr(JsonNode) body = hearth_openai_build_chat_body (request);

  return hearth_provider_new_message (provider, "POST", "/v1/chat/completions", body);
}

static const char *
hearth_openai_provider_get_models_path (HearthProvider *provider)
{
  return "/v1/models";
}

static GPtrArray *
hearth_openai_provider_parse_models (HearthProvider  *provider,
                                     JsonNode        *root,
                                     GError         **error)
{
  return _hearth_provider_parse_model_list (provider, root, NULL, _("an OpenAI-compatible server"),
                                            error);
}

static void
hearth_openai_provider_class_init (HearthOpenaiProviderClass *klass)
{
  HearthProviderClass *provider_class = HEARTH_PROVIDER_CLASS (klass);

  provider_class->chat_format = HEARTH_STREAM_FORMAT_OPENAI_SSE;
  provider_class->build_chat_message = hearth_openai_provider_build_chat_message;
  provider_class->get_models_path = hearth_openai_provider_get_models_path;
  provider_class->parse_models = hearth_openai_provider_parse_models;
  provider_class->server_kind = "OpenAI-compatible";
}

static void
hearth_openai_provider_init (HearthOpenaiProvider *self)
{
}
