/* hearth-store-sets.h — which answer of a set is kept (compare, ensembles)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-message.h"
#include "hearth-store.h"

G_BEGIN_DECLS

/* @message_id becomes the kept answer of its set (@pick: HEARTH_PICK_AUTO
 * or _USER, with @reason), and every other candidate of the set is no
 * longer kept; in one transaction. Fails with HEARTH_STORE_ERROR_NOT_FOUND
 * when @message_id is not an answer of a set. */
gboolean        hearth_store_keep_answer       (HearthStore   *self,
                                                gint64         message_id,
                                                int            pick,
                                                const char    *reason,
                                                GError       **error);
/* What deciding about one message needs (id, conversation_id, role,
 * content, model, server, state, set_*, pick), or NULL with @error
 * (HEARTH_STORE_ERROR_NOT_FOUND when there is none). */
HearthMessage  *hearth_store_get_set_message   (HearthStore   *self,
                                                gint64         message_id,
                                                GError       **error);

G_END_DECLS
