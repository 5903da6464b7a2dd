/* hearth-stream-parser.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-stream-parser"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "hearth-error.h"
#include "hearth-json.h"
#include "hearth-json-scanner.h"
#include "hearth-stream-parser-private.h"

gboolean
_hearth_parser_fail (HearthStreamParser *self,
                     GError             *error,
                     GError            **out_error)
{
  g_assert (self->error == NULL);

  self->error = error;
  g_propagate_error (out_error, g_error_copy (error));
  return FALSE;
}

/* Up to QUOTE_CHARS printable characters of @line; anything else as \xNN. */
char *
_hearth_parser_quote (const char *line,
                      gsize       len)
{
  GString *quote = g_string_new (NULL);
  const char *p = line;
  const char *end = line + len;
  guint n_chars;

  for (n_chars = 0; p < end && n_chars < QUOTE_CHARS; n_chars++)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c < (gunichar) -2 && c != '\\' && g_unichar_isprint (c))
        {
          g_string_append_unichar (quote, c);
          p = g_utf8_next_char (p);
        }
      else
        {
          g_string_append_printf (quote, "\\x%02x", (guchar) *p);
          p++;
        }
    }
  if (p < end)
    g_string_append (quote, "…");
  return g_string_free (quote, FALSE);
}

gboolean
_hearth_parser_fail_malformed (HearthStreamParser *self,
                               const char         *line,
                               gsize               len,
                               const char         *why,
                               GError            **error)
{
  g_autofree char *quote = _hearth_parser_quote (line, len);

  return _hearth_parser_fail (self,
                              g_error_new (HEARTH_ERROR, HEARTH_ERROR_MALFORMED_STREAM,
                                           _("The server sent a line that is not part of a "
                                             "chat reply (%s): “%s”"),
                                           why, quote),
                              error);
}

static gboolean
fail_too_long (HearthStreamParser  *self,
               GError             **error)
{
  return _hearth_parser_fail (self,
                              g_error_new (HEARTH_ERROR, HEARTH_ERROR_MALFORMED_STREAM,
                                           _("The server sent a line longer than %u MiB"),
                                           MAX_LINE_SIZE / (1024 * 1024)),
                              error);
}

/* The text of {"error":"…"} or {"error":{"message":"…"}}. */
gboolean
_hearth_parser_fail_server (HearthStreamParser *self,
                            JsonNode           *node,
                            GError            **error)
{
  g_autofree char *text = NULL;
  const char *message = NULL;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    message = json_node_get_string (node);
  else if (JSON_NODE_HOLDS_OBJECT (node))
    message = hearth_json_get_string (json_node_get_object (node), "message");
  if (message == NULL)
    message = text = json_to_string (node, FALSE);

  return _hearth_parser_fail (self, hearth_error_from_server_message (message, self->figures.model),
                              error);
}

gint64
_hearth_parser_member_int (JsonObject *object,
                           const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return -1;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (node);

      /* A count outside gint64 is nonsense; casting it would be undefined. */
      if (!(value >= 0 && value < 9.2e18))
        return -1;
      return (gint64) value;
    }
  return -1;
}

static double
member_double (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return -1;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return json_node_get_double (node);
  return -1;
}

/* Like member_string(), but FALSE when the member holds something other than text. */
gboolean
_hearth_parser_member_text (JsonObject  *object,
                            const char  *name,
                            const char **text)
{
  JsonNode *node = json_object_get_member (object, name);

  *text = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  *text = json_node_get_string (node);
  return TRUE;
}

/* An object member, or NULL when it is missing or null; FALSE when it is no object. */
gboolean
_hearth_parser_member_object (JsonObject  *object,
                              const char  *name,
                              JsonObject **member)
{
  JsonNode *node = json_object_get_member (object, name);

  *member = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  *member = json_node_get_object (node);
  return TRUE;
}

/* json-glib decodes a lone surrogate or a short \u escape into bytes that are
 * not UTF-8; they become U+FFFD in @copy, and @text points at it. */
static const char *
valid_utf8 (const char  *text,
            char       **copy)
{
  if (text == NULL || g_utf8_validate (text, -1, NULL))
    return text;
  *copy = g_utf8_make_valid (text, -1);
  return *copy;
}

void
_hearth_parser_set_string (char      **field,
                           const char *value)
{
  g_autofree char *copy = NULL;

  value = valid_utf8 (value, &copy);
  if (value != NULL && g_strcmp0 (*field, value) != 0)
    {
      g_free (*field);
      *field = g_strdup (value);
    }
}

void
_hearth_parser_emit_delta (HearthStreamParser *self,
                           const char         *content,
                           const char         *thinking)
{
  g_autofree char *content_copy = NULL;
  g_autofree char *thinking_copy = NULL;

  if (content != NULL && *content == '\0')
    content = NULL;
  if (thinking != NULL && *thinking == '\0')
    thinking = NULL;
  if ((content != NULL || thinking != NULL) && self->callbacks.delta != NULL)
    self->callbacks.delta (valid_utf8 (content, &content_copy),
                           valid_utf8 (thinking, &thinking_copy), self->user_data);
}

void
_hearth_parser_emit_done (HearthStreamParser *self)
{
  g_assert (!self->done);

  self->done = TRUE;
  if (self->callbacks.done != NULL)
    self->callbacks.done (&self->figures, self->user_data);
}

/* Parses @text into an object; an error object in it fails the stream. */
static gboolean
parse_object (HearthStreamParser  *self,
              const char          *text,
              gsize                len,
              JsonObject         **object,
              GError             **error)
{
  JsonNode *root;
  JsonNode *server_error;

  /* json-glib rejects text that is not UTF-8 itself. */
  if (!hearth_json_parser_load (self->json, text, len, NULL))
    return _hearth_parser_fail_malformed (self, text, len, "not JSON", error);

  root = json_parser_get_root (self->json);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return _hearth_parser_fail_malformed (self, text, len, "not a JSON object", error);

  *object = json_node_get_object (root);
  server_error = json_object_get_member (*object, "error");
  if (server_error != NULL && !JSON_NODE_HOLDS_NULL (server_error))
    return _hearth_parser_fail_server (self, server_error, error);
  return TRUE;
}

/* Fast path: lines hearth-json-scanner.c reads without json-glib */

static gboolean
ollama_line_fast (HearthStreamParser *self,
                  const char         *line,
                  gsize               len)
{
  HearthJsonScanner s;
  const char *content;
  const char *thinking;
  HearthJsonType done;

  if (!hearth_json_scanner_scan (&s, self->scratch, line, len, hearth_json_scanner_ollama_keys))
    return FALSE;

  /* The checks of ollama_line(); a line failing them is its to report. */
  done = s.values[HEARTH_JSON_SLOT_DONE].type;
  if (!hearth_json_scanner_is_object (&s, HEARTH_JSON_SLOT_MESSAGE) ||
      (done != HEARTH_JSON_ABSENT && done != HEARTH_JSON_BOOLEAN) ||
      (s.values[HEARTH_JSON_SLOT_MESSAGE].type != HEARTH_JSON_OBJECT &&
       done == HEARTH_JSON_ABSENT) ||
      !hearth_json_scanner_get_text (&s, HEARTH_JSON_SLOT_CONTENT, &content) ||
      !hearth_json_scanner_get_text (&s, HEARTH_JSON_SLOT_THINKING, &thinking))
    return FALSE;

  _hearth_parser_set_string (&self->figures.model,
                             hearth_json_scanner_get_string (&s, HEARTH_JSON_SLOT_MODEL));
  _hearth_parser_emit_delta (self, content, thinking);
  if (done == HEARTH_JSON_BOOLEAN && s.values[HEARTH_JSON_SLOT_DONE].boolean)
    {
      HearthServerFigures *figures = &self->figures;

      _hearth_parser_set_string (&figures->done_reason,
                                 hearth_json_scanner_get_string (&s, HEARTH_JSON_SLOT_DONE_REASON));
      figures->total_duration_ns =
        hearth_json_scanner_get_int (&s, HEARTH_JSON_SLOT_TOTAL_DURATION);
      figures->load_duration_ns =
        hearth_json_scanner_get_int (&s, HEARTH_JSON_SLOT_LOAD_DURATION);
      figures->prompt_tokens =
        hearth_json_scanner_get_int (&s, HEARTH_JSON_SLOT_PROMPT_EVAL_COUNT);
      figures->prompt_eval_duration_ns =
        hearth_json_scanner_get_int (&s, HEARTH_JSON_SLOT_PROMPT_EVAL_DURATION);
      figures->completion_tokens =
        hearth_json_scanner_get_int (&s, HEARTH_JSON_SLOT_EVAL_COUNT);
      figures->eval_duration_ns =
        hearth_json_scanner_get_int (&s, HEARTH_JSON_SLOT_EVAL_DURATION);
      _hearth_parser_emit_done (self);
    }
  return TRUE;
}

static gboolean
openai_payload_fast (HearthStreamParser *self,
                     const char         *text,
                     gsize               len)
{
  HearthJsonScanner s;
  HearthJsonType choices;
  HearthJsonType choice;
  const char *content = NULL;
  const char *thinking = NULL;
  const char *reasoning = NULL;
  HearthServerFigures *figures = &self->figures;

  if (!hearth_json_scanner_scan (&s, self->scratch, text, len, hearth_json_scanner_openai_keys))
    return FALSE;

  /* The checks of openai_payload() and openai_choice(). */
  choices = s.values[HEARTH_JSON_SLOT_CHOICES].type;
  choice = s.values[HEARTH_JSON_SLOT_CHOICE].type;
  if (!hearth_json_scanner_is_object (&s, HEARTH_JSON_SLOT_USAGE) ||
      !hearth_json_scanner_is_object (&s, HEARTH_JSON_SLOT_TIMINGS) ||
      (choices == HEARTH_JSON_ABSENT &&
       s.values[HEARTH_JSON_SLOT_USAGE].type != HEARTH_JSON_OBJECT &&
       s.values[HEARTH_JSON_SLOT_TIMINGS].type != HEARTH_JSON_OBJECT) ||
      (choices != HEARTH_JSON_ABSENT && choices != HEARTH_JSON_ARRAY) ||
      (choice != HEARTH_JSON_ABSENT && choice != HEARTH_JSON_OBJECT) ||
      !hearth_json_scanner_is_object (&s, HEARTH_JSON_SLOT_DELTA) ||
      !hearth_json_scanner_get_text (&s, HEARTH_JSON_SLOT_DELTA_CONTENT, &content) ||
      !hearth_json_scanner_get_text (&s, HEARTH_JSON_SLOT_REASONING_CONTENT, &thinking) ||
      !hearth_json_scanner_get_text (&s, HEARTH_JSON_SLOT_REASONING, &reasoning))
    return FALSE;

  _hearth_parser_set_string (&figures->model,
                             hearth_json_scanner_get_string (&s, HEARTH_JSON_SLOT_MODEL));
  if (s.values[HEARTH_JSON_SLOT_DELTA].type == HEARTH_JSON_OBJECT)
    _hearth_parser_emit_delta (self, content, thinking != NULL ? thinking : reasoning);
  if (hearth_json_scanner_get_string (&s, HEARTH_JSON_SLOT_FINISH_REASON) != NULL)
    {
      _hearth_parser_set_string (&figures->done_reason,
                                 hearth_json_scanner_get_string (&s, HEARTH_JSON_SLOT_FINISH_REASON));
      self->finish_seen = TRUE;
    }
  if (s.values[HEARTH_JSON_SLOT_USAGE].type == HEARTH_JSON_OBJECT)
    {
      gint64 prompt = hearth_json_scanner_get_int (&s, HEARTH_JSON_SLOT_PROMPT_TOKENS);
      gint64 completion = hearth_json_scanner_get_int (&s, HEARTH_JSON_SLOT_COMPLETION_TOKENS);

      if (prompt >= 0)
        figures->prompt_tokens = prompt;
      if (completion >= 0)
        figures->completion_tokens = completion;
    }
  if (s.values[HEARTH_JSON_SLOT_TIMINGS].type == HEARTH_JSON_OBJECT)
    {
      figures->prompt_ms =
        hearth_json_scanner_get_double (&s, HEARTH_JSON_SLOT_PROMPT_MS);
      figures->prompt_per_second =
        hearth_json_scanner_get_double (&s, HEARTH_JSON_SLOT_PROMPT_PER_SECOND);
      figures->predicted_ms =
        hearth_json_scanner_get_double (&s, HEARTH_JSON_SLOT_PREDICTED_MS);
      figures->predicted_per_second =
        hearth_json_scanner_get_double (&s, HEARTH_JSON_SLOT_PREDICTED_PER_SECOND);
      if (figures->prompt_tokens < 0)
        figures->prompt_tokens = hearth_json_scanner_get_int (&s, HEARTH_JSON_SLOT_PROMPT_N);
      if (figures->completion_tokens < 0)
        figures->completion_tokens =
          hearth_json_scanner_get_int (&s, HEARTH_JSON_SLOT_PREDICTED_N);
    }
  return TRUE;
}

/* Ollama NDJSON */

static void
ollama_read_figures (HearthStreamParser *self,
                     JsonObject         *object)
{
  HearthServerFigures *figures = &self->figures;

  _hearth_parser_set_string (&figures->done_reason, hearth_json_get_string (object, "done_reason"));
  figures->total_duration_ns = _hearth_parser_member_int (object, "total_duration");
  figures->load_duration_ns = _hearth_parser_member_int (object, "load_duration");
  figures->prompt_tokens = _hearth_parser_member_int (object, "prompt_eval_count");
  figures->prompt_eval_duration_ns = _hearth_parser_member_int (object, "prompt_eval_duration");
  figures->completion_tokens = _hearth_parser_member_int (object, "eval_count");
  figures->eval_duration_ns = _hearth_parser_member_int (object, "eval_duration");
}

static gboolean
ollama_line (HearthStreamParser  *self,
             const char          *line,
             gsize                len,
             GError             **error)
{
  JsonObject *object;
  JsonObject *message;
  JsonNode *done;
  const char *content = NULL;
  const char *thinking = NULL;

  if (self->fast_path && ollama_line_fast (self, line, len))
    return TRUE;
  if (!parse_object (self, line, len, &object, error))
    return FALSE;

  done = json_object_get_member (object, "done");
  if (!_hearth_parser_member_object (object, "message", &message) ||
      (done != NULL && (!JSON_NODE_HOLDS_VALUE (done) ||
                        json_node_get_value_type (done) != G_TYPE_BOOLEAN)) ||
      (message == NULL && done == NULL) ||
      (message != NULL && (!_hearth_parser_member_text (message, "content", &content) ||
                           !_hearth_parser_member_text (message, "thinking", &thinking))))
    return _hearth_parser_fail_malformed (self, line, len, "not a chat message", error);

  _hearth_parser_set_string (&self->figures.model, hearth_json_get_string (object, "model"));
  _hearth_parser_emit_delta (self, content, thinking);
  if (done != NULL && json_node_get_boolean (done))
    {
      ollama_read_figures (self, object);
      _hearth_parser_emit_done (self);
    }
  return TRUE;
}

/* OpenAI SSE */

static void
openai_read_usage (HearthStreamParser *self,
                   JsonObject         *usage)
{
  gint64 prompt = _hearth_parser_member_int (usage, "prompt_tokens");
  gint64 completion = _hearth_parser_member_int (usage, "completion_tokens");

  if (prompt >= 0)
    self->figures.prompt_tokens = prompt;
  if (completion >= 0)
    self->figures.completion_tokens = completion;
}

/* llama.cpp's own figures; its token counts only stand in for a missing usage. */
static void
openai_read_timings (HearthStreamParser *self,
                     JsonObject         *timings)
{
  HearthServerFigures *figures = &self->figures;

  figures->prompt_ms = member_double (timings, "prompt_ms");
  figures->prompt_per_second = member_double (timings, "prompt_per_second");
  figures->predicted_ms = member_double (timings, "predicted_ms");
  figures->predicted_per_second = member_double (timings, "predicted_per_second");
  if (figures->prompt_tokens < 0)
    figures->prompt_tokens = _hearth_parser_member_int (timings, "prompt_n");
  if (figures->completion_tokens < 0)
    figures->completion_tokens = _hearth_parser_member_int (timings, "predicted_n");
}

static gboolean
openai_choice (HearthStreamParser *self,
               JsonNode           *node)
{
  JsonObject *choice;
  JsonObject *delta;
  const char *content;
  const char *thinking;
  const char *reasoning;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  choice = json_node_get_object (node);
  if (!_hearth_parser_member_object (choice, "delta", &delta))
    return FALSE;
  if (delta != NULL)
    {
      if (!_hearth_parser_member_text (delta, "content", &content) ||
          !_hearth_parser_member_text (delta, "reasoning_content", &thinking) ||
          !_hearth_parser_member_text (delta, "reasoning", &reasoning))
        return FALSE;
      _hearth_parser_emit_delta (self, content, thinking != NULL ? thinking : reasoning);
    }
  if (hearth_json_get_string (choice, "finish_reason") != NULL)
    {
      _hearth_parser_set_string (&self->figures.done_reason,
                                 hearth_json_get_string (choice, "finish_reason"));
      self->finish_seen = TRUE;
    }
  return TRUE;
}

static gboolean
openai_payload (HearthStreamParser  *self,
                const char          *text,
                gsize                len,
                GError             **error)
{
  JsonObject *object;
  JsonNode *choices;
  JsonObject *usage;
  JsonObject *timings;

  if (self->fast_path && openai_payload_fast (self, text, len))
    return TRUE;
  if (!parse_object (self, text, len, &object, error))
    return FALSE;

  choices = json_object_get_member (object, "choices");
  if (!_hearth_parser_member_object (object, "usage", &usage) ||
      !_hearth_parser_member_object (object, "timings", &timings) ||
      (choices == NULL && usage == NULL && timings == NULL) ||
      (choices != NULL && !JSON_NODE_HOLDS_ARRAY (choices)))
    return _hearth_parser_fail_malformed (self, text, len, "not a chat completion chunk", error);

  _hearth_parser_set_string (&self->figures.model, hearth_json_get_string (object, "model"));
  if (choices != NULL && json_array_get_length (json_node_get_array (choices)) > 0 &&
      !openai_choice (self, json_array_get_element (json_node_get_array (choices), 0)))
    return _hearth_parser_fail_malformed (self, text, len, "not a chat completion chunk", error);
  if (usage != NULL)
    openai_read_usage (self, usage);
  if (timings != NULL)
    openai_read_timings (self, timings);
  return TRUE;
}

/* The data of an `event: error`: JSON with an error or a message, or plain text. */
static gboolean
openai_error_event (HearthStreamParser  *self,
                    const char          *text,
                    gsize                len,
                    GError             **error)
{
  g_autofree char *quote = NULL;
  JsonObject *object;
  const char *message;

  /* Blank text parses, to no root at all. */
  if (hearth_json_parser_load (self->json, text, len, NULL) &&
      json_parser_get_root (self->json) != NULL &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (self->json)))
    {
      object = json_node_get_object (json_parser_get_root (self->json));
      if (json_object_has_member (object, "error"))
        return _hearth_parser_fail_server (self, json_object_get_member (object, "error"), error);
      message = hearth_json_get_string (object, "message");
      if (message != NULL)
        return _hearth_parser_fail (self,
                                    hearth_error_from_server_message (message, self->figures.model),
                                    error);
    }

  quote = _hearth_parser_quote (text, len);
  return _hearth_parser_fail (self, hearth_error_from_server_message (quote, self->figures.model),
                              error);
}

static gboolean
sse_dispatch (HearthStreamParser  *self,
              GError             **error)
{
  gboolean ok = TRUE;

  if (self->event_lines > 0 && self->format == HEARTH_STREAM_FORMAT_ANTHROPIC_SSE)
    ok = _hearth_parser_anthropic_event (self, self->event_name, self->event_data->str,
                                         self->event_data->len, error);
  else if (self->event_lines > 0 && self->event_is_error)
    ok = openai_error_event (self, self->event_data->str, self->event_data->len, error);
  else if (self->event_lines > 0)
    ok = openai_payload (self, self->event_data->str, self->event_data->len, error);

  g_string_truncate (self->event_data, 0);
  self->event_lines = 0;
  self->event_is_error = FALSE;
  g_clear_pointer (&self->event_name, g_free);
  return ok;
}

static gboolean
sse_data (HearthStreamParser  *self,
          const char          *value,
          gsize                len,
          GError             **error)
{
  if (self->format == HEARTH_STREAM_FORMAT_OPENAI_SSE && strcmp (value, "[DONE]") == 0)
    {
      if (!sse_dispatch (self, error))
        return FALSE;
      _hearth_parser_emit_done (self);
      return TRUE;
    }

  if (self->event_data->len + len + 1 > MAX_LINE_SIZE)
    return fail_too_long (self, error);
  if (self->event_lines++ > 0)
    g_string_append_c (self->event_data, '\n');
  g_string_append_len (self->event_data, value, len);
  return TRUE;
}

static gboolean
field_is (const char *line,
          gsize       len,
          const char *name)
{
  return len == strlen (name) && memcmp (line, name, len) == 0;
}

static gboolean
sse_line (HearthStreamParser  *self,
          const char          *line,
          gsize                len,
          GError             **error)
{
  const char *colon;
  const char *value;
  gsize name_len;

  if (len == 0)
    return sse_dispatch (self, error);
  if (line[0] == ':')
    return TRUE;
  /* SSE ignores unknown fields, but bare JSON means the API kind is wrong. */
  if (line[0] == '{' || line[0] == '[')
    return _hearth_parser_fail_malformed (self, line, len, "not server-sent events", error);

  colon = memchr (line, ':', len);
  name_len = colon != NULL ? (gsize) (colon - line) : len;
  value = colon != NULL ? colon + 1 : line + len;
  if (*value == ' ')
    value++;

  if (field_is (line, name_len, "data"))
    return sse_data (self, value, line + len - value, error);
  if (field_is (line, name_len, "event"))
    {
      self->event_is_error = strcmp (value, "error") == 0;
      g_free (self->event_name);
      self->event_name = g_strdup (value);
    }
  /* llama.cpp sends a failure as its own field: `error: {"code","message","type"}`. */
  if (field_is (line, name_len, "error"))
    return openai_error_event (self, value, line + len - value, error);
  /* id:, retry: and unknown fields mean nothing to a chat reply. */
  return TRUE;
}

/* Lines */

static gboolean
is_blank (const char *line,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      if (line[i] != ' ' && line[i] != '\t')
        return FALSE;
    }
  return TRUE;
}

/* @line is NUL-terminated at @len and lacks its "\n". */
static gboolean
process_line (HearthStreamParser  *self,
              char                *line,
              gsize                len,
              GError             **error)
{
  if (len > 0 && line[len - 1] == '\r')
    line[--len] = '\0';
  if (!self->seen_line && len >= 3 && memcmp (line, "\xef\xbb\xbf", 3) == 0)
    {
      line += 3;
      len -= 3;
    }
  self->seen_line = TRUE;

  if (self->done)
    return TRUE;
  if (self->format != HEARTH_STREAM_FORMAT_OLLAMA_NDJSON)
    return sse_line (self, line, len, error);
  if (is_blank (line, len))
    return TRUE;
  return ollama_line (self, line, len, error);
}

/* Consumes every complete line; searching resumes where the last feed stopped. */
static gboolean
process_buffer (HearthStreamParser  *self,
                GError             **error)
{
  char *data = (char *) self->buffer->data;
  gsize len = self->buffer->len;
  gsize start = 0;
  char *newline;

  while ((newline = memchr (data + self->scanned, '\n', len - self->scanned)) != NULL)
    {
      gsize end = newline - data;

      if (!self->done && end - start > MAX_LINE_SIZE)
        return fail_too_long (self, error);
      *newline = '\0';
      if (!process_line (self, data + start, end - start, error))
        return FALSE;
      start = self->scanned = end + 1;
    }

  if (self->done)
    g_byte_array_set_size (self->buffer, 0);
  else if (start > 0)
    g_byte_array_remove_range (self->buffer, 0, start);
  self->scanned = self->buffer->len;
  if (self->buffer->len > MAX_LINE_SIZE)
    return fail_too_long (self, error);
  return TRUE;
}

HearthStreamParser *
hearth_stream_parser_new (HearthStreamFormat           format,
                          const HearthStreamCallbacks *callbacks,
                          gpointer                     user_data)
{
  HearthStreamParser *self;

  g_return_val_if_fail (callbacks != NULL, NULL);

  self = g_new0 (HearthStreamParser, 1);
  self->format = format;
  self->callbacks = *callbacks;
  self->user_data = user_data;
  self->buffer = g_byte_array_new ();
  self->json = json_parser_new ();
  self->event_data = g_string_new (NULL);
  self->fast_path = g_getenv ("HEARTH_PARSER_NO_FAST_PATH") == NULL;
  self->scratch = g_string_new (NULL);
  hearth_server_figures_init (&self->figures);
  return self;
}

void
hearth_stream_parser_free (HearthStreamParser *self)
{
  if (self == NULL)
    return;

  g_byte_array_unref (self->buffer);
  g_object_unref (self->json);
  g_string_free (self->event_data, TRUE);
  g_free (self->event_name);
  g_string_free (self->scratch, TRUE);
  hearth_server_figures_clear (&self->figures);
  g_clear_error (&self->error);
  g_free (self);
}

gboolean
hearth_stream_parser_feed (HearthStreamParser  *self,
                           const char          *data,
                           gsize                len,
                           GError             **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return FALSE;
    }
  /* Nothing after the end of the reply matters, so it need not be kept. */
  if (self->done || len == 0)
    return TRUE;

  g_byte_array_append (self->buffer, (const guint8 *) data, len);
  return process_buffer (self, error);
}

/* The last line may lack its newline (stream:false, or a server that just closes). */
static gboolean
process_last_line (HearthStreamParser  *self,
                   GError             **error)
{
  gsize len = self->buffer->len;

  if (len > 0)
    {
      g_byte_array_append (self->buffer, (const guint8 *) "", 1);
      if (!process_line (self, (char *) self->buffer->data, len, error))
        return FALSE;
      g_byte_array_set_size (self->buffer, 0);
      self->scanned = 0;
    }
  if (self->format != HEARTH_STREAM_FORMAT_OLLAMA_NDJSON && !self->done)
    return sse_dispatch (self, error);
  return TRUE;
}

gboolean
hearth_stream_parser_finish (HearthStreamParser  *self,
                             GError             **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return FALSE;
    }
  if (!process_last_line (self, error))
    return FALSE;

  /* Without [DONE] (or message_stop), a finish_reason (or stop_reason) still
   * says the answer was complete. */
  if (!self->done && self->finish_seen)
    _hearth_parser_emit_done (self);
  if (!self->done)
    return _hearth_parser_fail (self,
                                g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_BROKEN_STREAM,
                                                     _("The server ended the stream early")),
                                error);
  return TRUE;
}

gboolean
hearth_stream_parser_is_done (HearthStreamParser *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->done;
}
