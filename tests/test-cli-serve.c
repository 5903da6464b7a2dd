/* test-cli-serve.c — hearth-cli serve as a user runs it, in front of the
 * real test engine: where it says to point clients, what a client gets
 * there, its log line per request, SIGTERM, a port in use, the token
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>

#include "hearth-test-server.h"
#include "hearth-test-util.h"

#define MODEL "tiny-fixed"
#define AGENT "test-cli-serve/1.0"

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *out;
  char             *url;
  char             *banner;   /* what it printed before the first request */
} Serve;

static void
serve_free (Serve *serve)
{
  /* a failed assertion leaves it running */
  if (serve->process != NULL && g_subprocess_get_identifier (serve->process) != NULL)
    {
      g_subprocess_force_exit (serve->process);
      g_subprocess_wait (serve->process, NULL, NULL);
    }
  g_clear_object (&serve->out);
  g_clear_object (&serve->process);
  g_free (serve->url);
  g_free (serve->banner);
  g_free (serve);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Serve, serve_free)

static void
add_server (const char *name,
            const char *url)
{
  g_autoptr(HearthTestRun) run = hearth_test_run_cli (NULL, "servers", "add", name, "--url", url,
                                                      "--api", "ollama", NULL);

  g_assert_cmpint (run->exit_code, ==, 0);
}

static char *
read_line (Serve *serve)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_utf8 (serve->out, NULL, NULL, &error);

  g_assert_no_error (error);
  return line;
}

/* hearth-cli serve ARGS…, once it says where it listens */
static Serve *
serve_start (const char *first_arg,
             ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) banner = g_string_new (NULL);
  Serve *serve = g_new0 (Serve, 1);
  va_list ap;

  g_ptr_array_add (argv, g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "src", "hearth-cli",
                                           NULL));
  g_ptr_array_add (argv, g_strdup ("serve"));
  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  serve->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                      G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                      G_SUBPROCESS_FLAGS_STDERR_MERGE, &error);
  g_assert_no_error (error);
  serve->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (serve->process));
  /* the banner: the address, then how Ollama and OpenAI clients reach it */
  for (guint i = 0; i < 50 && !strstr (banner->str, "Ctrl+C stops"); i++)
    {
      g_autofree char *line = read_line (serve);

      g_assert_nonnull (line);
      g_string_append_printf (banner, "%s\n", line);
      if (g_str_has_prefix (line, "Serving the API at "))
        serve->url = g_strndup (line + strlen ("Serving the API at "),
                                strcspn (line + strlen ("Serving the API at "), " "));
    }
  g_test_message ("serve said:\n%s", banner->str);
  g_assert_nonnull (serve->url);
  serve->banner = g_string_free (g_steal_pointer (&banner), FALSE);
  return serve;
}

/* Exits as it should on SIGTERM: 0, with what it served. */
static char *
serve_stop (Serve *serve)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) rest = g_string_new (NULL);
  char *line;

  g_subprocess_send_signal (serve->process, SIGTERM);
  while ((line = read_line (serve)) != NULL)
    {
      g_string_append_printf (rest, "%s\n", line);
      g_free (line);
    }
  g_subprocess_wait (serve->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (serve->process));
  g_assert_cmpint (g_subprocess_get_exit_status (serve->process), ==, 0);
  return g_string_free (g_steal_pointer (&rest), FALSE);
}

static JsonObject *
request_json (const char  *method,
              const char  *url,
              const char  *body,
              const char  *token,
              guint        expect_status,
              SoupMessage **out_msg,
              JsonNode   **root)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("user-agent", AGENT,
                                                                  "timeout", 120, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  if (token != NULL)
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    value);
    }
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("%s %s → %u %.*s", method, url, soup_message_get_status (msg),
                  (int) MIN (g_bytes_get_size (reply), 300),
                  (const char *) g_bytes_get_data (reply, NULL));
  g_assert_cmpuint (soup_message_get_status (msg), ==, expect_status);
  *root = json_from_string (g_bytes_get_data (reply, NULL), &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (*root));
  if (out_msg != NULL)
    *out_msg = g_object_ref (msg);
  return json_node_get_object (*root);
}

static void
test_serve_chat (void)
{
  g_autoptr(Serve) serve = NULL;
  g_autoptr(JsonNode) version = NULL, chat = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *url = NULL;
  g_autofree char *log = NULL;
  g_autofree char *summary = NULL;
  JsonObject *o;

  if (!hearth_test_require_node ())
    return;
  add_server ("engine", hearth_test_engine_url ());
  serve = serve_start ("--listen", "127.0.0.1:0", "--server", "engine", NULL);
  g_assert_true (g_str_has_prefix (serve->url, "http://127.0.0.1:"));
  /* how to point clients at it, with the port it got */
  g_assert_nonnull (strstr (serve->banner, "OLLAMA_HOST="));
  g_assert_nonnull (strstr (serve->banner, serve->url));
  g_assert_nonnull (strstr (serve->banner, "/v1"));

  url = g_strdup_printf ("%s/api/version", serve->url);
  o = request_json ("GET", url, NULL, NULL, 200, NULL, &version);
  g_assert_true (json_object_has_member (o, "version"));
  g_clear_pointer (&url, g_free);
  /* its log line: the request, its answer and who asked */
  log = read_line (serve);
  g_assert_nonnull (strstr (log, "GET /api/version 200"));
  g_assert_nonnull (strstr (log, "client=\"" AGENT "\""));
  g_clear_pointer (&log, g_free);

  url = g_strdup_printf ("%s/api/chat", serve->url);
  o = request_json ("POST", url,
                    "{\"model\":\"" MODEL "\",\"stream\":false,\"messages\":"
                    "[{\"role\":\"user\",\"content\":\"Say hello\"}]}",
                    NULL, 200, &msg, &chat);
  g_assert_cmpuint (strlen (json_object_get_string_member (
                      json_object_get_object_member (o, "message"), "content")), >, 0);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                 "X-Hearth-Server"), ==, "engine");
  log = read_line (serve);
  g_test_message ("log: %s", log);
  g_assert_nonnull (strstr (log, "POST /api/chat 200"));
  g_assert_nonnull (strstr (log, "client=\"" AGENT "\""));
  g_assert_nonnull (strstr (log, "server=engine"));
  g_assert_nonnull (strstr (log, MODEL));

  summary = serve_stop (serve);
  g_test_message ("at exit: %s", summary);
  g_assert_nonnull (strstr (summary, "Served 2 requests"));
}

static void
test_port_in_use (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthTestRun) run = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *port_text = NULL;
  guint16 port;

  /* another program on the port */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  listen = g_strdup_printf ("127.0.0.1:%u", port);
  port_text = g_strdup_printf ("%u", port);

  run = hearth_test_run_cli (NULL, "serve", "--listen", listen, NULL);
  g_test_message ("exit %d: %s%s", run->exit_code, run->out, run->err);
  g_assert_cmpint (run->exit_code, ==, 1);
  hearth_test_assert_one_line (run->err);
  g_assert_nonnull (strstr (run->err, port_text));
  g_assert_nonnull (strstr (run->err, "--listen"));
  g_assert_null (strstr (run->out, "Serving"));
}

static void
test_bad_arguments (void)
{
  g_autoptr(HearthTestRun) address = NULL, unknown = NULL;

  address = hearth_test_run_cli (NULL, "serve", "--listen", "127.0.0.1:99999", NULL);
  g_assert_cmpint (address->exit_code, ==, 2);
  hearth_test_assert_one_line (address->err);
  g_assert_nonnull (strstr (address->err, "99999"));

  add_server ("only", "http://127.0.0.1:9");
  unknown = hearth_test_run_cli (NULL, "serve", "--listen", "127.0.0.1:0", "--server", "nosuch",
                                 NULL);
  g_assert_cmpint (unknown->exit_code, !=, 0);
  g_assert_nonnull (strstr (unknown->err, "nosuch"));
  g_assert_nonnull (strstr (unknown->err, "only"));
}

/* Off loopback: said loudly, and a request without the token is refused */
static void
test_token (void)
{
  g_autoptr(Serve) serve = NULL;
  g_autoptr(JsonNode) refused = NULL, allowed = NULL;
  g_autofree char *url = NULL;
  g_autofree char *port = NULL;
  g_autofree char *local = NULL;
  const char *line;
  g_autofree char *token = NULL;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("No session bus with a keyring: run under build-aux/test-session");
      return;
    }
  serve = serve_start ("--listen", "0.0.0.0:0", "--print-token", NULL);
  g_assert_nonnull (strstr (serve->banner, "WARNING"));
  line = strstr (serve->banner, "Authorization: Bearer ");
  g_assert_nonnull (line);
  token = g_strndup (line + strlen ("Authorization: Bearer "),
                     strcspn (line + strlen ("Authorization: Bearer "), "\n"));
  g_assert_cmpuint (strlen (token), >=, 32);
  port = g_strdup (strrchr (serve->url, ':') + 1);
  local = g_strdup_printf ("http://127.0.0.1:%s/api/version", port);
  request_json ("GET", local, NULL, NULL, 401, NULL, &refused);
  request_json ("GET", local, NULL, token, 200, NULL, &allowed);
  g_free (serve_stop (serve));
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);

  g_test_add_func ("/cli-serve/chat", test_serve_chat);
  g_test_add_func ("/cli-serve/port-in-use", test_port_in_use);
  g_test_add_func ("/cli-serve/bad-arguments", test_bad_arguments);
  g_test_add_func ("/cli-serve/token", test_token);

  return g_test_run ();
}
