/* hearth-alert-webhook.c — an alert as an HTTP POST, retried, never blocking
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-alerts"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <json-glib/json-glib.h>

#include "hearth-alert-channels.h"
#include "hearth-alert-channels-private.h"
#include "hearth-error.h"
#include "hearth-http.h"

#define WEBHOOK_TRIES       3
#define WEBHOOK_TIMEOUT_MS  10000
#define MAX_RETRY_AFTER_S   30
#define MAX_ANSWER_BYTES    4096
#define MAX_DETAIL_CHARS    200
#define MAX_SHOWN_SEGMENT   12
#define SHOWN_SEGMENT_PREFIX 4

/* Between the first and second try, and the second and third. */
static const guint retry_delays_ms[WEBHOOK_TRIES - 1] = { 1000, 4000 };

static guint timeout_ms_for_testing;
static guint retry_divisor_for_testing = 1;

typedef enum
{
  OUTCOME_NONE,
  OUTCOME_ANSWERED,     /* an HTTP status, in status */
  OUTCOME_TIMEOUT,
  OUTCOME_IO,           /* io_error */
} Outcome;

typedef struct
{
  SoupSession  *session;
  GUri         *uri;
  char         *shown_url;
  GBytes       *body;
  guint         tries;
  gboolean      same_outcome;   /* every try got what the last one got */

  /* The current try: cancelled by the caller's cancellable or the timeout. */
  SoupMessage  *message;
  GCancellable *try_cancellable;
  gulong        cancelled_id;
  GSource      *timeout_source;
  gboolean      timed_out;
  GSource      *wait_source;

  /* What the last try got. */
  Outcome       outcome;
  guint         status;
  char         *detail;
  GError       *io_error;
  guint         retry_after_s;
} WebhookSend;

static void start_try (GTask *task);

void
hearth_alert_webhook_set_timeout_for_testing (guint timeout_ms)
{
  timeout_ms_for_testing = timeout_ms;
}

void
hearth_alert_webhook_set_retry_divisor_for_testing (guint divisor)
{
  retry_divisor_for_testing = MAX (divisor, 1);
}

static guint
try_timeout_ms (void)
{
  return timeout_ms_for_testing > 0 ? timeout_ms_for_testing : WEBHOOK_TIMEOUT_MS;
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
end_try (WebhookSend *data,
         GTask       *task)
{
  clear_source (&data->timeout_source);
  if (data->cancelled_id != 0)
    g_cancellable_disconnect (g_task_get_cancellable (task), data->cancelled_id);
  data->cancelled_id = 0;
  g_clear_object (&data->try_cancellable);
  g_clear_object (&data->message);
}

static void
webhook_send_free (WebhookSend *data)
{
  g_assert (data->cancelled_id == 0);
  clear_source (&data->timeout_source);
  clear_source (&data->wait_source);
  g_clear_object (&data->try_cancellable);
  g_clear_object (&data->message);
  g_clear_object (&data->session);
  g_clear_pointer (&data->uri, g_uri_unref);
  g_clear_pointer (&data->body, g_bytes_unref);
  g_clear_error (&data->io_error);
  g_free (data->shown_url);
  g_free (data->detail);
  g_free (data);
}

/* URLs */

static gboolean
has_space_or_control (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
      return TRUE;
  return FALSE;
}

static GUri *
parse_url (const char  *url,
           GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;

  if (url == NULL || *url == '\0')
    {
      g_set_error_literal (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                           _("No webhook URL was given: give the address the service shows "
                             "for it, such as https://homeassistant.local:8123/api/webhook/ID"));
      return NULL;
    }
  if (has_space_or_control (url))
    {
      g_set_error_literal (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                           _("The webhook URL has a space or a line break in it: "
                             "copy it again without them"));
      return NULL;
    }
  /* GLib's messages do not repeat the URL, which may hold a password. */
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL)
    {
      g_set_error_literal (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                           _("The webhook URL is not a complete URL: it should look like "
                             "https://host/path"));
      return NULL;
    }
  scheme = g_uri_get_scheme (uri);
  if (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("A webhook URL starts with http:// or https:// (this one starts with "
                     "“%s:”): give the address the service shows for its webhook"), scheme);
      return NULL;
    }
  host = g_uri_get_host (uri);
  if (host == NULL || *host == '\0')
    {
      g_set_error_literal (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                           _("The webhook URL has no host: it should look like https://host/path"));
      return NULL;
    }
  return g_steal_pointer (&uri);
}

gboolean
hearth_alert_webhook_check_url (const char  *url,
                                GError     **error)
{
  g_autoptr(GUri) uri = parse_url (url, error);

  return uri != NULL;
}

/* Home Assistant's webhook ID and an ntfy topic, the last part of the path,
 * are as secret as a token: a long one shows its first characters only. */
static char *
shorten_last_segment (const char *path)
{
  const char *last = strrchr (path, '/');

  if (last == NULL || strlen (last + 1) <= MAX_SHOWN_SEGMENT)
    return g_strdup (path);
  return g_strdup_printf ("%.*s…", (int) (last + 1 - path) + SHOWN_SEGMENT_PREFIX, path);
}

static char *
display_uri (GUri *uri)
{
  g_autofree char *path = shorten_last_segment (g_uri_get_path (uri));
  g_autoptr(GUri) shown = g_uri_build (G_URI_FLAGS_ENCODED_PATH | G_URI_FLAGS_SCHEME_NORMALIZE,
                                       g_uri_get_scheme (uri), NULL,
                                       g_uri_get_host (uri), g_uri_get_port (uri), path,
                                       NULL, NULL);
  g_autofree char *text = g_uri_to_string (shown);

  /* Say that there was more, without saying what. */
  if (g_uri_get_query (uri) != NULL)
    return g_strconcat (text, "?…", NULL);
  return g_steal_pointer (&text);
}

char *
hearth_alert_webhook_display_url (const char *url)
{
  g_autoptr(GUri) uri = parse_url (url, NULL);

  if (uri == NULL)
    return g_strdup (_("(not a valid URL)"));
  return display_uri (uri);
}

/* The answer's own words, short, one line, without the URL's secrets. */

static char *
replace_all (const char *text,
             const char *secret)
{
  g_auto(GStrv) parts = NULL;

  if (secret == NULL || strlen (secret) < 3)
    return g_strdup (text);
  parts = g_strsplit (text, secret, -1);
  return g_strjoinv ("…", parts);
}

/* The password, every value of the query and a long last part of the path,
 * wherever they appear. */
static char *
without_secrets (const char *text,
                 GUri       *uri)
{
  g_autofree char *no_password = replace_all (text, g_uri_get_password (uri));
  const char *last = strrchr (g_uri_get_path (uri), '/');
  g_autofree char *result = NULL;
  g_auto(GStrv) params = NULL;

  if (last != NULL && strlen (last + 1) > MAX_SHOWN_SEGMENT)
    result = replace_all (no_password, last + 1);
  else
    result = g_steal_pointer (&no_password);

  if (g_uri_get_query (uri) == NULL)
    return g_steal_pointer (&result);
  params = g_strsplit_set (g_uri_get_query (uri), "&;", -1);
  for (guint i = 0; params[i] != NULL; i++)
    {
      const char *equals = strchr (params[i], '=');
      g_autofree char *value = g_uri_unescape_string (equals ? equals + 1 : params[i], NULL);
      char *next = replace_all (result, equals ? equals + 1 : params[i]);

      g_free (result);
      result = next;
      if (value != NULL)
        {
          next = replace_all (result, value);
          g_free (result);
          result = next;
        }
    }
  return g_steal_pointer (&result);
}

/* Control characters (line breaks, terminal escapes) become spaces. */
static char *
one_line (const char *text)
{
  GString *line = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        g_string_append_c (line, ' ');
      else
        g_string_append_unichar (line, c);
    }
  return g_strstrip (g_string_free (line, FALSE));
}

static char *
answer_detail (GBytes *bytes,
               GUri   *uri)
{
  static const char * const members[] = { "message", "errorDescription", "error", "detail" };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  g_autofree char *safe = NULL;
  const char *found = NULL;
  JsonNode *root;

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    return NULL;
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  if (!g_utf8_validate (text, -1, NULL))
    return NULL;

  if (json_parser_load_from_data (parser, text, -1, NULL) &&
      (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);

      for (guint i = 0; i < G_N_ELEMENTS (members) && found == NULL; i++)
        {
          JsonNode *member = json_object_get_member (object, members[i]);

          if (member != NULL && JSON_NODE_HOLDS_VALUE (member) &&
              json_node_get_value_type (member) == G_TYPE_STRING)
            found = json_node_get_string (member);
        }
    }
  line = one_line (found != NULL ? found : text);
  if (*line == '\0' || (found == NULL && line[0] == '<'))   /* an HTML page says nothing short */
    return NULL;
  safe = without_secrets (line, uri);
  if (g_utf8_strlen (safe, -1) <= MAX_DETAIL_CHARS)
    return g_steal_pointer (&safe);
  return g_strdup_printf ("%.*s…", (int) (g_utf8_offset_to_pointer (safe, MAX_DETAIL_CHARS) - safe),
                          safe);
}

/* Messages */

static const char *
count_words (WebhookSend *data)
{
  if (data->tries <= 1)
    return "";
  if (!data->same_outcome)
    return data->tries == 2 ? _(" on the second try") : _(" on the last of three tries");
  return data->tries == 2 ? _(" twice") : _(" three times");
}

static char *
status_words (guint status)
{
  const char *phrase = soup_status_get_phrase (status);

  if (phrase == NULL || g_str_equal (phrase, "Unknown Error"))
    return g_strdup_printf ("HTTP %u", status);
  return g_strdup_printf ("%u %s", status, phrase);
}

static GError *
answered_error (WebhookSend *data)
{
  g_autofree char *what = status_words (data->status);
  /* "(400 Bad Request: “why”)" and "answered 500 … (“why”)" */
  g_autofree char *detail = data->detail ? g_strdup_printf (": “%s”", data->detail)
                                         : g_strdup ("");
  g_autofree char *quoted = data->detail ? g_strdup_printf (" (“%s”)", data->detail)
                                         : g_strdup ("");
  const char *url = data->shown_url;
  guint status = data->status;

  if (data->retry_after_s > MAX_RETRY_AFTER_S)
    return g_error_new (HEARTH_ERROR, HEARTH_ERROR_WEBHOOK,
                        _("The webhook at %s answered %s and asked to wait %u s, longer than "
                          "Hearth waits (%u s), so the alert was not delivered: give the rule a "
                          "longer cooldown, or check the service's limits"),
                        url, what, data->retry_after_s, MAX_RETRY_AFTER_S);
  if (status == 429)
    return g_error_new (HEARTH_ERROR, HEARTH_ERROR_WEBHOOK,
                        _("The webhook at %s asked Hearth to slow down (%s)%s: give the rule "
                          "a longer cooldown, or check the service's limits"),
                        url, what, count_words (data));
  if (status >= 500)
    return g_error_new (HEARTH_ERROR, HEARTH_ERROR_WEBHOOK,
                        _("The webhook at %s answered %s%s%s: the service behind it "
                          "failed; look at its log, then send a test alert"),
                        url, what, quoted, count_words (data));
  if (status == 401 || status == 403)
    return g_error_new (HEARTH_ERROR, HEARTH_ERROR_WEBHOOK,
                        _("The webhook at %s refused the alert (%s%s): check the token or the "
                          "user and password the service expects in the URL"),
                        url, what, detail);
  if (status == 404)
    return g_error_new (HEARTH_ERROR, HEARTH_ERROR_WEBHOOK,
                        _("There is no webhook at %s (%s): check the URL's path (Home "
                          "Assistant: /api/webhook/ID; ntfy: /TOPIC)"), url, what);
  if (status >= 400)
    return g_error_new (HEARTH_ERROR, HEARTH_ERROR_WEBHOOK,
                        _("The webhook at %s refused the alert (%s%s): check that the URL is "
                          "the service's webhook address and that it takes a JSON body "
                          "(see “Alerts” in the README)"),
                        url, what, detail);
  return g_error_new (HEARTH_ERROR, HEARTH_ERROR_WEBHOOK,
                      _("The webhook at %s answered %s, not a success: check that the URL is "
                        "the service's webhook address"), url, what);
}

static GError *
io_failure_error (WebhookSend *data)
{
  const GError *io = data->io_error;
  const char *url = data->shown_url;
  const char *times = count_words (data);

  if (data->outcome == OUTCOME_TIMEOUT)
    return g_error_new (HEARTH_ERROR, HEARTH_ERROR_WEBHOOK,
                        _("The webhook at %s did not answer within %u s%s%s: check that the "
                          "service is running and reachable from this machine"),
                        url, (try_timeout_ms () + 999) / 1000, *times ? "," : "", times);
  if (g_error_matches (io, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (HEARTH_ERROR, HEARTH_ERROR_WEBHOOK,
                        _("Nothing is listening at %s%s: start the service that receives the "
                          "webhook, or correct the URL's host and port"), url,
                        *times ? (data->same_outcome ? _(" (tried three times)") : times) : "");
  if (io != NULL && io->domain == G_RESOLVER_ERROR)
    return g_error_new (HEARTH_ERROR, HEARTH_ERROR_WEBHOOK,
                        _("Could not find the host of the webhook at %s: check the host name "
                          "in the URL and this machine's network"), url);
  if (io != NULL && io->domain == G_TLS_ERROR)
    return g_error_new (HEARTH_ERROR, HEARTH_ERROR_WEBHOOK,
                        _("A secure connection to the webhook at %s failed (%s): check the "
                          "service's certificate, or use http:// for a service on your own "
                          "network"), url, io->message);
  return g_error_new (HEARTH_ERROR, HEARTH_ERROR_WEBHOOK,
                      _("Could not send the alert to the webhook at %s (%s)%s: check the URL "
                        "and this machine's network"), url, io ? io->message : "unknown error",
                      times);
}

/* Retrying */

static gboolean
last_try_may_be_retried (WebhookSend *data)
{
  if (data->outcome == OUTCOME_TIMEOUT)
    return TRUE;
  if (data->outcome == OUTCOME_IO)
    /* A certificate will not be better in a second. */
    return data->io_error == NULL || data->io_error->domain != G_TLS_ERROR;
  return (data->status >= 500 || data->status == 429) &&
         data->retry_after_s <= MAX_RETRY_AFTER_S;
}

static gboolean
retry_now (gpointer user_data)
{
  GTask *task = user_data;
  WebhookSend *data = g_task_get_task_data (task);

  g_clear_pointer (&data->wait_source, g_source_unref);
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }
  start_try (task);
  return G_SOURCE_REMOVE;
}

static void
wait_then_retry (GTask *task)
{
  WebhookSend *data = g_task_get_task_data (task);
  guint delay_ms = data->retry_after_s > 0 ? data->retry_after_s * 1000
                                           : retry_delays_ms[data->tries - 1] / retry_divisor_for_testing;

  g_debug ("Webhook %s: try %u failed, next in %u ms", data->shown_url, data->tries, delay_ms);
  data->wait_source = hearth_http_wait_source_new (delay_ms, g_task_get_cancellable (task),
                                                   retry_now, task);
}

/* Takes over the task reference. */
static void
try_done (GTask *task)
{
  WebhookSend *data = g_task_get_task_data (task);

  gboolean delivered = data->outcome == OUTCOME_ANSWERED &&
                       SOUP_STATUS_IS_SUCCESSFUL (data->status);

  end_try (data, task);
  if (!delivered && !g_cancellable_is_cancelled (g_task_get_cancellable (task)) &&
      last_try_may_be_retried (data) && data->tries < WEBHOOK_TRIES)
    {
      wait_then_retry (task);
      return;
    }

  /* When the caller gave up, that is all it needs to hear. */
  if (!g_task_return_error_if_cancelled (task))
    {
      if (delivered)
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, data->outcome == OUTCOME_ANSWERED ? answered_error (data)
                                                                     : io_failure_error (data));
    }
  g_object_unref (task);
}

static void
record_outcome (WebhookSend *data,
                Outcome      outcome,
                guint        status)
{
  if (data->tries > 1 && (outcome != data->outcome || status != data->status))
    data->same_outcome = FALSE;
  data->outcome = outcome;
  data->status = status;
}

static void
answer_read_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  WebhookSend *data = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object),
                                                              result, NULL);

  g_input_stream_close_async (G_INPUT_STREAM (object), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_clear_pointer (&data->detail, g_free);
  data->detail = answer_detail (bytes, data->uri);
  try_done (task);
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  WebhookSend *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = soup_session_send_finish (SOUP_SESSION (object),
                                                             result, &error);
  SoupMessageHeaders *headers;

  g_clear_error (&data->io_error);
  data->retry_after_s = 0;
  if (stream == NULL)
    {
      record_outcome (data, data->timed_out ? OUTCOME_TIMEOUT : OUTCOME_IO, 0);
      data->io_error = g_steal_pointer (&error);
      try_done (task);
      return;
    }

  record_outcome (data, OUTCOME_ANSWERED, soup_message_get_status (data->message));
  headers = soup_message_get_response_headers (data->message);
  if (data->status == 429 || data->status == 503)
    data->retry_after_s =
      hearth_http_parse_retry_after (soup_message_headers_get_one (headers, "Retry-After"));
  /* Read a little of the answer: a refusal usually says why. */
  g_input_stream_read_bytes_async (stream, MAX_ANSWER_BYTES, G_PRIORITY_DEFAULT,
                                   data->try_cancellable, answer_read_cb, task);
}

static gboolean
try_timed_out (gpointer user_data)
{
  WebhookSend *data = user_data;

  data->timed_out = TRUE;
  g_clear_pointer (&data->timeout_source, g_source_unref);
  g_cancellable_cancel (data->try_cancellable);
  return G_SOURCE_REMOVE;
}

static void
cancel_try (GCancellable *cancellable,
            GCancellable *try_cancellable)
{
  g_cancellable_cancel (try_cancellable);
}

static SoupMessage *
build_message (WebhookSend *data)
{
  SoupMessage *message = soup_message_new_from_uri (SOUP_METHOD_POST, data->uri);
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);
  g_autofree char *user_agent = g_strdup_printf ("Hearth/%s", PACKAGE_VERSION);
  const char *user = g_uri_get_user (data->uri);

  soup_message_set_request_body_from_bytes (message, "application/json", data->body);
  soup_message_headers_replace (headers, "User-Agent", user_agent);
  /* ntfy and reverse proxies want the credentials at once, not after a 401. */
  if (user != NULL && *user != '\0')
    {
      g_autofree char *pair = g_strdup_printf ("%s:%s", user,
                                               g_uri_get_password (data->uri) ?: "");
      g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
      g_autofree char *value = g_strconcat ("Basic ", encoded, NULL);

      soup_message_headers_replace (headers, "Authorization", value);
    }
  return message;
}

static void
start_try (GTask *task)
{
  WebhookSend *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  data->tries++;
  data->timed_out = FALSE;
  data->message = build_message (data);
  data->try_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    data->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancel_try),
                                                g_object_ref (data->try_cancellable),
                                                g_object_unref);
  data->timeout_source = g_timeout_source_new (try_timeout_ms ());
  g_source_set_callback (data->timeout_source, try_timed_out, data, NULL);
  g_source_attach (data->timeout_source, g_main_context_get_thread_default ());

  soup_session_send_async (data->session, data->message, G_PRIORITY_DEFAULT,
                           data->try_cancellable, sent_cb, task);
}

void
hearth_alert_webhook_send_async (SoupSession            *session,
                                 const HearthAlertEvent *event,
                                 GCancellable           *cancellable,
                                 GAsyncReadyCallback     callback,
                                 gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  WebhookSend *data;
  char *json;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (event != NULL);

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_alert_webhook_send_async);

  uri = parse_url (event->webhook_url, &error);
  if (uri == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data = g_new0 (WebhookSend, 1);
  data->session = g_object_ref (session);
  data->uri = g_steal_pointer (&uri);
  data->shown_url = display_uri (data->uri);
  json = hearth_alert_event_to_json (event);
  data->body = g_bytes_new_take (json, strlen (json));
  data->same_outcome = TRUE;
  g_task_set_task_data (task, data, (GDestroyNotify) webhook_send_free);

  if (g_task_return_error_if_cancelled (task))
    return;
  start_try (g_steal_pointer (&task));
}

gboolean
hearth_alert_webhook_send_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        hearth_alert_webhook_send_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
