/* bench-gateway.c — what the local API gateway adds to a program's
 * requests, measured beside the same client talking to the engine directly
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Figures are printed, never asserted. The same streaming client (libsoup,
 * Ollama's /api/chat, in this process) asks the test engine directly and
 * through the gateway (in this process too, one server with room for 64
 * at once, so nothing waits in the queue), rounds of each interleaved:
 *   time to first token (TTFT) and whole-request latency, p50 and p99, at
 *   1, 8 and 64 clients at once;
 *   this process's CPU time per streamed token (getrusage: the client
 *   alone directly; the client and the gateway through it), so the
 *   difference is the gateway's own cost. The engine's CPU is in another
 *   process and counts in neither.
 * The target: the gateway adds ≤ 1 ms at p99 and ≤ 10 % CPU per token.
 */
#define G_LOG_DOMAIN "bench-gateway"

#include <math.h>
#include <sys/resource.h>
#include <unistd.h>
#include <string.h>

#include "hearth-bench-util.h"
#include "hearth-test-gateway.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

#define MODEL   "tiny-random:latest"
#define TOKENS  64

typedef struct
{
  GArray *ttft_ms;      /* double, per request */
  GArray *total_ms;
  double  cpu_ms;       /* this process, over the rounds */
  double  engine_cpu_ms; /* the test engine's process, over the same rounds */
  guint64 tokens;       /* tokens generated (eval_count) */
  guint64 pieces;       /* pieces of text the client read */
  guint   failed;
  char   *why;          /* the first failure */
} Figures;

static const guint levels[] = { 1, 8, 64 };
static GPid engine_pid;

/* The engine's CPU time (user + system) from /proc; NAN when unreadable. */
static double
engine_cpu_now_ms (void)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) engine_pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;

  if (engine_pid <= 0 || !g_file_get_contents (path, &text, NULL, NULL))
    return NAN;
  /* After the command's name in parentheses: state is field 3, utime 14, stime 15. */
  after = strrchr (text, ')');
  if (after == NULL)
    return NAN;
  fields = g_strsplit (after + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    return NAN;
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) * 1e3 /
         sysconf (_SC_CLK_TCK);
}

static double
cpu_now_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec * 1e3 + usage.ru_utime.tv_usec / 1e3 +
         usage.ru_stime.tv_sec * 1e3 + usage.ru_stime.tv_usec / 1e3;
}

static void
on_done (HearthTestStream *stream,
         gpointer          user_data)
{
  guint *left = user_data;

  (*left)--;
}

/* @clients streams at once to @url; their figures added to @figures. */
static void
round_of (SoupSession *session,
          const char  *url,
          guint        clients,
          guint        round,
          Figures     *figures)
{
  g_autoptr(GPtrArray) streams = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_test_stream_free);
  guint left = clients;
  double cpu = cpu_now_ms ();
  double engine_cpu = engine_cpu_now_ms ();

  for (guint i = 0; i < clients; i++)
    {
      g_autofree char *prompt = g_strdup_printf ("bench round %u client %u", round, i);

      g_ptr_array_add (streams, hearth_test_stream_start (session, url, HEARTH_TEST_PROTOCOL_OLLAMA,
                                                          MODEL, prompt, TOKENS, on_done, &left));
    }
  while (left > 0)
    g_main_context_iteration (NULL, TRUE);
  figures->cpu_ms += cpu_now_ms () - cpu;
  figures->engine_cpu_ms += engine_cpu_now_ms () - engine_cpu;
  for (guint i = 0; i < clients; i++)
    {
      HearthTestStream *stream = streams->pdata[i];
      double ttft, total;

      if (stream->status != 200 || stream->error != NULL || stream->first_us == 0 ||
          stream->eval_count <= 0)
        {
          figures->failed++;
          if (figures->why == NULL)
            figures->why = g_strdup_printf ("HTTP %u %s%s", stream->status,
                                            stream->error ? stream->error : "",
                                            stream->body->str);
          continue;
        }
      ttft = (stream->first_us - stream->sent_us) / 1e3;
      total = (stream->end_us - stream->sent_us) / 1e3;
      g_array_append_val (figures->ttft_ms, ttft);
      g_array_append_val (figures->total_ms, total);
      figures->tokens += stream->eval_count;
      figures->pieces += stream->chunks;
    }
}

static void
figures_init (Figures *figures)
{
  memset (figures, 0, sizeof *figures);
  figures->ttft_ms = g_array_new (FALSE, FALSE, sizeof (double));
  figures->total_ms = g_array_new (FALSE, FALSE, sizeof (double));
}

static void
figures_clear (Figures *figures)
{
  g_array_unref (figures->ttft_ms);
  g_array_unref (figures->total_ms);
  g_free (figures->why);
}

static double
pct (GArray *values,
     double  fraction)
{
  if (values->len == 0)
    return NAN;
  return hearth_bench_percentile ((double *) values->data, values->len, fraction);
}

static void
print_row (const char *what,
           double      direct,
           double      gateway,
           const char *unit)
{
  g_print ("  %-26s %10.3f %10.3f %+10.3f %s\n", what, direct, gateway, gateway - direct, unit);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(HearthTestGateway) gw = NULL;
  g_autofree char *random = NULL;
  HearthTestServer *engine;
  const char *engine_url;

  hearth_test_init (&argc, &argv);
  if (!hearth_test_require_node ())
    return 77;
  random = hearth_test_make_model ("random", "tiny-random");
  engine = hearth_test_engine_server (NULL);
  engine_url = hearth_test_server_get_url (engine);
  engine_pid = hearth_test_server_get_pid (engine);
  gw = hearth_test_gateway_new ();
  hearth_test_gateway_add_server (gw, "engine", engine_url, 64, 64);
  hearth_test_gateway_start (gw);
  session = hearth_test_stream_session ();

  g_print ("bench-gateway: a streaming client (Ollama's /api/chat, %d tokens of %s) to the test\n"
           "engine directly and through the gateway, rounds interleaved. \"CPU per token\" is this\n"
           "process's (the client, plus the gateway when it is used); \"end to end\" adds the\n"
           "engine's own (the tiny model's inference and its HTTP), read from /proc, at %d ticks/s.\n",
           TOKENS, MODEL, (int) sysconf (_SC_CLK_TCK));
  {
    Figures warm;

    /* The model loaded, and both paths' connections opened. */
    figures_init (&warm);
    round_of (session, engine_url, 1, 0, &warm);
    round_of (session, gw->url, 1, 0, &warm);
    figures_clear (&warm);
  }

  for (guint l = 0; l < G_N_ELEMENTS (levels); l++)
    {
      guint clients = levels[l];
      /* About 24–64 requests a side: enough for a p99 that is nearly the worst. */
      guint rounds = clients == 1 ? 24 : clients == 8 ? 4 : 1;
      Figures direct, through;

      figures_init (&direct);
      figures_init (&through);
      for (guint r = 0; r < rounds; r++)
        {
          round_of (session, engine_url, clients, r + 1, &direct);
          round_of (session, gw->url, clients, r + 1, &through);
        }
      g_print ("\n%u client%s at once (%u requests a side; failed: %u direct, %u gateway)\n",
               clients, clients == 1 ? "" : "s", direct.ttft_ms->len + direct.failed,
               direct.failed, through.failed);
      g_print ("  %-26s %10s %10s %10s\n", "", "direct", "gateway", "added");
      print_row ("TTFT p50", pct (direct.ttft_ms, 0.5), pct (through.ttft_ms, 0.5), "ms");
      print_row ("TTFT p99", pct (direct.ttft_ms, 0.99), pct (through.ttft_ms, 0.99), "ms");
      print_row ("latency p50", pct (direct.total_ms, 0.5), pct (through.total_ms, 0.5), "ms");
      print_row ("latency p99", pct (direct.total_ms, 0.99), pct (through.total_ms, 0.99), "ms");
      print_row ("CPU per token", direct.tokens ? direct.cpu_ms * 1e3 / direct.tokens : NAN,
                 through.tokens ? through.cpu_ms * 1e3 / through.tokens : NAN, "us");
      if (direct.tokens > 0 && through.tokens > 0 && direct.cpu_ms > 0)
        g_print ("  %-26s %+10.1f %%\n", "CPU per token added",
                 100.0 * ((through.cpu_ms / through.tokens) / (direct.cpu_ms / direct.tokens) - 1));
      if (direct.tokens > 0 && through.tokens > 0 && !isnan (direct.engine_cpu_ms))
        {
          double d = (direct.cpu_ms + direct.engine_cpu_ms) / direct.tokens;
          double t = (through.cpu_ms + through.engine_cpu_ms) / through.tokens;

          print_row ("CPU per token, end to end", d * 1e3, t * 1e3, "us");
          g_print ("  %-26s %+10.1f %%\n", "end to end added", 100.0 * (t / d - 1));
        }
      g_print ("  (tokens generated: %" G_GUINT64_FORMAT " direct, %" G_GUINT64_FORMAT " gateway; "
               "pieces the client read: %" G_GUINT64_FORMAT " direct, %" G_GUINT64_FORMAT
               " gateway)\n", direct.tokens, through.tokens, direct.pieces, through.pieces);
      if (direct.why != NULL || through.why != NULL)
        g_print ("  first failure: direct %s; gateway %s\n",
                 direct.why ? direct.why : "none", through.why ? through.why : "none");
      figures_clear (&direct);
      figures_clear (&through);
    }
  return 0;
}
