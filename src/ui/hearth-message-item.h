/* hearth-message-item.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "hearth-answer-set.h"
#include "hearth-reply.h"
#include "hearth-servers.h"
#include "hearth-store.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_MESSAGE_ITEM (hearth_message_item_get_type ())

G_DECLARE_FINAL_TYPE (HearthMessageItem, hearth_message_item, HEARTH, MESSAGE_ITEM, GObject)

HearthMessageItem   *hearth_message_item_new            (const HearthMessage *message);
HearthMessageItem   *hearth_message_item_new_for_reply  (HearthReply         *reply);
const HearthMessage *hearth_message_item_get_message    (HearthMessageItem   *self);
HearthReply         *hearth_message_item_get_reply      (HearthMessageItem   *self);
gint64               hearth_message_item_get_id         (HearthMessageItem   *self);
gboolean             hearth_message_item_is_assistant   (HearthMessageItem   *self);
gboolean             hearth_message_item_is_streaming   (HearthMessageItem   *self);
char                *hearth_message_item_dup_figures    (HearthMessageItem   *self);
gboolean             hearth_message_item_get_cached     (HearthMessageItem   *self);
double               hearth_message_item_get_time_saved_ms (HearthMessageItem *self);
const GError        *hearth_message_item_get_save_error (HearthMessageItem   *self);
void                 hearth_message_item_set_servers    (HearthMessageItem   *self,
                                                         HearthServers       *servers);
char                *hearth_message_item_dup_route      (HearthMessageItem   *self);
char                *hearth_message_item_dup_model_label (HearthMessageItem  *self);
void                 hearth_message_item_set_rating     (HearthMessageItem   *self,
                                                         int                  rating,
                                                         const char          *note);

/* A set: one question's answers from several models (compare, ensembles). */
HearthMessageItem   *hearth_message_item_new_for_set    (HearthAnswerSet     *set,
                                                         HearthServers       *servers);
/* @messages: the stored messages of one set (candidates and judge). */
HearthMessageItem   *hearth_message_item_new_for_stored_set (GPtrArray       *messages,
                                                         HearthServers       *servers);
gboolean             hearth_message_item_is_set         (HearthMessageItem   *self);
gboolean             hearth_message_item_is_compare     (HearthMessageItem   *self);
gint64               hearth_message_item_get_set_question (HearthMessageItem *self);
/* Adds a stored message of the set this item shows (a set read in two pages). */
void                 hearth_message_item_add_to_set     (HearthMessageItem   *self,
                                                         const HearthMessage *message);
HearthAnswerSet     *hearth_message_item_get_set        (HearthMessageItem   *self);
guint                hearth_message_item_get_n_candidates (HearthMessageItem *self);
HearthMessageItem   *hearth_message_item_get_candidate  (HearthMessageItem   *self,
                                                         guint                index);
gboolean             hearth_message_item_candidate_waited (HearthMessageItem *self,
                                                         guint                index);
HearthMessageItem   *hearth_message_item_get_judge      (HearthMessageItem   *self);
const char          *hearth_message_item_get_set_method (HearthMessageItem   *self);
const char          *hearth_message_item_get_set_name   (HearthMessageItem   *self);
const char          *hearth_message_item_get_set_reason (HearthMessageItem   *self);
const char          *hearth_message_item_get_schedule   (HearthMessageItem   *self);
int                  hearth_message_item_get_winner     (HearthMessageItem   *self);
gboolean             hearth_message_item_get_picked_by_user (HearthMessageItem *self);
gboolean             hearth_message_item_set_is_done    (HearthMessageItem   *self);
/* After hearth_engine_pick_answer (): @index is kept, by the user. */
void                 hearth_message_item_mark_picked    (HearthMessageItem   *self,
                                                         guint                index);

G_END_DECLS
