/* hearth-error.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-error"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "hearth-error.h"
#include "hearth-json.h"

G_DEFINE_QUARK (hearth-error-quark, hearth_error)

const char *
hearth_error_get_action (const GError *error)
{
  if (error == NULL || error->domain != HEARTH_ERROR)
    return _("Try again, and report a bug if it keeps happening");

  switch ((HearthErrorCode) error->code)
    {
    case HEARTH_ERROR_INVALID_ARGUMENT:
      return _("Check the value and try again");
    case HEARTH_ERROR_CONNECTION_REFUSED:
      return _("Start the server (for Ollama: ollama serve) or check the endpoint");
    case HEARTH_ERROR_HOST_NOT_FOUND:
      return _("Check the host name in the endpoint");
    case HEARTH_ERROR_TIMEOUT:
      return _("Check that the server is running and not overloaded, then try again");
    case HEARTH_ERROR_TLS:
      return _("Check the server's certificate, or use http:// for a local server");
    case HEARTH_ERROR_UNAUTHORIZED:
      return _("Check the API key for this server");
    case HEARTH_ERROR_MODEL_NOT_FOUND:
      return _("Pull it first (hearth-cli pull MODEL) or choose an installed model");
    case HEARTH_ERROR_NO_MODEL:
      return _("Pull a model first (hearth-cli pull MODEL)");
    case HEARTH_ERROR_RATE_LIMITED:
      return _("Wait a little and try again");
    case HEARTH_ERROR_SERVER_BUSY:
      return _("The server's queue is full: wait a little and try again");
    case HEARTH_ERROR_SERVER_ERROR:
      return _("Check the server's log, then try again");
    case HEARTH_ERROR_BROKEN_STREAM:
      return _("Check the server and try again");
    case HEARTH_ERROR_MALFORMED_STREAM:
      return _("Check that the endpoint and API kind match the server");
    case HEARTH_ERROR_CANCELLED:
      return _("Ask again when you are ready");
    case HEARTH_ERROR_KEYRING_UNAVAILABLE:
      return _("Start a keyring such as GNOME Keyring, or set HEARTH_API_KEY for this session");
    case HEARTH_ERROR_KEYRING_LOCKED:
      return _("Unlock the keyring when asked, then try again");
    case HEARTH_ERROR_NOT_SUPPORTED:
      return _("Do it on the server itself, or use a server that speaks Ollama's API");
    case HEARTH_ERROR_INVALID_KEY:
      return _("Copy the key again, without line breaks or spaces, and set it once more");
    case HEARTH_ERROR_WEBHOOK:
      /* What to do depends on what the webhook answered: the message says it. */
      return "";
    case HEARTH_ERROR_QUEUE_FULL:
      return _("Try again in a few seconds, or raise the server's queue limit");
    case HEARTH_ERROR_ALREADY_RUNNING:
      return _("Add the running server to the list instead, or ask for another one anyway");
    case HEARTH_ERROR_FAILED:
    default:
      return _("Try again, and report a bug if it keeps happening");
    }
}

static char *
strip_final_period (const char *text)
{
  g_autofree char *copy = g_strstrip (g_strdup (text ? text : ""));
  gsize len = strlen (copy);

  while (len > 0 && (copy[len - 1] == '.' || copy[len - 1] == '\n'))
    copy[--len] = '\0';
  return g_steal_pointer (&copy);
}

/* One line: "<what happened>. <what to do>." */
char *
hearth_error_describe (const GError *error)
{
  g_autofree char *what = NULL;
  g_autofree char *action = NULL;
  g_autofree char *line = NULL;

  g_return_val_if_fail (error != NULL, NULL);

  what = strip_final_period (error->message);
  action = strip_final_period (hearth_error_get_action (error));
  if (*action == '\0')
    line = g_strdup_printf ("%s.", what);
  else
    line = g_strdup_printf ("%s. %s.", what, action);
  /* Never more than one line, whatever the server sent. */
  g_strdelimit (line, "\r\n", ' ');
  return g_steal_pointer (&line);
}

int
hearth_error_exit_code (const GError *error)
{
  if (error == NULL)
    return 0;
  if (error->domain != HEARTH_ERROR)
    return 1;

  switch ((HearthErrorCode) error->code)
    {
    case HEARTH_ERROR_INVALID_ARGUMENT:
    case HEARTH_ERROR_INVALID_KEY:
      return 2;
    case HEARTH_ERROR_CONNECTION_REFUSED:
    case HEARTH_ERROR_HOST_NOT_FOUND:
    case HEARTH_ERROR_TIMEOUT:
    case HEARTH_ERROR_TLS:
      return 3;
    case HEARTH_ERROR_MODEL_NOT_FOUND:
    case HEARTH_ERROR_NO_MODEL:
      return 4;
    case HEARTH_ERROR_SERVER_BUSY:
    case HEARTH_ERROR_QUEUE_FULL:
    case HEARTH_ERROR_SERVER_ERROR:
    case HEARTH_ERROR_BROKEN_STREAM:
    case HEARTH_ERROR_MALFORMED_STREAM:
      return 5;
    case HEARTH_ERROR_UNAUTHORIZED:
      return 6;
    case HEARTH_ERROR_RATE_LIMITED:
      return 7;
    case HEARTH_ERROR_CANCELLED:
      return 130;
    case HEARTH_ERROR_NOT_SUPPORTED:
      return 8;
    case HEARTH_ERROR_KEYRING_UNAVAILABLE:
    case HEARTH_ERROR_KEYRING_LOCKED:
    case HEARTH_ERROR_WEBHOOK:
    case HEARTH_ERROR_ALREADY_RUNNING:
    case HEARTH_ERROR_FAILED:
    default:
      return 1;
    }
}

/* Only failures that happen before any text arrived may be retried. */
gboolean
hearth_error_is_retryable (const GError *error)
{
  return g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_CONNECTION_REFUSED) ||
         g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_RATE_LIMITED) ||
         g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_SERVER_BUSY);
}

/* Nothing answered: the server is down, the address is wrong, or it is silent. */
gboolean
hearth_error_is_unreachable (const GError *error)
{
  return g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_CONNECTION_REFUSED) ||
         g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_HOST_NOT_FOUND) ||
         g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_TIMEOUT) ||
         g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_TLS);
}

/* Hearth's own "cancelled" and GIO's are one thing to a front end. */
gboolean
hearth_error_is_cancelled (const GError *error)
{
  return g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_CANCELLED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

gboolean
hearth_error_is_not_supported (const GError *error)
{
  return g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_NOT_SUPPORTED);
}

/* The message inside {"error":"…"} or {"error":{"message":"…"}}, else the
 * body; @type is set to the error's "type" when it has one (Anthropic's
 * {"type":"error","error":{"type":"not_found_error","message":"…"}}). */
static char *
extract_server_message (const char  *body,
                        char       **type)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *object;
  JsonNode *err;

  if (body == NULL || *body == '\0')
    return NULL;
  if (!hearth_json_parser_load (parser, body, -1, NULL))
    goto plain;
  /* Blank text parses, to no root at all. */
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    goto plain;
  object = json_node_get_object (root);
  err = json_object_get_member (object, "error");
  if (err == NULL)
    goto plain;
  if (JSON_NODE_HOLDS_VALUE (err) && json_node_get_value_type (err) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (err));
  if (JSON_NODE_HOLDS_OBJECT (err))
    {
      const char *msg = hearth_json_get_string (json_node_get_object (err), "message");

      *type = g_strdup (hearth_json_get_string (json_node_get_object (err), "type"));
      if (msg != NULL)
        return g_strdup (msg);
    }

plain:
  if (g_utf8_validate (body, -1, NULL) && strlen (body) < 300)
    return g_strstrip (g_strdup (body));
  return NULL;
}

static gboolean
message_means_model_not_found (const char *message)
{
  g_autofree char *lower = message ? g_ascii_strdown (message, -1) : NULL;

  if (lower == NULL)
    return FALSE;
  return (strstr (lower, "model") != NULL &&
          (strstr (lower, "not found") != NULL || strstr (lower, "does not exist") != NULL)) ||
         strstr (lower, "model_not_found") != NULL;
}

GError *
hearth_error_from_server_message (const char *message,
                                  const char *model)
{
  if (message_means_model_not_found (message))
    {
      if (model != NULL)
        return g_error_new (HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND,
                            _("The model “%s” is not installed on the server"), model);
      return g_error_new (HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND,
                          _("The server does not have that model (%s)"), message);
    }
  return g_error_new (HEARTH_ERROR, HEARTH_ERROR_SERVER_ERROR,
                      _("The server reported an error: %s"), message ? message : "unknown error");
}

/* Written by hearth_error_from_http () and read back by
 * hearth_error_is_client_error (). */
#define ANSWERED_HTTP " answered HTTP "

GError *
hearth_error_from_http (guint       status,
                        const char *body,
                        const char *endpoint,
                        const char *model)
{
  g_autofree char *type = NULL;
  g_autofree char *message = extract_server_message (body, &type);
  const char *detail = message ? message : "no details";

  if (status == 401 || status == 403)
    return g_error_new (HEARTH_ERROR, HEARTH_ERROR_UNAUTHORIZED,
                        _("The server at %s refused the request (HTTP %u: %s)"),
                        endpoint, status, detail);
  if (status == 404 && (model != NULL || message_means_model_not_found (message)) &&
      (message == NULL || message_means_model_not_found (message)))
    return hearth_error_from_server_message (message ? message : "model not found", model);
  /* Anthropic names the missing model only as "model: NAME". */
  if (status == 404 && model != NULL && g_strcmp0 (type, "not_found_error") == 0)
    return g_error_new (HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND,
                        _("The server at %s has no model “%s” (%s)"), endpoint, model, detail);
  if (status == 404)
    return g_error_new (HEARTH_ERROR, HEARTH_ERROR_SERVER_ERROR,
                        _("The server at %s has no such API (HTTP 404)"), endpoint);
  if (status == 429)
    return g_error_new (HEARTH_ERROR, HEARTH_ERROR_RATE_LIMITED,
                        _("The server at %s is rate limiting requests (HTTP 429)"), endpoint);
  if (status == 503)
    return g_error_new (HEARTH_ERROR, HEARTH_ERROR_SERVER_BUSY,
                        _("The server at %s is busy (HTTP 503: %s)"), endpoint, detail);
  /* Anthropic's "overloaded_error": too many requests for everyone, not for this key. */
  if (status == 529 || g_strcmp0 (type, "overloaded_error") == 0)
    return g_error_new (HEARTH_ERROR, HEARTH_ERROR_SERVER_BUSY,
                        _("The server at %s is overloaded (HTTP %u: %s)"), endpoint, status, detail);
  if (status == 400 && message_means_model_not_found (message))
    return hearth_error_from_server_message (message, model);
  return g_error_new (HEARTH_ERROR, HEARTH_ERROR_SERVER_ERROR,
                      "The server at %s" ANSWERED_HTTP "%u: %s", endpoint, status, detail);
}

/**
 * hearth_error_is_client_error:
 *
 * Whether @error is a server's 4xx answer (a SERVER_ERROR that
 * hearth_error_from_http () made from a status it has no code of its own
 * for): the request's fault, not the server's, so the same request would
 * fail on any server.
 */
gboolean
hearth_error_is_client_error (const GError *error)
{
  const char *status;
  guint64 code;

  if (!g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_SERVER_ERROR) ||
      (status = strstr (error->message, ANSWERED_HTTP)) == NULL)
    return FALSE;
  code = g_ascii_strtoull (status + strlen (ANSWERED_HTTP), NULL, 10);
  return code >= 400 && code < 500;
}

GError *
hearth_error_from_io (const GError *io_error,
                      const char   *endpoint)
{
  const char *what = io_error ? io_error->message : "unknown error";

  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_CANCELLED, _("Cancelled"));
  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (HEARTH_ERROR, HEARTH_ERROR_CONNECTION_REFUSED,
                        _("Could not connect to %s: nothing is listening there"), endpoint);
  if (io_error != NULL && io_error->domain == G_RESOLVER_ERROR)
    return g_error_new (HEARTH_ERROR, HEARTH_ERROR_HOST_NOT_FOUND,
                        _("Could not find the host of %s (%s)"), endpoint, what);
  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (HEARTH_ERROR, HEARTH_ERROR_TIMEOUT,
                        _("The server at %s did not answer in time"), endpoint);
  if (io_error != NULL && io_error->domain == G_TLS_ERROR)
    return g_error_new (HEARTH_ERROR, HEARTH_ERROR_TLS,
                        _("A secure connection to %s failed (%s)"), endpoint, what);
  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
      g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
    return g_error_new (HEARTH_ERROR, HEARTH_ERROR_CONNECTION_REFUSED,
                        _("Could not reach %s (%s)"), endpoint, what);
  return g_error_new (HEARTH_ERROR, HEARTH_ERROR_BROKEN_STREAM,
                      _("The connection to %s broke (%s)"), endpoint, what);
}

/**
 * hearth_error_get_class:
 *
 * Returns: a short, stable name for the kind of failure, as the metrics
 *   and their exports record it: "connection-refused", "host-not-found",
 *   "timeout", "tls", "unauthorized", "model-not-found", "rate-limited",
 *   "server-busy", "server-error", "broken-stream", "malformed-stream",
 *   "cancelled", "no-model", "invalid-argument", "keyring", "not-supported",
 *   "invalid-key", "webhook", or "other"
 */
const char *
hearth_error_get_class (const GError *error)
{
  g_return_val_if_fail (error != NULL, "other");

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return "cancelled";
  if (error->domain != HEARTH_ERROR)
    return "other";
  switch ((HearthErrorCode) error->code)
    {
    case HEARTH_ERROR_INVALID_ARGUMENT: return "invalid-argument";
    case HEARTH_ERROR_CONNECTION_REFUSED: return "connection-refused";
    case HEARTH_ERROR_HOST_NOT_FOUND: return "host-not-found";
    case HEARTH_ERROR_TIMEOUT: return "timeout";
    case HEARTH_ERROR_TLS: return "tls";
    case HEARTH_ERROR_UNAUTHORIZED: return "unauthorized";
    case HEARTH_ERROR_MODEL_NOT_FOUND: return "model-not-found";
    case HEARTH_ERROR_RATE_LIMITED: return "rate-limited";
    case HEARTH_ERROR_SERVER_BUSY: return "server-busy";
    case HEARTH_ERROR_SERVER_ERROR: return "server-error";
    case HEARTH_ERROR_BROKEN_STREAM: return "broken-stream";
    case HEARTH_ERROR_MALFORMED_STREAM: return "malformed-stream";
    case HEARTH_ERROR_CANCELLED: return "cancelled";
    case HEARTH_ERROR_NO_MODEL: return "no-model";
    case HEARTH_ERROR_KEYRING_UNAVAILABLE:
    case HEARTH_ERROR_KEYRING_LOCKED: return "keyring";
    case HEARTH_ERROR_NOT_SUPPORTED: return "not-supported";
    case HEARTH_ERROR_INVALID_KEY: return "invalid-key";
    case HEARTH_ERROR_WEBHOOK: return "webhook";
    case HEARTH_ERROR_QUEUE_FULL: return "queue-full";
    case HEARTH_ERROR_ALREADY_RUNNING: return "already-running";
    case HEARTH_ERROR_FAILED:
    default:
      return "other";
    }
}

/**
 * hearth_error_set_invalid:
 *
 * For checks of what a user typed or a file held: the sentence says what is
 * wrong and what to use instead.
 *
 * Returns: %FALSE, so a check can end with `return hearth_error_set_invalid (…)`
 */
gboolean
hearth_error_set_invalid (GError     **error,
                          const char  *format,
                          ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT, message);
  return FALSE;
}
