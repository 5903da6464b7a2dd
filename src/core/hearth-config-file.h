/* hearth-config-file.h — the user's hand-editable lists (servers.conf,
 * routes.conf, ensembles.conf), written the one way
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes @data to @path whole, then renames it into place, so another
 * reader (hearth-cli, the app's file monitor) sees the old file or the new
 * one; makes the folder (0700) when needed. When *@unreadable (the file is
 * there but did not read), it is first kept aside as PATH.bak, never
 * written over, and *@unreadable is cleared. @what names the list for the
 * error ("The routing rules"): "… could not be saved: REASON". */
gboolean hearth_config_file_write (const char  *path,
                                   const char  *data,
                                   int          mode,
                                   const char  *what,
                                   gboolean    *unreadable,
                                   GError     **error);

G_END_DECLS
