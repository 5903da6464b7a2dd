/* hearth-routes-match.c — which rule a question matches: code, a word, a length
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-routes"

#include <string.h>

#include "hearth-routes-private.h"

static gboolean
is_word_char (gunichar c)
{
  return g_unichar_isalnum (c) || c == '_' || g_unichar_ismark (c);
}

/* Casefolded and composed, so "É" matches "é" however either was typed. */
static char *
fold (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  g_autofree char *normal = g_utf8_normalize (valid, -1, G_NORMALIZE_ALL_COMPOSE);

  return g_utf8_casefold (normal != NULL ? normal : valid, -1);
}

/* A whole word (or phrase), case-insensitive: "SQL" matches "sql?" but not "nosql". */
gboolean
_hearth_routes_has_word (const char *text,
                         const char *word)
{
  g_autofree char *haystack = NULL;
  g_autofree char *needle = NULL;
  gboolean check_start, check_end;
  gsize needle_len;

  if (text == NULL || word == NULL || *word == '\0')
    return FALSE;

  haystack = fold (text);
  needle = fold (word);
  needle_len = strlen (needle);
  if (needle_len == 0)
    return FALSE;
  /* "c++" ends in a symbol: only a word character can run into another word. */
  check_start = is_word_char (g_utf8_get_char (needle));
  check_end = is_word_char (g_utf8_get_char (g_utf8_find_prev_char (needle, needle + needle_len)));

  for (const char *at = strstr (haystack, needle); at != NULL; at = strstr (at + 1, needle))
    {
      const char *before = g_utf8_find_prev_char (haystack, at);
      const char *after = at + needle_len;

      if (check_start && before != NULL && is_word_char (g_utf8_get_char (before)))
        continue;
      if (check_end && *after != '\0' && is_word_char (g_utf8_get_char (after)))
        continue;
      return TRUE;
    }

  return FALSE;
}

static const char * const code_starts[] = {
  "def ", "#include", "#define", "#!/", "function ", "fn ", "func ", "import ", "package ",
  "public ", "private ", "return ", "SELECT ", "}",
};

/* One line of a program: a telltale start, a brace or semicolon at its end,
 * an arrow function, or an indented line with code's punctuation. */
static gboolean
line_looks_like_code (const char *line)
{
  const char *text = line + strspn (line, " \t");
  gsize indent = text - line;
  gsize len = strlen (text);

  while (len > 0 && g_ascii_isspace (text[len - 1]))
    len--;
  if (len == 0)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (code_starts); i++)
    if (g_str_has_prefix (text, code_starts[i]))
      return TRUE;
  if (text[len - 1] == '{' || text[len - 1] == ';')
    return TRUE;
  if (g_strstr_len (text, len, "=>") != NULL)
    return TRUE;
  if (indent >= 2 && (strpbrk (text, "{};") != NULL || g_strstr_len (text, len, " = ") != NULL
                      || g_strstr_len (text, len, "()") != NULL))
    return TRUE;

  return FALSE;
}

/* A ``` fence, or at least two lines that look like a program. */
gboolean
_hearth_routes_looks_like_code (const char *text)
{
  g_auto(GStrv) lines = NULL;
  guint n_code = 0;

  if (text == NULL)
    return FALSE;
  if (strstr (text, "```") != NULL)
    return TRUE;

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL && n_code < 2; i++)
    if (line_looks_like_code (lines[i]))
      n_code++;

  return n_code >= 2;
}

gboolean
_hearth_route_matches (const HearthRoute *route,
                       const char        *question,
                       guint              earlier_messages)
{
  gint64 n = route->value != NULL ? g_ascii_strtoll (route->value, NULL, 10) : 0;
  const char *text = question != NULL ? question : "";

  switch (route->kind)
    {
    case HEARTH_ROUTE_LONG_PROMPT:
      return g_utf8_validate (text, -1, NULL) ? g_utf8_strlen (text, -1) >= n
                                              : (gint64) strlen (text) >= n;
    case HEARTH_ROUTE_SHORT_PROMPT:
      return g_utf8_validate (text, -1, NULL) ? g_utf8_strlen (text, -1) <= n
                                              : (gint64) strlen (text) <= n;
    case HEARTH_ROUTE_CODE:
      return _hearth_routes_looks_like_code (text);
    case HEARTH_ROUTE_LONG_CONVERSATION:
      return (gint64) earlier_messages >= n;
    case HEARTH_ROUTE_KEYWORD:
      return _hearth_routes_has_word (text, route->value);
    case HEARTH_ROUTE_DEFAULT:
      return TRUE;
    default:
      return FALSE;
    }
}

