/* hearth-json-scanner.h — internal to the stream parser
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  HEARTH_JSON_SLOT_NONE,
  HEARTH_JSON_SLOT_ERROR,
  HEARTH_JSON_SLOT_MODEL,
  /* Ollama */
  HEARTH_JSON_SLOT_MESSAGE,
  HEARTH_JSON_SLOT_CONTENT,
  HEARTH_JSON_SLOT_THINKING,
  HEARTH_JSON_SLOT_DONE,
  HEARTH_JSON_SLOT_DONE_REASON,
  HEARTH_JSON_SLOT_TOTAL_DURATION,
  HEARTH_JSON_SLOT_LOAD_DURATION,
  HEARTH_JSON_SLOT_PROMPT_EVAL_COUNT,
  HEARTH_JSON_SLOT_PROMPT_EVAL_DURATION,
  HEARTH_JSON_SLOT_EVAL_COUNT,
  HEARTH_JSON_SLOT_EVAL_DURATION,
  /* OpenAI */
  HEARTH_JSON_SLOT_CHOICES,
  HEARTH_JSON_SLOT_CHOICE,
  HEARTH_JSON_SLOT_DELTA,
  HEARTH_JSON_SLOT_DELTA_CONTENT,
  HEARTH_JSON_SLOT_REASONING_CONTENT,
  HEARTH_JSON_SLOT_REASONING,
  HEARTH_JSON_SLOT_FINISH_REASON,
  HEARTH_JSON_SLOT_USAGE,
  HEARTH_JSON_SLOT_PROMPT_TOKENS,
  HEARTH_JSON_SLOT_COMPLETION_TOKENS,
  HEARTH_JSON_SLOT_TIMINGS,
  HEARTH_JSON_SLOT_PROMPT_MS,
  HEARTH_JSON_SLOT_PROMPT_PER_SECOND,
  HEARTH_JSON_SLOT_PREDICTED_MS,
  HEARTH_JSON_SLOT_PREDICTED_PER_SECOND,
  HEARTH_JSON_SLOT_PROMPT_N,
  HEARTH_JSON_SLOT_PREDICTED_N,
  HEARTH_JSON_N_SLOTS
} HearthJsonSlot;

typedef enum
{
  HEARTH_JSON_ABSENT,
  HEARTH_JSON_NULL,
  HEARTH_JSON_BOOLEAN,
  HEARTH_JSON_INT,
  HEARTH_JSON_DOUBLE,
  HEARTH_JSON_STRING,
  HEARTH_JSON_OBJECT,
  HEARTH_JSON_ARRAY,
} HearthJsonType;

typedef struct
{
  HearthJsonType  type;
  gboolean        boolean;
  gint64          integer;
  double          number;
  gsize           offset;   /* HEARTH_JSON_STRING: where its decoded text starts in the scratch */
} HearthJsonValue;

typedef struct _HearthJsonKey HearthJsonKey;

/* Where a member's value goes, and which members of it are read in turn. */
struct _HearthJsonKey
{
  const char          *name;
  gsize                len;
  HearthJsonSlot       slot;
  const HearthJsonKey *members;   /* if the value is an object; ends with a NULL name */
  const HearthJsonKey *element;   /* if the value is an array: how its first element is read */
};

typedef struct
{
  const char      *p;
  const char      *end;
  guint            depth;
  GString         *scratch;    /* decoded strings, each NUL-terminated */
  HearthJsonValue  values[HEARTH_JSON_N_SLOTS];
} HearthJsonScanner;

extern const HearthJsonKey hearth_json_scanner_ollama_keys[];
extern const HearthJsonKey hearth_json_scanner_openai_keys[];

gboolean hearth_json_scanner_scan (HearthJsonScanner   *s,
                                   GString             *scratch,
                                   const char          *text,
                                   gsize                len,
                                   const HearthJsonKey *keys);

/* The accessors mirror member_int(), member_double(), member_string() and member_text()
 * of hearth-stream-parser.c. */

static inline gint64
hearth_json_scanner_get_int (const HearthJsonScanner *s,
                             HearthJsonSlot           slot)
{
  const HearthJsonValue *value = &s->values[slot];

  if (value->type == HEARTH_JSON_INT)
    return value->integer;
  if (value->type == HEARTH_JSON_DOUBLE)
    return (gint64) value->number;
  return -1;
}

static inline double
hearth_json_scanner_get_double (const HearthJsonScanner *s,
                                HearthJsonSlot           slot)
{
  const HearthJsonValue *value = &s->values[slot];

  if (value->type == HEARTH_JSON_INT)
    return value->integer;
  if (value->type == HEARTH_JSON_DOUBLE)
    return value->number;
  return -1;
}

static inline const char *
hearth_json_scanner_get_string (const HearthJsonScanner *s,
                                HearthJsonSlot           slot)
{
  const HearthJsonValue *value = &s->values[slot];

  return value->type == HEARTH_JSON_STRING ? s->scratch->str + value->offset : NULL;
}

static inline gboolean
hearth_json_scanner_get_text (const HearthJsonScanner  *s,
                              HearthJsonSlot            slot,
                              const char              **text)
{
  HearthJsonType type = s->values[slot].type;

  *text = hearth_json_scanner_get_string (s, slot);
  return type == HEARTH_JSON_ABSENT || type == HEARTH_JSON_NULL || type == HEARTH_JSON_STRING;
}

/* Missing, null or an object, as member_object() accepts. */
static inline gboolean
hearth_json_scanner_is_object (const HearthJsonScanner *s,
                               HearthJsonSlot           slot)
{
  HearthJsonType type = s->values[slot].type;

  return type == HEARTH_JSON_ABSENT || type == HEARTH_JSON_NULL || type == HEARTH_JSON_OBJECT;
}

G_END_DECLS
