/* test-ui.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-ui"

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "hearth-alerts-page.h"
#include "hearth-application.h"
#include "hearth-chat-page.h"
#include "hearth-hardware-page.h"
#include "hearth-models-page.h"
#include "hearth-performance-page.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"
#include "hearth-window.h"

#define RESOURCE_BASE "/io/github/hearthapp/Hearth"

static HearthApplication *app;

/* The screenshot, and a check that the PNG is as wide as the widget. */
static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  g_autofree char *path = hearth_test_save_screenshot (widget, name);
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  texture = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, gtk_widget_get_width (widget));
}

static HearthWindow *
open_window (void)
{
  GtkWindow *window;

  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (HEARTH_IS_WINDOW (window));
  return HEARTH_WINDOW (window);
}

static gboolean
window_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

typedef struct
{
  GtkWidget *widget;
  int        width;
} SizeWait;

/* The surface, not the window widget: the widget leaves out the client-side
 * decorations, and the default size is that of the surface. */
static gboolean
surface_has_width (gpointer data)
{
  SizeWait *wait = data;
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (wait->widget));

  return surface != NULL && gdk_surface_get_width (surface) == wait->width;
}

static gboolean
unmapped (gpointer widget)
{
  return !gtk_widget_get_mapped (widget);
}

static gboolean
has_hardware_page (gpointer window)
{
  return hearth_test_find_descendant (window, HEARTH_TYPE_HARDWARE_PAGE) != NULL;
}

static void
close_and_finalize (HearthWindow *window)
{
  g_object_ref (window);
  gtk_window_close (GTK_WINDOW (window));
  hearth_test_spin_until (hearth_test_only_ref, window, 2000);
  g_assert_finalize_object (window);
}

static void
build_ui_resources (const char *dir,
                    guint      *n_built)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) children = g_resources_enumerate_children (dir, 0, &error);

  g_assert_no_error (error);

  for (guint i = 0; children[i] != NULL; i++)
    {
      g_autofree char *path = g_strconcat (dir, children[i], NULL);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GtkBuilder) builder = NULL;
      g_autoptr(GSList) objects = NULL;

      if (g_str_has_suffix (path, "/"))
        {
          build_ui_resources (path, n_built);
          continue;
        }
      if (!g_str_has_suffix (path, ".ui"))
        continue;

      /* Templates are built through their types, in the window tests. */
      bytes = g_resources_lookup_data (path, 0, &error);
      g_assert_no_error (error);
      if (g_strstr_len (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                        "<template") != NULL)
        continue;

      builder = gtk_builder_new ();
      gtk_builder_add_from_resource (builder, path, &error);
      g_assert_no_error (error);

      objects = gtk_builder_get_objects (builder);
      for (const GSList *l = objects; l != NULL; l = l->next)
        if (GTK_IS_WINDOW (l->data))
          gtk_window_destroy (GTK_WINDOW (l->data));
      (*n_built)++;
    }
}

static void
test_ui_resources (void)
{
  guint n_built = 0;

  build_ui_resources (RESOURCE_BASE "/", &n_built);
  g_assert_cmpuint (n_built, >=, 1);
}

static void
test_ui_help_overlay (void)
{
  g_autoptr(GtkBuilder) builder = NULL;
  GObject *overlay;

  builder = gtk_builder_new_from_resource (RESOURCE_BASE "/hearth-shortcuts.ui");
  overlay = gtk_builder_get_object (builder, "help_overlay");
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));
  gtk_window_destroy (GTK_WINDOW (overlay));
}

static void
test_ui_window_pages (void)
{
  static const struct {
    const char *name;
    const char *title;
  } expected[] = {
    { "chat", "Chat" },
    { "hardware", "Hardware" },
    { "performance", "Performance" },
    { "models", "Models" },
    { "alerts", "Alerts" },
  };
  HearthWindow *window = open_window ();
  AdwViewStack *stack;
  g_autoptr(GtkSelectionModel) pages = NULL;

  stack = ADW_VIEW_STACK (hearth_test_find_descendant (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK));
  g_assert_nonnull (stack);
  g_assert_nonnull (hearth_test_find_descendant (GTK_WIDGET (window),
                                                ADW_TYPE_VIEW_SWITCHER_TITLE));
  g_assert_nonnull (hearth_test_find_descendant (GTK_WIDGET (window), ADW_TYPE_VIEW_SWITCHER_BAR));

  pages = adw_view_stack_get_pages (stack);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (pages)), ==, G_N_ELEMENTS (expected));

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(AdwViewStackPage) page = g_list_model_get_item (G_LIST_MODEL (pages), i);
      /* Pages other than Chat are built on their first visit. */
      GtkWidget *child = hearth_window_get_page (window, expected[i].name);

      g_assert_cmpstr (adw_view_stack_page_get_name (page), ==, expected[i].name);
      g_assert_cmpstr (adw_view_stack_page_get_title (page), ==, expected[i].title);
      g_assert_nonnull (adw_view_stack_page_get_icon_name (page));
      if (i == 0)
        {
          g_assert_true (HEARTH_IS_CHAT_PAGE (child));
          continue;
        }
      if (i == 1)
        {
          g_assert_true (HEARTH_IS_HARDWARE_PAGE (child));
          continue;
        }
      if (i == 2)
        {
          g_assert_true (HEARTH_IS_PERFORMANCE_PAGE (child));
          continue;
        }
      if (i == 3)
        {
          g_assert_true (HEARTH_IS_MODELS_PAGE (child));
          continue;
        }
      g_assert_true (HEARTH_IS_ALERTS_PAGE (child));
    }

  close_and_finalize (window);
}

typedef struct
{
  GType      type;
  GtkWindow *found;
} ToplevelWait;

static gboolean
toplevel_is_mapped (gpointer data)
{
  ToplevelWait *wait = data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (toplevel, wait->type) && gtk_widget_get_mapped (toplevel))
        {
          wait->found = GTK_WINDOW (toplevel);
          return TRUE;
        }
    }

  return FALSE;
}

static void
test_ui_about (void)
{
  HearthWindow *window = open_window ();
  ToplevelWait wait = { ADW_TYPE_ABOUT_WINDOW, NULL };
  AdwAboutWindow *about;

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "about"));
  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  g_assert_true (hearth_test_spin_until (toplevel_is_mapped, &wait, 5000));
  about = ADW_ABOUT_WINDOW (wait.found);

  g_assert_cmpstr (adw_about_window_get_application_name (about), ==, "Hearth");
  g_assert_cmpstr (adw_about_window_get_version (about), ==, PACKAGE_VERSION);
  g_assert_cmpstr (adw_about_window_get_application_icon (about), ==, APP_ID);
  g_assert_cmpint (adw_about_window_get_license_type (about), ==, GTK_LICENSE_GPL_3_0);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (about)) == GTK_WINDOW (window));
  hearth_test_wait_drawn (GTK_WIDGET (about), 2000);
  save_screenshot (GTK_WIDGET (about), "hearth-about.png");

  g_object_ref (about);
  gtk_window_destroy (GTK_WINDOW (about));
  hearth_test_spin_until (hearth_test_only_ref, about, 2000);
  g_assert_finalize_object (about);

  close_and_finalize (window);
}

static void
test_ui_help_overlay_action (void)
{
  HearthWindow *window = open_window ();
  ToplevelWait wait = { GTK_TYPE_SHORTCUTS_WINDOW, NULL };

  /* The window builds the shortcuts window when it is first asked for. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
  g_assert_true (hearth_test_spin_until (toplevel_is_mapped, &wait, 5000));
  hearth_test_wait_drawn (GTK_WIDGET (wait.found), 2000);
  save_screenshot (GTK_WIDGET (wait.found), "hearth-shortcuts.png");

  gtk_widget_hide (GTK_WIDGET (wait.found));
  close_and_finalize (window);
}

static void
test_ui_actions (void)
{
  static const char *expected[] = { "new-chat", "about", "quit", "preferences",
                                    "show-conversation" };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), expected[i]));
}

static void
test_ui_new_chat (void)
{
  GtkWindow *window;

  g_assert_null (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_action_group_activate_action (G_ACTION_GROUP (app), "new-chat", NULL);
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (HEARTH_IS_WINDOW (window));

  /* A second new chat reuses the one window. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "new-chat", NULL);
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 1);

  close_and_finalize (HEARTH_WINDOW (window));
}

static void
resize_and_wait (GtkWindow *window,
                 int        width,
                 int        height)
{
  SizeWait wait = { GTK_WIDGET (window), width };

  gtk_window_set_default_size (window, width, height);
  g_assert_true (hearth_test_spin_until (surface_has_width, &wait, 5000));
}

static gboolean
page_probed (gpointer page)
{
  return hearth_hardware_page_is_probed (HEARTH_HARDWARE_PAGE (page));
}

static gboolean
is_button_with_icon (GtkWidget *widget,
                     gpointer   icon)
{
  return (GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget)) &&
         g_strcmp0 (GTK_IS_BUTTON (widget) ? gtk_button_get_icon_name (GTK_BUTTON (widget))
                                           : gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (widget)),
                    icon) == 0;
}

static gboolean
is_button_labelled (GtkWidget *widget,
                    gpointer   label)
{
  return GTK_IS_BUTTON (widget) &&
         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

/* The Hardware page's Refresh, Copy and Export live in the header bar
 * while the page shows, as GNOME apps do, not in the page body. */
static void
test_ui_hardware_header (void)
{
  HearthWindow *window = open_window ();
  GtkWidget *bar = hearth_test_find_descendant (GTK_WIDGET (window), ADW_TYPE_HEADER_BAR);
  AdwViewStack *stack = ADW_VIEW_STACK (hearth_test_find_descendant (GTK_WIDGET (window),
                                                                     ADW_TYPE_VIEW_STACK));
  GtkWidget *refresh = hearth_test_find_widget (bar, is_button_with_icon, (gpointer) "view-refresh-symbolic");
  GtkWidget *menu = hearth_test_find_widget (bar, is_button_with_icon, (gpointer) "document-save-symbolic");
  GtkWidget *page = hearth_window_get_page (window, "hardware");

  g_assert_true (hearth_test_spin_until (window_is_mapped, window, 5000));
  g_assert_nonnull (refresh);
  g_assert_nonnull (menu);
  adw_view_stack_set_visible_child_name (stack, "chat");
  hearth_test_spin_until (unmapped, refresh, 2000);
  hearth_test_spin_until (unmapped, menu, 2000);
  g_assert_false (gtk_widget_get_mapped (refresh));
  g_assert_false (gtk_widget_get_mapped (menu));
  adw_view_stack_set_visible_child_name (stack, "hardware");
  hearth_test_spin_until ((gboolean (*) (gpointer)) gtk_widget_get_mapped, refresh, 2000);
  hearth_test_spin_until ((gboolean (*) (gpointer)) gtk_widget_get_mapped, menu, 2000);
  g_assert_true (gtk_widget_get_mapped (refresh));
  g_assert_true (gtk_widget_get_mapped (menu));
  g_assert_null (hearth_test_find_widget (page, is_button_labelled, (gpointer) "_Refresh"));
  g_assert_null (hearth_test_find_widget (page, is_button_labelled, (gpointer) "_Export…"));
  /* they follow the page: usable once it has looked at the machine */
  g_assert_true (hearth_test_spin_until (page_probed, page, 30000));
  g_assert_true (gtk_widget_is_sensitive (refresh));
  g_assert_true (gtk_widget_is_sensitive (menu));
  hearth_test_save_wide_and_narrow (GTK_WINDOW (window), "window-hardware", FALSE);
  g_assert_true (gtk_widget_activate_action (refresh, "hardware.refresh", NULL));
  g_assert_false (hearth_hardware_page_is_probed (HEARTH_HARDWARE_PAGE (page)));
  g_assert_false (gtk_widget_is_sensitive (refresh));
  g_assert_true (hearth_test_spin_until (page_probed, page, 30000));
  close_and_finalize (window);
}

static void
test_ui_window_size (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  HearthWindow *window = open_window ();
  int width;
  int height;

  g_assert_true (hearth_test_spin_until (window_is_mapped, window, 5000));
  resize_and_wait (GTK_WINDOW (window), 720, 540);
  close_and_finalize (window);

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 720);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 540);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));

  window = open_window ();
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 720);
  g_assert_cmpint (height, ==, 540);

  close_and_finalize (window);
  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
}

static gboolean
switcher_bar_revealed (gpointer data)
{
  AdwViewSwitcherBar *bar = data;
  GtkWidget *revealer = hearth_test_find_descendant (GTK_WIDGET (bar), GTK_TYPE_REVEALER);

  return adw_view_switcher_bar_get_reveal (bar)
         && gtk_revealer_get_child_revealed (GTK_REVEALER (revealer));
}

static void
test_ui_screenshot (void)
{
  static const char *pages[] = { "hardware", "performance", "chat" };
  HearthWindow *window = open_window ();
  AdwViewStack *stack;
  AdwViewSwitcherBar *bar;

  g_assert_true (hearth_test_spin_until (window_is_mapped, window, 5000));
  resize_and_wait (GTK_WINDOW (window), 1000, 700);
  stack = ADW_VIEW_STACK (hearth_test_find_descendant (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK));

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autofree char *name = g_strdup_printf ("hearth-window-%s.png", pages[i]);

      adw_view_stack_set_visible_child_name (stack, pages[i]);
      hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
      save_screenshot (GTK_WIDGET (window), name);
    }

  bar = ADW_VIEW_SWITCHER_BAR (hearth_test_find_descendant (GTK_WIDGET (window),
                                                ADW_TYPE_VIEW_SWITCHER_BAR));
  g_assert_false (adw_view_switcher_bar_get_reveal (bar));

  /* Narrow: the switcher leaves the header bar for the bottom bar. */
  resize_and_wait (GTK_WINDOW (window), 400, 700);
  g_assert_true (hearth_test_spin_until (switcher_bar_revealed, bar, 5000));
  /* Let the header bar finish its crossfade from switcher to title. */
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  save_screenshot (GTK_WIDGET (window), "hearth-window-narrow.png");

  close_and_finalize (window);
}

static void
count_frame (GdkFrameClock *clock,
             guint         *frames)
{
  (*frames)++;
}

/* Idle on the Chat page after start-up, nothing moves, so the window draws
 * no frame: no animation runs on a page nobody sees (the Hardware page's
 * spinner ran hidden until its first visit, waking Hearth 58 times a second). */
static void
test_ui_window_idle (void)
{
  GtkSettings *settings = gtk_settings_get_default ();
  HearthWindow *window;
  AdwViewStack *stack;
  GdkFrameClock *clock;
  guint frames = 0;
  gulong handler;

  /* The composer's cursor blinks, as in every GTK entry, and stops by itself
   * after ten seconds without input (gtk-cursor-blink-timeout): not counted. */
  g_object_set (settings, "gtk-cursor-blink", FALSE, NULL);
  window = open_window ();

  g_assert_true (hearth_test_spin_until (window_is_mapped, window, 5000));
  stack = ADW_VIEW_STACK (hearth_test_find_descendant (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "chat");
  /* Start-up settles (the history and the server's models arrive, and are
   * drawn), then two seconds go by without a single frame: an animation
   * running unseen never lets that happen. */
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (count_frame), &frames);
  for (guint attempt = 0; attempt < 5; attempt++)
    {
      frames = 0;
      hearth_test_spin_for (2000);
      if (frames == 0)
        break;
    }
  g_signal_handler_disconnect (clock, handler);
  g_assert_cmpuint (frames, ==, 0);

  /* The page that was skipped still works on its first visit. */
  adw_view_stack_set_visible_child_name (stack, "hardware");
  hearth_test_spin_until (has_hardware_page, window, 2000);
  g_assert_nonnull (hearth_test_find_descendant (GTK_WIDGET (window), HEARTH_TYPE_HARDWARE_PAGE));

  close_and_finalize (window);
  gtk_settings_reset_property (settings, "gtk-cursor-blink");
}

static void
test_ui_no_display (void)
{
  g_test_skip ("needs a display: run under xvfb-run");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  hearth_test_init (&argc, &argv);

  if (!gtk_init_check ())
    {
      g_test_add_func ("/ui/no-display", test_ui_no_display);
      return g_test_run ();
    }

  adw_init ();

  app = hearth_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/ui/resources", test_ui_resources);
  g_test_add_func ("/ui/help-overlay", test_ui_help_overlay);
  g_test_add_func ("/ui/help-overlay-action", test_ui_help_overlay_action);
  g_test_add_func ("/ui/actions", test_ui_actions);
  g_test_add_func ("/ui/new-chat", test_ui_new_chat);
  g_test_add_func ("/ui/window/pages", test_ui_window_pages);
  g_test_add_func ("/ui/window/idle", test_ui_window_idle);
  g_test_add_func ("/ui/window/size", test_ui_window_size);
  g_test_add_func ("/ui/window/hardware-header", test_ui_hardware_header);
  g_test_add_func ("/ui/window/screenshot", test_ui_screenshot);
  g_test_add_func ("/ui/about", test_ui_about);

  status = g_test_run ();

  g_clear_object (&app);
  return status;
}
