/* hearth-ollama-provider.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-provider.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_OLLAMA_PROVIDER (hearth_ollama_provider_get_type ())

G_DECLARE_FINAL_TYPE (HearthOllamaProvider, hearth_ollama_provider, HEARTH, OLLAMA_PROVIDER,
                      HearthProvider)

JsonNode  *hearth_ollama_build_chat_body         (const HearthChatRequest *request);

G_END_DECLS
