/* hearth-bench-util.h — figures and fixtures shared by the benchmarks
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-store.h"

G_BEGIN_DECLS

int      hearth_bench_compare_doubles     (gconstpointer  a,
                                           gconstpointer  b);
double   hearth_bench_percentile          (double       *values,
                                           guint         n,
                                           double        fraction);
double   hearth_bench_median              (double       *values,
                                           guint         n);
double   hearth_bench_max                 (const double *values,
                                           guint         n);
guint64  hearth_bench_rss_kib             (void);
char    *hearth_bench_markdown_reply      (GRand        *rand,
                                           guint         n_words);
gint64   hearth_bench_fill_conversation   (HearthStore  *store,
                                           const char   *title,
                                           guint         n_messages,
                                           GRand        *rand);

G_END_DECLS
