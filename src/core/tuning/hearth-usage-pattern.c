/* hearth-usage-pattern.c — when a model is used, in words
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rule, from a model's replies of the last HEARTH_USAGE_WEEKS weeks,
 * each counted at its local hour of the week:
 *
 *   - Fewer than HEARTH_USAGE_MIN_REPLIES replies, or replies on fewer
 *     than 3 different days: no pattern (NULL). A single long session is
 *     not a habit.
 *   - Otherwise the first of these that holds at least 60 % of the replies
 *     names it, each also needing replies on enough different days:
 *       1. one day of the week, within an hour of its busiest hour
 *          (2 days or more)                          "Mondays around 9:00"
 *       2. a part of the day (mornings 6–12, afternoons 12–17, evenings
 *          17–22, nights 22–6):
 *          - Monday to Friday, when a weekend day has less than half the
 *            replies of a weekday then (3 days)      "weekday mornings"
 *          - Saturday and Sunday, the other way round (2 days)
 *                                                    "weekend evenings"
 *          - else every day (4 days, weekdays and weekend days both)
 *                                                    "every evening"
 *       3. Saturday and Sunday, any hour (2 days)    "weekends"
 *     None holds: no pattern, rather than a made-up one.
 *   Every slice above is at most a third of the week, so 60 % of the
 *   replies in it is at least 1.8 times what an even spread would put
 *   there. There is
 *   no "weekdays": Monday to Friday is 71 % of the week, and 60 % of the
 *   replies there says nothing.
 *
 * The hours a pattern names are the ones the scheduler preloads for.
 */
#define G_LOG_DOMAIN "hearth-tuning"

#include <string.h>
#include <glib/gi18n.h>

#include "hearth-store-usage.h"
#include "hearth-usage-pattern.h"

#define SHARE_NEEDED 0.6

/* The public struct first, so that hearth_usage_pattern_free ()
 * (hearth-tuning.c: the model, the words, then the struct) frees the whole
 * allocation; the hours its words cover after it. */
typedef struct
{
  HearthUsagePattern pattern;
  gboolean           covers[HEARTH_USAGE_HOURS];
} UsagePattern;

typedef struct
{
  char       *model;
  int         hours[HEARTH_USAGE_HOURS];
  guint       n_replies;
  GHashTable *days;        /* local date (yyyymmdd) → hours used (bits 0–23) | weekday << 24 */
} Usage;

typedef struct
{
  guint8  days;            /* bit 0 Monday … bit 6 Sunday */
  guint32 hours;           /* bit 0 00:00 … bit 23 23:00 */
} Slice;

#define WEEKDAYS 0x1f
#define WEEKEND  0x60
#define ALL_DAYS 0x7f

/* Each slot a whole phrase, so that a translation need not glue "weekday"
 * to "mornings" (the word order and agreement differ by language). */
static const struct
{
  const char *weekdays;    /* "weekday mornings" */
  const char *weekend;     /* "weekend mornings" */
  const char *every;       /* "every morning" */
  guint32     hours;
} parts[] = {
  /* Translators: when a model is used: Monday to Friday, 6:00 to 12:00 */
  { N_("weekday mornings"), N_("weekend mornings"), N_("every morning"), 0x000fc0 }, /* 06–11 */
  { N_("weekday afternoons"), N_("weekend afternoons"), N_("every afternoon"), 0x01f000 },
  { N_("weekday evenings"), N_("weekend evenings"), N_("every evening"), 0x3e0000 },
  /* Translators: when a model is used: 22:00 to 6:00 */
  { N_("weekday nights"), N_("weekend nights"), N_("every night"), 0xc0003f },
};

guint
_hearth_usage_hour_of_week (GDateTime *time)
{
  return (guint) (g_date_time_get_day_of_week (time) - 1) * 24 +
         (guint) g_date_time_get_hour (time);
}

static void
usage_free (Usage *usage)
{
  g_free (usage->model);
  g_hash_table_unref (usage->days);
  g_free (usage);
}

static guint
slice_replies (const Usage *usage,
               Slice        slice)
{
  guint n = 0;

  for (guint d = 0; d < 7; d++)
    for (guint h = 0; h < 24; h++)
      if ((slice.days & (1u << d)) && (slice.hours & (1u << h)))
        n += (guint) usage->hours[d * 24 + h];
  return n;
}

/* Different dates with a reply in @slice; on weekdays and at weekends. */
static guint
slice_dates (const Usage *usage,
             Slice        slice,
             guint       *weekdays,
             guint       *weekend)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  *weekdays = *weekend = 0;
  g_hash_table_iter_init (&iter, usage->days);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      guint32 bits = GPOINTER_TO_UINT (value);
      guint day = bits >> 24;

      if (!(slice.days & (1u << day)) || !(slice.hours & bits & 0xffffff))
        continue;
      n++;
      if ((1u << day) & WEEKEND)
        (*weekend)++;
      else
        (*weekdays)++;
    }
  return n;
}

static gboolean
slice_holds (const Usage *usage,
             Slice        slice,
             guint        min_dates,
             gboolean     both_kinds)
{
  guint weekdays, weekend;

  if (slice_replies (usage, slice) < SHARE_NEEDED * usage->n_replies)
    return FALSE;
  if (slice_dates (usage, slice, &weekdays, &weekend) < min_dates)
    return FALSE;
  return !both_kinds || (weekdays > 0 && weekend > 0);
}

static char *
day_around (guint day,
            guint hour)
{
  switch (day)
    {
    case 0:
      /* Translators: when a model is used; %u is an hour (9 for 9:00) */
      return g_strdup_printf (_("Mondays around %u:00"), hour);
    case 1:
      /* Translators: when a model is used; %u is an hour (9 for 9:00) */
      return g_strdup_printf (_("Tuesdays around %u:00"), hour);
    case 2:
      /* Translators: when a model is used; %u is an hour (9 for 9:00) */
      return g_strdup_printf (_("Wednesdays around %u:00"), hour);
    case 3:
      /* Translators: when a model is used; %u is an hour (9 for 9:00) */
      return g_strdup_printf (_("Thursdays around %u:00"), hour);
    case 4:
      /* Translators: when a model is used; %u is an hour (9 for 9:00) */
      return g_strdup_printf (_("Fridays around %u:00"), hour);
    case 5:
      /* Translators: when a model is used; %u is an hour (9 for 9:00) */
      return g_strdup_printf (_("Saturdays around %u:00"), hour);
    default:
      /* Translators: when a model is used; %u is an hour (9 for 9:00) */
      return g_strdup_printf (_("Sundays around %u:00"), hour);
    }
}

/* The words for @usage and the hours they cover, or NULL. */
static char *
describe (const Usage *usage,
          gboolean    *covers)
{
  Slice found = { 0, 0 };
  char *words = NULL;
  guint weekdays, weekend;

  if (usage->n_replies < HEARTH_USAGE_MIN_REPLIES ||
      slice_dates (usage, (Slice) { ALL_DAYS, 0xffffff }, &weekdays, &weekend) < 3)
    return NULL;

  /* 1. One day, around its busiest hour. */
  for (guint d = 0; d < 7 && words == NULL; d++)
    {
      guint peak = 0;
      Slice slice;

      for (guint h = 1; h < 24; h++)
        if (usage->hours[d * 24 + h] > usage->hours[d * 24 + peak])
          peak = h;
      if (usage->hours[d * 24 + peak] == 0)
        continue;
      slice.days = 1u << d;
      slice.hours = (7u << peak) >> 1 & 0xffffff;  /* peak - 1 … peak + 1 */
      if (slice_holds (usage, slice, 2, FALSE))
        {
          found = slice;
          words = day_around (d, peak);
        }
    }
  /* 2. A part of the day: on weekdays when a weekend day has less than
   * half a weekday's replies then, at weekends the other way round, else
   * every day. */
  for (guint p = 0; p < G_N_ELEMENTS (parts) && words == NULL; p++)
    {
      double per_weekday = slice_replies (usage, (Slice) { WEEKDAYS, parts[p].hours }) / 5.0;
      double per_weekend_day = slice_replies (usage, (Slice) { WEEKEND, parts[p].hours }) / 2.0;

      if (per_weekend_day < per_weekday / 2)
        {
          if (slice_holds (usage, (found = (Slice) { WEEKDAYS, parts[p].hours }), 3, FALSE))
            words = g_strdup (_(parts[p].weekdays));
        }
      else if (per_weekday < per_weekend_day / 2)
        {
          if (slice_holds (usage, (found = (Slice) { WEEKEND, parts[p].hours }), 2, FALSE))
            words = g_strdup (_(parts[p].weekend));
        }
      else if (slice_holds (usage, (found = (Slice) { ALL_DAYS, parts[p].hours }), 4, TRUE))
        words = g_strdup (_(parts[p].every));
    }
  /* 3. Weekends. */
  if (words == NULL && slice_holds (usage, (found = (Slice) { WEEKEND, 0xffffff }), 2, FALSE))
    words = g_strdup (_("weekends"));

  if (words != NULL)
    for (guint d = 0; d < 7; d++)
      for (guint h = 0; h < 24; h++)
        covers[d * 24 + h] = (found.days & (1u << d)) && (found.hours & (1u << h));
  return words;
}

static int
by_use (gconstpointer a,
        gconstpointer b)
{
  const HearthUsagePattern *pa = *(HearthUsagePattern **) a;
  const HearthUsagePattern *pb = *(HearthUsagePattern **) b;

  if (pa->n_replies != pb->n_replies)
    return pa->n_replies > pb->n_replies ? -1 : 1;
  return g_strcmp0 (pa->model, pb->model);
}

/* Returns: (transfer container) (element-type HearthUsagePattern) */
GPtrArray *
_hearth_usage_patterns_build (GPtrArray *slots,
                              GTimeZone *tz)
{
  g_autoptr(GHashTable) usages = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                        (GDestroyNotify) usage_free);
  GPtrArray *patterns = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_usage_pattern_free);
  GHashTableIter iter;
  Usage *usage;

  for (guint i = 0; i < slots->len; i++)
    {
      const HearthReplySlot *slot = g_ptr_array_index (slots, i);
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (slot->slot_ms / 1000);
      g_autoptr(GDateTime) local = utc ? g_date_time_to_timezone (utc, tz) : NULL;
      guint how, day_key;
      guint32 bits;

      if (local == NULL || slot->model == NULL)
        continue;
      usage = g_hash_table_lookup (usages, slot->model);
      if (usage == NULL)
        {
          usage = g_new0 (Usage, 1);
          usage->model = g_strdup (slot->model);
          usage->days = g_hash_table_new (NULL, NULL);
          g_hash_table_insert (usages, usage->model, usage);
        }
      how = _hearth_usage_hour_of_week (local);
      usage->hours[how] += (int) slot->n_replies;
      usage->n_replies += slot->n_replies;
      day_key = (guint) (g_date_time_get_year (local) * 10000 +
                         g_date_time_get_month (local) * 100 +
                         g_date_time_get_day_of_month (local));
      bits = GPOINTER_TO_UINT (g_hash_table_lookup (usage->days, GUINT_TO_POINTER (day_key)));
      bits |= (1u << (how % 24)) | ((how / 24) << 24);
      g_hash_table_insert (usage->days, GUINT_TO_POINTER (day_key), GUINT_TO_POINTER (bits));
    }

  g_hash_table_iter_init (&iter, usages);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &usage))
    {
      UsagePattern *real = g_new0 (UsagePattern, 1);

      real->pattern.model = g_strdup (usage->model);
      memcpy (real->pattern.hours, usage->hours, sizeof usage->hours);
      real->pattern.n_replies = usage->n_replies;
      real->pattern.pattern = describe (usage, real->covers);
      g_ptr_array_add (patterns, real);
    }
  g_ptr_array_sort (patterns, by_use);
  return patterns;
}

gboolean
_hearth_usage_pattern_covers (const HearthUsagePattern *pattern,
                              guint                     hour_of_week)
{
  g_return_val_if_fail (pattern != NULL, FALSE);

  return pattern->pattern != NULL && hour_of_week < HEARTH_USAGE_HOURS &&
         ((const UsagePattern *) pattern)->covers[hour_of_week];
}
