/* hearth-hardware-private.h — what the hardware probe's files share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-hardware.h"

G_BEGIN_DECLS

/* Reading through a root: see hearth-hardware.c. */
gboolean  _hearth_hardware_root_is_real  (const char      *root);
char     *_hearth_hardware_root_path     (const char      *root,
                                          const char      *relative);
char     *_hearth_hardware_root_read     (const char      *root,
                                          const char      *relative);
gint64    _hearth_hardware_root_read_int (const char      *root,
                                          const char      *relative);
gint64    _hearth_hardware_root_read_hex (const char      *root,
                                          const char      *relative);
gboolean  _hearth_hardware_split_line    (const char      *line,
                                          char           **key,
                                          char           **value,
                                          char             separator);

gboolean  _hearth_hardware_probe_cpu     (const char      *root,
                                          HearthHardware  *hw,
                                          GError         **error);
gboolean  _hearth_hardware_probe_memory  (const char      *root,
                                          HearthHardware  *hw,
                                          GError         **error);
void      _hearth_hardware_probe_gpus    (const char      *root,
                                          HearthHardware  *hw);

G_END_DECLS
