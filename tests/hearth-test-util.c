/* hearth-test-util.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE

#include <glib/gstdio.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hearth-test-util.h"

#define NOBODY_ID 65534

/* LeakSanitizer and the libraries' constructors. GLib's constructor
 * (g_quark_init) allocates the quark table's first block, and growing the
 * table past 2048 quarks, which GTK does, leaves that block behind on purpose
 * (readers take no lock). A suppression can only find that block by the
 * _dl_init frame, which only ASan's slow unwinder reaches (GLib has no frame
 * pointers), and the slow unwinder on every malloc makes a GTK test several
 * times slower. Instead, what the shared libraries allocate in their
 * constructors, before main () and before any of our code runs, is ignored
 * (an ignored block still keeps what it points to reachable, so it hides
 * nothing of ours): leaks are switched off in this thread first of all
 * (.preinit_array runs before every library's constructor) and on again in
 * the program's own constructor, which runs after theirs. Every program
 * that links this file gets it, and the UI tests use the fast unwinder. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HEARTH_TEST_LSAN 1
#endif
#endif
#if !defined(HEARTH_TEST_LSAN) && defined(__SANITIZE_ADDRESS__)
#define HEARTH_TEST_LSAN 1
#endif

#ifdef HEARTH_TEST_LSAN
#include <sanitizer/lsan_interface.h>

static gboolean lsan_disabled_before_constructors;

static void
lsan_off_before_constructors (int    argc,
                              char **argv,
                              char **envp)
{
  __lsan_disable ();
  lsan_disabled_before_constructors = TRUE;
}

__attribute__((section (".preinit_array"), used))
static void (*const hearth_test_lsan_preinit) (int, char **, char **) = lsan_off_before_constructors;

__attribute__((constructor (101)))
static void
lsan_on_after_constructors (void)
{
  if (lsan_disabled_before_constructors)
    {
      lsan_disabled_before_constructors = FALSE;
      __lsan_enable ();
    }
}
#endif

static char *test_tmpdir;

void
hearth_test_rm_rf (const char *path)
{
  GDir *dir;
  const char *name;

  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      dir = g_dir_open (path, 0, NULL);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          hearth_test_rm_rf (child);
        }
      g_clear_pointer (&dir, g_dir_close);
      g_rmdir (path);
    }
  else
    {
      g_unlink (path);
    }
}

static void
remove_tmpdir (void)
{
  if (test_tmpdir != NULL && g_getenv ("HEARTH_TEST_KEEP_TMPDIR") == NULL)
    hearth_test_rm_rf (test_tmpdir);
}

static void
set_dir (const char *variable,
         const char *name)
{
  g_autofree char *path = g_build_filename (test_tmpdir, name, NULL);

  g_mkdir_with_parents (path, 0700);
  g_setenv (variable, path, TRUE);
}

void
hearth_test_init (int    *argc,
                  char ***argv)
{
  g_autoptr(GError) error = NULL;

  g_test_init (argc, argv, NULL);

  test_tmpdir = g_dir_make_tmp ("hearth-test-XXXXXX", &error);
  g_assert_no_error (error);
  atexit (remove_tmpdir);

  set_dir ("XDG_DATA_HOME", "data");
  set_dir ("XDG_CACHE_HOME", "cache");
  set_dir ("XDG_CONFIG_HOME", "config");
  set_dir ("XDG_STATE_HOME", "state");
  set_dir ("HOME", "home");
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_unsetenv ("OLLAMA_HOST");
}

const char *
hearth_test_get_tmpdir (void)
{
  return test_tmpdir;
}

char *
hearth_test_build_tmp_path (const char *first_element,
                            ...)
{
  va_list args;
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  const char *part;

  g_ptr_array_add (parts, test_tmpdir);
  va_start (args, first_element);
  for (part = first_element; part != NULL; part = va_arg (args, const char *))
    g_ptr_array_add (parts, (gpointer) part);
  va_end (args);
  g_ptr_array_add (parts, NULL);
  return g_build_filenamev ((char **) parts->pdata);
}

/* SQLite */

sqlite3 *
hearth_test_sqlite_open (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  return db;
}

void
hearth_test_sqlite_exec (sqlite3    *db,
                         const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

/* Creates the file if needed. */
void
hearth_test_sqlite_run (const char *path,
                        const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  hearth_test_sqlite_exec (db, sql);
  sqlite3_close (db);
}

/* The first column of the first row, or NULL when there is none. */
char *
hearth_test_sqlite_query_text (const char *path,
                               const char *sql)
{
  sqlite3 *db = hearth_test_sqlite_open (path);
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return result;
}

gint64
hearth_test_sqlite_query_int (const char *path,
                              const char *sql)
{
  g_autofree char *text = hearth_test_sqlite_query_text (path, sql);

  g_assert_nonnull (text);
  return g_ascii_strtoll (text, NULL, 10);
}

/* Read-only files */

/* Each path to nobody, and the temporary directory open to it. */
gboolean
hearth_test_hand_to_nobody (const char *first_path,
                            ...)
{
  va_list args;
  gboolean ok;

  if (geteuid () != 0)
    return TRUE;
  ok = chmod (hearth_test_get_tmpdir (), 0711) == 0;
  va_start (args, first_path);
  for (const char *path = first_path; ok && path != NULL; path = va_arg (args, const char *))
    ok = chown (path, NOBODY_ID, NOBODY_ID) == 0;
  va_end (args);
  if (!ok)
    g_test_skip ("SKIPPED: cannot hand the test files to uid 65534 (nobody), so "
                 "read-only errors are NOT tested");
  return ok;
}

/* One line a stage: "<stage> <error code, -1 for none> <message or ok>". */
void
hearth_test_write_report (int           fd,
                          const char   *stage,
                          const GError *error)
{
  g_autofree char *line = g_strdup_printf ("%s %d %s\n", stage, error ? error->code : -1,
                                           error ? error->message : "ok");

  if (write (fd, line, strlen (line)) < 0)
    _exit (3);
}

static gboolean
drop_privileges (void)
{
  if (geteuid () != 0)
    return TRUE;
  return setgroups (0, NULL) == 0 &&
         setresgid (NOBODY_ID, NOBODY_ID, NOBODY_ID) == 0 &&
         setresuid (NOBODY_ID, NOBODY_ID, NOBODY_ID) == 0 &&
         geteuid () == NOBODY_ID;
}

static char *
read_all (int fd)
{
  g_autoptr(GString) output = g_string_new (NULL);
  char buf[512];
  ssize_t n;

  while ((n = read (fd, buf, sizeof buf)) > 0)
    g_string_append_len (output, buf, n);
  return g_string_free (g_steal_pointer (&output), FALSE);
}

/**
 * hearth_test_run_as_nobody:
 * @func: runs in a forked child as nobody, and reports on its fd with
 *   hearth_test_write_report()
 *
 * Returns: (transfer full) (nullable): what @func reported, or %NULL when the
 *   child could not become nobody and the test is skipped
 */
char *
hearth_test_run_as_nobody (HearthTestChildFunc func,
                           gpointer            user_data)
{
  g_autofree char *output = NULL;
  int fds[2];
  int status;
  pid_t pid;

  g_assert_cmpint (pipe (fds), ==, 0);
  fflush (stdout);
  fflush (stderr);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      close (fds[0]);
      if (!drop_privileges ())
        hearth_test_write_report (fds[1], "skip", NULL);
      else
        func (fds[1], user_data);
      _exit (0);
    }
  close (fds[1]);
  output = read_all (fds[0]);
  close (fds[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  if (!g_str_has_prefix (output, "skip"))
    return g_steal_pointer (&output);
  g_test_skip ("SKIPPED: cannot switch to uid 65534 (nobody) in a child process, so "
               "read-only errors are NOT tested");
  return NULL;
}

void
hearth_test_assert_read_only_report (const char *line,
                                     const char *stage,
                                     int         code,
                                     const char *path)
{
  g_autofree char *prefix = g_strdup_printf ("%s %d ", stage, code);

  g_test_message ("%s", line);
  g_assert_true (g_str_has_prefix (line, prefix));
  g_assert_nonnull (strstr (line, path));
  g_assert_nonnull (strstr (line, "permissions"));
}

HearthStore *
hearth_test_open_store (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = hearth_test_build_tmp_path (name, "hearth.db", NULL);
  HearthStore *store = hearth_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

/* Returns: (transfer full): the root of @text, which must be JSON */
JsonNode *
hearth_test_parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}
