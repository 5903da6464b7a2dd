/* hearth-resource-history.c — resource samples kept per minute and per hour
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-resource-history"

#include <math.h>
#include <string.h>

#include "hearth-resource-history.h"
#include "hearth-sqlite.h"
#include "hearth-store-private.h"

#define MINUTE_MS (G_GINT64_CONSTANT (60) * 1000)
#define HOUR_MS   (60 * MINUTE_MS)
#define DAY_MS    (24 * HOUR_MS)

#define DEFAULT_MINUTE_DAYS 7
#define DEFAULT_HOUR_DAYS   90

/* The averaged columns of resource_samples, in the order of their
 * placeholders and of the row's fields; cpu_peak is apart. */
typedef enum
{
  COLUMN_CPU,
  COLUMN_MEM_TOTAL,
  COLUMN_MEM_USED,
  COLUMN_SWAP_USED,
  COLUMN_GPU,
  COLUMN_VRAM_TOTAL,
  COLUMN_VRAM_USED,
  COLUMN_TEMPERATURE,
  COLUMN_POWER,
  COLUMN_SERVER_CPU,
  COLUMN_SERVER_RSS,
  N_COLUMNS
} Column;

static const struct
{
  const char *name;
  gboolean    integer;
} columns[N_COLUMNS] = {
  { "cpu_percent", FALSE },
  { "mem_total", TRUE },
  { "mem_used", TRUE },
  { "swap_used", TRUE },
  { "gpu_percent", FALSE },
  { "vram_total", TRUE },
  { "vram_used", TRUE },
  { "gpu_temperature_c", FALSE },
  { "gpu_power_w", FALSE },
  { "server_cpu_percent", FALSE },
  { "server_rss", TRUE },
};

/* The minute being gathered: sums and counts of the known values. */
typedef struct
{
  gint64  minute_ms;     /* -1: none yet */
  gint64  n_samples;
  double  sum[N_COLUMNS];
  gint64  count[N_COLUMNS];
  double  cpu_peak;
} Minute;

struct _HearthResourceHistory
{
  GObject      parent_instance;

  HearthStore *store;
  int          minute_days;
  int          hour_days;
  Minute       minute;
};

G_DEFINE_FINAL_TYPE (HearthResourceHistory, hearth_resource_history, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MINUTE_DAYS,
  PROP_HOUR_DAYS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gint64
floor_to (gint64 time_ms,
          gint64 unit_ms)
{
  return time_ms - (((time_ms % unit_ms) + unit_ms) % unit_ms);
}

static void
minute_reset (Minute *minute,
              gint64  minute_ms)
{
  memset (minute, 0, sizeof *minute);
  minute->minute_ms = minute_ms;
  minute->cpu_peak = -1;
}

static void
sample_values (const HearthSample *sample,
               double              values[N_COLUMNS])
{
  values[COLUMN_CPU] = sample->cpu_percent;
  values[COLUMN_MEM_TOTAL] = sample->mem_total;
  values[COLUMN_MEM_USED] = sample->mem_used;
  values[COLUMN_SWAP_USED] = sample->swap_used;
  values[COLUMN_GPU] = sample->gpu_percent;
  values[COLUMN_VRAM_TOTAL] = sample->vram_total;
  values[COLUMN_VRAM_USED] = sample->vram_used;
  values[COLUMN_TEMPERATURE] = sample->gpu_temperature_c;
  values[COLUMN_POWER] = sample->gpu_power_w;
  values[COLUMN_SERVER_CPU] = sample->server_cpu_percent;
  values[COLUMN_SERVER_RSS] = sample->server_rss;
}

static void
minute_add (Minute             *minute,
            const HearthSample *sample)
{
  double values[N_COLUMNS];

  sample_values (sample, values);
  minute->n_samples++;
  for (guint i = 0; i < N_COLUMNS; i++)
    if (values[i] >= 0 && isfinite (values[i]))
      {
        minute->sum[i] += values[i];
        minute->count[i]++;
      }
  if (sample->cpu_percent >= 0)
    minute->cpu_peak = MAX (minute->cpu_peak, sample->cpu_percent);
}

/* SQL */

static const char *
column_list (void)
{
  static char *list;

  if (g_once_init_enter (&list))
    {
      GString *text = g_string_new ("n_samples, cpu_peak");

      for (guint i = 0; i < N_COLUMNS; i++)
        g_string_append_printf (text, ", %s", columns[i].name);
      g_once_init_leave (&list, g_string_free (text, FALSE));
    }
  return list;
}

/* Averages weighted by each row's samples, over the rows that know the
 * figure; NULL when none does. */
static char *
averages_select (void)
{
  GString *text = g_string_new ("SUM (n_samples), MAX (cpu_peak)");

  for (guint i = 0; i < N_COLUMNS; i++)
    {
      const char *name = columns[i].name;
      g_autofree char *mean = g_strdup_printf ("SUM (%s * 1.0 * n_samples) / "
                                               "SUM (CASE WHEN %s IS NOT NULL THEN n_samples END)",
                                               name, name);

      if (columns[i].integer)
        g_string_append_printf (text, ", CAST (ROUND (%s) AS INTEGER)", mean);
      else
        g_string_append_printf (text, ", %s", mean);
    }
  return g_string_free (text, FALSE);
}

static gboolean
run (HearthResourceHistory  *self,
     sqlite3_stmt           *stmt,
     GError                **error)
{
  int rc = sqlite3_step (stmt);

  /* Worded before finalizing, which would reset the message. */
  if (rc != SQLITE_DONE)
    hearth_store_set_error (self->store, rc, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

static void
bind_mean (sqlite3_stmt *stmt,
           int           index,
           Column        column,
           const Minute *minute)
{
  double mean;

  if (minute->count[column] == 0)
    return;
  mean = minute->sum[column] / minute->count[column];
  if (columns[column].integer)
    sqlite3_bind_int64 (stmt, index, (gint64) llround (mean));
  else
    sqlite3_bind_double (stmt, index, mean);
}

static gboolean
write_minute (HearthResourceHistory  *self,
              GError                **error)
{
  const Minute *minute = &self->minute;
  g_autoptr(GString) sql = g_string_new (NULL);
  sqlite3_stmt *stmt;

  /* resolution, time, n_samples, cpu_peak, then the averaged columns */
  g_string_printf (sql, "INSERT OR REPLACE INTO resource_samples (resolution_s, time_ms, %s) "
                   "VALUES (60, ?, ?, ?", column_list ());
  for (guint i = 0; i < N_COLUMNS; i++)
    g_string_append (sql, ", ?");
  g_string_append (sql, ")");
  stmt = hearth_store_prepare (self->store, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, minute->minute_ms);
  sqlite3_bind_int64 (stmt, 2, minute->n_samples);
  if (minute->cpu_peak >= 0)
    sqlite3_bind_double (stmt, 3, minute->cpu_peak);
  for (guint i = 0; i < N_COLUMNS; i++)
    bind_mean (stmt, 4 + i, i, minute);
  return run (self, stmt, error);
}

/* Every hour before @before_ms that has minute rows and no hour row yet:
 * the one that just ended, and any a previous run left unfinished. */
static gboolean
write_hours (HearthResourceHistory  *self,
             gint64                  before_ms,
             GError                **error)
{
  g_autofree char *averages = averages_select ();
  g_autofree char *sql = g_strdup_printf (
    "INSERT OR IGNORE INTO resource_samples (resolution_s, time_ms, %s) "
    "SELECT 3600, time_ms / 3600000 * 3600000 AS hour, %s "
    "FROM resource_samples AS m "
    "WHERE resolution_s = 60 AND time_ms < ?1 AND NOT EXISTS ("
    "  SELECT 1 FROM resource_samples AS h"
    "  WHERE h.resolution_s = 3600 AND h.time_ms = m.time_ms / 3600000 * 3600000) "
    "GROUP BY hour", column_list (), averages);
  sqlite3_stmt *stmt = hearth_store_prepare (self->store, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, before_ms);
  return run (self, stmt, error);
}

static gboolean
prune (HearthResourceHistory  *self,
       gint64                  now_ms,
       GError                **error)
{
  sqlite3_stmt *stmt = hearth_store_prepare (self->store,
                                             "DELETE FROM resource_samples WHERE "
                                             "(resolution_s = 60 AND time_ms < ?1) OR "
                                             "(resolution_s = 3600 AND time_ms < ?2)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now_ms - self->minute_days * DAY_MS);
  sqlite3_bind_int64 (stmt, 2, now_ms - self->hour_days * DAY_MS);
  return run (self, stmt, error);
}

/* One small transaction per minute. A savepoint, so that it nests should
 * the store ever be inside its own. */
static gboolean
flush_minute (HearthResourceHistory  *self,
              gint64                  now_ms,
              GError                **error)
{
  gboolean hour_ended = floor_to (now_ms, HOUR_MS) > floor_to (self->minute.minute_ms, HOUR_MS);

  if (!hearth_store_exec (self->store, "SAVEPOINT resource_samples", error))
    return FALSE;
  if (write_minute (self, error)
      && (!hour_ended || write_hours (self, floor_to (now_ms, HOUR_MS), error))
      && prune (self, now_ms, error))
    return hearth_store_exec (self->store, "RELEASE resource_samples", error);
  hearth_store_exec (self->store, "ROLLBACK TO resource_samples", NULL);
  hearth_store_exec (self->store, "RELEASE resource_samples", NULL);
  return FALSE;
}

/**
 * hearth_resource_history_add:
 * @self: a history
 * @sample: a reading, in the order they were taken
 * @error: return location for an error
 *
 * Gathers @sample into its wall-clock minute. The first sample of a new
 * minute writes the one before it; the first of a new hour also writes
 * the hour's averages, and old rows are pruned by the retention. Main
 * thread only, like the store.
 *
 * Returns: %FALSE when a write failed; the sample is kept all the same
 */
gboolean
hearth_resource_history_add (HearthResourceHistory  *self,
                             const HearthSample     *sample,
                             GError                **error)
{
  gint64 now_ms, minute_ms;
  gboolean ok = TRUE;

  g_return_val_if_fail (HEARTH_IS_RESOURCE_HISTORY (self), FALSE);
  g_return_val_if_fail (sample != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  now_ms = sample->time_us / 1000;
  minute_ms = floor_to (now_ms, MINUTE_MS);
  if (minute_ms != self->minute.minute_ms)
    {
      if (self->minute.minute_ms >= 0 && self->minute.n_samples > 0)
        ok = flush_minute (self, now_ms, error);
      minute_reset (&self->minute, minute_ms);
    }
  minute_add (&self->minute, sample);
  return ok;
}

/**
 * hearth_resource_history_flush:
 * @self: a history
 * @error: return location for an error
 *
 * Writes the minute gathered so far, with the samples it has, as when
 * Hearth quits in the middle of one. Main thread only.
 *
 * Returns: %FALSE when the write failed
 */
gboolean
hearth_resource_history_flush (HearthResourceHistory  *self,
                               GError                **error)
{
  gboolean ok = TRUE;

  g_return_val_if_fail (HEARTH_IS_RESOURCE_HISTORY (self), FALSE);

  if (self->minute.minute_ms >= 0 && self->minute.n_samples > 0)
    ok = flush_minute (self, self->minute.minute_ms, error);
  minute_reset (&self->minute, -1);
  return ok;
}

void
hearth_resource_row_from_sample (HearthResourceRow  *row,
                                 const HearthSample *sample)
{
  g_return_if_fail (row != NULL);
  g_return_if_fail (sample != NULL);

  *row = (HearthResourceRow) {
    .time_ms = sample->time_us / 1000,
    .n_samples = 1,
    .cpu_percent = sample->cpu_percent,
    .cpu_peak = sample->cpu_percent,
    .mem_total = sample->mem_total,
    .mem_used = sample->mem_used,
    .swap_used = sample->swap_used,
    .gpu_percent = sample->gpu_percent,
    .vram_total = sample->vram_total,
    .vram_used = sample->vram_used,
    .gpu_temperature_c = sample->gpu_temperature_c,
    .gpu_power_w = sample->gpu_power_w,
    .server_cpu_percent = sample->server_cpu_percent,
    .server_rss = sample->server_rss,
  };
}

/* Listing */

static void
read_row (sqlite3_stmt      *stmt,
          HearthResourceRow *row)
{
  row->time_ms = sqlite3_column_int64 (stmt, 0);
  row->n_samples = sqlite3_column_int64 (stmt, 1);
  row->cpu_peak = hearth_sqlite_column_measure (stmt, 2);
  row->cpu_percent = hearth_sqlite_column_measure (stmt, 3 + COLUMN_CPU);
  row->mem_total = hearth_sqlite_column_count (stmt, 3 + COLUMN_MEM_TOTAL);
  row->mem_used = hearth_sqlite_column_count (stmt, 3 + COLUMN_MEM_USED);
  row->swap_used = hearth_sqlite_column_count (stmt, 3 + COLUMN_SWAP_USED);
  row->gpu_percent = hearth_sqlite_column_measure (stmt, 3 + COLUMN_GPU);
  row->vram_total = hearth_sqlite_column_count (stmt, 3 + COLUMN_VRAM_TOTAL);
  row->vram_used = hearth_sqlite_column_count (stmt, 3 + COLUMN_VRAM_USED);
  row->gpu_temperature_c = hearth_sqlite_column_measure (stmt, 3 + COLUMN_TEMPERATURE);
  row->gpu_power_w = hearth_sqlite_column_measure (stmt, 3 + COLUMN_POWER);
  row->server_cpu_percent = hearth_sqlite_column_measure (stmt, 3 + COLUMN_SERVER_CPU);
  row->server_rss = hearth_sqlite_column_count (stmt, 3 + COLUMN_SERVER_RSS);
}

/**
 * hearth_resource_history_list:
 * @self: a history
 * @since_ms: the earliest time wanted, unix milliseconds
 * @bucket_ms: the width of a bucket; buckets start at multiples of it
 * @error: return location for an error
 *
 * Minute rows where they are still kept, hour rows for the time before
 * the oldest minute row, averaged (weighted by samples) into buckets.
 * The minute being gathered is not written yet and not listed.
 *
 * Returns: (transfer full) (element-type HearthResourceRow): the
 *   buckets that have rows, oldest first; %NULL on error
 */
GArray *
hearth_resource_history_list (HearthResourceHistory  *self,
                              gint64                  since_ms,
                              gint64                  bucket_ms,
                              GError                **error)
{
  g_autofree char *averages = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GArray) rows = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (HEARTH_IS_RESOURCE_HISTORY (self), NULL);
  g_return_val_if_fail (bucket_ms > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  averages = averages_select ();
  sql = g_strdup_printf (
    "SELECT time_ms / ?2 * ?2 AS bucket, %s FROM resource_samples "
    "WHERE time_ms >= ?1 AND (resolution_s = 60 OR (resolution_s = 3600 AND "
    "  time_ms + 3600000 <= (SELECT IFNULL (MIN (time_ms), 9223372036854775807)"
    "                        FROM resource_samples WHERE resolution_s = 60))) "
    "GROUP BY bucket ORDER BY bucket", averages);
  stmt = hearth_store_prepare (self->store, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, since_ms);
  sqlite3_bind_int64 (stmt, 2, bucket_ms);

  rows = g_array_new (FALSE, TRUE, sizeof (HearthResourceRow));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      HearthResourceRow row;

      read_row (stmt, &row);
      g_array_append_val (rows, row);
    }
  if (rc != SQLITE_DONE)
    hearth_store_set_error (self->store, rc, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&rows) : NULL;
}

/* Retention */

int
hearth_resource_history_get_minute_days (HearthResourceHistory *self)
{
  g_return_val_if_fail (HEARTH_IS_RESOURCE_HISTORY (self), 0);

  return self->minute_days;
}

void
hearth_resource_history_set_minute_days (HearthResourceHistory *self,
                                         int                    days)
{
  g_return_if_fail (HEARTH_IS_RESOURCE_HISTORY (self));
  g_return_if_fail (days >= 1);

  if (self->minute_days == days)
    return;
  self->minute_days = days;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MINUTE_DAYS]);
}

int
hearth_resource_history_get_hour_days (HearthResourceHistory *self)
{
  g_return_val_if_fail (HEARTH_IS_RESOURCE_HISTORY (self), 0);

  return self->hour_days;
}

void
hearth_resource_history_set_hour_days (HearthResourceHistory *self,
                                       int                    days)
{
  g_return_if_fail (HEARTH_IS_RESOURCE_HISTORY (self));
  g_return_if_fail (days >= 1);

  if (self->hour_days == days)
    return;
  self->hour_days = days;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOUR_DAYS]);
}

/* GObject */

static void
hearth_resource_history_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  HearthResourceHistory *self = HEARTH_RESOURCE_HISTORY (object);

  switch (prop_id)
    {
    case PROP_MINUTE_DAYS:
      g_value_set_int (value, self->minute_days);
      break;
    case PROP_HOUR_DAYS:
      g_value_set_int (value, self->hour_days);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hearth_resource_history_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  HearthResourceHistory *self = HEARTH_RESOURCE_HISTORY (object);

  switch (prop_id)
    {
    case PROP_MINUTE_DAYS:
      hearth_resource_history_set_minute_days (self, g_value_get_int (value));
      break;
    case PROP_HOUR_DAYS:
      hearth_resource_history_set_hour_days (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hearth_resource_history_dispose (GObject *object)
{
  HearthResourceHistory *self = HEARTH_RESOURCE_HISTORY (object);

  g_clear_object (&self->store);

  G_OBJECT_CLASS (hearth_resource_history_parent_class)->dispose (object);
}

static void
hearth_resource_history_class_init (HearthResourceHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = hearth_resource_history_get_property;
  object_class->set_property = hearth_resource_history_set_property;
  object_class->dispose = hearth_resource_history_dispose;

  /* Bound to the settings samples-minute-days and samples-hour-days. */
  properties[PROP_MINUTE_DAYS] =
    g_param_spec_int ("minute-days", NULL, NULL, 1, 90, DEFAULT_MINUTE_DAYS,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOUR_DAYS] =
    g_param_spec_int ("hour-days", NULL, NULL, 1, 3650, DEFAULT_HOUR_DAYS,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hearth_resource_history_init (HearthResourceHistory *self)
{
  self->minute_days = DEFAULT_MINUTE_DAYS;
  self->hour_days = DEFAULT_HOUR_DAYS;
  minute_reset (&self->minute, -1);
}

/**
 * hearth_resource_history_new:
 * @store: the history database, where resource_samples lives
 *
 * Returns: (transfer full): a history with the default retention: minute
 *   rows for 7 days, hour rows for 90
 */
HearthResourceHistory *
hearth_resource_history_new (HearthStore *store)
{
  HearthResourceHistory *self;

  g_return_val_if_fail (HEARTH_IS_STORE (store), NULL);

  self = g_object_new (HEARTH_TYPE_RESOURCE_HISTORY, NULL);
  self->store = g_object_ref (store);
  return self;
}
