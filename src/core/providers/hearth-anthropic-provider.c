/* hearth-anthropic-provider.c — Anthropic's Messages API
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * POST /v1/messages with x-api-key and anthropic-version, streamed as SSE
 * events (hearth-stream-parser-anthropic.c); GET /v1/models. The API has no
 * way to show, pull, delete, load or unload a model, nor a version call:
 * those leave their class functions NULL, so hearth_provider_get_features ()
 * says so and the calls fail with HEARTH_ERROR_NOT_SUPPORTED and a sentence.
 *
 * The endpoint is stored without /v1 (https://api.anthropic.com:443), like an
 * OpenAI-compatible server's: the paths add it (hearth_endpoint_normalize ()).
 */
#define G_LOG_DOMAIN "hearth-anthropic"

#include <math.h>

#include "hearth-anthropic-provider.h"
#include "hearth-error.h"
#include "hearth-json.h"
#include "hearth-provider-private.h"

struct _HearthAnthropicProvider
{
  HearthProvider parent_instance;
};

G_DEFINE_FINAL_TYPE (HearthAnthropicProvider, hearth_anthropic_provider, HEARTH_TYPE_PROVIDER)

/* One turn of the conversation as the API wants it: the roles alternate, so
 * consecutive messages of one role are joined into one. */
typedef struct
{
  gboolean  assistant;
  GString  *text;
} Turn;

static void
turn_free (Turn *turn)
{
  g_string_free (turn->text, TRUE);
  g_free (turn);
}

static void
append_paragraph (GString    *text,
                  const char *paragraph)
{
  if (text->len > 0)
    g_string_append (text, "\n\n");
  g_string_append (text, paragraph);
}

/* The system prompt goes in the top-level "system" member: the request's
 * own, then any system-role messages, in order. The API refuses a system
 * message inside "messages", and empty text blocks. */
static void
write_messages (const HearthChatRequest *request,
                JsonBuilder             *builder)
{
  g_autoptr(GString) system = g_string_new (NULL);
  g_autoptr(GPtrArray) turns = g_ptr_array_new_with_free_func ((GDestroyNotify) turn_free);

  if (request->system != NULL && *request->system != '\0')
    append_paragraph (system, request->system);
  for (guint i = 0; i < request->messages->len; i++)
    {
      const HearthMessage *message = g_ptr_array_index (request->messages, i);
      gboolean assistant = g_strcmp0 (message->role, "assistant") == 0;
      Turn *last = turns->len > 0 ? g_ptr_array_index (turns, turns->len - 1) : NULL;

      if (message->content == NULL || *message->content == '\0')
        continue;
      if (g_strcmp0 (message->role, "system") == 0)
        {
          append_paragraph (system, message->content);
          continue;
        }
      /* Any other role (a tool's output) is the user's side of the turn. */
      if (last == NULL || last->assistant != assistant)
        {
          last = g_new0 (Turn, 1);
          last->assistant = assistant;
          last->text = g_string_new (NULL);
          g_ptr_array_add (turns, last);
        }
      append_paragraph (last->text, message->content);
    }

  if (system->len > 0)
    {
      json_builder_set_member_name (builder, "system");
      json_builder_add_string_value (builder, system->str);
    }
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  for (guint i = 0; i < turns->len; i++)
    {
      Turn *turn = g_ptr_array_index (turns, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, turn->assistant ? "assistant" : "user");
      json_builder_set_member_name (builder, "content");
      json_builder_add_string_value (builder, turn->text->str);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_sampling (JsonBuilder             *builder,
              const HearthChatRequest *request)
{
  gboolean is_set;
  double value;
  gint64 max_tokens = HEARTH_ANTHROPIC_DEFAULT_MAX_TOKENS;

  /* max_tokens is required: the longest reply the request or its run options
   * ask for, else HEARTH_ANTHROPIC_DEFAULT_MAX_TOKENS (4096, which every
   * current model accepts). Ollama's "no limit" (negative) and 0 mean the
   * default here: the API takes no unlimited reply. */
  value = hearth_chat_request_get_option (request, HEARTH_RUN_OPTION_NUM_PREDICT, &is_set);
  if (is_set && value >= 1)
    max_tokens = (gint64) MIN (value, (double) G_MAXINT32);
  json_builder_set_member_name (builder, "max_tokens");
  json_builder_add_int_value (builder, max_tokens);

  /* The API's range is 0 to 1; a local model's 1.2 becomes the most it allows. */
  value = hearth_chat_request_get_option (request, HEARTH_RUN_OPTION_TEMPERATURE, &is_set);
  if (is_set && !isnan (value))
    {
      json_builder_set_member_name (builder, "temperature");
      json_builder_add_double_value (builder, CLAMP (value, 0.0, 1.0));
    }
  value = hearth_chat_request_get_option (request, HEARTH_RUN_OPTION_TOP_P, &is_set);
  if (is_set && !isnan (value))
    {
      json_builder_set_member_name (builder, "top_p");
      json_builder_add_double_value (builder, value);
    }
  value = hearth_chat_request_get_option (request, HEARTH_RUN_OPTION_TOP_K, &is_set);
  if (is_set && value >= 0)
    {
      json_builder_set_member_name (builder, "top_k");
      json_builder_add_int_value (builder, (gint64) value);
    }
  /* No seed: the API has none, and refuses members it does not know. */
  if (request->stop != NULL && request->stop[0] != NULL)
    {
      json_builder_set_member_name (builder, "stop_sequences");
      json_builder_begin_array (builder);
      for (guint i = 0; request->stop[i] != NULL; i++)
        {
          /* The API refuses a stop sequence of nothing but white space. */
          g_autofree char *stripped = g_strstrip (g_strdup (request->stop[i]));

          if (*stripped != '\0')
            json_builder_add_string_value (builder, request->stop[i]);
        }
      json_builder_end_array (builder);
    }
}

JsonNode *
hearth_anthropic_build_chat_body (const HearthChatRequest *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, request->model);
  write_messages (request, builder);
  add_sampling (builder, request);
  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static SoupMessage *
hearth_anthropic_provider_build_chat_message (HearthProvider          *provider,
                                              const HearthChatRequest *request)
{
  g_autoptr(JsonNode) body = hearth_anthropic_build_chat_body (request);

  return hearth_provider_new_message (provider, "POST", "/v1/messages", body);
}

static void
hearth_anthropic_provider_add_headers (HearthProvider     *provider,
                                       SoupMessageHeaders *headers,
                                       const char         *api_key)
{
  soup_message_headers_replace (headers, "anthropic-version", HEARTH_ANTHROPIC_VERSION);
  if (api_key != NULL)
    soup_message_headers_replace (headers, "x-api-key", api_key);
}

/* One page of up to 1,000 models: far more than the API lists. */
static const char *
hearth_anthropic_provider_get_models_path (HearthProvider *provider)
{
  return "/v1/models?limit=1000";
}

/* "Claude Sonnet 4" (display_name) is shown where a local model shows its family. */
static GPtrArray *
hearth_anthropic_provider_parse_models (HearthProvider  *provider,
                                        JsonNode        *root,
                                        GError         **error)
{
  return _hearth_provider_parse_model_list (provider, root, "display_name", "Anthropic's API",
                                            error);
}

static void
hearth_anthropic_provider_class_init (HearthAnthropicProviderClass *klass)
{
  HearthProviderClass *provider_class = HEARTH_PROVIDER_CLASS (klass);

  provider_class->chat_format = HEARTH_STREAM_FORMAT_ANTHROPIC_SSE;
  provider_class->build_chat_message = hearth_anthropic_provider_build_chat_message;
  provider_class->get_models_path = hearth_anthropic_provider_get_models_path;
  provider_class->parse_models = hearth_anthropic_provider_parse_models;
  provider_class->add_headers = hearth_anthropic_provider_add_headers;
  provider_class->server_kind = "Anthropic";
}

static void
hearth_anthropic_provider_init (HearthAnthropicProvider *self)
{
}
