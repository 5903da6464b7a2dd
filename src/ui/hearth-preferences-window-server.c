/* hearth-preferences-window-server.c — the Server section: address, API, Test button, API key
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-preferences-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "hearth-endpoint.h"
#include "hearth-error.h"
#include "hearth-preferences-window-private.h"
#include "hearth-secrets.h"

HearthApiKind
_hearth_preferences_window_current_api (HearthPreferencesWindow *self)
{
  return adw_combo_row_get_selected (self->api_row) == HEARTH_API_OPENAI
         ? HEARTH_API_OPENAI : HEARTH_API_OLLAMA;
}

/* What the address row says, or the automatic address when it is empty. */
char *
_hearth_preferences_window_current_endpoint (HearthPreferencesWindow  *self,
                                             GError                  **error)
{
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  g_autofree char *text = g_strstrip (g_strdup (typed));

  return hearth_endpoint_resolve (*text != '\0' ? text : NULL,
                                  _hearth_preferences_window_current_api (self), NULL, error);
}

static void
set_testing (HearthPreferencesWindow *self,
             gboolean                 testing)
{
  gtk_widget_set_visible (GTK_WIDGET (self->test_spinner), testing);
  gtk_spinner_set_spinning (self->test_spinner, testing);
  gtk_widget_remove_css_class (GTK_WIDGET (self->test_row), "error");
  if (testing)
    adw_action_row_set_subtitle (self->test_row, _("Connecting…"));
}

/* The API key: typed here, kept only in the Secret Service */

static void
set_key_status (HearthPreferencesWindow *self,
                const char              *status,
                gboolean                 stored,
                gboolean                 failed)
{
  adw_action_row_set_subtitle (self->key_row, status);
  gtk_widget_set_sensitive (self->key_remove_button, stored);
  if (failed)
    gtk_widget_add_css_class (GTK_WIDGET (self->key_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->key_row), "error");
}

static void
key_lookup_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  HearthPreferencesWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  char *key = hearth_secrets_lookup_finish (result, &error);

  if (hearth_error_is_cancelled (error))
    return;
  if (error != NULL)
    set_key_status (self, error->message, FALSE, TRUE);
  else if (key != NULL)
    set_key_status (self, _("A key is stored in the keyring for this server"), TRUE, FALSE);
  else
    set_key_status (self, _("Only for servers that ask for one; kept in the keyring"), FALSE,
                    FALSE);
  hearth_secrets_free (key);
}

/* Whether a key is stored for the server the rows name now. */
void
_hearth_preferences_window_refresh_key_status (HearthPreferencesWindow *self)
{
  g_autofree char *endpoint = _hearth_preferences_window_current_endpoint (self, NULL);

  g_cancellable_cancel (self->key_cancellable);
  g_clear_object (&self->key_cancellable);
  if (endpoint == NULL)
    {
      set_key_status (self, _("The server address is not valid"), FALSE, FALSE);
      return;
    }
  self->key_cancellable = g_cancellable_new ();
  hearth_secrets_lookup_async (endpoint, self->key_cancellable, key_lookup_cb, self);
}

typedef struct
{
  HearthPreferencesWindow *self;
  char                    *endpoint;
  HearthApiKind            api;
  char                    *key;      /* NULL when removing */
} KeyChange;

static void
key_change_free (KeyChange *change)
{
  g_free (change->endpoint);
  hearth_secrets_free (change->key);
  g_free (change);
}

static void
key_changed_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  KeyChange *change = user_data;
  HearthPreferencesWindow *self = change->self;
  g_autoptr(GError) error = NULL;
  gboolean ok = change->key != NULL ? hearth_secrets_store_finish (result, &error)
                                    : hearth_secrets_delete_finish (result, &error);

  if (hearth_error_is_cancelled (error))
    {
      key_change_free (change);
      return;
    }
  if (!ok)
    set_key_status (self, error->message, FALSE, TRUE);
  else
    {
      /* the engine's provider for this server uses it from the next request */
      hearth_provider_set_api_key (hearth_engine_get_provider (self->engine, change->api,
                                                               change->endpoint),
                                   change->key);
      if (change->key != NULL)
        set_key_status (self, _("Saved in the keyring for this server"), TRUE, FALSE);
      else
        set_key_status (self, _("Removed from the keyring"), FALSE, FALSE);
    }
  key_change_free (change);
}

static void
change_key (HearthPreferencesWindow *self,
            const char              *key)
{
  g_autoptr(GError) error = NULL;
  KeyChange *change;
  char *endpoint = _hearth_preferences_window_current_endpoint (self, &error);

  if (endpoint == NULL)
    {
      set_key_status (self, error->message, FALSE, TRUE);
      return;
    }
  g_cancellable_cancel (self->key_cancellable);
  g_clear_object (&self->key_cancellable);
  self->key_cancellable = g_cancellable_new ();
  change = g_new0 (KeyChange, 1);
  change->self = self;
  change->endpoint = endpoint;
  change->api = _hearth_preferences_window_current_api (self);
  change->key = key != NULL ? g_strdup (key) : NULL;
  if (key != NULL)
    hearth_secrets_store_async (endpoint, key, self->key_cancellable, key_changed_cb, change);
  else
    hearth_secrets_delete_async (endpoint, self->key_cancellable, key_changed_cb, change);
}

static void
key_save_cb (HearthPreferencesWindow *self)
{
  g_autofree char *key = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->key_entry))));
  g_autoptr(GError) error = NULL;

  if (*key == '\0')
    return;
  /* a key no server can be sent stays in the entry, to be corrected */
  if (!hearth_secrets_check_key (key, _("The API key"), &error))
    {
      g_autofree char *line = hearth_error_describe (error);

      set_key_status (self, line, FALSE, TRUE);
      explicit_bzero (key, strlen (key));
      gtk_widget_grab_focus (GTK_WIDGET (self->key_entry));
      return;
    }
  change_key (self, key);
  /* the key lives in the keyring, not in a widget */
  gtk_editable_set_text (GTK_EDITABLE (self->key_entry), "");
  explicit_bzero (key, strlen (key));
}

static void
key_remove_cb (HearthPreferencesWindow *self)
{
  change_key (self, NULL);
}

static void
key_entry_changed_cb (HearthPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->key_entry));

  gtk_widget_set_sensitive (self->key_save_button, *text != '\0');
}

/* A changed address or API makes the last result stale. */
static void
reset_test (HearthPreferencesWindow *self)
{
  g_cancellable_cancel (self->test_cancellable);
  g_clear_object (&self->test_cancellable);
  set_testing (self, FALSE);
  adw_action_row_set_subtitle (self->test_row, _("Check that a server answers at this address"));
  _hearth_preferences_window_refresh_key_status (self);
}

static void
finish_test (HearthPreferencesWindow *self,
             const char              *version,
             const GError            *error)
{
  g_autofree char *models = NULL;
  g_autofree char *text = NULL;

  set_testing (self, FALSE);
  if (error != NULL)
    {
      text = hearth_error_describe (error);
      gtk_widget_add_css_class (GTK_WIDGET (self->test_row), "error");
      adw_action_row_set_subtitle (self->test_row, text);
      return;
    }
  models = g_strdup_printf (ngettext ("%u model", "%u models", self->test_model_count),
                            self->test_model_count);
  if (version != NULL)
    text = g_strdup_printf (_("Connected: Ollama %s, %s"), version, models);
  else
    text = g_strdup_printf (_("Connected: %s"), models);
  adw_action_row_set_subtitle (self->test_row, text);
}

/* The models answered already; a version that does not is no reason to fail. */
static void
test_version_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  HearthPreferencesWindow *self = user_data;

  version = hearth_provider_version_finish (HEARTH_PROVIDER (object), result, &error);
  if (hearth_error_is_cancelled (error))
    return;
  finish_test (self, version, NULL);
}

static void
test_models_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = hearth_provider_list_models_finish (HEARTH_PROVIDER (object),
                                                                    result, &error);
  HearthPreferencesWindow *self = user_data;

  if (hearth_error_is_cancelled (error))
    return;
  if (models == NULL)
    {
      finish_test (self, NULL, error);
      return;
    }

  g_cancellable_cancel (self->models_cancellable);
  _hearth_preferences_window_show_models (self, models);
  self->test_model_count = models->len;
  if (hearth_provider_get_features (HEARTH_PROVIDER (object)) & HEARTH_PROVIDER_CAN_VERSION)
    hearth_provider_version_async (HEARTH_PROVIDER (object), self->test_cancellable,
                                   test_version_cb, self);
  else
    finish_test (self, NULL, NULL);
}

static void
test_button_clicked_cb (HearthPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *endpoint = NULL;
  HearthProvider *provider;

  reset_test (self);
  endpoint = _hearth_preferences_window_current_endpoint (self, &error);
  if (endpoint == NULL)
    {
      finish_test (self, NULL, error);
      return;
    }

  self->test_cancellable = g_cancellable_new ();
  set_testing (self, TRUE);
  provider = hearth_engine_get_provider (self->engine,
                                         _hearth_preferences_window_current_api (self),
                                         endpoint);
  _hearth_preferences_window_list_models_with_key (self, provider, self->test_cancellable,
                                                   test_models_cb);
}

static gboolean
endpoint_is_valid (const char  *text,
                   GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  g_autofree char *normalized = NULL;

  if (*trimmed == '\0')
    return TRUE;
  normalized = hearth_endpoint_normalize (trimmed, HEARTH_API_OLLAMA, error);
  return normalized != NULL;
}

/* Returning NULL keeps an address that is not valid out of GSettings. */
static GVariant *
endpoint_set_mapping (const GValue       *value,
                      const GVariantType *expected_type,
                      gpointer            user_data)
{
  g_autofree char *trimmed = g_strstrip (g_value_dup_string (value));

  if (!endpoint_is_valid (trimmed, NULL))
    return NULL;
  return g_variant_new_string (trimmed);
}

/* Which address is in effect and where it comes from: an empty row is
 * not "no server". */
static void
show_address_source (HearthPreferencesWindow *self)
{
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  const char *host = g_getenv ("OLLAMA_HOST");
  gboolean from_env = host != NULL && *host != '\0'
                      && _hearth_preferences_window_current_api (self) == HEARTH_API_OLLAMA;
  g_autofree char *trimmed = g_strstrip (g_strdup (typed));
  g_autofree char *resolved = NULL;
  g_autofree char *text = NULL;

  if (from_env)
    resolved = hearth_endpoint_resolve (NULL, HEARTH_API_OLLAMA, NULL, NULL);
  if (from_env && resolved == NULL)
    text = g_strdup (_("OLLAMA_HOST is not a valid address"));
  else if (from_env && *trimmed != '\0')
    text = g_strdup_printf (_("In use: %s, from OLLAMA_HOST, which comes before the address "
                              "below"), resolved);
  else if (from_env)
    text = g_strdup_printf (_("In use: %s, from OLLAMA_HOST"), resolved);
  else if (*trimmed != '\0')
    text = g_strdup (_("In use: the address below"));
  else
    text = g_strdup_printf (_("In use: %s, the usual local address. Type one below to use "
                              "another."), HEARTH_DEFAULT_ENDPOINT);
  adw_preferences_group_set_description (self->server_group, text);
}

static void
address_changed_cb (HearthPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;
  gboolean valid = endpoint_is_valid (gtk_editable_get_text (GTK_EDITABLE (self->address_row)),
                                      &error);

  if (valid)
    gtk_widget_remove_css_class (GTK_WIDGET (self->address_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->address_row), "error");
  gtk_label_set_text (self->address_error_label, error ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->address_error_label), !valid);
  show_address_source (self);
  reset_test (self);
}

static gboolean
api_get_mapping (GValue   *value,
                 GVariant *variant,
                 gpointer  user_data)
{
  HearthApiKind kind;

  if (!hearth_api_kind_from_string (g_variant_get_string (variant, NULL), &kind))
    return FALSE;
  g_value_set_uint (value, kind);
  return TRUE;
}

static GVariant *
api_set_mapping (const GValue       *value,
                 const GVariantType *expected_type,
                 gpointer            user_data)
{
  guint selected = g_value_get_uint (value);

  if (selected > HEARTH_API_OPENAI)
    return NULL;
  return g_variant_new_string (hearth_api_kind_to_string (selected));
}

void
_hearth_preferences_window_bind_server_settings (HearthPreferencesWindow *self)
{
  g_settings_bind_with_mapping (self->settings, "endpoint", self->address_row, "text",
                                G_SETTINGS_BIND_DEFAULT, NULL, endpoint_set_mapping, NULL, NULL);
  g_settings_bind_with_mapping (self->settings, "api-kind", self->api_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, api_get_mapping, api_set_mapping,
                                NULL, NULL);
  g_signal_connect_object (self->api_row, "notify::selected", G_CALLBACK (reset_test), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->api_row, "notify::selected", G_CALLBACK (show_address_source),
                           self, G_CONNECT_SWAPPED);
  show_address_source (self);
}

void
_hearth_preferences_window_class_server_init (HearthPreferencesWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_bind_template_callback (widget_class, address_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, test_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, key_save_cb);
  gtk_widget_class_bind_template_callback (widget_class, key_remove_cb);
  gtk_widget_class_bind_template_callback (widget_class, key_entry_changed_cb);
}
