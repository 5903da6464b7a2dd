/* hearth-models-page-private.h — what the Models page's files share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-model-row.h"
#include "hearth-models-page.h"

G_BEGIN_DECLS

/* A delete the user can still take back: it reaches the server only when its toast goes. */
typedef struct
{
  HearthModelsPage *self;       /* unowned: the page settles every pending delete in dispose */
  HearthProvider   *provider;   /* the server it was asked of, even if the setting changes */
  AdwToast         *toast;
  char             *name;
  gboolean          undone;
} PendingDelete;

struct _HearthModelsPage
{
  GtkWidget               parent_instance;

  HearthEngine           *engine;
  GSettings              *settings;
  HearthProvider         *provider;
  char                   *server_name;   /* chosen on the page; NULL: the default server */
  gboolean                filling_servers;
  HearthProviderFeatures  features;
  GCancellable           *cancellable;
  GCancellable           *loaded_cancellable;
  GCancellable           *pull_cancellable;
  GCancellable           *preload_cancellable;   /* every preload asked from this page */
  GHashTable             *details;
  GPtrArray              *rows;
  GPtrArray              *pending;
  guint                   poll_id;
  guint                   show_index;
  gboolean                listed;
  gboolean                stale;
  gint64                  pull_started_us;
  gint64                  pull_first_bytes;

  AdwToastOverlay        *toast_overlay;
  GtkWidget              *server_bar;
  GtkDropDown            *server_dropdown;
  GtkStack               *stack;
  GtkSpinner             *spinner;
  AdwStatusPage          *error_status;
  AdwPreferencesGroup    *pull_group;
  GtkEntry               *pull_entry;
  GtkWidget              *progress_box;
  GtkProgressBar         *progress_bar;
  GtkLabel               *progress_label;
  GtkWidget              *cancel_button;
  GtkLabel               *pull_error_label;
  GtkLabel               *notice_label;
  AdwPreferencesGroup    *installed_group;
  AdwStatusPage          *empty_status;
};


/* hearth-models-page.c */
void            _hearth_models_page_toast_error    (HearthModelsPage *self,
                                                    const GError     *error);
HearthModelRow *_hearth_models_page_find_row       (HearthModelsPage *self,
                                                    const char       *name);
void            _hearth_models_page_refresh_loaded (HearthModelsPage *self);

/* hearth-models-page-servers.c: the server selector */
void            _hearth_models_page_watch_servers  (HearthModelsPage *self);
HearthProvider *_hearth_models_page_get_provider   (HearthModelsPage *self,
                                                    GError          **error);
HearthServer   *_hearth_models_page_get_server     (HearthModelsPage *self);

/* hearth-models-page-tuning.c: options, tuning, rollback, preloading */
void            _hearth_models_page_class_init_tuning (GtkWidgetClass  *widget_class);
void            _hearth_models_page_watch_tuning   (HearthModelsPage *self);
void            _hearth_models_page_update_tuning  (HearthModelsPage *self);
void            _hearth_models_page_remove_notices (HearthModelsPage *self);

G_END_DECLS
