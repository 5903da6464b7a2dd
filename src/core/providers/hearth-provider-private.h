/* hearth-provider-private.h — what the provider's files share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-provider.h"

G_BEGIN_DECLS

typedef void (*KeyFailFunc) (gpointer data, const GError *error);

/* Runs @then (self, data) once the API key is known (at once when it already
 * is), or @fail when the key found cannot be sent. */
void _hearth_provider_with_api_key (HearthProvider *self,
                                    GFunc           then,
                                    KeyFailFunc     fail,
                                    gpointer        data);

G_END_DECLS
