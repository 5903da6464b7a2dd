/* test-chat-polish.c — what the Chat page looks like in the first ten minutes:
 * the composer, a dead server, the message buttons, titles and the model picker
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-chat"

#include "config.h"

#include <adwaita.h>

#include "hearth-application.h"
#include "hearth-chat-page.h"
#include "hearth-conversation-row.h"
#include "hearth-message-item.h"
#include "hearth-message-row.h"
#include "hearth-test-chat.h"
#include "hearth-test-server.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"
#include "hearth-window.h"

#define DEAD_SERVER "http://127.0.0.1:9"

static HearthApplication *app;

/* The test engine with a second model, whose long name has to fit a narrow picker. */
static const char *
engine_url (void)
{
  g_autofree char *second = hearth_test_make_model ("fixed", "qwen2.5-coder-tiny-instruct-preview");

  return hearth_test_engine_url ();
}

/* A window talking to the test engine, its models listed. */
static HearthWindow *
window_on_engine (int width)
{
  HearthWindow *window;

  hearth_test_chat_use_server (engine_url (), "tiny-fixed");
  window = hearth_test_chat_new_window (width, 800);
  g_assert_true (hearth_test_spin_until (hearth_test_chat_models_listed,
                                         hearth_test_chat_page (window), 10000));
  return window;
}

static gboolean banner_shown (gpointer page);

static char *
shot_name (const char *what,
           int         width)
{
  return g_strdup_printf ("chat-%s-%s.png", what, width < 600 ? "narrow" : "wide");
}

/* A conversation of a few messages, the model picker open, then the server
 * gone, at one width: screenshots of each, no assertions. */
static void
shoot_states (int width)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  HearthWindow *window;
  HearthChatPage *page;

  window = window_on_engine (width);
  page = hearth_test_chat_page (window);
  g_action_group_activate_action (G_ACTION_GROUP (app), "new-chat", NULL);
  name = shot_name ("empty", width);
  hearth_test_chat_screenshot (window, name);

  hearth_test_chat_send_and_wait (page, "Why is the sky blue?");
  hearth_test_chat_send_and_wait (page, "And why is the sunset red? Explain it to a child.");
  g_clear_pointer (&name, g_free);
  name = shot_name ("conversation", width);
  hearth_test_chat_screenshot (window, name);

  hearth_test_chat_open_model_picker (page);
  hearth_test_wait_drawn (hearth_test_chat_model_popover (page), 2000);
  g_clear_pointer (&name, g_free);
  name = shot_name ("model-picker", width);
  path = hearth_test_save_screenshot (hearth_test_chat_model_popover (page), name);
  hearth_test_chat_close_model_picker (page);

  g_settings_set_string (settings, "endpoint", DEAD_SERVER);
  hearth_test_spin_until (banner_shown, page, 10000);
  hearth_chat_page_set_composer_text (page, "Are you still there?");
  gtk_widget_activate_action (GTK_WIDGET (page), "chat.send", NULL);
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  g_clear_pointer (&name, g_free);
  name = shot_name ("dead-server", width);
  hearth_test_chat_screenshot (window, name);
  hearth_test_chat_close_window (window);
}

/* Widgets and state */

typedef struct
{
  HearthChatPage *page;
  gint64          id;
  guint           n;
} Shown;

static gboolean
conversation_shown (gpointer data)
{
  Shown *s = data;
  g_autoptr(GPtrArray) rows = hearth_test_chat_rows_on_screen (s->page);

  return hearth_chat_page_get_conversation_id (s->page) == s->id &&
         hearth_test_chat_n_messages (s->page) == s->n && rows->len == s->n;
}

static void
open_conversation (HearthWindow   *window,
                   gint64          id,
                   guint           n)
{
  Shown shown = { hearth_test_chat_page (window), id, n };

  hearth_window_show_conversation (window, id);
  g_assert_true (hearth_test_spin_until (conversation_shown, &shown, 5000));
}

static gboolean
is_send_button (GtkWidget *widget,
                gpointer   data)
{
  return GTK_IS_BUTTON (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), "chat.send") == 0;
}

/* The button a person sees, not only the action behind it. */
static gboolean
send_enabled (HearthChatPage *page)
{
  GtkWidget *send = hearth_test_find_widget (GTK_WIDGET (page), is_send_button, NULL);

  g_assert_nonnull (send);
  return gtk_widget_get_mapped (send) && gtk_widget_is_sensitive (send);
}

static gboolean
send_enabled_cb (gpointer page)
{
  return send_enabled (page);
}

static GtkWidget *
banner (HearthChatPage *page)
{
  GtkWidget *box = hearth_test_find_with_class (GTK_WIDGET (page), GTK_TYPE_BOX, "chat-banner");

  g_assert_nonnull (box);
  return gtk_widget_get_ancestor (box, GTK_TYPE_REVEALER);
}

static gboolean
banner_shown (gpointer page)
{
  GtkRevealer *revealer = GTK_REVEALER (banner (page));

  return gtk_revealer_get_child_revealed (revealer) && gtk_revealer_get_reveal_child (revealer);
}

static gboolean
banner_hidden (gpointer page)
{
  return !gtk_revealer_get_reveal_child (GTK_REVEALER (banner (page)));
}

static guint
count (const char *haystack,
       const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static gboolean
is_placeholder (GtkWidget *widget,
                gpointer   data)
{
  return GTK_IS_LABEL (widget) && GTK_IS_OVERLAY (gtk_widget_get_parent (widget)) &&
         gtk_widget_get_ancestor (widget, HEARTH_TYPE_MESSAGE_ROW) == NULL;
}

static GtkLabel *
placeholder (HearthChatPage *page)
{
  GtkWidget *label = hearth_test_find_widget (GTK_WIDGET (page), is_placeholder, NULL);

  g_assert_nonnull (label);
  return GTK_LABEL (label);
}

static AdwWindowTitle *
conversation_title (HearthChatPage *page)
{
  GtkWidget *title = hearth_test_find_descendant (GTK_WIDGET (page), ADW_TYPE_WINDOW_TITLE);

  g_assert_nonnull (title);
  return ADW_WINDOW_TITLE (title);
}

/* 1. The composer */

static void
test_composer (void)
{
  HearthWindow *window;
  HearthChatPage *page;
  GtkLabel *hint;

  if (!hearth_test_require_node ())
    return;
  window = window_on_engine (1280);
  page = hearth_test_chat_page (window);
  g_action_group_activate_action (G_ACTION_GROUP (app), "new-chat", NULL);
  hint = placeholder (page);

  /* Empty: a hint naming the model, and nothing to send. */
  g_assert_false (send_enabled (page));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (hint)));
  g_assert_cmpstr (gtk_label_get_text (hint), ==, "Message tiny-fixed…");
  hearth_test_chat_screenshot (window, "chat-composer-empty-wide.png");

  hearth_chat_page_set_composer_text (page, "  \n\t ");
  g_assert_false (send_enabled (page));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (hint)));
  gtk_widget_activate_action (GTK_WIDGET (page), "chat.send", NULL);
  g_assert_cmpuint (hearth_test_chat_n_messages (page), ==, 0);

  hearth_chat_page_set_composer_text (page, "Hello");
  g_assert_true (send_enabled (page));
  hearth_chat_page_set_composer_text (page, "");
  g_assert_false (send_enabled (page));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (hint)));
  hearth_test_chat_close_window (window);
}

/* 2. A dead server: said once, with what to do; nothing sent, nothing lost */

static void
assert_said_once (HearthChatPage *page)
{
  g_autofree char *text = hearth_test_visible_text (GTK_WIDGET (page));

  g_test_message ("page: %s", text);
  g_assert_cmpuint (count (text, DEAD_SERVER), ==, 1);
  g_assert_nonnull (strstr (text, "Can’t reach Ollama at " DEAD_SERVER));
  g_assert_nonnull (strstr (text, "ollama serve"));
  g_assert_nonnull (strstr (text, "Preferences"));
}

static void
test_dead_server (gconstpointer data)
{
  int width = GPOINTER_TO_INT (data);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  gint64 id = hearth_test_chat_create_conversation ("Dead server talk", 2);
  g_autofree char *kept = NULL;
  g_autofree char *name = NULL;
  HearthWindow *window;
  HearthChatPage *page;
  GtkStack *stack;

  if (!hearth_test_require_node ())
    return;
  window = window_on_engine (width);
  page = hearth_test_chat_page (window);
  open_conversation (window, id, 2);
  hearth_chat_page_set_composer_text (page, "Are you still there?");
  g_assert_true (send_enabled (page));

  g_settings_set_string (settings, "endpoint", DEAD_SERVER);
  g_assert_true (hearth_test_spin_until (banner_shown, page, 10000));
  assert_said_once (page);
  /* Send waits for the server; Enter and the action send nothing; the text stays. */
  g_assert_false (send_enabled (page));
  gtk_widget_activate_action (GTK_WIDGET (page), "chat.send", NULL);
  /* nothing to wait for that shows nothing was sent: all that is pending runs */
  hearth_test_wait_drawn (GTK_WIDGET (page), 2000);
  g_assert_cmpuint (hearth_test_chat_n_messages (page), ==, 2);
  kept = hearth_chat_page_dup_composer_text (page);
  g_assert_cmpstr (kept, ==, "Are you still there?");
  name = shot_name ("dead-server-banner", width);
  hearth_test_chat_screenshot (window, name);

  /* A new chat says it on its status page, and only there. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "new-chat", NULL);
  gtk_widget_activate_action (GTK_WIDGET (page), "chat.reconnect", NULL);
  stack = GTK_STACK (hearth_test_find_descendant (GTK_WIDGET (page), GTK_TYPE_STACK));
  while (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "unreachable") != 0)
    g_main_context_iteration (NULL, TRUE);
  hearth_test_spin_until (banner_hidden, page, 2000);
  hearth_test_wait_drawn (GTK_WIDGET (page), 2000);
  assert_said_once (page);
  g_assert_true (banner_hidden (page));
  g_clear_pointer (&name, g_free);
  name = shot_name ("dead-server-new-chat", width);
  hearth_test_chat_screenshot (window, name);

  /* Back in the conversation, the banner says it again. */
  open_conversation (window, id, 2);
  g_assert_true (hearth_test_spin_until (banner_shown, page, 5000));
  assert_said_once (page);

  /* The server is back: Retry, and the kept text goes. */
  g_settings_set_string (settings, "endpoint", engine_url ());
  gtk_widget_activate_action (GTK_WIDGET (page), "chat.reconnect", NULL);
  g_assert_true (hearth_test_spin_until (send_enabled_cb, page, 10000));
  g_assert_true (banner_hidden (page));
  hearth_test_chat_send_and_wait (page, "Are you still there?");
  g_clear_pointer (&kept, g_free);
  kept = hearth_chat_page_dup_composer_text (page);
  g_assert_cmpstr (kept, ==, "");
  hearth_test_chat_close_window (window);
}

/* 3. Message buttons: where the pointer or the focus is */

static GtkWidget *
row_actions (GtkWidget *row)
{
  GtkWidget *actions = hearth_test_find_with_class (row, GTK_TYPE_BOX, "message-actions");

  g_assert_nonnull (actions);
  return actions;
}

static gboolean
actions_shown (GtkWidget *row)
{
  GtkWidget *actions = row_actions (row);
  gboolean shown = gtk_widget_get_opacity (actions) > 0.99;

  /* Hidden buttons take no clicks, shown ones do. */
  g_assert_true (gtk_widget_get_can_target (actions) == shown);
  return shown;
}

static gboolean
actions_shown_cb (gpointer row)
{
  return actions_shown (row);
}

static gboolean
no_actions_shown (gpointer data)
{
  GPtrArray *rows = data;

  for (guint i = 0; i < rows->len; i++)
    if (actions_shown (rows->pdata[i]))
      return FALSE;
  return TRUE;
}

static GtkEventController *
row_controller (GtkWidget *row,
                GType      type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (row);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
        return controller;
    }
  g_assert_not_reached ();
}

static void
test_message_actions (gconstpointer data)
{
  int width = GPOINTER_TO_INT (data);
  gint64 id = hearth_test_chat_create_conversation ("Buttons", 4);
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *name = NULL;
  HearthWindow *window;
  HearthChatPage *page;
  GtkWidget *copy;

  hearth_test_chat_use_server (DEAD_SERVER, "");
  window = hearth_test_chat_new_window (width, 800);
  page = hearth_test_chat_page (window);
  open_conversation (window, id, 4);
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  rows = hearth_test_chat_rows_on_screen (page);
  /* Xvfb's real pointer may rest over a row (where the window happened to
   * be placed), and the focus may be in one: that row shows its buttons,
   * as it should; then the pointer and the focus leave, and every row is
   * bare. */
  for (guint i = 0; i < rows->len; i++)
    {
      GtkEventController *motion = row_controller (rows->pdata[i], GTK_TYPE_EVENT_CONTROLLER_MOTION);
      gboolean pointer = gtk_event_controller_motion_contains_pointer (GTK_EVENT_CONTROLLER_MOTION (motion));

      GtkEventController *focus = row_controller (rows->pdata[i], GTK_TYPE_EVENT_CONTROLLER_FOCUS);
      gboolean focused = gtk_event_controller_focus_contains_focus (GTK_EVENT_CONTROLLER_FOCUS (focus));

      g_assert_true (actions_shown (rows->pdata[i]) == (pointer || focused));
      if (pointer)
        g_signal_emit_by_name (motion, "leave");
      if (focused)
        gtk_window_set_focus (GTK_WINDOW (window), NULL);
    }
  hearth_test_spin_until (no_actions_shown, rows, 2000);
  for (guint i = 0; i < rows->len; i++)
    g_assert_false (actions_shown (rows->pdata[i]));
  name = shot_name ("actions-hidden", width);
  hearth_test_chat_screenshot (window, name);

  /* The pointer over the second row shows its buttons, and only its. */
  g_signal_emit_by_name (row_controller (rows->pdata[1], GTK_TYPE_EVENT_CONTROLLER_MOTION),
                         "enter", 10.0, 10.0);
  g_assert_true (actions_shown (rows->pdata[1]));
  g_assert_false (actions_shown (rows->pdata[0]));
  g_clear_pointer (&name, g_free);
  name = shot_name ("actions-hover", width);
  hearth_test_chat_screenshot (window, name);
  g_signal_emit_by_name (row_controller (rows->pdata[1], GTK_TYPE_EVENT_CONTROLLER_MOTION),
                         "leave");
  g_assert_false (actions_shown (rows->pdata[1]));

  /* The keyboard reaches them hidden, and they show. */
  copy = hearth_test_find_with_class (row_actions (rows->pdata[0]), GTK_TYPE_BUTTON, NULL);
  g_assert_true (gtk_widget_get_focusable (copy) || gtk_widget_get_focus_on_click (copy));
  g_assert_true (gtk_widget_grab_focus (copy));
  hearth_test_spin_until (actions_shown_cb, rows->pdata[0], 2000);
  g_assert_true (actions_shown (rows->pdata[0]));
  g_assert_false (actions_shown (rows->pdata[2]));

  /* A tap shows them on a touch screen, which has no pointer to hover. */
  g_signal_emit_by_name (row_controller (rows->pdata[3], GTK_TYPE_GESTURE_CLICK), "pressed",
                         1, 10.0, 10.0);
  g_assert_true (actions_shown (rows->pdata[3]));
  hearth_test_chat_close_window (window);
}

/* 4. The title, and the model named once */

static gboolean
titled_new_chat (gpointer title)
{
  return gtk_widget_get_mapped (title)
         && g_strcmp0 (adw_window_title_get_title (title), "New Chat") == 0;
}

static gboolean
titled_by_question (gpointer title)
{
  return gtk_widget_get_mapped (title)
         && g_strcmp0 (adw_window_title_get_title (title), "Why is the sky blue?") == 0;
}

static void
test_title_and_model (gconstpointer data)
{
  int width = GPOINTER_TO_INT (data);
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  HearthWindow *window;
  HearthChatPage *page;
  AdwWindowTitle *title;
  HearthMessageRow *row;

  if (!hearth_test_require_node ())
    return;
  window = window_on_engine (width);
  page = hearth_test_chat_page (window);
  g_action_group_activate_action (G_ACTION_GROUP (app), "new-chat", NULL);
  title = conversation_title (page);
  hearth_test_spin_until (titled_new_chat, title, 2000);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (title)));
  g_assert_cmpstr (adw_window_title_get_title (title), ==, "New Chat");
  g_assert_cmpstr (adw_window_title_get_subtitle (title), ==, "tiny-fixed");

  hearth_test_chat_send_and_wait (page, "Why is the sky blue?");
  hearth_test_spin_until (titled_by_question, title, 2000);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (title)));
  g_assert_cmpstr (adw_window_title_get_title (title), ==, "Why is the sky blue?");

  row = hearth_test_chat_row_for (page, hearth_test_chat_last_item (page));
  g_assert_nonnull (row);
  text = hearth_test_visible_text (GTK_WIDGET (row));
  g_test_message ("row: %s", text);
  g_assert_cmpuint (count (text, "tiny-fixed"), ==, 1);
  g_assert_nonnull (strstr (text, "tokens/s"));
  name = shot_name ("title", width);
  hearth_test_chat_screenshot (window, name);
  hearth_test_chat_close_window (window);
}

/* 5. The model picker speaks of models, not of files */

static gboolean
has_tooltip_about (GtkWidget *widget,
                   gpointer   name)
{
  return g_str_has_prefix (gtk_widget_get_tooltip_text (widget) ?: "", name);
}

static void
test_model_picker (void)
{
  g_autofree char *text = NULL;
  HearthWindow *window;
  HearthChatPage *page;
  GtkWidget *item;
  const char *tooltip;

  if (!hearth_test_require_node ())
    return;
  window = window_on_engine (1280);
  page = hearth_test_chat_page (window);
  hearth_test_chat_select_model (page, "tiny-fixed");
  text = hearth_test_visible_text (GTK_WIDGET (hearth_test_chat_model_dropdown (page)));
  g_assert_cmpstr (g_strstrip (text), ==, "tiny-fixed");

  hearth_test_chat_open_model_picker (page);
  g_clear_pointer (&text, g_free);
  text = hearth_test_visible_text (hearth_test_chat_model_popover (page));
  g_test_message ("picker: %s", text);
  g_assert_nonnull (strstr (text, "tiny-fixed\n"));
  g_assert_nonnull (strstr (text, "kB\n"));
  g_assert_nonnull (strstr (text, "parameters"));
  g_assert_null (strstr (text, "F32"));
  g_assert_null (strstr (text, ":latest"));
  g_assert_null (strstr (text, "("));
  /* The quantization is there for whoever asks. */
  item = hearth_test_find_widget (hearth_test_chat_model_popover (page), has_tooltip_about,
                                  (gpointer) "tiny-fixed");
  g_assert_nonnull (item);
  tooltip = gtk_widget_get_tooltip_text (item);
  g_assert_nonnull (strstr (tooltip, "F32"));
  hearth_test_chat_close_model_picker (page);
  hearth_test_chat_close_window (window);
}

/* 6. Sidebar tooltips only where the title is cut */

#define LONG_TITLE "A conversation whose title is far too long for the sidebar to hold"

static gboolean
is_row_titled (GtkWidget *widget,
               gpointer   title)
{
  return HEARTH_IS_CONVERSATION_ROW (widget) &&
         g_strcmp0 (hearth_conversation_row_get_title (HEARTH_CONVERSATION_ROW (widget)), title) == 0;
}

static gboolean
both_rows_listed (gpointer page)
{
  return hearth_test_find_widget (page, is_row_titled, (gpointer) "Short") != NULL
         && hearth_test_find_widget (page, is_row_titled, (gpointer) LONG_TITLE) != NULL;
}

static void
test_sidebar_tooltips (void)
{
  const char *long_title = LONG_TITLE;
  HearthWindow *window;
  HearthChatPage *page;
  GtkWidget *short_row;
  GtkWidget *long_row;

  hearth_test_chat_create_conversation ("Short", 2);
  hearth_test_chat_create_conversation (long_title, 2);
  hearth_test_chat_use_server (DEAD_SERVER, "");
  window = hearth_test_chat_new_window (1280, 800);
  page = hearth_test_chat_page (window);
  hearth_test_spin_until (both_rows_listed, page, 5000);
  /* laid out at its width: whether a title is cut is known */
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  short_row = hearth_test_find_widget (GTK_WIDGET (page), is_row_titled, (gpointer) "Short");
  long_row = hearth_test_find_widget (GTK_WIDGET (page), is_row_titled, (gpointer) long_title);
  g_assert_nonnull (short_row);
  g_assert_nonnull (long_row);
  g_assert_null (hearth_conversation_row_get_title_tooltip (HEARTH_CONVERSATION_ROW (short_row)));
  g_assert_cmpstr (hearth_conversation_row_get_title_tooltip (HEARTH_CONVERSATION_ROW (long_row)),
                   ==, long_title);
  hearth_test_chat_close_window (window);
}

static void
test_screenshots (void)
{
  if (!hearth_test_require_node ())
    return;
  shoot_states (1280);
  shoot_states (380);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  app = hearth_test_chat_init (&argc, &argv);

  g_test_add_func ("/chat-polish/composer", test_composer);
  g_test_add_data_func ("/chat-polish/dead-server/wide", GINT_TO_POINTER (1280), test_dead_server);
  g_test_add_data_func ("/chat-polish/dead-server/narrow", GINT_TO_POINTER (380), test_dead_server);
  g_test_add_data_func ("/chat-polish/message-actions/wide", GINT_TO_POINTER (1280),
                        test_message_actions);
  g_test_add_data_func ("/chat-polish/message-actions/narrow", GINT_TO_POINTER (380),
                        test_message_actions);
  g_test_add_data_func ("/chat-polish/title/wide", GINT_TO_POINTER (1280), test_title_and_model);
  g_test_add_data_func ("/chat-polish/title/narrow", GINT_TO_POINTER (380), test_title_and_model);
  g_test_add_func ("/chat-polish/model-picker", test_model_picker);
  g_test_add_func ("/chat-polish/sidebar-tooltips", test_sidebar_tooltips);
  g_test_add_func ("/chat-polish/screenshots", test_screenshots);

  status = g_test_run ();
  g_clear_object (&app);
  return status;
}
