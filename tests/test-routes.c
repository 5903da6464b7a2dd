/* test-routes.c — "Auto": the rules, routes.conf, and what @fast and @capable pick,
 * against real test engines serving models of different sizes
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>

#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-routes-private.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

/* Models as the test engine names them from their files: "name:TAG.gguf". */
#define QUICK  "quick:1b"    /* tiny (~0.8 MB, ~0.2 M parameters), answers a fixed sentence */
#define SMART  "smart:7b"    /* medium (~55 MB, ~14 M parameters), random words */
#define SOLO   "solo:3b"     /* tiny, alone on its server */
#define CLOUDY "cloudy:70b"  /* medium, on a server marked cloud */

/* Helpers */

static char *
make_model (const char *dir_name,
            const char *model,
            const char *mode,
            const char *size)
{
  g_autofree char *dir = hearth_test_build_tmp_path (dir_name, NULL);
  g_autofree char *file = g_strconcat (model, ".gguf", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *script = g_build_filename (g_getenv ("HEARTH_SOURCE_DIR"), "tests", "engine",
                                              "make-model.mjs", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (dir, 0700);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&dir);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, "node", script,
                              "--mode", mode, "--size", size, path, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&dir);
}

/* One test engine per folder of models, started once per program. */
static HearthTestServer *laptop_server, *solo_server, *cloud_server;

static void
stop_servers (void)
{
  g_clear_pointer (&laptop_server, hearth_test_server_stop);
  g_clear_pointer (&solo_server, hearth_test_server_stop);
  g_clear_pointer (&cloud_server, hearth_test_server_stop);
}

static HearthTestServer *
serve (HearthTestServer **server,
       const char        *dir)
{
  const char *args[] = { "--models", dir, NULL };

  if (*server == NULL)
    *server = hearth_test_server_start ("server.mjs", args);
  return *server;
}

static const char *
laptop_url (void)
{
  g_autofree char *dir = make_model ("models-laptop", QUICK, "fixed", "tiny");

  g_free (make_model ("models-laptop", SMART, "random", "medium"));
  return hearth_test_server_get_url (serve (&laptop_server, dir));
}

static const char *
solo_url (void)
{
  g_autofree char *dir = make_model ("models-solo", SOLO, "fixed", "tiny");

  return hearth_test_server_get_url (serve (&solo_server, dir));
}

static const char *
cloud_url (void)
{
  g_autofree char *dir = make_model ("models-cloud", CLOUDY, "random", "medium");

  return hearth_test_server_get_url (serve (&cloud_server, dir));
}

static char *
config_path (const char *name)
{
  return g_build_filename (g_get_user_config_dir (), "hearth", name, NULL);
}

/* Every test starts from no routes.conf and no servers.conf. */
static void
fresh_config (void)
{
  g_autofree char *routes = config_path ("routes.conf");
  g_autofree char *servers = config_path ("servers.conf");

  g_unlink (routes);
  g_unlink (servers);
}

static void
add_server (HearthEngine *engine,
            const char   *name,
            const char   *url,
            gboolean      cloud)
{
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (hearth_servers_add (hearth_engine_get_servers (engine), name, url,
                                        HEARTH_API_OLLAMA, cloud, NULL, &error));
  g_assert_no_error (error);
}

/* Only the servers named (the migrated "local" one is dropped). */
static HearthEngine *
engine_with (const char *first_name,
             ...)
{
  HearthEngine *engine;
  HearthServers *servers;
  va_list args;

  fresh_config ();
  engine = hearth_engine_new (NULL);
  servers = hearth_engine_get_servers (engine);
  va_start (args, first_name);
  for (const char *name = first_name; name != NULL; name = va_arg (args, const char *))
    {
      const char *url = va_arg (args, const char *);
      gboolean cloud = va_arg (args, gboolean);

      add_server (engine, name, url, cloud);
    }
  va_end (args);

  while (g_list_model_get_n_items (G_LIST_MODEL (servers)) > 0)
    {
      g_autoptr(HearthServer) first = g_list_model_get_item (G_LIST_MODEL (servers), 0);
      const char *name = hearth_server_get_name (first);
      g_autoptr(GError) error = NULL;

      if (g_strcmp0 (name, first_name) == 0)
        break;
      g_assert_true (hearth_servers_remove (servers, name, &error));
      g_assert_no_error (error);
    }
  return engine;
}

typedef struct
{
  GMainLoop         *loop;
  HearthRouteChoice *choice;
  GError            *error;
} Wait;

static void
on_chosen (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Wait *wait = user_data;

  wait->choice = hearth_routes_choose_finish (HEARTH_ROUTES (object), result, &wait->error);
  g_main_loop_quit (wait->loop);
}

static HearthRouteChoice *
choose (HearthEngine  *engine,
        const char    *question,
        guint          earlier,
        GError       **error)
{
  g_autoptr(HearthChatRequest) request = hearth_chat_request_new ();
  Wait wait = { g_main_loop_new (NULL, FALSE), NULL, NULL };

  request->model = g_strdup (HEARTH_MODEL_AUTO);
  for (guint i = 0; i < earlier; i++)
    hearth_chat_request_add_message (request, i % 2 ? "assistant" : "user", "ok");
  hearth_chat_request_add_message (request, "user", question);
  hearth_routes_choose_async (hearth_engine_get_routes (engine), request, earlier, NULL,
                              on_chosen, &wait);
  g_main_loop_run (wait.loop);
  g_main_loop_unref (wait.loop);
  if (wait.error != NULL)
    g_propagate_error (error, wait.error);
  return wait.choice;
}

static HearthRouteChoice *
choose_ok (HearthEngine *engine,
           const char   *question,
           guint         earlier)
{
  g_autoptr(GError) error = NULL;
  HearthRouteChoice *choice = choose (engine, question, earlier, &error);

  g_assert_no_error (error);
  g_assert_nonnull (choice);
  return choice;
}

static void
assert_choice (HearthRouteChoice *choice,
               const char        *model,
               const char        *server,
               const char        *rule_id,
               const char        *explanation_part)
{
  g_test_message ("%s → %s on %s: %s", choice->rule_id, choice->model, choice->server,
                  choice->explanation);
  g_assert_cmpstr (choice->model, ==, model);
  g_assert_cmpstr (choice->server, ==, server);
  g_assert_cmpstr (choice->rule_id, ==, rule_id);
  g_assert_nonnull (strstr (choice->explanation, explanation_part));
}

static char *
add_rule (HearthEngine    *engine,
          HearthRouteKind  kind,
          const char      *value,
          const char      *model,
          const char      *server,
          int              position)
{
  g_autoptr(GError) error = NULL;
  char *id = hearth_routes_add (hearth_engine_get_routes (engine), kind, value, model, server,
                                position, &error);

  g_assert_no_error (error);
  g_assert_nonnull (id);
  return id;
}

static char *
ids_of (HearthRoutes *routes)
{
  g_autoptr(GPtrArray) rules = hearth_routes_list (routes);
  g_autoptr(GString) ids = g_string_new (NULL);

  for (guint i = 0; i < rules->len; i++)
    g_string_append_printf (ids, "%s%s", i ? " " : "",
                            ((HearthRoute *) g_ptr_array_index (rules, i))->id);
  return g_strdup (ids->str);
}

static char *
long_prose (guint characters)
{
  GString *text = g_string_new (NULL);

  /* Multi-byte letters: the length counts characters, not bytes. */
  while (g_utf8_strlen (text->str, -1) < characters)
    g_string_append (text, "Erzähl mir über Bäume und Flüsse. ");
  return g_string_free (text, FALSE);
}

/* Matching, without servers */

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

/* With servers */

static void
test_defaults (void)
{
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthRouteChoice) short_chat = NULL;
  g_autoptr(HearthRouteChoice) fenced = NULL;
  g_autoptr(HearthRouteChoice) long_prompt = NULL;
  g_autoptr(HearthRouteChoice) long_chat = NULL;
  g_autoptr(HearthRouteChoice) almost_long_chat = NULL;
  g_autofree char *prose = NULL;
  g_autofree char *ids = NULL;

  if (!hearth_test_require_node ())
    return;
  engine = engine_with ("laptop", laptop_url (), FALSE, NULL);
  g_assert_true (hearth_routes_are_default (hearth_engine_get_routes (engine)));
  ids = ids_of (hearth_engine_get_routes (engine));
  g_assert_cmpstr (ids, ==, "default-code default-long default-conversation default");

  short_chat = choose_ok (engine, "hi, how are you?", 0);
  assert_choice (short_chat, QUICK, "laptop", "default",
                 "everything else → the fastest model you have (" QUICK ")");

  fenced = choose_ok (engine, "Why?\n```c\nint x = 1\n```", 0);
  assert_choice (fenced, SMART, "laptop", "default-code",
                 "code → the most capable model you have (" SMART ")");

  prose = long_prose (1500);
  long_prompt = choose_ok (engine, prose, 0);
  assert_choice (long_prompt, SMART, "laptop", "default-long",
                 "a long question (1,500 characters or more) → the most capable model you have");

  long_chat = choose_ok (engine, "and then?", 20);
  assert_choice (long_chat, SMART, "laptop", "default-conversation", "(" SMART ")");
  almost_long_chat = choose_ok (engine, "and then?", 19);
  assert_choice (almost_long_chat, QUICK, "laptop", "default", QUICK);
}

static void
test_one_model_is_both_tiers (void)
{
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthRouteChoice) fast = NULL;
  g_autoptr(HearthRouteChoice) capable = NULL;

  if (!hearth_test_require_node ())
    return;
  engine = engine_with ("solo", solo_url (), FALSE, NULL);
  fast = choose_ok (engine, "hi", 0);
  capable = choose_ok (engine, "```\nx\n```", 0);
  assert_choice (fast, SOLO, "solo", "default", "the only model you have");
  assert_choice (capable, SOLO, "solo", "default-code", "the only model you have");
}

static void
test_user_rules (void)
{
  g_autoptr(HearthEngine) engine = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *tiny = NULL;
  g_autofree char *cloud = NULL;
  g_autofree char *pinned = NULL;
  g_autofree char *ids = NULL;
  HearthRoutes *routes;

  if (!hearth_test_require_node ())
    return;
  engine = engine_with ("laptop", laptop_url (), FALSE, "cloudbox", cloud_url (), TRUE, NULL);
  routes = hearth_engine_get_routes (engine);

  sql = add_rule (engine, HEARTH_ROUTE_KEYWORD, " SQL ", HEARTH_ROUTE_TARGET_CAPABLE, NULL, -1);
  g_assert_false (hearth_routes_are_default (routes));
  /* The first change copies the defaults; the new rule goes before the default one. */
  ids = ids_of (routes);
  g_assert_cmpstr (ids, ==, "default-code default-long default-conversation r1 default");
  {
    g_autoptr(HearthRouteChoice) a = choose_ok (engine, "how do I join in sql?", 0);
    g_autoptr(HearthRouteChoice) b = choose_ok (engine, "is nosql web scale?", 0);

    assert_choice (a, SMART, "laptop", sql, "the word “SQL” → the most capable model you have");
    assert_choice (b, QUICK, "laptop", "default", QUICK);
  }

  /* A short question, to a model by name, first in the list */
  tiny = add_rule (engine, HEARTH_ROUTE_SHORT_PROMPT, "12", QUICK, NULL, 0);
  {
    g_autoptr(HearthRouteChoice) a = choose_ok (engine, "sql?", 0);
    g_autoptr(HearthRouteChoice) b = choose_ok (engine, "a longer question about sql", 0);

    assert_choice (a, QUICK, "laptop", tiny,
                   "a short question (12 characters or fewer) → " QUICK " (on laptop)");
    assert_choice (b, SMART, "laptop", sql, SMART);
  }

  /* An explicit server: a cloud one is used when a rule names it */
  cloud = add_rule (engine, HEARTH_ROUTE_KEYWORD, "proof", HEARTH_ROUTE_TARGET_CAPABLE,
                    "cloudbox", 0);
  pinned = add_rule (engine, HEARTH_ROUTE_KEYWORD, "poem", "any-model:1b", "laptop", 0);
  {
    g_autoptr(HearthRouteChoice) a = choose_ok (engine, "a proof that √2 is irrational", 0);
    g_autoptr(HearthRouteChoice) b = choose_ok (engine, "write me a poem", 0);

    assert_choice (a, CLOUDY, "cloudbox", cloud,
                   "the word “proof” → " CLOUDY ", the only model cloudbox has");
    assert_choice (b, "any-model:1b", "laptop", pinned, "any-model:1b on laptop");
  }

  /* Order: the first rule that matches wins, and moving changes it */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(HearthRouteChoice) before = choose_ok (engine, "a poem with sql and a proof", 0);
    g_autoptr(HearthRouteChoice) after = NULL;

    g_assert_cmpstr (before->rule_id, ==, pinned);
    g_assert_true (hearth_routes_move (routes, sql, 0, &error));
    g_assert_no_error (error);
    after = choose_ok (engine, "a poem with sql and a proof", 0);
    g_assert_cmpstr (after->rule_id, ==, sql);
  }
}

static void
on_changed (HearthRoutes *routes,
            guint        *count)
{
  (*count)++;
}

static void
test_persistence_and_reset (void)
{
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthEngine) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = config_path ("routes.conf");
  g_autofree char *contents = NULL;
  g_autofree char *id = NULL;
  g_autofree char *ids = NULL;
  g_autofree char *ids_again = NULL;
  g_autoptr(GPtrArray) rules = NULL;
  HearthRoute *kept;
  guint changes = 0;

  if (!hearth_test_require_node ())
    return;
  engine = engine_with ("laptop", laptop_url (), FALSE, NULL);
  g_signal_connect (hearth_engine_get_routes (engine), "changed", G_CALLBACK (on_changed), &changes);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  id = add_rule (engine, HEARTH_ROUTE_LONG_PROMPT, "4000", SMART, "laptop", 1);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "[rule r1]"));
  ids = ids_of (hearth_engine_get_routes (engine));

  /* A new engine (the CLI, the next start) reads the same rules, in order. */
  again = hearth_engine_new (NULL);
  ids_again = ids_of (hearth_engine_get_routes (again));
  g_assert_cmpstr (ids_again, ==, ids);
  rules = hearth_routes_list (hearth_engine_get_routes (again));
  kept = g_ptr_array_index (rules, 1);
  g_assert_cmpstr (kept->id, ==, id);
  g_assert_cmpint (kept->kind, ==, HEARTH_ROUTE_LONG_PROMPT);
  g_assert_cmpstr (kept->value, ==, "4000");
  g_assert_cmpstr (kept->model, ==, SMART);
  g_assert_cmpstr (kept->server, ==, "laptop");

  g_assert_true (hearth_routes_reset (hearth_engine_get_routes (engine), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changes, ==, 2);
  g_assert_true (hearth_routes_are_default (hearth_engine_get_routes (engine)));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_pointer (&ids, g_free);
  ids = ids_of (hearth_engine_get_routes (engine));
  g_assert_cmpstr (ids, ==, "default-code default-long default-conversation default");
}

static gboolean
give_up (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_changed_quit (HearthRoutes *routes,
                 GMainLoop    *loop)
{
  g_main_loop_quit (loop);
}

/* Runs @script in a shell, as another program editing routes.conf would,
 * and waits for the engine to notice. */
static void
edit_elsewhere (HearthRoutes *routes,
                const char   *script)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "hearth", NULL);
  const char *argv[] = { "sh", "-c", script, NULL };
  int status = 0;
  gulong handler;
  guint timeout;

  handler = g_signal_connect (routes, "changed", G_CALLBACK (on_changed_quit), loop);
  /* A bound so that a missed change fails instead of hanging. */
  timeout = g_timeout_add_seconds (20, give_up, loop);
  g_assert_true (g_spawn_sync (dir, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                               NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  g_main_loop_run (loop);
  g_signal_handler_disconnect (routes, handler);
  g_assert_true (g_source_remove (timeout));
}

static void
test_other_process_edits (void)
{
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthRouteChoice) choice = NULL;
  g_autofree char *ids = NULL;
  HearthRoutes *routes;

  if (!hearth_test_require_node ())
    return;
  engine = engine_with ("laptop", laptop_url (), FALSE, NULL);
  routes = hearth_engine_get_routes (engine);
  g_assert_true (hearth_routes_are_default (routes));

  /* Written aside and moved into place, as editors and g_file_set_contents do */
  edit_elsewhere (routes,
                  "printf '[rule mine]\\nkind=keyword\\nvalue=weather\\nmodel=" SMART "\\n\\n"
                  "[rule default]\\nkind=default\\nmodel=" QUICK "\\n' > routes.conf.new && "
                  "mv routes.conf.new routes.conf");
  g_assert_false (hearth_routes_are_default (routes));
  ids = ids_of (routes);
  g_assert_cmpstr (ids, ==, "mine default");
  choice = choose_ok (engine, "what is the weather like?", 0);
  assert_choice (choice, SMART, "laptop", "mine", "the word “weather” → " SMART);

  edit_elsewhere (routes, "rm routes.conf");
  g_assert_true (hearth_routes_are_default (routes));
}

/* A file a person broke: what reads is used, and the file is kept aside, not written over. */
static void
test_broken_file_kept (void)
{
  g_autofree char *path = config_path ("routes.conf");
  g_autofree char *backup = g_strconcat (path, ".bak", NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *kept = NULL;
  g_autofree char *ids = NULL;
  g_autofree char *id = NULL;
  const char *garbage = "this is not [a key file\n";
  const char *half = "[rule mine]\nkind=keyword\nvalue=tea\nmodel=" QUICK "\n\n"
                     "[rule odd]\nkind=sideways\nmodel=" QUICK "\n";

  fresh_config ();
  g_unlink (backup);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, garbage, -1, NULL));
  {
    g_autoptr(HearthEngine) engine = hearth_engine_new (NULL);
    HearthRoutes *routes = hearth_engine_get_routes (engine);

    g_assert_true (hearth_routes_are_default (routes));
    id = add_rule (engine, HEARTH_ROUTE_CODE, NULL, QUICK, NULL, -1);
    g_assert_true (g_file_get_contents (backup, &kept, NULL, NULL));
    g_assert_cmpstr (kept, ==, garbage);
    g_clear_pointer (&kept, g_free);
  }

  g_unlink (backup);
  g_assert_true (g_file_set_contents (path, half, -1, NULL));
  {
    g_autoptr(HearthEngine) engine = hearth_engine_new (NULL);
    HearthRoutes *routes = hearth_engine_get_routes (engine);
    g_autoptr(GError) error = NULL;

    ids = ids_of (routes);
    g_assert_cmpstr (ids, ==, "mine default");
    g_assert_false (g_file_test (backup, G_FILE_TEST_EXISTS));
    g_assert_true (hearth_routes_remove (routes, "mine", &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (backup, &kept, NULL, NULL));
    g_assert_cmpstr (kept, ==, half);
  }
}

static void
assert_refused (GError     *error,
                const char *part)
{
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, part));
}

static void
test_bad_input (void)
{
  g_autoptr(HearthEngine) engine = NULL;
  g_autofree char *path = config_path ("routes.conf");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *id = NULL;
  HearthRoutes *routes;
  struct
  {
    HearthRouteKind  kind;
    const char      *value;
    const char      *model;
    const char      *server;
    int              position;
    const char      *says;
  } bad[] = {
    { 99, NULL, "@fast", NULL, -1, "no such kind of rule" },
    { HEARTH_ROUTE_LONG_PROMPT, "0", "@fast", NULL, -1, "“0” is not a positive whole number" },
    { HEARTH_ROUTE_LONG_PROMPT, "-5", "@fast", NULL, -1, "such as 1500" },
    { HEARTH_ROUTE_SHORT_PROMPT, "ten", "@fast", NULL, -1, "“ten” is not a positive whole number" },
    { HEARTH_ROUTE_LONG_CONVERSATION, NULL, "@fast", NULL, -1,
      "A long-conversation rule needs a number of earlier messages, such as 20" },
    { HEARTH_ROUTE_KEYWORD, "  ", "@fast", NULL, -1, "needs a word to look for" },
    { HEARTH_ROUTE_KEYWORD, NULL, "@fast", NULL, -1, "needs a word to look for" },
    { HEARTH_ROUTE_CODE, "x", "@fast", NULL, -1, "takes no value" },
    { HEARTH_ROUTE_CODE, NULL, "", NULL, -1, "needs a model" },
    { HEARTH_ROUTE_CODE, NULL, "@huge", NULL, -1, "“@huge” is not a model Hearth can pick" },
    { HEARTH_ROUTE_CODE, NULL, "auto", NULL, -1, "cannot pick “auto”" },
    { HEARTH_ROUTE_CODE, NULL, "@fast", "nowhere", -1,
      "There is no server named “nowhere”: your servers are laptop" },
    { HEARTH_ROUTE_CODE, NULL, "@fast", NULL, -3, "-3 is not a position" },
  };

  if (!hearth_test_require_node ())
    return;
  engine = engine_with ("laptop", laptop_url (), FALSE, NULL);
  routes = hearth_engine_get_routes (engine);
  id = add_rule (engine, HEARTH_ROUTE_KEYWORD, "sql", "not-installed:9b", NULL, -1);
  g_assert_true (g_file_get_contents (path, &before, NULL, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *none = hearth_routes_add (routes, bad[i].kind, bad[i].value, bad[i].model,
                                                 bad[i].server, bad[i].position, &error);

      g_assert_null (none);
      assert_refused (error, bad[i].says);
    }

  {
    g_autoptr(GError) error = NULL;

    g_assert_false (hearth_routes_remove (routes, "default", &error));
    assert_refused (error, "The default rule cannot be removed");
  }
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (hearth_routes_move (routes, "default", 0, &error));
    assert_refused (error, "The default rule cannot be moved");
  }
  {
    g_autoptr(GError) error = NULL;

    /* five rules: r1 can go to 0–3, never after the default */
    g_assert_false (hearth_routes_move (routes, id, 4, &error));
    assert_refused (error, "the positions are 0 to 3");
  }
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (hearth_routes_remove (routes, "r7", &error));
    assert_refused (error, "There is no rule “r7”: the rules are default-code, default-long, "
                           "default-conversation, r1, default");
  }

  /* Nothing was lost or written */
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);

  /* A rule whose model no enabled server has: the choice fails, saying which */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(HearthRouteChoice) choice = choose (engine, "a question about sql", 0, &error);

    g_assert_null (choice);
    g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "The rule “r1” (the word “sql”) picks "
                                              "not-installed:9b, which is not installed on any "
                                              "enabled server"));
  }
}

static void
test_tiers_never_cloud (void)
{
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthRouteChoice) capable = NULL;
  g_autoptr(HearthRouteChoice) fast = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthRouteChoice) none = NULL;

  if (!hearth_test_require_node ())
    return;
  /* The cloud server has the biggest model; "the most capable you have" stays local. */
  engine = engine_with ("cloudbox", cloud_url (), TRUE, "solo", solo_url (), FALSE, NULL);
  capable = choose_ok (engine, "```\nfix me\n```", 0);
  fast = choose_ok (engine, "hi", 0);
  assert_choice (capable, SOLO, "solo", "default-code", "the only model you have");
  assert_choice (fast, SOLO, "solo", "default", SOLO);

  /* With the local server off, only the cloud is left: Auto does not go there. */
  g_assert_true (hearth_servers_set_enabled (hearth_engine_get_servers (engine), "solo", FALSE,
                                             &error));
  g_assert_no_error (error);
  none = choose (engine, "hi", 0, &error);
  g_assert_null (none);
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_NO_MODEL);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "found no model to use"));
  g_assert_nonnull (strstr (error->message, "cloud servers are only used when a rule names them"));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  hearth_test_init (&argc, &argv);

  g_test_add_func ("/routes/match/code", test_code_detection);
  g_test_add_func ("/routes/match/keyword", test_keyword_matching);
  g_test_add_func ("/routes/match/lengths", test_lengths_in_characters);
  g_test_add_func ("/routes/describe", test_describe);
  g_test_add_func ("/routes/tiers/fit", test_tiers_fit_this_machine);
  g_test_add_func ("/routes/defaults", test_defaults);
  g_test_add_func ("/routes/one-model", test_one_model_is_both_tiers);
  g_test_add_func ("/routes/user-rules", test_user_rules);
  g_test_add_func ("/routes/persistence-reset", test_persistence_and_reset);
  g_test_add_func ("/routes/other-process", test_other_process_edits);
  g_test_add_func ("/routes/bad-input", test_bad_input);
  g_test_add_func ("/routes/broken-file", test_broken_file_kept);
  g_test_add_func ("/routes/tiers/never-cloud", test_tiers_never_cloud);

  status = g_test_run ();
  stop_servers ();
  return status;
}
