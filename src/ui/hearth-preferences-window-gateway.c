/* hearth-preferences-window-gateway.c — "Serve the API to other programs on
 * this machine": the switch, the address, what it serves, why it could not
 * start, and the token an address other than loopback asks for
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app runs the gateway (hearth-application-gateway.c) from the two
 * settings this group writes; the rows follow the gateway's "changed".
 */
#define G_LOG_DOMAIN "hearth-preferences-window"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "hearth-error.h"
#include "hearth-preferences-window-private.h"

static gboolean
address_is_loopback (const char *address)
{
  g_autofree char *host = NULL;
  guint port;

  return !hearth_gateway_parse_listen (address, &host, &port, NULL) ||
         hearth_gateway_host_is_loopback (host);
}

static char *
describe_status (HearthPreferencesWindow *self)
{
  HearthGateway *gateway = self->gateway;
  HearthGatewayStats stats;
  g_autofree char *requests = NULL;

  if (!hearth_gateway_get_running (gateway))
    {
      if (hearth_gateway_get_error (gateway) != NULL)
        return g_strdup (_("Not serving: see below"));
      if (g_settings_get_boolean (self->settings, "serve-api"))
        return g_strdup (_("Starting…"));
      return g_strdup (_("Off: programs talk to your servers directly"));
    }
  hearth_gateway_get_stats (gateway, &stats);
  requests = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " request",
                                           "%" PRIu64 " requests", stats.requests),
                              stats.requests);
  if (stats.active > 0)
    return g_strdup_printf (_("Serving at %s — %s, %u in progress"),
                            hearth_gateway_get_url (gateway), requests, stats.active);
  return g_strdup_printf (_("Serving at %s — %s"), hearth_gateway_get_url (gateway), requests);
}

static void
refresh_gateway (HearthPreferencesWindow *self)
{
  HearthGateway *gateway = self->gateway;
  const GError *error = hearth_gateway_get_error (gateway);
  g_autofree char *status = describe_status (self);
  g_autofree char *address = g_settings_get_string (self->settings, "serve-address");
  gboolean running = hearth_gateway_get_running (gateway);

  adw_action_row_set_subtitle (self->serve_row, status);
  gtk_widget_set_visible (GTK_WIDGET (self->serve_error_row), error != NULL);
  if (error != NULL)
    adw_action_row_set_subtitle (self->serve_error_row, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->serve_token_row), !address_is_loopback (address));
  gtk_widget_set_visible (GTK_WIDGET (self->serve_clients_row), running);
  if (running)
    {
      const char *url = hearth_gateway_get_url (gateway);
      g_autofree char *how = g_strdup_printf (_("Ollama clients: OLLAMA_HOST=%s\n"
                                                "OpenAI clients: base_url %s/v1\n"
                                                "Models as your servers name them, "
                                                "MODEL@SERVER for one server, or auto"),
                                              url, url);

      adw_action_row_set_subtitle (self->serve_clients_row, how);
    }
}

/* The address, checked before it is saved: a bad one stays in the entry,
 * said in red, and the running gateway is left alone. */
static void
address_applied_cb (AdwEntryRow             *row,
                    HearthPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));
  g_autofree char *address = g_strstrip (g_strdup (text));
  g_autofree char *host = NULL;
  g_autoptr(GError) error = NULL;
  guint port;

  if (!hearth_gateway_parse_listen (address, &host, &port, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      _hearth_preferences_window_show_error (self, _("The address was not changed"), error);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  g_settings_set_string (self->settings, "serve-address", address);
}

static void
address_setting_changed (HearthPreferencesWindow *self)
{
  g_autofree char *address = g_settings_get_string (self->settings, "serve-address");

  if (g_strcmp0 (address, gtk_editable_get_text (GTK_EDITABLE (self->serve_address_row))) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->serve_address_row), address);
  refresh_gateway (self);
}

static void
copy_token_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(HearthPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = hearth_gateway_ensure_token_finish (HEARTH_GATEWAY (object), result,
                                                               &error);

  if (hearth_error_is_cancelled (error))
    return;
  if (token == NULL)
    {
      _hearth_preferences_window_show_error (self, _("Could not read the token"), error);
      return;
    }
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), token);
  memset (token, 0, strlen (token));
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (_("Token copied")));
}

static void
token_copy_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (widget);

  hearth_gateway_ensure_token_async (self->gateway, self->gateway_cancellable, copy_token_cb,
                                     g_object_ref (self));
}

static void
reset_token_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(HearthPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!hearth_gateway_reset_token_finish (HEARTH_GATEWAY (object), result, &error))
    {
      if (!hearth_error_is_cancelled (error))
        _hearth_preferences_window_show_error (self, _("The token was not reset"), error);
      return;
    }
  /* the app starts it again with a new token */
  gtk_widget_activate_action (GTK_WIDGET (self), "app.restart-gateway", NULL);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (_("The old token no longer works; copy the "
                                                     "new one to the programs you trust")));
}

static void
token_reset_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (widget);

  hearth_gateway_reset_token_async (self->gateway, self->gateway_cancellable, reset_token_cb,
                                    g_object_ref (self));
}

static void
try_again_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  gtk_widget_activate_action (widget, "app.restart-gateway", NULL);
}

static AdwActionRow *
new_row (const char *title,
         const char *name)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_set_name (row, name);
  return ADW_ACTION_ROW (row);
}

static GtkWidget *
text_button (const char *label,
             const char *action_name)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  return button;
}

static void
build_rows (HearthPreferencesWindow *self,
            AdwPreferencesGroup     *group)
{
  GtkWidget *icon;

  self->serve_row = new_row (_("Serve the API to Other Programs on This Machine"), "serve-api");
  self->serve_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->serve_switch), GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (self->serve_row, GTK_WIDGET (self->serve_switch));
  adw_action_row_set_activatable_widget (self->serve_row, GTK_WIDGET (self->serve_switch));
  adw_action_row_set_subtitle_lines (self->serve_row, 0);
  adw_preferences_group_add (group, GTK_WIDGET (self->serve_row));

  self->serve_address_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->serve_address_row),
                                 _("Listen On (Host:Port)"));
  adw_entry_row_set_show_apply_button (self->serve_address_row, TRUE);
  gtk_widget_set_name (GTK_WIDGET (self->serve_address_row), "serve-address");
  adw_preferences_group_add (group, GTK_WIDGET (self->serve_address_row));

  self->serve_error_row = new_row (_("Could Not Start Serving"), "serve-error");
  adw_action_row_set_subtitle_lines (self->serve_error_row, 0);
  icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  gtk_widget_add_css_class (icon, "error");
  adw_action_row_add_prefix (self->serve_error_row, icon);
  adw_action_row_add_suffix (self->serve_error_row, text_button (_("_Try Again"),
                                                                "gateway.try-again"));
  adw_preferences_group_add (group, GTK_WIDGET (self->serve_error_row));

  self->serve_token_row = new_row (_("Other Computers Can Reach This Address"), "serve-token");
  adw_action_row_set_subtitle (self->serve_token_row,
                               _("Every request must carry the token from your keyring "
                                 "(Authorization: Bearer TOKEN). Listen on 127.0.0.1 unless "
                                 "you mean it."));
  adw_action_row_set_subtitle_lines (self->serve_token_row, 0);
  icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  gtk_widget_add_css_class (icon, "warning");
  adw_action_row_add_prefix (self->serve_token_row, icon);
  adw_action_row_add_suffix (self->serve_token_row,
                             _hearth_preferences_window_icon_button ("edit-copy-symbolic",
                                                                     _("Copy the Token"),
                                                                     "gateway.copy-token", NULL));
  adw_action_row_add_suffix (self->serve_token_row,
                             _hearth_preferences_window_icon_button ("view-refresh-symbolic",
                                                                     _("Reset the Token"),
                                                                     "gateway.reset-token", NULL));
  adw_preferences_group_add (group, GTK_WIDGET (self->serve_token_row));

  self->serve_clients_row = new_row (_("Point Programs Here"), "serve-clients");
  adw_action_row_set_subtitle_lines (self->serve_clients_row, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->serve_clients_row), "property");
  adw_preferences_group_add (group, GTK_WIDGET (self->serve_clients_row));
}

void
_hearth_preferences_window_bind_gateway (HearthPreferencesWindow *self)
{
  GtkWidget *page = gtk_widget_get_ancestor (GTK_WIDGET (self->servers_list),
                                             ADW_TYPE_PREFERENCES_PAGE);
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  g_autofree char *address = g_settings_get_string (self->settings, "serve-address");

  self->gateway = g_object_ref (hearth_engine_get_gateway (self->engine));
  self->gateway_cancellable = g_cancellable_new ();
  adw_preferences_group_set_title (group, _("Serve the API"));
  adw_preferences_group_set_description (group,
                                         _("Editors, scripts and agents that speak Ollama’s or "
                                           "OpenAI’s API get your servers through Hearth, with "
                                           "its cache, routing, fallback and figures"));
  build_rows (self, group);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), group);

  gtk_editable_set_text (GTK_EDITABLE (self->serve_address_row), address);
  g_settings_bind (self->settings, "serve-api", self->serve_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->serve_address_row, "apply", G_CALLBACK (address_applied_cb),
                           self, 0);
  g_signal_connect_object (self->settings, "changed::serve-address",
                           G_CALLBACK (address_setting_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::serve-api",
                           G_CALLBACK (refresh_gateway), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->gateway, "changed", G_CALLBACK (refresh_gateway), self,
                           G_CONNECT_SWAPPED);
  refresh_gateway (self);
}

void
_hearth_preferences_window_dispose_gateway (HearthPreferencesWindow *self)
{
  g_cancellable_cancel (self->gateway_cancellable);
  g_clear_object (&self->gateway_cancellable);
  g_clear_object (&self->gateway);
}

void
_hearth_preferences_window_class_gateway_init (HearthPreferencesWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "gateway.copy-token", NULL, token_copy_action);
  gtk_widget_class_install_action (widget_class, "gateway.reset-token", NULL, token_reset_action);
  gtk_widget_class_install_action (widget_class, "gateway.try-again", NULL, try_again_action);
}
