/* hearth-application-gateway.c — the app serves the API to other programs
 * while "serve-api" is on, at "serve-address"
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same gateway `hearth-cli serve` runs (hearth_engine_get_gateway ()).
 * A change to either setting applies at once: the old listener stops, the
 * new one starts. Why it could not start (a port in use) stays on the
 * gateway (hearth_gateway_get_error ()), where Preferences shows it. While
 * it serves, Hearth keeps running after its window closes
 * (hearth-application-background.c holds it), so programs are not cut off.
 * app.restart-gateway starts it again: after the token was reset, or to
 * try a port again once it is free.
 */
#define G_LOG_DOMAIN "hearth-application-gateway"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-application-private.h"
#include "hearth-error.h"

static void start_with_token_cb (GObject      *object,
                                 GAsyncResult *result,
                                 gpointer      user_data);

static void
apply_serve_settings (HearthApplication *self)
{
  HearthGateway *gateway = hearth_engine_get_gateway (self->engine);
  g_autofree char *address = g_settings_get_string (self->settings, "serve-address");
  g_autofree char *host = NULL;
  g_autoptr(GError) error = NULL;
  guint port;

  /* A token still on its way belongs to the settings before these. */
  g_cancellable_cancel (self->gateway_cancellable);
  g_clear_object (&self->gateway_cancellable);
  if (!g_settings_get_boolean (self->settings, "serve-api") || self->quitting)
    {
      hearth_gateway_stop (gateway);
      return;
    }
  /* On an address other than loopback, the token from the keyring first;
   * a bad address fails in start, which keeps the sentence. */
  if (hearth_gateway_parse_listen (address, &host, &port, NULL) &&
      !hearth_gateway_host_is_loopback (host))
    {
      self->gateway_cancellable = g_cancellable_new ();
      hearth_gateway_ensure_token_async (gateway, self->gateway_cancellable, start_with_token_cb,
                                         g_object_ref (self));
      return;
    }
  if (!hearth_gateway_start (gateway, address, NULL, &error))
    g_message ("Not serving the API: %s", error->message);
}

static void
start_with_token_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(HearthApplication) self = user_data;
  HearthGateway *gateway = HEARTH_GATEWAY (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = hearth_gateway_ensure_token_finish (gateway, result, &error);
  g_autofree char *address = NULL;

  if (hearth_error_is_cancelled (error))
    return;
  if (token == NULL)
    g_message ("No token for the API gateway: %s", error->message);
  g_clear_error (&error);
  /* Without a token, start refuses and keeps the sentence why. */
  address = g_settings_get_string (self->settings, "serve-address");
  if (!hearth_gateway_start (gateway, address, token, &error))
    g_message ("Not serving the API: %s", error->message);
  if (token != NULL)
    memset (token, 0, strlen (token));
}

static void
restart_gateway_action (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  HearthApplication *self = user_data;

  /* the same address again: stop first, or start would find it taken */
  hearth_gateway_stop (hearth_engine_get_gateway (self->engine));
  apply_serve_settings (self);
}

static const GActionEntry gateway_entries[] = {
  { "restart-gateway", restart_gateway_action },
};

void
_hearth_application_setup_gateway (HearthApplication *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), gateway_entries,
                                   G_N_ELEMENTS (gateway_entries), self);
  g_signal_connect_object (self->settings, "changed::serve-api",
                           G_CALLBACK (apply_serve_settings), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::serve-address",
                           G_CALLBACK (apply_serve_settings), self, G_CONNECT_SWAPPED);
  apply_serve_settings (self);
}

void
_hearth_application_stop_gateway (HearthApplication *self)
{
  g_cancellable_cancel (self->gateway_cancellable);
  g_clear_object (&self->gateway_cancellable);
  if (self->engine != NULL)
    hearth_gateway_stop (hearth_engine_get_gateway (self->engine));
}
