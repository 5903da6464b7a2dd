/* hearth-test-chat.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-chat"

#include "config.h"

#include <adwaita.h>

#include "hearth-test-chat.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"

static HearthApplication *app;

/* Returns: (transfer full): the registered application the windows belong to. */
HearthApplication *
hearth_test_chat_init (int    *argc,
                       char ***argv)
{
  g_autoptr(GError) error = NULL;

  hearth_test_init (argc, argv);
  gtk_init ();
  adw_init ();

  app = hearth_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_object_add_weak_pointer (G_OBJECT (app), (gpointer *) &app);
  return app;
}

void
hearth_test_chat_use_server_api (const char *url,
                                 const char *model,
                                 const char *api)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  g_settings_set_string (settings, "default-model", model);
  g_settings_set_string (settings, "api-kind", api);
  g_settings_set_string (settings, "endpoint", url);
}

void
hearth_test_chat_use_server (const char *url,
                             const char *model)
{
  hearth_test_chat_use_server_api (url, model, "ollama");
}

/* A @width of 0 keeps the window's default size. */
HearthWindow *
hearth_test_chat_new_window (int width,
                             int height)
{
  HearthWindow *window;

  g_assert_nonnull (app);
  window = hearth_window_new (app);
  if (width > 0)
    gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

/* A window @width wide on a new chat, once the model picker lists the
 * servers' models (narrow, the conversations come first: the chat is one
 * step in). */
HearthWindow *
hearth_test_chat_new_chat_window (int width)
{
  HearthWindow *window = hearth_test_chat_new_window (width, 800);

  g_action_group_activate_action (G_ACTION_GROUP (app), "new-chat", NULL);
  g_assert_true (hearth_test_spin_until (hearth_test_chat_models_listed,
                                         hearth_test_chat_page (window), 20000));
  return window;
}

HearthWindow *
hearth_test_chat_open_window (void)
{
  return hearth_test_chat_new_window (0, 0);
}

void
hearth_test_chat_close_window (HearthWindow *window)
{
  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  /* what still holds it lets go on the main loop; then only this test does */
  hearth_test_spin_until (hearth_test_only_ref, window, 2000);
  g_assert_finalize_object (window);
}

void
hearth_test_chat_screenshot (HearthWindow *window,
                             const char   *name)
{
  g_autofree char *path = NULL;

  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  path = hearth_test_save_screenshot (GTK_WIDGET (window), name);
}

HearthChatPage *
hearth_test_chat_page (HearthWindow *window)
{
  GtkWidget *page = hearth_test_find_descendant (GTK_WIDGET (window), HEARTH_TYPE_CHAT_PAGE);

  return HEARTH_CHAT_PAGE (page);
}

GtkWidget *
hearth_test_chat_message_view (HearthChatPage *page)
{
  GtkWidget *view = hearth_test_find_with_class (GTK_WIDGET (page), GTK_TYPE_LIST_VIEW,
                                                 "message-list");

  g_assert_nonnull (view);
  return view;
}

GtkDropDown *
hearth_test_chat_model_dropdown (HearthChatPage *page)
{
  return GTK_DROP_DOWN (hearth_test_find_descendant (GTK_WIDGET (page), GTK_TYPE_DROP_DOWN));
}

GtkWidget *
hearth_test_chat_model_popover (HearthChatPage *page)
{
  return hearth_test_find_descendant (GTK_WIDGET (hearth_test_chat_model_dropdown (page)),
                                      GTK_TYPE_POPOVER);
}

static gboolean
popover_mapped (gpointer page)
{
  GtkWidget *popover = hearth_test_chat_model_popover (page);

  return popover != NULL && gtk_widget_get_mapped (popover);
}

void
hearth_test_chat_open_model_picker (HearthChatPage *page)
{
  GtkDropDown *dropdown = hearth_test_chat_model_dropdown (page);
  GtkWidget *toggle = hearth_test_find_descendant (GTK_WIDGET (dropdown), GTK_TYPE_TOGGLE_BUTTON);

  g_assert_nonnull (toggle);
  /* On the suite's one shared Xvfb a popup can fail to map while another
   * program's window maps over this one, and a toggle left active by the
   * last close would make setting it again do nothing: off and on again,
   * up to three times. */
  for (guint attempt = 0; attempt < 3 && !popover_mapped (page); attempt++)
    {
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle), FALSE);
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle), TRUE);
      hearth_test_spin_until (popover_mapped, page, 3000);
    }
  g_assert_true (popover_mapped (page));
}

static gboolean
popover_unmapped (gpointer page)
{
  return !popover_mapped (page);
}

void
hearth_test_chat_close_model_picker (HearthChatPage *page)
{
  gtk_popover_popdown (GTK_POPOVER (hearth_test_chat_model_popover (page)));
  hearth_test_spin_until (popover_unmapped, page, 2000);
}

gboolean
hearth_test_chat_models_listed (gpointer page)
{
  GListModel *model = gtk_drop_down_get_model (hearth_test_chat_model_dropdown (page));

  return model != NULL && g_list_model_get_n_items (model) > 0;
}

/* Picks @name in the model picker; labels are "name:tag (size)" or just "name". */
void
hearth_test_chat_select_model (HearthChatPage *page,
                               const char     *name)
{
  GtkDropDown *dropdown = hearth_test_chat_model_dropdown (page);
  GListModel *model;

  g_assert_true (hearth_test_spin_until (hearth_test_chat_models_listed, page, 10000));
  model = gtk_drop_down_get_model (dropdown);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      const char *label = gtk_string_list_get_string (GTK_STRING_LIST (model), i);
      char after;

      if (!g_str_has_prefix (label, name))
        continue;
      after = label[strlen (name)];
      if (after == ':' || after == ' ' || after == '\0')
        {
          gtk_drop_down_set_selected (dropdown, i);
          return;
        }
    }
  g_error ("model %s is not listed", name);
}

guint
hearth_test_chat_n_messages (HearthChatPage *page)
{
  return g_list_model_get_n_items (hearth_chat_page_get_messages (page));
}

gboolean
hearth_test_chat_reply_finished (gpointer page)
{
  return hearth_test_chat_n_messages (page) >= 2 &&
         hearth_chat_page_get_current_reply (page) == NULL;
}

void
hearth_test_chat_send (HearthChatPage *page,
                       const char     *text)
{
  hearth_chat_page_set_composer_text (page, text);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "chat.send", NULL));
}

/* Sends @text; the prompt and its reply are listed at once, and the reply finishes. */
void
hearth_test_chat_send_and_wait (HearthChatPage *page,
                                const char     *text)
{
  guint before = hearth_test_chat_n_messages (page);

  hearth_test_chat_send (page, text);
  g_assert_cmpuint (hearth_test_chat_n_messages (page), ==, before + 2);
  g_assert_true (hearth_test_spin_until (hearth_test_chat_reply_finished, page, 20000));
}

/* Returns: (transfer none) */
HearthMessageItem *
hearth_test_chat_nth_item (HearthChatPage *page,
                           guint           i)
{
  GListModel *messages = hearth_chat_page_get_messages (page);
  g_autoptr(HearthMessageItem) item = g_list_model_get_item (messages, i);

  g_assert_nonnull (item);
  return item;
}

/* Returns: (transfer none) */
HearthMessageItem *
hearth_test_chat_last_item (HearthChatPage *page)
{
  guint n = hearth_test_chat_n_messages (page);

  g_assert_cmpuint (n, >, 0);
  return hearth_test_chat_nth_item (page, n - 1);
}

/* Whether a new item has taken the last place from @replaced's old one. */
gboolean
hearth_test_chat_last_item_replaced (gpointer replaced)
{
  HearthTestReplaced *r = replaced;
  GListModel *messages = hearth_chat_page_get_messages (r->page);
  guint n = g_list_model_get_n_items (messages);
  g_autoptr(HearthMessageItem) last = n ? g_list_model_get_item (messages, n - 1) : NULL;

  return last != NULL && last != r->old;
}

static void
collect_rows (GtkWidget *widget,
              GPtrArray *rows)
{
  if (HEARTH_IS_MESSAGE_ROW (widget))
    {
      if (hearth_message_row_get_item (HEARTH_MESSAGE_ROW (widget)) != NULL &&
          gtk_widget_get_mapped (widget))
        g_ptr_array_add (rows, widget);
      return;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    collect_rows (c, rows);
}

/* Returns: (transfer container): the rows a person can see, top to bottom. */
GPtrArray *
hearth_test_chat_rows_on_screen (HearthChatPage *page)
{
  GPtrArray *rows = g_ptr_array_new ();

  collect_rows (hearth_test_chat_message_view (page), rows);
  return rows;
}

/* The row on screen that shows @item, or NULL. */
HearthMessageRow *
hearth_test_chat_row_for (HearthChatPage    *page,
                          HearthMessageItem *item)
{
  g_autoptr(GPtrArray) rows = hearth_test_chat_rows_on_screen (page);

  for (guint i = 0; i < rows->len; i++)
    if (hearth_message_row_get_item (rows->pdata[i]) == item)
      return rows->pdata[i];
  return NULL;
}

/* A conversation of @n messages, you and tiny-fixed in turn, written to the
 * application's history as a past session would have left it. */
gint64
hearth_test_chat_create_conversation (const char *title,
                                      guint       n)
{
  HearthStore *store = hearth_engine_get_store (hearth_application_get_engine (app));
  g_autoptr(GError) error = NULL;
  gint64 id = hearth_store_create_conversation (store, title, &error);

  g_assert_no_error (error);
  g_assert_true (hearth_store_begin (store, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("Message %03u", i);
      g_autoptr(HearthMessage) m = hearth_message_new (i % 2 ? "assistant" : "user", text);

      m->conversation_id = id;
      m->model = i % 2 ? g_strdup ("tiny-fixed:latest") : NULL;
      m->created_ms = g_get_real_time () / 1000;
      m->state = HEARTH_MESSAGE_COMPLETE;
      hearth_store_add_message (store, m, &error);
      g_assert_no_error (error);
    }
  g_assert_true (hearth_store_commit (store, &error));
  return id;
}
