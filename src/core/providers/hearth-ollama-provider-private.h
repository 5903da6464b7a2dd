/* hearth-ollama-provider-private.h — how Ollama's answers are read, apart from HTTP
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-ollama-provider.h"

G_BEGIN_DECLS

/* A download: NDJSON progress lines, one layer per digest, layers interleaved. */
typedef struct
{
  char               *model;
  HearthPullProgress  progress;
  gpointer            progress_data;
  GDataInputStream   *lines;
  GHashTable         *layers;    /* digest → gint64[2] { completed, total } */
  gboolean            success;
} HearthOllamaPull;

HearthOllamaPull   *_hearth_ollama_pull_new     (const char         *model,
                                                 HearthPullProgress  progress,
                                                 gpointer            progress_data);
void                _hearth_ollama_pull_free    (HearthOllamaPull   *data);
gboolean            _hearth_ollama_pull_line    (HearthOllamaPull   *data,
                                                 const char         *line,
                                                 GError            **error);
HearthModelDetails *_hearth_ollama_parse_show   (JsonObject         *answer,
                                                 const char         *model);
GPtrArray          *_hearth_ollama_parse_loaded (JsonObject         *answer);
JsonNode           *_hearth_ollama_build_load_body (const char             *model,
                                                    const HearthRunOptions *options,
                                                    double                  keep_alive_s);

G_END_DECLS
