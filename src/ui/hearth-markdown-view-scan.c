/* hearth-markdown-view-scan.c — where streamed markdown can be cut into pieces built once
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The view builds its text in pieces: everything before a commit point is
 * final and built once; only what follows (the tail) is rebuilt as text
 * arrives. Two kinds of points:
 *
 * - a block boundary: a complete line that starts a new top-level block
 *   (after a blank line, at the margin, no list item; or right after a
 *   top-level fence closed). Parsing the text before and after it apart gives
 *   the same blocks as parsing it whole.
 * - a piece boundary inside a long paragraph of plain lines: at the first line
 *   past PIECE_LINE bytes that starts with a letter or digit, or, in one long
 *   line, after the first sentence end past PIECE_SENTENCE bytes (any space
 *   past PIECE_MAX). The paragraph is shown as several labels stacked without
 *   a gap, so that no label holds more than a few kilobytes: Pango lays out a
 *   label's whole text whenever it changes or is measured, and a 100 KB
 *   paragraph took a second a frame. Cut at a line end, the stacked labels
 *   look exactly like one; cut mid-line (a paragraph kilobytes long without
 *   a line break), that line breaks at a sentence end.
 *
 * Both depend only on the text up to them, never on how it arrived, so a
 * streamed reply and the same reply loaded whole are cut at the same places.
 * The scan resumes where it stopped (a code block megabytes long is read once)
 * and restarts at each commit.
 */
#define G_LOG_DOMAIN "hearth-markdown"

#include "config.h"

#include <string.h>

#include "hearth-markdown-view-private.h"

#define PIECE_LINE     2048
#define PIECE_SENTENCE 4096
#define PIECE_MAX      16384

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

/* A top-level fence closes as the markdown parser closes it: at most three
 * spaces, at least as many fence characters, nothing but spaces after. */
static gboolean
closes_top_level_fence (const HearthMarkdownFence *fence,
                        const char                *line,
                        gsize                      len)
{
  gsize i = 0;
  gsize n = 0;

  while (i < len && i < 3 && line[i] == ' ')
    i++;
  while (i + n < len && line[i + n] == fence->c)
    n++;
  return n >= fence->n && is_blank (line + i + n, len - i - n);
}

void
_hearth_markdown_update_fence (HearthMarkdownFence *fence,
                               const char          *line,
                               gsize                len)
{
  gsize i;
  gsize n = 0;
  char c;

  if (fence->c != 0 && fence->at_margin)
    {
      if (closes_top_level_fence (fence, line, len))
        *fence = (HearthMarkdownFence) { 0, 0, FALSE };
      return;
    }
  i = skip_container_marks (line, len);
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
        *fence = (HearthMarkdownFence) { c, n, i == 0 };
    }
  else if (c == fence->c && n >= fence->n && is_blank (line + i + n, len - i - n))
    *fence = (HearthMarkdownFence) { 0, 0, FALSE };
}

/* Whether a line could still become the fence that closes @fence. */
gboolean
_hearth_markdown_could_close_fence (const HearthMarkdownFence *fence,
                                    const char                *line,
                                    gsize                      len)
{
  gsize i = 0;

  while (i < len && i < 3 && line[i] == ' ')
    i++;
  for (; i < len; i++)
    {
      if (line[i] != fence->c)
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_plain_char (guchar c)
{
  return g_ascii_isalpha (c) || c >= 0x80;
}

/* A line that may begin a piece: a letter or digit, no list item. */
static gboolean
is_plain_start (const char *line,
                gsize       len)
{
  return len > 0 && (is_plain_char (line[0]) || g_ascii_isdigit (line[0])) &&
         list_marker_length (line, len) == 0;
}

/* A line that would end a paragraph or turn it into something else: a quote,
 * heading, fence, list item, rule or setext underline, or a table row. */
static gboolean
starts_block (const char *line,
              gsize       len)
{
  gsize i = 0;

  while (i < len && i < 3 && line[i] == ' ')
    i++;
  if (i == len || i == 3 || line[i] == '\t')
    return FALSE;   /* indented: a lazy continuation line */
  switch (line[i])
    {
    case '>':
    case '#':
    case '`':
    case '~':
    case '|':
      return TRUE;
    case ':':
      return TRUE;   /* perhaps a table's delimiter row */
    case '-':
    case '=':
    case '*':
    case '_':
      if (memchr (line, '|', len) != NULL)
        return TRUE;
      for (gsize j = i; j < len; j++)
        {
          if (line[j] != line[i] && line[j] != ' ' && line[j] != '\t' && line[j] != '\r')
            return list_marker_length (line + i, len - i) > 0;
        }
      return TRUE;
    default:
      return list_marker_length (line + i, len - i) > 0;
    }
}

/* The first place in [@from, @end) of one long plain line to cut at, or 0. */
static gsize
find_cut_in_line (const char *tail,
                  gsize       line_start,
                  gsize       end,
                  gsize       piece_start)
{
  gsize from = MAX (line_start, piece_start);

  for (gsize i = from + PIECE_SENTENCE; i < end; i++)
    {
      if (tail[i - 1] != ' ' || !is_plain_char (tail[i]))
        continue;
      if (strchr (".!?", tail[i - 2]) != NULL || i - from >= PIECE_MAX)
        return i;
    }
  return 0;
}

void
_hearth_markdown_scan_reset (HearthMarkdownScan *scan)
{
  *scan = (HearthMarkdownScan) { 0 };
}

/* Scans @tail (the text after the last commit, @len bytes of it so far) from
 * where the last call stopped.
 *
 * Returns: the kind of commit point found; *@point is its offset in @tail.
 * A piece boundary is returned at once, the first one: the text before it
 * must be built apart from the text after it. */
HearthMarkdownCut
_hearth_markdown_scan (HearthMarkdownScan *scan,
                       const char         *tail,
                       gsize               len,
                       gsize              *point)
{
  for (gsize start = scan->pos; start < len; start = scan->pos)
    {
      const char *newline = memchr (tail + start, '\n', len - start);
      gsize end = newline != NULL ? (gsize) (newline - tail) : len;
      gsize line_len = end - start;
      gboolean fresh = start == 0 || scan->previous_blank || scan->after_fence;
      gboolean blank = is_blank (tail + start, line_len);
      gboolean plain = scan->plain;
      gsize piece_start = scan->piece_start;
      gboolean was_open = scan->fence.c != 0;
      gboolean was_at_margin = scan->fence.at_margin;
      gsize cut;

      /* What this line is in; a partial line only once it is long enough
       * that its first characters are final. */
      if (newline == NULL && line_len < PIECE_SENTENCE)
        break;
      if (blank || scan->fence.c != 0)
        plain = FALSE;
      else if (fresh)
        {
          plain = is_plain_start (tail + start, line_len);
          piece_start = start;
        }
      else if (plain && starts_block (tail + start, line_len))
        plain = FALSE;
      else if (plain && start - piece_start >= PIECE_LINE &&
               is_plain_start (tail + start, line_len))
        {
          *point = start;
          return HEARTH_MARKDOWN_CUT_PIECE;
        }

      if (plain && (cut = find_cut_in_line (tail, start, end, piece_start)) > 0)
        {
          *point = cut;
          return HEARTH_MARKDOWN_CUT_PIECE;
        }
      if (newline == NULL)
        break;

      /* A complete line: its state is final. */
      if (start > 0 && !blank && scan->fence.c == 0 &&
          (scan->after_fence ||
           (scan->previous_blank && tail[start] != ' ' && tail[start] != '\t' &&
            list_marker_length (tail + start, line_len) == 0)))
        scan->commit = start;
      _hearth_markdown_update_fence (&scan->fence, tail + start, line_len);
      /* A fence at the margin is top-level: it ends any list or quote. */
      scan->after_fence = was_open && scan->fence.c == 0 && was_at_margin;
      /* Nothing after a top-level fence belongs to it: its code block is final. */
      if (scan->after_fence)
        scan->commit = end + 1;
      scan->code_at_start = scan->fence.c != 0 && scan->fence.at_margin &&
                            (start == 0 || scan->code_at_start);
      scan->has_cr |= memchr (tail + start, '\r', line_len) != NULL;
      scan->previous_blank = blank;
      scan->plain = plain;
      scan->piece_start = piece_start;
      scan->pos = end + 1;
    }

  if (scan->commit > 0)
    {
      *point = scan->commit;
      return HEARTH_MARKDOWN_CUT_BLOCK;
    }
  return HEARTH_MARKDOWN_CUT_NONE;
}
