/* hearth-secrets.c — API keys in the Secret Service, never anywhere else
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-secrets"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <libsecret/secret.h>
#include <string.h>

#include "hearth-error.h"
#include "hearth-secrets.h"

/* Nothing in this file logs a key, or an error that could hold one. */

static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    "io.github.hearthapp.Hearth.ApiKey", SECRET_SCHEMA_NONE,
    {
      { "endpoint", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

static gboolean
is_locked_error (const GError *error)
{
  return g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
}

/* libsecret's and D-Bus' errors, as one sentence a person can act on. */
static GError *
map_error (GError       *error,
           GCancellable *cancellable)
{
  g_autoptr(GError) owned = error;

  if (g_cancellable_is_cancelled (cancellable))
    return g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_CANCELLED,
                                _("The keyring request was cancelled"));
  if (is_locked_error (owned))
    return g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_KEYRING_LOCKED,
                                _("The keyring is locked and was not unlocked"));
  /* libsecret's messages name paths and D-Bus errors, never secrets. */
  return g_error_new (HEARTH_ERROR, HEARTH_ERROR_KEYRING_UNAVAILABLE,
                      _("No keyring (Secret Service) could hold the API key (%s)"),
                      owned->message);
}

static char *
make_label (const char *endpoint)
{
  return g_strdup_printf (_("Hearth API key for %s"), endpoint);
}

void
hearth_secrets_free (char *key)
{
  if (key != NULL)
    {
      memset (key, 0, strlen (key));
      g_free (key);
    }
}

/**
 * hearth_secrets_check_key:
 * @key: a key as it was given
 * @origin: where it came from, as the user knows it: "The API key",
 *   "HEARTH_API_KEY", "The API key in the keyring"
 *
 * A key travels in an HTTP header, which cannot carry a line break or any
 * other control character, nor text outside ASCII; such a key is refused
 * where it enters, with a message that never contains the key itself.
 */
gboolean
hearth_secrets_check_key (const char  *key,
                          const char  *origin,
                          GError     **error)
{
  const guchar *p;

  g_return_val_if_fail (origin != NULL, FALSE);

  if (key == NULL || *key == '\0')
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_KEY, _("%s is empty"), origin);
      return FALSE;
    }
  for (p = (const guchar *) key; *p != '\0'; p++)
    {
      const char *what = NULL;

      if (*p == '\r' || *p == '\n')
        what = "a line break";
      else if (*p < 0x20 || *p == 0x7f)
        what = "a control character";
      else if (*p == ' ')
        what = "a space";
      else if (*p >= 0x80)
        what = _("a character outside ASCII");
      if (what != NULL)
        {
          g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_KEY,
                       _("%s contains %s (at character %u), which cannot be sent to a server"),
                       origin, what, (guint) ((const char *) p - key) + 1);
          return FALSE;
        }
    }
  return TRUE;
}

/* Async */

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, map_error (error, g_task_get_cancellable (task)));
  else
    g_task_return_boolean (task, TRUE);
}

void
hearth_secrets_store_async (const char          *endpoint,
                            const char          *key,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *label = NULL;
  GError *error = NULL;

  g_return_if_fail (endpoint != NULL);
  g_return_if_fail (key != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_secrets_store_async);
  if (!hearth_secrets_check_key (key, _("The API key"), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  label = make_label (endpoint);
  secret_password_store (get_schema (), SECRET_COLLECTION_DEFAULT, label, key, cancellable,
                         store_cb, g_steal_pointer (&task),
                         "endpoint", endpoint,
                         NULL);
}

gboolean
hearth_secrets_store_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *secret = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    {
      g_task_return_error (task, map_error (error, g_task_get_cancellable (task)));
      return;
    }
  g_task_return_pointer (task, g_strdup (secret), (GDestroyNotify) hearth_secrets_free);
  secret_password_free (secret);
}

void
hearth_secrets_lookup_async (const char          *endpoint,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (endpoint != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_secrets_lookup_async);
  secret_password_lookup (get_schema (), cancellable, lookup_cb, g_steal_pointer (&task),
                          "endpoint", endpoint,
                          NULL);
}

/* Returns: (transfer full) (nullable): the key, or NULL with no error when none is stored */
char *
hearth_secrets_lookup_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
delete_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  gboolean removed = secret_password_clear_finish (result, &error);

  if (error != NULL)
    g_task_return_error (task, map_error (error, g_task_get_cancellable (task)));
  else
    g_task_return_boolean (task, removed);
}

void
hearth_secrets_delete_async (const char          *endpoint,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (endpoint != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_secrets_delete_async);
  secret_password_clear (get_schema (), cancellable, delete_cb, g_steal_pointer (&task),
                         "endpoint", endpoint,
                         NULL);
}

/* Returns: TRUE when a key was removed; FALSE with no error when none was stored */
gboolean
hearth_secrets_delete_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Sync, for hearth-cli */

gboolean
hearth_secrets_store_sync (const char    *endpoint,
                           const char    *key,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autofree char *label = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (endpoint != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (!hearth_secrets_check_key (key, _("The API key"), error))
    return FALSE;
  label = make_label (endpoint);
  if (secret_password_store_sync (get_schema (), SECRET_COLLECTION_DEFAULT, label, key,
                                  cancellable, &local_error,
                                  "endpoint", endpoint,
                                  NULL))
    return TRUE;
  g_propagate_error (error, map_error (local_error, cancellable));
  return FALSE;
}

char *
hearth_secrets_lookup_sync (const char    *endpoint,
                            GCancellable  *cancellable,
                            GError       **error)
{
  GError *local_error = NULL;
  char *secret;
  char *copy;

  g_return_val_if_fail (endpoint != NULL, NULL);

  secret = secret_password_lookup_sync (get_schema (), cancellable, &local_error,
                                        "endpoint", endpoint,
                                        NULL);
  if (local_error != NULL)
    {
      g_propagate_error (error, map_error (local_error, cancellable));
      return NULL;
    }
  copy = g_strdup (secret);
  secret_password_free (secret);
  return copy;
}

gboolean
hearth_secrets_delete_sync (const char    *endpoint,
                            GCancellable  *cancellable,
                            GError       **error)
{
  GError *local_error = NULL;
  gboolean removed;

  g_return_val_if_fail (endpoint != NULL, FALSE);

  removed = secret_password_clear_sync (get_schema (), cancellable, &local_error,
                                        "endpoint", endpoint,
                                        NULL);
  if (local_error != NULL)
    {
      g_propagate_error (error, map_error (local_error, cancellable));
      return FALSE;
    }
  return removed;
}
