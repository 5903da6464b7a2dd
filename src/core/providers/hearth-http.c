/* hearth-http.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-http"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hearth-error.h"
#include "hearth-json.h"
#include "hearth-http.h"
#include "hearth-reply-private.h"

#define MAX_ERROR_BODY      (64 * 1024)
#define CONNECT_ATTEMPTS    3
#define RATE_LIMIT_ATTEMPTS 4
#define BACKOFF_BASE_MS     250
#define MAX_RETRY_AFTER_S   30

typedef struct
{
  SoupSession         *session;
  HearthHttpBuildFunc  build;
  gpointer             build_data;
  GDestroyNotify       build_data_destroy;
  char                *endpoint;
  char                *model;
  HearthReply         *reply;
  SoupMessage         *message;
  GSource             *wait_source;
  guint                attempt;
} SendData;

static void send_attempt (GTask *task);

static void
send_data_free (SendData *data)
{
  if (data->build_data_destroy != NULL)
    data->build_data_destroy (data->build_data);
  g_clear_object (&data->session);
  g_clear_object (&data->reply);
  g_clear_object (&data->message);
  if (data->wait_source != NULL)
    {
      g_source_destroy (data->wait_source);
      g_source_unref (data->wait_source);
    }
  g_free (data->endpoint);
  g_free (data->model);
  g_free (data);
}

guint
hearth_http_parse_retry_after (const char *value)
{
  guint64 seconds;
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) now = NULL;
  GTimeSpan span;

  if (value == NULL)
    return 0;
  if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &seconds, NULL))
    return (guint) seconds;
  when = soup_date_time_new_from_http_string (value);
  if (when == NULL)
    return 0;
  now = g_date_time_new_now_utc ();
  span = g_date_time_difference (when, now);
  return span > 0 ? (guint) ((span + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC) : 0;
}

/* Exponential, with ±25 % jitter so that many clients don't retry in step. */
static guint
backoff_ms (guint attempt)
{
  double base = BACKOFF_BASE_MS * (double) (1u << MIN (attempt - 1, 6u));

  return (guint) (base * g_random_double_range (0.75, 1.25));
}

static gboolean
retry_now (gpointer user_data)
{
  GTask *task = user_data;
  SendData *data = g_task_get_task_data (task);

  g_clear_pointer (&data->wait_source, g_source_unref);
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }
  send_attempt (task);
  return G_SOURCE_REMOVE;
}

/* The child source only wakes the parent, whose callback does the work. */
static gboolean
wait_cancelled (GCancellable *cancellable,
                gpointer      user_data)
{
  return G_SOURCE_CONTINUE;
}

/**
 * hearth_http_wait_source_new:
 *
 * Calls @callback once, after @delay_ms or as soon as @cancellable is
 * cancelled, whichever comes first (the callback tells them apart), in the
 * thread-default main context.
 *
 * Returns: (transfer full): the attached source
 */
GSource *
hearth_http_wait_source_new (guint         delay_ms,
                             GCancellable *cancellable,
                             GSourceFunc   callback,
                             gpointer      user_data)
{
  GSource *source = g_timeout_source_new (delay_ms);

  if (cancellable != NULL)
    {
      g_autoptr(GSource) cancel_source = g_cancellable_source_new (cancellable);

      g_source_set_callback (cancel_source, (GSourceFunc) wait_cancelled, NULL, NULL);
      g_source_add_child_source (source, cancel_source);
    }
  g_source_set_callback (source, callback, user_data, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

static GQuark
single_attempt_quark (void)
{
  return g_quark_from_static_string ("hearth-http-single-attempt");
}

/**
 * hearth_http_set_single_attempt:
 * @cancellable: the cancellable requests will be sent with
 *
 * Requests sent with @cancellable are tried once: a refused connection or
 * a busy server is not tried again. For probes, whose schedule is their
 * retry: each attempt wakes the program, and an idle Hearth probing a
 * stopped server made three connections (two waits between) a probe.
 */
void
hearth_http_set_single_attempt (GCancellable *cancellable)
{
  g_return_if_fail (G_IS_CANCELLABLE (cancellable));

  g_object_set_qdata (G_OBJECT (cancellable), single_attempt_quark (), GINT_TO_POINTER (TRUE));
}

static gboolean
may_retry (GTask        *task,
           const GError *error)
{
  SendData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  guint limit;

  if (!hearth_error_is_retryable (error))
    return FALSE;
  if (cancellable != NULL && g_object_get_qdata (G_OBJECT (cancellable), single_attempt_quark ()))
    return FALSE;
  limit = g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_CONNECTION_REFUSED)
          ? CONNECT_ATTEMPTS : RATE_LIMIT_ATTEMPTS;
  return data->attempt < limit;
}

/* Takes over the task reference. */
static void
fail_or_retry (GTask  *task,
               GError *error,
               guint   retry_after_s)
{
  SendData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  guint delay_ms;

  if (!may_retry (task, error) || retry_after_s > MAX_RETRY_AFTER_S)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  delay_ms = retry_after_s > 0 ? retry_after_s * 1000 : backoff_ms (data->attempt);
  g_debug ("Retrying %s in %u ms: %s", data->endpoint, delay_ms, error->message);
  g_error_free (error);

  data->wait_source = hearth_http_wait_source_new (delay_ms, cancellable, retry_now, task);
}

static void
error_body_read_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  SendData *data = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, NULL);
  g_autofree char *body = NULL;
  SoupMessageHeaders *headers = soup_message_get_response_headers (data->message);
  guint status = soup_message_get_status (data->message);
  guint retry_after = hearth_http_parse_retry_after (
    soup_message_headers_get_one (headers, "Retry-After"));

  if (bytes != NULL)
    body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_input_stream_close_async (G_INPUT_STREAM (object), G_PRIORITY_DEFAULT, NULL, NULL, NULL);

  fail_or_retry (task, hearth_error_from_http (status, body, data->endpoint, data->model),
                 retry_after);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  SendData *data = g_task_get_task_data (task);
  g_autoptr(GError) io_error = NULL;
  g_autoptr(GInputStream) stream = NULL;
  guint status;

  stream = soup_session_send_finish (SOUP_SESSION (object), result, &io_error);
  if (stream == NULL)
    {
      fail_or_retry (task, hearth_error_from_io (io_error, data->endpoint), 0);
      return;
    }

  status = soup_message_get_status (data->message);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_input_stream_read_bytes_async (stream, MAX_ERROR_BODY, G_PRIORITY_DEFAULT,
                                       g_task_get_cancellable (task),
                                       error_body_read_cb, task);
      return;
    }

  if (data->reply != NULL)
    hearth_reply_mark_headers (data->reply);
  g_task_return_pointer (task, g_steal_pointer (&stream), g_object_unref);
  g_object_unref (task);
}

static void
send_attempt (GTask *task)
{
  SendData *data = g_task_get_task_data (task);

  data->attempt++;
  g_clear_object (&data->message);
  data->message = data->build (data->build_data);
  if (data->reply != NULL)
    {
      hearth_reply_add_attempt (data->reply);
      hearth_reply_mark_sent (data->reply);
    }
  soup_session_send_async (data->session, data->message, G_PRIORITY_DEFAULT,
                           g_task_get_cancellable (task), send_cb, task);
}

/* Sends, retrying refused connections and 429/503 with backoff. Nothing has
 * been streamed when a retry happens, so no text can be duplicated. */
void
hearth_http_send_async (SoupSession         *session,
                        HearthHttpBuildFunc  build,
                        gpointer             build_data,
                        GDestroyNotify       build_data_destroy,
                        const char          *endpoint,
                        const char          *model,
                        HearthReply         *reply,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;
  SendData *data;

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_http_send_async);

  data = g_new0 (SendData, 1);
  data->session = g_object_ref (session);
  data->build = build;
  data->build_data = build_data;
  data->build_data_destroy = build_data_destroy;
  data->endpoint = g_strdup (endpoint);
  data->model = g_strdup (model);
  data->reply = reply ? g_object_ref (reply) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) send_data_free);

  send_attempt (task);
}

GInputStream *
hearth_http_send_finish (GAsyncResult  *result,
                         SoupMessage  **message,
                         GError       **error)
{
  GTask *task = G_TASK (result);
  SendData *data = g_task_get_task_data (task);
  GInputStream *stream = g_task_propagate_pointer (task, error);

  if (message != NULL)
    *message = stream && data->message ? g_object_ref (data->message) : NULL;
  return stream;
}

/**
 * hearth_http_parse_json:
 * @body: a response body
 * @endpoint: the server, for the error message
 *
 * Returns: (transfer full): the body's JSON, or %NULL with @error set
 */
JsonNode *
hearth_http_parse_json (GBytes      *body,
                        const char  *endpoint,
                        GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  /* An empty body (Ollama's answer to a delete) is no JSON, and no crash;
   * a blank one parses, to no root at all. */
  if (g_bytes_get_size (body) == 0 ||
      !hearth_json_parser_load (parser, g_bytes_get_data (body, NULL),
                                g_bytes_get_size (body), NULL) ||
      json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_MALFORMED_STREAM,
                   _("The server at %s did not answer with JSON"), endpoint);
      return NULL;
    }
  return json_node_copy (json_parser_get_root (parser));
}

static void
json_splice_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GOutputStream *out = G_OUTPUT_STREAM (object);
  SendData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  JsonNode *root;

  if (g_output_stream_splice_finish (out, result, &error) < 0)
    {
      g_task_return_error (task, hearth_error_from_io (error, data->endpoint));
      return;
    }
  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  root = hearth_http_parse_json (bytes, data->endpoint, &error);
  if (root == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, root, (GDestroyNotify) json_node_unref);
}

static void
json_send_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = hearth_http_send_finish (result, NULL, &error);
  g_autoptr(GOutputStream) out = NULL;

  if (stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  out = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (out, stream,
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                json_splice_cb, g_object_ref (task));
}

void
hearth_http_get_json_async (SoupSession         *session,
                            HearthHttpBuildFunc  build,
                            gpointer             build_data,
                            GDestroyNotify       build_data_destroy,
                            const char          *endpoint,
                            const char          *model,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SendData *data;

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_http_get_json_async);
  data = g_new0 (SendData, 1);
  data->endpoint = g_strdup (endpoint);
  g_task_set_task_data (task, data, (GDestroyNotify) send_data_free);

  hearth_http_send_async (session, build, build_data, build_data_destroy, endpoint, model,
                          NULL, cancellable, json_send_cb, g_steal_pointer (&task));
}

JsonNode *
hearth_http_get_json_finish (GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

SoupMessage *
hearth_http_new_json_message (const char *method,
                              const char *url,
                              JsonNode   *body)
{
  SoupMessage *message = soup_message_new (method, url);

  g_return_val_if_fail (message != NULL, NULL);

  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "Accept", "application/json, application/x-ndjson, "
                                "text/event-stream");
  if (body != NULL)
    {
      g_autofree char *text = json_to_string (body, FALSE);
      gsize len = strlen (text);
      g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&text), len);

      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }
  return message;
}
