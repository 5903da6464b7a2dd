/* hearth-json-scanner.c — the stream parser's fast path through a JSON line
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * json-glib builds a node tree and runs a GScanner for every line, which costs more
 * than everything else per token. Most lines are plain, well-formed chunks, so a
 * strict scanner reads those directly: it keeps only the members the parser needs
 * and skips the rest without allocating. Whenever it is unsure (anything json-glib
 * might read differently, or a line that would fail), it gives up before any side
 * effect, and the stream parser's json-glib path handles the line, errors included.
 */
#define G_LOG_DOMAIN "hearth-stream-parser"

#include <math.h>
#include <string.h>

#include "hearth-json-scanner.h"

/* Deeper nesting is legal but never seen in a chat reply. */
#define FAST_MAX_DEPTH  64
/* More digits than this may not fit a gint64. */
#define FAST_MAX_DIGITS 18
/* Longer numbers go to json-glib rather than a bigger buffer. */
#define FAST_MAX_NUMBER 64

#define KEY(name, slot)             { name, sizeof name - 1, slot, NULL, NULL }
#define OBJECT_KEY(name, slot, ks)  { name, sizeof name - 1, slot, ks, NULL }
#define ARRAY_KEY(name, slot, el)   { name, sizeof name - 1, slot, NULL, el }
#define END_KEYS                    { NULL, 0, HEARTH_JSON_SLOT_NONE, NULL, NULL }

static const HearthJsonKey ollama_message_keys[] = {
  KEY ("content", HEARTH_JSON_SLOT_CONTENT),
  KEY ("thinking", HEARTH_JSON_SLOT_THINKING),
  END_KEYS,
};

const HearthJsonKey hearth_json_scanner_ollama_keys[] = {
  KEY ("error", HEARTH_JSON_SLOT_ERROR),
  KEY ("model", HEARTH_JSON_SLOT_MODEL),
  OBJECT_KEY ("message", HEARTH_JSON_SLOT_MESSAGE, ollama_message_keys),
  KEY ("done", HEARTH_JSON_SLOT_DONE),
  KEY ("done_reason", HEARTH_JSON_SLOT_DONE_REASON),
  KEY ("total_duration", HEARTH_JSON_SLOT_TOTAL_DURATION),
  KEY ("load_duration", HEARTH_JSON_SLOT_LOAD_DURATION),
  KEY ("prompt_eval_count", HEARTH_JSON_SLOT_PROMPT_EVAL_COUNT),
  KEY ("prompt_eval_duration", HEARTH_JSON_SLOT_PROMPT_EVAL_DURATION),
  KEY ("eval_count", HEARTH_JSON_SLOT_EVAL_COUNT),
  KEY ("eval_duration", HEARTH_JSON_SLOT_EVAL_DURATION),
  END_KEYS,
};

static const HearthJsonKey openai_delta_keys[] = {
  KEY ("content", HEARTH_JSON_SLOT_DELTA_CONTENT),
  KEY ("reasoning_content", HEARTH_JSON_SLOT_REASONING_CONTENT),
  KEY ("reasoning", HEARTH_JSON_SLOT_REASONING),
  END_KEYS,
};

static const HearthJsonKey openai_choice_keys[] = {
  OBJECT_KEY ("delta", HEARTH_JSON_SLOT_DELTA, openai_delta_keys),
  KEY ("finish_reason", HEARTH_JSON_SLOT_FINISH_REASON),
  END_KEYS,
};

static const HearthJsonKey openai_choice_key = {
  NULL, 0, HEARTH_JSON_SLOT_CHOICE, openai_choice_keys, NULL
};

static const HearthJsonKey openai_usage_keys[] = {
  KEY ("prompt_tokens", HEARTH_JSON_SLOT_PROMPT_TOKENS),
  KEY ("completion_tokens", HEARTH_JSON_SLOT_COMPLETION_TOKENS),
  END_KEYS,
};

static const HearthJsonKey openai_timings_keys[] = {
  KEY ("prompt_ms", HEARTH_JSON_SLOT_PROMPT_MS),
  KEY ("prompt_per_second", HEARTH_JSON_SLOT_PROMPT_PER_SECOND),
  KEY ("predicted_ms", HEARTH_JSON_SLOT_PREDICTED_MS),
  KEY ("predicted_per_second", HEARTH_JSON_SLOT_PREDICTED_PER_SECOND),
  KEY ("prompt_n", HEARTH_JSON_SLOT_PROMPT_N),
  KEY ("predicted_n", HEARTH_JSON_SLOT_PREDICTED_N),
  END_KEYS,
};

const HearthJsonKey hearth_json_scanner_openai_keys[] = {
  KEY ("error", HEARTH_JSON_SLOT_ERROR),
  KEY ("model", HEARTH_JSON_SLOT_MODEL),
  ARRAY_KEY ("choices", HEARTH_JSON_SLOT_CHOICES, &openai_choice_key),
  OBJECT_KEY ("usage", HEARTH_JSON_SLOT_USAGE, openai_usage_keys),
  OBJECT_KEY ("timings", HEARTH_JSON_SLOT_TIMINGS, openai_timings_keys),
  END_KEYS,
};

static gboolean fast_value (HearthJsonScanner   *s,
                            const HearthJsonKey *key);

static inline int
fast_peek (const HearthJsonScanner *s)
{
  return s->p < s->end ? (guchar) *s->p : -1;
}

/* Exactly JSON's whitespace; anything else is left to json-glib. */
static inline void
fast_skip_space (HearthJsonScanner *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

static gboolean
fast_expect (HearthJsonScanner *s,
             char               c)
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
 * surrogate. U+0000 would cut a C string short: it becomes U+FFFD, the
 * replacement character, visibly (hearth_json_text_without_nul() does the
 * same for json-glib). */
static const char *
fast_unicode_escape (const char *p,
                     const char *end,
                     gunichar   *c)
{
  int high = fast_hex4 (p + 1, end);
  int low;

  if (high == 0)
    {
      *c = 0xfffd;
      return p + 5;
    }
  if (high < 0 || (high >= 0xdc00 && high <= 0xdfff))
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
fast_string (HearthJsonScanner *s,
             HearthJsonValue   *value)
{
  GString *out = value != NULL ? s->scratch : NULL;
  const char *p = s->p + 1;
  const char *run = p;

  if (value != NULL)
    {
      value->type = HEARTH_JSON_STRING;
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
fast_name (HearthJsonScanner  *s,
           const char        **name,
           gsize              *len)
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
fast_number (HearthJsonScanner *s,
             HearthJsonValue   *value)
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
      value->type = HEARTH_JSON_INT;
      value->integer = *start == '-' ? -n : n;
      return TRUE;
    }

  if (p - start >= FAST_MAX_NUMBER)
    return FALSE;
  memcpy (buffer, start, p - start);
  buffer[p - start] = '\0';
  value->type = HEARTH_JSON_DOUBLE;
  value->number = g_ascii_strtod (buffer, &parsed_end);
  return parsed_end == buffer + (p - start) && isfinite (value->number);
}

static gboolean
fast_literal (HearthJsonScanner *s,
              const char        *word,
              gsize              len)
{
  if ((gsize) (s->end - s->p) < len || memcmp (s->p, word, len) != 0)
    return FALSE;
  s->p += len;
  return TRUE;
}

static const HearthJsonKey *
fast_lookup (const HearthJsonKey *keys,
             const char          *name,
             gsize                len)
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
fast_object (HearthJsonScanner   *s,
             const HearthJsonKey *keys)
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
      const HearthJsonKey *key;
      const char *name;
      gsize len;

      if (fast_peek (s) != '"' || !fast_name (s, &name, &len) || !fast_expect (s, ':'))
        return FALSE;
      key = fast_lookup (keys, name, len);
      /* Which of two equal names json-glib keeps is its business. */
      if (key != NULL && s->values[key->slot].type != HEARTH_JSON_ABSENT)
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
fast_array (HearthJsonScanner   *s,
            const HearthJsonKey *element)
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
fast_value (HearthJsonScanner   *s,
            const HearthJsonKey *key)
{
  HearthJsonValue *value = key != NULL && key->slot != HEARTH_JSON_SLOT_NONE
                           ? &s->values[key->slot] : NULL;
  HearthJsonValue ignored;

  if (value == NULL)
    value = &ignored;
  switch (fast_peek (s))
    {
    case '{':
      value->type = HEARTH_JSON_OBJECT;
      return fast_object (s, key != NULL ? key->members : NULL);
    case '[':
      value->type = HEARTH_JSON_ARRAY;
      return fast_array (s, key != NULL ? key->element : NULL);
    case '"':
      return fast_string (s, value != &ignored ? value : NULL);
    case 't':
    case 'f':
      value->type = HEARTH_JSON_BOOLEAN;
      value->boolean = *s->p == 't';
      return value->boolean ? fast_literal (s, "true", 4) : fast_literal (s, "false", 5);
    case 'n':
      value->type = HEARTH_JSON_NULL;
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
gboolean
hearth_json_scanner_scan (HearthJsonScanner   *s,
                          GString             *scratch,
                          const char          *text,
                          gsize                len,
                          const HearthJsonKey *keys)
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
  return s->values[HEARTH_JSON_SLOT_ERROR].type == HEARTH_JSON_ABSENT
         || s->values[HEARTH_JSON_SLOT_ERROR].type == HEARTH_JSON_NULL;
}
