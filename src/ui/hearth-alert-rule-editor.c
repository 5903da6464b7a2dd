/* hearth-alert-rule-editor.c — add or change an alert rule, with the metric's recent values beside the threshold
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The editor checks what it can show beside a field (durations, the webhook
 * URL) before HearthAlerts checks the rule as a whole; either way the input
 * stays as typed and the problem is said next to it.
 */
#define G_LOG_DOMAIN "hearth-alert-rule-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "hearth-alert-rule-editor.h"
#include "hearth-error.h"
#include "hearth-graph.h"

#define RECENT_MINUTES   60
#define RELOAD_SECONDS   5
#define GRAPH_CAPACITY   3600

struct _HearthAlertRuleEditor
{
  AdwWindow         parent_instance;

  HearthAlerts     *alerts;
  HearthAlertRule  *rule;        /* the rule being changed, or a new one */
  HearthGraph      *graph;
  guint             reload_id;
  gboolean          error_focused;

  AdwWindowTitle   *window_title;
  GtkLabel         *error_label;
  AdwEntryRow      *name_row;
  AdwComboRow      *metric_row;
  GtkStringList    *metric_list;
  AdwEntryRow      *subject_row;
  AdwPreferencesGroup *condition_group;
  AdwComboRow      *condition_row;
  AdwActionRow     *threshold_row;
  GtkSpinButton    *threshold_spin;
  GtkWidget        *change_row;
  GtkSpinButton    *change_spin;
  AdwEntryRow      *for_row;
  GtkLabel         *condition_error_label;
  AdwPreferencesGroup *recent_group;
  AdwBin           *graph_bin;
  GtkLabel         *recent_label;
  AdwComboRow      *severity_row;
  AdwEntryRow      *escalate_row;
  AdwEntryRow      *cooldown_row;
  GtkLabel         *severity_error_label;
  GtkSwitch        *notification_switch;
  GtkSwitch        *tray_switch;
  GtkSwitch        *log_switch;
  GtkSwitch        *webhook_switch;
  AdwEntryRow      *url_row;
  GtkLabel         *url_error_label;
};

G_DEFINE_FINAL_TYPE (HearthAlertRuleEditor, hearth_alert_rule_editor, ADW_TYPE_WINDOW)

static HearthAlertMetric
selected_metric (HearthAlertRuleEditor *self)
{
  guint selected = adw_combo_row_get_selected (self->metric_row);

  return selected < HEARTH_ALERT_N_METRICS ? (HearthAlertMetric) selected
                                           : HEARTH_ALERT_METRIC_TOKENS_PER_S;
}

static HearthAlertCondition
selected_condition (HearthAlertRuleEditor *self)
{
  guint selected = adw_combo_row_get_selected (self->condition_row);

  return selected <= HEARTH_ALERT_TREND ? (HearthAlertCondition) selected : HEARTH_ALERT_ABOVE;
}

static const char *
text_of (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

/* The recent values beside the threshold */

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static char *
format_value (double      value,
              const char *unit)
{
  int digits = fabs (value) >= 100 || value == floor (value) ? 0 : 1;

  if (unit == NULL || unit[0] == '\0')
    return g_strdup_printf ("%.*f", digits, value);
  return g_strdup_printf ("%.*f%s%s", digits, value, g_str_equal (unit, "%") ? "" : " ", unit);
}

/* "Last 60 min, 42 values: lowest 12 tokens/s, median 31 tokens/s, highest 40 tokens/s" */
static char *
describe_values (GArray     *points,
                 const char *unit)
{
  g_autofree double *values = g_new (double, MAX (1, points->len));
  g_autofree char *low = NULL, *median = NULL, *high = NULL;
  guint n = points->len;

  for (guint i = 0; i < n; i++)
    values[i] = g_array_index (points, HearthAlertPoint, i).value;
  qsort (values, n, sizeof (double), compare_doubles);
  low = format_value (values[0], unit);
  high = format_value (values[n - 1], unit);
  median = format_value (n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2, unit);
  /* Translators: measured values of the metric the rule watches, in the last hour */
  return g_strdup_printf (g_dngettext (NULL,
                                       "%u value in the last hour: lowest %s, median %s, highest %s",
                                       "%u values in the last hour: lowest %s, median %s, highest %s",
                                       n),
                          n, low, median, high);
}

static void
update_threshold_line (HearthAlertRuleEditor *self)
{
  HearthAlertCondition condition = selected_condition (self);

  /* a z-score or a slope is not a value on this graph's scale */
  hearth_graph_set_threshold (self->graph,
                              condition == HEARTH_ALERT_ABOVE || condition == HEARTH_ALERT_BELOW
                              ? gtk_spin_button_get_value (self->threshold_spin) : NAN);
}

/* From the first value seen to now, in whole 5 minutes: a few minutes of
 * values fill the graph instead of a sliver at the edge of an hour. */
static gint64
time_window_us (GArray *points)
{
  const gint64 step_us = 5 * 60 * G_USEC_PER_SEC;
  gint64 span_us = step_us;

  if (points != NULL && points->len > 0)
    span_us = g_get_real_time () - g_array_index (points, HearthAlertPoint, 0).time_ms * 1000;
  span_us = (MAX (span_us, 1) + step_us - 1) / step_us * step_us;
  return MIN (span_us, (gint64) RECENT_MINUTES * 60 * G_USEC_PER_SEC);
}

static void
reload_values (HearthAlertRuleEditor *self)
{
  HearthAlertMetric metric = selected_metric (self);
  const char *subject = text_of (self->subject_row);
  gint64 since_ms = g_get_real_time () / 1000 - RECENT_MINUTES * 60 * 1000LL;
  g_autoptr(GArray) points = NULL;

  points = hearth_alerts_get_recent_values (self->alerts, metric,
                                            subject[0] != '\0' ? subject : NULL, since_ms);
  hearth_graph_clear (self->graph);
  hearth_graph_set_unit (self->graph, hearth_alert_metric_get_unit (metric));
  /* its name for a screen reader: what it shows */
  hearth_graph_set_title (self->graph, hearth_alert_metric_get_label (metric));
  hearth_graph_set_time_window (self->graph, time_window_us (points));
  for (guint i = 0; points != NULL && i < points->len; i++)
    {
      HearthAlertPoint *point = &g_array_index (points, HearthAlertPoint, i);

      hearth_graph_push (self->graph, 0, point->time_ms * 1000, point->value);
    }
  update_threshold_line (self);
  if (points == NULL || points->len == 0)
    gtk_label_set_text (self->recent_label,
                        _("Hearth has seen no value of this metric in the last hour. It keeps "
                          "what it sees while it runs, so values appear as they are measured."));
  else
    {
      g_autofree char *text = describe_values (points, hearth_alert_metric_get_unit (metric));

      gtk_label_set_text (self->recent_label, text);
    }
}

static gboolean
on_reload (gpointer user_data)
{
  reload_values (user_data);
  return G_SOURCE_CONTINUE;
}

/* The condition explained, and the threshold's unit */

static char *
explain_condition (HearthAlertCondition condition,
                   const char          *unit)
{
  switch (condition)
    {
    case HEARTH_ALERT_BELOW:
      return g_strdup (_("Fires when the value stays below the threshold for the whole time."));
    case HEARTH_ALERT_ANOMALY:
      return g_strdup_printf (_("Fires when a value is unusual for its model: this many standard "
                                "deviations from its own last %d values (negative: below its "
                                "normal). It judges only once it has %d earlier values."),
                              HEARTH_ALERT_ANOMALY_MAX_VALUES, HEARTH_ALERT_ANOMALY_MIN_VALUES);
    case HEARTH_ALERT_TREND:
      /* Translators: %s is a unit, like tokens/s */
      return g_strdup_printf (_("Fires when the value climbs by at least this much %s per minute "
                                "over the time (negative: falls)."), unit);
    case HEARTH_ALERT_ABOVE:
    default:
      return g_strdup (_("Fires when the value stays above the threshold for the whole time."));
    }
}

static void
update_condition (HearthAlertRuleEditor *self)
{
  HearthAlertMetric metric = selected_metric (self);
  HearthAlertCondition condition = selected_condition (self);
  const char *unit = hearth_alert_metric_get_unit (metric);
  g_autofree char *explanation = explain_condition (condition, unit);
  g_autofree char *threshold_unit = NULL;

  adw_preferences_group_set_description (self->condition_group, explanation);
  if (condition == HEARTH_ALERT_ANOMALY)
    threshold_unit = g_strdup (_("standard deviations (z-score)"));
  else if (condition == HEARTH_ALERT_TREND)
    threshold_unit = g_strdup_printf (_("%s per minute"), unit[0] != '\0' ? unit : _("units"));
  else
    threshold_unit = g_strdup (unit);
  adw_action_row_set_subtitle (self->threshold_row, threshold_unit);
  gtk_widget_set_visible (self->change_row, condition == HEARTH_ALERT_ANOMALY);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->for_row),
                                 condition == HEARTH_ALERT_TREND ? _("Over (5m, 1h)")
                                                                 : _("For (30s, 5m, 1h)"));
  update_threshold_line (self);
}

static void
on_metric_changed (HearthAlertRuleEditor *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->subject_row),
                          hearth_alert_metric_is_per_model (selected_metric (self)));
  update_condition (self);
  reload_values (self);
}

/* Inline errors */

/* The first problem gets the focus, so the editor scrolls to it. */
static void
show_error (HearthAlertRuleEditor *self,
            GtkLabel              *label,
            GtkWidget             *row,
            const char            *message)
{
  gtk_label_set_text (label, message);
  gtk_widget_set_visible (GTK_WIDGET (label), TRUE);
  if (row == NULL)
    return;
  gtk_widget_add_css_class (row, "error");
  if (!self->error_focused)
    gtk_widget_grab_focus (row);
  self->error_focused = TRUE;
}

static void
clear_errors (HearthAlertRuleEditor *self)
{
  GtkWidget *rows[] = { GTK_WIDGET (self->name_row), GTK_WIDGET (self->for_row),
                        GTK_WIDGET (self->escalate_row), GTK_WIDGET (self->cooldown_row),
                        GTK_WIDGET (self->url_row) };
  GtkLabel *labels[] = { self->error_label, self->condition_error_label,
                         self->severity_error_label, self->url_error_label };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    gtk_widget_remove_css_class (rows[i], "error");
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    gtk_widget_set_visible (GTK_WIDGET (labels[i]), FALSE);
  self->error_focused = FALSE;
}

/* An empty @row gives @empty_ms. */
static gboolean
read_duration (HearthAlertRuleEditor *self,
               AdwEntryRow           *row,
               GtkLabel              *error_label,
               gint64                 empty_ms,
               gint64                *ms)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strstrip (g_strdup (text_of (row)));

  if (text[0] == '\0')
    {
      *ms = empty_ms;
      return TRUE;
    }
  if (hearth_alert_parse_duration (text, ms, &error))
    return TRUE;
  {
    /* Translators: "Make critical after: ..." followed by the parser's message */
    g_autofree char *message = g_strdup_printf (_("%s: %s"),
                                                adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                                                error->message);

    show_error (self, error_label, GTK_WIDGET (row), message);
  }
  return FALSE;
}

static gboolean
read_url (HearthAlertRuleEditor *self,
          char                 **url)
{
  g_autofree char *text = g_strstrip (g_strdup (text_of (self->url_row)));
  g_autoptr(GUri) uri = NULL;

  *url = NULL;
  if (!gtk_switch_get_active (self->webhook_switch))
    return TRUE;
  uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0'
      || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0
          && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
    {
      show_error (self, self->url_error_label, GTK_WIDGET (self->url_row),
                  text[0] == '\0'
                  ? _("The webhook needs a URL, like http://homeassistant.local:8123/api/webhook/hearth")
                  : _("This is not a web address: a webhook URL starts with http:// or https:// "
                      "and names a host, like https://ntfy.sh/my-topic"));
      return FALSE;
    }
  *url = g_steal_pointer (&text);
  return TRUE;
}

static HearthAlertChannels
read_channels (HearthAlertRuleEditor *self)
{
  return (gtk_switch_get_active (self->notification_switch) ? HEARTH_ALERT_CHANNEL_NOTIFICATION : 0)
         | (gtk_switch_get_active (self->tray_switch) ? HEARTH_ALERT_CHANNEL_TRAY : 0)
         | (gtk_switch_get_active (self->log_switch) ? HEARTH_ALERT_CHANNEL_LOG : 0)
         | (gtk_switch_get_active (self->webhook_switch) ? HEARTH_ALERT_CHANNEL_WEBHOOK : 0);
}

/* The fields into a copy of the rule; FALSE with the problems shown. */
static HearthAlertRule *
read_rule (HearthAlertRuleEditor *self)
{
  g_autoptr(HearthAlertRule) rule = hearth_alert_rule_copy (self->rule);
  g_autofree char *name = g_strstrip (g_strdup (text_of (self->name_row)));
  g_autofree char *subject = g_strstrip (g_strdup (text_of (self->subject_row)));
  gboolean ok = TRUE;

  clear_errors (self);
  if (name[0] == '\0')
    {
      show_error (self, self->error_label, GTK_WIDGET (self->name_row),
                  _("The rule needs a name: it is what the notification says."));
      ok = FALSE;
    }
  ok &= read_duration (self, self->for_row, self->condition_error_label, 0, &rule->for_ms);
  ok &= read_duration (self, self->escalate_row, self->severity_error_label, 0,
                       &rule->escalate_after_ms);
  ok &= read_duration (self, self->cooldown_row, self->severity_error_label, 10 * 60 * 1000,
                       &rule->cooldown_ms);
  g_clear_pointer (&rule->webhook_url, g_free);
  ok &= read_url (self, &rule->webhook_url);
  if (!ok)
    return NULL;

  g_free (rule->name);
  rule->name = g_steal_pointer (&name);
  rule->metric = selected_metric (self);
  rule->condition = selected_condition (self);
  rule->threshold = gtk_spin_button_get_value (self->threshold_spin);
  rule->min_change_percent = rule->condition == HEARTH_ALERT_ANOMALY
                             ? gtk_spin_button_get_value (self->change_spin) : 0;
  g_free (rule->subject);
  rule->subject = subject[0] != '\0' && hearth_alert_metric_is_per_model (rule->metric)
                  ? g_steal_pointer (&subject) : NULL;
  rule->severity = adw_combo_row_get_selected (self->severity_row) == 1 ? HEARTH_ALERT_CRITICAL
                                                                        : HEARTH_ALERT_WARNING;
  rule->channels = read_channels (self);
  return g_steal_pointer (&rule);
}

gboolean
hearth_alert_rule_editor_save (HearthAlertRuleEditor *self)
{
  g_autoptr(HearthAlertRule) rule = NULL;
  g_autoptr(GError) error = NULL;
  gboolean stored;

  g_return_val_if_fail (HEARTH_IS_ALERT_RULE_EDITOR (self), FALSE);

  rule = read_rule (self);
  if (rule == NULL)
    return FALSE;
  stored = rule->id == 0 ? hearth_alerts_add_rule (self->alerts, rule, &error)
                         : hearth_alerts_update_rule (self->alerts, rule, &error);
  if (!stored)
    {
      g_autofree char *text = hearth_error_describe (error);

      show_error (self, self->error_label, NULL, text);
      return FALSE;
    }
  gtk_window_destroy (GTK_WINDOW (self));
  return TRUE;
}

static void
editor_save (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  hearth_alert_rule_editor_save (HEARTH_ALERT_RULE_EDITOR (widget));
}

static void
set_duration (AdwEntryRow *row,
              gint64       ms)
{
  g_autofree char *text = ms > 0 ? hearth_alert_format_duration (ms) : g_strdup ("");

  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static void
fill_fields (HearthAlertRuleEditor *self)
{
  const HearthAlertRule *rule = self->rule;

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), rule->name != NULL ? rule->name : "");
  adw_combo_row_set_selected (self->metric_row, rule->metric);
  gtk_editable_set_text (GTK_EDITABLE (self->subject_row), rule->subject ?: "");
  adw_combo_row_set_selected (self->condition_row, rule->condition);
  gtk_spin_button_set_value (self->threshold_spin, rule->threshold);
  gtk_spin_button_set_value (self->change_spin, rule->min_change_percent);
  set_duration (self->for_row, rule->for_ms);
  adw_combo_row_set_selected (self->severity_row, rule->severity == HEARTH_ALERT_CRITICAL);
  set_duration (self->escalate_row, rule->escalate_after_ms);
  set_duration (self->cooldown_row, rule->cooldown_ms);
  gtk_switch_set_active (self->notification_switch,
                         rule->channels & HEARTH_ALERT_CHANNEL_NOTIFICATION);
  gtk_switch_set_active (self->tray_switch, rule->channels & HEARTH_ALERT_CHANNEL_TRAY);
  gtk_switch_set_active (self->log_switch, rule->channels & HEARTH_ALERT_CHANNEL_LOG);
  gtk_switch_set_active (self->webhook_switch, rule->channels & HEARTH_ALERT_CHANNEL_WEBHOOK);
  gtk_editable_set_text (GTK_EDITABLE (self->url_row), rule->webhook_url ?: "");
}

static void
hearth_alert_rule_editor_dispose (GObject *object)
{
  HearthAlertRuleEditor *self = HEARTH_ALERT_RULE_EDITOR (object);

  g_clear_handle_id (&self->reload_id, g_source_remove);
  g_clear_object (&self->alerts);
  g_clear_pointer (&self->rule, hearth_alert_rule_free);

  G_OBJECT_CLASS (hearth_alert_rule_editor_parent_class)->dispose (object);
}

static void
hearth_alert_rule_editor_class_init (HearthAlertRuleEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hearth_alert_rule_editor_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hearthapp/Hearth/hearth-alert-rule-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, window_title);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, error_label);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, metric_row);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, metric_list);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, subject_row);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, condition_group);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, condition_row);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, threshold_row);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, threshold_spin);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, change_row);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, change_spin);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, for_row);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, condition_error_label);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, recent_group);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, graph_bin);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, recent_label);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, severity_row);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, escalate_row);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, cooldown_row);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, severity_error_label);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, notification_switch);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, tray_switch);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, log_switch);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, webhook_switch);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, url_row);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertRuleEditor, url_error_label);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, editor_save);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
hearth_alert_rule_editor_init (HearthAlertRuleEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < HEARTH_ALERT_N_METRICS; i++)
    gtk_string_list_append (self->metric_list, hearth_alert_metric_get_label (i));
  self->graph = HEARTH_GRAPH (hearth_graph_new (GRAPH_CAPACITY));
  hearth_graph_add_series (self->graph, _("Value"));
  hearth_graph_set_time_window (self->graph, (gint64) RECENT_MINUTES * 60 * G_USEC_PER_SEC);
  gtk_widget_set_margin_top (GTK_WIDGET (self->graph), 6);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->graph), 6);
  gtk_widget_set_margin_start (GTK_WIDGET (self->graph), 6);
  gtk_widget_set_margin_end (GTK_WIDGET (self->graph), 6);
  adw_bin_set_child (self->graph_bin, GTK_WIDGET (self->graph));
}

HearthAlertRuleEditor *
hearth_alert_rule_editor_new (GtkWindow             *parent,
                              HearthAlerts          *alerts,
                              const HearthAlertRule *rule)
{
  HearthAlertRuleEditor *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (HEARTH_IS_ALERTS (alerts), NULL);

  self = g_object_new (HEARTH_TYPE_ALERT_RULE_EDITOR, "transient-for", parent, NULL);
  self->alerts = g_object_ref (alerts);
  if (rule != NULL)
    self->rule = hearth_alert_rule_copy (rule);
  else
    {
      self->rule = hearth_alert_rule_new ();
      self->rule->for_ms = 60 * 1000;
    }
  adw_window_title_set_title (self->window_title, rule != NULL ? _("Change Rule") : _("New Rule"));
  fill_fields (self);
  g_signal_connect_object (self->metric_row, "notify::selected", G_CALLBACK (on_metric_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->subject_row, "changed", G_CALLBACK (reload_values), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->condition_row, "notify::selected",
                           G_CALLBACK (update_condition), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->threshold_spin, "value-changed",
                           G_CALLBACK (update_threshold_line), self, G_CONNECT_SWAPPED);
  on_metric_changed (self);
  self->reload_id = g_timeout_add_seconds (RELOAD_SECONDS, on_reload, self);
  return self;
}
