/* hearth-stream-parser.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-types.h"

G_BEGIN_DECLS

typedef enum
{
  HEARTH_STREAM_FORMAT_OLLAMA_NDJSON,   /* /api/chat, streamed or stream:false */
  HEARTH_STREAM_FORMAT_OPENAI_SSE,      /* /v1/chat/completions, stream:true */
  HEARTH_STREAM_FORMAT_ANTHROPIC_SSE,   /* Anthropic's /v1/messages, stream:true */
} HearthStreamFormat;

typedef struct
{
  /* Text as the server sent it; either may be NULL, never both. */
  void (*delta) (const char                *content,
                 const char                *thinking,
                 gpointer                   user_data);
  /* Once, when the stream says it is complete. */
  void (*done)  (const HearthServerFigures *figures,
                 gpointer                   user_data);
} HearthStreamCallbacks;

HearthStreamParser *hearth_stream_parser_new     (HearthStreamFormat           format,
                                                  const HearthStreamCallbacks *callbacks,
                                                  gpointer                     user_data);
void                hearth_stream_parser_free    (HearthStreamParser          *self);
gboolean            hearth_stream_parser_feed    (HearthStreamParser          *self,
                                                  const char                  *data,
                                                  gsize                        len,
                                                  GError                     **error);
gboolean            hearth_stream_parser_finish  (HearthStreamParser          *self,
                                                  GError                     **error);
gboolean            hearth_stream_parser_is_done (HearthStreamParser          *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthStreamParser, hearth_stream_parser_free)

G_END_DECLS
