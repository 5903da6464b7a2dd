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

G_END_DECLS
