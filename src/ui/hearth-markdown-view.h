/* hearth-markdown-view.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define HEARTH_TYPE_MARKDOWN_VIEW (hearth_markdown_view_get_type ())

G_DECLARE_FINAL_TYPE (HearthMarkdownView, hearth_markdown_view, HEARTH, MARKDOWN_VIEW, GtkWidget)

GtkWidget  *hearth_markdown_view_new                    (void);
const char *hearth_markdown_view_get_text               (HearthMarkdownView *self);
void        hearth_markdown_view_set_text               (HearthMarkdownView *self,
                                                         const char         *text);
void        hearth_markdown_view_append                 (HearthMarkdownView *self,
                                                         const char         *delta);
void        hearth_markdown_view_finish                 (HearthMarkdownView *self);
gboolean    hearth_markdown_view_is_caught_up           (HearthMarkdownView *self);
guint       hearth_markdown_view_get_n_committed_blocks (HearthMarkdownView *self);
guint       hearth_markdown_view_get_n_tail_builds      (HearthMarkdownView *self);
gboolean    hearth_markdown_view_can_open_uri           (const char         *uri);
char       *hearth_markdown_view_sanitize               (const char         *text,
                                                         gssize              len);

G_END_DECLS
