/* hearth-routes-private.h — what the routing rules' files share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-catalog.h"
#include "hearth-feedback.h"
#include "hearth-hardware.h"
#include "hearth-routes.h"

G_BEGIN_DECLS

struct _HearthRoutes
{
  GObject          parent_instance;

  HearthEngine    *engine;        /* a weak pointer: NULL once the engine is gone */
  char            *path;          /* routes.conf */
  GPtrArray       *rules;         /* HearthRoute: the user's, or NULL for the defaults */
  GFileMonitor    *monitor;
  gboolean         unreadable;    /* routes.conf is there but does not read */
  gboolean         use_ratings;   /* "auto" may follow the user's ratings ([ratings] use) */

  /* For the tiers, found once in a worker (hearth-routes-choose.c). */
  gboolean         machine_known;
  HearthHardware  *hardware;      /* NULL when the probe failed */
  GPtrArray       *catalog;       /* HearthCatalogModel, or NULL */
};

#define HEARTH_ROUTES_DEFAULT_ID        "default"
#define HEARTH_ROUTES_MAX_COUNT         10000000   /* characters or messages: beyond any request */
/* The defaults' figures while the user has written no rules. */
#define HEARTH_ROUTES_LONG_PROMPT       1500
#define HEARTH_ROUTES_LONG_CONVERSATION 20
#define HEARTH_ROUTE_KINDS "long-prompt, short-prompt, code, long-conversation, keyword or default"

HearthRoute    *_hearth_route_new                (const char          *id,
                                                  HearthRouteKind      kind,
                                                  const char          *value,
                                                  const char          *model,
                                                  const char          *server);
gboolean        _hearth_route_kind_is_valid      (HearthRouteKind      kind);
gboolean        _hearth_route_kind_has_count     (HearthRouteKind      kind);
gboolean        _hearth_routes_parse_count       (const char          *value,
                                                  gint64              *count);

/* Lists of HearthRoute */
GPtrArray      *_hearth_routes_defaults          (void);
GPtrArray      *_hearth_routes_copy_rules        (GPtrArray           *rules);
int             _hearth_routes_find_rule         (GPtrArray           *rules,
                                                  const char          *id);
/* The rules in force (the user's or the defaults); transfer none. */
GPtrArray      *_hearth_routes_get_rules         (HearthRoutes        *self);
/* Takes @rules (NULL: the defaults); "changed" when they differ. */
void            _hearth_routes_set_rules         (HearthRoutes        *self,
                                                  GPtrArray           *rules);
/* Writes @rules (taken; NULL: the defaults) to routes.conf with the
 * ratings' switch; on success they are in force. */
gboolean        _hearth_routes_commit            (HearthRoutes        *self,
                                                  GPtrArray           *rules,
                                                  GError             **error);

/* Matching: @question is the request's last message. */
gboolean        _hearth_route_matches            (const HearthRoute   *route,
                                                  const char          *question,
                                                  guint                earlier_messages);
gboolean        _hearth_routes_looks_like_code   (const char          *text);
gboolean        _hearth_routes_has_word          (const char          *text,
                                                  const char          *word);
/* "code", "the word “sql”", "everything else": what the reply's line starts with. */
char           *_hearth_route_label              (const HearthRoute   *route);
/* "1,500", with the locale's thousands separator */
char           *_hearth_routes_format_count      (gint64               count);

/* A model the tiers may pick. */
typedef struct
{
  char    *model;
  char    *server;
  gint64   size;            /* bytes; < 0 unknown */
  double   parameters;      /* < 0 unknown */
  gboolean on_this_computer;/* the fit to this machine's memory applies */
  double   tokens_per_s;    /* measured here; < 0 never */
} HearthTierCandidate;

void            _hearth_tier_candidate_free      (HearthTierCandidate *candidate);
/* "3.2B", "494.03M", "7b" → parameters; < 0 when it cannot be read. */
double          _hearth_routes_parse_parameters  (const char          *text);

/* Picks @target (HEARTH_ROUTE_TARGET_FAST or _CAPABLE) among @candidates
 * (HearthTierCandidate): the models on this computer that fit its memory
 * (@hardware NULL: all do; @catalog nullable, for the KV cache of models it
 * knows) and those of the other local-network servers. @n_choices: how many
 * different models were in the running; @none_fits: TRUE when nothing fit
 * and the pick is among all of them. NULL when @candidates is empty. */
const HearthTierCandidate *
                _hearth_routes_pick_tier         (GPtrArray            *candidates,
                                                  const char           *target,
                                                  const HearthHardware *hardware,
                                                  GPtrArray            *catalog,
                                                  guint                *n_choices,
                                                  gboolean             *none_fits);

/* Ratings (hearth-routes-ratings.c): whether @model may be asked. */
typedef gboolean (*HearthRoutesCanAskFunc) (const char *model,
                                            gpointer    user_data);

/* Of @records (HearthModelRecord, one kind), the one to ask instead of
 * @rule_model: at least two models that @can_ask each have
 * HEARTH_FEEDBACK_MIN_RATINGS ratings, and the best rate among them beats
 * @rule_model's (or it has too few); else NULL. @rule_record: @rule_model's
 * record, or NULL. */
const HearthModelRecord *
                _hearth_routes_prefer_rated      (GPtrArray                *records,
                                                  const char               *rule_model,
                                                  HearthRoutesCanAskFunc    can_ask,
                                                  gpointer                  user_data,
                                                  const HearthModelRecord **rule_record);
/* "your ratings: X won 8 of 10 code questions; Y 3 of 10" */
char           *_hearth_routes_describe_ratings  (const char               *kind,
                                                  const HearthModelRecord  *best,
                                                  const HearthModelRecord  *rule,
                                                  const char               *rule_model);

G_END_DECLS
