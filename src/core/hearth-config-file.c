/* hearth-config-file.c — the user's hand-editable lists, written the one way
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-config"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <glib/gstdio.h>

#include "hearth-config-file.h"
#include "hearth-error.h"

gboolean
hearth_config_file_write (const char  *path,
                          const char  *data,
                          int          mode,
                          const char  *what,
                          gboolean    *unreadable,
                          GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL && data != NULL && what != NULL, FALSE);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_FAILED,
                   _("%s could not be saved: the folder %s could not be made (%s)"),
                   what, dir, g_strerror (saved_errno));
      return FALSE;
    }
  /* A file that did not read is kept aside, not written over. */
  if (unreadable != NULL && *unreadable)
    {
      g_autofree char *backup = g_strconcat (path, ".bak", NULL);

      if (g_rename (path, backup) == 0)
        g_message ("The unreadable %s is kept as %s", path, backup);
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        *unreadable = FALSE;
    }
  if (!g_file_set_contents_full (path, data, -1, G_FILE_SET_CONTENTS_CONSISTENT, mode,
                                 &local_error))
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_FAILED,
                   _("%s could not be saved: %s. Nothing was changed."), what,
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}
