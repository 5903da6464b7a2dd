/* hearth-catalog-private.h — what the model catalog's files share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-catalog.h"

G_BEGIN_DECLS

#define GIB ((gint64) 1 << 30)

G_END_DECLS
