/* hearth-engine-feedback.c — thumbs on replies, the records they add up to,
 * and the export for fine-tuning
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A rating is one row, written on the caller's thread as the other small
 * edits are; the records and the export read the whole history and run in
 * a worker with the reader connection (hearth-engine-history.c).
 */
#define G_LOG_DOMAIN "hearth-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <inttypes.h>
#include "hearth-answer-set.h"
#include "hearth-engine-private.h"
#include "hearth-error.h"
#include "hearth-json.h"
#include "hearth-store-feedback.h"

/* Rating */

/* The sentence for a message that is not a reply of the user's history. */
static gboolean
check_rateable (HearthEngine  *self,
                gint64         message_id,
                GError       **error)
{
  g_autofree char *role = NULL;
  g_autofree char *set_role = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean in_history = FALSE;

  if (!hearth_store_describe_message (self->store, message_id, &role, &set_role, &in_history,
                                      &local_error))
    {
      /* Not found, as "compare --pick" of an unknown id: one exit code. */
      if (g_error_matches (local_error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND))
        {
          g_set_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND,
                       _("There is no message %" PRId64 " in the history: it may have "
                         "been deleted; rate a reply that is there"), message_id);
          return FALSE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!in_history)
    return hearth_error_set_invalid (error, _("Message %" PRId64 " is another "
                                     "program’s request through the gateway: only the replies "
                                     "of your own conversations can be rated"), message_id);
  if (g_strcmp0 (role, "user") == 0)
    return hearth_error_set_invalid (error, _("Message %" PRId64 " is a question, not "
                                     "a reply: rate the answer that follows it"), message_id);
  if (role == NULL)
    return hearth_error_set_invalid (error, _("Message %" PRId64 " is not a reply (it "
                                     "is a hidden message): rate a model’s answer"), message_id);
  if (g_strcmp0 (role, "assistant") != 0)
    /* Translators: %s is the message's role as the chat API names it, such
     * as “system” or “tool”; keep it as it is */
    return hearth_error_set_invalid (error, _("Message %" PRId64 " is not a reply (it "
                                     "is a %s message): rate a model’s answer"), message_id,
                                     role);
  if (g_strcmp0 (set_role, HEARTH_SET_ROLE_JUDGE) == 0)
    return hearth_error_set_invalid (error, _("Message %" PRId64 " is a judge’s "
                                     "verdict on a set of answers, not a reply: rate one of "
                                     "the answers instead"), message_id);
  return TRUE;
}

/**
 * hearth_engine_rate_message:
 * @rating: +1 (up), -1 (down), 0 to take the rating back
 * @note: (nullable): a short note; NULL or "" for none
 *
 * Keeps the rating with the message, counted under its question's kind;
 * fails with a sentence, changing nothing, when @message_id is not a
 * reply of the user's history or the rating or note cannot be kept.
 */
gboolean
hearth_engine_rate_message (HearthEngine  *self,
                            gint64         message_id,
                            int            rating,
                            const char    *note,
                            GError       **error)
{
  g_return_val_if_fail (HEARTH_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (rating < -1 || rating > 1)
    return hearth_error_set_invalid (error, _("A rating is 1 (thumbs up), -1 (thumbs down) or 0 "
                                     "(no rating), not %d"), rating);
  if (note != NULL && !g_utf8_validate (note, -1, NULL))
    return hearth_error_set_invalid (error, _("The note is not valid text (UTF-8): type it "
                                     "again"));
  if (note != NULL && g_utf8_strlen (note, -1) > HEARTH_FEEDBACK_NOTE_MAX)
    return hearth_error_set_invalid (error, _("The note has %ld characters, more than the %d a "
                                     "note may have: shorten it"), g_utf8_strlen (note, -1),
                                     HEARTH_FEEDBACK_NOTE_MAX);
  if (rating == 0 && note != NULL && *note != '\0')
    return hearth_error_set_invalid (error, _("A note goes with a thumbs up or down: rate the "
                                     "reply, or take the rating back without a note"));
  if (self->store == NULL)
    {
      g_set_error_literal (error, HEARTH_ERROR, HEARTH_ERROR_FAILED,
                           _("The history is not available: there is nothing to rate"));
      return FALSE;
    }
  if (!check_rateable (self, message_id, error))
    return FALSE;
  return hearth_store_set_rating (self->store, message_id, rating, note, error);
}

/* Records */

typedef struct
{
  HearthFeedbackFormat format;
  gint64               since_ms;
  char                *kind;
} FeedbackQuery;

static void
feedback_query_free (FeedbackQuery *query)
{
  g_free (query->kind);
  g_free (query);
}

static FeedbackQuery *
feedback_query_new (HearthFeedbackFormat  format,
                    gint64                since_ms,
                    const char           *kind)
{
  FeedbackQuery *query = g_new0 (FeedbackQuery, 1);

  query->format = format;
  query->since_ms = MAX (since_ms, 0);
  query->kind = g_strdup (kind);
  return query;
}

static void
stats_in_worker (HearthStore  *reader,
                 GTask        *task,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  FeedbackQuery *query = task_data;
  GError *error = NULL;
  HearthFeedbackStats *stats = hearth_store_feedback_stats (reader, query->since_ms, &error);

  if (stats == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, stats, (GDestroyNotify) hearth_feedback_stats_free);
}

void
hearth_engine_feedback_stats_async (HearthEngine        *self,
                                    gint64               since_ms,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HEARTH_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_engine_feedback_stats_async);
  g_task_set_task_data (task, feedback_query_new (HEARTH_FEEDBACK_RATINGS, since_ms, NULL),
                        (GDestroyNotify) feedback_query_free);
  _hearth_engine_run_reader (self, task, stats_in_worker);
}

/* Returns: (transfer full) */
HearthFeedbackStats *
hearth_engine_feedback_stats_finish (HearthEngine  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == hearth_engine_feedback_stats_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
records_in_worker (HearthStore  *reader,
                   GTask        *task,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  FeedbackQuery *query = task_data;
  GError *error = NULL;
  GPtrArray *records = hearth_store_list_model_records (reader, query->kind, query->since_ms,
                                                        &error);

  if (records == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, records, (GDestroyNotify) g_ptr_array_unref);
}

/* For "auto" (hearth-routes-choose.c): every model's record for @kind,
 * read in a worker. */
void
_hearth_engine_model_records_async (HearthEngine        *self,
                                    const char          *kind,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HEARTH_IS_ENGINE (self));
  g_return_if_fail (kind != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, _hearth_engine_model_records_async);
  g_task_set_task_data (task, feedback_query_new (HEARTH_FEEDBACK_RATINGS, 0, kind),
                        (GDestroyNotify) feedback_query_free);
  _hearth_engine_run_reader (self, task, records_in_worker);
}

/* Returns: (transfer container) (element-type HearthModelRecord) */
GPtrArray *
_hearth_engine_model_records_finish (HearthEngine  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Export */

/* "2026-12-07T18:28:17.123Z": readable, and what any trainer's tooling parses. */
static char *
format_time (gint64 ms)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (ms / 1000);
  g_autofree char *seconds = utc != NULL ? g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S") : NULL;

  if (seconds == NULL)
    return NULL;
  return g_strdup_printf ("%s.%03dZ", seconds, (int) (ms % 1000));
}

static void
add_pair (JsonBuilder *builder,
          gpointer     item)
{
  const HearthFeedbackPair *pair = item;
  g_autofree char *created = format_time (pair->created_ms);

  hearth_json_add_string (builder, "prompt", pair->prompt);
  hearth_json_add_string (builder, "chosen", pair->chosen);
  hearth_json_add_string (builder, "rejected", pair->rejected);
  hearth_json_add_string (builder, "chosen_model", pair->chosen_model);
  hearth_json_add_string (builder, "rejected_model", pair->rejected_model);
  hearth_json_add_string (builder, "source", pair->source);
  hearth_json_add_string (builder, "created", created);
}

static void
add_rated (JsonBuilder *builder,
           gpointer     item)
{
  const HearthRatedReply *reply = item;
  g_autofree char *created = format_time (reply->created_ms);

  hearth_json_add_string (builder, "prompt", reply->prompt);
  hearth_json_add_string (builder, "response", reply->response);
  hearth_json_add_string (builder, "model", reply->model);
  hearth_json_add_string (builder, "server", reply->server);
  json_builder_set_member_name (builder, "rating");
  json_builder_add_int_value (builder, reply->rating);
  hearth_json_add_string (builder, "note", reply->note);
  hearth_json_add_string (builder, "kind", reply->kind);
  hearth_json_add_string (builder, "created", created);
}

/* One object a line, each line ending in a newline. */
static char *
to_jsonl (GPtrArray         *items,
          HearthJsonAddFunc  add_item)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < items->len; i++)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *line = NULL;

      json_builder_begin_object (builder);
      add_item (builder, g_ptr_array_index (items, i));
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      line = hearth_json_to_string (node, FALSE);
      g_string_append (out, line);
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

static void
export_in_worker (HearthStore  *reader,
                  GTask        *task,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  FeedbackQuery *query = task_data;
  GError *error = NULL;
  g_autoptr(GPtrArray) items = NULL;

  if (query->format == HEARTH_FEEDBACK_PAIRS)
    items = hearth_store_list_feedback_pairs (reader, query->since_ms, &error);
  else
    items = hearth_store_list_rated_replies (reader, query->since_ms, &error);
  if (items == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, to_jsonl (items, query->format == HEARTH_FEEDBACK_PAIRS
                                                ? add_pair : add_rated), g_free);
}

void
hearth_engine_export_feedback_async (HearthEngine         *self,
                                     HearthFeedbackFormat  format,
                                     gint64                since_ms,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HEARTH_IS_ENGINE (self));
  g_return_if_fail (format == HEARTH_FEEDBACK_PAIRS || format == HEARTH_FEEDBACK_RATINGS);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_engine_export_feedback_async);
  g_task_set_task_data (task, feedback_query_new (format, since_ms, NULL),
                        (GDestroyNotify) feedback_query_free);
  _hearth_engine_run_reader (self, task, export_in_worker);
}

/* Returns: (transfer full): JSONL, "" when there is nothing to export */
char *
hearth_engine_export_feedback_finish (HearthEngine  *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == hearth_engine_export_feedback_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
