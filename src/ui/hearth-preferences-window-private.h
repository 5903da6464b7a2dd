/* hearth-preferences-window-private.h — shared by the files of HearthPreferencesWindow
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-preferences-window.h"

G_BEGIN_DECLS

struct _HearthPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  HearthEngine         *engine;
  GSettings            *settings;
  GCancellable         *test_cancellable;
  GCancellable         *models_cancellable;
  GHashTable           *model_details;    /* name → "4.7 GB · 8.0B · Q4_K_M" */
  char                 *missing_model;
  guint                 test_model_count;
  guint                 prompt_save_id;
  gboolean              syncing;          /* widgets are being set from GSettings */

  AdwEntryRow          *address_row;
  GtkLabel             *address_error_label;
  AdwPreferencesGroup  *server_group;
  AdwComboRow          *api_row;
  AdwActionRow         *test_row;
  AdwActionRow         *key_row;
  GtkEntry             *key_entry;
  GtkWidget            *key_save_button;
  GtkWidget            *key_remove_button;
  GCancellable         *key_cancellable;
  GtkSpinner           *test_spinner;
  AdwComboRow          *model_row;
  GtkStringList        *model_list;
  GtkSwitch            *default_temperature_switch;
  GtkSpinButton        *temperature_spin;
  GtkTextView          *system_prompt_view;
  GtkSwitch            *cache_enabled_switch;
  GtkSwitch            *cache_all_switch;
  AdwActionRow         *cache_all_row;
  AdwActionRow         *cache_size_row;
  AdwActionRow         *cache_ttl_row;
  GtkSpinButton        *cache_size_spin;
  GtkSpinButton        *cache_ttl_spin;
  GtkSpinButton        *samples_minute_spin;
  GtkSpinButton        *samples_hour_spin;
  AdwActionRow         *cache_stats_row;
  GtkWidget            *cache_clear_button;
  AdwPreferencesGroup  *background_group;
  AdwActionRow         *autostart_row;
  GtkSwitch            *run_in_background_switch;
  GtkSwitch            *autostart_switch;
  GtkSpinButton        *quiet_start_spin;
  GtkSpinButton        *quiet_end_spin;

  /* Run profiles (hearth-preferences-window-profiles.c) */
  HearthTuning         *tuning;
  GPtrArray            *profiles;         /* HearthProfile, as listed */
  GPtrArray            *custom_rows;      /* the rows of the user's own profiles */
  AdwPreferencesGroup  *profile_group;
  AdwComboRow          *profile_row;
  GtkStringList        *profile_list;
  GtkSwitch            *automatic_switch;
  GtkSwitch            *auto_rollback_switch;
  GtkSwitch            *preload_switch;
  AdwPreferencesGroup  *custom_profiles_group;
  GtkWidget            *no_profiles_row;
};

/* hearth-preferences-window.c */
GtkListItemFactory *_hearth_preferences_window_new_item_factory (HearthPreferencesWindow *self,
                                                                 GCallback                bind);
void     _hearth_preferences_window_set_item_lines       (GtkListItem             *item,
                                                          const char              *title,
                                                          const char              *caption);
void     _hearth_preferences_window_show_models          (HearthPreferencesWindow *self,
                                                          GPtrArray               *models);
void     _hearth_preferences_window_list_models_with_key (HearthPreferencesWindow *self,
                                                          HearthProvider          *provider,
                                                          GCancellable            *cancellable,
                                                          GAsyncReadyCallback      next);

/* hearth-preferences-window-server.c */
HearthApiKind _hearth_preferences_window_current_api          (HearthPreferencesWindow      *self);
char         *_hearth_preferences_window_current_endpoint     (HearthPreferencesWindow      *self,
                                                               GError                      **error);
void          _hearth_preferences_window_refresh_key_status   (HearthPreferencesWindow      *self);
void          _hearth_preferences_window_bind_server_settings (HearthPreferencesWindow      *self);
void          _hearth_preferences_window_class_server_init    (HearthPreferencesWindowClass *klass);

/* hearth-preferences-window-profiles.c */
void          _hearth_preferences_window_bind_profiles        (HearthPreferencesWindow      *self);
void          _hearth_preferences_window_dispose_profiles     (HearthPreferencesWindow      *self);
void          _hearth_preferences_window_class_profiles_init  (HearthPreferencesWindowClass *klass);

G_END_DECLS
