/* hearth-test-prefs.h — finding and waiting for the rows and dialogs of Preferences
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The page rebuilds its rows once a change is done: the require/wait
 * helpers wait (a few seconds at most) for what they look for.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef struct
{
  GtkWidget  *window;
  const char *title;
  const char *needle;
} RowWait;

gboolean     is_row_titled       (GtkWidget   *widget,
                                  gpointer     title);
GtkWidget   *find_row            (GtkWidget   *widget,
                                  const char  *title);
GtkWidget   *require_row         (GtkWidget   *widget,
                                  const char  *title);
void         assert_no_row       (GtkWidget   *widget,
                                  const char  *title);
const char  *subtitle_of         (GtkWidget   *row);
void         wait_row_says       (GtkWidget   *window,
                                  const char  *title,
                                  const char  *needle);
GtkWidget   *find_toplevel       (GType        type,
                                  GtkWidget   *except);
GtkWidget   *wait_toplevel       (GType        type);
void         wait_toplevel_gone  (GType        type);
gboolean     row_has_tag_now     (GtkWidget   *window,
                                  const char  *title,
                                  const char  *tag);
gboolean     row_has_tag         (GtkWidget   *window,
                                  const char  *title,
                                  const char  *tag);
void         activate            (GtkWidget   *window,
                                  const char  *action,
                                  const char  *name);
gboolean     label_visible       (gpointer     label);
GtkWidget   *require_button      (GtkWidget   *widget,
                                  const char  *label);
GtkWidget   *find_actionable     (GtkWidget   *widget,
                                  const char  *action);
/* As a click on the response's button does: the dialog closes. */
void         respond             (GtkWidget   *dialog,
                                  const char  *response);

G_END_DECLS
