/* hearth-alert-log.c — an alert as one structured record for the journal
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-alerts"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>

#include "hearth-alert-channels.h"

#define MAX_FIELDS 16

/* syslog priorities, as journalctl -p filters them */
#define PRIORITY_ERR     "3"
#define PRIORITY_WARNING "4"
#define PRIORITY_NOTICE  "5"
#define PRIORITY_INFO    "6"

/* A firing alert is as grave as its severity; the rest is news, and a test
 * is only information. */
static const char *
event_priority (const HearthAlertEvent *event)
{
  if (event->is_test)
    return PRIORITY_INFO;
  if (event->state != HEARTH_ALERT_STATE_FIRING)
    return PRIORITY_NOTICE;
  return event->severity == HEARTH_ALERT_CRITICAL ? PRIORITY_ERR : PRIORITY_WARNING;
}

/* An event without a message of its own: one whole sentence per state, and
 * for a rule without a name, so that no English word lands in a translation. */
static char *
state_message (const HearthAlertEvent *event)
{
  const char *name = event->rule_name;

  if (name == NULL || *name == '\0')
    switch (event->state)
      {
      case HEARTH_ALERT_STATE_PENDING:
        return g_strdup (_("An unnamed alert is about to fire"));
      case HEARTH_ALERT_STATE_FIRING:
        return g_strdup (_("An unnamed alert is firing"));
      case HEARTH_ALERT_STATE_RESOLVED:
        return g_strdup (_("An unnamed alert is resolved"));
      case HEARTH_ALERT_STATE_OK:
      default:
        return g_strdup (_("An unnamed alert is quiet"));
      }

  switch (event->state)
    {
    case HEARTH_ALERT_STATE_PENDING:
      /* Translators: %s is the alert rule's name; its condition holds, but
       * not yet for long enough to fire */
      return g_strdup_printf (_("Alert “%s” is about to fire"), name);
    case HEARTH_ALERT_STATE_FIRING:
      /* Translators: %s is the alert rule's name */
      return g_strdup_printf (_("Alert “%s” is firing"), name);
    case HEARTH_ALERT_STATE_RESOLVED:
      /* Translators: %s is the alert rule's name; it fired, and its
       * condition no longer holds */
      return g_strdup_printf (_("Alert “%s” is resolved"), name);
    case HEARTH_ALERT_STATE_OK:
    default:
      /* Translators: %s is the alert rule's name; nothing is wrong */
      return g_strdup_printf (_("Alert “%s” is quiet"), name);
    }
}

static char *
event_message (const HearthAlertEvent *event)
{
  g_autofree char *text = NULL;

  if (event->message != NULL && *event->message != '\0')
    text = g_strdup (event->message);
  else
    text = state_message (event);
  if (event->is_test)
    return g_strdup_printf (_("Test alert, nothing is wrong: %s"), text);
  return g_steal_pointer (&text);
}

static void
add_field (GLogField  *fields,
           gsize      *n_fields,
           const char *key,
           const char *value)
{
  g_assert (*n_fields < MAX_FIELDS);
  if (value == NULL)
    return;
  fields[*n_fields].key = key;
  fields[*n_fields].value = value;
  fields[*n_fields].length = -1;
  (*n_fields)++;
}

void
hearth_alert_log_event (const HearthAlertEvent *event)
{
  GLogField fields[MAX_FIELDS];
  gsize n_fields = 0;
  g_autofree char *message = NULL;
  char value[G_ASCII_DTOSTR_BUF_SIZE];
  char threshold[G_ASCII_DTOSTR_BUF_SIZE];
  char rule_id[32];

  g_return_if_fail (event != NULL);

  message = event_message (event);
  g_ascii_formatd (value, sizeof value, "%.6g", event->value);
  g_ascii_formatd (threshold, sizeof threshold, "%.6g", event->threshold);
  g_snprintf (rule_id, sizeof rule_id, "%" G_GINT64_FORMAT, event->rule_id);

  add_field (fields, &n_fields, "MESSAGE", message);
  add_field (fields, &n_fields, "PRIORITY", event_priority (event));
  add_field (fields, &n_fields, "GLIB_DOMAIN", G_LOG_DOMAIN);
  add_field (fields, &n_fields, "HEARTH_ALERT_RULE", event->rule_name ? event->rule_name : "");
  add_field (fields, &n_fields, "HEARTH_ALERT_RULE_ID", rule_id);
  add_field (fields, &n_fields, "HEARTH_ALERT_METRIC", hearth_alert_metric_to_string (event->metric));
  add_field (fields, &n_fields, "HEARTH_ALERT_STATE", hearth_alert_state_to_string (event->state));
  add_field (fields, &n_fields, "HEARTH_ALERT_SEVERITY",
             hearth_alert_severity_to_string (event->severity));
  /* Nothing seen, or the machine rather than one model: no field. */
  add_field (fields, &n_fields, "HEARTH_ALERT_VALUE", isnan (event->value) ? NULL : value);
  add_field (fields, &n_fields, "HEARTH_ALERT_THRESHOLD", threshold);
  add_field (fields, &n_fields, "HEARTH_ALERT_SUBJECT", event->subject);
  add_field (fields, &n_fields, "HEARTH_ALERT_TEST", event->is_test ? "1" : NULL);

  /* The level only decides whether GLib shows the record (MESSAGE always is,
   * and is never fatal); the journal files it under PRIORITY above. */
  g_log_structured_array (G_LOG_LEVEL_MESSAGE, fields, n_fields);
}
