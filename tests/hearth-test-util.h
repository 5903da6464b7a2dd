/* hearth-test-util.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "hearth-store.h"

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

/* Straight to the file, past the code under test; any failure fails the test. */
sqlite3     *hearth_test_sqlite_open     (const char   *path);
void         hearth_test_sqlite_exec     (sqlite3      *db,
                                          const char   *sql);
void         hearth_test_sqlite_run      (const char   *path,
                                          const char   *sql);
char        *hearth_test_sqlite_query_text (const char *path,
                                            const char *sql);
gint64       hearth_test_sqlite_query_int  (const char *path,
                                            const char *sql);

/* Read-only files, tested as their owner: root ignores permissions, so the
 * files go to uid 65534 (nobody) and the child switches to it. Both skip the
 * test (g_test_skip()) when they cannot. */
typedef void (*HearthTestChildFunc) (int      fd,
                                     gpointer user_data);

gboolean     hearth_test_hand_to_nobody  (const char   *first_path,
                                          ...) G_GNUC_NULL_TERMINATED;
char        *hearth_test_run_as_nobody   (HearthTestChildFunc  func,
                                          gpointer             user_data);
void         hearth_test_write_report    (int           fd,
                                          const char   *stage,
                                          const GError *error);
void         hearth_test_assert_read_only_report (const char *line,
                                                  const char *stage,
                                                  int         code,
                                                  const char *path);

/* A fresh history database at <tmpdir>/@name/hearth.db; asserts it opens. */
HearthStore *hearth_test_open_store      (const char   *name);

/* Parses what a command printed; asserts it is JSON. */
JsonNode    *hearth_test_parse_json      (const char   *text);

G_END_DECLS
