/* hearth-gateway-call.c — one client request in flight: its paused
 * message, the answer or the error in the client's protocol, a stream
 * written as it comes, the X-Hearth-* headers, and noticing when the
 * client goes away
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "hearth-error.h"
#include "hearth-gateway-impl.h"
#include "hearth-json.h"

#define INFO_KEY "hearth-gateway-info"

static void
request_info_free (gpointer data)
{
  RequestInfo *info = data;

  g_free (info->model);
  g_free (info->server);
  g_free (info);
}

RequestInfo *
_hearth_gateway_request_info (SoupServerMessage *msg)
{
  RequestInfo *info = g_object_get_data (G_OBJECT (msg), INFO_KEY);

  if (info == NULL)
    {
      info = g_new0 (RequestInfo, 1);
      info->start_us = g_get_monotonic_time ();
      g_object_set_data_full (G_OBJECT (msg), INFO_KEY, info, request_info_free);
    }
  return info;
}

/* The client went away: a peek at its socket reads the end of the stream
 * (a paused message is not read by libsoup, which would not notice). */
static gboolean
socket_readable_cb (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  HearthGatewayCall *call = user_data;
  char byte;
  gssize got;

  if ((condition & (G_IO_HUP | G_IO_ERR)) == 0)
    {
      got = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
      if (got < 0 && (errno == EAGAIN || errno == EINTR))
        return G_SOURCE_CONTINUE;
      if (got > 0)
        return G_SOURCE_REMOVE;   /* its next request, already sent: it is still there */
    }
  _hearth_gateway_request_info (call->msg)->gone = TRUE;
  g_cancellable_cancel (call->cancellable);
  return G_SOURCE_REMOVE;
}

static void
msg_disconnected_cb (SoupServerMessage *msg,
                     HearthGatewayCall *call)
{
  RequestInfo *info = _hearth_gateway_request_info (msg);

  info->gone = TRUE;
  info->disconnected = TRUE;
  g_cancellable_cancel (call->cancellable);
}

#define WATCH_KEY "hearth-gateway-watch"

static void
watch_free (gpointer data)
{
  GSource *source = data;

  g_source_destroy (source);
  g_source_unref (source);
}

HearthGatewayCall *
_hearth_gateway_call_new (HearthGateway          *self,
                          SoupServerMessage      *msg,
                          HearthGatewayProtocol   protocol,
                          const char             *path)
{
  HearthGatewayCall *call = g_new0 (HearthGatewayCall, 1);
  const char *agent = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                    "User-Agent");
  GSocket *socket = soup_server_message_get_socket (msg);

  call->gateway = self;
  call->msg = g_object_ref (msg);
  call->protocol = protocol;
  call->path = g_strdup (path);
  call->client = g_strdup (agent != NULL && *agent != '\0' ? agent : "unknown client");
  call->cancellable = g_cancellable_new ();
  call->disconnect_id = g_signal_connect (msg, "disconnected",
                                          G_CALLBACK (msg_disconnected_cb), call);
  if (socket != NULL)
    {
      GSource *source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);

      g_source_set_callback (source, (GSourceFunc) (GCallback) socket_readable_cb, call, NULL);
      g_source_attach (source, NULL);
      /* Our reference: the source may have ended itself by then. */
      g_object_set_data_full (G_OBJECT (msg), WATCH_KEY, source, watch_free);
    }
  g_hash_table_add (self->calls, call);
  soup_server_message_pause (msg);
  return call;
}

static gboolean
call_is_gone (HearthGatewayCall *call)
{
  return _hearth_gateway_request_info (call->msg)->gone
         || call->gateway == NULL || call->gateway->server == NULL;
}

static void
call_unpause (HearthGatewayCall *call)
{
  if (!_hearth_gateway_request_info (call->msg)->disconnected)
    soup_server_message_unpause (call->msg);
}

/* Nobody to answer: libsoup is let to end the message (its write fails
 * or goes nowhere) and to close the connection. */
static void
call_abandon (HearthGatewayCall *call)
{
  SoupMessageHeaders *headers;

  if (_hearth_gateway_request_info (call->msg)->disconnected)
    return;
  headers = soup_server_message_get_response_headers (call->msg);
  if (soup_server_message_get_status (call->msg) == 0)
    soup_server_message_set_status (call->msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
  else if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CHUNKED)
    soup_message_body_complete (soup_server_message_get_response_body (call->msg));
  soup_message_headers_replace (headers, "Connection", "close");
  call_unpause (call);
}

/* Ends the call without another word when the handler did not answer
 * (the client went away, the gateway stopped); frees it. */
void
_hearth_gateway_call_free (HearthGatewayCall *call)
{
  if (call == NULL)
    return;

  if (!call->finished && !call_is_gone (call))
    {
      /* A handler that forgot to answer: the client still gets one. */
      g_autoptr(GError) error = g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_FAILED,
                                                     _("The gateway ended the request "
                                                       "without an answer"));
      _hearth_gateway_respond_error (call, error);
      return;
    }
  if (call->gateway != NULL)
    g_hash_table_remove (call->gateway->calls, call);
  g_object_set_data (G_OBJECT (call->msg), WATCH_KEY, NULL);
  g_clear_signal_handler (&call->disconnect_id, call->msg);
  g_clear_object (&call->msg);
  g_clear_object (&call->cancellable);
  g_free (call->path);
  g_free (call->client);
  g_free (call);
}

void
_hearth_gateway_call_note (HearthGatewayCall *call,
                           const char        *model,
                           const char        *server)
{
  RequestInfo *info = _hearth_gateway_request_info (call->msg);

  if (model != NULL)
    {
      g_free (info->model);
      info->model = g_strdup (model);
    }
  if (server != NULL)
    {
      g_free (info->server);
      info->server = g_strdup (server);
    }
}

JsonObject *
_hearth_gateway_call_read_json (HearthGatewayCall  *call,
                                GError            **error)
{
  SoupMessageBody *body = soup_server_message_get_request_body (call->msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  JsonNode *root;

  if (length == 0)
    {
      hearth_error_set_invalid (error, _("The request to %s has no body: send a JSON object"),
                                call->path);
      return NULL;
    }
  if (!g_utf8_validate (data, length, NULL))
    {
      hearth_error_set_invalid (error,
                                _("The request's body is not UTF-8 text: send a JSON object"));
      return NULL;
    }
  if (!hearth_json_parser_load (parser, data, length, &local_error))
    {
      hearth_error_set_invalid (error, _("The request's body is not valid JSON: %s"),
                                local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      hearth_error_set_invalid (error, _("The request's body is JSON but not an object: send "
                                "{…} with the fields %s takes"), call->path);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static void
set_response (SoupServerMessage *msg,
              guint              status,
              JsonNode          *body)
{
  g_autofree char *text = hearth_json_to_string (body, FALSE);
  gsize length = strlen (text);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&text), length);
}

void
_hearth_gateway_respond_json (HearthGatewayCall *call,
                              guint              status,
                              JsonNode          *body)
{
  g_return_if_fail (call != NULL && !call->finished);

  call->finished = TRUE;
  if (call_is_gone (call))
    call_abandon (call);
  else
    {
      set_response (call->msg, status, body);
      call_unpause (call);
    }
  _hearth_gateway_call_free (call);
}

void
_hearth_gateway_respond_text (HearthGatewayCall *call,
                              guint              status,
                              const char        *content_type,
                              const char        *text)
{
  g_return_if_fail (call != NULL && !call->finished);

  call->finished = TRUE;
  if (call_is_gone (call))
    call_abandon (call);
  else
    {
      soup_server_message_set_status (call->msg, status, NULL);
      if (text != NULL)
        soup_server_message_set_response (call->msg, content_type, SOUP_MEMORY_COPY,
                                          text, strlen (text));
      else
        soup_message_headers_set_content_length (soup_server_message_get_response_headers (call->msg), 0);
      call_unpause (call);
    }
  _hearth_gateway_call_free (call);
}

static JsonNode *
error_body (HearthGatewayProtocol  protocol,
            const char            *type,
            const char            *code,
            const char            *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  if (protocol == HEARTH_GATEWAY_OPENAI)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, message);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, type);
      json_builder_set_member_name (builder, "param");
      json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "code");
      if (code != NULL)
        json_builder_add_string_value (builder, code);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  else
    json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

void
_hearth_gateway_respond_plain_error (SoupServerMessage     *msg,
                     HearthGatewayProtocol  protocol,
                     guint                  status,
                     const char            *type,
                     const char            *code,
                     const char            *message)
{
  g_autoptr(JsonNode) body = error_body (protocol, type, code, message);

  set_response (msg, status, body);
}

guint
_hearth_gateway_status_for_error (const GError *error)
{
  if (error == NULL)
    return SOUP_STATUS_INTERNAL_SERVER_ERROR;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return 499;
  if (error->domain == JSON_PARSER_ERROR)
    return SOUP_STATUS_BAD_REQUEST;
  if (error->domain != HEARTH_ERROR)
    return SOUP_STATUS_INTERNAL_SERVER_ERROR;

  switch ((HearthErrorCode) error->code)
    {
    case HEARTH_ERROR_INVALID_ARGUMENT:
      return SOUP_STATUS_BAD_REQUEST;
    case HEARTH_ERROR_MODEL_NOT_FOUND:
    case HEARTH_ERROR_NO_MODEL:
      return SOUP_STATUS_NOT_FOUND;
    case HEARTH_ERROR_QUEUE_FULL:
    case HEARTH_ERROR_RATE_LIMITED:
      return HEARTH_GATEWAY_TOO_MANY_REQUESTS;
    case HEARTH_ERROR_NOT_SUPPORTED:
      return SOUP_STATUS_NOT_IMPLEMENTED;
    case HEARTH_ERROR_ALREADY_RUNNING:
      return SOUP_STATUS_CONFLICT;
    case HEARTH_ERROR_TIMEOUT:
      return SOUP_STATUS_GATEWAY_TIMEOUT;
    case HEARTH_ERROR_SERVER_BUSY:
      return SOUP_STATUS_SERVICE_UNAVAILABLE;
    case HEARTH_ERROR_CANCELLED:
      return 499;
    /* The server refused Hearth's key: the client's token was fine (the
     * gateway's own 401 is written before any call). */
    case HEARTH_ERROR_UNAUTHORIZED:
    case HEARTH_ERROR_CONNECTION_REFUSED:
    case HEARTH_ERROR_HOST_NOT_FOUND:
    case HEARTH_ERROR_TLS:
    case HEARTH_ERROR_SERVER_ERROR:
    case HEARTH_ERROR_BROKEN_STREAM:
    case HEARTH_ERROR_MALFORMED_STREAM:
    case HEARTH_ERROR_INVALID_KEY:
      return SOUP_STATUS_BAD_GATEWAY;
    case HEARTH_ERROR_FAILED:
    case HEARTH_ERROR_KEYRING_UNAVAILABLE:
    case HEARTH_ERROR_KEYRING_LOCKED:
    case HEARTH_ERROR_WEBHOOK:
    default:
      return SOUP_STATUS_INTERNAL_SERVER_ERROR;
    }
}

static const char *
openai_type_for_status (guint status)
{
  switch (status)
    {
    case SOUP_STATUS_UNAUTHORIZED:
      return "authentication_error";
    case HEARTH_GATEWAY_TOO_MANY_REQUESTS:
      return "rate_limit_error";
    case SOUP_STATUS_NOT_FOUND:
    case SOUP_STATUS_BAD_REQUEST:
      return "invalid_request_error";
    case SOUP_STATUS_NOT_IMPLEMENTED:
      return "not_supported_error";
    default:
      return status < 500 ? "invalid_request_error" : "server_error";
    }
}

static char *
openai_code_for_error (const GError *error)
{
  if (g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND))
    return g_strdup ("model_not_found");
  if (g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_QUEUE_FULL))
    return g_strdup ("queue_full");
  if (error->domain == HEARTH_ERROR)
    return g_strdelimit (g_strdup (hearth_error_get_class (error)), "-", '_');
  return NULL;
}

void
_hearth_gateway_respond_error (HearthGatewayCall *call,
                               const GError      *error)
{
  guint status = _hearth_gateway_status_for_error (error);
  g_autofree char *code = NULL;
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (call != NULL && !call->finished);

  call->finished = TRUE;
  if (call_is_gone (call) || status == 499)
    {
      _hearth_gateway_request_info (call->msg)->gone = TRUE;
      call_abandon (call);
      _hearth_gateway_call_free (call);
      return;
    }

  code = openai_code_for_error (error);
  body = error_body (call->protocol, openai_type_for_status (status), code,
                     error != NULL ? error->message : "The gateway failed");
  set_response (call->msg, status, body);
  call_unpause (call);
  _hearth_gateway_call_free (call);
}

void
_hearth_gateway_set_reply_headers (HearthGatewayCall *call,
                                   HearthReply       *reply)
{
  SoupMessageHeaders *headers;
  RequestInfo *info;
  const char *server, *from;

  if (reply == NULL)
    return;
  headers = soup_server_message_get_response_headers (call->msg);
  info = _hearth_gateway_request_info (call->msg);
  server = hearth_reply_get_server (reply);
  from = hearth_reply_get_fallback_from (reply);

  info->cached = hearth_reply_get_cached (reply);
  _hearth_gateway_call_note (call, hearth_reply_get_model (reply), server);
  if (server != NULL)
    soup_message_headers_replace (headers, "X-Hearth-Server", server);
  soup_message_headers_replace (headers, "X-Hearth-Cache", info->cached ? "hit" : "miss");
  if (from != NULL)
    soup_message_headers_replace (headers, "X-Hearth-Fallback-From", from);
}

void
_hearth_gateway_call_begin_stream (HearthGatewayCall *call,
                                   const char        *content_type,
                                   HearthReply       *reply)
{
  SoupMessageHeaders *headers;

  g_return_if_fail (call != NULL && !call->finished);

  if (call_is_gone (call))
    return;
  headers = soup_server_message_get_response_headers (call->msg);
  soup_server_message_set_status (call->msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (headers, content_type, NULL);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_body_set_accumulate (soup_server_message_get_response_body (call->msg), FALSE);
  _hearth_gateway_set_reply_headers (call, reply);
  call_unpause (call);
}

void
_hearth_gateway_call_write (HearthGatewayCall *call,
                            const char        *data,
                            gssize             length)
{
  g_return_if_fail (call != NULL && !call->finished);

  if (call_is_gone (call))
    return;
  if (length < 0)
    length = strlen (data);
  if (length == 0)
    return;
  soup_message_body_append (soup_server_message_get_response_body (call->msg),
                            SOUP_MEMORY_COPY, data, length);
  call_unpause (call);
}

void
_hearth_gateway_call_finish (HearthGatewayCall *call)
{
  g_return_if_fail (call != NULL && !call->finished);

  call->finished = TRUE;
  if (call_is_gone (call))
    call_abandon (call);
  else
    {
      soup_message_body_complete (soup_server_message_get_response_body (call->msg));
      call_unpause (call);
    }
  _hearth_gateway_call_free (call);
}
