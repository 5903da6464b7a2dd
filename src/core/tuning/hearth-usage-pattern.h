/* hearth-usage-pattern.h — when a model is used, in words, from its
 * replies per quarter of an hour (HearthUsagePattern, hearth-tuning.h)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-tuning.h"

G_BEGIN_DECLS

#define HEARTH_USAGE_WEEKS        8     /* how far back the history is read */
#define HEARTH_USAGE_MIN_REPLIES  10    /* fewer: no pattern */
#define HEARTH_USAGE_HOURS        (24 * 7)

/* Monday 00:00 is 0, Sunday 23:00 is 167, in @time's own zone. */
guint       _hearth_usage_hour_of_week   (GDateTime   *time);
/* HearthUsagePattern of each model in @slots (HearthReplySlot), read in
 * @tz, most used first. */
GPtrArray  *_hearth_usage_patterns_build (GPtrArray   *slots,
                                          GTimeZone   *tz);
/* Whether @pattern's words cover @hour_of_week (FALSE without words). */
gboolean    _hearth_usage_pattern_covers (const HearthUsagePattern *pattern,
                                          guint                     hour_of_week);

/* hearth-tuning-preload.c, for tests: when the scheduler preloads next
 * (unix ms), 0 when nothing is scheduled. */
gint64      _hearth_tuning_get_next_preload_ms (HearthTuning *self);

G_END_DECLS
