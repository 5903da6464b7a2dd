/* hearth-test-ui.h — helpers for tests that drive real widgets under Xvfb
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Pops @button's menu up and waits until it is shown; on the suite's one
 * shared Xvfb a popup can be lost while another program's window maps over
 * this one: asked again, up to three times. Returns the popover. */
GtkPopover *hearth_test_popup_menu                 (GtkMenuButton *button);
gboolean   hearth_test_spin_until             (gboolean   (*done) (gpointer),
                                               gpointer     data,
                                               guint        timeout_ms);
void       hearth_test_spin_for               (guint        milliseconds);
void       hearth_test_wait_clock             (guint        milliseconds);
gboolean   hearth_test_wait_drawn             (GtkWidget   *widget,
                                               guint        timeout_ms);
gboolean   hearth_test_wait_frame             (GtkWidget   *widget,
                                               guint        timeout_ms);
gboolean   hearth_test_only_ref               (gpointer     object);
/* The first widget under @widget (itself included, depth first) that
 * @match accepts. */
typedef gboolean (*HearthTestWidgetMatch) (GtkWidget *widget,
                                           gpointer   data);
GtkWidget *hearth_test_find_widget            (GtkWidget   *widget,
                                               HearthTestWidgetMatch match,
                                               gpointer     data);
/* How many widgets under @widget (itself included) @match accepts */
guint      hearth_test_count_widgets          (GtkWidget   *widget,
                                               HearthTestWidgetMatch match,
                                               gpointer     data);
GtkWidget *hearth_test_find_named             (GtkWidget   *widget,
                                               GType        type,
                                               const char  *name);
GPtrArray *hearth_test_keyval_shortcuts       (GtkWidget   *widget);
GtkWidget *hearth_test_find_descendant        (GtkWidget   *widget,
                                               GType        type);
GtkWidget *hearth_test_find_with_class        (GtkWidget   *widget,
                                               GType        type,
                                               const char  *css_class);
void       hearth_test_collect_visible_labels (GtkWidget   *widget,
                                               GString     *out);
char      *hearth_test_visible_text           (GtkWidget   *widget);
gboolean   hearth_test_wait_for_text          (GtkWidget   *widget,
                                               const char  *needle,
                                               guint        timeout_ms);
gboolean   hearth_test_wait_for_text_gone     (GtkWidget   *widget,
                                               const char  *needle,
                                               guint        timeout_ms);
char      *hearth_test_save_screenshot        (GtkWidget   *widget,
                                               const char  *name);
void       hearth_test_save_wide_and_narrow   (GtkWindow   *window,
                                               const char  *stem,
                                               gboolean     scroll_to_end);

G_END_DECLS
