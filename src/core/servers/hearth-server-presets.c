/* hearth-server-presets.c — the usual servers, their addresses filled in
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-servers"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hearth-server.h"

/* The URLs are written as each project documents them ("…/v1"):
 * hearth_endpoint_normalize () drops an OpenAI-compatible server's /v1,
 * since the provider adds /v1/… to every path. */
static const HearthServerPreset presets[] = {
  { "ollama", "Ollama", "ollama", "http://127.0.0.1:11434", HEARTH_API_OLLAMA,
    FALSE, FALSE, NULL, N_("Ollama on this computer or another one") },
  { "openai", "OpenAI", "openai", "https://api.openai.com/v1", HEARTH_API_OPENAI,
    TRUE, TRUE, "OPENAI_API_KEY", N_("GPT models in OpenAI's cloud; needs an API key") },
  { "anthropic", "Anthropic", "anthropic", "https://api.anthropic.com", HEARTH_API_ANTHROPIC,
    TRUE, TRUE, "ANTHROPIC_API_KEY", N_("Claude models in Anthropic's cloud; needs an API key") },
  { "groq", "Groq", "groq", "https://api.groq.com/openai/v1", HEARTH_API_OPENAI,
    TRUE, TRUE, NULL, N_("Open models on Groq's cloud; needs an API key") },
  { "openrouter", "OpenRouter", "openrouter", "https://openrouter.ai/api/v1", HEARTH_API_OPENAI,
    TRUE, TRUE, NULL, N_("Many providers' models through one cloud account; needs an API key") },
  { "lmstudio", "LM Studio", "lm-studio", "http://127.0.0.1:1234/v1", HEARTH_API_OPENAI,
    FALSE, FALSE, NULL, N_("LM Studio's local server") },
  { "llamacpp", "llama.cpp", "llama-cpp", "http://127.0.0.1:8080/v1", HEARTH_API_OPENAI,
    FALSE, FALSE, NULL, N_("llama.cpp's llama-server") },
  { "vllm", "vLLM", "vllm", "http://127.0.0.1:8000/v1", HEARTH_API_OPENAI,
    FALSE, FALSE, NULL, N_("A vLLM server") },
};

/**
 * hearth_server_presets:
 * @n_presets: (out): how many there are
 *
 * Returns: (transfer none) (array length=n_presets): the presets of the
 *   "Add Server" list, in the order they are shown
 */
const HearthServerPreset *
hearth_server_presets (guint *n_presets)
{
  if (n_presets != NULL)
    *n_presets = G_N_ELEMENTS (presets);
  return presets;
}

/* Returns: (transfer none) (nullable): the preset called @id */
const HearthServerPreset *
hearth_server_preset_find (const char *id)
{
  for (guint i = 0; id != NULL && i < G_N_ELEMENTS (presets); i++)
    if (g_str_equal (presets[i].id, id))
      return &presets[i];
  return NULL;
}
