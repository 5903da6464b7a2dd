/* hearth-engine-chat.c — one chat request, from the stored question to the stored answer
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hearth-cache.h"
#include "hearth-endpoint.h"
#include "hearth-engine-chat-private.h"
#include "hearth-error.h"
#include "hearth-reply-private.h"

/* A crash loses at most this much streamed text. */
#define SAVE_INTERVAL_MS 1000
/* After a failed save (a full disk), the next tries come this much later,
 * doubling up to SAVE_BACKOFF_MAX_MS: each try writes everything since the
 * last save that worked. */
#define SAVE_BACKOFF_MAX_MS 30000
/* A finished reply the history could not take is tried again this often. */
#define SAVE_RETRY_S     5
#define TITLE_LENGTH     60

void
_hearth_chat_job_free (ChatJob *job)
{
  g_clear_handle_id (&job->save_source, g_source_remove);
  g_clear_handle_id (&job->retry_source, g_source_remove);
  g_clear_pointer (&job->ticket, _hearth_queue_ticket_free);
  if (!job->parked)
    g_clear_object (&job->engine);
  g_clear_object (&job->provider);
  g_clear_object (&job->server);
  g_clear_pointer (&job->route, _hearth_chat_route_free);
  g_clear_pointer (&job->request, hearth_chat_request_free);
  g_clear_object (&job->reply);
  g_clear_pointer (&job->record, hearth_message_free);
  g_free (job->cache_key);
  g_free (job);
}

static HearthMessageState
state_for_reply (HearthReply *reply)
{
  switch (hearth_reply_get_state (reply))
    {
    case HEARTH_REPLY_DONE:
      return HEARTH_MESSAGE_COMPLETE;
    case HEARTH_REPLY_FAILED:
      return HEARTH_MESSAGE_FAILED;
    case HEARTH_REPLY_CANCELLED:
      return HEARTH_MESSAGE_CANCELLED;
    case HEARTH_REPLY_WAITING:
    case HEARTH_REPLY_STREAMING:
    default:
      return HEARTH_MESSAGE_PARTIAL;
    }
}

/* Everything the record says but its text. */
static void
fill_status (ChatJob *job)
{
  HearthMessage *record = job->record;
  const GError *reply_error = hearth_reply_get_error (job->reply);

  hearth_set_str (&record->model, hearth_reply_get_model (job->reply));
  /* Where it was answered, which a fallback changes. */
  hearth_set_str (&record->endpoint, hearth_reply_get_endpoint (job->reply));
  hearth_set_str (&record->api, hearth_api_kind_to_string (hearth_reply_get_api (job->reply)));
  hearth_set_str (&record->server, hearth_reply_get_server (job->reply));
  hearth_set_str (&record->fallback_from, hearth_reply_get_fallback_from (job->reply));
  hearth_set_str (&record->fallback_reason, hearth_reply_get_fallback_reason (job->reply));
  hearth_set_str (&record->route_rule, hearth_reply_get_route_rule (job->reply));
  hearth_set_str (&record->done_reason, hearth_reply_get_done_reason (job->reply));
  record->state = state_for_reply (job->reply);
  record->figures = *hearth_reply_get_figures (job->reply);
  g_clear_pointer (&record->options, g_free);
  if (hearth_reply_get_options (job->reply) != NULL)
    record->options = hearth_run_options_to_json_string (hearth_reply_get_options (job->reply));
  if (reply_error != NULL && !hearth_reply_is_finished (job->reply))
    reply_error = NULL;
  g_clear_pointer (&record->error, g_free);
  g_clear_pointer (&record->error_class, g_free);
  if (reply_error != NULL)
    {
      record->error = hearth_error_describe (reply_error);
      record->error_class = g_strdup (hearth_error_get_class (reply_error));
    }
}

/* The reply says whether the history has it: the front ends tell the user. */
static gboolean
report_save (ChatJob      *job,
             gboolean      ok,
             const GError *error)
{
  if (ok)
    job->failures = 0;
  else
    job->failures++;
  hearth_reply_set_save_error (job->reply, ok ? NULL : error);
  return ok;
}

/* While it streams: only the text that arrived since the last save. */
static gboolean
save_partial (ChatJob  *job,
              GError  **error)
{
  HearthMessage *record = job->record;
  gsize content_len = hearth_reply_get_content_length (job->reply);
  gsize thinking_len = hearth_reply_get_thinking_length (job->reply);
  gboolean ok;

  fill_status (job);
  g_free (record->content);
  g_free (record->thinking);
  record->content = g_strndup (hearth_reply_get_content (job->reply) + job->saved_content,
                               content_len - job->saved_content);
  record->thinking = g_strndup (hearth_reply_get_thinking (job->reply) + job->saved_thinking,
                                thinking_len - job->saved_thinking);
  ok = hearth_store_append_message (job->engine->store, record, error);
  g_clear_pointer (&record->content, g_free);
  g_clear_pointer (&record->thinking, g_free);
  if (ok)
    {
      job->saved_content = content_len;
      job->saved_thinking = thinking_len;
    }
  return ok;
}

/* When it ends: the whole text, indexed for search once. */
static gboolean
save_final (ChatJob  *job,
            GError  **error)
{
  HearthMessage *record = job->record;
  gboolean ok;

  fill_status (job);
  g_free (record->content);
  g_free (record->thinking);
  /* Another program's request: its figures, never its text. */
  record->content = g_strdup (job->api ? "" : hearth_reply_get_content (job->reply));
  record->thinking = job->api ? NULL : g_strdup (hearth_reply_get_thinking (job->reply));
  ok = hearth_store_update_message (job->engine->store, record, error);
  g_clear_pointer (&record->content, g_free);
  g_clear_pointer (&record->thinking, g_free);
  return ok;
}

static gboolean
save_timeout_cb (gpointer user_data)
{
  ChatJob *job = user_data;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_monotonic_time ();
  gboolean ok;

  if (!job->dirty || now < job->next_save_us)
    return G_SOURCE_CONTINUE;
  ok = save_partial (job, &error);
  job->dirty = !report_save (job, ok, error);
  if (job->failures > 0)
    job->next_save_us = now + (gint64) MIN ((gint64) SAVE_INTERVAL_MS << MIN (job->failures, 8),
                                            SAVE_BACKOFF_MAX_MS) * 1000;
  return G_SOURCE_CONTINUE;
}

static void
on_reply_delta (HearthReply *reply,
                const char  *content,
                const char  *thinking,
                gpointer     user_data)
{
  ChatJob *job = user_data;

  _hearth_chat_route_answered (job);
  /* Another program's text is never saved, not even in part. */
  if (job->api)
    return;
  job->dirty = TRUE;
  if (job->save_source == 0 && job->engine->store != NULL)
    job->save_source = g_timeout_add (SAVE_INTERVAL_MS, save_timeout_cb, job);
}

/* Only a whole answer is worth repeating: never a failed, cancelled or partial one. */
static void
remember_reply (ChatJob *job)
{
  g_autoptr(HearthCacheEntry) entry = NULL;

  if (job->cache_key == NULL || hearth_reply_get_state (job->reply) != HEARTH_REPLY_DONE ||
      hearth_reply_get_cached (job->reply))
    return;
  entry = hearth_cache_entry_new ();
  entry->content = g_strdup (hearth_reply_get_content (job->reply));
  entry->thinking = g_strdup (hearth_reply_get_thinking (job->reply));
  entry->model = g_strdup (hearth_reply_get_model (job->reply));
  entry->done_reason = g_strdup (hearth_reply_get_done_reason (job->reply));
  entry->figures = *hearth_reply_get_figures (job->reply);
  entry->created_ms = g_get_real_time () / 1000;
  hearth_cache_store (job->engine->cache, job->cache_key, entry);
}

static gboolean
retry_save_cb (gpointer user_data)
{
  ChatJob *job = user_data;

  if (!_hearth_engine_save_parked (job->engine, job->reply, NULL))
    return G_SOURCE_CONTINUE;
  /* Saved: the engine freed the job and its source with it. */
  return G_SOURCE_REMOVE;
}

/* The history did not take the finished reply: the engine keeps it (and
 * its text) and tries again, unless there is nothing left to save it in. */
static gboolean
park_unsaved (ChatJob      *job,
              const GError *error)
{
  HearthEngine *engine = job->engine;

  if (g_error_matches (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND))
    return FALSE;
  job->parked = TRUE;
  job->retry_source = g_timeout_add_seconds (SAVE_RETRY_S, retry_save_cb, job);
  _hearth_engine_park (engine, job->reply, job);
  g_object_unref (engine);
  return TRUE;
}

/* Called by the engine on a parked job: FALSE with @error while the
 * history still cannot take it. */
gboolean
_hearth_chat_job_save (ChatJob  *job,
                       GError  **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  if (error == NULL)
    error = &local_error;
  ok = save_final (job, error);
  return report_save (job, ok, *error);
}

/* Connected before any front end sees the reply, so the reply says
 * whether it was saved by the time theirs run. */
static void
on_reply_finished (HearthReply *reply,
                   gpointer     user_data)
{
  ChatJob *job = user_data;
  HearthEngine *engine = g_object_ref (job->engine);
  g_autoptr(GError) error = NULL;
  gboolean kept = FALSE;

  g_signal_handlers_disconnect_by_data (reply, job);
  g_clear_handle_id (&job->save_source, g_source_remove);
  /* The next request to the server goes. */
  _hearth_chat_job_leave_queue (job);
  if (hearth_reply_get_state (reply) == HEARTH_REPLY_DONE)
    _hearth_chat_route_answered (job);
  remember_reply (job);
  if (engine->store != NULL && job->record != NULL)
    {
      gboolean saved = save_final (job, &error);

      if (!report_save (job, saved, error))
        kept = park_unsaved (job, error);
    }
  if (!kept)
    _hearth_chat_job_free (job);
  _hearth_engine_emit_reply_recorded (engine, reply);
  g_object_unref (engine);
}

static gboolean
wants_cache (ChatJob *job)
{
  HearthEngine *self = job->engine;

  return self->cache != NULL && !job->request->bypass_cache &&
         (self->cache_all || hearth_cache_request_is_deterministic (job->request));
}

/* The job's question goes to its server. */
static void
ask_server (ChatJob *job)
{
  hearth_provider_chat_full (job->provider, job->request, job->reply,
                             job->route ? _hearth_chat_route_start_failed : NULL, job);
}

/* The cached answer goes through the same reply object as a live one; a
 * miss (or a shared tier that is down) asks the server. */
static void
cache_looked_up_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  ChatJob *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthCacheEntry) entry = NULL;

  entry = hearth_cache_lookup_finish (HEARTH_CACHE (object), result, &error);
  if (error != NULL)
    {
      /* Only a cancelled lookup fails: the reply ends as cancelled. */
      hearth_reply_fail (job->reply, error);
      return;
    }
  if (entry == NULL)
    {
      ask_server (job);
      return;
    }
  hearth_reply_complete_from_cache (job->reply, entry->content, entry->thinking, entry->model,
                                    entry->done_reason, &entry->figures);
}

/* Local tiers, then the shared one (in its worker, never blocking this
 * thread), then the server. Returns TRUE: the job is in the cache's hands. */
static gboolean
answer_from_cache (ChatJob                *job,
                   const HearthModelInfo  *model)
{
  HearthEngine *self = job->engine;
  /* Without a digest (OpenAI-compatible servers) the name stands for the model. */
  const char *digest = model->digest ? model->digest : model->name;

  job->cache_key = hearth_cache_key (hearth_provider_get_api (job->provider),
                                     hearth_provider_get_endpoint (job->provider), digest,
                                     job->request);
  hearth_cache_lookup_async (self->cache, job->cache_key, hearth_reply_get_cancellable (job->reply),
                             cache_looked_up_cb, job);
  return TRUE;
}

static void
models_listed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ChatJob *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = NULL;
  const HearthModelInfo *model;

  models = hearth_provider_list_models_finish (HEARTH_PROVIDER (object), result, &error);
  if (models != NULL && models->len == 0)
    error = g_error_new (HEARTH_ERROR, HEARTH_ERROR_NO_MODEL,
                         _("The server at %s has no models installed"),
                         hearth_provider_get_endpoint (job->provider));
  if (error != NULL)
    {
      /* Through the user's servers, an unreachable one falls back. */
      if (job->route != NULL)
        _hearth_chat_route_start_failed (job->reply, error, job);
      else
        hearth_reply_fail (job->reply, error);
      return;
    }

  if (job->request->model == NULL || *job->request->model == '\0')
    {
      g_free (job->request->model);
      job->request->model = g_strdup (((HearthModelInfo *) g_ptr_array_index (models, 0))->name);
      hearth_reply_set_model (job->reply, job->request->model);
      _hearth_engine_tuning_apply (job->engine, job->provider, job->request, job->reply);
    }
  model = hearth_model_info_find (models, job->request->model);
  if (model != NULL && wants_cache (job) && answer_from_cache (job, model))
    return;
  ask_server (job);
}

static char *
title_from_prompt (const char *prompt)
{
  g_autofree char *line = g_strstrip (g_strdup (prompt ? prompt : ""));
  const char *end;

  g_strdelimit (line, "\r\n\t", ' ');
  if (*line == '\0')
    return g_strdup (_("New chat"));
  if (g_utf8_strlen (line, -1) <= TITLE_LENGTH)
    return g_steal_pointer (&line);
  end = g_utf8_offset_to_pointer (line, TITLE_LENGTH - 1);
  return g_strdup_printf ("%.*s…", (int) (end - line), line);
}

/* Puts the conversation so far before the request's messages; returns the
 * id of the last user message in it, or 0 when there is none. */
static gint64
insert_history (HearthChatRequest *request,
                GPtrArray         *history)
{
  guint inserted = 0;
  gint64 last_user_id = 0;

  for (guint i = 0; i < history->len; i++)
    {
      HearthMessage *old = g_ptr_array_index (history, i);

      /* A failed reply or an empty one would only confuse the model. */
      if (old->state == HEARTH_MESSAGE_FAILED || old->content == NULL || *old->content == '\0')
        continue;
      /* Of a set's answers only the kept one is the conversation's reply;
       * the others and a judge's verdict stay in the history, unsent. */
      if (old->set_question > 0 &&
          (old->pick <= HEARTH_PICK_NOT || g_strcmp0 (old->set_role, HEARTH_SET_ROLE_JUDGE) == 0))
        continue;
      g_ptr_array_insert (request->messages, inserted++,
                          hearth_message_new (old->role, old->content));
      last_user_id = g_strcmp0 (old->role, "user") == 0 ? old->id : 0;
    }
  return last_user_id;
}

static gint64
prepend_history (HearthStore        *store,
                 HearthChatRequest  *request,
                 gint64              conversation_id,
                 GError            **error)
{
  g_autoptr(GPtrArray) history = NULL;

  history = hearth_store_list_messages (store, conversation_id, 0, 0, error);
  if (history == NULL)
    return -1;
  return insert_history (request, history);
}

static HearthMessage *
new_record (ChatJob            *job,
            const char         *role,
            const char         *content,
            const char         *model,
            gint64              conversation_id,
            HearthMessageState  state)
{
  HearthMessage *message = hearth_message_new (role, content);

  message->conversation_id = conversation_id;
  message->model = g_strdup (model);
  /* No provider: the request's server is unknown or disabled, and the
   * reply says so; the question is kept all the same. */
  if (job->provider != NULL)
    {
      message->endpoint = g_strdup (hearth_provider_get_endpoint (job->provider));
      message->api = g_strdup (hearth_api_kind_to_string (hearth_provider_get_api (job->provider)));
    }
  message->server = g_strdup (hearth_reply_get_server (job->reply));
  message->state = state;
  return message;
}

/* @set: (nullable): the set this answer is one of (its set_* fields and pick). */
static gboolean
add_reply_record_full (HearthEngine         *self,
                       ChatJob              *job,
                       gint64                conversation_id,
                       gint64                question_id,
                       const HearthMessage  *set,
                       GError              **error)
{
  job->record = new_record (job, "assistant", "", job->request->model,
                            conversation_id, HEARTH_MESSAGE_PARTIAL);
  job->record->client = g_strdup (job->request->client);
  if (set != NULL)
    {
      job->record->set_question = set->set_question;
      job->record->set_method = g_strdup (set->set_method);
      job->record->set_name = g_strdup (set->set_name);
      job->record->set_role = g_strdup (set->set_role);
      job->record->pick = set->pick;
    }
  if (hearth_reply_get_options (job->reply) != NULL)
    job->record->options = hearth_run_options_to_json_string (hearth_reply_get_options (job->reply));
  if (hearth_store_add_message (self->store, job->record, error) < 0)
    return FALSE;
  hearth_reply_set_ids (job->reply, conversation_id, question_id, job->record->id);
  return TRUE;
}

static gboolean
add_reply_record (HearthEngine  *self,
                  ChatJob       *job,
                  gint64         conversation_id,
                  gint64         question_id,
                  GError       **error)
{
  return add_reply_record_full (self, job, conversation_id, question_id, NULL, error);
}

/* A set's answer (hearth-engine-sets.c): its record, after the question
 * _hearth_chat_store_question () stored; @history_before > 0 reads the
 * conversation before that question when the job goes. */
gboolean
_hearth_chat_job_add_set_record (ChatJob              *job,
                                 gint64                conversation_id,
                                 gint64                question_id,
                                 gint64                history_before,
                                 const HearthMessage  *set,
                                 GError              **error)
{
  job->history_before = history_before;
  if (job->engine->store == NULL)
    return TRUE;
  return add_reply_record_full (job->engine, job, conversation_id, question_id, set, error);
}

/* The user's question, stored in @conversation_id (-1: a new one, titled
 * by the question; then set to it). Returns its id, or -1 with @error.
 * @continued: whether the conversation was there before (its history is
 * read before sending). */
gint64
_hearth_chat_store_question (HearthEngine   *self,
                             HearthMessage  *user_record,
                             gint64         *conversation_id,
                             gboolean       *continued,
                             GError        **error)
{
  g_autoptr(HearthConversation) conversation = NULL;

  *continued = FALSE;
  if (*conversation_id >= 0)
    {
      conversation = hearth_store_get_conversation (self->store, *conversation_id, error);
      if (conversation == NULL)
        return -1;
      *continued = TRUE;
    }
  else
    {
      g_autofree char *title = title_from_prompt (user_record->content);

      *conversation_id = hearth_store_create_conversation (self->store, title, error);
      if (*conversation_id < 0)
        return -1;
    }
  user_record->conversation_id = *conversation_id;
  return hearth_store_add_message (self->store, user_record, error);
}

/* The user's message is stored before anything is sent, so it is never lost. */
static gboolean
store_exchange (HearthEngine       *self,
                ChatJob            *job,
                gint64              conversation_id,
                GError            **error)
{
  const HearthMessage *question;
  g_autoptr(HearthMessage) user_record = NULL;
  gboolean continued;
  gint64 question_id;

  g_return_val_if_fail (job->request->messages->len > 0, FALSE);
  question = g_ptr_array_index (job->request->messages, job->request->messages->len - 1);

  if (conversation_id == HEARTH_CONVERSATION_API)
    {
      /* Nothing of the history is read; only the reply's record is kept,
       * in the one hidden conversation, with neither question nor text. */
      job->api = TRUE;
      conversation_id = hearth_store_get_api_conversation (self->store, error);
      if (conversation_id < 0)
        return FALSE;
      return add_reply_record (self, job, conversation_id, 0, error);
    }

  user_record = new_record (job, "user", question->content, job->request->model,
                            conversation_id, HEARTH_MESSAGE_COMPLETE);
  question_id = _hearth_chat_store_question (self, user_record, &conversation_id, &continued,
                                             error);
  if (question_id < 0)
    return FALSE;
  /* The conversation so far is read in a worker before sending. */
  if (continued)
    job->history_before = question_id;
  return add_reply_record (self, job, conversation_id, question_id, error);
}

/* Answers the conversation's last question again: its failed or unwanted
 * replies must already be gone (hearth_store_delete_messages_from). */
static gboolean
store_regeneration (HearthEngine  *self,
                    ChatJob       *job,
                    gint64         conversation_id,
                    GError       **error)
{
  gint64 question_id = prepend_history (self->store, job->request, conversation_id, error);

  if (question_id < 0)
    return FALSE;
  if (question_id == 0)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("The conversation does not end with a question to answer"));
      return FALSE;
    }
  return add_reply_record (self, job, conversation_id, question_id, error);
}

/* Where the request goes now: the job's provider and server, and the
 * reply's (a fallback calls this again). */
void
_hearth_chat_job_set_provider (ChatJob        *job,
                               HearthProvider *provider,
                               HearthServer   *server)
{
  g_set_object (&job->provider, provider);
  g_set_object (&job->server, server);
  g_clear_pointer (&job->cache_key, g_free);
  if (provider != NULL)
    hearth_reply_set_server (job->reply, server ? hearth_server_get_name (server) : NULL,
                             hearth_provider_get_endpoint (provider),
                             hearth_provider_get_api (provider));
}

/* @provider: where to send, or NULL to go through the user's servers. */
ChatJob *
_hearth_chat_job_new (HearthEngine      *self,
              HearthProvider    *provider,
              HearthChatRequest *request)
{
  ChatJob *job = g_new0 (ChatJob, 1);
  HearthServer *server = NULL;
  ChatRoute *route = NULL;

  if (provider == NULL)
    route = _hearth_chat_route_new (self, request, &provider, &server);
  else
    /* A server of the list asked directly is still named (its metrics). */
    server = hearth_servers_find_endpoint (hearth_engine_get_servers (self),
                                           hearth_provider_get_api (provider),
                                           hearth_provider_get_endpoint (provider));

  /* One name per model in the history, the metrics and the cache key:
   * "tiny" and "tiny:latest" are the same model to Ollama. */
  if (provider != NULL && !_hearth_chat_route_is_auto (request->model))
    {
      char *model = hearth_provider_canonical_model_name (provider, request->model);

      g_free (request->model);
      request->model = model;
    }
  job->engine = g_object_ref (self);
  job->route = route;
  job->request = request;
  job->reply = hearth_reply_new (NULL, HEARTH_API_OLLAMA);
  _hearth_chat_job_set_provider (job, provider, server);
  hearth_reply_set_model (job->reply, request->model);
  if (provider != NULL && !_hearth_chat_route_is_auto (request->model))
    _hearth_engine_tuning_apply (self, provider, request, job->reply);
  return job;
}

static void
send_now (ChatJob *job)
{
  /* The model list names the model when none was asked for, and gives the
   * digest a cached answer must match. */
  if (job->request->model == NULL || *job->request->model == '\0' || wants_cache (job))
    hearth_provider_list_models_async (job->provider, hearth_reply_get_cancellable (job->reply),
                                       models_listed_cb, job);
  else
    hearth_provider_chat_full (job->provider, job->request, job->reply,
                               job->route ? _hearth_chat_route_start_failed : NULL, job);
}

static void
slot_ready_cb (HearthQueueTicket *ticket,
               const GError      *error,
               gpointer           user_data)
{
  ChatJob *job = user_data;

  /* Cancelled while waiting, or a full queue: the reply ends with it. */
  if (error != NULL)
    {
      hearth_reply_fail (job->reply, error);
      return;
    }
  send_now (job);
}

void
_hearth_chat_job_leave_queue (ChatJob *job)
{
  g_clear_pointer (&job->ticket, _hearth_queue_ticket_free);
}

void
_hearth_chat_job_send (ChatJob *job)
{
  /* A fallback gave back its slot on the server that did not answer. */
  _hearth_chat_job_leave_queue (job);
  job->ticket = _hearth_engine_queue_enter (job->engine, job->server, job->provider,
                                            job->request->priority, job->reply,
                                            slot_ready_cb, job);
  if (_hearth_queue_ticket_is_running (job->ticket))
    send_now (job);
}

/* Through the user's servers, the route decides first ("auto", a server
 * whose breaker is open). */
static void
chat_job_begin (ChatJob *job)
{
  if (job->route != NULL)
    _hearth_chat_route_begin (job);
  else
    _hearth_chat_job_send (job);
}

static void
history_read_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ChatJob *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) history = hearth_engine_list_messages_finish (HEARTH_ENGINE (object),
                                                                     result, &error);

  /* Cancelled meanwhile: the reply ends here, as cancelled. */
  if (history == NULL)
    {
      hearth_reply_fail (job->reply, error);
      return;
    }
  insert_history (job->request, history);
  chat_job_begin (job);
}

/* From here the job belongs to its reply: it saves what streams, and is
 * freed once the reply finished and is saved (or parked). */
void
_hearth_chat_job_watch (ChatJob *job)
{
  g_signal_connect (job->reply, "delta", G_CALLBACK (on_reply_delta), job);
  g_signal_connect (job->reply, "finished", G_CALLBACK (on_reply_finished), job);
}

void
_hearth_chat_job_go (ChatJob *job)
{
  /* A long conversation is read off the main thread: the messages before
   * the question just stored. */
  if (job->history_before > 0 && job->record != NULL)
    hearth_engine_list_messages_async (job->engine, job->record->conversation_id,
                                       job->history_before, 0,
                                       hearth_reply_get_cancellable (job->reply),
                                       history_read_cb, job);
  else
    chat_job_begin (job);
}

static HearthReply *
chat_job_start (ChatJob *job)
{
  g_autoptr(HearthReply) reply = g_object_ref (job->reply);

  _hearth_chat_job_watch (job);
  _hearth_chat_job_go (job);
  return g_steal_pointer (&reply);
}

/**
 * hearth_engine_chat:
 * @provider: (nullable): the one server to ask, or %NULL for the user's
 *   servers (the request's server or the default, "auto", the breaker and
 *   the fallback chain: hearth-engine-route.c)
 * @request: (transfer full): the request; its last message is the question
 * @conversation_id: the conversation to continue, or -1 for a new one
 *
 * Returns: (transfer full): a reply that streams until it is finished, or
 *   %NULL when the question could not be stored.
 */
HearthReply *
hearth_engine_chat (HearthEngine       *self,
                    HearthProvider     *provider,
                    HearthChatRequest  *request,
                    gint64              conversation_id,
                    GError            **error)
{
  ChatJob *job;

  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);
  g_return_val_if_fail (provider == NULL || HEARTH_IS_PROVIDER (provider), NULL);
  g_return_val_if_fail (request != NULL && request->messages->len > 0, NULL);

  job = _hearth_chat_job_new (self, provider, request);
  job->api = conversation_id == HEARTH_CONVERSATION_API;
  if (self->store != NULL && !store_exchange (self, job, conversation_id, error))
    {
      _hearth_chat_job_free (job);
      return NULL;
    }
  return chat_job_start (job);
}

/**
 * hearth_engine_regenerate:
 * @provider: (nullable): as for hearth_engine_chat ()
 * @request: (transfer full): the options; its messages come from the history
 *
 * Asks for a new answer to the last question of @conversation_id.
 *
 * Returns: (transfer full): the new reply, or %NULL
 */
HearthReply *
hearth_engine_regenerate (HearthEngine       *self,
                          HearthProvider     *provider,
                          HearthChatRequest  *request,
                          gint64              conversation_id,
                          GError            **error)
{
  ChatJob *job;

  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);
  g_return_val_if_fail (provider == NULL || HEARTH_IS_PROVIDER (provider), NULL);
  g_return_val_if_fail (request != NULL && request->messages->len == 0, NULL);

  if (self->store == NULL)
    {
      hearth_chat_request_free (request);
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("There is no history to answer from"));
      return NULL;
    }
  job = _hearth_chat_job_new (self, provider, request);
  if (!store_regeneration (self, job, conversation_id, error))
    {
      _hearth_chat_job_free (job);
      return NULL;
    }
  return chat_job_start (job);
}

/* Replies the history could not take */

void
_hearth_engine_park (HearthEngine *self,
                     HearthReply  *reply,
                     ChatJob      *job)
{
  g_hash_table_replace (self->unsaved, reply, job);
}

gboolean
_hearth_engine_save_parked (HearthEngine  *self,
                            HearthReply   *reply,
                            GError       **error)
{
  ChatJob *job = g_hash_table_lookup (self->unsaved, reply);

  if (job == NULL)
    return TRUE;
  if (!_hearth_chat_job_save (job, error))
    return FALSE;
  g_hash_table_remove (self->unsaved, reply);
  return TRUE;
}

/* At shutdown, one more try for each. */
void
_hearth_engine_save_all_parked (HearthEngine *self)
{
  g_autoptr(GList) replies = g_hash_table_get_keys (self->unsaved);

  for (GList *l = replies; l != NULL; l = l->next)
    _hearth_engine_save_parked (self, l->data, NULL);
}

/**
 * hearth_engine_save_reply:
 * @reply: a finished reply whose save error is set
 *
 * Tries again, now, to save a reply the history could not take (the engine
 * also tries every few seconds). The reply keeps its text until then.
 *
 * Returns: %TRUE when the history holds the reply
 */
gboolean
hearth_engine_save_reply (HearthEngine  *self,
                          HearthReply   *reply,
                          GError       **error)
{
  const GError *save_error;

  g_return_val_if_fail (HEARTH_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (HEARTH_IS_REPLY (reply), FALSE);

  if (g_hash_table_contains (self->unsaved, reply))
    return _hearth_engine_save_parked (self, reply, error);
  save_error = hearth_reply_get_save_error (reply);
  if (save_error == NULL)
    return TRUE;
  g_propagate_error (error, g_error_copy (save_error));
  return FALSE;
}
