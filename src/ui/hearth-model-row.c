/* hearth-model-row.c — one installed model: its figures, whether it is in memory, its actions
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-model-row"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "hearth-model-row.h"
#include "hearth-tuning.h"

/* Ollama writes a model kept forever (keep_alive < 0) as expiring centuries away. */
#define FOREVER_SECONDS (365 * 24 * 3600)

struct _HearthModelRow
{
  AdwActionRow  parent_instance;

  char         *name;
  char         *digest;
  char         *facts;
  char         *memory;
  char         *load_reason;
  char         *tuning;
  gint64        context_length;
  gboolean      can_unload;

  /* "Slower than when tuned", a row of its own under this one (the page places it) */
  GtkWidget    *notice;
  GtkLabel     *notice_label;
  GtkWidget    *notice_rollback;

  GtkWidget    *loaded_label;
  GtkWidget    *tuned_label;
  GtkWidget    *unload_button;
  GtkWidget    *delete_button;
  GtkWidget    *menu_button;
  GtkWidget    *tune_button;
  GtkWidget    *preload_button;
};

G_DEFINE_FINAL_TYPE (HearthModelRow, hearth_model_row, ADW_TYPE_ACTION_ROW)

static void
update_subtitle (HearthModelRow *self)
{
  g_autoptr(GString) text = g_string_new (self->facts);

  if (self->context_length > 0)
    {
      if (text->len > 0)
        g_string_append (text, " · ");
      /* Translators: the longest prompt plus reply the model was trained for, in tokens */
      g_string_append_printf (text, _("%d-token context"),
                              (int) MIN (self->context_length, G_MAXINT));
    }
  if (self->memory != NULL)
    g_string_append_printf (text, "\n%s", self->memory);
  if (self->memory != NULL && self->load_reason != NULL)
    /* Translators: why Hearth loaded the model, e.g. "Preloaded: you use it weekday mornings" */
    g_string_append_printf (text, "\n%s", self->load_reason);
  if (self->tuning != NULL)
    g_string_append_printf (text, "\n%s", self->tuning);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), text->str);
}

static char *
format_facts (const HearthModelInfo *info)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (info->size > 0)
    g_ptr_array_add (parts, g_format_size (info->size));
  if (info->family != NULL && *info->family != '\0')
    g_ptr_array_add (parts, g_strdup (info->family));
  if (info->parameter_size != NULL && *info->parameter_size != '\0')
    g_ptr_array_add (parts, g_strdup (info->parameter_size));
  if (info->quantization != NULL && *info->quantization != '\0')
    g_ptr_array_add (parts, g_strdup (info->quantization));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

static char *
format_placement (const HearthLoadedModel *loaded)
{
  double percent = hearth_loaded_model_vram_percent (loaded);

  if (isnan (percent))
    return NULL;
  if (percent >= 99.5)
    /* xgettext:no-c-format */
    return g_strdup (_("100 % in GPU memory"));
  if (percent < 0.5)
    return g_strdup (_("On the CPU"));
  /* Translators: how much of a loaded model sits in video memory */
  return g_strdup_printf (_("%.0f %% in GPU memory, the rest on the CPU"), percent);
}

static char *
format_expiry (const char *expires_at)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) expires = NULL;
  gint64 seconds;

  if (expires_at == NULL || (expires = g_date_time_new_from_iso8601 (expires_at, NULL)) == NULL)
    return NULL;
  seconds = g_date_time_difference (expires, now) / G_TIME_SPAN_SECOND;
  if (seconds >= FOREVER_SECONDS)
    return g_strdup (_("stays loaded"));
  if (seconds < 60)
    return g_strdup (_("unloads in less than a minute"));
  if (seconds < 2 * 3600)
    return g_strdup_printf (g_dngettext (NULL, "unloads in %d min", "unloads in %d min",
                                         seconds / 60), (int) (seconds / 60));
  return g_strdup_printf (g_dngettext (NULL, "unloads in %d hour", "unloads in %d hours",
                                       seconds / 3600), (int) (seconds / 3600));
}

static char *
format_memory (const HearthLoadedModel *loaded)
{
  g_autofree char *placement = format_placement (loaded);
  g_autofree char *expiry = format_expiry (loaded->expires_at);

  if (placement != NULL && expiry != NULL)
    return g_strdup_printf ("%s · %s", placement, expiry);
  if (placement != NULL || expiry != NULL)
    return g_strdup (placement ? placement : expiry);
  return g_strdup (_("In memory"));
}

/* Activating the row opens its details, as its only unlabelled action. */
static void
hearth_model_row_activate (AdwActionRow *row)
{
  HearthModelRow *self = HEARTH_MODEL_ROW (row);

  ADW_ACTION_ROW_CLASS (hearth_model_row_parent_class)->activate (row);
  gtk_widget_activate_action (GTK_WIDGET (self), "models.details", "s", self->name);
}

/* The menu's entries ask the page, with this row's model. */
static void
forward_to_page (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  HearthModelRow *self = HEARTH_MODEL_ROW (widget);
  g_autofree char *page_action = g_strconcat ("models.", action_name + strlen ("row."), NULL);

  gtk_menu_button_popdown (GTK_MENU_BUTTON (self->menu_button));
  gtk_widget_activate_action (widget, page_action, "s", self->name);
}

static GtkWidget *
notice_button (const char *label,
               const char *action,
               const char *model)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_string (model));
  return button;
}

static GtkWidget *
notice_new (HearthModelRow *self)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_add_css_class (row, "hearth-tuning-notice");
  g_object_set (box, "margin-top", 10, "margin-bottom", 10, "margin-start", 12,
                "margin-end", 12, NULL);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (label, "warning");
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  self->notice_rollback = notice_button (_("_Roll Back"), "models.rollback", self->name);
  gtk_box_append (GTK_BOX (buttons), self->notice_rollback);
  gtk_box_append (GTK_BOX (buttons), notice_button (_("_Tune Again"), "models.tune", self->name));
  gtk_box_append (GTK_BOX (box), buttons);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  self->notice_label = GTK_LABEL (label);
  return g_object_ref_sink (row);
}

static void
hearth_model_row_dispose (GObject *object)
{
  HearthModelRow *self = HEARTH_MODEL_ROW (object);

  /* Only the reference: the list the notice sits in may be taking its rows down right now
   * (the page removes notices itself when it replaces its rows). */
  g_clear_object (&self->notice);

  G_OBJECT_CLASS (hearth_model_row_parent_class)->dispose (object);
}

static void
hearth_model_row_finalize (GObject *object)
{
  HearthModelRow *self = HEARTH_MODEL_ROW (object);

  g_free (self->name);
  g_free (self->digest);
  g_free (self->facts);
  g_free (self->memory);
  g_free (self->load_reason);
  g_free (self->tuning);

  G_OBJECT_CLASS (hearth_model_row_parent_class)->finalize (object);
}

static void
hearth_model_row_class_init (HearthModelRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  AdwActionRowClass *row_class = ADW_ACTION_ROW_CLASS (klass);

  object_class->dispose = hearth_model_row_dispose;
  object_class->finalize = hearth_model_row_finalize;

  row_class->activate = hearth_model_row_activate;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hearthapp/Hearth/hearth-model-row.ui");
  gtk_widget_class_bind_template_child (widget_class, HearthModelRow, loaded_label);
  gtk_widget_class_bind_template_child (widget_class, HearthModelRow, tuned_label);
  gtk_widget_class_bind_template_child (widget_class, HearthModelRow, unload_button);
  gtk_widget_class_bind_template_child (widget_class, HearthModelRow, delete_button);
  gtk_widget_class_bind_template_child (widget_class, HearthModelRow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, HearthModelRow, tune_button);
  gtk_widget_class_bind_template_child (widget_class, HearthModelRow, preload_button);

  gtk_widget_class_install_action (widget_class, "row.options", NULL, forward_to_page);
  gtk_widget_class_install_action (widget_class, "row.tune", NULL, forward_to_page);
  gtk_widget_class_install_action (widget_class, "row.rollback", NULL, forward_to_page);
  gtk_widget_class_install_action (widget_class, "row.preload", NULL, forward_to_page);
}

static void
hearth_model_row_init (HearthModelRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->context_length = -1;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.rollback", FALSE);
}

GtkWidget *
hearth_model_row_new (const HearthModelInfo  *info,
                      HearthProviderFeatures  features)
{
  HearthModelRow *self;
  GVariant *target;

  g_return_val_if_fail (info != NULL && info->name != NULL, NULL);

  self = g_object_new (HEARTH_TYPE_MODEL_ROW,
                       "title", info->name,
                       "use-markup", FALSE,
                       "activatable", (features & HEARTH_PROVIDER_CAN_SHOW) != 0,
                       NULL);
  self->name = g_strdup (info->name);
  self->digest = g_strdup (info->digest);
  self->facts = format_facts (info);
  self->can_unload = (features & HEARTH_PROVIDER_CAN_UNLOAD) != 0;
  target = g_variant_new_string (info->name);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->unload_button), target);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->delete_button), target);
  gtk_widget_set_visible (self->delete_button, (features & HEARTH_PROVIDER_CAN_DELETE) != 0);
  update_subtitle (self);
  return GTK_WIDGET (self);
}

const char *
hearth_model_row_get_name (HearthModelRow *self)
{
  g_return_val_if_fail (HEARTH_IS_MODEL_ROW (self), NULL);
  return self->name;
}

gboolean
hearth_model_row_get_loaded (HearthModelRow *self)
{
  g_return_val_if_fail (HEARTH_IS_MODEL_ROW (self), FALSE);
  return self->memory != NULL;
}

/* @loaded: (nullable): the model as the server holds it in memory, or NULL when it does not */
void
hearth_model_row_set_loaded (HearthModelRow          *self,
                             const HearthLoadedModel *loaded)
{
  g_return_if_fail (HEARTH_IS_MODEL_ROW (self));

  g_clear_pointer (&self->memory, g_free);
  if (loaded != NULL)
    self->memory = format_memory (loaded);
  gtk_widget_set_visible (self->loaded_label, loaded != NULL);
  gtk_widget_set_visible (self->unload_button, loaded != NULL && self->can_unload);
  update_subtitle (self);
}

void
hearth_model_row_set_context_length (HearthModelRow *self,
                                     gint64          context_length)
{
  g_return_if_fail (HEARTH_IS_MODEL_ROW (self));

  if (self->context_length == context_length)
    return;
  self->context_length = context_length;
  update_subtitle (self);
}

/* NULL when the server gives none */
const char *
hearth_model_row_get_digest (HearthModelRow *self)
{
  g_return_val_if_fail (HEARTH_IS_MODEL_ROW (self), NULL);
  return self->digest;
}

/* What the server allows: @why_not_tune and @why_not_preload are the menu entries'
 * tooltips where it does not, NULL where it does. */
void
hearth_model_row_set_server_allows (HearthModelRow *self,
                                    const char     *why_not_tune,
                                    const char     *why_not_preload)
{
  g_return_if_fail (HEARTH_IS_MODEL_ROW (self));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.tune", why_not_tune == NULL);
  gtk_widget_set_tooltip_text (self->tune_button, why_not_tune);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.preload", why_not_preload == NULL);
  gtk_widget_set_tooltip_text (self->preload_button, why_not_preload);
}

/* @reason: (nullable): why Hearth loaded the model, shown while it is in memory */
void
hearth_model_row_set_load_reason (HearthModelRow *self,
                                  const char     *reason)
{
  g_autofree char *capitalised = NULL;

  g_return_if_fail (HEARTH_IS_MODEL_ROW (self));

  if (reason != NULL && *reason != '\0')
    {
      gunichar first = g_utf8_get_char (reason);
      char buffer[8] = { 0 };

      g_unichar_to_utf8 (g_unichar_totitle (first), buffer);
      capitalised = g_strconcat (buffer, g_utf8_next_char (reason), NULL);
    }
  if (g_strcmp0 (capitalised, self->load_reason) == 0)
    return;
  g_free (self->load_reason);
  self->load_reason = g_steal_pointer (&capitalised);
  update_subtitle (self);
}

const char *
hearth_model_row_get_load_reason (HearthModelRow *self)
{
  g_return_val_if_fail (HEARTH_IS_MODEL_ROW (self), NULL);
  return self->memory != NULL ? self->load_reason : NULL;
}

/* @options: (nullable): the model's stored options: a "Tuned" tag and what the tuner
 * measured, and Roll Back when there are options from before the tuning. */
void
hearth_model_row_set_tuning (HearthModelRow           *self,
                             const HearthModelOptions *options)
{
  gboolean tuned;
  g_autofree char *text = NULL;

  g_return_if_fail (HEARTH_IS_MODEL_ROW (self));

  tuned = options != NULL && (options->tune_run_id != 0 || options->tuned_keys != 0);
  if (tuned && options->tuned_decode_tps > 0)
    /* Translators: what the tuner measured for the options in use */
    text = g_strdup_printf (_("Tuned: %.1f tokens/s, measured"), options->tuned_decode_tps);
  else if (tuned)
    text = g_strdup (_("Tuned"));
  gtk_widget_set_tooltip_text (self->tuned_label,
                               tuned ? _("Runs with the options the tuner measured fastest here")
                                     : NULL);
  gtk_widget_set_visible (self->tuned_label, tuned);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.rollback",
                                 options != NULL && options->previous != NULL);
  if (g_strcmp0 (text, self->tuning) == 0)
    return;
  g_free (self->tuning);
  self->tuning = g_steal_pointer (&text);
  update_subtitle (self);
}

gboolean
hearth_model_row_get_tuned (HearthModelRow *self)
{
  g_return_val_if_fail (HEARTH_IS_MODEL_ROW (self), FALSE);
  return gtk_widget_get_visible (self->tuned_label);
}

/* @regression: (nullable): what the watch on real use found since the tuning */
void
hearth_model_row_set_regression (HearthModelRow               *self,
                                 const HearthTuningRegression *regression)
{
  g_autofree char *text = NULL;
  g_autofree char *percent = NULL;

  g_return_if_fail (HEARTH_IS_MODEL_ROW (self));

  if (regression == NULL)
    {
      if (self->notice != NULL)
        gtk_widget_set_visible (self->notice, FALSE);
      return;
    }
  if (self->notice == NULL)
    self->notice = notice_new (self);
  percent = g_strdup_printf ("−%.0f %%", fabs (regression->drop_percent));
  if (regression->rolled_back)
    /* Translators: the median speed of the last replies against the tuned one */
    text = g_strdup_printf (_("Tuning rolled back: replies ran at %.1f tokens/s against %.1f "
                              "when tuned (%s), so the options from before are back."),
                            regression->median_decode_tps, regression->tuned_decode_tps, percent);
  else
    text = g_strdup_printf (_("Slower than when tuned: %.1f tokens/s against %.1f (%s), the "
                              "middle of the last %u replies."),
                            regression->median_decode_tps, regression->tuned_decode_tps, percent,
                            regression->n_replies);
  gtk_label_set_label (self->notice_label, text);
  gtk_widget_set_visible (self->notice_rollback, !regression->rolled_back);
  gtk_widget_set_visible (self->notice, TRUE);
}

/* The row under this one that says the model got slower since its tuning, NULL when
 * there never was one (borrowed; the page puts it in the list). */
GtkWidget *
hearth_model_row_get_notice (HearthModelRow *self)
{
  g_return_val_if_fail (HEARTH_IS_MODEL_ROW (self), NULL);
  return self->notice;
}
