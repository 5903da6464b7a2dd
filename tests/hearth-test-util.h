/* hearth-test-util.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* g_test_init() plus a private temporary home: XDG_DATA_HOME, XDG_CACHE_HOME,
 * XDG_CONFIG_HOME and XDG_RUNTIME_DIR point into a fresh directory that is
 * removed at exit; GSETTINGS_BACKEND=memory. */
void         hearth_test_init            (int          *argc,
                                          char       ***argv);
const char  *hearth_test_get_tmpdir      (void);
char        *hearth_test_build_tmp_path  (const char   *first_element,
                                          ...) G_GNUC_NULL_TERMINATED;
void         hearth_test_rm_rf           (const char   *path);

G_END_DECLS
