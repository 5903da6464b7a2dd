/* test-parity.c — one question through the GUI's core calls and through hearth-cli, one answer
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <json-glib/json-glib.h>
#include <math.h>

#include "hearth-endpoint.h"
#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

#define AUTH_REPLY "Hello from the fault server."

/* The GUI's path: the engine in this process, the server from GSettings. */

static GSettings *
server_settings (const char *url,
                 const char *api)
{
  GSettings *settings = hearth_settings_try_new ();

  g_assert_nonnull (settings);
  g_settings_set_string (settings, "endpoint", url);
  g_settings_set_string (settings, "api-kind", api);
  return settings;
}

static HearthProvider *
configured_provider (HearthEngine *engine,
                     GSettings    *settings)
{
  g_autoptr(GError) error = NULL;
  HearthProvider *provider = hearth_engine_get_configured_provider (engine, settings, &error);

  g_assert_no_error (error);
  return provider;
}

static void
keep_result (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* What the chat page sends: one user message, the model, the temperature. */
static HearthReply *
gui_ask (HearthEngine   *engine,
         HearthProvider *provider,
         const char     *model,
         const char     *prompt,
         double          temperature)
{
  g_autoptr(GError) error = NULL;
  HearthChatRequest *request = hearth_chat_request_new ();
  HearthReply *reply;

  request->model = g_strdup (model);
  request->temperature = temperature;
  hearth_chat_request_add_message (request, "user", prompt);
  reply = hearth_engine_chat (engine, provider, request, -1, &error);
  g_assert_no_error (error);
  while (!hearth_reply_is_finished (reply))
    g_main_context_iteration (NULL, TRUE);
  return reply;
}

/* The CLI's path */

/* A failure the GUI shows in a toast, the CLI prints as its one line. */
static void
assert_same_failure (const HearthTestRun *run,
                     const GError        *error)
{
  g_autofree char *line = hearth_error_describe (error);
  g_autofree char *expected = g_strdup_printf ("hearth-cli: %s\n", line);

  g_assert_cmpint (run->exit_code, ==, hearth_error_exit_code (error));
  g_assert_cmpstr (run->out, ==, "");
  g_assert_cmpstr (run->err, ==, expected);
}

/* (a) The key from the environment reaches an OpenAI-compatible server from both. */
static void
test_key_from_environment (void)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthEngine) keyless = NULL;
  g_autoptr(HearthReply) reply = NULL;
  g_autoptr(HearthReply) refused = NULL;
  g_autoptr(HearthTestRun) run = NULL;
  g_autoptr(HearthTestRun) refused_run = NULL;
  const char *url;

  if (!hearth_test_require_node ())
    return;
  url = hearth_test_fault_url ();
  settings = server_settings (url, "openai");
  g_unsetenv ("HEARTH_API_KEY");
  g_setenv ("OPENAI_API_KEY", "sekrit", TRUE);

  /* The fault server answers "auth" only with Authorization: Bearer sekrit. */
  engine = hearth_engine_new_for_settings (settings, 0);
  reply = gui_ask (engine, configured_provider (engine, settings), "auth", "hi", NAN);
  run = hearth_test_run_cli (NULL, "ask", "--endpoint", url, "--api", "openai", "--model", "auth",
                             "hi", NULL);
  g_assert_null (hearth_reply_get_error (reply));
  g_assert_cmpstr (hearth_reply_get_content (reply), ==, AUTH_REPLY);
  g_assert_cmpint (run->exit_code, ==, 0);
  g_assert_cmpstr (run->out, ==, hearth_reply_get_content (reply));

  /* Without it both are refused, in the same words. */
  g_unsetenv ("OPENAI_API_KEY");
  keyless = hearth_engine_new_for_settings (settings, 0);
  refused = gui_ask (keyless, configured_provider (keyless, settings), "auth", "hi", NAN);
  refused_run = hearth_test_run_cli (NULL, "ask", "--endpoint", url, "--api", "openai", "--model",
                                     "auth", "hi", NULL);
  g_assert_nonnull (hearth_reply_get_error (refused));
  assert_same_failure (refused_run, hearth_reply_get_error (refused));
  g_settings_reset (settings, "endpoint");
  g_settings_reset (settings, "api-kind");
}

/* (b) An API Hearth does not speak is the same usage error from both. */
static void
test_unknown_api (void)
{
  const char *commands[][3] = {
    { "ask", "hi", NULL },
    { "models", NULL },
    { "show", "tiny-fixed", NULL },
    { "ps", NULL },
  };
  g_autoptr(HearthEngine) engine = hearth_engine_new_for_settings (NULL, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) resolve_error = NULL;
  HearthApiKind api;

  g_assert_null (hearth_engine_resolve_provider (engine, NULL, "gemini", &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_assert_false (hearth_resolve_api_kind ("gemini", NULL, &api, &resolve_error));
  g_assert_cmpstr (resolve_error->message, ==, error->message);
  g_assert_cmpint (hearth_error_exit_code (error), ==, 2);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const char *args[8] = { commands[i][0], "--api", "gemini", "--endpoint", "127.0.0.1:9" };
      g_autoptr(HearthTestRun) run = NULL;

      args[5] = commands[i][1];
      run = hearth_test_run_cliv (NULL, args);
      assert_same_failure (run, error);
    }
}

/* (c) A conversation found by its title only: one ranking for the sidebar and the CLI. */
static JsonObject *
find_conversation (JsonArray *array,
                   gint64     id)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);

      if (json_object_get_int_member (object, "conversation_id") == id)
        return object;
    }
  g_assert_not_reached ();
}

static gint64
add_titled_conversation (const char *title,
                         const char *text)
{
  g_autoptr(HearthStore) store = hearth_test_open_history ();
  g_autoptr(HearthMessage) message = hearth_message_new ("user", text);
  g_autoptr(GError) error = NULL;
  gint64 id = hearth_store_create_conversation (store, title, &error);

  g_assert_no_error (error);
  message->conversation_id = id;
  hearth_store_add_message (store, message, &error);
  g_assert_no_error (error);
  return id;
}

static void
test_title_search (void)
{
  g_autoptr(HearthEngine) engine = hearth_engine_new_for_settings (NULL, HEARTH_ENGINE_HISTORY);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) matches = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthTestRun) json = NULL;
  g_autoptr(HearthTestRun) text = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *line = NULL;
  gint64 titled = add_titled_conversation ("Quokka field notes", "What do I pack for a walk?");
  gint64 spoken = add_titled_conversation ("Marsupials", "Is a quokka a marsupial?");
  JsonArray *array;
  JsonObject *object;

  hearth_engine_search_async (engine, "quokka", 50, NULL, keep_result, &result);
  matches = hearth_engine_search_finish (engine, wait_for (&result), &error);
  g_assert_no_error (error);
  json = hearth_test_run_cli (NULL, "history", "search", "quokka", "--json", NULL);
  g_assert_cmpint (json->exit_code, ==, 0);
  root = hearth_test_parse_json (json->out);
  array = json_node_get_array (root);

  /* the same conversations, in the same order */
  g_assert_cmpuint (json_array_get_length (array), ==, matches->len);
  for (guint i = 0; i < matches->len; i++)
    {
      HearthConversationMatch *match = g_ptr_array_index (matches, i);

      object = json_array_get_object_element (array, i);
      g_assert_cmpint (json_object_get_int_member (object, "conversation_id"), ==,
                       match->conversation->id);
      if (match->conversation->id == titled)
        {
          g_assert_cmpint (match->message_id, ==, 0);
          g_assert_null (match->snippet);
        }
    }
  object = find_conversation (array, titled);
  g_assert_cmpstr (json_object_get_string_member (object, "role"), ==, "title");
  g_assert_true (json_object_get_null_member (object, "message_id"));
  g_assert_true (json_object_get_null_member (object, "snippet"));
  g_assert_cmpstr (json_object_get_string_member (object, "title"), ==, "Quokka field notes");
  object = find_conversation (array, spoken);
  g_assert_cmpstr (json_object_get_string_member (object, "role"), ==, "user");
  g_assert_nonnull (strstr (json_object_get_string_member (object, "snippet"), "[quokka]"));

  text = hearth_test_run_cli (NULL, "history", "search", "quokka", NULL);
  g_assert_cmpint (text->exit_code, ==, 0);
  line = g_strdup_printf ("%6" G_GINT64_FORMAT "  %-9s %s\n        %s\n", titled, "title",
                          "Quokka field notes", "Quokka field notes");
  g_assert_nonnull (strstr (text->out, line));
}

/* (d) The response cache: a deterministic question asked by one front end is
 * answered from the cache when the other asks it. */
static gboolean
gui_ask_cached (const char *url,
                const char *prompt)
{
  g_autoptr(GSettings) settings = server_settings (url, "ollama");
  g_autoptr(HearthEngine) engine = hearth_engine_new_for_settings (settings,
                                                                  HEARTH_ENGINE_HISTORY |
                                                                  HEARTH_ENGINE_CACHE);
  g_autoptr(HearthReply) reply = gui_ask (engine, configured_provider (engine, settings),
                                          "tiny-fixed", prompt, 0);
  gboolean cached = hearth_reply_get_cached (reply);

  g_assert_null (hearth_reply_get_error (reply));
  /* what the application does when it quits */
  hearth_engine_shutdown (engine);
  g_settings_reset (settings, "endpoint");
  g_settings_reset (settings, "api-kind");
  return cached;
}

static gboolean
cli_ask_cached (const char *url,
                const char *prompt)
{
  g_autoptr(HearthTestRun) run = hearth_test_run_cli (NULL, "ask", "--endpoint", url, "--model",
                                                      "tiny-fixed", "--temperature=0", "--json",
                                                      prompt, NULL);
  g_autoptr(JsonNode) root = NULL;

  g_assert_cmpint (run->exit_code, ==, 0);
  root = hearth_test_parse_json (run->out);
  return json_object_get_boolean_member (json_node_get_object (root), "cached");
}

static void
test_cache_both_ways (void)
{
  const char *url;

  if (!hearth_test_require_node ())
    return;
  url = hearth_test_engine_url ();
  g_assert_false (gui_ask_cached (url, "Parity: the window asks first"));
  g_assert_true (cli_ask_cached (url, "Parity: the window asks first"));
  g_assert_false (cli_ask_cached (url, "Parity: the command asks first"));
  g_assert_true (gui_ask_cached (url, "Parity: the command asks first"));
}

/* (e) show, ps, unload and rm print what the provider calls of the Models page return. */
static HearthModelDetails *
gui_show (HearthProvider *provider,
          const char     *model,
          GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hearth_provider_show_async (provider, model, NULL, keep_result, &result);
  return hearth_provider_show_finish (provider, wait_for (&result), error);
}

static GPtrArray *
gui_list_loaded (HearthProvider *provider)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *loaded;

  hearth_provider_list_loaded_async (provider, NULL, keep_result, &result);
  loaded = hearth_provider_list_loaded_finish (provider, wait_for (&result), &error);
  g_assert_no_error (error);
  return loaded;
}

static JsonObject *
find_named (JsonArray  *array,
            const char *name)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member (object, "name"), name) == 0)
        return object;
    }
  return NULL;
}

static void
test_show (void)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthModelDetails) details = NULL;
  g_autoptr(HearthTestRun) json = NULL, text = NULL, missing = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *context = NULL;
  JsonObject *object;
  JsonArray *capabilities;
  const char *url;

  if (!hearth_test_require_node ())
    return;
  url = hearth_test_engine_url ();
  settings = server_settings (url, "ollama");
  engine = hearth_engine_new_for_settings (settings, 0);
  details = gui_show (configured_provider (engine, settings), "tiny-fixed", &error);
  g_assert_no_error (error);
  g_assert_cmpint (details->context_length, >, 0);

  json = hearth_test_run_cli (NULL, "show", "tiny-fixed", "--endpoint", url, "--json", NULL);
  g_assert_cmpint (json->exit_code, ==, 0);
  root = hearth_test_parse_json (json->out);
  object = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, details->name);
  g_assert_cmpint (json_object_get_int_member (object, "context_length"), ==,
                   details->context_length);
  g_assert_cmpint (json_object_get_int_member (object, "parameter_count"), ==,
                   details->parameter_count);
  g_assert_cmpstr (json_object_get_string_member (object, "parameter_size"), ==,
                   details->parameter_size);
  g_assert_cmpstr (json_object_get_string_member (object, "quantization"), ==, "F32");
  g_assert_cmpstr (json_object_get_string_member (object, "family"), ==, details->family);
  g_assert_cmpstr (json_object_get_string_member (object, "format"), ==, details->format);
  capabilities = json_object_get_array_member (object, "capabilities");
  g_assert_cmpuint (json_array_get_length (capabilities), ==, g_strv_length (details->capabilities));
  g_assert_cmpstr (json_array_get_string_element (capabilities, 0), ==, "completion");

  text = hearth_test_run_cli (NULL, "show", "tiny-fixed", "--endpoint", url, NULL);
  g_assert_cmpint (text->exit_code, ==, 0);
  context = g_strdup_printf ("Context length:  %" G_GINT64_FORMAT "\n", details->context_length);
  g_assert_nonnull (strstr (text->out, context));
  g_assert_nonnull (strstr (text->out, "Capabilities:    completion\n"));

  missing = hearth_test_run_cli (NULL, "show", "no-such-model", "--endpoint", url, NULL);
  g_assert_cmpint (missing->exit_code, ==, 4);
  hearth_test_assert_one_line (missing->err);
  g_settings_reset (settings, "endpoint");
  g_settings_reset (settings, "api-kind");
}

static void
test_ps_and_unload (void)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(HearthTestRun) ask = NULL, json = NULL, text = NULL, unload = NULL, again = NULL;
  g_autoptr(HearthTestRun) after = NULL, after_text = NULL;
  g_autoptr(JsonNode) root = NULL, after_root = NULL;
  HearthLoadedModel *model = NULL;
  HearthProvider *provider;
  JsonObject *object;
  const char *url;

  if (!hearth_test_require_node ())
    return;
  url = hearth_test_engine_url ();
  ask = hearth_test_run_cli (NULL, "ask", "--endpoint", url, "--model", "tiny-fixed", "--no-cache",
                             "wake up", NULL);
  g_assert_cmpint (ask->exit_code, ==, 0);

  settings = server_settings (url, "ollama");
  engine = hearth_engine_new_for_settings (settings, 0);
  provider = configured_provider (engine, settings);
  loaded = gui_list_loaded (provider);
  for (guint i = 0; i < loaded->len; i++)
    if (g_str_equal (((HearthLoadedModel *) loaded->pdata[i])->name, "tiny-fixed:latest"))
      model = loaded->pdata[i];
  g_assert_nonnull (model);

  json = hearth_test_run_cli (NULL, "ps", "--endpoint", url, "--json", NULL);
  g_assert_cmpint (json->exit_code, ==, 0);
  root = hearth_test_parse_json (json->out);
  object = find_named (json_node_get_array (root), model->name);
  g_assert_nonnull (object);
  g_assert_cmpint (json_object_get_int_member (object, "size"), ==, model->size);
  g_assert_cmpint (json_object_get_int_member (object, "size_vram"), ==, model->size_vram);
  g_assert_cmpfloat (json_object_get_double_member (object, "vram_percent"), ==,
                     hearth_loaded_model_vram_percent (model));
  g_assert_cmpstr (json_object_get_string_member (object, "expires_at"), ==, model->expires_at);

  text = hearth_test_run_cli (NULL, "ps", "--endpoint", url, NULL);
  g_assert_cmpint (text->exit_code, ==, 0);
  g_assert_true (g_str_has_prefix (text->out, "NAME"));
  g_assert_nonnull (strstr (text->out, "tiny-fixed:latest"));

  unload = hearth_test_run_cli (NULL, "unload", "tiny-fixed", "--endpoint", url, NULL);
  g_assert_cmpint (unload->exit_code, ==, 0);
  g_assert_cmpstr (unload->out, ==, "");
  g_assert_cmpstr (unload->err, ==, "");
  g_clear_pointer (&loaded, g_ptr_array_unref);
  loaded = gui_list_loaded (provider);
  for (guint i = 0; i < loaded->len; i++)
    g_assert_cmpstr (((HearthLoadedModel *) loaded->pdata[i])->name, !=, "tiny-fixed:latest");
  after = hearth_test_run_cli (NULL, "ps", "--endpoint", url, "--json", NULL);
  after_root = hearth_test_parse_json (after->out);
  g_assert_null (find_named (json_node_get_array (after_root), "tiny-fixed:latest"));
  if (loaded->len == 0)
    {
      after_text = hearth_test_run_cli (NULL, "ps", "--endpoint", url, NULL);
      g_assert_cmpint (after_text->exit_code, ==, 0);
      g_assert_cmpstr (after_text->out, ==, "");
      g_assert_cmpstr (after_text->err, ==, "hearth-cli: No model is loaded.\n");
    }

  /* a model that is not loaded: nothing to do, as Ollama says */
  again = hearth_test_run_cli (NULL, "unload", "tiny-fixed", "--endpoint", url, NULL);
  g_assert_cmpint (again->exit_code, ==, 0);
  g_assert_cmpstr (again->err, ==, "");
  g_settings_reset (settings, "endpoint");
  g_settings_reset (settings, "api-kind");
}

static void
test_rm (void)
{
  g_autofree char *file = NULL;
  g_autoptr(HearthTestRun) rm = NULL, models = NULL, again = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *url;

  if (!hearth_test_require_node ())
    return;
  url = hearth_test_engine_url ();
  file = hearth_test_make_model ("fixed", "tiny-doomed");

  rm = hearth_test_run_cli (NULL, "rm", "tiny-doomed", "--endpoint", url, NULL);
  g_assert_cmpstr (rm->err, ==, "");
  g_assert_cmpint (rm->exit_code, ==, 0);
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  models = hearth_test_run_cli (NULL, "models", "--endpoint", url, "--json", NULL);
  root = hearth_test_parse_json (models->out);
  g_assert_null (find_named (json_node_get_array (root), "tiny-doomed:latest"));

  again = hearth_test_run_cli (NULL, "rm", "tiny-doomed", "--endpoint", url, NULL);
  g_assert_cmpint (again->exit_code, ==, 4);
  hearth_test_assert_one_line (again->err);
  g_assert_nonnull (strstr (again->err, "tiny-doomed"));
}

/* An OpenAI-compatible server has no show, ps, unload or delete: said, not guessed. */
static void
test_not_supported (void)
{
  const char *commands[][2] = {
    { "show", "tiny-fixed" },
    { "ps", NULL },
    { "unload", "tiny-fixed" },
    { "rm", "tiny-fixed" },
  };
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthModelDetails) details = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *fixed = NULL;
  const char *url;

  if (!hearth_test_require_node ())
    return;
  url = hearth_test_engine_url ();
  fixed = hearth_test_make_model ("fixed", "tiny-fixed");
  settings = server_settings (url, "openai");
  engine = hearth_engine_new_for_settings (settings, 0);
  details = gui_show (configured_provider (engine, settings), "tiny-fixed", &error);
  g_assert_null (details);
  g_assert_true (hearth_error_is_not_supported (error));
  g_assert_cmpint (hearth_error_exit_code (error), ==, 8);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const char *args[7] = { commands[i][0], "--endpoint", url, "--api", "openai" };
      g_autoptr(HearthTestRun) run = NULL;

      args[5] = commands[i][1];
      run = hearth_test_run_cliv (NULL, args);
      g_assert_cmpint (run->exit_code, ==, 8);
      g_assert_cmpstr (run->out, ==, "");
      hearth_test_assert_one_line (run->err);
      if (i == 0)
        assert_same_failure (run, error);
    }
  /* nothing was deleted */
  g_assert_true (g_file_test (fixed, G_FILE_TEST_EXISTS));
  g_settings_reset (settings, "endpoint");
  g_settings_reset (settings, "api-kind");
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);

  g_test_add_func ("/parity/key-from-environment", test_key_from_environment);
  g_test_add_func ("/parity/unknown-api", test_unknown_api);
  g_test_add_func ("/parity/title-search", test_title_search);
  g_test_add_func ("/parity/cache-both-ways", test_cache_both_ways);
  g_test_add_func ("/parity/show", test_show);
  g_test_add_func ("/parity/ps-and-unload", test_ps_and_unload);
  g_test_add_func ("/parity/rm", test_rm);
  g_test_add_func ("/parity/not-supported", test_not_supported);

  return g_test_run ();
}
