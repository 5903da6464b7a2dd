/* bench-sampler.c — what watching the machine costs the machine
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Figures printed, never asserted. HEARTH_BENCH_QUICK=1 runs the periodic
 * part for 5 s instead of 60 s.
 */
#include <gio/gio.h>
#include <stdio.h>
#include <time.h>

#include "hearth-sampler.h"
#include "hearth-test-util.h"

#define N_SAMPLES         1000
#define TARGET_PERCENT    0.5

static double
cpu_s (clockid_t clock)
{
  struct timespec ts;

  clock_gettime (clock, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The bench process listens on a loopback port, so that every reading
 * also finds and reads the "server". */
static GSocket *
listen_on_loopback (guint *port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_no_error (error);
  g_socket_bind (socket, address, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (socket, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return g_steal_pointer (&socket);
}

static void
bench_back_to_back (guint port)
{
  g_autoptr(HearthSampler) sampler = hearth_sampler_new ("/", 600);
  double cpu_start, wall_start, cpu_first, cpu_spent, wall_spent, per_sample;
  const HearthSample *last;

  hearth_sampler_set_server_port (sampler, port);
  cpu_start = cpu_s (CLOCK_THREAD_CPUTIME_ID);
  last = hearth_sampler_sample (sampler);
  cpu_first = cpu_s (CLOCK_THREAD_CPUTIME_ID) - cpu_start;
  g_assert_cmpint (last->server_pid, >, 0);

  cpu_start = cpu_s (CLOCK_THREAD_CPUTIME_ID);
  wall_start = g_get_monotonic_time () / 1e6;
  for (guint i = 0; i < N_SAMPLES; i++)
    last = hearth_sampler_sample (sampler);
  cpu_spent = cpu_s (CLOCK_THREAD_CPUTIME_ID) - cpu_start;
  wall_spent = g_get_monotonic_time () / 1e6 - wall_start;
  per_sample = cpu_spent / N_SAMPLES;

  printf ("sampler-cores: %u\n", last->n_cores);
  printf ("sampler-first-sample-cpu: %.1f us (finds the server: one walk of /proc)\n",
          cpu_first * 1e6);
  printf ("sampler-cpu-per-sample: %.1f us (%u back-to-back samples)\n", per_sample * 1e6,
          N_SAMPLES);
  printf ("sampler-wall-per-sample: %.1f us\n", wall_spent / N_SAMPLES * 1e6);
  printf ("sampler-core-percent-at-1hz-estimated: %.4f %% (target <= %.1f %%)\n",
          per_sample * 100, TARGET_PERCENT);
}

static void
count_cb (HearthSampler      *sampler,
          const HearthSample *sample,
          guint              *count)
{
  (*count)++;
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

/* The real thing: the worker thread at 1 Hz, the main loop receiving, over
 * a minute; everything the process spends is counted. */
static void
bench_periodic (guint port)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(HearthSampler) sampler = hearth_sampler_new ("/", 600);
  gboolean quick = g_strcmp0 (g_getenv ("HEARTH_BENCH_QUICK"), "1") == 0;
  guint seconds = quick ? 5 : 60;
  guint count = 0;
  double cpu_start, wall_start, cpu_spent, wall_spent;

  g_signal_connect (sampler, "sample", G_CALLBACK (count_cb), &count);
  hearth_sampler_set_server_port (sampler, port);
  hearth_sampler_hold (sampler);

  cpu_start = cpu_s (CLOCK_PROCESS_CPUTIME_ID);
  wall_start = g_get_monotonic_time () / 1e6;
  hearth_sampler_start (sampler);
  g_timeout_add_seconds (seconds, quit_cb, loop);
  g_main_loop_run (loop);
  hearth_sampler_stop (sampler);
  cpu_spent = cpu_s (CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
  wall_spent = g_get_monotonic_time () / 1e6 - wall_start;

  printf ("sampler-periodic-samples: %u in %.1f s\n", count, wall_spent);
  printf ("sampler-periodic-cpu: %.1f ms (process, worker and main loop)\n", cpu_spent * 1e3);
  printf ("sampler-core-percent-at-1hz: %.4f %% (target <= %.1f %%)\n",
          100 * cpu_spent / wall_spent, TARGET_PERCENT);
  hearth_sampler_release (sampler);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GSocket) socket = NULL;
  guint port;

  hearth_test_init (&argc, &argv);
  socket = listen_on_loopback (&port);

  bench_back_to_back (port);
  bench_periodic (port);
  return 0;
}
