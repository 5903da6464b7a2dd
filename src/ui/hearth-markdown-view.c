/* hearth-markdown-view.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-markdown"

#include "config.h"

#include <string.h>

#include "hearth-code-block.h"
#include "hearth-markdown-view-private.h"

#define FLUSH_PRIORITY (G_PRIORITY_HIGH_IDLE + 10)
/* How much new text one frame may lay out while a burst is caught up with:
 * a model writes a few kilobytes a second, a local server can send 80 KB in
 * a tenth of one, and laying that out at once would freeze the window. */
#define FRAME_BUDGET 4096

struct _HearthMarkdownView
{
  GtkWidget   parent_instance;

  GString    *text;
  gsize       committed;        /* bytes of @text that are final and built */
  gsize       shown;            /* bytes of @text on screen, committed or in the tail */
  GtkWidget  *last_committed;   /* the last child built from committed text */
  guint       idle_id;
  guint       tick_id;
  gboolean    finishing;        /* finish() was called while a backlog was shown */
  guint       n_committed_blocks;
  guint       n_tail_builds;
};

G_DEFINE_FINAL_TYPE (HearthMarkdownView, hearth_markdown_view, GTK_TYPE_WIDGET)

/* Streaming: which part of the tail is certainly final */

static gboolean
is_blank (const char *line,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
        return FALSE;
    }
  return TRUE;
}

/* Length of a list marker ("-", "*", "+", "12." or "3)") followed by a space, else 0. */
static gsize
list_marker_length (const char *line,
                    gsize       len)
{
  gsize i = 0;

  if (len > 0 && (line[0] == '-' || line[0] == '*' || line[0] == '+'))
    i = 1;
  else
    {
      while (i < len && i < 9 && g_ascii_isdigit (line[i]))
        i++;
      if (i == 0 || i >= len || (line[i] != '.' && line[i] != ')'))
        return 0;
      i++;
    }
  if (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
    return 0;
  return i;
}

/* Skips indentation, quote marks and list markers that may precede a fence. */
static gsize
skip_container_marks (const char *line,
                      gsize       len)
{
  gsize i = 0;

  for (;;)
    {
      gsize marker;

      while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '>'))
        i++;
      marker = list_marker_length (line + i, len - i);
      if (marker == 0)
        return i;
      i += marker;
    }
}

typedef struct
{
  char  c;      /* '`' or '~' while a fence is open, else 0 */
  gsize n;
} Fence;

static void
update_fence (Fence      *fence,
              const char *line,
              gsize       len)
{
  gsize i = skip_container_marks (line, len);
  gsize n = 0;
  char c;

  if (i >= len || (line[i] != '`' && line[i] != '~'))
    return;
  c = line[i];
  while (i + n < len && line[i + n] == c)
    n++;
  if (n < 3)
    return;
  if (fence->c == 0)
    {
      /* A backtick fence's info string has no backticks, else it is inline code. */
      if (c != '`' || memchr (line + i + n, '`', len - i - n) == NULL)
        *fence = (Fence) { c, n };
    }
  else if (c == fence->c && n >= fence->n && is_blank (line + i + n, len - i - n))
    *fence = (Fence) { 0, 0 };
}

/* A complete line after a blank line, outside a fence, that starts at the
 * margin and is no list item, begins a new top-level block: the lists and
 * code blocks that could have continued past the blank line cannot anymore.
 * Returns: the offset of the last such line in @tail, or 0. */
static gsize
find_commit_point (const char *tail,
                   gsize       len)
{
  Fence fence = { 0, 0 };
  gboolean previous_blank = FALSE;
  gsize commit = 0;
  const char *newline;

  for (gsize start = 0; start < len; start = newline - tail + 1)
    {
      gsize line_len;
      gboolean blank;

      if (!(newline = memchr (tail + start, '\n', len - start)))
        break;
      line_len = newline - (tail + start);
      blank = is_blank (tail + start, line_len);
      if (start > 0 && previous_blank && !blank && fence.c == 0 &&
          tail[start] != ' ' && tail[start] != '\t' &&
          list_marker_length (tail + start, line_len) == 0)
        commit = start;
      update_fence (&fence, tail + start, line_len);
      previous_blank = blank;
    }
  return commit;
}

/* Building */

static GtkWidget *
first_tail_child (HearthMarkdownView *self)
{
  if (self->last_committed != NULL)
    return gtk_widget_get_next_sibling (self->last_committed);
  return gtk_widget_get_first_child (GTK_WIDGET (self));
}

static void
clear_tail (HearthMarkdownView *self,
            GPtrArray          *keep)
{
  GtkWidget *child = first_tail_child (self);

  while (child != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);

      if (keep == NULL || !g_ptr_array_find (keep, child, NULL))
        gtk_widget_unparent (child);
      child = next;
    }
}

static GtkWidget *
insert_blocks (HearthMarkdownView *self,
               GPtrArray          *blocks,
               GtkWidget          *after)
{
  for (guint i = 0; i < blocks->len; i++)
    {
      GtkWidget *block = g_ptr_array_index (blocks, i);

      if (gtk_widget_get_parent (block) == NULL)
        gtk_widget_insert_after (block, GTK_WIDGET (self), after);
      else if (gtk_widget_get_prev_sibling (block) != after)
        gtk_widget_insert_after (block, GTK_WIDGET (self), after);
      after = block;
    }
  return after;
}

static void
commit_until (HearthMarkdownView *self,
              gsize               end)
{
  g_autoptr(GPtrArray) blocks = NULL;

  g_assert (end > self->committed && end <= self->text->len);

  blocks = _hearth_markdown_view_build_blocks (self->text->str + self->committed,
                                               end - self->committed, NULL);
  clear_tail (self, NULL);
  if (blocks->len > 0)
    self->last_committed = insert_blocks (self, blocks, self->last_committed);
  self->n_committed_blocks += blocks->len;
  self->committed = end;
}

static void
rebuild_tail (HearthMarkdownView *self,
              gsize               shown)
{
  g_autoptr(GPtrArray) blocks = NULL;
  GtkWidget *last = gtk_widget_get_last_child (GTK_WIDGET (self));
  HearthCodeBlock *reusable = NULL;

  if (last != NULL && last != self->last_committed && HEARTH_IS_CODE_BLOCK (last))
    reusable = HEARTH_CODE_BLOCK (last);

  if (self->committed == shown)
    {
      clear_tail (self, NULL);
      return;
    }
  blocks = _hearth_markdown_view_build_blocks (self->text->str + self->committed,
                                               shown - self->committed, reusable);
  clear_tail (self, blocks);
  insert_blocks (self, blocks, self->last_committed);
  self->n_tail_builds++;
}

static void
cancel_flush (HearthMarkdownView *self)
{
  g_clear_handle_id (&self->idle_id, g_source_remove);
  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
}

/* The end of the text this frame may show: all of it, or a budget's worth
 * more, cut at a character boundary. */
static gsize
frame_limit (HearthMarkdownView *self,
             gboolean            budgeted)
{
  const char *text = self->text->str;
  gsize limit = MAX (self->shown, self->committed) + FRAME_BUDGET;

  if (!budgeted || limit >= self->text->len)
    return self->text->len;
  while (limit > self->committed && (text[limit] & 0xC0) == 0x80)
    limit--;
  return limit;
}

static void schedule_flush (HearthMarkdownView *self);

static void
flush (HearthMarkdownView *self,
       gboolean            budgeted)
{
  gsize limit;
  gsize end;

  cancel_flush (self);
  limit = frame_limit (self, budgeted);
  end = self->committed + find_commit_point (self->text->str + self->committed,
                                             limit - self->committed);
  if (end > self->committed)
    commit_until (self, end);
  else
    /* One block still open (a long paragraph or code block): showing it in
     * slices would lay it out again every frame. */
    limit = self->text->len;
  self->shown = limit;

  if (limit < self->text->len)
    {
      /* More next frame; show what this one could afford. */
      rebuild_tail (self, limit);
      schedule_flush (self);
      return;
    }
  if (self->finishing)
    {
      self->finishing = FALSE;
      if (self->text->len > self->committed)
        commit_until (self, self->text->len);
      return;
    }
  rebuild_tail (self, self->text->len);
}

static gboolean
flush_idle_cb (gpointer user_data)
{
  HearthMarkdownView *self = user_data;

  self->idle_id = 0;
  flush (self, FALSE);
  return G_SOURCE_REMOVE;
}

static gboolean
flush_tick_cb (GtkWidget     *widget,
               GdkFrameClock *frame_clock,
               gpointer       user_data)
{
  HearthMarkdownView *self = HEARTH_MARKDOWN_VIEW (widget);

  self->tick_id = 0;
  flush (self, TRUE);
  return G_SOURCE_REMOVE;
}

/* At most one rebuild per frame however many deltas arrive; an unmapped
 * view has no frames, so it catches up in an idle instead. */
static void
schedule_flush (HearthMarkdownView *self)
{
  if (self->tick_id != 0 || self->idle_id != 0)
    return;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), flush_tick_cb, NULL, NULL);
  else
    self->idle_id = g_idle_add_full (FLUSH_PRIORITY, flush_idle_cb, self, NULL);
}

static void
hearth_markdown_view_unmap (GtkWidget *widget)
{
  HearthMarkdownView *self = HEARTH_MARKDOWN_VIEW (widget);
  gboolean pending = self->tick_id != 0 || self->idle_id != 0;

  cancel_flush (self);
  GTK_WIDGET_CLASS (hearth_markdown_view_parent_class)->unmap (widget);

  /* Unmapped now, so this catches up in an idle. */
  if (pending)
    schedule_flush (self);
}

static void
remove_all (HearthMarkdownView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  self->last_committed = NULL;
  self->committed = 0;
  self->shown = 0;
}

static void
hearth_markdown_view_dispose (GObject *object)
{
  HearthMarkdownView *self = HEARTH_MARKDOWN_VIEW (object);

  cancel_flush (self);
  remove_all (self);

  G_OBJECT_CLASS (hearth_markdown_view_parent_class)->dispose (object);
}

static void
hearth_markdown_view_finalize (GObject *object)
{
  HearthMarkdownView *self = HEARTH_MARKDOWN_VIEW (object);

  g_string_free (self->text, TRUE);

  G_OBJECT_CLASS (hearth_markdown_view_parent_class)->finalize (object);
}

static void
hearth_markdown_view_class_init (HearthMarkdownViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hearth_markdown_view_dispose;
  object_class->finalize = hearth_markdown_view_finalize;

  widget_class->unmap = hearth_markdown_view_unmap;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "markdownview");

  g_type_ensure (HEARTH_TYPE_CODE_BLOCK);
}

static void
hearth_markdown_view_init (HearthMarkdownView *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 12);
  self->text = g_string_new (NULL);
}

GtkWidget *
hearth_markdown_view_new (void)
{
  return g_object_new (HEARTH_TYPE_MARKDOWN_VIEW, NULL);
}

const char *
hearth_markdown_view_get_text (HearthMarkdownView *self)
{
  g_return_val_if_fail (HEARTH_IS_MARKDOWN_VIEW (self), NULL);

  return self->text->str;
}

/* Builds at once, so that a recycled list row measures its new content. */
void
hearth_markdown_view_set_text (HearthMarkdownView *self,
                               const char         *text)
{
  g_return_if_fail (HEARTH_IS_MARKDOWN_VIEW (self));

  if (text == NULL)
    text = "";
  if (g_str_equal (text, self->text->str))
    return;

  cancel_flush (self);
  remove_all (self);
  self->n_committed_blocks = 0;
  self->n_tail_builds = 0;
  g_string_assign (self->text, text);
  self->finishing = FALSE;
  flush (self, FALSE);
}

void
hearth_markdown_view_append (HearthMarkdownView *self,
                             const char         *delta)
{
  g_return_if_fail (HEARTH_IS_MARKDOWN_VIEW (self));
  g_return_if_fail (delta != NULL);

  if (*delta == '\0')
    return;
  g_string_append (self->text, delta);
  schedule_flush (self);
}

void
hearth_markdown_view_finish (HearthMarkdownView *self)
{
  g_return_if_fail (HEARTH_IS_MARKDOWN_VIEW (self));

  /* A shown view with a backlog catches up frame by frame, then finishes. */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && self->text->len - self->committed > FRAME_BUDGET)
    {
      self->finishing = TRUE;
      schedule_flush (self);
      return;
    }
  cancel_flush (self);
  self->finishing = FALSE;
  if (self->text->len > self->committed)
    commit_until (self, self->text->len);
}

/* Whether everything appended so far is on screen, nothing left for later frames. */
gboolean
hearth_markdown_view_is_caught_up (HearthMarkdownView *self)
{
  g_return_val_if_fail (HEARTH_IS_MARKDOWN_VIEW (self), TRUE);
  return !self->finishing && self->tick_id == 0 && self->idle_id == 0;
}

guint
hearth_markdown_view_get_n_committed_blocks (HearthMarkdownView *self)
{
  g_return_val_if_fail (HEARTH_IS_MARKDOWN_VIEW (self), 0);

  return self->n_committed_blocks;
}

guint
hearth_markdown_view_get_n_tail_builds (HearthMarkdownView *self)
{
  g_return_val_if_fail (HEARTH_IS_MARKDOWN_VIEW (self), 0);

  return self->n_tail_builds;
}
