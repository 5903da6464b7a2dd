/* hearth-i18n.h — the app's and hearth-cli's messages in the user's language
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void hearth_i18n_init (void);

G_END_DECLS
