/* hearth-markdown-view-render.c — markdown to widgets: sanitised text, links, the md4c callbacks
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-markdown"

#include "config.h"

#include <md4c.h>
#include <string.h>

#include "hearth-code-block.h"
#include "hearth-markdown-view-private.h"

/* Raw HTML is model text like any other: shown, never interpreted. */
#define MARKDOWN_FLAGS (MD_DIALECT_GITHUB | MD_FLAG_NOHTML)

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
  GPtrArray       *open_spans;    /* the closing tags of the spans open, innermost last */
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
  GtkWidget *label;

  /* A span md4c did not close inside its block (an autolink running into a
   * table's cell delimiter): closed here, so the markup stays whole. */
  while (b->open_spans->len > 0)
    g_string_append (b->markup, g_ptr_array_steal_index (b->open_spans, b->open_spans->len - 1));
  label = create_label (b->markup->str);

  g_string_truncate (b->markup, 0);
  if (b->heading > 0)
    {
      gtk_widget_add_css_class (label, heading_classes[MIN (b->heading, 6) - 1]);
      gtk_widget_add_css_class (label, "md-heading");
    }
  return label;
}

/* GtkLabel measures its widths by laying out all of its text twice: as
 * narrow as it can go (one character a line, thousands of lines for a piece
 * of a long paragraph: 15 to 45 ms for 2 KB) and unwrapped; GTK asks that of
 * every new label before its height, and it was most of every long frame
 * while a reply streamed in. A long paragraph's widths are a few characters
 * instead (a reply is never that narrow, and it fills its width anyway): one
 * layout that wide, a tenth of the time. Only long text at the top level: a
 * short label or a table cell would grow to that width. */
#define PARAGRAPH_MIN_CHARS  10
#define PARAGRAPH_LONG_BYTES 256

static void
flush_inline (Builder *b)
{
  GtkWidget *label;

  if (b->markup->len == 0)
    return;
  label = take_label (b);
  if (b->frames->len == 0 && strlen (gtk_label_get_text (GTK_LABEL (label))) >= PARAGRAPH_LONG_BYTES)
    {
      gtk_label_set_width_chars (GTK_LABEL (label), PARAGRAPH_MIN_CHARS);
      gtk_label_set_max_width_chars (GTK_LABEL (label), PARAGRAPH_MIN_CHARS);
    }
  add_block (b, label);
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

/* Returns: the tag that closes what was opened */
static const char *
enter_link (Builder          *b,
            MD_SPAN_A_DETAIL *detail)
{
  g_autofree char *href = NULL;
  g_autofree char *escaped = NULL;

  /* GtkLabel needs a non-empty href; an empty link is plain text. */
  if (detail->href.size == 0)
    {
      g_string_append (b->markup, "<span>");
      return "</span>";
    }
  href = hearth_markdown_view_sanitize (detail->href.text, detail->href.size);
  escaped = g_markup_escape_text (href, -1);
  g_string_append_printf (b->markup, "<a href=\"%s\">", escaped);
  return "</a>";
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
    close = enter_link (b, detail);
  else
    {
      span_tags (type, &open, &close);
      g_string_append (b->markup, open);
    }
  g_ptr_array_add (b->open_spans, (gpointer) close);
  return 0;
}

static int
leave_span_cb (MD_SPANTYPE  type,
               void        *detail,
               void        *user_data)
{
  Builder *b = user_data;

  /* Already closed with the block it was left open in */
  if (b->open_spans->len == 0)
    return 0;
  g_string_append (b->markup, g_ptr_array_steal_index (b->open_spans, b->open_spans->len - 1));
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
GPtrArray *
_hearth_markdown_view_build_blocks (const char      *text,
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
  b.open_spans = g_ptr_array_new ();
  b.reusable = reusable;

  if (md_parse (text, len, &parser, &b) != 0)
    g_warning ("Could not parse markdown: out of memory");

  g_ptr_array_unref (b.frames);
  g_ptr_array_unref (b.open_spans);
  g_string_free (b.markup, TRUE);
  if (b.code != NULL)
    g_string_free (b.code, TRUE);
  g_free (b.code_language);
  return b.blocks;
}
