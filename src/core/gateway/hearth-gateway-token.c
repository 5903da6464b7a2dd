/* hearth-gateway-token.c — the token other computers must send, kept in
 * the Secret Service and nowhere else
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <libsecret/secret.h>
#include <string.h>
#include <sys/random.h>

#include "hearth-error.h"
#include "hearth-gateway-impl.h"

/* Nothing in this file logs the token, or an error that could hold it. */

#define TOKEN_LABEL "Hearth API gateway token"
#define TOKEN_BYTES 32

static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    "io.github.hearthapp.Hearth.GatewayToken", SECRET_SCHEMA_NONE,
    {
      { "purpose", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

#define PURPOSE "api-gateway"

static GError *
map_error (GError       *error,
           GCancellable *cancellable)
{
  g_autoptr(GError) owned = error;

  if (g_cancellable_is_cancelled (cancellable))
    return g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_CANCELLED,
                                _("The keyring request was cancelled"));
  if (g_error_matches (owned, SECRET_ERROR, SECRET_ERROR_IS_LOCKED)
      || g_error_matches (owned, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || g_error_matches (owned, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED))
    return g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_KEYRING_LOCKED,
                                _("The keyring is locked and was not unlocked, so the "
                                  "gateway's token could not be read or kept"));
  /* libsecret's messages name paths and D-Bus errors, never secrets. */
  return g_error_new (HEARTH_ERROR, HEARTH_ERROR_KEYRING_UNAVAILABLE,
                      _("No keyring (Secret Service) could hold the gateway's token (%s): "
                        "without one, serve on 127.0.0.1 only"), owned->message);
}

/* 32 bytes from the kernel's random source, base64url without padding:
 * 43 characters any header carries. */
static char *
make_token (void)
{
  guint8 bytes[TOKEN_BYTES];
  gsize got = 0;
  char *token;

  while (got < sizeof bytes)
    {
      gssize n = getrandom (bytes + got, sizeof bytes - got, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return NULL;
      got += n;
    }
  token = g_base64_encode (bytes, sizeof bytes);
  memset (bytes, 0, sizeof bytes);
  g_strdelimit (token, "+", '-');
  g_strdelimit (token, "/", '_');
  g_strdelimit (token, "=", '\0');
  return token;
}

static void
wipe_free (gpointer data)
{
  char *token = data;

  if (token != NULL)
    {
      memset (token, 0, strlen (token));
      g_free (token);
    }
}

static void
store_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    {
      g_task_return_error (task, map_error (error, g_task_get_cancellable (task)));
      return;
    }
  g_task_return_pointer (task, g_strdup (g_task_get_task_data (task)), wipe_free);
}

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *secret = secret_password_lookup_finish (result, &error);
  char *token;

  if (error != NULL)
    {
      g_task_return_error (task, map_error (error, g_task_get_cancellable (task)));
      return;
    }
  if (secret != NULL && *secret != '\0')
    {
      char *copy = g_strdup (secret);

      secret_password_free (secret);
      g_task_return_pointer (task, copy, wipe_free);
      return;
    }
  secret_password_free (secret);

  /* None yet: a new one, kept before it is handed out. */
  token = make_token ();
  if (token == NULL)
    {
      g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_FAILED,
                               _("This computer gave no random bytes to make a token from: %s"),
                               g_strerror (errno));
      return;
    }
  g_task_set_task_data (task, token, wipe_free);
  secret_password_store (get_schema (), SECRET_COLLECTION_DEFAULT, TOKEN_LABEL, token,
                         g_task_get_cancellable (task), store_cb, g_object_ref (task),
                         "purpose", PURPOSE, NULL);
}

void
hearth_gateway_ensure_token_async (HearthGateway       *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (HEARTH_IS_GATEWAY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_gateway_ensure_token_async);
  secret_password_lookup (get_schema (), cancellable, lookup_cb, task,
                          "purpose", PURPOSE, NULL);
}

/* Returns: (transfer full): the token; wipe it (memset) before freeing */
char *
hearth_gateway_ensure_token_finish (HearthGateway  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
clear_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, map_error (error, g_task_get_cancellable (task)));
  else
    g_task_return_boolean (task, TRUE);
}

void
hearth_gateway_reset_token_async (HearthGateway       *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (HEARTH_IS_GATEWAY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_gateway_reset_token_async);
  secret_password_clear (get_schema (), cancellable, clear_cb, task,
                         "purpose", PURPOSE, NULL);
}

gboolean
hearth_gateway_reset_token_finish (HearthGateway  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
