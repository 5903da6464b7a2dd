/* hearth-resource-history.h — resource samples kept per minute and per hour
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-sampler.h"
#include "hearth-store.h"

G_BEGIN_DECLS

/* One row of resource_samples, or a bucket of them: averages of the
 * samples that had each figure; -1 when none had it. */
typedef struct
{
  gint64  time_ms;             /* start of the minute, hour or bucket */
  gint64  n_samples;
  double  cpu_percent;
  double  cpu_peak;
  gint64  mem_total;
  gint64  mem_used;
  gint64  swap_used;
  double  gpu_percent;
  gint64  vram_total;
  gint64  vram_used;
  double  gpu_temperature_c;
  double  gpu_power_w;
  double  server_cpu_percent;
  gint64  server_rss;
} HearthResourceRow;

/* One sample as a row of one (n_samples 1, the CPU its own peak). */
void                   hearth_resource_row_from_sample         (HearthResourceRow      *row,
                                                                const HearthSample     *sample);

#define HEARTH_TYPE_RESOURCE_HISTORY (hearth_resource_history_get_type ())

G_DECLARE_FINAL_TYPE (HearthResourceHistory, hearth_resource_history,
                      HEARTH, RESOURCE_HISTORY, GObject)

HearthResourceHistory *hearth_resource_history_new             (HearthStore            *store);
gboolean               hearth_resource_history_add             (HearthResourceHistory  *self,
                                                                const HearthSample     *sample,
                                                                GError                **error);
gboolean               hearth_resource_history_flush           (HearthResourceHistory  *self,
                                                                GError                **error);
GArray                *hearth_resource_history_list            (HearthResourceHistory  *self,
                                                                gint64                  since_ms,
                                                                gint64                  bucket_ms,
                                                                GError                **error);
int                    hearth_resource_history_get_minute_days (HearthResourceHistory  *self);
void                   hearth_resource_history_set_minute_days (HearthResourceHistory  *self,
                                                                int                     days);
int                    hearth_resource_history_get_hour_days   (HearthResourceHistory  *self);
void                   hearth_resource_history_set_hour_days   (HearthResourceHistory  *self,
                                                                int                     days);

G_END_DECLS
