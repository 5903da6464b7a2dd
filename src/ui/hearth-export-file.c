/* hearth-export-file.c — an export's text written to the file the user chose
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-export"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "hearth-export-file.h"

typedef struct
{
  GFile *file;
  char  *text;
  char  *what;
  int    lines;
} Export;

static void
export_free (Export *export)
{
  g_clear_object (&export->file);
  g_free (export->text);
  g_free (export->what);
  g_free (export);
}

void
hearth_export_file_fail (GTask        *task,
                         GFile        *file,
                         const char   *what,
                         const GError *error)
{
  g_autofree char *name = g_file_get_parse_name (file);

  g_task_return_new_error (task, G_IO_ERROR,
                           error->domain == G_IO_ERROR ? error->code : G_IO_ERROR_FAILED,
                           /* Translators: "The metrics could not be saved to FILE: REASON" */
                           _("%s could not be saved to %s: %s"), what, name, error->message);
}

static void
written_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Export *export = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    hearth_export_file_fail (task, export->file, export->what, error);
  else
    g_task_return_int (task, export->lines);
}

void
hearth_export_file_write (GTask      *task,
                          GFile      *file,
                          char       *text,
                          const char *what)
{
  Export *export = g_new0 (Export, 1);

  export->file = g_object_ref (file);
  export->text = text;
  export->what = g_strdup (what);
  for (const char *p = text; (p = strchr (p, '\n')) != NULL; p++)
    export->lines++;
  /* Replaces (and frees) what the caller kept there: @file is ours now. */
  g_task_set_task_data (task, export, (GDestroyNotify) export_free);
  /* Written off the main thread: an export can be large. */
  g_file_replace_contents_async (file, export->text, strlen (export->text), NULL, FALSE,
                                 G_FILE_CREATE_REPLACE_DESTINATION, g_task_get_cancellable (task),
                                 written_cb, g_object_ref (task));
}
