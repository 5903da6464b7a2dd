/* hearth-types.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _HearthEngine        HearthEngine;
typedef struct _HearthReply         HearthReply;
typedef struct _HearthProvider      HearthProvider;
typedef struct _HearthStore         HearthStore;
typedef struct _HearthStreamParser  HearthStreamParser;

typedef enum
{
  HEARTH_API_OLLAMA,
  HEARTH_API_OPENAI,
  HEARTH_API_ANTHROPIC,   /* Anthropic's Messages API (/v1/messages) */
} HearthApiKind;

typedef enum
{
  HEARTH_MESSAGE_COMPLETE,
  HEARTH_MESSAGE_PARTIAL,
  HEARTH_MESSAGE_FAILED,
  HEARTH_MESSAGE_CANCELLED,
} HearthMessageState;

/* Every figure is measured; a negative value means "not known". */
typedef struct
{
  gint64   tokens_in;
  gint64   tokens_out;
  double   ttft_ms;
  double   total_ms;
  double   load_ms;
  double   prompt_tokens_per_s;
  double   tokens_per_s;
  gboolean from_server;
  gboolean cached;       /* answered from the response cache: the figures are the
                          * cache's own (its time), no speed of the model */
} HearthFigures;

/* What a server reported about a finished request; negative = missing. */
typedef struct
{
  char   *done_reason;
  char   *model;
  gint64  prompt_tokens;
  gint64  completion_tokens;
  gint64  total_duration_ns;
  gint64  load_duration_ns;
  gint64  prompt_eval_duration_ns;
  gint64  eval_duration_ns;
  double  prompt_ms;
  double  prompt_per_second;
  double  predicted_ms;
  double  predicted_per_second;
} HearthServerFigures;

void         hearth_figures_init                (HearthFigures             *figures);
void         hearth_server_figures_init         (HearthServerFigures       *figures);
void         hearth_server_figures_clear        (HearthServerFigures       *figures);
void         hearth_server_figures_copy         (HearthServerFigures       *dest,
                                                 const HearthServerFigures *src);
const char  *hearth_api_kind_to_string          (HearthApiKind              kind);
gboolean     hearth_api_kind_from_string        (const char                *str,
                                                 HearthApiKind             *kind);
const char  *hearth_message_state_to_string     (HearthMessageState         state);
gboolean     hearth_set_str                     (char                     **ptr,
                                                 const char                *value);
gboolean     hearth_message_state_from_string   (const char                *str,
                                                 HearthMessageState        *state);

G_END_DECLS
