/* hearth-markdown-view.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-markdown"

#include "config.h"

#include <md4c.h>
#include <string.h>

#include "hearth-code-block.h"
#include "hearth-markdown-view.h"

/* Raw HTML is model text like any other: shown, never interpreted. */
#define MARKDOWN_FLAGS (MD_DIALECT_GITHUB | MD_FLAG_NOHTML)
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

/* A container the parser is filling: a block quote, a list or a list item. */
typedef struct
{
  GtkWidget *box;
  GPtrArray *markers;     /* lists: the marker labels, aligned when the list ends */
  guint      number;      /* ordered lists: the next item's number */
  char       delimiter;   /* ordered lists: '.' or ')'; 0 for bullet lists */
} Frame;

typedef struct
{
  GPtrArray       *blocks;        /* top-level widgets, owned */
  GPtrArray       *frames;        /* open containers, innermost last */
  GString         *markup;        /* the inline run being collected */
  guint            heading;       /* level of the open heading, 0 outside one */
  guint            list_depth;
  gboolean         link_is_span;
  GString         *code;          /* non-NULL inside a code block */
  char            *code_language;
  HearthCodeBlock *reusable;      /* the streaming code block from the last build */
  GtkGrid         *grid;
  int              row;
  int              column;
  gboolean         in_head;
  MD_ALIGN         align;
} Builder;

static const char * const bullets[] = { "•", "◦", "▪" };
static const char * const heading_classes[] = {
  "title-1", "title-2", "title-3", "title-4", "heading", "heading",
};

/* Bidirectional controls would reorder the text around them ("Trojan Source"). */
static gboolean
is_bidi_control (gunichar c)
{
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
         c == 0x200E || c == 0x200F;
}

static void
append_sanitized_char (GString  *out,
                       gunichar  c)
{
  if (c < 0x20 && c != '\n' && c != '\t')
    g_string_append_unichar (out, 0x2400 + c);
  else if (c == 0x7F)
    g_string_append_unichar (out, 0x2421);
  else if (is_bidi_control (c))
    g_string_append_printf (out, "[U+%04X]", c);
  else
    g_string_append_unichar (out, c);
}

/**
 * hearth_markdown_view_sanitize:
 *
 * Makes model text safe to show: invalid UTF-8 becomes U+FFFD, control
 * characters their visible control pictures, bidi controls "[U+202E]".
 *
 * Returns: (transfer full): valid UTF-8, not escaped for markup
 */
char *
hearth_markdown_view_sanitize (const char *text,
                               gssize      len)
{
  const char *end;
  GString *out;

  g_return_val_if_fail (text != NULL, NULL);

  end = text + (len < 0 ? strlen (text) : (gsize) len);
  out = g_string_sized_new (end - text);
  for (const char *p = text; p < end;)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_unichar (out, 0xFFFD);
          p++;
          continue;
        }
      append_sanitized_char (out, c);
      p = c == 0 ? p + 1 : g_utf8_next_char (p);
    }
  return g_string_free (out, FALSE);
}

static void
append_escaped (GString    *markup,
                const char *text,
                gsize       len)
{
  g_autofree char *sanitized = hearth_markdown_view_sanitize (text, len);
  g_autofree char *escaped = g_markup_escape_text (sanitized, -1);

  g_string_append (markup, escaped);
}

gboolean
hearth_markdown_view_can_open_uri (const char *uri)
{
  g_autofree char *scheme = NULL;

  if (uri == NULL)
    return FALSE;
  scheme = g_uri_parse_scheme (uri);
  return scheme != NULL && (g_ascii_strcasecmp (scheme, "http") == 0 ||
                            g_ascii_strcasecmp (scheme, "https") == 0 ||
                            g_ascii_strcasecmp (scheme, "mailto") == 0);
}

/* Links come from the model: only web and mail links leave the application. */
static gboolean
activate_link_cb (GtkLabel   *label,
                  const char *uri)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (label));

  if (hearth_markdown_view_can_open_uri (uri))
    gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
  else
    g_debug ("Not opening link with unsupported scheme");
  return TRUE;
}

static GtkWidget *
create_label (const char *markup)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_markup (GTK_LABEL (label), markup);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  g_signal_connect (label, "activate-link", G_CALLBACK (activate_link_cb), NULL);
  return label;
}

static Frame *
current_frame (Builder *b)
{
  g_assert (b->frames->len > 0);
  return g_ptr_array_index (b->frames, b->frames->len - 1);
}

static void
frame_free (Frame *frame)
{
  g_clear_pointer (&frame->markers, g_ptr_array_unref);
  g_free (frame);
}

static void
add_block (Builder   *b,
           GtkWidget *widget)
{
  if (b->frames->len == 0)
    g_ptr_array_add (b->blocks, g_object_ref_sink (widget));
  else
    gtk_box_append (GTK_BOX (current_frame (b)->box), widget);
}

static Frame *
push_box (Builder    *b,
          const char *css_class,
          int         spacing)
{
  Frame *frame = g_new0 (Frame, 1);

  frame->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, spacing);
  if (css_class != NULL)
    gtk_widget_add_css_class (frame->box, css_class);
  add_block (b, frame->box);
  g_ptr_array_add (b->frames, frame);
  return frame;
}

static GtkWidget *
take_label (Builder *b)
{
  GtkWidget *label = create_label (b->markup->str);

  g_string_truncate (b->markup, 0);
  if (b->heading > 0)
    {
      gtk_widget_add_css_class (label, heading_classes[MIN (b->heading, 6) - 1]);
      gtk_widget_add_css_class (label, "md-heading");
    }
  return label;
}

static void
flush_inline (Builder *b)
{
  if (b->markup->len > 0)
    add_block (b, take_label (b));
}

static void
enter_list (Builder *b,
            char     delimiter,
            guint    start,
            gboolean tight)
{
  Frame *frame = push_box (b, "md-list", tight ? 4 : 10);

  frame->markers = g_ptr_array_new ();
  frame->number = start;
  frame->delimiter = delimiter;
  b->list_depth++;
}

/* Markers of one list share a width so that the items line up after "9." */
static void
leave_list (Builder *b)
{
  Frame *frame = current_frame (b);
  int width = 1;

  for (guint i = 0; i < frame->markers->len; i++)
    width = MAX (width, g_utf8_strlen (gtk_label_get_text (frame->markers->pdata[i]), -1));
  for (guint i = 0; i < frame->markers->len; i++)
    gtk_label_set_width_chars (frame->markers->pdata[i], width);
  g_ptr_array_remove_index (b->frames, b->frames->len - 1);
  b->list_depth--;
}

static char *
item_marker_text (Builder           *b,
                  Frame             *list,
                  MD_BLOCK_LI_DETAIL *detail)
{
  if (detail->is_task)
    return g_strdup (detail->task_mark == ' ' ? "☐" : "☑");
  if (list->delimiter != 0)
    return g_strdup_printf ("%u%c", list->number++, list->delimiter);
  return g_strdup (bullets[MIN (b->list_depth, G_N_ELEMENTS (bullets)) - 1]);
}

static void
enter_item (Builder            *b,
            MD_BLOCK_LI_DETAIL *detail)
{
  Frame *list = current_frame (b);
  g_autofree char *text = item_marker_text (b, list, detail);
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *marker = gtk_label_new (text);
  Frame *item = g_new0 (Frame, 1);

  gtk_widget_add_css_class (marker, "md-list-marker");
  gtk_label_set_xalign (GTK_LABEL (marker), list->delimiter != 0 ? 1.0 : 0.5);
  gtk_widget_set_valign (marker, GTK_ALIGN_START);
  g_ptr_array_add (list->markers, marker);

  item->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_hexpand (item->box, TRUE);
  gtk_box_append (GTK_BOX (row), marker);
  gtk_box_append (GTK_BOX (row), item->box);
  gtk_box_append (GTK_BOX (list->box), row);
  g_ptr_array_add (b->frames, item);
}

static void
enter_table (Builder *b)
{
  b->grid = GTK_GRID (gtk_grid_new ());
  gtk_widget_add_css_class (GTK_WIDGET (b->grid), "md-table");
  gtk_widget_set_halign (GTK_WIDGET (b->grid), GTK_ALIGN_START);
  b->row = 0;
  add_block (b, GTK_WIDGET (b->grid));
}

static void
leave_cell (Builder *b)
{
  GtkWidget *label = take_label (b);

  gtk_widget_add_css_class (label, b->in_head ? "md-table-header" : "md-table-cell");
  if (b->row % 2 == 0 && !b->in_head)
    gtk_widget_add_css_class (label, "md-table-even");
  if (b->align == MD_ALIGN_CENTER)
    gtk_label_set_xalign (GTK_LABEL (label), 0.5);
  else if (b->align == MD_ALIGN_RIGHT)
    gtk_label_set_xalign (GTK_LABEL (label), 1.0);
  gtk_grid_attach (b->grid, label, b->column++, b->row, 1, 1);
}

static void
enter_code (Builder              *b,
            MD_BLOCK_CODE_DETAIL *detail)
{
  b->code = g_string_new (NULL);
  if (detail->lang.size > 0)
    b->code_language = g_strndup (detail->lang.text, detail->lang.size);
}

static GtkWidget *
reuse_code_block (Builder *b)
{
  if (b->reusable == NULL || b->frames->len > 0 ||
      g_strcmp0 (hearth_code_block_get_language (b->reusable), b->code_language) != 0 ||
      !g_str_has_prefix (b->code->str, hearth_code_block_get_code (b->reusable)))
    return NULL;
  return GTK_WIDGET (g_steal_pointer (&b->reusable));
}

static void
leave_code (Builder *b)
{
  GtkWidget *block;

  /* md4c ends every code line with '\n'; the last one is not part of the code. */
  if (b->code->len > 0 && b->code->str[b->code->len - 1] == '\n')
    g_string_truncate (b->code, b->code->len - 1);

  if ((block = reuse_code_block (b)) == NULL)
    block = hearth_code_block_new (b->code_language);
  hearth_code_block_set_code (HEARTH_CODE_BLOCK (block), b->code->str);
  add_block (b, block);

  g_string_free (g_steal_pointer (&b->code), TRUE);
  g_clear_pointer (&b->code_language, g_free);
}

static int
enter_block_cb (MD_BLOCKTYPE  type,
                void         *detail,
                void         *user_data)
{
  Builder *b = user_data;
  MD_BLOCK_OL_DETAIL *ol = detail;
  MD_BLOCK_UL_DETAIL *ul = detail;

  flush_inline (b);
  switch (type)
    {
    case MD_BLOCK_H:
      b->heading = ((MD_BLOCK_H_DETAIL *) detail)->level;
      break;
    case MD_BLOCK_QUOTE:
      push_box (b, "md-blockquote", 8);
      break;
    case MD_BLOCK_UL:
      enter_list (b, 0, 1, ul->is_tight);
      break;
    case MD_BLOCK_OL:
      enter_list (b, ol->mark_delimiter, ol->start, ol->is_tight);
      break;
    case MD_BLOCK_LI:
      enter_item (b, detail);
      break;
    case MD_BLOCK_HR:
      add_block (b, gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
      break;
    case MD_BLOCK_CODE:
      enter_code (b, detail);
      break;
    case MD_BLOCK_TABLE:
      enter_table (b);
      break;
    case MD_BLOCK_THEAD:
      b->in_head = TRUE;
      break;
    case MD_BLOCK_TBODY:
      b->in_head = FALSE;
      break;
    case MD_BLOCK_TR:
      b->column = 0;
      break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
      b->align = ((MD_BLOCK_TD_DETAIL *) detail)->align;
      break;
    case MD_BLOCK_DOC:
    case MD_BLOCK_P:
    case MD_BLOCK_HTML:
    default:
      break;
    }
  return 0;
}

static int
leave_block_cb (MD_BLOCKTYPE  type,
                void         *detail,
                void         *user_data)
{
  Builder *b = user_data;

  if (type == MD_BLOCK_TH || type == MD_BLOCK_TD)
    {
      leave_cell (b);
      return 0;
    }

  flush_inline (b);
  switch (type)
    {
    case MD_BLOCK_H:
      b->heading = 0;
      break;
    case MD_BLOCK_QUOTE:
    case MD_BLOCK_LI:
      g_ptr_array_remove_index (b->frames, b->frames->len - 1);
      break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
      leave_list (b);
      break;
    case MD_BLOCK_CODE:
      leave_code (b);
      break;
    case MD_BLOCK_TR:
      b->row++;
      break;
    case MD_BLOCK_TABLE:
      b->grid = NULL;
      break;
    case MD_BLOCK_DOC:
    case MD_BLOCK_P:
    case MD_BLOCK_HTML:
    case MD_BLOCK_HR:
    case MD_BLOCK_THEAD:
    case MD_BLOCK_TBODY:
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
    default:
      break;
    }
  return 0;
}

static void
enter_link (Builder          *b,
            MD_SPAN_A_DETAIL *detail)
{
  g_autofree char *href = NULL;
  g_autofree char *escaped = NULL;

  /* GtkLabel needs a non-empty href; an empty link is plain text. */
  b->link_is_span = detail->href.size == 0;
  if (b->link_is_span)
    {
      g_string_append (b->markup, "<span>");
      return;
    }
  href = hearth_markdown_view_sanitize (detail->href.text, detail->href.size);
  escaped = g_markup_escape_text (href, -1);
  g_string_append_printf (b->markup, "<a href=\"%s\">", escaped);
}

/* The Pango markup around a span; links are handled apart. */
static void
span_tags (MD_SPANTYPE   type,
           const char  **open,
           const char  **close)
{
  switch (type)
    {
    case MD_SPAN_EM:
    case MD_SPAN_IMG:
      *open = "<i>", *close = "</i>";
      break;
    case MD_SPAN_STRONG:
      *open = "<b>", *close = "</b>";
      break;
    case MD_SPAN_DEL:
      *open = "<s>", *close = "</s>";
      break;
    case MD_SPAN_U:
      *open = "<u>", *close = "</u>";
      break;
    case MD_SPAN_CODE:
      *open = "<span font_family=\"monospace\" background=\"#808080\" bgalpha=\"18%\">";
      *close = "</span>";
      break;
    case MD_SPAN_A:
    case MD_SPAN_LATEXMATH:
    case MD_SPAN_LATEXMATH_DISPLAY:
    case MD_SPAN_WIKILINK:
    default:
      *open = "<span>", *close = "</span>";
      break;
    }
}

static int
enter_span_cb (MD_SPANTYPE  type,
               void        *detail,
               void        *user_data)
{
  Builder *b = user_data;
  const char *open;
  const char *close;

  if (type == MD_SPAN_A)
    {
      enter_link (b, detail);
      return 0;
    }
  span_tags (type, &open, &close);
  g_string_append (b->markup, open);
  return 0;
}

static int
leave_span_cb (MD_SPANTYPE  type,
               void        *detail,
               void        *user_data)
{
  Builder *b = user_data;
  const char *open;
  const char *close;

  span_tags (type, &open, &close);
  if (type == MD_SPAN_A && !b->link_is_span)
    close = "</a>";
  g_string_append (b->markup, close);
  return 0;
}

static int
text_cb (MD_TEXTTYPE    type,
         const MD_CHAR *text,
         MD_SIZE        size,
         void          *user_data)
{
  Builder *b = user_data;
  GString *target = b->code != NULL ? b->code : b->markup;

  switch (type)
    {
    case MD_TEXT_NULLCHAR:
      g_string_append (target, "\xef\xbf\xbd");
      break;
    case MD_TEXT_BR:
    case MD_TEXT_SOFTBR:
      g_string_append_c (target, '\n');
      break;
    case MD_TEXT_NORMAL:
    case MD_TEXT_ENTITY:
    case MD_TEXT_CODE:
    case MD_TEXT_HTML:
    case MD_TEXT_LATEXMATH:
    default:
      if (b->code != NULL)
        g_string_append_len (b->code, text, size);
      else
        append_escaped (b->markup, text, size);
      break;
    }
  return 0;
}

/* Returns: (transfer container): the top-level widgets for @text, floating refs sunk */
static GPtrArray *
build_blocks (const char      *text,
              gsize            len,
              HearthCodeBlock *reusable)
{
  static const MD_PARSER parser = {
    0, MARKDOWN_FLAGS,
    enter_block_cb, leave_block_cb, enter_span_cb, leave_span_cb, text_cb,
    NULL, NULL,
  };
  Builder b = { 0 };

  b.blocks = g_ptr_array_new_with_free_func (g_object_unref);
  b.frames = g_ptr_array_new_with_free_func ((GDestroyNotify) frame_free);
  b.markup = g_string_new (NULL);
  b.reusable = reusable;

  if (md_parse (text, len, &parser, &b) != 0)
    g_warning ("Could not parse markdown: out of memory");

  g_ptr_array_unref (b.frames);
  g_string_free (b.markup, TRUE);
  if (b.code != NULL)
    g_string_free (b.code, TRUE);
  g_free (b.code_language);
  return b.blocks;
}

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

  blocks = build_blocks (self->text->str + self->committed, end - self->committed, NULL);
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
  blocks = build_blocks (self->text->str + self->committed, shown - self->committed, reusable);
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
