/* hearth-catalog-labels.c — the catalog's tiers and placements as people read them
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by the Hardware page and the setup assistant; the core's
 * hearth_placement_to_string () is the untranslated form for the CLI and JSON.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "hearth-catalog-labels.h"

const char *
hearth_tier_label (HearthTier tier)
{
  switch (tier)
    {
    case HEARTH_TIER_FAST:
      return _("Fast");
    case HEARTH_TIER_BALANCED:
      return _("Balanced");
    case HEARTH_TIER_MOST_CAPABLE:
      return _("Most Capable");
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
hearth_placement_label (HearthPlacement placement)
{
  switch (placement)
    {
    case HEARTH_PLACEMENT_RUNS_ON_GPU:
      return _("Runs on the GPU");
    case HEARTH_PLACEMENT_PARTLY_ON_GPU:
      return _("Partly on the GPU");
    case HEARTH_PLACEMENT_CPU_ONLY:
      return _("CPU only");
    case HEARTH_PLACEMENT_TOO_LARGE:
      return _("Too large");
    default:
      g_return_val_if_reached (NULL);
    }
}
