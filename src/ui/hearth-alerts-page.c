/* hearth-alerts-page.c — what fires now, the rules that watch, and what happened
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything comes from the engine's HearthAlerts: the page lists, it never
 * reads the store. It follows "changed" (rules, active alerts) and
 * "transition" (the history) and rebuilds on an idle, so a burst of
 * transitions costs one rebuild.
 */
#define G_LOG_DOMAIN "hearth-alerts-page"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-alerts.h"
#include "hearth-alerts-page.h"
#include "hearth-error.h"

#define HISTORY_MAX_ROWS  100
#define TICK_SECONDS      30

/* A removal the user can still take back: the rule goes when its toast does. */
typedef struct
{
  HearthAlertsPage *self;       /* unowned: the page settles every pending removal in dispose */
  HearthAlerts     *alerts;
  AdwToast         *toast;
  gint64            rule_id;
  gboolean          undone;
} PendingRemoval;

typedef struct
{
  gint64     rule_id;
  GtkWidget *row;
  GtkSwitch *enabled;
} RuleRow;

struct _HearthAlertsPage
{
  GtkWidget              parent_instance;

  HearthEngine          *engine;
  HearthAlerts          *alerts;
  GCancellable          *history_cancellable;
  GPtrArray             *active_rows;
  GArray                *rule_rows;        /* RuleRow */
  GPtrArray             *history_rows;
  GPtrArray             *pending;          /* PendingRemoval */
  HearthAlertRuleEditor *editor;           /* weak */
  guint                  refresh_id;
  guint                  tick_id;
  gboolean               history_loading;
  gboolean               history_again;
  gboolean               history_loaded;

  AdwToastOverlay       *toast_overlay;
  GtkWidget             *quiet_box;
  GtkLabel              *quiet_label;
  AdwPreferencesGroup   *active_group;
  AdwPreferencesGroup   *rules_group;
  AdwPreferencesGroup   *history_group;
  GtkToggleButton       *day_button;
};

G_DEFINE_FINAL_TYPE (HearthAlertsPage, hearth_alerts_page, GTK_TYPE_WIDGET)

static void refresh_history (HearthAlertsPage *self);

static void
toast_error (HearthAlertsPage *self,
             const GError     *error)
{
  g_autofree char *text = hearth_error_describe (error);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

/* "45 s", "12 min", "3 h 5 min", "2 days": how long, for a person */
static char *
format_elapsed (gint64 ms)
{
  gint64 s = MAX (0, ms) / 1000;

  if (s < 60)
    return g_strdup_printf (_("%d s"), (int) s);
  if (s < 3600)
    return g_strdup_printf (_("%d min"), (int) (s / 60));
  if (s < 86400)
    {
      if ((s % 3600) / 60 == 0)
        return g_strdup_printf (_("%d h"), (int) (s / 3600));
      return g_strdup_printf (_("%d h %d min"), (int) (s / 3600), (int) ((s % 3600) / 60));
    }
  return g_strdup_printf (g_dngettext (NULL, "%d day", "%d days", s / 86400), (int) (s / 86400));
}

/* "14:02", "Yesterday 14:02", "Mon 14:02", "3 Dec 14:02" */
static char *
format_clock (gint64 time_ms)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (time_ms / 1000);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *clock = NULL;
  int days;

  if (when == NULL || now == NULL)
    return g_strdup ("?");
  clock = g_date_time_format (when, "%H:%M");
  days = g_date_time_get_day_of_year (now) - g_date_time_get_day_of_year (when)
         + 365 * (g_date_time_get_year (now) - g_date_time_get_year (when));
  if (days <= 0)
    return g_steal_pointer (&clock);
  if (days == 1)
    /* Translators: %s is a time of day */
    return g_strdup_printf (_("Yesterday %s"), clock);
  if (days < 7)
    return g_date_time_format (when, "%a %H:%M");
  /* Translators: a date and time, see g_date_time_format() */
  return g_date_time_format (when, _("%-d %b %H:%M"));
}

static const char *
severity_label (HearthAlertSeverity severity)
{
  return severity == HEARTH_ALERT_CRITICAL ? _("Critical") : _("Warning");
}

static GtkWidget *
state_icon (HearthAlertState    state,
            HearthAlertSeverity severity)
{
  GtkWidget *image;

  if (state == HEARTH_ALERT_STATE_RESOLVED || state == HEARTH_ALERT_STATE_OK)
    {
      image = gtk_image_new_from_icon_name ("emblem-ok-symbolic");
      gtk_widget_add_css_class (image, "success");
      return image;
    }
  image = gtk_image_new_from_icon_name (severity == HEARTH_ALERT_CRITICAL ? "dialog-error-symbolic"
                                                                        : "dialog-warning-symbolic");
  if (state == HEARTH_ALERT_STATE_PENDING)
    gtk_widget_add_css_class (image, "dim-label");
  else
    gtk_widget_add_css_class (image, severity == HEARTH_ALERT_CRITICAL ? "error" : "warning");
  return image;
}

static GtkWidget *
plain_row (const char *title,
           const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  return row;
}

static void
clear_rows (AdwPreferencesGroup *group,
            GPtrArray           *rows)
{
  for (guint i = 0; i < rows->len; i++)
    adw_preferences_group_remove (group, g_ptr_array_index (rows, i));
  g_ptr_array_set_size (rows, 0);
}

static void
add_row (AdwPreferencesGroup *group,
         GPtrArray           *rows,
         GtkWidget           *row)
{
  adw_preferences_group_add (group, row);
  g_ptr_array_add (rows, row);
}

/* Firing and pending */

static gint64
rule_for_ms (GPtrArray *rules,
             gint64     rule_id)
{
  for (guint i = 0; rules != NULL && i < rules->len; i++)
    if (((HearthAlertRule *) g_ptr_array_index (rules, i))->id == rule_id)
      return ((HearthAlertRule *) g_ptr_array_index (rules, i))->for_ms;
  return 0;
}

static char *
describe_active (const HearthAlertEvent *event,
                 gint64                  for_ms,
                 gint64                  now_ms)
{
  g_autofree char *elapsed = format_elapsed (now_ms - event->since_ms);
  g_autofree char *clock = format_clock (event->since_ms);

  if (event->state == HEARTH_ALERT_STATE_PENDING && for_ms > 0)
    {
      g_autofree char *needed = format_elapsed (for_ms);

      /* Translators: "Critical · Pending for 5 s of 30 s": it fires once it lasts 30 s */
      return g_strdup_printf (_("%s · Pending for %s of %s"), severity_label (event->severity),
                              elapsed, needed);
    }
  if (event->state == HEARTH_ALERT_STATE_PENDING)
    return g_strdup_printf (_("%s · Pending for %s"), severity_label (event->severity), elapsed);
  if (event->acknowledged)
    /* Translators: "Critical · Firing for 5 min, since 14:02 · Acknowledged" */
    return g_strdup_printf (_("%s · Firing for %s, since %s · Acknowledged: silent until it resolves"),
                            severity_label (event->severity), elapsed, clock);
  return g_strdup_printf (_("%s · Firing for %s, since %s"),
                          severity_label (event->severity), elapsed, clock);
}

static GtkWidget *
active_row (const HearthAlertEvent *event,
            gint64                  for_ms,
            gint64                  now_ms)
{
  g_autofree char *subtitle = describe_active (event, for_ms, now_ms);
  GtkWidget *row = plain_row (event->message != NULL ? event->message : event->rule_name, subtitle);

  adw_action_row_add_prefix (ADW_ACTION_ROW (row), state_icon (event->state, event->severity));
  if (event->state == HEARTH_ALERT_STATE_FIRING && !event->acknowledged)
    {
      GtkWidget *button = gtk_button_new_with_mnemonic (_("_Acknowledge"));

      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (button, _("Silence this alert until it resolves"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "alerts.acknowledge");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "(xs)", event->rule_id,
                                        event->subject != NULL ? event->subject : "");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }
  if (event->state == HEARTH_ALERT_STATE_FIRING)
    gtk_widget_add_css_class (row, event->acknowledged ? "alert-acknowledged" : "alert-firing");
  return row;
}

/* "Watching server down, VRAM spill and 2 more" */
static char *
describe_watched (GPtrArray *rules)
{
  g_autoptr(GString) names = g_string_new (NULL);
  guint n_enabled = 0;

  for (guint i = 0; rules != NULL && i < rules->len; i++)
    {
      HearthAlertRule *rule = g_ptr_array_index (rules, i);

      if (!rule->enabled)
        continue;
      if (++n_enabled <= 3)
        g_string_append_printf (names, "%s%s", names->len > 0 ? ", " : "", rule->name);
    }
  if (n_enabled == 0)
    return g_strdup (_("No rule is on, so nothing is watched. Turn one on below."));
  if (n_enabled > 3)
    /* Translators: "Watching Server down, VRAM spill, Slow model and 2 more rules." */
    return g_strdup_printf (g_dngettext (NULL, "Watching %s and %u more rule.",
                                         "Watching %s and %u more rules.", n_enabled - 3),
                            names->str, n_enabled - 3);
  /* Translators: %s is a list of rule names */
  return g_strdup_printf (_("Nothing fires. Watching %s."), names->str);
}

static void
refresh_active (HearthAlertsPage *self,
                GPtrArray        *rules)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) active = hearth_alerts_list_active (self->alerts, &error);
  gint64 now_ms = g_get_real_time () / 1000;
  g_autofree char *watched = NULL;

  clear_rows (self->active_group, self->active_rows);
  for (guint i = 0; active != NULL && i < active->len; i++)
    {
      HearthAlertEvent *event = g_ptr_array_index (active, i);

      add_row (self->active_group, self->active_rows,
               active_row (event, rule_for_ms (rules, event->rule_id), now_ms));
    }

  if (hearth_alerts_get_paused (self->alerts))
    watched = g_strdup (_("Monitoring is paused: nothing is watched until it is resumed."));
  else if (error != NULL)
    watched = hearth_error_describe (error);
  else
    watched = describe_watched (rules);
  gtk_label_set_text (self->quiet_label, watched);
  gtk_widget_set_visible (self->quiet_box, self->active_rows->len == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->active_group), self->active_rows->len > 0);
}

/* The rules */

static gboolean
is_pending_removal (HearthAlertsPage *self,
                    gint64            rule_id)
{
  for (guint i = 0; i < self->pending->len; i++)
    {
      PendingRemoval *pending = g_ptr_array_index (self->pending, i);

      if (pending->rule_id == rule_id && !pending->undone)
        return TRUE;
    }
  return FALSE;
}

static char *
describe_statistics (const HearthAlertRule *rule)
{
  g_autoptr(GString) text = g_string_new (rule->is_default ? _("Default rule · ") : "");

  if (rule->n_fired == 0)
    g_string_append (text, _("Never fired"));
  else
    {
      g_autofree char *firing = format_elapsed (rule->firing_ms);

      g_string_append_printf (text, g_dngettext (NULL, "Fired once", "Fired %u times",
                                                 rule->n_fired), rule->n_fired);
      /* Translators: "Fired 3 times · 12 min firing in all" */
      g_string_append_printf (text, _(" · %s firing in all"), firing);
      if (rule->n_acknowledged > 0)
        g_string_append_printf (text, g_dngettext (NULL, " · acknowledged once",
                                                   " · acknowledged %u times",
                                                   rule->n_acknowledged), rule->n_acknowledged);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
on_rule_switch_active (GtkSwitch        *toggle,
                       GParamSpec       *pspec,
                       HearthAlertsPage *self)
{
  gint64 rule_id = *(gint64 *) g_object_get_data (G_OBJECT (toggle), "rule-id");
  g_autoptr(GError) error = NULL;

  if (!hearth_alerts_set_rule_enabled (self->alerts, rule_id, gtk_switch_get_active (toggle),
                                       &error))
    {
      toast_error (self, error);
      g_signal_handlers_block_by_func (toggle, on_rule_switch_active, self);
      gtk_switch_set_active (toggle, !gtk_switch_get_active (toggle));
      g_signal_handlers_unblock_by_func (toggle, on_rule_switch_active, self);
    }
}

static GtkWidget *
icon_button (const char *icon_name,
             const char *tooltip,
             const char *action_name,
             gint64      rule_id)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  gtk_widget_add_css_class (button, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "x", rule_id);
  return button;
}

static void
update_rule_row (HearthAlertsPage      *self,
                 RuleRow               *rule_row,
                 const HearthAlertRule *rule)
{
  g_autofree char *description = hearth_alert_rule_describe (rule);
  g_autofree char *statistics = describe_statistics (rule);
  g_autofree char *subtitle = g_strdup_printf ("%s\n%s", description, statistics);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (rule_row->row), rule->name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (rule_row->row), subtitle);
  g_signal_handlers_block_by_func (rule_row->enabled, on_rule_switch_active, self);
  gtk_switch_set_active (rule_row->enabled, rule->enabled);
  g_signal_handlers_unblock_by_func (rule_row->enabled, on_rule_switch_active, self);
}

static RuleRow
rule_row_new (HearthAlertsPage      *self,
              const HearthAlertRule *rule)
{
  RuleRow rule_row = { rule->id, plain_row (rule->name, NULL), NULL };
  GtkWidget *toggle = gtk_switch_new ();

  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (rule_row.row), 0);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (toggle, _("Watch with this rule"));
  g_object_set_data_full (G_OBJECT (toggle), "rule-id", g_memdup2 (&rule->id, sizeof rule->id),
                          g_free);
  g_signal_connect_object (toggle, "notify::active", G_CALLBACK (on_rule_switch_active), self, 0);
  rule_row.enabled = GTK_SWITCH (toggle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (rule_row.row),
                             icon_button ("document-edit-symbolic", _("Change This Rule"),
                                          "alerts.edit-rule", rule->id));
  adw_action_row_add_suffix (ADW_ACTION_ROW (rule_row.row),
                             icon_button ("user-trash-symbolic", _("Remove This Rule"),
                                          "alerts.remove-rule", rule->id));
  adw_action_row_add_suffix (ADW_ACTION_ROW (rule_row.row), toggle);
  update_rule_row (self, &rule_row, rule);
  return rule_row;
}

/* The same rules in the same order are updated in place, so a switch that was
 * just flipped keeps the keyboard focus. */
static gboolean
same_rules (HearthAlertsPage *self,
            GPtrArray        *shown)
{
  if (shown->len != self->rule_rows->len)
    return FALSE;
  for (guint i = 0; i < shown->len; i++)
    if (((HearthAlertRule *) g_ptr_array_index (shown, i))->id
        != g_array_index (self->rule_rows, RuleRow, i).rule_id)
      return FALSE;
  return TRUE;
}

static void
refresh_rules (HearthAlertsPage *self,
               GPtrArray        *rules,
               const GError     *error)
{
  g_autoptr(GPtrArray) shown = g_ptr_array_new ();

  for (guint i = 0; rules != NULL && i < rules->len; i++)
    if (!is_pending_removal (self, ((HearthAlertRule *) g_ptr_array_index (rules, i))->id))
      g_ptr_array_add (shown, g_ptr_array_index (rules, i));

  if (same_rules (self, shown))
    {
      for (guint i = 0; i < shown->len; i++)
        update_rule_row (self, &g_array_index (self->rule_rows, RuleRow, i),
                         g_ptr_array_index (shown, i));
    }
  else
    {
      for (guint i = 0; i < self->rule_rows->len; i++)
        adw_preferences_group_remove (self->rules_group,
                                      g_array_index (self->rule_rows, RuleRow, i).row);
      g_array_set_size (self->rule_rows, 0);
      for (guint i = 0; i < shown->len; i++)
        {
          RuleRow rule_row = rule_row_new (self, g_ptr_array_index (shown, i));

          adw_preferences_group_add (self->rules_group, rule_row.row);
          g_array_append_val (self->rule_rows, rule_row);
        }
    }
  if (error != NULL)
    {
      g_autofree char *text = hearth_error_describe (error);

      adw_preferences_group_set_description (self->rules_group, text);
    }
  else if (shown->len == 0)
    adw_preferences_group_set_description (self->rules_group,
                                           _("No rules: Hearth watches nothing. Add one to hear "
                                             "when a server goes down or a model slows."));
  else
    adw_preferences_group_set_description (self->rules_group,
                                           _("What Hearth watches while it runs"));
}

static gboolean
refresh_now (gpointer user_data)
{
  HearthAlertsPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rules = NULL;

  self->refresh_id = 0;
  if (self->alerts == NULL)
    return G_SOURCE_REMOVE;
  rules = hearth_alerts_list_rules (self->alerts, &error);
  refresh_rules (self, rules, error);
  refresh_active (self, rules);
  return G_SOURCE_REMOVE;
}

static void
queue_refresh (HearthAlertsPage *self)
{
  /* before the next frame is laid out, not after it */
  if (self->refresh_id == 0)
    self->refresh_id = g_idle_add_full (G_PRIORITY_DEFAULT, refresh_now, self, NULL);
}

/* The history */

static char *
describe_transition (const HearthAlertEvent *event)
{
  g_autofree char *clock = format_clock (event->time_ms);
  const char *state;

  switch (event->state)
    {
    case HEARTH_ALERT_STATE_PENDING:
      state = _("Pending");
      break;
    case HEARTH_ALERT_STATE_FIRING:
      state = event->is_test ? _("Test") : _("Firing");
      break;
    case HEARTH_ALERT_STATE_RESOLVED:
      state = _("Resolved");
      break;
    case HEARTH_ALERT_STATE_OK:
    default:
      state = _("Back to normal");
      break;
    }
  if (event->state == HEARTH_ALERT_STATE_RESOLVED || event->state == HEARTH_ALERT_STATE_OK)
    /* Translators: "Resolved · Server down · 14:10" */
    return g_strdup_printf (_("%s · %s · %s"), state, event->rule_name, clock);
  /* Translators: "Firing · Critical · Server down · 14:02" */
  return g_strdup_printf (_("%s · %s · %s · %s"), state, severity_label (event->severity),
                          event->rule_name, clock);
}

static void
show_history (HearthAlertsPage *self,
              GPtrArray        *events,
              const GError     *error)
{
  gboolean week = !gtk_toggle_button_get_active (self->day_button);

  clear_rows (self->history_group, self->history_rows);
  if (error != NULL)
    {
      g_autofree char *text = hearth_error_describe (error);

      add_row (self->history_group, self->history_rows,
               plain_row (_("The history cannot be read"), text));
      return;
    }
  for (guint i = 0; i < events->len && i < HISTORY_MAX_ROWS; i++)
    {
      HearthAlertEvent *event = g_ptr_array_index (events, i);
      g_autofree char *subtitle = describe_transition (event);
      GtkWidget *row = plain_row (event->message != NULL ? event->message : event->rule_name,
                                  subtitle);

      adw_action_row_add_prefix (ADW_ACTION_ROW (row), state_icon (event->state, event->severity));
      add_row (self->history_group, self->history_rows, row);
    }
  if (events->len > HISTORY_MAX_ROWS)
    {
      guint hidden = events->len - HISTORY_MAX_ROWS;
      g_autofree char *more = g_strdup_printf (ngettext ("%u older change not shown",
                                                         "%u older changes not shown", hidden),
                                               hidden);

      add_row (self->history_group, self->history_rows,
               plain_row (more, _("hearth-cli alerts history lists them all")));
    }
  if (events->len == 0)
    add_row (self->history_group, self->history_rows,
             plain_row (week ? _("No alert changed in the last 7 days")
                             : _("No alert changed in the last 24 hours"), NULL));
}

static void
history_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(HearthAlertsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = hearth_alerts_list_history_finish (HEARTH_ALERTS (object), result,
                                                                   &error);

  if (hearth_error_is_cancelled (error))
    return;
  self->history_loading = FALSE;
  show_history (self, events, error);
  if (self->history_again)
    refresh_history (self);
  else
    self->history_loaded = TRUE;
}

static void
refresh_history (HearthAlertsPage *self)
{
  gint64 span_ms = gtk_toggle_button_get_active (self->day_button) ? 24 * 3600 * 1000LL
                                                                   : 7 * 24 * 3600 * 1000LL;

  self->history_loaded = FALSE;
  /* one read at a time; a transition during it asks for one more */
  if (self->history_loading)
    {
      self->history_again = TRUE;
      return;
    }
  self->history_again = FALSE;
  self->history_loading = TRUE;
  hearth_alerts_list_history_async (self->alerts, g_get_real_time () / 1000 - span_ms,
                                    self->history_cancellable, history_cb, g_object_ref (self));
}

static void
on_history_span_toggled (HearthAlertsPage *self)
{
  if (self->alerts != NULL)
    refresh_history (self);
}

static void
on_transition (HearthAlertsPage *self)
{
  refresh_history (self);
  queue_refresh (self);
}

/* Relative times ("Firing for 5 min") move on while the page is seen. */
static gboolean
on_tick (gpointer user_data)
{
  HearthAlertsPage *self = user_data;

  if (self->active_rows->len > 0)
    queue_refresh (self);
  return G_SOURCE_CONTINUE;
}

static void
hearth_alerts_page_map (GtkWidget *widget)
{
  HearthAlertsPage *self = HEARTH_ALERTS_PAGE (widget);

  GTK_WIDGET_CLASS (hearth_alerts_page_parent_class)->map (widget);
  if (self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds (TICK_SECONDS, on_tick, self);
  if (self->alerts != NULL)
    queue_refresh (self);
}

static void
hearth_alerts_page_unmap (GtkWidget *widget)
{
  HearthAlertsPage *self = HEARTH_ALERTS_PAGE (widget);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  GTK_WIDGET_CLASS (hearth_alerts_page_parent_class)->unmap (widget);
}

/* Actions */

static void
alerts_acknowledge (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  HearthAlertsPage *self = HEARTH_ALERTS_PAGE (widget);
  g_autoptr(GError) error = NULL;
  const char *subject;
  gint64 rule_id;

  g_variant_get (parameter, "(x&s)", &rule_id, &subject);
  if (!hearth_alerts_acknowledge (self->alerts, rule_id, subject[0] != '\0' ? subject : NULL,
                                  &error))
    toast_error (self, error);
  queue_refresh (self);
}

static void
open_editor (HearthAlertsPage      *self,
             const HearthAlertRule *rule)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->editor != NULL)
    gtk_window_destroy (GTK_WINDOW (self->editor));
  self->editor = hearth_alert_rule_editor_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               self->alerts, rule);
  g_object_add_weak_pointer (G_OBJECT (self->editor), (gpointer *) &self->editor);
  gtk_window_present (GTK_WINDOW (self->editor));
}

static void
alerts_add_rule (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  open_editor (HEARTH_ALERTS_PAGE (widget), NULL);
}

/* The rule an action names, read now: another process may have changed it. */
static HearthAlertRule *
rule_of (HearthAlertsPage *self,
         GVariant         *parameter)
{
  g_autoptr(GError) error = NULL;
  HearthAlertRule *rule = hearth_alerts_get_rule (self->alerts, g_variant_get_int64 (parameter),
                                                  &error);

  if (rule == NULL)
    toast_error (self, error);
  return rule;
}

static void
alerts_edit_rule (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  HearthAlertsPage *self = HEARTH_ALERTS_PAGE (widget);
  g_autoptr(HearthAlertRule) rule = rule_of (self, parameter);

  if (rule != NULL)
    open_editor (self, rule);
}

static void
pending_removal_free (PendingRemoval *pending)
{
  g_signal_handlers_disconnect_by_data (pending->toast, pending);
  g_clear_object (&pending->toast);
  g_clear_object (&pending->alerts);
  g_free (pending);
}

static void
on_removal_toast_dismissed (AdwToast       *toast,
                            PendingRemoval *pending)
{
  HearthAlertsPage *self = pending->self;
  g_autoptr(GError) error = NULL;

  if (!pending->undone && !hearth_alerts_remove_rule (pending->alerts, pending->rule_id, &error))
    toast_error (self, error);
  g_ptr_array_remove (self->pending, pending);
  queue_refresh (self);
}

static void
on_removal_toast_undo (AdwToast       *toast,
                       PendingRemoval *pending)
{
  pending->undone = TRUE;
}

static void
alerts_remove_rule (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  HearthAlertsPage *self = HEARTH_ALERTS_PAGE (widget);
  g_autoptr(HearthAlertRule) rule = rule_of (self, parameter);
  PendingRemoval *pending;

  if (rule == NULL)
    return;
  pending = g_new0 (PendingRemoval, 1);
  pending->self = self;
  pending->alerts = g_object_ref (self->alerts);
  pending->rule_id = rule->id;
  /* Translators: %s is an alert rule's name */
  pending->toast = adw_toast_new_format (_("“%s” removed"), rule->name);
  adw_toast_set_button_label (pending->toast, _("_Undo"));
  adw_toast_set_priority (pending->toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect (pending->toast, "button-clicked", G_CALLBACK (on_removal_toast_undo), pending);
  g_signal_connect (pending->toast, "dismissed", G_CALLBACK (on_removal_toast_dismissed), pending);
  g_ptr_array_add (self->pending, pending);
  adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (pending->toast));
  refresh_now (self);
}

/* Removals still pending when the page goes are carried out: the user asked
 * and did not undo. */
static void
settle_pending_removals (HearthAlertsPage *self)
{
  for (guint i = 0; i < self->pending->len; i++)
    {
      PendingRemoval *pending = g_ptr_array_index (self->pending, i);

      g_autoptr(GError) error = NULL;

      if (!pending->undone && !hearth_alerts_remove_rule (pending->alerts, pending->rule_id, &error))
        g_message ("Alert rule %" G_GINT64_FORMAT " not removed: %s", pending->rule_id,
                   error->message);
    }
  g_ptr_array_set_size (self->pending, 0);
}

static void
hearth_alerts_page_dispose (GObject *object)
{
  HearthAlertsPage *self = HEARTH_ALERTS_PAGE (object);

  if (self->pending != NULL)
    settle_pending_removals (self);
  if (self->editor != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->editor), (gpointer *) &self->editor);
      gtk_window_destroy (GTK_WINDOW (self->editor));
      self->editor = NULL;
    }
  g_cancellable_cancel (self->history_cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), HEARTH_TYPE_ALERTS_PAGE);
  g_clear_object (&self->alerts);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (hearth_alerts_page_parent_class)->dispose (object);
}

static void
hearth_alerts_page_finalize (GObject *object)
{
  HearthAlertsPage *self = HEARTH_ALERTS_PAGE (object);

  g_clear_object (&self->history_cancellable);
  g_clear_pointer (&self->active_rows, g_ptr_array_unref);
  g_clear_pointer (&self->rule_rows, g_array_unref);
  g_clear_pointer (&self->history_rows, g_ptr_array_unref);
  g_clear_pointer (&self->pending, g_ptr_array_unref);

  G_OBJECT_CLASS (hearth_alerts_page_parent_class)->finalize (object);
}

static void
hearth_alerts_page_class_init (HearthAlertsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hearth_alerts_page_dispose;
  object_class->finalize = hearth_alerts_page_finalize;

  widget_class->map = hearth_alerts_page_map;
  widget_class->unmap = hearth_alerts_page_unmap;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hearthapp/Hearth/hearth-alerts-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HearthAlertsPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertsPage, quiet_box);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertsPage, quiet_label);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertsPage, active_group);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertsPage, rules_group);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertsPage, history_group);
  gtk_widget_class_bind_template_child (widget_class, HearthAlertsPage, day_button);

  gtk_widget_class_bind_template_callback (widget_class, on_history_span_toggled);

  gtk_widget_class_install_action (widget_class, "alerts.acknowledge", "(xs)", alerts_acknowledge);
  gtk_widget_class_install_action (widget_class, "alerts.add-rule", NULL, alerts_add_rule);
  gtk_widget_class_install_action (widget_class, "alerts.edit-rule", "x", alerts_edit_rule);
  gtk_widget_class_install_action (widget_class, "alerts.remove-rule", "x", alerts_remove_rule);
}

static void
hearth_alerts_page_init (HearthAlertsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->history_cancellable = g_cancellable_new ();
  self->active_rows = g_ptr_array_new ();
  self->rule_rows = g_array_new (FALSE, FALSE, sizeof (RuleRow));
  self->history_rows = g_ptr_array_new ();
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_removal_free);
}

void
hearth_alerts_page_set_engine (HearthAlertsPage *self,
                               HearthEngine     *engine)
{
  g_return_if_fail (HEARTH_IS_ALERTS_PAGE (self));
  g_return_if_fail (HEARTH_IS_ENGINE (engine));
  g_return_if_fail (self->engine == NULL);

  self->engine = g_object_ref (engine);
  self->alerts = g_object_ref (hearth_engine_get_alerts (engine));
  g_signal_connect_object (self->alerts, "changed", G_CALLBACK (queue_refresh), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->alerts, "transition", G_CALLBACK (on_transition), self,
                           G_CONNECT_SWAPPED);
  refresh_now (self);
  refresh_history (self);
}

/* Returns: (transfer none) (nullable): the editor the page opened, while it is open */
HearthAlertRuleEditor *
hearth_alerts_page_get_editor (HearthAlertsPage *self)
{
  g_return_val_if_fail (HEARTH_IS_ALERTS_PAGE (self), NULL);

  return self->editor;
}

/* Returns: (transfer none) (nullable) */
AdwToast *
hearth_alerts_page_get_undo_toast (HearthAlertsPage *self)
{
  g_return_val_if_fail (HEARTH_IS_ALERTS_PAGE (self), NULL);

  if (self->pending->len == 0)
    return NULL;
  return ((PendingRemoval *) g_ptr_array_index (self->pending, self->pending->len - 1))->toast;
}

gboolean
hearth_alerts_page_is_history_loaded (HearthAlertsPage *self)
{
  g_return_val_if_fail (HEARTH_IS_ALERTS_PAGE (self), FALSE);

  return self->history_loaded;
}
