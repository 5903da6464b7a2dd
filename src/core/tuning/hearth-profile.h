/* hearth-profile.h — a named set of run options: Fast, Balanced, Quality,
 * Battery, and the user's own, each inheriting from a built-in one
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "hearth-run-options.h"

G_BEGIN_DECLS

#define HEARTH_PROFILE_FAST     "fast"
#define HEARTH_PROFILE_BALANCED "balanced"
#define HEARTH_PROFILE_QUALITY  "quality"
#define HEARTH_PROFILE_BATTERY  "battery"

typedef struct
{
  char             *name;         /* "fast", or the user's own ("long-docs") */
  char             *title;        /* "Fast", "Long documents" */
  char             *description;  /* one line: what it is for */
  char             *parent;       /* a custom one's built-in; NULL for built-ins */
  gboolean          builtin;
  HearthRunOptions *options;      /* its own (a custom one's overrides) */
} HearthProfile;

HearthProfile    *hearth_profile_new        (const char          *name,
                                             const char          *parent);
HearthProfile    *hearth_profile_copy       (const HearthProfile *profile);
void              hearth_profile_free       (HearthProfile       *profile);
JsonNode         *hearth_profile_to_json    (const HearthProfile *profile,
                                             const HearthRunOptions *effective);
/* The four built-ins (HearthProfile, in that order), with options that
 * follow this machine's hardware (Battery's threads are half the physical
 * cores): @physical_cores <= 0 when unknown. */
GPtrArray        *hearth_profile_list_builtin (int                physical_cores);
/* "fast" … or a valid custom name: lower-case letters, digits and '-',
 * 1–40 characters, not a built-in's. */
gboolean          hearth_profile_check_name (const char          *name,
                                             GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthProfile, hearth_profile_free)

G_END_DECLS
