/* hearth-endpoint.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hearth-types.h"

G_BEGIN_DECLS

#define HEARTH_DEFAULT_ENDPOINT "http://127.0.0.1:11434"
/* Anthropic's API, as hearth_endpoint_normalize () stores it: https://api.anthropic.com:443 */
#define HEARTH_ANTHROPIC_ENDPOINT "https://api.anthropic.com"

char       *hearth_endpoint_normalize   (const char    *input,
                                         HearthApiKind  api,
                                         GError       **error);
char       *hearth_endpoint_resolve     (const char    *explicit_endpoint,
                                         HearthApiKind  api,
                                         GSettings     *settings,
                                         GError       **error);
GSettings  *hearth_settings_try_new     (void);
gboolean    hearth_endpoint_is_loopback (const char    *endpoint);
guint       hearth_endpoint_local_port  (const char    *endpoint);

G_END_DECLS
