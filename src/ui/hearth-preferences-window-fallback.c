/* hearth-preferences-window-fallback.c — the Servers page: the fallback chain and substitutes
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-preferences-window-private.h"

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static void
add_chain_row (HearthPreferencesWindow *self,
               const char              *name,
               guint                    position,
               guint                    n)
{
  HearthServer *server = hearth_servers_lookup (self->servers, name);
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = g_strdup_printf ("%u. %s", position + 1, name);
  GtkWidget *up, *down;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (server != NULL && hearth_server_get_cloud (server))
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Cloud"));
  else if (server != NULL && !hearth_server_get_enabled (server))
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Off: skipped"));
  up = _hearth_preferences_window_icon_button ("go-up-symbolic", _("Move Up"),
                                               "fallback.move-up", g_variant_new_string (name));
  down = _hearth_preferences_window_icon_button ("go-down-symbolic", _("Move Down"),
                                                 "fallback.move-down",
                                                 g_variant_new_string (name));
  _hearth_preferences_window_set_button_enabled (up, position > 0);
  _hearth_preferences_window_set_button_enabled (down, position + 1 < n);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), up);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), down);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             _hearth_preferences_window_icon_button ("list-remove-symbolic",
                                                                     _("Remove From the List"),
                                                                     "fallback.remove",
                                                                     g_variant_new_string (name)));
  gtk_list_box_append (self->fallback_list, row);
}

/* The servers that can still be added, as a menu. */
static void
refresh_add_menu (HearthPreferencesWindow *self,
                  const char * const      *chain)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->servers));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (G_LIST_MODEL (self->servers), i);
      const char *name = hearth_server_get_name (server);
      g_autoptr(GMenuItem) item = NULL;
      g_autofree char *label = NULL;

      if (g_strv_contains (chain, name))
        continue;
      label = hearth_server_get_cloud (server) ? g_strdup_printf (_("%s (cloud)"), name)
                                               : g_strdup (name);
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target_value (item, "fallback.add", g_variant_new_string (name));
      g_menu_append_item (menu, item);
    }
  gtk_menu_button_set_menu_model (self->fallback_add_button, G_MENU_MODEL (menu));
  gtk_widget_set_sensitive (GTK_WIDGET (self->fallback_add_button),
                            g_menu_model_get_n_items (G_MENU_MODEL (menu)) > 0);
}

static void
refresh_substitutes (HearthPreferencesWindow *self)
{
  g_autoptr(GPtrArray) substitutes = hearth_servers_list_substitutes (self->servers);

  clear_list (self->substitutes_list);
  for (guint i = 0; substitutes != NULL && i < substitutes->len; i++)
    {
      HearthSubstitute *substitute = g_ptr_array_index (substitutes, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = g_strdup_printf ("%s → %s", substitute->model,
                                                substitute->substitute);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_add_suffix (
        ADW_ACTION_ROW (row),
        _hearth_preferences_window_icon_button ("list-remove-symbolic", _("Remove the Substitute"),
                                                "servers.remove-substitute",
                                                g_variant_new_string (substitute->model)));
      gtk_list_box_append (self->substitutes_list, row);
    }
  if (substitutes == NULL || substitutes->len == 0)
    gtk_list_box_append (self->substitutes_list,
                         _hearth_preferences_window_empty_row (_("None: the same model is asked "
                                                                 "for everywhere")));
}

void
_hearth_preferences_window_refresh_fallback (HearthPreferencesWindow *self)
{
  g_auto(GStrv) chain = hearth_servers_get_fallback (self->servers);
  guint n = chain != NULL ? g_strv_length (chain) : 0;

  clear_list (self->fallback_list);
  for (guint i = 0; i < n; i++)
    add_chain_row (self, chain[i], i, n);
  if (n == 0)
    gtk_list_box_append (self->fallback_list,
                         _hearth_preferences_window_empty_row (_("Off: requests only go to "
                                                                 "their own server")));
  refresh_add_menu (self, chain != NULL ? (const char * const *) chain
                                        : (const char * const[]) { NULL });
  refresh_substitutes (self);
}

static void
set_chain (HearthPreferencesWindow *self,
           GPtrArray               *names)
{
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (names, NULL);
  if (!hearth_servers_set_fallback (self->servers, (const char * const *) names->pdata, &error))
    _hearth_preferences_window_show_error (self, _("The fallback list was not changed"), error);
}

static GPtrArray *
chain_array (HearthPreferencesWindow *self)
{
  g_auto(GStrv) chain = hearth_servers_get_fallback (self->servers);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; chain != NULL && chain[i] != NULL; i++)
    g_ptr_array_add (names, g_strdup (chain[i]));
  return names;
}

static void
append_to_chain (HearthPreferencesWindow *self,
                 const char              *name)
{
  g_autoptr(GPtrArray) names = chain_array (self);

  g_ptr_array_add (names, g_strdup (name));
  set_chain (self, names);
}

static void
cloud_response_cb (AdwMessageDialog        *dialog,
                   const char              *response,
                   HearthPreferencesWindow *self)
{
  if (g_str_equal (response, "add"))
    append_to_chain (self, g_object_get_data (G_OBJECT (dialog), "hearth-server-name"));
}

/* A cloud server sees the questions that fall back to it: asked first. */
static void
fallback_add_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  HearthServer *server = hearth_servers_lookup (self->servers, name);
  AdwMessageDialog *dialog;

  if (server == NULL || !hearth_server_get_cloud (server))
    {
      append_to_chain (self, name);
      return;
    }
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), NULL, NULL));
  adw_message_dialog_format_heading (dialog, _("Fall Back to %s?"), name);
  adw_message_dialog_format_body (dialog, _("%s is a cloud server: when your other servers are "
                                            "down, your questions and chats go to it over the "
                                            "internet, and it may charge for them."), name);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "add", _("_Add"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "add", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "hearth-server-name", g_strdup (name), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (cloud_response_cb), self, 0);
  /* its handlers use the window: it goes with it */
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
fallback_change_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  g_autoptr(GPtrArray) names = chain_array (self);
  guint index;

  if (!g_ptr_array_find_with_equal_func (names, name, g_str_equal, &index))
    return;
  if (g_str_equal (action_name, "fallback.remove"))
    g_ptr_array_remove_index (names, index);
  else
    {
      gboolean up = g_str_equal (action_name, "fallback.move-up");
      gpointer moved = names->pdata[index];
      guint other;

      if ((up && index == 0) || (!up && index + 1 >= names->len))
        return;
      other = up ? index - 1 : index + 1;
      names->pdata[index] = names->pdata[other];
      names->pdata[other] = moved;
    }
  set_chain (self, names);
}

static void
substitute_response_cb (AdwMessageDialog        *dialog,
                        const char              *response,
                        HearthPreferencesWindow *self)
{
  GtkEditable *model = g_object_get_data (G_OBJECT (dialog), "hearth-model-entry");
  GtkEditable *substitute = g_object_get_data (G_OBJECT (dialog), "hearth-substitute-entry");
  g_autofree char *from = g_strstrip (g_strdup (gtk_editable_get_text (model)));
  g_autofree char *to = g_strstrip (g_strdup (gtk_editable_get_text (substitute)));
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (response, "add"))
    return;
  if (!hearth_servers_set_substitute (self->servers, from, to, &error))
    _hearth_preferences_window_show_error (self, _("The substitute was not added"), error);
}

static GtkWidget *
labelled_entry (const char *placeholder)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), placeholder);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  placeholder, -1);
  return entry;
}

static void
substitute_add_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (widget);
  AdwMessageDialog *dialog;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *model = labelled_entry (_("Model, such as llama3.2:3b"));
  GtkWidget *substitute = labelled_entry (_("Elsewhere, such as gpt-4o-mini"));

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Add a Substitute"),
                                                       _("When a request for the model falls "
                                                         "back to another server, ask that "
                                                         "server for this one instead.")));
  gtk_box_append (GTK_BOX (box), model);
  gtk_box_append (GTK_BOX (box), substitute);
  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "add", _("_Add"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "add", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "hearth-model-entry", model);
  g_object_set_data (G_OBJECT (dialog), "hearth-substitute-entry", substitute);
  g_signal_connect_object (dialog, "response", G_CALLBACK (substitute_response_cb), self, 0);
  /* its handlers use the window: it goes with it */
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
substitute_remove_cb (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (!hearth_servers_set_substitute (self->servers, g_variant_get_string (parameter, NULL), NULL,
                                      &error))
    _hearth_preferences_window_show_error (self, _("The substitute was not removed"), error);
}

void
_hearth_preferences_window_bind_fallback (HearthPreferencesWindow *self)
{
  _hearth_preferences_window_refresh_fallback (self);
}

void
_hearth_preferences_window_class_fallback_init (HearthPreferencesWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "fallback.add", "s", fallback_add_cb);
  gtk_widget_class_install_action (widget_class, "fallback.move-up", "s", fallback_change_cb);
  gtk_widget_class_install_action (widget_class, "fallback.move-down", "s", fallback_change_cb);
  gtk_widget_class_install_action (widget_class, "fallback.remove", "s", fallback_change_cb);
  gtk_widget_class_install_action (widget_class, "servers.add-substitute", NULL,
                                   substitute_add_cb);
  gtk_widget_class_install_action (widget_class, "servers.remove-substitute", "s",
                                   substitute_remove_cb);
}
