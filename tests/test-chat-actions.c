/* test-chat-actions.c — the chat page's message actions, paging, thinking, notifications,
 * keyboard and narrow layout, driven as a person would
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-chat-actions"

#include "config.h"

#include <adwaita.h>
#include <signal.h>

#include "hearth-application.h"
#include "hearth-chat-page.h"
#include "hearth-markdown-view.h"
#include "hearth-message-item.h"
#include "hearth-message-row.h"
#include "hearth-test-chat.h"
#include "hearth-test-dunst.h"
#include "hearth-test-server.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"
#include "hearth-window.h"

#define SENTENCE "The sky is blue because air scatters blue light more than red light."
#define OK_TEXT "Hello from the fault server."
#define THINKING_TEXT "The user asks why the sky is blue; recall Rayleigh scattering."
#define THINKING_ANSWER "Short wavelengths scatter more."
#define N_PAGED 180

static HearthApplication *app;
static GSubprocess *dunst;

/* The store */

/* What is on disk, read through a connection of our own as a restarted Hearth would. */
static GPtrArray *
stored_messages (gint64 conversation_id)
{
  g_autofree char *path = hearth_store_default_path ();
  g_autoptr(HearthStore) store = hearth_store_open (path, NULL);
  g_autoptr(GError) error = NULL;
  GPtrArray *messages;

  g_assert_nonnull (store);
  messages = hearth_store_list_messages (store, conversation_id, 0, 0, &error);
  g_assert_no_error (error);
  return messages;
}

static HearthMessage *
stored (GPtrArray *messages,
        guint      i)
{
  return g_ptr_array_index (messages, i);
}

/* Widgets */

/* Everything the message list shows, row after row. */
static char *
screen_text (HearthChatPage *page)
{
  g_autoptr(GPtrArray) rows = hearth_test_chat_rows_on_screen (page);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < rows->len; i++)
    hearth_test_collect_visible_labels (rows->pdata[i], out);
  return g_string_free (out, FALSE);
}

static GtkAdjustment *
message_vadjustment (HearthChatPage *page)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (hearth_test_chat_message_view (page),
                                                 GTK_TYPE_SCROLLED_WINDOW);

  return gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
}

static const char *
item_text (HearthMessageItem *item)
{
  return hearth_message_item_get_message (item)->content;
}

static GtkWidget *
label_with_prefix (GtkWidget  *widget,
                   const char *prefix)
{
  if (GTK_IS_LABEL (widget) && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (widget)), prefix))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = label_with_prefix (c, prefix);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
button_with_action (GtkWidget  *widget,
                    const char *action)
{
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = button_with_action (c, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* 1. Paging */

static gint64
create_conversation (const char *title,
                     guint       n)
{
  return hearth_test_chat_create_conversation (title, n);
}

typedef struct
{
  HearthChatPage *page;
  guint           n;
} Count;

static gboolean
has_n_messages (gpointer data)
{
  Count *c = data;

  return hearth_test_chat_n_messages (c->page) == c->n;
}

static gboolean
has_more_messages (gpointer data)
{
  Count *c = data;

  return hearth_test_chat_n_messages (c->page) > c->n;
}

static gboolean
scrolled_to_bottom (gpointer data)
{
  GtkAdjustment *adj = message_vadjustment (data);

  return gtk_adjustment_get_upper (adj) > gtk_adjustment_get_page_size (adj) &&
         gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj) >=
         gtk_adjustment_get_upper (adj) - 1;
}

/* The messages shown are Message first … Message first+n-1, in order. */
static void
assert_messages_from (HearthChatPage *page,
                      guint           first)
{
  for (guint i = 0; i < hearth_test_chat_n_messages (page); i++)
    {
      g_autofree char *expected = g_strdup_printf ("Message %03u", first + i);

      g_assert_cmpstr (item_text (hearth_test_chat_nth_item (page, i)), ==, expected);
    }
}

/* As a person dragging the scrollbar to the top. */
static void
scroll_to_top (HearthChatPage *page)
{
  GtkAdjustment *adj = message_vadjustment (page);

  if (gtk_adjustment_get_value (adj) == 0)
    {
      gtk_adjustment_set_value (adj, MIN (40, gtk_adjustment_get_upper (adj) -
                                              gtk_adjustment_get_page_size (adj)));
      hearth_test_wait_drawn (GTK_WIDGET (page), 2000);
    }
  gtk_adjustment_set_value (adj, 0);
}

static gboolean
opened_at_bottom (gpointer data)
{
  return hearth_test_chat_n_messages (data) > 0 && scrolled_to_bottom (data);
}

/* Opens the conversation and waits until it settles. */
static HearthWindow *
open_long_conversation (gint64 id)
{
  HearthWindow *window = hearth_test_chat_open_window ();
  HearthChatPage *page = hearth_test_chat_page (window);

  hearth_window_show_conversation (window, id);
  g_assert_true (hearth_test_spin_until (opened_at_bottom, page, 5000));
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  return window;
}

/* Opening lists what fills the view, not the whole conversation nor even
 * the whole page read: each message listed is a row built and measured
 * before the first frame (bench-open-conversation). */
static void
test_paging_opens_at_bottom (void)
{
  gint64 id = create_conversation ("A long talk", N_PAGED);
  HearthWindow *window = open_long_conversation (id);
  HearthChatPage *page = hearth_test_chat_page (window);
  GtkAdjustment *adj = message_vadjustment (page);
  g_autoptr(GPtrArray) rows = hearth_test_chat_rows_on_screen (page);
  guint listed = hearth_test_chat_n_messages (page);
  g_autofree char *text = NULL;

  hearth_test_chat_screenshot (window, "chat-paging-opened.png");
  text = screen_text (page);
  g_test_message ("opened: %u messages listed, %u rows on screen, scrolled %.0f+%.0f of %.0f",
                  listed, rows->len, gtk_adjustment_get_value (adj),
                  gtk_adjustment_get_page_size (adj), gtk_adjustment_get_upper (adj));
  g_assert_true (scrolled_to_bottom (page));
  g_assert_nonnull (strstr (text, "Message 179"));
  assert_messages_from (page, N_PAGED - listed);
  g_assert_null (strstr (text, "Message 129"));
  /* A screenful, and not much more than another one above it. */
  g_assert_cmpuint (listed, <=, 2 * rows->len + 1);
  hearth_test_chat_close_window (window);
}

/* Scrolling up brings the older messages, in order, to the first one. */
static void
test_paging_scroll_up (void)
{
  gint64 id = create_conversation ("Another long talk", N_PAGED);
  HearthWindow *window = open_long_conversation (id);
  HearthChatPage *page = hearth_test_chat_page (window);
  Count count = { page, 0 };
  guint loaded = hearth_test_chat_n_messages (page);

  assert_messages_from (page, N_PAGED - loaded);
  while (loaded < N_PAGED)
    {
      count.n = loaded;
      scroll_to_top (page);
      g_assert_true (hearth_test_spin_until (has_more_messages, &count, 5000));
      loaded = hearth_test_chat_n_messages (page);
      assert_messages_from (page, N_PAGED - loaded);
      hearth_test_wait_drawn (GTK_WIDGET (page), 2000);
    }

  /* The start of the conversation: nothing more to load, and it is on screen. */
  scroll_to_top (page);
  /* nothing more to load: nothing to wait for but all that is pending */
  hearth_test_wait_drawn (GTK_WIDGET (page), 2000);
  g_assert_cmpuint (hearth_test_chat_n_messages (page), ==, N_PAGED);
  assert_messages_from (page, 0);
  gtk_adjustment_set_value (message_vadjustment (page), 0);
  hearth_test_wait_drawn (GTK_WIDGET (page), 2000);
  {
    g_autofree char *text = screen_text (page);

    g_assert_nonnull (strstr (text, "Message 000"));
  }
  hearth_test_chat_close_window (window);
}

static void
count_batch_above (GListModel *messages,
                   guint       position,
                   guint       removed,
                   guint       added,
                   guint      *batches)
{
  if (position == 0 && added > 0)
    (*batches)++;
}

typedef struct
{
  HearthChatPage *page;
  guint           batches;
} Batches;

static gboolean
two_batches_or_all (gpointer data)
{
  Batches *b = data;

  return b->batches >= 2 || hearth_test_chat_n_messages (b->page) == N_PAGED;
}

/* Reaching the top again while older messages are still being read (or
 * the view still settles): the next ones follow by themselves, with no
 * further scroll. Done all the way up, so that some of the trips find a
 * page being read in the worker. */
static void
test_paging_top_while_loading (void)
{
  gint64 id = create_conversation ("A talk scrolled fast", N_PAGED);
  HearthWindow *window = open_long_conversation (id);
  HearthChatPage *page = hearth_test_chat_page (window);
  GListModel *messages = hearth_chat_page_get_messages (page);
  Batches batches = { page, 0 };
  gulong handler = g_signal_connect (messages, "items-changed", G_CALLBACK (count_batch_above),
                                     &batches.batches);

  while (hearth_test_chat_n_messages (page) < N_PAGED)
    {
      batches.batches = 0;
      /* two trips to the top before the first batch can be drawn: a read
       * runs in a worker, and its result comes back through this main loop */
      scroll_to_top (page);
      gtk_adjustment_set_value (message_vadjustment (page), 40);
      gtk_adjustment_set_value (message_vadjustment (page), 0);
      g_assert_true (hearth_test_spin_until (two_batches_or_all, &batches, 5000));
      assert_messages_from (page, N_PAGED - hearth_test_chat_n_messages (page));
      hearth_test_wait_drawn (GTK_WIDGET (page), 2000);
    }
  g_signal_handler_disconnect (messages, handler);
  hearth_test_chat_close_window (window);
}

/* 2. Edit and resend */

static GtkRevealer *
edit_revealer (HearthChatPage *page)
{
  GtkWidget *label = label_with_prefix (GTK_WIDGET (page), "Editing");

  g_assert_nonnull (label);
  return GTK_REVEALER (gtk_widget_get_ancestor (label, GTK_TYPE_REVEALER));
}

static gboolean
edit_banner_shown (gpointer data)
{
  GtkRevealer *revealer = edit_revealer (data);

  return gtk_revealer_get_reveal_child (revealer) && gtk_revealer_get_child_revealed (revealer);
}

static gboolean
edit_banner_hidden (gpointer data)
{
  GtkRevealer *revealer = edit_revealer (data);

  return !gtk_revealer_get_reveal_child (revealer) && !gtk_revealer_get_child_revealed (revealer);
}

static gboolean
stored_has_id (GPtrArray *messages,
               gint64     id)
{
  for (guint i = 0; i < messages->len; i++)
    if (stored (messages, i)->id == id)
      return TRUE;
  return FALSE;
}

static void
test_edit_and_resend (void)
{
  HearthWindow *window;
  HearthChatPage *page;
  gint64 old_id;
  g_autofree char *composer = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GPtrArray) after_cancel = NULL;

  if (!hearth_test_require_node ())
    return;
  hearth_test_chat_use_server (hearth_test_engine_url (), "tiny-fixed");
  window = hearth_test_chat_open_window ();
  page = hearth_test_chat_page (window);
  g_assert_true (hearth_test_spin_until (hearth_test_chat_models_listed, page, 10000));
  hearth_test_chat_send_and_wait (page, "Why is the sky blue?");
  old_id = hearth_message_item_get_id (hearth_test_chat_nth_item (page, 0));
  g_assert_cmpint (old_id, >, 0);
  g_assert_true (edit_banner_hidden (page));

  gtk_widget_activate_action (GTK_WIDGET (page), "chat.edit-message", "x", old_id);
  composer = hearth_chat_page_dup_composer_text (page);
  g_assert_cmpstr (composer, ==, "Why is the sky blue?");
  g_assert_true (hearth_test_spin_until (edit_banner_shown, page, 2000));
  hearth_test_chat_screenshot (window, "chat-editing.png");

  hearth_chat_page_set_composer_text (page, "Why is the sea blue?");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "chat.send", NULL));
  g_assert_true (hearth_test_spin_until (hearth_test_chat_reply_finished, page, 20000));
  g_assert_true (hearth_test_spin_until (edit_banner_hidden, page, 2000));

  g_assert_cmpuint (hearth_test_chat_n_messages (page), ==, 2);
  g_assert_cmpstr (item_text (hearth_test_chat_nth_item (page, 0)), ==, "Why is the sea blue?");
  g_assert_cmpstr (item_text (hearth_test_chat_nth_item (page, 1)), ==, SENTENCE);
  hearth_test_wait_drawn (GTK_WIDGET (page), 2000);
  rows = hearth_test_chat_rows_on_screen (page);
  g_assert_cmpuint (rows->len, ==, 2);
  text = screen_text (page);
  g_assert_nonnull (strstr (text, "Why is the sea blue?"));
  g_assert_null (strstr (text, "Why is the sky blue?"));

  messages = stored_messages (hearth_chat_page_get_conversation_id (page));
  g_assert_cmpuint (messages->len, ==, 2);
  g_assert_cmpstr (stored (messages, 0)->content, ==, "Why is the sea blue?");
  g_assert_cmpstr (stored (messages, 1)->content, ==, SENTENCE);
  g_assert_false (stored_has_id (messages, old_id));

  /* Cancel: the banner goes, and sending appends. */
  gtk_widget_activate_action (GTK_WIDGET (page), "chat.edit-message", "x",
                              hearth_message_item_get_id (hearth_test_chat_nth_item (page, 0)));
  g_assert_true (hearth_test_spin_until (edit_banner_shown, page, 2000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "chat.cancel-edit", NULL));
  g_assert_true (hearth_test_spin_until (edit_banner_hidden, page, 2000));
  hearth_test_chat_send_and_wait (page, "And the grass?");
  g_assert_cmpuint (hearth_test_chat_n_messages (page), ==, 4);
  g_assert_cmpstr (item_text (hearth_test_chat_nth_item (page, 0)), ==, "Why is the sea blue?");
  g_assert_cmpstr (item_text (hearth_test_chat_nth_item (page, 2)), ==, "And the grass?");
  after_cancel = stored_messages (hearth_chat_page_get_conversation_id (page));
  g_assert_cmpuint (after_cancel->len, ==, 4);
  g_assert_cmpstr (stored (after_cancel, 0)->content, ==, "Why is the sea blue?");
  hearth_test_chat_close_window (window);
}

/* 3. Delete and copy */

static void
text_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  g_assert_no_error (error);
  if (*out == NULL)
    *out = g_strdup ("");
}

static gboolean
is_set (gpointer data)
{
  return *(char **) data != NULL;
}

static char *
read_clipboard (GtkWidget *widget)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, text_read_cb, &text);
  g_assert_true (hearth_test_spin_until (is_set, &text, 5000));
  return text;
}

static gboolean
toast_copied_shown (gpointer data)
{
  g_autofree char *text = hearth_test_visible_text (data);

  return strstr (text, "Copied to clipboard") != NULL;
}

static void
test_delete_and_copy (void)
{
  HearthWindow *window;
  HearthChatPage *page;
  gint64 answer_id;
  g_autofree char *clip = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) messages = NULL;

  if (!hearth_test_require_node ())
    return;
  hearth_test_chat_use_server (hearth_test_fault_url (), "ok");
  window = hearth_test_chat_open_window ();
  page = hearth_test_chat_page (window);
  hearth_test_chat_select_model (page, "ok");
  hearth_test_chat_send_and_wait (page, "Say hello");
  answer_id = hearth_message_item_get_id (hearth_test_chat_last_item (page));

  /* Copy: the exact text, and a toast that says so. */
  gtk_widget_activate_action (GTK_WIDGET (page), "chat.copy-message", "x", answer_id);
  clip = read_clipboard (GTK_WIDGET (page));
  g_assert_cmpstr (clip, ==, OK_TEXT);
  g_assert_true (hearth_test_spin_until (toast_copied_shown, page, 2000));
  hearth_test_chat_screenshot (window, "chat-copied.png");

  /* Delete the answer: gone from the screen and from disk; the question stays. */
  gtk_widget_activate_action (GTK_WIDGET (page), "chat.delete-message", "x", answer_id);
  hearth_test_spin_until (has_n_messages, &(Count) { page, 1 }, 5000);
  hearth_test_wait_drawn (GTK_WIDGET (page), 2000);
  g_assert_cmpuint (hearth_test_chat_n_messages (page), ==, 1);
  g_assert_cmpstr (item_text (hearth_test_chat_nth_item (page, 0)), ==, "Say hello");
  text = screen_text (page);
  g_assert_null (strstr (text, OK_TEXT));
  g_assert_nonnull (strstr (text, "Say hello"));
  messages = stored_messages (hearth_chat_page_get_conversation_id (page));
  g_assert_cmpuint (messages->len, ==, 1);
  g_assert_cmpstr (stored (messages, 0)->content, ==, "Say hello");
  g_assert_false (stored_has_id (messages, answer_id));
  hearth_test_chat_close_window (window);
}

/* 4. Regenerate */

static void
test_regenerate (void)
{
  HearthWindow *window;
  HearthChatPage *page;
  HearthTestReplaced replaced;
  gint64 old_id;
  HearthMessageItem *answer;
  g_autoptr(GPtrArray) messages = NULL;
  g_autofree char *text = NULL;

  if (!hearth_test_require_node ())
    return;
  hearth_test_chat_use_server (hearth_test_engine_url (), "tiny-fixed");
  window = hearth_test_chat_open_window ();
  page = hearth_test_chat_page (window);
  g_assert_true (hearth_test_spin_until (hearth_test_chat_models_listed, page, 10000));
  hearth_test_chat_send_and_wait (page, "Why is the sky blue?");
  replaced.page = page;
  /* Held, so that the new item cannot be allocated where the old one was. */
  replaced.old = g_object_ref (hearth_test_chat_last_item (page));
  old_id = hearth_message_item_get_id (replaced.old);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "chat.regenerate", "x", old_id));
  g_assert_true (hearth_test_spin_until (hearth_test_chat_last_item_replaced, &replaced, 10000));
  g_assert_true (hearth_test_spin_until (hearth_test_chat_reply_finished, page, 20000));

  g_assert_cmpuint (hearth_test_chat_n_messages (page), ==, 2);
  answer = hearth_test_chat_last_item (page);
  g_assert_true (hearth_message_item_is_assistant (answer));
  g_assert_cmpint (hearth_message_item_get_message (answer)->state, ==, HEARTH_MESSAGE_COMPLETE);
  g_assert_cmpstr (item_text (answer), ==, SENTENCE);
  g_assert_cmpint (hearth_message_item_get_id (answer), !=, old_id);
  hearth_test_wait_drawn (GTK_WIDGET (page), 2000);
  text = screen_text (page);
  g_assert_nonnull (strstr (text, SENTENCE));
  g_assert_nonnull (strstr (text, "Why is the sky blue?"));

  messages = stored_messages (hearth_chat_page_get_conversation_id (page));
  g_assert_cmpuint (messages->len, ==, 2);
  g_assert_cmpstr (stored (messages, 0)->role, ==, "user");
  g_assert_cmpstr (stored (messages, 1)->role, ==, "assistant");
  g_assert_cmpint (stored (messages, 1)->id, ==, hearth_message_item_get_id (answer));
  g_assert_false (stored_has_id (messages, old_id));
  g_object_unref (replaced.old);
  hearth_test_chat_close_window (window);
}

/* 5. Thinking */

static void
check_thinking_reply (HearthWindow *window,
                      const char   *shot)
{
  HearthChatPage *page = hearth_test_chat_page (window);
  HearthMessageItem *answer = hearth_test_chat_last_item (page);
  HearthMessageRow *row;
  GtkExpander *expander;
  GtkWidget *markdown;
  g_autofree char *collapsed = NULL;
  g_autofree char *expanded = NULL;
  g_autofree char *answer_text = NULL;
  g_autoptr(GPtrArray) messages = NULL;

  g_assert_cmpstr (item_text (answer), ==, THINKING_ANSWER);
  g_assert_cmpstr (hearth_message_item_get_message (answer)->thinking, ==, THINKING_TEXT);
  hearth_test_wait_drawn (GTK_WIDGET (page), 2000);
  row = hearth_test_chat_row_for (page, answer);
  g_assert_nonnull (row);
  expander = GTK_EXPANDER (hearth_test_find_descendant (GTK_WIDGET (row), GTK_TYPE_EXPANDER));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (expander)));
  g_assert_false (gtk_expander_get_expanded (expander));
  g_assert_cmpstr (gtk_expander_get_label (expander), ==, "Thinking");

  /* Collapsed: the answer shows, the thinking does not; the answer never holds it. */
  collapsed = hearth_test_visible_text (GTK_WIDGET (row));
  g_assert_nonnull (strstr (collapsed, "Thinking"));
  g_assert_null (strstr (collapsed, "Rayleigh"));
  markdown = hearth_test_find_descendant (GTK_WIDGET (row), HEARTH_TYPE_MARKDOWN_VIEW);
  answer_text = hearth_test_visible_text (markdown);
  g_assert_nonnull (strstr (answer_text, THINKING_ANSWER));
  g_assert_null (strstr (answer_text, "Rayleigh"));

  gtk_expander_set_expanded (expander, TRUE);
  hearth_test_wait_for_text (GTK_WIDGET (row), THINKING_TEXT, 2000);
  expanded = hearth_test_visible_text (GTK_WIDGET (row));
  g_assert_nonnull (strstr (expanded, THINKING_TEXT));
  hearth_test_chat_screenshot (window, shot);

  messages = stored_messages (hearth_chat_page_get_conversation_id (page));
  g_assert_cmpuint (messages->len, ==, 2);
  g_assert_cmpstr (stored (messages, 1)->thinking, ==, THINKING_TEXT);
  g_assert_cmpstr (stored (messages, 1)->content, ==, THINKING_ANSWER);
}

static void
test_thinking (gconstpointer data)
{
  const char *api = data;
  HearthWindow *window;
  HearthChatPage *page;

  if (!hearth_test_require_node ())
    return;
  hearth_test_chat_use_server_api (hearth_test_fault_url (), "thinking", api);
  window = hearth_test_chat_open_window ();
  page = hearth_test_chat_page (window);
  hearth_test_chat_select_model (page, "thinking");
  hearth_test_chat_send_and_wait (page, "Why is the sky blue?");
  check_thinking_reply (window, g_str_equal (api, "openai") ? "chat-thinking-openai.png"
                                                            : "chat-thinking.png");
  hearth_test_chat_close_window (window);
  hearth_test_chat_use_server (hearth_test_fault_url (), "ok");
}

/* 6. Notifications through a real daemon */

static gboolean
name_has_owner (GDBusConnection *bus,
                const char      *name)
{
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus",
                                                           "/org/freedesktop/DBus",
                                                           "org.freedesktop.DBus", "NameHasOwner",
                                                           g_variant_new ("(s)", name),
                                                           G_VARIANT_TYPE ("(b)"),
                                                           G_DBUS_CALL_FLAGS_NONE, 1000, NULL, NULL);
  gboolean owned = FALSE;

  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

static gboolean
daemon_up (gpointer data)
{
  return name_has_owner (data, "org.freedesktop.Notifications");
}

static gboolean
owner_is_dunst (GDBusConnection *bus)
{
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.Notifications",
                                       "/org/freedesktop/Notifications",
                                       "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", "org.dunstproject.cmd0",
                                                      "displayedLength"),
                                       G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, 5000,
                                       NULL, NULL);
  return reply != NULL;
}

/* Starts dunst with short timeouts; FALSE (and the test skipped) when it cannot run. */
static gboolean
start_dunst (GDBusConnection *bus)
{
  g_autofree char *config = hearth_test_build_tmp_path ("dunstrc", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_find_program_in_path ("dunst");
  g_autoptr(GSubprocessLauncher) launcher = NULL;

  if (dunst != NULL)
    return TRUE;
  if (path == NULL || g_getenv ("DISPLAY") == NULL)
    {
      g_test_skip ("dunst or DISPLAY missing: no notification daemon to talk to");
      return FALSE;
    }
  if (name_has_owner (bus, "org.freedesktop.Notifications"))
    {
      /* Another test's notification may have had the bus start dunst already
       * (it ships a D-Bus service file): a real dunst is as good as ours. */
      if (owner_is_dunst (bus))
        return TRUE;
      g_test_skip ("a notification daemon that is not dunst owns the name on this bus");
      return FALSE;
    }
  g_file_set_contents (config,
                       "[global]\n  idle_threshold = 0\n  history_length = 20\n"
                       "[urgency_low]\n  timeout = 30\n"
                       "[urgency_normal]\n  timeout = 30\n"
                       "[urgency_critical]\n  timeout = 30\n", -1, &error);
  g_assert_no_error (error);
  /* Our G_DEBUG=fatal-warnings would turn dunst's own GLib warnings into aborts. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_unsetenv (launcher, "MALLOC_CHECK_");
  dunst = g_subprocess_launcher_spawn (launcher, &error, path, "-config", config, NULL);
  g_assert_no_error (error);
  if (!hearth_test_spin_until (daemon_up, bus, 10000))
    {
      g_test_skip ("dunst did not take org.freedesktop.Notifications (is the display usable?)");
      return FALSE;
    }
  return TRUE;
}

static gboolean
notification_displayed (gpointer data)
{
  return hearth_test_dunst_count_on (data, "displayedLength") +
         hearth_test_dunst_count_on (data, "waitingLength") > 0;
}

/* The (summary, body) pairs dunst keeps, newest first, as `dunstctl history` prints them. */
static char *
dunst_history (GDBusConnection *bus)
{
  g_autoptr(GVariant) reply = hearth_test_dunst_call_on (bus, "NotificationListHistory", NULL,
                                                            "(aa{sv})");
  g_autoptr(GVariant) list = g_variant_get_child_value (reply, 0);
  GString *out = g_string_new (NULL);
  GVariantIter iter;
  GVariant *dict;

  g_variant_iter_init (&iter, list);
  while ((dict = g_variant_iter_next_value (&iter)) != NULL)
    {
      const char *summary = NULL;
      const char *body = NULL;

      g_variant_lookup (dict, "summary", "&s", &summary);
      g_variant_lookup (dict, "body", "&s", &body);
      g_string_append_printf (out, "%s|%s\n", summary ? summary : "", body ? body : "");
      g_variant_unref (dict);
    }
  return g_string_free (out, FALSE);
}

static gboolean
window_inactive (gpointer data)
{
  return !gtk_window_is_active (data);
}

typedef struct
{
  HearthChatPage *page;
  gint64          id;
} Shown;

static gboolean
conversation_shown (gpointer data)
{
  Shown *s = data;

  return hearth_chat_page_get_conversation_id (s->page) == s->id &&
         hearth_test_chat_n_messages (s->page) == 2;
}

static void
test_notification (void)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  HearthWindow *window;
  HearthChatPage *page;
  GtkWidget *other = NULL;
  Shown shown;
  g_autofree char *expected = NULL;
  g_autofree char *history = NULL;

  if (!hearth_test_require_node ())
    return;
  if (bus == NULL)
    {
      g_test_skip ("no session bus");
      return;
    }
  if (!start_dunst (bus))
    return;
  hearth_test_chat_use_server (hearth_test_fault_url (), "ok");
  window = hearth_test_chat_open_window ();
  page = hearth_test_chat_page (window);
  hearth_test_chat_select_model (page, "ok");
  hearth_test_spin_for (300);
  g_test_message ("window active after present: %d", gtk_window_is_active (GTK_WINDOW (window)));
  if (gtk_window_is_active (GTK_WINDOW (window)))
    {
      /* Another application's window takes the focus. */
      other = gtk_window_new ();
      gtk_window_present (GTK_WINDOW (other));
      g_assert_true (hearth_test_spin_until (window_inactive, window, 5000));
    }

  hearth_test_chat_send_and_wait (page, "Notify me");
  shown.page = page;
  shown.id = hearth_chat_page_get_conversation_id (page);
  g_assert_true (hearth_test_spin_until (notification_displayed, bus, 5000));

  /* The person clicks the notification after having moved on. */
  hearth_window_new_chat (window);
  g_assert_cmpuint (hearth_test_chat_n_messages (page), ==, 0);
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-conversation",
                                  g_variant_new_int64 (shown.id));
  g_assert_true (hearth_test_spin_until (conversation_shown, &shown, 5000));
  g_assert_cmpstr (item_text (hearth_test_chat_nth_item (page, 1)), ==, OK_TEXT);

  g_clear_pointer (&history, g_free);
  g_variant_unref (hearth_test_dunst_call_on (bus, "NotificationCloseAll", NULL, NULL));
  history = dunst_history (bus);
  g_test_message ("dunst history: %s", history);
  expected = g_strdup_printf ("%s replied|%s\n",
                              hearth_message_item_get_message (
                                hearth_test_chat_nth_item (page, 1))->model,
                              OK_TEXT);
  g_assert_nonnull (strstr (history, expected));
  g_assert_nonnull (strstr (history, "ok:latest replied"));

  if (other != NULL)
    gtk_window_destroy (GTK_WINDOW (other));
  hearth_test_chat_close_window (window);
}

/* 7. Keyboard */

static gboolean
accels_contain (const char *action,
                const char *accel)
{
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), action);

  return g_strv_contains ((const char * const *) accels, accel);
}

static gboolean
has_streamed_text (gpointer data)
{
  HearthReply *reply = hearth_chat_page_get_current_reply (data);

  return reply != NULL && hearth_reply_get_content_length (reply) > 20;
}

/* The action the page's class binds to @keyval with no modifier, from its shortcut controller. */
static GtkShortcutAction *
class_binding (GtkWidget *widget,
               guint      keyval)
{
  g_autoptr(GPtrArray) shortcuts = hearth_test_keyval_shortcuts (widget);

  for (guint i = 0; i < shortcuts->len; i++)
    {
      GtkShortcut *shortcut = g_ptr_array_index (shortcuts, i);
      GtkKeyvalTrigger *trigger = GTK_KEYVAL_TRIGGER (gtk_shortcut_get_trigger (shortcut));

      /* the controller keeps the shortcut, and its action, alive */
      if (gtk_keyval_trigger_get_keyval (trigger) == keyval &&
          gtk_keyval_trigger_get_modifiers (trigger) == 0)
        return gtk_shortcut_get_action (shortcut);
    }
  return NULL;
}

/* The key controller the page put on its composer (found by its handler's data). */
static GtkEventController *
composer_keys (HearthChatPage *page)
{
  GtkWidget *view = hearth_test_find_descendant (GTK_WIDGET (page), GTK_TYPE_TEXT_VIEW);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (view);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller) &&
          g_signal_handler_find (controller, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, page) != 0)
        return GTK_EVENT_CONTROLLER (controller);
    }
  return NULL;
}

static gboolean
press (GtkEventController *keys,
       guint               keyval,
       GdkModifierType     state)
{
  gboolean handled = FALSE;

  g_signal_emit_by_name (keys, "key-pressed", keyval, 0, state, &handled);
  return handled;
}

static void
test_keyboard (void)
{
  HearthWindow *window;
  HearthChatPage *page;
  GtkStack *stack;
  GtkShortcutAction *escape;
  GtkEventController *keys;
  g_autofree char *composer = NULL;

  g_assert_true (accels_contain ("app.new-chat", "<Control>n"));
  g_assert_true (accels_contain ("app.preferences", "<Control>comma"));
  if (!hearth_test_require_node ())
    return;
  hearth_test_chat_use_server (hearth_test_fault_url (), "slow");
  window = hearth_test_chat_open_window ();
  page = hearth_test_chat_page (window);
  stack = GTK_STACK (gtk_widget_get_ancestor (hearth_test_chat_message_view (page),
                                              GTK_TYPE_STACK));
  hearth_test_chat_select_model (page, "slow");

  /* Escape stops the streaming reply: the class binding, activated as GTK does on the key. */
  hearth_test_chat_send (page, "Tell me a long story");
  g_assert_true (hearth_test_spin_until (has_streamed_text, page, 10000));
  escape = class_binding (GTK_WIDGET (page), GDK_KEY_Escape);
  g_assert_nonnull (escape);
  g_assert_true (gtk_shortcut_action_activate (escape, GTK_SHORTCUT_ACTION_EXCLUSIVE,
                                               GTK_WIDGET (page), NULL));
  g_assert_true (hearth_test_spin_until (hearth_test_chat_reply_finished, page, 5000));
  g_assert_cmpint (hearth_message_item_get_message (hearth_test_chat_last_item (page))->state, ==,
                   HEARTH_MESSAGE_CANCELLED);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "messages");

  /* Ctrl+N: an empty page with the welcome. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "new-chat", NULL);
  g_assert_cmpuint (hearth_test_chat_n_messages (page), ==, 0);
  g_assert_cmpint (hearth_chat_page_get_conversation_id (page), ==, -1);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "welcome");

  /* Shift+Enter is left to the text view (a new line); Enter sends. */
  hearth_test_chat_use_server (hearth_test_fault_url (), "ok");
  hearth_test_chat_select_model (page, "ok");
  keys = composer_keys (page);
  g_assert_nonnull (keys);
  hearth_chat_page_set_composer_text (page, "First line");
  g_assert_false (press (keys, GDK_KEY_Return, GDK_SHIFT_MASK));
  g_assert_cmpuint (hearth_test_chat_n_messages (page), ==, 0);
  g_assert_true (press (keys, GDK_KEY_Return, 0));
  g_assert_cmpuint (hearth_test_chat_n_messages (page), ==, 2);
  composer = hearth_chat_page_dup_composer_text (page);
  g_assert_cmpstr (composer, ==, "");
  g_assert_true (hearth_test_spin_until (hearth_test_chat_reply_finished, page, 10000));
  g_assert_cmpstr (item_text (hearth_test_chat_nth_item (page, 0)), ==, "First line");
  hearth_test_chat_close_window (window);
}

/* 8. Narrow window */

static AdwLeaflet *
leaflet (HearthWindow *window)
{
  return ADW_LEAFLET (hearth_test_find_descendant (GTK_WIDGET (window), ADW_TYPE_LEAFLET));
}

static gboolean
folded (gpointer data)
{
  return adw_leaflet_get_folded (leaflet (data)) &&
         gtk_widget_get_width (GTK_WIDGET (data)) <= 420;
}

static gboolean
showing (HearthWindow *window,
         const char   *name)
{
  AdwLeaflet *l = leaflet (window);

  return g_strcmp0 (adw_leaflet_get_visible_child_name (l), name) == 0 &&
         !adw_leaflet_get_child_transition_running (l);
}

static gboolean
showing_content (gpointer data)
{
  return showing (data, "content");
}

static gboolean
showing_sidebar (gpointer data)
{
  return showing (data, "sidebar");
}

static GtkWidget *
sidebar (HearthWindow *window)
{
  return hearth_test_find_with_class (GTK_WIDGET (window), GTK_TYPE_BOX, "chat-sidebar");
}

static void
test_narrow (void)
{
  gint64 id = create_conversation ("Narrow talk", 2);
  HearthWindow *window = hearth_test_chat_new_window (400, 700);
  HearthChatPage *page = hearth_test_chat_page (window);
  GtkWidget *back = button_with_action (GTK_WIDGET (page), "chat.show-sidebar");
  GtkWidget *list_view;
  Shown shown = { page, id };

  g_assert_true (hearth_test_spin_until (folded, window, 5000));
  hearth_test_chat_screenshot (window, "chat-narrow-start.png");

  hearth_window_show_conversation (window, id);
  g_assert_true (hearth_test_spin_until (conversation_shown, &shown, 5000));
  g_assert_true (hearth_test_spin_until (showing_content, window, 5000));
  g_assert_false (gtk_widget_get_mapped (sidebar (window)));
  g_assert_true (gtk_widget_get_mapped (back));
  hearth_test_chat_screenshot (window, "chat-narrow-content.png");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "chat.show-sidebar", NULL));
  g_assert_true (hearth_test_spin_until (showing_sidebar, window, 5000));
  g_assert_true (gtk_widget_get_mapped (sidebar (window)));
  g_assert_false (gtk_widget_get_mapped (back));
  hearth_test_chat_screenshot (window, "chat-narrow-sidebar.png");

  /* Picking the conversation (the newest, so the first row) returns to it. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "new-chat", NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "chat.show-sidebar", NULL));
  g_assert_true (hearth_test_spin_until (showing_sidebar, window, 5000));
  list_view = hearth_test_find_with_class (sidebar (window), GTK_TYPE_LIST_VIEW, NULL);
  g_assert_nonnull (list_view);
  gtk_widget_activate_action (list_view, "list.activate-item", "u", 0);
  g_assert_true (hearth_test_spin_until (conversation_shown, &shown, 5000));
  g_assert_true (hearth_test_spin_until (showing_content, window, 5000));
  g_assert_false (gtk_widget_get_mapped (sidebar (window)));
  hearth_test_chat_screenshot (window, "chat-narrow-picked.png");
  hearth_test_chat_close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  app = hearth_test_chat_init (&argc, &argv);

  g_test_add_func ("/chat-actions/paging/opens-at-bottom", test_paging_opens_at_bottom);
  g_test_add_func ("/chat-actions/paging/scroll-up", test_paging_scroll_up);
  g_test_add_func ("/chat-actions/paging/top-while-loading", test_paging_top_while_loading);
  g_test_add_func ("/chat-actions/edit-and-resend", test_edit_and_resend);
  g_test_add_func ("/chat-actions/delete-and-copy", test_delete_and_copy);
  g_test_add_func ("/chat-actions/regenerate", test_regenerate);
  g_test_add_data_func ("/chat-actions/thinking/ollama", "ollama", test_thinking);
  g_test_add_data_func ("/chat-actions/thinking/openai", "openai", test_thinking);
  g_test_add_func ("/chat-actions/notification", test_notification);
  g_test_add_func ("/chat-actions/keyboard", test_keyboard);
  g_test_add_func ("/chat-actions/narrow", test_narrow);

  status = g_test_run ();
  if (dunst != NULL)
    {
      g_subprocess_send_signal (dunst, SIGTERM);
      g_subprocess_wait (dunst, NULL, NULL);
      g_clear_object (&dunst);
    }
  g_clear_object (&app);
  return status;
}
