/* test-a11y.c — what a screen reader and a user with large text or high
 * contrast get: every button and custom widget named, graphs described by
 * their figures, and no text cut off on any page, wide or narrow, in
 * English and German
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real application, window and pages on the test engine under Xvfb.
 * The accessible tree is read through GTK's own test API
 * (gtk/gtktestatcontext.h): GTK 4.8 has no getter for a property.
 */
#define G_LOG_DOMAIN "hearth-test-a11y"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "hearth-code-block.h"
#include "hearth-compare-column.h"
#include "hearth-conversation-row.h"
#include "hearth-graph.h"
#include "hearth-message-row.h"
#include "hearth-preferences-window.h"
#include "hearth-test-chat.h"
#include "hearth-test-clip.h"
#include "hearth-test-server.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"

static HearthApplication *app;

/* The narrowest window (hearth-window.ui's width-request): a phone */
#define PHONE_WIDTH 360

static const char *pages[] = { "chat", "hardware", "performance", "models", "alerts" };

/* The test engine; a model whose answer is a fenced code block, so that a
 * reply has a code block and its Copy button. */
static const char *
engine_url (void)
{
  g_autofree char *code =
    hearth_test_make_fixed_model ("tiny-code", "Like this:\n\n```c\nint x = 1;\n```\nThat is all.");

  return hearth_test_engine_url ();
}

static gboolean
label_is_set (GtkAccessible *accessible)
{
  g_autofree char *differs = NULL;

  if (!gtk_test_accessible_has_property (accessible, GTK_ACCESSIBLE_PROPERTY_LABEL))
    return FALSE;
  /* NULL when it equals "": a label, but an empty one */
  differs = gtk_test_accessible_check_property (accessible, GTK_ACCESSIBLE_PROPERTY_LABEL, "");
  return differs != NULL;
}

/* A label with text under @widget that names @accessible (labelled-by):
 * GTK 4.8 sets the relation on a button to its child, even an icon, so
 * only a label with text counts. */
static gboolean
labelled_by_text (GtkAccessible *accessible,
                  GtkWidget     *widget)
{
  if (GTK_IS_LABEL (widget) && *gtk_label_get_text (GTK_LABEL (widget)) != '\0')
    {
      g_autofree char *differs =
        gtk_test_accessible_check_relation (accessible, GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                            widget, NULL);

      if (differs == NULL)
        return TRUE;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (labelled_by_text (accessible, child))
      return TRUE;
  return FALSE;
}

static gboolean
has_name (GtkWidget *widget)
{
  return label_is_set (GTK_ACCESSIBLE (widget))
         || (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget),
                                               GTK_ACCESSIBLE_RELATION_LABELLED_BY)
             && labelled_by_text (GTK_ACCESSIBLE (widget), widget));
}

/* A label with text inside @widget, which names a button for a screen reader. */
static gboolean
has_text (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget)
      && *gtk_label_get_text (GTK_LABEL (widget)) != '\0')
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_text (child))
      return TRUE;
  return FALSE;
}

/* The role the custom widget @widget must have, or -1 for any. */
static int
wanted_role (GtkWidget *widget)
{
  if (HEARTH_IS_GRAPH (widget))
    return GTK_ACCESSIBLE_ROLE_IMG;
  if (HEARTH_IS_CODE_BLOCK (widget) || HEARTH_IS_MESSAGE_ROW (widget)
      || HEARTH_IS_COMPARE_COLUMN (widget) || HEARTH_IS_CONVERSATION_ROW (widget))
    return GTK_ACCESSIBLE_ROLE_GROUP;
  return -1;
}

/* Appends to @report every visible button without text or a name, and every
 * custom widget without its role and name; returns how many. */
static guint
check_names (GtkWidget *widget,
             GString   *report)
{
  guint n = 0;
  int role;

  if (!gtk_widget_get_mapped (widget))
    return 0;
  if (GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget))
    {
      GtkWidget *parent = gtk_widget_get_parent (widget);
      /* a menu button's own button is named by the menu button */
      gboolean named = has_name (widget) || has_text (widget)
                       || (GTK_IS_MENU_BUTTON (parent) && has_name (parent));

      if (!named)
        {
          const char *icon = GTK_IS_BUTTON (widget)
                             ? gtk_button_get_icon_name (GTK_BUTTON (widget))
                             : gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (widget));
          const char *tooltip = gtk_widget_get_tooltip_text (widget);

          g_string_append_printf (report, "%s (icon %s, tooltip \"%s\", in %s) has no name\n",
                                  G_OBJECT_TYPE_NAME (widget), icon ? icon : "none",
                                  tooltip ? tooltip : "",
                                  G_OBJECT_TYPE_NAME (gtk_widget_get_parent (widget)));
          n++;
        }
    }
  /* GTK 4.8 gives a mnemonic button its label as written: "_Retry" */
  if (GTK_IS_BUTTON (widget) && gtk_button_get_use_underline (GTK_BUTTON (widget))
      && gtk_button_get_label (GTK_BUTTON (widget)) != NULL
      && strchr (gtk_button_get_label (GTK_BUTTON (widget)), '_') != NULL)
    {
      g_autofree char *differs =
        gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                            gtk_button_get_label (GTK_BUTTON (widget)));

      if (differs == NULL)
        {
          g_string_append_printf (report, "%s is named \"%s\", underscore and all\n",
                                  G_OBJECT_TYPE_NAME (widget),
                                  gtk_button_get_label (GTK_BUTTON (widget)));
          n++;
        }
    }
  role = wanted_role (widget);
  if (role >= 0)
    {
      if ((int) gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (widget)) != role)
        {
          g_string_append_printf (report, "%s has role %d, not %d\n", G_OBJECT_TYPE_NAME (widget),
                                  gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (widget)),
                                  role);
          n++;
        }
      if (!has_name (widget))
        {
          g_string_append_printf (report, "%s has no name\n", G_OBJECT_TYPE_NAME (widget));
          n++;
        }
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += check_names (child, report);
  return n;
}

static gboolean
is_mapped_of_type (GtkWidget *widget,
                   gpointer   type)
{
  return gtk_widget_get_mapped (widget)
         && G_TYPE_CHECK_INSTANCE_TYPE (widget, (GType) GPOINTER_TO_SIZE (type));
}

static guint
count_type (GtkWidget *widget,
            GType      type)
{
  return hearth_test_count_widgets (widget, is_mapped_of_type, GSIZE_TO_POINTER (type));
}

static void
show_page (HearthWindow *window,
           const char   *name)
{
  GtkWidget *stack = hearth_test_find_descendant (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK);

  g_assert_nonnull (hearth_window_get_page (window, name));
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), name);
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
}

static gboolean
is_filled_graph (GtkWidget *widget,
                 gpointer   data)
{
  return HEARTH_IS_GRAPH (widget) && gtk_widget_get_mapped (widget)
         && hearth_graph_get_n_samples (HEARTH_GRAPH (widget), 0) > 1;
}

/* Some graph on the page has drawn a line (the sampler's). */
static gboolean
performance_graphs_filled (gpointer data)
{
  return hearth_test_find_widget (data, is_filled_graph, NULL) != NULL;
}

static gboolean
has_code_block (gpointer page)
{
  return count_type (page, HEARTH_TYPE_CODE_BLOCK) > 0;
}

/* A window with a conversation in it: a question, a reply with a code block,
 * the conversation list beside it. */
static HearthWindow *
window_with_conversation (int width)
{
  HearthWindow *window;
  HearthChatPage *page;

  hearth_test_chat_use_server (engine_url (), "tiny-code");
  hearth_test_chat_create_conversation ("Why the sky is blue", 4);
  window = hearth_test_chat_new_chat_window (width);
  page = hearth_test_chat_page (window);
  hearth_test_chat_select_model (page, "tiny-code");
  hearth_test_chat_send_and_wait (page, "How do I declare an int in C?");
  g_assert_true (hearth_test_spin_until (has_code_block, page, 5000));
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  return window;
}

static gboolean
is_check_button (GtkWidget *widget,
                 gpointer   data)
{
  return GTK_IS_CHECK_BUTTON (widget) && gtk_widget_get_mapped (widget)
         && !gtk_check_button_get_active (GTK_CHECK_BUTTON (widget));
}

static gboolean
has_two_columns (gpointer page)
{
  return count_type (page, HEARTH_TYPE_COMPARE_COLUMN) >= 2;
}

/* The compare picker, then two models' answers side by side: the picker's
 * rows and the cards checked like the rest. */
static void
compare_two (HearthChatPage *page,
             GString        *report)
{
  GtkWidget *button = hearth_test_find_named (GTK_WIDGET (page), GTK_TYPE_MENU_BUTTON,
                                              "Ask 2 to 4 Models at Once and Compare Their Answers");
  GtkPopover *popover;

  g_assert_nonnull (button);
  popover = hearth_test_popup_menu (GTK_MENU_BUTTON (button));
  for (guint i = 0; i < 2; i++)
    {
      GtkWidget *check = hearth_test_find_widget (GTK_WIDGET (popover), is_check_button, NULL);

      g_assert_nonnull (check);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
    }
  hearth_test_wait_drawn (GTK_WIDGET (popover), 2000);
  g_string_append (report, "-- compare picker:\n");
  check_names (GTK_WIDGET (popover), report);
  gtk_popover_popdown (popover);
  hearth_test_chat_send (page, "Which is better?");
  g_assert_true (hearth_test_spin_until (has_two_columns, page, 20000));
  hearth_test_spin_for (1000);
  g_string_append (report, "-- compare cards:\n");
  check_names (GTK_WIDGET (page), report);
}

static void
collect_pages (GtkWidget *widget,
               GPtrArray *pages_out)
{
  /* the window's own pages, in its view stack (not a subpage's) */
  if (ADW_IS_PREFERENCES_PAGE (widget) && ADW_IS_VIEW_STACK (gtk_widget_get_parent (widget)))
    {
      g_ptr_array_add (pages_out, widget);
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_pages (child, pages_out);
}

/* Each page of Preferences, as the window shows it. */
static void
check_preferences (HearthWindow *window,
                   GString      *report)
{
  GtkWidget *prefs =
    hearth_preferences_window_new (GTK_WINDOW (window), hearth_application_get_engine (app));
  g_autoptr(GPtrArray) prefs_pages = g_ptr_array_new ();

  gtk_window_present (GTK_WINDOW (prefs));
  hearth_test_wait_drawn (prefs, 2000);
  collect_pages (prefs, prefs_pages);
  g_assert_cmpuint (prefs_pages->len, >=, 1);
  for (guint i = 0; i < prefs_pages->len; i++)
    {
      AdwPreferencesPage *page = g_ptr_array_index (prefs_pages, i);

      adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (prefs), page);
      hearth_test_wait_drawn (prefs, 2000);
      g_string_append_printf (report, "-- Preferences, %s:\n", adw_preferences_page_get_title (page));
      check_names (prefs, report);
    }
  gtk_window_destroy (GTK_WINDOW (prefs));
}

/* Every button a user can reach on every page, named; the custom widgets
 * with their roles and names. */
static void
test_names (void)
{
  HearthWindow *window;
  HearthChatPage *page;
  g_autoptr(GString) report = g_string_new (NULL);
  GtkWidget *popover;

  if (!hearth_test_require_node ())
    return;
  /* the check itself: an icon alone, or with a tooltip, names nothing */
  {
    GtkWidget *bare = g_object_ref_sink (gtk_button_new_from_icon_name ("edit-copy-symbolic"));

    gtk_widget_set_tooltip_text (bare, "Copy");
    g_assert_false (has_name (bare) || has_text (bare));
    gtk_accessible_update_property (GTK_ACCESSIBLE (bare), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
    g_assert_false (has_name (bare));
    gtk_accessible_update_property (GTK_ACCESSIBLE (bare), GTK_ACCESSIBLE_PROPERTY_LABEL, "Copy",
                                    -1);
    g_assert_true (has_name (bare));
    g_object_unref (bare);
  }
  window = window_with_conversation (1280);
  page = hearth_test_chat_page (window);
  /* the widgets the chat must have shown for this test to mean anything */
  g_assert_cmpuint (count_type (GTK_WIDGET (page), HEARTH_TYPE_CODE_BLOCK), >=, 1);
  g_assert_cmpuint (count_type (GTK_WIDGET (page), HEARTH_TYPE_MESSAGE_ROW), >=, 2);
  g_assert_cmpuint (count_type (GTK_WIDGET (page), HEARTH_TYPE_CONVERSATION_ROW), >=, 1);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      show_page (window, pages[i]);
      if (g_str_equal (pages[i], "performance"))
        hearth_test_spin_until (performance_graphs_filled, window, 5000);
      g_string_append_printf (report, "-- %s page:\n", pages[i]);
      check_names (GTK_WIDGET (window), report);
    }
  show_page (window, "chat");
  check_preferences (window, report);
  compare_two (page, report);
  hearth_test_chat_open_model_picker (page);
  popover = hearth_test_chat_model_popover (page);
  g_string_append (report, "-- model picker:\n");
  check_names (popover, report);
  hearth_test_chat_close_model_picker (page);

  {
    guint n = 0;
    g_auto(GStrv) lines = g_strsplit (report->str, "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++)
      if (*lines[i] != '\0' && !g_str_has_prefix (lines[i], "--"))
        n++;
    if (n > 0)
      g_test_message ("%s", report->str);
    g_assert_cmpuint (n, ==, 0);
  }
  hearth_test_chat_close_window (window);
}

static gboolean
description_has (gpointer data)
{
  HearthGraph *graph = data;
  const char *wanted = g_object_get_data (data, "wanted");
  const char *description = hearth_graph_get_description (graph);

  return description != NULL && strstr (description, wanted) != NULL;
}

/* A graph's text alternative: what it shows, its window, and each line's
 * latest, lowest and highest figure, at most a second behind the samples. */
static void
test_graph_description (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *graph = hearth_graph_new (600);
  HearthGraph *g = HEARTH_GRAPH (graph);
  gint64 now = g_get_real_time ();
  const double cpu[] = { 12, 3, 40, 25, 7 };
  const double server[] = { 1.5, 2.5, 0.5, 2, 1 };
  g_autofree char *differs = NULL;

  hearth_graph_add_series (g, "All");
  hearth_graph_add_series (g, "Server");
  hearth_graph_set_unit (g, "%");
  hearth_graph_set_title (g, "CPU");
  hearth_graph_set_time_window (g, 10 * 60 * G_USEC_PER_SEC);
  gtk_window_set_child (GTK_WINDOW (window), graph);
  gtk_window_present (GTK_WINDOW (window));

  g_assert_true (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (graph))
                 == GTK_ACCESSIBLE_ROLE_IMG);
  differs = gtk_test_accessible_check_property (GTK_ACCESSIBLE (graph),
                                                GTK_ACCESSIBLE_PROPERTY_LABEL, "CPU");
  g_assert_null (differs);
  /* a sample from before the window is not among the figures */
  hearth_graph_push (g, 0, now - 11 * 60 * G_USEC_PER_SEC, 99);
  for (guint i = 0; i < G_N_ELEMENTS (cpu); i++)
    {
      hearth_graph_push (g, 0, now - (G_N_ELEMENTS (cpu) - i) * G_USEC_PER_SEC, cpu[i]);
      hearth_graph_push (g, 1, now - (G_N_ELEMENTS (cpu) - i) * G_USEC_PER_SEC, server[i]);
    }
  g_object_set_data (G_OBJECT (graph), "wanted", (gpointer) "Server now 1%");
  g_assert_true (hearth_test_spin_until (description_has, graph, 3000));
  g_test_message ("description: %s", hearth_graph_get_description (g));
  g_assert_true (g_str_has_prefix (hearth_graph_get_description (g), "CPU, last 10 minutes: "));
  g_assert_nonnull (strstr (hearth_graph_get_description (g),
                            "All now 7%, lowest 3%, highest 40%"));
  g_assert_nonnull (strstr (hearth_graph_get_description (g),
                            "Server now 1%, lowest 0.5%, highest 2.5%"));
  /* what the screen reader is given is that text */
  g_clear_pointer (&differs, g_free);
  differs = gtk_test_accessible_check_property (GTK_ACCESSIBLE (graph),
                                                GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                                hearth_graph_get_description (g));
  g_assert_null (differs);

  /* a new sample: the figures follow */
  hearth_graph_push (g, 0, now, 55);
  g_object_set_data (G_OBJECT (graph), "wanted", (gpointer) "All now 55%, lowest 3%, highest 55%");
  g_assert_true (hearth_test_spin_until (description_has, graph, 3000));
  differs = gtk_test_accessible_check_property (GTK_ACCESSIBLE (graph),
                                                GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                                hearth_graph_get_description (g));
  g_assert_null (differs);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The Performance page's graphs: each named by its card and described by
 * the figures the sampler measured. */
static void
test_page_graphs (void)
{
  HearthWindow *window = hearth_test_chat_new_window (1280, 800);
  GtkWidget *performance;
  guint n = 0;

  show_page (window, "performance");
  performance = hearth_window_get_page (window, "performance");
  if (!hearth_test_spin_until (performance_graphs_filled, performance, 10000))
    {
      g_test_skip ("the application's sampler gave the Performance page no samples");
      hearth_test_chat_close_window (window);
      return;
    }
  /* descriptions follow the figures at most once a second, on the clock */
  hearth_test_wait_clock (1100);
  for (GtkWidget *w = hearth_test_find_descendant (performance, HEARTH_TYPE_GRAPH); w != NULL;)
    {
      HearthGraph *graph = HEARTH_GRAPH (w);
      g_autofree char *differs = NULL;
      GtkWidget *next = NULL;

      if (gtk_widget_get_mapped (w) && hearth_graph_get_n_samples (graph, 0) > 0)
        {
          g_test_message ("graph: %s", hearth_graph_get_description (graph));
          g_assert_null (strstr (hearth_graph_get_description (graph), "No data yet"));
          g_assert_nonnull (strstr (hearth_graph_get_description (graph), " now "));
          differs = gtk_test_accessible_check_property (GTK_ACCESSIBLE (w),
                                                        GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                                        hearth_graph_get_description (graph));
          g_assert_null (differs);
          g_assert_true (has_name (w));
          n++;
        }
      /* the next graph in the tree after this one */
      for (GtkWidget *a = w; a != NULL && next == NULL; a = gtk_widget_get_parent (a))
        for (GtkWidget *s = gtk_widget_get_next_sibling (a); s != NULL && next == NULL;
             s = gtk_widget_get_next_sibling (s))
          next = hearth_test_find_descendant (s, HEARTH_TYPE_GRAPH);
      w = next != NULL && gtk_widget_is_ancestor (next, performance) ? next : NULL;
    }
  g_assert_cmpuint (n, >=, 1);
  hearth_test_chat_close_window (window);
}

/* ---- clipping ---- */

typedef enum
{
  LOOK_NORMAL,
  LOOK_HIGH_CONTRAST,
  LOOK_LARGE_TEXT,
} Look;

static const char *look_names[] = { "normal", "high-contrast", "large-text" };

static gboolean
high_contrast_is (gpointer wanted)
{
  return adw_style_manager_get_high_contrast (adw_style_manager_get_default ())
         == GPOINTER_TO_INT (wanted);
}

/* The look as GNOME sets it: high contrast is org.gnome.desktop.a11y.interface's
 * high-contrast, which libadwaita 1.2 reads through GSettings when there is
 * no settings portal (this test's private bus has none; the memory backend
 * keeps it to this process); text scale is GTK's font resolution, which
 * gnome-settings-daemon sets to 96 dpi × text-scaling-factor. */
static void
set_look (Look look)
{
  g_autoptr(GSettings) a11y = g_settings_new ("org.gnome.desktop.a11y.interface");

  g_settings_set_boolean (a11y, "high-contrast", look == LOOK_HIGH_CONTRAST);
  g_object_set (gtk_settings_get_default (),
                "gtk-xft-dpi", look == LOOK_LARGE_TEXT ? (int) (1.5 * 96 * 1024) : 96 * 1024,
                NULL);
  g_assert_true (hearth_test_spin_until (high_contrast_is,
                                         GINT_TO_POINTER (look == LOOK_HIGH_CONTRAST), 2000));
}

static gboolean
is_spinning (GtkWidget *widget,
             gpointer   data)
{
  return GTK_IS_SPINNER (widget) && gtk_widget_get_mapped (widget)
         && gtk_spinner_get_spinning (GTK_SPINNER (widget));
}

static gboolean
nothing_spins (gpointer window)
{
  return hearth_test_find_widget (window, is_spinning, NULL) == NULL;
}

/* Every page of @window, checked and saved as "clip-LANG-LOOK-WIDTH-PAGE.png". */
static guint
check_pages (HearthWindow *window,
             const char   *lang,
             Look          look,
             int           width,
             GString      *report)
{
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autofree char *shot = g_strdup_printf ("clip-%s-%s-%d-%s.png", lang, look_names[look],
                                               width, pages[i]);
      guint found;

      show_page (window, pages[i]);
      /* pages that fill in from the engine (the Models page's list, the
       * Hardware page's probe) show a spinner until they have */
      g_assert_true (hearth_test_spin_until (nothing_spins, window, 10000));
      hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
      g_free (hearth_test_save_screenshot (GTK_WIDGET (window), shot));
      {
        int minimum = 0;

        gtk_widget_measure (hearth_window_get_page (window, pages[i]), GTK_ORIENTATION_HORIZONTAL,
                            -1, &minimum, NULL, NULL, NULL);
        g_string_append_printf (report, "-- %s (window %d px wide, the page needs %d)\n", shot,
                                gtk_widget_get_width (GTK_WIDGET (window)), minimum);
        /* a page wider than the window may be (its width-request, a
         * phone's screen) is cut by the screen's edge; with large text a
         * phone shows less, and that is not asked */
        if (look != LOOK_LARGE_TEXT && minimum > PHONE_WIDTH)
          {
            g_string_append_printf (report, "the %s page needs %d px, more than a phone's %d\n",
                                    pages[i], minimum, PHONE_WIDTH);
            n++;
          }
      }
      found = hearth_test_find_clipped_labels (GTK_WIDGET (window), report);
      n += found;
    }
  return n;
}

/* The checker itself: a label a scrolled window without a scrollbar cuts
 * is found; the same text wrapping, or ellipsized, is not. */
static void
test_clip_checker (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *cut = gtk_label_new ("A label far too long for a window this narrow to show");
  GtkWidget *wrapped = gtk_label_new ("A label far too long for a window this narrow, wrapping");
  GtkWidget *ellipsized = gtk_label_new ("A label far too long for a window this narrow, ellipsized");
  g_autoptr(GString) report = g_string_new (NULL);

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_EXTERNAL,
                                  GTK_POLICY_NEVER);
  gtk_label_set_wrap (GTK_LABEL (wrapped), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (wrapped), 10);
  gtk_label_set_ellipsize (GTK_LABEL (ellipsized), PANGO_ELLIPSIZE_END);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), cut);
  gtk_box_append (GTK_BOX (box), scroller);
  gtk_box_append (GTK_BOX (box), wrapped);
  gtk_box_append (GTK_BOX (box), ellipsized);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 120, 200);
  gtk_window_present (GTK_WINDOW (window));
  hearth_test_wait_drawn (window, 2000);

  g_assert_cmpuint (hearth_test_find_clipped_labels (window, report), ==, 1);
  g_test_message ("%s", report->str);
  g_assert_nonnull (strstr (report->str, "A label far too long for a window this narrow to show"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_clip (gconstpointer data)
{
  const char *lang = g_getenv ("HEARTH_TEST_LANG") ?: "en";
  Look look = GPOINTER_TO_INT (data);
  const int widths[] = { 1280, 380 };
  g_autoptr(GString) report = g_string_new (NULL);
  guint n = 0;

  if (!hearth_test_require_node ())
    return;
  set_look (look);
  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      HearthWindow *window = window_with_conversation (widths[i]);

      n += check_pages (window, lang, look, widths[i], report);
      hearth_test_chat_close_window (window);
    }
  set_look (LOOK_NORMAL);
  g_test_message ("%s", report->str);
  g_assert_cmpuint (n, ==, 0);
}

/* HEARTH_TEST_LANG=de: the build's German catalog, as a German desktop would
 * pick it; without it (de not in po/LINGUAS yet) the test has nothing to
 * look at and says so. */
static gboolean
use_language (void)
{
  const char *lang = g_getenv ("HEARTH_TEST_LANG");
  g_autofree char *mo = NULL;

  if (lang == NULL)
    return TRUE;
  mo = g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "po", lang, "LC_MESSAGES",
                         GETTEXT_PACKAGE ".mo", NULL);
  if (!g_file_test (mo, G_FILE_TEST_EXISTS))
    {
      /* TAP's way of skipping a whole program, which meson reports as SKIP */
      g_print ("1..0 # SKIP no compiled '%s' catalog at %s (is %s in po/LINGUAS?)\n", lang, mo,
               lang);
      return FALSE;
    }
  /* gettext ignores LANGUAGE in the C locale: C.UTF-8 is the one every
   * machine has */
  g_setenv ("LANGUAGE", lang, TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  setlocale (LC_ALL, "");
  {
    g_autofree char *dir = g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "po", NULL);

    bindtextdomain (GETTEXT_PACKAGE, dir);
    bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
    textdomain (GETTEXT_PACKAGE);
  }
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  int status;

  if (!use_language ())
    return 0;
  app = hearth_test_chat_init (&argc, &argv);

  g_test_add_func ("/a11y/names", test_names);
  g_test_add_func ("/a11y/graph/description", test_graph_description);
  g_test_add_func ("/a11y/graph/page", test_page_graphs);
  g_test_add_func ("/a11y/clip/checker", test_clip_checker);
  g_test_add_data_func ("/a11y/clip/normal", GINT_TO_POINTER (LOOK_NORMAL), test_clip);
  g_test_add_data_func ("/a11y/clip/high-contrast", GINT_TO_POINTER (LOOK_HIGH_CONTRAST),
                        test_clip);
  g_test_add_data_func ("/a11y/clip/large-text", GINT_TO_POINTER (LOOK_LARGE_TEXT), test_clip);

  status = g_test_run ();
  g_clear_object (&app);
  return status;
}
