/* hearth-setup-window-private.h — shared by the files of HearthSetupWindow
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-catalog.h"
#include "hearth-hardware.h"
#include "hearth-servers.h"
#include "hearth-setup-window.h"

G_BEGIN_DECLS

/* One server the assistant looked for; shared with the probes still running. */
typedef struct
{
  HearthSetupWindow *self;
  GCancellable      *cancellable;
  char              *url;
  char              *label;
  HearthApiKind      api;
  AdwActionRow      *row;
  GtkWidget         *check;
  GtkWidget         *spinner;
  char              *version;
  GPtrArray         *models;       /* of HearthModelInfo, NULL until listed */
  gboolean           answered;
  gboolean           managed;      /* one Hearth runs (already in the user's list) */
  gboolean           demo;         /* the demo: placeholder text, nothing to download */
} Server;

struct _HearthSetupWindow
{
  AdwWindow          parent_instance;

  HearthEngine      *engine;
  GSettings         *settings;
  GCancellable      *cancellable;
  GCancellable      *pull_cancellable;
  HearthHardware    *hardware;
  GPtrArray         *catalog;
  GStrv              candidates;
  GPtrArray         *servers;      /* of Server */
  Server            *server;       /* the chosen one */
  char              *model;
  gboolean           model_installed;
  gboolean           pulled;
  gboolean           probing_hardware;
  gint64             pull_started_us;
  gint64             pull_first_bytes;
  GtkCheckButton    *server_group;
  GtkCheckButton    *model_group;
  GCancellable      *run_cancellable;  /* starting a server Hearth runs */
  GtkNativeDialog   *chooser;          /* "Open a GGUF File" */
  char              *implicit_name;    /* the server made from the settings, before the
                                        * list was first written */

  AdwWindowTitle    *window_title;
  GtkStack          *stack;
  GtkSpinner        *hardware_spinner;
  AdwActionRow      *cpu_row;
  AdwActionRow      *memory_row;
  AdwActionRow      *gpu_row;
  AdwActionRow      *score_row;
  GtkLabel          *score_label;
  GtkListBox        *server_list;
  AdwPreferencesGroup *install_group;
  GtkListBox        *run_list;
  GtkLabel          *install_label;
  AdwEntryRow       *custom_entry;
  AdwComboRow       *api_row;
  AdwActionRow      *custom_row;
  AdwPreferencesGroup *recommended_group;
  GtkListBox        *recommended_list;
  GtkListBox        *installed_list;
  GtkLabel          *download_title;
  GtkProgressBar    *progress_bar;
  GtkLabel          *progress_label;
  GtkWidget         *cancel_button;
  GtkWidget         *retry_button;
  GtkWidget         *back_button;
  GtkWidget         *next_button;
  AdwStatusPage     *done_page;
};

/* hearth-setup-window.c */
void          _hearth_setup_window_clear_list        (GtkListBox         *list);
Server       *_hearth_setup_window_add_server        (HearthSetupWindow  *self,
                                                      const char         *url,
                                                      HearthApiKind       api,
                                                      const char         *label);
void          _hearth_setup_window_scan              (HearthSetupWindow  *self);
char         *_hearth_setup_window_server_name_for   (HearthServers      *servers,
                                                      const char         *label);
AdwActionRow *_hearth_setup_window_radio_row_new     (const char         *title,
                                                      const char         *subtitle,
                                                      GtkCheckButton    **group,
                                                      GtkWidget         **check_out);

/* hearth-setup-window-models.c */
gboolean      _hearth_setup_window_is_installed      (Server             *server,
                                                      const char         *name);
gboolean      _hearth_setup_window_show_chosen_model (GtkListBox         *list,
                                                      const char         *name);
void          _hearth_setup_window_fill_models       (HearthSetupWindow  *self);

/* hearth-setup-window-managed.c */
void          _hearth_setup_window_add_managed_servers (HearthSetupWindow *self);
void          _hearth_setup_window_fill_offers       (HearthSetupWindow  *self);
void          _hearth_setup_window_forget_implicit   (HearthSetupWindow  *self);
void          _hearth_setup_window_class_managed_init (HearthSetupWindowClass *klass);

G_END_DECLS
