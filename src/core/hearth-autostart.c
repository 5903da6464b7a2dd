/* hearth-autostart.c — starting Hearth at login, outside Flatpak
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-autostart"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "hearth-autostart.h"

char *
hearth_autostart_path (void)
{
  g_autofree char *name = g_strconcat (APP_ID, ".desktop", NULL);

  return g_build_filename (g_get_user_config_dir (), "autostart", name, NULL);
}

static void
write_autostart_in_thread (GTask        *task,
                           gpointer      source,
                           gpointer      task_data,
                           GCancellable *cancellable)
{
  gboolean wanted = GPOINTER_TO_INT (task_data);
  g_autofree char *path = hearth_autostart_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *contents = NULL;
  GError *error = NULL;

  if (!wanted)
    {
      if (g_unlink (path) != 0 && errno != ENOENT)
        g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errno),
                                 _("Could not remove %s: %s"), path, g_strerror (errno));
      else
        g_task_return_boolean (task, TRUE);
      return;
    }
  /* --gapplication-service: registered and watching, without a window. */
  contents = g_strdup_printf ("[Desktop Entry]\n"
                              "Type=Application\n"
                              "Name=%s\n"
                              "Comment=%s\n"
                              "Exec=hearth --gapplication-service\n"
                              "Icon=%s\n"
                              "Terminal=false\n"
                              "NoDisplay=true\n"
                              "X-GNOME-Autostart-enabled=true\n",
                              _("Hearth"),
                              _("Watches your AI models and your computer in the background"),
                              APP_ID);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errno),
                             _("Could not create %s: %s"), dir, g_strerror (errno));
  else if (!g_file_set_contents (path, contents, -1, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
hearth_autostart_set_async (gboolean             wanted,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, hearth_autostart_set_async);
  g_task_set_task_data (task, GINT_TO_POINTER (wanted), NULL);
  g_task_run_in_thread (task, write_autostart_in_thread);
}

gboolean
hearth_autostart_set_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
