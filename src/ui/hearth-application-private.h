/* hearth-application-private.h — shared by the files of HearthApplication
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-application.h"
#include "hearth-window.h"

G_BEGIN_DECLS

struct _HearthApplication
{
  AdwApplication  parent_instance;

  HearthEngine   *engine;
  GSettings      *settings;

  /* Alerts told as desktop notifications: notification id → rule id, for
   * the firing ones still on screen (withdrawn when acknowledged). */
  GHashTable     *alert_notifications;

  /* Background running */
  gboolean        background_held;   /* our g_application_hold () is taken */
  gboolean        quitting;          /* app.quit: closing windows is not "to the background" */
  GCancellable   *background_cancellable;
};

/* hearth-application.c */
HearthWindow *_hearth_application_present_window     (HearthApplication *self);

/* hearth-application-alerts.c */
void          _hearth_application_setup_alerts       (HearthApplication *self);

/* hearth-application-background.c */
void          _hearth_application_setup_background   (HearthApplication *self);
void          _hearth_application_stop_background    (HearthApplication *self);

G_END_DECLS
