/* hearth-gateway-chat.c — /api/chat, /api/generate and /v1/chat/completions:
 * the client's request becomes one hearth_engine_chat () (routing,
 * fallback, cache, queue and metrics are the engine's), and the reply is
 * written in the client's protocol as it streams
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A stream's status and headers wait for its first piece of text (or its
 * end), so a request that fails before any text gets a real status in the
 * client's protocol: 404 for a model no served server has, 429 with
 * Retry-After when the server's queue is full, 502 when the server is
 * down, 504 on a timeout. A failure after text ends the stream with the
 * protocol's error line. The client going away cancels the reply, and so
 * the request upstream.
 */
#define G_LOG_DOMAIN "hearth-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "hearth-error.h"
#include "hearth-gateway-chat.h"
#include "hearth-json.h"
#include "hearth-provider.h"
#include "hearth-routes.h"
#include "hearth-server.h"
#include "hearth-tuning.h"

static void
chat_free (HearthGatewayChat *chat)
{
  if (chat->reply != NULL)
    {
      g_clear_signal_handler (&chat->delta_id, chat->reply);
      g_clear_signal_handler (&chat->finished_id, chat->reply);
    }
  if (chat->cancelled_id != 0)
    g_cancellable_disconnect (chat->call->cancellable, chat->cancelled_id);
  chat->cancelled_id = 0;
  g_clear_handle_id (&chat->start_id, g_source_remove);
  if (chat->pending != NULL)
    g_string_free (chat->pending, TRUE);
  if (chat->pending_thinking != NULL)
    g_string_free (chat->pending_thinking, TRUE);
  g_clear_object (&chat->reply);
  g_clear_pointer (&chat->request, hearth_chat_request_free);
  g_free (chat->asked_model);
  g_free (chat->id);
  g_free (chat->server);
  g_free (chat);
}

/* Ends the call with @error (and frees @chat): Retry-After on a full queue. */
static void
respond_error (HearthGatewayChat *chat,
               const GError      *error)
{
  HearthGatewayCall *call = chat->call;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (call->msg);
  const char *server = chat->reply ? hearth_reply_get_server (chat->reply) : NULL;

  if (server == NULL)
    server = chat->server;
  if (g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_QUEUE_FULL))
    {
      HearthEngine *engine = _hearth_gateway_get_engine (call->gateway);
      g_autofree char *seconds = g_strdup_printf ("%u",
                                                  hearth_engine_get_retry_after (engine, server));

      soup_message_headers_replace (headers, "Retry-After", seconds);
    }
  /* The server that refused or failed, when one was asked. */
  if (chat->reply != NULL)
    _hearth_gateway_set_reply_headers (call, chat->reply);
  if (server != NULL && soup_message_headers_get_one (headers, "X-Hearth-Server") == NULL)
    soup_message_headers_replace (headers, "X-Hearth-Server", server);
  chat_free (chat);
  _hearth_gateway_respond_error (call, error);
}

const char *
_hearth_gateway_chat_model (HearthGatewayChat *chat)
{
  const char *model = chat->reply ? hearth_reply_get_model (chat->reply) : NULL;

  return model != NULL && *model != '\0' ? model : chat->asked_model;
}

const char *
_hearth_gateway_chat_done_reason (HearthGatewayChat *chat)
{
  const char *reason = chat->reply ? hearth_reply_get_done_reason (chat->reply) : NULL;

  if (reason == NULL || g_str_equal (reason, "end_turn") || g_str_equal (reason, "stop_sequence"))
    return "stop";
  if (g_str_equal (reason, "max_tokens"))
    return "length";
  return reason;
}

gint64
_hearth_gateway_chat_prompt_tokens (HearthGatewayChat *chat)
{
  /* Only ever the server's count (or, from the cache, the one it gave then). */
  return hearth_reply_get_figures (chat->reply)->tokens_in;
}

gint64
_hearth_gateway_chat_output_tokens (HearthGatewayChat *chat)
{
  const HearthServerFigures *server = hearth_reply_get_server_figures (chat->reply);
  const HearthFigures *figures = hearth_reply_get_figures (chat->reply);

  /* The figures' own count of a live reply may be its pieces, not tokens. */
  if (server->completion_tokens >= 0)
    return server->completion_tokens;
  return figures->cached ? figures->tokens_out : -1;
}

void
_hearth_gateway_chat_write_json (HearthGatewayChat *chat,
                                 const char        *prefix,
                                 JsonNode          *node,
                                 const char        *suffix)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *json = NULL;
  g_autoptr(GString) line = g_string_new (prefix);

  json_generator_set_root (generator, node);
  json = json_generator_to_data (generator, NULL);
  g_string_append (line, json);
  g_string_append (line, suffix);
  _hearth_gateway_call_write (chat->call, line->str, line->len);
}

gboolean
_hearth_gateway_chat_bad_request (GError    **error,
                                  const char *format,
                                  ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                                                format, args));
  va_end (args);
  return FALSE;
}

/* ---- The request ---- */

gboolean
_hearth_gateway_chat_take_option (HearthChatRequest *request,
                                  const char        *name,
                                  JsonNode          *value,
                                  GError           **error)
{
  g_autoptr(HearthRunOptions) check = hearth_run_options_new ();
  HearthRunOptionKey key;
  double number;

  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    return TRUE;
  if (g_str_equal (name, "stop"))
    {
      g_autoptr(GStrvBuilder) stops = g_strv_builder_new ();

      if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
        g_strv_builder_add (stops, json_node_get_string (value));
      else if (JSON_NODE_HOLDS_ARRAY (value))
        {
          JsonArray *array = json_node_get_array (value);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *item = json_array_get_element (array, i);

              if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
                return _hearth_gateway_chat_bad_request (error, "“stop” must be a string or a list of strings");
              g_strv_builder_add (stops, json_node_get_string (item));
            }
        }
      else
        return _hearth_gateway_chat_bad_request (error, "“stop” must be a string or a list of strings");
      g_strfreev (request->stop);
      request->stop = g_strv_builder_end (stops);
      if (request->stop[0] == NULL)
        g_clear_pointer (&request->stop, g_strfreev);
      return TRUE;
    }

  if (!hearth_run_option_key_from_string (name, &key))
    {
      /* Ollama's other options (mirostat, penalties, …): the request has no
       * place for them, and Ollama ignores what it does not know as well. */
      g_debug ("Option “%s” is not passed on", name);
      return TRUE;
    }

  if (key == HEARTH_RUN_OPTION_KEEP_ALIVE &&
      JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
    {
      g_autofree char *assignment = g_strdup_printf ("keep_alive=%s", json_node_get_string (value));

      if (!hearth_run_options_parse_assignment (check, assignment, error))
        return FALSE;
      number = hearth_run_options_get (check, key);
    }
  else if (JSON_NODE_HOLDS_VALUE (value) &&
           (json_node_get_value_type (value) == G_TYPE_INT64 ||
            json_node_get_value_type (value) == G_TYPE_DOUBLE))
    number = json_node_get_double (value);
  else
    return _hearth_gateway_chat_bad_request (error, "“%s” must be a number", name);

  /* Ollama's "anything" values: a negative seed is a random one, a
   * negative num_predict no limit, a negative keep_alive for ever. */
  if ((key == HEARTH_RUN_OPTION_SEED || key == HEARTH_RUN_OPTION_NUM_PREDICT) && number < 0)
    return TRUE;
  if (key == HEARTH_RUN_OPTION_KEEP_ALIVE && number < 0)
    number = -1;
  if (!hearth_run_options_set (check, key, number, error))
    return FALSE;

  switch (key)
    {
    case HEARTH_RUN_OPTION_TEMPERATURE:
      request->temperature = number;
      break;
    case HEARTH_RUN_OPTION_TOP_P:
      request->top_p = number;
      break;
    case HEARTH_RUN_OPTION_TOP_K:
      request->top_k = (gint64) number;
      break;
    case HEARTH_RUN_OPTION_SEED:
      request->seed = (gint64) number;
      request->has_seed = TRUE;
      break;
    case HEARTH_RUN_OPTION_NUM_PREDICT:
      request->num_predict = (gint64) number;
      break;
    case HEARTH_RUN_OPTION_NUM_CTX:
      request->num_ctx = (gint64) number;
      break;
    case HEARTH_RUN_OPTION_NUM_GPU:
    case HEARTH_RUN_OPTION_NUM_THREAD:
    case HEARTH_RUN_OPTION_NUM_BATCH:
    case HEARTH_RUN_OPTION_KEEP_ALIVE:
    case HEARTH_RUN_OPTION_MIN_P:
    case HEARTH_RUN_OPTION_REPEAT_PENALTY:
    case HEARTH_N_RUN_OPTIONS:
    default:
      if (request->options == NULL)
        request->options = hearth_run_options_new ();
      hearth_run_options_set (request->options, key, number, NULL);
      break;
    }
  return TRUE;
}

/* Text parts joined; an image says it is not passed on. */
static gboolean
read_content (JsonNode  *node,
              GString   *text,
              GError   **error)
{
  JsonArray *parts;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      g_string_append (text, json_node_get_string (node));
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return _hearth_gateway_chat_bad_request (error, "A message’s “content” must be text or a list of text parts");
  parts = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (parts); i++)
    {
      JsonNode *part = json_array_get_element (parts, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (part) ? json_node_get_object (part) : NULL;
      const char *type = object ? hearth_json_get_string (object, "type") : NULL;

      if (JSON_NODE_HOLDS_VALUE (part) && json_node_get_value_type (part) == G_TYPE_STRING)
        g_string_append (text, json_node_get_string (part));
      else if (g_strcmp0 (type, "text") == 0 && hearth_json_get_string (object, "text") != NULL)
        g_string_append (text, hearth_json_get_string (object, "text"));
      else if (type != NULL && (g_str_has_prefix (type, "image") || g_str_has_prefix (type, "input_")))
        return _hearth_gateway_chat_bad_request (error, "Images and other attachments are not passed on by Hearth’s gateway: send the message as text");
      else
        return _hearth_gateway_chat_bad_request (error, "A message part of type “%s” is not understood: send text parts ({\"type\": \"text\", \"text\": …})",
                                                 type ? type : "(none)");
    }
  return TRUE;
}

gboolean
_hearth_gateway_chat_add_message (HearthChatRequest *request,
                                  JsonObject        *message,
                                  GError           **error)
{
  const char *role = hearth_json_get_string (message, "role");
  g_autoptr(GString) text = g_string_new (NULL);
  JsonNode *images = json_object_get_member (message, "images");

  if (role == NULL)
    return _hearth_gateway_chat_bad_request (error, "Each message needs a “role” (system, user or assistant)");
  if (g_str_equal (role, "tool") || g_str_equal (role, "function") ||
      (json_object_has_member (message, "tool_calls") &&
       !JSON_NODE_HOLDS_NULL (json_object_get_member (message, "tool_calls"))))
    return _hearth_gateway_chat_bad_request (error, "Tools are not supported by Hearth’s gateway yet: send the request without tools or tool messages");
  if (images != NULL && JSON_NODE_HOLDS_ARRAY (images) &&
      json_array_get_length (json_node_get_array (images)) > 0)
    return _hearth_gateway_chat_bad_request (error, "Images are not passed on by Hearth’s gateway: send the message as text");
  if (!g_str_equal (role, "system") && !g_str_equal (role, "developer") &&
      !g_str_equal (role, "user") && !g_str_equal (role, "assistant"))
    return _hearth_gateway_chat_bad_request (error, "A message’s role must be system, user or assistant, not “%s”", role);
  if (!read_content (json_object_get_member (message, "content"), text, error))
    return FALSE;

  /* System messages go first, as Anthropic's servers want them. */
  if (g_str_equal (role, "system") || g_str_equal (role, "developer"))
    {
      char *system = request->system
        ? g_strconcat (request->system, "\n\n", text->str, NULL) : g_strdup (text->str);

      g_free (request->system);
      request->system = system;
      return TRUE;
    }
  hearth_chat_request_add_message (request, role, text->str);
  if (g_str_equal (role, "assistant") && hearth_json_get_string (message, "thinking") != NULL)
    {
      HearthMessage *added = g_ptr_array_index (request->messages, request->messages->len - 1);

      added->thinking = g_strdup (hearth_json_get_string (message, "thinking"));
    }
  return TRUE;
}

gboolean
_hearth_gateway_chat_add_messages (HearthChatRequest *request,
                                   JsonArray         *array,
                                   GError           **error)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *message = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_OBJECT (message))
        return _hearth_gateway_chat_bad_request (error, "“messages” must be a list of {\"role\", \"content\"} objects");
      if (!_hearth_gateway_chat_add_message (request, json_node_get_object (message), error))
        return FALSE;
    }
  if (request->messages->len == 0)
    return _hearth_gateway_chat_bad_request (error, "The request has only system messages: add a user message to answer");
  return TRUE;
}

/* ---- The reply ---- */

/* The stream's status and headers, then the text that came before them. */
static void
start_stream (HearthGatewayChat *chat)
{
  g_clear_handle_id (&chat->start_id, g_source_remove);
  if (chat->started)
    return;
  _hearth_gateway_call_begin_stream (chat->call, chat->writer->content_type, chat->reply);
  chat->started = TRUE;
  if (chat->pending->len > 0 || chat->pending_thinking->len > 0)
    chat->writer->write_delta (chat, chat->pending->len > 0 ? chat->pending->str : NULL,
                               chat->pending_thinking->str);
  g_string_truncate (chat->pending, 0);
  g_string_truncate (chat->pending_thinking, 0);
}

static gboolean
start_stream_cb (gpointer user_data)
{
  HearthGatewayChat *chat = user_data;

  chat->start_id = 0;
  start_stream (chat);
  return G_SOURCE_REMOVE;
}

static void
on_delta (HearthReply       *reply,
          const char        *content,
          const char        *thinking,
          HearthGatewayChat *chat)
{
  if (!chat->stream)
    return;
  if (chat->started)
    {
      chat->writer->write_delta (chat, content, thinking);
      return;
    }
  /* The headers wait for the main loop's next turn: an answer from the
   * cache comes as one piece, and is marked cached only after it, so
   * X-Hearth-Cache would say "miss" if they went out with it. */
  if (content != NULL)
    g_string_append (chat->pending, content);
  if (thinking != NULL)
    g_string_append (chat->pending_thinking, thinking);
  if (chat->start_id == 0)
    chat->start_id = g_idle_add_full (G_PRIORITY_DEFAULT, start_stream_cb, chat, NULL);
}

static void
on_finished (HearthReply       *reply,
             HearthGatewayChat *chat)
{
  HearthGatewayCall *call = chat->call;
  HearthReplyState state = hearth_reply_get_state (reply);
  g_autoptr(GError) error = NULL;

  g_clear_signal_handler (&chat->delta_id, reply);
  g_clear_signal_handler (&chat->finished_id, reply);

  if (state == HEARTH_REPLY_DONE && chat->stream)
    {
      start_stream (chat);
      chat->writer->write_end (chat);
      chat_free (chat);
      _hearth_gateway_call_finish (call);
      return;
    }
  if (state == HEARTH_REPLY_DONE)
    {
      g_autoptr(JsonNode) body = chat->writer->build_whole (chat);

      _hearth_gateway_set_reply_headers (call, reply);
      chat_free (chat);
      _hearth_gateway_respond_json (call, SOUP_STATUS_OK, body);
      return;
    }

  if (hearth_reply_get_error (reply) != NULL)
    error = g_error_copy (hearth_reply_get_error (reply));
  else
    error = g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_CANCELLED,
                                 _("The request was cancelled"));
  /* Nothing came: a real status. Text came: it is sent, then the error. */
  if (!chat->started && chat->pending->len == 0 && chat->pending_thinking->len == 0)
    {
      respond_error (chat, error);
      return;
    }
  start_stream (chat);
  /* After text: the stream says what happened, unless nobody listens. */
  if (!g_cancellable_is_cancelled (call->cancellable))
    chat->writer->write_error (chat, error);
  chat_free (chat);
  _hearth_gateway_call_finish (call);
}

static gboolean
cancel_reply_cb (gpointer user_data)
{
  HearthReply *reply = user_data;

  if (!hearth_reply_is_finished (reply))
    hearth_reply_cancel (reply);
  return G_SOURCE_REMOVE;
}

/* The client went away: the reply (and the request upstream) is
 * cancelled from the main loop, not inside the cancellable's emission. */
static void
on_client_gone (GCancellable      *cancellable,
                HearthGatewayChat *chat)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, cancel_reply_cb, g_object_ref (chat->reply),
                   g_object_unref);
}

static void
send_request (HearthGatewayChat *chat,
              HearthServer      *server,
              char              *model)
{
  HearthEngine *engine = _hearth_gateway_get_engine (chat->call->gateway);
  HearthChatRequest *request = g_steal_pointer (&chat->request);
  g_autoptr(GError) error = NULL;

  g_free (request->model);
  request->model = model;
  /* "auto" lets the routing rules pick the server, unless one was named. */
  g_free (request->server);
  request->server = NULL;
  chat->server = g_strdup (hearth_server_get_name (server));
  if (g_strcmp0 (model, HEARTH_MODEL_AUTO) != 0 || strchr (chat->asked_model, '@') != NULL)
    request->server = g_strdup (chat->server);
  request->stream = TRUE;

  chat->reply = hearth_engine_chat (engine, NULL, request, HEARTH_CONVERSATION_API, &error);
  if (chat->reply == NULL)
    {
      respond_error (chat, error);
      return;
    }
  chat->delta_id = g_signal_connect (chat->reply, "delta", G_CALLBACK (on_delta), chat);
  chat->finished_id = g_signal_connect (chat->reply, "finished", G_CALLBACK (on_finished), chat);
  chat->cancelled_id = g_cancellable_connect (chat->call->cancellable, G_CALLBACK (on_client_gone),
                                              chat, NULL);
  if (hearth_reply_is_finished (chat->reply))
    on_finished (chat->reply, chat);
}

/* ---- /api/generate with no prompt: load (or, keep_alive 0, unload) ---- */

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  HearthGatewayChat *chat = user_data;
  HearthGatewayCall *call = chat->call;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = NULL;
  gboolean unload = chat->keep_alive_s == 0;

  if (HEARTH_IS_TUNING (object))
    hearth_tuning_preload_finish (HEARTH_TUNING (object), result, &error);
  else
    hearth_provider_unload_finish (HEARTH_PROVIDER (object), result, &error);
  /* A server that loads its models itself has nothing to be asked. */
  if (error != NULL && !hearth_error_is_not_supported (error))
    {
      respond_error (chat, error);
      return;
    }
  body = _hearth_gateway_ollama_loaded (chat, unload ? "unload" : "load");
  chat_free (chat);
  _hearth_gateway_respond_json (call, SOUP_STATUS_OK, body);
}

static void
load_model (HearthGatewayChat *chat,
            HearthServer      *server,
            char              *model)
{
  HearthEngine *engine = _hearth_gateway_get_engine (chat->call->gateway);
  HearthProvider *provider = hearth_server_get_provider (server);
  g_autofree char *reason = g_strdup_printf ("loaded for %s", chat->call->client);

  g_free (chat->asked_model);
  chat->asked_model = model;
  if (chat->keep_alive_s == 0)
    hearth_provider_unload_async (provider, model, chat->call->cancellable, loaded_cb, chat);
  else
    hearth_tuning_preload_async (hearth_engine_get_tuning (engine), provider, model,
                                 isnan (chat->keep_alive_s) ? 0 : chat->keep_alive_s, reason,
                                 chat->call->cancellable, loaded_cb, chat);
}

static void
model_found_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  HearthGatewayChat *chat = user_data;
  g_autoptr(GError) error = NULL;
  char *model = NULL;
  g_autoptr(HearthServer) server = NULL;

  server = _hearth_gateway_find_model_finish (HEARTH_GATEWAY (object), result, &model, &error);
  if (server == NULL)
    {
      respond_error (chat, error);
      return;
    }
  _hearth_gateway_call_note (chat->call, NULL, hearth_server_get_name (server));
  if (chat->load_only)
    load_model (chat, server, model);
  else
    send_request (chat, server, model);
}

void
_hearth_gateway_handle_chat (HearthGatewayCall *call)
{
  HearthGatewayChat *chat = g_new0 (HearthGatewayChat, 1);
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) error = NULL;
  gboolean parsed;

  chat->call = call;
  chat->created = g_get_real_time () / G_USEC_PER_SEC;
  chat->keep_alive_s = NAN;
  chat->stream = TRUE;
  chat->pending = g_string_new (NULL);
  chat->pending_thinking = g_string_new (NULL);
  chat->request = hearth_chat_request_new ();
  chat->request->priority = HEARTH_PRIORITY_API;
  chat->request->client = g_strdup (call->client);

  body = _hearth_gateway_call_read_json (call, &error);
  if (body == NULL)
    {
      respond_error (chat, error);
      return;
    }
  if (call->protocol == HEARTH_GATEWAY_OPENAI)
    {
      chat->writer = &_hearth_gateway_openai_writer;
      parsed = _hearth_gateway_openai_parse (chat, body, &error);
    }
  else
    {
      chat->writer = &_hearth_gateway_ollama_writer;
      chat->generate = g_str_equal (call->path, "/api/generate");
      parsed = _hearth_gateway_ollama_parse (chat, body, &error);
    }
  if (!parsed)
    {
      respond_error (chat, error);
      return;
    }
  _hearth_gateway_call_note (call, chat->asked_model, NULL);
  _hearth_gateway_find_model_async (call->gateway, chat->asked_model, call->cancellable,
                                    model_found_cb, chat);
}
