/* hearth-engine-route.c — a chat through the user's servers: the model
 * "auto" picks, the request's server (or the default), a server whose
 * breaker is open skipped, and a request that cannot start there sent on
 * along the fallback chain
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the user sees: the reply (and the stored message) says which server
 * answered and why another did not (hearth_reply_describe_route ()). A
 * failure after the first token is never retried elsewhere: the text that
 * came stays, and the reply fails as it did with one server.
 */
#define G_LOG_DOMAIN "hearth-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hearth-engine-chat-private.h"
#include "hearth-error.h"
#include "hearth-reply-private.h"
#include "hearth-routes.h"
#include "hearth-servers-private.h"

/* The reasons a reply gives (the vocabulary of hearth-servers.h). */
#define REASON_DOWN          "down"
#define REASON_SERVER_ERROR  "server error"
#define REASON_MODEL_MISSING "model missing"
#define REASON_SKIPPED       "skipped (down)"

struct _ChatRoute
{
  GError           *error;         /* no server to start on: the reply fails with it */
  guint             fail_source;
  gboolean          is_auto;
  HearthRunOptions *own_options;   /* the request's own, before any server's tuning */
  GPtrArray        *tried;         /* HearthServer */
  char             *wanted_model;  /* the model asked for on the first server */
  char             *first;         /* the server the request was meant for */
  const char       *first_reason;
  GError           *first_error;   /* why it did not answer there */
  gboolean          answered;      /* the server's success is recorded */
  gboolean          last_resort;   /* a skipped server asked after all: nothing else could */
};

gboolean
_hearth_chat_route_is_auto (const char *model)
{
  return g_strcmp0 (model, HEARTH_MODEL_AUTO) == 0;
}

void
_hearth_chat_route_free (ChatRoute *route)
{
  g_clear_handle_id (&route->fail_source, g_source_remove);
  g_clear_error (&route->error);
  g_clear_pointer (&route->own_options, hearth_run_options_free);
  g_clear_pointer (&route->tried, g_ptr_array_unref);
  g_free (route->wanted_model);
  g_free (route->first);
  g_clear_error (&route->first_error);
  g_free (route);
}

/* @name's provider (NULL: the default server), with the one rule of
 * hearth_engine_resolve_server () and its sentences for an unknown or
 * disabled server. */
static HearthProvider *
resolve_server (HearthEngine  *engine,
                const char    *name,
                HearthServer **server,
                GError       **error)
{
  HearthServers *servers = hearth_engine_get_servers (engine);
  HearthProvider *provider = hearth_engine_resolve_server (engine, name, NULL, NULL, error);

  *server = NULL;
  if (provider == NULL)
    return NULL;
  if (name != NULL && *name != '\0')
    *server = hearth_servers_lookup (servers, name);
  else
    *server = hearth_servers_find_endpoint (servers, hearth_provider_get_api (provider),
                                            hearth_provider_get_endpoint (provider));
  return provider;
}

ChatRoute *
_hearth_chat_route_new (HearthEngine       *engine,
                        HearthChatRequest  *request,
                        HearthProvider    **provider,
                        HearthServer      **server)
{
  ChatRoute *route = g_new0 (ChatRoute, 1);

  route->tried = g_ptr_array_new_with_free_func (g_object_unref);
  route->is_auto = _hearth_chat_route_is_auto (request->model);
  if (request->options != NULL)
    route->own_options = hearth_run_options_copy (request->options);
  *provider = resolve_server (engine, request->server, server, &route->error);
  return route;
}

/* The model's options on the server asked now: the request's own, then
 * what tuning resolves for that model and that server's API. */
static void
apply_options (ChatJob *job)
{
  ChatRoute *route = job->route;

  g_clear_pointer (&job->request->options, hearth_run_options_free);
  if (route->own_options != NULL)
    job->request->options = hearth_run_options_copy (route->own_options);
  _hearth_engine_tuning_apply (job->engine, job->provider, job->request, job->reply);
}

static void
set_model (ChatJob    *job,
           const char *model)
{
  char *canonical = hearth_provider_canonical_model_name (job->provider, model);

  g_free (job->request->model);
  job->request->model = canonical;
  hearth_reply_set_model (job->reply, canonical);
  apply_options (job);
}

static gboolean
fail_later_cb (gpointer user_data)
{
  ChatJob *job = user_data;

  job->route->fail_source = 0;
  hearth_reply_fail (job->reply, job->route->error);
  return G_SOURCE_REMOVE;
}

/* Why the request may go elsewhere, or NULL when it fails here as it
 * would with one server (a refused key, a rate limit, a bad request, a
 * cancel, a stream that broke). */
static const char *
fallback_reason (const GError *error)
{
  if (hearth_error_is_cancelled (error))
    return NULL;
  if (hearth_error_is_unreachable (error) ||
      g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_TIMEOUT))
    return REASON_DOWN;
  if (g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND))
    return REASON_MODEL_MISSING;
  if (g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_SERVER_BUSY) ||
      (g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_SERVER_ERROR) && !hearth_error_is_client_error (error)))
    return REASON_SERVER_ERROR;
  return NULL;
}

/* No other server can take it: the error of the server it was meant for,
 * saying that the chain was tried when there is one. */
static void
fail_exhausted (ChatJob *job)
{
  ChatRoute *route = job->route;
  HearthServers *servers = hearth_engine_get_servers (job->engine);
  g_auto(GStrv) chain = hearth_servers_get_fallback (servers);
  g_autoptr(GError) error = g_error_copy (route->first_error);

  if (chain != NULL && chain[0] != NULL)
    {
      char *message;

      if (route->wanted_model != NULL)
        /* Translators: why the first server failed (a sentence), then the
         * model's name */
        message = g_strdup_printf (_("%s; fallback found no other server that is up and has "
                                     "%s"), error->message, route->wanted_model);
      else
        /* Translators: %s is why the first server failed (a sentence) */
        message = g_strdup_printf (_("%s; fallback found no other server that is up and has "
                                     "the model"), error->message);

      g_free (error->message);
      error->message = message;
    }
  hearth_reply_fail (job->reply, error);
}

static void
next_fallback_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ChatJob *job = user_data;
  ChatRoute *route = job->route;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthServerCandidate) candidate = NULL;
  HearthProvider *provider;

  candidate = _hearth_servers_next_fallback_finish (HEARTH_SERVERS (object), result, &error);
  if (g_cancellable_is_cancelled (hearth_reply_get_cancellable (job->reply)))
    {
      g_autoptr(GError) cancelled = g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_CANCELLED,
                                                         _("Cancelled"));

      hearth_reply_fail (job->reply, cancelled);
      return;
    }
  provider = candidate ? hearth_server_get_provider (candidate->server) : NULL;
  if (provider == NULL && g_strcmp0 (route->first_reason, REASON_SKIPPED) == 0 &&
      route->tried->len == 1)
    {
      /* Skipped, and no other server can take it: waiting on it is better
       * than failing without asking (job->server is still that one). */
      route->last_resort = TRUE;
      _hearth_chat_job_send (job);
      return;
    }
  if (provider == NULL)
    {
      if (error != NULL)
        g_debug ("No fallback for %s: %s", route->first, error->message);
      fail_exhausted (job);
      return;
    }

  g_debug ("%s: %s (%s), asking %s for %s", route->first, route->first_reason,
           route->first_error->message, hearth_server_get_name (candidate->server),
           candidate->model);
  /* Before the model changes: the reply remembers the model it wanted. */
  hearth_reply_set_fallback (job->reply, route->first, route->first_reason);
  _hearth_chat_job_set_provider (job, provider, candidate->server);
  set_model (job, candidate->model);
  _hearth_chat_job_send (job);
}

/* The name the substitutes know @model by: "tiny" and "tiny:latest" are
 * one model to Ollama, and the user may have written either. */
static char *
substitutes_name (HearthServers *servers,
                  const char    *model)
{
  if (model != NULL && hearth_servers_get_substitute (servers, model) == NULL &&
      g_str_has_suffix (model, ":latest"))
    {
      g_autofree char *bare = g_strndup (model, strlen (model) - strlen (":latest"));

      if (hearth_servers_get_substitute (servers, bare) != NULL)
        return g_steal_pointer (&bare);
    }
  return g_strdup (model);
}

/* The request does not start on job->server: on to the next server of
 * the chain that is up and has the model (or its substitute). */
static void
fall_back (ChatJob      *job,
           const GError *error,
           const char   *reason)
{
  ChatRoute *route = job->route;
  HearthServers *servers = hearth_engine_get_servers (job->engine);
  g_autofree char *model = substitutes_name (servers, route->wanted_model);

  /* The next server is waited for in its own queue. */
  _hearth_chat_job_leave_queue (job);
  g_ptr_array_add (route->tried, g_object_ref (job->server));
  if (route->first == NULL)
    {
      route->first = g_strdup (hearth_server_get_name (job->server));
      route->first_reason = reason;
      route->first_error = g_error_copy (error);
    }
  _hearth_servers_next_fallback_async (servers, model, route->tried,
                                       hearth_reply_get_cancellable (job->reply),
                                       next_fallback_cb, job);
}

void
_hearth_chat_route_start_failed (HearthReply  *reply,
                                 const GError *error,
                                 gpointer      user_data)
{
  ChatJob *job = user_data;
  const char *reason = fallback_reason (error);

  if (job->server != NULL && !hearth_error_is_cancelled (error))
    _hearth_server_record_failure (job->server, error);
  if (reason == NULL || job->server == NULL || job->request->no_fallback ||
      job->route->last_resort)
    {
      hearth_reply_fail (reply, error);
      return;
    }
  fall_back (job, error, reason);
}

/* The first server asked: straight to the fallback when its breaker is
 * open (no connection is tried: it failed too often and no probe has
 * found it back yet). With no_fallback, it is asked all the same: that
 * server or nothing. */
static void
send_first (ChatJob *job)
{
  ChatRoute *route = job->route;

  hearth_set_str (&route->wanted_model, job->request->model);
  if (job->server != NULL && !job->request->no_fallback &&
      hearth_server_get_breaker_open (job->server))
    {
      g_autoptr(GError) error = NULL;

      error = g_error_new (HEARTH_ERROR, HEARTH_ERROR_CONNECTION_REFUSED,
                           _("The server “%s” is skipped after %u failures in a row (%s): "
                             "Hearth asks it again once a check finds it answering"),
                           hearth_server_get_name (job->server),
                           hearth_server_get_failures (job->server),
                           hearth_server_get_last_error (job->server)
                           ? hearth_server_get_last_error (job->server) : "no answer");
      fall_back (job, error, REASON_SKIPPED);
      return;
    }
  _hearth_chat_job_send (job);
}

static void
route_chosen_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ChatJob *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthRouteChoice) choice = NULL;

  choice = hearth_routes_choose_finish (HEARTH_ROUTES (object), result, &error);
  if (choice == NULL)
    {
      hearth_reply_fail (job->reply, error);
      return;
    }
  hearth_reply_set_route_rule (job->reply, choice->explanation);
  /* A rule may name the server; else the request's (or the default). */
  if (choice->server != NULL && *choice->server != '\0')
    {
      HearthServer *server = NULL;
      HearthProvider *provider = resolve_server (job->engine, choice->server, &server, &error);

      if (provider == NULL)
        {
          hearth_reply_fail (job->reply, error);
          return;
        }
      _hearth_chat_job_set_provider (job, provider, server);
    }
  set_model (job, choice->model);
  send_first (job);
}

void
_hearth_chat_route_begin (ChatJob *job)
{
  ChatRoute *route = job->route;

  /* An unknown or disabled server: the question is stored, the reply says
   * why nothing answered (from the main loop, as any other failure). */
  if (route->error != NULL)
    {
      route->fail_source = g_idle_add (fail_later_cb, job);
      return;
    }
  if (route->is_auto)
    {
      guint earlier = job->request->messages->len > 0 ? job->request->messages->len - 1 : 0;

      hearth_routes_choose_async (hearth_engine_get_routes (job->engine), job->request, earlier,
                                  hearth_reply_get_cancellable (job->reply), route_chosen_cb, job);
      return;
    }
  send_first (job);
}

/* The request started on job->server (text came, or a whole answer): the
 * server is up, its breaker closes, with the time its headers took. */
void
_hearth_chat_route_answered (ChatJob *job)
{
  if (job->route == NULL || job->route->answered || job->server == NULL)
    return;
  job->route->answered = TRUE;
  _hearth_server_record_success (job->server, hearth_reply_get_headers_ms (job->reply));
}
