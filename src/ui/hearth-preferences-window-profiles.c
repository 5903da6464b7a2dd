/* hearth-preferences-window-profiles.c — the Run Profile group: the profile
 * in use, its automatic choice, the user's own profiles, and the tuning
 * switches
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-application.h"
#include "hearth-preferences-window-private.h"
#include "hearth-profile-dialog.h"
#include "hearth-tuning.h"

static const HearthProfile *
find_profile (HearthPreferencesWindow *self,
              const char              *name)
{
  for (guint i = 0; self->profiles != NULL && i < self->profiles->len; i++)
    {
      const HearthProfile *profile = g_ptr_array_index (self->profiles, i);

      if (g_strcmp0 (profile->name, name) == 0)
        return profile;
    }
  return NULL;
}

static void
add_toast (HearthPreferencesWindow *self,
           const char              *text)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (text));
}

/* "Battery profile in use: the computer is on battery", or what the
 * profiles are for while nothing automatic applies. */
static void
refresh_status (HearthPreferencesWindow *self)
{
  HearthProvider *provider = hearth_engine_get_configured_provider (self->engine, NULL, NULL);
  HearthProviderFeatures need = HEARTH_PROVIDER_CAN_LIST_LOADED | HEARTH_PROVIDER_CAN_UNLOAD;
  g_autofree char *text = hearth_application_describe_automatic (
    self->tuning, NULL,
    provider != NULL && (hearth_provider_get_features (provider) & need) == need);

  if (text == NULL)
    text = g_strdup (_("The run options every model starts from; a model’s own options, set "
                       "in the Models view, go over them"));
  adw_preferences_group_set_description (self->profile_group, text);
}

static void
select_chosen (HearthPreferencesWindow *self)
{
  const char *chosen = hearth_tuning_get_chosen_profile (self->tuning);
  const HearthProfile *profile = find_profile (self, chosen);

  for (guint i = 0; self->profiles != NULL && i < self->profiles->len; i++)
    if (g_ptr_array_index (self->profiles, i) == profile)
      {
        self->syncing = TRUE;
        adw_combo_row_set_selected (self->profile_row, i);
        self->syncing = FALSE;
      }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->profile_row),
                               profile != NULL ? profile->description : NULL);
}

static void
remove_profile_clicked_cb (GtkButton               *button,
                           HearthPreferencesWindow *self)
{
  const char *name = g_object_get_data (G_OBJECT (button), "profile-name");
  g_autoptr(GError) error = NULL;

  if (!hearth_tuning_remove_profile (self->tuning, name, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Not removed: %s"), error->message);

      add_toast (self, text);
    }
}

static GtkWidget *
new_custom_row (HearthPreferencesWindow *self,
                const HearthProfile     *profile)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  g_autofree char *summary = hearth_run_options_summary (profile->options);
  g_autofree char *subtitle = NULL;

  subtitle = summary != NULL ? g_strdup_printf ("%s · %s", profile->description, summary)
                             : g_strdup (profile->description);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), profile->title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _("Remove"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Remove"), -1);
  g_object_set_data_full (G_OBJECT (remove), "profile-name", g_strdup (profile->name), g_free);
  g_signal_connect_object (remove, "clicked", G_CALLBACK (remove_profile_clicked_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
  return row;
}

static void
refresh_custom_rows (HearthPreferencesWindow *self)
{
  gboolean any = FALSE;

  for (guint i = 0; i < self->custom_rows->len; i++)
    adw_preferences_group_remove (self->custom_profiles_group,
                                  g_ptr_array_index (self->custom_rows, i));
  g_ptr_array_set_size (self->custom_rows, 0);
  for (guint i = 0; i < self->profiles->len; i++)
    {
      const HearthProfile *profile = g_ptr_array_index (self->profiles, i);
      GtkWidget *row;

      if (profile->builtin)
        continue;
      row = new_custom_row (self, profile);
      adw_preferences_group_add (self->custom_profiles_group, row);
      g_ptr_array_add (self->custom_rows, row);
      any = TRUE;
    }
  gtk_widget_set_visible (self->no_profiles_row, !any);
}

static gboolean
same_names (GtkStringList      *list,
            const char * const *names)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  if (n != g_strv_length ((char **) names))
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (gtk_string_list_get_string (list, i), names[i]) != 0)
      return FALSE;
  return TRUE;
}

static void
refresh_profiles (HearthPreferencesWindow *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) names = NULL;

  g_clear_pointer (&self->profiles, g_ptr_array_unref);
  self->profiles = hearth_tuning_list_profiles (self->tuning);
  for (guint i = 0; i < self->profiles->len; i++)
    g_strv_builder_add (builder, ((HearthProfile *) g_ptr_array_index (self->profiles, i))->name);
  names = g_strv_builder_end (builder);

  /* Most changes are a profile chosen: the list stays, only the selection moves. */
  if (!same_names (self->profile_list, (const char * const *) names))
    {
      self->syncing = TRUE;
      gtk_string_list_splice (self->profile_list, 0,
                              g_list_model_get_n_items (G_LIST_MODEL (self->profile_list)),
                              (const char * const *) names);
      self->syncing = FALSE;
    }
  select_chosen (self);
  refresh_custom_rows (self);
  refresh_status (self);
}

static void
profile_selected_cb (HearthPreferencesWindow *self)
{
  GtkStringObject *item;
  g_autoptr(GError) error = NULL;

  if (self->syncing || self->tuning == NULL)
    return;
  item = adw_combo_row_get_selected_item (self->profile_row);
  if (item == NULL)
    return;
  if (!hearth_tuning_use_profile (self->tuning, gtk_string_object_get_string (item), &error))
    {
      g_autofree char *text = g_strdup_printf (_("The profile could not be used: %s"),
                                               error->message);

      add_toast (self, text);
      select_chosen (self);
    }
}

static void
add_profile_clicked_cb (HearthPreferencesWindow *self)
{
  gtk_window_present (GTK_WINDOW (hearth_profile_dialog_new (GTK_WINDOW (self), self->engine)));
}

static void
profile_item_bind (HearthPreferencesWindow *self,
                   GtkListItem             *item,
                   gboolean                 with_description)
{
  const char *name = gtk_string_object_get_string (gtk_list_item_get_item (item));
  const HearthProfile *profile = find_profile (self, name);

  _hearth_preferences_window_set_item_lines (
    item, profile != NULL ? profile->title : name,
    with_description && profile != NULL ? profile->description : NULL);
}

static void
profile_row_bind_cb (HearthPreferencesWindow *self,
                     GtkListItem             *item)
{
  profile_item_bind (self, item, FALSE);
}

static void
profile_list_bind_cb (HearthPreferencesWindow *self,
                      GtkListItem             *item)
{
  profile_item_bind (self, item, TRUE);
}

/* The regression watch's figures are the core's (hearth-tuning.h), not a
 * copy in the .ui that could drift from them. */
static void
set_rollback_subtitle (HearthPreferencesWindow *self)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (self->auto_rollback_switch),
                                            ADW_TYPE_ACTION_ROW);
  g_autofree char *percent = g_strdup_printf (_("%.0f %%"), HEARTH_TUNING_WATCH_DROP_PERCENT);
  g_autofree char *subtitle = NULL;

  /* Translators: "When a tuned model’s last 20 replies are more than 15 % slower…" */
  subtitle = g_strdup_printf (g_dngettext (NULL,
                                           "When a tuned model’s last %u reply is more than "
                                           "%s slower than the tuner measured, go back to its "
                                           "options from before; off, Hearth only says so",
                                           "When a tuned model’s last %u replies are more than "
                                           "%s slower than the tuner measured, go back to its "
                                           "options from before; off, Hearth only says so",
                                           HEARTH_TUNING_WATCH_REPLIES),
                              (guint) HEARTH_TUNING_WATCH_REPLIES, percent);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
}

void
_hearth_preferences_window_bind_profiles (HearthPreferencesWindow *self)
{
  g_autoptr(GtkListItemFactory) row_factory = _hearth_preferences_window_new_item_factory (
    self, G_CALLBACK (profile_row_bind_cb));
  g_autoptr(GtkListItemFactory) list_factory = _hearth_preferences_window_new_item_factory (
    self, G_CALLBACK (profile_list_bind_cb));

  self->tuning = g_object_ref (hearth_engine_get_tuning (self->engine));
  self->custom_rows = g_ptr_array_new ();
  adw_combo_row_set_factory (self->profile_row, row_factory);
  adw_combo_row_set_list_factory (self->profile_row, list_factory);
  g_settings_bind (self->settings, "run-profile-automatic", self->automatic_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "tuning-auto-rollback", self->auto_rollback_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  set_rollback_subtitle (self);
  g_settings_bind (self->settings, "preload-learned", self->preload_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->tuning, "changed", G_CALLBACK (refresh_profiles), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tuning, "automatic-changed", G_CALLBACK (refresh_status), self,
                           G_CONNECT_SWAPPED);
  refresh_profiles (self);
}

void
_hearth_preferences_window_dispose_profiles (HearthPreferencesWindow *self)
{
  g_clear_pointer (&self->custom_rows, g_ptr_array_unref);
  g_clear_pointer (&self->profiles, g_ptr_array_unref);
  g_clear_object (&self->tuning);
}

void
_hearth_preferences_window_class_profiles_init (HearthPreferencesWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, profile_group);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, profile_row);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, profile_list);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, automatic_switch);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow,
                                        auto_rollback_switch);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, preload_switch);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow,
                                        custom_profiles_group);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, no_profiles_row);
  gtk_widget_class_bind_template_callback (widget_class, profile_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_profile_clicked_cb);
}
