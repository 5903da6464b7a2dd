/* hearth-gateway-listen.c — the address the gateway listens on, whether
 * it is this computer only, and the token a request must carry
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "hearth-error.h"
#include "hearth-gateway-impl.h"

/* Listening ------------------------------------------------------------- */

gboolean
hearth_gateway_host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

static gboolean
parse_port (const char  *text,
            const char  *listen,
            guint       *port,
            GError     **error)
{
  guint64 value;

  if (text == NULL || *text == '\0'
      || !g_ascii_string_to_unsigned (text, 10, 0, 65535, &value, NULL))
    return hearth_error_set_invalid (error,
                                     _("“%s” has no port Hearth can listen on: give a number "
                                       "from 0 to 65535 (0 picks a free one), as in 127.0.0.1:11435"),
                                     listen);
  *port = (guint) value;
  return TRUE;
}

gboolean
hearth_gateway_parse_listen (const char  *listen,
                             char       **host,
                             guint       *port,
                             GError     **error)
{
  g_autofree char *text = NULL;
  g_autofree char *name = NULL;
  const char *port_text;
  guint value = 0;

  g_return_val_if_fail (host != NULL && port != NULL, FALSE);

  text = g_strstrip (g_strdup (listen != NULL ? listen : ""));
  if (*text == '\0')
    return hearth_error_set_invalid (error,
                                     _("No address to listen on: give one as HOST:PORT, "
                                       "as in %s"), HEARTH_GATEWAY_DEFAULT_LISTEN);

  if (text[0] == '[')
    {
      const char *end = strchr (text, ']');

      if (end == NULL || end[1] != ':')
        return hearth_error_set_invalid (error,
                                         _("“%s” is not an address Hearth can listen on: write an "
                                           "IPv6 address with its port as [::1]:11435"), listen);
      name = g_strndup (text + 1, end - text - 1);
      port_text = end + 2;
    }
  else
    {
      const char *colon = strrchr (text, ':');

      if (colon == NULL)
        {
          name = g_strdup ("127.0.0.1");
          port_text = text;
        }
      else if (strchr (text, ':') != colon)
        return hearth_error_set_invalid (error,
                                         _("“%s” is not an address Hearth can listen on: write an "
                                           "IPv6 address in brackets, as in [::1]:11435"), listen);
      else
        {
          name = colon == text ? g_strdup ("127.0.0.1") : g_strndup (text, colon - text);
          port_text = colon + 1;
        }
    }

  if (!parse_port (port_text, listen, &value, error))
    return FALSE;

  /* Only an address: looking a name up would wait on the network. */
  if (g_ascii_strcasecmp (name, "localhost") != 0)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (name);

      if (address == NULL)
        return hearth_error_set_invalid (error,
                                         _("“%s” is not an IP address Hearth can listen on: give "
                                           "127.0.0.1 (this computer only), 0.0.0.0 (every "
                                           "network) or one of this computer's addresses"),
                                         name);
    }

  *host = g_steal_pointer (&name);
  *port = value;
  return TRUE;
}

/* Whether the request carries the token: compared in constant time, so
 * how long a wrong guess takes says nothing about the right one. */
gboolean
_hearth_gateway_token_matches (const char *expected,
               const char *header)
{
  gsize expected_len, given_len;
  guint diff = 0;

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0)
    return FALSE;
  header += 7;
  while (*header == ' ')
    header++;
  expected_len = strlen (expected);
  given_len = strlen (header);
  diff = expected_len ^ given_len;
  for (gsize i = 0; i < expected_len; i++)
    diff |= (guchar) expected[i] ^ (guchar) header[i < given_len ? i : 0];
  return diff == 0 && given_len > 0;
}
