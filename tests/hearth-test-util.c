/* hearth-test-util.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <stdlib.h>

#include "hearth-test-util.h"

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
