/* hearth-server-dialog.c — adding a server (from a preset) or editing one
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-server-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "hearth-endpoint.h"
#include "hearth-error.h"
#include "hearth-gguf-chooser.h"
#include "hearth-secrets.h"
#include "hearth-server-dialog.h"
#include "hearth-servers.h"

struct _HearthServerDialog
{
  AdwWindow                 parent_instance;

  HearthEngine             *engine;
  HearthServers            *servers;
  HearthServer             *server;      /* being edited, or NULL */
  GCancellable             *cancellable;
  const HearthServerPreset *presets;
  guint                     n_presets;
  gboolean                  filling;     /* fields are being set from a preset */
  /* Editing: the address the field was filled with when the user did not
   * type it (OLLAMA_HOST, the usual one…), its source and the API then */
  char                     *shown_address;
  HearthAddressSource       shown_source;
  HearthApiKind             shown_api;

  AdwPreferencesGroup      *managed_group;
  AdwActionRow             *ollama_row;
  AdwActionRow             *llama_row;
  GtkNativeDialog          *chooser;     /* "Open a GGUF File" */
  GCancellable             *managed_cancellable;
  AdwPreferencesGroup      *preset_group;
  AdwComboRow              *preset_row;
  GtkStringList            *preset_list;
  AdwEntryRow              *name_row;
  AdwEntryRow              *url_row;
  GtkLabel                 *address_label;
  AdwComboRow              *api_row;
  GtkSwitch                *cloud_switch;
  AdwPreferencesGroup      *key_group;
  GtkEntry                 *key_entry;
  AdwActionRow             *check_row;
  GtkSpinner               *check_spinner;
  GtkWidget                *check_button;
  GtkWidget                *save_button;
  GtkLabel                 *error_label;
};

G_DEFINE_FINAL_TYPE (HearthServerDialog, hearth_server_dialog, ADW_TYPE_WINDOW)

static char *
field_text (gpointer editable)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (editable))));
}

static void
show_error (HearthServerDialog *self,
            const char         *text)
{
  gtk_label_set_text (self->error_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), text != NULL);
}

static const HearthServerPreset *
selected_preset (HearthServerDialog *self)
{
  guint index = adw_combo_row_get_selected (self->preset_row);

  return index < self->n_presets ? &self->presets[index] : NULL;
}

/* "openai", or "openai-2" when that name is taken */
static char *
free_name (HearthServerDialog *self,
           const char         *base)
{
  char *name = g_strdup (base);

  for (guint i = 2; hearth_servers_lookup (self->servers, name) != NULL; i++)
    {
      g_free (name);
      name = g_strdup_printf ("%s-%u", base, i);
    }
  return name;
}

static void
set_checking (HearthServerDialog *self,
              gboolean            checking)
{
  gtk_widget_set_visible (GTK_WIDGET (self->check_spinner), checking);
  gtk_spinner_set_spinning (self->check_spinner, checking);
  gtk_widget_set_sensitive (self->check_button, !checking);
  gtk_widget_remove_css_class (GTK_WIDGET (self->check_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->check_row), "success");
}

static HearthApiKind
current_api (HearthServerDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->api_row);

  return selected <= HEARTH_API_ANTHROPIC ? (HearthApiKind) selected : HEARTH_API_OLLAMA;
}

/* The field still shows the address the server had without the user
 * typing it (OLLAMA_HOST, the usual one, a port Hearth chose…). */
static gboolean
address_untouched (HearthServerDialog *self,
                   const char         *url)
{
  return self->shown_address != NULL && g_str_equal (url, self->shown_address)
         && current_api (self) == self->shown_api;
}

/* The line under the address: where the address in use comes from, while
 * the field shows it, or what an empty field stands for. */
static void
update_address_label (HearthServerDialog *self)
{
  g_autofree char *url = field_text (self->url_row);
  g_autofree char *text = NULL;
  HearthApiKind api = current_api (self);

  if (address_untouched (self, url))
    /* Translators: %s says where the address comes from: "from OLLAMA_HOST" */
    text = g_strdup_printf (_("The address in use (%s). Type another one to change it."),
                            hearth_address_source_describe (self->shown_source, api));
  else if (*url == '\0' && api == HEARTH_API_OLLAMA)
    {
      HearthAddressSource source;
      g_autofree char *address = hearth_server_address_for ("", api, &source, NULL);

      /* a bad OLLAMA_HOST: Check and the requests say why */
      if (address != NULL)
        {
          g_autofree char *described = hearth_address_describe (address, source, api);

          /* Translators: "http://10.1.2.3:4567 (from OLLAMA_HOST)" */
          text = g_strdup_printf (_("Left empty, it is this computer’s Ollama: %s."), described);
        }
    }
  gtk_label_set_text (self->address_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->address_label), text != NULL);
}

/* What servers.conf gets: the field as typed, but "" while it shows what
 * "" stands for (OLLAMA_HOST, the usual address), so that saving another
 * change does not freeze today's OLLAMA_HOST into the file. */
static char *
address_to_save (HearthServerDialog *self)
{
  g_autofree char *url = field_text (self->url_row);

  if (address_untouched (self, url) && (self->shown_source == HEARTH_ADDRESS_OLLAMA_HOST ||
                                        self->shown_source == HEARTH_ADDRESS_USUAL))
    return g_strdup ("");
  return g_steal_pointer (&url);
}

/* Anything typed makes the last check stale. */
static void
fields_changed_cb (HearthServerDialog *self)
{
  g_autofree char *name = field_text (self->name_row);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  set_checking (self, FALSE);
  adw_action_row_set_subtitle (self->check_row, _("See whether the server answers before saving"));
  gtk_widget_set_sensitive (self->save_button, *name != '\0');
  update_address_label (self);
  if (!self->filling)
    show_error (self, NULL);
}

static void
preset_selected_cb (HearthServerDialog *self)
{
  const HearthServerPreset *preset = selected_preset (self);
  g_autofree char *name = NULL;

  if (self->server != NULL)
    return;
  self->filling = TRUE;
  if (preset != NULL)
    {
      name = free_name (self, preset->name);
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
      gtk_editable_set_text (GTK_EDITABLE (self->url_row), preset->url);
      adw_combo_row_set_selected (self->api_row, preset->api);
      gtk_switch_set_active (self->cloud_switch, preset->cloud);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->preset_row), _(preset->description));
    }
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->preset_row),
                                 _("Any server with one of the APIs below"));
  /* "Other" may need a key too: the row is there for it */
  gtk_widget_set_visible (GTK_WIDGET (self->key_group), preset == NULL || preset->needs_key);
  self->filling = FALSE;
  fields_changed_cb (self);
}

/* Checking before saving: a provider of its own, with the key as typed */

static void
finish_check (HearthServerDialog *self,
              GPtrArray          *models,
              const GError       *error)
{
  g_autofree char *text = NULL;

  set_checking (self, FALSE);
  if (models == NULL)
    {
      text = hearth_error_describe (error);
      gtk_widget_add_css_class (GTK_WIDGET (self->check_row), "error");
      adw_action_row_set_subtitle (self->check_row, text);
      return;
    }
  text = g_strdup_printf (ngettext ("It answers: %u model", "It answers: %u models", models->len),
                          models->len);
  gtk_widget_add_css_class (GTK_WIDGET (self->check_row), "success");
  adw_action_row_set_subtitle (self->check_row, text);
}

static void
check_listed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(HearthServerDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = hearth_provider_list_models_finish (HEARTH_PROVIDER (object),
                                                                    result, &error);

  if (!hearth_error_is_cancelled (error))
    finish_check (self, models, error);
}

static void
check_key_loaded_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(HearthServerDialog) self = user_data;

  hearth_provider_load_api_key_finish (HEARTH_PROVIDER (object), result);
  if (self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;
  hearth_provider_list_models_async (HEARTH_PROVIDER (object), self->cancellable,
                                     check_listed_cb, g_object_ref (self));
}

static void
check_clicked_cb (HearthServerDialog *self)
{
  g_autofree char *url = field_text (self->url_row);
  g_autofree char *key = field_text (self->key_entry);
  g_autofree char *endpoint = NULL;
  g_autoptr(HearthProvider) provider = NULL;
  g_autoptr(GError) error = NULL;

  fields_changed_cb (self);
  endpoint = hearth_server_address_for (url, current_api (self), NULL, &error);
  if (endpoint == NULL)
    {
      finish_check (self, NULL, error);
      return;
    }
  self->cancellable = g_cancellable_new ();
  set_checking (self, TRUE);
  adw_action_row_set_subtitle (self->check_row, _("Connecting…"));
  provider = hearth_provider_new (current_api (self), endpoint,
                                  hearth_engine_get_session (self->engine));
  if (*key != '\0' && gtk_widget_get_visible (GTK_WIDGET (self->key_group)))
    {
      hearth_provider_set_api_key (provider, key);
      explicit_bzero (key, strlen (key));
      hearth_provider_list_models_async (provider, self->cancellable, check_listed_cb,
                                         g_object_ref (self));
    }
  else
    hearth_provider_load_api_key_async (provider, self->cancellable, check_key_loaded_cb,
                                        g_object_ref (self));
}

/* Saving */

static void
key_stored_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(HearthServerDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!hearth_servers_set_key_finish (HEARTH_SERVERS (object), result, &error))
    {
      g_autofree char *text = NULL;

      if (hearth_error_is_cancelled (error))
        return;
      text = g_strdup_printf (_("The server is saved, but its key is not: %s"), error->message);
      show_error (self, text);
      gtk_widget_set_sensitive (self->save_button, TRUE);
      return;
    }
  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
save (HearthServerDialog  *self,
      const char          *name,
      GError             **error)
{
  g_autofree char *url = address_to_save (self);
  gboolean cloud = gtk_switch_get_active (self->cloud_switch);
  const HearthServerPreset *preset = selected_preset (self);
  HearthServer *added;

  if (self->server != NULL)
    return hearth_servers_edit (self->servers, hearth_server_get_name (self->server), name, url,
                                current_api (self), cloud, error);
  added = hearth_servers_add (self->servers, name, url, current_api (self), cloud,
                              preset != NULL ? preset->id : NULL, error);
  if (added == NULL)
    return FALSE;
  /* a failed key leaves the server saved: saving again edits it */
  self->server = g_object_ref (added);
  hearth_servers_probe_async (self->servers, name, NULL, NULL, NULL);
  return TRUE;
}

static void
save_clicked_cb (HearthServerDialog *self)
{
  g_autofree char *name = field_text (self->name_row);
  g_autofree char *key = field_text (self->key_entry);
  g_autoptr(GError) error = NULL;
  gboolean with_key = *key != '\0' && gtk_widget_get_visible (GTK_WIDGET (self->key_group));

  if (with_key && !hearth_secrets_check_key (key, _("The API key"), &error))
    {
      show_error (self, error->message);
      explicit_bzero (key, strlen (key));
      return;
    }
  if (!save (self, name, &error))
    {
      show_error (self, error->message);
      explicit_bzero (key, strlen (key));
      return;
    }
  if (!with_key)
    {
      gtk_window_close (GTK_WINDOW (self));
      return;
    }
  gtk_widget_set_sensitive (self->save_button, FALSE);
  /* the key lives in the keyring, not in a widget */
  gtk_editable_set_text (GTK_EDITABLE (self->key_entry), "");
  hearth_servers_set_key_async (self->servers, name, key, NULL, key_stored_cb,
                                g_object_ref (self));
  explicit_bzero (key, strlen (key));
}

/* Servers Hearth runs: offered when the program is installed; when one
 * already answers here and is not listed, that one is offered instead. */

typedef struct
{
  HearthServerDialog *self;
  HearthManagedKind   kind;
} ManagedCall;

static ManagedCall *
managed_call_new (HearthServerDialog *self,
                  HearthManagedKind   kind)
{
  ManagedCall *call = g_new0 (ManagedCall, 1);

  call->self = g_object_ref (self);
  call->kind = kind;
  return call;
}

static void
managed_call_free (ManagedCall *call)
{
  g_object_unref (call->self);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ManagedCall, managed_call_free)

static AdwActionRow *
managed_row (HearthServerDialog *self,
             HearthManagedKind   kind)
{
  return kind == HEARTH_MANAGED_OLLAMA ? self->ollama_row : self->llama_row;
}

static void
offer_running (HearthServerDialog *self,
               HearthManagedKind   kind,
               const char         *url)
{
  AdwActionRow *row = managed_row (self, kind);
  GtkWidget *button = g_object_get_data (G_OBJECT (row), "hearth-button");
  g_autofree char *text = g_strdup_printf (_("One already runs at %s and is not in your list: "
                                             "Hearth can use it as it is."), url);

  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 kind == HEARTH_MANAGED_OLLAMA
                                 ? _("Ollama Is Already Running")
                                 : _("llama.cpp’s Server Is Already Running"));
  adw_action_row_set_subtitle (row, text);
  gtk_button_set_label (GTK_BUTTON (button), _("_Add the Running Server"));
  /* no action while the target changes type */
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), NULL);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "(ss)",
                                    hearth_managed_kind_to_string (kind), url);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "managed.add-running");
}

static void
unlisted_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(ManagedCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = hearth_servers_find_unlisted_finish (HEARTH_SERVERS (object), result,
                                                              &error);

  if (url != NULL && call->self->servers != NULL)
    offer_running (call->self, call->kind, url);
}

static void
managed_added_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ManagedCall) call = user_data;
  HearthServerDialog *self = call->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthServer) server = hearth_servers_add_managed_finish (HEARTH_SERVERS (object),
                                                                      result, &error);
  AdwActionRow *row;

  /* closed meanwhile: added all the same, and started with Hearth next time */
  if (hearth_error_is_cancelled (error) || self->servers == NULL)
    return;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "managed.run", TRUE);
  if (server != NULL)
    {
      /* its row in the list shows it starting, and why it failed if it does */
      hearth_servers_start_async (self->servers, hearth_server_get_name (server), NULL, NULL,
                                  NULL);
      gtk_window_close (GTK_WINDOW (self));
      return;
    }
  row = managed_row (self, call->kind);
  gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  adw_action_row_set_subtitle (row, error->message);
  if (g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_ALREADY_RUNNING))
    hearth_servers_find_unlisted_async (self->servers, call->kind, self->managed_cancellable,
                                        unlisted_cb, managed_call_new (self, call->kind));
}

static void
managed_run (HearthServerDialog *self,
             HearthManagedKind   kind,
             const char         *model_file)
{
  g_autofree char *name = free_name (self, kind == HEARTH_MANAGED_OLLAMA ? "ollama"
                                                                         : "llama-cpp");
  HearthManagedSpec spec = { kind, NULL, model_file, NULL, FALSE, FALSE };

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "managed.run", FALSE);
  hearth_servers_add_managed_async (self->servers, name, &spec, self->managed_cancellable,
                                    managed_added_cb, managed_call_new (self, kind));
}

static void
gguf_chosen_cb (gpointer    owner,
                const char *path)
{
  HearthServerDialog *self = owner;

  g_clear_object (&self->chooser);
  if (path != NULL)
    managed_run (self, HEARTH_MANAGED_LLAMA_SERVER, path);
}

static void
open_gguf (HearthServerDialog *self)
{
  if (self->chooser == NULL)
    self->chooser = hearth_gguf_chooser_show (GTK_WINDOW (self), G_OBJECT (self), gguf_chosen_cb);
}

static void
managed_run_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  HearthServerDialog *self = HEARTH_SERVER_DIALOG (widget);
  HearthManagedKind kind;

  if (!hearth_managed_kind_from_string (g_variant_get_string (parameter, NULL), &kind))
    return;
  if (kind == HEARTH_MANAGED_LLAMA_SERVER)
    open_gguf (self);
  else
    managed_run (self, kind, NULL);
}

static void
managed_add_running_cb (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  HearthServerDialog *self = HEARTH_SERVER_DIALOG (widget);
  const char *kind_name, *url;
  HearthManagedKind kind;
  g_autofree char *name = NULL;
  g_autoptr(GError) error = NULL;

  g_variant_get (parameter, "(&s&s)", &kind_name, &url);
  if (!hearth_managed_kind_from_string (kind_name, &kind))
    return;
  name = free_name (self, kind == HEARTH_MANAGED_OLLAMA ? "ollama" : "llama-cpp");
  if (hearth_servers_add (self->servers, name, url,
                          kind == HEARTH_MANAGED_OLLAMA ? HEARTH_API_OLLAMA : HEARTH_API_OPENAI,
                          FALSE, kind == HEARTH_MANAGED_OLLAMA ? "ollama" : "llamacpp",
                          &error) == NULL)
    {
      show_error (self, error->message);
      return;
    }
  hearth_servers_probe_async (self->servers, name, NULL, NULL, NULL);
  gtk_window_close (GTK_WINDOW (self));
}

static AdwActionRow *
managed_row_new (HearthServerDialog *self,
                 HearthManagedKind   kind,
                 const char         *title,
                 const char         *subtitle,
                 const char         *button_label)
{
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());
  GtkWidget *button = gtk_button_new_with_mnemonic (button_label);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (row, subtitle);
  adw_action_row_set_subtitle_lines (row, 0);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "managed.run");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s",
                                    hearth_managed_kind_to_string (kind));
  adw_action_row_add_suffix (row, button);
  g_object_set_data (G_OBJECT (row), "hearth-button", button);
  adw_preferences_group_add (self->managed_group, GTK_WIDGET (row));
  hearth_servers_find_unlisted_async (self->servers, kind, self->managed_cancellable,
                                      unlisted_cb, managed_call_new (self, kind));
  return row;
}

static void
fill_managed (HearthServerDialog *self)
{
  g_autofree char *ollama = hearth_managed_find_program (HEARTH_MANAGED_OLLAMA, NULL, NULL);
  g_autofree char *llama = hearth_managed_find_program (HEARTH_MANAGED_LLAMA_SERVER, NULL, NULL);
  g_autofree char *found = g_strdup_printf (_("Installed at %s; Hearth gives it a port of its "
                                              "own"), ollama);

  self->managed_cancellable = g_cancellable_new ();
  if (ollama != NULL)
    self->ollama_row = managed_row_new (self, HEARTH_MANAGED_OLLAMA, _("Let Hearth Run Ollama"),
                                        found, _("Add and _Start"));
  if (llama != NULL)
    self->llama_row = managed_row_new (self, HEARTH_MANAGED_LLAMA_SERVER,
                                       _("Let Hearth Run llama.cpp’s Server"),
                                       _("It serves one model file (.gguf) you already have"),
                                       _("_Open a GGUF File…"));
  gtk_widget_set_visible (GTK_WIDGET (self->managed_group), ollama != NULL || llama != NULL);
  if (ollama != NULL || llama != NULL)
    adw_preferences_group_set_title (self->preset_group, _("Or a Server at an Address"));
}

static void
fill_presets (HearthServerDialog *self)
{
  self->presets = hearth_server_presets (&self->n_presets);
  for (guint i = 0; i < self->n_presets; i++)
    gtk_string_list_append (self->preset_list, self->presets[i].title);
  gtk_string_list_append (self->preset_list, _("Other"));
}

static void
show_server (HearthServerDialog *self)
{
  g_autofree char *title = g_strdup_printf (_("Edit %s"), hearth_server_get_name (self->server));

  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_button_set_label (GTK_BUTTON (self->save_button), _("_Save"));
  gtk_widget_set_visible (GTK_WIDGET (self->preset_group), FALSE);
  /* its key has a dialog of its own: Set Key… */
  gtk_widget_set_visible (GTK_WIDGET (self->key_group), FALSE);
  /* The address in use, not an empty field, when the user did not type
   * it; the line under it says where it comes from. */
  self->shown_source = hearth_server_get_address_source (self->server);
  self->shown_api = hearth_server_get_api (self->server);
  if (self->shown_source == HEARTH_ADDRESS_MANAGED)
    self->shown_address = g_strdup (hearth_server_get_url (self->server));
  else if (self->shown_source != HEARTH_ADDRESS_TYPED)
    self->shown_address = g_strdup (hearth_server_get_endpoint (self->server));
  self->filling = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), hearth_server_get_name (self->server));
  gtk_editable_set_text (GTK_EDITABLE (self->url_row),
                         self->shown_address != NULL ? self->shown_address
                                                     : hearth_server_get_url (self->server));
  adw_combo_row_set_selected (self->api_row, hearth_server_get_api (self->server));
  gtk_switch_set_active (self->cloud_switch, hearth_server_get_cloud (self->server));
  self->filling = FALSE;
  fields_changed_cb (self);
}

static void
hearth_server_dialog_dispose (GObject *object)
{
  HearthServerDialog *self = HEARTH_SERVER_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  g_cancellable_cancel (self->managed_cancellable);
  g_clear_object (&self->managed_cancellable);
  g_clear_object (&self->server);
  g_clear_pointer (&self->shown_address, g_free);
  g_clear_object (&self->servers);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (hearth_server_dialog_parent_class)->dispose (object);
}

static void
hearth_server_dialog_class_init (HearthServerDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hearth_server_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hearthapp/Hearth/"
                                               "hearth-server-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, HearthServerDialog, managed_group);
  gtk_widget_class_bind_template_child (widget_class, HearthServerDialog, preset_group);
  gtk_widget_class_bind_template_child (widget_class, HearthServerDialog, preset_row);
  gtk_widget_class_bind_template_child (widget_class, HearthServerDialog, preset_list);
  gtk_widget_class_bind_template_child (widget_class, HearthServerDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, HearthServerDialog, url_row);
  gtk_widget_class_bind_template_child (widget_class, HearthServerDialog, address_label);
  gtk_widget_class_bind_template_child (widget_class, HearthServerDialog, api_row);
  gtk_widget_class_bind_template_child (widget_class, HearthServerDialog, cloud_switch);
  gtk_widget_class_bind_template_child (widget_class, HearthServerDialog, key_group);
  gtk_widget_class_bind_template_child (widget_class, HearthServerDialog, key_entry);
  gtk_widget_class_bind_template_child (widget_class, HearthServerDialog, check_row);
  gtk_widget_class_bind_template_child (widget_class, HearthServerDialog, check_spinner);
  gtk_widget_class_bind_template_child (widget_class, HearthServerDialog, check_button);
  gtk_widget_class_bind_template_child (widget_class, HearthServerDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, HearthServerDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, preset_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, fields_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, check_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked_cb);

  gtk_widget_class_install_action (widget_class, "managed.run", "s", managed_run_cb);
  gtk_widget_class_install_action (widget_class, "managed.add-running", "(ss)",
                                   managed_add_running_cb);
}

static void
hearth_server_dialog_init (HearthServerDialog *self)
{
  self->filling = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  self->filling = FALSE;
}

GtkWidget *
hearth_server_dialog_new (GtkWindow    *parent,
                          HearthEngine *engine,
                          HearthServer *server)
{
  HearthServerDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (HEARTH_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (server == NULL || HEARTH_IS_SERVER (server), NULL);

  self = g_object_new (HEARTH_TYPE_SERVER_DIALOG, "transient-for", parent, NULL);
  self->engine = g_object_ref (engine);
  self->servers = g_object_ref (hearth_engine_get_servers (engine));
  if (server != NULL)
    {
      self->server = g_object_ref (server);
      show_server (self);
      return GTK_WIDGET (self);
    }
  fill_presets (self);
  preset_selected_cb (self);
  fill_managed (self);
  return GTK_WIDGET (self);
}
