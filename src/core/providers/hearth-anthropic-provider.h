/* hearth-anthropic-provider.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-provider.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_ANTHROPIC_PROVIDER (hearth_anthropic_provider_get_type ())

G_DECLARE_FINAL_TYPE (HearthAnthropicProvider, hearth_anthropic_provider, HEARTH,
                      ANTHROPIC_PROVIDER, HearthProvider)

/* The API version every request names (anthropic-version). */
#define HEARTH_ANTHROPIC_VERSION "2023-06-01"
/* max_tokens when neither the request nor its run options limit the reply:
 * the API requires one. */
#define HEARTH_ANTHROPIC_DEFAULT_MAX_TOKENS 4096

JsonNode  *hearth_anthropic_build_chat_body (const HearthChatRequest *request);

G_END_DECLS
