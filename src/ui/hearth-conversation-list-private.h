/* hearth-conversation-list-private.h — shared by the files of HearthConversationList
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-conversation-list.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_CONVERSATION_ITEM (hearth_conversation_item_get_type ())

G_DECLARE_FINAL_TYPE (HearthConversationItem, hearth_conversation_item,
                      HEARTH, CONVERSATION_ITEM, GObject)

struct _HearthConversationItem
{
  GObject  parent_instance;

  gint64   id;
  char    *title;
  gint64   updated_ms;
  gint64   n_messages;
  char    *snippet;       /* the best search hit, its match between [ and ] */
  char    *header;        /* the day heading shown above this item, or NULL */
  guint    day;           /* local Julian day of updated_ms */

  /* While its delete waits for the toast: where it was, in which list. */
  guint    position;
  guint    generation;
};

/* hearth-conversation-list-item.c */
HearthConversationItem *_hearth_conversation_item_new (const HearthConversation *conversation,
                                                       const char               *snippet);

void        _hearth_conversation_item_set_title         (HearthConversationItem *self,
                                                         const char             *title);
void        _hearth_conversation_item_set_header        (HearthConversationItem *self,
                                                         const char             *header);
const char *_hearth_conversation_item_get_display_title (HearthConversationItem *self);

guint               _hearth_conversation_list_local_day       (gint64 unix_ms);
char               *_hearth_conversation_list_day_to_header   (guint  day,
                                                               guint  today);
GtkListItemFactory *_hearth_conversation_list_row_factory_new (void);

G_END_DECLS
