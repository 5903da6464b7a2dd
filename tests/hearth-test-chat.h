/* hearth-test-chat.h — the application, window and chat page, driven as a person would
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-application.h"
#include "hearth-chat-page.h"
#include "hearth-message-item.h"
#include "hearth-message-row.h"
#include "hearth-window.h"

G_BEGIN_DECLS

/* Holds the old item, so a new one cannot be allocated at its address. */
typedef struct
{
  HearthChatPage    *page;
  HearthMessageItem *old;
} HearthTestReplaced;

HearthApplication *hearth_test_chat_init               (int               *argc,
                                                        char            ***argv);
void               hearth_test_chat_use_server         (const char        *url,
                                                        const char        *model);
void               hearth_test_chat_use_server_api     (const char        *url,
                                                        const char        *model,
                                                        const char        *api);
gint64             hearth_test_chat_create_conversation (const char *title,
                                                        guint              n);
HearthWindow      *hearth_test_chat_new_window         (int                width,
                                                        int                height);
HearthWindow      *hearth_test_chat_new_chat_window    (int                width);
HearthWindow      *hearth_test_chat_open_window        (void);
void               hearth_test_chat_close_window       (HearthWindow      *window);
void               hearth_test_chat_screenshot         (HearthWindow      *window,
                                                        const char        *name);
HearthChatPage    *hearth_test_chat_page               (HearthWindow      *window);
GtkWidget         *hearth_test_chat_message_view       (HearthChatPage    *page);
gboolean           hearth_test_chat_models_listed      (gpointer           page);
void               hearth_test_chat_select_model       (HearthChatPage    *page,
                                                        const char        *name);
guint              hearth_test_chat_n_messages         (HearthChatPage    *page);
gboolean           hearth_test_chat_reply_finished     (gpointer           page);
void               hearth_test_chat_send               (HearthChatPage    *page,
                                                        const char        *text);
void               hearth_test_chat_send_and_wait      (HearthChatPage    *page,
                                                        const char        *text);
HearthMessageItem *hearth_test_chat_nth_item           (HearthChatPage    *page,
                                                        guint              i);
HearthMessageItem *hearth_test_chat_last_item          (HearthChatPage    *page);
gboolean           hearth_test_chat_last_item_replaced (gpointer           replaced);
GPtrArray         *hearth_test_chat_rows_on_screen     (HearthChatPage    *page);
HearthMessageRow  *hearth_test_chat_row_for            (HearthChatPage    *page,
                                                        HearthMessageItem *item);
GtkDropDown       *hearth_test_chat_model_dropdown     (HearthChatPage    *page);
GtkWidget         *hearth_test_chat_model_popover      (HearthChatPage    *page);
void               hearth_test_chat_open_model_picker  (HearthChatPage    *page);
void               hearth_test_chat_close_model_picker (HearthChatPage    *page);

G_END_DECLS
