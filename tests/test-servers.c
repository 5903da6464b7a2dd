/* test-servers.c — the user's list of servers: the migration from the
 * single-server settings, presets, changes and their sentences,
 * servers.conf across engines and processes, the default server
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "hearth-endpoint.h"
#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-servers.h"
#include "hearth-test-util.h"

/* Each test starts with no servers.conf and the settings at their defaults. */
static GSettings *
fresh_settings (void)
{
  GSettings *settings = hearth_settings_try_new ();
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "hearth", "servers.conf", NULL);

  g_assert_nonnull (settings);
  g_settings_reset (settings, "endpoint");
  g_settings_reset (settings, "api-kind");
  g_unsetenv ("OLLAMA_HOST");
  g_remove (path);
  return settings;
}

static char *
read_conf (HearthServers *servers)
{
  char *contents = NULL;

  g_file_get_contents (hearth_servers_get_path (servers), &contents, NULL, NULL);
  return contents;
}

static void
count_cb (gpointer object,
          guint   *count)
{
  (*count)++;
}

static void
items_cb (GListModel *model,
          guint       position,
          guint       removed,
          guint       added,
          guint      *count)
{
  (*count)++;
}

static const char *
name_at (HearthServers *servers,
         guint          i)
{
  g_autoptr(HearthServer) server = g_list_model_get_item (G_LIST_MODEL (servers), i);

  g_assert_nonnull (server);
  return hearth_server_get_name (server);   /* the list holds it */
}

static void
test_presets (void)
{
  g_autoptr(GSettings) settings = fresh_settings ();
  g_autoptr(HearthEngine) engine = hearth_engine_new_for_settings (settings, 0);
  HearthServers *servers = hearth_engine_get_servers (engine);
  const char *ids[] = { "ollama", "openai", "anthropic", "groq", "openrouter", "lmstudio",
                        "llamacpp", "vllm" };
  guint n = 0;
  const HearthServerPreset *presets = hearth_server_presets (&n);
  const HearthServerPreset *openai = hearth_server_preset_find ("openai");
  const HearthServerPreset *groq = hearth_server_preset_find ("groq");
  const HearthServerPreset *lmstudio = hearth_server_preset_find ("lmstudio");
  g_autoptr(GError) error = NULL;
  HearthServer *server;

  g_assert_cmpuint (n, ==, G_N_ELEMENTS (ids));
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      const HearthServerPreset *preset = hearth_server_preset_find (ids[i]);
      g_autofree char *endpoint = NULL;

      g_assert_nonnull (preset);
      g_assert_true (preset >= presets && preset < presets + n);
      g_assert_true (hearth_servers_check_name (preset->name, NULL));
      /* Every preset's address is one Hearth can use, as it is. */
      endpoint = hearth_endpoint_normalize (preset->url, preset->api, &error);
      g_assert_no_error (error);
      g_assert_true (preset->cloud == !hearth_endpoint_is_loopback (endpoint));
      g_assert_true (!preset->needs_key || preset->cloud);
    }
  g_assert_null (hearth_server_preset_find ("nonesuch"));
  g_assert_cmpstr (hearth_server_preset_find ("anthropic")->key_env, ==, "ANTHROPIC_API_KEY");
  g_assert_cmpint (hearth_server_preset_find ("anthropic")->api, ==, HEARTH_API_ANTHROPIC);

  /* Added from a preset: the provider adds /v1/…, so the endpoint has no /v1. */
  server = hearth_servers_add (servers, openai->name, openai->url, openai->api, openai->cloud,
                               openai->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hearth_server_get_endpoint (server), ==, "https://api.openai.com:443");
  g_assert_cmpstr (hearth_server_get_url (server), ==, "https://api.openai.com/v1");
  g_assert_cmpstr (hearth_server_get_preset (server), ==, "openai");
  g_assert_true (hearth_server_get_cloud (server));
  {
    g_autofree char *url = hearth_provider_build_url (hearth_server_get_provider (server),
                                                      "/v1/models");

    g_assert_cmpstr (url, ==, "https://api.openai.com:443/v1/models");
  }
  server = hearth_servers_add (servers, groq->name, groq->url, groq->api, groq->cloud, groq->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hearth_server_get_endpoint (server), ==, "https://api.groq.com:443/openai");
  server = hearth_servers_add (servers, lmstudio->name, lmstudio->url, lmstudio->api,
                               lmstudio->cloud, lmstudio->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hearth_server_get_endpoint (server), ==, "http://127.0.0.1:1234");
  g_assert_false (hearth_server_get_cloud (server));
  g_assert_true (hearth_servers_find_endpoint (servers, HEARTH_API_OPENAI, "http://127.0.0.1:1234") == server);
  g_assert_null (hearth_servers_find_endpoint (servers, HEARTH_API_OLLAMA, "http://127.0.0.1:1234"));

  g_assert_null (hearth_servers_add (servers, "x", "http://127.0.0.1:9", HEARTH_API_OPENAI, FALSE,
                                     "nonesuch", &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "nonesuch"));
}

/* No servers.conf: the one server the old settings name, following them
 * (and OLLAMA_HOST) until the first change writes the file. */
static void
test_migration (void)
{
  g_autoptr(GSettings) settings = fresh_settings ();
  g_autoptr(HearthEngine) engine = hearth_engine_new_for_settings (settings, 0);
  HearthServers *servers = hearth_engine_get_servers (engine);
  g_autoptr(HearthServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *conf = NULL;
  HearthProvider *provider;
  guint changed = 0;

  g_signal_connect (servers, "changed", G_CALLBACK (count_cb), &changed);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (servers)), ==, 1);
  server = g_list_model_get_item (G_LIST_MODEL (servers), 0);
  g_assert_cmpstr (hearth_server_get_name (server), ==, "local");
  g_assert_cmpstr (hearth_server_get_url (server), ==, "");
  g_assert_cmpstr (hearth_server_get_endpoint (server), ==, HEARTH_DEFAULT_ENDPOINT);
  g_assert_cmpint (hearth_server_get_address_source (server), ==, HEARTH_ADDRESS_USUAL);
  g_assert_cmpint (hearth_server_get_api (server), ==, HEARTH_API_OLLAMA);
  g_assert_false (hearth_server_get_cloud (server));
  g_assert_true (hearth_servers_get_default (servers) == server);
  g_assert_false (g_file_test (hearth_servers_get_path (servers), G_FILE_TEST_EXISTS));
  provider = hearth_engine_get_configured_provider (engine, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (provider == hearth_server_get_provider (server));

  /* OLLAMA_HOST, read live. */
  g_setenv ("OLLAMA_HOST", "127.0.0.1:4242", TRUE);
  g_assert_cmpstr (hearth_server_get_endpoint (server), ==, "http://127.0.0.1:4242");
  g_assert_cmpint (hearth_server_get_address_source (server), ==, HEARTH_ADDRESS_OLLAMA_HOST);
  provider = hearth_engine_resolve_provider (engine, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hearth_provider_get_endpoint (provider), ==, "http://127.0.0.1:4242");
  g_unsetenv ("OLLAMA_HOST");

  /* The settings: another machine, named by its host. */
  g_settings_set_string (settings, "endpoint", "http://big-box.lan:11434");
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (servers)), ==, 1);
  g_assert_cmpstr (hearth_server_get_name (server), ==, "big-box");
  g_assert_cmpstr (hearth_server_get_url (server), ==, "http://big-box.lan:11434");
  g_assert_cmpstr (hearth_server_get_endpoint (server), ==, "http://big-box.lan:11434");
  g_assert_cmpint (hearth_server_get_address_source (server), ==, HEARTH_ADDRESS_SETTINGS);
  /* As before: OLLAMA_HOST comes first for Ollama's API. */
  g_setenv ("OLLAMA_HOST", "127.0.0.1:4242", TRUE);
  g_assert_cmpstr (hearth_server_get_endpoint (server), ==, "http://127.0.0.1:4242");
  g_assert_cmpint (hearth_server_get_address_source (server), ==, HEARTH_ADDRESS_OLLAMA_HOST);
  g_unsetenv ("OLLAMA_HOST");
  g_settings_set_string (settings, "api-kind", "openai");
  g_settings_set_string (settings, "endpoint", "http://127.0.0.1:8080/v1");
  g_assert_cmpint (hearth_server_get_api (server), ==, HEARTH_API_OPENAI);
  g_assert_cmpstr (hearth_server_get_name (server), ==, "local");
  g_assert_cmpstr (hearth_server_get_endpoint (server), ==, "http://127.0.0.1:8080");

  /* The first change writes the file, with the settings' server first. */
  g_assert_nonnull (hearth_servers_add (servers, "laptop", "", HEARTH_API_OLLAMA, FALSE, NULL, &error));
  g_assert_no_error (error);
  conf = read_conf (servers);
  g_assert_nonnull (conf);
  g_assert_nonnull (strstr (conf, "[server local]"));
  g_assert_nonnull (strstr (conf, "url=http://127.0.0.1:8080/v1"));
  g_assert_nonnull (strstr (conf, "[server laptop]"));
  g_assert_cmpstr (name_at (servers, 0), ==, "local");
  g_assert_cmpstr (name_at (servers, 1), ==, "laptop");

  /* From now on the settings no longer change the list. */
  g_settings_set_string (settings, "endpoint", "http://elsewhere:11434");
  g_assert_cmpstr (hearth_server_get_endpoint (server), ==, "http://127.0.0.1:8080");
  provider = hearth_engine_get_configured_provider (engine, settings, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hearth_provider_get_endpoint (provider), ==, "http://127.0.0.1:8080");
  g_assert_cmpint (hearth_provider_get_api (provider), ==, HEARTH_API_OPENAI);
}

/* What an address stands for, and where it comes from, before it is saved
 * (the server dialog): one rule with the servers' own. */
static void
test_address_for (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *typed = NULL, *from_env = NULL, *usual = NULL, *anthropic = NULL;
  g_autofree char *bad = NULL, *described = NULL;
  HearthAddressSource source;

  g_unsetenv ("OLLAMA_HOST");
  typed = hearth_server_address_for (" 192.168.1.5:11434 ", HEARTH_API_OLLAMA, &source, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (typed, ==, "http://192.168.1.5:11434");
  g_assert_cmpint (source, ==, HEARTH_ADDRESS_TYPED);
  described = hearth_address_describe (typed, source, HEARTH_API_OLLAMA);
  g_assert_cmpstr (described, ==, typed);   /* typed in: the address alone */

  usual = hearth_server_address_for ("", HEARTH_API_OLLAMA, &source, &error);
  g_assert_cmpstr (usual, ==, HEARTH_DEFAULT_ENDPOINT);
  g_assert_cmpint (source, ==, HEARTH_ADDRESS_USUAL);
  g_assert_cmpstr (hearth_address_source_to_string (source), ==, "usual");

  /* OLLAMA_HOST is for Ollama's API only */
  g_setenv ("OLLAMA_HOST", "0.0.0.0:4242", TRUE);
  from_env = hearth_server_address_for ("", HEARTH_API_OLLAMA, &source, &error);
  g_assert_no_error (error);
  g_assert_cmpint (source, ==, HEARTH_ADDRESS_OLLAMA_HOST);
  g_clear_pointer (&described, g_free);
  described = hearth_address_describe (from_env, source, HEARTH_API_OLLAMA);
  g_assert_true (g_str_has_prefix (described, from_env));
  g_assert_true (g_str_has_suffix (described, "(from OLLAMA_HOST)"));
  anthropic = hearth_server_address_for ("", HEARTH_API_ANTHROPIC, &source, &error);
  g_assert_no_error (error);
  g_assert_cmpint (source, ==, HEARTH_ADDRESS_USUAL);
  g_assert_true (g_str_has_prefix (anthropic, HEARTH_ANTHROPIC_ENDPOINT));

  /* a bad OLLAMA_HOST: no address, and why */
  g_setenv ("OLLAMA_HOST", "two words", TRUE);
  bad = hearth_server_address_for ("", HEARTH_API_OLLAMA, &source, &error);
  g_assert_null (bad);
  g_assert_nonnull (error);
  g_unsetenv ("OLLAMA_HOST");
}

static void
test_changes (void)
{
  g_autoptr(GSettings) settings = fresh_settings ();
  g_autoptr(HearthEngine) engine = hearth_engine_new_for_settings (settings, 0);
  HearthServers *servers = hearth_engine_get_servers (engine);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) chain = NULL;
  const char *bad_names[] = { "", "Big-Box", "-x", "a b", "x/y", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
  const char *both[] = { "local", "big-box", NULL };
  HearthProvider *provider;
  guint items = 0;

  g_signal_connect (servers, "items-changed", G_CALLBACK (items_cb), &items);
  for (guint i = 0; i < G_N_ELEMENTS (bad_names); i++)
    {
      g_assert_null (hearth_servers_add (servers, bad_names[i], "", HEARTH_API_OLLAMA, FALSE, NULL, &error));
      g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, "cannot name a server"));
      g_clear_error (&error);
    }
  g_assert_null (hearth_servers_add (servers, "local", "", HEARTH_API_OLLAMA, FALSE, NULL, &error));
  g_assert_nonnull (strstr (error->message, "already a server called “local”"));
  g_clear_error (&error);
  g_assert_null (hearth_servers_add (servers, "big-box", "http://bad host", HEARTH_API_OLLAMA, FALSE, NULL, &error));
  g_assert_nonnull (strstr (error->message, "not a server address"));
  g_clear_error (&error);
  g_assert_null (hearth_servers_add (servers, "cloud", "", HEARTH_API_OPENAI, TRUE, NULL, &error));
  g_assert_nonnull (strstr (error->message, "needs its address"));
  g_clear_error (&error);
  /* Nothing of that changed the list, nor wrote a file. */
  g_assert_cmpuint (items, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (servers)), ==, 1);
  g_assert_false (g_file_test (hearth_servers_get_path (servers), G_FILE_TEST_EXISTS));

  g_assert_nonnull (hearth_servers_add (servers, "big-box", "192.168.1.20", HEARTH_API_OLLAMA, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (items, ==, 1);
  g_assert_cmpstr (hearth_server_get_endpoint (hearth_servers_lookup (servers, "big-box")), ==,
                   "http://192.168.1.20:11434");
  g_assert_true (hearth_servers_set_fallback (servers, both, &error));
  g_assert_no_error (error);

  /* Renaming follows into the fallback chain. */
  g_assert_true (hearth_servers_edit (servers, "big-box", "tower", "192.168.1.21:11434",
                                      HEARTH_API_OLLAMA, FALSE, &error));
  g_assert_no_error (error);
  g_assert_null (hearth_servers_lookup (servers, "big-box"));
  g_assert_cmpstr (hearth_server_get_endpoint (hearth_servers_lookup (servers, "tower")), ==,
                   "http://192.168.1.21:11434");
  chain = hearth_servers_get_fallback (servers);
  g_assert_cmpstr (chain[1], ==, "tower");
  g_clear_pointer (&chain, g_strfreev);
  g_assert_false (hearth_servers_edit (servers, "nonesuch", NULL, "", HEARTH_API_OLLAMA, FALSE, &error));
  g_assert_nonnull (strstr (error->message, "no server called “nonesuch”: the servers are local, tower"));
  g_clear_error (&error);
  g_assert_false (hearth_servers_edit (servers, "tower", "local", "", HEARTH_API_OLLAMA, FALSE, &error));
  g_assert_nonnull (strstr (error->message, "already a server called “local”"));
  g_clear_error (&error);

  /* Moving: the first enabled server is the default. */
  g_assert_false (hearth_servers_move (servers, "tower", 5, &error));
  g_assert_nonnull (strstr (error->message, "give 1 to 2"));
  g_clear_error (&error);
  g_assert_true (hearth_servers_move (servers, "tower", 0, &error));
  g_assert_cmpstr (name_at (servers, 0), ==, "tower");
  g_assert_cmpstr (hearth_server_get_name (hearth_servers_get_default (servers)), ==, "tower");
  provider = hearth_engine_get_configured_provider (engine, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hearth_provider_get_endpoint (provider), ==, "http://192.168.1.21:11434");

  /* Disabled: not the default; every server disabled says what to do. */
  g_assert_true (hearth_servers_set_enabled (servers, "tower", FALSE, &error));
  g_assert_cmpstr (hearth_server_get_name (hearth_servers_get_default (servers)), ==, "local");
  g_assert_true (hearth_servers_set_enabled (servers, "local", FALSE, &error));
  g_assert_null (hearth_servers_get_default (servers));
  g_assert_null (hearth_engine_get_configured_provider (engine, NULL, &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "Every server is disabled: enable one"));
  g_clear_error (&error);
  g_assert_null (hearth_engine_resolve_server (engine, "tower", NULL, NULL, &error));
  g_assert_nonnull (strstr (error->message, "“tower” is disabled: enable it with"));
  g_clear_error (&error);

  /* Removing drops it from the chain; the last one can go too. */
  g_assert_true (hearth_servers_remove (servers, "tower", &error));
  chain = hearth_servers_get_fallback (servers);
  g_assert_cmpuint (g_strv_length (chain), ==, 1);
  g_assert_false (hearth_servers_remove (servers, "tower", &error));
  g_assert_nonnull (strstr (error->message, "no server called “tower”"));
  g_clear_error (&error);
  g_assert_true (hearth_servers_remove (servers, "local", &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (servers)), ==, 0);
  g_assert_null (hearth_engine_resolve_provider (engine, NULL, NULL, &error));
  g_assert_nonnull (strstr (error->message, "There is no server to ask: add one"));
  g_clear_error (&error);
  /* An explicit address still works without any server. */
  provider = hearth_engine_resolve_provider (engine, "127.0.0.1:9", "openai", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hearth_provider_get_endpoint (provider), ==, "http://127.0.0.1:9");
}

/* --server NAME > --endpoint > the default, and sentences for mistakes. */
static void
test_resolve_server (void)
{
  g_autoptr(GSettings) settings = fresh_settings ();
  g_autoptr(HearthEngine) engine = hearth_engine_new_for_settings (settings, 0);
  HearthServers *servers = hearth_engine_get_servers (engine);
  g_autoptr(GError) error = NULL;
  HearthProvider *provider;

  g_assert_nonnull (hearth_servers_add (servers, "big-box", "http://10.0.0.5:11434", HEARTH_API_OLLAMA,
                                        FALSE, NULL, &error));
  provider = hearth_engine_resolve_server (engine, "big-box", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hearth_provider_get_endpoint (provider), ==, "http://10.0.0.5:11434");
  g_assert_true (provider == hearth_server_get_provider (hearth_servers_lookup (servers, "big-box")));
  provider = hearth_engine_resolve_server (engine, NULL, "127.0.0.1:7", NULL, &error);
  g_assert_cmpstr (hearth_provider_get_endpoint (provider), ==, "http://127.0.0.1:7");
  provider = hearth_engine_resolve_server (engine, NULL, NULL, NULL, &error);
  g_assert_cmpstr (hearth_provider_get_endpoint (provider), ==, HEARTH_DEFAULT_ENDPOINT);

  g_assert_null (hearth_engine_resolve_server (engine, "laptop", NULL, NULL, &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "There is no server called “laptop”: the servers are local, big-box");
  g_clear_error (&error);
  g_assert_null (hearth_engine_resolve_server (engine, "big-box", "127.0.0.1:7", NULL, &error));
  g_assert_nonnull (strstr (error->message, "not both"));
}

static void
test_persistence (void)
{
  g_autoptr(GSettings) settings = fresh_settings ();
  g_autoptr(HearthEngine) engine = hearth_engine_new_for_settings (settings, 0);
  g_autoptr(HearthEngine) second = NULL;
  HearthServers *servers = hearth_engine_get_servers (engine);
  HearthServers *again;
  HearthServer *server;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) chain = NULL;
  g_autoptr(GPtrArray) substitutes = NULL;
  const char *fallback[] = { "cloud", NULL };
  GStatBuf st;

  g_assert_nonnull (hearth_servers_add (servers, "cloud", "https://api.openai.com/v1", HEARTH_API_OPENAI,
                                        TRUE, "openai", &error));
  g_assert_nonnull (hearth_servers_add (servers, "box", "10.0.0.7", HEARTH_API_OLLAMA, FALSE, NULL, &error));
  g_assert_true (hearth_servers_set_enabled (servers, "box", FALSE, &error));
  g_assert_true (hearth_servers_move (servers, "cloud", 0, &error));
  g_assert_true (hearth_servers_set_fallback (servers, fallback, &error));
  g_assert_true (hearth_servers_set_substitute (servers, "llama3.2:3b", "gpt-4o-mini", &error));
  g_assert_false (hearth_servers_set_substitute (servers, "bad=name", "x", &error));
  g_assert_nonnull (strstr (error->message, "not a model name"));
  g_clear_error (&error);
  g_assert_no_error (error);
  /* Only its owner reads it. */
  g_assert_cmpint (g_stat (hearth_servers_get_path (servers), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0077, ==, 0);

  /* A new engine, as the next hearth-cli or the next start of the app. */
  g_settings_set_string (settings, "endpoint", "http://ignored:1");
  second = hearth_engine_new_for_settings (settings, 0);
  again = hearth_engine_get_servers (second);
  g_assert_true (again != servers);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 3);
  g_assert_cmpstr (name_at (again, 0), ==, "cloud");
  g_assert_cmpstr (name_at (again, 1), ==, "local");
  g_assert_cmpstr (name_at (again, 2), ==, "box");
  server = hearth_servers_lookup (again, "cloud");
  g_assert_cmpint (hearth_server_get_api (server), ==, HEARTH_API_OPENAI);
  g_assert_true (hearth_server_get_cloud (server));
  g_assert_cmpstr (hearth_server_get_preset (server), ==, "openai");
  g_assert_cmpstr (hearth_server_get_url (hearth_servers_lookup (again, "local")), ==, "");
  g_assert_false (hearth_server_get_enabled (hearth_servers_lookup (again, "box")));
  chain = hearth_servers_get_fallback (again);
  g_assert_cmpuint (g_strv_length (chain), ==, 1);
  g_assert_cmpstr (chain[0], ==, "cloud");
  g_assert_cmpstr (hearth_servers_get_substitute (again, "llama3.2:3b"), ==, "gpt-4o-mini");
  substitutes = hearth_servers_list_substitutes (again);
  g_assert_cmpuint (substitutes->len, ==, 1);
  g_assert_true (hearth_servers_set_substitute (again, "llama3.2:3b", NULL, &error));
  g_assert_null (hearth_servers_get_substitute (again, "llama3.2:3b"));
}

static void
wait_for_server (HearthServers *servers,
                 const char    *name,
                 gboolean       present)
{
  /* Bounded, so a monitor that never fires fails the test instead of hanging it. */
  gint64 give_up = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while ((hearth_servers_lookup (servers, name) != NULL) != present &&
         g_get_monotonic_time () < give_up)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (10000);
}

/* Run by test_monitor as another process: the same code, its own engine. */
static void
monitor_child (void)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(HearthEngine) engine = hearth_engine_new_for_settings (settings, 0);
  g_autoptr(GError) error = NULL;
  const char *action = g_getenv ("TEST_SERVERS_ACTION");

  if (!g_test_subprocess ())
    {
      g_test_skip ("Run by /servers/monitor as another process");
      return;
    }
  if (g_strcmp0 (action, "add") == 0)
    g_assert_nonnull (hearth_servers_add (hearth_engine_get_servers (engine), "big-box",
                                          "10.0.0.9", HEARTH_API_OLLAMA, FALSE, NULL, &error));
  else
    g_assert_true (hearth_servers_remove (hearth_engine_get_servers (engine), "big-box", &error));
  g_assert_no_error (error);
}

static void
run_child (const char *action)
{
  g_setenv ("TEST_SERVERS_ACTION", action, TRUE);
  g_setenv ("TEST_SERVERS_CONFIG", g_get_user_config_dir (), TRUE);
  g_test_trap_subprocess ("/servers/monitor/child", 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_monitor (void)
{
  g_autoptr(GSettings) settings = fresh_settings ();
  g_autoptr(HearthEngine) engine = hearth_engine_new_for_settings (settings, 0);
  HearthServers *servers = hearth_engine_get_servers (engine);
  g_autoptr(GError) error = NULL;
  guint changed = 0;

  if (g_test_subprocess ())
    return;
  g_signal_connect (servers, "changed", G_CALLBACK (count_cb), &changed);
  /* No file yet: another process's first change makes one. */
  run_child ("add");
  wait_for_server (servers, "big-box", TRUE);
  g_assert_nonnull (hearth_servers_lookup (servers, "big-box"));
  g_assert_cmpuint (changed, >=, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (servers)), ==, 2);

  /* A change here, then one there: each sees the other's. */
  g_assert_true (hearth_servers_set_enabled (servers, "local", FALSE, &error));
  run_child ("remove");
  wait_for_server (servers, "big-box", FALSE);
  g_assert_null (hearth_servers_lookup (servers, "big-box"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (servers)), ==, 1);
  g_assert_false (hearth_server_get_enabled (hearth_servers_lookup (servers, "local")));
}

/* A servers.conf Hearth cannot read is not lost: the settings' server is
 * used, and the file is kept aside when the list is next changed. */
static void
test_unreadable (void)
{
  g_autoptr(GSettings) settings = fresh_settings ();
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "hearth", "servers.conf", NULL);
  g_autofree char *backup = g_strconcat (path, ".bak", NULL);
  g_autofree char *kept = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  HearthServers *servers;
  g_autoptr(GError) error = NULL;
  const char *garbage = "this is [not a key file\n";

  g_assert_true (g_file_set_contents (path, garbage, -1, NULL));
  engine = hearth_engine_new_for_settings (settings, 0);
  servers = hearth_engine_get_servers (engine);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (servers)), ==, 1);
  g_assert_cmpstr (name_at (servers, 0), ==, "local");
  g_assert_nonnull (hearth_servers_add (servers, "box", "10.0.0.7", HEARTH_API_OLLAMA, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (backup, &kept, NULL, NULL));
  g_assert_cmpstr (kept, ==, garbage);
  g_remove (backup);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GSettings) settings = NULL;

  hearth_test_init (&argc, &argv);
  /* The child of /servers/monitor shares its parent's servers.conf. */
  if (g_getenv ("TEST_SERVERS_CONFIG") != NULL)
    g_setenv ("XDG_CONFIG_HOME", g_getenv ("TEST_SERVERS_CONFIG"), TRUE);
  if ((settings = hearth_settings_try_new ()) == NULL)
    {
      g_printerr ("test-servers needs the app's settings schema (GSETTINGS_SCHEMA_DIR)\n");
      return 77;
    }
  g_test_add_func ("/servers/presets", test_presets);
  g_test_add_func ("/servers/migration", test_migration);
  g_test_add_func ("/servers/address-for", test_address_for);
  g_test_add_func ("/servers/changes", test_changes);
  g_test_add_func ("/servers/resolve-server", test_resolve_server);
  g_test_add_func ("/servers/persistence", test_persistence);
  g_test_add_func ("/servers/monitor", test_monitor);
  g_test_add_func ("/servers/monitor/child", monitor_child);
  g_test_add_func ("/servers/unreadable", test_unreadable);
  return g_test_run ();
}
