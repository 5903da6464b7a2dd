/* hearth-message-row.c — one message, recycled by the chat's GtkListView
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-message-row"

#include <glib/gi18n.h>

#include "hearth-compare-view.h"
#include "hearth-markdown-view.h"
#include "hearth-message-row.h"

struct _HearthMessageRow
{
  GtkWidget          parent_instance;

  HearthMessageItem *item;
  HearthReply       *reply;

  GtkWidget         *box;
  GtkLabel          *role_label;
  GtkLabel          *state_label;
  GtkLabel          *cached_label;
  GtkWidget         *fresh_button;
  GtkSpinner        *spinner;
  GtkWidget         *actions_box;
  GtkWidget         *rating_box;
  GtkWidget         *thumbs_up_button;
  GtkWidget         *thumbs_down_button;
  GtkWidget         *note_button;
  GtkPopover        *note_popover;
  GtkEntry          *note_entry;
  GtkWidget         *note_save_button;
  GtkWidget         *copy_button;
  GtkWidget         *edit_button;
  GtkWidget         *regenerate_button;
  GtkWidget         *delete_button;
  GtkExpander       *thinking_expander;
  GtkLabel          *thinking_label;
  GtkLabel          *user_label;
  HearthMarkdownView *markdown_view;
  HearthCompareView *set_view;
  GtkWidget         *error_box;
  GtkLabel          *error_label;
  GtkWidget         *retry_button;
  GtkWidget         *save_box;
  GtkLabel          *save_label;
  GtkWidget         *retry_save_button;
  GtkLabel          *figures_label;
  GtkLabel          *route_label;

  GString           *thinking;

  gboolean           hovered;
  gboolean           focused;
  gboolean           tapped;
  gboolean           syncing;   /* the thumbs are being set from the item */
};

G_DEFINE_FINAL_TYPE (HearthMessageRow, hearth_message_row, GTK_TYPE_WIDGET)

/* Target first, then name: a parameterised action without its target warns. */
static void
set_action (GtkWidget  *button,
            const char *action,
            gint64      id)
{
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_int64 (id));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
}

/* The buttons show where the person is: under the pointer, in the keyboard
 * focus, or on the row a finger tapped. Hidden, they keep their place (the
 * text does not jump) and their place in the focus chain and for screen
 * readers, but take no clicks: a tap on the row cannot delete it unseen. */
static void
update_actions_shown (HearthMessageRow *self)
{
  gboolean shown = self->hovered || self->focused || self->tapped;

  gtk_widget_set_opacity (self->actions_box, shown ? 1.0 : 0.0);
  gtk_widget_set_can_target (self->actions_box, shown);
  /* A rating given stays in sight: the lit thumb is what was said. */
  for (GtkWidget *c = gtk_widget_get_first_child (self->rating_box); c;
       c = gtk_widget_get_next_sibling (c))
    {
      gboolean lit = GTK_IS_TOGGLE_BUTTON (c) && gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (c));

      gtk_widget_set_opacity (c, shown || lit ? 1.0 : 0.0);
      gtk_widget_set_can_target (c, shown || lit);
    }
}

static void
on_pointer_enter (GtkEventControllerMotion *motion,
                  double                    x,
                  double                    y,
                  HearthMessageRow         *self)
{
  self->hovered = TRUE;
  update_actions_shown (self);
}

static void
on_pointer_leave (GtkEventControllerMotion *motion,
                  HearthMessageRow         *self)
{
  self->hovered = FALSE;
  update_actions_shown (self);
}

static void
on_focus_changed (GtkEventControllerFocus *focus,
                  HearthMessageRow        *self)
{
  self->focused = gtk_event_controller_focus_contains_focus (focus);
  update_actions_shown (self);
}

static void
on_tapped (GtkGestureClick  *gesture,
           int               n_press,
           double            x,
           double            y,
           HearthMessageRow *self)
{
  self->tapped = TRUE;
  update_actions_shown (self);
}

/* Ratings: any finished reply with text; a set's kept answer. */
static void
refresh_rating (HearthMessageRow *self,
                gboolean          streaming)
{
  const HearthMessage *m = hearth_message_item_get_message (self->item);
  gboolean rateable = hearth_message_item_is_assistant (self->item) && !streaming &&
                      m->id > 0 && *m->content != '\0' &&
                      (!hearth_message_item_is_set (self->item) ||
                       hearth_message_item_get_winner (self->item) >= 0) &&
                      /* Compared: the thumbs rate the answer the person kept. */
                      (!hearth_message_item_is_compare (self->item) ||
                       hearth_message_item_get_picked_by_user (self->item));

  self->syncing = TRUE;
  gtk_widget_set_visible (self->thumbs_up_button, rateable);
  gtk_widget_set_visible (self->thumbs_down_button, rateable);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->thumbs_up_button), m->rating > 0);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->thumbs_down_button), m->rating < 0);
  gtk_widget_set_visible (self->note_button, rateable && m->rating != 0);
  gtk_widget_set_tooltip_text (self->note_button,
                               m->rating_note != NULL && *m->rating_note != '\0'
                               ? m->rating_note : _("Add a Note to Your Rating"));
  self->syncing = FALSE;
  update_actions_shown (self);
}

/* A set shows its answers in columns (compare) or its winner's text with
 * every candidate behind an expander (ensembles). */
static void
refresh_set (HearthMessageRow *self)
{
  const HearthMessage *m = hearth_message_item_get_message (self->item);
  gboolean compare = hearth_message_item_is_compare (self->item);
  const char *name = hearth_message_item_get_set_name (self->item);
  guint n = hearth_message_item_get_n_candidates (self->item);
  g_autofree char *title = NULL;
  g_autofree char *model = NULL;

  if (compare)
    title = g_strdup_printf (g_dngettext (NULL, "%u Model Compared", "%u Models Compared",
                                          n), n);
  else if (hearth_message_item_get_winner (self->item) >= 0 &&
           (model = hearth_message_item_dup_model_label (self->item)) != NULL)
    /* Translators: an ensemble's name, and the model whose answer won */
    title = g_strdup_printf (_("%s · %s"), name != NULL ? name : _("Ensemble"), model);
  else
    title = g_strdup (name != NULL ? name : _("Ensemble"));
  gtk_label_set_text (self->role_label, title);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->role_label), NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->state_label), FALSE);
  gtk_widget_set_visible (self->error_box, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->route_label), FALSE);
  gtk_widget_set_visible (self->copy_button, hearth_message_item_get_winner (self->item) >= 0);
  gtk_widget_set_visible (GTK_WIDGET (self->markdown_view), !compare && *m->content != '\0');
  if (!compare && g_strcmp0 (hearth_markdown_view_get_text (self->markdown_view), m->content) != 0)
    {
      hearth_markdown_view_set_text (self->markdown_view, m->content);
      hearth_markdown_view_finish (self->markdown_view);
    }
  if (compare)
    gtk_widget_set_visible (GTK_WIDGET (self->figures_label), FALSE);
}

static void
rate (HearthMessageRow *self,
      int               rating,
      const char       *note)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "chat.rate-message", "(xis)",
                              hearth_message_item_get_id (self->item), rating,
                              note != NULL ? note : "");
}

/* Up and down exclude each other; clicking the lit one takes it back. */
static void
on_thumb_toggled (GtkToggleButton  *button,
                  HearthMessageRow *self)
{
  const HearthMessage *m;
  int rating;

  if (self->syncing || self->item == NULL)
    return;
  m = hearth_message_item_get_message (self->item);
  if (gtk_toggle_button_get_active (button))
    rating = GTK_WIDGET (button) == self->thumbs_up_button ? 1 : -1;
  else
    rating = 0;
  rate (self, rating, rating != 0 ? m->rating_note : NULL);
  /* The item says what the history holds: the buttons follow it. */
  if (self->item != NULL)
    refresh_rating (self, FALSE);
}

static void
on_note_shown (GtkPopover       *popover,
               HearthMessageRow *self)
{
  const HearthMessage *m = self->item != NULL ? hearth_message_item_get_message (self->item) : NULL;

  gtk_editable_set_text (GTK_EDITABLE (self->note_entry),
                         m != NULL && m->rating_note != NULL ? m->rating_note : "");
  gtk_widget_grab_focus (GTK_WIDGET (self->note_entry));
}

static void
on_note_save (GtkWidget        *widget,
              HearthMessageRow *self)
{
  const HearthMessage *m;

  if (self->item == NULL)
    return;
  m = hearth_message_item_get_message (self->item);
  rate (self, m->rating, gtk_editable_get_text (GTK_EDITABLE (self->note_entry)));
  gtk_popover_popdown (self->note_popover);
}

static void
add_action_controllers (HearthMessageRow *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *focus = gtk_event_controller_focus_new ();
  GtkGesture *tap = gtk_gesture_click_new ();

  g_signal_connect (motion, "enter", G_CALLBACK (on_pointer_enter), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_pointer_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  g_signal_connect (focus, "enter", G_CALLBACK (on_focus_changed), self);
  g_signal_connect (focus, "leave", G_CALLBACK (on_focus_changed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (tap), TRUE);
  g_signal_connect (tap, "pressed", G_CALLBACK (on_tapped), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (tap));
  update_actions_shown (self);
}

static const char *
state_text (const HearthMessage *m,
            gboolean             streaming)
{
  if (streaming)
    return NULL;
  switch (m->state)
    {
    case HEARTH_MESSAGE_CANCELLED:
      return _("Stopped");
    case HEARTH_MESSAGE_PARTIAL:
      return _("Interrupted");
    case HEARTH_MESSAGE_FAILED:
      return _("Failed");
    case HEARTH_MESSAGE_COMPLETE:
    default:
      return NULL;
    }
}

static void
refresh_cached (HearthMessageRow *self,
                gboolean          streaming)
{
  gboolean cached = !streaming && hearth_message_item_get_cached (self->item);
  double saved = hearth_message_item_get_time_saved_ms (self->item);
  g_autofree char *text = NULL;

  if (cached && saved <= 0)
    text = g_strdup (_("Cached"));
  else if (cached)
    text = saved >= 1000 ? g_strdup_printf (_("Cached · saved %.1f s"), saved / 1000)
                         : g_strdup_printf (_("Cached · saved %.0f ms"), saved);
  gtk_widget_set_visible (GTK_WIDGET (self->cached_label), cached);
  gtk_label_set_text (self->cached_label, text ? text : "");
  gtk_widget_set_visible (self->fresh_button, cached);
}

/* What the user can do about a reply the history did not take. */
static void
refresh_save_error (HearthMessageRow *self)
{
  const GError *error = hearth_message_item_get_save_error (self->item);
  g_autofree char *text = NULL;

  gtk_widget_set_visible (self->save_box, error != NULL);
  if (error == NULL)
    return;
  if (g_error_matches (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_FULL))
    text = g_strdup (_("Not saved: the disk is full. Copy it, or free space and it will be saved."));
  else if (g_error_matches (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND))
    text = g_strdup (_("Not saved: its conversation was deleted. Copy it to keep it."));
  else
    text = g_strdup_printf (_("Not saved: %s. Copy it, or retry the save."), error->message);
  gtk_label_set_text (self->save_label, text);
  gtk_widget_set_visible (self->retry_save_button,
                          !g_error_matches (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND) &&
                          !hearth_message_item_is_streaming (self->item));
}

/* Everything but the text, which streams on its own path. */
static void
refresh_status (HearthMessageRow *self)
{
  const HearthMessage *m = hearth_message_item_get_message (self->item);
  gboolean assistant = hearth_message_item_is_assistant (self->item);
  gboolean streaming = hearth_message_item_is_streaming (self->item);
  const char *state = state_text (m, streaming);
  g_autofree char *figures = NULL;
  g_autofree char *route = NULL;
  g_autofree char *model = assistant ? hearth_message_item_dup_model_label (self->item) : NULL;

  gtk_label_set_text (self->role_label,
                      assistant ? (model ? model : _("Assistant")) : _("You"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->role_label), assistant ? m->model : NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->state_label), state != NULL);
  gtk_label_set_text (self->state_label, state ? state : "");
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), streaming);
  gtk_spinner_set_spinning (self->spinner, streaming);
  gtk_widget_set_visible (self->actions_box, !streaming);

  gtk_widget_set_visible (self->error_box, m->state == HEARTH_MESSAGE_FAILED && !streaming);
  gtk_label_set_text (self->error_label, m->error ? m->error : _("The reply failed."));

  figures = assistant && !streaming && m->state != HEARTH_MESSAGE_FAILED
            ? hearth_message_item_dup_figures (self->item) : NULL;
  gtk_widget_set_visible (GTK_WIDGET (self->figures_label), figures != NULL && *figures != '\0');
  gtk_label_set_text (self->figures_label, figures ? figures : "");

  route = assistant ? hearth_message_item_dup_route (self->item) : NULL;
  gtk_widget_set_visible (GTK_WIDGET (self->route_label), route != NULL);
  gtk_label_set_text (self->route_label, route ? route : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->route_label), route);

  gtk_widget_set_visible (GTK_WIDGET (self->thinking_expander),
                          m->thinking != NULL && *m->thinking != '\0');
  refresh_cached (self, streaming);
  refresh_save_error (self);
  refresh_rating (self, streaming);
  if (hearth_message_item_is_set (self->item))
    refresh_set (self);
}

static void
on_item_changed (HearthMessageItem *item,
                 HearthMessageRow  *self)
{
  if (self->reply != NULL && hearth_reply_is_finished (self->reply))
    {
      hearth_markdown_view_finish (self->markdown_view);
      g_signal_handlers_disconnect_by_data (self->reply, self);
      g_clear_object (&self->reply);
    }
  refresh_status (self);
}

static void
on_reply_delta (HearthReply      *reply,
                const char       *content,
                const char       *thinking,
                HearthMessageRow *self)
{
  if (content != NULL)
    hearth_markdown_view_append (self->markdown_view, content);
  if (thinking != NULL)
    {
      g_string_append (self->thinking, thinking);
      gtk_label_set_text (self->thinking_label, self->thinking->str);
      gtk_widget_set_visible (GTK_WIDGET (self->thinking_expander), TRUE);
    }
}

static void
unbind (HearthMessageRow *self)
{
  if (self->item != NULL)
    g_signal_handlers_disconnect_by_data (self->item, self);
  if (self->reply != NULL)
    g_signal_handlers_disconnect_by_data (self->reply, self);
  g_clear_object (&self->reply);
  g_clear_object (&self->item);
  hearth_compare_view_set_item (self->set_view, NULL);
}

static void
bind_text (HearthMessageRow *self)
{
  const HearthMessage *m = hearth_message_item_get_message (self->item);
  HearthReply *reply = hearth_message_item_get_reply (self->item);
  gboolean assistant = hearth_message_item_is_assistant (self->item);
  gboolean live = reply != NULL && !hearth_reply_is_finished (reply);
  const char *content = live ? hearth_reply_get_content (reply) : m->content;
  const char *thinking = live ? hearth_reply_get_thinking (reply) : m->thinking;

  gtk_widget_set_visible (GTK_WIDGET (self->user_label), !assistant);
  gtk_widget_set_visible (GTK_WIDGET (self->markdown_view), assistant);
  gtk_widget_set_visible (GTK_WIDGET (self->set_view), hearth_message_item_is_set (self->item));
  hearth_compare_view_set_item (self->set_view, hearth_message_item_is_set (self->item)
                                                ? self->item : NULL);
  if (assistant)
    {
      hearth_markdown_view_set_text (self->markdown_view, content ? content : "");
      if (!live)
        hearth_markdown_view_finish (self->markdown_view);
    }
  else
    {
      /* Plain text: what the user typed, never markup. */
      gtk_label_set_text (self->user_label, content ? content : "");
    }
  g_string_assign (self->thinking, thinking ? thinking : "");
  gtk_label_set_text (self->thinking_label, self->thinking->str);

  if (live)
    {
      self->reply = g_object_ref (reply);
      g_signal_connect (reply, "delta", G_CALLBACK (on_reply_delta), self);
    }
}

void
hearth_message_row_set_item (HearthMessageRow  *self,
                             HearthMessageItem *item,
                             gboolean           is_last)
{
  gint64 id;
  gboolean assistant;

  g_return_if_fail (HEARTH_IS_MESSAGE_ROW (self));
  g_return_if_fail (item == NULL || HEARTH_IS_MESSAGE_ITEM (item));

  unbind (self);
  if (item == NULL)
    return;

  self->item = g_object_ref (item);
  self->tapped = FALSE;
  update_actions_shown (self);
  id = hearth_message_item_get_id (item);
  assistant = hearth_message_item_is_assistant (item);
  g_signal_connect (item, "changed", G_CALLBACK (on_item_changed), self);

  set_action (self->copy_button, "chat.copy-message", id);
  set_action (self->edit_button, "chat.edit-message", id);
  set_action (self->regenerate_button, "chat.regenerate", id);
  set_action (self->retry_button, "chat.regenerate", id);
  set_action (self->delete_button, "chat.delete-message", id);
  set_action (self->fresh_button, "chat.regenerate", id);
  set_action (self->retry_save_button, "chat.retry-save", id);
  gtk_widget_set_visible (self->edit_button, !assistant);
  /* A set's answers are kept, rated or copied; asking again is a new question. */
  gtk_widget_set_visible (self->regenerate_button,
                          assistant && is_last && !hearth_message_item_is_set (item));
  gtk_widget_set_visible (self->delete_button, !hearth_message_item_is_set (item));
  gtk_widget_set_visible (self->copy_button, !hearth_message_item_is_set (item) ||
                                             hearth_message_item_get_winner (item) >= 0);
  gtk_widget_set_visible (self->retry_button, is_last);

  if (assistant)
    gtk_widget_remove_css_class (self->box, "user-message");
  else
    gtk_widget_add_css_class (self->box, "user-message");

  bind_text (self);
  refresh_status (self);
}

HearthMessageItem *
hearth_message_row_get_item (HearthMessageRow *self)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ROW (self), NULL);
  return self->item;
}

static void
hearth_message_row_dispose (GObject *object)
{
  HearthMessageRow *self = HEARTH_MESSAGE_ROW (object);

  unbind (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), HEARTH_TYPE_MESSAGE_ROW);

  G_OBJECT_CLASS (hearth_message_row_parent_class)->dispose (object);
}

static void
hearth_message_row_finalize (GObject *object)
{
  HearthMessageRow *self = HEARTH_MESSAGE_ROW (object);

  g_string_free (self->thinking, TRUE);

  G_OBJECT_CLASS (hearth_message_row_parent_class)->finalize (object);
}

static void
hearth_message_row_class_init (HearthMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hearth_message_row_dispose;
  object_class->finalize = hearth_message_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hearthapp/Hearth/hearth-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, box);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, role_label);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, state_label);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, cached_label);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, fresh_button);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, spinner);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, actions_box);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, rating_box);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, thumbs_up_button);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, thumbs_down_button);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, note_button);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, note_popover);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, note_entry);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, note_save_button);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, copy_button);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, edit_button);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, regenerate_button);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, delete_button);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, thinking_expander);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, thinking_label);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, user_label);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, markdown_view);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, set_view);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, error_box);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, error_label);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, save_box);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, save_label);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, retry_save_button);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, figures_label);
  gtk_widget_class_bind_template_child (widget_class, HearthMessageRow, route_label);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  g_type_ensure (HEARTH_TYPE_MARKDOWN_VIEW);
  g_type_ensure (HEARTH_TYPE_COMPARE_VIEW);
}

static void
hearth_message_row_init (HearthMessageRow *self)
{
  g_type_ensure (HEARTH_TYPE_MARKDOWN_VIEW);
  g_type_ensure (HEARTH_TYPE_COMPARE_VIEW);
  gtk_widget_init_template (GTK_WIDGET (self));
  /* a screen reader names the message by who wrote it ("You", the model) */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  self->role_label, NULL, -1);
  self->thinking = g_string_new (NULL);
  add_action_controllers (self);
  g_signal_connect (self->thumbs_up_button, "toggled", G_CALLBACK (on_thumb_toggled), self);
  g_signal_connect (self->thumbs_down_button, "toggled", G_CALLBACK (on_thumb_toggled), self);
  g_signal_connect (self->note_popover, "show", G_CALLBACK (on_note_shown), self);
  g_signal_connect (self->note_entry, "activate", G_CALLBACK (on_note_save), self);
  g_signal_connect (self->note_save_button, "clicked", G_CALLBACK (on_note_save), self);
}

GtkWidget *
hearth_message_row_new (void)
{
  return g_object_new (HEARTH_TYPE_MESSAGE_ROW, NULL);
}
