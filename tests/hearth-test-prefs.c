/* hearth-test-prefs.c — finding and waiting for the rows and dialogs of Preferences
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-prefs"

#include "config.h"

#include <string.h>

#include "hearth-test-prefs.h"
#include "hearth-test-ui.h"

gboolean
is_row_titled (GtkWidget *widget,
               gpointer   title)
{
  return ADW_IS_PREFERENCES_ROW (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

GtkWidget *
find_row (GtkWidget  *widget,
          const char *title)
{
  return hearth_test_find_widget (widget, is_row_titled, (gpointer) title);
}

typedef struct
{
  GtkWidget  *widget;
  const char *title;
  GtkWidget  *row;
} FindWait;

static gboolean
row_found (gpointer data)
{
  FindWait *wait = data;

  wait->row = find_row (wait->widget, wait->title);
  return wait->row != NULL;
}

static gboolean
row_not_found (gpointer data)
{
  return !row_found (data);
}

/* The page rebuilds its rows once a change is done: waited for. */
GtkWidget *
require_row (GtkWidget  *widget,
             const char *title)
{
  FindWait wait = { widget, title, NULL };

  if (!hearth_test_spin_until (row_found, &wait, 5000))
    g_error ("no row titled “%s”", title);
  return wait.row;
}

void
assert_no_row (GtkWidget  *widget,
               const char *title)
{
  FindWait wait = { widget, title, NULL };

  if (!hearth_test_spin_until (row_not_found, &wait, 5000))
    g_error ("a row titled “%s” is still there", title);
}

const char *
subtitle_of (GtkWidget *row)
{
  const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));

  return subtitle != NULL ? subtitle : "";
}

static gboolean
row_says (gpointer data)
{
  RowWait *wait = data;
  GtkWidget *row = find_row (wait->window, wait->title);

  return row != NULL && strstr (subtitle_of (row), wait->needle) != NULL;
}

void
wait_row_says (GtkWidget  *window,
               const char *title,
               const char *needle)
{
  RowWait wait = { window, title, needle };

  if (!hearth_test_spin_until (row_says, &wait, 15000))
    {
      GtkWidget *row = find_row (window, title);

      g_error ("row “%s” never said “%s” (it says “%s”)", title, needle,
               row != NULL ? subtitle_of (row) : "(no row)");
    }
}

/* The first toplevel of @type other than @except. */
GtkWidget *
find_toplevel (GType      type,
               GtkWidget *except)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && l->data != except
        && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

typedef struct
{
  GType      type;
  GtkWidget *found;
} ToplevelWait;

static gboolean
toplevel_shown (gpointer data)
{
  ToplevelWait *wait = data;

  wait->found = find_toplevel (wait->type, NULL);
  return wait->found != NULL && gtk_widget_get_mapped (wait->found);
}

GtkWidget *
wait_toplevel (GType type)
{
  ToplevelWait wait = { type, NULL };

  /* Generous: GTK's file chooser takes over 25 s to map under ASan with
   * whole allocation stacks (test-managed-ui) when the machine is busy;
   * waiting longer costs nothing when it maps at once. */
  g_assert_true (hearth_test_spin_until (toplevel_shown, &wait, 12000));
  hearth_test_wait_drawn (wait.found, 2000);
  return wait.found;
}

static gboolean
toplevel_gone (gpointer data)
{
  return find_toplevel (GPOINTER_TO_SIZE (data), NULL) == NULL;
}

void
wait_toplevel_gone (GType type)
{
  g_assert_true (hearth_test_spin_until (toplevel_gone, GSIZE_TO_POINTER (type), 5000));
}

static gboolean
is_visible_tag (GtkWidget *widget,
                gpointer   text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "server-tag")
         && gtk_widget_get_visible (widget)
         && g_str_equal (gtk_label_get_text (GTK_LABEL (widget)), text);
}

gboolean
row_has_tag_now (GtkWidget  *window,
                 const char *title,
                 const char *tag)
{
  GtkWidget *row = find_row (window, title);

  return row != NULL && hearth_test_find_widget (row, is_visible_tag, (gpointer) tag) != NULL;
}

typedef struct
{
  GtkWidget  *window;
  const char *title;
  const char *tag;
  gboolean    shown;
} TagWait;

static gboolean
tag_is (gpointer data)
{
  TagWait *wait = data;

  return row_has_tag_now (wait->window, wait->title, wait->tag) == wait->shown;
}

/* Whether the row shows the tag, once the page has caught up. */
gboolean
row_has_tag (GtkWidget  *window,
             const char *title,
             const char *tag)
{
  TagWait shown = { window, title, tag, TRUE };

  return hearth_test_spin_until (tag_is, &shown, 3000);
}

void
activate (GtkWidget  *window,
          const char *action,
          const char *name)
{
  g_assert_true (gtk_widget_activate_action (window, action, name != NULL ? "s" : NULL, name));
}

gboolean
label_visible (gpointer data)
{
  return gtk_widget_get_visible (GTK_WIDGET (data))
         && *gtk_label_get_text (GTK_LABEL (data)) != '\0';
}

static gboolean
is_button_labelled (GtkWidget *widget,
                    gpointer   label)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)),
                                              label) == 0;
}

GtkWidget *
require_button (GtkWidget  *widget,
                const char *label)
{
  GtkWidget *button = hearth_test_find_widget (widget, is_button_labelled, (gpointer) label);

  g_assert_nonnull (button);
  return button;
}

static gboolean
is_actionable_for (GtkWidget *widget,
                   gpointer   action)
{
  return GTK_IS_ACTIONABLE (widget)
         && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0;
}

GtkWidget *
find_actionable (GtkWidget  *widget,
                 const char *action)
{
  GtkWidget *found = hearth_test_find_widget (widget, is_actionable_for, (gpointer) action);

  g_assert_nonnull (found);
  return found;
}

/* As a click on the response's button does: the dialog closes. */
void
respond (GtkWidget  *dialog,
         const char *response)
{
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), response));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), response);
  gtk_window_close (GTK_WINDOW (dialog));
}
