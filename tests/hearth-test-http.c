/* hearth-test-http.c — a client program's side of HTTP in tests: POSTs
 * whose answer is read as it streams, NDJSON lines and server-sent events
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "hearth-test-http.h"
#include "hearth-test-util.h"

void
hearth_test_call_free (HearthTestCall *call)
{
  g_clear_object (&call->msg);
  g_clear_object (&call->stream);
  g_clear_object (&call->cancellable);
  g_string_free (call->body, TRUE);
  g_clear_error (&call->error);
  g_free (call);
}

static void call_read_more (HearthTestCall *call);

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  HearthTestCall *call = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &call->error);

  if (n <= 0)
    {
      /* Closed, so that the session may use the connection again. */
      g_input_stream_close (call->stream, NULL, NULL);
      call->done = TRUE;
      return;
    }
  g_string_append_len (call->body, call->buffer, n);
  call_read_more (call);
}

static void
call_read_more (HearthTestCall *call)
{
  g_input_stream_read_async (call->stream, call->buffer, sizeof call->buffer, G_PRIORITY_DEFAULT,
                             call->cancellable, read_cb, call);
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  HearthTestCall *call = user_data;

  call->stream = soup_session_send_finish (SOUP_SESSION (object), result, &call->error);
  call->headers = TRUE;
  if (call->stream == NULL)
    {
      call->done = TRUE;
      return;
    }
  call_read_more (call);
}

/* POSTs @json to @url and returns at once; the body is read as it
 * comes (call->body), call->done once it ended. */
HearthTestCall *
hearth_test_call_start (SoupSession *session,
                        const char  *url,
                        const char  *json)
{
  g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));
  HearthTestCall *call = g_new0 (HearthTestCall, 1);

  call->body = g_string_new (NULL);
  call->cancellable = g_cancellable_new ();
  call->msg = soup_message_new ("POST", url);
  soup_message_set_request_body_from_bytes (call->msg, "application/json", bytes);
  soup_session_send_async (session, call->msg, G_PRIORITY_DEFAULT, call->cancellable, sent_cb,
                           call);
  return call;
}

void
hearth_test_wait_until (gboolean *flag)
{
  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
}

const char *
hearth_test_call_header (HearthTestCall       *call,
        const char *name)
{
  return soup_message_headers_get_one (soup_message_get_response_headers (call->msg), name);
}

void
hearth_test_call_assert_status (HearthTestCall  *call,
               guint  status)
{
  if (soup_message_get_status (call->msg) != status)
    g_error ("Expected HTTP %u, got %u: %s", status, soup_message_get_status (call->msg),
             call->body->str);
}

JsonObject *
hearth_test_parse_object (const char *text,
              GPtrArray  *keep)
{
  JsonNode *node = hearth_test_parse_json (text);

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  g_ptr_array_add (keep, node);
  return json_node_get_object (node);
}

/* An NDJSON body, one object per line (each line whole). */
GPtrArray *
hearth_test_call_ndjson (HearthTestCall      *call,
              GPtrArray *keep)
{
  g_auto(GStrv) lines = g_strsplit (call->body->str, "\n", -1);
  GPtrArray *objects = g_ptr_array_new ();

  g_assert_true (g_str_has_suffix (call->body->str, "\n"));
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      g_ptr_array_add (objects, hearth_test_parse_object (lines[i], keep));
  return objects;
}

/* Server-sent events: each "data: …" (the last, "[DONE]", sets *saw_done). */
GPtrArray *
hearth_test_call_sse (HearthTestCall      *call,
            GPtrArray *keep,
            gboolean  *saw_done)
{
  g_auto(GStrv) events = g_strsplit (call->body->str, "\n\n", -1);
  GPtrArray *objects = g_ptr_array_new ();

  *saw_done = FALSE;
  for (guint i = 0; events[i] != NULL; i++)
    {
      if (*events[i] == '\0')
        continue;
      g_assert_true (g_str_has_prefix (events[i], "data: "));
      g_assert_false (*saw_done);           /* nothing after [DONE] */
      if (g_str_equal (events[i], "data: [DONE]"))
        *saw_done = TRUE;
      else
        g_ptr_array_add (objects, hearth_test_parse_object (events[i] + strlen ("data: "), keep));
    }
  return objects;
}

static gboolean
wake_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets the main loop run a little (the gateway and the engine work). */
void
hearth_test_spin (void)
{
  gboolean woke = FALSE;

  g_timeout_add (50, wake_cb, &woke);
  hearth_test_wait_until (&woke);
}

