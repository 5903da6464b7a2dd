/* hearth-stream-parser.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-stream-parser"

#include <math.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "hearth-error.h"
#include "hearth-stream-parser.h"

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

  HearthServerFigures    figures;
  gboolean               finish_seen;     /* OpenAI: a finish_reason arrived */
  gboolean               done;
  GError                *error;           /* sticky: once set, nothing more is parsed */
};

static gboolean
fail (HearthStreamParser  *self,
      GError              *error,
      GError             **out_error)
{
  g_assert (self->error == NULL);

  self->error = error;
  g_propagate_error (out_error, g_error_copy (error));
  return FALSE;
}

/* Up to QUOTE_CHARS printable characters of @line; anything else as \xNN. */
static char *
quote_line (const char *line,
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

static gboolean
fail_malformed (HearthStreamParser  *self,
                const char          *line,
                gsize                len,
                const char          *why,
                GError             **error)
{
  g_autofree char *quote = quote_line (line, len);

  return fail (self,
               g_error_new (HEARTH_ERROR, HEARTH_ERROR_MALFORMED_STREAM,
                            "The server sent a line that is not part of a chat reply (%s): “%s”",
                            why, quote),
               error);
}

static gboolean
fail_too_long (HearthStreamParser  *self,
               GError             **error)
{
  return fail (self,
               g_error_new (HEARTH_ERROR, HEARTH_ERROR_MALFORMED_STREAM,
                            "The server sent a line longer than %u MiB",
                            MAX_LINE_SIZE / (1024 * 1024)),
               error);
}

/* The text of {"error":"…"} or {"error":{"message":"…"}}. */
static gboolean
fail_server (HearthStreamParser  *self,
             JsonNode            *node,
             GError             **error)
{
  g_autofree char *text = NULL;
  const char *message = NULL;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    message = json_node_get_string (node);
  else if (JSON_NODE_HOLDS_OBJECT (node))
    message = json_object_get_string_member_with_default (json_node_get_object (node),
                                                          "message", NULL);
  if (message == NULL)
    message = text = json_to_string (node, FALSE);

  return fail (self, hearth_error_from_server_message (message, self->figures.model), error);
}

static gint64
member_int (JsonObject *object,
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

/* A string member, or NULL when it is missing, null or not a string. */
static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* Like member_string(), but FALSE when the member holds something other than text. */
static gboolean
member_text (JsonObject  *object,
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
static gboolean
member_object (JsonObject  *object,
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

static void
set_string (char       **field,
            const char  *value)
{
  if (value != NULL && g_strcmp0 (*field, value) != 0)
    {
      g_free (*field);
      *field = g_strdup (value);
    }
}

static void
emit_delta (HearthStreamParser *self,
            const char         *content,
            const char         *thinking)
{
  if (content != NULL && *content == '\0')
    content = NULL;
  if (thinking != NULL && *thinking == '\0')
    thinking = NULL;
  if ((content != NULL || thinking != NULL) && self->callbacks.delta != NULL)
    self->callbacks.delta (content, thinking, self->user_data);
}

static void
emit_done (HearthStreamParser *self)
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
  if (!json_parser_load_from_data (self->json, text, len, NULL))
    return fail_malformed (self, text, len, "not JSON", error);

  root = json_parser_get_root (self->json);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return fail_malformed (self, text, len, "not a JSON object", error);

  *object = json_node_get_object (root);
  server_error = json_object_get_member (*object, "error");
  if (server_error != NULL && !JSON_NODE_HOLDS_NULL (server_error))
    return fail_server (self, server_error, error);
  return TRUE;
}

/* Fast path
 *
 * json-glib builds a node tree and runs a GScanner for every line, which costs more
 * than everything else per token. Most lines are plain, well-formed chunks, so a
 * strict scanner reads those directly: it keeps only the members the parser needs
 * and skips the rest without allocating. Whenever it is unsure (anything json-glib
 * might read differently, or a line that would fail), it gives up before any side
 * effect, and the json-glib path above handles the line, errors included. */

/* Deeper nesting is legal but never seen in a chat reply. */
#define FAST_MAX_DEPTH  64
/* More digits than this may not fit a gint64. */
#define FAST_MAX_DIGITS 18
/* Longer numbers go to json-glib rather than a bigger buffer. */
#define FAST_MAX_NUMBER 64

typedef enum
{
  SLOT_NONE,
  SLOT_ERROR,
  SLOT_MODEL,
  /* Ollama */
  SLOT_MESSAGE,
  SLOT_CONTENT,
  SLOT_THINKING,
  SLOT_DONE,
  SLOT_DONE_REASON,
  SLOT_TOTAL_DURATION,
  SLOT_LOAD_DURATION,
  SLOT_PROMPT_EVAL_COUNT,
  SLOT_PROMPT_EVAL_DURATION,
  SLOT_EVAL_COUNT,
  SLOT_EVAL_DURATION,
  /* OpenAI */
  SLOT_CHOICES,
  SLOT_CHOICE,
  SLOT_DELTA,
  SLOT_DELTA_CONTENT,
  SLOT_REASONING_CONTENT,
  SLOT_REASONING,
  SLOT_FINISH_REASON,
  SLOT_USAGE,
  SLOT_PROMPT_TOKENS,
  SLOT_COMPLETION_TOKENS,
  SLOT_TIMINGS,
  SLOT_PROMPT_MS,
  SLOT_PROMPT_PER_SECOND,
  SLOT_PREDICTED_MS,
  SLOT_PREDICTED_PER_SECOND,
  SLOT_PROMPT_N,
  SLOT_PREDICTED_N,
  N_SLOTS
} FastSlot;

typedef enum
{
  FAST_ABSENT,
  FAST_NULL,
  FAST_BOOLEAN,
  FAST_INT,
  FAST_DOUBLE,
  FAST_STRING,
  FAST_OBJECT,
  FAST_ARRAY,
} FastType;

typedef struct
{
  FastType  type;
  gboolean  boolean;
  gint64    integer;
  double    number;
  gsize     offset;       /* FAST_STRING: where its decoded text starts in the scratch */
} FastValue;

typedef struct _FastKey FastKey;

/* Where a member's value goes, and which members of it are read in turn. */
struct _FastKey
{
  const char    *name;
  gsize          len;
  FastSlot       slot;
  const FastKey *members;   /* if the value is an object; ends with a NULL name */
  const FastKey *element;   /* if the value is an array: how its first element is read */
};

#define KEY(name, slot)             { name, sizeof name - 1, slot, NULL, NULL }
#define OBJECT_KEY(name, slot, ks)  { name, sizeof name - 1, slot, ks, NULL }
#define ARRAY_KEY(name, slot, el)   { name, sizeof name - 1, slot, NULL, el }
#define END_KEYS                    { NULL, 0, SLOT_NONE, NULL, NULL }

static const FastKey ollama_message_keys[] = {
  KEY ("content", SLOT_CONTENT),
  KEY ("thinking", SLOT_THINKING),
  END_KEYS,
};

static const FastKey ollama_keys[] = {
  KEY ("error", SLOT_ERROR),
  KEY ("model", SLOT_MODEL),
  OBJECT_KEY ("message", SLOT_MESSAGE, ollama_message_keys),
  KEY ("done", SLOT_DONE),
  KEY ("done_reason", SLOT_DONE_REASON),
  KEY ("total_duration", SLOT_TOTAL_DURATION),
  KEY ("load_duration", SLOT_LOAD_DURATION),
  KEY ("prompt_eval_count", SLOT_PROMPT_EVAL_COUNT),
  KEY ("prompt_eval_duration", SLOT_PROMPT_EVAL_DURATION),
  KEY ("eval_count", SLOT_EVAL_COUNT),
  KEY ("eval_duration", SLOT_EVAL_DURATION),
  END_KEYS,
};

static const FastKey openai_delta_keys[] = {
  KEY ("content", SLOT_DELTA_CONTENT),
  KEY ("reasoning_content", SLOT_REASONING_CONTENT),
  KEY ("reasoning", SLOT_REASONING),
  END_KEYS,
};

static const FastKey openai_choice_keys[] = {
  OBJECT_KEY ("delta", SLOT_DELTA, openai_delta_keys),
  KEY ("finish_reason", SLOT_FINISH_REASON),
  END_KEYS,
};

static const FastKey openai_choice_key = { NULL, 0, SLOT_CHOICE, openai_choice_keys, NULL };

static const FastKey openai_usage_keys[] = {
  KEY ("prompt_tokens", SLOT_PROMPT_TOKENS),
  KEY ("completion_tokens", SLOT_COMPLETION_TOKENS),
  END_KEYS,
};

static const FastKey openai_timings_keys[] = {
  KEY ("prompt_ms", SLOT_PROMPT_MS),
  KEY ("prompt_per_second", SLOT_PROMPT_PER_SECOND),
  KEY ("predicted_ms", SLOT_PREDICTED_MS),
  KEY ("predicted_per_second", SLOT_PREDICTED_PER_SECOND),
  KEY ("prompt_n", SLOT_PROMPT_N),
  KEY ("predicted_n", SLOT_PREDICTED_N),
  END_KEYS,
};

static const FastKey openai_keys[] = {
  KEY ("error", SLOT_ERROR),
  KEY ("model", SLOT_MODEL),
  ARRAY_KEY ("choices", SLOT_CHOICES, &openai_choice_key),
  OBJECT_KEY ("usage", SLOT_USAGE, openai_usage_keys),
  OBJECT_KEY ("timings", SLOT_TIMINGS, openai_timings_keys),
  END_KEYS,
};

typedef struct
{
  const char *p;
  const char *end;
  guint       depth;
  GString    *scratch;    /* decoded strings, each NUL-terminated */
  FastValue   values[N_SLOTS];
} FastScanner;

static gboolean fast_value (FastScanner   *s,
                            const FastKey *key);

static inline int
fast_peek (const FastScanner *s)
{
  return s->p < s->end ? (guchar) *s->p : -1;
}

/* Exactly JSON's whitespace; anything else is left to json-glib. */
static inline void
fast_skip_space (FastScanner *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

static gboolean
fast_expect (FastScanner *s,
             char         c)
{
  fast_skip_space (s);
  if (fast_peek (s) != c)
    return FALSE;
  s->p++;
  fast_skip_space (s);
  return TRUE;
}

/* Bytes from 0x80 up come in runs that hold whole characters, as ASCII never
 * occurs inside a UTF-8 sequence; a run is validated as a whole. */
static const char *
fast_skip_utf8 (const char *p,
                const char *end)
{
  const char *run = p;

  while (p < end && (guchar) *p >= 0x80)
    p++;
  return g_utf8_validate_len (run, p - run, NULL) ? p : NULL;
}

static int
fast_hex4 (const char *p,
           const char *end)
{
  int value = 0;

  if (end - p < 4)
    return -1;
  for (int i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

/* A \uXXXX escape at @p (after the backslash), or a surrogate pair; NULL for a lone
 * surrogate or U+0000, which would not survive as a C string anyway. */
static const char *
fast_unicode_escape (const char *p,
                     const char *end,
                     gunichar   *c)
{
  int high = fast_hex4 (p + 1, end);
  int low;

  if (high <= 0 || (high >= 0xdc00 && high <= 0xdfff))
    return NULL;
  if (high < 0xd800 || high > 0xdbff)
    {
      *c = high;
      return p + 5;
    }
  if (end - p < 7 || p[5] != '\\' || p[6] != 'u')
    return NULL;
  low = fast_hex4 (p + 7, end);
  if (low < 0xdc00 || low > 0xdfff)
    return NULL;
  *c = 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00);
  return p + 11;
}

/* One escape at @p (after the backslash), appended to @out unless it is NULL. */
static const char *
fast_escape (const char *p,
             const char *end,
             GString    *out)
{
  gunichar c;

  if (p >= end)
    return NULL;
  switch (*p)
    {
    case '"':  c = '"';  break;
    case '\\': c = '\\'; break;
    case '/':  c = '/';  break;
    case 'b':  c = '\b'; break;
    case 'f':  c = '\f'; break;
    case 'n':  c = '\n'; break;
    case 'r':  c = '\r'; break;
    case 't':  c = '\t'; break;
    case 'u':
      p = fast_unicode_escape (p, end, &c);
      if (p != NULL && out != NULL)
        g_string_append_unichar (out, c);
      return p;
    default:
      return NULL;
    }
  if (out != NULL)
    g_string_append_c (out, c);
  return p + 1;
}

/* A string at s->p, decoded into the scratch when @value is not NULL. */
static gboolean
fast_string (FastScanner *s,
             FastValue   *value)
{
  GString *out = value != NULL ? s->scratch : NULL;
  const char *p = s->p + 1;
  const char *run = p;

  if (value != NULL)
    {
      value->type = FAST_STRING;
      value->offset = out->len;
    }
  while (p < s->end)
    {
      guchar c = *p;

      if (c == '"' || c == '\\')
        {
          if (out != NULL)
            g_string_append_len (out, run, p - run);
          if (c == '"')
            {
              if (out != NULL)
                g_string_append_c (out, '\0');
              s->p = p + 1;
              return TRUE;
            }
          run = p = fast_escape (p + 1, s->end, out);
        }
      else if (c >= 0x80)
        p = fast_skip_utf8 (p, s->end);
      else if (c < 0x20)
        return FALSE;
      else
        p++;
      if (p == NULL)
        return FALSE;
    }
  return FALSE;
}

/* A member name without escapes (json-glib would decode them); its bytes stay in place. */
static gboolean
fast_name (FastScanner  *s,
           const char  **name,
           gsize        *len)
{
  const char *p = s->p + 1;

  while (p < s->end && *p != '"')
    {
      guchar c = *p;

      if (c == '\\' || c < 0x20)
        return FALSE;
      p = c >= 0x80 ? fast_skip_utf8 (p, s->end) : p + 1;
      if (p == NULL)
        return FALSE;
    }
  if (p >= s->end || p == s->p + 1)
    return FALSE;
  *name = s->p + 1;
  *len = p - *name;
  s->p = p + 1;
  return TRUE;
}

static const char *
fast_digits (const char *p,
             const char *end)
{
  while (p < end && g_ascii_isdigit (*p))
    p++;
  return p;
}

/* A number exactly as JSON spells it; integers that may not fit, and doubles that
 * overflow, are json-glib's to judge, even in members that are skipped. */
static gboolean
fast_number (FastScanner *s,
             FastValue   *value)
{
  const char *start = s->p;
  const char *p = start;
  const char *digits;
  gboolean is_int = TRUE;
  char buffer[FAST_MAX_NUMBER];
  char *parsed_end;

  if (*p == '-')
    p++;
  digits = p;
  if (p < s->end && *p == '0')
    p++;
  else if (p < s->end && *p >= '1' && *p <= '9')
    p = fast_digits (p, s->end);
  else
    return FALSE;
  if (p < s->end && *p == '.')
    {
      is_int = FALSE;
      if (p + 1 >= s->end || !g_ascii_isdigit (p[1]))
        return FALSE;
      p = fast_digits (p + 1, s->end);
    }
  if (p < s->end && (*p == 'e' || *p == 'E'))
    {
      is_int = FALSE;
      p++;
      if (p < s->end && (*p == '+' || *p == '-'))
        p++;
      if (p >= s->end || !g_ascii_isdigit (*p))
        return FALSE;
      p = fast_digits (p, s->end);
    }
  s->p = p;
  if (is_int)
    {
      gint64 n = 0;

      if (p - digits > FAST_MAX_DIGITS)
        return FALSE;
      for (const char *d = digits; d < p; d++)
        n = n * 10 + (*d - '0');
      value->type = FAST_INT;
      value->integer = *start == '-' ? -n : n;
      return TRUE;
    }

  if (p - start >= FAST_MAX_NUMBER)
    return FALSE;
  memcpy (buffer, start, p - start);
  buffer[p - start] = '\0';
  value->type = FAST_DOUBLE;
  value->number = g_ascii_strtod (buffer, &parsed_end);
  return parsed_end == buffer + (p - start) && isfinite (value->number);
}

static gboolean
fast_literal (FastScanner *s,
              const char  *word,
              gsize        len)
{
  if ((gsize) (s->end - s->p) < len || memcmp (s->p, word, len) != 0)
    return FALSE;
  s->p += len;
  return TRUE;
}

static const FastKey *
fast_lookup (const FastKey *keys,
             const char    *name,
             gsize          len)
{
  for (; keys != NULL && keys->name != NULL; keys++)
    {
      if (keys->len == len && memcmp (keys->name, name, len) == 0)
        return keys;
    }
  return NULL;
}

/* An object at s->p; members named in @keys are kept, the rest skipped. */
static gboolean
fast_object (FastScanner   *s,
             const FastKey *keys)
{
  if (++s->depth > FAST_MAX_DEPTH || !fast_expect (s, '{'))
    return FALSE;
  if (fast_peek (s) == '}')
    {
      s->p++;
      s->depth--;
      return TRUE;
    }
  for (;;)
    {
      const FastKey *key;
      const char *name;
      gsize len;

      if (fast_peek (s) != '"' || !fast_name (s, &name, &len) || !fast_expect (s, ':'))
        return FALSE;
      key = fast_lookup (keys, name, len);
      /* Which of two equal names json-glib keeps is its business. */
      if (key != NULL && s->values[key->slot].type != FAST_ABSENT)
        return FALSE;
      if (!fast_value (s, key))
        return FALSE;
      fast_skip_space (s);
      if (fast_peek (s) == '}')
        break;
      if (!fast_expect (s, ','))
        return FALSE;
    }
  s->p++;
  s->depth--;
  return TRUE;
}

/* An array at s->p; its first element is read as @element says, the rest skipped. */
static gboolean
fast_array (FastScanner   *s,
            const FastKey *element)
{
  if (++s->depth > FAST_MAX_DEPTH || !fast_expect (s, '['))
    return FALSE;
  if (fast_peek (s) == ']')
    {
      s->p++;
      s->depth--;
      return TRUE;
    }
  for (guint i = 0; ; i++)
    {
      if (!fast_value (s, i == 0 ? element : NULL))
        return FALSE;
      fast_skip_space (s);
      if (fast_peek (s) == ']')
        break;
      if (!fast_expect (s, ','))
        return FALSE;
    }
  s->p++;
  s->depth--;
  return TRUE;
}

/* Any value at s->p, kept in @key's slot when there is one. */
static gboolean
fast_value (FastScanner   *s,
            const FastKey *key)
{
  FastValue *value = key != NULL && key->slot != SLOT_NONE ? &s->values[key->slot] : NULL;
  FastValue ignored;

  if (value == NULL)
    value = &ignored;
  switch (fast_peek (s))
    {
    case '{':
      value->type = FAST_OBJECT;
      return fast_object (s, key != NULL ? key->members : NULL);
    case '[':
      value->type = FAST_ARRAY;
      return fast_array (s, key != NULL ? key->element : NULL);
    case '"':
      return fast_string (s, value != &ignored ? value : NULL);
    case 't':
    case 'f':
      value->type = FAST_BOOLEAN;
      value->boolean = *s->p == 't';
      return value->boolean ? fast_literal (s, "true", 4) : fast_literal (s, "false", 5);
    case 'n':
      value->type = FAST_NULL;
      return fast_literal (s, "null", 4);
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return fast_number (s, value);
    default:
      return FALSE;
    }
}

/* Reads the object that is all of @text; FALSE when json-glib should have it. */
static gboolean
fast_scan (FastScanner   *s,
           GString       *scratch,
           const char    *text,
           gsize          len,
           const FastKey *keys)
{
  s->p = text;
  s->end = text + len;
  s->depth = 0;
  s->scratch = scratch;
  memset (s->values, 0, sizeof s->values);
  g_string_truncate (scratch, 0);

  fast_skip_space (s);
  if (fast_peek (s) != '{' || !fast_object (s, keys))
    return FALSE;
  fast_skip_space (s);
  if (s->p != s->end)
    return FALSE;
  /* A server error takes json-glib's path, which words it. */
  return s->values[SLOT_ERROR].type == FAST_ABSENT || s->values[SLOT_ERROR].type == FAST_NULL;
}

/* The accessors mirror member_int(), member_double(), member_string() and member_text(). */

static gint64
fast_get_int (const FastScanner *s,
              FastSlot           slot)
{
  const FastValue *value = &s->values[slot];

  if (value->type == FAST_INT)
    return value->integer;
  if (value->type == FAST_DOUBLE)
    return (gint64) value->number;
  return -1;
}

static double
fast_get_double (const FastScanner *s,
                 FastSlot           slot)
{
  const FastValue *value = &s->values[slot];

  if (value->type == FAST_INT)
    return value->integer;
  if (value->type == FAST_DOUBLE)
    return value->number;
  return -1;
}

static const char *
fast_get_string (const FastScanner *s,
                 FastSlot           slot)
{
  const FastValue *value = &s->values[slot];

  return value->type == FAST_STRING ? s->scratch->str + value->offset : NULL;
}

static gboolean
fast_get_text (const FastScanner  *s,
               FastSlot            slot,
               const char        **text)
{
  FastType type = s->values[slot].type;

  *text = fast_get_string (s, slot);
  return type == FAST_ABSENT || type == FAST_NULL || type == FAST_STRING;
}

/* Missing, null or an object, as member_object() accepts. */
static gboolean
fast_is_object (const FastScanner *s,
                FastSlot           slot)
{
  FastType type = s->values[slot].type;

  return type == FAST_ABSENT || type == FAST_NULL || type == FAST_OBJECT;
}

static gboolean
ollama_line_fast (HearthStreamParser *self,
                  const char         *line,
                  gsize               len)
{
  FastScanner s;
  const char *content;
  const char *thinking;
  FastType done;

  if (!fast_scan (&s, self->scratch, line, len, ollama_keys))
    return FALSE;

  /* The checks of ollama_line(); a line failing them is its to report. */
  done = s.values[SLOT_DONE].type;
  if (!fast_is_object (&s, SLOT_MESSAGE) ||
      (done != FAST_ABSENT && done != FAST_BOOLEAN) ||
      (s.values[SLOT_MESSAGE].type != FAST_OBJECT && done == FAST_ABSENT) ||
      !fast_get_text (&s, SLOT_CONTENT, &content) ||
      !fast_get_text (&s, SLOT_THINKING, &thinking))
    return FALSE;

  set_string (&self->figures.model, fast_get_string (&s, SLOT_MODEL));
  emit_delta (self, content, thinking);
  if (done == FAST_BOOLEAN && s.values[SLOT_DONE].boolean)
    {
      HearthServerFigures *figures = &self->figures;

      set_string (&figures->done_reason, fast_get_string (&s, SLOT_DONE_REASON));
      figures->total_duration_ns = fast_get_int (&s, SLOT_TOTAL_DURATION);
      figures->load_duration_ns = fast_get_int (&s, SLOT_LOAD_DURATION);
      figures->prompt_tokens = fast_get_int (&s, SLOT_PROMPT_EVAL_COUNT);
      figures->prompt_eval_duration_ns = fast_get_int (&s, SLOT_PROMPT_EVAL_DURATION);
      figures->completion_tokens = fast_get_int (&s, SLOT_EVAL_COUNT);
      figures->eval_duration_ns = fast_get_int (&s, SLOT_EVAL_DURATION);
      emit_done (self);
    }
  return TRUE;
}

static gboolean
openai_payload_fast (HearthStreamParser *self,
                     const char         *text,
                     gsize               len)
{
  FastScanner s;
  FastType choices;
  FastType choice;
  const char *content = NULL;
  const char *thinking = NULL;
  const char *reasoning = NULL;
  HearthServerFigures *figures = &self->figures;

  if (!fast_scan (&s, self->scratch, text, len, openai_keys))
    return FALSE;

  /* The checks of openai_payload() and openai_choice(). */
  choices = s.values[SLOT_CHOICES].type;
  choice = s.values[SLOT_CHOICE].type;
  if (!fast_is_object (&s, SLOT_USAGE) || !fast_is_object (&s, SLOT_TIMINGS) ||
      (choices == FAST_ABSENT && s.values[SLOT_USAGE].type != FAST_OBJECT &&
       s.values[SLOT_TIMINGS].type != FAST_OBJECT) ||
      (choices != FAST_ABSENT && choices != FAST_ARRAY) ||
      (choice != FAST_ABSENT && choice != FAST_OBJECT) ||
      !fast_is_object (&s, SLOT_DELTA) ||
      !fast_get_text (&s, SLOT_DELTA_CONTENT, &content) ||
      !fast_get_text (&s, SLOT_REASONING_CONTENT, &thinking) ||
      !fast_get_text (&s, SLOT_REASONING, &reasoning))
    return FALSE;

  set_string (&figures->model, fast_get_string (&s, SLOT_MODEL));
  if (s.values[SLOT_DELTA].type == FAST_OBJECT)
    emit_delta (self, content, thinking != NULL ? thinking : reasoning);
  if (fast_get_string (&s, SLOT_FINISH_REASON) != NULL)
    {
      set_string (&figures->done_reason, fast_get_string (&s, SLOT_FINISH_REASON));
      self->finish_seen = TRUE;
    }
  if (s.values[SLOT_USAGE].type == FAST_OBJECT)
    {
      gint64 prompt = fast_get_int (&s, SLOT_PROMPT_TOKENS);
      gint64 completion = fast_get_int (&s, SLOT_COMPLETION_TOKENS);

      if (prompt >= 0)
        figures->prompt_tokens = prompt;
      if (completion >= 0)
        figures->completion_tokens = completion;
    }
  if (s.values[SLOT_TIMINGS].type == FAST_OBJECT)
    {
      figures->prompt_ms = fast_get_double (&s, SLOT_PROMPT_MS);
      figures->prompt_per_second = fast_get_double (&s, SLOT_PROMPT_PER_SECOND);
      figures->predicted_ms = fast_get_double (&s, SLOT_PREDICTED_MS);
      figures->predicted_per_second = fast_get_double (&s, SLOT_PREDICTED_PER_SECOND);
      if (figures->prompt_tokens < 0)
        figures->prompt_tokens = fast_get_int (&s, SLOT_PROMPT_N);
      if (figures->completion_tokens < 0)
        figures->completion_tokens = fast_get_int (&s, SLOT_PREDICTED_N);
    }
  return TRUE;
}

/* Ollama NDJSON */

static void
ollama_read_figures (HearthStreamParser *self,
                     JsonObject         *object)
{
  HearthServerFigures *figures = &self->figures;

  set_string (&figures->done_reason, member_string (object, "done_reason"));
  figures->total_duration_ns = member_int (object, "total_duration");
  figures->load_duration_ns = member_int (object, "load_duration");
  figures->prompt_tokens = member_int (object, "prompt_eval_count");
  figures->prompt_eval_duration_ns = member_int (object, "prompt_eval_duration");
  figures->completion_tokens = member_int (object, "eval_count");
  figures->eval_duration_ns = member_int (object, "eval_duration");
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
  if (!member_object (object, "message", &message) ||
      (done != NULL && (!JSON_NODE_HOLDS_VALUE (done) ||
                        json_node_get_value_type (done) != G_TYPE_BOOLEAN)) ||
      (message == NULL && done == NULL) ||
      (message != NULL && (!member_text (message, "content", &content) ||
                           !member_text (message, "thinking", &thinking))))
    return fail_malformed (self, line, len, "not a chat message", error);

  set_string (&self->figures.model, member_string (object, "model"));
  emit_delta (self, content, thinking);
  if (done != NULL && json_node_get_boolean (done))
    {
      ollama_read_figures (self, object);
      emit_done (self);
    }
  return TRUE;
}

/* OpenAI SSE */

static void
openai_read_usage (HearthStreamParser *self,
                   JsonObject         *usage)
{
  gint64 prompt = member_int (usage, "prompt_tokens");
  gint64 completion = member_int (usage, "completion_tokens");

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
    figures->prompt_tokens = member_int (timings, "prompt_n");
  if (figures->completion_tokens < 0)
    figures->completion_tokens = member_int (timings, "predicted_n");
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
  if (!member_object (choice, "delta", &delta))
    return FALSE;
  if (delta != NULL)
    {
      if (!member_text (delta, "content", &content) ||
          !member_text (delta, "reasoning_content", &thinking) ||
          !member_text (delta, "reasoning", &reasoning))
        return FALSE;
      emit_delta (self, content, thinking != NULL ? thinking : reasoning);
    }
  if (member_string (choice, "finish_reason") != NULL)
    {
      set_string (&self->figures.done_reason, member_string (choice, "finish_reason"));
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
  if (!member_object (object, "usage", &usage) ||
      !member_object (object, "timings", &timings) ||
      (choices == NULL && usage == NULL && timings == NULL) ||
      (choices != NULL && !JSON_NODE_HOLDS_ARRAY (choices)))
    return fail_malformed (self, text, len, "not a chat completion chunk", error);

  set_string (&self->figures.model, member_string (object, "model"));
  if (choices != NULL && json_array_get_length (json_node_get_array (choices)) > 0 &&
      !openai_choice (self, json_array_get_element (json_node_get_array (choices), 0)))
    return fail_malformed (self, text, len, "not a chat completion chunk", error);
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

  if (json_parser_load_from_data (self->json, text, len, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (self->json)))
    {
      object = json_node_get_object (json_parser_get_root (self->json));
      if (json_object_has_member (object, "error"))
        return fail_server (self, json_object_get_member (object, "error"), error);
      message = member_string (object, "message");
      if (message != NULL)
        return fail (self, hearth_error_from_server_message (message, self->figures.model), error);
    }

  quote = quote_line (text, len);
  return fail (self, hearth_error_from_server_message (quote, self->figures.model), error);
}

static gboolean
sse_dispatch (HearthStreamParser  *self,
              GError             **error)
{
  gboolean ok = TRUE;

  if (self->event_lines > 0 && self->event_is_error)
    ok = openai_error_event (self, self->event_data->str, self->event_data->len, error);
  else if (self->event_lines > 0)
    ok = openai_payload (self, self->event_data->str, self->event_data->len, error);

  g_string_truncate (self->event_data, 0);
  self->event_lines = 0;
  self->event_is_error = FALSE;
  return ok;
}

static gboolean
sse_data (HearthStreamParser  *self,
          const char          *value,
          gsize                len,
          GError             **error)
{
  if (strcmp (value, "[DONE]") == 0)
    {
      if (!sse_dispatch (self, error))
        return FALSE;
      emit_done (self);
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
    return fail_malformed (self, line, len, "not server-sent events", error);

  colon = memchr (line, ':', len);
  name_len = colon != NULL ? (gsize) (colon - line) : len;
  value = colon != NULL ? colon + 1 : line + len;
  if (*value == ' ')
    value++;

  if (field_is (line, name_len, "data"))
    return sse_data (self, value, line + len - value, error);
  if (field_is (line, name_len, "event"))
    self->event_is_error = strcmp (value, "error") == 0;
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
  if (self->format == HEARTH_STREAM_FORMAT_OPENAI_SSE)
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
  if (self->format == HEARTH_STREAM_FORMAT_OPENAI_SSE && !self->done)
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

  /* Without [DONE], a finish_reason still says the answer was complete. */
  if (!self->done && self->finish_seen)
    emit_done (self);
  if (!self->done)
    return fail (self,
                 g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_BROKEN_STREAM,
                                      "The reply ended before the server finished it"),
                 error);
  return TRUE;
}

gboolean
hearth_stream_parser_is_done (HearthStreamParser *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->done;
}
