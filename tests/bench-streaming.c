/* bench-streaming.c — what streaming costs hearth-cli, beside ollama-js and raw HTTP
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Figures are printed, never asserted:
 *   the CPU time per token of hearth-cli and of the official ollama-js client
 *   consuming the same 10,000-token NDJSON stream, and their ratio;
 *   the time to first token seen from outside hearth-cli against a raw HTTP
 *   request to the same server, and the difference;
 *   the throughput and peak memory of hearth-cli on a long reply (about 5 MB)
 *   against a short one, and over the last 5 s of the long one.
 */
#include <gio/gio.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hearth-test-server.h"
#include "hearth-test-util.h"

#define RUNS 7
#define TTFT_RUNS 25

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof *values, compare_doubles);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* Runs argv to completion; returns the child's user+system CPU in ms. */
static double
child_cpu_ms (char  **argv,
              char  **out)
{
  int pipefd[2];
  struct rusage usage;
  int status;
  pid_t pid;
  GString *buffer = g_string_new (NULL);
  char chunk[65536];
  ssize_t n;

  g_assert_cmpint (pipe (pipefd), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      dup2 (pipefd[1], STDOUT_FILENO);
      close (pipefd[0]);
      close (pipefd[1]);
      execvp (argv[0], argv);
      _exit (127);
    }
  close (pipefd[1]);
  while ((n = read (pipefd[0], chunk, sizeof chunk)) > 0)
    g_string_append_len (buffer, chunk, n);
  close (pipefd[0]);
  g_assert_cmpint (wait4 (pid, &status, 0, &usage), ==, pid);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("%s failed (status %d)", argv[0], status);
  if (out != NULL)
    *out = g_string_free (g_steal_pointer (&buffer), FALSE);
  else
    g_string_free (buffer, TRUE);
  return usage.ru_utime.tv_sec * 1e3 + usage.ru_utime.tv_usec / 1e3 +
         usage.ru_stime.tv_sec * 1e3 + usage.ru_stime.tv_usec / 1e3;
}

static char *
cli_path (void)
{
  return g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "src", "hearth-cli", NULL);
}

static void
bench_streaming_cost (void)
{
  const char *no_args[] = { NULL };
  g_autoptr(HearthTestServer) server = hearth_test_server_start ("bench-ndjson-server.mjs", no_args);
  g_autofree char *cli = cli_path ();
  g_autofree char *script = g_build_filename (g_getenv ("HEARTH_SOURCE_DIR"), "tests", "engine",
                                              "bench-ollama-js.mjs", NULL);
  double hearth[RUNS], js_process[RUNS], js_stream[RUNS];
  gsize text_len = 0;
  guint64 tokens = 0;

  for (guint i = 0; i < RUNS; i++)
    {
      char *hearth_argv[] = { cli, (char *) "ask", (char *) "--endpoint",
                              (char *) hearth_test_server_get_url (server), (char *) "--model",
                              (char *) "bench", (char *) "benchmark", NULL };
      char *js_argv[] = { (char *) "node", script, (char *) hearth_test_server_get_url (server),
                          (char *) "bench", NULL };
      g_autofree char *text = NULL;
      g_autofree char *report = NULL;
      g_auto(GStrv) lines = NULL;

      hearth[i] = child_cpu_ms (hearth_argv, &text);
      text_len = strlen (text);
      js_process[i] = child_cpu_ms (js_argv, &report);
      lines = g_strsplit (report, "\n", -1);
      for (guint l = 0; lines[l]; l++)
        {
          if (g_str_has_prefix (lines[l], "cpu_ms: "))
            js_stream[i] = g_ascii_strtod (lines[l] + 8, NULL);
          if (g_str_has_prefix (lines[l], "tokens: "))
            tokens = g_ascii_strtoull (lines[l] + 8, NULL, 10);
        }
    }

  g_assert_cmpuint (tokens, >, 0);
  {
    double h = median (hearth, RUNS) * 1000 / tokens;
    double jp = median (js_process, RUNS) * 1000 / tokens;
    double js = median (js_stream, RUNS) * 1000 / tokens;

    g_print ("streaming-tokens: %" G_GUINT64_FORMAT " tokens (%zu bytes of text)\n", tokens, text_len);
    g_print ("streaming-hearth-cli-cpu: %.2f us/token (whole process, with history writes)\n", h);
    g_print ("streaming-ollama-js-cpu: %.2f us/token (whole node process)\n", jp);
    g_print ("streaming-ollama-js-stream-cpu: %.2f us/token (inside the chat call only)\n", js);
    g_print ("streaming-ratio-hearth/ollama-js: %.3f (whole process), %.3f (vs stream only)\n",
             h / jp, h / js);
  }
}

/* The time from starting a request to the first byte of reply text. */

static double
raw_http_ttft_ms (const char *url)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *body = "{\"model\":\"ok\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  g_autofree char *request = NULL;
  GString *seen = g_string_new (NULL);
  char buffer[4096];
  gint64 start = g_get_monotonic_time ();
  gint64 first = 0;
  gssize n;

  connection = g_socket_client_connect_to_host (client, g_uri_get_host (uri), g_uri_get_port (uri),
                                                NULL, &error);
  g_assert_no_error (error);
  request = g_strdup_printf ("POST /api/chat HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
                             "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                             g_uri_get_host (uri), g_uri_get_port (uri), strlen (body), body);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), request,
                             strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  while ((n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)), buffer,
                                   sizeof buffer, NULL, NULL)) > 0)
    {
      g_string_append_len (seen, buffer, n);
      if (first == 0 && strstr (seen->str, "\"content\":\"Hello") != NULL)
        first = g_get_monotonic_time ();
    }
  g_string_free (seen, TRUE);
  g_assert_cmpint (first, >, 0);
  return (first - start) / 1000.0;
}

static double
cli_ttft_ms (const char *cli,
             const char *url)
{
  const char *argv[] = { cli, "ask", "--endpoint", url, "--model", "ok", "hi", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  char byte;
  gint64 start = g_get_monotonic_time ();
  gint64 first;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_input_stream_read (g_subprocess_get_stdout_pipe (process), &byte, 1, NULL, &error), ==, 1);
  first = g_get_monotonic_time ();
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
  return (first - start) / 1000.0;
}

/* hearth-cli's own figure: from sending the request to the first token. */
static double
cli_reported_ttft_ms (const char *cli,
                      const char *url)
{
  g_autoptr(HearthTestRun) run = hearth_test_run_cli (NULL, "ask", "--endpoint", url, "--model", "ok",
                                                      "--json", "hi", NULL);
  const char *field = strstr (run->out, "\"ttft_ms\":");

  g_assert_cmpint (run->exit_code, ==, 0);
  g_assert_nonnull (field);
  return g_ascii_strtod (field + strlen ("\"ttft_ms\":"), NULL);
}

static void
bench_ttft_overhead (void)
{
  const char *no_args[] = { NULL };
  g_autoptr(HearthTestServer) server = hearth_test_server_start ("fault-server.mjs", no_args);
  g_autofree char *cli = cli_path ();
  double raw[TTFT_RUNS], with_cli[TTFT_RUNS], reported[TTFT_RUNS];

  /* Warm both paths once. */
  raw_http_ttft_ms (hearth_test_server_get_url (server));
  cli_ttft_ms (cli, hearth_test_server_get_url (server));
  for (guint i = 0; i < TTFT_RUNS; i++)
    {
      raw[i] = raw_http_ttft_ms (hearth_test_server_get_url (server));
      with_cli[i] = cli_ttft_ms (cli, hearth_test_server_get_url (server));
      reported[i] = cli_reported_ttft_ms (cli, hearth_test_server_get_url (server));
    }
  g_print ("ttft-raw-http-p50: %.2f ms\n", median (raw, TTFT_RUNS));
  g_print ("ttft-hearth-cli-p50: %.2f ms (from exec, process start and history writes included)\n",
           median (with_cli, TTFT_RUNS));
  g_print ("ttft-hearth-cli-measured-p50: %.2f ms (request sent to first token, inside hearth-cli)\n",
           median (reported, TTFT_RUNS));
  g_print ("ttft-added-by-hearth-cli: %.2f ms from exec, %.2f ms from sending the request\n",
           median (with_cli, TTFT_RUNS) - median (raw, TTFT_RUNS),
           median (reported, TTFT_RUNS) - median (raw, TTFT_RUNS));
}

/* Throughput of a long reply against a short one: hearth-cli saves as it
 * streams, and a save must cost what arrived since the last one, not the
 * whole reply again. The long stream is cut after LONG_STREAM_S. */

#define LONG_STREAM_S 30

typedef struct
{
  gsize  bytes;
  double seconds;
  double last_5s_bytes_per_s;
  double max_rss_mb;
} StreamRun;

static StreamRun
run_stream (const char *cli,
            const char *url)
{
  char *argv[] = { (char *) cli, (char *) "ask", (char *) "--endpoint", (char *) url,
                   (char *) "--model", (char *) "bench", (char *) "go", NULL };
  g_autoptr(GArray) marks = g_array_new (FALSE, FALSE, sizeof (double) * 2);
  StreamRun run = { 0 };
  struct rusage usage;
  gint64 start = g_get_monotonic_time ();
  char chunk[65536];
  int pipefd[2];
  int status;
  pid_t pid;

  g_assert_cmpint (pipe (pipefd), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      dup2 (pipefd[1], STDOUT_FILENO);
      close (pipefd[0]);
      close (pipefd[1]);
      execvp (argv[0], argv);
      _exit (127);
    }
  close (pipefd[1]);
  for (;;)
    {
      struct pollfd fd = { pipefd[0], POLLIN, 0 };
      double now = (g_get_monotonic_time () - start) / 1e6;
      double mark[2] = { now, 0 };
      ssize_t n;

      if (now >= LONG_STREAM_S)
        {
          kill (pid, SIGINT);
          break;
        }
      if (poll (&fd, 1, 100) <= 0)
        continue;
      if ((n = read (pipefd[0], chunk, sizeof chunk)) <= 0)
        break;
      run.bytes += n;
      mark[1] = run.bytes;
      g_array_append_vals (marks, mark, 1);
    }
  run.seconds = (g_get_monotonic_time () - start) / 1e6;
  while (read (pipefd[0], chunk, sizeof chunk) > 0)
    ;
  close (pipefd[0]);
  g_assert_cmpint (wait4 (pid, &status, 0, &usage), ==, pid);
  run.max_rss_mb = usage.ru_maxrss / 1024.0;
  for (guint i = 0; i < marks->len; i++)
    {
      double *mark = &g_array_index (marks, double, 2 * i);

      if (mark[0] >= run.seconds - 5 || i + 1 == marks->len)
        {
          double span = run.seconds - mark[0];

          run.last_5s_bytes_per_s = span > 0 ? (run.bytes - mark[1]) / span : 0;
          break;
        }
    }
  return run;
}

static void
bench_long_stream (void)
{
  const char *short_args[] = { "--tokens", "10000", "--lines-per-write", "100", NULL };
  const char *long_args[] = { "--tokens", "1000000", "--lines-per-write", "100", NULL };
  g_autofree char *cli = cli_path ();
  StreamRun runs[2];

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(HearthTestServer) server = hearth_test_server_start ("bench-ndjson-server.mjs",
                                                                     i ? long_args : short_args);

      runs[i] = run_stream (cli, hearth_test_server_get_url (server));
    }
  g_print ("stream-short-throughput: %.2f MB/s (%zu bytes in %.2f s, max RSS %.1f MB)\n",
           runs[0].bytes / runs[0].seconds / 1e6, runs[0].bytes, runs[0].seconds, runs[0].max_rss_mb);
  g_print ("stream-long-throughput: %.2f MB/s (%zu bytes in %.2f s%s, max RSS %.1f MB)\n",
           runs[1].bytes / runs[1].seconds / 1e6, runs[1].bytes, runs[1].seconds,
           runs[1].seconds >= LONG_STREAM_S ? ", cut" : "", runs[1].max_rss_mb);
  g_print ("stream-long-last-5s: %.0f bytes/s\n", runs[1].last_5s_bytes_per_s);
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);
  if (!hearth_test_require_node ())
    return 77;
  bench_long_stream ();
  bench_streaming_cost ();
  bench_ttft_overhead ();
  return 0;
}
