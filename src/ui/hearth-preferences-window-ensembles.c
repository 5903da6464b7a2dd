/* hearth-preferences-window-ensembles.c — Preferences: the ensembles the model picker offers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-ensemble-dialog.h"
#include "hearth-preferences-window-private.h"

static GtkWidget *
ensemble_row_new (const HearthEnsemble *ensemble)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *description = hearth_ensemble_describe (ensemble);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), ensemble->name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), description);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             _hearth_preferences_window_icon_button ("document-edit-symbolic",
                                                                     _("Edit the Ensemble"),
                                                                     "ensembles.edit",
                                                                     g_variant_new_string (ensemble->name)));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             _hearth_preferences_window_icon_button ("list-remove-symbolic",
                                                                     _("Remove the Ensemble"),
                                                                     "ensembles.remove",
                                                                     g_variant_new_string (ensemble->name)));
  return row;
}

static void
refresh_ensembles (HearthPreferencesWindow *self)
{
  g_autoptr(GPtrArray) ensembles = hearth_ensembles_list (hearth_engine_get_ensembles (self->engine));
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->ensembles_list))) != NULL)
    gtk_list_box_remove (self->ensembles_list, child);
  for (guint i = 0; ensembles != NULL && i < ensembles->len; i++)
    gtk_list_box_append (self->ensembles_list, ensemble_row_new (g_ptr_array_index (ensembles, i)));
  if (ensembles == NULL || ensembles->len == 0)
    gtk_list_box_append (self->ensembles_list,
                         _hearth_preferences_window_empty_row (_("None yet: an ensemble asks "
                                                                 "several models and keeps one "
                                                                 "answer")));
}

static void
ensembles_add (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (widget);

  gtk_window_present (GTK_WINDOW (hearth_ensemble_dialog_new (GTK_WINDOW (self), self->engine,
                                                              NULL)));
}

static void
ensembles_edit (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (widget);
  const HearthEnsemble *ensemble = hearth_ensembles_lookup (hearth_engine_get_ensembles (self->engine),
                                                            g_variant_get_string (parameter, NULL));

  if (ensemble != NULL)
    gtk_window_present (GTK_WINDOW (hearth_ensemble_dialog_new (GTK_WINDOW (self), self->engine,
                                                                ensemble)));
}

static void
ensembles_remove (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (!hearth_ensembles_remove (hearth_engine_get_ensembles (self->engine),
                                g_variant_get_string (parameter, NULL), &error))
    _hearth_preferences_window_show_error (self, _("Could not remove the ensemble"), error);
}

void
_hearth_preferences_window_bind_ensembles (HearthPreferencesWindow *self,
                                           AdwPreferencesPage      *page)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  GtkWidget *add = gtk_button_new_from_icon_name ("list-add-symbolic");

  adw_preferences_group_set_title (group, _("Ensembles"));
  adw_preferences_group_set_description (group,
                                         _("Named sets of 2 to 4 models the chat’s model picker "
                                           "offers: each question goes to all of them, and one "
                                           "answer is kept by majority vote, by a judge model, "
                                           "or as the first good one"));
  gtk_widget_set_tooltip_text (add, _("Add an Ensemble"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (add), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Add an Ensemble"), -1);
  gtk_widget_add_css_class (add, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (add), "ensembles.add");
  adw_preferences_group_set_header_suffix (group, add);
  self->ensembles_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->ensembles_list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->ensembles_list), "boxed-list");
  adw_preferences_group_add (group, GTK_WIDGET (self->ensembles_list));
  adw_preferences_page_add (page, group);
  g_signal_connect_object (hearth_engine_get_ensembles (self->engine), "changed",
                           G_CALLBACK (refresh_ensembles), self, G_CONNECT_SWAPPED);
  refresh_ensembles (self);
}

void
_hearth_preferences_window_class_ensembles_init (HearthPreferencesWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "ensembles.add", NULL, ensembles_add);
  gtk_widget_class_install_action (widget_class, "ensembles.edit", "s", ensembles_edit);
  gtk_widget_class_install_action (widget_class, "ensembles.remove", "s", ensembles_remove);
}
