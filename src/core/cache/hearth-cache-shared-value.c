/* hearth-cache-shared-value.c — the shared tier's addresses and what it keeps under a key
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-cache"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "hearth-cache-private.h"

#define DEFAULT_PORT        6379
/* A value: this tag, then a little-endian GVariant of VALUE_TYPE. */
#define VALUE_MAGIC         "HCE1"
#define VALUE_MAGIC_LEN     4
/* model, done_reason, created_ms, the figures in the order of HearthFigures,
 * then the disk tier's payload (zstd: content and thinking). */
#define VALUE_TYPE          "(smsxxxdddddbay)"

void
_hearth_cache_shared_address_clear (HearthSharedAddress *addr)
{
  g_clear_pointer (&addr->display, g_free);
  g_clear_pointer (&addr->host, g_free);
  g_clear_pointer (&addr->socket_path, g_free);
}

/* URLs */

static gboolean
url_error (GError    **error,
           const char *url,
           const char *what)
{
  g_set_error (error, HEARTH_CACHE_ERROR, HEARTH_CACHE_ERROR_FAILED,
               _("“%s” is not a shared cache address: %s"), url, what);
  return FALSE;
}

/* Fills @addr from @url ("redis://HOST[:PORT][/DB]",
 * "unix:///path"), or says what is wrong with it. */
gboolean
_hearth_cache_shared_parse_url (const char         *url,
           HearthSharedAddress *addr,
           GError            **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED_PATH, NULL);
  const char *scheme;
  const char *path;

  if (uri == NULL || g_uri_get_scheme (uri) == NULL)
    return url_error (error, url, _("write it as redis://HOST:PORT/DB (for example "
                      "redis://cache.lan:6379/0) or unix:///path/to/redis.sock"));
  scheme = g_uri_get_scheme (uri);
  path = g_uri_get_path (uri);
  if (g_uri_get_userinfo (uri) != NULL)
    {
      /* The password is not repeated: the message may be shown or logged. */
      g_autofree char *hidden = g_uri_to_string_partial (uri, G_URI_HIDE_USERINFO);

      return url_error (error, hidden, _("it holds a user name or password, which would be kept in "
                      "the settings; remove it and put the password in the REDISCLI_AUTH "
                      "environment variable, as for redis-cli"));
    }
  if (g_ascii_strcasecmp (scheme, "rediss") == 0)
    return url_error (error, url, _("Hearth does not speak TLS to the shared cache; use "
                      "redis:// on a trusted network, or a tunnel"));
  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    return url_error (error, url, _("remove what follows “?” or “#”; the address is "
                      "redis://HOST:PORT/DB"));
  if (g_ascii_strcasecmp (scheme, "unix") == 0)
    {
      if (g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0')
        return url_error (error, url, _("a socket is written unix:///path/to/redis.sock, "
                          "with three slashes"));
      if (!g_path_is_absolute (path))
        return url_error (error, url, _("the socket's path must be absolute, as in "
                          "unix:///run/redis/redis.sock"));
      addr->socket_path = g_uri_unescape_string (path, NULL);
      addr->display = g_strdup_printf ("unix://%s", addr->socket_path);
      return TRUE;
    }
  if (g_ascii_strcasecmp (scheme, "redis") != 0)
    return url_error (error, url, _("only redis:// and unix:// addresses are understood "
                      "(Valkey speaks the same protocol: use redis://)"));
  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return url_error (error, url, _("the server's name is missing, as in redis://cache.lan:6379"));
  if (*path != '\0' && !g_str_equal (path, "/"))
    {
      guint64 db;

      if (!g_ascii_string_to_unsigned (path + 1, 10, 0, G_MAXINT, &db, NULL))
        return url_error (error, url, _("what follows the port must be a database number, "
                          "as in redis://cache.lan:6379/0"));
      addr->db = (int) db;
    }
  addr->host = g_strdup (g_uri_get_host (uri));
  addr->port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : DEFAULT_PORT;
  addr->display = g_strdup_printf (strchr (addr->host, ':') ? "redis://[%s]:%d" : "redis://%s:%d",
                                     addr->host, addr->port);
  if (addr->db != 0)
    {
      char *with_db = g_strdup_printf ("%s/%d", addr->display, addr->db);

      g_free (addr->display);
      addr->display = with_db;
    }
  return TRUE;
}

/* Values: the entry as the disk tier keeps it */

GBytes *
_hearth_cache_shared_value_encode (HearthCache            *self,
              const HearthCacheEntry *entry)
{
  g_autoptr(GBytes) payload = _hearth_cache_payload_compress (self, entry);
  g_autoptr(GVariant) variant = NULL;
  g_autoptr(GVariant) little = NULL;
  const HearthFigures *f = &entry->figures;
  GByteArray *out;

  if (payload == NULL)
    return NULL;
  variant = g_variant_ref_sink (
    g_variant_new ("(sms" "xxx" "ddddd" "b@ay)", entry->model != NULL ? entry->model : "",
                   entry->done_reason, entry->created_ms, f->tokens_in, f->tokens_out,
                   f->ttft_ms, f->total_ms, f->load_ms, f->prompt_tokens_per_s, f->tokens_per_s,
                   f->from_server,
                   g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, payload, TRUE)));
  little = G_BYTE_ORDER == G_LITTLE_ENDIAN ? g_variant_ref (variant) : g_variant_byteswap (variant);
  out = g_byte_array_sized_new (VALUE_MAGIC_LEN + g_variant_get_size (little));
  g_byte_array_append (out, (const guint8 *) VALUE_MAGIC, VALUE_MAGIC_LEN);
  g_byte_array_append (out, g_variant_get_data (little), g_variant_get_size (little));
  return g_byte_array_free_to_bytes (out);
}

/* NULL when @value is not an entry of ours (another program's key, a
 * newer Hearth's format, damage). */
HearthCacheEntry *
_hearth_cache_shared_value_decode (HearthCache *self,
              GBytes      *value)
{
  gsize len;
  const char *data = g_bytes_get_data (value, &len);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GVariant) variant = NULL;
  g_autoptr(GVariant) payload = NULL;
  g_autoptr(HearthCacheEntry) entry = hearth_cache_entry_new ();
  HearthFigures *f = &entry->figures;
  gsize payload_len;
  const void *payload_data;

  if (len < VALUE_MAGIC_LEN || memcmp (data, VALUE_MAGIC, VALUE_MAGIC_LEN) != 0)
    return NULL;
  body = g_bytes_new_from_bytes (value, VALUE_MAGIC_LEN, len - VALUE_MAGIC_LEN);
  variant = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE (VALUE_TYPE), body, FALSE));
  if (G_BYTE_ORDER != G_LITTLE_ENDIAN)
    {
      GVariant *swapped = g_variant_byteswap (variant);

      g_variant_unref (variant);
      variant = swapped;
    }
  g_variant_get (variant, "(sms" "xxx" "ddddd" "b@ay)", &entry->model, &entry->done_reason,
                 &entry->created_ms, &f->tokens_in, &f->tokens_out, &f->ttft_ms, &f->total_ms,
                 &f->load_ms, &f->prompt_tokens_per_s, &f->tokens_per_s, &f->from_server,
                 &payload);
  payload_data = g_variant_get_fixed_array (payload, &payload_len, 1);
  if (!_hearth_cache_payload_decompress (self, payload_data, payload_len, entry))
    return NULL;
  return g_steal_pointer (&entry);
}

/* Public API */

gboolean
hearth_cache_check_shared_url (const char  *url,
                               GError     **error)
{
  HearthSharedAddress probe = { 0 };
  g_autofree char *stripped = g_strstrip (g_strdup (url != NULL ? url : ""));
  gboolean ok;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (*stripped == '\0')
    return TRUE;
  ok = _hearth_cache_shared_parse_url (stripped, &probe, error);
  _hearth_cache_shared_address_clear (&probe);
  return ok;
}
