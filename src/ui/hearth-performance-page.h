/* hearth-performance-page.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hearth-engine.h"
#include "hearth-metrics.h"
#include "hearth-resource-history.h"
#include "hearth-sampler.h"

G_BEGIN_DECLS

typedef enum
{
  HEARTH_PERFORMANCE_RANGE_5_MIN,
  HEARTH_PERFORMANCE_RANGE_1_HOUR,
  HEARTH_PERFORMANCE_RANGE_24_HOURS,
  HEARTH_PERFORMANCE_RANGE_7_DAYS,
} HearthPerformanceRange;

#define HEARTH_TYPE_PERFORMANCE_PAGE (hearth_performance_page_get_type ())

G_DECLARE_FINAL_TYPE (HearthPerformancePage, hearth_performance_page, HEARTH, PERFORMANCE_PAGE, GtkWidget)

void                   hearth_performance_page_set_engine      (HearthPerformancePage  *self,
                                                                HearthEngine           *engine);
void                   hearth_performance_page_set_sampler     (HearthPerformancePage  *self,
                                                                HearthSampler          *sampler,
                                                                HearthResourceHistory  *history);
void                   hearth_performance_page_set_range       (HearthPerformancePage  *self,
                                                                HearthPerformanceRange  range);
HearthPerformanceRange hearth_performance_page_get_range       (HearthPerformancePage  *self);
void                   hearth_performance_page_refresh         (HearthPerformancePage  *self);
/* TRUE once the data of the current range is on screen, FALSE while it loads */
gboolean               hearth_performance_page_is_loaded       (HearthPerformancePage  *self);
void                   hearth_performance_page_export_async    (HearthPerformancePage  *self,
                                                                GFile                  *file,
                                                                HearthMetricsFormat     format,
                                                                GCancellable           *cancellable,
                                                                GAsyncReadyCallback     callback,
                                                                gpointer                user_data);
gboolean               hearth_performance_page_export_finish   (HearthPerformancePage  *self,
                                                                GAsyncResult           *result,
                                                                GError                **error);
/* Starts a benchmark of @model (NULL: the one chosen in the page) */
void                   hearth_performance_page_run_benchmark   (HearthPerformancePage  *self,
                                                                const char             *model);
gboolean               hearth_performance_page_is_benchmarking (HearthPerformancePage  *self);

G_END_DECLS
