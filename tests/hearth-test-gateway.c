/* hearth-test-gateway.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sys/prctl.h>

#include "hearth-endpoint.h"
#include "hearth-test-util.h"
#include "hearth-test-gateway.h"

HearthTestGateway *
hearth_test_gateway_new (void)
{
  g_autofree char *conf = g_build_filename (g_get_user_config_dir (), "hearth", "servers.conf",
                                            NULL);
  HearthTestGateway *gw = g_new0 (HearthTestGateway, 1);

  gw->settings = hearth_settings_try_new ();
  g_assert_nonnull (gw->settings);
  g_settings_reset (gw->settings, "endpoint");
  g_settings_reset (gw->settings, "api-kind");
  g_remove (conf);
  gw->engine = hearth_engine_new_for_settings (gw->settings, HEARTH_ENGINE_HISTORY);
  gw->servers = hearth_engine_get_servers (gw->engine);
  gw->gateway = hearth_engine_get_gateway (gw->engine);
  return gw;
}

void
hearth_test_gateway_add_server (HearthTestGateway *gw,
                                const char        *name,
                                const char        *url,
                                guint              concurrency,
                                guint              bound)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) old = g_ptr_array_new_with_free_func (g_free);
  GListModel *list = G_LIST_MODEL (gw->servers);

  /* The server migrated from the settings goes once the first real one is there. */
  for (guint i = 0; gw->n_added == 0 && i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (list, i);

      g_ptr_array_add (old, g_strdup (hearth_server_get_name (server)));
    }
  g_assert_nonnull (hearth_servers_add (gw->servers, name, url, HEARTH_API_OLLAMA, FALSE, NULL,
                                        &error));
  g_assert_no_error (error);
  gw->n_added++;
  for (guint i = 0; i < old->len; i++)
    {
      hearth_servers_remove (gw->servers, old->pdata[i], &error);
      g_assert_no_error (error);
    }
  if (concurrency > 0 || bound > 0)
    {
      hearth_servers_set_queue_limits (gw->servers, name, concurrency, bound, &error);
      g_assert_no_error (error);
    }
}

guint
hearth_test_gateway_waiting_api (HearthTestGateway *gw,
                                 const char        *name,
                                 guint             *running)
{
  g_autoptr(GPtrArray) queues = hearth_engine_list_queues (gw->engine);

  if (running != NULL)
    *running = 0;
  for (guint i = 0; queues != NULL && i < queues->len; i++)
    {
      HearthQueueStatus *status = queues->pdata[i];

      if (g_strcmp0 (status->server, name) == 0)
        {
          if (running != NULL)
            *running = status->running;
          return status->waiting_api;
        }
    }
  return 0;
}

void
hearth_test_gateway_start (HearthTestGateway *gw)
{
  g_autoptr(GError) error = NULL;

  hearth_gateway_start (gw->gateway, "127.0.0.1:0", NULL, &error);
  g_assert_no_error (error);
  gw->url = hearth_gateway_get_url (gw->gateway);
  g_assert_nonnull (gw->url);
  g_assert_true (g_str_has_prefix (gw->url, "http://127.0.0.1:"));
}

void
hearth_test_gateway_free (HearthTestGateway *gw)
{
  if (gw == NULL)
    return;
  hearth_engine_shutdown (gw->engine);
  g_clear_object (&gw->engine);
  g_clear_object (&gw->settings);
  g_free (gw);
}

static gboolean
check_flag (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

void
hearth_test_gateway_wait_for (gboolean *flag)
{
  /* A slow tick so that the loop never sleeps past a flag set by an idle. */
  guint tick = g_timeout_add (50, check_flag, NULL);

  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
}

/* The streaming client */

typedef struct
{
  HearthTestStream     *stream;
  SoupMessage          *msg;
  GDataInputStream     *lines;
  HearthTestStreamDone  done;
  gpointer              user_data;
} Pending;

SoupSession *
hearth_test_stream_session (void)
{
  return soup_session_new_with_options ("max-conns", 1024,
                                        "max-conns-per-host", 1024,
                                        "user-agent", "hearth-test-client/1.0",
                                        "timeout", 120,
                                        NULL);
}

void
hearth_test_stream_free (HearthTestStream *stream)
{
  if (stream == NULL)
    return;
  g_free (stream->prompt);
  g_free (stream->retry_after);
  g_free (stream->server);
  g_string_free (stream->text, TRUE);
  g_string_free (stream->body, TRUE);
  g_free (stream->error);
  g_clear_object (&stream->cancellable);
  g_free (stream);
}

void
hearth_test_stream_cancel (HearthTestStream *stream)
{
  g_cancellable_cancel (stream->cancellable);
}

static void
pending_finish (Pending    *pending,
                const char *error)
{
  HearthTestStream *stream = pending->stream;

  if (error != NULL && stream->error == NULL)
    stream->error = g_strdup (error);
  stream->end_us = g_get_monotonic_time ();
  stream->finished = TRUE;
  if (pending->done != NULL)
    pending->done (stream, pending->user_data);
  g_clear_object (&pending->lines);
  g_clear_object (&pending->msg);
  g_free (pending);
}

static void
add_text (HearthTestStream *stream,
          const char       *piece)
{
  if (piece == NULL || *piece == '\0')
    return;
  if (stream->first_us == 0)
    stream->first_us = g_get_monotonic_time ();
  stream->chunks++;
  g_string_append (stream->text, piece);
}

/* @name's object or array, or NULL (json-glib's getters warn on a missing one). */
static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
member_array (JsonObject *object,
              const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* One line of the stream. */
static void
take_line (HearthTestStream *stream,
           const char       *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  if (*line == '\0')
    return;
  stream->lines++;
  if (stream->done)
    {
      stream->after_done++;
      return;
    }
  if (stream->protocol == HEARTH_TEST_PROTOCOL_OPENAI)
    {
      if (!g_str_has_prefix (line, "data: "))
        return;   /* comments, event: lines */
      line += strlen ("data: ");
      if (g_str_equal (line, "[DONE]"))
        {
          stream->done = TRUE;
          return;
        }
    }
  if (!json_parser_load_from_data (parser, line, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      if (stream->error == NULL)
        stream->error = g_strdup_printf ("not JSON: %s", line);
      return;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  if (json_object_has_member (object, "error"))
    {
      if (stream->error == NULL)
        stream->error = g_strdup_printf ("error in the stream: %s", line);
      return;
    }
  if (stream->protocol == HEARTH_TEST_PROTOCOL_OLLAMA)
    {
      JsonObject *message = member_object (object, "message");

      if (message != NULL)
        add_text (stream, json_object_get_string_member_with_default (message, "content", NULL));
      if (json_object_get_boolean_member_with_default (object, "done", FALSE))
        {
          stream->done = TRUE;
          stream->eval_count = json_object_get_int_member_with_default (object, "eval_count", -1);
        }
    }
  else
    {
      JsonArray *choices = member_array (object, "choices");
      JsonObject *usage = member_object (object, "usage");

      if (usage != NULL)
        stream->eval_count = json_object_get_int_member_with_default (usage, "completion_tokens",
                                                                      -1);
      if (choices != NULL && json_array_get_length (choices) > 0)
        {
          JsonObject *delta = member_object (json_array_get_object_element (choices, 0), "delta");

          if (delta != NULL)
            add_text (stream, json_object_get_string_member_with_default (delta, "content", NULL));
        }
    }
}

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Pending *pending = user_data;
  g_autoptr(GError) error = NULL;
  gsize length;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (pending->lines, result,
                                                                     &length, &error);

  if (error != NULL)
    {
      pending_finish (pending, error->message);
      return;
    }
  if (line == NULL)
    {
      pending_finish (pending, NULL);
      return;
    }
  if (pending->stream->status == SOUP_STATUS_OK)
    take_line (pending->stream, line);
  else
    {
      g_string_append (pending->stream->body, line);
      g_string_append_c (pending->stream->body, '\n');
    }
  g_data_input_stream_read_line_async (pending->lines, G_PRIORITY_DEFAULT,
                                       pending->stream->cancellable, on_line, pending);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Pending *pending = user_data;
  HearthTestStream *stream = pending->stream;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) body = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  SoupMessageHeaders *headers;

  if (body == NULL)
    {
      pending_finish (pending, error->message);
      return;
    }
  stream->status = soup_message_get_status (pending->msg);
  headers = soup_message_get_response_headers (pending->msg);
  stream->retry_after = g_strdup (soup_message_headers_get_one (headers, "Retry-After"));
  stream->server = g_strdup (soup_message_headers_get_one (headers, "X-Hearth-Server"));
  pending->lines = g_data_input_stream_new (body);
  g_data_input_stream_set_newline_type (pending->lines, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  g_data_input_stream_read_line_async (pending->lines, G_PRIORITY_DEFAULT, stream->cancellable,
                                       on_line, pending);
}

HearthTestStream *
hearth_test_stream_start (SoupSession          *session,
                          const char           *base_url,
                          HearthTestProtocol    protocol,
                          const char           *model,
                          const char           *prompt,
                          gint                  num_predict,
                          HearthTestStreamDone  done,
                          gpointer              user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *url = NULL;
  g_autofree char *json = NULL;
  HearthTestStream *stream = g_new0 (HearthTestStream, 1);
  Pending *pending = g_new0 (Pending, 1);

  stream->protocol = protocol;
  stream->prompt = g_strdup (prompt);
  stream->text = g_string_new (NULL);
  stream->body = g_string_new (NULL);
  stream->cancellable = g_cancellable_new ();
  stream->eval_count = -1;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, model);
  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, "user");
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, prompt);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  if (protocol == HEARTH_TEST_PROTOCOL_OLLAMA)
    {
      json_builder_set_member_name (builder, "options");
      json_builder_begin_object (builder);
      if (num_predict >= 0)
        {
          json_builder_set_member_name (builder, "num_predict");
          json_builder_add_int_value (builder, num_predict);
        }
      json_builder_set_member_name (builder, "seed");
      json_builder_add_int_value (builder, 7);
      json_builder_end_object (builder);
    }
  else
    {
      if (num_predict >= 0)
        {
          json_builder_set_member_name (builder, "max_tokens");
          json_builder_add_int_value (builder, num_predict);
        }
      json_builder_set_member_name (builder, "seed");
      json_builder_add_int_value (builder, 7);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json = json_to_string (root, FALSE);

  url = g_strconcat (base_url, protocol == HEARTH_TEST_PROTOCOL_OLLAMA ? "/api/chat"
                                                                       : "/v1/chat/completions",
                     NULL);
  pending->stream = stream;
  pending->done = done;
  pending->user_data = user_data;
  pending->msg = soup_message_new ("POST", url);
  g_assert_nonnull (pending->msg);
  {
    gsize length = strlen (json);
    g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&json), length);

    soup_message_set_request_body_from_bytes (pending->msg, "application/json", bytes);
  }
  stream->sent_us = g_get_monotonic_time ();
  soup_session_send_async (session, pending->msg, G_PRIORITY_DEFAULT, stream->cancellable,
                           on_sent, pending);
  return stream;
}

/* hearth-cli serve */

struct _HearthTestServe
{
  GSubprocess *process;
  char        *url;
  char        *out_path;
  char        *err_path;
};

static guint
free_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &effective, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
}

static void
serve_die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static char *
read_file_or_empty (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

static gboolean
serve_answers (const char *url)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 2, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);

  return body != NULL && soup_message_get_status (msg) == SOUP_STATUS_OK &&
         g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                       "Ollama is running") != NULL;
}

HearthTestServe *
hearth_test_serve_start (const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  HearthTestServe *serve = g_new0 (HearthTestServe, 1);
  static guint counter;
  guint port = free_port ();
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  g_autofree char *out_name = g_strdup_printf ("serve-%u.out", ++counter);
  g_autofree char *err_name = g_strdup_printf ("serve-%u.err", counter);

  serve->out_path = hearth_test_build_tmp_path (out_name, NULL);
  serve->err_path = hearth_test_build_tmp_path (err_name, NULL);
  serve->url = g_strdup_printf ("http://127.0.0.1:%u", port);
  g_ptr_array_add (argv, g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "src", "hearth-cli",
                                           NULL));
  g_ptr_array_add (argv, g_strdup ("serve"));
  g_ptr_array_add (argv, g_strdup ("--listen"));
  g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u", port));
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_stdout_file_path (launcher, serve->out_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, serve->err_path);
  g_subprocess_launcher_set_child_setup (launcher, serve_die_with_parent, NULL, NULL);
  serve->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                                 &error);
  g_assert_no_error (error);

  while (!serve_answers (serve->url))
    {
      if (g_subprocess_get_identifier (serve->process) == NULL ||
          g_get_monotonic_time () > deadline)
        {
          g_autofree char *said = hearth_test_serve_stop (serve);

          g_error ("hearth-cli serve did not answer on %s: %s", serve->url, said);
        }
      g_usleep (50 * 1000);
      /* Reaps it if it exited. */
      g_main_context_iteration (NULL, FALSE);
    }
  return serve;
}

const char *
hearth_test_serve_get_url (HearthTestServe *serve)
{
  return serve->url;
}

char *
hearth_test_serve_stop (HearthTestServe *serve)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (serve->process != NULL)
    {
      g_subprocess_send_signal (serve->process, SIGTERM);
      g_subprocess_wait (serve->process, NULL, NULL);
      g_clear_object (&serve->process);
    }
  out = read_file_or_empty (serve->out_path);
  err = read_file_or_empty (serve->err_path);
  return g_strconcat (out, err, NULL);
}

void
hearth_test_serve_free (HearthTestServe *serve)
{
  if (serve == NULL)
    return;
  g_free (hearth_test_serve_stop (serve));
  g_free (serve->url);
  g_free (serve->out_path);
  g_free (serve->err_path);
  g_free (serve);
}

GPtrArray *
hearth_test_engine_log_prompts (const char *log,
                                guint      *n_closed)
{
  g_auto(GStrv) lines = g_strsplit (log, "\n", -1);
  GPtrArray *prompts = g_ptr_array_new_with_free_func (g_free);

  if (n_closed != NULL)
    *n_closed = 0;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object;
      const char *event;

      if (*lines[i] == '\0' || !json_parser_load_from_data (parser, lines[i], -1, NULL) ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        continue;
      object = json_node_get_object (json_parser_get_root (parser));
      event = json_object_get_string_member_with_default (object, "event", "");
      if (g_str_equal (event, "request") &&
          json_object_has_member (object, "prompt"))
        g_ptr_array_add (prompts,
                         g_strdup (json_object_get_string_member_with_default (object, "prompt",
                                                                               "")));
      else if (g_str_equal (event, "client-closed") && n_closed != NULL)
        (*n_closed)++;
    }
  return prompts;
}
