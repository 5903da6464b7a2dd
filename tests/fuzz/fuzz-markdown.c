/* fuzz-markdown.c — model text as the chat shows it: markdown to blocks of Pango markup
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The reply view builds its widgets while md4c walks the text, so this target
 * runs the real builder, widgets included; it needs a display (xvfb-run, as
 * the rest of the suite). GTK warns when a label is given markup that does
 * not parse, and warnings abort here: model text must never become markup.
 * The first byte picks how the rest arrives: as one text, or streamed in
 * small deltas through the view (the path whose committed prefix and
 * rebuilt tail must agree with one whole build).
 */
#include "hearth-fuzz.h"
#include "hearth-markdown-view-private.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GPtrArray) warm_up = NULL;

  if (!gtk_init_check ())
    {
      g_printerr ("fuzz-markdown: no display; run it under xvfb-run\n");
      exit (1);
    }
  /* GTK's first widgets look for the session's settings and accessibility
   * bus, and may warn about the environment; what follows is the input's. */
  warm_up = _hearth_markdown_view_build_blocks ("*a* `b`", 7, NULL);
  hearth_fuzz_init ();
  return 0;
}

static void
check_sanitized (const char *text,
                 gsize       len)
{
  g_autofree char *clean = hearth_markdown_view_sanitize (text, len);

  g_assert_true (g_utf8_validate (clean, -1, NULL));
  for (const char *p = clean; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_assert_true (c >= 0x20 || c == '\n' || c == '\t');
      g_assert_true (c != 0x7f && c != 0x202e && c != 0x2067);
    }
}

static void
build_whole (const char *text,
             gsize       len)
{
  g_autoptr(GPtrArray) blocks = _hearth_markdown_view_build_blocks (text, len, NULL);

  for (guint i = 0; i < blocks->len; i++)
    g_assert_true (GTK_IS_WIDGET (g_ptr_array_index (blocks, i)));
}

/* Deltas of 1 to 16 bytes, as a server sends them (cut anywhere, even in a character). */
static void
stream (const char *text,
        gsize       len,
        guint       seed)
{
  GtkWidget *view = g_object_ref_sink (hearth_markdown_view_new ());
  gsize offset = 0;

  while (offset < len)
    {
      gsize n = MIN (len - offset, 1 + (seed + offset) % 16);
      g_autofree char *delta = g_strndup (text + offset, n);

      hearth_markdown_view_append (HEARTH_MARKDOWN_VIEW (view), delta);
      /* The view rebuilds its tail when idle: let it, between deltas. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
      offset += n;
    }
  hearth_markdown_view_finish (HEARTH_MARKDOWN_VIEW (view));
  g_assert_true (hearth_markdown_view_is_caught_up (HEARTH_MARKDOWN_VIEW (view)));
  g_object_unref (view);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *text;
  gsize len;

  if (size == 0)
    return 0;
  text = (const char *) data + 1;
  len = size - 1;
  check_sanitized (text, len);
  if (data[0] & 1)
    stream (text, len, data[0] >> 1);
  else
    build_whole (text, len);
  return 0;
}
