/* hearth-message-item.c — one message in the chat list, stored or streaming
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-message-item"

#include <glib/gi18n.h>

#include "hearth-error.h"
#include "hearth-message-item.h"
#include "hearth-server-labels.h"

struct _HearthMessageItem
{
  GObject        parent_instance;

  HearthMessage *message;
  HearthReply   *reply;
  HearthServers *servers;
  gboolean       cached;
  double         time_saved_ms;

  /* A set (compare, ensembles): the answers of one question to several
   * models; self->message is then the kept one's (or the first's). */
  HearthAnswerSet *set;          /* live, or NULL when read from the history */
  GPtrArray      *candidates;    /* HearthMessageItem, in the set's order */
  HearthMessageItem *judge;      /* the judge's verdict (JUDGE), or NULL */
  char           *set_method;
  char           *set_name;
  char           *set_reason;
  char           *schedule;
  int             winner;        /* the kept candidate, -1: none (yet) */
  gboolean        picked_by_user;
};

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HearthMessageItem, hearth_message_item, G_TYPE_OBJECT)

static void
hearth_message_item_dispose (GObject *object)
{
  HearthMessageItem *self = HEARTH_MESSAGE_ITEM (object);

  if (self->reply != NULL)
    g_signal_handlers_disconnect_by_data (self->reply, self);
  g_clear_object (&self->reply);
  g_clear_object (&self->servers);
  if (self->set != NULL)
    g_signal_handlers_disconnect_by_data (self->set, self);
  g_clear_object (&self->set);
  g_clear_pointer (&self->candidates, g_ptr_array_unref);
  g_clear_object (&self->judge);

  G_OBJECT_CLASS (hearth_message_item_parent_class)->dispose (object);
}

static void
hearth_message_item_finalize (GObject *object)
{
  HearthMessageItem *self = HEARTH_MESSAGE_ITEM (object);

  g_clear_pointer (&self->message, hearth_message_free);
  g_free (self->set_method);
  g_free (self->set_name);
  g_free (self->set_reason);
  g_free (self->schedule);

  G_OBJECT_CLASS (hearth_message_item_parent_class)->finalize (object);
}

static void
hearth_message_item_class_init (HearthMessageItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hearth_message_item_dispose;
  object_class->finalize = hearth_message_item_finalize;

  /* The state, figures or error changed; text arrives through the reply. */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
hearth_message_item_init (HearthMessageItem *self)
{
  self->winner = -1;
}

static HearthMessage *
copy_message (const HearthMessage *message)
{
  HearthMessage *copy = hearth_message_new (message->role, message->content);

  copy->id = message->id;
  copy->conversation_id = message->conversation_id;
  copy->thinking = g_strdup (message->thinking);
  copy->model = g_strdup (message->model);
  copy->endpoint = g_strdup (message->endpoint);
  copy->api = g_strdup (message->api);
  copy->error = g_strdup (message->error);
  copy->done_reason = g_strdup (message->done_reason);
  copy->created_ms = message->created_ms;
  copy->state = message->state;
  copy->figures = message->figures;
  copy->options = g_strdup (message->options);
  copy->server = g_strdup (message->server);
  copy->fallback_from = g_strdup (message->fallback_from);
  copy->fallback_reason = g_strdup (message->fallback_reason);
  copy->route_rule = g_strdup (message->route_rule);
  copy->set_question = message->set_question;
  copy->set_method = g_strdup (message->set_method);
  copy->set_name = g_strdup (message->set_name);
  copy->set_role = g_strdup (message->set_role);
  copy->pick = message->pick;
  copy->set_reason = g_strdup (message->set_reason);
  copy->rating = message->rating;
  copy->rating_note = g_strdup (message->rating_note);
  return copy;
}

HearthMessageItem *
hearth_message_item_new (const HearthMessage *message)
{
  HearthMessageItem *self = g_object_new (HEARTH_TYPE_MESSAGE_ITEM, NULL);

  self->message = copy_message (message);
  return self;
}

/* Where a live reply is answered: it changes when the request falls back. */
static void
copy_route (HearthMessageItem *self,
            HearthReply       *reply)
{
  HearthMessage *m = self->message;

  hearth_set_str (&m->server, hearth_reply_get_server (reply));
  hearth_set_str (&m->fallback_from, hearth_reply_get_fallback_from (reply));
  hearth_set_str (&m->fallback_reason, hearth_reply_get_fallback_reason (reply));
  hearth_set_str (&m->route_rule, hearth_reply_get_route_rule (reply));
}

/* Keeps the stored view of a live reply in step with it. */
static void
on_reply_finished (HearthReply       *reply,
                   HearthMessageItem *self)
{
  HearthMessage *m = self->message;
  const GError *error = hearth_reply_get_error (reply);

  hearth_set_str (&m->content, hearth_reply_get_content (reply));
  hearth_set_str (&m->thinking, hearth_reply_get_thinking (reply));
  hearth_set_str (&m->model, hearth_reply_get_model (reply));
  hearth_set_str (&m->done_reason, hearth_reply_get_done_reason (reply));
  copy_route (self, reply);
  m->figures = *hearth_reply_get_figures (reply);
  g_clear_pointer (&m->options, g_free);
  if (hearth_reply_get_options (reply) != NULL)
    m->options = hearth_run_options_to_json_string (hearth_reply_get_options (reply));
  self->cached = hearth_reply_get_cached (reply);
  self->time_saved_ms = hearth_reply_get_time_saved_ms (reply);
  switch (hearth_reply_get_state (reply))
    {
    case HEARTH_REPLY_DONE:
      m->state = HEARTH_MESSAGE_COMPLETE;
      break;
    case HEARTH_REPLY_CANCELLED:
      m->state = HEARTH_MESSAGE_CANCELLED;
      break;
    case HEARTH_REPLY_FAILED:
      m->state = HEARTH_MESSAGE_FAILED;
      break;
    case HEARTH_REPLY_WAITING:
    case HEARTH_REPLY_STREAMING:
    default:
      m->state = HEARTH_MESSAGE_PARTIAL;
    }
  g_clear_pointer (&m->error, g_free);
  if (error != NULL && m->state == HEARTH_MESSAGE_FAILED)
    m->error = hearth_error_describe (error);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_reply_model (HearthReply       *reply,
                GParamSpec        *pspec,
                HearthMessageItem *self)
{
  hearth_set_str (&self->message->model, hearth_reply_get_model (reply));
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_reply_server (HearthReply       *reply,
                 GParamSpec        *pspec,
                 HearthMessageItem *self)
{
  copy_route (self, reply);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_reply_save_error (HearthReply       *reply,
                     GParamSpec        *pspec,
                     HearthMessageItem *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

HearthMessageItem *
hearth_message_item_new_for_reply (HearthReply *reply)
{
  HearthMessageItem *self = g_object_new (HEARTH_TYPE_MESSAGE_ITEM, NULL);

  self->message = hearth_message_new ("assistant", hearth_reply_get_content (reply));
  self->message->id = hearth_reply_get_message_id (reply);
  self->message->conversation_id = hearth_reply_get_conversation_id (reply);
  self->message->model = g_strdup (hearth_reply_get_model (reply));
  copy_route (self, reply);
  self->message->created_ms = g_get_real_time () / 1000;
  self->message->state = HEARTH_MESSAGE_PARTIAL;
  self->reply = g_object_ref (reply);
  if (hearth_reply_is_finished (reply))
    on_reply_finished (reply, self);
  else
    {
      g_signal_connect_object (reply, "finished", G_CALLBACK (on_reply_finished), self, 0);
      g_signal_connect_object (reply, "notify::model", G_CALLBACK (on_reply_model), self, 0);
      g_signal_connect_object (reply, "notify::server", G_CALLBACK (on_reply_server), self, 0);
    }
  /* A reply the history could not take is saved later (or never): the row
   * says so until then. */
  g_signal_connect_object (reply, "notify::save-error", G_CALLBACK (on_reply_save_error), self, 0);
  return self;
}

const HearthMessage *
hearth_message_item_get_message (HearthMessageItem *self)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), NULL);
  return self->message;
}

/* Returns: (nullable) (transfer none): the reply while it is live */
HearthReply *
hearth_message_item_get_reply (HearthMessageItem *self)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), NULL);
  return self->reply;
}

gint64
hearth_message_item_get_id (HearthMessageItem *self)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), -1);
  return self->message->id;
}

gboolean
hearth_message_item_is_assistant (HearthMessageItem *self)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), FALSE);
  return g_strcmp0 (self->message->role, "assistant") == 0;
}

gboolean
hearth_message_item_is_streaming (HearthMessageItem *self)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), FALSE);
  if (self->set != NULL)
    return !hearth_answer_set_is_finished (self->set);
  return self->reply != NULL && !hearth_reply_is_finished (self->reply);
}

/* "ctx 8192 · 4 threads": the options that change speed, as sent */
static char *
dup_options_summary (HearthMessageItem *self)
{
  g_autoptr(HearthRunOptions) options = NULL;

  if (self->message->options == NULL || *self->message->options == '\0')
    return NULL;
  /* A value the history holds but this version cannot read is left out,
   * not shown wrong. */
  options = hearth_run_options_from_json_string (self->message->options, NULL);
  return options != NULL ? hearth_run_options_summary (options) : NULL;
}

/* "42.1 tokens/s · 0.35 s to first token · 128 tokens · ctx 8192 · 4 threads";
 * only what was measured is said, then the options it ran with. */
char *
hearth_message_item_dup_figures (HearthMessageItem *self)
{
  const HearthFigures *f = &self->message->figures;
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), NULL);

  if (f->tokens_per_s > 0)
    g_ptr_array_add (parts, g_strdup_printf (_("%.1f tokens/s"), f->tokens_per_s));
  if (f->cached && f->total_ms >= 0)
    g_ptr_array_add (parts, g_strdup_printf (_("%.0f ms from the cache"), f->total_ms));
  else if (f->ttft_ms >= 0)
    g_ptr_array_add (parts, f->ttft_ms < 1000
                            ? g_strdup_printf (_("%.0f ms to first token"), f->ttft_ms)
                            : g_strdup_printf (_("%.2f s to first token"), f->ttft_ms / 1000));
  if (f->tokens_out > 0)
    g_ptr_array_add (parts, g_strdup_printf ("%" G_GINT64_FORMAT " %s", f->tokens_out,
                                             f->tokens_out == 1 ? _("token") : _("tokens")));
  if (!f->cached)
    {
      char *summary = dup_options_summary (self);

      if (summary != NULL)
        g_ptr_array_add (parts, summary);
    }
  /* The model is named once, above the reply. */
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

/* Whether this answer came from the response cache (known while it is on screen). */
gboolean
hearth_message_item_get_cached (HearthMessageItem *self)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), FALSE);
  return self->cached || self->message->figures.cached;
}

double
hearth_message_item_get_time_saved_ms (HearthMessageItem *self)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), 0);
  return self->time_saved_ms;
}

/* Returns: (nullable): why the history does not hold this reply (yet) */
const GError *
hearth_message_item_get_save_error (HearthMessageItem *self)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), NULL);
  return self->reply != NULL ? hearth_reply_get_save_error (self->reply) : NULL;
}

/* The user's servers, to say a server's name as it reads now (Cloud) and
 * whether there are several; without them only a fallback or a rule is said. */
void
hearth_message_item_set_servers (HearthMessageItem *self,
                                 HearthServers     *servers)
{
  g_return_if_fail (HEARTH_IS_MESSAGE_ITEM (self));
  g_set_object (&self->servers, servers);
}

/* "because laptop was down", as the fallback reasons of hearth-servers.h */
static char *
describe_fallback (const char *from,
                   const char *reason)
{
  if (g_strcmp0 (reason, "down") == 0)
    return g_strdup_printf (_("answered here because %s was down"), from);
  if (g_strcmp0 (reason, "server error") == 0)
    return g_strdup_printf (_("answered here because %s had a server error"), from);
  if (g_strcmp0 (reason, "model missing") == 0)
    return g_strdup_printf (_("answered here because %s does not have the model"), from);
  if (reason != NULL && g_str_has_prefix (reason, "skipped"))
    return g_strdup_printf (_("answered here because %s was down (not asked)"), from);
  if (reason != NULL && *reason != '\0')
    /* Translators: the server that did not answer, and why, as the engine says it */
    return g_strdup_printf (_("answered here because %s: %s"), from, reason);
  return g_strdup_printf (_("answered here instead of %s"), from);
}

/* "big-box · answered here because laptop was down", "openai (Cloud)",
 * "laptop · chosen by rule: code → qwen2.5:7b": where the reply was
 * answered, when that matters (several servers, a cloud one, a fallback,
 * a routing rule); NULL when it does not. */
char *
hearth_message_item_dup_route (HearthMessageItem *self)
{
  const HearthMessage *m;
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  HearthServer *server;
  gboolean matters;

  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), NULL);

  m = self->message;
  server = self->servers != NULL && m->server != NULL
           ? hearth_servers_lookup (self->servers, m->server) : NULL;
  matters = m->fallback_from != NULL || m->route_rule != NULL ||
            (server != NULL && hearth_server_get_cloud (server)) ||
            (m->server != NULL && self->servers != NULL &&
             hearth_servers_count_enabled (self->servers) > 1);
  if (!matters)
    return NULL;
  if (m->server != NULL)
    g_ptr_array_add (parts, hearth_server_label_for_name (self->servers, m->server));
  if (m->fallback_from != NULL)
    g_ptr_array_add (parts, describe_fallback (m->fallback_from, m->fallback_reason));
  if (m->route_rule != NULL)
    /* Translators: what the routing rules said when the model was "Auto" */
    g_ptr_array_add (parts, g_strdup_printf (_("chosen by rule: %s"), m->route_rule));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

/* The model that answered, as the picker names it (the demo's placeholder
 * model says what it is); NULL when not known. */
char *
hearth_message_item_dup_model_label (HearthMessageItem *self)
{
  const HearthMessage *m;
  HearthServer *server;

  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), NULL);

  m = self->message;
  if (m->model == NULL)
    return NULL;
  server = self->servers != NULL && m->server != NULL
           ? hearth_servers_lookup (self->servers, m->server) : NULL;
  return hearth_model_label (server, m->model);
}

/* Feedback: what the history now holds for this reply (and, for a set,
 * for its kept answer). */
void
hearth_message_item_set_rating (HearthMessageItem *self,
                                int                rating,
                                const char        *note)
{
  g_return_if_fail (HEARTH_IS_MESSAGE_ITEM (self));

  self->message->rating = rating;
  hearth_set_str (&self->message->rating_note, rating != 0 ? note : NULL);
  if (self->winner >= 0 && self->candidates != NULL)
    hearth_message_item_set_rating (g_ptr_array_index (self->candidates, self->winner),
                                    rating, note);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* Sets */

/* The row shows the kept answer as this item's message: its text, id
 * (copy, ratings) and figures; the set's own facts stay. */
static void
show_winner (HearthMessageItem *self)
{
  HearthMessageItem *shown;
  HearthMessage *copy;

  if (self->candidates == NULL || self->candidates->len == 0)
    return;
  shown = g_ptr_array_index (self->candidates, MAX (self->winner, 0));
  copy = copy_message (shown->message);
  if (self->winner < 0)
    hearth_set_str (&copy->content, "");
  hearth_set_str (&copy->set_method, self->set_method);
  hearth_set_str (&copy->set_name, self->set_name);
  hearth_set_str (&copy->set_reason, self->set_reason);
  g_clear_pointer (&self->message, hearth_message_free);
  self->message = copy;
}

static void
on_candidate_changed (HearthMessageItem *candidate,
                      HearthMessageItem *self)
{
  show_winner (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static HearthMessageItem *
add_candidate (HearthMessageItem *self,
               HearthMessageItem *candidate)
{
  hearth_message_item_set_servers (candidate, self->servers);
  g_ptr_array_add (self->candidates, candidate);
  g_signal_connect_object (candidate, "changed", G_CALLBACK (on_candidate_changed), self, 0);
  return candidate;
}

static void
read_decision (HearthMessageItem *self)
{
  self->winner = hearth_answer_set_get_winner (self->set);
  hearth_set_str (&self->set_reason, hearth_answer_set_get_reason (self->set));
  show_winner (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_set_decided (HearthAnswerSet   *set,
                HearthMessageItem *self)
{
  read_decision (self);
}

static void
on_set_winner (HearthAnswerSet   *set,
               GParamSpec        *pspec,
               HearthMessageItem *self)
{
  read_decision (self);
}

static void
on_set_finished (HearthAnswerSet   *set,
                 HearthMessageItem *self)
{
  HearthReply *judge = hearth_answer_set_get_judge_reply (set);

  if (judge != NULL && self->judge == NULL)
    self->judge = hearth_message_item_new_for_reply (judge);
  read_decision (self);
}

HearthMessageItem *
hearth_message_item_new_for_set (HearthAnswerSet *set,
                                 HearthServers   *servers)
{
  HearthMessageItem *self = g_object_new (HEARTH_TYPE_MESSAGE_ITEM, NULL);
  guint n;

  g_return_val_if_fail (HEARTH_IS_ANSWER_SET (set), NULL);

  self->set = g_object_ref (set);
  self->servers = servers != NULL ? g_object_ref (servers) : NULL;
  self->set_method = g_strdup (hearth_set_method_to_string (hearth_answer_set_get_method (set)));
  self->set_name = g_strdup (hearth_answer_set_get_name (set));
  self->schedule = g_strdup (hearth_answer_set_get_schedule (set));
  self->candidates = g_ptr_array_new_with_free_func (g_object_unref);
  n = hearth_answer_set_get_n_candidates (set);
  for (guint i = 0; i < n; i++)
    add_candidate (self, hearth_message_item_new_for_reply (hearth_answer_set_get_candidate (set, i)));
  self->message = hearth_message_new ("assistant", "");
  self->message->conversation_id = hearth_answer_set_get_conversation_id (set);
  self->message->set_question = hearth_answer_set_get_question_id (set);
  show_winner (self);
  g_signal_connect_object (set, "decided", G_CALLBACK (on_set_decided), self, 0);
  g_signal_connect_object (set, "notify::winner", G_CALLBACK (on_set_winner), self, 0);
  g_signal_connect_object (set, "finished", G_CALLBACK (on_set_finished), self, 0);
  if (hearth_answer_set_is_finished (set))
    on_set_finished (set, self);
  else if (hearth_answer_set_is_decided (set))
    read_decision (self);
  return self;
}

void
hearth_message_item_add_to_set (HearthMessageItem   *self,
                                const HearthMessage *m)
{
  g_return_if_fail (HEARTH_IS_MESSAGE_ITEM (self));
  g_return_if_fail (self->candidates != NULL);

  if (self->set_method == NULL)
    self->set_method = g_strdup (m->set_method);
  if (self->set_name == NULL)
    self->set_name = g_strdup (m->set_name);
  if (g_strcmp0 (m->set_role, HEARTH_SET_ROLE_JUDGE) == 0)
    {
      g_set_object (&self->judge, NULL);
      self->judge = hearth_message_item_new (m);
      return;
    }
  add_candidate (self, hearth_message_item_new (m));
  if (m->pick >= HEARTH_PICK_AUTO)
    {
      self->winner = self->candidates->len - 1;
      self->picked_by_user = m->pick == HEARTH_PICK_USER;
    }
  if (m->set_reason != NULL)
    hearth_set_str (&self->set_reason, m->set_reason);
  show_winner (self);
}

HearthMessageItem *
hearth_message_item_new_for_stored_set (GPtrArray     *messages,
                                        HearthServers *servers)
{
  HearthMessageItem *self = g_object_new (HEARTH_TYPE_MESSAGE_ITEM, NULL);
  const HearthMessage *first;

  g_return_val_if_fail (messages != NULL && messages->len > 0, NULL);

  first = g_ptr_array_index (messages, 0);
  self->servers = servers != NULL ? g_object_ref (servers) : NULL;
  self->candidates = g_ptr_array_new_with_free_func (g_object_unref);
  self->message = hearth_message_new ("assistant", "");
  self->message->conversation_id = first->conversation_id;
  self->message->set_question = first->set_question;
  for (guint i = 0; i < messages->len; i++)
    hearth_message_item_add_to_set (self, g_ptr_array_index (messages, i));
  show_winner (self);
  return self;
}

gboolean
hearth_message_item_is_set (HearthMessageItem *self)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), FALSE);
  return self->candidates != NULL;
}

/* Side by side (the person keeps one), rather than an ensemble's one reply. */
gboolean
hearth_message_item_is_compare (HearthMessageItem *self)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), FALSE);
  return self->candidates != NULL &&
         g_strcmp0 (self->set_method, hearth_set_method_to_string (HEARTH_SET_COMPARE)) == 0;
}

gint64
hearth_message_item_get_set_question (HearthMessageItem *self)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), 0);
  return self->candidates != NULL ? self->message->set_question : 0;
}

/* Returns: (nullable) (transfer none): the live set, NULL once read back */
HearthAnswerSet *
hearth_message_item_get_set (HearthMessageItem *self)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), NULL);
  return self->set;
}

guint
hearth_message_item_get_n_candidates (HearthMessageItem *self)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), 0);
  return self->candidates != NULL ? self->candidates->len : 0;
}

/* Returns: (transfer none) */
HearthMessageItem *
hearth_message_item_get_candidate (HearthMessageItem *self,
                                   guint              index)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), NULL);
  g_return_val_if_fail (self->candidates != NULL && index < self->candidates->len, NULL);
  return g_ptr_array_index (self->candidates, index);
}

/* Known while the set is live: the history does not keep the schedule. */
gboolean
hearth_message_item_candidate_waited (HearthMessageItem *self,
                                      guint              index)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), FALSE);
  return self->set != NULL && hearth_answer_set_candidate_waited (self->set, index);
}

/* Returns: (nullable) (transfer none) */
HearthMessageItem *
hearth_message_item_get_judge (HearthMessageItem *self)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), NULL);
  return self->judge;
}

const char *
hearth_message_item_get_set_method (HearthMessageItem *self)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), NULL);
  return self->set_method;
}

const char *
hearth_message_item_get_set_name (HearthMessageItem *self)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), NULL);
  return self->set_name;
}

const char *
hearth_message_item_get_set_reason (HearthMessageItem *self)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), NULL);
  return self->set_reason;
}

const char *
hearth_message_item_get_schedule (HearthMessageItem *self)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), NULL);
  return self->schedule;
}

int
hearth_message_item_get_winner (HearthMessageItem *self)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), -1);
  return self->winner;
}

gboolean
hearth_message_item_get_picked_by_user (HearthMessageItem *self)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), FALSE);
  return self->picked_by_user;
}

/* Every request of the set is over (a set read back always is). */
gboolean
hearth_message_item_set_is_done (HearthMessageItem *self)
{
  g_return_val_if_fail (HEARTH_IS_MESSAGE_ITEM (self), TRUE);
  return self->set == NULL || hearth_answer_set_is_finished (self->set);
}

void
hearth_message_item_mark_picked (HearthMessageItem *self,
                                 guint              index)
{
  g_return_if_fail (HEARTH_IS_MESSAGE_ITEM (self));
  g_return_if_fail (self->candidates != NULL && index < self->candidates->len);

  self->winner = index;
  self->picked_by_user = TRUE;
  for (guint i = 0; i < self->candidates->len; i++)
    {
      HearthMessageItem *candidate = g_ptr_array_index (self->candidates, i);

      candidate->message->pick = i == index ? HEARTH_PICK_USER : HEARTH_PICK_NOT;
    }
  show_winner (self);
  g_signal_emit (self, signals[CHANGED], 0);
}
