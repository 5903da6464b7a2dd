/* fuzz-json-scanner.c — the stream parser's fast JSON scanner on one line
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte picks Ollama's or OpenAI's keys; the rest is the line. What
 * the scanner accepts must be JSON that json-glib reads as an object, and
 * every string it kept must be valid UTF-8 inside its scratch buffer.
 */
#include <json-glib/json-glib.h>

#include "hearth-fuzz.h"
#include "hearth-json-scanner.h"

static GString *scratch;
static JsonParser *parser;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  hearth_fuzz_init ();
  scratch = g_string_new (NULL);
  parser = json_parser_new ();
  return 0;
}

static void
check_values (const HearthJsonScanner *s)
{
  for (guint slot = 0; slot < HEARTH_JSON_N_SLOTS; slot++)
    {
      const HearthJsonValue *value = &s->values[slot];
      const char *text;

      if (value->type != HEARTH_JSON_STRING)
        continue;
      g_assert_cmpuint (value->offset, <, s->scratch->len);
      text = s->scratch->str + value->offset;
      g_assert_cmpuint (value->offset + strlen (text), <, s->scratch->len);
      g_assert_true (g_utf8_validate (text, -1, NULL));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const HearthJsonKey *keys;
  HearthJsonScanner s;
  const char *text;
  gsize len;

  if (size == 0)
    return 0;
  keys = data[0] & 1 ? hearth_json_scanner_openai_keys : hearth_json_scanner_ollama_keys;
  text = (const char *) data + 1;
  len = size - 1;

  if (!hearth_json_scanner_scan (&s, scratch, text, len, keys))
    return 0;
  g_assert_true (s.p == s.end);
  check_values (&s);
  g_assert_true (json_parser_load_from_data (parser, text, len, NULL));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return 0;
}
