/* hearth-code-block.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define HEARTH_TYPE_CODE_BLOCK (hearth_code_block_get_type ())

G_DECLARE_FINAL_TYPE (HearthCodeBlock, hearth_code_block, HEARTH, CODE_BLOCK, GtkWidget)

GtkWidget  *hearth_code_block_new           (const char      *language);
const char *hearth_code_block_get_language  (HearthCodeBlock *self);
const char *hearth_code_block_get_code      (HearthCodeBlock *self);
void        hearth_code_block_set_code      (HearthCodeBlock *self,
                                             const char      *code);
gsize       hearth_code_block_get_code_length (HearthCodeBlock *self);
void        hearth_code_block_append_code   (HearthCodeBlock *self,
                                             const char      *code,
                                             gsize            len);
void        hearth_code_block_copy          (HearthCodeBlock *self);
void        hearth_code_block_warm_up       (void);

G_END_DECLS
