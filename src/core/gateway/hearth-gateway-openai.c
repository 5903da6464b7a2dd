/* hearth-gateway-openai.c — OpenAI's /v1/chat/completions, as an OpenAI
 * client sends it and reads the answer: server-sent chat.completion.chunk
 * events ending with `data: [DONE]` (a usage chunk before it when
 * stream_options.include_usage asks), or one chat.completion object
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-gateway"

#include "hearth-error.h"
#include "hearth-gateway-chat.h"
#include "hearth-json.h"

static gboolean
present (JsonObject *body,
         const char *name)
{
  JsonNode *node = json_object_get_member (body, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FALSE;
  if (JSON_NODE_HOLDS_ARRAY (node))
    return json_array_get_length (json_node_get_array (node)) > 0;
  return TRUE;
}

/* The members that are run options, under their Ollama names. */
static const struct
{
  const char *openai;
  const char *option;
} option_names[] = {
  { "temperature", "temperature" },
  { "top_p", "top_p" },
  { "top_k", "top_k" },
  { "min_p", "min_p" },
  { "seed", "seed" },
  { "max_tokens", "num_predict" },
  { "max_completion_tokens", "num_predict" },
  { "stop", "stop" },
};

gboolean
_hearth_gateway_openai_parse (HearthGatewayChat *chat,
                              JsonObject        *body,
                              GError           **error)
{
  HearthChatRequest *request = chat->request;
  const char *model = hearth_json_get_string (body, "model");
  JsonNode *messages = json_object_get_member (body, "messages");
  JsonNode *stream_options = json_object_get_member (body, "stream_options");
  JsonNode *format = json_object_get_member (body, "response_format");
  g_autofree char *uuid = g_uuid_string_random ();
  g_auto(GStrv) parts = g_strsplit (uuid, "-", -1);
  g_autofree char *hex = g_strjoinv ("", parts);

  chat->id = g_strconcat ("chatcmpl-", hex, NULL);
  if (model == NULL || *model == '\0')
    return _hearth_gateway_chat_bad_request (error, "The request names no model: add \"model\" (an id from /v1/models, or \"auto\")");
  chat->asked_model = g_strdup (model);
  chat->stream = hearth_json_get_boolean (body, "stream", FALSE);
  if (stream_options != NULL && JSON_NODE_HOLDS_OBJECT (stream_options))
    chat->include_usage = hearth_json_get_boolean (json_node_get_object (stream_options),
                                                   "include_usage", FALSE);

  if (hearth_json_get_int (body, "n", 1) != 1)
    return _hearth_gateway_chat_bad_request (error, "Hearth’s gateway gives one answer per request: send \"n\": 1 (or leave it out) and ask again for more");
  if (present (body, "tools") || present (body, "functions"))
    return _hearth_gateway_chat_bad_request (error, "Tools are not supported by Hearth’s gateway yet: send the request without \"tools\"");
  if (format != NULL && JSON_NODE_HOLDS_OBJECT (format) &&
      g_strcmp0 (hearth_json_get_string (json_node_get_object (format), "type"), "text") != 0)
    return _hearth_gateway_chat_bad_request (error, "Structured output (\"response_format\") is not passed on by Hearth’s gateway yet: send the request without it and ask for JSON in the prompt");

  for (guint i = 0; i < G_N_ELEMENTS (option_names); i++)
    if (!_hearth_gateway_chat_take_option (request, option_names[i].option,
                                           json_object_get_member (body, option_names[i].openai),
                                           error))
      return FALSE;

  if (messages == NULL || !JSON_NODE_HOLDS_ARRAY (messages) ||
      json_array_get_length (json_node_get_array (messages)) == 0)
    return _hearth_gateway_chat_bad_request (error, "“messages” must be a list of {\"role\", \"content\"} objects, with at least one");
  return _hearth_gateway_chat_add_messages (request, json_node_get_array (messages), error);
}

/* ---- The answer ---- */

static void
begin_object (HearthGatewayChat *chat,
              JsonBuilder       *builder,
              const char        *object)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, chat->id);
  json_builder_set_member_name (builder, "object");
  json_builder_add_string_value (builder, object);
  json_builder_set_member_name (builder, "created");
  json_builder_add_int_value (builder, chat->created);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, _hearth_gateway_chat_model (chat));
}

static void
add_usage (HearthGatewayChat *chat,
           JsonBuilder       *builder)
{
  gint64 prompt = _hearth_gateway_chat_prompt_tokens (chat);
  gint64 completion = _hearth_gateway_chat_output_tokens (chat);

  /* The counts the server gave; one it did not give is left out. */
  json_builder_set_member_name (builder, "usage");
  json_builder_begin_object (builder);
  if (prompt >= 0)
    {
      json_builder_set_member_name (builder, "prompt_tokens");
      json_builder_add_int_value (builder, prompt);
    }
  if (completion >= 0)
    {
      json_builder_set_member_name (builder, "completion_tokens");
      json_builder_add_int_value (builder, completion);
    }
  if (prompt >= 0 && completion >= 0)
    {
      json_builder_set_member_name (builder, "total_tokens");
      json_builder_add_int_value (builder, prompt + completion);
    }
  json_builder_end_object (builder);
}

static void
write_event (HearthGatewayChat *chat,
             JsonBuilder       *builder)
{
  g_autoptr(JsonNode) node = json_builder_get_root (builder);

  _hearth_gateway_chat_write_json (chat, "data: ", node, "\n\n");
}

/* One chunk: a delta (role on the first), and the finish reason on the
 * last. One per piece of text, so written by hand: the object
 * begin_object () starts, without a tree and a generator for each token. */
static void
write_chunk (HearthGatewayChat *chat,
             const char        *content,
             const char        *thinking,
             const char        *finish_reason)
{
  g_autoptr(GString) event = g_string_sized_new (256);

  g_string_append (event, "data: {\"id\":");
  hearth_json_append_string (event, chat->id);
  g_string_append_printf (event, ",\"object\":\"chat.completion.chunk\",\"created\":%" G_GINT64_FORMAT
                          ",\"model\":", chat->created);
  hearth_json_append_string (event, _hearth_gateway_chat_model (chat));
  g_string_append (event, ",\"choices\":[{\"index\":0,\"delta\":{");
  if (!chat->sent_role)
    {
      g_string_append (event, "\"role\":\"assistant\"");
      chat->sent_role = TRUE;
    }
  if (content != NULL)
    {
      if (event->str[event->len - 1] != '{')
        g_string_append_c (event, ',');
      g_string_append (event, "\"content\":");
      hearth_json_append_string (event, content);
    }
  /* Thinking as llama.cpp and DeepSeek stream it. */
  if (thinking != NULL && *thinking != '\0')
    {
      if (event->str[event->len - 1] != '{')
        g_string_append_c (event, ',');
      g_string_append (event, "\"reasoning_content\":");
      hearth_json_append_string (event, thinking);
    }
  g_string_append (event, "},\"finish_reason\":");
  if (finish_reason != NULL)
    hearth_json_append_string (event, finish_reason);
  else
    g_string_append (event, "null");
  g_string_append (event, "}]}\n\n");
  _hearth_gateway_call_write (chat->call, event->str, event->len);
}

static void
openai_write_delta (HearthGatewayChat *chat,
                    const char        *content,
                    const char        *thinking)
{
  write_chunk (chat, content, thinking, NULL);
}

static void
openai_write_end (HearthGatewayChat *chat)
{
  static const char done[] = "data: [DONE]\n\n";

  write_chunk (chat, NULL, NULL, _hearth_gateway_chat_done_reason (chat));
  if (chat->include_usage)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      begin_object (chat, builder, "chat.completion.chunk");
      json_builder_set_member_name (builder, "choices");
      json_builder_begin_array (builder);
      json_builder_end_array (builder);
      add_usage (chat, builder);
      json_builder_end_object (builder);
      write_event (chat, builder);
    }
  _hearth_gateway_call_write (chat->call, done, sizeof done - 1);
}

static void
openai_write_error (HearthGatewayChat *chat,
                    const GError      *error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  /* As the gateway's other errors spell it: "broken_stream". */
  g_autofree char *code = g_strdelimit (g_strdup (hearth_error_get_class (error)), "-", '_');

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, error->message);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "server_error");
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, code);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  write_event (chat, builder);
}

static JsonNode *
openai_build_whole (HearthGatewayChat *chat)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char *thinking = hearth_reply_get_thinking (chat->reply);

  begin_object (chat, builder, "chat.completion");
  json_builder_set_member_name (builder, "choices");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "index");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "message");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, "assistant");
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, hearth_reply_get_content (chat->reply));
  if (thinking != NULL && *thinking != '\0')
    {
      json_builder_set_member_name (builder, "reasoning_content");
      json_builder_add_string_value (builder, thinking);
    }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "finish_reason");
  json_builder_add_string_value (builder, _hearth_gateway_chat_done_reason (chat));
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  add_usage (chat, builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

const HearthGatewayChatWriter _hearth_gateway_openai_writer = {
  .content_type = "text/event-stream",
  .write_delta = openai_write_delta,
  .write_end = openai_write_end,
  .write_error = openai_write_error,
  .build_whole = openai_build_whole,
};
