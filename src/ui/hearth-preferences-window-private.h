/* hearth-preferences-window-private.h — shared by the files of HearthPreferencesWindow
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-preferences-window.h"
#include "hearth-routes.h"
#include "hearth-servers.h"

G_BEGIN_DECLS

struct _HearthPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  HearthEngine         *engine;
  GSettings            *settings;
  GCancellable         *models_cancellable;
  GHashTable           *model_details;    /* name → "4.7 GB · 8.0B · Q4_K_M" */
  char                 *missing_model;
  guint                 prompt_save_id;
  gboolean              syncing;          /* widgets are being set from GSettings */

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

  /* The Servers page (hearth-preferences-window-servers.c, -fallback.c, -routes.c) */
  HearthServers        *servers;
  HearthRoutes         *routes;
  GCancellable         *servers_cancellable;
  guint                 servers_refresh_id;
  guint                 routes_refresh_id;
  GtkListBox           *servers_list;
  GtkListBox           *fallback_list;
  GtkMenuButton        *fallback_add_button;
  GtkListBox           *substitutes_list;
  GtkListBox           *routes_list;
  GtkWidget            *routes_reset_button;
  AdwActionRow         *fast_row;
  AdwActionRow         *capable_row;

  /* Serving the API (hearth-preferences-window-gateway.c) */
  HearthGateway        *gateway;
  GCancellable         *gateway_cancellable;
  AdwActionRow         *serve_row;
  GtkSwitch            *serve_switch;
  AdwEntryRow          *serve_address_row;
  AdwActionRow         *serve_error_row;
  AdwActionRow         *serve_token_row;
  AdwActionRow         *serve_clients_row;

  /* Answers: ensembles and ratings (hearth-preferences-window-ensembles.c, -feedback.c) */
  GtkListBox           *ensembles_list;
  GCancellable         *feedback_cancellable;
  AdwPreferencesGroup  *ratings_group;
  AdwActionRow         *ratings_summary_row;
  GPtrArray            *rating_rows;      /* the rows of the models' records */
  GtkSwitch            *use_ratings_switch;

  /* The shared cache tier (hearth-preferences-window-cache-shared.c) */
  AdwEntryRow          *cache_shared_row;
  AdwActionRow         *cache_shared_status_row;
  GCancellable         *shared_cancellable;
  guint                 shared_refresh_id;
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

/* hearth-preferences-window-servers.c */
void          _hearth_preferences_window_bind_servers         (HearthPreferencesWindow      *self);
void          _hearth_preferences_window_class_servers_init   (HearthPreferencesWindowClass *klass);
void          _hearth_preferences_window_show_error           (HearthPreferencesWindow      *self,
                                                               const char                   *heading,
                                                               const GError                 *error);
GtkWidget    *_hearth_preferences_window_icon_button          (const char                   *icon_name,
                                                               const char                   *tooltip,
                                                               const char                   *action_name,
                                                               GVariant                     *target);
void          _hearth_preferences_window_set_button_enabled   (GtkWidget                    *button,
                                                               gboolean                      enabled);
GtkWidget    *_hearth_preferences_window_empty_row            (const char                   *text);

/* hearth-preferences-window-managed.c */
gboolean      _hearth_preferences_window_managed_busy         (HearthServer                 *server);
char         *_hearth_preferences_window_describe_managed     (HearthServer                 *server,
                                                               const char                   *address);
GMenuModel   *_hearth_preferences_window_managed_menu         (void);
void          _hearth_preferences_window_bind_managed_row     (HearthPreferencesWindow      *self,
                                                               GtkWidget                    *row,
                                                               HearthServer                 *server);

/* hearth-preferences-window-fallback.c */
void          _hearth_preferences_window_bind_fallback        (HearthPreferencesWindow      *self);
void          _hearth_preferences_window_refresh_fallback     (HearthPreferencesWindow      *self);
void          _hearth_preferences_window_class_fallback_init  (HearthPreferencesWindowClass *klass);

/* hearth-preferences-window-routes.c */
void          _hearth_preferences_window_bind_routes          (HearthPreferencesWindow      *self);
void          _hearth_preferences_window_class_routes_init    (HearthPreferencesWindowClass *klass);

/* hearth-preferences-window-gateway.c */
void          _hearth_preferences_window_bind_gateway         (HearthPreferencesWindow      *self);
void          _hearth_preferences_window_dispose_gateway      (HearthPreferencesWindow      *self);
void          _hearth_preferences_window_class_gateway_init   (HearthPreferencesWindowClass *klass);

/* hearth-preferences-window-profiles.c */
void          _hearth_preferences_window_bind_profiles        (HearthPreferencesWindow      *self);
void          _hearth_preferences_window_dispose_profiles     (HearthPreferencesWindow      *self);
void          _hearth_preferences_window_class_profiles_init  (HearthPreferencesWindowClass *klass);

/* hearth-preferences-window-cache-shared.c */
void          _hearth_preferences_window_bind_cache_shared    (HearthPreferencesWindow      *self);
void          _hearth_preferences_window_dispose_cache_shared (HearthPreferencesWindow      *self);

/* hearth-preferences-window-ensembles.c */
void          _hearth_preferences_window_bind_ensembles       (HearthPreferencesWindow      *self,
                                                               AdwPreferencesPage           *page);
void          _hearth_preferences_window_class_ensembles_init (HearthPreferencesWindowClass *klass);

/* hearth-preferences-window-feedback.c */
void          _hearth_preferences_window_bind_feedback        (HearthPreferencesWindow      *self,
                                                               AdwPreferencesPage           *page);
void          _hearth_preferences_window_refresh_feedback     (HearthPreferencesWindow      *self);
void          _hearth_preferences_window_dispose_feedback     (HearthPreferencesWindow      *self);
void          _hearth_preferences_window_class_feedback_init  (HearthPreferencesWindowClass *klass);

G_END_DECLS
