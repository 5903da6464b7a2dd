/* hearth-openai-provider.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-provider.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_OPENAI_PROVIDER (hearth_openai_provider_get_type ())

G_DECLARE_FINAL_TYPE (HearthOpenaiProvider, hearth_openai_provider, HEARTH, OPENAI_PROVIDER,
                      HearthProvider)

JsonNode  *hearth_openai_build_chat_body (const HearthChatRequest *request);

G_END_DECLS
