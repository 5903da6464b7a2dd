/* hearth-store.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "hearth-message.h"
#include "hearth-types.h"

G_BEGIN_DECLS

#define HEARTH_STORE_ERROR (hearth_store_error_quark ())

typedef enum
{
  HEARTH_STORE_ERROR_FAILED,
  HEARTH_STORE_ERROR_LOCKED,
  HEARTH_STORE_ERROR_READ_ONLY,
  HEARTH_STORE_ERROR_CORRUPT,
  HEARTH_STORE_ERROR_NOT_FOUND,
  HEARTH_STORE_ERROR_TOO_NEW,       /* written by a newer Hearth */
  HEARTH_STORE_ERROR_FULL,          /* the disk is full */
} HearthStoreError;

typedef struct
{
  gint64  id;
  char   *title;
  gint64  created_ms;
  gint64  updated_ms;
  gint64  n_messages;
} HearthConversation;

typedef struct
{
  gint64  message_id;
  gint64  conversation_id;
  char   *conversation_title;
  char   *role;
  char   *snippet;                   /* plain text; the match between [ and ] */
  gint64  created_ms;
} HearthSearchHit;

#define HEARTH_TYPE_STORE (hearth_store_get_type ())

G_DECLARE_FINAL_TYPE (HearthStore, hearth_store, HEARTH, STORE, GObject)

GQuark               hearth_store_error_quark            (void);
char                *hearth_store_default_path           (void);
HearthStore         *hearth_store_open                   (const char          *path,
                                                          GError             **error);
const char          *hearth_store_get_path               (HearthStore         *self);
int                  hearth_store_get_schema_version     (HearthStore         *self);
gboolean             hearth_store_begin                  (HearthStore         *self,
                                                          GError             **error);
gboolean             hearth_store_commit                 (HearthStore         *self,
                                                          GError             **error);
void                 hearth_store_rollback               (HearthStore         *self);
gint64               hearth_store_create_conversation    (HearthStore         *self,
                                                          const char          *title,
                                                          GError             **error);
/* The hidden conversation of other programs' requests (kind 'api'). */
gint64               hearth_store_get_api_conversation   (HearthStore         *self,
                                                          GError             **error);
gboolean             hearth_store_rename_conversation    (HearthStore         *self,
                                                          gint64               conversation_id,
                                                          const char          *title,
                                                          GError             **error);
gboolean             hearth_store_delete_conversation    (HearthStore         *self,
                                                          gint64               conversation_id,
                                                          GError             **error);
HearthConversation  *hearth_store_get_conversation       (HearthStore         *self,
                                                          gint64               conversation_id,
                                                          GError             **error);
HearthConversation  *hearth_store_peek_conversation      (HearthStore         *self,
                                                          gint64               conversation_id,
                                                          GError             **error);
GPtrArray           *hearth_store_list_conversations     (HearthStore         *self,
                                                          GError             **error);
gint64               hearth_store_add_message            (HearthStore         *self,
                                                          HearthMessage       *message,
                                                          GError             **error);
gboolean             hearth_store_update_message         (HearthStore         *self,
                                                          const HearthMessage *message,
                                                          GError             **error);
gboolean             hearth_store_append_message         (HearthStore         *self,
                                                          const HearthMessage *message,
                                                          GError             **error);
gboolean             hearth_store_checkpoint             (HearthStore         *self,
                                                          GError             **error);
gboolean             hearth_store_delete_message         (HearthStore         *self,
                                                          gint64               message_id,
                                                          GError             **error);
gboolean             hearth_store_delete_messages_from   (HearthStore         *self,
                                                          gint64               conversation_id,
                                                          gint64               message_id,
                                                          GError             **error);
GPtrArray           *hearth_store_list_messages          (HearthStore         *self,
                                                          gint64               conversation_id,
                                                          gint64               before_id,
                                                          guint                limit,
                                                          GError             **error);
double               hearth_store_get_measured_speed     (HearthStore         *self,
                                                          const char          *name,
                                                          const char          *tag,
                                                          GError             **error);
GPtrArray           *hearth_store_list_request_rows      (HearthStore         *self,
                                                          gint64               since_ms,
                                                          const char          *model,
                                                          GError             **error);
GPtrArray           *hearth_store_search                 (HearthStore         *self,
                                                          const char          *query,
                                                          guint                limit,
                                                          GError             **error);

void                 hearth_conversation_free            (HearthConversation  *conversation);
void                 hearth_search_hit_free              (HearthSearchHit     *hit);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthConversation, hearth_conversation_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthSearchHit, hearth_search_hit_free)

G_END_DECLS
