/* hearth-a11y.h — what every widget needs for assistive technologies
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void hearth_a11y_init (void);

G_END_DECLS
