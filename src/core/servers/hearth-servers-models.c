/* hearth-servers-models.c — the models of every server, and the next
 * server of the fallback chain that has the model
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-servers"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hearth-error.h"
#include "hearth-servers-impl.h"

/* How old a server's list may be when looking for a fallback. */
#define FALLBACK_MODELS_AGE_MS 60000

void
_hearth_models_cache_free (HearthModelsCache *cache)
{
  g_ptr_array_unref (cache->models);
  g_free (cache);
}

void
_hearth_servers_cache_models (HearthServers *self,
                              HearthServer  *server,
                              GPtrArray     *models)
{
  HearthModelsCache *cache;

  if (self->models == NULL || !g_ptr_array_find (self->servers, server, NULL))
    return;
  cache = g_new0 (HearthModelsCache, 1);
  cache->models = g_ptr_array_ref (models);
  cache->time_us = g_get_monotonic_time ();
  g_hash_table_replace (self->models, server, cache);
}

void
hearth_server_models_free (HearthServerModels *models)
{
  if (models == NULL)
    return;
  g_clear_object (&models->server);
  g_clear_pointer (&models->models, g_ptr_array_unref);
  g_clear_error (&models->error);
  g_free (models);
}

/* Every server's models, asked at once */

typedef struct
{
  GPtrArray *results;    /* HearthServerModels, in the list's order */
  guint      pending;
} ListAll;

static void
list_all_free (ListAll *all)
{
  g_ptr_array_unref (all->results);
  g_free (all);
}

typedef struct
{
  GTask              *task;
  HearthServerModels *entry;
} ListOne;

static void
listed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ListOne *one = user_data;
  g_autoptr(GTask) task = one->task;
  HearthServers *self = g_task_get_source_object (task);
  ListAll *all = g_task_get_task_data (task);

  one->entry->models = hearth_provider_list_models_finish (HEARTH_PROVIDER (object), result,
                                                           &one->entry->error);
  if (one->entry->models != NULL)
    _hearth_servers_cache_models (self, one->entry->server, one->entry->models);
  g_free (one);
  if (--all->pending == 0)
    g_task_return_pointer (task, g_ptr_array_ref (all->results), (GDestroyNotify) g_ptr_array_unref);
}

/**
 * hearth_servers_list_models_async:
 * @include_disabled: ask the disabled servers too
 *
 * A server that fails has its error in its entry; the whole never fails
 * (but for cancellation).
 */
void
hearth_servers_list_models_async (HearthServers       *self,
                                  gboolean             include_disabled,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ListAll *all = g_new0 (ListAll, 1);

  g_return_if_fail (HEARTH_IS_SERVERS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_servers_list_models_async);
  all->results = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_server_models_free);
  g_task_set_task_data (task, all, (GDestroyNotify) list_all_free);
  for (guint i = 0; i < self->servers->len; i++)
    {
      HearthServer *server = g_ptr_array_index (self->servers, i);
      HearthServerModels *entry;

      if (!include_disabled && !hearth_server_get_enabled (server))
        continue;
      entry = g_new0 (HearthServerModels, 1);
      entry->server = g_object_ref (server);
      g_ptr_array_add (all->results, entry);
    }
  all->pending = all->results->len;
  if (all->pending == 0)
    {
      g_task_return_pointer (task, g_ptr_array_ref (all->results), (GDestroyNotify) g_ptr_array_unref);
      return;
    }
  for (guint i = 0; i < all->results->len; i++)
    {
      HearthServerModels *entry = g_ptr_array_index (all->results, i);
      HearthProvider *provider = hearth_server_get_provider (entry->server);
      ListOne *one = g_new0 (ListOne, 1);

      one->task = g_object_ref (task);
      one->entry = entry;
      if (provider == NULL)
        {
          g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_CANCELLED,
                                   _("Hearth is closing"));
          g_object_unref (one->task);
          g_free (one);
          return;
        }
      hearth_provider_list_models_async (provider, cancellable, listed_cb, one);
    }
}

/* Returns: (transfer full) (element-type HearthServerModels) */
GPtrArray *
hearth_servers_list_models_finish (HearthServers  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* One server's models, from the cache when young enough */

static void
got_models_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HearthServers *self = g_task_get_source_object (task);
  GError *error = NULL;
  GPtrArray *models = hearth_provider_list_models_finish (HEARTH_PROVIDER (object), result, &error);

  if (models == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _hearth_servers_cache_models (self, g_task_get_task_data (task), models);
  g_task_return_pointer (task, models, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * _hearth_servers_get_models_async:
 * @max_age_ms: how old the server's list may be (0: ask it now)
 */
void
_hearth_servers_get_models_async (HearthServers       *self,
                                  HearthServer        *server,
                                  gint64               max_age_ms,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;
  HearthModelsCache *cache;
  HearthProvider *provider;

  g_return_if_fail (HEARTH_IS_SERVERS (self));
  g_return_if_fail (HEARTH_IS_SERVER (server));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, _hearth_servers_get_models_async);
  g_task_set_task_data (task, g_object_ref (server), g_object_unref);
  cache = self->models != NULL ? g_hash_table_lookup (self->models, server) : NULL;
  if (cache != NULL && max_age_ms > 0 &&
      g_get_monotonic_time () - cache->time_us <= max_age_ms * 1000)
    {
      g_task_return_pointer (task, g_ptr_array_ref (cache->models), (GDestroyNotify) g_ptr_array_unref);
      g_object_unref (task);
      return;
    }
  provider = hearth_server_get_provider (server);
  if (provider == NULL)
    {
      g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_CANCELLED, _("Hearth is closing"));
      g_object_unref (task);
      return;
    }
  hearth_provider_list_models_async (provider, cancellable, got_models_cb, task);
}

/* Returns: (transfer full) (element-type HearthModelInfo): a reference to
 * a list others may hold too: read it, do not change it */
GPtrArray *
_hearth_servers_get_models_finish (HearthServers  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The next server of the fallback chain */

void
_hearth_server_candidate_free (HearthServerCandidate *candidate)
{
  if (candidate == NULL)
    return;
  g_clear_object (&candidate->server);
  g_free (candidate->model);
  g_free (candidate);
}

typedef struct
{
  char       *model;
  GPtrArray  *tried;     /* nullable */
  char      **chain;
  guint       next;
  HearthServer *server;  /* being asked */
} NextFallback;

static void
next_fallback_free (NextFallback *next)
{
  g_free (next->model);
  g_clear_pointer (&next->tried, g_ptr_array_unref);
  g_strfreev (next->chain);
  g_clear_object (&next->server);
  g_free (next);
}

/* @name, or what the server calls it ("tiny" is "tiny:latest" to Ollama),
 * when @models has it. */
static gboolean
lists_model (HearthServer *server,
             GPtrArray    *models,
             const char   *name)
{
  HearthProvider *provider = hearth_server_get_provider (server);
  g_autofree char *canonical = NULL;

  if (name == NULL || *name == '\0')
    return FALSE;
  canonical = provider ? hearth_provider_canonical_model_name (provider, name) : NULL;
  return hearth_model_info_find (models, name) != NULL ||
         (canonical != NULL && hearth_model_info_find (models, canonical) != NULL);
}

static void try_next (GTask *task);

static void
candidate_models_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HearthServers *self = g_task_get_source_object (task);
  NextFallback *next = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = _hearth_servers_get_models_finish (self, result, &error);
  const char *substitute = hearth_servers_get_substitute (self, next->model);
  HearthServerCandidate *candidate;
  const char *model = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (models == NULL)
    {
      /* Unreachable now: one more failure for its breaker; on to the next. */
      g_debug ("Fallback: %s skipped: %s", hearth_server_get_name (next->server), error->message);
      _hearth_server_record_failure (next->server, error);
      try_next (g_steal_pointer (&task));
      return;
    }
  if (lists_model (next->server, models, next->model))
    model = next->model;
  else if (lists_model (next->server, models, substitute))
    model = substitute;
  if (model == NULL)
    {
      try_next (g_steal_pointer (&task));
      return;
    }
  candidate = g_new0 (HearthServerCandidate, 1);
  candidate->server = g_object_ref (next->server);
  candidate->model = g_strdup (model);
  g_task_return_pointer (task, candidate, (GDestroyNotify) _hearth_server_candidate_free);
}

static void
try_next (GTask *task)
{
  HearthServers *self = g_task_get_source_object (task);
  NextFallback *next = g_task_get_task_data (task);

  g_clear_object (&next->server);
  while (next->chain[next->next] != NULL)
    {
      HearthServer *server = hearth_servers_lookup (self, next->chain[next->next++]);

      if (server == NULL || !hearth_server_is_available (server) ||
          (next->tried != NULL && g_ptr_array_find (next->tried, server, NULL)))
        continue;
      next->server = g_object_ref (server);
      _hearth_servers_get_models_async (self, server, FALLBACK_MODELS_AGE_MS,
                                        g_task_get_cancellable (task), candidate_models_cb, task);
      return;
    }
  g_task_return_pointer (task, NULL, NULL);
  g_object_unref (task);
}

/**
 * _hearth_servers_next_fallback_async:
 * @model: the model the request asked for
 * @tried: (element-type HearthServer) (nullable): the servers already tried
 */
void
_hearth_servers_next_fallback_async (HearthServers       *self,
                                     const char          *model,
                                     GPtrArray           *tried,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;
  NextFallback *next = g_new0 (NextFallback, 1);

  g_return_if_fail (HEARTH_IS_SERVERS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, _hearth_servers_next_fallback_async);
  next->model = g_strdup (model);
  next->tried = tried ? g_ptr_array_ref (tried) : NULL;
  next->chain = g_strdupv (self->fallback);
  g_task_set_task_data (task, next, (GDestroyNotify) next_fallback_free);
  try_next (task);
}

/* Returns: (transfer full) (nullable): the next server and the model to
 * ask there, or NULL (no error) when no server of the chain can take it */
HearthServerCandidate *
_hearth_servers_next_fallback_finish (HearthServers  *self,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
