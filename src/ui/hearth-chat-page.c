/* hearth-chat-page.c — conversations on the left, the chat on the right
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-chat-page"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "hearth-chat-page-private.h"
#include "hearth-conversation-list.h"
#include "hearth-endpoint.h"
#include "hearth-error.h"
#include "hearth-message-item.h"
#include "hearth-message-row.h"
#include "hearth-model.h"

G_DEFINE_FINAL_TYPE (HearthChatPage, hearth_chat_page, GTK_TYPE_WIDGET)

void
_hearth_chat_page_toast (HearthChatPage *self,
                         const char     *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

/* Without a history there is no sidebar; these keep the callers simple. */
void
_hearth_chat_page_sidebar_reload (HearthChatPage *self)
{
  if (self->conversation_list != NULL)
    hearth_conversation_list_reload (self->conversation_list);
}

void
_hearth_chat_page_sidebar_select (HearthChatPage *self,
                                  gint64          id)
{
  if (self->conversation_list != NULL)
    hearth_conversation_list_select (self->conversation_list, id);
}

gboolean
_hearth_chat_page_has_history (HearthChatPage *self)
{
  return self->engine != NULL && hearth_engine_has_history (self->engine);
}

HearthProvider *
_hearth_chat_page_get_provider (HearthChatPage  *self,
                                GError       **error)
{
  return hearth_engine_get_configured_provider (self->engine, self->settings, error);
}

gboolean
_hearth_chat_page_composer_is_blank (HearthChatPage *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->composer_view);
  GtkTextIter iter;

  gtk_text_buffer_get_start_iter (buffer, &iter);
  while (!gtk_text_iter_is_end (&iter))
    {
      if (!g_unichar_isspace (gtk_text_iter_get_char (&iter)))
        return FALSE;
      gtk_text_iter_forward_char (&iter);
    }
  return TRUE;
}

/* Send says why it cannot: nothing to send, or no server to send it to. */
void
_hearth_chat_page_update_actions (HearthChatPage *self)
{
  gboolean streaming = _hearth_chat_page_is_busy (self);
  gboolean can_send = !streaming && self->engine != NULL && !self->server_down &&
                      !_hearth_chat_page_composer_is_blank (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.stop", streaming);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.send", can_send);
  gtk_widget_set_tooltip_text (self->send_button,
                               self->server_down
                               ? _("Can’t reach the server: your message waits here until it is back")
                               : _("Send (Enter)"));
  gtk_widget_set_visible (self->send_button, !streaming);
  gtk_widget_set_visible (self->stop_button, streaming);
  gtk_revealer_set_reveal_child (self->edit_revealer, self->edit_from_id > 0);
}

/* Messages list */

/* Rows no longer listed are let go a slice at a time, after what the next
 * frame needs: a row's markdown takes milliseconds to dispose, and leaving
 * a conversation read far back disposed a hundred rows or more before the
 * next one could be drawn (bench-open-conversation). */
#define RELEASE_SLICE_US 4000

static gboolean
release_rows_cb (gpointer user_data)
{
  HearthChatPage *self = user_data;
  gint64 start = g_get_monotonic_time ();

  while (self->dying_rows->len > 0 && g_get_monotonic_time () - start < RELEASE_SLICE_US)
    g_ptr_array_remove_index_fast (self->dying_rows, self->dying_rows->len - 1);
  if (self->dying_rows->len > 0)
    return G_SOURCE_CONTINUE;
  self->release_rows_id = 0;
  return G_SOURCE_REMOVE;
}

/* The list drops a row by unparenting it; the page's own reference (taken
 * in setup_row) keeps it until a slice of idle time lets it go. */
static void
on_row_parent (GtkWidget      *row,
               GParamSpec     *pspec,
               HearthChatPage *self)
{
  if (gtk_widget_get_parent (row) != NULL)
    return;
  g_signal_handlers_disconnect_by_func (row, on_row_parent, self);
  if (self->dying_rows == NULL)
    {
      g_object_unref (row);
      return;
    }
  g_ptr_array_add (self->dying_rows, row);
  if (self->release_rows_id == 0)
    self->release_rows_id = g_idle_add_full (G_PRIORITY_LOW, release_rows_cb, self, NULL);
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           HearthChatPage           *self)
{
  GtkWidget *row = hearth_message_row_new ();

  gtk_list_item_set_activatable (list_item, FALSE);
  gtk_list_item_set_child (list_item, row);
  /* The page's reference: see on_row_parent () */
  g_object_ref (row);
  g_signal_connect (row, "notify::parent", G_CALLBACK (on_row_parent), self);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          HearthChatPage           *self)
{
  guint position = gtk_list_item_get_position (list_item);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));

  hearth_message_row_set_item (HEARTH_MESSAGE_ROW (gtk_list_item_get_child (list_item)),
                               gtk_list_item_get_item (list_item), position + 1 == n);
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            gpointer                  user_data)
{
  hearth_message_row_set_item (HEARTH_MESSAGE_ROW (gtk_list_item_get_child (list_item)), NULL,
                               FALSE);
}

HearthMessageItem *
_hearth_chat_page_find_item (HearthChatPage *self,
                             gint64          id,
                             guint          *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HearthMessageItem) item = g_list_model_get_item (G_LIST_MODEL (self->messages), i);

      if (hearth_message_item_get_id (item) == id)
        {
          if (position != NULL)
            *position = i;
          return item;
        }
    }
  return NULL;
}

static void place_server_notice (HearthChatPage *self);

static void
reset_conversation (HearthChatPage *self,
                    gint64          conversation_id)
{
  _hearth_chat_page_load_conversation (self, conversation_id);
  self->edit_from_id = -1;
  _hearth_chat_page_update_actions (self);
}

void
hearth_chat_page_open_conversation (HearthChatPage *self,
                                    gint64          conversation_id)
{
  g_autoptr(HearthConversation) conversation = NULL;

  g_return_if_fail (HEARTH_IS_CHAT_PAGE (self));

  if (_hearth_chat_page_has_history (self))
    conversation = hearth_engine_get_conversation (self->engine, conversation_id, NULL);
  if (conversation == NULL)
    return;
  reset_conversation (self, conversation_id);
  _hearth_chat_page_set_title (self, conversation->title);
  gtk_stack_set_visible_child_name (self->content_stack, "messages");
  place_server_notice (self);
  _hearth_chat_page_sidebar_select (self, conversation_id);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

void
hearth_chat_page_new_chat (HearthChatPage *self)
{
  g_return_if_fail (HEARTH_IS_CHAT_PAGE (self));

  reset_conversation (self, -1);
  _hearth_chat_page_set_title (self, NULL);
  gtk_stack_set_visible_child_name (self->content_stack, "welcome");
  place_server_notice (self);
  _hearth_chat_page_sidebar_select (self, -1);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  gtk_widget_grab_focus (GTK_WIDGET (self->composer_view));
}

gboolean
_hearth_chat_page_error_is_unreachable (const GError *error)
{
  return hearth_error_exit_code (error) == 3;
}

/* What to do comes with what happened: start the server, or point Hearth at another. */
static char *
describe_unreachable (HearthChatPage *self,
                      const GError   *error)
{
  g_autoptr(GError) provider_error = NULL;
  HearthProvider *provider = _hearth_chat_page_get_provider (self, &provider_error);

  if (provider == NULL || !g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_CONNECTION_REFUSED))
    return hearth_error_describe (error);
  if (hearth_provider_get_api (provider) == HEARTH_API_OLLAMA)
    return g_strdup_printf (_("Can’t reach Ollama at %s. Start it with “ollama serve”, "
                              "or change the server in Preferences."),
                            hearth_provider_get_endpoint (provider));
  return g_strdup_printf (_("Can’t reach the %s at %s. Start it, or change the server in "
                            "Preferences."),
                          hearth_provider_get_server_kind (provider),
                          hearth_provider_get_endpoint (provider));
}

/* Said once: on the status page of an empty chat, else in the banner. */
static void
place_server_notice (HearthChatPage *self)
{
  gboolean empty = self->conversation_id < 0 &&
                   g_list_model_get_n_items (G_LIST_MODEL (self->messages)) == 0;

  if (self->server_down && empty)
    gtk_stack_set_visible_child_name (self->content_stack, "unreachable");
  else if (g_str_equal (gtk_stack_get_visible_child_name (self->content_stack), "unreachable"))
    gtk_stack_set_visible_child_name (self->content_stack, empty ? "welcome" : "messages");
  gtk_revealer_set_reveal_child (self->banner_revealer, self->server_down && !empty);
}

void
_hearth_chat_page_show_unreachable (HearthChatPage *self,
                                    const GError   *error)
{
  g_autofree char *text = describe_unreachable (self, error);

  self->server_down = TRUE;
  adw_status_page_set_description (self->unreachable_page, text);
  gtk_label_set_text (self->banner_label, text);
  place_server_notice (self);
  _hearth_chat_page_update_actions (self);
}

void
_hearth_chat_page_server_reached (HearthChatPage *self)
{
  self->server_down = FALSE;
  place_server_notice (self);
  _hearth_chat_page_update_actions (self);
}

/* A NULL @title is a chat not yet started. */
void
_hearth_chat_page_set_title (HearthChatPage *self,
                             const char     *title)
{
  adw_window_title_set_title (self->title_widget,
                              title != NULL && *title != '\0' ? title : _("New Chat"));
}

static void
on_composer_changed (GtkTextBuffer  *buffer,
                     HearthChatPage *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->placeholder_label),
                          gtk_text_buffer_get_char_count (buffer) == 0);
  _hearth_chat_page_update_actions (self);
}

static char *
dup_composer_text (HearthChatPage *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->composer_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* Enter sends; Shift+Enter is a new line. */
static gboolean
on_composer_key (GtkEventControllerKey *controller,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 HearthChatPage        *self)
{
  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter) &&
      !(state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK)))
    {
      _hearth_chat_page_send_message (self);
      return GDK_EVENT_STOP;
    }
  return GDK_EVENT_PROPAGATE;
}

static void
on_conversation_activated (HearthConversationList *list,
                           gint64                  id,
                           HearthChatPage         *self)
{
  if (id != self->conversation_id)
    hearth_chat_page_open_conversation (self, id);
  else
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
on_conversation_deleted (HearthConversationList *list,
                         gint64                  id,
                         HearthChatPage         *self)
{
  if (id == self->conversation_id)
    {
      if (self->reply != NULL)
        hearth_reply_cancel (self->reply);
      _hearth_chat_page_stop_set (self);
      hearth_chat_page_new_chat (self);
    }
}

void
hearth_chat_page_set_engine (HearthChatPage *self,
                             HearthEngine   *engine,
                             const GError   *store_error)
{
  g_return_if_fail (HEARTH_IS_CHAT_PAGE (self));
  g_return_if_fail (HEARTH_IS_ENGINE (engine));
  g_return_if_fail (self->engine == NULL);

  self->engine = g_object_ref (engine);
  if (hearth_engine_has_history (engine))
    {
      self->conversation_list = HEARTH_CONVERSATION_LIST (hearth_conversation_list_new (engine));
      gtk_widget_set_vexpand (GTK_WIDGET (self->conversation_list), TRUE);
      gtk_box_append (GTK_BOX (self->sidebar_box), GTK_WIDGET (self->conversation_list));
      g_signal_connect_object (self->conversation_list, "conversation-activated",
                               G_CALLBACK (on_conversation_activated), self, 0);
      g_signal_connect_object (self->conversation_list, "conversation-deleted",
                               G_CALLBACK (on_conversation_deleted), self, 0);
    }
  else if (store_error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("History is off: %s"), store_error->message);

      gtk_label_set_text (self->banner_label, text);
      gtk_revealer_set_reveal_child (self->banner_revealer, TRUE);
    }
  _hearth_chat_page_update_actions (self);
  _hearth_chat_page_watch_servers (self);
  _hearth_chat_page_load_models (self);
}

void
hearth_chat_page_add_toast (HearthChatPage *self,
                            const char     *text)
{
  g_return_if_fail (HEARTH_IS_CHAT_PAGE (self));
  _hearth_chat_page_toast (self, text);
}

gint64
hearth_chat_page_get_conversation_id (HearthChatPage *self)
{
  g_return_val_if_fail (HEARTH_IS_CHAT_PAGE (self), -1);
  return self->conversation_id;
}

/* Returns: (nullable) (transfer none): the reply that is streaming */
HearthReply *
hearth_chat_page_get_current_reply (HearthChatPage *self)
{
  g_return_val_if_fail (HEARTH_IS_CHAT_PAGE (self), NULL);
  return self->reply;
}

GListModel *
hearth_chat_page_get_messages (HearthChatPage *self)
{
  g_return_val_if_fail (HEARTH_IS_CHAT_PAGE (self), NULL);
  return G_LIST_MODEL (self->messages);
}

void
hearth_chat_page_set_composer_text (HearthChatPage *self,
                                    const char     *text)
{
  g_return_if_fail (HEARTH_IS_CHAT_PAGE (self));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->composer_view), text, -1);
}

char *
hearth_chat_page_dup_composer_text (HearthChatPage *self)
{
  g_return_val_if_fail (HEARTH_IS_CHAT_PAGE (self), NULL);
  return dup_composer_text (self);
}

static void
hearth_chat_page_dispose (GObject *object)
{
  HearthChatPage *self = HEARTH_CHAT_PAGE (object);

  if (self->reply != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->reply, self);
      hearth_reply_cancel (self->reply);
    }
  g_clear_object (&self->reply);
  _hearth_chat_page_stop_set (self);
  g_clear_pointer (&self->compare_models, g_ptr_array_unref);
  if (self->settle_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->settle_tick);
  self->settle_tick = 0;
  g_cancellable_cancel (self->load_cancellable);
  g_cancellable_cancel (self->models_cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_object (&self->models_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), HEARTH_TYPE_CHAT_PAGE);
  /* The list's rows, let go with the list just now, go at once. */
  g_clear_handle_id (&self->release_rows_id, g_source_remove);
  g_clear_pointer (&self->dying_rows, g_ptr_array_unref);
  g_clear_pointer (&self->held, g_ptr_array_unref);
  g_clear_object (&self->messages);
  g_clear_object (&self->engine);
  g_clear_object (&self->settings);
  _hearth_chat_page_clear_picks (self);

  G_OBJECT_CLASS (hearth_chat_page_parent_class)->dispose (object);
}

static void
hearth_chat_page_class_init (HearthChatPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hearth_chat_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hearthapp/Hearth/hearth-chat-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HearthChatPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HearthChatPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, HearthChatPage, sidebar_box);
  gtk_widget_class_bind_template_child (widget_class, HearthChatPage, title_widget);
  gtk_widget_class_bind_template_child (widget_class, HearthChatPage, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, HearthChatPage, banner_label);
  gtk_widget_class_bind_template_child (widget_class, HearthChatPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, HearthChatPage, welcome_page);
  gtk_widget_class_bind_template_child (widget_class, HearthChatPage, unreachable_page);
  gtk_widget_class_bind_template_child (widget_class, HearthChatPage, message_scroller);
  gtk_widget_class_bind_template_child (widget_class, HearthChatPage, message_view);
  gtk_widget_class_bind_template_child (widget_class, HearthChatPage, edit_revealer);
  gtk_widget_class_bind_template_child (widget_class, HearthChatPage, composer_view);
  gtk_widget_class_bind_template_child (widget_class, HearthChatPage, placeholder_label);
  gtk_widget_class_bind_template_child (widget_class, HearthChatPage, send_button);
  gtk_widget_class_bind_template_child (widget_class, HearthChatPage, stop_button);
  gtk_widget_class_bind_template_child (widget_class, HearthChatPage, model_dropdown);
  gtk_widget_class_bind_template_child (widget_class, HearthChatPage, model_status_label);
  gtk_widget_class_bind_template_child (widget_class, HearthChatPage, compare_button);

  _hearth_chat_page_class_actions_init (klass);
  _hearth_chat_page_class_compare_init (klass);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "chat.stop", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "chat.search", NULL);

  g_type_ensure (HEARTH_TYPE_MESSAGE_ROW);
}

static void
hearth_chat_page_init (HearthChatPage *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->conversation_id = -1;
  self->edit_from_id = -1;
  self->stick_to_bottom = TRUE;
  self->load_cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APP_ID);
  self->messages = g_list_store_new (HEARTH_TYPE_MESSAGE_ITEM);
  self->dying_rows = g_ptr_array_new_with_free_func (g_object_unref);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), self);
  gtk_list_view_set_factory (self->message_view, factory);
  gtk_list_view_set_model (self->message_view,
                           GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->messages)))));

  _hearth_chat_page_setup_paging (self);

  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (on_composer_key), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self->composer_view), keys);

  g_signal_connect_object (gtk_text_view_get_buffer (self->composer_view), "changed",
                           G_CALLBACK (on_composer_changed), self, 0);
  _hearth_chat_page_setup_model_picker (self);
  _hearth_chat_page_setup_compare (self);
  _hearth_chat_page_update_model_hints (self);
  _hearth_chat_page_set_title (self, NULL);
  _hearth_chat_page_update_actions (self);
}
