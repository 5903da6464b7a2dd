/* hearth-preferences-window.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-preferences-window"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "hearth-error.h"
#include "hearth-preferences-window-private.h"

/* Long enough to cover a burst of typing, short enough that little is lost. */
#define PROMPT_SAVE_DELAY_MS 500

G_DEFINE_FINAL_TYPE (HearthPreferencesWindow, hearth_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Ollama lists "llama3.2:latest" for a model pulled as "llama3.2". */
static gboolean
model_names_match (const char *listed,
                   const char *stored)
{
  gsize len = strlen (stored);

  return g_str_equal (listed, stored) ||
         (strncmp (listed, stored, len) == 0 && g_str_equal (listed + len, ":latest"));
}

static char *
format_model_details (const HearthModelInfo *info)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (info->size >= 0)
    g_ptr_array_add (parts, g_format_size (info->size));
  if (info->parameter_size != NULL && *info->parameter_size != '\0')
    g_ptr_array_add (parts, g_strdup (info->parameter_size));
  if (info->quantization != NULL && *info->quantization != '\0')
    g_ptr_array_add (parts, g_strdup (info->quantization));
  g_ptr_array_add (parts, NULL);

  return g_strjoinv (" · ", (char **) parts->pdata);
}

/* @in_list: for the popover, where there is room to say what automatic means. */
static char *
model_title (HearthPreferencesWindow *self,
             const char              *name,
             gboolean                 in_list)
{
  if (*name == '\0')
    return g_strdup (in_list ? _("Automatic (first model the server lists)") : _("Automatic"));
  if (g_strcmp0 (name, self->missing_model) == 0)
    return g_strdup_printf (_("%s (not installed)"), name);
  return g_strdup (name);
}

/* Returns: whether the stored model is in the list (and now selected). */
static gboolean
select_stored_model (HearthPreferencesWindow *self)
{
  g_autofree char *stored = g_settings_get_string (self->settings, "default-model");
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->model_list));

  for (guint i = 0; i < n_items; i++)
    {
      if (!model_names_match (gtk_string_list_get_string (self->model_list, i), stored))
        continue;
      self->syncing = TRUE;
      adw_combo_row_set_selected (self->model_row, i);
      self->syncing = FALSE;
      return TRUE;
    }
  return FALSE;
}

/* @models is NULL while they are not known: the stored model is kept unmarked. */
static void
set_models (HearthPreferencesWindow *self,
            GPtrArray               *models)
{
  g_autofree char *stored = g_settings_get_string (self->settings, "default-model");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) names = NULL;
  gboolean found = *stored == '\0';

  g_hash_table_remove_all (self->model_details);
  g_clear_pointer (&self->missing_model, g_free);
  g_strv_builder_add (builder, "");
  for (guint i = 0; models != NULL && i < models->len; i++)
    {
      const HearthModelInfo *info = g_ptr_array_index (models, i);

      g_strv_builder_add (builder, info->name);
      g_hash_table_insert (self->model_details, g_strdup (info->name),
                           format_model_details (info));
      found |= model_names_match (info->name, stored);
    }
  if (!found)
    {
      g_strv_builder_add (builder, stored);
      if (models != NULL)
        self->missing_model = g_strdup (stored);
    }
  names = g_strv_builder_end (builder);

  /* The selection moves while items go; that is not the person's choice. */
  self->syncing = TRUE;
  gtk_string_list_splice (self->model_list, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->model_list)),
                          (const char * const *) names);
  self->syncing = FALSE;
  select_stored_model (self);
}

static void
default_model_changed_cb (HearthPreferencesWindow *self)
{
  g_autofree char *stored = NULL;

  if (select_stored_model (self))
    return;
  stored = g_settings_get_string (self->settings, "default-model");
  gtk_string_list_append (self->model_list, stored);
  select_stored_model (self);
}

static void
model_selected_cb (HearthPreferencesWindow *self)
{
  GtkStringObject *item;

  if (self->syncing)
    return;
  item = adw_combo_row_get_selected_item (self->model_row);
  if (item != NULL)
    g_settings_set_string (self->settings, "default-model", gtk_string_object_get_string (item));
}

/* A title, and a dim caption under it in the list: what each choice is. */
static void
two_line_item_setup_cb (GtkSignalListItemFactory *factory,
                        GtkListItem              *item,
                        gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *caption = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (caption), 0);
  gtk_label_set_wrap (GTK_LABEL (caption), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (caption), 40);
  gtk_widget_add_css_class (caption, "caption");
  gtk_widget_add_css_class (caption, "dim-label");
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), caption);
  gtk_list_item_set_child (item, box);
}

/* @caption: NULL or empty hides it */
void
_hearth_preferences_window_set_item_lines (GtkListItem *item,
                                           const char  *title,
                                           const char  *caption)
{
  GtkWidget *title_label = gtk_widget_get_first_child (gtk_list_item_get_child (item));
  GtkWidget *caption_label = gtk_widget_get_next_sibling (title_label);

  gtk_label_set_text (GTK_LABEL (title_label), title);
  gtk_label_set_text (GTK_LABEL (caption_label), caption ? caption : "");
  gtk_widget_set_visible (caption_label, caption != NULL && *caption != '\0');
}

static void
model_item_bind (HearthPreferencesWindow *self,
                 GtkListItem             *item,
                 gboolean                 with_details)
{
  const char *name = gtk_string_object_get_string (gtk_list_item_get_item (item));
  const char *text = with_details ? g_hash_table_lookup (self->model_details, name) : NULL;
  g_autofree char *label = model_title (self, name, with_details);

  _hearth_preferences_window_set_item_lines (item, label, text);
}

static void
model_row_item_bind_cb (HearthPreferencesWindow  *self,
                        GtkListItem              *item,
                        GtkSignalListItemFactory *factory)
{
  model_item_bind (self, item, FALSE);
}

static void
model_list_item_bind_cb (HearthPreferencesWindow  *self,
                         GtkListItem              *item,
                         GtkSignalListItemFactory *factory)
{
  model_item_bind (self, item, TRUE);
}

GtkListItemFactory *
_hearth_preferences_window_new_item_factory (HearthPreferencesWindow *self,
                                             GCallback                bind)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (two_line_item_setup_cb), NULL);
  g_signal_connect_object (factory, "bind", bind, self, G_CONNECT_SWAPPED);
  return factory;
}

static void
set_models_status (HearthPreferencesWindow *self,
                   const char              *status)
{
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->model_row), status);
}

void
_hearth_preferences_window_show_models (HearthPreferencesWindow *self,
                                        GPtrArray               *models)
{
  set_models (self, models);
  set_models_status (self, _("The model new chats start with"));
}

static void
models_listed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = hearth_provider_list_models_finish (HEARTH_PROVIDER (object),
                                                                    result, &error);
  HearthPreferencesWindow *self = user_data;

  /* Cancelled means the window may be gone: dispose cancels. */
  if (hearth_error_is_cancelled (error))
    return;
  if (models == NULL)
    {
      set_models_status (self, _("The server could not be reached: check it in Servers"));
      return;
    }
  _hearth_preferences_window_show_models (self, models);
}

/* The server's key first (env or keyring), then its model list. */
typedef struct
{
  HearthPreferencesWindow *self;       /* kept alive by the cancellable's owner */
  GCancellable            *cancellable;
  GAsyncReadyCallback      next;
} ListAfterKey;

static void
list_after_key_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ListAfterKey *data = user_data;

  hearth_provider_load_api_key_finish (HEARTH_PROVIDER (object), result);
  if (!g_cancellable_is_cancelled (data->cancellable))
    hearth_provider_list_models_async (HEARTH_PROVIDER (object), data->cancellable, data->next,
                                       data->self);
  g_object_unref (data->cancellable);
  g_free (data);
}

void
_hearth_preferences_window_list_models_with_key (HearthPreferencesWindow *self,
                                                 HearthProvider          *provider,
                                                 GCancellable            *cancellable,
                                                 GAsyncReadyCallback      next)
{
  ListAfterKey *data = g_new0 (ListAfterKey, 1);

  data->self = self;
  data->cancellable = g_object_ref (cancellable);
  data->next = next;
  hearth_provider_load_api_key_async (provider, cancellable, list_after_key_cb, data);
}

/* The default server's models: the first server of the list that is on. */
static void
fetch_models (HearthPreferencesWindow *self)
{
  HearthServer *server = hearth_servers_get_default (self->servers);

  g_cancellable_cancel (self->models_cancellable);
  g_clear_object (&self->models_cancellable);
  if (server == NULL)
    {
      set_models_status (self, _("No server is on: turn one on in Servers"));
      return;
    }
  set_models_status (self, _("Loading the server’s models…"));
  self->models_cancellable = g_cancellable_new ();
  _hearth_preferences_window_list_models_with_key (self, hearth_server_get_provider (server),
                                                   self->models_cancellable, models_listed_cb);
}

static void
load_temperature (HearthPreferencesWindow *self)
{
  double temperature = g_settings_get_double (self->settings, "temperature");

  self->syncing = TRUE;
  gtk_switch_set_active (self->default_temperature_switch, temperature < 0);
  if (temperature >= 0)
    gtk_spin_button_set_value (self->temperature_spin, temperature);
  self->syncing = FALSE;
}

static void
temperature_changed_cb (HearthPreferencesWindow *self)
{
  double value;

  if (self->syncing)
    return;
  if (gtk_switch_get_active (self->default_temperature_switch))
    value = -1.0;
  else
    value = round (gtk_spin_button_get_value (self->temperature_spin) * 10) / 10;
  g_settings_set_double (self->settings, "temperature", value);
}

static void
save_system_prompt (HearthPreferencesWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->system_prompt_view);
  GtkTextIter start;
  GtkTextIter end;
  g_autofree char *text = NULL;
  g_autofree char *stored = g_settings_get_string (self->settings, "system-prompt");

  g_clear_handle_id (&self->prompt_save_id, g_source_remove);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  if (!g_str_equal (text, stored))
    g_settings_set_string (self->settings, "system-prompt", text);
}

static gboolean
save_system_prompt_cb (gpointer user_data)
{
  HearthPreferencesWindow *self = user_data;

  self->prompt_save_id = 0;
  save_system_prompt (self);
  return G_SOURCE_REMOVE;
}

static void
system_prompt_changed_cb (HearthPreferencesWindow *self)
{
  g_clear_handle_id (&self->prompt_save_id, g_source_remove);
  self->prompt_save_id = g_timeout_add (PROMPT_SAVE_DELAY_MS, save_system_prompt_cb, self);
}

static void
load_system_prompt (HearthPreferencesWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->system_prompt_view);
  g_autofree char *prompt = g_settings_get_string (self->settings, "system-prompt");

  gtk_text_buffer_set_text (buffer, prompt, -1);
  g_signal_connect_object (buffer, "changed", G_CALLBACK (system_prompt_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

/* Numbers read as "64 MB", "7 days": the unit beside its box, every box
 * as wide as the others so they line up down the page. */
static void
add_unit (GtkSpinButton *spin,
          const char    *unit)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (spin), ADW_TYPE_ACTION_ROW);
  GtkWidget *label = gtk_label_new (unit);

  gtk_editable_set_width_chars (GTK_EDITABLE (spin), 6);
  gtk_editable_set_alignment (GTK_EDITABLE (spin), 1);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_width_chars (GTK_LABEL (label), 4);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "spin-unit");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
}

static void
add_units (HearthPreferencesWindow *self)
{
  add_unit (self->temperature_spin, "");
  add_unit (self->cache_size_spin, _("MB"));
  add_unit (self->cache_ttl_spin, _("days"));
  add_unit (self->samples_minute_spin, _("days"));
  add_unit (self->samples_hour_spin, _("days"));
  add_unit (self->quiet_start_spin, "");
  add_unit (self->quiet_end_spin, "");
}

/* What the cache holds, measured: nothing here is an estimate. */
static void
refresh_cache_stats (HearthPreferencesWindow *self)
{
  HearthCache *cache = hearth_engine_get_cache (self->engine);
  HearthCacheStats stats;
  g_autofree char *size = NULL;
  g_autofree char *count = NULL;
  g_autofree char *text = NULL;
  guint64 hits, lookups;

  if (cache != NULL)
    hearth_cache_get_stats (cache, &stats);
  /* nothing to clear: neither a red button nor one that does nothing */
  gtk_widget_set_sensitive (self->cache_clear_button, cache != NULL && stats.entries > 0);
  if (cache != NULL && stats.entries > 0)
    gtk_widget_add_css_class (self->cache_clear_button, "destructive-action");
  else
    gtk_widget_remove_css_class (self->cache_clear_button, "destructive-action");
  if (cache == NULL)
    {
      adw_action_row_set_subtitle (self->cache_stats_row, _("The cache is off"));
      return;
    }
  if (stats.entries == 0)
    {
      adw_action_row_set_subtitle (self->cache_stats_row, _("Empty"));
      return;
    }
  size = g_format_size (stats.bytes_on_disk);
  hits = stats.memory_hits + stats.disk_hits;
  lookups = hits + stats.disk_misses;
  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%llu answer", "%llu answers",
                                        (unsigned long) MIN (stats.entries, G_MAXULONG)),
                           (unsigned long long) stats.entries);
  if (lookups > 0)
    /* Translators: answers kept, their size on disk, the share of lookups
     * answered from the cache, how many lookups, the generation time saved */
    text = g_strdup_printf (_("%s, %s · %.0f %% of %llu lookups answered · "
                              "%.1f s of generation saved"),
                            count, size, 100.0 * hits / lookups, (unsigned long long) lookups,
                            stats.time_saved_ms / 1000);
  else
    text = g_strdup_printf (_("%s, %s · no lookups yet"), count, size);
  adw_action_row_set_subtitle (self->cache_stats_row, text);
}

static void
cache_clear_clicked_cb (HearthPreferencesWindow *self)
{
  HearthCache *cache = hearth_engine_get_cache (self->engine);
  g_autoptr(GError) error = NULL;

  if (cache != NULL && !hearth_cache_clear (cache, &error))
    {
      adw_action_row_set_subtitle (self->cache_stats_row, error->message);
      return;
    }
  refresh_cache_stats (self);
}

static gboolean
refresh_cache_stats_idle (gpointer user_data)
{
  refresh_cache_stats (user_data);
  return G_SOURCE_REMOVE;
}

/* The application opens or drops the cache on the same change, through its
 * own GSettings: count once it has. */
static void
cache_enabled_changed_cb (HearthPreferencesWindow *self)
{
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, refresh_cache_stats_idle, g_object_ref (self),
                   g_object_unref);
}

static void
bind_cache_settings (HearthPreferencesWindow *self)
{
  g_settings_bind (self->settings, "cache-enabled", self->cache_enabled_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "cache-all-requests", self->cache_all_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "cache-max-mb", self->cache_size_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "samples-minute-days", self->samples_minute_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "samples-hour-days", self->samples_hour_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "cache-ttl-days", self->cache_ttl_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "cache-enabled", self->cache_all_row, "sensitive",
                   G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "cache-enabled", self->cache_size_row, "sensitive",
                   G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "cache-enabled", self->cache_ttl_row, "sensitive",
                   G_SETTINGS_BIND_GET);
  g_signal_connect_object (self->settings, "changed::cache-enabled",
                           G_CALLBACK (cache_enabled_changed_cb), self, G_CONNECT_SWAPPED);
}

/* Hours read as on a clock: "22:00" */
static gboolean
hour_spin_output_cb (GtkSpinButton *spin)
{
  g_autofree char *text = g_strdup_printf ("%02d:00", gtk_spin_button_get_value_as_int (spin));

  gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

/* "7", "07", "7:30" and "22:00" are all an hour; anything else is left alone. */
static int
hour_spin_input_cb (GtkSpinButton *spin,
                    double        *value)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));
  char *end = NULL;
  guint64 hour = g_ascii_strtoull (text, &end, 10);

  if (end == text || hour > 23 || (*end != '\0' && *end != ':'))
    return GTK_INPUT_ERROR;
  *value = hour;
  return TRUE;
}

/* Start at login only means something while Hearth runs in the background. */
static void
bind_background_settings (HearthPreferencesWindow *self)
{
  g_settings_bind (self->settings, "run-in-background", self->run_in_background_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "autostart", self->autostart_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_object_bind_property (self->run_in_background_switch, "active", self->autostart_row,
                          "sensitive", G_BINDING_SYNC_CREATE);
  g_settings_bind (self->settings, "alerts-quiet-start", self->quiet_start_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "alerts-quiet-end", self->quiet_end_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
}

static void
bind_settings (HearthPreferencesWindow *self)
{
  load_temperature (self);
  g_signal_connect_object (self->settings, "changed::temperature",
                           G_CALLBACK (load_temperature), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::default-model",
                           G_CALLBACK (default_model_changed_cb), self, G_CONNECT_SWAPPED);
  load_system_prompt (self);
  bind_cache_settings (self);
  bind_background_settings (self);
}

/* Several models at once, and what the person thought of the answers. */
static void
add_answers_page (HearthPreferencesWindow *self)
{
  AdwPreferencesPage *page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());

  adw_preferences_page_set_title (page, _("Answers"));
  adw_preferences_page_set_name (page, "answers");
  adw_preferences_page_set_icon_name (page, "starred-symbolic");
  _hearth_preferences_window_bind_ensembles (self, page);
  _hearth_preferences_window_bind_feedback (self, page);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), page);
}

static void
hearth_preferences_window_constructed (GObject *object)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (hearth_preferences_window_parent_class)->constructed (object);

  g_assert (HEARTH_IS_ENGINE (self->engine));
  self->servers = g_object_ref (hearth_engine_get_servers (self->engine));
  self->routes = g_object_ref (hearth_engine_get_routes (self->engine));
  fetch_models (self);
  /* another default server lists other models */
  g_signal_connect_object (self->servers, "changed", G_CALLBACK (fetch_models), self,
                           G_CONNECT_SWAPPED);
  _hearth_preferences_window_bind_servers (self);
  _hearth_preferences_window_bind_profiles (self);
  _hearth_preferences_window_bind_gateway (self);
  refresh_cache_stats (self);
  _hearth_preferences_window_bind_cache_shared (self);
  add_answers_page (self);
}

static void
hearth_preferences_window_dispose (GObject *object)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (object);

  if (self->prompt_save_id != 0)
    save_system_prompt (self);
  g_cancellable_cancel (self->models_cancellable);
  g_cancellable_cancel (self->servers_cancellable);
  _hearth_preferences_window_dispose_cache_shared (self);
  g_clear_handle_id (&self->servers_refresh_id, g_source_remove);
  g_clear_handle_id (&self->routes_refresh_id, g_source_remove);
  /* The server list outlives the window: a server added after it closed
   * would make a row for a window that is gone. */
  if (self->servers_list != NULL)
    gtk_list_box_bind_model (self->servers_list, NULL, NULL, NULL, NULL);
  g_clear_object (&self->models_cancellable);
  g_clear_object (&self->servers_cancellable);
  g_clear_object (&self->servers);
  g_clear_object (&self->routes);
  _hearth_preferences_window_dispose_profiles (self);
  _hearth_preferences_window_dispose_gateway (self);
  _hearth_preferences_window_dispose_feedback (self);
  g_clear_object (&self->settings);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (hearth_preferences_window_parent_class)->dispose (object);
}

static void
hearth_preferences_window_finalize (GObject *object)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (object);

  g_clear_pointer (&self->model_details, g_hash_table_unref);
  g_clear_pointer (&self->missing_model, g_free);

  G_OBJECT_CLASS (hearth_preferences_window_parent_class)->finalize (object);
}

static void
hearth_preferences_window_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hearth_preferences_window_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      self->engine = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hearth_preferences_window_class_init (HearthPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = hearth_preferences_window_constructed;
  object_class->dispose = hearth_preferences_window_dispose;
  object_class->finalize = hearth_preferences_window_finalize;
  object_class->get_property = hearth_preferences_window_get_property;
  object_class->set_property = hearth_preferences_window_set_property;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL,
                         HEARTH_TYPE_ENGINE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hearthapp/Hearth/"
                                               "hearth-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, model_row);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, model_list);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow,
                                        default_temperature_switch);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, temperature_spin);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow,
                                        system_prompt_view);
  _hearth_preferences_window_class_servers_init (klass);
  _hearth_preferences_window_class_profiles_init (klass);
  _hearth_preferences_window_class_gateway_init (klass);
  _hearth_preferences_window_class_ensembles_init (klass);
  _hearth_preferences_window_class_feedback_init (klass);
  gtk_widget_class_bind_template_callback (widget_class, model_selected_cb);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow,
                                        cache_enabled_switch);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, cache_all_switch);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, cache_all_row);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, cache_shared_row);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow,
                                        cache_shared_status_row);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, cache_size_row);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, cache_ttl_row);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, cache_size_spin);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, cache_ttl_spin);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, samples_minute_spin);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, samples_hour_spin);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, cache_stats_row);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow,
                                        cache_clear_button);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, background_group);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, autostart_row);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow,
                                        run_in_background_switch);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, autostart_switch);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, quiet_start_spin);
  gtk_widget_class_bind_template_child (widget_class, HearthPreferencesWindow, quiet_end_spin);
  gtk_widget_class_bind_template_callback (widget_class, temperature_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, cache_clear_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, hour_spin_output_cb);
  gtk_widget_class_bind_template_callback (widget_class, hour_spin_input_cb);
}

static void
hearth_preferences_window_init (HearthPreferencesWindow *self)
{
  g_autoptr(GtkListItemFactory) row_factory = NULL;
  g_autoptr(GtkListItemFactory) list_factory = NULL;

  /* Until the settings are loaded, no widget change is the person's. */
  self->syncing = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  add_units (self);
  self->model_details = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  row_factory = _hearth_preferences_window_new_item_factory (
    self, G_CALLBACK (model_row_item_bind_cb));
  list_factory = _hearth_preferences_window_new_item_factory (
    self, G_CALLBACK (model_list_item_bind_cb));
  adw_combo_row_set_factory (self->model_row, row_factory);
  adw_combo_row_set_list_factory (self->model_row, list_factory);

  self->syncing = FALSE;
  set_models (self, NULL);
  bind_settings (self);
}

GtkWidget *
hearth_preferences_window_new (GtkWindow    *parent,
                               HearthEngine *engine)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (HEARTH_IS_ENGINE (engine), NULL);

  return g_object_new (HEARTH_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "engine", engine,
                       NULL);
}
