/* hearth-run-option-row.h — one run option in an editor: what it means, what
 * applies now and where from, and a value of its own to set or clear
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hearth-run-options.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_RUN_OPTION_ROW (hearth_run_option_row_get_type ())

G_DECLARE_FINAL_TYPE (HearthRunOptionRow, hearth_run_option_row, HEARTH, RUN_OPTION_ROW,
                      AdwActionRow)

GtkWidget          *hearth_run_option_row_new             (HearthRunOptionKey  key);
HearthRunOptionKey  hearth_run_option_row_get_key         (HearthRunOptionRow *self);
/* What applies when the row has no value of its own; @source: "from the
 * Balanced profile", "the server's default" (@has_value FALSE). */
void                hearth_run_option_row_set_inherited   (HearthRunOptionRow *self,
                                                           gboolean            has_value,
                                                           double              value,
                                                           const char         *source);
/* The row's own value; @source (nullable) says where it came from ("tuned
 * 3 Dec"); NULL: "set by you". Does not emit "changed". */
void                hearth_run_option_row_set_own         (HearthRunOptionRow *self,
                                                           gboolean            is_set,
                                                           double              value,
                                                           const char         *source);
/* Returns: whether the row has a value of its own (then in @value). */
gboolean            hearth_run_option_row_get_own         (HearthRunOptionRow *self,
                                                           double             *value);
void                hearth_run_option_row_clear           (HearthRunOptionRow *self);
/* Lines under the rest: a measured effect, an automatic limit in force. */
void                hearth_run_option_row_set_notes       (HearthRunOptionRow *self,
                                                           const char         *notes);
/* @why: NULL when the server takes the option; else the row is insensitive
 * and says why. */
void                hearth_run_option_row_set_unsupported (HearthRunOptionRow *self,
                                                           const char         *why);
/* A row for each option, "Loading" ones in @loading and "Answers" ones in
 * @answers, stored in @rows by key. */
void                hearth_run_option_rows_populate       (AdwPreferencesGroup *loading,
                                                           AdwPreferencesGroup *answers,
                                                           HearthRunOptionRow **rows);
/* The rows' own values as options. */
HearthRunOptions   *hearth_run_option_rows_collect        (HearthRunOptionRow **rows);

G_END_DECLS
