/* hearth-stream-parser-anthropic.c — the events of Anthropic's Messages API
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A streamed reply is a sequence of SSE events, each named by `event:` and
 * by its data's "type":
 *
 *   message_start        {"message":{"model","usage":{"input_tokens",…}}}
 *   content_block_start  {"index","content_block":{"type":"text","text":""}}
 *   content_block_delta  {"index","delta":{"type":"text_delta","text"}}
 *                        (thinking_delta → thinking; input_json_delta and
 *                        signature_delta carry nothing to show)
 *   content_block_stop
 *   message_delta        {"delta":{"stop_reason"},"usage":{"output_tokens"}}
 *                        (the counts are cumulative)
 *   message_stop         the end
 *   ping                 anywhere, nothing
 *   error                {"type":"error","error":{"type","message"}}, even
 *                        after HTTP 200 and some text
 *
 * The API gives token counts but no durations: the reply's times are
 * measured here, as the client sees them (hearth-reply.c).
 */
#define G_LOG_DOMAIN "hearth-stream-parser"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "hearth-error.h"
#include "hearth-json.h"
#include "hearth-stream-parser-private.h"

/* Anthropic's stop reasons in the words the other APIs use, so that "length"
 * means a cut-off answer whichever server wrote it; the others (tool_use,
 * refusal, pause_turn) are kept as they are. */
static const char *
done_reason (const char *stop_reason)
{
  if (g_strcmp0 (stop_reason, "end_turn") == 0 || g_strcmp0 (stop_reason, "stop_sequence") == 0)
    return "stop";
  if (g_strcmp0 (stop_reason, "max_tokens") == 0)
    return "length";
  return stop_reason;
}

/* {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}} */
static gboolean
error_event (HearthStreamParser  *self,
             JsonObject          *object,
             const char          *data,
             gsize                len,
             GError             **error)
{
  g_autofree char *quote = NULL;
  g_autofree char *valid = NULL;
  JsonObject *detail = NULL;
  const char *type = NULL;
  const char *message = NULL;

  if (object != NULL && _hearth_parser_member_object (object, "error", &detail) && detail != NULL)
    {
      type = hearth_json_get_string (detail, "type");
      message = hearth_json_get_string (detail, "message");
    }
  else if (object != NULL && json_object_has_member (object, "error"))
    {
      return _hearth_parser_fail_server (self, json_object_get_member (object, "error"), error);
    }
  if (message == NULL)
    message = quote = _hearth_parser_quote (data, len);
  /* What json-glib decoded from a bad \u escape is not always UTF-8. */
  else if (!g_utf8_validate (message, -1, NULL))
    message = valid = g_utf8_make_valid (message, -1);

  if (g_strcmp0 (type, "overloaded_error") == 0)
    return _hearth_parser_fail (self,
                                g_error_new (HEARTH_ERROR, HEARTH_ERROR_SERVER_BUSY,
                                             _("The server is overloaded: %s"), message),
                                error);
  return _hearth_parser_fail (self, hearth_error_from_server_message (message,
                                                                      self->figures.model),
                              error);
}

/* input_tokens, plus what the prompt cache read or wrote: all of it is the prompt. */
static gint64
prompt_tokens (JsonObject *usage)
{
  gint64 input = _hearth_parser_member_int (usage, "input_tokens");
  gint64 cache_read = _hearth_parser_member_int (usage, "cache_read_input_tokens");
  gint64 cache_write = _hearth_parser_member_int (usage, "cache_creation_input_tokens");

  if (input < 0)
    return -1;
  return input + MAX (cache_read, 0) + MAX (cache_write, 0);
}

static void
read_usage (HearthStreamParser *self,
            JsonObject         *usage,
            gboolean            with_output)
{
  gint64 prompt = prompt_tokens (usage);
  gint64 output = _hearth_parser_member_int (usage, "output_tokens");

  if (prompt >= 0)
    self->figures.prompt_tokens = prompt;
  /* message_start's output count is a placeholder (1); message_delta's is the total. */
  if (with_output && output >= 0)
    self->figures.completion_tokens = output;
}

static gboolean
message_start (HearthStreamParser *self,
               JsonObject         *object)
{
  JsonObject *message;
  JsonObject *usage;

  if (!_hearth_parser_member_object (object, "message", &message) || message == NULL ||
      !_hearth_parser_member_object (message, "usage", &usage))
    return FALSE;
  _hearth_parser_set_string (&self->figures.model, hearth_json_get_string (message, "model"));
  if (usage != NULL)
    read_usage (self, usage, FALSE);
  return TRUE;
}

/* A block may open with some text already in it (usually ""). */
static gboolean
content_block_start (HearthStreamParser *self,
                     JsonObject         *object)
{
  JsonObject *block;
  const char *text;
  const char *thinking;

  if (!_hearth_parser_member_object (object, "content_block", &block) || block == NULL)
    return FALSE;
  if (g_strcmp0 (hearth_json_get_string (block, "type"), "text") == 0)
    {
      if (!_hearth_parser_member_text (block, "text", &text))
        return FALSE;
      _hearth_parser_emit_delta (self, text, NULL);
    }
  else if (g_strcmp0 (hearth_json_get_string (block, "type"), "thinking") == 0)
    {
      if (!_hearth_parser_member_text (block, "thinking", &thinking))
        return FALSE;
      _hearth_parser_emit_delta (self, NULL, thinking);
    }
  return TRUE;
}

static gboolean
content_block_delta (HearthStreamParser *self,
                     JsonObject         *object)
{
  JsonObject *delta;
  const char *type;
  const char *text;

  if (!_hearth_parser_member_object (object, "delta", &delta) || delta == NULL)
    return FALSE;
  type = hearth_json_get_string (delta, "type");
  if (g_strcmp0 (type, "text_delta") == 0)
    {
      if (!_hearth_parser_member_text (delta, "text", &text))
        return FALSE;
      _hearth_parser_emit_delta (self, text, NULL);
    }
  else if (g_strcmp0 (type, "thinking_delta") == 0)
    {
      if (!_hearth_parser_member_text (delta, "thinking", &text))
        return FALSE;
      _hearth_parser_emit_delta (self, NULL, text);
    }
  /* input_json_delta (a tool call's arguments), signature_delta (a thinking
   * block's signature) and citations: nothing a chat shows. */
  return TRUE;
}

static gboolean
message_delta (HearthStreamParser *self,
               JsonObject         *object)
{
  JsonObject *delta;
  JsonObject *usage;
  const char *stop_reason;

  if (!_hearth_parser_member_object (object, "delta", &delta) ||
      !_hearth_parser_member_object (object, "usage", &usage) ||
      (delta != NULL && !_hearth_parser_member_text (delta, "stop_reason", &stop_reason)))
    return FALSE;
  if (delta != NULL && stop_reason != NULL)
    {
      _hearth_parser_set_string (&self->figures.done_reason, done_reason (stop_reason));
      self->finish_seen = TRUE;
    }
  if (usage != NULL)
    read_usage (self, usage, TRUE);
  return TRUE;
}

gboolean
_hearth_parser_anthropic_event (HearthStreamParser  *self,
                                const char          *event,
                                const char          *data,
                                gsize                len,
                                GError             **error)
{
  JsonNode *root = NULL;
  JsonObject *object = NULL;
  const char *type;
  gboolean ok;

  /* Blank text parses, to no root at all. */
  if (hearth_json_parser_load (self->json, data, len, NULL))
    root = json_parser_get_root (self->json);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    object = json_node_get_object (root);

  if (g_strcmp0 (event, "error") == 0 ||
      (object != NULL && g_strcmp0 (hearth_json_get_string (object, "type"), "error") == 0))
    return error_event (self, object, data, len, error);
  if (object == NULL)
    return _hearth_parser_fail_malformed (self, data, len,
                                          root == NULL ? "not JSON" : "not a JSON object", error);

  /* The data's type names the event; the `event:` line says the same. */
  type = hearth_json_get_string (object, "type");
  if (type == NULL)
    type = event;

  if (g_strcmp0 (type, "message_start") == 0)
    ok = message_start (self, object);
  else if (g_strcmp0 (type, "content_block_start") == 0)
    ok = content_block_start (self, object);
  else if (g_strcmp0 (type, "content_block_delta") == 0)
    ok = content_block_delta (self, object);
  else if (g_strcmp0 (type, "message_delta") == 0)
    ok = message_delta (self, object);
  else if (g_strcmp0 (type, "message_stop") == 0)
    {
      _hearth_parser_emit_done (self);
      ok = TRUE;
    }
  else if (type == NULL)
    ok = FALSE;
  else
    /* ping, content_block_stop, and event types added after this was
     * written: the API's documentation asks clients to let those pass. */
    ok = TRUE;

  if (!ok)
    return _hearth_parser_fail_malformed (self, data, len, "not an Anthropic message event",
                                          error);
  return TRUE;
}
