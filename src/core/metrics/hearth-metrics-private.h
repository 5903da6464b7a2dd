/* hearth-metrics-private.h — what the request metrics' files share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "hearth-metrics.h"
#include "hearth-store-private.h"

G_BEGIN_DECLS

/* A reply from the response cache (cached = 1) is a cache hit, counted
 * apart: never a request to the model, never in its figures.
 * Only the columns the figures need, none of the message text; the time
 * range walks messages_requests_by_time (EXPLAIN QUERY PLAN: SEARCH messages
 * USING INDEX messages_requests_by_time (created_ms>?)). Unknown figures
 * are NULL in the table and -1 here, as everywhere else. */
#define REQUEST_FIGURES_SQL \
  "SELECT model, endpoint, state = 'complete', state = 'failed', coalesce (ttft_ms, -1)," \
  " coalesce (total_ms, -1), coalesce (tokens_per_s, -1)," \
  " coalesce (prompt_tokens_per_s, -1), coalesce (load_ms, -1), created_ms / 86400000," \
  " cached, client FROM messages WHERE role = 'assistant' AND created_ms >= ?1 AND created_ms < ?3" \
  " AND (?2 IS NULL OR model = ?2)"

#define DAY_MS G_GINT64_CONSTANT (86400000)

enum
{
  COLUMN_MODEL,
  COLUMN_ENDPOINT,
  COLUMN_COMPLETE,
  COLUMN_FAILED,
  COLUMN_TTFT,
  COLUMN_TOTAL,
  COLUMN_SPEED,
  COLUMN_PROMPT_SPEED,
  COLUMN_LOAD,
  COLUMN_DAY,
  COLUMN_CACHED,
  COLUMN_CLIENT,      /* REQUEST_FIGURES_SQL only: not in the day cache */
};

/* What a group is told apart by; NULL where the grouping ignores it. */
typedef struct
{
  char   *model;
  char   *endpoint;
  char   *client;     /* HEARTH_METRICS_BY_CLIENT only */
  gint64  day;        /* only while filling the day cache; 0 otherwise */
} GroupKey;

typedef struct
{
  GroupKey            key;
  HearthMetricsGroup *group;
  GArray             *ttft;
  GArray             *total;
  GArray             *speed;
  GArray             *prompt_speed;
  GArray             *load;
  gsize               reserve[5];   /* values about to come, per array */
} Accumulator;

/* hearth-metrics.c */
GHashTable  *_hearth_metrics_accumulators_new   (void);
void         _hearth_metrics_accumulator_add    (Accumulator            *acc,
                                                 sqlite3_stmt           *stmt);
Accumulator *_hearth_metrics_lookup_accumulator (GHashTable             *by_key,
                                                 sqlite3_stmt           *stmt,
                                                 HearthMetricsGrouping   grouping,
                                                 gint64                  day);

/* hearth-metrics-days.c */
int          _hearth_metrics_accumulate_rows    (HearthStore            *store,
                                                 gint64                  from_ms,
                                                 gint64                  to_ms,
                                                 const char             *model,
                                                 HearthMetricsGrouping   grouping,
                                                 GHashTable             *by_key);
int          _hearth_metrics_oldest_request_ms  (HearthStore            *store,
                                                 gint64                 *oldest_ms);
int          _hearth_metrics_accumulate_cached  (HearthStore            *store,
                                                 gint64                  first_day,
                                                 gint64                  end_day,
                                                 const char             *model,
                                                 HearthMetricsGrouping   grouping,
                                                 GHashTable             *by_key);
gboolean     _hearth_metrics_cache_days         (HearthStore            *store,
                                                 gint64                  first_day,
                                                 gint64                  end_day);

G_END_DECLS
