/* hearth-ensembles.h — named sets of models and how their answers combine
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An ensemble is a model choice like any other: the chat's model picker
 * lists each one as "ensemble:NAME" (HEARTH_ENSEMBLE_PREFIX), and
 * hearth-cli ask --ensemble NAME asks it. The list is kept in
 * $XDG_CONFIG_HOME/hearth/ensembles.conf (a key file, one group per
 * ensemble: models=, method=, judge=), watched like servers.conf, so
 * the app sees what hearth-cli ensembles add wrote and the other way round.
 */
#pragma once

#include <gio/gio.h>

#include "hearth-types.h"

G_BEGIN_DECLS

/* How the answers of a set become one (or, for COMPARE, stay several). */
typedef enum
{
  HEARTH_SET_COMPARE,     /* side by side; the user keeps one ("Use this answer") */
  HEARTH_SET_VOTE,        /* the answer most others agree with: normalised text
                           * (case, spaces, punctuation at the ends) or, for short
                           * answers (≤ 12 words), exact match after that */
  HEARTH_SET_JUDGE,       /* a chosen model reads the candidates and picks one */
  HEARTH_SET_FIRST_GOOD,  /* the fastest answer that is non-empty, finished
                           * (done, not cut off by length) and not a refusal */
} HearthSetMethod;

#define HEARTH_ENSEMBLE_PREFIX   "ensemble:"
#define HEARTH_ENSEMBLE_MIN_MODELS 2
#define HEARTH_ENSEMBLE_MAX_MODELS 4

/* "compare", "vote", "judge", "first-good" */
const char     *hearth_set_method_to_string     (HearthSetMethod      method);
/* Fails with a sentence that lists the methods (vote, judge, first-good;
 * compare is not an ensemble's method). */
gboolean        hearth_set_method_parse         (const char          *str,
                                                 HearthSetMethod     *method,
                                                 GError             **error);
/* "Majority vote", "A judge picks", "First good answer", "Side by side" */
const char     *hearth_set_method_get_label     (HearthSetMethod      method);

typedef struct
{
  char            *name;      /* [A-Za-z0-9._-]+, unique */
  char           **models;    /* 2–4 of "MODEL" (the default server) or "MODEL@SERVER" */
  HearthSetMethod  method;    /* VOTE, JUDGE or FIRST_GOOD */
  char            *judge;     /* JUDGE: "MODEL" or "MODEL@SERVER"; else NULL */
} HearthEnsemble;

HearthEnsemble *hearth_ensemble_new             (const char          *name,
                                                 const char * const  *models,
                                                 HearthSetMethod      method,
                                                 const char          *judge);
HearthEnsemble *hearth_ensemble_copy            (const HearthEnsemble *ensemble);
void            hearth_ensemble_free            (HearthEnsemble      *ensemble);
/* Checks what an ensemble must be (2–4 models, no model twice, a judge for
 * JUDGE and only then); fails with a sentence a user can act on. */
gboolean        hearth_ensemble_validate        (const HearthEnsemble *ensemble,
                                                 GError             **error);
/* "qwen3:4b, llama3.2:3b and gemma3:4b — majority vote" */
char           *hearth_ensemble_describe        (const HearthEnsemble *ensemble);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthEnsemble, hearth_ensemble_free)

/* "MODEL@SERVER" → @model, @server (NULL when there is no "@SERVER");
 * the one rule for compare, ensembles and the gateway's MODEL@SERVER. */
void            hearth_split_model_at_server    (const char          *spec,
                                                 char               **model,
                                                 char               **server);

#define HEARTH_TYPE_ENSEMBLES (hearth_ensembles_get_type ())

/* "changed" (no arguments) after any change, or when another process
 * changed ensembles.conf. */
G_DECLARE_FINAL_TYPE (HearthEnsembles, hearth_ensembles, HEARTH, ENSEMBLES, GObject)

/* Of HearthEnsemble, by name. */
GPtrArray      *hearth_ensembles_list           (HearthEnsembles     *self);
/* NULL when there is none; also takes "ensemble:NAME". transfer none. */
const HearthEnsemble *
                hearth_ensembles_lookup         (HearthEnsembles     *self,
                                                 const char          *name);
/* Adds or, with @replace, replaces; fails when the name is taken (without
 * @replace), the ensemble is not valid, or ensembles.conf cannot be written. */
gboolean        hearth_ensembles_add            (HearthEnsembles     *self,
                                                 const HearthEnsemble *ensemble,
                                                 gboolean             replace,
                                                 GError             **error);
gboolean        hearth_ensembles_remove         (HearthEnsembles     *self,
                                                 const char          *name,
                                                 GError             **error);

/* Made by the engine (hearth_engine_get_ensembles ()). */
HearthEnsembles *_hearth_ensembles_new          (const char          *path);

G_END_DECLS
