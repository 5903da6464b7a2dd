/* test-errors.c — endpoint parsing and the error sentences people read
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>

#include "hearth-endpoint.h"
#include "hearth-error.h"
#include "hearth-http.h"
#include "hearth-test-util.h"

static void
test_endpoint_forms (void)
{
  const struct { const char *in; HearthApiKind api; const char *out; } cases[] = {
    { "localhost", HEARTH_API_OLLAMA, "http://localhost:11434" },
    { "example.com:8080", HEARTH_API_OLLAMA, "http://example.com:8080" },
    { "http://example.com", HEARTH_API_OLLAMA, "http://example.com:80" },
    { "https://example.com", HEARTH_API_OLLAMA, "https://example.com:443" },
    { "http://127.0.0.1:11434/", HEARTH_API_OLLAMA, "http://127.0.0.1:11434" },
    { "0.0.0.0", HEARTH_API_OLLAMA, "http://127.0.0.1:11434" },
    { "0.0.0.0:9999", HEARTH_API_OLLAMA, "http://127.0.0.1:9999" },
    { "  127.0.0.1:1234  ", HEARTH_API_OPENAI, "http://127.0.0.1:1234" },
    { "http://127.0.0.1:8080/v1", HEARTH_API_OPENAI, "http://127.0.0.1:8080" },
    { "http://127.0.0.1:8080/v1/", HEARTH_API_OPENAI, "http://127.0.0.1:8080" },
    { "http://host:8000/proxy/v1", HEARTH_API_OPENAI, "http://host:8000/proxy" },
    { "[::1]:11434", HEARTH_API_OLLAMA, "http://[::1]:11434" },
    { "HTTP://Example.com:1", HEARTH_API_OLLAMA, "http://Example.com:1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = hearth_endpoint_normalize (cases[i].in, cases[i].api, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (url, ==, cases[i].out);
    }
}

static void
test_endpoint_invalid (void)
{
  const char *bad[] = { "", "ftp://host", "http://", "host:0", "host:99999", "host:abc",
                        "two words", "http://user@host:1", "[::1" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = hearth_endpoint_normalize (bad[i], HEARTH_API_OLLAMA, &error);

      g_assert_null (url);
      g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
      g_assert_cmpint (hearth_error_exit_code (error), ==, 2);
    }
}

static void
test_endpoint_precedence (void)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autofree char *d = NULL;

  g_setenv ("OLLAMA_HOST", "envhost:1111", TRUE);
  a = hearth_endpoint_resolve ("cli:2222", HEARTH_API_OLLAMA, NULL, NULL);
  b = hearth_endpoint_resolve (NULL, HEARTH_API_OLLAMA, NULL, NULL);
  /* OLLAMA_HOST speaks for Ollama only. */
  c = hearth_endpoint_resolve (NULL, HEARTH_API_OPENAI, NULL, NULL);
  g_unsetenv ("OLLAMA_HOST");
  d = hearth_endpoint_resolve (NULL, HEARTH_API_OLLAMA, NULL, NULL);

  g_assert_cmpstr (a, ==, "http://cli:2222");
  g_assert_cmpstr (b, ==, "http://envhost:1111");
  g_assert_cmpstr (c, ==, HEARTH_DEFAULT_ENDPOINT);
  g_assert_cmpstr (d, ==, HEARTH_DEFAULT_ENDPOINT);
}

static void
assert_sentence (const GError *error)
{
  g_autofree char *line = hearth_error_describe (error);

  g_assert_nonnull (line);
  g_assert_null (strchr (line, '\n'));
  g_assert_true (g_str_has_suffix (line, "."));
  g_assert_null (strstr (line, ".."));
  /* What happened, then what to do. */
  g_assert_true (g_str_has_prefix (line, error->message) ||
                 strncmp (line, error->message, strlen (error->message) - 1) == 0);
  g_assert_cmpuint (strlen (line), >, strlen (error->message) + 10);
}

static void
test_http_mapping (void)
{
  const struct { guint status; const char *body; const char *model; HearthErrorCode code; int exit_code; } cases[] = {
    { 401, "{\"error\":\"unauthorized\"}", NULL, HEARTH_ERROR_UNAUTHORIZED, 6 },
    { 403, "", NULL, HEARTH_ERROR_UNAUTHORIZED, 6 },
    { 404, "{\"error\":\"model \\\"x\\\" not found, try pulling it first\"}", "x", HEARTH_ERROR_MODEL_NOT_FOUND, 4 },
    { 404, "{\"error\":{\"message\":\"The model `x` does not exist\",\"code\":\"model_not_found\"}}", "x", HEARTH_ERROR_MODEL_NOT_FOUND, 4 },
    { 404, "404 page not found", NULL, HEARTH_ERROR_SERVER_ERROR, 5 },
    { 429, "{\"error\":\"slow down\"}", "x", HEARTH_ERROR_RATE_LIMITED, 7 },
    { 503, "{\"error\":\"server busy, please try again.  maximum pending requests exceeded\"}", "x", HEARTH_ERROR_SERVER_BUSY, 5 },
    { 500, "{\"error\":\"something broke\"}", "x", HEARTH_ERROR_SERVER_ERROR, 5 },
    { 502, "<html>bad gateway</html>", "x", HEARTH_ERROR_SERVER_ERROR, 5 },
    { 400, "{\"error\":\"invalid options\"}", "x", HEARTH_ERROR_SERVER_ERROR, 5 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = hearth_error_from_http (cases[i].status, cases[i].body,
                                                        "http://h:1", cases[i].model);

      g_assert_error (error, HEARTH_ERROR, cases[i].code);
      g_assert_cmpint (hearth_error_exit_code (error), ==, cases[i].exit_code);
      assert_sentence (error);
    }
}

static void
test_io_mapping (void)
{
  const struct { GQuark domain; int code; HearthErrorCode expected; int exit_code; } cases[] = {
    { 0, G_IO_ERROR_CONNECTION_REFUSED, HEARTH_ERROR_CONNECTION_REFUSED, 3 },
    { 0, G_IO_ERROR_TIMED_OUT, HEARTH_ERROR_TIMEOUT, 3 },
    { 0, G_IO_ERROR_CANCELLED, HEARTH_ERROR_CANCELLED, 130 },
    { 0, G_IO_ERROR_BROKEN_PIPE, HEARTH_ERROR_BROKEN_STREAM, 5 },
    { 0, G_IO_ERROR_PARTIAL_INPUT, HEARTH_ERROR_BROKEN_STREAM, 5 },
    { 1, G_RESOLVER_ERROR_NOT_FOUND, HEARTH_ERROR_HOST_NOT_FOUND, 3 },
    { 2, G_TLS_ERROR_BAD_CERTIFICATE, HEARTH_ERROR_TLS, 3 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GQuark domain = cases[i].domain == 0 ? G_IO_ERROR
                      : cases[i].domain == 1 ? G_RESOLVER_ERROR : G_TLS_ERROR;
      g_autoptr(GError) io = g_error_new_literal (domain, cases[i].code, "low-level detail");
      g_autoptr(GError) error = hearth_error_from_io (io, "http://h:1");

      g_assert_error (error, HEARTH_ERROR, cases[i].expected);
      g_assert_cmpint (hearth_error_exit_code (error), ==, cases[i].exit_code);
      assert_sentence (error);
    }
}

static void
test_retryable (void)
{
  g_autoptr(GError) refused = g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_CONNECTION_REFUSED, "x");
  g_autoptr(GError) limited = g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_RATE_LIMITED, "x");
  g_autoptr(GError) busy = g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_SERVER_BUSY, "x");
  g_autoptr(GError) broken = g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_BROKEN_STREAM, "x");
  g_autoptr(GError) missing = g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND, "x");
  g_autoptr(GError) server = g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_SERVER_ERROR, "x");

  g_assert_true (hearth_error_is_retryable (refused));
  g_assert_true (hearth_error_is_retryable (limited));
  g_assert_true (hearth_error_is_retryable (busy));
  g_assert_false (hearth_error_is_retryable (broken));
  g_assert_false (hearth_error_is_retryable (missing));
  g_assert_false (hearth_error_is_retryable (server));
}

static void
test_describe_is_one_line (void)
{
  g_autoptr(GError) error = hearth_error_from_server_message ("line one\nline two\r\n", NULL);
  g_autofree char *line = hearth_error_describe (error);

  g_assert_null (strchr (line, '\n'));
  g_assert_null (strchr (line, '\r'));
  g_assert_nonnull (strstr (line, "line one"));
}

static void
test_retry_after (void)
{
  g_autoptr(GDateTime) later = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) in_ten = g_date_time_add_seconds (later, 10);
  g_autofree char *http_date = g_date_time_format (in_ten, "%a, %d %b %Y %H:%M:%S GMT");
  guint from_date = hearth_http_parse_retry_after (http_date);

  g_assert_cmpuint (hearth_http_parse_retry_after ("3"), ==, 3);
  g_assert_cmpuint (hearth_http_parse_retry_after ("0"), ==, 0);
  g_assert_cmpuint (hearth_http_parse_retry_after (NULL), ==, 0);
  g_assert_cmpuint (hearth_http_parse_retry_after ("soon"), ==, 0);
  g_assert_cmpuint (from_date, >=, 8);
  g_assert_cmpuint (from_date, <=, 11);
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);
  g_test_add_func ("/endpoint/forms", test_endpoint_forms);
  g_test_add_func ("/endpoint/invalid", test_endpoint_invalid);
  g_test_add_func ("/endpoint/precedence", test_endpoint_precedence);
  g_test_add_func ("/error/http", test_http_mapping);
  g_test_add_func ("/error/io", test_io_mapping);
  g_test_add_func ("/error/retryable", test_retryable);
  g_test_add_func ("/error/one-line", test_describe_is_one_line);
  g_test_add_func ("/error/retry-after", test_retry_after);
  return g_test_run ();
}
