/* hearth-routes-edit.c — adding, removing and moving rules, with a sentence for bad input
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-routes"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-routes-private.h"


static char *
list_ids (GPtrArray *rules)
{
  GString *ids = g_string_new (NULL);

  for (guint i = 0; i < rules->len; i++)
    g_string_append_printf (ids, "%s%s", i > 0 ? ", " : "",
                            ((HearthRoute *) g_ptr_array_index (rules, i))->id);
  return g_string_free (ids, FALSE);
}

/* A rule that counts needs its number: one whole sentence per kind. The
 * kinds' names (long-prompt…) are what people type, so they stay as they
 * are in every language. */
static gboolean
missing_count (HearthRouteKind   kind,
               GError          **error)
{
  switch (kind)
    {
    case HEARTH_ROUTE_LONG_CONVERSATION:
      /* Translators: “long-conversation” is typed as it is; keep it */
      return hearth_error_set_invalid (error, _("A long-conversation rule needs a number of "
                                                "earlier messages, such as %d"),
                                       HEARTH_ROUTES_LONG_CONVERSATION);
    case HEARTH_ROUTE_SHORT_PROMPT:
      /* Translators: “short-prompt” is typed as it is; keep it */
      return hearth_error_set_invalid (error, _("A short-prompt rule needs a number of "
                                                "characters, such as %d"),
                                       HEARTH_ROUTES_LONG_PROMPT);
    case HEARTH_ROUTE_LONG_PROMPT:
    case HEARTH_ROUTE_CODE:
    case HEARTH_ROUTE_KEYWORD:
    case HEARTH_ROUTE_DEFAULT:
    default:
      /* Translators: “long-prompt” is typed as it is; keep it */
      return hearth_error_set_invalid (error, _("A long-prompt rule needs a number of "
                                                "characters, such as %d"),
                                       HEARTH_ROUTES_LONG_PROMPT);
    }
}

static gboolean
bad_count (HearthRouteKind   kind,
           const char       *value,
           GError          **error)
{
  switch (kind)
    {
    case HEARTH_ROUTE_LONG_CONVERSATION:
      /* Translators: %s is what was typed; “long-conversation” is typed as
       * it is; keep it */
      return hearth_error_set_invalid (error, _("“%s” is not a positive whole number: a "
                                                "long-conversation rule needs a number of "
                                                "messages above 0, such as %d"),
                                       value, HEARTH_ROUTES_LONG_CONVERSATION);
    case HEARTH_ROUTE_SHORT_PROMPT:
      /* Translators: %s is what was typed; “short-prompt” is typed as it
       * is; keep it */
      return hearth_error_set_invalid (error, _("“%s” is not a positive whole number: a "
                                                "short-prompt rule needs a number of characters "
                                                "above 0, such as %d"),
                                       value, HEARTH_ROUTES_LONG_PROMPT);
    case HEARTH_ROUTE_LONG_PROMPT:
    case HEARTH_ROUTE_CODE:
    case HEARTH_ROUTE_KEYWORD:
    case HEARTH_ROUTE_DEFAULT:
    default:
      /* Translators: %s is what was typed; “long-prompt” is typed as it is;
       * keep it */
      return hearth_error_set_invalid (error, _("“%s” is not a positive whole number: a "
                                                "long-prompt rule needs a number of characters "
                                                "above 0, such as %d"),
                                       value, HEARTH_ROUTES_LONG_PROMPT);
    }
}

static gboolean
check_value (HearthRouteKind   kind,
             const char       *value,
             GError          **error)
{
  gboolean empty = value == NULL || *value == '\0';

  if (_hearth_route_kind_has_count (kind) && empty)
    return missing_count (kind, error);
  if (_hearth_route_kind_has_count (kind) && !_hearth_routes_parse_count (value, NULL))
    return bad_count (kind, value, error);
  if (kind == HEARTH_ROUTE_KEYWORD && (empty || strspn (value, " \t\n") == strlen (value)))
    return hearth_error_set_invalid (error, _("A keyword rule needs a word to look for, such as “sql”"));
  if (kind == HEARTH_ROUTE_KEYWORD && !g_utf8_validate (value, -1, NULL))
    return hearth_error_set_invalid (error, _("The keyword is not valid text (UTF-8)"));
  if (kind == HEARTH_ROUTE_CODE && !empty)
    /* Translators: %s is what was typed; “code” is typed as it is; keep it */
    return hearth_error_set_invalid (error, _("A code rule takes no value (“%s”): leave it out"),
                                     value);
  if (kind == HEARTH_ROUTE_DEFAULT && !empty)
    /* Translators: %s is what was typed; “default” is typed as it is; keep it */
    return hearth_error_set_invalid (error, _("A default rule takes no value (“%s”): leave it "
                                              "out"),
                                     value);
  return TRUE;
}

static gboolean
check_model (const char  *model,
             GError     **error)
{
  if (model == NULL || *model == '\0')
    return hearth_error_set_invalid (error, _("A rule needs a model: a model’s name, %s or %s"),
                                     HEARTH_ROUTE_TARGET_FAST, HEARTH_ROUTE_TARGET_CAPABLE);
  if (g_str_equal (model, HEARTH_MODEL_AUTO))
    return hearth_error_set_invalid (error,
                                     _("A rule cannot pick “auto”: give a model’s name, %s or %s"),
                                     HEARTH_ROUTE_TARGET_FAST, HEARTH_ROUTE_TARGET_CAPABLE);
  if (model[0] == '@' && !g_str_equal (model, HEARTH_ROUTE_TARGET_FAST)
      && !g_str_equal (model, HEARTH_ROUTE_TARGET_CAPABLE))
    /* Translators: the second and third %s are @fast and @capable, typed as they are */
    return hearth_error_set_invalid (error, _("“%s” is not a model Hearth can pick: use "
                                              "%s (the fastest model you have), "
                                              "%s (the most capable) or a model’s name"),
                                     model, HEARTH_ROUTE_TARGET_FAST, HEARTH_ROUTE_TARGET_CAPABLE);
  if (strpbrk (model, " \t\n") != NULL || !g_utf8_validate (model, -1, NULL))
    return hearth_error_set_invalid (error, _("“%s” is not a model’s name: names have no spaces, such as "
                           "“qwen2.5:7b”"), model);
  return TRUE;
}

static char *
server_names (HearthServers *servers)
{
  GString *names = g_string_new (NULL);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (servers));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (G_LIST_MODEL (servers), i);

      g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", hearth_server_get_name (server));
    }
  return g_string_free (names, FALSE);
}

static gboolean
check_server (HearthRoutes  *self,
              const char    *server,
              GError       **error)
{
  HearthServers *servers;
  g_autofree char *names = NULL;

  if (server == NULL || self->engine == NULL)
    return TRUE;
  servers = hearth_engine_get_servers (self->engine);
  if (hearth_servers_lookup (servers, server) != NULL)
    return TRUE;

  names = server_names (servers);
  if (*names == '\0')
    return hearth_error_set_invalid (error,
                                     _("There is no server named “%s”: add it first"), server);
  return hearth_error_set_invalid (error, _("There is no server named “%s”: your servers are %s"), server, names);
}

static char *
next_id (GPtrArray *rules)
{
  for (guint n = 1;; n++)
    {
      g_autofree char *id = g_strdup_printf ("r%u", n);

      if (_hearth_routes_find_rule (rules, id) < 0)
        return g_steal_pointer (&id);
    }
}

/* Adding a default rule changes what the existing one picks: there is only one. */
static char *
replace_default (HearthRoutes  *self,
                 const char    *model,
                 const char    *server,
                 GError       **error)
{
  g_autoptr(GPtrArray) rules = _hearth_routes_copy_rules (_hearth_routes_get_rules (self));
  HearthRoute *last = g_ptr_array_index (rules, rules->len - 1);

  g_free (last->model);
  last->model = g_strdup (model);
  g_free (last->server);
  last->server = g_strdup (server);
  if (!_hearth_routes_commit (self, g_steal_pointer (&rules), error))
    return NULL;
  return g_strdup (HEARTH_ROUTES_DEFAULT_ID);
}

char *
hearth_routes_add (HearthRoutes     *self,
                   HearthRouteKind   kind,
                   const char       *value,
                   const char       *model,
                   const char       *server,
                   int               position,
                   GError          **error)
{
  g_autoptr(GPtrArray) rules = NULL;
  g_autofree char *word = NULL;
  HearthRoute *route;

  g_return_val_if_fail (HEARTH_IS_ROUTES (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (server != NULL && *server == '\0')
    server = NULL;
  if (!_hearth_route_kind_is_valid (kind))
    {
      /* Translators: %s lists the kinds, typed as they are: code, long-prompt, … */
      hearth_error_set_invalid (error, _("Hearth knows no such kind of rule: use %s"),
                                HEARTH_ROUTE_KINDS);
      return NULL;
    }
  if (!check_value (kind, value, error) || !check_model (model, error)
      || !check_server (self, server, error))
    return NULL;
  if (position < -1)
    {
      hearth_error_set_invalid (error, _("%d is not a position in the list: give 0 for the first place, or leave "
                      "it out to add the rule before the default one"), position);
      return NULL;
    }
  if (kind == HEARTH_ROUTE_DEFAULT)
    return replace_default (self, model, server, error);

  rules = _hearth_routes_copy_rules (_hearth_routes_get_rules (self));
  if (kind == HEARTH_ROUTE_KEYWORD)
    word = g_strstrip (g_strdup (value));
  else if (_hearth_route_kind_has_count (kind))
    word = g_strdup_printf ("%" G_GINT64_FORMAT, g_ascii_strtoll (value, NULL, 10));
  route = _hearth_route_new (NULL, kind, word, model, server);
  route->id = next_id (rules);
  /* Anywhere before the default rule, which stays last. */
  g_ptr_array_insert (rules, position < 0 ? (int) rules->len - 1
                                          : MIN (position, (int) rules->len - 1), route);
  if (!_hearth_routes_commit (self, g_steal_pointer (&rules), error))
    return NULL;
  return g_strdup (route->id);
}

static gboolean
lookup_rule (GPtrArray   *rules,
             const char  *id,
             int         *index,
             GError     **error)
{
  g_autofree char *ids = NULL;

  *index = id != NULL ? _hearth_routes_find_rule (rules, id) : -1;
  if (*index >= 0)
    return TRUE;
  ids = list_ids (rules);
  return hearth_error_set_invalid (error, _("There is no rule “%s”: the rules are %s"), id ? id : "", ids);
}

gboolean
hearth_routes_remove (HearthRoutes  *self,
                      const char    *id,
                      GError       **error)
{
  g_autoptr(GPtrArray) rules = NULL;
  int index;

  g_return_val_if_fail (HEARTH_IS_ROUTES (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  rules = _hearth_routes_copy_rules (_hearth_routes_get_rules (self));
  if (!lookup_rule (rules, id, &index, error))
    return FALSE;
  if (index == (int) rules->len - 1)
    return hearth_error_set_invalid (error, _("The default rule cannot be removed: it picks the model when no other "
                           "rule matches. Add a default rule to change what it picks"));
  g_ptr_array_remove_index (rules, index);
  return _hearth_routes_commit (self, g_steal_pointer (&rules), error);
}

gboolean
hearth_routes_move (HearthRoutes  *self,
                    const char    *id,
                    guint          position,
                    GError       **error)
{
  g_autoptr(GPtrArray) rules = NULL;
  int index;
  guint last;

  g_return_val_if_fail (HEARTH_IS_ROUTES (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  rules = _hearth_routes_copy_rules (_hearth_routes_get_rules (self));
  if (!lookup_rule (rules, id, &index, error))
    return FALSE;
  last = rules->len - 1;
  if ((guint) index == last)
    return hearth_error_set_invalid (error, _("The default rule cannot be moved: it stays last, to pick the model "
                           "when no other rule matches"));
  if (position >= last)
    return hearth_error_set_invalid (error, _("“%s” cannot go to position %u: the default rule stays last, so the "
                           "positions are 0 to %u"), id, position, last - 1);
  if ((guint) index == position)
    return TRUE;

  g_ptr_array_insert (rules, position, g_ptr_array_steal_index (rules, index));
  return _hearth_routes_commit (self, g_steal_pointer (&rules), error);
}

gboolean
hearth_routes_reset (HearthRoutes  *self,
                     GError       **error)
{
  g_return_val_if_fail (HEARTH_IS_ROUTES (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The rules go back to the defaults; routing by ratings stays as it is. */
  if (self->use_ratings)
    return _hearth_routes_commit (self, NULL, error);
  if (g_unlink (self->path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_FAILED,
                   _("The routing rules could not be reset: %s cannot be removed (%s)"),
                   self->path, g_strerror (saved_errno));
      return FALSE;
    }

  _hearth_routes_set_rules (self, NULL);
  return TRUE;
}

