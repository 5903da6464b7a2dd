/* hearth-test-feedback.h — a history and a test engine serving two models
 * that answer differently, for ratings, compare sets and "auto"
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-answer-set.h"
#include "hearth-engine.h"

G_BEGIN_DECLS

/* Two tiny models on the server "lab", each answering one sentence of its own. */
#define ALPHA          "alpha:1b"
#define BETA           "beta:1b"
#define ALPHA_SENTENCE "Alpha answers first."
#define BETA_SENTENCE  "Beta answers better."

/* The test engine serving both, started once per program. */
const char    *hearth_test_lab_url          (void);
void           hearth_test_lab_stop         (void);
/* $XDG_CONFIG_HOME/hearth/@name */
char          *hearth_test_config_path      (const char         *name);
/* An engine on a fresh history (<tmpdir>/@name.db, in @store) whose one
 * server is "lab"; no routes.conf. */
HearthEngine  *hearth_test_lab_engine       (const char         *name,
                                             HearthStore       **store);
/* Asks @model on "lab" (or HEARTH_MODEL_AUTO) @question in a new
 * conversation, and waits for the whole reply; asserts it answered. */
HearthReply   *hearth_test_ask              (HearthEngine       *engine,
                                             const char         *model,
                                             const char         *question);
/* The message as the history holds it. */
HearthMessage *hearth_test_stored_message   (HearthStore        *store,
                                             gint64              conversation_id,
                                             gint64              message_id);
void           hearth_test_rate_ok          (HearthEngine       *engine,
                                             gint64              message_id,
                                             int                 rating,
                                             const char         *note);
/* Messages written straight to the store: an ordinary complete one, and
 * an answer of a set as the compare code stores it (method "compare",
 * role candidate) in its question's conversation. */
gint64         hearth_test_say              (HearthStore        *store,
                                             gint64              conversation_id,
                                             const char         *role,
                                             const char         *content,
                                             const char         *model);
gint64         hearth_test_answer           (HearthStore        *store,
                                             gint64              question_id,
                                             const char         *content,
                                             const char         *model,
                                             HearthPick          pick,
                                             HearthMessageState  state);
gint64         hearth_test_new_conversation (HearthStore        *store);

G_END_DECLS
