/* hearth-engine-servers.c — the engine's doors to the user's servers: the
 * list, and the one rule that picks the server a command talks to
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hearth-endpoint.h"
#include "hearth-engine-private.h"
#include "hearth-error.h"
#include "hearth-servers-impl.h"

/**
 * hearth_engine_get_servers:
 *
 * Returns: (transfer none): the user's servers, made on first use from
 *   servers.conf or, before it exists, from the engine's settings
 */
HearthServers *
hearth_engine_get_servers (HearthEngine *self)
{
  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);

  if (self->servers == NULL)
    {
      self->servers = _hearth_servers_new (self, self->settings);
      g_signal_connect_swapped (self->servers, "changed",
                                G_CALLBACK (_hearth_engine_servers_changed), self);
    }
  return self->servers;
}

static HearthProvider *
resolve_with_settings (HearthEngine  *self,
                       GSettings     *settings,
                       const char    *endpoint,
                       const char    *api_name,
                       GError       **error)
{
  g_autofree char *url = NULL;
  HearthApiKind api;

  if (!hearth_resolve_api_kind (api_name, settings, &api, error))
    return NULL;
  url = hearth_endpoint_resolve (endpoint, api, settings, error);
  if (url == NULL)
    return NULL;
  return hearth_engine_get_provider (self, api, url);
}

static HearthProvider *
server_provider (HearthEngine  *self,
                 HearthServer  *server,
                 GError       **error)
{
  g_autofree char *endpoint = _hearth_server_resolve_endpoint (server, error);

  if (endpoint == NULL)
    return NULL;
  return hearth_engine_get_provider (self, hearth_server_get_api (server), endpoint);
}

/* The default server's provider, or a sentence saying why there is none. */
static HearthProvider *
default_provider (HearthEngine   *self,
                  HearthServers  *servers,
                  const char     *api_name,
                  GError        **error)
{
  HearthServer *server = hearth_servers_get_default (servers);
  HearthApiKind api;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (servers));

  if (api_name != NULL && *api_name != '\0' && !hearth_resolve_api_kind (api_name, NULL, &api, error))
    return NULL;
  if (server == NULL)
    {
      g_set_error_literal (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                           n == 0 ? _("There is no server to ask: add one with hearth-cli servers "
                                      "add "
                                      "NAME URL, or in Preferences → Servers")
                                  : _("Every server is disabled: enable one with hearth-cli "
                                      "servers "
                                      "enable NAME, or in Preferences → Servers"));
      return NULL;
    }
  if (api_name == NULL || *api_name == '\0' || hearth_server_get_api (server) == api)
    return server_provider (self, server, error);
  /* --api without --endpoint: the first enabled server that speaks it. */
  for (guint i = 0; i < servers->servers->len; i++)
    {
      HearthServer *other = g_ptr_array_index (servers->servers, i);

      if (hearth_server_get_enabled (other) && hearth_server_get_api (other) == api)
        return server_provider (self, other, error);
    }
  g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
               _("None of your servers speaks the %s API: give its address with --endpoint, "
                 "or add it with hearth-cli servers add"), hearth_api_kind_to_string (api));
  return NULL;
}

/**
 * hearth_engine_resolve_provider:
 * @endpoint: (nullable): an explicit server address, or %NULL
 * @api: (nullable): an explicit API name ("ollama", "openai", "anthropic"), or %NULL
 *
 * The server a request goes to: the explicit address; else the default
 * server of the list (the first enabled one). Before servers.conf exists,
 * that is the rule the single-server Hearth had: OLLAMA_HOST, then the
 * settings, then the default. Its API key comes, on its first request,
 * from HEARTH_API_KEY, OPENAI_API_KEY / ANTHROPIC_API_KEY or the keyring.
 *
 * Returns: (transfer none): the server, or %NULL with @error set
 */
HearthProvider *
hearth_engine_resolve_provider (HearthEngine  *self,
                                const char    *endpoint,
                                const char    *api,
                                GError       **error)
{
  HearthServers *servers;

  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);

  if (endpoint != NULL && *endpoint != '\0')
    return resolve_with_settings (self, self->settings, endpoint, api, error);
  servers = hearth_engine_get_servers (self);
  if (!servers->saved)
    return resolve_with_settings (self, self->settings, NULL, api, error);
  return default_provider (self, servers, api, error);
}

/**
 * hearth_engine_get_configured_provider:
 * @settings: (nullable): the settings to read while there is no
 *   servers.conf, or %NULL for the engine's
 *
 * Returns: (transfer none): the default server's provider, or %NULL with
 *   a sentence when there is none
 */
HearthProvider *
hearth_engine_get_configured_provider (HearthEngine  *self,
                                       GSettings     *settings,
                                       GError       **error)
{
  HearthServers *servers;

  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  servers = hearth_engine_get_servers (self);
  if (!servers->saved)
    return resolve_with_settings (self, settings ? settings : self->settings, NULL, NULL, error);
  return default_provider (self, servers, NULL, error);
}

/**
 * hearth_engine_resolve_server:
 * @server: (nullable): a server's name (--server), or %NULL
 * @endpoint: (nullable): an address (--endpoint), or %NULL
 * @api: (nullable): the API of @endpoint (--api), or %NULL
 *
 * The one rule for both front ends: the named server, else the address,
 * else the default server.
 *
 * Returns: (transfer none): the provider, or %NULL with a sentence
 */
HearthProvider *
hearth_engine_resolve_server (HearthEngine  *self,
                              const char    *server,
                              const char    *endpoint,
                              const char    *api,
                              GError       **error)
{
  HearthServers *servers;
  HearthServer *found;
  HearthApiKind kind;

  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);

  if (server == NULL || *server == '\0')
    return hearth_engine_resolve_provider (self, endpoint, api, error);
  if (endpoint != NULL && *endpoint != '\0')
    {
      g_set_error_literal (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                           _("Give a server's name (--server) or an address (--endpoint), not both"));
      return NULL;
    }
  if (api != NULL && *api != '\0' && !hearth_resolve_api_kind (api, NULL, &kind, error))
    return NULL;
  servers = hearth_engine_get_servers (self);
  found = hearth_servers_lookup (servers, server);
  if (found == NULL)
    {
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint i = 0; i < servers->servers->len; i++)
        g_string_append_printf (names, "%s%s", i > 0 ? ", " : "",
                                hearth_server_get_name (g_ptr_array_index (servers->servers, i)));
      if (names->len > 0)
        /* Translators: the name typed, then the servers' names (“laptop, big-box”) */
        g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                     _("There is no server called “%s”: the servers are %s"), server,
                     names->str);
      else
        /* Translators: %s is the name typed */
        g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                     _("There is no server called “%s”: no server is set up yet (add one with "
                       "hearth-cli servers add NAME URL)"), server);
      return NULL;
    }
  if (!hearth_server_get_enabled (found))
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("The server “%s” is disabled: enable it with hearth-cli servers enable %s, "
                     "or in Preferences → Servers"), server, server);
      return NULL;
    }
  return server_provider (self, found, error);
}
