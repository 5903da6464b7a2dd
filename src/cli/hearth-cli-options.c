/* hearth-cli-options.c — hearth-cli options and profile: a model's run options and the profiles
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Thin over the engine's HearthTuning: the options are read, changed and
 * layered there (profile, the model's own, the automatic limits), exactly as
 * the app's option editor and every chat and benchmark see them.
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include <inttypes.h>

#include "hearth-cli-private.h"
#include "hearth-endpoint.h"
#include "hearth-error.h"
#include "hearth-model.h"

static char   **opt_set;
static char   **opt_unset;
static gboolean opt_reset;
static char    *opt_from;
static char    *opt_title;
static char    *opt_description;

static const GOptionEntry options_entries[] = {
  { "set", 's', 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_set,
    N_("Set one of the model's options: num_ctx=8192, keep_alive=30m, temperature=0.2 "
       "(repeatable)"), N_("KEY=VALUE") },
  { "unset", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_unset,
    N_("Drop the model's own value of an option: the profile's applies again (repeatable)"),
    N_("KEY") },
  { "reset", 0, 0, G_OPTION_ARG_NONE, &opt_reset,
    N_("Drop all the model's own options, tuned ones too"), NULL },
  { NULL }
};

static const GOptionEntry profile_entries[] = {
  { "from", 0, 0, G_OPTION_ARG_FILENAME, &opt_from,
    N_("add: the built-in profile it inherits: fast, balanced, quality or battery"), N_("NAME") },
  { "set", 's', 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_set,
    N_("add: an option it overrides, num_ctx=16384 (repeatable)"), N_("KEY=VALUE") },
  { "title", 0, 0, G_OPTION_ARG_FILENAME, &opt_title,
    N_("add: its title (default: its name)"), N_("TEXT") },
  { "description", 0, 0, G_OPTION_ARG_FILENAME, &opt_description,
    N_("add: one line on what it is for"), N_("TEXT") },
  { NULL }
};

#define PROFILE_USAGE \
  _("Use profile list, profile show NAME, profile use NAME, " \
  "profile add NAME --from fast [--set KEY=VALUE]… or profile remove NAME")

/* What options, tune and preload share */

/* Array options are not checked by parse_options(): each one is text here. */
static gboolean
check_texts (const char  *what,
             char       **values,
             int         *exit_code)
{
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    if (!check_text (what, values[i], strlen (values[i]), exit_code))
      return FALSE;
  return TRUE;
}

/**
 * parse_assignments:
 * @assignments: (nullable): "num_ctx=8192", …
 *
 * Each into @options, by the core's own parser: a bad key or a value out of
 * its range is one line naming the key and the range (exit 2).
 */
gboolean
parse_assignments (const char        *command,
                   char             **assignments,
                   HearthRunOptions  *options,
                   int               *exit_code)
{
  if (!check_texts (_("The value of --set"), assignments, exit_code))
    return FALSE;
  for (guint i = 0; assignments != NULL && assignments[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      if (strchr (assignments[i], '=') == NULL)
        {
          g_autofree char *message =
            g_strdup_printf (_("--set takes KEY=VALUE, for example num_ctx=8192, not “%s”"),
                             assignments[i]);

          *exit_code = usage_error (command, message);
          return FALSE;
        }
      if (!hearth_run_options_parse_assignment (options, assignments[i], &error))
        {
          fail (error);
          *exit_code = EXIT_USAGE;
          return FALSE;
        }
    }
  return TRUE;
}

/* "num_ctx, num_gpu, …": every key, for a line that says which exist */
static char *
list_keys (void)
{
  GString *text = g_string_new (NULL);

  for (guint key = 0; key < HEARTH_N_RUN_OPTIONS; key++)
    g_string_append_printf (text, "%s%s", key > 0 ? ", " : "",
                            hearth_run_option_key_to_string (key));
  return g_string_free (text, FALSE);
}

/* "num_thread=2 num_batch=256": the keys that change speed, as --set takes them */
char *
format_speed_options (const HearthRunOptions *options)
{
  GString *text = g_string_new (NULL);

  for (guint key = 0; options != NULL && key < HEARTH_N_RUN_OPTIONS; key++)
    {
      g_autofree char *value = NULL;

      if (!hearth_run_option_changes_speed (key) || !hearth_run_options_is_set (options, key))
        continue;
      value = hearth_run_option_format_value (key, hearth_run_options_get (options, key));
      g_string_append_printf (text, "%s%s=%s", text->len > 0 ? " " : "",
                              hearth_run_option_key_to_string (key), value);
    }
  if (text->len == 0)
    g_string_append (text, _("the server's defaults"));
  return g_string_free (text, FALSE);
}

/**
 * find_server_model:
 * @name: as the user typed it: "llama3.2" or "llama3.2:latest"
 *
 * The model as the server lists it, with its digest: a model's options are
 * kept by its digest, so the same name pulled again starts afresh.
 *
 * Returns: (transfer full): the model, or %NULL with @error set (not on the
 * server: HEARTH_ERROR_MODEL_NOT_FOUND, exit 4)
 */
HearthModelInfo *
find_server_model (Cli             *cli,
                   HearthProvider  *provider,
                   const char      *name,
                   GError         **error)
{
  g_autoptr(GPtrArray) models = NULL;
  g_autofree char *tagged = hearth_model_name_with_tag (name);

  hearth_provider_list_models_async (provider, cli->cancellable, keep_result, cli);
  run_loop (cli);
  models = hearth_provider_list_models_finish (provider, cli->result, error);
  g_clear_object (&cli->result);
  if (models == NULL)
    return NULL;
  for (guint i = 0; i < models->len; i++)
    {
      HearthModelInfo *info = g_ptr_array_index (models, i);

      if (g_strcmp0 (info->name, name) == 0)
        return g_ptr_array_steal_index (models, i);
    }
  for (guint i = 0; i < models->len; i++)
    {
      HearthModelInfo *info = g_ptr_array_index (models, i);

      if (g_strcmp0 (info->name, tagged) == 0)
        return g_ptr_array_steal_index (models, i);
    }
  g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND,
               _("The server at %s has no model “%s” (hearth-cli models lists those it has)"),
               hearth_provider_get_endpoint (provider), name);
  return NULL;
}

/* options */

typedef struct
{
  HearthRunOptions *set;
  guint64           unset;    /* bit (1 << key) */
} OptionChanges;

static gboolean
parse_unset (guint64 *unset,
             int     *exit_code)
{
  if (!check_texts (_("The value of --unset"), opt_unset, exit_code))
    return FALSE;
  for (guint i = 0; opt_unset != NULL && opt_unset[i] != NULL; i++)
    {
      HearthRunOptionKey key;

      if (!hearth_run_option_key_from_string (opt_unset[i], &key))
        {
          g_autofree char *keys = list_keys ();
          g_autofree char *message = g_strdup_printf (_("“%s” is not an option; the options are %s"),
                                                      opt_unset[i], keys);

          *exit_code = usage_error ("options", message);
          return FALSE;
        }
      *unset |= G_GUINT64_CONSTANT (1) << key;
    }
  return TRUE;
}

static gboolean
apply_changes (HearthTuning          *tuning,
               const HearthModelInfo *info,
               const OptionChanges   *changes,
               GError               **error)
{
  g_autoptr(HearthModelOptions) current = NULL;
  g_autoptr(HearthRunOptions) options = NULL;

  if (opt_reset && !hearth_tuning_reset_model_options (tuning, info->name, info->digest, error))
    return FALSE;
  if (hearth_run_options_is_empty (changes->set) && changes->unset == 0)
    return TRUE;

  current = hearth_tuning_get_model_options (tuning, info->name, info->digest);
  options = current != NULL ? hearth_run_options_copy (current->options)
                            : hearth_run_options_new ();
  for (guint key = 0; key < HEARTH_N_RUN_OPTIONS; key++)
    if (changes->unset & (G_GUINT64_CONSTANT (1) << key))
      hearth_run_options_unset (options, key);
  hearth_run_options_merge (options, changes->set);
  return hearth_tuning_set_model_options (tuning, info->name, info->digest, options, error);
}

/* A key set here that this server does not take is kept, and said. */
static void
warn_unsupported (const HearthRunOptions *set,
                  HearthApiKind           api)
{
  for (guint key = 0; key < HEARTH_N_RUN_OPTIONS; key++)
    {
      const char *why = NULL;

      if (hearth_run_options_is_set (set, key) && !hearth_run_option_is_supported (key, api, &why))
        g_printerr (_("hearth-cli: %s is kept for this model but not sent to this server: %s\n"),
                    hearth_run_option_key_to_string (key),
                    why != NULL ? why : _("its API has no such option."));
    }
}

/* One key of the model's options as it is shown: its value and where it
 * came from, also when this kind of server is not sent it. */
typedef struct
{
  HearthRunOptionKey  key;
  gboolean            set;
  double              value;
  HearthOptionSource  source;
  gboolean            supported;
  const char         *why_not;
  char               *effect;
} OptionRow;

static void
option_row_clear (OptionRow *row)
{
  g_free (row->effect);
}

/* What a key's value would be without the server kind's filter: the
 * resolved value when it is sent, else the model's own or the profile's. */
static void
fill_row (OptionRow                   *row,
          HearthRunOptionKey           key,
          const HearthResolvedOptions *resolved,
          const HearthModelOptions    *own,
          const HearthRunOptions      *profile,
          HearthApiKind                api,
          HearthTuning                *tuning,
          const char                  *model)
{
  row->key = key;
  row->supported = hearth_run_option_is_supported (key, api, &row->why_not);
  row->effect = hearth_tuning_describe_effect (tuning, model, key);
  if (hearth_run_options_is_set (resolved->options, key))
    {
      row->set = TRUE;
      row->value = hearth_run_options_get (resolved->options, key);
      row->source = resolved->sources[key];
    }
  else if (own != NULL && hearth_run_options_is_set (own->options, key))
    {
      row->set = TRUE;
      row->value = hearth_run_options_get (own->options, key);
      row->source = (own->tuned_keys & (G_GUINT64_CONSTANT (1) << key))
                    ? HEARTH_OPTION_SOURCE_TUNED : HEARTH_OPTION_SOURCE_MODEL;
    }
  else if (profile != NULL && hearth_run_options_is_set (profile, key))
    {
      row->set = TRUE;
      row->value = hearth_run_options_get (profile, key);
      row->source = HEARTH_OPTION_SOURCE_PROFILE;
    }
  else
    row->source = HEARTH_OPTION_SOURCE_NONE;
}

/* A custom profile's key that comes from its built-in parent, or NULL */
static const char *
inherited_from (const HearthProfile *profile,
                HearthRunOptionKey   key)
{
  if (profile == NULL || profile->parent == NULL || hearth_run_options_is_set (profile->options, key))
    return NULL;
  return profile->parent;
}

static char *
describe_source (HearthOptionSource   source,
                 const HearthProfile *profile,
                 HearthRunOptionKey   key)
{
  const char *parent = inherited_from (profile, key);

  switch (source)
    {
    case HEARTH_OPTION_SOURCE_PROFILE:
      if (parent != NULL)
        return g_strdup_printf (_("profile %s (from %s)"), profile->name, parent);
      return g_strdup_printf (_("profile %s"), profile != NULL ? profile->name : "");
    case HEARTH_OPTION_SOURCE_MODEL:
      return g_strdup (_("set by you"));
    case HEARTH_OPTION_SOURCE_TUNED:
      return g_strdup ("tuned");
    case HEARTH_OPTION_SOURCE_AUTOMATIC:
      return g_strdup ("automatic");
    case HEARTH_OPTION_SOURCE_REQUEST:
      return g_strdup (_("this request"));
    case HEARTH_OPTION_SOURCE_NONE:
    default:
      return g_strdup (_("server default"));
    }
}

typedef struct
{
  const HearthModelInfo       *info;
  HearthProvider              *provider;
  HearthApiKind                api;
  const HearthResolvedOptions *resolved;
  const HearthModelOptions    *own;
  const HearthProfile         *profile; /* the one in force */
  GArray                      *rows;    /* OptionRow, one per key */
} OptionsView;

/* The header of an options table, its columns as wide as @key_width and
 * @value_width characters (translated headers count in characters) */
static void
print_options_header (const char *before,
                      guint       key_width,
                      guint       value_width)
{
  /* Translators: column headers of hearth-cli options and profile show:
   * an option's name, its value, and where the value comes from */
  g_autofree char *option = pad_text (C_("column header", "OPTION"), key_width);
  g_autofree char *value = pad_text (C_("column header", "VALUE"), value_width);

  g_print ("%s%s %s %s\n", before, option, value, C_("column header", "FROM"));
}

static void
print_options_text (const OptionsView *view)
{
  const HearthResolvedOptions *resolved = view->resolved;
  g_autofree char *sent = hearth_run_options_summary (resolved->options);
  guint key_width = column_width (C_("column header", "OPTION"), 15);
  guint value_width = column_width (C_("column header", "VALUE"), 15);

  if (view->info->digest != NULL && *view->info->digest != '\0')
    g_print (_("Model:      %s (digest %.12s)\n"), view->info->name, view->info->digest);
  else
    g_print (_("Model:      %s\n"), view->info->name);
  g_print (_("Server:     %s (%s)\n"), hearth_provider_get_endpoint (view->provider),
           hearth_api_kind_to_string (view->api));
  if (resolved->profile != NULL)
    /* Translators: the profile's name, as typed (fast, balanced…) */
    g_print (_("Profile:    %s\n"), resolved->profile);
  else
    g_print (_("Profile:    none\n"));
  if (resolved->automatic_reason != NULL)
    g_print (_("Automatic:  %s\n"), resolved->automatic_reason);
  if (view->own != NULL && view->own->tune_run_id > 0)
    {
      g_autofree char *tps = format_figure (view->own->tuned_decode_tps);

      if (*tps != '\0')
        /* Translators: the number of the tuning run, then the decode speed
         * it measured (“23.4”) */
        g_print (_("Tuned:      by tuning run #%" PRId64 ", measured %s tokens/s\n"),
                 view->own->tune_run_id, tps);
      else
        /* Translators: the number of the tuning run */
        g_print (_("Tuned:      by tuning run #%" PRId64 "\n"), view->own->tune_run_id);
    }
  g_print (_("Sent:       %s\n\n"),
           sent != NULL ? sent : _("no speed option: the server's defaults"));

  print_options_header ("", key_width, value_width);
  for (guint i = 0; i < view->rows->len; i++)
    {
      const OptionRow *row = &g_array_index (view->rows, OptionRow, i);
      g_autofree char *value = row->set ? hearth_run_option_format_value (row->key, row->value)
                                        : g_strdup ("—");
      g_autofree char *source = describe_source (row->source, view->profile, row->key);
      g_autofree char *padded = pad_text (value, value_width);
      g_autofree char *key = pad_text (hearth_run_option_key_to_string (row->key), key_width);
      g_autofree char *indent = pad_text ("", key_width);
      g_autofree char *from = !row->supported && row->set
                              ? g_strdup_printf (_("%s, not sent (below)"), source)
                              : !row->supported ? g_strdup (_("this server does not take it"))
                              : g_strdup (source);

      g_print ("%s %s %s\n", key, padded, from);
      if (row->effect != NULL)
        g_print ("%s %s\n", indent, row->effect);
    }
  for (guint i = 0; resolved->unsupported != NULL && i < resolved->unsupported->len; i++)
    {
      if (i == 0)
        g_print (_("\nNot sent to this server:\n"));
      g_print ("  %s\n", (const char *) g_ptr_array_index (resolved->unsupported, i));
    }
  g_print (_("\nChange one with hearth-cli options %s --set KEY=VALUE; "
             "--unset KEY or --reset go back to the profile's.\n"), view->info->name);
}

static void
add_options_json (JsonBuilder       *builder,
                  const OptionsView *view)
{
  const HearthResolvedOptions *resolved = view->resolved;

  hearth_json_add_string (builder, "model", view->info->name);
  hearth_json_add_string (builder, "digest", view->info->digest);
  hearth_json_add_string (builder, "endpoint", hearth_provider_get_endpoint (view->provider));
  hearth_json_add_string (builder, "api", hearth_api_kind_to_string (view->api));
  hearth_json_add_string (builder, "profile", resolved->profile);
  hearth_json_add_string (builder, "automatic_reason", resolved->automatic_reason);
  hearth_json_add_int (builder, "tune_run_id", view->own != NULL ? view->own->tune_run_id : 0);
  hearth_json_add_double (builder, "tuned_decode_tps",
                          view->own != NULL ? view->own->tuned_decode_tps : -1);
  json_builder_set_member_name (builder, "sent");
  json_builder_add_value (builder, hearth_run_options_to_json (resolved->options));

  json_builder_set_member_name (builder, "options");
  json_builder_begin_array (builder);
  for (guint i = 0; i < view->rows->len; i++)
    {
      const OptionRow *row = &g_array_index (view->rows, OptionRow, i);
      double min, max;

      hearth_run_option_get_range (row->key, &min, &max);
      json_builder_begin_object (builder);
      hearth_json_add_string (builder, "key", hearth_run_option_key_to_string (row->key));
      hearth_json_add_string (builder, "title", hearth_run_option_get_title (row->key));
      hearth_json_add_string (builder, "description",
                              hearth_run_option_get_description (row->key));
      json_builder_set_member_name (builder, "value");
      if (row->set)
        {
          g_autofree char *text = hearth_run_option_format_value (row->key, row->value);

          if (hearth_run_option_is_integer (row->key))
            json_builder_add_int_value (builder, (gint64) row->value);
          else
            json_builder_add_double_value (builder, row->value);
          hearth_json_add_string (builder, "text", text);
        }
      else
        json_builder_add_null_value (builder);
      hearth_json_add_string (builder, "source", hearth_option_source_to_string (row->source));
      hearth_json_add_string (builder, "inherited_from",
                              row->source == HEARTH_OPTION_SOURCE_PROFILE
                              ? inherited_from (view->profile, row->key) : NULL);
      json_builder_set_member_name (builder, "supported");
      json_builder_add_boolean_value (builder, row->supported);
      hearth_json_add_string (builder, "not_supported_reason",
                              row->supported ? NULL : row->why_not);
      json_builder_set_member_name (builder, "changes_speed");
      json_builder_add_boolean_value (builder, hearth_run_option_changes_speed (row->key));
      hearth_json_add_number (builder, "min", min);
      hearth_json_add_number (builder, "max", max);
      hearth_json_add_string (builder, "effect", row->effect);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "unsupported");
  json_builder_begin_array (builder);
  for (guint i = 0; resolved->unsupported != NULL && i < resolved->unsupported->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (resolved->unsupported, i));
  json_builder_end_array (builder);
}

static void
show_options (HearthTuning          *tuning,
              HearthProvider        *provider,
              const HearthModelInfo *info)
{
  HearthApiKind api = hearth_provider_get_api (provider);
  g_autoptr(HearthResolvedOptions) resolved =
    hearth_tuning_resolve (tuning, info->name, info->digest, api, NULL);
  g_autoptr(HearthModelOptions) own = hearth_tuning_get_model_options (tuning, info->name,
                                                                       info->digest);
  const char *active = hearth_tuning_get_active_profile (tuning);
  g_autoptr(HearthRunOptions) profile = hearth_tuning_get_profile_options (tuning, active, NULL);
  g_autoptr(HearthProfile) in_force = hearth_tuning_get_profile (tuning, active, NULL);
  g_autoptr(GArray) rows = g_array_sized_new (FALSE, TRUE, sizeof (OptionRow),
                                              HEARTH_N_RUN_OPTIONS);
  OptionsView view = { info, provider, api, resolved, own, in_force, rows };

  g_array_set_clear_func (rows, (GDestroyNotify) option_row_clear);
  for (guint key = 0; key < HEARTH_N_RUN_OPTIONS; key++)
    {
      OptionRow row = { 0 };

      fill_row (&row, key, resolved, own, profile, api, tuning, info->name);
      g_array_append_val (rows, row);
    }
  if (opt_json)
    print_json_object (&view, (HearthJsonAddFunc) add_options_json);
  else
    print_options_text (&view);
}

int
hearth_cli_command_options (int    argc,
                            char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthModelInfo) info = NULL;
  g_autoptr(HearthRunOptions) set = hearth_run_options_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  OptionChanges changes = { set, 0 };
  HearthProvider *provider;
  HearthTuning *tuning;
  Cli cli = { 0 };
  int exit_code = 0;

  if (!parse_options ("options", N_("MODEL"), options_entries, TRUE, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 3)
    return usage_error ("options", _("Name one model, for example hearth-cli options llama3.2:1b"));
  if (!check_text (_("The model name"), argv[2], strlen (argv[2]), &exit_code) ||
      !parse_assignments ("options", opt_set, set, &exit_code) ||
      !parse_unset (&changes.unset, &exit_code))
    return exit_code;
  /* a bad value is said before anything is opened or asked */
  if ((provider = open_provider (settings, HEARTH_ENGINE_HISTORY, &engine, &error)) == NULL)
    return fail (error);

  cli.cancellable = cancellable;
  if ((info = find_server_model (&cli, provider, argv[2], &error)) == NULL)
    return cli.interrupted ? EXIT_INTERRUPTED : fail (error);
  tuning = hearth_engine_get_tuning (engine);
  if (!apply_changes (tuning, info, &changes, &error))
    return fail (error);
  warn_unsupported (set, hearth_provider_get_api (provider));
  show_options (tuning, provider, info);
  return 0;
}

/* profile */

static gboolean
is_active (HearthTuning        *tuning,
           const HearthProfile *profile)
{
  return g_strcmp0 (hearth_tuning_get_active_profile (tuning), profile->name) == 0;
}

static gboolean
is_chosen (HearthTuning        *tuning,
           const HearthProfile *profile)
{
  return g_strcmp0 (hearth_tuning_get_chosen_profile (tuning), profile->name) == 0;
}

/* The profile's JSON with whether it is chosen and in force */
static JsonNode *
profile_json (HearthTuning        *tuning,
              const HearthProfile *profile)
{
  g_autoptr(HearthRunOptions) effective = hearth_tuning_get_profile_options (tuning, profile->name,
                                                                             NULL);
  JsonNode *node = hearth_profile_to_json (profile, effective);

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);

      json_object_set_boolean_member (object, "chosen", is_chosen (tuning, profile));
      json_object_set_boolean_member (object, "active", is_active (tuning, profile));
    }
  return node;
}

static void
print_automatic (HearthTuning *tuning)
{
  const char *reason = hearth_tuning_get_automatic_reason (tuning);

  if (reason != NULL)
    g_print (_("\nNow: %s (the automatic choice; you chose %s).\n"), reason,
             hearth_tuning_get_chosen_profile (tuning));
}

static int
profile_list (HearthTuning *tuning)
{
  g_autoptr(GPtrArray) profiles = hearth_tuning_list_profiles (tuning);
  /* Translators: column headers of hearth-cli profile list; INHERITS is the
   * profile a profile takes its options from */
  const char *headers[] = { C_("column header", "NAME"), C_("column header", "TITLE"),
                            C_("column header", "INHERITS"), C_("column header", "OPTIONS") };
  guint name_width = column_width (headers[0], 20);
  guint title_width = column_width (headers[1], 20);
  guint parent_width = column_width (headers[2], 10);

  if (opt_json)
    {
      g_autoptr(JsonArray) array = json_array_new ();
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);

      for (guint i = 0; i < profiles->len; i++)
        json_array_add_element (array, profile_json (tuning, g_ptr_array_index (profiles, i)));
      json_node_set_array (root, array);
      print_json (root);
      return 0;
    }
  {
    g_autofree char *name = pad_text (headers[0], name_width);
    g_autofree char *title = pad_text (headers[1], title_width);
    g_autofree char *parent = pad_text (headers[2], parent_width);

    g_print ("  %s %s %s %s\n", name, title, parent, headers[3]);
  }
  for (guint i = 0; i < profiles->len; i++)
    {
      HearthProfile *profile = g_ptr_array_index (profiles, i);
      g_autoptr(HearthRunOptions) effective =
        hearth_tuning_get_profile_options (tuning, profile->name, NULL);
      g_autofree char *summary = effective ? hearth_run_options_summary (effective) : NULL;

      g_autofree char *name = pad_text (profile->name, name_width);
      g_autofree char *title = pad_text (profile->title != NULL ? profile->title : profile->name,
                                    title_width);
      g_autofree char *parent = pad_text (profile->parent != NULL ? profile->parent : "—",
                                     parent_width);

      g_print ("%s %s %s %s %s\n", is_active (tuning, profile) ? "*" : " ", name, title, parent,
               summary != NULL ? summary : _("the server's defaults"));
    }
  g_print (_("\n* in use. Change with hearth-cli profile use NAME.\n"));
  print_automatic (tuning);
  return 0;
}

static int
profile_show (HearthTuning *tuning,
              const char   *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthProfile) profile = hearth_tuning_get_profile (tuning, name, &error);
  g_autoptr(HearthRunOptions) effective = NULL;
  guint key_width = column_width (C_("column header", "OPTION"), 15);
  guint value_width = column_width (C_("column header", "VALUE"), 15);

  if (profile == NULL)
    {
      fail (error);
      return EXIT_NOT_FOUND;
    }
  if (opt_json)
    {
      g_autoptr(JsonNode) root = profile_json (tuning, profile);

      print_json (root);
      return 0;
    }
  if ((effective = hearth_tuning_get_profile_options (tuning, name, &error)) == NULL)
    return fail (error);
  g_print (_("Name:        %s\n"), profile->name);
  g_print (_("Title:       %s\n"), profile->title != NULL ? profile->title : profile->name);
  if (profile->description != NULL && *profile->description != '\0')
    g_print (_("Description: %s\n"), profile->description);
  g_print (_("Inherits:    %s\n"), profile->parent != NULL ? profile->parent : _("— (built in)"));
  g_print (_("In use:      %s\n"), is_active (tuning, profile) ? _("yes")
                                : is_chosen (tuning, profile) ? _("chosen, but not in force now")
                                : _("no"));
  print_options_header ("\n", key_width, value_width);
  for (guint key = 0; key < HEARTH_N_RUN_OPTIONS; key++)
    {
      g_autofree char *value = NULL;
      g_autofree char *padded = NULL;
      g_autofree char *option = NULL;

      if (!hearth_run_options_is_set (effective, key))
        continue;
      value = hearth_run_option_format_value (key, hearth_run_options_get (effective, key));
      padded = pad_text (value, value_width);
      option = pad_text (hearth_run_option_key_to_string (key), key_width);
      g_print ("%s %s %s\n", option, padded,
               hearth_run_options_is_set (profile->options, key) || profile->parent == NULL
               /* Translators: where an option's value comes from, in the FROM column */
               ? _("this profile") : profile->parent);
    }
  print_automatic (tuning);
  return 0;
}

static int
profile_use (HearthTuning *tuning,
             GSettings    *settings,
             const char   *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthProfile) profile = hearth_tuning_get_profile (tuning, name, &error);
  const char *reason;

  if (profile == NULL)
    {
      fail (error);
      return EXIT_NOT_FOUND;
    }
  /* the choice is a setting: without Hearth's settings it would last until exit */
  if (settings == NULL)
    {
      g_printerr (_("hearth-cli: Hearth's settings are not installed here (no schema %s), so "
                    "the profile cannot be chosen. Install Hearth, or set GSETTINGS_SCHEMA_DIR.\n"),
                  APP_ID);
      return EXIT_FAILED;
    }
  if (!hearth_tuning_use_profile (tuning, name, &error))
    return fail (error);
  if (opt_json)
    {
      g_autoptr(JsonNode) root = profile_json (tuning, profile);

      print_json (root);
      return 0;
    }
  g_print (_("Every model now runs with the %s profile, in the app too.\n"),
           profile->title != NULL ? profile->title : profile->name);
  if ((reason = hearth_tuning_get_automatic_reason (tuning)) != NULL &&
      !is_active (tuning, profile))
    g_print (_("For now %s (the automatic choice).\n"), reason);
  return 0;
}

static int
profile_add (HearthTuning *tuning,
             const char   *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthProfile) existing = NULL;
  g_autoptr(HearthProfile) profile = NULL;
  g_autoptr(HearthProfile) parent = NULL;
  g_autoptr(HearthRunOptions) set = hearth_run_options_new ();
  int exit_code = 0;

  if (!hearth_profile_check_name (name, &error))
    {
      fail (error);
      return EXIT_USAGE;
    }
  if (opt_from == NULL)
    return usage_error ("profile",
                        _("Say which profile it inherits: --from fast, balanced, quality or battery"));
  if ((parent = hearth_tuning_get_profile (tuning, opt_from, NULL)) == NULL || !parent->builtin)
    {
      g_autofree char *message =
        g_strdup_printf (_("--from takes a built-in profile: fast, balanced, quality or battery, "
                           "not “%s”"), opt_from);

      return usage_error ("profile", message);
    }
  if (!parse_assignments ("profile", opt_set, set, &exit_code))
    return exit_code;
  if ((existing = hearth_tuning_get_profile (tuning, name, NULL)) != NULL)
    {
      g_printerr (_("hearth-cli: A profile named “%s” exists. Remove it first "
                    "(hearth-cli profile remove %s) or choose another name.\n"), name, name);
      return EXIT_USAGE;
    }

  profile = hearth_profile_new (name, opt_from);
  if (opt_title != NULL)
    hearth_set_str (&profile->title, opt_title);
  if (opt_description != NULL)
    hearth_set_str (&profile->description, opt_description);
  hearth_run_options_merge (profile->options, set);
  if (!hearth_tuning_save_profile (tuning, profile, &error))
    return fail (error);
  if (opt_json)
    {
      g_autoptr(HearthProfile) saved = hearth_tuning_get_profile (tuning, name, NULL);
      g_autoptr(JsonNode) root = profile_json (tuning, saved != NULL ? saved : profile);

      print_json (root);
      return 0;
    }
  g_print (_("Added the profile %s, which inherits %s. Use it with hearth-cli profile use %s.\n"),
           name, opt_from, name);
  return 0;
}

static int
profile_remove (HearthTuning *tuning,
                const char   *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthProfile) profile = hearth_tuning_get_profile (tuning, name, &error);

  if (profile == NULL)
    {
      fail (error);
      return EXIT_NOT_FOUND;
    }
  if (profile->builtin)
    {
      g_printerr (_("hearth-cli: %s is built in and cannot be removed; only your own profiles "
                    "can.\n"),
                  name);
      return EXIT_USAGE;
    }
  if (!hearth_tuning_remove_profile (tuning, name, &error))
    return fail (error);
  return 0;
}

static gboolean
profile_args_valid (const char *sub,
                    int         argc)
{
  if (g_str_equal (sub, "list"))
    return argc == 3;
  if (g_str_equal (sub, "show") || g_str_equal (sub, "use") || g_str_equal (sub, "add") ||
      g_str_equal (sub, "remove"))
    return argc == 4;
  return FALSE;
}

int
hearth_cli_command_profile (int    argc,
                            char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  HearthTuning *tuning;
  const char *sub;
  int exit_code = 0;

  if (!parse_options ("profile", N_("list | show NAME | use NAME | add NAME | remove NAME"),
                      profile_entries, FALSE, &argc, &argv, &exit_code))
    return exit_code;
  sub = argc > 2 ? argv[2] : "list";
  if (argc > 2 && !profile_args_valid (sub, argc))
    return usage_error ("profile", PROFILE_USAGE);
  if (!g_str_equal (sub, "add") &&
      (opt_from != NULL || opt_set != NULL || opt_title != NULL || opt_description != NULL))
    return usage_error ("profile",
                        _("--from, --set, --title and --description go with profile add"));
  if (argc == 4 && !check_text (_("The profile name"), argv[3], strlen (argv[3]), &exit_code))
    return exit_code;

  if ((engine = open_engine (settings, HEARTH_ENGINE_HISTORY, &error)) == NULL)
    return fail (error);
  tuning = hearth_engine_get_tuning (engine);
  if (g_str_equal (sub, "show"))
    return profile_show (tuning, argv[3]);
  if (g_str_equal (sub, "use"))
    return profile_use (tuning, settings, argv[3]);
  if (g_str_equal (sub, "add"))
    return profile_add (tuning, argv[3]);
  if (g_str_equal (sub, "remove"))
    return profile_remove (tuning, argv[3]);
  return profile_list (tuning);
}
