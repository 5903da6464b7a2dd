/* test-alert-channels.c — the log and webhook channels, against a real HTTP
 * server in this process
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "hearth-alert-channels.h"
#include "hearth-alert-channels-private.h"
#include "hearth-alerts.h"
#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

/* A webhook receiver: answers each POST with the next status of its script
 * (the last one repeats); 0 means never answer. */
typedef struct
{
  SoupServer *server;
  char       *url;          /* http://127.0.0.1:PORT */
  GArray     *script;       /* guint statuses */
  const char *answer_body;
  const char *retry_after;
  GPtrArray  *requests;     /* Request */
  GPtrArray  *paused;       /* SoupServerMessage, never answered */
} Receiver;

typedef struct
{
  char   *method;
  char   *path;
  char   *query;
  char   *content_type;
  char   *user_agent;
  char   *authorization;
  char   *body;
  gint64  time_us;
} Request;

static void
request_free (Request *request)
{
  g_free (request->method);
  g_free (request->path);
  g_free (request->query);
  g_free (request->content_type);
  g_free (request->user_agent);
  g_free (request->authorization);
  g_free (request->body);
  g_free (request);
}

static void
receiver_handle (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  Receiver *receiver = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  Request *request = g_new0 (Request, 1);
  guint n = receiver->requests->len;
  guint status = g_array_index (receiver->script, guint, MIN (n, receiver->script->len - 1));

  request->method = g_strdup (soup_server_message_get_method (msg));
  request->path = g_strdup (path);
  request->query = g_strdup (g_uri_get_query (soup_server_message_get_uri (msg)));
  request->content_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
  request->user_agent = g_strdup (soup_message_headers_get_one (headers, "User-Agent"));
  request->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  request->body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  request->time_us = g_get_monotonic_time ();
  g_ptr_array_add (receiver->requests, request);

  if (status == 0)
    {
      soup_server_message_pause (msg);
      g_ptr_array_add (receiver->paused, g_object_ref (msg));
      return;
    }
  if (receiver->retry_after != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "Retry-After", receiver->retry_after);
  soup_server_message_set_status (msg, status, NULL);
  if (receiver->answer_body != NULL)
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                      receiver->answer_body, strlen (receiver->answer_body));
}

static Receiver *
receiver_new (const guint *statuses,
              guint        n_statuses)
{
  Receiver *receiver = g_new0 (Receiver, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  receiver->script = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_vals (receiver->script, statuses, n_statuses);
  receiver->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) request_free);
  receiver->paused = g_ptr_array_new_with_free_func (g_object_unref);
  receiver->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (receiver->server, NULL, receiver_handle, receiver, NULL);
  soup_server_listen_local (receiver->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (receiver->server);
  receiver->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return receiver;
}

static void
receiver_free (Receiver *receiver)
{
  for (guint i = 0; i < receiver->paused->len; i++)
    soup_server_message_unpause (receiver->paused->pdata[i]);
  soup_server_disconnect (receiver->server);
  g_object_unref (receiver->server);
  g_ptr_array_unref (receiver->paused);
  g_ptr_array_unref (receiver->requests);
  g_array_unref (receiver->script);
  g_free (receiver->url);
  g_free (receiver);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Receiver, receiver_free)

static HearthAlertEvent *
slow_model_event (const char *webhook_url)
{
  HearthAlertEvent *event = hearth_alert_event_new ();

  event->rule_id = 7;
  event->rule_name = g_strdup ("Slow model");
  event->metric = HEARTH_ALERT_METRIC_TOKENS_PER_S;
  event->subject = g_strdup ("llama3.2:3b");
  event->state = HEARTH_ALERT_STATE_FIRING;
  event->severity = HEARTH_ALERT_CRITICAL;
  event->value = 12.5;
  event->threshold = 20;
  event->time_ms = G_GINT64_CONSTANT (1765000000000);
  event->since_ms = event->time_ms - 30000;
  event->deliver = TRUE;
  event->channels = HEARTH_ALERT_CHANNEL_WEBHOOK | HEARTH_ALERT_CHANNEL_LOG;
  event->webhook_url = g_strdup (webhook_url);
  event->message = g_strdup ("Decode speed of llama3.2:3b is 12.5 tokens/s, below 20.0 tokens/s "
                              "for 30s");
  return event;
}

/* Sending, with the main loop running (and a timeout source ticking) until
 * the webhook answers or gives up. */
typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
  guint     ticks;
} Sent;

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Sent *sent = user_data;

  sent->ok = hearth_alert_webhook_send_finish (result, &sent->error);
  sent->done = TRUE;
}

static gboolean
tick_cb (gpointer user_data)
{
  Sent *sent = user_data;

  sent->ticks++;
  return G_SOURCE_CONTINUE;
}

static void
send_and_wait (SoupSession      *session,
               HearthAlertEvent *event,
               GCancellable     *cancellable,
               Sent             *sent)
{
  guint tick_id = g_timeout_add (50, tick_cb, sent);

  hearth_alert_webhook_send_async (session, event, cancellable, sent_cb, sent);
  g_assert_false (sent->done);
  while (!sent->done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick_id);
}

static gboolean
set_true (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets the receiver take whatever would still arrive. */
static void
run_loop_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_true, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_nonnull (root);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

static void
test_webhook_posts_json (void)
{
  static const guint ok[] = { 200 };
  g_autoptr(Receiver) receiver = receiver_new (ok, 1);
  g_autoptr(SoupSession) session = soup_session_new ();
  /* ntfy's message templates travel in the query, braces and all. */
  g_autofree char *url = g_strconcat (receiver->url, "/hearth-alerts?tpl=1&t={{.rule}}"
                                      "%20({{.severity}})&m={{.message}}", NULL);
  g_autoptr(HearthAlertEvent) event = slow_model_event (url);
  g_autofree char *user_agent = g_strdup_printf ("Hearth/%s", PACKAGE_VERSION);
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GDateTime) time = NULL;
  Sent sent = { 0 };
  Request *request;

  send_and_wait (session, event, NULL, &sent);
  g_assert_no_error (sent.error);
  g_assert_true (sent.ok);

  g_assert_cmpuint (receiver->requests->len, ==, 1);
  request = receiver->requests->pdata[0];
  g_assert_cmpstr (request->method, ==, "POST");
  g_assert_cmpstr (request->path, ==, "/hearth-alerts");
  g_assert_cmpstr (request->query, ==, "tpl=1&t={{.rule}}%20({{.severity}})&m={{.message}}");
  g_assert_cmpstr (request->content_type, ==, "application/json");
  g_assert_cmpstr (request->user_agent, ==, user_agent);
  g_assert_null (request->authorization);

  body = parse_object (request->body);
  g_assert_cmpstr (json_object_get_string_member (body, "rule"), ==, "Slow model");
  g_assert_cmpint (json_object_get_int_member (body, "rule_id"), ==, 7);
  g_assert_false (json_object_get_boolean_member (body, "acknowledged"));
  g_assert_cmpstr (json_object_get_string_member (body, "metric"), ==, "tokens_per_s");
  g_assert_cmpfloat (json_object_get_double_member (body, "value"), ==, 12.5);
  g_assert_cmpfloat (json_object_get_double_member (body, "threshold"), ==, 20);
  g_assert_cmpstr (json_object_get_string_member (body, "state"), ==, "firing");
  g_assert_cmpstr (json_object_get_string_member (body, "severity"), ==, "critical");
  g_assert_cmpstr (json_object_get_string_member (body, "subject"), ==, "llama3.2:3b");
  g_assert_cmpstr (json_object_get_string_member (body, "message"), ==, event->message);
  g_assert_cmpstr (json_object_get_string_member (body, "host"), ==, g_get_host_name ());
  g_assert_false (json_object_get_boolean_member (body, "test"));
  time = g_date_time_new_from_iso8601 (json_object_get_string_member (body, "time"), NULL);
  g_assert_nonnull (time);
  g_assert_cmpint (g_date_time_to_unix (time), ==, event->time_ms / 1000);
  /* Printed for the README's example. */
  g_test_message ("%s", request->body);
}

static void
clear_sent (Sent *sent)
{
  g_clear_error (&sent->error);
  memset (sent, 0, sizeof *sent);
}

/* Two failures the service recovers from, then a success: three tries, the
 * same body each time. */
static void
test_webhook_retries_server_errors (void)
{
  static const guint script[] = { 500, 502, 200 };
  g_autoptr(Receiver) receiver = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = NULL;
  g_autoptr(HearthAlertEvent) event = NULL;
  Sent sent = { 0 };

  /* This one waits the real 1 s and 4 s between tries, and prints them. */
  hearth_alert_webhook_set_retry_divisor_for_testing (1);
  receiver = receiver_new (script, G_N_ELEMENTS (script));
  url = g_strconcat (receiver->url, "/hook", NULL);
  event = slow_model_event (url);
  send_and_wait (session, event, NULL, &sent);
  hearth_alert_webhook_set_retry_divisor_for_testing (10);
  g_assert_no_error (sent.error);
  g_assert_true (sent.ok);
  g_assert_cmpuint (receiver->requests->len, ==, 3);
  for (guint i = 1; i < 3; i++)
    {
      Request *first = receiver->requests->pdata[0];
      Request *again = receiver->requests->pdata[i];

      g_assert_cmpstr (again->body, ==, first->body);
      g_test_message ("try %u came %.2f s after the one before", i + 1,
                      (again->time_us - ((Request *) receiver->requests->pdata[i - 1])->time_us)
                      / 1e6);
    }
}

/* A service that keeps failing: three tries, and a message saying so. */
static void
test_webhook_gives_up_after_three (void)
{
  static const guint script[] = { 500 };
  g_autoptr(Receiver) receiver = receiver_new (script, 1);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (receiver->url, "/hook", NULL);
  g_autoptr(HearthAlertEvent) event = slow_model_event (url);
  g_autofree char *line = NULL;
  Sent sent = { 0 };

  send_and_wait (session, event, NULL, &sent);
  g_assert_false (sent.ok);
  g_assert_error (sent.error, HEARTH_ERROR, HEARTH_ERROR_WEBHOOK);
  g_assert_cmpuint (receiver->requests->len, ==, 3);
  g_assert_nonnull (strstr (sent.error->message, url));
  g_assert_nonnull (strstr (sent.error->message, "500 Internal Server Error three times"));
  line = hearth_error_describe (sent.error);
  g_assert_null (strchr (line, '\n'));
  g_test_message ("%s", line);
  clear_sent (&sent);
}

/* A refusal is final: one try, and the service's own words. */
static void
test_webhook_client_error_not_retried (void)
{
  static const guint script[] = { 400, 200 };
  g_autoptr(Receiver) receiver = receiver_new (script, G_N_ELEMENTS (script));
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (receiver->url, "/message", NULL);
  g_autoptr(HearthAlertEvent) event = slow_model_event (url);
  Sent sent = { 0 };

  receiver->answer_body = "{\"error\":\"Bad Request\",\"errorCode\":400,"
                          "\"errorDescription\":\"Field 'message' is required\"}";
  send_and_wait (session, event, NULL, &sent);
  g_assert_false (sent.ok);
  g_assert_error (sent.error, HEARTH_ERROR, HEARTH_ERROR_WEBHOOK);
  g_test_message ("%s", sent.error->message);
  g_assert_nonnull (strstr (sent.error->message, url));
  g_assert_nonnull (strstr (sent.error->message, "400 Bad Request"));
  g_assert_nonnull (strstr (sent.error->message, "Field 'message' is required"));
  g_assert_nonnull (strstr (sent.error->message, "JSON body"));

  /* Longer than the first retry would wait: still one. */
  run_loop_for (1500);
  g_assert_cmpuint (receiver->requests->len, ==, 1);
  clear_sent (&sent);
}

/* What the service says is quoted on one line, short, without control
 * characters that would reach a terminal. */
static void
test_webhook_answer_detail (void)
{
  static const guint refused[] = { 422 };
  g_autoptr(Receiver) receiver = receiver_new (refused, 1);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (receiver->url, "/hook", NULL);
  g_autoptr(HearthAlertEvent) event = slow_model_event (url);
  g_autofree char *filler = g_strnfill (400, 'x');
  g_autofree char *answer = g_strconcat ("{\"detail\":\"first line\\nsecond\\u001b[2J line ",
                                         filler, "\"}", NULL);
  const char *quoted;
  Sent sent = { 0 };

  receiver->answer_body = answer;
  send_and_wait (session, event, NULL, &sent);
  g_assert_error (sent.error, HEARTH_ERROR, HEARTH_ERROR_WEBHOOK);
  g_test_message ("%s", sent.error->message);
  quoted = strstr (sent.error->message, "“first line second [2J line xxx");
  g_assert_nonnull (quoted);
  g_assert_null (strchr (sent.error->message, '\n'));
  g_assert_null (strchr (sent.error->message, '\033'));
  g_assert_nonnull (strstr (quoted, "x…”"));
  g_assert_cmpuint (g_utf8_strlen (quoted, strstr (quoted, "”") - quoted), <=, 1 + 200 + 1);
  clear_sent (&sent);
}

/* 429 with a short Retry-After is waited out; a long one is not. */
static void
test_webhook_retry_after (void)
{
  static const guint limited_then_ok[] = { 429, 200 };
  static const guint busy[] = { 503 };
  g_autoptr(SoupSession) session = soup_session_new ();
  Sent sent = { 0 };

  {
    g_autoptr(Receiver) receiver = receiver_new (limited_then_ok, 2);
    g_autofree char *url = g_strconcat (receiver->url, "/hook", NULL);
    g_autoptr(HearthAlertEvent) event = slow_model_event (url);

    receiver->retry_after = "1";
    send_and_wait (session, event, NULL, &sent);
    g_assert_no_error (sent.error);
    g_assert_cmpuint (receiver->requests->len, ==, 2);
    clear_sent (&sent);
  }
  {
    g_autoptr(Receiver) receiver = receiver_new (busy, 1);
    g_autofree char *url = g_strconcat (receiver->url, "/hook", NULL);
    g_autoptr(HearthAlertEvent) event = slow_model_event (url);

    receiver->retry_after = "120";
    send_and_wait (session, event, NULL, &sent);
    g_assert_error (sent.error, HEARTH_ERROR, HEARTH_ERROR_WEBHOOK);
    g_test_message ("%s", sent.error->message);
    g_assert_nonnull (strstr (sent.error->message, "120 s"));
    g_assert_cmpuint (receiver->requests->len, ==, 1);
    clear_sent (&sent);
  }
}

/* A service that never answers: each try ends at the timeout, the caller's
 * main loop runs all along, and the message says what happened. */
static void
test_webhook_timeout (void)
{
  static const guint silent[] = { 0 };
  g_autoptr(Receiver) receiver = receiver_new (silent, 1);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (receiver->url, "/hook", NULL);
  g_autoptr(HearthAlertEvent) event = slow_model_event (url);
  gint64 start = g_get_monotonic_time ();
  Sent sent = { 0 };

  hearth_alert_webhook_set_timeout_for_testing (300);
  send_and_wait (session, event, NULL, &sent);
  hearth_alert_webhook_set_timeout_for_testing (0);

  g_assert_error (sent.error, HEARTH_ERROR, HEARTH_ERROR_WEBHOOK);
  g_test_message ("%s (after %.1f s, %u ticks of 50 ms)", sent.error->message,
                  (g_get_monotonic_time () - start) / 1e6, sent.ticks);
  g_assert_nonnull (strstr (sent.error->message, "did not answer"));
  g_assert_nonnull (strstr (sent.error->message, "three times"));
  g_assert_cmpuint (receiver->requests->len, ==, 3);
  /* The loop went on: the ticking source ran while the webhook waited. */
  g_assert_cmpuint (sent.ticks, >=, 10);
  clear_sent (&sent);
}

/* Captured log records (the writer is installed once, in main). */
static GPtrArray *captured;   /* GHashTable: field → value */

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  if (captured != NULL)
    {
      GHashTable *record = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

      for (gsize i = 0; i < n_fields; i++)
        {
          gssize length = fields[i].length;
          const char *value = fields[i].value;

          g_hash_table_replace (record, g_strdup (fields[i].key),
                                length < 0 ? g_strdup (value) : g_strndup (value, length));
        }
      g_ptr_array_add (captured, record);
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static void
start_capture (void)
{
  g_assert_null (captured);
  captured = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
}

static GPtrArray *
stop_capture (void)
{
  return g_steal_pointer (&captured);
}

static gboolean
captured_anywhere (GPtrArray  *records,
                   const char *secret)
{
  for (guint i = 0; i < records->len; i++)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, records->pdata[i]);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        if (strstr (value, secret) != NULL)
          return TRUE;
    }
  return FALSE;
}

static void
assert_no_secrets (const char *text)
{
  g_assert_null (strstr (text, "alice"));
  g_assert_null (strstr (text, "s3cret-pw"));
  g_assert_null (strstr (text, "t0psecret"));
  g_assert_null (strstr (text, "s3cretid"));
}

/* Credentials in the URL reach the service, never a message or the log. */
static void
test_webhook_hides_secrets (void)
{
  static const guint refused[] = { 403 };
  g_autoptr(Receiver) receiver = receiver_new (refused, 1);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("http://alice:s3cret-pw@%s/api/webhook/"
                                          "hearth-s3cretid?token=t0psecret#x",
                                          receiver->url + strlen ("http://"));
  g_autofree char *shown = g_strconcat (receiver->url, "/api/webhook/hear…?…", NULL);
  g_autofree char *expected_auth = NULL;
  g_autofree char *encoded = g_base64_encode ((const guchar *) "alice:s3cret-pw", 15);
  g_autoptr(HearthAlertEvent) event = slow_model_event (url);
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *line = NULL;
  Sent sent = { 0 };

  start_capture ();

  /* The service echoes what it got, secrets included. */
  receiver->answer_body = "{\"message\":\"token t0psecret is not allowed for hearth-s3cretid\"}";
  send_and_wait (session, event, NULL, &sent);
  g_assert_error (sent.error, HEARTH_ERROR, HEARTH_ERROR_WEBHOOK);
  g_assert_cmpuint (receiver->requests->len, ==, 1);
  expected_auth = g_strconcat ("Basic ", encoded, NULL);
  g_assert_cmpstr (((Request *) receiver->requests->pdata[0])->authorization, ==, expected_auth);
  g_test_message ("%s", sent.error->message);
  g_assert_nonnull (strstr (sent.error->message, shown));
  assert_no_secrets (sent.error->message);
  line = hearth_error_describe (sent.error);
  assert_no_secrets (line);
  clear_sent (&sent);

  /* Nothing listening: every try fails to connect, and is retried. */
  soup_server_disconnect (receiver->server);
  send_and_wait (session, event, NULL, &sent);
  g_assert_error (sent.error, HEARTH_ERROR, HEARTH_ERROR_WEBHOOK);
  g_test_message ("%s", sent.error->message);
  g_assert_nonnull (strstr (sent.error->message, "Nothing is listening"));
  g_assert_nonnull (strstr (sent.error->message, shown));
  assert_no_secrets (sent.error->message);
  clear_sent (&sent);

  records = stop_capture ();
  /* The retries were logged (debug records reach the writer too) ... */
  g_assert_true (captured_anywhere (records, "try 1 failed"));
  g_assert_false (captured_anywhere (records, "s3cret-pw"));   /* ... without secrets */
  g_assert_false (captured_anywhere (records, "t0psecret"));
  g_assert_false (captured_anywhere (records, "s3cretid"));
}

static void
test_webhook_cancel (void)
{
  static const guint script[] = { 500 };
  g_autoptr(Receiver) receiver = receiver_new (script, 1);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (receiver->url, "/hook", NULL);
  g_autoptr(HearthAlertEvent) event = slow_model_event (url);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Sent sent = { 0 };

  /* Cancelled while it waits (the real 1 s) to try again. */
  hearth_alert_webhook_set_retry_divisor_for_testing (1);
  g_timeout_add_once (300, (GSourceOnceFunc) g_cancellable_cancel, cancellable);
  send_and_wait (session, event, cancellable, &sent);
  hearth_alert_webhook_set_retry_divisor_for_testing (10);
  g_assert_error (sent.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (receiver->requests->len, ==, 1);
  run_loop_for (1500);
  g_assert_cmpuint (receiver->requests->len, ==, 1);
  clear_sent (&sent);
}

static void
test_webhook_check_url (void)
{
  static const char * const good[] = {
    "http://127.0.0.1:8123/api/webhook/hearth-alerts",
    "https://ntfy.sh/my-hearth-alerts",
    "https://alice:pw@gotify.example.org/message?token=abc",
    "http://[::1]:8080/hook",
  };
  static const char * const bad[] = {
    "", "hello", "ftp://example.org/hook", "http:///path", "https://",
    "http://exa mple.com/", "javascript:alert(1)", "http://host:99999/",
    "file:///etc/passwd", "https://example.org/hook\n",
    "mailto:alice:s3cret-pw@example.org",
  };
  struct { const char *url; const char *shown; } shown[] = {
    { "https://alice:s3cret-pw@example.org/hook?token=t0psecret", "https://example.org/hook?…" },
    { "http://example.org:8123/api/webhook/x#frag", "http://example.org:8123/api/webhook/x" },
    { "HTTPS://Example.org:443/x", "https://Example.org/x" },
    { "http://homeassistant.local:8123/api/webhook/hearth-3kq8w2f9x7",
      "http://homeassistant.local:8123/api/webhook/hear…" },
    { "https://ntfy.sh/my-hearth-alerts", "https://ntfy.sh/my-h…" },
    { "not a url", "(not a valid URL)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (hearth_alert_webhook_check_url (good[i], &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (hearth_alert_webhook_check_url (bad[i], &error));
      g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
      g_test_message ("“%s”: %s", bad[i], error->message);
      g_assert_null (strchr (error->message, '\n'));
      g_assert_cmpuint (strlen (error->message), >, 20);
      assert_no_secrets (error->message);
    }
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (hearth_alert_webhook_check_url (NULL, &error));
    g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  }
  for (guint i = 0; i < G_N_ELEMENTS (shown); i++)
    {
      g_autofree char *text = hearth_alert_webhook_display_url (shown[i].url);

      g_assert_cmpstr (text, ==, shown[i].shown);
    }
}

/* A rule without a usable URL fails at once, with the check's message. */
static void
test_webhook_bad_url_fails (void)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(HearthAlertEvent) event = slow_model_event ("ftp://alice:s3cret-pw@example.org/");
  Sent sent = { 0 };

  send_and_wait (session, event, NULL, &sent);
  g_assert_error (sent.error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  assert_no_secrets (sent.error->message);
  clear_sent (&sent);
}

/* The log channel */

static GHashTable *
log_one (HearthAlertEvent *event)
{
  g_autoptr(GPtrArray) records = NULL;
  GHashTable *found = NULL;

  start_capture ();
  hearth_alert_log_event (event);
  records = stop_capture ();
  for (guint i = 0; i < records->len; i++)
    if (g_strcmp0 (g_hash_table_lookup (records->pdata[i], "GLIB_DOMAIN"), "hearth-alerts") == 0)
      {
        g_assert_null (found);   /* one record per event */
        found = g_hash_table_ref (records->pdata[i]);
      }
  g_assert_nonnull (found);
  return found;
}

static void
test_log_fields (void)
{
  g_autoptr(HearthAlertEvent) event = slow_model_event (NULL);
  g_autoptr(GHashTable) record = log_one (event);

  g_assert_cmpstr (g_hash_table_lookup (record, "MESSAGE"), ==, event->message);
  g_assert_cmpstr (g_hash_table_lookup (record, "PRIORITY"), ==, "3");
  g_assert_cmpstr (g_hash_table_lookup (record, "HEARTH_ALERT_RULE"), ==, "Slow model");
  g_assert_cmpstr (g_hash_table_lookup (record, "HEARTH_ALERT_RULE_ID"), ==, "7");
  g_assert_cmpstr (g_hash_table_lookup (record, "HEARTH_ALERT_METRIC"), ==, "tokens_per_s");
  g_assert_cmpstr (g_hash_table_lookup (record, "HEARTH_ALERT_STATE"), ==, "firing");
  g_assert_cmpstr (g_hash_table_lookup (record, "HEARTH_ALERT_SEVERITY"), ==, "critical");
  g_assert_cmpstr (g_hash_table_lookup (record, "HEARTH_ALERT_VALUE"), ==, "12.5");
  g_assert_cmpstr (g_hash_table_lookup (record, "HEARTH_ALERT_THRESHOLD"), ==, "20");
  g_assert_cmpstr (g_hash_table_lookup (record, "HEARTH_ALERT_SUBJECT"), ==, "llama3.2:3b");
  g_assert_false (g_hash_table_contains (record, "HEARTH_ALERT_TEST"));
}

static void
test_log_priorities (void)
{
  g_autoptr(HearthAlertEvent) event = slow_model_event (NULL);

  event->severity = HEARTH_ALERT_WARNING;
  {
    g_autoptr(GHashTable) record = log_one (event);

    g_assert_cmpstr (g_hash_table_lookup (record, "PRIORITY"), ==, "4");
    g_assert_cmpstr (g_hash_table_lookup (record, "HEARTH_ALERT_SEVERITY"), ==, "warning");
  }

  /* Resolved: news, not trouble; the machine itself has no subject. */
  event->state = HEARTH_ALERT_STATE_RESOLVED;
  event->value = 25;
  g_clear_pointer (&event->subject, g_free);
  {
    g_autoptr(GHashTable) record = log_one (event);

    g_assert_cmpstr (g_hash_table_lookup (record, "PRIORITY"), ==, "5");
    g_assert_cmpstr (g_hash_table_lookup (record, "HEARTH_ALERT_STATE"), ==, "resolved");
    g_assert_cmpstr (g_hash_table_lookup (record, "HEARTH_ALERT_VALUE"), ==, "25");
    g_assert_false (g_hash_table_contains (record, "HEARTH_ALERT_SUBJECT"));
  }

  /* A test says it is one, whatever its severity. */
  event->state = HEARTH_ALERT_STATE_FIRING;
  event->severity = HEARTH_ALERT_CRITICAL;
  event->is_test = TRUE;
  event->value = NAN;
  {
    g_autoptr(GHashTable) record = log_one (event);
    const char *message = g_hash_table_lookup (record, "MESSAGE");

    g_assert_cmpstr (g_hash_table_lookup (record, "PRIORITY"), ==, "6");
    g_assert_nonnull (strstr (message, "Test"));
    g_assert_nonnull (strstr (message, event->message));
    g_assert_cmpstr (g_hash_table_lookup (record, "HEARTH_ALERT_TEST"), ==, "1");
    g_assert_false (g_hash_table_contains (record, "HEARTH_ALERT_VALUE"));
  }

  /* Without a message of its own, it still says which rule and what. */
  g_clear_pointer (&event->message, g_free);
  event->is_test = FALSE;
  {
    g_autoptr(GHashTable) record = log_one (event);
    const char *message = g_hash_table_lookup (record, "MESSAGE");

    g_assert_nonnull (strstr (message, "Slow model"));
    g_assert_nonnull (strstr (message, "firing"));
  }
}

/* End to end: replies from the real test engine, judged by the engine's
 * alerts, told to the local receiver. */
typedef struct
{
  guint      n_recorded;
  GPtrArray *transitions;   /* HearthAlertEvent of our rule */
  gint64     rule_id;
} Watched;

static void
on_reply_recorded (HearthEngine *engine,
                   HearthReply  *reply,
                   Watched      *watched)
{
  watched->n_recorded++;
}

static void
on_transition (HearthAlerts     *alerts,
               HearthAlertEvent *event,
               Watched          *watched)
{
  if (event->rule_id == watched->rule_id)
    g_ptr_array_add (watched->transitions, hearth_alert_event_copy (event));
}

static gboolean
give_up (gpointer user_data)
{
  g_error ("Nothing happened in 60 s");
  return G_SOURCE_REMOVE;
}

/* One reply from the real engine, until the engine has recorded it. */
static HearthReply *
slow_reply (HearthEngine *engine,
            Watched      *watched)
{
  g_autoptr(GError) error = NULL;
  HearthProvider *provider = hearth_engine_get_provider (engine, HEARTH_API_OLLAMA,
                                                         hearth_test_engine_url ());
  HearthChatRequest *request = hearth_chat_request_new ();
  guint recorded = watched->n_recorded;
  guint guard = g_timeout_add_seconds (60, give_up, NULL);
  HearthReply *reply;

  request->model = g_strdup ("tiny-fixed");
  hearth_chat_request_add_message (request, "user", "hi");
  reply = hearth_engine_chat (engine, provider, request, -1, &error);
  g_assert_no_error (error);
  while (watched->n_recorded == recorded)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (guard);
  g_assert_cmpint (hearth_reply_get_state (reply), ==, HEARTH_REPLY_DONE);
  return reply;
}

static void
wait_for_requests (Receiver *receiver,
                   guint     n)
{
  guint guard = g_timeout_add_seconds (60, give_up, NULL);

  while (receiver->requests->len < n)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (guard);
}

#define UNREACHABLE_SPEED 1e6   /* tokens/s: no reply of the tiny model is faster */

static void
test_slow_reply_fires_webhook_once (void)
{
  static const guint ok[] = { 200 };
  g_autoptr(Receiver) receiver = NULL;
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthAlertRule) rule = hearth_alert_rule_new ();
  g_autoptr(HearthReply) first = NULL;
  g_autoptr(HearthReply) second = NULL;
  g_autoptr(HearthReply) third = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) transitions = g_ptr_array_new_with_free_func (
    (GDestroyNotify) hearth_alert_event_free);
  Watched watched = { 0, transitions, 0 };
  HearthAlerts *alerts;
  HearthAlertEvent *refired;
  double speed;

  if (!hearth_test_require_node ())
    return;
  receiver = receiver_new (ok, 1);
  store = hearth_test_open_store ("e2e");
  engine = hearth_engine_new (store);
  alerts = hearth_engine_get_alerts (engine);
  g_signal_connect (engine, "reply-recorded", G_CALLBACK (on_reply_recorded), &watched);
  g_signal_connect (alerts, "transition", G_CALLBACK (on_transition), &watched);

  rule->name = g_strdup ("Slow model");
  rule->metric = HEARTH_ALERT_METRIC_TOKENS_PER_S;
  rule->condition = HEARTH_ALERT_BELOW;
  rule->threshold = UNREACHABLE_SPEED;
  rule->for_ms = 0;
  rule->severity = HEARTH_ALERT_WARNING;
  rule->cooldown_ms = 10 * 60 * 1000;
  rule->channels = HEARTH_ALERT_CHANNEL_WEBHOOK;
  rule->webhook_url = g_strconcat (receiver->url, "/api/webhook/hearth", NULL);
  rule->enabled = TRUE;
  g_assert_true (hearth_alerts_add_rule (alerts, rule, &error));
  g_assert_no_error (error);
  watched.rule_id = rule->id;

  /* The first slow reply fires, and the webhook hears of it. */
  first = slow_reply (engine, &watched);
  speed = hearth_reply_get_figures (first)->tokens_per_s;
  g_test_message ("the tiny model decoded %.0f tokens/s", speed);
  g_assert_cmpfloat (speed, >, 0);
  g_assert_cmpfloat (speed, <, UNREACHABLE_SPEED);
  wait_for_requests (receiver, 1);
  body = parse_object (((Request *) receiver->requests->pdata[0])->body);
  g_test_message ("%s", ((Request *) receiver->requests->pdata[0])->body);
  g_assert_cmpstr (json_object_get_string_member (body, "rule"), ==, "Slow model");
  g_assert_cmpint (json_object_get_int_member (body, "rule_id"), ==, rule->id);
  g_assert_cmpstr (json_object_get_string_member (body, "metric"), ==, "tokens_per_s");
  /* The model as the engine names it ("tiny-fixed:latest"). */
  g_assert_cmpstr (json_object_get_string_member (body, "subject"), ==,
                   hearth_reply_get_model (first));
  g_assert_cmpstr (json_object_get_string_member (body, "state"), ==, "firing");
  g_assert_cmpfloat (json_object_get_double_member (body, "value"), ==, speed);
  g_assert_cmpfloat (json_object_get_double_member (body, "threshold"), ==, UNREACHABLE_SPEED);
  g_assert_false (json_object_get_boolean_member (body, "test"));

  /* The second is as slow: still the same alert, nothing new to tell. */
  second = slow_reply (engine, &watched);
  run_loop_for (1500);
  g_assert_cmpuint (receiver->requests->len, ==, 1);

  /* It resolves (no reply of this model can be that fast, so the value is
   * given), and that is told... */
  hearth_alerts_observe (alerts, HEARTH_ALERT_METRIC_TOKENS_PER_S, hearth_reply_get_model (first),
                         2 * UNREACHABLE_SPEED, g_get_real_time () / 1000);
  wait_for_requests (receiver, 2);
  g_clear_pointer (&body, json_object_unref);
  body = parse_object (((Request *) receiver->requests->pdata[1])->body);
  g_assert_cmpstr (json_object_get_string_member (body, "state"), ==, "resolved");

  /* ... but a slow reply within the cooldown fires again without a POST. */
  third = slow_reply (engine, &watched);
  run_loop_for (1500);
  g_assert_cmpuint (receiver->requests->len, ==, 2);
  refired = transitions->pdata[transitions->len - 1];
  g_assert_cmpint (refired->state, ==, HEARTH_ALERT_STATE_FIRING);
  g_assert_false (refired->deliver);
  g_assert_cmpuint (transitions->len, ==, 3);   /* firing, resolved, firing */
}

int
main (int   argc,
      char *argv[])
{
  hearth_test_init (&argc, &argv);
  /* The waits between tries, a tenth as long (test_webhook_retries_server_errors
   * keeps the real ones). */
  hearth_alert_webhook_set_retry_divisor_for_testing (10);
  g_log_set_writer_func (capture_writer, NULL, NULL);

  g_test_add_func ("/alert-channels/webhook/posts-json", test_webhook_posts_json);
  g_test_add_func ("/alert-channels/webhook/retries-server-errors",
                   test_webhook_retries_server_errors);
  g_test_add_func ("/alert-channels/webhook/gives-up-after-three",
                   test_webhook_gives_up_after_three);
  g_test_add_func ("/alert-channels/webhook/client-error-not-retried",
                   test_webhook_client_error_not_retried);
  g_test_add_func ("/alert-channels/webhook/answer-detail", test_webhook_answer_detail);
  g_test_add_func ("/alert-channels/webhook/retry-after", test_webhook_retry_after);
  g_test_add_func ("/alert-channels/webhook/timeout", test_webhook_timeout);
  g_test_add_func ("/alert-channels/webhook/hides-secrets", test_webhook_hides_secrets);
  g_test_add_func ("/alert-channels/webhook/cancel", test_webhook_cancel);
  g_test_add_func ("/alert-channels/webhook/check-url", test_webhook_check_url);
  g_test_add_func ("/alert-channels/webhook/bad-url-fails", test_webhook_bad_url_fails);
  g_test_add_func ("/alert-channels/log/fields", test_log_fields);
  g_test_add_func ("/alert-channels/log/priorities", test_log_priorities);
  g_test_add_func ("/alert-channels/end-to-end/slow-reply-fires-webhook-once",
                   test_slow_reply_fires_webhook_once);

  return g_test_run ();
}
