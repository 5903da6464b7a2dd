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

/* The model list of an OpenAI-shaped answer ({"data": [{"id": …}, …]}), as
 * OpenAI-compatible servers and Anthropic give it; @family_member names the
 * member shown as the model's family (nullable); @speaks says what the
 * server failed to answer like ("Anthropic's API"). */
GPtrArray *_hearth_provider_parse_model_list (HearthProvider  *self,
                                              JsonNode        *root,
                                              const char      *family_member,
                                              const char      *speaks,
                                              GError         **error);

G_END_DECLS
