/* hearth-stream-parser-private.h — what the stream parser's files share
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hearth-stream-parser.c cuts the bytes into lines and SSE events and reads
 * Ollama's and OpenAI's; hearth-stream-parser-anthropic.c reads Anthropic's
 * events.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "hearth-stream-parser.h"

G_BEGIN_DECLS

/* One line (or one SSE event) may not grow past this; a whole reply may. */
#define MAX_LINE_SIZE (16 * 1024 * 1024)
/* How much of a bad line an error message quotes. */
#define QUOTE_CHARS   60

struct _HearthStreamParser
{
  HearthStreamFormat     format;
  HearthStreamCallbacks  callbacks;
  gpointer               user_data;

  GByteArray            *buffer;          /* bytes not yet consumed as lines */
  gsize                  scanned;         /* prefix of buffer known to hold no newline */
  gboolean               seen_line;       /* a byte-order mark may only open the stream */
  JsonParser            *json;
  gboolean               fast_path;       /* off only to test against json-glib */
  GString               *scratch;         /* the fast path's decoded strings */

  GString               *event_data;      /* SSE: data lines of the current event */
  guint                  event_lines;
  gboolean               event_is_error;
  char                  *event_name;      /* SSE: the current event's `event:` field */

  HearthServerFigures    figures;
  gboolean               finish_seen;     /* OpenAI: a finish_reason arrived;
                                           * Anthropic: a stop_reason */
  gboolean               done;
  GError                *error;           /* sticky: once set, nothing more is parsed */
};

/* Each failure is sticky: it sets self->error, copies it to @error and
 * returns FALSE. */
gboolean  _hearth_parser_fail            (HearthStreamParser  *self,
                                          GError              *error,
                                          GError             **out_error);
gboolean  _hearth_parser_fail_malformed  (HearthStreamParser  *self,
                                          const char          *line,
                                          gsize                len,
                                          const char          *why,
                                          GError             **error);
gboolean  _hearth_parser_fail_server     (HearthStreamParser  *self,
                                          JsonNode            *node,
                                          GError             **error);
char     *_hearth_parser_quote           (const char          *line,
                                          gsize                len);
void      _hearth_parser_set_string      (char               **field,
                                          const char          *value);
void      _hearth_parser_emit_delta      (HearthStreamParser  *self,
                                          const char          *content,
                                          const char          *thinking);
void      _hearth_parser_emit_done       (HearthStreamParser  *self);
gint64    _hearth_parser_member_int      (JsonObject          *object,
                                          const char          *name);
gboolean  _hearth_parser_member_text     (JsonObject          *object,
                                          const char          *name,
                                          const char         **text);
gboolean  _hearth_parser_member_object   (JsonObject          *object,
                                          const char          *name,
                                          JsonObject         **member);

/* One complete SSE event of Anthropic's Messages API: @event is its
 * `event:` field (NULL when it had none), @data its data lines. */
gboolean  _hearth_parser_anthropic_event (HearthStreamParser  *self,
                                          const char          *event,
                                          const char          *data,
                                          gsize                len,
                                          GError             **error);

G_END_DECLS
