/* hearth-routes.h — "Auto" as a model: rules that pick a model per request
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One engine-owned object (hearth_engine_get_routes ()). Rules are tried in
 * order; the first that matches picks the model (and, optionally, the
 * server). Kept in $XDG_CONFIG_HOME/hearth/routes.conf (a GKeyFile); while
 * the user has written none, the defaults apply: code or a long prompt or a
 * long conversation → the most capable model the user has, anything else →
 * the fast one. "The most capable" and "the fast one" are the hardware
 * report's tiers, resolved among the models installed on enabled local
 * servers when a request is routed (never a cloud model unless a rule
 * names it).
 */
#pragma once

#include <gio/gio.h>

#include "hearth-chat-request.h"
#include "hearth-types.h"

G_BEGIN_DECLS

#define HEARTH_MODEL_AUTO "auto"

typedef enum
{
  HEARTH_ROUTE_LONG_PROMPT,        /* the question has at least N characters */
  HEARTH_ROUTE_SHORT_PROMPT,       /* the question has at most N characters */
  HEARTH_ROUTE_CODE,               /* it contains code (a fence or code-like lines) */
  HEARTH_ROUTE_LONG_CONVERSATION,  /* at least N messages came before it */
  HEARTH_ROUTE_KEYWORD,            /* it contains the word (case-insensitive) */
  HEARTH_ROUTE_DEFAULT,            /* always: the last rule */
} HearthRouteKind;

/* What a rule picks: a model by name, or a tier resolved at request time. */
#define HEARTH_ROUTE_TARGET_FAST    "@fast"     /* the fastest installed model */
#define HEARTH_ROUTE_TARGET_CAPABLE "@capable"  /* the most capable one that fits */

typedef struct
{
  char            *id;       /* stable: "r1", "r2", … ("default-code" for the defaults) */
  HearthRouteKind  kind;
  char            *value;    /* N for the length kinds, the word for KEYWORD; else NULL */
  char            *model;    /* a model name or a HEARTH_ROUTE_TARGET_* */
  char            *server;   /* a server name, or NULL for wherever the model is */
} HearthRoute;

HearthRoute    *hearth_route_copy               (const HearthRoute   *route);
void            hearth_route_free               (HearthRoute         *route);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthRoute, hearth_route_free)
const char     *hearth_route_kind_to_string     (HearthRouteKind      kind); /* "long-prompt", "short-prompt", "code", "long-conversation", "keyword", "default" */
gboolean        hearth_route_kind_from_string   (const char          *str,
                                                 HearthRouteKind     *kind);
/* As from_string, failing with a sentence that lists the kinds. */
gboolean        hearth_route_kind_parse         (const char          *str,
                                                 HearthRouteKind     *kind,
                                                 GError             **error);
/* "Questions with code → the most capable model", "Questions of 2,000
 * characters or more → qwen2.5:7b on big-box". */
char           *hearth_route_describe           (const HearthRoute   *route);

#define HEARTH_TYPE_ROUTES (hearth_routes_get_type ())

/* "changed" (no arguments) after any change, or when another process
 * changed routes.conf. */
G_DECLARE_FINAL_TYPE (HearthRoutes, hearth_routes, HEARTH, ROUTES, GObject)

/* Of HearthRoute, in order: the user's, or the defaults. */
GPtrArray      *hearth_routes_list              (HearthRoutes        *self);
gboolean        hearth_routes_are_default       (HearthRoutes        *self);
/* Adds a rule at @position (-1, or past the end: before the default rule).
 * The first change copies the defaults into the user's list. Returns the new
 * rule's id. Adding a HEARTH_ROUTE_DEFAULT rule changes what the one default
 * rule picks (its id stays "default"). */
char           *hearth_routes_add               (HearthRoutes        *self,
                                                 HearthRouteKind      kind,
                                                 const char          *value,
                                                 const char          *model,
                                                 const char          *server,
                                                 int                  position,
                                                 GError             **error);
gboolean        hearth_routes_remove            (HearthRoutes        *self,
                                                 const char          *id,
                                                 GError             **error);
gboolean        hearth_routes_move              (HearthRoutes        *self,
                                                 const char          *id,
                                                 guint                position,
                                                 GError             **error);
/* Whether "auto" may follow the user's ratings (hearth-feedback.h): kept
 * in routes.conf ([ratings] use=true), off by default; reset keeps it. */
gboolean        hearth_routes_get_use_ratings   (HearthRoutes        *self);
gboolean        hearth_routes_set_use_ratings   (HearthRoutes        *self,
                                                 gboolean             use,
                                                 GError             **error);
/* Back to the defaults (removes routes.conf). */
gboolean        hearth_routes_reset             (HearthRoutes        *self,
                                                 GError             **error);

typedef struct
{
  char *model;        /* the model chosen */
  char *server;       /* the server to ask, or NULL for the default server */
  char *rule_id;      /* the rule that matched */
  char *explanation;  /* for the reply: "code → the most capable model you have
                       * (qwen2.5:7b)" */
} HearthRouteChoice;

void            hearth_route_choice_free        (HearthRouteChoice   *choice);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthRouteChoice, hearth_route_choice_free)

/* Picks the model for @request (its last message is the question;
 * @earlier_messages came before it in the conversation). Fails with a
 * sentence when no rule's model can be found on any enabled server. With
 * the ratings' switch on, the user's record for the question's kind may
 * overrule the rule's choice (hearth-feedback.h; read in a worker), and
 * the explanation says so. */
void            hearth_routes_choose_async      (HearthRoutes            *self,
                                                 const HearthChatRequest *request,
                                                 guint                    earlier_messages,
                                                 GCancellable            *cancellable,
                                                 GAsyncReadyCallback      callback,
                                                 gpointer                 user_data);
HearthRouteChoice *
                hearth_routes_choose_finish     (HearthRoutes            *self,
                                                 GAsyncResult            *result,
                                                 GError                 **error);

/* For the routes editor: what the tiers resolve to now ("qwen2.5:7b on
 * laptop"), or NULL with @error saying why none can be found. */
void            hearth_routes_resolve_target_async  (HearthRoutes        *self,
                                                     const char          *target,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
HearthRouteChoice *
                hearth_routes_resolve_target_finish (HearthRoutes        *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* Made by the engine; @engine is not referenced. */
HearthRoutes   *_hearth_routes_new              (HearthEngine        *engine);

G_END_DECLS
