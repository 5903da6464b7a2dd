/* hearth-gateway.c — the local API gateway: its SoupServer, the address it
 * listens on, the token it asks for, and the plumbing each endpoint's
 * request goes through (paused messages, answers and errors in the
 * client's protocol, streams, the X-Hearth-* headers, the figures)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>
#include <sys/socket.h>

#include "hearth-error.h"
#include "hearth-gateway-impl.h"
#include "hearth-json.h"

G_DEFINE_FINAL_TYPE (HearthGateway, hearth_gateway, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_RUNNING,
  PROP_URL,
  PROP_ERROR,
  N_PROPS
};

enum
{
  SIGNAL_CHANGED,
  SIGNAL_REQUEST_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static HearthGatewayProtocol
protocol_for_path (const char *path)
{
  if (g_str_has_prefix (path, "/v1/") || g_strcmp0 (path, "/v1") == 0)
    return HEARTH_GATEWAY_OPENAI;
  return HEARTH_GATEWAY_OLLAMA;
}

static gboolean
is_chat_path (const char *path)
{
  return g_strcmp0 (path, "/api/chat") == 0
         || g_strcmp0 (path, "/api/generate") == 0
         || g_strcmp0 (path, "/v1/chat/completions") == 0;
}

static void
early_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  HearthGateway *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  HearthGatewayProtocol protocol = protocol_for_path (path);
  goffset length;

  _hearth_gateway_request_info (msg);
  if (self->token != NULL
      && !_hearth_gateway_token_matches (self->token,
                         soup_message_headers_get_one (headers, "Authorization")))
    {
      gboolean missing = soup_message_headers_get_one (headers, "Authorization") == NULL;

      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate", "Bearer realm=\"Hearth\"");
      _hearth_gateway_respond_plain_error (msg, protocol, SOUP_STATUS_UNAUTHORIZED,
                           "invalid_request_error", "invalid_api_key",
                           missing
                           ? "This Hearth gateway asks for a token: send it as "
                             "“Authorization: Bearer TOKEN” (Hearth's Preferences or "
                             "`hearth-cli serve --print-token` show it)"
                           : "The token sent is not this Hearth gateway's: copy it again "
                             "from Hearth's Preferences or `hearth-cli serve --print-token`");
      return;
    }

  length = soup_message_headers_get_content_length (headers);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
      && length > HEARTH_GATEWAY_MAX_BODY_BYTES)
    {
      g_autofree char *message =
        g_strdup_printf ("The request's body is %" G_GINT64_FORMAT " MiB; this gateway takes "
                         "at most %d MiB", (gint64) (length / (1024 * 1024)),
                         HEARTH_GATEWAY_MAX_BODY_BYTES / (1024 * 1024));

      _hearth_gateway_respond_plain_error (msg, protocol, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                           "invalid_request_error", "request_too_large", message);
    }
}

typedef enum
{
  ROUTE_MODELS,
  ROUTE_CHAT,
} RouteKind;

typedef struct
{
  const char *path;
  gboolean    prefix;     /* "/v1/models/" + ID */
  const char *methods;    /* "GET HEAD", the Allow header's words */
  RouteKind   kind;
} Route;

static const Route routes[] = {
  { "/", FALSE, "GET HEAD", ROUTE_MODELS },
  { "/api/version", FALSE, "GET HEAD", ROUTE_MODELS },
  { "/api/tags", FALSE, "GET HEAD", ROUTE_MODELS },
  { "/api/ps", FALSE, "GET HEAD", ROUTE_MODELS },
  { "/api/show", FALSE, "POST", ROUTE_MODELS },
  { "/api/pull", FALSE, "POST", ROUTE_MODELS },
  { "/api/delete", FALSE, "DELETE", ROUTE_MODELS },
  { "/api/chat", FALSE, "POST", ROUTE_CHAT },
  { "/api/generate", FALSE, "POST", ROUTE_CHAT },
  { "/v1/models", FALSE, "GET HEAD", ROUTE_MODELS },
  { "/v1/models/", TRUE, "GET HEAD", ROUTE_MODELS },
  { "/v1/chat/completions", FALSE, "POST", ROUTE_CHAT },
};

static gboolean
method_allowed (const Route *route,
                const char  *method)
{
  g_auto(GStrv) words = g_strsplit (route->methods, " ", -1);

  return g_strv_contains ((const char * const *) words, method);
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  HearthGateway *self = user_data;
  HearthGatewayProtocol protocol = protocol_for_path (path);
  const char *method = soup_server_message_get_method (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  const Route *route = NULL;
  HearthGatewayCall *call;

  for (gsize i = 0; i < G_N_ELEMENTS (routes); i++)
    if (routes[i].prefix ? (g_str_has_prefix (path, routes[i].path)
                            && path[strlen (routes[i].path)] != '\0')
                         : g_strcmp0 (path, routes[i].path) == 0)
      {
        route = &routes[i];
        break;
      }

  if (route == NULL)
    {
      g_autofree char *message =
        g_strdup_printf ("This Hearth gateway has no %s: it serves Ollama's /api/chat, "
                         "/api/generate, /api/tags, /api/show, /api/ps, /api/pull, "
                         "/api/delete, /api/version and OpenAI's /v1/chat/completions "
                         "and /v1/models", path);

      _hearth_gateway_respond_plain_error (msg, protocol, SOUP_STATUS_NOT_FOUND,
                           "invalid_request_error", "unknown_url", message);
      return;
    }
  if (!method_allowed (route, method))
    {
      g_auto(GStrv) words = g_strsplit (route->methods, " ", -1);
      g_autofree char *allow = g_strjoinv (", ", words);
      g_autofree char *message =
        g_strdup_printf ("%s takes %s, not %s", path, allow, method);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", allow);
      _hearth_gateway_respond_plain_error (msg, protocol, SOUP_STATUS_METHOD_NOT_ALLOWED,
                           "invalid_request_error", "method_not_allowed", message);
      return;
    }
  /* A chunked body has no length up front: it is measured once read. */
  if (body->length > HEARTH_GATEWAY_MAX_BODY_BYTES)
    {
      g_autofree char *message =
        g_strdup_printf ("The request's body is over %d MiB, the most this gateway takes",
                         HEARTH_GATEWAY_MAX_BODY_BYTES / (1024 * 1024));

      _hearth_gateway_respond_plain_error (msg, protocol, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                           "invalid_request_error", "request_too_large", message);
      return;
    }

  call = _hearth_gateway_call_new (self, msg, protocol, path);
  if (route->kind == ROUTE_CHAT)
    _hearth_gateway_handle_chat (call);
  else
    _hearth_gateway_handle_models (call);
}

static void
emit_changed (HearthGateway *self)
{
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  HearthGateway *self = user_data;

  _hearth_gateway_request_info (msg);
  g_hash_table_add (self->messages, g_object_ref (msg));
  self->stats.active++;
  emit_changed (self);
}

static void
request_done (HearthGateway     *self,
              SoupServerMessage *msg,
              gboolean           aborted)
{
  RequestInfo *info = _hearth_gateway_request_info (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  const char *path = uri != NULL ? g_uri_get_path (uri) : NULL;
  const char *agent = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                    "User-Agent");
  HearthGatewayRequestInfo line = { 0 };
  guint status = soup_server_message_get_status (msg);

  if (info->logged)
    return;
  info->logged = TRUE;
  /* A kept-alive connection the client closes while idle ends the request
   * libsoup had begun to wait for: none was sent, none is counted or logged. */
  if (aborted && (path == NULL || soup_server_message_get_method (msg) == NULL))
    {
      if (self->stats.active > 0)
        self->stats.active--;
      g_hash_table_remove (self->messages, msg);
      emit_changed (self);
      return;
    }
  if (info->gone || (aborted && status != SOUP_STATUS_INTERNAL_SERVER_ERROR))
    status = 0;
  if (self->stats.active > 0)
    self->stats.active--;
  _hearth_gateway_count (self, status, is_chat_path (path), info->cached);

  line.method = soup_server_message_get_method (msg);
  line.path = path;
  line.status = status;
  line.client = agent != NULL && *agent != '\0' ? agent : "unknown client";
  line.model = info->model;
  line.server = info->server;
  line.cached = info->cached;
  line.duration_ms = (g_get_monotonic_time () - info->start_us) / 1000.0;
  g_signal_emit (self, signals[SIGNAL_REQUEST_FINISHED], 0, &line);
  g_hash_table_remove (self->messages, msg);
  emit_changed (self);
}

static void
request_finished_cb (SoupServer        *server,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  request_done (user_data, msg, FALSE);
}

static void
request_aborted_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  request_done (user_data, msg, TRUE);
}

void
_hearth_gateway_count (HearthGateway *self,
                       guint          status,
                       gboolean       chat,
                       gboolean       cached)
{
  g_return_if_fail (HEARTH_IS_GATEWAY (self));

  self->stats.requests++;
  if (chat)
    self->stats.chats++;
  if (chat && cached)
    self->stats.cache_hits++;
  if (status == HEARTH_GATEWAY_TOO_MANY_REQUESTS)
    self->stats.rejected++;
  else if (status >= 400)
    self->stats.errors++;
}

static gboolean
address_in_use (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
}

/* soup_server_listen () leaves the kernel's backlog at GSocket's default of
 * 10: a burst of clients (an agent's 64 parallel requests) then meets
 * "connection reset" before the gateway can answer each one, even with a
 * 429. The socket is made here with the system's own bound. */
static GSocket *
listen_socket (GSocketAddress  *address,
               GError         **error)
{
  g_autoptr(GSocket) socket = g_socket_new (g_socket_address_get_family (address),
                                            G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);

  if (socket == NULL)
    return NULL;
  g_socket_set_listen_backlog (socket, SOMAXCONN);
  if (!g_socket_bind (socket, address, TRUE, error) || !g_socket_listen (socket, error))
    return NULL;
  return g_steal_pointer (&socket);
}

static char *
format_url (const char *host,
            guint       port)
{
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("http://[%s]:%u", host, port);
  return g_strdup_printf ("http://%s:%u", host, port);
}

static void
set_error (HearthGateway *self,
           const GError  *error)
{
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static gboolean
start_failed (HearthGateway  *self,
              GError         *error,
              GError        **out)
{
  set_error (self, error);
  g_propagate_error (out, error);
  emit_changed (self);
  return FALSE;
}

gboolean
hearth_gateway_start (HearthGateway  *self,
                      const char     *listen,
                      const char     *token,
                      GError        **error)
{
  g_autofree char *host = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GSocket) socket = NULL;
  GSList *uris;
  guint port = 0;

  g_return_val_if_fail (HEARTH_IS_GATEWAY (self), FALSE);

  if (listen == NULL)
    listen = HEARTH_GATEWAY_DEFAULT_LISTEN;
  if (hearth_gateway_get_running (self))
    hearth_gateway_stop (self);

  if (!hearth_gateway_parse_listen (listen, &host, &port, &local_error))
    return start_failed (self, g_steal_pointer (&local_error), error);
  if (token != NULL && *token == '\0')
    token = NULL;
  if (token == NULL && !hearth_gateway_host_is_loopback (host))
    return start_failed (self,
                         g_error_new (HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                                      _("Listening on %s would let other computers use your "
                                        "servers, so it needs a token: give one (Hearth keeps it "
                                        "in the keyring), or listen on 127.0.0.1 for this "
                                        "computer only"), listen),
                         error);

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    {
      g_free (host);
      host = g_strdup ("127.0.0.1");
    }
  address = g_inet_socket_address_new_from_string (host, port);
  server = soup_server_new ("server-header", "Hearth", NULL);
  socket = listen_socket (address, &local_error);
  if (socket == NULL || !soup_server_listen_socket (server, socket, 0, &local_error))
    {
      GError *sentence;

      if (address_in_use (local_error))
        sentence = g_error_new (HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                                _("Another program already listens on %s (port %u): stop it, "
                                  "or pick another address with --listen or in Preferences"),
                                listen, port);
      else
        sentence = g_error_new (HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                                _("Hearth could not listen on %s: %s. Pick another address "
                                  "with --listen or in Preferences"),
                                listen, local_error->message);
      return start_failed (self, sentence, error);
    }

  uris = soup_server_get_uris (server);
  if (uris != NULL)
    port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  soup_server_add_early_handler (server, NULL, early_cb, self, NULL);
  soup_server_add_handler (server, NULL, handler_cb, self, NULL);
  g_signal_connect (server, "request-started", G_CALLBACK (request_started_cb), self);
  g_signal_connect (server, "request-finished", G_CALLBACK (request_finished_cb), self);
  g_signal_connect (server, "request-aborted", G_CALLBACK (request_aborted_cb), self);

  self->server = g_steal_pointer (&server);
  self->token = g_strdup (token);
  self->port = port;
  self->loopback = hearth_gateway_host_is_loopback (host);
  self->url = format_url (host, port);
  memset (&self->stats, 0, sizeof self->stats);
  g_debug ("Serving the API on %s%s", self->url, self->token != NULL ? " (token asked)" : "");

  /* Programs calling the gateway must not wait on a dead server: while it
   * serves, the servers that answer are re-checked every minute too. */
  self->held_servers = g_object_ref (hearth_engine_get_servers (self->engine));
  hearth_servers_hold_health (self->held_servers);

  set_error (self, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);
  emit_changed (self);
  return TRUE;
}

static void
free_token (HearthGateway *self)
{
  if (self->token != NULL)
    {
      memset (self->token, 0, strlen (self->token));
      g_clear_pointer (&self->token, g_free);
    }
}

void
hearth_gateway_stop (HearthGateway *self)
{
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  SoupServer *server;
  GHashTableIter iter;
  gpointer key;

  g_return_if_fail (HEARTH_IS_GATEWAY (self));

  if (self->server == NULL)
    {
      if (self->error != NULL)
        set_error (self, NULL);
      return;
    }

  /* Every request in flight is cancelled: its engine call, and so the
   * request upstream. Their handlers still end them; nothing is written
   * to a connection that is gone. */
  calls = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->calls);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (calls, key);
  for (guint i = 0; i < calls->len; i++)
    {
      HearthGatewayCall *call = g_ptr_array_index (calls, i);

      _hearth_gateway_request_info (call->msg)->gone = TRUE;
      g_cancellable_cancel (call->cancellable);
    }
  /* Every request begun and not answered (a call's, or one still being
   * read) is cut short, and still counted and logged: status 0. */
  messages = g_ptr_array_new_with_free_func (g_object_unref);
  g_hash_table_iter_init (&iter, self->messages);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (messages, g_object_ref (key));
  for (guint i = 0; i < messages->len; i++)
    {
      SoupServerMessage *msg = g_ptr_array_index (messages, i);

      _hearth_gateway_request_info (msg)->gone = TRUE;
      request_done (self, msg, TRUE);
    }

  soup_server_disconnect (self->server);
  server = g_steal_pointer (&self->server);
  g_signal_handlers_disconnect_by_data (server, self);
  g_object_unref (server);

  if (self->held_servers != NULL)
    hearth_servers_release_health (self->held_servers);
  g_clear_object (&self->held_servers);
  free_token (self);
  g_clear_pointer (&self->url, g_free);
  self->port = 0;
  self->loopback = FALSE;
  self->stats.active = 0;
  g_clear_error (&self->error);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
  emit_changed (self);
}

gboolean
hearth_gateway_get_running (HearthGateway *self)
{
  g_return_val_if_fail (HEARTH_IS_GATEWAY (self), FALSE);
  return self->server != NULL;
}

const GError *
hearth_gateway_get_error (HearthGateway *self)
{
  g_return_val_if_fail (HEARTH_IS_GATEWAY (self), NULL);
  return self->error;
}

const char *
hearth_gateway_get_url (HearthGateway *self)
{
  g_return_val_if_fail (HEARTH_IS_GATEWAY (self), NULL);
  return self->url;
}

guint
hearth_gateway_get_port (HearthGateway *self)
{
  g_return_val_if_fail (HEARTH_IS_GATEWAY (self), 0);
  return self->port;
}

gboolean
hearth_gateway_get_loopback (HearthGateway *self)
{
  g_return_val_if_fail (HEARTH_IS_GATEWAY (self), FALSE);
  return self->loopback;
}

void
hearth_gateway_get_stats (HearthGateway      *self,
                          HearthGatewayStats *stats)
{
  g_return_if_fail (HEARTH_IS_GATEWAY (self));
  g_return_if_fail (stats != NULL);
  *stats = self->stats;
}

/* Which servers ---------------------------------------------------------- */

gboolean
hearth_gateway_set_servers (HearthGateway       *self,
                            const char * const  *servers,
                            GError             **error)
{
  HearthServers *list;

  g_return_val_if_fail (HEARTH_IS_GATEWAY (self), FALSE);

  list = hearth_engine_get_servers (self->engine);
  for (guint i = 0; servers != NULL && servers[i] != NULL; i++)
    if (hearth_servers_lookup (list, servers[i]) == NULL)
      {
        g_autoptr(GString) names = g_string_new (NULL);
        GListModel *model = G_LIST_MODEL (list);

        for (guint j = 0; j < g_list_model_get_n_items (model); j++)
          {
            g_autoptr(HearthServer) server = g_list_model_get_item (model, j);

            g_string_append_printf (names, "%s%s", j > 0 ? ", " : "",
                                    hearth_server_get_name (server));
          }
        return hearth_error_set_invalid (error,
                                         _("There is no server called “%s”; the servers are: %s"),
                                         servers[i],
                                         names->len > 0 ? names->str : "none yet");
      }

  g_clear_pointer (&self->servers, g_strfreev);
  if (servers != NULL && servers[0] != NULL)
    self->servers = g_strdupv ((char **) servers);
  return TRUE;
}

const char * const *
_hearth_gateway_get_servers (HearthGateway *self)
{
  g_return_val_if_fail (HEARTH_IS_GATEWAY (self), NULL);
  return (const char * const *) self->servers;
}

HearthEngine *
_hearth_gateway_get_engine (HearthGateway *self)
{
  g_return_val_if_fail (HEARTH_IS_GATEWAY (self), NULL);
  return self->engine;
}

/* The object ---------------------------------------------------------------- */

HearthGateway *
_hearth_gateway_new (HearthEngine *engine)
{
  HearthGateway *self = g_object_new (HEARTH_TYPE_GATEWAY, NULL);

  self->engine = engine;
  return self;
}

HearthGateway *
hearth_engine_get_gateway (HearthEngine *engine)
{
  HearthGateway *self;

  g_return_val_if_fail (HEARTH_IS_ENGINE (engine), NULL);

  self = g_object_get_data (G_OBJECT (engine), "hearth-gateway");
  if (self == NULL)
    {
      self = _hearth_gateway_new (engine);
      g_object_set_data_full (G_OBJECT (engine), "hearth-gateway", self, g_object_unref);
    }
  return self;
}

static void
hearth_gateway_dispose (GObject *object)
{
  HearthGateway *self = HEARTH_GATEWAY (object);
  GHashTableIter iter;
  gpointer key;

  hearth_gateway_stop (self);
  /* Handlers still running end their calls without us. */
  g_hash_table_iter_init (&iter, self->calls);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    ((HearthGatewayCall *) key)->gateway = NULL;
  g_hash_table_remove_all (self->calls);

  G_OBJECT_CLASS (hearth_gateway_parent_class)->dispose (object);
}

static void
hearth_gateway_finalize (GObject *object)
{
  HearthGateway *self = HEARTH_GATEWAY (object);

  free_token (self);
  g_clear_pointer (&self->url, g_free);
  g_clear_error (&self->error);
  g_clear_pointer (&self->servers, g_strfreev);
  g_clear_pointer (&self->calls, g_hash_table_unref);
  g_clear_pointer (&self->messages, g_hash_table_unref);

  G_OBJECT_CLASS (hearth_gateway_parent_class)->finalize (object);
}

static void
hearth_gateway_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  HearthGateway *self = HEARTH_GATEWAY (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, hearth_gateway_get_running (self));
      break;
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hearth_gateway_class_init (HearthGatewayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hearth_gateway_dispose;
  object_class->finalize = hearth_gateway_finalize;
  object_class->get_property = hearth_gateway_get_property;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_REQUEST_FINISHED] =
    g_signal_new ("request-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
hearth_gateway_init (HearthGateway *self)
{
  self->calls = g_hash_table_new (NULL, NULL);
  self->messages = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
}
