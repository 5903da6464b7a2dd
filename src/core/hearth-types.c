/* hearth-types.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hearth-types.h"

void
hearth_figures_init (HearthFigures *figures)
{
  figures->tokens_in = -1;
  figures->tokens_out = -1;
  figures->ttft_ms = -1;
  figures->total_ms = -1;
  figures->load_ms = -1;
  figures->prompt_tokens_per_s = -1;
  figures->tokens_per_s = -1;
  figures->from_server = FALSE;
  figures->cached = FALSE;
}

void
hearth_server_figures_init (HearthServerFigures *figures)
{
  figures->done_reason = NULL;
  figures->model = NULL;
  figures->prompt_tokens = -1;
  figures->completion_tokens = -1;
  figures->total_duration_ns = -1;
  figures->load_duration_ns = -1;
  figures->prompt_eval_duration_ns = -1;
  figures->eval_duration_ns = -1;
  figures->prompt_ms = -1;
  figures->prompt_per_second = -1;
  figures->predicted_ms = -1;
  figures->predicted_per_second = -1;
}

void
hearth_server_figures_clear (HearthServerFigures *figures)
{
  g_clear_pointer (&figures->done_reason, g_free);
  g_clear_pointer (&figures->model, g_free);
  hearth_server_figures_init (figures);
}

void
hearth_server_figures_copy (HearthServerFigures       *dest,
                            const HearthServerFigures *src)
{
  hearth_server_figures_clear (dest);
  *dest = *src;
  dest->done_reason = g_strdup (src->done_reason);
  dest->model = g_strdup (src->model);
}

const char *
hearth_api_kind_to_string (HearthApiKind kind)
{
  switch (kind)
    {
    case HEARTH_API_OPENAI:
      return "openai";
    case HEARTH_API_ANTHROPIC:
      return "anthropic";
    case HEARTH_API_OLLAMA:
    default:
      return "ollama";
    }
}

gboolean
hearth_api_kind_from_string (const char    *str,
                             HearthApiKind *kind)
{
  if (g_strcmp0 (str, "ollama") == 0)
    *kind = HEARTH_API_OLLAMA;
  else if (g_strcmp0 (str, "openai") == 0)
    *kind = HEARTH_API_OPENAI;
  else if (g_strcmp0 (str, "anthropic") == 0)
    *kind = HEARTH_API_ANTHROPIC;
  else
    return FALSE;
  return TRUE;
}

static const char * const state_names[] = { "complete", "partial", "failed", "cancelled" };

const char *
hearth_message_state_to_string (HearthMessageState state)
{
  g_return_val_if_fail (state <= HEARTH_MESSAGE_CANCELLED, NULL);
  return state_names[state];
}

gboolean
hearth_message_state_from_string (const char         *str,
                                  HearthMessageState *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    {
      if (g_strcmp0 (str, state_names[i]) == 0)
        {
          *state = i;
          return TRUE;
        }
    }
  return FALSE;
}

/* g_set_str() arrived in GLib 2.76. */
gboolean
hearth_set_str (char       **ptr,
                const char  *value)
{
  if (g_strcmp0 (*ptr, value) == 0)
    return FALSE;
  g_free (*ptr);
  *ptr = g_strdup (value);
  return TRUE;
}
