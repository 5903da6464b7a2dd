/* hearth-run-option-row.c — one run option in an editor
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The box shows the value that applies: the row's own once it has one,
 * else the one it inherits (a profile's), or "default" when the server's
 * own applies. Changing the value gives the row a value of its own; the
 * clear button takes it away again.
 */
#define G_LOG_DOMAIN "hearth-run-option-row"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-run-option-row.h"

struct _HearthRunOptionRow
{
  AdwActionRow        parent_instance;

  HearthRunOptionKey  key;
  gboolean            own_set;
  double              own_value;
  char               *own_source;
  gboolean            inherited_set;
  double              inherited_value;
  char               *inherited_source;
  char               *notes;
  char               *unsupported;
  gboolean            syncing;

  GtkSpinButton      *spin;
  GtkWidget          *clear_button;
};

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HearthRunOptionRow, hearth_run_option_row, ADW_TYPE_ACTION_ROW)

typedef struct
{
  double step;
  double page;
  guint  digits;
  double start;   /* where the box starts when nothing applies yet: Ollama's defaults */
} KeyStep;

static const KeyStep key_steps[HEARTH_N_RUN_OPTIONS] = {
  [HEARTH_RUN_OPTION_NUM_CTX]        = { 1024, 4096, 0, 2048 },
  [HEARTH_RUN_OPTION_NUM_GPU]        = { 1, 8, 0, 0 },
  [HEARTH_RUN_OPTION_NUM_THREAD]     = { 1, 4, 0, 4 },
  [HEARTH_RUN_OPTION_NUM_BATCH]      = { 64, 256, 0, 512 },
  [HEARTH_RUN_OPTION_KEEP_ALIVE]     = { 60, 600, 0, 300 },
  [HEARTH_RUN_OPTION_TEMPERATURE]    = { 0.1, 0.5, 2, 0.8 },
  [HEARTH_RUN_OPTION_TOP_P]          = { 0.05, 0.25, 2, 0.9 },
  [HEARTH_RUN_OPTION_TOP_K]          = { 1, 10, 0, 40 },
  [HEARTH_RUN_OPTION_MIN_P]          = { 0.01, 0.1, 2, 0 },
  [HEARTH_RUN_OPTION_REPEAT_PENALTY] = { 0.05, 0.25, 2, 1.1 },
  [HEARTH_RUN_OPTION_SEED]           = { 1, 100, 0, 0 },
  [HEARTH_RUN_OPTION_NUM_PREDICT]    = { 64, 512, 0, -1 },
};

static gboolean
has_value (HearthRunOptionRow *self)
{
  return self->own_set || self->inherited_set;
}

static double
current_value (HearthRunOptionRow *self)
{
  if (self->own_set)
    return self->own_value;
  if (self->inherited_set)
    return self->inherited_value;
  return key_steps[self->key].start;
}

/* "Now: 8192, from the Balanced profile" */
static char *
state_line (HearthRunOptionRow *self)
{
  g_autofree char *value = NULL;
  const char *source;

  if (!has_value (self))
    return g_strdup_printf (_("Now: %s"),
                            self->inherited_source ? self->inherited_source
                                                   : _("the server’s default"));
  value = hearth_run_option_format_value (self->key, current_value (self));
  if (self->own_set)
    source = self->own_source ? self->own_source : _("set by you");
  else
    source = self->inherited_source ? self->inherited_source : _("inherited");
  return g_strdup_printf (_("Now: %s, %s"), value, source);
}

static gboolean spin_output_cb (GtkSpinButton      *spin,
                                HearthRunOptionRow *self);

static void
update (HearthRunOptionRow *self)
{
  g_autoptr(GString) subtitle = g_string_new (hearth_run_option_get_description (self->key));
  g_autofree char *state = state_line (self);

  g_string_append_printf (subtitle, "\n%s", state);
  if (self->unsupported != NULL)
    g_string_append_printf (subtitle, "\n%s", self->unsupported);
  if (self->notes != NULL && *self->notes != '\0')
    g_string_append_printf (subtitle, "\n%s", self->notes);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle->str);

  self->syncing = TRUE;
  gtk_spin_button_set_value (self->spin, current_value (self));
  /* The same value does not redraw the text: "default" may have to go. */
  spin_output_cb (self->spin, self);
  self->syncing = FALSE;
  gtk_widget_set_sensitive (self->clear_button, self->own_set);
  gtk_widget_set_opacity (self->clear_button, self->own_set ? 1.0 : 0.0);
  gtk_widget_set_sensitive (GTK_WIDGET (self), self->unsupported == NULL);
}

static gboolean
spin_output_cb (GtkSpinButton      *spin,
                HearthRunOptionRow *self)
{
  g_autofree char *text = NULL;

  if (!has_value (self))
    text = g_strdup (_("default"));
  else
    text = hearth_run_option_format_value (self->key, gtk_spin_button_get_value (spin));
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (spin)), text) != 0)
    gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

/* What the CLI takes is typed here too: "30m", "forever", "8192". */
static int
spin_input_cb (GtkSpinButton      *spin,
               double             *value,
               HearthRunOptionRow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));
  g_autoptr(HearthRunOptions) parsed = hearth_run_options_new ();
  g_autofree char *assignment = NULL;

  if (!has_value (self) && g_str_equal (text, _("default")))
    {
      *value = gtk_spin_button_get_value (spin);
      return TRUE;
    }
  assignment = g_strdup_printf ("%s=%s", hearth_run_option_key_to_string (self->key),
                                g_strstrip (g_strdup (text)));
  if (!hearth_run_options_parse_assignment (parsed, assignment, NULL))
    return GTK_INPUT_ERROR;
  *value = hearth_run_options_get (parsed, self->key);
  return TRUE;
}

static void
spin_value_changed_cb (GtkSpinButton      *spin,
                       HearthRunOptionRow *self)
{
  if (self->syncing)
    return;
  self->own_set = TRUE;
  self->own_value = gtk_spin_button_get_value (spin);
  g_clear_pointer (&self->own_source, g_free);
  update (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
clear_clicked_cb (GtkButton          *button,
                  HearthRunOptionRow *self)
{
  hearth_run_option_row_clear (self);
}

static void
hearth_run_option_row_finalize (GObject *object)
{
  HearthRunOptionRow *self = HEARTH_RUN_OPTION_ROW (object);

  g_free (self->own_source);
  g_free (self->inherited_source);
  g_free (self->notes);
  g_free (self->unsupported);

  G_OBJECT_CLASS (hearth_run_option_row_parent_class)->finalize (object);
}

static void
hearth_run_option_row_class_init (HearthRunOptionRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hearth_run_option_row_finalize;

  /* The person set or cleared the row's own value. */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
hearth_run_option_row_init (HearthRunOptionRow *self)
{
  self->spin = GTK_SPIN_BUTTON (gtk_spin_button_new (NULL, 1, 0));
  gtk_widget_set_valign (GTK_WIDGET (self->spin), GTK_ALIGN_CENTER);
  gtk_editable_set_width_chars (GTK_EDITABLE (self->spin), 7);
  gtk_editable_set_alignment (GTK_EDITABLE (self->spin), 1);
  gtk_spin_button_set_numeric (self->spin, FALSE);
  gtk_spin_button_set_update_policy (self->spin, GTK_UPDATE_IF_VALID);
  g_signal_connect_object (self->spin, "output", G_CALLBACK (spin_output_cb), self, 0);
  g_signal_connect_object (self->spin, "input", G_CALLBACK (spin_input_cb), self, 0);

  self->clear_button = gtk_button_new_from_icon_name ("edit-clear-symbolic");
  gtk_widget_set_valign (self->clear_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->clear_button, "flat");
  gtk_widget_add_css_class (self->clear_button, "run-option-clear");
  gtk_widget_set_tooltip_text (self->clear_button, _("Use the Value It Would Have Without This"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->clear_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Use the Value It Would Have Without This"), -1);
  g_signal_connect_object (self->clear_button, "clicked", G_CALLBACK (clear_clicked_cb), self, 0);

  adw_action_row_add_suffix (ADW_ACTION_ROW (self), GTK_WIDGET (self->spin));
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), self->clear_button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (self), GTK_WIDGET (self->spin));
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (self), 0);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self), "run-option-row");
}

GtkWidget *
hearth_run_option_row_new (HearthRunOptionKey key)
{
  HearthRunOptionRow *self;
  GtkAdjustment *adjustment;
  double min, max;

  g_return_val_if_fail (key < HEARTH_N_RUN_OPTIONS, NULL);

  self = g_object_new (HEARTH_TYPE_RUN_OPTION_ROW, NULL);
  self->key = key;
  hearth_run_option_get_range (key, &min, &max);
  adjustment = gtk_adjustment_new (CLAMP (key_steps[key].start, min, max), min, max,
                                   key_steps[key].step, key_steps[key].page, 0);
  self->syncing = TRUE;
  gtk_spin_button_configure (self->spin, adjustment, key_steps[key].step, key_steps[key].digits);
  self->syncing = FALSE;
  g_signal_connect_object (self->spin, "value-changed", G_CALLBACK (spin_value_changed_cb),
                           self, 0);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), hearth_run_option_get_title (key));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, hearth_run_option_get_title (key),
                                  -1);
  update (self);
  return GTK_WIDGET (self);
}

HearthRunOptionKey
hearth_run_option_row_get_key (HearthRunOptionRow *self)
{
  g_return_val_if_fail (HEARTH_IS_RUN_OPTION_ROW (self), 0);
  return self->key;
}

void
hearth_run_option_row_set_inherited (HearthRunOptionRow *self,
                                     gboolean            is_set,
                                     double              value,
                                     const char         *source)
{
  g_return_if_fail (HEARTH_IS_RUN_OPTION_ROW (self));

  self->inherited_set = is_set;
  self->inherited_value = value;
  g_free (self->inherited_source);
  self->inherited_source = g_strdup (source);
  update (self);
}

void
hearth_run_option_row_set_own (HearthRunOptionRow *self,
                               gboolean            is_set,
                               double              value,
                               const char         *source)
{
  g_return_if_fail (HEARTH_IS_RUN_OPTION_ROW (self));

  self->own_set = is_set;
  self->own_value = value;
  g_free (self->own_source);
  self->own_source = g_strdup (source);
  update (self);
}

gboolean
hearth_run_option_row_get_own (HearthRunOptionRow *self,
                               double             *value)
{
  g_return_val_if_fail (HEARTH_IS_RUN_OPTION_ROW (self), FALSE);

  if (self->own_set && value != NULL)
    *value = self->own_value;
  return self->own_set;
}

void
hearth_run_option_row_clear (HearthRunOptionRow *self)
{
  g_return_if_fail (HEARTH_IS_RUN_OPTION_ROW (self));

  if (!self->own_set)
    return;
  self->own_set = FALSE;
  g_clear_pointer (&self->own_source, g_free);
  update (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
hearth_run_option_row_set_notes (HearthRunOptionRow *self,
                                 const char         *notes)
{
  g_return_if_fail (HEARTH_IS_RUN_OPTION_ROW (self));

  g_free (self->notes);
  self->notes = g_strdup (notes);
  update (self);
}

void
hearth_run_option_row_set_unsupported (HearthRunOptionRow *self,
                                       const char         *why)
{
  g_return_if_fail (HEARTH_IS_RUN_OPTION_ROW (self));

  g_clear_pointer (&self->unsupported, g_free);
  if (why != NULL)
    self->unsupported = g_strdup_printf (_("Not sent to this server: %s"), why);
  update (self);
}

void
hearth_run_option_rows_populate (AdwPreferencesGroup *loading,
                                 AdwPreferencesGroup *answers,
                                 HearthRunOptionRow **rows)
{
  for (guint key = 0; key < HEARTH_N_RUN_OPTIONS; key++)
    {
      GtkWidget *row = hearth_run_option_row_new (key);

      rows[key] = HEARTH_RUN_OPTION_ROW (row);
      adw_preferences_group_add (key <= HEARTH_RUN_OPTION_KEEP_ALIVE ? loading : answers, row);
    }
}

HearthRunOptions *
hearth_run_option_rows_collect (HearthRunOptionRow **rows)
{
  HearthRunOptions *options = hearth_run_options_new ();

  for (guint key = 0; key < HEARTH_N_RUN_OPTIONS; key++)
    {
      double value;

      /* The box keeps to the key's range: set cannot fail here. */
      if (hearth_run_option_row_get_own (rows[key], &value))
        hearth_run_options_set (options, key, value, NULL);
    }
  return options;
}
