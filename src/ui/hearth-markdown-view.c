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
 * a tenth of one, and laying that out at once would freeze the window. The
 * budget doubles while the frames that show a full budget stay cheap and
 * halves when one costs too much: its cost is measured from this view's
 * update to the end of that frame's paint (the interval between frames says
 * less: a short one follows every long one, and doubled the budget). */
#define FRAME_BUDGET     4096
#define FRAME_BUDGET_MIN 2048
#define FRAME_BUDGET_MAX (32 * 1024)
#define FRAME_SHORT_US   16000
#define FRAME_LONG_US    28000
/* A tail no commit point cuts (a giant table or list item) is shown whole
 * past this: slices of it would be laid out again every frame. */
#define TAIL_SLICE_MAX   (64 * 1024)

struct _HearthMarkdownView
{
  GtkWidget           parent_instance;

  GString            *text;
  gsize               committed;        /* bytes of @text that are final and built */
  gsize               shown;            /* bytes of @text on screen, committed or in the tail */
  GtkWidget          *last_committed;   /* the last child built from committed text */
  HearthMarkdownScan  scan;             /* of the text after @committed */
  gboolean            continued;        /* @committed cuts a long paragraph in pieces */
  HearthCodeBlock    *code;             /* the tail: an open fence, appended to */
  gsize               budget;
  gint64              tick_us;          /* this frame showed a full budget, from then */
  GdkFrameClock      *clock;            /* while mapped */
  gulong              after_paint_id;
  GtkAdjustment      *vadjustment;      /* of the scrolled window showing it, while mapped */
  guint               idle_id;
  guint               tick_id;
  gboolean            finishing;        /* finish() was called while a backlog was shown */
  guint               n_committed_blocks;
  guint               n_tail_builds;
};

G_DEFINE_FINAL_TYPE (HearthMarkdownView, hearth_markdown_view, GTK_TYPE_WIDGET)

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

/* After a piece boundary, the first block goes on with the paragraph above:
 * no gap between them (style.css). */
static GPtrArray *
build_blocks (HearthMarkdownView *self,
              gsize               end,
              HearthCodeBlock    *reusable)
{
  GPtrArray *blocks = _hearth_markdown_view_build_blocks (self->text->str + self->committed,
                                                          end - self->committed, reusable);

  if (self->continued && blocks->len > 0)
    gtk_widget_add_css_class (g_ptr_array_index (blocks, 0), "md-continued");
  return blocks;
}

/* The fence's language as the markdown parser reads it: the info string's first word. */
static char *
fence_language (const char *line,
                gsize       len)
{
  gsize i = 0;
  gsize end;

  while (i < len && (line[i] == '`' || line[i] == '~'))
    i++;
  while (i < len && (line[i] == ' ' || line[i] == '\t'))
    i++;
  for (end = i; end < len && !g_ascii_isspace (line[end]); end++)
    ;
  return end > i ? g_strndup (line + i, end - i) : NULL;
}

/* The code of the fence that opens @tail, as the markdown parser gives it:
 * its lines up to @end, without the last line break. Returns: the language. */
static char *
fence_code (const char *tail,
            gsize       end,
            gsize      *code_start,
            gsize      *code_end)
{
  const char *newline = memchr (tail, '\n', end);

  g_assert (newline != NULL);
  *code_start = newline - tail + 1;
  *code_end = MAX (end, *code_start);
  if (*code_end > *code_start && tail[*code_end - 1] == '\n')
    (*code_end)--;
  return fence_language (tail, newline - tail);
}

/* Adds the code from @code_start to @code_end of @tail to the tail's code
 * block, a new one if it is not already showing the beginning of it. */
static gboolean
append_code (HearthMarkdownView *self,
             const char         *tail,
             const char         *language,
             gsize               code_start,
             gsize               code_end)
{
  HearthCodeBlock *block = self->code;
  gsize len = code_end - code_start;
  gsize shown;

  if (block == NULL)
    {
      GtkWidget *last = gtk_widget_get_last_child (GTK_WIDGET (self));

      /* Adopt the block the last rebuild made, if it shows a beginning of this code. */
      if (last != NULL && last != self->last_committed && HEARTH_IS_CODE_BLOCK (last) &&
          g_strcmp0 (hearth_code_block_get_language (HEARTH_CODE_BLOCK (last)), language) == 0 &&
          strlen (hearth_code_block_get_code (HEARTH_CODE_BLOCK (last))) <= len &&
          strncmp (hearth_code_block_get_code (HEARTH_CODE_BLOCK (last)), tail + code_start,
                   strlen (hearth_code_block_get_code (HEARTH_CODE_BLOCK (last)))) == 0)
        block = HEARTH_CODE_BLOCK (last);
    }
  else if (g_strcmp0 (hearth_code_block_get_language (block), language) != 0 ||
           hearth_code_block_get_code_length (block) > len)
    block = NULL;

  if (block == NULL)
    {
      g_autofree char *code = g_strndup (tail + code_start, len);

      block = HEARTH_CODE_BLOCK (hearth_code_block_new (language));
      hearth_code_block_set_code (block, code);
    }
  else
    {
      shown = hearth_code_block_get_code_length (block);
      hearth_code_block_append_code (block, tail + code_start + shown, len - shown);
    }
  if (gtk_widget_get_parent (GTK_WIDGET (block)) == NULL)
    gtk_widget_insert_after (GTK_WIDGET (block), GTK_WIDGET (self), self->last_committed);
  self->code = block;
  /* Nothing else in the tail. */
  for (GtkWidget *child = first_tail_child (self), *next; child != NULL; child = next)
    {
      next = gtk_widget_get_next_sibling (child);
      if (child != GTK_WIDGET (block))
        gtk_widget_unparent (child);
    }
  return TRUE;
}

/* While the tail is one open fence at the margin, its new lines are appended
 * to the code block as they come: no markdown parse of the whole block, no
 * new buffer. Up to @limit, leaving out a last line that may yet close the fence. */
static void
stream_code (HearthMarkdownView *self,
             gsize               limit)
{
  const char *tail = self->text->str + self->committed;
  gsize len = limit - self->committed;
  g_autofree char *language = NULL;
  gsize code_start;
  gsize code_end;
  const char *valid_end;

  if (self->scan.pos < len &&
      _hearth_markdown_could_close_fence (&self->scan.fence, tail + self->scan.pos,
                                          len - self->scan.pos))
    len = self->scan.pos;
  language = fence_code (tail, len, &code_start, &code_end);
  /* A character cut by the delta's end shows when its last bytes come. */
  if (!g_utf8_validate (tail + code_start, code_end - code_start, &valid_end) &&
      tail + code_end - valid_end < 4)
    code_end = valid_end - tail;
  append_code (self, tail, language, code_start, code_end);
  self->n_tail_builds++;
}

/* Commits the tail from @committed to @end if it is one fence at the margin
 * (closed or not, blank lines after it) that stream_code() has been showing:
 * the code block is final as it stands, without parsing megabytes again. */
static gboolean
commit_code (HearthMarkdownView *self,
             gsize               end)
{
  const char *tail = self->text->str + self->committed;
  gsize len = end - self->committed;
  HearthMarkdownFence fence = { 0 };
  const char *newline;
  gsize pos;
  gsize code_start;
  gsize code_end;
  gsize fence_end = len;
  g_autofree char *language = NULL;

  if (self->code == NULL || memchr (tail, '\r', len) != NULL ||
      (newline = memchr (tail, '\n', len)) == NULL)
    return FALSE;
  _hearth_markdown_update_fence (&fence, tail, newline - tail);
  if (fence.c == 0 || !fence.at_margin)
    return FALSE;
  for (pos = newline - tail + 1; pos < len;)
    {
      const char *line_end = memchr (tail + pos, '\n', len - pos);
      gsize next = line_end != NULL ? (gsize) (line_end - tail) + 1 : len;

      if (fence.c != 0)
        {
          _hearth_markdown_update_fence (&fence, tail + pos,
                                         (line_end != NULL ? (gsize) (line_end - tail) : len) - pos);
          if (fence.c == 0)
            fence_end = pos;
        }
      else
        {
          for (gsize i = pos; i < next; i++)
            if (!g_ascii_isspace (tail[i]))
              return FALSE;
        }
      pos = next;
    }

  language = fence_code (tail, fence_end, &code_start, &code_end);
  if (!g_utf8_validate (tail + code_start, code_end - code_start, NULL))
    return FALSE;
  append_code (self, tail, language, code_start, code_end);
  self->last_committed = GTK_WIDGET (self->code);
  self->n_committed_blocks++;
  return TRUE;
}

static void
commit_until (HearthMarkdownView *self,
              gsize               end,
              HearthMarkdownCut   cut)
{
  g_assert (end > self->committed && end <= self->text->len);

  if (!commit_code (self, end))
    {
      g_autoptr(GPtrArray) blocks = build_blocks (self, end, NULL);

      clear_tail (self, NULL);
      if (blocks->len > 0)
        self->last_committed = insert_blocks (self, blocks, self->last_committed);
      self->n_committed_blocks += blocks->len;
    }
  self->code = NULL;
  self->committed = end;
  self->continued = cut == HEARTH_MARKDOWN_CUT_PIECE;
  _hearth_markdown_scan_reset (&self->scan);
}

/* Commits every commit point before @limit, each piece built apart. */
static void
commit_ready (HearthMarkdownView *self,
              gsize               limit)
{
  HearthMarkdownCut cut;
  gsize point;

  while ((cut = _hearth_markdown_scan (&self->scan, self->text->str + self->committed,
                                       limit - self->committed, &point)) != HEARTH_MARKDOWN_CUT_NONE)
    commit_until (self, self->committed + point, cut);
}

static void
rebuild_tail (HearthMarkdownView *self,
              gsize               shown)
{
  g_autoptr(GPtrArray) blocks = NULL;
  GtkWidget *last = gtk_widget_get_last_child (GTK_WIDGET (self));
  HearthCodeBlock *reusable = NULL;

  self->code = NULL;
  if (last != NULL && last != self->last_committed && HEARTH_IS_CODE_BLOCK (last))
    reusable = HEARTH_CODE_BLOCK (last);

  if (self->committed == shown)
    {
      clear_tail (self, NULL);
      return;
    }
  blocks = build_blocks (self, shown, reusable);
  clear_tail (self, blocks);
  insert_blocks (self, blocks, self->last_committed);
  self->n_tail_builds++;
}

static void
show_tail (HearthMarkdownView *self,
           gsize               limit)
{
  if (self->scan.code_at_start && !self->scan.has_cr)
    stream_code (self, limit);
  else
    rebuild_tail (self, limit);
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
  gsize limit = MAX (self->shown, self->committed) + self->budget;

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

  cancel_flush (self);
  limit = frame_limit (self, budgeted);
  commit_ready (self, limit);
  if (limit < self->text->len && limit - self->committed > TAIL_SLICE_MAX &&
      !self->scan.code_at_start)
    {
      limit = self->text->len;
      commit_ready (self, limit);
    }
  self->shown = limit;

  if (limit < self->text->len)
    {
      /* More next frame; show what this one could afford. */
      show_tail (self, limit);
      schedule_flush (self);
      return;
    }
  if (self->finishing)
    {
      self->finishing = FALSE;
      if (self->text->len > self->committed)
        commit_until (self, self->text->len, HEARTH_MARKDOWN_CUT_NONE);
      return;
    }
  show_tail (self, self->text->len);
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
  gint64 start = g_get_monotonic_time ();

  self->tick_id = 0;
  flush (self, TRUE);
  /* Still a backlog: this frame laid out a full budget; its cost will tell. */
  self->tick_us = self->shown < self->text->len ? start : 0;
  return G_SOURCE_REMOVE;
}

static void
on_after_paint (GdkFrameClock      *clock,
                HearthMarkdownView *self)
{
  gint64 cost;

  if (self->tick_us == 0)
    return;
  cost = g_get_monotonic_time () - self->tick_us;
  self->tick_us = 0;
  if (cost < FRAME_SHORT_US)
    self->budget = MIN (self->budget * 2, FRAME_BUDGET_MAX);
  else if (cost > FRAME_LONG_US)
    self->budget = MAX (self->budget / 2, FRAME_BUDGET_MIN);
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

/* Drawing */

/* A reply megabytes long is one list row tens of thousands of pixels tall,
 * and the software renderer went through every glyph of it at every frame
 * (most of a frame's time once a reply passed a megabyte). Only the blocks
 * within a screen of what the scrolled window shows are drawn; scrolling, or
 * the list moving under it, draws again. */
static void
hearth_markdown_view_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  HearthMarkdownView *self = HEARTH_MARKDOWN_VIEW (widget);
  GtkWidget *scroller = self->vadjustment != NULL
                        ? gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW) : NULL;
  graphene_rect_t shown;

  if (scroller == NULL || !gtk_widget_compute_bounds (scroller, widget, &shown))
    {
      GTK_WIDGET_CLASS (hearth_markdown_view_parent_class)->snapshot (widget, snapshot);
      return;
    }
  graphene_rect_inset (&shown, 0, -shown.size.height);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      graphene_rect_t bounds;
      graphene_rect_t common;

      if (!gtk_widget_compute_bounds (child, widget, &bounds) ||
          graphene_rect_intersection (&bounds, &shown, &common))
        gtk_widget_snapshot_child (widget, child, snapshot);
    }
}

static void
hearth_markdown_view_map (GtkWidget *widget)
{
  HearthMarkdownView *self = HEARTH_MARKDOWN_VIEW (widget);
  GtkWidget *scroller = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);

  GTK_WIDGET_CLASS (hearth_markdown_view_parent_class)->map (widget);
  self->clock = g_object_ref (gtk_widget_get_frame_clock (widget));
  self->after_paint_id = g_signal_connect (self->clock, "after-paint",
                                           G_CALLBACK (on_after_paint), self);
  if (scroller != NULL)
    {
      self->vadjustment =
        g_object_ref (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)));
      g_signal_connect_swapped (self->vadjustment, "value-changed",
                                G_CALLBACK (gtk_widget_queue_draw), self);
      g_signal_connect_swapped (self->vadjustment, "changed",
                                G_CALLBACK (gtk_widget_queue_draw), self);
    }
}

static void
hearth_markdown_view_unmap (GtkWidget *widget)
{
  HearthMarkdownView *self = HEARTH_MARKDOWN_VIEW (widget);
  gboolean pending = self->tick_id != 0 || self->idle_id != 0;

  cancel_flush (self);
  g_clear_signal_handler (&self->after_paint_id, self->clock);
  g_clear_object (&self->clock);
  if (self->vadjustment != NULL)
    g_signal_handlers_disconnect_by_data (self->vadjustment, self);
  g_clear_object (&self->vadjustment);
  self->tick_us = 0;
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
  self->code = NULL;
  self->committed = 0;
  self->shown = 0;
  self->continued = FALSE;
  self->tick_us = 0;
  _hearth_markdown_scan_reset (&self->scan);
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

  widget_class->snapshot = hearth_markdown_view_snapshot;
  widget_class->map = hearth_markdown_view_map;
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
  self->budget = FRAME_BUDGET;
  hearth_code_block_warm_up ();
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
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && self->text->len - self->committed > self->budget)
    {
      self->finishing = TRUE;
      schedule_flush (self);
      return;
    }
  cancel_flush (self);
  self->finishing = FALSE;
  commit_ready (self, self->text->len);
  if (self->text->len > self->committed)
    commit_until (self, self->text->len, HEARTH_MARKDOWN_CUT_NONE);
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
