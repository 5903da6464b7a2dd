/* hearth-gateway-ollama.c — Ollama's /api/chat and /api/generate, as an
 * Ollama client sends them and reads the answer: NDJSON lines (or one
 * object with "stream": false), the last with done_reason and the
 * server's figures in nanoseconds
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-gateway"

#include "hearth-error.h"
#include "hearth-gateway-chat.h"
#include "hearth-json.h"

static gboolean
is_empty (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (JSON_NODE_HOLDS_ARRAY (node))
    return json_array_get_length (json_node_get_array (node)) == 0;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return *json_node_get_string (node) == '\0';
  return FALSE;
}

static gboolean
read_options (HearthGatewayChat *chat,
              JsonObject        *body,
              GError           **error)
{
  JsonNode *options = json_object_get_member (body, "options");
  JsonNode *keep_alive = json_object_get_member (body, "keep_alive");

  if (options != NULL && !JSON_NODE_HOLDS_NULL (options))
    {
      JsonObject *object;
      g_autoptr(GList) names = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (options))
        return _hearth_gateway_chat_bad_request (error, "“options” must be an object such as {\"temperature\": 0.2}");
      object = json_node_get_object (options);
      names = json_object_get_members (object);
      for (GList *l = names; l != NULL; l = l->next)
        if (!_hearth_gateway_chat_take_option (chat->request, l->data,
                                               json_object_get_member (object, l->data), error))
          return FALSE;
    }
  if (keep_alive != NULL && !JSON_NODE_HOLDS_NULL (keep_alive))
    {
      if (!_hearth_gateway_chat_take_option (chat->request, "keep_alive", keep_alive, error))
        return FALSE;
      chat->keep_alive_s = hearth_run_options_get (chat->request->options,
                                                   HEARTH_RUN_OPTION_KEEP_ALIVE);
    }
  return TRUE;
}

gboolean
_hearth_gateway_ollama_parse (HearthGatewayChat *chat,
                              JsonObject        *body,
                              GError           **error)
{
  HearthChatRequest *request = chat->request;
  const char *model = hearth_json_get_string (body, "model");
  JsonNode *format = json_object_get_member (body, "format");
  JsonNode *think = json_object_get_member (body, "think");

  if (model == NULL || *model == '\0')
    return _hearth_gateway_chat_bad_request (error, "The request names no model: add \"model\" (a name from /api/tags, or \"auto\")");
  chat->asked_model = g_strdup (model);
  chat->stream = hearth_json_get_boolean (body, "stream", TRUE);

  if (!is_empty (json_object_get_member (body, "tools")))
    return _hearth_gateway_chat_bad_request (error, "Tools are not supported by Hearth’s gateway yet: send the request without \"tools\"");
  if (!is_empty (format))
    return _hearth_gateway_chat_bad_request (error, "Structured output (\"format\") is not passed on by Hearth’s gateway yet: send the request without it and ask for JSON in the prompt");
  if (!is_empty (json_object_get_member (body, "images")))
    return _hearth_gateway_chat_bad_request (error, "Images are not passed on by Hearth’s gateway: send the prompt as text");
  /* "think" is taken and not passed on: the model thinks as it does by
   * default, and its thinking is sent as "thinking" when it does. */
  if (think != NULL && !JSON_NODE_HOLDS_NULL (think) && !JSON_NODE_HOLDS_VALUE (think))
    return _hearth_gateway_chat_bad_request (error, "“think” must be true, false or a level such as \"high\"");
  if (!read_options (chat, body, error))
    return FALSE;

  if (chat->generate)
    {
      const char *prompt = hearth_json_get_string (body, "prompt");
      const char *system = hearth_json_get_string (body, "system");

      /* Ollama loads the model for a request with no prompt. */
      if (prompt == NULL || *prompt == '\0')
        {
          chat->load_only = TRUE;
          return TRUE;
        }
      if (system != NULL && *system != '\0')
        request->system = g_strdup (system);
      hearth_chat_request_add_message (request, "user", prompt);
      return TRUE;
    }

  {
    JsonNode *messages = json_object_get_member (body, "messages");

    if (is_empty (messages))
      {
        chat->load_only = TRUE;
        return TRUE;
      }
    if (!JSON_NODE_HOLDS_ARRAY (messages))
      return _hearth_gateway_chat_bad_request (error, "“messages” must be a list of {\"role\", \"content\"} objects");
    return _hearth_gateway_chat_add_messages (request, json_node_get_array (messages), error);
  }
}

/* ---- The answer ---- */

static void
begin_line (HearthGatewayChat *chat,
            JsonBuilder       *builder)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created_at = g_date_time_format_iso8601 (now);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, _hearth_gateway_chat_model (chat));
  json_builder_set_member_name (builder, "created_at");
  json_builder_add_string_value (builder, created_at);
}

static void
add_text (HearthGatewayChat *chat,
          JsonBuilder       *builder,
          const char        *content,
          const char        *thinking)
{
  if (chat->generate)
    {
      json_builder_set_member_name (builder, "response");
      json_builder_add_string_value (builder, content ? content : "");
      if (thinking != NULL && *thinking != '\0')
        {
          json_builder_set_member_name (builder, "thinking");
          json_builder_add_string_value (builder, thinking);
        }
      return;
    }
  json_builder_set_member_name (builder, "message");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, "assistant");
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, content ? content : "");
  if (thinking != NULL && *thinking != '\0')
    {
      json_builder_set_member_name (builder, "thinking");
      json_builder_add_string_value (builder, thinking);
    }
  json_builder_end_object (builder);
}

static void
add_figure (JsonBuilder *builder,
            const char  *name,
            gint64       value)
{
  if (value < 0)
    return;
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

/* A duration in ns from the server's own, or from its milliseconds
 * (llama.cpp's timings); -1 when it gave neither. */
static gint64
ns_or_ms (gint64 ns,
          double ms)
{
  if (ns >= 0)
    return ns;
  return ms >= 0 ? (gint64) (ms * 1e6) : -1;
}

/* done, done_reason and the figures there are; none invented. */
static void
add_done (HearthGatewayChat *chat,
          JsonBuilder       *builder)
{
  const HearthServerFigures *server = hearth_reply_get_server_figures (chat->reply);
  const HearthFigures *figures = hearth_reply_get_figures (chat->reply);

  json_builder_set_member_name (builder, "done");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "done_reason");
  json_builder_add_string_value (builder, _hearth_gateway_chat_done_reason (chat));
  /* The whole request as Hearth timed it when the server did not say. */
  add_figure (builder, "total_duration", ns_or_ms (server->total_duration_ns, figures->total_ms));
  add_figure (builder, "load_duration", server->load_duration_ns);
  add_figure (builder, "prompt_eval_count", _hearth_gateway_chat_prompt_tokens (chat));
  add_figure (builder, "prompt_eval_duration",
              ns_or_ms (server->prompt_eval_duration_ns, server->prompt_ms));
  add_figure (builder, "eval_count", _hearth_gateway_chat_output_tokens (chat));
  add_figure (builder, "eval_duration", ns_or_ms (server->eval_duration_ns, server->predicted_ms));
}

static void
write_builder_line (HearthGatewayChat *chat,
                    JsonBuilder       *builder)
{
  g_autoptr(JsonNode) node = json_builder_get_root (builder);

  _hearth_gateway_chat_write_json (chat, "", node, "\n");
}

/* One line per piece of text, so it is written by hand: the object
 * begin_line () and add_text () build, without a tree and a generator for
 * each token (bench-gateway measures what that saves). */
static void
ollama_write_delta (HearthGatewayChat *chat,
                    const char        *content,
                    const char        *thinking)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created_at = g_date_time_format_iso8601 (now);
  g_autoptr(GString) line = g_string_sized_new (192);

  g_string_append (line, "{\"model\":");
  hearth_json_append_string (line, _hearth_gateway_chat_model (chat));
  g_string_append (line, ",\"created_at\":");
  hearth_json_append_string (line, created_at);
  g_string_append (line, chat->generate ? ",\"response\":"
                                        : ",\"message\":{\"role\":\"assistant\",\"content\":");
  hearth_json_append_string (line, content != NULL ? content : "");
  if (thinking != NULL && *thinking != '\0')
    {
      g_string_append (line, ",\"thinking\":");
      hearth_json_append_string (line, thinking);
    }
  if (!chat->generate)
    g_string_append_c (line, '}');
  g_string_append (line, ",\"done\":false}\n");
  _hearth_gateway_call_write (chat->call, line->str, line->len);
}

static void
ollama_write_end (HearthGatewayChat *chat)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  begin_line (chat, builder);
  add_text (chat, builder, "", NULL);
  add_done (chat, builder);
  json_builder_end_object (builder);
  write_builder_line (chat, builder);
}

static void
ollama_write_error (HearthGatewayChat *chat,
                    const GError      *error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, error->message);
  json_builder_end_object (builder);
  write_builder_line (chat, builder);
}

static JsonNode *
ollama_build_whole (HearthGatewayChat *chat)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  begin_line (chat, builder);
  add_text (chat, builder, hearth_reply_get_content (chat->reply),
            hearth_reply_get_thinking (chat->reply));
  add_done (chat, builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
_hearth_gateway_ollama_loaded (HearthGatewayChat *chat,
                               const char        *done_reason)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  begin_line (chat, builder);
  add_text (chat, builder, "", NULL);
  json_builder_set_member_name (builder, "done");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "done_reason");
  json_builder_add_string_value (builder, done_reason);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

const HearthGatewayChatWriter _hearth_gateway_ollama_writer = {
  .content_type = "application/x-ndjson",
  .write_delta = ollama_write_delta,
  .write_end = ollama_write_end,
  .write_error = ollama_write_error,
  .build_whole = ollama_build_whole,
};
