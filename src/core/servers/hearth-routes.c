/* hearth-routes.c — the rules behind "Auto": kept in routes.conf, edited, described
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-routes"

#include "config.h"

#include <errno.h>
#include <langinfo.h>
#include <string.h>
#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>

#include "hearth-engine.h"
#include "hearth-config-file.h"
#include "hearth-error.h"
#include "hearth-routes-private.h"

#define GROUP_PREFIX "rule "
/* [ratings] use=true: "auto" may follow the user's ratings (hearth-feedback.h). */
#define RATINGS_GROUP "ratings"
#define RATINGS_USE   "use"

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HearthRoutes, hearth_routes, G_TYPE_OBJECT)

/* HearthRoute */

HearthRoute *
_hearth_route_new (const char      *id,
           HearthRouteKind  kind,
           const char      *value,
           const char      *model,
           const char      *server)
{
  HearthRoute *route = g_new0 (HearthRoute, 1);

  route->id = g_strdup (id);
  route->kind = kind;
  route->value = g_strdup (value);
  route->model = g_strdup (model);
  route->server = g_strdup (server);
  return route;
}

HearthRoute *
hearth_route_copy (const HearthRoute *route)
{
  g_return_val_if_fail (route != NULL, NULL);

  return _hearth_route_new (route->id, route->kind, route->value, route->model, route->server);
}

void
hearth_route_free (HearthRoute *route)
{
  if (route == NULL)
    return;

  g_free (route->id);
  g_free (route->value);
  g_free (route->model);
  g_free (route->server);
  g_free (route);
}

static gboolean
route_equal (const HearthRoute *a,
             const HearthRoute *b)
{
  return g_strcmp0 (a->id, b->id) == 0 && a->kind == b->kind
         && g_strcmp0 (a->value, b->value) == 0 && g_strcmp0 (a->model, b->model) == 0
         && g_strcmp0 (a->server, b->server) == 0;
}

static const char * const kind_names[] = {
  [HEARTH_ROUTE_LONG_PROMPT] = "long-prompt",
  [HEARTH_ROUTE_SHORT_PROMPT] = "short-prompt",
  [HEARTH_ROUTE_CODE] = "code",
  [HEARTH_ROUTE_LONG_CONVERSATION] = "long-conversation",
  [HEARTH_ROUTE_KEYWORD] = "keyword",
  [HEARTH_ROUTE_DEFAULT] = "default",
};


gboolean
_hearth_route_kind_is_valid (HearthRouteKind kind)
{
  return (guint) kind < G_N_ELEMENTS (kind_names);
}

const char *
hearth_route_kind_to_string (HearthRouteKind kind)
{
  g_return_val_if_fail (_hearth_route_kind_is_valid (kind), NULL);

  return kind_names[kind];
}

gboolean
hearth_route_kind_from_string (const char      *str,
                               HearthRouteKind *kind)
{
  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (kind_names); i++)
    if (g_str_equal (str, kind_names[i]))
      {
        if (kind != NULL)
          *kind = i;
        return TRUE;
      }

  return FALSE;
}

gboolean
hearth_route_kind_parse (const char       *str,
                         HearthRouteKind  *kind,
                         GError          **error)
{
  if (hearth_route_kind_from_string (str, kind))
    return TRUE;

  g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
               /* Translators: the second %s lists the kinds, typed as they are */
               _("“%s” is not a kind of rule: use %s"), str != NULL ? str : "", HEARTH_ROUTE_KINDS);
  return FALSE;
}

gboolean
_hearth_route_kind_has_count (HearthRouteKind kind)
{
  return kind == HEARTH_ROUTE_LONG_PROMPT || kind == HEARTH_ROUTE_SHORT_PROMPT
         || kind == HEARTH_ROUTE_LONG_CONVERSATION;
}

char *
_hearth_routes_format_count (gint64 count)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GINT64_FORMAT, ABS (count));
  GString *out = g_string_new (count < 0 ? "−" : NULL);
  gsize len = strlen (digits);
  /* the locale's thousands separator ("1.500" in German); the C locale has
   * none, and English's comma is the one a person expects there */
  const char *separator = nl_langinfo (THOUSEP);

  if (separator == NULL || *separator == '\0')
    separator = ",";
  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (out, separator);
      g_string_append_c (out, digits[i]);
    }

  return g_string_free (out, FALSE);
}

static char *
format_value (const HearthRoute *route)
{
  return _hearth_routes_format_count (g_ascii_strtoll (route->value ? route->value : "0",
                                                       NULL, 10));
}

static char *
describe_target (const HearthRoute *route)
{
  const char *model;

  if (g_strcmp0 (route->model, HEARTH_ROUTE_TARGET_CAPABLE) == 0)
    model = _("the most capable model");
  else if (g_strcmp0 (route->model, HEARTH_ROUTE_TARGET_FAST) == 0)
    model = _("the fastest model");
  else
    model = route->model;

  if (route->server != NULL)
    return g_strdup_printf ("%s on %s", model, route->server);
  return g_strdup (model);
}

static char *
describe_condition (const HearthRoute *route)
{
  g_autofree char *count = _hearth_route_kind_has_count (route->kind) ? format_value (route) : NULL;

  switch (route->kind)
    {
    case HEARTH_ROUTE_LONG_PROMPT:
      return g_strdup_printf (_("Questions of %s characters or more"), count);
    case HEARTH_ROUTE_SHORT_PROMPT:
      return g_strdup_printf (_("Questions of %s characters or fewer"), count);
    case HEARTH_ROUTE_CODE:
      return g_strdup (_("Questions with code"));
    case HEARTH_ROUTE_LONG_CONVERSATION:
      return g_strdup_printf (_("Conversations with %s or more earlier messages"), count);
    case HEARTH_ROUTE_KEYWORD:
      return g_strdup_printf (_("Questions with the word “%s”"), route->value);
    case HEARTH_ROUTE_DEFAULT:
    default:
      return g_strdup (_("Everything else"));
    }
}

/* "Questions with code → the most capable model",
 * "Questions of 2,000 characters or more → qwen2.5:7b on big-box". */
char *
hearth_route_describe (const HearthRoute *route)
{
  g_autofree char *condition = NULL;
  g_autofree char *target = NULL;

  g_return_val_if_fail (route != NULL, NULL);

  condition = describe_condition (route);
  target = describe_target (route);
  return g_strdup_printf ("%s → %s", condition, target);
}

/* What the reply's line starts with: "code → the most capable model you have (…)". */
char *
_hearth_route_label (const HearthRoute *route)
{
  g_autofree char *count = _hearth_route_kind_has_count (route->kind) ? format_value (route) : NULL;

  switch (route->kind)
    {
    case HEARTH_ROUTE_LONG_PROMPT:
      return g_strdup_printf (_("a long question (%s characters or more)"), count);
    case HEARTH_ROUTE_SHORT_PROMPT:
      return g_strdup_printf (_("a short question (%s characters or fewer)"), count);
    case HEARTH_ROUTE_CODE:
      return g_strdup ("code");
    case HEARTH_ROUTE_LONG_CONVERSATION:
      return g_strdup_printf (_("a long conversation (%s earlier messages or more)"), count);
    case HEARTH_ROUTE_KEYWORD:
      return g_strdup_printf (_("the word “%s”"), route->value);
    case HEARTH_ROUTE_DEFAULT:
    default:
      return g_strdup (_("everything else"));
    }
}

/* The defaults */

static GPtrArray *
rules_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_route_free);
}

static GPtrArray *
default_rules (void)
{
  GPtrArray *rules = rules_new ();
  g_autofree char *long_prompt = g_strdup_printf ("%d", HEARTH_ROUTES_LONG_PROMPT);
  g_autofree char *long_conversation = g_strdup_printf ("%d", HEARTH_ROUTES_LONG_CONVERSATION);

  g_ptr_array_add (rules, _hearth_route_new ("default-code", HEARTH_ROUTE_CODE, NULL,
                                     HEARTH_ROUTE_TARGET_CAPABLE, NULL));
  g_ptr_array_add (rules, _hearth_route_new ("default-long", HEARTH_ROUTE_LONG_PROMPT, long_prompt,
                                     HEARTH_ROUTE_TARGET_CAPABLE, NULL));
  g_ptr_array_add (rules, _hearth_route_new ("default-conversation", HEARTH_ROUTE_LONG_CONVERSATION,
                                     long_conversation, HEARTH_ROUTE_TARGET_CAPABLE, NULL));
  g_ptr_array_add (rules, _hearth_route_new (HEARTH_ROUTES_DEFAULT_ID, HEARTH_ROUTE_DEFAULT, NULL,
                                     HEARTH_ROUTE_TARGET_FAST, NULL));
  return rules;
}

GPtrArray *
_hearth_routes_copy_rules (GPtrArray *rules)
{
  GPtrArray *copy = rules_new ();

  for (guint i = 0; i < rules->len; i++)
    g_ptr_array_add (copy, hearth_route_copy (g_ptr_array_index (rules, i)));
  return copy;
}

static gboolean
rules_equal (GPtrArray *a,
             GPtrArray *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (!route_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)))
      return FALSE;
  return TRUE;
}

GPtrArray *
_hearth_routes_defaults (void)
{
  static GPtrArray *rules;

  if (g_once_init_enter (&rules))
    g_once_init_leave (&rules, default_rules ());
  return rules;
}

GPtrArray *
_hearth_routes_get_rules (HearthRoutes *self)
{
  return self->rules != NULL ? self->rules : _hearth_routes_defaults ();
}

int
_hearth_routes_find_rule (GPtrArray  *rules,
           const char *id)
{
  for (guint i = 0; i < rules->len; i++)
    if (g_strcmp0 (((HearthRoute *) g_ptr_array_index (rules, i))->id, id) == 0)
      return i;
  return -1;
}

/* routes.conf */

gboolean
_hearth_routes_parse_count (const char  *value,
             gint64      *count)
{
  guint64 n = 0;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 1, HEARTH_ROUTES_MAX_COUNT, &n, NULL))
    return FALSE;
  if (count != NULL)
    *count = (gint64) n;
  return TRUE;
}

/* A rule a person broke by hand is left out, not guessed at. */
static HearthRoute *
read_rule (GKeyFile   *file,
           const char *group)
{
  g_autofree char *kind_name = g_key_file_get_string (file, group, "kind", NULL);
  g_autofree char *value = g_key_file_get_string (file, group, "value", NULL);
  g_autofree char *model = g_key_file_get_string (file, group, "model", NULL);
  g_autofree char *server = g_key_file_get_string (file, group, "server", NULL);
  const char *id = group + strlen (GROUP_PREFIX);
  HearthRouteKind kind;

  if (!hearth_route_kind_from_string (kind_name, &kind) || model == NULL || *model == '\0'
      || *id == '\0')
    return NULL;
  if (_hearth_route_kind_has_count (kind) && !_hearth_routes_parse_count (value, NULL))
    return NULL;
  if (kind == HEARTH_ROUTE_KEYWORD && (value == NULL || *g_strstrip (value) == '\0'))
    return NULL;
  if (kind != HEARTH_ROUTE_KEYWORD && !_hearth_route_kind_has_count (kind))
    g_clear_pointer (&value, g_free);
  if (server != NULL && *server == '\0')
    g_clear_pointer (&server, g_free);

  return _hearth_route_new (kind == HEARTH_ROUTE_DEFAULT ? HEARTH_ROUTES_DEFAULT_ID : id, kind, value, model, server);
}

/* Always exactly one default rule, last: what answers when nothing else does. */
static void
keep_default_last (GPtrArray *rules)
{
  HearthRoute *last = NULL;

  for (guint i = rules->len; i > 0; i--)
    {
      HearthRoute *route = g_ptr_array_index (rules, i - 1);

      if (route->kind != HEARTH_ROUTE_DEFAULT)
        continue;
      if (last == NULL)
        last = g_ptr_array_steal_index (rules, i - 1);
      else
        g_ptr_array_remove_index (rules, i - 1);
    }
  if (last == NULL)
    last = hearth_route_copy (g_ptr_array_index (_hearth_routes_defaults (), _hearth_routes_defaults ()->len - 1));
  g_ptr_array_add (rules, last);
}

/* Returns: the user's rules, or NULL when there is no file or it has no
 * rules (the defaults apply); @unreadable: TRUE when a file is there but
 * does not read; @use_ratings: the file's [ratings] use, FALSE without. */
static GPtrArray *
load_rules (const char *path,
            gboolean   *unreadable,
            gboolean   *use_ratings)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) groups = NULL;
  GPtrArray *rules;
  guint n_rule_groups = 0;

  *unreadable = FALSE;
  *use_ratings = FALSE;
  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &error))
    {
      *unreadable = !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
      if (*unreadable)
        g_message ("%s cannot be read (%s): the default routing rules apply, and the file is "
                   "kept as routes.conf.bak when the rules are next changed", path,
                   error->message);
      return NULL;
    }

  /* Anything but "true" is off: routing by ratings is asked for, never guessed. */
  *use_ratings = g_key_file_get_boolean (file, RATINGS_GROUP, RATINGS_USE, NULL);

  rules = rules_new ();
  groups = g_key_file_get_groups (file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      HearthRoute *route;

      if (!g_str_has_prefix (groups[i], GROUP_PREFIX))
        continue;
      n_rule_groups++;
      route = read_rule (file, groups[i]);
      if (route != NULL && _hearth_routes_find_rule (rules, route->id) < 0)
        {
          g_ptr_array_add (rules, route);
          continue;
        }
      g_message ("%s: [%s] is not a rule Hearth can use and is left out; the file is kept as "
                 "routes.conf.bak when the rules are next changed", path, groups[i]);
      *unreadable = TRUE;
      hearth_route_free (route);
    }
  /* Only the ratings' switch: the user has written no rules. */
  if (n_rule_groups == 0)
    {
      g_ptr_array_unref (rules);
      return NULL;
    }
  keep_default_last (rules);
  return rules;
}

/* @rules: NULL while the defaults apply (the file then keeps the switch only). */
static char *
rules_to_data (GPtrArray *rules,
               gboolean   use_ratings)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();

  g_key_file_set_comment (file, NULL, NULL,
                          " Hearth’s rules for the “Auto” model, tried in order (hearth-cli "
                          "routes list).\n Models: a name, @fast or @capable.", NULL);
  if (use_ratings)
    {
      g_key_file_set_boolean (file, RATINGS_GROUP, RATINGS_USE, TRUE);
      g_key_file_set_comment (file, RATINGS_GROUP, NULL,
                              " “Auto” may pick the model with the better record in your "
                              "ratings\n (hearth-cli feedback routing on|off).", NULL);
    }
  for (guint i = 0; rules != NULL && i < rules->len; i++)
    {
      const HearthRoute *route = g_ptr_array_index (rules, i);
      g_autofree char *group = g_strconcat (GROUP_PREFIX, route->id, NULL);

      g_key_file_set_string (file, group, "kind", hearth_route_kind_to_string (route->kind));
      if (route->value != NULL)
        g_key_file_set_string (file, group, "value", route->value);
      g_key_file_set_string (file, group, "model", route->model);
      if (route->server != NULL)
        g_key_file_set_string (file, group, "server", route->server);
    }

  return g_key_file_to_data (file, NULL, NULL);
}

static gboolean
save_rules (HearthRoutes  *self,
            GPtrArray     *rules,
            gboolean       use_ratings,
            GError       **error)
{
  g_autofree char *data = rules_to_data (rules, use_ratings);

  return hearth_config_file_write (self->path, data, 0644, "The routing rules",
                                   &self->unreadable, error);
}

/* Takes @rules (the user's, or NULL for the defaults) and says so when
 * they or the ratings' switch differ. */
static void
set_state (HearthRoutes *self,
           GPtrArray    *rules,
           gboolean      use_ratings)
{
  gboolean same = rules_equal (self->rules, rules) && self->use_ratings == use_ratings;

  g_clear_pointer (&self->rules, g_ptr_array_unref);
  self->rules = rules;
  self->use_ratings = use_ratings;
  if (!same)
    g_signal_emit (self, signals[CHANGED], 0);
}

void
_hearth_routes_set_rules (HearthRoutes *self,
           GPtrArray    *rules)
{
  set_state (self, rules, self->use_ratings);
}

/* Writes @rules (NULL: the defaults, with the ratings' switch on); on
 * success they become the rules in force. */
gboolean
_hearth_routes_commit (HearthRoutes  *self,
        GPtrArray     *rules,
        GError       **error)
{
  if (!save_rules (self, rules, self->use_ratings, error))
    {
      g_clear_pointer (&rules, g_ptr_array_unref);
      return FALSE;
    }

  _hearth_routes_set_rules (self, rules);
  return TRUE;
}

gboolean
hearth_routes_get_use_ratings (HearthRoutes *self)
{
  g_return_val_if_fail (HEARTH_IS_ROUTES (self), FALSE);

  return self->use_ratings;
}

/* Kept with the rules; the rules themselves are written as they are (the
 * defaults stay the defaults: only the switch is written then). */
gboolean
hearth_routes_set_use_ratings (HearthRoutes  *self,
                               gboolean       use,
                               GError       **error)
{
  g_autoptr(GPtrArray) rules = NULL;

  g_return_val_if_fail (HEARTH_IS_ROUTES (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  use = !!use;
  if (use == self->use_ratings)
    return TRUE;
  if (self->rules != NULL)
    rules = _hearth_routes_copy_rules (self->rules);
  if (!save_rules (self, rules, use, error))
    return FALSE;
  set_state (self, g_steal_pointer (&rules), use);
  return TRUE;
}

static void
on_file_changed (GFileMonitor      *monitor,
                 GFile             *file,
                 GFile             *other_file,
                 GFileMonitorEvent  event,
                 HearthRoutes      *self)
{
  GPtrArray *rules;
  gboolean use_ratings;

  if (event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED
      || event == G_FILE_MONITOR_EVENT_PRE_UNMOUNT || event == G_FILE_MONITOR_EVENT_UNMOUNTED)
    return;

  rules = load_rules (self->path, &self->unreadable, &use_ratings);
  set_state (self, rules, use_ratings);
}

static void
follow_file (HearthRoutes *self)
{
  g_autoptr(GFile) file = g_file_new_for_path (self->path);
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autoptr(GError) error = NULL;

  /* The directory exists so that the monitor sees the file appear at once. */
  g_mkdir_with_parents (dir, 0700);
  self->monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (self->monitor == NULL)
    {
      g_message ("Changes other programs make to %s will be seen after a restart: %s",
                 self->path, error->message);
      return;
    }
  g_signal_connect_object (self->monitor, "changed", G_CALLBACK (on_file_changed), self, 0);
}

GPtrArray *
hearth_routes_list (HearthRoutes *self)
{
  g_return_val_if_fail (HEARTH_IS_ROUTES (self), NULL);

  return _hearth_routes_copy_rules (_hearth_routes_get_rules (self));
}

gboolean
hearth_routes_are_default (HearthRoutes *self)
{
  g_return_val_if_fail (HEARTH_IS_ROUTES (self), TRUE);

  return self->rules == NULL;
}

/* The object */

static void
hearth_routes_dispose (GObject *object)
{
  HearthRoutes *self = HEARTH_ROUTES (object);

  if (self->monitor != NULL)
    g_file_monitor_cancel (self->monitor);
  g_clear_object (&self->monitor);
  if (self->engine != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->engine), (gpointer *) &self->engine);
  self->engine = NULL;

  G_OBJECT_CLASS (hearth_routes_parent_class)->dispose (object);
}

static void
hearth_routes_finalize (GObject *object)
{
  HearthRoutes *self = HEARTH_ROUTES (object);

  g_free (self->path);
  g_clear_pointer (&self->rules, g_ptr_array_unref);
  g_clear_pointer (&self->hardware, hearth_hardware_free);
  g_clear_pointer (&self->catalog, g_ptr_array_unref);

  G_OBJECT_CLASS (hearth_routes_parent_class)->finalize (object);
}

static void
hearth_routes_class_init (HearthRoutesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hearth_routes_dispose;
  object_class->finalize = hearth_routes_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
hearth_routes_init (HearthRoutes *self)
{
}

HearthRoutes *
_hearth_routes_new (HearthEngine *engine)
{
  HearthRoutes *self = g_object_new (HEARTH_TYPE_ROUTES, NULL);

  self->engine = engine;
  if (engine != NULL)
    g_object_add_weak_pointer (G_OBJECT (engine), (gpointer *) &self->engine);
  self->path = g_build_filename (g_get_user_config_dir (), "hearth", "routes.conf", NULL);
  self->rules = load_rules (self->path, &self->unreadable, &self->use_ratings);
  follow_file (self);
  return self;
}

/* Kept on the engine, made on first use. */
HearthRoutes *
hearth_engine_get_routes (HearthEngine *self)
{
  HearthRoutes *routes;

  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);

  routes = g_object_get_data (G_OBJECT (self), "hearth-routes");
  if (routes == NULL)
    {
      routes = _hearth_routes_new (self);
      g_object_set_data_full (G_OBJECT (self), "hearth-routes", routes, g_object_unref);
    }
  return routes;
}
