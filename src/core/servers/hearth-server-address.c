/* hearth-server-address.c — the address a server's requests go to, and
 * where it comes from: the one rule the Servers page, the server dialog
 * and `hearth-cli servers list` show
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-servers"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-endpoint.h"
#include "hearth-servers-impl.h"

/* The order is the single-server Hearth's (hearth_endpoint_resolve ()):
 * a typed address; OLLAMA_HOST, for the Ollama API; while migrating, the
 * settings' "endpoint"; the usual address. */
char *
_hearth_server_address_resolve (const char           *url,
                                HearthApiKind         api,
                                GSettings            *follow,
                                HearthAddressSource  *source,
                                GError              **error)
{
  const char *env = g_getenv ("OLLAMA_HOST");
  g_autofree char *stored = NULL;
  HearthAddressSource found;
  char *address;

  url = url != NULL ? url : "";
  if (follow != NULL)
    stored = g_settings_get_string (follow, "endpoint");
  if (follow == NULL && url[0] != '\0')
    {
      found = HEARTH_ADDRESS_TYPED;
      address = hearth_endpoint_normalize (url, api, error);
    }
  else if (api == HEARTH_API_OLLAMA && env != NULL && env[0] != '\0')
    {
      found = HEARTH_ADDRESS_OLLAMA_HOST;
      address = hearth_endpoint_normalize (env, api, error);
    }
  else if (stored != NULL && stored[0] != '\0')
    {
      found = HEARTH_ADDRESS_SETTINGS;
      address = hearth_endpoint_normalize (stored, api, error);
    }
  else
    {
      found = HEARTH_ADDRESS_USUAL;
      address = api == HEARTH_API_ANTHROPIC
                  ? hearth_endpoint_normalize (HEARTH_ANTHROPIC_ENDPOINT, api, error)
                  : g_strdup (HEARTH_DEFAULT_ENDPOINT);
    }
  if (source != NULL)
    *source = found;
  return address;
}

/**
 * hearth_server_address_for:
 * @url: an address as servers.conf keeps it ("" for this computer's Ollama)
 * @api: the API the server speaks
 * @source: (out) (optional): where the address comes from
 * @error: a bad address, or a bad OLLAMA_HOST
 *
 * For a server not saved yet (the server dialog): what @url stands for
 * now. A server in the list: hearth_server_get_endpoint () and
 * hearth_server_get_address_source ().
 *
 * Returns: (transfer full) (nullable): the normalized address
 */
char *
hearth_server_address_for (const char           *url,
                           HearthApiKind         api,
                           HearthAddressSource  *source,
                           GError              **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (url != NULL ? url : ""));

  return _hearth_server_address_resolve (trimmed, api, NULL, source, error);
}

/**
 * hearth_server_get_address_source:
 *
 * Returns: where the address requests go to comes from, now (OLLAMA_HOST
 *   is read again)
 */
HearthAddressSource
hearth_server_get_address_source (HearthServer *self)
{
  HearthAddressSource source = HEARTH_ADDRESS_TYPED;
  g_autofree char *address = NULL;

  g_return_val_if_fail (HEARTH_IS_SERVER (self), HEARTH_ADDRESS_TYPED);

  /* Its url= is the port Hearth chose when it added it (hearth-managed.c). */
  if (hearth_server_get_managed (self) != HEARTH_MANAGED_NONE)
    return HEARTH_ADDRESS_MANAGED;
  address = _hearth_server_resolve_endpoint_source (self, &source, NULL);
  return source;
}

const char *
hearth_address_source_to_string (HearthAddressSource source)
{
  switch (source)
    {
    case HEARTH_ADDRESS_OLLAMA_HOST:
      return "ollama-host";
    case HEARTH_ADDRESS_SETTINGS:
      return "settings";
    case HEARTH_ADDRESS_USUAL:
      return "usual";
    case HEARTH_ADDRESS_MANAGED:
      return "managed";
    case HEARTH_ADDRESS_TYPED:
    default:
      return "typed";
    }
}

/**
 * hearth_address_source_describe:
 * @source: where an address comes from
 * @api: the server's API (the usual address is Anthropic's for its API)
 *
 * Returns: a few words that follow the address: "from OLLAMA_HOST",
 *   "this computer’s usual address for Ollama", "typed in"…
 */
const char *
hearth_address_source_describe (HearthAddressSource source,
                                HearthApiKind       api)
{
  switch (source)
    {
    case HEARTH_ADDRESS_OLLAMA_HOST:
      return _("from OLLAMA_HOST");
    case HEARTH_ADDRESS_SETTINGS:
      return _("from the settings of an earlier Hearth");
    case HEARTH_ADDRESS_USUAL:
      if (api == HEARTH_API_ANTHROPIC)
        return _("Anthropic’s usual address");
      return _("this computer’s usual address for Ollama");
    case HEARTH_ADDRESS_MANAGED:
      return _("a port Hearth chose for the server it runs");
    case HEARTH_ADDRESS_TYPED:
    default:
      return _("typed in");
    }
}

/**
 * hearth_address_describe:
 * @address: a normalized address
 *
 * Returns: (transfer full): "http://10.1.2.3:4567 (from OLLAMA_HOST)"; an
 *   address typed in, alone: saying so on every row would be noise
 */
char *
hearth_address_describe (const char          *address,
                         HearthAddressSource  source,
                         HearthApiKind        api)
{
  if (source == HEARTH_ADDRESS_TYPED)
    return g_strdup (address);
  /* TRANSLATORS: an address, and where it comes from */
  return g_strdup_printf (_("%s (%s)"), address, hearth_address_source_describe (source, api));
}

/**
 * hearth_server_describe_address:
 *
 * Returns: (transfer full): the address requests go to, and where it comes
 *   from unless the user typed it: "http://10.1.2.3:4567 (from OLLAMA_HOST)"
 */
char *
hearth_server_describe_address (HearthServer *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (self), NULL);

  return hearth_address_describe (hearth_server_get_endpoint (self),
                                  hearth_server_get_address_source (self),
                                  hearth_server_get_api (self));
}
