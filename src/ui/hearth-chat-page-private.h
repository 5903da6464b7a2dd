/* hearth-chat-page-private.h — shared by the files of HearthChatPage
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hearth-chat-page.h"
#include "hearth-conversation-list.h"
#include "hearth-message-item.h"

G_BEGIN_DECLS

struct _HearthChatPage
{
  GtkWidget              parent_instance;

  HearthEngine          *engine;
  GSettings             *settings;
  GListStore            *messages;
  GPtrArray             *dying_rows;    /* rows no longer listed, let go a slice at a time */
  guint                  release_rows_id;
  GPtrArray             *held;          /* items read but not yet in the list, oldest first
                                         * (hearth-chat-page-paging.c) */
  HearthReply           *reply;
  HearthAnswerSet       *answer_set;    /* a compare or ensemble while it runs */
  GPtrArray             *compare_models; /* "MODEL@SERVER" to compare: none, or 2–4 */
  GCancellable          *load_cancellable;
  GCancellable          *models_cancellable;
  GPtrArray             *picks;         /* what the model picker lists (hearth-chat-page-models.c) */
  GPtrArray             *server_models; /* HearthServerModels the picks point into */
  char                  *chosen_server; /* the choice to keep as the list is asked again: */
  char                  *chosen_model;  /* set by the person or the conversation opened */
  gboolean               filling_picker;
  gint64                 conversation_id;
  gint64                 edit_from_id;
  gint64                 oldest_id;
  gboolean               has_older;
  gboolean               loading;
  gint64                 loading_before_id;
  gboolean               older_wanted;  /* the top was reached while busy */
  gboolean               stick_to_bottom;
  gboolean               server_down;   /* the last request could not reach the server */
  guint                  settle_tick;
  guint                  settle_frames;

  AdwToastOverlay       *toast_overlay;
  AdwLeaflet            *leaflet;
  GtkWidget             *sidebar_box;
  HearthConversationList *conversation_list;
  AdwWindowTitle        *title_widget;
  GtkRevealer           *banner_revealer;
  GtkLabel              *banner_label;
  GtkStack              *content_stack;
  AdwStatusPage         *welcome_page;
  AdwStatusPage         *unreachable_page;
  GtkScrolledWindow     *message_scroller;
  GtkListView           *message_view;
  GtkRevealer           *edit_revealer;
  GtkTextView           *composer_view;
  GtkLabel              *placeholder_label;
  GtkWidget             *send_button;
  GtkWidget             *stop_button;
  GtkDropDown           *model_dropdown;
  GtkMenuButton         *compare_button;
  GtkListBox            *compare_list;
  GtkLabel              *model_status_label;
};

/* hearth-chat-page.c */
void               _hearth_chat_page_toast                (HearthChatPage       *self,
                                                           const char           *text);
void               _hearth_chat_page_sidebar_reload       (HearthChatPage       *self);
void               _hearth_chat_page_sidebar_select       (HearthChatPage       *self,
                                                           gint64                id);
gboolean           _hearth_chat_page_has_history          (HearthChatPage       *self);
HearthProvider    *_hearth_chat_page_get_provider         (HearthChatPage       *self,
                                                           GError              **error);
void               _hearth_chat_page_update_actions       (HearthChatPage       *self);
HearthMessageItem *_hearth_chat_page_find_item            (HearthChatPage       *self,
                                                           gint64                id,
                                                           guint                *position);
void               _hearth_chat_page_scroll_to_bottom     (HearthChatPage       *self);
gboolean           _hearth_chat_page_error_is_unreachable (const GError         *error);
void               _hearth_chat_page_show_unreachable     (HearthChatPage       *self,
                                                           const GError         *error);
void               _hearth_chat_page_load_models          (HearthChatPage       *self);
void               _hearth_chat_page_set_title            (HearthChatPage       *self,
                                                           const char           *title);
void               _hearth_chat_page_server_reached       (HearthChatPage       *self);
gboolean           _hearth_chat_page_composer_is_blank    (HearthChatPage       *self);

/* hearth-chat-page-paging.c: a conversation's messages, a screenful at a time */
void               _hearth_chat_page_setup_paging         (HearthChatPage       *self);
void               _hearth_chat_page_load_conversation    (HearthChatPage       *self,
                                                           gint64                conversation_id);

/* hearth-chat-page-models.c: the model picker, grouped by server */
void               _hearth_chat_page_setup_model_picker   (HearthChatPage       *self);
void               _hearth_chat_page_watch_servers        (HearthChatPage       *self);
void               _hearth_chat_page_clear_picks          (HearthChatPage       *self);
void               _hearth_chat_page_update_model_hints   (HearthChatPage       *self);
/* The server (NULL: the default) and the model ("auto", or NULL when
 * none is listed) the next message goes to. */
void               _hearth_chat_page_dup_choice           (HearthChatPage       *self,
                                                           char                **server,
                                                           char                **model);
void               _hearth_chat_page_choose               (HearthChatPage       *self,
                                                           const char           *server,
                                                           const char           *model);
void               _hearth_chat_page_choose_from_messages (HearthChatPage       *self,
                                                           GPtrArray            *messages);

GPtrArray         *_hearth_chat_page_list_model_specs     (HearthChatPage       *self,
                                                           GPtrArray            *labels);

/* hearth-chat-page-compare.c: compare, ensembles and ratings */
void               _hearth_chat_page_setup_compare        (HearthChatPage       *self);
char              *_hearth_chat_page_describe_compare     (HearthChatPage       *self);
gboolean           _hearth_chat_page_is_busy              (HearthChatPage       *self);
/* Sends @text as a compare or to an ensemble when that is the choice;
 * FALSE when the choice is one model (nothing was done). */
gboolean           _hearth_chat_page_send_set             (HearthChatPage       *self,
                                                           HearthChatRequest    *request,
                                                           const char           *text);
void               _hearth_chat_page_stop_set             (HearthChatPage       *self);
GPtrArray         *_hearth_chat_page_items_from_messages  (HearthChatPage       *self,
                                                           GPtrArray            *messages);
void               _hearth_chat_page_class_compare_init   (HearthChatPageClass  *klass);

/* hearth-chat-page-actions.c */
void               _hearth_chat_page_add_question         (HearthChatPage       *self,
                                                           gint64                conversation_id,
                                                           gint64                question_id,
                                                           const char           *text);
void               _hearth_chat_page_started              (HearthChatPage       *self,
                                                           gboolean              was_new);
void               _hearth_chat_page_send_message         (HearthChatPage       *self);
void               _hearth_chat_page_class_actions_init   (HearthChatPageClass  *klass);

G_END_DECLS
