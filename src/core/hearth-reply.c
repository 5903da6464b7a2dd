/* hearth-reply.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-reply"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hearth-error.h"
#include "hearth-reply-private.h"

struct _HearthReply
{
  GObject              parent_instance;

  GString             *content;
  GString             *thinking;
  GString             *pending_content;
  GString             *pending_thinking;
  char                *model;
  char                *endpoint;
  char                *server_name;
  char                *fallback_from;
  char                *fallback_reason;
  char                *fallback_model;
  char                *route_rule;
  char                *done_reason;
  GError              *error;
  GError              *save_error;
  GCancellable        *cancellable;
  HearthApiKind        api;
  HearthReplyState     state;
  HearthFigures        figures;
  HearthServerFigures  server;
  gint64               conversation_id;
  gint64               message_id;
  gint64               question_id;
  gint64               first_sent_us;   /* the first attempt on any server */
  gint64               sent_us;         /* the attempt on the server that answers */
  gint64               headers_us;
  gint64               first_token_us;
  gint64               last_token_us;
  gint64               finished_us;
  guint64              n_deltas;
  guint                attempts;
  gboolean             cached;
  HearthRunOptions    *options;
  double               time_saved_ms;
  guint                queue_ahead;     /* requests before it in the server's queue */
};

enum {
  PROP_0,
  PROP_STATE,
  PROP_MODEL,
  PROP_SAVE_ERROR,
  PROP_SERVER,
  PROP_FALLBACK_FROM,
  PROP_FALLBACK_REASON,
  PROP_ROUTE_RULE,
  PROP_QUEUE_AHEAD,
  N_PROPS
};

enum {
  DELTA,
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HearthReply, hearth_reply, G_TYPE_OBJECT)

GType
hearth_reply_state_get_type (void)
{
  static gsize type_id;
  static const GEnumValue values[] = {
    { HEARTH_REPLY_WAITING, "HEARTH_REPLY_WAITING", "waiting" },
    { HEARTH_REPLY_STREAMING, "HEARTH_REPLY_STREAMING", "streaming" },
    { HEARTH_REPLY_DONE, "HEARTH_REPLY_DONE", "done" },
    { HEARTH_REPLY_FAILED, "HEARTH_REPLY_FAILED", "failed" },
    { HEARTH_REPLY_CANCELLED, "HEARTH_REPLY_CANCELLED", "cancelled" },
    { 0, NULL, NULL }
  };

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id, g_enum_register_static ("HearthReplyState", values));
  return type_id;
}

static void
hearth_reply_finalize (GObject *object)
{
  HearthReply *self = (HearthReply *)object;

  g_string_free (self->content, TRUE);
  g_string_free (self->thinking, TRUE);
  g_string_free (self->pending_content, TRUE);
  g_string_free (self->pending_thinking, TRUE);
  g_free (self->model);
  g_free (self->endpoint);
  g_free (self->server_name);
  g_free (self->fallback_from);
  g_free (self->fallback_reason);
  g_free (self->fallback_model);
  g_free (self->route_rule);
  g_free (self->done_reason);
  hearth_run_options_free (self->options);
  g_clear_error (&self->error);
  g_clear_error (&self->save_error);
  g_clear_object (&self->cancellable);
  hearth_server_figures_clear (&self->server);

  G_OBJECT_CLASS (hearth_reply_parent_class)->finalize (object);
}

static void
hearth_reply_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  HearthReply *self = HEARTH_REPLY (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;
    case PROP_SAVE_ERROR:
      g_value_set_boxed (value, self->save_error);
      break;
    case PROP_SERVER:
      g_value_set_string (value, self->server_name);
      break;
    case PROP_FALLBACK_FROM:
      g_value_set_string (value, self->fallback_from);
      break;
    case PROP_FALLBACK_REASON:
      g_value_set_string (value, self->fallback_reason);
      break;
    case PROP_ROUTE_RULE:
      g_value_set_string (value, self->route_rule);
      break;
    case PROP_QUEUE_AHEAD:
      g_value_set_uint (value, self->queue_ahead);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hearth_reply_class_init (HearthReplyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hearth_reply_finalize;
  object_class->get_property = hearth_reply_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       HEARTH_TYPE_REPLY_STATE, HEARTH_REPLY_WAITING,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_MODEL] =
    g_param_spec_string ("model", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* Why the history does not hold the reply (yet): the text stays here
   * until a save works. */
  properties[PROP_SAVE_ERROR] =
    g_param_spec_boxed ("save-error", NULL, NULL, G_TYPE_ERROR,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* Where it is answered: these change when the request falls back. */
  properties[PROP_SERVER] =
    g_param_spec_string ("server", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_FALLBACK_FROM] =
    g_param_spec_string ("fallback-from", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_FALLBACK_REASON] =
    g_param_spec_string ("fallback-reason", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ROUTE_RULE] =
    g_param_spec_string ("route-rule", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* While it waits in the server's queue: how many go before it. */
  properties[PROP_QUEUE_AHEAD] =
    g_param_spec_uint ("queue-ahead", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* One emission per batch of text (one network read), not per token. */
  signals[DELTA] =
    g_signal_new ("delta",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[FINISHED] =
    g_signal_new ("finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
hearth_reply_init (HearthReply *self)
{
  self->content = g_string_new (NULL);
  self->thinking = g_string_new (NULL);
  self->pending_content = g_string_new (NULL);
  self->pending_thinking = g_string_new (NULL);
  self->cancellable = g_cancellable_new ();
  self->conversation_id = -1;
  self->message_id = -1;
  self->question_id = -1;
  hearth_figures_init (&self->figures);
  hearth_server_figures_init (&self->server);
}

HearthReply *
hearth_reply_new (const char    *endpoint,
                  HearthApiKind  api)
{
  HearthReply *self = g_object_new (HEARTH_TYPE_REPLY, NULL);

  self->endpoint = g_strdup (endpoint);
  self->api = api;
  return self;
}

static void
set_state (HearthReply      *self,
           HearthReplyState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
hearth_reply_set_model (HearthReply *self,
                        const char  *model)
{
  g_return_if_fail (HEARTH_IS_REPLY (self));

  if (hearth_set_str (&self->model, model))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

/* Where the request goes now. Called again when it falls back: the
 * attempt's timings restart, so the time to the first token (and the
 * speeds) are those of the server that answered; the total time still
 * counts from the first send on any server (what the user waited). */
void
hearth_reply_set_server (HearthReply   *self,
                         const char    *server,
                         const char    *endpoint,
                         HearthApiKind  api)
{
  g_return_if_fail (HEARTH_IS_REPLY (self));
  g_return_if_fail (!hearth_reply_is_finished (self));

  hearth_set_str (&self->endpoint, endpoint);
  self->api = api;
  self->sent_us = 0;
  self->headers_us = 0;
  if (hearth_set_str (&self->server_name, server))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER]);
}

/* The first server the request was meant for and why it did not answer
 * there; a second fallback keeps the first's (the user asked for that
 * one). Call it before setting the substitute model: the model asked for
 * is remembered for "had no …". */
void
hearth_reply_set_fallback (HearthReply *self,
                           const char  *from,
                           const char  *reason)
{
  g_return_if_fail (HEARTH_IS_REPLY (self));

  if (self->fallback_from != NULL && from != NULL)
    return;
  if (from != NULL)
    hearth_set_str (&self->fallback_model, self->model);
  if (hearth_set_str (&self->fallback_from, from))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FALLBACK_FROM]);
  if (hearth_set_str (&self->fallback_reason, reason))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FALLBACK_REASON]);
}

void
hearth_reply_set_route_rule (HearthReply *self,
                             const char  *rule)
{
  g_return_if_fail (HEARTH_IS_REPLY (self));

  if (hearth_set_str (&self->route_rule, rule))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROUTE_RULE]);
}

void
hearth_reply_set_ids (HearthReply *self,
                      gint64       conversation_id,
                      gint64       question_id,
                      gint64       message_id)
{
  self->conversation_id = conversation_id;
  self->question_id = question_id;
  self->message_id = message_id;
}

void
hearth_reply_mark_sent (HearthReply *self)
{
  if (self->sent_us == 0)
    self->sent_us = g_get_monotonic_time ();
  if (self->first_sent_us == 0)
    self->first_sent_us = self->sent_us;
}

void
hearth_reply_mark_headers (HearthReply *self)
{
  self->headers_us = g_get_monotonic_time ();
}

void
hearth_reply_add_attempt (HearthReply *self)
{
  self->attempts++;
}

void
hearth_reply_append (HearthReply *self,
                     const char  *content,
                     const char  *thinking)
{
  gint64 now;

  g_return_if_fail (HEARTH_IS_REPLY (self));

  if ((content == NULL || *content == '\0') && (thinking == NULL || *thinking == '\0'))
    return;

  now = g_get_monotonic_time ();
  if (self->first_token_us == 0)
    self->first_token_us = now;
  self->last_token_us = now;
  self->n_deltas++;

  if (content != NULL)
    g_string_append (self->pending_content, content);
  if (thinking != NULL)
    g_string_append (self->pending_thinking, thinking);
  set_state (self, HEARTH_REPLY_STREAMING);
}

void
hearth_reply_flush (HearthReply *self)
{
  g_return_if_fail (HEARTH_IS_REPLY (self));

  if (self->pending_content->len == 0 && self->pending_thinking->len == 0)
    return;

  g_string_append_len (self->content, self->pending_content->str, self->pending_content->len);
  g_string_append_len (self->thinking, self->pending_thinking->str, self->pending_thinking->len);
  g_signal_emit (self, signals[DELTA], 0,
                 self->pending_content->len ? self->pending_content->str : NULL,
                 self->pending_thinking->len ? self->pending_thinking->str : NULL);
  g_string_truncate (self->pending_content, 0);
  g_string_truncate (self->pending_thinking, 0);
}

gboolean
hearth_reply_has_text (HearthReply *self)
{
  return self->n_deltas > 0;
}

static double
us_to_ms (gint64 from,
          gint64 to)
{
  if (from == 0 || to == 0 || to < from)
    return -1;
  return (to - from) / 1000.0;
}

/* A speed measured by the client needs a few pieces spread over some time:
 * pieces that came in one read carry one arrival time, and three of them
 * 3.5 µs apart are not 571,428 tokens/s. Below this, no speed is shown. */
#define MIN_CLIENT_INTERVALS 3
#define MIN_CLIENT_DECODE_S  0.1

/* The seconds from the first piece of text to the last. */
static double
decode_window_s (HearthReply *self)
{
  return (self->last_token_us - self->first_token_us) / 1e6;
}

/* Whether enough pieces came over enough time to time them. */
static gboolean
arrival_measurable (HearthReply *self)
{
  return self->n_deltas > MIN_CLIENT_INTERVALS && decode_window_s (self) >= MIN_CLIENT_DECODE_S;
}

static void
compute_client_figures (HearthReply *self)
{
  HearthFigures *f = &self->figures;

  /* From the attempt that answered to its first token; the total from the
   * very first send (a fallback's wait included). */
  f->ttft_ms = us_to_ms (self->sent_us, self->first_token_us);
  f->total_ms = us_to_ms (self->first_sent_us, self->finished_us);
  f->tokens_out = self->n_deltas > 0 ? (gint64) self->n_deltas : -1;
  if (arrival_measurable (self))
    f->tokens_per_s = (self->n_deltas - 1) / decode_window_s (self);
}

/* A server that says it generated in less than half the time its tokens
 * took to arrive is not believed (a fault, or a lie): the speed is then
 * its token count over the time they took to come. */
static gboolean
server_time_credible (HearthReply *self,
                      double       server_s)
{
  return !arrival_measurable (self) || server_s >= decode_window_s (self) / 2;
}

static void
use_arrival_time (HearthReply *self,
                  gint64       tokens)
{
  self->figures.tokens_per_s = tokens > 1 ? (tokens - 1) / decode_window_s (self) : -1;
  self->figures.from_server = FALSE;
}

/* Server figures replace the client's where the server gave them. */
static void
apply_server_figures (HearthReply *self)
{
  const HearthServerFigures *s = &self->server;
  HearthFigures *f = &self->figures;

  if (s->prompt_tokens >= 0)
    f->tokens_in = s->prompt_tokens;
  if (s->completion_tokens >= 0)
    f->tokens_out = s->completion_tokens;
  if (s->load_duration_ns >= 0)
    f->load_ms = s->load_duration_ns / 1e6;

  if (s->completion_tokens > 0 && s->eval_duration_ns > 0)
    {
      f->tokens_per_s = s->completion_tokens * 1e9 / s->eval_duration_ns;
      f->from_server = TRUE;
      if (!server_time_credible (self, s->eval_duration_ns / 1e9))
        use_arrival_time (self, s->completion_tokens);
    }
  else if (s->predicted_per_second > 0)
    {
      gint64 tokens = s->completion_tokens > 0 ? s->completion_tokens : (gint64) self->n_deltas;

      f->tokens_per_s = s->predicted_per_second;
      f->from_server = TRUE;
      if (!server_time_credible (self, tokens / s->predicted_per_second))
        use_arrival_time (self, tokens);
    }

  if (s->prompt_tokens > 0 && s->prompt_eval_duration_ns > 0)
    f->prompt_tokens_per_s = s->prompt_tokens * 1e9 / s->prompt_eval_duration_ns;
  else if (s->prompt_per_second > 0)
    f->prompt_tokens_per_s = s->prompt_per_second;
}

static void
finish (HearthReply      *self,
        HearthReplyState  state)
{
  hearth_reply_flush (self);
  self->finished_us = g_get_monotonic_time ();
  if (self->last_token_us == 0)
    self->last_token_us = self->finished_us;
  compute_client_figures (self);
  apply_server_figures (self);
  set_state (self, state);
  g_signal_emit (self, signals[FINISHED], 0);
}

void
hearth_reply_complete (HearthReply               *self,
                       const HearthServerFigures *server)
{
  g_return_if_fail (HEARTH_IS_REPLY (self));
  g_return_if_fail (!hearth_reply_is_finished (self));

  if (server != NULL)
    {
      hearth_server_figures_copy (&self->server, server);
      hearth_set_str (&self->done_reason, server->done_reason);
    }
  if (self->done_reason == NULL)
    self->done_reason = g_strdup ("stop");
  finish (self, HEARTH_REPLY_DONE);
}

/* A remembered answer: its text in one batch, the cache's own time, and how
 * much time not generating it again saved (from the original figures). */
void
hearth_reply_complete_from_cache (HearthReply         *self,
                                  const char          *content,
                                  const char          *thinking,
                                  const char          *model,
                                  const char          *done_reason,
                                  const HearthFigures *figures)
{
  double elapsed_ms;

  g_return_if_fail (HEARTH_IS_REPLY (self));
  g_return_if_fail (!hearth_reply_is_finished (self));

  hearth_reply_mark_sent (self);
  hearth_reply_set_model (self, model);
  hearth_reply_append (self, content, thinking);
  hearth_reply_flush (self);
  hearth_set_str (&self->done_reason, done_reason ? done_reason : "stop");
  self->cached = TRUE;
  self->finished_us = g_get_monotonic_time ();
  elapsed_ms = (self->finished_us - self->first_sent_us) / 1000.0;
  self->time_saved_ms = figures->total_ms > elapsed_ms ? figures->total_ms - elapsed_ms : 0;
  /* Its own figures: how long the cache took and the answer's size. The
   * model did not run, so there is no speed or load time to report. */
  hearth_figures_init (&self->figures);
  self->figures.cached = TRUE;
  self->figures.ttft_ms = elapsed_ms;
  self->figures.total_ms = elapsed_ms;
  self->figures.tokens_in = figures->tokens_in;
  self->figures.tokens_out = figures->tokens_out;
  set_state (self, HEARTH_REPLY_DONE);
  g_signal_emit (self, signals[FINISHED], 0);
}

/* Returns: (nullable): the run options the request went out with */
const HearthRunOptions *
hearth_reply_get_options (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), NULL);
  return self->options;
}

void
hearth_reply_set_options (HearthReply            *self,
                          const HearthRunOptions *options)
{
  g_return_if_fail (HEARTH_IS_REPLY (self));
  hearth_run_options_free (self->options);
  self->options = hearth_run_options_is_empty (options) ? NULL : hearth_run_options_copy (options);
}

gboolean
hearth_reply_get_cached (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), FALSE);
  return self->cached;
}

/* Returns: the generation time a cached answer saved; 0 for a live one */
double
hearth_reply_get_time_saved_ms (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), 0);
  return self->time_saved_ms;
}

void
hearth_reply_fail (HearthReply  *self,
                   const GError *error)
{
  gboolean cancelled;

  g_return_if_fail (HEARTH_IS_REPLY (self));
  g_return_if_fail (error != NULL);

  if (hearth_reply_is_finished (self))
    return;

  cancelled = g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_CANCELLED) ||
              g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  self->error = g_error_copy (error);
  /* A stream that broke says whether any of the reply had come. */
  if (g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_BROKEN_STREAM) ||
      g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_MALFORMED_STREAM))
    {
      g_free (self->error->message);
      self->error->message = g_strdup_printf (hearth_reply_has_text (self)
                                              ? _("%s, after part of the reply had arrived")
                                              : _("%s, before any of the reply arrived"),
                                              error->message);
    }
  hearth_set_str (&self->done_reason, cancelled ? "cancelled" : "error");
  finish (self, cancelled ? HEARTH_REPLY_CANCELLED : HEARTH_REPLY_FAILED);
}

HearthReplyState
hearth_reply_get_state (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), HEARTH_REPLY_FAILED);
  return self->state;
}

gboolean
hearth_reply_is_finished (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), TRUE);
  return self->state >= HEARTH_REPLY_DONE;
}

const char *
hearth_reply_get_content (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), NULL);
  return self->content->str;
}

gsize
hearth_reply_get_content_length (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), 0);
  return self->content->len;
}

gsize
hearth_reply_get_thinking_length (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), 0);
  return self->thinking->len;
}

/**
 * hearth_reply_get_save_error:
 *
 * Returns: (nullable): why the last save of the reply to the history
 *   failed (a full disk, a deleted conversation); %NULL once it is saved
 */
const GError *
hearth_reply_get_save_error (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), NULL);
  return self->save_error;
}

/* The engine's saves report here; @error %NULL once one works. */
void
hearth_reply_set_save_error (HearthReply  *self,
                             const GError *error)
{
  g_return_if_fail (HEARTH_IS_REPLY (self));

  if (error == NULL && self->save_error == NULL)
    return;
  if (error != NULL && self->save_error != NULL &&
      g_error_matches (self->save_error, error->domain, error->code) &&
      g_strcmp0 (self->save_error->message, error->message) == 0)
    return;
  g_clear_error (&self->save_error);
  self->save_error = error ? g_error_copy (error) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVE_ERROR]);
}

const char *
hearth_reply_get_thinking (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), NULL);
  return self->thinking->str;
}

const char *
hearth_reply_get_model (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), NULL);
  return self->model;
}

const char *
hearth_reply_get_endpoint (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), NULL);
  return self->endpoint;
}

const char *
hearth_reply_get_server (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), NULL);
  return self->server_name;
}

const char *
hearth_reply_get_fallback_from (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), NULL);
  return self->fallback_from;
}

const char *
hearth_reply_get_fallback_reason (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), NULL);
  return self->fallback_reason;
}

const char *
hearth_reply_get_route_rule (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), NULL);
  return self->route_rule;
}

/* The milliseconds from the answering attempt's send to the server's
 * headers, or < 0 before they came: what a request teaches the server's
 * health about its latency. */
double
hearth_reply_get_headers_ms (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), -1);
  return us_to_ms (self->sent_us, self->headers_us);
}

/* "answered by big-box because laptop was down": one whole clause per
 * reason, so that no translation is glued from pieces */
static char *
describe_fallback (const char *server,
                   const char *fallback_from,
                   const char *fallback_reason,
                   const char *wanted_model)
{
  if (g_strcmp0 (fallback_reason, "down") == 0)
    /* Translators: the server that answered, then the one that was asked first */
    return g_strdup_printf (_("answered by %s because %s was down"), server, fallback_from);
  if (g_strcmp0 (fallback_reason, "model missing") == 0 &&
      wanted_model != NULL && *wanted_model != '\0')
    /* Translators: the server that answered, the one asked first, and the
     * model that one did not have */
    return g_strdup_printf (_("answered by %s because %s had no %s"), server, fallback_from,
                            wanted_model);
  if (g_strcmp0 (fallback_reason, "model missing") == 0)
    /* Translators: the server that answered, then the one that was asked first */
    return g_strdup_printf (_("answered by %s because %s did not have the model"), server,
                            fallback_from);
  if (g_strcmp0 (fallback_reason, "server error") == 0)
    /* Translators: the server that answered, then the one that was asked first */
    return g_strdup_printf (_("answered by %s because %s failed (server error)"), server,
                            fallback_from);
  if (g_strcmp0 (fallback_reason, "skipped (down)") == 0)
    /* Translators: the server that answered, then the one that was skipped
     * because it was known to be down */
    return g_strdup_printf (_("answered by %s, skipped %s (down)"), server, fallback_from);
  if (fallback_reason != NULL)
    /* Translators: the server that answered, the one asked first, and why
     * (a reason an older version stored, in English) */
    return g_strdup_printf (_("answered by %s instead of %s (%s)"), server, fallback_from,
                            fallback_reason);
  /* Translators: the server that answered, then the one that was asked first */
  return g_strdup_printf (_("answered by %s instead of %s"), server, fallback_from);
}

/**
 * hearth_describe_route:
 * @server: (nullable): the server that answered
 * @fallback_from: (nullable): the one the request was meant for
 * @fallback_reason: (nullable): why it did not answer there
 * @route_rule: (nullable): what chose the model for "auto"
 * @wanted_model: (nullable): the model asked for at @fallback_from
 *
 * Returns: (transfer full) (nullable): "answered by big-box because laptop
 *   was down", "chosen by rule: …", both joined with "; ", or %NULL
 */
char *
hearth_describe_route (const char *server,
                       const char *fallback_from,
                       const char *fallback_reason,
                       const char *route_rule,
                       const char *wanted_model)
{
  GString *text = g_string_new (NULL);

  if (route_rule != NULL && *route_rule != '\0')
    g_string_append_printf (text, _("chosen by rule: %s"), route_rule);
  if (fallback_from != NULL && server != NULL)
    {
      g_autofree char *answered = describe_fallback (server, fallback_from, fallback_reason,
                                                     wanted_model);

      if (text->len > 0)
        g_string_append (text, "; ");
      g_string_append (text, answered);
    }
  if (text->len == 0)
    {
      g_string_free (text, TRUE);
      return NULL;
    }
  return g_string_free (text, FALSE);
}

char *
hearth_reply_describe_route (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), NULL);
  return hearth_describe_route (self->server_name, self->fallback_from, self->fallback_reason,
                                self->route_rule, self->fallback_model);
}

HearthApiKind
hearth_reply_get_api (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), HEARTH_API_OLLAMA);
  return self->api;
}

const char *
hearth_reply_get_done_reason (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), NULL);
  return self->done_reason;
}

const GError *
hearth_reply_get_error (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), NULL);
  return self->error;
}

const HearthFigures *
hearth_reply_get_figures (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), NULL);
  return &self->figures;
}

const HearthServerFigures *
hearth_reply_get_server_figures (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), NULL);
  return &self->server;
}

gint64
hearth_reply_get_conversation_id (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), -1);
  return self->conversation_id;
}

gint64
hearth_reply_get_message_id (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), -1);
  return self->message_id;
}

/* The stored user message this reply answers. */
gint64
hearth_reply_get_question_id (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), -1);
  return self->question_id;
}

guint
hearth_reply_get_attempts (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), 0);
  return self->attempts;
}

/**
 * hearth_reply_get_queue_ahead:
 *
 * Returns: while the reply waits for its turn in the server's queue, how
 *   many requests go before it (“Waiting for 2 requests”); 0 once it is
 *   sent, or when it never waited
 */
guint
hearth_reply_get_queue_ahead (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), 0);
  return self->queue_ahead;
}

void
hearth_reply_set_queue_ahead (HearthReply *self,
                              guint        ahead)
{
  g_return_if_fail (HEARTH_IS_REPLY (self));

  if (self->queue_ahead == ahead)
    return;
  self->queue_ahead = ahead;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUEUE_AHEAD]);
}

GCancellable *
hearth_reply_get_cancellable (HearthReply *self)
{
  g_return_val_if_fail (HEARTH_IS_REPLY (self), NULL);
  return self->cancellable;
}

void
hearth_reply_cancel (HearthReply *self)
{
  g_return_if_fail (HEARTH_IS_REPLY (self));
  g_cancellable_cancel (self->cancellable);
}
