/* test-chat.c — the chat page end to end: real widgets, the real test engine
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-chat"

#include "config.h"

#include <adwaita.h>

#include "hearth-application.h"
#include "hearth-chat-page.h"
#include "hearth-markdown-view.h"
#include "hearth-secrets.h"
#include "hearth-message-item.h"
#include "hearth-message-row.h"
#include "hearth-test-chat.h"
#include "hearth-test-server.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"
#include "hearth-window.h"

#define SENTENCE "The sky is blue because air scatters blue light more than red light."

static HearthApplication *app;

static GtkWidget *
visible_button_with_label (GtkWidget  *widget,
                           const char *label)
{
  if (!gtk_widget_get_visible (widget))
    return NULL;
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = visible_button_with_label (c, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_chat_reply_with_figures (void)
{
  HearthWindow *window;
  HearthChatPage *page;
  HearthMessageItem *item;
  HearthMessageRow *row;
  g_autofree char *text = NULL;
  g_autofree char *composer = NULL;

  if (!hearth_test_require_node ())
    return;
  hearth_test_chat_use_server (hearth_test_engine_url (), "tiny-fixed");
  window = hearth_test_chat_open_window ();
  page = hearth_test_chat_page (window);
  g_assert_true (hearth_test_spin_until (hearth_test_chat_models_listed, page, 10000));

  hearth_test_chat_send (page, "Why is the sky blue?");
  g_assert_true (hearth_test_spin_until (hearth_test_chat_reply_finished, page, 20000));

  item = hearth_test_chat_last_item (page);
  g_assert_cmpstr (hearth_message_item_get_message (item)->content, ==, SENTENCE);
  g_assert_cmpint (hearth_message_item_get_message (item)->state, ==, HEARTH_MESSAGE_COMPLETE);
  composer = hearth_chat_page_dup_composer_text (page);
  g_assert_cmpstr (composer, ==, "");

  hearth_test_wait_drawn (GTK_WIDGET (page), 2000);
  row = hearth_test_chat_row_for (page, item);
  g_assert_nonnull (row);
  text = hearth_test_visible_text (GTK_WIDGET (row));
  g_test_message ("row: %s", text);
  g_assert_nonnull (strstr (text, SENTENCE));
  g_assert_nonnull (strstr (text, "tokens/s"));
  g_assert_nonnull (strstr (text, "to first token"));
  g_assert_nonnull (strstr (text, "tiny-fixed"));
  hearth_test_chat_screenshot (window, "chat-reply.png");
  hearth_test_chat_close_window (window);
}

static gboolean
has_streamed_text (gpointer data)
{
  HearthReply *reply = hearth_chat_page_get_current_reply (data);

  return reply != NULL && hearth_reply_get_content_length (reply) > 20;
}

/* A window whose reply streams from the fault server's "slow" model (200
 * words, 50 ms apart), once its first words are on screen. */
static HearthWindow *
start_slow_reply (HearthChatPage **page)
{
  HearthWindow *window;

  hearth_test_chat_use_server (hearth_test_fault_url (), "slow");
  window = hearth_test_chat_open_window ();
  *page = hearth_test_chat_page (window);
  hearth_test_chat_select_model (*page, "slow");
  hearth_test_chat_send (*page, "Tell me a long story");
  g_assert_true (hearth_test_spin_until (has_streamed_text, *page, 10000));
  return window;
}

static void
test_chat_cancel_keeps_partial (void)
{
  HearthWindow *window;
  HearthChatPage *page;
  HearthMessageItem *item;
  g_autofree char *text = NULL;
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(GPtrArray) stored = NULL;
  g_autofree char *path = hearth_store_default_path ();

  if (!hearth_test_require_node ())
    return;
  window = start_slow_reply (&page);
  /* Escape stops the reply, as the Stop button does. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "chat.stop", NULL));
  g_assert_true (hearth_test_spin_until (hearth_test_chat_reply_finished, page, 5000));

  item = hearth_test_chat_last_item (page);
  g_assert_cmpint (hearth_message_item_get_message (item)->state, ==, HEARTH_MESSAGE_CANCELLED);
  g_assert_cmpuint (strlen (hearth_message_item_get_message (item)->content), >, 20);
  hearth_test_wait_drawn (GTK_WIDGET (page), 2000);
  text = hearth_test_visible_text (GTK_WIDGET (hearth_test_chat_row_for (page, item)));
  g_assert_nonnull (strstr (text, "Stopped"));

  store = hearth_store_open (path, NULL);
  stored = hearth_store_list_messages (store, hearth_chat_page_get_conversation_id (page), 0, 0, NULL);
  g_assert_cmpuint (stored->len, ==, 2);
  g_assert_cmpint (((HearthMessage *) stored->pdata[1])->state, ==, HEARTH_MESSAGE_CANCELLED);
  g_assert_cmpstr (((HearthMessage *) stored->pdata[1])->content, ==,
                   hearth_message_item_get_message (item)->content);
  hearth_test_chat_screenshot (window, "chat-cancelled.png");
  hearth_test_chat_close_window (window);
}

/* The conversation is deleted (by another copy of Hearth) while its reply
 * streams: the reply stays on screen, and says under its text that it was
 * not saved and how to keep it. (A full disk takes the same path; the
 * engine's tests fill one.) */
typedef struct
{
  HearthChatPage *page;
  const char     *needle;
} RowTextWait;

static gboolean
last_row_says (gpointer user_data)
{
  RowTextWait *wait = user_data;
  HearthMessageItem *item = hearth_test_chat_last_item (wait->page);
  HearthMessageRow *row = item != NULL ? hearth_test_chat_row_for (wait->page, item) : NULL;
  g_autofree char *text = row != NULL ? hearth_test_visible_text (GTK_WIDGET (row)) : NULL;

  return text != NULL && strstr (text, wait->needle) != NULL;
}

static void
test_chat_not_saved (void)
{
  HearthWindow *window;
  HearthChatPage *page;
  HearthMessageItem *item;
  g_autoptr(HearthStore) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = hearth_store_default_path ();
  RowTextWait wait;

  if (!hearth_test_require_node ())
    return;
  window = start_slow_reply (&page);
  other = hearth_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (hearth_store_delete_conversation (other, hearth_chat_page_get_conversation_id (page),
                                                   &error));
  g_assert_no_error (error);
  g_assert_true (hearth_test_spin_until (hearth_test_chat_reply_finished, page, 30000));

  wait = (RowTextWait) { page, "Not saved: its conversation was deleted. Copy it to keep it." };
  g_assert_true (hearth_test_spin_until (last_row_says, &wait, 5000));
  item = hearth_test_chat_last_item (page);
  g_assert_nonnull (hearth_message_item_get_save_error (item));
  g_assert_nonnull (strstr (hearth_message_item_get_message (item)->content, "t199"));
  /* The fault server claims a microsecond a token; its 200 tokens took
   * 10 s to come (50 ms apart): the speed shown is what arrived. */
  g_assert_cmpfloat (hearth_message_item_get_message (item)->figures.tokens_per_s, >, 10);
  g_assert_cmpfloat (hearth_message_item_get_message (item)->figures.tokens_per_s, <, 30);
  hearth_test_chat_screenshot (window, "chat-not-saved.png");
  hearth_test_chat_close_window (window);
}

static void
test_chat_error_and_retry (void)
{
  HearthTestReplaced retried;
  HearthWindow *window;
  HearthChatPage *page;
  HearthMessageItem *item;
  HearthMessageRow *row;
  GtkWidget *retry;
  g_autofree char *text = NULL;

  if (!hearth_test_require_node ())
    return;
  hearth_test_chat_use_server (hearth_test_fault_url (), "drop-mid-stream");
  window = hearth_test_chat_open_window ();
  page = hearth_test_chat_page (window);
  hearth_test_chat_select_model (page, "drop-mid-stream");

  hearth_test_chat_send (page, "This will break");
  g_assert_true (hearth_test_spin_until (hearth_test_chat_reply_finished, page, 10000));
  item = hearth_test_chat_last_item (page);
  g_assert_cmpint (hearth_message_item_get_message (item)->state, ==, HEARTH_MESSAGE_FAILED);
  hearth_test_wait_drawn (GTK_WIDGET (page), 2000);
  row = hearth_test_chat_row_for (page, item);
  text = hearth_test_visible_text (GTK_WIDGET (row));
  g_test_message ("failed row: %s", text);
  /* What happened, what to do, and the partial text kept. */
  g_assert_nonnull (strstr (text, "Partial answer"));
  g_assert_nonnull (strstr (text, "The server ended the stream early, after part of the reply had arrived"));
  g_assert_null (strstr (text, "tokens/s"));
  g_assert_nonnull (strstr (text, "try again"));
  hearth_test_chat_screenshot (window, "chat-failed.png");

  /* Retry with a model that works. */
  hearth_test_chat_select_model (page, "ok");
  retry = visible_button_with_label (GTK_WIDGET (row), "_Retry");
  g_assert_nonnull (retry);
  gtk_widget_activate (retry);
  /* Activation is not synchronous: wait for the new reply to replace the old. */
  retried.page = page;
  retried.old = g_object_ref (item);
  g_assert_true (hearth_test_spin_until (hearth_test_chat_last_item_replaced, &retried, 10000));
  g_object_unref (retried.old);
  g_assert_true (hearth_test_spin_until (hearth_test_chat_reply_finished, page, 10000));
  g_assert_cmpuint (g_list_model_get_n_items (hearth_chat_page_get_messages (page)), ==, 2);
  item = hearth_test_chat_last_item (page);
  g_assert_cmpint (hearth_message_item_get_message (item)->state, ==, HEARTH_MESSAGE_COMPLETE);
  g_assert_cmpstr (hearth_message_item_get_message (item)->content, ==,
                   "Hello from the fault server.");
  hearth_test_chat_close_window (window);
}

static void
test_chat_markup_literal (void)
{
  HearthWindow *window;
  HearthChatPage *page;
  HearthMessageRow *row;
  g_autofree char *text = NULL;

  if (!hearth_test_require_node ())
    return;
  hearth_test_chat_use_server (hearth_test_fault_url (), "markup");
  window = hearth_test_chat_open_window ();
  page = hearth_test_chat_page (window);
  hearth_test_chat_select_model (page, "markup");
  hearth_test_chat_send (page, "Say something hostile");
  g_assert_true (hearth_test_spin_until (hearth_test_chat_reply_finished, page, 10000));
  hearth_test_wait_drawn (GTK_WIDGET (page), 2000);

  row = hearth_test_chat_row_for (page, hearth_test_chat_last_item (page));
  text = hearth_test_visible_text (GTK_WIDGET (row));
  g_test_message ("markup row: %s", text);
  g_assert_nonnull (strstr (text, "<b>bold</b> & </span> <i>"));
  g_assert_nonnull (strstr (text, "%s %n"));
  /* The bell and the right-to-left override are shown, not obeyed. */
  g_assert_null (strchr (text, '\a'));
  g_assert_null (strstr (text, "\u202e"));
  hearth_test_chat_screenshot (window, "chat-markup.png");
  hearth_test_chat_close_window (window);
}

/* A key in the keyring reaches the server, though no variable names it. */
static void
test_chat_key_from_keyring (void)
{
  g_autoptr(GError) error = NULL;
  HearthWindow *window;
  HearthChatPage *page;

  if (!hearth_test_require_node ())
    return;
  g_unsetenv ("HEARTH_API_KEY");
  if (!hearth_secrets_store_sync (hearth_test_fault_url (), "sekrit", NULL, &error))
    {
      g_autofree char *why = g_strdup_printf ("no Secret Service to hold the key: %s",
                                              error->message);
      g_printerr ("\n*** SKIPPED: %s ***\n\n", why);
      g_test_skip (why);
      return;
    }
  hearth_test_chat_use_server_api (hearth_test_fault_url (), "auth", "openai");
  window = hearth_test_chat_open_window ();
  page = hearth_test_chat_page (window);
  hearth_test_chat_select_model (page, "auth");
  hearth_test_chat_send (page, "Let me in");
  g_assert_true (hearth_test_spin_until (hearth_test_chat_reply_finished, page, 10000));
  g_assert_cmpint (hearth_message_item_get_message (hearth_test_chat_last_item (page))->state, ==,
                   HEARTH_MESSAGE_COMPLETE);
  g_assert_cmpstr (hearth_message_item_get_message (hearth_test_chat_last_item (page))->content, ==,
                   "Hello from the fault server.");
  hearth_test_chat_close_window (window);
  g_assert_true (hearth_secrets_delete_sync (hearth_test_fault_url (), NULL, &error));
  hearth_test_chat_use_server_api (hearth_test_fault_url (), "", "ollama");
}

static gboolean
conversation_loaded (gpointer data)
{
  return g_list_model_get_n_items (hearth_chat_page_get_messages (data)) >= 2;
}

static void
test_chat_survives_restart (void)
{
  HearthWindow *window;
  HearthChatPage *page;
  gint64 id;
  HearthMessageItem *item;

  if (!hearth_test_require_node ())
    return;
  hearth_test_chat_use_server (hearth_test_engine_url (), "tiny-fixed");
  window = hearth_test_chat_open_window ();
  page = hearth_test_chat_page (window);
  g_assert_true (hearth_test_spin_until (hearth_test_chat_models_listed, page, 10000));
  hearth_test_chat_send (page, "Remember this question");
  g_assert_true (hearth_test_spin_until (hearth_test_chat_reply_finished, page, 20000));
  id = hearth_chat_page_get_conversation_id (page);
  hearth_test_chat_close_window (window);

  /* A new window reads the conversation back from disk. */
  window = hearth_test_chat_open_window ();
  page = hearth_test_chat_page (window);
  g_assert_cmpuint (g_list_model_get_n_items (hearth_chat_page_get_messages (page)), ==, 0);
  hearth_window_show_conversation (window, id);
  g_assert_true (hearth_test_spin_until (conversation_loaded, page, 5000));
  item = g_list_model_get_item (hearth_chat_page_get_messages (page), 0);
  g_assert_cmpstr (hearth_message_item_get_message (item)->content, ==, "Remember this question");
  g_object_unref (item);
  g_assert_cmpstr (hearth_message_item_get_message (hearth_test_chat_last_item (page))->content,
                   ==, SENTENCE);
  hearth_test_chat_close_window (window);
}

/* A deterministic question asked twice: the second answer is marked cached,
 * and Generate Fresh asks the model again. */
static void
test_chat_cached_badge (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  HearthWindow *window;
  HearthChatPage *page;
  HearthMessageItem *item;
  HearthMessageRow *row;
  GtkWidget *fresh;
  g_autofree char *text = NULL;
  HearthTestReplaced regenerated;

  if (!hearth_test_require_node ())
    return;
  hearth_test_chat_use_server (hearth_test_engine_url (), "tiny-fixed");
  g_settings_set_double (settings, "temperature", 0);
  window = hearth_test_chat_open_window ();
  page = hearth_test_chat_page (window);
  g_assert_true (hearth_test_spin_until (hearth_test_chat_models_listed, page, 10000));

  hearth_test_chat_send (page, "What is a cache?");
  g_assert_true (hearth_test_spin_until (hearth_test_chat_reply_finished, page, 20000));
  g_assert_false (hearth_message_item_get_cached (hearth_test_chat_last_item (page)));

  hearth_chat_page_new_chat (page);
  hearth_test_chat_send (page, "What is a cache?");
  g_assert_true (hearth_test_spin_until (hearth_test_chat_reply_finished, page, 20000));
  item = hearth_test_chat_last_item (page);
  g_assert_true (hearth_message_item_get_cached (item));
  g_assert_cmpstr (hearth_message_item_get_message (item)->content, ==, SENTENCE);
  hearth_test_wait_drawn (GTK_WIDGET (page), 2000);
  row = hearth_test_chat_row_for (page, item);
  text = hearth_test_visible_text (GTK_WIDGET (row));
  g_test_message ("cached row: %s", text);
  g_assert_nonnull (strstr (text, "Cached · saved"));
  hearth_test_chat_screenshot (window, "chat-cached.png");

  fresh = visible_button_with_label (GTK_WIDGET (row), "Generate _Fresh");
  g_assert_nonnull (fresh);
  regenerated.page = page;
  regenerated.old = g_object_ref (item);
  gtk_widget_activate (fresh);
  g_assert_true (hearth_test_spin_until (hearth_test_chat_last_item_replaced, &regenerated, 10000));
  g_object_unref (regenerated.old);
  g_assert_true (hearth_test_spin_until (hearth_test_chat_reply_finished, page, 20000));
  g_assert_false (hearth_message_item_get_cached (hearth_test_chat_last_item (page)));
  g_assert_cmpstr (hearth_message_item_get_message (hearth_test_chat_last_item (page))->content,
                   ==, SENTENCE);

  g_settings_reset (settings, "temperature");
  hearth_test_chat_close_window (window);
}

static void
test_chat_unreachable (void)
{
  HearthWindow *window;
  HearthChatPage *page;
  GtkStack *stack;

  hearth_test_chat_use_server ("http://127.0.0.1:9", "");
  window = hearth_test_chat_open_window ();
  page = hearth_test_chat_page (window);
  stack = GTK_STACK (hearth_test_find_descendant (GTK_WIDGET (page), GTK_TYPE_STACK));
  while (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "unreachable") != 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (visible_button_with_label (GTK_WIDGET (page), "_Retry"));
  g_assert_nonnull (visible_button_with_label (GTK_WIDGET (page), "Run _Setup"));
  hearth_test_chat_screenshot (window, "chat-unreachable.png");
  hearth_test_chat_close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  app = hearth_test_chat_init (&argc, &argv);

  g_test_add_func ("/chat/reply-with-figures", test_chat_reply_with_figures);
  g_test_add_func ("/chat/cancel-keeps-partial", test_chat_cancel_keeps_partial);
  g_test_add_func ("/chat/error-and-retry", test_chat_error_and_retry);
  g_test_add_func ("/chat/not-saved", test_chat_not_saved);
  g_test_add_func ("/chat/markup-literal", test_chat_markup_literal);
  g_test_add_func ("/chat/survives-restart", test_chat_survives_restart);
  g_test_add_func ("/chat/cached-badge", test_chat_cached_badge);
  g_test_add_func ("/chat/unreachable", test_chat_unreachable);
  g_test_add_func ("/chat/key-from-keyring", test_chat_key_from_keyring);

  status = g_test_run ();
  g_clear_object (&app);
  return status;
}
