/* fuzz-bench-result.c — a stored benchmark's options, as `hearth-cli bench list --json` prints them
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The options of a run are JSON text kept in hearth.db; the listing parses
 * them back into the result's JSON. Whatever the database holds, the
 * printed result is JSON whose "options" are the stored object, or null.
 */
#include "hearth-bench.h"
#include "hearth-fuzz.h"
#include "hearth-json.h"

static JsonParser *parser;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  hearth_fuzz_init ();
  parser = json_parser_new ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(HearthBenchResult) result = hearth_bench_result_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *printed = NULL;
  JsonObject *object;

  result->model = g_strdup ("tiny:latest");
  result->options = hearth_fuzz_strndup (data, size);
  result->state = HEARTH_BENCH_COMPLETE;
  node = hearth_bench_result_to_json (result);
  printed = hearth_json_to_string (node, FALSE);

  g_assert_true (json_parser_load_from_data (parser, printed, -1, NULL));
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_has_member (object, "options"));
  g_assert_cmpstr (json_object_get_string_member (object, "model"), ==, "tiny:latest");
  return 0;
}
