/* hearth-markdown-view-private.h — shared by the files of HearthMarkdownView
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-code-block.h"
#include "hearth-markdown-view.h"

G_BEGIN_DECLS

/* hearth-markdown-view-render.c */
GPtrArray *_hearth_markdown_view_build_blocks (const char      *text,
                                               gsize            len,
                                               HearthCodeBlock *reusable);

/* hearth-markdown-view-scan.c */
typedef struct
{
  char     c;           /* '`' or '~' while a fence is open, else 0 */
  gsize    n;
  gboolean at_margin;   /* the open fence starts at the margin: a top-level block */
} HearthMarkdownFence;

typedef enum
{
  HEARTH_MARKDOWN_CUT_NONE,
  HEARTH_MARKDOWN_CUT_BLOCK,   /* a new top-level block starts here */
  HEARTH_MARKDOWN_CUT_PIECE,   /* a long paragraph goes on in another label */
} HearthMarkdownCut;

typedef struct
{
  gsize               pos;             /* first line not scanned yet */
  gsize               commit;          /* the last block boundary found, or 0 */
  HearthMarkdownFence fence;
  gboolean            previous_blank;
  gboolean            after_fence;     /* the line before closed a top-level fence */
  gboolean            plain;           /* in a paragraph of plain lines, which may be cut */
  gsize               piece_start;
  gboolean            code_at_start;   /* the first line opened a top-level fence, still open */
  gboolean            has_cr;
} HearthMarkdownScan;

void              _hearth_markdown_scan_reset        (HearthMarkdownScan        *scan);
HearthMarkdownCut _hearth_markdown_scan              (HearthMarkdownScan        *scan,
                                                      const char                *tail,
                                                      gsize                      len,
                                                      gsize                     *point);
void              _hearth_markdown_update_fence      (HearthMarkdownFence       *fence,
                                                      const char                *line,
                                                      gsize                      len);
gboolean          _hearth_markdown_could_close_fence (const HearthMarkdownFence *fence,
                                                      const char                *line,
                                                      gsize                      len);

G_END_DECLS
