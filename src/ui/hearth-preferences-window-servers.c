/* hearth-preferences-window-servers.c — the Servers page: the user's servers with their health
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-preferences-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "hearth-error.h"
#include "hearth-preferences-window-private.h"
#include "hearth-secrets.h"
#include "hearth-server-dialog.h"

/* Shared by the page's groups */

void
_hearth_preferences_window_show_error (HearthPreferencesWindow *self,
                                       const char              *heading,
                                       const GError            *error)
{
  g_autofree char *text = g_strdup_printf ("%s: %s", heading, error->message);
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 0);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
}

GtkWidget *
_hearth_preferences_window_icon_button (const char *icon_name,
                                        const char *tooltip,
                                        const char *action_name,
                                        GVariant   *target)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  gtk_widget_add_css_class (button, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), target);
  return button;
}

/* Greyed out: with its action, the button would follow the action's state. */
void
_hearth_preferences_window_set_button_enabled (GtkWidget *button,
                                               gboolean   enabled)
{
  if (enabled)
    return;
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), NULL);
  gtk_widget_set_sensitive (button, FALSE);
}

GtkWidget *
_hearth_preferences_window_empty_row (const char *text)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), text);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  gtk_widget_add_css_class (row, "dim-label");
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  return row;
}

/* One row per server */

static const char *
api_title (HearthApiKind api)
{
  switch (api)
    {
    case HEARTH_API_OLLAMA:
      return _("Ollama");
    case HEARTH_API_OPENAI:
      return _("OpenAI-compatible");
    case HEARTH_API_ANTHROPIC:
      return _("Anthropic");
    default:
      return "";
    }
}

static const char *
state_class (HearthServer *server)
{
  if (!hearth_server_get_enabled (server))
    return "dim-label";
  switch (hearth_server_get_state (server))
    {
    case HEARTH_SERVER_STATE_UP:
      return "success";
    case HEARTH_SERVER_STATE_DEGRADED:
      return "warning";
    case HEARTH_SERVER_STATE_DOWN:
      return "error";
    case HEARTH_SERVER_STATE_UNKNOWN:
    default:
      return "dim-label";
    }
}

static GtkWidget *
tag_new (const char *text,
         const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (label, "server-tag");
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, css_class);
  return label;
}

typedef struct
{
  HearthServer *server;
  GtkWidget    *dot;
  GtkWidget    *default_tag;
  GtkWidget    *cloud_tag;
  GtkWidget    *enable_switch;
  GtkWidget    *spinner;
  gboolean      busy;          /* a managed server starting: the spinner says so */
} ServerRow;

static void
server_row_free (ServerRow *data)
{
  g_clear_object (&data->server);
  g_free (data);
}

static ServerRow *
server_row_get (GtkWidget *row)
{
  return g_object_get_data (G_OBJECT (row), "hearth-server-row");
}

static void
update_server_row (GtkWidget *row)
{
  ServerRow *data = server_row_get (row);
  HearthServer *server = data->server;
  g_autofree char *health = hearth_server_describe_state (server);
  g_autofree char *address = hearth_server_describe_address (server);
  g_autofree char *subtitle = NULL;
  static const char *classes[] = { "success", "warning", "error", "dim-label" };

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), hearth_server_get_name (server));
  if (hearth_server_get_managed (server) != HEARTH_MANAGED_NONE)
    subtitle = _hearth_preferences_window_describe_managed (server,
                                                            hearth_server_get_endpoint (server));
  else
    /* The address starts a line of its own: after "Ollama · " a narrow
     * window broke it after "http://". */
    subtitle = g_strdup_printf ("%s\n%s · %s", address, api_title (hearth_server_get_api (server)),
                                health);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (data->dot, classes[i]);
  gtk_widget_add_css_class (data->dot, state_class (server));
  gtk_widget_set_tooltip_text (data->dot, health);
  gtk_widget_set_visible (data->cloud_tag, hearth_server_get_cloud (server));
  gtk_widget_set_visible (data->default_tag,
                          hearth_servers_get_default (g_object_get_data (G_OBJECT (row),
                                                                         "hearth-servers"))
                          == server);
  if (gtk_switch_get_active (GTK_SWITCH (data->enable_switch)) != hearth_server_get_enabled (server))
    gtk_switch_set_active (GTK_SWITCH (data->enable_switch), hearth_server_get_enabled (server));
  if (data->busy != _hearth_preferences_window_managed_busy (server))
    {
      data->busy = !data->busy;
      gtk_widget_set_visible (data->spinner, data->busy);
      gtk_spinner_set_spinning (GTK_SPINNER (data->spinner), data->busy);
    }
}

static void
enable_switch_cb (GtkSwitch               *toggle,
                  GParamSpec              *pspec,
                  HearthPreferencesWindow *self)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (toggle), ADW_TYPE_ACTION_ROW);
  HearthServer *server = server_row_get (row)->server;
  gboolean active = gtk_switch_get_active (toggle);
  g_autoptr(GError) error = NULL;

  if (active == hearth_server_get_enabled (server))
    return;
  if (!hearth_servers_set_enabled (self->servers, hearth_server_get_name (server), active, &error))
    {
      _hearth_preferences_window_show_error (self, _("Could not change the server"), error);
      gtk_switch_set_active (toggle, !active);
    }
}

static GMenuModel *
server_menu_new (HearthPreferencesWindow *self,
                 HearthServer            *server,
                 guint                    position)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) top = g_menu_new ();
  g_autoptr(GMenu) order = g_menu_new ();
  g_autoptr(GMenu) bottom = g_menu_new ();
  const char *name = hearth_server_get_name (server);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->servers));
  g_autofree char *check = g_strdup_printf ("server.check('%s')", name);
  g_autofree char *edit = g_strdup_printf ("server.edit('%s')", name);
  g_autofree char *key = g_strdup_printf ("server.key('%s')", name);
  g_autofree char *up = g_strdup_printf ("server.move-up('%s')", name);
  g_autofree char *down = g_strdup_printf ("server.move-down('%s')", name);
  g_autofree char *remove = g_strdup_printf ("server.remove('%s')", name);

  g_menu_append (top, _("_Check Now"), check);
  g_menu_append (top, _("_Edit…"), edit);
  g_menu_append (top, _("Set _Key…"), key);
  if (position > 0)
    g_menu_append (order, _("Move _Up"), up);
  if (position + 1 < n)
    g_menu_append (order, _("Move _Down"), down);
  g_menu_append (bottom, _("_Remove…"), remove);
  if (hearth_server_get_managed (server) != HEARTH_MANAGED_NONE)
    {
      g_autoptr(GMenuModel) managed = _hearth_preferences_window_managed_menu ();

      g_menu_append_section (menu, NULL, managed);
    }
  g_menu_append_section (menu, NULL, G_MENU_MODEL (top));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (order));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (bottom));
  return G_MENU_MODEL (menu);
}

static GtkWidget *
create_server_row (gpointer item,
                   gpointer user_data)
{
  HearthPreferencesWindow *self = user_data;
  HearthServer *server = item;
  GtkWidget *row = adw_action_row_new ();
  ServerRow *data = g_new0 (ServerRow, 1);
  GtkWidget *menu_button = gtk_menu_button_new ();
  g_autoptr(GMenuModel) menu = NULL;
  guint position = 0;
  g_autofree char *menu_label = g_strdup_printf (_("Actions for %s"),
                                                 hearth_server_get_name (server));
  static const char *props[] = { "state", "latency-ms", "last-error", "breaker-open", "enabled",
                                 "name", "url", "endpoint", "api", "cloud", "process-state",
                                 "process-message" };

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->servers)); i++)
    {
      g_autoptr(HearthServer) other = g_list_model_get_item (G_LIST_MODEL (self->servers), i);

      if (other == server)
        position = i;
    }
  data->server = g_object_ref (server);
  g_object_set_data_full (G_OBJECT (row), "hearth-server-row", data,
                          (GDestroyNotify) server_row_free);
  g_object_set_data (G_OBJECT (row), "hearth-servers", self->servers);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_add_css_class (row, "server-row");

  data->dot = gtk_label_new ("●");
  gtk_widget_set_valign (data->dot, GTK_ALIGN_CENTER);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), data->dot);

  data->default_tag = tag_new (_("Default"), "accent");
  data->cloud_tag = tag_new (_("Cloud"), "dim-label");
  data->spinner = gtk_spinner_new ();
  gtk_widget_set_visible (data->spinner, FALSE);
  data->enable_switch = gtk_switch_new ();
  gtk_widget_set_valign (data->enable_switch, GTK_ALIGN_CENTER);
  gtk_switch_set_active (GTK_SWITCH (data->enable_switch), hearth_server_get_enabled (server));
  gtk_accessible_update_property (GTK_ACCESSIBLE (data->enable_switch),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Use this server"), -1);
  g_signal_connect_object (data->enable_switch, "notify::active", G_CALLBACK (enable_switch_cb),
                           self, 0);
  menu = server_menu_new (self, server, position);
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (menu_button), menu);
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu_button), "view-more-symbolic");
  gtk_widget_set_valign (menu_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (menu_button, "flat");
  gtk_widget_set_tooltip_text (menu_button, menu_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (menu_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  menu_label, -1);

  adw_action_row_add_suffix (ADW_ACTION_ROW (row), data->spinner);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), data->default_tag);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), data->cloud_tag);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), data->enable_switch);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), menu_button);

  for (guint i = 0; i < G_N_ELEMENTS (props); i++)
    {
      g_autofree char *signal = g_strdup_printf ("notify::%s", props[i]);

      g_signal_connect_object (server, signal, G_CALLBACK (update_server_row), row,
                               G_CONNECT_SWAPPED);
    }
  if (hearth_server_get_managed (server) != HEARTH_MANAGED_NONE)
    _hearth_preferences_window_bind_managed_row (self, row, server);
  update_server_row (row);
  return row;
}

static void
rebind_servers (HearthPreferencesWindow *self)
{
  gtk_list_box_bind_model (self->servers_list, G_LIST_MODEL (self->servers), create_server_row,
                           self, NULL);
}

static GtkWidget *
find_server_row (HearthPreferencesWindow *self,
                 const char              *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->servers_list));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      ServerRow *data = server_row_get (child);

      if (data != NULL && g_str_equal (hearth_server_get_name (data->server), name))
        return child;
    }
  return NULL;
}

/* The row actions */

static void
probed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GtkWidget) row = user_data;
  g_autoptr(GError) error = NULL;
  ServerRow *data = server_row_get (row);

  /* a server that does not answer says so in its row: the error is its state */
  hearth_servers_probe_finish (HEARTH_SERVERS (object), result, &error);
  if (hearth_error_is_cancelled (error))
    return;
  gtk_spinner_stop (GTK_SPINNER (data->spinner));
  gtk_widget_set_visible (data->spinner, FALSE);
  update_server_row (row);
}

static void
server_check_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  GtkWidget *row = find_server_row (self, name);

  if (row == NULL)
    return;
  gtk_widget_set_visible (server_row_get (row)->spinner, TRUE);
  gtk_spinner_start (GTK_SPINNER (server_row_get (row)->spinner));
  hearth_servers_probe_async (self->servers, name, self->servers_cancellable, probed_cb,
                              g_object_ref (row));
}

static void
server_edit_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (widget);
  HearthServer *server = hearth_servers_lookup (self->servers,
                                                g_variant_get_string (parameter, NULL));

  if (server != NULL)
    gtk_window_present (GTK_WINDOW (hearth_server_dialog_new (GTK_WINDOW (self), self->engine,
                                                              server)));
}

static void
server_add_cb (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (widget);

  gtk_window_present (GTK_WINDOW (hearth_server_dialog_new (GTK_WINDOW (self), self->engine,
                                                            NULL)));
}

static void
server_move (HearthPreferencesWindow *self,
             const char              *name,
             int                      delta)
{
  g_autoptr(GError) error = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->servers));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (G_LIST_MODEL (self->servers), i);

      if (!g_str_equal (hearth_server_get_name (server), name))
        continue;
      if ((delta < 0 && i == 0) || (delta > 0 && i + 1 >= n))
        return;
      if (!hearth_servers_move (self->servers, name, i + delta, &error))
        _hearth_preferences_window_show_error (self, _("Could not move the server"), error);
      return;
    }
}

static void
server_move_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  server_move (HEARTH_PREFERENCES_WINDOW (widget), g_variant_get_string (parameter, NULL),
               g_str_equal (action_name, "server.move-up") ? -1 : 1);
}

static void
remove_response_cb (AdwMessageDialog        *dialog,
                    const char              *response,
                    HearthPreferencesWindow *self)
{
  const char *name = g_object_get_data (G_OBJECT (dialog), "hearth-server-name");
  g_autoptr(GError) error = NULL;

  if (g_str_equal (response, "remove")
      && !hearth_servers_remove (self->servers, name, &error))
    _hearth_preferences_window_show_error (self, _("Could not remove the server"), error);
}

static void
server_remove_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), NULL, NULL));
  adw_message_dialog_format_heading (dialog, _("Remove %s?"), name);
  adw_message_dialog_format_body (dialog, _("Hearth stops using it and takes it out of the "
                                            "fallback list. Your chats with its models stay."));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "remove", _("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "hearth-server-name", g_strdup (name), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  /* its handlers use the window: it goes with it */
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The key: typed into a hidden entry, kept only in the keyring */

typedef struct
{
  HearthPreferencesWindow *self;
  AdwMessageDialog        *dialog;
  GtkEntry                *entry;
  GtkLabel                *problem;
  char                    *name;
} KeyDialog;

static void
key_dialog_free (KeyDialog *data)
{
  g_free (data->name);
  g_free (data);
}

static void
key_entry_changed_cb (KeyDialog *data)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (data->entry));
  g_autofree char *key = g_strstrip (g_strdup (text));
  g_autoptr(GError) error = NULL;
  gboolean ok = *key != '\0' && hearth_secrets_check_key (key, _("The key"), &error);

  adw_message_dialog_set_response_enabled (data->dialog, "save", ok);
  gtk_label_set_text (data->problem, error != NULL ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (data->problem), error != NULL);
  explicit_bzero (key, strlen (key));
}

static void
has_key_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(AdwMessageDialog) dialog = user_data;
  g_autoptr(GError) error = NULL;
  gboolean stored = hearth_servers_has_key_finish (HEARTH_SERVERS (object), result, &error);
  KeyDialog *data = g_object_get_data (G_OBJECT (dialog), "hearth-key-dialog");
  HearthServer *server = hearth_servers_lookup (HEARTH_SERVERS (object), data->name);
  const char *env = server != NULL ? hearth_server_get_key_env (server) : NULL;
  g_autofree char *body = NULL;

  if (hearth_error_is_cancelled (error))
    return;
  if (error != NULL)
    body = g_strdup_printf (_("The keyring could not be read: %s"), error->message);
  else if (env != NULL)
    body = g_strdup_printf (_("The key comes from %s, which is used before the keyring."), env);
  else if (stored)
    body = g_strdup (_("Key stored in the keyring. A new key replaces it."));
  else
    body = g_strdup (_("No key is stored. Only servers that ask for one need it; it is kept in "
                       "the keyring, never in Hearth’s settings."));
  adw_message_dialog_set_body (dialog, body);
  adw_message_dialog_set_response_enabled (dialog, "remove", stored);
}

static void
key_saved_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GtkWidget) window = user_data;
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (window);
  g_autoptr(GError) error = NULL;

  if (!hearth_servers_set_key_finish (HEARTH_SERVERS (object), result, &error))
    {
      if (!hearth_error_is_cancelled (error))
        _hearth_preferences_window_show_error (self, _("The key was not saved"), error);
      return;
    }
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (_("The keyring is updated")));
}

static void
key_response_cb (AdwMessageDialog *dialog,
                 const char       *response,
                 KeyDialog        *data)
{
  g_autofree char *key = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (data->entry))));

  /* the key lives in the keyring, not in a widget */
  gtk_editable_set_text (GTK_EDITABLE (data->entry), "");
  if (g_str_equal (response, "save") || g_str_equal (response, "remove"))
    hearth_servers_set_key_async (data->self->servers, data->name,
                                  g_str_equal (response, "save") ? key : NULL,
                                  data->self->servers_cancellable, key_saved_cb,
                                  g_object_ref (data->self));
  explicit_bzero (key, strlen (key));
}

static void
server_key_cb (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (widget);
  KeyDialog *data = g_new0 (KeyDialog, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  data->self = self;
  data->name = g_variant_dup_string (parameter, NULL);
  data->dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), NULL,
                                                             _("Looking in the keyring…")));
  adw_message_dialog_format_heading (data->dialog, _("Key for %s"), data->name);
  adw_message_dialog_add_responses (data->dialog, "cancel", _("_Cancel"),
                                    "remove", _("_Forget Key"), "save", _("_Save"), NULL);
  adw_message_dialog_set_response_appearance (data->dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (data->dialog, "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (data->dialog, "remove", FALSE);
  adw_message_dialog_set_response_enabled (data->dialog, "save", FALSE);
  adw_message_dialog_set_close_response (data->dialog, "cancel");

  /* A plain entry with hidden text, as GtkPasswordEntry's tooltip timer
   * outlived its window in GTK 4.8. */
  data->entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_visibility (data->entry, FALSE);
  gtk_entry_set_input_purpose (data->entry, GTK_INPUT_PURPOSE_PASSWORD);
  gtk_entry_set_placeholder_text (data->entry, _("Paste a key"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (data->entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("API key"), -1);
  data->problem = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (data->problem, TRUE);
  gtk_label_set_xalign (data->problem, 0);
  gtk_widget_add_css_class (GTK_WIDGET (data->problem), "error");
  gtk_widget_add_css_class (GTK_WIDGET (data->problem), "caption");
  gtk_widget_set_visible (GTK_WIDGET (data->problem), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (data->entry));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (data->problem));
  adw_message_dialog_set_extra_child (data->dialog, box);
  g_signal_connect_swapped (data->entry, "changed", G_CALLBACK (key_entry_changed_cb), data);
  g_object_set_data_full (G_OBJECT (data->dialog), "hearth-key-dialog", data,
                          (GDestroyNotify) key_dialog_free);
  g_signal_connect (data->dialog, "response", G_CALLBACK (key_response_cb), data);
  hearth_servers_has_key_async (self->servers, data->name, self->servers_cancellable, has_key_cb,
                                g_object_ref (data->dialog));
  /* its handlers use the window: it goes with it */
  gtk_window_set_destroy_with_parent (GTK_WINDOW (data->dialog), TRUE);
  gtk_window_present (GTK_WINDOW (data->dialog));
}

static gboolean
refresh_servers_idle (gpointer user_data)
{
  HearthPreferencesWindow *self = user_data;

  self->servers_refresh_id = 0;
  rebind_servers (self);
  _hearth_preferences_window_refresh_fallback (self);
  return G_SOURCE_REMOVE;
}

/* The Default tag and the Move items follow the order. Rebuilt once the
 * change is done: the switch or button that made it is still at work. */
static void
servers_changed_cb (HearthPreferencesWindow *self)
{
  if (self->servers_refresh_id == 0)
    self->servers_refresh_id = g_idle_add (refresh_servers_idle, self);
}

static void
release_health (HearthServers *servers)
{
  hearth_servers_release_health (servers);
  g_object_unref (servers);
}

/* While the list shows each server's state, that state is kept current
 * (see hearth_servers_hold_health); not while the page is hidden. The hold
 * goes with the list, whatever order the window is torn down in. */
static void
servers_list_mapped_cb (GtkWidget               *list,
                        HearthPreferencesWindow *self)
{
  gboolean held = g_object_get_data (G_OBJECT (list), "hearth-health-hold") != NULL;

  if (gtk_widget_get_mapped (list) == held || self->servers == NULL)
    return;
  if (!held)
    {
      hearth_servers_hold_health (self->servers);
      g_object_set_data_full (G_OBJECT (list), "hearth-health-hold", g_object_ref (self->servers),
                              (GDestroyNotify) release_health);
    }
  else
    g_object_set_data (G_OBJECT (list), "hearth-health-hold", NULL);
}

void
_hearth_preferences_window_bind_servers (HearthPreferencesWindow *self)
{
  self->servers_cancellable = g_cancellable_new ();
  g_signal_connect_after (self->servers_list, "map", G_CALLBACK (servers_list_mapped_cb), self);
  g_signal_connect_after (self->servers_list, "unmap", G_CALLBACK (servers_list_mapped_cb), self);
  rebind_servers (self);
  g_signal_connect_object (self->servers, "changed", G_CALLBACK (servers_changed_cb), self,
                           G_CONNECT_SWAPPED);
  _hearth_preferences_window_bind_fallback (self);
  _hearth_preferences_window_bind_routes (self);
}

void
_hearth_preferences_window_class_servers_init (HearthPreferencesWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, servers_list);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, fallback_list);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow,
                                        fallback_add_button);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, substitutes_list);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, routes_list);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow,
                                        routes_reset_button);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, fast_row);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, capable_row);

  gtk_widget_class_install_action (widget_class, "servers.add", NULL, server_add_cb);
  gtk_widget_class_install_action (widget_class, "server.check", "s", server_check_cb);
  gtk_widget_class_install_action (widget_class, "server.edit", "s", server_edit_cb);
  gtk_widget_class_install_action (widget_class, "server.key", "s", server_key_cb);
  gtk_widget_class_install_action (widget_class, "server.move-up", "s", server_move_cb);
  gtk_widget_class_install_action (widget_class, "server.move-down", "s", server_move_cb);
  gtk_widget_class_install_action (widget_class, "server.remove", "s", server_remove_cb);
  _hearth_preferences_window_class_fallback_init (klass);
  _hearth_preferences_window_class_routes_init (klass);
}
