/* hearth-preferences-window.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hearth-engine.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_PREFERENCES_WINDOW (hearth_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (HearthPreferencesWindow, hearth_preferences_window, HEARTH,
                      PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget  *hearth_preferences_window_new  (GtkWindow     *parent,
                                            HearthEngine  *engine);
void        hearth_preferences_window_export_feedback_async  (HearthPreferencesWindow  *self,
                                                              HearthFeedbackFormat      format,
                                                              GFile                    *file,
                                                              GCancellable             *cancellable,
                                                              GAsyncReadyCallback       callback,
                                                              gpointer                  user_data);
int         hearth_preferences_window_export_feedback_finish (HearthPreferencesWindow  *self,
                                                              GAsyncResult             *result,
                                                              GError                  **error);

G_END_DECLS
