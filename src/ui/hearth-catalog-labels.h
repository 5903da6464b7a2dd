/* hearth-catalog-labels.h — the catalog's tiers and placements as people read them
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-catalog.h"

G_BEGIN_DECLS

const char *hearth_tier_label      (HearthTier      tier);
const char *hearth_placement_label (HearthPlacement placement);

G_END_DECLS
