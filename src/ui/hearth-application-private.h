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

  /* Serving the API (hearth-application-gateway.c): the token being fetched */
  GCancellable   *gateway_cancellable;

  /* The automatic choice of run options (hearth-application-tuning.c) */
  char           *automatic_notice;   /* the banner's text, NULL none */
  GHashTable     *model_last_used;    /* model → monotonic µs of its last reply here */
  GPtrArray      *unloaded;           /* char *: idle models unloaded under this pressure */
  GCancellable   *unload_cancellable;
  guint           unload_timeout_id;
  gint64          started_us;

  /* What runs beside the window (hearth_application_start_services ()) */
  gboolean        services_started;
  guint           services_timeout_id;
};

/* hearth-application.c */
HearthWindow *_hearth_application_present_window     (HearthApplication *self);

/* hearth-application-alerts.c */
void          _hearth_application_setup_alerts       (HearthApplication *self);

/* hearth-application-background.c */
void          _hearth_application_setup_background   (HearthApplication *self);
void          _hearth_application_stop_background    (HearthApplication *self);

/* hearth-application-gateway.c */
void          _hearth_application_setup_gateway      (HearthApplication *self);
void          _hearth_application_stop_gateway       (HearthApplication *self);

/* hearth-application-tuning.c */
void          _hearth_application_setup_tuning       (HearthApplication *self);
void          _hearth_application_stop_tuning        (HearthApplication *self);

G_END_DECLS
