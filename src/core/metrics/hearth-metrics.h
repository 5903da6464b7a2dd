/* hearth-metrics.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "hearth-store.h"

G_BEGIN_DECLS

typedef enum
{
  HEARTH_METRICS_BY_MODEL_AND_ENDPOINT,
  HEARTH_METRICS_BY_MODEL,              /* endpoint is NULL */
  HEARTH_METRICS_BY_ENDPOINT,           /* model is NULL */
  HEARTH_METRICS_BY_CLIENT,             /* model and endpoint are NULL; client is the
                                         * program that asked (NULL: Hearth's own chat) */
} HearthMetricsGrouping;

typedef enum
{
  HEARTH_METRICS_FORMAT_CSV,            /* RFC 4180, a header row, CRLF */
  HEARTH_METRICS_FORMAT_JSON,           /* one line */
  HEARTH_METRICS_FORMAT_JSON_PRETTY,    /* indented, for a terminal */
} HearthMetricsFormat;

/* The requests to one model at one endpoint; -1 = no known value. */
typedef struct
{
  char    *model;
  char    *endpoint;
  char    *server;           /* the endpoint's server in the user's list (its name), or
                              * NULL: the label to show where there is one */
  guint    count;            /* requests the model answered (or failed) */
  guint    cache_hits;       /* answers from the response cache: not in any figure */
  guint    successes;        /* complete */
  guint    failures;         /* failed; partial and cancelled are neither */
  double   success_rate;     /* successes / (successes + failures), -1 when none ended */
  double   ttft_p50_ms;
  double   ttft_p95_ms;
  double   ttft_p99_ms;
  double   total_p50_ms;
  double   total_p95_ms;
  double   total_p99_ms;
  double   median_tokens_per_s;
  double   median_prompt_tokens_per_s;
  double   median_load_ms;
  char    *client;           /* HEARTH_METRICS_BY_CLIENT: the program that asked through
                              * the gateway (its User-Agent); NULL: Hearth's own chat */
} HearthMetricsGroup;

GPtrArray  *hearth_metrics_aggregate       (HearthStore            *store,
                                            gint64                  since_ms,
                                            const char             *model,
                                            GError                **error);
GPtrArray  *hearth_metrics_aggregate_by    (HearthStore            *store,
                                            gint64                  since_ms,
                                            const char             *model,
                                            HearthMetricsGrouping   grouping,
                                            GError                **error);
char       *hearth_metrics_export_rows     (HearthStore            *store,
                                            gint64                  since_ms,
                                            const char             *model,
                                            HearthMetricsFormat     format,
                                            GError                **error);
char       *hearth_metrics_export_groups   (HearthStore            *store,
                                            gint64                  since_ms,
                                            const char             *model,
                                            HearthMetricsGrouping   grouping,
                                            HearthMetricsFormat     format,
                                            GError                **error);
/* As above, each group named after its endpoint's server: @servers maps
 * endpoints to server names (nullable). */
char       *hearth_metrics_export_named_groups (HearthStore        *store,
                                                gint64              since_ms,
                                                const char         *model,
                                                HearthMetricsGrouping grouping,
                                                HearthMetricsFormat format,
                                                GHashTable         *servers,
                                                GError            **error);
/* Sets each group's server from @servers (endpoint → server name). */
void        hearth_metrics_name_servers    (GPtrArray              *groups,
                                            GHashTable             *servers);
double      hearth_metrics_percentile      (GArray                 *values,
                                            double                  percent);
gint64      hearth_metrics_parse_since     (const char             *text,
                                            GError                **error);
void        hearth_metrics_group_free      (HearthMetricsGroup     *group);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthMetricsGroup, hearth_metrics_group_free)

G_END_DECLS
