/* hearth-test-ui.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "hearth-test-ui.h"
#include "hearth-test-util.h"

static gboolean
timeout_reached (gpointer user_data)
{
  gboolean *reached = user_data;

  *reached = TRUE;
  return G_SOURCE_REMOVE;
}

/* Sanitizer builds run many times slower: HEARTH_TEST_SLOWDOWN=5 gives
 * every wait five times as long (a wait, never a pass, is what it buys). */
static guint
slowdown (void)
{
  const char *factor = g_getenv ("HEARTH_TEST_SLOWDOWN");

  return factor != NULL ? MAX (1, (guint) g_ascii_strtoull (factor, NULL, 10)) : 1;
}

static gboolean
wake_up (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Spins the main loop until @done returns TRUE or @timeout_ms (times the
 * slowdown) pass; returns what @done says last. @done is asked after every
 * main-loop iteration and at least every 20 ms, so a condition that turns
 * true without an event of this thread's (a worker's result, the clock) ends
 * the wait as soon as it does. */
gboolean
hearth_test_spin_until (gboolean (*done) (gpointer),
                        gpointer   data,
                        guint      timeout_ms)
{
  gboolean reached = FALSE;
  guint timeout_id = g_timeout_add (timeout_ms * slowdown (), timeout_reached, &reached);
  guint wake_id = g_timeout_add (20, wake_up, NULL);

  while (!done (data) && !reached)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake_id);
  if (!reached)
    g_source_remove (timeout_id);
  return done (data);
}

/* A fixed wait: only for what has no condition to wait on (a time that must
 * pass, or nothing happening for a while). Prefer hearth_test_spin_until ()
 * or hearth_test_wait_drawn (). */
void
hearth_test_spin_for (guint milliseconds)
{
  gboolean reached = FALSE;

  g_timeout_add (milliseconds * slowdown (), timeout_reached, &reached);
  while (!reached)
    g_main_context_iteration (NULL, TRUE);
}

/* Waits @milliseconds on the clock: for what runs on time, not at the
 * speed of the code (a timer GTK starts as the pointer crosses widgets, a
 * tooltip's 500 ms; a once-a-second throttle), so not lengthened by
 * HEARTH_TEST_SLOWDOWN (such waits were, and cost each test under ASan
 * 3.5 s per window closed). */
void
hearth_test_wait_clock (guint milliseconds)
{
  gboolean reached = FALSE;

  g_timeout_add (milliseconds, timeout_reached, &reached);
  while (!reached)
    g_main_context_iteration (NULL, TRUE);
}

/* Frames painted by one frame clock, when the last one was, and when
 * the last one that laid something out was. */
typedef struct
{
  guint  paints;
  gint64 last_paint_us;
  gint64 last_layout_us;
} PaintWatch;

static void
after_paint (GdkFrameClock *clock,
             PaintWatch    *watch)
{
  watch->paints++;
  watch->last_paint_us = g_get_monotonic_time ();
}

static void
on_layout (GdkFrameClock *clock,
           PaintWatch    *watch)
{
  watch->last_layout_us = g_get_monotonic_time ();
}

static gboolean
painted (gpointer data)
{
  return ((PaintWatch *) data)->paints > 0;
}

static gboolean
painted_and_still (gpointer data)
{
  PaintWatch *watch = data;
  gint64 quiet_us = 50 * 1000 * (gint64) slowdown ();
  gint64 now = g_get_monotonic_time ();

  /* Three frames at 60 Hz (times the slowdown: frames take longer) without
   * another one: any animation (a stack's slide, a crossfade) ticks the clock
   * every frame, and a pending layout or redraw asks for one. What only
   * repaints for longer (a spinner spins as long as the work it shows) is
   * still once nothing has moved or changed size for six. */
  return watch->paints > 0
         && !g_main_context_pending (NULL)   /* nor an idle (a refresh) waiting to run */
         && (now - watch->last_paint_us >= quiet_us
             || (watch->paints > 1 && now - watch->last_layout_us >= 6 * quiet_us));
}

static gboolean
wait_painted (GtkWidget *widget,
              guint      timeout_ms,
              gboolean   still)
{
  PaintWatch watch = { 0 };
  GdkFrameClock *clock;
  gulong handler, layout_handler;
  gboolean done;

  /* an unrealized widget gets its frame clock when its window maps */
  if (!gtk_widget_get_realized (widget) || gtk_widget_get_frame_clock (widget) == NULL)
    {
      hearth_test_spin_until ((gboolean (*) (gpointer)) gtk_widget_get_mapped, widget, timeout_ms);
      if (gtk_widget_get_frame_clock (widget) == NULL)
        return FALSE;
    }
  clock = g_object_ref (gtk_widget_get_frame_clock (widget));
  watch.last_layout_us = g_get_monotonic_time ();
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint), &watch);
  layout_handler = g_signal_connect (clock, "layout", G_CALLBACK (on_layout), &watch);
  gtk_widget_queue_draw (widget);
  done = hearth_test_spin_until (still ? painted_and_still : painted, &watch, timeout_ms);
  if (!done)
    g_test_message ("%s still redrawing after %u ms (%u frames)", G_OBJECT_TYPE_NAME (widget),
                    timeout_ms * slowdown (), watch.paints);
  g_signal_handler_disconnect (clock, handler);
  g_signal_handler_disconnect (clock, layout_handler);
  g_object_unref (clock);
  return done;
}

/* Waits until @widget's window has painted a frame after this call (one is
 * asked for) and then no other for three frames' time: what was changed is
 * on screen, laid out, and no longer moving. Returns FALSE if that took more
 * than @timeout_ms (times the slowdown): a window that keeps changing (a
 * progress bar moving, live graphs) — wait for one frame there instead, or
 * give a timeout no longer than the fixed wait it replaces. */
gboolean
hearth_test_wait_drawn (GtkWidget *widget,
                        guint      timeout_ms)
{
  return wait_painted (widget, timeout_ms, TRUE);
}

/* Waits until @widget's window has painted one frame after this call. */
gboolean
hearth_test_wait_frame (GtkWidget *widget,
                        guint      timeout_ms)
{
  return wait_painted (widget, timeout_ms, FALSE);
}

/* For hearth_test_spin_until (): TRUE once the caller's is the last
 * reference to the GObject @object, so g_assert_finalize_object () can
 * follow (a closed window lets go of itself on the main loop). */
gboolean
hearth_test_only_ref (gpointer object)
{
  return g_atomic_int_get ((int *) &G_OBJECT (object)->ref_count) == 1;
}

guint
hearth_test_count_widgets (GtkWidget             *widget,
                           HearthTestWidgetMatch  match,
                           gpointer               data)
{
  guint n = match (widget, data) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += hearth_test_count_widgets (child, match, data);
  return n;
}

GtkWidget *
hearth_test_find_widget (GtkWidget             *widget,
                         HearthTestWidgetMatch  match,
                         gpointer               data)
{
  if (match (widget, data))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = hearth_test_find_widget (child, match, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_of_type (GtkWidget *widget,
            gpointer   type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

typedef struct
{
  GType       type;
  const char *name;
} Named;

static gboolean
is_named (GtkWidget *widget,
          gpointer   data)
{
  Named *named = data;
  const char *label = NULL;

  if (!G_TYPE_CHECK_INSTANCE_TYPE (widget, named->type))
    return FALSE;
  if (GTK_IS_EXPANDER (widget))
    label = gtk_expander_get_label (GTK_EXPANDER (widget));
  else if (GTK_IS_CHECK_BUTTON (widget))
    label = gtk_check_button_get_label (GTK_CHECK_BUTTON (widget));
  else if (GTK_IS_BUTTON (widget))
    label = gtk_button_get_label (GTK_BUTTON (widget));
  return g_strcmp0 (label, named->name) == 0 ||
         g_strcmp0 (gtk_widget_get_tooltip_text (widget), named->name) == 0;
}

/* The first widget of @type under @widget that a person would call @name:
 * its label (an expander's, a check button's, a button's) or its tooltip. */
GtkWidget *
hearth_test_find_named (GtkWidget  *widget,
                        GType       type,
                        const char *name)
{
  Named named = { type, name };

  return hearth_test_find_widget (widget, is_named, &named);
}

/* The shortcuts of @widget's shortcut controllers that a key with
 * modifiers triggers (a GtkKeyvalTrigger), in order.
 * Returns: (transfer full) (element-type GtkShortcut) */
GPtrArray *
hearth_test_keyval_shortcuts (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  GPtrArray *shortcuts = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          GtkShortcut *shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          if (GTK_IS_KEYVAL_TRIGGER (gtk_shortcut_get_trigger (shortcut)))
            g_ptr_array_add (shortcuts, shortcut);
          else
            g_object_unref (shortcut);
        }
    }
  return shortcuts;
}

GtkWidget *
hearth_test_find_descendant (GtkWidget *widget,
                             GType      type)
{
  return hearth_test_find_widget (widget, is_of_type, GSIZE_TO_POINTER (type));
}

typedef struct
{
  GType       type;
  const char *css_class;
} TypeAndClass;

static gboolean
is_of_type_and_class (GtkWidget *widget,
                      gpointer   data)
{
  const TypeAndClass *wanted = data;

  return G_TYPE_CHECK_INSTANCE_TYPE (widget, wanted->type) &&
         (wanted->css_class == NULL || gtk_widget_has_css_class (widget, wanted->css_class));
}

/* The first @type under @widget with @css_class, or any @type if @css_class is NULL. */
GtkWidget *
hearth_test_find_with_class (GtkWidget  *widget,
                             GType       type,
                             const char *css_class)
{
  TypeAndClass wanted = { type, css_class };

  return hearth_test_find_widget (widget, is_of_type_and_class, &wanted);
}

/* Appends the text of every visible label under @widget, a line each. */
void
hearth_test_collect_visible_labels (GtkWidget *widget,
                                    GString   *out)
{
  /* a stack's other pages are visible widgets, but not shown */
  if (!gtk_widget_get_visible (widget) || !gtk_widget_get_child_visible (widget))
    return;
  if (GTK_IS_LABEL (widget))
    {
      g_string_append (out, gtk_label_get_text (GTK_LABEL (widget)));
      g_string_append_c (out, '\n');
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    hearth_test_collect_visible_labels (c, out);
}

/* Returns: (transfer full): what a person reads in @widget. */
char *
hearth_test_visible_text (GtkWidget *widget)
{
  GString *out = g_string_new (NULL);

  hearth_test_collect_visible_labels (widget, out);
  return g_string_free (out, FALSE);
}

typedef struct
{
  GtkWidget  *widget;
  const char *needle;
  gboolean    present;
} TextWait;

static gboolean
text_is_as_wanted (gpointer data)
{
  TextWait *wait = data;
  g_autofree char *text = hearth_test_visible_text (wait->widget);

  return (strstr (text, wait->needle) != NULL) == wait->present;
}

/* Waits until a person reads @needle in @widget (or, for _gone, no longer
 * does); returns whether that happened within @timeout_ms (times the
 * slowdown). The caller asserts what it expects afterwards. */
gboolean
hearth_test_wait_for_text (GtkWidget  *widget,
                           const char *needle,
                           guint       timeout_ms)
{
  TextWait wait = { widget, needle, TRUE };

  return hearth_test_spin_until (text_is_as_wanted, &wait, timeout_ms);
}

gboolean
hearth_test_wait_for_text_gone (GtkWidget  *widget,
                                const char *needle,
                                guint       timeout_ms)
{
  TextWait wait = { widget, needle, FALSE };

  return hearth_test_spin_until (text_is_as_wanted, &wait, timeout_ms);
}

/* Screenshots go beside meson's test logs (HEARTH_SCREENSHOT_DIR), else the tmpdir. */
static char *
screenshot_path (const char *name)
{
  const char *dir = g_getenv ("HEARTH_SCREENSHOT_DIR");

  if (dir == NULL || *dir == '\0')
    return hearth_test_build_tmp_path (name, NULL);
  g_mkdir_with_parents (dir, 0755);
  return g_build_filename (dir, name, NULL);
}

/* Returns: (transfer full): where the PNG was written. */
char *
hearth_test_save_screenshot (GtkWidget  *widget,
                             const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  char *path = screenshot_path (name);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  /* A widget whose layout is still pending has nothing to paint yet: let a
   * frame pass and try again. */
  for (guint attempt = 0; attempt < 40; attempt++)
    {
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
      if (node != NULL)
        break;
      hearth_test_wait_frame (widget, 1000);
      snapshot = gtk_snapshot_new ();
      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
    }
  g_assert_nonnull (node);

  gsk_renderer_realize (renderer, gtk_native_get_surface (gtk_widget_get_native (widget)), &error);
  g_assert_no_error (error);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_renderer_unrealize (renderer);

  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
  return path;
}

/* The width @window takes when asked for @wanted: what the frame a window
 * without a compositor draws inside its size leaves (libadwaita's windows'
 * solid frame, measured before the first resize), and no narrower than what
 * its content needs. */
static int
width_for (GtkWidget *window,
           int        wanted)
{
  int minimum = 0;
  int frame = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (window), "hearth-test-frame"));

  gtk_widget_measure (window, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  return MAX (wanted - frame, minimum);
}

static gboolean
has_width (gpointer data)
{
  GtkWidget *window = data;
  int wanted = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (window), "hearth-test-width"));

  return gtk_widget_get_width (window) == width_for (window, wanted);
}

/* How much narrower than its default size @window is, when that is not
 * its content's doing. */
static void
measure_frame (GtkWindow *window)
{
  int default_width, default_height, minimum = 0, frame;

  hearth_test_wait_drawn (GTK_WIDGET (window), 300);
  gtk_window_get_default_size (window, &default_width, &default_height);
  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL,
                      NULL);
  frame = default_width - gtk_widget_get_width (GTK_WIDGET (window));
  if (default_width <= minimum || frame < 0 || frame > 64)
    frame = 0;
  g_object_set_data (G_OBJECT (window), "hearth-test-frame", GINT_TO_POINTER (frame));
}

static void
resize_to (GtkWindow *window,
           int        width,
           int        height)
{
  g_object_set_data (G_OBJECT (window), "hearth-test-width", GINT_TO_POINTER (width));
  gtk_window_set_default_size (window, width, height);
  /* A window whose content asks for more than @width stays wider: that is
   * what the screenshot is for, so a wait that ends is not a failure. */
  if (!hearth_test_spin_until (has_width, window, 1000))
    g_test_message ("asked for %d px wide, the window is %d px (expected %d)",
                    width, gtk_widget_get_width (GTK_WIDGET (window)),
                    width_for (GTK_WIDGET (window), width));
  /* laid out at that width, on screen, and done moving; a live page (graphs
   * that move with every sample) is never still: no longer than the fixed
   * 300 ms this replaced */
  hearth_test_wait_drawn (GTK_WIDGET (window), 300);
}

static void
scroll_first_scroller_to_end (GtkWidget *window)
{
  GtkWidget *scroller = hearth_test_find_descendant (window, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;

  if (scroller == NULL)
    return;
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  hearth_test_wait_drawn (window, 100);
}

/* Saves @window as STEM-1280.png at 1280×800 and STEM-380.png at 380×800
 * (what GNOME's phone-sized layouts get), then gives it back its size. */
void
hearth_test_save_wide_and_narrow (GtkWindow  *window,
                                  const char *stem,
                                  gboolean    scroll_to_end)
{
  int width, height;
  const int widths[] = { 1280, 380 };

  gtk_window_get_default_size (window, &width, &height);
  measure_frame (window);
  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%d.png", stem, widths[i]);

      resize_to (window, widths[i], 800);
      if (scroll_to_end)
        scroll_first_scroller_to_end (GTK_WIDGET (window));
      g_free (hearth_test_save_screenshot (GTK_WIDGET (window), name));
    }
  resize_to (window, width, height);
}

static gboolean
menu_popover_mapped (gpointer button)
{
  GtkPopover *popover = gtk_menu_button_get_popover (button);

  return popover != NULL && gtk_widget_get_mapped (GTK_WIDGET (popover));
}

GtkPopover *
hearth_test_popup_menu (GtkMenuButton *button)
{
  for (guint attempt = 0; attempt < 3 && !menu_popover_mapped (button); attempt++)
    {
      gtk_menu_button_popup (button);
      hearth_test_spin_until (menu_popover_mapped, button, 3000);
    }
  g_assert_true (menu_popover_mapped (button));
  return gtk_menu_button_get_popover (button);
}
