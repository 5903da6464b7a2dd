/* hearth-profile-dialog.c — a profile of the user's own: a name, the
 * built-in one it is based on, and the few options it changes
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-profile-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-profile-dialog.h"
#include "hearth-run-option-row.h"

struct _HearthProfileDialog
{
  AdwWindow            parent_instance;

  HearthTuning        *tuning;
  GPtrArray           *builtins;      /* HearthProfile */
  HearthRunOptionRow  *rows[HEARTH_N_RUN_OPTIONS];

  AdwToastOverlay     *toast_overlay;
  AdwEntryRow         *name_row;
  GtkLabel            *name_label;
  AdwComboRow         *parent_row;
  GtkStringList       *parent_list;
  AdwPreferencesGroup *loading_group;
  AdwPreferencesGroup *answers_group;
  GtkWidget           *add_button;
};

G_DEFINE_FINAL_TYPE (HearthProfileDialog, hearth_profile_dialog, ADW_TYPE_WINDOW)

char *
hearth_profile_dialog_name_for (const char *title)
{
  g_autofree char *ascii = g_str_to_ascii (title != NULL ? title : "", NULL);
  GString *name = g_string_new (NULL);

  for (const char *p = ascii; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p))
        g_string_append_c (name, g_ascii_tolower (*p));
      else if (name->len > 0 && name->str[name->len - 1] != '-')
        g_string_append_c (name, '-');
    }
  while (name->len > 0 && name->str[name->len - 1] == '-')
    g_string_truncate (name, name->len - 1);
  if (name->len > 40)
    g_string_truncate (name, 40);
  return g_string_free (name, FALSE);
}

static const HearthProfile *
selected_parent (HearthProfileDialog *self)
{
  guint i = adw_combo_row_get_selected (self->parent_row);

  return i < self->builtins->len ? g_ptr_array_index (self->builtins, i) : NULL;
}

static void
name_changed_cb (HearthProfileDialog *self)
{
  const char *title = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  g_autofree char *name = hearth_profile_dialog_name_for (title);
  g_autoptr(GError) error = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (title));
  g_autofree char *text = NULL;
  gboolean valid = *name != '\0' && hearth_profile_check_name (name, &error);

  if (*trimmed == '\0')
    text = g_strdup (_("What it is for, such as “Long documents”"));
  else if (*name == '\0')
    text = g_strdup (_("Use at least one letter or digit (a–z, 0–9)"));
  else if (!valid)
    text = g_strdup (error->message);
  else
    text = g_strdup_printf (_("hearth-cli knows it as “%s”"), name);
  gtk_label_set_text (self->name_label, text);
  gtk_widget_set_sensitive (self->add_button, valid);
  if (valid || *name == '\0')
    gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
}

/* The rows show what the built-in one would give. */
static void
parent_selected_cb (HearthProfileDialog *self)
{
  const HearthProfile *parent = selected_parent (self);
  g_autoptr(HearthRunOptions) options = NULL;
  g_autofree char *source = NULL;

  if (parent == NULL)
    return;
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->parent_row), parent->description);
  options = hearth_tuning_get_profile_options (self->tuning, parent->name, NULL);
  source = g_strdup_printf (_("from the %s profile"), parent->title);
  for (guint key = 0; key < HEARTH_N_RUN_OPTIONS; key++)
    {
      gboolean is_set = options != NULL && hearth_run_options_is_set (options, key);

      hearth_run_option_row_set_inherited (self->rows[key], is_set,
                                           is_set ? hearth_run_options_get (options, key) : 0,
                                           is_set ? source : NULL);
    }
}

static void
add_clicked_cb (HearthProfileDialog *self)
{
  const char *title = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  const HearthProfile *parent = selected_parent (self);
  g_autofree char *name = hearth_profile_dialog_name_for (title);
  g_autoptr(HearthProfile) profile = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (parent != NULL);

  profile = hearth_profile_new (name, parent->name);
  g_free (profile->title);
  profile->title = g_strstrip (g_strdup (title));
  g_free (profile->description);
  profile->description = g_strdup_printf (_("%s with options of your own"), parent->title);
  hearth_run_options_free (profile->options);
  profile->options = hearth_run_option_rows_collect (self->rows);
  if (!hearth_tuning_save_profile (self->tuning, profile, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Not added: %s"), error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
      return;
    }
  gtk_window_close (GTK_WINDOW (self));
}

static void
hearth_profile_dialog_dispose (GObject *object)
{
  HearthProfileDialog *self = HEARTH_PROFILE_DIALOG (object);

  g_clear_object (&self->tuning);
  g_clear_pointer (&self->builtins, g_ptr_array_unref);

  G_OBJECT_CLASS (hearth_profile_dialog_parent_class)->dispose (object);
}

static void
hearth_profile_dialog_class_init (HearthProfileDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hearth_profile_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hearthapp/Hearth/"
                                               "hearth-profile-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, HearthProfileDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HearthProfileDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, HearthProfileDialog, name_label);
  gtk_widget_class_bind_template_child (widget_class, HearthProfileDialog, parent_row);
  gtk_widget_class_bind_template_child (widget_class, HearthProfileDialog, parent_list);
  gtk_widget_class_bind_template_child (widget_class, HearthProfileDialog, loading_group);
  gtk_widget_class_bind_template_child (widget_class, HearthProfileDialog, answers_group);
  gtk_widget_class_bind_template_child (widget_class, HearthProfileDialog, add_button);
  gtk_widget_class_bind_template_callback (widget_class, name_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, parent_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
hearth_profile_dialog_init (HearthProfileDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  hearth_run_option_rows_populate (self->loading_group, self->answers_group, self->rows);
}

GtkWidget *
hearth_profile_dialog_new (GtkWindow    *parent,
                           HearthEngine *engine)
{
  HearthProfileDialog *self;
  g_autoptr(GPtrArray) profiles = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (HEARTH_IS_ENGINE (engine), NULL);

  self = g_object_new (HEARTH_TYPE_PROFILE_DIALOG, "transient-for", parent, NULL);
  self->tuning = g_object_ref (hearth_engine_get_tuning (engine));
  self->builtins = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_profile_free);
  profiles = hearth_tuning_list_profiles (self->tuning);
  for (guint i = 0; i < profiles->len; i++)
    {
      const HearthProfile *profile = g_ptr_array_index (profiles, i);

      if (!profile->builtin)
        continue;
      g_ptr_array_add (self->builtins, hearth_profile_copy (profile));
      gtk_string_list_append (self->parent_list, profile->title);
      /* Balanced is the usual start. */
      if (g_str_equal (profile->name, HEARTH_PROFILE_BALANCED))
        adw_combo_row_set_selected (self->parent_row, self->builtins->len - 1);
    }
  parent_selected_cb (self);
  name_changed_cb (self);
  return GTK_WIDGET (self);
}
