/* hearth-servers-keys.c — each server's API key, in the Secret Service only
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Nothing here logs a key or writes it anywhere but the keyring.
 */
#define G_LOG_DOMAIN "hearth-servers"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hearth-error.h"
#include "hearth-secrets.h"
#include "hearth-servers-impl.h"

typedef struct
{
  HearthServer *server;
  char         *key;     /* freed with hearth_secrets_free () */
} SetKey;

static void
set_key_free (SetKey *data)
{
  g_clear_object (&data->server);
  g_clear_pointer (&data->key, hearth_secrets_free);
  g_free (data);
}

static HearthServer *
lookup_or_fail (HearthServers *self,
                GTask         *task,
                const char    *name)
{
  HearthServer *server = hearth_servers_lookup (self, name);

  if (server == NULL)
    g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                             _("There is no server called “%s”: see the list with hearth-cli "
                               "servers"),
                             name ? name : "");
  return server;
}

static void
key_written_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SetKey *data = g_task_get_task_data (task);
  GError *error = NULL;
  HearthProvider *provider;

  /* Forgetting a key that was not there is no failure. */
  if (data->key != NULL)
    hearth_secrets_store_finish (result, &error);
  else
    hearth_secrets_delete_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* The next request sends the new key (or none), without a restart. */
  provider = hearth_server_get_provider (data->server);
  if (provider != NULL)
    hearth_provider_set_api_key (provider, data->key);
  g_task_return_boolean (task, TRUE);
}

/**
 * hearth_servers_set_key_async:
 * @key: (nullable): the key, or %NULL or "" to forget it
 */
void
hearth_servers_set_key_async (HearthServers       *self,
                              const char          *name,
                              const char          *key,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;
  HearthServer *server;
  SetKey *data;
  GError *error = NULL;

  g_return_if_fail (HEARTH_IS_SERVERS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_servers_set_key_async);
  if ((server = lookup_or_fail (self, task, name)) == NULL)
    {
      g_object_unref (task);
      return;
    }
  if (key != NULL && *key != '\0' && !hearth_secrets_check_key (key, "The API key", &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  data = g_new0 (SetKey, 1);
  data->server = g_object_ref (server);
  data->key = key != NULL && *key != '\0' ? g_strdup (key) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) set_key_free);
  if (data->key != NULL)
    hearth_secrets_store_async (hearth_server_get_endpoint (server), data->key, cancellable,
                                key_written_cb, task);
  else
    hearth_secrets_delete_async (hearth_server_get_endpoint (server), cancellable,
                                 key_written_cb, task);
}

gboolean
hearth_servers_set_key_finish (HearthServers  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
key_looked_up_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *key = hearth_secrets_lookup_finish (result, &error);

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, key != NULL && *key != '\0');
  hearth_secrets_free (key);
}

void
hearth_servers_has_key_async (HearthServers       *self,
                              const char          *name,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;
  HearthServer *server;

  g_return_if_fail (HEARTH_IS_SERVERS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_servers_has_key_async);
  if ((server = lookup_or_fail (self, task, name)) == NULL)
    {
      g_object_unref (task);
      return;
    }
  hearth_secrets_lookup_async (hearth_server_get_endpoint (server), cancellable,
                               key_looked_up_cb, task);
}

/* Returns: whether the keyring holds a key for it; FALSE with an error
 * when the keyring could not be asked */
gboolean
hearth_servers_has_key_finish (HearthServers  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* A server's address changed: its key goes with it (looked up under the
 * old address, stored under the new, then removed from the old). */

typedef struct
{
  HearthServer *server;
  char         *from;
  char         *to;
  char         *key;
} MoveKey;

static void
move_key_free (MoveKey *move)
{
  g_clear_object (&move->server);
  g_free (move->from);
  g_free (move->to);
  g_clear_pointer (&move->key, hearth_secrets_free);
  g_free (move);
}

static void
old_key_deleted_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  MoveKey *move = user_data;
  g_autoptr(GError) error = NULL;

  if (!hearth_secrets_delete_finish (result, &error) && error != NULL)
    g_debug ("The key of %s stays there too: %s", move->from, error->message);
  move_key_free (move);
}

static void
new_key_stored_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  MoveKey *move = user_data;
  g_autoptr(GError) error = NULL;
  HearthProvider *provider;

  if (!hearth_secrets_store_finish (result, &error))
    {
      /* Kept where it was: nothing lost. */
      g_message ("The API key was not moved to %s: %s", move->to, error->message);
      move_key_free (move);
      return;
    }
  /* The provider at the new address may have looked already. */
  if ((provider = hearth_server_get_provider (move->server)) != NULL &&
      g_strcmp0 (hearth_provider_get_endpoint (provider), move->to) == 0)
    hearth_provider_set_api_key (provider, move->key);
  hearth_secrets_delete_async (move->from, NULL, old_key_deleted_cb, move);
}

static void
old_key_found_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  MoveKey *move = user_data;
  g_autoptr(GError) error = NULL;

  move->key = hearth_secrets_lookup_finish (result, &error);
  if (move->key == NULL)
    {
      if (error != NULL)
        g_debug ("No key moved from %s: %s", move->from, error->message);
      move_key_free (move);
      return;
    }
  hearth_secrets_store_async (move->to, move->key, NULL, new_key_stored_cb, move);
}

void
_hearth_servers_move_key (HearthServers *self,
                          HearthServer  *server,
                          const char    *from,
                          const char    *to)
{
  MoveKey *move;

  if (g_strcmp0 (from, to) == 0)
    return;
  move = g_new0 (MoveKey, 1);
  move->server = g_object_ref (server);
  move->from = g_strdup (from);
  move->to = g_strdup (to);
  hearth_secrets_lookup_async (from, NULL, old_key_found_cb, move);
}
