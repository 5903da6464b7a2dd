/* hearth-cli-servers-chain.c — hearth-cli servers fallback, substitute(s) and presets
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fallback chain and the substitutes a fallback asks for, as the core
 * keeps them in servers.conf; and the presets servers add fills in.
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include "hearth-cli-private.h"

/* fallback */

static void
print_fallback (HearthServers *servers)
{
  g_auto(GStrv) chain = hearth_servers_get_fallback (servers);

  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; chain != NULL && chain[i] != NULL; i++)
        json_builder_add_string_value (builder, chain[i]);
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      print_json (root);
      return;
    }
  if (chain == NULL || chain[0] == NULL)
    {
      g_print (_("The fallback chain is off: a request that cannot start on its server fails. "
                 "Turn it on with hearth-cli servers fallback NAME….\n"));
      return;
    }
  g_print (_("Fallback chain:"));
  for (guint i = 0; chain[i] != NULL; i++)
    {
      HearthServer *server = hearth_servers_lookup (servers, chain[i]);

      g_print ("%s%s%s", i == 0 ? " " : " → ", chain[i],
               server != NULL && hearth_server_get_cloud (server) ? " (cloud)" : "");
    }
  g_print (_("\nA request that cannot start on its server (down, a server error, the model "
             "missing) goes to the next of these that has the model or its substitute.\n"));
}

int
servers_fallback (HearthServers *servers,
                  gboolean       off,
                  int            argc,
                  char         **argv)
{
  g_autoptr(GError) error = NULL;

  if (off && argc > 3)
    return usage_error ("servers", _("Use servers fallback NAME… or servers fallback --off, "
                                     "not both"));
  if (off)
    {
      if (!hearth_servers_set_fallback (servers, NULL, &error))
        return fail (error);
    }
  else if (argc > 3)
    {
      for (int i = 3; i < argc; i++)
        {
          int exit_code = 0;

          if (!check_text (_("A server name"), argv[i], strlen (argv[i]), &exit_code))
            return exit_code;
          if (hearth_servers_lookup (servers, argv[i]) == NULL)
            return fail_unknown_server (servers, argv[i]);
        }
      if (!hearth_servers_set_fallback (servers, (const char * const *) argv + 3, &error))
        return fail (error);
    }
  print_fallback (servers);
  return 0;
}

/* substitutes */

static void
add_substitute_json (JsonBuilder *builder,
                     gpointer     item)
{
  HearthSubstitute *substitute = item;

  hearth_json_add_string (builder, "model", substitute->model);
  hearth_json_add_string (builder, "substitute", substitute->substitute);
}

int
servers_substitutes (HearthServers *servers)
{
  g_autoptr(GPtrArray) substitutes = hearth_servers_list_substitutes (servers);

  if (opt_json)
    {
      print_json_list (substitutes, add_substitute_json);
      return 0;
    }
  if (substitutes->len == 0)
    {
      g_print (_("No substitutes: a fallback asks the next server for the same model. Set one "
                 "with hearth-cli servers substitute MODEL SUBSTITUTE.\n"));
      return 0;
    }
  for (guint i = 0; i < substitutes->len; i++)
    {
      HearthSubstitute *substitute = g_ptr_array_index (substitutes, i);

      g_print ("%s → %s\n", substitute->model, substitute->substitute);
    }
  return 0;
}

int
servers_substitute (HearthServers *servers,
                    gboolean       off,
                    int            argc,
                    char         **argv)
{
  g_autoptr(GError) error = NULL;
  const char *model = argv[3];
  const char *substitute = argc == 5 ? argv[4] : NULL;
  int exit_code = 0;

  if (!check_text (_("The model"), model, strlen (model), &exit_code) ||
      (substitute != NULL && !check_text (_("The substitute"), substitute, strlen (substitute),
                                          &exit_code)))
    return exit_code;
  if ((substitute == NULL) == !off)
    return usage_error ("servers", _("Use servers substitute MODEL SUBSTITUTE, or servers "
                                     "substitute MODEL --off to forget it"));
  if (!hearth_servers_set_substitute (servers, model, substitute, &error))
    return fail (error);
  if (substitute != NULL)
    g_print (_("When a request for %s falls back, the next server is asked for %s.\n"), model,
             substitute);
  else
    g_print (_("%s has no substitute: a fallback asks for the same model.\n"), model);
  return 0;
}

/* presets */

int
servers_presets (void)
{
  /* Translators: column headers of hearth-cli servers presets */
  const char *headers[] = { C_("column header", "ID"), C_("column header", "TITLE"),
                            C_("column header", "API"), C_("column header", "CLOUD"),
                            C_("column header", "URL") };
  guint id_width = column_width (headers[0], 11);
  guint title_width = column_width (headers[1], 11);
  guint api_width = column_width (headers[2], 10);
  guint cloud_width = column_width (headers[3], MAX (column_width (yes_no (TRUE), 5),
                                                     column_width (yes_no (FALSE), 5)));
  guint n = 0;
  const HearthServerPreset *presets = hearth_server_presets (&n);

  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < n; i++)
        {
          json_builder_begin_object (builder);
          hearth_json_add_string (builder, "id", presets[i].id);
          hearth_json_add_string (builder, "title", presets[i].title);
          hearth_json_add_string (builder, "name", presets[i].name);
          hearth_json_add_string (builder, "url", presets[i].url);
          hearth_json_add_string (builder, "api", hearth_api_kind_to_string (presets[i].api));
          json_builder_set_member_name (builder, "cloud");
          json_builder_add_boolean_value (builder, presets[i].cloud);
          json_builder_set_member_name (builder, "needs_key");
          json_builder_add_boolean_value (builder, presets[i].needs_key);
          hearth_json_add_string (builder, "key_env", presets[i].key_env);
          hearth_json_add_string (builder, "description", presets[i].description);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      print_json (root);
      return 0;
    }
  {
    g_autofree char *id = pad_text (headers[0], id_width);
    g_autofree char *title = pad_text (headers[1], title_width);
    g_autofree char *api = pad_text (headers[2], api_width);
    g_autofree char *cloud = pad_text (headers[3], cloud_width);

    g_print ("%s %s %s %s %s\n", id, title, api, cloud, headers[4]);
  }
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = pad_text (presets[i].id, id_width);
      g_autofree char *title = pad_text (presets[i].title, title_width);
      g_autofree char *api = pad_text (hearth_api_kind_to_string (presets[i].api), api_width);
      g_autofree char *cloud = pad_text (yes_no (presets[i].cloud), cloud_width);
      g_autofree char *indent = pad_text ("", id_width);

      g_print ("%s %s %s %s %s\n", id, title, api, cloud,
               /* Translators: where a preset's server runs when it has no address */
               *presets[i].url != '\0' ? presets[i].url : _("this computer"));
      if (presets[i].description != NULL)
        g_print ("%s %s\n", indent, _(presets[i].description));
    }
  g_print (_("\nAdd one with hearth-cli servers add NAME --preset ID [--key-stdin].\n"));
  return 0;
}
