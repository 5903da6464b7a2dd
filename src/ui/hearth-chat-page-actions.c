/* hearth-chat-page-actions.c — the chat.* actions and the replies they start
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-chat-page"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-chat-page-private.h"
#include "hearth-error.h"
#include "hearth-message-item.h"

/* Sending */

static HearthChatRequest *
new_request (HearthChatPage *self)
{
  HearthChatRequest *request = hearth_chat_request_new ();
  double temperature = g_settings_get_double (self->settings, "temperature");
  g_autofree char *system = g_settings_get_string (self->settings, "system-prompt");

  /* Through the user's servers: the one chosen (or the default), and on
   * along the fallback chain when it cannot answer. */
  _hearth_chat_page_dup_choice (self, &request->server, &request->model);
  if (temperature >= 0)
    request->temperature = temperature;
  if (*system != '\0')
    request->system = g_steal_pointer (&system);
  return request;
}


static void
notify_finished (HearthChatPage *self,
                 HearthReply    *reply)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GApplication *application = g_application_get_default ();
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;
  const char *content = hearth_reply_get_content (reply);

  if (application == NULL || !GTK_IS_WINDOW (root) || gtk_window_is_active (GTK_WINDOW (root)))
    return;

  title = g_strdup_printf (_("%s replied"), hearth_reply_get_model (reply));
  body = g_utf8_substring (content, 0, MIN (g_utf8_strlen (content, -1), 120));
  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.show-conversation", "x",
                                                hearth_reply_get_conversation_id (reply));
  id = g_strdup_printf ("reply-%" G_GINT64_FORMAT, hearth_reply_get_conversation_id (reply));
  g_application_send_notification (application, id, notification);
}

static void
on_reply_finished (HearthReply    *reply,
                   HearthChatPage *self)
{
  const GError *error = hearth_reply_get_error (reply);

  g_signal_handlers_disconnect_by_data (reply, self);
  if (reply == self->reply)
    g_clear_object (&self->reply);
  _hearth_chat_page_update_actions (self);
  _hearth_chat_page_sidebar_reload (self);
  /* The failed reply says so in the conversation, with its Retry: the
   * banner would say it a second time. Until a request gets through,
   * nothing more is sent into the dead server. */
  if (error != NULL && _hearth_chat_page_error_is_unreachable (error))
    {
      self->server_down = TRUE;
      _hearth_chat_page_update_actions (self);
    }
  else if (error == NULL)
    _hearth_chat_page_server_reached (self);
  if (hearth_reply_get_state (reply) == HEARTH_REPLY_DONE)
    notify_finished (self, reply);
}

static void
track_reply (HearthChatPage *self,
             HearthReply    *reply)
{
  g_autoptr(HearthMessageItem) item = hearth_message_item_new_for_reply (reply);

  hearth_message_item_set_servers (item, hearth_engine_get_servers (self->engine));
  self->reply = g_object_ref (reply);
  g_signal_connect (reply, "finished", G_CALLBACK (on_reply_finished), self);
  g_list_store_append (self->messages, item);
  gtk_stack_set_visible_child_name (self->content_stack, "messages");
  _hearth_chat_page_scroll_to_bottom (self);
  _hearth_chat_page_update_actions (self);
}

void
_hearth_chat_page_add_question (HearthChatPage *self,
                                gint64          conversation_id,
                                gint64          question_id,
                                const char     *text)
{
  g_autoptr(HearthMessage) question = hearth_message_new ("user", text);
  g_autoptr(HearthMessageItem) item = NULL;

  question->id = question_id;
  question->conversation_id = conversation_id;
  question->created_ms = g_get_real_time () / 1000;
  item = hearth_message_item_new (question);
  g_list_store_append (self->messages, item);
}

/* Removes @from_id and every message after it, on screen and on disk. */
static gboolean
truncate_from (HearthChatPage *self,
               gint64          from_id)
{
  g_autoptr(GError) error = NULL;
  guint position;

  if (_hearth_chat_page_find_item (self, from_id, &position) == NULL)
    return FALSE;
  if (_hearth_chat_page_has_history (self) &&
      !hearth_engine_delete_messages_from (self->engine, self->conversation_id, from_id, &error))
    {
      _hearth_chat_page_toast (self, error->message);
      return FALSE;
    }
  g_list_store_splice (self->messages, position,
                       g_list_model_get_n_items (G_LIST_MODEL (self->messages)) - position,
                       NULL, 0);
  return TRUE;
}

void
_hearth_chat_page_send_message (HearthChatPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthReply) reply = NULL;
  g_autofree char *text = hearth_chat_page_dup_composer_text (self);
  HearthChatRequest *request;
  gboolean was_new = self->conversation_id < 0;

  /* Nothing to send, or nowhere to send it: the text stays in the composer. */
  if (_hearth_chat_page_is_busy (self) || self->engine == NULL || self->server_down ||
      _hearth_chat_page_composer_is_blank (self))
    return;
  /* No server at all (every one disabled or removed): say so, keep the text. */
  if (_hearth_chat_page_get_provider (self, &error) == NULL)
    {
      g_autofree char *line = hearth_error_describe (error);
      _hearth_chat_page_toast (self, line);
      return;
    }
  if (self->edit_from_id > 0 && !truncate_from (self, self->edit_from_id))
    return;
  self->edit_from_id = -1;

  request = new_request (self);
  hearth_chat_request_add_message (request, "user", text);
  if (_hearth_chat_page_send_set (self, request, text))
    return;
  reply = hearth_engine_chat (self->engine, NULL, request, self->conversation_id, &error);
  if (reply == NULL)
    {
      /* Nothing was sent; the text stays in the composer. */
      g_autofree char *line = hearth_error_describe (error);
      _hearth_chat_page_toast (self, line);
      return;
    }

  self->conversation_id = hearth_reply_get_conversation_id (reply);
  _hearth_chat_page_add_question (self, self->conversation_id,
                                  hearth_reply_get_question_id (reply), text);
  track_reply (self, reply);
  _hearth_chat_page_started (self, was_new);
}

/* Sent: the composer empties, and a new conversation takes its place in
 * the sidebar with the title the engine made of the question. */
void
_hearth_chat_page_started (HearthChatPage *self,
                           gboolean        was_new)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->composer_view), "", 0);
  if (was_new)
    {
      g_autoptr(HearthConversation) conversation = NULL;

      _hearth_chat_page_sidebar_reload (self);
      _hearth_chat_page_sidebar_select (self, self->conversation_id);
      /* The title the engine made of the question, as the sidebar shows it. */
      if (_hearth_chat_page_has_history (self))
        conversation = hearth_engine_get_conversation (self->engine, self->conversation_id, NULL);
      _hearth_chat_page_set_title (self, conversation != NULL ? conversation->title : NULL);
    }
}

/* A new answer, never the remembered one: regenerating bypasses the cache. */
static void
regenerate (HearthChatPage *self,
            gint64          message_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthReply) reply = NULL;
  HearthChatRequest *request;

  if (_hearth_chat_page_is_busy (self) || self->conversation_id < 0)
    return;
  if (_hearth_chat_page_get_provider (self, &error) == NULL ||
      !truncate_from (self, message_id))
    {
      if (error != NULL)
        _hearth_chat_page_toast (self, error->message);
      return;
    }
  request = new_request (self);
  request->bypass_cache = TRUE;
  reply = hearth_engine_regenerate (self->engine, NULL, request, self->conversation_id, &error);
  if (reply == NULL)
    {
      g_autofree char *line = hearth_error_describe (error);
      _hearth_chat_page_toast (self, line);
      return;
    }
  track_reply (self, reply);
}

/* Actions */

static void
chat_send (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  _hearth_chat_page_send_message (HEARTH_CHAT_PAGE (widget));
}

static void
chat_stop (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  HearthChatPage *self = HEARTH_CHAT_PAGE (widget);

  if (self->reply != NULL)
    hearth_reply_cancel (self->reply);
  if (self->answer_set != NULL)
    hearth_answer_set_cancel (self->answer_set);
}

static void
chat_new (GtkWidget  *widget,
          const char *action_name,
          GVariant   *parameter)
{
  hearth_chat_page_new_chat (HEARTH_CHAT_PAGE (widget));
}

static void
chat_copy_message (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  HearthChatPage *self = HEARTH_CHAT_PAGE (widget);
  HearthMessageItem *item = _hearth_chat_page_find_item (self, g_variant_get_int64 (parameter),
                                                         NULL);

  if (item == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget),
                          hearth_message_item_get_message (item)->content);
  _hearth_chat_page_toast (self, _("Copied to clipboard"));
}

static void
chat_edit_message (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  HearthChatPage *self = HEARTH_CHAT_PAGE (widget);
  gint64 id = g_variant_get_int64 (parameter);
  HearthMessageItem *item = _hearth_chat_page_find_item (self, id, NULL);

  if (item == NULL || _hearth_chat_page_is_busy (self))
    return;
  hearth_chat_page_set_composer_text (self, hearth_message_item_get_message (item)->content);
  self->edit_from_id = id;
  _hearth_chat_page_update_actions (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->composer_view));
}

static void
chat_cancel_edit (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  HearthChatPage *self = HEARTH_CHAT_PAGE (widget);

  self->edit_from_id = -1;
  _hearth_chat_page_update_actions (self);
}

static void
chat_regenerate (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  regenerate (HEARTH_CHAT_PAGE (widget), g_variant_get_int64 (parameter));
}

static void
chat_delete_message (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  HearthChatPage *self = HEARTH_CHAT_PAGE (widget);
  g_autoptr(GError) error = NULL;
  gint64 id = g_variant_get_int64 (parameter);
  guint position;

  if (_hearth_chat_page_find_item (self, id, &position) == NULL)
    return;
  if (_hearth_chat_page_has_history (self) &&
      !hearth_engine_delete_message (self->engine, id, &error))
    {
      _hearth_chat_page_toast (self, error->message);
      return;
    }
  g_list_store_remove (self->messages, position);
  /* The row that became last gets its Regenerate button. */
  if (position > 0 && position == g_list_model_get_n_items (G_LIST_MODEL (self->messages)))
    g_list_model_items_changed (G_LIST_MODEL (self->messages), position - 1, 1, 1);
}

/* Saves again, now, a reply the history could not take; the engine also
 * tries every few seconds on its own. */
static void
chat_retry_save (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  HearthChatPage *self = HEARTH_CHAT_PAGE (widget);
  HearthMessageItem *item = _hearth_chat_page_find_item (self, g_variant_get_int64 (parameter),
                                                         NULL);
  g_autoptr(GError) error = NULL;
  HearthReply *reply;

  if (item == NULL || (reply = hearth_message_item_get_reply (item)) == NULL)
    return;
  if (hearth_engine_save_reply (self->engine, reply, &error))
    _hearth_chat_page_toast (self, _("Saved"));
  else
    _hearth_chat_page_toast (self, error->message);
}

static void
chat_reconnect (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  _hearth_chat_page_load_models (HEARTH_CHAT_PAGE (widget));
}

static void
chat_search (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  HearthChatPage *self = HEARTH_CHAT_PAGE (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  if (self->conversation_list != NULL)
    hearth_conversation_list_focus_search (self->conversation_list);
}

static void
chat_show_sidebar (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  adw_leaflet_navigate (HEARTH_CHAT_PAGE (widget)->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

void
_hearth_chat_page_class_actions_init (HearthChatPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "chat.send", NULL, chat_send);
  gtk_widget_class_install_action (widget_class, "chat.stop", NULL, chat_stop);
  gtk_widget_class_install_action (widget_class, "chat.new", NULL, chat_new);
  gtk_widget_class_install_action (widget_class, "chat.copy-message", "x", chat_copy_message);
  gtk_widget_class_install_action (widget_class, "chat.edit-message", "x", chat_edit_message);
  gtk_widget_class_install_action (widget_class, "chat.cancel-edit", NULL, chat_cancel_edit);
  gtk_widget_class_install_action (widget_class, "chat.regenerate", "x", chat_regenerate);
  gtk_widget_class_install_action (widget_class, "chat.delete-message", "x", chat_delete_message);
  gtk_widget_class_install_action (widget_class, "chat.retry-save", "x", chat_retry_save);
  gtk_widget_class_install_action (widget_class, "chat.reconnect", NULL, chat_reconnect);
  gtk_widget_class_install_action (widget_class, "chat.search", NULL, chat_search);
  gtk_widget_class_install_action (widget_class, "chat.show-sidebar", NULL, chat_show_sidebar);
}
