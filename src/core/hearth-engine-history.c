/* hearth-engine-history.c — conversations and messages, for pages and commands
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hearth-engine-private.h"
#include "hearth-error.h"

void
hearth_conversation_match_free (HearthConversationMatch *match)
{
  if (match == NULL)
    return;
  g_clear_pointer (&match->conversation, hearth_conversation_free);
  g_free (match->role);
  g_free (match->snippet);
  g_free (match);
}

static gboolean
has_history (HearthEngine  *self,
             GError       **error)
{
  if (self->store != NULL)
    return TRUE;
  g_set_error_literal (error, HEARTH_ERROR, HEARTH_ERROR_FAILED, _("The history is not available"));
  return FALSE;
}

/* Messages, a page at a time */

typedef struct
{
  gint64 conversation_id;
  gint64 before_id;
  guint  limit;
} MessagesQuery;

static void
list_messages_in_worker (HearthStore  *reader,
                         GTask        *task,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  MessagesQuery *query = task_data;
  GError *error = NULL;
  GPtrArray *messages = hearth_store_list_messages (reader, query->conversation_id,
                                                    query->before_id, query->limit, &error);

  if (messages == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, messages, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * hearth_engine_list_messages_async:
 * @before_id: only messages older than this one; 0 for the newest
 * @limit: at most this many (the newest of them); 0 for all
 *
 * A page of a conversation, read in a worker.
 */
void
hearth_engine_list_messages_async (HearthEngine        *self,
                                   gint64               conversation_id,
                                   gint64               before_id,
                                   guint                limit,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  MessagesQuery *query;

  g_return_if_fail (HEARTH_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_engine_list_messages_async);
  query = g_new0 (MessagesQuery, 1);
  query->conversation_id = conversation_id;
  query->before_id = before_id;
  query->limit = limit;
  g_task_set_task_data (task, query, g_free);
  _hearth_engine_run_reader (self, task, list_messages_in_worker);
}

/* Returns: (transfer container) (element-type HearthMessage): oldest first */
GPtrArray *
hearth_engine_list_messages_finish (HearthEngine  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Conversations and search */

static void
list_conversations_in_worker (HearthStore  *reader,
                              GTask        *task,
                              gpointer      task_data,
                              GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *conversations = hearth_store_list_conversations (reader, &error);

  if (conversations == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, conversations, (GDestroyNotify) g_ptr_array_unref);
}

void
hearth_engine_list_conversations_async (HearthEngine        *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HEARTH_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_engine_list_conversations_async);
  _hearth_engine_run_reader (self, task, list_conversations_in_worker);
}

/* Returns: (transfer container) (element-type HearthConversation): newest first */
GPtrArray *
hearth_engine_list_conversations_finish (HearthEngine  *self,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  char  *text;
  guint  limit;
} SearchQuery;

static void
search_query_free (SearchQuery *query)
{
  g_free (query->text);
  g_free (query);
}

static gboolean
title_matches (const char *title,
               const char *folded_text)
{
  g_autofree char *folded_title = g_utf8_casefold (title != NULL ? title : "", -1);

  return strstr (folded_title, folded_text) != NULL;
}

static HearthConversationMatch *
match_new (const HearthConversation *conversation,
           const HearthSearchHit    *hit)
{
  HearthConversationMatch *match = g_new0 (HearthConversationMatch, 1);

  match->conversation = g_new0 (HearthConversation, 1);
  *match->conversation = *conversation;
  match->conversation->title = g_strdup (conversation->title);
  match->created_ms = -1;
  if (hit != NULL)
    {
      match->message_id = hit->message_id;
      match->role = g_strdup (hit->role);
      match->snippet = g_strdup (hit->snippet);
      match->created_ms = hit->created_ms;
    }
  return match;
}

/* One ranking: a conversation per best text hit, in the index's order; then
 * the conversations whose title matches (titles are not in the index),
 * newest first. */
static GPtrArray *
rank_matches (GPtrArray  *conversations,
              GPtrArray  *hits,
              const char *text,
              guint       limit)
{
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GHashTable) added = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree char *folded_text = g_utf8_casefold (text, -1);
  GPtrArray *matches = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_conversation_match_free);

  for (guint i = 0; i < conversations->len; i++)
    {
      HearthConversation *conversation = conversations->pdata[i];

      g_hash_table_insert (by_id, &conversation->id, conversation);
    }
  for (guint i = 0; i < hits->len && (limit == 0 || matches->len < limit); i++)
    {
      HearthSearchHit *hit = hits->pdata[i];
      HearthConversation *conversation = g_hash_table_lookup (by_id, &hit->conversation_id);

      if (conversation == NULL || !g_hash_table_add (added, &conversation->id))
        continue;
      g_ptr_array_add (matches, match_new (conversation, hit));
    }
  for (guint i = 0; i < conversations->len && (limit == 0 || matches->len < limit); i++)
    {
      HearthConversation *conversation = conversations->pdata[i];

      if (!g_hash_table_contains (added, &conversation->id)
          && title_matches (conversation->title, folded_text))
        g_ptr_array_add (matches, match_new (conversation, NULL));
    }
  return matches;
}

static void
search_in_worker (HearthStore  *reader,
                  GTask        *task,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  SearchQuery *query = task_data;
  GError *error = NULL;
  g_autoptr(GPtrArray) conversations = NULL;
  g_autoptr(GPtrArray) hits = NULL;

  conversations = hearth_store_list_conversations (reader, &error);
  if (conversations == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  hits = hearth_store_search (reader, query->text, query->limit, &error);
  if (hits == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, rank_matches (conversations, hits, query->text, query->limit),
                         (GDestroyNotify) g_ptr_array_unref);
}

/**
 * hearth_engine_search_async:
 * @text: what to look for, in messages and titles
 * @limit: at most this many conversations; 0 for no limit
 *
 * Finds conversations by their messages' text and their titles, one
 * ranking for every front end.
 */
void
hearth_engine_search_async (HearthEngine        *self,
                            const char          *text,
                            guint                limit,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SearchQuery *query;

  g_return_if_fail (HEARTH_IS_ENGINE (self));
  g_return_if_fail (text != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_engine_search_async);
  query = g_new0 (SearchQuery, 1);
  query->text = g_strdup (text);
  query->limit = limit;
  g_task_set_task_data (task, query, (GDestroyNotify) search_query_free);
  _hearth_engine_run_reader (self, task, search_in_worker);
}

/* Returns: (transfer container) (element-type HearthConversationMatch) */
GPtrArray *
hearth_engine_search_finish (HearthEngine  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Small edits: one row each, on the caller's thread. */

/* Returns: (transfer full) (nullable): the conversation's title and times;
 *   its messages are not counted here (n_messages is -1), so opening even
 *   a long conversation reads one row on the caller's thread */
HearthConversation *
hearth_engine_get_conversation (HearthEngine  *self,
                                gint64         conversation_id,
                                GError       **error)
{
  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);

  if (!has_history (self, error))
    return NULL;
  return hearth_store_peek_conversation (self->store, conversation_id, error);
}

gboolean
hearth_engine_rename_conversation (HearthEngine  *self,
                                   gint64         conversation_id,
                                   const char    *title,
                                   GError       **error)
{
  g_return_val_if_fail (HEARTH_IS_ENGINE (self), FALSE);

  return has_history (self, error) &&
         hearth_store_rename_conversation (self->store, conversation_id, title, error);
}

gboolean
hearth_engine_delete_conversation (HearthEngine  *self,
                                   gint64         conversation_id,
                                   GError       **error)
{
  g_return_val_if_fail (HEARTH_IS_ENGINE (self), FALSE);

  return has_history (self, error) &&
         hearth_store_delete_conversation (self->store, conversation_id, error);
}

gboolean
hearth_engine_delete_message (HearthEngine  *self,
                              gint64         message_id,
                              GError       **error)
{
  g_return_val_if_fail (HEARTH_IS_ENGINE (self), FALSE);

  return has_history (self, error) &&
         hearth_store_delete_message (self->store, message_id, error);
}

/* Deletes @message_id and every later message of the conversation. */
gboolean
hearth_engine_delete_messages_from (HearthEngine  *self,
                                    gint64         conversation_id,
                                    gint64         message_id,
                                    GError       **error)
{
  g_return_val_if_fail (HEARTH_IS_ENGINE (self), FALSE);

  return has_history (self, error) &&
         hearth_store_delete_messages_from (self->store, conversation_id, message_id, error);
}
