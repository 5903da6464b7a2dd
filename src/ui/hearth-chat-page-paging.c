/* hearth-chat-page-paging.c — a conversation's messages, a screenful at a time
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GtkListView 4.8 builds, binds and measures a row for every item it holds
 * (up to 200) before the first frame, whatever is on screen: opening a
 * conversation costs what is put in the list, not what is read. So the
 * engine reads a page of the newest messages in a worker, and the list gets
 * only those that fill the view; the rest are held, and go in a screenful
 * or two at a time as the reader scrolls up to them. Opening a conversation
 * of 10,000 messages then costs what opening one of 4 costs
 * (bench-open-conversation).
 */
#define G_LOG_DOMAIN "hearth-chat-page"

#include "config.h"

#include <math.h>
#include <string.h>

#include "hearth-chat-page-private.h"
#include "hearth-error.h"
#include "hearth-message-item.h"

/* Reads are cheap (a millisecond for 20 messages of a 10,000-message
 * conversation); rows are not. */
#define FIRST_PAGE_SIZE 20
#define PAGE_SIZE 50
#define SETTLE_FRAMES 4
/* The first screen is filled with a little to spare, as the heights are
 * estimates; a scroll to the top brings two more screens. */
#define FIRST_SCREENS 1.25
#define OLDER_SCREENS 2.0
/* A row's heading, its figures line and margins, in lines of text. */
#define ROW_OVERHEAD_LINES 3

/* Only while the reader is at the bottom does new text pull the view down. */
static void
on_scroll_value (GtkAdjustment  *adjustment,
                 HearthChatPage *self)
{
  double bottom = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  self->stick_to_bottom = gtk_adjustment_get_value (adjustment) >= bottom - 40;
}

static void
on_scroll_upper (GtkAdjustment  *adjustment,
                 GParamSpec     *pspec,
                 HearthChatPage *self)
{
  if (self->stick_to_bottom && self->settle_tick == 0)
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) -
                                          gtk_adjustment_get_page_size (adjustment));
}

static void
scroll_to_last_item (HearthChatPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));

  self->stick_to_bottom = TRUE;
  if (n > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->message_view), "list.scroll-to-item", "u", n - 1);
}

/* Estimating heights: the messages are not laid out before they are in
 * the list, and laying them out is the cost to avoid. */

typedef struct
{
  double width;        /* of a line of text, in pixels */
  double height;       /* of the view */
  double char_width;
  double line_height;
} Screen;

static gboolean
get_screen (HearthChatPage *self,
            Screen         *screen)
{
  GtkWidget *view = GTK_WIDGET (self->message_scroller);
  PangoFontMetrics *metrics;

  /* Before the view was ever shown, the page's size is the best guess. */
  screen->width = gtk_widget_get_width (view);
  screen->height = gtk_widget_get_height (view);
  if (screen->width <= 0 || screen->height <= 0)
    {
      screen->width = gtk_widget_get_width (GTK_WIDGET (self->content_stack));
      screen->height = gtk_widget_get_height (GTK_WIDGET (self->content_stack));
    }
  /* A window opened on a conversation has no size yet: what it asked for,
   * less the sidebar, header and composer, is near enough (a view left
   * short is filled as it settles). */
  if ((screen->width <= 0 || screen->height <= 0) && GTK_IS_WINDOW (gtk_widget_get_root (view)))
    {
      int width, height;

      gtk_window_get_default_size (GTK_WINDOW (gtk_widget_get_root (view)), &width, &height);
      screen->width = width - 300;
      screen->height = height - 250;
    }
  if (screen->width <= 0 || screen->height <= 0)
    return FALSE;
  /* The row's margins (hearth-message-row.ui) */
  screen->width = MAX (screen->width - 36, 100);

  metrics = pango_context_get_metrics (gtk_widget_get_pango_context (view), NULL, NULL);
  screen->char_width = MAX (pango_font_metrics_get_approximate_char_width (metrics) / (double) PANGO_SCALE, 1);
  screen->line_height = MAX (pango_font_metrics_get_height (metrics) / (double) PANGO_SCALE, 1);
  pango_font_metrics_unref (metrics);
  return TRUE;
}

/* Lines of wrapped text, counted no further than @max_lines (a reply of
 * megabytes is not scanned to learn that it is taller than the view). */
static double
estimate_lines (const char *text,
                double      chars_per_line,
                double      max_lines)
{
  double lines = 0;

  while (text != NULL && *text != '\0' && lines < max_lines)
    {
      /* Enough bytes to fill the lines still counted, at most */
      gsize length = strnlen (text, (gsize) (chars_per_line * (max_lines - lines) * 4) + 1);
      const char *end = memchr (text, '\n', length);

      if (end != NULL)
        length = end - text;
      lines += MAX (1.0, ceil (g_utf8_strlen (text, length) / chars_per_line));
      text = end != NULL ? end + 1 : NULL;
    }
  return lines;
}

static double
estimate_height (HearthMessageItem *item,
                 const Screen      *screen)
{
  const HearthMessage *message = hearth_message_item_get_message (item);
  double max_lines = screen->height / screen->line_height;
  double lines = estimate_lines (message != NULL ? message->content : NULL,
                                 MAX (screen->width / screen->char_width, 1), max_lines);

  return (lines + ROW_OVERHEAD_LINES) * screen->line_height;
}

/* Moves the newest held items that fill @screens views into the list. */
static void
show_held (HearthChatPage *self,
           double          screens)
{
  Screen screen;
  guint first = 0;

  if (self->held->len == 0)
    return;
  if (get_screen (self, &screen))
    {
      double wanted = screens * screen.height;
      double height = 0;

      first = self->held->len;
      while (first > 0 && height < wanted)
        height += estimate_height (g_ptr_array_index (self->held, --first), &screen);
    }
  g_list_store_splice (self->messages, 0, 0, self->held->pdata + first, self->held->len - first);
  g_ptr_array_remove_range (self->held, first, self->held->len - first);
}

static gboolean
has_more (HearthChatPage *self)
{
  return self->held->len > 0 || self->has_older;
}

static void load_page (HearthChatPage *self,
                       gint64          before_id);

/* Reaching the top while a page loads or the view settles asks for more
 * as soon as it can come, rather than waiting for another scroll that may
 * never come (the view is already at the top). */
static void
show_wanted (HearthChatPage *self)
{
  if (!self->older_wanted || self->loading || self->settle_tick != 0)
    return;
  self->older_wanted = FALSE;
  if (self->held->len > 0)
    show_held (self, OLDER_SCREENS);
  else if (self->has_older)
    load_page (self, self->oldest_id);
}

/* GtkListView 4.8 measures rows lazily and re-anchors as it does: a pixel
 * offset set meanwhile lands on the wrong rows. Scroll by item for a few
 * frames, and only then let pixels (and the top edge) count again. */
static gboolean
settle_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  HearthChatPage *self = HEARTH_CHAT_PAGE (widget);
  GtkAdjustment *adjustment;

  scroll_to_last_item (self);
  if (++self->settle_frames < SETTLE_FRAMES)
    return G_SOURCE_CONTINUE;
  self->settle_frames = 0;
  self->settle_tick = 0;
  /* A view the estimate did not fill could never reach the top: it gets
   * more, and settles again. */
  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->message_view));
  if (gtk_adjustment_get_upper (adjustment) <= gtk_adjustment_get_page_size (adjustment) &&
      has_more (self))
    {
      self->older_wanted = TRUE;
      show_wanted (self);
      _hearth_chat_page_scroll_to_bottom (self);
      return G_SOURCE_REMOVE;
    }
  show_wanted (self);
  return G_SOURCE_REMOVE;
}

void
_hearth_chat_page_scroll_to_bottom (HearthChatPage *self)
{
  scroll_to_last_item (self);
  if (self->settle_tick == 0)
    self->settle_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), settle_tick_cb, NULL, NULL);
}

/* Loading messages: the engine reads them in a worker. */

static void
messages_loaded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(HearthChatPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GPtrArray) items = NULL;
  gboolean first_page = self->loading_before_id <= 0;

  messages = hearth_engine_list_messages_finish (HEARTH_ENGINE (object), result, &error);
  if (hearth_error_is_cancelled (error))
    return;
  self->loading = FALSE;
  if (messages == NULL)
    {
      /* Said once: the view does not ask again as it settles or is
       * scrolled, until the conversation is opened again. */
      self->has_older = FALSE;
      _hearth_chat_page_toast (self, error->message);
      return;
    }

  /* Pages are read only when nothing is held, so what they end with goes
   * just above the list (a set cut by the page joins its item there). */
  items = _hearth_chat_page_items_from_messages (self, messages);
  g_ptr_array_extend_and_steal (self->held, g_steal_pointer (&items));
  self->has_older = messages->len == (first_page ? FIRST_PAGE_SIZE : PAGE_SIZE);
  if (messages->len > 0)
    self->oldest_id = ((HearthMessage *) g_ptr_array_index (messages, 0))->id;
  show_held (self, first_page ? FIRST_SCREENS : OLDER_SCREENS);
  if (first_page)
    {
      _hearth_chat_page_choose_from_messages (self, messages);
      _hearth_chat_page_scroll_to_bottom (self);
    }
  else
    show_wanted (self);
}

static void
load_page (HearthChatPage *self,
           gint64          before_id)
{
  if (!_hearth_chat_page_has_history (self) || self->conversation_id < 0)
    return;
  self->loading = TRUE;
  self->loading_before_id = before_id;
  hearth_engine_list_messages_async (self->engine, self->conversation_id, before_id,
                                     before_id > 0 ? PAGE_SIZE : FIRST_PAGE_SIZE,
                                     self->load_cancellable, messages_loaded_cb,
                                     g_object_ref (self));
}

static void
on_edge_reached (GtkScrolledWindow *scroller,
                 GtkPositionType    position,
                 HearthChatPage    *self)
{
  if (position != GTK_POS_TOP || !has_more (self))
    return;
  self->older_wanted = TRUE;
  show_wanted (self);
}

/* Empties the list for @conversation_id, and reads its newest messages
 * unless it is a new chat (-1). */
void
_hearth_chat_page_load_conversation (HearthChatPage *self,
                                     gint64          conversation_id)
{
  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();
  g_ptr_array_set_size (self->held, 0);
  g_list_store_remove_all (self->messages);
  self->conversation_id = conversation_id;
  self->oldest_id = 0;
  self->has_older = FALSE;
  self->loading = FALSE;
  self->older_wanted = FALSE;
  if (conversation_id >= 0)
    load_page (self, 0);
}

void
_hearth_chat_page_setup_paging (HearthChatPage *self)
{
  GtkAdjustment *vadjustment = gtk_scrolled_window_get_vadjustment (self->message_scroller);

  self->held = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect_object (vadjustment, "value-changed", G_CALLBACK (on_scroll_value), self, 0);
  g_signal_connect_object (vadjustment, "notify::upper", G_CALLBACK (on_scroll_upper), self, 0);
  g_signal_connect_object (vadjustment, "notify::page-size", G_CALLBACK (on_scroll_upper), self, 0);
  g_signal_connect_object (self->message_scroller, "edge-reached", G_CALLBACK (on_edge_reached),
                           self, 0);
}
