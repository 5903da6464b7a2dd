/* hearth-alert-rule.h — what an alert watches, and what it said
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What a rule watches. The string form ("tokens_per_s") is what the CLI,
 * the database and the webhook body use. */
typedef enum
{
  HEARTH_ALERT_METRIC_TOKENS_PER_S,   /* per model: decode speed of a reply */
  HEARTH_ALERT_METRIC_TTFT_MS,        /* per model: time to first token */
  HEARTH_ALERT_METRIC_ERROR_RATE,     /* per model: % of its last 10 replies that failed */
  HEARTH_ALERT_METRIC_SERVER_UP,      /* per endpoint: 1 up, 0 down */
  HEARTH_ALERT_METRIC_CPU_PERCENT,
  HEARTH_ALERT_METRIC_MEMORY_PERCENT,
  HEARTH_ALERT_METRIC_SWAP_USED_MB,
  HEARTH_ALERT_METRIC_VRAM_PERCENT,
  HEARTH_ALERT_METRIC_VRAM_SPILL,     /* per model: 1 when a loaded model is partly on the CPU */
  HEARTH_ALERT_METRIC_GPU_TEMP_C,
  HEARTH_ALERT_METRIC_GPU_POWER_W,
  HEARTH_ALERT_METRIC_DISK_FREE_GB,   /* the disk that holds the server's models */
  HEARTH_ALERT_N_METRICS
} HearthAlertMetric;

typedef enum
{
  HEARTH_ALERT_ABOVE,      /* value > threshold for for_ms */
  HEARTH_ALERT_BELOW,      /* value < threshold for for_ms */
  HEARTH_ALERT_ANOMALY,    /* z-score against the subject's own recent values:
                            * threshold > 0 fires at z >= threshold, < 0 at z <= threshold;
                            * min_change_percent, when > 0, also asks that far from the mean */
  HEARTH_ALERT_TREND,      /* least-squares slope per minute over for_ms:
                            * threshold > 0 fires at slope >= threshold, < 0 at slope <= threshold */
} HearthAlertCondition;

typedef enum
{
  HEARTH_ALERT_WARNING,
  HEARTH_ALERT_CRITICAL,
} HearthAlertSeverity;

typedef enum
{
  HEARTH_ALERT_CHANNEL_NOTIFICATION = 1 << 0,
  HEARTH_ALERT_CHANNEL_TRAY         = 1 << 1,
  HEARTH_ALERT_CHANNEL_LOG          = 1 << 2,
  HEARTH_ALERT_CHANNEL_WEBHOOK      = 1 << 3,
} HearthAlertChannels;

typedef enum
{
  HEARTH_ALERT_STATE_OK,
  HEARTH_ALERT_STATE_PENDING,    /* the condition holds, not yet for long enough */
  HEARTH_ALERT_STATE_FIRING,
  HEARTH_ALERT_STATE_RESOLVED,   /* was firing, the condition no longer holds */
} HearthAlertState;

/* Anomaly rules judge only once the subject has this many earlier values. */
#define HEARTH_ALERT_ANOMALY_MIN_VALUES 10
/* ... and use at most this many of the newest. */
#define HEARTH_ALERT_ANOMALY_MAX_VALUES 50

typedef struct
{
  gint64               id;                  /* 0 until stored */
  char                *name;                /* "Server down" */
  HearthAlertMetric    metric;
  HearthAlertCondition condition;
  double               threshold;           /* in the metric's unit (see above for anomaly, trend) */
  double               min_change_percent;  /* anomaly only; 0 = none */
  gint64               for_ms;              /* how long it must hold (trend: the window) */
  char                *subject;             /* a model or endpoint; NULL = each one */
  HearthAlertSeverity  severity;
  gint64               escalate_after_ms;   /* warning → critical after firing this long; 0 = never */
  gint64               cooldown_ms;         /* channels hear of a repeat only after this */
  HearthAlertChannels  channels;
  char                *webhook_url;         /* with HEARTH_ALERT_CHANNEL_WEBHOOK */
  gboolean             enabled;
  gboolean             is_default;          /* one of the rules a new user gets */

  /* Read back with the rule: its statistics from the alert history. */
  guint                n_fired;
  gint64               firing_ms;           /* total time firing */
  guint                n_acknowledged;
} HearthAlertRule;

/* One transition of one rule for one subject, as stored and as told. */
typedef struct
{
  gint64               id;                  /* 0 until stored */
  gint64               rule_id;
  char                *rule_name;
  HearthAlertMetric    metric;
  char                *subject;             /* model or endpoint, NULL for the machine */
  HearthAlertState     state;               /* the state entered */
  HearthAlertSeverity  severity;
  double               value;               /* what was seen (NAN when nothing was) */
  double               threshold;
  gint64               time_ms;             /* wall clock */
  gint64               since_ms;            /* when the state that is current began */
  gboolean             acknowledged;
  gboolean             is_test;             /* sent by "alerts test" */
  gboolean             deliver;             /* channels should tell the user (not in cooldown,
                                             * not acknowledged, not silenced by quiet hours) */
  HearthAlertChannels  channels;            /* the rule's */
  char                *webhook_url;
  char                *message;             /* one sentence a user understands */
} HearthAlertEvent;

GType              hearth_alert_rule_get_type     (void) G_GNUC_CONST;
HearthAlertRule   *hearth_alert_rule_new          (void);
HearthAlertRule   *hearth_alert_rule_copy         (const HearthAlertRule *rule);
void               hearth_alert_rule_free         (HearthAlertRule       *rule);
/* "tokens_per_s below 20 for 30s", for lists and the CLI */
char              *hearth_alert_rule_describe     (const HearthAlertRule *rule);
/* The rules a new user gets: server down, VRAM spill, a model 30 % slower
 * than its normal, models' disk under 5 GB. */
GPtrArray         *hearth_alert_rule_defaults     (void);

GType              hearth_alert_event_get_type    (void) G_GNUC_CONST;
HearthAlertEvent  *hearth_alert_event_new         (void);
HearthAlertEvent  *hearth_alert_event_copy        (const HearthAlertEvent *event);
void               hearth_alert_event_free        (HearthAlertEvent      *event);
/* The documented webhook body (README "Alerts"): rule, metric, value,
 * threshold, state, severity, time (ISO 8601), host, subject, message, test. */
char              *hearth_alert_event_to_json     (const HearthAlertEvent *event);

const char        *hearth_alert_metric_to_string  (HearthAlertMetric      metric);
gboolean           hearth_alert_metric_from_string (const char           *text,
                                                    HearthAlertMetric    *metric);
const char        *hearth_alert_metric_get_label  (HearthAlertMetric      metric);  /* "Decode speed" */
const char        *hearth_alert_metric_get_unit   (HearthAlertMetric      metric);  /* "tokens/s", "" */
gboolean           hearth_alert_metric_is_per_model (HearthAlertMetric    metric);
const char        *hearth_alert_state_to_string   (HearthAlertState       state);   /* "firing" */
const char        *hearth_alert_severity_to_string (HearthAlertSeverity   severity); /* "warning" */
gboolean           hearth_alert_severity_from_string (const char         *text,
                                                      HearthAlertSeverity *severity);
/* "30s", "10m", "2h", "1d" (and a bare number of seconds) */
gboolean           hearth_alert_parse_duration    (const char            *text,
                                                   gint64                *ms,
                                                   GError               **error);
char              *hearth_alert_format_duration   (gint64                 ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthAlertRule, hearth_alert_rule_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthAlertEvent, hearth_alert_event_free)

G_END_DECLS
