/* hearth-cache-key.c — from a chat request to its cache key, and which requests are deterministic
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-cache"

#include <math.h>
#include <string.h>

#include "hearth-cache.h"

/* Length-prefixed, so "ab" + "c" and "a" + "bc" cannot meet; NULL (unset)
 * has its own spelling that no length can take. */
static void
key_put (GChecksum  *checksum,
         const char *tag,
         const char *value)
{
  char prefix[64];
  gsize len = value != NULL ? strlen (value) : 0;
  int n;

  if (value == NULL)
    n = g_snprintf (prefix, sizeof prefix, "%s=-;", tag);
  else
    n = g_snprintf (prefix, sizeof prefix, "%s=%" G_GSIZE_FORMAT ":", tag, len);
  g_checksum_update (checksum, (const guchar *) prefix, n);
  if (value != NULL)
    g_checksum_update (checksum, (const guchar *) value, len);
}

/* 0.7 and 0.70 are the same double; -0 and 0 are not, but mean the same. */
static void
key_put_double (GChecksum  *checksum,
                const char *tag,
                double      value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (value))
    {
      key_put (checksum, tag, NULL);
      return;
    }
  if (value == 0)
    value = 0;
  key_put (checksum, tag, g_ascii_formatd (buf, sizeof buf, "%.17g", value));
}

static void
key_put_int (GChecksum  *checksum,
             const char *tag,
             gboolean    is_set,
             gint64      value)
{
  char buf[32];

  if (!is_set)
    {
      key_put (checksum, tag, NULL);
      return;
    }
  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, value);
  key_put (checksum, tag, buf);
}

static void
key_put_count (GChecksum  *checksum,
               const char *tag,
               guint       count)
{
  key_put_int (checksum, tag, TRUE, count);
}

static void
key_put_messages (GChecksum               *checksum,
                  const HearthChatRequest *request)
{
  /* NULL and "" both send no system message (hearth_chat_request_write_messages). */
  key_put (checksum, "system", request->system != NULL ? request->system : "");
  key_put_count (checksum, "messages", request->messages->len);
  for (guint i = 0; i < request->messages->len; i++)
    {
      const HearthMessage *message = g_ptr_array_index (request->messages, i);

      key_put (checksum, "role", message->role != NULL ? message->role : "");
      key_put (checksum, "content", message->content != NULL ? message->content : "");
    }
}

/* An empty stop list is still sent (and may override a model's own stop
 * words), so it is kept apart from "unset". */
static void
key_put_stop (GChecksum          *checksum,
              const char * const *stop)
{
  if (stop == NULL)
    {
      key_put (checksum, "stop", NULL);
      return;
    }
  key_put_count (checksum, "stop", g_strv_length ((char **) stop));
  for (guint i = 0; stop[i] != NULL; i++)
    key_put (checksum, "stop-word", stop[i]);
}

static void
key_put_options (GChecksum               *checksum,
                 const HearthChatRequest *request)
{
  key_put_double (checksum, "temperature", request->temperature);
  key_put_double (checksum, "top_p", request->top_p);
  key_put_int (checksum, "top_k", request->top_k >= 0, request->top_k);
  key_put_int (checksum, "seed", request->has_seed, request->seed);
  key_put_int (checksum, "num_predict", request->num_predict >= 0, request->num_predict);
  key_put_int (checksum, "num_ctx", request->num_ctx >= 0, request->num_ctx);
  key_put_stop (checksum, (const char * const *) request->stop);
}

/**
 * hearth_cache_key:
 * @model_digest: the server's digest of the model, or the model name when the
 *   server has none (a %NULL or empty digest falls back to the name)
 *
 * Everything that changes the reply goes in; `stream` and the model name
 * (the digest stands for the model) do not.
 *
 * Returns: (transfer full): the lowercase hex SHA-256 of the request
 */
char *
hearth_cache_key (HearthApiKind            api,
                  const char              *endpoint,
                  const char              *model_digest,
                  const HearthChatRequest *request)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  g_return_val_if_fail (request != NULL, NULL);

  if (model_digest == NULL || *model_digest == '\0')
    model_digest = request->model;
  key_put (checksum, "hearth-cache-key", "1");
  key_put (checksum, "api", hearth_api_kind_to_string (api));
  key_put (checksum, "endpoint", endpoint != NULL ? endpoint : "");
  key_put (checksum, "model", model_digest != NULL ? model_digest : "");
  key_put_messages (checksum, request);
  key_put_options (checksum, request);
  return g_strdup (g_checksum_get_string (checksum));
}

gboolean
hearth_cache_request_is_deterministic (const HearthChatRequest *request)
{
  g_return_val_if_fail (request != NULL, FALSE);

  return request->temperature == 0 || request->has_seed;
}
