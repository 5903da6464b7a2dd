/* hearth-alerts-private.h — what the alerting engine's files share: the
 * alert tables of hearth.db (schema 6)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "hearth-alert-eval.h"
#include "hearth-alerts.h"

G_BEGIN_DECLS

struct _HearthAlerts
{
  GObject        parent_instance;

  HearthStore   *store;
  char          *unavailable;      /* why rules cannot be kept, without a store */
  sqlite3_stmt  *version_stmt;
  gint64         data_version;
  gboolean       synced_for_tick;  /* observe_sample just read data_version */
  GPtrArray     *rules;            /* HearthAlertRule, every one */
  GHashTable    *instances;        /* instance key → HearthAlertInstance */
  GHashTable    *series;           /* "metric\037subject" → HearthAlertSeries */
  HearthAlertSeries *machine[HEARTH_ALERT_N_METRICS];  /* those of no subject, in series */
  GHashTable    *outcomes;         /* model → GByteArray, 1 = failed, last 10 */
  gboolean       paused;
  int            quiet_start;
  int            quiet_end;
  int            history_days;
  gint64         pruned_ms;
  gpointer       session;
  GCancellable  *cancellable;
  gboolean       seeded;
  GPtrArray     *waiting;          /* replies observed before the baselines were read */
  guint          n_sending;        /* webhooks not yet answered */
};

/* hearth-alerts.c */
void       _hearth_alerts_sync             (HearthAlerts     *self);
void       _hearth_alerts_emit_changed     (HearthAlerts     *self);
void       _hearth_alerts_emit_transition  (HearthAlerts     *self,
                                            HearthAlertEvent *event);
const HearthAlertRule *
           _hearth_alerts_find_rule        (HearthAlerts     *self,
                                            gint64            rule_id);
char      *_hearth_alerts_series_key       (HearthAlertMetric metric,
                                            const char       *subject);
void       _hearth_alerts_deliver_core     (HearthAlerts           *self,
                                            const HearthAlertEvent *event,
                                            gboolean                quiet_held,
                                            GCancellable           *cancellable,
                                            GAsyncReadyCallback     callback,
                                            gpointer                user_data);
/* An enabled rule watches @metric (the engine probes the server only then). */
gboolean   _hearth_alerts_has_enabled_rule (HearthAlerts     *self,
                                            HearthAlertMetric metric);
gboolean   _hearth_alerts_sends_webhook    (HearthAlerts           *self,
                                            const HearthAlertEvent *event);

/* hearth-alerts-store.c */

/* "rule_id\037subject" → HearthAlertInstance; subject '' is the machine. */
char      *_hearth_alerts_instance_key     (gint64            rule_id,
                                            const char       *subject);

/* Main thread, the store's connection. */
GPtrArray *_hearth_alerts_db_load_rules    (HearthStore      *store,
                                            GError          **error);
gboolean   _hearth_alerts_db_ensure_defaults (HearthStore    *store,
                                              GError        **error);
gboolean   _hearth_alerts_db_insert_rule   (HearthStore      *store,
                                            HearthAlertRule  *rule,
                                            GError          **error);
gboolean   _hearth_alerts_db_update_rule   (HearthStore      *store,
                                            const HearthAlertRule *rule,
                                            GError          **error);
gboolean   _hearth_alerts_db_delete_rule   (HearthStore      *store,
                                            gint64            rule_id,
                                            GError          **error);
gboolean   _hearth_alerts_db_set_enabled   (HearthStore      *store,
                                            gint64            rule_id,
                                            gboolean          enabled,
                                            GError          **error);
/* Fills @instances (key → HearthAlertInstance) from alert_state. */
gboolean   _hearth_alerts_db_load_state    (HearthStore      *store,
                                            GHashTable       *instances,
                                            GError          **error);
/* Stores @event (sets event->id) and the instance's new state, at once. */
gboolean   _hearth_alerts_db_record        (HearthStore      *store,
                                            HearthAlertEvent *event,
                                            const HearthAlertInstance *instance,
                                            gboolean          escalation,
                                            gint64            firing_ms,
                                            GError          **error);
/* Returns how many firing instances it acknowledged, -1 on error. */
int        _hearth_alerts_db_acknowledge   (HearthStore      *store,
                                            gint64            rule_id,
                                            const char       *subject,
                                            GError          **error);
gboolean   _hearth_alerts_db_prune         (HearthStore      *store,
                                            gint64            before_ms,
                                            GError          **error);
gint64     _hearth_alerts_db_data_version  (HearthStore      *store,
                                            sqlite3_stmt    **stmt);

/* Any thread: a connection of their own to @path, opened read-only. */
GPtrArray *_hearth_alerts_db_read_history  (const char       *path,
                                            gint64            since_ms,
                                            GError          **error);
/* The newest live replies (not cached, complete), newest first, at most
 * @limit: what the anomaly baselines start from. */
typedef struct
{
  char   *model;
  gint64  time_ms;
  double  tokens_per_s;   /* < 0: unknown */
  double  ttft_ms;
} HearthAlertReplyRow;

void       _hearth_alert_reply_row_free    (HearthAlertReplyRow *row);
GPtrArray *_hearth_alerts_db_read_replies  (const char       *path,
                                            guint             limit,
                                            GError          **error);

G_END_DECLS
