/* test-markdown.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-markdown"

#include "config.h"

#include <adwaita.h>
#include <gtksourceview/gtksource.h>
#include <string.h>

#include "hearth-code-block.h"
#include "hearth-markdown-view.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"

static const char every_construct[] =
  "# Title\n"
  "\n"
  "## Sub\n"
  "\n"
  "Plain **bold** *italic* ~~gone~~ `code` text.\n"
  "\n"
  "- one\n"
  "- two\n"
  "  - nested\n"
  "\n"
  "3. three\n"
  "4. four\n"
  "\n"
  "- [ ] todo\n"
  "- [x] done\n"
  "\n"
  "> quoted\n"
  "\n"
  "---\n"
  "\n"
  "| Name | Qty |\n"
  "|:-----|----:|\n"
  "| apple | 3 |\n"
  "| pear | 10 |\n"
  "\n"
  "```py\n"
  "print('hi')\n"
  "```\n"
  "\n"
  "    indented code\n";

/* A textual picture of the widget tree, to compare two views. */
static void
dump_widget (GtkWidget *widget,
             GString   *out,
             guint      depth)
{
  g_string_append_printf (out, "%*s%s", depth * 2, "", G_OBJECT_TYPE_NAME (widget));
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, " «%s»", gtk_label_get_label (GTK_LABEL (widget)));
  if (HEARTH_IS_CODE_BLOCK (widget))
    {
      g_string_append_printf (out, " %s «%s»\n",
                              hearth_code_block_get_language (HEARTH_CODE_BLOCK (widget)),
                              hearth_code_block_get_code (HEARTH_CODE_BLOCK (widget)));
      return;
    }
  g_string_append_c (out, '\n');
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    dump_widget (child, out, depth + 1);
}

static char *
dump_view (GtkWidget *view)
{
  GString *out = g_string_new (NULL);

  dump_widget (view, out, 0);
  return g_string_free (out, FALSE);
}

static void
collect (GtkWidget *widget,
         GType      type,
         GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect (child, type, found);
}

static GPtrArray *
find_all (GtkWidget *widget,
          GType      type)
{
  GPtrArray *found = g_ptr_array_new ();

  collect (widget, type, found);
  return found;
}

static GtkLabel *
find_label (GtkWidget  *widget,
            const char *text)
{
  g_autoptr(GPtrArray) labels = find_all (widget, GTK_TYPE_LABEL);

  for (guint i = 0; i < labels->len; i++)
    {
      if (g_str_equal (gtk_label_get_text (labels->pdata[i]), text))
        return labels->pdata[i];
    }
  g_error ("no label with text «%s»", text);
  return NULL;
}

static GtkWidget *
new_view (const char *text)
{
  GtkWidget *view = g_object_ref_sink (hearth_markdown_view_new ());

  hearth_markdown_view_set_text (HEARTH_MARKDOWN_VIEW (view), text);
  hearth_markdown_view_finish (HEARTH_MARKDOWN_VIEW (view));
  return view;
}

static guint
count_children (GtkWidget *widget)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n++;
  return n;
}

static void
test_markdown_headings_and_inline (void)
{
  GtkWidget *view = new_view (every_construct);
  GtkLabel *paragraph = find_label (view, "Plain bold italic gone code text.");
  const char *markup = gtk_label_get_label (paragraph);

  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (find_label (view, "Title")), "title-1"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (find_label (view, "Sub")), "title-2"));
  g_assert_nonnull (strstr (markup, "<b>bold</b>"));
  g_assert_nonnull (strstr (markup, "<i>italic</i>"));
  g_assert_nonnull (strstr (markup, "<s>gone</s>"));
  g_assert_nonnull (strstr (markup, "font_family=\"monospace\""));
  g_assert_true (gtk_label_get_selectable (paragraph));
  g_assert_cmpint (gtk_label_get_wrap_mode (paragraph), ==, PANGO_WRAP_WORD_CHAR);
  g_assert_cmpfloat (gtk_label_get_xalign (paragraph), ==, 0.0);

  /* h1 h2 p ul ol ul(tasks) quote hr table code code */
  g_assert_cmpuint (count_children (view), ==, 11);
  g_assert_cmpuint (hearth_markdown_view_get_n_committed_blocks (HEARTH_MARKDOWN_VIEW (view)),
                    ==, 11);
  g_assert_finalize_object (view);
}

static void
test_markdown_lists (void)
{
  static const char * const expected[] = { "•", "•", "◦", "3.", "4.", "☐", "☑" };
  GtkWidget *view = new_view (every_construct);
  g_autoptr(GPtrArray) labels = find_all (view, GTK_TYPE_LABEL);
  g_autoptr(GPtrArray) markers = g_ptr_array_new ();
  GtkWidget *two;

  for (guint i = 0; i < labels->len; i++)
    {
      if (gtk_widget_has_css_class (labels->pdata[i], "md-list-marker"))
        g_ptr_array_add (markers, labels->pdata[i]);
    }
  g_assert_cmpuint (markers->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < markers->len; i++)
    g_assert_cmpstr (gtk_label_get_text (markers->pdata[i]), ==, expected[i]);

  /* The nested item sits inside the content box of "two". */
  two = GTK_WIDGET (find_label (view, "two"));
  g_assert_true (gtk_widget_is_ancestor (GTK_WIDGET (find_label (view, "nested")),
                                         gtk_widget_get_parent (two)));
  g_assert_nonnull (find_label (view, "todo"));
  g_assert_nonnull (find_label (view, "done"));
  g_clear_pointer (&labels, g_ptr_array_unref);
  g_clear_pointer (&markers, g_ptr_array_unref);
  g_assert_finalize_object (view);
}

static void
test_markdown_quote_rule_table (void)
{
  GtkWidget *view = new_view (every_construct);
  GtkWidget *quote = gtk_widget_get_parent (GTK_WIDGET (find_label (view, "quoted")));
  GtkGrid *grid = GTK_GRID (hearth_test_find_descendant (view, GTK_TYPE_GRID));
  GtkWidget *cell;

  g_assert_true (gtk_widget_has_css_class (quote, "md-blockquote"));
  g_assert_nonnull (hearth_test_find_descendant (view, GTK_TYPE_SEPARATOR));

  g_assert_nonnull (grid);
  cell = gtk_grid_get_child_at (grid, 0, 0);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (cell)), ==, "Name");
  g_assert_true (gtk_widget_has_css_class (cell, "md-table-header"));
  cell = gtk_grid_get_child_at (grid, 1, 2);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (cell)), ==, "10");
  g_assert_cmpfloat (gtk_label_get_xalign (GTK_LABEL (cell)), ==, 1.0);
  g_assert_false (gtk_widget_has_css_class (cell, "md-table-header"));
  cell = gtk_grid_get_child_at (grid, 0, 1);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (cell)), ==, "apple");
  g_assert_cmpfloat (gtk_label_get_xalign (GTK_LABEL (cell)), ==, 0.0);
  g_assert_finalize_object (view);
}

static const char *
code_language_id (GtkWidget *block)
{
  GtkWidget *source_view = hearth_test_find_descendant (block, GTK_SOURCE_TYPE_VIEW);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (source_view));
  GtkSourceLanguage *language = gtk_source_buffer_get_language (GTK_SOURCE_BUFFER (buffer));

  return language != NULL ? gtk_source_language_get_id (language) : NULL;
}

static char *
code_buffer_text (GtkWidget *block)
{
  GtkWidget *source_view = hearth_test_find_descendant (block, GTK_SOURCE_TYPE_VIEW);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (source_view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

static void
test_markdown_code_blocks (void)
{
  GtkWidget *view = new_view (every_construct);
  g_autoptr(GPtrArray) blocks = find_all (view, HEARTH_TYPE_CODE_BLOCK);
  g_autofree char *fenced = NULL;
  g_autofree char *indented = NULL;
  GtkWidget *source_view;

  g_assert_cmpuint (blocks->len, ==, 2);
  g_assert_cmpstr (hearth_code_block_get_language (blocks->pdata[0]), ==, "py");
  g_assert_cmpstr (hearth_code_block_get_code (blocks->pdata[0]), ==, "print('hi')");
  g_assert_cmpstr (code_language_id (blocks->pdata[0]), ==, "python3");
  fenced = code_buffer_text (blocks->pdata[0]);
  g_assert_cmpstr (fenced, ==, "print('hi')");
  g_assert_nonnull (find_label (blocks->pdata[0], "Python"));

  g_assert_null (hearth_code_block_get_language (blocks->pdata[1]));
  g_assert_null (code_language_id (blocks->pdata[1]));
  indented = code_buffer_text (blocks->pdata[1]);
  g_assert_cmpstr (indented, ==, "indented code");

  source_view = hearth_test_find_descendant (blocks->pdata[0], GTK_SOURCE_TYPE_VIEW);
  g_assert_false (gtk_text_view_get_editable (GTK_TEXT_VIEW (source_view)));
  g_assert_true (gtk_text_view_get_monospace (GTK_TEXT_VIEW (source_view)));
  g_assert_cmpint (gtk_text_view_get_wrap_mode (GTK_TEXT_VIEW (source_view)), ==, GTK_WRAP_NONE);

  g_clear_pointer (&blocks, g_ptr_array_unref);
  g_assert_finalize_object (view);
}

static void
test_markdown_code_languages (void)
{
  static const struct {
    const char *tag;
    const char *id;
    const char *shown;
  } cases[] = {
    { "py", "python3", "Python" },
    { "python", "python3", "Python" },
    { "js", "js", "JavaScript" },
    { "javascript", "js", "JavaScript" },
    { "c", "c", "C" },
    { "sh", "sh", "sh" },
    { "bash", "sh", "sh" },
    { "rs", "rust", "Rust" },
    { "RUST", "rust", "Rust" },
    { "no-such-language", NULL, "no-such-language" },
    { NULL, NULL, "Code" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GtkWidget *block = g_object_ref_sink (hearth_code_block_new (cases[i].tag));

      g_assert_cmpstr (code_language_id (block), ==, cases[i].id);
      g_assert_nonnull (find_label (block, cases[i].shown));
      g_assert_finalize_object (block);
    }
}

static void
read_text_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
pointer_is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

static const char *
copy_icon (GtkWidget *block)
{
  GtkWidget *content = hearth_test_find_descendant (block, ADW_TYPE_BUTTON_CONTENT);

  return adw_button_content_get_icon_name (ADW_BUTTON_CONTENT (content));
}

static gboolean
shows_copy_icon (gpointer block)
{
  return g_strcmp0 (copy_icon (block), "edit-copy-symbolic") == 0;
}

static void
test_markdown_code_copy (void)
{
  static const char code[] = "def f(x):\n    return x * 2  # <b>&amp;</b> %s\n";
  g_autofree char *markdown = g_strdup_printf ("```python\n%s```\n", code);
  GtkWidget *view = new_view (markdown);
  GtkWidget *block = hearth_test_find_descendant (view, HEARTH_TYPE_CODE_BLOCK);
  GtkWidget *button = hearth_test_find_descendant (block, GTK_TYPE_BUTTON);
  g_autofree char *copied = NULL;
  g_autofree char *expected = g_strndup (code, strlen (code) - 1);

  g_assert_cmpstr (copy_icon (block), ==, "edit-copy-symbolic");
  g_signal_emit_by_name (button, "clicked");
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (block), NULL, read_text_cb, &copied);
  g_assert_true (hearth_test_spin_until (pointer_is_set, &copied, 5000));
  g_assert_cmpstr (copied, ==, expected);

  /* Feedback, then back to the copy icon. */
  g_assert_cmpstr (copy_icon (block), ==, "object-select-symbolic");
  hearth_test_spin_until (shows_copy_icon, block, 5000);
  g_assert_cmpstr (copy_icon (block), ==, "edit-copy-symbolic");
  g_assert_finalize_object (view);
}

/* Model text that would be markup, format directives, control and bidi characters. */
static void
test_markdown_hostile_text (void)
{
  static const char hostile[] =
    "Literal <b>not bold</b> & </span> &amp; %s %n <a href='x'>y</a> "
    "bell\x07 esc\x1b del\x7f \xe2\x80\xaeRLO\xe2\x80\xac "
    "\xe2\x81\xa6iso\xe2\x81\xa9 \xe2\x80\x8f" "end";
  static const char shown[] =
    "Literal <b>not bold</b> & </span> &amp; %s %n <a href='x'>y</a> "
    "bell\xe2\x90\x87 esc\xe2\x90\x9b del\xe2\x90\xa1 [U+202E]RLO[U+202C] "
    "[U+2066]iso[U+2069] [U+200F]end";
  g_autofree char *document = NULL;
  GtkWidget *view;

  document = g_strdup_printf ("# %s\n\n%s\n\n- %s\n\n> %s\n\n| h |\n|---|\n| %s |\n",
                              hostile, hostile, hostile, hostile, hostile);
  view = new_view (document);
  {
    g_autoptr(GPtrArray) labels = find_all (view, GTK_TYPE_LABEL);
    guint matches = 0;

    for (guint i = 0; i < labels->len; i++)
      {
        const char *text = gtk_label_get_text (labels->pdata[i]);

        for (const char *p = text; *p; p++)
          g_assert_true ((guchar) *p >= 0x20 || *p == '\n' || *p == '\t');
        g_assert_null (strstr (text, "\xe2\x80\xae"));
        if (g_str_equal (text, shown))
          matches++;
      }
    g_assert_cmpuint (matches, ==, 5);
  }
  g_assert_finalize_object (view);
}

static void
test_markdown_links (void)
{
  GtkWidget *view = new_view ("See [the <docs>](https://example.com/a?b=1&c=\"2\") and "
                              "https://gnome.org or [local](file:///etc/passwd).\n");
  GtkLabel *label = GTK_LABEL (hearth_test_find_descendant (view, GTK_TYPE_LABEL));
  const char *markup = gtk_label_get_label (label);
  gboolean handled = FALSE;

  g_assert_cmpstr (gtk_label_get_text (label), ==,
                   "See the <docs> and https://gnome.org or local.");
  g_assert_nonnull (strstr (markup, "<a href=\"https://example.com/a?b=1&amp;c=&quot;2&quot;\">"
                                    "the &lt;docs&gt;</a>"));
  g_assert_nonnull (strstr (markup, "<a href=\"https://gnome.org\">"));
  g_assert_nonnull (strstr (markup, "<a href=\"file:///etc/passwd\">"));

  /* Shown, but never handed to the desktop. */
  g_assert_true (hearth_markdown_view_can_open_uri ("https://example.com"));
  g_assert_true (hearth_markdown_view_can_open_uri ("HTTP://example.com"));
  g_assert_true (hearth_markdown_view_can_open_uri ("mailto:a@example.com"));
  g_assert_false (hearth_markdown_view_can_open_uri ("file:///etc/passwd"));
  g_assert_false (hearth_markdown_view_can_open_uri ("javascript:alert(1)"));
  g_assert_false (hearth_markdown_view_can_open_uri ("relative/path"));
  g_signal_emit_by_name (label, "activate-link", "file:///etc/passwd", &handled);
  g_assert_true (handled);
  g_assert_finalize_object (view);
}

static char *
build_long_document (guint sections)
{
  static const char * const pieces[] = {
    "## Section with *emphasis* and `code`\n\n",
    "A paragraph that goes on for a while, with **strong** text, ünïcödé ✓ 日本語 and a "
    "[link](https://example.com/N).\nA second line of the same paragraph.\n\n",
    "- tight item\n- another item\n  - nested item\n- last item\n\n",
    "1. loose one\n\n2. loose two\n\n   continued paragraph\n\n3. loose three\n\n",
    "```c\nint\nmain (void)\n{\n\n  return 0;\n}\n```\n\n",
    "> a quote\n> over two lines\n\n",
    "| a | b |\n|---|:-:|\n| 1 | 2 |\n| three | four |\n\n",
    "---\n\n",
    "- [ ] open task\n- [x] done task\n\n",
    "    indented code\n\n    after a blank line\n\nPlain after code.\n\n",
    "~~~\nunfenced ``` inside\n\n~~~\n\n",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < sections; i++)
    {
      const char *piece = pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))];

      g_string_append (out, piece);
    }
  return g_string_free (out, FALSE);
}

static void
stream_in_chunks (HearthMarkdownView *view,
                  const char         *text,
                  guint32             seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gsize len = strlen (text);

  for (gsize offset = 0; offset < len;)
    {
      gsize chunk = MIN ((gsize) g_rand_int_range (rand, 1, 8), len - offset);
      g_autofree char *delta = g_strndup (text + offset, chunk);

      hearth_markdown_view_append (view, delta);
      offset += chunk;
      if (g_rand_int_range (rand, 0, 4) == 0)
        while (g_main_context_iteration (NULL, FALSE));
    }
}

static void
test_markdown_streaming_matches_whole (void)
{
  g_autofree char *document = build_long_document (80);
  GtkWidget *whole = new_view (document);
  GtkWidget *streamed = g_object_ref_sink (hearth_markdown_view_new ());
  g_autofree char *expected = NULL;
  g_autofree char *actual = NULL;

  stream_in_chunks (HEARTH_MARKDOWN_VIEW (streamed), document, 7);
  g_assert_cmpstr (hearth_markdown_view_get_text (HEARTH_MARKDOWN_VIEW (streamed)), ==, document);
  hearth_markdown_view_finish (HEARTH_MARKDOWN_VIEW (streamed));

  expected = dump_view (whole);
  actual = dump_view (streamed);
  g_assert_cmpstr (actual, ==, expected);

  /* Every top-level block was built exactly once as a finished block. */
  g_assert_cmpuint (hearth_markdown_view_get_n_committed_blocks (HEARTH_MARKDOWN_VIEW (streamed)),
                    ==, count_children (streamed));
  g_assert_finalize_object (whole);
  g_assert_finalize_object (streamed);
}

static void
spin_pending (void)
{
  while (g_main_context_iteration (NULL, FALSE));
}

static void
test_markdown_streaming_commits_once (void)
{
  HearthMarkdownView *view = g_object_ref_sink (HEARTH_MARKDOWN_VIEW (hearth_markdown_view_new ()));
  GtkWidget *first = NULL;
  GString *document = g_string_new (NULL);
  guint flushes = 0;

  for (guint i = 0; i < 200; i++)
    g_string_append_printf (document, "Paragraph %u with some **bold** words.\n\n", i);

  for (gsize offset = 0; offset < document->len; offset += 5)
    {
      g_autofree char *delta = g_strndup (document->str + offset, 5);

      hearth_markdown_view_append (view, delta);
      spin_pending ();
      flushes++;
      if (first == NULL && hearth_markdown_view_get_n_committed_blocks (view) > 0)
        {
          first = gtk_widget_get_first_child (GTK_WIDGET (view));
          g_object_add_weak_pointer (G_OBJECT (first), (gpointer *) &first);
        }
      if (offset == document->len / 2)
        g_assert_cmpuint (hearth_markdown_view_get_n_committed_blocks (view), >=, 95);
    }

  /* The last paragraph may still grow: it stays the tail until finish(). */
  g_assert_cmpuint (hearth_markdown_view_get_n_committed_blocks (view), ==, 199);
  hearth_markdown_view_finish (view);
  g_assert_cmpuint (hearth_markdown_view_get_n_committed_blocks (view), ==, 200);
  g_assert_cmpuint (count_children (GTK_WIDGET (view)), ==, 200);
  g_assert_cmpuint (hearth_markdown_view_get_n_tail_builds (view), <=, flushes);

  /* The first paragraph is the very widget built when it was committed. */
  g_assert_nonnull (first);
  g_assert_true (gtk_widget_get_first_child (GTK_WIDGET (view)) == first);
  g_object_remove_weak_pointer (G_OBJECT (first), (gpointer *) &first);

  g_string_free (document, TRUE);
  g_assert_finalize_object (view);
}

/* Many deltas between two frames give one rebuild, not one per delta. */
static void
test_markdown_streaming_coalesces (void)
{
  HearthMarkdownView *view = g_object_ref_sink (HEARTH_MARKDOWN_VIEW (hearth_markdown_view_new ()));

  for (guint i = 0; i < 100; i++)
    hearth_markdown_view_append (view, "word ");
  g_assert_cmpuint (hearth_markdown_view_get_n_tail_builds (view), ==, 0);
  spin_pending ();
  g_assert_cmpuint (hearth_markdown_view_get_n_tail_builds (view), ==, 1);
  g_assert_nonnull (hearth_test_find_descendant (GTK_WIDGET (view), GTK_TYPE_LABEL));
  g_assert_finalize_object (view);
}

/* Mapped, the view waits for the next frame; hidden before it, it still catches up. */
static void
test_markdown_streaming_unmapped (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = hearth_markdown_view_new ();

  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  hearth_test_wait_drawn (window, 2000);
  g_assert_true (gtk_widget_get_mapped (view));

  hearth_markdown_view_append (HEARTH_MARKDOWN_VIEW (view), "Hidden *soon*.");
  gtk_widget_hide (window);
  spin_pending ();
  g_assert_nonnull (find_label (view, "Hidden soon."));

  hearth_markdown_view_append (HEARTH_MARKDOWN_VIEW (view), " Still hidden.");
  spin_pending ();
  g_assert_nonnull (find_label (view, "Hidden soon. Still hidden."));
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
caught_up (gpointer data)
{
  return hearth_markdown_view_is_caught_up (data);
}

static guint frames_seen;

static gboolean
count_frame (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       user_data)
{
  frames_seen++;
  return G_SOURCE_CONTINUE;
}

/* A burst far larger than a frame's budget is laid out over several frames,
 * never all in one, and ends exactly as the whole text set at once would. */
static void
test_markdown_streaming_budget (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = hearth_markdown_view_new ();
  g_autoptr(GtkWidget) whole = NULL;
  g_autofree char *streamed_dump = NULL;
  g_autofree char *whole_dump = NULL;
  GString *document = g_string_new (NULL);
  guint tick;

  for (guint i = 0; i < 400; i++)
    g_string_append_printf (document, "Paragraph %u, long enough to take some room on the "
                            "screen once it is laid out.\n\n", i);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  hearth_test_wait_drawn (window, 2000);
  g_assert_true (gtk_widget_get_mapped (view));

  frames_seen = 0;
  tick = gtk_widget_add_tick_callback (view, count_frame, NULL, NULL);
  hearth_markdown_view_append (HEARTH_MARKDOWN_VIEW (view), document->str);
  hearth_markdown_view_finish (HEARTH_MARKDOWN_VIEW (view));
  /* finish() with a backlog on screen does not lay it all out at once. */
  g_assert_false (hearth_markdown_view_is_caught_up (HEARTH_MARKDOWN_VIEW (view)));
  g_assert_cmpuint (hearth_markdown_view_get_n_committed_blocks (HEARTH_MARKDOWN_VIEW (view)), <, 400);
  g_assert_true (hearth_test_spin_until (caught_up, view, 60000));
  gtk_widget_remove_tick_callback (view, tick);
  g_test_message ("%zu bytes caught up in %u frames", document->len, frames_seen);
  /* The budget grows while frames stay short, but never takes it all at once. */
  g_assert_cmpuint (frames_seen, >, 1);
  g_assert_cmpuint (hearth_markdown_view_get_n_committed_blocks (HEARTH_MARKDOWN_VIEW (view)), ==, 400);

  whole = new_view (document->str);
  streamed_dump = dump_view (view);
  whole_dump = dump_view (whole);
  g_assert_cmpstr (streamed_dump, ==, whole_dump);

  g_string_free (document, TRUE);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A streaming fence keeps its widget and grows its buffer. */
static void
test_markdown_streaming_code_reuse (void)
{
  HearthMarkdownView *view = g_object_ref_sink (HEARTH_MARKDOWN_VIEW (hearth_markdown_view_new ()));
  GtkWidget *block;
  g_autofree char *shown = NULL;

  hearth_markdown_view_append (view, "Intro.\n\n```sh\necho 1\n");
  spin_pending ();
  block = hearth_test_find_descendant (GTK_WIDGET (view), HEARTH_TYPE_CODE_BLOCK);
  g_assert_nonnull (block);
  g_object_add_weak_pointer (G_OBJECT (block), (gpointer *) &block);
  for (guint i = 2; i < 50; i++)
    {
      g_autofree char *line = g_strdup_printf ("echo %u\n", i);

      hearth_markdown_view_append (view, line);
      spin_pending ();
      g_assert_true (hearth_test_find_descendant (GTK_WIDGET (view),
                                                  HEARTH_TYPE_CODE_BLOCK) == block);
    }
  shown = code_buffer_text (block);
  g_assert_true (g_str_has_prefix (shown, "echo 1\necho 2\n"));
  g_assert_true (g_str_has_suffix (shown, "echo 49"));
  g_object_remove_weak_pointer (G_OBJECT (block), (gpointer *) &block);
  g_assert_finalize_object (view);
}

/* A recycled list row gets another message: nothing of the old one remains. */
static void
test_markdown_set_text_resets (void)
{
  GtkWidget *fresh = new_view ("Second *message*.\n\n- a\n");
  HearthMarkdownView *view = g_object_ref_sink (HEARTH_MARKDOWN_VIEW (hearth_markdown_view_new ()));
  g_autofree char *expected = dump_view (fresh);
  g_autofree char *actual = NULL;

  hearth_markdown_view_append (view, every_construct);
  hearth_markdown_view_append (view, "```\nstill open");
  spin_pending ();
  hearth_markdown_view_set_text (view, "Second *message*.\n\n- a\n");
  hearth_markdown_view_finish (view);
  actual = dump_view (GTK_WIDGET (view));
  g_assert_cmpstr (actual, ==, expected);
  g_assert_cmpstr (hearth_markdown_view_get_text (view), ==, "Second *message*.\n\n- a\n");

  hearth_markdown_view_set_text (view, "");
  g_assert_null (gtk_widget_get_first_child (GTK_WIDGET (view)));
  g_assert_finalize_object (fresh);
  g_assert_finalize_object (view);
}

static const char screenshot_document[] =
  "# Markdown in Hearth\n"
  "\n"
  "A reply with **strong**, *emphasis*, ~~strike~~, `inline code` and a "
  "[link](https://gnome.org). Hostile text stays literal: <b>&amp;</b> %s \x07 \xe2\x80\xae.\n"
  "\n"
  "## Lists\n"
  "\n"
  "- First item\n"
  "- Second item that is long enough to wrap around when the window is narrow, "
  "so the indentation of the continuation line shows\n"
  "  - Nested item\n"
  "    - Deeper item\n"
  "\n"
  "8. Eight\n"
  "9. Nine\n"
  "10. Ten\n"
  "\n"
  "- [ ] Open task\n"
  "- [x] Finished task\n"
  "\n"
  "> A block quote, which a model uses for notes\n"
  "> and warnings.\n"
  "\n"
  "---\n"
  "\n"
  "### A table\n"
  "\n"
  "| Model | Size | Speed |\n"
  "|:------|-----:|:-----:|\n"
  "| llama3.2:3b | 2.0 GB | fast |\n"
  "| qwen2.5:14b | 9.0 GB | medium |\n"
  "\n"
  "```python\n"
  "def greet(name: str) -> str:\n"
  "    # A long line that must scroll sideways rather than wrap inside the code block, really\n"
  "    return f\"Hello, {name}!\"\n"
  "```\n"
  "\n"
  "    plain indented code\n";

static void
save_screenshot (const char *name,
                 gboolean    dark)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = hearth_markdown_view_new ();
  g_autofree char *path = NULL;

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                           : ADW_COLOR_SCHEME_FORCE_LIGHT);
  g_object_set (view, "margin-top", 18, "margin-bottom", 18,
                "margin-start", 18, "margin-end", 18, NULL);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 800);
  hearth_markdown_view_set_text (HEARTH_MARKDOWN_VIEW (view), screenshot_document);
  hearth_markdown_view_finish (HEARTH_MARKDOWN_VIEW (view));
  gtk_window_present (GTK_WINDOW (window));
  hearth_test_wait_drawn (window, 2000);
  /* The window focused the first selectable label, which selected all of its
   * text; in the application the composer takes the focus instead. */
  gtk_window_set_focus (GTK_WINDOW (window), NULL);
  {
    g_autoptr(GPtrArray) labels = find_all (view, GTK_TYPE_LABEL);

    for (guint i = 0; i < labels->len; i++)
      gtk_label_select_region (labels->pdata[i], 0, 0);
  }
  hearth_test_wait_drawn (window, 2000);

  path = hearth_test_save_screenshot (window, name);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  gtk_window_destroy (GTK_WINDOW (window));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
}

static void
test_markdown_screenshots (void)
{
  save_screenshot ("markdown-light.png", FALSE);
  save_screenshot ("markdown-dark.png", TRUE);
}

static void
load_application_css (void)
{
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (provider, "/io/github/hearthapp/Hearth/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

/* A paragraph of 40 KB streamed in is shown as labels of a few kilobytes
 * (Pango lays out a label's whole text on every change), which hold all of
 * its text, stay selectable, look like one paragraph (no gap: its height is
 * that of one label with the whole text), and are the very labels the same
 * reply loaded whole gets. A fence streamed in ends as the loaded one. */
static void
test_markdown_streaming_long_paragraph (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *view = hearth_markdown_view_new ();
  GtkWidget *plain = NULL;
  g_autoptr(GtkWidget) whole = NULL;
  g_autoptr(GPtrArray) labels = NULL;
  g_autofree char *streamed_dump = NULL;
  g_autofree char *whole_dump = NULL;
  GString *document = g_string_new (NULL);
  GString *shown = g_string_new (NULL);
  g_autofree char *paragraph = NULL;
  gsize longest = 0;
  guint pieces = 0;
  int view_height;
  int plain_height;

  for (guint i = 0; document->len < 40000; i++)
    g_string_append_printf (document, "Sentence %u of one long paragraph, with a line break.\n", i);
  g_string_truncate (document, document->len - 1);
  paragraph = g_strdup (document->str);
  g_string_append (document, "\n\n```c\nint x;\n\nint y;\n```\n");

  plain = gtk_label_new (paragraph);
  gtk_label_set_wrap (GTK_LABEL (plain), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (plain), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (plain), 0.0);
  gtk_box_append (GTK_BOX (box), view);
  gtk_box_append (GTK_BOX (box), plain);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 600, 400);
  gtk_window_present (GTK_WINDOW (window));
  hearth_test_wait_drawn (window, 2000);

  stream_in_chunks (HEARTH_MARKDOWN_VIEW (view), document->str, 3);
  hearth_markdown_view_finish (HEARTH_MARKDOWN_VIEW (view));
  g_assert_true (hearth_test_spin_until (caught_up, view, 60000));

  hearth_test_wait_drawn (window, 2000);

  /* Only the paragraph's labels: the code block has its own. */
  labels = find_all (view, GTK_TYPE_LABEL);
  for (guint i = 0; i < labels->len; i++)
    {
      GtkLabel *label = labels->pdata[i];

      if (gtk_widget_get_parent (GTK_WIDGET (label)) != view)
        continue;
      g_assert_true (gtk_label_get_selectable (label));
      /* Each piece wraps at the reply's width, whatever it says it needs. */
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (label)), ==, gtk_widget_get_width (view));
      longest = MAX (longest, strlen (gtk_label_get_text (label)));
      pieces++;
      if (shown->len > 0)
        g_string_append_c (shown, '\n');
      g_string_append (shown, gtk_label_get_text (label));
    }
  g_test_message ("40 KB paragraph shown in pieces of at most %zu bytes", longest);
  g_assert_cmpuint (longest, <, 8192);
  g_assert_cmpstr (shown->str, ==, paragraph);

  gtk_widget_set_size_request (view, 500, -1);
  gtk_widget_set_size_request (plain, 500, -1);
  gtk_widget_measure (plain, GTK_ORIENTATION_VERTICAL, 500, &plain_height, NULL, NULL, NULL);
  gtk_widget_set_visible (hearth_test_find_descendant (view, HEARTH_TYPE_CODE_BLOCK), FALSE);
  gtk_widget_measure (view, GTK_ORIENTATION_VERTICAL, 500, &view_height, NULL, NULL, NULL);
  /* Each label rounds its height up to a whole pixel: at most one per piece. */
  g_test_message ("view %d px, one label %d px, %u pieces", view_height, plain_height, pieces);
  g_assert_cmpint (view_height, >=, plain_height);
  g_assert_cmpint (view_height, <=, plain_height + (int) pieces);
  gtk_widget_set_visible (hearth_test_find_descendant (view, HEARTH_TYPE_CODE_BLOCK), TRUE);

  whole = new_view (document->str);
  streamed_dump = dump_view (view);
  whole_dump = dump_view (whole);
  g_assert_cmpstr (streamed_dump, ==, whole_dump);
  g_assert_nonnull (strstr (streamed_dump, "HearthCodeBlock c \u00abint x;\n\nint y;\u00bb"));

  g_string_free (document, TRUE);
  g_string_free (shown, TRUE);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  hearth_test_init (&argc, &argv);
  gtk_init ();
  adw_init ();
  load_application_css ();

  g_test_add_func ("/markdown/headings-inline", test_markdown_headings_and_inline);
  g_test_add_func ("/markdown/lists", test_markdown_lists);
  g_test_add_func ("/markdown/quote-rule-table", test_markdown_quote_rule_table);
  g_test_add_func ("/markdown/code-blocks", test_markdown_code_blocks);
  g_test_add_func ("/markdown/code-languages", test_markdown_code_languages);
  g_test_add_func ("/markdown/code-copy", test_markdown_code_copy);
  g_test_add_func ("/markdown/hostile-text", test_markdown_hostile_text);
  g_test_add_func ("/markdown/links", test_markdown_links);
  g_test_add_func ("/markdown/streaming-matches-whole", test_markdown_streaming_matches_whole);
  g_test_add_func ("/markdown/streaming-commits-once", test_markdown_streaming_commits_once);
  g_test_add_func ("/markdown/streaming-coalesces", test_markdown_streaming_coalesces);
  g_test_add_func ("/markdown/streaming-budget", test_markdown_streaming_budget);
  g_test_add_func ("/markdown/streaming-unmapped", test_markdown_streaming_unmapped);
  g_test_add_func ("/markdown/streaming-long-paragraph", test_markdown_streaming_long_paragraph);
  g_test_add_func ("/markdown/streaming-code-reuse", test_markdown_streaming_code_reuse);
  g_test_add_func ("/markdown/set-text-resets", test_markdown_set_text_resets);
  g_test_add_func ("/markdown/screenshots", test_markdown_screenshots);

  return g_test_run ();
}
