/* test-json.c — the JSON strings the gateway writes by hand, one per token
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What hearth_json_append_string () writes must read back, through
 * json-glib as a client would read it, as the text it was given: quotes,
 * backslashes, every control character, non-ASCII, and text that is not
 * UTF-8 (which reads back as its valid form).
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "hearth-json.h"
#include "hearth-test-util.h"

static char *
read_back (const char *written)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *document = g_strdup_printf ("[%s]", written);

  g_assert_true (json_parser_load_from_data (parser, document, -1, &error));
  g_assert_no_error (error);
  return g_strdup (json_array_get_string_element (json_node_get_array (json_parser_get_root (parser)), 0));
}

static void
assert_round_trip (const char *text,
                   const char *expected)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *back = NULL;

  hearth_json_append_string (out, text);
  g_assert_true (g_utf8_validate (out->str, out->len, NULL));
  for (gsize i = 0; i < out->len; i++)
    g_assert_cmpint ((guchar) out->str[i], >=, 0x20);   /* nothing raw a line-reader would split on */
  back = read_back (out->str);
  g_assert_cmpstr (back, ==, expected);
}

static void
test_round_trip (void)
{
  char controls[32];

  assert_round_trip ("", "");
  assert_round_trip ("plain words", "plain words");
  assert_round_trip ("say \"hi\" \\ then \\\"", "say \"hi\" \\ then \\\"");
  assert_round_trip ("line\nnext\r\ttab\b\f", "line\nnext\r\ttab\b\f");
  assert_round_trip ("naïve café — 日本語 🔥", "naïve café — 日本語 🔥");
  assert_round_trip ("{\"role\": \"assistant\"}\n", "{\"role\": \"assistant\"}\n");

  for (guint i = 1; i < 32; i++)
    controls[i - 1] = (char) i;
  controls[31] = '\0';
  assert_round_trip (controls, controls);
}

static void
test_invalid_utf8 (void)
{
  g_autofree char *valid = g_utf8_make_valid ("bad \xff\xfe byte", -1);

  assert_round_trip ("bad \xff\xfe byte", valid);
  g_assert_nonnull (strstr (valid, "bad "));
}

int
main (int   argc,
      char *argv[])
{
  hearth_test_init (&argc, &argv);
  g_test_add_func ("/json/append-string/round-trip", test_round_trip);
  g_test_add_func ("/json/append-string/invalid-utf8", test_invalid_utf8);
  return g_test_run ();
}
