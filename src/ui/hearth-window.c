/* hearth-window.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-window"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <time.h>

#include "hearth-a11y.h"
#include "hearth-alerts-page.h"
#include "hearth-chat-page.h"
#include "hearth-hardware-page.h"
#include "hearth-models-page.h"
#include "hearth-performance-page.h"
#include "hearth-setup-window.h"
#include "hearth-window.h"

struct _HearthWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;

  AdwViewStack         *view_stack;
  GtkWidget            *switcher_title;
  GtkWidget            *switcher_bar;
  HearthChatPage       *chat_page;
  GtkWidget            *hardware_menu_button;
  GtkWidget            *hardware_refresh_button;
  /* The other pages are built on their first visit: start-up draws Chat only. */
  AdwBin               *hardware_bin;
  AdwBin               *performance_bin;
  AdwBin               *models_bin;
  AdwBin               *alerts_bin;
  AdwViewStackPage     *alerts_stack_page;
  HearthAlerts         *alerts;
  GtkRevealer          *automatic_revealer;
  GtkLabel             *automatic_label;
  GtkWindow            *help_overlay;   /* built on first use */
};

G_DEFINE_FINAL_TYPE (HearthWindow, hearth_window, ADW_TYPE_APPLICATION_WINDOW)

gint64 hearth_main_started_us;

static void
hearth_window_save_state (HearthWindow *self)
{
  int width;
  int height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);

  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_apply (self->settings);
}

static void
hearth_window_restore_state (HearthWindow *self)
{
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));

  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static gboolean
hearth_window_close_request (GtkWindow *window)
{
  hearth_window_save_state (HEARTH_WINDOW (window));

  return GTK_WINDOW_CLASS (hearth_window_parent_class)->close_request (window);
}

static void
hearth_window_dispose (GObject *object)
{
  HearthWindow *self = HEARTH_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->alerts);
  /* The help overlay is the GtkApplicationWindow's to destroy. */
  self->help_overlay = NULL;

  G_OBJECT_CLASS (hearth_window_parent_class)->dispose (object);
}

/* The window as the user sees it, written to a PNG: how tests, benchmarks
 * and bug reports look at Hearth without a compositor. */
gboolean
hearth_window_save_png (HearthWindow  *self,
                        const char    *path,
                        GError       **error)
{
  GtkWidget *widget = GTK_WIDGET (self);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GdkTexture) texture = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL || !gsk_renderer_realize (renderer, gtk_native_get_surface (GTK_NATIVE (self)),
                                             error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The window has nothing to show yet"));
      return FALSE;
    }
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_renderer_unrealize (renderer);
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write %s"), path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
screenshot_and_quit (gpointer user_data)
{
  HearthWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  const char *path = g_getenv ("HEARTH_SCREENSHOT");

  if (!hearth_window_save_png (self, path, &error))
    g_printerr ("hearth: %s\n", error->message);
  g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))));
  return G_SOURCE_REMOVE;
}

/* For the start-up benchmark: report the first painted frame and stop
 * (HEARTH_EXIT_AFTER_FIRST_FRAME=0: report it and go on, to measure idling). */
static void
on_first_paint (GdkFrameClock *clock,
                HearthWindow  *self)
{
  g_autofree char *status = NULL;
  g_autofree char *rss = NULL;
  const char *line;
  struct timespec cpu = { 0, 0 };

  g_signal_handlers_disconnect_by_func (clock, on_first_paint, self);
  g_file_get_contents ("/proc/self/status", &status, NULL, NULL);
  line = status ? strstr (status, "VmRSS:") : NULL;
  rss = line ? g_strstrip (g_strndup (line + 6, strcspn (line + 6, "\n"))) : g_strdup ("?");
  /* The main thread's own work, which the other processes of a busy
   * machine do not stretch as they stretch the wall-clock time. */
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &cpu);
  g_print ("first-frame: %" G_GINT64_FORMAT " us after main, RSS %s, main thread CPU %"
           G_GINT64_FORMAT " us\n",
           g_get_monotonic_time () - hearth_main_started_us, rss,
           (gint64) cpu.tv_sec * G_USEC_PER_SEC + cpu.tv_nsec / 1000);
  fflush (stdout);
  if (g_str_equal (g_getenv ("HEARTH_EXIT_AFTER_FIRST_FRAME"), "0"))
    return;
  g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))));
}

/* Once the window is on screen, what runs beside it may start. */
static void
start_services_after_paint (GdkFrameClock *clock,
                            HearthWindow  *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  g_signal_handlers_disconnect_by_func (clock, start_services_after_paint, self);
  if (application != NULL)
    hearth_application_start_services (HEARTH_APPLICATION (application));
}

static void
hearth_window_realize (GtkWidget *widget)
{
  HearthWindow *self = HEARTH_WINDOW (widget);

  GTK_WIDGET_CLASS (hearth_window_parent_class)->realize (widget);

  g_signal_connect_object (gtk_widget_get_frame_clock (widget), "after-paint",
                           G_CALLBACK (start_services_after_paint), self, 0);

  if (g_getenv ("HEARTH_EXIT_AFTER_FIRST_FRAME") != NULL)
    g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint",
                      G_CALLBACK (on_first_paint), self);
  /* HEARTH_VIEW=chat|hardware|performance|models|alerts opens on that page (screenshots, demos) */
  if (g_getenv ("HEARTH_VIEW") != NULL
      && adw_view_stack_get_child_by_name (self->view_stack, g_getenv ("HEARTH_VIEW")) != NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, g_getenv ("HEARTH_VIEW"));
  if (g_getenv ("HEARTH_SCREENSHOT") != NULL)
    g_timeout_add (g_ascii_strtoull (g_getenv ("HEARTH_SCREENSHOT_DELAY_MS") ?: "1500", NULL, 10),
                   screenshot_and_quit, self);
}

static void
ensure_page (HearthWindow *self,
             const char   *name)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));
  HearthEngine *engine;
  GtkWidget *page = NULL;
  AdwBin *bin = NULL;

  if (application == NULL || name == NULL)
    return;
  engine = hearth_application_get_engine (HEARTH_APPLICATION (application));
  if (g_str_equal (name, "hardware") && adw_bin_get_child (self->hardware_bin) == NULL)
    {
      bin = self->hardware_bin;
      page = g_object_new (HEARTH_TYPE_HARDWARE_PAGE, NULL);
      hearth_hardware_page_set_engine (HEARTH_HARDWARE_PAGE (page), engine);
      g_object_bind_property (page, "probed", self->hardware_menu_button, "sensitive",
                              G_BINDING_SYNC_CREATE);
      g_object_bind_property (page, "probed", self->hardware_refresh_button, "sensitive",
                              G_BINDING_SYNC_CREATE);
    }
  else if (g_str_equal (name, "performance") && adw_bin_get_child (self->performance_bin) == NULL)
    {
      HearthApplication *app = HEARTH_APPLICATION (application);

      bin = self->performance_bin;
      page = g_object_new (HEARTH_TYPE_PERFORMANCE_PAGE, NULL);
      hearth_performance_page_set_engine (HEARTH_PERFORMANCE_PAGE (page), engine);
      if (hearth_application_get_sampler (app) != NULL)
        hearth_performance_page_set_sampler (HEARTH_PERFORMANCE_PAGE (page),
                                             hearth_application_get_sampler (app),
                                             hearth_application_get_resource_history (app));
    }
  else if (g_str_equal (name, "models") && adw_bin_get_child (self->models_bin) == NULL)
    {
      bin = self->models_bin;
      page = g_object_new (HEARTH_TYPE_MODELS_PAGE, NULL);
      hearth_models_page_set_engine (HEARTH_MODELS_PAGE (page), engine);
    }
  else if (g_str_equal (name, "alerts") && adw_bin_get_child (self->alerts_bin) == NULL)
    {
      bin = self->alerts_bin;
      page = g_object_new (HEARTH_TYPE_ALERTS_PAGE, NULL);
      hearth_alerts_page_set_engine (HEARTH_ALERTS_PAGE (page), engine);
    }
  if (bin != NULL)
    adw_bin_set_child (bin, page);
}

static void
on_visible_child_changed (HearthWindow *self)
{
  ensure_page (self, adw_view_stack_get_visible_child_name (self->view_stack));
}

/**
 * hearth_window_get_page:
 * @name: "chat", "hardware", "performance", "models" or "alerts"
 *
 * Returns: (transfer none) (nullable): the page, built now if it was not yet
 */
GtkWidget *
hearth_window_get_page (HearthWindow *self,
                        const char   *name)
{
  g_return_val_if_fail (HEARTH_IS_WINDOW (self), NULL);

  ensure_page (self, name);
  if (g_strcmp0 (name, "chat") == 0)
    return GTK_WIDGET (self->chat_page);
  if (g_strcmp0 (name, "hardware") == 0)
    return adw_bin_get_child (self->hardware_bin);
  if (g_strcmp0 (name, "performance") == 0)
    return adw_bin_get_child (self->performance_bin);
  if (g_strcmp0 (name, "models") == 0)
    return adw_bin_get_child (self->models_bin);
  if (g_strcmp0 (name, "alerts") == 0)
    return adw_bin_get_child (self->alerts_bin);
  return NULL;
}

/* The Alerts page's badge: how many alerts fire, and a dot while one is not
 * acknowledged. Kept from the start: the page itself is built on its first visit. */
static void
update_alerts_badge (HearthWindow *self)
{
  adw_view_stack_page_set_badge_number (self->alerts_stack_page,
                                        hearth_alerts_get_n_firing (self->alerts));
  adw_view_stack_page_set_needs_attention (self->alerts_stack_page,
                                           hearth_alerts_get_worst_severity (self->alerts) >= 0);
}

static void
hearth_window_setup (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (widget));
  HearthEngine *engine = hearth_application_get_engine (HEARTH_APPLICATION (application));

  gtk_window_present (GTK_WINDOW (hearth_setup_window_new (GTK_WINDOW (widget), engine)));
}

/* The keyboard shortcuts, built when first asked for: GtkApplication would
 * build them with every window, before its first frame. */
static void
show_help_overlay (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  HearthWindow *self = HEARTH_WINDOW (widget);

  if (self->help_overlay == NULL)
    {
      g_autoptr(GtkBuilder) builder =
        gtk_builder_new_from_resource ("/io/github/hearthapp/Hearth/hearth-shortcuts.ui");

      /* As GtkApplication would have: transient, hidden on close, and
       * showing this window's accelerators. */
      self->help_overlay = GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay"));
      gtk_application_window_set_help_overlay (GTK_APPLICATION_WINDOW (self),
                                               GTK_SHORTCUTS_WINDOW (self->help_overlay));
    }
  gtk_window_present (self->help_overlay);
}

/* The header bar is the window's: its Hardware buttons reach the page's actions. */
static void
forward_to_hardware (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  HearthWindow *self = HEARTH_WINDOW (widget);

  gtk_widget_activate_action (hearth_window_get_page (self, "hardware"), action_name, NULL);
}

static void
on_page_changed (HearthWindow *self)
{
  gboolean hardware = g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack),
                                 "hardware") == 0;

  gtk_widget_set_visible (self->hardware_menu_button, hardware);
  gtk_widget_set_visible (self->hardware_refresh_button, hardware);
}

/* The shown page's button in a view switcher. */
static GtkWidget *
find_checked_toggle (GtkWidget *widget)
{
  if (!gtk_widget_get_mapped (widget))
    return NULL;
  if (GTK_IS_TOGGLE_BUTTON (widget) && gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (widget)))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_checked_toggle (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The shown page's button in whichever view switcher is on screen, which
 * says where the user is. */
static void
focus_switcher (HearthWindow *self)
{
  GtkWidget *button = find_checked_toggle (self->switcher_bar);

  if (button == NULL)
    button = find_checked_toggle (self->switcher_title);
  if (button == NULL || !gtk_widget_grab_focus (button))
    gtk_widget_child_focus (GTK_WIDGET (self), GTK_DIR_TAB_FORWARD);
}

static void
focus_switcher_after_paint (GdkFrameClock *clock,
                            HearthWindow  *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  g_signal_handlers_disconnect_by_func (clock, focus_switcher_after_paint, self);
  /* unless the user has gone on */
  if (focus == NULL || !gtk_widget_get_mapped (focus) || GTK_IS_TOGGLE_BUTTON (focus))
    focus_switcher (self);
}

/* win.show-page("NAME"), Alt+1…Alt+5 as in GNOME's apps: the pages by
 * keyboard. The focus was in the page that is now hidden, and an unmapped
 * focus is a lost one: it moves into the page shown, or to the switcher. */
static void
show_page (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  HearthWindow *self = HEARTH_WINDOW (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  GtkWidget *page = adw_view_stack_get_child_by_name (self->view_stack, name);
  GtkWidget *focus;

  if (page == NULL)
    return;
  /* Let go of a focus the page being hidden holds first: GTK would move
   * it on the next frame, to the window's first widget, past the one
   * given below. */
  focus = gtk_root_get_focus (GTK_ROOT (self));
  if (focus != NULL && !gtk_widget_is_ancestor (focus, page)
      && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->view_stack)))
    gtk_window_set_focus (GTK_WINDOW (self), NULL);
  adw_view_stack_set_visible_child_name (self->view_stack, name);
  /* only keys lead here: where the focus goes is drawn */
  gtk_window_set_focus_visible (GTK_WINDOW (self), TRUE);
  focus = gtk_root_get_focus (GTK_ROOT (self));
  if (focus != NULL && gtk_widget_is_ancestor (focus, page))
    return;
  if (gtk_widget_child_focus (page, GTK_DIR_TAB_FORWARD))
    return;
  /* nothing to focus in the page yet (it is loading): its button in the
   * view switcher, once the frame is laid out — the Hardware page's header
   * buttons can make the header swap its switcher for a narrower one,
   * taking a focused button with it */
  focus_switcher (self);
  g_signal_connect_object (gtk_widget_get_frame_clock (GTK_WIDGET (self)), "after-paint",
                           G_CALLBACK (focus_switcher_after_paint), self, 0);
}

static void
hearth_window_class_init (HearthWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = hearth_window_dispose;

  window_class->close_request = hearth_window_close_request;
  widget_class->realize = hearth_window_realize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hearthapp/Hearth/hearth-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HearthWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, HearthWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, HearthWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, HearthWindow, chat_page);
  gtk_widget_class_bind_template_child (widget_class, HearthWindow, hardware_menu_button);
  gtk_widget_class_bind_template_child (widget_class, HearthWindow, hardware_refresh_button);
  gtk_widget_class_bind_template_child (widget_class, HearthWindow, hardware_bin);
  gtk_widget_class_bind_template_child (widget_class, HearthWindow, performance_bin);
  gtk_widget_class_bind_template_child (widget_class, HearthWindow, models_bin);
  gtk_widget_class_bind_template_child (widget_class, HearthWindow, alerts_bin);
  gtk_widget_class_bind_template_child (widget_class, HearthWindow, alerts_stack_page);
  gtk_widget_class_bind_template_child (widget_class, HearthWindow, automatic_revealer);
  gtk_widget_class_bind_template_child (widget_class, HearthWindow, automatic_label);

  gtk_widget_class_install_action (widget_class, "win.setup", NULL, hearth_window_setup);
  gtk_widget_class_install_action (widget_class, "win.show-help-overlay", NULL, show_help_overlay);
  gtk_widget_class_install_action (widget_class, "hardware.refresh", NULL, forward_to_hardware);
  gtk_widget_class_install_action (widget_class, "hardware.copy", NULL, forward_to_hardware);
  gtk_widget_class_install_action (widget_class, "hardware.export", NULL, forward_to_hardware);
  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page);
  {
    static const char *pages[] = { "chat", "hardware", "performance", "models", "alerts" };

    for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
      gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK,
                                           "win.show-page", "s", pages[i]);
  }

  g_type_ensure (HEARTH_TYPE_CHAT_PAGE);
  hearth_a11y_init ();
}

/* HEARTH_DEBUG_FOCUS=1: each move of the keyboard focus, and whether it is
 * shown, on stderr; the keyboard test (tests/test-a11y-keyboard.py) reads
 * it, since AT-SPI says which widget has the focus but not that GTK draws it. */
static void
print_focus (HearthWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  GParamSpec *pspec = focus != NULL ? g_object_class_find_property (G_OBJECT_GET_CLASS (focus),
                                                                    "label")
                                    : NULL;
  g_autofree char *label = NULL;

  if (pspec != NULL && pspec->value_type == G_TYPE_STRING)
    g_object_get (focus, "label", &label, NULL);
  g_printerr ("hearth-focus: %s \"%s\" mapped=%d focus-visible=%d\n",
              focus != NULL ? G_OBJECT_TYPE_NAME (focus) : "none", label ? label : "",
              focus != NULL && gtk_widget_get_mapped (focus),
              gtk_window_get_focus_visible (GTK_WINDOW (self)));
}

static void
hearth_window_init (HearthWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->view_stack, "notify::visible-child-name",
                           G_CALLBACK (on_page_changed), self, G_CONNECT_SWAPPED);
  /* Until the Hardware page is built and has looked at the machine */
  gtk_widget_set_sensitive (self->hardware_menu_button, FALSE);
  gtk_widget_set_sensitive (self->hardware_refresh_button, FALSE);
  on_page_changed (self);

  self->settings = g_settings_new (APP_ID);
  hearth_window_restore_state (self);

  if (g_strcmp0 (PROFILE, "development") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
  if (g_getenv ("HEARTH_DEBUG_FOCUS") != NULL)
    {
      g_signal_connect (self, "notify::focus-widget", G_CALLBACK (print_focus), NULL);
      g_signal_connect (self, "notify::focus-visible", G_CALLBACK (print_focus), NULL);
    }
}

HearthWindow *
hearth_window_new (HearthApplication *application)
{
  HearthEngine *engine;
  HearthWindow *self;

  g_return_val_if_fail (HEARTH_IS_APPLICATION (application), NULL);

  self = g_object_new (HEARTH_TYPE_WINDOW,
                       "application", application,
                       NULL);
  engine = hearth_application_get_engine (application);
  hearth_chat_page_set_engine (self->chat_page, engine,
                               hearth_application_get_store_error (application));
  g_signal_connect_object (self->view_stack, "notify::visible-child",
                           G_CALLBACK (on_visible_child_changed), self, G_CONNECT_SWAPPED);
  self->alerts = g_object_ref (hearth_engine_get_alerts (engine));
  g_signal_connect_object (self->alerts, "changed", G_CALLBACK (update_alerts_badge), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->alerts, "transition", G_CALLBACK (update_alerts_badge), self,
                           G_CONNECT_SWAPPED);
  update_alerts_badge (self);
  hearth_window_set_automatic_notice (self, hearth_application_get_automatic_notice (application));
  if (hearth_application_get_cache_warning (application) != NULL)
    hearth_chat_page_add_toast (self->chat_page, hearth_application_get_cache_warning (application));
  return self;
}

void
hearth_window_new_chat (HearthWindow *self)
{
  g_return_if_fail (HEARTH_IS_WINDOW (self));

  adw_view_stack_set_visible_child_name (self->view_stack, "chat");
  hearth_chat_page_new_chat (self->chat_page);
}

void
hearth_window_show_conversation (HearthWindow *self,
                                 gint64        conversation_id)
{
  g_return_if_fail (HEARTH_IS_WINDOW (self));

  adw_view_stack_set_visible_child_name (self->view_stack, "chat");
  hearth_chat_page_open_conversation (self->chat_page, conversation_id);
}

/* For the notification and the tray: open the window on the Alerts page. */
void
hearth_window_show_alerts (HearthWindow *self)
{
  g_return_if_fail (HEARTH_IS_WINDOW (self));

  adw_view_stack_set_visible_child_name (self->view_stack, "alerts");
  gtk_window_present (GTK_WINDOW (self));
}

/* The banner at the top: what the automatic choice of run options does now
 * (@text: NULL hides it). */
void
hearth_window_set_automatic_notice (HearthWindow *self,
                                    const char   *text)
{
  g_return_if_fail (HEARTH_IS_WINDOW (self));

  if (text != NULL)
    gtk_label_set_text (self->automatic_label, text);
  gtk_revealer_set_reveal_child (self->automatic_revealer, text != NULL);
}
