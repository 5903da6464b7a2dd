/* test-routes-match.c — "Auto" without servers: which rule a question matches,
 * how rules read, and which model the tiers pick on a machine of a given size
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hearth-error.h"
#include "hearth-routes-private.h"
#include "hearth-test-util.h"

static void
test_code_detection (void)
{
  const char *code[] = {
    "Why does this fail?\n```\nprint(1)\n```",
    "What is wrong here:\nint main (void)\n{\n  return 0;\n}",
    "def add(a, b):\n    return a + b",
    "#include <stdio.h>\nint x = 1;",
    "const f = (x) => x + 1\nconst g = (y) => y * 2",
    "function hello() {\n  console.log('hi');\n}",
  };
  const char *prose[] = {
    "hi",
    "I think; therefore I am. Tell me more about Descartes.",
    "Shopping list:\n  - apples (green)\n  - bread\n  - cheese",
    "One line that ends with a brace {",
    "Use => arrows in your notes: they look nice",
    "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (code); i++)
    g_assert_true (_hearth_routes_looks_like_code (code[i]));
  for (guint i = 0; i < G_N_ELEMENTS (prose); i++)
    {
      g_test_message ("prose: %s", prose[i]);
      g_assert_false (_hearth_routes_looks_like_code (prose[i]));
    }
}

static void
test_keyword_matching (void)
{
  g_assert_true (_hearth_routes_has_word ("How do I join two tables in SQL?", "sql"));
  g_assert_true (_hearth_routes_has_word ("sql", "SQL"));
  g_assert_false (_hearth_routes_has_word ("Is NoSQL faster?", "sql"));
  g_assert_false (_hearth_routes_has_word ("sqlite or postgres", "sql"));
  /* UTF-8: case folding beyond ASCII, and letters that are not word boundaries */
  g_assert_true (_hearth_routes_has_word ("ÜBER ALLES", "über"));
  g_assert_true (_hearth_routes_has_word ("un café, s’il vous plaît", "CAFÉ"));
  g_assert_false (_hearth_routes_has_word ("cafés", "café"));
  g_assert_false (_hearth_routes_has_word ("Räder", "der"));
  /* a keyword that ends in a symbol */
  g_assert_true (_hearth_routes_has_word ("templates in C++?", "c++"));
  g_assert_true (_hearth_routes_has_word ("two words: machine learning!", "Machine Learning"));
  g_assert_false (_hearth_routes_has_word ("", "sql"));
}

/* A rule made here, past the list's checks */
static HearthRoute *
rule (HearthRouteKind  kind,
      const char      *value,
      const char      *model,
      const char      *server)
{
  HearthRoute *route = g_new0 (HearthRoute, 1);

  route->id = g_strdup ("r1");
  route->kind = kind;
  route->value = g_strdup (value);
  route->model = g_strdup (model);
  route->server = g_strdup (server);
  return route;
}

static void
test_lengths_in_characters (void)
{
  g_autoptr(HearthRoute) long_prompt = rule (HEARTH_ROUTE_LONG_PROMPT, "10", "@capable", NULL);
  g_autoptr(HearthRoute) short_prompt = rule (HEARTH_ROUTE_SHORT_PROMPT, "5", "@fast", NULL);
  g_autoptr(HearthRoute) conversation = rule (HEARTH_ROUTE_LONG_CONVERSATION, "4", "@fast", NULL);

  /* 9 characters, 18 bytes */
  g_assert_false (_hearth_route_matches (long_prompt, "ääääääääää" + 2, 0));
  g_assert_true (_hearth_route_matches (long_prompt, "ääääääääää", 0));
  g_assert_true (_hearth_route_matches (short_prompt, "ñññññ", 0));
  g_assert_false (_hearth_route_matches (short_prompt, "ññññññ", 0));
  g_assert_false (_hearth_route_matches (conversation, "hi", 3));
  g_assert_true (_hearth_route_matches (conversation, "hi", 4));
}

static void
test_describe (void)
{
  g_autoptr(HearthRoute) code = rule (HEARTH_ROUTE_CODE, NULL, "@capable", NULL);
  g_autoptr(HearthRoute) length = rule (HEARTH_ROUTE_LONG_PROMPT, "2000", "qwen2.5:7b", "big-box");
  g_autoptr(HearthRoute) word = rule (HEARTH_ROUTE_KEYWORD, "sql", "@fast", NULL);
  g_autoptr(HearthRoute) fallback = rule (HEARTH_ROUTE_DEFAULT, NULL, "@fast", NULL);
  HearthRouteKind kind;
  g_autoptr(GError) error = NULL;
  g_autofree char *a = hearth_route_describe (code);
  g_autofree char *b = hearth_route_describe (length);
  g_autofree char *c = hearth_route_describe (word);
  g_autofree char *d = hearth_route_describe (fallback);

  g_assert_cmpstr (a, ==, "Questions with code → the most capable model");
  g_assert_cmpstr (b, ==, "Questions of 2,000 characters or more → qwen2.5:7b on big-box");
  g_assert_cmpstr (c, ==, "Questions with the word “sql” → the fastest model");
  g_assert_cmpstr (d, ==, "Everything else → the fastest model");

  for (guint i = HEARTH_ROUTE_LONG_PROMPT; i <= HEARTH_ROUTE_DEFAULT; i++)
    {
      g_assert_true (hearth_route_kind_from_string (hearth_route_kind_to_string (i), &kind));
      g_assert_cmpint (kind, ==, i);
    }
  g_assert_false (hearth_route_kind_parse ("size", &kind, &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "“size” is not a kind of rule"));
  g_assert_nonnull (strstr (error->message, "long-prompt"));
}

/* The fit, with a machine of 8 GiB and no GPU */

static HearthTierCandidate *
candidate (const char *model,
           const char *server,
           double      gigabytes,
           const char *parameters,
           gboolean    here)
{
  HearthTierCandidate *c = g_new0 (HearthTierCandidate, 1);

  c->model = g_strdup (model);
  c->server = g_strdup (server);
  c->size = (gint64) (gigabytes * (1 << 30));
  c->parameters = _hearth_routes_parse_parameters (parameters);
  c->on_this_computer = here;
  c->tokens_per_s = -1;
  return c;
}

static void
test_tiers_fit_this_machine (void)
{
  g_autoptr(HearthHardware) hardware = g_new0 (HearthHardware, 1);
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) _hearth_tier_candidate_free);
  const HearthTierCandidate *pick;
  guint n;
  gboolean none_fits;

  hardware->mem_total = (gint64) 8 << 30;
  hardware->mem_bandwidth_gbs = -1;
  g_assert_cmpfloat (_hearth_routes_parse_parameters ("494.03M"), ==, 494.03e6);
  g_assert_cmpfloat (_hearth_routes_parse_parameters ("7B"), ==, 7e9);
  g_assert_cmpfloat (_hearth_routes_parse_parameters ("big"), <, 0);

  g_ptr_array_add (all, candidate ("llama3.2:1b", "laptop", 1.3, "1.2B", TRUE));
  g_ptr_array_add (all, candidate ("qwen2.5:7b", "laptop", 4.7, "7.6B", TRUE));
  /* 40 GB does not fit in 8 GiB: never the most capable here */
  g_ptr_array_add (all, candidate ("llama3.3:70b", "laptop", 40, "70.6B", TRUE));

  pick = _hearth_routes_pick_tier (all, HEARTH_ROUTE_TARGET_CAPABLE, hardware, NULL, &n, &none_fits);
  g_assert_cmpstr (pick->model, ==, "qwen2.5:7b");
  g_assert_cmpuint (n, ==, 2);
  g_assert_false (none_fits);
  pick = _hearth_routes_pick_tier (all, HEARTH_ROUTE_TARGET_FAST, hardware, NULL, &n, &none_fits);
  g_assert_cmpstr (pick->model, ==, "llama3.2:1b");

  /* Measured speeds decide @fast once every model has one. */
  ((HearthTierCandidate *) g_ptr_array_index (all, 0))->tokens_per_s = 20;
  ((HearthTierCandidate *) g_ptr_array_index (all, 1))->tokens_per_s = 35;
  ((HearthTierCandidate *) g_ptr_array_index (all, 2))->tokens_per_s = 1;
  pick = _hearth_routes_pick_tier (all, HEARTH_ROUTE_TARGET_FAST, hardware, NULL, &n, &none_fits);
  g_assert_cmpstr (pick->model, ==, "qwen2.5:7b");

  /* Another machine's server runs what it lists: the fit is this computer's. */
  g_ptr_array_add (all, candidate ("llama3.3:70b", "big-box", 40, "70.6B", FALSE));
  pick = _hearth_routes_pick_tier (all, HEARTH_ROUTE_TARGET_CAPABLE, hardware, NULL, &n, &none_fits);
  g_assert_cmpstr (pick->model, ==, "llama3.3:70b");
  g_assert_cmpstr (pick->server, ==, "big-box");

  /* Nothing fits: the smallest, and the caller is told. */
  g_ptr_array_set_size (all, 0);
  g_ptr_array_add (all, candidate ("llama3.3:70b", "laptop", 40, "70.6B", TRUE));
  g_ptr_array_add (all, candidate ("mixtral:8x22b", "laptop", 80, "141B", TRUE));
  pick = _hearth_routes_pick_tier (all, HEARTH_ROUTE_TARGET_CAPABLE, hardware, NULL, &n, &none_fits);
  g_assert_true (none_fits);
  g_assert_cmpstr (pick->model, ==, "llama3.3:70b");

  g_ptr_array_set_size (all, 0);
  g_assert_null (_hearth_routes_pick_tier (all, HEARTH_ROUTE_TARGET_FAST, hardware, NULL, &n,
                                           &none_fits));
}

int
main (int   argc,
      char *argv[])
{
  hearth_test_init (&argc, &argv);

  g_test_add_func ("/routes/match/code", test_code_detection);
  g_test_add_func ("/routes/match/keyword", test_keyword_matching);
  g_test_add_func ("/routes/match/lengths", test_lengths_in_characters);
  g_test_add_func ("/routes/describe", test_describe);
  g_test_add_func ("/routes/tiers/fit", test_tiers_fit_this_machine);

  return g_test_run ();
}
