/* hearth-provider.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-provider"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hearth-anthropic-provider.h"
#include "hearth-error.h"
#include "hearth-http.h"
#include "hearth-json.h"
#include "hearth-ollama-provider.h"
#include "hearth-openai-provider.h"
#include "hearth-provider-private.h"
#include "hearth-reply-private.h"
#include "hearth-secrets.h"

#define READ_SIZE 16384
/* Bounded, so that a fast stream cannot starve the main loop. */
#define MAX_READS_PER_WAKEUP 64
/* A reply is read below GTK's redraw priority (G_PRIORITY_HIGH_IDLE + 20)
 * and a few milliseconds at a time: a local server sends 100,000 tokens in a
 * third of a second, and read at the default priority they kept a window
 * showing them from painting until the last one (a 0.4 to 0.7 s frame); a
 * megabyte parsed in one go delayed the next frame by 50 ms. */
#define READ_PRIORITY        G_PRIORITY_DEFAULT_IDLE
#define READ_SLICE_US        4000
/* ...but never starved: a window that redraws without pause (an animation
 * on a machine too slow for 60 frames a second, a sanitizer build) leaves
 * no idle time, and the reply would never be read. A guard at the default
 * priority reads a slice itself when the reader has not run for this long. */
#define READ_GUARD_MS        25

typedef struct
{
  SoupSession *session;
  char        *endpoint;
  char        *api_key;
  gboolean     api_key_loaded;
  GError      *key_error;      /* the key found cannot be sent; every request says so */
} HearthProviderPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (HearthProvider, hearth_provider, G_TYPE_OBJECT)

static void
hearth_provider_finalize (GObject *object)
{
  HearthProvider *self = HEARTH_PROVIDER (object);
  HearthProviderPrivate *priv = hearth_provider_get_instance_private (self);

  g_clear_object (&priv->session);
  g_free (priv->endpoint);
  g_clear_pointer (&priv->api_key, hearth_secrets_free);
  g_clear_error (&priv->key_error);

  G_OBJECT_CLASS (hearth_provider_parent_class)->finalize (object);
}

static void
hearth_provider_real_add_headers (HearthProvider     *self,
                                  SoupMessageHeaders *headers,
                                  const char         *api_key)
{
  g_autofree char *value = NULL;

  if (api_key == NULL)
    return;
  value = g_strdup_printf ("Bearer %s", api_key);
  soup_message_headers_replace (headers, "Authorization", value);
}

static void
hearth_provider_class_init (HearthProviderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hearth_provider_finalize;
  klass->add_headers = hearth_provider_real_add_headers;
}

static void
hearth_provider_init (HearthProvider *self)
{
}

HearthProvider *
hearth_provider_new (HearthApiKind  api,
                     const char    *endpoint,
                     SoupSession   *session)
{
  GType type;
  HearthProvider *self;
  HearthProviderPrivate *priv;

  g_return_val_if_fail (endpoint != NULL, NULL);
  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);

  switch (api)
    {
    case HEARTH_API_OPENAI:
      type = HEARTH_TYPE_OPENAI_PROVIDER;
      break;
    case HEARTH_API_ANTHROPIC:
      type = HEARTH_TYPE_ANTHROPIC_PROVIDER;
      break;
    case HEARTH_API_OLLAMA:
    default:
      type = HEARTH_TYPE_OLLAMA_PROVIDER;
      break;
    }
  self = g_object_new (type, NULL);
  priv = hearth_provider_get_instance_private (self);
  priv->endpoint = g_strdup (endpoint);
  priv->session = g_object_ref (session);
  return self;
}

HearthApiKind
hearth_provider_get_api (HearthProvider *self)
{
  if (HEARTH_IS_OPENAI_PROVIDER (self))
    return HEARTH_API_OPENAI;
  if (HEARTH_IS_ANTHROPIC_PROVIDER (self))
    return HEARTH_API_ANTHROPIC;
  return HEARTH_API_OLLAMA;
}

/* Returns: what to call the server in a sentence: "Ollama" */
const char *
hearth_provider_get_server_kind (HearthProvider *self)
{
  g_return_val_if_fail (HEARTH_IS_PROVIDER (self), NULL);
  return HEARTH_PROVIDER_GET_CLASS (self)->server_kind;
}

HearthProviderFeatures
hearth_provider_get_features (HearthProvider *self)
{
  HearthProviderClass *klass;
  HearthProviderFeatures features = 0;

  g_return_val_if_fail (HEARTH_IS_PROVIDER (self), 0);

  klass = HEARTH_PROVIDER_GET_CLASS (self);
  if (klass->show_async != NULL)
    features |= HEARTH_PROVIDER_CAN_SHOW;
  if (klass->pull_async != NULL)
    features |= HEARTH_PROVIDER_CAN_PULL;
  if (klass->delete_async != NULL)
    features |= HEARTH_PROVIDER_CAN_DELETE;
  if (klass->list_loaded_async != NULL)
    features |= HEARTH_PROVIDER_CAN_LIST_LOADED;
  if (klass->unload_async != NULL)
    features |= HEARTH_PROVIDER_CAN_UNLOAD;
  if (klass->version_async != NULL)
    features |= HEARTH_PROVIDER_CAN_VERSION;
  if (klass->load_async != NULL)
    features |= HEARTH_PROVIDER_CAN_LOAD;
  return features;
}

/**
 * hearth_provider_canonical_model_name:
 *
 * One name for one model in the history, the metrics and the cache key:
 * to Ollama "tiny" is "tiny:latest".
 *
 * Returns: (transfer full) (nullable): the name the server means
 */
char *
hearth_provider_canonical_model_name (HearthProvider *self,
                                      const char     *name)
{
  HearthProviderClass *klass;

  g_return_val_if_fail (HEARTH_IS_PROVIDER (self), NULL);

  klass = HEARTH_PROVIDER_GET_CLASS (self);
  if (name == NULL || *name == '\0' || klass->canonical_model_name == NULL)
    return g_strdup (name);
  return klass->canonical_model_name (self, name);
}

const char *
hearth_provider_get_endpoint (HearthProvider *self)
{
  HearthProviderPrivate *priv = hearth_provider_get_instance_private (self);

  return priv->endpoint;
}

SoupSession *
hearth_provider_get_session (HearthProvider *self)
{
  HearthProviderPrivate *priv = hearth_provider_get_instance_private (self);

  return priv->session;
}

/* Kept in memory only; it comes from the Secret Service or the environment.
 * A key no header can carry is not kept: requests fail with what is wrong,
 * naming @origin, instead of going out without it. */
static void
accept_key (HearthProvider *self,
            const char     *key,
            const char     *origin)
{
  HearthProviderPrivate *priv = hearth_provider_get_instance_private (self);

  g_clear_pointer (&priv->api_key, hearth_secrets_free);
  g_clear_error (&priv->key_error);
  priv->api_key_loaded = TRUE;
  if (key == NULL || *key == '\0')
    return;
  if (hearth_secrets_check_key (key, origin, &priv->key_error))
    priv->api_key = g_strdup (key);
}

void
hearth_provider_set_api_key (HearthProvider *self,
                             const char     *api_key)
{
  accept_key (self, api_key, _("The API key"));
}

static void
api_key_looked_up_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HearthProvider *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  char *key = hearth_secrets_lookup_finish (result, &error);

  /* No keyring, or no key for this server: the server may not need one. */
  if (error != NULL)
    g_debug ("No API key for %s: %s", hearth_provider_get_endpoint (self), error->message);
  if (key != NULL)
    accept_key (self, key, _("The API key stored in the keyring for this server"));
  hearth_secrets_free (key);
  g_task_return_boolean (task, TRUE);
}

/* The environment's key for this server, as those ecosystems name it
 * (HEARTH_API_KEY first, then OPENAI_API_KEY or ANTHROPIC_API_KEY by the
 * server's API); @name is set to the variable's name. */
static const char *
environment_key (HearthProvider  *self,
                 const char     **name)
{
  const char *key = g_getenv ("HEARTH_API_KEY");
  const char *var = "HEARTH_API_KEY";
  HearthApiKind api = hearth_provider_get_api (self);

  if ((key == NULL || *key == '\0') && api == HEARTH_API_OPENAI)
    {
      key = g_getenv ("OPENAI_API_KEY");
      var = "OPENAI_API_KEY";
    }
  else if ((key == NULL || *key == '\0') && api == HEARTH_API_ANTHROPIC)
    {
      key = g_getenv ("ANTHROPIC_API_KEY");
      var = "ANTHROPIC_API_KEY";
    }
  if (name != NULL)
    *name = var;
  return key != NULL && *key != '\0' ? key : NULL;
}

/* Takes the environment's key, when there is one and none is loaded yet. */
static gboolean
accept_environment_key (HearthProvider *self)
{
  HearthProviderPrivate *priv = hearth_provider_get_instance_private (self);
  const char *name = NULL;
  const char *env = environment_key (self, &name);

  if (priv->api_key_loaded || env == NULL)
    return priv->api_key_loaded;
  accept_key (self, env, name);
  return TRUE;
}

/**
 * hearth_provider_load_api_key_async:
 *
 * The key for this server, once, by the one rule both front ends follow:
 * HEARTH_API_KEY, then OPENAI_API_KEY for an OpenAI-compatible server or
 * ANTHROPIC_API_KEY for Anthropic's, then the Secret Service. Requests load it themselves; calling this first only
 * moves the keyring's wait earlier.
 */
void
hearth_provider_load_api_key_async (HearthProvider      *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  HearthProviderPrivate *priv = hearth_provider_get_instance_private (self);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, hearth_provider_load_api_key_async);
  if (accept_environment_key (self))
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  priv->api_key_loaded = TRUE;
  hearth_secrets_lookup_async (priv->endpoint, cancellable, api_key_looked_up_cb, task);
}

/* Runs @then once the key is known (at once when it already is), or @fail
 * when the key found cannot be sent. */
typedef struct
{
  GFunc       then;
  KeyFailFunc fail;
  gpointer    data;
} KeyWait;

static void
run_with_key (HearthProvider *self,
              GFunc           then,
              KeyFailFunc     fail,
              gpointer        data)
{
  HearthProviderPrivate *priv = hearth_provider_get_instance_private (self);

  if (priv->key_error != NULL)
    fail (data, priv->key_error);
  else
    then (self, data);
}

static void
key_loaded_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  KeyWait *wait = user_data;

  hearth_provider_load_api_key_finish (HEARTH_PROVIDER (object), result);
  run_with_key (HEARTH_PROVIDER (object), wait->then, wait->fail, wait->data);
  g_free (wait);
}

void
_hearth_provider_with_api_key (HearthProvider *self,
                               GFunc           then,
                               KeyFailFunc     fail,
                               gpointer        data)
{
  KeyWait *wait;

  if (accept_environment_key (self))
    {
      run_with_key (self, then, fail, data);
      return;
    }
  wait = g_new0 (KeyWait, 1);
  wait->then = then;
  wait->fail = fail;
  wait->data = data;
  hearth_provider_load_api_key_async (self, NULL, key_loaded_cb, wait);
}

void
hearth_provider_load_api_key_finish (HearthProvider *self,
                                     GAsyncResult   *result)
{
  g_task_propagate_boolean (G_TASK (result), NULL);
}

char *
hearth_provider_build_url (HearthProvider *self,
                           const char     *path)
{
  HearthProviderPrivate *priv = hearth_provider_get_instance_private (self);

  return g_strconcat (priv->endpoint, path, NULL);
}

SoupMessage *
hearth_provider_new_message (HearthProvider *self,
                             const char     *method,
                             const char     *path,
                             JsonNode       *body)
{
  HearthProviderPrivate *priv = hearth_provider_get_instance_private (self);
  g_autofree char *url = hearth_provider_build_url (self, path);
  SoupMessage *message = hearth_http_new_json_message (method, url, body);
  const char *key = priv->api_key != NULL && *priv->api_key != '\0' ? priv->api_key : NULL;

  HEARTH_PROVIDER_GET_CLASS (self)->add_headers (self, soup_message_get_request_headers (message),
                                                 key);
  return message;
}

/* Streaming a chat reply: a fixed buffer, fed to the incremental parser. */

typedef struct
{
  HearthProvider     *provider;
  HearthReply        *reply;
  HearthChatRequest  *request;
  HearthStreamParser *parser;
  GInputStream       *stream;
  GSource            *source;
  guint               guard_id;      /* READ_GUARD_MS */
  gint64              last_read_us;  /* when a slice was last read */
  HearthServerFigures figures;
  gboolean            done;
  HearthChatStartFailed on_start_failed;
  gpointer            start_failed_data;
  guint8              buffer[READ_SIZE];
} ChatData;

static void
chat_data_free (ChatData *data)
{
  g_clear_object (&data->provider);
  g_clear_object (&data->reply);
  g_clear_pointer (&data->parser, hearth_stream_parser_free);
  g_clear_object (&data->stream);
  g_clear_pointer (&data->source, g_source_unref);
  g_clear_handle_id (&data->guard_id, g_source_remove);
  hearth_server_figures_clear (&data->figures);
  g_free (data);
}

static void
on_parser_delta (const char *content,
                 const char *thinking,
                 gpointer    user_data)
{
  ChatData *data = user_data;

  hearth_reply_append (data->reply, content, thinking);
}

static void
on_parser_done (const HearthServerFigures *figures,
                gpointer                   user_data)
{
  ChatData *data = user_data;

  hearth_server_figures_copy (&data->figures, figures);
  data->done = TRUE;
}

static const HearthStreamCallbacks parser_callbacks = {
  on_parser_delta,
  on_parser_done,
};

/* A request that failed before its first token (and was not cancelled)
 * goes to the caller's hook, which may send it elsewhere; any other
 * failure fails the reply. */
static void
chat_fail (ChatData     *data,
           const GError *error)
{
  if (data->on_start_failed != NULL && !hearth_reply_has_text (data->reply) &&
      !hearth_error_is_cancelled (error) &&
      !g_cancellable_is_cancelled (hearth_reply_get_cancellable (data->reply)))
    data->on_start_failed (data->reply, error, data->start_failed_data);
  else
    hearth_reply_fail (data->reply, error);
}

static void
chat_finish (ChatData *data,
             GError   *error)
{
  if (error != NULL)
    {
      chat_fail (data, error);
      g_error_free (error);
    }
  else
    {
      hearth_reply_complete (data->reply, &data->figures);
    }
  if (data->source != NULL)
    g_source_destroy (data->source);
  g_input_stream_close_async (data->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  chat_data_free (data);
}

/* Returns FALSE once the reply is finished (and @data freed). */
static gboolean
handle_read (ChatData *data,
             gssize    n_read,
             GError   *io_error)
{
  GError *error = NULL;

  if (n_read < 0)
    {
      chat_finish (data, hearth_error_from_io (io_error,
                                               hearth_provider_get_endpoint (data->provider)));
      g_error_free (io_error);
      return FALSE;
    }
  if (n_read == 0)
    {
      hearth_stream_parser_finish (data->parser, &error);
      chat_finish (data, error);
      return FALSE;
    }
  if (!hearth_stream_parser_feed (data->parser, (const char *) data->buffer, n_read, &error))
    {
      chat_finish (data, error);
      return FALSE;
    }
  return TRUE;
}

/* Drains what has arrived, then gives the reply one update for all of it:
 * one signal per wake-up, however many tokens the server sent meanwhile. */
/* Returns FALSE once the reply is finished (and @data freed). */
static gboolean
read_slice (ChatData *data)
{
  GObject *pollable = G_OBJECT (data->stream);
  GCancellable *cancellable = hearth_reply_get_cancellable (data->reply);
  gint64 started = g_get_monotonic_time ();

  data->last_read_us = started;

  for (guint i = 0; i < MAX_READS_PER_WAKEUP; i++)
    {
      GError *error = NULL;
      gssize n_read;

      n_read = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (pollable),
                                                         data->buffer, sizeof data->buffer,
                                                         cancellable, &error);
      if (n_read < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_error_free (error);
          break;
        }
      if (!handle_read (data, n_read, error))
        return FALSE;
      if (g_get_monotonic_time () - started > READ_SLICE_US)
        break;
    }
  hearth_reply_flush (data->reply);
  return TRUE;
}

static gboolean
chat_readable_cb (GObject  *pollable,
                  gpointer  user_data)
{
  return read_slice (user_data) ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
read_guard_cb (gpointer user_data)
{
  ChatData *data = user_data;

  if (g_get_monotonic_time () - data->last_read_us < READ_GUARD_MS * 1000)
    return G_SOURCE_CONTINUE;
  /* Finished: chat_data_free () removed this source already. */
  return read_slice (data) ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void read_next (ChatData *data);

static void
chat_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ChatData *data = user_data;
  GError *error = NULL;
  gssize n_read = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);

  if (!handle_read (data, n_read, error))
    return;
  hearth_reply_flush (data->reply);
  read_next (data);
}

static void
read_next (ChatData *data)
{
  g_input_stream_read_async (data->stream, data->buffer, sizeof data->buffer,
                             G_PRIORITY_DEFAULT, hearth_reply_get_cancellable (data->reply),
                             chat_read_cb, data);
}

static void
chat_send_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ChatData *data = user_data;
  GError *error = NULL;
  HearthProviderClass *klass = HEARTH_PROVIDER_GET_CLASS (data->provider);

  data->stream = hearth_http_send_finish (result, NULL, &error);
  if (data->stream == NULL)
    {
      chat_fail (data, error);
      g_error_free (error);
      chat_data_free (data);
      return;
    }
  data->parser = hearth_stream_parser_new (klass->chat_format, &parser_callbacks, data);

  if (G_IS_POLLABLE_INPUT_STREAM (data->stream) &&
      g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (data->stream)))
    {
      data->source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (data->stream),
                                                            hearth_reply_get_cancellable (data->reply));
      g_source_set_callback (data->source, (GSourceFunc) chat_readable_cb, data, NULL);
      g_source_set_priority (data->source, READ_PRIORITY);
      g_source_attach (data->source, g_main_context_get_thread_default ());
      data->last_read_us = g_get_monotonic_time ();
      data->guard_id = g_timeout_add (READ_GUARD_MS, read_guard_cb, data);
    }
  else
    {
      read_next (data);
    }
}

static SoupMessage *
build_chat_message (gpointer user_data)
{
  ChatData *data = user_data;

  return HEARTH_PROVIDER_GET_CLASS (data->provider)->build_chat_message (data->provider,
                                                                          data->request);
}

static void
chat_send (gpointer source,
           gpointer user_data)
{
  ChatData *data = user_data;
  HearthProvider *self = data->provider;

  hearth_http_send_async (hearth_provider_get_session (self), build_chat_message, data, NULL,
                          hearth_provider_get_endpoint (self), data->request->model, data->reply,
                          hearth_reply_get_cancellable (data->reply), chat_send_cb, data);
}

static void
chat_key_failed (gpointer      user_data,
                 const GError *error)
{
  ChatData *data = user_data;

  chat_fail (data, error);
  chat_data_free (data);
}

/* Drives @reply until it is finished; cancel through hearth_reply_cancel(). */
void
hearth_provider_chat (HearthProvider          *self,
                      const HearthChatRequest *request,
                      HearthReply             *reply)
{
  hearth_provider_chat_full (self, request, reply, NULL, NULL);
}

/* Senders (hearth_chat_sender_set ()) */

#define SENDER_KEY "hearth-chat-sender"

typedef struct
{
  HearthChatSendFunc func;
  gpointer           user_data;
  GDestroyNotify     destroy;
} Sender;

static void
sender_clear (gpointer data)
{
  Sender *sender = data;

  if (sender->destroy != NULL)
    sender->destroy (sender->user_data);
}

static void
sender_release (gpointer data)
{
  g_atomic_rc_box_release_full (data, sender_clear);
}

void
hearth_chat_sender_set (GObject            *owner,
                        HearthChatSendFunc  func,
                        gpointer            user_data,
                        GDestroyNotify      destroy)
{
  Sender *sender;

  g_return_if_fail (G_IS_OBJECT (owner));

  if (func == NULL)
    {
      g_object_set_data (owner, SENDER_KEY, NULL);
      return;
    }
  sender = g_atomic_rc_box_new0 (Sender);
  sender->func = func;
  sender->user_data = user_data;
  sender->destroy = destroy;
  g_object_set_data_full (owner, SENDER_KEY, sender, sender_release);
}

void
hearth_chat_sender_copy (GObject *from,
                         GObject *to)
{
  Sender *sender = g_object_get_data (from, SENDER_KEY);

  g_return_if_fail (G_IS_OBJECT (to));

  if (sender == NULL)
    g_object_set_data (to, SENDER_KEY, NULL);
  else
    g_object_set_data_full (to, SENDER_KEY, g_atomic_rc_box_acquire (sender), sender_release);
}

void
hearth_chat_sender_send (GObject                 *owner,
                         HearthProvider          *provider,
                         const HearthChatRequest *request,
                         HearthReply             *reply)
{
  Sender *sender = g_object_get_data (owner, SENDER_KEY);

  if (sender == NULL)
    hearth_provider_chat (provider, request, reply);
  else
    sender->func (provider, request, reply, sender->user_data);
}

/**
 * hearth_provider_chat_full:
 * @on_start_failed: (nullable): called instead of failing @reply when the
 *   request fails before the first token (the key, the send, an error
 *   status, an error in the stream or its end before any text) and was
 *   not cancelled
 *
 * As hearth_provider_chat (), with a chance to send the request elsewhere.
 * @request must stay alive until @reply finishes or @on_start_failed runs.
 */
void
hearth_provider_chat_full (HearthProvider          *self,
                           const HearthChatRequest *request,
                           HearthReply             *reply,
                           HearthChatStartFailed    on_start_failed,
                           gpointer                 user_data)
{
  ChatData *data;

  g_return_if_fail (HEARTH_IS_PROVIDER (self));
  g_return_if_fail (request != NULL && request->model != NULL);
  g_return_if_fail (HEARTH_IS_REPLY (reply));

  data = g_new0 (ChatData, 1);
  data->provider = g_object_ref (self);
  data->reply = g_object_ref (reply);
  data->request = (HearthChatRequest *) request;
  data->on_start_failed = on_start_failed;
  data->start_failed_data = user_data;
  hearth_server_figures_init (&data->figures);
  hearth_reply_set_model (reply, request->model);
  _hearth_provider_with_api_key (self, chat_send, chat_key_failed, data);
}

/* JSON requests */

typedef struct
{
  HearthProvider *provider;
  char           *method;
  char           *path;
  JsonNode       *body;
} JsonRequest;

static void
json_request_free (JsonRequest *request)
{
  g_clear_object (&request->provider);
  g_free (request->method);
  g_free (request->path);
  g_clear_pointer (&request->body, json_node_unref);
  g_free (request);
}

static SoupMessage *
build_json_message (gpointer user_data)
{
  JsonRequest *request = user_data;

  return hearth_provider_new_message (request->provider, request->method, request->path,
                                      request->body);
}

typedef struct
{
  JsonRequest         *request;
  char                *model;
  GCancellable        *cancellable;
  GAsyncReadyCallback  callback;
  gpointer             user_data;
} JsonSend;

/* The request goes with it unless it was handed on to be sent. */
static void
json_send_free (JsonSend *send,
                gboolean  with_request)
{
  if (with_request)
    json_request_free (send->request);
  g_free (send->model);
  g_clear_object (&send->cancellable);
  g_free (send);
}

static void
json_send (gpointer source,
           gpointer user_data)
{
  JsonSend *send = user_data;
  HearthProvider *self = send->request->provider;

  hearth_http_get_json_async (hearth_provider_get_session (self), build_json_message,
                              send->request, (GDestroyNotify) json_request_free,
                              hearth_provider_get_endpoint (self), send->model,
                              send->cancellable, send->callback, send->user_data);
  json_send_free (send, FALSE);
}

static void
json_key_failed (gpointer      user_data,
                 const GError *error)
{
  JsonSend *send = user_data;
  /* the same source object as hearth_http_get_json_async()'s tasks */
  GTask *task = g_task_new (hearth_provider_get_session (send->request->provider),
                            send->cancellable, send->callback, send->user_data);

  g_task_return_error (task, g_error_copy (error));
  g_object_unref (task);
  json_send_free (send, TRUE);
}

void
hearth_provider_request_json_async (HearthProvider      *self,
                                    const char          *method,
                                    const char          *path,
                                    JsonNode            *body,
                                    const char          *model,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  JsonRequest *request = g_new0 (JsonRequest, 1);
  JsonSend *send = g_new0 (JsonSend, 1);

  request->provider = g_object_ref (self);
  request->method = g_strdup (method);
  request->path = g_strdup (path);
  request->body = body ? json_node_ref (body) : NULL;
  send->request = request;
  send->model = g_strdup (model);
  send->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  send->callback = callback;
  send->user_data = user_data;
  _hearth_provider_with_api_key (self, json_send, json_key_failed, send);
}

JsonNode *
hearth_provider_request_json_finish (HearthProvider  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  return hearth_http_get_json_finish (result, error);
}

static void
list_models_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HearthProvider *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr(JsonNode) root = hearth_http_get_json_finish (result, &error);
  GPtrArray *models;

  if (root == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  models = HEARTH_PROVIDER_GET_CLASS (self)->parse_models (self, root, &error);
  if (models == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, models, (GDestroyNotify) g_ptr_array_unref);
}

void
hearth_provider_list_models_async (HearthProvider      *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (HEARTH_IS_PROVIDER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_provider_list_models_async);
  hearth_provider_request_json_async (self, "GET",
                                      HEARTH_PROVIDER_GET_CLASS (self)->get_models_path (self),
                                      NULL, NULL, cancellable, list_models_cb, task);
}

/* Returns: (transfer container) (element-type HearthModelInfo) */
GPtrArray *
hearth_provider_list_models_finish (HearthProvider  *self,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

GPtrArray *
_hearth_provider_parse_model_list (HearthProvider  *self,
                                   JsonNode        *root,
                                   const char      *family_member,
                                   const char      *speaks,
                                   GError         **error)
{
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_model_info_free);
  JsonObject *object;
  JsonArray *array;

  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member ((object = json_node_get_object (root)), "data") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "data")))
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_MALFORMED_STREAM,
                   _("The server at %s did not answer like %s (no model list)"),
                   hearth_provider_get_endpoint (self), speaks);
      return NULL;
    }

  array = json_object_get_array_member (object, "data");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *id;
      const char *family = NULL;
      HearthModelInfo *info;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      id = hearth_json_get_string (json_node_get_object (node), "id");
      if (id == NULL || *id == '\0')
        continue;
      if (family_member != NULL)
        family = hearth_json_get_string (json_node_get_object (node), family_member);
      info = g_new0 (HearthModelInfo, 1);
      info->name = g_strdup (id);
      if (family != NULL && g_utf8_validate (family, -1, NULL))
        info->family = g_strdup (family);
      info->size = -1;
      g_ptr_array_add (models, info);
    }
  return g_steal_pointer (&models);
}
