/* bench-bandwidth.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>

#include "hearth-hardware.h"
#include "hearth-test-util.h"

#define N_RUNS 10

/* Prints how much the ~100 ms measurement varies from run to run, and what
 * the whole probe costs; the figures are read, never asserted. */
static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
bench_measurement (void)
{
  double runs[N_RUNS];

  for (guint i = 0; i < N_RUNS; i++)
    runs[i] = hearth_hardware_measure_bandwidth ();
  qsort (runs, N_RUNS, sizeof (double), compare_doubles);
  printf ("bandwidth: min %.2f, median %.2f, max %.2f GB/s over %d runs\n",
          runs[0], runs[N_RUNS / 2], runs[N_RUNS - 1], N_RUNS);
}

static void
bench_probe (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthHardware) hw = NULL;
  gint64 start = g_get_monotonic_time ();

  hw = hearth_hardware_probe (NULL, FALSE, &error);
  g_assert_no_error (error);
  printf ("probe without bandwidth: %.1f ms\n", (g_get_monotonic_time () - start) / 1000.0);
}

int
main (int   argc,
      char *argv[])
{
  hearth_test_init (&argc, &argv);
  bench_measurement ();
  bench_probe ();
  return 0;
}
