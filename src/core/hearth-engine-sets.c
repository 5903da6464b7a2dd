/* hearth-engine-sets.c — one question asked of 2–4 models (compare, ensembles):
 * the question stored once, each answer a chat reply of its own, the
 * schedule, and "Use this answer" (the decision: hearth-engine-sets-decide.c)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each candidate is an ordinary chat job (hearth-engine-chat.c): its
 * record in the history, the queue of its server, the cache, the metrics,
 * its own error. Fallback is off: a candidate is its model on its server
 * or it fails in its column. Only the kept answer (pick > 0) is the
 * conversation's reply for the next question (insert_history ()).
 */
#define G_LOG_DOMAIN "hearth-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <inttypes.h>

#include <math.h>
#include <string.h>

#include "hearth-engine-sets-private.h"
#include "hearth-error.h"
#include "hearth-model.h"
#include "hearth-reply-private.h"
#include "hearth-store-sets.h"

#define REGISTRY_KEY "hearth-answer-sets"

static void
candidate_free (Candidate *c)
{
  if (c->handler != 0)
    g_signal_handler_disconnect (c->reply, c->handler);
  /* Never sent nor watched: the job is still ours. */
  if (c->job != NULL)
    _hearth_chat_job_free (c->job);
  g_free (c->model);
  g_free (c->server_name);
  g_clear_object (&c->server);
  g_clear_object (&c->reply);
  g_free (c);
}

static void
run_free (SetRun *run)
{
  g_clear_handle_id (&run->start_source, g_source_remove);
  if (run->judge_handler != 0)
    g_signal_handler_disconnect (run->judge_reply, run->judge_handler);
  g_clear_object (&run->judge_reply);
  g_clear_pointer (&run->candidates, g_ptr_array_unref);
  g_clear_pointer (&run->order, g_array_unref);
  g_clear_pointer (&run->judge_map, g_array_unref);
  g_clear_pointer (&run->base, hearth_chat_request_free);
  g_clear_object (&run->engine);
  g_free (run->judge);
  g_free (run->question);
  g_free (run);
}

static HearthChatRequest *
copy_request (const HearthChatRequest *base)
{
  HearthChatRequest *request = hearth_chat_request_new ();

  request->system = g_strdup (base->system);
  for (guint i = 0; i < base->messages->len; i++)
    {
      const HearthMessage *message = g_ptr_array_index (base->messages, i);

      hearth_chat_request_add_message (request, message->role, message->content);
    }
  request->temperature = base->temperature;
  request->top_p = base->top_p;
  request->top_k = base->top_k;
  request->seed = base->seed;
  request->has_seed = base->has_seed;
  request->num_predict = base->num_predict;
  request->num_ctx = base->num_ctx;
  request->stop = g_strdupv (base->stop);
  request->stream = base->stream;
  request->bypass_cache = base->bypass_cache;
  request->options = base->options ? hearth_run_options_copy (base->options) : NULL;
  request->priority = base->priority;
  request->client = g_strdup (base->client);
  return request;
}

/* A request for @spec: its model on its server, that server or nothing. */
HearthChatRequest *
_hearth_set_request_for (const HearthChatRequest *base,
                         const char              *spec)
{
  HearthChatRequest *request = copy_request (base);

  g_clear_pointer (&request->model, g_free);
  hearth_split_model_at_server (spec, &request->model, &request->server);
  request->no_fallback = TRUE;
  return request;
}

static void
finish (SetRun *run)
{
  HearthAnswerSet *set = run->set;

  run->over = TRUE;
  _hearth_answer_set_finish (set);
  g_clear_object (&run->engine);
  /* The reference the run held while its requests ran. */
  g_object_unref (set);
}

void
_hearth_set_run_check_done (SetRun *run)
{
  if (run->over || run->judging)
    return;
  for (guint i = 0; i < run->candidates->len; i++)
    if (!candidate_at (run, i)->finished)
      return;
  if (!run->decided)
    _hearth_set_run_decide_at_end (run);
  if (!run->judging)
    finish (run);
}

/* Sending */

static void
send_candidate (Candidate *c)
{
  ChatJob *job = g_steal_pointer (&c->job);

  c->sent = TRUE;
  _hearth_chat_job_go (job);
}

/* A watched candidate that will not be sent ends as cancelled (and is
 * stored so); its "finished" runs now. */
static void
drop_candidate (Candidate *c)
{
  g_autoptr(GError) error = g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_CANCELLED,
                                                 _("Cancelled"));

  c->sent = TRUE;
  c->job = NULL;   /* the reply's now: freed once it is saved */
  hearth_reply_fail (c->reply, error);
}

static gboolean
should_stop (SetRun *run)
{
  return run->cancelled || (run->decided && run->method == HEARTH_SET_FIRST_GOOD);
}

/* The next candidate waiting for the same Ollama server goes. */
static void
send_next_in_group (SetRun    *run,
                    Candidate *done)
{
  if (done->group < 0)
    return;
  for (guint i = done->index + 1; i < run->candidates->len; i++)
    {
      Candidate *c = candidate_at (run, i);

      if (c->group != done->group || c->sent)
        continue;
      if (should_stop (run))
        drop_candidate (c);
      else
        send_candidate (c);
      return;
    }
}

/* First good: the others are not needed any more. */
static void
stop_others (SetRun *run)
{
  for (guint i = 0; i < run->candidates->len; i++)
    {
      Candidate *c = candidate_at (run, i);

      if (c->finished)
        continue;
      if (c->sent)
        hearth_reply_cancel (c->reply);
      else
        drop_candidate (c);
    }
}

static void
on_candidate_finished (HearthReply *reply,
                       Candidate   *c)
{
  SetRun *run = c->run;
  g_autoptr(HearthAnswerSet) set = g_object_ref (run->set);
  const char *text;

  g_signal_handler_disconnect (reply, c->handler);
  c->handler = 0;
  c->finished = TRUE;
  g_array_append_val (run->order, c->index);
  text = answer_text (c);

  if (run->method == HEARTH_SET_COMPARE && text != NULL && !run->provisional)
    {
      const char *reason = _("Answered first; kept until you choose an answer");

      run->provisional = TRUE;
      if (!_hearth_answer_set_get_user_picked (run->set))
        {
          _hearth_set_run_keep (run, c, HEARTH_PICK_AUTO, reason);
          _hearth_answer_set_set_provisional (run->set, c->index, reason);
        }
    }
  else if (run->method == HEARTH_SET_FIRST_GOOD && !run->decided && !run->cancelled &&
           text != NULL && hearth_answer_is_good (text, hearth_reply_get_done_reason (reply)))
    {
      g_autofree char *reason = g_strdup_printf (_("%s gave the first answer that passed the "
                                                   "check (not empty, finished, not a refusal)"),
                                                 c->model);

      _hearth_set_run_decide (run, c->index, reason);
      stop_others (run);
    }
  send_next_in_group (run, c);
  _hearth_set_run_check_done (run);
}

static gboolean
start_cb (gpointer user_data)
{
  SetRun *run = user_data;
  g_autoptr(HearthAnswerSet) set = g_object_ref (run->set);

  run->start_source = 0;
  /* Each job saves its reply from now on, sent or not. */
  for (guint i = 0; i < run->candidates->len; i++)
    {
      Candidate *c = candidate_at (run, i);

      if (c->finished)
        continue;
      _hearth_chat_job_watch (c->job);
      c->handler = g_signal_connect (c->reply, "finished",
                                     G_CALLBACK (on_candidate_finished), c);
    }
  for (guint i = 0; i < run->candidates->len; i++)
    {
      Candidate *c = candidate_at (run, i);

      if (c->sent || (c->group >= 0 && c->group != (int) c->index))
        continue;
      if (run->cancelled)
        drop_candidate (c);
      else
        send_candidate (c);
    }
  /* Every record failed: nothing is left to wait for. */
  _hearth_set_run_check_done (run);
  return G_SOURCE_REMOVE;
}

static void
cancel_run (gpointer data)
{
  SetRun *run = data;
  g_autoptr(HearthAnswerSet) set = g_object_ref (run->set);

  if (run->over)
    return;
  run->cancelled = TRUE;
  /* Not started yet: start_cb ends every candidate as cancelled. */
  if (run->start_source != 0)
    return;
  for (guint i = 0; i < run->candidates->len && !run->over; i++)
    {
      Candidate *c = candidate_at (run, i);

      if (c->finished)
        continue;
      if (c->sent)
        hearth_reply_cancel (c->reply);
      else
        drop_candidate (c);
    }
  if (run->judge_reply != NULL && !hearth_reply_is_finished (run->judge_reply))
    hearth_reply_cancel (run->judge_reply);
}

/* The schedule */

/* Whether several models on @server go one after another: an Ollama
 * server of this network keeps one model in memory at a time. */
static gboolean
loads_one_at_a_time (HearthServer *server)
{
  return server != NULL && hearth_server_get_api (server) == HEARTH_API_OLLAMA &&
         !hearth_server_get_cloud (server);
}

static const char *
server_label (Candidate *c)
{
  return c->server_name != NULL ? c->server_name : _("the default server");
}

/* "tiny" for "tiny:latest", as the answers' cards name it. */
static void
append_model (GString   *out,
              Candidate *c)
{
  g_autofree char *shown = hearth_model_display_name (c->model);

  g_string_append (out, shown != NULL ? shown : c->model);
}

static void
join_models (GString   *out,
             GPtrArray *members,
             const char *last_join)
{
  for (guint i = 0; i < members->len; i++)
    {
      if (i > 0)
        g_string_append (out, i + 1 == members->len ? last_join : ", ");
      append_model (out, g_ptr_array_index (members, i));
    }
}

static char *
describe_schedule (SetRun *run)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GPtrArray) at_once = g_ptr_array_new ();
  guint n = run->candidates->len;
  guint n_groups = 0;
  gboolean own_servers = TRUE;

  for (guint i = 0; i < n; i++)
    {
      Candidate *c = candidate_at (run, i);

      if (c->group == (int) i)
        n_groups++;
      else if (c->group < 0)
        g_ptr_array_add (at_once, c);
      for (guint j = 0; j < i; j++)
        if (c->server != NULL && candidate_at (run, j)->server == c->server)
          own_servers = FALSE;
    }
  if (n_groups == 0)
    return g_strdup (own_servers ? _("At once: each model is on its own server.")
                                 : _("At once: their servers answer several requests at a time."));
  if (n_groups == 1 && at_once->len == 0)
    return g_strdup_printf (_("One after another on %s: an Ollama server keeps one model in memory "
                              "at a time, so two at once would each wait for the other to load."),
                            server_label (candidate_at (run, 0)));

  g_string_append (out, _("One after another where models share an Ollama server, which keeps one "
                          "model in memory at a time: "));
  for (guint i = 0, k = 0; i < n; i++)
    {
      Candidate *first = candidate_at (run, i);
      g_autoptr(GPtrArray) members = g_ptr_array_new ();

      if (first->group != (int) i)
        continue;
      for (guint j = i; j < n; j++)
        if (candidate_at (run, j)->group == (int) i)
          g_ptr_array_add (members, candidate_at (run, j));
      if (k++ > 0)
        g_string_append (out, "; ");
      join_models (out, members, " then ");
      g_string_append_printf (out, " on %s", server_label (first));
    }
  g_string_append (out, _(". At the same time: "));
  for (guint i = 0; i < at_once->len; i++)
    {
      Candidate *c = g_ptr_array_index (at_once, i);

      if (i > 0)
        g_string_append (out, i + 1 == at_once->len ? " and " : ", ");
      append_model (out, c);
      g_string_append_printf (out, " on %s", server_label (c));
    }
  g_string_append_c (out, '.');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Which server each candidate goes to, and who waits for whom. */
static void
plan (SetRun *run)
{
  HearthServers *servers = hearth_engine_get_servers (run->engine);
  HearthServer *fallback_default = hearth_servers_get_default (servers);

  for (guint i = 0; i < run->candidates->len; i++)
    {
      Candidate *c = candidate_at (run, i);

      if (c->server_name != NULL)
        g_set_object (&c->server, hearth_servers_lookup (servers, c->server_name));
      else if (fallback_default != NULL)
        {
          g_set_object (&c->server, fallback_default);
          c->server_name = g_strdup (hearth_server_get_name (fallback_default));
        }
      c->group = -1;
      /* One that failed already (its record) waits for nothing. */
      if (c->job == NULL || !loads_one_at_a_time (c->server))
        continue;
      for (guint j = 0; j < i && c->group < 0; j++)
        if (candidate_at (run, j)->server == c->server)
          c->group = candidate_at (run, j)->group;
      if (c->group < 0)
        c->group = i;
    }
  /* A lone member of a group waits for nobody: it goes at once. */
  for (guint i = 0; i < run->candidates->len; i++)
    {
      Candidate *c = candidate_at (run, i);
      gboolean shared = FALSE;

      for (guint j = 0; c->group >= 0 && j < run->candidates->len; j++)
        shared |= j != i && candidate_at (run, j)->group == c->group;
      if (c->group >= 0 && !shared)
        c->group = -1;
    }
}

/* Live sets, by question: "Use this answer" updates one still shown */

static void
weak_ref_free (GWeakRef *ref)
{
  g_weak_ref_clear (ref);
  g_free (ref);
}

static GHashTable *
registry (HearthEngine *engine)
{
  GHashTable *table = g_object_get_data (G_OBJECT (engine), REGISTRY_KEY);

  if (table == NULL)
    {
      table = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                     (GDestroyNotify) weak_ref_free);
      g_object_set_data_full (G_OBJECT (engine), REGISTRY_KEY, table,
                              (GDestroyNotify) g_hash_table_unref);
    }
  return table;
}

static gboolean
is_gone (gpointer key,
         gpointer value,
         gpointer user_data)
{
  g_autoptr(GObject) object = g_weak_ref_get (value);

  return object == NULL;
}

static void
register_set (HearthEngine    *engine,
              HearthAnswerSet *set)
{
  GHashTable *table = registry (engine);
  GWeakRef *ref = g_new0 (GWeakRef, 1);
  gint64 *key = g_new (gint64, 1);

  g_hash_table_foreach_remove (table, is_gone, NULL);
  *key = hearth_answer_set_get_question_id (set);
  g_weak_ref_init (ref, set);
  g_hash_table_replace (table, key, ref);
}

static HearthAnswerSet *
find_set (HearthEngine *engine,
          gint64        question_id)
{
  GHashTable *table = g_object_get_data (G_OBJECT (engine), REGISTRY_KEY);
  GWeakRef *ref = table ? g_hash_table_lookup (table, &question_id) : NULL;

  return ref ? g_weak_ref_get (ref) : NULL;
}

/* Asking */

static gboolean
check_models (const char * const  *models,
              GError             **error)
{
  guint n = models != NULL ? g_strv_length ((char **) models) : 0;

  if (n < HEARTH_ENSEMBLE_MIN_MODELS || n > HEARTH_ENSEMBLE_MAX_MODELS)
    return hearth_error_set_invalid (error, _("Comparing takes %d to %d models, and %u were given: "
                                     "choose between %d and %d"), HEARTH_ENSEMBLE_MIN_MODELS,
                                     HEARTH_ENSEMBLE_MAX_MODELS, n, HEARTH_ENSEMBLE_MIN_MODELS,
                                     HEARTH_ENSEMBLE_MAX_MODELS);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (models[i]));

      if (*stripped == '\0')
        return hearth_error_set_invalid (error, _("A model to compare has no name: name each one"));
      for (guint j = 0; j < i; j++)
        if (g_str_equal (models[i], models[j]))
          return hearth_error_set_invalid (error, _("“%s” is asked twice: name each model once"),
                                           models[i]);
    }
  return TRUE;
}

/* @request: taken. Stores the question once, then a record per candidate;
 * the requests go from the main loop, once the caller holds the set. */
static HearthAnswerSet *
ask_set (HearthEngine        *self,
         HearthChatRequest   *request,
         const char * const  *models,
         HearthSetMethod      method,
         const char          *name,
         const char          *judge,
         gint64               conversation_id,
         GError             **error)
{
  g_autoptr(HearthChatRequest) base = request;
  g_autoptr(HearthMessage) user_record = NULL;
  HearthAnswerSet *set;
  HearthMessage set_fields = { 0 };
  const HearthMessage *question;
  gboolean continued = FALSE;
  gint64 question_id = 0;
  SetRun *run;

  if (!check_models (models, error))
    return NULL;
  if (conversation_id == HEARTH_CONVERSATION_API)
    {
      hearth_error_set_invalid (error, _("Another program’s request cannot be compared: ask each "
                                "model on its own"));
      return NULL;
    }
  if (base->messages->len == 0)
    {
      hearth_error_set_invalid (error, _("There is no question to ask: write one first"));
      return NULL;
    }
  question = g_ptr_array_index (base->messages, base->messages->len - 1);

  if (self->store != NULL)
    {
      user_record = hearth_message_new ("user", question->content);
      user_record->conversation_id = conversation_id;
      question_id = _hearth_chat_store_question (self, user_record, &conversation_id, &continued,
                                                 error);
      if (question_id < 0)
        return NULL;
    }

  set = _hearth_answer_set_new (method, name, conversation_id, question_id);
  run = g_new0 (SetRun, 1);
  run->engine = g_object_ref (self);
  run->set = g_object_ref (set);   /* held until every request is over */
  run->method = method;
  run->judge = g_strdup (judge);
  run->question = g_strdup (question->content);
  run->conversation_id = conversation_id;
  run->question_id = question_id;
  run->candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) candidate_free);
  run->order = g_array_new (FALSE, FALSE, sizeof (guint));
  _hearth_answer_set_set_run (set, run, cancel_run, (GDestroyNotify) run_free);

  set_fields.set_question = question_id;
  set_fields.set_method = (char *) hearth_set_method_to_string (method);
  set_fields.set_name = (char *) name;
  set_fields.set_role = (char *) HEARTH_SET_ROLE_CANDIDATE;
  set_fields.pick = HEARTH_PICK_NOT;
  for (guint i = 0; models[i] != NULL; i++)
    {
      Candidate *c = g_new0 (Candidate, 1);
      g_autoptr(GError) record_error = NULL;

      c->run = run;
      c->index = i;
      hearth_split_model_at_server (models[i], &c->model, &c->server_name);
      c->job = _hearth_chat_job_new (self, NULL, _hearth_set_request_for (base, models[i]));
      c->reply = g_object_ref (c->job->reply);
      g_ptr_array_add (run->candidates, c);
      /* The history could not take it: that candidate fails with the reason. */
      if (!_hearth_chat_job_add_set_record (c->job, conversation_id, question_id,
                                            continued ? question_id : 0, &set_fields,
                                            &record_error))
        {
          _hearth_chat_job_free (g_steal_pointer (&c->job));
          c->sent = TRUE;
          hearth_reply_fail (c->reply, record_error);
        }
    }
  plan (run);
  for (guint i = 0; i < run->candidates->len; i++)
    {
      Candidate *c = candidate_at (run, i);

      _hearth_answer_set_add_candidate (set, c->reply, c->group >= 0 && c->group != (int) i);
      if (c->job == NULL)
        {
          c->finished = TRUE;
          g_array_append_val (run->order, c->index);
        }
    }
  {
    g_autofree char *schedule = describe_schedule (run);

    _hearth_answer_set_set_schedule (set, schedule);
  }
  run->base = g_steal_pointer (&base);
  if (question_id > 0)
    register_set (self, set);
  run->start_source = g_idle_add (start_cb, run);
  return set;
}

/**
 * hearth_engine_compare:
 * @request: (transfer full): the question (its last message) and options;
 *   taken, as hearth_engine_chat () takes it, also when this fails
 * @models: 2–4 of "MODEL" or "MODEL@SERVER"
 *
 * Returns: (transfer full): the set, streaming, or %NULL with @error set
 */
HearthAnswerSet *
hearth_engine_compare (HearthEngine        *self,
                       HearthChatRequest   *request,
                       const char * const  *models,
                       gint64               conversation_id,
                       GError             **error)
{
  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);
  g_return_val_if_fail (request != NULL, NULL);

  return ask_set (self, request, models, HEARTH_SET_COMPARE, NULL, NULL, conversation_id, error);
}

/**
 * hearth_engine_ask_ensemble:
 * @request: (transfer full): as for hearth_engine_compare ()
 * @ensemble: a named ensemble, or one made for this question (no name)
 *
 * Returns: (transfer full): the set, streaming, or %NULL with @error set
 */
HearthAnswerSet *
hearth_engine_ask_ensemble (HearthEngine          *self,
                            HearthChatRequest     *request,
                            const HearthEnsemble  *ensemble,
                            gint64                 conversation_id,
                            GError               **error)
{
  g_autoptr(HearthEnsemble) checked = NULL;
  const char *name;

  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);
  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (ensemble != NULL, NULL);

  /* One made for the question is checked as a named one would be. */
  name = ensemble->name != NULL && *ensemble->name != '\0' ? ensemble->name : NULL;
  checked = hearth_ensemble_copy (ensemble);
  if (name == NULL)
    hearth_set_str (&checked->name, "ad-hoc");
  if (!hearth_ensemble_validate (checked, error))
    {
      hearth_chat_request_free (request);
      return NULL;
    }
  /* Deterministic where the members are: a repeated question is the cache's. */
  if (isnan (request->temperature))
    {
      request->temperature = 0;
      if (!request->has_seed)
        {
          request->has_seed = TRUE;
          request->seed = 0;
        }
    }
  return ask_set (self, request, (const char * const *) ensemble->models, ensemble->method,
                  name, ensemble->judge, conversation_id, error);
}

/**
 * hearth_engine_pick_answer:
 * @message_id: a candidate of a set that finished with text
 *
 * "Use this answer": it becomes the conversation's reply, kept by the user.
 */
gboolean
hearth_engine_pick_answer (HearthEngine  *self,
                           gint64         message_id,
                           GError       **error)
{
  g_autoptr(HearthMessage) message = NULL;
  g_autoptr(HearthAnswerSet) set = NULL;
  const char *reason = _("You chose this answer");

  g_return_val_if_fail (HEARTH_IS_ENGINE (self), FALSE);

  if (self->store == NULL)
    return hearth_error_set_invalid (error, _("There is no history to keep an answer in"));
  message = hearth_store_get_set_message (self->store, message_id, error);
  if (message == NULL)
    return FALSE;
  if (message->set_question <= 0 || g_strcmp0 (message->set_role, HEARTH_SET_ROLE_CANDIDATE) != 0)
    return hearth_error_set_invalid (error, _("Message %" PRId64 " is not one of several "
                                     "answers to a question: only an answer from a comparison "
                                     "or an ensemble can be kept"), message_id);
  if (message->state != HEARTH_MESSAGE_COMPLETE || message->content == NULL ||
      *message->content == '\0')
    return hearth_error_set_invalid (error, _("That answer %s, so it cannot be the reply: keep one "
                                     "that finished"),
                                     message->state == HEARTH_MESSAGE_PARTIAL ? _("is not finished")
                                     : message->state == HEARTH_MESSAGE_COMPLETE ? _("is empty")
                                     : _("did not finish"));
  if (!hearth_store_keep_answer (self->store, message_id, HEARTH_PICK_USER, reason, error))
    return FALSE;

  /* A set still shown says so too. */
  set = find_set (self, message->set_question);
  for (guint i = 0; set != NULL && i < hearth_answer_set_get_n_candidates (set); i++)
    if (hearth_reply_get_message_id (hearth_answer_set_get_candidate (set, i)) == message_id)
      _hearth_answer_set_user_pick (set, i, reason);
  return TRUE;
}
