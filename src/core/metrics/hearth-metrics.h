/* hearth-metrics.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "hearth-store.h"

G_BEGIN_DECLS

/* The requests to one model at one endpoint; -1 = no known value. */
typedef struct
{
  char    *model;
  char    *endpoint;
  guint    count;
  guint    successes;
  double   success_rate;
  double   ttft_p50_ms;
  double   ttft_p95_ms;
  double   ttft_p99_ms;
  double   total_p50_ms;
  double   total_p95_ms;
  double   total_p99_ms;
  double   median_tokens_per_s;
} HearthMetricsGroup;

GPtrArray  *hearth_metrics_aggregate       (HearthStore         *store,
                                            gint64               since_ms,
                                            const char          *model,
                                            GError             **error);
double      hearth_metrics_percentile      (GArray              *values,
                                            double               percent);
gint64      hearth_metrics_parse_since     (const char          *text,
                                            GError             **error);
void        hearth_metrics_group_free      (HearthMetricsGroup  *group);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthMetricsGroup, hearth_metrics_group_free)

G_END_DECLS
