/* test-chat.c — the chat page end to end: real widgets, the real test engine
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-chat"

#include "config.h"

#include <adwaita.h>

#include "hearth-application.h"
#include "hearth-chat-page.h"
#include "hearth-markdown-view.h"
#include "hearth-message-item.h"
#include "hearth-message-row.h"
#include "hearth-test-server.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"
#include "hearth-window.h"

#define SENTENCE "The sky is blue because air scatters blue light more than red light."

static HearthApplication *app;
static HearthTestServer *engine_server;
static HearthTestServer *fault_server;

static const char *
engine_url (void)
{
  if (engine_server == NULL)
    {
      g_autofree char *fixed = hearth_test_make_model ("fixed", "tiny-fixed");
      g_autofree char *models = g_path_get_dirname (fixed);
      const char *args[] = { "--models", models, NULL };

      engine_server = hearth_test_server_start ("server.mjs", args);
    }
  return hearth_test_server_get_url (engine_server);
}

static const char *
fault_url (void)
{
  if (fault_server == NULL)
    fault_server = hearth_test_server_start ("fault-server.mjs", NULL);
  return hearth_test_server_get_url (fault_server);
}

static void
use_server (const char *url,
            const char *model)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  g_settings_set_string (settings, "default-model", model);
  g_settings_set_string (settings, "api-kind", "ollama");
  g_settings_set_string (settings, "endpoint", url);
}

static HearthChatPage *
chat_page (HearthWindow *window)
{
  return HEARTH_CHAT_PAGE (hearth_test_find_descendant (GTK_WIDGET (window), HEARTH_TYPE_CHAT_PAGE));
}

static GtkDropDown *
model_dropdown (HearthChatPage *page)
{
  return GTK_DROP_DOWN (hearth_test_find_descendant (GTK_WIDGET (page), GTK_TYPE_DROP_DOWN));
}

static gboolean
models_listed (gpointer data)
{
  GListModel *model = gtk_drop_down_get_model (model_dropdown (data));

  return model != NULL && g_list_model_get_n_items (model) > 0;
}

/* Picks @name in the model picker, as a person would. */
static void
select_model (HearthChatPage *page,
              const char     *name)
{
  GtkDropDown *dropdown = model_dropdown (page);
  GListModel *model;

  g_assert_true (hearth_test_spin_until (models_listed, page, 10000));
  model = gtk_drop_down_get_model (dropdown);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      const char *label = gtk_string_list_get_string (GTK_STRING_LIST (model), i);

      if (g_str_has_prefix (label, name) && label[strlen (name)] == ':')
        {
          gtk_drop_down_set_selected (dropdown, i);
          return;
        }
    }
  g_error ("model %s is not listed", name);
}

static HearthWindow *
open_window (void)
{
  HearthWindow *window = hearth_window_new (app);

  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
close_window (HearthWindow *window)
{
  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  hearth_test_spin_for (100);
  g_assert_finalize_object (window);
}

static gboolean
reply_finished (gpointer data)
{
  HearthChatPage *page = data;

  return g_list_model_get_n_items (hearth_chat_page_get_messages (page)) >= 2 &&
         hearth_chat_page_get_current_reply (page) == NULL;
}

static void
send (HearthChatPage *page,
      const char     *text)
{
  hearth_chat_page_set_composer_text (page, text);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "chat.send", NULL));
}

static HearthMessageItem *
last_item (HearthChatPage *page)
{
  GListModel *messages = hearth_chat_page_get_messages (page);
  guint n = g_list_model_get_n_items (messages);
  HearthMessageItem *item;

  g_assert_cmpuint (n, >, 0);
  item = g_list_model_get_item (messages, n - 1);
  g_object_unref (item);
  return item;
}

/* The row on screen that shows @item. */
static HearthMessageRow *
row_for (HearthChatPage    *page,
         HearthMessageItem *item)
{
  GtkWidget *view = hearth_test_find_descendant (GTK_WIDGET (page), GTK_TYPE_LIST_VIEW);
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();

  g_ptr_array_add (stack, view);
  while (stack->len > 0)
    {
      GtkWidget *widget = g_ptr_array_steal_index (stack, stack->len - 1);

      if (HEARTH_IS_MESSAGE_ROW (widget) &&
          hearth_message_row_get_item (HEARTH_MESSAGE_ROW (widget)) == item)
        return HEARTH_MESSAGE_ROW (widget);
      for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
        g_ptr_array_add (stack, c);
    }
  return NULL;
}

static void
collect_visible_labels (GtkWidget *widget,
                        GString   *out)
{
  if (!gtk_widget_get_visible (widget))
    return;
  if (GTK_IS_LABEL (widget))
    {
      g_string_append (out, gtk_label_get_text (GTK_LABEL (widget)));
      g_string_append_c (out, '\n');
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    collect_visible_labels (c, out);
}

static char *
row_text (HearthMessageRow *row)
{
  GString *out = g_string_new (NULL);

  collect_visible_labels (GTK_WIDGET (row), out);
  return g_string_free (out, FALSE);
}

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
screenshot (HearthWindow *window,
            const char   *name)
{
  g_autofree char *path = NULL;

  hearth_test_spin_for (300);
  path = hearth_test_save_screenshot (GTK_WIDGET (window), name);
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
  use_server (engine_url (), "tiny-fixed");
  window = open_window ();
  page = chat_page (window);
  g_assert_true (hearth_test_spin_until (models_listed, page, 10000));

  send (page, "Why is the sky blue?");
  g_assert_true (hearth_test_spin_until (reply_finished, page, 20000));

  item = last_item (page);
  g_assert_cmpstr (hearth_message_item_get_message (item)->content, ==, SENTENCE);
  g_assert_cmpint (hearth_message_item_get_message (item)->state, ==, HEARTH_MESSAGE_COMPLETE);
  composer = hearth_chat_page_dup_composer_text (page);
  g_assert_cmpstr (composer, ==, "");

  hearth_test_spin_for (200);
  row = row_for (page, item);
  g_assert_nonnull (row);
  text = row_text (row);
  g_test_message ("row: %s", text);
  g_assert_nonnull (strstr (text, SENTENCE));
  g_assert_nonnull (strstr (text, "tokens/s"));
  g_assert_nonnull (strstr (text, "to first token"));
  g_assert_nonnull (strstr (text, "tiny-fixed"));
  screenshot (window, "chat-reply.png");
  close_window (window);
}

static gboolean
has_streamed_text (gpointer data)
{
  HearthReply *reply = hearth_chat_page_get_current_reply (data);

  return reply != NULL && hearth_reply_get_content_length (reply) > 20;
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
  use_server (fault_url (), "slow");
  window = open_window ();
  page = chat_page (window);
  select_model (page, "slow");

  send (page, "Tell me a long story");
  g_assert_true (hearth_test_spin_until (has_streamed_text, page, 10000));
  /* Escape stops the reply, as the Stop button does. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "chat.stop", NULL));
  g_assert_true (hearth_test_spin_until (reply_finished, page, 5000));

  item = last_item (page);
  g_assert_cmpint (hearth_message_item_get_message (item)->state, ==, HEARTH_MESSAGE_CANCELLED);
  g_assert_cmpuint (strlen (hearth_message_item_get_message (item)->content), >, 20);
  hearth_test_spin_for (200);
  text = row_text (row_for (page, item));
  g_assert_nonnull (strstr (text, "Stopped"));

  store = hearth_store_open (path, NULL);
  stored = hearth_store_list_messages (store, hearth_chat_page_get_conversation_id (page), 0, 0, NULL);
  g_assert_cmpuint (stored->len, ==, 2);
  g_assert_cmpint (((HearthMessage *) stored->pdata[1])->state, ==, HEARTH_MESSAGE_CANCELLED);
  g_assert_cmpstr (((HearthMessage *) stored->pdata[1])->content, ==,
                   hearth_message_item_get_message (item)->content);
  screenshot (window, "chat-cancelled.png");
  close_window (window);
}

/* Holds the old item, so a new one cannot be allocated at its address. */
typedef struct
{
  HearthChatPage    *page;
  HearthMessageItem *old;
} Replaced;

static gboolean
last_item_replaced (gpointer data)
{
  Replaced *r = data;
  GListModel *messages = hearth_chat_page_get_messages (r->page);
  guint n = g_list_model_get_n_items (messages);
  g_autoptr(HearthMessageItem) last = n ? g_list_model_get_item (messages, n - 1) : NULL;

  return last != NULL && last != r->old;
}

static void
test_chat_error_and_retry (void)
{
  Replaced retried;
  HearthWindow *window;
  HearthChatPage *page;
  HearthMessageItem *item;
  HearthMessageRow *row;
  GtkWidget *retry;
  g_autofree char *text = NULL;

  if (!hearth_test_require_node ())
    return;
  use_server (fault_url (), "drop-mid-stream");
  window = open_window ();
  page = chat_page (window);
  select_model (page, "drop-mid-stream");

  send (page, "This will break");
  g_assert_true (hearth_test_spin_until (reply_finished, page, 10000));
  item = last_item (page);
  g_assert_cmpint (hearth_message_item_get_message (item)->state, ==, HEARTH_MESSAGE_FAILED);
  hearth_test_spin_for (200);
  row = row_for (page, item);
  text = row_text (row);
  g_test_message ("failed row: %s", text);
  /* What happened, what to do, and the partial text kept. */
  g_assert_nonnull (strstr (text, "Partial answer"));
  g_assert_nonnull (strstr (text, "The reply ended before the server finished it"));
  g_assert_nonnull (strstr (text, "try again"));
  screenshot (window, "chat-failed.png");

  /* Retry with a model that works. */
  select_model (page, "ok");
  retry = visible_button_with_label (GTK_WIDGET (row), "_Retry");
  g_assert_nonnull (retry);
  gtk_widget_activate (retry);
  /* Activation is not synchronous: wait for the new reply to replace the old. */
  retried.page = page;
  retried.old = g_object_ref (item);
  g_assert_true (hearth_test_spin_until (last_item_replaced, &retried, 10000));
  g_object_unref (retried.old);
  g_assert_true (hearth_test_spin_until (reply_finished, page, 10000));
  g_assert_cmpuint (g_list_model_get_n_items (hearth_chat_page_get_messages (page)), ==, 2);
  item = last_item (page);
  g_assert_cmpint (hearth_message_item_get_message (item)->state, ==, HEARTH_MESSAGE_COMPLETE);
  g_assert_cmpstr (hearth_message_item_get_message (item)->content, ==,
                   "Hello from the fault server.");
  close_window (window);
}

static void
test_chat_markup_literal (void)
{
  HearthWindow *window;
  HearthChatPage *page;
  g_autofree char *text = NULL;

  if (!hearth_test_require_node ())
    return;
  use_server (fault_url (), "markup");
  window = open_window ();
  page = chat_page (window);
  select_model (page, "markup");
  send (page, "Say something hostile");
  g_assert_true (hearth_test_spin_until (reply_finished, page, 10000));
  hearth_test_spin_for (200);

  text = row_text (row_for (page, last_item (page)));
  g_test_message ("markup row: %s", text);
  g_assert_nonnull (strstr (text, "<b>bold</b> & </span> <i>"));
  g_assert_nonnull (strstr (text, "%s %n"));
  /* The bell and the right-to-left override are shown, not obeyed. */
  g_assert_null (strchr (text, '\a'));
  g_assert_null (strstr (text, "\u202e"));
  screenshot (window, "chat-markup.png");
  close_window (window);
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
  use_server (engine_url (), "tiny-fixed");
  window = open_window ();
  page = chat_page (window);
  g_assert_true (hearth_test_spin_until (models_listed, page, 10000));
  send (page, "Remember this question");
  g_assert_true (hearth_test_spin_until (reply_finished, page, 20000));
  id = hearth_chat_page_get_conversation_id (page);
  close_window (window);

  /* A new window reads the conversation back from disk. */
  window = open_window ();
  page = chat_page (window);
  g_assert_cmpuint (g_list_model_get_n_items (hearth_chat_page_get_messages (page)), ==, 0);
  hearth_window_show_conversation (window, id);
  g_assert_true (hearth_test_spin_until (conversation_loaded, page, 5000));
  item = g_list_model_get_item (hearth_chat_page_get_messages (page), 0);
  g_assert_cmpstr (hearth_message_item_get_message (item)->content, ==, "Remember this question");
  g_object_unref (item);
  g_assert_cmpstr (hearth_message_item_get_message (last_item (page))->content, ==, SENTENCE);
  close_window (window);
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
  Replaced regenerated;

  if (!hearth_test_require_node ())
    return;
  use_server (engine_url (), "tiny-fixed");
  g_settings_set_double (settings, "temperature", 0);
  window = open_window ();
  page = chat_page (window);
  g_assert_true (hearth_test_spin_until (models_listed, page, 10000));

  send (page, "What is a cache?");
  g_assert_true (hearth_test_spin_until (reply_finished, page, 20000));
  g_assert_false (hearth_message_item_get_cached (last_item (page)));

  hearth_chat_page_new_chat (page);
  send (page, "What is a cache?");
  g_assert_true (hearth_test_spin_until (reply_finished, page, 20000));
  item = last_item (page);
  g_assert_true (hearth_message_item_get_cached (item));
  g_assert_cmpstr (hearth_message_item_get_message (item)->content, ==, SENTENCE);
  hearth_test_spin_for (200);
  row = row_for (page, item);
  text = row_text (row);
  g_test_message ("cached row: %s", text);
  g_assert_nonnull (strstr (text, "Cached · saved"));
  screenshot (window, "chat-cached.png");

  fresh = visible_button_with_label (GTK_WIDGET (row), "Generate _Fresh");
  g_assert_nonnull (fresh);
  regenerated.page = page;
  regenerated.old = g_object_ref (item);
  gtk_widget_activate (fresh);
  g_assert_true (hearth_test_spin_until (last_item_replaced, &regenerated, 10000));
  g_object_unref (regenerated.old);
  g_assert_true (hearth_test_spin_until (reply_finished, page, 20000));
  g_assert_false (hearth_message_item_get_cached (last_item (page)));
  g_assert_cmpstr (hearth_message_item_get_message (last_item (page))->content, ==, SENTENCE);

  g_settings_reset (settings, "temperature");
  close_window (window);
}

static void
test_chat_unreachable (void)
{
  HearthWindow *window;
  HearthChatPage *page;
  GtkStack *stack;

  use_server ("http://127.0.0.1:9", "");
  window = open_window ();
  page = chat_page (window);
  stack = GTK_STACK (hearth_test_find_descendant (GTK_WIDGET (page), GTK_TYPE_STACK));
  while (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "unreachable") != 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (visible_button_with_label (GTK_WIDGET (page), "_Retry"));
  g_assert_nonnull (visible_button_with_label (GTK_WIDGET (page), "Run _Setup"));
  screenshot (window, "chat-unreachable.png");
  close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  hearth_test_init (&argc, &argv);
  gtk_init ();
  adw_init ();

  app = hearth_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/chat/reply-with-figures", test_chat_reply_with_figures);
  g_test_add_func ("/chat/cancel-keeps-partial", test_chat_cancel_keeps_partial);
  g_test_add_func ("/chat/error-and-retry", test_chat_error_and_retry);
  g_test_add_func ("/chat/markup-literal", test_chat_markup_literal);
  g_test_add_func ("/chat/survives-restart", test_chat_survives_restart);
  g_test_add_func ("/chat/cached-badge", test_chat_cached_badge);
  g_test_add_func ("/chat/unreachable", test_chat_unreachable);

  status = g_test_run ();
  g_clear_pointer (&engine_server, hearth_test_server_stop);
  g_clear_pointer (&fault_server, hearth_test_server_stop);
  g_clear_object (&app);
  return status;
}
