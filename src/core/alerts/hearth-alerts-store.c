/* hearth-alerts-store.c — rules, alert state and alert history in hearth.db
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-alerts"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <inttypes.h>
#include <math.h>

#include "hearth-alerts-private.h"
#include "hearth-error.h"
#include "hearth-sqlite.h"
#include "hearth-store-private.h"

#define BUSY_TIMEOUT_MS 5000

char *
_hearth_alerts_instance_key (gint64      rule_id,
                             const char *subject)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT "\037%s", rule_id, subject ? subject : "");
}

static const char *
nonempty (const char *text)
{
  return text != NULL && *text != '\0' ? text : NULL;
}

/* A step that writes; FALSE with @error set. */
static gboolean
step_done (HearthStore   *store,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return TRUE;
  hearth_store_set_error (store, rc, error);
  return FALSE;
}

static gboolean
savepoint (HearthStore  *store,
           GError      **error)
{
  return hearth_store_exec (store, "SAVEPOINT alerts", error);
}

static gboolean
release (HearthStore  *store,
         gboolean      ok,
         GError      **error)
{
  if (ok)
    return hearth_store_exec (store, "RELEASE alerts", error);
  sqlite3_exec (hearth_store_get_db (store), "ROLLBACK TO alerts; RELEASE alerts", NULL, NULL, NULL);
  return FALSE;
}

/* Rules */

#define RULE_COLUMNS \
  "r.id, r.name, r.metric, r.condition, r.threshold, r.min_change_percent, r.for_ms," \
  " r.subject, r.severity, r.escalate_after_ms, r.cooldown_ms, r.channels, r.webhook_url," \
  " r.enabled, r.is_default"

static HearthAlertRule *
rule_from_row (sqlite3_stmt *stmt)
{
  HearthAlertRule *rule = hearth_alert_rule_new ();
  HearthAlertCondition condition = HEARTH_ALERT_ABOVE;
  HearthAlertSeverity severity = HEARTH_ALERT_WARNING;
  HearthAlertMetric metric = HEARTH_ALERT_METRIC_SERVER_UP;

  rule->id = sqlite3_column_int64 (stmt, 0);
  g_free (rule->name);
  rule->name = hearth_sqlite_column_text (stmt, 1);
  hearth_alert_metric_from_string ((const char *) sqlite3_column_text (stmt, 2), &metric);
  rule->metric = metric;
  hearth_alert_condition_from_string ((const char *) sqlite3_column_text (stmt, 3), &condition);
  rule->condition = condition;
  rule->threshold = sqlite3_column_double (stmt, 4);
  rule->min_change_percent = sqlite3_column_double (stmt, 5);
  rule->for_ms = sqlite3_column_int64 (stmt, 6);
  g_free (rule->subject);
  rule->subject = hearth_sqlite_column_text (stmt, 7);
  hearth_alert_severity_from_string ((const char *) sqlite3_column_text (stmt, 8), &severity);
  rule->severity = severity;
  rule->escalate_after_ms = sqlite3_column_int64 (stmt, 9);
  rule->cooldown_ms = sqlite3_column_int64 (stmt, 10);
  rule->channels = sqlite3_column_int (stmt, 11);
  g_free (rule->webhook_url);
  rule->webhook_url = hearth_sqlite_column_text (stmt, 12);
  rule->enabled = sqlite3_column_int (stmt, 13) != 0;
  rule->is_default = sqlite3_column_int (stmt, 14) != 0;
  rule->n_fired = sqlite3_column_int (stmt, 15);
  rule->firing_ms = sqlite3_column_int64 (stmt, 16);
  rule->n_acknowledged = sqlite3_column_int (stmt, 17);
  return rule;
}

/* Returns: (element-type HearthAlertRule): every rule, oldest first, with
 * its statistics (the time firing now is added by the caller). */
GPtrArray *
_hearth_alerts_db_load_rules (HearthStore  *store,
                              GError      **error)
{
  sqlite3_stmt *stmt = hearth_store_prepare (store,
    "SELECT " RULE_COLUMNS ","
    " (SELECT count(*) FROM alert_events e"
    "   WHERE e.rule_id = r.id AND e.state = 'firing' AND e.escalation = 0),"
    " (SELECT total(e.firing_ms) FROM alert_events e"
    "   WHERE e.rule_id = r.id AND e.state = 'resolved'),"
    " (SELECT count(*) FROM alert_events e"
    "   WHERE e.rule_id = r.id AND e.state = 'firing' AND e.escalation = 0"
    "     AND e.acknowledged = 1)"
    " FROM alert_rules r ORDER BY r.id", error);
  GPtrArray *rules;
  int rc;

  if (stmt == NULL)
    return NULL;
  rules = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_alert_rule_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rules, rule_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      hearth_store_set_error (store, rc, error);
      g_clear_pointer (&rules, g_ptr_array_unref);
    }
  sqlite3_finalize (stmt);
  return rules;
}

static void
bind_rule (sqlite3_stmt          *stmt,
           const HearthAlertRule *rule)
{
  hearth_sqlite_bind_text (stmt, ":name", rule->name);
  hearth_sqlite_bind_text (stmt, ":metric", hearth_alert_metric_to_string (rule->metric));
  hearth_sqlite_bind_text (stmt, ":condition", hearth_alert_condition_to_string (rule->condition));
  hearth_sqlite_bind_double (stmt, ":threshold", rule->threshold);
  hearth_sqlite_bind_double (stmt, ":min_change", rule->min_change_percent);
  hearth_sqlite_bind_int64 (stmt, ":for_ms", rule->for_ms);
  hearth_sqlite_bind_text (stmt, ":subject", nonempty (rule->subject));
  hearth_sqlite_bind_text (stmt, ":severity", hearth_alert_severity_to_string (rule->severity));
  hearth_sqlite_bind_int64 (stmt, ":escalate", rule->escalate_after_ms);
  hearth_sqlite_bind_int64 (stmt, ":cooldown", rule->cooldown_ms);
  hearth_sqlite_bind_int64 (stmt, ":channels", rule->channels);
  hearth_sqlite_bind_text (stmt, ":webhook", nonempty (rule->webhook_url));
  hearth_sqlite_bind_int64 (stmt, ":enabled", rule->enabled ? 1 : 0);
}

gboolean
_hearth_alerts_db_insert_rule (HearthStore      *store,
                               HearthAlertRule  *rule,
                               GError          **error)
{
  sqlite3_stmt *stmt = hearth_store_prepare (store,
    "INSERT INTO alert_rules (name, metric, condition, threshold, min_change_percent, for_ms,"
    "  subject, severity, escalate_after_ms, cooldown_ms, channels, webhook_url, enabled,"
    "  is_default)"
    " VALUES (:name, :metric, :condition, :threshold, :min_change, :for_ms, :subject,"
    "  :severity, :escalate, :cooldown, :channels, :webhook, :enabled, :is_default)", error);
  gboolean ok;

  if (stmt == NULL)
    return FALSE;
  bind_rule (stmt, rule);
  hearth_sqlite_bind_int64 (stmt, ":is_default", rule->is_default ? 1 : 0);
  ok = step_done (store, stmt, error);
  sqlite3_finalize (stmt);
  if (ok)
    rule->id = sqlite3_last_insert_rowid (hearth_store_get_db (store));
  return ok;
}

static gboolean
rule_changed (HearthStore  *store,
              gint64        rule_id,
              GError      **error)
{
  if (sqlite3_changes (hearth_store_get_db (store)) > 0)
    return TRUE;
  g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
               _("There is no alert rule %" PRId64 ": “hearth-cli alerts rules” lists them"),
               rule_id);
  return FALSE;
}

/* A changed rule starts again from ok: its old state was judged by
 * another condition. */
gboolean
_hearth_alerts_db_update_rule (HearthStore            *store,
                               const HearthAlertRule  *rule,
                               GError                **error)
{
  sqlite3_stmt *stmt;
  gboolean ok;

  if (!savepoint (store, error))
    return FALSE;
  stmt = hearth_store_prepare (store,
    "UPDATE alert_rules SET name = :name, metric = :metric, condition = :condition,"
    "  threshold = :threshold, min_change_percent = :min_change, for_ms = :for_ms,"
    "  subject = :subject, severity = :severity, escalate_after_ms = :escalate,"
    "  cooldown_ms = :cooldown, channels = :channels, webhook_url = :webhook,"
    "  enabled = :enabled"
    " WHERE id = :id", error);
  ok = stmt != NULL;
  if (ok)
    {
      bind_rule (stmt, rule);
      hearth_sqlite_bind_int64 (stmt, ":id", rule->id);
      ok = step_done (store, stmt, error) && rule_changed (store, rule->id, error);
      sqlite3_finalize (stmt);
    }
  if (ok)
    {
      g_autofree char *sql = g_strdup_printf ("DELETE FROM alert_state WHERE rule_id = %" G_GINT64_FORMAT,
                                              rule->id);
      ok = hearth_store_exec (store, sql, error);
    }
  return release (store, ok, error);
}

static gboolean
exec_on_rule (HearthStore  *store,
              const char   *sql,
              gint64        rule_id,
              GError      **error)
{
  sqlite3_stmt *stmt = hearth_store_prepare (store, sql, error);
  gboolean ok;

  if (stmt == NULL)
    return FALSE;
  hearth_sqlite_bind_int64 (stmt, ":id", rule_id);
  ok = step_done (store, stmt, error) && rule_changed (store, rule_id, error);
  sqlite3_finalize (stmt);
  return ok;
}

gboolean
_hearth_alerts_db_delete_rule (HearthStore  *store,
                               gint64        rule_id,
                               GError      **error)
{
  return exec_on_rule (store, "DELETE FROM alert_rules WHERE id = :id", rule_id, error);
}

/* A disabled rule forgets its alerts: nothing of it stays firing. */
gboolean
_hearth_alerts_db_set_enabled (HearthStore  *store,
                               gint64        rule_id,
                               gboolean      enabled,
                               GError      **error)
{
  gboolean ok;

  if (!savepoint (store, error))
    return FALSE;
  ok = exec_on_rule (store, enabled ? "UPDATE alert_rules SET enabled = 1 WHERE id = :id"
                                    : "UPDATE alert_rules SET enabled = 0 WHERE id = :id",
                     rule_id, error);
  if (ok && !enabled)
    {
      g_autofree char *sql = g_strdup_printf ("DELETE FROM alert_state WHERE rule_id = %" G_GINT64_FORMAT,
                                              rule_id);
      ok = hearth_store_exec (store, sql, error);
    }
  return release (store, ok, error);
}

/* The defaults, once per database: alert_meta remembers they were given,
 * so a removed default is not given again. Another process may do the
 * same at the same moment: the write lock decides. */
gboolean
_hearth_alerts_db_ensure_defaults (HearthStore  *store,
                                   GError      **error)
{
  g_autoptr(GPtrArray) defaults = NULL;
  sqlite3_stmt *stmt;
  gboolean given = FALSE;
  gboolean ok = TRUE;

  /* Read first: most opens find them given, and take no write lock. */
  for (int pass = 0; pass < 2 && ok && !given; pass++)
    {
      if (pass == 1 && !hearth_store_exec (store, "BEGIN IMMEDIATE", error))
        return FALSE;
      stmt = hearth_store_prepare (store, "SELECT 1 FROM alert_meta WHERE key = 'defaults-given'", error);
      if (stmt == NULL)
        ok = FALSE;
      else
        {
          given = sqlite3_step (stmt) == SQLITE_ROW;
          sqlite3_finalize (stmt);
        }
      if (pass == 0 && (given || !ok))
        return ok;
    }
  if (ok && !given)
    {
      defaults = hearth_alert_rule_defaults ();
      for (guint i = 0; ok && i < defaults->len; i++)
        {
          HearthAlertRule *rule = defaults->pdata[i];

          rule->is_default = TRUE;
          ok = _hearth_alerts_db_insert_rule (store, rule, error);
        }
      ok = ok && hearth_store_exec (store, "INSERT INTO alert_meta (key, value)"
                                    " VALUES ('defaults-given', '1')", error);
    }
  if (ok)
    return hearth_store_exec (store, "COMMIT", error);
  hearth_store_rollback (store);
  return FALSE;
}

/* State */

gboolean
_hearth_alerts_db_load_state (HearthStore  *store,
                              GHashTable   *instances,
                              GError      **error)
{
  sqlite3_stmt *stmt = hearth_store_prepare (store,
    "SELECT s.rule_id, s.subject, s.state, s.severity, s.since_ms, s.firing_since_ms,"
    "  s.acknowledged, s.last_delivered_ms, s.delivered, s.value, s.event_id, e.message"
    " FROM alert_state s LEFT JOIN alert_events e ON e.id = s.event_id", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      HearthAlertInstance *instance = hearth_alert_instance_new ();
      const char *state = (const char *) sqlite3_column_text (stmt, 2);
      HearthAlertSeverity severity = HEARTH_ALERT_WARNING;

      for (HearthAlertState s = HEARTH_ALERT_STATE_OK; s <= HEARTH_ALERT_STATE_RESOLVED; s++)
        if (g_strcmp0 (state, hearth_alert_state_to_string (s)) == 0)
          instance->state = s;
      hearth_alert_severity_from_string ((const char *) sqlite3_column_text (stmt, 3), &severity);
      instance->severity = severity;
      instance->since_ms = sqlite3_column_int64 (stmt, 4);
      instance->firing_since_ms = sqlite3_column_int64 (stmt, 5);
      instance->acknowledged = sqlite3_column_int (stmt, 6) != 0;
      instance->last_delivered_ms = sqlite3_column_int64 (stmt, 7);
      instance->delivered = sqlite3_column_int (stmt, 8) != 0;
      instance->value = sqlite3_column_type (stmt, 9) == SQLITE_NULL ? NAN : sqlite3_column_double (stmt, 9);
      /* What it was judged on is this process's to see again. */
      instance->holds = instance->state == HEARTH_ALERT_STATE_FIRING ||
                        instance->state == HEARTH_ALERT_STATE_PENDING;
      instance->event_id = sqlite3_column_int64 (stmt, 10);
      instance->message = hearth_sqlite_column_text (stmt, 11);
      g_hash_table_replace (instances,
                            _hearth_alerts_instance_key (sqlite3_column_int64 (stmt, 0),
                                                         (const char *) sqlite3_column_text (stmt, 1)),
                            instance);
    }
  sqlite3_finalize (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  hearth_store_set_error (store, rc, error);
  return FALSE;
}

static gboolean
insert_event (HearthStore       *store,
              HearthAlertEvent  *event,
              gboolean           escalation,
              gint64             firing_ms,
              GError           **error)
{
  sqlite3_stmt *stmt = hearth_store_prepare (store,
    "INSERT INTO alert_events (rule_id, rule_name, metric, subject, state, severity, value,"
    "  threshold, time_ms, since_ms, acknowledged, deliver, escalation, firing_ms, message)"
    " VALUES (:rule_id, :rule_name, :metric, :subject, :state, :severity, :value, :threshold,"
    "  :time_ms, :since_ms, :acknowledged, :deliver, :escalation, :firing_ms, :message)", error);
  gboolean ok;

  if (stmt == NULL)
    return FALSE;
  hearth_sqlite_bind_int64 (stmt, ":rule_id", event->rule_id);
  hearth_sqlite_bind_text (stmt, ":rule_name", event->rule_name ? event->rule_name : "");
  hearth_sqlite_bind_text (stmt, ":metric", hearth_alert_metric_to_string (event->metric));
  hearth_sqlite_bind_text (stmt, ":subject", nonempty (event->subject));
  hearth_sqlite_bind_text (stmt, ":state", hearth_alert_state_to_string (event->state));
  hearth_sqlite_bind_text (stmt, ":severity", hearth_alert_severity_to_string (event->severity));
  if (isfinite (event->value))
    hearth_sqlite_bind_double (stmt, ":value", event->value);
  hearth_sqlite_bind_double (stmt, ":threshold", event->threshold);
  hearth_sqlite_bind_int64 (stmt, ":time_ms", event->time_ms);
  hearth_sqlite_bind_int64 (stmt, ":since_ms", event->since_ms);
  hearth_sqlite_bind_int64 (stmt, ":acknowledged", event->acknowledged);
  hearth_sqlite_bind_int64 (stmt, ":deliver", event->deliver);
  hearth_sqlite_bind_int64 (stmt, ":escalation", escalation);
  hearth_sqlite_bind_int64 (stmt, ":firing_ms", firing_ms);
  hearth_sqlite_bind_text (stmt, ":message", event->message ? event->message : "");
  ok = step_done (store, stmt, error);
  sqlite3_finalize (stmt);
  if (ok)
    event->id = sqlite3_last_insert_rowid (hearth_store_get_db (store));
  return ok;
}

static gboolean
save_state (HearthStore                *store,
            const HearthAlertEvent     *event,
            const HearthAlertInstance  *instance,
            GError                    **error)
{
  sqlite3_stmt *stmt = hearth_store_prepare (store,
    "INSERT OR REPLACE INTO alert_state (rule_id, subject, state, severity, since_ms,"
    "  firing_since_ms, acknowledged, last_delivered_ms, delivered, value, event_id)"
    " SELECT :rule_id, :subject, :state, :severity, :since_ms, :firing_since_ms,"
    "  :acknowledged, :last_delivered_ms, :delivered, :value, :event_id"
    " WHERE EXISTS (SELECT 1 FROM alert_rules WHERE id = :rule_id)", error);
  gboolean ok;

  if (stmt == NULL)
    return FALSE;
  hearth_sqlite_bind_int64 (stmt, ":rule_id", event->rule_id);
  hearth_sqlite_bind_text (stmt, ":subject", event->subject ? event->subject : "");
  hearth_sqlite_bind_text (stmt, ":state", hearth_alert_state_to_string (instance->state));
  hearth_sqlite_bind_text (stmt, ":severity", hearth_alert_severity_to_string (instance->severity));
  hearth_sqlite_bind_int64 (stmt, ":since_ms", instance->since_ms);
  hearth_sqlite_bind_int64 (stmt, ":firing_since_ms", instance->firing_since_ms);
  hearth_sqlite_bind_int64 (stmt, ":acknowledged", instance->acknowledged);
  hearth_sqlite_bind_int64 (stmt, ":last_delivered_ms", instance->last_delivered_ms);
  hearth_sqlite_bind_int64 (stmt, ":delivered", instance->delivered);
  if (isfinite (instance->value))
    hearth_sqlite_bind_double (stmt, ":value", instance->value);
  hearth_sqlite_bind_int64 (stmt, ":event_id", event->id);
  ok = step_done (store, stmt, error);
  sqlite3_finalize (stmt);
  return ok;
}

gboolean
_hearth_alerts_db_record (HearthStore               *store,
                          HearthAlertEvent          *event,
                          const HearthAlertInstance *instance,
                          gboolean                   escalation,
                          gint64                     firing_ms,
                          GError                   **error)
{
  gboolean ok;

  if (!savepoint (store, error))
    return FALSE;
  ok = insert_event (store, event, escalation, firing_ms, error) &&
       save_state (store, event, instance, error);
  return release (store, ok, error);
}

int
_hearth_alerts_db_acknowledge (HearthStore  *store,
                               gint64        rule_id,
                               const char   *subject,
                               GError      **error)
{
  sqlite3_stmt *stmt;
  int n = -1;

  if (!savepoint (store, error))
    return -1;
  stmt = hearth_store_prepare (store,
    "UPDATE alert_events SET acknowledged = 1"
    " WHERE id IN (SELECT e.id FROM alert_state s JOIN alert_events e"
    "   ON e.rule_id = s.rule_id AND coalesce (e.subject, '') = s.subject"
    "   AND e.state = 'firing' AND e.time_ms >= s.firing_since_ms"
    "   WHERE s.rule_id = :rule_id AND s.state = 'firing' AND s.acknowledged = 0"
    "   AND (:subject IS NULL OR s.subject = :subject))", error);
  if (stmt != NULL)
    {
      hearth_sqlite_bind_int64 (stmt, ":rule_id", rule_id);
      hearth_sqlite_bind_text (stmt, ":subject", subject);
      if (step_done (store, stmt, error))
        n = 0;
      sqlite3_finalize (stmt);
    }
  if (n == 0)
    {
      stmt = hearth_store_prepare (store,
        "UPDATE alert_state SET acknowledged = 1"
        " WHERE rule_id = :rule_id AND state = 'firing' AND acknowledged = 0"
        " AND (:subject IS NULL OR subject = :subject)", error);
      n = -1;
      if (stmt != NULL)
        {
          hearth_sqlite_bind_int64 (stmt, ":rule_id", rule_id);
          hearth_sqlite_bind_text (stmt, ":subject", subject);
          if (step_done (store, stmt, error))
            n = sqlite3_changes (hearth_store_get_db (store));
          sqlite3_finalize (stmt);
        }
    }
  if (!release (store, n >= 0, error) && n >= 0)
    return -1;
  return n;
}

gboolean
_hearth_alerts_db_prune (HearthStore  *store,
                         gint64        before_ms,
                         GError      **error)
{
  sqlite3_stmt *stmt = hearth_store_prepare (store,
    "DELETE FROM alert_events WHERE time_ms < :before"
    " AND id NOT IN (SELECT event_id FROM alert_state WHERE event_id IS NOT NULL)", error);
  gboolean ok;

  if (stmt == NULL)
    return FALSE;
  hearth_sqlite_bind_int64 (stmt, ":before", before_ms);
  ok = step_done (store, stmt, error);
  sqlite3_finalize (stmt);
  return ok;
}

/* Changes when another connection committed: what makes this process read
 * the rules and alerts again. */
gint64
_hearth_alerts_db_data_version (HearthStore   *store,
                                sqlite3_stmt **stmt)
{
  gint64 version = -1;

  if (*stmt == NULL &&
      sqlite3_prepare_v2 (hearth_store_get_db (store), "PRAGMA data_version", -1, stmt, NULL) != SQLITE_OK)
    return -1;
  if (sqlite3_step (*stmt) == SQLITE_ROW)
    version = sqlite3_column_int64 (*stmt, 0);
  sqlite3_reset (*stmt);
  return version;
}

/* Reads in workers, each on its own read-only connection */

static sqlite3 *
open_reader (const char  *path,
             GError     **error)
{
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);

  if (rc != SQLITE_OK)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_FAILED,
                   _("The alert history in %s cannot be read: %s"), path,
                   hearth_sqlite_describe (db, rc));
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);
  return db;
}

static gboolean
reader_failed (sqlite3     *db,
               const char  *path,
               int          rc,
               GError     **error)
{
  g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_FAILED,
               _("The alert history in %s cannot be read: %s"), path,
               hearth_sqlite_describe (db, rc));
  return FALSE;
}

static HearthAlertEvent *
event_from_row (sqlite3_stmt *stmt)
{
  HearthAlertEvent *event = hearth_alert_event_new ();
  HearthAlertMetric metric = HEARTH_ALERT_METRIC_SERVER_UP;
  HearthAlertSeverity severity = HEARTH_ALERT_WARNING;
  const char *state = (const char *) sqlite3_column_text (stmt, 5);

  event->id = sqlite3_column_int64 (stmt, 0);
  event->rule_id = sqlite3_column_int64 (stmt, 1);
  event->rule_name = hearth_sqlite_column_text (stmt, 2);
  hearth_alert_metric_from_string ((const char *) sqlite3_column_text (stmt, 3), &metric);
  event->metric = metric;
  event->subject = hearth_sqlite_column_text (stmt, 4);
  for (HearthAlertState s = HEARTH_ALERT_STATE_OK; s <= HEARTH_ALERT_STATE_RESOLVED; s++)
    if (g_strcmp0 (state, hearth_alert_state_to_string (s)) == 0)
      event->state = s;
  hearth_alert_severity_from_string ((const char *) sqlite3_column_text (stmt, 6), &severity);
  event->severity = severity;
  event->value = sqlite3_column_type (stmt, 7) == SQLITE_NULL ? NAN : sqlite3_column_double (stmt, 7);
  event->threshold = sqlite3_column_double (stmt, 8);
  event->time_ms = sqlite3_column_int64 (stmt, 9);
  event->since_ms = sqlite3_column_int64 (stmt, 10);
  event->acknowledged = sqlite3_column_int (stmt, 11) != 0;
  event->deliver = sqlite3_column_int (stmt, 12) != 0;
  event->message = hearth_sqlite_column_text (stmt, 13);
  event->channels = sqlite3_column_int (stmt, 14);
  event->webhook_url = hearth_sqlite_column_text (stmt, 15);
  return event;
}

GPtrArray *
_hearth_alerts_db_read_history (const char  *path,
                                gint64       since_ms,
                                GError     **error)
{
  sqlite3 *db = open_reader (path, error);
  sqlite3_stmt *stmt = NULL;
  GPtrArray *events = NULL;
  int rc;

  if (db == NULL)
    return NULL;
  rc = sqlite3_prepare_v2 (db,
    "SELECT e.id, e.rule_id, e.rule_name, e.metric, e.subject, e.state, e.severity, e.value,"
    "  e.threshold, e.time_ms, e.since_ms, e.acknowledged, e.deliver, e.message,"
    "  coalesce (r.channels, 0), r.webhook_url"
    " FROM alert_events e LEFT JOIN alert_rules r ON r.id = e.rule_id"
    " WHERE e.time_ms >= ?1 ORDER BY e.time_ms DESC, e.id DESC", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, since_ms);
      events = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_alert_event_free);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_ptr_array_add (events, event_from_row (stmt));
    }
  if (rc != SQLITE_DONE)
    {
      reader_failed (db, path, rc, error);
      g_clear_pointer (&events, g_ptr_array_unref);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return events;
}

void
_hearth_alert_reply_row_free (HearthAlertReplyRow *row)
{
  if (row == NULL)
    return;
  g_free (row->model);
  g_free (row);
}

GPtrArray *
_hearth_alerts_db_read_replies (const char  *path,
                                guint        limit,
                                GError     **error)
{
  sqlite3 *db = open_reader (path, error);
  sqlite3_stmt *stmt = NULL;
  GPtrArray *rows = NULL;
  int rc;

  if (db == NULL)
    return NULL;
  /* Newest first by id: the primary key's order, no index needed. */
  rc = sqlite3_prepare_v2 (db,
    "SELECT model, created_ms, tokens_per_s, ttft_ms FROM messages"
    " WHERE role = 'assistant' AND state = 'complete' AND cached = 0 AND model IS NOT NULL"
    " ORDER BY id DESC LIMIT ?1", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, limit);
      rows = g_ptr_array_new_with_free_func ((GDestroyNotify) _hearth_alert_reply_row_free);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          HearthAlertReplyRow *row = g_new0 (HearthAlertReplyRow, 1);

          row->model = hearth_sqlite_column_text (stmt, 0);
          row->time_ms = sqlite3_column_int64 (stmt, 1);
          row->tokens_per_s = hearth_sqlite_column_measure (stmt, 2);
          row->ttft_ms = hearth_sqlite_column_measure (stmt, 3);
          g_ptr_array_add (rows, row);
        }
    }
  if (rc != SQLITE_DONE)
    {
      reader_failed (db, path, rc, error);
      g_clear_pointer (&rows, g_ptr_array_unref);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return rows;
}
