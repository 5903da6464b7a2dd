/* hearth-cli-routes.c — hearth-cli routes: the rules behind the "auto" model
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Thin over the engine's HearthRoutes: the rules, routes.conf, the defaults
 * and what the tiers resolve to are the core's, as the app's editor shows them.
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include "hearth-cli-private.h"
#include "hearth-endpoint.h"
#include "hearth-error.h"

static char  *opt_kind;
static char  *opt_value;
static char  *opt_target;
static char  *opt_on;
static gint64 opt_position;

static gboolean
parse_position (const char  *option,
                const char  *value,
                gpointer     data,
                GError     **error)
{
  return parse_whole_number ("--position", value, 1, 1000, &opt_position, error);
}

static const GOptionEntry routes_entries[] = {
  { "kind", 0, 0, G_OPTION_ARG_FILENAME, &opt_kind,
    N_("add: what the rule looks at: code, long-prompt, short-prompt, long-conversation "
       "or keyword"), N_("KIND") },
  { "value", 0, 0, G_OPTION_ARG_FILENAME, &opt_value,
    N_("add: characters (long-prompt, short-prompt), messages (long-conversation) or the "
       "word (keyword)"), "N|WORD" },
  { "model", 'm', 0, G_OPTION_ARG_FILENAME, &opt_target,
    N_("add: the model it picks: a name, @fast or @capable"), N_("MODEL") },
  { "server", 0, 0, G_OPTION_ARG_FILENAME, &opt_on,
    N_("add: the server to ask (default: wherever the model is)"), N_("NAME") },
  { "position", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, parse_position,
    N_("add: its place in the list, 1 = tried first (default: last before the default rule)"),
    N_("N") },
  { NULL }
};

#define ROUTES_USAGE \
  _("Use routes list, routes add --kind KIND [--value N|WORD] --model MODEL|@fast|@capable " \
  "[--server NAME] [--position N], routes remove ID or routes reset")

static gboolean
is_tier (const char *model)
{
  return g_strcmp0 (model, HEARTH_ROUTE_TARGET_FAST) == 0 ||
         g_strcmp0 (model, HEARTH_ROUTE_TARGET_CAPABLE) == 0;
}

/* What a tier resolves to now: "qwen2.5:7b on laptop", or why there is none */
typedef struct
{
  char *target;
  char *model;
  char *server;
  char *error;
} Resolved;

static void
resolved_free (Resolved *resolved)
{
  g_free (resolved->target);
  g_free (resolved->model);
  g_free (resolved->server);
  g_free (resolved->error);
  g_free (resolved);
}

static Resolved *
resolve_tier (HearthRoutes *routes,
              const char   *target,
              Cli          *cli)
{
  g_autoptr(HearthRouteChoice) choice = NULL;
  g_autoptr(GError) error = NULL;
  Resolved *resolved = g_new0 (Resolved, 1);

  resolved->target = g_strdup (target);
  hearth_routes_resolve_target_async (routes, target, cli->cancellable, keep_result, cli);
  run_loop (cli);
  choice = hearth_routes_resolve_target_finish (routes, cli->result, &error);
  g_clear_object (&cli->result);
  if (choice != NULL)
    {
      resolved->model = g_strdup (choice->model);
      resolved->server = g_strdup (choice->server);
    }
  else
    resolved->error = hearth_error_describe (error);
  return resolved;
}

static const Resolved *
find_resolved (GPtrArray  *resolved,
               const char *target)
{
  for (guint i = 0; i < resolved->len; i++)
    {
      const Resolved *r = g_ptr_array_index (resolved, i);

      if (g_str_equal (r->target, target))
        return r;
    }
  return NULL;
}

static char *
describe_resolved (const Resolved *r)
{
  if (r == NULL)
    return NULL;
  if (r->model == NULL)
    return g_strdup (_("no model now, see below"));
  if (r->server != NULL)
    return g_strdup_printf (_("now %s on %s"), r->model, r->server);
  return g_strdup_printf (_("now %s"), r->model);
}

static int
routes_list (HearthRoutes *routes)
{
  g_autoptr(GPtrArray) rules = hearth_routes_list (routes);
  g_autoptr(GPtrArray) resolved = g_ptr_array_new_with_free_func ((GDestroyNotify) resolved_free);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Cli cli = { 0 };
  /* Translators: column headers of hearth-cli routes list: a rule's id, and
   * what the rule does */
  const char *id_header = C_("column header", "ID");
  const char *rule_header = C_("column header", "RULE");
  guint width = g_utf8_strlen (id_header, -1);

  /* each tier once, whatever number of rules name it */
  cli.cancellable = cancellable;
  for (guint i = 0; i < rules->len; i++)
    {
      HearthRoute *rule = g_ptr_array_index (rules, i);

      width = MAX (width, g_utf8_strlen (rule->id, -1));
      if (is_tier (rule->model) && find_resolved (resolved, rule->model) == NULL)
        {
          g_ptr_array_add (resolved, resolve_tier (routes, rule->model, &cli));
          if (cli.interrupted)
            {
              g_printerr (_("hearth-cli: Interrupted while the models were looked up.\n"));
              return EXIT_INTERRUPTED;
            }
        }
    }

  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < rules->len; i++)
        {
          HearthRoute *rule = g_ptr_array_index (rules, i);
          g_autofree char *words = hearth_route_describe (rule);
          const Resolved *r = is_tier (rule->model) ? find_resolved (resolved, rule->model) : NULL;

          json_builder_begin_object (builder);
          hearth_json_add_string (builder, "id", rule->id);
          hearth_json_add_string (builder, "kind", hearth_route_kind_to_string (rule->kind));
          hearth_json_add_string (builder, "value", rule->value);
          hearth_json_add_string (builder, "model", rule->model);
          hearth_json_add_string (builder, "server", rule->server);
          hearth_json_add_string (builder, "rule", words);
          hearth_json_add_string (builder, "resolves_to", r != NULL ? r->model : NULL);
          hearth_json_add_string (builder, "resolves_on", r != NULL ? r->server : NULL);
          hearth_json_add_string (builder, "resolve_error", r != NULL ? r->error : NULL);
          json_builder_set_member_name (builder, "default");
          json_builder_add_boolean_value (builder, hearth_routes_are_default (routes));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      print_json (root);
      return 0;
    }

  {
    g_autofree char *id = pad_text (id_header, width);

    g_print ("%s  %s\n", id, rule_header);
  }
  for (guint i = 0; i < rules->len; i++)
    {
      HearthRoute *rule = g_ptr_array_index (rules, i);
      g_autofree char *id = pad_text (rule->id, width);
      g_autofree char *words = hearth_route_describe (rule);
      g_autofree char *now = is_tier (rule->model)
                             ? describe_resolved (find_resolved (resolved, rule->model)) : NULL;

      if (now != NULL)
        g_print ("%s  %s (%s)\n", id, words, now);
      else
        g_print ("%s  %s\n", id, words);
    }
  /* why a tier finds nothing, once per reason */
  for (guint i = 0; i < resolved->len; i++)
    {
      const Resolved *r = g_ptr_array_index (resolved, i);
      g_autoptr(GString) targets = NULL;
      gboolean said = FALSE;

      for (guint j = 0; j < i && !said; j++)
        said = g_strcmp0 (((const Resolved *) g_ptr_array_index (resolved, j))->error,
                          r->error) == 0;
      if (r->error == NULL || said)
        continue;
      targets = g_string_new (r->target);
      for (guint j = i + 1; j < resolved->len; j++)
        {
          const Resolved *other = g_ptr_array_index (resolved, j);

          if (g_strcmp0 (other->error, r->error) == 0)
            g_string_append_printf (targets, _(" and %s"), other->target);
        }
      g_print ("\n%s: %s", targets->str, r->error);
    }
  if (resolved->len > 0)
    g_print ("\n");
  g_print (_("\n%s Rules are tried in order when the model is “auto” (hearth-cli ask --model "
             "auto); the first that matches picks the model.\n"),
           hearth_routes_are_default (routes) ? _("These are the defaults.") : _("These are your rules."));
  return 0;
}

static int
fail_unknown_rule (HearthRoutes *routes,
                   const char   *id)
{
  g_autoptr(GPtrArray) rules = hearth_routes_list (routes);
  g_autoptr(GString) ids = g_string_new (NULL);

  for (guint i = 0; i < rules->len; i++)
    g_string_append_printf (ids, "%s%s", i > 0 ? ", " : "",
                            ((HearthRoute *) g_ptr_array_index (rules, i))->id);
  g_printerr (_("hearth-cli: There is no rule “%s”; the rules are %s. Use one of those ids "
                "(hearth-cli routes list).\n"), id, ids->str);
  return EXIT_NOT_FOUND;
}

static gboolean
check_value (HearthRouteKind  kind,
             int             *exit_code)
{
  g_autoptr(GError) error = NULL;
  gint64 number;

  switch (kind)
    {
    case HEARTH_ROUTE_CODE:
      if (opt_value == NULL)
        return TRUE;
      *exit_code = usage_error ("routes", _("A code rule takes no --value"));
      return FALSE;
    case HEARTH_ROUTE_KEYWORD:
      if (opt_value != NULL && *g_strstrip (opt_value) != '\0')
        return TRUE;
      *exit_code = usage_error ("routes", _("A keyword rule needs its word: --value WORD"));
      return FALSE;
    case HEARTH_ROUTE_LONG_PROMPT:
    case HEARTH_ROUTE_SHORT_PROMPT:
    case HEARTH_ROUTE_LONG_CONVERSATION:
    case HEARTH_ROUTE_DEFAULT:
    default:
      if (opt_value == NULL)
        {
          *exit_code = usage_error ("routes", kind == HEARTH_ROUTE_LONG_CONVERSATION
                                    ? _("This rule needs a number of messages: --value N")
                                    : _("This rule needs a number of characters: --value N"));
          return FALSE;
        }
      if (!parse_whole_number ("--value", opt_value, 1, 10000000, &number, &error))
        {
          *exit_code = usage_error ("routes", error->message);
          return FALSE;
        }
      return TRUE;
    }
}

static int
routes_add (HearthEngine *engine,
            HearthRoutes *routes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rules = NULL;
  g_autofree char *id = NULL;
  HearthRouteKind kind;
  int exit_code = 0;

  if (opt_kind == NULL || opt_target == NULL)
    return usage_error ("routes", _("Say what the rule looks at and what it picks: routes add "
                                    "--kind code --model @capable"));
  if (!hearth_route_kind_from_string (opt_kind, &kind) || kind == HEARTH_ROUTE_DEFAULT)
    {
      g_autofree char *message =
        g_strdup_printf (_("--kind takes code, long-prompt, short-prompt, long-conversation or "
                           "keyword, not “%s”"), opt_kind);
      return usage_error ("routes", message);
    }
  if (!check_value (kind, &exit_code))
    return exit_code;
  if (*opt_target == '\0' || g_str_equal (opt_target, HEARTH_MODEL_AUTO) ||
      (opt_target[0] == '@' && !is_tier (opt_target)))
    {
      g_autofree char *message =
        g_strdup_printf (_("--model takes a model name, @fast or @capable, not “%s”"), opt_target);
      return usage_error ("routes", message);
    }
  if (opt_on != NULL &&
      hearth_servers_lookup (hearth_engine_get_servers (engine), opt_on) == NULL)
    return fail_unknown_server (hearth_engine_get_servers (engine), opt_on);

  id = hearth_routes_add (routes, kind, opt_value, opt_target, opt_on,
                          opt_position > 0 ? (int) opt_position - 1 : -1, &error);
  if (id == NULL)
    return fail (error);
  rules = hearth_routes_list (routes);
  for (guint i = 0; i < rules->len; i++)
    {
      HearthRoute *rule = g_ptr_array_index (rules, i);
      g_autofree char *words = NULL;

      if (!g_str_equal (rule->id, id))
        continue;
      words = hearth_route_describe (rule);
      g_print (_("Added rule %s, number %u of %u: %s.\n"), id, i + 1, rules->len, words);
    }
  return 0;
}

int
hearth_cli_command_routes (int    argc,
                           char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  HearthRoutes *routes;
  const char *sub;
  int exit_code = 0;

  if (!parse_options ("routes", N_("list | add | remove ID | reset"), routes_entries, FALSE, &argc,
                      &argv, &exit_code))
    return exit_code;
  sub = argc >= 3 ? argv[2] : "list";
  if ((g_str_equal (sub, "remove") && argc != 4) ||
      (!g_str_equal (sub, "remove") && argc > 3) ||
      (!g_str_equal (sub, "list") && !g_str_equal (sub, "add") && !g_str_equal (sub, "remove") &&
       !g_str_equal (sub, "reset")))
    return usage_error ("routes", ROUTES_USAGE);
  if (!g_str_equal (sub, "add") &&
      (opt_kind != NULL || opt_value != NULL || opt_target != NULL || opt_on != NULL ||
       opt_position > 0))
    return usage_error ("routes", _("--kind, --value, --model, --server and --position are for "
                                    "routes add"));
  if ((engine = open_engine (settings, 0, &error)) == NULL)
    return fail (error);
  routes = hearth_engine_get_routes (engine);

  if (g_str_equal (sub, "list"))
    return routes_list (routes);
  if (g_str_equal (sub, "add"))
    return routes_add (engine, routes);
  if (g_str_equal (sub, "remove"))
    {
      gboolean found = FALSE;
      g_autoptr(GPtrArray) rules = hearth_routes_list (routes);

      for (guint i = 0; i < rules->len; i++)
        found |= g_str_equal (((HearthRoute *) g_ptr_array_index (rules, i))->id, argv[3]);
      if (!found)
        return fail_unknown_rule (routes, argv[3]);
      if (!hearth_routes_remove (routes, argv[3], &error))
        return fail (error);
      g_print (_("Removed rule %s.\n"), argv[3]);
      return 0;
    }
  if (!hearth_routes_reset (routes, &error))
    return fail (error);
  g_print (_("The routing rules are back to the defaults.\n"));
  return 0;
}
