/* hearth-endpoint.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-endpoint"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hearth-endpoint.h"
#include "hearth-error.h"

static gboolean
split_host_port (const char  *hostport,
                 char       **host,
                 char       **port)
{
  const char *colon;

  if (hostport[0] == '[')
    {
      const char *close = strchr (hostport, ']');

      if (close == NULL)
        return FALSE;
      *host = g_strndup (hostport, close - hostport + 1);
      if (close[1] == ':' && close[2] != '\0')
        *port = g_strdup (close + 2);
      return close[1] == '\0' || close[1] == ':';
    }

  colon = strrchr (hostport, ':');
  if (colon != NULL && strchr (hostport, ':') != colon)
    {
      /* A bare IPv6 address without brackets. */
      *host = g_strdup_printf ("[%s]", hostport);
      return TRUE;
    }
  if (colon != NULL)
    {
      *host = g_strndup (hostport, colon - hostport);
      *port = g_strdup (colon + 1);
    }
  else
    {
      *host = g_strdup (hostport);
    }
  return TRUE;
}

/* localhost, 127.0.0.0/8, ::1 or 0.0.0.0, as split_host_port () gives it. */
static gboolean
host_is_local (const char *host)
{
  g_autofree char *bare = NULL;
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  if (host[0] == '[')
    bare = g_strndup (host + 1, strlen (host) - 2);
  address = g_inet_address_new_from_string (bare != NULL ? bare : host);
  return address != NULL && (g_inet_address_get_is_loopback (address) ||
                             g_inet_address_get_is_any (address));
}

static gboolean
port_is_valid (const char *port)
{
  guint64 value;

  return g_ascii_string_to_unsigned (port, 10, 1, 65535, &value, NULL);
}

/* Accepts what OLLAMA_HOST accepts: host, host:port, scheme://host:port[/path].
 * Without a scheme the port defaults to 11434 (Ollama's); with one, to the
 * scheme's. For the OpenAI and Anthropic APIs a trailing /v1 is dropped:
 * paths are added later ("https://api.anthropic.com/v1" is stored as
 * "https://api.anthropic.com:443"). Anthropic's API is a cloud service: an
 * address without a scheme means https (port 443), unless it is this
 * computer (a local stand-in or proxy), which is http like the others. */
char *
hearth_endpoint_normalize (const char     *input,
                           HearthApiKind   api,
                           GError        **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (input ? input : ""));
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;
  g_autofree char *port = NULL;
  g_autofree char *path = NULL;
  const char *default_port = "11434";
  const char *rest = trimmed;
  const char *sep = strstr (trimmed, "://");
  char *slash;
  g_autofree char *hostport = NULL;

  /* Inside an address, a space or a control character is a mistake; GUri would keep it. */
  for (const char *c = trimmed; *c != '\0'; c++)
    if ((guchar) *c <= ' ' || *c == '\x7f')
      goto invalid;

  if (sep != NULL)
    {
      scheme = g_ascii_strdown (trimmed, sep - trimmed);
      rest = sep + 3;
      if (g_str_equal (scheme, "http"))
        default_port = "80";
      else if (g_str_equal (scheme, "https"))
        default_port = "443";
      else
        goto invalid;
    }
  else
    {
      scheme = g_strdup ("http");
    }

  hostport = g_strdup (rest);
  if ((slash = strchr (hostport, '/')) != NULL)
    {
      path = g_strdup (slash);
      *slash = '\0';
    }
  if (!split_host_port (hostport, &host, &port))
    goto invalid;
  if (sep == NULL && api == HEARTH_API_ANTHROPIC && !host_is_local (host))
    {
      g_free (scheme);
      scheme = g_strdup ("https");
      default_port = "443";
    }
  if (host[0] == '\0' || strpbrk (host, " \t@?#") != NULL)
    goto invalid;
  if (port == NULL)
    port = g_strdup (default_port);
  if (!port_is_valid (port))
    goto invalid;
  /* Servers listen on 0.0.0.0; clients connect to this machine. */
  if (g_str_equal (host, "0.0.0.0"))
    {
      g_free (host);
      host = g_strdup ("127.0.0.1");
    }

  if (path != NULL)
    {
      gsize len;

      while ((len = strlen (path)) > 0 && path[len - 1] == '/')
        path[len - 1] = '\0';
      if ((api == HEARTH_API_OPENAI || api == HEARTH_API_ANTHROPIC) &&
          g_str_has_suffix (path, "/v1"))
        path[strlen (path) - 3] = '\0';
    }

  {
    g_autofree char *url = g_strdup_printf ("%s://%s:%s%s", scheme, host, port,
                                            path ? path : "");
    if (!g_uri_is_valid (url, G_URI_FLAGS_NONE, NULL))
      goto invalid;
    return g_steal_pointer (&url);
  }

invalid:
  g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
               _("“%s” is not a server address: use host, host:port or http://host:port"),
               trimmed);
  return NULL;
}

GSettings *
hearth_settings_try_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

/* --endpoint > OLLAMA_HOST (Ollama API only) > GSettings > the default
 * (Ollama's on this computer; for Anthropic's API, api.anthropic.com). */
char *
hearth_endpoint_resolve (const char     *explicit_endpoint,
                         HearthApiKind   api,
                         GSettings      *settings,
                         GError        **error)
{
  const char *env = g_getenv ("OLLAMA_HOST");
  g_autofree char *stored = NULL;

  if (explicit_endpoint != NULL && *explicit_endpoint != '\0')
    return hearth_endpoint_normalize (explicit_endpoint, api, error);
  if (api == HEARTH_API_OLLAMA && env != NULL && *env != '\0')
    return hearth_endpoint_normalize (env, api, error);
  if (settings != NULL)
    stored = g_settings_get_string (settings, "endpoint");
  if (stored != NULL && *stored != '\0')
    return hearth_endpoint_normalize (stored, api, error);
  if (api == HEARTH_API_ANTHROPIC)
    return hearth_endpoint_normalize (HEARTH_ANTHROPIC_ENDPOINT, api, error);
  return g_strdup (HEARTH_DEFAULT_ENDPOINT);
}

/**
 * hearth_endpoint_is_loopback:
 * @endpoint: a normalised endpoint URL
 *
 * Returns: whether the server runs on this machine (localhost, 127.0.0.0/8, ::1)
 */
gboolean
hearth_endpoint_is_loopback (const char *endpoint)
{
  g_autoptr(GUri) uri = endpoint != NULL ? g_uri_parse (endpoint, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/**
 * hearth_endpoint_local_port:
 * @endpoint: a normalised endpoint URL
 *
 * Returns: the TCP port of a server on this machine (the scheme's default
 *   when the URL names none), or 0 when the server runs elsewhere
 */
guint
hearth_endpoint_local_port (const char *endpoint)
{
  g_autoptr(GUri) uri = NULL;
  int port;

  if (!hearth_endpoint_is_loopback (endpoint))
    return 0;
  uri = g_uri_parse (endpoint, G_URI_FLAGS_NONE, NULL);
  port = g_uri_get_port (uri);
  if (port > 0)
    return port;
  return g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 ? 443 : 80;
}
